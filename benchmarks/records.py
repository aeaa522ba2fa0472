"""How long ``from_dict`` takes on realistic OpenRouter bodies.

    python benchmarks/records.py                     # the openrouter on sys.path
    python benchmarks/records.py --compare OLD NEW   # two source trees, interleaved

Cases: a chat completion with tool calls, reasoning details and usage; a
``GET /models`` list of 300 models; a typical streamed chunk (one choice, a
content delta); the same chunk with its header fields and choice fields read;
a final chunk with usage. Each case prints the minimum over ``--repeat``
rounds of the time per call, in microseconds.

``--compare`` runs one round of every case in a fresh process for each tree
in turn (``PYTHONPATH=<tree>``), ``--repeat`` times, and prints the minimum
of each case per tree and the ratio NEW / OLD: the machine's noise hits both
trees alike, and the minimum is the least disturbed run.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import timeit
from collections.abc import Callable
from typing import Any

CHAT_COMPLETION: dict[str, Any] = {
    "id": "gen-1750000000-qrstuv",
    "provider": "OpenAI",
    "model": "openai/gpt-4.1",
    "object": "chat.completion",
    "created": 1750000000,
    "system_fingerprint": "fp_3f1c2a",
    "service_tier": "default",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "native_finish_reason": "tool_calls",
            "logprobs": None,
            "message": {
                "role": "assistant",
                "content": "Two lookups first; the forecast for Lyon follows.",
                "refusal": None,
                "reasoning": None,
                "tool_calls": [
                    {
                        "id": f"call_{n}",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": f'{{"city": "c{n}"}}'},
                    }
                    for n in range(2)
                ],
                "annotations": [
                    {
                        "type": "url_citation",
                        "url_citation": {
                            "url": "https://weather.example/lyon",
                            "title": "Lyon weather",
                            "start_index": 0,
                            "end_index": 12,
                        },
                    }
                ],
            },
        }
    ],
    "usage": {
        "prompt_tokens": 812,
        "completion_tokens": 96,
        "total_tokens": 908,
        "cost": 0.0024,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 512, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
        "cost_details": {"upstream_inference_cost": None},
        "server_tool_use": {"web_search_requests": 1},
    },
}


_PRICES = ("prompt", "completion", "request", "image", "web_search", "input_cache_read", "audio")


def _model(n: int) -> dict[str, Any]:
    return {
        "id": f"vendor/model-{n}",
        "canonical_slug": f"vendor/model-{n}-2025-01-01",
        "hugging_face_id": None if n % 3 else f"vendor/model-{n}",
        "name": f"Vendor: Model {n}",
        "created": 1715367049 + n,
        "description": "A model. " * 40,
        "context_length": 128000,
        "architecture": {
            "modality": "text+image->text" if n % 4 else "text->text",
            "input_modalities": ["text", "image"] if n % 4 else ["text"],
            "output_modalities": ["text"],
            "tokenizer": ("GPT", "Claude", "Gemini", "Llama3")[n % 4],
            "instruct_type": None,
        },
        # Prices are decimal strings; most models list a handful of them.
        "pricing": dict.fromkeys(_PRICES[: 3 + n % 5], f"0.00000{n % 9 + 1}"),
        "top_provider": {"context_length": 32768 * (1 + n % 4), "is_moderated": n % 2 == 0},
        "per_request_limits": None,
        "supported_parameters": [
            "max_tokens",
            "temperature",
            "tools",
            "tool_choice",
            "response_format",
            "reasoning",
            "stop",
        ],
        "default_parameters": {"temperature": None, "top_p": None},
        "knowledge_cutoff": "2025-01-31",
        "expiration_date": None,
        "reasoning": None
        if n % 2
        else {
            "default_effort": "medium",
            "supported_efforts": ["high", "medium", "low"],
            "supports_max_tokens": True,
        },
        "links": {"details": f"/api/v1/models/vendor/model-{n}/endpoints"},
    }


MODELS: dict[str, Any] = {"data": [_model(n) for n in range(300)]}

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

LAST_CHUNK: dict[str, Any] = {
    **CHUNK,
    "choices": [{**CHUNK["choices"][0], "delta": {"content": ""}, "finish_reason": "stop"}],
    "usage": CHAT_COMPLETION["usage"],
}


def _cases() -> dict[str, tuple[Callable[[], object], int]]:
    """Each case: a call to time and how many calls a round makes."""
    # Imported here: with --compare, the tree under test is on the path of the
    # measuring processes only.
    from openrouter import ChatCompletion, ChatCompletionChunk, ModelList  # noqa: PLC0415

    completion = copy.deepcopy(CHAT_COMPLETION)
    models = copy.deepcopy(MODELS)
    chunk = copy.deepcopy(CHUNK)
    last = copy.deepcopy(LAST_CHUNK)

    def read_chunk() -> object:
        c = ChatCompletionChunk.from_dict(chunk)
        choice = c.choices[0]
        return (c.id, c.model, choice.index, choice.finish_reason, choice.delta.content)

    return {
        "chat completion": (lambda: ChatCompletion.from_dict(completion), 2000),
        "model list (300)": (lambda: ModelList.from_dict(models), 20),
        "chunk": (lambda: ChatCompletionChunk.from_dict(chunk), 20000),
        "chunk, fields read": (read_chunk, 20000),
        "last chunk (usage)": (lambda: ChatCompletionChunk.from_dict(last), 10000),
    }


def measure(repeat: int) -> dict[str, float]:
    """The minimum time per call of each case over ``repeat`` rounds, in µs."""
    out = {}
    for name, (call, number) in _cases().items():
        best = min(timeit.repeat(call, number=number, repeat=repeat))
        out[name] = best / number * 1e6
    return out


def compare(old: str, new: str, repeat: int) -> None:
    """Alternate fresh processes on the two trees; print minima and ratios."""
    best: dict[str, dict[str, float]] = {old: {}, new: {}}
    for _ in range(repeat):
        for tree in (old, new):
            env = {**os.environ, "PYTHONPATH": tree}
            done = subprocess.run(
                [sys.executable, __file__, "--json", "--repeat", "3"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            for name, value in json.loads(done.stdout).items():
                kept = best[tree].get(name)
                best[tree][name] = value if kept is None else min(kept, value)
    print(f"{'case':<22} {'old µs':>10} {'new µs':>10} {'new/old':>8}")
    for name, before in best[old].items():
        after = best[new][name]
        print(f"{name:<22} {before:>10.2f} {after:>10.2f} {after / before:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"), help="two source trees")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare[0], args.compare[1], args.repeat)
        return
    result = measure(args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    for name, value in result.items():
        print(f"{name:<22} {value:>10.2f} µs")


if __name__ == "__main__":
    main()
