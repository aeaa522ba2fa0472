"""Events to ``text/event-stream`` bytes (for servers, tests and round trips).

The encoder only produces what parses back to exactly what went in: anything
that cannot (a type or id with a line break, an id with NUL, a negative
retry, a comment with a line break) is refused with ``LocalProtocolError``
rather than silently changed.

Every function takes ``line_ending``: ``"\n"`` (the default), ``"\r\n"``
or ``"\r"``, the three line endings the format allows. It ends every line
written, the blank line that dispatches an event included. The bytes are
built with LF and the LFs swapped afterwards, which is exact: once ``data``
is split into lines and single-line values are checked, every LF in the
output is a line ending; the default pays one comparison for the choice.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Final

from ._errors import LocalProtocolError

__all__ = ["encode_comment", "encode_event", "encode_retry"]

#: The line endings the format allows (WHATWG HTML, 9.2.5 "Parsing an event stream":
#: ``end-of-line = ( cr lf / cr / lf )``), each with its bytes.
LINE_ENDINGS: Final[Mapping[str, bytes]] = {"\n": b"\n", "\r\n": b"\r\n", "\r": b"\r"}


def _ending(line_ending: object) -> bytes:
    """The bytes of a line ending other than LF, or ``LocalProtocolError``."""
    try:
        return LINE_ENDINGS[line_ending]  # type: ignore[index]  # checked right here
    except (KeyError, TypeError):
        raise LocalProtocolError(
            f'line_ending must be "\\n", "\\r\\n" or "\\r", not {line_ending!r}'
        ) from None


def _utf8(text: str, what: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # Lone surrogates have no UTF-8 form: no stream can carry them.
        raise LocalProtocolError(f"{what} cannot be encoded as UTF-8: {exc.reason}") from exc


def _lines(text: str) -> list[str]:
    # The parser's line endings exactly: CRLF, CR, LF (and nothing else).
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _check_single_line(name: str, value: str) -> None:
    if not isinstance(value, str):
        raise LocalProtocolError(f"{name} must be a str, not {type(value).__name__}")
    if "\r" in value or "\n" in value:
        raise LocalProtocolError(f"{name} cannot contain CR or LF: {value!r}")


def encode_event(
    data: str,
    *,
    type: str | None = None,
    id: str | None = None,
    retry: int | None = None,
    line_ending: str = "\n",
) -> bytes:
    """Encode one event as UTF-8 bytes, ending with the blank line that dispatches it.

    ``data`` may contain any characters; each CR, LF or CRLF in it starts a
    new ``data:`` line, so the parser gives the data back with every line
    break as LF. ``type=None`` (or ``"message"``) sends no ``event:`` field.
    ``id=None`` sends no ``id:`` field; ``id=""`` sends one that resets the
    last event ID. ``retry`` sends a ``retry:`` field (milliseconds).

    Values are written as ``field: value``, so a value that starts with a
    space keeps it (the parser removes only the one space the encoder adds).
    Every line ends with ``line_ending`` (``"\\n"``, ``"\\r\\n"`` or ``"\\r"``).

    Raises:
        LocalProtocolError: ``type`` or ``id`` contains CR or LF, ``id``
            contains NUL, ``type`` is empty, ``retry`` is not valid (see
            ``encode_retry``), a value holds a lone surrogate (which has no
            UTF-8 form), an argument has the wrong type, or ``line_ending``
            is not one of the three.
    """
    if not isinstance(data, str):
        raise LocalProtocolError(f"data must be a str, not {data.__class__.__name__}")
    parts: list[str] = []
    if type is not None and type != "message":
        _check_single_line("type", type)
        if not type:
            raise LocalProtocolError('type cannot be empty (use None or "message")')
        parts.append(f"event: {type}\n")
    if id is not None:
        _check_single_line("id", id)
        if "\0" in id:
            raise LocalProtocolError(f"id cannot contain NUL (the parser ignores such ids): {id!r}")
        parts.append(f"id: {id}\n")
    if retry is not None:
        parts.append(encode_retry(retry).decode("ascii"))
    parts.extend(f"data: {line}\n" for line in _lines(data))
    parts.append("\n")
    wire = _utf8("".join(parts), "the event")
    if line_ending == "\n":
        return wire
    return wire.replace(b"\n", _ending(line_ending))


def encode_comment(text: str = "", *, line_ending: str = "\n") -> bytes:
    """Encode a comment line (``: text``), e.g. a keepalive.

    The parser returns it as ``Comment(text)`` when asked for comments.

    Raises:
        LocalProtocolError: ``text`` contains CR or LF or a lone surrogate,
            or is not a str; or ``line_ending`` is not ``"\\n"``,
            ``"\\r\\n"`` or ``"\\r"``.
    """
    _check_single_line("comment text", text)
    if line_ending == "\n":
        return _utf8(f": {text}\n", "comment text")
    return _utf8(f": {text}", "comment text") + _ending(line_ending)


def encode_retry(milliseconds: int, *, line_ending: str = "\n") -> bytes:
    """Encode a lone ``retry:`` field setting the client's reconnection time.

    Raises:
        LocalProtocolError: ``milliseconds`` is not an int >= 0, or has more
            digits than ``sys.get_int_max_str_digits()`` (the parser refuses
            those, as Python cannot convert them back cheaply); or
            ``line_ending`` is not ``"\\n"``, ``"\\r\\n"`` or ``"\\r"``.
    """
    if type(milliseconds) is not int or milliseconds < 0:
        raise LocalProtocolError(f"retry must be an int >= 0, not {milliseconds!r}")
    try:
        digits = str(milliseconds)
    except ValueError as exc:
        limit = sys.get_int_max_str_digits()
        raise LocalProtocolError(
            f"retry has more than sys.get_int_max_str_digits() = {limit} digits"
        ) from exc
    if line_ending == "\n":
        return f"retry: {digits}\n".encode("ascii")
    return f"retry: {digits}".encode("ascii") + _ending(line_ending)
