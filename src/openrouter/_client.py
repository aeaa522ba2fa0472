"""The OpenRouter clients: :class:`OpenRouter` (blocking) and
:class:`AsyncOpenRouter` (asyncio or trio), method for method the same.

Both build each call as the same :mod:`sseproto.http` flow (``_calls.py``)
and hand it to their transport's driver: the blocking client calls
``transport.run(flow)`` or reads ``transport.event_stream(flow)``, the
async one awaits them. Neither sends into a flow itself. The transport is
any sseproto adapter client: blocking sockets and asyncio/trio by default,
or httpx when given an httpx client.
"""

from __future__ import annotations

import dataclasses
import json
import os
import urllib.parse
import warnings
from collections.abc import Callable, Generator, Mapping
from types import TracebackType
from typing import Any, Final, Generic, TypeVar

import sseproto
import sseproto.http
from sseproto import Comment, Event, SSEError
from sseproto.adapters import (
    AsyncClient,
    AsyncClientBase,
    AsyncEventStream,
    EventStream,
    SyncClientBase,
)
from sseproto.adapters.sync import Client as SocketClient
from sseproto.http import (
    Operation,
    Timeouts,
    header_value,
    open_stream,
    read_stream,
    request_flow,
)

from ._accumulator import ChatCompletionAccumulator, CompletionAccumulator
from ._calls import (
    Outcome,
    RetryPolicy,
    StreamCore,
    call_flow,
    rate_limit,
)
from ._errors import ConfigurationError, OpenRouterError, check_api_key, check_base_url
from ._requests import ChatCompletionRequest, CompletionRequest, ModelsQuery, endpoints_path
from ._responses import (
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    CompletionChunk,
    Credits,
    Generation,
    KeyInfo,
    ModelEndpoints,
    ModelList,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "AsyncChatCompletionStream",
    "AsyncCompletionStream",
    "AsyncOpenRouter",
    "ChatCompletionStream",
    "CompletionStream",
    "MissingAPIKeyError",
    "OpenRouter",
]

#: OpenRouter's API root.
DEFAULT_BASE_URL: Final = "https://openrouter.ai/api/v1"

#: Default time limits, sseproto's own (connect 10 s, read 120 s, no event
#: or total limit): a model may think for minutes, but OpenRouter sends a
#: heartbeat every few seconds meanwhile, so two minutes without a byte means
#: the connection is gone.
DEFAULT_TIMEOUTS: Final = sseproto.http.DEFAULT_TIMEOUTS

_USER_AGENT: Final = f"sseproto-openrouter/{sseproto.__version__}"

ChunkT = TypeVar("ChunkT", ChatCompletionChunk, CompletionChunk)

ResultT = TypeVar("ResultT", ChatCompletion, Completion)


class MissingAPIKeyError(ConfigurationError):
    """No API key: pass ``api_key=`` or set the ``OPENROUTER_API_KEY``
    environment variable (keys are at https://openrouter.ai/keys)."""


def _ascii_header(value: str) -> str:
    """Header values must be printable ASCII: others are percent-encoded as
    UTF-8. Control characters are encoded too, so a line break cannot end
    the header (RFC 9110, 5.5) and every request would fail to send."""
    if value.isascii() and value.isprintable():
        return value
    return urllib.parse.quote(value, safe=" !#$&'()*+,/:;=?@[]~")


def _timeouts(timeout: float | Timeouts | None) -> Timeouts:
    if timeout is None:
        return DEFAULT_TIMEOUTS
    if isinstance(timeout, Timeouts):
        return timeout
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return Timeouts(connect=min(10.0, float(timeout)), read=float(timeout))
    raise TypeError(f"timeout must be seconds or a Timeouts, not {timeout!r}")


#: An sseproto flow (see :mod:`sseproto.http`).
Flow = Generator[Operation, Any, Any]


class _Core:
    """Configuration and the flows of every call, shared by both clients."""

    __slots__ = ("_api_key", "_base_url", "_headers", "_policy", "_timeouts")

    _transport: Any

    def _setup(
        self,
        api_key: str | None,
        base_url: str | None,
        site_url: str | None,
        site_title: str | None,
        timeout: float | Timeouts | None,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("OPENROUTER_API_KEY")
        if not key:
            raise MissingAPIKeyError(
                "no OpenRouter API key: pass api_key= or set OPENROUTER_API_KEY "
                "(create a key at https://openrouter.ai/keys)"
            )
        check_api_key(key)
        self._api_key = key
        base = base_url or os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL
        self._base_url = check_base_url(base)
        headers = [
            ("Authorization", f"Bearer {key}"),
            ("User-Agent", _USER_AGENT),
        ]
        if site_url:
            headers.append(("HTTP-Referer", _ascii_header(site_url)))
        if site_title:
            title = _ascii_header(site_title)
            headers += [("X-OpenRouter-Title", title), ("X-Title", title)]
        self._headers = tuple(headers)
        self._timeouts = _timeouts(timeout)
        policy = retry_policy if retry_policy is not None else RetryPolicy()
        if max_retries is not None:
            policy = dataclasses.replace(policy, max_retries=max_retries)
        self._policy = policy

    @property
    def base_url(self) -> str:
        """The API root requests go to, without a trailing slash."""
        return self._base_url

    def __repr__(self) -> str:
        # Never the key.
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    # -- building calls ------------------------------------------------------------

    def _url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        url = f"{self._base_url}/{path.lstrip('/')}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        return url

    def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], Any],
        *,
        query: Mapping[str, str] | None = None,
        payload: Mapping[str, object] | None = None,
    ) -> Flow:
        """The flow of one call whose whole response is parsed by ``parse``
        (a ``POST`` with ``payload`` is a generation: see ``generates``)."""
        url = self._url(path, query)
        headers, body = self._message(payload, stream=False)
        transport = self._transport
        timeouts = self._timeouts

        def attempt() -> Flow:
            return request_flow(
                method,
                url,
                headers=headers,
                body=body,
                timeouts=timeouts,
                clock=transport.clock,
                max_redirects=transport.max_redirects,
            )

        return call_flow(
            attempt,
            parse,
            policy=self._policy,
            secret=self._api_key,
            generates=payload is not None,
        )

    def _stream(self, path: str, payload: Mapping[str, object]) -> Flow:
        """The flow of one streamed generation: open the stream (with
        retries while no byte of a response arrived, as the policy allows),
        then read it, comments included."""
        url = self._url(path)
        headers, body = self._message(payload, stream=True)
        transport = self._transport
        timeouts = self._timeouts

        def attempt() -> Flow:
            return open_stream(
                "POST",
                url,
                headers=headers,
                body=body,
                timeouts=timeouts,
                clock=transport.clock,
                max_redirects=transport.max_redirects,
            )

        start = yield from call_flow(
            attempt, None, policy=self._policy, secret=self._api_key, generates=True, stream=True
        )
        return (yield from read_stream(start, clock=transport.clock, comments=True))

    def _message(
        self, payload: Mapping[str, object] | None, *, stream: bool
    ) -> tuple[tuple[tuple[str, str], ...], bytes | None]:
        if payload is None:
            return self._headers, None
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = (*self._headers, ("Content-Type", "application/json"))
        if stream:
            headers += (("Accept", "text/event-stream"),)
        return headers, body

    def _chat(self, request: ChatCompletionRequest, *, stream: bool) -> Flow:
        _check_request(request, ChatCompletionRequest, stream)
        payload = request.to_dict()
        if stream:
            payload["stream"] = True
            return self._stream("chat/completions", payload)
        return self._call("POST", "chat/completions", ChatCompletion.from_dict, payload=payload)

    def _completion(self, request: CompletionRequest, *, stream: bool) -> Flow:
        _check_request(request, CompletionRequest, stream)
        payload = request.to_dict()
        if stream:
            payload["stream"] = True
            return self._stream("completions", payload)
        return self._call("POST", "completions", Completion.from_dict, payload=payload)

    def _models(self, query: ModelsQuery | None) -> Flow:
        params = query.to_params() if query is not None else None
        return self._call("GET", "models", ModelList.from_dict, query=params)

    def _endpoints(self, author: str, slug: str) -> Flow:
        for part in (author, slug):
            if not isinstance(part, str) or not part or "/" in part:
                raise ValueError(f"author and slug must be non-empty names, not {part!r}")
        path = endpoints_path(author, slug)  # refuses "." and "..", encodes the rest
        return self._call("GET", path, ModelEndpoints.from_dict)

    def _generation(self, generation_id: str) -> Flow:
        if not isinstance(generation_id, str) or not generation_id:
            raise ValueError(f"generation_id must be a non-empty str, not {generation_id!r}")
        return self._call("GET", "generation", Generation.from_dict, query={"id": generation_id})

    def _core_for(
        self,
        status: int,
        headers: tuple[tuple[str, str], ...],
        chunk: Any,
        acc: Any,
        on_heartbeat: Callable[[str], None] | None,
        on_keepalive: Callable[[str], None] | None,
        keep_chunks: bool,
    ) -> StreamCore[Any]:
        if on_keepalive is not None:
            warnings.warn(
                "on_keepalive= is deprecated: pass on_heartbeat=",
                DeprecationWarning,
                stacklevel=3,
            )
            if on_heartbeat is None:
                on_heartbeat = on_keepalive
        return StreamCore(
            chunk,
            acc,
            status=status,
            headers=headers,
            secret=self._api_key,
            on_heartbeat=on_heartbeat,
            keep_chunks=keep_chunks,
        )


def _check_request(request: object, kind: type, stream: bool) -> None:
    if not isinstance(request, kind):
        raise TypeError(f"expected a {kind.__name__}, not {type(request).__name__}")
    flag = getattr(request, "stream", None)
    if flag and not stream:
        method = "chat_completion_stream" if kind is ChatCompletionRequest else "completion_stream"
        raise ValueError(f"this request has stream=True: call {method}() for a streamed response")


# -- streams ---------------------------------------------------------------------------


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
    def rate_limit(self) -> Mapping[str, str]:
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


_OPEN: Final = Outcome.OPEN
_S = TypeVar("_S", bound="_SyncStream[Any, Any]")
_A = TypeVar("_A", bound="_AsyncStream[Any, Any]")


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


# -- the clients -------------------------------------------------------------------------


class OpenRouter(_Core):
    """A blocking OpenRouter client.

    Arguments:
        api_key: the API key; ``OPENROUTER_API_KEY`` when not given.
        base_url: the API root (``OPENROUTER_BASE_URL``, else
            ``https://openrouter.ai/api/v1``); a trailing slash is ignored.
        site_url, site_title: sent as ``HTTP-Referer`` and
            ``X-OpenRouter-Title`` / ``X-Title`` (app attribution).
        transport: an sseproto blocking client (default: a new
            :class:`sseproto.adapters.sync.Client`) or an ``httpx.Client``
            (wrapped in :class:`sseproto.adapters.httpx.Client`).
        timeout: seconds (the read limit) or a
            :class:`~sseproto.adapters.Timeouts`.
        max_retries: shorthand for ``retry_policy.max_retries``.
        retry_policy: see :class:`RetryPolicy`.

    Raises:
        MissingAPIKeyError: no key given and none in the environment.
        InvalidAPIKeyError: the key holds whitespace, a control character
            or non-ASCII (the message never shows the key).
        InvalidBaseURLError: the base URL is not ``http(s)://host[:port]/path``.
    """

    __slots__ = ("_owns_transport", "_transport")

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        site_url: str | None = None,
        site_title: str | None = None,
        transport: Any = None,
        timeout: float | Timeouts | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self._setup(api_key, base_url, site_url, site_title, timeout, max_retries, retry_policy)
        self._owns_transport = transport is None
        if transport is None:
            transport = SocketClient(timeouts=self._timeouts)
        elif not isinstance(transport, SyncClientBase):
            import httpx  # noqa: PLC0415 - optional dependency

            from sseproto.adapters.httpx import Client as HTTPXClient  # noqa: PLC0415

            if not isinstance(transport, httpx.Client):
                raise TypeError(
                    "transport must be an sseproto blocking client or an httpx.Client, "
                    f"not {type(transport).__name__}"
                )
            transport = HTTPXClient(transport)
        self._transport: SyncClientBase = transport

    def _run(self, flow: Flow) -> Any:
        return self._transport.run(flow)

    def _open(self, flow: Flow) -> EventStream[Event | Comment]:
        events: EventStream[Event | Comment] = self._transport.event_stream(flow)
        return events.open()

    def chat_completion(self, request: ChatCompletionRequest) -> ChatCompletion:
        """``POST /chat/completions``; the whole response.

        Raises:
            ValueError: the request has ``stream=True`` (use
                :meth:`chat_completion_stream`).
            APIStatusError subclasses, APIConnectionError, APITimeoutError,
                ResponseDecodeError: see ``openrouter._errors``.
        """
        result: ChatCompletion = self._run(self._chat(request, stream=False))
        return result

    def chat_completion_stream(
        self,
        request: ChatCompletionRequest,
        *,
        on_heartbeat: Callable[[str], None] | None = None,
        keep_chunks: bool = False,
        on_keepalive: Callable[[str], None] | None = None,
    ) -> ChatCompletionStream:
        """``POST /chat/completions`` with ``stream: true``; returns the open
        :class:`ChatCompletionStream` (its headers are available at once).
        ``on_heartbeat`` is called with the text of each heartbeat (a
        keepalive comment, such as ``: OPENROUTER PROCESSING``);
        ``on_keepalive`` is its deprecated former name.
        With ``keep_chunks=True`` the stream keeps every chunk and an error
        that ends it carries them all in ``chunks``; otherwise (the default,
        which keeps memory flat) ``chunks`` holds the in-band error chunk
        alone, and ``partial`` always holds everything merged.
        """
        events = self._open(self._chat(request, stream=True))
        core = self._core_for(
            events.status,
            events.headers,
            ChatCompletionChunk,
            ChatCompletionAccumulator(),
            on_heartbeat,
            on_keepalive,
            keep_chunks,
        )
        return ChatCompletionStream(events, core)

    def completion(self, request: CompletionRequest) -> Completion:
        """``POST /completions`` (legacy text completion); the whole response."""
        result: Completion = self._run(self._completion(request, stream=False))
        return result

    def completion_stream(
        self,
        request: CompletionRequest,
        *,
        on_heartbeat: Callable[[str], None] | None = None,
        keep_chunks: bool = False,
        on_keepalive: Callable[[str], None] | None = None,
    ) -> CompletionStream:
        """``POST /completions`` with ``stream: true``; see :meth:`chat_completion_stream`."""
        events = self._open(self._completion(request, stream=True))
        core = self._core_for(
            events.status,
            events.headers,
            CompletionChunk,
            CompletionAccumulator(),
            on_heartbeat,
            on_keepalive,
            keep_chunks,
        )
        return CompletionStream(events, core)

    def list_models(self, query: ModelsQuery | None = None) -> ModelList:
        """``GET /models``, filtered by ``query``."""
        result: ModelList = self._run(self._models(query))
        return result

    def list_endpoints(self, author: str, slug: str) -> ModelEndpoints:
        """``GET /models/{author}/{slug}/endpoints``: the providers serving a model.

        Raises:
            ValueError: ``author`` or ``slug`` is empty, holds a ``/`` or is a
                dot segment (``.``, ``..``); other characters are
                percent-encoded, so neither can change the path.
        """
        result: ModelEndpoints = self._run(self._endpoints(author, slug))
        return result

    def get_credits(self) -> Credits:
        """``GET /credits``: credits bought and used."""
        result: Credits = self._run(self._call("GET", "credits", Credits.from_dict))
        return result

    def get_generation(self, generation_id: str) -> Generation:
        """``GET /generation?id=...``: cost and statistics of one generation."""
        result: Generation = self._run(self._generation(generation_id))
        return result

    def get_key(self) -> KeyInfo:
        """``GET /key``: the current key's label, usage and limits."""
        result: KeyInfo = self._run(self._call("GET", "key", KeyInfo.from_dict))
        return result

    def close(self) -> None:
        """Close the idle connections (the transport, if this client made it)."""
        if self._owns_transport:
            self._transport.close()

    def __enter__(self) -> OpenRouter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncOpenRouter(_Core):
    """The async OpenRouter client, under asyncio or trio (picked when first
    used); the methods of :class:`OpenRouter`, awaited. ``transport`` is an
    sseproto async client (default :class:`sseproto.adapters.AsyncClient`)
    or an ``httpx.AsyncClient``.
    """

    __slots__ = ("_owns_transport", "_transport")

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        site_url: str | None = None,
        site_title: str | None = None,
        transport: Any = None,
        timeout: float | Timeouts | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self._setup(api_key, base_url, site_url, site_title, timeout, max_retries, retry_policy)
        self._owns_transport = transport is None
        if transport is None:
            transport = AsyncClient(timeouts=self._timeouts)
        elif not isinstance(transport, AsyncClientBase):
            import httpx  # noqa: PLC0415 - optional dependency

            from sseproto.adapters.httpx import AsyncClient as HTTPXAsyncClient  # noqa: PLC0415

            if not isinstance(transport, httpx.AsyncClient):
                raise TypeError(
                    "transport must be an sseproto async client or an httpx.AsyncClient, "
                    f"not {type(transport).__name__}"
                )
            transport = HTTPXAsyncClient(transport)
        self._transport: AsyncClientBase = transport

    async def _run(self, flow: Flow) -> Any:
        return await self._transport.run(flow)

    async def _open(self, flow: Flow) -> AsyncEventStream[Event | Comment]:
        events: AsyncEventStream[Event | Comment] = self._transport.event_stream(flow)
        return await events.open()

    async def chat_completion(self, request: ChatCompletionRequest) -> ChatCompletion:
        """As :meth:`OpenRouter.chat_completion`."""
        result: ChatCompletion = await self._run(self._chat(request, stream=False))
        return result

    async def chat_completion_stream(
        self,
        request: ChatCompletionRequest,
        *,
        on_heartbeat: Callable[[str], None] | None = None,
        keep_chunks: bool = False,
        on_keepalive: Callable[[str], None] | None = None,
    ) -> AsyncChatCompletionStream:
        """As :meth:`OpenRouter.chat_completion_stream`; use ``async with``."""
        events = await self._open(self._chat(request, stream=True))
        core = self._core_for(
            events.status,
            events.headers,
            ChatCompletionChunk,
            ChatCompletionAccumulator(),
            on_heartbeat,
            on_keepalive,
            keep_chunks,
        )
        return AsyncChatCompletionStream(events, core)

    async def completion(self, request: CompletionRequest) -> Completion:
        """As :meth:`OpenRouter.completion`."""
        result: Completion = await self._run(self._completion(request, stream=False))
        return result

    async def completion_stream(
        self,
        request: CompletionRequest,
        *,
        on_heartbeat: Callable[[str], None] | None = None,
        keep_chunks: bool = False,
        on_keepalive: Callable[[str], None] | None = None,
    ) -> AsyncCompletionStream:
        """As :meth:`OpenRouter.completion_stream`."""
        events = await self._open(self._completion(request, stream=True))
        core = self._core_for(
            events.status,
            events.headers,
            CompletionChunk,
            CompletionAccumulator(),
            on_heartbeat,
            on_keepalive,
            keep_chunks,
        )
        return AsyncCompletionStream(events, core)

    async def list_models(self, query: ModelsQuery | None = None) -> ModelList:
        """As :meth:`OpenRouter.list_models`."""
        result: ModelList = await self._run(self._models(query))
        return result

    async def list_endpoints(self, author: str, slug: str) -> ModelEndpoints:
        """As :meth:`OpenRouter.list_endpoints`."""
        result: ModelEndpoints = await self._run(self._endpoints(author, slug))
        return result

    async def get_credits(self) -> Credits:
        """As :meth:`OpenRouter.get_credits`."""
        result: Credits = await self._run(self._call("GET", "credits", Credits.from_dict))
        return result

    async def get_generation(self, generation_id: str) -> Generation:
        """As :meth:`OpenRouter.get_generation`."""
        result: Generation = await self._run(self._generation(generation_id))
        return result

    async def get_key(self) -> KeyInfo:
        """As :meth:`OpenRouter.get_key`."""
        result: KeyInfo = await self._run(self._call("GET", "key", KeyInfo.from_dict))
        return result

    async def aclose(self) -> None:
        """Close the idle connections (the transport, if this client made it)."""
        if self._owns_transport:
            await self._transport.aclose()

    async def __aenter__(self) -> AsyncOpenRouter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
