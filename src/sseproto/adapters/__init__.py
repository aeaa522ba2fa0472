"""Adapters: the drivers that run the flows of :mod:`sseproto.http`, the
streams users iterate, and one thin pump per runtime.

One client per runtime, all with the same methods (``stream()``,
``request()``, ``subscribe()``, ``run()``, ``event_stream()``) and the
same behaviour:

- :class:`sseproto.adapters.sync.Client`: blocking ``socket`` + ``ssl``;
- :class:`sseproto.adapters.asyncio.Client`: asyncio transports;
- :class:`sseproto.adapters.trio.Client`: trio streams (``trio`` extra);
- :class:`AsyncClient`: asyncio or trio, whichever is running;
- :class:`sseproto.adapters.httpx.Client` and ``AsyncClient``: over a
  caller's httpx client (``httpx`` extra).

Layout: ``_drivers.py`` runs a flow (the one place that sends into a flow
or throws into it); ``_streams.py`` holds what users iterate;
``_clients.py`` the client methods; ``_sockets.py`` what the socket
runtimes share; ``sync.py``, ``asyncio.py``, ``trio.py`` and ``httpx.py``
only perform operations; ``_runtime.py`` tells asyncio from trio. Every
decision about HTTP and the protocol lives in :mod:`sseproto.http` and the
core.

The names of :mod:`sseproto.http` that users meet (errors, limits,
:class:`Timeouts`, :class:`Response`, the exchange) are re-exported here.
"""

from sseproto._errors import SSEError
from sseproto.http import (
    DEFAULT_IDLE_EXPIRY,
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_ERROR_BODY,
    DEFAULT_MAX_HEADER_SIZE,
    DEFAULT_MAX_IDLE_PER_ORIGIN,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUTS,
    MAX_LOCATION_SIZE,
    MAX_TIMEOUT,
    USER_AGENT,
    BodyChunk,
    BodyTooLarge,
    ConnectError,
    ConnectionLost,
    ConnectionPool,
    ConnectTimeout,
    ContentDecodingError,
    EventTimeout,
    ExchangeEvent,
    ExchangeState,
    HeadersTooLarge,
    HTTP11Exchange,
    HTTPProtocolError,
    IncompleteBody,
    IncompleteResponse,
    InsecureRedirect,
    InvalidRedirect,
    NoResponse,
    Origin,
    Proxies,
    ProxyAuthenticationRequired,
    ProxyError,
    ReadError,
    ReadTimeout,
    RedirectError,
    Response,
    ResponseComplete,
    ResponseStarted,
    Timeout,
    Timeouts,
    TooManyRedirects,
    TotalTimeout,
    TransportError,
    UnexpectedContentEncoding,
)

from ._auto import AsyncClient
from ._clients import AsyncClientBase, SyncClientBase
from ._drivers import AsyncDriver, SyncDriver
from ._streams import AsyncEventStream, EventStream
from ._subscriptions import AsyncSubscription, Subscription

__all__ = [
    "DEFAULT_IDLE_EXPIRY",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_ERROR_BODY",
    "DEFAULT_MAX_HEADER_SIZE",
    "DEFAULT_MAX_IDLE_PER_ORIGIN",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_TIMEOUTS",
    "MAX_LOCATION_SIZE",
    "MAX_TIMEOUT",
    "USER_AGENT",
    "AsyncClient",
    "AsyncClientBase",
    "AsyncDriver",
    "AsyncEventStream",
    "AsyncSubscription",
    "BodyChunk",
    "BodyTooLarge",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionLost",
    "ConnectionPool",
    "ContentDecodingError",
    "EventStream",
    "EventTimeout",
    "ExchangeEvent",
    "ExchangeState",
    "HTTP11Exchange",
    "HTTPProtocolError",
    "HeadersTooLarge",
    "IncompleteBody",
    "IncompleteResponse",
    "InsecureRedirect",
    "InvalidRedirect",
    "NoResponse",
    "Origin",
    "Proxies",
    "ProxyAuthenticationRequired",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RedirectError",
    "Response",
    "ResponseComplete",
    "ResponseStarted",
    "SSEError",
    "Subscription",
    "SyncClientBase",
    "SyncDriver",
    "Timeout",
    "Timeouts",
    "TooManyRedirects",
    "TotalTimeout",
    "TransportError",
    "UnexpectedContentEncoding",
]
