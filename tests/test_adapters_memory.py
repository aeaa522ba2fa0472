"""Every adapter gives the parser's items for the shared vectors, in tiny pieces.

The httpx adapters run in memory over ``httpx.MockTransport``, whose
handlers stream each vector a few bytes at a time. The blocking, asyncio and
trio adapters have no transport to inject, so they read from
:class:`LoopbackServer`, a minimal 127.0.0.1 server in a thread that writes
each vector in pieces of 1 to 7 bytes with ``TCP_NODELAY``, close-delimited
or as one chunk per piece. Either way the items must equal what
:class:`~sseproto.EventStreamParser` makes of the whole input.

Also here: :class:`sseproto.adapters.AsyncClient` picks asyncio or trio on
first use and refuses the other runtime afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import trio

from sseproto import Comment, Event
from sseproto.adapters import AsyncClient, Timeouts, TooManyRedirects
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.httpx import AsyncClient as HttpxAsyncClient
from sseproto.adapters.httpx import Client as HttpxClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.adapters.trio import Client as TrioClient

from .helpers import run
from .vectors import VECTORS, Vector

Item = Event | Comment

#: Generous limits: a broken adapter fails the test instead of hanging it.
SAFE = Timeouts(connect=10, read=10)

SSE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"

VECTOR_IDS = [vector.name for vector in VECTORS]


def pieces(data: bytes, seed: int) -> list[bytes]:
    """``data`` cut into pieces of 1 to 7 bytes, the same for the same seed."""
    rng = random.Random(seed)
    out: list[bytes] = []
    start = 0
    while start < len(data):
        size = rng.randint(1, 7)
        out.append(data[start : start + size])
        start += size
    return out


def expected(vector: Vector, *, comments: bool = False) -> list[Item]:
    return run([vector.stream], comments=comments).items


# -- a minimal loopback server ------------------------------------------------------------

Handler = Callable[[socket.socket, bytes], None]


class LoopbackServer:
    """A 127.0.0.1 server in a thread: each connection is served by ``handler``
    (given the socket and the request head) in a thread of its own.

    ``close()`` stops accepting and waits for the handlers; every socket it
    made is closed by then.
    """

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._listener = socket.create_server(("127.0.0.1", 0))
        # Polled, so that close() stops the accept loop on every platform.
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    data = conn.recv(4096)
                    if not data:
                        return
                    head += data
                self._handler(conn, head)
            except OSError:
                return

    def close(self) -> None:
        self._stopping.set()
        self._accepter.join(10)
        self._listener.close()
        for thread in self._threads:
            thread.join(10)


def request_path(head: bytes) -> str:
    return head.split(b"\r\n", 1)[0].split(b" ")[1].decode("ascii")


def serve_vector(conn: socket.socket, head: bytes) -> None:
    """``/close/<index>``: close-delimited; ``/chunked/<index>``: a chunk per piece."""
    _, framing, index = request_path(head).split("/")
    vector = VECTORS[int(index)]
    parts = pieces(vector.stream, int(index))
    if framing == "close":
        conn.sendall(SSE_HEAD + b"Connection: close\r\n\r\n")
        for part in parts:
            conn.sendall(part)
        conn.shutdown(socket.SHUT_WR)
    else:
        conn.sendall(SSE_HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
        for part in parts:
            conn.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        conn.sendall(b"0\r\n\r\n")
    # Wait for the client to close (or to reuse, which this server ignores).
    with contextlib.suppress(OSError):
        while conn.recv(4096):
            pass


@pytest.fixture(scope="module")
def vector_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer(serve_vector)
    try:
        yield server
    finally:
        server.close()


# -- httpx adapters in memory ----------------------------------------------------------------


def _index(request: httpx.Request) -> int:
    return int(request.url.path.rsplit("/", 1)[1])


def sync_handler(request: httpx.Request) -> httpx.Response:
    index = _index(request)
    body = iter(pieces(VECTORS[index].stream, index))
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)


def async_handler(request: httpx.Request) -> httpx.Response:
    index = _index(request)

    async def body() -> AsyncIterator[bytes]:
        for part in pieces(VECTORS[index].stream, index):
            yield part

    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())


@pytest.mark.parametrize("comments", [False, True], ids=["events", "comments"])
@pytest.mark.parametrize("index", range(len(VECTORS)), ids=VECTOR_IDS)
def test_httpx_sync_vector(index: int, comments: bool) -> None:
    """The blocking httpx adapter gives the parser's items for a vector in tiny pieces."""
    vector = VECTORS[index]
    with httpx.Client(transport=httpx.MockTransport(sync_handler)) as http:
        client = HttpxClient(http, timeouts=SAFE)
        with client.stream("GET", f"http://mock.test/v/{index}", comments=comments) as stream:
            items = list(stream)
        assert items == expected(vector, comments=comments)
        assert stream.unterminated is vector.unterminated


async def _httpx_async_items(index: int, comments: bool) -> tuple[list[Item], bool]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(async_handler)) as http:
        client = HttpxAsyncClient(http, timeouts=SAFE)
        url = f"http://mock.test/v/{index}"
        async with client.stream("GET", url, comments=comments) as stream:
            items = [item async for item in stream]
        return items, stream.unterminated


@pytest.mark.parametrize("comments", [False, True], ids=["events", "comments"])
@pytest.mark.parametrize("index", range(len(VECTORS)), ids=VECTOR_IDS)
def test_httpx_asyncio_vector(index: int, comments: bool) -> None:
    """The async httpx adapter under asyncio gives the parser's items."""
    items, unterminated = asyncio.run(_httpx_async_items(index, comments))
    assert items == expected(VECTORS[index], comments=comments)
    assert unterminated is VECTORS[index].unterminated


@pytest.mark.parametrize("comments", [False, True], ids=["events", "comments"])
@pytest.mark.parametrize("index", range(len(VECTORS)), ids=VECTOR_IDS)
def test_httpx_trio_vector(index: int, comments: bool) -> None:
    """The async httpx adapter under trio gives the parser's items."""
    items, unterminated = trio.run(_httpx_async_items, index, comments)
    assert items == expected(VECTORS[index], comments=comments)
    assert unterminated is VECTORS[index].unterminated


def test_httpx_redirect_drops_credentials_in_memory() -> None:
    """The httpx adapter follows redirects itself and drops credentials across origins."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "first.test":
            return httpx.Response(302, headers={"location": "http://second.test/v/0"})
        return sync_handler(request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        client = HttpxClient(http, timeouts=SAFE)
        headers = [("Authorization", "Bearer secret")]
        with client.stream("GET", "http://first.test/", headers=headers) as stream:
            items = list(stream)
            assert stream.url == "http://second.test/v/0"
    assert items == expected(VECTORS[0])
    assert [request.headers.get("authorization") for request in seen] == ["Bearer secret", None]


def test_httpx_redirect_loop_in_memory() -> None:
    """A redirect loop through httpx raises TooManyRedirects, not httpx's own error."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(307, headers={"location": str(request.url)})

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        client = HttpxClient(http, timeouts=SAFE, max_redirects=2)
        with pytest.raises(TooManyRedirects) as caught:
            client.request("GET", "http://loop.test/")
    assert len(caught.value.urls) == 3


def test_httpx_request_in_memory() -> None:
    """request() over httpx returns the whole body, read in tiny pieces."""
    with httpx.Client(transport=httpx.MockTransport(sync_handler)) as http:
        response = HttpxClient(http, timeouts=SAFE).request("GET", "http://mock.test/v/3")
    assert (response.status, response.body) == (200, VECTORS[3].stream)
    assert response.header("Content-Type") == "text/event-stream"


# -- socket adapters over loopback, tiny writes ------------------------------------------------

FRAMINGS = ["close", "chunked"]


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("index", range(len(VECTORS)), ids=VECTOR_IDS)
def test_sync_vector(vector_server: LoopbackServer, index: int, framing: str) -> None:
    """The blocking adapter gives the parser's items for a vector sent 1-7 bytes at a time."""
    vector = VECTORS[index]
    with SyncClient(timeouts=SAFE) as client:
        with client.stream("GET", vector_server.url(f"/{framing}/{index}")) as stream:
            items = list(stream)
        assert items == expected(vector)
        assert stream.unterminated is vector.unterminated


async def _async_items(
    client: AsyncioClient | TrioClient | AsyncClient, url: str
) -> tuple[list[Item], bool]:
    async with client:
        async with client.stream("GET", url) as stream:
            items: list[Item] = [item async for item in stream]
        return items, stream.unterminated


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("index", range(len(VECTORS)), ids=VECTOR_IDS)
def test_asyncio_vector(vector_server: LoopbackServer, index: int, framing: str) -> None:
    """The asyncio adapter gives the parser's items for a vector sent 1-7 bytes at a time."""
    url = vector_server.url(f"/{framing}/{index}")
    items, unterminated = asyncio.run(_async_items(AsyncioClient(timeouts=SAFE), url))
    assert items == expected(VECTORS[index])
    assert unterminated is VECTORS[index].unterminated


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("index", range(len(VECTORS)), ids=VECTOR_IDS)
def test_trio_vector(vector_server: LoopbackServer, index: int, framing: str) -> None:
    """The trio adapter gives the parser's items for a vector sent 1-7 bytes at a time."""
    url = vector_server.url(f"/{framing}/{index}")
    items, unterminated = trio.run(_async_items, TrioClient(timeouts=SAFE), url)
    assert items == expected(VECTORS[index])
    assert unterminated is VECTORS[index].unterminated


def test_sync_comments_over_loopback(vector_server: LoopbackServer) -> None:
    """comments=True over a socket gives comment items in stream order."""
    index = next(i for i, vector in enumerate(VECTORS) if vector.name == "comments ignored")
    with SyncClient(timeouts=SAFE) as client:
        url = vector_server.url(f"/chunked/{index}")
        with client.stream("GET", url, comments=True) as stream:
            items = list(stream)
    assert items == expected(VECTORS[index], comments=True)
    assert any(type(item) is Comment for item in items)


# -- AsyncClient picks its runtime ---------------------------------------------------------------


def test_auto_client_under_asyncio(vector_server: LoopbackServer) -> None:
    """Under asyncio, AsyncClient becomes an asyncio client on first use."""
    client = AsyncClient(timeouts=SAFE)
    assert client.backend is None
    items, _ = asyncio.run(_async_items(client, vector_server.url("/close/0")))
    assert items == expected(VECTORS[0])
    assert client.backend == "asyncio"


def test_auto_client_under_trio(vector_server: LoopbackServer) -> None:
    """Under trio, AsyncClient becomes a trio client on first use."""
    client = AsyncClient(timeouts=SAFE)
    items, _ = trio.run(_async_items, client, vector_server.url("/chunked/1"))
    assert items == expected(VECTORS[1])
    assert client.backend == "trio"


async def _open_stream(client: AsyncClient, url: str) -> None:
    client.stream("GET", url)


def test_auto_client_refuses_trio_after_asyncio(vector_server: LoopbackServer) -> None:
    """A client first used under asyncio raises RuntimeError under trio."""
    client = AsyncClient(timeouts=SAFE)
    url = vector_server.url("/close/0")
    asyncio.run(_async_items(client, url))
    with pytest.raises(RuntimeError, match="asyncio"):
        trio.run(_open_stream, client, url)
    assert client.backend == "asyncio"


def test_auto_client_refuses_asyncio_after_trio(vector_server: LoopbackServer) -> None:
    """A client first used under trio raises RuntimeError under asyncio."""
    client = AsyncClient(timeouts=SAFE)
    url = vector_server.url("/close/0")
    trio.run(_async_items, client, url)
    with pytest.raises(RuntimeError, match="trio"):
        asyncio.run(_open_stream(client, url))


def test_auto_client_backend_chosen_up_front() -> None:
    """backend="trio" refuses to run under asyncio from the first use."""
    client = AsyncClient(backend="trio", timeouts=SAFE)
    assert client.backend == "trio"
    with pytest.raises(RuntimeError, match="trio"):
        asyncio.run(_open_stream(client, "http://127.0.0.1:9/"))


def test_auto_client_outside_a_runtime() -> None:
    """Used outside asyncio and trio, AsyncClient raises RuntimeError."""
    client = AsyncClient()
    with pytest.raises(RuntimeError, match="asyncio or trio"):
        client.stream("GET", "http://127.0.0.1:9/")


def test_auto_client_backend_checked() -> None:
    """An unknown backend name raises ValueError."""
    bad: Any = "curio"
    with pytest.raises(ValueError, match="backend"):
        AsyncClient(backend=bad)
