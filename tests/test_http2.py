"""HTTP/2 in memory: :class:`HTTPConnections` and :class:`HTTP2Connection`
against h2's server-side state machine, without sockets.

:class:`MemNet` performs the connection operations: each ``OpenConnection``
makes a :class:`MemServer` (an h2 server connection that answers each
request with the response its path names), ``SendBytes`` feeds it, and
``ReceiveBytes`` returns what it wrote, cut into the pieces a test asks for
(hypothesis cuts them anywhere). Flows run under the library's own
:class:`~sseproto.adapters.SyncDriver`, several of them from one thread and
read alternately, as a blocking client does.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Generator, Iterator
from typing import Any

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.settings
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sseproto import Event, RemoteProtocolError
from sseproto.adapters import SyncDriver
from sseproto.http import (
    CONNECTION_WINDOW,
    STREAM_WINDOW,
    AwaitChange,
    CheckIdle,
    CloseConnection,
    ConnectionLost,
    ConnectionPool,
    ConnectTimeout,
    Deliver,
    HeadersTooLarge,
    HTTP2Connection,
    HTTP2Pool,
    HTTPConnections,
    HTTPProtocolError,
    IncompleteBody,
    OpenConnection,
    Opened,
    Origin,
    ReadError,
    ReadTimeout,
    ReceiveBytes,
    Response,
    SelectedProtocol,
    SendBytes,
    Timeouts,
    request_flow,
    stream_flow,
)

LIMITS = Timeouts(connect=5, read=5)
BASE = "https://a.test"

Handler = Callable[["MemServer", int, dict[bytes, bytes], bytes], None]


def sse_body(count: int, size: int = 0) -> bytes:
    """``count`` events, ``data: event <i>`` padded to ``size`` bytes of data."""
    return b"".join(
        b"id: %d\ndata: %s\n\n" % (i, (b"event %d" % i).ljust(size, b".")) for i in range(count)
    )


def events(count: int, size: int = 0) -> list[Event]:
    return [Event("message", f"event {i}".ljust(size, "."), str(i)) for i in range(count)]


def answer(server: MemServer, stream_id: int, request: dict[bytes, bytes], body: bytes) -> None:
    """The default handler: ``/events/<n>[/<size>]`` streams events; ``/echo``
    answers with the request body; ``/big-head`` sends a large header."""
    path = request[b":path"].decode().partition("?")[0]
    parts = path.strip("/").split("/")
    if parts[0] == "events":
        size = int(parts[2]) if len(parts) > 2 else 0
        server.respond(stream_id, sse_body(int(parts[1]), size))
    elif parts[0] == "echo":
        server.respond(stream_id, body, content_type=b"application/octet-stream")
    elif parts[0] == "big-head":
        server.respond(stream_id, b"", extra=[(b"x-big", b"v" * int(parts[1]))])
    elif parts[0] == "silent":
        pass
    else:  # pragma: no cover - every test names a known path
        raise AssertionError(path)


class MemServer:
    """One in-memory HTTP/2 server connection (h2's server side)."""

    def __init__(
        self, handler: Handler, cuts: Iterator[int], *, max_streams: int | None = None
    ) -> None:
        config = h2.config.H2Configuration(client_side=False, header_encoding=None)
        self.h2 = h2.connection.H2Connection(config=config)
        if max_streams is not None:
            self.h2.local_settings = h2.settings.Settings(
                client=False,
                initial_values={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: max_streams},
            )
        self.h2.initiate_connection()
        self.out = bytearray(self.h2.data_to_send())
        self.handler = handler
        self.cuts = cuts
        self.requests: dict[int, dict[bytes, bytes]] = {}
        self.header_lists: dict[int, list[tuple[bytes, bytes]]] = {}
        self.bodies: dict[int, bytearray] = {}
        self.pending: dict[int, bytearray] = {}
        self.resets: list[tuple[int, int]] = []
        self.trailers: set[int] = set()
        self.window_updates = 0
        self.eof = False
        self.closed = False

    def feed(self, data: bytes) -> None:
        for event in self.h2.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                headers = list(event.headers)
                self.header_lists[event.stream_id] = headers
                self.requests[event.stream_id] = dict(headers)
                self.bodies[event.stream_id] = bytearray()
            elif isinstance(event, h2.events.DataReceived):
                self.bodies[event.stream_id] += event.data
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                sid = event.stream_id
                self.handler(self, sid, self.requests[sid], bytes(self.bodies[sid]))
            elif isinstance(event, h2.events.StreamReset):
                self.resets.append((event.stream_id, event.error_code))
                self.pending.pop(event.stream_id, None)
            elif isinstance(event, h2.events.WindowUpdated):
                self.window_updates += 1
                self.pump()
        self.out += self.h2.data_to_send()

    def respond(
        self,
        stream_id: int,
        body: bytes,
        *,
        content_type: bytes = b"text/event-stream",
        extra: list[tuple[bytes, bytes]] | None = None,
        trailers: bool = False,
    ) -> None:
        headers = [(b":status", b"200"), (b"content-type", content_type), *(extra or [])]
        if trailers:
            self.trailers.add(stream_id)
        self.h2.send_headers(stream_id, headers)
        self.pending[stream_id] = bytearray(body)
        self.pump()

    def pump(self) -> None:
        """Send what the windows allow of each pending body."""
        for stream_id, rest in list(self.pending.items()):
            while rest:
                room = min(
                    self.h2.local_flow_control_window(stream_id), self.h2.max_outbound_frame_size
                )
                if room <= 0:
                    break
                self.h2.send_data(stream_id, bytes(rest[:room]))
                del rest[:room]
            if not rest:
                del self.pending[stream_id]
                if stream_id in self.trailers:
                    self.h2.send_headers(stream_id, [(b"x-trailer", b"1")], end_stream=True)
                else:
                    self.h2.end_stream(stream_id)
        self.out += self.h2.data_to_send()

    def goaway(self, last_stream_id: int) -> None:
        self.h2.close_connection(last_stream_id=last_stream_id)
        self.out += self.h2.data_to_send()

    def take(self) -> bytes | None:
        """The next piece of what the server wrote; ``b""`` at its end,
        ``None`` (a timeout) when it has nothing to say."""
        if not self.out:
            return b"" if self.eof else None
        size = next(self.cuts)
        piece = bytes(self.out[:size])
        del self.out[:size]
        return piece


class MemH1:
    """A connection whose server picked HTTP/1.1: it answers each request
    with one canned response."""

    RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    def __init__(self) -> None:
        self.received = bytearray()
        self.out = bytearray()
        self.eof = False
        self.closed = False

    def feed(self, data: bytes) -> None:
        self.received += data
        self.out += self.RESPONSE

    def take(self) -> bytes | None:
        data, self.out = bytes(self.out), bytearray()
        return data or None


class MemNet:
    """Performs connection operations on in-memory servers."""

    def __init__(
        self,
        handler: Handler = answer,
        *,
        cuts: Callable[[], Iterator[int]] = lambda: itertools.repeat(1 << 20),
        max_streams: int | None = None,
        alpn: str | None = "h2",
    ) -> None:
        self.handler = handler
        self.cuts = cuts
        self.max_streams = max_streams
        self.alpn = alpn
        self.servers: list[MemServer] = []
        self.pool: ConnectionPool[Any] = ConnectionPool()
        self.h2pool = HTTP2Pool(prior_knowledge=True)
        self.ops: list[object] = []
        self.unreachable = False

    def perform(self, op: Any) -> Any:
        self.ops.append(op)
        kind = type(op)
        if kind is OpenConnection and self.unreachable:
            return None  # the connect timed out
        if kind is OpenConnection and self.alpn == "http/1.1":
            return MemH1()
        if kind is OpenConnection:
            server = MemServer(self.handler, self.cuts(), max_streams=self.max_streams)
            self.servers.append(server)
            return server
        if kind is SelectedProtocol:
            return self.alpn
        if kind is SendBytes:
            assert not op.conn.closed, "send on a closed connection"
            op.conn.feed(op.data)
            return True
        if kind is ReceiveBytes:
            assert not op.conn.closed, "receive on a closed connection"
            return op.conn.take()
        if kind is CheckIdle:
            return not op.conn.out and not op.conn.eof
        if kind is CloseConnection:
            op.conn.closed = True
            return None
        if kind is AwaitChange:  # pragma: no cover - one thread never waits
            raise AssertionError("a flow waited for another in a single thread")
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    def driver(self, flow: Generator[Any, Any, Any]) -> MemDriver:
        connections = HTTPConnections(self.pool, self.h2pool, lambda: 0.0)
        return MemDriver(self, flow, connections)

    def stream(self, path: str, **options: Any) -> tuple[MemDriver, Opened]:
        """Open a stream on ``path``; the driver and its ``Opened``."""
        flow = stream_flow("GET", BASE + path, timeouts=LIMITS, clock=lambda: 0.0, **options)
        driver = self.driver(flow)
        opened = driver.step()
        assert isinstance(opened, Opened)
        return driver, opened

    def request(self, method: str, path: str, body: bytes | None = None) -> Any:
        flow = request_flow(method, BASE + path, body=body, timeouts=LIMITS, clock=lambda: 0.0)
        return self.driver(flow).run()


class MemDriver(SyncDriver):
    """The library's driver over a :class:`MemNet`."""

    def __init__(self, net: MemNet, flow: Any, connections: HTTPConnections) -> None:
        super().__init__(flow, connections, _no_sleep)
        self.net = net

    def perform(self, op: Any) -> Any:
        return self.net.perform(op)

    def discard(self, conn: Any) -> None:
        conn.closed = True

    def items(self, count: int | None = None) -> list[Any]:
        """The next ``count`` items (all to the end when ``None``)."""
        got: list[Any] = []
        while count is None or len(got) < count:
            step = self.step()
            if step is None:
                break
            assert isinstance(step, Deliver)
            got.extend(step.items)
        return got


def _no_sleep(seconds: float) -> None:  # pragma: no cover - these flows never wait
    raise AssertionError(f"unexpected wait of {seconds} s")


# -- one stream ----------------------------------------------------------------------------


def test_stream_over_http2() -> None:
    """A stream's head and events arrive over HTTP/2, which the head reports."""
    net = MemNet()
    driver, opened = net.stream("/events/3")
    assert opened.head.http_version == "HTTP/2"
    assert opened.head.status == 200
    assert opened.head.reason == "OK"
    assert ("content-type", "text/event-stream") in opened.head.headers
    assert driver.items() == events(3)
    assert driver.done
    assert len(net.servers) == 1


def test_request_fields() -> None:
    """Pseudo-header fields first, lower-case names, no connection-specific fields."""
    net = MemNet()
    flow = stream_flow(
        "GET",
        BASE + "/events/1?q=1",
        headers=[
            ("X-Custom", "Yes"),
            ("Connection", "keep-alive"),
            ("Keep-Alive", "5"),
            ("TE", "gzip"),
        ],
        timeouts=LIMITS,
        clock=lambda: 0.0,
    )
    driver = net.driver(flow)
    driver.step()
    driver.items()
    fields = net.servers[0].header_lists[1]
    names = [name for name, _ in fields]
    assert fields[:4] == [
        (b":method", b"GET"),
        (b":scheme", b"https"),
        (b":authority", b"a.test"),
        (b":path", b"/events/1?q=1"),
    ]
    assert (b"x-custom", b"Yes") in fields
    assert not {b"connection", b"keep-alive", b"te", b"host"} & set(names)
    assert all(name == name.lower() for name in names)


def test_request_body_larger_than_the_window() -> None:
    """A POST body larger than the send window goes out as the server opens it."""
    net = MemNet()
    body = bytes(range(256)) * 400  # 102,400 bytes > 65,535
    result = net.request("POST", "/echo", body)
    assert isinstance(result, Response)
    assert result.body == body
    assert result.http_version == "HTTP/2"
    request = net.servers[0].requests[1]
    assert request[b"content-length"] == b"102400"


def test_trailers_are_ignored() -> None:
    """Trailer fields after the body end the stream and are not items."""

    def with_trailers(server: MemServer, sid: int, request: Any, body: bytes) -> None:
        server.respond(sid, sse_body(2), trailers=True)

    net = MemNet(with_trailers)
    driver, _ = net.stream("/x")
    assert driver.items() == events(2)
    assert driver.done


def test_head_too_large() -> None:
    """A response head over max_header_size raises HeadersTooLarge, and resets the stream."""
    net = MemNet()
    net.h2pool.max_header_size = 1000
    flow = request_flow("GET", BASE + "/big-head/2000", timeouts=LIMITS, clock=lambda: 0.0)
    with pytest.raises(HeadersTooLarge):
        net.driver(flow).run()


def test_protocol_violation() -> None:
    """Bytes that are not HTTP/2 frames raise HTTPProtocolError."""

    def garbage(server: MemServer, sid: int, request: Any, body: bytes) -> None:
        server.out += b"\x00\x00\x04\x09\x00\x00\x00\x00\x01junk"  # CONTINUATION out of place

    net = MemNet(garbage)
    flow = request_flow("GET", BASE + "/x", timeouts=LIMITS, clock=lambda: 0.0)
    with pytest.raises(HTTPProtocolError):
        net.driver(flow).run()


def test_connection_closed_mid_body() -> None:
    """The end of the connection in the middle of a body is IncompleteBody, a ConnectionLost."""

    def cut(server: MemServer, sid: int, request: Any, body: bytes) -> None:
        server.h2.send_headers(sid, [(b":status", b"200"), (b"content-type", b"text/event-stream")])
        server.h2.send_data(sid, b"data: one\n\n")
        server.out += server.h2.data_to_send()
        server.eof = True

    net = MemNet(cut)
    driver, _ = net.stream("/x")
    assert driver.items(1) == [Event("message", "one")]
    with pytest.raises(IncompleteBody) as caught:
        driver.items()
    assert isinstance(caught.value, ConnectionLost)


def test_read_timeout() -> None:
    """A stream whose server says nothing times out like an HTTP/1.1 one."""
    net = MemNet()
    flow = request_flow("GET", BASE + "/silent", timeouts=LIMITS, clock=lambda: 0.0)
    with pytest.raises(ReadTimeout):
        net.driver(flow).run()


def test_connect_timeout() -> None:
    """A connection that cannot be made in time raises ConnectTimeout, as over HTTP/1.1."""
    net = MemNet()
    net.unreachable = True
    with pytest.raises(ConnectTimeout):
        net.request("GET", "/events/1")
    assert not net.h2pool.opening(Origin.from_url(BASE))


@given(st.lists(st.integers(1, 64), min_size=1, max_size=20))
def test_frames_split_anywhere(sizes: list[int]) -> None:
    """However the server's bytes are cut, two streams read alternately get the same events."""
    net = MemNet(cuts=lambda: itertools.cycle(sizes))
    first, _ = net.stream("/events/4/40")
    second, _ = net.stream("/events/3")
    got_first: list[Any] = []
    got_second: list[Any] = []
    while not (first.done and second.done):
        got_first += first.items(1)
        got_second += second.items(1)
    assert got_first == events(4, 40)
    assert got_second == events(3)
    assert len(net.servers) == 1


def test_alpn_http11_uses_the_opened_connection() -> None:
    """A server that picks http/1.1 gets the request on the connection ALPN ran on,
    and HTTP/1.1 from then on (reused, without asking again)."""
    net = MemNet(alpn="http/1.1")
    first = net.request("GET", "/one")
    second = net.request("GET", "/two")
    assert isinstance(first, Response)
    assert isinstance(second, Response)
    assert (first.http_version, first.body) == ("HTTP/1.1", b"ok")
    assert second.http_version == "HTTP/1.1"
    kinds = [type(op) for op in net.ops]
    assert kinds.count(OpenConnection) == 1
    assert kinds.count(SelectedProtocol) == 1
    conn = next(op.conn for op in net.ops if isinstance(op, SendBytes))
    assert bytes(conn.received).startswith(b"GET /one HTTP/1.1\r\n")
    assert b"GET /two HTTP/1.1\r\n" in conn.received


# -- multiplexing ----------------------------------------------------------------------------


def test_streams_share_one_connection() -> None:
    """Ten streams opened from one thread share one connection and are read alternately."""
    net = MemNet()
    drivers = [net.stream(f"/events/{n}")[0] for n in range(1, 11)]
    results: list[list[Any]] = [[] for _ in drivers]
    while not all(driver.done for driver in drivers):
        for index, driver in enumerate(drivers):
            results[index] += driver.items(1)
    assert results == [events(n) for n in range(1, 11)]
    assert len(net.servers) == 1
    assert len(net.h2pool.connections(next(iter(net.h2pool._conns)))) == 1


def test_slow_stream_buffers_at_most_its_window() -> None:
    """A stream nobody reads buffers at most its window while another reads 10x more."""
    net = MemNet()
    slow, _ = net.stream("/events/2000/100")  # about 220 KB
    fast, _ = net.stream("/events/2000/100")
    assert len(fast.items()) == 2000
    server = net.servers[0]
    # The slow stream's window is spent: the server holds the rest back.
    assert 1 in server.pending
    shared = net.h2pool.connections(next(iter(net.h2pool._conns)))[0]
    assert shared._streams[1].buffered <= STREAM_WINDOW
    # Read, the slow stream releases its window and gets everything.
    assert len(slow.items()) == 2000


def test_connection_window_is_released() -> None:
    """More bytes than the connection's window flow on one connection (17 MB > 16 MiB)."""
    net = MemNet()
    driver, _ = net.stream("/events/1100/16000")
    count = sum(1 for _ in driver.items())
    assert count == 1100
    assert CONNECTION_WINDOW < 1100 * 16000


def test_server_limit_opens_another_connection() -> None:
    """Beyond SETTINGS_MAX_CONCURRENT_STREAMS a stream goes on a new connection."""
    net = MemNet(max_streams=2)
    drivers = [net.stream("/events/2")[0] for _ in range(5)]
    assert len(net.servers) == 3
    for driver in drivers:
        assert driver.items() == events(2)


# -- reset and goaway ------------------------------------------------------------------------


def test_closing_a_stream_resets_it_only() -> None:
    """A stream closed early is reset with CANCEL; its neighbour goes on, on the same connection."""
    net = MemNet()
    cancelled, _ = net.stream("/events/5000/50")
    other, _ = net.stream("/events/5000/50")
    assert len(cancelled.items(3)) >= 3
    cancelled.close()
    assert len(other.items()) == 5000
    server = net.servers[0]
    assert (1, h2.errors.ErrorCodes.CANCEL) in server.resets
    assert not server.closed
    # The connection is still used for the next stream.
    third, _ = net.stream("/events/1")
    assert third.items() == events(1)
    assert len(net.servers) == 1


def _goaway_on_second_stream(net: MemNet) -> Handler:
    """Server 0 answers stream 1, and answers stream 3 with GOAWAY(last
    stream id 1); the later servers answer everything."""

    def handler(server: MemServer, sid: int, request: Any, body: bytes) -> None:
        if server is net.servers[0] and sid > 1:
            server.goaway(last_stream_id=1)
        else:
            answer(server, sid, request, body)

    return handler


def test_goaway_retries_an_unprocessed_get() -> None:
    """A GET above the GOAWAY's last stream id is sent again on a new connection,
    and the old connection closes once its last stream is done."""
    net = MemNet()
    net.handler = _goaway_on_second_stream(net)
    first = net.stream("/events/1")[0]
    result = net.request("GET", "/events/2")
    assert isinstance(result, Response)
    assert result.body == sse_body(2)
    assert len(net.servers) == 2
    assert not net.servers[0].closed
    assert first.items() == events(1)
    assert net.servers[0].closed


def test_goaway_never_resends_a_post() -> None:
    """A POST above the GOAWAY's last stream id raises ReadError; it was sent once."""
    net = MemNet()
    net.handler = _goaway_on_second_stream(net)
    first = net.stream("/events/1")[0]
    with pytest.raises(ReadError, match="not sent again"):
        net.request("POST", "/echo", b"{}")
    assert first.items() == events(1)
    assert len(net.servers) == 1
    posts = [r for s in net.servers for r in s.requests.values() if r[b":method"] == b"POST"]
    assert len(posts) == 1


@pytest.mark.parametrize("ending", ["goaway", "eof"])
def test_idle_connection_that_went_away_is_not_used(ending: str) -> None:
    """An idle connection whose server sent GOAWAY, or closed it, meanwhile is read,
    closed and replaced before a stream is started on it."""
    net = MemNet()
    assert net.request("GET", "/events/1").body == sse_body(1)
    first = net.servers[0]
    if ending == "goaway":
        first.goaway(last_stream_id=1)
    else:
        first.eof = True
    assert net.request("GET", "/events/2").body == sse_body(2)
    assert len(net.servers) == 2
    assert first.closed
    assert len(first.requests) == 1


def test_refused_stream_get_is_retried() -> None:
    """A GET reset with REFUSED_STREAM before any response is sent again."""
    refused: list[int] = []

    def refuse_once(server: MemServer, sid: int, request: Any, body: bytes) -> None:
        if not refused:
            refused.append(sid)
            server.h2.reset_stream(sid, h2.errors.ErrorCodes.REFUSED_STREAM)
            server.out += server.h2.data_to_send()
        else:
            answer(server, sid, request, body)

    net = MemNet(refuse_once)
    result = net.request("GET", "/events/1")
    assert isinstance(result, Response)
    assert result.body == sse_body(1)


def test_h2_is_imported_only_for_http2() -> None:
    """Importing the clients does not import h2; the first HTTP/2 connection does."""
    code = (
        "import sys\n"
        "import sseproto.adapters.sync, sseproto.adapters.asyncio, sseproto.http\n"
        "assert 'h2' not in sys.modules, 'h2 imported'\n"
        "from sseproto.http import HTTP2Connection\n"
        "assert 'h2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ.copy())


def test_a_read_wakes_the_streams_it_fed_and_one_reader() -> None:
    """receive() wakes the flows whose streams got bytes, and one other waiting flow
    to take the reading role over; the rest sleep on."""
    origin = Origin.from_url(BASE)

    def first_only(server: MemServer, sid: int, request: Any, body: bytes) -> None:
        if sid == 1:
            answer(server, sid, request, body)

    server = MemServer(first_only, itertools.repeat(1 << 20))
    shared = HTTP2Connection(None, origin)
    preface = server.take()
    assert preface is not None
    shared.receive(preface)  # the server's SETTINGS: more than one stream may start
    streams = [shared.start("GET", BASE + "/events/1", (), None) for _ in range(4)]
    server.feed(shared.take_outbox())
    woken: list[int] = []

    def waker(stream_id: int) -> Callable[[], None]:
        return lambda: woken.append(stream_id)

    for stream_id in streams:
        shared.stream_signal(stream_id).add_waiter(waker(stream_id))
    data = server.take()
    assert data is not None
    shared.receive(data)
    assert woken[0] == 1
    assert len(woken) == 2
    assert woken[1] in streams[1:]


@given(st.lists(st.binary(max_size=64), max_size=8))
def test_hostile_bytes_raise_only_sseproto_errors(pieces: list[bytes]) -> None:
    """Whatever bytes arrive, receive() never raises, and the stream raises only
    sseproto's remote errors (no h2 exception leaves the module)."""
    origin = Origin.from_url(BASE)
    shared = HTTP2Connection(None, origin)
    stream_id = shared.start("GET", BASE + "/x", (), None)
    for piece in [*pieces, b""]:
        shared.receive(piece)
    try:
        while shared.head(stream_id) is not None and shared.take(stream_id):
            pass
    except RemoteProtocolError:
        pass
    assert shared.broken is not None
