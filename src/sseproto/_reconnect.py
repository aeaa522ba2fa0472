"""The WHATWG EventSource processing model (HTML, section 9.2.3 "Processing
model") as a sans-I/O state machine: connection, response check, parsing,
reconnection and failure, returned as actions.

:class:`EventSourceMachine` performs no I/O, never reads a clock and never
draws a random number on its own: the caller passes ``now`` (seconds from a
monotonic clock) to every input and supplies the random source, and each
input returns the list of actions to perform, in order. A pump looks like::

    actions = machine.start(clock())
    # Perform each action: Connect -> send the request with its headers and
    # call response() with the status line and headers; then body() for each
    # chunk of the body and end() when it is over (or the connection broke).
    # Wait -> sleep, then call wait_over(). Deliver -> hand the items to the
    # user. Opened -> tell the user the stream is open. Failed -> close the
    # connection if any and raise the error. Closed -> close the connection.

The transitions (``_TRANSITIONS`` below is the table itself; any call not in
it raises :class:`~sseproto.LocalProtocolError`)::

    state        input                 next state  actions
    IDLE         start()               CONNECTING  [Connect]
    CONNECTING   response(), accepted  OPEN        [Opened]
    CONNECTING   response(), rejected  REJECTING   []
    CONNECTING   response(), retried   WAITING     [Wait]          (*)
    CONNECTING   end()                 WAITING     [Wait]          (*)
    OPEN         body()                OPEN        [Deliver]       (*)
    OPEN         end()                 WAITING     [Wait]          (*)
    OPEN         restart()             CONNECTING  [Connect]
    REJECTING    body()                REJECTING   []              (*)
    REJECTING    end()                 FAILED      [Failed]
    WAITING      wait_over()           CONNECTING  [Connect]
    any other    close()               CLOSED      [Closed]
    CLOSED       close()               CLOSED      []

    (*) A handler that fails the machine for good ends its actions with
        Failed and the machine goes to FAILED instead: end() and a retried
        response() when the policy gives up (ReconnectGaveUp); body() when
        the stream breaks a parser limit (LineTooLong, ...), after the
        items completed before the violation; body() once MAX_ERROR_BODY
        bytes of a rejected response are kept (ResponseRejected).

    A response is *retried* rather than rejected when its status is in the
    policy's ``retry_statuses`` (none by default, as the spec says: any
    status but 200 fails the connection for good). Its body is not read:
    the caller closes the connection and waits, as for a broken one.

Errors this module adds to the tree in ``_errors.py``::

    RemoteProtocolError
    ├── ResponseRejected      status not 200, or Content-Type not text/event-stream
    └── ReconnectGaveUp       the ReconnectPolicy's attempts or time ran out

They are reported as ``Failed(error)`` actions, never raised: the machine
raises only for caller misuse (``LocalProtocolError``, ``ValueError`` and
``TypeError`` as each method documents).
"""

from __future__ import annotations

import email.utils
import enum
import math
import random as _random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Generic, Literal, TypeAlias, Union, overload

from ._errors import LimitExceeded, LocalProtocolError, RemoteProtocolError
from ._events import Comment, Event
from ._fetch import TOKEN, judge_response
from ._parser import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    EventStreamParser,
    Item,
    ParserState,
)

__all__ = [
    "DEFAULT_MAX_DELAY",
    "DEFAULT_MIN_RETRY",
    "DEFAULT_RETRY_DELAY",
    "MAX_ERROR_BODY",
    "RETRYABLE_STATUSES",
    "Action",
    "Closed",
    "Connect",
    "Deliver",
    "EventSourceMachine",
    "EventSourceState",
    "Failed",
    "Opened",
    "ReconnectGaveUp",
    "ReconnectPolicy",
    "ResponseRejected",
    "Wait",
]

#: Default reconnection time in seconds, used until the server sends a valid
#: ``retry`` field. The spec leaves the initial value to the user agent ("a
#: few seconds"); Chromium and WebKit use 3000 ms (``kDefaultReconnectDelay``).
DEFAULT_RETRY_DELAY: Final = 3.0

#: Default ``ReconnectPolicy.max_delay``: 5 minutes. It bounds the backoff and
#: also a server's ``retry`` value, which has no upper bound in the spec.
DEFAULT_MAX_DELAY: Final = 300.0

#: Default ``ReconnectPolicy.min_retry``: 100 ms, the shortest reconnection
#: time a server's ``retry`` field can set. The spec sets no floor, so a
#: server that sends ``retry: 0`` and closes at once would get a new
#: connection as fast as the client can make one (over a thousand a second
#: on loopback); 100 ms holds that to ten a second per subscription while
#: honouring any deliberate fast reconnect (``retry: 100`` and up) unchanged.
DEFAULT_MIN_RETRY: Final = 0.1

#: The most bytes of an error response's body that are kept, wherever one is
#: kept: ``ResponseRejected.body`` (here, and in the flows of
#: :mod:`sseproto.http` by default), and the OpenRouter client's error
#: bodies. 64 KiB: room for any JSON error object, while bounding an HTML
#: error page from a proxy.
MAX_ERROR_BODY: Final = 64 * 1024

#: The statuses a server sends for a fault that may pass: 429 Too Many
#: Requests and every 5xx. ``ReconnectPolicy(retry_statuses=RETRYABLE_STATUSES)``
#: reconnects after them (honouring ``Retry-After``) instead of failing.
RETRYABLE_STATUSES: Final = frozenset({429, *range(500, 600)})

# The headers the machine sets on every request; a caller's headers with the
# reserved names (compared case-insensitively) are dropped.
_ACCEPT: Final = ("Accept", "text/event-stream")
# The spec's request has cache mode "no-store", which Fetch puts on the wire
# as "Cache-Control: no-cache" (HTTP-network-or-cache fetch: "If
# httpRequest's cache mode is "no-store" or "reload" [...] If httpRequest's
# header list does not contain `Cache-Control`, then append
# (`Cache-Control`, `no-cache`)"), as browsers send it. A caller's
# Cache-Control replaces it, as in Fetch.
_CACHE_CONTROL: Final = ("Cache-Control", "no-cache")
_LAST_EVENT_ID: Final = "Last-Event-ID"
_RESERVED: Final = frozenset({"accept", "last-event-id"})

# Fetch's "HTTP token code points": a header name is made of them.
_TOKEN: Final = TOKEN

# How much of a rejected body the error message quotes.
_BODY_PREVIEW: Final = 200


# -- errors --------------------------------------------------------------------


class ResponseRejected(RemoteProtocolError):
    """The server's response cannot start an event stream, so the machine
    fails the connection for good (the spec's "fail the connection"): the
    status was not 200 (204 No Content is how a server tells a client to stop
    reconnecting), or the ``Content-Type`` was missing or not
    ``text/event-stream``.

    The message says which, and quotes the start of the body.
    """

    def __init__(
        self, msg: str, *, status: int, headers: tuple[tuple[str, str], ...], body: bytes
    ) -> None:
        super().__init__(msg)
        #: The response's status code.
        self.status = status
        #: The response's headers, as passed to ``response()``.
        self.headers = headers
        #: The first bytes of the body (at most ``MAX_ERROR_BODY``): what
        #: arrived before ``end()`` or before the limit was reached.
        self.body = body


class ReconnectGaveUp(RemoteProtocolError):
    """The connection kept failing and the :class:`ReconnectPolicy` ran out:
    ``max_attempts`` reconnections in a row, or ``max_elapsed`` seconds,
    without a healthy connection.

    ``__cause__`` is the error passed to the ``end()`` that gave up, if any.
    """

    def __init__(self, msg: str, *, limit: str, attempts: int, elapsed: float) -> None:
        super().__init__(msg)
        #: The policy field that ran out: ``"max_attempts"`` or ``"max_elapsed"``.
        self.limit = limit
        #: Reconnections made since the last healthy connection (or ``start()``).
        self.attempts = attempts
        #: Seconds from the start of the outage (the end of the last healthy
        #: connection, or ``start()``) to the ``end()`` that gave up.
        self.elapsed = elapsed


# -- actions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connect:
    """Open a new connection: send the request for the stream's URL (a
    ``GET``, as a browser does, unless the caller chose another method and
    body) with these headers, then report the response with ``response()``
    (or a failure to get one with ``end()``).

    ``headers`` starts with ``Accept: text/event-stream`` and
    ``Cache-Control: no-cache`` (unless the caller's headers have a
    ``Cache-Control``), then ``Last-Event-ID`` when the last event ID
    is not empty, then the caller's own headers. Values are text; send them
    encoded as UTF-8 (the spec's encoding for ``Last-Event-ID``).
    """

    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Opened:
    """The response was accepted: the stream is open (the spec's "announce the
    connection", a browser's ``open`` event). Nothing to do but tell the user;
    keep reading the body.

    ``head`` is the response that opened the stream when the one reporting it
    knows it: the machine leaves it ``None`` (its caller has the response);
    the flows of :mod:`sseproto.http` put their
    :class:`~sseproto.http.Head` there, final URL included. ``parser`` is
    the parser that reads the body, from a flow that reads one (for its
    ``last_event_id`` and ``retry``); ``None`` from the machine.
    """

    head: Any = None
    parser: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Wait:
    """Sleep ``seconds``, then call ``wait_over()``. The connection is over;
    nothing needs reading meanwhile (a browser fires ``error`` here)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Deliver(Generic[Item]):
    """Hand ``items`` to the user, in order: the
    :class:`~sseproto.Event` items (and :class:`~sseproto.Comment` items when
    the machine was built with ``comments=True``) that one input completed;
    never empty."""

    items: list[Item]


@dataclass(frozen=True, slots=True)
class Failed:
    """The machine failed for good: close the connection if one is open and
    report ``error``. Always the last action of its list; the machine is then
    ``FAILED`` and accepts only ``close()``."""

    error: RemoteProtocolError


@dataclass(frozen=True, slots=True)
class Closed:
    """``close()`` was called: close the connection if one is open."""


Action: TypeAlias = Union[Connect, Opened, Wait, Deliver[Item], Failed, Closed]  # noqa: UP007
# A generic alias needs Union[] (the | form cannot be subscripted on 3.11).
# The alias is public, so it carries a docstring like every exported name.
Action.__doc__ = """What the machine's inputs return: ``Connect``, ``Opened``, ``Wait``,
``Deliver[Item]``, ``Failed`` or ``Closed``."""


# -- policy --------------------------------------------------------------------


def _check_number(name: str, value: object, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconnectPolicy:
    """When to reconnect after a connection ends, and when to give up.

    The wait before reconnection number *n* of a run of failures (*n* = 1
    after a healthy connection, see below, or after the first connection) is::

        t = reconnection_time * multiplier ** (n - 1)
        t = t * (1 + jitter * random())      # only when jitter > 0
        wait = min(t, max_delay)

    where ``reconnection_time`` is the server's latest valid ``retry`` field
    (milliseconds, from any connection so far) in seconds, raised to
    ``min_retry`` if it is below, or ``retry_delay`` before there is one.
    With the defaults (``multiplier=1``, ``jitter=0``) every wait is the
    reconnection time, as in a browser.

    A connection is *healthy* when its response was accepted and it then
    delivered at least one event (comments do not count), or stayed open
    (from ``response()`` to ``end()``) for at least ``healthy_after``
    seconds. When a healthy connection ends, the run of failures starts over:
    the next wait is *n* = 1 again, and the outage that ``max_elapsed``
    measures starts at that ``end()``.

    Arguments:
        retry_delay: the reconnection time in seconds until the server sends
            ``retry``. The caller's own value: ``min_retry`` does not apply.
        min_retry: the shortest reconnection time, in seconds, that a
            server's ``retry`` field can set; a smaller one (``retry: 0``) is
            raised to it, so that a broken or hostile server cannot make the
            client reconnect in a tight loop. 0 honours any value, as the
            spec does. At most ``max_delay``.
        multiplier: exponential backoff factor, ``>= 1``; 1 turns backoff off.
        max_delay: the longest wait, in seconds, ``>= retry_delay``. It also
            caps a server's ``retry`` value: the spec would wait as long as
            the server asks, but the value has no upper bound, so a broken
            server could stall the client for good. Raise it to honour longer
            ``retry`` values.
        jitter: between 0 and 1: each wait is lengthened by up to this
            fraction, at random (before the cap), so that many clients dropped
            at once do not reconnect in step. 0 never calls ``random``.
        healthy_after: seconds a connection must stay open to count as
            healthy without delivering an event; ``None``: only an event makes
            a connection healthy.
        max_attempts: give up when this many reconnections in a row did not
            give a healthy connection and another one ends; 0 never
            reconnects. ``None``: no limit.
        max_elapsed: give up instead of scheduling a reconnection that would
            start more than this many seconds after the outage began (at
            ``start()``, or at the ``end()`` of the last healthy connection).
            ``None``: no limit.
        retry_statuses: response statuses (from 400 to 599) that reconnect
            like a broken connection instead of failing for good, counted
            by ``max_attempts`` and ``max_elapsed`` alike; empty by default,
            as the spec says (any status but 200 fails the connection).
            :data:`RETRYABLE_STATUSES` is 429 and every 5xx. The wait after
            such a response is its ``Retry-After`` when it has a usable
            one, capped by ``max_delay``: a number of seconds, or an HTTP
            date, counted from the response's own ``Date`` header (the
            server's clock, so the client's clock never skews it; a date
            without a ``Date`` header is ignored). Otherwise the wait is
            the usual one above. Any collection of ints is accepted and
            kept as a ``frozenset``.

    Raises:
        ValueError: a value is out of its range (numbers must be finite and
            ``>= 0``, ``max_attempts`` an int, ``retry_statuses`` ints from
            400 to 599).
    """

    retry_delay: float = DEFAULT_RETRY_DELAY
    min_retry: float = DEFAULT_MIN_RETRY
    multiplier: float = 1.0
    max_delay: float = DEFAULT_MAX_DELAY
    jitter: float = 0.0
    healthy_after: float | None = 60.0
    max_attempts: int | None = None
    max_elapsed: float | None = None
    retry_statuses: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        _check_number("retry_delay", self.retry_delay)
        _check_number("min_retry", self.min_retry)
        _check_number("multiplier", self.multiplier)
        _check_number("max_delay", self.max_delay)
        _check_number("jitter", self.jitter)
        _check_number("healthy_after", self.healthy_after, optional=True)
        _check_number("max_elapsed", self.max_elapsed, optional=True)
        if self.multiplier < 1:
            raise ValueError(f"multiplier must be >= 1, not {self.multiplier!r}")
        if self.jitter > 1:
            raise ValueError(f"jitter must be between 0 and 1, not {self.jitter!r}")
        if self.max_delay < self.retry_delay:
            raise ValueError(
                f"max_delay ({self.max_delay!r}) must be >= retry_delay ({self.retry_delay!r})"
            )
        if self.max_delay < self.min_retry:
            raise ValueError(
                f"max_delay ({self.max_delay!r}) must be >= min_retry ({self.min_retry!r})"
            )
        attempts = self.max_attempts
        if attempts is not None and (type(attempts) is not int or attempts < 0):
            raise ValueError(f"max_attempts must be an int >= 0 or None, not {attempts!r}")
        given: object = self.retry_statuses
        if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
            raise ValueError(f"retry_statuses must be a collection of ints, not {given!r}")
        statuses = frozenset(given)
        for status in statuses:
            if type(status) is not int or not 400 <= status <= 599:
                raise ValueError(f"retry_statuses must hold ints from 400 to 599, not {status!r}")
        object.__setattr__(self, "retry_statuses", statuses)


_DEFAULT_POLICY: Final = ReconnectPolicy()


def _retry_after(headers: tuple[tuple[str, str], ...]) -> float | None:
    """The wait a response's ``Retry-After`` asks for, in seconds, or None
    without a usable one (RFC 9110, section 10.2.3: a number of seconds or
    an HTTP date). A date is counted from the response's ``Date`` (the
    server's own clock); without one it is ignored. The last field counts."""
    value = date = None
    for name, field_value in headers:
        lower = name.lower()
        if lower == "retry-after":
            value = field_value.strip()
        elif lower == "date":
            date = field_value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        try:
            return float(int(value))
        except (ValueError, OverflowError):  # more digits than int() converts
            return math.inf
    if date is None:
        return None
    try:
        later = email.utils.parsedate_to_datetime(value)
        sent = email.utils.parsedate_to_datetime(date)
        seconds = (later - sent).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(seconds, 0.0)


# -- the machine -----------------------------------------------------------------


class EventSourceState(enum.Enum):
    """Where an :class:`EventSourceMachine` is in its life (see the transitions
    table in the module docstring)."""

    #: Built; ``start()`` not called yet.
    IDLE = "idle"
    #: A ``Connect`` was returned; waiting for ``response()``, or for
    #: ``end()`` if no response came (a network error).
    CONNECTING = "connecting"
    #: The response was accepted; ``body()`` bytes are parsed into items.
    OPEN = "open"
    #: The response was rejected; ``body()`` bytes are kept (up to
    #: ``MAX_ERROR_BODY``) for the ``ResponseRejected`` error.
    REJECTING = "rejecting"
    #: A ``Wait`` was returned; waiting for ``wait_over()``.
    WAITING = "waiting"
    #: Terminal: failed for good (a ``Failed`` action said why), or a call
    #: broke the rules (the ``LocalProtocolError`` it raised said why).
    #: Only ``close()`` is accepted.
    FAILED = "failed"
    #: Terminal: ``close()`` was called. Only ``close()`` is accepted (and
    #: does nothing).
    CLOSED = "closed"


class _Input(enum.Enum):
    """The machine's inputs: one per public method, ``response()`` split by
    its verdict so that every table entry has one next state."""

    START = "start()"
    RESPONSE_ACCEPTED = "response() with an acceptable response"
    RESPONSE_REJECTED = "response() with a rejected response"
    RESPONSE_RETRIED = "response() with a status the policy retries"
    BODY = "body()"
    END = "end()"
    RESTART = "restart()"
    WAIT_OVER = "wait_over()"
    CLOSE = "close()"


_IDLE: Final = EventSourceState.IDLE
_CONNECTING: Final = EventSourceState.CONNECTING
_OPEN: Final = EventSourceState.OPEN
_REJECTING: Final = EventSourceState.REJECTING
_WAITING: Final = EventSourceState.WAITING
_FAILED: Final = EventSourceState.FAILED
_CLOSED: Final = EventSourceState.CLOSED
_TERMINAL: Final = frozenset({_FAILED, _CLOSED})


def _check_header(name: object, value: object) -> None:
    if not isinstance(name, str) or not name or not _TOKEN.issuperset(name):
        raise ValueError(f"header name must be a non-empty HTTP token, not {name!r}")
    if not isinstance(value, str) or any(c in value for c in "\0\r\n"):
        raise ValueError(f"header value must be a str without NUL, CR or LF: {value!r}")


class EventSourceMachine(Generic[Item]):
    """An EventSource connection as a sans-I/O state machine.

    Each input method takes ``now``, seconds from a monotonic clock (never
    decreasing from one call to the next), and returns the list of actions
    to perform in order (see the module docstring for a pump and the
    transitions table). The machine keeps, across connections, what a
    browser's ``EventSource`` keeps: the last event ID (sent as
    ``Last-Event-ID`` on each new connection) and the reconnection time (set
    by ``retry`` fields). Each accepted connection gets a new
    :class:`~sseproto.EventStreamParser` that starts from the last event ID.

    Arguments:
        last_event_id: the last event ID to start from (sent with the first
            connection already, to resume an earlier stream).
        headers: extra request headers, as ``(name, value)`` pairs, sent
            after the machine's own. ``Accept`` and ``Last-Event-ID`` (any
            case) are the machine's: a caller's header with one of those
            names is dropped. A caller's ``Cache-Control`` replaces the
            machine's ``Cache-Control: no-cache``.
        policy: when to reconnect and when to give up.
        random: returns a float in ``[0, 1]``; called once per wait, and only
            when ``policy.jitter > 0``.
        comments: also deliver comment lines, as ``Deliver(Comment(...))``.
        max_line_size, max_event_size: the limits for each connection's
            parser (see :class:`~sseproto.EventStreamParser`). A stream that
            breaks one fails the machine for good: a server that sends such a
            stream once will likely do it again.

    Raises:
        ValueError: ``last_event_id`` contains NUL, CR or LF; a header is not
            a ``(str, str)`` pair with a token name and a value without NUL,
            CR or LF; a limit is not a positive int.
    """

    __slots__ = (
        "_comments",
        "_events",
        "_failure",
        "_headers",
        "_last_error",
        "_last_event_id",
        "_limits",
        "_now",
        "_opened_at",
        "_outage_start",
        "_own",
        "_parser",
        "_policy",
        "_random",
        "_reconnections",
        "_rejected",
        "_rejected_body",
        "_retry_delay",
        "_state",
    )

    @overload
    def __init__(
        self: EventSourceMachine[Event],
        *,
        last_event_id: str = "",
        headers: Iterable[tuple[str, str]] = (),
        policy: ReconnectPolicy = _DEFAULT_POLICY,
        random: Callable[[], float] = _random.random,
        comments: Literal[False] = False,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> None: ...

    @overload
    def __init__(
        self: EventSourceMachine[Event | Comment],
        *,
        last_event_id: str = "",
        headers: Iterable[tuple[str, str]] = (),
        policy: ReconnectPolicy = _DEFAULT_POLICY,
        random: Callable[[], float] = _random.random,
        comments: bool,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> None: ...

    def __init__(
        self,
        *,
        last_event_id: str = "",
        headers: Iterable[tuple[str, str]] = (),
        policy: ReconnectPolicy = _DEFAULT_POLICY,
        random: Callable[[], float] = _random.random,
        comments: bool = False,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> None:
        # A parser built now checks the limits and the last event ID exactly
        # as each connection's parser will.
        EventStreamParser(
            max_line_size=max_line_size,
            max_event_size=max_event_size,
            last_event_id=last_event_id,
        )
        if not isinstance(policy, ReconnectPolicy):
            raise ValueError(f"policy must be a ReconnectPolicy, not {policy!r}")
        extra: list[tuple[str, str]] = []
        for pair in headers:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise ValueError(f"each header must be a (name, value) pair, not {pair!r}")
            _check_header(*pair)
            if pair[0].lower() not in _RESERVED:
                extra.append(pair)
        self._headers = tuple(extra)
        given = {name.lower() for name, _ in extra}
        self._own = (_ACCEPT,) if "cache-control" in given else (_ACCEPT, _CACHE_CONTROL)
        self._policy = policy
        self._random = random
        self._comments = bool(comments)
        self._limits = (max_line_size, max_event_size)
        self._state = _IDLE
        self._now = -math.inf
        self._last_event_id = last_event_id
        self._retry_delay = float(policy.retry_delay)
        self._parser: EventStreamParser[Item] | None = None
        # The current connection: when its response was accepted and how
        # many events it delivered (for "healthy", see ReconnectPolicy).
        self._opened_at = 0.0
        self._events = 0
        # The current run of failures: when the outage began and how many
        # reconnections were made since.
        self._outage_start = 0.0
        self._reconnections = 0
        # A rejected response: the reason, status and headers, and its body.
        self._rejected: tuple[str, int, tuple[tuple[str, str], ...]] | None = None
        self._rejected_body = bytearray()
        self._failure: RemoteProtocolError | None = None
        self._last_error: BaseException | None = None

    # -- public read-only state ------------------------------------------------

    @property
    def state(self) -> EventSourceState:
        """The current :class:`EventSourceState`."""
        return self._state

    @property
    def last_event_id(self) -> str:
        """The last event ID string: the constructor's value until a stream
        commits an ``id`` field (at the blank line ending its block; an ``id``
        in a block cut off by the end of a connection never counts). It
        persists across connections, and an empty ``id`` resets it to ``""``.
        """
        return self._last_event_id

    @property
    def retry_delay(self) -> float:
        """The reconnection time in seconds: the latest valid ``retry`` field
        from any connection (milliseconds / 1000, ``math.inf`` for a value
        too large for a float, ``policy.min_retry`` for a smaller one), or
        ``policy.retry_delay`` before there is one.
        The waits are derived from it (see :class:`ReconnectPolicy`)."""
        return self._retry_delay

    @property
    def reconnections(self) -> int:
        """Reconnections made in the current run of failures: since the last
        healthy connection ended (or ``start()``), counting the one under
        way. What ``max_attempts`` limits; 0 before the first reconnection."""
        return self._reconnections

    @property
    def last_error(self) -> BaseException | None:
        """Why the latest connection ended: the ``error`` given to ``end()``
        (``None`` for a body that ended cleanly), or the
        :class:`ResponseRejected` of a status the policy retries. ``None``
        before any connection ended."""
        return self._last_error

    # -- inputs -------------------------------------------------------------------

    def start(self, now: float) -> list[Action[Item]]:
        """Begin: return ``[Connect(headers)]`` for the first connection.

        Raises:
            LocalProtocolError: not in state ``IDLE``, or ``now`` is invalid
                (see ``response()``).
        """
        return self._process(_Input.START, now)

    def response(
        self, status: int, headers: Iterable[tuple[str, str]], now: float
    ) -> list[Action[Item]]:
        """Report the response to the latest ``Connect``: its status code and
        headers (``(name, value)`` pairs; names compared case-insensitively).

        Status 200 with a ``Content-Type`` whose MIME type essence is
        ``text/event-stream`` (any case, parameters and surrounding
        whitespace ignored; with several values, the last one that parses
        counts, as in Fetch) opens the stream: returns ``[Opened()]`` and the
        machine is ``OPEN``. Anything else returns ``[]`` and the machine is
        ``REJECTING``: feed the body (or as much as you like of it) to
        ``body()`` and then call ``end()``, which returns
        ``[Failed(ResponseRejected)]``; there is no reconnection. Redirects
        are the HTTP layer's business: a 3xx here is rejected like any other
        status.

        A status in the policy's ``retry_statuses`` is retried instead: the
        machine does not want the body (close the connection) and returns
        ``[Wait(seconds)]`` (the response's ``Retry-After``, see
        :class:`ReconnectPolicy`), or ``[Failed(ReconnectGaveUp)]`` if the
        policy has run out, whose ``__cause__`` is the
        :class:`ResponseRejected` (without a body) that describes the
        response.

        Raises:
            LocalProtocolError: not in state ``CONNECTING``; ``status`` is not
                an int from 100 to 999; a header is not a pair of str; ``now``
                is not a finite number or is less than the ``now`` of an
                earlier call. Every ``LocalProtocolError`` from an input moves
                the machine to ``FAILED`` (if it is not ``FAILED`` or
                ``CLOSED`` already).
        """
        pairs = tuple(headers)
        if type(status) is not int or not 100 <= status <= 999:
            raise self._refuse(f"status must be an int from 100 to 999, not {status!r}")
        for pair in pairs:
            if (
                not isinstance(pair, tuple)
                or len(pair) != 2
                or not isinstance(pair[0], str)
                or not isinstance(pair[1], str)
            ):
                raise self._refuse(f"each header must be a (str, str) pair, not {pair!r}")
        reason = judge_response(status, pairs)
        if reason is None:
            verdict = _Input.RESPONSE_ACCEPTED
        elif status in self._policy.retry_statuses:
            verdict = _Input.RESPONSE_RETRIED
        else:
            verdict = _Input.RESPONSE_REJECTED
        return self._process(verdict, now, (reason, status, pairs))

    def body(self, data: bytes | bytearray | memoryview, now: float) -> list[Action[Item]]:
        """Report bytes of the response body, split anywhere.

        In state ``OPEN``: returns one ``Deliver`` with the items these bytes
        completed, in stream order (no ``Deliver`` if they completed none);
        and if the stream broke a parser limit,
        the items completed before the violation followed by
        ``Failed(LineTooLong | EventTooLarge | LimitExceeded)``, with no
        reconnection. In state ``REJECTING``: keeps the bytes for the error
        and returns ``[]``, or ``[Failed(ResponseRejected)]`` once
        ``MAX_ERROR_BODY`` bytes are kept (stop reading then).

        Raises:
            LocalProtocolError: not in state ``OPEN`` or ``REJECTING``, or
                ``now`` is invalid (see ``response()``).
            TypeError: ``data`` is not bytes-like (the state is unchanged).
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"body() takes bytes, not {type(data).__name__}")
        return self._process(_Input.BODY, now, data)

    def end(self, now: float, error: BaseException | None = None) -> list[Action[Item]]:
        """Report that the connection is over: its body ended (``error=None``),
        or it broke, could not be made or was abandoned by the caller (a read
        timeout, say); ``error`` is then the exception, kept as the
        ``__cause__`` of a ``ReconnectGaveUp``.

        In ``CONNECTING`` or ``OPEN``: an incomplete event at the end of the
        body is discarded (its ``id`` is not committed), and the machine
        reconnects: returns ``[Wait(seconds)]`` (see
        :class:`ReconnectPolicy`), or ``[Failed(ReconnectGaveUp)]`` if the
        policy has run out. In ``REJECTING``: returns
        ``[Failed(ResponseRejected)]``.

        Raises:
            LocalProtocolError: not in state ``CONNECTING``, ``OPEN`` or
                ``REJECTING``; ``now`` is invalid (see ``response()``); the
                ``random`` source returned something other than a number
                from 0 to 1.
        """
        return self._process(_Input.END, now, error)

    def restart(self, now: float) -> list[Action[Item]]:
        """Drop the open connection and reconnect at once: returns
        ``[Connect(headers)]`` with the last event ID, without a wait (close
        the current connection first). An incomplete event at the point of
        the restart is discarded, as at ``end()``.

        The caller chose to reconnect, so the policy never refuses it, but
        it counts as a reconnection like any other: if the dropped
        connection was healthy the run of failures starts over (this is
        reconnection 1), otherwise it goes on.

        Raises:
            LocalProtocolError: not in state ``OPEN``, or ``now`` is invalid
                (see ``response()``).
        """
        return self._process(_Input.RESTART, now)

    def wait_over(self, now: float) -> list[Action[Item]]:
        """Report that the ``Wait`` is over: returns ``[Connect(headers)]`` for
        the next connection, with the current last event ID.

        The machine does not check the clock against the wait: calling this
        early reconnects early (for example when the network is known to be
        back).

        Raises:
            LocalProtocolError: not in state ``WAITING``, or ``now`` is invalid
                (see ``response()``).
        """
        return self._process(_Input.WAIT_OVER, now)

    def close(self) -> list[Action[Item]]:
        """Stop for good, whatever the state: returns ``[Closed()]`` and the
        machine is ``CLOSED``; any connection should be closed. Calling
        ``close()`` again returns ``[]``; every other input then raises
        ``LocalProtocolError``. Never raises."""
        return self._process(_Input.CLOSE, None)

    # -- the table's machinery ------------------------------------------------------

    def _process(self, input_: _Input, now: float | None, *args: Any) -> list[Action[Item]]:
        """Look up (state, input) in the table, check ``now``, run the handler
        and move to the table's next state (FAILED if the last action is
        ``Failed``)."""
        state = self._state
        entry = _TRANSITIONS.get((state, input_))
        if entry is None:
            raise self._refuse(
                f"{input_.value} is not allowed in state {state.name}"
            ) from self._failure
        if input_ is not _Input.CLOSE:
            self._advance_clock(now)
        handler, target = entry
        try:
            actions: list[Action[Item]] = handler(self, now, *args)
        except LocalProtocolError:
            self._enter_failed()
            raise
        if actions and isinstance(actions[-1], Failed):
            self._failure = actions[-1].error
            self._state = _FAILED
            self._drop_connection()
        else:
            self._state = target
        return actions

    def _advance_clock(self, now: object) -> None:
        if not isinstance(now, (int, float)) or isinstance(now, bool) or not math.isfinite(now):
            raise self._refuse(f"now must be a finite number of seconds, not {now!r}")
        if now < self._now:
            raise self._refuse(
                f"now went backwards ({now!r} after {self._now!r}); "
                f"pass readings of a monotonic clock"
            )
        self._now = now

    def _refuse(self, msg: str) -> LocalProtocolError:
        """Move to FAILED (unless terminal already) and return the error to raise."""
        self._enter_failed()
        return LocalProtocolError(msg)

    def _enter_failed(self) -> None:
        if self._state not in _TERMINAL:
            self._state = _FAILED
            self._drop_connection()

    def _drop_connection(self) -> None:
        self._parser = None
        self._rejected = None
        self._rejected_body = bytearray()

    # -- handlers, one per table entry (the table says where each leads) ---------

    def _connect(self) -> list[Action[Item]]:
        headers: list[tuple[str, str]] = [*self._own]
        if self._last_event_id:
            # "If the EventSource object's last event ID string is not the
            # empty string, set (`Last-Event-ID`, last event ID string,
            # encoded as UTF-8) in request's header list."
            headers.append((_LAST_EVENT_ID, self._last_event_id))
        return [Connect((*headers, *self._headers))]

    def _on_start(self, now: float) -> list[Action[Item]]:
        self._outage_start = now
        return self._connect()

    def _on_accepted(self, now: float, _response: object) -> list[Action[Item]]:
        # A new parser per connection, resuming from the last event ID (the
        # EventSource object's last event ID string outlives connections).
        # Typed Any: its item type follows `comments` exactly as this
        # machine's does (both are set by the overloads of __init__).
        parser: EventStreamParser[Any] = EventStreamParser(
            comments=self._comments,
            max_line_size=self._limits[0],
            max_event_size=self._limits[1],
            last_event_id=self._last_event_id,
        )
        self._parser = parser
        self._opened_at = now
        self._events = 0
        return [Opened()]

    def _on_rejected(
        self, now: float, response: tuple[str, int, tuple[tuple[str, str], ...]]
    ) -> list[Action[Item]]:
        self._rejected = response
        self._rejected_body = bytearray()
        return []

    def _on_body(self, now: float, data: bytes | bytearray | memoryview) -> list[Action[Item]]:
        parser = self._parser
        assert parser is not None
        try:
            items = parser.feed(data)
        except LimitExceeded as exc:
            self._sync(parser)
            return [Failed(exc)]
        self._sync(parser)
        actions: list[Action[Item]] = []
        if items:
            self._events += sum(1 for item in items if isinstance(item, Event))
            actions.append(Deliver(items))
        if parser.state is ParserState.ERROR:
            # The parser returned the items completed before a limit
            # violation and holds the error for its next call: report it now.
            assert parser.error is not None
            actions.append(Failed(parser.error))
        return actions

    def _on_rejected_body(
        self, now: float, data: bytes | bytearray | memoryview
    ) -> list[Action[Item]]:
        kept = self._rejected_body
        if type(data) is memoryview:
            data = bytes(data)
        kept += data[: MAX_ERROR_BODY - len(kept)]
        if len(kept) >= MAX_ERROR_BODY:
            return [Failed(self._rejection())]
        return []

    def _on_end_connecting(self, now: float, error: BaseException | None) -> list[Action[Item]]:
        # "if res is a network error, then reestablish the connection"
        return self._reestablish(now, error, healthy=False)

    def _on_retried(
        self, now: float, response: tuple[str, int, tuple[tuple[str, str], ...]]
    ) -> list[Action[Item]]:
        reason, status, headers = response
        error = ResponseRejected(
            f"{reason}; retried as the policy's retry_statuses say",
            status=status,
            headers=headers,
            body=b"",
        )
        return self._reestablish(now, error, healthy=False, delay=_retry_after(headers))

    def _on_end_open(self, now: float, error: BaseException | None) -> list[Action[Item]]:
        return self._reestablish(now, error, healthy=self._close_parser(now))

    def _on_restart(self, now: float) -> list[Action[Item]]:
        if self._close_parser(now):
            self._outage_start = now
            self._reconnections = 0
        self._reconnections += 1
        self._last_error = None
        return self._connect()

    def _on_end_rejecting(self, now: float, error: BaseException | None) -> list[Action[Item]]:
        return [Failed(self._rejection())]

    def _on_wait_over(self, now: float) -> list[Action[Item]]:
        return self._connect()

    def _on_close(self, now: None) -> list[Action[Item]]:
        self._drop_connection()
        return [Closed()]

    def _on_close_again(self, now: None) -> list[Action[Item]]:
        return []

    # -- helpers -------------------------------------------------------------------

    def _close_parser(self, now: float) -> bool:
        """End the open connection's parser; return whether the connection
        was healthy (see ReconnectPolicy)."""
        parser = self._parser
        assert parser is not None
        # Discards an unterminated block without committing its id. The
        # parser is OPEN here (a limit error would have failed the machine),
        # so this cannot raise.
        parser.close()
        self._sync(parser)
        self._parser = None
        return self._events > 0 or (
            self._policy.healthy_after is not None
            and now - self._opened_at >= self._policy.healthy_after
        )

    def _sync(self, parser: EventStreamParser[Item]) -> None:
        """Take over what outlives the connection: the last event ID and the
        reconnection time ("set the event stream's reconnection time")."""
        self._last_event_id = parser.last_event_id
        retry = parser.retry
        if retry is not None:
            try:
                delay = retry / 1000
            except OverflowError:
                delay = math.inf
            self._retry_delay = max(delay, self._policy.min_retry)

    def _reestablish(
        self,
        now: float,
        error: BaseException | None,
        *,
        healthy: bool,
        delay: float | None = None,
    ) -> list[Action[Item]]:
        policy = self._policy
        self._last_error = error
        if healthy:
            self._outage_start = now
            self._reconnections = 0
        attempt = self._reconnections + 1
        elapsed = now - self._outage_start
        if policy.max_attempts is not None and attempt > policy.max_attempts:
            return [self._give_up("max_attempts", policy.max_attempts, elapsed, error)]
        wait = self._wait(attempt) if delay is None else min(delay, policy.max_delay)
        if policy.max_elapsed is not None and elapsed + wait > policy.max_elapsed:
            return [self._give_up("max_elapsed", policy.max_elapsed, elapsed, error)]
        self._reconnections = attempt
        return [Wait(wait)]

    def _wait(self, attempt: int) -> float:
        """The wait before reconnection number ``attempt`` (see ReconnectPolicy)."""
        policy = self._policy
        wait = self._retry_delay
        if wait and policy.multiplier != 1 and attempt > 1:
            try:
                wait *= policy.multiplier ** (attempt - 1)
            except OverflowError:
                wait = math.inf
        if policy.jitter:
            draw = self._random()
            if type(draw) not in (int, float) or not 0 <= draw <= 1:
                raise LocalProtocolError(f"random() must return a float from 0 to 1, not {draw!r}")
            wait *= 1 + policy.jitter * draw
        return float(min(wait, policy.max_delay))

    def _give_up(
        self, limit: str, value: float, elapsed: float, error: BaseException | None
    ) -> Failed:
        reconnections = self._reconnections
        failure = ReconnectGaveUp(
            f"gave up reconnecting: {reconnections} reconnection(s) in a row over "
            f"{elapsed:g} s without a healthy connection reached the policy's "
            f"{limit}={value!r}",
            limit=limit,
            attempts=reconnections,
            elapsed=elapsed,
        )
        failure.__cause__ = error
        return Failed(failure)

    def _rejection(self) -> ResponseRejected:
        assert self._rejected is not None
        reason, status, headers = self._rejected
        body = bytes(self._rejected_body)
        if body:
            preview = body[:_BODY_PREVIEW].decode("utf-8", "replace")
            more = "..." if len(body) > _BODY_PREVIEW else ""
            reason = f"{reason}; the body starts: {preview!r}{more}"
        return ResponseRejected(reason, status=status, headers=headers, body=body)


_Handler: TypeAlias = Callable[..., list[Any]]
_M: Final = EventSourceMachine

#: The transitions table: (state, input) -> (handler, next state). A handler
#: returns the actions; if the last one is ``Failed`` the next state is FAILED
#: instead. A pair missing here raises LocalProtocolError and moves to FAILED.
_TRANSITIONS: Final[dict[tuple[EventSourceState, _Input], tuple[_Handler, EventSourceState]]] = {
    (_IDLE, _Input.START): (_M._on_start, _CONNECTING),
    (_CONNECTING, _Input.RESPONSE_ACCEPTED): (_M._on_accepted, _OPEN),
    (_CONNECTING, _Input.RESPONSE_REJECTED): (_M._on_rejected, _REJECTING),
    (_CONNECTING, _Input.RESPONSE_RETRIED): (_M._on_retried, _WAITING),
    (_CONNECTING, _Input.END): (_M._on_end_connecting, _WAITING),
    (_OPEN, _Input.BODY): (_M._on_body, _OPEN),
    (_OPEN, _Input.END): (_M._on_end_open, _WAITING),
    (_OPEN, _Input.RESTART): (_M._on_restart, _CONNECTING),
    (_REJECTING, _Input.BODY): (_M._on_rejected_body, _REJECTING),
    (_REJECTING, _Input.END): (_M._on_end_rejecting, _FAILED),
    (_WAITING, _Input.WAIT_OVER): (_M._on_wait_over, _CONNECTING),
    **{
        (state, _Input.CLOSE): (_M._on_close, _CLOSED)
        for state in EventSourceState
        if state is not _CLOSED
    },
    (_CLOSED, _Input.CLOSE): (_M._on_close_again, _CLOSED),
}
