"""Fetch's rules for a response that is to start an event stream.

The HTML spec's EventSource algorithm checks a response with Fetch's header
and MIME type parsing: "if res's status is not 200, or if res's
`Content-Type` is not `text/event-stream`, then fail the connection".
:func:`judge_response` applies exactly that check; the reconnect machine
(``_reconnect.py``) and the HTTP client's flows (``sseproto.http``) both use
it, so a browser, the machine and every client accept the same responses.
"""

from __future__ import annotations

import string
from typing import Final

__all__ = ["TOKEN", "judge_response"]

# Fetch's "HTTP token code points" and "HTTP whitespace"; MIME types are made
# of tokens, and values are trimmed of whitespace before parsing.
TOKEN: Final = frozenset("!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits)
_HTTP_WHITESPACE: Final = "\t\n\r "
_HTTP_TAB_OR_SPACE: Final = "\t "


def _split_header_value(value: str) -> list[str]:
    """Fetch's "get, decode, and split" for one header's combined value: split
    at commas outside quoted strings, strip HTTP tab or space from each piece."""
    pieces: list[str] = []
    start = 0
    quoted = False
    escaped = False
    for index, char in enumerate(value):
        if escaped:
            escaped = False
        elif quoted:
            if char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == ",":
            pieces.append(value[start:index].strip(_HTTP_TAB_OR_SPACE))
            start = index + 1
    pieces.append(value[start:].strip(_HTTP_TAB_OR_SPACE))
    return pieces


def _mime_essence(text: str) -> str | None:
    """The essence (``type/subtype``, lowercase) of a MIME type string, or None
    if it does not parse (MIME Sniffing, "parse a MIME type", steps 1-10; the
    parameters that follow never make parsing fail, so they are skipped)."""
    text = text.strip(_HTTP_WHITESPACE)
    slash = text.find("/")
    if slash < 0:
        return None
    type_ = text[:slash]
    subtype = text[slash + 1 :].partition(";")[0].rstrip(_HTTP_WHITESPACE)
    if not type_ or not subtype or not TOKEN.issuperset(type_) or not TOKEN.issuperset(subtype):
        return None
    return f"{type_}/{subtype}".lower()


def _content_type(headers: tuple[tuple[str, str], ...]) -> str | None:
    """Fetch's "extract a MIME type" reduced to the essence: the last
    ``Content-Type`` value (over all such headers, split at commas) that parses
    and is not ``*/*``; None if there is none."""
    values = [value for name, value in headers if name.lower() == "content-type"]
    if not values:
        return None
    essence = None
    for piece in _split_header_value(", ".join(values)):
        parsed = _mime_essence(piece)
        if parsed is not None and parsed != "*/*":
            essence = parsed
    return essence


def judge_response(status: int, headers: tuple[tuple[str, str], ...]) -> str | None:
    """Why a response cannot start the stream, or None if it can (the spec:
    "if res's status is not 200, or if res's `Content-Type` is not
    `text/event-stream`, then fail the connection")."""
    if status == 204:
        return "the server answered 204 No Content, which tells an event source to stop"
    if status != 200:
        return f"the server answered status {status}, not 200"
    if _content_type(headers) == "text/event-stream":
        return None
    values = [value for name, value in headers if name.lower() == "content-type"]
    if not values:
        return "the response has no Content-Type header, so it is not text/event-stream"
    return f"the response's Content-Type is {', '.join(values)!r}, not text/event-stream"
