"""The blocking adapter: ``socket`` and ``ssl`` from the standard library.

::

    from sseproto.adapters.sync import Client

    with Client() as client:
        with client.stream("GET", "https://example.com/events") as stream:
            for event in stream:
                print(event.type, event.data)

See :class:`~sseproto.adapters._runners.SyncClientBase` for ``stream()``,
``request()`` and ``subscribe()``; this module only moves bytes.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import time
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
from ._runners import SyncClientBase, SyncRunner

__all__ = ["Client"]

_DEFAULT_TIMEOUTS = Timeouts()


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()


def _quiet(sock: socket.socket) -> bool:
    """Whether nothing can be read from ``sock`` now (no bytes, no end of
    file, no error), without waiting. TLS bytes already decrypted count."""
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return False
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return not poller.poll(0)
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


class _Runner(SyncRunner):
    __slots__ = ("_client", "_flow")

    def __init__(self, client: Client, flow: HTTP11Flow[Any], gen: Generator[Any, Any, Any]):
        super().__init__(gen)
        self._client = client
        self._flow = flow

    def perform(self, op: Any) -> Any:
        kind = type(op)
        if kind is ReceiveBytes:
            sock: socket.socket = op.conn
            sock.settimeout(op.timeout)
            try:
                return sock.recv(RECEIVE_SIZE)
            except TimeoutError:
                return None
        if kind is SendBytes:
            sock = op.conn
            sock.settimeout(op.timeout)
            try:
                sock.sendall(op.data)
            except TimeoutError:
                return None
            return True
        if kind is CheckIdle:
            return _quiet(op.conn)
        if kind is OpenConnection:
            return self._client._connect(op)
        if kind is CloseConnection:
            _close(op.conn)
            return None
        if kind is Sleep:
            time.sleep(op.seconds)
            return None
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    def release(self) -> None:
        for conn in self._flow.abandon():
            _close(conn)


class Client(SyncClientBase):
    """A blocking SSE client over ``socket`` and ``ssl``, with a pool of
    keep-alive connections.

    Arguments:
        ssl_context: for ``https://`` URLs; by default
            ``ssl.create_default_context()``: the system's trust store,
            certificate and host name verification on.
        timeouts: the default :class:`~sseproto.adapters.Timeouts` of each
            request (a method's ``timeouts=`` replaces it).
        max_redirects: redirects followed per request.
        max_idle_per_origin, idle_expiry: the connection pool's size and how
            long an idle connection is kept (see ``ConnectionPool``).

    The methods are ``stream()``, ``request()`` and ``subscribe()`` (see
    :class:`~sseproto.adapters._runners.SyncClientBase`); :meth:`close`
    closes the idle connections. A client is for one thread at a time.
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
        self._pool: ConnectionPool[socket.socket] = ConnectionPool(
            max_idle_per_origin=max_idle_per_origin, idle_expiry=idle_expiry
        )

    def _clock(self) -> float:
        return time.monotonic()

    def _runner(self, flow: Any) -> SyncRunner:
        lowered = HTTP11Flow(flow, self._pool, time.monotonic)
        return _Runner(self, lowered, lowered.run())

    def _connect(self, op: OpenConnection) -> socket.socket | None:
        origin = op.origin
        try:
            sock = socket.create_connection((origin.host, origin.port), timeout=op.timeout)
        except TimeoutError:
            return None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if origin.tls:
                context = self._ssl_context
                if context is None:
                    context = self._ssl_context = ssl.create_default_context()
                sock = context.wrap_socket(sock, server_hostname=origin.server_hostname)
        except TimeoutError:
            _close(sock)
            return None
        except BaseException:
            _close(sock)
            raise
        return sock

    def close(self) -> None:
        """Close every idle connection. Open streams are not affected."""
        for sock in self._pool.drain():
            _close(sock)
