"""A bounded history of sent events, so a reconnecting client can resume.

A client that reconnects sends the ID of the last event it received in the
``Last-Event-ID`` header (WHATWG HTML, 9.2.4 "Processing model": "If the
EventSource object's last event ID string is not the empty string, ... set
`Last-Event-ID`"). :class:`EventHistory` keeps the encoded frames of the
newest events by ID, so the server can send the ones the client missed:
``history.after(last_event_id)``.

Lookups are O(1): a dict maps each ID to the sequence number of its newest
occurrence, and the frames sit in a list in sequence order, so the frames
after an ID are one slice. Eviction moves a head index forward and compacts
the list when half of it is dead, which keeps ``append`` amortised O(1).
"""

from __future__ import annotations

from typing import Final

from ._errors import LocalProtocolError

__all__ = ["DEFAULT_HISTORY_BYTES", "DEFAULT_HISTORY_EVENTS", "EventHistory"]

#: Default ``EventHistory(max_events=)``: 1000 events, a few minutes of a busy
#: feed at a handful of events a second.
DEFAULT_HISTORY_EVENTS: Final = 1000

#: Default ``EventHistory(max_bytes=)``: 1 MiB of encoded frames, the same as
#: ``ServerStream(max_pending=)``, so a full replay fits one client's queue.
DEFAULT_HISTORY_BYTES: Final = 1 << 20


class EventHistory:
    """The newest encoded events by ID, bounded by count and by bytes.

    ``append(id, frame)`` records one frame (the bytes of one event, as
    sent) under its ID. Once more than ``max_events`` frames, or more than
    ``max_bytes`` bytes of frames, are kept, the oldest are evicted until
    both bounds hold again; so a frame larger than ``max_bytes`` empties the
    history (itself included): nothing older can be replayed without it.

    ``after(last_event_id)`` is the list of frames appended after the newest
    frame with that ID, oldest first (empty if it is the newest), or ``None``
    when no kept frame has that ID (never seen, or evicted).

    Duplicate IDs: appending an ID that is already kept adds a new frame as
    usual (nothing is replaced), and that ID now means its newest occurrence:
    ``after()`` resumes from there. A client that saw the older occurrence
    only would miss the frames between the two; IDs that are unique (as
    ``Hub``'s counter gives) avoid the question.

    One history may be shared by many streams (``Hub`` does so): streams
    only read it, in ``ServerStream.start()``.

    Raises (constructor):
        ValueError: ``max_events`` or ``max_bytes`` is not an int >= 1.
    """

    __slots__ = (
        "_first",
        "_frames",
        "_head",
        "_ids",
        "_max_bytes",
        "_max_events",
        "_nbytes",
        "_seq",
    )

    def __init__(
        self, *, max_events: int = DEFAULT_HISTORY_EVENTS, max_bytes: int = DEFAULT_HISTORY_BYTES
    ) -> None:
        for name, value in (("max_events", max_events), ("max_bytes", max_bytes)):
            if type(value) is not int or value < 1:
                raise ValueError(f"{name} must be an int >= 1, not {value!r}")
        self._max_events = max_events
        self._max_bytes = max_bytes
        # _frames[_head:] are the kept (id, frame) pairs, oldest first; the one
        # at _frames[_head + k] has sequence number _first + k.
        self._frames: list[tuple[str, bytes]] = []
        self._head = 0
        self._first = 0
        self._seq = 0  # sequence number of the next append
        self._ids: dict[str, int] = {}  # id -> sequence number of its newest frame
        self._nbytes = 0

    @property
    def max_events(self) -> int:
        """The most frames kept."""
        return self._max_events

    @property
    def max_bytes(self) -> int:
        """The most bytes of frames kept."""
        return self._max_bytes

    @property
    def nbytes(self) -> int:
        """The bytes of the frames kept (always <= ``max_bytes``)."""
        return self._nbytes

    @property
    def newest_id(self) -> str | None:
        """The ID of the newest frame kept, or ``None`` when none is kept."""
        if self._head == len(self._frames):
            return None
        return self._frames[-1][0]

    def __len__(self) -> int:
        """The number of frames kept (always <= ``max_events``)."""
        return len(self._frames) - self._head

    def __repr__(self) -> str:
        return (
            f"<EventHistory {len(self)}/{self._max_events} events, "
            f"{self._nbytes}/{self._max_bytes} bytes, newest_id={self.newest_id!r}>"
        )

    def append(self, id: str, frame: bytes) -> None:
        """Record ``frame`` under ``id``, then evict the oldest frames beyond either bound.

        Raises:
            LocalProtocolError: ``id`` is not a non-empty str, or ``frame``
                is not bytes. (An empty ID resets the client's last event
                ID, so the client could never resume from it.)
        """
        if type(id) is not str or not id:
            raise LocalProtocolError(f"a history id must be a non-empty str, not {id!r}")
        if type(frame) is not bytes:
            raise LocalProtocolError(f"a frame must be bytes, not {type(frame).__name__}")
        self._frames.append((id, frame))
        self._ids[id] = self._seq
        self._seq += 1
        self._nbytes += len(frame)
        if self._nbytes > self._max_bytes or len(self._frames) - self._head > self._max_events:
            self._evict()

    def _evict(self) -> None:
        frames, ids = self._frames, self._ids
        head = self._head
        while self._nbytes > self._max_bytes or len(frames) - head > self._max_events:
            old_id, old_frame = frames[head]
            if ids[old_id] == self._first:  # no newer frame has this id
                del ids[old_id]
            self._nbytes -= len(old_frame)
            head += 1
            self._first += 1
        if head * 2 > len(frames):
            del frames[:head]
            head = 0
        self._head = head

    def after(self, last_event_id: str) -> list[bytes] | None:
        """The frames after the newest one with ID ``last_event_id``, oldest first.

        Returns ``[]`` when that frame is the newest, and ``None`` when no
        kept frame has that ID (never appended, or evicted). Costs O(1)
        plus the frames returned.
        """
        items = self._items_after(last_event_id)
        return None if items is None else [frame for _, frame in items]

    def _items_after(self, last_event_id: str) -> list[tuple[str, bytes]] | None:
        """``after()`` with each frame's ID: ``(id, frame)`` pairs."""
        seq = self._ids.get(last_event_id)
        if seq is None:
            return None
        return self._frames[self._head + seq - self._first + 1 :]
