"""The loopback servers of tests/servers/, checked with raw sockets and httpx.

The adapter scenarios trust these servers to misbehave exactly as described;
these tests prove they do, without any sseproto adapter involved.
"""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from sseproto import Comment, Event, EventStreamParser

from .servers import starlette_app
from .servers.faults import CRLF_STREAM, DEFAULT_STREAM, DRIP_STREAM, FaultServer
from .servers.starlette_app import StarletteServer
from .servers.tls import client_context
from .vectors import VECTORS


def parse(body: bytes) -> list[Event | Comment]:
    parser = EventStreamParser(comments=True)
    return [*parser.feed(body), *parser.close()]


def events(body: bytes) -> list[Event]:
    return [item for item in parse(body) if isinstance(item, Event)]


def raw_exchange(server: FaultServer, target: str) -> bytes:
    """Send a GET over a plain socket and read until the server closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        received = bytearray()
        while data := sock.recv(65536):
            received += data
    return bytes(received)


# -- the fault server -----------------------------------------------------------------


def test_events_is_a_chunked_event_stream(fault_server: FaultServer) -> None:
    """/events serves DEFAULT_STREAM, chunked, as text/event-stream."""
    response = httpx.get(fault_server.url("/events"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.content == DEFAULT_STREAM


def test_vectors_are_served_byte_exact(fault_server: FaultServer) -> None:
    """/vector/<i> serves each shared vector's bytes unchanged."""
    with httpx.Client() as client:
        for index, vector in enumerate(VECTORS):
            assert client.get(fault_server.url(f"/vector/{index}")).content == vector.stream


def test_crlf_splits_between_cr_and_lf(fault_server: FaultServer) -> None:
    """/crlf ends a chunk after every CR."""
    head_and_body = raw_exchange(fault_server, "/crlf")
    # The chunk "...one\r", then the 2-byte chunk "\n\r" (the LF and the blank line's CR).
    assert b"one\r\r\n2\r\n\n\r\r\n" in head_and_body
    assert httpx.get(fault_server.url("/crlf")).content == CRLF_STREAM


def test_drop_mid_event_close_delimited(fault_server: FaultServer) -> None:
    """/drop-mid-event sends a close-delimited body cut inside the second event."""
    received = raw_exchange(fault_server, "/drop-mid-event")
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"Content-Length" not in head
    assert b"Transfer-Encoding" not in head
    assert body == b"id: 1\ndata: whole\n\nid: 2\ndata: half"


@pytest.mark.parametrize("target", ["/drop-mid-event?chunked=1", "/truncated-chunked"])
def test_chunked_without_its_end(fault_server: FaultServer, target: str) -> None:
    """A chunked body that never gets its last chunk is an error to httpx."""
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(fault_server.url(target))


def test_drip(fault_server: FaultServer) -> None:
    """/drip delivers DRIP_STREAM whole, one byte per chunk."""
    received = raw_exchange(fault_server, "/drip")
    assert received.count(b"\r\n1\r\n") >= len(DRIP_STREAM) - 1
    assert httpx.get(fault_server.url("/drip")).content == DRIP_STREAM


def test_stall_ends_when_the_client_goes(fault_server: FaultServer) -> None:
    """/stall sends one event, then waits until the client disconnects."""
    with httpx.stream("GET", fault_server.url("/stall?t=gone")) as response:
        first = next(response.iter_raw())
    assert first == b"id: 1\ndata: before the stall\n\n"
    assert fault_server.wait_for_request("/stall?t=gone").disconnected.wait(10)


def test_stop_is_prompt_while_handlers_stall() -> None:
    """stop() wakes a stalled handler and a blocked writer and returns quickly."""
    with FaultServer() as server, socket.create_connection(("127.0.0.1", server.port)) as a:
        a.sendall(b"GET /stall HTTP/1.1\r\nHost: x\r\n\r\n")
        with socket.create_connection(("127.0.0.1", server.port)) as b:
            # Nobody reads this one: the server blocks in sendall().
            b.sendall(b"GET /endless-line HTTP/1.1\r\nHost: x\r\n\r\n")
            server.wait_for_request("/stall")
            server.wait_for_request("/endless-line")
            started = time.monotonic()
            server.stop()
            # Generous: a stop takes a few tens of milliseconds.
            assert time.monotonic() - started < 3


def test_keepalive_sends_comments(fault_server: FaultServer) -> None:
    """/keepalive puts comments between its two events."""
    items = parse(httpx.get(fault_server.url("/keepalive")).content)
    assert items == [
        Event("message", "a"),
        Comment("ping 1"),
        Comment("ping 2"),
        Event("message", "b"),
        Comment("ping 3"),
    ]


def test_keepalive_forever_until_the_client_goes(fault_server: FaultServer) -> None:
    """/keepalive?forever=1 sends comments until the client disconnects."""
    received = b""
    with httpx.stream("GET", fault_server.url("/keepalive?forever=1&t=a")) as response:
        for data in response.iter_raw():
            received += data
            if received.count(b": keepalive") >= 3:
                break
    assert received.startswith(b"data: first\n\n")
    assert fault_server.wait_for_request("/keepalive?forever=1&t=a").disconnected.wait(10)


def test_endless_line_until_the_client_goes(fault_server: FaultServer) -> None:
    """/endless-line never sends a line end and stops when the client goes."""
    received = 0
    with httpx.stream("GET", fault_server.url("/endless-line?t=a")) as response:
        for data in response.iter_raw():
            assert b"\n" not in data
            received += len(data)
            if received > 1024 * 1024:
                break
    request = fault_server.wait_for_request("/endless-line?t=a")
    assert request.disconnected.wait(10)
    assert request.sent >= 1024 * 1024


def test_close_after_continues_from_last_event_id(fault_server: FaultServer) -> None:
    """/close-after/<n> numbers its events after the Last-Event-ID header."""
    first = events(httpx.get(fault_server.url("/close-after/2")).content)
    assert first == [Event("message", "event 1", "1"), Event("message", "event 2", "2")]
    headers = {"Last-Event-ID": "2"}
    second = events(httpx.get(fault_server.url("/close-after/2"), headers=headers).content)
    assert second == [Event("message", "event 3", "3"), Event("message", "event 4", "4")]


def test_echo_returns_method_headers_and_body(fault_server: FaultServer) -> None:
    """/echo answers with the request it read."""
    response = httpx.post(
        fault_server.url("/echo?t=a"), content=b"payload\nline", headers={"X-Test": "yes"}
    )
    request_event, body_event = events(response.content)
    described = json.loads(request_event.data)
    assert described["method"] == "POST"
    assert ["X-Test", "yes"] in described["headers"]
    assert json.loads(body_event.data) == "payload\nline"
    recorded = fault_server.wait_for_request("/echo?t=a")
    assert recorded.body == b"payload\nline"
    assert recorded.header("x-test") == "yes"


def test_json_keeps_the_connection_alive(fault_server: FaultServer) -> None:
    """/json answers with Content-Length and serves the next request on the same connection."""
    with httpx.Client() as client:
        first = client.get(fault_server.url("/json?t=reuse")).json()
        second = client.get(fault_server.url("/json?t=reuse")).json()
    assert first == second == {"ok": True, "connection": first["connection"]}
    recorded = fault_server.requests_to("/json?t=reuse")
    assert [request.connection for request in recorded] == [first["connection"]] * 2


@pytest.mark.parametrize(
    ("target", "status", "content_type", "body"),
    [
        ("/204", 204, None, b""),
        ("/500", 500, "application/json", b'{"error": {"message": "boom", "code": 500}}'),
        ("/wrong-type", 200, "text/plain; charset=utf-8", b"this is not an event stream\n"),
        ("/nowhere", 404, "text/plain", b"no such scenario\n"),
    ],
)
def test_plain_responses(
    fault_server: FaultServer, target: str, status: int, content_type: str | None, body: bytes
) -> None:
    """The non-stream scenarios answer with their status, type and body."""
    response = httpx.get(fault_server.url(target))
    assert response.status_code == status
    assert response.headers.get("content-type") == content_type
    assert response.content == body


@pytest.mark.parametrize("target", ["/redirect", "/redirect?status=307", "/redirect-relative"])
def test_redirects_lead_to_events(fault_server: FaultServer, target: str) -> None:
    """Each redirect scenario leads to /events."""
    response = httpx.get(fault_server.url(target), follow_redirects=True)
    assert response.content == DEFAULT_STREAM
    assert len(response.history) == 1


def test_redirect_loop(fault_server: FaultServer) -> None:
    """/redirect-loop redirects to itself for ever."""
    with pytest.raises(httpx.TooManyRedirects):
        httpx.get(fault_server.url("/redirect-loop"), follow_redirects=True, timeout=10)


def test_malformed_request_gets_400(fault_server: FaultServer) -> None:
    """A request line the server cannot read gets a 400 and a close."""
    with socket.create_connection(("127.0.0.1", fault_server.port), timeout=10) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 400 ")


def test_tls_needs_the_test_ca(tls_fault_server: FaultServer) -> None:
    """The TLS server is refused by default and accepted when the test CA is trusted."""
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(tls_fault_server.url("/events"))
    response = httpx.get(tls_fault_server.url("/events"), verify=client_context())
    assert response.content == DEFAULT_STREAM
    localhost = tls_fault_server.url("/events").replace("127.0.0.1", "localhost")
    assert httpx.get(localhost, verify=client_context()).content == DEFAULT_STREAM


# -- uvicorn and sse-starlette ------------------------------------------------------------

_EXPECTED = [Event(type_, data, id_) for type_, data, id_ in starlette_app.EVENTS]


def test_starlette_events(starlette_server: StarletteServer) -> None:
    """/events: the fixed events, with LF line endings."""
    response = httpx.get(starlette_server.url("/events"))
    assert response.headers["content-type"].startswith("text/event-stream")
    assert b"\r" not in response.content
    assert events(response.content) == _EXPECTED


def test_starlette_crlf(starlette_server: StarletteServer) -> None:
    """/crlf: the same events, with CRLF line endings."""
    content = httpx.get(starlette_server.url("/crlf")).content
    assert content.count(b"\r\n") == content.count(b"\n")
    assert events(content) == _EXPECTED


def test_starlette_long(starlette_server: StarletteServer) -> None:
    """/long: one event of LONG_SIZE bytes of data, then a short one."""
    got = events(httpx.get(starlette_server.url("/long")).content)
    assert got == [
        Event("message", "x" * starlette_app.LONG_SIZE, "long"),
        Event("message", "after", "long"),
    ]


def test_starlette_pings(starlette_server: StarletteServer) -> None:
    """/pings: comments between two events."""
    items = parse(httpx.get(starlette_server.url("/pings")).content)
    assert [item for item in items if isinstance(item, Event)] == [
        Event("message", "first"),
        Event("message", "second"),
    ]
    assert any(isinstance(item, Comment) for item in items)


def test_starlette_reconnect(starlette_server: StarletteServer) -> None:
    """/reconnect/<n> continues after the Last-Event-ID header."""
    headers = {"Last-Event-ID": "5"}
    got = events(httpx.get(starlette_server.url("/reconnect/2"), headers=headers).content)
    assert got == [Event("message", "event 6", "6"), Event("message", "event 7", "7")]


def test_starlette_stops_with_a_stream_open() -> None:
    """StarletteServer.stop() returns while a client holds a stream open."""
    with (
        StarletteServer() as server,
        httpx.Client() as client,
        client.stream("GET", server.url("/pings")) as response,
    ):
        next(response.iter_raw())
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 10
