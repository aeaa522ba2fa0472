"""sseproto: a sans-I/O Server-Sent Events toolkit.

The core (everything importable from this package) uses only the standard
library and performs no I/O: feed it bytes, get events back.
"""

from ._chunks import (
    DEFAULT_SENTINEL,
    ChunkDecoder,
    ChunkState,
    DataAfterDone,
    Heartbeat,
    InBandError,
    JSONChunk,
    MalformedChunk,
    Outcome,
    StreamDone,
    StreamOutcome,
    has_error_member,
)
from ._encoder import encode_comment, encode_event, encode_retry
from ._errors import (
    EventTooLarge,
    LimitExceeded,
    LineTooLong,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
    SSEError,
)
from ._events import Comment, Event
from ._formats import CHAT, COMPLETIONS, IMAGES, MESSAGES, RESPONSES, StreamFormat
from ._history import DEFAULT_HISTORY_BYTES, DEFAULT_HISTORY_EVENTS, EventHistory
from ._hub import Hub
from ._parser import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    EventStreamParser,
    ParserState,
)
from ._reconnect import (
    DEFAULT_MAX_DELAY,
    DEFAULT_MIN_RETRY,
    DEFAULT_RETRY_DELAY,
    MAX_ERROR_BODY,
    RETRYABLE_STATUSES,
    Action,
    Closed,
    Connect,
    Deliver,
    EventSourceMachine,
    EventSourceState,
    Failed,
    Opened,
    ReconnectGaveUp,
    ReconnectPolicy,
    ResponseRejected,
    Wait,
)
from ._source import (
    DEFAULT_KEEPALIVE,
    DEFAULT_MAX_PENDING,
    SSE_HEADERS,
    Resume,
    ServerEvent,
    ServerStream,
    SlowClientPolicy,
    StreamState,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "CHAT",
    "COMPLETIONS",
    "DEFAULT_HISTORY_BYTES",
    "DEFAULT_HISTORY_EVENTS",
    "DEFAULT_KEEPALIVE",
    "DEFAULT_MAX_DELAY",
    "DEFAULT_MAX_EVENT_SIZE",
    "DEFAULT_MAX_LINE_SIZE",
    "DEFAULT_MAX_PENDING",
    "DEFAULT_MIN_RETRY",
    "DEFAULT_RETRY_DELAY",
    "DEFAULT_SENTINEL",
    "IMAGES",
    "MAX_ERROR_BODY",
    "MESSAGES",
    "RESPONSES",
    "RETRYABLE_STATUSES",
    "SSE_HEADERS",
    "Action",
    "ChunkDecoder",
    "ChunkState",
    "Closed",
    "Comment",
    "Connect",
    "DataAfterDone",
    "Deliver",
    "Event",
    "EventHistory",
    "EventSourceMachine",
    "EventSourceState",
    "EventStreamParser",
    "EventTooLarge",
    "Failed",
    "Heartbeat",
    "Hub",
    "InBandError",
    "JSONChunk",
    "LimitExceeded",
    "LineTooLong",
    "LocalProtocolError",
    "MalformedChunk",
    "Opened",
    "Outcome",
    "ParserState",
    "ProtocolError",
    "ReconnectGaveUp",
    "ReconnectPolicy",
    "RemoteProtocolError",
    "ResponseRejected",
    "Resume",
    "SSEError",
    "ServerEvent",
    "ServerStream",
    "SlowClientPolicy",
    "StreamDone",
    "StreamFormat",
    "StreamOutcome",
    "StreamState",
    "Wait",
    "__version__",
    "encode_comment",
    "encode_event",
    "encode_retry",
    "has_error_member",
]

#: Deprecated names, kept for one release: old name -> (new name, value).
_DEPRECATED: dict[str, tuple[str, object]] = {
    "MAX_REJECTED_BODY": ("MAX_ERROR_BODY", MAX_ERROR_BODY),
}


def __getattr__(name: str) -> object:
    if name in _DEPRECATED:
        import warnings  # noqa: PLC0415 - only for deprecated names

        new, value = _DEPRECATED[name]
        warnings.warn(
            f"sseproto.{name} is deprecated: use sseproto.{new}", DeprecationWarning, stacklevel=2
        )
        return value
    raise AttributeError(f"module 'sseproto' has no attribute {name!r}")
