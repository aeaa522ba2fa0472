"""Every way to open an event stream works, on every client, and the request
is sent when the documented rule says.

Blocking clients send the request when ``stream()`` is called. Async
streams open when awaited, entered or first iterated: ``async with``,
``await``, ``async with await`` and a bare ``async for`` all read the same
events, and none leaves a coroutine never awaited (``filterwarnings =
error`` would fail the test).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

import httpx
import pytest
import trio

from sseproto import Event
from sseproto.adapters import (
    AsyncClientBase,
    AsyncEventStream,
    SyncClientBase,
    Timeouts,
)
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.httpx import Client as HttpxClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.adapters.trio import Client as TrioClient

from .test_adapters_cancel import asyncio_client, trio_client
from .test_adapters_memory import LoopbackServer

SAFE = Timeouts(connect=10, read=10)

BODY = b"retry: 1500\nid: 7\ndata: one\n\nid: 8\ndata: two\n\nid: 9\n\n"
EVENTS = [Event("message", "one", "7"), Event("message", "two", "8")]


class TwoEvents:
    """Serves two events (then an ``id`` alone, which dispatches nothing) and
    ends the body; counts the requests it received."""

    def __init__(self) -> None:
        self.requests = 0
        self.received = threading.Event()
        self._server = LoopbackServer(self._handle)
        self.url = self._server.url("/events")

    def _handle(self, conn: socket.socket, head: bytes) -> None:
        self.requests += 1
        self.received.set()
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
        )

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def server() -> Iterator[TwoEvents]:
    running = TwoEvents()
    try:
        yield running
    finally:
        running.close()


# -- blocking: sent when called -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "httpx"])
def test_sync_stream_sends_the_request_when_called(server: TwoEvents, kind: str) -> None:
    """A blocking client's stream() returns the stream open: the request is sent."""
    with contextlib.ExitStack() as stack:
        client: SyncClientBase
        if kind == "sync":
            client = stack.enter_context(SyncClient(timeouts=SAFE))
        else:
            http = stack.enter_context(httpx.Client())
            client = stack.enter_context(HttpxClient(http, timeouts=SAFE))
        stream = client.stream("GET", server.url)
        assert server.received.wait(5)
        assert stream.status == 200
        with stream:
            assert list(stream) == EVENTS
        assert server.requests == 1


# -- async: sent when awaited, entered or first iterated ----------------------------------------

Open = Callable[[AsyncClientBase, str], Awaitable[list[Event]]]


async def with_async_with(client: AsyncClientBase, url: str) -> list[Event]:
    async with client.stream("GET", url) as stream:
        return [event async for event in stream]


async def with_await(client: AsyncClientBase, url: str) -> list[Event]:
    stream = await client.stream("GET", url)
    assert stream.status == 200
    try:
        return [event async for event in stream]
    finally:
        await stream.aclose()


async def with_async_with_await(client: AsyncClientBase, url: str) -> list[Event]:
    async with await client.stream("GET", url) as stream:
        return [event async for event in stream]


async def with_async_for(client: AsyncClientBase, url: str) -> list[Event]:
    return [event async for event in client.stream("GET", url)]


FORMS = [with_async_with, with_await, with_async_with_await, with_async_for]


def run_asyncio(main: Callable[[], Coroutine[Any, Any, list[Event]]]) -> list[Event]:
    return asyncio.run(main())


RUNS = [
    pytest.param(run_asyncio, asyncio_client, kind, id=f"asyncio-{kind}")
    for kind in ("asyncio", "auto", "httpx")
] + [
    pytest.param(trio.run, trio_client, kind, id=f"trio-{kind}")
    for kind in ("trio", "auto", "httpx")
]


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.__name__)
@pytest.mark.parametrize(("run", "client_for", "kind"), RUNS)
def test_async_forms(
    server: TwoEvents,
    run: Callable[[Callable[[], Coroutine[Any, Any, list[Event]]]], list[Event]],
    client_for: Callable[[str], contextlib.AbstractAsyncContextManager[AsyncClientBase]],
    kind: str,
    form: Open,
) -> None:
    """async with, await, async with await and a bare async for read the same
    events, under asyncio and trio."""

    async def main() -> list[Event]:
        async with client_for(kind) as client:
            return await form(client, server.url)

    assert run(main) == EVENTS
    assert server.requests == 1


def test_async_stream_sends_nothing_until_awaited(server: TwoEvents) -> None:
    """An async stream that is made but never awaited, entered or iterated sends nothing."""

    async def main() -> None:
        async with AsyncioClient(timeouts=SAFE) as client:
            stream = client.stream("GET", server.url)
            await asyncio.sleep(0.1)
            assert server.requests == 0
            with pytest.raises(RuntimeError, match="not open yet"):
                _ = stream.status
            await stream.aclose()

    asyncio.run(main())
    assert server.requests == 0


# -- last_event_id and retry --------------------------------------------------------------------


def test_sync_stream_exposes_last_event_id_and_retry(server: TwoEvents) -> None:
    """EventStream.last_event_id and retry are the parser's, as the body is read."""
    with SyncClient(timeouts=SAFE) as client, client.stream("GET", server.url) as stream:
        assert (stream.last_event_id, stream.retry) == ("", None)
        assert list(stream) == EVENTS
        # The last block sets the ID without dispatching an event.
        assert (stream.last_event_id, stream.retry) == ("9", 1500)


def test_async_stream_exposes_last_event_id_and_retry(server: TwoEvents) -> None:
    """AsyncEventStream.last_event_id and retry, as for the blocking stream."""

    async def main() -> tuple[str, int | None]:
        async with AsyncioClient(timeouts=SAFE) as client:
            stream: AsyncEventStream[Event] = await client.stream("GET", server.url)
            async with stream:
                assert await anext(stream) == EVENTS[0]
                assert stream.retry == 1500
                assert stream.last_event_id in ("7", "8", "9")  # as far as the parser read
                assert [event async for event in stream] == EVENTS[1:]
                return stream.last_event_id, stream.retry

    assert asyncio.run(main()) == ("9", 1500)


# -- a pump under the wrong async library -------------------------------------------------------


def test_trio_client_under_asyncio_names_both_libraries(server: TwoEvents) -> None:
    """The trio client under asyncio raises RuntimeError naming both, and sends nothing."""

    async def main() -> None:
        async with TrioClient(timeouts=SAFE) as client:
            with pytest.raises(RuntimeError, match=r"^this client runs under trio, not asyncio$"):
                await client.stream("GET", server.url)

    asyncio.run(main())
    assert server.requests == 0


def test_asyncio_client_under_trio_names_both_libraries(server: TwoEvents) -> None:
    """The asyncio client under trio raises RuntimeError naming both, and sends nothing."""

    async def main() -> None:
        async with AsyncioClient(timeouts=SAFE) as client:
            with pytest.raises(RuntimeError, match=r"^this client runs under asyncio, not trio$"):
                await client.request("GET", server.url)

    trio.run(main)
    assert server.requests == 0
