"""The sans-I/O HTTP/1.1 client exchange, all in memory: against h11 as a server
and against recorded response bytes split at every possible place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import FrozenInstanceError, dataclass

import h11
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sseproto
import sseproto.adapters
from sseproto import Comment, Event, EventStreamParser
from sseproto.adapters import (
    DEFAULT_MAX_HEADER_SIZE,
    BodyChunk,
    ExchangeEvent,
    ExchangeState,
    HeadersTooLarge,
    HTTP11Exchange,
    HTTPProtocolError,
    IncompleteBody,
    IncompleteResponse,
    NoResponse,
    Origin,
    ResponseComplete,
    ResponseStarted,
)

from .helpers import bytewise, split

# -- helpers ------------------------------------------------------------------------


def merged(events: Iterable[ExchangeEvent]) -> list[ExchangeEvent]:
    """Events with consecutive BodyChunks joined, to compare across splits."""
    out: list[ExchangeEvent] = []
    for event in events:
        if isinstance(event, BodyChunk) and out and isinstance(out[-1], BodyChunk):
            out[-1] = BodyChunk(out[-1].data + event.data)
        else:
            out.append(event)
    return out


def feed(exchange: HTTP11Exchange, pieces: Iterable[bytes]) -> list[ExchangeEvent]:
    """receive() each piece in turn; return all the events, merged."""
    events: list[ExchangeEvent] = []
    for piece in pieces:
        events += exchange.receive(piece)
    return merged(events)


def feed_until_error(
    exchange: HTTP11Exchange, pieces: Iterable[bytes]
) -> tuple[list[ExchangeEvent], sseproto.ProtocolError | None]:
    """Like feed(), but stop at an sseproto error and return it with the events so far."""
    events: list[ExchangeEvent] = []
    try:
        for piece in pieces:
            events += exchange.receive(piece)
    except sseproto.ProtocolError as exc:
        return merged(events), exc
    return merged(events), None


def body_of(events: Iterable[ExchangeEvent]) -> bytes:
    return b"".join(event.data for event in events if isinstance(event, BodyChunk))


def get(url: str = "http://example.com/", **options: object) -> HTTP11Exchange:
    return HTTP11Exchange("GET", url, **options)  # type: ignore[arg-type]


def serve(exchange: HTTP11Exchange) -> h11.Connection:
    """An h11 server that has read the exchange's whole request."""
    server = h11.Connection(h11.SERVER)
    server.receive_data(exchange.request_bytes)
    return server


def read_request(server: h11.Connection) -> tuple[h11.Request, bytes]:
    """The request a server has received, and its body."""
    request = server.next_event()
    assert isinstance(request, h11.Request)
    body = b""
    while True:
        event = server.next_event()
        if isinstance(event, h11.Data):
            body += event.data
        else:
            assert isinstance(event, h11.EndOfMessage)
            return request, body


def respond(
    server: h11.Connection,
    status: int,
    headers: Sequence[tuple[str, str]] = (),
    chunks: Sequence[bytes] = (),
) -> bytes:
    """The bytes of a complete response sent by an h11 server."""
    out = server.send(h11.Response(status_code=status, headers=list(headers)))
    for chunk in chunks:
        out += server.send(h11.Data(data=chunk))
    return out + server.send(h11.EndOfMessage())


def started(status: int, *headers: tuple[str, str], reason: str = "") -> ResponseStarted:
    return ResponseStarted(status=status, reason=reason, headers=headers, http_version="1.1")


# -- recorded responses ---------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    name: str
    wire: bytes
    events: list[ExchangeEvent]
    #: The response ends only when the peer closes the connection.
    close_delimited: bool = False
    method: str = "GET"

    def pieces(self, *chunks: bytes) -> list[bytes]:
        return [*chunks, b""] if self.close_delimited else list(chunks)


OPENROUTER_BODY = (
    b": OPENROUTER PROCESSING\n\n"
    b": OPENROUTER PROCESSING\n\n"
    b'data: {"id":"gen-1764075600-demo","provider":"Mock","model":"openai/gpt-4o-mini",'
    b'"object":"chat.completion.chunk","created":1764075600,"choices":[{"index":0,'
    b'"delta":{"content":"Hello","role":"assistant"},"finish_reason":null}]}\n\n'
    b'data: {"id":"gen-1764075600-demo","provider":"Mock","model":"openai/gpt-4o-mini",'
    b'"object":"chat.completion.chunk","created":1764075600,"choices":[{"index":0,'
    b'"delta":{"content":" world"},"finish_reason":null}]}\n\n'
    b'data: {"id":"gen-1764075600-demo","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],'
    b'"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}\n\n'
    b"data: [DONE]\n\n"
)

# An OpenRouter chat completion stream as a Cloudflare front end sends it:
# keepalive comments first, one event split across two chunks.
OPENROUTER = Recorded(
    "openrouter chunked event stream",
    b"HTTP/1.1 200 OK\r\n"
    b"Date: Tue, 25 Nov 2025 13:00:00 GMT\r\n"
    b"Content-Type: text/event-stream\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"Connection: keep-alive\r\n"
    b"Access-Control-Allow-Origin: *\r\n"
    b"Cache-Control: no-cache\r\n"
    b"Vary: Accept-Encoding\r\n"
    b"Server: cloudflare\r\n"
    b"CF-RAY: 9a3f1c2b7d4e0a11-FRA\r\n"
    b"\r\n"
    b"19\r\n: OPENROUTER PROCESSING\n\n\r\n"
    b"19\r\n: OPENROUTER PROCESSING\n\n\r\n"
    b'e5\r\ndata: {"id":"gen-1764075600-demo","provider":"Mock","model":"openai/gpt-4o-mini",'
    b'"object":"chat.completion.chunk","created":1764075600,"choices":[{"index":0,'
    b'"delta":{"content":"Hello","role":"assistant"},"finish_reason":null}]}\n\n\r\n'
    b'3c\r\ndata: {"id":"gen-1764075600-demo","provider":"Mock","model":\r\n'
    b'97\r\n"openai/gpt-4o-mini","object":"chat.completion.chunk","created":1764075600,'
    b'"choices":[{"index":0,"delta":{"content":" world"},"finish_reason":null}]}\n\n\r\n'
    b'b0\r\ndata: {"id":"gen-1764075600-demo","choices":[{"index":0,"delta":{},'
    b'"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,'
    b'"total_tokens":11}}\n\ndata: [DONE]\n\n\r\n'
    b"0\r\n\r\n",
    [
        started(
            200,
            ("date", "Tue, 25 Nov 2025 13:00:00 GMT"),
            ("content-type", "text/event-stream"),
            ("transfer-encoding", "chunked"),
            ("connection", "keep-alive"),
            ("access-control-allow-origin", "*"),
            ("cache-control", "no-cache"),
            ("vary", "Accept-Encoding"),
            ("server", "cloudflare"),
            ("cf-ray", "9a3f1c2b7d4e0a11-FRA"),
            reason="OK",
        ),
        BodyChunk(OPENROUTER_BODY),
        ResponseComplete(),
    ],
)

UNAUTHORIZED = Recorded(
    "json error with content-length",
    b"HTTP/1.1 401 Unauthorized\r\n"
    b"Date: Tue, 25 Nov 2025 13:00:00 GMT\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: 60\r\n"
    b"Connection: keep-alive\r\n"
    b"Server: cloudflare\r\n"
    b"\r\n"
    b'{"error":{"message":"No auth credentials found","code":401}}',
    [
        started(
            401,
            ("date", "Tue, 25 Nov 2025 13:00:00 GMT"),
            ("content-type", "application/json"),
            ("content-length", "60"),
            ("connection", "keep-alive"),
            ("server", "cloudflare"),
            reason="Unauthorized",
        ),
        BodyChunk(b'{"error":{"message":"No auth credentials found","code":401}}'),
        ResponseComplete(),
    ],
)

CLOSE_DELIMITED = Recorded(
    "close-delimited event stream",
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/event-stream\r\n"
    b"Connection: close\r\n"
    b"\r\n"
    b": ping\n\ndata: a\n\ndata: b\n\n",
    [
        started(
            200,
            ("content-type", "text/event-stream"),
            ("connection", "close"),
            reason="OK",
        ),
        BodyChunk(b": ping\n\ndata: a\n\ndata: b\n\n"),
        ResponseComplete(),
    ],
    close_delimited=True,
)

HTTP10 = Recorded(
    "http/1.0 close-delimited",
    b"HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n",
    [
        ResponseStarted(200, "OK", (("content-type", "text/event-stream"),), "1.0"),
        BodyChunk(b"data: x\n\n"),
        ResponseComplete(),
    ],
    close_delimited=True,
)

INFORMATIONAL = Recorded(
    "100 continue and 103 early hints before the response",
    b"HTTP/1.1 100 Continue\r\n\r\n"
    b"HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n"
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"9\r\ndata: a\n\n\r\n0\r\n\r\n",
    [
        started(
            200,
            ("content-type", "text/event-stream"),
            ("transfer-encoding", "chunked"),
            reason="OK",
        ),
        BodyChunk(b"data: a\n\n"),
        ResponseComplete(),
    ],
)

EXTENSIONS_AND_TRAILERS = Recorded(
    "chunk extensions, upper-case sizes and trailers",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
    b"5;name=value\r\nhello\r\n"
    b"1A\r\n, abcdefghijklmnopqrstuvwx\r\n"
    b"0\r\nX-Checksum: abc\r\n\r\n",
    [
        started(200, ("transfer-encoding", "chunked"), ("trailer", "X-Checksum"), reason="OK"),
        BodyChunk(b"hello, abcdefghijklmnopqrstuvwx"),
        ResponseComplete(),
    ],
)

NO_CONTENT = Recorded(
    "204 no content",
    b"HTTP/1.1 204 No Content\r\nDate: Tue, 25 Nov 2025 13:00:00 GMT\r\n\r\n",
    [
        started(204, ("date", "Tue, 25 Nov 2025 13:00:00 GMT"), reason="No Content"),
        ResponseComplete(),
    ],
)

BARE_LF = Recorded(
    "bare LF line endings in the head",
    b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi",
    [started(200, ("content-length", "2"), reason="OK"), BodyChunk(b"hi"), ResponseComplete()],
)

HEAD_RESPONSE = Recorded(
    "response to HEAD with content-length and no body",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
    [started(200, ("content-length", "1234"), reason="OK"), ResponseComplete()],
    method="HEAD",
)

RECORDED = [
    OPENROUTER,
    UNAUTHORIZED,
    CLOSE_DELIMITED,
    HTTP10,
    INFORMATIONAL,
    EXTENSIONS_AND_TRAILERS,
    NO_CONTENT,
    BARE_LF,
    HEAD_RESPONSE,
]
FRAMED = [r for r in RECORDED if not r.close_delimited]


def exchange_for(recorded: Recorded, **options: object) -> HTTP11Exchange:
    return HTTP11Exchange(recorded.method, "https://openrouter.ai/api/v1/chat", **options)  # type: ignore[arg-type]


def by_name(recorded: Recorded) -> str:
    return recorded.name


# -- recorded responses, split anywhere -------------------------------------------------


@pytest.mark.parametrize("recorded", RECORDED, ids=by_name)
def test_recorded_whole(recorded: Recorded) -> None:
    """Each recorded response gives its events when received in one piece."""
    assert feed(exchange_for(recorded), recorded.pieces(recorded.wire)) == recorded.events


@pytest.mark.parametrize("recorded", RECORDED, ids=by_name)
def test_recorded_split_at_every_index(recorded: Recorded) -> None:
    """Splitting a recorded response in two at any byte gives the same events."""
    wire = recorded.wire
    for index in range(1, len(wire)):
        pieces = recorded.pieces(wire[:index], wire[index:])
        assert feed(exchange_for(recorded), pieces) == recorded.events, index


@pytest.mark.parametrize("recorded", RECORDED, ids=by_name)
def test_recorded_one_byte_at_a_time(recorded: Recorded) -> None:
    """A recorded response received one byte per call gives the same events."""
    pieces = recorded.pieces(*bytewise(recorded.wire))
    assert feed(exchange_for(recorded), pieces) == recorded.events


@given(
    recorded=st.sampled_from(RECORDED),
    cuts=st.lists(st.integers(min_value=0, max_value=800), max_size=12),
)
def test_recorded_any_split(recorded: Recorded, cuts: list[int]) -> None:
    """Any split of a recorded response into non-empty pieces gives the same events."""
    pieces = [piece for piece in split(recorded.wire, cuts) if piece]
    assert feed(exchange_for(recorded), recorded.pieces(*pieces)) == recorded.events


@pytest.mark.parametrize("recorded", RECORDED, ids=by_name)
def test_one_body_chunk_per_call(recorded: Recorded) -> None:
    """A call returns at most one BodyChunk, however many chunks it completed."""
    events = exchange_for(recorded).receive(recorded.wire)
    assert sum(isinstance(event, BodyChunk) for event in events) <= 1


@pytest.mark.parametrize("recorded", FRAMED, ids=by_name)
def test_framed_response_is_complete_without_close(recorded: Recorded) -> None:
    """A chunked or Content-Length response completes without waiting for the close."""
    exchange = exchange_for(recorded)
    assert exchange.receive(recorded.wire)[-1] == ResponseComplete()
    assert exchange.state is ExchangeState.COMPLETE


def test_body_feeds_the_event_stream_parser() -> None:
    """BodyChunk data goes straight into the SSE parser, keepalive comments included."""
    parser = EventStreamParser(comments=True)
    items: list[Event | Comment] = []
    for event in exchange_for(OPENROUTER).receive(OPENROUTER.wire):
        if isinstance(event, BodyChunk):
            items += parser.feed(event.data)
    items += parser.close()
    assert items[:2] == [Comment("OPENROUTER PROCESSING"), Comment("OPENROUTER PROCESSING")]
    events = [item for item in items[2:] if isinstance(item, Event)]
    assert len(events) == len(items) - 2 == 4
    assert '"content":"Hello"' in events[0].data
    assert '"content":" world"' in events[1].data  # the event split across two chunks
    assert events[-1] == Event("message", "[DONE]", "")


def test_response_header_bytes_decode_as_latin1() -> None:
    """A header byte outside ASCII becomes the Latin-1 character, losing nothing."""
    events = get().receive(b"HTTP/1.1 200 OK\r\nX-Name: caf\xe9\r\nContent-Length: 0\r\n\r\n")
    assert events[0] == started(200, ("x-name", "caf\xe9"), ("content-length", "0"), reason="OK")


def test_body_chunk_data_is_bytes() -> None:
    """BodyChunk.data is bytes, never a bytearray or memoryview."""
    events = exchange_for(UNAUTHORIZED).receive(UNAUTHORIZED.wire)
    chunk = events[1]
    assert isinstance(chunk, BodyChunk)
    assert type(chunk.data) is bytes


def test_receive_accepts_bytearray_and_memoryview() -> None:
    """receive() takes any bytes-like object."""
    exchange = exchange_for(UNAUTHORIZED)
    wire = UNAUTHORIZED.wire
    events = exchange.receive(bytearray(wire[:50])) + exchange.receive(memoryview(wire[50:]))
    assert merged(events) == UNAUTHORIZED.events


def test_receive_rejects_str() -> None:
    """receive() of a str raises TypeError."""
    with pytest.raises(TypeError):
        get().receive("HTTP/1.1 200 OK\r\n")  # type: ignore[arg-type]


def test_events_are_frozen_and_slotted() -> None:
    """Events cannot be changed and carry no __dict__."""
    chunk = BodyChunk(b"x")
    with pytest.raises(FrozenInstanceError):
        chunk.data = b"y"  # type: ignore[misc]
    assert not hasattr(chunk, "__dict__")
    assert not hasattr(ResponseComplete(), "__dict__")
    assert not hasattr(started(200), "__dict__")


# -- against an h11 server -----------------------------------------------------------------


def test_server_sees_the_request_as_built() -> None:
    """An h11 server reads method, target, headers and body of the request."""
    exchange = HTTP11Exchange(
        "POST",
        "https://openrouter.ai/api/v1/chat/completions?stream=1",
        headers=[("Authorization", "Bearer sk-test"), ("Content-Type", "application/json")],
        body=b'{"stream":true}',
    )
    request, body = read_request(serve(exchange))
    assert request.method == b"POST"
    assert request.target == b"/api/v1/chat/completions?stream=1"
    assert list(request.headers) == [
        (b"host", b"openrouter.ai"),
        (b"authorization", b"Bearer sk-test"),
        (b"content-type", b"application/json"),
        (b"content-length", b"15"),
    ]
    assert body == b'{"stream":true}'


def test_chunked_response_from_server() -> None:
    """A chunked response from an h11 server gives its body and completes."""
    exchange = get()
    server = serve(exchange)
    read_request(server)
    wire = respond(server, 200, [("Content-Type", "text/event-stream")], [b"data: a\n\n", b"x"])
    assert b"Transfer-Encoding: chunked" in wire
    assert feed(exchange, [wire]) == [
        started(200, ("content-type", "text/event-stream"), ("transfer-encoding", "chunked")),
        BodyChunk(b"data: a\n\nx"),
        ResponseComplete(),
    ]
    assert exchange.reusable


def test_content_length_response_from_server() -> None:
    """A Content-Length response from an h11 server gives its body and completes."""
    exchange = get()
    server = serve(exchange)
    read_request(server)
    wire = respond(server, 200, [("Content-Length", "5")], [b"he", b"llo"])
    assert feed(exchange, bytewise(wire)) == [
        started(200, ("content-length", "5")),
        BodyChunk(b"hello"),
        ResponseComplete(),
    ]
    assert exchange.reusable


def test_204_from_server_has_no_body() -> None:
    """A 204 response starts and completes in one call, with no BodyChunk."""
    exchange = get()
    server = serve(exchange)
    read_request(server)
    assert exchange.receive(respond(server, 204)) == [started(204), ResponseComplete()]
    assert exchange.reusable


def test_500_with_body_is_a_response() -> None:
    """A 500 is an ordinary response for the exchange, body and all, not an error."""
    exchange = get()
    server = serve(exchange)
    read_request(server)
    wire = respond(server, 500, [("Content-Length", "12")], [b"upstream die"])
    events = feed(exchange, [wire])
    assert events[0] == started(500, ("content-length", "12"))
    assert body_of(events) == b"upstream die"
    assert events[-1] == ResponseComplete()


def test_informational_responses_from_server_are_skipped() -> None:
    """100 Continue and 103 Early Hints before the response produce no events."""
    exchange = HTTP11Exchange(
        "POST", "http://example.com/", headers=[("Expect", "100-continue")], body=b"{}"
    )
    server = serve(exchange)
    request, _ = read_request(server)
    assert (b"expect", b"100-continue") in list(request.headers)
    wire = server.send(h11.InformationalResponse(status_code=100, headers=[]))
    wire += server.send(h11.InformationalResponse(status_code=103, headers=[("Link", "</a>")]))
    assert exchange.receive(wire) == []
    assert exchange.state is ExchangeState.AWAITING_RESPONSE
    events = exchange.receive(respond(server, 200, [("Content-Length", "2")], [b"ok"]))
    assert events == [started(200, ("content-length", "2")), BodyChunk(b"ok"), ResponseComplete()]


def test_head_request_response_has_no_body() -> None:
    """The response to HEAD ends after its head, whatever its Content-Length says."""
    exchange = HTTP11Exchange("HEAD", "http://example.com/")
    server = serve(exchange)
    read_request(server)
    wire = server.send(h11.Response(status_code=200, headers=[("Content-Length", "99")]))
    wire += server.send(h11.EndOfMessage())
    assert exchange.receive(wire) == [started(200, ("content-length", "99")), ResponseComplete()]
    assert exchange.reusable


@given(
    body=st.binary(max_size=3000),
    chunk_cuts=st.lists(st.integers(min_value=0, max_value=3000), max_size=20),
    wire_cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=20),
)
def test_any_chunking_gives_the_body(
    body: bytes, chunk_cuts: list[int], wire_cuts: list[int]
) -> None:
    """A body sent in chunks of any sizes and received in any pieces arrives whole."""
    exchange = get()
    server = serve(exchange)
    read_request(server)
    chunks = [chunk for chunk in split(body, chunk_cuts) if chunk]
    wire = respond(server, 200, [], chunks)
    events = feed(exchange, [piece for piece in split(wire, wire_cuts) if piece])
    assert events[0] == started(200, ("transfer-encoding", "chunked"))
    assert body_of(events) == body
    assert events[-1] == ResponseComplete()
    assert exchange.reusable


# -- keep-alive ---------------------------------------------------------------------------


def test_two_requests_on_one_connection() -> None:
    """next_exchange() sends a second request the same server reads and answers."""
    first = get("http://example.com/one")
    server = serve(first)
    assert read_request(server)[0].target == b"/one"
    first.receive(respond(server, 200, [("Content-Length", "1")], [b"1"]))
    assert first.reusable
    second = first.next_exchange("POST", "http://example.com/two", body=b"2")
    assert second.request_bytes == (
        b"POST /two HTTP/1.1\r\nHost: example.com\r\nContent-Length: 1\r\n\r\n2"
    )
    assert second.state is ExchangeState.AWAITING_RESPONSE
    assert second.origin == first.origin
    server.start_next_cycle()
    server.receive_data(second.request_bytes)
    request, body = read_request(server)
    assert (request.target, body) == (b"/two", b"2")
    events = feed(second, [respond(server, 200, [], [b"second"])])
    assert body_of(events) == b"second"
    assert second.reusable
    assert first.state is ExchangeState.HANDED_OFF
    assert not first.reusable


def test_handed_off_exchange_refuses_calls() -> None:
    """After next_exchange(), the old exchange's receive() and next_exchange() raise."""
    first = exchange_for(UNAUTHORIZED)
    first.receive(UNAUTHORIZED.wire)
    first.next_exchange("GET", "https://openrouter.ai/x")
    with pytest.raises(sseproto.LocalProtocolError):
        first.receive(b"")
    with pytest.raises(sseproto.LocalProtocolError):
        first.next_exchange("GET", "https://openrouter.ai/x")


def test_next_exchange_before_the_end_is_refused() -> None:
    """next_exchange() while the body is still arriving raises LocalProtocolError."""
    exchange = exchange_for(UNAUTHORIZED)
    exchange.receive(UNAUTHORIZED.wire[:-5])
    with pytest.raises(sseproto.LocalProtocolError, match="not complete"):
        exchange.next_exchange("GET", "https://openrouter.ai/")
    assert exchange.state is ExchangeState.RECEIVING_BODY


def test_next_exchange_to_another_origin_is_refused() -> None:
    """next_exchange() to another scheme, host or port raises, and the connection stays reusable."""
    exchange = exchange_for(UNAUTHORIZED)
    exchange.receive(UNAUTHORIZED.wire)
    for url in ("http://openrouter.ai/", "https://example.com/", "https://openrouter.ai:8443/"):
        with pytest.raises(sseproto.LocalProtocolError, match="origin"):
            exchange.next_exchange("GET", url)
    assert exchange.reusable
    assert exchange.next_exchange("GET", "https://openrouter.ai:443/ok").reusable is False


def test_refused_next_request_leaves_connection_reusable() -> None:
    """A next request with an invalid header changes nothing; a valid one then works."""
    exchange = exchange_for(UNAUTHORIZED)
    exchange.receive(UNAUTHORIZED.wire)
    with pytest.raises(sseproto.LocalProtocolError):
        exchange.next_exchange("GET", "https://openrouter.ai/", headers=[("X", "a\r\nb")])
    assert exchange.reusable
    assert exchange.state is ExchangeState.COMPLETE
    exchange.next_exchange("GET", "https://openrouter.ai/")


def test_next_exchange_keeps_max_header_size() -> None:
    """The next exchange on a connection has the same max_header_size."""
    exchange = get(max_header_size=64)
    exchange.receive(b"HTTP/1.1 204 No Content\r\n\r\n")
    successor = exchange.next_exchange("GET", "http://example.com/")
    with pytest.raises(HeadersTooLarge):
        successor.receive(b"HTTP/1.1 200 OK\r\nX: " + b"y" * 64 + b"\r\n\r\n")


@pytest.mark.parametrize(
    ("wire", "eof"),
    [
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", False),
        (CLOSE_DELIMITED.wire, True),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n", False),
    ],
    ids=[
        "server asked to close",
        "http/1.0 response",
        "close-delimited body",
        "peer closed after the response",
        "bytes after the response",
    ],
)
def test_connection_not_reusable(wire: bytes, eof: bool) -> None:
    """A complete response is not reusable when either side ends the connection."""
    exchange = get()
    events = feed(exchange, [wire, b""] if eof else [wire])
    assert events[-1] == ResponseComplete()
    assert not exchange.reusable
    with pytest.raises(sseproto.LocalProtocolError, match="cannot carry another request"):
        exchange.next_exchange("GET", "http://example.com/")


def test_request_connection_close_is_not_reusable() -> None:
    """A request that sends Connection: close leaves the connection not reusable."""
    exchange = get(headers=[("Connection", "close")])
    exchange.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert exchange.state is ExchangeState.COMPLETE
    assert not exchange.reusable


def test_bytes_after_complete_response_are_discarded() -> None:
    """Bytes that arrive after ResponseComplete return nothing and spoil reuse."""
    exchange = get()
    exchange.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert exchange.reusable
    extra = exchange.receive(b"HTTP/1.1 200 OK\r\n\r\n")
    assert (extra, exchange.reusable) == ([], False)
    assert exchange.receive(b"") == []
    assert exchange.state is ExchangeState.COMPLETE


# -- truncation -----------------------------------------------------------------------


def test_close_before_any_byte_is_no_response() -> None:
    """The peer closing without a byte of response raises NoResponse."""
    exchange = get()
    with pytest.raises(NoResponse) as caught:
        exchange.receive(b"")
    assert isinstance(caught.value.__cause__, h11.RemoteProtocolError)
    assert exchange.state is ExchangeState.ERROR


def test_close_mid_head_is_incomplete_response() -> None:
    """The peer closing inside the head raises IncompleteResponse, not IncompleteBody."""
    exchange = get()
    assert exchange.receive(b"HTTP/1.1 200 OK\r\nContent-Ty") == []
    with pytest.raises(IncompleteResponse) as caught:
        exchange.receive(b"")
    assert not isinstance(caught.value, (IncompleteBody, NoResponse))
    assert isinstance(caught.value.__cause__, h11.RemoteProtocolError)


def test_close_after_informational_response_is_incomplete_response() -> None:
    """A close after a 100 Continue is an incomplete response, not NoResponse."""
    exchange = get()
    assert exchange.receive(b"HTTP/1.1 100 Continue\r\n\r\n") == []
    with pytest.raises(IncompleteResponse) as caught:
        exchange.receive(b"")
    assert type(caught.value) is IncompleteResponse


def test_close_mid_chunk_is_incomplete_body() -> None:
    """The peer closing inside a chunk raises IncompleteBody after the bytes so far."""
    exchange = get()
    events = exchange.receive(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\ndata:")
    assert events == [
        started(200, ("transfer-encoding", "chunked"), reason="OK"),
        BodyChunk(b"data:"),
    ]
    with pytest.raises(IncompleteBody) as caught:
        exchange.receive(b"")
    assert isinstance(caught.value.__cause__, h11.RemoteProtocolError)


def test_close_before_last_chunk_is_incomplete_body() -> None:
    """A chunked body whose zero-size last chunk never came is incomplete."""
    exchange = get()
    exchange.receive(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n")
    with pytest.raises(IncompleteBody):
        exchange.receive(b"")


def test_close_inside_trailer_section_is_incomplete_body() -> None:
    """A last chunk without the blank line that ends the trailers is incomplete."""
    exchange = get()
    exchange.receive(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
    with pytest.raises(IncompleteBody):
        exchange.receive(b"")


def test_close_mid_content_length_is_incomplete_body() -> None:
    """The peer closing before Content-Length bytes arrived raises IncompleteBody."""
    exchange = get()
    exchange.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345")
    with pytest.raises(IncompleteBody, match="closed"):
        exchange.receive(b"")


def test_close_ends_close_delimited_body_cleanly() -> None:
    """A body without Content-Length or chunking ends at the close with ResponseComplete."""
    exchange = get()
    assert exchange.receive(b"HTTP/1.1 200 OK\r\n\r\nabc") == [
        started(200, reason="OK"),
        BodyChunk(b"abc"),
    ]
    assert exchange.receive(b"") == [ResponseComplete()]
    assert exchange.state is ExchangeState.COMPLETE
    assert exchange.error is None


@pytest.mark.parametrize("recorded", FRAMED, ids=by_name)
def test_close_at_every_index_is_truncation(recorded: Recorded) -> None:
    """A close anywhere in a framed response raises the matching truncation error."""
    expected_body = body_of(recorded.events)
    for index in range(len(recorded.wire)):
        events, error = feed_until_error(exchange_for(recorded), [recorded.wire[:index], b""])
        assert isinstance(error, IncompleteResponse), index
        if index == 0:
            assert isinstance(error, NoResponse)
        if events:
            assert events[0] == recorded.events[0], index
            assert isinstance(error, IncompleteBody), index
            assert expected_body.startswith(body_of(events)), index
        else:
            assert not isinstance(error, IncompleteBody), index
        assert ResponseComplete() not in events


@pytest.mark.parametrize("recorded", [CLOSE_DELIMITED, HTTP10], ids=by_name)
def test_close_at_every_index_of_close_delimited(recorded: Recorded) -> None:
    """A close-delimited response cut in the body completes; cut in the head, it fails."""
    expected_body = body_of(recorded.events)
    for index in range(len(recorded.wire)):
        events, error = feed_until_error(exchange_for(recorded), [recorded.wire[:index], b""])
        if error is None:
            assert events[0] == recorded.events[0], index
            assert events[-1] == ResponseComplete(), index
            assert expected_body.startswith(body_of(events)), index
        else:
            assert type(error) in (IncompleteResponse, NoResponse), index
            assert events == [], index


def test_receive_after_close_raises() -> None:
    """Bytes after receive(b"") raise LocalProtocolError; another b"" returns []."""
    exchange = get()
    exchange.receive(b"HTTP/1.1 200 OK\r\n\r\n")
    exchange.receive(b"")
    assert exchange.receive(b"") == []
    with pytest.raises(sseproto.LocalProtocolError):
        exchange.receive(b"more")


# -- malformed responses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "wire",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nbad header line\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
    ],
    ids=[
        "garbage status line",
        "status line without code",
        "header line without colon",
        "chunk size not hex",
        "chunk not followed by CRLF",
        "unsupported transfer-encoding",
        "conflicting content-length",
        "unasked 101 switching protocols",
    ],
)
def test_malformed_response_is_http_protocol_error(wire: bytes) -> None:
    """A response that breaks HTTP/1.1 raises HTTPProtocolError caused by h11's error."""
    exchange = get()
    with pytest.raises(HTTPProtocolError) as caught:
        exchange.receive(wire)
    assert not isinstance(caught.value, IncompleteResponse)
    assert isinstance(caught.value.__cause__, h11.RemoteProtocolError)
    assert exchange.state is ExchangeState.ERROR
    assert exchange.error is caught.value


def test_tls_bytes_fail_before_a_line_ends() -> None:
    """A TLS handshake where HTTP was expected fails at once, without waiting for a line."""
    with pytest.raises(HTTPProtocolError):
        get().receive(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")


def test_error_state_is_terminal() -> None:
    """After a remote error every receive() and next_exchange() raises the same error."""
    exchange = get()
    with pytest.raises(HTTPProtocolError) as caught:
        exchange.receive(b"garbage\r\n\r\n")
    for call in (
        lambda: exchange.receive(b"HTTP/1.1 200 OK\r\n\r\n"),
        lambda: exchange.receive(b""),
        lambda: exchange.next_exchange("GET", "http://example.com/"),
    ):
        with pytest.raises(HTTPProtocolError) as again:
            call()
        assert again.value is caught.value
    assert not exchange.reusable


def test_error_after_body_bytes_in_same_call() -> None:
    """Body bytes and a framing error in one call: the call raises, and so does the next."""
    exchange = get()
    exchange.receive(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    with pytest.raises(HTTPProtocolError):
        exchange.receive(b"2\r\nok\r\nnot-hex\r\n")
    with pytest.raises(HTTPProtocolError):
        exchange.receive(b"")


@given(
    st.binary(max_size=300), st.sampled_from([b"", b"HTTP/1.1 200 OK\r\n", OPENROUTER.wire[:400]])
)
def test_any_bytes_give_events_or_sseproto_errors(noise: bytes, prefix: bytes) -> None:
    """Whatever arrives, receive() returns exchange events or raises an sseproto error."""
    events, error = feed_until_error(get(), [prefix, noise, b""])
    assert all(isinstance(e, (ResponseStarted, BodyChunk, ResponseComplete)) for e in events)
    assert not isinstance(error, h11.ProtocolError)


# -- header size limit ----------------------------------------------------------------------


def head_of_size(size: int) -> bytes:
    """A complete response head of exactly size bytes (and an empty body)."""
    base = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: \r\n\r\n"
    return base.replace(b"X-Pad: ", b"X-Pad: " + b"p" * (size - len(base)))


@pytest.mark.parametrize("pieces", [lambda b: [b], bytewise], ids=["whole", "bytewise"])
def test_head_at_limit_is_accepted(pieces: Callable[[bytes], list[bytes]]) -> None:
    """A head of exactly max_header_size bytes is fine, in one piece or byte by byte."""
    head = head_of_size(200)
    assert len(head) == 200
    events = feed(get(max_header_size=200), pieces(head))
    assert events[-1] == ResponseComplete()


@pytest.mark.parametrize("pieces", [lambda b: [b], bytewise], ids=["whole", "bytewise"])
def test_head_one_byte_over_limit_is_refused(pieces: Callable[[bytes], list[bytes]]) -> None:
    """A head one byte over max_header_size raises HeadersTooLarge naming the limit."""
    events, error = feed_until_error(get(max_header_size=199), pieces(head_of_size(200)))
    assert events == []
    assert isinstance(error, HeadersTooLarge)
    assert isinstance(error, sseproto.LimitExceeded)
    assert (error.limit, error.value) == ("max_header_size", 199)
    assert "max_header_size" in str(error)


def test_limit_ignores_body_in_the_same_piece() -> None:
    """Body bytes that arrive with the head do not count toward max_header_size."""
    wire = b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + b"b" * 500
    events = feed(get(max_header_size=64), [wire])
    assert body_of(events) == b"b" * 500


def test_limit_counts_informational_responses() -> None:
    """The bytes of 1xx responses count toward max_header_size with the final head."""
    informational = b"HTTP/1.1 100 Continue\r\n\r\n"
    final = head_of_size(100)
    assert feed(get(max_header_size=100 + len(informational)), [informational + final])
    with pytest.raises(HeadersTooLarge):
        get(max_header_size=99 + len(informational)).receive(informational + final)


def test_endless_head_fails_once_the_limit_is_buffered() -> None:
    """A head that never ends fails as soon as max_header_size bytes have arrived."""
    start = b"HTTP/1.1 200 OK\r\nX-Endless: "
    sent: list[bytes] = []

    def endless() -> Iterator[bytes]:
        yield start
        while True:
            sent.append(b"a" * 10)
            yield sent[-1]

    exchange = get(max_header_size=1000)
    _, error = feed_until_error(exchange, endless())
    assert isinstance(error, HeadersTooLarge)
    received = len(start) + 10 * len(sent)
    assert received - 10 < 1000 <= received  # the first piece that reaches the limit
    assert exchange.state is ExchangeState.ERROR


def test_long_chunk_size_line_hits_the_limit() -> None:
    """A chunk-size line that never ends is bounded by max_header_size too."""
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext="
    _, error = feed_until_error(get(max_header_size=1000), [head] + [b"x" * 10] * 200)
    assert isinstance(error, HeadersTooLarge)
    assert error.limit == "max_header_size"
    assert isinstance(error.__cause__, h11.RemoteProtocolError)


def test_default_limit_is_64_kib() -> None:
    """The default max_header_size is 64 KiB: a 60 KiB head passes, a 65 KiB one does not."""
    assert DEFAULT_MAX_HEADER_SIZE == 64 * 1024
    assert feed(get(), [head_of_size(60 * 1024)])[-1] == ResponseComplete()
    with pytest.raises(HeadersTooLarge):
        get().receive(head_of_size(65 * 1024))


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "64"])
def test_max_header_size_must_be_positive_int(value: object) -> None:
    """max_header_size that is not a positive int raises ValueError."""
    with pytest.raises(ValueError, match="max_header_size"):
        get(max_header_size=value)


# -- request bytes ------------------------------------------------------------------------


def test_get_request_bytes() -> None:
    """A GET is the request line, Host, then the caller's headers in order."""
    exchange = HTTP11Exchange(
        "GET",
        "https://openrouter.ai/api/v1/stream?model=x&n=1#ignored",
        headers=[("Accept", "text/event-stream"), ("Cache-Control", "no-cache")],
    )
    assert exchange.request_bytes == (
        b"GET /api/v1/stream?model=x&n=1 HTTP/1.1\r\n"
        b"Host: openrouter.ai\r\n"
        b"Accept: text/event-stream\r\n"
        b"Cache-Control: no-cache\r\n"
        b"\r\n"
    )


def test_post_request_bytes() -> None:
    """A POST with a body gets Content-Length after the caller's headers, then the body."""
    exchange = HTTP11Exchange(
        "POST",
        "https://openrouter.ai/api/v1/chat/completions",
        headers=[("Authorization", "Bearer sk-or-1"), ("Content-Type", "application/json")],
        body=b'{"model":"openai/gpt-4o-mini","stream":true}',
    )
    assert exchange.request_bytes == (
        b"POST /api/v1/chat/completions HTTP/1.1\r\n"
        b"Host: openrouter.ai\r\n"
        b"Authorization: Bearer sk-or-1\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: 44\r\n"
        b"\r\n"
        b'{"model":"openai/gpt-4o-mini","stream":true}'
    )


def test_empty_body_sends_content_length_zero() -> None:
    """body=b"" sends Content-Length: 0; body=None sends no Content-Length."""
    assert HTTP11Exchange("POST", "http://h/", body=b"").request_bytes == (
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
    )
    assert HTTP11Exchange("POST", "http://h/").request_bytes == (
        b"POST / HTTP/1.1\r\nHost: h\r\n\r\n"
    )


def test_body_may_be_bytearray_or_memoryview() -> None:
    """A bytes-like body is sent as its bytes."""
    for body in (bytearray(b"abc"), memoryview(b"abc")):
        assert HTTP11Exchange("PUT", "http://h/", body=body).request_bytes.endswith(b"\r\n\r\nabc")


@pytest.mark.parametrize(
    ("url", "host", "origin"),
    [
        ("http://example.com/", b"example.com", Origin("http", "example.com", 80)),
        ("http://example.com:80/", b"example.com", Origin("http", "example.com", 80)),
        ("http://example.com:8080/", b"example.com:8080", Origin("http", "example.com", 8080)),
        ("https://example.com/", b"example.com", Origin("https", "example.com", 443)),
        ("https://example.com:443/", b"example.com", Origin("https", "example.com", 443)),
        ("http://example.com:443/", b"example.com:443", Origin("http", "example.com", 443)),
        ("https://example.com:80/", b"example.com:80", Origin("https", "example.com", 80)),
        ("http://API.Example.COM/", b"api.example.com", Origin("http", "api.example.com", 80)),
        ("http://127.0.0.1:3000/", b"127.0.0.1:3000", Origin("http", "127.0.0.1", 3000)),
        ("http://[::1]:8080/", b"[::1]:8080", Origin("http", "::1", 8080)),
        ("https://[2001:DB8::1]/", b"[2001:db8::1]", Origin("https", "2001:db8::1", 443)),
        ("http://example.com:/", b"example.com", Origin("http", "example.com", 80)),
    ],
)
def test_host_header_and_origin(url: str, host: bytes, origin: Origin) -> None:
    """Host carries the port only when it is not the scheme's default; IPv6 in brackets."""
    exchange = get(url)
    assert exchange.request_bytes == b"GET / HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
    assert exchange.origin == origin
    assert Origin.from_url(url) == origin


def test_origin_tls_and_server_hostname() -> None:
    """https needs TLS with the host as server name; http needs neither."""
    secure = Origin.from_url("https://[::1]:8443/x")
    assert (secure.tls, secure.server_hostname) == (True, "::1")
    plain = Origin.from_url("http://example.com/")
    assert (plain.tls, plain.server_hostname) == (False, None)


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("http://h", b"/"),
        ("http://h?x=1", b"/?x=1"),
        ("http://h/a/b/?q=%20#frag", b"/a/b/?q=%20"),
        ("http://h/%E2%82%AC", b"/%E2%82%AC"),
    ],
)
def test_request_target(url: str, target: bytes) -> None:
    """The target is the path (or "/") and the query; the fragment is never sent."""
    assert get(url).request_bytes.startswith(b"GET " + target + b" HTTP/1.1\r\n")


def test_caller_host_replaces_the_url_host() -> None:
    """A caller's Host is sent instead of the URL's, first; the origin stays the URL's."""
    exchange = get("https://10.0.0.5:8443/", headers=[("Accept", "*/*"), ("host", "api.example")])
    assert exchange.request_bytes == b"GET / HTTP/1.1\r\nhost: api.example\r\nAccept: */*\r\n\r\n"
    assert exchange.origin.server_hostname == "10.0.0.5"


def test_caller_content_length_matching_body_is_kept() -> None:
    """A caller's Content-Length equal to the body length is sent once, as given."""
    exchange = HTTP11Exchange("POST", "http://h/", headers=[("content-length", "2")], body=b"{}")
    assert exchange.request_bytes == b"POST / HTTP/1.1\r\nHost: h\r\ncontent-length: 2\r\n\r\n{}"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ([("Content-Length", "3")], b"{}"),
        ([("Content-Length", "1")], None),
        ([("Content-Length", "+2")], b"{}"),
        ([("Content-Length", "2"), ("Content-Length", "3")], b"{}"),
    ],
)
def test_caller_content_length_not_matching_is_refused(
    headers: list[tuple[str, str]], body: bytes | None
) -> None:
    """A caller's Content-Length other than the body length raises LocalProtocolError."""
    with pytest.raises(sseproto.LocalProtocolError, match="Content-Length"):
        HTTP11Exchange("POST", "http://h/", headers=headers, body=body)


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("POST", [("Transfer-Encoding", "chunked")]),
        ("GET", [("Upgrade", "websocket")]),
        ("CONNECT", []),
    ],
    ids=["transfer-encoding", "upgrade", "connect"],
)
def test_framing_and_protocol_switches_are_refused(
    method: str, headers: list[tuple[str, str]]
) -> None:
    """Transfer-Encoding, Upgrade and CONNECT raise LocalProtocolError."""
    with pytest.raises(sseproto.LocalProtocolError):
        HTTP11Exchange(method, "http://h/", headers=headers)


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("GET", [("X-Evil", "a\r\nInjected: yes")]),
        ("GET", [("Bad Name", "x")]),
        ("GET", [("Host", "a"), ("Host", "b")]),
        ("G T", []),
    ],
    ids=["CRLF in value", "space in name", "two Host headers", "space in method"],
)
def test_h11_refusals_become_local_protocol_error(
    method: str, headers: list[tuple[str, str]]
) -> None:
    """What h11 refuses to send raises sseproto's LocalProtocolError caused by h11's."""
    with pytest.raises(sseproto.LocalProtocolError) as caught:
        HTTP11Exchange(method, "http://h/", headers=headers)
    assert isinstance(caught.value.__cause__, h11.LocalProtocolError)


@pytest.mark.parametrize(
    "arguments",
    [
        {"method": "GET", "headers": [("X-Name", "café")]},
        {"method": "GËT"},
        {"method": b"GET"},
        {"method": "GET", "headers": [("X", 1)]},
        {"method": "GET", "headers": [("X", "a", "b")]},
        {"method": "GET", "headers": ["XY"]},
        {"method": "POST", "body": "text"},
    ],
    ids=[
        "non-ascii value",
        "non-ascii method",
        "bytes method",
        "int value",
        "triple",
        "string pair",
        "str body",
    ],
)
def test_wrong_request_arguments_are_refused(arguments: dict[str, object]) -> None:
    """A method, header or body of the wrong type or outside ASCII raises LocalProtocolError."""
    with pytest.raises(sseproto.LocalProtocolError):
        HTTP11Exchange(url="http://h/", **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    [
        "/relative/path",
        "example.com/path",
        "ftp://example.com/",
        "ws://example.com/",
        "http:///path",
        "http://user:secret@example.com/",
        "http://example.com:99999/",
        "http://example.com:0/",
        "http://example.com:port/",
        "http://[::1/",
        "http://[example.com]/",
        "http://[fe80::1%25eth0]/",
        "http://exa mple.com/",
        "http://example.com/a b",
        "http://exa\nmple.com/",
        "http://example.com/\t",
        "http://bücher.example/",
        "http://example.com/€",
        "http://exa*mple.com/",
    ],
)
def test_invalid_urls_are_refused(url: str) -> None:
    """A URL that is not absolute ASCII http(s) with a valid host raises LocalProtocolError."""
    with pytest.raises(sseproto.LocalProtocolError):
        get(url)
    with pytest.raises(sseproto.LocalProtocolError):
        Origin.from_url(url)


# -- every (state, input) pair ----------------------------------------------------------


def in_state(state: ExchangeState) -> HTTP11Exchange:
    """A fresh exchange brought into the given state."""
    exchange = get()
    if state is ExchangeState.RECEIVING_BODY:
        exchange.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
    elif state is ExchangeState.COMPLETE:
        exchange.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    elif state is ExchangeState.HANDED_OFF:
        exchange.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        exchange.next_exchange("GET", "http://example.com/")
    elif state is ExchangeState.ERROR:
        with pytest.raises(HTTPProtocolError):
            exchange.receive(b"garbage\r\n\r\n")
    assert exchange.state is state
    return exchange


def do_bytes(exchange: HTTP11Exchange) -> object:
    return exchange.receive(b"X")


def do_close(exchange: HTTP11Exchange) -> object:
    return exchange.receive(b"")


def do_next(exchange: HTTP11Exchange) -> object:
    return exchange.next_exchange("GET", "http://example.com/")


_A, _B, _C = ExchangeState.AWAITING_RESPONSE, ExchangeState.RECEIVING_BODY, ExchangeState.COMPLETE
_H, _E = ExchangeState.HANDED_OFF, ExchangeState.ERROR
_LOCAL = sseproto.LocalProtocolError

# (state, input) -> (what the call returns or raises, the state after it)
TRANSITIONS: dict[tuple[ExchangeState, str], tuple[object, ExchangeState]] = {
    (_A, "bytes"): ([], _A),
    (_A, "close"): (NoResponse, _E),
    (_A, "next"): (_LOCAL, _A),
    (_B, "bytes"): ([BodyChunk(b"X")], _B),
    (_B, "close"): (IncompleteBody, _E),
    (_B, "next"): (_LOCAL, _B),
    (_C, "bytes"): ([], _C),
    (_C, "close"): ([], _C),
    (_C, "next"): (HTTP11Exchange, _H),
    (_H, "bytes"): (_LOCAL, _H),
    (_H, "close"): (_LOCAL, _H),
    (_H, "next"): (_LOCAL, _H),
    (_E, "bytes"): (HTTPProtocolError, _E),
    (_E, "close"): (HTTPProtocolError, _E),
    (_E, "next"): (HTTPProtocolError, _E),
}
INPUTS: dict[str, Callable[[HTTP11Exchange], object]] = {
    "bytes": do_bytes,
    "close": do_close,
    "next": do_next,
}


def test_transition_table_covers_every_pair() -> None:
    """The table below has an entry for every (state, input) pair."""
    assert set(TRANSITIONS) == {(state, name) for state in ExchangeState for name in INPUTS}


@pytest.mark.parametrize(("state", "name"), list(TRANSITIONS), ids=lambda v: getattr(v, "name", v))
def test_every_state_and_input(state: ExchangeState, name: str) -> None:
    """Each (state, input) pair returns or raises what the table says and lands in its state."""
    expected, after = TRANSITIONS[state, name]
    exchange = in_state(state)
    if isinstance(expected, type) and issubclass(expected, BaseException):
        with pytest.raises(expected):
            INPUTS[name](exchange)
    elif isinstance(expected, type):
        assert isinstance(INPUTS[name](exchange), expected)
    else:
        assert INPUTS[name](exchange) == expected
    assert exchange.state is after


# -- the package ----------------------------------------------------------------------------


def test_public_names_are_documented() -> None:
    """Every public name of sseproto.adapters has a docstring."""
    assert sseproto.adapters.__doc__
    for name in sseproto.adapters.__all__:
        if name.startswith("DEFAULT_") or name == "ExchangeEvent":
            continue
        assert getattr(sseproto.adapters, name).__doc__, name


def test_error_classes_fit_the_sseproto_tree() -> None:
    """The exchange's errors are sseproto errors and never h11's."""
    assert issubclass(HTTPProtocolError, sseproto.RemoteProtocolError)
    assert issubclass(IncompleteBody, IncompleteResponse)
    assert issubclass(NoResponse, IncompleteResponse)
    assert issubclass(IncompleteResponse, HTTPProtocolError)
    assert issubclass(HeadersTooLarge, sseproto.LimitExceeded)
    for cls in (HTTPProtocolError, IncompleteResponse, NoResponse, IncompleteBody, HeadersTooLarge):
        assert not issubclass(cls, h11.ProtocolError)


def test_body_before_a_fault_is_kept_on_the_error() -> None:
    """Body bytes that arrived intact in the call that hit a framing error travel on it."""
    exchange = HTTP11Exchange("GET", "http://example.com/events")
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    exchange.receive(head)
    with pytest.raises(HTTPProtocolError) as info:
        exchange.receive(b"e\r\ndata: intact\n\n\r\nzz\r\n")
    assert info.value.completed == (BodyChunk(b"data: intact\n\n"),)


@pytest.mark.parametrize("version", [b"0.1", b"0.9", b"2.0", b"9.9"])
def test_unsupported_http_version_refused(version: bytes) -> None:
    """Only HTTP/1.0 and HTTP/1.1 responses are accepted; h11 alone takes any d.d."""
    exchange = HTTP11Exchange("GET", "http://example.com/")
    with pytest.raises(HTTPProtocolError, match="HTTP version"):
        exchange.receive(b"HTTP/" + version + b" 200 OK\r\nContent-Length: 0\r\n\r\n")


@pytest.mark.parametrize("split", [False, True])
def test_bytes_after_a_closing_response_are_discarded_however_they_arrive(split: bool) -> None:
    """Extra bytes after a Connection: close response are dropped whether or not
    they come in the call that completes the response."""
    exchange = HTTP11Exchange("GET", "http://example.com/")
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    if split:
        events = exchange.receive(response) + exchange.receive(b"X")
    else:
        events = exchange.receive(response + b"X")
    assert events[-1] == ResponseComplete()
    assert BodyChunk(b"ok") in events
    assert exchange.reusable is False


def test_bytes_after_a_bodiless_response_within_the_head_limit_split() -> None:
    """Bytes after a HEAD response are discarded even when max_header_size cuts the call."""
    response = b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    whole = HTTP11Exchange("HEAD", "http://example.com/", max_header_size=47)
    events = whole.receive(response)
    assert events[-1] == ResponseComplete()
    assert whole.reusable is False
    split = HTTP11Exchange("HEAD", "http://example.com/", max_header_size=47)
    assert [e for c in bytewise(response) for e in split.receive(c)] == events


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("split", [False, True])
def test_close_after_bytes_after_a_closing_response(method: str, split: bool) -> None:
    """The close that follows a complete response is never an error, whether the
    bytes that came after the response arrived with it or alone."""
    response = b"HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
    if method == "GET":
        response += b"0\r\n\r\n"
    extra = b"0\r\n\r\n"
    exchange = HTTP11Exchange(method, "http://example.com/")
    if split:
        events = exchange.receive(response) + exchange.receive(extra)
    else:
        events = exchange.receive(response + extra)
    assert events[-1] == ResponseComplete()
    assert exchange.receive(b"") == []
    assert exchange.state is ExchangeState.COMPLETE
    assert exchange.reusable is False


def test_close_after_a_keep_alive_response_ends_reuse() -> None:
    exchange = HTTP11Exchange("GET", "http://example.com/")
    exchange.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert exchange.reusable is True
    assert exchange.receive(b"") == []
    assert exchange.reusable is False
