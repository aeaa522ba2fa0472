"""A stream ends at ``[DONE]``, whatever the server does next.

The server here answers each chat request with a chunked event stream that
says ``data: [DONE]`` and then, depending on the test, ends the body (and
keeps the connection for the next request), keeps it open in silence, keeps
sending keepalive comments, sends more events, or resets the connection.
On every transport the loop must end at ``[DONE]`` (well before the read
limit), with the outcome ``completed`` and the whole answer, and never raise.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from openrouter import ChatCompletionRequest, Message
from sseproto.adapters import Timeouts
from tests.openrouter.test_client import EVERY_TRANSPORT, Api, Runtime, Transport
from tests.servers.starlette_app import CHAT_PIECES, CHAT_PORTS, StarletteServer

#: The read limit of the client: a loop that waited for the server would
#: take at least this long.
READ_LIMIT = 4.0

#: How long the loop may take after [DONE] (the drain bound is 0.1 s).
PROMPT_END = 1.5

PIECES = ["The ", "answer ", "is ", "42."]


def _chunk(payload: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(payload), payload)


def _events() -> bytes:
    out = [b": OPENROUTER PROCESSING\n\n"]
    for piece in PIECES:
        body = {"id": "gen-1", "choices": [{"index": 0, "delta": {"content": piece}}]}
        out.append(b"data: " + json.dumps(body).encode() + b"\n\n")
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/event-stream\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"X-Generation-Id: gen-1\r\n"
    b"\r\n"
)


class AfterDoneServer:
    """Serves chat streams on 127.0.0.1; ``mode`` says what follows [DONE].

    ``connections`` counts the connections accepted, ``requests`` the
    requests served; each connection is served in a thread of its own, and
    every wait ends when the server stops.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.connections = 0
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/api/v1"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> AfterDoneServer:
        self._accepting.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._accepting.join(5)
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        with sock, contextlib.suppress(OSError):
            sock.settimeout(0.05)
            buffer = b""
            while not self._stop.is_set():
                head_end = buffer.find(b"\r\n\r\n")
                if head_end < 0:
                    more = self._recv(sock)
                    if not more:
                        return
                    buffer += more
                    continue
                head = buffer[:head_end].decode("latin-1").lower()
                length = 0
                for line in head.split("\r\n"):
                    if line.startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                while len(buffer) < head_end + 4 + length:
                    more = self._recv(sock)
                    if not more:
                        return
                    buffer += more
                buffer = buffer[head_end + 4 + length :]
                self.requests += 1
                sock.sendall(HEAD + _chunk(_events()))
                if not self._after_done(sock):
                    return

    def _recv(self, sock: socket.socket) -> bytes:
        while not self._stop.is_set():
            try:
                return sock.recv(65536)
            except TimeoutError:
                continue
        return b""

    def _after_done(self, sock: socket.socket) -> bool:
        """What follows [DONE]; True to serve the next request on this connection."""
        if self.mode == "ends":
            sock.sendall(b"0\r\n\r\n")
            return True
        if self.mode == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        extra = {
            "keepalives": b": OPENROUTER PROCESSING\n\n",
            "more-events": b'data: {"choices": [{"index": 0, "delta": {"content": "!"}}]}\n\n',
            "silent": b"",
        }[self.mode]
        deadline = time.monotonic() + 3 * READ_LIMIT
        while not self._stop.is_set() and time.monotonic() < deadline:
            if extra:
                sock.sendall(_chunk(extra))
            if self._closed_by_peer(sock):
                return False
        return False

    def _closed_by_peer(self, sock: socket.socket) -> bool:
        try:
            return sock.recv(1) == b""
        except TimeoutError:
            return False


@pytest.fixture(params=["ends", "silent", "keepalives", "more-events", "reset"])
def server(request: pytest.FixtureRequest) -> Iterator[AfterDoneServer]:
    with AfterDoneServer(request.param) as running:
        yield running


def _chat() -> ChatCompletionRequest:
    return ChatCompletionRequest(model="any/model", messages=[Message.user("Answer?")])


@EVERY_TRANSPORT
def test_the_loop_ends_at_done(transport: Transport, server: AfterDoneServer) -> None:
    """for chunk in stream ends at [DONE]: completed, whole, no error, no wait."""

    async def body(api: Api, rt: Runtime) -> tuple[str, str, str | None, float]:
        stream = await api.chat_completion_stream(_chat())
        async with contextlib.aclosing(stream):
            text = ""
            started = time.monotonic()
            async for chunk in stream:
                text += chunk.choices[0].delta.content or ""
            elapsed = time.monotonic() - started
            # Reading on after the end gives nothing more and raises nothing.
            assert await stream.recv() is None
            message = stream.result().choices[0].message
            return stream.outcome, text, message.content, elapsed

    outcome, text, content, elapsed = transport.run(
        server.base_url, body, timeout=Timeouts(connect=5.0, read=READ_LIMIT), max_retries=0
    )
    assert (outcome, text, content) == ("completed", "".join(PIECES), "".join(PIECES))
    assert elapsed < PROMPT_END


@EVERY_TRANSPORT
def test_a_body_that_ends_after_done_leaves_the_connection_for_reuse(
    transport: Transport,
) -> None:
    """The usual server ends the body at once: the next stream reuses the connection."""

    async def body(api: Api, rt: Runtime) -> list[str]:
        texts = []
        for _ in range(3):
            stream = await api.chat_completion_stream(_chat())
            async with contextlib.aclosing(stream):
                texts.append("".join([c.choices[0].delta.content or "" async for c in stream]))
        return texts

    with AfterDoneServer("ends") as server:
        texts = transport.run(server.base_url, body, timeout=Timeouts(connect=5.0, read=5.0))
        assert texts == ["".join(PIECES)] * 3
        assert (server.requests, server.connections) == (3, 1)


@EVERY_TRANSPORT
def test_uvicorn_and_sse_starlette_streams_reuse_one_connection(
    transport: Transport, starlette_server: StarletteServer
) -> None:
    """Against a server nobody here wrote, streams end at [DONE] and share a connection."""
    model = f"reuse/{transport.name}"

    async def body(api: Api, rt: Runtime) -> list[str]:
        texts = []
        for _ in range(3):
            request = ChatCompletionRequest(model=model, messages=[Message.user("Hi")])
            stream = await api.chat_completion_stream(request)
            async with contextlib.aclosing(stream):
                texts.append("".join([c.choices[0].delta.content or "" async for c in stream]))
                assert stream.outcome == "completed"
        return texts

    texts = transport.run(starlette_server.url(""), body, timeout=Timeouts(connect=5, read=5))
    assert texts == ["".join(CHAT_PIECES)] * 3
    ports = CHAT_PORTS[model]
    assert len(ports) == 3
    assert len(set(ports)) == 1, ports
