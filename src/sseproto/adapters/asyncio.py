"""The asyncio adapter: ``asyncio`` streams, with ``ssl`` for ``https://``.

::

    from sseproto.adapters.asyncio import Client

    async with Client() as client:
        async with client.stream("GET", "https://example.com/events") as stream:
            async for event in stream:
                print(event.type, event.data)

See :class:`~sseproto.adapters._runners.AsyncClientBase` for ``stream()``,
``request()`` and ``subscribe()``; this module only moves bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Generator
from typing import Any

from ._errors import DEFAULT_MAX_REDIRECTS, Timeouts
from ._flows import Sleep
from ._pool import (
    DEFAULT_IDLE_EXPIRY,
    DEFAULT_MAX_IDLE_PER_ORIGIN,
    RECEIVE_SIZE,
    CheckIdle,
    CloseConnection,
    ConnectionPool,
    HTTP11Flow,
    OpenConnection,
    ReceiveBytes,
    SendBytes,
)
from ._runners import AsyncClientBase, AsyncRunner

__all__ = ["Client"]

_DEFAULT_TIMEOUTS = Timeouts()

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def _close(conn: Connection) -> None:
    """Close at once: abort() drops the transport without waiting to flush
    or for a TLS close_notify, which is what abandoning a stream needs."""
    writer = conn[1]
    # From __del__ after the loop closed, the transport cannot be touched:
    # the loop's own close released it already.
    with contextlib.suppress(RuntimeError):
        writer.transport.abort()
        writer.close()


async def _quiet(conn: Connection) -> bool:
    """Whether nothing can be read from ``conn`` now, without waiting: the
    reader returns buffered bytes, the end of file or the connection's error
    at once, and only otherwise waits, which the zero timeout cuts short."""
    reader, writer = conn
    if writer.is_closing():
        return False
    try:
        async with asyncio.timeout(0):
            await reader.read(1)
    except TimeoutError:
        return True
    except OSError:
        return False
    return False


class _Runner(AsyncRunner):
    __slots__ = ("_client", "_flow")

    def __init__(self, client: Client, flow: HTTP11Flow[Any], gen: Generator[Any, Any, Any]):
        super().__init__(gen)
        self._client = client
        self._flow = flow

    async def perform(self, op: Any) -> Any:
        kind = type(op)
        if kind is ReceiveBytes:
            reader: asyncio.StreamReader = op.conn[0]
            try:
                async with asyncio.timeout(op.timeout):
                    return await reader.read(RECEIVE_SIZE)
            except TimeoutError:
                return None
        if kind is SendBytes:
            writer: asyncio.StreamWriter = op.conn[1]
            writer.write(op.data)
            try:
                async with asyncio.timeout(op.timeout):
                    await writer.drain()
            except TimeoutError:
                return None
            return True
        if kind is CheckIdle:
            return await _quiet(op.conn)
        if kind is OpenConnection:
            return await self._client._connect(op)
        if kind is CloseConnection:
            _close(op.conn)
            return None
        if kind is Sleep:
            await asyncio.sleep(op.seconds)
            return None
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    def release(self) -> None:
        for conn in self._flow.abandon():
            _close(conn)


class Client(AsyncClientBase):
    """An asyncio SSE client over asyncio streams, with a pool of keep-alive
    connections. The arguments are those of
    :class:`sseproto.adapters.sync.Client`. Use it from one event loop.
    """

    __slots__ = ("_pool", "_ssl_context")

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeouts: Timeouts = _DEFAULT_TIMEOUTS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        max_idle_per_origin: int = DEFAULT_MAX_IDLE_PER_ORIGIN,
        idle_expiry: float = DEFAULT_IDLE_EXPIRY,
    ) -> None:
        self._configure(timeouts, max_redirects)
        self._ssl_context = ssl_context
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            max_idle_per_origin=max_idle_per_origin, idle_expiry=idle_expiry
        )

    def _clock(self) -> float:
        return asyncio.get_running_loop().time()

    def _runner(self, flow: Any) -> AsyncRunner:
        lowered = HTTP11Flow(flow, self._pool, self._clock)
        return _Runner(self, lowered, lowered.run())

    async def _connect(self, op: OpenConnection) -> Connection | None:
        origin = op.origin
        context: ssl.SSLContext | None = None
        if origin.tls:
            context = self._ssl_context
            if context is None:
                context = self._ssl_context = ssl.create_default_context()
        try:
            async with asyncio.timeout(op.timeout):
                reader, writer = await asyncio.open_connection(
                    origin.host,
                    origin.port,
                    ssl=context,
                    server_hostname=origin.server_hostname,
                    limit=RECEIVE_SIZE,
                )
        except TimeoutError:
            return None
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reader, writer

    async def aclose(self) -> None:
        """Close every idle connection. Open streams are not affected."""
        for conn in self._pool.drain():
            _close(conn)
