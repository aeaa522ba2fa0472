"""A sans-I/O HTTP/1.1 client exchange (one request, one response) built on h11.

The blocking, asyncio and trio adapters share this module and differ only in
how they move bytes: an :class:`HTTP11Exchange` builds the request bytes,
says where to connect (:attr:`HTTP11Exchange.origin`), turns the bytes read
from the connection into typed events, and says whether the connection may
carry another request. It performs no I/O and never waits. A pump looks like
this::

    exchange = HTTP11Exchange("GET", url, headers=[("Accept", "text/event-stream")])
    stream = connect(exchange.origin)       # TLS if exchange.origin.tls
    stream.send_all(exchange.request_bytes)
    while True:
        for event in exchange.receive(stream.receive_some()):   # b"" at EOF
            ...                             # ResponseStarted, BodyChunk, ResponseComplete

Framing is h11's: chunked, ``Content-Length`` and close-delimited bodies,
``HEAD`` requests and 204/304 responses without a body. Informational (1xx)
responses are read and skipped; trailer fields of a chunked body are read
and discarded. Protocol switching is not supported, so the ``CONNECT``
method and an ``Upgrade`` request header are refused.

Errors, at one boundary: no h11 exception or type leaves this module. A
``RemoteProtocolError`` raised by h11 becomes one of the classes below, and a
``LocalProtocolError`` raised by h11 (a request it cannot send) becomes
:class:`sseproto.LocalProtocolError`; each is raised ``from`` the h11
exception, which stays available as ``__cause__``. The tree::

    sseproto.ProtocolError
    ├── sseproto.LocalProtocolError   a request that cannot be sent (bad URL,
    │                                 method, header or body) or a call out of order
    └── sseproto.RemoteProtocolError
        ├── sseproto.LimitExceeded
        │   └── HeadersTooLarge       the response head grew past max_header_size
        └── HTTPProtocolError         the response violates HTTP/1.1
            └── IncompleteResponse    the peer closed the connection mid-head
                ├── NoResponse        ... without sending a single byte
                └── IncompleteBody    ... after the head, before the body's end

``IncompleteResponse`` and its subclasses are also
:class:`~sseproto.http.ConnectionLost` (a ``TransportError``): the
connection was lost, and ``except ConnectionLost`` (or ``except
TransportError``) catches them wherever the loss was noticed.

After a ``RemoteProtocolError`` the exchange is in the terminal ``ERROR``
state: every later call of ``receive()`` or ``next_exchange()`` raises the
same error again.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, NoReturn, TypeAlias, TypeVar
from urllib.parse import urlsplit

import h11

from sseproto._errors import LimitExceeded, LocalProtocolError, RemoteProtocolError

from ._errors import ConnectionLost

__all__ = [
    "DEFAULT_MAX_HEADER_SIZE",
    "BodyChunk",
    "ExchangeEvent",
    "ExchangeState",
    "HTTP11Exchange",
    "HTTPProtocolError",
    "HeadersTooLarge",
    "IncompleteBody",
    "IncompleteResponse",
    "NoResponse",
    "Origin",
    "ResponseComplete",
    "ResponseStarted",
]

#: Default for ``max_header_size``: 64 KiB for everything received before the
#: body (status lines and header fields of any 1xx responses and of the final
#: response). h11's own default is 16 KiB; httpcore, which drives h11 for
#: httpx, allows 100 KiB, and curl refuses a single header line over 100 KiB.
#: The LLM APIs this toolkit talks to send a few KiB of headers (CDN and
#: rate-limit fields), so 64 KiB leaves a wide margin while still stopping a
#: server whose head never ends.
DEFAULT_MAX_HEADER_SIZE: Final = 64 * 1024

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}

# A URL must be ASCII and hold no control characters or spaces: urlsplit()
# silently drops tabs and line breaks (WHATWG URL behaviour), which would
# send a request somewhere other than what the caller wrote.
_BAD_URL_CHARS: Final = re.compile(r"[\x00-\x20\x7f]")

# A registered name (RFC 3986 section 3.2.2) as DNS uses it, or an IPv4
# address; urlsplit() has already lowercased it.
_HOST_NAME: Final = re.compile(r"[a-z0-9._-]+")


# -- errors ----------------------------------------------------------------------


class HTTPProtocolError(RemoteProtocolError):
    """The server's response violates HTTP/1.1 (a malformed status line,
    header or chunk, an unexpected ``101 Switching Protocols``, ...).

    When it comes from h11, ``__cause__`` is h11's exception.
    """

    #: Events that the failing ``receive()`` call completed before the fault
    #: (see :meth:`HTTP11Exchange.receive`).
    completed: tuple[ExchangeEvent, ...] = ()


class IncompleteResponse(HTTPProtocolError, ConnectionLost):
    """The peer closed the connection before the response was complete.

    Raised as this class when the response head (status line and header
    fields) was cut short; its subclasses name the other cases. Both an
    :class:`HTTPProtocolError` (the framing noticed it) and a
    :class:`~sseproto.http.ConnectionLost` (the connection is gone), so
    ``except ConnectionLost`` catches it like a :class:`~sseproto.http.ReadError`.
    """


class NoResponse(IncompleteResponse):
    """The peer closed the connection without sending a single byte of a response.

    On a reused connection this is the usual sign that the server closed it
    as idle while the request was on its way: the request never reached it,
    or was dropped, and may be sent again on a new connection if repeating
    it is safe.
    """


class IncompleteBody(IncompleteResponse):
    """The peer closed the connection in the middle of the body: fewer bytes
    than ``Content-Length`` said, or a chunked body without its last chunk.

    A close-delimited body (one with neither header) ends cleanly at the
    close instead, with :class:`ResponseComplete`.
    """


class HeadersTooLarge(LimitExceeded):
    """The response head grew past ``max_header_size`` bytes.

    ``limit`` is ``"max_header_size"`` and ``value`` the limit in bytes. The
    same limit bounds a chunk-size line or a trailer section of a chunked
    body while it waits for its end: such a line is refused once that many of
    its bytes are held incomplete, so a longer one that arrives whole in a
    single ``receive()`` call is accepted (memory stays bounded either way).
    """

    #: Events that the failing ``receive()`` call completed before the fault
    #: (see :meth:`HTTP11Exchange.receive`).
    completed: tuple[ExchangeEvent, ...] = ()


# -- events ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResponseStarted:
    """The final (non-1xx) response's status line and header fields have arrived.

    ``headers`` keeps the order and repetitions of the response, with names
    lowercased; values are decoded as Latin-1, so any byte a server sends
    maps to one character and nothing is lost. ``reason`` is decoded the
    same way and may be ``""``. ``http_version`` is ``"1.1"`` or ``"1.0"``.
    """

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    http_version: str


@dataclass(frozen=True, slots=True)
class BodyChunk:
    """Body bytes, with the transfer framing (chunk sizes, CRLFs) removed.

    Feed ``data`` straight into :meth:`sseproto.EventStreamParser.feed`.
    Never empty.
    """

    data: bytes


@dataclass(frozen=True, slots=True)
class ResponseComplete:
    """The response body ended as its framing says it should."""


#: What :meth:`HTTP11Exchange.receive` returns a list of.
ExchangeEvent: TypeAlias = ResponseStarted | BodyChunk | ResponseComplete

# An error that puts an exchange in the ERROR state.
_Fault = TypeVar("_Fault", bound=RemoteProtocolError)


class ExchangeState(enum.Enum):
    """Where an :class:`HTTP11Exchange` is in its life."""

    #: The request is built; the final response's head has not arrived yet.
    AWAITING_RESPONSE = "awaiting_response"
    #: :class:`ResponseStarted` was returned; the body is arriving.
    RECEIVING_BODY = "receiving_body"
    #: :class:`ResponseComplete` was returned.
    COMPLETE = "complete"
    #: ``next_exchange()`` passed the connection to a new exchange.
    HANDED_OFF = "handed_off"
    #: The peer broke the protocol or closed early; every call raises the error.
    ERROR = "error"


_AWAITING: Final = ExchangeState.AWAITING_RESPONSE
_BODY: Final = ExchangeState.RECEIVING_BODY
_COMPLETE: Final = ExchangeState.COMPLETE
_HANDED_OFF: Final = ExchangeState.HANDED_OFF
_ERROR: Final = ExchangeState.ERROR


# -- where to connect ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request goes: scheme, host and port of its URL.

    ``scheme`` is ``"http"`` or ``"https"``; ``host`` is a lowercase host
    name, an IPv4 address or an IPv6 address without brackets (what a
    socket connects to); ``port`` is the URL's port or the scheme's default.
    """

    scheme: str
    host: str
    port: int

    @classmethod
    def from_url(cls, url: str) -> Origin:
        """The origin of an absolute ``http://`` or ``https://`` URL.

        Raises:
            LocalProtocolError: the URL is not one :class:`HTTP11Exchange`
                accepts (see there).
        """
        return _parse_url(url)[0]

    @property
    def tls(self) -> bool:
        """Whether the connection must use TLS (the scheme is ``https``)."""
        return self.scheme == "https"

    @property
    def server_hostname(self) -> str | None:
        """The name to send in TLS SNI and check the certificate against:
        ``host`` for ``https``, ``None`` for ``http``."""
        return self.host if self.scheme == "https" else None


def _parse_url(url: str) -> tuple[Origin, str]:
    """The origin and request target (path and query) of an absolute URL."""
    if not isinstance(url, str):
        raise LocalProtocolError(f"the URL must be a str, not {type(url).__name__}")
    if not url.isascii() or _BAD_URL_CHARS.search(url):
        raise LocalProtocolError(
            f"the URL must be ASCII without spaces or control characters "
            f"(percent-encode the path, use the xn-- form of the host): {url!r}"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise LocalProtocolError(f"invalid URL {url!r}: {exc}") from exc
    scheme = parts.scheme
    if scheme not in _DEFAULT_PORTS:
        raise LocalProtocolError(f"the URL must start with http:// or https://: {url!r}")
    if parts.username is not None:
        raise LocalProtocolError(
            f"credentials in the URL are not supported; send an Authorization header: {url!r}"
        )
    host = parts.hostname
    if not host:
        raise LocalProtocolError(f"the URL has no host: {url!r}")
    if "[" in parts.netloc:
        if "%" in host:
            raise LocalProtocolError(f"IPv6 zone identifiers are not supported: {url!r}")
        try:
            ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise LocalProtocolError(f"invalid IPv6 address in URL {url!r}") from exc
    elif not _HOST_NAME.fullmatch(host):
        raise LocalProtocolError(f"invalid host in URL {url!r}")
    if port is None:
        port = _DEFAULT_PORTS[scheme]
    elif port == 0:
        raise LocalProtocolError(f"port 0 cannot be connected to: {url!r}")
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return Origin(scheme, host, port), target


def _host_header(origin: Origin) -> bytes:
    """The Host field value: the host (IPv6 in brackets), then the port
    unless it is the scheme's default (RFC 9110 section 7.2)."""
    host = f"[{origin.host}]" if ":" in origin.host else origin.host
    if origin.port != _DEFAULT_PORTS[origin.scheme]:
        host = f"{host}:{origin.port}"
    return host.encode("ascii")


def _ascii(text: str, what: str) -> bytes:
    try:
        return text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise LocalProtocolError(f"{what} must be ASCII: {text!r}") from exc


def _request_body(body: object) -> bytes | None:
    """The request body as bytes (``None`` stays ``None``)."""
    if body is not None and type(body) is not bytes:
        if not isinstance(body, (bytearray, memoryview)):
            raise LocalProtocolError(f"the body must be bytes or None, not {type(body).__name__}")
        return bytes(body)
    return body


def _header_pair(pair: object) -> tuple[str, str]:
    """A caller's header, checked to be a ``(str, str)`` pair."""
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise LocalProtocolError(f"each header must be a (name, value) pair, not {pair!r}")
    name, value = pair
    if not isinstance(name, str) or not isinstance(value, str):
        raise LocalProtocolError(f"header names and values must be str: {pair!r}")
    return name, value


def _build_request(
    method: str,
    origin: Origin,
    target: str,
    headers: Sequence[tuple[str, str]],
    body: bytes | bytearray | memoryview | None,
) -> tuple[h11.Request, bytes | None]:
    """Validate everything about a request before any connection state changes."""
    if not isinstance(method, str):
        raise LocalProtocolError(f"the method must be a str, not {type(method).__name__}")
    if method == "CONNECT":
        raise LocalProtocolError("the CONNECT method switches protocols, which is not supported")
    body = _request_body(body)
    items: list[tuple[bytes, bytes]] = []
    has_host = False
    has_length = False
    for pair in headers:
        name, value = _header_pair(pair)
        raw = (_ascii(name, "a header name"), _ascii(value, f"the value of {name}"))
        lower = name.lower()
        if lower == "host":
            # The caller's Host replaces the one derived from the URL (virtual
            # hosting, or a name for an address); TLS SNI still uses the URL's.
            has_host = True
        elif lower == "content-length":
            # The exchange sends the body whole, so the only correct value is
            # its length; a matching header is kept, any other refused.
            expected = 0 if body is None else len(body)
            given = value.strip()
            if not (given.isascii() and given.isdigit() and int(given) == expected):
                raise LocalProtocolError(
                    f"Content-Length {value!r} does not match the body length {expected}"
                )
            has_length = True
        elif lower == "transfer-encoding":
            raise LocalProtocolError(
                "Transfer-Encoding is set by the exchange: the body is sent with Content-Length"
            )
        elif lower == "upgrade":
            raise LocalProtocolError(
                "the Upgrade header switches protocols, which is not supported"
            )
        items.append(raw)
    if body is not None and not has_length:
        # Also for an empty body: RFC 9110 section 8.6 asks for Content-Length
        # on a request whose method gives content a meaning (POST with b"").
        items.append((b"Content-Length", str(len(body)).encode("ascii")))
    if not has_host:
        items.insert(0, (b"Host", _host_header(origin)))
    try:
        request = h11.Request(
            method=_ascii(method, "the method"), target=target.encode("ascii"), headers=items
        )
    except h11.LocalProtocolError as exc:
        raise LocalProtocolError(f"the request cannot be sent: {exc}") from exc
    return request, body


# -- the exchange -----------------------------------------------------------------


class HTTP11Exchange:
    """One HTTP/1.1 request and its response, on a new or reused connection.

    The constructor builds the request; send :attr:`request_bytes` to
    :attr:`origin`, then pass everything read from the connection to
    :meth:`receive`, which returns :class:`ResponseStarted`, then
    :class:`BodyChunk` items, then :class:`ResponseComplete`. When the
    response is done and :attr:`reusable` is true, :meth:`next_exchange`
    starts the next request on the same connection.

    Arguments:
        method: the request method, e.g. ``"GET"`` or ``"POST"`` (sent as given).
        url: an absolute ``http://`` or ``https://`` URL, ASCII only (path
            and query already percent-encoded, host in its ``xn--`` form);
            an IPv6 host goes in brackets. The fragment is not sent; a URL
            with credentials (``user:pass@``) is refused.
        headers: ``(name, value)`` pairs sent in order after ``Host``, ASCII
            only. The exchange adds ``Host`` (from the URL; the port only
            when it is not the scheme's default) unless the caller gives one,
            which then replaces it, and ``Content-Length`` when there is a
            body. A caller's ``Content-Length`` must equal the body's length
            (then it is sent instead of the exchange's); ``Transfer-Encoding``
            and ``Upgrade`` are refused. Nothing else is added: no
            ``User-Agent``, ``Accept`` or ``Connection``. A ``Connection:
            close`` given here makes the connection not reusable.
        body: the request body, sent whole after the head with
            ``Content-Length``; ``None`` sends no body and no
            ``Content-Length``, ``b""`` sends ``Content-Length: 0``.
        max_header_size: the most bytes accepted before the body starts:
            the final response's status line and header fields plus those
            of any 1xx responses before it, line endings included. One byte
            more raises :class:`HeadersTooLarge`, however the bytes are split
            across ``receive()`` calls, and no more than this is ever held.
        absolute_form: send the request target in absolute form
            (``http://host:port/path?query``, RFC 9112 section 3.2.2), as a
            request to an HTTP proxy must be; the ``Host`` field is still
            the URL's. :meth:`next_exchange` keeps the form.

    Raises:
        LocalProtocolError: the URL, method, a header or the body cannot be
            sent (see above); from h11's own check when ``__cause__`` is set.
        ValueError: ``max_header_size`` is not a positive int.
    """

    __slots__ = (
        "_absolute",
        "_conn",
        "_eof",
        "_error",
        "_head_bytes",
        "_max_header_size",
        "_origin",
        "_request_bytes",
        "_state",
        "_unsolicited",
    )

    _absolute: bool
    _conn: h11.Connection
    _eof: bool
    _error: RemoteProtocolError | None
    _head_bytes: int
    _max_header_size: int
    _origin: Origin
    _request_bytes: bytes
    _state: ExchangeState
    _unsolicited: bool

    def __init__(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes | bytearray | memoryview | None = None,
        max_header_size: int = DEFAULT_MAX_HEADER_SIZE,
        absolute_form: bool = False,
    ) -> None:
        if type(max_header_size) is not int or max_header_size < 1:
            raise ValueError(f"max_header_size must be a positive int, not {max_header_size!r}")
        origin, target = _parse_url(url)
        self._absolute = absolute_form
        target = self._target(origin, target)
        request, payload = _build_request(method, origin, target, headers, body)
        # h11 checks its buffer against this limit only while an event is
        # incomplete. receive() never lets more than max_header_size bytes of
        # head into h11, so in the head h11's check never fires and ours is
        # exact; in the body it bounds chunk-size lines and trailers.
        conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=max_header_size)
        self._begin(conn, origin, request, payload, max_header_size)

    def _begin(
        self,
        conn: h11.Connection,
        origin: Origin,
        request: h11.Request,
        payload: bytes | None,
        max_header_size: int,
    ) -> None:
        try:
            parts = [conn.send(request)]
            if payload:
                parts.append(conn.send(h11.Data(data=payload)))
            parts.append(conn.send(h11.EndOfMessage()))
        except h11.LocalProtocolError as exc:
            raise LocalProtocolError(f"the request cannot be sent: {exc}") from exc
        self._conn = conn
        self._origin = origin
        self._request_bytes = b"".join(parts)
        self._max_header_size = max_header_size
        self._state = _AWAITING
        self._error = None
        # Bytes of head (1xx responses and the final one) given to h11 so far.
        self._head_bytes = 0
        self._eof = False
        # Bytes arrived after the response ended: the connection cannot be reused.
        self._unsolicited = False

    # -- public read-only state -----------------------------------------------------

    @property
    def origin(self) -> Origin:
        """Where to connect: host, port, and whether to use TLS."""
        return self._origin

    @property
    def request_bytes(self) -> bytes:
        """The whole request (head and body) to send, the same on every read."""
        return self._request_bytes

    @property
    def state(self) -> ExchangeState:
        """Where the exchange is in its life; see :class:`ExchangeState`."""
        return self._state

    @property
    def error(self) -> RemoteProtocolError | None:
        """The error that put the exchange in the ``ERROR`` state, if any."""
        return self._error

    @property
    def reusable(self) -> bool:
        """Whether :meth:`next_exchange` may send another request on this connection.

        True if and only if the response was read to its end (the state is
        ``COMPLETE``), neither side asked to close the connection (no
        ``Connection: close`` on either side, not an HTTP/1.0 response, not
        a close-delimited body), the peer has not closed it, and no bytes
        arrived after the response. A server may still close an idle
        connection at any moment; see :class:`NoResponse`.
        """
        if self._state is not _COMPLETE or self._unsolicited or self._eof:
            return False
        # Exactly the condition under which h11 allows start_next_cycle().
        return self._conn.our_state is h11.DONE and self._conn.their_state is h11.DONE

    # -- input -----------------------------------------------------------------------

    def receive(self, data: bytes | bytearray | memoryview) -> list[ExchangeEvent]:
        """Process bytes read from the connection; return the events they completed.

        ``data`` may be any length and split anywhere; ``b""`` means the
        peer closed the connection (end of file), as ``recv()`` reports it.
        The events come in this order over the calls: one
        :class:`ResponseStarted` for the final response (1xx responses are
        skipped), :class:`BodyChunk` items, one :class:`ResponseComplete`.
        A call returns at most one ``BodyChunk``, holding all the body bytes
        it received, and ``[]`` when the bytes completed nothing.

        After ``ResponseComplete``, bytes that arrive are discarded and make
        the connection not reusable (a server sends nothing unasked), and
        ``receive(b"")`` records the close; both return ``[]``. After
        ``receive(b"")``, ``receive(b"")`` returns ``[]`` again.

        Raises:
            NoResponse, IncompleteResponse, IncompleteBody: ``b""`` (the
                close) arrived before the response was complete.
            HeadersTooLarge: the head passed ``max_header_size`` bytes.
            HTTPProtocolError: the response is not valid HTTP/1.1.
            LocalProtocolError: bytes after ``receive(b"")``, or the exchange
                was handed off by ``next_exchange()``.
            TypeError: ``data`` is not bytes-like.

        A ``RemoteProtocolError`` puts the exchange in the ``ERROR`` state,
        and every later call raises it again. The events that the failing
        call completed before the fault (body bytes that arrived intact) are
        not lost: the exception carries them as ``completed`` (a tuple, empty
        when there were none), so a pump can hand them on and then raise.
        """
        state = self._state
        if state is _ERROR or state is _HANDED_OFF:
            self._refuse("receive")
        if type(data) is bytes:
            chunk = data
        elif isinstance(data, (bytearray, memoryview)):
            chunk = bytes(data)
        else:
            raise TypeError(f"receive() takes bytes, not {type(data).__name__}")
        if self._eof:
            if chunk:
                raise LocalProtocolError("receive() got bytes after receive(b'') ended the input")
            return []
        if not chunk:
            self._eof = True
            if state is _COMPLETE:
                # The close after a complete response. h11 is not told: it
                # may still hold bytes that came after the response, and it
                # would call the close an error then, but only when they
                # arrived in the same call as the end of the response.
                return []
        elif state is _COMPLETE:
            self._unsolicited = True
            return []
        events: list[ExchangeEvent] = []
        body: list[bytes | bytearray] = []
        conn = self._conn
        try:
            if state is _AWAITING and chunk:
                # Give h11 no more head than the limit allows: if the head is
                # not complete within max_header_size bytes it is too large,
                # whatever the split; if it is, the rest of the chunk is body.
                room = self._max_header_size - self._head_bytes
                if len(chunk) > room:
                    head, chunk = chunk[:room], chunk[room:]
                else:
                    head, chunk = chunk, b""
                self._head_bytes += len(head)
                conn.receive_data(head)
                self._drain(events, body)
                if self._state is _AWAITING:
                    if self._head_bytes >= self._max_header_size:
                        raise self._fail(self._headers_too_large())
                    return events
                if not chunk:
                    return self._flush(events, body)
                if self._state is _COMPLETE:
                    # The head completed a response without a body (HEAD,
                    # 204, 304): the rest arrived after it, like any bytes
                    # after a response.
                    self._unsolicited = True
                    return self._flush(events, body)
            conn.receive_data(chunk)
            self._drain(events, body)
        except h11.RemoteProtocolError as exc:
            error = self._fail(self._translate(exc))
            # What arrived intact before the fault is not dropped: the pump
            # can still feed it to the parser before it raises the error.
            error.completed = tuple(self._flush(events, body))
            raise error from exc
        return self._flush(events, body)

    def _drain(self, events: list[ExchangeEvent], body: list[bytes | bytearray]) -> None:
        """Take every event h11 can parse from what it has received."""
        conn = self._conn
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Data):
                body.append(event.data)
            elif isinstance(event, h11.Response):
                if event.http_version not in (b"1.0", b"1.1"):
                    # h11 takes any HTTP/d.d; this client speaks 1.0 and 1.1.
                    version = event.http_version.decode("ascii", "replace")
                    raise h11.RemoteProtocolError(f"unsupported HTTP version {version}")
                self._state = _BODY
                events.append(
                    ResponseStarted(
                        status=event.status_code,
                        reason=event.reason.decode("latin-1"),
                        headers=tuple(
                            (name.decode("latin-1"), value.decode("latin-1"))
                            for name, value in event.headers
                        ),
                        http_version=event.http_version.decode("ascii"),
                    )
                )
            elif isinstance(event, h11.EndOfMessage):
                self._flush(events, body)
                self._state = _COMPLETE
                events.append(ResponseComplete())
                # Bytes after the response are discarded and make the
                # connection not reusable, whether they came in this call or
                # a later one; h11 is not asked for more events, as for a
                # response that closes the connection it would call them an
                # error only when they arrived with the response.
                if self._conn.trailing_data[0]:
                    self._unsolicited = True
                return
            elif isinstance(event, h11.InformationalResponse):
                # 100 Continue, 103 Early Hints, ...: a preliminary answer
                # before the real one (RFC 9110 section 15.2); 101 never gets
                # here, as no request proposes a switch (h11 rejects it).
                continue
            else:
                # NEED_DATA; PAUSED, meaning bytes after the complete
                # response; or ConnectionClosed, meaning the close after it.
                if event is h11.PAUSED:
                    self._unsolicited = True
                return

    @staticmethod
    def _flush(events: list[ExchangeEvent], body: list[bytes | bytearray]) -> list[ExchangeEvent]:
        if body:
            events.append(BodyChunk(b"".join(body)))
            body.clear()
        return events

    # -- keep-alive --------------------------------------------------------------------

    def next_exchange(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes | bytearray | memoryview | None = None,
    ) -> HTTP11Exchange:
        """Start the next request on this exchange's connection (keep-alive).

        Returns a new :class:`HTTP11Exchange` in the ``AWAITING_RESPONSE``
        state, on the same connection, with the same ``max_header_size``;
        send its :attr:`request_bytes` and feed its :meth:`receive`. This
        exchange moves to the ``HANDED_OFF`` state: its ``receive()`` and
        ``next_exchange()`` raise ``LocalProtocolError`` from then on. The
        arguments are those of the constructor; the URL must have this
        exchange's origin. If the request is refused, nothing changes and
        this exchange stays reusable.

        Raises:
            LocalProtocolError: :attr:`reusable` is false, the URL has
                another origin, the request cannot be sent (as for the
                constructor), or the exchange was already handed off.
            RemoteProtocolError: the exchange is in the ``ERROR`` state (the
                error that put it there).
        """
        if self._state is _ERROR or self._state is _HANDED_OFF:
            self._refuse("next_exchange")
        if not self.reusable:
            raise LocalProtocolError(
                f"the connection cannot carry another request ({self._why_not_reusable()})"
            )
        origin, target = _parse_url(url)
        if origin != self._origin:
            raise LocalProtocolError(
                f"next_exchange() must stay on the connection's origin {self._origin}, not {origin}"
            )
        target = self._target(origin, target)
        request, payload = _build_request(method, origin, target, headers, body)
        try:
            self._conn.start_next_cycle()
        except h11.LocalProtocolError as exc:  # pragma: no cover - reusable checked it
            raise LocalProtocolError(f"the connection cannot be reused: {exc}") from exc
        successor = HTTP11Exchange.__new__(HTTP11Exchange)
        successor._absolute = self._absolute
        successor._begin(self._conn, origin, request, payload, self._max_header_size)
        self._state = _HANDED_OFF
        return successor

    # -- helpers -------------------------------------------------------------------------

    def _target(self, origin: Origin, target: str) -> str:
        """The request target: ``target`` (origin form), or the absolute
        form for a proxy."""
        if not self._absolute:
            return target
        return f"{origin.scheme}://{_host_header(origin).decode('ascii')}{target}"

    def _refuse(self, what: str) -> NoReturn:
        if self._error is not None:
            raise self._error.with_traceback(None)
        raise LocalProtocolError(f"{what}() called after next_exchange() handed the connection on")

    def _fail(self, error: _Fault) -> _Fault:
        self._state = _ERROR
        self._error = error
        return error

    def _translate(self, exc: h11.RemoteProtocolError) -> HTTPProtocolError | HeadersTooLarge:
        if self._eof:
            # h11 reports a close before the end of the response this way.
            if self._state is _BODY:
                return IncompleteBody(
                    f"the peer closed the connection before the end of the response body: {exc}"
                )
            if self._head_bytes == 0:
                return NoResponse("the peer closed the connection without sending a response")
            return IncompleteResponse(
                "the peer closed the connection before the end of the response head"
            )
        if exc.error_status_hint == 431:
            # h11's only 431: its buffer passed max_incomplete_event_size,
            # which in the body means a chunk-size line or trailer section.
            limit = self._max_header_size
            return HeadersTooLarge(
                f"a chunk-size line or trailer section exceeded max_header_size={limit} "
                f"bytes; raise max_header_size if such responses are expected",
                limit="max_header_size",
                value=limit,
            )
        return HTTPProtocolError(f"invalid HTTP/1.1 response: {exc}")

    def _headers_too_large(self) -> HeadersTooLarge:
        limit = self._max_header_size
        return HeadersTooLarge(
            f"the response head exceeded max_header_size={limit} bytes; "
            f"raise max_header_size if such responses are expected",
            limit="max_header_size",
            value=limit,
        )

    def _why_not_reusable(self) -> str:
        if self._state is not _COMPLETE:
            return f"the response is not complete; the state is {self._state.name}"
        if self._unsolicited:
            return "bytes arrived after the response"
        if self._conn.their_state is h11.CLOSED:
            return "the peer closed it"
        return "the server or the request asked to close it"
