"""Byte-stream vectors shared by the parser tests, the adapter tests and the fuzz seeds.

Each vector is a stream of bytes and what a spec-exact parser makes of it
(without comments): the events, the final last event ID and retry value.
Adapter tests serve these same bytes over real connections.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sseproto import Event


@dataclass(frozen=True)
class Vector:
    name: str
    stream: bytes
    events: list[Event]
    last_event_id: str = ""
    retry: int | None = None
    #: The stream ends inside a line or an event block (discarded per spec).
    unterminated: bool = False
    tags: tuple[str, ...] = field(default=())


def _m(data: str, id: str = "", type: str = "message") -> Event:
    return Event(type=type, data=data, id=id)


VECTORS: list[Vector] = [
    Vector("simple", b"data: hello\n\n", [_m("hello")]),
    Vector("two events", b"data: a\n\ndata: b\n\n", [_m("a"), _m("b")]),
    Vector("multi-line data", b"data: a\ndata: b\ndata: c\n\n", [_m("a\nb\nc")]),
    Vector("crlf endings", b"data: a\r\n\r\ndata: b\r\n\r\n", [_m("a"), _m("b")], tags=("crlf",)),
    Vector("cr endings", b"data: a\r\rdata: b\r\r", [_m("a"), _m("b")]),
    Vector("mixed endings", b"data: a\r\ndata: b\rdata: c\n\r\n", [_m("a\nb\nc")]),
    Vector("no space after colon", b"data:x\n\n", [_m("x")]),
    Vector("only one space removed", b"data:  two spaces\n\n", [_m(" two spaces")]),
    Vector("tab is not removed", b"data:\tx\n\n", [_m("\tx")]),
    Vector("data without colon", b"data\n\n", [_m("")]),
    Vector("empty data then more", b"data\ndata\ndata: x\n\n", [_m("\n\nx")]),
    Vector("trailing empty data line", b"data: x\ndata\n\n", [_m("x\n")]),
    Vector("colon in value", b"data: a: b:c\n\n", [_m("a: b:c")]),
    Vector("event type", b"event: update\ndata: 1\n\n", [_m("1", type="update")]),
    Vector("empty event type", b"event:\ndata: 1\n\n", [_m("1")]),
    Vector(
        "type resets after dispatch",
        b"event: a\ndata: 1\n\ndata: 2\n\n",
        [_m("1", type="a"), _m("2")],
    ),
    Vector("type resets on blank without data", b"event: a\n\ndata: 1\n\n", [_m("1")]),
    Vector(
        "blank line without data dispatches nothing",
        b"\n\n\n: c\n\nid: 1\n\n",
        [],
        last_event_id="1",
    ),
    Vector(
        "id persists",
        b"id: 1\ndata: a\n\ndata: b\n\n",
        [_m("a", "1"), _m("b", "1")],
        last_event_id="1",
    ),
    Vector(
        "id reset by empty value", b"id: 1\ndata: a\n\nid\ndata: b\n\n", [_m("a", "1"), _m("b", "")]
    ),
    Vector(
        "id reset by empty value after colon",
        b"id: 1\ndata: a\n\nid:\ndata: b\n\n",
        [_m("a", "1"), _m("b", "")],
    ),
    Vector(
        "id with NUL ignored",
        b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
        [_m("a", "1"), _m("b", "1")],
        last_event_id="1",
    ),
    Vector("id committed without data", b"id: 9\n\ndata: x\n\n", [_m("x", "9")], last_event_id="9"),
    Vector(
        "id in discarded trailing block",
        b"id: 1\ndata: a\n\nid: 2\ndata: b\n",
        [_m("a", "1")],
        last_event_id="1",
        unterminated=True,
    ),
    Vector("id after data in same block", b"data: a\nid: 5\n\n", [_m("a", "5")], last_event_id="5"),
    Vector("unterminated event discarded", b"data: a\n\ndata: b", [_m("a")], unterminated=True),
    Vector("unterminated line discarded", b"data: a\n\nda", [_m("a")], unterminated=True),
    Vector("retry", b"retry: 1500\n", [], retry=1500),
    Vector("retry zero", b"retry: 0\n", [], retry=0),
    Vector(
        "retry huge exact",
        b"retry: 123456789012345678901234567890\n",
        [],
        retry=123456789012345678901234567890,
    ),
    Vector(
        "retry invalid ignored",
        "retry: 10\nretry: +5\nretry:  5\nretry: 1_0\nretry: \u0663\nretry: 5x\nretry:\n"
        "retry\nretry: -1\nretry: 1.5\n".encode(),
        [],
        retry=10,
    ),
    Vector("retry applies before dispatch", b"retry: 7\ndata: x", [], retry=7, unterminated=True),
    Vector(
        "fields are case-sensitive",
        b"Data: a\nDATA: b\nEvent: x\nID: 1\nRetry: 5\ndata: c\n\n",
        [_m("c")],
    ),
    Vector("unknown fields ignored", b"foo: bar\ndata: a\nbaz\n\n", [_m("a")]),
    Vector("comments ignored", b": hi\ndata: a\n:\n: more\n\n", [_m("a")]),
    Vector("field name with space", b"data : a\ndata: b\n\n", [_m("b")]),
    Vector("bom stripped", b"\xef\xbb\xbfdata: a\n\n", [_m("a")]),
    Vector("only one bom stripped", b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n", [_m("b")]),
    Vector(
        "bom not at start kept",
        b"data: a\n\n\xef\xbb\xbfdata: b\n\ndata: \xef\xbb\xbfc\n\n",
        [_m("a"), _m("\ufeffc")],
    ),
    Vector("utf-8 decoding", "data: héllo — 世界 🎉\n\n".encode(), [_m("héllo — 世界 🎉")]),
    Vector(
        "invalid utf-8 replaced", b"data: a\xffb\xc3(\xe2\x82\n\n", [_m("a\ufffdb\ufffd(\ufffd")]
    ),
    Vector(
        "unicode line separators are not line endings",
        "data: a\u2028b\u0085c\x0bd\x0ce\u2029f\n\n".encode(),
        [_m("a\u2028b\u0085c\x0bd\x0ce\u2029f")],
    ),
    Vector("nul kept in data", b"data: a\x00b\n\n", [_m("a\x00b")]),
    Vector(
        "openrouter keepalive and done",
        b": OPENROUTER PROCESSING\n\n"
        b'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n'
        b": OPENROUTER PROCESSING\n\n"
        b"data: [DONE]\n\n",
        [_m('{"choices":[{"delta":{"content":"Hi"}}]}'), _m("[DONE]")],
    ),
]
