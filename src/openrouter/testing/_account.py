"""What the mock's account endpoints answer: generation statistics and content,
activity, the calling key and the keys it manages, authorization codes, rate limits."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import string
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final

from ._script import JSON, RenderContext

__all__ = [
    "AUTH_CODE_FIELDS",
    "EXCHANGE_FIELDS",
    "FEEDBACK_CATEGORIES",
    "KEY_CREATE_FIELDS",
    "KEY_UPDATE_FIELDS",
    "RATE_LIMIT",
    "WORKSPACE_ID",
    "activity_rows",
    "body_problem",
    "challenge_matches",
    "generation_content",
    "generation_id",
    "generation_stats",
    "key_info",
    "new_key",
    "prompt_tokens",
    "rate_limit_headers",
    "timestamp",
    "update_key",
]

#: Requests per window the mock claims in ``X-RateLimit-Limit`` and ``GET /key``.
RATE_LIMIT: Final = 1000

_ALNUM: Final = string.ascii_letters + string.digits


def generation_id() -> str:
    """A fresh id shaped like OpenRouter's: ``gen-<unix time>-<20 letters and digits>``."""
    tail = "".join(secrets.choice(_ALNUM) for _ in range(20))
    return f"gen-{int(time.time())}-{tail}"


def prompt_tokens(payload: Mapping[str, Any]) -> int:
    """The prompt tokens the mock bills for a request body (at least 1)."""
    # A stable stand-in for a tokenizer: one token per four characters.
    source = payload.get("messages", payload.get("prompt", ""))
    return max(1, len(json.dumps(source, ensure_ascii=False)) // 4)


def rate_limit_headers(request_count: int) -> list[tuple[str, str]]:
    """The ``X-RateLimit-*`` headers after ``request_count`` requests; the window resets
    at the next full minute."""
    remaining = max(0, RATE_LIMIT - request_count)
    reset_ms = (int(time.time()) // 60 + 1) * 60 * 1000
    return [
        ("X-RateLimit-Limit", str(RATE_LIMIT)),
        ("X-RateLimit-Remaining", str(remaining)),
        ("X-RateLimit-Reset", str(reset_ms)),
    ]


def generation_stats(ctx: RenderContext, reply: Mapping[str, Any], *, streamed: bool) -> JSON:
    """The ``data`` of ``GET /generation?id=...`` for the request rendered with ``ctx``,
    whose non-streamed reply is ``reply`` (its ``usage`` and finish reason are reported)."""
    usage = reply.get("usage") or {}
    cost = float(usage.get("cost", 0.0))
    choices = reply.get("choices") or [{}]
    finish = choices[0].get("finish_reason")
    return {
        "id": ctx.generation_id,
        "upstream_id": "mock-" + ctx.generation_id,
        "total_cost": cost,
        "cache_discount": None,
        "upstream_inference_cost": None,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ctx.created)),
        "model": ctx.model,
        "app_id": None,
        "streamed": streamed,
        "cancelled": False,
        "provider_name": ctx.provider,
        "latency": 0,
        "moderation_latency": None,
        "generation_time": 0,
        "finish_reason": finish,
        "native_finish_reason": finish,
        "tokens_prompt": usage.get("prompt_tokens", ctx.prompt_tokens),
        "tokens_completion": usage.get("completion_tokens", 0),
        "native_tokens_prompt": usage.get("prompt_tokens", ctx.prompt_tokens),
        "native_tokens_completion": usage.get("completion_tokens", 0),
        "native_tokens_reasoning": 0,
        "num_media_prompt": None,
        "num_media_completion": None,
        "num_search_results": None,
        "origin": "",
        "usage": cost,
        "is_byok": False,
        "api_type": "completions",
    }


def key_info(token: str, used: float) -> JSON:
    """The ``data`` of ``GET /key`` for ``token`` (shown shortened) having spent ``used``
    credits of a 100-credit limit."""
    label = token[:6] + "..." + token[-3:] if len(token) > 9 else token
    return {
        "label": label,
        "limit": 100.0,
        "usage": used,
        "usage_daily": used,
        "usage_weekly": used,
        "usage_monthly": used,
        "limit_remaining": round(100.0 - used, 9),
        "limit_reset": None,
        "is_free_tier": False,
        "is_provisioning_key": False,
        "include_byok_in_limit": False,
        "rate_limit": {"requests": RATE_LIMIT, "interval": "10s"},
    }


#: The workspace the mock attributes everything to (``group_by=workspace``, new keys).
WORKSPACE_ID: Final = "00000000-0000-4000-8000-000000000001"

#: The categories ``POST /generation/feedback`` accepts.
FEEDBACK_CATEGORIES: Final = frozenset(
    {"latency", "incoherence", "incorrect_response", "formatting", "billing", "api_error", "other"}
)

#: What each key field of a body may hold: JSON types by name (``None`` for ``null``).
KEY_CREATE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "name": ("str",),
    "limit": ("number", "null"),
    "limit_reset": ("str", "null"),
    "include_byok_in_limit": ("bool",),
    "expires_at": ("str", "null"),
    "workspace_id": ("str",),
    "creator_user_id": ("str", "null"),
}
KEY_UPDATE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "name": ("str",),
    "disabled": ("bool",),
    "limit": ("number", "null"),
    "limit_reset": ("str", "null"),
    "include_byok_in_limit": ("bool",),
}
AUTH_CODE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "callback_url": ("str",),
    "code_challenge": ("str",),
    "code_challenge_method": ("str",),
    "limit": ("number",),
    "expires_at": ("str", "null"),
    "key_label": ("str",),
    "usage_limit_type": ("str",),
    "workspace_id": ("str",),
}
EXCHANGE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "code": ("str",),
    "code_verifier": ("str",),
    "code_challenge_method": ("str", "null"),
}

_LIMIT_RESETS: Final = frozenset({"daily", "weekly", "monthly"})


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "str" if isinstance(value, str) else type(value).__name__


def body_problem(
    body: object, types: Mapping[str, tuple[str, ...]], required: Iterable[str] = ()
) -> str | None:
    """What makes ``body`` a 400: not an object, a ``required`` member missing
    or empty, a member of ``types`` of another JSON type, or a reset interval
    (``limit_reset``, ``usage_limit_type``) outside daily/weekly/monthly.
    ``None`` when it is fine; unknown members are ignored, as the API does."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    for name in required:
        if body.get(name) in (None, ""):
            return f"{name}: Field required"
    for name, allowed in types.items():
        if name in body and _json_type(body[name]) not in allowed:
            return f"{name}: expected {' or '.join(allowed)}, got {_json_type(body[name])}"
    for name in ("limit_reset", "usage_limit_type"):
        if body.get(name) is not None and body[name] not in _LIMIT_RESETS:
            return f"{name}: expected daily, weekly or monthly"
    return None


def timestamp(when: float | None = None) -> str:
    """``when`` (Unix time, default now) as the API writes times: ISO 8601 in UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if when is None else when))


def new_key(body: Mapping[str, Any]) -> tuple[str, JSON]:
    """A fresh ``sk-or-v1-`` key and its record (``GET /keys/{hash}``'s ``data``)
    for the create-key ``body``; the hash is the key's SHA-256, as the API's."""
    key = "sk-or-v1-" + secrets.token_hex(32)
    now = timestamp()
    limit = body.get("limit")
    record: JSON = {
        "hash": hashlib.sha256(key.encode()).hexdigest(),
        "name": body["name"],
        "label": f"{key[:12]}...{key[-3:]}",
        "disabled": False,
        "limit": limit,
        "limit_remaining": limit,
        "limit_reset": body.get("limit_reset"),
        "include_byok_in_limit": body.get("include_byok_in_limit", False),
        "usage": 0.0,
        "usage_daily": 0.0,
        "usage_weekly": 0.0,
        "usage_monthly": 0.0,
        "byok_usage": 0.0,
        "byok_usage_daily": 0.0,
        "byok_usage_weekly": 0.0,
        "byok_usage_monthly": 0.0,
        "created_at": now,
        "updated_at": None,
        "expires_at": body.get("expires_at"),
        "creator_user_id": body.get("creator_user_id"),
        "workspace_id": body.get("workspace_id", WORKSPACE_ID),
    }
    return key, record


def update_key(record: JSON, body: Mapping[str, Any]) -> None:
    """Apply a ``PATCH /keys/{hash}`` ``body`` (already checked) to ``record``."""
    for name in KEY_UPDATE_FIELDS:
        if name in body:
            record[name] = body[name]
    if "limit" in body:
        limit = body["limit"]
        record["limit_remaining"] = None if limit is None else limit - record["usage"]
    record["updated_at"] = timestamp()


def challenge_matches(challenge: str, method: str | None, verifier: object) -> bool:
    """Whether ``verifier`` answers the PKCE ``challenge`` made with ``method``
    (``"S256"``, or ``"plain"``; RFC 7636, 4.6)."""
    if not isinstance(verifier, str):
        return False
    if method == "plain":
        return secrets.compare_digest(challenge, verifier)
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return secrets.compare_digest(challenge, computed)


def generation_content(payload: Mapping[str, Any], reply: Mapping[str, Any]) -> JSON:
    """The ``data`` of ``GET /generation/content`` for a request ``payload`` answered
    with ``reply`` (a chat completion or a legacy text completion)."""
    if "messages" in payload:
        source: JSON = {"messages": payload["messages"]}
    else:
        source = {"prompt": payload.get("prompt", "")}
    choices = reply.get("choices") or [{}]
    first = choices[0] if isinstance(choices[0], dict) else {}
    message = first.get("message") or {}
    completion = message.get("content") if "message" in first else first.get("text")
    return {
        "input": source,
        "output": {"completion": completion, "reasoning": message.get("reasoning")},
        "error": None,
    }


def activity_rows(
    generations: Iterable[Mapping[str, Any]], *, date: str | None, by_workspace: bool
) -> list[JSON]:
    """The ``data`` of ``GET /activity``: the generations the mock served (their
    ``GET /generation`` statistics), summed per day and model, for one ``date``
    (``YYYY-MM-DD``) or all; ``by_workspace`` adds ``workspace_id`` to each row."""
    rows: dict[tuple[str, str], JSON] = {}
    for stats in generations:
        day = str(stats.get("created_at", ""))[:10]
        if date is not None and day != date:
            continue
        model = str(stats.get("model"))
        row = rows.get((day, model))
        if row is None:
            row = rows[day, model] = {
                "date": day,
                "model": model,
                "model_permaslug": model,
                "endpoint_id": hashlib.sha256(model.encode()).hexdigest()[:32],
                "provider_name": stats.get("provider_name"),
                "usage": 0.0,
                "byok_usage_inference": 0.0,
                "requests": 0,
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "reasoning_tokens": 0,
            }
            if by_workspace:
                row["workspace_id"] = WORKSPACE_ID
        row["usage"] += stats.get("total_cost") or 0.0
        row["requests"] += 1
        row["prompt_tokens"] += stats.get("tokens_prompt") or 0
        row["completion_tokens"] += stats.get("tokens_completion") or 0
        row["reasoning_tokens"] += stats.get("native_tokens_reasoning") or 0
    return list(rows.values())
