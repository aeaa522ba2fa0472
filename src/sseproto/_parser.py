"""``text/event-stream`` parser (WHATWG HTML, section 9.2.6 "Interpreting an
event stream"), incremental and sans-I/O.

Each ``feed()`` is handled in three steps: find the line endings in the new
bytes; take the complete lines as bytes (the pending line's bytes first) and
keep the bytes after the last line ending, undecoded, as the start of the
next line; interpret the lines in one flat loop with the parser's state in
local variables, decoding each field value on its own.

Line endings (CR and LF) and the field names are ASCII, and a UTF-8 decoder
never lets an invalid or incomplete sequence swallow an ASCII byte, so
decoding the stream value by value gives exactly the text that decoding it
whole would give: splitting a multi-byte character across feeds, or feeding
one byte at a time, changes nothing.

Every input byte is copied a bounded number of times (into the pending line
buffer at most once, into its line, into its value, into the decoded value),
so parsing is linear in the input under any fragmentation. The fast
lane in ``feed()`` covers the common state; ``_prepare()`` handles everything
else and yields the same lines, which the property tests check under any
chunking.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable, Iterator
from io import BytesIO
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

_LF: Final = 0x0A
_BOM: Final = b"\xef\xbb\xbf"

# Feeds shorter than this many bytes are split into lines with bytes.split();
# longer ones are read line by line from a BytesIO while the lines seen in
# such feeds average more than _LONG_LINE bytes.
_SPLIT_BELOW: Final = 1024
_LONG_LINE: Final = 64


def _carry(buf: bytearray, lines: list[bytes], tail: bytes) -> None:
    """Complete the pending line and start the next: the pending bytes in
    ``buf`` go in front of the first of the new ``lines``, and ``tail`` (the
    bytes after the last line ending, undecoded) becomes the pending line."""
    if buf:
        lines[0] = b"".join((buf, lines[0]))
        buf.clear()
    if tail:
        buf += tail


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
        "_long_lines",
        "_max_line_size",
        "_retry",
        "_room",
        "_skip_lf",
        "_spec",
        "_start",
        "_state",
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
        # The pending (incomplete) line's bytes, not yet decoded.
        self._buf = bytearray()
        # Whether the lines of the latest long feed were long on average.
        self._long_lines = True
        # True until the first line is complete: a BOM can only be there.
        self._start = True
        # The most bytes (pending plus fed) from which the fast lane completes
        # lines: max_line_size, or -1 until the first line is complete, so
        # that _prepare() sees that line and its BOM whatever the feed sizes.
        self._room = -1
        # True when the last byte fed was a CR that ended a line, so that an
        # LF starting the next feed belongs to the same CRLF.
        self._skip_lf = False
        # `bytes` while feed() may take its fast lane (open, not waiting to
        # see whether an LF completes a CRLF), else None.
        self._lane: type[bytes] | None = bytes
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
        # `b"\n" in data`. This method is kept small: most calls with small
        # feeds end a line only now and then, and a call's cost grows with
        # the number of local variables of the function called.
        if type(data) is self._lane:
            if 13 not in data:
                if 10 not in data:
                    buf = self._buf
                    buf += data  # the line goes on
                    if len(buf) > self._max_line_size:
                        return self._fail(self._line_too_long(), [])
                    return []
                return self._interpret(data, None, None)
            buf = self._buf
            if data[-1] != 13 and len(buf) + len(data) <= self._room:
                # CR line endings, but not one at the very end, which could be
                # the first half of a CRLF (the general path remembers that).
                # bytes.splitlines() splits at CR, LF and CRLF and nothing
                # else, exactly the stream's line endings.
                lines = data.splitlines()
                _carry(buf, lines, lines.pop() if data[-1] != 10 else b"")
                return self._interpret(b"", lines, None)
        prepared = self._prepare(data)
        if prepared is None:
            return []
        return self._interpret(b"", *prepared)

    def iter_items(self, chunks: Iterable[bytes | bytearray | memoryview]) -> Iterator[Item]:
        """Feed every chunk of ``chunks``, then close; yield the items in order.

        Exactly ``for c in chunks: yield from self.feed(c)`` followed by
        ``yield from self.close()``, with the same exceptions, but cheaper
        per chunk: a chunk that ends no line is buffered without a call to
        ``feed()``. Meant for an iterator of body chunks, such as
        ``response.iter_bytes()``. Items are yielded as soon as the chunk
        that completes them has been read; stopping the iteration early
        leaves the parser open, as the unfed rest of the stream is unknown.
        """
        feed = self.feed
        for data in chunks:
            # The no-line-ending case of feed()'s fast lane, inlined; any
            # other chunk, or one that would cross the limit, goes to feed().
            if (
                type(data) is self._lane
                and 10 not in data
                and 13 not in data
                and len(self._buf) + len(data) <= self._max_line_size
            ):
                self._buf += data
                continue
            yield from feed(data)
        yield from self.close()

    def _interpret(
        self,
        data: bytes,
        lines: list[bytes] | None,
        error: LimitExceeded | None,
    ) -> list[Item]:
        """Interpret the given ``lines``, or if there are none the lines that
        ``data`` completes (the fast lane for feeds with LF line endings)."""
        # Lines are bytes, and are decoded field value by field value: the
        # field names are ASCII, a UTF-8 decoder never lets an invalid
        # sequence swallow an ASCII byte, and no ASCII byte is part of a
        # multi-byte character, so matching the names on bytes and decoding
        # each value on its own gives exactly what decoding the whole stream
        # first would give. Decoding only the values also keeps each value's
        # string as narrow as its own characters allow.
        #
        # `cut` is where a line's content ends: -1 for lines that keep their
        # LF, None for lines without one; `blank` is an empty line as given.
        cut: int | None = None
        blank = b""
        if lines is None:
            buf = self._buf
            if len(buf) + len(data) > self._room:
                prepared = self._prepare(data)
                if prepared is None:
                    return []
                lines, error = prepared
            elif len(data) < _SPLIT_BELOW:
                # Short feeds: bytes.split() costs least. _carry() inlined:
                # most feeds of a few bytes that end a line come here.
                lines = data.split(b"\n")
                tail = lines.pop()
                if buf:
                    lines[0] = b"".join((buf, lines[0]))
                    buf.clear()
                if tail:
                    buf += tail
            elif not self._long_lines:
                # Long feeds of short lines: bytes.split() still costs least.
                lines = data.split(b"\n")
                _carry(buf, lines, lines.pop())
                self._long_lines = len(data) > _LONG_LINE * len(lines)
            else:
                # Long feeds of long lines: a BytesIO finds each LF with
                # memchr, where bytes.split() looks at every byte in turn,
                # which costs more than the BytesIO's extra work per line once
                # lines are long. Its lines keep their LF.
                lines = BytesIO(data).readlines()
                cut = -1
                blank = b"\n"
                _carry(buf, lines, lines.pop() if data[-1] != 10 else b"")
                self._long_lines = len(data) > _LONG_LINE * len(lines)
        # The interpretation of the complete lines (WHATWG "Interpreting an
        # event stream" and "Dispatch the event"), with the parser's state in
        # locals until the end. The data buffer is kept as its lines' values:
        # `first` (None while the buffer is empty) and `more` (every value,
        # once there are two or more); joining the values with LF gives the
        # buffer without its final LF.
        items: list[Any] = []  # Item: Comment objects only when comments=True
        comments, max_event, check_first = self._config
        first, more, size, etype, id_buffer, last_id = self._spec
        for line in lines:
            if line == blank:
                # "If the line is empty (a blank line): Dispatch the event."
                # Step 1: commit the last event ID, even if nothing follows.
                last_id = id_buffer
                if first is not None:
                    # Steps 3-4 (the join leaves out the buffer's final LF).
                    if more is not None:
                        first = "\n".join(more)
                        more = None
                    items.append(_new_item(Event, (etype or "message", first, id_buffer)))
                    first = None
                # Steps 2 and 5: the type buffer is cleared either way.
                etype = ""
                continue
            # "Collect the characters after the first colon; if value starts
            # with a SPACE, remove it." The lines are exact bytes objects, for
            # which CPython's removeprefix() returns the line itself when it
            # lacks the prefix (tests/test_packaging.py pins that down).
            raw = line.removeprefix(b"data: ")
            if raw is line:
                content = line[:cut]
                colon = content.find(b":")
                if colon == 0:
                    # "If the line starts with a COLON character: ignore it."
                    if comments:
                        comment = content[2:] if content[1:2] == b" " else content[1:]
                        items.append(_new_item(Comment, (comment.decode("utf-8", "replace"),)))
                    continue
                if colon < 0:
                    # "Otherwise, the string is not empty but does not
                    # contain a COLON: the whole line is the field name,
                    # the value is the empty string."
                    name = content
                    raw = b""
                else:
                    name = content[:colon]
                    if content[colon + 1 : colon + 2] == b" ":
                        raw = content[colon + 2 :]
                    else:
                        raw = content[colon + 1 :]
                if name != b"data":
                    if name == b"event":
                        etype = raw.decode("utf-8", "replace")
                    elif name == b"id":
                        # "If the field value does not contain NULL, set
                        # the last event ID buffer to the field value."
                        if 0 not in raw:
                            id_buffer = raw.decode("utf-8", "replace")
                    elif name == b"retry" and raw.isdigit():
                        # "If the field value consists of only ASCII
                        # digits" (bytes.isdigit() tests exactly that).
                        try:
                            self._retry = int(raw)
                        except ValueError:
                            # More digits than sys.get_int_max_str_digits()
                            # (4300 by default): converting them would let
                            # a peer make us spend quadratic time, and no
                            # caller can wait 10**4300 ms; an error beats
                            # a silent cap.
                            error = self._retry_too_long(len(raw))
                            break
                    # "Otherwise: the field is ignored."
                    continue
                value = raw.decode("utf-8", "replace")
            else:
                if cut is not None:
                    raw = raw[:cut]
                try:
                    value = raw.decode()
                except UnicodeDecodeError:
                    value = raw.decode("utf-8", "replace")
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
                joined = "\n".join(more[folded:])
                del more[folded:]
                more.append(joined)
                folded = len(more)
            self._folded = folded
        self._spec = (first, more, size, etype, id_buffer, last_id)
        if error is not None:
            return self._fail(error, items)
        return items

    def _prepare(
        self, data: bytes | bytearray | memoryview
    ) -> tuple[list[bytes], LimitExceeded | None] | None:
        """The general path of feed(), for everything its fast lane leaves
        out: state errors, other bytes-like types, the stream's start (BOM),
        a CR at the end of a feed, lines near the limit.

        Returns None when no line was completed; otherwise the complete lines
        (bytes, without their line endings) and a limit error hit after them
        (the lines before one over the limit are still interpreted, so that
        no item is lost whatever the chunking).
        """
        if self._state is not _OPEN:
            self._refuse("feed")
        if type(data) is not bytes:
            if not isinstance(data, (bytearray, memoryview)):
                raise TypeError(f"feed() takes bytes, not {type(data).__name__}")
            data = bytes(data)
        if self._skip_lf and data:
            self._skip_lf = False
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
                if len(buf) > self._max_line_size:
                    self._fail(self._line_too_long(), [])
            return None
        if cr >= 0 and end == len(data):
            # An LF at the start of the next feed completes this CRLF.
            self._skip_lf = True
        if buf:
            region = b"".join((buf, data[:end]))
            buf.clear()
        else:
            region = data[:end]
        buf += data[end:]
        # bytes.splitlines() splits at CR, LF and CRLF and nothing else.
        lines = region.splitlines()
        if self._start:
            # WHATWG: "One leading U+FEFF BYTE ORDER MARK character must be
            # ignored if any are present." Only the stream's first line can
            # hold it, and all of that line is in this region whatever the
            # feed sizes were (see `_room`).
            self._start = False
            self._room = self._max_line_size
            if lines[0].startswith(_BOM):
                lines[0] = lines[0][len(_BOM) :]
        self._lane = None if self._skip_lf else bytes
        error: LimitExceeded | None = None
        if len(region) > self._max_line_size:
            too_long = self._first_long_line(region)
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
                self._buf or first is not None or etype or id_buffer != last_id
            )
            self._lane = None
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

    def _first_long_line(self, region: bytes) -> int:
        """Index of the first line of ``region`` over the limit, or -1."""
        limit = self._max_line_size
        for index, line in enumerate(region.splitlines()):
            if len(line) > limit:
                return index
        return -1
