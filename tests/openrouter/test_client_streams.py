"""Streams: every mock scenario over every transport, and closing streams early.

The table below states once what each ``mock/*`` scenario must look like to
a user (the outcome, the error and its partial text, the headers read right
after the stream opened, keepalives, the merged result); each row runs over
the six transports of ``test_client.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import string
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import trio

from openrouter import (
    APITimeoutError,
    AsyncChatCompletionStream,
    AsyncOpenRouter,
    BadGatewayError,
    ChatCompletion,
    ChatCompletionChunk,
    OpenRouter,
    OpenRouterError,
    Outcome,
    RateLimit,
    RateLimitError,
    ServiceUnavailableError,
    StreamError,
    StreamTimeoutError,
    StreamTruncatedError,
)
from openrouter.testing import STORY_TEXT, MockOpenRouter, story_pieces
from openrouter.testing._scenarios import TOOL_CALLS, UTF8_PIECES
from sseproto.adapters import Timeouts

from .test_client import (
    EVERY_TRANSPORT,
    KEY,
    SAFE,
    TRANSPORTS,
    Api,
    Runtime,
    Transport,
    blocking_sleep,
    chat,
    connections,
    drive,
    mock,
    released,
    server,
)

__all__ = ["mock", "server"]  # fixtures, found by name

#: The read limit of the stall scenario: short, the stall never ends by itself.
STALL_READ = Timeouts(connect=10.0, read=0.3)


# -- what a user sees ------------------------------------------------------------------


@dataclass
class Seen:
    """One stream as its user saw it."""

    #: Whether chat_completion_stream returned (the response was 200 text/event-stream).
    opened: bool = False
    #: Read right after the stream opened, before iterating.
    generation_id: str | None = None
    rate_limit: RateLimit | None = None
    chunks: list[ChatCompletionChunk] = field(default_factory=list)
    error: OpenRouterError | None = None
    outcome: Outcome | None = None
    heartbeats: int = 0
    keepalives: list[str] = field(default_factory=list)
    result: ChatCompletion | None = None
    #: Whether the server saw the connection close (asked only when a case says so).
    released: bool | None = None

    @property
    def content(self) -> str:
        """The content deltas joined."""
        return "".join(
            choice.delta.content or "" for chunk in self.chunks for choice in chunk.choices
        )

    @property
    def text(self) -> str:
        """The merged content (result) or, after an error, the error's partial text."""
        if isinstance(self.error, StreamError | StreamTruncatedError):
            return self.error.partial_text
        if self.result is None or not self.result.choices:
            return ""
        return self.result.choices[0].message.content or ""


def _no_check(seen: Seen) -> None:
    del seen


@dataclass(frozen=True)
class Case:
    """What one scenario must look like."""

    model: str
    #: ``None``: the stream never opens (the error is raised by chat_completion_stream).
    outcome: str | None
    error: type[OpenRouterError] | None = None
    #: The merged content, or the error's partial text.
    text: str = ""
    heartbeats: int = 0
    timeout: Timeouts = SAFE
    #: Wait for the server to see the connection closed once the stream is closed.
    released: bool = False
    check: Callable[[Seen], None] = _no_check

    def __repr__(self) -> str:
        return self.model


def _usage_cost(seen: Seen) -> None:
    assert seen.result is not None
    usage = seen.result.usage
    assert usage is not None
    assert isinstance(usage.cost, float)
    assert usage.cost > 0


def _story(seen: Seen) -> None:
    assert [c.choices[0].delta.content for c in seen.chunks[:20]] == story_pieces(20)
    assert seen.result is not None
    assert seen.result.choices[0].finish_reason == "stop"
    _usage_cost(seen)


def _keepalive(seen: Seen) -> None:
    assert seen.keepalives == ["OPENROUTER PROCESSING"] * 8


def _reasoning(seen: Seen) -> None:
    assert seen.result is not None
    message = seen.result.choices[0].message
    streamed = "".join(c.choices[0].delta.reasoning or "" for c in seen.chunks if c.choices)
    assert message.reasoning == streamed
    assert message.reasoning
    assert message.reasoning_details is not None
    (detail,) = message.reasoning_details
    assert (detail.type, detail.id, detail.format) == (
        "reasoning.text",
        "rs_mock_0001",
        "anthropic-claude-v1",
    )
    assert detail.text == message.reasoning
    assert detail.signature


def _tools(seen: Seen) -> None:
    assert seen.result is not None
    choice = seen.result.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    merged = [
        (call.id, call.function.name, json.loads(call.function.arguments or ""))
        for call in choice.message.tool_calls
    ]
    assert merged == [(i, name, json.loads(args)) for i, name, args in TOOL_CALLS]


def _usage(seen: Seen) -> None:
    _usage_cost(seen)
    assert seen.result is not None
    usage = seen.result.usage
    assert usage is not None
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 4
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 2


def _inband(code: int | str) -> Callable[[Seen], None]:
    def check(seen: Seen) -> None:
        error = seen.error
        assert isinstance(error, StreamError)
        assert error.code == code
        assert error.error_type == "provider_error"
        assert error.message == "Provider disconnected unexpectedly"
        assert error.status == 200
        assert error.generation_id == seen.generation_id

    return check


def _stalled(seen: Seen) -> None:
    # What arrived before the silence was delivered, and the error keeps it.
    assert seen.content == "".join(story_pieces(20)[:3])
    assert isinstance(seen.error, StreamTimeoutError)
    assert isinstance(seen.error, APITimeoutError)
    assert seen.error.partial_text == seen.content


def _rate_limited(seen: Seen) -> None:
    error = seen.error
    assert isinstance(error, RateLimitError)
    assert error.status == 429
    assert error.retry_after == 2.0
    assert error.header("x-ratelimit-remaining") == "0"


def _unavailable(seen: Seen) -> None:
    error = seen.error
    assert isinstance(error, ServiceUnavailableError)
    assert error.status == 503
    assert error.code is None
    assert error.retry_after == 5.0
    assert error.availability is not None
    assert error.availability["status"] == "unavailable"


def _error_body_200(seen: Seen) -> None:
    error = seen.error
    assert isinstance(error, BadGatewayError)
    assert (error.status, error.code) == (200, 502)
    assert error.message == "Provider returned error"
    assert error.provider_name == "Mock"


def _html_502(seen: Seen) -> None:
    error = seen.error
    assert isinstance(error, BadGatewayError)
    assert (error.status, error.code, error.message) == (502, None, "502 Bad Gateway")


#: What ``mock/big`` sends in its one content event: 4 MiB of letters, digits and spaces.
BIG_UNIT = string.ascii_letters + string.digits + " "
BIG_TEXT = (BIG_UNIT * (4 * 1024 * 1024 // len(BIG_UNIT) + 1))[: 4 * 1024 * 1024]


def _big(seen: Seen) -> None:
    # One event, one chunk: the whole text in a single delta.
    assert seen.chunks[0].choices[0].delta.content == BIG_TEXT


STORY_5 = "".join(story_pieces(5))

CASES = [
    Case("mock/story", "completed", text=STORY_TEXT, check=_story),
    Case("mock/keepalive", "completed", text=STORY_5, heartbeats=8, check=_keepalive),
    Case(
        "mock/reasoning",
        "completed",
        text="A lighthouse keeps ships off the rocks at night.",
        check=_reasoning,
    ),
    Case("mock/tools", "completed", text="", check=_tools),
    Case("mock/usage", "completed", text="".join(story_pieces(3)), check=_usage),
    Case(
        "mock/error-int",
        "errored",
        StreamError,
        text="".join(story_pieces(20)[:3]),
        check=_inband(502),
    ),
    Case(
        "mock/error-str",
        "errored",
        StreamError,
        text="".join(story_pieces(20)[:3]),
        check=_inband("server_error"),
    ),
    Case("mock/truncated", "truncated", StreamTruncatedError, text="".join(story_pieces(20)[:5])),
    Case(
        "mock/stall",
        "truncated",
        StreamTimeoutError,
        text="".join(story_pieces(20)[:3]),
        timeout=STALL_READ,
        released=True,
        check=_stalled,
    ),
    Case("mock/drip?drip=0", "completed", text="".join(story_pieces(3))),
    Case("mock/429", None, RateLimitError, check=_rate_limited),
    Case("mock/availability", None, ServiceUnavailableError, check=_unavailable),
    Case("mock/error-body-200", None, BadGatewayError, check=_error_body_200),
    Case("mock/html-502", None, BadGatewayError, check=_html_502),
    Case("mock/big", "completed", text=BIG_TEXT, check=_big),
    Case("mock/cr", "completed", text=STORY_5, heartbeats=1),
    Case("mock/utf8-split", "completed", text="".join(UTF8_PIECES)),
]


async def observe(api: Api, rt: Runtime, server: MockOpenRouter, case: Case) -> Seen:
    """Open the case's stream, read it to the end, close it; report what was seen."""
    seen = Seen()
    before = connections(server)
    try:
        stream = await api.chat_completion_stream(
            chat(case.model), on_heartbeat=seen.keepalives.append
        )
    except OpenRouterError as exc:
        seen.error = exc
        return seen
    seen.opened = True
    seen.generation_id = stream.generation_id
    seen.rate_limit = stream.rate_limit
    async with contextlib.aclosing(stream):
        try:
            async for chunk in stream:
                seen.chunks.append(chunk)
        except OpenRouterError as exc:
            seen.error = exc
        seen.outcome = stream.outcome
        seen.heartbeats = stream.heartbeats
        seen.result = stream.result()
    if case.released:
        seen.released = await released(server, before, rt)
    return seen


@EVERY_TRANSPORT
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.model.partition("?")[0])
def test_scenario(transport: Transport, case: Case, server: MockOpenRouter) -> None:
    """Each mock scenario looks the same through every transport."""

    async def body(api: Api, rt: Runtime) -> Seen:
        return await observe(api, rt, server, case)

    seen = transport.run(server.base_url, body, timeout=case.timeout, max_retries=0)
    if case.error is None:
        assert seen.error is None, repr(seen.error)
    else:
        assert type(seen.error) is case.error, repr(seen.error)
    assert seen.opened is (case.outcome is not None)
    assert seen.outcome == case.outcome
    assert len(server.requests) == 1
    if seen.opened:
        assert seen.text == case.text
        assert seen.heartbeats == case.heartbeats
        assert len(seen.keepalives) == case.heartbeats
        assert seen.generation_id is not None
        assert seen.generation_id.startswith("gen-")
        assert seen.result is not None
        if seen.chunks:
            assert seen.result.id == seen.generation_id
        assert seen.rate_limit is not None
        assert set(seen.rate_limit.raw) == {"limit", "remaining", "reset"}
        assert seen.rate_limit.limit == 1000
        assert seen.rate_limit.raw["limit"] == "1000"
    if case.released:
        assert seen.released is True
    case.check(seen)


@pytest.fixture(scope="module")
def short_stall_mock() -> Iterator[MockOpenRouter]:
    """A mock server whose stalls end (by closing the connection) after 2 s."""
    with MockOpenRouter(stall_seconds=2.0) as running:
        yield running


@pytest.mark.parametrize("transport", TRANSPORTS, ids=[t.name for t in TRANSPORTS])
def test_stall_hits_the_event_limit(transport: Transport, short_stall_mock: MockOpenRouter) -> None:
    """An idle stream under an event limit (and no read limit) raises APITimeoutError."""
    idle = Timeouts(connect=10.0, read=None, event=0.3)

    async def body(api: Api, rt: Runtime) -> Seen:
        case = Case("mock/stall", "truncated", released=True)
        return await observe(api, rt, short_stall_mock, case)

    seen = transport.run(short_stall_mock.base_url, body, timeout=idle, max_retries=0)
    # Without the event limit the stall would end by the server closing the
    # connection, a StreamTruncatedError.
    assert isinstance(seen.error, APITimeoutError), repr(seen.error)
    assert "EventTimeout" in str(seen.error)
    assert (seen.outcome, seen.released) == ("truncated", True)
    assert seen.text == "".join(story_pieces(20)[:3])


@pytest.mark.parametrize("transport", TRANSPORTS, ids=[t.name for t in TRANSPORTS])
def test_a_timed_out_stream_stays_failed(
    transport: Transport, short_stall_mock: MockOpenRouter
) -> None:
    """After StreamTimeoutError, recv() raises it again rather than returning None."""
    idle = Timeouts(connect=10.0, read=None, event=0.3)

    async def body(api: Api, rt: Runtime) -> tuple[bool, str]:
        stream = await api.chat_completion_stream(chat("mock/stall"))
        async with contextlib.aclosing(stream):
            with pytest.raises(StreamTimeoutError) as first:
                async for _ in stream:
                    pass
            with pytest.raises(StreamTimeoutError) as again:
                await stream.recv()
            return again.value is first.value, stream.outcome

    outcome = transport.run(short_stall_mock.base_url, body, timeout=idle, max_retries=0)
    assert outcome == (True, "truncated")


@EVERY_TRANSPORT
@pytest.mark.parametrize(
    ("model", "error", "outcome"),
    [
        ("mock/error-int", StreamError, "errored"),
        ("mock/truncated", StreamTruncatedError, "truncated"),
    ],
)
def test_a_failed_stream_stays_failed(
    transport: Transport,
    model: str,
    error: type[OpenRouterError],
    outcome: Outcome,
    server: MockOpenRouter,
) -> None:
    """Reading a stream again after its error raises the same error (a loop
    that logs and reads on never ends as if the stream had completed)."""

    async def body(api: Api, rt: Runtime) -> tuple[list[bool], Outcome, bool]:
        stream = await api.chat_completion_stream(chat(model))
        async with contextlib.aclosing(stream):
            with pytest.raises(error) as first:
                async for _ in stream:
                    pass
            again = []
            for _ in range(2):
                with pytest.raises(error) as later:
                    await stream.recv()
                again.append(later.value is first.value)
            with pytest.raises(error):
                async for _ in stream:
                    pass
            return again, stream.outcome, stream.error is first.value

    assert transport.run(server.base_url, body) == ([True, True], outcome, True)


@EVERY_TRANSPORT
def test_rate_limited_stream_is_retried(transport: Transport, server: MockOpenRouter) -> None:
    """With retries, a 429 stream is sent max_retries + 1 times, waiting Retry-After each time."""
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> Seen:
        return await observe(api, rt, server, Case("mock/429", None))

    seen = transport.run(server.base_url, body, sleeps=sleeps, max_retries=2)
    assert isinstance(seen.error, RateLimitError)
    assert len(server.requests) == 3
    assert sleeps == [2.0, 2.0]


# -- closing early -------------------------------------------------------------------


@contextlib.contextmanager
def blocking_client(server: MockOpenRouter, *, use_httpx: bool) -> Iterator[OpenRouter]:
    """A blocking client over default sockets or an httpx.Client."""
    with contextlib.ExitStack() as stack:
        http = stack.enter_context(httpx.Client()) if use_httpx else None
        yield stack.enter_context(
            OpenRouter(KEY, base_url=server.base_url, transport=http, timeout=SAFE)
        )


def wait_released(server: MockOpenRouter, before: frozenset[threading.Thread]) -> bool:
    """:func:`released` for blocking code."""
    return drive(released(server, before, Runtime("sync", blocking_sleep)))


FIRST_PIECE = story_pieces(20)[0]


@pytest.mark.parametrize("use_httpx", [False, True], ids=["sockets", "httpx"])
@pytest.mark.parametrize("how", ["with", "close", "break"])
def test_blocking_stream_left_early(how: str, use_httpx: bool, server: MockOpenRouter) -> None:
    """Leaving a blocking stream after its first chunk cancels it and closes the connection."""
    before = connections(server)
    with blocking_client(server, use_httpx=use_httpx) as client:
        stream = client.chat_completion_stream(chat("mock/stall"))
        opened_as = stream.outcome
        if how == "with":
            with stream:
                first = next(stream)
        elif how == "close":
            first = next(stream)
            stream.close()
        else:
            with stream:
                for first in stream:  # noqa: B007 - the first chunk is the point
                    break
        assert first.choices[0].delta.content == FIRST_PIECE
        assert (opened_as, stream.outcome) == ("open", "cancelled")
        assert wait_released(server, before)
        stream.close()  # idempotent
        assert stream.outcome == "cancelled"
    gc.collect()


@pytest.mark.parametrize("use_httpx", [False, True], ids=["sockets", "httpx"])
def test_blocking_stream_closed_before_reading(use_httpx: bool, server: MockOpenRouter) -> None:
    """Closing a stream right after it opened cancels it; the headers stay readable."""
    before = connections(server)
    with blocking_client(server, use_httpx=use_httpx) as client:
        stream = client.chat_completion_stream(chat("mock/stall"))
        stream.close()
        assert stream.outcome == "cancelled"
        assert stream.generation_id is not None
        assert stream.result().choices == []
        assert list(stream) == []
        assert wait_released(server, before)
    gc.collect()


@pytest.mark.parametrize("use_httpx", [False, True], ids=["sockets", "httpx"])
def test_closing_a_completed_stream_keeps_its_outcome(
    use_httpx: bool, server: MockOpenRouter
) -> None:
    """close() after [DONE] leaves the outcome "completed"; recv() then returns None."""
    with blocking_client(server, use_httpx=use_httpx) as client:
        with client.chat_completion_stream(chat()) as stream:
            pieces = []
            while (chunk := stream.recv()) is not None:
                pieces.append(chunk.choices[0].delta.content or "")
            assert stream.recv() is None
        assert "".join(pieces) == STORY_TEXT
        assert stream.outcome == "completed"


ASYNC_TRANSPORTS = [t for t in TRANSPORTS if t.runtime != "sync"]


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS, ids=lambda t: t.name)
@pytest.mark.parametrize("how", ["async-with", "aclose", "break"])
def test_async_stream_left_early(how: str, transport: Transport, server: MockOpenRouter) -> None:
    """Leaving an async stream after its first chunk cancels it and closes the connection."""

    async def body(api: Api, rt: Runtime) -> tuple[str | None, Outcome, bool]:
        before = connections(server)
        stream = await api.chat_completion_stream(chat("mock/stall"))
        assert isinstance(stream, AsyncChatCompletionStream)
        if how == "async-with":
            async with stream:
                first = await stream.__anext__()
        elif how == "aclose":
            first = await stream.__anext__()
            await stream.aclose()
        else:
            async with stream:
                async for first in stream:  # noqa: B007 - the first chunk is the point
                    break
        return first.choices[0].delta.content, stream.outcome, await released(server, before, rt)

    assert transport.run(server.base_url, body) == (FIRST_PIECE, "cancelled", True)
    gc.collect()


@pytest.mark.parametrize(
    "transport", [t for t in ASYNC_TRANSPORTS if t.runtime == "asyncio"], ids=lambda t: t.name
)
def test_asyncio_task_cancelled_mid_stream(transport: Transport, server: MockOpenRouter) -> None:
    """Cancelling the asyncio task that reads a stream cancels the stream and its connection."""

    async def body(api: Api, rt: Runtime) -> tuple[Outcome, int, bool]:
        before = connections(server)
        got_first = asyncio.Event()
        streams: list[AsyncChatCompletionStream] = []
        received: list[ChatCompletionChunk] = []

        async def read() -> None:
            stream = await api.chat_completion_stream(chat("mock/stall"))
            assert isinstance(stream, AsyncChatCompletionStream)
            streams.append(stream)
            async with stream:
                async for chunk in stream:
                    received.append(chunk)
                    got_first.set()

        task = asyncio.create_task(read())
        await got_first.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return streams[0].outcome, len(received), await released(server, before, rt)

    outcome, count, gone = transport.run(server.base_url, body)
    assert outcome == "cancelled"
    assert 1 <= count <= 3
    assert gone
    gc.collect()


@pytest.mark.parametrize(
    "transport", [t for t in ASYNC_TRANSPORTS if t.runtime == "trio"], ids=lambda t: t.name
)
@pytest.mark.parametrize("where", ["after-first-chunk", "while-waiting"])
def test_trio_cancel_scope_mid_stream(
    where: str, transport: Transport, server: MockOpenRouter
) -> None:
    """A trio cancel scope around a stream cancels it and closes its connection."""

    async def body(api: Api, rt: Runtime) -> tuple[Outcome, int, bool, bool]:
        before = connections(server)
        received: list[ChatCompletionChunk] = []
        with trio.CancelScope() as scope:
            stream = await api.chat_completion_stream(chat("mock/stall"))
            assert isinstance(stream, AsyncChatCompletionStream)
            async with stream:
                async for chunk in stream:
                    received.append(chunk)
                    if where == "after-first-chunk":
                        scope.cancel()
                    elif len(received) == 3:
                        # The stall follows: cancel while the read waits.
                        scope.deadline = trio.current_time() + 0.05
        gone = await released(server, before, rt)
        return stream.outcome, len(received), scope.cancelled_caught, gone

    outcome, count, caught, gone = transport.run(server.base_url, body)
    assert outcome == "cancelled"
    assert caught
    assert 1 <= count <= 3
    assert gone
    gc.collect()


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS, ids=lambda t: t.name)
def test_async_stream_read_to_the_end_without_with(
    transport: Transport, server: MockOpenRouter
) -> None:
    """An async stream read to [DONE] completes; aclose() afterwards keeps "completed"."""

    async def body(api: Api, rt: Runtime) -> tuple[str, Outcome]:
        stream = await api.chat_completion_stream(chat())
        assert isinstance(stream, AsyncChatCompletionStream)
        pieces = []
        while (chunk := await stream.recv()) is not None:
            pieces.append(chunk.choices[0].delta.content or "")
        await stream.aclose()
        return "".join(pieces), stream.outcome

    assert transport.run(server.base_url, body) == (STORY_TEXT, "completed")


def test_async_client_under_both_runtimes_in_turn(server: MockOpenRouter) -> None:
    """One AsyncOpenRouter class serves asyncio and trio runs, each with its own client."""

    async def main() -> str | None:
        async with AsyncOpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client:
            reply = await client.chat_completion(chat())
            return reply.choices[0].message.content

    assert asyncio.run(main()) == STORY_TEXT
    assert trio.run(main) == STORY_TEXT


# -- a stream's result is the non-streamed response ------------------------------------


@EVERY_TRANSPORT
@pytest.mark.parametrize(
    "model",
    [
        "mock/story",
        "mock/reasoning",
        "mock/tools",
        "mock/usage",
        "mock/web-search",
        "mock/audio",
        "mock/reasoning-encrypted",
    ],
)
def test_stream_result_is_the_non_streamed_response(
    transport: Transport, model: str, server: MockOpenRouter
) -> None:
    """result() equals what chat_completion() returns for the same generation."""

    async def body(api: Api, rt: Runtime) -> tuple[dict[str, Any], dict[str, Any]]:
        whole = await api.chat_completion(chat(model))
        stream = await api.chat_completion_stream(chat(model))
        async with contextlib.aclosing(stream):
            async for _ in stream:
                pass
            return stream.result().raw, whole.raw

    streamed, whole = transport.run(server.base_url, body)
    # Each request is its own generation (its own id and creation second:
    # the two may straddle a second); a key that the non-streamed body sets
    # to null and no chunk carries reads the same.
    for key in ("id", "created"):
        del streamed[key], whole[key]
    assert without_nulls(streamed) == without_nulls(whole)


def without_nulls(value: Any) -> Any:
    """``value`` with the null members of its objects left out, at any depth."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


@EVERY_TRANSPORT
def test_inband_error_keeps_the_billed_usage(transport: Transport, server: MockOpenRouter) -> None:
    """The error chunk is folded in: partial holds its usage, chunks holds it."""

    async def body(api: Api, rt: Runtime) -> tuple[StreamError, Any]:
        stream = await api.chat_completion_stream(chat("mock/error-usage"))
        async with contextlib.aclosing(stream):
            with pytest.raises(StreamError) as caught:
                async for _ in stream:
                    pass
            return caught.value, stream.result()

    error, result = transport.run(server.base_url, body)
    assert error.partial is not None
    assert error.partial.usage is not None
    assert error.partial.usage.completion_tokens == 3
    assert error.partial.raw == result.raw
    assert result.choices[0].finish_reason == "error"
    (carrier,) = error.chunks
    assert carrier.raw["usage"] == error.partial.raw["usage"]
    assert error.partial.raw["error"] == carrier.raw["error"]


def test_keep_chunks_puts_every_chunk_on_the_error(server: MockOpenRouter) -> None:
    """keep_chunks=True: the error carries every chunk before it and its own."""
    received: list[ChatCompletionChunk] = []

    def read(stream: Iterator[ChatCompletionChunk]) -> None:
        received.extend(stream)

    with OpenRouter(KEY, base_url=server.base_url, max_retries=0) as client:
        kept = client.chat_completion_stream(chat("mock/error-int"), keep_chunks=True)
        with kept, pytest.raises(StreamError) as caught:
            read(kept)
        first = list(received)
        default = client.chat_completion_stream(chat("mock/error-int"))
        with default, pytest.raises(StreamError) as alone:
            read(default)
    *before, carrier = caught.value.chunks
    assert before == first
    assert len(first) == 3
    assert carrier.raw["error"]["code"] == 502
    (only,) = alone.value.chunks
    assert only.raw["error"] == carrier.raw["error"]
