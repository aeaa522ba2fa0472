"""Unit tests of EventStreamParser, one rule of the WHATWG algorithm each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import sseproto
from sseproto import Comment, Event, EventStreamParser, ParserState

from .helpers import bytewise, run
from .vectors import VECTORS, Vector


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.name)
def test_vector_whole(vector: Vector) -> None:
    """Each shared vector parses to its expected events and state in one feed."""
    outcome = run([vector.stream])
    assert outcome.items == vector.events
    assert outcome.last_event_id == vector.last_event_id
    assert outcome.retry == vector.retry
    assert outcome.unterminated == vector.unterminated
    assert outcome.error is None


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.name)
def test_vector_one_byte_at_a_time(vector: Vector) -> None:
    """Each shared vector gives the same result fed one byte per call."""
    outcome = run(bytewise(vector.stream))
    assert outcome.items == vector.events
    assert outcome.last_event_id == vector.last_event_id
    assert outcome.retry == vector.retry
    assert outcome.unterminated == vector.unterminated


def test_event_is_dispatched_on_its_blank_line() -> None:
    """An event comes out of the feed() that delivers its blank line, not later."""
    parser = EventStreamParser()
    assert parser.feed(b"data: a\n") == []
    assert parser.feed(b"\n") == [Event("message", "a", "")]


def test_cr_at_end_of_feed_dispatches_at_once() -> None:
    """A CR ending a feed ends the line without waiting to see if an LF follows."""
    parser = EventStreamParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"\r") == [Event("message", "a", "")]


def test_crlf_split_across_feeds_is_one_line_ending() -> None:
    """CR at the end of one feed and LF at the start of the next make one line ending."""
    parser = EventStreamParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"\n") == []  # the LF of CRLF, not a blank line
    assert parser.feed(b"data: b\r") == []
    assert parser.feed(b"\n\r\n") == [Event("message", "a\nb", "")]


def test_crlf_split_with_empty_feed_between() -> None:
    """An empty feed between the CR and the LF of a CRLF changes nothing."""
    parser = EventStreamParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"") == []
    assert parser.feed(b"\n") == []
    assert parser.feed(b"\n") == [Event("message", "a", "")]


def test_feed_empty_bytes_is_not_end_of_input() -> None:
    """feed(b"") does nothing: the parser stays open and keeps its partial line."""
    parser = EventStreamParser()
    assert parser.feed(b"data: x") == []
    assert parser.feed(b"") == []
    assert parser.state is ParserState.OPEN
    assert parser.feed(b"\n\n") == [Event("message", "x", "")]


def test_multibyte_character_split_across_feeds() -> None:
    """A UTF-8 character split over three feeds decodes to the one character."""
    encoded = "data: 🎉\n\n".encode()
    parser = EventStreamParser()
    items = []
    for piece in (encoded[:7], encoded[7:9], encoded[9:]):
        items += parser.feed(piece)
    assert items == [Event("message", "🎉", "")]


def test_bom_split_byte_by_byte() -> None:
    """A BOM that arrives one byte per feed is still stripped."""
    assert run(bytewise(b"\xef\xbb\xbfdata: x\n\n")).items == [Event("message", "x", "")]


def test_partial_bom_is_not_stripped() -> None:
    """Two bytes of a BOM followed by something else are not a BOM: the field name
    starts with U+FFFD and is unknown."""
    assert run([b"\xef\xbbdata: x\n\ndata: y\n\n"]).items == [Event("message", "y", "")]


def test_bom_only_at_stream_start_even_after_blank_line() -> None:
    """A BOM after the first line is part of the text (here the field name)."""
    assert run([b"\n\xef\xbb\xbfdata: x\n\ndata: y\n\n"]).items == [Event("message", "y", "")]


def test_comments_returned_when_asked() -> None:
    """comments=True returns each comment line in order with one leading space removed."""
    outcome = run([b": one\n:two\n:  three\n:\ndata: x\n\n"], comments=True)
    assert outcome.items == [
        Comment("one"),
        Comment("two"),
        Comment(" three"),
        Comment(""),
        Event("message", "x", ""),
    ]


def test_comments_not_returned_by_default() -> None:
    """Without comments=True, comment lines produce nothing."""
    assert run([b": keepalive\n\n"]).items == []


def test_retry_applies_as_soon_as_its_line_is_read() -> None:
    """retry is set when its line ends, before any blank line."""
    parser = EventStreamParser()
    parser.feed(b"retry: 2500\n")
    assert parser.retry == 2500


def test_retry_keeps_latest_valid_value() -> None:
    """An invalid retry value leaves the previous valid one in place."""
    parser = EventStreamParser()
    parser.feed(b"retry: 5\nretry: x\n")
    assert parser.retry == 5
    parser.feed(b"retry: 07\n")
    assert parser.retry == 7


@pytest.mark.parametrize("value", ["+5", " 5", "5 ", "1_0", "\u0663", "\uff15", "0x10", "", "-0"])
def test_retry_rejects_what_int_would_accept(value: str) -> None:
    """retry values other than non-empty ASCII digits are ignored."""
    parser = EventStreamParser()
    parser.feed(f"retry: {value}\n".encode())
    assert parser.retry is None


def test_retry_too_many_digits_is_a_clear_error() -> None:
    """A retry value longer than Python converts to int raises LimitExceeded, not ValueError."""
    parser = EventStreamParser()
    with pytest.raises(sseproto.LimitExceeded, match="digits"):
        parser.feed(b"retry: " + b"9" * 5000 + b"\n")


def test_event_id_is_the_buffer_at_dispatch() -> None:
    """ev.id is the last event ID buffer at dispatch, including ids set after data."""
    assert run([b"data: a\nid: 1\n\ndata: b\n\n"]).items == [
        Event("message", "a", "1"),
        Event("message", "b", "1"),
    ]


def test_last_event_id_commits_only_at_blank_line() -> None:
    """last_event_id changes only when the block's blank line arrives."""
    parser = EventStreamParser()
    parser.feed(b"id: 1\n")
    assert parser.last_event_id == ""
    parser.feed(b"\n")
    assert parser.last_event_id == "1"


def test_initial_last_event_id() -> None:
    """A parser resuming a stream starts from the given last event ID."""
    parser = EventStreamParser(last_event_id="41")
    assert parser.last_event_id == "41"
    assert parser.feed(b"data: x\n\n") == [Event("message", "x", "41")]


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b"])
def test_initial_last_event_id_validated(bad: str) -> None:
    """An initial last event ID that no stream could produce is refused."""
    with pytest.raises(ValueError, match="last_event_id"):
        EventStreamParser(last_event_id=bad)


def test_nul_in_id_ignored_wherever_it_is() -> None:
    """An id value with NUL anywhere in it is ignored entirely."""
    for value in (b"\x00", b"x\x00", b"\x00x", b"x\x00x", b" \x00"):
        outcome = run([b"id: ok\n\nid: " + value + b"\ndata: d\n\n"])
        assert outcome.items == [Event("message", "d", "ok")]


def test_field_value_keeps_nul_and_trailing_spaces() -> None:
    """Only one space after the colon is removed; nothing else is trimmed."""
    assert run([b"data: a \x00 \n\n"]).items == [Event("message", "a \x00 ", "")]


def test_event_type_may_be_any_text() -> None:
    """event: takes the value verbatim, including spaces and unicode."""
    outcome = run(["event: tipo ünico \ndata: x\n\n".encode()])
    assert outcome.items == [Event("tipo ünico ", "x", "")]


def test_large_event_parses() -> None:
    """An event of 1 MiB parses with the default limits, in any chunk size."""
    payload = "x" * (1024 * 1024)
    stream = f"data: {payload}\n\n".encode()
    for size in (7, 1024, 65536, len(stream)):
        chunks = [stream[i : i + size] for i in range(0, len(stream), size)]
        assert run(chunks).items == [Event("message", payload, "")]


def test_close_discards_partial_event_and_reports_it() -> None:
    """close() drops an event without its blank line and sets unterminated."""
    parser = EventStreamParser()
    parser.feed(b"data: a\n\ndata: b\n")
    assert parser.close() == []
    assert parser.unterminated is True
    assert parser.state is ParserState.CLOSED


def test_close_clean_stream_is_not_unterminated() -> None:
    """A stream ending right after a blank line is not unterminated."""
    parser = EventStreamParser()
    parser.feed(b"data: a\n\n")
    parser.close()
    assert parser.unterminated is False


def test_close_after_fields_without_data_is_unterminated() -> None:
    """A stream ending after an event: or id: line without blank line is unterminated."""
    for tail in (b"event: x\n", b"id: 3\n", b": comment"):
        parser = EventStreamParser()
        parser.feed(tail)
        parser.close()
        assert parser.unterminated is True, tail


def test_feed_after_close_is_local_error() -> None:
    """feed() after close() raises LocalProtocolError, even with empty bytes."""
    parser = EventStreamParser()
    parser.close()
    with pytest.raises(sseproto.LocalProtocolError):
        parser.feed(b"data: x\n\n")
    with pytest.raises(sseproto.LocalProtocolError):
        parser.feed(b"")


def test_close_twice_is_allowed() -> None:
    """A second close() returns nothing and does not raise."""
    parser = EventStreamParser()
    parser.close()
    assert parser.close() == []


def test_feed_accepts_bytearray_and_memoryview() -> None:
    """Any bytes-like object can be fed."""
    parser = EventStreamParser()
    assert parser.feed(bytearray(b"data: a\n")) == []
    assert parser.feed(memoryview(b"\n")) == [Event("message", "a", "")]


def test_feed_rejects_str() -> None:
    """Feeding text is a TypeError naming the problem."""
    parser = EventStreamParser()
    with pytest.raises(TypeError, match="bytes"):
        parser.feed("data: x\n\n")  # type: ignore[arg-type]


def test_protocol_error_is_abstract() -> None:
    """ProtocolError cannot be raised bare."""
    with pytest.raises(TypeError):
        sseproto.ProtocolError("x")


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10", True])
def test_limits_validated(bad: object) -> None:
    """Limits must be positive ints."""
    with pytest.raises(ValueError, match="positive int"):
        EventStreamParser(max_line_size=bad)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="positive int"):
        EventStreamParser(max_event_size=bad)  # type: ignore[call-overload]


def test_events_are_immutable_values() -> None:
    """Events compare by value and cannot be changed."""
    event = Event("message", "x", "1")
    assert event == Event(type="message", data="x", id="1")
    assert hash(event) == hash(Event("message", "x", "1"))
    with pytest.raises(AttributeError):
        event.data = "y"  # type: ignore[misc]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.name)
def test_iter_items_equals_feed_then_close(vector: Vector) -> None:
    """iter_items() over byte-sized chunks gives exactly what feed() and close() give."""
    parser = EventStreamParser()
    assert list(parser.iter_items(bytewise(vector.stream))) == vector.events
    assert parser.state is ParserState.CLOSED
    assert parser.last_event_id == vector.last_event_id
    assert parser.unterminated == vector.unterminated


def test_iter_items_yields_before_the_input_ends() -> None:
    """Items come out as soon as their chunk is read, not at the end."""
    parser = EventStreamParser()
    seen = []

    def chunks() -> Iterator[bytes]:
        yield b"data: a\n\n"
        seen.append("second chunk read")
        yield b"data: b\n\n"

    items = parser.iter_items(chunks())
    assert next(items) == Event("message", "a", "")
    assert seen == []
    assert list(items) == [Event("message", "b", "")]


def test_iter_items_enforces_the_line_limit() -> None:
    """A line that never ends fails in iter_items() as in feed()."""
    parser = EventStreamParser(max_line_size=64)
    with pytest.raises(sseproto.LineTooLong):
        list(parser.iter_items([b"data: "] + [b"x" * 7] * 20))
