"""The mock's model catalogue: what ``GET /models`` and ``GET /models/{id}/endpoints`` list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["CATALOGUE", "endpoints_of", "list_models", "model_entry"]


def list_models(query: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every catalogue entry, filtered by the query's ``category`` (one name, any case) and
    ``supported_parameters`` (comma-separated; an entry must accept all of them)."""
    models = [model_entry(name) for name in CATALOGUE]
    category = query.get("category", "").strip().lower()
    if category:
        models = [m for m in models if category in CATALOGUE[m["id"]]]
    wanted = [p.strip() for p in query.get("supported_parameters", "").split(",") if p.strip()]
    if wanted:
        models = [m for m in models if set(wanted) <= set(m["supported_parameters"])]
    return models


def endpoints_of(model_id: str, provider: str) -> dict[str, Any] | None:
    """The ``data`` of ``GET /models/{model_id}/endpoints``: one endpoint served by
    ``provider``; ``None`` for a model outside the catalogue."""
    if model_id not in CATALOGUE:
        return None
    entry = model_entry(model_id)
    endpoint = {
        "name": f"{provider} | {model_id}",
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
        "uptime_last_30m": 100.0,
        "supports_implicit_caching": False,
    }
    data = {key: entry[key] for key in ("id", "name", "created", "description", "architecture")}
    data["endpoints"] = [endpoint]
    return data


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
    }
