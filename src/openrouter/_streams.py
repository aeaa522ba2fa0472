"""The OpenRouter streams: :class:`ChatCompletionStream` and
:class:`CompletionStream` (blocking) and their async twins.

Each stream object reads items from an sseproto event stream and asks its
:class:`~openrouter._calls.StreamCore` what each one means; every decision
(decoding, the outcome, the accumulator, errors) is the core's, so the two
faces cannot drift apart (a test compares their signatures too).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Final, Generic, TypeVar

from sseproto import Comment, Event, SSEError
from sseproto.adapters import AsyncEventStream, EventStream
from sseproto.http import header_value

from ._calls import Outcome, StreamCore, rate_limit
from ._errors import OpenRouterError
from ._responses import ChatCompletion, ChatCompletionChunk, Completion, CompletionChunk, RateLimit

__all__ = [
    "AsyncChatCompletionStream",
    "AsyncCompletionStream",
    "ChatCompletionStream",
    "CompletionStream",
]

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

    @property
    def status(self) -> int:
        """The response status (200)."""
        return self._core.status

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """The response headers, available as soon as the stream opened."""
        return self._core.headers

    def header(self, name: str) -> str | None:
        """One response header (any case; several are joined with ``", "``),
        or None."""
        return header_value(self._core.headers, name)

    @property
    def generation_id(self) -> str | None:
        """The ``X-Generation-Id`` header: the ID for ``get_generation()``."""
        return header_value(self._core.headers, "x-generation-id")

    @property
    def rate_limit(self) -> RateLimit | None:
        """The ``X-RateLimit-*`` headers (``limit``, ``remaining``, ``reset``)."""
        return rate_limit(self._core.headers)

    @property
    def heartbeats(self) -> int:
        """How many keepalive comments arrived."""
        return self._core.heartbeats

    def result(self) -> ResultT:
        """Every chunk so far merged into one response (the final one after
        ``[DONE]``); see the accumulator."""
        return self._core.accumulator.result()  # type: ignore[return-value]


class _SyncStream(_StreamInfo[ChunkT, ResultT]):
    __slots__ = ("_batch", "_core", "_events", "_index")

    def __init__(self, events: EventStream[Event | Comment], core: StreamCore[ChunkT]) -> None:
        self._events = events
        self._core = core
        # The items of the latest read, and how many were handled.
        self._batch: list[Event | Comment] = []
        self._index = 0

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
        supports that); ``outcome`` becomes ``"cancelled"`` if still open."""
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


class ChatCompletionStream(_SyncStream[ChatCompletionChunk, ChatCompletion]):
    """A streamed chat completion (blocking): iterate for
    :class:`ChatCompletionChunk` items, or call :meth:`recv`; a context
    manager that closes the connection. See :attr:`outcome`.

    Raises while iterating: ``StreamError`` for an in-band error (after the
    chunks before it; ``partial`` holds them merged), ``StreamTruncatedError``
    when the body ends before ``[DONE]``, ``APITimeoutError``.
    """

    __slots__ = ()


class CompletionStream(_SyncStream[CompletionChunk, Completion]):
    """A streamed legacy text completion; as :class:`ChatCompletionStream`."""

    __slots__ = ()


class _AsyncStream(_StreamInfo[ChunkT, ResultT]):
    __slots__ = ("_batch", "_core", "_events", "_index")

    def __init__(self, events: AsyncEventStream[Event | Comment], core: StreamCore[ChunkT]) -> None:
        self._events = events
        self._core = core
        # The items of the latest read, and how many were handled.
        self._batch: list[Event | Comment] = []
        self._index = 0

    def __aiter__(self: _A) -> _A:
        return self

    async def __anext__(self) -> ChunkT:
        core = self._core
        if core.outcome is not _OPEN:
            if core.error is not None:
                raise core.error
            raise StopAsyncIteration
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
                    self._batch, self._index = [], 0
                    await self._events.drain()
                    raise StopAsyncIteration
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
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncChatCompletionStream(_AsyncStream[ChatCompletionChunk, ChatCompletion]):
    """The async counterpart of :class:`ChatCompletionStream`."""

    __slots__ = ()


class AsyncCompletionStream(_AsyncStream[CompletionChunk, Completion]):
    """The async counterpart of :class:`CompletionStream`."""

    __slots__ = ()
