"""What a subscription tells an observer between events.

A :func:`~sseproto.http.subscribe_flow` calls its ``on_notice`` with one of
these whenever something happens that yields no event: a connection ended
or could not be made and the next one is scheduled (:class:`Reconnecting`),
a new connection was accepted (:class:`Reconnected`), or the subscription
stops for good (:class:`GaveUp`). Without an observer a dead server is
silent until the policy gives up; with one, a command line or a log can
say "retrying in 3 s" as it happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from sseproto._errors import SSEError

__all__ = ["GaveUp", "Notice", "Reconnected", "Reconnecting"]


@dataclass(frozen=True, slots=True)
class Reconnecting:
    """The connection ended, or could not be made, and the subscription will
    reconnect after ``delay`` seconds (with ``Last-Event-ID``)."""

    #: The wait before the next connection, in seconds.
    delay: float
    #: Which reconnection of the current run of failures comes next: 1 after
    #: a healthy connection (see :class:`~sseproto.ReconnectPolicy`) or the
    #: first one, then 2, 3, ... while connections keep failing.
    attempt: int
    #: Why the connection ended: a :class:`~sseproto.http.TransportError`
    #: (:class:`~sseproto.http.ConnectionLost`, ``ConnectError``, a
    #: ``Timeout``), an HTTP error, a :class:`~sseproto.ResponseRejected`
    #: for a status the policy retries; ``None`` when the server ended the
    #: body cleanly.
    error: BaseException | None


@dataclass(frozen=True, slots=True)
class Reconnected:
    """A connection after the first was accepted: the stream is open again."""

    #: The URL that answered (after redirects).
    url: str
    #: The reconnection that succeeded, counted as in :class:`Reconnecting`
    #: (the ``attempt`` of the last ``Reconnecting``; a restart counts as
    #: the next one).
    attempt: int


@dataclass(frozen=True, slots=True)
class GaveUp:
    """The subscription stops for good: ``error`` is raised to the consumer
    right after this notice (``ReconnectGaveUp``, ``ResponseRejected``, a
    limit or redirect error, ...)."""

    error: SSEError


#: What ``on_notice`` receives.
Notice: TypeAlias = Reconnecting | Reconnected | GaveUp
