"""The operations of the sans-I/O HTTP client: one vocabulary for every layer.

A flow (``_flows.py``) is a generator that yields operations and receives
their results, in the manner of httpx's ``Auth.auth_flow``. It decides
everything and performs nothing; a driver (:mod:`sseproto.adapters`) is
the only code that sends results into it or throws failures into it, and
a runtime's pump performs each operation. The vocabulary has two levels:

Request level: what every flow yields, and what the httpx pumps perform::

    operation        perform                                   send back
    SendRequest      send the request, read the response head  Head, or TimedOut
    ReadBody         read the next bytes of the response body  bytes (b"" at the
                                                               end), None if timed out
    CloseResponse    release the response (reuse or close)     None
    Wait             sleep that many seconds                   None
    Opened           hand the response head to the user        None
    Deliver          hand these items to the user              None, or Drain

Connection level: what :class:`~sseproto.http.HTTP11Connections` lowers
the first three to, and what the socket pumps (blocking, asyncio, trio)
perform::

    operation          perform                                 send back
    OpenConnection     connect to origin (TLS if origin.tls)   the connection, or
                                                               None if timed out
    CheckIdle          look, without waiting, whether an idle  True if nothing is
                       connection has anything to read         there, else False
                       (bytes, end of file, an error)
    SendBytes          send all of data                        True, or None if
                                                               timed out
    ReceiveBytes       receive some bytes                      bytes (b"" at EOF),
                                                               or None if timed out
    CloseConnection    close it at once (never raises)         None
    StartTLS           begin TLS on an open connection (the    the TLS connection,
                       tunnel through a proxy), verifying      or None if timed out
                       server_hostname
    SelectedProtocol   the protocol TLS negotiated (ALPN)      "h2", "http/1.1" or None
    AwaitChange        wait until another flow changes the     True, or None if
                       shared connection (its Signal wakes)    timed out

``Wait``, ``Opened`` and ``Deliver`` are the core's own actions (the
:class:`~sseproto.EventSourceMachine` returns the same classes), so a
subscription hands the machine's actions on unchanged.

A failure to perform an operation is thrown into the flow as a
:class:`~sseproto.TransportError` (connecting, sending, receiving) or a
:class:`~sseproto.ProtocolError` (what the server sent). A flow that raises,
or that its driver closes, leaves its response to the driver, which closes
it (a flow never yields while an exception propagates, so closing a flow is
always safe).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias, Union

from sseproto._reconnect import Deliver, Opened, Wait

from ._exchange import Origin

__all__ = [
    "DEFAULT_DRAIN_MAX_BYTES",
    "DEFAULT_DRAIN_TIMEOUT",
    "AwaitChange",
    "CheckIdle",
    "CloseConnection",
    "CloseResponse",
    "Deliver",
    "Drain",
    "Head",
    "Headers",
    "OpenConnection",
    "Opened",
    "Operation",
    "ReadBody",
    "ReceiveBytes",
    "Response",
    "Restart",
    "SelectedProtocol",
    "SendBytes",
    "SendRequest",
    "StartTLS",
    "TimedOut",
    "Wait",
    "header_value",
]

#: Header pairs, in order: ``(name, value)``.
Headers: TypeAlias = tuple[tuple[str, str], ...]


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
    """A response head, the result of :class:`SendRequest`; ``url`` is the
    URL that answered, set by the flow (after redirects) when it hands the
    head to the user in :class:`~sseproto.Opened`."""

    status: int
    reason: str
    headers: Headers
    #: ``"HTTP/1.1"``, ``"HTTP/1.0"`` or ``"HTTP/2"``: the protocol that
    #: carried the response.
    http_version: str = "HTTP/1.1"
    url: str = ""


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
class Drain:
    """Not an operation but the value a caller sends back into
    :func:`~sseproto.http.stream_flow` at a :class:`~sseproto.Deliver`: no
    more items are wanted. The flow reads what is left of the body, discarding it, for at most
    ``timeout`` seconds and ``max_bytes`` bytes; a body that ends within
    that bound leaves its connection reusable, any other is closed. Then the
    flow returns."""

    timeout: float
    max_bytes: int


@dataclass(frozen=True, slots=True)
class Restart:
    """Not an operation but the value a caller sends back into
    :func:`~sseproto.http.subscribe_flow` at an :class:`~sseproto.Opened` or
    a :class:`~sseproto.Deliver`: drop this connection and reconnect at once
    (no wait), with the last event ID (see
    :meth:`sseproto.EventSourceMachine.restart`)."""


#: How long :meth:`EventStream.drain` waits, by default, for the rest of a
#: body whose events are no longer wanted (the end of a chunked body
#: normally follows its last event at once).
DEFAULT_DRAIN_TIMEOUT: Final = 0.1

#: How many bytes :meth:`EventStream.drain` reads, by default, before it
#: gives the connection up instead.
DEFAULT_DRAIN_MAX_BYTES: Final = 65536


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
    #: ``"HTTP/1.1"``, ``"HTTP/1.0"`` or ``"HTTP/2"``, as in :class:`Head`.
    http_version: str = "HTTP/1.1"

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


# -- connection level ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenConnection:
    """Connect to ``origin`` within ``timeout`` seconds (``None``: no limit)."""

    origin: Origin
    timeout: float | None


@dataclass(frozen=True, slots=True)
class CheckIdle:
    """Look whether the idle ``conn`` may carry a request, without waiting:
    send back ``True`` if nothing can be read from it now, ``False`` if
    bytes, the end of file or an error are waiting (the connection is then
    closed by the flow, never used)."""

    conn: Any


@dataclass(frozen=True, slots=True)
class SendBytes:
    """Send all of ``data`` on ``conn`` within ``timeout`` seconds.

    ``data`` is left out of ``repr()``: request heads carry credentials
    (``Authorization``, ``Proxy-Authorization``)."""

    conn: Any
    data: bytes = field(repr=False)
    timeout: float | None


@dataclass(frozen=True, slots=True)
class ReceiveBytes:
    """Receive up to ``RECEIVE_SIZE`` bytes from ``conn`` within ``timeout`` seconds."""

    conn: Any
    timeout: float | None


@dataclass(frozen=True, slots=True)
class CloseConnection:
    """Close ``conn`` at once."""

    conn: Any


@dataclass(frozen=True, slots=True)
class StartTLS:
    """Begin TLS on ``conn``, a connection :class:`OpenConnection` made to a
    plain ``http`` origin (an HTTP proxy whose ``CONNECT`` tunnel is open),
    within ``timeout`` seconds: send ``server_hostname`` in SNI and verify
    the certificate against it, with the client's TLS context, over the
    same socket. Send back the connection to use from then on (it may be a
    new object wrapping ``conn``), or ``None`` if the time ran out; a
    failed handshake raises ``OSError`` (``ssl.SSLError``)."""

    conn: Any
    server_hostname: str
    timeout: float | None


@dataclass(frozen=True, slots=True)
class SelectedProtocol:
    """Send back the application protocol that TLS negotiated on ``conn``
    (ALPN: ``"h2"``, ``"http/1.1"``), or ``None`` (none, or no TLS)."""

    conn: Any


@dataclass(frozen=True, slots=True)
class AwaitChange:
    """Wait until ``target`` (a :class:`~sseproto.http.Signal`, such as a
    shared HTTP/2 connection) wakes its waiters, for at most ``timeout``
    seconds (``None``: no limit); send back ``True``, or ``None`` if the
    time ran out. Register before waiting (``target.add_waiter(callback)``,
    where the callback must not block), and remove the callback after."""

    target: Any
    timeout: float | None


#: Every operation a flow or :class:`~sseproto.http.HTTP11Connections` yields.
Operation: TypeAlias = Union[  # noqa: UP007 (a generic alias needs Union on 3.11)
    SendRequest,
    ReadBody,
    CloseResponse,
    Wait,
    Opened,
    Deliver[Any],
    OpenConnection,
    CheckIdle,
    SendBytes,
    ReceiveBytes,
    CloseConnection,
    StartTLS,
    SelectedProtocol,
    AwaitChange,
]
