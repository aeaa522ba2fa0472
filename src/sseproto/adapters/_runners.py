"""What every adapter shares: the runners that drive a flow of ``_flows.py``,
the stream and subscription objects users iterate, and the client methods.

An adapter only subclasses :class:`SyncRunner` or :class:`AsyncRunner` to
say how it performs each operation, and a client base class to say which
runner it uses. Everything a user sees (methods, arguments, items, errors,
closing) is defined here once, so every adapter behaves the same.
"""

from __future__ import annotations

import abc
import contextlib
import random as _random
from collections import deque
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Sequence
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar, overload

from sseproto._errors import ProtocolError
from sseproto._events import Comment, Event
from sseproto._parser import DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_LINE_SIZE, Item
from sseproto._reconnect import ReconnectPolicy

from ._errors import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_ERROR_BODY,
    Timeouts,
    TransportError,
)
from ._flows import (
    DEFAULT_DRAIN_MAX_BYTES,
    DEFAULT_DRAIN_TIMEOUT,
    Drain,
    Emit,
    Head,
    Response,
    StreamOpened,
    check_request,
    header_value,
    request_flow,
    stream_flow,
    subscribe_flow,
)

__all__ = [
    "AsyncClientBase",
    "AsyncEventStream",
    "AsyncRunner",
    "AsyncSubscription",
    "EventStream",
    "Subscription",
    "SyncClientBase",
    "SyncRunner",
]

R = TypeVar("R")

# What a failed operation may raise; the runner throws it into the flow,
# which decides (raise it, reconnect, ...). Anything else propagates.
_THROWN = (OSError, TransportError, ProtocolError)
Flow = Generator[Any, Any, Any]
Body = bytes | bytearray | memoryview | None


def _body(body: object) -> bytes | None:
    if body is None or type(body) is bytes:
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"body must be bytes or None, not {type(body).__name__}")


# -- runners -----------------------------------------------------------------------


class SyncRunner(abc.ABC):
    """Drives one flow with blocking calls.

    :meth:`step` runs the flow until it has something for the user: a
    ``StreamOpened`` or an ``Emit``, or ``None`` once the flow returned (its
    value is then in :attr:`result`). Any error the flow raises propagates,
    after the runner released its connection.
    """

    __slots__ = ("_gen", "done", "result")

    def __init__(self, gen: Flow) -> None:
        self._gen = gen
        #: The flow's return value, once :attr:`done`.
        self.result: Any = None
        #: Whether the flow has ended (returned, raised, or was closed).
        self.done = False

    @abc.abstractmethod
    def perform(self, op: Any) -> Any:
        """Perform one operation and return its result; for a failed one,
        raise ``OSError`` or a ``TransportError`` or ``ProtocolError``."""

    @abc.abstractmethod
    def release(self) -> None:
        """Close at once whatever connection the flow holds. Never raises."""

    def step(self, reply: Any = None) -> StreamOpened | Emit[Any] | None:
        """Run the flow to its next ``StreamOpened`` or ``Emit`` (or its
        end: ``None``), sending ``reply`` back for the previous one."""
        if self.done:
            return None
        gen = self._gen
        value: Any = reply
        error: BaseException | None = None
        try:
            while True:
                try:
                    op = gen.send(value) if error is None else gen.throw(error)
                except StopIteration as stop:
                    self.result = stop.value
                    self.done = True
                    return None
                kind = type(op)
                if kind is Emit or kind is StreamOpened:
                    return op  # type: ignore[no-any-return]
                value = error = None
                try:
                    value = self.perform(op)
                except _THROWN as exc:
                    error = exc
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the flow and close its connection. Never raises."""
        self.done = True
        try:
            self._gen.close()
        finally:
            self.release()


class AsyncRunner(abc.ABC):
    """The async counterpart of :class:`SyncRunner` (asyncio or trio).

    Cancellation while an operation waits (a trio cancel scope, a cancelled
    asyncio task) releases the connection at once, without awaiting, and
    propagates.
    """

    __slots__ = ("_gen", "done", "result")

    def __init__(self, gen: Flow) -> None:
        self._gen = gen
        self.result: Any = None
        self.done = False

    @abc.abstractmethod
    async def perform(self, op: Any) -> Any:
        """Perform one operation and return its result; raise ``OSError``
        (or an error of this package) for a failed one."""

    @abc.abstractmethod
    def release(self) -> None:
        """Close at once whatever connection the flow holds, without
        awaiting (for ``__del__``). Never raises."""

    async def arelease(self) -> None:
        """Close whatever connection the flow holds; it must not wait on
        the peer and must work under cancellation. Never raises except for
        the runtime's cancellation."""
        self.release()

    async def step(self, reply: Any = None) -> StreamOpened | Emit[Any] | None:
        """As :meth:`SyncRunner.step`."""
        if self.done:
            return None
        gen = self._gen
        value: Any = reply
        error: BaseException | None = None
        try:
            while True:
                try:
                    op = gen.send(value) if error is None else gen.throw(error)
                except StopIteration as stop:
                    self.result = stop.value
                    self.done = True
                    return None
                kind = type(op)
                if kind is Emit or kind is StreamOpened:
                    return op  # type: ignore[no-any-return]
                value = error = None
                try:
                    value = await self.perform(op)
                except _THROWN as exc:
                    error = exc
        except BaseException:
            await self.aclose()
            raise

    def close(self) -> None:
        """Stop the flow and close its connection without awaiting."""
        self.done = True
        try:
            self._gen.close()
        finally:
            self.release()

    async def aclose(self) -> None:
        """Stop the flow and close its connection."""
        self.done = True
        try:
            self._gen.close()
        finally:
            await self.arelease()


# -- what users iterate ------------------------------------------------------------


class _StreamState:
    """The response head of an open stream, for the stream objects."""

    __slots__ = ()

    _opened: StreamOpened | None

    def _head(self) -> Head:
        if self._opened is None:
            raise RuntimeError("the stream is not open yet: enter it or start iterating")
        return self._opened.head

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
        if self._opened is None:
            raise RuntimeError("the stream is not open yet: enter it or start iterating")
        return self._opened.url

    def header(self, name: str) -> str | None:
        """The value of response header ``name`` (any case), several joined
        with ``", "``; ``None`` when absent."""
        return header_value(self.headers, name)


class EventStream(_StreamState, Generic[Item]):
    """The events of one streamed response (blocking).

    Use it as a context manager, which opens the stream on entry (so a
    rejected response raises there) and closes it on exit, and iterate it::

        with client.stream("GET", url) as stream:
            for event in stream:
                ...

    Iterating without ``with`` opens the stream at the first ``next()``.
    Leaving early (``break``, an exception, :meth:`close`, or dropping the
    last reference) closes the connection at once. The iteration ends when
    the body ends; an incomplete event at the end is discarded, as the spec
    says, and :attr:`unterminated` tells whether there was one.

    Raises (on entry or while iterating): ``ResponseRejected``, the
    :class:`~sseproto.adapters.Timeout` subclasses, ``ConnectError``,
    ``ReadError``, ``TooManyRedirects``, the HTTP errors (``IncompleteBody``,
    ...) and the parser's limit errors (after the items before them).
    """

    __slots__ = ("_at_emit", "_items", "_opened", "_runner")

    def __init__(self, runner: SyncRunner) -> None:
        self._runner = runner
        self._opened: StreamOpened | None = None
        self._items: deque[Item] = deque()
        # Whether the flow waits at an Emit (where it takes a Drain).
        self._at_emit = False

    def open(self) -> EventStream[Item]:
        """Send the request and wait for the stream to open (done by ``with``
        and by the first ``next()``); returns the stream."""
        while self._opened is None:
            op = self._runner.step()
            if op is None:  # pragma: no cover - a stream flow opens or raises
                raise RuntimeError("the stream ended before it opened")
            if type(op) is StreamOpened:
                self._opened = op
        return self

    @property
    def unterminated(self) -> bool:
        """Whether the body ended in the middle of an event (then discarded)."""
        parser = self._runner.result
        return bool(parser is not None and parser.unterminated)

    def __iter__(self) -> Iterator[Item]:
        return self

    def __next__(self) -> Item:
        items = self._items
        if items:
            return items.popleft()
        if self._opened is None:
            self.open()
        while True:
            op = self._runner.step()
            if op is None:
                self.close()
                raise StopIteration
            if type(op) is Emit:
                self._at_emit = True
                items.extend(op.items)
                return items.popleft()

    def next_items(self) -> list[Item]:
        """The items that the next read of the body completes (one or more),
        or ``[]`` once the body ended; for callers that handle items in
        batches. It mixes with iteration: items that ``next()`` has not
        returned yet come first. Raises as iteration does."""
        items = self._items
        if items:
            batch = list(items)
            items.clear()
            return batch
        if self._opened is None:
            self.open()
        while True:
            op = self._runner.step()
            if op is None:
                self.close()
                return []
            if type(op) is Emit:
                self._at_emit = True
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
        self._items.clear()
        runner = self._runner
        if self._at_emit and not runner.done:
            with contextlib.suppress(TransportError, ProtocolError):
                runner.step(Drain(timeout, max_bytes))
        runner.close()

    def close(self) -> None:
        """Close the connection now; iteration then ends. Idempotent."""
        self._runner.close()

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
        runner = getattr(self, "_runner", None)
        if runner is not None and not runner.done:
            runner.close()


class AsyncEventStream(_StreamState, Generic[Item]):
    """The events of one streamed response (asyncio or trio).

    The async counterpart of :class:`EventStream`: ``async with`` opens and
    closes it, ``async for`` iterates it, :meth:`aclose` closes it. A
    cancelled task or cancel scope closes the connection at once.
    """

    __slots__ = ("_at_emit", "_items", "_opened", "_runner")

    def __init__(self, runner: AsyncRunner) -> None:
        self._runner = runner
        self._opened: StreamOpened | None = None
        self._items: deque[Item] = deque()
        # Whether the flow waits at an Emit (where it takes a Drain).
        self._at_emit = False

    async def open(self) -> AsyncEventStream[Item]:
        """Send the request and wait for the stream to open; returns the stream."""
        while self._opened is None:
            op = await self._runner.step()
            if op is None:  # pragma: no cover - a stream flow opens or raises
                raise RuntimeError("the stream ended before it opened")
            if type(op) is StreamOpened:
                self._opened = op
        return self

    @property
    def unterminated(self) -> bool:
        """Whether the body ended in the middle of an event (then discarded)."""
        parser = self._runner.result
        return bool(parser is not None and parser.unterminated)

    def __aiter__(self) -> AsyncIterator[Item]:
        return self

    async def __anext__(self) -> Item:
        items = self._items
        if items:
            return items.popleft()
        if self._opened is None:
            await self.open()
        while True:
            op = await self._runner.step()
            if op is None:
                await self._runner.aclose()
                raise StopAsyncIteration
            if type(op) is Emit:
                self._at_emit = True
                items.extend(op.items)
                return items.popleft()

    async def next_items(self) -> list[Item]:
        """As :meth:`EventStream.next_items`."""
        items = self._items
        if items:
            batch = list(items)
            items.clear()
            return batch
        if self._opened is None:
            await self.open()
        while True:
            op = await self._runner.step()
            if op is None:
                await self._runner.aclose()
                return []
            if type(op) is Emit:
                self._at_emit = True
                return list(op.items)

    async def drain(
        self, timeout: float = DEFAULT_DRAIN_TIMEOUT, max_bytes: int = DEFAULT_DRAIN_MAX_BYTES
    ) -> None:
        """As :meth:`EventStream.drain`."""
        self._items.clear()
        runner = self._runner
        if self._at_emit and not runner.done:
            with contextlib.suppress(TransportError, ProtocolError):
                await runner.step(Drain(timeout, max_bytes))
        await runner.aclose()

    async def aclose(self) -> None:
        """Close the connection now; iteration then ends. Idempotent."""
        await self._runner.aclose()

    async def __aenter__(self) -> AsyncEventStream[Item]:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._runner.aclose()

    def __del__(self) -> None:
        runner = getattr(self, "_runner", None)
        if runner is not None and not runner.done:
            runner.close()


class Subscription(Generic[Item]):
    """A reconnecting EventSource subscription (blocking): iterate it for
    events across connections; it sleeps between connections as the server's
    ``retry`` and the :class:`~sseproto.ReconnectPolicy` say, and resumes
    with ``Last-Event-ID``. The iteration ends only by :meth:`close` (or
    ``break``) or an error: ``ResponseRejected`` (the server refused the
    stream, e.g. 204), ``ReconnectGaveUp``, a limit error or
    ``TooManyRedirects``. A context manager; closes its connection on exit.
    """

    __slots__ = ("_items", "_runner", "connections", "last_event_id")

    def __init__(self, runner: SyncRunner, last_event_id: str) -> None:
        self._runner = runner
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
            op = self._runner.step()
            if op is None:
                self.close()
                raise StopIteration
            if type(op) is StreamOpened:
                self.connections += 1
            elif type(op) is Emit:
                items.extend(op.items)
        item = items.popleft()
        if type(item) is Event:
            self.last_event_id = item.id
        return item

    def close(self) -> None:
        """Stop: close the connection; iteration then ends. Idempotent."""
        self._runner.close()

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
        runner = getattr(self, "_runner", None)
        if runner is not None and not runner.done:
            runner.close()


class AsyncSubscription(Generic[Item]):
    """The async counterpart of :class:`Subscription`."""

    __slots__ = ("_items", "_runner", "connections", "last_event_id")

    def __init__(self, runner: AsyncRunner, last_event_id: str) -> None:
        self._runner = runner
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
            op = await self._runner.step()
            if op is None:
                await self._runner.aclose()
                raise StopAsyncIteration
            if type(op) is StreamOpened:
                self.connections += 1
            elif type(op) is Emit:
                items.extend(op.items)
        item = items.popleft()
        if type(item) is Event:
            self.last_event_id = item.id
        return item

    async def aclose(self) -> None:
        """Stop: close the connection; iteration then ends. Idempotent."""
        await self._runner.aclose()

    async def __aenter__(self) -> AsyncSubscription[Item]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._runner.aclose()

    def __del__(self) -> None:
        runner = getattr(self, "_runner", None)
        if runner is not None and not runner.done:
            runner.close()


# -- the client methods ------------------------------------------------------------

_DEFAULT_TIMEOUTS = Timeouts()


class _ClientOptions(abc.ABC):
    """Arguments and flow builders shared by the sync and async clients."""

    __slots__ = ("max_redirects", "timeouts")

    timeouts: Timeouts
    max_redirects: int

    def _configure(self, timeouts: Timeouts, max_redirects: int) -> None:
        if not isinstance(timeouts, Timeouts):
            raise TypeError(f"timeouts must be a Timeouts, not {timeouts!r}")
        if type(max_redirects) is not int or max_redirects < 0:
            raise ValueError(f"max_redirects must be an int >= 0, not {max_redirects!r}")
        self.timeouts = timeouts
        self.max_redirects = max_redirects

    @abc.abstractmethod
    def _clock(self) -> float:
        """The runtime's monotonic clock, in seconds."""

    def _stream_flow(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: Body,
        comments: bool,
        timeouts: Timeouts | None,
        max_line_size: int,
        max_event_size: int,
        max_error_body: int,
    ) -> Flow:
        payload = _body(body)
        check_request(method, url, headers, payload)
        return stream_flow(
            method,
            url,
            headers=headers,
            body=payload,
            timeouts=self.timeouts if timeouts is None else timeouts,
            clock=self._clock,
            comments=comments,
            max_line_size=max_line_size,
            max_event_size=max_event_size,
            max_redirects=self.max_redirects,
            max_error_body=max_error_body,
        )

    def _request_flow(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: Body,
        timeouts: Timeouts | None,
        max_body_size: int,
    ) -> Flow:
        payload = _body(body)
        check_request(method, url, headers, payload)
        return request_flow(
            method,
            url,
            headers=headers,
            body=payload,
            timeouts=self.timeouts if timeouts is None else timeouts,
            clock=self._clock,
            max_body_size=max_body_size,
            max_redirects=self.max_redirects,
        )

    def _subscribe_flow(
        self,
        url: str,
        headers: Sequence[tuple[str, str]],
        last_event_id: str,
        policy: ReconnectPolicy | None,
        random: Callable[[], float],
        comments: bool,
        timeouts: Timeouts | None,
        max_line_size: int,
        max_event_size: int,
    ) -> Flow:
        check_request("GET", url, headers, None)
        return subscribe_flow(
            url,
            headers=headers,
            timeouts=self.timeouts if timeouts is None else timeouts,
            clock=self._clock,
            last_event_id=last_event_id,
            policy=policy,
            random=random,
            comments=comments,
            max_line_size=max_line_size,
            max_event_size=max_event_size,
            max_redirects=self.max_redirects,
        )


class SyncClientBase(_ClientOptions):
    """The methods of every blocking client (see the adapters' ``Client``)."""

    __slots__ = ()

    @abc.abstractmethod
    def _runner(self, flow: Flow) -> SyncRunner:
        """A runner for ``flow`` on this client's connections."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close every idle connection. Streams still open stay usable."""

    @overload
    def stream(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: Body = None,
        comments: Literal[False] = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        max_error_body: int = DEFAULT_MAX_ERROR_BODY,
    ) -> EventStream[Event]: ...

    @overload
    def stream(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: Body = None,
        comments: bool,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        max_error_body: int = DEFAULT_MAX_ERROR_BODY,
    ) -> EventStream[Event | Comment]: ...

    def stream(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: Body = None,
        comments: bool = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        max_error_body: int = DEFAULT_MAX_ERROR_BODY,
    ) -> EventStream[Any]:
        """One request whose response is an event stream (see
        :class:`EventStream`); nothing is sent until it is entered or iterated.

        ``headers`` are ``(name, value)`` pairs (``Accept: text/event-stream``
        and a ``User-Agent`` are added unless given); ``body`` is sent with
        ``Content-Length``; ``comments`` also yields comment lines as
        :class:`~sseproto.Comment`; ``timeouts`` replaces the client's;
        the limits are the parser's, and ``max_error_body`` bounds the body
        kept in ``ResponseRejected``.
        """
        flow = self._stream_flow(
            method,
            url,
            headers,
            body,
            comments,
            timeouts,
            max_line_size,
            max_event_size,
            max_error_body,
        )
        return EventStream(self._runner(flow))

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: Body = None,
        timeouts: Timeouts | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> Response:
        """One request; returns the whole :class:`Response` (any status;
        redirects followed). Raises ``BodyTooLarge`` past ``max_body_size``,
        and the transport and HTTP errors."""
        runner = self._runner(
            self._request_flow(method, url, headers, body, timeouts, max_body_size)
        )
        while runner.step() is not None:  # pragma: no cover - request flows emit nothing
            pass
        result: Response = runner.result
        return result

    @overload
    def subscribe(
        self,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        comments: Literal[False] = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> Subscription[Event]: ...

    @overload
    def subscribe(
        self,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        comments: bool,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> Subscription[Event | Comment]: ...

    def subscribe(
        self,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        comments: bool = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> Subscription[Any]:
        """An EventSource subscription to ``url`` that reconnects (see
        :class:`Subscription` and :class:`~sseproto.EventSourceMachine`).
        ``last_event_id`` resumes an earlier stream; ``policy`` sets the
        backoff, jitter (drawn from ``random``) and when to give up; each
        connection gets ``timeouts``, and one that passes a limit is
        reconnected like a broken one."""
        flow = self._subscribe_flow(
            url,
            headers,
            last_event_id,
            policy,
            random,
            comments,
            timeouts,
            max_line_size,
            max_event_size,
        )
        return Subscription(self._runner(flow), last_event_id)

    def __enter__(self: R) -> R:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClientBase(_ClientOptions):
    """The methods of every async client, mirroring :class:`SyncClientBase`."""

    __slots__ = ()

    @abc.abstractmethod
    def _runner(self, flow: Flow) -> AsyncRunner:
        """A runner for ``flow`` on this client's connections."""

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Close every idle connection. Streams still open stay usable."""

    @overload
    def stream(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: Body = None,
        comments: Literal[False] = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        max_error_body: int = DEFAULT_MAX_ERROR_BODY,
    ) -> AsyncEventStream[Event]: ...

    @overload
    def stream(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: Body = None,
        comments: bool,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        max_error_body: int = DEFAULT_MAX_ERROR_BODY,
    ) -> AsyncEventStream[Event | Comment]: ...

    def stream(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: Body = None,
        comments: bool = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        max_error_body: int = DEFAULT_MAX_ERROR_BODY,
    ) -> AsyncEventStream[Any]:
        """As :meth:`SyncClientBase.stream`; returns an :class:`AsyncEventStream`
        (``async with`` / ``async for``)."""
        flow = self._stream_flow(
            method,
            url,
            headers,
            body,
            comments,
            timeouts,
            max_line_size,
            max_event_size,
            max_error_body,
        )
        return AsyncEventStream(self._runner(flow))

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: Body = None,
        timeouts: Timeouts | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> Response:
        """As :meth:`SyncClientBase.request`."""
        runner = self._runner(
            self._request_flow(method, url, headers, body, timeouts, max_body_size)
        )
        while await runner.step() is not None:  # pragma: no cover - request flows emit nothing
            pass
        result: Response = runner.result
        return result

    @overload
    def subscribe(
        self,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        comments: Literal[False] = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> AsyncSubscription[Event]: ...

    @overload
    def subscribe(
        self,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        comments: bool,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> AsyncSubscription[Event | Comment]: ...

    def subscribe(
        self,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        comments: bool = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> AsyncSubscription[Any]:
        """As :meth:`SyncClientBase.subscribe`; returns an :class:`AsyncSubscription`."""
        flow = self._subscribe_flow(
            url,
            headers,
            last_event_id,
            policy,
            random,
            comments,
            timeouts,
            max_line_size,
            max_event_size,
        )
        return AsyncSubscription(self._runner(flow), last_event_id)

    async def __aenter__(self: R) -> R:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
