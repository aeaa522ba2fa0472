"""The built-in servers: ServerExchange in memory, then sseproto.server.asyncio and
sseproto.server.trio on loopback, read by the project's clients and by hostile
raw sockets."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import h11
import pytest
import trio
from hypothesis import given
from hypothesis import strategies as st

from sseproto import Event, LocalProtocolError
from sseproto.adapters import IncompleteBody
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client
from sseproto.adapters.trio import Client as TrioClient
from sseproto.http import IncomingRequest, Refused, ServerExchange, ServerStep

from .servers.serving import EVENTS, BuiltinThread, RawClient, probe

REQUEST = b"GET /events?x=1 HTTP/1.1\r\nHost: a\r\nLast-Event-ID: 7\r\n\r\n"


def _request(exchange: ServerExchange, data: bytes = REQUEST) -> IncomingRequest:
    exchange.feed(data)
    step = exchange.next_event()
    assert isinstance(step, IncomingRequest)
    return step


# -- ServerExchange, in memory -------------------------------------------------------


def test_exchange_reads_a_request_fed_byte_by_byte() -> None:
    """A request fed one byte at a time gives one IncomingRequest with its Last-Event-ID."""
    exchange = ServerExchange()
    for byte in REQUEST:
        assert exchange.next_event() is ServerStep.NEED_DATA
        exchange.feed(bytes([byte]))
    request = exchange.next_event()
    assert isinstance(request, IncomingRequest)
    assert (request.method, request.path, request.target) == ("GET", "/events", "/events?x=1")
    assert request.last_event_id == "7"
    assert request.header("HOST") == "a"


def test_exchange_frames_an_http11_response_in_chunks_and_serves_the_next_request() -> None:
    """An HTTP/1.1 response is chunked; after its end the next request is read."""
    exchange = ServerExchange()
    _request(exchange, REQUEST + REQUEST)
    head = exchange.respond([("Content-Type", "text/event-stream")])
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"transfer-encoding: chunked" in head.lower()
    assert exchange.body(b"data: x\n\n") == b"9\r\ndata: x\n\n\r\n"
    assert exchange.body(b"") == b""
    assert exchange.end() == b"0\r\n\r\n"
    assert isinstance(exchange.next_event(), IncomingRequest)


@given(
    pieces=st.lists(st.binary(min_size=0, max_size=300), max_size=20),
    version=st.sampled_from(["1.1", "1.0"]),
)
def test_a_response_body_reads_back_through_h11(pieces: list[bytes], version: str) -> None:
    """Whatever the pieces, an HTTP client (h11, in the client role) reads back
    exactly the body the exchange framed, and its end."""
    exchange = ServerExchange()
    _request(exchange, f"GET /events HTTP/{version}\r\nHost: a\r\n\r\n".encode())
    wire = exchange.respond([("Content-Type", "text/event-stream")])
    wire += b"".join(exchange.body(piece) for piece in pieces) + exchange.end()
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="GET", target="/events", headers=[("Host", "a")]))
    client.receive_data(wire)
    if version == "1.0":
        client.receive_data(b"")  # the body ends when the connection closes
    received = b""
    while True:
        event = client.next_event()
        if isinstance(event, h11.Data):
            received += event.data
        elif isinstance(event, h11.EndOfMessage):
            break
        else:
            assert isinstance(event, h11.Response), event
    assert received == b"".join(pieces)


def test_exchange_ends_an_http10_response_by_closing() -> None:
    """An HTTP/1.0 response has a raw body and the connection closes after it."""
    exchange = ServerExchange()
    _request(exchange, b"GET / HTTP/1.0\r\n\r\n")
    assert b"chunked" not in exchange.respond([])
    assert exchange.body(b"data: x\n\n") == b"data: x\n\n"
    assert exchange.end() == b""
    assert exchange.next_event() is ServerStep.CLOSE


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"NOT HTTP AT ALL\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"y" * 70_000, 431),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n" + b"z" * 70_000, 413),
    ],
    ids=["malformed", "head-too-large", "body-too-large"],
)
def test_exchange_refuses_what_it_cannot_read_and_closes(data: bytes, status: int) -> None:
    """A broken or oversized request is answered by the exchange, which then closes."""
    exchange = ServerExchange(methods=["GET", "POST"])
    exchange.feed(data)
    step = exchange.next_event()
    assert isinstance(step, Refused)
    assert step.status == status
    assert step.data.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"connection: close" in step.data.lower()
    assert exchange.next_event() is ServerStep.CLOSE


def test_exchange_refuses_other_methods_with_405_and_keeps_the_connection() -> None:
    """A method not served gets 405 with Allow, and the connection serves the next request."""
    exchange = ServerExchange(methods=["GET"])
    exchange.feed(b"DELETE / HTTP/1.1\r\nHost: a\r\n\r\n" + REQUEST)
    step = exchange.next_event()
    assert isinstance(step, Refused)
    assert step.status == 405
    assert b"allow: GET" in step.data.lower().replace(b"get", b"GET")
    assert isinstance(exchange.next_event(), IncomingRequest)


def test_exchange_refuse_answers_a_request_the_handler_declines() -> None:
    """refuse(404) writes a whole response; the connection goes on."""
    exchange = ServerExchange()
    _request(exchange, REQUEST + REQUEST)
    refused = exchange.refuse(404)
    assert refused.data.startswith(b"HTTP/1.1 404 ")
    assert isinstance(exchange.next_event(), IncomingRequest)


def test_exchange_sees_the_client_go_while_streaming() -> None:
    """EOF during a response, or a flood of unread bytes, marks the client gone."""
    exchange = ServerExchange(max_header_size=1024)
    _request(exchange)
    exchange.respond([])
    exchange.feed(b"x" * 1000)
    before = exchange.client_gone
    exchange.feed(b"x" * 100)
    assert (before, exchange.client_gone) == (False, True)

    exchange = ServerExchange()
    _request(exchange)
    exchange.respond([])
    exchange.feed(b"")
    assert exchange.client_gone
    exchange.feed(b"more")  # ignored after EOF


def test_exchange_refuses_misuse() -> None:
    """Asking for the next request with a response open is a LocalProtocolError."""
    exchange = ServerExchange()
    _request(exchange)
    exchange.respond([])
    with pytest.raises(LocalProtocolError):
        exchange.next_event()
    with pytest.raises(ValueError, match="methods"):
        ServerExchange(methods=[])


# -- the servers, on loopback ---------------------------------------------------------


@pytest.fixture(scope="module", params=["asyncio", "trio"], name="server")
def server_fixture(request: pytest.FixtureRequest) -> Iterator[BuiltinThread]:
    with BuiltinThread(request.param) as server:
        yield server


@pytest.fixture(params=["asyncio", "trio"], name="fresh_server")
def fresh_server_fixture(request: pytest.FixtureRequest) -> Iterator[BuiltinThread]:
    """A server of its own, for tests that count its tasks."""
    with BuiltinThread(request.param) as server:
        yield server


def _token() -> str:
    return uuid.uuid4().hex


def _fields(events: list[Event]) -> list[tuple[str, str, str]]:
    return [(e.type, e.data, e.id) for e in events]


def _settled_tasks(server: BuiltinThread, timeout: float = 5) -> int:
    """The server's task count once it stays the same for three readings in a row
    (connections that just closed need a moment to end)."""
    deadline = time.monotonic() + timeout
    readings = [server.tasks()]
    while len(set(readings[-3:])) > 1 or len(readings) < 3:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
        readings.append(server.tasks())
    return readings[-1]


def test_events_arrive_event_for_event(server: BuiltinThread) -> None:
    """Every event arrives with its type, data and id, with the event-stream headers."""
    with Client() as client, client.stream("GET", server.url(f"/events?t={_token()}")) as stream:
        assert stream.header("content-type") == "text/event-stream; charset=utf-8"
        assert _fields(list(stream)) == list(EVENTS)


def test_a_sync_source_is_served(server: BuiltinThread) -> None:
    """A handler may return a sync iterator; it is advanced in a worker thread."""
    url = server.url(f"/sync/events?t={_token()}")
    with Client() as client, client.stream("GET", url) as stream:
        assert _fields(list(stream)) == list(EVENTS)


def test_the_runtime_client_reads_the_same_events(server: BuiltinThread) -> None:
    """The asyncio (trio) client reads the asyncio (trio) server's events."""
    url = server.url(f"/events?t={_token()}")

    async def read(client_class: Any) -> list[Event]:
        async with client_class() as client, client.stream("GET", url) as stream:
            return [event async for event in stream]

    if server.runtime == "asyncio":
        events = asyncio.run(read(AsyncioClient))
    else:
        events = trio.run(read, TrioClient)
    assert _fields(events) == list(EVENTS)


def test_resume_replays_the_history_after_last_event_id(server: BuiltinThread) -> None:
    """Last-Event-ID 2 replays 3 and 4 from the history, then the live event."""
    url = server.url(f"/resume?t={_token()}")
    with Client() as client, client.stream("GET", url, headers={"Last-Event-ID": "2"}) as stream:
        assert _fields(list(stream)) == [*EVENTS[2:], ("message", "live", "5")]


def test_unknown_paths_and_methods_are_refused(server: BuiltinThread) -> None:
    """A path the handler declines gets 404; a method not served gets 405."""
    with Client() as client:
        assert client.request("GET", server.url("/nowhere")).status == 404
        response = client.request("POST", server.url("/events"), body=b"{}")
        assert response.status == 405
        assert response.header("allow") == "GET"


def test_keepalive_comments_arrive_on_an_idle_stream(server: BuiltinThread) -> None:
    """An idle stream gets a keepalive comment every interval."""
    token = _token()
    with Client() as client:
        url = server.url(f"/idle?t={token}")
        with client.stream("GET", url, comments=True) as stream:
            items = iter(stream)
            first = next(items)
            assert isinstance(first, Event)
            assert first.data == "ready"
            assert [next(items).__class__.__name__ for _ in range(3)] == ["Comment"] * 3
    assert probe(token).closed.wait(5)


def test_disconnect_mid_stream_closes_the_source_and_leaves_no_task(
    fresh_server: BuiltinThread,
) -> None:
    """A client that closes mid-stream ends its source, and the connection's tasks end."""
    server = fresh_server
    baseline = _settled_tasks(server)
    token = _token()
    with RawClient(server.port) as raw:
        raw.get(f"/idle?t={token}")
        raw.read_until(b"data: ready")
        assert server.tasks() > baseline
    assert probe(token).closed.wait(5)
    assert _settled_tasks(server) == baseline


def test_a_half_closed_client_ends_its_stream(server: BuiltinThread) -> None:
    """A client that shuts its sending side is gone: the stream ends, the connection closes."""
    token = _token()
    with RawClient(server.port) as raw:
        raw.get(f"/idle?t={token}")
        raw.read_until(b"data: ready")
        raw.sock.shutdown(socket.SHUT_WR)
        raw.read_to_eof()
    assert probe(token).closed.wait(5)


def test_a_client_that_stops_reading_is_dropped(fresh_server: BuiltinThread) -> None:
    """A client that stops reading is dropped after send_timeout, with a bounded
    amount produced."""
    server = fresh_server
    token = _token()
    baseline = _settled_tasks(server)
    record = probe(token)
    with RawClient(server.port, receive_buffer=4096) as raw:
        raw.get(f"/endless?t={token}")
        assert record.closed.wait(20), "the server did not give up on the client"
        assert _settled_tasks(server) == baseline
    assert record.produced * 16 * 1024 < 32 * 1024 * 1024


def test_a_bad_request_gets_400_and_the_connection_closes(server: BuiltinThread) -> None:
    """Garbage instead of a request: 400, then the server closes."""
    with RawClient(server.port) as raw:
        raw.sock.sendall(b"\x00\x01 garbage\r\n\r\n")
        assert raw.read_to_eof().startswith(b"HTTP/1.1 400 ")


def test_pipelined_requests_are_served_in_turn(server: BuiltinThread) -> None:
    """A second request sent before the first stream ends is answered after it."""
    with RawClient(server.port) as raw:
        raw.get(f"/resume?t={_token()}")
        raw.get("/nowhere", "Connection: close")
        received = raw.read_to_eof()
    first, _, second = received.partition(b"0\r\n\r\n")
    assert b"data: live" in first
    assert second.startswith(b"HTTP/1.1 404 ")


def test_an_http10_client_gets_a_body_delimited_by_close(server: BuiltinThread) -> None:
    """HTTP/1.0: no chunked framing, the end of the body is the end of the connection."""
    with RawClient(server.port) as raw:
        raw.get(f"/resume?t={_token()}", version="1.0")
        received = raw.read_to_eof()
    assert b"chunked" not in received.lower()
    assert received.endswith(b"id: 5\ndata: live\n\n")


def test_an_error_of_the_source_cuts_the_body_short(server: BuiltinThread) -> None:
    """A source that raises ends the connection without the body's end."""
    token = _token()
    with (
        Client() as client,
        client.stream("GET", server.url(f"/boom?t={token}")) as stream,
        pytest.raises(IncompleteBody),
    ):
        for _ in stream:
            pass
    assert probe(token).closed.wait(5)


@pytest.mark.parametrize("runtime", ["asyncio", "trio"])
def test_shutdown_with_open_streams_ends_them_and_returns(runtime: str) -> None:
    """Leaving serve() with streams open ends each cleanly (last chunk), closes the
    sources, and returns promptly."""
    tokens = [_token(), _token()]
    server = BuiltinThread(runtime)
    server.start()
    try:
        with RawClient(server.port) as one, RawClient(server.port) as two, RawClient(server.port):
            for raw, token in zip((one, two), tokens, strict=True):
                raw.get(f"/idle?t={token}")
                raw.read_until(b"data: ready")
            server.stop()
            assert one.read_to_eof().endswith(b"0\r\n\r\n")
            assert two.read_to_eof().endswith(b"0\r\n\r\n")
    finally:
        server.stop()
    assert all(probe(token).closed.is_set() for token in tokens)
    assert server.stopped_in is not None
    assert server.stopped_in < 2
