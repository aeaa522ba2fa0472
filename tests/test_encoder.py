"""Unit tests of the encoder: exact bytes, and refusal of what cannot round-trip."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import sseproto
from sseproto import Event, EventStreamParser


def test_minimal_event() -> None:
    """Data only: one data line and the blank line."""
    assert sseproto.encode_event("hi") == b"data: hi\n\n"


def test_all_fields_in_order() -> None:
    """event, id and retry come before the data lines."""
    wire = sseproto.encode_event("x", type="t", id="7", retry=1000)
    assert wire == b"event: t\nid: 7\nretry: 1000\ndata: x\n\n"


def test_message_type_is_not_sent() -> None:
    """type="message" is the default and sends no event field."""
    assert sseproto.encode_event("x", type="message") == b"data: x\n\n"


def test_empty_id_resets() -> None:
    """id="" sends an id field with an empty value, which resets the last event ID."""
    wire = sseproto.encode_event("a", id="1") + sseproto.encode_event("b", id="")
    assert EventStreamParser().feed(wire) == [Event("message", "a", "1"), Event("message", "b", "")]


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        ("a\nb", [b"a", b"b"]),
        ("a\r\nb", [b"a", b"b"]),
        ("a\rb", [b"a", b"b"]),
        ("", [b""]),
        ("\n", [b"", b""]),
        ("a\u2028b", ["a\u2028b".encode()]),
    ],
)
def test_data_line_breaks_become_data_lines(data: str, lines: list[bytes]) -> None:
    """CR, LF and CRLF in data start new data lines; other separators are data."""
    expected = b"".join(b"data: " + line + b"\n" for line in lines) + b"\n"
    assert sseproto.encode_event(data) == expected


def test_leading_space_in_value_survives() -> None:
    """A value starting with a space keeps it through a round trip."""
    wire = sseproto.encode_event(" x", type=" t", id=" 1")
    assert EventStreamParser().feed(wire) == [Event(" t", " x", " 1")]


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "\r\n"])
def test_type_with_line_break_refused(bad: str) -> None:
    """A type with CR or LF would change meaning on the wire: refused."""
    with pytest.raises(sseproto.LocalProtocolError, match="type"):
        sseproto.encode_event("x", type=bad)


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b"])
def test_bad_id_refused(bad: str) -> None:
    """An id with CR, LF or NUL is refused (the parser would split or ignore it)."""
    with pytest.raises(sseproto.LocalProtocolError, match="id"):
        sseproto.encode_event("x", id=bad)


def test_empty_type_refused() -> None:
    """An empty type would parse back as "message": refused rather than changed."""
    with pytest.raises(sseproto.LocalProtocolError):
        sseproto.encode_event("x", type="")


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True])
def test_bad_retry_refused(bad: object) -> None:
    """retry must be a non-negative int."""
    with pytest.raises(sseproto.LocalProtocolError, match="retry"):
        sseproto.encode_retry(bad)  # type: ignore[arg-type]


def test_retry_too_many_digits_refused() -> None:
    """A retry with more digits than Python converts is refused, not a ValueError."""
    with pytest.raises(sseproto.LocalProtocolError, match="digits"):
        sseproto.encode_event("x", retry=10**5000)


@pytest.mark.parametrize(
    "encode",
    [
        lambda: sseproto.encode_event("\ud800"),
        lambda: sseproto.encode_event("x", type="\udc00"),
        lambda: sseproto.encode_event("x", id="\udfff"),
        lambda: sseproto.encode_comment("\ud800"),
    ],
    ids=["data", "type", "id", "comment"],
)
def test_lone_surrogate_refused(encode: Callable[[], bytes]) -> None:
    """A lone surrogate has no UTF-8 form: LocalProtocolError, not UnicodeEncodeError."""
    with pytest.raises(sseproto.LocalProtocolError, match="UTF-8"):
        encode()


def test_non_str_data_refused() -> None:
    """Data must be text."""
    with pytest.raises(sseproto.LocalProtocolError, match="str"):
        sseproto.encode_event(b"x")  # type: ignore[arg-type]


def test_comment() -> None:
    """A comment is one line starting with a colon and a space."""
    assert sseproto.encode_comment("ping") == b": ping\n"
    assert sseproto.encode_comment() == b": \n"
    with pytest.raises(sseproto.LocalProtocolError):
        sseproto.encode_comment("a\nb")


@pytest.mark.parametrize("line_ending", ["\n", "\r\n", "\r"])
def test_line_ending_ends_every_line(line_ending: str) -> None:
    """line_ending ends every line written, the dispatching blank line included."""
    end = line_ending.encode()
    wire = sseproto.encode_event("a\nb", type="t", id="1", retry=5, line_ending=line_ending)
    assert wire == b"event: t" + end + b"id: 1" + end + b"retry: 5" + end + b"data: a" + end + (
        b"data: b" + end + end
    )
    assert sseproto.encode_comment("c", line_ending=line_ending) == b": c" + end
    assert sseproto.encode_retry(7, line_ending=line_ending) == b"retry: 7" + end


@pytest.mark.parametrize("bad", ["", "\n\n", "\r\r", " ", "\x85", None, b"\n"])
def test_other_line_endings_are_refused(bad: object) -> None:
    """Only LF, CRLF and CR are line endings; anything else is LocalProtocolError."""
    with pytest.raises(sseproto.LocalProtocolError, match="line_ending"):
        sseproto.encode_event("x", line_ending=bad)  # type: ignore[arg-type]
    with pytest.raises(sseproto.LocalProtocolError, match="line_ending"):
        sseproto.encode_comment("x", line_ending=bad)  # type: ignore[arg-type]
    with pytest.raises(sseproto.LocalProtocolError, match="line_ending"):
        sseproto.encode_retry(1, line_ending=bad)  # type: ignore[arg-type]
