"""Properties of the HTTP/1.1 exchange and of the JSON chunk decoder.

``fuzz_http11.py`` (atheris, coverage guided) and ``smoke.py`` (hypothesis and
the seed corpus in ``corpus-http11/``) both end in :func:`check_all`. A failed
check raises :class:`invariants.InvariantViolation`; any other exception that
escapes is a failure too.

The invariants, one function each. ``HTTP11Exchange`` (the response bytes are
fed to ``receive()``, then ``receive(b"")`` when the input says the peer
closed):

(a) ``check_exchange_robustness``: every ``receive()`` returns a list of
    ``ResponseStarted``/``BodyChunk``/``ResponseComplete`` (a final status of
    200-999, latin-1 ``str`` header pairs, non-empty ``bytes`` bodies) or
    raises ``HTTPProtocolError`` or ``HeadersTooLarge``, never another
    exception (no h11 exception, no ``LocalProtocolError``: the driver uses
    the API correctly). The error's ``completed`` is a tuple of such events,
    a ``HeadersTooLarge`` names ``max_header_size``, and after the error the
    state is ``ERROR`` and every later call raises the same error again.
(b) ``check_exchange_chunking``: splitting the bytes across calls gives the
    same ``ResponseStarted``, the same body bytes (``BodyChunk`` data joined,
    those in ``exc.completed`` included), whether ``ResponseComplete`` came,
    the same error type or none, and the same final ``state`` and
    ``reusable`` as one call.
(c) ``check_exchange_order``: over the calls (``exc.completed`` counted as the
    failing call's events), the events are at most one ``ResponseStarted``,
    then ``BodyChunk`` items, then at most one ``ResponseComplete``; a call
    returns at most one ``BodyChunk``, and ``state`` follows the events
    (``RECEIVING_BODY`` after ``ResponseStarted``, ``COMPLETE`` after
    ``ResponseComplete``).

``ChunkDecoder`` (fed the raw input, and the exchange's body when there is
one; every chunk is fed, whatever the state, then ``close()``):

(d) ``check_decoder_robustness``: under ``malformed="raise"`` and
    ``malformed="skip"``, every call returns ``JSONChunk``/``Heartbeat``/
    ``StreamDone``/``InBandError`` items (``Heartbeat`` only with
    ``heartbeats=True``, ``InBandError`` only with an ``is_error``
    predicate) or raises a ``sseproto.ProtocolError`` subclass, never another
    exception; ``MalformedChunk`` only under ``"raise"``, ``skipped`` only
    under ``"skip"``.
(e) ``check_decoder_chunking``: splitting the bytes gives the same items
    (those returned before an error included), the same error type or none
    and the same ``outcome`` (state, skipped and ignored counts, chunks, last
    skipped data, failure data, whether there is an error payload) as one
    ``feed()``.

Behaviour allowed for in the default run (``STRICT``, set by
``SSEPROTO_FUZZ_STRICT=1`` in the environment, runs without the allowance, so
the input below fails it):

B2 (b): a chunk-size line (or a trailer section) longer than
    ``max_header_size`` is accepted when it arrives in one ``receive()`` but
    refused with ``HeadersTooLarge`` when it arrives in pieces: h11 bounds
    only the data it holds while an event is incomplete, and the exchange
    documents the limit that way for the body. The default run accepts a
    split run that ends in ``HeadersTooLarge`` after the same
    ``ResponseStarted`` with a prefix of the one-call run's body.

Found by these targets and fixed (their seeds and the tests keep them fixed):
B1, ``json.loads``' ``RecursionError`` escaping a ``ChunkDecoder``; B3, any
``HTTP/d.d`` version accepted; B4, a limit error deferred after ``[DONE]`` lost
by ``ChunkDecoder.close()``; B5, bytes after a closing response an error only
when they came in the call that completed it.

Fuzz input layout (see :meth:`HTTPCase.from_source`), read backwards from the
end as ``atheris.FuzzedDataProvider`` does:

1. options: bits 0-1 the chunking style (0 random cuts, 1 fixed-size chunks,
   2 a cut after every LF, 3 one byte per call); bit 2 the peer closes
   (``receive(b"")``) after the bytes; bit 3 a small limit follows; bit 4 the
   request is ``HEAD``; bit 5 ``heartbeats=True``; bit 6 ``is_error`` is
   ``has_error_member``; bit 7 no sentinel (``sentinel=None``);
2. seed (0-255): drives the random cuts and the chunk size; ``max_ignored`` is
   ``seed % 4``;
3. if bit 3: a small limit, 1-256: the exchange's ``max_header_size`` and the
   decoder's ``max_line_size`` and ``max_event_size``;

and everything left is the response. :func:`case_to_bytes` builds such inputs.
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import h11
from invariants import ByteSource, InvariantViolation, TailReader, _short

from sseproto import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    ChunkDecoder,
    ChunkState,
    Heartbeat,
    InBandError,
    JSONChunk,
    MalformedChunk,
    ProtocolError,
    StreamDone,
    has_error_member,
)
from sseproto.adapters import (
    DEFAULT_MAX_HEADER_SIZE,
    BodyChunk,
    ExchangeEvent,
    ExchangeState,
    HeadersTooLarge,
    HTTP11Exchange,
    HTTPProtocolError,
    ResponseComplete,
    ResponseStarted,
)

__all__ = [
    "STRICT",
    "DecoderConfig",
    "DecoderOutcome",
    "ExchangeOutcome",
    "HTTPCase",
    "case_to_bytes",
    "check_all",
    "check_decoder_chunking",
    "check_decoder_robustness",
    "check_exchange_chunking",
    "check_exchange_order",
    "check_exchange_robustness",
    "run_decoder",
    "run_exchange",
]

#: Run the known-bug input class too (see the module docstring).
STRICT = os.environ.get("SSEPROTO_FUZZ_STRICT", "") not in ("", "0")

#: Largest value of the small limit.
SMALL_LIMIT_MAX = 256

_STYLE_MASK = 0x03
_OPT_EOF = 0x04
_OPT_SMALL_LIMIT = 0x08
_OPT_HEAD = 0x10
_OPT_HEARTBEATS = 0x20
_OPT_IS_ERROR = 0x40
_OPT_NO_SENTINEL = 0x80

STYLE_RANDOM = 0
STYLE_FIXED = 1
STYLE_AFTER_LF = 2
STYLE_BYTEWISE = 3

_LF = 0x0A
_URL = "http://example.test/v1/stream"


def _violation(invariant: str, message: str, context: str) -> InvariantViolation:
    return InvariantViolation(f"invariant ({invariant}) violated: {message}\n  input: {context}")


def _split(data: bytes, style: int, seed: int) -> list[bytes]:
    """``data`` split into non-empty chunks (an empty one would mean EOF to the exchange)."""
    size = len(data)
    if style == STYLE_FIXED:
        step = seed % 32 + 1
        cuts: list[int] = list(range(step, size, step))
    elif style == STYLE_AFTER_LF:
        cuts = [index + 1 for index, byte in enumerate(data) if byte == _LF]
    elif style == STYLE_BYTEWISE:
        cuts = list(range(1, size))
    else:
        rng = random.Random(seed)
        cuts = [rng.randint(0, size) for _ in range(rng.randint(1, 12))]
    bounds = sorted({0, size, *(cut for cut in cuts if 0 < cut < size)})
    return [data[start:end] for start, end in itertools.pairwise(bounds)]


# -- fuzz input decoding ------------------------------------------------------------------


@dataclass(frozen=True)
class HTTPCase:
    """One input: response bytes, how to split them, and options."""

    stream: bytes
    style: int = STYLE_RANDOM
    seed: int = 0
    eof: bool = True
    head: bool = False
    max_header_size: int = DEFAULT_MAX_HEADER_SIZE
    max_line_size: int = DEFAULT_MAX_LINE_SIZE
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE
    heartbeats: bool = False
    is_error: bool = False
    sentinel: bool = True

    @classmethod
    def from_source(cls, source: ByteSource) -> HTTPCase:
        """Decode a fuzz input (layout in the module docstring)."""
        options = source.ConsumeIntInRange(0, 255)
        seed = source.ConsumeIntInRange(0, 255)
        limits: dict[str, int] = {}
        if options & _OPT_SMALL_LIMIT:
            small = source.ConsumeIntInRange(1, SMALL_LIMIT_MAX)
            limits = {"max_header_size": small, "max_line_size": small, "max_event_size": small}
        return cls(
            stream=source.ConsumeBytes(source.remaining_bytes()),
            style=options & _STYLE_MASK,
            seed=seed,
            eof=bool(options & _OPT_EOF),
            head=bool(options & _OPT_HEAD),
            heartbeats=bool(options & _OPT_HEARTBEATS),
            is_error=bool(options & _OPT_IS_ERROR),
            sentinel=not options & _OPT_NO_SENTINEL,
            **limits,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> HTTPCase:
        """Decode a fuzz input without atheris (same result as with it)."""
        return cls.from_source(TailReader(data))

    def chunks(self, data: bytes | None = None) -> list[bytes]:
        """``data`` (default: the stream) split as the case says, no empty chunk."""
        return _split(self.stream if data is None else data, self.style, self.seed)

    def describe(self) -> str:
        return (
            f"stream={_short(self.stream)} style={self.style} seed={self.seed} eof={self.eof} "
            f"head={self.head} max_header_size={self.max_header_size} "
            f"max_line_size={self.max_line_size} max_event_size={self.max_event_size} "
            f"heartbeats={self.heartbeats} is_error={self.is_error} sentinel={self.sentinel}"
        )


def case_to_bytes(
    stream: bytes,
    *,
    style: int = STYLE_RANDOM,
    seed: int = 0,
    eof: bool = True,
    head: bool = False,
    small_limit: int | None = None,
    heartbeats: bool = False,
    is_error: bool = True,
    sentinel: bool = True,
) -> bytes:
    """The fuzz input that :meth:`HTTPCase.from_source` decodes to these settings."""
    if not 0 <= style <= _STYLE_MASK or not 0 <= seed <= 255:
        raise ValueError("style must be 0-3 and seed 0-255")
    options = style
    trailer: list[int] = []
    for flag, on in (
        (_OPT_EOF, eof),
        (_OPT_HEAD, head),
        (_OPT_HEARTBEATS, heartbeats),
        (_OPT_IS_ERROR, is_error),
        (_OPT_NO_SENTINEL, not sentinel),
    ):
        if on:
            options |= flag
    if small_limit is not None:
        if not 1 <= small_limit <= SMALL_LIMIT_MAX:
            raise ValueError(f"a small limit is 1 to {SMALL_LIMIT_MAX}, not {small_limit}")
        options |= _OPT_SMALL_LIMIT
        trailer.append(small_limit - 1)
    return stream + bytes([*trailer, seed, options])


# -- the exchange -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeOutcome:
    """What an exchange made of a response; ``calls`` is not compared across chunkings."""

    started: ResponseStarted | None
    body: bytes
    complete: bool
    error: type[ProtocolError] | None
    state: ExchangeState
    reusable: bool
    #: The events of each call, ``exc.completed`` for the one that raised.
    calls: tuple[tuple[ExchangeEvent, ...], ...] = ()
    #: ``exchange.state`` after each call.
    states: tuple[ExchangeState, ...] = ()

    def key(self) -> tuple[object, ...]:
        error = None if self.error is None else self.error.__name__
        return (self.started, self.body, self.complete, error, self.state, self.reusable)

    def describe(self) -> str:
        error = None if self.error is None else self.error.__name__
        return (
            f"started={_short(self.started)} body={_short(self.body)} complete={self.complete} "
            f"error={error} state={self.state.name} reusable={self.reusable}"
        )


def _check_event(event: object, context: str) -> None:
    if type(event) is ResponseStarted:
        ok = (
            type(event.status) is int
            and 200 <= event.status <= 999
            and type(event.reason) is str
            and type(event.http_version) is str
            and event.http_version in ("1.0", "1.1")
            and type(event.headers) is tuple
            and all(
                type(pair) is tuple
                and len(pair) == 2
                and all(type(part) is str for part in pair)
                and pair[0] == pair[0].lower()
                for pair in event.headers
            )
        )
        if not ok:
            raise _violation("a", f"malformed ResponseStarted: {_short(event)}", context)
    elif type(event) is BodyChunk:
        if type(event.data) is not bytes or not event.data:
            raise _violation("a", f"BodyChunk data is empty or not bytes: {event!r}", context)
    elif type(event) is not ResponseComplete:
        raise _violation("a", f"not an ExchangeEvent: {_short(event)}", context)


def _check_events(events: object, context: str) -> tuple[ExchangeEvent, ...]:
    if type(events) is not list and type(events) is not tuple:
        raise _violation("a", f"got {type(events).__name__}, not a list of events", context)
    for event in events:
        _check_event(event, context)
    return tuple(events)


def _check_exchange_error(
    exchange: HTTP11Exchange, error: ProtocolError, case: HTTPCase, context: str
) -> tuple[ExchangeEvent, ...]:
    if not isinstance(error, HTTPProtocolError | HeadersTooLarge):
        raise _violation(
            "a", f"receive() raised {error!r}, not HTTPProtocolError/HeadersTooLarge", context
        )
    if isinstance(error, HeadersTooLarge) and (
        error.limit != "max_header_size" or error.value != case.max_header_size
    ):
        raise _violation(
            "a",
            f"HeadersTooLarge names {error.limit}={error.value}, "
            f"not max_header_size={case.max_header_size}",
            context,
        )
    completed = error.completed
    if type(completed) is not tuple:
        raise _violation("a", f"exc.completed is {type(completed).__name__}, not tuple", context)
    _check_events(completed, context)
    if exchange.state is not ExchangeState.ERROR or exchange.error is not error:
        raise _violation(
            "a", f"after {error!r}: state {exchange.state}, error {exchange.error!r}", context
        )
    for again in (b"", b"HTTP/1.1 200 OK\r\n\r\n"):
        try:
            result = exchange.receive(again)
        except ProtocolError as exc:
            if type(exc) is not type(error):
                raise _violation(
                    "a", f"receive({again!r}) after {error!r} raised {exc!r}", context
                ) from exc
        except Exception as exc:
            raise _violation(
                "a", f"receive({again!r}) after {error!r} raised {exc!r}", context
            ) from exc
        else:
            raise _violation(
                "a", f"receive({again!r}) after {error!r} returned {result!r}", context
            )
    return completed


def run_exchange(case: HTTPCase, chunks: Sequence[bytes]) -> ExchangeOutcome:
    """Feed ``chunks`` (then ``b""`` if ``case.eof``), checking invariant (a) on the way."""
    context = f"{case.describe()} chunks={_short(list(chunks), 300)}"
    exchange = HTTP11Exchange(
        "HEAD" if case.head else "GET", _URL, max_header_size=case.max_header_size
    )
    calls: list[tuple[ExchangeEvent, ...]] = []
    states: list[ExchangeState] = []
    error: type[ProtocolError] | None = None
    for data in [*chunks, b""] if case.eof else chunks:
        try:
            got = exchange.receive(data)
        except ProtocolError as exc:
            calls.append(_check_exchange_error(exchange, exc, case, context))
            states.append(exchange.state)
            error = type(exc)
            break
        except Exception as exc:
            kind = (
                "an h11 exception" if isinstance(exc, h11.ProtocolError) else "not a ProtocolError"
            )
            raise _violation(
                "a", f"receive() raised {type(exc).__name__}: {exc} ({kind})", context
            ) from exc
        calls.append(_check_events(got, context))
        states.append(exchange.state)
    events = [event for call in calls for event in call]
    started = [event for event in events if type(event) is ResponseStarted]
    return ExchangeOutcome(
        started=started[0] if started else None,
        body=b"".join(event.data for event in events if type(event) is BodyChunk),
        complete=any(type(event) is ResponseComplete for event in events),
        error=error,
        state=exchange.state,
        reusable=exchange.reusable,
        calls=tuple(calls),
        states=tuple(states),
    )


def check_exchange_robustness(case: HTTPCase) -> ExchangeOutcome:
    """(a) Events or an HTTPProtocolError/HeadersTooLarge, sound error life cycle.

    Returns the outcome of receiving the whole response in one call.
    """
    return run_exchange(case, [case.stream] if case.stream else [])


def check_exchange_chunking(case: HTTPCase, whole: ExchangeOutcome) -> ExchangeOutcome:
    """(b) A split response gives the same head, body, completion, error and state."""
    chunks = case.chunks()
    split = run_exchange(case, chunks)
    known = _known_body_limit_split(whole, split)
    if split.key() != whole.key() and not (not STRICT and known):
        raise _violation(
            "b",
            f"{len(chunks)} chunks differ from one call\n  chunks:   {split.describe()}\n"
            f"  one call: {whole.describe()}",
            f"{case.describe()} chunks={_short(chunks, 300)}",
        )
    return split


def _known_body_limit_split(whole: ExchangeOutcome, split: ExchangeOutcome) -> bool:
    """The known bug (B2 in the module docstring): a chunk-size line or trailer
    section longer than ``max_header_size`` is refused only when it arrives in
    pieces. The split run then ends in ``HeadersTooLarge`` after the same head,
    with a prefix of the body (the one-call run gets further, or completes)."""
    return (
        split.error is HeadersTooLarge
        and split.started is not None
        and split.started == whole.started
        and whole.body.startswith(split.body)
    )


_RANK = {ResponseStarted: 0, BodyChunk: 1, ResponseComplete: 2}


def check_exchange_order(case: HTTPCase, outcome: ExchangeOutcome) -> None:
    """(c) Started, then bodies, then complete; one BodyChunk per call; state follows."""
    context = f"{case.describe()} events per call={_short(outcome.calls, 400)}"
    rank = -1
    for call, state in zip(outcome.calls, outcome.states, strict=True):
        if sum(type(event) is BodyChunk for event in call) > 1:
            raise _violation("c", f"one call returned several BodyChunks: {_short(call)}", context)
        for event in call:
            new = _RANK[type(event)]
            if new < rank or (new == rank and new != 1) or (new > 0 and rank < 0):
                raise _violation("c", f"{event!r} out of order", context)
            rank = new
        expected = {
            -1: ExchangeState.AWAITING_RESPONSE,
            0: ExchangeState.RECEIVING_BODY,
            1: ExchangeState.RECEIVING_BODY,
            2: ExchangeState.COMPLETE,
        }[rank]
        if state is not ExchangeState.ERROR and state is not expected:
            raise _violation("c", f"state {state.name} after events up to rank {rank}", context)


# -- the chunk decoder --------------------------------------------------------------------


@dataclass(frozen=True)
class DecoderConfig:
    """How to build a ChunkDecoder for a case."""

    malformed: Literal["raise", "skip"]
    heartbeats: bool
    is_error: bool
    sentinel: bool
    max_ignored: int
    max_line_size: int
    max_event_size: int

    @classmethod
    def from_case(cls, case: HTTPCase, malformed: Literal["raise", "skip"]) -> DecoderConfig:
        return cls(
            malformed=malformed,
            heartbeats=case.heartbeats,
            is_error=case.is_error,
            sentinel=case.sentinel,
            max_ignored=case.seed % 4,
            max_line_size=case.max_line_size,
            max_event_size=case.max_event_size,
        )

    def build(self) -> ChunkDecoder:
        return ChunkDecoder(
            is_error=has_error_member if self.is_error else None,
            malformed=self.malformed,
            heartbeats=self.heartbeats,
            sentinel="[DONE]" if self.sentinel else None,
            max_ignored=self.max_ignored,
            max_line_size=self.max_line_size,
            max_event_size=self.max_event_size,
        )


@dataclass(frozen=True)
class DecoderOutcome:
    """What a decoder made of a stream, in terms that must not depend on the split.

    Items are compared by kind and event (a decoded value is a function of its
    event's data, and NaN would make values compare unequal to themselves).
    """

    items: tuple[tuple[str, object], ...]
    error: type[ProtocolError] | None
    state: ChunkState
    skipped: int
    last_skipped: str | None
    ignored: int
    chunks: int
    failure: str | None
    has_payload: bool

    def describe(self) -> str:
        error = None if self.error is None else self.error.__name__
        return (
            f"items={_short(self.items)} error={error} state={self.state.name} "
            f"skipped={self.skipped} last_skipped={_short(self.last_skipped, 100)} "
            f"ignored={self.ignored} chunks={self.chunks} failure={_short(self.failure, 100)} "
            f"has_payload={self.has_payload}"
        )


def _item_key(item: object, config: DecoderConfig, context: str) -> tuple[str, object]:
    if type(item) is JSONChunk:
        return ("chunk", item.event)
    if type(item) is StreamDone:
        return ("done", None)
    if type(item) is Heartbeat and config.heartbeats:
        return ("heartbeat", item.text)
    if type(item) is InBandError and config.is_error:
        return ("error", item.event)
    raise _violation("d", f"unexpected item {_short(item)} ({config})", context)


def run_decoder(config: DecoderConfig, chunks: Sequence[bytes], context: str) -> DecoderOutcome:
    """Feed every chunk then ``close()``, checking invariant (d) on the way."""
    decoder = config.build()
    items: list[tuple[str, object]] = []
    error: type[ProtocolError] | None = None
    for index in range(len(chunks) + 1):
        try:
            got: object = decoder.feed(chunks[index]) if index < len(chunks) else decoder.close()
        except ProtocolError as exc:
            if isinstance(exc, MalformedChunk) and config.malformed != "raise":
                raise _violation(
                    "d", f"MalformedChunk under malformed='skip': {exc!r}", context
                ) from exc
            error = type(exc)
            break
        except Exception as exc:
            raise _violation(
                "d", f"the decoder raised {type(exc).__name__}: {exc}", f"{context} ({config})"
            ) from exc
        if type(got) is not list:
            raise _violation("d", f"a call returned {type(got).__name__}, not list", context)
        items.extend(_item_key(item, config, context) for item in got)
    outcome = decoder.outcome
    if outcome.skipped and config.malformed != "skip":
        raise _violation("d", f"skipped={outcome.skipped} under malformed='raise'", context)
    return DecoderOutcome(
        items=tuple(items),
        error=error,
        state=outcome.state,
        skipped=outcome.skipped,
        last_skipped=outcome.last_skipped,
        ignored=outcome.ignored,
        chunks=outcome.chunks,
        failure=None if outcome.failure is None else outcome.failure.raw,
        has_payload=outcome.error_payload is not None,
    )


def check_decoder_robustness(
    case: HTTPCase, data: bytes
) -> dict[Literal["raise", "skip"], DecoderOutcome]:
    """(d) Items or ProtocolError subclasses under both malformed policies.

    Returns the outcome of one ``feed()`` per policy.
    """
    outcomes: dict[Literal["raise", "skip"], DecoderOutcome] = {}
    for policy in ("raise", "skip"):
        config = DecoderConfig.from_case(case, policy)
        outcomes[policy] = run_decoder(config, [data], f"data={_short(data)} of {case.describe()}")
    return outcomes


def check_decoder_chunking(
    case: HTTPCase, data: bytes, whole: dict[Literal["raise", "skip"], DecoderOutcome]
) -> None:
    """(e) A split stream gives the same items, error and outcome as one ``feed()``."""
    chunks = case.chunks(data)
    context = f"data={_short(data)} chunks={_short(chunks, 300)} of {case.describe()}"
    for policy, expected in whole.items():
        config = DecoderConfig.from_case(case, policy)
        got = run_decoder(config, chunks, context)
        if got != expected:
            raise _violation(
                "e",
                f"{len(chunks)} chunks differ from one feed() ({config})\n"
                f"  chunks:     {got.describe()}\n  one feed(): {expected.describe()}",
                context,
            )


def check_all(case: HTTPCase) -> None:
    """Check every invariant for one case."""
    whole = check_exchange_robustness(case)
    check_exchange_order(case, whole)
    split = check_exchange_chunking(case, whole)
    check_exchange_order(case, split)
    streams = [case.stream]
    if whole.body and whole.body != case.stream:
        streams.append(whole.body)
    for data in streams:
        outcomes = check_decoder_robustness(case, data)
        check_decoder_chunking(case, data, outcomes)
