"""The OpenRouter streams: :class:`ChatCompletionStream`,
:class:`CompletionStream`, :class:`ResponseStream` (the Responses API),
:class:`MessageStream` (the Messages API), :class:`ImageStream` (streamed
image generation) and :class:`JSONEventStream`
(any streaming path, decoded JSON only), blocking, and their async twins.

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
from ._media_records import (
    GeneratedImage,
    ImageGeneration,
    ImageStreamAccumulator,
    ImageStreamEvent,
)
from ._messages_api import AnthropicMessage, MessageEvent, MessagesAccumulator
from ._requests import Message
from ._responses import ChatCompletion, ChatCompletionChunk, Completion, CompletionChunk, RateLimit
from ._responses_api import Response, ResponseEvent, ResponsesAccumulator

__all__ = [
    "AsyncChatCompletionStream",
    "AsyncCompletionStream",
    "AsyncHeartbeatCallback",
    "AsyncImageStream",
    "AsyncJSONEventStream",
    "AsyncMessageStream",
    "AsyncResponseStream",
    "ChatCompletionStream",
    "CompletionStream",
    "HeartbeatCallback",
    "ImageStream",
    "JSONEventStream",
    "LastEvent",
    "MessageStream",
    "ResponseStream",
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


ChunkT = TypeVar("ChunkT")
ResultT = TypeVar("ResultT")
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
        ``"completed"`` (``[DONE]`` arrived; for the event streams, their
        terminal event), ``"errored"`` (an in-band
        error, raised as ``StreamError``), ``"truncated"`` (the body or the
        connection ended before ``[DONE]`` or the terminal event, raised as
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
        """How many keepalives arrived: comments, and Messages ``ping`` events."""
        return self._core.heartbeats

    def result(self) -> ResultT:
        """Every chunk so far merged into one response (the final one after
        ``[DONE]``); see the accumulator."""
        result: ResultT = self._core.accumulator.result()
        return result


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
        outcome = core.outcome  # (a local: core.outcome changes below)
        if outcome is not _OPEN:
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
                    if core.outcome is not _OPEN:
                        # A terminal event: the last item; the rest of the
                        # body (a trailer) is drained as after [DONE].
                        self._batch, self._index = [], 0
                        self._events.drain()
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
        outcome = core.outcome  # (a local: core.outcome changes below)
        if outcome is not _OPEN:
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
                    if core.outcome is not _OPEN:
                        # A terminal event (see the blocking face).
                        self._batch, self._index = [], 0
                        await self._events.drain()
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


# -- the event streams ----------------------------------------------------------------


class _ResponseView:
    """What the Responses streams add: the text and the response so far."""

    __slots__ = ()

    _core: StreamCore[ResponseEvent]

    @property
    def output_text(self) -> str:
        """The output text received so far, joined over every message item."""
        accumulator = self._core.accumulator
        assert isinstance(accumulator, ResponsesAccumulator)
        return accumulator.output_text

    def snapshot(self) -> Response:
        """The response rebuilt from the events alone, at any point
        (``ResponsesAccumulator.snapshot``); :meth:`result` prefers the
        terminal event's own ``response``."""
        accumulator = self._core.accumulator
        assert isinstance(accumulator, ResponsesAccumulator)
        return accumulator.snapshot()


class _MessageView:
    """What the Messages streams add: the text so far."""

    __slots__ = ()

    _core: StreamCore[MessageEvent]

    @property
    def text(self) -> str:
        """The text received so far, joined over every ``text`` block."""
        accumulator = self._core.accumulator
        assert isinstance(accumulator, MessagesAccumulator)
        return accumulator.text


class _ImageView:
    """What the image streams add: the previews and the text so far."""

    __slots__ = ()

    _core: StreamCore[ImageStreamEvent]

    def _images(self) -> ImageStreamAccumulator:
        accumulator = self._core.accumulator
        assert isinstance(accumulator, ImageStreamAccumulator)
        return accumulator

    @property
    def partial_images(self) -> list[GeneratedImage]:
        """Every preview so far (``image_generation.partial_image``), in
        arrival order, each as a :class:`GeneratedImage` (``to_bytes()``);
        the list grows as the stream is read."""
        return self._images().partial_images

    def text(self, phase: str = "content") -> str:
        """The text of the ``image_generation.text_chunk`` events of
        ``phase`` (``"content"``, ``"reasoning"`` or ``"draft"``) so far,
        joined: for text-based images (SVG), the image's own markup is the
        ``"content"`` phase."""
        return self._images().text(phase)


class ResponseStream(_ResponseView, _SyncStream[ResponseEvent, Response]):
    """A streamed Responses API answer (``POST /responses``, blocking), open
    when the client returns it: iterate for typed events
    (:class:`ResponseEvent` and its subclasses, each with ``.type`` and
    ``.raw``, the terminal event included), or call :meth:`recv`; a context
    manager that closes the connection.

    :attr:`outcome` is ``"completed"`` after ``response.completed`` or
    ``response.incomplete`` (``result().status`` tells them apart),
    ``"errored"`` after ``response.failed`` or an ``error`` event (iteration
    raises ``StreamError`` after yielding the events before it; its
    ``partial`` is the response so far, the failed one for
    ``response.failed``), ``"truncated"`` when the body or the connection
    ends with no terminal event (``StreamTruncatedError``).
    :meth:`result` is the final :class:`Response`: the terminal event's
    ``response`` as ``raw``; before the end, the response rebuilt so far.
    Keepalive comments are counted in :attr:`heartbeats`.
    """

    __slots__ = ()


class MessageStream(_MessageView, _SyncStream[MessageEvent, AnthropicMessage]):
    """A streamed Messages API answer (``POST /messages``, Anthropic's
    format; blocking): iterate for typed events (``message_start``,
    ``content_block_start`` / ``_delta`` / ``_stop``, ``message_delta``,
    ``message_stop``: :class:`MessageEvent` and its subclasses); ``ping``
    events are keepalives, counted in :attr:`heartbeats` with the comments,
    not yielded. An ``error`` event raises ``StreamError`` after the events
    before it, with the error's ``type`` (``overloaded_error``) as ``code``.
    :meth:`result` is the :class:`AnthropicMessage` rebuilt from the events
    (usage merged, typed ``content`` blocks). Otherwise as
    :class:`ResponseStream`.
    """

    __slots__ = ()


class ImageStream(_ImageView, _SyncStream[ImageStreamEvent, ImageGeneration]):
    """A streamed image generation (``POST /images`` with ``"stream":
    true``, blocking), open when the client returns it: iterate for typed
    events (:class:`ImagePartialEvent` for each preview,
    :class:`ImageTextChunkEvent` for text-based images,
    :class:`ImageCompletedEvent` last; each with ``.type`` and ``.raw``), or
    call :meth:`recv`; a context manager that closes the connection.

    :attr:`outcome` is ``"completed"`` after ``image_generation.completed``,
    ``"errored"`` after an ``error`` event (iteration raises ``StreamError``
    after yielding the events before it; ``code`` is the provider's
    ``error.code``, else its ``error.type``), ``"truncated"`` when the body
    or the connection ends before ``image_generation.completed``
    (``StreamTruncatedError``). :attr:`partial_images` holds the previews
    as they arrive; :meth:`result` is the final :class:`ImageGeneration`
    (the completed image in ``data``, ``created``, ``usage``), with no
    images before the end. Keepalive comments are counted in
    :attr:`heartbeats`. Errors carry the :class:`ImageGeneration` so far in
    ``partial`` and the event that reported the error in ``chunks``.
    """

    __slots__ = ()


class JSONEventStream(_SyncStream[Any, Any]):
    """The stream of :meth:`OpenRouter.stream_request`: iterate for the
    decoded JSON value of each event (the ``raw`` of the typed streams),
    the terminal event of an event format included; keepalives are counted
    in :attr:`heartbeats`. The outcome follows the request's
    :class:`~sseproto.StreamFormat`. :meth:`result` is the last value
    received (``None`` before any).
    """

    __slots__ = ()


class AsyncResponseStream(_ResponseView, _AsyncStream[ResponseEvent, Response]):
    """The async counterpart of :class:`ResponseStream`, opened as
    :class:`AsyncChatCompletionStream` is (awaited, entered or first
    iterated)."""

    __slots__ = ()


class AsyncMessageStream(_MessageView, _AsyncStream[MessageEvent, AnthropicMessage]):
    """The async counterpart of :class:`MessageStream`, opened as
    :class:`AsyncChatCompletionStream` is."""

    __slots__ = ()


class AsyncImageStream(_ImageView, _AsyncStream[ImageStreamEvent, ImageGeneration]):
    """The async counterpart of :class:`ImageStream`, opened as
    :class:`AsyncChatCompletionStream` is (awaited, entered or first
    iterated)."""

    __slots__ = ()


class AsyncJSONEventStream(_AsyncStream[Any, Any]):
    """The async counterpart of :class:`JSONEventStream`, opened as
    :class:`AsyncChatCompletionStream` is."""

    __slots__ = ()


class LastEvent:
    """The accumulator of :class:`JSONEventStream`: keeps the last value."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: Any = None

    def add(self, value: Any) -> None:
        """Keep ``value`` as the latest."""
        self.last = value

    def result(self) -> Any:
        """The latest value, or None."""
        return self.last
