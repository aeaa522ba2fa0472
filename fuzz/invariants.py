"""Properties of the sseproto parser and encoder, shared by every fuzz driver.

``fuzz_parser.py`` (atheris, coverage guided) and ``smoke.py`` (hypothesis and
the seed corpus) both end in :func:`check_all`, so they check exactly the same
things. A failed check raises :class:`InvariantViolation`; any other exception
that escapes is a failure too.

The invariants, one function each:

(a) ``check_robustness``: parsing arbitrary bytes returns ``Event`` and
    ``Comment`` items or raises a ``sseproto.RemoteProtocolError`` subclass,
    never another exception (not even ``LocalProtocolError``: the driver uses
    the API correctly). The items are well formed, a limit error names the
    limit that was set, and the life cycle holds: after an error the state is
    ``ERROR`` and every further call raises the same error type; after
    ``close()`` the state is ``CLOSED``, ``close()`` returns ``[]`` and
    ``feed()`` raises ``LocalProtocolError``.
(b) ``check_chunking``: feeding the input split at arbitrary points (empty
    chunks included) gives the same items (those returned before an error
    too), the same error type or none, and the same final ``last_event_id``,
    ``retry`` and ``unterminated`` as feeding it in one call.
(c) ``check_bytewise``: feeding one byte at a time does as well.
(d) ``check_round_trip``: ``encode_comment`` and ``encode_event`` refuse with
    ``LocalProtocolError`` exactly the values they document as impossible (CR
    or LF in a type, id or comment, NUL in an id, an empty type, a negative
    retry); everything else parses back (default limits) to exactly
    ``Comment(text)`` and ``Event(type or "message", data with CRLF and CR
    turned into LF, id or "")``, with ``last_event_id`` and ``retry`` as sent.
(e) ``check_model``: the one-call result equals that of :func:`model_parse`,
    which runs ``tests/reference_model.py``: a line-at-a-time transcription of
    the WHATWG "Interpreting an event stream" algorithm with the parser's
    documented limits added (the first violation in stream order wins; items
    before it are kept). The test suite checks the parser against the same
    model.
(f) ``check_prompt_limits``: a limit error surfaces from the call whose bytes
    crossed the limit, or from the next call when that one returned the items
    it completed; in particular a line longer than ``max_line_size`` is
    refused once ``max_line_size + 1`` of its bytes have arrived, so the
    parser never holds more than the limit (checked under every chunking).
(g) ``check_reencoding``: re-encoding the events the parser produced
    (``encode_event(ev.data, type=ev.type, id=ev.id)``, concatenated) and
    parsing that gives the same events again.

Fuzz input layout (see :meth:`FuzzCase.from_source`): integers are taken from
the end of the input and bytes from the front, as ``atheris.FuzzedDataProvider``
does, so a seed file is the stream followed by two to four option bytes.
Reading backwards from the end:

1. options: bit 0 comments on; bit 1 a small ``max_line_size`` follows;
   bit 2 a small ``max_event_size`` follows; bits 3-4 the chunking style
   (0 random cuts, 1 fixed-size chunks, 2 a cut after every CR, 3 a cut before
   every UTF-8 continuation byte);
2. seed (0-255): drives the chunking and the values for (d);
3. if bit 1: ``max_line_size`` = byte % 64 + 1;
4. if bit 2: ``max_event_size`` = byte % 64 + 1;

and everything left is the stream. :func:`case_to_bytes` builds such inputs.
"""

from __future__ import annotations

import itertools
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, Protocol

# The model of the spec lives with the tests; the fuzz drivers run from the
# repository, so its root is importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.reference_model import line_lengths, reference_parse

from sseproto import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    Comment,
    Event,
    EventStreamParser,
    EventTooLarge,
    LineTooLong,
    LocalProtocolError,
    ParserState,
    RemoteProtocolError,
    encode_comment,
    encode_event,
)

__all__ = [
    "ByteSource",
    "FuzzCase",
    "InvariantViolation",
    "Outcome",
    "RoundTripValues",
    "TailReader",
    "case_to_bytes",
    "check_all",
    "check_bytewise",
    "check_chunking",
    "check_model",
    "check_prompt_limits",
    "check_reencoding",
    "check_robustness",
    "check_round_trip",
    "line_lengths",
    "model_parse",
    "run_parser",
]

Item = Event | Comment

#: Largest value of a "small" limit.
SMALL_LIMIT_MAX = 64

_CR = 0x0D

_OPT_COMMENTS = 0x01
_OPT_SMALL_LINE = 0x02
_OPT_SMALL_EVENT = 0x04
_STYLE_SHIFT = 3
_STYLE_MASK = 0x03

STYLE_RANDOM = 0
STYLE_FIXED = 1
STYLE_AFTER_CR = 2
STYLE_IN_CHARACTERS = 3


class InvariantViolation(AssertionError):
    """An invariant of this module does not hold for some input."""


def _violation(invariant: str, message: str, context: str) -> NoReturn:
    raise InvariantViolation(f"invariant ({invariant}) violated: {message}\n  input: {context}")


def _short(value: object, limit: int = 600) -> str:
    if type(value) is int and value.bit_length() > 10_000:
        # repr() of such an int raises ValueError (sys.get_int_max_str_digits()).
        return f"<int of {value.bit_length()} bits>"
    text = repr(value)
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text)} characters of repr)"
    return text


# -- fuzz input decoding ------------------------------------------------------------------


class ByteSource(Protocol):
    """The part of ``atheris.FuzzedDataProvider`` that :meth:`FuzzCase.from_source` uses."""

    def ConsumeIntInRange(self, low: int, high: int, /) -> int: ...

    def ConsumeBytes(self, count: int, /) -> bytes: ...

    def remaining_bytes(self) -> int: ...


class TailReader:
    """A pure-Python :class:`ByteSource` that reads inputs exactly as atheris does.

    Integers in a range of at most 256 values take one byte from the end of the
    input (the byte modulo the range size, added to the minimum; the minimum
    once the input is used up); bytes come from the front. ``smoke.py`` checks
    the agreement with ``atheris.FuzzedDataProvider`` whenever atheris is
    installed, and uses this reader to replay the corpus where it is not.
    """

    def __init__(self, data: bytes) -> None:
        self._data = bytes(data)
        self._front = 0
        self._back = len(self._data)

    def ConsumeIntInRange(self, low: int, high: int, /) -> int:
        span = high - low
        if not 1 <= span <= 255:
            raise ValueError(f"TailReader supports ranges of 2 to 256 values, not {low}..{high}")
        if self._back == self._front:
            return low
        self._back -= 1
        return low + self._data[self._back] % (span + 1)

    def ConsumeBytes(self, count: int, /) -> bytes:
        end = min(self._front + max(count, 0), self._back)
        chunk = self._data[self._front : end]
        self._front = end
        return chunk

    def remaining_bytes(self) -> int:
        return self._back - self._front


def _cuts(stream: bytes, style: int, seed: int) -> tuple[int, ...]:
    """Offsets at which to split ``stream`` for a chunked feed."""
    size = len(stream)
    if style == STYLE_FIXED:
        step = seed % 32 + 1
        return tuple(range(step, size, step))
    if style == STYLE_AFTER_CR:
        return tuple(index + 1 for index, byte in enumerate(stream) if byte == _CR)
    if style == STYLE_IN_CHARACTERS:
        return tuple(index for index, byte in enumerate(stream) if 0x80 <= byte <= 0xBF)
    rng = random.Random(seed)
    # Duplicates and the ends are allowed: they give empty chunks, which are no-ops.
    return tuple(sorted(rng.randint(0, size) for _ in range(rng.randint(1, 12))))


@dataclass(frozen=True)
class FuzzCase:
    """One input of the parser properties: a stream, how to split it, and options."""

    stream: bytes
    #: Offsets (non-decreasing, within ``0..len(stream)``) at which to split the stream.
    cuts: tuple[int, ...] = ()
    comments: bool = False
    max_line_size: int = DEFAULT_MAX_LINE_SIZE
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE
    #: Drives the values used by the round trip (d).
    seed: int = 0

    @classmethod
    def from_source(cls, source: ByteSource) -> FuzzCase:
        """Decode a fuzz input (layout in the module docstring)."""
        options = source.ConsumeIntInRange(0, 255)
        seed = source.ConsumeIntInRange(0, 255)
        max_line_size = DEFAULT_MAX_LINE_SIZE
        max_event_size = DEFAULT_MAX_EVENT_SIZE
        if options & _OPT_SMALL_LINE:
            max_line_size = source.ConsumeIntInRange(1, SMALL_LIMIT_MAX)
        if options & _OPT_SMALL_EVENT:
            max_event_size = source.ConsumeIntInRange(1, SMALL_LIMIT_MAX)
        stream = source.ConsumeBytes(source.remaining_bytes())
        style = (options >> _STYLE_SHIFT) & _STYLE_MASK
        return cls(
            stream=stream,
            cuts=_cuts(stream, style, seed),
            comments=bool(options & _OPT_COMMENTS),
            max_line_size=max_line_size,
            max_event_size=max_event_size,
            seed=seed,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> FuzzCase:
        """Decode a fuzz input without atheris (same result as with it)."""
        return cls.from_source(TailReader(data))

    def chunks(self) -> list[bytes]:
        """The stream split at ``cuts``."""
        bounds = [0, *(min(max(cut, 0), len(self.stream)) for cut in self.cuts), len(self.stream)]
        return [self.stream[start:end] for start, end in itertools.pairwise(bounds)]

    def describe(self) -> str:
        return (
            f"stream={_short(self.stream)} cuts={_short(self.cuts, 200)} "
            f"comments={self.comments} max_line_size={self.max_line_size} "
            f"max_event_size={self.max_event_size} seed={self.seed}"
        )


def case_to_bytes(
    stream: bytes,
    *,
    comments: bool = True,
    style: int = STYLE_RANDOM,
    seed: int = 0,
    max_line_size: int | None = None,
    max_event_size: int | None = None,
) -> bytes:
    """The fuzz input that :meth:`FuzzCase.from_source` decodes to these settings.

    ``None`` for a limit means the default; a small limit is 1 to 64.
    """
    if not 0 <= style <= _STYLE_MASK or not 0 <= seed <= 255:
        raise ValueError("style must be 0-3 and seed 0-255")
    options = (_OPT_COMMENTS if comments else 0) | (style << _STYLE_SHIFT)
    trailer: list[int] = []
    for flag, limit in ((_OPT_SMALL_EVENT, max_event_size), (_OPT_SMALL_LINE, max_line_size)):
        if limit is not None:
            if not 1 <= limit <= SMALL_LIMIT_MAX:
                raise ValueError(f"a small limit is 1 to {SMALL_LIMIT_MAX}, not {limit}")
            options |= flag
            trailer.append(limit - 1)
    return stream + bytes([*trailer, seed, options])


# -- running the parser -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a parse produced; equality compares only what must not depend on chunking."""

    items: tuple[Item, ...]
    error: type[RemoteProtocolError] | None
    last_event_id: str
    retry: int | None
    #: ``parser.unterminated`` after ``close()``; ``None`` when an error ended the parse.
    unterminated: bool | None
    #: Index of the call that raised: feeds are 0..n-1, ``close()`` is n.
    raised_at: int | None = field(default=None, compare=False)
    #: Indexes of the calls that returned at least one item.
    item_calls: frozenset[int] = field(default=frozenset(), compare=False)
    #: Model only: stream offset at which the error became certain (the byte
    #: that made a line too long, or the end of the line that broke a limit).
    error_offset: int | None = field(default=None, compare=False)

    def describe(self) -> str:
        error = self.error.__name__ if self.error is not None else None
        return (
            f"items={_short(self.items)} error={error} last_event_id={self.last_event_id!r} "
            f"retry={_short(self.retry, 80)} unterminated={self.unterminated}"
        )


def _check_items(items: object, comments: bool, context: str) -> list[Item]:
    if type(items) is not list:
        _violation("a", f"feed()/close() returned {type(items).__name__}, not list", context)
    checked: list[Item] = []
    for item in items:
        if type(item) is Event:
            fields_ok = all(type(value) is str for value in item)
            if not fields_ok:
                _violation("a", f"an Event field is not a str: {item!r}", context)
            if not item.type or any(c in item.type for c in "\r\n"):
                _violation("a", f"bad event type: {item!r}", context)
            if "\r" in item.data:
                _violation("a", f"CR left in event data: {item!r}", context)
            if any(c in item.id for c in "\0\r\n"):
                _violation("a", f"NUL, CR or LF in event id: {item!r}", context)
        elif type(item) is Comment:
            if not comments:
                _violation("a", f"a Comment with comments=False: {item!r}", context)
            if type(item.text) is not str or any(c in item.text for c in "\r\n"):
                _violation("a", f"bad comment text: {item!r}", context)
        else:
            _violation("a", f"an item is neither Event nor Comment: {item!r}", context)
        checked.append(item)
    return checked


def _check_limit_error(
    error: RemoteProtocolError, parser_limits: dict[str, int], context: str
) -> None:
    if isinstance(error, LineTooLong | EventTooLarge):
        expected = "max_line_size" if isinstance(error, LineTooLong) else "max_event_size"
        if error.limit != expected or error.value != parser_limits[expected]:
            _violation(
                "a",
                f"{type(error).__name__} names limit={error.limit!r} value={error.value!r}, "
                f"but {expected}={parser_limits[expected]}",
                context,
            )


def run_parser(
    chunks: Sequence[bytes],
    *,
    comments: bool = False,
    max_line_size: int = DEFAULT_MAX_LINE_SIZE,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    context: str = "",
) -> Outcome:
    """Feed ``chunks`` then ``close()``, checking invariant (a) along the way."""
    parser = EventStreamParser(
        comments=comments, max_line_size=max_line_size, max_event_size=max_event_size
    )
    limits = {"max_line_size": max_line_size, "max_event_size": max_event_size}
    items: list[Item] = []
    item_calls: set[int] = set()
    for index in range(len(chunks) + 1):
        what = f"feed() #{index}" if index < len(chunks) else "close()"
        try:
            got = parser.feed(chunks[index]) if index < len(chunks) else parser.close()
        except RemoteProtocolError as exc:
            _check_limit_error(exc, limits, context)
            _check_error_state(parser, exc, context)
            return Outcome(
                items=tuple(items),
                error=type(exc),
                last_event_id=parser.last_event_id,
                retry=parser.retry,
                unterminated=None,
                raised_at=index,
                item_calls=frozenset(item_calls),
            )
        except Exception as exc:
            raise InvariantViolation(
                f"invariant (a) violated: {what} raised {type(exc).__name__}: {exc}, "
                f"which is not a RemoteProtocolError\n  input: {context}"
            ) from exc
        got = _check_items(got, comments, context)
        if got:
            item_calls.add(index)
            items.extend(got)
    _check_closed_state(parser, context)
    return Outcome(
        items=tuple(items),
        error=None,
        last_event_id=parser.last_event_id,
        retry=parser.retry,
        unterminated=parser.unterminated,
        item_calls=frozenset(item_calls),
    )


def _check_error_state(
    parser: EventStreamParser[Any], error: RemoteProtocolError, context: str
) -> None:
    if parser.state is not ParserState.ERROR:
        _violation("a", f"state is {parser.state} after {type(error).__name__}", context)
    if type(parser.error) is not type(error):
        _violation("a", f"parser.error is {parser.error!r} after {error!r}", context)
    calls: list[tuple[str, Callable[[], list[Item]]]] = [
        ("feed(b'')", lambda: parser.feed(b"")),
        ("feed(b'data: x\\n\\n')", lambda: parser.feed(b"data: x\n\n")),
        ("close()", parser.close),
    ]
    for name, again in calls:
        try:
            result = again()
        except RemoteProtocolError as exc:
            if type(exc) is not type(error):
                _violation("a", f"{name} after {error!r} raised {exc!r}", context)
        except Exception as exc:
            raise InvariantViolation(
                f"invariant (a) violated: {name} after {error!r} raised {exc!r}\n  input: {context}"
            ) from exc
        else:
            _violation(
                "a", f"{name} after {error!r} returned {result!r} instead of raising", context
            )


def _check_closed_state(parser: EventStreamParser[Any], context: str) -> None:
    if parser.state is not ParserState.CLOSED:
        _violation("a", f"state is {parser.state} after close()", context)
    if parser.error is not None:
        _violation("a", f"parser.error is {parser.error!r} without an error raised", context)
    again = parser.close()
    if again != []:
        _violation("a", f"a second close() returned {again!r}", context)
    try:
        parser.feed(b"data: x\n\n")
    except LocalProtocolError:
        pass
    except Exception as exc:
        raise InvariantViolation(
            f"invariant (a) violated: feed() after close() raised {exc!r}, "
            f"not LocalProtocolError\n  input: {context}"
        ) from exc
    else:
        _violation("a", "feed() after close() did not raise", context)


def _run_case(case: FuzzCase, chunks: Sequence[bytes]) -> Outcome:
    return run_parser(
        chunks,
        comments=case.comments,
        max_line_size=case.max_line_size,
        max_event_size=case.max_event_size,
        context=case.describe(),
    )


# -- the model ----------------------------------------------------------------------------


def model_parse(
    stream: bytes,
    *,
    comments: bool = False,
    max_line_size: int = DEFAULT_MAX_LINE_SIZE,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
) -> Outcome:
    """What a spec-exact parser with the documented limits makes of a whole
    stream: the test suite's reference model, as an :class:`Outcome`."""
    result = reference_parse(
        stream, comments=comments, max_line_size=max_line_size, max_event_size=max_event_size
    )
    return Outcome(
        items=result.items,
        error=result.error,
        last_event_id=result.last_event_id,
        retry=result.retry,
        unterminated=result.unterminated,
        error_offset=result.error_offset,
    )


# -- the invariants -----------------------------------------------------------------------


def check_robustness(case: FuzzCase) -> Outcome:
    """(a) Items or a RemoteProtocolError, well-formed items, sound life cycle.

    Returns the outcome of feeding the whole stream in one call.
    """
    return _run_case(case, [case.stream])


def _compare(invariant: str, how: str, got: Outcome, whole: Outcome, case: FuzzCase) -> None:
    if got != whole:
        _violation(
            invariant,
            f"{how} differs from one feed()\n  {how}: {got.describe()}\n"
            f"  one feed(): {whole.describe()}",
            case.describe(),
        )


def check_chunking(case: FuzzCase, whole: Outcome) -> Outcome:
    """(b) Feeding ``case.chunks()`` gives the same result as one feed()."""
    chunked = _run_case(case, case.chunks())
    _compare("b", f"feeding {len(case.cuts) + 1} chunks", chunked, whole, case)
    return chunked


def check_bytewise(case: FuzzCase, whole: Outcome) -> Outcome:
    """(c) Feeding one byte at a time gives the same result as one feed()."""
    stream = case.stream
    bytewise = _run_case(case, [stream[index : index + 1] for index in range(len(stream))])
    _compare("c", "feeding one byte at a time", bytewise, whole, case)
    return bytewise


def check_model(case: FuzzCase, whole: Outcome) -> Outcome:
    """(e) One feed() gives what :func:`model_parse` gives."""
    model = model_parse(
        case.stream,
        comments=case.comments,
        max_line_size=case.max_line_size,
        max_event_size=case.max_event_size,
    )
    if whole != model:
        _violation(
            "e",
            f"the parser disagrees with the model\n  parser: {whole.describe()}\n"
            f"  model:  {model.describe()}",
            case.describe(),
        )
    return model


def check_prompt_limits(
    case: FuzzCase, model: Outcome, runs: Sequence[tuple[Sequence[bytes], Outcome]]
) -> None:
    """(f) Each run's error surfaces from the call whose bytes made it certain
    (or from the next call, when that one returned items)."""
    if model.error is None or model.error_offset is None:
        return
    for chunks, outcome in runs:
        received = 0
        crossing = len(chunks)
        for index, chunk in enumerate(chunks):
            received += len(chunk)
            if received >= model.error_offset:
                crossing = index
                break
        deferred = outcome.raised_at == crossing + 1 and crossing in outcome.item_calls
        if outcome.raised_at != crossing and not deferred:
            _violation(
                "f",
                f"{model.error.__name__} became certain at byte {model.error_offset}, in call "
                f"#{crossing} of {len(chunks)} chunks (+ close()), but was raised by call "
                f"#{outcome.raised_at} (calls that returned items: {sorted(outcome.item_calls)})",
                case.describe(),
            )


def check_reencoding(case: FuzzCase, whole: Outcome) -> None:
    """(g) Events re-encoded and parsed again come back unchanged."""
    events = [item for item in whole.items if type(item) is Event]
    if not events:
        return
    context = f"re-encoding the events of: {case.describe()}"
    try:
        wire = b"".join(encode_event(ev.data, type=ev.type, id=ev.id) for ev in events)
    except Exception as exc:
        raise InvariantViolation(
            f"invariant (g) violated: encode_event refused a parsed event: {exc!r}\n"
            f"  input: {context}"
        ) from exc
    again = run_parser([wire], context=context)
    if again.error is not None or list(again.items) != events:
        _violation(
            "g",
            f"parsing {_short(wire)} gave {again.describe()}, not the events {_short(events)}",
            context,
        )


# The encoder refuses retry values with more digits than Python converts.
_MAX_RETRY = 10 ** sys.get_int_max_str_digits()


def _has_surrogate(text: str) -> bool:
    """Lone surrogates have no UTF-8 form: the encoder refuses them."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def _no_surrogates(text: str) -> str:
    return "".join(char for char in text if not "\ud800" <= char <= "\udfff")


@dataclass(frozen=True)
class RoundTripValues:
    """Arguments for the round trip (d): a comment (optional) then one event."""

    data: str
    type: str | None = None
    id: str | None = None
    retry: int | None = None
    comment: str | None = None

    @classmethod
    def from_case(cls, case: FuzzCase) -> RoundTripValues:
        """Carve values out of a fuzz input: its text cut at three seed-chosen places."""
        rng = random.Random(case.seed)
        text = case.stream.decode("utf-8", "replace")
        first, second, third = sorted(rng.randint(0, len(text)) for _ in range(3))
        retry_choices: list[int | None] = [
            None,
            0,
            rng.randrange(10**6),
            rng.randrange(10**40),
            10**4300,  # more digits than Python converts: refused
        ]
        return cls(
            type=text[:first] if rng.random() < 0.75 else None,
            id=text[first:second] if rng.random() < 0.75 else None,
            comment=text[second:third] if rng.random() < 0.5 else None,
            data=text[third:],
            retry=rng.choice(retry_choices),
        )

    def describe(self) -> str:
        return (
            f"RoundTripValues(data={_short(self.data)}, type={_short(self.type)}, "
            f"id={_short(self.id)}, retry={_short(self.retry, 80)}, comment={_short(self.comment)})"
        )

    def encodable(self) -> bool:
        """Whether the encoder documents these values as encodable."""
        type_ok = self.type is None or (self.type != "" and _single_line(self.type) == self.type)
        id_ok = self.id is None or not any(c in self.id for c in "\0\r\n")
        comment_ok = self.comment is None or _single_line(self.comment) == self.comment
        retry_ok = self.retry is None or 0 <= self.retry < _MAX_RETRY
        texts = (self.data, self.type or "", self.id or "", self.comment or "")
        utf8_ok = not any(_has_surrogate(text) for text in texts)
        return type_ok and id_ok and comment_ok and retry_ok and utf8_ok

    def sanitized(self) -> RoundTripValues:
        """The nearest encodable values: line breaks and NULs dropped where refused."""
        event_type = None if self.type is None else _no_surrogates(_single_line(self.type)) or None
        event_id = None if self.id is None else _single_line(self.id).replace("\0", "")
        comment = None if self.comment is None else _single_line(self.comment)
        return RoundTripValues(
            data=_no_surrogates(self.data),
            type=event_type,
            id=None if event_id is None else _no_surrogates(event_id),
            retry=self.retry if self.retry is None or 0 <= self.retry < _MAX_RETRY else None,
            comment=None if comment is None else _no_surrogates(comment),
        )

    def encode(self) -> bytes:
        head = b"" if self.comment is None else encode_comment(self.comment)
        return head + encode_event(self.data, type=self.type, id=self.id, retry=self.retry)

    def expected_items(self) -> list[Item]:
        data = self.data.replace("\r\n", "\n").replace("\r", "\n")
        event = Event(self.type or "message", data, self.id or "")
        return [event] if self.comment is None else [Comment(self.comment), event]


def _single_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", "")


def check_round_trip(values: RoundTripValues) -> None:
    """(d) The encoder refuses exactly the impossible values; the rest round-trips."""
    context = values.describe()
    encodable = values.encodable()
    try:
        values.encode()
    except LocalProtocolError as exc:
        if encodable:
            _violation("d", f"the encoder refused encodable values: {exc!r}", context)
    except Exception as exc:
        raise InvariantViolation(
            f"invariant (d) violated: the encoder raised {exc!r}, not LocalProtocolError\n"
            f"  input: {context}"
        ) from exc
    else:
        if not encodable:
            _violation("d", "the encoder accepted values it documents as impossible", context)
    if not encodable:
        values = values.sanitized()
        context = f"{context} (sanitized: {values.describe()})"
    try:
        wire = values.encode()
    except Exception as exc:
        raise InvariantViolation(
            f"invariant (d) violated: the encoder raised {exc!r} for encodable values\n"
            f"  input: {context}"
        ) from exc
    expected = Outcome(
        items=tuple(values.expected_items()),
        error=None,
        last_event_id=values.id or "",
        retry=values.retry,
        unterminated=False,
    )
    for how, chunks in (
        ("in one feed()", [wire]),
        ("one byte at a time", [wire[index : index + 1] for index in range(len(wire))]),
    ):
        got = run_parser(chunks, comments=True, context=context)
        if got != expected:
            _violation(
                "d",
                f"{_short(wire)} parsed {how} gives\n  {got.describe()}\n"
                f"  expected {expected.describe()}",
                context,
            )


def check_all(case: FuzzCase, values: RoundTripValues | None = None) -> None:
    """Check every invariant for one case (round trip values default to ones
    carved out of the case)."""
    whole = check_robustness(case)
    model = check_model(case, whole)
    chunks = case.chunks()
    chunked = check_chunking(case, whole)
    bytewise = check_bytewise(case, whole)
    check_prompt_limits(
        case,
        model,
        [
            ([case.stream], whole),
            (chunks, chunked),
            ([case.stream[index : index + 1] for index in range(len(case.stream))], bytewise),
        ],
    )
    check_reencoding(case, whole)
    check_round_trip(values if values is not None else RoundTripValues.from_case(case))
