"""The httpx adapter: the same flows over an ``httpx.Client`` or
``httpx.AsyncClient`` the caller owns. Needs the ``httpx`` extra.

::

    import httpx
    from sseproto.adapters.httpx import Client

    with httpx.Client() as http:
        client = Client(http)
        with client.stream("GET", "https://example.com/events") as stream:
            for event in stream:
                print(event.type, event.data)

httpx makes the connections (its pool, proxies, HTTP/2 if enabled, its TLS
settings); this module sends each request with ``follow_redirects=False``
(the flow follows redirects, as with every adapter) and feeds
``iter_raw()`` / ``aiter_raw()`` to the flows: the body as the server sent
it, as the other adapters read it (a content coding is decoded by the flows,
as on every adapter, with their limits on the decoded size, and the
``Accept-Encoding`` sent is theirs, which replaces httpx's default), never
``iter_text()`` or ``iter_lines()``, which decode and split lines in ways the
event stream format forbids.

Time limits: httpx takes one read limit per request, and reads the
response head (any 1xx responses included) and the chunk framing of the
body out of sight. So that a server cannot hold a request past the
``total`` and ``event`` limits by sending bytes that make no progress (a
head one byte at a time, endless ``100 Continue``, chunk extensions), each
request carries httpcore's ``trace`` extension, through which this module
routes the reads of every connection the request opens (and, from its
response on, of a reused one) through a check: each single read is cut to
the time left before the deadline, and bytes past ``max_header_size``
(64 KiB, as for the socket adapters) before the final response head raise
:class:`~sseproto.adapters.HeadersTooLarge`. The sync client also gives
httpx, as its one read limit, the smallest of ``read``, ``event`` and the
total time left; the async client also cuts each body read to the exact
limit, under asyncio or trio.

What remains: the head of a request on a kept-alive connection that only
requests made directly with the httpx client have used is read by httpx's
own limits (``read`` per read) until its response arrives; from then on
that connection is checked too.

Which limits apply: the ``timeouts=`` given to the client (or to a method)
win; without it, the httpx client's own timeout, mapped by
:func:`timeouts_from_httpx` (``connect`` and ``read`` as they are; httpx's
``write`` and ``pool`` follow ``read`` and ``connect``, as for every
adapter); httpx's default (5 seconds for everything, which would end a quiet
stream after 5 s) is not taken as a choice: sseproto's
:data:`~sseproto.http.DEFAULT_TIMEOUTS` apply then.

Pooling is httpx's (httpcore's): it drops an idle connection that has
become readable (closed by the server, or holding bytes nobody asked for)
before reuse, and never sends a request again after its connection failed,
so a ``POST`` reaches the server at most once.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from sseproto._errors import LocalProtocolError
from sseproto.http import (
    DEFAULT_MAX_HEADER_SIZE,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUTS,
    CloseResponse,
    ConnectError,
    Head,
    HeadersTooLarge,
    HTTPProtocolError,
    IncompleteBody,
    InvalidRedirect,
    NoResponse,
    ReadBody,
    ReadError,
    SendRequest,
    TimedOut,
    Timeouts,
    smallest,
)

from . import _runtime
from ._clients import AsyncClientBase, SyncClientBase
from ._drivers import AsyncDriver, Flow, SyncDriver, blocking_sleep

__all__ = ["AsyncClient", "Client", "timeouts_from_httpx"]


# -- bounding the reads httpx makes -------------------------------------------------


@dataclass(slots=True)
class _Watch:
    """The bounds of the reads made for one operation: none may wait past
    ``deadline`` (a ``time.monotonic()`` time), and while ``head`` is true
    no read starts once ``max_header_size`` bytes arrived (the final head
    has not: a read is only needed while it is incomplete)."""

    deadline: float | None
    head: bool
    received: int = 0

    def cut(self, timeout: float | None) -> float | None:
        if self.head and self.received >= DEFAULT_MAX_HEADER_SIZE:
            raise HeadersTooLarge(
                f"more than max_header_size={DEFAULT_MAX_HEADER_SIZE} bytes arrived before "
                f"the final response head (1xx responses included)",
                limit="max_header_size",
                value=DEFAULT_MAX_HEADER_SIZE,
            )
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            # Mapped by httpx to httpx.ReadTimeout, as a read that ran out.
            raise httpcore.ReadTimeout("the deadline passed")
        return smallest(timeout, left)


#: The watch of the operation being performed in this context (thread or task).
_WATCH: ContextVar[_Watch | None] = ContextVar("sseproto_httpx_watch", default=None)


@contextlib.contextmanager
def _watching(deadline: float | None, *, head: bool) -> Iterator[None]:
    token = _WATCH.set(_Watch(deadline, head))
    try:
        yield
    finally:
        _WATCH.reset(token)


class _SyncRead:
    """A network stream's ``read``, bounded by the current watch, if any."""

    __slots__ = ("_read",)

    def __init__(self, read: Callable[..., bytes]) -> None:
        self._read = read

    def __call__(self, max_bytes: int, timeout: float | None = None) -> bytes:
        watch = _WATCH.get()
        if watch is None:
            return self._read(max_bytes, timeout)
        data = self._read(max_bytes, watch.cut(timeout))
        watch.received += len(data)
        return data


class _AsyncRead:
    """The async counterpart of :class:`_SyncRead`."""

    __slots__ = ("_read",)

    def __init__(self, read: Callable[..., Awaitable[bytes]]) -> None:
        self._read = read

    async def __call__(self, max_bytes: int, timeout: float | None = None) -> bytes:
        watch = _WATCH.get()
        if watch is None:
            return await self._read(max_bytes, timeout)
        data = await self._read(max_bytes, watch.cut(timeout))
        watch.received += len(data)
        return data


def _guard(stream: object) -> None:
    """Route the reads of an httpcore network stream through the watch (once)."""
    if isinstance(stream, httpcore.NetworkStream) and not isinstance(stream.read, _SyncRead):
        stream.read = _SyncRead(stream.read)  # type: ignore[method-assign]
    elif isinstance(stream, httpcore.AsyncNetworkStream) and not isinstance(
        stream.read, _AsyncRead
    ):
        stream.read = _AsyncRead(stream.read)  # type: ignore[method-assign]


def _trace(name: str, info: dict[str, Any]) -> None:
    """httpcore's ``trace`` extension: guards each stream a connection opens
    (``connection.connect_tcp.complete``, ``connection.start_tls.complete``)."""
    _guard(info.get("return_value"))


async def _atrace(name: str, info: dict[str, Any]) -> None:
    _guard(info.get("return_value"))


def _build(http: httpx.Client | httpx.AsyncClient, op: SendRequest) -> httpx.Request:
    # The sync client cannot cut a single read short, so httpx's one read
    # limit is the smallest any read of this request may wait.
    sync = isinstance(http, httpx.Client)
    read = smallest(op.timeout, op.body_timeout) if sync else op.timeout
    timeout = httpx.Timeout(
        connect=op.connect_timeout, read=read, write=op.timeout, pool=op.connect_timeout
    )
    trace = _trace if sync else _atrace
    try:
        return http.build_request(
            op.method,
            op.url,
            headers=list(op.headers),
            content=op.body,
            timeout=timeout,
            extensions={"trace": trace},
        )
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise LocalProtocolError(f"cannot send a request to {op.url!r}: {exc}") from exc


def _head(response: httpx.Response) -> Head:
    return Head(
        response.status_code,
        response.reason_phrase,
        tuple(
            (name.decode("latin-1").lower(), value.decode("latin-1"))
            for name, value in response.headers.raw
        ),
        response.http_version,
    )


def _send_failed(exc: httpx.TransportError | httpx.InvalidURL, url: str) -> TimedOut | Exception:
    """The result, or the error to throw into the flow, for a failed send."""
    if isinstance(exc, httpx.InvalidURL) or (
        isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc)
    ):
        # httpx prepares the next request of a redirect even when it does
        # not follow it, and fails on a Location it cannot parse before the
        # flow sees the response; the flow reports it as for every adapter.
        return InvalidRedirect(
            f"the server at {url} redirected to a Location that is not a valid URL",
            urls=(url,),
        )
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return TimedOut(connecting=True)
    if isinstance(exc, httpx.TimeoutException):
        return TimedOut(connecting=False)
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(f"cannot connect for {url}: {exc}")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError)):
        # check_request() refuses such requests before any operation; this
        # keeps a case it misses on the same side of the error tree.
        return LocalProtocolError(f"cannot send a request to {url!r}: {exc}")
    if isinstance(exc, httpx.RemoteProtocolError):
        if "without sending a response" in str(exc):
            # httpcore's words for a close before any byte of a response:
            # what the socket pumps report as NoResponse (a ConnectionLost).
            return NoResponse(f"the server at {url} closed the connection without a response")
        return HTTPProtocolError(f"the response to {url} is not valid HTTP: {exc}")
    return ReadError(f"the connection broke for {url}: {exc}")


def _read_failed(exc: httpx.TransportError) -> Exception:
    """The error to throw into the flow for a failed body read."""
    if isinstance(exc, httpx.RemoteProtocolError):
        # h11 (under httpcore) reports a body cut short by the close this
        # way; the socket adapters call it IncompleteBody.
        return IncompleteBody(f"the response body ended early: {exc}")
    return ReadError(f"the connection broke while reading the body: {exc}")


class _SyncPump(SyncDriver):
    __slots__ = ("_chunks", "_http", "_response")

    def __init__(self, http: httpx.Client, flow: Flow, sleep: Callable[[float], object]) -> None:
        super().__init__(flow, None, sleep)
        self._http = http
        self._response: httpx.Response | None = None
        self._chunks: Iterator[bytes] | None = None

    def perform(self, op: Any) -> Any:
        kind = type(op)
        if kind is ReadBody:
            assert self._chunks is not None, "ReadBody without a response"
            try:
                with _watching(op.deadline, head=False):
                    for chunk in self._chunks:
                        if chunk:
                            return chunk
            except httpx.TimeoutException:
                return None
            except httpx.TransportError as exc:
                raise _read_failed(exc) from exc
            return b""
        if kind is SendRequest:
            self.release()
            request = _build(self._http, op)
            try:
                with _watching(op.deadline, head=True):
                    response = self._http.send(request, stream=True, follow_redirects=False)
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                outcome = _send_failed(exc, op.url)
                if isinstance(outcome, TimedOut):
                    return outcome
                raise outcome from exc
            _guard(response.extensions.get("network_stream"))
            self._response = response
            self._chunks = response.iter_raw()
            return _head(response)
        if kind is CloseResponse:
            self.release()
            return None
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    def discard(self, conn: Any) -> None:  # pragma: no cover - httpx holds the connections
        pass

    def interrupt(self) -> None:
        # From another thread: shut the response's socket down, which wakes
        # the read blocked in it (the reading thread then closes the
        # response). Before the response head arrived there is no socket to
        # reach: the send ends within its time limits.
        response = self._response
        if response is None:
            return
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def release(self) -> None:
        response, self._response, self._chunks = self._response, None, None
        if response is not None:
            response.close()


async def _next_chunk(chunks: AsyncIterator[bytes], timeout: float | None) -> bytes | None:
    """The next non-empty chunk, b"" at the end, None if ``timeout`` passed."""
    if timeout is None:
        async for chunk in chunks:
            if chunk:
                return chunk
        return b""
    _, data = await _runtime.within(timeout, _next_chunk(chunks, None))
    return data


class _AsyncPump(AsyncDriver):
    __slots__ = ("_chunks", "_http", "_response")

    def __init__(
        self, http: httpx.AsyncClient, flow: Flow, sleep: Callable[[float], Awaitable[object]]
    ) -> None:
        super().__init__(flow, None, sleep)
        self._http = http
        self._response: httpx.Response | None = None
        self._chunks: AsyncIterator[bytes] | None = None

    async def perform(self, op: Any) -> Any:
        kind = type(op)
        if kind is ReadBody:
            assert self._chunks is not None, "ReadBody without a response"
            try:
                with _watching(op.deadline, head=False):
                    return await _next_chunk(self._chunks, op.timeout)
            except httpx.TimeoutException:
                return None
            except httpx.TransportError as exc:
                raise _read_failed(exc) from exc
        if kind is SendRequest:
            self.release()
            request = _build(self._http, op)
            try:
                with _watching(op.deadline, head=True):
                    response = await self._http.send(request, stream=True, follow_redirects=False)
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                outcome = _send_failed(exc, op.url)
                if isinstance(outcome, TimedOut):
                    return outcome
                raise outcome from exc
            _guard(response.extensions.get("network_stream"))
            self._response = response
            self._chunks = response.aiter_raw()
            return _head(response)
        if kind is CloseResponse:
            await self.arelease()
            return None
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    def discard(self, conn: Any) -> None:  # pragma: no cover - httpx holds the connections
        pass

    def release(self) -> None:
        # Without awaiting (only from __del__ of a stream never closed):
        # httpx closes an abandoned response's connection when the httpx
        # client closes.
        self._response = self._chunks = None

    async def arelease(self) -> None:
        response, chunks = self._response, self._chunks
        self._response = self._chunks = None
        if response is None:
            return
        # Shielded, so that a cancelled task or scope still closes them; the
        # byte iterator is an async generator, closed first so that it is
        # never left for the garbage collector; httpx then closes a
        # connection whose response was not read to its end.
        await _runtime.shielded(_close_response(response, chunks))


#: httpx's own default timeout, which a client gets when it was given none.
_HTTPX_DEFAULT = httpx.Timeout(5.0)


def timeouts_from_httpx(timeout: httpx.Timeout) -> Timeouts | None:
    """sseproto's limits for an httpx client's ``timeout``: ``connect`` and
    ``read`` as they are (``None``: no limit), no ``event`` or ``total``
    limit; httpx's ``write`` and ``pool`` are not kept (sseproto bounds
    sending by ``read`` and waiting for a connection by ``connect``).
    ``None`` for httpx's default, ``httpx.Timeout(5.0)``, which is not taken
    as a choice.

    Raises:
        ValueError: a limit that :class:`~sseproto.http.Timeouts` refuses
            (0, say); pass ``timeouts=`` instead.
    """
    if timeout == _HTTPX_DEFAULT:
        return None
    try:
        return Timeouts(connect=timeout.connect, read=timeout.read)
    except ValueError as exc:
        raise ValueError(
            f"the httpx client's timeout {timeout!r} cannot be used: {exc}; pass timeouts="
        ) from exc


def _client_timeouts(http: httpx.Client | httpx.AsyncClient, timeouts: Timeouts | None) -> Timeouts:
    if timeouts is not None:
        return timeouts
    mapped = timeouts_from_httpx(http.timeout)
    return DEFAULT_TIMEOUTS if mapped is None else mapped


async def _close_response(response: httpx.Response, chunks: Any) -> None:
    if chunks is not None:
        await chunks.aclose()
    await response.aclose()


class Client(SyncClientBase):
    """A blocking SSE client over a caller's ``httpx.Client``; the methods
    of :class:`~sseproto.adapters.SyncClientBase`. :meth:`close` does not
    close the httpx client, which the caller owns.

    Arguments:
        http: the httpx client.
        timeouts: the default limits of each request; when not given, the
            httpx client's own timeout (see :func:`timeouts_from_httpx`),
            or :data:`~sseproto.http.DEFAULT_TIMEOUTS` if it has httpx's
            default one.
        max_redirects: redirects followed per request (httpx's own redirect
            setting is not used: the flow follows them).

    Raises:
        TypeError: ``http`` is not an ``httpx.Client``.
        ValueError: the httpx client's timeout holds a limit sseproto
            refuses (and no ``timeouts`` was given).
    """

    __slots__ = ("_http",)

    def __init__(
        self,
        http: httpx.Client,
        *,
        timeouts: Timeouts | None = None,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
    ) -> None:
        if not isinstance(http, httpx.Client):
            raise TypeError(f"http must be an httpx.Client, not {type(http).__name__}")
        self._configure(_client_timeouts(http, timeouts), max_redirects)
        self._http = http
        self._sleep = blocking_sleep

    def clock(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def _driver(self, flow: Flow) -> SyncDriver:
        return _SyncPump(self._http, flow, self._sleep)

    def close(self) -> None:
        """Nothing to close: the httpx client is the caller's."""


class AsyncClient(AsyncClientBase):
    """An async SSE client over a caller's ``httpx.AsyncClient``, under
    asyncio or trio; otherwise as :class:`Client`."""

    __slots__ = ("_http",)

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        timeouts: Timeouts | None = None,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
    ) -> None:
        if not isinstance(http, httpx.AsyncClient):
            raise TypeError(f"http must be an httpx.AsyncClient, not {type(http).__name__}")
        self._configure(_client_timeouts(http, timeouts), max_redirects)
        self._http = http
        self._sleep = _runtime.sleep

    def clock(self) -> float:
        """``time.monotonic()`` (httpx's own clock, under asyncio and trio)."""
        return time.monotonic()

    def _driver(self, flow: Flow) -> AsyncDriver:
        return _AsyncPump(self._http, flow, self._sleep)

    async def aclose(self) -> None:
        """Nothing to close: the httpx client is the caller's."""
