"""Values behave like what they look like: model lists index like lists, one
message type for history, one rate-limit record, read-only responses."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator

import pytest

from openrouter import (
    AsyncOpenRouter,
    ChatCompletion,
    ChatCompletionAccumulator,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionRequest,
    ChatCompletionRequestBuilder,
    KeyInfo,
    Message,
    Model,
    ModelEndpoints,
    ModelList,
    ModelsQuery,
    OpenRouter,
    RateLimit,
)
from openrouter.resources import AsyncModelsResource, ModelsResource
from openrouter.testing import MockOpenRouter
from openrouter.testing._scenarios import BUILTIN_SCENARIOS
from sseproto.adapters import Timeouts

KEY = "test-key-0123456789"
SAFE = Timeouts(connect=10.0, read=10.0)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockOpenRouter]:
    """One mock server for the module."""
    with MockOpenRouter() as running:
        yield running


@pytest.fixture
def server(mock: MockOpenRouter) -> MockOpenRouter:
    """The module's mock server with no recorded requests."""
    mock.clear_requests()
    return mock


def client(server: MockOpenRouter) -> OpenRouter:
    """A blocking client of the mock, without retries."""
    return OpenRouter(KEY, base_url=server.base_url, timeout=SAFE, max_retries=0)


def async_client(server: MockOpenRouter) -> AsyncOpenRouter:
    """An asyncio client of the mock, without retries."""
    return AsyncOpenRouter(KEY, base_url=server.base_url, timeout=SAFE, max_retries=0)


# -- model lists ------------------------------------------------------------------


MODELS = ModelList.from_dict({"data": [{"id": f"vendor/m{i}"} for i in range(7)]})


def test_model_list_indexes_and_slices_like_a_list() -> None:
    """models[0], models[-1] and models[:5] read like the list of models they stand for."""
    assert isinstance(MODELS[0], Model)
    assert MODELS[0].id == "vendor/m0"
    assert MODELS[-1].id == "vendor/m6"
    first = MODELS[:5]
    assert isinstance(first, list)
    assert [m.id for m in first] == [f"vendor/m{i}" for i in range(5)]
    assert [m.id for m in MODELS[::3]] == ["vendor/m0", "vendor/m3", "vendor/m6"]
    with pytest.raises(IndexError):
        MODELS[7]


def test_model_list_len_iteration_and_membership() -> None:
    """len, iteration (in order, reversed too) and `in` (a Model or a model ID)."""
    assert len(MODELS) == 7
    assert [m.id for m in MODELS] == [f"vendor/m{i}" for i in range(7)]
    assert next(reversed(MODELS)).id == "vendor/m6"
    assert MODELS[2] in MODELS
    assert "vendor/m2" in MODELS
    assert "vendor/m9" not in MODELS
    assert Model.from_dict({"id": "other"}) not in MODELS
    assert not ModelList.from_dict({"data": []})


def test_model_list_keeps_data_and_raw() -> None:
    """The list view is data itself; data and raw keep working."""
    assert MODELS.data[3] is MODELS[3]
    assert MODELS.raw["data"][0] == {"id": "vendor/m0"}


def test_model_endpoints_iterate_and_have_len() -> None:
    """ModelEndpoints iterates over its endpoints, has len() and indexes."""
    found = ModelEndpoints.from_dict(
        {"data": {"id": "a/b", "endpoints": [{"provider_name": "P"}, {"provider_name": "Q"}]}}
    )
    assert len(found) == 2
    assert [e.provider_name for e in found] == ["P", "Q"]
    assert found[1].provider_name == "Q"
    assert [e.provider_name for e in found[:1]] == ["P"]


def test_list_models_takes_filter_keywords(server: MockOpenRouter) -> None:
    """list_models(supported_parameters=..., category=...) sends the same query as a ModelsQuery."""
    with client(server) as api:
        everything = api.list_models()
        tools = api.list_models(supported_parameters=["tools", "tool_choice"])
        science = api.list_models(category="science")
        same = api.list_models(ModelsQuery(category="science"))
    assert len(everything) == len(BUILTIN_SCENARIOS)
    assert "mock/story" in everything
    assert everything[0].id is not None
    assert [m.id for m in tools] == ["mock/tools"]
    assert [m.id for m in science] == [m.id for m in same] == ["mock/reasoning"]
    queries = [dict(r.query) for r in server.requests]
    assert queries == [
        {},
        {"supported_parameters": "tools,tool_choice"},
        {"category": "science"},
        {"category": "science"},
    ]


def test_async_list_models_takes_filter_keywords(server: MockOpenRouter) -> None:
    """The async client takes the same filter keywords."""

    async def body() -> list[str | None]:
        async with async_client(server) as api:
            found = await api.list_models(
                supported_parameters=["tools"], output_modalities=["text"]
            )
        return [m.id for m in found[:5]]

    assert asyncio.run(body()) == ["mock/tools"]
    assert dict(server.requests[0].query) == {
        "supported_parameters": "tools",
        "output_modalities": "text",
    }


def test_list_models_refuses_a_query_and_keywords(server: MockOpenRouter) -> None:
    """A ModelsQuery and filter keywords together are a TypeError, before any request."""
    with client(server) as api:
        with pytest.raises(TypeError, match="not both"):
            api.list_models(ModelsQuery(category="science"), supported_parameters=["tools"])
        with pytest.raises(TypeError, match="supported_parameters"):
            api.list_models(supported_parameters="tools")
    assert server.requests == []


def test_list_models_keywords_are_the_query_fields() -> None:
    """models.list()'s filter keywords are exactly ModelsQuery's fields, on both
    clients; list_models() keeps the four it always had."""
    fields = set(inspect.signature(ModelsQuery).parameters)
    for namespace in (ModelsResource, AsyncModelsResource):
        params = inspect.signature(namespace.list).parameters
        assert fields == {name for name, p in params.items() if p.kind is p.KEYWORD_ONLY}
    original = {"category", "supported_parameters", "output_modalities", "extra"}
    for face in (OpenRouter, AsyncOpenRouter):
        params = inspect.signature(face.list_models).parameters
        assert original <= {name for name, p in params.items() if p.kind is p.KEYWORD_ONLY}


# -- conversation history ---------------------------------------------------------


def test_to_message_returns_a_message() -> None:
    """ChatCompletion, ChatCompletionMessage and the accumulator all give a Message."""
    reply = ChatCompletion.from_dict(
        {"choices": [{"message": {"role": "assistant", "content": "Hi", "reasoning": "r"}}]}
    )
    acc = ChatCompletionAccumulator()
    acc.add({"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}]})
    for made in (reply.to_message(), reply.choices[0].message.to_message(), acc.to_message()):
        assert isinstance(made, Message)
        assert made.to_dict() == {"role": "assistant", "content": "Hi"}
    assert reply.to_message(3) == Message.assistant("")


def test_from_reply_keeps_what_the_next_turn_needs() -> None:
    """Tool calls lose their index, content is null beside them, audio goes by id."""
    sent = Message.from_reply(
        {
            "role": "assistant",
            "content": "",
            "reasoning": "thought",
            "tool_calls": [{"index": 0, "id": "c", "type": "function", "function": {}}],
            "reasoning_details": [{"type": "reasoning.encrypted", "data": "x"}, "junk"],
            "audio": {"id": "a1", "data": "AAAA"},
            "annotations": [{"type": "url_citation"}],
        }
    )
    assert sent.to_dict() == {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "c", "type": "function", "function": {}}],
        "reasoning_details": [{"type": "reasoning.encrypted", "data": "x"}],
        "audio": {"id": "a1"},
    }


def test_a_wrong_item_in_messages_names_what_is_accepted() -> None:
    """A str or another object in messages raises a TypeError listing the accepted types."""
    with pytest.raises(TypeError, match=r"messages\[1\] must be a Message, a mapping") as caught:
        ChatCompletionRequest(model="m", messages=[Message.user("Hi"), "Hello"])  # type: ignore[list-item]
    assert "ChatCompletionMessage" in str(caught.value)
    assert "Message.user" in str(caught.value)
    with pytest.raises(TypeError, match="got int"):
        ChatCompletionRequestBuilder("m", [Message.user("Hi"), 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="single message"):
        ChatCompletionRequest(model="m", messages=ChatCompletionMessage.from_dict({}))  # type: ignore[arg-type]


def test_a_conversation_appends_each_reply_type(server: MockOpenRouter) -> None:
    """Against the mock: a non-streamed message, a stream's result and its message, and an
    accumulator go into messages as they are, and reach the server as assistant messages."""
    history: list[object] = [Message.user("Weather in Lisbon?")]

    def ask(model: str) -> ChatCompletionRequest:
        return ChatCompletionRequest(model=model, messages=history)  # type: ignore[arg-type]

    with client(server) as api:
        response = api.chat_completion(ask("mock/tools"))
        history.append(response.choices[0].message)
        history.append(Message.tool("call_mock_0", '{"temp": 21}'))
        history.append(Message.tool("call_mock_1", '{"time": "12:00"}'))
        with api.chat_completion_stream(ask("mock/reasoning")) as stream:
            for _chunk in stream:
                pass
        history += [stream.result().choices[0].message, Message.user("And shorter?")]
        with api.chat_completion_stream(ask("mock/reasoning-encrypted")) as stream:
            for _chunk in stream:
                pass
        history += [stream.result(), Message.user("A title?")]
        answer = ChatCompletionAccumulator()
        with api.chat_completion_stream(ask("mock/story")) as stream:
            for chunk in stream:
                answer.add(chunk)
        history += [answer, Message.user("Thanks")]
        api.chat_completion(ask("mock/story"))

    sent = server.requests[-1].json
    assert sent is not None
    roles = [m["role"] for m in sent["messages"]]
    assert roles == ["user", "assistant", "tool", "tool"] + ["assistant", "user"] * 3
    calls = sent["messages"][1]
    assert calls["content"] is None
    assert [c["id"] for c in calls["tool_calls"]] == ["call_mock_0", "call_mock_1"]
    assert all("index" not in c for c in calls["tool_calls"])
    signed = sent["messages"][4]
    assert signed["content"] == "A lighthouse keeps ships off the rocks at night."
    assert signed["reasoning_details"][0]["signature"]
    assert "reasoning" not in signed
    encrypted = sent["messages"][6]
    assert [d["type"] for d in encrypted["reasoning_details"]] == [
        "reasoning.summary",
        "reasoning.encrypted",
    ]
    assert sent["messages"][8] == {"role": "assistant", "content": answer.content}
    request = ask("mock/story")
    assert all(isinstance(m, Message | dict) for m in request.messages)


# -- one rate-limit type, and what assignment does -------------------------------------


def test_stream_and_key_share_one_rate_limit_type(server: MockOpenRouter) -> None:
    """stream.rate_limit and KeyInfo.rate_limit are both RateLimit records."""
    request = ChatCompletionRequest(model="mock/story", messages=[Message.user("Hi")])
    with client(server) as api:
        with api.chat_completion_stream(request) as stream:
            from_headers = stream.rate_limit
        key = api.get_key()
    assert isinstance(from_headers, RateLimit)
    assert isinstance(key.rate_limit, RateLimit)
    assert from_headers.limit == 1000
    assert from_headers.remaining is not None
    assert from_headers.remaining < 1000
    assert from_headers.reset is not None
    assert (key.rate_limit.requests, key.rate_limit.interval) == (1000, "10s")


def test_rate_limit_from_headers() -> None:
    """X-RateLimit-* headers in any case; digits become ints; none at all gives None."""
    found = RateLimit.from_headers(
        [("X-RateLimit-Limit", "20"), ("x-ratelimit-remaining", "19"), ("X-RateLimit-Reset", "x")]
    )
    assert found is not None
    assert (found.limit, found.remaining, found.reset) == (20, 19, None)
    assert found.raw == {"limit": "20", "remaining": "19", "reset": "x"}
    assert RateLimit.from_headers([("Content-Type", "text/event-stream")]) is None
    assert RateLimit.from_dict({"requests": "+5", "interval": "10s"}).requests is None


def test_assignment_is_as_documented() -> None:
    """Lazy fields and unknown names refuse assignment; eager fields are plain slots whose
    assignment leaves raw as the API sent it (the documented trade-off)."""
    chunk = ChatCompletionChunk.from_dict({"id": "gen-1", "choices": [{"delta": {}}]})
    with pytest.raises(AttributeError):
        chunk.id = "other"  # type: ignore[assignment]
    with pytest.raises(AttributeError):
        chunk.colour = "red"  # type: ignore[attr-defined]
    key = KeyInfo.from_dict({"label": "sk-or-...abc"})
    key.label = "changed"
    assert key.raw["label"] == "sk-or-...abc"
