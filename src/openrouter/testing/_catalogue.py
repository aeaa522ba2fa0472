"""The mock's model catalogue: what ``GET /models`` (and its count, the
per-user list and the single model), ``GET /models/{id}/endpoints``,
``GET /endpoints/zdr`` and ``GET /providers`` answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlencode

__all__ = [
    "CATALOGUE",
    "ZDR_MODELS",
    "count_models",
    "endpoints_of",
    "list_models",
    "model_entry",
    "page",
    "providers",
    "zdr_endpoints",
]


def _listed(query: Mapping[str, str], name: str) -> list[str]:
    """The comma-separated items of query parameter ``name``."""
    return [item.strip() for item in query.get(name, "").split(",") if item.strip()]


def _modalities_match(wanted: list[str], offered: list[str]) -> bool:
    return not wanted or "all" in wanted or bool(set(wanted) & set(offered))


def list_models(query: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every catalogue entry, filtered by the query's ``category`` (one name, any case),
    ``supported_parameters`` (comma-separated; an entry must accept all of them),
    ``output_modalities``/``input_modalities`` (any of them; ``all`` lifts the filter),
    ``q`` (a piece of the id or name, any case), ``context`` (the smallest context
    length) and ``model_authors`` (the part of the id before ``/``). Other filters are
    accepted and change nothing."""
    models = [model_entry(name) for name in CATALOGUE]
    category = query.get("category", "").strip().lower()
    if category:
        models = [m for m in models if category in CATALOGUE[m["id"]]]
    wanted = _listed(query, "supported_parameters")
    if wanted:
        models = [m for m in models if set(wanted) <= set(m["supported_parameters"])]
    for name in ("output_modalities", "input_modalities"):
        asked = _listed(query, name)
        models = [m for m in models if _modalities_match(asked, m["architecture"][name])]
    text = query.get("q", "").strip().lower()
    if text:
        models = [m for m in models if text in m["id"].lower() or text in m["name"].lower()]
    context = query.get("context", "")
    if context.isdigit():
        models = [m for m in models if m["context_length"] >= int(context)]
    authors = _listed(query, "model_authors")
    if authors:
        models = [m for m in models if m["id"].split("/", 1)[0] in authors]
    return models


def count_models(query: Mapping[str, str]) -> int:
    """What ``GET /models/count`` answers: the entries with the asked ``output_modalities``."""
    return len(list_models({"output_modalities": query.get("output_modalities", "")}))


def page(
    models: list[dict[str, Any]], query: Mapping[str, str], path: str
) -> dict[str, Any] | None:
    """The body of a model list: ``data`` paged by ``offset``/``limit`` when either
    is given (else whole), ``total_count``, and ``links.next`` (``path`` with the next
    page's query, ``None`` on the last page). ``None`` when ``offset`` is not a
    number or ``limit`` is not one in [1, 1000] (the caller answers 400)."""
    offset_text, limit_text = query.get("offset"), query.get("limit")
    if offset_text is None and limit_text is None:
        return {"data": models, "total_count": len(models), "links": {"next": None}}
    offset_text, limit_text = offset_text or "0", limit_text or "500"
    if not (offset_text.isdigit() and limit_text.isdigit() and 1 <= int(limit_text) <= 1000):
        return None
    offset, limit = int(offset_text), int(limit_text)
    end = offset + limit
    following = None
    if end < len(models):
        following = f"{path}?{urlencode({**query, 'offset': end, 'limit': limit})}"
    return {"data": models[offset:end], "total_count": len(models), "links": {"next": following}}


def _endpoint(entry: Mapping[str, Any], provider: str) -> dict[str, Any]:
    """The one endpoint of catalogue ``entry``, served by ``provider`` (a ``PublicEndpoint``)."""
    return {
        "name": f"{provider} | {entry['id']}",
        "model_id": entry["id"],
        "model_name": entry["name"],
        "context_length": entry["context_length"],
        "pricing": entry["pricing"],
        "provider_name": provider,
        "tag": provider.lower(),
        "quantization": "fp16",
        "max_completion_tokens": 4096,
        "max_prompt_tokens": None,
        "supported_parameters": entry["supported_parameters"],
        "status": 0,
        "uptime_last_5m": 100.0,
        "uptime_last_30m": 100.0,
        "uptime_last_1d": 99.9,
        "supports_implicit_caching": False,
        "latency_last_30m": {"p50": 120.0, "p75": 180.0, "p90": 260.0, "p99": 700.0},
        "throughput_last_30m": {"p50": 85.0, "p75": 70.0, "p90": 55.0, "p99": 30.0},
    }


def endpoints_of(model_id: str, provider: str) -> dict[str, Any] | None:
    """The ``data`` of ``GET /models/{model_id}/endpoints``: one endpoint served by
    ``provider``; ``None`` for a model outside the catalogue."""
    if model_id not in CATALOGUE:
        return None
    entry = model_entry(model_id)
    data = {key: entry[key] for key in ("id", "name", "created", "description", "architecture")}
    data["endpoints"] = [_endpoint(entry, provider)]
    return data


def zdr_endpoints(provider: str) -> list[dict[str, Any]]:
    """The ``data`` of ``GET /endpoints/zdr``: the endpoints of :data:`ZDR_MODELS`."""
    return [_endpoint(model_entry(model_id), provider) for model_id in ZDR_MODELS]


def providers(provider: str) -> list[dict[str, Any]]:
    """The ``data`` of ``GET /providers``: the mock's own ``provider`` and two more."""
    found = []
    for name, headquarters, datacenters in (
        (provider, "US", ["US"]),
        ("Mock Europe", "DE", ["DE", "IE"]),
        ("Mock Asia", "SG", ["SG", "JP"]),
    ):
        slug = name.lower().replace(" ", "-")
        found.append(
            {
                "name": name,
                "slug": slug,
                "privacy_policy_url": f"https://{slug}.example/privacy",
                "terms_of_service_url": f"https://{slug}.example/terms",
                "status_page_url": f"https://status.{slug}.example",
                "headquarters": headquarters,
                "datacenters": datacenters,
            }
        )
    return found


#: The mock catalogue: model id -> the categories it is listed under.
CATALOGUE: Final[Mapping[str, frozenset[str]]] = {
    "mock/story": frozenset({"roleplay", "marketing"}),
    "mock/keepalive": frozenset(),
    "mock/reasoning": frozenset({"science", "academia"}),
    "mock/tools": frozenset({"programming", "technology"}),
    "mock/usage": frozenset(),
    "mock/error-int": frozenset(),
    "mock/error-str": frozenset(),
    "mock/truncated": frozenset(),
    "mock/stall": frozenset(),
    "mock/drip": frozenset(),
    "mock/429": frozenset(),
    "mock/availability": frozenset(),
    "mock/error-body-200": frozenset(),
    "mock/html-502": frozenset(),
    "mock/big": frozenset(),
    "mock/cr": frozenset(),
    "mock/utf8-split": frozenset(),
    "mock/web-search": frozenset({"trivia"}),
    "mock/audio": frozenset(),
    "mock/reasoning-encrypted": frozenset(),
    "mock/error-usage": frozenset(),
}

#: The models whose endpoints ``GET /endpoints/zdr`` lists (zero data retention).
ZDR_MODELS: Final = ("mock/story", "mock/tools", "mock/reasoning")

_BASE_PARAMETERS: Final = ("max_tokens", "temperature", "top_p", "stop", "seed")


def model_entry(model_id: str) -> dict[str, Any]:
    """The ``GET /models`` entry of ``model_id``."""
    parameters = list(_BASE_PARAMETERS)
    if model_id == "mock/tools":
        parameters += ["tools", "tool_choice"]
    if model_id == "mock/reasoning":
        parameters += ["reasoning", "include_reasoning"]
    slug = model_id.split("/", 1)[1]
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "hugging_face_id": None,
        "name": f"Mock: {slug}",
        "created": 1_700_000_000,
        "description": f"The {model_id} scenario of openrouter.testing.",
        "context_length": 32768,
        "architecture": {
            "modality": "text->text",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {
            "prompt": "0.000001",
            "completion": "0.000002",
            "request": "0",
            "image": "0",
            "web_search": "0",
            "internal_reasoning": "0",
        },
        "top_provider": {
            "context_length": 32768,
            "max_completion_tokens": 4096,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": parameters,
        "default_parameters": {},
        "knowledge_cutoff": None,
        "expiration_date": None,
        "links": {"details": f"/api/v1/models/{model_id}/endpoints"},
    }
