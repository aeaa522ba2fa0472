"""The trio runtime: trio's socket and TLS streams. Needs the ``trio`` extra.

::

    from sseproto.adapters.trio import Client

    async with Client() as client:
        async with client.stream("GET", "https://example.com/events") as stream:
            async for event in stream:
                print(event.type, event.data)

See :class:`~sseproto.adapters.AsyncClientBase` for the methods; this
module only moves bytes.
"""

from __future__ import annotations

import math
from typing import Any

import trio

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

Connection = trio.SocketStream | trio.SSLStream[trio.SocketStream]


def _close(conn: Connection) -> None:
    """Close the socket at once, without awaiting (also under cancellation)."""
    stream = conn.transport_stream if isinstance(conn, trio.SSLStream) else conn
    stream.socket.close()


def _quiet(conn: Connection) -> bool:
    """Whether nothing can be read from ``conn`` now (no bytes, no end of
    file, no error), without waiting."""
    stream = conn.transport_stream if isinstance(conn, trio.SSLStream) else conn
    try:
        return not stream.socket.is_readable()
    except OSError:
        return False


def _os_error(exc: trio.BrokenResourceError | trio.ClosedResourceError) -> OSError:
    """trio's stream errors as the OSError the flows expect; an OSError
    cause (such as an ssl.SSLError) is kept as it is."""
    cause = exc.__cause__
    if isinstance(cause, OSError):
        return cause
    error = ConnectionResetError(str(exc) or type(exc).__name__)
    error.__cause__ = exc
    return error


def _seconds(timeout: float | None) -> float:
    return math.inf if timeout is None else timeout


class _Pump(AsyncPump):
    __slots__ = ()

    runtime = "trio"
    _client: Client

    async def perform(self, op: Any) -> Any:
        kind = type(op)
        try:
            if kind is ReceiveBytes:
                with trio.move_on_after(_seconds(op.timeout)):
                    return await op.conn.receive_some(RECEIVE_SIZE)
                return None
            if kind is SendBytes:
                with trio.move_on_after(_seconds(op.timeout)):
                    await op.conn.send_all(op.data)
                    return True
                return None
            if kind is OpenConnection:
                return await self._client._connect(op)
            if kind is StartTLS:
                with trio.move_on_after(_seconds(op.timeout)):
                    tls = trio.SSLStream(
                        op.conn,
                        self._client._tls(),
                        server_hostname=op.server_hostname,
                        https_compatible=True,
                    )
                    await tls.do_handshake()
                    return tls
                return None
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            raise _os_error(exc) from exc
        if kind is CheckIdle:
            return _quiet(op.conn)
        if kind is CloseConnection:
            _close(op.conn)
            return None
        if kind is AwaitChange:
            event = trio.Event()
            op.target.add_waiter(event.set)
            try:
                with trio.move_on_after(_seconds(op.timeout)):
                    await event.wait()
                    return True
                return None
            finally:
                op.target.remove_waiter(event.set)
        if kind is SelectedProtocol:
            conn = op.conn
            return conn.selected_alpn_protocol() if isinstance(conn, trio.SSLStream) else None
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    @staticmethod
    def discard(conn: Any) -> None:
        _close(conn)

    @staticmethod
    async def runtime_sleep(seconds: float) -> None:
        await trio.sleep(seconds)


class Client(AsyncSocketClient):
    """A trio SSE client over trio streams, with a pool of keep-alive
    connections. The arguments are those of
    :class:`sseproto.adapters.sync.Client`.
    """

    __slots__ = ()

    _pump = _Pump

    def clock(self) -> float:
        """``trio.current_time()``."""
        return trio.current_time()

    async def _connect(self, op: OpenConnection) -> Connection | None:
        origin = op.origin
        with trio.move_on_after(_seconds(op.timeout)):
            stream = await trio.open_tcp_stream(origin.host, origin.port)
            if not origin.tls:
                return stream
            tls = trio.SSLStream(
                stream, self._tls(), server_hostname=origin.server_hostname, https_compatible=True
            )
            try:
                await tls.do_handshake()
            except BaseException:
                _close(stream)
                raise
            return tls
        return None
