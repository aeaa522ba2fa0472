"""A hand-written, threaded HTTP/1.1 server that misbehaves on purpose.

It speaks HTTP/1.1 over raw sockets (no http.server, no h11) so that it can
send what a well-behaved library never would: bodies cut inside a chunk,
lines without an end, bytes one at a time, heads followed by silence. Each
path picks a scenario; :class:`FaultServer` records every request (method,
target, headers, body, which connection carried it) for the tests to check.

Scenarios (``GET`` unless noted; query parameters in brackets):

==========================  ===================================================
``/events``                 :data:`DEFAULT_STREAM`, chunked, then the last chunk
``/vector/<i>``             ``tests.vectors.VECTORS[i].stream``, in 5-byte chunks
``/crlf``                   CRLF line endings, chunks split between CR and LF
``/long`` [``size``]        one event of ``size`` bytes of data (1 MiB), then one more
``/keepalive`` [``forever``]  comments between events; with ``forever=1``: one
                            event, then a comment every 50 ms until the client goes
``/drip``                   :data:`DRIP_STREAM`, one byte per write, 1 ms apart
``/stall``                  head and one event, then silence until the client goes
``/drop-mid-event`` [``chunked``]  one event, half of another, then close: the body
                            is close-delimited, or chunked without its last chunk
``/truncated-chunked``      one event, then a chunk cut short, then close
``/endless-line``           ``data: xxx...`` in 64 KiB writes, never a line end
``/close-after/<n>``        ``n`` events with ids following the ``Last-Event-ID``
                            request header (0 when absent), then a clean close
``/echo`` (any method)      the request as events: ``request`` (JSON: method,
                            target, headers) and ``body`` (JSON string, latin-1)
``/json``                   a small JSON body with Content-Length, keep-alive
``/204``, ``/500``          No Content; a JSON error with Content-Length
``/wrong-type``             200 with ``Content-Type: text/plain``
``/redirect`` [``status``]  302 (or ``status``) to the absolute URL of ``/events``
``/redirect-relative``      307 to ``/events`` (a relative Location)
``/redirect-loop``          302 to itself
``/redirect-to`` [``location``, ``status``, ``pad``]  302 (or ``status``) whose
                            Location is ``location`` verbatim (absent: no
                            Location at all), then ``pad`` more ``a`` characters
``/retry-zero``             ``retry: 0`` and one event, then a clean close
``/coded`` [``as``, ``kind``, ``status``, ``type``]  a gzip body sent with
                            ``Content-Encoding: <as>`` (default ``gzip``)
                            whatever the request asked, status
                            ``status`` (200), ``Content-Type: <type>`` (event
                            stream); ``kind``: ``stream`` (:data:`DEFAULT_STREAM`),
                            ``corrupt`` (its bytes 20-39 flipped), ``truncated``
                            (without its last 8 bytes), ``bomb`` (up to
                            :data:`BOMB_SIZE` zeros in about 10 MB, until the
                            client goes away; ``sent`` counts the coded bytes)
anything else               404
==========================  ===================================================

Streams end with ``Connection: close``; responses with a known length keep
the connection open for the next request. A stall never lasts more than
:data:`STALL_LIMIT` seconds and ends as soon as the client disconnects or the
server stops; :meth:`FaultServer.stop` wakes every handler (it shuts their
sockets down) and joins every thread, within a second.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import select
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Final
from urllib.parse import parse_qsl, urlsplit

from tests.vectors import VECTORS

__all__ = [
    "BOMB_SIZE",
    "DEFAULT_EVENTS",
    "DEFAULT_STREAM",
    "DRIP_STREAM",
    "STALL_LIMIT",
    "FaultServer",
    "RecordedRequest",
]

#: The longest any handler waits for anything (a request, a client going away).
STALL_LIMIT: Final = 30.0

#: How often a waiting handler checks whether the server is stopping.
_TICK: Final = 0.05

#: The most bytes of request head the server reads before refusing it.
_MAX_HEAD: Final = 64 * 1024

#: What ``/events`` serves, and the (type, data, id) of each event in it.
DEFAULT_STREAM: Final = (
    b"retry: 2000\n"
    b"id: 1\ndata: one\n\n"
    b": a comment\n\n"
    b"id: 2\nevent: update\ndata: two\n\n"
    b"id: 3\ndata: three\ndata: lines\n\n"
)
DEFAULT_EVENTS: Final = (
    ("message", "one", "1"),
    ("update", "two", "2"),
    ("message", "three\nlines", "3"),
)

#: How many zeros ``/coded?kind=bomb`` decodes to: 10 GiB.
BOMB_SIZE: Final = 10 * 1024**3

#: What ``/drip`` serves, one byte at a time: two events, ``a`` and ``b``.
DRIP_STREAM: Final = b"data: a\r\n\r\n: c\ndata: b\n\n"

#: What ``/crlf`` serves; each CR ends a chunk, so its LF starts the next one.
CRLF_STREAM: Final = b"id: 1\r\ndata: one\r\n\r\nevent: x\r\ndata: two\r\ndata: 2\r\n\r\n"

_REASONS: Final = {
    200: "OK",
    204: "No Content",
    302: "Found",
    303: "See Other",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    404: "Not Found",
    500: "Internal Server Error",
}


class _BadRequest(Exception):
    """The client sent something this server cannot read as a request."""


@dataclass
class RecordedRequest:
    """One request as the server read it."""

    method: str
    #: The request target as sent (path and query).
    target: str
    path: str
    query: dict[str, str]
    #: Header fields in order, names and values as sent (latin-1 decoded).
    headers: list[tuple[str, str]]
    body: bytes
    #: Which accepted connection carried it (0, 1, 2, ... in accept order).
    connection: int
    #: Set when the handler of a waiting scenario saw the client go away.
    disconnected: threading.Event = field(default_factory=threading.Event)
    #: Body bytes sent so far (kept up to date by ``/endless-line``).
    sent: int = 0

    def header(self, name: str) -> str | None:
        """The value of the first header field called ``name`` (any case), or None."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


class _Connection:
    """One accepted socket: buffered reads of requests, raw writes."""

    def __init__(self, sock: socket.socket, index: int, server: FaultServer) -> None:
        self.sock = sock
        self.index = index
        self.server = server
        self.buffer = bytearray()

    # -- reading -----------------------------------------------------------------

    def _fill(self) -> bool:
        """Read more bytes into the buffer; False at end of input."""
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buffer += data
        return True

    def _read_until(self, delimiter: bytes, limit: int) -> bytes | None:
        while True:
            end = self.buffer.find(delimiter)
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + len(delimiter)]
                return line
            if len(self.buffer) > limit:
                raise _BadRequest("line or head too long")
            if not self._fill():
                return None

    def _read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not self._fill():
                raise _BadRequest("body cut short")
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def read_request(self) -> RecordedRequest | None:
        """The next request on this connection, or None if the client closed it."""
        head = self._read_until(b"\r\n\r\n", _MAX_HEAD)
        if head is None:
            if self.buffer:
                raise _BadRequest("head cut short")
            return None
        request_line, *lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = request_line.split(" ")
        except ValueError:
            raise _BadRequest(f"bad request line {request_line!r}") from None
        if not version.startswith("HTTP/1."):
            raise _BadRequest(f"bad version {version!r}")
        headers: list[tuple[str, str]] = []
        for line in lines:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise _BadRequest(f"bad header line {line!r}")
            headers.append((name, value.strip(" \t")))
        parts = urlsplit(target)
        request = RecordedRequest(
            method=method,
            target=target,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=headers,
            body=b"",
            connection=self.index,
        )
        request.body = self._read_body(request)
        return request

    def _read_body(self, request: RecordedRequest) -> bytes:
        encoding = (request.header("Transfer-Encoding") or "").lower()
        if encoding == "chunked":
            body = bytearray()
            while True:
                size_line = self._read_until(b"\r\n", 1024)
                if size_line is None:
                    raise _BadRequest("chunked body cut short")
                try:
                    size = int(size_line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise _BadRequest(f"bad chunk size {size_line!r}") from None
                if size == 0:
                    # Trailer fields, up to the blank line.
                    while self._read_until(b"\r\n", 1024):
                        pass
                    return bytes(body)
                body += self._read_exactly(size)
                if self._read_exactly(2) != b"\r\n":
                    raise _BadRequest("chunk data not followed by CRLF")
        if encoding:
            raise _BadRequest(f"unsupported Transfer-Encoding {encoding!r}")
        length = request.header("Content-Length")
        if length is None:
            return b""
        if not length.isdigit():
            raise _BadRequest(f"bad Content-Length {length!r}")
        return self._read_exactly(int(length))

    # -- writing -----------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def head(
        self,
        status: int,
        headers: list[tuple[str, str]] = [],  # noqa: B006 (never mutated)
        *,
        chunked: bool = False,
        close: bool = True,
    ) -> None:
        """Send a status line and header fields."""
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        if close:
            lines.append("Connection: close")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def event_stream_head(self, *, chunked: bool = True) -> None:
        self.head(
            200,
            [("Content-Type", "text/event-stream"), ("Cache-Control", "no-store")],
            chunked=chunked,
        )

    def chunk(self, data: bytes) -> None:
        """Send one chunk of a chunked body (nothing for empty data)."""
        if data:
            self.send(b"%x\r\n%b\r\n" % (len(data), data))

    def last_chunk(self) -> None:
        self.send(b"0\r\n\r\n")

    def full(
        self,
        status: int,
        body: bytes,
        content_type: str,
        extra: list[tuple[str, str]] = [],  # noqa: B006
    ) -> None:
        """Send a whole response with Content-Length, keeping the connection open."""
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra]
        self.head(status, headers, close=False)
        self.send(body)

    # -- waiting -----------------------------------------------------------------

    def client_gone(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; True if the client closed (or broke)
        the connection or the server is stopping. Bytes the client sends
        meanwhile are read and dropped."""
        if self.server.stopping.is_set():
            return True
        try:
            readable, _, _ = select.select([self.sock], [], [], timeout)
            if readable:
                return not self.sock.recv(65536)
        except (OSError, ValueError):
            # ValueError: the socket was closed under us by stop().
            return True
        return self.server.stopping.is_set()

    def wait_until_gone(self, request: RecordedRequest, limit: float = STALL_LIMIT) -> None:
        """Stall until the client goes away or the server stops (at most ``limit`` s)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.client_gone(_TICK):
                request.disconnected.set()
                return

    def sleep(self, seconds: float) -> None:
        """Sleep, unless the server is stopping."""
        if self.server.stopping.wait(seconds):
            raise ConnectionAbortedError("server stopping")


#: A scenario: sends the response; returns whether the connection may carry
#: another request.
_Handler = Callable[["FaultServer", _Connection, RecordedRequest], bool]


def _split(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


# -- scenarios -------------------------------------------------------------------


def _events(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.event_stream_head()
    for piece in _split(DEFAULT_STREAM, 16):
        conn.chunk(piece)
    conn.last_chunk()
    return False


def _vector(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    index = int(request.path.rsplit("/", 1)[1])
    conn.event_stream_head()
    for piece in _split(VECTORS[index].stream, 5):
        conn.chunk(piece)
    conn.last_chunk()
    return False


def _crlf(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.event_stream_head()
    # Each CR ends its chunk, and a pause follows, so the LF after it arrives
    # in a later read.
    pieces = CRLF_STREAM.split(b"\r")
    for piece in pieces[:-1]:
        conn.chunk(piece + b"\r")
        conn.sleep(0.002)
    conn.chunk(pieces[-1])
    conn.last_chunk()
    return False


def _long(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    size = int(request.query.get("size", str(1024 * 1024)))
    conn.event_stream_head()
    conn.chunk(b"id: long\ndata: ")
    for piece in _split(b"x" * size, 65536):
        conn.chunk(piece)
    conn.chunk(b"\n\ndata: after\n\n")
    conn.last_chunk()
    return False


def _keepalive(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.event_stream_head()
    if request.query.get("forever"):
        conn.chunk(b"data: first\n\n")
        deadline = time.monotonic() + STALL_LIMIT
        while time.monotonic() < deadline:
            if conn.client_gone(_TICK):
                request.disconnected.set()
                break
            try:
                conn.chunk(b": keepalive\n\n")
            except OSError:
                request.disconnected.set()
                break
        return False
    for item in (b"data: a\n\n", b": ping 1\n\n", b":ping 2\n", b"data: b\n\n", b": ping 3\n\n"):
        conn.chunk(item)
    conn.last_chunk()
    return False


def _drip(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.event_stream_head()
    for index in range(len(DRIP_STREAM)):
        conn.chunk(DRIP_STREAM[index : index + 1])
        conn.sleep(0.001)
    conn.last_chunk()
    return False


def _stall(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.event_stream_head()
    conn.chunk(b"id: 1\ndata: before the stall\n\n")
    conn.wait_until_gone(request)
    return False


def _drop_mid_event(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    chunked = bool(request.query.get("chunked"))
    conn.event_stream_head(chunked=chunked)
    whole, half = b"id: 1\ndata: whole\n\n", b"id: 2\ndata: half"
    if chunked:
        conn.chunk(whole)
        conn.chunk(half)
    else:
        conn.send(whole + half)
    return False


def _truncated_chunked(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.event_stream_head()
    conn.chunk(b"id: 1\ndata: whole\n\n")
    # A 64-byte chunk announced, 16 bytes sent, then the connection closes.
    conn.send(b"40\r\ndata: cut short")
    return False


def _endless_line(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.event_stream_head()
    conn.chunk(b"data: ")
    block = b"%x\r\n%b\r\n" % (65536, b"x" * 65536)
    deadline = time.monotonic() + STALL_LIMIT
    try:
        while not server.stopping.is_set() and time.monotonic() < deadline:
            conn.send(block)
            request.sent += 65536
    except OSError:
        pass
    request.disconnected.set()
    return False


def _close_after(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    count = int(request.path.rsplit("/", 1)[1])
    last = request.header("Last-Event-ID") or "0"
    start = int(last) if last.isdigit() else 0
    conn.event_stream_head()
    for number in range(start + 1, start + count + 1):
        conn.chunk(b"id: %d\ndata: event %d\n\n" % (number, number))
    conn.last_chunk()
    return False


def _echo(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    described = json.dumps(
        {"method": request.method, "target": request.target, "headers": request.headers}
    )
    conn.event_stream_head()
    conn.chunk(b"event: request\ndata: %b\n\n" % described.encode())
    conn.chunk(b"event: body\ndata: %b\n\n" % json.dumps(request.body.decode("latin-1")).encode())
    conn.last_chunk()
    return False


def _json(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    body = json.dumps({"ok": True, "connection": conn.index}).encode()
    conn.full(200, body, "application/json")
    return True


def _no_content(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.head(204, close=False)
    return True


def _server_error(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    body = b'{"error": {"message": "boom", "code": 500}}'
    conn.full(500, body, "application/json")
    return True


def _wrong_type(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.full(200, b"this is not an event stream\n", "text/plain; charset=utf-8")
    return True


def _redirect(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    status = int(request.query.get("status", "302"))
    conn.full(status, b"", "text/plain", [("Location", server.url("/events"))])
    return True


def _redirect_relative(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.full(307, b"", "text/plain", [("Location", "/events")])
    return True


def _redirect_loop(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.full(302, b"", "text/plain", [("Location", "/redirect-loop")])
    return True


def _redirect_to(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    status = int(request.query.get("status", "302"))
    location = request.query.get("location")
    extra = []
    if location is not None:
        extra.append(("Location", location + "a" * int(request.query.get("pad", "0"))))
    conn.full(status, b"", "text/plain", extra)
    return True


def _retry_zero(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.event_stream_head()
    conn.chunk(b"retry: 0\ndata: again\n\n")
    conn.last_chunk()
    return False


def _gzip_bomb() -> tuple[bytes, bytes]:
    """A gzip header with the first MiB of zeros, and the coded bytes of each
    next MiB: after a full flush the compressor starts afresh, so every
    MiB codes to the same bytes (about 1 KB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    mib = b"\0" * (1 << 20)
    first = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first, compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)


def _coded(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    headers = [
        ("Content-Type", request.query.get("type", "text/event-stream")),
        ("Content-Encoding", request.query.get("as", "gzip")),
    ]
    conn.head(int(request.query.get("status", "200")), headers, chunked=True)
    kind = request.query.get("kind", "stream")
    if kind == "bomb":
        first, more = _gzip_bomb()
        try:
            conn.chunk(first)
            request.sent = len(first)
            for _ in range(BOMB_SIZE // (1 << 20) - 1):
                if server.stopping.is_set():
                    break
                conn.chunk(more)
                request.sent += len(more)
        except OSError:
            pass
        request.disconnected.set()
        return False
    body = gzip.compress(DEFAULT_STREAM, mtime=0)
    if kind == "corrupt":
        body = body[:20] + bytes(byte ^ 0xFF for byte in body[20:40]) + body[40:]
    elif kind == "truncated":
        body = body[:-8]
    conn.chunk(body)
    conn.last_chunk()
    return False


def _not_found(server: FaultServer, conn: _Connection, request: RecordedRequest) -> bool:
    conn.full(404, b"no such scenario\n", "text/plain")
    return True


_ROUTES: Final[dict[str, _Handler]] = {
    "/events": _events,
    "/crlf": _crlf,
    "/long": _long,
    "/keepalive": _keepalive,
    "/drip": _drip,
    "/stall": _stall,
    "/drop-mid-event": _drop_mid_event,
    "/truncated-chunked": _truncated_chunked,
    "/endless-line": _endless_line,
    "/echo": _echo,
    "/json": _json,
    "/204": _no_content,
    "/500": _server_error,
    "/wrong-type": _wrong_type,
    "/redirect": _redirect,
    "/redirect-relative": _redirect_relative,
    "/redirect-loop": _redirect_loop,
    "/redirect-to": _redirect_to,
    "/retry-zero": _retry_zero,
    "/coded": _coded,
}
_PREFIX_ROUTES: Final[dict[str, _Handler]] = {
    "/vector/": _vector,
    "/close-after/": _close_after,
}


def _route(path: str) -> _Handler:
    handler = _ROUTES.get(path)
    if handler is not None:
        return handler
    for prefix, prefixed in _PREFIX_ROUTES.items():
        if path.startswith(prefix) and path[len(prefix) :].isdigit():
            return prefixed
    return _not_found


# -- the server ------------------------------------------------------------------


class FaultServer:
    """The fault-injection server, on a free port of 127.0.0.1.

    Use as a context manager (or call :meth:`start` and :meth:`stop`). With
    ``ssl_context`` (a server-side context, see :mod:`.tls`) it speaks HTTPS.
    """

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._requests: list[RecordedRequest] = []
        self._connections = 0
        #: Set by :meth:`stop`; every waiting handler watches it.
        self.stopping = threading.Event()
        self.port = 0

    # -- public face -------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "https" if self._ssl_context is not None else "http"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request read so far, in order (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The requests whose target (path and query) is ``path``, in order."""
        return [request for request in self.requests if request.target == path]

    def wait_for_request(self, target: str, timeout: float = 5.0) -> RecordedRequest:
        """The first request to ``target``, waiting up to ``timeout`` s for it."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests_to(target)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no request to {target!r} within {timeout} s")
            time.sleep(0.01)

    @property
    def connections(self) -> int:
        """How many connections the server has accepted."""
        with self._lock:
            return self._connections

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.settimeout(_TICK)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"fault-server-{self.port}", daemon=True
        )
        self._accept_thread.start()

    def stop(self) -> None:
        """Stop accepting, wake and end every handler, join every thread."""
        self.stopping.set()
        if self._accept_thread is not None:
            self._accept_thread.join(5)
            assert not self._accept_thread.is_alive(), "accept loop did not stop"
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for sock in self._sockets:
                # socket.socket.shutdown, not SSLSocket.shutdown: the latter
                # drops the TLS object under the handler that is using it.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
            threads = list(self._threads)
        for thread in threads:
            thread.join(5)
            assert not thread.is_alive(), f"{thread.name} did not stop"

    def __enter__(self) -> FaultServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals ---------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self.stopping.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(STALL_LIMIT)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                index = self._connections
                self._connections += 1
                self._sockets.add(sock)
                # Forget finished handlers so a long session keeps few threads.
                self._threads = [thread for thread in self._threads if thread.is_alive()]
                thread = threading.Thread(
                    target=self._serve_connection,
                    args=(sock, index),
                    name=f"fault-server-{self.port}-conn-{index}",
                    daemon=True,
                )
                self._threads.append(thread)
            thread.start()

    def _track(self, old: socket.socket, new: socket.socket) -> bool:
        """Replace ``old`` by ``new`` in the sockets stop() shuts down; False if stopping."""
        with self._lock:
            self._sockets.discard(old)
            self._sockets.add(new)
            return not self.stopping.is_set()

    def _serve_connection(self, sock: socket.socket, index: int) -> None:
        try:
            if self._ssl_context is not None:
                tls = self._ssl_context.wrap_socket(
                    sock, server_side=True, do_handshake_on_connect=False
                )
                if not self._track(sock, tls):
                    return
                sock = tls
                tls.do_handshake()
            elif self.stopping.is_set():
                return
            conn = _Connection(sock, index, self)
            while not self.stopping.is_set():
                try:
                    request = conn.read_request()
                except _BadRequest:
                    conn.full(400, b"bad request\n", "text/plain", [("Connection", "close")])
                    return
                if request is None:
                    return
                with self._lock:
                    self._requests.append(request)
                keep_alive = _route(request.path)(self, conn, request)
                if not keep_alive or (request.header("Connection") or "").lower() == "close":
                    return
        except OSError:
            # The client went away, broke the connection, failed the TLS
            # handshake, or stop() shut the socket down: nothing to answer.
            pass
        finally:
            with self._lock:
                self._sockets.discard(sock)
            sock.close()
