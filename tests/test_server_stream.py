"""ServerStream and ServerEvent: the transition table, framing round trips,
replay, keepalives and the slow-client policies."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sseproto
from sseproto import (
    SSE_HEADERS,
    Comment,
    Event,
    EventHistory,
    LocalProtocolError,
    Resume,
    ServerEvent,
    ServerStream,
    SlowClientPolicy,
    StreamState,
)
from sseproto._source import _TRANSITIONS, _Input

from .source_helpers import (
    LINE_ENDINGS,
    Model,
    Operation,
    apply,
    ids,
    operations,
    parse,
    parse_httpx_sse,
    parse_sseclient,
    retries,
    take,
    texts,
    types,
)

IDLE, OPEN, CLOSED, DROPPED = (
    StreamState.IDLE,
    StreamState.OPEN,
    StreamState.CLOSED,
    StreamState.DROPPED,
)


# -- the transition table ---------------------------------------------------------------


def _in_state(state: StreamState) -> ServerStream:
    stream = ServerStream(max_pending=10)
    if state is IDLE:
        return stream
    stream.start(0.0)
    if state is CLOSED:
        stream.close()
    elif state is DROPPED:
        stream.send("x" * 20)
    assert stream.state is state
    return stream


INPUTS: dict[_Input, list[Callable[[ServerStream], object]]] = {
    _Input.START: [lambda s: s.start(1.0)],
    _Input.SEND: [
        lambda s: s.send("a"),
        lambda s: s.send_event(ServerEvent("a")),
        lambda s: s.send_frame(b"data: a\n\n"),
        lambda s: s.comment("c"),
    ],
    _Input.TICK: [lambda s: s.tick(100.0)],
    _Input.CLOSE: [lambda s: s.close()],
}
PAIRS = [
    (state, event, call)
    for state in StreamState
    for event, calls in INPUTS.items()
    for call in calls
]


@pytest.mark.parametrize(("state", "event", "call"), PAIRS)
def test_every_state_and_input(
    state: StreamState, event: _Input, call: Callable[[ServerStream], object]
) -> None:
    """Each (state, input) in the table moves as the table says; any other raises
    LocalProtocolError and leaves IDLE/OPEN as CLOSED, CLOSED/DROPPED as they were."""
    stream = _in_state(state)
    if (state, event) in _TRANSITIONS:
        call(stream)
        assert stream.state is _TRANSITIONS[state, event]
    else:
        with pytest.raises(LocalProtocolError, match="not allowed"):
            call(stream)
        assert stream.state is (CLOSED if state in (IDLE, OPEN) else state)


def test_the_table_covers_what_the_docstring_draws() -> None:
    """The table has exactly the nine rows the module docstring draws."""
    assert len(_TRANSITIONS) == 9
    assert _TRANSITIONS[OPEN, _Input.SEND] is OPEN  # the one row send() inlines


@given(st.lists(st.sampled_from([*INPUTS]), max_size=12))
def test_any_sequence_of_inputs_follows_the_table(events: list[_Input]) -> None:
    """Over any sequence of inputs the state is the table's (misuse: CLOSED or kept)."""
    stream = ServerStream()
    state = IDLE
    for event in events:
        expected = _TRANSITIONS.get((state, event))
        if expected is None:
            with pytest.raises(LocalProtocolError):
                INPUTS[event][0](stream)
            expected = CLOSED if state in (IDLE, OPEN) else state
        else:
            INPUTS[event][0](stream)
        assert stream.state is expected
        state = expected


def test_misuse_while_open_keeps_queued_bytes() -> None:
    """A second start() closes the stream, but what was queued still goes out."""
    stream = ServerStream()
    stream.start(0.0)
    stream.send("kept")
    with pytest.raises(LocalProtocolError):
        stream.start(1.0)
    assert stream.state is CLOSED
    assert stream.data_to_send() == b"data: kept\n\n"


def test_bad_event_fields_change_nothing() -> None:
    """A field the encoder refuses raises without moving the stream."""
    stream = ServerStream()
    stream.start(0.0)
    with pytest.raises(LocalProtocolError):
        stream.send("x", id="a\nb")
    with pytest.raises(LocalProtocolError):
        stream.comment("a\rb")
    with pytest.raises(LocalProtocolError):
        stream.send_frame("data: x\n\n")  # type: ignore[arg-type]
    assert stream.state is OPEN
    assert stream.pending == 0


# -- ServerEvent --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"data": "x", "type": "a\nb"},
        {"data": "x", "type": ""},
        {"data": "x", "id": "a\rb"},
        {"data": "x", "id": "a\0b"},
        {"data": "x", "retry": -1},
        {"data": "\ud800"},
        {"data": 5},
    ],
)
def test_server_event_is_checked_when_built(fields: dict[str, object]) -> None:
    """A ServerEvent that encode_event would refuse cannot be built."""
    with pytest.raises(LocalProtocolError):
        ServerEvent(**fields)  # type: ignore[arg-type]


@given(texts, types, ids, retries, st.sampled_from(LINE_ENDINGS))
def test_server_event_encodes_as_encode_event(
    data: str, type: str | None, id: str | None, retry: int | None, line_ending: str
) -> None:
    """ServerEvent.encode(le) is encode_event(..., line_ending=le)."""
    expected = sseproto.encode_event(data, type=type, id=id, retry=retry, line_ending=line_ending)
    assert ServerEvent(data, type, id, retry).encode(line_ending) == expected


def test_server_event_has_exactly_its_four_fields() -> None:
    """fields() and asdict() show data, type, id and retry, nothing hidden."""
    event = ServerEvent("a", type="t", id="1", retry=5)
    assert dataclasses.asdict(event) == {"data": "a", "type": "t", "id": "1", "retry": 5}
    assert dataclasses.replace(event, data="b").encode() == sseproto.encode_event(
        "b", type="t", id="1", retry=5
    )


def test_server_event_is_a_frozen_value() -> None:
    """Equal fields make equal events; fields cannot be set."""
    assert ServerEvent("a", id="1") == ServerEvent("a", id="1")
    assert repr(ServerEvent("a")) == "ServerEvent(data='a', type=None, id=None, retry=None)"
    with pytest.raises(AttributeError):
        ServerEvent("a").data = "b"  # type: ignore[misc]


# -- framing round trips -------------------------------------------------------------------


@given(
    ops=operations,
    line_ending=st.sampled_from(LINE_ENDINGS),
    retry=retries,
    sizes=st.lists(st.integers(1, 9), max_size=30),
    cuts=st.lists(st.integers(0, 400), max_size=6),
)
@settings(max_examples=300)
def test_everything_sent_parses_back(
    ops: list[Operation],
    line_ending: str,
    retry: int | None,
    sizes: list[int],
    cuts: list[int],
) -> None:
    """Any sends, comments and ticks, taken out in any sizes and fed in any
    pieces, parse back to exactly what was sent (data, type, id, retry, comments)."""
    stream = ServerStream(retry=retry, keepalive=5.0, line_ending=line_ending)
    model = Model(retry=retry)
    assert stream.start(0.0) is Resume.FRESH
    apply(stream, ops, model, 0.0)
    wire = take(stream, sizes)
    items, parser = parse(wire, cuts)
    assert items == model.items
    assert parser.last_event_id == model.last_id == stream.last_event_id
    assert parser.retry == model.retry
    assert parser.unterminated is False
    # Every line ends with the chosen ending, and only with it.
    lone_cr = wire.count(b"\r") - wire.count(b"\r\n")
    lone_lf = wire.count(b"\n") - wire.count(b"\r\n")
    assert [wire.count(b"\r\n") > 0, lone_cr > 0, lone_lf > 0] == [
        line_ending == "\r\n" and bool(wire),
        line_ending == "\r" and bool(wire),
        line_ending == "\n" and bool(wire),
    ]


@pytest.mark.parametrize("line_ending", LINE_ENDINGS)
@given(
    ops=operations,
    piece=st.integers(1, 7),
)
@settings(max_examples=40)
def test_httpx_sse_reads_what_was_sent(line_ending: str, ops: list[Operation], piece: int) -> None:
    """httpx-sse's decoder, fed the stream in small pieces, reads the same events."""
    pytest.importorskip("httpx_sse")
    stream = ServerStream(line_ending=line_ending, keepalive=5.0)
    model = Model()
    stream.start(0.0)
    apply(stream, ops, model, 0.0)
    found = parse_httpx_sse(take(stream, []), piece)
    expected = [item for item in model.items if isinstance(item, Event)]
    assert [(t or "message", d, i) for t, d, i, _ in found] == [
        (e.type, e.data, e.id) for e in expected
    ]


@pytest.mark.parametrize("line_ending", LINE_ENDINGS)
@given(
    events=st.lists(st.tuples(texts, types, ids), max_size=6),
    piece=st.integers(1, 7),
)
@settings(max_examples=40)
def test_sseclient_reads_what_was_sent(
    line_ending: str, events: list[tuple[str, str | None, str | None]], piece: int
) -> None:
    """sseclient-py, fed the stream in small pieces, reads the same events
    (it keeps no last event ID across events: each has its own id or None)."""
    pytest.importorskip("sseclient")
    stream = ServerStream(line_ending=line_ending)
    stream.start(0.0)
    for data, type, id in events:
        stream.send(data, type=type, id=id)
        stream.comment("between")
    found = parse_sseclient(stream.data_to_send(), piece)
    normalized = [d.replace("\r\n", "\n").replace("\r", "\n") for d, _, _ in events]
    assert found == [
        (t or "message", n, i) for (_, t, i), n in zip(events, normalized, strict=True)
    ]


def test_data_to_send_hands_out_frames_in_pieces() -> None:
    """max_bytes cuts anywhere, frames included; the rest follows in order."""
    stream = ServerStream()
    stream.start(0.0)
    stream.send("abc", id="1")
    stream.send("de")
    assert stream.pending == 27
    assert stream.data_to_send(4) == b"id: "
    assert stream.data_to_send(12) == b"1\ndata: abc\n"
    assert stream.data_to_send(3) == b"\nda"
    assert stream.pending == 8
    assert stream.data_to_send() == b"ta: de\n\n"
    assert stream.data_to_send() == b""
    assert stream.data_to_send(5) == b""


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_data_to_send_refuses_a_bad_size(bad: object) -> None:
    """max_bytes must be None or an int >= 1."""
    stream = ServerStream()
    stream.start(0.0)
    with pytest.raises(ValueError, match="max_bytes"):
        stream.data_to_send(bad)  # type: ignore[arg-type]


def test_headers_and_retry_hint() -> None:
    """headers are SSE_HEADERS; start() queues the retry hint first."""
    stream = ServerStream(retry=2500, line_ending="\r\n")
    assert stream.headers == SSE_HEADERS
    assert dict(SSE_HEADERS)["Content-Type"] == "text/event-stream; charset=utf-8"
    stream.start(0.0)
    assert stream.data_to_send() == b"retry: 2500\r\n"


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"line_ending": "\n\n"}, LocalProtocolError),
        ({"retry": -5}, LocalProtocolError),
        ({"keepalive_text": "a\nb"}, LocalProtocolError),
        ({"last_event_id": 5}, LocalProtocolError),
        ({"keepalive": 0}, ValueError),
        ({"keepalive": float("inf")}, ValueError),
        ({"keepalive": True}, ValueError),
        ({"max_pending": -1}, ValueError),
        ({"history": {}}, TypeError),
        ({"slow_client": "drop"}, TypeError),
    ],
)
def test_constructor_checks_its_arguments(arguments: dict[str, object], error: type) -> None:
    """Each bad argument raises the documented error."""
    with pytest.raises(error):
        ServerStream(**arguments)  # type: ignore[arg-type]


# -- replay ---------------------------------------------------------------------------------


def _history(count: int, **bounds: int) -> EventHistory:
    history = EventHistory(**bounds)
    for n in range(1, count + 1):
        history.append(str(n), sseproto.encode_event(f"e{n}", id=str(n)))
    return history


@given(
    count=st.integers(0, 12),
    max_events=st.integers(1, 8),
    asked=st.one_of(st.none(), st.integers(0, 14).map(str)),
    sizes=st.lists(st.integers(1, 9), max_size=10),
)
def test_replay_gives_exactly_the_events_after_the_id(
    count: int, max_events: int, asked: str | None, sizes: list[int]
) -> None:
    """After any Last-Event-ID a client gets exactly the kept events after it;
    an ID no longer (or never) kept replays nothing."""
    history = _history(count, max_events=max_events)
    kept = list(range(max(1, count - max_events + 1), count + 1))
    stream = ServerStream(last_event_id=asked, history=history)
    resume = stream.start(0.0)
    items, _ = parse(take(stream, sizes))
    if asked is None:
        assert resume is Resume.FRESH
        expected: list[int] = []
    elif int(asked) in kept:
        assert resume is Resume.REPLAYED
        expected = [n for n in kept if n > int(asked)]
    else:
        assert resume is Resume.UNKNOWN
        expected = []
    assert items == [Event("message", f"e{n}", str(n)) for n in expected]
    assert stream.replayed == len(expected)
    assert stream.last_event_id == (str(expected[-1]) if expected else asked or "")


def test_replay_of_the_newest_id_is_empty_but_replayed() -> None:
    """Resuming from the newest event replays nothing and says REPLAYED."""
    stream = ServerStream(last_event_id="3", history=_history(3))
    assert stream.start(0.0) is Resume.REPLAYED
    assert (stream.replayed, stream.pending, stream.last_event_id) == (0, 0, "3")


def test_resume_remembers_what_start_found() -> None:
    """stream.resume is None before start() and its result after."""
    stream = ServerStream(last_event_id="9", history=_history(2))
    assert stream.resume is None
    assert stream.start(0.0) is stream.resume is Resume.UNKNOWN


def test_an_id_without_a_history_is_unknown() -> None:
    """With no history any Last-Event-ID is UNKNOWN; an empty one is FRESH."""
    assert ServerStream(last_event_id="7").start(0.0) is Resume.UNKNOWN
    assert ServerStream(last_event_id="").start(0.0) is Resume.FRESH


def test_retry_hint_comes_before_the_replay() -> None:
    """start() queues the retry hint, then the replayed frames."""
    stream = ServerStream(last_event_id="1", history=_history(2), retry=10)
    stream.start(0.0)
    assert stream.data_to_send() == b"retry: 10\nid: 2\ndata: e2\n\n"


# -- keepalive schedule ---------------------------------------------------------------------


def test_keepalive_schedule_is_exact() -> None:
    """Deadlines as numbers: silence for a whole interval queues a comment;
    bytes queued since the last tick restart the interval from that tick."""
    stream = ServerStream(keepalive=5.0, keepalive_text="ping")
    assert stream.next_deadline() is None  # not started
    stream.start(100.0)
    assert stream.next_deadline() == 105.0
    assert stream.tick(104.9) is False
    assert stream.next_deadline() == 105.0
    assert stream.tick(105.0) is True
    assert stream.data_to_send() == b": ping\n"
    assert stream.next_deadline() == 110.0
    stream.send("x")
    assert stream.tick(107.0) is False  # activity: restart from 107
    assert stream.next_deadline() == 112.0
    assert stream.tick(111.0) is False
    assert stream.tick(113.5) is True  # late tick: the next one counts from it
    assert stream.next_deadline() == 118.5
    stream.close()
    assert stream.next_deadline() is None
    assert stream.tick(200.0) is False


def test_keepalive_off() -> None:
    """keepalive=None: no deadline, tick() never queues anything."""
    stream = ServerStream(keepalive=None)
    stream.start(0.0)
    assert stream.next_deadline() is None
    assert stream.tick(1e9) is False
    assert stream.pending == 0


def test_replay_counts_as_activity() -> None:
    """Replayed bytes restart the interval like any other bytes."""
    stream = ServerStream(last_event_id="1", history=_history(2), keepalive=5.0)
    stream.start(0.0)
    assert stream.tick(5.0) is False
    assert stream.next_deadline() == 10.0


# -- slow clients ---------------------------------------------------------------------------


def test_drop_ends_the_stream_and_clears_the_queue() -> None:
    """DROP: once pending exceeds max_pending the stream is DROPPED, nothing
    more goes out, and sending raises."""
    stream = ServerStream(max_pending=20, slow_client=SlowClientPolicy.DROP)
    stream.start(0.0)
    stream.send("12345678")  # 16 bytes
    assert stream.state is OPEN
    stream.send("x")  # 9 more: 25 > 20
    assert stream.state is DROPPED
    assert (stream.pending, stream.data_to_send(), stream.next_deadline()) == (0, b"", None)
    with pytest.raises(LocalProtocolError):
        stream.send("y")
    assert stream.state is DROPPED


def test_drop_exactly_at_the_limit_is_not_a_drop() -> None:
    """pending == max_pending is allowed; one byte more is not."""
    stream = ServerStream(max_pending=16)
    stream.start(0.0)
    stream.send("12345678")
    assert (stream.state, stream.pending) == (OPEN, 16)


def test_drop_applies_to_a_keepalive_too() -> None:
    """A keepalive that pushes pending over the limit drops the stream."""
    stream = ServerStream(max_pending=10, keepalive=1.0)
    stream.start(0.0)
    stream.send_frame(b"0123456789")
    stream.tick(0.5)  # activity: restart
    assert stream.tick(1.5) is True
    assert stream.state is DROPPED


def test_skip_keeps_the_newest_and_a_partly_taken_frame() -> None:
    """SKIP: whole untaken frames are discarded but the newest; a frame partly
    handed out is never discarded; skipped counts what went; the last event
    ID is what the kept frames leave the client with."""
    stream = ServerStream(max_pending=30, slow_client=SlowClientPolicy.SKIP)
    stream.start(0.0)
    stream.send("a", id="1")  # 15 bytes
    assert stream.data_to_send(4) == b"id: "
    stream.send("b", id="2")  # pending 11 + 15 = 26
    stream.send("c")  # 26 + 9 = 35 > 30: "b" goes
    assert (stream.state, stream.skipped) == (OPEN, 1)
    assert stream.last_event_id == "1"
    assert stream.data_to_send() == b"1\ndata: a\n\ndata: c\n\n"
    items, _ = parse(b"id: 1\ndata: a\n\ndata: c\n\n")
    assert items == [Event("message", "a", "1"), Event("message", "c", "1")]


def test_skip_with_one_big_frame_keeps_it() -> None:
    """SKIP cannot discard the newest frame: pending stays over the limit."""
    stream = ServerStream(max_pending=4, slow_client=SlowClientPolicy.SKIP)
    stream.start(0.0)
    stream.send("long enough")
    assert (stream.state, stream.skipped, stream.pending) == (OPEN, 0, 19)


def test_skip_last_event_id_falls_back_to_what_was_handed_out() -> None:
    """When no kept frame has an ID, the last event ID is the one handed out already."""
    stream = ServerStream(max_pending=20, slow_client=SlowClientPolicy.SKIP)
    stream.start(0.0)
    stream.send("a", id="1")
    stream.data_to_send()
    stream.send("b", id="2")
    stream.send("c")
    assert (stream.skipped, stream.last_event_id) == (1, "1")


@given(
    steps=st.lists(
        st.one_of(st.integers(1, 12), st.text(alphabet="ab", min_size=1, max_size=12)),
        max_size=30,
    ),
    max_pending=st.integers(0, 40),
)
def test_skip_never_breaks_a_frame(steps: list[int | str], max_pending: int) -> None:
    """Whatever SKIP discards, the client parses a subsequence of the events
    sent, each whole, with the newest one always last."""
    stream = ServerStream(max_pending=max_pending, slow_client=SlowClientPolicy.SKIP)
    stream.start(0.0)
    wire = bytearray()
    sent: list[str] = []
    for step in steps:
        if isinstance(step, int):
            wire += stream.data_to_send(step)
        else:
            data = f"{len(sent)}{step}"
            stream.send(data, id=str(len(sent)))
            sent.append(data)
    wire += stream.data_to_send()
    items, parser = parse(bytes(wire))
    got = [item.data for item in items if isinstance(item, Event)]
    assert all(isinstance(item, Event) for item in items)
    positions = [sent.index(data) for data in got]
    assert positions == sorted(set(positions))
    assert len(sent) - len(got) == stream.skipped
    if sent:
        assert got[-1] == sent[-1]
    assert parser.last_event_id == stream.last_event_id


def test_comments_are_not_events() -> None:
    """comment() gives Comment items only to a parser that asks for them."""
    stream = ServerStream()
    stream.start(0.0)
    stream.comment("hello")
    items, _ = parse(stream.data_to_send())
    assert items == [Comment("hello")]
