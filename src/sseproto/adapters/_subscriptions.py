"""What users iterate: the reconnecting subscriptions of every client.

Each object holds a driver (``_drivers.py``) running a
:func:`~sseproto.http.subscribe_flow` and asks it for the next ``Opened``
or ``Deliver``; it never touches the flow itself. The sync and async twins
have the same methods, arguments and behaviour (a test compares them).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Generic

from sseproto._events import Event
from sseproto._parser import Item
from sseproto.http import Deliver, Opened

from ._drivers import AsyncDriver, SyncDriver

__all__ = ["AsyncSubscription", "Subscription"]


class Subscription(Generic[Item]):
    """A reconnecting EventSource subscription (blocking): iterate it for
    events across connections; it sleeps between connections as the server's
    ``retry`` and the :class:`~sseproto.ReconnectPolicy` say, and resumes
    with ``Last-Event-ID``. The iteration ends only by :meth:`close` (or
    ``break``) or an error: ``ResponseRejected`` (the server refused the
    stream, e.g. 204), ``ReconnectGaveUp``, a limit error or
    ``TooManyRedirects``. A context manager; closes its connection on exit.
    """

    __slots__ = ("_driver", "_items", "connections", "last_event_id")

    def __init__(self, driver: SyncDriver, last_event_id: str) -> None:
        self._driver = driver
        self._items: deque[Item] = deque()
        #: The last event ID seen (what the next connection sends).
        self.last_event_id = last_event_id
        #: How many connections were opened (accepted) so far.
        self.connections = 0

    def __iter__(self) -> Iterator[Item]:
        return self

    def __next__(self) -> Item:
        items = self._items
        while not items:
            op = self._driver.step()
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


class AsyncSubscription(Generic[Item]):
    """The async counterpart of :class:`Subscription`."""

    __slots__ = ("_driver", "_items", "connections", "last_event_id")

    def __init__(self, driver: AsyncDriver, last_event_id: str) -> None:
        self._driver = driver
        self._items: deque[Item] = deque()
        #: The last event ID seen (what the next connection sends).
        self.last_event_id = last_event_id
        #: How many connections were opened (accepted) so far.
        self.connections = 0

    def __aiter__(self) -> AsyncIterator[Item]:
        return self

    async def __anext__(self) -> Item:
        items = self._items
        while not items:
            op = await self._driver.step()
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
