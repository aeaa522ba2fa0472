"""JSON chunk streams: the shape LLM APIs stream, as a sans-I/O state machine.

OpenRouter, OpenAI, Anthropic and their peers send one JSON value per
``data:`` event, keepalives while the model thinks (``: OPENROUTER
PROCESSING``, ``event: ping``), and mark the end in-band: ``data: [DONE]``,
or a terminal event such as ``response.completed`` or ``message_stop``. A
:class:`~sseproto.StreamFormat` says how each is recognised (``_formats.py``);
:class:`ChunkDecoder` turns the parser's items into a typed sequence and keeps
an explicit outcome that is never silent::

                      DATA / HEARTBEAT / MALFORMED ("skip") / TRAILER / OTHER_EVENT
                                 +-----+
                                 v     |
    +---------------------------- OPEN -+-------------------------+
    | SENTINEL          ERROR_PAYLOAD |        MALFORMED ("raise") | END
    v                                 v                           v           v
  COMPLETED                        ERRORED                      FAILED    TRUNCATED

* ``COMPLETED``: the sentinel or a terminal event arrived. Later events are
  ignored and counted, up to ``max_ignored``; one more is a
  :class:`DataAfterDone` error (at once under ``after_end="refuse"``). The
  format's trailer is accepted once without counting.
* ``ERRORED``: an event was recognised as an in-band error; the payload is
  kept. Further input is a ``LocalProtocolError`` (stop reading), or ignored
  as after the end under ``after_error="ignore"``; the trailer is accepted once.
* ``FAILED``: undecodable data under ``malformed="raise"``; every later call
  raises the same :class:`MalformedChunk` again.
* ``TRUNCATED``: the input ended before the end marker.

All transitions live in one table, ``TRANSITIONS``; a (state, input) pair is
handled only as the table says. Classification (which input an item is)
reads only the format.
"""

from __future__ import annotations

import enum
import json
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Final, Literal, NamedTuple

from ._errors import LocalProtocolError, ProtocolError, RemoteProtocolError
from ._events import Comment, Event
from ._formats import DEFAULT_SENTINEL, StreamFormat, has_error_member
from ._parser import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    EventStreamParser,
    ParserState,
)

__all__ = [
    "DEFAULT_SENTINEL",
    "ChunkDecoder",
    "ChunkInput",
    "ChunkState",
    "DataAfterDone",
    "Heartbeat",
    "InBandError",
    "JSONChunk",
    "MalformedChunk",
    "Outcome",
    "StreamDone",
    "StreamOutcome",
    "has_error_member",
]

#: How many events a server may send after the end before that is an error.
DEFAULT_MAX_IGNORED: Final = 64

# How much of an undecodable payload an error message quotes.
_QUOTE: Final = 200


class MalformedChunk(RemoteProtocolError):
    """An event's data could not be decoded (``malformed="raise"``).

    ``raw`` is the event's whole data; ``__cause__`` is the decoder's error.
    """

    def __init__(self, raw: str, event: Event) -> None:
        quoted = raw if len(raw) <= _QUOTE else raw[:_QUOTE] + "..."
        super().__init__(f"undecodable chunk data ({len(raw)} characters): {quoted!r}")
        #: The undecodable data, in full.
        self.raw = raw
        #: The event that carried it.
        self.event = event


class DataAfterDone(RemoteProtocolError):
    """The server kept sending events after the end of the stream (the sentinel,
    a terminal event, or an error ignored under ``after_error="ignore"``): more
    than ``max_ignored``, or any under ``after_end="refuse"``."""


class JSONChunk(NamedTuple):
    """One decoded ``data:`` payload: ``value`` is what ``loads`` returned.
    ``event.type`` is the event's name (its ``event:`` field, ``"message"``
    when it has none): the Messages format names every event.

    A NamedTuple, like :class:`~sseproto.Event`: one is made for every
    chunk of a stream, and a tuple is the cheapest immutable object to make.
    """

    value: Any
    #: The event that carried the payload (its ``data`` is the raw text).
    event: Event


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A keepalive (returned with ``heartbeats=True``): a comment line, such as
    ``: OPENROUTER PROCESSING`` (``text`` is its text, ``event`` None), or an
    event of a keepalive type, such as Messages' ``ping`` (``text`` is its
    data, ``event`` the event)."""

    text: str
    event: Event | None = None


@dataclass(frozen=True, slots=True)
class StreamDone:
    """The stream is complete. After the sentinel (``[DONE]``) both fields are
    None; after a terminal event (``response.completed``, ``message_stop``)
    ``value`` is its decoded data and ``event`` the event."""

    value: Any = None
    event: Event | None = None


@dataclass(frozen=True, slots=True)
class InBandError:
    """An event recognised as an error report (an error type of the format, or
    a payload its ``is_error`` predicate accepts): ``payload`` is the decoded
    data."""

    payload: Any
    event: Event


Item = JSONChunk | Heartbeat | StreamDone | InBandError


class _FastHash(enum.Enum):
    """Members hash by identity (the table is looked up once per event, and
    ``Enum.__hash__`` is a Python-level call); members are singletons
    compared by identity, so equal members still hash equal."""

    __hash__ = object.__hash__


class ChunkState(_FastHash):
    """Where a :class:`ChunkDecoder` is; every state but ``OPEN`` is terminal."""

    #: Receiving chunks.
    OPEN = "open"
    #: The sentinel arrived.
    COMPLETED = "completed"
    #: A payload was recognised as an in-band error.
    ERRORED = "errored"
    #: Input ended before the sentinel.
    TRUNCATED = "truncated"
    #: Undecodable data under the ``"raise"`` policy.
    FAILED = "failed"


class Outcome(enum.StrEnum):
    """How a stream of chunks ended, as its reader reports it: one vocabulary
    for every layer (the decoder's :class:`ChunkState` values are the first
    five; the OpenRouter streams report all six). A ``str``, so
    ``outcome == "completed"`` holds."""

    #: Still going.
    OPEN = "open"
    #: The terminal marker arrived (``[DONE]``, a completed event).
    COMPLETED = "completed"
    #: The server reported an error in the stream.
    ERRORED = "errored"
    #: The body ended, or the connection broke, before the terminal marker.
    TRUNCATED = "truncated"
    #: The stream broke the protocol (undecodable data, a size limit).
    FAILED = "failed"
    #: The reader closed the stream before it ended.
    CANCELLED = "cancelled"


class ChunkInput(_FastHash):
    """What the decoder can be given, after classification."""

    #: An event whose data decoded to a value that is not an error.
    DATA = "data"
    #: An event of an error type, or whose decoded value ``is_error`` accepted.
    ERROR_PAYLOAD = "error payload"
    #: An event whose data ``loads`` could not decode.
    MALFORMED = "malformed"
    #: The end marker: an event whose data is the sentinel, or of a completed type.
    SENTINEL = "sentinel"
    #: A comment line, or an event of a keepalive type.
    HEARTBEAT = "heartbeat"
    #: An event whose data is the format's trailer (OpenRouter's late ``[DONE]``).
    TRAILER = "trailer"
    #: An event whose name is not one of the format's ``chunk_events``.
    OTHER_EVENT = "other event"
    #: The end of input (``close()``).
    END = "end"


class _Do(_FastHash):
    EMIT = "emit the chunk"
    ERROR = "emit the in-band error and keep its payload"
    MALFORMED = "apply the malformed-data policy"
    DONE = "emit StreamDone"
    HEARTBEAT = "emit a Heartbeat when asked for"
    SKIP = "count an event that carries no chunks"
    AFTER_END = "count as ignored (bounded), or refuse: the format's after_end"
    AFTER_ERROR = "refuse, or count as ignored: the format's after_error"
    TRAILER = "accept the first trailer silently, count later ones as ignored"
    NOTHING = "nothing"
    REFUSE = "raise LocalProtocolError: input after a terminal state"
    RERAISE = "raise the stored error again"
    # Not in the table: what the three entries above that name a policy become.
    IGNORE = "count the input as ignored (bounded)"
    REFUSE_REMOTE = "raise DataAfterDone: the format refuses data after the end"


_S = ChunkState
_I = ChunkInput

#: (state, input) -> (what to do, next state). Complete: every pair is listed.
TRANSITIONS: Final[dict[tuple[ChunkState, ChunkInput], tuple[_Do, ChunkState]]] = {
    (_S.OPEN, _I.DATA): (_Do.EMIT, _S.OPEN),
    (_S.OPEN, _I.ERROR_PAYLOAD): (_Do.ERROR, _S.ERRORED),
    (_S.OPEN, _I.MALFORMED): (_Do.MALFORMED, _S.OPEN),  # FAILED under "raise"
    (_S.OPEN, _I.SENTINEL): (_Do.DONE, _S.COMPLETED),
    (_S.OPEN, _I.HEARTBEAT): (_Do.HEARTBEAT, _S.OPEN),
    # A trailer before the end marker ends nothing: the end of input still truncates.
    (_S.OPEN, _I.TRAILER): (_Do.NOTHING, _S.OPEN),
    (_S.OPEN, _I.OTHER_EVENT): (_Do.SKIP, _S.OPEN),
    (_S.OPEN, _I.END): (_Do.NOTHING, _S.TRUNCATED),
    **{(_S.COMPLETED, i): (_Do.AFTER_END, _S.COMPLETED) for i in ChunkInput},
    (_S.COMPLETED, _I.TRAILER): (_Do.TRAILER, _S.COMPLETED),
    (_S.COMPLETED, _I.END): (_Do.NOTHING, _S.COMPLETED),
    **{(_S.ERRORED, i): (_Do.AFTER_ERROR, _S.ERRORED) for i in ChunkInput},
    (_S.ERRORED, _I.TRAILER): (_Do.TRAILER, _S.ERRORED),
    (_S.ERRORED, _I.END): (_Do.NOTHING, _S.ERRORED),
    **{(_S.TRUNCATED, i): (_Do.REFUSE, _S.TRUNCATED) for i in ChunkInput if i is not _I.END},
    (_S.TRUNCATED, _I.END): (_Do.NOTHING, _S.TRUNCATED),
    **{(_S.FAILED, i): (_Do.RERAISE, _S.FAILED) for i in ChunkInput if i is not _I.END},
    (_S.FAILED, _I.END): (_Do.RERAISE, _S.FAILED),
}


# feed_item() takes this entry without looking it up.
assert TRANSITIONS[ChunkState.OPEN, ChunkInput.DATA] == (_Do.EMIT, ChunkState.OPEN)
_OPEN: Final = ChunkState.OPEN
_DATA: Final = ChunkInput.DATA


class _Unset(enum.Enum):
    UNSET = "unset"


class _Classify(enum.Enum):
    CLASSIFY = "classify"


# feed_item()'s predicate for a format that is not plain chat: classify by
# the format's rules (see _kind_of).
_CLASSIFY: Final = _Classify.CLASSIFY


# An argument that was not given (None is a meaningful value for some).
_UNSET: Final = _Unset.UNSET


@dataclass(frozen=True, slots=True)
class StreamOutcome:
    """A snapshot of a decoder's outcome (``ChunkDecoder.outcome``)."""

    #: The decoder's state; ``OPEN`` while the stream is still going.
    state: ChunkState
    #: ``ERRORED``: the error payload; otherwise None.
    error_payload: Any
    #: ``FAILED``: the MalformedChunk error; otherwise None.
    failure: MalformedChunk | None
    #: How many undecodable events were skipped (``malformed="skip"``).
    skipped: int
    #: The data of the last skipped event, if any.
    last_skipped: str | None
    #: How many events arrived after the sentinel and were ignored.
    ignored: int
    #: How many chunks were decoded and emitted.
    chunks: int
    #: How many events were skipped as not carrying chunks (their name is not
    #: one of the format's ``chunk_events``).
    other_events: int = 0


class ChunkDecoder:
    """Decode an LLM-style stream of JSON ``data:`` events with an explicit outcome.

    Give it the bytes of the response body with ``feed(data)`` (it runs its own
    :class:`~sseproto.EventStreamParser`), or items from a parser you run with
    ``feed_items(items)``; then ``close()`` at the end of input. Both return
    the items completed so far, in order: :class:`JSONChunk` for each decoded
    payload, :class:`Heartbeat` for keepalives (with ``heartbeats=True``),
    :class:`InBandError` for an error report, and :class:`StreamDone` for the
    end marker. Splitting the input differently never changes the items or
    the outcome.

    Arguments:
        format: the :class:`~sseproto.StreamFormat` that says how the end, an
            in-band error and a keepalive are recognised (``sseproto.CHAT``,
            ``COMPLETIONS``, ``RESPONSES``, ``MESSAGES`` or your own). When
            omitted, the format is OpenAI-style chat built from ``sentinel``
            and ``is_error``, whose defaults recognise ``[DONE]`` and no
            error: ``ChunkDecoder()`` behaves as it always has.
        loads: turns an event's data (a str) into a value; ``json.loads`` by
            default. A faster or typed decoder can be passed.
        decode_errors: the exceptions of ``loads`` that mean "undecodable"
            (default: ``ValueError``, which covers ``json.JSONDecodeError``,
            and ``RecursionError``, which ``json.loads`` raises for data
            nested deeper than the interpreter's recursion limit).
            Any other exception from ``loads`` propagates unchanged.
        is_error: recognises an in-band error payload (see
            :func:`has_error_member`); None recognises none. With ``format``,
            replaces the format's predicate when given.
        malformed: ``"raise"`` (default): undecodable data raises
            :class:`MalformedChunk` and the decoder is ``FAILED``. ``"skip"``:
            it is skipped, counted in ``outcome.skipped``, and the last one is
            kept in ``outcome.last_skipped``.
        heartbeats: also return comments as :class:`Heartbeat` items.
        sentinel: the data that ends the stream, or None for streams that end
            with the connection (then ``close()`` completes instead of
            truncating). With ``format``, replaces the format's sentinel when
            given.
        max_ignored: events tolerated after the end before
            :class:`DataAfterDone`.
        max_line_size, max_event_size: limits of the internal parser.

    Raises:
        ValueError: an invalid ``malformed`` or ``max_ignored``, or a
            ``sentinel`` equal to the format's trailer.
    """

    __slots__ = (
        "_check",
        "_chunk_events",
        "_chunks",
        "_decode_errors",
        "_failure",
        "_format",
        "_heartbeats",
        "_ignored",
        "_is_error",
        "_kinds",
        "_last_skipped",
        "_loads",
        "_max_ignored",
        "_other_events",
        "_parser",
        "_payload",
        "_pending",
        "_quick_sentinel",
        "_raise_malformed",
        "_sentinel",
        "_skipped",
        "_state",
        "_trailed",
        "_trailer",
        "_type_member",
    )

    def __init__(
        self,
        *,
        format: StreamFormat | None = None,
        loads: Callable[[str], Any] = json.loads,
        decode_errors: tuple[type[Exception], ...] = (ValueError, RecursionError),
        is_error: Callable[[Any], bool] | _Unset | None = _UNSET,
        malformed: Literal["raise", "skip"] = "raise",
        heartbeats: bool = False,
        sentinel: str | _Unset | None = _UNSET,
        max_ignored: int = DEFAULT_MAX_IGNORED,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> None:
        if malformed not in ("raise", "skip"):
            raise ValueError(f'malformed must be "raise" or "skip", not {malformed!r}')
        if type(max_ignored) is not int or max_ignored < 0:
            raise ValueError(f"max_ignored must be an int >= 0, not {max_ignored!r}")
        if format is None:
            format = StreamFormat(name="chat")
            if is_error is _UNSET:
                is_error = None
        if is_error is not _UNSET:
            format = replace(format, is_error=is_error)
        if sentinel is not _UNSET:
            format = replace(format, sentinel=sentinel)
        self._format = format
        self._loads = loads
        self._decode_errors = decode_errors
        self._is_error = format.is_error
        self._raise_malformed = malformed == "raise"
        self._heartbeats = bool(heartbeats)
        self._sentinel = format.sentinel
        self._trailer = format.trailer
        self._chunk_events = format.chunk_events
        # The type of each event that is not a plain chunk, and the input it is.
        self._kinds: dict[str, ChunkInput] | None = None
        if format.types_from is not None:
            self._kinds = {
                **dict.fromkeys(format.keepalives, ChunkInput.HEARTBEAT),
                **dict.fromkeys(format.completed, ChunkInput.SENTINEL),
                **dict.fromkeys(format.errors, ChunkInput.ERROR_PAYLOAD),
            }
        self._type_member = format.type_member if format.types_from == "json" else None
        # What feed_item() checks inline: the sentinel (any string that is
        # not one only sends a few events through the table), then the
        # predicate, or _CLASSIFY for a format with more rules than chat's.
        self._quick_sentinel = "\n" if self._sentinel is None else self._sentinel
        plain = self._trailer is None and self._chunk_events is None and self._kinds is None
        self._check: Callable[[Any], bool] | _Classify | None = (
            self._is_error if plain else _CLASSIFY
        )
        self._max_ignored = max_ignored
        self._trailed = False
        self._other_events = 0
        self._parser = EventStreamParser(
            comments=True, max_line_size=max_line_size, max_event_size=max_event_size
        )
        self._state = ChunkState.OPEN
        self._payload: Any = None
        self._failure: MalformedChunk | None = None
        self._skipped = 0
        self._last_skipped: str | None = None
        self._ignored = 0
        self._chunks = 0
        # An error met after this call had already produced items: those are
        # returned, and the error is raised by the next call.
        self._pending: ProtocolError | None = None

    @property
    def format(self) -> StreamFormat:
        """The stream format the decoder reads (with ``sentinel`` and
        ``is_error`` applied)."""
        return self._format

    @property
    def state(self) -> ChunkState:
        """The current state (see :class:`ChunkState`)."""
        return self._state

    @property
    def outcome(self) -> StreamOutcome:
        """The outcome so far; final once ``state`` is not ``OPEN``."""
        return StreamOutcome(
            state=self._state,
            error_payload=self._payload,
            failure=self._failure,
            skipped=self._skipped,
            last_skipped=self._last_skipped,
            ignored=self._ignored,
            chunks=self._chunks,
            other_events=self._other_events,
        )

    @property
    def parser(self) -> EventStreamParser[Event | Comment]:
        """The internal parser that ``feed()`` uses (its ``last_event_id``,
        ``retry``)."""
        return self._parser

    def feed(self, data: bytes | bytearray | memoryview) -> list[Item]:
        """Parse body bytes with the internal parser and decode the events.

        Raises:
            MalformedChunk: undecodable data under ``malformed="raise"``.
            DataAfterDone: too many events after the sentinel.
            LocalProtocolError: input after ``ERRORED`` or ``TRUNCATED``.
            sseproto.RemoteProtocolError: the parser's limit errors.

        As with the parser, an error never costs the items completed before
        it: a call that produced items returns them, and the error is raised
        by the next call.
        """
        if self._pending is not None:
            self._raise_pending()
        return self.feed_items(self._parser.feed(data))

    def iter_items(self, chunks: Iterable[bytes | bytearray | memoryview]) -> Iterator[Item]:
        """Feed every chunk of ``chunks``, then close; yield the items in order.

        Exactly ``for c in chunks: yield from self.feed(c)`` followed by
        ``yield from self.close()``, with the same exceptions (see
        :meth:`feed` and :meth:`close`): meant for an iterator of body
        chunks, such as ``response.iter_bytes()``. Items are yielded as soon
        as the chunk that completes them has been read, and an error is
        raised after the items completed before it. Stopping the iteration
        early leaves the decoder open, as the unfed rest of the stream is
        unknown; ``outcome`` tells how the stream ended once it is exhausted.
        """
        feed = self.feed
        for data in chunks:
            yield from feed(data)
        yield from self.close()

    async def aiter_items(
        self, chunks: AsyncIterable[bytes | bytearray | memoryview]
    ) -> AsyncIterator[Item]:
        """The async twin of :meth:`iter_items`, for an async iterable of body
        chunks (``response.aiter_bytes()``, say): the same items, in the same
        order, with the same exceptions."""
        feed = self.feed
        async for data in chunks:
            for item in feed(data):
                yield item
        for item in self.close():
            yield item

    def feed_items(self, items: Iterable[Event | Comment]) -> list[Item]:
        """Decode parser items (events and comments) in order; see ``feed``.

        Raises:
            MalformedChunk, DataAfterDone, LocalProtocolError: see ``feed``.
        """
        if self._pending is not None:
            self._raise_pending()
        if self._state is ChunkState.FAILED:
            self._reraise()
        out: list[Item] = []
        # feed_item() is _step() with the common case inlined; the checks it
        # makes first cannot fire inside this loop (an error ends the loop).
        step = self.feed_item
        try:
            for item in items:
                decoded = step(item)
                if decoded is not None:
                    out.append(decoded)
        except ProtocolError as exc:
            if not out:
                raise
            self._pending = exc
        return out

    def feed_item(self, item: Event | Comment) -> Item | None:
        """Decode one parser item; return the item it completes, or None
        (a comment without ``heartbeats``, an ignored or skipped event).
        The same as ``feed_items([item])``, without the list.

        Raises:
            MalformedChunk, DataAfterDone, LocalProtocolError: see ``feed``.
        """
        state = self._state
        if type(item) is Event and state is _OPEN and self._pending is None:
            # The common case, the table's (OPEN, DATA) entry (EMIT, stay
            # OPEN; checked below the table) without its lookups.
            data = item.data
            if data != self._quick_sentinel:
                try:
                    value = self._loads(data)
                except self._decode_errors:
                    return self._step(item)
                check = self._check
                if check is has_error_member:
                    # The usual predicate, without a call per chunk.
                    errored = type(value) is dict and value.get("error") is not None
                elif check is not _CLASSIFY:
                    errored = check is not None and bool(check(value))
                else:
                    kind = self._kind_of(item, value)
                    if kind is _DATA:
                        self._chunks += 1
                        return JSONChunk(value, item)
                    return self._apply(kind, value, item)
                if not errored:
                    self._chunks += 1
                    return JSONChunk(value, item)
                return self._step(item)
        if self._pending is not None:
            self._raise_pending()
        if state is ChunkState.FAILED:
            self._reraise()
        return self._step(item)

    def close(self) -> list[Item]:
        """End of input: ``OPEN`` becomes ``TRUNCATED`` (or ``COMPLETED`` when
        the format has no end marker: ``format.ends_with_connection``).
        Terminal states stay as they are. Returns the items the end completes
        (none: an unterminated event is discarded by the parser, as the spec
        says).

        Raises:
            MalformedChunk: the decoder is ``FAILED`` (raised again).
            sseproto.RemoteProtocolError: a limit error the parser deferred
                (whatever the decoder's state, so a split of the input never
                hides it), or an error deferred by the previous call.
        """
        if self._pending is not None:
            self._raise_pending()
        out: list[Item] = []
        if self._state is not ChunkState.FAILED and self._parser.state is not ParserState.CLOSED:
            # Also after the sentinel: a limit error that the parser deferred
            # must surface here, as it would have from a later feed().
            out = self.feed_items(self._parser.close())
            if self._pending is not None:
                return out
        do, new_state = TRANSITIONS[self._state, ChunkInput.END]
        if do is _Do.RERAISE:
            self._reraise()
        if self._state is ChunkState.OPEN and self._format.ends_with_connection:
            new_state = ChunkState.COMPLETED
        self._state = new_state
        return out

    # -- the machine ------------------------------------------------------------

    def _classify(self, item: Event | Comment) -> tuple[ChunkInput, Any]:
        """The table input for an item, and the decoded value for data."""
        if type(item) is Comment:
            return ChunkInput.HEARTBEAT, None
        assert type(item) is Event
        if self._state is not ChunkState.OPEN:
            # Terminal: the payload is not decoded, only counted or refused.
            data = item.data
            if data == self._sentinel:
                return ChunkInput.SENTINEL, None
            if data == self._trailer:
                return ChunkInput.TRAILER, None
            return ChunkInput.DATA, None
        return self._classify_event(item)

    def _classify_event(self, item: Event) -> tuple[ChunkInput, Any]:
        """The table input for an event in ``OPEN``, by the format's rules in
        their documented order (see StreamFormat), and its decoded value (the
        decoder's error for MALFORMED)."""
        data = item.data
        if data == self._sentinel:
            return ChunkInput.SENTINEL, None
        if data == self._trailer:
            return ChunkInput.TRAILER, None
        names = self._chunk_events
        if names is not None and item.type not in names:
            return ChunkInput.OTHER_EVENT, None
        kinds = self._kinds
        if (
            kinds is not None
            and self._type_member is None
            and kinds.get(item.type) is ChunkInput.HEARTBEAT
        ):
            # The type is the event's name: a keepalive needs no decoding.
            return ChunkInput.HEARTBEAT, None
        try:
            value = self._loads(data)
        except self._decode_errors as exc:
            return ChunkInput.MALFORMED, exc
        return self._kind_of(item, value), value

    def _kind_of(self, item: Event, value: Any) -> ChunkInput:
        """The table input for an event in ``OPEN`` whose data is not the
        sentinel and decoded to ``value``: StreamFormat's rules 2 to 6."""
        if item.data == self._trailer:
            return ChunkInput.TRAILER
        names = self._chunk_events
        if names is not None and item.type not in names:
            return ChunkInput.OTHER_EVENT
        kinds = self._kinds
        if kinds is not None:
            member = self._type_member
            name = item.type if member is None else None
            if type(value) is dict and member is not None:
                name = value.get(member)
            if type(name) is str:
                kind = kinds.get(name)
                if kind is not None:
                    return kind
        if self._is_error is not None and self._is_error(value):
            return ChunkInput.ERROR_PAYLOAD
        return _DATA

    def _step(self, item: Event | Comment) -> Item | None:
        """Apply the table to one item; the item it completes, if any."""
        kind, value = self._classify(item)
        return self._apply(kind, value, item)

    def _apply(self, kind: ChunkInput, value: Any, item: Event | Comment) -> Item | None:
        """Do what the table says for ``kind`` in the current state."""
        do, new_state = TRANSITIONS[self._state, kind]
        if do is _Do.AFTER_END:
            do = _Do.IGNORE if self._format.after_end == "ignore" else _Do.REFUSE_REMOTE
        elif do is _Do.AFTER_ERROR:
            do = _Do.IGNORE if self._format.after_error == "ignore" else _Do.REFUSE
        elif do is _Do.TRAILER:
            if not self._trailed:
                self._trailed = True
                do = _Do.NOTHING
            else:
                do = _Do.IGNORE
        result: Item | None = None
        if do is _Do.EMIT:
            assert type(item) is Event
            self._chunks += 1
            result = JSONChunk(value, item)
        elif do is _Do.HEARTBEAT:
            if self._heartbeats:
                if type(item) is Comment:
                    result = Heartbeat(item.text)
                else:
                    assert type(item) is Event
                    result = Heartbeat(item.data, item)
        elif do is _Do.DONE:
            assert type(item) is Event
            result = StreamDone() if item.data == self._sentinel else StreamDone(value, item)
        elif do is _Do.ERROR:
            assert type(item) is Event
            self._payload = value
            result = InBandError(value, item)
        elif do is _Do.MALFORMED:
            assert type(item) is Event
            if self._raise_malformed:
                self._failure = MalformedChunk(item.data, item)
                self._failure.__cause__ = value
                self._state = ChunkState.FAILED
                raise self._failure
            self._skipped += 1
            self._last_skipped = item.data
        elif do is _Do.SKIP:
            self._other_events += 1
        elif do is _Do.IGNORE:
            self._ignored += 1
            if self._ignored > self._max_ignored:
                raise DataAfterDone(
                    f"{self._ignored} events arrived after the {self._format.name} stream "
                    f"was {self._state.value}; at most max_ignored={self._max_ignored} "
                    "are tolerated"
                )
        elif do is _Do.REFUSE_REMOTE:
            raise DataAfterDone(
                f"an event arrived after the {self._format.name} stream was "
                f"{self._state.value}; its format refuses data after the end"
            )
        elif do is _Do.REFUSE:
            raise LocalProtocolError(
                f"the chunk stream is already {self._state.value}; stop feeding it"
            )
        elif do is _Do.RERAISE:
            self._reraise()
        self._state = new_state
        return result

    def _raise_pending(self) -> None:
        error, self._pending = self._pending, None
        assert error is not None
        raise error

    def _reraise(self) -> None:
        assert self._failure is not None
        raise self._failure.with_traceback(None)
