"""The trio adapter: trio's socket and TLS streams. Needs the ``trio`` extra.

::

    from sseproto.adapters.trio import Client

    async with Client() as client:
        async with client.stream("GET", "https://example.com/events") as stream:
            async for event in stream:
                print(event.type, event.data)

See :class:`~sseproto.adapters._runners.AsyncClientBase` for ``stream()``,
``request()`` and ``subscribe()``; this module only moves bytes.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import Generator
from typing import Any

import trio

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


class _Runner(AsyncRunner):
    __slots__ = ("_client", "_flow")

    def __init__(self, client: Client, flow: HTTP11Flow[Any], gen: Generator[Any, Any, Any]):
        super().__init__(gen)
        self._client = client
        self._flow = flow

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
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            raise _os_error(exc) from exc
        if kind is CheckIdle:
            return _quiet(op.conn)
        if kind is CloseConnection:
            _close(op.conn)
            return None
        if kind is Sleep:
            await trio.sleep(op.seconds)
            return None
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    def release(self) -> None:
        for conn in self._flow.abandon():
            _close(conn)


class Client(AsyncClientBase):
    """A trio SSE client over trio streams, with a pool of keep-alive
    connections. The arguments are those of
    :class:`sseproto.adapters.sync.Client`.
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
        return trio.current_time()

    def _runner(self, flow: Any) -> AsyncRunner:
        lowered = HTTP11Flow(flow, self._pool, trio.current_time)
        return _Runner(self, lowered, lowered.run())

    async def _connect(self, op: OpenConnection) -> Connection | None:
        origin = op.origin
        with trio.move_on_after(_seconds(op.timeout)):
            stream = await trio.open_tcp_stream(origin.host, origin.port)
            if not origin.tls:
                return stream
            context = self._ssl_context
            if context is None:
                context = self._ssl_context = ssl.create_default_context()
            tls = trio.SSLStream(
                stream, context, server_hostname=origin.server_hostname, https_compatible=True
            )
            try:
                await tls.do_handshake()
            except BaseException:
                _close(stream)
                raise
            return tls
        return None

    async def aclose(self) -> None:
        """Close every idle connection. Open streams are not affected."""
        for conn in self._pool.drain():
            _close(conn)
