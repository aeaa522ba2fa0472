"""Streamed image generation (``client.images.stream()``) against the mock, on
the blocking client and the async one under asyncio and trio: the request
sent, the typed events, the previews as they arrive, the final
:class:`ImageGeneration`, and each ending (an error event after a preview, a
body that ends early, keepalives and OpenRouter's ``[DONE]`` trailer).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import trio

from openrouter import (
    APIStatusError,
    AsyncImageStream,
    AsyncOpenRouter,
    BadRequestError,
    ImageCompletedEvent,
    ImageErrorEvent,
    ImageGeneration,
    ImagePartialEvent,
    ImageRequest,
    ImageStream,
    ImageStreamEvent,
    ImageTextChunkEvent,
    OpenRouter,
    OpenRouterError,
    StreamError,
    StreamTruncatedError,
)
from openrouter.testing import MockOpenRouter
from openrouter.testing._media_data import IMAGE_STREAM_ERROR, PNG, SVG, image_stream

from ._hostile import HostileServer, response
from .test_media import check_body

KEY = "sk-or-v1-image-stream-key"
FACES = ["sync", "asyncio", "trio"]
PROMPT = "a lighthouse at dusk"


@pytest.fixture
def server() -> Iterator[MockOpenRouter]:
    with MockOpenRouter(api_key=KEY) as mock:
        yield mock


@dataclass
class Seen:
    """A stream as the caller saw it."""

    items: list[ImageStreamEvent]
    #: ``len(stream.partial_images)`` right after each item.
    previews: list[int]
    outcome: str
    heartbeats: int
    result: ImageGeneration
    #: The error that ended the stream (typed Any: its ``partial`` is checked below).
    error: Any
    partial_images: list[bytes]
    texts: dict[str, str]
    generation_id: str | None
    beats: list[str] = field(default_factory=list)


def _seen(stream: Any, items: list[Any], previews: list[int], error: Any, beats: list[str]) -> Seen:
    return Seen(
        items,
        previews,
        stream.outcome,
        stream.heartbeats,
        stream.result(),
        error,
        [image.to_bytes() for image in stream.partial_images],
        {phase: stream.text(phase) for phase in ("content", "reasoning", "draft")},
        stream.generation_id,
        beats,
    )


def read(face: str, server: MockOpenRouter, request: Any) -> Seen:
    """Stream ``request`` on ``face``; collect what the caller sees."""
    beats: list[str] = []
    if face == "sync":
        with OpenRouter(KEY, base_url=server.base_url, max_retries=0) as client:
            items: list[Any] = []
            previews: list[int] = []
            error = None
            with client.images.stream(request, on_heartbeat=beats.append) as stream:
                assert isinstance(stream, ImageStream)
                try:
                    for item in stream:
                        items.append(item)
                        previews.append(len(stream.partial_images))
                except OpenRouterError as exc:
                    error = exc
            return _seen(stream, items, previews, error, beats)

    async def beat(text: str) -> None:
        await (trio.sleep(0) if face == "trio" else asyncio.sleep(0))
        beats.append(text)

    async def main() -> Seen:
        async with AsyncOpenRouter(KEY, base_url=server.base_url, max_retries=0) as client:
            items: list[Any] = []
            previews: list[int] = []
            error = None
            async with client.images.stream(request, on_heartbeat=beat) as stream:
                assert isinstance(stream, AsyncImageStream)
                try:
                    async for item in stream:
                        items.append(item)
                        previews.append(len(stream.partial_images))
                except OpenRouterError as exc:
                    error = exc
            return _seen(stream, items, previews, error, beats)

    if face == "trio":
        result: Seen = trio.run(main)
        return result
    return asyncio.run(main())


def events(model: str, partials: int = 2) -> list[dict[str, Any]]:
    """The events the mock streams for ``model``."""
    return [value for kind, value in image_stream(model, PROMPT, partials) if kind == "event"]


@pytest.mark.parametrize("face", FACES)
def test_previews_then_the_completed_image(server: MockOpenRouter, face: str) -> None:
    """A typed request is sent with ``"stream": true``; the previews arrive as typed events
    (kept on the stream as they come), then the completed image, which ``result()`` holds."""
    request = ImageRequest(model="mock/image", prompt=PROMPT, size="1024x1024", quality="low")
    seen = read(face, server, request)
    [record] = server.requests
    assert (record.method, record.path) == ("POST", "/api/v1/images")
    check_body("images", record.json)
    assert record.json == {**request.to_dict(), "stream": True}
    assert record.headers["accept"] == "text/event-stream"
    assert [type(item) for item in seen.items] == [
        ImagePartialEvent,
        ImagePartialEvent,
        ImageCompletedEvent,
    ]
    assert [item.raw for item in seen.items] == events("mock/image")
    first, second, done = seen.items
    assert isinstance(first, ImagePartialEvent)
    assert isinstance(second, ImagePartialEvent)
    assert (first.partial_image_index, second.partial_image_index) == (0, 1)
    assert first.image.to_bytes() == PNG
    assert seen.previews == [1, 2, 2]
    assert seen.partial_images == [PNG, PNG]
    assert isinstance(done, ImageCompletedEvent)
    assert done.type == "image_generation.completed"
    assert (done.created, done.media_type) == (1767225600, "image/png")
    assert (seen.outcome, seen.error, seen.heartbeats) == ("completed", None, 0)
    result = seen.result
    assert isinstance(result, ImageGeneration)
    assert result.created == 1767225600
    assert [image.to_bytes() for image in result] == [PNG]
    assert result[0].media_type == "image/png"
    assert result.usage is not None
    assert (result.usage.cost, result.usage.completion_tokens) == (0.04, 4175)
    assert result.usage.prompt_tokens == len(PROMPT.split())
    assert seen.generation_id is not None
    assert seen.generation_id.startswith("gen-img")


@pytest.mark.parametrize("face", FACES)
def test_text_chunks_with_reasoning(server: MockOpenRouter, face: str) -> None:
    """Text chunks are typed with their phase; ``text(phase)`` joins them; the completed
    event carries the SVG, base64."""
    seen = read(face, server, {"model": "mock/image-svg", "prompt": PROMPT})
    assert [type(item) for item in seen.items] == [ImageTextChunkEvent] * 5 + [ImageCompletedEvent]
    chunks = [item for item in seen.items if isinstance(item, ImageTextChunkEvent)]
    assert [chunk.phase for chunk in chunks] == ["reasoning"] * 2 + ["content"] * 3
    assert seen.texts == {"content": SVG, "reasoning": "A single pixel, filled blue.", "draft": ""}
    assert seen.outcome == "completed"
    assert seen.result[0].media_type == "image/svg+xml"
    assert seen.result[0].to_bytes() == SVG.encode()
    assert seen.partial_images == []


@pytest.mark.parametrize("face", FACES)
def test_error_event_after_a_preview(server: MockOpenRouter, face: str) -> None:
    """An ``error`` event raises StreamError after the preview before it; ``partial`` is the
    generation so far (no image), ``chunks`` the error event."""
    seen = read(face, server, {"model": "mock/image-error", "prompt": PROMPT})
    assert [type(item) for item in seen.items] == [ImagePartialEvent]
    assert seen.outcome == "errored"
    error = seen.error
    assert isinstance(error, StreamError)
    assert error.code == IMAGE_STREAM_ERROR["code"]
    assert str(IMAGE_STREAM_ERROR["message"]) in str(error)
    assert error.status == 200
    assert isinstance(error.partial, ImageGeneration)
    assert error.partial.data == []
    [event] = error.chunks
    assert isinstance(event, ImageErrorEvent)
    assert event.error.code == "upstream_error"
    assert event.raw["error"] == IMAGE_STREAM_ERROR
    assert seen.partial_images == [PNG]


@pytest.mark.parametrize("face", FACES)
def test_body_ending_before_completed_is_truncated(server: MockOpenRouter, face: str) -> None:
    """A body that ends after the previews raises StreamTruncatedError after them."""
    seen = read(face, server, {"model": "mock/image-cut", "prompt": PROMPT})
    assert [type(item) for item in seen.items] == [ImagePartialEvent, ImagePartialEvent]
    assert seen.outcome == "truncated"
    assert isinstance(seen.error, StreamTruncatedError)
    assert "terminal event" in str(seen.error)
    assert isinstance(seen.error.partial, ImageGeneration)
    assert seen.error.partial.data == []
    assert seen.partial_images == [PNG, PNG]


@pytest.mark.parametrize("face", FACES)
def test_keepalives_and_the_done_trailer(server: MockOpenRouter, face: str) -> None:
    """Keepalive comments are heartbeats (``on_heartbeat`` sees each, awaited on the async
    faces); a ``data: [DONE]`` after the completed event is accepted."""
    seen = read(face, server, {"model": "mock/image-keepalive", "prompt": PROMPT})
    assert [item.raw for item in seen.items] == events("mock/image-keepalive")
    assert seen.heartbeats == 3
    assert seen.beats == ["OPENROUTER PROCESSING"] * 3
    assert (seen.outcome, seen.error) == ("completed", None)
    assert [image.to_bytes() for image in seen.result] == [PNG]


def test_mapping_request_sent_as_given(server: MockOpenRouter) -> None:
    """A mapping is sent as given (members not modelled included), with ``"stream": true``."""
    request = {"model": "mock/image", "prompt": PROMPT, "partial_images": 1}
    seen = read("sync", server, request)
    assert server.requests[0].json == {**request, "stream": True}
    assert [type(item) for item in seen.items] == [ImagePartialEvent, ImageCompletedEvent]


@pytest.mark.parametrize(
    ("request_", "error", "match"),
    [
        (ImageRequest(model="mock/image", prompt="p", n=2), ValueError, "n=2"),
        ({"model": "mock/image", "prompt": "p", "n": 3}, ValueError, "n=3"),
        ({"model": "mock/image"}, ValueError, "lacks prompt"),
        (["mock/image", "p"], TypeError, "ImageRequest"),
    ],
)
@pytest.mark.parametrize("face", ["sync", "asyncio"])
def test_bad_requests_refused_before_sending(
    server: MockOpenRouter, face: str, request_: Any, error: type[Exception], match: str
) -> None:
    """A request for several images, a mapping without ``prompt`` or a non-mapping is refused
    when ``stream()`` is called, with nothing sent."""
    if face == "sync":
        with OpenRouter(KEY, base_url=server.base_url) as client, pytest.raises(error, match=match):
            client.images.stream(request_)
    else:

        async def main() -> None:
            async with AsyncOpenRouter(KEY, base_url=server.base_url) as client:
                with pytest.raises(error, match=match):
                    client.images.stream(request_)

        asyncio.run(main())
    assert server.requests == []


def test_async_callback_refused_by_the_blocking_face(server: MockOpenRouter) -> None:
    """An ``async def`` on_heartbeat is refused by the blocking client, with nothing sent."""

    async def beat(text: str) -> None:
        pass

    with (
        OpenRouter(KEY, base_url=server.base_url) as client,
        pytest.raises(TypeError, match="async function"),
    ):
        client.images.stream({"model": "m", "prompt": "p"}, on_heartbeat=beat)  # type: ignore[arg-type]
    assert server.requests == []


def test_generate_refuses_a_stream_and_names_stream(server: MockOpenRouter) -> None:
    """``images.generate()`` still refuses ``"stream": true`` and points to ``images.stream()``."""
    with (
        OpenRouter(KEY, base_url=server.base_url) as client,
        pytest.raises(ValueError, match=r"does not stream: call client\.images\.stream\(\)"),
    ):
        client.images.generate({"model": "m", "prompt": "p", "stream": True})
    assert server.requests == []


@pytest.mark.parametrize("face", FACES)
def test_error_response_raised_when_opening(server: MockOpenRouter, face: str) -> None:
    """An error response (400 here) is raised by ``stream()`` (sync) or when the stream opens."""
    request = {"model": "mock/image", "prompt": "p", "partial_images": 9}
    with pytest.raises(BadRequestError, match="partial_images"):
        read(face, server, request)
    assert len(server.requests) == 1


def test_recv_after_completed_and_errors_raised_again(server: MockOpenRouter) -> None:
    """``recv()`` gives None after the completed event; a failed stream raises its error again."""
    with OpenRouter(KEY, base_url=server.base_url, max_retries=0) as client:
        with client.images.stream({"model": "mock/image", "prompt": "p"}) as stream:
            assert isinstance(stream.recv(), ImagePartialEvent)
            assert isinstance(stream.recv(), ImagePartialEvent)
            assert isinstance(stream.recv(), ImageCompletedEvent)
            assert stream.recv() is None
            assert stream.outcome == "completed"
        with client.images.stream({"model": "mock/image-error", "prompt": "p"}) as failing:
            assert isinstance(failing.recv(), ImagePartialEvent)
            with pytest.raises(StreamError) as first:
                failing.recv()
            with pytest.raises(StreamError) as again:
                failing.recv()
            assert again.value is first.value


def test_close_cancels(server: MockOpenRouter) -> None:
    """Closing the stream before its end makes the outcome ``"cancelled"``."""
    with OpenRouter(KEY, base_url=server.base_url) as client:
        stream = client.images.stream({"model": "mock/image", "prompt": "p"})
        assert isinstance(next(stream), ImagePartialEvent)
        stream.close()
        assert stream.outcome == "cancelled"
        assert list(stream) == []


def test_event_records_tolerate_any_shape() -> None:
    """The event records never raise: missing or mistyped members read as None."""
    partial = ImagePartialEvent({"type": "image_generation.partial_image", "b64_json": 5})
    assert (partial.b64_json, partial.partial_image_index) == (None, None)
    with pytest.raises(ValueError, match="no b64_json"):
        partial.image.to_bytes()
    done = ImageCompletedEvent({"b64_json": base64.b64encode(b"x").decode(), "usage": []})
    assert (done.image.to_bytes(), done.usage, done.created) == (b"x", None, None)


def test_a_whole_json_answer_is_not_a_stream() -> None:
    """A provider without image streaming answers whole (JSON, status 200): ``stream()``
    raises APIStatusError carrying that status and body, as documented."""
    body = json.dumps({"created": 1, "data": [{"b64_json": "iVBORw0KGgo="}]}).encode()
    with (
        HostileServer(lambda key: [response(200, body)]) as hostile,
        OpenRouter(KEY, base_url=hostile.base_url, max_retries=0) as client,
        pytest.raises(APIStatusError) as raised,
    ):
        client.images.stream({"model": "m", "prompt": "p"})
    assert raised.value.status == 200
    assert raised.value.body == body
