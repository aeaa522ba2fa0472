"""The request flows every client runs, as sans-I/O generators.

A flow decides everything (redirects, whether a response opens a stream,
time limits, parsing, reconnection) and performs nothing: it yields the
operations of ``_ops.py`` and receives their results. Every runtime runs
the same flows, so the same server gives the same items and errors
whatever the runtime:

- :func:`stream_flow`: one request whose response is an event stream
  (:func:`open_stream` then :func:`read_stream`, for callers that compose
  the two, such as a client that retries the opening);
- :func:`request_flow`: one request whose whole response body is returned;
- :func:`open_download` then :func:`read_download`: one request whose body
  (audio, video, a file) is handed to a ``write`` callable read by read,
  never held whole;
- :func:`subscribe_flow`: an EventSource subscription that reconnects, built
  on :class:`~sseproto.EventSourceMachine`.

Flows read a clock only through the ``clock`` they are given (the runtime's
monotonic clock), so tests drive them with a fake one.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

from sseproto._errors import RemoteProtocolError, SSEError
from sseproto._events import Event
from sseproto._fetch import judge_response
from sseproto._parser import DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_LINE_SIZE, EventStreamParser
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
)

from ._deadlines import Deadlines
from ._decoding import (
    ContentDecoder,
    accept_encoding,
    content_codings,
    decodable,
    decoded,
    decoder_for,
)
from ._errors import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_ERROR_BODY,
    DEFAULT_MAX_REDIRECTS,
    BodyTooLarge,
    ContentDecodingError,
    RedirectError,
    Timeouts,
    TransportError,
)
from ._messages import IDENTITY, USER_AGENT, check_coding, check_request, with_defaults
from ._notices import GaveUp, Notice, Reconnected, Reconnecting
from ._ops import (
    CloseResponse,
    Drain,
    Head,
    Headers,
    Operation,
    ReadBody,
    Response,
    Restart,
    header_value,
)
from ._redirects import send_request

__all__ = [
    "StreamStart",
    "open_download",
    "open_stream",
    "read_download",
    "read_stream",
    "request_flow",
    "stream_flow",
    "subscribe_flow",
]


def _error_decoder(head: Head) -> ContentDecoder | None:
    """The decoder of a rejected response's body: None if it has no content
    coding, or one the client cannot decode (its bytes are kept as they came)."""
    codings = content_codings(head)
    return ContentDecoder(codings) if codings and decodable(codings) else None


def _read_rejected(
    limits: Deadlines, url: str, head: Head, reason: str, max_error_body: int
) -> Generator[Operation, Any, ResponseRejected]:
    """Read up to ``max_error_body`` bytes of a rejected response's body
    (decoded, if it has a content coding the client reads; reading stops
    there, or at a fault of the coded data) and return the error that
    describes it."""
    decoder = _error_decoder(head)
    kept = bytearray()
    received = 0
    while len(kept) < max_error_body and received < max_error_body:
        data = yield limits.read()
        if data is None:
            raise limits.expired()
        received += len(data)
        try:
            for piece in decoded(decoder, data):
                kept += piece
                if len(kept) >= max_error_body:
                    break
        except ContentDecodingError:
            break
        if not data:
            break
    yield CloseResponse()
    body = bytes(kept[:max_error_body])
    preview = body[:200].decode("utf-8", "replace")
    return ResponseRejected(
        f"{reason} ({url}); body: {preview!r}",
        status=head.status,
        headers=head.headers,
        body=body,
    )


@dataclass(slots=True)
class StreamStart:
    """An event stream whose response was accepted, not yet announced: what
    :func:`open_stream` returns and :func:`read_stream` reads. A caller that
    composes flows (retrying the opening, say) holds it in between. A
    download accepted by :func:`open_download` is held in one too, for
    :func:`read_download`."""

    #: The URL that answered (after redirects).
    url: str
    #: The accepted response's head.
    head: Head
    #: The request's deadlines, running since the request began.
    limits: Deadlines
    #: The decoder of the body's content coding (:func:`read_stream` feeds
    #: the parser through it), None if it has none. A download's is always
    #: None: its body is written as it came.
    decoder: ContentDecoder | None = None


def open_stream(
    method: str,
    url: str,
    *,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    timeouts: Timeouts,
    clock: Callable[[], float],
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    max_error_body: int = DEFAULT_MAX_ERROR_BODY,
) -> Generator[Operation, Any, StreamStart]:
    """The first half of :func:`stream_flow`: send the request (following
    redirects) and check that the response can start an event stream;
    return it, unannounced, for :func:`read_stream`. Yields no
    ``Opened``: a caller may still give up and try again.

    Raises:
        ResponseRejected: the status is not 200 or the ``Content-Type`` not
            ``text/event-stream`` (after reading at most ``max_error_body``
            bytes of its body, which it carries).
        UnexpectedContentEncoding: the stream has a ``Content-Encoding``
            the client cannot decode (the ones it decodes, it decodes as
            the body arrives: :func:`read_stream`).
        RedirectError, Timeout, TransportError, HTTP errors: as named.
        TypeError, LocalProtocolError: the request cannot be sent
            (:func:`check_request`), before any operation.
    """
    pairs = with_defaults(
        check_request(method, url, headers, body),
        [("Accept", "text/event-stream"), IDENTITY, ("User-Agent", USER_AGENT)],
    )
    limits = Deadlines(timeouts, clock)
    final_url, head = yield from send_request(
        method, url, pairs, body, limits, max_redirects, events=True
    )
    reason = judge_response(head.status, head.headers)
    if reason is not None:
        raise (yield from _read_rejected(limits, final_url, head, reason, max_error_body))
    decoder = decoder_for(head, final_url, pairs, stream=True)
    return StreamStart(final_url, head, limits, decoder)


def read_stream(
    start: StreamStart,
    *,
    clock: Callable[[], float],
    comments: bool = False,
    max_line_size: int = DEFAULT_MAX_LINE_SIZE,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
) -> Generator[Operation, Any, EventStreamParser[Any]]:
    """The second half of :func:`stream_flow`: announce the opened stream
    (``Opened``, its head carrying the final URL), then parse its body,
    yielding a ``Deliver`` for each read that completed items. Returns the
    parser when the body ended (its ``unterminated`` tells whether an
    incomplete event was discarded), or after a :class:`Drain` sent back at
    a ``Deliver``.

    A body in a content coding is decoded as it arrives (by
    ``start.decoder``); the parser sees the decoded bytes, at most
    :data:`~sseproto.http.DECODE_STEP` of them per feed.

    Raises:
        LineTooLong, EventTooLarge, LimitExceeded: the stream broke a limit,
            after the items completed before it were delivered.
        ContentDecodingError: the coded body is corrupt or cut short, after
            the items decoded before the fault were delivered.
        Timeout, TransportError, HTTP errors: as named.
    """
    parser: EventStreamParser[Any] = EventStreamParser(
        comments=comments, max_line_size=max_line_size, max_event_size=max_event_size
    )
    head = start.head
    limits = start.limits
    yield Opened(Head(head.status, head.reason, head.headers, head.http_version, start.url), parser)
    limits.start_events()
    feed = parser.feed
    events_only = not comments
    decoder = start.decoder
    while True:
        data = yield limits.read(events=True)
        if data is None:
            raise limits.expired()
        for piece in decoded(decoder, data):
            # A limit error is raised by the feed after the one that returned
            # the items completed before it (the parser defers it), so none
            # is lost.
            items = feed(piece)
            if items:
                if events_only or any(type(item) is Event for item in items):
                    limits.start_events()
                command = yield Deliver(items)
                del items
                if command is not None:
                    yield from _drain(command, clock)
                    return parser
        if not data:
            items = parser.close()
            if items:
                yield Deliver(items)
            break
        # Neither the bytes read nor, once handed over, their items stay
        # referenced here while the next read waits: a stream holds one
        # read at a time.
        data = piece = b""
    yield CloseResponse()
    return parser


def _media_type(headers: Headers) -> str:
    """The response's media type, lower-cased, without parameters ("" if none)."""
    value = header_value(headers, "content-type") or ""
    return value.partition(";")[0].strip().lower()


def _accepts(media_type: str, patterns: Sequence[str]) -> bool:
    """Whether ``media_type`` matches one of ``patterns`` (``"audio/*"``,
    ``"video/mp4"``, ``"*/*"``)."""
    major = media_type.partition("/")[0]
    for given in patterns:
        pattern = given.strip().lower()
        if pattern in ("*/*", media_type) or (
            pattern.endswith("/*") and major and pattern[:-2] == major
        ):
            return True
    return False


def open_download(
    method: str,
    url: str,
    *,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    timeouts: Timeouts,
    clock: Callable[[], float],
    media_types: Sequence[str] | None = None,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    max_error_body: int = DEFAULT_MAX_ERROR_BODY,
) -> Generator[Operation, Any, StreamStart]:
    """The first half of a download: send the request (following redirects)
    and check that the response carries the wanted body; return it unread,
    for :func:`read_download`. Yields no ``Opened``: a caller may still give
    up and try again, and the whole download runs with ``run()``.

    A response is accepted when its status is 2xx and, if ``media_types``
    is given, its ``Content-Type`` matches one of them (``"audio/*"``,
    ``"video/mp4"``; ``"*/*"`` matches any): an API that answers a JSON
    error with status 200 is then refused instead of being saved as the
    download.

    Raises:
        ResponseRejected: the status is not 2xx, or the ``Content-Type``
            matches none of ``media_types`` (after reading at most
            ``max_error_body`` bytes of its body, which it carries).
        UnexpectedContentEncoding: a ``Content-Encoding`` the request did
            not ask for in its own ``Accept-Encoding``.
        RedirectError, Timeout, TransportError, HTTP errors: as named.
        TypeError, LocalProtocolError: the request cannot be sent
            (:func:`check_request`), before any operation.
    """
    pairs = with_defaults(
        check_request(method, url, headers, body), [IDENTITY, ("User-Agent", USER_AGENT)]
    )
    limits = Deadlines(timeouts, clock)
    final_url, head = yield from send_request(method, url, pairs, body, limits, max_redirects)
    reason: str | None = None
    if not 200 <= head.status < 300:
        reason = f"the server answered status {head.status}"
    elif media_types is not None and not _accepts(_media_type(head.headers), media_types):
        shown = header_value(head.headers, "content-type")
        reason = f"the response's Content-Type is {shown!r}, not one of {', '.join(media_types)}"
    if reason is not None:
        raise (yield from _read_rejected(limits, final_url, head, reason, max_error_body))
    check_coding(head, final_url, pairs, stream=False)
    return StreamStart(final_url, head, limits)


def read_download(
    start: StreamStart, write: Callable[[bytes], object]
) -> Generator[Operation, Any, int]:
    """The second half of a download: read the accepted response's body and
    call ``write`` with each read's bytes as they arrive, in order (so at
    most one read is held at a time: the runtime's receive size, 64 KiB on
    the socket runtimes); then release the response. Returns the number of
    bytes handed to ``write``.

    ``write`` is called synchronously by whoever runs the flow; what it
    raises ends the flow (the connection is then closed, not reused).

    Raises:
        IncompleteBody, ReadError: the body ended before its announced end
            (the bytes before the cut were handed to ``write``).
        Timeout, TransportError, HTTP errors: as named.
    """
    limits = start.limits
    total = 0
    while True:
        data = yield limits.read()
        if data is None:
            raise limits.expired()
        if not data:
            break
        write(data)
        total += len(data)
    yield CloseResponse()
    return total


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
    """One request whose response must be an event stream:
    :func:`open_stream`, then :func:`read_stream`.

    Yields ``Opened`` once the response is accepted (status 200,
    ``Content-Type: text/event-stream``), then a ``Deliver`` for each read
    that completed items. Returns the parser when the body ended.

    Raises: what :func:`open_stream` and :func:`read_stream` raise.
    """
    start = yield from open_stream(
        method,
        url,
        headers=headers,
        body=body,
        timeouts=timeouts,
        clock=clock,
        max_redirects=max_redirects,
        max_error_body=max_error_body,
    )
    return (
        yield from read_stream(
            start,
            clock=clock,
            comments=comments,
            max_line_size=max_line_size,
            max_event_size=max_event_size,
        )
    )


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
    except SSEError:
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

    Unless the caller gives its own ``Accept-Encoding``, the request asks
    for the codings the client decodes
    (:func:`~sseproto.http.accept_encoding`: ``gzip, deflate``,
    then ``br`` and ``zstd`` if their optional packages are installed).
    A body in any coding the client decodes is decoded as it arrives,
    whatever was asked for; the response's headers are kept as they came
    (``Content-Encoding`` and ``Content-Length`` describe the coded body).
    A coding the client cannot decode but the request asked for in its own
    ``Accept-Encoding`` is returned as it came, for the caller to decode.

    Raises:
        BodyTooLarge: the body, or the decoded body, passed
            ``max_body_size`` bytes (raised while decoding, so a
            decompression bomb is never expanded past the limit by more
            than one step of :data:`~sseproto.http.DECODE_STEP`).
        ContentDecodingError: the coded body is corrupt or cut short.
        UnexpectedContentEncoding: a ``Content-Encoding`` the client cannot
            decode and the request did not ask for.
        RedirectError, Timeout, TransportError, HTTP errors: as named.
        TypeError, LocalProtocolError: the request cannot be sent
            (:func:`check_request`), before any operation.
    """
    defaults = [("Accept-Encoding", accept_encoding()), ("User-Agent", USER_AGENT)]
    pairs = with_defaults(check_request(method, url, headers, body), defaults)
    limits = Deadlines(timeouts, clock)
    final_url, head = yield from send_request(method, url, pairs, body, limits, max_redirects)
    decoder = decoder_for(head, final_url, pairs, stream=False)
    parts = bytearray()
    received = 0
    while True:
        data = yield limits.read()
        if data is None:
            raise limits.expired()
        received += len(data)
        for piece in decoded(decoder, data):
            parts += piece
            if len(parts) > max_body_size:
                raise _too_large(max_body_size, "decoded " if decoder is not None else "")
        if received > max_body_size:
            raise _too_large(max_body_size, "")
        if not data:
            break
    yield CloseResponse()
    return Response(
        head.status, head.reason, head.headers, bytes(parts), final_url, head.http_version
    )


def _too_large(max_body_size: int, which: str) -> BodyTooLarge:
    return BodyTooLarge(
        f"the {which}response body passed max_body_size ({max_body_size} bytes)",
        limit="max_body_size",
        value=max_body_size,
    )


def subscribe_flow(
    url: str,
    *,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    timeouts: Timeouts,
    clock: Callable[[], float],
    last_event_id: str = "",
    policy: ReconnectPolicy | None = None,
    random: Callable[[], float] = _random.random,
    comments: bool = False,
    max_line_size: int = DEFAULT_MAX_LINE_SIZE,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    on_notice: Callable[[Notice], object] | None = None,
) -> Generator[Operation, Any, None]:
    """An EventSource subscription to ``url``: requests that reconnect
    (after the server's ``retry`` delay, sending ``Last-Event-ID``) whenever
    a connection ends or breaks, as :class:`~sseproto.EventSourceMachine`
    decides. Each request is ``method`` (``GET`` by default, as a browser's
    ``EventSource``) with ``body``, the same on every reconnection.
    ``timeouts`` apply to each connection; a timeout ends that
    connection and counts as a network error (the machine reconnects).

    Yields ``Opened`` for each accepted connection, ``Deliver`` for items
    and ``Wait`` for each wait (the machine's own actions). Runs until the machine fails.
    A :class:`~sseproto.http.Restart` sent back at an ``Opened`` or a
    ``Deliver`` closes that connection and reconnects at once (the items
    of that ``Deliver`` are the caller's already).

    ``on_notice``, if given, is called (synchronously, by whoever runs the
    flow) with a :class:`~sseproto.http.Reconnecting` before each wait, a
    :class:`~sseproto.http.Reconnected` when a connection after the first is
    accepted, and a :class:`~sseproto.http.GaveUp` just before the flow
    raises the error that ends it. An exception it raises ends the flow.

    Raises:
        ResponseRejected: a response that cannot start a stream (no reconnect).
        RedirectError, UnexpectedContentEncoding: as for :func:`stream_flow`
            (no reconnect: the server would answer the same again).
        ReconnectGaveUp: the policy's attempts or time ran out.
        LineTooLong, EventTooLarge, LimitExceeded: a stream broke a limit.
        TypeError, LocalProtocolError: the request cannot be sent
            (:func:`check_request`), before any operation.
    """
    extra = check_request(method, url, headers, body)
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
        own.insert(0, IDENTITY)
    notify = _ignore if on_notice is None else on_notice
    actions = machine.start(clock())
    try:
        while actions:
            action = actions.pop(0)
            if isinstance(action, Connect):
                actions = yield from _connection(
                    machine,
                    method,
                    url,
                    (*action.headers, *own),
                    body,
                    timeouts,
                    clock,
                    max_redirects,
                    notify,
                )
            elif isinstance(action, Wait):
                notify(Reconnecting(action.seconds, machine.reconnections, machine.last_error))
                yield action
                actions = machine.wait_over(clock())
            elif isinstance(action, Failed):
                raise action.error
            elif isinstance(action, Closed):
                return
            else:  # pragma: no cover - the machine returns these only from inputs above
                raise AssertionError(f"unexpected action {action!r}")
    except SSEError as exc:
        notify(GaveUp(exc))
        raise
    finally:
        machine.close()


def _ignore(notice: Notice) -> None:
    """The observer of a subscription nobody observes."""


def _connection(
    machine: EventSourceMachine[Any],
    method: str,
    url: str,
    headers: Headers,
    body: bytes | None,
    timeouts: Timeouts,
    clock: Callable[[], float],
    max_redirects: int,
    notify: Callable[[Notice], object],
) -> Generator[Operation, Any, list[Any]]:
    """One connection of a subscription; returns the machine's actions after
    it ended (a Wait or Failed), or restarted (a Connect)."""
    limits = Deadlines(timeouts, clock)
    try:
        final_url, head = yield from send_request(
            method, url, headers, body, limits, max_redirects, events=True
        )
    except (TransportError, RemoteProtocolError) as exc:
        if isinstance(exc, RedirectError):
            raise
        return machine.end(clock(), exc)
    if judge_response(head.status, head.headers) is None:
        decoder = decoder_for(head, final_url, headers, stream=True)
    else:
        # A fault of its coded data ends the body: the machine then fails
        # with the ResponseRejected, keeping what was decoded before.
        decoder = _error_decoder(head)
    actions = machine.response(head.status, head.headers, clock())
    if actions and isinstance(actions[-1], (Wait, Failed)):
        # A status the policy retries: its body is not wanted.
        yield CloseResponse()
        return actions
    pending: list[Any] = []
    restart = False
    try:
        for action in actions:
            if isinstance(action, Opened):
                if machine.reconnections:
                    notify(Reconnected(final_url, machine.reconnections))
                command = yield Opened(
                    Head(head.status, head.reason, head.headers, head.http_version, final_url)
                )
                restart = type(command) is Restart
                limits.start_events()
        while not restart:
            data = yield limits.read(events=True)
            if data is None:
                raise limits.expired()
            for piece in decoded(decoder, data):
                actions = machine.body(piece, clock())
                for action in actions:
                    if type(action) is Deliver:
                        if any(type(item) is Event for item in action.items):
                            limits.start_events()
                        restart = type((yield action)) is Restart
                if actions and isinstance(actions[-1], Failed):
                    pending = [actions[-1]]
                if pending or restart:
                    break
            if pending or not data:
                break
    except (TransportError, RemoteProtocolError) as exc:
        yield CloseResponse()
        return machine.end(clock(), exc)
    yield CloseResponse()
    if pending:
        return pending
    if restart:
        return machine.restart(clock())
    return machine.end(clock())
