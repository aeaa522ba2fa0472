"""Exceptions raised by the OpenRouter client, and the rules that build them.

The tree::

    OpenRouterError                     base of everything this package raises
    ├── ConfigurationError              a setting the client cannot use (also a ValueError)
    │   ├── MissingAPIKeyError          no key given, none in OPENROUTER_API_KEY
    │   ├── InvalidAPIKeyError          whitespace, control or non-ASCII characters in the key
    │   └── InvalidBaseURLError         not an http(s) URL with a host
    ├── NoResponseError                 no valid response came back
    │   ├── APIConnectionError          could not connect, or the connection broke
    │   │   ├── APITimeoutError         a connect / read timeout expired
    │   │   │   └── StreamTimeoutError  ... in the middle of a stream (has ``partial``)
    │   │   └── StreamTruncatedError    a stream ended before its end marker (has ``partial``)
    │   └── ResponseDecodeError         a 2xx body that is not the JSON expected
    └── APIError                        the server answered with an error
        ├── APIStatusError              an error response, any status (alias: RequestError)
        │   ├── BadRequestError             400
        │   ├── AuthenticationError         401
        │   ├── PaymentRequiredError        402  (alias: InsufficientCreditsError)
        │   ├── PermissionDeniedError       403  moderation, guardrail
        │   ├── NotFoundError               404
        │   ├── RequestTimeoutError         408
        │   ├── PayloadTooLargeError        413
        │   ├── UnprocessableEntityError    422
        │   ├── RateLimitError              429
        │   └── InternalServerError         5xx
        │       ├── BadGatewayError             502  model down / invalid upstream answer
        │       ├── ServiceUnavailableError     503  no provider meets the routing rules
        │       ├── EdgeTimeoutError            524  Cloudflare gave up waiting
        │       └── ProviderOverloadedError     529
        └── StreamError                 an error object sent inside a 200 stream (has ``partial``)

gopenrouter's names: its ``*RequestError`` (an error status, with
``HTTPStatusCode`` and ``Body``) is :class:`APIStatusError`, also exported
as :data:`RequestError`, with ``status`` and ``body``; its ``*APIError``
(the body's ``code``, ``message`` and ``metadata``) is :class:`APIError`;
a network error is :class:`APIConnectionError`.

Every :class:`APIError` carries ``status``, ``headers``, ``code`` (int, str or
``None``: OpenRouter documents numbers, providers relay strings),
``message``, ``metadata``, ``error_type``, ``availability``,
``retry_after``, ``generation_id``, ``request_id``, ``provider_name`` and a
bounded copy of the ``body``.

:func:`error_from_response` turns a non-2xx response (or a 2xx response whose
body is ``{"error": ...}``) into the right :class:`APIStatusError` subclass;
:func:`error_from_payload` turns an in-band error chunk into a
:class:`StreamError`; :func:`is_retryable` says which errors are worth
another attempt.

Secrets. The client passes its API key as ``secret`` to everything here,
and the rule is:

* Never shown. ``str()``, ``repr()``, a full traceback
  (``traceback.format_exception``, what ``logger.exception`` writes) and
  the attributes documented as safe to log (``message``, ``headers``,
  ``body``, ``metadata``, ``code``, ``error_type``, ``provider_name``,
  ``availability``, ``generation_id``, ``request_id``) show neither the key
  nor its JSON, Python, percent or HTML escapes (see :func:`redact`). The
  exceptions chained below a client error (the transport's, h11's, httpx's,
  a ``JSONDecodeError``) are redacted in place by :func:`redact_chain`,
  keeping their types, so that ``__cause__`` and ``__context__`` carry no
  secret either; a response rejected before a stream opened chains
  nothing (its body is in the error).
* Exact elsewhere. A body is parsed before anything is redacted, and the
  redaction only replaces a secret's occurrences with :data:`REDACTED`:
  ``metadata``, ``availability`` and the parsed ``body`` are the server's
  values except there. A key shorter than :data:`SHORT_SECRET` characters
  (a placeholder such as ``"test"``) is replaced only as a whole token,
  so it never changes the words or model IDs around it; real keys
  (``sk-or-v1-`` and 64 hex digits) are replaced wherever they occur.
* Not error text. ``partial`` and ``chunks`` are the answer as streamed,
  the same data the caller iterated; they are not redacted.
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import functools
import html
import http
import json
import math
import re
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, TypeAlias

import sseproto

from ._responses import ChatCompletion, ChatCompletionChunk, Completion, CompletionChunk

__all__ = [
    "MAX_ERROR_BODY",
    "REDACTED",
    "RETRYABLE_CODES",
    "SHORT_SECRET",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "ConfigurationError",
    "EdgeTimeoutError",
    "InsufficientCreditsError",
    "InternalServerError",
    "InvalidAPIKeyError",
    "InvalidBaseURLError",
    "NoResponseError",
    "NotFoundError",
    "OpenRouterError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ProviderOverloadedError",
    "RateLimitError",
    "RequestError",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "ServiceUnavailableError",
    "StreamError",
    "StreamTimeoutError",
    "StreamTruncatedError",
    "UnprocessableEntityError",
    "check_api_key",
    "check_base_url",
    "error_from_payload",
    "error_from_response",
    "is_retryable",
    "parse_retry_after",
    "redact",
    "redact_chain",
]

#: How many bytes of an error body an exception keeps in ``body``: the
#: project's one bound on kept error bodies, :data:`sseproto.MAX_ERROR_BODY`.
#: Error bodies are small JSON objects; an HTML error page from a proxy can be
#: tens of kilobytes, and nobody needs all of it in memory or in a log.
MAX_ERROR_BODY: Final = sseproto.MAX_ERROR_BODY

#: What :func:`redact` puts in place of a secret.
REDACTED: Final = "[REDACTED]"

#: Secrets shorter than this (placeholders such as ``"test"``; a real key is
#: ``sk-or-v1-`` and 64 hex digits) are redacted only as whole tokens, so
#: that redacting one never changes the words around it.
SHORT_SECRET: Final = 16

# How many characters of a message ``str(exc)`` shows, and how many of a
# non-JSON body become the message.
_MAX_SHOWN: Final = 300
_MAX_EXCERPT: Final = 200
# How much of an HTML page is searched for its title (keeps the regexes bounded).
_MAX_HTML_SCAN: Final = 16 * 1024

Headers: TypeAlias = tuple[tuple[str, str], ...]
HeadersLike: TypeAlias = (
    Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]]
)
Partial: TypeAlias = ChatCompletion | Completion
Chunk: TypeAlias = ChatCompletionChunk | CompletionChunk

# What a stream error's ``partial`` and ``chunks`` hold, by stream kind. The
# defaults (PEP 696) are the chat types, so a bare ``StreamError`` is typed as
# before; the defaults exist for type checkers only (typing.TypeVar takes
# ``default`` from Python 3.13, and typing_extensions is not a dependency).
if TYPE_CHECKING:
    from typing_extensions import TypeVar

    PartialT_co = TypeVar("PartialT_co", covariant=True, default=Partial)
    ChunkT_co = TypeVar("ChunkT_co", covariant=True, default=Chunk)
else:
    from typing import TypeVar

    PartialT_co = TypeVar("PartialT_co", covariant=True)
    ChunkT_co = TypeVar("ChunkT_co", covariant=True)

# An OpenRouter key (``sk-or-v1-`` and 64 hex digits) or a bearer token
# (RFC 6750: the credential after ``Bearer ``; one with a digit, so that
# prose such as "Bearer authentication" stays): redacted even when the caller
# did not say which secret to look for.
_SECRET_SOURCE: Final = (
    r"(?i:sk-or-[A-Za-z0-9]+-[A-Za-z0-9]{16,}"
    r"|(?<=Bearer )(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{8,})"
)
# The characters a token is made of: a short secret is redacted only where
# neither neighbour is one of them (see SHORT_SECRET). A full stop after it
# counts only when more of the token follows ("test." ends a sentence,
# "test.1" is a longer name).
_TOKEN_BEFORE: Final = r"(?<![\w.~+/:@-])"
_TOKEN_AFTER: Final = r"(?![\w~+/:@-]|\.\w)"
_WHITESPACE: Final = re.compile(r"\s+")
_HTML_TITLE: Final = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HTML_DROP: Final = re.compile(
    r"<(script|style)[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_HTML_TAG: Final = re.compile(r"<[^>]*>")
_DELTA_SECONDS: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)

# Headers that identify a request for the provider's support staff, in order
# of preference.
_REQUEST_ID_HEADERS: Final = ("x-request-id", "request-id", "x-openrouter-request-id", "cf-ray")

# Reason phrases for the statuses ``http.HTTPStatus`` does not know.
_EXTRA_PHRASES: Final = {
    520: "Web Server Returned an Unknown Error",
    521: "Web Server Is Down",
    522: "Connection Timed Out",
    523: "Origin Is Unreachable",
    524: "A Timeout Occurred",
    529: "Provider Overloaded",
}


def redact(text: str, secret: str | None = None) -> str:
    """Return ``text`` with ``secret`` and anything shaped like an API key replaced.

    What is replaced, each by :data:`REDACTED` (the rule of the module
    docstring, "Secrets"):

    * ``secret`` (the client's API key), written plainly or with any of its
      characters escaped as a server or a log line may write them: JSON
      (``\\u002d``, ``\\/``), Python (``\\x2d``, doubled backslashes),
      percent-encoding (``%2D``) or HTML (``&#45;``, ``&#x2d;``). A secret
      of at least :data:`SHORT_SECRET` characters is replaced wherever it
      occurs; a shorter one (a test placeholder such as ``"test"``) only as
      a whole token, where neither neighbour is a letter, digit or one of
      ``_.~+/:@-`` (a full stop after it only when a letter or digit
      follows), so that ``"message"`` never becomes ``"mess[REDACTED]ge"``
      and ``"test-model"`` stays;
    * any ``sk-or-...`` key, and the credential after ``Bearer `` (8
      characters or more, at least one a digit), as a safety net for
      secrets the caller did not name.

    Nothing else changes. An empty or ``None`` secret only applies the
    patterns. Never raises.
    """
    return _secret_pattern(secret or "").sub(REDACTED, text)


def _redact_bytes(data: bytes, secret: str | None) -> bytes:
    """:func:`redact` for bytes (the secret's UTF-8 form and its escapes)."""
    return _secret_pattern_bytes(secret or "").sub(REDACTED.encode(), data)


def _char_forms(char: str) -> str:
    """A regex for one character of a secret, plainly or escaped."""
    code = ord(char)
    forms = [re.escape(char), r"\\+u" + _hex(f"{code:04x}")]
    if code < 0x100:
        forms.append(r"\\+x" + _hex(f"{code:02x}"))
    forms.append("".join("%" + _hex(f"{b:02x}") for b in char.encode("utf-8", "surrogatepass")))
    if char in "/\\\"'":
        forms.append(r"\\+" + re.escape(char))
    # An HTML character reference, decimal or hex (an error page's text).
    forms.append(f"&#0*{code};|&#[xX]0*{_hex(f'{code:x}')};")
    if char in _SHORT_ESCAPES:
        forms.append(r"\\+" + _SHORT_ESCAPES[char])
    return "(?:" + "|".join(forms) + ")"


# JSON's and Python's one-letter escapes of control characters.
_SHORT_ESCAPES: Final = {"\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t"}


def _hex(digits: str) -> str:
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)


@functools.lru_cache(maxsize=8)
def _secret_source(secret: str) -> str:
    if not secret:
        return _SECRET_SOURCE
    key = "".join(_char_forms(char) for char in secret)
    if len(secret) < SHORT_SECRET:
        key = f"{_TOKEN_BEFORE}{key}{_TOKEN_AFTER}"
    return f"{key}|{_SECRET_SOURCE}"


@functools.lru_cache(maxsize=8)
def _secret_pattern(secret: str) -> re.Pattern[str]:
    return re.compile(_secret_source(secret))


@functools.lru_cache(maxsize=8)
def _secret_pattern_bytes(secret: str) -> re.Pattern[bytes]:
    return re.compile(_secret_source(secret).encode("utf-8", "surrogatepass"))


# -- exception chains ------------------------------------------------------------

# How many chained exceptions redact_chain follows before it cuts the chain.
_MAX_CHAIN: Final = 32

# Attributes of built-in exceptions that hold text outside ``args`` (OSError,
# UnicodeError, SyntaxError, json.JSONDecodeError).
_TEXT_SLOTS: Final = ("strerror", "filename", "filename2", "object", "reason", "msg", "doc", "text")


class _RedactedException(Exception):
    """Stands in for a chained exception whose text could not be redacted in
    place; its message names the original type."""


def redact_chain(exc: BaseException, secret: str | None) -> BaseException:
    """Redact ``exc`` and every exception chained to it, in place; return ``exc``.

    For each exception in the chain (``__cause__``, and ``__context__`` when
    a traceback would show it): its ``args``, the text and bytes in its
    attributes (containers included) and its notes go through :func:`redact`.
    An exception whose ``str()`` or ``repr()`` still shows a secret
    afterwards (a ``__str__`` that reads elsewhere) is replaced in the
    chain by a stand-in that carries its type's name and its redacted text;
    ``exc`` itself is always kept. A context that a traceback hides
    (``__suppress_context__``) is replaced by the cause, so that no link
    keeps unredacted text. The chain is cut after 32 links. Never raises.
    The client calls this on every exception it chains below its own.
    """
    _redact_link(exc, secret, set(), 0, keep=True)
    return exc


def _redact_link(
    exc: BaseException, secret: str | None, seen: set[int], depth: int, *, keep: bool
) -> BaseException:
    if id(exc) in seen:
        return exc
    seen.add(id(exc))
    _redact_in_place(exc, secret)
    cause, context = exc.__cause__, exc.__context__
    with contextlib.suppress(Exception):
        if depth >= _MAX_CHAIN:
            exc.__cause__ = exc.__context__ = None
        else:
            if cause is not None:
                exc.__cause__ = _redact_link(cause, secret, seen, depth + 1, keep=False)
            if exc.__suppress_context__ or context is cause:
                exc.__context__ = exc.__cause__
            elif context is not None:
                exc.__context__ = _redact_link(context, secret, seen, depth + 1, keep=False)
    if keep or not _shows_secret(exc, secret):
        return exc
    stand_in = _RedactedException(
        f"{type(exc).__module__}.{type(exc).__qualname__}: {redact(_text(exc, str), secret)}"
    )
    stand_in.__cause__ = exc.__cause__
    stand_in.__suppress_context__ = True
    stand_in.__traceback__ = exc.__traceback__
    return stand_in


def _redact_in_place(exc: BaseException, secret: str | None) -> None:
    with contextlib.suppress(Exception):
        exc.args = redact_value(exc.args, secret)
    for name, value in list(getattr(exc, "__dict__", {}).items()):
        with contextlib.suppress(Exception):
            setattr(exc, name, redact_value(value, secret))
    for name in _TEXT_SLOTS:
        with contextlib.suppress(Exception):
            value = getattr(exc, name)
            if isinstance(value, str | bytes):
                setattr(exc, name, redact_value(value, secret))
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            _redact_in_place(inner, secret)


def _text(exc: BaseException, show: Any) -> str:
    try:
        return str(show(exc))
    except Exception:  # a broken __str__ shows nothing
        return ""


def _shows_secret(exc: BaseException, secret: str | None) -> bool:
    pattern = _secret_pattern(secret or "")
    texts = [_text(exc, str), _text(exc, repr)]
    if isinstance(exc, BaseExceptionGroup):
        texts += [_text(inner, str) for inner in exc.exceptions]
    return any(pattern.search(text) for text in texts)


def _one_line(text: str, limit: int = _MAX_SHOWN) -> str:
    text = _WHITESPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _phrase(status: int | None) -> str:
    if status is None:
        return "error"
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return _EXTRA_PHRASES.get(status, "error")


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` value (RFC 9110, 10.2.3).

    Accepts delay-seconds (ASCII digits; a decimal fraction is tolerated) and
    an HTTP-date, which is turned into seconds after ``now`` (a Unix time;
    default: the current time). A date in the past gives ``0.0``. Returns
    ``None`` for a missing or unparseable value; never raises.
    """
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        seconds = float(value)
        return seconds if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:  # older Pythons returned None for some bad input
        return None  # type: ignore[unreachable]
    if when.tzinfo is None:
        # "-0000" means UTC with no claim about local time (RFC 5322 3.3).
        when = when.replace(tzinfo=datetime.UTC)
    try:
        delay = when.timestamp() - (time.time() if now is None else now)
    except (OverflowError, ValueError, OSError):
        return None
    return max(0.0, delay)


def _seconds(v: object) -> float | None:
    if type(v) is int or type(v) is float:
        f = float(v)
        return f if math.isfinite(f) and f >= 0 else None
    if type(v) is str:
        return parse_retry_after(v)
    return None


def _normalize_headers(headers: HeadersLike | None, secret: str | None) -> Headers:
    if not headers:
        return ()
    items: Iterable[tuple[Any, Any]] = headers.items() if isinstance(headers, Mapping) else headers
    out = []
    for name, value in items:
        n = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        v = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        out.append((redact(n, secret), redact(v, secret)))
    return tuple(out)


def _header(headers: Headers, name: str) -> str | None:
    name = name.lower()
    for n, v in headers:
        if n.lower() == name:
            return v
    return None


def _excerpt(text: str, secret: str | None) -> str:
    """A short readable message from a body that is not the JSON error shape.

    Redacted before it is cut (a cut could leave part of a secret that no
    longer matches) and again after HTML entities are decoded.
    """
    head = redact(text, secret)[:_MAX_HTML_SCAN]
    stripped = head.lstrip()
    if stripped.startswith("<") or "<html" in head[:512].lower():
        title = _HTML_TITLE.search(head)
        if title is not None and title.group(1).strip():
            head = title.group(1)
        else:
            head = _HTML_TAG.sub(" ", _HTML_DROP.sub(" ", head))
        head = html.unescape(head)
    return _one_line(redact(head, secret), _MAX_EXCERPT)


class OpenRouterError(Exception):
    """Base class of every exception the OpenRouter client raises."""


class ConfigurationError(OpenRouterError, ValueError):
    """The client was given a setting it cannot use (raised by the
    constructor, before any request): see the subclasses."""


class InvalidAPIKeyError(ConfigurationError):
    """The API key holds a character no HTTP header may carry, or that no
    OpenRouter key has: whitespace, a control character or non-ASCII. The
    message says which kind and where, never the key itself."""


class InvalidBaseURLError(ConfigurationError):
    """The base URL is not an ``http://`` or ``https://`` URL with a host
    (no scheme, another scheme, no host, a bad port or IPv6 literal, a
    query or fragment, whitespace or control characters)."""


def check_api_key(key: str) -> None:
    """Raise :class:`InvalidAPIKeyError` unless every character of ``key``
    is visible ASCII (``!`` to ``~``), as in ``sk-or-v1-`` + 64 hex digits.

    The error names the first bad character's kind and position (say, "a
    line break at character 74 of 74": a key read from a file with its
    newline), never the key.
    """
    for index, char in enumerate(key):
        if "!" <= char <= "~":
            continue
        if char in "\r\n":
            kind = "a line break"
        elif char.isspace():
            kind = "whitespace"
        elif not char.isascii():
            kind = "a non-ASCII character"
        else:
            kind = "a control character"
        where = f"character {index + 1} of {len(key)}"
        raise InvalidAPIKeyError(
            f"the API key contains {kind} ({where}); an OpenRouter key is visible ASCII "
            "(sk-or-v1-...): check for a stray space or newline"
        )


def check_base_url(url: str) -> str:
    """Return ``url`` without trailing slashes, or raise
    :class:`InvalidBaseURLError` naming the problem.

    Accepted: ``http://`` or ``https://`` (any case), a host, an optional
    port from 0 to 65535 and a path; no query, fragment, whitespace or
    control characters.
    """
    shown = redact(repr(url))
    if any(not char.isprintable() or char.isspace() for char in url):
        raise InvalidBaseURLError(f"base_url {shown} contains whitespace or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - read for the ValueError of a bad port
    except ValueError as exc:
        raise InvalidBaseURLError(f"base_url {shown} is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if "://" not in url:
        raise InvalidBaseURLError(
            f"base_url {shown} has no scheme: write it as http://... or https://..."
        )
    if scheme not in ("http", "https"):
        raise InvalidBaseURLError(
            f"base_url {shown} has the scheme {parts.scheme!r}: only http and https are supported"
        )
    if not parts.hostname:
        raise InvalidBaseURLError(f"base_url {shown} has no host")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise InvalidBaseURLError(f"base_url {shown} has a query or fragment; give the API root")
    return url.rstrip("/")


# -- no valid response ------------------------------------------------------------------


class NoResponseError(OpenRouterError):
    """No valid response came back: the request failed before an answer was
    read, or the answer could not be read.

    Raise it with ``raise NoResponseError(...) from exc`` so the underlying
    error stays in ``__cause__``. (This is not gopenrouter's ``RequestError``,
    which is an error status: see :data:`RequestError`.)
    """


class APIConnectionError(NoResponseError):
    """Connecting failed, or the connection broke before the response was complete."""

    def __init__(self, message: str = "connection error", *, secret: str | None = None) -> None:
        super().__init__(_one_line(redact(message, secret)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.args[0]!r})"


class APITimeoutError(APIConnectionError):
    """A connect, read or total timeout expired."""

    def __init__(self, message: str = "request timed out", *, secret: str | None = None) -> None:
        super().__init__(message, secret=secret)


class _CarriesPartial(Generic[PartialT_co, ChunkT_co]):
    """What a broken stream had delivered: set by the client before raising.

    Generic in what the stream kind delivers (see :class:`StreamError`); a
    bare annotation means the chat types.
    """

    #: The response assembled from the chunks received (an accumulator's
    #: ``result()``), or ``None`` when the client did not keep one.
    partial: PartialT_co | None
    #: The chunks received before the failure, if the client kept them.
    chunks: tuple[ChunkT_co, ...]

    @property
    def partial_text(self) -> str:
        """The text so far: a chat completion's first choice ``content``, a
        text completion's first ``text``, a Responses answer's
        ``output_text``, a Messages answer's ``text``; ``""`` when there is
        none (and for an image generation)."""
        p: object = self.partial
        if isinstance(p, ChatCompletion):
            return (p.choices[0].message.content or "") if p.choices else ""
        if isinstance(p, Completion):
            return (p.choices[0].text or "") if p.choices else ""
        # The event streams' answers (Response, AnthropicMessage), read by
        # name: their modules build on this one.
        for name in ("output_text", "text"):
            text = getattr(p, name, None)
            if type(text) is str:
                return text
        return ""


class StreamTimeoutError(_CarriesPartial[PartialT_co, ChunkT_co], APITimeoutError):
    """A time limit passed in the middle of a stream, after it opened.

    ``partial`` and ``chunks`` hold what arrived before the limit passed,
    typed by stream kind as :class:`StreamError` says.
    """

    def __init__(
        self,
        message: str = "a time limit passed in the middle of the stream",
        *,
        partial: PartialT_co | None = None,
        chunks: Iterable[ChunkT_co] = (),
        secret: str | None = None,
    ) -> None:
        super().__init__(message, secret=secret)
        self.partial = partial
        self.chunks = tuple(chunks)


class StreamTruncatedError(_CarriesPartial[PartialT_co, ChunkT_co], APIConnectionError):
    """The stream ended (cleanly or not) without its ``[DONE]`` sentinel
    (for the event streams, their terminal event).

    ``partial`` and ``chunks`` hold what arrived before the end, typed by
    stream kind as :class:`StreamError` says (``chunks`` is empty unless
    the stream kept them).
    """

    def __init__(
        self,
        message: str = "the stream ended before [DONE]",
        *,
        partial: PartialT_co | None = None,
        chunks: Iterable[ChunkT_co] = (),
        secret: str | None = None,
    ) -> None:
        super().__init__(message, secret=secret)
        self.partial = partial
        self.chunks = tuple(chunks)


class ResponseDecodeError(NoResponseError):
    """A successful response whose body is not the JSON this client expected.

    ``body`` keeps at most :data:`MAX_ERROR_BODY` bytes.
    """

    def __init__(
        self,
        message: str = "the response body is not the JSON expected",
        *,
        status: int | None = None,
        headers: HeadersLike | None = None,
        body: bytes = b"",
        secret: str | None = None,
    ) -> None:
        self.status = status
        self.headers = _normalize_headers(headers, secret)
        self.body = _redact_bytes(body, secret)[:MAX_ERROR_BODY]
        line = redact(message, secret)
        if body:
            line += f": {_excerpt(body.decode('utf-8', 'replace'), secret)!r}"
        super().__init__(_one_line(line))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.args[0]!r})"


# -- the server answered with an error -------------------------------------------


class APIError(OpenRouterError):
    """The server answered, and the answer is an error.

    Attributes (all safe to log: the client's secret is redacted):

    * ``status``: the HTTP status, or ``None`` when unknown (in-band errors).
    * ``headers``: the response headers as ``(name, value)`` pairs; look one
      up case-insensitively with :meth:`header`.
    * ``code``: ``error.code`` from the body: an int (usually equal to the
      status), a provider's string, or ``None``.
    * ``message``: ``error.message``, or a short excerpt of a non-JSON body.
    * ``metadata``: ``error.metadata`` (a dict) or ``None``.
    * ``error_type``: ``metadata.error_type`` when it is a string.
    * ``provider_name``: ``metadata.provider_name`` when it is a string.
    * ``availability``: the ``availability`` object (from ``error`` or
      ``metadata``) or ``None``.
    * ``retry_after``: seconds to wait before retrying, from the
      ``Retry-After`` header (seconds or HTTP-date, measured from ``now``),
      else from ``availability.retry_after`` /
      ``availability.retry_after_seconds``, else from
      ``metadata.retry_after_seconds`` or the provider's own ``Retry-After``
      relayed in ``metadata.headers``; ``None`` when nothing says.
    * ``generation_id``: the ``X-Generation-Id`` header or the body's ``id``.
    * ``request_id``: the first of ``X-Request-Id``, ``Request-Id``,
      ``X-OpenRouter-Request-Id``, ``CF-Ray`` that is present.
    * ``body``: the raw body, at most :data:`MAX_ERROR_BODY` bytes.
    """

    #: What this class means, used in ``str(exc)``.
    description: ClassVar[str] = "API error"

    status: int | None
    headers: Headers
    code: int | str | None
    message: str
    metadata: dict[str, Any] | None
    error_type: str | None
    provider_name: str | None
    availability: dict[str, Any] | None
    retry_after: float | None
    generation_id: str | None
    request_id: str | None
    body: bytes

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        headers: HeadersLike | None = None,
        code: int | str | None = None,
        metadata: dict[str, Any] | None = None,
        availability: dict[str, Any] | None = None,
        generation_id: str | None = None,
        body: bytes = b"",
        secret: str | None = None,
        now: float | None = None,
    ) -> None:
        self.status = status
        self.headers = _normalize_headers(headers, secret)
        self.code = redact(code, secret) if isinstance(code, str) else code
        self.message = redact(message, secret) if message else _phrase(status)
        self.metadata = redact_value(metadata, secret) if isinstance(metadata, dict) else None
        meta = self.metadata or {}
        et = meta.get("error_type")
        self.error_type = et if type(et) is str else None
        pn = meta.get("provider_name")
        self.provider_name = pn if type(pn) is str else None
        if availability is None:
            av = meta.get("availability")
            availability = av if isinstance(av, dict) else None
        self.availability = redact_value(availability, secret)
        self.retry_after = self._find_retry_after(now)
        self.generation_id = _header(self.headers, "x-generation-id") or (
            redact(generation_id, secret) if generation_id is not None else None
        )
        self.request_id = None
        for name in _REQUEST_ID_HEADERS:
            found = _header(self.headers, name)
            if found:
                self.request_id = found
                break
        self.body = _redact_bytes(body, secret)[:MAX_ERROR_BODY]
        super().__init__(self._summary(secret))

    def _find_retry_after(self, now: float | None) -> float | None:
        found = parse_retry_after(_header(self.headers, "retry-after"), now=now)
        if found is not None:
            return found
        av = self.availability or {}
        meta = self.metadata or {}
        relayed = meta.get("headers")
        relayed_value = None
        if isinstance(relayed, dict):
            for k, v in relayed.items():
                if isinstance(k, str) and k.lower() == "retry-after":
                    relayed_value = v
                    break
        for candidate in (
            av.get("retry_after"),
            av.get("retry_after_seconds"),
            meta.get("retry_after_seconds"),
            meta.get("retry_after"),
            relayed_value,
        ):
            seconds = _seconds(candidate)
            if seconds is not None:
                return seconds
        return None

    def _summary(self, secret: str | None) -> str:
        head = f"HTTP {self.status} " if self.status is not None else ""
        details = []
        if self.code is not None and self.code != self.status:
            details.append(f"code={self.code!r}")
        if self.error_type:
            details.append(f"error_type={self.error_type!r}")
        if self.provider_name:
            details.append(f"provider={self.provider_name!r}")
        raw = (self.metadata or {}).get("raw")
        if isinstance(raw, str) and raw.strip():
            details.append(f"raw={_one_line(redact(raw, secret), _MAX_EXCERPT)!r}")
        tail = f" ({', '.join(details)})" if details else ""
        return f"{head}{self.description}: {_one_line(self.message)}{tail}"

    def header(self, name: str) -> str | None:
        """The first value of response header ``name`` (any case), or ``None``."""
        return _header(self.headers, name)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={_one_line(self.message, 80)!r})"
        )


class APIStatusError(APIError):
    """An error response. Subclasses name the documented statuses.

    ``status`` is the HTTP status actually received; for a 200 response with
    an error body the class follows ``code`` instead (see
    :func:`error_from_response`).
    """

    #: The status this class stands for (``None``: any).
    status_code: ClassVar[int | None] = None
    description = "error response"


#: gopenrouter's name for an error response: Go's ``*RequestError`` carries
#: ``HTTPStatusCode`` and ``Body``, as :class:`APIStatusError` carries
#: ``status`` and ``body``. A port of ``errors.As(err, &reqErr)`` is
#: ``except RequestError as exc:``; it catches every error status, the ones
#: Go returns as ``*APIError`` (a JSON error body) too.
RequestError = APIStatusError


class BadRequestError(APIStatusError):
    """400: invalid or missing parameters, or CORS."""

    status_code = 400
    description = "bad request"


class AuthenticationError(APIStatusError):
    """401: invalid credentials (disabled or invalid API key, expired OAuth session)."""

    status_code = 401
    description = "authentication failed"


class PaymentRequiredError(APIStatusError):
    """402: the account or API key has insufficient credits.

    With a ``Retry-After`` header (an in-flight spending budget) it is worth
    waiting and retrying; without one, add credits first.
    """

    status_code = 402
    description = "insufficient credits"


#: Another name for :class:`PaymentRequiredError`.
InsufficientCreditsError = PaymentRequiredError


class PermissionDeniedError(APIStatusError):
    """403: forbidden: the input was flagged by moderation or a guardrail blocked it.

    ``metadata`` holds ``reasons``, ``flagged_input`` and ``provider_name``
    for moderation errors.
    """

    status_code = 403
    description = "forbidden"


class NotFoundError(APIStatusError):
    """404: no such model, generation or route."""

    status_code = 404
    description = "not found"


class RequestTimeoutError(APIStatusError):
    """408: the request timed out on the server side."""

    status_code = 408
    description = "request timed out"


class PayloadTooLargeError(APIStatusError):
    """413: the request body is too large."""

    status_code = 413
    description = "payload too large"


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but could not be processed."""

    status_code = 422
    description = "unprocessable request"


class RateLimitError(APIStatusError):
    """429: rate limited (by OpenRouter or, relayed, by the upstream provider)."""

    status_code = 429
    description = "rate limited"


class InternalServerError(APIStatusError):
    """5xx: a server-side failure; statuses without their own class land here."""

    status_code = 500
    description = "server error"


class BadGatewayError(InternalServerError):
    """502: the chosen model is down or returned an invalid response."""

    status_code = 502
    description = "bad gateway"


class ServiceUnavailableError(InternalServerError):
    """503: no available provider meets the routing requirements."""

    status_code = 503
    description = "service unavailable"


class EdgeTimeoutError(InternalServerError):
    """524: Cloudflare's edge stopped waiting for OpenRouter to answer."""

    status_code = 524
    description = "edge timeout"


class ProviderOverloadedError(InternalServerError):
    """529: the provider is overloaded."""

    status_code = 529
    description = "provider overloaded"


class StreamError(_CarriesPartial[PartialT_co, ChunkT_co], APIError):
    """An error object inside a stream that had started with 200.

    ``partial`` and ``chunks`` hold what arrived before the error (the item
    that carried the error included); the client sets them (or passes them
    to :func:`error_from_payload`). By stream kind:

    =================================  ============================  =========================
    stream                             ``partial``                   ``chunks``
    =================================  ============================  =========================
    chat (``client.chat.stream()``)    :class:`ChatCompletion`       :class:`ChatCompletionChunk`
    text completions                   :class:`Completion`           :class:`CompletionChunk`
    Responses API                      :class:`Response`             :class:`ResponseEvent`
    Messages API                       :class:`AnthropicMessage`     :class:`MessageEvent`
    images (``client.images.stream``)  :class:`ImageGeneration`      :class:`ImageStreamEvent`
    ``stream_request()``               the last decoded JSON value   the decoded JSON values
    =================================  ============================  =========================

    ``chunks`` holds every item with ``keep_chunks=True``, else the item
    that carried the error alone. The class is generic in the two, for
    type checkers: ``StreamError[Response, ResponseEvent]``; a bare
    ``StreamError`` means the chat types (``ChatCompletion | Completion``
    and their chunks), as :class:`StreamTruncatedError` and
    :class:`StreamTimeoutError` do.
    """

    description = "error in stream"

    def __init__(
        self,
        message: str | None = None,
        *,
        partial: PartialT_co | None = None,
        chunks: Iterable[ChunkT_co] = (),
        status: int | None = None,
        headers: HeadersLike | None = None,
        code: int | str | None = None,
        metadata: dict[str, Any] | None = None,
        availability: dict[str, Any] | None = None,
        generation_id: str | None = None,
        body: bytes = b"",
        secret: str | None = None,
        now: float | None = None,
    ) -> None:
        self.partial = partial
        self.chunks = tuple(chunks)
        super().__init__(
            message,
            status=status,
            headers=headers,
            code=code,
            metadata=metadata,
            availability=availability,
            generation_id=generation_id,
            body=body,
            secret=secret,
            now=now,
        )


_BY_STATUS: Final[dict[int, type[APIStatusError]]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PaymentRequiredError,
        PermissionDeniedError,
        NotFoundError,
        RequestTimeoutError,
        PayloadTooLargeError,
        UnprocessableEntityError,
        RateLimitError,
        InternalServerError,
        BadGatewayError,
        ServiceUnavailableError,
        EdgeTimeoutError,
        ProviderOverloadedError,
    )
    if cls.status_code is not None
}


def _class_for(status: int) -> type[APIStatusError]:
    cls = _BY_STATUS.get(status)
    if cls is not None:
        return cls
    if 500 <= status <= 599:
        return InternalServerError
    return APIStatusError


def _status_like(code: object) -> int | None:
    if type(code) is int and 400 <= code <= 599:
        return code
    return None


def _error_fields(payload: object) -> tuple[int | str | None, str | None, dict[str, Any] | None]:
    """``(code, message, metadata)`` from a decoded body, tolerating any shape."""
    if not isinstance(payload, dict):
        return None, None, None
    err = payload.get("error")
    if isinstance(err, dict):
        code = err.get("code")
        if type(code) is float and code.is_integer():
            code = int(code)
        if not (type(code) is int or type(code) is str):
            code = None
        message = err.get("message")
        if not isinstance(message, str):
            # OpenAI-style bodies may put the words in ``type`` only.
            message = err.get("type") if isinstance(err.get("type"), str) else None
        metadata = err.get("metadata")
        return code, message, metadata if isinstance(metadata, dict) else None
    if isinstance(err, str):
        return None, err, None
    message = payload.get("message")
    return None, message if isinstance(message, str) else None, None


def _availability(payload: object) -> dict[str, Any] | None:
    if isinstance(payload, dict):
        err = payload.get("error")
        if isinstance(err, dict):
            av = err.get("availability")
            if isinstance(av, dict):
                return av
    return None


def redact_value(value: Any, secret: str | None) -> Any:
    """``value`` (decoded JSON, or an exception's arguments) with the secret
    redacted from every string and bytes in it, dict keys included; other
    values are returned as they are."""
    if isinstance(value, str):
        return redact(value, secret)
    if isinstance(value, bytes | bytearray):
        return _redact_bytes(bytes(value), secret)
    if isinstance(value, dict):
        return {redact_value(k, secret): redact_value(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, secret) for v in value]
    if isinstance(value, tuple):
        return tuple(redact_value(v, secret) for v in value)
    return value


def error_from_response(
    status: int,
    headers: HeadersLike | None,
    body: bytes,
    *,
    secret: str | None = None,
    now: float | None = None,
) -> APIStatusError:
    """Build the exception for an error response.

    ``body`` is the response body as read (the caller bounds how much it
    reads; only :data:`MAX_ERROR_BODY` bytes are kept). The body may be
    OpenRouter's ``{"error": {"code", "message", "metadata"}}`` with a
    numeric, string or missing code, another JSON value, an HTML page from a
    proxy (the message is its title or a short text excerpt) or empty (the
    message is the status's reason phrase).

    The class is chosen by ``error.code`` when it is a 4xx/5xx number and by
    ``status`` otherwise, so a 200 response whose body is an error object
    still maps to the right class (``APIStatusError`` itself when neither
    names a class). ``secret`` is redacted everywhere; ``now`` (Unix time,
    default the current time) anchors an HTTP-date ``Retry-After``. Never
    raises.
    """
    # Parsed before anything is redacted: redacting first would both miss a
    # secret written with JSON escapes and could change the data around it.
    # APIError redacts every value it keeps.
    payload: object = None
    parsed = False
    stripped = body.strip()
    if stripped[:1] in (b"{", b"["):
        try:
            payload = json.loads(stripped)
            parsed = True
        except (ValueError, RecursionError):
            parsed = False
    code, message, metadata = _error_fields(payload)
    if not parsed and stripped:
        message = _excerpt(stripped.decode("utf-8", "replace"), secret)
    generation_id = None
    if isinstance(payload, dict) and isinstance(payload.get("id"), str):
        generation_id = payload["id"]
    cls = _class_for(_status_like(code) or status)
    return cls(
        message,
        status=status,
        headers=headers,
        code=code,
        metadata=metadata,
        availability=_availability(payload),
        generation_id=generation_id,
        body=body,
        secret=secret,
        now=now,
    )


def error_from_payload(
    payload: object,
    *,
    status: int | None = None,
    headers: HeadersLike | None = None,
    partial: Partial | None = None,
    chunks: Iterable[Chunk] = (),
    secret: str | None = None,
    now: float | None = None,
) -> StreamError:
    """Build the exception for an in-band error chunk.

    ``payload`` is the decoded ``data:`` value, typically
    ``{"id": ..., "error": {"code": ..., "message": ..., "metadata": ...},
    "choices": [{"finish_reason": "error", ...}]}``; any shape is tolerated
    (the code may be a number, a string or absent). ``status`` and
    ``headers`` are those of the stream's response, when known. ``partial``
    and ``chunks`` record what had arrived. Never raises.
    """
    code, message, metadata = _error_fields(payload)
    provider = payload.get("provider") if isinstance(payload, dict) else None
    if isinstance(provider, str) and (metadata is None or "provider_name" not in metadata):
        metadata = {**(metadata or {}), "provider_name": provider}
    generation_id = None
    if isinstance(payload, dict) and isinstance(payload.get("id"), str):
        generation_id = payload["id"]
    try:
        body = json.dumps(payload, ensure_ascii=False, default=repr).encode("utf-8", "replace")
    except (TypeError, ValueError, RecursionError):
        body = b""
    return StreamError(
        message or "the stream reported an error",
        partial=partial,
        chunks=chunks,
        status=status,
        headers=headers,
        code=code,
        metadata=metadata,
        availability=_availability(payload),
        generation_id=generation_id,
        body=body,
        secret=secret,
        now=now,
    )


def _retryable_status(n: object) -> bool:
    return type(n) is int and (n in {408, 429} or 500 <= n <= 599)


#: The string codes of an error body or in-band error chunk that mean a
#: server, provider or capacity fault (compared in lower case). Codes with
#: the prefix ``rate_limit`` count too. Any other string (a client fault
#: such as ``invalid_request_error`` or ``insufficient_quota``, or a code
#: unknown here) is not retryable.
RETRYABLE_CODES: Final = frozenset(
    {
        "server_error",  # OpenAI, OpenRouter
        "internal_error",
        "internal_server_error",
        "api_error",  # Anthropic: an unexpected error inside the provider
        "overloaded",
        "overloaded_error",  # Anthropic
        "service_unavailable",
        "unavailable",
        "bad_gateway",
        "gateway_timeout",
        "timeout",
        "timeout_error",
        "request_timeout",
        "too_many_requests",
        "resource_exhausted",  # Google: rate or capacity limit
    }
)


def _retryable_code(code: object) -> bool:
    """Whether an error's ``code`` names a fault that another attempt may not meet."""
    if type(code) is str:
        if code.isdigit() and code.isascii():
            return _retryable_status(int(code))
        lowered = code.lower()
        return lowered in RETRYABLE_CODES or lowered.startswith("rate_limit")
    return _retryable_status(code)


def is_retryable(exc: BaseException) -> bool:
    """Whether repeating the request that raised ``exc`` may succeed.

    True for:

    * connection failures and timeouts (including a truncated stream and the
      built-in ``ConnectionError`` / ``TimeoutError``);
    * an error status of 408, 429 or any 5xx (so 502, 503, 524 and 529), and
      a 402 that carries a ``Retry-After`` header (an in-flight spending
      budget, per OpenRouter's documentation);
    * an error that came inside a successful response (a :class:`StreamError`,
      or a 200 whose body is an error object), by its ``code``: one of those
      statuses as a number (or a string of digits), or a string that names a
      server, provider or capacity fault: ``server_error``,
      ``internal_error``, ``internal_server_error``, ``api_error``,
      ``overloaded``, ``overloaded_error``, ``service_unavailable``,
      ``unavailable``, ``bad_gateway``, ``gateway_timeout``, ``timeout``,
      ``timeout_error``, ``request_timeout``, ``too_many_requests``,
      ``resource_exhausted`` and anything starting with ``rate_limit``
      (``rate_limit_exceeded``, ``rate_limit_error``); case is ignored
      (:data:`RETRYABLE_CODES`).

    False for everything else: client faults (``invalid_request_error``,
    ``authentication_error``, ``permission_error``, ``not_found_error``,
    ``context_length_exceeded``, ``insufficient_quota``...), string codes
    not listed, no code at all, and :class:`ResponseDecodeError`.

    This only classifies. Whether to repeat a stream that already delivered
    content (and was billed for it) is the caller's decision; the client's
    own retries never repeat a request whose response arrived.
    """
    if isinstance(exc, APIConnectionError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, StreamError):
        return _retryable_code(exc.code)
    if isinstance(exc, APIStatusError) and (exc.status is None or exc.status < 400):
        # An error body inside a successful response: only its code says what failed.
        return _retryable_code(exc.code)
    if isinstance(exc, RequestTimeoutError | RateLimitError | InternalServerError):
        return True
    if isinstance(exc, PaymentRequiredError):
        return exc.header("retry-after") is not None and exc.retry_after is not None
    if isinstance(exc, APIStatusError):
        return _retryable_status(exc.status)
    return False
