"""The request flows every adapter runs, as sans-I/O generators.

A flow is a generator that yields operations and receives their results, in
the manner of httpx's ``Auth.auth_flow``: it decides everything (redirects,
whether a response opens a stream, time limits, parsing, reconnection) and
performs nothing. Every adapter runs the same three flows, so the same
server gives the same items and errors whatever the runtime:

- :func:`stream_flow`: one request whose response is an event stream;
- :func:`request_flow`: one request whose whole response body is returned;
- :func:`subscribe_flow`: an EventSource subscription that reconnects, built
  on :class:`~sseproto.EventSourceMachine`.

The operations a flow yields, and what the runner must send back::

    operation        perform                                   send back
    SendRequest      send the request, read the response head  Head, or TimedOut
    ReadBody         read the next bytes of the response body  bytes (b"" at the
                                                               end), None if timed out
    CloseResponse    release the response (reuse or close)     None
    Sleep            wait that many seconds                    None
    Opened, Emit     hand to the user (the stream is open;     None
                     items)

A failure of ``SendRequest`` or ``ReadBody`` is thrown into the flow as the
adapter's :class:`~sseproto.adapters.TransportError` (or an HTTP error of
``_http11.py``). A flow that raises, or that the runner closes, leaves its
response to the runner, which must close it (a flow never yields while an
exception propagates, so closing a flow is always safe).

The httpx adapters perform these operations with httpx; the blocking,
asyncio and trio adapters lower them first to connection-level operations
with :class:`~sseproto.adapters._pool.HTTP11Flow`.

Flows read a clock only through the ``clock`` they are given (the runtime's
monotonic clock), so tests drive them with a fake one.
"""

from __future__ import annotations

import random as _random
import re
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeAlias, Union
from urllib.parse import urljoin, urlsplit

import sseproto
from sseproto._events import Event
from sseproto._parser import DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_LINE_SIZE, EventStreamParser, Item
from sseproto._reconnect import (
    Closed,
    Connect,
    Deliver,
    EventSourceMachine,
    Failed,
    Opened,
    ReconnectPolicy,
    ResponseRejected,
    Wait,
    _judge,
)

from ._errors import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_ERROR_BODY,
    DEFAULT_MAX_REDIRECTS,
    MAX_LOCATION_SIZE,
    BodyTooLarge,
    ConnectTimeout,
    EventTimeout,
    InsecureRedirect,
    InvalidRedirect,
    ReadTimeout,
    RedirectError,
    Timeout,
    Timeouts,
    TooManyRedirects,
    TotalTimeout,
    TransportError,
    UnexpectedContentEncoding,
)
from ._http11 import _BAD_URL_CHARS, _build_request, _parse_url

__all__ = [
    "USER_AGENT",
    "CloseResponse",
    "Drain",
    "Emit",
    "Head",
    "Operation",
    "ReadBody",
    "Response",
    "SendRequest",
    "Sleep",
    "StreamOpened",
    "TimedOut",
    "check_request",
    "request_flow",
    "smallest",
    "stream_flow",
    "subscribe_flow",
]

#: The ``User-Agent`` sent when the caller gives none.
USER_AGENT: Final = f"sseproto/{sseproto.__version__}"

Headers: TypeAlias = tuple[tuple[str, str], ...]

# Redirects (RFC 9110 section 15.4): these statuses with a Location are followed.
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
# Headers that must not follow a redirect to another origin (credentials).
_CREDENTIALS: Final = frozenset({"authorization", "cookie", "proxy-authorization"})
# Headers that describe a body, dropped when a redirect turns the request into a GET.
_BODY_HEADERS: Final = frozenset({"content-type", "content-length", "content-encoding"})
# Sent unless the caller asks otherwise: no adapter decodes a content coding
# (httpx would ask for gzip and decode it, the others could not), so every
# adapter asks for the body as it is and reads the same bytes.
_IDENTITY: Final = ("Accept-Encoding", "identity")
# User information in a URL ("//user:password@host"), removed from messages.
_USERINFO: Final = re.compile(r"//[^/?#]*@")


# -- operations ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendRequest:
    """Send this request and read the response head; send back a :class:`Head`,
    or :class:`TimedOut` if ``connect_timeout`` (while connecting) or
    ``timeout`` (after) passed."""

    method: str
    url: str
    headers: Headers
    body: bytes | None
    connect_timeout: float | None
    timeout: float | None
    #: The longest single wait the body's reads will allow (the read limit,
    #: or the event limit if smaller), for a runtime that takes one read
    #: limit per request, such as httpx; others use each ``ReadBody.timeout``.
    body_timeout: float | None = None
    #: The clock time (of the flow's ``clock``) by which the head must have
    #: arrived: the total limit's deadline, ``None`` without one. Every wait
    #: (connecting, sending, each receive of the head, 1xx responses
    #: included) is cut to it, however the bytes trickle in; past it the
    #: result is :class:`TimedOut`.
    deadline: float | None = None


@dataclass(frozen=True, slots=True)
class Head:
    """A response head, the result of :class:`SendRequest`."""

    status: int
    reason: str
    headers: Headers
    http_version: str = "1.1"


@dataclass(frozen=True, slots=True)
class TimedOut:
    """The result of a :class:`SendRequest` whose time ran out;
    ``connecting`` tells whether the connection was being made."""

    connecting: bool


@dataclass(frozen=True, slots=True)
class ReadBody:
    """Read the next bytes of the response body within ``timeout`` seconds
    (``None``: no limit); send back the bytes, ``b""`` at the end of the body,
    or ``None`` if the time ran out."""

    timeout: float | None
    #: The clock time (of the flow's ``clock``) past which no wait of this
    #: read may last: the nearer of the event and total deadlines, ``None``
    #: without either. A runtime that receives bytes carrying no body (chunk
    #: framing) and waits again cuts that wait to it, and sends back
    #: ``None`` once it passed.
    deadline: float | None = None


@dataclass(frozen=True, slots=True)
class CloseResponse:
    """Release the current response: a connection whose response was read to
    its end may be reused, any other is closed."""


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait ``seconds`` (a reconnection delay)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class StreamOpened:
    """The stream is open: hand the response's ``url`` and ``head`` to the user."""

    url: str
    head: Head


@dataclass(frozen=True, slots=True)
class Emit(Generic[Item]):
    """Hand these items to the user, in order."""

    items: list[Item]


@dataclass(frozen=True, slots=True)
class Drain:
    """Not an operation but the value a caller sends back into
    :func:`stream_flow` at an :class:`Emit`: no more items are wanted. The
    flow reads what is left of the body, discarding it, for at most
    ``timeout`` seconds and ``max_bytes`` bytes; a body that ends within
    that bound leaves its connection reusable, any other is closed. Then the
    flow returns."""

    timeout: float
    max_bytes: int


#: How long :meth:`EventStream.drain` waits, by default, for the rest of a
#: body whose events are no longer wanted (the end of a chunked body
#: normally follows its last event at once).
DEFAULT_DRAIN_TIMEOUT: Final = 0.1

#: How many bytes :meth:`EventStream.drain` reads, by default, before it
#: gives the connection up instead.
DEFAULT_DRAIN_MAX_BYTES: Final = 65536


Operation: TypeAlias = Union[  # noqa: UP007 (a generic alias needs Union on 3.11)
    SendRequest, ReadBody, CloseResponse, Sleep, StreamOpened, Emit[Any]
]


@dataclass(frozen=True, slots=True)
class Response:
    """A whole HTTP response, as ``request()`` returns it.

    ``headers`` are ``(name, value)`` pairs in the order received, names
    lowercase; :meth:`header` looks one up. ``url`` is the URL that answered
    (after redirects).
    """

    status: int
    reason: str
    headers: Headers
    body: bytes
    url: str
    http_version: str = "1.1"

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case); several are joined with
        ``", "``; ``None`` when absent."""
        return header_value(self.headers, name)


def header_value(headers: Headers, name: str) -> str | None:
    """The value of header ``name`` (any case) among ``headers``; several are
    joined with ``", "``; ``None`` when absent."""
    wanted = name.lower()
    values = [value for key, value in headers if key.lower() == wanted]
    return ", ".join(values) if values else None


# -- time limits -----------------------------------------------------------------

#: A wait that ends this close before a deadline is blamed on it: clocks and
#: event loops may wake a hair early, and a wait cut to a deadline computes
#: the time left with float arithmetic.
_DEADLINE_SLACK: Final = 1e-3


def smallest(*limits: float | None) -> float | None:
    """The smallest of ``limits`` that are not ``None`` (``None``: no limit)."""
    known = [limit for limit in limits if limit is not None]
    return min(known) if known else None


class _Deadlines:
    """The deadlines of one request, from :class:`Timeouts` and a clock."""

    __slots__ = (
        "_clock",
        "_event_deadline",
        "_events",
        "_nearest",
        "_timeouts",
        "_total_deadline",
    )

    def __init__(self, timeouts: Timeouts, clock: Callable[[], float]) -> None:
        self._timeouts = timeouts
        self._clock = clock
        now = clock()
        self._total_deadline = None if timeouts.total is None else now + timeouts.total
        self._event_deadline: float | None = None
        # Which limit the last wait was cut to: the one to blame if it
        # passes and neither deadline has; and whether it counted events.
        self._nearest: type[Timeout] = ReadTimeout
        self._events = False

    def start_events(self) -> None:
        """The stream opened, or an event arrived: the event limit starts over."""
        if self._timeouts.event is not None:
            self._event_deadline = self._clock() + self._timeouts.event

    def body_timeout(self, *, events: bool) -> float | None:
        """The smallest per-read limit of the body: read, and event if counted."""
        return smallest(self._timeouts.read, self._timeouts.event if events else None)

    def deadline(self, *, events: bool = False) -> float | None:
        """The clock time no wait may pass: the total deadline, and the
        event deadline if counted, whichever is nearer."""
        return smallest(self._total_deadline, self._event_deadline if events else None)

    def read(self, *, events: bool = False) -> ReadBody:
        """The next body read: its wait, cut to the deadlines, and the deadline."""
        return ReadBody(self.read_timeout(events=events), self.deadline(events=events))

    def connect_timeout(self) -> float | None:
        return self._wait(self._timeouts.connect, ConnectTimeout, events=False)

    def read_timeout(self, *, events: bool = False) -> float | None:
        return self._wait(self._timeouts.read, ReadTimeout, events=events)

    def _wait(self, limit: float | None, kind: type[Timeout], *, events: bool) -> float | None:
        """How long the next wait may last, remembering which limit cuts it."""
        now = self._clock()
        best = limit
        self._nearest = kind
        self._events = events
        if events and self._event_deadline is not None:
            left = self._event_deadline - now
            if best is None or left < best:
                best, self._nearest = left, EventTimeout
        if self._total_deadline is not None:
            left = self._total_deadline - now
            if best is None or left < best:
                best, self._nearest = left, TotalTimeout
        if best is not None and best <= 0:
            raise self.expired()
        return best

    def expired(self) -> Timeout:
        """The error for a wait that ran out: the total or event limit if
        its deadline has passed by the clock (a runtime may have cut a wait
        short to it after bytes arrived), else the limit the wait was cut to."""
        now = self._clock() + _DEADLINE_SLACK
        kind = self._nearest
        if self._total_deadline is not None and now >= self._total_deadline:
            kind = TotalTimeout
        elif self._events and self._event_deadline is not None and now >= self._event_deadline:
            kind = EventTimeout
        timeouts = self._timeouts
        if kind is TotalTimeout:
            limit = timeouts.total
            what = "the request took longer than the total limit"
        elif kind is EventTimeout:
            limit = timeouts.event
            what = "no event arrived within the event limit"
        elif kind is ConnectTimeout:
            limit = timeouts.connect
            what = "connecting took longer than the connect limit"
        else:
            limit = timeouts.read
            what = "the server sent nothing within the read limit"
        assert limit is not None
        return kind(f"{what} ({limit:g} s); see Timeouts", limit=limit)


# -- the shared steps ------------------------------------------------------------


def _check_headers(headers: Sequence[tuple[str, str]]) -> Headers:
    pairs = tuple(headers)
    for pair in pairs:
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not isinstance(pair[0], str)
            or not isinstance(pair[1], str)
        ):
            raise TypeError(f"each header must be a (str, str) pair, not {pair!r}")
    return pairs


def check_request(
    method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes | None
) -> Headers:
    """Check a caller's request before anything is sent; return its headers.

    The same checks on every adapter, made by the client methods when they
    are called and by each flow before its first operation: the URL is one
    :class:`~sseproto.adapters.HTTP11Exchange` accepts (absolute ``http``
    or ``https``, ASCII, no spaces, control characters or user
    information), the method and the header names and values can be sent
    (ASCII, no line breaks, names are tokens).

    Raises:
        TypeError: a header is not a ``(str, str)`` pair.
        LocalProtocolError: the URL, method or a header cannot be sent.
    """
    pairs = _check_headers(headers)
    origin, target = _parse_url(url)
    _build_request(method, origin, target, pairs, body)
    return pairs


def _redact(url: str) -> str:
    """``url`` for a message: without user information, query and fragment
    (where secrets travel), and cut to 200 characters."""
    text = _USERINFO.sub("//", url, count=1)
    for mark in "?#":
        head, found, _ = text.partition(mark)
        if found:
            text = f"{head}{mark}..."
    return text if len(text) <= 200 else f"{text[:200]}..."


def _content_coding(head: Head) -> str | None:
    """The response's content codings other than ``identity``, or None."""
    value = header_value(head.headers, "content-encoding")
    if value is None:
        return None
    codings = [part.strip().lower() for part in value.split(",")]
    codings = [coding for coding in codings if coding and coding != "identity"]
    return ", ".join(codings) if codings else None


def _check_coding(head: Head, url: str, headers: Headers, *, stream: bool) -> None:
    """Refuse a body in a content coding the client cannot read: any, for an
    event stream; one the request's ``Accept-Encoding`` did not name, for a
    whole response (returned as it came, for the caller to decode)."""
    coding = _content_coding(head)
    if coding is None:
        return
    if not stream:
        accepted = {
            part.partition(";")[0].strip().lower()
            for part in (header_value(headers, "accept-encoding") or "").split(",")
        }
        if "*" in accepted or accepted.issuperset(coding.split(", ")):
            return
        why = "which the request did not ask for (Accept-Encoding)"
    else:
        why = "and event streams are read only without a content coding"
    raise UnexpectedContentEncoding(
        f"the response from {_redact(url)} has Content-Encoding: {coding}, {why}",
        coding=coding,
    )


def _with_defaults(headers: Headers, defaults: Sequence[tuple[str, str]]) -> Headers:
    """``headers`` plus each default whose name the caller did not give."""
    given = {name.lower() for name, _ in headers}
    return headers + tuple(pair for pair in defaults if pair[0].lower() not in given)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _location(head: Head) -> str | None:
    for name, value in head.headers:
        if name.lower() == "location":
            return value.strip()
    return None


def _redirect_target(url: str, location: str, urls: list[str]) -> str:
    """The URL a redirect from ``url`` to ``location`` leads to.

    Raises:
        InvalidRedirect: ``location`` is not a URL the client can request.
        InsecureRedirect: it leads from ``https`` to ``http``.
    """

    def invalid(why: str) -> InvalidRedirect:
        return InvalidRedirect(
            f"the server at {_redact(url)} redirected to {_redact(location)!r}, {why}; "
            f"the redirect is not followed",
            urls=tuple(urls),
            location=location,
        )

    if not location:
        raise invalid("an empty Location")
    if len(location) > MAX_LOCATION_SIZE:
        raise invalid(f"a Location longer than {MAX_LOCATION_SIZE} characters (MAX_LOCATION_SIZE)")
    if not location.isascii() or _BAD_URL_CHARS.search(location):
        raise invalid("a Location with spaces, control or non-ASCII characters")
    try:
        target = urljoin(url, location).split("#", 1)[0]
        parts = urlsplit(target)
        scheme, username = parts.scheme.lower(), parts.username
    except ValueError as exc:
        raise invalid(f"which does not parse as a URL ({exc})") from exc
    if scheme not in ("http", "https"):
        raise invalid("which is not an http or https URL")
    if username is not None:
        raise invalid("which carries user information")
    try:
        _parse_url(target)
    except sseproto.LocalProtocolError as exc:
        raise invalid("which is not a valid http(s) URL") from exc
    if scheme == "http" and urlsplit(url).scheme.lower() == "https":
        raise InsecureRedirect(
            f"refusing the redirect from {_redact(url)} to {_redact(target)}: it leaves HTTPS "
            f"for plain HTTP, and would send the request (headers and body) unencrypted; "
            f"request the http URL directly to accept that",
            urls=tuple(urls),
            location=location,
        )
    return target


def _send(
    method: str,
    url: str,
    headers: Headers,
    body: bytes | None,
    limits: _Deadlines,
    max_redirects: int,
    *,
    events: bool = False,
) -> Generator[Operation, Any, tuple[str, Head]]:
    """Send the request and follow redirects; return the final URL and head.

    A redirect response is released unread (its connection is then closed,
    not reused). 303, and 301 or 302 after a POST, turn the request into a
    GET without a body (RFC 9110 section 15.4, as browsers do); 307 and 308
    repeat it. Credentials (``Authorization``, ``Cookie``,
    ``Proxy-Authorization``) are not sent to another origin. A ``Location``
    that is not a usable http(s) URL raises :class:`InvalidRedirect`, one
    from https to http :class:`InsecureRedirect`, before any other request.
    """
    urls = [url]
    while True:
        try:
            result = yield SendRequest(
                method,
                url,
                headers,
                body,
                limits.connect_timeout(),
                limits.read_timeout(),
                limits.body_timeout(events=events),
                limits.deadline(),
            )
        except InvalidRedirect as exc:
            # A runtime that parses the Location itself (httpx) reports one
            # it cannot use here, without the response.
            raise InvalidRedirect(
                f"the server at {_redact(url)} redirected to a Location that is not a "
                f"valid http(s) URL; the redirect is not followed",
                urls=tuple(urls),
                location=exc.location,
            ) from exc
        if isinstance(result, TimedOut):
            if result.connecting:
                limits.connect_timeout()  # remember the connect limit as the cause
            raise limits.expired()
        head: Head = result
        location = _location(head) if head.status in _REDIRECTS else None
        if location is None:
            return url, head
        yield CloseResponse()
        if len(urls) > max_redirects:
            raise TooManyRedirects(
                f"the server redirected more than {max_redirects} times "
                f"(max_redirects); last Location: {_redact(location)!r}",
                urls=tuple(urls),
            )
        target = _redirect_target(url, location, urls)
        if _origin(target) != _origin(url):
            headers = tuple(pair for pair in headers if pair[0].lower() not in _CREDENTIALS)
        if head.status == 303 or (head.status in (301, 302) and method == "POST"):
            if method != "HEAD":
                method = "GET"
            body = None
            headers = tuple(pair for pair in headers if pair[0].lower() not in _BODY_HEADERS)
        url = target
        urls.append(url)


def _read_rejected(
    limits: _Deadlines, url: str, head: Head, reason: str, max_error_body: int
) -> Generator[Operation, Any, ResponseRejected]:
    """Read up to ``max_error_body`` bytes of a rejected response's body and
    return the error that describes it."""
    kept = bytearray()
    while len(kept) < max_error_body:
        data = yield limits.read()
        if data is None:
            raise limits.expired()
        if not data:
            break
        kept += data
    yield CloseResponse()
    body = bytes(kept[:max_error_body])
    preview = body[:200].decode("utf-8", "replace")
    return ResponseRejected(
        f"{reason} ({url}); body: {preview!r}",
        status=head.status,
        headers=head.headers,
        body=body,
    )


# -- the three flows -------------------------------------------------------------


def stream_flow(
    method: str,
    url: str,
    *,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    timeouts: Timeouts,
    clock: Callable[[], float],
    comments: bool = False,
    max_line_size: int = DEFAULT_MAX_LINE_SIZE,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    max_error_body: int = DEFAULT_MAX_ERROR_BODY,
) -> Generator[Operation, Any, EventStreamParser[Any]]:
    """One request whose response must be an event stream.

    Yields :class:`StreamOpened` once the response is accepted (status 200,
    ``Content-Type: text/event-stream``), then an :class:`Emit` for each read
    that completed items. Returns the parser when the body ended (its
    ``unterminated`` tells whether an incomplete event was discarded).

    Raises:
        ResponseRejected: any other response (after reading at most
            ``max_error_body`` bytes of its body, which it carries).
        UnexpectedContentEncoding: the stream has a ``Content-Encoding``
            other than ``identity``.
        RedirectError, Timeout, TransportError, HTTP errors: as named.
        TypeError, LocalProtocolError: the request cannot be sent
            (:func:`check_request`), before any operation.
        LineTooLong, EventTooLarge, LimitExceeded: the stream broke a limit,
            after the items completed before it were emitted.
    """
    pairs = _with_defaults(
        check_request(method, url, headers, body),
        [("Accept", "text/event-stream"), _IDENTITY, ("User-Agent", USER_AGENT)],
    )
    parser: EventStreamParser[Any] = EventStreamParser(
        comments=comments, max_line_size=max_line_size, max_event_size=max_event_size
    )
    limits = _Deadlines(timeouts, clock)
    final_url, head = yield from _send(method, url, pairs, body, limits, max_redirects, events=True)
    reason = _judge(head.status, head.headers)
    if reason is not None:
        raise (yield from _read_rejected(limits, final_url, head, reason, max_error_body))
    _check_coding(head, final_url, pairs, stream=True)
    yield StreamOpened(final_url, head)
    limits.start_events()
    feed = parser.feed
    events_only = not comments
    while True:
        data = yield limits.read(events=True)
        if data is None:
            raise limits.expired()
        if not data:
            items = parser.close()
            if items:
                yield Emit(items)
            break
        # A limit error is raised by the feed after the one that returned the
        # items completed before it (the parser defers it), so none is lost.
        items = feed(data)
        if items:
            if events_only or any(type(item) is Event for item in items):
                limits.start_events()
            command = yield Emit(items)
            if command is not None:
                yield from _drain(command, clock)
                return parser
    yield CloseResponse()
    return parser


def _drain(command: Drain, clock: Callable[[], float]) -> Generator[Operation, Any, None]:
    """Read the rest of a body without parsing it, within ``command``'s
    bounds; then release the response (reused only if it ended)."""
    deadline = clock() + command.timeout
    left = command.max_bytes
    try:
        while left >= 0:
            wait = deadline - clock()
            if wait <= 0:
                break
            data = yield ReadBody(wait, deadline)
            if not data:  # the end (b""), or the time ran out (None)
                break
            left -= len(data)
    except (TransportError, sseproto.ProtocolError):
        pass  # a fault after the wanted events: the connection is closed
    yield CloseResponse()


def request_flow(
    method: str,
    url: str,
    *,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    timeouts: Timeouts,
    clock: Callable[[], float],
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
) -> Generator[Operation, Any, Response]:
    """One request; returns the whole :class:`Response`, whatever its status.

    The body is returned as it came: a content coding the request asked for
    in its own ``Accept-Encoding`` header is not decoded (``Content-Encoding``
    says which it is).

    Raises:
        BodyTooLarge: the body passed ``max_body_size`` bytes.
        UnexpectedContentEncoding: a ``Content-Encoding`` the request did
            not ask for.
        RedirectError, Timeout, TransportError, HTTP errors: as named.
        TypeError, LocalProtocolError: the request cannot be sent
            (:func:`check_request`), before any operation.
    """
    pairs = _with_defaults(
        check_request(method, url, headers, body), [_IDENTITY, ("User-Agent", USER_AGENT)]
    )
    limits = _Deadlines(timeouts, clock)
    final_url, head = yield from _send(method, url, pairs, body, limits, max_redirects)
    _check_coding(head, final_url, pairs, stream=False)
    parts = bytearray()
    while True:
        data = yield limits.read()
        if data is None:
            raise limits.expired()
        if not data:
            break
        parts += data
        if len(parts) > max_body_size:
            raise BodyTooLarge(
                f"the response body passed max_body_size ({max_body_size} bytes)",
                limit="max_body_size",
                value=max_body_size,
            )
    yield CloseResponse()
    return Response(
        head.status, head.reason, head.headers, bytes(parts), final_url, head.http_version
    )


def subscribe_flow(
    url: str,
    *,
    headers: Sequence[tuple[str, str]] = (),
    timeouts: Timeouts,
    clock: Callable[[], float],
    last_event_id: str = "",
    policy: ReconnectPolicy | None = None,
    random: Callable[[], float] = _random.random,
    comments: bool = False,
    max_line_size: int = DEFAULT_MAX_LINE_SIZE,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
) -> Generator[Operation, Any, None]:
    """An EventSource subscription to ``url``: GET requests that reconnect
    (after the server's ``retry`` delay, sending ``Last-Event-ID``) whenever
    a connection ends or breaks, as :class:`~sseproto.EventSourceMachine`
    decides. ``timeouts`` apply to each connection; a timeout ends that
    connection and counts as a network error (the machine reconnects).

    Yields :class:`StreamOpened` for each accepted connection, :class:`Emit`
    for items and :class:`Sleep` for each wait. Runs until the machine fails.

    Raises:
        ResponseRejected: a response that cannot start a stream (no reconnect).
        RedirectError, UnexpectedContentEncoding: as for :func:`stream_flow`
            (no reconnect: the server would answer the same again).
        ReconnectGaveUp: the policy's attempts or time ran out.
        LineTooLong, EventTooLarge, LimitExceeded: a stream broke a limit.
        TypeError, LocalProtocolError: the request cannot be sent
            (:func:`check_request`), before any operation.
    """
    extra = check_request("GET", url, headers, None)
    machine: EventSourceMachine[Any] = EventSourceMachine(
        last_event_id=last_event_id,
        headers=[pair for pair in extra if pair[0].lower() != "user-agent"],
        policy=ReconnectPolicy() if policy is None else policy,
        random=random,
        comments=comments,
        max_line_size=max_line_size,
        max_event_size=max_event_size,
    )
    own = [pair for pair in extra if pair[0].lower() == "user-agent"] or [
        ("User-Agent", USER_AGENT)
    ]
    if header_value(extra, "accept-encoding") is None:
        own.insert(0, _IDENTITY)
    actions = machine.start(clock())
    try:
        while actions:
            action = actions.pop(0)
            if isinstance(action, Connect):
                actions = yield from _connection(
                    machine,
                    url,
                    (*action.headers, *own),
                    timeouts,
                    clock,
                    max_redirects,
                )
            elif isinstance(action, Wait):
                yield Sleep(action.seconds)
                actions = machine.wait_over(clock())
            elif isinstance(action, Failed):
                raise action.error
            elif isinstance(action, Closed):
                return
            else:  # pragma: no cover - the machine returns these only from inputs above
                raise AssertionError(f"unexpected action {action!r}")
    finally:
        machine.close()


def _connection(
    machine: EventSourceMachine[Any],
    url: str,
    headers: Headers,
    timeouts: Timeouts,
    clock: Callable[[], float],
    max_redirects: int,
) -> Generator[Operation, Any, list[Any]]:
    """One connection of a subscription; returns the machine's actions after
    it ended (a Wait or Failed)."""
    limits = _Deadlines(timeouts, clock)
    try:
        final_url, head = yield from _send(
            "GET", url, headers, None, limits, max_redirects, events=True
        )
    except (TransportError, sseproto.RemoteProtocolError) as exc:
        if isinstance(exc, RedirectError):
            raise
        return machine.end(clock(), exc)
    if _judge(head.status, head.headers) is None:
        _check_coding(head, final_url, headers, stream=True)
    actions = machine.response(head.status, head.headers, clock())
    pending: list[Any] = []
    try:
        for action in actions:
            if isinstance(action, Opened):
                yield StreamOpened(final_url, head)
                limits.start_events()
        while True:
            data = yield limits.read(events=True)
            if data is None:
                raise limits.expired()
            if not data:
                break
            actions = machine.body(data, clock())
            items = [action.item for action in actions if isinstance(action, Deliver)]
            if items:
                if any(type(item) is Event for item in items):
                    limits.start_events()
                yield Emit(items)
            if actions and isinstance(actions[-1], Failed):
                pending = [actions[-1]]
                break
    except (TransportError, sseproto.RemoteProtocolError) as exc:
        yield CloseResponse()
        return machine.end(clock(), exc)
    yield CloseResponse()
    if pending:
        return pending
    return machine.end(clock())
