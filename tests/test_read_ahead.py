"""A slow consumer's connection holds at most one read of the body ahead.

The server writes 10 MB of events as fast as the connection takes them;
the consumer takes one batch of items and then waits while the event loop
runs (or, blocking, simply waits). What the client then holds for the
stream (traced by ``tracemalloc``) stays under the batch being consumed
(one read, ``RECEIVE_SIZE``), the parser's pending line, the stream's fixed
objects and, for asyncio, one read buffered ahead: the rest of the body
waits in the kernel, where TCP flow control stops the server.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator

import pytest
import trio

from sseproto.adapters import Timeouts
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.adapters.trio import Client as TrioClient
from sseproto.http import RECEIVE_SIZE

from .servers.tls import client_context, server_context
from .test_adapters_memory import SSE_HEAD, LoopbackServer

SAFE = Timeouts(connect=10, read=10)

#: One event: a 1 KiB data line.
EVENT = b"data: " + b"x" * 1024 + b"\n\n"

#: Bytes the server writes at most, a block at a time.
TOTAL = 10_000_000
BLOCK = EVENT * 64

#: The stream's own objects (connection, exchange, parser, flow, driver)
#: and what the allocator rounds up; far below one more read.
FIXED = 32 * 1024

#: The most the client may hold while its consumer waits: the items of the
#: read being consumed (about one read of text), the parser's pending line
#: and the fixed objects. The blocking and trio clients read only when asked.
BOUND = RECEIVE_SIZE + len(EVENT) + FIXED

#: The asyncio client's loop reads on while the consumer works, at most one
#: more read: then it stops reading until that read is taken.
ASYNCIO_BOUND = BOUND + RECEIVE_SIZE

#: How long the consumer waits with a batch taken.
PAUSE = 0.3


def serve_fast(conn: socket.socket, head: bytes) -> None:
    """Events as fast as the client takes them, until TOTAL or the client leaves."""
    conn.sendall(SSE_HEAD + b"Connection: close\r\n\r\n")
    sent = 0
    while sent < TOTAL:
        conn.sendall(BLOCK)
        sent += len(BLOCK)


@pytest.fixture
def fast_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer(serve_fast)
    try:
        yield server
    finally:
        server.close()


def _held() -> int:
    """Bytes traced now; the baseline is taken after a first stream, so
    that lazy imports and first-use caches are not counted."""
    return tracemalloc.get_traced_memory()[0]


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def test_sync_slow_consumer_holds_one_read(fast_server: LoopbackServer, traced: None) -> None:
    """The blocking client holds at most one read ahead of a slow consumer."""
    with SyncClient(timeouts=SAFE) as client:
        with client.stream("GET", fast_server.url("/warm-up")) as stream:
            stream.next_items()
        before = _held()
        with client.stream("GET", fast_server.url("/fast")) as stream:
            for _ in range(3):
                assert stream.next_items()
                time.sleep(PAUSE)
                held = _held() - before
                assert held < BOUND, f"{held} bytes held, more than {BOUND}"


async def _consume_slowly(
    client: AsyncioClient | TrioClient,
    url: str,
    sleep: Callable[[float], Awaitable[object]],
    bound: int,
) -> None:
    """A first stream (the baseline follows it), then a slow consumer of
    ``url``, checking what is held after each pause."""
    async with client:
        async with client.stream("GET", url + "/warm-up") as stream:
            await stream.next_items()
        before = _held()
        async with client.stream("GET", url + "/fast") as stream:
            for _ in range(3):
                assert await stream.next_items()
                await sleep(PAUSE)
                held = _held() - before
                assert held < bound, f"{held} bytes held, more than {bound}"


def test_asyncio_slow_consumer_holds_one_read(fast_server: LoopbackServer, traced: None) -> None:
    """The asyncio client stops reading once one read waits for a slow consumer."""
    client = AsyncioClient(timeouts=SAFE)
    asyncio.run(_consume_slowly(client, fast_server.url(""), asyncio.sleep, ASYNCIO_BOUND))


def test_trio_slow_consumer_holds_one_read(fast_server: LoopbackServer, traced: None) -> None:
    """The trio client holds at most one read ahead of a slow consumer."""
    client = TrioClient(timeouts=SAFE)
    trio.run(_consume_slowly, client, fast_server.url(""), trio.sleep, BOUND)


#: A TLS body of many reads, less than what asyncio's SSL layer reads ahead
#: of a paused consumer: the server's close arrives while the consumer waits.
TLS_EVENTS = 150


def _serve_tls_then_close(listener: socket.socket) -> None:
    """One TLS connection: the whole body at once, then a close without
    close_notify (as a server that drops its socket does)."""
    raw, _ = listener.accept()
    with server_context().wrap_socket(raw, server_side=True) as conn:
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(4096)
        body = b"".join(b"id: %d\n" % index + EVENT for index in range(TLS_EVENTS))
        conn.sendall(SSE_HEAD + b"Connection: close\r\n\r\n" + body)


@pytest.mark.parametrize("pause", [0.0, PAUSE])
def test_asyncio_tls_tail_survives_a_paused_consumer(pause: float) -> None:
    """A TLS server writes many reads' worth and closes while the consumer
    waits: every event still arrives, the last one included."""

    async def main(port: int) -> list[str]:
        client = AsyncioClient(timeouts=SAFE, ssl_context=client_context())
        async with client, client.stream("GET", f"https://localhost:{port}/tls") as stream:
            ids = [item.id for item in await stream.next_items()]
            await asyncio.sleep(pause)
            ids += [event.id async for event in stream]
        return ids

    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(10)
        server = threading.Thread(target=_serve_tls_then_close, args=(listener,))
        server.start()
        try:
            ids = asyncio.run(main(listener.getsockname()[1]))
        finally:
            server.join(10)
    assert ids == [str(index) for index in range(TLS_EVENTS)]


#: An event far larger than a read: what it costs to keep one in memory
#: after it was handed over is easy to tell apart from the stream's own
#: objects.
BIG = 512 * 1024


def _serve_big_then_stall(conn: socket.socket, head: bytes) -> None:
    """A small event, a BIG one, then silence for a while, then the end."""
    conn.sendall(SSE_HEAD + b"Connection: close\r\n\r\n" + b"id: small\ndata: x\n\n")
    time.sleep(0.2)
    conn.sendall(b"id: big\ndata: " + b"y" * BIG + b"\n\n")
    time.sleep(1.0)
    conn.sendall(b"id: last\ndata: z\n\n")


async def _hold_while_waiting(url: str) -> tuple[list[str], int]:
    """Read the stream one item at a time; while the read after the big
    event waits, measure what the process holds beyond the stream's start."""
    ids: list[str] = []
    held = 0
    async with AsyncioClient(timeouts=SAFE) as client, client.stream("GET", url) as stream:
        ids.append((await anext(stream)).id)
        before = _held()
        ids.append((await anext(stream)).id)
        waiting = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.5)
        held = _held() - before
        ids.append((await waiting).id)
    return ids, held


def test_a_taken_event_is_not_kept_while_the_next_read_waits(traced: None) -> None:
    """Once every item of a read was taken, neither the items nor the bytes
    they came from stay referenced while the stream waits for more."""
    server = LoopbackServer(_serve_big_then_stall)
    try:
        ids, held = asyncio.run(_hold_while_waiting(server.url("/big")))
    finally:
        server.close()
    assert ids == ["small", "big", "last"]
    # Without the release the big event's data (BIG bytes) is still held.
    assert held < BIG // 4, f"{held} bytes held while waiting"
