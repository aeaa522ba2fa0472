"""Type-checked usage of the stream errors: mypy --strict must accept this file as it is.

It is checked, not run, by the test suite (tests/test_typing.py). The image
streams yield typed events and give an ``ImageGeneration``. A bare
``StreamError`` (``StreamTruncatedError``, ``StreamTimeoutError``) is typed
with the chat types, as it always was; parameterised, it carries what the
other stream kinds deliver: a Responses ``Response``, a Messages
``AnthropicMessage``, an ``ImageGeneration``, and their events.
"""

from __future__ import annotations

from typing import assert_type

from openrouter import (
    AnthropicMessage,
    AsyncImageStream,
    AsyncOpenRouter,
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    CompletionChunk,
    GeneratedImage,
    ImageGeneration,
    ImageRequest,
    ImageStream,
    ImageStreamEvent,
    MessageEvent,
    OpenRouter,
    Response,
    ResponseEvent,
    StreamError,
    StreamTimeoutError,
    StreamTruncatedError,
)


def chat(client: OpenRouter) -> str:
    """What chat users wrote before still type-checks."""
    try:
        for _ in client.chat.stream({"model": "m", "messages": []}):
            pass
    except StreamError as exc:
        if exc.partial is not None and exc.partial.choices:
            return str(exc.partial.choices[0])
        return exc.partial_text
    return ""


def chat_handler(exc: StreamError) -> str | None:
    """A bare annotation means the chat types."""
    assert_type(exc.partial, ChatCompletion | Completion | None)
    assert_type(exc.chunks, tuple[ChatCompletionChunk | CompletionChunk, ...])
    if isinstance(exc.partial, ChatCompletion) and exc.partial.choices:
        return exc.partial.choices[0].message.content
    text: str = exc.partial.output_text  # type: ignore[union-attr]  # a chat partial has none
    return text


def truncated_chat(exc: StreamTruncatedError, late: StreamTimeoutError) -> None:
    assert_type(exc.partial, ChatCompletion | Completion | None)
    assert_type(late.chunks, tuple[ChatCompletionChunk | CompletionChunk, ...])


def responses_handler(exc: StreamError[Response, ResponseEvent]) -> str:
    assert_type(exc.partial, Response | None)
    assert_type(exc.chunks, tuple[ResponseEvent, ...])
    return exc.partial.output_text if exc.partial is not None else ""


def messages_handler(exc: StreamTruncatedError[AnthropicMessage, MessageEvent]) -> str:
    assert_type(exc.partial, AnthropicMessage | None)
    return exc.partial.text if exc.partial is not None else ""


def images_handler(exc: StreamError[ImageGeneration, ImageStreamEvent]) -> bytes | None:
    assert_type(exc.partial, ImageGeneration | None)
    assert_type(exc.chunks, tuple[ImageStreamEvent, ...])
    if exc.partial is None or not exc.partial.data:
        return None
    return exc.partial[0].to_bytes()


def narrower_is_accepted(exc: StreamError[ChatCompletion, ChatCompletionChunk]) -> None:
    """The parameters are covariant: a chat-only error is a chat error."""
    chat_handler(exc)
    responses_handler(exc)  # type: ignore[arg-type]  # not a Responses error


async def images(client: AsyncOpenRouter) -> bytes | None:
    """A stream's error, annotated with what its kind delivers."""
    try:
        async for _ in client.images.stream({"model": "m", "prompt": "p"}):
            pass
    except StreamError as exc:
        failure: StreamError[ImageGeneration, ImageStreamEvent] = exc
        return images_handler(failure)
    return None


def image_stream(client: OpenRouter, aclient: AsyncOpenRouter) -> None:
    request = ImageRequest(model="openai/gpt-5-image", prompt="A lighthouse")
    with client.images.stream(request, timeout=60.0) as stream:
        assert_type(stream, ImageStream)
        for event in stream:
            assert_type(event, ImageStreamEvent)
        assert_type(stream.partial_images, list[GeneratedImage])
        assert_type(stream.text("reasoning"), str)
        assert_type(stream.result(), ImageGeneration)
    assert_type(aclient.images.stream({"model": "m", "prompt": "p"}), AsyncImageStream)
    client.images.stream(request, keep_chunks=True)  # type: ignore[call-arg]
