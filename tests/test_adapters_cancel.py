"""Leaving a stream early closes its connection at once, whatever the way out.

A loopback server sends one event and then stalls, watching its end of the
connection: when ``recv()`` returns ``b""`` or the connection is reset, the
client has let go. Each test leaves the stream one way (``break`` without
``with``, ``close()``, an exception inside ``with``, task cancellation, a
trio cancel scope, ``aclose()``, dropping the last reference) and checks
that the server saw the close while the client object was still alive. The
server waits up to 5 s for it; the assertion is only that it happened.

``filterwarnings = error`` turns any unclosed socket (``ResourceWarning``)
into a failure; tests that drop references collect garbage before the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import trio

from sseproto import Event
from sseproto.adapters import AsyncClient, AsyncClientBase, SyncClientBase, Timeouts
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.httpx import AsyncClient as HttpxAsyncClient
from sseproto.adapters.httpx import Client as HttpxClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.adapters.trio import Client as TrioClient

from .test_adapters_memory import LoopbackServer

SAFE = Timeouts(connect=10, read=10)

#: How long the server waits for the client to close: generous, never asserted on.
CLOSE_WAIT = 5.0

FIRST = Event("message", "first", "1")
FIRST_BYTES = b"id: 1\ndata: first\n\n"


class StallServer:
    """Sends the head and one event (chunked), then waits for the client to go."""

    def __init__(self) -> None:
        #: Set when the client closed or reset the connection.
        self.closed = threading.Event()
        self._server = LoopbackServer(self._handle)
        self.url = self._server.url("/events")

    def _handle(self, conn: socket.socket, head: bytes) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            b"%x\r\n%s\r\n" % (len(FIRST_BYTES), FIRST_BYTES)
        )
        conn.settimeout(CLOSE_WAIT)
        try:
            while conn.recv(4096):
                pass
        except TimeoutError:
            return
        except OSError:
            pass  # reset by the client: it let go too
        self.closed.set()

    def wait_closed(self) -> bool:
        """Whether the client's connection closed within CLOSE_WAIT seconds."""
        return self.closed.wait(CLOSE_WAIT)

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def stall() -> Iterator[StallServer]:
    server = StallServer()
    try:
        yield server
    finally:
        server.close()


# -- blocking clients ---------------------------------------------------------------------------


@contextlib.contextmanager
def sync_client(kind: str) -> Iterator[SyncClientBase]:
    if kind == "sync":
        with SyncClient(timeouts=SAFE) as client:
            yield client
    else:
        with httpx.Client() as http, HttpxClient(http, timeouts=SAFE) as wrapped:
            yield wrapped


SYNC_KINDS = ["sync", "httpx"]


@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_sync_break_without_with(stall: StallServer, kind: str) -> None:
    """break out of a for loop over a stream (no with) closes the connection at once."""
    with sync_client(kind) as client:
        got: list[Event] = []
        for event in client.stream("GET", stall.url):
            got.append(event)
            break
        assert stall.wait_closed(), "the server did not see the client let go"
        assert got == [FIRST]
    gc.collect()


@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_sync_close(stall: StallServer, kind: str) -> None:
    """close() closes the connection and ends the iteration."""
    with sync_client(kind) as client:
        stream = client.stream("GET", stall.url)
        assert next(stream) == FIRST
        stream.close()
        assert stall.wait_closed()
        assert list(stream) == []
        stream.close()  # idempotent


def _raise_inside(client: SyncClientBase, url: str) -> None:
    with client.stream("GET", url) as stream:
        assert next(stream) == FIRST
        raise KeyError("boom")


@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_sync_exception_inside_with(stall: StallServer, kind: str) -> None:
    """An exception inside with closes the connection on its way out."""
    with sync_client(kind) as client:
        with pytest.raises(KeyError):
            _raise_inside(client, stall.url)
        assert stall.wait_closed()


@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_sync_subscription_break(stall: StallServer, kind: str) -> None:
    """break out of a subscription closes its connection at once."""
    with sync_client(kind) as client:
        for event in client.subscribe(stall.url):
            assert event == FIRST
            break
        assert stall.wait_closed()
    gc.collect()


@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_sync_dropped_stream(stall: StallServer, kind: str) -> None:
    """Dropping the last reference to an open stream closes its connection."""
    with sync_client(kind) as client:
        stream = client.stream("GET", stall.url)
        assert next(stream) == FIRST
        del stream
        gc.collect()
        assert stall.wait_closed()


# -- asyncio -----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def asyncio_client(kind: str) -> AsyncIterator[AsyncClientBase]:
    if kind == "asyncio":
        async with AsyncioClient(timeouts=SAFE) as client:
            yield client
    elif kind == "auto":
        async with AsyncClient(timeouts=SAFE) as auto:
            yield auto
    else:
        async with httpx.AsyncClient() as http, HttpxAsyncClient(http, timeouts=SAFE) as wrapped:
            yield wrapped


ASYNCIO_KINDS = ["asyncio", "auto", "httpx"]


async def _asyncio_closed(stall: StallServer) -> bool:
    return await asyncio.to_thread(stall.wait_closed)


@pytest.mark.parametrize("kind", ASYNCIO_KINDS)
def test_asyncio_task_cancelled_while_waiting(stall: StallServer, kind: str) -> None:
    """Cancelling a task waiting for the next event closes the connection."""

    async def main() -> bool:
        async with asyncio_client(kind) as client:
            received = asyncio.Event()

            async def consume() -> None:
                async with client.stream("GET", stall.url) as stream:
                    async for event in stream:
                        assert event == FIRST
                        received.set()

            task = asyncio.create_task(consume())
            await received.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return await _asyncio_closed(stall)

    assert asyncio.run(main())


@pytest.mark.parametrize("kind", ASYNCIO_KINDS)
def test_asyncio_timeout_while_waiting(stall: StallServer, kind: str) -> None:
    """asyncio.timeout around a wait for the next event closes the connection."""

    async def main() -> bool:
        async with asyncio_client(kind) as client:
            stream = client.stream("GET", stall.url)
            async with stream:
                assert await anext(stream) == FIRST
                with pytest.raises(TimeoutError):
                    async with asyncio.timeout(0.2):
                        await anext(stream)
                return await _asyncio_closed(stall)

    assert asyncio.run(main())


@pytest.mark.parametrize("kind", ASYNCIO_KINDS)
def test_asyncio_aclose(stall: StallServer, kind: str) -> None:
    """aclose() closes the connection; the iteration then ends."""

    async def main() -> bool:
        async with asyncio_client(kind) as client:
            stream = client.stream("GET", stall.url)
            assert await anext(stream) == FIRST
            await stream.aclose()
            closed = await _asyncio_closed(stall)
            assert [event async for event in stream] == []
            await stream.aclose()  # idempotent
            return closed

    assert asyncio.run(main())


async def _araise_inside(client: AsyncClientBase, url: str) -> None:
    async with client.stream("GET", url) as stream:
        assert await anext(stream) == FIRST
        raise KeyError("boom")


@pytest.mark.parametrize("kind", ASYNCIO_KINDS)
def test_asyncio_exception_inside_async_with(stall: StallServer, kind: str) -> None:
    """An exception inside async with closes the connection."""

    async def main() -> bool:
        async with asyncio_client(kind) as client:
            with pytest.raises(KeyError):
                await _araise_inside(client, stall.url)
            return await _asyncio_closed(stall)

    assert asyncio.run(main())


@pytest.mark.parametrize("kind", ASYNCIO_KINDS)
def test_asyncio_subscription_cancelled(stall: StallServer, kind: str) -> None:
    """Cancelling a task iterating a subscription closes its connection."""

    async def main() -> bool:
        async with asyncio_client(kind) as client:
            received = asyncio.Event()

            async def consume() -> None:
                async with client.subscribe(stall.url) as subscription:
                    async for event in subscription:
                        assert event == FIRST
                        received.set()

            task = asyncio.create_task(consume())
            await received.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return await _asyncio_closed(stall)

    assert asyncio.run(main())


@pytest.mark.parametrize("kind", ["asyncio", "auto"])
def test_asyncio_dropped_stream(stall: StallServer, kind: str) -> None:
    """Dropping the last reference to an open asyncio stream closes its connection."""

    async def main() -> bool:
        async with asyncio_client(kind) as client:
            stream = client.stream("GET", stall.url)
            assert await anext(stream) == FIRST
            del stream
            gc.collect()
            return await _asyncio_closed(stall)

    assert asyncio.run(main())
    gc.collect()


# -- trio --------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def trio_client(kind: str) -> AsyncIterator[AsyncClientBase]:
    if kind == "trio":
        async with TrioClient(timeouts=SAFE) as client:
            yield client
    elif kind == "auto":
        async with AsyncClient(timeouts=SAFE) as auto:
            yield auto
    else:
        async with httpx.AsyncClient() as http, HttpxAsyncClient(http, timeouts=SAFE) as wrapped:
            yield wrapped


TRIO_KINDS = ["trio", "auto", "httpx"]


async def _trio_closed(stall: StallServer) -> bool:
    return await trio.to_thread.run_sync(stall.wait_closed)


@pytest.mark.parametrize("kind", TRIO_KINDS)
def test_trio_move_on_after_while_waiting(stall: StallServer, kind: str) -> None:
    """A trio cancel scope that expires while waiting for an event closes the connection."""

    async def main() -> bool:
        async with trio_client(kind) as client, client.stream("GET", stall.url) as stream:
            assert await anext(stream) == FIRST
            with trio.move_on_after(0.2) as scope:
                await anext(stream)
            assert scope.cancelled_caught
            return await _trio_closed(stall)

    assert trio.run(main)


@pytest.mark.parametrize("kind", TRIO_KINDS)
def test_trio_cancelled_task(stall: StallServer, kind: str) -> None:
    """Cancelling a nursery whose task waits for an event closes the connection."""

    async def main() -> bool:
        async with trio_client(kind) as client:
            received = trio.Event()

            async def consume() -> None:
                async with client.stream("GET", stall.url) as stream:
                    async for event in stream:
                        assert event == FIRST
                        received.set()

            async with trio.open_nursery() as nursery:
                nursery.start_soon(consume)
                await received.wait()
                nursery.cancel_scope.cancel()
            return await _trio_closed(stall)

    assert trio.run(main)


@pytest.mark.parametrize("kind", TRIO_KINDS)
def test_trio_aclose(stall: StallServer, kind: str) -> None:
    """aclose() closes the connection; the iteration then ends."""

    async def main() -> bool:
        async with trio_client(kind) as client:
            stream = client.stream("GET", stall.url)
            assert await anext(stream) == FIRST
            await stream.aclose()
            closed = await _trio_closed(stall)
            assert [event async for event in stream] == []
            return closed

    assert trio.run(main)


@pytest.mark.parametrize("kind", TRIO_KINDS)
def test_trio_subscription_move_on_after(stall: StallServer, kind: str) -> None:
    """A cancel scope around a subscription's wait closes its connection."""

    async def main() -> bool:
        async with trio_client(kind) as client, client.subscribe(stall.url) as subscription:
            assert await anext(subscription) == FIRST
            with trio.move_on_after(0.2) as scope:
                await anext(subscription)
            assert scope.cancelled_caught
            return await _trio_closed(stall)

    assert trio.run(main)


@pytest.mark.parametrize("kind", ["trio", "auto"])
def test_trio_dropped_stream(stall: StallServer, kind: str) -> None:
    """Dropping the last reference to an open trio stream closes its connection."""

    async def main() -> bool:
        async with trio_client(kind) as client:
            stream = client.stream("GET", stall.url)
            assert await anext(stream) == FIRST
            del stream
            gc.collect()
            return await _trio_closed(stall)

    assert trio.run(main)
    gc.collect()
