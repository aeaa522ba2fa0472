"""The asyncio runtime: ``asyncio`` streams, with ``ssl`` for ``https://``.

::

    from sseproto.adapters.asyncio import Client

    async with Client() as client:
        async with client.stream("GET", "https://example.com/events") as stream:
            async for event in stream:
                print(event.type, event.data)

See :class:`~sseproto.adapters.AsyncClientBase` for the methods; this
module only moves bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

from sseproto.http import (
    RECEIVE_SIZE,
    AwaitChange,
    CheckIdle,
    CloseConnection,
    OpenConnection,
    ReceiveBytes,
    SelectedProtocol,
    SendBytes,
    StartTLS,
)

from ._sockets import AsyncPump, AsyncSocketClient

__all__ = ["Client"]

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


class _Pump(AsyncPump):
    __slots__ = ()

    runtime = "asyncio"
    _client: Client

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
        if kind is StartTLS:
            try:
                async with asyncio.timeout(op.timeout):
                    await op.conn[1].start_tls(
                        self._client._tls(), server_hostname=op.server_hostname
                    )
            except TimeoutError:
                return None
            return op.conn
        if kind is OpenConnection:
            return await self._client._connect(op)
        if kind is CloseConnection:
            _close(op.conn)
            return None
        if kind is AwaitChange:
            event = asyncio.Event()
            op.target.add_waiter(event.set)
            try:
                async with asyncio.timeout(op.timeout):
                    await event.wait()
            except TimeoutError:
                return None
            finally:
                op.target.remove_waiter(event.set)
            return True
        if kind is SelectedProtocol:
            tls = op.conn[1].get_extra_info("ssl_object")
            return None if tls is None else tls.selected_alpn_protocol()
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    @staticmethod
    def discard(conn: Any) -> None:
        _close(conn)

    @staticmethod
    async def runtime_sleep(seconds: float) -> None:
        await asyncio.sleep(seconds)


class Client(AsyncSocketClient):
    """An asyncio SSE client over asyncio streams, with a pool of keep-alive
    connections. The arguments are those of
    :class:`sseproto.adapters.sync.Client`. Use it from one event loop.
    """

    __slots__ = ()

    _pump = _Pump

    def clock(self) -> float:
        """The running loop's ``time()``."""
        return asyncio.get_running_loop().time()

    async def _connect(self, op: OpenConnection) -> Connection | None:
        origin = op.origin
        context = self._tls() if origin.tls else None
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
