"""HTTP/1.1 over connections, for the blocking, asyncio and trio adapters:
a per-origin pool of idle connections, and :class:`HTTP11Flow`, which
lowers a request flow's operations (``_flows.py``) to connection operations
with :class:`~sseproto.adapters.HTTP11Exchange`.

A runner then performs only these, whatever the flow::

    operation          perform                                 send back
    OpenConnection     connect to origin (TLS if origin.tls)   the connection, or
                                                               None if timed out
    CheckIdle          look, without waiting, whether an idle  True if nothing is
                       connection has anything to read         there, else False
                       (bytes, end of file, an error)
    SendBytes          send all of data                        True, or None if
                                                               timed out
    ReceiveBytes       receive some bytes                      bytes (b"" at EOF),
                                                               or None if timed out
    CloseConnection    close it at once (never raises)         None

plus the flow's own ``Sleep``, ``StreamOpened`` and ``Emit``. An ``OSError``
from connecting, sending or receiving is thrown into the generator; it
becomes :class:`~sseproto.adapters.ConnectError` or
:class:`~sseproto.adapters.ReadError` here. When the runner stops early (the
user closed the stream, or the generator raised), it must close the
connections :meth:`HTTP11Flow.abandon` returns.

Connection reuse: after a response read to its end, on a connection both
sides keep open (:attr:`HTTP11Exchange.reusable`), the connection goes back
to the pool. Before an idle connection carries a request it is checked
(``CheckIdle``): a server sends nothing unasked, so one that has bytes to
read, or has reached end of file, was closed by the server or holds a
response to nobody's request; it is closed, never used. A request on a
reused connection that still gets no response at all
(:class:`~sseproto.adapters.NoResponse`, or the connection broke first) is
sent once more on a new connection only if its method is idempotent (RFC
9110 section 9.2.2: ``GET``, ``HEAD``, ``OPTIONS``, ``TRACE``, ``PUT``,
``DELETE``): the server may have received and acted on it before closing.
Any other request (a ``POST`` that starts a paid generation) raises
:class:`~sseproto.adapters.ReadError` instead, saying so.

Time: ``SendRequest.deadline`` and ``ReadBody.deadline`` (clock times) cut
every wait of the operation, so bytes that trickle in (a head one byte at a
time, chunk framing that carries no body) cannot hold it past them; the
operation then reports a timeout, which the flow turns into the error of
the limit that passed.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from sseproto._errors import ProtocolError

from ._errors import ConnectError, ReadError
from ._flows import CloseResponse, Head, ReadBody, SendRequest, TimedOut, smallest
from ._http11 import (
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

__all__ = [
    "DEFAULT_IDLE_EXPIRY",
    "DEFAULT_MAX_IDLE_PER_ORIGIN",
    "IDEMPOTENT_METHODS",
    "CheckIdle",
    "CloseConnection",
    "ConnectionPool",
    "HTTP11Flow",
    "OpenConnection",
    "ReceiveBytes",
    "SendBytes",
]

#: Default number of idle connections kept per origin.
DEFAULT_MAX_IDLE_PER_ORIGIN: Final = 4

#: Default seconds an idle connection is kept: servers commonly close idle
#: connections after 5 to 75 seconds (nginx 75, uvicorn 5); 15 s is reused
#: often and rarely stale, and a stale one costs one retry.
DEFAULT_IDLE_EXPIRY: Final = 15.0

#: Bytes asked of each receive.
RECEIVE_SIZE: Final = 65536

#: The methods a request may be sent again with after its connection died
#: before a response (RFC 9110 section 9.2.2): sending one twice has the
#: effect of sending it once.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})

Conn = TypeVar("Conn")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class OpenConnection:
    """Connect to ``origin`` within ``timeout`` seconds (``None``: no limit)."""

    origin: Origin
    timeout: float | None


@dataclass(frozen=True, slots=True)
class CheckIdle:
    """Look whether the idle ``conn`` may carry a request, without waiting:
    send back ``True`` if nothing can be read from it now, ``False`` if
    bytes, the end of file or an error are waiting (the connection is then
    closed by the flow, never used)."""

    conn: Any


@dataclass(frozen=True, slots=True)
class SendBytes:
    """Send all of ``data`` on ``conn`` within ``timeout`` seconds."""

    conn: Any
    data: bytes
    timeout: float | None


@dataclass(frozen=True, slots=True)
class ReceiveBytes:
    """Receive up to ``RECEIVE_SIZE`` bytes from ``conn`` within ``timeout`` seconds."""

    conn: Any
    timeout: float | None


@dataclass(frozen=True, slots=True)
class CloseConnection:
    """Close ``conn`` at once."""

    conn: Any


class ConnectionPool(Generic[Conn]):
    """Idle HTTP/1.1 connections per origin, each with the exchange whose
    response it carried last (the next request is made with
    :meth:`HTTP11Exchange.next_exchange`).

    Sans-I/O: it hands back the connections to close instead of closing
    them. Its methods do not wait, so an event loop's tasks share it safely.

    Arguments:
        max_idle_per_origin: idle connections kept per origin; a connection
            released when the origin has that many is closed. 0 disables reuse.
        idle_expiry: seconds an idle connection is kept.
    """

    def __init__(
        self,
        *,
        max_idle_per_origin: int = DEFAULT_MAX_IDLE_PER_ORIGIN,
        idle_expiry: float = DEFAULT_IDLE_EXPIRY,
    ) -> None:
        if type(max_idle_per_origin) is not int or max_idle_per_origin < 0:
            raise ValueError(
                f"max_idle_per_origin must be an int >= 0, not {max_idle_per_origin!r}"
            )
        if not isinstance(idle_expiry, (int, float)) or not idle_expiry > 0:
            raise ValueError(f"idle_expiry must be a positive number, not {idle_expiry!r}")
        self._max = max_idle_per_origin
        self._expiry = float(idle_expiry)
        self._idle: dict[Origin, list[tuple[Conn, HTTP11Exchange, float]]] = {}

    def take(
        self, origin: Origin, now: float
    ) -> tuple[tuple[Conn, HTTP11Exchange] | None, list[Conn]]:
        """An idle connection to ``origin`` (the most recently used), or
        ``None``; and the expired connections to close."""
        entries = self._idle.get(origin)
        expired: list[Conn] = []
        while entries:
            conn, exchange, since = entries.pop()
            if now - since < self._expiry:
                return (conn, exchange), expired + self._expire(entries, now)
            expired.append(conn)
        return None, expired

    def put(self, origin: Origin, conn: Conn, exchange: HTTP11Exchange, now: float) -> list[Conn]:
        """Keep ``conn`` idle; returns the connections to close (it, if the
        origin has ``max_idle_per_origin`` idle ones already)."""
        entries = self._idle.setdefault(origin, [])
        expired = self._expire(entries, now)
        if len(entries) >= self._max:
            return [*expired, conn]
        entries.append((conn, exchange, now))
        return expired

    def drain(self) -> list[Conn]:
        """Forget every idle connection; returns them all, to close."""
        conns = [conn for entries in self._idle.values() for conn, _, _ in entries]
        self._idle.clear()
        return conns

    def idle(self, origin: Origin) -> int:
        """How many idle connections to ``origin`` are kept."""
        return len(self._idle.get(origin, ()))

    def _expire(self, entries: list[tuple[Conn, HTTP11Exchange, float]], now: float) -> list[Conn]:
        old = [conn for conn, _, since in entries if now - since >= self._expiry]
        if old:
            entries[:] = [entry for entry in entries if now - entry[2] < self._expiry]
        return old


class HTTP11Flow(Generic[R]):
    """Runs a request flow of ``_flows.py`` over HTTP/1.1 connections.

    :meth:`run` is a generator that yields the connection operations of this
    module's docstring plus the flow's ``Sleep``, ``StreamOpened`` and
    ``Emit``, and returns the flow's result.
    """

    __slots__ = (
        "_body",
        "_clock",
        "_conn",
        "_done",
        "_exchange",
        "_flow",
        "_origin",
        "_pending_error",
        "_pool",
    )

    def __init__(
        self,
        flow: Generator[Any, Any, R],
        pool: ConnectionPool[Any],
        clock: Callable[[], float],
    ) -> None:
        self._flow = flow
        self._pool = pool
        self._clock = clock
        # The response being read: its connection, exchange, body bytes
        # received but not yet read, and whether it is complete.
        self._conn: Any = None
        self._exchange: HTTP11Exchange | None = None
        self._origin: Origin | None = None
        self._body: list[bytes] = []
        self._done = False
        self._pending_error: ProtocolError | None = None

    def abandon(self) -> list[Any]:
        """The connections the runner must close now that it stops early."""
        conn, self._conn = self._conn, None
        self._exchange = None
        return [] if conn is None else [conn]

    def run(self) -> Generator[Any, Any, R]:
        flow = self._flow
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                op = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            value = error = None
            kind = type(op)
            try:
                if kind is ReadBody:
                    value = yield from self._read(op)
                elif kind is SendRequest:
                    value = yield from self._send(op)
                elif kind is CloseResponse:
                    yield from self._release()
                else:
                    value = yield op
            except (ProtocolError, ConnectError, ReadError) as exc:
                error = exc

    # -- the operations ----------------------------------------------------------

    def _send(self, op: SendRequest) -> Generator[Any, Any, Head | TimedOut]:
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

    def _take_idle(self, origin: Origin) -> Generator[Any, Any, tuple[Any, HTTP11Exchange] | None]:
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
    ) -> Generator[Any, Any, Head | TimedOut]:
        """Send the request on the ``taken`` idle connection, or a new one,
        and read the head. On a reused connection, a failure before any
        byte of the response raises :class:`_StaleConnection`."""
        if taken is not None:
            conn, previous = taken
            exchange = previous.next_exchange(op.method, op.url, headers=op.headers, body=op.body)
        else:
            exchange = HTTP11Exchange(op.method, op.url, headers=op.headers, body=op.body)
            wait = self._cut(op.connect_timeout, op.deadline)
            if wait is not None and wait <= 0:
                return TimedOut(connecting=True)
            try:
                conn = yield OpenConnection(origin, wait)
            except OSError as exc:
                raise ConnectError(f"cannot connect to {_where(origin)}: {exc}") from exc
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
                    return head
        except (NoResponse, ReadError) as exc:
            # A reused connection that fails before a single byte of
            # response: the server closed it (as idle, or after reading the
            # request); the caller decides whether to send again.
            if reused and not received:
                raise _StaleConnection(str(exc)) from exc
            raise

    def _take(self, events: Sequence[ExchangeEvent]) -> Head | None:
        """Keep the body and completion of ``events``; the head, if one started."""
        head = None
        for event in events:
            if type(event) is BodyChunk:
                self._body.append(event.data)
            elif type(event) is ResponseComplete:
                self._done = True
            elif type(event) is ResponseStarted:
                head = Head(event.status, event.reason, event.headers, event.http_version)
        return head

    def _cut(self, timeout: float | None, deadline: float | None) -> float | None:
        """``timeout``, cut to the time left before ``deadline`` (which may
        be zero or less: passed)."""
        return smallest(timeout, None if deadline is None else deadline - self._clock())

    def _receive(
        self, timeout: float | None, deadline: float | None
    ) -> Generator[Any, Any, bytes | None]:
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

    def _read(self, op: ReadBody) -> Generator[Any, Any, bytes | None]:
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

    def _release(self) -> Generator[Any, Any, None]:
        conn, exchange, origin = self._conn, self._exchange, self._origin
        if conn is None:
            return
        self._conn = self._exchange = None
        if self._done and exchange is not None and origin is not None and exchange.reusable:
            for old in self._pool.put(origin, conn, exchange, self._clock()):
                yield CloseConnection(old)
        else:
            yield CloseConnection(conn)

    def _discard(self) -> Generator[Any, Any, None]:
        conn, self._conn, self._exchange = self._conn, None, None
        if conn is not None:
            yield CloseConnection(conn)


class _StaleConnection(Exception):
    """A reused connection failed before any byte of the response; the
    message says how, ``__cause__`` is the error."""


def _where(origin: Origin) -> str:
    host = f"[{origin.host}]" if ":" in origin.host else origin.host
    return f"{origin.scheme}://{host}:{origin.port}"
