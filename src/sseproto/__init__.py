"""sseproto: a sans-I/O Server-Sent Events toolkit.

The core (everything importable from this package) uses only the standard
library and performs no I/O: feed it bytes, get events back.
"""

from ._encoder import encode_comment, encode_event, encode_retry
from ._errors import (
    EventTooLarge,
    LimitExceeded,
    LineTooLong,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
)
from ._events import Comment, Event
from ._parser import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    EventStreamParser,
    ParserState,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "DEFAULT_MAX_EVENT_SIZE",
    "DEFAULT_MAX_LINE_SIZE",
    "Comment",
    "Event",
    "EventStreamParser",
    "EventTooLarge",
    "LimitExceeded",
    "LineTooLong",
    "LocalProtocolError",
    "ParserState",
    "ProtocolError",
    "RemoteProtocolError",
    "__version__",
    "encode_comment",
    "encode_event",
    "encode_retry",
]
