"""Response models: typed views of OpenRouter bodies that never raise."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrouter import _responses
from openrouter._responses import (
    ChatCompletion,
    ChatCompletionChunk,
    ChoiceDelta,
    ChoiceLogprobs,
    Completion,
    CompletionChunk,
    Credits,
    FinishReason,
    Generation,
    KeyInfo,
    ModelEndpoints,
    ModelList,
    ReasoningDetailType,
    ToolCall,
    Usage,
)

# -- fixtures written from OpenRouter's API reference --------------------------------

CHAT_COMPLETION: dict[str, Any] = {
    "id": "gen-1747000000-abcdef",
    "provider": "Anthropic",
    "model": "anthropic/claude-sonnet-4",
    "object": "chat.completion",
    "created": 1747000000,
    "choices": [
        {
            "logprobs": None,
            "finish_reason": "tool_calls",
            "native_finish_reason": "tool_use",
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Let me check the weather.",
                "refusal": None,
                "reasoning": "The user wants the weather in Paris.",
                "reasoning_details": [
                    {
                        "type": "reasoning.text",
                        "text": "The user wants the weather in Paris.",
                        "signature": "EqQBCkYIBBgCKkA",
                        "format": "anthropic-claude-v1",
                        "index": 0,
                    }
                ],
                "tool_calls": [
                    {
                        "id": "toolu_01",
                        "type": "function",
                        "index": 0,
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
                "annotations": [
                    {
                        "type": "url_citation",
                        "url_citation": {"url": "https://example.com", "title": "Example"},
                    }
                ],
            },
        }
    ],
    "usage": {
        "prompt_tokens": 120,
        "completion_tokens": 48,
        "total_tokens": 168,
        "cost": 0.000912,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 100, "audio_tokens": 0},
        "cost_details": {"upstream_inference_cost": None},
        "completion_tokens_details": {"reasoning_tokens": 12, "image_tokens": 0},
    },
}

CHUNK: dict[str, Any] = {
    "id": "gen-1747000000-abcdef",
    "provider": "OpenAI",
    "model": "openai/gpt-4o",
    "object": "chat.completion.chunk",
    "created": 1747000000,
    "choices": [
        {
            "index": 0,
            "delta": {"role": "assistant", "content": "Hel"},
            "finish_reason": None,
            "native_finish_reason": None,
            "logprobs": None,
        }
    ],
}

ERROR_CHUNK: dict[str, Any] = {
    "id": "gen-1747000000-abcdef",
    "object": "chat.completion.chunk",
    "created": 1747000001,
    "model": "openai/gpt-4o",
    "provider": "OpenAI",
    "error": {"code": "server_error", "message": "Provider disconnected"},
    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
}

COMPLETION: dict[str, Any] = {
    "id": "gen-1747000002-xyz",
    "provider": "Together",
    "model": "meta-llama/llama-3.1-8b-instruct",
    "object": "text_completion",
    "created": 1747000002,
    "choices": [
        {
            "text": "Once upon a time",
            "index": 0,
            "logprobs": None,
            "finish_reason": "length",
            "native_finish_reason": "length",
            "reasoning": None,
        }
    ],
    "system_fingerprint": None,
    "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9},
}

MODELS: dict[str, Any] = {
    "data": [
        {
            "id": "openai/gpt-4o",
            "canonical_slug": "openai/gpt-4o-2024-05-13",
            "hugging_face_id": None,
            "name": "OpenAI: GPT-4o",
            "created": 1715367049,
            "description": "GPT-4o is OpenAI's multimodal flagship.",
            "context_length": 128000,
            "architecture": {
                "modality": "text+image->text",
                "input_modalities": ["text", "image", "file"],
                "output_modalities": ["text"],
                "tokenizer": "GPT",
                "instruct_type": None,
            },
            "pricing": {
                "prompt": "0.0000025",
                "completion": "0.00001",
                "request": "0",
                "image": "0.003613",
                "web_search": "0",
                "internal_reasoning": "0",
                "input_cache_read": "0.00000125",
            },
            "top_provider": {
                "context_length": 128000,
                "max_completion_tokens": 16384,
                "is_moderated": True,
            },
            "per_request_limits": None,
            "supported_parameters": ["max_tokens", "temperature", "tools", "response_format"],
            "default_parameters": {"temperature": None},
        }
    ]
}

ENDPOINTS: dict[str, Any] = {
    "data": {
        "id": "openai/gpt-4",
        "name": "OpenAI: GPT-4",
        "created": 1692901234,
        "description": "GPT-4 is a large multimodal model.",
        "architecture": {
            "tokenizer": "GPT",
            "instruct_type": "chatml",
            "modality": "text->text",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
        },
        "endpoints": [
            {
                "name": "OpenAI: GPT-4",
                "model_name": "GPT-4",
                "context_length": 8192,
                "pricing": {"prompt": "0.00003", "completion": "0.00006"},
                "provider_name": "OpenAI",
                "tag": "openai",
                "quantization": "fp16",
                "max_completion_tokens": 4096,
                "max_prompt_tokens": 8192,
                "supported_parameters": ["temperature", "top_p", "max_tokens"],
                "status": 0,
                "uptime_last_30m": 99.5,
                "supports_implicit_caching": True,
                "latency_last_30m": {"p50": 0.25, "p99": 0.85},
            }
        ],
    }
}

CREDITS: dict[str, Any] = {"data": {"total_credits": 50, "total_usage": 42.75}}

GENERATION: dict[str, Any] = {
    "data": {
        "id": "gen-1747000000-abcdef",
        "upstream_id": "chatcmpl-123",
        "total_cost": 0.0015,
        "cache_discount": 0.0002,
        "upstream_inference_cost": 0.0015,
        "created_at": "2025-05-11T20:13:20.000Z",
        "model": "openai/gpt-4o",
        "app_id": 12345,
        "streamed": True,
        "cancelled": False,
        "provider_name": "OpenAI",
        "latency": 1250,
        "moderation_latency": 50,
        "generation_time": 1200,
        "finish_reason": "stop",
        "native_finish_reason": "stop",
        "tokens_prompt": 10,
        "tokens_completion": 25,
        "native_tokens_prompt": 10,
        "native_tokens_completion": 25,
        "native_tokens_reasoning": 5,
        "native_tokens_cached": 3,
        "num_media_prompt": 1,
        "num_media_completion": 0,
        "num_search_results": 5,
        "origin": "https://openrouter.ai/",
        "usage": 0.0015,
        "is_byok": False,
    }
}

KEY: dict[str, Any] = {
    "data": {
        "label": "sk-or-v1-au7...890",
        "limit": 100,
        "limit_remaining": 74.5,
        "limit_reset": "monthly",
        "include_byok_in_limit": False,
        "usage": 25.5,
        "usage_daily": 25.5,
        "usage_weekly": 25.5,
        "usage_monthly": 25.5,
        "byok_usage": 17.38,
        "byok_usage_daily": 17.38,
        "byok_usage_weekly": 17.38,
        "byok_usage_monthly": 17.38,
        "is_free_tier": False,
        "is_provisioning_key": False,
        "rate_limit": {"requests": 1000, "interval": "1h", "note": "deprecated"},
        "expires_at": "2027-12-31T23:59:59Z",
    }
}


# -- realistic bodies ------------------------------------------------------------------


def test_chat_completion_fields() -> None:
    """A non-streamed chat completion exposes message, reasoning, tools and usage."""
    c = ChatCompletion.from_dict(CHAT_COMPLETION)
    assert (c.id, c.provider, c.model, c.object, c.created) == (
        "gen-1747000000-abcdef",
        "Anthropic",
        "anthropic/claude-sonnet-4",
        "chat.completion",
        1747000000,
    )
    choice = c.choices[0]
    assert choice.index == 0
    assert choice.finish_reason == FinishReason.TOOL_CALLS
    assert choice.native_finish_reason == "tool_use"
    m = choice.message
    assert m.role == "assistant"
    assert m.content == "Let me check the weather."
    assert m.refusal is None
    assert m.reasoning == "The user wants the weather in Paris."
    assert m.reasoning_details is not None
    detail = m.reasoning_details[0]
    assert (detail.type, detail.signature, detail.format, detail.index) == (
        "reasoning.text",
        "EqQBCkYIBBgCKkA",
        "anthropic-claude-v1",
        0,
    )
    assert m.tool_calls is not None
    call = m.tool_calls[0]
    assert (call.id, call.type, call.function.name) == ("toolu_01", "function", "get_weather")
    assert json.loads(call.function.arguments or "") == {"city": "Paris"}
    assert m.annotations is not None
    assert m.annotations[0].type == "url_citation"
    u = c.usage
    assert u is not None
    assert (u.prompt_tokens, u.completion_tokens, u.total_tokens) == (120, 48, 168)
    assert u.cost == pytest.approx(0.000912)
    assert u.is_byok is False
    assert u.prompt_tokens_details is not None
    assert u.prompt_tokens_details.cached_tokens == 100
    assert u.completion_tokens_details is not None
    assert u.completion_tokens_details.reasoning_tokens == 12
    assert u.cost_details is not None
    assert u.cost_details.upstream_inference_cost is None
    assert c.error is None


def test_chunk_fields() -> None:
    """A streamed chunk exposes its header fields and the delta."""
    chunk = ChatCompletionChunk.from_dict(CHUNK)
    assert (chunk.id, chunk.model, chunk.provider, chunk.created, chunk.object) == (
        "gen-1747000000-abcdef",
        "openai/gpt-4o",
        "OpenAI",
        1747000000,
        "chat.completion.chunk",
    )
    choice = chunk.choices[0]
    assert choice.index == 0
    assert choice.delta.content == "Hel"
    assert choice.delta.role == "assistant"
    assert choice.delta.reasoning is None
    assert choice.delta.tool_calls is None
    assert choice.finish_reason is None
    assert choice.native_finish_reason is None
    assert choice.logprobs is None
    assert chunk.usage is None
    assert chunk.error is None


def test_chunk_tool_call_and_reasoning_delta() -> None:
    """Tool call and reasoning detail pieces are typed in a delta."""
    chunk = ChatCompletionChunk.from_dict(
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "reasoning": "Thinking",
                        "reasoning_details": [
                            {"type": "reasoning.summary", "summary": "Sum", "index": 1, "id": "r1"}
                        ],
                        "refusal": "no",
                        "tool_calls": [
                            {
                                "index": 2,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "f", "arguments": '{"a'},
                            }
                        ],
                    },
                }
            ]
        }
    )
    delta = chunk.choices[0].delta
    assert delta.reasoning == "Thinking"
    assert delta.refusal == "no"
    assert delta.reasoning_details is not None
    d = delta.reasoning_details[0]
    assert (d.type, d.summary, d.index, d.id, d.text) == ("reasoning.summary", "Sum", 1, "r1", None)
    assert delta.tool_calls is not None
    tc = delta.tool_calls[0]
    assert (tc.index, tc.id, tc.type, tc.function.name, tc.function.arguments) == (
        2,
        "call_1",
        "function",
        "f",
        '{"a',
    )


def test_final_chunk_usage() -> None:
    """The usage chunk (empty choices) carries tokens, cost and details."""
    chunk = ChatCompletionChunk.from_dict(
        {
            "id": "gen-1",
            "choices": [],
            "usage": {
                "prompt_tokens": 3,
                "completion_tokens": 7,
                "total_tokens": 10,
                "cost": 1.5e-05,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 4},
            },
        }
    )
    assert chunk.choices == []
    assert chunk.usage is not None
    assert chunk.usage.total_tokens == 10
    assert chunk.usage.cost == pytest.approx(1.5e-05)
    assert chunk.usage.prompt_tokens_details is not None
    assert chunk.usage.prompt_tokens_details.cached_tokens == 0
    assert chunk.usage.completion_tokens_details is not None
    assert chunk.usage.completion_tokens_details.reasoning_tokens == 4


def test_in_band_error_chunk() -> None:
    """An error chunk exposes the error object with its string code."""
    chunk = ChatCompletionChunk.from_dict(ERROR_CHUNK)
    assert chunk.error is not None
    assert chunk.error.code == "server_error"
    assert chunk.error.message == "Provider disconnected"
    assert chunk.error.metadata is None
    assert chunk.choices[0].finish_reason == FinishReason.ERROR


def test_error_info_metadata_helpers() -> None:
    """error_type and provider_name come from metadata."""
    chunk = ChatCompletionChunk.from_dict(
        {
            "error": {
                "code": 502,
                "message": "x",
                "metadata": {"error_type": "upstream", "provider_name": "P"},
            }
        }
    )
    assert chunk.error is not None
    assert chunk.error.code == 502
    assert chunk.error.error_type == "upstream"
    assert chunk.error.provider_name == "P"


def test_legacy_completion_and_chunk() -> None:
    """Legacy completions and their chunks expose text choices."""
    c = Completion.from_dict(COMPLETION)
    assert c.choices[0].text == "Once upon a time"
    assert c.choices[0].finish_reason == "length"
    assert c.usage is not None
    assert c.usage.total_tokens == 9
    assert c.provider == "Together"
    chunk = CompletionChunk.from_dict({"id": "g", "choices": [{"index": 0, "text": "Once"}]})
    assert chunk.choices[0].text == "Once"
    assert not isinstance(chunk, Completion)


def test_models_list() -> None:
    """GET /models: pricing, architecture, top provider and parameters."""
    models = ModelList.from_dict(MODELS)
    assert len(models) == 1
    m = next(iter(models))
    assert m.id == "openai/gpt-4o"
    assert m.canonical_slug == "openai/gpt-4o-2024-05-13"
    assert m.context_length == 128000
    assert m.pricing is not None
    assert m.pricing.prompt == "0.0000025"
    assert m.pricing.input_cache_read == "0.00000125"
    assert m.pricing.input_cache_write is None
    assert m.architecture is not None
    assert m.architecture.input_modalities == ["text", "image", "file"]
    assert m.architecture.instruct_type is None
    assert m.top_provider is not None
    assert m.top_provider.is_moderated is True
    assert m.top_provider.max_completion_tokens == 16384
    assert m.supported_parameters is not None
    assert "tools" in m.supported_parameters
    assert m.per_request_limits is None
    assert ModelList.from_dict(MODELS["data"]) == models


def test_model_endpoints() -> None:
    """list_endpoints: model info plus one entry per provider endpoint."""
    info = ModelEndpoints.from_dict(ENDPOINTS)
    assert info.id == "openai/gpt-4"
    assert info.architecture is not None
    assert info.architecture.instruct_type == "chatml"
    e = info.endpoints[0]
    assert e.provider_name == "OpenAI"
    assert e.context_length == 8192
    assert e.pricing is not None
    assert e.pricing.completion == "0.00006"
    assert e.uptime_last_30m == 99.5
    assert e.status == 0
    assert e.quantization == "fp16"
    assert e.supports_implicit_caching is True
    assert e.latency_last_30m == {"p50": 0.25, "p99": 0.85}
    assert ModelEndpoints.from_dict(ENDPOINTS["data"]) == info


def test_credits() -> None:
    """GET /credits: totals and the remaining balance."""
    c = Credits.from_dict(CREDITS)
    assert c.total_credits == 50
    assert c.total_usage == 42.75
    assert c.remaining == pytest.approx(7.25)
    assert Credits.from_dict({}).remaining is None


def test_generation() -> None:
    """GET /generation: cost, latency and native token counts."""
    g = Generation.from_dict(GENERATION)
    assert g.id == "gen-1747000000-abcdef"
    assert g.total_cost == 0.0015
    assert g.provider_name == "OpenAI"
    assert g.latency == 1250
    assert g.native_tokens_reasoning == 5
    assert g.native_tokens_cached == 3
    assert g.streamed is True
    assert g.cancelled is False
    assert g.finish_reason == "stop"
    assert g.app_id == 12345


def test_key_info() -> None:
    """GET /key: label, limits, usage and rate limit."""
    k = KeyInfo.from_dict(KEY)
    assert k.label == "sk-or-v1-au7...890"
    assert k.limit == 100
    assert k.limit_remaining == 74.5
    assert k.limit_reset == "monthly"
    assert k.is_free_tier is False
    assert k.usage_daily == 25.5
    assert k.rate_limit is not None
    assert (k.rate_limit.requests, k.rate_limit.interval) == (1000, "1h")
    assert k.rate_limit.raw["note"] == "deprecated"
    unlimited = KeyInfo.from_dict({"data": {"limit": None, "limit_remaining": None}})
    assert unlimited.limit is None
    assert unlimited.limit_remaining is None


# -- forward compatibility ---------------------------------------------------------------


def test_unknown_fields_kept_in_raw() -> None:
    """Fields the models do not know stay reachable through raw, at every level."""
    body = copy.deepcopy(CHUNK)
    body["openrouter_metadata"] = {"router": "v2"}
    body["choices"][0]["delta"]["audio"] = {"id": "a1"}
    body["choices"][0]["future"] = 1
    chunk = ChatCompletionChunk.from_dict(body)
    assert chunk.raw["openrouter_metadata"] == {"router": "v2"}
    assert chunk.choices[0].raw["future"] == 1
    assert chunk.choices[0].delta.raw["audio"] == {"id": "a1"}
    assert chunk.raw is body


def test_unknown_enum_values_pass_through() -> None:
    """A finish reason or detail type not documented today arrives unchanged."""
    chunk = ChatCompletionChunk.from_dict(
        {
            "choices": [
                {
                    "finish_reason": "paused",
                    "delta": {"role": "critic", "reasoning_details": [{"type": "reasoning.new"}]},
                }
            ]
        }
    )
    choice = chunk.choices[0]
    assert choice.finish_reason == "paused"
    assert choice.delta.role == "critic"
    assert choice.delta.reasoning_details is not None
    assert choice.delta.reasoning_details[0].type == "reasoning.new"


def test_missing_fields_are_none() -> None:
    """An empty object gives None everywhere, with delta and function still present."""
    chunk = ChatCompletionChunk.from_dict({"choices": [{}]})
    assert chunk.id is None
    assert chunk.usage is None
    choice = chunk.choices[0]
    assert choice.index is None
    assert isinstance(choice.delta, ChoiceDelta)
    assert choice.delta.content is None
    call = ToolCall.from_dict({})
    assert call.function.name is None


def test_wrong_types_become_none_not_errors() -> None:
    """A number where a string belongs reads as None and stays in raw."""
    chunk = ChatCompletionChunk.from_dict(
        {
            "id": 42,
            "created": "yesterday",
            "model": ["x"],
            "choices": [
                "not an object",
                {"index": "0", "delta": "text", "finish_reason": 3, "logprobs": []},
            ],
            "usage": "lots",
            "error": "bad",
        }
    )
    assert chunk.id is None
    assert chunk.raw["id"] == 42
    assert chunk.created is None
    assert chunk.model is None
    assert len(chunk.choices) == 2
    assert chunk.choices[0].raw == {}
    second = chunk.choices[1]
    assert second.index is None
    assert second.delta.content is None
    assert second.finish_reason is None
    assert second.logprobs is None
    assert chunk.usage is None
    assert chunk.error is None


def test_delta_lists_of_the_wrong_type_are_none() -> None:
    """tool_calls, reasoning_details and images that are not lists read as None."""
    delta = ChoiceDelta.from_dict({"tool_calls": "x", "reasoning_details": 3, "images": {}})
    assert (delta.tool_calls, delta.reasoning_details, delta.images) == (None, None, None)
    assert delta == ChoiceDelta.from_dict({})


def test_delta_lists_are_built_once() -> None:
    """Reading a delta's list or a choice's error twice gives the same object."""
    chunk = ChatCompletionChunk.from_dict(
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [{"index": 0, "function": {"arguments": "{"}}],
                        "reasoning_details": [{"type": "reasoning.text", "text": "t"}],
                        "images": [{"type": "image_url"}],
                    },
                    "error": {"code": 502},
                }
            ]
        }
    )
    choice = chunk.choices[0]
    delta = choice.delta
    assert delta.tool_calls is delta.tool_calls
    assert delta.reasoning_details is delta.reasoning_details
    assert delta.images is delta.images
    assert choice.error is choice.error
    assert choice.error is not None
    assert choice.error.code == 502


def test_integral_floats_read_as_int() -> None:
    """created and token counts written as 1.0-style floats are read as ints; bools are not."""
    chunk = ChatCompletionChunk.from_dict({"created": 1747000000.0, "choices": [{"index": True}]})
    assert chunk.created == 1747000000
    assert chunk.choices[0].index is None
    assert Usage.from_dict({"prompt_tokens": 2.5}).prompt_tokens is None


def test_numeric_price_is_spelled_as_string() -> None:
    """A price sent as a number is kept as its decimal spelling."""
    m = ModelList.from_dict({"data": [{"pricing": {"prompt": 0.5, "completion": None}}]}).data[0]
    assert m.pricing is not None
    assert m.pricing.prompt == "0.5"
    assert m.pricing.completion is None


def test_non_object_input() -> None:
    """A non-object value is treated as an empty object."""
    for value in (None, 3, "x", [1, 2], True):
        chunk = ChatCompletionChunk.from_dict(value)
        assert chunk.raw == {}
        assert chunk.choices == []


def test_equality_and_repr() -> None:
    """Equal bodies give equal models; repr names the set fields only."""
    a = ChatCompletionChunk.from_dict(copy.deepcopy(CHUNK))
    b = ChatCompletionChunk.from_dict(copy.deepcopy(CHUNK))
    assert a == b
    assert a != ChatCompletionChunk.from_dict({})
    assert "content='Hel'" in repr(a)
    assert "usage" not in repr(a)
    with pytest.raises(TypeError):
        hash(a)


# -- never raises: arbitrary JSON ---------------------------------------------------------

# Every field name the models read, so generated objects hit the typed branches
# at every depth, not only the "unknown field" path.
_VOCABULARY = sorted(
    {
        name
        for obj in vars(_responses).values()
        if isinstance(obj, type) and issubclass(obj, _responses._Record)
        for name in obj._fields
    }
    | {"data", "delta", "message", "function", "choices", "metadata", "code", "error_type"}
    | {"image_url", "server_tool_use_details"}
)

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
)
_KEYS = st.sampled_from(_VOCABULARY) | st.text(max_size=5)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=6),
    max_leaves=30,
)

_BUILDERS = [
    getattr(_responses, name)
    for name in _responses.__all__
    if hasattr(getattr(_responses, name), "from_dict")
]


@given(value=_JSON)
def test_from_dict_never_raises(value: Any) -> None:
    """Any decoded JSON value builds every model; repr and equality work on the result."""
    for model in _BUILDERS:
        built = model.from_dict(value)
        repr(built)
        assert built == model.from_dict(value)


@given(value=st.dictionaries(_KEYS, _JSON, max_size=5))
def test_chunk_attributes_have_declared_types(value: dict[str, Any]) -> None:
    """Whatever the input, the chunk's typed attributes hold the declared types."""
    chunk = ChatCompletionChunk.from_dict(value)
    assert chunk.id is None or type(chunk.id) is str
    assert chunk.created is None or type(chunk.created) is int
    for choice in chunk.choices:
        assert choice.index is None or type(choice.index) is int
        delta = choice.delta
        for text in (delta.content, delta.role, delta.reasoning, delta.refusal):
            assert text is None or type(text) is str
        for call in delta.tool_calls or ():
            assert call.function.arguments is None or type(call.function.arguments) is str
        for detail in delta.reasoning_details or ():
            assert detail.text is None or type(detail.text) is str
        for annotation in delta.annotations or ():
            citation = annotation.url_citation
            assert (
                citation is None
                or citation.start_index is None
                or type(citation.start_index) is int
            )
        if delta.audio is not None:
            assert delta.audio.data is None or type(delta.audio.data) is str
        for image in delta.images or ():
            assert image.url is None or type(image.url) is str
        for token in (choice.logprobs.content or ()) if choice.logprobs is not None else ():
            assert token.logprob is None or type(token.logprob) in (int, float)
            assert all(type(b) is int for b in token.bytes or ())
    assert chunk.service_tier is None or type(chunk.service_tier) is str
    if chunk.usage is not None:
        assert chunk.usage.cost is None or type(chunk.usage.cost) in (int, float)
    if chunk.error is not None:
        assert chunk.error.code is None or type(chunk.error.code) in (int, str)


# -- what real traffic carries beyond the basics ----------------------------------------

_CITATION = {
    "type": "url_citation",
    "url_citation": {
        "url": "https://example.com/lighthouses",
        "title": "Lighthouses of the world",
        "content": "A lighthouse guides ships at night.",
        "start_index": 10,
        "end_index": 42,
    },
}

_LOGPROBS = {
    "content": [
        {
            "token": "Hi",
            "logprob": -0.25,
            "bytes": [72, 105],
            "top_logprobs": [
                {"token": "Hi", "logprob": -0.25, "bytes": [72, 105]},
                {"token": "Hello", "logprob": -1.5, "bytes": None},
            ],
        }
    ],
    "refusal": None,
}

_WEB_SEARCH_RESPONSE = {
    "id": "gen-1747000002-websearch",
    "object": "chat.completion",
    "created": 1747000002,
    "model": "openai/gpt-4o",
    "provider": "OpenAI",
    "system_fingerprint": "fp_07871e2ad8",
    "service_tier": "default",
    "openrouter_metadata": {"requested": "openai/gpt-4o:online", "strategy": "direct"},
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "logprobs": _LOGPROBS,
            "message": {
                "role": "assistant",
                "content": "According to example.com, a lighthouse guides ships.",
                "refusal": None,
                "annotations": [_CITATION],
                "images": [
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBO"}}
                ],
                "audio": {
                    "id": "audio_abc",
                    "data": "UklGR",
                    "transcript": "Hi there",
                    "expires_at": 1747003600,
                },
            },
        }
    ],
    "usage": {
        "prompt_tokens": 900,
        "completion_tokens": 40,
        "total_tokens": 940,
        "cost": 0.0213,
        "is_byok": True,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 800, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 1290},
        "cost_details": {
            "upstream_inference_cost": 0.0195,
            "upstream_inference_prompt_cost": 0.0180,
            "upstream_inference_completions_cost": 0.0015,
        },
        "server_tool_use": {"web_search_requests": 1},
    },
}


def test_message_annotations_images_and_audio_are_typed() -> None:
    """url_citation annotations, generated images and audio output are typed records."""
    message = ChatCompletion.from_dict(_WEB_SEARCH_RESPONSE).choices[0].message
    assert message.annotations is not None
    (annotation,) = message.annotations
    assert annotation.type == "url_citation"
    citation = annotation.url_citation
    assert citation is not None
    assert (citation.url, citation.title, citation.content) == (
        "https://example.com/lighthouses",
        "Lighthouses of the world",
        "A lighthouse guides ships at night.",
    )
    assert (citation.start_index, citation.end_index) == (10, 42)
    assert message.images is not None
    assert [(i.type, i.url) for i in message.images] == [
        ("image_url", "data:image/png;base64,iVBO")
    ]
    audio = message.audio
    assert audio is not None
    assert (audio.id, audio.data, audio.transcript, audio.expires_at) == (
        "audio_abc",
        "UklGR",
        "Hi there",
        1747003600,
    )


def test_response_level_service_tier_fingerprint_and_metadata() -> None:
    """service_tier, system_fingerprint and openrouter_metadata are read on bodies and chunks."""
    body = ChatCompletion.from_dict(_WEB_SEARCH_RESPONSE)
    assert (body.service_tier, body.system_fingerprint) == ("default", "fp_07871e2ad8")
    assert body.openrouter_metadata == {
        "requested": "openai/gpt-4o:online",
        "strategy": "direct",
    }
    chunk = ChatCompletionChunk.from_dict(
        {**CHUNK, "service_tier": "flex", "openrouter_metadata": {"strategy": "auto"}}
    )
    assert chunk.service_tier == "flex"
    assert chunk.openrouter_metadata == {"strategy": "auto"}
    wrong = ChatCompletionChunk.from_dict({"service_tier": 1, "openrouter_metadata": []})
    assert (wrong.service_tier, wrong.openrouter_metadata) == (None, None)


def test_usage_cost_details_server_tools_and_token_details() -> None:
    """cost_details, server_tool_use and the token details are typed."""
    usage = ChatCompletion.from_dict(_WEB_SEARCH_RESPONSE).usage
    assert usage is not None
    assert usage.is_byok is True
    assert usage.cost_details is not None
    assert usage.cost_details.upstream_inference_cost == pytest.approx(0.0195)
    assert usage.cost_details.upstream_inference_prompt_cost == pytest.approx(0.0180)
    assert usage.cost_details.upstream_inference_completions_cost == pytest.approx(0.0015)
    assert usage.server_tool_use is not None
    assert usage.server_tool_use.web_search_requests == 1
    assert usage.server_tool_use.tool_calls_requested is None
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cache_write_tokens == 800
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.image_tokens == 1290


def test_usage_reads_the_openapi_spelling_of_server_tool_use() -> None:
    """server_tool_use_details (the OpenAPI name) is read when server_tool_use is absent."""
    usage = Usage.from_dict(
        {"server_tool_use_details": {"tool_calls_requested": 2, "tool_calls_executed": 1}}
    )
    assert usage.server_tool_use is not None
    assert (
        usage.server_tool_use.tool_calls_requested,
        usage.server_tool_use.tool_calls_executed,
    ) == (
        2,
        1,
    )


def test_choice_logprobs_are_typed() -> None:
    """logprobs.content holds token, logprob, bytes and top_logprobs, in bodies and chunks."""
    logprobs = ChatCompletion.from_dict(_WEB_SEARCH_RESPONSE).choices[0].logprobs
    assert logprobs is not None
    assert logprobs.refusal is None
    assert logprobs.content is not None
    (token,) = logprobs.content
    assert (token.token, token.logprob, token.bytes) == ("Hi", -0.25, [72, 105])
    assert token.top_logprobs is not None
    assert [(t.token, t.logprob, t.bytes) for t in token.top_logprobs] == [
        ("Hi", -0.25, [72, 105]),
        ("Hello", -1.5, None),
    ]
    chunk = ChatCompletionChunk.from_dict({"choices": [{"delta": {}, "logprobs": _LOGPROBS}]})
    streamed = chunk.choices[0].logprobs
    assert streamed == logprobs
    assert streamed is chunk.choices[0].logprobs


def test_logprobs_of_the_wrong_types_read_as_none() -> None:
    """A logprob that is not a number, bytes that are not ints, a list that is not a list."""
    logprobs = ChoiceLogprobs.from_dict(
        {"content": [{"token": 5, "logprob": "-1", "bytes": [1, "2", 3.5]}], "refusal": {}}
    )
    assert logprobs.refusal is None
    assert logprobs.content is not None
    token = logprobs.content[0]
    assert (token.token, token.logprob, token.bytes, token.top_logprobs) == (None, None, [1], None)


def test_every_reasoning_detail_variant() -> None:
    """Summary, text with signature, encrypted and server-tool-call entries keep their fields."""
    message = (
        ChatCompletion.from_dict(
            {
                "choices": [
                    {
                        "message": {
                            "reasoning_details": [
                                {
                                    "type": "reasoning.summary",
                                    "summary": "Checked the map.",
                                    "id": "rs_1",
                                    "format": "xai-responses-v1",
                                    "index": 0,
                                },
                                {
                                    "type": "reasoning.text",
                                    "text": "t",
                                    "signature": "sig",
                                    "index": 1,
                                },
                                {
                                    "type": "reasoning.encrypted",
                                    "data": "gAAAA",
                                    "id": "rs_2",
                                    "index": 2,
                                },
                                {
                                    "type": "reasoning.server_tool_call",
                                    "tool_name": "openrouter:web_search",
                                    "tool_call_id": "call_9",
                                    "arguments": '{"query":"lighthouse"}',
                                    "result": '{"results":[]}',
                                    "id": "st_1",
                                    "format": "unknown",
                                    "index": 3,
                                },
                            ]
                        }
                    }
                ]
            }
        )
        .choices[0]
        .message
    )
    assert message.reasoning_details is not None
    summary, text, encrypted, tool = message.reasoning_details
    assert summary.type == ReasoningDetailType.SUMMARY
    assert (summary.summary, summary.id, summary.format, summary.index) == (
        "Checked the map.",
        "rs_1",
        "xai-responses-v1",
        0,
    )
    assert text.type == ReasoningDetailType.TEXT
    assert (text.text, text.signature) == ("t", "sig")
    assert encrypted.type == ReasoningDetailType.ENCRYPTED
    assert (encrypted.data, encrypted.id) == ("gAAAA", "rs_2")
    assert tool.type == ReasoningDetailType.SERVER_TOOL_CALL
    assert (tool.tool_name, tool.tool_call_id, tool.arguments, tool.result) == (
        "openrouter:web_search",
        "call_9",
        '{"query":"lighthouse"}',
        '{"results":[]}',
    )
    assert (tool.id, tool.format, tool.index) == ("st_1", "unknown", 3)


def test_delta_annotations_audio_and_images() -> None:
    """A delta's annotations, audio piece and images are typed and built once."""
    delta = ChoiceDelta.from_dict(
        {
            "content": "",
            "annotations": [_CITATION],
            "audio": {"id": "audio_abc", "data": "UklG", "transcript": "Hi"},
            "images": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}],
        }
    )
    assert delta.annotations is not None
    assert delta.annotations[0].url_citation is not None
    assert delta.annotations[0].url_citation.end_index == 42
    assert delta.audio is not None
    assert (delta.audio.id, delta.audio.data, delta.audio.transcript, delta.audio.expires_at) == (
        "audio_abc",
        "UklG",
        "Hi",
        None,
    )
    assert delta.images is not None
    assert delta.images[0].url == "data:image/png;base64,AA"
    assert delta.annotations is delta.annotations
    assert delta.audio is delta.audio
    wrong = ChoiceDelta.from_dict({"annotations": {}, "audio": "x", "images": 3})
    assert (wrong.annotations, wrong.audio, wrong.images) == (None, None, None)


class _CountingDict(dict[str, Any]):
    """A dict that records the keys read through ``get``."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.read.append(key)
        return super().get(key, default)


def test_building_a_delta_reads_only_content() -> None:
    """The per-chunk cost stays one lookup: every other delta field is read on access."""
    raw = _CountingDict({"content": "a", "annotations": [_CITATION], "audio": {"data": "UklG"}})
    delta = ChoiceDelta(raw)
    assert raw.read == ["content"]
    assert delta.audio is not None
    assert raw.read == ["content", "audio"]


def test_generation_fields_of_the_current_api() -> None:
    """router, service_tier, session/request ids, provider_responses and the rest are read."""
    g = Generation.from_dict(
        {
            "data": {
                "id": "gen-1",
                "request_id": "req-1",
                "session_id": "conversation-7",
                "router": "openrouter/auto",
                "service_tier": "priority",
                "api_type": "completions",
                "data_region": "europe",
                "web_search_engine": "exa",
                "num_fetches": 2,
                "num_input_audio_prompt": 1,
                "native_tokens_completion_images": 1290,
                "preset_id": None,
                "workspace_id": "ws-1",
                "external_user": "user-123",
                "http_referer": "https://example.com",
                "user_agent": "openrouter-python",
                "response_cache_source_id": "gen-0",
                "provider_responses": [
                    {
                        "id": "chatcmpl-1",
                        "endpoint_id": "ep-1",
                        "model_permaslug": "openai/gpt-4o-2024-08-06",
                        "provider_name": "OpenAI",
                        "status": 200,
                        "latency": 812.5,
                        "is_byok": False,
                        "routed_service_tier": "priority",
                    },
                    "not an object",
                ],
            }
        }
    )
    assert (g.request_id, g.session_id, g.router, g.service_tier) == (
        "req-1",
        "conversation-7",
        "openrouter/auto",
        "priority",
    )
    assert (g.api_type, g.data_region, g.web_search_engine) == ("completions", "europe", "exa")
    assert (g.num_fetches, g.num_input_audio_prompt, g.native_tokens_completion_images) == (
        2,
        1,
        1290,
    )
    assert (g.preset_id, g.workspace_id, g.external_user) == (None, "ws-1", "user-123")
    assert (g.http_referer, g.user_agent) == ("https://example.com", "openrouter-python")
    assert g.response_cache_source_id == "gen-0"
    assert g.provider_responses is not None
    (attempt,) = g.provider_responses
    assert (attempt.id, attempt.endpoint_id, attempt.model_permaslug) == (
        "chatcmpl-1",
        "ep-1",
        "openai/gpt-4o-2024-08-06",
    )
    assert (attempt.provider_name, attempt.status, attempt.latency) == ("OpenAI", 200, 812.5)
    assert (attempt.is_byok, attempt.routed_service_tier) == (False, "priority")


def test_model_fields_of_the_current_api() -> None:
    """benchmarks, knowledge_cutoff, expiration_date, reasoning, voices, links, alias_target."""
    (model,) = ModelList.from_dict(
        {
            "data": [
                {
                    "id": "openai/gpt-4o~latest",
                    "knowledge_cutoff": "2023-10-01",
                    "expiration_date": None,
                    "supported_voices": ["alloy", "verse"],
                    "links": {
                        "details": "https://openrouter.ai/api/v1/models/openai/gpt-4o/endpoints"
                    },
                    "benchmarks": {"artificial_analysis": {"intelligence_index": 41.2}},
                    "alias_target": {"slug": "openai/gpt-4o-2024-11-20", "name": "GPT-4o"},
                    "reasoning": {
                        "supported_efforts": ["max", "high", "low", "none"],
                        "default_effort": "high",
                        "default_enabled": False,
                        "mandatory": False,
                        "supports_max_tokens": True,
                    },
                    "pricing": {"audio_output": "0.00008", "input_cache_write_1h": "0.000006"},
                }
            ]
        }
    )
    assert (model.knowledge_cutoff, model.expiration_date) == ("2023-10-01", None)
    assert model.supported_voices == ["alloy", "verse"]
    assert model.links == {"details": "https://openrouter.ai/api/v1/models/openai/gpt-4o/endpoints"}
    assert model.benchmarks == {"artificial_analysis": {"intelligence_index": 41.2}}
    assert model.alias_target is not None
    assert (model.alias_target.slug, model.alias_target.name) == (
        "openai/gpt-4o-2024-11-20",
        "GPT-4o",
    )
    reasoning = model.reasoning
    assert reasoning is not None
    assert reasoning.supported_efforts == ["max", "high", "low", "none"]
    assert (reasoning.default_effort, reasoning.default_enabled) == ("high", False)
    assert (reasoning.mandatory, reasoning.supports_max_tokens) == (False, True)
    assert model.pricing is not None
    assert (model.pricing.audio_output, model.pricing.input_cache_write_1h) == (
        "0.00008",
        "0.000006",
    )
