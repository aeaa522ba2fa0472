"""The connection pool and :class:`HTTP11Connections`, over a fake connection layer.

:class:`FakeNet` performs the connection operations that ``HTTP11Connections``
yields (open, send, receive, close) from scripted connections, so reuse,
stale-connection retries and error ordering are checked byte for byte,
without sockets.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import pytest

from sseproto import Event, ResponseRejected
from sseproto.adapters import (
    ConnectError,
    ConnectTimeout,
    HeadersTooLarge,
    HTTP11Exchange,
    HTTPProtocolError,
    IncompleteBody,
    IncompleteResponse,
    NoResponse,
    Origin,
    ReadError,
    ReadTimeout,
    Response,
    SyncDriver,
    Timeouts,
)
from sseproto.http import (
    CheckIdle,
    CloseConnection,
    CloseResponse,
    ConnectionPool,
    Deliver,
    Head,
    HTTP11Connections,
    OpenConnection,
    Opened,
    ReadBody,
    ReceiveBytes,
    SendBytes,
    SendRequest,
    TimedOut,
    request_flow,
    stream_flow,
)

ORIGIN = Origin("http", "a.test", 80)
OTHER = Origin("http", "b.test", 80)
LIMITS = Timeouts(connect=5, read=5)

Incoming: TypeAlias = bytes | BaseException | None


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def exchange() -> HTTP11Exchange:
    return HTTP11Exchange("GET", "http://a.test/")


# -- ConnectionPool -------------------------------------------------------------------


def test_pool_take_empty() -> None:
    """An empty pool gives no connection and nothing to close."""
    pool: ConnectionPool[str] = ConnectionPool()
    assert pool.take(ORIGIN, 0.0) == (None, [])
    assert pool.idle(ORIGIN) == 0


def test_pool_put_then_take() -> None:
    """A connection put back is taken again with its exchange."""
    pool: ConnectionPool[str] = ConnectionPool()
    done = exchange()
    assert pool.put(ORIGIN, "c1", done, 0.0) == []
    assert pool.idle(ORIGIN) == 1
    assert pool.take(ORIGIN, 1.0) == (("c1", done), [])
    assert pool.idle(ORIGIN) == 0


def test_pool_takes_the_most_recent() -> None:
    """take() gives the most recently released connection."""
    pool: ConnectionPool[str] = ConnectionPool()
    pool.put(ORIGIN, "old", exchange(), 0.0)
    pool.put(ORIGIN, "new", exchange(), 1.0)
    taken, _ = pool.take(ORIGIN, 2.0)
    assert taken is not None
    assert taken[0] == "new"


def test_pool_is_per_origin() -> None:
    """Connections are kept per origin."""
    pool: ConnectionPool[str] = ConnectionPool()
    pool.put(OTHER, "b", exchange(), 0.0)
    assert pool.take(ORIGIN, 0.0) == (None, [])
    assert pool.idle(OTHER) == 1


def test_pool_take_expired() -> None:
    """An idle connection older than idle_expiry is handed back to close, not reused."""
    pool: ConnectionPool[str] = ConnectionPool(idle_expiry=10)
    pool.put(ORIGIN, "c1", exchange(), 0.0)
    assert pool.take(ORIGIN, 10.0) == (None, ["c1"])
    assert pool.idle(ORIGIN) == 0


def test_pool_take_returns_other_expired() -> None:
    """Taking a fresh connection also hands back the expired ones."""
    pool: ConnectionPool[str] = ConnectionPool(idle_expiry=10)
    pool.put(ORIGIN, "old", exchange(), 0.0)
    fresh = exchange()
    pool.put(ORIGIN, "fresh", fresh, 8.0)
    assert pool.take(ORIGIN, 12.0) == (("fresh", fresh), ["old"])
    assert pool.idle(ORIGIN) == 0


def test_pool_put_expires_old_ones() -> None:
    """put() hands back the expired connections of that origin."""
    pool: ConnectionPool[str] = ConnectionPool(idle_expiry=10)
    pool.put(ORIGIN, "old", exchange(), 0.0)
    assert pool.put(ORIGIN, "new", exchange(), 11.0) == ["old"]
    assert pool.idle(ORIGIN) == 1


def test_pool_max_idle() -> None:
    """A connection released when the origin has max_idle_per_origin idle ones is closed."""
    pool: ConnectionPool[str] = ConnectionPool(max_idle_per_origin=2)
    assert pool.put(ORIGIN, "c1", exchange(), 0.0) == []
    assert pool.put(ORIGIN, "c2", exchange(), 0.0) == []
    assert pool.put(ORIGIN, "c3", exchange(), 0.0) == ["c3"]
    assert pool.put(OTHER, "b1", exchange(), 0.0) == []
    assert pool.idle(ORIGIN) == 2


def test_pool_max_zero_disables_reuse() -> None:
    """max_idle_per_origin=0 closes every released connection."""
    pool: ConnectionPool[str] = ConnectionPool(max_idle_per_origin=0)
    assert pool.put(ORIGIN, "c1", exchange(), 0.0) == ["c1"]
    assert pool.idle(ORIGIN) == 0


def test_pool_drain() -> None:
    """drain() hands back every idle connection and empties the pool."""
    pool: ConnectionPool[str] = ConnectionPool()
    pool.put(ORIGIN, "a1", exchange(), 0.0)
    pool.put(ORIGIN, "a2", exchange(), 0.0)
    pool.put(OTHER, "b1", exchange(), 0.0)
    assert sorted(pool.drain()) == ["a1", "a2", "b1"]
    assert pool.drain() == []
    assert pool.take(ORIGIN, 0.0) == (None, [])


@pytest.mark.parametrize(
    "options",
    [
        {"max_idle_per_origin": -1},
        {"max_idle_per_origin": 1.5},
        {"max_idle_per_origin": True},
        {"idle_expiry": 0},
        {"idle_expiry": -1.0},
        {"idle_expiry": "5"},
    ],
)
def test_pool_arguments_checked(options: dict[str, Any]) -> None:
    """Bad pool arguments raise ValueError."""
    with pytest.raises(ValueError, match=next(iter(options))):
        ConnectionPool(**options)


# -- the fake connection layer ---------------------------------------------------------


@dataclass(eq=False)
class FakeConn:
    """A scripted connection: what each receive gets (bytes, ``b""`` for EOF,
    ``None`` for a timeout, an exception to raise), and how many sends succeed."""

    name: str
    incoming: list[Incoming] = field(default_factory=list)
    sends_before_failure: int | None = None
    #: What ``CheckIdle`` finds: something to read (bytes, EOF) while idle.
    stirring: bool = False
    sent: list[bytes] = field(default_factory=list)
    closed: bool = False

    def __repr__(self) -> str:
        return f"FakeConn({self.name})"


@dataclass
class Run:
    """What one flow did over the fake connection layer."""

    ops: list[object] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    opened: list[Opened] = field(default_factory=list)
    result: object = None
    error: BaseException | None = None

    def kinds(self) -> list[type]:
        return [type(op) for op in self.ops]


class FakeNet:
    """Opens the scripted connections in order and performs each operation."""

    def __init__(self, *conns: FakeConn | BaseException | None) -> None:
        self.fresh: deque[FakeConn | BaseException | None] = deque(conns)
        self.clock = Clock()
        self.pool: ConnectionPool[FakeConn] = ConnectionPool()

    def run(self, flow: Generator[Any, Any, Any], *, emits: int | None = None) -> Run:
        """Run ``flow`` to its end, or until it has made ``emits`` Delivers."""
        return self.run_lowered(HTTP11Connections(self.pool, self.clock), flow, emits=emits)

    def run_lowered(
        self,
        connections: HTTP11Connections,
        flow: Generator[Any, Any, Any],
        *,
        emits: int | None = None,
    ) -> Run:
        """Run ``flow`` with the library's own driver over ``connections``;
        the connections it holds at the end are left to ``abandon()``."""
        outcome = Run()
        driver = _Driver(self, outcome, flow, connections)
        while True:
            try:
                op = driver.step()
            except Exception as exc:
                outcome.error = exc
                return outcome
            if op is None:
                outcome.result = driver.result
                return outcome
            outcome.ops.append(op)
            if isinstance(op, Opened):
                outcome.opened.append(op)
            else:
                outcome.items.extend(op.items)
            if emits is not None and sum(type(o) is Deliver for o in outcome.ops) >= emits:
                driver.close()
                return outcome

    def perform(self, op: object, outcome: Run) -> tuple[object, BaseException | None]:
        if isinstance(op, OpenConnection):
            fresh = self.fresh.popleft()
            if isinstance(fresh, BaseException):
                return None, fresh
            return fresh, None
        if isinstance(op, SendBytes):
            conn: FakeConn = op.conn
            assert not conn.closed, "send on a closed connection"
            if (
                conn.sends_before_failure is not None
                and len(conn.sent) >= conn.sends_before_failure
            ):
                return None, BrokenPipeError("broken pipe")
            conn.sent.append(op.data)
            return True, None
        if isinstance(op, ReceiveBytes):
            conn = op.conn
            assert not conn.closed, "receive on a closed connection"
            assert conn.incoming, f"{conn} received more than its script"
            incoming = conn.incoming.pop(0)
            if isinstance(incoming, BaseException):
                return None, incoming
            return incoming, None
        if isinstance(op, CheckIdle):
            assert not op.conn.closed, "check of a closed connection"
            return not op.conn.stirring, None
        if isinstance(op, CloseConnection):
            op.conn.closed = True
        else:  # pragma: no cover - nothing else reaches a pump
            raise AssertionError(f"unexpected operation {op!r}")
        return None, None


class _Driver(SyncDriver):
    """The library's driver, performing with a :class:`FakeNet` and recording
    each operation; it leaves the held connection to the test (``release``
    does nothing, so ``abandon()`` can be checked)."""

    def __init__(
        self,
        net: FakeNet,
        outcome: Run,
        flow: Generator[Any, Any, Any],
        connections: HTTP11Connections,
    ) -> None:
        super().__init__(flow, connections, _no_sleep)
        self.net = net
        self.outcome = outcome

    def perform(self, op: Any) -> Any:
        self.outcome.ops.append(op)
        value, error = self.net.perform(op, self.outcome)
        if error is not None:
            raise error
        return value

    def discard(self, conn: Any) -> None:  # pragma: no cover - release() is off
        conn.closed = True

    def release(self) -> None:
        pass


def _no_sleep(seconds: float) -> None:  # pragma: no cover - these flows never wait
    raise AssertionError(f"unexpected wait of {seconds} s")


def response(
    body: bytes = b"", *headers: str, status: str = "200 OK", version: str = "1.1"
) -> bytes:
    """A response with Content-Length."""
    lines = [f"HTTP/{version} {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


CHUNKED_SSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
)


def get(path: str = "/", **options: Any) -> Generator[Any, Any, Any]:
    return request_flow(
        "GET", f"http://a.test{path}", timeouts=LIMITS, clock=lambda: 0.0, **options
    )


def call(method: str, path: str = "/") -> Generator[Any, Any, Any]:
    return request_flow(
        method, f"http://a.test{path}", body=b"{}", timeouts=LIMITS, clock=lambda: 0.0
    )


def sse(path: str = "/", **options: Any) -> Generator[Any, Any, Any]:
    return stream_flow("GET", f"http://a.test{path}", timeouts=LIMITS, clock=lambda: 0.0, **options)


def opens(run: Run) -> int:
    return run.kinds().count(OpenConnection)


# -- reuse ----------------------------------------------------------------------------------


def test_kept_alive_connection_is_reused() -> None:
    """A second request goes on the idle connection, without OpenConnection."""
    conn = FakeConn("a", [response(b"one"), response(b"two")])
    net = FakeNet(conn)
    first = net.run(get("/one"))
    assert isinstance(first.result, Response)
    assert first.result.body == b"one"
    assert net.pool.idle(ORIGIN) == 1
    second = net.run(get("/two"))
    assert isinstance(second.result, Response)
    assert second.result.body == b"two"
    assert opens(first) == 1
    assert opens(second) == 0
    assert [data.split(b"\r\n")[0] for data in conn.sent] == [
        b"GET /one HTTP/1.1",
        b"GET /two HTTP/1.1",
    ]
    assert not conn.closed
    assert net.pool.idle(ORIGIN) == 1


def test_stream_read_to_its_end_is_reused() -> None:
    """A stream whose body ended cleanly leaves its connection for the next request."""
    body = b"data: a\n\n"
    stream = response(body, "Content-Type: text/event-stream")
    conn = FakeConn("a", [stream, response(b"ok")])
    net = FakeNet(conn)
    first = net.run(sse())
    assert first.items == [Event("message", "a")]
    second = net.run(get())
    assert opens(second) == 0
    assert isinstance(second.result, Response)


@pytest.mark.parametrize(
    "reply",
    [
        response(b"one", "Connection: close"),
        response(b"one", version="1.0"),
        b"HTTP/1.1 200 OK\r\n\r\none",  # close-delimited
    ],
    ids=["connection-close", "http-1.0", "close-delimited"],
)
def test_no_reuse_when_the_server_closes(reply: bytes) -> None:
    """A response that ends its connection is not pooled; the next request opens another."""
    incoming: list[Incoming] = [reply] if b"Content-Length" in reply else [reply, b""]
    first_conn = FakeConn("a", incoming)
    second_conn = FakeConn("b", [response(b"two")])
    net = FakeNet(first_conn, second_conn)
    first = net.run(get())
    assert first.error is None
    assert first_conn.closed
    assert net.pool.idle(ORIGIN) == 0
    second = net.run(get())
    assert opens(second) == 1
    assert second_conn.sent


def test_no_reuse_after_bytes_past_the_response() -> None:
    """Bytes after the response's end make its connection not reusable."""
    conn = FakeConn("a", [response(b"one") + b"garbage"])
    net = FakeNet(conn)
    net.run(get())
    assert conn.closed
    assert net.pool.idle(ORIGIN) == 0


def test_no_reuse_after_an_incomplete_read() -> None:
    """A rejected stream released before its body ended closes the connection."""
    reply = response(b"x" * 100, "Content-Type: text/plain", status="500 Error")
    conn = FakeConn("a", [reply[:-80]])
    net = FakeNet(conn)
    run = net.run(sse(max_error_body=5))
    assert isinstance(run.error, ResponseRejected)
    assert run.error.body == b"xxxxx"
    assert CloseConnection(conn) in run.ops
    assert conn.closed
    assert net.pool.idle(ORIGIN) == 0


def test_release_with_a_full_pool_closes() -> None:
    """With max_idle_per_origin=0 a finished connection is closed, not kept."""
    conn = FakeConn("a", [response(b"one")])
    net = FakeNet(conn)
    net.pool = ConnectionPool(max_idle_per_origin=0)
    net.run(get())
    assert conn.closed


def test_redirect_to_the_same_origin_reuses() -> None:
    """A complete redirect response leaves its connection for the next hop."""
    redirect = response(b"", "Location: /next", status="302 Found")
    conn = FakeConn("a", [redirect, response(b"final")])
    net = FakeNet(conn)
    run = net.run(get())
    assert isinstance(run.result, Response)
    assert run.result.url == "http://a.test/next"
    assert opens(run) == 1
    assert len(conn.sent) == 2


def test_expired_connection_is_closed_not_reused() -> None:
    """An idle connection older than idle_expiry is closed and a new one opened."""
    old = FakeConn("a", [response(b"one")])
    new = FakeConn("b", [response(b"two")])
    net = FakeNet(old, new)
    net.run(get())
    net.clock.now += 1000
    second = net.run(get())
    assert old.closed
    assert second.kinds()[:2] == [CloseConnection, OpenConnection]
    assert new.sent


# -- stale connections -----------------------------------------------------------------------

#: How a reused connection fails before any response byte: what its receive
#: gets, and how many sends succeed on it.
STALE_WAYS = pytest.mark.parametrize(
    ("stale_reply", "sends"),
    [
        (b"", None),
        (ConnectionResetError("reset"), None),
        (None, 1),
    ],
    ids=["eof", "reset", "send-fails"],
)


@STALE_WAYS
def test_stale_connection_is_retried_once(stale_reply: Incoming, sends: int | None) -> None:
    """A reused connection that fails before any response byte is replaced, once."""
    stale = FakeConn("a", [response(b"one"), stale_reply], sends_before_failure=sends)
    fresh = FakeConn("b", [response(b"two")])
    net = FakeNet(stale, fresh)
    net.run(get())
    second = net.run(get("/two"))
    assert second.error is None
    assert isinstance(second.result, Response)
    assert second.result.body == b"two"
    assert stale.closed
    assert opens(second) == 1
    assert fresh.sent[0].startswith(b"GET /two ")
    kinds = second.kinds()
    assert kinds.index(CloseConnection) < kinds.index(OpenConnection)


def test_stale_retry_happens_only_once() -> None:
    """If the new connection fails the same way, NoResponse is raised: no third try."""
    stale = FakeConn("a", [response(b"one"), b""])
    fresh = FakeConn("b", [b""])
    net = FakeNet(stale, fresh)
    net.run(get())
    second = net.run(get())
    assert isinstance(second.error, NoResponse)
    assert opens(second) == 1


@pytest.mark.parametrize(
    ("after", "error"),
    [
        (b"", IncompleteResponse),
        (ConnectionResetError("reset"), ReadError),
    ],
    ids=["eof", "reset"],
)
def test_no_retry_once_response_bytes_arrived(after: Incoming, error: type[Exception]) -> None:
    """A reused connection that broke after sending part of a response is not retried."""
    stale = FakeConn("a", [response(b"one"), b"HTTP/1.1 200 OK\r\n", after])
    net = FakeNet(stale, FakeConn("b", [response(b"never")]))
    net.run(get())
    second = net.run(get())
    assert type(second.error) is error
    assert opens(second) == 0
    assert len(net.fresh) == 1


@STALE_WAYS
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_non_idempotent_request_is_not_sent_again(
    method: str, stale_reply: Incoming, sends: int | None
) -> None:
    """A POST whose reused connection fails before any response byte raises; no new connection."""
    stale = FakeConn("a", [response(b"one"), stale_reply], sends_before_failure=sends)
    net = FakeNet(stale, FakeConn("b", [response(b"never")]))
    net.run(get())
    second = net.run(call(method))
    assert isinstance(second.error, ReadError)
    assert "may have reached the server" in str(second.error)
    assert second.error.__cause__ is not None
    assert opens(second) == 0
    assert len(net.fresh) == 1
    assert stale.closed


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"])
def test_idempotent_methods_are_sent_again(method: str) -> None:
    """Every idempotent method of RFC 9110 is retried on a new connection."""
    stale = FakeConn("a", [response(b"one"), b""])
    fresh = FakeConn("b", [response(b"" if method == "HEAD" else b"two")])
    net = FakeNet(stale, fresh)
    net.run(get())
    second = net.run(call(method))
    assert second.error is None
    assert opens(second) == 1


def test_stirring_idle_connection_is_closed_unused() -> None:
    """An idle connection with something to read is closed before any byte is sent on it."""
    stirring = FakeConn("a", [response(b"one")])
    fresh = FakeConn("b", [response(b"two")])
    net = FakeNet(stirring, fresh)
    net.run(get())
    stirring.stirring = True
    second = net.run(call("POST"))
    assert isinstance(second.result, Response)
    assert second.result.body == b"two"
    assert len(stirring.sent) == 1
    assert stirring.closed
    assert second.kinds()[:3] == [CheckIdle, CloseConnection, OpenConnection]


def test_check_moves_on_to_the_next_idle_connection() -> None:
    """A connection that fails the check is closed and the next idle one is checked."""
    older = FakeConn("a", [response(b"one"), response(b"three")])
    newer = FakeConn("b", [response(b"two")])
    net = FakeNet(older, newer)
    assert net.run(get()).error is None
    # A second idle connection, more recent, so checked first.
    net.pool.put(ORIGIN, newer, _done_exchange(), net.clock())
    newer.stirring = True
    second = net.run(call("POST"))
    assert isinstance(second.result, Response)
    assert second.result.body == b"three"
    assert newer.closed
    assert not older.closed
    assert second.kinds()[:3] == [CheckIdle, CloseConnection, CheckIdle]


def _done_exchange() -> HTTP11Exchange:
    done = HTTP11Exchange("GET", "http://a.test/")
    done.receive(response(b"x"))
    return done


def test_no_retry_on_a_new_connection() -> None:
    """A new connection closed without a response raises NoResponse at once."""
    net = FakeNet(FakeConn("a", [b""]), FakeConn("b", [response()]))
    run = net.run(get())
    assert isinstance(run.error, NoResponse)
    assert opens(run) == 1


# -- errors and their order -----------------------------------------------------------------


def _reader(path: str = "/") -> Generator[Any, Any, tuple[list[bytes | None], Exception | None]]:
    """A flow that reads the whole body and reports each read and the error."""
    result = yield SendRequest("GET", f"http://a.test{path}", (), None, 5, 5)
    assert isinstance(result, Head)
    reads: list[bytes | None] = []
    try:
        while True:
            data = yield ReadBody(5)
            reads.append(data)
            if not data:
                break
    except Exception as exc:
        return reads, exc
    yield CloseResponse()
    return reads, None


def _read_result(run: Run) -> tuple[list[bytes | None], Exception | None]:
    assert run.error is None, run.error
    result: tuple[list[bytes | None], Exception | None] = run.result  # type: ignore[assignment]
    return result


def test_body_before_a_protocol_error_comes_first() -> None:
    """Body bytes that arrived with a malformed chunk are read first; the next read raises."""
    conn = FakeConn("a", [CHUNKED_SSE, b"9\r\ndata: x\n\n\r\nZZ\r\n"])
    run = FakeNet(conn).run(_reader())
    reads, error = _read_result(run)
    assert reads == [b"data: x\n\n"]
    assert isinstance(error, HTTPProtocolError)


def test_stream_emits_before_a_protocol_error() -> None:
    """A stream emits the events that arrived intact, then raises the HTTP error."""
    conn = FakeConn("a", [CHUNKED_SSE, b"9\r\ndata: x\n\n\r\nZZ\r\n"])
    run = FakeNet(conn).run(sse())
    assert run.items == [Event("message", "x")]
    assert isinstance(run.error, HTTPProtocolError)


def test_incomplete_body_after_the_events() -> None:
    """A Content-Length body cut short raises IncompleteBody after its events."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 100\r\n\r\n"
    conn = FakeConn("a", [head + b"data: a\n\n", b"data: b\n\n", b""])
    run = FakeNet(conn).run(sse())
    assert run.items == [Event("message", "a"), Event("message", "b")]
    assert isinstance(run.error, IncompleteBody)


def test_body_before_a_chunk_line_too_long_comes_first() -> None:
    """Body bytes that arrived with an endless chunk-size line are read before HeadersTooLarge."""
    conn = FakeConn("a", [CHUNKED_SSE, b"9\r\ndata: x\n\n\r\n" + b"f" * 70_000])
    run = FakeNet(conn).run(_reader())
    reads, error = _read_result(run)
    assert isinstance(error, HeadersTooLarge)
    assert reads == [b"data: x\n\n"]


def test_protocol_error_outcome_does_not_depend_on_splitting() -> None:
    """A head, an event and a malformed chunk give the same outcome in one read or in two."""
    body = b"9\r\ndata: x\n\n\r\nZZ\r\n"
    split = FakeNet(FakeConn("a", [CHUNKED_SSE, body])).run(sse())
    joined = FakeNet(FakeConn("a", [CHUNKED_SSE + body])).run(sse())
    assert split.items == [Event("message", "x")]
    assert type(split.error) is HTTPProtocolError
    assert (joined.items, type(joined.error)) == (split.items, type(split.error))


def test_connect_failure_is_connect_error() -> None:
    """An OSError from connecting becomes ConnectError, caused by it."""
    refused = ConnectionRefusedError("refused")
    run = FakeNet(refused).run(get())
    assert isinstance(run.error, ConnectError)
    assert run.error.__cause__ is refused


def test_connect_timeout() -> None:
    """OpenConnection answered with None (timed out) raises ConnectTimeout."""
    run = FakeNet(None).run(get())
    assert isinstance(run.error, ConnectTimeout)
    assert run.ops[0] == OpenConnection(ORIGIN, 5)


def test_head_timeout_closes_the_connection() -> None:
    """A response head that never comes raises ReadTimeout; the runner abandons the connection."""
    conn = FakeConn("a", [None])
    net = FakeNet(conn)
    lowered = HTTP11Connections(net.pool, net.clock)
    run = net.run_lowered(lowered, get())
    assert isinstance(run.error, ReadTimeout)
    assert ReceiveBytes(conn, 5) in run.ops
    assert lowered.abandon() == [conn]


def test_send_failure_on_a_new_connection() -> None:
    """An OSError sending on a new connection raises ReadError; no retry."""
    conn = FakeConn("a", sends_before_failure=0)
    net = FakeNet(conn, FakeConn("b"))
    run = net.run(get())
    assert isinstance(run.error, ReadError)
    assert isinstance(run.error.__cause__, BrokenPipeError)
    assert len(net.fresh) == 1


def test_receive_failure_mid_body() -> None:
    """An OSError while reading the body becomes ReadError after the events before it."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
    conn = FakeConn("a", [head, b"data: a\n\n", ConnectionResetError("reset")])
    run = FakeNet(conn).run(sse())
    assert run.items == [Event("message", "a")]
    assert isinstance(run.error, ReadError)
    assert isinstance(run.error.__cause__, ConnectionResetError)


def test_timed_out_read_is_none() -> None:
    """A body read that timed out answers the flow with None (ReadTimeout for a stream)."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
    conn = FakeConn("a", [head, b"data: a\n\n", None])
    run = FakeNet(conn).run(sse())
    assert run.items == [Event("message", "a")]
    assert isinstance(run.error, ReadTimeout)


def test_body_with_the_head_is_read_first() -> None:
    """Body bytes that arrived with the head are the first read, without receiving."""
    reply = response(b"data: a\n\n", "Content-Type: text/event-stream")
    conn = FakeConn("a", [reply])
    run = FakeNet(conn).run(sse())
    assert run.items == [Event("message", "a")]
    assert run.kinds().count(ReceiveBytes) == 1


# -- abandon ----------------------------------------------------------------------------------


def test_abandon_returns_the_held_connection() -> None:
    """A runner that stops early gets the connection to close from abandon(), once."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
    conn = FakeConn("a", [head, b"data: a\n\n", b"data: b\n\n"])
    net = FakeNet(conn)
    lowered = HTTP11Connections(net.pool, net.clock)
    run = net.run_lowered(lowered, sse(), emits=1)
    assert run.items == [Event("message", "a")]
    assert not conn.closed
    assert lowered.abandon() == [conn]
    assert lowered.abandon() == []
    assert net.pool.idle(ORIGIN) == 0


def test_abandon_after_release_is_empty() -> None:
    """A flow that ended released its connection: abandon() has nothing to close."""
    net = FakeNet(FakeConn("a", [response(b"x")]))
    lowered = HTTP11Connections(net.pool, net.clock)
    net.run_lowered(lowered, get())
    assert lowered.abandon() == []
    assert net.pool.idle(ORIGIN) == 1


def test_abandon_after_the_flow_raised() -> None:
    """A flow that raised mid-body leaves its connection to abandon()."""
    conn = FakeConn("a", [CHUNKED_SSE, b"9\r\ndata: x\n\n\r\nZZ\r\n"])
    net = FakeNet(conn)
    lowered = HTTP11Connections(net.pool, net.clock)
    net.run_lowered(lowered, sse())
    assert lowered.abandon() == [conn]


class _SendTimesOut(FakeNet):
    """Every send times out."""

    def perform(self, op: object, outcome: Run) -> tuple[object, BaseException | None]:
        if isinstance(op, SendBytes):
            return None, None
        return super().perform(op, outcome)


def test_timed_out_send_result() -> None:
    """A send that timed out answers the flow with TimedOut, and a stream raises ReadTimeout."""

    def send_only() -> Generator[Any, Any, Any]:
        result = yield SendRequest("GET", "http://a.test/", (), None, 5, 5)
        return result

    run = _SendTimesOut(FakeConn("a")).run(send_only())
    assert run.result == TimedOut(connecting=False)
    run = _SendTimesOut(FakeConn("b")).run(sse())
    assert isinstance(run.error, ReadTimeout)
