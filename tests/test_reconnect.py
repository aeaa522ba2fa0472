"""Tests of EventSourceMachine: the transitions table, request headers, response
checks, reconnection timing with a fake clock, and the Last-Event-ID property."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import assert_type

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sseproto
import sseproto.http
from sseproto import Comment, Event, LocalProtocolError
from sseproto._reconnect import (
    _TRANSITIONS,
    DEFAULT_MAX_DELAY,
    DEFAULT_MIN_RETRY,
    DEFAULT_RETRY_DELAY,
    MAX_ERROR_BODY,
    Action,
    Closed,
    Connect,
    Deliver,
    EventSourceMachine,
    EventSourceState,
    Failed,
    Opened,
    ReconnectGaveUp,
    ReconnectPolicy,
    ResponseRejected,
    Wait,
    _Input,
)

from .helpers import split

S = EventSourceState
SSE: tuple[tuple[str, str], ...] = (("Content-Type", "text/event-stream"),)
BASE_HEADERS = (("Accept", "text/event-stream"), ("Cache-Control", "no-cache"))
#: The policy of the machines the table tests drive: 503 is retried, 500 is not.
TABLE_POLICY = ReconnectPolicy(retry_statuses=frozenset({503}))


def never() -> float:
    raise AssertionError("random() must not be called")


def machine_in(state: EventSourceState) -> EventSourceMachine[Event]:
    """A machine with TABLE_POLICY, driven into ``state`` through the public API."""
    machine = EventSourceMachine(policy=TABLE_POLICY)
    if state is S.CLOSED:
        machine.close()
    elif state is not S.IDLE:
        machine.start(0.0)
        if state is S.OPEN:
            machine.response(200, SSE, 0.0)
        elif state in (S.REJECTING, S.FAILED):
            machine.response(500, SSE, 0.0)
        if state in (S.WAITING, S.FAILED):
            machine.end(0.0)
    assert machine.state is state
    return machine


def apply(machine: EventSourceMachine[Event], input_: _Input) -> list[Action[Event]]:
    """Give the machine ``input_`` with ordinary arguments."""
    if input_ is _Input.START:
        return machine.start(1.0)
    if input_ is _Input.RESPONSE_ACCEPTED:
        return machine.response(200, SSE, 1.0)
    if input_ is _Input.RESPONSE_REJECTED:
        return machine.response(500, SSE, 1.0)
    if input_ is _Input.RESPONSE_RETRIED:
        return machine.response(503, SSE, 1.0)
    if input_ is _Input.RESTART:
        return machine.restart(1.0)
    if input_ is _Input.BODY:
        return machine.body(b"data: x\n\n", 1.0)
    if input_ is _Input.END:
        return machine.end(1.0)
    if input_ is _Input.WAIT_OVER:
        return machine.wait_over(1.0)
    return machine.close()


# -- a fake server and clock ------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One scripted connection: the response, its body chunks, how long it stays
    open, and the error that ends it (None: the body ends cleanly)."""

    status: int = 200
    content_type: str | None = "text/event-stream"
    chunks: Sequence[bytes] = ()
    open_for: float = 0.0
    error: BaseException | None = None


@dataclass
class Trace:
    """What a pump saw: each Connect with its time, each wait, the items, the
    failure, and the machine's last_event_id after each body() call."""

    connects: list[tuple[float, Connect]] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    items: list[Event | Comment] = field(default_factory=list)
    failure: sseproto.RemoteProtocolError | None = None
    ids: list[str] = field(default_factory=list)


def ends_failed(actions: Sequence[object]) -> bool:
    return bool(actions) and isinstance(actions[-1], Failed)


def drive(
    machine: EventSourceMachine[Event] | EventSourceMachine[Event | Comment],
    script: Iterable[Reply | BaseException],
    now: float = 0.0,
) -> Trace:
    """Pump the machine against a scripted server with a fake clock, until it fails
    or the script runs out (then close it). An exception in the script is a
    connection that could not be made."""
    trace = Trace()
    replies = list(script)
    actions: list[Action[Event]] | list[Action[Event | Comment]] = machine.start(now)
    while True:
        for action in actions:
            if isinstance(action, Deliver):
                trace.items.extend(action.items)
            elif isinstance(action, Failed):
                trace.failure = action.error
                return trace
        last = actions[-1] if actions else None
        if isinstance(last, Wait):
            trace.waits.append(last.seconds)
            now += last.seconds
            actions = machine.wait_over(now)
            continue
        assert isinstance(last, Connect)
        trace.connects.append((now, last))
        if not replies:
            assert machine.close() == [Closed()]
            return trace
        reply = replies.pop(0)
        if isinstance(reply, BaseException):
            actions = machine.end(now, reply)
            continue
        headers = () if reply.content_type is None else (("Content-Type", reply.content_type),)
        collected = list(machine.response(reply.status, headers, now))
        for chunk in reply.chunks:
            if ends_failed(collected):
                break
            collected += machine.body(chunk, now)
            trace.ids.append(machine.last_event_id)
        if not ends_failed(collected):
            now += reply.open_for
            collected += machine.end(now, reply.error)
        actions = collected  # type: ignore[assignment]


def last_event_id_sent(connect: Connect) -> str | None:
    values = [value for name, value in connect.headers if name == "Last-Event-ID"]
    assert len(values) <= 1
    return values[0] if values else None


# -- the transitions table --------------------------------------------------------

#: What each table entry does with apply()'s ordinary arguments.
EXPECTED: dict[tuple[EventSourceState, _Input], tuple[EventSourceState, list[type]]] = {
    (S.IDLE, _Input.START): (S.CONNECTING, [Connect]),
    (S.CONNECTING, _Input.RESPONSE_ACCEPTED): (S.OPEN, [Opened]),
    (S.CONNECTING, _Input.RESPONSE_REJECTED): (S.REJECTING, []),
    (S.CONNECTING, _Input.RESPONSE_RETRIED): (S.WAITING, [Wait]),
    (S.CONNECTING, _Input.END): (S.WAITING, [Wait]),
    (S.OPEN, _Input.BODY): (S.OPEN, [Deliver]),
    (S.OPEN, _Input.END): (S.WAITING, [Wait]),
    (S.OPEN, _Input.RESTART): (S.CONNECTING, [Connect]),
    (S.REJECTING, _Input.BODY): (S.REJECTING, []),
    (S.REJECTING, _Input.END): (S.FAILED, [Failed]),
    (S.WAITING, _Input.WAIT_OVER): (S.CONNECTING, [Connect]),
    **{(state, _Input.CLOSE): (S.CLOSED, [Closed]) for state in S if state is not S.CLOSED},
    (S.CLOSED, _Input.CLOSE): (S.CLOSED, []),
}


def test_table_has_exactly_the_expected_entries() -> None:
    """The table holds the documented transitions and no others, with their next states."""
    assert set(_TRANSITIONS) == set(EXPECTED)
    for key, (_, target) in _TRANSITIONS.items():
        assert target is EXPECTED[key][0], key


@pytest.mark.parametrize(("state", "input_"), list(_TRANSITIONS), ids=str)
def test_each_table_entry_behaves(state: EventSourceState, input_: _Input) -> None:
    """Each (state, input) in the table returns its actions and moves to its next state."""
    machine = machine_in(state)
    target, kinds = EXPECTED[state, input_]
    actions = apply(machine, input_)
    assert [type(action) for action in actions] == kinds
    assert machine.state is target


@given(state=st.sampled_from(S), input_=st.sampled_from(_Input))
def test_every_state_input_pair(state: EventSourceState, input_: _Input) -> None:
    """A pair in the table moves to its next state; any other raises LocalProtocolError
    and leaves the machine FAILED (or CLOSED/FAILED as it was)."""
    machine = machine_in(state)
    if (state, input_) in _TRANSITIONS:
        apply(machine, input_)
        assert machine.state is _TRANSITIONS[state, input_][1]
    else:
        with pytest.raises(LocalProtocolError, match="not allowed"):
            apply(machine, input_)
        assert machine.state is (state if state in (S.FAILED, S.CLOSED) else S.FAILED)


def test_close_is_allowed_in_every_state() -> None:
    """close() is in the table for every state."""
    assert all((state, _Input.CLOSE) in _TRANSITIONS for state in S)


def test_close_twice_returns_nothing() -> None:
    """A second close() returns [] and the machine stays CLOSED."""
    machine = machine_in(S.OPEN)
    assert machine.close() == [Closed()]
    assert machine.close() == []
    assert machine.state is S.CLOSED


def test_close_after_misuse_still_closes() -> None:
    """After a refused call the machine is FAILED and close() still returns [Closed()]."""
    machine = machine_in(S.OPEN)
    with pytest.raises(LocalProtocolError):
        machine.wait_over(1.0)
    assert machine.state is S.FAILED
    assert machine.close() == [Closed()]


def test_refused_call_after_failure_chains_the_failure() -> None:
    """An input after Failed raises LocalProtocolError whose cause is the failure."""
    machine = machine_in(S.REJECTING)
    (failed,) = machine.end(1.0)
    assert isinstance(failed, Failed)
    with pytest.raises(LocalProtocolError) as info:
        machine.wait_over(2.0)
    assert info.value.__cause__ is failed.error


# -- arguments -------------------------------------------------------------------


@pytest.mark.parametrize("now", [math.nan, math.inf, "1", None, True])
def test_now_must_be_a_finite_number(now: object) -> None:
    """A now that is not a finite number is refused and fails the machine."""
    machine = EventSourceMachine()
    with pytest.raises(LocalProtocolError, match="now"):
        machine.start(now)  # type: ignore[arg-type]
    assert machine.state is S.FAILED


def test_now_going_backwards_is_refused() -> None:
    """A now less than an earlier call's is refused (a wall clock, not a monotonic one)."""
    machine = machine_in(S.CONNECTING)
    machine.response(200, SSE, 5.0)
    with pytest.raises(LocalProtocolError, match="backwards"):
        machine.body(b"", 4.0)
    assert machine.state is S.FAILED


def test_now_may_stay_the_same() -> None:
    """Equal now values in a row are fine."""
    machine = EventSourceMachine()
    machine.start(2.0)
    assert machine.response(200, SSE, 2.0) == [Opened()]


@pytest.mark.parametrize("status", [99, 1000, "200", 200.0, True])
def test_status_must_be_an_int_code(status: object) -> None:
    """A status that is not an int from 100 to 999 is refused."""
    machine = machine_in(S.CONNECTING)
    with pytest.raises(LocalProtocolError, match="status"):
        machine.response(status, SSE, 1.0)  # type: ignore[arg-type]
    assert machine.state is S.FAILED


@pytest.mark.parametrize("header", [("Content-Type",), (b"Content-Type", b"text/event-stream")])
def test_response_headers_must_be_str_pairs(header: tuple[object, ...]) -> None:
    """Response headers that are not (str, str) pairs are refused."""
    machine = machine_in(S.CONNECTING)
    with pytest.raises(LocalProtocolError, match="pair"):
        machine.response(200, [header], 1.0)  # type: ignore[list-item]


def test_body_refuses_text_and_keeps_state() -> None:
    """body() with a str raises TypeError and the machine stays OPEN."""
    machine = machine_in(S.OPEN)
    with pytest.raises(TypeError, match="bytes"):
        machine.body("data: x\n\n", 1.0)  # type: ignore[arg-type]
    assert machine.state is S.OPEN


def test_body_accepts_bytearray_and_memoryview() -> None:
    """Any bytes-like body chunk is accepted."""
    machine = machine_in(S.OPEN)
    assert machine.body(bytearray(b"data: a\n"), 1.0) == []
    assert machine.body(memoryview(b"\n"), 1.0) == [Deliver([Event("message", "a")])]


@pytest.mark.parametrize(
    "options",
    [
        {"last_event_id": "a\nb"},
        {"last_event_id": "a\x00b"},
        {"headers": [("X-Bad", "a\r\nInjected: 1")]},
        {"headers": [("Bad Name", "x")]},
        {"headers": [("", "x")]},
        {"headers": ["X-A"]},
        {"headers": {"X-A": "1"}},
        {"max_line_size": 0},
        {"max_event_size": -1},
        {"policy": "fast"},
    ],
)
def test_constructor_validates(options: dict[str, object]) -> None:
    """Invalid constructor arguments raise ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011 (the messages differ per argument)
        EventSourceMachine(**options)  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("retry_delay", -1),
        ("retry_delay", math.nan),
        ("multiplier", 0.5),
        ("multiplier", math.inf),
        ("max_delay", math.inf),
        ("jitter", 1.5),
        ("jitter", -0.1),
        ("healthy_after", -1),
        ("max_attempts", -1),
        ("max_attempts", 2.0),
        ("max_attempts", True),
        ("max_elapsed", math.nan),
        ("retry_delay", True),
    ],
)
def test_policy_validates(name: str, value: object) -> None:
    """A policy value out of its range raises ValueError naming the field."""
    with pytest.raises(ValueError, match=name):
        ReconnectPolicy(**{name: value})  # type: ignore[arg-type]


def test_policy_max_delay_not_below_retry_delay() -> None:
    """max_delay shorter than retry_delay is refused."""
    with pytest.raises(ValueError, match="max_delay"):
        ReconnectPolicy(retry_delay=10, max_delay=5)


def test_random_out_of_range_is_refused() -> None:
    """A random source returning a value outside [0, 1] is caller misuse."""
    machine = EventSourceMachine(policy=ReconnectPolicy(jitter=0.5), random=lambda: 2.0)
    machine.start(0.0)
    with pytest.raises(LocalProtocolError, match="random"):
        machine.end(0.0)
    assert machine.state is S.FAILED


# -- request headers ---------------------------------------------------------------


def test_first_connect_headers() -> None:
    """The first Connect asks for an event stream, uncached, with no Last-Event-ID."""
    assert EventSourceMachine().start(0.0) == [Connect(BASE_HEADERS)]


def test_initial_last_event_id_is_sent_first() -> None:
    """A machine resuming from an ID sends it on its first connection."""
    (connect,) = EventSourceMachine(last_event_id="41").start(0.0)
    assert connect == Connect((*BASE_HEADERS, ("Last-Event-ID", "41")))


def test_caller_headers_follow_and_reserved_names_are_dropped() -> None:
    """Caller headers come after the machine's; their Accept and Last-Event-ID
    (any case) are dropped; their Cache-Control replaces the machine's."""
    machine = EventSourceMachine(
        last_event_id="7",
        headers=[
            ("Authorization", "Bearer t"),
            ("accept", "*/*"),
            ("CACHE-CONTROL", "max-age=0"),
            ("last-event-id", "99"),
            ("X-Trace", "1"),
        ],
    )
    (connect,) = machine.start(0.0)
    assert connect == Connect(
        (
            ("Accept", "text/event-stream"),
            ("Last-Event-ID", "7"),
            ("Authorization", "Bearer t"),
            ("CACHE-CONTROL", "max-age=0"),
            ("X-Trace", "1"),
        )
    )


def test_caller_last_event_id_header_dropped_even_without_id() -> None:
    """A caller's Last-Event-ID is not sent even while the machine has none."""
    (connect,) = EventSourceMachine(headers=[("Last-Event-ID", "5")]).start(0.0)
    assert connect == Connect(BASE_HEADERS)


def test_last_event_id_sent_after_reconnect() -> None:
    """The ID committed on one connection is sent on the next."""
    trace = drive(EventSourceMachine(), [Reply(chunks=[b"id: 5\ndata: x\n\n"])])
    assert [last_event_id_sent(connect) for _, connect in trace.connects] == [None, "5"]


def test_last_event_id_omitted_after_reset() -> None:
    """An empty id field resets the ID, and the next request has no Last-Event-ID."""
    trace = drive(
        EventSourceMachine(),
        [Reply(chunks=[b"id: 5\n\n"]), Reply(chunks=[b"id\n\n"]), Reply(chunks=[b"id: 6\n\n"])],
    )
    sent = [last_event_id_sent(connect) for _, connect in trace.connects]
    assert sent == [None, "5", None, "6"]


def test_unterminated_block_id_is_not_sent() -> None:
    """An id in a block cut off by the end of the body does not count."""
    machine = EventSourceMachine()
    trace = drive(machine, [Reply(chunks=[b"id: 1\n\nid: 2\ndata: x\n"])])
    assert trace.items == []
    assert machine.last_event_id == "1"
    assert last_event_id_sent(trace.connects[-1][1]) == "1"


def test_new_connection_parser_resumes_from_last_event_id() -> None:
    """Events on a later connection carry the ID from an earlier one until a new id."""
    trace = drive(
        EventSourceMachine(),
        [Reply(chunks=[b"id: 3\n\n"]), Reply(chunks=[b"data: a\n\nid: 4\ndata: b\n\n"])],
    )
    assert trace.items == [Event("message", "a", "3"), Event("message", "b", "4")]


def test_non_ascii_last_event_id_is_sent_as_text() -> None:
    """A non-ASCII ID is sent as the same text (the pump encodes it as UTF-8)."""
    trace = drive(EventSourceMachine(), [Reply(chunks=["id: é✓\n\n".encode()])])
    assert last_event_id_sent(trace.connects[-1][1]) == "é✓"


# -- judging the response ------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/event-stream",
        "Text/Event-Stream; charset=utf-8",
        "TEXT/EVENT-STREAM",
        "  text/event-stream \t",
        "text/event-stream;",
        "text/event-stream ; foo=bar",
        'text/event-stream; a="x, text/plain"',
        "text/plain, text/event-stream",
        "text/event-stream, */*",
        "text/event-stream, nonsense",
    ],
)
def test_event_stream_content_types_accepted(content_type: str) -> None:
    """200 with a Content-Type whose essence is text/event-stream opens the stream."""
    machine = machine_in(S.CONNECTING)
    assert machine.response(200, [("Content-Type", content_type)], 1.0) == [Opened()]
    assert machine.state is S.OPEN


@pytest.mark.parametrize("name", ["content-type", "CONTENT-TYPE", "Content-type"])
def test_content_type_name_is_case_insensitive(name: str) -> None:
    """The Content-Type header is found whatever the case of its name."""
    machine = machine_in(S.CONNECTING)
    assert machine.response(200, [(name, "text/event-stream")], 1.0) == [Opened()]


def test_last_of_several_content_type_headers_counts() -> None:
    """With two Content-Type headers, the last valid one decides."""
    accepted = machine_in(S.CONNECTING)
    headers = [("Content-Type", "text/plain"), ("content-type", "text/event-stream")]
    assert accepted.response(200, headers, 1.0) == [Opened()]
    rejected = machine_in(S.CONNECTING)
    assert rejected.response(200, headers[::-1], 1.0) == []
    assert rejected.state is S.REJECTING


@pytest.mark.parametrize(
    "content_type",
    [
        "text/event-streamx",
        "text/plain",
        "application/json",
        "",
        "text/event-stream/x",
        "text /event-stream",
        "text/event stream",
        "event-stream",
        "text/",
        "/event-stream",
        "*/*",
        "text/event-stream, text/plain",
        "text/event\u2011stream",
    ],
)
def test_other_content_types_rejected(content_type: str) -> None:
    """A Content-Type whose essence is not text/event-stream fails the connection."""
    machine = machine_in(S.CONNECTING)
    assert machine.response(200, [("Content-Type", content_type)], 1.0) == []
    (failed,) = machine.end(1.0)
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, ResponseRejected)
    assert "not text/event-stream" in str(failed.error)
    assert machine.state is S.FAILED


def test_missing_content_type_rejected() -> None:
    """A 200 without Content-Type fails the connection, saying so."""
    trace = drive(EventSourceMachine(), [Reply(content_type=None)])
    assert isinstance(trace.failure, ResponseRejected)
    assert "no Content-Type" in str(trace.failure)
    assert len(trace.connects) == 1


@pytest.mark.parametrize("status", [201, 204, 206, 301, 304, 400, 401, 404, 500, 503])
def test_non_200_status_fails_for_good(status: int) -> None:
    """Any status but 200 fails the connection without reconnecting."""
    trace = drive(EventSourceMachine(), [Reply(status=status), Reply()])
    assert isinstance(trace.failure, ResponseRejected)
    assert trace.failure.status == status
    assert len(trace.connects) == 1
    assert trace.waits == []


def test_204_message_says_stop() -> None:
    """A 204 No Content is reported as the server's request to stop."""
    trace = drive(EventSourceMachine(), [Reply(status=204)])
    assert "204 No Content" in str(trace.failure)


def test_rejection_carries_status_headers_and_body() -> None:
    """ResponseRejected holds the status, the headers as given and the body read
    (the default policy retries no status, 503 included)."""
    machine = EventSourceMachine()
    machine.start(0.0)
    headers = (("Content-Type", "application/json"), ("X-Request-Id", "r1"))
    assert machine.response(503, headers, 1.0) == []
    assert machine.body(b'{"error": ', 1.0) == []
    assert machine.body(b'"overloaded"}', 1.0) == []
    (failed,) = machine.end(2.0, OSError("reset"))
    assert isinstance(failed, Failed)
    error = failed.error
    assert isinstance(error, ResponseRejected)
    assert (error.status, error.headers, error.body) == (503, headers, b'{"error": "overloaded"}')
    assert "overloaded" in str(error)


def test_rejected_body_without_bytes() -> None:
    """A rejected response ended at once has an empty body and a message without a quote."""
    machine = machine_in(S.REJECTING)
    (failed,) = machine.end(1.0)
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, ResponseRejected)
    assert failed.error.body == b""
    assert "body" not in str(failed.error)


def test_rejected_body_capped_in_one_chunk() -> None:
    """A large rejected body fails as soon as MAX_ERROR_BODY bytes are kept."""
    machine = machine_in(S.REJECTING)
    body = bytes(range(256)) * (MAX_ERROR_BODY // 256 + 40)
    (failed,) = machine.body(body, 1.0)
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, ResponseRejected)
    assert failed.error.body == body[:MAX_ERROR_BODY]
    assert machine.state is S.FAILED


def test_rejected_body_cap_reached_exactly_across_chunks() -> None:
    """The cap is reached by the chunk that brings the kept bytes to MAX_ERROR_BODY."""
    machine = machine_in(S.REJECTING)
    assert machine.body(b"a" * (MAX_ERROR_BODY - 1), 1.0) == []
    (failed,) = machine.body(b"bc", 1.0)
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, ResponseRejected)
    assert failed.error.body == b"a" * (MAX_ERROR_BODY - 1) + b"b"


def test_rejected_body_accepts_any_bytes_like() -> None:
    """A rejected body may arrive as bytearray or memoryview chunks."""
    machine = machine_in(S.REJECTING)
    assert machine.body(bytearray(b"ab"), 1.0) == []
    assert machine.body(memoryview(b"cd"), 1.0) == []
    (failed,) = machine.end(1.0)
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, ResponseRejected)
    assert failed.error.body == b"abcd"


def test_rejected_message_quotes_a_bounded_preview() -> None:
    """The message quotes the body's start, not all of it."""
    machine = machine_in(S.REJECTING)
    machine.body(b"x" * 1000, 1.0)
    (failed,) = machine.end(1.0)
    assert isinstance(failed, Failed)
    assert "x" * 200 + "'..." in str(failed.error)
    assert "x" * 201 not in str(failed.error)


# -- reconnecting, with a fake clock ----------------------------------------------------


def test_server_close_reconnects_after_default_delay() -> None:
    """A body that ends makes the machine wait 3 seconds, then connect again."""
    trace = drive(EventSourceMachine(), [Reply(), Reply()])
    assert trace.waits == [DEFAULT_RETRY_DELAY, DEFAULT_RETRY_DELAY] == [3.0, 3.0]
    assert [time for time, _ in trace.connects] == [0.0, 3.0, 6.0]
    assert trace.failure is None


def test_network_error_before_response_reconnects() -> None:
    """A connection that cannot be made is retried after the reconnection time."""
    trace = drive(EventSourceMachine(), [OSError("refused"), Reply()])
    assert trace.waits == [3.0, 3.0]
    assert len(trace.connects) == 3


def test_network_error_mid_body_reconnects() -> None:
    """A connection that breaks mid-body is retried, keeping what was delivered."""
    machine = EventSourceMachine()
    trace = drive(machine, [Reply(chunks=[b"id: 1\ndata: a\n\ndata: b"], error=OSError())])
    assert trace.items == [Event("message", "a", "1")]
    assert trace.waits == [3.0]
    assert last_event_id_sent(trace.connects[-1][1]) == "1"


def test_retry_field_sets_the_delay_and_persists() -> None:
    """A retry field sets the wait, on that and every later connection."""
    machine = EventSourceMachine()
    trace = drive(machine, [Reply(chunks=[b"retry: 500\n"]), Reply(), OSError()])
    assert trace.waits == [0.5, 0.5, 0.5]
    assert machine.retry_delay == 0.5


def test_latest_retry_field_wins() -> None:
    """A later retry field replaces an earlier one."""
    trace = drive(
        EventSourceMachine(), [Reply(chunks=[b"retry: 500\n"]), Reply(chunks=[b"retry: 1250\n"])]
    )
    assert trace.waits == [0.5, 1.25]


def test_retry_zero_reconnects_at_once_when_the_floor_is_off() -> None:
    """With min_retry=0, retry: 0 makes the wait zero, even with backoff."""
    policy = ReconnectPolicy(multiplier=2.0, min_retry=0)
    trace = drive(EventSourceMachine(policy=policy), [Reply(chunks=[b"retry: 0\n"]), OSError()])
    assert trace.waits == [0.0, 0.0]


def test_retry_zero_is_raised_to_min_retry() -> None:
    """By default a server's retry: 0 waits DEFAULT_MIN_RETRY (100 ms), not zero."""
    machine = EventSourceMachine()
    trace = drive(machine, [Reply(chunks=[b"retry: 0\n"]), OSError()])
    assert machine.retry_delay == DEFAULT_MIN_RETRY == 0.1
    assert trace.waits == [0.1, 0.1]


def test_min_retry_leaves_larger_retry_values_and_the_callers_delay() -> None:
    """min_retry raises only smaller server values; the policy's retry_delay is kept."""
    policy = ReconnectPolicy(retry_delay=0.01, min_retry=0.5)
    trace = drive(EventSourceMachine(policy=policy), [OSError(), Reply(chunks=[b"retry: 700\n"])])
    assert trace.waits == [0.01, 0.7]


def test_min_retry_above_max_delay_refused() -> None:
    """min_retry above max_delay is refused."""
    with pytest.raises(ValueError, match="min_retry"):
        ReconnectPolicy(min_retry=10, max_delay=5)


def test_retry_delay_defaults_to_policy() -> None:
    """retry_delay is the policy's until a retry field arrives."""
    assert EventSourceMachine().retry_delay == DEFAULT_RETRY_DELAY
    assert EventSourceMachine(policy=ReconnectPolicy(retry_delay=1.5)).retry_delay == 1.5


def test_retry_too_large_for_a_float_is_capped() -> None:
    """A retry value beyond float range waits max_delay, without an error."""
    machine = EventSourceMachine()
    trace = drive(machine, [Reply(chunks=[b"retry: " + b"9" * 400 + b"\n"])])
    assert machine.retry_delay == math.inf
    assert trace.waits == [DEFAULT_MAX_DELAY]


def test_server_retry_capped_by_max_delay() -> None:
    """max_delay bounds a server's retry value too."""
    policy = ReconnectPolicy(max_delay=60.0)
    trace = drive(EventSourceMachine(policy=policy), [Reply(chunks=[b"retry: 600000\n"])])
    assert trace.waits == [60.0]


def test_backoff_grows_and_is_capped() -> None:
    """With a multiplier, each failure in a row multiplies the wait, up to max_delay."""
    policy = ReconnectPolicy(multiplier=2.0, max_delay=20.0)
    trace = drive(EventSourceMachine(policy=policy), [OSError()] * 6)
    assert trace.waits == [3.0, 6.0, 12.0, 20.0, 20.0, 20.0]


def test_backoff_grows_from_server_retry() -> None:
    """Backoff multiplies the server's reconnection time, not the default."""
    policy = ReconnectPolicy(multiplier=2.0)
    trace = drive(EventSourceMachine(policy=policy), [Reply(chunks=[b"retry: 1000\n"]), OSError()])
    assert trace.waits == [1.0, 2.0]


def test_backoff_survives_huge_attempt_counts() -> None:
    """Hundreds of failures in a row give max_delay, not an overflow."""
    policy = ReconnectPolicy(multiplier=10.0, max_delay=30.0)
    trace = drive(EventSourceMachine(policy=policy), [OSError()] * 400)
    assert trace.waits[-1] == 30.0
    assert len(trace.waits) == 400


def test_jitter_lengthens_waits_by_random_fraction() -> None:
    """Jitter adds up to its fraction of the wait, scaled by the random source."""
    draws = iter([0.5, 0.0, 1.0])
    policy = ReconnectPolicy(jitter=0.2)
    machine = EventSourceMachine(policy=policy, random=lambda: next(draws))
    trace = drive(machine, [OSError()] * 3)
    assert trace.waits == pytest.approx([3.3, 3.0, 3.6])


def test_jitter_applies_before_the_cap() -> None:
    """A jittered wait never exceeds max_delay."""
    policy = ReconnectPolicy(jitter=1.0, multiplier=2.0, max_delay=10.0)
    machine = EventSourceMachine(policy=policy, random=lambda: 1.0)
    trace = drive(machine, [OSError()] * 3)
    assert trace.waits == [6.0, 10.0, 10.0]


def test_no_jitter_never_calls_random() -> None:
    """Without jitter the random source is never called."""
    trace = drive(EventSourceMachine(random=never), [OSError(), Reply()])
    assert trace.waits == [3.0, 3.0]


def test_backoff_resets_after_an_event() -> None:
    """A connection that delivers an event resets the backoff."""
    policy = ReconnectPolicy(multiplier=2.0, healthy_after=None)
    trace = drive(
        EventSourceMachine(policy=policy),
        [OSError(), OSError(), Reply(chunks=[b"data: x\n\n"]), OSError(), OSError()],
    )
    assert trace.waits == [3.0, 6.0, 3.0, 6.0, 12.0]


def test_connection_without_events_does_not_reset() -> None:
    """An accepted connection that delivers nothing (only retry, id, comments) keeps growing."""
    policy = ReconnectPolicy(multiplier=2.0, healthy_after=None)
    machine = EventSourceMachine(policy=policy, comments=True)
    trace = drive(machine, [OSError(), Reply(chunks=[b": ping\nid: 1\n\n"]), OSError()])
    assert trace.items == [Comment("ping")]
    assert trace.waits == [3.0, 6.0, 12.0]


def test_long_connection_is_healthy() -> None:
    """A connection open for healthy_after seconds resets the backoff without events."""
    policy = ReconnectPolicy(multiplier=2.0, healthy_after=60.0)
    trace = drive(EventSourceMachine(policy=policy), [OSError(), Reply(open_for=60.0), OSError()])
    assert trace.waits == [3.0, 3.0, 6.0]


def test_shorter_connection_is_not_healthy() -> None:
    """A connection open for less than healthy_after seconds does not reset the backoff."""
    policy = ReconnectPolicy(multiplier=2.0, healthy_after=60.0)
    trace = drive(EventSourceMachine(policy=policy), [OSError(), Reply(open_for=59.9), OSError()])
    assert trace.waits == [3.0, 6.0, 12.0]


def test_max_attempts_gives_up() -> None:
    """After max_attempts reconnections in a row fail, the next end() fails for good."""
    last = OSError("refused again")
    policy = ReconnectPolicy(max_attempts=2)
    trace = drive(EventSourceMachine(policy=policy), [OSError(), OSError(), last, Reply()])
    assert trace.waits == [3.0, 3.0]
    error = trace.failure
    assert isinstance(error, ReconnectGaveUp)
    assert (error.limit, error.attempts, error.elapsed) == ("max_attempts", 2, 6.0)
    assert error.__cause__ is last
    assert "max_attempts=2" in str(error)


def test_max_attempts_zero_never_reconnects() -> None:
    """max_attempts=0 fails at the first end, even after a healthy connection."""
    policy = ReconnectPolicy(max_attempts=0)
    trace = drive(EventSourceMachine(policy=policy), [Reply(chunks=[b"data: x\n\n"])])
    assert trace.items == [Event("message", "x")]
    assert isinstance(trace.failure, ReconnectGaveUp)
    assert trace.failure.__cause__ is None
    assert trace.waits == []


def test_max_attempts_count_resets_after_healthy_connection() -> None:
    """A healthy connection starts the attempt count over."""
    policy = ReconnectPolicy(max_attempts=2)
    script: list[Reply | BaseException] = [
        OSError(),
        OSError(),
        Reply(chunks=[b"data: x\n\n"]),
        OSError(),
    ]
    trace = drive(EventSourceMachine(policy=policy), script)
    assert trace.failure is None
    assert len(trace.waits) == 4


def test_max_elapsed_gives_up() -> None:
    """No reconnection is scheduled to start more than max_elapsed after the outage began."""
    policy = ReconnectPolicy(max_elapsed=10.0)
    trace = drive(EventSourceMachine(policy=policy), [OSError()] * 10)
    assert trace.waits == [3.0, 3.0, 3.0]
    error = trace.failure
    assert isinstance(error, ReconnectGaveUp)
    assert (error.limit, error.attempts, error.elapsed) == ("max_elapsed", 3, 9.0)


def test_max_elapsed_allows_exactly_the_budget() -> None:
    """A reconnection starting exactly max_elapsed after the outage began is allowed."""
    policy = ReconnectPolicy(max_elapsed=9.0)
    trace = drive(EventSourceMachine(policy=policy), [OSError()] * 4)
    assert trace.waits == [3.0, 3.0, 3.0]
    assert isinstance(trace.failure, ReconnectGaveUp)


def test_max_elapsed_counts_from_end_of_healthy_connection() -> None:
    """The outage clock starts over when a healthy connection ends."""
    policy = ReconnectPolicy(max_elapsed=7.0, healthy_after=None)
    script: list[Reply | BaseException] = [
        Reply(chunks=[b"data: x\n\n"], open_for=100.0),
        OSError(),
        OSError(),
    ]
    trace = drive(EventSourceMachine(policy=policy), script)
    assert trace.waits == [3.0, 3.0]
    assert isinstance(trace.failure, ReconnectGaveUp)
    assert trace.failure.elapsed == 6.0


def test_max_elapsed_counts_time_spent_connecting() -> None:
    """Time inside failed connections counts against the budget."""
    policy = ReconnectPolicy(max_elapsed=10.0)
    trace = drive(EventSourceMachine(policy=policy), [Reply(open_for=5.0), Reply(open_for=5.0)])
    assert trace.waits == [3.0]
    assert isinstance(trace.failure, ReconnectGaveUp)


def test_wait_over_early_reconnects_early() -> None:
    """wait_over() does not check the clock: calling it early reconnects at once."""
    machine = machine_in(S.WAITING)
    assert machine.wait_over(0.0) == [Connect(BASE_HEADERS)]


# -- the stream -----------------------------------------------------------------------


def test_events_delivered_in_order_as_they_complete() -> None:
    """Each body() returns one Deliver with the items it completed, in order,
    and none when it completed nothing."""
    machine = machine_in(S.OPEN)
    assert machine.body(b"data: a\n\ndata: b\n", 1.0) == [Deliver([Event("message", "a")])]
    assert machine.body(b"\nevent: t\ndata: c\n\n", 1.0) == [
        Deliver([Event("message", "b"), Event("t", "c")]),
    ]
    assert machine.body(b"data: d", 1.0) == []


def test_comments_delivered_when_asked() -> None:
    """comments=True delivers comment lines too."""
    machine = EventSourceMachine(comments=True)
    machine.start(0.0)
    machine.response(200, SSE, 0.0)
    items: list[Event | Comment] = [Comment("hi"), Event("message", "x")]
    assert machine.body(b": hi\ndata: x\n\n", 0.0) == [Deliver(items)]


def test_limit_error_fails_for_good_after_earlier_items() -> None:
    """A stream breaking a parser limit delivers what came before, then fails; no reconnect."""
    machine = EventSourceMachine(max_line_size=16)
    machine.start(0.0)
    machine.response(200, SSE, 0.0)
    actions = machine.body(b"data: a\n\ndata: " + b"x" * 64, 1.0)
    assert actions[0] == Deliver([Event("message", "a")])
    assert isinstance(actions[1], Failed)
    assert isinstance(actions[1].error, sseproto.LineTooLong)
    assert len(actions) == 2
    assert machine.state is S.FAILED


def test_limit_error_alone_fails() -> None:
    """A body chunk that only breaks a limit returns just Failed."""
    machine = EventSourceMachine(max_event_size=4)
    machine.start(0.0)
    machine.response(200, SSE, 0.0)
    (failed,) = machine.body(b"data: 123456\n", 1.0)
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, sseproto.EventTooLarge)


def test_errors_are_remote_protocol_errors() -> None:
    """Both new errors belong to the RemoteProtocolError branch of the tree."""
    assert issubclass(ResponseRejected, sseproto.RemoteProtocolError)
    assert issubclass(ReconnectGaveUp, sseproto.RemoteProtocolError)


def test_actions_are_frozen_slotted_values() -> None:
    """Actions compare by value, cannot be changed and have no __dict__."""
    wait = Wait(3.0)
    assert wait == Wait(3.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        wait.seconds = 1.0  # type: ignore[misc]
    for action in (Connect(()), Opened(), wait, Deliver([Event("m", "d")]), Closed()):
        assert not hasattr(action, "__dict__")


def test_static_types() -> None:
    """The machine is typed by its comments flag, like the parser (checked by mypy)."""
    plain = EventSourceMachine()
    assert_type(plain, EventSourceMachine[Event])
    assert_type(plain.start(0.0), list[Action[Event]])
    with_comments = EventSourceMachine(comments=True)
    assert_type(with_comments, EventSourceMachine[Event | Comment])
    assert_type(with_comments.close(), list[Action[Event | Comment]])


# -- Last-Event-ID under any interleaving ----------------------------------------------

# ID values: ordinary, empty (a reset), with spaces, non-ASCII, and with NUL
# (which the spec ignores).
ID_VALUES = st.one_of(
    st.sampled_from(["", "1", "2", " lead", "a b", "é✓", "\x00", "x\x00y"]),
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=3),
)


@dataclass(frozen=True)
class Block:
    """One event block: its id field value (None: no id field), and whether it has data."""

    id: str | None
    data: bool

    def lines(self) -> bytes:
        out = b""
        if self.id is not None:
            out += b"id\n" if self.id == "" else f"id: {self.id}\n".encode()
        if self.data:
            out += b"data: d\n"
        return out


@dataclass(frozen=True)
class Connection:
    """A connection's body: terminated blocks, maybe a block cut off by the end
    (possibly mid-line), the chunking, and whether it ends with an error."""

    blocks: list[Block]
    trailing: Block | None
    cut_mid_line: bool
    cuts: list[int]
    broken: bool

    def body(self) -> bytes:
        stream = b"".join(block.lines() + b"\n" for block in self.blocks)
        if self.trailing is not None:
            tail = self.trailing.lines()
            stream += tail[:-1] if self.cut_mid_line and tail else tail
        return stream


blocks = st.builds(Block, id=st.none() | ID_VALUES, data=st.booleans())
connections = st.builds(
    Connection,
    blocks=st.lists(blocks, max_size=4),
    trailing=st.none() | blocks,
    cut_mid_line=st.booleans(),
    cuts=st.lists(st.integers(0, 80), max_size=3),
    broken=st.booleans(),
)


def model(
    initial: str, script: Sequence[Connection | None]
) -> tuple[list[str], list[str], list[Event]]:
    """The spec's last event ID string before each connection and after each body
    chunk, and the events, computed directly from the blocks: a block's id
    (without NUL) counts once the blank line ending the block has arrived;
    nothing else changes the ID."""
    current = initial
    before = [current]
    during: list[str] = []
    events = []

    def committed(start: str, ends: list[tuple[int, Block]], received: float) -> str:
        value = start
        for end, block in ends:
            if end <= received and block.id is not None and "\x00" not in block.id:
                value = block.id
        return value

    for connection in script:
        if connection is not None:
            ends = []
            offset = 0
            for block in connection.blocks:
                offset += len(block.lines()) + 1
                ends.append((offset, block))
                if block.data:
                    events.append(Event("message", "d", committed(current, ends, offset)))
            received = 0
            for chunk in split(connection.body(), connection.cuts):
                received += len(chunk)
                during.append(committed(current, ends, received))
            current = committed(current, ends, math.inf)
        before.append(current)
    return before, during, events


@given(
    initial=st.sampled_from(["", "0"]),
    script=st.lists(st.none() | connections, max_size=5),
)
def test_last_event_id_header_follows_the_spec(
    initial: str, script: list[Connection | None]
) -> None:
    """Each Connect carries Last-Event-ID exactly when the spec's last event ID is
    non-empty, with its value, for any blocks, resets, cut-off blocks and disconnects."""
    replies: list[Reply | BaseException] = [
        OSError("refused")
        if connection is None
        else Reply(
            chunks=split(connection.body(), connection.cuts),
            error=OSError("reset") if connection.broken else None,
        )
        for connection in script
    ]
    machine = EventSourceMachine(last_event_id=initial, random=never)
    trace = drive(machine, replies)
    expected_ids, expected_during, expected_events = model(initial, script)
    sent = [last_event_id_sent(connect) for _, connect in trace.connects]
    assert sent == [value or None for value in expected_ids]
    assert trace.ids == expected_during
    assert trace.items == expected_events
    assert machine.last_event_id == expected_ids[-1]
    assert trace.failure is None


def test_max_rejected_body_is_a_deprecated_name() -> None:
    """sseproto.MAX_REJECTED_BODY is the former name of MAX_ERROR_BODY."""
    with pytest.warns(DeprecationWarning, match="MAX_ERROR_BODY"):
        assert sseproto.MAX_REJECTED_BODY == MAX_ERROR_BODY
    assert sseproto.http.DEFAULT_MAX_ERROR_BODY == MAX_ERROR_BODY


# -- Cache-Control ---------------------------------------------------------------------


def test_cache_control_is_what_fetch_sends_for_no_store() -> None:
    """The request carries Cache-Control: no-cache (Fetch's wire form of the
    spec's "no-store" cache mode), once."""
    (connect,) = EventSourceMachine().start(0.0)
    assert isinstance(connect, Connect)
    assert [value for name, value in connect.headers if name.lower() == "cache-control"] == [
        "no-cache"
    ]


def test_callers_cache_control_replaces_the_default() -> None:
    """A caller's Cache-Control (any case) is sent instead of no-cache, on every connection."""
    machine = EventSourceMachine(headers=[("cache-control", "max-age=0")])
    for connect in (machine.start(0.0)[0], *_reconnect(machine)):
        assert isinstance(connect, Connect)
        pairs = [(n, v) for n, v in connect.headers if n.lower() == "cache-control"]
        assert pairs == [("cache-control", "max-age=0")]


def _reconnect(machine: EventSourceMachine[Event]) -> list[Action[Event]]:
    machine.response(200, SSE, 0.0)
    (wait,) = machine.end(0.0)
    assert isinstance(wait, Wait)
    return machine.wait_over(wait.seconds)


# -- restart() ---------------------------------------------------------------------------

STREAM = b"id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n"


@given(cuts=st.lists(st.integers(0, len(STREAM)), max_size=4), fed=st.integers(0, 5))
def test_restart_reconnects_at_once_with_the_last_event_id(cuts: list[int], fed: int) -> None:
    """restart() after any prefix of any split returns Connect at once, with the
    Last-Event-ID of the last complete event fed (a cut-off event does not count)."""
    chunks = split(STREAM, cuts)[:fed]
    machine = EventSourceMachine(random=never)
    machine.start(0.0)
    machine.response(200, SSE, 0.0)
    delivered: list[Event] = []
    for chunk in chunks:
        for action in machine.body(chunk, 0.0):
            assert isinstance(action, Deliver)
            delivered.extend(action.items)
    (connect,) = machine.restart(1.0)
    assert isinstance(connect, Connect)
    expected = delivered[-1].id if delivered else ""
    assert last_event_id_sent(connect) == (expected or None)
    assert machine.last_event_id == expected
    assert machine.state is S.CONNECTING
    assert machine.last_error is None


def test_restart_counts_as_a_reconnection_never_refused() -> None:
    """A restart is a reconnection: after a healthy connection it is number 1;
    after an unhealthy one the run goes on; max_attempts never refuses it."""
    machine = EventSourceMachine(policy=ReconnectPolicy(max_attempts=1, healthy_after=None))
    machine.start(0.0)
    machine.response(200, SSE, 0.0)
    machine.body(b"data: x\n\n", 0.0)
    machine.restart(1.0)
    assert machine.reconnections == 1
    machine.response(200, SSE, 1.0)  # no event: not healthy
    machine.restart(2.0)
    assert machine.reconnections == 2
    machine.response(200, SSE, 2.0)
    (failed,) = machine.end(3.0)
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, ReconnectGaveUp)


def test_restart_only_while_open() -> None:
    """restart() outside OPEN is refused like any call outside the table."""
    for state in (S.IDLE, S.CONNECTING, S.WAITING, S.REJECTING):
        with pytest.raises(LocalProtocolError, match="restart"):
            machine_in(state).restart(1.0)


# -- retry_statuses ---------------------------------------------------------------------

RETRYING = ReconnectPolicy(retry_statuses=sseproto.RETRYABLE_STATUSES, max_delay=60.0)


@given(status=st.integers(400, 599), retried=st.frozensets(st.integers(400, 599)))
def test_retry_statuses_decide_retry_or_fail(status: int, retried: frozenset[int]) -> None:
    """A status in retry_statuses waits (the usual wait without Retry-After);
    any other fails for good, as the spec says."""
    machine = EventSourceMachine(policy=ReconnectPolicy(retry_statuses=retried))
    machine.start(0.0)
    actions = machine.response(status, SSE, 0.0)
    if status in retried:
        assert actions == [Wait(DEFAULT_RETRY_DELAY)]
        assert machine.state is S.WAITING
        error = machine.last_error
        assert isinstance(error, ResponseRejected)
        assert error.status == status
    else:
        assert actions == []
        assert machine.state is S.REJECTING


def test_default_policy_retries_no_status() -> None:
    """By default 429 and 503 fail the connection for good."""
    assert ReconnectPolicy().retry_statuses == frozenset()
    for status in (429, 503):
        machine = EventSourceMachine()
        machine.start(0.0)
        machine.response(status, (("Retry-After", "1"),), 0.0)
        (failed,) = machine.end(0.0)
        assert isinstance(failed, Failed)
        assert isinstance(failed.error, ResponseRejected)


def test_retryable_statuses_are_429_and_5xx() -> None:
    assert frozenset({429, *range(500, 600)}) == sseproto.RETRYABLE_STATUSES


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ((("Retry-After", "7"),), 7.0),
        ((("retry-after", " 0 "),), 0.0),
        ((("Retry-After", "86400"),), 60.0),  # capped by max_delay
        ((("Retry-After", "9" * 5000),), 60.0),  # more digits than int() takes
        (
            (
                ("Date", "Wed, 21 Oct 2015 07:28:00 GMT"),
                ("Retry-After", "Wed, 21 Oct 2015 07:28:12 GMT"),
            ),
            12.0,
        ),
        (
            (
                ("Date", "Wed, 21 Oct 2015 07:28:00 GMT"),
                ("Retry-After", "Wed, 21 Oct 2015 07:27:00 GMT"),
            ),
            0.0,
        ),
        ((("Retry-After", "Wed, 21 Oct 2015 07:28:12 GMT"),), DEFAULT_RETRY_DELAY),  # no Date
        ((("Retry-After", "soon"), ("Date", "Wed, 21 Oct 2015 07:28:00 GMT")), 3.0),
        ((("Retry-After", "-5"),), DEFAULT_RETRY_DELAY),
        ((("Retry-After", "1.5"),), DEFAULT_RETRY_DELAY),
        ((), DEFAULT_RETRY_DELAY),
    ],
)
def test_retry_after_sets_the_wait(headers: tuple[tuple[str, str], ...], wait: float) -> None:
    """Retry-After in seconds or as an HTTP date (from the response's Date) sets
    the wait, capped by max_delay; an unusable one leaves the usual wait."""
    machine = EventSourceMachine(policy=RETRYING)
    machine.start(0.0)
    assert machine.response(503, headers, 0.0) == [Wait(wait)]


def test_retried_statuses_count_toward_max_attempts() -> None:
    """Retried responses are failed connections: max_attempts gives up, with the
    ResponseRejected as the cause."""
    policy = dataclasses.replace(RETRYING, max_attempts=2)
    machine = EventSourceMachine(policy=policy)
    machine.start(0.0)
    now = 0.0
    for _ in range(2):
        (wait,) = machine.response(429, (("Retry-After", "1"),), now)
        assert wait == Wait(1.0)
        now += 1.0
        machine.wait_over(now)
    (failed,) = machine.response(429, (), now)
    assert isinstance(failed, Failed)
    gave_up = failed.error
    assert isinstance(gave_up, ReconnectGaveUp)
    assert gave_up.limit == "max_attempts"
    assert isinstance(gave_up.__cause__, ResponseRejected)
    assert gave_up.__cause__.status == 429
    assert machine.state is S.FAILED


@pytest.mark.parametrize("value", [{200}, {399}, {600}, {True}, {"503"}, "503", 503])
def test_retry_statuses_validated(value: object) -> None:
    with pytest.raises(ValueError, match="retry_statuses"):
        ReconnectPolicy(retry_statuses=value)  # type: ignore[arg-type]


def test_retry_statuses_kept_as_a_frozenset() -> None:
    assert ReconnectPolicy(retry_statuses={503, 429}).retry_statuses == frozenset({429, 503})  # type: ignore[arg-type]
