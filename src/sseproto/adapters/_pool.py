"""HTTP/1.1 over connections, for the blocking, asyncio and trio adapters:
a per-origin pool of idle connections, and :class:`HTTP11Flow`, which
lowers a request flow's operations (``_flows.py``) to connection operations
with :class:`~sseproto.adapters.HTTP11Exchange`.

A runner then performs only these, whatever the flow::

    operation          perform                                 send back
    OpenConnection     connect to origin (TLS if origin.tls)   the connection, or
                                                               None if timed out
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
to the pool. A request on a reused connection that gets no response at all
(:class:`~sseproto.adapters.NoResponse`: the server had closed it as idle)
is sent once more on a new connection.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from sseproto._errors import ProtocolError

from ._errors import ConnectError, ReadError
from ._flows import CloseResponse, Head, ReadBody, SendRequest, TimedOut
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

Conn = TypeVar("Conn")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class OpenConnection:
    """Connect to ``origin`` within ``timeout`` seconds (``None``: no limit)."""

    origin: Origin
    timeout: float | None


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
                    value = yield from self._read(op.timeout)
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
        for attempt in (1, 2):
            # A second attempt (after a stale reused connection) goes on a
            # new connection, leaving the other idle ones in the pool.
            taken = None
            if attempt == 1:
                taken, expired = self._pool.take(origin, self._clock())
                for old in expired:
                    yield CloseConnection(old)
            if taken is not None:
                conn, previous = taken
                exchange = previous.next_exchange(
                    op.method, op.url, headers=op.headers, body=op.body
                )
                reused = True
            else:
                exchange = HTTP11Exchange(op.method, op.url, headers=op.headers, body=op.body)
                try:
                    conn = yield OpenConnection(origin, op.connect_timeout)
                except OSError as exc:
                    raise ConnectError(f"cannot connect to {_where(origin)}: {exc}") from exc
                if conn is None:
                    return TimedOut(connecting=True)
                reused = False
            self._conn, self._exchange, self._origin = conn, exchange, origin
            self._body, self._done, self._pending_error = [], False, None
            try:
                sent = yield SendBytes(conn, exchange.request_bytes, op.timeout)
            except OSError as exc:
                if reused:
                    yield from self._discard()
                    continue
                raise ReadError(f"sending the request to {_where(origin)} failed: {exc}") from exc
            if sent is None:
                return TimedOut(connecting=False)
            # A reused connection that fails before a single byte of response
            # was idle-closed by the server: send again on a new connection.
            received = False
            try:
                while True:
                    data = yield from self._receive(op.timeout)
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
            except (NoResponse, ReadError):
                if reused and not received:
                    yield from self._discard()
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

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

    def _receive(self, timeout: float | None) -> Generator[Any, Any, bytes | None]:
        try:
            data: bytes | None = yield ReceiveBytes(self._conn, timeout)
        except OSError as exc:
            assert self._origin is not None
            raise ReadError(f"the connection to {_where(self._origin)} broke: {exc}") from exc
        return data

    def _read(self, timeout: float | None) -> Generator[Any, Any, bytes | None]:
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
            received = yield from self._receive(timeout)
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


def _where(origin: Origin) -> str:
    host = f"[{origin.host}]" if ":" in origin.host else origin.host
    return f"{origin.scheme}://{host}:{origin.port}"
