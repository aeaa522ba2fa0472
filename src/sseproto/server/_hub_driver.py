"""What every hub driver shares: the subscription loop, written once.

A driver owns a sans-I/O :class:`~sseproto.Hub` and serves each subscriber as
a :class:`Subscription`, an async iterator of byte chunks ready to write. A
runtime supplies only its clock, a waiter it can park on until woken or until
a deadline, and a way to wake one waiter (the abstract methods of
:class:`HubDriver`).

Waking is targeted: after :meth:`HubDriver.publish` only the parked
subscribers whose stream has bytes to send, or has ended, are woken, once
each. Nothing runs per subscriber in between: an idle subscriber costs its
stream, one parked waiter and, with keepalives, one timer of the runtime.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from sseproto import Hub, LocalProtocolError, Resume, ServerStream, StreamState

__all__ = ["Attach", "HubDriver", "Subscription"]

#: What a runtime parks a subscriber on (an asyncio future, a trio event).
W = TypeVar("W")

#: Opens the stream of a subscription: given the client's ``Last-Event-ID``,
#: returns the started stream, what the resume found, and how many events
#: were replayed.
Attach = Callable[[str | None], Awaitable[tuple[ServerStream, Resume, int]]]


class HubDriver(abc.ABC, Generic[W]):
    """A sans-I/O :class:`~sseproto.Hub` driven by one async runtime.

    Every method must be called from the runtime's own thread, inside its
    event loop (``publish()`` from another thread must go through the
    runtime's own hand-off, such as ``loop.call_soon_threadsafe``).
    """

    def __init__(self, hub: Hub | None = None) -> None:
        #: The sans-I/O hub; its options (history, ``max_pending``,
        #: ``slow_client``, ``keepalive``, ...) apply to every subscriber.
        self.hub = Hub() if hub is None else hub
        self._parked: dict[Subscription, W] = {}

    @property
    def subscribers(self) -> int:
        """How many subscribers the hub has now."""
        return self.hub.subscribers

    def publish(self, data: str, *, type: str | None = None, id: str | None = None) -> str | None:
        """Send one event to every subscriber; return the id it was sent with.

        The event is encoded once and queued on every stream by
        :meth:`Hub.publish <sseproto.Hub.publish>` (which assigns the next id
        when the hub has a history and ``id`` is None); then each parked
        subscriber that has bytes to send is woken. Nothing is awaited: a
        publisher never waits for a subscriber. A subscriber over its
        ``max_pending`` gets the hub's slow-client policy.

        Raises:
            LocalProtocolError: the event cannot be encoded (see
                :func:`~sseproto.encode_event`), or the hub is closed.
        """
        event_id = self.hub.publish(data, type=type, id=id)
        self._wake_ready()
        return event_id

    def close(self) -> None:
        """Close every subscriber: each iterator yields what was queued, then ends."""
        self.hub.close()
        self._wake_ready()

    def subscribe(self, last_event_id: str | None = None) -> Subscription:
        """A new subscription, to enter with ``async with``.

        ``last_event_id`` is the client's ``Last-Event-ID`` header: the
        events after it in the hub's history are sent first (see
        :attr:`Subscription.resume`).
        """
        return Subscription(self, last_event_id, self._attach)

    async def _attach(self, last_event_id: str | None) -> tuple[ServerStream, Resume, int]:
        stream = self.hub.subscribe(last_event_id=last_event_id, now=self.now())
        assert stream.resume is not None  # Hub.subscribe() starts the stream
        return stream, stream.resume, stream.replayed

    def _wake_ready(self) -> None:
        ready = [
            subscription
            for subscription in self._parked
            if subscription.stream.pending or subscription.stream.state is not StreamState.OPEN
        ]
        parked = self._parked
        for subscription in ready:
            # A front end that can write without waiting takes the bytes at
            # once, and the subscriber stays parked: no task switch per
            # subscriber per event. Anything else wakes the subscriber.
            direct = subscription.direct
            if direct is not None and subscription.stream.state is StreamState.OPEN and direct():
                continue
            self._wake(parked.pop(subscription))

    async def _wait(self, subscription: Subscription, deadline: float | None) -> None:
        waiter = self._new_waiter()
        self._parked[subscription] = waiter
        try:
            await self._park(subscription, waiter, deadline)
        finally:
            self._parked.pop(subscription, None)

    def _expire(self, subscription: Subscription) -> None:
        """Wake ``subscription`` if it is parked (its deadline passed)."""
        waiter = self._parked.pop(subscription, None)
        if waiter is not None:
            self._wake(waiter)

    def _release(self, subscription: Subscription) -> None:
        """Forget what the runtime keeps for ``subscription`` (it left)."""

    # What a runtime supplies.

    @abc.abstractmethod
    def now(self) -> float:
        """The runtime's clock, in seconds: the ``now`` the streams are given."""

    @abc.abstractmethod
    def _new_waiter(self) -> W: ...

    @abc.abstractmethod
    async def _park(self, subscription: Subscription, waiter: W, deadline: float | None) -> None:
        """Return once ``waiter`` is woken, or at ``deadline`` (on :meth:`now`'s
        clock); ``subscription`` is the one parked (a runtime may keep its
        own state for it in ``subscription.timer``)."""

    @abc.abstractmethod
    def _wake(self, waiter: W) -> None: ...


class Subscription:
    """One subscriber of a hub: an async context manager and an async iterator
    of byte chunks, each ready to write to the client as it is.

    ``async with`` starts the stream (the ``retry:`` hint and any replayed
    events are the first bytes) and, on the way out, unsubscribes it, also
    when the block is left by an exception or a cancellation. Iterating
    yields non-empty ``bytes``: queued events, and a keepalive comment each
    time the stream's keepalive deadline passes with nothing sent. It waits,
    without polling, until one of those is due. Iteration ends when the
    stream is closed (after the bytes queued before the close: the hub was
    closed) or dropped by the slow-client policy (at once: the front end
    should close the connection). The response headers are
    ``subscription.stream.headers``.
    """

    __slots__ = (
        "_attach",
        "_driver",
        "_last_event_id",
        "_stream",
        "direct",
        "replayed",
        "resume",
        "timer",
    )

    def __init__(self, driver: HubDriver[Any], last_event_id: str | None, attach: Attach) -> None:
        self._driver = driver
        self._last_event_id = last_event_id
        self._attach = attach
        self._stream: ServerStream | None = None
        #: What the resume from ``Last-Event-ID`` found (set by ``async with``).
        self.resume = Resume.FRESH
        #: How many events were replayed from the history (set by ``async with``).
        self.replayed = 0
        #: The driver's own state for this subscriber's deadline (a timer).
        self.timer: Any = None
        #: Set by a front end that can write without waiting: called while
        #: the subscriber is parked and its stream has bytes, it writes them
        #: all (``stream.data_to_send()``) and returns True, or returns False
        #: at once, having taken nothing (the connection would make it
        #: wait: the subscriber is then woken to write them itself).
        self.direct: Callable[[], bool] | None = None

    @property
    def stream(self) -> ServerStream:
        """The server end of this subscriber's stream (its ``headers``, ``state``, ``skipped``...).

        Raises:
            LocalProtocolError: the subscription was not entered.
        """
        if self._stream is None:
            raise LocalProtocolError("enter the subscription with 'async with' first")
        return self._stream

    async def __aenter__(self) -> Self:
        if self._stream is not None:
            raise LocalProtocolError("a subscription can be entered once")
        self._stream, self.resume, self.replayed = await self._attach(self._last_event_id)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._driver._release(self)
        if self._stream is not None:
            self._driver.hub.unsubscribe(self._stream)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        stream = self.stream
        driver = self._driver
        while True:
            if stream.state is StreamState.DROPPED:
                raise StopAsyncIteration
            chunk = stream.data_to_send()
            if chunk:
                return chunk
            if stream.state is StreamState.CLOSED:
                raise StopAsyncIteration
            # The schedule runs at its deadlines only (the stream's tick()
            # contract: bytes sent since the last tick restart the interval
            # there), so a busy stream keeps one deadline and its timer.
            deadline = stream.next_deadline()
            if deadline is not None:
                now = driver.now()
                if now >= deadline:
                    stream.tick(now)
                    continue
            await driver._wait(self, deadline)
