"""The time limits of one request, as deadlines on the flow's clock.

:class:`~sseproto.http.Timeouts` names four limits (connect, read, event,
total); a flow turns them into a :class:`Deadlines` when it starts. Each
wait the flow asks for (``SendRequest``, ``ReadBody``) carries the time it
may last, already cut to the nearer deadline, and the deadline itself, so a
runtime that gets bytes which complete nothing (a head dripped a byte at a
time, chunk framing) cuts its next wait to it. When a wait runs out, the
error names the limit that passed (:meth:`Deadlines.expired`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ._errors import (
    ConnectTimeout,
    EventTimeout,
    ReadTimeout,
    Timeout,
    Timeouts,
    TotalTimeout,
)
from ._ops import ReadBody

__all__ = ["Deadlines", "smallest"]

#: A wait that ends this close before a deadline is blamed on it: clocks and
#: event loops may wake a hair early, and a wait cut to a deadline computes
#: the time left with float arithmetic.
_DEADLINE_SLACK: Final = 1e-3


def smallest(*limits: float | None) -> float | None:
    """The smallest of ``limits`` that are not ``None`` (``None``: no limit)."""
    known = [limit for limit in limits if limit is not None]
    return min(known) if known else None


class Deadlines:
    """The deadlines of one request, from :class:`Timeouts` and a clock."""

    __slots__ = (
        "_clock",
        "_event_deadline",
        "_events",
        "_nearest",
        "_timeouts",
        "_total_deadline",
    )

    def __init__(self, timeouts: Timeouts, clock: Callable[[], float]) -> None:
        self._timeouts = timeouts
        self._clock = clock
        now = clock()
        self._total_deadline = None if timeouts.total is None else now + timeouts.total
        self._event_deadline: float | None = None
        # Which limit the last wait was cut to: the one to blame if it
        # passes and neither deadline has; and whether it counted events.
        self._nearest: type[Timeout] = ReadTimeout
        self._events = False

    def start_events(self) -> None:
        """The stream opened, or an event arrived: the event limit starts over."""
        if self._timeouts.event is not None:
            self._event_deadline = self._clock() + self._timeouts.event

    def body_timeout(self, *, events: bool) -> float | None:
        """The smallest per-read limit of the body: read, and event if counted."""
        return smallest(self._timeouts.read, self._timeouts.event if events else None)

    def deadline(self, *, events: bool = False) -> float | None:
        """The clock time no wait may pass: the total deadline, and the
        event deadline if counted, whichever is nearer."""
        return smallest(self._total_deadline, self._event_deadline if events else None)

    def read(self, *, events: bool = False) -> ReadBody:
        """The next body read: its wait, cut to the deadlines, and the deadline."""
        return ReadBody(self.read_timeout(events=events), self.deadline(events=events))

    def connect_timeout(self) -> float | None:
        return self._wait(self._timeouts.connect, ConnectTimeout, events=False)

    def read_timeout(self, *, events: bool = False) -> float | None:
        return self._wait(self._timeouts.read, ReadTimeout, events=events)

    def _wait(self, limit: float | None, kind: type[Timeout], *, events: bool) -> float | None:
        """How long the next wait may last, remembering which limit cuts it."""
        now = self._clock()
        best = limit
        self._nearest = kind
        self._events = events
        if events and self._event_deadline is not None:
            left = self._event_deadline - now
            if best is None or left < best:
                best, self._nearest = left, EventTimeout
        if self._total_deadline is not None:
            left = self._total_deadline - now
            if best is None or left < best:
                best, self._nearest = left, TotalTimeout
        if best is not None and best <= 0:
            raise self.expired()
        return best

    def expired(self) -> Timeout:
        """The error for a wait that ran out: the total or event limit if
        its deadline has passed by the clock (a runtime may have cut a wait
        short to it after bytes arrived), else the limit the wait was cut to."""
        now = self._clock() + _DEADLINE_SLACK
        kind = self._nearest
        if self._total_deadline is not None and now >= self._total_deadline:
            kind = TotalTimeout
        elif self._events and self._event_deadline is not None and now >= self._event_deadline:
            kind = EventTimeout
        timeouts = self._timeouts
        if kind is TotalTimeout:
            limit = timeouts.total
            what = "the request took longer than the total limit"
        elif kind is EventTimeout:
            limit = timeouts.event
            what = "no event arrived within the event limit"
        elif kind is ConnectTimeout:
            limit = timeouts.connect
            what = "connecting took longer than the connect limit"
        else:
            limit = timeouts.read
            what = "the server sent nothing within the read limit"
        assert limit is not None
        return kind(f"{what} ({limit:g} s); see Timeouts", limit=limit)
