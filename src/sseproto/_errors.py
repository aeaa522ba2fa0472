"""Exceptions raised by sseproto.

The tree::

    SSEError                          the root: every error sseproto raises about a
    │                                 stream, a request or a connection; never raised bare
    ├── TransportError                the connection failed (``sseproto.http``)
    │   └── ConnectionLost            ... was lost once made: ``ReadError``, and the
    │                                 ``IncompleteResponse`` errors (also protocol errors)
    └── ProtocolError                 never raised bare
        ├── LocalProtocolError        the caller misused the API (feed after close,
        │                             an event that cannot be encoded, ...)
        └── RemoteProtocolError       the peer sent something this library rejects
            ├── LimitExceeded         a configured size limit was exceeded
            │   ├── LineTooLong       a line grew past ``max_line_size``
            │   └── EventTooLarge     an event's data grew past ``max_event_size``
            ├── MalformedChunk        undecodable JSON chunk data (``_chunks``)
            ├── DataAfterDone         events kept coming after the end marker (``_chunks``)
            ├── ResponseRejected      not a 200 ``text/event-stream`` response (``_reconnect``)
            └── ReconnectGaveUp       the reconnect policy ran out (``_reconnect``)

After a ``RemoteProtocolError`` the object that raised it is in a terminal
error state: every further call raises the same error again.
"""

from __future__ import annotations

__all__ = [
    "EventTooLarge",
    "LimitExceeded",
    "LineTooLong",
    "LocalProtocolError",
    "ProtocolError",
    "RemoteProtocolError",
    "SSEError",
]


class SSEError(Exception):
    """The root of every error sseproto raises about a stream, a request or a
    connection: ``except sseproto.SSEError`` catches them all (and nothing
    else: a caller's wrong argument type stays a ``TypeError``, a number out
    of range a ``ValueError``). Never raised itself.

    Its two branches: :class:`ProtocolError` (what was sent or asked breaks
    the rules) and :class:`sseproto.http.TransportError` (the connection
    failed).
    """


class ProtocolError(SSEError):
    """Base class of every error sseproto raises about a stream.

    Catch this to handle both kinds; it is never raised itself.
    """

    def __init__(self, msg: str) -> None:
        if type(self) is ProtocolError:
            raise TypeError("ProtocolError is abstract; raise a subclass")
        super().__init__(msg)


class LocalProtocolError(ProtocolError):
    """The caller asked for something impossible (a bug in the calling code)."""


class RemoteProtocolError(ProtocolError):
    """The peer sent a stream that this library rejects."""


class LimitExceeded(RemoteProtocolError):
    """A size limit was exceeded; ``limit`` names the setting and ``value`` its value.

    Raised directly (not as a subclass) for a ``retry`` field with more digits
    than ``sys.get_int_max_str_digits()`` allows converting.
    """

    def __init__(self, msg: str, *, limit: str, value: int) -> None:
        super().__init__(msg)
        #: Name of the keyword argument that sets this limit.
        self.limit = limit
        #: The limit's value at the time of the error.
        self.value = value


class LineTooLong(LimitExceeded):
    """A line (without its line ending) grew past ``max_line_size`` bytes."""


class EventTooLarge(LimitExceeded):
    """An event's data buffer grew past ``max_event_size`` characters."""
