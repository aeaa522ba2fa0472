"""The blocking runtime: ``socket`` and ``ssl`` from the standard library.

::

    from sseproto.adapters.sync import Client

    with Client() as client:
        with client.stream("GET", "https://example.com/events") as stream:
            for event in stream:
                print(event.type, event.data)

See :class:`~sseproto.adapters.SyncClientBase` for the methods; this module
only moves bytes.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading
import time
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

from ._drivers import blocking_sleep
from ._sockets import SyncPump, SyncSocketClient

__all__ = ["Client"]


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


def _await_change(op: AwaitChange) -> bool | None:
    """Wait for ``op.target`` to wake its waiters (another thread's flow)."""
    event = threading.Event()
    op.target.add_waiter(event.set)
    try:
        return True if event.wait(op.timeout) else None
    finally:
        op.target.remove_waiter(event.set)


class _Pump(SyncPump):
    __slots__ = ()

    _client: Client

    def perform(self, op: Any) -> Any:
        kind = type(op)
        if kind is ReceiveBytes:
            sock: socket.socket = op.conn
            self._conn = sock
            sock.settimeout(op.timeout)
            try:
                return sock.recv(RECEIVE_SIZE)
            except TimeoutError:
                return None
        if kind is SendBytes:
            sock = self._conn = op.conn
            sock.settimeout(op.timeout)
            try:
                sock.sendall(op.data)
            except TimeoutError:
                return None
            return True
        if kind is CheckIdle:
            return _quiet(op.conn)
        if kind is StartTLS:
            return self._start_tls(op)
        if kind is OpenConnection:
            return self._client._connect(op)
        if kind is CloseConnection:
            if op.conn is self._conn:
                self._conn = None
            _close(op.conn)
            return None
        if kind is SelectedProtocol:
            conn = op.conn
            return conn.selected_alpn_protocol() if isinstance(conn, ssl.SSLSocket) else None
        if kind is AwaitChange:
            return _await_change(op)
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    def _start_tls(self, op: StartTLS) -> ssl.SSLSocket | None:
        sock: socket.socket = op.conn
        sock.settimeout(op.timeout)
        tls = self._client._tls().wrap_socket(
            sock, server_hostname=op.server_hostname, do_handshake_on_connect=False
        )
        # The handshake runs on the TLS socket (it took over the file
        # descriptor): interrupt() must see that one.
        self._conn = tls
        try:
            tls.do_handshake()
        except TimeoutError:
            _close(tls)
            return None
        except BaseException:
            _close(tls)
            raise
        return tls

    def interrupt(self) -> None:
        # shutdown() wakes a recv() or sendall() blocked in the reading
        # thread (recv() returns b"", as at the end of file), which then
        # closes the socket itself; close() alone would not wake it. The
        # plain socket's shutdown leaves an ssl.SSLSocket's state alone.
        sock = self._conn
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    @staticmethod
    def discard(conn: Any) -> None:
        _close(conn)

    runtime_sleep = staticmethod(blocking_sleep)


class Client(SyncSocketClient):
    """A blocking SSE client over ``socket`` and ``ssl``, with a pool of
    keep-alive connections.

    Arguments:
        ssl_context: for ``https://`` URLs; by default
            ``ssl.create_default_context()``: the system's trust store,
            certificate and host name verification on.
        timeouts: the default :class:`~sseproto.http.Timeouts` of each
            request (a method's ``timeouts=`` replaces it).
        max_redirects: redirects followed per request.
        max_idle_per_origin, idle_expiry: the connection pool's size and how
            long an idle connection is kept (see ``ConnectionPool``).
        proxy: the HTTP proxy every request goes through, as a URL
            ``http://[user:password@]host[:port]`` (the credentials are sent
            to the proxy as ``Proxy-Authorization``, never to the origin,
            and appear in no message), or a :class:`~sseproto.http.Proxies`
            (a proxy per scheme, and the hosts reached directly).
            ``https://`` URLs go through a ``CONNECT`` tunnel, TLS then
            verifying the origin's name. Given, the environment is not read.
        trust_env: with no ``proxy``, take the proxies from the environment
            (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``
            and their lower-case forms, read when the client is made; see
            :meth:`~sseproto.http.Proxies.from_environment`). ``False``
            connects directly.
        http2: offer HTTP/2 by ALPN on ``https://`` (the caller's
            ``ssl_context`` gets ``h2`` and ``http/1.1`` as its ALPN
            protocols); a server that picks it carries every stream to its
            origin on one connection (more beyond its concurrency limit), one
            that does not gets HTTP/1.1 on the same connection. Streams and
            responses report what was used in ``http_version``.
        http2_prior_knowledge: speak HTTP/2 to ``http://`` origins at once
            (h2c with prior knowledge, for servers known to accept it).

    Raises:
        ValueError: ``proxy``, or a proxy variable of the environment, is
            not an ``http://`` proxy URL.

    The methods are ``stream()``, ``request()``, ``subscribe()``, ``run()``
    and ``event_stream()`` (see :class:`~sseproto.adapters.SyncClientBase`);
    :meth:`close` closes the idle connections. A client is for one thread
    at a time.
    """

    __slots__ = ()

    _pump = _Pump

    def clock(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def _connect(self, op: OpenConnection) -> socket.socket | None:
        origin = op.origin
        try:
            sock = socket.create_connection((origin.host, origin.port), timeout=op.timeout)
        except TimeoutError:
            return None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if origin.tls:
                sock = self._tls().wrap_socket(sock, server_hostname=origin.server_hostname)
        except TimeoutError:
            _close(sock)
            return None
        except BaseException:
            _close(sock)
            raise
        return sock
