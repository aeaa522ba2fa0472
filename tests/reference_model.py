"""A small, obviously-correct model of the WHATWG event stream interpretation,
with the parser's documented limits.

It reads a whole stream at once, one line at a time, with no concern for
speed, so that the real parser can be checked against it (the property tests
here, and every fuzz driver through ``fuzz/invariants.py``).

Lines are split on CRLF, CR and LF in the raw bytes ("Lines must be separated
by either a CRLF pair, a single LF, or a single CR"), each decoded as UTF-8 on
its own (line endings are ASCII, so this equals decoding the whole stream, as
"the stream must then be decoded using the UTF-8 decode algorithm" asks), and
one BOM is dropped from the start of the first line. Whatever follows the last
line ending is an incomplete line and is never interpreted.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from sseproto import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    Comment,
    Event,
    EventTooLarge,
    LimitExceeded,
    LineTooLong,
    RemoteProtocolError,
)

_CR = 0x0D
_LF = 0x0A


@dataclass(frozen=True)
class ModelResult:
    """What a spec-exact parser with the documented limits makes of a stream."""

    items: tuple[Event | Comment, ...]
    last_event_id: str
    retry: int | None
    #: The limit error that ended the parse (the first one in stream order).
    error: type[RemoteProtocolError] | None
    #: Offset in the stream at which the error became certain: the byte that
    #: made a line too long, or the end of the line that broke a limit.
    error_offset: int | None
    #: Whether the stream ended inside a line or an event block (None after an error).
    unterminated: bool | None


def split_lines(stream: bytes) -> tuple[list[tuple[int, bytes, int]], int]:
    """The complete lines as (start offset, bytes without the ending, offset just
    past the byte that ended the line), and the start of the incomplete rest."""
    lines: list[tuple[int, bytes, int]] = []
    start = 0
    index = 0
    size = len(stream)
    while index < size:
        byte = stream[index]
        if byte in (_CR, _LF):
            lines.append((start, stream[start:index], index + 1))
            if byte == _CR and index + 1 < size and stream[index + 1] == _LF:
                index += 1
            start = index + 1
        index += 1
    return lines, start


def line_lengths(stream: bytes) -> list[int]:
    """Byte lengths of the stream's lines (the incomplete last one included)."""
    lines, rest_start = split_lines(stream)
    return [len(raw) for _, raw, _ in lines] + [len(stream) - rest_start]


def reference_parse(
    stream: bytes,
    *,
    comments: bool = False,
    max_line_size: int = DEFAULT_MAX_LINE_SIZE,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
) -> ModelResult:
    """Interpret a complete stream.

    The limits: a line of more than ``max_line_size`` bytes (the incomplete
    last one too), a data buffer (values plus one LF per data line) of more
    than ``max_event_size`` characters, and a ``retry`` value with more digits
    than ``sys.get_int_max_str_digits()`` each end the parse with their error.
    """
    lines, rest_start = split_lines(stream)
    digit_limit = sys.get_int_max_str_digits()
    items: list[Event | Comment] = []
    data: list[str] = []
    data_size = 0
    event_type = ""
    id_buffer = ""
    last_event_id = ""
    retry: int | None = None
    error: type[RemoteProtocolError] | None = None
    error_offset: int | None = None
    for number, (start, raw, done) in enumerate(lines):
        if len(raw) > max_line_size:
            error, error_offset = LineTooLong, start + max_line_size + 1
            break
        line = raw.decode("utf-8", "replace")
        if number == 0 and line.startswith("\ufeff"):
            # "One leading U+FEFF BYTE ORDER MARK character must be ignored."
            line = line[1:]
        if line == "":
            # "If the line is empty (a blank line): Dispatch the event": commit
            # the id; an event only if the data buffer is not empty.
            last_event_id = id_buffer
            if data:
                items.append(Event(event_type or "message", "\n".join(data), last_event_id))
            data = []
            data_size = 0
            event_type = ""
            continue
        # "Collect the characters on the line before the first U+003A COLON
        # (:), and let field be that string"; no colon: the whole line is the
        # field name and the value is empty. One leading space is removed.
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if colon and name == "":
            # "If the line starts with a U+003A COLON character (:): ignore it."
            if comments:
                items.append(Comment(value))
        elif name == "event":
            event_type = value
        elif name == "data":
            data.append(value)
            data_size += len(value) + 1
            if data_size > max_event_size:
                error, error_offset = EventTooLarge, done
                break
        elif name == "id":
            if "\0" not in value:
                id_buffer = value
        elif name == "retry" and value != "" and all(c in "0123456789" for c in value):
            if digit_limit and len(value) > digit_limit:
                error, error_offset = LimitExceeded, done
                break
            retry = int(value)
    else:
        if len(stream) - rest_start > max_line_size:
            error, error_offset = LineTooLong, rest_start + max_line_size + 1
    unterminated = None
    if error is None:
        unterminated = bool(
            rest_start < len(stream) or data or event_type or id_buffer != last_event_id
        )
    return ModelResult(
        items=tuple(items),
        last_event_id=last_event_id,
        retry=retry,
        error=error,
        error_offset=error_offset,
        unterminated=unterminated,
    )
