"""EventStreamResponse served by real ASGI servers (uvicorn; hypercorn on asyncio
and on trio; a Starlette route), read by the project's own clients."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import trio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from sseproto import Comment, Event, ServerEvent
from sseproto.adapters import IncompleteBody
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client
from sseproto.adapters.trio import Client as TrioClient
from sseproto.server.asgi import EventStreamResponse

from .servers.serving import (
    BIG,
    EVENTS,
    SEND_TIMEOUT,
    HypercornThread,
    RawClient,
    asgi_app,
    probe,
)
from .servers.starlette_app import StarletteServer

SERVERS = ("uvicorn", "hypercorn-asyncio", "hypercorn-trio")


def _server(name: str) -> Any:
    if name == "uvicorn":
        return StarletteServer(asgi_app)
    return HypercornThread(name.partition("-")[2])


@pytest.fixture(scope="module", params=SERVERS, name="server")
def server_fixture(request: pytest.FixtureRequest) -> Iterator[Any]:
    with _server(request.param) as server:
        yield server


def _token() -> str:
    return uuid.uuid4().hex


def _fields(events: list[Event]) -> list[tuple[str, str, str]]:
    return [(e.type, e.data, e.id) for e in events]


def test_events_arrive_event_for_event(server: Any) -> None:
    """Every event of the source arrives with its type, data and id, then the stream ends."""
    token = _token()
    with Client() as client, client.stream("GET", server.url(f"/events?t={token}")) as stream:
        assert stream.status == 200
        assert stream.header("content-type") == "text/event-stream; charset=utf-8"
        assert stream.header("cache-control") == "no-cache"
        events = list(stream)
    assert _fields(events) == list(EVENTS)
    assert probe(token).closed.wait(5)
    assert probe(token).returned.wait(5)


@pytest.mark.parametrize("runtime", ["asyncio", "trio"])
def test_async_clients_read_the_same_events(server: Any, runtime: str) -> None:
    """The asyncio and trio clients read the same events."""
    url = server.url(f"/events?t={_token()}")

    async def read(client_class: Any) -> list[Event]:
        async with client_class() as client, client.stream("GET", url) as stream:
            return [event async for event in stream]

    if runtime == "asyncio":
        events = asyncio.run(read(AsyncioClient))
    else:
        events = trio.run(read, TrioClient)
    assert _fields(events) == list(EVENTS)


def test_a_sync_source_is_served_and_closed_after_a_disconnect(server: Any) -> None:
    """A sync iterator is served from a worker thread; after a disconnect it is
    closed once its blocked step returns, and the response returns."""
    token = _token()
    with Client() as client, client.stream("GET", server.url(f"/sync/events?t={token}")) as s:
        assert _fields(list(s)) == list(EVENTS)
    token = _token()
    record = probe(token)
    with RawClient(server.port) as raw:
        raw.get(f"/sync/idle?t={token}")
        raw.read_until(b"data: ready")
    assert not record.returned.wait(0.3)  # the source is blocked in its thread
    record.release.set()
    assert record.closed.wait(5)
    assert record.returned.wait(5)


def test_resume_replays_the_history_after_last_event_id(server: Any) -> None:
    """A Last-Event-ID found in the history replays the events after it, then live ones."""
    url = server.url(f"/resume?t={_token()}")
    with Client() as client, client.stream("GET", url, headers={"Last-Event-ID": "2"}) as stream:
        events = list(stream)
    assert _fields(events) == [*EVENTS[2:], ("message", "live", "5")]


def test_unknown_last_event_id_replays_nothing(server: Any) -> None:
    """A Last-Event-ID the history lacks replays nothing; live events follow."""
    url = server.url(f"/resume?t={_token()}")
    with Client() as client, client.stream("GET", url, headers={"Last-Event-ID": "x"}) as stream:
        assert _fields(list(stream)) == [("message", "live", "5")]


def test_keepalive_comments_arrive_on_an_idle_stream(server: Any) -> None:
    """An idle stream sends a keepalive comment every interval."""
    token = _token()
    url = server.url(f"/idle?t={token}")
    with Client() as client, client.stream("GET", url, comments=True) as stream:
        items = iter(stream)
        first = next(items)
        comments = [next(items) for _ in range(3)]
    assert isinstance(first, Event)
    assert first.data == "ready"
    assert comments == [Comment("")] * 3
    assert probe(token).closed.wait(5), "the source was not closed when the client left"


def test_disconnect_mid_stream_closes_the_source(server: Any) -> None:
    """A client that closes mid-stream ends the source promptly, and the app returns."""
    token = _token()
    with RawClient(server.port) as raw:
        raw.get(f"/idle?t={token}")
        raw.read_until(b"data: ready")
    record = probe(token)
    assert record.closed.wait(5), "the source was not closed"
    assert record.returned.wait(5), "the response did not return"


def test_a_client_that_stops_reading_is_dropped(server: Any) -> None:
    """A client that stops reading is dropped after send_timeout; the source is
    closed and has produced a bounded amount."""
    token = _token()
    record = probe(token)
    with RawClient(server.port, receive_buffer=4096) as raw:
        raw.get(f"/endless?t={token}")
        assert record.started.wait(5)
        if isinstance(server, HypercornThread) and server.worker == "trio":
            # hypercorn's trio worker shields its socket writes from
            # cancellation, so no ASGI app can time one out there: the
            # response waits until the client goes.
            assert not record.returned.wait(3 * SEND_TIMEOUT)
        else:
            assert record.returned.wait(20), "the response did not give up on the client"
    assert record.returned.wait(5)
    assert record.closed.wait(5)
    # What the socket buffers of both ends and the server's own buffer hold, at most.
    assert record.produced * BIG < 32 * 1024 * 1024


def test_shutdown_signal_ends_open_streams_cleanly(server: Any) -> None:
    """Shutdown.set() ends an open stream with a clean end of body."""
    token = _token()
    with Client() as client, client.stream("GET", server.url(f"/idle?t={token}")) as stream:
        items = iter(stream)
        assert next(items).data == "ready"
        assert client.request("GET", server.url(f"/stop?t={token}")).status == 204
        assert list(items) == []  # the body ended without an error
    assert probe(token).closed.wait(5)


def test_an_error_of_the_source_breaks_the_response(server: Any) -> None:
    """An error of the source reaches the server, which cuts the body short."""
    token = _token()
    with (
        Client() as client,
        client.stream("GET", server.url(f"/boom?t={token}")) as stream,
        pytest.raises(IncompleteBody),
    ):
        for _ in stream:
            pass
    assert probe(token).closed.wait(5)


@pytest.mark.parametrize("worker", ["asyncio", "trio"])
def test_server_shutdown_with_an_open_stream_cancels_it(worker: str) -> None:
    """A server that stops with a stream open cancels it: the source is closed
    and the connection too."""
    token = _token()
    server = HypercornThread(worker)
    server.start()
    try:
        with RawClient(server.port) as raw:
            raw.get(f"/idle?t={token}")
            raw.read_until(b"data: ready")
            stopping = threading.Thread(target=server.stop)
            stopping.start()
            raw.read_to_eof()
            stopping.join(20)
            assert not stopping.is_alive()
    finally:
        server.stop()
    assert probe(token).closed.is_set()
    assert probe(token).returned.is_set()


def test_a_starlette_route_returns_the_response() -> None:
    """A Starlette endpoint returns EventStreamResponse; a factory gets Last-Event-ID."""

    async def numbers(last_event_id: str | None) -> Any:
        start = int(last_event_id or 0)
        for n in range(start + 1, start + 4):
            yield ServerEvent(f"n{n}", id=str(n))

    async def endpoint(request: Request) -> EventStreamResponse:
        return EventStreamResponse(numbers, headers=[("X-Route", "numbers")])

    app = Starlette(routes=[Route("/numbers", endpoint)])
    with StarletteServer(app) as server, Client() as client:
        url = server.url("/numbers")
        with client.stream("GET", url, headers={"Last-Event-ID": "7"}) as stream:
            assert stream.header("x-route") == "numbers"
            events = list(stream)
    assert _fields(events) == [("message", f"n{n}", str(n)) for n in (8, 9, 10)]
