"""Values behave like what they look like: model lists index like lists, one
message type for history, one rate-limit record, read-only responses."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator

import pytest

from openrouter import (
    AsyncOpenRouter,
    Model,
    ModelEndpoints,
    ModelList,
    ModelsQuery,
    OpenRouter,
)
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
    """list_models' filter keywords are exactly ModelsQuery's fields, on both clients."""
    fields = set(inspect.signature(ModelsQuery).parameters)
    for face in (OpenRouter, AsyncOpenRouter):
        params = inspect.signature(face.list_models).parameters
        assert fields <= {name for name, p in params.items() if p.kind is p.KEYWORD_ONLY}
