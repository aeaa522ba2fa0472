"""Size limits: exact, chunking-independent, and with bounded memory."""

from __future__ import annotations

import tracemalloc

import pytest

import sseproto
from sseproto import Event, EventStreamParser, ParserState

from .helpers import bytewise, run


def test_line_at_limit_is_accepted() -> None:
    """A line of exactly max_line_size bytes is fine; one more byte is not."""
    ok = b"data: " + b"x" * 4 + b"\n\n"  # first line is 10 bytes
    assert run([ok], max_line_size=10).items == [Event("message", "xxxx", "")]
    assert run([ok.replace(b"xxxx", b"xxxxx")], max_line_size=10).error is sseproto.LineTooLong


def test_line_limit_counts_bytes_not_characters() -> None:
    """max_line_size is in bytes: a 3-byte character counts three."""
    line = "data:€€".encode()  # 11 bytes, 7 characters
    assert run([line + b"\n\n"], max_line_size=11).error is None
    assert run([line + b"\n\n"], max_line_size=10).error is sseproto.LineTooLong


def test_line_limit_same_in_any_chunking() -> None:
    """The same stream hits the line limit at the same place whole or byte by byte."""
    stream = b"data: a\n\ndata: " + b"y" * 40 + b"\n\ndata: b\n\n"
    whole = run([stream], max_line_size=32)
    assert whole.items == [Event("message", "a", "")]
    assert whole.error is sseproto.LineTooLong
    assert run(bytewise(stream), max_line_size=32) == whole


def test_unterminated_long_line_fails_before_it_ends() -> None:
    """A line that never ends fails as soon as it passes the limit."""
    parser = EventStreamParser(max_line_size=100)
    parser.feed(b"data: " + b"z" * 90)
    with pytest.raises(sseproto.LineTooLong) as info:
        parser.feed(b"z" * 10)
    assert info.value.limit == "max_line_size"
    assert info.value.value == 100
    assert "max_line_size=100" in str(info.value)
    assert parser.state is ParserState.ERROR


def test_error_is_deferred_when_items_completed() -> None:
    """A feed that completes events and then breaks a limit returns the events first."""
    parser = EventStreamParser(max_line_size=16)
    items = parser.feed(b"data: a\n\ndata: b\n\n" + b"q" * 50)
    assert items == [Event("message", "a", ""), Event("message", "b", "")]
    assert parser.state is ParserState.ERROR
    assert isinstance(parser.error, sseproto.LineTooLong)
    with pytest.raises(sseproto.LineTooLong):
        parser.close()


def test_error_state_is_terminal() -> None:
    """After a limit error every call raises the same error type."""
    parser = EventStreamParser(max_line_size=4)
    with pytest.raises(sseproto.LineTooLong):
        parser.feed(b"data: long\n")
    for _ in range(2):
        with pytest.raises(sseproto.LineTooLong):
            parser.feed(b"data: x\n\n")
        with pytest.raises(sseproto.LineTooLong):
            parser.close()


def test_event_limit_counts_data_buffer() -> None:
    """max_event_size bounds the data buffer: values plus one LF per data line."""
    # data buffer "ab\ncd\n" has 6 characters
    stream = b"data: ab\ndata: cd\n\n"
    assert run([stream], max_event_size=6).items == [Event("message", "ab\ncd", "")]
    assert run([stream], max_event_size=5).error is sseproto.EventTooLarge


def test_event_limit_counts_empty_data_lines() -> None:
    """A flood of empty data lines is bounded by max_event_size too."""
    outcome = run([b"data\n" * 1000], max_event_size=500)
    assert outcome.error is sseproto.EventTooLarge


def test_event_limit_same_in_any_chunking() -> None:
    """Items before an oversized event are the same whole and byte by byte, comments included."""
    stream = b": c1\ndata: ok\n\n: c2\ndata: 0123456789\ndata: 0123456789\n: c3\n\n"
    whole = run([stream], max_event_size=16, comments=True)
    assert whole.items == [
        sseproto.Comment("c1"),
        Event("message", "ok", ""),
        sseproto.Comment("c2"),
    ]
    assert whole.error is sseproto.EventTooLarge
    assert run(bytewise(stream), max_event_size=16, comments=True) == whole


def test_never_ending_line_memory_is_bounded() -> None:
    """A 64 MiB line without a line ending fails with bounded memory (default limits)."""
    chunk = b"data: " + b"a" * (65536 - 6)
    rest = b"a" * 65536
    limit = sseproto.DEFAULT_MAX_LINE_SIZE
    parser = EventStreamParser()
    sent = 0
    tracemalloc.start()
    try:
        with pytest.raises(sseproto.LineTooLong):  # noqa: PT012 - the loop is the input
            parser.feed(chunk)
            sent += len(chunk)
            while sent < 64 * 1024 * 1024:
                parser.feed(rest)
                sent += len(rest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"peak {peak / 2**20:.1f} MiB for a {limit / 2**20:.0f} MiB limit")
    assert sent <= limit  # it failed by the time the limit was crossed
    # The buffer grows geometrically, so allow its slack; far below the 64 MiB sent.
    assert peak < 1.5 * limit, peak


def test_many_data_lines_do_not_cost_a_list_slot_each() -> None:
    """An open event with many short data lines is stored compactly between feeds."""
    parser = EventStreamParser()
    for _ in range(200):
        parser.feed(b"data: x\n" * 50)
    more = parser._spec[1]
    assert more is not None
    assert len(more) < 300  # folded, not 10,000 entries
    assert parser.feed(b"\n") == [Event("message", "\n".join(["x"] * 10000), "")]
