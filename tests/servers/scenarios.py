"""The event-stream scenarios that clients nobody here wrote (Chromium's
EventSource, the npm ``eventsource`` package) and the project's own clients
run against each server front end.

Every scenario is an application written the way a user of the front ends
writes one: a *source factory* called with the request's ``Last-Event-ID``
that returns the events to send. Each ends with an event of type ``end``,
where the clients stop.

- :data:`BASIC`: events in order, with multi-line data, non-ASCII text,
  named events, empty data and leading spaces (served with LF and with CRLF
  line endings).
- :class:`Resumable`: the server drops the connection after a few events;
  while the client is away more events are published, so each reconnection
  (``Last-Event-ID``) must get the missed ones from the history, then live
  ones, until the last. No event may be lost or repeated.
- :class:`UnknownResume`: the server forgot its history (a restart): a
  reconnection whose ``Last-Event-ID`` the history does not know gets a
  ``reset`` event first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Final

from sseproto import EventHistory, ServerEvent

__all__ = [
    "BASIC",
    "LISTENED_TYPES",
    "RETRY_MS",
    "Basic",
    "Resumable",
    "UnknownResume",
    "expected",
]

#: The events of the basic scenario, in order.
BASIC: Final = (
    ServerEvent("one", id="1"),
    ServerEvent("two\nlines\nthree", id="2"),
    ServerEvent("héllo — 世界 🎉 \u2028 line separator", id="3"),
    ServerEvent("named", type="update", id="4"),
    ServerEvent("", id="5"),
    ServerEvent("  two leading spaces", id="6"),
    ServerEvent("done", type="end", id="7"),
)

#: The event types besides ``message`` the clients listen for.
LISTENED_TYPES: Final = ("update", "reset", "end")

#: The ``retry:`` the resuming scenarios send, in milliseconds: short, so the
#: clients reconnect at once.
RETRY_MS: Final = 50


def expected(events: tuple[ServerEvent, ...] | list[ServerEvent]) -> list[tuple[str, str, str]]:
    """What an EventSource reports for ``events`` (every one with an id):
    ``(type, data, lastEventId)``."""
    return [(event.type or "message", event.data, event.id or "") for event in events]


class Basic:
    """The events of :data:`BASIC`, written with ``line_ending``."""

    def __init__(self, line_ending: str = "\n") -> None:
        self.options: dict[str, Any] = {"line_ending": line_ending}
        self.last_event_ids: list[str | None] = []

    def expected(self) -> list[tuple[str, str, str]]:
        """What a client reports."""
        return expected(BASIC)

    def source(self, last_event_id: str | None) -> Iterator[ServerEvent]:
        """The source factory."""
        self.last_event_ids.append(last_event_id)
        return iter(BASIC)


class Resumable:
    """Events ``1`` .. ``total`` (the last of type ``end``): each connection
    sends ``per_connection`` new events and ends; then ``missed`` more are
    published to the history only, as if published while the client
    reconnects. Serve :meth:`source` with :attr:`options` (the history and
    ``retry=RETRY_MS``).

    :attr:`last_event_ids` records each request's ``Last-Event-ID``. Safe to
    use from several threads (a WSGI server's).
    """

    def __init__(self, *, total: int = 12, per_connection: int = 3, missed: int = 2) -> None:
        self.total = total
        self.per_connection = per_connection
        self.missed = missed
        self.history = EventHistory()
        #: The stream options to serve :meth:`source` with.
        self.options: dict[str, Any] = {"history": self.history, "retry": RETRY_MS}
        self.last_event_ids: list[str | None] = []
        self._published = 0
        self._lock = threading.Lock()

    def event(self, number: int) -> ServerEvent:
        """The event numbered ``number``."""
        type_ = "end" if number == self.total else None
        return ServerEvent(f"event {number}", type=type_, id=str(number))

    def expected(self) -> list[tuple[str, str, str]]:
        """What a client that resumes correctly reports."""
        return expected([self.event(number) for number in range(1, self.total + 1)])

    def _publish(self) -> ServerEvent | None:
        with self._lock:
            if self._published == self.total:
                return None
            self._published += 1
            event = self.event(self._published)
            assert event.id is not None
            self.history.append(event.id, event.encode())
            return event

    def source(self, last_event_id: str | None) -> Iterator[ServerEvent]:
        """The source factory: the stream replays from :attr:`history` first."""
        self.last_event_ids.append(last_event_id)
        return self._events()

    def _events(self) -> Iterator[ServerEvent]:
        for _ in range(self.per_connection):
            event = self._publish()
            if event is None:
                return
            yield event
        for _ in range(self.missed):
            self._publish()


class UnknownResume:
    """A server that lost its history: the first connection sends ``a1``,
    ``a2`` and ends; the reconnection (``Last-Event-ID: a2``, unknown to the
    empty :attr:`history`) gets a ``reset`` event, then ``b1`` and the end.
    Serve :meth:`source` with :attr:`options`.
    """

    BEFORE: Final = (ServerEvent("a1", id="a1"), ServerEvent("a2", id="a2"))
    RESET: Final = ServerEvent("history lost", type="reset")
    AFTER: Final = (ServerEvent("b1", id="b1"), ServerEvent("done", type="end", id="b2"))

    def __init__(self) -> None:
        self.history = EventHistory()
        #: The stream options to serve :meth:`source` with.
        self.options: dict[str, Any] = {"history": self.history, "retry": RETRY_MS}
        self.last_event_ids: list[str | None] = []

    def expected(self) -> list[tuple[str, str, str]]:
        """What a client reports: the reset event keeps the last event ID ``a2``."""
        before = expected(list(self.BEFORE))
        return [*before, ("reset", self.RESET.data, "a2"), *expected(list(self.AFTER))]

    def source(self, last_event_id: str | None) -> Iterator[ServerEvent]:
        """The source factory: a reset for an ID the history does not know."""
        self.last_event_ids.append(last_event_id)
        if last_event_id is None:
            return iter(self.BEFORE)
        if self.history.after(last_event_id) is None:
            return iter((self.RESET, *self.AFTER))
        return iter(self.AFTER)
