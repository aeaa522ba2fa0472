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
import time
from collections.abc import Iterator

import pytest

from openrouter import ChatCompletionRequest, Message
from sseproto.adapters import Timeouts
from tests.hostile.servers import Behaviour, HostileServer, Peer
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


#: What follows [DONE] in the body, for the modes that keep it open.
AFTER_DONE = {
    "keepalives": _chunk(b": OPENROUTER PROCESSING\n\n"),
    "more-events": _chunk(b'data: {"choices": [{"index": 0, "delta": {"content": "!"}}]}\n\n'),
}


def after_done(mode: str, connections: list[int]) -> Behaviour:
    """Answer chat requests with a stream that says [DONE]; then, by
    ``mode``: end the body and serve the next request on the connection
    (``ends``), reset the connection (``reset``), keep it open in silence
    (``silent``) or keep sending (``keepalives``, ``more-events``) until the
    client closes. ``connections`` gets the index of each connection."""

    def behaviour(peer: Peer, index: int) -> None:
        connections.append(index)
        while True:
            peer.read_request()
            peer.send(HEAD + _chunk(_events()))
            if mode == "ends":
                peer.send(b"0\r\n\r\n")
            elif mode == "reset":
                peer.reset()
                return
            elif mode == "silent":
                peer.wait_for_close()
            else:
                peer.drip(AFTER_DONE[mode], 0.05)

    return behaviour


@pytest.fixture(params=["ends", "silent", "keepalives", "more-events", "reset"])
def server(request: pytest.FixtureRequest) -> Iterator[HostileServer]:
    with HostileServer(after_done(request.param, [])) as running:
        yield running


def _chat() -> ChatCompletionRequest:
    return ChatCompletionRequest(model="any/model", messages=[Message.user("Answer?")])


@EVERY_TRANSPORT
def test_the_loop_ends_at_done(transport: Transport, server: HostileServer) -> None:
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
        server.url, body, timeout=Timeouts(connect=5.0, read=READ_LIMIT), max_retries=0
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

    connections: list[int] = []
    with HostileServer(after_done("ends", connections)) as server:
        texts = transport.run(server.url, body, timeout=Timeouts(connect=5.0, read=5.0))
        assert texts == ["".join(PIECES)] * 3
        assert (server.count("POST"), len(connections)) == (3, 1)


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
