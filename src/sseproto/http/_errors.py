"""Errors of the HTTP client's transport layer, and the request limits it enforces.

The HTTP/1.1 errors live next to the exchange in ``_exchange.py``; this module
adds what only a connection can go through: it cannot be made, it breaks,
or it is too slow. The part of the tree it adds::

    sseproto.SSEError
    └── TransportError            the connection failed; __cause__ is the OS,
        │                         TLS or runtime error
        ├── ConnectError          could not connect (DNS, refused, TLS handshake,
        │   │                     certificate verification)
        │   └── ProxyError        the proxy refused or broke the tunnel (CONNECT
        │       │                 answered with a non-2xx status, ...)
        │       └── ProxyAuthenticationRequired  ... with 407
        ├── ConnectionLost        the connection was lost once made, whichever
        │   │                     layer noticed: catch this one to reconnect
        │   ├── ReadError         the connection broke while sending or receiving
        │   └── IncompleteResponse  the peer closed it before the response's end
        │                         (also an HTTPProtocolError, see ``_exchange.py``;
        │                         with NoResponse and IncompleteBody below it)
        └── Timeout               (also a builtin TimeoutError)
            ├── ConnectTimeout    Timeouts.connect passed while connecting
            ├── ReadTimeout       Timeouts.read passed without a byte
            ├── EventTimeout      Timeouts.event passed without an event
            └── TotalTimeout      Timeouts.total passed since the request began

    sseproto.RemoteProtocolError
    ├── RedirectError             a redirect that is not followed; ``urls``
    │   │                         lists the URLs requested
    │   ├── TooManyRedirects      more redirects than max_redirects
    │   ├── InvalidRedirect       a Location that is not a usable http(s) URL
    │   └── InsecureRedirect      a redirect from https to plain http
    ├── UnexpectedContentEncoding a body in a content coding the client
    │                             cannot read (an unknown one, br without brotli)
    ├── ContentDecodingError      a body in a coding the client reads, but
    │                             corrupt or cut short
    └── sseproto.LimitExceeded
        └── BodyTooLarge          a response body longer than max_body_size

A mistake of the caller (a URL or header that cannot be sent) is a
``sseproto.LocalProtocolError``, raised by the method called (``stream()``,
``request()``, ``subscribe()``) before any connection is made; a number
out of range (:class:`Timeouts`) is a ``ValueError`` when it is built.

Every adapter raises exactly these for the same situation, whatever its
runtime raised underneath (``socket.timeout``, ``trio.TooSlowError``,
``httpx.ReadTimeout``, ...): each adapter translates at its I/O calls, with
``raise ... from``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from sseproto._errors import LimitExceeded, RemoteProtocolError, SSEError
from sseproto._reconnect import MAX_ERROR_BODY

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_ERROR_BODY",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_TIMEOUTS",
    "MAX_LOCATION_SIZE",
    "MAX_TIMEOUT",
    "BodyTooLarge",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionLost",
    "ContentDecodingError",
    "EventTimeout",
    "InsecureRedirect",
    "InvalidRedirect",
    "ProxyAuthenticationRequired",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RedirectError",
    "Timeout",
    "Timeouts",
    "TooManyRedirects",
    "TotalTimeout",
    "TransportError",
    "UnexpectedContentEncoding",
]

#: Default ``max_redirects``: 5, as curl's ``--max-redirs`` advice and httpx's
#: 20 bracket it; an event stream or an API call rarely needs more than one.
DEFAULT_MAX_REDIRECTS: Final = 5

#: The longest ``Location`` a redirect may carry, in characters: 16 KiB, twice
#: the 8000 octets that RFC 9110 section 4.1 asks every recipient to support.
#: A longer one raises :class:`InvalidRedirect`.
MAX_LOCATION_SIZE: Final = 16 * 1024

#: The largest time limit :class:`Timeouts` accepts, in seconds: 1,000,000
#: (about 11.6 days). The runtimes' waits overflow somewhere above: an
#: ``epoll`` or ``poll`` wait takes at most 2**31 - 1 milliseconds (about
#: 24.8 days), and a socket timeout must fit a C ``time_t``. A longer wait is
#: "no limit" in practice: use ``None``.
MAX_TIMEOUT: Final = 1_000_000.0

#: Default ``max_body_size`` of ``request()``: 32 MiB, the parser's event
#: limit; a model list or a JSON completion is a few MiB at most.
DEFAULT_MAX_BODY_SIZE: Final = 32 * 1024 * 1024

#: Default ``max_error_body``: how much of a rejected stream's body is read
#: for ``ResponseRejected.body``; :data:`sseproto.MAX_ERROR_BODY`.
DEFAULT_MAX_ERROR_BODY: Final = MAX_ERROR_BODY


class TransportError(SSEError):
    """The connection failed. ``__cause__`` is the underlying error."""


class ConnectError(TransportError):
    """The connection could not be made: the name did not resolve, the peer
    refused, or the TLS handshake failed (``__cause__`` is then an
    ``ssl.SSLError``, e.g. ``ssl.SSLCertVerificationError`` for a
    certificate the trust store does not vouch for)."""


class ProxyError(ConnectError):
    """The HTTP proxy did not give a connection to the origin: it refused the
    ``CONNECT`` tunnel (any status but 2xx), closed the connection before
    answering, or sent a head that is not HTTP or too large; or the proxy
    answered a plain ``http://`` request with ``407``.

    The message names the proxy as ``http://host:port`` (never its
    credentials) and the status. A :class:`ConnectError`: nothing of the
    request reached the origin.
    """

    def __init__(self, msg: str, *, proxy: str, status: int | None = None) -> None:
        super().__init__(msg)
        #: The proxy, as ``http://host:port``.
        self.proxy = proxy
        #: The status the proxy answered with, ``None`` if it sent none.
        self.status = status


class ProxyAuthenticationRequired(ProxyError):
    """The proxy answered ``407 Proxy Authentication Required``: it wants
    credentials (``http://user:password@host:port``), or other ones."""


class ConnectionLost(TransportError):
    """The connection was lost after it was made: whichever layer noticed,
    this is the one class to catch for "the server went away" (to reconnect,
    say).

    Its subclasses say how it was noticed: :class:`ReadError` (the
    operating system or the runtime reported a broken connection: reset by
    the peer, a broken pipe, ...) and
    :class:`~sseproto.http.IncompleteResponse` with its subclasses
    :class:`~sseproto.http.NoResponse` and
    :class:`~sseproto.http.IncompleteBody` (the peer closed the connection
    before the response was complete, which the HTTP framing noticed; these
    are also :class:`~sseproto.http.HTTPProtocolError`, as before). Every
    runtime raises the same class for the same loss: a server killed in the
    middle of a body is an ``IncompleteBody`` on the socket runtimes and on
    httpx alike.

    A :class:`Timeout` is not a ``ConnectionLost``: there the client gave
    up waiting on a connection that may still be alive.
    """


class ReadError(ConnectionLost):
    """The connection broke while the request was sent or the response read
    (reset by the peer, ...). A :class:`ConnectionLost`."""


class Timeout(TransportError, TimeoutError):
    """A time limit of :class:`Timeouts` passed; the subclass says which.

    Also a builtin ``TimeoutError``, so ``except TimeoutError`` catches it.
    """

    def __init__(self, msg: str, *, limit: float) -> None:
        super().__init__(msg)
        #: The limit that passed, in seconds.
        self.limit = limit


class ConnectTimeout(Timeout):
    """``Timeouts.connect`` passed while connecting (TCP and TLS handshake)."""


class ReadTimeout(Timeout):
    """``Timeouts.read`` passed without a byte from the server (waiting for the
    response head or for more of the body)."""


class EventTimeout(Timeout):
    """``Timeouts.event`` passed without an event: the server may have sent
    bytes (keepalive comments), but no event was completed."""


class TotalTimeout(Timeout):
    """``Timeouts.total`` passed since the request began."""


class RedirectError(RemoteProtocolError):
    """A redirect that the client does not follow; the subclass says why.

    The message names the URLs without user information, query or fragment,
    where secrets travel; the attributes keep them whole.
    """

    def __init__(self, msg: str, *, urls: tuple[str, ...], location: str | None = None) -> None:
        super().__init__(msg)
        #: The URLs requested, in order, the first one the caller's.
        self.urls = urls
        #: The ``Location`` of the redirect not followed, as the server sent
        #: it (``None`` for :class:`TooManyRedirects`).
        self.location = location


class TooManyRedirects(RedirectError):
    """The server redirected more than ``max_redirects`` times in a row."""


class InvalidRedirect(RedirectError):
    """A redirect's ``Location`` is not a URL the client can request: empty,
    longer than :data:`MAX_LOCATION_SIZE`, with spaces, control or non-ASCII
    characters, unparsable (``http://[::1:bad/``), with user information
    (``user:password@``), or with a scheme other than ``http`` and
    ``https`` (``javascript:``, ``data:``, ``ftp:``, ...). The server sent
    it, so this is the server's fault, not the caller's."""


class InsecureRedirect(RedirectError):
    """A redirect from an ``https`` URL to an ``http`` one.

    Following it would send the request again (its headers, such as
    ``Authorization``, and its body, such as a prompt) over an unencrypted
    connection, so it is refused. A caller who accepts that can read the
    target from :attr:`location` and request it directly.
    """


class UnexpectedContentEncoding(RemoteProtocolError):
    """The response body is in a content coding the client cannot read.

    The client decodes ``gzip`` (``x-gzip``) and ``deflate``, and ``br`` and
    ``zstd`` when their optional package is installed
    (:func:`sseproto.http.accept_encoding` names them), up to five stacked codings.
    Any other ``Content-Encoding`` on an event stream (whatever was asked
    for), or on a ``request()`` response that did not ask for that coding in
    its own ``Accept-Encoding`` header, would otherwise be parsed as garbage
    or end as an empty stream.
    """

    def __init__(self, msg: str, *, coding: str) -> None:
        super().__init__(msg)
        #: The ``Content-Encoding`` value of the response.
        self.coding = coding


class ContentDecodingError(RemoteProtocolError):
    """A response body in a content coding the client decodes could not be
    decoded: the coded data is corrupt, has bytes after its end, or the
    body ended before the coded data did (truncated). Items and bytes
    decoded before the fault were handed on."""

    def __init__(self, msg: str, *, coding: str) -> None:
        super().__init__(msg)
        #: The coding that failed (``"gzip"``, ``"deflate"``, ``"br"``, ``"zstd"``).
        self.coding = coding


class BodyTooLarge(LimitExceeded):
    """A response body was longer than ``max_body_size`` bytes
    (``limit == "max_body_size"``, ``value`` its value)."""


def _check_seconds(name: str, value: object) -> None:
    if value is None:
        return
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not 0 < value <= MAX_TIMEOUT  # also false for NaN
    ):
        hint = "; use None for no limit" if value == math.inf else ""
        raise ValueError(
            f"Timeouts.{name} must be a number of seconds above 0 and at most "
            f"{MAX_TIMEOUT:g} (MAX_TIMEOUT), or None, not {value!r}{hint}"
        )


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Time limits of one request, in seconds; ``None`` means no limit.

    Each limit that passes raises its own :class:`Timeout` subclass:

    - ``connect``: making the connection, TCP and TLS (:class:`ConnectTimeout`);
    - ``read``: the longest wait for any byte from the server, while sending
      the request and waiting for the response head too
      (:class:`ReadTimeout`);
    - ``event``: the longest wait for an event after the stream opened or
      after the previous event; comments (keepalives) and partial events do
      not reset it (:class:`EventTimeout`). Only streams use it;
    - ``total``: from the start of the request to the end of the response or
      stream, redirects included (:class:`TotalTimeout`).

    The defaults suit a long-lived stream: no total limit, and a read limit
    well above the 15 to 30 seconds between the keepalives that servers such
    as OpenRouter send.

    A limit is an ``int`` or ``float`` above 0 and at most
    :data:`MAX_TIMEOUT`, or ``None``. ``float("inf")`` is refused rather
    than read as "no limit": ``None`` is the one way to say that.

    Raises:
        ValueError: a limit is not ``None`` nor a number in that range (NaN,
            0, negative, infinite, above ``MAX_TIMEOUT``, or a ``bool``).
    """

    connect: float | None = 10.0
    read: float | None = 120.0
    event: float | None = None
    total: float | None = None

    def __post_init__(self) -> None:
        for name in ("connect", "read", "event", "total"):
            _check_seconds(name, getattr(self, name))


#: The limits a client uses when it is given none: ``Timeouts()``.
DEFAULT_TIMEOUTS: Final = Timeouts()
