"""OpenRouter and AsyncOpenRouter against the mock server, over every transport.

Every test body is written once as a coroutine against :class:`Api` and run
by each :class:`Transport`: the blocking client (default sockets, or an
``httpx.Client``) behind a facade whose coroutines never suspend, and the
async client under asyncio and under trio (default transport, or an
``httpx.AsyncClient``). The stream scenario table lives in
``test_client_streams.py`` and the retry policy in ``test_retries.py``; both
use the harness defined here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import threading
import time
import traceback
import urllib.parse
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterator,
)
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

import httpx
import pytest
import trio

import sseproto
from openrouter import (
    REDACTED,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncOpenRouter,
    AuthenticationError,
    BadRequestError,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Completion,
    CompletionChunk,
    CompletionRequest,
    Credits,
    Generation,
    InvalidAPIKeyError,
    InvalidBaseURLError,
    KeyInfo,
    Message,
    MissingAPIKeyError,
    ModelEndpoints,
    ModelList,
    ModelsQuery,
    NotFoundError,
    OpenRouter,
    OpenRouterError,
    Outcome,
    RateLimit,
    RateLimitError,
    RetryPolicy,
)
from openrouter.testing import STORY_TEXT, MockOpenRouter, RecordedRequest
from openrouter.testing._scenarios import BUILTIN_SCENARIOS
from sseproto.adapters import Timeouts

T = TypeVar("T")
ChunkT_co = TypeVar("ChunkT_co", covariant=True)
ResultT_co = TypeVar("ResultT_co", covariant=True)

#: The key every client here sends unless a test says otherwise. It has
#: neither the ``sk-or-`` shape nor a ``Bearer`` prefix where it is echoed,
#: so only the client's own redaction can hide it.
KEY = "test-key-0123456789"

#: Limits for calls that should never wait: generous, but a broken client
#: fails instead of hanging.
SAFE = Timeouts(connect=10.0, read=10.0)

#: How long a test waits for the server to notice a closed connection.
RELEASE_WAIT = 10.0

USER_AGENT = f"sseproto-openrouter/{sseproto.__version__}"


# -- what a test body sees ------------------------------------------------------------


class StreamLike(Protocol[ChunkT_co, ResultT_co]):
    """What both stream faces offer a test body (async iteration)."""

    @property
    def outcome(self) -> Outcome: ...

    @property
    def generation_id(self) -> str | None: ...

    @property
    def rate_limit(self) -> RateLimit | None: ...

    @property
    def heartbeats(self) -> int: ...

    def result(self) -> ResultT_co: ...

    @property
    def error(self) -> OpenRouterError | None: ...

    async def recv(self) -> ChunkT_co | None: ...

    def __aiter__(self) -> AsyncIterator[ChunkT_co]: ...

    async def aclose(self) -> None: ...


class Api(Protocol):
    """The methods of AsyncOpenRouter; the blocking client is wrapped to match."""

    async def chat_completion(self, request: ChatCompletionRequest) -> ChatCompletion: ...

    def chat_completion_stream(
        self,
        request: ChatCompletionRequest,
        *,
        on_heartbeat: Callable[[str], None] | None = None,
    ) -> Awaitable[StreamLike[ChatCompletionChunk, ChatCompletion]]: ...

    async def completion(self, request: CompletionRequest) -> Completion: ...

    def completion_stream(
        self,
        request: CompletionRequest,
        *,
        on_heartbeat: Callable[[str], None] | None = None,
    ) -> Awaitable[StreamLike[CompletionChunk, Completion]]: ...

    async def list_models(self, query: ModelsQuery | None = None) -> ModelList: ...

    async def list_endpoints(self, author: str, slug: str) -> ModelEndpoints: ...

    async def get_credits(self) -> Credits: ...

    async def get_generation(self, generation_id: str) -> Generation: ...

    async def get_key(self) -> KeyInfo: ...


class _SyncStreamFace:
    """A blocking stream seen through async iteration; never suspends."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    @property
    def outcome(self) -> Outcome:
        outcome: Outcome = self._stream.outcome
        return outcome

    @property
    def generation_id(self) -> str | None:
        value: str | None = self._stream.generation_id
        return value

    @property
    def rate_limit(self) -> RateLimit | None:
        value: RateLimit | None = self._stream.rate_limit
        return value

    @property
    def heartbeats(self) -> int:
        value: int = self._stream.heartbeats
        return value

    def result(self) -> Any:
        return self._stream.result()

    @property
    def error(self) -> OpenRouterError | None:
        value: OpenRouterError | None = self._stream.error
        return value

    async def recv(self) -> Any:
        return self._stream.recv()

    def __aiter__(self) -> _SyncStreamFace:
        return self

    async def __anext__(self) -> Any:
        try:
            return next(self._stream)
        except StopIteration:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        self._stream.close()


class SyncApi:
    """:class:`OpenRouter` behind coroutines that return at once."""

    def __init__(self, client: OpenRouter) -> None:
        self.client = client

    async def chat_completion(self, request: ChatCompletionRequest) -> ChatCompletion:
        return self.client.chat_completion(request)

    async def chat_completion_stream(
        self,
        request: ChatCompletionRequest,
        *,
        on_heartbeat: Callable[[str], None] | None = None,
    ) -> StreamLike[ChatCompletionChunk, ChatCompletion]:
        stream = self.client.chat_completion_stream(request, on_heartbeat=on_heartbeat)
        return _SyncStreamFace(stream)

    async def completion(self, request: CompletionRequest) -> Completion:
        return self.client.completion(request)

    async def completion_stream(
        self,
        request: CompletionRequest,
        *,
        on_heartbeat: Callable[[str], None] | None = None,
    ) -> StreamLike[CompletionChunk, Completion]:
        stream = self.client.completion_stream(request, on_heartbeat=on_heartbeat)
        return _SyncStreamFace(stream)

    async def list_models(self, query: ModelsQuery | None = None) -> ModelList:
        return self.client.list_models(query)

    async def list_endpoints(self, author: str, slug: str) -> ModelEndpoints:
        return self.client.list_endpoints(author, slug)

    async def get_credits(self) -> Credits:
        return self.client.get_credits()

    async def get_generation(self, generation_id: str) -> Generation:
        return self.client.get_generation(generation_id)

    async def get_key(self) -> KeyInfo:
        return self.client.get_key()


@dataclass(frozen=True)
class Runtime:
    """The runtime a body runs in: its name and its sleep."""

    name: Literal["sync", "asyncio", "trio"]
    sleep: Callable[[float], Awaitable[None]]


async def blocking_sleep(seconds: float) -> None:
    time.sleep(seconds)


Body = Callable[[Api, Runtime], Coroutine[Any, Any, T]]


def drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (a body over the blocking client)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        result: T = stop.value
        return result
    coro.close()
    raise RuntimeError("a body over the blocking client must not suspend")


@dataclass(frozen=True)
class Transport:
    """One client and runtime: blocking or async (asyncio, trio), default or httpx."""

    name: str
    runtime: Literal["sync", "asyncio", "trio"]
    httpx: bool

    def __repr__(self) -> str:
        return self.name

    def run(
        self,
        base_url: str,
        body: Body[T],
        *,
        api_key: str | None = KEY,
        sleeps: list[float] | None = None,
        timeout: float | Timeouts | None = SAFE,
        **options: Any,
    ) -> T:
        """Build the client (``options`` go to its constructor), run ``body``, close.

        ``sleeps`` replaces the client's retry sleep with one that records
        the delays and returns at once.
        """
        if self.runtime == "sync":
            return self._run_sync(base_url, body, api_key, sleeps, timeout, options)
        return self._run_async(base_url, body, api_key, sleeps, timeout, options)

    def _run_sync(
        self,
        base_url: str,
        body: Body[T],
        api_key: str | None,
        sleeps: list[float] | None,
        timeout: float | Timeouts | None,
        options: dict[str, Any],
    ) -> T:
        with contextlib.ExitStack() as stack:
            transport = stack.enter_context(httpx.Client()) if self.httpx else None
            client = OpenRouter(
                api_key, base_url=base_url, transport=transport, timeout=timeout, **options
            )
            stack.enter_context(client)
            if sleeps is not None:
                client._transport._sleep = sleeps.append
            return drive(body(SyncApi(client), Runtime("sync", blocking_sleep)))
        raise AssertionError("unreachable")  # pragma: no cover - ExitStack re-raises

    def _run_async(
        self,
        base_url: str,
        body: Body[T],
        api_key: str | None,
        sleeps: list[float] | None,
        timeout: float | Timeouts | None,
        options: dict[str, Any],
    ) -> T:
        sleep: Callable[[float], Awaitable[None]] = (
            trio.sleep if self.runtime == "trio" else asyncio.sleep
        )

        async def record(seconds: float) -> None:
            assert sleeps is not None
            sleeps.append(seconds)

        async def main() -> T:
            async with contextlib.AsyncExitStack() as stack:
                transport = (
                    await stack.enter_async_context(httpx.AsyncClient()) if self.httpx else None
                )
                client = AsyncOpenRouter(
                    api_key, base_url=base_url, transport=transport, timeout=timeout, **options
                )
                await stack.enter_async_context(client)
                if sleeps is not None:
                    client._transport._sleep = record
                return await body(client, Runtime(self.runtime, sleep))
            raise AssertionError("unreachable")  # pragma: no cover - the stack re-raises

        if self.runtime == "trio":
            result: T = trio.run(main)
            return result
        return asyncio.run(main())


TRANSPORTS = [
    Transport("sync-sockets", "sync", httpx=False),
    Transport("sync-httpx", "sync", httpx=True),
    Transport("asyncio-sockets", "asyncio", httpx=False),
    Transport("trio-sockets", "trio", httpx=False),
    Transport("asyncio-httpx", "asyncio", httpx=True),
    Transport("trio-httpx", "trio", httpx=True),
]

#: Parametrize a test over every transport: ``@EVERY_TRANSPORT``.
EVERY_TRANSPORT = pytest.mark.parametrize("transport", TRANSPORTS, ids=lambda t: t.name)


# -- the mock server --------------------------------------------------------------------


@pytest.fixture(scope="module")
def mock() -> Iterator[MockOpenRouter]:
    """One mock server for the module (stalls give up after 30 s at most)."""
    with MockOpenRouter(stall_seconds=30.0) as running:
        yield running


@pytest.fixture
def server(mock: MockOpenRouter) -> MockOpenRouter:
    """The module's mock server with no recorded requests."""
    mock.clear_requests()
    return mock


def connections(server: MockOpenRouter) -> frozenset[threading.Thread]:
    """The server's open connections, one thread each.

    MockOpenRouter has no public view of its connections, so this reads its
    private table (under its lock).
    """
    with server._lock:
        return frozenset(server._connections)


async def released(
    server: MockOpenRouter, before: frozenset[threading.Thread], runtime: Runtime
) -> bool:
    """Wait until every connection opened since ``before`` is closed on the server side.

    Polls with the runtime's sleep: an async transport may close its socket
    in a later turn of the loop, so the loop must keep running.
    """
    deadline = time.monotonic() + RELEASE_WAIT
    while connections(server) - before:
        if time.monotonic() > deadline:
            return False
        await runtime.sleep(0.01)
    return True


def chat(model: str = "mock/story", **fields: Any) -> ChatCompletionRequest:
    """A one-message chat request for ``model``."""
    return ChatCompletionRequest(model=model, messages=[Message.user("Tell me a story.")], **fields)


def legacy(model: str = "mock/story", **fields: Any) -> CompletionRequest:
    """A legacy completion request for ``model``."""
    return CompletionRequest(model=model, prompt="Once upon a time", **fields)


def only(requests: list[RecordedRequest]) -> RecordedRequest:
    """The one recorded request."""
    assert len(requests) == 1, [(r.method, r.path) for r in requests]
    return requests[0]


def leaks(exc: BaseException, secret: str) -> list[str]:
    """Where ``secret`` shows in ``exc``: its str, repr, traceback (causes
    included) and the attributes an error carries."""
    found = []
    text = "".join(traceback.format_exception(exc))
    for where, value in (
        ("str", str(exc)),
        ("repr", repr(exc)),
        ("traceback", text),
        ("body", getattr(exc, "body", b"").decode("utf-8", "replace")),
        ("headers", repr(getattr(exc, "headers", ()))),
        ("metadata", repr(getattr(exc, "metadata", None))),
        ("message", repr(getattr(exc, "message", None))),
    ):
        if secret in value:
            found.append(where)
    return found


# -- non-streaming calls over every transport ----------------------------------------


@EVERY_TRANSPORT
def test_chat_completion_returns_the_story(transport: Transport, server: MockOpenRouter) -> None:
    """chat_completion returns the whole story with usage and cost."""

    async def body(api: Api, rt: Runtime) -> ChatCompletion:
        return await api.chat_completion(chat())

    reply = transport.run(server.base_url, body)
    assert reply.choices[0].message.content == STORY_TEXT
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None
    assert isinstance(reply.usage.cost, float)
    assert reply.usage.cost > 0
    assert reply.id is not None
    assert reply.id.startswith("gen-")
    sent = only(server.requests)
    assert (sent.method, sent.path) == ("POST", "/api/v1/chat/completions")
    assert sent.json == chat().to_dict()
    assert "stream" not in sent.json


@EVERY_TRANSPORT
def test_completion_returns_the_story(transport: Transport, server: MockOpenRouter) -> None:
    """completion (legacy) returns the story as choices[0].text."""

    async def body(api: Api, rt: Runtime) -> Completion:
        return await api.completion(legacy())

    reply = transport.run(server.base_url, body)
    assert reply.choices[0].text == STORY_TEXT
    assert reply.usage is not None
    assert reply.usage.cost is not None
    sent = only(server.requests)
    assert (sent.method, sent.path) == ("POST", "/api/v1/completions")
    assert sent.json == legacy().to_dict()


@EVERY_TRANSPORT
def test_completion_stream_returns_the_story(transport: Transport, server: MockOpenRouter) -> None:
    """completion_stream yields the story as text pieces and completes."""

    async def body(api: Api, rt: Runtime) -> tuple[str, Outcome, str | None]:
        stream = await api.completion_stream(legacy())
        async with contextlib.aclosing(stream):
            pieces = [chunk.choices[0].text or "" async for chunk in stream]
            return "".join(pieces), stream.outcome, stream.result().choices[0].text

    text, outcome, merged = transport.run(server.base_url, body)
    assert (text, outcome, merged) == (STORY_TEXT, "completed", STORY_TEXT)
    sent = only(server.requests)
    assert sent.path == "/api/v1/completions"
    assert sent.json == {**legacy().to_dict(), "stream": True}


@EVERY_TRANSPORT
def test_list_models_and_filters(transport: Transport, server: MockOpenRouter) -> None:
    """list_models lists the catalogue; ModelsQuery filters go on the query string."""

    async def body(api: Api, rt: Runtime) -> list[list[str | None]]:
        everything = await api.list_models()
        tools = await api.list_models(ModelsQuery(supported_parameters=["tools", "tool_choice"]))
        science = await api.list_models(ModelsQuery(category="science"))
        return [[m.id for m in found.data] for found in (everything, tools, science)]

    everything, tools, science = transport.run(server.base_url, body)
    assert "mock/story" in everything
    assert len(everything) == len(BUILTIN_SCENARIOS)
    assert tools == ["mock/tools"]
    assert science == ["mock/reasoning"]
    queries = [(r.method, r.path, dict(r.query)) for r in server.requests]
    assert queries == [
        ("GET", "/api/v1/models", {}),
        ("GET", "/api/v1/models", {"supported_parameters": "tools,tool_choice"}),
        ("GET", "/api/v1/models", {"category": "science"}),
    ]


@EVERY_TRANSPORT
def test_list_endpoints(transport: Transport, server: MockOpenRouter) -> None:
    """list_endpoints returns the providers of one model."""

    async def body(api: Api, rt: Runtime) -> ModelEndpoints:
        return await api.list_endpoints("mock", "tools")

    found = transport.run(server.base_url, body)
    assert found.id == "mock/tools"
    assert [e.provider_name for e in found.endpoints] == ["Mock"]
    assert found.endpoints[0].supported_parameters is not None
    assert "tools" in found.endpoints[0].supported_parameters
    assert only(server.requests).path == "/api/v1/models/mock/tools/endpoints"


@EVERY_TRANSPORT
def test_list_endpoints_of_an_unknown_model(transport: Transport, server: MockOpenRouter) -> None:
    """An unknown model's endpoints are a 404 NotFoundError, not retried."""

    async def body(api: Api, rt: Runtime) -> OpenRouterError:
        with pytest.raises(OpenRouterError) as caught:
            await api.list_endpoints("mock", "nope")
        return caught.value

    error = transport.run(server.base_url, body)
    assert type(error).__name__ == "NotFoundError"
    assert getattr(error, "status", None) == 404
    assert len(server.requests) == 1


@EVERY_TRANSPORT
def test_get_credits_and_key(transport: Transport, server: MockOpenRouter) -> None:
    """get_credits and get_key read the account's credits and the key's limits."""

    async def body(api: Api, rt: Runtime) -> tuple[Credits, KeyInfo]:
        return await api.get_credits(), await api.get_key()

    credits, key = transport.run(server.base_url, body)
    assert credits.total_credits == 100.0
    assert credits.total_usage is not None
    assert key.limit == 100.0
    assert key.rate_limit is not None
    assert key.rate_limit.requests == 1000
    assert key.label is not None
    assert KEY not in key.label  # the mock shows a shortened label
    assert [r.path for r in server.requests] == ["/api/v1/credits", "/api/v1/key"]


@EVERY_TRANSPORT
def test_get_generation_of_a_stream(transport: Transport, server: MockOpenRouter) -> None:
    """get_generation(stream.generation_id) returns that stream's statistics."""

    async def body(api: Api, rt: Runtime) -> tuple[str | None, ChatCompletion, Generation]:
        stream = await api.chat_completion_stream(chat())
        async with contextlib.aclosing(stream):
            async for _ in stream:
                pass
        assert stream.generation_id is not None
        return stream.generation_id, stream.result(), await api.get_generation(stream.generation_id)

    generation_id, result, stats = transport.run(server.base_url, body)
    assert stats.id == generation_id == result.id
    assert stats.streamed is True
    assert stats.finish_reason == "stop"
    assert stats.model == "mock/story"
    assert result.usage is not None
    assert stats.total_cost == result.usage.cost
    assert server.requests[-1].query == {"id": generation_id}


# -- requests on the wire -------------------------------------------------------------


@EVERY_TRANSPORT
def test_headers_on_the_wire(transport: Transport, server: MockOpenRouter) -> None:
    """Every request carries the key, the attribution headers and the User-Agent."""
    title = "Café Ünïcode — 日本"

    async def body(api: Api, rt: Runtime) -> None:
        await api.chat_completion(chat())
        stream = await api.chat_completion_stream(chat())
        await stream.aclose()
        await api.get_credits()

    transport.run(server.base_url, body, site_url="https://example.com/app", site_title=title)
    post, streamed, get = server.requests
    for sent in (post, streamed, get):
        headers = sent.headers
        assert headers["authorization"] == f"Bearer {KEY}"
        assert headers["http-referer"] == "https://example.com/app"
        assert headers["x-openrouter-title"] == headers["x-title"]
        assert headers["x-title"].isascii()
        assert urllib.parse.unquote(headers["x-title"]) == title
        assert headers["user-agent"] == USER_AGENT
    assert post.headers["content-type"] == "application/json"
    assert streamed.headers["content-type"] == "application/json"
    assert streamed.headers["accept"] == "text/event-stream"
    assert get.method == "GET"
    assert get.body == b""


@EVERY_TRANSPORT
def test_stream_body_is_the_request_plus_stream_true(
    transport: Transport, server: MockOpenRouter
) -> None:
    """A stream's JSON body is request.to_dict() with "stream": true added."""
    request = chat(temperature=0.5, max_tokens=64, user="someone", extra={"x_custom": [1, 2]})

    async def body(api: Api, rt: Runtime) -> None:
        stream = await api.chat_completion_stream(request)
        await stream.aclose()

    transport.run(server.base_url, body)
    sent = only(server.requests)
    assert sent.json == {**request.to_dict(), "stream": True}
    assert sent.json["stream"] is True


def test_stream_flag_set_by_caller_is_kept(server: MockOpenRouter) -> None:
    """A request built with stream=True goes to chat_completion_stream unchanged."""
    request = chat(stream=True)
    client = OpenRouter(KEY, base_url=server.base_url, timeout=SAFE)
    with client, client.chat_completion_stream(request) as stream:
        assert "".join(c.choices[0].delta.content or "" for c in stream) == STORY_TEXT
    assert only(server.requests).json == request.to_dict()


@pytest.mark.parametrize("kind", ["chat", "legacy"])
def test_non_stream_call_refuses_a_stream_request(kind: str, server: MockOpenRouter) -> None:
    """chat_completion/completion with stream=True raise ValueError naming the stream method."""
    with OpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client:
        if kind == "chat":
            with pytest.raises(ValueError, match=r"chat_completion_stream\(\)"):
                client.chat_completion(chat(stream=True))
        else:
            with pytest.raises(ValueError, match=r"completion_stream\(\)"):
                client.completion(legacy(stream=True))
    assert server.requests == []


def test_async_non_stream_call_refuses_a_stream_request(server: MockOpenRouter) -> None:
    """AsyncOpenRouter.chat_completion refuses stream=True the same way."""

    async def main() -> None:
        async with AsyncOpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client:
            with pytest.raises(ValueError, match=r"chat_completion_stream\(\)"):
                await client.chat_completion(chat(stream=True))

    trio.run(main)
    assert server.requests == []


def test_base_url_trailing_slash(server: MockOpenRouter) -> None:
    """A trailing slash on base_url does not double the slash in request paths."""
    with OpenRouter(KEY, base_url=server.base_url + "/", timeout=SAFE) as client:
        assert client.base_url == server.base_url
        client.get_credits()
    assert only(server.requests).path == "/api/v1/credits"


def test_environment_variables(server: MockOpenRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    """OPENROUTER_API_KEY and OPENROUTER_BASE_URL are used when no argument is given."""
    monkeypatch.setenv("OPENROUTER_API_KEY", "env-key-abcdef")
    monkeypatch.setenv("OPENROUTER_BASE_URL", server.base_url + "/")
    with OpenRouter(timeout=SAFE) as client:
        assert client.base_url == server.base_url
        client.get_credits()

    async def main() -> None:
        async with AsyncOpenRouter(timeout=SAFE) as client:
            await client.get_key()

    asyncio.run(main())
    assert [r.headers["authorization"] for r in server.requests] == ["Bearer env-key-abcdef"] * 2


def test_arguments_win_over_environment(
    server: MockOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """api_key= and base_url= take precedence over the environment."""
    monkeypatch.setenv("OPENROUTER_API_KEY", "env-key-abcdef")
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:9/nowhere")
    with OpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client:
        client.get_credits()
    assert only(server.requests).headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("cls", [OpenRouter, AsyncOpenRouter])
def test_missing_api_key(
    cls: type[OpenRouter | AsyncOpenRouter], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No key argument and no OPENROUTER_API_KEY raises MissingAPIKeyError (a ValueError)."""
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="OPENROUTER_API_KEY") as caught:
        cls()
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, OpenRouterError)
    monkeypatch.setenv("OPENROUTER_API_KEY", "")
    with pytest.raises(MissingAPIKeyError):
        cls()


BAD_KEYS = [
    "sk-or-v1-abc\x0bdef",
    "sk-or-v1-abc\x0cdef",
    "sk-or-v1-abcdef ",
    "sk-or-v1-abc\x01def",
    "sk-or-v1-abc\x7fdef",
    "sk-or-v1-abc\x1b[31mdef",
    "sk-or-v1-abcdef\n",
    "sk-or-v1-abcdéf",
    "sk-or-v1-abc\tdef",
]


@pytest.mark.parametrize("cls", [OpenRouter, AsyncOpenRouter])
@pytest.mark.parametrize("key", BAD_KEYS)
def test_malformed_key_is_refused_without_showing_it(
    cls: type[OpenRouter | AsyncOpenRouter], key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key no header can carry is an InvalidAPIKeyError (a ValueError) that does not show it."""
    with pytest.raises(InvalidAPIKeyError) as caught:
        cls(key)
    assert isinstance(caught.value, ValueError)
    text = "".join(traceback.format_exception(caught.value))
    assert "abc" not in text
    assert "character" in str(caught.value)
    monkeypatch.setenv("OPENROUTER_API_KEY", key)
    with pytest.raises(InvalidAPIKeyError):
        cls()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("127.0.0.1:8181/api/v1", "no scheme"),
        ("localhost:8181/api/v1", "no scheme"),
        ("ftp://x", "scheme 'ftp'"),
        ("http://", "no host"),
        ("http://[::1", "not a valid URL"),
        ("http://h:99999/api", "not a valid URL"),
        ("http://h/api?x=1", "query or fragment"),
        ("http://h/a pi", "whitespace"),
    ],
)
@pytest.mark.parametrize("cls", [OpenRouter, AsyncOpenRouter])
def test_malformed_base_url_is_refused(
    cls: type[OpenRouter | AsyncOpenRouter], url: str, problem: str
) -> None:
    """A base URL that is not http(s)://host/... is an InvalidBaseURLError naming the problem."""
    with pytest.raises(InvalidBaseURLError, match=re.escape(problem)) as caught:
        cls(KEY, base_url=url)
    assert isinstance(caught.value, ValueError)


def test_good_base_urls_are_kept() -> None:
    """http(s) URLs (any case, a port, an IPv6 host) are accepted; a trailing slash is dropped."""
    for url in ("http://127.0.0.1:8181/api/v1/", "HTTPS://openrouter.ai/api/v1", "http://[::1]:80"):
        with OpenRouter(KEY, base_url=url) as client:
            assert client.base_url == url.rstrip("/")


@pytest.mark.parametrize(("author", "slug"), [("..", ".."), ("mock", ".."), (".", "tools")])
def test_list_endpoints_refuses_dot_segments(
    server: MockOpenRouter, author: str, slug: str
) -> None:
    """list_endpoints refuses "." and ".." (they would change the path) and sends nothing."""
    client = OpenRouter(KEY, base_url=server.base_url)
    with client, pytest.raises(ValueError, match="dot segment"):
        client.list_endpoints(author, slug)
    assert server.requests == []


def test_list_endpoints_encodes_path_characters(server: MockOpenRouter) -> None:
    """Characters that could end a path segment are percent-encoded."""
    client = OpenRouter(KEY, base_url=server.base_url, max_retries=0)
    with client, pytest.raises(OpenRouterError):
        client.list_endpoints("a?b#c", "%2e%2e")
    assert only(server.requests).path == "/api/v1/models/a%3Fb%23c/%252e%252e/endpoints"


def test_get_generation_encodes_the_id(server: MockOpenRouter) -> None:
    """The generation ID is one query value, however it is written."""
    client = OpenRouter(KEY, base_url=server.base_url, max_retries=0)
    with client, pytest.raises(OpenRouterError):
        client.get_generation("../x&id=y#z")
    assert dict(only(server.requests).query) == {"id": "../x&id=y#z"}
    assert only(server.requests).path == "/api/v1/generation"


def test_default_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without base_url or OPENROUTER_BASE_URL the client talks to openrouter.ai."""
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    with OpenRouter(KEY) as client:
        assert client.base_url == "https://openrouter.ai/api/v1"


def test_header_injection_in_site_title_is_encoded(server: MockOpenRouter) -> None:
    """A line break in site_title/site_url is percent-encoded: no extra header, no failure."""
    title = "My App\r\nX-Injected: 1"
    with OpenRouter(
        KEY,
        base_url=server.base_url,
        site_title=title,
        site_url="https://a.example/\n",
        timeout=SAFE,
    ) as client:
        client.get_credits()
    headers = only(server.requests).headers
    assert "x-injected" not in headers
    assert urllib.parse.unquote(headers["x-title"]) == title
    assert urllib.parse.unquote(headers["http-referer"]) == "https://a.example/\n"


# -- the key never shows ----------------------------------------------------------------


@pytest.mark.parametrize("cls", [OpenRouter, AsyncOpenRouter])
def test_repr_hides_the_key(cls: type[OpenRouter | AsyncOpenRouter]) -> None:
    """repr(client) names the base URL, never the key."""
    client = cls(KEY, base_url="http://127.0.0.1:9/api/v1")
    assert KEY not in repr(client)
    assert "http://127.0.0.1:9/api/v1" in repr(client)


@pytest.fixture(scope="module")
def strict_mock() -> Iterator[MockOpenRouter]:
    """A mock server that accepts only the key "the-right-key"."""
    with MockOpenRouter(api_key="the-right-key") as running:
        yield running


@EVERY_TRANSPORT
def test_wrong_key_is_a_401_without_the_key(
    transport: Transport, strict_mock: MockOpenRouter
) -> None:
    """A 401 raises AuthenticationError, not retried, and the key shows nowhere in it."""

    async def body(api: Api, rt: Runtime) -> list[BaseException]:
        errors: list[BaseException] = []
        for call in (
            api.get_key(),
            api.chat_completion(chat()),
            api.chat_completion_stream(chat()),
        ):
            with pytest.raises(AuthenticationError) as caught:
                await call
            errors.append(caught.value)
        return errors

    strict_mock.clear_requests()
    errors = transport.run(strict_mock.base_url, body)
    for error in errors:
        assert isinstance(error, AuthenticationError)
        assert error.status == 401
        assert leaks(error, KEY) == []
    assert len(strict_mock.requests) == 3


class EchoServer:
    """Answers every request with 400, echoing the request head (the key
    included) in the JSON error body and in a response header."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            with sock:
                sock.settimeout(5)
                head = b""
                with contextlib.suppress(OSError):
                    while b"\r\n\r\n" not in head:
                        data = sock.recv(65536)
                        if not data:
                            break
                        head += data
                text = head.partition(b"\r\n\r\n")[0].decode("latin-1")
                auth = next(
                    (
                        line
                        for line in text.split("\r\n")
                        if line.lower().startswith("authorization")
                    ),
                    "",
                )
                payload = {
                    "error": {
                        "code": 400,
                        "message": f"bad request; you sent {auth}",
                        "metadata": {"raw": text, "headers": {"authorization": auth}},
                    }
                }
                body = json.dumps(payload).encode()
                reply = (
                    b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                    b"X-Echo: " + auth.encode("latin-1") + b"\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                    b"Connection: close\r\n\r\n" + body
                )
                with contextlib.suppress(OSError):
                    sock.sendall(reply)


@EVERY_TRANSPORT
@pytest.mark.parametrize("key", [KEY, "sk-or-v1-" + "0f" * 32])
def test_echoed_key_is_redacted(transport: Transport, key: str) -> None:
    """An error that echoes the request's headers shows the key nowhere, causes included."""

    async def body(api: Api, rt: Runtime) -> list[BaseException]:
        errors: list[BaseException] = []
        for call in (
            api.get_key(),
            api.chat_completion(chat()),
            api.chat_completion_stream(chat()),
        ):
            with pytest.raises(BadRequestError) as caught:
                await call
            errors.append(caught.value)
        return errors

    with EchoServer() as echo:
        errors = transport.run(echo.base_url, body, api_key=key)
    for error in errors:
        assert isinstance(error, BadRequestError)
        assert leaks(error, key) == []
        assert REDACTED in error.message
        assert error.header("x-echo") == f"Authorization: Bearer {REDACTED}"


def test_connection_error_hides_the_key() -> None:
    """A connection failure's error does not show the key either."""
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        port = reserved.getsockname()[1]
        client = OpenRouter(KEY, base_url=f"http://127.0.0.1:{port}/api/v1", max_retries=0)
        with client, pytest.raises(APIConnectionError) as caught:
            client.get_key()
    assert leaks(caught.value, KEY) == []


def test_timeout_argument_forms() -> None:
    """timeout= takes seconds or Timeouts and refuses anything else."""
    OpenRouter(KEY, timeout=5).close()
    OpenRouter(KEY, timeout=Timeouts(connect=1.0, read=2.0)).close()
    with pytest.raises(TypeError, match="timeout"):
        OpenRouter(KEY, timeout="5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timeout"):
        OpenRouter(KEY, timeout=True)


def test_transport_of_the_wrong_kind() -> None:
    """An async httpx client given to the blocking client (and the reverse) is refused."""
    nonblocking = httpx.AsyncClient()
    with pytest.raises(TypeError, match=r"httpx\.Client"):
        OpenRouter(KEY, transport=nonblocking)
    asyncio.run(nonblocking.aclose())
    with httpx.Client() as blocking, pytest.raises(TypeError, match=r"httpx\.AsyncClient"):
        AsyncOpenRouter(KEY, transport=blocking)


def test_max_retries_shorthand() -> None:
    """max_retries= overrides the retry policy's max_retries and keeps the rest."""
    policy = RetryPolicy(max_retries=5, base_delay=1.0)
    client = OpenRouter(KEY, retry_policy=policy, max_retries=0)
    with client:
        assert client._policy == RetryPolicy(max_retries=0, base_delay=1.0, random=policy.random)


# -- deprecated names ----------------------------------------------------------------------


def test_on_keepalive_still_works_and_warns(server: MockOpenRouter) -> None:
    """on_keepalive= (the former name of on_heartbeat=) gets every heartbeat, with a
    DeprecationWarning; given both, on_heartbeat wins."""
    request = chat("mock/keepalive?chunks=2&delay=0")
    with OpenRouter("sk-or-test", base_url=server.base_url) as client:
        seen: list[str] = []
        with pytest.warns(DeprecationWarning, match="on_heartbeat"):
            stream = client.chat_completion_stream(request, on_keepalive=seen.append)
        with stream:
            list(stream)
        assert seen == ["OPENROUTER PROCESSING"] * stream.heartbeats
        assert stream.heartbeats > 0
        old: list[str] = []
        new: list[str] = []
        with pytest.warns(DeprecationWarning, match="on_heartbeat"):
            stream = client.chat_completion_stream(
                request, on_heartbeat=new.append, on_keepalive=old.append
            )
        with stream:
            list(stream)
        assert (old, len(new)) == ([], stream.heartbeats)


# -- per-call options ----------------------------------------------------------------------


def test_per_call_headers_reach_the_server_and_replace_the_clients(
    server: MockOpenRouter,
) -> None:
    """headers= adds headers to one call and replaces the client's of the same name,
    given as a mapping or as pairs; the next call has the client's again."""
    with OpenRouter("sk-or-test", base_url=server.base_url, site_title="App") as client:
        client.get_key(headers={"X-Trace": "1", "x-title": "Other"})
        client.chat_completion(chat(), headers=[("X-Trace", "2")])
        client.get_key()
    first, second, third = server.requests
    assert (first.headers["x-trace"], first.headers["x-title"]) == ("1", "Other")
    assert (second.headers["x-trace"], second.headers["x-title"]) == ("2", "App")
    assert "x-trace" not in third.headers
    assert third.headers["x-title"] == "App"


@pytest.mark.parametrize("bad", [{"Authorization": "Bearer sk-other"}, [("authorization", "x")]])
def test_per_call_headers_cannot_set_the_key(server: MockOpenRouter, bad: Any) -> None:
    """A per-call Authorization is refused before any request: only the client's key
    is redacted from errors."""
    with OpenRouter("sk-or-test", base_url=server.base_url) as client:
        with pytest.raises(ValueError, match="api_key"):
            client.get_key(headers=bad)
        with pytest.raises(TypeError, match="pair"):
            client.get_key(headers=[("X-A", 1)])  # type: ignore[list-item]
    assert server.requests == []


def test_per_call_max_retries(server: MockOpenRouter) -> None:
    """max_retries= replaces the client's for one call: 0 sends the request once."""
    with OpenRouter("sk-or-test", base_url=server.base_url, max_retries=3) as client:
        client._transport._sleep = lambda seconds: None
        with pytest.raises(RateLimitError):
            client.chat_completion(chat("mock/429?retry_after=0"), max_retries=0)
        assert len(server.requests) == 1
        server.clear_requests()
        with pytest.raises(RateLimitError):
            client.chat_completion(chat("mock/429?retry_after=0"), max_retries=1)
        assert len(server.requests) == 2


def test_per_call_timeout_on_a_stream(server: MockOpenRouter) -> None:
    """timeout= bounds one call: a stalled stream times out after that call's read limit."""

    async def main() -> float:
        async with AsyncOpenRouter("sk-or-test", base_url=server.base_url) as client:
            stream = await client.chat_completion_stream(
                chat("mock/stall"), timeout=Timeouts(connect=5, read=0.3)
            )
            started = time.monotonic()
            async with stream:
                with pytest.raises(APITimeoutError):
                    _ = [chunk async for chunk in stream]
            assert stream.outcome == "truncated"
            return time.monotonic() - started

    assert asyncio.run(main()) < 3


# -- request(): any operation -------------------------------------------------------------


def test_request_returns_the_decoded_json_of_a_typed_path(server: MockOpenRouter) -> None:
    """request() sends the same request as the typed method and returns its JSON."""
    with OpenRouter("sk-or-test", base_url=server.base_url) as client:
        raw = client.request("GET", "key")
        assert raw["data"] == client.get_key().raw  # the typed method unwraps "data"
        models = client.request("get", "/models", params={"category": "programming"})
    first, second, third = server.requests
    assert (first.method, first.path) == ("GET", "/api/v1/key")
    assert first.headers == second.headers
    assert (third.method, third.path, dict(third.query)) == (
        "GET",
        "/api/v1/models",
        {"category": "programming"},
    )
    assert isinstance(models["data"], list)


def test_request_on_an_unmodelled_path(server: MockOpenRouter) -> None:
    """An operation the client does not type goes out with its JSON body, and an
    error answer raises the same classes as the typed methods."""
    with OpenRouter("sk-or-test", base_url=server.base_url, max_retries=0) as client:
        with pytest.raises(NotFoundError):
            client.request("GET", "guardrails")
        with pytest.raises(APIStatusError) as caught:
            client.request("POST", "guardrails", json={"name": "strict", "limit": 5})
    assert caught.value.status == 404  # the mock serves no guardrails
    _, sent = server.requests
    assert (sent.method, sent.path) == ("POST", "/api/v1/guardrails")
    assert sent.json == {"name": "strict", "limit": 5}
    assert sent.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    ["", "/", "https://evil.example/keys", "//evil.example/keys", "models/../../x", "a?b=1", "a#b"],
)
def test_request_refuses_a_path_outside_the_api(server: MockOpenRouter, path: str) -> None:
    """A path that could leave the API root (and take the key with it) is refused
    before any request."""
    with OpenRouter("sk-or-test", base_url=server.base_url) as client:
        with pytest.raises(ValueError, match="path"):
            client.request("GET", path)
        with pytest.raises(ValueError, match="method"):
            client.request("GE T", "models")
    assert server.requests == []


def test_async_request(server: MockOpenRouter) -> None:
    """AsyncOpenRouter.request() as the blocking one, under asyncio and trio."""

    async def main() -> Any:
        async with AsyncOpenRouter("sk-or-test", base_url=server.base_url) as client:
            return await client.request("GET", "credits")

    for raw in (asyncio.run(main()), trio.run(main)):
        assert "total_credits" in raw["data"]
