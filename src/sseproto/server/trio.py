"""A small HTTP/1.1 event-stream server on trio (h11 in the server role).

The same server as :mod:`sseproto.server.asyncio`, on trio's streams::

    async with serve(handler) as server:
        ...  # server.url("/events") serves until the block ends

Needs the ``trio`` extra.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Unpack

import trio

from ._connection import Handler, ServerConfig, ServerSettings, serve_connection
from ._hub_driver import Subscription
from ._hub_trio import TrioHub
from ._pump import ClientGone, Shutdown
from ._serving import RECEIVE_SIZE, Server

__all__ = ["Server", "ServerSettings", "Shutdown", "Subscription", "TrioHub", "serve"]


@contextlib.asynccontextmanager
async def serve(
    handler: Handler, host: str = "127.0.0.1", port: int = 0, **settings: Unpack[ServerSettings]
) -> AsyncIterator[Server]:
    """Serve event streams on ``host``:``port`` while the block runs.

    The contract of :func:`sseproto.server.asyncio.serve`, under trio.

    Raises:
        OSError: the address cannot be bound.
    """
    config = ServerConfig.of(handler, settings)

    async def connected(stream: trio.SocketStream) -> None:
        async def read() -> bytes:
            try:
                return await stream.receive_some(RECEIVE_SIZE)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return b""

        async def write(data: bytes) -> None:
            try:
                await stream.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
                raise ClientGone from exc

        try:
            await serve_connection(config, read, write)
        finally:
            await stream.aclose()

    listeners = await trio.open_tcp_listeners(port, host=host)
    bound = listeners[0].socket.getsockname()
    async with trio.open_nursery() as connections:
        accepting = trio.CancelScope()

        async def accept() -> None:
            with accepting:
                await trio.serve_listeners(connected, listeners, handler_nursery=connections)

        connections.start_soon(accept)
        try:
            yield Server(host=bound[0], port=bound[1])
        finally:
            accepting.cancel()
            for listener in listeners:
                await listener.aclose()
            config.shutdown.set()
            connections.cancel_scope.deadline = trio.current_time() + config.shutdown_timeout
