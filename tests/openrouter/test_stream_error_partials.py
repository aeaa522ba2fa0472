"""The stream errors carry what every stream kind delivers: ``partial`` (and
``partial_text``) for chat, text completions, the Responses and Messages
APIs and image generation; the classes are generic for type checkers and
unchanged at run time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openrouter import (
    AnthropicMessage,
    APIConnectionError,
    APIError,
    APITimeoutError,
    ChatCompletion,
    Completion,
    ImageGeneration,
    MessagesRequest,
    OpenRouter,
    Response,
    ResponseEvent,
    ResponsesRequest,
    StreamError,
    StreamTimeoutError,
    StreamTruncatedError,
)
from openrouter.testing import MockOpenRouter

RESPONSE = Response(
    {
        "status": "in_progress",
        "output": [
            {"type": "message", "content": [{"type": "output_text", "text": "Two plus two"}]}
        ],
    }
)
MESSAGE = AnthropicMessage({"content": [{"type": "text", "text": "Leaves fall."}]})
CHAT = ChatCompletion({"choices": [{"index": 0, "message": {"content": "Hel"}}]})
COMPLETION = Completion({"choices": [{"index": 0, "text": "Once"}]})


@pytest.mark.parametrize("cls", [StreamError, StreamTruncatedError, StreamTimeoutError])
@pytest.mark.parametrize(
    ("partial", "text"),
    [
        (CHAT, "Hel"),
        (COMPLETION, "Once"),
        (ChatCompletion({"choices": []}), ""),
        (RESPONSE, "Two plus two"),
        (MESSAGE, "Leaves fall."),
        (ImageGeneration({"data": []}), ""),
        (None, ""),
    ],
    ids=["chat", "completion", "no-choices", "responses", "messages", "images", "none"],
)
def test_partial_text_of_every_stream_kind(cls: Any, partial: Any, text: str) -> None:
    """``partial_text`` reads the text of whatever the stream kind delivers, never raising."""
    assert cls("x", partial=partial).partial_text == text


def test_generic_at_run_time_without_changing_the_classes() -> None:
    """The classes can be parameterised; instances, bases and catching are as before."""
    error = StreamError[Response, ResponseEvent]("failed", partial=RESPONSE, status=200)
    assert type(error) is StreamError
    assert error.partial is RESPONSE
    assert error.chunks == ()
    assert issubclass(StreamError, APIError)
    assert issubclass(StreamTruncatedError, APIConnectionError)
    assert issubclass(StreamTimeoutError, APITimeoutError)
    with pytest.raises(StreamError) as raised:
        raise error
    assert raised.value is error


@pytest.fixture(scope="module")
def mock() -> Iterator[MockOpenRouter]:
    with MockOpenRouter() as server:
        yield server


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_partial_text_of_a_failed_event_stream(mock: MockOpenRouter, api: str) -> None:
    """A Responses or Messages stream that fails after some text keeps it in ``partial_text``."""
    request: Any = (
        ResponsesRequest(model="mock/error", input="Tell me a story.")
        if api == "responses"
        else MessagesRequest(
            model="mock/error", messages=[{"role": "user", "content": "Hi"}], max_tokens=64
        )
    )
    with OpenRouter("sk-or-test", base_url=mock.base_url, max_retries=0) as client:
        stream = getattr(client, api).stream(request)
        with stream, pytest.raises(StreamError) as raised:
            for _ in stream:
                pass
    partial = raised.value.partial
    assert isinstance(partial, Response if api == "responses" else AnthropicMessage)
    expected = partial.output_text if isinstance(partial, Response) else partial.text
    assert expected
    assert raised.value.partial_text == expected
