"""A stream accumulates to the non-streamed response of the same generation.

Hypothesis builds a complete non-streamed chat completion (text, tool calls,
reasoning details of every type, annotations, audio, images, logprobs,
usage, fields no version of this client knows), explodes it into a chunk
sequence the way providers stream (strings split anywhere, tool arguments in
many pieces, identity fields repeated or not, indexes as providers send
them, a summary and an encrypted reasoning entry at the same index), frames
it as an event stream with keepalive comments between, cuts the bytes
anywhere, and reads it back through the parser, the chunk decoder and the
stream core. The result must equal the completion.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter._accumulator import ChatCompletionAccumulator, CompletionAccumulator
from openrouter._calls import StreamCore
from openrouter._responses import ChatCompletionChunk
from sseproto import EventStreamParser

# Text with the characters that break naive splitting and escaping.
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from('\n\r"\\ é😀'),
    max_size=30,
)
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
NUMBER = st.integers(min_value=0, max_value=10**6)
SCALAR = st.one_of(NUMBER, st.booleans(), st.floats(allow_nan=False, allow_infinity=False))


@st.composite
def reasoning_details(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Entries as providers send them: Anthropic text with a signature,
    xAI and OpenAI summaries followed by an encrypted entry at the same
    index, redacted data, server tool calls; sorted by index, and never two
    entries that nothing tells apart (same index, same type, no id)."""
    out: list[dict[str, Any]] = []
    for index in range(draw(st.integers(0, 3))):
        kinds = draw(
            st.lists(
                st.sampled_from(["text", "summary", "encrypted", "server_tool_call"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        for kind in kinds:
            entry: dict[str, Any] = {"type": f"reasoning.{kind}", "index": index}
            if kind == "text":
                entry["text"] = draw(TEXT)
                if draw(st.booleans()):
                    entry["signature"] = draw(WORD)
            elif kind == "summary":
                entry["summary"] = draw(TEXT)
            elif kind == "encrypted":
                entry["data"] = draw(WORD)
                entry["id"] = "rs_" + draw(WORD)
            else:
                entry["id"] = "srvtoolu_" + draw(WORD)
                entry["name"] = draw(st.sampled_from(["web_search", "web_fetch"]))
                entry["arguments"] = draw(TEXT)
            if draw(st.booleans()):
                entry["format"] = draw(st.sampled_from(["anthropic-claude-v1", "xai-responses-v1"]))
            out.append(entry)
    return out


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": "assistant", "content": draw(st.none() | TEXT)}
    if draw(st.booleans()):
        msg["reasoning"] = draw(TEXT)
    details = draw(reasoning_details())
    if details:
        msg["reasoning_details"] = details
    if draw(st.booleans()):
        msg["refusal"] = draw(TEXT)
    calls = draw(st.integers(0, 3))
    if calls:
        msg["tool_calls"] = [
            {
                "id": f"call_{i}_" + draw(WORD),
                "type": "function",
                "function": {"name": draw(WORD), "arguments": draw(TEXT)},
            }
            for i in range(calls)
        ]
    if draw(st.booleans()):
        msg["annotations"] = [
            {
                "type": "url_citation",
                "url_citation": {
                    "url": "https://example.com/" + draw(WORD),
                    "title": draw(TEXT),
                    "content": draw(TEXT),
                    "start_index": draw(NUMBER),
                    "end_index": draw(NUMBER),
                },
            }
            for _ in range(draw(st.integers(1, 3)))
        ]
    if draw(st.booleans()):
        msg["audio"] = {
            "id": "audio_" + draw(WORD),
            "data": draw(WORD),
            "transcript": draw(TEXT),
            "expires_at": draw(NUMBER),
        }
    if draw(st.booleans()):
        msg["images"] = [
            {"type": "image_url", "image_url": {"url": "data:image/png;base64," + draw(WORD)}}
            for _ in range(draw(st.integers(1, 2)))
        ]
    if draw(st.booleans()):
        # Fields no version of this client knows: text, a number, an object.
        msg["x_future_text"] = draw(TEXT)
        msg["x_future_number"] = draw(SCALAR)
        msg["x_future_object"] = {"label": draw(TEXT), "n": draw(NUMBER)}
    return msg


def _token(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "token": draw(TEXT),
        "logprob": -float(draw(NUMBER)) / 1000,
        "bytes": draw(st.lists(st.integers(0, 255), max_size=4)),
        "top_logprobs": [],
    }


@st.composite
def completions(draw: st.DrawFn) -> dict[str, Any]:
    choices = []
    for index in range(draw(st.integers(1, 2))):
        choice: dict[str, Any] = {
            "index": index,
            "message": draw(messages()),
            "finish_reason": draw(st.sampled_from(["stop", "length", "tool_calls"])),
            "native_finish_reason": draw(st.sampled_from(["stop", "end_turn", "STOP"])),
        }
        if draw(st.booleans()):
            choice["logprobs"] = {"content": [_token(draw) for _ in range(draw(st.integers(0, 4)))]}
        choices.append(choice)
    body: dict[str, Any] = {
        "id": "gen-" + draw(WORD),
        "object": "chat.completion",
        "created": draw(NUMBER),
        "model": draw(WORD) + "/" + draw(WORD),
        "provider": draw(st.sampled_from(["xAI", "Anthropic", "Google", "OpenAI", "Minimax"])),
        "choices": choices,
    }
    if draw(st.booleans()):
        body["system_fingerprint"] = "fp_" + draw(WORD)
    if draw(st.booleans()):
        body["service_tier"] = draw(st.sampled_from(["default", "flex", "priority"]))
    if draw(st.booleans()):
        body["openrouter_metadata"] = {"router": draw(WORD), "attempts": draw(NUMBER)}
    if draw(st.booleans()):
        body["x_future_header"] = draw(WORD)
    if draw(st.booleans()):
        body["usage"] = {
            "prompt_tokens": draw(NUMBER),
            "completion_tokens": draw(NUMBER),
            "total_tokens": draw(NUMBER),
            "cost": draw(NUMBER) / 1000,
            "prompt_tokens_details": {"cached_tokens": draw(NUMBER)},
            "completion_tokens_details": {"reasoning_tokens": draw(NUMBER)},
            "cost_details": {"upstream_inference_cost": draw(NUMBER) / 1000},
            "server_tool_use": {"web_search_requests": draw(NUMBER)},
        }
    return body


# -- exploding a completion into deltas --------------------------------------------------


def split(draw: st.DrawFn, text: str, *, at_least: int = 1) -> list[str]:
    """``text`` cut at random places, into at least ``at_least`` pieces."""
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=4)))
    pieces, start = [], 0
    for cut in cuts:
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces + [""] * (at_least - len(pieces))


def explode_message(draw: st.DrawFn, msg: dict[str, Any]) -> list[dict[str, Any]]:
    """The deltas of one message, in a provider's order."""
    repeat = draw(st.booleans())  # identity fields repeated on every piece
    deltas: list[dict[str, Any]] = [{"role": "assistant"}]
    if msg.get("reasoning") is not None:
        deltas += [{"reasoning": p} for p in split(draw, msg["reasoning"])]
    for entry in msg.get("reasoning_details", []):
        fixed = {k: entry[k] for k in ("type", "index")}
        field = next((k for k in ("text", "summary", "data", "arguments") if k in entry), None)
        pieces = split(draw, entry[field]) if field else [""]
        for n, piece in enumerate(pieces):
            d: dict[str, Any] = dict(fixed)
            if field:
                d[field] = piece
            if n == 0 or repeat:
                d.update({k: entry[k] for k in ("id", "format", "name") if k in entry})
            deltas.append({"reasoning_details": [d]})
        if "signature" in entry:
            # Anthropic: the signature alone, in a piece of its own.
            deltas.append({"reasoning_details": [{**fixed, "signature": entry["signature"]}]})
    if msg.get("content") is not None:
        deltas += [{"content": p} for p in split(draw, msg["content"])]
    if msg.get("refusal") is not None:
        deltas += [{"refusal": p} for p in split(draw, msg["refusal"])]
    for index, call in enumerate(msg.get("tool_calls", [])):
        first = {
            "index": index,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        deltas.append({"tool_calls": [first]})
        for piece in split(draw, call["function"]["arguments"]):
            p: dict[str, Any] = {"index": index, "function": {"arguments": piece}}
            if repeat:
                p["id"] = call["id"]
                p["type"] = "function"
            deltas.append({"tool_calls": [p]})
    if "audio" in msg:
        audio = msg["audio"]
        deltas.append({"audio": {"id": audio["id"]}})
        deltas += [{"audio": {"transcript": p}} for p in split(draw, audio["transcript"])]
        deltas += [{"audio": {"data": p}} for p in split(draw, audio["data"])]
        deltas.append({"audio": {"expires_at": audio["expires_at"], "id": audio["id"]}})
    for image in msg.get("images", []):
        deltas.append({"images": [image]})
    if "annotations" in msg:
        notes = msg["annotations"]
        cut = draw(st.integers(0, len(notes)))
        deltas += [{"annotations": part} for part in (notes[:cut], notes[cut:]) if part]
    if "x_future_text" in msg:
        deltas += [{"x_future_text": p} for p in split(draw, msg["x_future_text"])]
        deltas.append({"x_future_number": msg["x_future_number"]})
        label = msg["x_future_object"]["label"]
        deltas += [{"x_future_object": {"label": p}} for p in split(draw, label)]
        deltas.append({"x_future_object": {"n": msg["x_future_object"]["n"]}})
    if draw(st.booleans()):
        # OpenRouter repeats the role on every delta.
        deltas = [{"role": "assistant", **d} for d in deltas]
    return deltas


@st.composite
def streams(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A completion and the chunks that stream it."""
    body = draw(completions())
    header = {k: body[k] for k in ("id", "created", "model", "provider")}
    header["object"] = "chat.completion.chunk"
    for key in ("system_fingerprint", "service_tier", "x_future_header"):
        if key in body:
            header[key] = body[key]
    if "usage" in body and draw(st.booleans()):
        # Some providers send "usage": null on every chunk before the real one.
        header["usage"] = None
    # Each choice's deltas, then interleaved at random (n > 1).
    queues = []
    for choice in body["choices"]:
        deltas = explode_message(draw, choice["message"])
        entries: list[dict[str, Any]] = [
            {"index": choice["index"], "delta": d, "finish_reason": None} for d in deltas
        ]
        tokens = (choice.get("logprobs") or {}).get("content")
        if tokens is not None:
            # Split between the first and the last delta; a message streamed
            # in one delta carries them all (its first is its last).
            if len(entries) == 1:
                entries[0]["logprobs"] = {"content": tokens}
            else:
                cut = draw(st.integers(0, len(tokens)))
                entries[0]["logprobs"] = {"content": tokens[:cut]}
                entries[-1] = {**entries[-1], "logprobs": {"content": tokens[cut:]}}
        entries.append(
            {
                "index": choice["index"],
                "delta": {"content": ""} if choice["message"]["content"] is not None else {},
                "finish_reason": choice["finish_reason"],
                "native_finish_reason": choice["native_finish_reason"],
            }
        )
        queues.append(entries)
    chunks = []
    while any(queues):
        queue = draw(st.sampled_from([q for q in queues if q]))
        chunks.append({**header, "choices": [queue.pop(0)]})
    if "openrouter_metadata" in body:
        chunks[0]["openrouter_metadata"] = body["openrouter_metadata"]
    if "usage" in body:
        usage = body["usage"]
        if draw(st.booleans()):
            # A first report of the usage, completed by the final one.
            chunks.append({**header, "choices": [], "usage": {"prompt_tokens": 0}})
        chunks.append({**header, "choices": [], "usage": usage})
    return body, chunks


def frame(chunks: list[dict[str, Any]], keepalives: list[int]) -> bytes:
    """The event stream: keepalive comments between the chunks, then [DONE]."""
    out = [b": OPENROUTER PROCESSING\n\n"]
    for n, chunk in enumerate(chunks):
        out.append(b": OPENROUTER PROCESSING\n\n" * keepalives[n % len(keepalives)])
        out.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def cut(data: bytes, points: list[int]) -> list[bytes]:
    bounds = [0, *sorted(p % (len(data) + 1) for p in points), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def read(pieces: list[bytes]) -> StreamCore[ChatCompletionChunk]:
    core = StreamCore(
        ChatCompletionChunk.from_dict,
        ChatCompletionAccumulator(),
        status=200,
        headers=(),
        secret=None,
        on_heartbeat=None,
    )
    parser: EventStreamParser[Any] = EventStreamParser(comments=True)
    for piece in pieces:
        for item in parser.feed(piece):
            core.handle(item)
    for item in parser.close():
        core.handle(item)
    return core


@settings(max_examples=300)
@given(
    case=streams(),
    keepalives=st.lists(st.integers(0, 2), min_size=1, max_size=3),
    points=st.lists(st.integers(0, 10**6), max_size=12),
)
def test_stream_accumulates_to_the_non_streamed_completion(
    case: tuple[dict[str, Any], list[dict[str, Any]]], keepalives: list[int], points: list[int]
) -> None:
    body, chunks = case
    core = read(cut(frame(chunks, keepalives), points))
    assert core.outcome == "completed"
    assert core.accumulator.result().raw == body


@given(case=streams())
def test_to_message_sends_back_each_reasoning_entry_as_received(
    case: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    """The next turn carries the reasoning details exactly (never a fused entry)."""
    body, chunks = case
    acc = ChatCompletionAccumulator()
    for chunk in chunks:
        acc.add(chunk)
    message = body["choices"][0]["message"]
    sent = acc.to_message().to_dict()
    assert sent.get("reasoning_details", []) == message.get("reasoning_details", [])
    assert sent.get("tool_calls", []) == message.get("tool_calls", [])


# -- the legacy completions endpoint ------------------------------------------------------


@st.composite
def text_streams(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A legacy text completion and the chunks that stream it."""
    header = {
        "id": "gen-" + draw(WORD),
        "created": draw(NUMBER),
        "model": draw(WORD),
        "provider": draw(WORD),
    }
    body: dict[str, Any] = {**header, "object": "text_completion", "choices": []}
    queues = []
    for index in range(draw(st.integers(1, 2))):
        text = draw(TEXT)
        choice: dict[str, Any] = {"index": index, "text": text}
        pieces: list[dict[str, Any]] = [{"index": index, "text": p} for p in split(draw, text)]
        if draw(st.booleans()):
            choice["reasoning"] = draw(TEXT)
            pieces[0]["reasoning"] = ""
            pieces += [{"index": index, "reasoning": p} for p in split(draw, choice["reasoning"])]
        if draw(st.booleans()):
            # The legacy logprobs object: parallel lists, extended piece by piece.
            tokens = [draw(WORD) for _ in range(draw(st.integers(1, 4)))]
            choice["logprobs"] = {"tokens": tokens, "token_logprobs": [-0.5] * len(tokens)}
            for n, token in enumerate(tokens):
                piece = pieces[min(n, len(pieces) - 1)]
                target = piece.setdefault("logprobs", {"tokens": [], "token_logprobs": []})
                target["tokens"].append(token)
                target["token_logprobs"].append(-0.5)
        choice["finish_reason"] = draw(st.sampled_from(["stop", "length"]))
        pieces.append({"index": index, "text": "", "finish_reason": choice["finish_reason"]})
        body["choices"].append(choice)
        queues.append(pieces)
    chunks = []
    while any(queues):
        queue = draw(st.sampled_from([q for q in queues if q]))
        chunks.append({**header, "object": "text_completion", "choices": [queue.pop(0)]})
    if draw(st.booleans()):
        body["usage"] = {"prompt_tokens": draw(NUMBER), "completion_tokens": draw(NUMBER)}
        chunks.append(
            {**header, "object": "text_completion", "choices": [], "usage": body["usage"]}
        )
    return body, chunks


@given(case=text_streams())
def test_text_stream_accumulates_to_the_non_streamed_completion(
    case: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    body, chunks = case
    acc = CompletionAccumulator()
    for chunk in chunks:
        acc.add(chunk)
    assert acc.result().raw == body
