"""Adapters: thin pumps between a byte transport and the sans-I/O core.

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
