"""A sans-I/O HTTP client for event streams: flows, redirects, deadlines,
connection pooling and the HTTP/1.1 exchange.

Nothing here performs I/O. A *flow* (:func:`stream_flow`,
:func:`request_flow`, :func:`subscribe_flow`, or one composed from
:func:`open_stream` and :func:`read_stream`, or from :func:`open_download`
and :func:`read_download`) is a generator that yields
*operations* (``_ops.py`` lists them, with what each expects back) and
decides everything: redirects (``_redirects.py``), time limits
(``_deadlines.py``), what a request may carry (``_messages.py``), content
codings, decoded as the body arrives (``_decoding.py``), whether
a response opens a stream (:mod:`sseproto`'s Fetch rules), parsing and
reconnection. For runtimes that speak HTTP themselves,
:class:`HTTP11Connections` lowers a flow's request operations to
connection operations, over a :class:`ConnectionPool` of
:class:`HTTP11Exchange` connections (h11), directly or through an HTTP
proxy (:class:`Proxies`: ``_proxies.py`` chooses, ``_tunnel.py`` opens a
``CONNECT`` tunnel); :class:`HTTPConnections` does the same over HTTP/2
where the server speaks it, with streams multiplexed on
:class:`HTTP2Connection` objects (h2) that an :class:`HTTP2Pool` shares.
The drivers and pumps of
:mod:`sseproto.adapters` run flows on real runtimes.

This package may import h11 and h2 (declared dependencies); the core, everything
importable from ``sseproto`` itself, never does. Nothing from h11 or h2 appears
in this package's API: its events are translated to the types below, and
its errors to the ``sseproto`` error tree (see ``_errors.py`` and
``_exchange.py`` for the branches this package adds).
"""

from typing import TYPE_CHECKING, Any

from sseproto._errors import SSEError
from sseproto._reconnect import Deliver, Opened, Wait

from ._connections import IDEMPOTENT_METHODS, HTTP11Connections
from ._deadlines import Deadlines, smallest
from ._decoding import DECODE_STEP, MAX_CODINGS, ContentDecoder, accept_encoding
from ._errors import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_ERROR_BODY,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUTS,
    MAX_LOCATION_SIZE,
    MAX_TIMEOUT,
    BodyTooLarge,
    ConnectError,
    ConnectionLost,
    ConnectTimeout,
    ContentDecodingError,
    EventTimeout,
    InsecureRedirect,
    InvalidRedirect,
    ProxyAuthenticationRequired,
    ProxyError,
    ReadError,
    ReadTimeout,
    RedirectError,
    Timeout,
    Timeouts,
    TooManyRedirects,
    TotalTimeout,
    TransportError,
    UnexpectedContentEncoding,
)
from ._exchange import (
    DEFAULT_MAX_HEADER_SIZE,
    BodyChunk,
    ExchangeEvent,
    ExchangeState,
    HeadersTooLarge,
    HTTP11Exchange,
    HTTPProtocolError,
    IncompleteBody,
    IncompleteResponse,
    NoResponse,
    Origin,
    ResponseComplete,
    ResponseStarted,
)
from ._flows import (
    StreamStart,
    open_download,
    open_stream,
    read_download,
    read_stream,
    request_flow,
    stream_flow,
    subscribe_flow,
)
from ._h2_connections import HTTP2Pool, HTTPConnections
from ._messages import (
    USER_AGENT,
    BodyTypes,
    HeaderTypes,
    PreparedRequest,
    QueryTypes,
    check_request,
    header_pairs,
    prepare_request,
    redact_url,
)
from ._notices import GaveUp, Notice, Reconnected, Reconnecting
from ._ops import (
    DEFAULT_DRAIN_MAX_BYTES,
    DEFAULT_DRAIN_TIMEOUT,
    AwaitChange,
    CheckIdle,
    CloseConnection,
    CloseResponse,
    Drain,
    Head,
    Headers,
    OpenConnection,
    Operation,
    ReadBody,
    ReceiveBytes,
    Response,
    Restart,
    SelectedProtocol,
    SendBytes,
    SendRequest,
    StartTLS,
    TimedOut,
    header_value,
)
from ._pool import DEFAULT_IDLE_EXPIRY, DEFAULT_MAX_IDLE_PER_ORIGIN, RECEIVE_SIZE, ConnectionPool
from ._proxies import NoProxy, Proxies, Proxy
from ._server import (
    DEFAULT_MAX_REQUEST_BODY,
    IncomingRequest,
    Refused,
    ServerExchange,
    ServerStep,
)
from ._shared import CONNECTION_WINDOW, STREAM_WINDOW, NotProcessed, Signal

__all__ = [
    "CONNECTION_WINDOW",
    "DECODE_STEP",
    "DEFAULT_DRAIN_MAX_BYTES",
    "DEFAULT_DRAIN_TIMEOUT",
    "DEFAULT_IDLE_EXPIRY",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_ERROR_BODY",
    "DEFAULT_MAX_HEADER_SIZE",
    "DEFAULT_MAX_IDLE_PER_ORIGIN",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_MAX_REQUEST_BODY",
    "DEFAULT_TIMEOUTS",
    "IDEMPOTENT_METHODS",
    "MAX_CODINGS",
    "MAX_LOCATION_SIZE",
    "MAX_TIMEOUT",
    "RECEIVE_SIZE",
    "STREAM_WINDOW",
    "USER_AGENT",
    "AwaitChange",
    "BodyChunk",
    "BodyTooLarge",
    "BodyTypes",
    "CheckIdle",
    "CloseConnection",
    "CloseResponse",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionLost",
    "ConnectionPool",
    "ContentDecoder",
    "ContentDecodingError",
    "Deadlines",
    "Deliver",
    "Drain",
    "EventTimeout",
    "ExchangeEvent",
    "ExchangeState",
    "GaveUp",
    "HTTP2Connection",
    "HTTP2Pool",
    "HTTP11Connections",
    "HTTP11Exchange",
    "HTTPConnections",
    "HTTPProtocolError",
    "Head",
    "HeaderTypes",
    "Headers",
    "HeadersTooLarge",
    "IncomingRequest",
    "IncompleteBody",
    "IncompleteResponse",
    "InsecureRedirect",
    "InvalidRedirect",
    "NoProxy",
    "NoResponse",
    "NotProcessed",
    "Notice",
    "OpenConnection",
    "Opened",
    "Operation",
    "Origin",
    "PreparedRequest",
    "Proxies",
    "Proxy",
    "ProxyAuthenticationRequired",
    "ProxyError",
    "QueryTypes",
    "ReadBody",
    "ReadError",
    "ReadTimeout",
    "ReceiveBytes",
    "Reconnected",
    "Reconnecting",
    "RedirectError",
    "Refused",
    "Response",
    "ResponseComplete",
    "ResponseStarted",
    "Restart",
    "SSEError",
    "SelectedProtocol",
    "SendBytes",
    "SendRequest",
    "ServerExchange",
    "ServerStep",
    "Signal",
    "StartTLS",
    "StreamStart",
    "TimedOut",
    "Timeout",
    "Timeouts",
    "TooManyRedirects",
    "TotalTimeout",
    "TransportError",
    "UnexpectedContentEncoding",
    "Wait",
    "accept_encoding",
    "check_request",
    "header_pairs",
    "header_value",
    "open_download",
    "open_stream",
    "prepare_request",
    "read_download",
    "read_stream",
    "redact_url",
    "request_flow",
    "smallest",
    "stream_flow",
    "subscribe_flow",
]

if TYPE_CHECKING:
    from ._h2_exchange import HTTP2Connection


def __getattr__(name: str) -> Any:
    # HTTP2Connection imports h2, which only programs that use HTTP/2 need.
    if name == "HTTP2Connection":
        from ._h2_exchange import HTTP2Connection  # noqa: PLC0415

        return HTTP2Connection
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
