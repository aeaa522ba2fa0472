"""Hub: one encode per event, auto IDs, history, per-subscriber slow-client policy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sseproto
from sseproto import (
    Event,
    EventHistory,
    Hub,
    LocalProtocolError,
    Resume,
    SlowClientPolicy,
    StreamState,
)

from .source_helpers import LINE_ENDINGS, parse, parse_httpx_sse


def test_publish_reaches_every_subscriber_with_the_same_bytes() -> None:
    """One encode: every subscriber queues the very same bytes object."""
    hub = Hub()
    streams = [hub.subscribe(now=0.0) for _ in range(3)]
    assert hub.publish("hi", type="greet") is None
    frames = [stream._queue[0][0] for stream in streams]
    assert frames[0] == b"event: greet\ndata: hi\n\n"
    assert all(frame is frames[0] for frame in frames)
    assert hub.subscribers == 3


def test_ids_are_counted_with_a_history() -> None:
    """With a history, id=None gets "1", "2", ...; a given id is used as is
    and does not move the counter."""
    history = EventHistory()
    hub = Hub(history=history)
    stream = hub.subscribe(now=0.0)
    assert [hub.publish("a"), hub.publish("b", id="x"), hub.publish("c")] == ["1", "x", "2"]
    items, _ = parse(stream.data_to_send())
    assert items == [
        Event("message", "a", "1"),
        Event("message", "b", "x"),
        Event("message", "c", "2"),
    ]
    assert (len(history), history.newest_id, stream.last_event_id) == (3, "2", "2")


def test_no_history_no_ids() -> None:
    """Without a history, id=None sends no id field."""
    hub = Hub()
    stream = hub.subscribe(now=0.0)
    hub.publish("a")
    assert stream.data_to_send() == b"data: a\n\n"


def test_empty_id_with_a_history_is_refused() -> None:
    """id="" cannot be resumed from: refused, nothing sent, counter unmoved."""
    hub = Hub(history=EventHistory())
    stream = hub.subscribe(now=0.0)
    with pytest.raises(LocalProtocolError):
        hub.publish("a", id="")
    assert stream.pending == 0
    assert hub.publish("b") == "1"


def test_refused_event_sends_nothing() -> None:
    """A field the encoder refuses raises before anything is queued or recorded."""
    history = EventHistory()
    hub = Hub(history=history)
    stream = hub.subscribe(now=0.0)
    with pytest.raises(LocalProtocolError):
        hub.publish("a", type="x\ny")
    assert (stream.pending, len(history), hub.publish("b")) == (0, 0, "1")


@given(published=st.integers(0, 10), asked=st.one_of(st.none(), st.integers(0, 12)))
def test_subscribe_replays_from_last_event_id(published: int, asked: int | None) -> None:
    """A late subscriber with a Last-Event-ID gets exactly the kept events after it."""
    hub = Hub(history=EventHistory(max_events=5))
    for n in range(published):
        hub.publish(f"e{n + 1}")
    stream = hub.subscribe(last_event_id=None if asked is None else str(asked), now=0.0)
    items, _ = parse(stream.data_to_send())
    kept = range(max(1, published - 4), published + 1)
    expected = [n for n in kept if asked is not None and asked in kept and n > asked]
    assert items == [Event("message", f"e{n}", str(n)) for n in expected]
    assert stream.replayed == len(expected)
    if asked is None:
        assert stream.resume is Resume.FRESH
    else:
        assert stream.resume is (Resume.REPLAYED if asked in kept else Resume.UNKNOWN)


def test_drop_forgets_only_the_slow_subscriber() -> None:
    """A subscriber that does not read is DROPPED and forgotten; the others go on."""
    hub = Hub(max_pending=30)
    fast, slow = hub.subscribe(now=0.0), hub.subscribe(now=0.0)
    for n in range(4):
        hub.publish(f"event {n}")  # 16 bytes each
        fast.data_to_send()
    assert (fast.state, slow.state, hub.subscribers) == (StreamState.OPEN, StreamState.DROPPED, 1)
    assert slow.data_to_send() == b""


def test_skip_keeps_a_slow_subscriber_on_the_newest() -> None:
    """SKIP: the slow subscriber stays, with only the newest events queued."""
    hub = Hub(max_pending=20, slow_client=SlowClientPolicy.SKIP)
    slow = hub.subscribe(now=0.0)
    for n in range(5):
        hub.publish(f"e{n}")  # 10 bytes each
    # e2 overflows (e0, e1 go), e3 fits, e4 overflows (e2, e3 go).
    assert (slow.state, hub.subscribers, slow.skipped) == (StreamState.OPEN, 1, 4)
    assert slow.data_to_send() == b"data: e4\n\n"


def test_unsubscribe_closes_and_forgets() -> None:
    """unsubscribe() closes an OPEN stream (queued bytes stay) and is idempotent."""
    hub = Hub()
    stream = hub.subscribe(now=0.0)
    hub.publish("a")
    hub.unsubscribe(stream)
    hub.unsubscribe(stream)
    assert (stream.state, hub.subscribers) == (StreamState.CLOSED, 0)
    hub.publish("b")
    assert stream.data_to_send() == b"data: a\n\n"


def test_a_stream_closed_by_its_front_end_is_forgotten_at_the_next_publish() -> None:
    """publish() skips and forgets streams that are no longer OPEN, raising nothing."""
    hub = Hub()
    gone, stays = hub.subscribe(now=0.0), hub.subscribe(now=0.0)
    gone.close()
    hub.publish("a")
    assert hub.subscribers == 1
    assert (gone.pending, stays.data_to_send()) == (0, b"data: a\n\n")


def test_close_closes_everyone_and_refuses_more() -> None:
    """close() closes every subscriber; publish() and subscribe() then raise."""
    hub = Hub()
    streams = [hub.subscribe(now=0.0) for _ in range(2)]
    hub.publish("last")
    hub.close()
    hub.close()
    assert all(s.state is StreamState.CLOSED for s in streams)
    assert all(s.data_to_send() == b"data: last\n\n" for s in streams)
    assert (hub.subscribers, hub.closed) == (0, True)
    with pytest.raises(LocalProtocolError):
        hub.publish("x")
    with pytest.raises(LocalProtocolError):
        hub.subscribe(now=0.0)


def test_subscribers_get_the_hub_settings() -> None:
    """retry, keepalive and line_ending reach every subscriber."""
    hub = Hub(retry=500, keepalive=3.0, line_ending="\r\n")
    stream = hub.subscribe(now=10.0)
    assert stream.next_deadline() == 13.0
    hub.publish("a")
    assert stream.data_to_send() == b"retry: 500\r\ndata: a\r\n\r\n"


@pytest.mark.parametrize(
    "arguments", [{"line_ending": "x"}, {"keepalive": -1}, {"max_pending": -1}]
)
def test_constructor_checks_its_arguments(arguments: dict[str, object]) -> None:
    """Bad settings are refused when the hub is built, not at the first subscribe."""
    with pytest.raises((LocalProtocolError, ValueError)):
        Hub(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("line_ending", LINE_ENDINGS)
def test_httpx_sse_reads_a_hub_stream(line_ending: str) -> None:
    """A decoder written elsewhere reads the replay and the live events alike."""
    pytest.importorskip("httpx_sse")
    hub = Hub(history=EventHistory(), line_ending=line_ending, retry=1000)
    for n in range(3):
        hub.publish(f"old\n{n}", type="t")
    stream = hub.subscribe(last_event_id="1", now=0.0)
    hub.publish("new")
    found = parse_httpx_sse(stream.data_to_send(), 3)
    assert found == [
        ("t", "old\n1", "2", 1000),
        ("t", "old\n2", "3", None),
        ("message", "new", "4", None),
    ]


def test_publish_to_many_is_one_append_each() -> None:
    """1,000 subscribers: each holds exactly the one frame, the very same object."""
    hub = Hub()
    streams = [hub.subscribe(now=0.0) for _ in range(1000)]
    hub.publish(sseproto.ServerEvent("x").data)
    assert {id(s._queue[0][0]) for s in streams} == {id(streams[0]._queue[0][0])}
    assert all(s.pending == 9 for s in streams)
