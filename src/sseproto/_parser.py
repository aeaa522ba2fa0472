"""``text/event-stream`` parser (WHATWG HTML, section 9.2.6 "Interpreting an
event stream"), incremental and sans-I/O.

Each ``feed()`` is handled in three steps: find the last line ending in the
new bytes; decode everything up to it (in the common case the whole feed,
keeping the decoded text after the last LF as the start of the next line);
split the text into lines and interpret them in one flat loop with the
parser's state in local variables. Bytes that end no line wait undecoded in a
``bytearray``.

Line endings (CR and LF) are ASCII, and a UTF-8 decoder never lets an invalid
or incomplete sequence swallow an ASCII byte, so decoding the stream piece by
piece at these points gives exactly the text that decoding it whole would
give: splitting a multi-byte character across feeds, or feeding one byte at a
time, changes nothing. A decoder told that more input follows stops before a
character cut short at the end; those bytes wait for the next feed.

Every input byte is copied a bounded number of times (once into the pending
line buffer at most, once when decoded, once more when its line completes),
so parsing is linear in the input under any fragmentation. The fast lane in
``feed()`` covers the common state; ``_prepare()`` handles everything else and
yields the same lines, which the property tests check under any chunking.
"""

from __future__ import annotations

import codecs
import enum
import sys
from typing import Any, Final, Generic, Literal, TypeVar, overload

from ._errors import EventTooLarge, LimitExceeded, LineTooLong, LocalProtocolError
from ._events import Comment, Event

__all__ = [
    "DEFAULT_MAX_EVENT_SIZE",
    "DEFAULT_MAX_LINE_SIZE",
    "EventStreamParser",
    "ParserState",
]

#: Default for ``max_line_size``: 16 MiB. An LLM stream puts each chunk on one
#: ``data:`` line, and a chunk that carries a generated image as base64 runs to
#: several MiB, so the limit is far above that; it still stops a server that
#: never ends a line long before memory runs out.
DEFAULT_MAX_LINE_SIZE: Final = 16 * 1024 * 1024

#: Default for ``max_event_size``: 32 MiB of data buffer (data values plus one
#: LF per ``data:`` line), room for two maximal lines.
DEFAULT_MAX_EVENT_SIZE: Final = 32 * 1024 * 1024

# Undispatched data lines are folded into one string once this many pile up,
# so that ``data:\n`` repeated costs memory per character, not per list slot.
_FOLD_DATA_LINES: Final = 256

_CR: Final = 0x0D
_LF: Final = 0x0A


def _split_lines(text: str) -> list[str]:
    """Split text that ends with a line ending into its lines (CR, LF, CRLF).

    str.splitlines() splits at CR, LF and CRLF in one pass, but also at VT,
    FF, FS, GS, RS, NEL, LS and PS, which the spec keeps as data; it is used
    only when none of those is present (checked first, one memchr each).
    Replacing CRLF and CR with LF is always right but several times slower.
    """
    if not (
        "\x0b" in text or "\x0c" in text or "\x1c" in text or "\x1d" in text or "\x1e" in text
    ) and (text.isascii() or not ("\x85" in text or "\u2028" in text or "\u2029" in text)):
        return text.splitlines()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines.pop()
    return lines


class ParserState(enum.Enum):
    """Where an :class:`EventStreamParser` is in its life."""

    #: Accepting input through ``feed()``.
    OPEN = "open"
    #: ``close()`` was called; the stream is over.
    CLOSED = "closed"
    #: The peer's stream violated a limit; every further call raises the error.
    ERROR = "error"


_OPEN: Final = ParserState.OPEN
_CLOSED: Final = ParserState.CLOSED
_ERROR: Final = ParserState.ERROR

_new_item = tuple.__new__
_decode_utf8 = codecs.utf_8_decode

# (first data value, all data values, data buffer size, event type buffer,
#  last event ID buffer, last event ID string): see EventStreamParser.__init__.
_Spec = tuple[str | None, list[str] | None, int, str, str, str]


#: What a parser returns: ``Event``, or ``Event | Comment`` with ``comments=True``.
Item = TypeVar("Item", Event, Event | Comment)


class EventStreamParser(Generic[Item]):
    """Turn the bytes of a ``text/event-stream`` body into events.

    ``feed(data)`` takes any number of bytes, split anywhere, and returns the
    :class:`~sseproto.Event` objects (and, with ``comments=True``, the
    :class:`~sseproto.Comment` objects) that those bytes completed, in stream
    order. ``close()`` marks the end of input. The parser never performs I/O
    and never waits: a line is interpreted as soon as its line ending arrives.

    The interpretation is exactly the WHATWG algorithm: UTF-8 regardless of
    any declared charset (invalid sequences become U+FFFD); one leading BOM
    ignored; CR, LF and CRLF (also split across feeds) end lines and nothing
    else does; fields are case-sensitive and unknown ones ignored; ``id``
    values containing NUL are ignored; ``retry`` is applied when its line is
    read and only if it is all ASCII digits; a blank line dispatches the
    event, unless no ``data`` field was seen, in which case it only commits
    the last event ID and clears the event type.

    Arguments:
        comments: also return comment lines as ``Comment`` items.
        max_line_size: longest accepted line in bytes, without its line
            ending. A longer line raises :class:`~sseproto.LineTooLong` as soon
            as that many bytes are buffered, so memory stays bounded even if
            the peer never ends the line.
        max_event_size: largest accepted data buffer, in characters: the sum
            over the event's ``data`` lines of the value's length plus one.
            More raises :class:`~sseproto.EventTooLarge`.
        last_event_id: the last event ID to start from, for a stream that
            resumes an earlier connection (the ``Last-Event-ID`` that was
            sent). Must not contain NUL, CR or LF.

    Raises:
        ValueError: a limit is not a positive integer, or ``last_event_id``
            is not a valid event ID.
    """

    __slots__ = (
        "_buf",
        "_config",
        "_error",
        "_folded",
        "_lane",
        "_max_line_size",
        "_retry",
        "_room",
        "_skip_lf",
        "_spec",
        "_start",
        "_state",
        "_tail",
        "_unterminated",
    )

    # The overloads give static type checkers the item type: a parser built
    # without comments=True returns only Event objects.
    @overload
    def __init__(
        self: EventStreamParser[Event],
        *,
        comments: Literal[False] = False,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        last_event_id: str = "",
    ) -> None: ...

    @overload
    def __init__(
        self: EventStreamParser[Event | Comment],
        *,
        comments: bool,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        last_event_id: str = "",
    ) -> None: ...

    def __init__(
        self,
        *,
        comments: bool = False,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        last_event_id: str = "",
    ) -> None:
        for name, value in (("max_line_size", max_line_size), ("max_event_size", max_event_size)):
            if type(value) is not int or value < 1:
                raise ValueError(f"{name} must be a positive int, not {value!r}")
        if not isinstance(last_event_id, str) or any(c in last_event_id for c in "\0\r\n"):
            raise ValueError(
                f"last_event_id must be a str without NUL, CR or LF: {last_event_id!r}"
            )
        self._max_line_size = max_line_size
        # Read together once per feed: (comments, max_event_size, check_first).
        # A first data line is never longer than max_line_size, so its size
        # needs checking only when max_event_size is the smaller limit.
        self._config = (bool(comments), max_event_size, max_event_size < max_line_size)
        self._state = _OPEN
        self._error: LimitExceeded | None = None
        # The pending (incomplete) line is `_tail`, its start already decoded
        # (complete characters only), followed by the bytes in `_buf`, not yet
        # decoded. `_room` is how many bytes the line may still grow: the
        # limit minus the number of bytes `_tail` was decoded from.
        self._tail = ""
        self._buf = bytearray()
        self._room = max_line_size
        # True until the first line is decoded: a BOM can only be there.
        self._start = True
        # True when the last byte fed was a CR that ended a line, so that an
        # LF starting the next feed belongs to the same CRLF.
        self._skip_lf = False
        # `bytes` while feed() may take its fast lane (open, past the start of
        # the stream, not waiting to see whether an LF completes a CRLF), else None.
        self._lane: type[bytes] | None = None
        # The spec's buffers, read and written together once per feed:
        # (first, more, size, event type, last event ID buffer, last event ID).
        # The data buffer is kept as its lines' values: `first` (None while
        # the buffer is empty) and `more` (every value once there are two or
        # more; its first `_folded` entries are folded runs of lines); `size`
        # is the buffer's length, counting one LF per line.
        self._spec: _Spec = (None, None, 0, "", last_event_id, last_event_id)
        self._folded = 0
        self._retry: int | None = None
        self._unterminated = False

    # -- public read-only state ------------------------------------------------

    @property
    def last_event_id(self) -> str:
        """The last event ID string: the ID buffer as of the latest blank line.

        ``""`` until an ``id`` field is committed (or the constructor's value).
        An ``id:`` line takes effect only when the blank line that ends its
        block arrives, so an ``id`` in a block cut off by the end of the
        stream never counts.
        """
        return self._spec[5]

    @property
    def retry(self) -> int | None:
        """The reconnection time in milliseconds from the latest valid ``retry``
        field, exactly as sent (no cap), or ``None`` if there was none."""
        return self._retry

    @property
    def state(self) -> ParserState:
        """``OPEN``, ``CLOSED`` after ``close()``, or ``ERROR`` after a limit error."""
        return self._state

    @property
    def error(self) -> LimitExceeded | None:
        """The error that put the parser in the ``ERROR`` state, if any."""
        return self._error

    @property
    def unterminated(self) -> bool:
        """After ``close()``: whether the stream ended inside a line or inside an
        event block, whose contents were discarded as the spec requires."""
        return self._unterminated

    # -- input ------------------------------------------------------------------

    def feed(self, data: bytes | bytearray | memoryview) -> list[Item]:
        """Parse more of the stream; return the items these bytes completed.

        ``data`` may be any length and split anywhere; ``feed(b"")`` does
        nothing. Items come back in stream order: ``Event`` for each
        dispatched event and, with ``comments=True``, ``Comment`` for each
        comment line.

        Raises:
            LineTooLong, EventTooLarge, LimitExceeded: the stream exceeded a
                limit. Items completed before the violation are never lost:
                if this call completed some, it returns them and the error is
                raised by the next ``feed()`` or ``close()``. The parser then
                stays in the ``ERROR`` state and raises the error on every call.
            LocalProtocolError: ``feed()`` after ``close()``.
            TypeError: ``data`` is not bytes-like.
        """
        # The fast lane: the common state, lines well within the limit.
        # Everything else goes through _prepare(), the general path, which
        # produces the same lines (the property tests compare the two under
        # any chunking). `_lane` is `bytes` while the fast lane is open and
        # None otherwise, so one identity test checks both the parser's
        # state and the argument's type. Membership tests with an int (10 is
        # LF, 13 is CR) are one memchr, several times cheaper than
        # `b"\n" in data`.
        lines: list[str] | None = None
        error: LimitExceeded | None = None
        if type(data) is self._lane:
            buf = self._buf
            if 13 not in data:
                if 10 not in data:
                    buf += data  # the line goes on
                    if len(buf) > self._room:
                        return self._fail(self._line_too_long(), [])
                    return []
                # Every line completed here fits if this holds: the first is
                # the pending line plus part of data, the others part of data.
                if len(buf) + len(data) <= self._room:
                    # Decode all of data, with any undecoded bytes before it.
                    # Decoding stops only before a character cut short at the
                    # end (which needs a last byte of 0x80 or more); its bytes
                    # wait in buf. The text after the last LF is kept decoded
                    # as the start of the next line.
                    if buf:
                        buf += data
                        text, used = _decode_utf8(buf, "replace", False)
                        del buf[:used]
                    elif data[-1] < 0x80:
                        text = data.decode("utf-8", "replace")
                    else:
                        text, used = _decode_utf8(data, "replace", False)
                        if used != len(data):
                            buf += data[used:]
                    lines = text.split("\n")
                    tail = self._tail
                    if tail:
                        lines[0] = tail + lines[0]
                    self._tail = lines.pop()
                    self._room = self._max_line_size + data.rfind(10) + 1 - len(data)
            elif data[-1] != 13 and len(buf) + len(data) <= self._room:
                # CR line endings, but not one at the very end, which could be
                # the first half of a CRLF (the general path remembers that).
                # The bytes after the last line ending stay undecoded in buf.
                lf = data.rfind(10)
                cr = data.rfind(13, lf + 1)
                keep = (cr if cr > lf else lf) + 1 - len(data)
                buf += data
                if keep:
                    text = buf[:keep].decode("utf-8", "replace")
                    del buf[:keep]
                else:
                    text = buf.decode("utf-8", "replace")
                    buf.clear()
                lines = _split_lines(text)
                if self._tail:
                    lines[0] = self._tail + lines[0]
                    self._tail = ""
                self._room = self._max_line_size
        if lines is None:
            prepared = self._prepare(data)
            if prepared is None:
                return []
            lines, error = prepared

        # The interpretation of the complete lines (WHATWG "Interpreting an
        # event stream" and "Dispatch the event"), with the parser's state in
        # locals until the end. The data buffer is kept as its lines' values:
        # `first` (None while the buffer is empty) and `more` (every value,
        # once there are two or more); joining the values with LF gives the
        # buffer without its final LF.
        items: list[Any] = []  # Item: Comment objects only when comments=True
        append = items.append
        comments, max_event, check_first = self._config
        first, more, size, etype, id_buffer, last_id = self._spec
        for line in lines:
            if not line:
                # "If the line is empty (a blank line): Dispatch the event."
                # Step 1: commit the last event ID, even if nothing follows.
                last_id = id_buffer
                if first is not None:
                    # Steps 3-4 (the join leaves out the buffer's final LF).
                    if more is not None:
                        first = "\n".join(more)
                        more = None
                    append(_new_item(Event, (etype or "message", first, id_buffer)))
                    first = None
                # Steps 2 and 5: the type buffer is cleared either way.
                etype = ""
                continue
            if line.startswith("data: "):
                # "Collect the characters after the first colon; if value
                # starts with a SPACE, remove it."
                value = line[6:]
            else:
                colon = line.find(":")
                if colon == 0:
                    # "If the line starts with a COLON character: ignore it."
                    if comments:
                        comment = line[2:] if line[1:2] == " " else line[1:]
                        append(_new_item(Comment, (comment,)))
                    continue
                if colon < 0:
                    # "Otherwise, the string is not empty but does not
                    # contain a COLON: the whole line is the field name,
                    # the value is the empty string."
                    name = line
                    value = ""
                else:
                    name = line[:colon]
                    if line[colon + 1 : colon + 2] == " ":
                        value = line[colon + 2 :]
                    else:
                        value = line[colon + 1 :]
                if name != "data":
                    if name == "event":
                        etype = value
                    elif name == "id":
                        # "If the field value does not contain NULL, set
                        # the last event ID buffer to the field value."
                        if "\0" not in value:
                            id_buffer = value
                    elif name == "retry" and value.isdigit() and value.isascii():
                        # "If the field value consists of only ASCII
                        # digits"; int() alone would also take "+5", " 5",
                        # "1_0" and "٣".
                        try:
                            self._retry = int(value)
                        except ValueError:
                            # More digits than sys.get_int_max_str_digits()
                            # (4300 by default): converting them would let
                            # a peer make us spend quadratic time, and no
                            # caller can wait 10**4300 ms; an error beats
                            # a silent cap.
                            error = self._retry_too_long(len(value))
                            break
                    # "Otherwise: the field is ignored."
                    continue
            # The "data" field: append the value and an LF to the buffer.
            if first is None:
                first = value
                # A first line is shorter than max_line_size, so this
                # check is needed only when max_event_size is smaller.
                if check_first and len(value) >= max_event:
                    error = self._event_too_large()
                    break
            else:
                if more is None:
                    more = [first, value]
                    size = len(first) + len(value) + 2
                else:
                    more.append(value)
                    size += len(value) + 1
                if size > max_event:
                    error = self._event_too_large()
                    break

        if more is not None and len(more) > _FOLD_DATA_LINES:
            # An event still open at the end of this feed with many data
            # lines: fold the lines added since the last fold into one string
            # (the join keeps the LF separators), so a flood of short data
            # lines costs memory per character, not per list slot. Each line
            # is folded once, which keeps this linear.
            folded = self._folded if more is self._spec[1] else 0
            if len(more) - folded > _FOLD_DATA_LINES:
                tail = "\n".join(more[folded:])
                del more[folded:]
                more.append(tail)
                folded = len(more)
            self._folded = folded
        self._spec = (first, more, size, etype, id_buffer, last_id)
        if error is not None:
            return self._fail(error, items)
        return items

    def _prepare(
        self, data: bytes | bytearray | memoryview
    ) -> tuple[list[str], LimitExceeded | None] | None:
        """The general path of feed(), for everything its fast lane leaves
        out: state errors, other bytes-like types, the stream's start (BOM),
        CR line endings, lines near the limit.

        Returns None when no line was completed; otherwise the complete lines
        and a limit error hit after them (the lines
        before one over the limit are still interpreted, so that no item is
        lost whatever the chunking).
        """
        if self._state is not _OPEN:
            self._refuse("feed")
        if type(data) is not bytes:
            if not isinstance(data, (bytearray, memoryview)):
                raise TypeError(f"feed() takes bytes, not {type(data).__name__}")
            data = bytes(data)
        if self._skip_lf and data:
            self._skip_lf = False
            if not self._start:
                self._lane = bytes
            if data[0] == _LF:
                data = data[1:]
        # The last line ending: the last LF, unless a CR follows it.
        lf = data.rfind(10)
        cr = data.rfind(13, lf + 1)
        end = (cr if cr >= 0 else lf) + 1
        buf = self._buf
        if not end:
            if data:
                buf += data
                if len(buf) > self._room:
                    self._fail(self._line_too_long(), [])
            return None
        if cr >= 0 and end == len(data):
            # An LF at the start of the next feed completes this CRLF.
            self._skip_lf = True
        buf += data
        cut = len(buf) - len(data) + end
        region = buf[:cut]
        del buf[:cut]
        text = region.decode("utf-8", "replace")
        if self._start:
            # WHATWG: "One leading U+FEFF BYTE ORDER MARK character must be
            # ignored if any are present." Only the stream's first line can
            # hold it, and it is decoded here whatever the feed sizes were.
            self._start = False
            if text[0] == "\ufeff":
                text = text[1:]
        self._lane = None if self._skip_lf else bytes
        if "\r" in text:
            lines = _split_lines(text)
        else:
            lines = text.split("\n")
            lines.pop()  # the region ends with LF: the last piece is ""
        # The pending line's decoded start (see feed()) begins the first line.
        tail = self._tail
        tail_size = self._max_line_size - self._room
        if tail:
            lines[0] = tail + lines[0]
            self._tail = ""
        self._room = self._max_line_size
        error: LimitExceeded | None = None
        if len(region) + tail_size > self._max_line_size:
            too_long = self._first_long_line(region, tail_size)
            if too_long >= 0:
                # Interpret only the lines before the one over the limit.
                del lines[too_long:]
                error = self._line_too_long()
        if error is None and len(buf) > self._max_line_size:
            error = self._line_too_long()
        return lines, error

    def close(self) -> list[Item]:
        """Mark the end of the stream; return the items that completes (none).

        Per the spec, an incomplete line and an event without its closing
        blank line are discarded (``unterminated`` tells whether there were
        any), and an ``id`` in that discarded block is not committed. After
        ``close()``, ``feed()`` raises ``LocalProtocolError``; calling
        ``close()`` again is allowed and returns ``[]``.

        Raises:
            LineTooLong, EventTooLarge, LimitExceeded: a limit error that
                ``feed()`` deferred (see ``feed()``), or the error state persists.
        """
        if self._state is _ERROR:
            self._refuse("close")
        if self._state is _OPEN:
            first, _, _, etype, id_buffer, last_id = self._spec
            self._state = _CLOSED
            self._unterminated = bool(
                self._tail or self._buf or first is not None or etype or id_buffer != last_id
            )
            self._lane = None
            self._tail = ""
            self._buf = bytearray()
            self._spec = (None, None, 0, "", last_id, last_id)
        return []

    # -- helpers ----------------------------------------------------------------

    def _refuse(self, what: str) -> None:
        if self._state is _ERROR:
            assert self._error is not None
            raise self._error.with_traceback(None)
        raise LocalProtocolError(f"{what}() called after close(): the stream has ended")

    def _fail(self, error: LimitExceeded, items: list[Item]) -> list[Item]:
        self._state = _ERROR
        self._error = error
        self._lane = None
        self._tail = ""
        self._buf = bytearray()
        last_id = self._spec[5]
        self._spec = (None, None, 0, "", last_id, last_id)
        if items:
            return items  # raised by the next call, so these are not lost
        raise error

    def _line_too_long(self) -> LineTooLong:
        limit = self._max_line_size
        return LineTooLong(
            f"a line exceeded max_line_size={limit} bytes without a line ending; "
            f"raise max_line_size if such lines are expected",
            limit="max_line_size",
            value=limit,
        )

    def _event_too_large(self) -> EventTooLarge:
        limit = self._config[1]
        return EventTooLarge(
            f"an event's data exceeded max_event_size={limit} characters; "
            f"raise max_event_size if such events are expected",
            limit="max_event_size",
            value=limit,
        )

    def _retry_too_long(self, digits: int) -> LimitExceeded:
        limit = sys.get_int_max_str_digits()
        return LimitExceeded(
            f"a retry field has {digits} digits, more than Python converts to int "
            f"(sys.get_int_max_str_digits() is {limit})",
            limit="sys.get_int_max_str_digits()",
            value=limit,
        )

    def _first_long_line(self, region: bytes | bytearray, before: int) -> int:
        """Index of the first line of ``region`` over the limit, or -1; the
        first line also has ``before`` bytes that were fed earlier."""
        if b"\r" in region:
            region = region.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        limit = self._max_line_size
        for index, line in enumerate(region.split(b"\n")):
            if len(line) + before > limit:
                return index
            before = 0
        return -1
