"""A small HTTP/1.1 event-stream server on asyncio (h11 in the server role).

::

    async with serve(handler) as server:
        ...  # server.url("/events") serves until the block ends

``handler(request)`` is called for each request with an
:class:`~sseproto.http.IncomingRequest` and returns the events to stream
(an async or sync iterable of :class:`sseproto.ServerEvent` or ``str``), a
hub to subscribe the client to, or ``None`` for 404. Every decision about HTTP is
:class:`sseproto.http.ServerExchange`'s, every decision about the stream
:class:`sseproto.ServerStream`'s; this module accepts connections, reads,
writes and closes them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Unpack

from ._connection import Handler, ServerConfig, ServerSettings, serve_connection
from ._hub_asyncio import AsyncHub
from ._hub_driver import Subscription
from ._pump import ClientGone, Shutdown
from ._serving import RECEIVE_SIZE, Server

__all__ = ["AsyncHub", "Server", "ServerSettings", "Shutdown", "Subscription", "serve"]


@contextlib.asynccontextmanager
async def serve(
    handler: Handler, host: str = "127.0.0.1", port: int = 0, **settings: Unpack[ServerSettings]
) -> AsyncIterator[Server]:
    """Serve event streams on ``host``:``port`` (0: any free port) while the block runs.

    Yields a :class:`Server` (``port`` is the bound one). ``settings`` are
    :class:`ServerSettings`: ``methods``, ``headers``, ``send_timeout``,
    ``read_timeout``, ``shutdown_timeout`` and the
    :class:`sseproto.ServerStream` options of each stream. A client that
    sends no request within ``read_timeout`` seconds is disconnected, and
    one that takes more than ``send_timeout`` to take a write is dropped.

    On exit the listening socket closes, then every open stream ends
    gracefully (its source is closed, queued events are written, the body
    ends) and idle connections close; connections still open after
    ``shutdown_timeout`` seconds are cancelled. No task is left running.

    Raises:
        OSError: the address cannot be bound.
    """
    config = ServerConfig.of(handler, settings)
    tasks: set[asyncio.Task[None]] = set()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)

        async def read() -> bytes:
            try:
                return await reader.read(RECEIVE_SIZE)
            except OSError:
                return b""

        transport = writer.transport

        async def write(data: bytes) -> None:
            if transport.is_closing():
                raise ClientGone("the connection is closing")
            try:
                writer.write(data)
                # Most writes go out at once; drain() only when some bytes
                # wait in the transport (it waits while they pass its limit).
                if transport.get_write_buffer_size():
                    await writer.drain()
            except OSError as exc:  # ConnectionResetError, BrokenPipeError
                raise ClientGone from exc

        def try_write(take: Callable[[], bytes]) -> bool:
            # Only into an empty transport buffer: a client that keeps up
            # gets the bytes at once, one that does not goes through write().
            if transport.is_closing() or transport.get_write_buffer_size():
                return False
            data = take()
            if data:
                transport.write(data)
            return True

        clean = False
        try:
            clean = await serve_connection(config, read, write, try_write)
        finally:
            tasks.discard(task)
            if not clean:
                writer.transport.abort()
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    listener = await asyncio.start_server(connected, host, port)
    try:
        bound = listener.sockets[0].getsockname()
        yield Server(host=bound[0], port=bound[1])
    finally:
        listener.close()
        config.shutdown.set()
        if tasks:
            _, late = await asyncio.wait(set(tasks), timeout=config.shutdown_timeout)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        await listener.wait_closed()
