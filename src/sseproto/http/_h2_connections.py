"""A flow's requests carried over HTTP/2 where the server speaks it, and
over HTTP/1.1 otherwise.

:class:`HTTPConnections` lowers the request operations like
:class:`~sseproto.http.HTTP11Connections` (whose HTTP/1.1 path it keeps),
but first tries HTTP/2 where :class:`HTTP2Pool` says it may: on ``https://``
origins it offers ``h2`` by ALPN and uses HTTP/1.1 on the same connection if
the server picks that (and from then on for that origin); on ``http://``
origins only with prior knowledge (h2c, RFC 9113 section 3.3).

Multiplexing, in sans-I/O terms: one :class:`~sseproto.http.HTTP2Connection`
per TCP connection is shared by every flow that has a stream on it, through
the client's :class:`HTTP2Pool`. Nothing runs in the background. A flow that
needs bytes for its stream takes the connection's reading role, performs
one ``ReceiveBytes``, and feeds the bytes to the shared object, which routes
each frame to its stream's buffer; a flow that finds the role taken waits on
its stream's signal (``AwaitChange``) instead. A read wakes only the flows
whose streams it gave something to, plus one waiting flow that got nothing,
which takes the reading role over (``HTTP2Connection.hand_off``). Bytes
to send queue in the shared object, and whichever flow holds the writing
role sends them in order. So a flow whose caller stops reading holds no
role, and the others go on; the blocking runtime, which runs one flow at a
time, never waits at all.

Concurrency limit: a connection carries at most the server's
``SETTINGS_MAX_CONCURRENT_STREAMS`` streams (one until its first
``SETTINGS`` arrived); beyond that a flow opens another connection, one at a
time per origin (the others wait for it).

Retries, with the rule of HTTP/1.1: a stream the server did not process
(above the last stream id of its ``GOAWAY``, or refused with
``REFUSED_STREAM``), or that failed on a reused idle connection before any
byte of its response, is started again on another connection only if its
method is idempotent; any other request raises
:class:`~sseproto.http.ReadError` saying it was not sent again. A connection
that received ``GOAWAY`` carries no new stream and is closed once its last
stream is done.

Time: every wait (the reading role's ``ReceiveBytes``, an ``AwaitChange``)
is cut to the operation's deadline, and a ``ReadBody`` of ``timeout``
seconds ends ``timeout`` seconds after it started however many bytes of
other streams arrive meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final

from sseproto._errors import RemoteProtocolError

from ._connections import IDEMPOTENT_METHODS, HTTP11Connections, _where
from ._deadlines import smallest
from ._errors import ReadError
from ._exchange import DEFAULT_MAX_HEADER_SIZE, NoResponse, Origin
from ._ops import (
    AwaitChange,
    CheckIdle,
    CloseConnection,
    CloseResponse,
    Head,
    Operation,
    ReadBody,
    ReceiveBytes,
    SelectedProtocol,
    SendBytes,
    SendRequest,
    TimedOut,
)
from ._pool import DEFAULT_IDLE_EXPIRY, ConnectionPool
from ._proxies import Proxies, Proxy
from ._shared import NotProcessed, Signal

if TYPE_CHECKING:
    from ._h2_exchange import HTTP2Connection

__all__ = ["HTTP2Pool", "HTTPConnections"]

#: How many times a request the server did not process is started again.
_MAX_ATTEMPTS: Final = 3

#: The least time given to a send of queued frames: a partly sent frame
#: breaks the connection for every stream, so it is not cut to one
#: stream's deadline (frames this client queues are small).
_MIN_SEND_WAIT: Final = 1.0


class HTTP2Pool(Signal):
    """The HTTP/2 connections of one client, per origin, shared by its flows.

    Sans-I/O: it hands back the connections to close instead of closing
    them, and never waits. It wakes its waiters when a connection is added
    or an opening ends.

    Arguments:
        prior_knowledge: speak HTTP/2 to ``http://`` origins without
            asking (h2c with prior knowledge); otherwise they use HTTP/1.1.
        idle_expiry: seconds a connection without streams is kept.
        max_header_size: passed to each :class:`HTTP2Connection`.
    """

    __slots__ = ("_conns", "_expiry", "_http11", "_opening", "max_header_size", "prior_knowledge")

    def __init__(
        self,
        *,
        prior_knowledge: bool = False,
        idle_expiry: float = DEFAULT_IDLE_EXPIRY,
        max_header_size: int = DEFAULT_MAX_HEADER_SIZE,
    ) -> None:
        super().__init__()
        self.prior_knowledge = prior_knowledge
        self.max_header_size = max_header_size
        self._expiry = idle_expiry
        self._conns: dict[Origin, list[HTTP2Connection]] = {}
        self._opening: dict[Origin, int] = {}
        self._http11: set[Origin] = set()

    def speaks_http2(self, origin: Origin) -> bool:
        """Whether to try HTTP/2 with ``origin``: ``https://`` unless its
        server picked HTTP/1.1 before, ``http://`` with prior knowledge."""
        if origin in self._http11:
            return False
        return origin.tls or self.prior_knowledge

    def mark_http11(self, origin: Origin) -> None:
        """The server of ``origin`` picked HTTP/1.1: use it from now on."""
        self._http11.add(origin)

    def connections(self, origin: Origin) -> tuple[HTTP2Connection, ...]:
        """The connections to ``origin`` kept now."""
        return tuple(self._conns.get(origin, ()))

    def pick(
        self, origin: Origin, now: float
    ) -> tuple[HTTP2Connection | None, HTTP2Connection | None, list[Any]]:
        """A connection to ``origin`` that may start a stream now, or
        ``None``; else one whose server's ``SETTINGS`` have not arrived yet
        (wait for it), or ``None``; and the connections to close (no
        streams, and broken, going away or idle past the expiry)."""
        entries = self._conns.get(origin, [])
        close: list[Any] = []
        ready = pending = None
        for shared in list(entries):
            if shared.active == 0 and (
                not shared.usable or now - shared.idle_since >= self._expiry
            ):
                entries.remove(shared)
                close.append(shared.conn)
            elif ready is None and shared.capacity > 0:
                ready = shared
            elif shared.usable and not shared.settings_received:
                pending = shared
        return ready, pending, close

    def opening(self, origin: Origin) -> bool:
        """Whether a flow is opening a connection to ``origin`` now."""
        return self._opening.get(origin, 0) > 0

    def begin_opening(self, origin: Origin) -> None:
        """A flow starts opening a connection to ``origin``."""
        self._opening[origin] = self._opening.get(origin, 0) + 1

    def end_opening(self, origin: Origin, shared: HTTP2Connection | None) -> None:
        """The opening ended: with ``shared``, or with none (it failed, or
        the server picked HTTP/1.1). Wakes the waiters."""
        self._opening[origin] -= 1
        if shared is not None:
            self._conns.setdefault(origin, []).append(shared)
        self.wake()

    def settle(self, shared: HTTP2Connection) -> list[Any]:
        """The connection to close now, if ``shared`` has no streams left
        and may carry no more (broken, going away, or no longer kept)."""
        if shared.active:
            return []
        entries = self._conns.get(shared.origin, [])
        if shared.usable and shared in entries:
            return []
        if shared in entries:
            entries.remove(shared)
        return [shared.conn]

    def drain(self) -> list[Any]:
        """Forget every connection; returns those without streams, to
        close (the others close when their last stream is done)."""
        idle = [
            shared.conn for each in self._conns.values() for shared in each if not shared.active
        ]
        self._conns.clear()
        return idle


class HTTPConnections(HTTP11Connections):
    """The request level of a flow lowered to the connection level, over
    HTTP/2 connections shared through an :class:`HTTP2Pool` where the
    server speaks HTTP/2, and as :class:`~sseproto.http.HTTP11Connections`
    does otherwise (see the module's docstring). One per flow run; the
    contract of :meth:`lower` and :meth:`abandon` is that of the base class.
    """

    __slots__ = (
        "_h2pool",
        "_held",
        "_opening",
        "_preopened",
        "_role",
        "_shared",
        "_stream",
    )

    def __init__(
        self,
        pool: ConnectionPool[Any],
        h2pool: HTTP2Pool,
        clock: Callable[[], float],
        proxies: Proxies | None = None,
    ) -> None:
        super().__init__(pool, clock, proxies)
        self._h2pool = h2pool
        self._shared: HTTP2Connection | None = None
        self._stream = 0
        # What this flow holds while one operation is performed: "read" or
        # "write" (a role of the shared connection), "open" (an opening).
        self._role: str | None = None
        self._held: HTTP2Connection | None = None
        self._opening: Origin | None = None
        self._preopened: Any = None

    def abandon(self) -> list[Any]:
        """The connections the driver must close now that it stops early:
        the stream (if any) is reset, and its connection closed only if no
        other stream uses it (or a frame was cut short while sending)."""
        conns = super().abandon()
        if self._preopened is not None:
            conns.append(self._preopened)
            self._preopened = None
        role, self._role = self._role, None
        held, self._held = self._held, None
        if role == "open" and self._opening is not None:
            self._h2pool.end_opening(self._opening, None)
        elif role == "write" and held is not None:
            held.writing = False
            held.fail(NoResponse("the connection was abandoned while sending a frame"))
            conns += self._h2pool.settle(held)
        elif role == "read" and held is not None:
            held.reading = False
            held.hand_off()
        shared, self._shared = self._shared, None
        if shared is None:
            return conns
        shared.close_stream(self._stream, self._clock())
        return conns + self._h2pool.settle(shared)

    def lower(self, op: SendRequest | ReadBody | CloseResponse) -> Generator[Operation, Any, Any]:
        """The connection-level operations that perform ``op``; their
        generator returns ``op``'s result."""
        kind = type(op)
        if kind is SendRequest:
            return self._send2(op)  # type: ignore[arg-type]
        if self._shared is None:
            return super().lower(op)
        if kind is ReadBody:
            return self._read2(op)  # type: ignore[arg-type]
        return self._release2()

    # -- opening a stream ----------------------------------------------------------

    def _send2(self, op: SendRequest) -> Generator[Operation, Any, Head | TimedOut]:
        yield from self._release2()
        yield from self._release()
        origin = Origin.from_url(op.url)
        if not self._h2pool.speaks_http2(origin):
            return (yield from self._send(op))
        attempts = 0
        while True:
            attempts += 1
            shared = yield from self._connection(op, origin)
            if isinstance(shared, TimedOut):
                return shared
            if shared is None:
                # The server picked HTTP/1.1 (now or while this flow waited).
                if self._preopened is None:
                    return (yield from self._send(op))
                return (yield from self._attempt(op, origin, None))
            reused = shared.completed > 0 and shared.active == 0
            stream_id = shared.start(op.method, op.url, op.headers, op.body)
            self._shared, self._stream = shared, stream_id
            timeout = op.timeout
            deadline = smallest(op.deadline, None if timeout is None else self._clock() + timeout)
            try:
                return (yield from self._await_head(shared, stream_id, deadline))
            except (NotProcessed, NoResponse) as exc:
                if not isinstance(exc, NotProcessed) and not reused:
                    raise
                self._shared = None
                shared.close_stream(stream_id, self._clock())
                for conn in self._h2pool.settle(shared):
                    yield CloseConnection(conn)
                if op.method not in IDEMPOTENT_METHODS:
                    why = (
                        "the server says it did not process it, but it is"
                        if isinstance(exc, NotProcessed)
                        else "the request may have reached the server, so it was"
                    )
                    raise ReadError(
                        f"the HTTP/2 connection to {_where(origin)} failed before any byte "
                        f"of the response ({exc}); {why} not sent again ({op.method} is not "
                        f"idempotent)"
                    ) from exc
                if attempts >= _MAX_ATTEMPTS:
                    raise

    def _await_head(
        self, shared: HTTP2Connection, stream_id: int, deadline: float | None
    ) -> Generator[Operation, Any, Head | TimedOut]:
        while True:
            head = shared.head(stream_id)
            if head is not None:
                status, headers = head
                try:
                    reason = HTTPStatus(status).phrase
                except ValueError:
                    reason = ""
                return Head(status, reason, headers, "HTTP/2")
            if (yield from self._progress(shared, stream_id, deadline)) is None:
                return TimedOut(connecting=False)

    def _connection(
        self, op: SendRequest, origin: Origin
    ) -> Generator[Operation, Any, HTTP2Connection | TimedOut | None]:
        """A connection with room for a stream to ``origin``: a kept one, or
        a new one; ``None`` if the server picked HTTP/1.1 (a new
        connection then waits in ``_preopened``)."""
        pool = self._h2pool
        timeout = op.connect_timeout
        deadline = smallest(op.deadline, None if timeout is None else self._clock() + timeout)
        while True:
            ready, pending, stale = pool.pick(origin, self._clock())
            for conn in stale:
                yield CloseConnection(conn)
            if ready is not None:
                if ready.active or ready.reading:
                    return ready
                # Unused since its last stream: whatever arrived meanwhile
                # (a GOAWAY, a PING, the end of file) is read first.
                if (yield CheckIdle(ready.conn)):
                    if ready.capacity > 0:
                        return ready
                    continue  # other flows filled it meanwhile
                ready.reading = True
                self._role, self._held = "read", ready
                data = yield from self._receive_on(ready, self._wait(deadline))
                self._role = self._held = None
                ready.reading = False
                ready.receive(b"" if data is None else data)
                continue
            if not pool.speaks_http2(origin) or (
                not origin.tls and self._proxy_for(origin) is not None
            ):
                # Plain http through a proxy goes in absolute form: HTTP/1.1.
                return None
            wait = self._wait(deadline)
            if wait is not None and wait <= 0:
                return TimedOut(connecting=True)
            target: Signal | None = pending or (pool if pool.opening(origin) else None)
            if target is not None:
                if (yield AwaitChange(target, wait)) is None:
                    return TimedOut(connecting=True)
                continue
            return (yield from self._open2(origin, wait))

    def _open2(
        self, origin: Origin, wait: float | None
    ) -> Generator[Operation, Any, HTTP2Connection | TimedOut | None]:
        pool = self._h2pool
        pool.begin_opening(origin)
        self._role, self._opening = "open", origin
        try:
            conn = yield from self._open(origin, self._proxy_for(origin), wait)
        except BaseException:
            # Unless abandon() ended the opening already (a generator left
            # by a cancelled task is closed later, by the collector).
            if self._role == "open":
                self._role = None
                pool.end_opening(origin, None)
            raise
        if conn is None:
            self._role = None
            pool.end_opening(origin, None)
            return TimedOut(connecting=True)
        self._preopened = conn
        if origin.tls and (yield SelectedProtocol(conn)) != "h2":
            pool.mark_http11(origin)
            self._role = None
            pool.end_opening(origin, None)
            return None
        self._preopened = None
        self._role = None
        # h2 is imported with the first HTTP/2 connection, not with the package.
        from ._h2_exchange import HTTP2Connection  # noqa: PLC0415

        shared = HTTP2Connection(
            conn, origin, max_header_size=pool.max_header_size, now=self._clock()
        )
        pool.end_opening(origin, shared)
        return shared

    def _open(
        self, origin: Origin, proxy: Proxy | None, wait: float | None
    ) -> Generator[Operation, Any, Any]:
        """The connection whose server picked HTTP/1.1, if one waits for
        its first request; else a new one (through ``proxy``'s tunnel for
        an ``https`` origin)."""
        conn, self._preopened = self._preopened, None
        if conn is not None:
            return conn
        return (yield from super()._open(origin, proxy, wait))

    # -- moving bytes ------------------------------------------------------------------

    def _wait(self, deadline: float | None) -> float | None:
        return None if deadline is None else deadline - self._clock()

    def _progress(
        self, shared: HTTP2Connection, stream_id: int, deadline: float | None
    ) -> Generator[Operation, Any, bool | None]:
        """Send what is queued, then wait for bytes: read them (and route
        them) if no other flow reads, else wait until one did. ``True``
        once something changed, ``None`` once ``deadline`` passed."""
        yield from self._flush(shared, deadline)
        wait = self._wait(deadline)
        if wait is not None and wait <= 0:
            return None
        if shared.broken is not None:
            return True
        if shared.reading:
            changed: bool | None = yield AwaitChange(shared.stream_signal(stream_id), wait)
            return changed
        shared.reading = True
        self._role, self._held = "read", shared
        data = yield from self._receive_on(shared, wait)
        self._role = self._held = None
        shared.reading = False
        if data is None:
            # This flow's time ran out: another may take the role.
            shared.hand_off()
            return None
        shared.receive(data)
        yield from self._flush(shared, deadline)
        return True

    def _receive_on(
        self, shared: HTTP2Connection, wait: float | None
    ) -> Generator[Operation, Any, bytes | None]:
        """One receive on the shared connection; a failure fails it (every
        stream on it) and reads as the end of file."""
        try:
            data: bytes | None = yield ReceiveBytes(shared.conn, wait)
        except OSError as exc:
            error = ReadError(f"the connection to {_where(shared.origin)} broke: {exc}")
            error.__cause__ = exc
            lost = NoResponse(str(error))
            lost.__cause__ = error
            shared.fail(lost)
            return b""
        return data

    def _flush(
        self, shared: HTTP2Connection, deadline: float | None
    ) -> Generator[Operation, Any, None]:
        """Send the queued frames, unless another flow is sending them."""
        while shared.has_outbox and not shared.writing and shared.broken is None:
            data = shared.take_outbox()
            wait = self._wait(deadline)
            shared.writing = True
            self._role, self._held = "write", shared
            failure: RemoteProtocolError | None = None
            try:
                sent = yield SendBytes(
                    shared.conn, data, None if wait is None else max(wait, _MIN_SEND_WAIT)
                )
            except OSError as exc:
                failure = NoResponse(f"sending to {_where(shared.origin)} failed: {exc}")
                failure.__cause__ = exc
            else:
                if sent is None:
                    failure = NoResponse(f"sending to {_where(shared.origin)} timed out")
            self._role = self._held = None
            shared.writing = False
            if failure is not None:
                shared.fail(failure)

    # -- reading a stream --------------------------------------------------------------

    def _read2(self, op: ReadBody) -> Generator[Operation, Any, bytes | None]:
        shared, stream_id = self._shared, self._stream
        assert shared is not None, "ReadBody without a response"
        timeout = op.timeout
        deadline = smallest(op.deadline, None if timeout is None else self._clock() + timeout)
        while True:
            data = shared.take(stream_id)
            if data is not None:
                if shared.has_outbox:
                    yield from self._flush(shared, deadline)
                return data
            if (yield from self._progress(shared, stream_id, deadline)) is None:
                return None

    def _release2(self) -> Generator[Operation, Any, None]:
        shared, self._shared = self._shared, None
        if shared is None:
            return
        shared.close_stream(self._stream, self._clock())
        # A reset goes out now, so the server stops sending for it.
        yield from self._flush(shared, None)
        for conn in self._h2pool.settle(shared):
            yield CloseConnection(conn)
