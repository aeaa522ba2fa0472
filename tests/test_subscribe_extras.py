"""Subscriptions beyond a browser's GET: any method and body on every
reconnection, restart(), the notices between events, and statuses the
policy retries; driven by hand with a fake clock, then on loopback servers."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from sseproto import Event, ReconnectGaveUp, ReconnectPolicy, ResponseRejected
from sseproto.adapters import ConnectError
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.http import (
    CloseResponse,
    Deliver,
    GaveUp,
    Head,
    Notice,
    Opened,
    ReadBody,
    Reconnected,
    Reconnecting,
    Restart,
    SendRequest,
    Timeouts,
    Wait,
    subscribe_flow,
)
from tests.servers.faults import FaultServer
from tests.test_flows import NO_LIMITS, URL, FakeClock, Reply, drive, header, ok, subscribe

SAFE = Timeouts(connect=10, read=10)


# -- method and body ------------------------------------------------------------------------


def test_method_and_body_sent_on_every_connection() -> None:
    """subscribe_flow(method=, body=) sends them on the first connection and every reconnection."""
    clock = FakeClock()
    replies = [Reply(ok(), [b"id: 1\ndata: a\n\n"]), Reply(ok(), [b"data: b\n\n"])]
    flow = subscribe(
        clock, method="POST", body=b'{"q":1}', headers=[("Content-Type", "application/json")]
    )
    outcome = drive(clock, flow, replies)
    assert len(outcome.requests) == 3
    for request in outcome.requests:
        assert (request.method, request.body) == ("POST", b'{"q":1}')
        assert header(request, "Content-Type") == ["application/json"]
    assert header(outcome.requests[1], "Last-Event-ID") == ["1"]


def test_subscribe_is_a_get_without_body_by_default() -> None:
    clock = FakeClock()
    outcome = drive(clock, subscribe(clock), [Reply(ok(), [b"data: a\n\n"])])
    assert (outcome.requests[0].method, outcome.requests[0].body) == ("GET", None)
    assert header(outcome.requests[0], "Cache-Control") == ["no-cache"]


# -- notices ------------------------------------------------------------------------------------


def test_notices_between_events() -> None:
    """A failed connect, a reconnection and giving up are each announced, in order."""
    clock = FakeClock()
    notices: list[Notice] = []
    refused = ConnectError("refused")
    flow = subscribe(
        clock,
        policy=ReconnectPolicy(retry_delay=2.0, max_attempts=2),
        on_notice=notices.append,
    )
    replies = [Reply(refused), Reply(ok(), [b"data: a\n\n"]), Reply(refused), Reply(refused)]
    outcome = drive(clock, flow, replies)
    assert isinstance(outcome.error, ReconnectGaveUp)
    assert notices == [
        Reconnecting(2.0, 1, refused),
        Reconnected(URL, 1),
        Reconnecting(2.0, 1, None),  # the body ended cleanly; it was healthy
        Reconnecting(2.0, 2, refused),
        GaveUp(outcome.error),
    ]


def test_notice_observer_error_ends_the_subscription() -> None:
    """An exception raised by on_notice propagates from the flow."""

    def broken(notice: Notice) -> None:
        raise RuntimeError("observer failed")

    clock = FakeClock()
    flow = subscribe(clock, on_notice=broken)
    outcome = drive(clock, flow, [Reply(ConnectError("refused"))])
    assert isinstance(outcome.error, RuntimeError)


# -- restart ------------------------------------------------------------------------------------


def test_restart_at_a_deliver_reconnects_at_once() -> None:
    """A Restart sent back at a Deliver closes the response and sends the next
    request at once, with the last event ID: no Wait in between."""
    clock = FakeClock()
    flow = subscribe_flow(URL, timeouts=NO_LIMITS, clock=clock)
    ops: list[Any] = []

    def step(value: object) -> Any:
        ops.append(flow.send(value))
        return ops[-1]

    assert type(step(None)) is SendRequest
    assert type(step(ok())) is Opened
    assert type(step(None)) is ReadBody
    assert step(b"id: 7\ndata: a\n\ndata: partial") == Deliver([Event("message", "a", "7")])
    assert type(step(Restart())) is CloseResponse
    request = step(None)
    assert type(request) is SendRequest
    assert header(request, "Last-Event-ID") == ["7"]
    assert not any(type(op) is Wait for op in ops)
    flow.close()


def test_restart_at_opened_reconnects_at_once() -> None:
    """A Restart sent back at Opened drops the connection before reading it."""
    clock = FakeClock()
    flow = subscribe_flow(URL, timeouts=NO_LIMITS, clock=clock)
    flow.send(None)
    assert type(flow.send(Head(200, "OK", ok().headers))) is Opened
    assert type(flow.send(Restart())) is CloseResponse
    assert type(flow.send(None)) is SendRequest
    flow.close()


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"restart() waited {seconds} s")


def test_sync_restart_on_a_live_subscription(fault_server: FaultServer) -> None:
    """restart() between events reconnects at once with Last-Event-ID: no event
    lost or repeated, no wait, one more connection."""
    with SyncClient(timeouts=SAFE) as client:
        client._sleep = _no_sleep
        policy = ReconnectPolicy(retry_delay=30.0)
        with client.subscribe(fault_server.url("/close-after/3"), policy=policy) as sub:
            first = next(sub)
            sub.restart()
            # Events 2 and 3 may have arrived with 1 (then they come first)
            # or not (then the new connection sends them): either way no
            # event is lost or repeated, and 4 comes from the new connection.
            rest = [next(sub) for _ in range(3)]
            assert sub.connections == 2
    assert [event.id for event in [first, *rest]] == ["1", "2", "3", "4"]


def test_asyncio_restart_on_a_live_subscription(fault_server: FaultServer) -> None:
    """The async twin's restart() does the same."""

    async def no_sleep(seconds: float) -> None:
        _no_sleep(seconds)

    async def main() -> list[str]:
        async with AsyncioClient(timeouts=SAFE) as client:
            client._sleep = no_sleep
            policy = ReconnectPolicy(retry_delay=30.0)
            async with client.subscribe(fault_server.url("/close-after/3"), policy=policy) as sub:
                ids = [(await anext(sub)).id]
                sub.restart()
                ids += [(await anext(sub)).id for _ in range(3)]
                assert sub.connections == 2
            return ids

    assert asyncio.run(main()) == ["1", "2", "3", "4"]


def test_restart_before_the_first_connection_does_nothing(fault_server: FaultServer) -> None:
    with (
        SyncClient(timeouts=SAFE) as client,
        client.subscribe(fault_server.url("/close-after/2")) as sub,
    ):
        sub.restart()
        assert [next(sub).id, next(sub).id] == ["1", "2"]
        assert sub.connections == 1


# -- a dead server is not silent ----------------------------------------------------------------


def test_notices_from_a_dead_server() -> None:
    """Against a port nobody listens on, on_notice hears each retry and the give-up."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    notices: list[Notice] = []
    policy = ReconnectPolicy(retry_delay=0.01, max_attempts=2)
    with (
        SyncClient(timeouts=SAFE) as client,
        client.subscribe(
            f"http://127.0.0.1:{port}/", policy=policy, on_notice=notices.append
        ) as sub,
        pytest.raises(ReconnectGaveUp),
    ):
        next(sub)
    kinds = [type(notice) for notice in notices]
    assert kinds == [Reconnecting, Reconnecting, GaveUp]
    assert [notice.attempt for notice in notices if isinstance(notice, Reconnecting)] == [1, 2]
    assert all(
        isinstance(notice.error, ConnectError)
        for notice in notices
        if isinstance(notice, Reconnecting)
    )


# -- statuses the policy retries ---------------------------------------------------------------


def test_retried_status_waits_retry_after_then_reconnects() -> None:
    """A 503 in retry_statuses: the body is not read, the wait is Retry-After, and
    the next connection is made."""
    clock = FakeClock()
    notices: list[Notice] = []
    flow = subscribe(
        clock,
        policy=ReconnectPolicy(retry_statuses=frozenset({503})),
        on_notice=notices.append,
    )
    busy = Head(503, "Busy", (("retry-after", "7"), ("content-type", "text/plain")))
    outcome = drive(clock, flow, [Reply(busy, [b"overloaded"]), Reply(ok(), [b"data: a\n\n"])])
    assert outcome.sleeps[0] == 7.0
    assert outcome.events() == [Event("message", "a", "")]
    first = notices[0]
    assert isinstance(first, Reconnecting)
    assert isinstance(first.error, ResponseRejected)
    assert first.error.status == 503
    # The 503's body was never read: its response was closed at once.
    assert [type(op) for op in outcome.ops[:3]] == [SendRequest, CloseResponse, Wait]


def test_unlisted_status_still_fails_for_good() -> None:
    """Without retry_statuses a 503 ends the subscription (the spec's behaviour)."""
    clock = FakeClock()
    busy = Head(503, "Busy", (("retry-after", "7"),))
    outcome = drive(clock, subscribe(clock), [Reply(busy), Reply(ok())])
    assert isinstance(outcome.error, ResponseRejected)
    assert len(outcome.requests) == 1


def test_retried_status_on_a_real_server(fault_server: FaultServer) -> None:
    """A real 500 retried by the policy reconnects until max_attempts, then gives up
    with the rejection as the cause."""
    policy = ReconnectPolicy(retry_statuses=frozenset({500}), retry_delay=0.01, max_attempts=2)
    with (
        SyncClient(timeouts=SAFE) as client,
        client.subscribe(fault_server.url("/500"), policy=policy) as sub,
        pytest.raises(ReconnectGaveUp) as caught,
    ):
        next(sub)
    assert isinstance(caught.value.__cause__, ResponseRejected)
    assert caught.value.__cause__.status == 500
