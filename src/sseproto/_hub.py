"""One publisher, many subscribers, sans-I/O: each event encoded once.

:class:`Hub` keeps a set of started :class:`~sseproto.ServerStream` objects
and an optional :class:`~sseproto.EventHistory`. ``publish()`` encodes the
event once, records it in the history, and queues the same bytes on every
subscriber (one append each; the slow-client policy is applied per
subscriber). It performs no I/O: a driver writes each stream's
``data_to_send()`` to its connection.

How a driver learns who has bytes: after ``publish()`` returns, *every*
subscriber has bytes queued (that is what a broadcast is), so ``publish()``
returns only the ID it used and the driver wakes all its writers (one
``asyncio.Condition.notify_all()``, a trio ``ParkingLot.unpark_all()``, ...).
Each writer then looks at its own stream in O(1): ``data_to_send()`` for the
bytes, ``state`` for DROPPED (close the connection). A "ready" set was not
kept: it would cost a set insertion per subscriber per event to say what is
always "all of them". Keepalives are per stream: each writer calls its
stream's ``tick()`` at its ``next_deadline()``.

Streams the policy DROPPED, and streams closed by their front end, are
forgotten by the hub at the next ``publish()`` (``subscribers`` counts only
the others); a front end calls ``unsubscribe()`` when its client goes away.
"""

from __future__ import annotations

from ._encoder import encode_event
from ._errors import LocalProtocolError
from ._history import EventHistory
from ._source import (
    DEFAULT_KEEPALIVE,
    DEFAULT_MAX_PENDING,
    ServerStream,
    SlowClientPolicy,
    StreamState,
)

__all__ = ["Hub"]


class Hub:
    """Broadcast events to many :class:`~sseproto.ServerStream` subscribers.

    Every subscriber is built with this hub's ``history``, ``max_pending``,
    ``slow_client``, ``line_ending``, ``retry`` and ``keepalive`` (see
    :class:`~sseproto.ServerStream` for their meaning).

    With a history, events published with ``id=None`` get the next ID of
    a decimal counter (``"1"``, ``"2"``, ...), so every event can be
    resumed from; without one, ``id=None`` sends no ``id:`` field.

    Raises (constructor): as ``ServerStream``'s, for the same arguments
    (checked here, before any subscriber exists).
    """

    __slots__ = (
        "_closed",
        "_counter",
        "_history",
        "_keepalive",
        "_line_ending",
        "_max_pending",
        "_policy",
        "_retry",
        "_streams",
    )

    def __init__(
        self,
        *,
        history: EventHistory | None = None,
        max_pending: int = DEFAULT_MAX_PENDING,
        slow_client: SlowClientPolicy = SlowClientPolicy.DROP,
        line_ending: str = "\n",
        retry: int | None = None,
        keepalive: float | None = DEFAULT_KEEPALIVE,
    ) -> None:
        # A stream built from the same arguments checks them all.
        ServerStream(
            history=history,
            retry=retry,
            keepalive=keepalive,
            line_ending=line_ending,
            max_pending=max_pending,
            slow_client=slow_client,
        )
        self._history = history
        self._max_pending = max_pending
        self._policy = slow_client
        self._line_ending = line_ending
        self._retry = retry
        self._keepalive = keepalive
        self._streams: dict[ServerStream, None] = {}  # insertion-ordered set
        self._counter = 0
        self._closed = False

    @property
    def history(self) -> EventHistory | None:
        """The history subscribers resume from (``None``: no resume)."""
        return self._history

    @property
    def subscribers(self) -> int:
        """How many subscribers are subscribed (DROPPED and closed ones are
        counted until the next ``publish()`` or ``unsubscribe()``)."""
        return len(self._streams)

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<Hub {state} subscribers={len(self._streams)}>"

    def subscribe(self, *, last_event_id: str | None = None, now: float) -> ServerStream:
        """A new subscriber, started at ``now`` (its replay queued already).

        ``stream.resume`` is what ``start()`` found (``Resume.UNKNOWN``: the
        app may send this stream an event that resets the client's state),
        and ``stream.replayed`` how many events were replayed.

        Raises:
            LocalProtocolError: the hub is closed, or ``last_event_id`` is
                not a str or None.
        """
        if self._closed:
            raise LocalProtocolError("subscribe() on a closed Hub")
        stream = ServerStream(
            last_event_id=last_event_id,
            history=self._history,
            retry=self._retry,
            keepalive=self._keepalive,
            line_ending=self._line_ending,
            max_pending=self._max_pending,
            slow_client=self._policy,
        )
        stream.start(now)
        self._streams[stream] = None
        return stream

    def unsubscribe(self, stream: ServerStream) -> None:
        """Forget ``stream`` and close it if it is OPEN (its queued bytes still go out).

        A stream the hub does not hold (never subscribed, or forgotten
        already) is no error.
        """
        self._streams.pop(stream, None)
        if stream.state is StreamState.OPEN:
            stream.close()

    def publish(self, data: str, *, type: str | None = None, id: str | None = None) -> str | None:
        """Send one event to every subscriber; returns the event's ID (``None``: none).

        The event is encoded once (with the hub's line ending); with a
        history and ``id=None`` it gets the counter's next ID; with a
        history it is appended there (before it is queued anywhere). Each
        OPEN subscriber gets the same bytes, then its slow-client policy
        applies; subscribers no longer OPEN are forgotten.

        Raises:
            LocalProtocolError: the hub is closed; the encoder refuses a
                field; or ``id=""`` with a history (an event that resets the
                client's last event ID cannot be resumed from). Nothing is
                sent then, and the counter does not move.
        """
        if self._closed:
            raise LocalProtocolError("publish() on a closed Hub")
        history = self._history
        counted = history is not None and id is None
        if counted:
            id = str(self._counter + 1)
        elif id == "" and history is not None:
            raise LocalProtocolError('id="" cannot be published with a history')
        frame = encode_event(data, type=type, id=id, line_ending=self._line_ending)
        if history is not None:
            assert id is not None  # given or counted above
            history.append(id, frame)
            if counted:
                self._counter += 1
        item = (frame, id)
        size = len(frame)
        gone = [stream for stream in self._streams if not stream._offer(item, size)]
        for stream in gone:
            del self._streams[stream]
        return id

    def close(self) -> None:
        """Close every OPEN subscriber (queued bytes still go out) and forget them all.

        ``subscribe()`` and ``publish()`` raise afterwards; closing again
        does nothing.
        """
        self._closed = True
        streams, self._streams = self._streams, {}
        for stream in streams:
            if stream.state is StreamState.OPEN:
                stream.close()
