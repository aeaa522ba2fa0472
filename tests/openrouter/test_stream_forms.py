"""The OpenRouter streams: every way to open them, cancel from another thread,
async heartbeat callbacks, ``to_message()``, and a transport under the wrong
async library.

Against the mock server. The async client's ``*_stream()`` methods return
the stream object (no coroutine): ``async with``, ``await``, ``async with
await`` and a bare ``async for`` all work, and none leaves a coroutine never
awaited (``filterwarnings = error``).
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
import pytest
import trio

from openrouter import (
    AsyncChatCompletionStream,
    AsyncOpenRouter,
    ChatCompletionChunk,
    Message,
    OpenRouter,
)
from openrouter.testing import STORY_TEXT, MockOpenRouter, story_pieces
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.trio import Client as TrioClient

from .test_client import KEY, SAFE, chat, mock, server

__all__ = ["mock", "server"]  # fixtures, found by name

#: The bound asserted on the wake-up latency after close() (the target is 0.1 s).
LIMIT = 0.5

Form = Callable[[AsyncOpenRouter], Awaitable[list[ChatCompletionChunk]]]


def text(chunks: list[ChatCompletionChunk]) -> str:
    return "".join(choice.delta.content or "" for chunk in chunks for choice in chunk.choices)


# -- opening ------------------------------------------------------------------------------------


async def with_async_with(client: AsyncOpenRouter) -> list[ChatCompletionChunk]:
    async with client.chat_completion_stream(chat()) as stream:
        chunks = [chunk async for chunk in stream]
    assert stream.outcome == "completed"
    return chunks


async def with_await(client: AsyncOpenRouter) -> list[ChatCompletionChunk]:
    stream = await client.chat_completion_stream(chat())
    assert stream.status == 200  # open: the head arrived
    try:
        return [chunk async for chunk in stream]
    finally:
        await stream.aclose()


async def with_async_with_await(client: AsyncOpenRouter) -> list[ChatCompletionChunk]:
    async with await client.chat_completion_stream(chat()) as stream:
        return [chunk async for chunk in stream]


async def with_async_for(client: AsyncOpenRouter) -> list[ChatCompletionChunk]:
    return [chunk async for chunk in client.chat_completion_stream(chat())]


FORMS = [with_async_with, with_await, with_async_with_await, with_async_for]


def run_asyncio(main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(main())


RUNNERS = [pytest.param(run_asyncio, id="asyncio"), pytest.param(trio.run, id="trio")]


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.__name__)
@pytest.mark.parametrize("use_httpx", [False, True], ids=["sockets", "httpx"])
@pytest.mark.parametrize("run", RUNNERS)
def test_async_stream_forms(
    server: MockOpenRouter,
    run: Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any],
    use_httpx: bool,
    form: Form,
) -> None:
    """Every form of opening an async chat stream reads the whole story, one request."""

    async def main() -> list[ChatCompletionChunk]:
        if use_httpx:
            async with (
                httpx.AsyncClient() as http,
                AsyncOpenRouter(KEY, base_url=server.base_url, transport=http) as client,
            ):
                return await form(client)
        async with AsyncOpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client:
            return await form(client)

    assert text(run(main)) == STORY_TEXT
    assert len(server.requests) == 1


def test_async_stream_methods_are_not_coroutine_functions() -> None:
    """The async client's *_stream methods return the stream, not a coroutine."""
    assert not inspect.iscoroutinefunction(AsyncOpenRouter.chat_completion_stream)
    assert not inspect.iscoroutinefunction(AsyncOpenRouter.completion_stream)


def test_async_stream_sends_nothing_until_used(server: MockOpenRouter) -> None:
    """A stream never awaited, entered or iterated sends nothing and warns of nothing."""

    async def main() -> None:
        async with AsyncOpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client:
            stream = client.chat_completion_stream(chat())
            assert isinstance(stream, AsyncChatCompletionStream)
            with pytest.raises(RuntimeError, match="not open yet"):
                _ = stream.headers
            await asyncio.sleep(0.05)
            await stream.aclose()
            assert stream.outcome == "cancelled"

    asyncio.run(main())
    assert server.requests == []


def test_sync_stream_is_open_when_returned(server: MockOpenRouter) -> None:
    """The blocking client sends the request when *_stream() is called."""
    with OpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client:
        stream = client.chat_completion_stream(chat())
        assert len(server.requests) == 1
        with stream:
            assert stream.status == 200
            assert text(list(stream)) == STORY_TEXT


# -- cancel from another thread -----------------------------------------------------------------


@pytest.mark.parametrize("use_httpx", [False, True], ids=["sockets", "httpx"])
def test_close_from_another_thread_cancels_the_stream(
    server: MockOpenRouter, use_httpx: bool
) -> None:
    """close() from another thread wakes `for chunk in stream` at once; it ends
    without an error and the outcome is "cancelled"."""
    with httpx.Client() as http:
        transport = http if use_httpx else None
        with OpenRouter(KEY, base_url=server.base_url, transport=transport, timeout=SAFE) as client:
            stream = client.chat_completion_stream(chat("mock/stall"))
            got: list[ChatCompletionChunk] = []
            errors: list[BaseException] = []
            third = threading.Event()
            ended: list[float] = []

            def consume() -> None:
                try:
                    for chunk in stream:
                        got.append(chunk)
                        if len(got) == 3:
                            third.set()
                except BaseException as exc:  # reported below
                    errors.append(exc)
                ended.append(time.monotonic())

            consumer = threading.Thread(target=consume, daemon=True)
            consumer.start()
            assert third.wait(10)
            time.sleep(0.2)  # the consumer now waits for a chunk that never comes
            started = time.monotonic()
            stream.close()
            consumer.join(10)
            assert not consumer.is_alive(), "close() did not wake the consumer"
            latency = ended[0] - started
            print(f"woken after {latency * 1000:.1f} ms")
            assert errors == []
            assert stream.outcome == "cancelled"
            assert text(got) == "".join(story_pieces(20)[:3])
            assert latency < LIMIT
            assert stream.recv() is None


# -- heartbeat callbacks ------------------------------------------------------------------------


@pytest.mark.parametrize("run", RUNNERS)
def test_async_on_heartbeat_is_awaited(
    server: MockOpenRouter, run: Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any]
) -> None:
    """An async def given as on_heartbeat runs to its end for each heartbeat."""
    seen: list[str] = []

    async def on_heartbeat(text: str) -> None:
        await (trio.sleep(0) if run is trio.run else asyncio.sleep(0))
        seen.append(text)

    async def main() -> int:
        async with (
            AsyncOpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client,
            client.chat_completion_stream(
                chat("mock/keepalive"), on_heartbeat=on_heartbeat
            ) as stream,
        ):
            async for _ in stream:
                pass
            return stream.heartbeats

    heartbeats = run(main)
    assert heartbeats == 8
    assert len(seen) == 8
    assert all(text.startswith("OPENROUTER PROCESSING") for text in seen)


def test_async_on_keepalive_is_awaited_too(server: MockOpenRouter) -> None:
    """The deprecated on_keepalive= takes an async def as well."""
    seen: list[str] = []

    async def on_keepalive(text: str) -> None:
        await asyncio.sleep(0)
        seen.append(text)

    async def main() -> None:
        async with AsyncOpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client:
            with pytest.warns(DeprecationWarning, match="on_heartbeat"):
                stream = client.chat_completion_stream(
                    chat("mock/keepalive"), on_keepalive=on_keepalive
                )
            async with stream:
                async for _ in stream:
                    pass

    asyncio.run(main())
    assert len(seen) == 8


class AsyncCallable:
    async def __call__(self, text: str) -> None:
        del text


async def async_function(text: str) -> None:
    del text


@pytest.mark.parametrize("callback", [async_function, AsyncCallable()], ids=["def", "__call__"])
@pytest.mark.parametrize("method", ["chat_completion_stream", "completion_stream"])
def test_sync_client_refuses_an_async_on_heartbeat(
    server: MockOpenRouter, callback: Any, method: str
) -> None:
    """The blocking client refuses an async callback at the call, before sending."""
    from openrouter import CompletionRequest  # noqa: PLC0415 - only here

    request: Any = (
        chat()
        if method == "chat_completion_stream"
        else CompletionRequest(model="mock/story", prompt="Hi")
    )
    with (
        OpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client,
        pytest.raises(TypeError, match="on_heartbeat is an async function"),
    ):
        getattr(client, method)(request, on_heartbeat=callback)
    assert server.requests == []


# -- to_message ---------------------------------------------------------------------------------


def test_sync_stream_to_message(server: MockOpenRouter) -> None:
    """ChatCompletionStream.to_message() is the merged answer as the next turn's message."""
    with (
        OpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client,
        client.chat_completion_stream(chat()) as stream,
    ):
        for _ in stream:
            pass
        message = stream.to_message()
    assert isinstance(message, Message)
    assert message.to_dict() == {"role": "assistant", "content": STORY_TEXT}
    assert message.to_dict()["content"] == stream.result().choices[0].message.content


def test_async_stream_to_message(server: MockOpenRouter) -> None:
    """AsyncChatCompletionStream.to_message(), as the blocking one."""

    async def main() -> Any:
        async with (
            AsyncOpenRouter(KEY, base_url=server.base_url, timeout=SAFE) as client,
            client.chat_completion_stream(chat()) as stream,
        ):
            async for _ in stream:
                pass
            return stream.to_message().to_dict()

    assert asyncio.run(main()) == {"role": "assistant", "content": STORY_TEXT}


# -- the transport's async library --------------------------------------------------------------


#: A base URL nothing listens on: a request sent there would fail differently.
NEVER_SERVED = "http://127.0.0.1:9/api/v1"


async def _stream_and_call(client: AsyncOpenRouter) -> list[str]:
    messages = []
    with pytest.raises(RuntimeError) as opened:
        await client.chat_completion_stream(chat())
    messages.append(str(opened.value))
    with pytest.raises(RuntimeError) as called:
        await client.chat_completion(chat())
    messages.append(str(called.value))
    return messages


def test_trio_transport_under_asyncio() -> None:
    """A trio transport used under asyncio fails with an error naming both libraries."""

    async def main() -> list[str]:
        async with AsyncOpenRouter(KEY, base_url=NEVER_SERVED, transport=TrioClient()) as client:
            return await _stream_and_call(client)

    assert asyncio.run(main()) == ["this client runs under trio, not asyncio"] * 2


def test_asyncio_transport_under_trio() -> None:
    """An asyncio transport used under trio fails with an error naming both libraries."""

    async def main() -> list[str]:
        async with AsyncOpenRouter(KEY, base_url=NEVER_SERVED, transport=AsyncioClient()) as client:
            return await _stream_and_call(client)

    assert trio.run(main) == ["this client runs under asyncio, not trio"] * 2
