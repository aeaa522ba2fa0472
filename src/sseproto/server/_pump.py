"""The loops every async front end runs for one event stream, on asyncio or trio.

:func:`run_stream` moves events from an application's source into a
:class:`sseproto.ServerStream` and the stream's bytes to a ``write``
callable; :func:`run_subscription` writes what a hub subscription yields.
Three things run at once, and the first to finish ends the others:

- the stream: write what is queued, then ask the source for its next event
  (so a slow client slows the source down instead of filling memory);
- the client watch (``client_gone``, from the front end): returns when the
  client is gone;
- the watch (:func:`_watch`): it ends the stream when a write has taken
  longer than ``send_timeout`` or when the :class:`Shutdown` signal is set
  (then the stream is closed, what is queued is written, and the body ends
  cleanly), and it sends the keepalive comments the stream's schedule asks
  for while the source is silent. Nothing is armed per event or per write:
  the watch sleeps until the next deadline.

Whatever ends the stream (its end, the client leaving, shutdown, a write
that took longer than ``send_timeout``, cancellation, an error), the source
is closed (``aclose()``, or ``close()`` for a sync iterator) before
:func:`run_stream` returns or raises, and no task it started is left running.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator
from typing import Any, Final, Protocol, TypedDict, TypeVar, runtime_checkable

from sseproto import (
    EventHistory,
    Hub,
    ServerEvent,
    ServerStream,
    SlowClientPolicy,
    StreamState,
)
from sseproto.adapters._runtime import running, shielded, within

from ._hub_driver import Subscription

__all__ = [
    "DEFAULT_SEND_TIMEOUT",
    "ClientGone",
    "Outcome",
    "Shutdown",
    "Source",
    "SourceFactory",
    "StreamOptions",
    "Subscribable",
    "hub_of",
    "open_source",
    "race",
    "run_stream",
    "run_subscription",
]

T = TypeVar("T")

#: An application's events: an async or a sync iterable of events or of
#: ``data`` strings (sent as ``message`` events with no id).
Source = AsyncIterable[ServerEvent | str] | Iterable[ServerEvent | str]
#: A callable given the request's ``Last-Event-ID`` (``None`` when absent)
#: that returns the source.
SourceFactory = Callable[[str | None], Source]


@runtime_checkable
class Subscribable(Protocol):
    """A broadcast hub a front end serves: ``AsyncHub``, ``TrioHub``,
    ``RedisHub``, or anything whose ``subscribe(last_event_id)`` returns a
    :class:`~sseproto.server.asyncio.Subscription`. Each request gets its
    own subscription, resumed from its ``Last-Event-ID``; the hub's options
    (history, keepalive, ``max_pending``, slow-client policy) apply."""

    def subscribe(self, last_event_id: str | None = None) -> Subscription: ...


def hub_of(source: object) -> Subscribable | None:
    """``source`` when it is a hub that a front end subscribes to, else ``None``.

    Raises:
        TypeError: ``source`` is a sans-I/O :class:`sseproto.Hub`, which
            needs a driver (``AsyncHub(hub)``, ``TrioHub(hub)``) to be served.
    """
    if isinstance(source, Hub):
        raise TypeError("a sans-I/O Hub is served through a driver: AsyncHub(hub) or TrioHub(hub)")
    return source if isinstance(source, Subscribable) else None


#: Seconds one write may take before the client is dropped: a client that
#: stops reading holds a connection and its buffers until then. 30 s, as
#: uvicorn's and nginx's send timeouts are of that order (nginx: 60 s).
DEFAULT_SEND_TIMEOUT: Final = 30.0


class ClientGone(Exception):
    """Raised by a front end's ``write`` when the client can no longer be
    written to (its runtime's error is the ``__cause__``)."""


class StreamOptions(TypedDict, total=False):
    """The :class:`sseproto.ServerStream` options a front end passes on
    (every one optional, with the stream's defaults): ``history``, ``retry``,
    ``keepalive``, ``keepalive_text``, ``line_ending``, ``max_pending``,
    ``slow_client``. See ``ServerStream`` for their contracts."""

    history: EventHistory | None
    retry: int | None
    keepalive: float | None
    keepalive_text: str
    line_ending: str
    max_pending: int
    slow_client: SlowClientPolicy


class Outcome(enum.Enum):
    """How :func:`run_stream` ended; :attr:`clean` says what the front end does."""

    #: The source ended and every byte was written.
    ENDED = "ended"
    #: :meth:`Shutdown.set` stopped the stream; every queued byte was written.
    SHUTDOWN = "shutdown"
    #: The client went away.
    GONE = "gone"
    #: A write took longer than ``send_timeout``.
    TIMED_OUT = "timed-out"
    #: The stream's slow-client policy dropped it (``StreamState.DROPPED``).
    DROPPED = "dropped"

    @property
    def clean(self) -> bool:
        """True: end the body properly; false: close the connection."""
        return self in {Outcome.ENDED, Outcome.SHUTDOWN}


class Shutdown:
    """A signal that ends open streams gracefully, under asyncio or trio.

    Pass one object to every response or server that should stop together;
    :meth:`set` (call it from the event loop's thread, e.g. a lifespan
    ``shutdown`` handler or a signal handler) makes each stream close: its
    source is closed, the events already queued are written and the body
    ends as a normal end of stream, so EventSource clients reconnect later
    with their ``Last-Event-ID``. Streams started after :meth:`set` end at once.
    """

    def __init__(self) -> None:
        self._set = False
        self._wakers: set[Callable[[], None]] = set()

    def is_set(self) -> bool:
        """True once :meth:`set` was called."""
        return self._set

    def set(self) -> None:
        """End every open stream that watches this signal (idempotent)."""
        self._set = True
        for wake in list(self._wakers):
            wake()

    async def wait(self) -> None:
        """Return once :meth:`set` was called."""
        if self._set:
            return
        event: asyncio.Event | Any
        if running() == "trio":
            import trio  # noqa: PLC0415 - only under trio, an optional dependency

            event = trio.Event()
        else:
            event = asyncio.Event()
        self._wakers.add(event.set)
        try:
            await event.wait()
        finally:
            self._wakers.discard(event.set)


def open_source(source: Source | SourceFactory, last_event_id: str | None) -> Source:
    """The source itself, or what a factory returns for ``last_event_id``."""
    if callable(source) and not hasattr(source, "__aiter__") and not hasattr(source, "__iter__"):
        return source(last_event_id)
    return source  # type: ignore[return-value]  # an iterable, whatever callable it also is


class _End:
    """Marks the end of a sync source (``next()``'s default)."""


_END: Final = _End()


class _Kit:
    """What the stream loops need from a runtime: concurrency, time and threads."""

    async def race(self, *tasks: Callable[[], Awaitable[Any]]) -> tuple[int, Any]:
        raise NotImplementedError

    async def forever(self) -> None:
        raise NotImplementedError

    async def sleep(self, seconds: float) -> None:
        raise NotImplementedError

    def event(self) -> Any:
        """A new event object: ``set()``, ``await wait()``."""
        raise NotImplementedError

    async def to_thread(self, fn: Callable[..., T], *args: Any) -> T:
        raise NotImplementedError


class _AsyncioKit(_Kit):
    async def race(self, *tasks: Callable[[], Awaitable[Any]]) -> tuple[int, Any]:
        running_tasks = [asyncio.ensure_future(task()) for task in tasks]
        try:
            done, _ = await asyncio.wait(running_tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in running_tasks:
                task.cancel()
            # Every task has ended when race() returns or raises.
            await asyncio.wait(running_tasks)
        for task in running_tasks:  # an error first, then the first by position
            if task in done and not task.cancelled() and task.exception() is not None:
                task.result()
        index = next(i for i, task in enumerate(running_tasks) if task in done)
        return index, running_tasks[index].result()

    async def forever(self) -> None:
        await asyncio.get_running_loop().create_future()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def event(self) -> asyncio.Event:
        return asyncio.Event()

    async def to_thread(self, fn: Callable[..., T], *args: Any) -> T:
        future = asyncio.get_running_loop().run_in_executor(None, fn, *args)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # A thread cannot be interrupted: let it finish before the
            # cancellation goes on, so nothing else runs the iterator.
            await asyncio.wait([future])
            raise


class _TrioKit(_Kit):
    def __init__(self) -> None:
        import trio  # noqa: PLC0415

        self._trio = trio

    async def race(self, *tasks: Callable[[], Awaitable[Any]]) -> tuple[int, Any]:
        trio = self._trio
        results: list[tuple[int, Any]] = []

        async def run(index: int, task: Callable[[], Awaitable[Any]]) -> None:
            value = await task()
            if not results:
                results.append((index, value))
            nursery.cancel_scope.cancel()

        try:
            async with trio.open_nursery() as nursery:
                for index, task in enumerate(tasks):
                    nursery.start_soon(run, index, task)
        except BaseExceptionGroup as group:
            errors = [e for e in group.exceptions if not isinstance(e, trio.Cancelled)]
            if len(errors) == 1:
                raise errors[0] from None
            raise
        return results[0]

    async def forever(self) -> None:
        await self._trio.sleep_forever()

    async def sleep(self, seconds: float) -> None:
        await self._trio.sleep(seconds)

    def event(self) -> Any:
        return self._trio.Event()

    async def to_thread(self, fn: Callable[..., T], *args: Any) -> T:
        # Not abandoned on cancel: the cancellation waits for the thread.
        return await self._trio.to_thread.run_sync(fn, *args)


def _kit() -> _Kit:
    return _TrioKit() if running() == "trio" else _AsyncioKit()


async def race(*tasks: Callable[[], Awaitable[Any]]) -> tuple[int, Any]:
    """Run ``tasks`` at once until the first returns: ``(its index, its
    value)``. The others are cancelled and have ended when this returns; an
    error of any task is raised."""
    return await _kit().race(*tasks)


class _Writer:
    """Writes a stream's bytes for one of the loops below, and keeps what
    its watch needs to know: when the write in progress began, whether the
    loop waits for its source, and a keepalive being written meanwhile.

    ``send_timeout`` is enforced by :func:`_watch` from ``started``, not by
    a timer per write: a write costs two attribute stores and a clock read.
    """

    __slots__ = ("_write", "busy", "clock", "send_timeout", "started", "stream", "waiting")

    def __init__(
        self,
        stream: ServerStream,
        write: Callable[[bytes], Awaitable[None]],
        send_timeout: float | None,
        clock: Callable[[], float],
    ) -> None:
        self.stream = stream
        self._write = write
        self.send_timeout = send_timeout
        self.clock = clock
        #: When the write in progress began (``clock()``), or None.
        self.started: float | None = None
        #: Whether the loop waits for its source (nothing of its own to write).
        self.waiting = False
        #: Set while the watch writes a keepalive: the loop waits for it.
        self.busy: Any = None

    async def write(self, data: bytes) -> Outcome | None:
        """Write ``data``: None once written, ``Outcome.GONE`` if the client is gone."""
        self.started = self.clock()
        try:
            await self._write(data)
        except ClientGone:
            return Outcome.GONE
        finally:
            self.started = None
        return None

    async def flush(self) -> Outcome | None:
        """Write what the stream has queued, until nothing is: None, or how it ended."""
        stream = self.stream
        while True:
            data = stream.data_to_send()
            if not data:
                return None
            failed = await self.write(data)
            if failed is not None:
                return failed


async def _watch(
    writer: _Writer, kit: _Kit, shutdown: Shutdown | None, keepalives: bool
) -> Outcome:
    """Returns ``TIMED_OUT`` once a write has taken ``send_timeout``,
    ``SHUTDOWN`` once ``shutdown`` is set, or how a keepalive it wrote
    ended the stream. With ``keepalives``, it also calls the stream's
    ``tick()`` at each ``next_deadline()``, and writes the comment that
    queues itself when the loop is waiting for its source."""
    stream = writer.stream
    clock = writer.clock
    timeout = writer.send_timeout
    while True:
        now = clock()
        started = writer.started
        if started is not None and timeout is not None and now - started >= timeout:
            return Outcome.TIMED_OUT
        deadline = stream.next_deadline() if keepalives else None
        if deadline is not None and now >= deadline:
            if stream.tick(now) and writer.waiting and writer.started is None:
                writer.busy = kit.event()
                try:
                    failed = await _flush_within(writer)
                finally:
                    writer.busy.set()
                    writer.busy = None
                if failed is not None:
                    return failed
            continue
        wake = deadline
        if started is not None and timeout is not None:
            wake = started + timeout if wake is None else min(wake, started + timeout)
        elif timeout is not None:
            # A write may begin at any time: look again within send_timeout.
            wake = now + timeout if wake is None else min(wake, now + timeout)
        if shutdown is None:
            if wake is None:
                await kit.forever()
            else:
                await kit.sleep(max(0.0, wake - clock()))
        elif wake is None:
            await shutdown.wait()
            return Outcome.SHUTDOWN
        else:
            woke, _ = await within(max(0.0, wake - clock()), shutdown.wait())
            if woke:
                return Outcome.SHUTDOWN


async def run_stream(
    stream: ServerStream,
    source: Source,
    *,
    write: Callable[[bytes], Awaitable[None]],
    client_gone: Callable[[], Awaitable[None]],
    send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
    shutdown: Shutdown | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    """Serve ``source`` on a started ``stream`` until one of them ends.

    ``write(data)`` sends body bytes (the head is already sent) and raises
    :class:`ClientGone` if it cannot; ``client_gone()`` returns when the
    client has gone away. Strings from
    the source are sent as ``stream.send(data)``, :class:`ServerEvent` as
    ``stream.send_event(event)``. The source is asked for its next event
    once the previous one was written: a slow client slows the source down.

    Returns the :class:`Outcome`. The source is closed and every task this
    started has ended when it returns.

    Raises:
        Exception: what the source raised (the front end closes the
            connection), or ``sseproto.LocalProtocolError`` for an item that
            is neither a ``ServerEvent`` nor a str. Cancellation propagates.
    """
    kit = _kit()
    writer = _Writer(stream, write, send_timeout, clock)

    async def serve() -> Outcome:
        if isinstance(source, AsyncIterable):
            iterator = aiter(source)

            async def next_async() -> ServerEvent | str | _End:
                try:
                    return await anext(iterator)
                except StopAsyncIteration:
                    return _END

            try:
                return await _serve_items(writer, next_async)
            finally:
                aclose = getattr(iterator, "aclose", None)
                if aclose is not None:
                    await shielded(aclose())
        sync_iterator: Iterator[ServerEvent | str] = iter(source)
        try:
            return await _serve_items(writer, lambda: kit.to_thread(next, sync_iterator, _END))
        finally:
            close = getattr(sync_iterator, "close", None)
            if close is not None:
                await shielded(kit.to_thread(close))

    return await _serve_watched(kit, writer, serve, client_gone, shutdown, keepalives=True)


async def _serve_items(
    writer: _Writer, next_item: Callable[[], Awaitable[ServerEvent | str | _End]]
) -> Outcome:
    stream = writer.stream
    while True:
        failed = await writer.flush()
        if failed is not None:
            return failed
        if stream.state is StreamState.DROPPED:
            return Outcome.DROPPED
        if stream.state is StreamState.CLOSED:
            return Outcome.ENDED
        writer.waiting = True
        try:
            item = await next_item()
        finally:
            writer.waiting = False
        if writer.busy is not None:  # the watch is writing a keepalive
            await writer.busy.wait()
        if isinstance(item, _End):
            stream.close()
        elif isinstance(item, str):
            stream.send(item)
        else:
            stream.send_event(item)


async def _flush_within(writer: _Writer) -> Outcome | None:
    # A flush the watch cannot time (it is the watch's own, or the last one
    # after shutdown): within send_timeout by a scope of its own.
    if writer.send_timeout is None:
        return await writer.flush()
    done, failed = await within(writer.send_timeout, writer.flush())
    return failed if done else Outcome.TIMED_OUT


async def run_subscription(
    subscription: Subscription,
    *,
    write: Callable[[bytes], Awaitable[None]],
    client_gone: Callable[[], Awaitable[None]],
    send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
    shutdown: Shutdown | None = None,
    write_now: Callable[[], bool] | None = None,
) -> Outcome:
    """Serve an entered hub ``subscription`` until it ends, as
    :func:`run_stream` serves a source: ``write``, ``client_gone``,
    ``send_timeout`` and ``shutdown`` have the same contracts. The chunks are
    written as the subscription yields them (queued events and keepalives).

    Returns the :class:`Outcome`: ``ENDED`` when the hub closed (after its
    queued events), ``DROPPED`` when the hub's slow-client policy dropped
    this subscriber, ``GONE``, ``TIMED_OUT`` or ``SHUTDOWN`` as for
    :func:`run_stream`. Every task this started has ended when it returns;
    leaving the subscription (``async with``) is the caller's.

    ``write_now``, from a front end whose connection can take bytes without
    waiting, becomes the subscription's ``direct`` writer while this runs:
    what the hub publishes is then written from ``publish()`` itself while
    the connection keeps up (see :attr:`Subscription.direct`).
    """
    kit = _kit()
    stream = subscription.stream
    writer = _Writer(stream, write, send_timeout, time.monotonic)

    async def serve() -> Outcome:
        async for chunk in subscription:
            failed = await writer.write(chunk)
            if failed is not None:
                return failed
        return Outcome.DROPPED if stream.state is StreamState.DROPPED else Outcome.ENDED

    subscription.direct = write_now
    try:
        return await _serve_watched(kit, writer, serve, client_gone, shutdown, keepalives=False)
    finally:
        subscription.direct = None


async def _serve_watched(
    kit: _Kit,
    writer: _Writer,
    serve: Callable[[], Awaitable[Outcome]],
    client_gone: Callable[[], Awaitable[None]],
    shutdown: Shutdown | None,
    *,
    keepalives: bool,
) -> Outcome:
    """Race ``serve`` against the client watch and :func:`_watch`; how the
    stream ended. On ``Shutdown`` the stream is closed and what it queued is
    written (within ``send_timeout``) before the body ends."""
    which, outcome = await kit.race(
        serve, client_gone, lambda: _watch(writer, kit, shutdown, keepalives)
    )
    if which == 1:
        return Outcome.GONE
    if which == 2 and outcome is Outcome.SHUTDOWN:
        writer.stream.close()
        return await _flush_within(writer) or Outcome.SHUTDOWN
    return outcome  # type: ignore[no-any-return]
