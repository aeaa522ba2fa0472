"""What the mock's account endpoints answer: generation statistics, the key, rate limits."""

from __future__ import annotations

import json
import secrets
import string
import time
from collections.abc import Mapping
from typing import Any, Final

from ._script import JSON, RenderContext

__all__ = [
    "RATE_LIMIT",
    "generation_id",
    "generation_stats",
    "key_info",
    "prompt_tokens",
    "rate_limit_headers",
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
