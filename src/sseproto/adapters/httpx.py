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
``iter_raw()`` / ``aiter_raw()`` to the parser: the body as the server sent
it, as the other adapters read it (no content coding is decoded; the flows
ask for none and refuse one on a stream), never ``iter_text()`` or
``iter_lines()``, which decode and split lines in ways the event stream
format forbids.

Time limits: httpx takes one read limit per request, so the sync client
gives it the smallest of ``read``, ``event`` and the total time left, and
checks ``event`` and ``total`` exactly whenever bytes arrive. The async
client cuts each read to the exact limit, under asyncio or trio.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any

import httpx
import sniffio

from sseproto._errors import LocalProtocolError

from ._errors import DEFAULT_MAX_REDIRECTS, ConnectError, InvalidRedirect, ReadError, Timeouts
from ._flows import CloseResponse, Head, ReadBody, SendRequest, Sleep, TimedOut
from ._http11 import HTTPProtocolError, IncompleteBody
from ._runners import AsyncClientBase, AsyncRunner, SyncClientBase, SyncRunner

__all__ = ["AsyncClient", "Client"]

_DEFAULT_TIMEOUTS = Timeouts()


def _smallest(*limits: float | None) -> float | None:
    known = [limit for limit in limits if limit is not None]
    return min(known) if known else None


def _build(
    http: httpx.Client | httpx.AsyncClient, op: SendRequest, *, one_read_limit: bool
) -> httpx.Request:
    # The sync client cannot cut a single read short, so httpx's one read
    # limit is the smallest any read of this request may wait.
    read = _smallest(op.timeout, op.body_timeout) if one_read_limit else op.timeout
    timeout = httpx.Timeout(
        connect=op.connect_timeout, read=read, write=op.timeout, pool=op.connect_timeout
    )
    try:
        return http.build_request(
            op.method, op.url, headers=list(op.headers), content=op.body, timeout=timeout
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
        response.http_version.removeprefix("HTTP/"),
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
        return HTTPProtocolError(f"the response to {url} is not valid HTTP: {exc}")
    return ReadError(f"the connection broke for {url}: {exc}")


def _read_failed(exc: httpx.TransportError) -> Exception:
    """The error to throw into the flow for a failed body read."""
    if isinstance(exc, httpx.RemoteProtocolError):
        # h11 (under httpcore) reports a body cut short by the close this
        # way; the socket adapters call it IncompleteBody.
        return IncompleteBody(f"the response body ended early: {exc}")
    return ReadError(f"the connection broke while reading the body: {exc}")


class _SyncRunner(SyncRunner):
    __slots__ = ("_chunks", "_http", "_response")

    # httpx takes one read limit per request.
    exact_reads = False

    def __init__(self, http: httpx.Client, gen: Generator[Any, Any, Any]) -> None:
        super().__init__(gen)
        self._http = http
        self._response: httpx.Response | None = None
        self._chunks: Iterator[bytes] | None = None

    def perform(self, op: Any) -> Any:
        kind = type(op)
        if kind is ReadBody:
            assert self._chunks is not None, "ReadBody without a response"
            try:
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
            request = _build(self._http, op, one_read_limit=True)
            try:
                response = self._http.send(request, stream=True, follow_redirects=False)
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                outcome = _send_failed(exc, op.url)
                if isinstance(outcome, TimedOut):
                    return outcome
                raise outcome from exc
            self._response = response
            self._chunks = response.iter_raw()
            return _head(response)
        if kind is CloseResponse:
            self.release()
            return None
        if kind is Sleep:
            time.sleep(op.seconds)
            return None
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

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
    if sniffio.current_async_library() == "trio":
        import trio  # noqa: PLC0415 - only under trio, an optional dependency

        with trio.move_on_after(timeout):
            return await _next_chunk(chunks, None)
        return None
    import asyncio  # noqa: PLC0415 - the sibling module sseproto.adapters.asyncio shadows nothing

    try:
        async with asyncio.timeout(timeout):
            return await _next_chunk(chunks, None)
    except TimeoutError:
        return None


async def _sleep(seconds: float) -> None:
    if sniffio.current_async_library() == "trio":
        import trio  # noqa: PLC0415 - only under trio

        await trio.sleep(seconds)
    else:
        import asyncio  # noqa: PLC0415

        await asyncio.sleep(seconds)


class _AsyncRunner(AsyncRunner):
    __slots__ = ("_chunks", "_http", "_response")

    def __init__(self, http: httpx.AsyncClient, gen: Generator[Any, Any, Any]) -> None:
        super().__init__(gen)
        self._http = http
        self._response: httpx.Response | None = None
        self._chunks: AsyncIterator[bytes] | None = None

    async def perform(self, op: Any) -> Any:
        kind = type(op)
        if kind is ReadBody:
            assert self._chunks is not None, "ReadBody without a response"
            try:
                return await _next_chunk(self._chunks, op.timeout)
            except httpx.TimeoutException:
                return None
            except httpx.TransportError as exc:
                raise _read_failed(exc) from exc
        if kind is SendRequest:
            self.release()
            request = _build(self._http, op, one_read_limit=False)
            try:
                response = await self._http.send(request, stream=True, follow_redirects=False)
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                outcome = _send_failed(exc, op.url)
                if isinstance(outcome, TimedOut):
                    return outcome
                raise outcome from exc
            self._response = response
            self._chunks = response.aiter_raw()
            return _head(response)
        if kind is CloseResponse:
            await self.arelease()
            return None
        if kind is Sleep:
            await _sleep(op.seconds)
            return None
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

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
        if sniffio.current_async_library() == "trio":
            import trio  # noqa: PLC0415 - only under trio

            with trio.CancelScope(shield=True):
                await _close_response(response, chunks)
        else:
            await _close_response(response, chunks)


async def _close_response(response: httpx.Response, chunks: Any) -> None:
    if chunks is not None:
        await chunks.aclose()
    await response.aclose()


class Client(SyncClientBase):
    """A blocking SSE client over a caller's ``httpx.Client``; the methods
    of :class:`~sseproto.adapters._runners.SyncClientBase`. The httpx
    client's own timeouts and redirect setting are replaced per request by
    ``timeouts`` and ``max_redirects``. :meth:`close` does not close the
    httpx client, which the caller owns.
    """

    __slots__ = ("_http",)

    def __init__(
        self,
        http: httpx.Client,
        *,
        timeouts: Timeouts = _DEFAULT_TIMEOUTS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
    ) -> None:
        if not isinstance(http, httpx.Client):
            raise TypeError(f"http must be an httpx.Client, not {type(http).__name__}")
        self._configure(timeouts, max_redirects)
        self._http = http

    def _clock(self) -> float:
        return time.monotonic()

    def _runner(self, flow: Any) -> SyncRunner:
        return _SyncRunner(self._http, flow)

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
        timeouts: Timeouts = _DEFAULT_TIMEOUTS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
    ) -> None:
        if not isinstance(http, httpx.AsyncClient):
            raise TypeError(f"http must be an httpx.AsyncClient, not {type(http).__name__}")
        self._configure(timeouts, max_redirects)
        self._http = http

    def _clock(self) -> float:
        return time.monotonic()

    def _runner(self, flow: Any) -> AsyncRunner:
        return _AsyncRunner(self._http, flow)

    async def aclose(self) -> None:
        """Nothing to close: the httpx client is the caller's."""
