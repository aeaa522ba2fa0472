"""A flow's requests carried over pooled HTTP/1.1 connections.

:class:`HTTP11Connections` lowers the request level of the operation
vocabulary (``_ops.py``) to the connection level, for the runtimes that
speak HTTP themselves (blocking sockets, asyncio, trio); their pumps then
perform only connection operations, whatever the flow.

Connection reuse: after a response read to its end, on a connection both
sides keep open (:attr:`HTTP11Exchange.reusable`), the connection goes back
to the pool. Before an idle connection carries a request it is checked
(``CheckIdle``): a server sends nothing unasked, so one that has bytes to
read, or has reached end of file, was closed by the server or holds a
response to nobody's request; it is closed, never used. A request on a
reused connection that still gets no response at all
(:class:`~sseproto.http.NoResponse`, or the connection broke first) is
sent once more on a new connection only if its method is idempotent (RFC
9110 section 9.2.2: ``GET``, ``HEAD``, ``OPTIONS``, ``TRACE``, ``PUT``,
``DELETE``): the server may have received and acted on it before closing.
Any other request (a ``POST`` that starts a paid generation) raises
:class:`~sseproto.http.ReadError` instead, saying so.

Time: ``SendRequest.deadline`` and ``ReadBody.deadline`` (clock times) cut
every wait of the operation, so bytes that trickle in (a head one byte at a
time, chunk framing that carries no body) cannot hold it past them; the
operation then reports a timeout, which the flow turns into the error of
the limit that passed.

Proxies: given :class:`~sseproto.http.Proxies`, a request whose origin has
a proxy goes through it. An ``http://`` request is sent to the proxy in
absolute form, with ``Proxy-Authorization`` when the proxy URL has
credentials; a ``407`` answer raises
:class:`~sseproto.http.ProxyAuthenticationRequired`. An ``https://``
request goes through a ``CONNECT`` tunnel, then TLS with the origin
(``_tunnel.py``); the connect limit covers all of it. Kept connections are
pooled per origin either way: a client's proxy for an origin never
changes, so the origin says which proxy a connection goes through.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any, Final

from sseproto._errors import ProtocolError

from ._deadlines import smallest
from ._errors import ConnectError, ReadError
from ._exchange import (
    BodyChunk,
    ExchangeEvent,
    HeadersTooLarge,
    HTTP11Exchange,
    HTTPProtocolError,
    NoResponse,
    Origin,
    ResponseComplete,
    ResponseStarted,
)
from ._ops import (
    CheckIdle,
    CloseConnection,
    CloseResponse,
    Head,
    OpenConnection,
    Operation,
    ReadBody,
    ReceiveBytes,
    SendBytes,
    SendRequest,
    TimedOut,
)
from ._pool import ConnectionPool
from ._proxies import Proxies, Proxy
from ._tunnel import authentication_required, open_tunnel

__all__ = ["IDEMPOTENT_METHODS", "HTTP11Connections"]

#: The methods a request may be sent again with after its connection died
#: before a response (RFC 9110 section 9.2.2): sending one twice has the
#: effect of sending it once.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class HTTP11Connections:
    """The request level of a flow lowered to the connection level, over
    HTTP/1.1 connections from a :class:`~sseproto.http.ConnectionPool`,
    with :class:`~sseproto.http.HTTP11Exchange`.

    One per flow run. :meth:`lower` takes a request-level operation
    (``SendRequest``, ``ReadBody``, ``CloseResponse``) and returns a
    generator of connection-level operations whose return value is the
    result to send back into the flow; a failure is raised out of it as the
    flow expects it (:class:`~sseproto.http.ConnectError`,
    :class:`~sseproto.http.ReadError`, an HTTP error). An ``OSError`` thrown
    into it (a pump's connect, send or receive failed) becomes one of those.
    When the driver stops early (the user closed the stream, or the flow
    raised), it must close the connections :meth:`abandon` returns.
    ``proxies`` says which requests go through an HTTP proxy (see the
    module's docstring); ``None``: every request connects directly.
    """

    __slots__ = (
        "_body",
        "_clock",
        "_conn",
        "_done",
        "_exchange",
        "_origin",
        "_pending_error",
        "_pool",
        "_proxies",
    )

    def __init__(
        self,
        pool: ConnectionPool[Any],
        clock: Callable[[], float],
        proxies: Proxies | None = None,
    ) -> None:
        self._pool = pool
        self._clock = clock
        self._proxies = proxies
        # The response being read: its connection, exchange, body bytes
        # received but not yet read, and whether it is complete.
        self._conn: Any = None
        self._exchange: HTTP11Exchange | None = None
        self._origin: Origin | None = None
        self._body: list[bytes] = []
        self._done = False
        self._pending_error: ProtocolError | None = None

    def abandon(self) -> list[Any]:
        """The connections the driver must close now that it stops early."""
        conn, self._conn = self._conn, None
        self._exchange = None
        return [] if conn is None else [conn]

    def lower(self, op: SendRequest | ReadBody | CloseResponse) -> Generator[Operation, Any, Any]:
        """The connection-level operations that perform ``op``; their
        generator returns ``op``'s result."""
        kind = type(op)
        if kind is ReadBody:
            return self._read(op)  # type: ignore[arg-type]
        if kind is SendRequest:
            return self._send(op)  # type: ignore[arg-type]
        return self._release()

    # -- the operations ----------------------------------------------------------

    def _send(self, op: SendRequest) -> Generator[Operation, Any, Head | TimedOut]:
        yield from self._release()
        origin = Origin.from_url(op.url)
        taken = yield from self._take_idle(origin)
        if taken is not None:
            try:
                return (yield from self._attempt(op, origin, taken))
            except _StaleConnection as stale:
                yield from self._discard()
                if op.method not in IDEMPOTENT_METHODS:
                    raise ReadError(
                        f"the reused connection to {_where(origin)} failed before any byte "
                        f"of the response ({stale}); the request may have reached the "
                        f"server, so it was not sent again ({op.method} is not idempotent)"
                    ) from stale.__cause__
        # A second attempt (after a stale reused connection) goes on a new
        # connection, leaving the other idle ones in the pool.
        return (yield from self._attempt(op, origin, None))

    def _take_idle(
        self, origin: Origin
    ) -> Generator[Operation, Any, tuple[Any, HTTP11Exchange] | None]:
        """An idle connection to ``origin`` with nothing waiting on it, or
        ``None``; closes the expired ones and those that fail the check."""
        while True:
            taken, expired = self._pool.take(origin, self._clock())
            for old in expired:
                yield CloseConnection(old)
            if taken is None:
                return None
            if (yield CheckIdle(taken[0])):
                return taken
            # End of file (closed as idle) or bytes nobody asked for (which
            # would pass for the next request's response): never reused.
            yield CloseConnection(taken[0])

    def _attempt(
        self, op: SendRequest, origin: Origin, taken: tuple[Any, HTTP11Exchange] | None
    ) -> Generator[Operation, Any, Head | TimedOut]:
        """Send the request on the ``taken`` idle connection, or a new one,
        and read the head. On a reused connection, a failure before any
        byte of the response raises :class:`_StaleConnection`."""
        proxy = self._proxy_for(origin)
        # Plain http through a proxy: the request itself goes to the proxy.
        forward = proxy if proxy is not None and not origin.tls else None
        headers = op.headers
        if forward is not None and forward.authorization is not None:
            headers = (*headers, ("Proxy-Authorization", forward.authorization))
        if taken is not None:
            conn, previous = taken
            exchange = previous.next_exchange(op.method, op.url, headers=headers, body=op.body)
        else:
            exchange = HTTP11Exchange(
                op.method, op.url, headers=headers, body=op.body, absolute_form=forward is not None
            )
            wait = self._cut(op.connect_timeout, op.deadline)
            if wait is not None and wait <= 0:
                return TimedOut(connecting=True)
            conn = yield from self._open(origin, proxy, wait)
            if conn is None:
                return TimedOut(connecting=True)
        reused = taken is not None
        self._conn, self._exchange, self._origin = conn, exchange, origin
        self._body, self._done, self._pending_error = [], False, None
        wait = self._cut(op.timeout, op.deadline)
        if wait is not None and wait <= 0:
            return TimedOut(connecting=False)
        try:
            sent = yield SendBytes(conn, exchange.request_bytes, wait)
        except OSError as exc:
            if reused:
                raise _StaleConnection(f"sending failed: {exc}") from exc
            raise ReadError(f"sending the request to {_where(origin)} failed: {exc}") from exc
        if sent is None:
            return TimedOut(connecting=False)
        received = False
        try:
            while True:
                # Each wait is cut to the deadline, so a head that trickles
                # in byte by byte cannot outlast it.
                data = yield from self._receive(op.timeout, op.deadline)
                if data is None:
                    return TimedOut(connecting=False)
                received = received or bool(data)
                try:
                    events = exchange.receive(data)
                except (HTTPProtocolError, HeadersTooLarge) as exc:
                    # A fault in the same read as the head: the head and
                    # the body before the fault still count, as they
                    # would had they arrived in a read of their own.
                    head = self._take(exc.completed)
                    if head is None or isinstance(exc, NoResponse):
                        raise
                    self._pending_error = exc
                    return head
                head = self._take(events)
                if head is not None:
                    if forward is not None and head.status == 407:
                        raise authentication_required(forward, f"the request for {_where(origin)}")
                    return head
        except (NoResponse, ReadError) as exc:
            # A reused connection that fails before a single byte of
            # response: the server closed it (as idle, or after reading the
            # request); the caller decides whether to send again.
            if reused and not received:
                raise _StaleConnection(str(exc)) from exc
            raise

    def _proxy_for(self, origin: Origin) -> Proxy | None:
        """The proxy requests to ``origin`` go through, if any."""
        return None if self._proxies is None else self._proxies.select(origin)

    def _open(
        self, origin: Origin, proxy: Proxy | None, wait: float | None
    ) -> Generator[Operation, Any, Any]:
        """A new connection for ``origin`` (through ``proxy``), or ``None``
        once ``wait`` seconds passed."""
        start = self._clock()
        try:
            conn = yield OpenConnection(origin if proxy is None else proxy.origin, wait)
        except OSError as exc:
            via = "" if proxy is None else f" through the proxy {proxy}"
            raise ConnectError(f"cannot connect to {_where(origin)}{via}: {exc}") from exc
        if conn is None or proxy is None or not origin.tls:
            return conn
        # Held here while the tunnel opens, so abandon() closes it.
        self._conn = conn
        try:
            deadline = None if wait is None else start + wait
            conn = yield from open_tunnel(conn, proxy, origin, deadline, self._clock)
        except Exception:
            yield from self._discard()
            raise
        if conn is None:
            yield from self._discard()
            return None
        # The caller owns it now (an HTTP/2 connection is shared, not this
        # flow's to close when it ends).
        self._conn = None
        return conn

    def _take(self, events: Sequence[ExchangeEvent]) -> Head | None:
        """Keep the body and completion of ``events``; the head, if one started."""
        head = None
        for event in events:
            if type(event) is BodyChunk:
                self._body.append(event.data)
            elif type(event) is ResponseComplete:
                self._done = True
            elif type(event) is ResponseStarted:
                head = Head(event.status, event.reason, event.headers, f"HTTP/{event.http_version}")
        return head

    def _cut(self, timeout: float | None, deadline: float | None) -> float | None:
        """``timeout``, cut to the time left before ``deadline`` (which may
        be zero or less: passed)."""
        return smallest(timeout, None if deadline is None else deadline - self._clock())

    def _receive(
        self, timeout: float | None, deadline: float | None
    ) -> Generator[Operation, Any, bytes | None]:
        """The next bytes, or ``None`` once ``timeout`` or ``deadline`` passed."""
        wait = self._cut(timeout, deadline)
        if wait is not None and wait <= 0:
            return None
        try:
            data: bytes | None = yield ReceiveBytes(self._conn, wait)
        except OSError as exc:
            assert self._origin is not None
            raise ReadError(f"the connection to {_where(self._origin)} broke: {exc}") from exc
        return data

    def _read(self, op: ReadBody) -> Generator[Operation, Any, bytes | None]:
        if self._body:
            data = b"".join(self._body)
            self._body.clear()
            return data
        if self._pending_error is not None:
            raise self._pending_error
        if self._done:
            return b""
        exchange = self._exchange
        assert exchange is not None, "ReadBody without a response"
        while True:
            # Bytes that complete no body bytes (chunk framing) do not
            # restart the wait: every receive is cut to the deadline.
            received = yield from self._receive(op.timeout, op.deadline)
            if received is None:
                return None
            try:
                events = exchange.receive(received)
            except (HTTPProtocolError, HeadersTooLarge) as exc:
                # Body bytes that arrived intact before the fault come first.
                intact = [e.data for e in exc.completed if type(e) is BodyChunk]
                if not intact:
                    raise
                self._pending_error = exc
                return b"".join(intact)
            chunks: list[bytes] = []
            for event in events:
                if type(event) is BodyChunk:
                    chunks.append(event.data)
                elif type(event) is ResponseComplete:
                    self._done = True
            if chunks:
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
            if self._done:
                return b""

    def _release(self) -> Generator[Operation, Any, None]:
        conn, exchange, origin = self._conn, self._exchange, self._origin
        if conn is None:
            return
        self._conn = self._exchange = None
        if self._done and exchange is not None and origin is not None and exchange.reusable:
            for old in self._pool.put(origin, conn, exchange, self._clock()):
                yield CloseConnection(old)
        else:
            yield CloseConnection(conn)

    def _discard(self) -> Generator[Operation, Any, None]:
        conn, self._conn, self._exchange = self._conn, None, None
        if conn is not None:
            yield CloseConnection(conn)


class _StaleConnection(Exception):
    """A reused connection failed before any byte of the response; the
    message says how, ``__cause__`` is the error."""


def _where(origin: Origin) -> str:
    host = f"[{origin.host}]" if ":" in origin.host else origin.host
    return f"{origin.scheme}://{host}:{origin.port}"
