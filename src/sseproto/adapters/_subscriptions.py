"""What users iterate: the reconnecting subscriptions of every client.

Each object holds a driver (``_drivers.py``) running a
:func:`~sseproto.http.subscribe_flow` and asks it for the next ``Opened``
or ``Deliver`` (sending back :class:`~sseproto.http.Restart` when
``restart()`` was called); it never touches the flow itself. The sync and async twins
have the same methods, arguments and behaviour (a test compares them).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Generic

from sseproto._events import Event
from sseproto._parser import Item
from sseproto.http import Deliver, Opened, Restart

from ._drivers import AsyncDriver, SyncDriver

__all__ = ["AsyncSubscription", "Subscription"]


class _Restartable:
    """What both subscriptions share: :meth:`restart` and the command it
    sends back into the flow."""

    __slots__ = ("_restart", "connections")

    _restart: bool
    #: How many connections were opened (accepted) so far.
    connections: int

    def restart(self) -> None:
        """Drop the current connection and reconnect at once, without the
        reconnection wait, sending ``Last-Event-ID`` as usual (for a server
        known to have moved on, or new credentials in a header callback).

        It takes effect when the next item is asked for: the items already
        received on the current connection are still returned first (none
        is lost or repeated), then the connection is closed and a new one
        made. Counted as a reconnection (``connections``, and
        ``ReconnectPolicy.max_attempts`` as for any failure run), though the
        policy never refuses it. Before the first connection is open, and
        after the subscription ended, it does nothing.

        Call it from the thread or task that iterates the subscription
        (between items); it is not safe to call from another thread while
        an iteration is under way. A plain method on both twins: it only
        marks the subscription, and the next ``__next__`` or ``__anext__``
        acts on it.
        """
        self._restart = True

    def _command(self) -> Restart | None:
        """What to send back into the flow at the ``Opened`` or ``Deliver``
        it is paused at: a ``Restart`` once after :meth:`restart`. Nothing
        before the first connection (the flow has not started)."""
        if self._restart and self.connections:
            self._restart = False
            return Restart()
        self._restart = False
        return None


class Subscription(_Restartable, Generic[Item]):
    """A reconnecting EventSource subscription (blocking): iterate it for
    events across connections; it sleeps between connections as the server's
    ``retry`` and the :class:`~sseproto.ReconnectPolicy` say, and resumes
    with ``Last-Event-ID``. The iteration ends only by :meth:`close` (or
    ``break``) or an error: ``ResponseRejected`` (the server refused the
    stream, e.g. 204), ``ReconnectGaveUp``, a limit error or
    ``TooManyRedirects``. A context manager; closes its connection on exit.

    :meth:`restart` drops the connection and reconnects at once.
    """

    __slots__ = ("_driver", "_items", "last_event_id")

    def __init__(self, driver: SyncDriver, last_event_id: str) -> None:
        self._driver = driver
        self._items: deque[Item] = deque()
        #: The last event ID seen (what the next connection sends).
        self.last_event_id = last_event_id
        self.connections = 0
        # restart() was called; sent back with the next step.
        self._restart = False

    def __iter__(self) -> Iterator[Item]:
        return self

    def __next__(self) -> Item:
        items = self._items
        while not items:
            op = self._driver.step(self._command())
            if op is None:
                self.close()
                raise StopIteration
            if type(op) is Opened:
                self.connections += 1
            elif type(op) is Deliver:
                items.extend(op.items)
        item = items.popleft()
        if type(item) is Event:
            self.last_event_id = item.id
        return item

    def close(self) -> None:
        """Stop: close the connection; iteration then ends. Idempotent."""
        self._driver.close()

    def __enter__(self) -> Subscription[Item]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        driver = getattr(self, "_driver", None)
        if driver is not None and not driver.done:
            driver.close()


class AsyncSubscription(_Restartable, Generic[Item]):
    """The async counterpart of :class:`Subscription`."""

    __slots__ = ("_driver", "_items", "last_event_id")

    def __init__(self, driver: AsyncDriver, last_event_id: str) -> None:
        self._driver = driver
        self._items: deque[Item] = deque()
        #: The last event ID seen (what the next connection sends).
        self.last_event_id = last_event_id
        self.connections = 0
        # restart() was called; sent back with the next step.
        self._restart = False

    def __aiter__(self) -> AsyncIterator[Item]:
        return self

    async def __anext__(self) -> Item:
        items = self._items
        while not items:
            op = await self._driver.step(self._command())
            if op is None:
                await self._driver.aclose()
                raise StopAsyncIteration
            if type(op) is Opened:
                self.connections += 1
            elif type(op) is Deliver:
                items.extend(op.items)
        item = items.popleft()
        if type(item) is Event:
            self.last_event_id = item.id
        return item

    async def aclose(self) -> None:
        """Stop: close the connection; iteration then ends. Idempotent."""
        await self._driver.aclose()

    async def __aenter__(self) -> AsyncSubscription[Item]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._driver.aclose()

    def __del__(self) -> None:
        driver = getattr(self, "_driver", None)
        if driver is not None and not driver.done:
            driver.close()
