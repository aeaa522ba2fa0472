"""The client methods every runtime shares: ``stream()``, ``request()``,
``subscribe()``, ``run()`` and ``event_stream()``, and closing.

A runtime's client subclasses :class:`SyncClientBase` or
:class:`AsyncClientBase` and says only which driver runs a flow on its
connections (``_driver``) and what its clock is. Everything a user sees
(methods, arguments, items, errors, closing) is defined here once, so every
runtime behaves the same.
"""

from __future__ import annotations

import abc
import random as _random
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

from sseproto._events import Comment, Event
from sseproto._parser import DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_LINE_SIZE
from sseproto._reconnect import ReconnectPolicy
from sseproto.http import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_ERROR_BODY,
    BodyTypes,
    HeaderTypes,
    Notice,
    PreparedRequest,
    QueryTypes,
    Response,
    Timeouts,
    prepare_request,
    request_flow,
    stream_flow,
    subscribe_flow,
)

from ._drivers import AsyncDriver, Flow, SyncDriver
from ._streams import AsyncEventStream, EventStream
from ._subscriptions import AsyncSubscription, Subscription

__all__ = ["AsyncClientBase", "SyncClientBase"]

R = TypeVar("R")


class _ClientOptions(abc.ABC):
    """Arguments and flow builders shared by the sync and async clients."""

    __slots__ = ("_sleep", "max_redirects", "timeouts")

    timeouts: Timeouts
    max_redirects: int
    # How the driver performs ``Wait``: the runtime's sleep (replaceable,
    # as tests do, to watch the waits without waiting).
    _sleep: Any

    def _configure(self, timeouts: Timeouts, max_redirects: int) -> None:
        if not isinstance(timeouts, Timeouts):
            raise TypeError(f"timeouts must be a Timeouts, not {timeouts!r}")
        if type(max_redirects) is not int or max_redirects < 0:
            raise ValueError(f"max_redirects must be an int >= 0, not {max_redirects!r}")
        self.timeouts = timeouts
        self.max_redirects = max_redirects

    @abc.abstractmethod
    def clock(self) -> float:
        """The runtime's monotonic clock, in seconds: the ``clock`` to build
        flows with for :meth:`run` and :meth:`event_stream`."""

    def _stream_flow(
        self,
        request: PreparedRequest,
        comments: bool,
        timeouts: Timeouts | None,
        max_line_size: int,
        max_event_size: int,
        max_error_body: int,
    ) -> Flow:
        return stream_flow(
            request.method,
            request.url,
            headers=request.headers,
            body=request.body,
            timeouts=self.timeouts if timeouts is None else timeouts,
            clock=self.clock,
            comments=comments,
            max_line_size=max_line_size,
            max_event_size=max_event_size,
            max_redirects=self.max_redirects,
            max_error_body=max_error_body,
        )

    def _request_flow(
        self,
        request: PreparedRequest,
        timeouts: Timeouts | None,
        max_body_size: int,
    ) -> Flow:
        return request_flow(
            request.method,
            request.url,
            headers=request.headers,
            body=request.body,
            timeouts=self.timeouts if timeouts is None else timeouts,
            clock=self.clock,
            max_body_size=max_body_size,
            max_redirects=self.max_redirects,
        )

    def _subscribe_flow(
        self,
        request: PreparedRequest,
        last_event_id: str,
        policy: ReconnectPolicy | None,
        random: Callable[[], float],
        on_notice: Callable[[Notice], object] | None,
        comments: bool,
        timeouts: Timeouts | None,
        max_line_size: int,
        max_event_size: int,
    ) -> Flow:
        return subscribe_flow(
            request.url,
            method=request.method,
            headers=request.headers,
            body=request.body,
            on_notice=on_notice,
            timeouts=self.timeouts if timeouts is None else timeouts,
            clock=self.clock,
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
    def _driver(self, flow: Flow) -> SyncDriver:
        """A driver for ``flow`` on this client's connections."""

    def run(self, flow: Flow) -> Any:
        """Run ``flow`` (built from :mod:`sseproto.http`'s flows, with this
        client's :meth:`clock`) on this client's connections to its end;
        return its value. For flows that hand the user nothing, such as
        :func:`~sseproto.http.request_flow` or one that composes it.

        Raises:
            RuntimeError: the flow yielded ``Opened`` or ``Deliver`` (use
                :meth:`event_stream`).
            what the flow raises.
        """
        return self._driver(flow).run()

    def event_stream(self, flow: Flow) -> EventStream[Any]:
        """An :class:`EventStream` of ``flow``'s items, for a flow that
        yields ``Opened`` then ``Deliver`` (built from
        :func:`~sseproto.http.open_stream` and
        :func:`~sseproto.http.read_stream` with this client's :meth:`clock`,
        say). Nothing runs until it is entered or iterated."""
        return EventStream(self._driver(flow))

    @abc.abstractmethod
    def close(self) -> None:
        """Close every idle connection. Streams still open stay usable."""

    @overload
    def stream(
        self,
        method: str,
        url: str,
        *,
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
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
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
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
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        comments: bool = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        max_error_body: int = DEFAULT_MAX_ERROR_BODY,
    ) -> EventStream[Any]:
        """One request whose response is an event stream (see
        :class:`EventStream`); the request is sent now and the stream returned open.

        ``headers`` are a mapping or ``(name, value)`` pairs
        (``Accept: text/event-stream`` and a ``User-Agent`` are added unless
        given); ``body`` (bytes-like, or a ``str`` sent as UTF-8) is sent
        with ``Content-Length``; ``json`` is a value sent as a compact UTF-8
        JSON body with ``Content-Type: application/json`` unless given;
        ``params`` are appended to the URL's query, percent-encoded (see
        :func:`~sseproto.http.prepare_request`); ``comments`` also yields
        comment lines as :class:`~sseproto.Comment`; ``timeouts`` replaces
        the client's; the limits are the parser's, and ``max_error_body``
        bounds the body kept in ``ResponseRejected``.

        Raises (here, before any I/O):
            TypeError: both ``body`` and ``json``; a header, body or
                parameter of the wrong type; a ``json`` value that cannot be
                serialised.
            ValueError: a ``json`` value with NaN or an infinity.
            LocalProtocolError: the URL, method or a header cannot be sent.
        """
        flow = self._stream_flow(
            prepare_request(method, url, headers=headers, body=body, json=json, params=params),
            comments,
            timeouts,
            max_line_size,
            max_event_size,
            max_error_body,
        )
        return EventStream(self._driver(flow)).open()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        timeouts: Timeouts | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> Response:
        """One request; returns the whole :class:`Response` (any status;
        redirects followed). ``headers``, ``body``, ``json`` and ``params``
        as for :meth:`stream` (checked before any I/O, raising the same).
        Raises ``BodyTooLarge`` past ``max_body_size``, and the transport
        and HTTP errors."""
        flow = self._request_flow(
            prepare_request(method, url, headers=headers, body=body, json=json, params=params),
            timeouts,
            max_body_size,
        )
        result: Response = self._driver(flow).run()
        return result

    @overload
    def subscribe(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        on_notice: Callable[[Notice], object] | None = None,
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
        method: str = "GET",
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        on_notice: Callable[[Notice], object] | None = None,
        comments: bool,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> Subscription[Event | Comment]: ...

    def subscribe(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        on_notice: Callable[[Notice], object] | None = None,
        comments: bool = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> Subscription[Any]:
        """An EventSource subscription to ``url`` that reconnects (see
        :class:`Subscription` and :class:`~sseproto.EventSourceMachine`).

        Each connection sends ``method`` (``GET``, as a browser does) with
        the same ``headers``, ``body``, ``json`` and ``params`` (as for
        :meth:`stream`), plus ``Accept: text/event-stream``,
        ``Cache-Control: no-cache`` (unless ``headers`` has a
        ``Cache-Control``) and ``Last-Event-ID``. ``last_event_id`` resumes
        an earlier stream; ``policy`` sets the backoff, jitter (drawn from
        ``random``), the statuses retried and when to give up; each
        connection gets ``timeouts``, and one that passes a limit is
        reconnected like a broken one.

        ``on_notice`` is called with what happens between events: a
        :class:`~sseproto.http.Reconnecting` (delay, attempt, error) before
        each wait, a :class:`~sseproto.http.Reconnected` (url, attempt) when
        a later connection is accepted, a :class:`~sseproto.http.GaveUp`
        (error) just before the error that ends the subscription is raised.
        It is called synchronously, from the iterating thread or task,
        while the subscription waits for its next item: keep it short
        (print, log, count); an exception it raises ends the subscription
        and propagates from the iteration.

        Raises (here, before any I/O): as :meth:`stream`.
        """
        flow = self._subscribe_flow(
            prepare_request(method, url, headers=headers, body=body, json=json, params=params),
            last_event_id,
            policy,
            random,
            on_notice,
            comments,
            timeouts,
            max_line_size,
            max_event_size,
        )
        return Subscription(self._driver(flow), last_event_id)

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
    def _driver(self, flow: Flow) -> AsyncDriver:
        """A driver for ``flow`` on this client's connections."""

    async def run(self, flow: Flow) -> Any:
        """As :meth:`SyncClientBase.run`."""
        return await self._driver(flow).run()

    def event_stream(self, flow: Flow) -> AsyncEventStream[Any]:
        """As :meth:`SyncClientBase.event_stream`; returns an :class:`AsyncEventStream`."""
        return AsyncEventStream(self._driver(flow))

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Close every idle connection. Streams still open stay usable."""

    @overload
    def stream(
        self,
        method: str,
        url: str,
        *,
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
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
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
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
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        comments: bool = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        max_error_body: int = DEFAULT_MAX_ERROR_BODY,
    ) -> AsyncEventStream[Any]:
        """As :meth:`SyncClientBase.stream`; returns an :class:`AsyncEventStream`
        (``async with`` / ``async for``)."""
        flow = self._stream_flow(
            prepare_request(method, url, headers=headers, body=body, json=json, params=params),
            comments,
            timeouts,
            max_line_size,
            max_event_size,
            max_error_body,
        )
        return AsyncEventStream(self._driver(flow))

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        timeouts: Timeouts | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> Response:
        """As :meth:`SyncClientBase.request`."""
        flow = self._request_flow(
            prepare_request(method, url, headers=headers, body=body, json=json, params=params),
            timeouts,
            max_body_size,
        )
        result: Response = await self._driver(flow).run()
        return result

    @overload
    def subscribe(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        on_notice: Callable[[Notice], object] | None = None,
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
        method: str = "GET",
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        on_notice: Callable[[Notice], object] | None = None,
        comments: bool,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> AsyncSubscription[Event | Comment]: ...

    def subscribe(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: HeaderTypes = (),
        body: BodyTypes = None,
        json: Any = None,
        params: QueryTypes = None,
        last_event_id: str = "",
        policy: ReconnectPolicy | None = None,
        random: Callable[[], float] = _random.random,
        on_notice: Callable[[Notice], object] | None = None,
        comments: bool = False,
        timeouts: Timeouts | None = None,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> AsyncSubscription[Any]:
        """As :meth:`SyncClientBase.subscribe`; returns an :class:`AsyncSubscription`."""
        flow = self._subscribe_flow(
            prepare_request(method, url, headers=headers, body=body, json=json, params=params),
            last_event_id,
            policy,
            random,
            on_notice,
            comments,
            timeouts,
            max_line_size,
            max_event_size,
        )
        return AsyncSubscription(self._driver(flow), last_event_id)

    async def __aenter__(self: R) -> R:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
