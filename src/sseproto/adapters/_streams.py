"""What users iterate: the event streams of every client (one request whose
response is an event stream; the subscriptions are in ``_subscriptions.py``).

Each object holds a driver (``_drivers.py``) and asks it for the next
``Opened`` or ``Deliver``; it never touches the flow itself. The sync and
async twins have the same methods, arguments and behaviour (a test checks
their signatures side by side).

When the request is sent: a blocking client's ``stream()`` sends it when
called and returns the open stream. An async stream sends it when it is
awaited, entered (``async with``) or first iterated, whichever comes first;
the others then find it open.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from types import TracebackType
from typing import Any, Generic

from sseproto._errors import SSEError
from sseproto._parser import EventStreamParser, Item
from sseproto.http import (
    DEFAULT_DRAIN_MAX_BYTES,
    DEFAULT_DRAIN_TIMEOUT,
    Deliver,
    Drain,
    Head,
    Opened,
    header_value,
)

from ._drivers import AsyncDriver, SyncDriver

__all__ = ["AsyncEventStream", "EventStream"]


class _StreamState:
    """The response head of an open stream, for the stream objects."""

    __slots__ = ()

    _opened: Opened | None

    def _head(self) -> Head:
        if self._opened is None:
            raise RuntimeError(
                "the stream is not open yet: open it (await it, or enter it) or start iterating"
            )
        head: Head = self._opened.head
        return head

    @property
    def status(self) -> int:
        """The response's status code (200)."""
        return self._head().status

    @property
    def reason(self) -> str:
        """The response's reason phrase."""
        return self._head().reason

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """The response's headers, ``(name, value)`` pairs in order received."""
        return self._head().headers

    @property
    def url(self) -> str:
        """The URL that answered (after redirects)."""
        return self._head().url

    @property
    def http_version(self) -> str:
        """The protocol that carried the response: ``"HTTP/1.1"``,
        ``"HTTP/1.0"`` or ``"HTTP/2"``."""
        return self._head().http_version

    def header(self, name: str) -> str | None:
        """The value of response header ``name`` (any case), several joined
        with ``", "``; ``None`` when absent."""
        return header_value(self.headers, name)

    @property
    def last_event_id(self) -> str:
        """The last event ID so far: the parser's ID buffer as of the latest
        blank line of the body read so far (``""`` until one sets it; an
        ``id`` line without data sets it too), for a caller who reconnects
        with ``Last-Event-ID`` itself. The parser reads ahead of the items
        returned: every item of one read of the body counts at once."""
        parser = self._parser()
        return "" if parser is None else str(parser.last_event_id)

    @property
    def retry(self) -> int | None:
        """The reconnection time in milliseconds of the latest valid
        ``retry`` field read so far (as sent), or ``None``."""
        parser = self._parser()
        return None if parser is None else parser.retry

    def _parser(self) -> EventStreamParser[Any] | None:
        opened = self._opened
        return None if opened is None else opened.parser


class EventStream(_StreamState, Generic[Item]):
    """The events of one streamed response (blocking).

    A client's ``stream()`` sends the request and returns the stream open
    (a rejected response raises there). Use it as a context manager, which
    closes it on exit, and iterate it::

        with client.stream("GET", url) as stream:
            for event in stream:
                ...

    A stream from ``event_stream()`` opens on entry or at the first
    ``next()``. Leaving early (``break``, an exception, :meth:`close`, or
    dropping the last reference) closes the connection at once;
    :meth:`close` may be called from another thread, and wakes a thread
    blocked reading this stream (its iteration then ends). The iteration
    ends when the body ends; an incomplete event at the end is discarded, as
    the spec says, and :attr:`unterminated` tells whether there was one.

    Raises (on entry or while iterating): ``ResponseRejected``, the
    :class:`~sseproto.http.Timeout` subclasses, ``ConnectError``,
    ``ReadError``, ``TooManyRedirects``, the HTTP errors (``IncompleteBody``,
    ...) and the parser's limit errors (after the items before them).
    """

    __slots__ = ("_at_deliver", "_driver", "_items", "_next", "_opened")

    def __init__(self, driver: SyncDriver) -> None:
        self._driver = driver
        self._opened: Opened | None = None
        # The items of the latest read, as the flow delivered them, and the
        # index of the first one iteration has not returned yet.
        self._items: Sequence[Item] = ()
        self._next = 0
        # Whether the flow waits at a Deliver (where it takes a Drain).
        self._at_deliver = False

    def open(self) -> EventStream[Item]:
        """Send the request and wait for the stream to open (done by ``with``
        and by the first ``next()``); returns the stream."""
        while self._opened is None:
            op = self._driver.step()
            if op is None:  # pragma: no cover - a stream flow opens or raises
                raise RuntimeError("the stream ended before it opened")
            if type(op) is Opened:
                self._opened = op
        return self

    @property
    def unterminated(self) -> bool:
        """Whether the body ended in the middle of an event (then discarded)."""
        parser = self._driver.result
        return bool(parser is not None and parser.unterminated)

    def __iter__(self) -> Iterator[Item]:
        return self

    def __next__(self) -> Item:
        index = self._next
        items = self._items
        if index < len(items):
            self._next = index + 1
            return items[index]
        # The read's items were all taken: they are not kept while the
        # next read waits.
        items = self._items = ()
        if self._opened is None:
            self.open()
        while True:
            op = self._driver.step()
            if op is None:
                self.close()
                raise StopIteration
            if type(op) is Deliver:
                self._at_deliver = True
                # A Deliver carries at least one item.
                self._items = op.items
                self._next = 1
                return op.items[0]  # type: ignore[no-any-return]

    def next_items(self) -> list[Item]:
        """The items that the next read of the body completes (one or more),
        or ``[]`` once the body ended; for callers that handle items in
        batches. It mixes with iteration: items that ``next()`` has not
        returned yet come first. Raises as iteration does."""
        index = self._next
        items = self._items
        if index < len(items):
            self._items, self._next = (), 0
            return list(items[index:])
        if self._opened is None:
            self.open()
        while True:
            op = self._driver.step()
            if op is None:
                self.close()
                return []
            if type(op) is Deliver:
                self._at_deliver = True
                return list(op.items)

    def drain(
        self, timeout: float = DEFAULT_DRAIN_TIMEOUT, max_bytes: int = DEFAULT_DRAIN_MAX_BYTES
    ) -> None:
        """End the stream early but keep its connection when that is cheap:
        the rest of the body is read and discarded for at most ``timeout``
        seconds and ``max_bytes`` bytes; if it ends within that bound the
        connection goes back to the pool, otherwise it is closed. Items not
        yet returned are dropped. Never raises; iteration then ends.

        For a stream whose last wanted event has arrived (an LLM API's
        ``[DONE]``) while the server may keep the body open."""
        self._items, self._next = (), 0
        driver = self._driver
        if self._at_deliver and not driver.done:
            with contextlib.suppress(SSEError):
                driver.step(Drain(timeout, max_bytes))
        driver.close()

    def close(self) -> None:
        """Close the connection now; iteration then ends (items not yet
        returned are dropped). Idempotent.

        Thread-safe: from another thread while this stream's thread waits
        for the server (in ``next()``), it wakes that wait at once (the
        socket is shut down) and returns; that thread then closes the
        connection and its iteration ends without an error."""
        self._items, self._next = (), 0
        self._driver.close()

    def __enter__(self) -> EventStream[Item]:
        return self.open()

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


class AsyncEventStream(_StreamState, Generic[Item]):
    """The events of one streamed response (asyncio or trio).

    The async counterpart of :class:`EventStream`. The request is sent
    when the stream is awaited, entered or first iterated, so every form
    works::

        async with client.stream("GET", url) as stream: ...
        stream = await client.stream("GET", url)    # open; aclose() it
        async for event in client.stream("GET", url): ...

    ``async with`` closes it on exit, :meth:`aclose` closes it. A
    cancelled task or cancel scope closes the connection at once.
    """

    __slots__ = ("_at_deliver", "_driver", "_items", "_next", "_opened")

    def __init__(self, driver: AsyncDriver) -> None:
        self._driver = driver
        self._opened: Opened | None = None
        # The items of the latest read, as the flow delivered them, and the
        # index of the first one iteration has not returned yet.
        self._items: Sequence[Item] = ()
        self._next = 0
        # Whether the flow waits at a Deliver (where it takes a Drain).
        self._at_deliver = False

    def __await__(self) -> Generator[Any, None, AsyncEventStream[Item]]:
        """``await stream``: :meth:`open`."""
        return self.open().__await__()

    async def open(self) -> AsyncEventStream[Item]:
        """Send the request and wait for the stream to open; returns the
        stream (done by ``await``, ``async with`` and the first
        ``__anext__()``; at once when it is open already)."""
        while self._opened is None:
            op = await self._driver.step()
            if op is None:  # pragma: no cover - a stream flow opens or raises
                raise RuntimeError("the stream ended before it opened")
            if type(op) is Opened:
                self._opened = op
        return self

    @property
    def unterminated(self) -> bool:
        """Whether the body ended in the middle of an event (then discarded)."""
        parser = self._driver.result
        return bool(parser is not None and parser.unterminated)

    def __aiter__(self) -> AsyncIterator[Item]:
        return self

    async def __anext__(self) -> Item:
        index = self._next
        items = self._items
        if index < len(items):
            self._next = index + 1
            return items[index]
        # The read's items were all taken: they are not kept while the
        # next read waits.
        items = self._items = ()
        if self._opened is None:
            await self.open()
        while True:
            op = await self._driver.step()
            if op is None:
                await self._driver.aclose()
                raise StopAsyncIteration
            if type(op) is Deliver:
                self._at_deliver = True
                # A Deliver carries at least one item.
                self._items = op.items
                self._next = 1
                return op.items[0]  # type: ignore[no-any-return]

    async def next_items(self) -> list[Item]:
        """As :meth:`EventStream.next_items`."""
        index = self._next
        items = self._items
        if index < len(items):
            self._items, self._next = (), 0
            return list(items[index:])
        if self._opened is None:
            await self.open()
        while True:
            op = await self._driver.step()
            if op is None:
                await self._driver.aclose()
                return []
            if type(op) is Deliver:
                self._at_deliver = True
                return list(op.items)

    async def drain(
        self, timeout: float = DEFAULT_DRAIN_TIMEOUT, max_bytes: int = DEFAULT_DRAIN_MAX_BYTES
    ) -> None:
        """As :meth:`EventStream.drain`."""
        self._items, self._next = (), 0
        driver = self._driver
        if self._at_deliver and not driver.done:
            with contextlib.suppress(SSEError):
                await driver.step(Drain(timeout, max_bytes))
        await driver.aclose()

    async def aclose(self) -> None:
        """Close the connection now; iteration then ends (items not yet
        returned are dropped). Idempotent."""
        self._items, self._next = (), 0
        await self._driver.aclose()

    async def __aenter__(self) -> AsyncEventStream[Item]:
        return await self.open()

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
