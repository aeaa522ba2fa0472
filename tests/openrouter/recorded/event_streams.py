"""Replay the Responses and Messages stream fixtures (``responses_*.sse``,
``messages_*.sse`` beside this file) through the event stream parser.

The fixtures are written here in the shapes OpenRouter serves (data-only
Responses events, or OpenAI's ``event:`` lines; named Messages events with
OpenRouter's ``event: data`` / ``data: [DONE]`` trailer; keepalive
comments); ids, texts and numbers are our own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sseproto import Comment, Event, EventStreamParser

HERE = Path(__file__).parent


def fixture(name: str) -> bytes:
    """The bytes of one fixture file."""
    return (HERE / name).read_bytes()


@dataclass
class Replay:
    """What a reader takes from a stream: the decoded events with their SSE
    names, and the keepalive comments and ``[DONE]`` trailers it skipped."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    comments: int = 0
    trailers: int = 0


def replay(pieces: Iterable[bytes]) -> Replay:
    """Parse the pieces of a body in order and decode each event's JSON."""
    parser = EventStreamParser(comments=True)
    out = Replay()
    items: list[Event | Comment] = []
    for piece in pieces:
        items.extend(parser.feed(piece))
    items.extend(parser.close())
    for item in items:
        if isinstance(item, Comment):
            out.comments += 1
        elif item.data == "[DONE]":
            out.trailers += 1
        else:
            out.events.append((item.type, json.loads(item.data)))
    return out


def byte_by_byte(data: bytes) -> list[bytes]:
    """``data`` as one-byte pieces."""
    return [data[i : i + 1] for i in range(len(data))]


def assert_same_under_splits(
    data: bytes, result: Callable[[Replay], object], *, every_cut: bool = False
) -> None:
    """Replayed whole, byte by byte and (``every_cut``) cut in two at every
    position, ``data`` gives the same events and the same ``result``."""
    whole = replay([data])
    expected = result(whole)
    split = replay(byte_by_byte(data))
    assert split == whole
    assert result(split) == expected
    if every_cut:
        for i in range(len(data) + 1):
            assert result(replay([data[:i], data[i:]])) == expected, i
