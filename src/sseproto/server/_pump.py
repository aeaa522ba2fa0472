"""The loop every async front end runs for one event stream, on asyncio or trio.

:func:`run_stream` moves events from an application's source into a
:class:`sseproto.ServerStream` and the stream's bytes to a ``write``
callable, and sends keepalives when the stream's ``next_deadline()`` passes.
Three things run at once, and the first to finish ends the others:

- the stream: write what is queued, then wait for the next event or the
  keepalive deadline (a producer task advances the source one event ahead,
  so a slow client slows the source down instead of filling memory);
- the client watch (``client_gone``, from the front end): returns when the
  client is gone;
- the :class:`Shutdown` signal: the stream is closed, what is queued is
  written, and the body ends cleanly.

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
from typing import Any, Final, Protocol, TypedDict, TypeVar

from sseproto import (
    EventHistory,
    ServerEvent,
    ServerStream,
    SlowClientPolicy,
    StreamState,
)
from sseproto.adapters._runtime import running, shielded, within

__all__ = [
    "DEFAULT_SEND_TIMEOUT",
    "ClientGone",
    "Outcome",
    "Shutdown",
    "Source",
    "SourceFactory",
    "StreamOptions",
    "open_source",
    "race",
    "run_stream",
]

T = TypeVar("T")

#: An application's events: an async or a sync iterable of events or of
#: ``data`` strings (sent as ``message`` events with no id).
Source = AsyncIterable[ServerEvent | str] | Iterable[ServerEvent | str]
#: A callable given the request's ``Last-Event-ID`` (``None`` when absent)
#: that returns the source.
SourceFactory = Callable[[str | None], Source]

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
    """Marks the end of the source in the producer's channel."""


_END: Final = _End()


class _Put(Protocol):
    def __call__(self, item: ServerEvent | str | _End, /) -> Awaitable[None]: ...


class _Kit:
    """What :func:`run_stream` needs from a runtime: concurrency and threads."""

    def channel(self) -> tuple[_Put, Callable[[], Awaitable[ServerEvent | str | _End]]]:
        raise NotImplementedError

    async def race(self, *tasks: Callable[[], Awaitable[Any]]) -> tuple[int, Any]:
        raise NotImplementedError

    async def forever(self) -> None:
        raise NotImplementedError

    async def to_thread(self, fn: Callable[..., T], *args: Any) -> T:
        raise NotImplementedError


class _AsyncioKit(_Kit):
    def channel(self) -> tuple[_Put, Callable[[], Awaitable[ServerEvent | str | _End]]]:
        queue: asyncio.Queue[ServerEvent | str | _End] = asyncio.Queue(1)
        return queue.put, queue.get

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

    def channel(self) -> tuple[_Put, Callable[[], Awaitable[ServerEvent | str | _End]]]:
        send, receive = self._trio.open_memory_channel[ServerEvent | str | _End](0)
        return send.send, receive.receive

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


async def _produce(source: Source, put: _Put, kit: _Kit) -> None:
    # Pulls the source one event ahead of the stream; the channel holds at
    # most one event, so the source waits while the client is slow.
    if isinstance(source, AsyncIterable):
        iterator = aiter(source)
        try:
            async for item in iterator:
                await put(item)
        finally:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await shielded(aclose())
    else:
        sync_iterator: Iterator[ServerEvent | str] = iter(source)
        try:
            while True:
                step: ServerEvent | str | _End = await kit.to_thread(next, sync_iterator, _END)
                if isinstance(step, _End):
                    break
                await put(step)
        finally:
            close = getattr(sync_iterator, "close", None)
            if close is not None:
                await shielded(kit.to_thread(close))
    await put(_END)
    await kit.forever()  # the stream's end, not the producer's, ends the race


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
    ``stream.send_event(event)``.

    Returns the :class:`Outcome`. The source is closed and every task this
    started has ended when it returns.

    Raises:
        Exception: what the source raised (the front end closes the
            connection), or ``sseproto.LocalProtocolError`` for an item that
            is neither a ``ServerEvent`` nor a str. Cancellation propagates.
    """
    kit = _kit()
    put, receive = kit.channel()

    async def flush() -> Outcome | None:
        # None once everything queued is written, else how the stream ended.
        data = stream.data_to_send()
        if not data:
            return None
        try:
            if send_timeout is None:
                await write(data)
                return None
            done, _ = await within(send_timeout, write(data))
        except ClientGone:
            return Outcome.GONE
        return None if done else Outcome.TIMED_OUT

    async def serve() -> Outcome:
        while True:
            failed = await flush()
            if failed is not None:
                return failed
            if stream.state is StreamState.DROPPED:
                return Outcome.DROPPED
            if stream.state is StreamState.CLOSED:
                return Outcome.ENDED
            deadline = stream.next_deadline()
            item: ServerEvent | str | _End | None
            if deadline is None:
                item = await receive()
            else:
                _, item = await within(max(0.0, deadline - clock()), receive())
            if item is None:  # the keepalive deadline passed first
                stream.tick(clock())
            elif isinstance(item, _End):
                stream.close()
            elif isinstance(item, str):
                stream.send(item)
            else:
                stream.send_event(item)

    async def stopped() -> None:
        if shutdown is not None:
            await shutdown.wait()
        else:
            await kit.forever()

    which, outcome = await kit.race(serve, lambda: _produce(source, put, kit), client_gone, stopped)
    if which == 0:
        return outcome  # type: ignore[no-any-return]
    if which == 2:
        return Outcome.GONE
    stream.close()
    return await flush() or Outcome.SHUTDOWN
