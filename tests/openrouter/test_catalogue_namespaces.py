"""client.models, client.endpoints and client.providers, on the blocking and
async clients, against the mock: the request each operation sends (checked
against OpenRouter's OpenAPI description), the typed result, and the input
refused before anything is sent."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from openrouter import (
    Endpoint,
    Model,
    ModelEndpoints,
    ModelList,
    ModelListLinks,
    ModelsQuery,
    NotFoundError,
    Provider,
)
from openrouter.testing import MockOpenRouter

from ._account_harness import (  # noqa: F401 (fixtures, found by name)
    FACES,
    TRIO,
    check_query,
    last,
    mock_fixture,
    run,
    server_fixture,
)

#: The query parameters of GET /models in the OpenAPI description.
MODELS_PARAMS = {
    "offset",
    "limit",
    "category",
    "supported_parameters",
    "output_modalities",
    "sort",
    "use_rss",
    "use_rss_chat_links",
    "q",
    "input_modalities",
    "context",
    "min_price",
    "max_price",
    "arch",
    "model_authors",
    "providers",
    "distillable",
    "zdr",
    "region",
    "min_output_price",
    "max_output_price",
    "min_age_days",
    "max_age_days",
    "min_intelligence_index",
    "max_intelligence_index",
    "min_coding_index",
    "max_coding_index",
    "min_agentic_index",
    "max_agentic_index",
    "min_tool_success_rate",
    "max_tool_success_rate",
}

#: Every filter of models.list(), with a value and how it goes on the wire.
EVERY_FILTER: dict[str, tuple[Any, str]] = {
    "category": ("programming", "programming"),
    "supported_parameters": (["tools", "tool_choice"], "tools,tool_choice"),
    "output_modalities": (["text", "image"], "text,image"),
    "input_modalities": (["text", "file"], "text,file"),
    "sort": ("pricing-low-to-high", "pricing-low-to-high"),
    "q": ("mock tools", "mock tools"),
    "context": (8000, "8000"),
    "min_price": (0, "0"),
    "max_price": (2.5, "2.5"),
    "min_output_price": (0.5, "0.5"),
    "max_output_price": (10, "10"),
    "arch": ("GPT", "GPT"),
    "model_authors": (["mock", "openai"], "mock,openai"),
    "providers": (["Mock"], "Mock"),
    "distillable": (False, "false"),
    "zdr": (True, "true"),
    "region": ("eu", "eu"),
    "min_age_days": (0, "0"),
    "max_age_days": (365, "365"),
    "min_intelligence_index": (10, "10"),
    "max_intelligence_index": (90.5, "90.5"),
    "min_coding_index": (1, "1"),
    "max_coding_index": (99, "99"),
    "min_agentic_index": (2, "2"),
    "max_agentic_index": (98, "98"),
    "min_tool_success_rate": (0.25, "0.25"),
    "max_tool_success_rate": (1, "1"),
    "offset": (0, "0"),
    "limit": (50, "50"),
}


# -- models.list ----------------------------------------------------------------------


@FACES
def test_models_list_sends_every_documented_filter(face: str, server: MockOpenRouter) -> None:
    """Each filter keyword becomes its documented query parameter, as a string."""
    filters = {name: value for name, (value, _) in EVERY_FILTER.items()}
    models = run(face, server, lambda c: c.models.list(**filters))
    assert isinstance(models, ModelList)
    record = last(server)
    assert (record.method, record.path) == ("GET", "/api/v1/models")
    check_query(record, MODELS_PARAMS)
    assert dict(record.query) == {name: wire for name, (_, wire) in EVERY_FILTER.items()}


@FACES
def test_models_list_filters_and_query_object_agree(face: str, server: MockOpenRouter) -> None:
    """A ModelsQuery sends the same query as the same filters given as keywords."""

    async def both_async(c: Any) -> tuple[ModelList, ModelList]:
        return (
            await c.models.list(ModelsQuery(category="science", q="reason")),
            await c.models.list(category="science", q="reason"),
        )

    if face == "sync":
        first, second = run(
            face,
            server,
            lambda c: (
                c.models.list(ModelsQuery(category="science", q="reason")),
                c.models.list(category="science", q="reason"),
            ),
        )
    else:
        first, second = run(face, server, both_async)
    queries = [dict(r.query) for r in server.requests]
    assert queries == [{"category": "science", "q": "reason"}] * 2
    assert [m.id for m in first] == [m.id for m in second] == ["mock/reasoning"]


@FACES
def test_models_list_pages_with_total_count_and_next_link(
    face: str, server: MockOpenRouter
) -> None:
    """offset/limit page the list; the answer has total_count and links.next."""
    first = run(face, server, lambda c: c.models.list(limit=5))
    assert len(first) == 5
    assert first.total_count == 21
    assert isinstance(first.links, ModelListLinks)
    assert first.links.next == "/api/v1/models?limit=5&offset=5"
    tail = run(face, server, lambda c: c.models.list(offset=20, limit=5))
    assert len(tail) == 1
    assert tail.links is not None
    assert tail.links.next is None
    assert dict(last(server).query) == {"offset": "20", "limit": "5"}


@pytest.mark.parametrize(
    ("filters", "error"),
    [
        ({"limit": 0}, ValueError),
        ({"offset": -1}, ValueError),
        ({"min_price": -0.5}, ValueError),
        ({"max_tool_success_rate": 1.5}, ValueError),
        ({"max_price": float("inf")}, ValueError),
        ({"zdr": "true"}, TypeError),
        ({"context": 8000.0}, TypeError),
        ({"limit": True}, TypeError),
        ({"providers": "Mock"}, TypeError),
        ({"q": 5}, TypeError),
    ],
)
def test_models_list_refuses_bad_filters_before_sending(
    server: MockOpenRouter, filters: dict[str, Any], error: type[Exception]
) -> None:
    """A filter of the wrong type or out of range raises; nothing is sent."""
    with pytest.raises(error):
        run("sync", server, lambda c: c.models.list(**filters))
    with pytest.raises(error):
        run("asyncio", server, lambda c: c.models.list(**filters))
    assert server.requests == []


def test_models_list_refuses_query_and_keywords(server: MockOpenRouter) -> None:
    """A ModelsQuery with filter keywords, or a query that is not one, is a TypeError."""
    with pytest.raises(TypeError, match="not both"):
        run("sync", server, lambda c: c.models.list(ModelsQuery(q="x"), limit=5))
    with pytest.raises(TypeError, match="ModelsQuery"):
        run("asyncio", server, lambda c: c.models.list({"q": "x"}))
    assert server.requests == []


def test_models_query_keeps_its_first_fields_and_extra() -> None:
    """The fields ModelsQuery always had keep their wire form; extra still goes last."""
    query = ModelsQuery(
        category="programming",
        supported_parameters=["tools"],
        output_modalities=["text"],
        limit=10,
        extra={"use_rss": "true", "limit": "20"},
    )
    assert query.to_params() == {
        "category": "programming",
        "supported_parameters": "tools",
        "output_modalities": "text",
        "limit": "20",
        "use_rss": "true",
    }


# -- models.get, count, for_user, endpoints ----------------------------------------------


@TRIO
def test_models_get_reads_one_model(face: str, server: MockOpenRouter) -> None:
    """models.get(author, slug) is GET /model/{author}/{slug} (singular) and gives a Model."""
    model = run(face, server, lambda c: c.models.get("mock", "tools"))
    assert isinstance(model, Model)
    assert model.id == "mock/tools"
    assert model.supported_parameters is not None
    assert "tools" in model.supported_parameters
    record = last(server)
    assert (record.method, record.path, dict(record.query)) == (
        "GET",
        "/api/v1/model/mock/tools",
        {},
    )


@FACES
def test_models_get_encodes_a_variant(face: str, server: MockOpenRouter) -> None:
    """A variant suffix is percent-encoded in the path and read back by the server."""
    model = run(face, server, lambda c: c.models.get("mock", "story:free"))
    assert model.id == "mock/story:free"
    assert last(server).path == "/api/v1/model/mock/story%3Afree"


@FACES
def test_models_get_unknown_is_not_found(face: str, server: MockOpenRouter) -> None:
    """A model outside the catalogue is a NotFoundError (404)."""
    with pytest.raises(NotFoundError) as caught:
        run(face, server, lambda c: c.models.get("mock", "nothing-here"))
    assert caught.value.status == 404


@pytest.mark.parametrize(
    ("author", "slug", "error"),
    [
        ("", "story", ValueError),
        ("mock", "", ValueError),
        ("mock/x", "story", ValueError),
        ("mock", "a/b", ValueError),
        ("..", "story", ValueError),
        ("mock", ".", ValueError),
        (None, "story", TypeError),
        ("mock", 5, TypeError),
    ],
)
@pytest.mark.parametrize("operation", ["get", "endpoints"])
def test_model_path_segments_are_checked_before_sending(
    server: MockOpenRouter, author: Any, slug: Any, error: type[Exception], operation: str
) -> None:
    """An empty, slashed, dot or non-str author or slug is refused; nothing is sent."""
    for face in ("sync", "asyncio"):
        with pytest.raises(error):
            run(face, server, lambda c: getattr(c.models, operation)(author, slug))
    assert server.requests == []


@FACES
def test_models_count_is_an_int(face: str, server: MockOpenRouter) -> None:
    """models.count() is GET /models/count and gives data.count as an int."""
    everything = run(face, server, lambda c: c.models.count())
    assert everything == 21
    assert dict(last(server).query) == {}
    images = run(face, server, lambda c: c.models.count(output_modalities=["image"]))
    assert images == 0
    record = last(server)
    assert (record.method, record.path) == ("GET", "/api/v1/models/count")
    assert dict(record.query) == {"output_modalities": "image"}


def test_models_count_refuses_a_string(server: MockOpenRouter) -> None:
    """output_modalities must be a list: "text" is refused before sending."""
    with pytest.raises(TypeError):
        run("sync", server, lambda c: c.models.count(output_modalities="text"))
    assert server.requests == []


@FACES
def test_models_for_user_pages(face: str, server: MockOpenRouter) -> None:
    """models.for_user() is GET /models/user with offset/limit and gives a ModelList."""
    models = run(face, server, lambda c: c.models.for_user(offset=2, limit=3))
    assert isinstance(models, ModelList)
    assert [m.id for m in models] == ["mock/reasoning", "mock/tools", "mock/usage"]
    assert models.total_count == 21
    record = last(server)
    assert (record.method, record.path) == ("GET", "/api/v1/models/user")
    assert dict(record.query) == {"offset": "2", "limit": "3"}
    check_query(record, {"offset", "limit"})
    run(face, server, lambda c: c.models.for_user())
    assert dict(last(server).query) == {}


def _for_user(client: Any, kwargs: dict[str, Any]) -> Any:
    return client.models.for_user(**kwargs)


def test_models_for_user_refuses_bad_paging(server: MockOpenRouter) -> None:
    """A negative offset, a zero limit or a str is refused before sending."""
    for kwargs in ({"offset": -1}, {"limit": 0}, {"limit": "3"}):
        with pytest.raises((TypeError, ValueError)):
            run("sync", server, functools.partial(_for_user, kwargs=kwargs))
    assert server.requests == []


@FACES
@pytest.mark.parametrize("namespace", ["models.endpoints", "endpoints.list"])
def test_model_endpoints(face: str, namespace: str, server: MockOpenRouter) -> None:
    """models.endpoints() and endpoints.list() are GET /models/{author}/{slug}/endpoints."""
    group, method = namespace.split(".")
    found = run(face, server, lambda c: getattr(getattr(c, group), method)("mock", "tools"))
    assert isinstance(found, ModelEndpoints)
    assert found.id == "mock/tools"
    assert [e.provider_name for e in found] == ["Mock"]
    assert found[0].model_id == "mock/tools"
    assert found[0].latency_last_30m == {"p50": 120.0, "p75": 180.0, "p90": 260.0, "p99": 700.0}
    assert last(server).path == "/api/v1/models/mock/tools/endpoints"


@FACES
def test_model_endpoints_of_an_unknown_model_is_not_found(
    face: str, server: MockOpenRouter
) -> None:
    """An unknown model's endpoint list is a NotFoundError."""
    with pytest.raises(NotFoundError):
        run(face, server, lambda c: c.models.endpoints("mock", "nothing-here"))


# -- endpoints.zdr, providers.list --------------------------------------------------------


@TRIO
def test_endpoints_zdr_lists_typed_endpoints(face: str, server: MockOpenRouter) -> None:
    """endpoints.zdr() is GET /endpoints/zdr and gives Endpoint records."""
    endpoints = run(face, server, lambda c: c.endpoints.zdr())
    assert all(isinstance(e, Endpoint) for e in endpoints)
    assert [e.model_id for e in endpoints] == ["mock/story", "mock/tools", "mock/reasoning"]
    first = endpoints[0]
    assert first.uptime_last_1d == 99.9
    assert first.supports_implicit_caching is False
    assert first.pricing is not None
    assert first.pricing.prompt == "0.000001"
    record = last(server)
    assert (record.method, record.path, record.body) == ("GET", "/api/v1/endpoints/zdr", b"")


@FACES
def test_providers_list(face: str, server: MockOpenRouter) -> None:
    """providers.list() is GET /providers: Provider records with every documented field."""
    found = run(face, server, lambda c: c.providers.list())
    assert all(isinstance(p, Provider) for p in found)
    own = found[0]
    assert (own.name, own.slug, own.headquarters, own.datacenters) == (
        "Mock",
        "mock",
        "US",
        ["US"],
    )
    assert own.privacy_policy_url == "https://mock.example/privacy"
    assert own.terms_of_service_url == "https://mock.example/terms"
    assert own.status_page_url == "https://status.mock.example"
    assert (last(server).method, last(server).path) == ("GET", "/api/v1/providers")


# -- records ------------------------------------------------------------------------------


def test_catalogue_records_tolerate_unknown_and_missing_fields() -> None:
    """Unknown fields stay in raw, missing or mistyped ones read as None."""
    provider = Provider.from_dict({"name": "X", "datacenters": "US", "founded": 1999})
    assert (provider.name, provider.slug, provider.datacenters) == ("X", None, None)
    assert provider.raw["founded"] == 1999
    models = ModelList.from_dict({"data": [], "total_count": "5", "links": {"later": 1}})
    assert models.total_count is None
    assert models.links is not None
    assert models.links.next is None
    assert ModelList.from_dict([]).links is None
    endpoint = Endpoint.from_dict({"supports_voice_cloning": True, "new": []})
    assert endpoint.supports_voice_cloning is True
    assert endpoint.raw["new"] == []
