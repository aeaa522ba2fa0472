"""A small, obviously-correct model of the WHATWG event stream interpretation.

It reads the whole input at once, character by character, with no concern
for speed, so that the real parser can be checked against it.
"""

from __future__ import annotations

from sseproto import Comment, Event


def reference_parse(
    stream: bytes, *, comments: bool = False
) -> tuple[list[Event | Comment], str, int | None]:
    """Return (items, last event ID string, reconnection time) for a complete stream."""
    # "The stream must then be decoded using the UTF-8 decode algorithm."
    text = stream.decode("utf-8", "replace")
    # "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
    if text.startswith("\ufeff"):
        text = text[1:]
    # "Lines must be separated by either a CRLF pair, a single LF, or a single CR."
    lines: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in "\r\n":
            lines.append("".join(current))
            current = []
            if char == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
                i += 1
        else:
            current.append(char)
        i += 1
    # Whatever follows the last line ending is an incomplete line: discarded.

    items: list[Event | Comment] = []
    data_buffer = ""
    event_type = ""
    id_buffer = ""
    last_event_id = ""
    retry: int | None = None
    for line in lines:
        if line == "":
            last_event_id = id_buffer
            if data_buffer == "":
                event_type = ""
                continue
            if data_buffer.endswith("\n"):
                data_buffer = data_buffer[:-1]
            items.append(Event(event_type or "message", data_buffer, last_event_id))
            data_buffer = ""
            event_type = ""
            continue
        if line.startswith(":"):
            if comments:
                body = line[1:]
                items.append(Comment(body[1:] if body.startswith(" ") else body))
            continue
        if ":" in line:
            name, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            name, value = line, ""
        if name == "event":
            event_type = value
        elif name == "data":
            data_buffer += value + "\n"
        elif name == "id":
            if "\x00" not in value:
                id_buffer = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            retry = int(value)
    return items, last_event_id, retry
