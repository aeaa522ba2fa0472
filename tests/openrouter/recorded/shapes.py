"""Event streams in the wire shapes that OpenRouter and the providers behind it
really send, each with the non-streamed body of the same generation.

Every case reproduces the structure of a stream that someone else recorded
or documented (named in its ``source``): which keys appear on which chunk,
in which order, with which indexes, nulls and repeats, and which comments
and line endings frame them. The ids, texts, numbers and opaque blobs are
our own. ``expected`` is the body a non-streamed call returns for that
generation (``object == "chat.completion"``, each choice's ``message``);
keys that a non-streamed body has but that no chunk of the stream carries
(OpenAI's ``"annotations": []`` on a plain message, for one) are left out,
since no reader of the stream can know them.

A case with ``error=True`` ends in an in-band error chunk: ``expected`` is
then the ``partial`` result that the error carries (everything merged, the
error chunk included).
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["CASES", "Case"]

#: OpenRouter's keepalive comment.
KEEPALIVE: Final = ": OPENROUTER PROCESSING"
#: The end-of-stream sentinel.
DONE: Final = "data: [DONE]"

Item = dict[str, Any] | str


@dataclass(frozen=True)
class Case:
    """One recorded wire shape."""

    name: str
    #: Where the shape was observed (repository and path, issue, or page).
    source: str
    #: The response body, as the server framed it.
    sse: bytes = field(repr=False)
    #: The non-streamed body of the same generation (or the ``partial`` of
    #: the error, with ``error=True``).
    expected: dict[str, Any] = field(repr=False)
    #: The stream ends with an in-band error chunk.
    error: bool = False

    def __repr__(self) -> str:
        return self.name


def encode(items: list[Item], *, newline: bytes = b"\n") -> bytes:
    """The event stream of ``items``: a dict is one ``data:`` event with the
    compact JSON that providers send, a string is sent as one line (a
    comment or ``data: [DONE]``); each is followed by a blank line."""
    out = []
    for item in items:
        if isinstance(item, str):
            line = item
        else:
            line = "data: " + json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        out.append(line.encode() + newline + newline)
    return b"".join(out)


def blob(seed: int, size: int) -> str:
    """An opaque base64 string of our own (a signature, an encrypted
    reasoning item, image or audio data)."""
    raw = bytes((seed * 131 + i * 29 + (i >> 3)) % 256 for i in range(size))
    return base64.b64encode(raw).decode()


def completion(head: dict[str, Any], *choices: dict[str, Any], **tail: Any) -> dict[str, Any]:
    """A non-streamed body: the chunk header with ``object`` renamed, then
    ``choices`` and the fields that came after them (``usage``, ``error``)."""
    return {**head, "object": "chat.completion", "choices": list(choices), **tail}


def relayed(
    head: dict[str, Any],
    delta: dict[str, Any],
    finish: str | None = None,
    native: str | None = None,
) -> dict[str, Any]:
    """A chunk of choice 0 as OpenRouter relays reasoning models: the role
    and a content (``""`` unless ``delta`` has one) open every delta, the
    finish and native finish follow, then a null ``logprobs``."""
    choice = {
        "index": 0,
        "delta": {"role": "assistant", "content": "", **delta},
        "finish_reason": finish,
        "native_finish_reason": native,
        "logprobs": None,
    }
    return {**head, "choices": [choice]}


def _openrouter_usage(**extra: Any) -> dict[str, Any]:
    return {
        "prompt_tokens": 31,
        "completion_tokens": 12,
        "total_tokens": 43,
        "cost": 0.0000412,
        "is_byok": False,
        "prompt_tokens_details": {
            "cached_tokens": 0,
            "cache_write_tokens": 0,
            "audio_tokens": 0,
            "video_tokens": 0,
        },
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": 0.0000124,
            "upstream_inference_completions_cost": 0.0000288,
        },
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
        **extra,
    }


# -- OpenRouter, plain text ----------------------------------------------------------


def _openrouter_text(name: str, source: str, newline: bytes) -> Case:
    head = {
        "id": "gen-1790000101-k2Jd8QwLs0",
        "object": "chat.completion.chunk",
        "created": 1790000101,
        "model": "openai/gpt-4.1-mini",
        "provider": "OpenAI",
    }

    def choice(content: str, finish: str | None = None, native: str | None = None) -> Any:
        # OpenRouter repeats the role on every delta, after the content.
        return {
            "index": 0,
            "delta": {"content": content, "role": "assistant"},
            "finish_reason": finish,
            "native_finish_reason": native,
        }

    usage = _openrouter_usage(server_tool_use_details={"web_search_requests": 1})
    pieces = ["Tides", " follow", " the", " moon", "\u2019s", " pull", "."]
    items: list[Item] = [KEEPALIVE] * 3
    for n, piece in enumerate(pieces):
        items.append({**head, "choices": [choice(piece)]})
        if n == 2:
            items.append(KEEPALIVE)
    # The finish is sent twice: alone, then again with the tier and usage.
    items.append({**head, "choices": [choice("", "stop", "completed")]})
    items.append(
        {
            **head,
            "service_tier": "default",
            "choices": [choice("", "stop", "completed")],
            "usage": usage,
        }
    )
    items.append(DONE)
    expected = completion(
        {**head, "service_tier": "default"},
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Tides follow the moon\u2019s pull."},
            "finish_reason": "stop",
            "native_finish_reason": "completed",
        },
        usage=usage,
    )
    return Case(name, source, encode(items, newline=newline), expected)


OPENROUTER_TEXT = _openrouter_text(
    "openrouter_text_keepalive",
    "pydantic/pydantic-ai tests/models/cassettes/test_openrouter/"
    "test_openrouter_web_search_tool_usage_stream.yaml and test_openrouter_advisor_tool_stream.yaml"
    " (keepalive comments, role after content on every delta, no logprobs key, the finish"
    " chunk sent twice, service_tier and usage with server_tool_use_details on the last one)",
    b"\n",
)

CRLF_TEXT = _openrouter_text(
    "crlf_line_endings",
    "the same OpenRouter shape framed with CRLF, as sse-starlette does by default"
    " (hey-api/hey-api#3054) and Azure-hosted OpenAI models send"
    " (Continuum-AI-Corp/OrcaRouter-Lite#98; Routstr/routstr-core#543 for Gemini's alt=sse)",
    b"\r\n",
)


# -- OpenAI, a usage-only last chunk -------------------------------------------------


def _openai_usage_only() -> Case:
    head = {
        "id": "chatcmpl-Cz81QmT4rVb0Kx",
        "object": "chat.completion.chunk",
        "created": 1790000303,
        "model": "gpt-4.1-2025-04-14",
        "service_tier": "default",
        "system_fingerprint": "fp_3c9a1e7d42",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> Item:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**head, "choices": [choice], "usage": None}

    usage = {
        "prompt_tokens": 19,
        "completion_tokens": 9,
        "total_tokens": 28,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    items: list[Item] = [chunk({"role": "assistant", "content": "", "refusal": None})]
    items += [chunk({"content": p}) for p in ["Salt", " lowers", " the", " freezing", " point."]]
    items.append(chunk({}, "stop"))
    items.append({**head, "choices": [], "usage": usage})
    items.append(DONE)
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Salt lowers the freezing point.",
                "refusal": None,
            },
            "logprobs": None,
            "finish_reason": "stop",
        },
        usage=usage,
    )
    return Case(
        "openai_usage_only_last_chunk",
        "OpenAI API reference, stream_options.include_usage (every chunk has usage: null, an"
        " extra last chunk has choices: [] and the usage); per-chunk structure as in coder's"
        " aibridge/fixtures/openai/chatcompletions/stream_error.txtar (gpt-4.1 recording)",
        encode(items),
        expected,
    )


# -- Anthropic through OpenRouter: reasoning text and a signature --------------------

ANTHROPIC_SIGNATURE: Final = "Et4BCkgIBxACGAIqQ" + blob(1, 150)


def _anthropic_reasoning() -> Case:
    head = {
        "id": "gen-1790000404-Vb3sPqR7aZ",
        "provider": "Google",
        "model": "anthropic/claude-sonnet-4.5",
        "object": "chat.completion.chunk",
        "created": 1790000404,
    }

    def chunk(
        content: str,
        reasoning: str | None,
        details: list[dict[str, Any]],
        finish: str | None = None,
    ) -> Item:
        delta = {"content": content, "reasoning": reasoning, "reasoning_details": details}
        return relayed(head, delta, finish, finish)

    def text(piece: str) -> dict[str, Any]:
        return {
            "type": "reasoning.text",
            "text": piece,
            "format": "anthropic-claude-v1",
            "index": 0,
        }

    thoughts = ["Two plus two", " is basic arithmetic. ", "The sum is 4."]
    usage = _openrouter_usage(completion_tokens_details={"reasoning_tokens": 14, "image_tokens": 0})
    items: list[Item] = [KEEPALIVE, KEEPALIVE, chunk("", None, [])]
    # The opening piece carries an empty text and an empty signature.
    items.append(
        chunk(
            "",
            None,
            [
                {
                    "type": "reasoning.text",
                    "text": "",
                    "signature": "",
                    "format": "anthropic-claude-v1",
                    "index": 0,
                }
            ],
        )
    )
    items.append(chunk("", thoughts[0], [text(thoughts[0])]))
    items += [KEEPALIVE, KEEPALIVE]
    items += [chunk("", t, [text(t)]) for t in thoughts[1:]]
    items.append(chunk("", None, [text("")]))
    # The signature comes alone, in a piece of its own with no text.
    items.append(
        chunk(
            "",
            None,
            [
                {
                    "type": "reasoning.text",
                    "signature": ANTHROPIC_SIGNATURE,
                    "format": "anthropic-claude-v1",
                    "index": 0,
                }
            ],
        )
    )
    items += [chunk("", None, []), chunk("", None, [])]
    items += [chunk("2 + 2", None, []), chunk(" = 4", None, []), chunk("", None, [])]
    items.append(chunk("", None, [], "stop"))
    last = {
        "index": 0,
        "delta": {"role": "assistant", "content": ""},
        "finish_reason": None,
        "native_finish_reason": None,
        "logprobs": None,
    }
    items += [{**head, "choices": [last], "usage": usage}, DONE]
    joined = "".join(thoughts)
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "2 + 2 = 4",
                "reasoning": joined,
                "reasoning_details": [
                    {
                        "type": "reasoning.text",
                        "text": joined,
                        "signature": ANTHROPIC_SIGNATURE,
                        "format": "anthropic-claude-v1",
                        "index": 0,
                    }
                ],
            },
            "finish_reason": "stop",
            "native_finish_reason": "stop",
            "logprobs": None,
        },
        usage=usage,
    )
    return Case(
        "anthropic_reasoning_signature",
        "pydantic/pydantic-ai tests/models/cassettes/test_openrouter/"
        "test_openrouter_streaming_reasoning.yaml (claude-sonnet-4.5 on Google: an opening"
        " piece with text and signature empty, text pieces, an empty text piece, a"
        " signature-only piece, reasoning_details: [] and reasoning: null around them)",
        encode(items),
        expected,
    )


# -- OpenAI o-series through OpenRouter: an encrypted reasoning item -----------------


def _openai_encrypted() -> Case:
    head = {
        "id": "gen-1790000505-Hn4TqLw9Ue",
        "provider": "OpenAI",
        "model": "openai/o3",
        "object": "chat.completion.chunk",
        "created": 1790000505,
    }

    chunk = functools.partial(relayed, head)

    encrypted = {
        "type": "reasoning.encrypted",
        "data": "gAAAAABp" + blob(2, 600).replace("+", "-").replace("/", "_"),
        "id": "rs_07c1d2e3f4a5b6c70169f0a1b2c3d4e5f60718293a4b5c6d7e",
        "format": "openai-responses-v1",
        "index": 0,
    }
    pieces = ["I", "\u2019m", " a", " language", " model", "."]
    usage = _openrouter_usage(completion_tokens_details={"reasoning_tokens": 64, "image_tokens": 0})
    items: list[Item] = [KEEPALIVE, KEEPALIVE, chunk({}), *[KEEPALIVE] * 5]
    items.append(chunk({"reasoning": None, "reasoning_details": [encrypted]}))
    items += [chunk({"content": p}) for p in pieces]
    items.append(chunk({}, "stop", "completed"))
    items += [{**chunk({}), "usage": usage}, DONE]
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "I\u2019m a language model.",
                "reasoning": None,
                "reasoning_details": [encrypted],
            },
            "finish_reason": "stop",
            "native_finish_reason": "completed",
            "logprobs": None,
        },
        usage=usage,
    )
    return Case(
        "openai_encrypted_reasoning",
        "pydantic/pydantic-ai tests/models/cassettes/test_openrouter/"
        "test_openrouter_stream_with_reasoning.yaml (openai/o3: a role-only chunk, one"
        " reasoning.encrypted item with an rs_ id, text, native_finish_reason"
        " 'completed', usage on a last chunk whose finish_reason is null again)",
        encode(items),
        expected,
    )


# -- Minimax through OpenRouter: an in-band error with the billed usage --------------


def _minimax_error() -> Case:
    head = {
        "id": "gen-1790000606-Mm2xTz8Pq1",
        "provider": "Minimax",
        "model": "minimax/minimax-m2",
        "object": "chat.completion.chunk",
        "created": 1790000606,
    }

    def chunk(delta: dict[str, Any], finish: str | None) -> Item:
        return relayed(head, delta, finish, finish)

    def thought(piece: str, finish: str | None) -> Item:
        detail = {"type": "reasoning.text", "text": piece, "index": 0, "format": None}
        return chunk({"reasoning": piece, "reasoning_details": [detail]}, finish)

    usage = {
        "prompt_tokens": 40,
        "completion_tokens": 10,
        "total_tokens": 50,
        "cost": 0,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": 0,
            "upstream_inference_completions_cost": 0,
        },
        "completion_tokens_details": {"reasoning_tokens": 10, "image_tokens": 0},
    }
    error = {"code": 400, "message": "Token limit reached"}
    items: list[Item] = [KEEPALIVE] * 4
    items.append(thought("The user", None))
    items.append(thought(" says hello; answer", "length"))
    items.append(chunk({"reasoning": None, "reasoning_details": []}, "length"))
    # The error chunk: ``error`` between provider and model, the finish null
    # again, and the usage that is billed.
    final = {"index": 0, "delta": {"role": "assistant", "content": ""}}
    final |= {"finish_reason": None, "native_finish_reason": None, "logprobs": None}
    items.append(
        {
            "id": head["id"],
            "provider": head["provider"],
            "error": error,
            "model": head["model"],
            "object": head["object"],
            "created": head["created"],
            "choices": [final],
            "usage": usage,
        }
    )
    items.append(DONE)
    reasoning = "The user says hello; answer"
    expected = completion(
        {**head, "error": error},
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "",
                "reasoning": reasoning,
                "reasoning_details": [
                    {"type": "reasoning.text", "text": reasoning, "index": 0, "format": None}
                ],
            },
            "finish_reason": "length",
            "native_finish_reason": "length",
            "logprobs": None,
        },
        usage=usage,
    )
    return Case(
        "minimax_inband_error",
        "pydantic/pydantic-ai tests/models/cassettes/test_openrouter/"
        "test_openrouter_stream_error.yaml (minimax-m2: format: null on the details,"
        " finish 'length' on two chunks, then a chunk with a top-level error, a null"
        " finish and the usage)",
        encode(items),
        expected,
        error=True,
    )


# -- OpenRouter's documented mid-stream error: finish_reason "error" -----------------


def _finish_reason_error() -> Case:
    head = {
        "id": "gen-1790000707-Pq9rBd2Kx4",
        "object": "chat.completion.chunk",
        "created": 1790000707,
        "model": "anthropic/claude-haiku-4.5",
        "provider": "Amazon Bedrock",
    }

    def choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"index": 0, "delta": delta, "finish_reason": finish, "native_finish_reason": None}

    usage = _openrouter_usage()
    error = {
        "code": 502,
        "message": "Network connection lost.",
        "metadata": {"error_type": "provider_unavailable"},
    }
    pieces = ["Step one:", " read the", " config"]
    items: list[Item] = [KEEPALIVE]
    items += [{**head, "choices": [choice({"role": "assistant", "content": p})]} for p in pieces]
    items += [KEEPALIVE] * 3
    items.append(
        {
            **head,
            "error": error,
            "choices": [choice({"content": ""}, "error")],
            "usage": usage,
        }
    )
    items.append(DONE)
    expected = completion(
        {**head, "error": error},
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Step one: read the config"},
            "finish_reason": "error",
            "native_finish_reason": None,
        },
        usage=usage,
    )
    return Case(
        "openrouter_finish_reason_error",
        "OpenRouter API docs, errors: mid-stream errors (a chat.completion.chunk with a"
        " top-level error and choices[0].finish_reason 'error', delta.content '');"
        " OpenRouterTeam/ai-sdk-provider#440 for the 502 'Network connection lost.' with"
        " metadata.error_type provider_unavailable after keepalives",
        encode(items),
        expected,
        error=True,
    )


# -- Gemini image output through OpenRouter ------------------------------------------

IMAGE_URL: Final = "data:image/png;base64,iVBORw0KGgo" + blob(3, 3000)


def _gemini_image() -> Case:
    head = {
        "id": "gen-1790000808-Im4gWq7Ty2",
        "provider": "Google",
        "model": "google/gemini-2.5-flash-image",
        "object": "chat.completion.chunk",
        "created": 1790000808,
    }

    chunk = functools.partial(relayed, head)

    image = {"type": "image_url", "image_url": {"url": IMAGE_URL}, "index": 0}
    usage = _openrouter_usage(
        completion_tokens_details={"reasoning_tokens": 0, "image_tokens": 1290}
    )
    items: list[Item] = [*[KEEPALIVE] * 6, chunk({"content": "A lighthouse at dusk: "})]
    items.append(KEEPALIVE)
    # The image arrives whole, with an index, on the chunk that finishes.
    items.append(chunk({"content": "", "images": [image]}, "stop", "STOP"))
    items += [{**chunk({"content": ""}), "usage": usage}, DONE]
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "A lighthouse at dusk: ",
                "images": [image],
            },
            "finish_reason": "stop",
            "native_finish_reason": "STOP",
            "logprobs": None,
        },
        usage=usage,
    )
    return Case(
        "gemini_image",
        "pydantic/pydantic-ai tests/models/cassettes/test_openrouter/"
        "test_openrouter_image_generation_streaming.yaml (gemini-2.5-flash-image: text,"
        " then one image_url item with its own index on the finishing chunk, native"
        " 'STOP', image_tokens in the usage)",
        encode(items),
        expected,
    )


# -- Gemini through OpenRouter: reasoning text, tool calls with thought signatures ---


def _gemini_tools() -> Case:
    head = {
        "id": "gen-1790000909-Gt7hLm3Nq8",
        "provider": "Google AI Studio",
        "model": "google/gemini-3-pro-preview",
        "object": "chat.completion.chunk",
        "created": 1790000909,
    }

    chunk = functools.partial(relayed, head)

    fmt = "google-gemini-v1"
    thoughts = ["**Planning the lookups**\n\nThe user", " wants two cities."]
    calls = [
        ("tool_get_weather_Lx0", '{"city":"Lisbon"}'),
        ("tool_get_weather_Pr1", '{"city":"Porto"}'),
    ]
    signatures = [
        {"type": "reasoning.encrypted", "data": blob(10 + n, 240), "id": call_id, "format": fmt}
        for n, (call_id, _) in enumerate(calls)
    ]
    items: list[Item] = [KEEPALIVE]
    for t in thoughts:
        detail = {"type": "reasoning.text", "text": t, "format": fmt, "index": 0}
        items.append(chunk({"reasoning": t, "reasoning_details": [detail]}))
    for n, (call_id, arguments) in enumerate(calls):
        # Each call arrives whole, with its thought signature as an encrypted
        # detail that names the call and takes the next detail index.
        call = {
            "type": "function",
            "index": n,
            "id": call_id,
            "function": {"name": "get_weather", "arguments": arguments},
        }
        detail = {**signatures[n], "index": n + 1}
        items.append(chunk({"tool_calls": [call], "reasoning_details": [detail]}))
    items.append(chunk({}, "tool_calls", "STOP"))
    usage = _openrouter_usage(completion_tokens_details={"reasoning_tokens": 48, "image_tokens": 0})
    items += [{**chunk({}), "usage": usage}, DONE]
    joined = "".join(thoughts)
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "",
                "reasoning": joined,
                "reasoning_details": [
                    {"type": "reasoning.text", "text": joined, "format": fmt, "index": 0},
                    {**signatures[0], "index": 1},
                    {**signatures[1], "index": 2},
                ],
                "tool_calls": [
                    {
                        "type": "function",
                        "id": call_id,
                        "function": {"name": "get_weather", "arguments": arguments},
                    }
                    for call_id, arguments in calls
                ],
            },
            "finish_reason": "tool_calls",
            "native_finish_reason": "STOP",
            "logprobs": None,
        },
        usage=usage,
    )
    return Case(
        "gemini_reasoning_tool_calls",
        "OpenRouter's Gemini shape as third-party clients record it: reasoning.text at"
        " index 0, then one reasoning.encrypted per tool call whose id is the call's id, at"
        " indexes 1 and 2 (OpenRouter reasoning-tokens docs, 'preserving reasoning';"
        " fixtures in public OpenRouter clients, e.g. a Kotlin client's 'reasoning details"
        " survive chunks' test); finish 'tool_calls' with native 'STOP' as in non-streamed"
        " Gemini bodies",
        encode(items),
        expected,
    )


# -- xAI through OpenRouter: summaries, then an encrypted item at the same index -----


def _xai_summary() -> Case:
    head = {
        "id": "gen-1790001010-Xa1bCd2Ef3",
        "provider": "xAI",
        "model": "x-ai/grok-4.1-fast",
        "object": "chat.completion.chunk",
        "created": 1790001010,
    }

    chunk = functools.partial(relayed, head)

    fmt = "xai-responses-v1"
    summary = ["Counting", " letters in", " 'strawberry'."]
    encrypted = {
        "type": "reasoning.encrypted",
        "data": blob(20, 400),
        "id": "rs_5f0c3b9e-7a21-4d8e-b6c4-2e9f1a0d7c35",
        "format": fmt,
        "index": 0,
    }
    items: list[Item] = [KEEPALIVE, KEEPALIVE]
    for piece in summary:
        detail = {"type": "reasoning.summary", "summary": piece, "format": fmt, "index": 0}
        items.append(chunk({"reasoning": piece, "reasoning_details": [detail]}))
    items.append(chunk({"reasoning": None, "reasoning_details": [encrypted]}))
    items += [chunk({"content": p}) for p in ["There are", " three", " r's."]]
    items.append(chunk({}, "stop", "completed"))
    usage = _openrouter_usage(
        completion_tokens_details={"reasoning_tokens": 210, "image_tokens": 0}
    )
    items += [{**chunk({}), "usage": usage}, DONE]
    joined = "".join(summary)
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "There are three r's.",
                "reasoning": joined,
                "reasoning_details": [
                    {"type": "reasoning.summary", "summary": joined, "format": fmt, "index": 0},
                    encrypted,
                ],
            },
            "finish_reason": "stop",
            "native_finish_reason": "completed",
            "logprobs": None,
        },
        usage=usage,
    )
    return Case(
        "xai_summary_then_encrypted",
        "OpenRouter reasoning-tokens docs (reasoning_details: reasoning.summary and"
        " reasoning.encrypted with format xai-responses-v1, sent back unmodified);"
        " summary pieces at index 0 as in public clients' grok stream tests; the"
        " encrypted item at the same index as in the o3 recording above",
        encode(items),
        expected,
    )


# -- Parallel tool calls that all say index 0 ----------------------------------------


def _ollama_same_index() -> Case:
    head = {
        "id": "chatcmpl-417",
        "object": "chat.completion.chunk",
        "created": 1790001111,
        "model": "qwen2.5-coder:7b",
        "system_fingerprint": "fp_ollama",
    }
    calls = [
        ("call_m3k1x9ab", '{"filePath":"alpha.py","content":"print(\\"alpha\\")"}'),
        ("call_q7w2e4rt", '{"filePath":"beta.py","content":"print(\\"beta\\")"}'),
    ]
    items: list[Item] = []
    for call_id, arguments in calls:
        call = {
            "id": call_id,
            "index": 0,
            "type": "function",
            "function": {"name": "file_write", "arguments": arguments},
        }
        delta = {"role": "assistant", "content": "", "tool_calls": [call]}
        items.append({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    last = {
        "index": 0,
        "delta": {"role": "assistant", "content": ""},
        "finish_reason": "tool_calls",
    }
    usage = {"prompt_tokens": 212, "completion_tokens": 58, "total_tokens": 270}
    items += [{**head, "choices": [last]}, {**head, "choices": [], "usage": usage}, DONE]
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": "file_write", "arguments": arguments},
                    }
                    for call_id, arguments in calls
                ],
            },
            "finish_reason": "tool_calls",
        },
        usage=usage,
    )
    return Case(
        "parallel_calls_all_index_0",
        "ollama/ollama#15457 (OpenAI-compatible streaming: every call of a parallel batch"
        " says index 0, each whole in one chunk with its own id); vercel/ai#14277",
        encode(items),
        expected,
    )


def _fragmented_same_index() -> Case:
    head = {
        "id": "chatcmpl-7f1c2a9e-33b4-4c1e-8d2f-5a6b7c8d9e0f",
        "object": "chat.completion.chunk",
        "created": 1790001212,
        "model": "Qwen/Qwen3-0.6B",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> Item:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**head, "choices": [choice]}

    def call(call_id: str, name: str, arguments: str, cuts: list[int]) -> list[Item]:
        # The start carries the id and name with empty arguments; the
        # arguments follow in pieces that carry neither.
        start = {
            "index": 0,
            "id": call_id,
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        out = [chunk({"tool_calls": [start]})]
        bounds = [0, *cuts, len(arguments)]
        for a, b in itertools.pairwise(bounds):
            out.append(
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": arguments[a:b]}}]})
            )
        return out

    first = '{"a": 2, "b": 2}'
    second = '{"location": "Tokyo", "unit": "celsius"}'
    items: list[Item] = [chunk({"role": "assistant", "content": ""})]
    items += call("chatcmpl-tool-4e1d", "add_numbers", first, [1, 5, 9, 14])
    items.append(chunk({"content": "\n"}))
    items += call("chatcmpl-tool-9b7a", "get_weather", second, [2, 13, 21, 30, 38])
    items += [chunk({}, "tool_calls"), DONE]
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "\n",
                "tool_calls": [
                    {
                        "id": "chatcmpl-tool-4e1d",
                        "type": "function",
                        "function": {"name": "add_numbers", "arguments": first},
                    },
                    {
                        "id": "chatcmpl-tool-9b7a",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": second},
                    },
                ],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        },
    )
    return Case(
        "parallel_calls_index_0_in_pieces",
        "ai-dynamo/dynamo#4723 (vLLM-style stream: two calls both at index 0 with distinct"
        " ids, content '\\n' between them); LibreChat-AI/agents#260 and"
        " oracle/langchain-oracle#253 (a start with id and name, then argument pieces"
        " without either)",
        encode(items),
        expected,
    )


# -- Web search annotations through OpenRouter ---------------------------------------


def _annotations() -> Case:
    head = {
        "id": "gen-1790001313-Ws1eAr9Ch0",
        "object": "chat.completion.chunk",
        "created": 1790001313,
        "model": "deepseek/deepseek-chat",
        "provider": "Novita",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {
            "index": 0,
            "delta": {"content": "", "role": "assistant", **delta},
            "finish_reason": finish,
            "native_finish_reason": finish,
        }
        return {**head, "choices": [choice]}

    notes = [
        {
            "type": "url_citation",
            "url_citation": {
                "url": f"https://example.org/tides/{slug}",
                "title": title,
                "start_index": 0,
                "end_index": 0,
                "content": body,
            },
        }
        for slug, title, body in [
            ("overview", "Tides: an overview", "# Tides\n\n...\n\nThe moon pulls the sea."),
            ("spring-neap", "Spring and neap tides", "Spring tides come at new moon…"),
            ("tables", "", "## Tide tables\n\n- High: 06:12\n- Low: 12:25"),
        ]
    ]
    usage = _openrouter_usage()
    items: list[Item] = [KEEPALIVE] * 3
    # One citation per chunk, each with an empty content, before any text.
    items += [chunk({"annotations": [note]}) for note in notes]
    items += [chunk({"content": p}) for p in ["https", "://example", ".org/t", "ides"]]
    items.append(chunk({}, "stop"))
    items += [{**head, "service_tier": None, **chunk({}, "stop"), "usage": usage}, DONE]
    expected = completion(
        {**head, "service_tier": None},
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "https://example.org/tides",
                "annotations": notes,
            },
            "finish_reason": "stop",
            "native_finish_reason": "stop",
        },
        usage=usage,
    )
    return Case(
        "web_search_annotations",
        "pydantic/pydantic-ai tests/models/cassettes/test_openrouter/"
        "test_openrouter_web_search_annotations_stream.yaml (web plugin: one url_citation"
        " per chunk before the text, start/end_index 0, an empty title, service_tier:"
        " null on the last chunk only)",
        encode(items),
        expected,
    )


# -- OpenAI audio output -------------------------------------------------------------


def _audio() -> Case:
    head = {
        "id": "chatcmpl-Au9x2Kd7Lm1Qp0",
        "object": "chat.completion.chunk",
        "created": 1790001414,
        "model": "gpt-4o-audio-preview-2025-06-03",
        "service_tier": "default",
        "system_fingerprint": "fp_a7e5b1c2d3",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> Item:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**head, "choices": [choice], "usage": None}

    audio_id = "audio_6f1e0c9b8a7d6e5f4c3b2a19"
    data = blob(30, 1800)
    cuts = [0, 600, 1240, 1900, len(data)]
    items: list[Item] = [chunk({"role": "assistant", "content": None, "refusal": None})]
    items.append(chunk({"audio": {"id": audio_id, "transcript": "Good"}}))
    items += [chunk({"audio": {"transcript": p}}) for p in [" morning", "!"]]
    items += [chunk({"audio": {"data": data[a:b]}}) for a, b in itertools.pairwise(cuts)]
    # The last audio delta updates the expiry.
    items.append(chunk({"audio": {"id": audio_id, "expires_at": 1790005014}}))
    items.append(chunk({}, "stop"))
    usage = {
        "prompt_tokens": 25,
        "completion_tokens": 96,
        "total_tokens": 121,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 84,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
            "text_tokens": 12,
        },
    }
    items += [{**head, "choices": [], "usage": usage}, DONE]
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "audio": {
                    "id": audio_id,
                    "transcript": "Good morning!",
                    "data": data,
                    "expires_at": 1790005014,
                },
            },
            "logprobs": None,
            "finish_reason": "stop",
        },
        usage=usage,
    )
    return Case(
        "openai_audio_deltas",
        "openai/openai-python#2507 and openai/openai-openapi#577 (gpt-4o-audio-preview"
        " streams delta.audio: id with the first transcript piece, transcript and data"
        " pieces, a final expires_at update); MacPaw/OpenAI#303 (expires_at is a number)",
        encode(items),
        expected,
    )


# -- DeepSeek: reasoning_content ------------------------------------------------------


def _deepseek() -> Case:
    head = {
        "id": "5e8f2a90-1c3b-4d7e-9a6f-0b2c4d6e8f10",
        "object": "chat.completion.chunk",
        "created": 1790001515,
        "model": "deepseek-reasoner",
        "system_fingerprint": "fp_5417b77867_prod0820_fp8_kvcache",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> Item:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**head, "choices": [choice]}

    thoughts = ["Okay", ", the user", " greets me.", " Reply kindly."]
    answer = ["Hello", "! How", " can I help?"]
    items: list[Item] = [chunk({"role": "assistant", "content": None, "reasoning_content": ""})]
    items += [chunk({"content": None, "reasoning_content": t}) for t in thoughts]
    items += [chunk({"content": p, "reasoning_content": None}) for p in answer]
    items.append(chunk({"content": "", "reasoning_content": None}, "stop"))
    usage = {
        "prompt_tokens": 6,
        "completion_tokens": 30,
        "total_tokens": 36,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 22},
        "prompt_cache_hit_tokens": 0,
        "prompt_cache_miss_tokens": 6,
    }
    items += [{**head, "choices": [], "usage": usage}, DONE]
    expected = completion(
        head,
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "".join(answer),
                "reasoning_content": "".join(thoughts),
            },
            "logprobs": None,
            "finish_reason": "stop",
        },
        usage=usage,
    )
    return Case(
        "deepseek_reasoning_content",
        "CaiZongyuan/agentscope-nextjs-ai-demo backend/docs/example-completions.md and"
        " opensolon/solon solon-ai/src/test/java/features/ai/DeepSeek.md (deepseek-reasoner:"
        " reasoning_content '' then pieces with content null, then content with"
        " reasoning_content null; the non-streamed body's usage with prompt_cache_*_tokens)",
        encode(items),
        expected,
    )


CASES: Final[tuple[Case, ...]] = (
    OPENROUTER_TEXT,
    CRLF_TEXT,
    _openai_usage_only(),
    _anthropic_reasoning(),
    _openai_encrypted(),
    _minimax_error(),
    _finish_reason_error(),
    _gemini_image(),
    _gemini_tools(),
    _xai_summary(),
    _ollama_same_index(),
    _fragmented_same_index(),
    _annotations(),
    _audio(),
    _deepseek(),
)
