"""CPU per event of ChunkDecoder for each stream format.

Four streams of the same length, one per built-in format, shaped as
OpenRouter serves them: chat and legacy completion chunks, Responses
``response.output_text.delta`` events, Messages ``content_block_delta``
events (a keepalive comment every 50 events, and a ``ping`` every 50 in
Messages), each ended the format's way. Three measures per format, interleaved
round by round (rotating the start) so machine noise hits every format alike:

- ``decode``: ``feed_item()`` over events parsed beforehand: the decoder
  alone, the way the OpenRouter client drives it;
- ``no json``: the same with ``loads`` replaced by a table lookup of each
  payload's decoded value: the decoder's own work, without JSON decoding;
- ``feed``: ``feed()`` over the body in 64 KiB pieces: parser and decoder.

Times are CPU time of this process (``time.process_time``: a busy machine
delays it less than it delays a wall clock), the best of the rounds. The
ratio column divides by the time per event of chat without a format. With ``--chat-only`` only
the chat stream is timed, with the arguments the OpenRouter client passes
(``is_error=has_error_member, heartbeats=True``) and no ``format``: the same
script then runs on an older sseproto, for an A/B comparison of the chat path.

Usage:
    python benchmarks/chunk_formats.py [--events N] [--repeat N] [--chat-only]
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from collections.abc import Callable
from typing import Any

import sseproto

KEEPALIVE_EVERY = 50
PIECE = 64 * 1024
TOKENS = ["Hel", "lo", ",", " wor", "ld", " — ", "naïve", " café", " 🙂", " and", " so", " on"]


KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
_ID = "gen-1780000000-aB3dE5fG7hJ9kL1mN3pQ"


def _body(
    events: int,
    payload: Callable[[int, str], dict[str, Any]],
    *,
    name: str | None = None,
    keepalive: bytes = KEEPALIVE,
    head: bytes = b"",
    tail: bytes = b"data: [DONE]\n\n",
) -> bytes:
    """``events`` compact JSON events (``payload(n, token)``), ``keepalive``
    after every KEEPALIVE_EVERY-th, between ``head`` and ``tail``."""
    out = [head]
    for n in range(events):
        data = json.dumps(payload(n, TOKENS[n % len(TOKENS)]), separators=(",", ":"))
        out.append(sseproto.encode_event(data, type=name))
        if n % KEEPALIVE_EVERY == 0:
            out.append(keepalive)
    out.append(tail)
    return b"".join(out)


def _chat_chunk(n: int, token: str) -> dict[str, Any]:
    delta = {"role": "assistant", "content": token}
    choice = {"index": 0, "delta": delta, "finish_reason": None, "native_finish_reason": None}
    return {
        "id": _ID,
        "provider": "OpenAI",
        "model": "openai/gpt-4o-mini",
        "object": "chat.completion.chunk",
        "created": 1780000000,
        "choices": [{**choice, "logprobs": None}],
    }


def _completion_chunk(n: int, token: str) -> dict[str, Any]:
    return {
        "id": _ID,
        "provider": "OpenAI",
        "model": "openai/gpt-3.5-turbo-instruct",
        "object": "text_completion",
        "created": 1780000000,
        "choices": [{"text": token, "index": 0, "logprobs": None, "finish_reason": None}],
    }


def _responses_delta(n: int, token: str) -> dict[str, Any]:
    return {
        "type": "response.output_text.delta",
        "output_index": 0,
        "item_id": "msg_tmp_q1n5v0x7",
        "content_index": 0,
        "delta": token,
        "logprobs": [],
        "sequence_number": n + 3,
    }


def _messages_delta(n: int, token: str) -> dict[str, Any]:
    return {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": token},
    }


def _chat_body(events: int) -> bytes:
    return _body(events, _chat_chunk)


def _streams(events: int) -> list[tuple[str, bytes, sseproto.StreamFormat]]:
    completed = {"type": "response.completed", "response": {"status": "completed", "output": []}}
    return [
        ("chat", _chat_body(events), sseproto.CHAT),
        ("completions", _body(events, _completion_chunk), sseproto.COMPLETIONS),
        (
            "responses",
            _body(
                events,
                _responses_delta,
                head=b": \n\n",
                tail=sseproto.encode_event(json.dumps(completed)) + b"data: [DONE]\n\n",
            ),
            sseproto.RESPONSES,
        ),
        (
            "messages",
            _body(
                events,
                _messages_delta,
                name="content_block_delta",
                keepalive=KEEPALIVE + b'event: ping\ndata: {"type": "ping"}\n\n',
                tail=b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
                b"event: data\ndata: [DONE]\n\n",
            ),
            sseproto.MESSAGES,
        ),
    ]


Make = Callable[..., Any]


def _cases(events: int, chat_only: bool) -> dict[str, tuple[bytes, Make]]:
    def legacy(**options: Any) -> Any:
        return sseproto.ChunkDecoder(is_error=sseproto.has_error_member, heartbeats=True, **options)

    cases: dict[str, tuple[bytes, Make]] = {"chat (no format)": (_chat_body(events), legacy)}
    if chat_only:
        return cases
    for name, body, fmt in _streams(events):
        cases[name] = (body, functools.partial(sseproto.ChunkDecoder, format=fmt, heartbeats=True))
    return cases


def _lookup(memo: dict[int, Any]) -> Callable[[str], Any]:
    get = memo.__getitem__

    def loads(data: str) -> Any:
        return get(id(data))

    return loads


def _time(make: Make, method: str, inputs: list[Any], **options: Any) -> float:
    """CPU seconds to give every input to a new decoder's ``method``, then close it."""
    dec = make(**options)
    give = getattr(dec, method)
    start = time.process_time()
    for one in inputs:
        give(one)
    dec.close()
    elapsed = time.process_time() - start
    assert dec.state is sseproto.ChunkState.COMPLETED
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="chunks per stream")
    parser.add_argument("--repeat", type=int, default=15, help="interleaved rounds")
    parser.add_argument("--chat-only", action="store_true", help="only the chat stream")
    args = parser.parse_args()
    cases = _cases(args.events, args.chat_only)
    prepared = {}
    memo: dict[str, dict[int, Any]] = {}
    for name, (body, make) in cases.items():
        items = sseproto.EventStreamParser(comments=True).feed(body)
        pieces = [body[i : i + PIECE] for i in range(0, len(body), PIECE)]
        events = sum(type(item) is sseproto.Event for item in items)
        prepared[name] = (make, items, pieces, events, len(body))
        # Every payload decoded once, keyed by the identity of its str (the
        # same objects every round): "no json" replaces loads by a lookup in
        # this table, the same cost for every format, leaving the decoder's
        # own work.
        memo[name] = {
            id(item.data): json.loads(item.data)
            for item in items
            if type(item) is sseproto.Event and item.data != "[DONE]"
        }
    times: dict[tuple[str, str], list[float]] = {}
    names = list(prepared)
    for round_ in range(args.repeat):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            make, items, pieces, events, _ = prepared[name]
            times.setdefault((name, "decode"), []).append(_time(make, "feed_item", items) / events)
            lookup = _lookup(memo[name])
            elapsed = _time(make, "feed_item", items, loads=lookup, decode_errors=())
            times.setdefault((name, "no json"), []).append(elapsed / events)
            times.setdefault((name, "feed"), []).append(_time(make, "feed", pieces) / events)
    print(f"sseproto {sseproto.__file__}, {args.events:,} events per stream, {args.repeat} rounds")
    measures = ("decode", "no json", "feed")
    header = "".join(f" {m + ' ns/ev':>13} {'ratio':>5}" for m in measures)
    print(f"{'format':<18} {'bytes/ev':>8}{header}")
    base = {m: min(times["chat (no format)", m]) for m in measures}
    for name in names:
        _, _, _, events, size = prepared[name]
        row = f"{name:<18} {size / events:>8.0f}"
        for m in measures:
            per_event = min(times[name, m])
            row += f" {per_event * 1e9:>13.0f} {per_event / base[m]:>5.2f}"
        print(row)


if __name__ == "__main__":
    main()
