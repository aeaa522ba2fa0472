"""Type-checked usage of the inference namespaces: mypy --strict must accept this file as it is.

It is checked, not run, by the test suite (tests/test_typing.py): what the
namespaces return on each face, what their streams yield and ``result()``
gives, and that a typed request or a mapping is accepted.
"""

from __future__ import annotations

from typing import assert_type

from openrouter import (
    AnthropicMessage,
    AsyncMessageStream,
    AsyncOpenRouter,
    AsyncResponseStream,
    ChatCompletion,
    ChatCompletionStream,
    JSONEventStream,
    MessageEvent,
    MessagesRequest,
    MessageStream,
    OpenRouter,
    Response,
    ResponseEvent,
    ResponsesRequest,
    ResponseStream,
)


def blocking(client: OpenRouter) -> None:
    request = ResponsesRequest(model="openai/gpt-5-mini", input="Hi")
    assert_type(client.responses.create(request), Response)
    assert_type(client.responses.create({"model": "m", "input": "Hi"}), Response)
    stream = client.responses.stream(request, timeout=30.0)
    assert_type(stream, ResponseStream)
    for event in stream:
        assert_type(event, ResponseEvent)
    assert_type(stream.result(), Response)
    assert_type(stream.output_text, str)
    messages = MessagesRequest(model="m", messages=[{"role": "user", "content": "Hi"}])
    assert_type(client.messages.create(messages), AnthropicMessage)
    with client.messages.stream(messages, keep_chunks=True) as ms:
        assert_type(ms, MessageStream)
        assert_type(next(ms), MessageEvent)
        assert_type(ms.result(), AnthropicMessage)
    assert_type(client.chat.create({"model": "m", "messages": []}), ChatCompletion)
    assert_type(client.chat.stream({"model": "m", "messages": []}), ChatCompletionStream)
    raw = client.stream_request("POST", "responses", json={"model": "m"})
    assert_type(raw, JSONEventStream)
    client.responses.create(request, retries=1)  # type: ignore[call-arg]


async def awaited(client: AsyncOpenRouter) -> None:
    request = ResponsesRequest(model="openai/gpt-5-mini", input="Hi")
    assert_type(await client.responses.create(request), Response)
    stream = client.responses.stream(request)
    assert_type(stream, AsyncResponseStream)
    async for event in stream:
        assert_type(event, ResponseEvent)
    messages = MessagesRequest(model="m", messages=[{"role": "user", "content": "Hi"}])
    async with client.messages.stream(messages) as ms:
        assert_type(ms, AsyncMessageStream)
        assert_type(await ms.recv(), MessageEvent | None)
