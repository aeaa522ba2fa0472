"""The web-platform-tests ``eventsource/format-*`` cases, as parser tests.

Each WPT case opens an ``EventSource`` on a small server resource and checks
the events a browser dispatches. Here the exact bytes that resource serves are
fed to :class:`sseproto.EventStreamParser`, whole and one byte per ``feed()``,
and the parser's events, last event ID and retry value are compared with what
the WPT case expects of the browser. A browser reconnection is modelled as a
new parser started from the previous one's ``last_event_id``. Parts of those
cases that concern only the browser (reconnection timing, MIME type checks,
``readyState``) have no parser counterpart and are left out.

The resources, as they behave for the query strings these cases use:

* ``resources/message.py``: the ``message`` parameter (URL-decoded), then
  ``"\\n\\n"`` unless ``newline=none``, then one more ``"\\n"``. The declared
  ``mime`` charset does not change the body's bytes.
* ``resources/last-event-id.py`` (and ``.php``): with a ``Last-Event-ID``
  request header, ``"data: <that id>\\n\\n"``; without one,
  ``"id: <idvalue>\\nretry: 200\\ndata: hello\\n\\n"``, ``idvalue`` defaulting
  to U+2026 HORIZONTAL ELLIPSIS.
* ``resources/last-event-id2.py``: three fixed streams selected by ``type``.
* ``resources/message2.py``: the same block of writes repeated every two
  seconds until the client goes away.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sseproto import Comment, Event

from .helpers import Outcome, bytewise, run

Chunker = Callable[[bytes], list[bytes]]

ELLIPSIS = "\u2026"


def _whole(data: bytes) -> list[bytes]:
    return [data]


@pytest.fixture(params=[_whole, bytewise], ids=["whole", "bytewise"])
def chunk(request: pytest.FixtureRequest) -> Chunker:
    """Splits a stream for feeding: in one piece, or one byte per feed()."""
    chunker: Chunker = request.param
    return chunker


def message_resource(message: bytes, *, newline: bool = True) -> bytes:
    """The body ``resources/message.py`` serves for a given ``message``."""
    return message + (b"\n\n" if newline else b"") + b"\n"


def last_event_id_resource(
    last_event_id: str | None = None, *, idvalue: bytes = ELLIPSIS.encode()
) -> bytes:
    """The body ``resources/last-event-id.py`` serves, given the request's
    ``Last-Event-ID`` header (None when absent) and the ``idvalue`` parameter."""
    if last_event_id:
        return b"data: " + last_event_id.encode() + b"\n\n"
    return b"id: " + idvalue + b"\nretry: 200\ndata: hello\n\n"


# One round of what resources/message2.py writes (it repeats it until disconnected).
MESSAGE2_ROUND = (
    b"data:msg\ndata: msg\n\n:\nfalsefield:msg\n\nfalsefield:msg\nData:data\n\ndata\n\ndata:end\n\n"
)


def _clean(outcome: Outcome) -> Outcome:
    """Checks that the stream raised no limit error, and passes the outcome on."""
    assert outcome.error is None
    return outcome


# -- format-bom ------------------------------------------------------------------


def test_bom_only_first_is_ignored(chunk: Chunker) -> None:
    """format-bom: a BOM starting the stream is ignored; one after a blank line is not."""
    stream = message_resource(b"\xef\xbb\xbfdata:1\n\n\xef\xbb\xbfdata:2\n\ndata:3")
    assert stream == b"\xef\xbb\xbfdata:1\n\n\xef\xbb\xbfdata:2\n\ndata:3\n\n\n"
    outcome = _clean(run(chunk(stream)))
    # The second block's field name is "\ufeffdata", an unknown field.
    assert outcome.items == [Event("message", "1", ""), Event("message", "3", "")]


def test_double_bom_only_first_is_ignored(chunk: Chunker) -> None:
    """format-bom-2: of two BOMs starting the stream only the first is ignored."""
    stream = message_resource(b"\xef\xbb\xbf\xef\xbb\xbfdata:1\n\ndata:2\n\ndata:3")
    outcome = _clean(run(chunk(stream)))
    # The first line's field name is "\ufeffdata", so "1" is never dispatched.
    assert outcome.items == [Event("message", "2", ""), Event("message", "3", "")]


# -- format-comments -------------------------------------------------------------

LONG_COMMENT = b"x" * 2048
COMMENT_FEST = message_resource(
    b"data:1\r:\x00\n:\r\ndata:2\n:"
    + LONG_COMMENT
    + b"\rdata:3\n:data:fail\r:"
    + LONG_COMMENT
    + b"\ndata:4\n",
    newline=False,
)


def test_comments_between_data_lines(chunk: Chunker) -> None:
    """format-comments: comment lines of any content and line ending leave the data intact."""
    outcome = _clean(run(chunk(COMMENT_FEST)))
    assert outcome.items == [Event("message", "1\n2\n3\n4", "")]
    assert outcome.unterminated is False


def test_comments_between_data_lines_reported(chunk: Chunker) -> None:
    """format-comments: with comments=True each comment line comes out, in stream order."""
    outcome = _clean(run(chunk(COMMENT_FEST), comments=True))
    long_text = LONG_COMMENT.decode()
    assert outcome.items == [
        Comment("\x00"),
        Comment(""),
        Comment(long_text),
        Comment("data:fail"),
        Comment(long_text),
        Event("message", "1\n2\n3\n4", ""),
    ]


# -- format-data-before-final-empty-line -----------------------------------------


def test_block_without_final_blank_line_is_discarded(chunk: Chunker) -> None:
    """format-data-before-final-empty-line: a block cut off by the end is dropped, id too."""
    stream = message_resource(b"retry:1000\ndata:test1\n\nid:test\ndata:test2", newline=False)
    assert stream == b"retry:1000\ndata:test1\n\nid:test\ndata:test2\n"
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("message", "test1", "")]
    assert outcome.retry == 1000
    assert outcome.last_event_id == ""
    assert outcome.unterminated is True


def test_block_without_final_blank_line_after_reconnect(chunk: Chunker) -> None:
    """format-data-before-final-empty-line: the reconnection again gives "test1" with id ""."""
    stream = message_resource(b"retry:1000\ndata:test1\n\nid:test\ndata:test2", newline=False)
    first = _clean(run(chunk(stream)))
    second = _clean(run(chunk(stream), last_event_id=first.last_event_id))
    assert second.items == [Event("message", "test1", "")]


# -- format-field-data -----------------------------------------------------------


def test_data_field_parsing(chunk: Chunker) -> None:
    """format-field-data: "data:" gives "", two bare "data" lines give "\\n"."""
    stream = message_resource(b"data:\n\ndata\ndata\n\ndata:test")
    assert stream == b"data:\n\ndata\ndata\n\ndata:test\n\n\n"
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [
        Event("message", "", ""),
        Event("message", "\n", ""),
        Event("message", "test", ""),
    ]


# -- format-field-event / format-field-event-empty -------------------------------


def test_event_field_sets_type_for_one_event(chunk: Chunker) -> None:
    """format-field-event: "event:test" names its event; the next one is "message" again."""
    stream = message_resource(b"event:test\ndata:x\n\ndata:x")
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("test", "x", ""), Event("message", "x", "")]


def test_empty_event_field_gives_message(chunk: Chunker) -> None:
    """format-field-event-empty: "event: " (only the removed space) leaves the type "message"."""
    stream = message_resource(b"event: \ndata:data")
    assert stream == b"event: \ndata:data\n\n\n"
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("message", "data", "")]


# -- format-field-id / format-field-id-2 -----------------------------------------


def test_id_field_sets_last_event_id(chunk: Chunker) -> None:
    """format-field-id: a non-ASCII id ("\u2026") becomes the event's lastEventId."""
    stream = last_event_id_resource()
    assert stream == b"id: \xe2\x80\xa6\nretry: 200\ndata: hello\n\n"
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("message", "hello", ELLIPSIS)]
    assert outcome.last_event_id == ELLIPSIS
    assert outcome.retry == 200
    assert outcome.unterminated is False


def test_id_carries_over_reconnection(chunk: Chunker) -> None:
    """format-field-id: after reconnecting with that id, the echoed data keeps it as lastEventId."""
    first = _clean(run(chunk(last_event_id_resource())))
    second = _clean(
        run(chunk(last_event_id_resource(first.last_event_id)), last_event_id=first.last_event_id)
    )
    assert second.items == [Event("message", ELLIPSIS, ELLIPSIS)]
    assert second.last_event_id == ELLIPSIS


def test_id_carries_over_repeated_reconnections(chunk: Chunker) -> None:
    """format-field-id-2: the id survives two reconnections in a row."""
    outcome = _clean(run(chunk(last_event_id_resource())))
    events = list(outcome.items)
    for _ in range(2):
        outcome = _clean(
            run(
                chunk(last_event_id_resource(outcome.last_event_id)),
                last_event_id=outcome.last_event_id,
            )
        )
        events += outcome.items
    assert events == [
        Event("message", "hello", ELLIPSIS),
        Event("message", ELLIPSIS, ELLIPSIS),
        Event("message", ELLIPSIS, ELLIPSIS),
    ]


# -- format-field-id-3 -----------------------------------------------------------


def test_id_persists(chunk: Chunker) -> None:
    """format-field-id-3 (persists): an id applies to later events that set none."""
    outcome = _clean(run(chunk(b"id: 1\ndata: 1\n\ndata:2\n\n")))
    assert outcome.items == [Event("message", "1", "1"), Event("message", "2", "1")]
    assert outcome.last_event_id == "1"


def test_id_changes_and_persists(chunk: Chunker) -> None:
    """format-field-id-3 (changes and persists): a new id replaces the old one from its event on."""
    outcome = _clean(run(chunk(b"id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n")))
    assert outcome.items == [
        Event("message", "1", "1"),
        Event("message", "2", "2"),
        Event("message", "3", "2"),
    ]
    assert outcome.last_event_id == "2"


def test_id_resets(chunk: Chunker) -> None:
    """format-field-id-3 (resets): an empty "id:" resets the last event ID to ""."""
    outcome = _clean(run(chunk(b"id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n")))
    assert outcome.items == [
        Event("message", "1", "1"),
        Event("message", "2", ""),
        Event("message", "3", ""),
    ]
    assert outcome.last_event_id == ""


# -- format-field-id-null --------------------------------------------------------


def test_id_containing_nul_is_ignored(chunk: Chunker) -> None:
    """format-field-id-null: an id containing NUL is ignored, so lastEventId stays ""."""
    stream = last_event_id_resource(idvalue=b"\x00\x00")
    assert stream == b"id: \x00\x00\nretry: 200\ndata: hello\n\n"
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("message", "hello", "")]
    assert outcome.last_event_id == ""
    assert outcome.retry == 200


def test_id_containing_nul_after_reconnect(chunk: Chunker) -> None:
    """format-field-id-null: the reconnection sends no last event ID and gets "hello" again."""
    first = _clean(run(chunk(last_event_id_resource(idvalue=b"\x00\x00"))))
    stream = last_event_id_resource(first.last_event_id, idvalue=b"\x00\x00")
    second = _clean(run(chunk(stream), last_event_id=first.last_event_id))
    assert second.items == [Event("message", "hello", "")]


# -- format-field-retry / -bogus / -empty ----------------------------------------


def test_retry_is_decimal_with_leading_zero(chunk: Chunker) -> None:
    """format-field-retry: "retry:02000" is 2000 ms (decimal, not octal)."""
    outcome = _clean(run(chunk(message_resource(b"retry:02000\ndata:x"))))
    assert outcome.retry == 2000
    assert outcome.items == [Event("message", "x", "")]


def test_bogus_retry_keeps_previous_value(chunk: Chunker) -> None:
    """format-field-retry-bogus: "retry:1000x" is ignored, so the earlier 2000 stands."""
    stream = message_resource(b"retry:2000\nretry:1000x\ndata:x")
    assert stream == b"retry:2000\nretry:1000x\ndata:x\n\n\n"
    outcome = _clean(run(chunk(stream)))
    assert outcome.retry == 2000
    assert outcome.items == [Event("message", "x", "")]


def test_retry_without_value_is_ignored(chunk: Chunker) -> None:
    """format-field-retry-empty: a bare "retry" line sets nothing and breaks nothing."""
    outcome = _clean(run(chunk(message_resource(b"retry\ndata:test"))))
    assert outcome.retry is None
    assert outcome.items == [Event("message", "test", "")]


# -- format-field-unknown / format-field-parsing ---------------------------------


def test_unknown_fields_are_ignored(chunk: Chunker) -> None:
    """format-field-unknown: unknown fields, " data", bare words and comments are ignored."""
    stream = message_resource(
        b"data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test"
    )
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("message", "test\n\ntest", "")]


def test_field_names_are_exact(chunk: Chunker) -> None:
    """format-field-parsing: only the exact name "data" is data; values keep NUL and spaces."""
    stream = message_resource(
        b"data:\x00\ndata:  2\rData:1\ndata\x00:2\ndata:1\r\x00data:4\n"
        b"da-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n",
        newline=False,
    )
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("message", "\x00\n 2\n1\n3\n\n4", "")]


# -- format-leading-space / format-newlines --------------------------------------


def test_only_a_leading_space_is_removed(chunk: Chunker) -> None:
    """format-leading-space: a leading tab is kept, "data: " gives "", CR ends a line."""
    stream = message_resource(b"data:\ttest\rdata: \ndata:test")
    assert stream == b"data:\ttest\rdata: \ndata:test\n\n\n"
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("message", "\ttest\n\ntest", "")]


def test_crlf_lf_and_cr_line_endings(chunk: Chunker) -> None:
    """format-newlines: CRLF, LF and CR all end lines; a CRLF is one line ending."""
    stream = message_resource(b"data:test\r\ndata\ndata:test\r\n\r", newline=False)
    assert stream == b"data:test\r\ndata\ndata:test\r\n\r\n"
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("message", "test\n\ntest", "")]
    assert outcome.unterminated is False


# -- format-null-character / format-utf-8 ----------------------------------------


def test_nul_in_data_is_kept(chunk: Chunker) -> None:
    """format-null-character: a NUL in a data value is delivered, not an error."""
    stream = message_resource(b"data:\x00\n\n")
    assert stream == b"data:\x00\n\n\n\n\n"
    outcome = _clean(run(chunk(stream)))
    assert outcome.items == [Event("message", "\x00", "")]


def test_stream_is_always_utf8(chunk: Chunker) -> None:
    """format-utf-8: the body is UTF-8 whatever charset was declared, so "ok\u2026" decodes."""
    stream = message_resource(b"data:ok\xe2\x80\xa6")
    outcome = _clean(run(chunk(stream)))
    # Read as windows-1252 these bytes would give "ok\u00e2\u20ac\u00a6".
    assert outcome.items == [Event("message", "ok\u2026", "")]


# -- event-data ------------------------------------------------------------------


def test_lines_and_data_parsing(chunk: Chunker) -> None:
    """event-data: of resources/message2.py's blocks only "msg\\nmsg", "" and "end" dispatch."""
    two_rounds = MESSAGE2_ROUND * 2
    outcome = _clean(run(chunk(two_rounds)))
    expected = [
        Event("message", "msg\nmsg", ""),
        Event("message", "", ""),
        Event("message", "end", ""),
    ]
    assert outcome.items == expected * 2
    assert outcome.unterminated is False
