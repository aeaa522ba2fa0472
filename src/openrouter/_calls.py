"""What the sync and async clients share: requests, retries and streams, as
sans-I/O code.

Each API call is an :mod:`sseproto.http` flow: :func:`call_flow` runs one
attempt (:func:`sseproto.http.request_flow`, or
:func:`sseproto.http.open_stream` for a stream) as many times as the
:class:`RetryPolicy` allows, waiting between attempts with the same
``Wait`` operation, and returns the parsed result (or the opened stream,
which the caller goes on reading with :func:`sseproto.http.read_stream`).
:class:`OpenRouter` and :class:`AsyncOpenRouter` hand the same flows to
their transport's driver, blocking or awaiting, so they cannot drift
apart.

A stream's decisions (decoding, the outcome, the accumulator, in-band
errors, truncation) live in :class:`StreamCore`; the sync and async stream
objects only pull items from the transport and hand them to it.
"""

from __future__ import annotations

import inspect
import json
import math
import random as _random
from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeAlias, TypeVar

from sseproto import (
    CHAT,
    ChunkDecoder,
    Comment,
    Event,
    Heartbeat,
    InBandError,
    JSONChunk,
    LimitExceeded,
    Outcome,
    ProtocolError,
    ResponseRejected,
    SSEError,
    StreamDone,
    StreamFormat,
)
from sseproto.http import (
    ConnectError,
    ConnectTimeout,
    Operation,
    RedirectError,
    Response,
    Timeout,
    TransportError,
    UnexpectedContentEncoding,
    Wait,
)

from ._errors import (
    MAX_ERROR_BODY,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    HeadersLike,
    OpenRouterError,
    ResponseDecodeError,
    StreamError,
    StreamTimeoutError,
    StreamTruncatedError,
    error_from_payload,
    error_from_response,
    redact_chain,
    redact_value,
)
from ._responses import RateLimit
from ._responses_api import ResponseError

__all__ = [
    "Outcome",
    "RetryPolicy",
    "StreamCore",
    "call_flow",
    "chat_stream_error",
    "event_stream_error",
    "loads",
    "messages_error_from_response",
    "translate_transport_error",
]

T = TypeVar("T")
ItemT = TypeVar("ItemT")

#: Builds the error of a response that did not succeed (``status``,
#: ``headers``, ``body``; the secret to redact): :func:`error_from_response`,
#: or :func:`messages_error_from_response` for the Messages API.
ErrorFromResponse: TypeAlias = Callable[..., APIStatusError]

_OPEN: Final = Outcome.OPEN

# Statuses worth another attempt (OpenRouter's docs: timeouts, rate limits,
# upstream and edge failures).
_RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how a failed request is sent again.

    A request is retried only when no part of a successful response was
    received: on a connection error, or on a response with status 408, 429,
    500, 502, 503, 504, 520, 522, 524 or 529. A 200 whose body is an error
    object is an answer that arrived and is not retried. The wait before attempt *n*
    (1-based) is ``Retry-After`` (or the error's ``availability.retry_after``)
    when the server gave one, up to ``max_delay``; otherwise
    ``min(base_delay * 2 ** (n - 1), max_delay)``, scaled by a random factor
    from ``1 - jitter`` to ``1``.

    A read timeout or a connection that broke after the request was sent
    means the server may have started a generation (each one is billed), so
    a completion request is sent again then only with
    ``retry_after_send=True``; the read-only calls (models, credits, ...)
    always may.

    Arguments:
        max_retries: attempts after the first; 0 turns retries off.
        base_delay, max_delay: seconds.
        jitter: from 0 to 1.
        retry_after_send: see above.
        random: returns a float in ``[0, 1)``.
        on_retry: called with a :class:`RetryNotice` right before each wait,
            in the thread or task making the call (say, to show "429,
            retrying in 2 s (1/2)"); what it raises ends the call instead.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    retry_after_send: bool = False
    random: Callable[[], float] = _random.random
    on_retry: Callable[[RetryNotice], object] | None = None

    def __post_init__(self) -> None:
        if type(self.max_retries) is not int or self.max_retries < 0:
            raise ValueError(f"max_retries must be an int >= 0, not {self.max_retries!r}")
        for name in ("base_delay", "max_delay"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value < math.inf:
                raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter must be from 0 to 1, not {self.jitter!r}")

    def delay(self, attempt: int, hint: float | None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        if hint is not None and hint >= 0:
            return min(hint, self.max_delay)
        wait = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        draw = float(self.random())
        return float(wait * (1 - self.jitter * draw))


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """A failed attempt about to be retried, as :attr:`RetryPolicy.on_retry` sees it."""

    #: The retry about to be made: 1 for the first, up to ``max_retries``.
    attempt: int
    #: The policy's ``max_retries``.
    max_retries: int
    #: Seconds of the wait before it.
    delay: float
    #: Why the attempt failed (an error response, a connection error).
    error: OpenRouterError


# The C scanner json.loads ends in; typeshed does not declare the attribute.
_scan_once: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def loads(data: str) -> Any:
    """``json.loads(data)``, with the same result and the same errors, but
    faster for the common case: one JSON value with no surrounding
    whitespace goes straight to the C scanner; anything else (whitespace,
    trailing data, an error) is left to ``json.loads`` itself."""
    try:
        value, end = _scan_once(data, 0)
    except StopIteration:
        return json.loads(data)
    if end != len(data):
        return json.loads(data)
    return value


def translate_transport_error(exc: BaseException, secret: str | None) -> OpenRouterError:
    """The client's error for a transport or protocol error (raise it ``from exc``).

    ``exc`` and its chain are redacted in place first (:func:`redact_chain`):
    a server's text in them (a header line, a ``Location``, a chunk) may
    quote the key, and a traceback prints every cause.
    """
    redact_chain(exc, secret)
    if isinstance(exc, Timeout):
        return APITimeoutError(f"{type(exc).__name__}: {exc}", secret=secret)
    if isinstance(exc, TransportError):
        cause = f" ({exc.__cause__})" if exc.__cause__ is not None else ""
        return APIConnectionError(f"{type(exc).__name__}: {exc}{cause}", secret=secret)
    return APIConnectionError(f"{type(exc).__name__}: {exc}", secret=secret)


# Faults that sending again cannot mend: a redirect that is refused (unusable,
# insecure, looping) and a content coding nobody asked for.
_FINAL: Final = (RedirectError, UnexpectedContentEncoding)


def _sent(exc: BaseException) -> bool:
    """Whether the request may have reached the server before ``exc``."""
    return not isinstance(exc, (ConnectError, ConnectTimeout))


def call_flow(
    attempt: Callable[[], Generator[Operation, Any, Any]],
    parse: Callable[[Any], T] | None,
    *,
    policy: RetryPolicy,
    secret: str | None,
    generates: bool,
    stream: bool = False,
    errors: ErrorFromResponse = error_from_response,
) -> Generator[Operation, Any, Any]:
    """Run ``attempt()`` (a new flow each time) with retries; return
    ``parse(json_body)`` of its :class:`~sseproto.http.Response`, or, with
    ``stream``, what it returned (the :class:`~sseproto.http.StreamStart`
    of an accepted event stream).

    ``generates`` marks a completion request (see
    :attr:`RetryPolicy.retry_after_send`). ``errors`` builds the exception
    of an error response (the Messages API has its own envelope).

    Raises:
        APIStatusError subclasses: an error response (also a 200 whose body
            is ``{"error": ...}``), after the retries.
        APIConnectionError, APITimeoutError: the transport failed, after
            the retries.
        ResponseDecodeError: a successful body that is not JSON.
    """
    attempts = 0
    while True:
        error: OpenRouterError
        cause: BaseException | None
        try:
            result = yield from attempt()
        except ResponseRejected as exc:
            error = errors(exc.status, exc.headers, exc.body, secret=secret)
            # No cause: the rejection's message quotes the body unredacted (an
            # error body may echo the Authorization header), and a traceback
            # prints the cause. Status, headers and body are all in ``error``.
            cause = None
        except SSEError as exc:
            error = translate_transport_error(exc, secret)
            cause = exc
            if generates and _sent(exc) and not policy.retry_after_send:
                raise error from exc
            if isinstance(exc, _FINAL):
                # The server's own answer, the same on every attempt.
                raise error from exc
        else:
            if stream:
                return result
            response: Response = result
            outcome = _parse_response(response, parse, secret, errors)
            if not isinstance(outcome, APIError):
                return outcome
            error = outcome
            cause = None
        attempts += 1
        if attempts > policy.max_retries or not _retryable(error):
            if cause is None:
                raise error
            raise error from cause
        hint = getattr(error, "retry_after", None)
        delay = policy.delay(attempts, hint)
        if policy.on_retry is not None:
            policy.on_retry(RetryNotice(attempts, policy.max_retries, delay, error))
        yield Wait(delay)


def _retryable(error: OpenRouterError) -> bool:
    # The status of the HTTP response decides, not the code in its body: a
    # 200 whose body is an error is an answer that arrived (is_retryable()
    # classifies errors more broadly, for callers that decide themselves).
    if isinstance(error, APIConnectionError):
        return True
    status = getattr(error, "status", None)
    return status in _RETRY_STATUSES


def _parse_response(
    response: Response,
    parse: Callable[[Any], T] | None,
    secret: str | None,
    errors: ErrorFromResponse = error_from_response,
) -> T | APIError:
    if response.status >= 400:
        return errors(response.status, response.headers, response.body, secret=secret)
    if response.status == 204 and not response.body:
        assert parse is not None
        return parse(None)  # No Content: nothing to decode
    try:
        payload = json.loads(response.body)
    except (ValueError, RecursionError) as exc:
        redact_chain(exc, secret)  # a JSONDecodeError keeps the whole body in ``doc``
        raise ResponseDecodeError(
            f"the {response.status} response body is not JSON",
            status=response.status,
            body=response.body,
            secret=secret,
        ) from exc
    if isinstance(payload, dict) and _is_error_body(payload):
        return errors(response.status, response.headers, response.body, secret=secret)
    assert parse is not None
    return parse(payload)


def _is_error_body(payload: dict[str, Any]) -> bool:
    """Whether a successful body is an error in disguise: an ``error``
    object (OpenRouter's ``{"error": {"code", "message"}}``), or an
    ``error`` string standing alone. An ``error`` string beside other
    members is part of the answer (a failed video job says why it failed)."""
    error = payload.get("error")
    if isinstance(error, dict):
        return True
    return isinstance(error, str) and payload.keys() <= {"error", "code", "message", "status"}


# -- errors of the event formats ------------------------------------------------------


def _error_detail(payload: Any) -> tuple[ResponseError, dict[str, Any]]:
    """The error an event reports, and the object that holds it: a
    ``response.failed`` event's ``response``, else the event itself."""
    obj: dict[str, Any] = payload if type(payload) is dict else {}
    source = obj
    if obj.get("type") == "response.failed" and type(obj.get("response")) is dict:
        source = obj["response"]
    return ResponseError.from_dict(source), source


def _metadata(detail: ResponseError, source: dict[str, Any]) -> dict[str, Any] | None:
    """``error.metadata`` with the canonical ``error_type`` added, or None."""
    inner = source.get("error")
    found = inner.get("metadata") if type(inner) is dict else None
    metadata = dict(found) if type(found) is dict else {}
    if detail.error_type is not None:
        metadata.setdefault("error_type", detail.error_type)
    return metadata or None


def _availability(source: dict[str, Any]) -> dict[str, Any] | None:
    inner = source.get("error")
    found = inner.get("availability") if type(inner) is dict else None
    return found if type(found) is dict else None


def _dumped(payload: Any) -> bytes:
    try:
        return json.dumps(payload, ensure_ascii=False, default=repr).encode("utf-8", "replace")
    except (TypeError, ValueError, RecursionError):
        return b""


def chat_stream_error(
    payload: Any,
    *,
    status: int,
    headers: HeadersLike,
    partial: Any,
    chunks: Sequence[Any],
    secret: str | None,
) -> StreamError:
    """The :class:`StreamError` of a chat or completion stream's in-band
    error chunk (``{"error": {"code", "message", "metadata"}, ...}``)."""
    return error_from_payload(
        payload, status=status, headers=headers, partial=partial, chunks=chunks, secret=secret
    )


def event_stream_error(
    payload: Any,
    *,
    status: int,
    headers: HeadersLike,
    partial: Any,
    chunks: Sequence[Any],
    secret: str | None,
) -> StreamError:
    """The :class:`StreamError` of a Responses or Messages stream's failure:
    an ``error`` event (flat ``code``/``message``, OpenAI's nested
    ``error: {...}``, or Anthropic's ``error: {"type": "overloaded_error",
    ...}``) or a ``response.failed`` event (the error is its response's).
    ``code`` is read as :class:`ResponseError` reads it (Anthropic's error
    ``type`` when nothing else names one); ``error_type`` is OpenRouter's
    canonical type; ``body`` is the event's JSON. Never raises."""
    detail, source = _error_detail(payload)
    generation = source.get("id")
    return StreamError(
        detail.message or "the stream reported an error",
        partial=partial,
        chunks=chunks,
        status=status,
        headers=headers,
        code=detail.code,
        metadata=_metadata(detail, source),
        availability=_availability(source),
        generation_id=generation if type(generation) is str else None,
        body=_dumped(payload),
        secret=secret,
    )


def messages_error_from_response(
    status: int, headers: HeadersLike | None, body: bytes, *, secret: str | None = None
) -> APIStatusError:
    """:func:`error_from_response` for the Messages API, whose error body is
    Anthropic's ``{"type": "error", "error": {"type": "not_found_error",
    "message": ..., "error_type": ...}}``: the class is chosen by the status,
    ``code`` is the error's ``type`` and ``error_type`` OpenRouter's canonical
    type; ``body`` stays the body as sent. Other bodies (OpenRouter's own
    envelope) are read as :func:`error_from_response` reads them. Never raises.
    """
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        payload = None
    inner = payload.get("error") if type(payload) is dict else None
    if type(inner) is not dict or "code" in inner or type(inner.get("type")) is not str:
        return error_from_response(status, headers, body, secret=secret)
    metadata = inner.get("metadata")
    meta: dict[str, Any] = dict(metadata) if type(metadata) is dict else {}
    if type(inner.get("error_type")) is str:
        meta.setdefault("error_type", inner["error_type"])
    # OpenRouter's envelope, with the type as the code: read as every
    # error body is, then the body as sent put back.
    envelope = {**payload, "error": {**inner, "code": inner["type"], "metadata": meta}}
    error = error_from_response(status, headers, _dumped(envelope), secret=secret)
    error.body = redact_value(body, secret)[:MAX_ERROR_BODY]
    return error


# -- streams -------------------------------------------------------------------------


class _Accumulator(Protocol):
    """What a stream's accumulator does: fold each item, build the result."""

    def add(self, item: Any, /) -> None: ...

    def result(self) -> Any: ...


#: Builds the StreamError of an in-band error (see :func:`chat_stream_error`).
StreamErrorBuilder: TypeAlias = Callable[..., StreamError]


class StreamCore(Generic[ItemT]):
    """The decisions of one stream, shared by the sync and async stream
    objects: decode each event by the stream's :class:`~sseproto.StreamFormat`,
    build the typed item, keep the accumulator and the outcome, turn an
    in-band error or a missing end into the right exception.

    One core serves every kind of stream: chat and completions (``CHAT``,
    ``COMPLETIONS``: chunks, ``[DONE]``), the Responses API (``RESPONSES``:
    typed events ending with ``response.completed``) and the Messages API
    (``MESSAGES``: named events ending with ``message_stop``). A kind is the
    triple (``format``, ``item`` builder, ``accumulator``), plus ``error``,
    which builds the :class:`StreamError` of its error events.

    The response's ``status`` and ``headers`` are given by :meth:`open` once
    the stream opened (or to the constructor, for a core read by hand).
    With ``awaits=True`` (the async faces) an ``on_heartbeat`` that returns
    an awaitable leaves it in :attr:`pending`, for the stream to await; the
    blocking faces refuse one (``TypeError``).
    """

    __slots__ = (
        "_add",
        "_awaits",
        "_chunk",
        "_decode",
        "_decoder",
        "_end",
        "_error",
        "_secret",
        "accumulator",
        "chunks",
        "error",
        "headers",
        "heartbeats",
        "is_open",
        "on_heartbeat",
        "outcome",
        "pending",
        "status",
    )

    def __init__(
        self,
        chunk: Callable[[Any], ItemT],
        accumulator: _Accumulator,
        *,
        format: StreamFormat = CHAT,
        error: StreamErrorBuilder = chat_stream_error,
        status: int = 0,
        headers: tuple[tuple[str, str], ...] = (),
        secret: str | None,
        on_heartbeat: Callable[[str], Awaitable[None] | None] | None,
        keep_chunks: bool = False,
        awaits: bool = False,
    ) -> None:
        self._chunk: Callable[[Any], ItemT] = chunk
        self._decoder = ChunkDecoder(format=format, loads=loads, heartbeats=True)
        self._decode = self._decoder.feed_item
        self._add = accumulator.add
        self._error = error
        # What the stream lacked when it ends early: its end marker.
        self._end = format.sentinel or "its terminal event"
        self._secret = secret
        self._awaits = awaits
        #: Every item so far, merged (see ``ChatCompletionAccumulator``,
        #: ``ResponsesAccumulator``, ``MessagesAccumulator``).
        self.accumulator = accumulator
        self.status = status
        self.headers = headers
        #: Whether :meth:`open` gave the response's status and headers.
        self.is_open = False
        self.on_heartbeat = on_heartbeat
        #: What the latest ``on_heartbeat`` call returned to await (async faces).
        self.pending: Awaitable[None] | None = None
        #: Heartbeats (keepalive comments, Messages ``ping`` events) so far.
        self.heartbeats = 0
        self.outcome: Outcome = _OPEN
        #: The error that ended the stream, raised again on every later read.
        self.error: OpenRouterError | None = None
        #: Every item so far, when the caller asked to keep them (else None).
        # (Typed as Any: an error's ``chunks`` is annotated with the chat
        # chunk types, and the event streams' errors carry their events.)
        self.chunks: list[Any] | None = [] if keep_chunks else None

    def open(self, status: int, headers: tuple[tuple[str, str], ...]) -> None:
        """The stream opened with this response status and these headers."""
        self.status = status
        self.headers = headers
        self.is_open = True

    def handle(self, item: Event | Comment) -> ItemT | None:
        """The typed item that ``item`` completes, or None (a heartbeat, or
        ``[DONE]``, after which :attr:`outcome` is ``"completed"``). A
        terminal event (``response.completed``, ``message_stop``) is an item
        too: it is returned with :attr:`outcome` already ``"completed"``.

        Raises:
            StreamError: the item is an in-band error. The item that
                carried it is folded into the accumulator first, so
                ``partial`` (and :meth:`result`) hold it and everything
                before it, the billed ``usage`` it may carry included.
            APIConnectionError: the stream broke the protocol.
            TypeError: a blocking face's ``on_heartbeat`` returned an
                awaitable (it is closed, never left un-awaited).

        Once the outcome is decided (the end, an error, a cancel), items
        are ignored and the outcome stays; the error is kept in
        :attr:`error`.
        """
        if self.outcome is not _OPEN:
            return None
        try:
            entry = self._decode(item)
        except ProtocolError as exc:
            self.outcome = Outcome.FAILED
            error = self.error = translate_transport_error(exc, self._secret)
            raise error from exc
        kind = type(entry)
        if kind is JSONChunk:
            value = entry.value  # type: ignore[union-attr]
            chunk = self._chunk(value if type(value) is dict else {})
            self._add(chunk)
            if self.chunks is not None:
                self.chunks.append(chunk)
            return chunk
        if kind is Heartbeat:
            self.heartbeats += 1
            if self.on_heartbeat is not None:
                self._called(self.on_heartbeat(entry.text))  # type: ignore[union-attr]
        elif kind is StreamDone:
            self.outcome = Outcome.COMPLETED
            value = entry.value  # type: ignore[union-attr]
            if value is not None:
                # A terminal event: the last item of the stream.
                chunk = self._chunk(value if type(value) is dict else {})
                self._add(chunk)
                if self.chunks is not None:
                    self.chunks.append(chunk)
                return chunk
        elif kind is InBandError:
            self.outcome = Outcome.ERRORED
            payload = entry.payload  # type: ignore[union-attr]
            if self._secret:
                # Server text about an error: the key is never repeated.
                payload = redact_value(payload, self._secret)
            chunk = self._chunk(payload if type(payload) is dict else {})
            self._add(chunk)
            if self.chunks is not None:
                self.chunks.append(chunk)
            error = self.error = self._error(
                payload,
                status=self.status,
                headers=self.headers,
                partial=self.accumulator.result(),
                chunks=[chunk] if self.chunks is None else self.chunks,
                secret=self._secret,
            )
            raise error
        return None

    def _called(self, result: Awaitable[None] | None) -> None:
        """What ``on_heartbeat`` returned: an awaitable is left for an async
        face to await, and refused by a blocking one."""
        if result is None or not inspect.isawaitable(result):
            return
        if self._awaits:
            self.pending = result
            return
        close = getattr(result, "close", None)
        if close is not None:
            close()
        raise TypeError(
            "on_heartbeat returned an awaitable: OpenRouter (blocking) cannot await it; "
            "pass a plain function, or use AsyncOpenRouter"
        )

    def end(self) -> None:
        """The body ended. Raises StreamTruncatedError without ``[DONE]``
        (and, once it did, raises the stream's error again)."""
        if self.error is not None:
            raise self.error
        if self.outcome is not _OPEN:
            return
        try:
            self._decoder.close()
        except ProtocolError as exc:
            self.outcome = Outcome.FAILED
            error = self.error = translate_transport_error(exc, self._secret)
            raise error from exc
        self.outcome = Outcome.TRUNCATED
        error = self.error = StreamTruncatedError(
            f"the stream ended before {self._end}: the response is incomplete",
            partial=self.accumulator.result(),
            chunks=self.chunks or (),
            secret=self._secret,
        )
        raise error

    def broke(self, exc: BaseException) -> OpenRouterError:
        """The error for a failure of the transport in the middle of the
        stream: a line or event over the parser's limits fails the stream
        (outcome ``"failed"``); anything else cut it short (``"truncated"``).
        It is kept in :attr:`error`, unless an earlier one decided the stream.
        ``exc`` is redacted in place (raise the result ``from exc``)."""
        redact_chain(exc, self._secret)
        if self.error is not None:
            return self.error
        error: OpenRouterError
        if isinstance(exc, LimitExceeded):
            if self.outcome is _OPEN:
                self.outcome = Outcome.FAILED
            error = translate_transport_error(exc, self._secret)
        else:
            if self.outcome is _OPEN:
                self.outcome = Outcome.TRUNCATED
            if isinstance(exc, Timeout):
                error = StreamTimeoutError(
                    f"{type(exc).__name__}: {exc}",
                    partial=self.accumulator.result(),
                    chunks=self.chunks or (),
                    secret=self._secret,
                )
            else:
                error = StreamTruncatedError(
                    f"the connection broke before {self._end}: {type(exc).__name__}: {exc}",
                    partial=self.accumulator.result(),
                    chunks=self.chunks or (),
                    secret=self._secret,
                )
        self.error = error
        return error

    def cancel(self) -> None:
        """The caller closed the stream."""
        if self.outcome is _OPEN:
            self.outcome = Outcome.CANCELLED


def rate_limit(headers: tuple[tuple[str, str], ...]) -> RateLimit | None:
    """The rate limit of the ``X-RateLimit-*`` headers (the type of
    :attr:`KeyInfo.rate_limit`), or ``None`` when the response has none."""
    return RateLimit.from_headers(headers)
