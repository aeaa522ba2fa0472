"""Shared by the server-role tests: strategies, a model of what a stream
sends, and ways to take a stream's bytes out and parse them back."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass

from hypothesis import strategies as st

import sseproto
from sseproto import Comment, Event, EventStreamParser, ServerStream

LINE_ENDINGS = ("\n", "\r\n", "\r")

# Text with every kind of line break and the separators the format does not treat as one.
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(["\n", "\r", "\u2028", "\u0085", "\x0b", "\x0c", " ", ":", "é"]),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=20,
)
single_line_texts = texts.map(lambda s: s.replace("\r", "").replace("\n", ""))
types = st.one_of(st.none(), single_line_texts.filter(bool))
ids = st.one_of(st.none(), single_line_texts.map(lambda s: s.replace("\0", "")))
retries = st.one_of(st.none(), st.integers(0, 10**12))


@dataclass(frozen=True)
class Send:
    """One event sent with ``send()`` (or, ``as_event``, ``send_event()``)."""

    data: str
    type: str | None
    id: str | None
    retry: int | None
    as_event: bool


@dataclass(frozen=True)
class Note:
    """One comment sent with ``comment()``."""

    text: str


@dataclass(frozen=True)
class Tick:
    """``tick(now)``: time moves on by ``step`` seconds first."""

    step: float


Operation = Send | Note | Tick

sends = st.builds(Send, texts, types, ids, retries, st.booleans())
notes = st.builds(Note, single_line_texts)
ticks = st.builds(Tick, st.sampled_from([0, 2.5, 5, 7]))
operations = st.lists(st.one_of(sends, notes, ticks), max_size=12)


def normalized(data: str) -> str:
    """What a parser gives back for ``data``: every line break as LF."""
    return data.replace("\r\n", "\n").replace("\r", "\n")


class Model:
    """What a client must parse from a stream, built alongside the calls."""

    def __init__(self, last_event_id: str = "", retry: int | None = None) -> None:
        self.items: list[Event | Comment] = []
        self.last_id = last_event_id
        self.retry = retry

    def event(self, data: str, type: str | None, id: str | None, retry: int | None) -> None:
        if id is not None:
            self.last_id = id
        if retry is not None:
            self.retry = retry
        self.items.append(Event(type or "message", normalized(data), self.last_id))

    def comment(self, text: str) -> None:
        self.items.append(Comment(text))


def apply(stream: ServerStream, ops: Iterable[Operation], model: Model, now: float) -> float:
    """Perform ``ops`` on an OPEN stream, recording each in ``model``; returns the time."""
    for op in ops:
        if isinstance(op, Send):
            if op.as_event:
                stream.send_event(sseproto.ServerEvent(op.data, op.type, op.id, op.retry))
            else:
                stream.send(op.data, type=op.type, id=op.id, retry=op.retry)
            model.event(op.data, op.type, op.id, op.retry)
        elif isinstance(op, Note):
            stream.comment(op.text)
            model.comment(op.text)
        else:
            now += op.step
            if stream.tick(now):
                model.comment("")
    return now


def take(stream: ServerStream, sizes: list[int]) -> bytes:
    """All of ``stream``'s queued bytes, taken with ``data_to_send(size)`` for
    each size in turn (repeating the list), then the rest in one call."""
    out = bytearray()
    for size in sizes:
        chunk = stream.data_to_send(size)
        assert len(chunk) == min(size, len(chunk) + stream.pending)
        out += chunk
    out += stream.data_to_send()
    assert stream.pending == 0
    assert stream.data_to_send() == b""
    return bytes(out)


def parse(
    wire: bytes, cuts: Iterable[int] = ()
) -> tuple[list[Event | Comment], EventStreamParser[Event | Comment]]:
    """``wire`` fed to sseproto's parser in pieces cut at ``cuts``."""
    parser = EventStreamParser(comments=True)
    items: list[Event | Comment] = []
    start = 0
    for cut in sorted(cuts):
        items += parser.feed(wire[start:cut])
        start = max(start, cut)
    items += parser.feed(wire[start:])
    items += parser.close()
    return items, parser


def parse_httpx_sse(wire: bytes, piece: int) -> list[tuple[str, str, str, int | None]]:
    """``wire`` through httpx-sse's line decoder and SSEDecoder, ``piece`` bytes at a time:
    (type, data, id, retry) per event."""
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder  # noqa: PLC0415 - optional peer

    text = codecs.getincrementaldecoder("utf-8")()
    lines = SSELineDecoder()
    decoder = SSEDecoder()
    found: list[tuple[str, str, str, int | None]] = []
    pieces = [wire[i : i + piece] for i in range(0, len(wire), piece)]
    for raw in pieces:
        chunk = text.decode(raw)
        for line in lines.decode(chunk) if chunk else []:
            sse = decoder.decode(line)
            if sse is not None:
                found.append((sse.event, sse.data, sse.id, sse.retry))
    for line in lines.flush():
        sse = decoder.decode(line)
        if sse is not None:
            found.append((sse.event, sse.data, sse.id, sse.retry))
    return found


def parse_sseclient(wire: bytes, piece: int) -> list[tuple[str, str, str | None]]:
    """``wire`` through sseclient-py, ``piece`` bytes at a time: (type, data, id) per event."""
    import sseclient  # noqa: PLC0415 - optional peer

    pieces = iter([wire[i : i + piece] for i in range(0, len(wire), piece)])
    return [(e.event, e.data, e.id) for e in sseclient.SSEClient(pieces).events()]
