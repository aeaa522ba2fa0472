"""Adapters: thin pumps between a byte transport and the sans-I/O core.

One client per runtime, all with the same methods (``stream()``,
``request()``, ``subscribe()``) and the same behaviour:

- :class:`sseproto.adapters.sync.Client`: blocking ``socket`` + ``ssl``;
- :class:`sseproto.adapters.asyncio.Client`: asyncio streams;
- :class:`sseproto.adapters.trio.Client`: trio streams (``trio`` extra);
- :class:`AsyncClient`: asyncio or trio, whichever is running;
- :class:`sseproto.adapters.httpx.Client` and ``AsyncClient``: over a
  caller's httpx client (``httpx`` extra).

Each adapter only reads bytes, feeds them to the core, yields what the core
returns, and closes; every decision about the protocol lives in the core.
The blocking, asyncio and trio adapters share one sans-I/O HTTP/1.1 client
exchange, :class:`HTTP11Exchange`, built on h11.

This package may import h11 (a declared dependency); the core, everything
importable from ``sseproto`` itself, never does and needs only the standard
library. Nothing from h11 appears in this package's API: its events are
translated to the types below, and its errors to the ``sseproto`` error tree
(see :mod:`sseproto.adapters._http11` for the tree).
"""

from ._auto import AsyncClient
from ._errors import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_ERROR_BODY,
    DEFAULT_MAX_REDIRECTS,
    MAX_LOCATION_SIZE,
    MAX_TIMEOUT,
    BodyTooLarge,
    ConnectError,
    ConnectTimeout,
    EventTimeout,
    InsecureRedirect,
    InvalidRedirect,
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
from ._flows import USER_AGENT, Response
from ._http11 import (
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
from ._pool import DEFAULT_IDLE_EXPIRY, DEFAULT_MAX_IDLE_PER_ORIGIN, ConnectionPool
from ._runners import AsyncEventStream, AsyncSubscription, EventStream, Subscription

__all__ = [
    "DEFAULT_IDLE_EXPIRY",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_ERROR_BODY",
    "DEFAULT_MAX_HEADER_SIZE",
    "DEFAULT_MAX_IDLE_PER_ORIGIN",
    "DEFAULT_MAX_REDIRECTS",
    "MAX_LOCATION_SIZE",
    "MAX_TIMEOUT",
    "USER_AGENT",
    "AsyncClient",
    "AsyncEventStream",
    "AsyncSubscription",
    "BodyChunk",
    "BodyTooLarge",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionPool",
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
    "ReadError",
    "ReadTimeout",
    "RedirectError",
    "Response",
    "ResponseComplete",
    "ResponseStarted",
    "Subscription",
    "Timeout",
    "Timeouts",
    "TooManyRedirects",
    "TotalTimeout",
    "TransportError",
    "UnexpectedContentEncoding",
]
