"""Helpers shared by the parser tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sseproto
from sseproto import Comment, Event


@dataclass(frozen=True)
class Outcome:
    """Everything observable from feeding a stream: items, final state, error."""

    items: list[Event | Comment]
    last_event_id: str
    retry: int | None
    error: type[sseproto.ProtocolError] | None
    unterminated: bool | None


def run(chunks: Iterable[bytes], **options: object) -> Outcome:
    """Feed chunks one by one, then close; collect items even around an error."""
    parser = sseproto.EventStreamParser(**options)  # type: ignore[call-overload]
    items: list[Event | Comment] = []
    error: type[sseproto.ProtocolError] | None = None
    try:
        for chunk in chunks:
            items += parser.feed(chunk)
        items += parser.close()
    except sseproto.RemoteProtocolError as exc:
        error = type(exc)
    unterminated = parser.unterminated if error is None else None
    return Outcome(items, parser.last_event_id, parser.retry, error, unterminated)


def split(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """Split data at the given offsets (clamped, sorted, duplicates give empty chunks)."""
    points = sorted(min(max(c, 0), len(data)) for c in cuts)
    pieces = []
    start = 0
    for point in points:
        pieces.append(data[start:point])
        start = point
    pieces.append(data[start:])
    return pieces


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]
