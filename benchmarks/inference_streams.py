"""CPU per event through the OpenRouter client's stream path, per API.

The streams of ``chunk_formats.py`` (the same answer as chat chunks,
Responses ``response.output_text.delta`` events and Messages
``content_block_delta`` events, with keepalives, each ended its format's
way) are parsed beforehand; each round then gives every item to a new
``StreamCore`` built as the client builds it for ``client.chat.stream()``,
``client.responses.stream()`` and ``client.messages.stream()``: decoding
by the format, the typed item (``ChatCompletionChunk``, the
``ResponseEvent`` or ``MessageEvent`` subclass), the accumulator, the
outcome; then ``result()``. No sockets: the transport's share is the same
for every API. Interleaved rounds, rotating the start, CPU time of this
process, best of the rounds; the ratio divides by chat's time per event.

The target: Responses and Messages cost no more per event than chat.
One run (``--events 20000 --repeat 15``, the defaults, on a shared
two-core machine) gave::

    api          bytes/ev   ns/ev  ratio
    chat              292    5048   1.00
    responses         163    4149   0.82
    messages          119    3313   0.66

Usage:
    python benchmarks/inference_streams.py [--events N] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from chunk_formats import _streams

import sseproto
from openrouter import OpenRouter
from openrouter._inference import CHAT_KIND, MESSAGES_KIND, RESPONSES_KIND, Kind, stream_core

KINDS: dict[str, Kind] = {"chat": CHAT_KIND, "responses": RESPONSES_KIND, "messages": MESSAGES_KIND}


def _time(client: OpenRouter, kind: Kind, items: list[Any]) -> float:
    """CPU seconds for a new core of ``kind`` to handle ``items`` and build the result."""
    core = stream_core(client, kind, None, False, awaits=False)
    handle = core.handle
    start = time.process_time()
    for item in items:
        handle(item)
    core.accumulator.result()
    elapsed = time.process_time() - start
    assert core.outcome == "completed", core.outcome
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="events per stream")
    parser.add_argument("--repeat", type=int, default=15, help="interleaved rounds")
    args = parser.parse_args()
    prepared = {}
    for name, body, _ in _streams(args.events):
        if name in KINDS:
            items = sseproto.EventStreamParser(comments=True).feed(body)
            events = sum(type(item) is sseproto.Event for item in items)
            prepared[name] = (items, events, len(body))
    times: dict[str, list[float]] = {name: [] for name in prepared}
    names = list(prepared)
    with OpenRouter("sk-or-benchmark", base_url="http://127.0.0.1:9") as client:
        for round_ in range(args.repeat):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                items, events, _ = prepared[name]
                times[name].append(_time(client, KINDS[name], items) / events)
    print(f"{args.events:,} events per stream, {args.repeat} rounds")
    print(f"{'api':<12} {'bytes/ev':>8} {'ns/ev':>7} {'ratio':>6}")
    base = min(times["chat"])
    for name in names:
        _, events, size = prepared[name]
        best = min(times[name])
        print(f"{name:<12} {size / events:>8.0f} {best * 1e9:>7.0f} {best / base:>6.2f}")


if __name__ == "__main__":
    main()
