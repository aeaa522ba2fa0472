"""The OpenRouter streams: :class:`ChatCompletionStream` and
:class:`CompletionStream` (blocking) and their async twins.

Each stream object reads items from an sseproto event stream and asks its
:class:`~openrouter._calls.StreamCore` what each one means; every decision
(decoding, the outcome, the accumulator, errors) is the core's, so the two
faces cannot drift apart (a test compares their signatures too).

When the request is sent: the blocking client's ``*_stream()`` methods send
it when called and return the stream open; an async stream sends it when it
is awaited, entered (``async with``) or first iterated, whichever comes
first.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator
from types import TracebackType
from typing import Any, Final, Generic, TypeAlias, TypeVar

from sseproto import Comment, Event, SSEError
from sseproto.adapters import AsyncEventStream, EventStream
from sseproto.http import header_value

from ._accumulator import ChatCompletionAccumulator
from ._calls import Outcome, StreamCore, rate_limit
from ._errors import OpenRouterError
from ._requests import Message
from ._responses import ChatCompletion, ChatCompletionChunk, Completion, CompletionChunk, RateLimit

__all__ = [
    "AsyncChatCompletionStream",
    "AsyncCompletionStream",
    "AsyncHeartbeatCallback",
    "ChatCompletionStream",
    "CompletionStream",
    "HeartbeatCallback",
]

#: ``on_heartbeat`` of the blocking client: called with each heartbeat's text.
HeartbeatCallback: TypeAlias = Callable[[str], None]

#: ``on_heartbeat`` of the async client: a function or an ``async def``,
#: whose coroutine the stream awaits before it reads on.
AsyncHeartbeatCallback: TypeAlias = Callable[[str], Awaitable[None] | None]


def refuse_async_callback(name: str, callback: object) -> None:
    """Raise ``TypeError`` if ``callback`` is an ``async def`` (or an object
    whose ``__call__`` is one): the blocking client would only make a
    coroutine that nobody awaits."""
    if callback is None:
        return
    if inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
        getattr(callback, "__call__", None)  # noqa: B004 - the method itself is examined
    ):
        raise TypeError(
            f"{name} is an async function: OpenRouter (blocking) cannot await it; "
            "pass a plain function, or use AsyncOpenRouter"
        )


ChunkT = TypeVar("ChunkT", ChatCompletionChunk, CompletionChunk)
ResultT = TypeVar("ResultT", ChatCompletion, Completion)
_S = TypeVar("_S", bound="_SyncStream[Any, Any]")
_A = TypeVar("_A", bound="_AsyncStream[Any, Any]")
_OPEN: Final = Outcome.OPEN


class _StreamInfo(Generic[ChunkT, ResultT]):
    """What both stream faces expose, read from the shared StreamCore."""

    __slots__ = ()

    _core: StreamCore[ChunkT]

    @property
    def outcome(self) -> Outcome:
        """``"open"`` while chunks may come; then exactly one of
        ``"completed"`` (``[DONE]`` arrived), ``"errored"`` (an in-band
        error, raised as ``StreamError``), ``"truncated"`` (the body or the
        connection ended before ``[DONE]``, raised as
        ``StreamTruncatedError``, or a time limit passed, ``APITimeoutError``),
        ``"cancelled"`` (closed by the caller) or ``"failed"`` (an event's
        data was not JSON, or a line or event went over the parser's limits:
        ``APIConnectionError``)."""
        return self._core.outcome

    @property
    def error(self) -> OpenRouterError | None:
        """The error that ended the stream (``None`` while open, after
        ``[DONE]`` and after a cancel). Reading on raises it again, so a
        loop that logs an error and calls :meth:`recv` once more never ends
        as if the stream had completed."""
        return self._core.error

    def _opened(self) -> StreamCore[ChunkT]:
        core = self._core
        if not core.is_open:
            raise RuntimeError(
                "the stream is not open yet: await it, enter it (async with) or start iterating"
            )
        return core

    @property
    def status(self) -> int:
        """The response status (200). Raises ``RuntimeError`` before the
        stream opened (an async stream not yet awaited, entered or iterated)."""
        return self._opened().status

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """The response headers, available as soon as the stream opened
        (``RuntimeError`` before)."""
        return self._opened().headers

    def header(self, name: str) -> str | None:
        """One response header (any case; several are joined with ``", "``),
        or None."""
        return header_value(self.headers, name)

    @property
    def generation_id(self) -> str | None:
        """The ``X-Generation-Id`` header: the ID for ``get_generation()``."""
        return header_value(self.headers, "x-generation-id")

    @property
    def rate_limit(self) -> RateLimit | None:
        """The ``X-RateLimit-*`` headers (``limit``, ``remaining``, ``reset``)."""
        return rate_limit(self.headers)

    @property
    def heartbeats(self) -> int:
        """How many keepalive comments arrived."""
        return self._core.heartbeats

    def result(self) -> ResultT:
        """Every chunk so far merged into one response (the final one after
        ``[DONE]``); see the accumulator."""
        return self._core.accumulator.result()  # type: ignore[return-value]


class _ChatMessage:
    """``to_message()`` of the chat streams."""

    __slots__ = ()

    _core: StreamCore[ChatCompletionChunk]

    def to_message(self, index: int = 0) -> Message:
        """The assistant :class:`Message` of choice ``index`` merged from
        every chunk so far (the whole answer after ``[DONE]``), ready to
        append to the next request's messages:
        ``ChatCompletionAccumulator.to_message`` of :meth:`result`'s chunks."""
        accumulator = self._core.accumulator
        assert isinstance(accumulator, ChatCompletionAccumulator)
        return accumulator.to_message(index)


class _SyncStream(_StreamInfo[ChunkT, ResultT]):
    __slots__ = ("_batch", "_core", "_events", "_index")

    def __init__(self, events: EventStream[Event | Comment], core: StreamCore[ChunkT]) -> None:
        self._events = events
        self._core = core
        # The items of the latest read, and how many were handled.
        self._batch: list[Event | Comment] = []
        self._index = 0

    def _start(self: _S) -> _S:
        """Send the request and wait for the response head (the client does,
        before it returns the stream)."""
        core = self._core
        if not core.is_open:
            events = self._events.open()
            core.open(events.status, events.headers)
        return self

    def __iter__(self: _S) -> _S:
        return self

    def __next__(self) -> ChunkT:
        core = self._core
        if core.outcome is not _OPEN:
            # A failed stream raises its error again; a completed or
            # cancelled one has nothing more.
            if core.error is not None:
                raise core.error
            raise StopIteration
        handle = core.handle
        batch = self._batch
        while True:
            index = self._index
            while index < len(batch):
                item = batch[index]
                index += 1
                chunk = handle(item)
                if chunk is not None:
                    self._index = index
                    return chunk
                if core.outcome is not _OPEN:
                    # [DONE]: the answer is whole whatever the server does
                    # next; the rest of the body is drained within a small
                    # bound (the connection is then reused) or closed.
                    self._batch, self._index = [], 0
                    self._events.drain()
                    raise StopIteration
            # The batch read is let go before the next read waits.
            batch = self._batch = []
            self._index = 0
            try:
                batch = self._batch = self._events.next_items()
            except SSEError as exc:
                self._batch, self._index = [], 0
                raise core.broke(exc) from exc
            self._index = 0
            if not batch:
                core.end()
                raise StopIteration

    def recv(self) -> ChunkT | None:
        """The next chunk, or ``None`` once the stream completed (Go's
        ``Recv()`` returning ``io.EOF``) or was closed. Raises as iteration
        does, and raises the same error again on every call after one."""
        try:
            return next(self)
        except StopIteration:
            return None

    def close(self) -> None:
        """Close the connection now (the provider stops generating where it
        supports that); ``outcome`` becomes ``"cancelled"`` if still open.

        Thread-safe: from another thread (a Stop button) while this stream's
        thread waits for the next chunk, it wakes that wait at once; that
        thread's iteration then ends without an error (``recv()`` returns
        ``None``), with ``outcome == "cancelled"``."""
        self._core.cancel()
        self._events.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ChatCompletionStream(_ChatMessage, _SyncStream[ChatCompletionChunk, ChatCompletion]):
    """A streamed chat completion (blocking), open when the client returns
    it: iterate for :class:`ChatCompletionChunk` items, or call :meth:`recv`;
    a context manager that closes the connection. See :attr:`outcome`;
    :meth:`to_message` gives the answer as the next turn's message.

    Raises while iterating: ``StreamError`` for an in-band error (after the
    chunks before it; ``partial`` holds them merged), ``StreamTruncatedError``
    when the body ends before ``[DONE]``, ``APITimeoutError``.
    """

    __slots__ = ()


class CompletionStream(_SyncStream[CompletionChunk, Completion]):
    """A streamed legacy text completion; as :class:`ChatCompletionStream`."""

    __slots__ = ()


class _AsyncStream(_StreamInfo[ChunkT, ResultT]):
    __slots__ = ("_batch", "_core", "_events", "_failed", "_index")

    def __init__(self, events: AsyncEventStream[Event | Comment], core: StreamCore[ChunkT]) -> None:
        self._events = events
        self._core = core
        # The items of the latest read, and how many were handled.
        self._batch: list[Event | Comment] = []
        self._index = 0
        # The error that kept the stream from opening, raised again.
        self._failed: BaseException | None = None

    def __await__(self: _A) -> Generator[Any, None, _A]:
        """``await stream``: send the request and wait for the response
        head; returns the stream, open."""
        return self._start().__await__()

    async def _start(self: _A) -> _A:
        core = self._core
        if not core.is_open:
            if self._failed is not None:
                raise self._failed
            try:
                events = await self._events.open()
            except Exception as exc:
                self._failed = exc
                raise
            core.open(events.status, events.headers)
        return self

    def __aiter__(self: _A) -> _A:
        return self

    async def __anext__(self) -> ChunkT:
        core = self._core
        if core.outcome is not _OPEN:
            if core.error is not None:
                raise core.error
            raise StopAsyncIteration
        if not core.is_open:
            await self._start()
        handle = core.handle
        batch = self._batch
        while True:
            index = self._index
            while index < len(batch):
                item = batch[index]
                index += 1
                chunk = handle(item)
                if chunk is not None:
                    self._index = index
                    return chunk
                pending = core.pending
                if pending is not None:
                    # An async on_heartbeat: awaited before reading on.
                    core.pending = None
                    self._index = index
                    await pending
                if core.outcome is not _OPEN:
                    self._batch, self._index = [], 0
                    await self._events.drain()
                    raise StopAsyncIteration
            # The batch read is let go before the next read waits.
            batch = self._batch = []
            self._index = 0
            try:
                batch = self._batch = await self._events.next_items()
            except SSEError as exc:
                self._batch, self._index = [], 0
                raise core.broke(exc) from exc
            self._index = 0
            if not batch:
                core.end()
                raise StopAsyncIteration

    async def recv(self) -> ChunkT | None:
        """The next chunk, or ``None`` once the stream completed or was
        closed; raises as :meth:`ChatCompletionStream.recv` does."""
        try:
            return await self.__anext__()
        except StopAsyncIteration:
            return None

    async def aclose(self) -> None:
        """Close the connection now; ``outcome`` becomes ``"cancelled"`` if
        still open."""
        self._core.cancel()
        await self._events.aclose()

    async def __aenter__(self: _A) -> _A:
        return await self._start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncChatCompletionStream(_ChatMessage, _AsyncStream[ChatCompletionChunk, ChatCompletion]):
    """The async counterpart of :class:`ChatCompletionStream`. The request is
    sent when the stream is awaited, entered or first iterated, so
    ``async with client.chat_completion_stream(...) as stream``,
    ``stream = await client.chat_completion_stream(...)``,
    ``async with await ...`` and a bare ``async for`` all work."""

    __slots__ = ()


class AsyncCompletionStream(_AsyncStream[CompletionChunk, Completion]):
    """The async counterpart of :class:`CompletionStream`."""

    __slots__ = ()
