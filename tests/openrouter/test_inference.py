"""The inference namespaces (``client.chat``, ``.completions``, ``.responses``,
``.messages``) and ``stream_request`` against the mock, on the blocking client
and the async one under asyncio and trio: the typed results, the request
bodies the mock recorded (checked against the fields the OpenAPI description
documents), mapping requests, and the refusals made before anything is sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import trio

import sseproto
from openrouter import (
    AnthropicMessage,
    APIConnectionError,
    AsyncOpenRouter,
    BadRequestError,
    ChatCompletion,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    Message,
    MessagesRequest,
    MessageStream,
    OpenRouter,
    ProviderOptions,
    RateLimitError,
    Response,
    ResponsesRequest,
    ResponseStream,
    RetryPolicy,
    ServerTool,
    StreamError,
)
from openrouter._messages_api import TextBlock, ToolUseBlock
from openrouter._responses_api import OutputMessage
from openrouter.testing import MockOpenRouter
from openrouter.testing._event_scenarios import EVENT_TOOL_ARGUMENTS, EVENT_TOOL_NAME
from openrouter.testing._scenarios import STORY_TEXT

from ._hostile import HostileServer

KEY = "sk-or-test-inference"
T = TypeVar("T")

#: The request fields the OpenAPI description documents (``ResponsesRequest``,
#: ``MessagesRequest``, ``ChatRequest``): a body the client builds holds no other.
RESPONSES_FIELDS = frozenset(
    [
        "background",
        "cache_control",
        "debug",
        "frequency_penalty",
        "image_config",
        "include",
        "input",
        "instructions",
        "max_output_tokens",
        "max_tool_calls",
        "metadata",
        "modalities",
        "model",
        "models",
        "parallel_tool_calls",
        "plugins",
        "presence_penalty",
        "previous_response_id",
        "prompt",
        "prompt_cache_key",
        "prompt_cache_options",
        "provider",
        "reasoning",
        "route",
        "safety_identifier",
        "service_tier",
        "session_id",
        "stop_server_tools_when",
        "store",
        "stream",
        "temperature",
        "text",
        "tool_choice",
        "tools",
        "top_k",
        "top_logprobs",
        "top_p",
        "trace",
        "truncation",
        "user",
    ]
)
MESSAGES_FIELDS = frozenset(
    [
        "cache_control",
        "context_management",
        "fallbacks",
        "max_tokens",
        "messages",
        "metadata",
        "model",
        "models",
        "output_config",
        "plugins",
        "provider",
        "route",
        "service_tier",
        "session_id",
        "speed",
        "stop_sequences",
        "stop_server_tools_when",
        "stream",
        "system",
        "temperature",
        "thinking",
        "tool_choice",
        "tools",
        "top_k",
        "top_p",
        "trace",
        "user",
    ]
)
CHAT_FIELDS = frozenset(
    [
        "cache_control",
        "debug",
        "frequency_penalty",
        "image_config",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "messages",
        "metadata",
        "min_p",
        "modalities",
        "model",
        "models",
        "parallel_tool_calls",
        "plugins",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "prompt_cache_options",
        "provider",
        "reasoning",
        "reasoning_effort",
        "repetition_penalty",
        "response_format",
        "route",
        "seed",
        "service_tier",
        "session_id",
        "stop",
        "stop_server_tools_when",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_a",
        "top_k",
        "top_logprobs",
        "top_p",
        "trace",
        "user",
    ]
)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockOpenRouter]:
    with MockOpenRouter() as server:
        yield server


@pytest.fixture
def server(mock: MockOpenRouter) -> MockOpenRouter:
    mock.clear_requests()
    return mock


def responses_request(model: str = "mock/story", **fields: Any) -> ResponsesRequest:
    return ResponsesRequest(model=model, input="Tell me a story.", **fields)


def messages_request(model: str = "mock/story", **fields: Any) -> MessagesRequest:
    return MessagesRequest(
        model=model,
        messages=[{"role": "user", "content": "Tell me a story."}],
        max_tokens=256,
        **fields,
    )


def last_body(server: MockOpenRouter, path: str) -> dict[str, Any]:
    """The JSON body of the one request the mock recorded, which went to ``path``."""
    (request,) = server.requests
    assert (request.method, request.path) == ("POST", f"/api/v1/{path}")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body: dict[str, Any] = request.json
    return body


# -- the blocking client ------------------------------------------------------------------


def test_chat_create_and_stream(server: MockOpenRouter) -> None:
    """chat.create and chat.stream send the typed request and return the story."""
    request = ChatCompletionRequest(model="mock/story", messages=[Message.user("hi")])
    with OpenRouter(KEY, base_url=server.base_url) as client:
        answer = client.chat.create(request)
        assert isinstance(answer, ChatCompletion)
        assert answer.choices[0].message.content == STORY_TEXT
        assert last_body(server, "chat/completions") == request.to_dict()
        server.clear_requests()
        with client.chat.stream(request) as stream:
            text = "".join(c.choices[0].delta.content or "" for c in stream)
        assert text == STORY_TEXT
        assert stream.outcome == "completed"
        body = last_body(server, "chat/completions")
        assert body == {**request.to_dict(), "stream": True}
        assert set(body) <= CHAT_FIELDS


def test_completions_create_and_stream_with_mappings(server: MockOpenRouter) -> None:
    """completions.create/stream take the wire JSON as a plain mapping."""
    wire = {"model": "mock/story", "prompt": "Once"}
    with OpenRouter(KEY, base_url=server.base_url) as client:
        answer = client.completions.create(wire)
        assert isinstance(answer, Completion)
        assert answer.choices[0].text == STORY_TEXT
        assert last_body(server, "completions") == wire
        server.clear_requests()
        with client.completions.stream(wire) as stream:
            assert "".join(c.choices[0].text or "" for c in stream) == STORY_TEXT
        assert last_body(server, "completions") == {**wire, "stream": True}


def test_aliases_take_mappings_through_the_same_flow(server: MockOpenRouter) -> None:
    """chat_completion and completion_stream accept what the namespaces accept."""
    wire = {"model": "mock/story", "messages": [{"role": "user", "content": "hi"}]}
    with OpenRouter(KEY, base_url=server.base_url) as client:
        assert client.chat_completion(wire).choices[0].message.content == STORY_TEXT
        server.clear_requests()
        with client.completion_stream(CompletionRequest(model="mock/story", prompt="x")) as s:
            assert "".join(c.choices[0].text or "" for c in s) == STORY_TEXT


def test_responses_create(server: MockOpenRouter) -> None:
    """responses.create returns a typed Response; the body is the documented one."""
    request = responses_request(
        instructions="Be brief.",
        max_output_tokens=300,
        temperature=0.5,
        reasoning={"effort": "low", "summary": "auto"},
        text={"verbosity": "low"},
        include=["reasoning.encrypted_content"],
        metadata={"run": "1"},
        provider=ProviderOptions(allow_fallbacks=False),
        models=["mock/story", "mock/reasoning"],
        user="u1",
        session_id="s1",
        extra={"truncation": "auto"},
    )
    with OpenRouter(KEY, base_url=server.base_url) as client:
        answer = client.responses.create(request)
    assert isinstance(answer, Response)
    assert answer.status == "completed"
    assert answer.output_text == STORY_TEXT
    assert isinstance(answer.items[0], OutputMessage)
    assert answer.usage is not None
    assert answer.usage.output_tokens
    body = last_body(server, "responses")
    assert body == request.to_dict()
    assert body["provider"] == {"allow_fallbacks": False}
    assert body["truncation"] == "auto"
    assert set(body) <= RESPONSES_FIELDS


def test_responses_stream_events_and_result(server: MockOpenRouter) -> None:
    """responses.stream yields typed events, the terminal one last; result() is its response."""
    with (
        OpenRouter(KEY, base_url=server.base_url) as client,
        client.responses.stream(responses_request("mock/tools")) as stream,
    ):
        assert isinstance(stream, ResponseStream)
        assert stream.status == 200
        events = list(stream)
    assert events[0].type == "response.created"
    assert events[-1].type == "response.completed"
    assert all(event.raw["type"] == event.type for event in events)
    assert stream.outcome == "completed"
    result = stream.result()
    assert result.raw == events[-1].raw["response"]
    calls = [item for item in result.items if item.type == "function_call"]
    assert calls
    assert calls[0].raw["name"] == EVENT_TOOL_NAME
    assert calls[0].raw["arguments"] == EVENT_TOOL_ARGUMENTS
    body = last_body(server, "responses")
    assert body == {**responses_request("mock/tools").to_dict(), "stream": True}


def test_messages_create(server: MockOpenRouter) -> None:
    """messages.create returns an AnthropicMessage with typed blocks."""
    request = messages_request(
        "mock/tools",
        system="Be brief.",
        stop_sequences=["END"],
        thinking={"type": "enabled", "budget_tokens": 1024},
        tool_choice={"type": "auto"},
        tools=[{"name": "get_weather", "input_schema": {"type": "object"}}],
        metadata={"user_id": "u1"},
    )
    with OpenRouter(KEY, base_url=server.base_url) as client:
        answer = client.messages.create(request)
    assert isinstance(answer, AnthropicMessage)
    assert answer.stop_reason == "tool_use"
    (block,) = [b for b in answer.blocks if isinstance(b, ToolUseBlock)]
    assert block.name == EVENT_TOOL_NAME
    assert isinstance(block.input, dict)
    body = last_body(server, "messages")
    assert body == request.to_dict()
    assert set(body) <= MESSAGES_FIELDS


def test_messages_stream_events_and_result(server: MockOpenRouter) -> None:
    """messages.stream yields the named events; result() merges them into the message."""
    with (
        OpenRouter(KEY, base_url=server.base_url) as client,
        client.messages.stream(messages_request("mock/keepalive")) as stream,
    ):
        assert isinstance(stream, MessageStream)
        kinds = [event.type for event in stream]
    assert kinds[0] == "message_start"
    assert kinds[-1] == "message_stop"
    assert "ping" not in kinds
    assert stream.heartbeats > 0
    message = stream.result()
    assert message.text == STORY_TEXT == stream.text
    assert isinstance(message.blocks[0], TextBlock)
    assert message.usage is not None
    assert message.usage.output_tokens
    assert last_body(server, "messages")["stream"] is True


def test_messages_error_envelope_is_mapped(server: MockOpenRouter) -> None:
    """Anthropic's error envelope gives the status's class, code = its error type."""
    with (
        OpenRouter(KEY, base_url=server.base_url, max_retries=0) as client,
        pytest.raises(BadRequestError) as info,
    ):
        client.messages.create(messages_request("mock/no-such-scenario"))
    assert info.value.code == "invalid_request_error"
    assert "not a valid model ID" in str(info.value)
    assert info.value.body.startswith(b'{"type":"error"')


def test_error_statuses_on_the_event_apis(server: MockOpenRouter) -> None:
    """A 429 on /responses and /messages raises RateLimitError, streamed or not."""
    with OpenRouter(KEY, base_url=server.base_url, max_retries=0) as client:
        with pytest.raises(RateLimitError):
            client.responses.create(responses_request("mock/429"))
        with pytest.raises(RateLimitError):
            client.messages.stream(messages_request("mock/429"))


@pytest.mark.parametrize(
    ("namespace", "wire"),
    [
        ("chat", {"model": "m", "messages": [], "stream": True}),
        ("completions", {"model": "m", "prompt": "x", "stream": True}),
        ("responses", {"model": "m", "input": "x", "stream": True}),
        ("messages", {"model": "m", "messages": [], "stream": True}),
    ],
)
def test_create_refuses_a_stream_mapping(
    server: MockOpenRouter, namespace: str, wire: dict[str, Any]
) -> None:
    """create() with "stream": true in a mapping raises ValueError naming stream()."""
    with (
        OpenRouter(KEY, base_url=server.base_url) as client,
        pytest.raises(ValueError, match=rf"client\.{namespace}\.stream\(\)"),
    ):
        getattr(client, namespace).create(wire)
    assert server.requests == []


@pytest.mark.parametrize("namespace", ["chat", "completions", "responses", "messages"])
def test_wrong_request_type_is_refused(server: MockOpenRouter, namespace: str) -> None:
    """A request that is neither the typed object nor a mapping is a TypeError, unsent."""
    with OpenRouter(KEY, base_url=server.base_url) as client:
        with pytest.raises(TypeError):
            getattr(client, namespace).create(["not", "a", "request"])
        with pytest.raises(TypeError):
            getattr(client, namespace).stream("nor this")
    assert server.requests == []


def test_stream_refuses_an_async_callback(server: MockOpenRouter) -> None:
    """The blocking face refuses an async on_heartbeat before sending."""

    async def beat(text: str) -> None:
        del text

    with (
        OpenRouter(KEY, base_url=server.base_url) as client,
        pytest.raises(TypeError, match="async"),
    ):
        client.messages.stream(messages_request(), on_heartbeat=beat)  # type: ignore[arg-type]
    assert server.requests == []


# -- stream_request ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "path", "wire", "last"),
    [
        (sseproto.CHAT, "chat/completions", {"model": "mock/story", "messages": []}, None),
        (
            sseproto.RESPONSES,
            "responses",
            {"model": "mock/story", "input": "x"},
            "response.completed",
        ),
        (
            sseproto.MESSAGES,
            "messages",
            {"model": "mock/story", "messages": [], "max_tokens": 9},
            "message_stop",
        ),
    ],
    ids=["chat", "responses", "messages"],
)
def test_stream_request_yields_decoded_values(
    server: MockOpenRouter,
    fmt: sseproto.StreamFormat,
    path: str,
    wire: dict[str, Any],
    last: str | None,
) -> None:
    """stream_request reads any streaming path by the format's rules, as plain dicts."""
    body = {**wire, "stream": True}
    with (
        OpenRouter(KEY, base_url=server.base_url) as client,
        client.stream_request("POST", path, json=body, format=fmt) as stream,
    ):
        values = list(stream)
    assert stream.outcome == "completed"
    assert all(type(value) is dict for value in values)
    if last is not None:
        assert values[-1]["type"] == last
    assert stream.result() == values[-1]
    (request,) = server.requests
    assert request.json == body
    assert request.headers["accept"] == "text/event-stream"


def test_stream_request_raises_the_format_errors(server: MockOpenRouter) -> None:
    """An error event ends a stream_request stream as on the typed stream."""
    body = {"model": "mock/overloaded", "messages": [], "max_tokens": 9, "stream": True}
    with (
        OpenRouter(KEY, base_url=server.base_url) as client,
        client.stream_request("POST", "messages", json=body, format=sseproto.MESSAGES) as s,
        pytest.raises(StreamError) as info,
    ):
        list(s)
    assert info.value.code == "overloaded_error"
    assert s.outcome == "errored"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "https://evil.example/x"), ("POST", "../keys"), ("POST", "a?b=1"), ("PO ST", "x")],
)
def test_stream_request_checks_the_path(server: MockOpenRouter, method: str, path: str) -> None:
    """stream_request refuses what request() refuses, before sending."""
    with OpenRouter(KEY, base_url=server.base_url) as client:
        with pytest.raises(ValueError, match=r"path|method"):
            client.stream_request(method, path)
        with pytest.raises(TypeError):
            client.stream_request("POST", "x", format="chat")  # type: ignore[arg-type]
    assert server.requests == []


# -- the async client -------------------------------------------------------------------


def run_async(runtime: str, main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    if runtime == "trio":
        result: T = trio.run(main)
        return result
    return asyncio.run(main())


@pytest.mark.parametrize("runtime", ["asyncio", "trio"])
def test_async_namespaces(server: MockOpenRouter, runtime: str) -> None:
    """Every inference method of AsyncOpenRouter, streamed and not, typed and mapping."""
    chat = ChatCompletionRequest(model="mock/story", messages=[Message.user("hi")])

    async def main() -> list[Any]:
        async with AsyncOpenRouter(KEY, base_url=server.base_url) as client:
            got: list[Any] = [
                (await client.chat.create(chat)).choices[0].message.content,
                (await client.completions.create({"model": "mock/story", "prompt": "x"}))
                .choices[0]
                .text,
                (await client.responses.create(responses_request())).output_text,
                (await client.messages.create(messages_request())).text,
            ]
            async with client.chat.stream(chat) as stream:
                got.append("".join([c.choices[0].delta.content or "" async for c in stream]))
            stream2 = client.completions.stream(CompletionRequest(model="mock/story", prompt="x"))
            got.append("".join([c.choices[0].text or "" async for c in stream2]))
            await stream2.aclose()
            async with client.responses.stream({"model": "mock/story", "input": "x"}) as rs:
                kinds = [e.type async for e in rs]
            got.append((kinds[-1], rs.result().output_text, rs.outcome))
            ms = await client.messages.stream(messages_request("mock/keepalive"))
            try:
                kinds = [e.type async for e in ms]
            finally:
                await ms.aclose()
            got.append((kinds[-1], ms.result().text, ms.heartbeats > 0))
            body = {"model": "mock/story", "input": "x", "stream": True}
            async with client.stream_request(
                "POST", "responses", json=body, format=sseproto.RESPONSES
            ) as raw:
                got.append([v["type"] async for v in raw][-1])
            return got

    got = run_async(runtime, main)
    assert got[:6] == [STORY_TEXT] * 6
    assert got[6] == ("response.completed", STORY_TEXT, "completed")
    assert got[7] == ("message_stop", STORY_TEXT, True)
    assert got[8] == "response.completed"
    paths = [r.path.removeprefix("/api/v1/") for r in server.requests]
    assert paths == [
        "chat/completions",
        "completions",
        "responses",
        "messages",
        "chat/completions",
        "completions",
        "responses",
        "messages",
        "responses",
    ]
    assert [r.json.get("stream") for r in server.requests] == [None] * 4 + [True] * 5


@pytest.mark.parametrize("runtime", ["asyncio", "trio"])
def test_async_awaits_an_async_heartbeat_callback(server: MockOpenRouter, runtime: str) -> None:
    """An async on_heartbeat is awaited for comments and Messages pings."""
    seen: list[str] = []

    async def beat(text: str) -> None:
        seen.append(text)

    async def main() -> int:
        async with AsyncOpenRouter(KEY, base_url=server.base_url) as client:
            async with client.messages.stream(
                messages_request("mock/keepalive"), on_heartbeat=beat
            ) as stream:
                async for _ in stream:
                    pass
            return stream.heartbeats

    assert run_async(runtime, main) == len(seen) > 0


# -- the typed requests ----------------------------------------------------------------


def test_request_objects_drop_unset_fields_and_merge_extra() -> None:
    """to_dict() leaves None out and merges extra last."""
    assert ResponsesRequest(model="m", input="x").to_dict() == {"model": "m", "input": "x"}
    request = MessagesRequest(
        model="m",
        messages=[Message.user("hi")],
        system=[{"type": "text", "text": "Be brief."}],
        tools=[ServerTool.datetime()],
        extra={"service_tier": "auto", "max_tokens": 7},
    )
    assert request.to_dict() == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "system": [{"type": "text", "text": "Be brief."}],
        "tools": [ServerTool.datetime().to_dict()],
        "service_tier": "auto",
        "max_tokens": 7,
    }


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: ResponsesRequest(model="", input="x"), ValueError),
        (lambda: ResponsesRequest(model="m", input=""), ValueError),
        (lambda: ResponsesRequest(model="m", input=[]), ValueError),
        (lambda: ResponsesRequest(model="m", input=["x"]), TypeError),  # type: ignore[list-item]
        (lambda: ResponsesRequest(model="m", input="x", max_output_tokens=1.5), TypeError),  # type: ignore[arg-type]
        (lambda: ResponsesRequest(model="m", input="x", temperature=float("nan")), ValueError),
        (lambda: ResponsesRequest(model="m", input="x", include="a"), TypeError),
        (lambda: ResponsesRequest(model="m", input="x", metadata={"a": 1}), TypeError),  # type: ignore[dict-item]
        (lambda: MessagesRequest(model="m", messages=[]), ValueError),
        (lambda: MessagesRequest(model="m", messages="hi"), TypeError),  # type: ignore[arg-type]
        (lambda: MessagesRequest(model="m", messages=[{}], max_tokens=True), TypeError),
        (lambda: MessagesRequest(model="m", messages=[{}], thinking="on"), TypeError),  # type: ignore[arg-type]
        (lambda: MessagesRequest(model="m", messages=[{}], stop_sequences="END"), TypeError),
        (lambda: MessagesRequest(model="m", messages=[{}], system=["x"]), TypeError),  # type: ignore[list-item]
        (lambda: MessagesRequest(model="m", messages=[{}], stream="yes"), TypeError),  # type: ignore[arg-type]
    ],
)
def test_request_objects_validate(build: Callable[[], object], error: type[Exception]) -> None:
    """Wrong types are TypeError, empty or non-finite values ValueError."""
    with pytest.raises(error):
        build()


# -- stream_request retries ---------------------------------------------------------------


def _counting(replies: list[int]) -> Callable[[str], list[bytes | float]]:
    """A reply that records each connection and drops it after the request
    (the request was sent: the server may have started work)."""

    def reply(key: str) -> list[bytes | float]:
        del key
        replies.append(1)
        return []

    return reply


@pytest.mark.parametrize(("method", "sent"), [("POST", 1), ("GET", 3)])
def test_stream_request_resends_only_what_may_be_resent(method: str, sent: int) -> None:
    """A POST whose connection broke after sending is not sent again; a GET is retried."""
    replies: list[int] = []
    policy = RetryPolicy(max_retries=2, base_delay=0, max_delay=0)
    with (
        HostileServer(_counting(replies)) as server,
        OpenRouter(KEY, base_url=server.base_url, retry_policy=policy) as client,
        pytest.raises(APIConnectionError),
    ):
        client.stream_request(method, "some/stream")
    assert len(replies) == sent


def test_responses_snapshot_grows_while_streaming(server: MockOpenRouter) -> None:
    """Mid-stream, output_text and snapshot() hold the text so far; result() too."""
    with (
        OpenRouter(KEY, base_url=server.base_url) as client,
        client.responses.stream(responses_request()) as stream,
    ):
        seen = ""
        for event in stream:
            if event.type == "response.output_text.delta":
                seen += event.raw["delta"]
                assert stream.output_text == seen
                assert stream.snapshot().output_text == seen
                assert stream.result().output_text == seen
    assert seen == STORY_TEXT
    assert stream.result().output_text == STORY_TEXT
