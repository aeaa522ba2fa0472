"""The Responses and Messages streams through the client.

The recorded fixtures (``recorded/responses_*.sse``, ``messages_*.sse``) are
served by a loopback server, whole and in small writes, and read by the
client over every transport (blocking sockets, asyncio, trio, httpx); what
the stream yields, its outcome, its heartbeats and its result are checked
against a plain reading of the same bytes and the terminal objects they
carry. Then each ending (incomplete, failed, an error event, an overloaded
provider after content, truncation, a cut connection, keepalives) and the
secret key in the errors of these paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter import (
    AsyncOpenRouter,
    AuthenticationError,
    MessagesAccumulator,
    MessagesRequest,
    OpenRouter,
    OpenRouterError,
    ResponsesAccumulator,
    ResponsesRequest,
    StreamError,
    StreamTruncatedError,
)
from openrouter._inference import MESSAGES_KIND, RESPONSES_KIND, stream_core
from openrouter.testing import MockOpenRouter
from sseproto import EventStreamParser

from ._hostile import HostileServer, Step, response, stream_head
from .recorded.event_streams import Replay, fixture, replay
from .test_client import TRANSPORTS, Transport
from .test_secrets import KEYS, leaks

KEY = "sk-or-test-events"

RESPONSES_FIXTURES = [
    "responses_error_event",
    "responses_failed",
    "responses_function_call",
    "responses_incomplete",
    "responses_reasoning_text",
    "responses_truncated",
    "responses_web_search",
]
MESSAGES_FIXTURES = [
    "messages_overloaded_error",
    "messages_thinking_text",
    "messages_tool_use",
    "messages_truncated",
    "messages_web_search",
]

#: Event types raised as the stream's error rather than yielded, and keepalives.
NOT_YIELDED = frozenset({"error", "response.error", "response.failed", "ping"})


def request_for(api: str, model: str = "any/model") -> Any:
    if api == "responses":
        return ResponsesRequest(model=model, input="Tell me a story.")
    return MessagesRequest(
        model=model, messages=[{"role": "user", "content": "Tell me a story."}], max_tokens=256
    )


@dataclass
class Read:
    """A stream as the caller saw it."""

    items: list[dict[str, Any]]
    outcome: str
    heartbeats: int
    result: dict[str, Any]
    error: OpenRouterError | None


def _finish(stream: Any, items: list[Any], error: OpenRouterError | None) -> Read:
    return Read(
        [item.raw for item in items], stream.outcome, stream.heartbeats, stream.result().raw, error
    )


def read(
    transport: Transport,
    base_url: str,
    api: str,
    request: object,
    *,
    key: str = KEY,
) -> Read:
    """Stream ``request`` with ``api`` on ``transport``; collect what the caller sees."""
    if transport.runtime == "sync":
        with contextlib.ExitStack() as stack:
            http = stack.enter_context(httpx.Client()) if transport.httpx else None
            client = stack.enter_context(
                OpenRouter(key, base_url=base_url, transport=http, max_retries=0)
            )
            items: list[Any] = []
            error = None
            with getattr(client, api).stream(request) as stream:
                try:
                    items.extend(stream)
                except OpenRouterError as exc:
                    error = exc
            return _finish(stream, items, error)

    async def main() -> Read:
        async with contextlib.AsyncExitStack() as stack:
            http = await stack.enter_async_context(httpx.AsyncClient()) if transport.httpx else None
            client = await stack.enter_async_context(
                AsyncOpenRouter(key, base_url=base_url, transport=http, max_retries=0)
            )
            items: list[Any] = []
            error = None
            async with getattr(client, api).stream(request) as stream:
                try:
                    async for item in stream:
                        items.append(item)  # noqa: PERF401 - kept one by one: an error may end the loop
                except OpenRouterError as exc:
                    error = exc
            return _finish(stream, items, error)

    if transport.runtime == "trio":
        result: Read = trio.run(main)
        return result
    return asyncio.run(main())


def served(data: bytes, size: int | None) -> HostileServer:
    """A loopback server answering with ``data`` as a 200 event stream, whole
    (``size=None``) or in writes of ``size`` bytes."""
    steps: list[Step] = [stream_head()]
    if size is None:
        steps.append(data)
    else:
        steps += [data[i : i + size] for i in range(0, len(data), size)]
    return HostileServer(lambda key: steps)


def expected_read(name: str) -> tuple[Replay, Read]:
    """What the client must see for fixture ``name``, from a plain reading of it."""
    stream = replay([fixture(f"{name}.sse")])
    api = name.partition("_")[0]
    acc: ResponsesAccumulator | MessagesAccumulator = (
        ResponsesAccumulator() if api == "responses" else MessagesAccumulator()
    )
    for event_name, obj in stream.events:
        acc.add(obj, event_name)
    items = [obj for _, obj in stream.events if obj.get("type") not in NOT_YIELDED]
    pings = sum(1 for _, obj in stream.events if obj.get("type") == "ping")
    outcome = {"completed": "completed", "errored": "errored", "truncated": "truncated"}[
        acc.close().value
    ]
    return stream, Read(items, outcome, stream.comments + pings, acc.result().raw, None)


@pytest.mark.parametrize("size", [None, 7], ids=["whole", "7-byte-writes"])
@pytest.mark.parametrize("transport", TRANSPORTS, ids=repr)
@pytest.mark.parametrize("name", RESPONSES_FIXTURES + MESSAGES_FIXTURES)
def test_recorded_stream_through_the_client(
    name: str, transport: Transport, size: int | None
) -> None:
    """Every fixture, on every transport, whole or split: the same events, outcome and result."""
    api = name.partition("_")[0]
    stream, expected = expected_read(name)
    with served(fixture(f"{name}.sse"), size) as server:
        got = read(transport, server.base_url, api, request_for(api))
    assert got.items == expected.items
    assert got.outcome == expected.outcome
    assert got.heartbeats == expected.heartbeats
    assert got.result == expected.result
    terminal = [obj for _, obj in stream.events if "response" in obj]
    if api == "responses" and got.outcome != "truncated" and terminal[-1]["type"] != "error":
        # The final response is the one the terminal event carries, as sent.
        assert got.result == terminal[-1]["response"]
    if got.outcome == "completed":
        assert got.error is None
    elif got.outcome == "errored":
        assert isinstance(got.error, StreamError)
        assert got.error.partial is not None
        assert got.error.partial.raw == expected.result
    else:
        assert isinstance(got.error, StreamTruncatedError)
        assert got.error.partial is not None
        assert got.error.partial.raw == expected.result


def test_recorded_errors_carry_their_codes() -> None:
    """The recorded error events give StreamError their code and canonical type."""
    transport = TRANSPORTS[0]
    codes = {}
    for name in ("responses_error_event", "responses_failed", "messages_overloaded_error"):
        with served(fixture(f"{name}.sse"), None) as server:
            api = name.partition("_")[0]
            got = read(transport, server.base_url, api, request_for(api))
        assert isinstance(got.error, StreamError)
        codes[name] = (got.error.code, got.error.error_type)
    assert codes["messages_overloaded_error"] == ("overloaded_error", "provider_overloaded")
    assert codes["responses_error_event"][0] == "rate_limit_exceeded"
    failed = json.loads(
        next(
            line[len(b"data: ") :]
            for line in fixture("responses_failed.sse").splitlines()
            if b'"response.failed"' in line
        )
    )
    assert codes["responses_failed"][0] == failed["response"]["error"]["code"]


# -- each ending, against the mock ---------------------------------------------------------


@pytest.fixture(scope="module")
def mock() -> Iterator[MockOpenRouter]:
    with MockOpenRouter() as server:
        yield server


def stream_mock(mock: MockOpenRouter, api: str, model: str) -> Read:
    return read(TRANSPORTS[0], mock.base_url, api, request_for(api, model))


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_incomplete_is_completed(mock: MockOpenRouter, api: str) -> None:
    """A reply cut by the token limit completes, with the reason in the result."""
    got = stream_mock(mock, api, "mock/incomplete")
    assert got.outcome == "completed"
    assert got.error is None
    if api == "responses":
        assert got.result["status"] == "incomplete"
        assert got.items[-1]["type"] == "response.incomplete"
    else:
        assert got.result["stop_reason"] == "max_tokens"


@pytest.mark.parametrize("api", ["responses", "messages"])
@pytest.mark.parametrize("model", ["mock/failed", "mock/error", "mock/overloaded"])
def test_failures_raise_after_the_earlier_events(
    mock: MockOpenRouter, api: str, model: str
) -> None:
    """A failure after partial text: the events before it are yielded, then StreamError."""
    got = stream_mock(mock, api, model)
    assert got.outcome == "errored"
    assert isinstance(got.error, StreamError)
    assert got.error.code is not None
    deltas = [
        i for i in got.items if i["type"] in ("response.output_text.delta", "content_block_delta")
    ]
    assert deltas
    assert got.error.partial is not None
    if api == "responses":
        assert got.error.partial.output_text
    else:
        assert got.error.partial.text
    if api == "messages" and model == "mock/overloaded":
        assert got.error.code == "overloaded_error"


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_truncated_body_raises(mock: MockOpenRouter, api: str) -> None:
    """A body that ends with no terminal event raises StreamTruncatedError with the partial."""
    got = stream_mock(mock, api, "mock/truncated")
    assert got.outcome == "truncated"
    assert isinstance(got.error, StreamTruncatedError)
    assert "terminal event" in str(got.error)
    assert got.error.partial is not None


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_keepalives_are_heartbeats(mock: MockOpenRouter, api: str) -> None:
    """Keepalive comments (and Messages pings) count as heartbeats and are not yielded."""
    got = stream_mock(mock, api, "mock/keepalive")
    assert got.outcome == "completed"
    assert got.heartbeats > 0
    assert all(item["type"] != "ping" for item in got.items)


def _cut(name: str) -> Callable[[str], list[Step]]:
    """A chunked 200 stream that sends the first half of a fixture and drops the connection."""
    data = fixture(f"{name}.sse")
    half = data[: len(data) // 2]
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    return lambda key: [head, b"%x\r\n%s\r\n" % (len(half), half)]


@pytest.mark.parametrize("transport", TRANSPORTS, ids=repr)
@pytest.mark.parametrize("name", ["responses_reasoning_text", "messages_thinking_text"])
def test_cut_connection_is_truncated(transport: Transport, name: str) -> None:
    """A connection that breaks mid-stream ends it as truncated, with the partial kept."""
    api = name.partition("_")[0]
    with HostileServer(_cut(name)) as server:
        got = read(transport, server.base_url, api, request_for(api))
    assert got.outcome == "truncated"
    assert isinstance(got.error, StreamTruncatedError)
    assert "connection broke before its terminal event" in str(got.error)
    assert got.error.partial is not None
    assert got.items


def test_errors_are_raised_again(mock: MockOpenRouter) -> None:
    """After the error, reading on raises it again; recv() too."""
    with (
        OpenRouter(KEY, base_url=mock.base_url) as client,
        client.messages.stream(request_for("messages", "mock/overloaded")) as stream,
    ):
        with pytest.raises(StreamError) as first:
            list(stream)
        with pytest.raises(StreamError) as again:
            stream.recv()
        assert again.value is first.value
        assert stream.error is first.value


def test_recv_returns_none_after_the_terminal_event(mock: MockOpenRouter) -> None:
    """recv() gives each event, the terminal one included, then None."""
    with (
        OpenRouter(KEY, base_url=mock.base_url) as client,
        client.responses.stream(request_for("responses", "mock/story")) as stream,
    ):
        kinds = []
        while (event := stream.recv()) is not None:
            kinds.append(event.type)
    assert kinds[-1] == "response.completed"
    assert stream.recv() is None
    assert stream.result().status == "completed"


def test_close_cancels(mock: MockOpenRouter) -> None:
    """Closing a stream early makes it cancelled; no error."""
    with OpenRouter(KEY, base_url=mock.base_url) as client:
        stream = client.responses.stream(request_for("responses", "mock/story"))
        assert next(stream).type == "response.created"
        stream.close()
    assert stream.outcome == "cancelled"
    assert stream.error is None


# -- the key never shows ------------------------------------------------------------------


def _event(name: str, obj: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(obj)}\n\n".encode()


def _messages_error(key: str) -> list[Step]:
    start = {"type": "message_start", "message": {"id": "m1", "content": [], "usage": {}}}
    error = {"type": "error", "error": {"type": "overloaded_error", "message": f"key {key}"}}
    return [stream_head(), _event("message_start", start), _event("error", error)]


def _responses_failed(key: str) -> list[Step]:
    failed = {
        "type": "response.failed",
        "response": {
            "id": "r1",
            "status": "failed",
            "error": {"code": "server_error", "message": f"Bearer {key}"},
        },
    }
    return [stream_head(), f"data: {json.dumps(failed)}\n\n".encode()]


def _messages_envelope(key: str) -> list[Step]:
    body = {"type": "error", "error": {"type": "authentication_error", "message": f"bad {key}"}}
    return [response(401, json.dumps(body).encode())]


@pytest.mark.parametrize("key", KEYS, ids=["sk-or-key", "other-key"])
@pytest.mark.parametrize(
    ("reply", "api", "raises"),
    [
        (_messages_error, "messages", StreamError),
        (_responses_failed, "responses", StreamError),
        (_messages_envelope, "messages", AuthenticationError),
    ],
    ids=["messages-error-event", "responses-failed", "messages-envelope"],
)
@pytest.mark.parametrize("transport", [TRANSPORTS[0], TRANSPORTS[3]], ids=repr)
def test_no_key_in_the_errors(
    transport: Transport,
    reply: Callable[[str], list[Step]],
    api: str,
    raises: type[OpenRouterError],
    key: str,
) -> None:
    """The errors of the event streams show no form of the key, in any traceback."""
    with HostileServer(reply) as server:
        try:
            got = read(transport, server.base_url, api, request_for(api), key=key)
            error = got.error
        except OpenRouterError as exc:
            error = exc
    assert isinstance(error, raises)
    assert leaks(error, key) == []


# -- the stream core alone: any split -------------------------------------------------------


def core_read(name: str, pieces: list[bytes]) -> tuple[list[dict[str, Any]], str, int, Any]:
    """The fixture's pieces through the parser and the client's stream core."""
    kind = RESPONSES_KIND if name.startswith("responses") else MESSAGES_KIND
    with OpenRouter(KEY, base_url="http://127.0.0.1:9") as client:
        core = stream_core(client, kind, None, False, awaits=False)
    parser = EventStreamParser(comments=True)
    items: list[dict[str, Any]] = []
    try:
        for piece in [*pieces, None]:
            for event in parser.feed(piece) if piece is not None else parser.close():
                item = core.handle(event)
                if item is not None:
                    items.append(item.raw)
        core.end()
    except OpenRouterError as exc:
        return items, core.outcome, core.heartbeats, type(exc).__name__
    return items, core.outcome, core.heartbeats, core.accumulator.result().raw


@settings(max_examples=40)
@given(
    name=st.sampled_from(RESPONSES_FIXTURES + MESSAGES_FIXTURES),
    points=st.lists(st.integers(0, 10**5), max_size=30),
)
def test_any_split_gives_the_same_stream(name: str, points: list[int]) -> None:
    """Cut anywhere, a fixture gives the core the same items, outcome and result."""
    data = fixture(f"{name}.sse")
    cuts = sorted({p % (len(data) + 1) for p in points})
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    assert core_read(name, pieces) == core_read(name, [data])


def test_keep_chunks_puts_every_event_in_the_error(mock: MockOpenRouter) -> None:
    """With keep_chunks=True the StreamError carries every event, the error event last."""
    beats: list[str] = []
    with (
        OpenRouter(KEY, base_url=mock.base_url) as client,
        client.messages.stream(
            request_for("messages", "mock/overloaded"), keep_chunks=True, on_heartbeat=beats.append
        ) as stream,
    ):
        seen: list[dict[str, Any]] = []
        with pytest.raises(StreamError) as info:
            seen.extend(event.raw for event in stream)
    chunks = [chunk.raw for chunk in info.value.chunks]
    assert chunks[:-1] == seen
    assert chunks[-1]["type"] == "error"
    assert len(beats) == stream.heartbeats
