"""One table of scenarios, run against every adapter over real loopback servers.

Each scenario is written once, against a :class:`Runner`: it runs one
adapter's client in that adapter's runtime (plain calls, ``asyncio.run``,
``trio.run``) and reports what a user would see, as an :class:`Outcome` (the
items received and the exception that ended the stream, if any). Every adapter
must give the same outcome for the same server.

The servers are the fault-injection server (tests/servers/faults.py), its TLS
variant, and uvicorn serving sse-starlette (tests/servers/starlette_app.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import trio

from sseproto import Comment, Event, LineTooLong, ReconnectPolicy, ResponseRejected
from sseproto.adapters import (
    ConnectError,
    EventTimeout,
    IncompleteBody,
    ReadTimeout,
    Response,
    Timeouts,
    TooManyRedirects,
)
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.httpx import AsyncClient as HttpxAsyncClient
from sseproto.adapters.httpx import Client as HttpxClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.adapters.trio import Client as TrioClient

from .servers import starlette_app
from .servers.faults import DEFAULT_EVENTS, FaultServer
from .servers.starlette_app import StarletteServer
from .servers.tls import client_context
from .vectors import VECTORS

Item = Event | Comment
AnySyncClient = SyncClient | HttpxClient
AnyAsyncClient = AsyncioClient | TrioClient | HttpxAsyncClient

#: Limits for every scenario that sets none: generous, but a broken adapter
#: fails the test instead of hanging it.
SAFE = Timeouts(connect=10, read=10)

#: A subscription's reconnection delay: short, the servers end streams at once.
QUICK_RECONNECT = ReconnectPolicy(retry_delay=0.01, max_attempts=20)


@dataclass
class Outcome:
    """What a user of one adapter saw."""

    items: list[Item] = field(default_factory=list)
    #: The exception that ended the stream, or None if it ended normally.
    error: BaseException | None = None
    status: int | None = None
    headers: Sequence[tuple[str, str]] = ()
    #: The URL that answered (after redirects).
    url: str | None = None
    #: Whether the body ended inside an event (read after the loop).
    unterminated: bool | None = None
    #: The result of ``StreamCall.released`` (None when not asked).
    released: bool | None = None

    def events(self) -> list[Event]:
        return [item for item in self.items if isinstance(item, Event)]

    def comments(self) -> list[Comment]:
        return [item for item in self.items if isinstance(item, Comment)]

    def raised(self, kind: type[BaseException]) -> BaseException:
        """The error, checked to be a ``kind``."""
        assert isinstance(self.error, kind), f"expected {kind.__name__}, got {self.error!r}"
        return self.error

    def ok(self) -> Outcome:
        """Self, checked to have ended without an error."""
        if self.error is not None:
            raise AssertionError(f"the stream failed: {self.error!r}") from self.error
        return self


@dataclass(frozen=True)
class StreamCall:
    """One ``client.stream()`` call, and when to stop reading."""

    url: str
    method: str = "GET"
    headers: Sequence[tuple[str, str]] = ()
    body: bytes | None = None
    comments: bool = False
    timeouts: Timeouts = SAFE
    #: Stop after this many items (break out of the loop), None: read to the end.
    take: int | None = None
    #: Other keyword arguments of ``stream()`` (limits such as ``max_line_size``).
    options: dict[str, Any] = field(default_factory=dict)
    #: Async runners only: cancel the reading after this many seconds (a
    #: trio cancel scope, an asyncio timeout), which is not an error.
    cancel_after: float | None = None
    #: Once the stream is closed, and while its client is still open, wait up
    #: to 10 s for this to become true (e.g. "the server saw the disconnect");
    #: the result goes to ``Outcome.released``.
    released: Callable[[], bool] | None = None


@dataclass(frozen=True)
class SubscribeCall:
    """One ``client.subscribe()`` call, read until ``take`` items."""

    url: str
    take: int
    last_event_id: str = ""
    policy: ReconnectPolicy = QUICK_RECONNECT
    comments: bool = False
    timeouts: Timeouts = SAFE
    #: As ``StreamCall.released``, checked after the subscription is closed.
    released: Callable[[], bool] | None = None


#: How long ``released`` conditions may take to become true.
RELEASE_WAIT = 10.0


# -- the runners: one per adapter --------------------------------------------------------


class Runner:
    """Runs calls through one adapter and reports the outcome."""

    name: str

    def stream(self, call: StreamCall, ssl_context: ssl.SSLContext | None = None) -> Outcome:
        raise NotImplementedError

    def subscribe(self, call: SubscribeCall) -> Outcome:
        raise NotImplementedError

    def requests(self, urls: Sequence[str]) -> list[Response]:
        """``client.request("GET", url)`` for each URL, on one client."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


class SyncRunner(Runner):
    """A blocking client."""

    def __init__(
        self,
        name: str,
        client: Callable[[ssl.SSLContext | None], contextlib.AbstractContextManager[AnySyncClient]],
    ) -> None:
        self.name = name
        self._client = client

    def stream(self, call: StreamCall, ssl_context: ssl.SSLContext | None = None) -> Outcome:
        outcome = Outcome()
        try:
            with self._client(ssl_context) as client:
                with client.stream(
                    call.method,
                    call.url,
                    headers=list(call.headers),
                    body=call.body,
                    comments=call.comments,
                    timeouts=call.timeouts,
                    **call.options,
                ) as stream:
                    outcome.status, outcome.headers = stream.status, stream.headers
                    outcome.url = stream.url
                    for item in stream:
                        outcome.items.append(item)
                        if len(outcome.items) == call.take:
                            break
                    outcome.unterminated = stream.unterminated
                outcome.released = self._wait_for(call.released)
        except Exception as exc:
            outcome.error = exc
        return outcome

    def subscribe(self, call: SubscribeCall) -> Outcome:
        outcome = Outcome()
        try:
            with self._client(None) as client:
                subscription = client.subscribe(
                    call.url,
                    last_event_id=call.last_event_id,
                    policy=call.policy,
                    comments=call.comments,
                    timeouts=call.timeouts,
                )
                with contextlib.closing(subscription):
                    for item in subscription:
                        outcome.items.append(item)
                        if len(outcome.items) == call.take:
                            break
                outcome.released = self._wait_for(call.released)
        except Exception as exc:
            outcome.error = exc
        return outcome

    @staticmethod
    def _wait_for(condition: Callable[[], bool] | None) -> bool | None:
        if condition is None:
            return None
        deadline = time.monotonic() + RELEASE_WAIT
        while not condition():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def requests(self, urls: Sequence[str]) -> list[Response]:
        with self._client(None) as client:
            return [client.request("GET", url, timeouts=SAFE) for url in urls]


class AsyncRunner(Runner):
    """An async client, run in its own event loop."""

    def __init__(
        self,
        name: str,
        client: Callable[
            [ssl.SSLContext | None], contextlib.AbstractAsyncContextManager[AnyAsyncClient]
        ],
        run: Callable[[Callable[[], Awaitable[Any]]], Any],
        move_on_after: Callable[[float], contextlib.AbstractAsyncContextManager[Any]],
        sleep: Callable[[float], Awaitable[Any]],
    ) -> None:
        self.name = name
        self._client = client
        self._run = run
        self._move_on_after = move_on_after
        self._sleep = sleep

    async def _wait_for(self, condition: Callable[[], bool] | None) -> bool | None:
        # Polled with the runtime's sleep: an asyncio transport closes its
        # socket in a later turn of the loop, so the loop must keep running.
        if condition is None:
            return None
        deadline = time.monotonic() + RELEASE_WAIT
        while not condition():
            if time.monotonic() > deadline:
                return False
            await self._sleep(0.01)
        return True

    def stream(self, call: StreamCall, ssl_context: ssl.SSLContext | None = None) -> Outcome:
        outcome = Outcome()

        async def main() -> None:
            try:
                async with self._client(ssl_context) as client:
                    async with client.stream(
                        call.method,
                        call.url,
                        headers=list(call.headers),
                        body=call.body,
                        comments=call.comments,
                        timeouts=call.timeouts,
                        **call.options,
                    ) as stream:
                        outcome.status, outcome.headers = stream.status, stream.headers
                        outcome.url = stream.url
                        if call.cancel_after is None:
                            await read(stream)
                        else:
                            async with self._move_on_after(call.cancel_after):
                                await read(stream)
                        outcome.unterminated = stream.unterminated
                    outcome.released = await self._wait_for(call.released)
            except Exception as exc:
                outcome.error = exc

        async def read(stream: Any) -> None:
            async for item in stream:
                outcome.items.append(item)
                if len(outcome.items) == call.take:
                    break

        self._run(main)
        return outcome

    def subscribe(self, call: SubscribeCall) -> Outcome:
        outcome = Outcome()

        async def main() -> None:
            try:
                async with self._client(None) as client:
                    subscription = client.subscribe(
                        call.url,
                        last_event_id=call.last_event_id,
                        policy=call.policy,
                        comments=call.comments,
                        timeouts=call.timeouts,
                    )
                    async with contextlib.aclosing(subscription):
                        async for item in subscription:
                            outcome.items.append(item)
                            if len(outcome.items) == call.take:
                                break
                    outcome.released = await self._wait_for(call.released)
            except Exception as exc:
                outcome.error = exc

        self._run(main)
        return outcome

    def requests(self, urls: Sequence[str]) -> list[Response]:
        async def main() -> list[Response]:
            async with self._client(None) as client:
                return [await client.request("GET", url, timeouts=SAFE) for url in urls]

        responses: list[Response] = self._run(main)
        return responses


def _run_asyncio(main: Callable[[], Awaitable[Any]]) -> Any:
    async def wrapper() -> Any:
        return await main()

    return asyncio.run(wrapper())


def _run_trio(main: Callable[[], Awaitable[Any]]) -> Any:
    return trio.run(main)


@contextlib.asynccontextmanager
async def _asyncio_move_on_after(seconds: float) -> AsyncIterator[None]:
    """Cancel the body after ``seconds``, like trio.move_on_after."""
    scope = asyncio.timeout(seconds)
    try:
        async with scope:
            yield
    except TimeoutError:
        # Only the scope's own expiry is swallowed, not an adapter's Timeout.
        if not scope.expired():
            raise


@contextlib.asynccontextmanager
async def _trio_move_on_after(seconds: float) -> AsyncIterator[None]:
    with trio.move_on_after(seconds):
        yield


# Client factories. Each yields a client that is closed afterwards; the httpx
# adapters wrap an httpx client that the factory owns and closes itself.


@contextlib.contextmanager
def _sync_client(ssl_context: ssl.SSLContext | None) -> Iterator[AnySyncClient]:
    with SyncClient(ssl_context=ssl_context) as client:
        yield client


@contextlib.asynccontextmanager
async def _asyncio_client(ssl_context: ssl.SSLContext | None) -> AsyncIterator[AnyAsyncClient]:
    async with AsyncioClient(ssl_context=ssl_context) as client:
        yield client


@contextlib.asynccontextmanager
async def _trio_client(ssl_context: ssl.SSLContext | None) -> AsyncIterator[AnyAsyncClient]:
    async with TrioClient(ssl_context=ssl_context) as client:
        yield client


@contextlib.contextmanager
def _httpx_client(ssl_context: ssl.SSLContext | None) -> Iterator[AnySyncClient]:
    verify: ssl.SSLContext | bool = True if ssl_context is None else ssl_context
    with httpx.Client(verify=verify) as http, HttpxClient(http) as client:
        yield client


@contextlib.asynccontextmanager
async def _httpx_async_client(ssl_context: ssl.SSLContext | None) -> AsyncIterator[AnyAsyncClient]:
    verify: ssl.SSLContext | bool = True if ssl_context is None else ssl_context
    async with httpx.AsyncClient(verify=verify) as http, HttpxAsyncClient(http) as client:
        yield client


ASYNC_RUNNERS: list[AsyncRunner] = [
    AsyncRunner("asyncio", _asyncio_client, _run_asyncio, _asyncio_move_on_after, asyncio.sleep),
    AsyncRunner("trio", _trio_client, _run_trio, _trio_move_on_after, trio.sleep),
    AsyncRunner(
        "httpx-asyncio", _httpx_async_client, _run_asyncio, _asyncio_move_on_after, asyncio.sleep
    ),
    AsyncRunner("httpx-trio", _httpx_async_client, _run_trio, _trio_move_on_after, trio.sleep),
]
RUNNERS: list[Runner] = [
    SyncRunner("sync", _sync_client),
    SyncRunner("httpx", _httpx_client),
    *ASYNC_RUNNERS,
]


@pytest.fixture(params=RUNNERS, ids=[runner.name for runner in RUNNERS])
def runner(request: pytest.FixtureRequest) -> Runner:
    result: Runner = request.param
    return result


@pytest.fixture(params=ASYNC_RUNNERS, ids=[runner.name for runner in ASYNC_RUNNERS])
def async_runner(request: pytest.FixtureRequest) -> AsyncRunner:
    result: AsyncRunner = request.param
    return result


def tagged(server: FaultServer, path: str, runner: Runner, tag: str = "") -> str:
    """The URL of ``path`` with a query naming the runner, to find its requests."""
    sep = "&" if "?" in path else "?"
    return server.url(f"{path}{sep}runner={runner.name}{tag}")


def gone(server: FaultServer, url: str) -> Callable[[], bool]:
    """A condition: the server saw the client of its request to ``url`` go away."""

    def check() -> bool:
        found = server.requests_to(target(url))
        return bool(found) and found[0].disconnected.is_set()

    return check


def target(url: str) -> str:
    """The request target (path and query) of an absolute URL."""
    return "/" + url.split("/", 3)[3]


# -- event streams ----------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(VECTORS)), ids=[v.name for v in VECTORS])
def test_vector(runner: Runner, fault_server: FaultServer, index: int) -> None:
    """Each shared vector, served in 5-byte chunks, gives the vector's events."""
    outcome = runner.stream(StreamCall(fault_server.url(f"/vector/{index}"))).ok()
    assert outcome.events() == VECTORS[index].events


def test_events_with_comments(runner: Runner, fault_server: FaultServer) -> None:
    """/events gives its events and comment, and the response's status and headers."""
    outcome = runner.stream(StreamCall(fault_server.url("/events"), comments=True)).ok()
    assert outcome.events() == [Event(*fields) for fields in DEFAULT_EVENTS]
    assert outcome.comments() == [Comment("a comment")]
    assert outcome.status == 200
    assert ("content-type", "text/event-stream") in [
        (name.lower(), value) for name, value in outcome.headers
    ]


def test_crlf_split_across_reads(runner: Runner, fault_server: FaultServer) -> None:
    """CRLF line endings whose CR and LF arrive in different reads make no extra lines."""
    outcome = runner.stream(StreamCall(fault_server.url("/crlf"))).ok()
    assert outcome.events() == [Event("message", "one", "1"), Event("x", "two\n2", "1")]


def test_long_event(runner: Runner, fault_server: FaultServer) -> None:
    """A 1 MiB event arrives whole."""
    outcome = runner.stream(StreamCall(fault_server.url("/long"))).ok()
    assert outcome.events() == [
        Event("message", "x" * 1024 * 1024, "long"),
        Event("message", "after", "long"),
    ]


def test_keepalive_comments(runner: Runner, fault_server: FaultServer) -> None:
    """Comments between events are given in order when asked for, dropped otherwise."""
    with_comments = runner.stream(StreamCall(fault_server.url("/keepalive"), comments=True)).ok()
    assert with_comments.items == [
        Event("message", "a"),
        Comment("ping 1"),
        Comment("ping 2"),
        Event("message", "b"),
        Comment("ping 3"),
    ]
    without = runner.stream(StreamCall(fault_server.url("/keepalive"))).ok()
    assert without.items == [Event("message", "a"), Event("message", "b")]


def test_drip(runner: Runner, fault_server: FaultServer) -> None:
    """A stream that arrives one byte per read gives the same events."""
    outcome = runner.stream(StreamCall(fault_server.url("/drip"))).ok()
    assert outcome.events() == [Event("message", "a"), Event("message", "b")]


def test_drop_mid_event_close_delimited(runner: Runner, fault_server: FaultServer) -> None:
    """A close-delimited body cut mid-event ends the stream cleanly; the half event is dropped."""
    outcome = runner.stream(StreamCall(fault_server.url("/drop-mid-event"))).ok()
    assert outcome.events() == [Event("message", "whole", "1")]
    assert outcome.unterminated is True


@pytest.mark.parametrize("path", ["/drop-mid-event?chunked=1", "/truncated-chunked"])
def test_chunked_body_cut_short(runner: Runner, fault_server: FaultServer, path: str) -> None:
    """A chunked body without its last chunk raises IncompleteBody after the whole events."""
    outcome = runner.stream(StreamCall(fault_server.url(path)))
    assert outcome.events() == [Event("message", "whole", "1")]
    outcome.raised(IncompleteBody)


def test_stall_read_timeout(runner: Runner, fault_server: FaultServer) -> None:
    """A server that goes silent mid-stream raises ReadTimeout; the server sees the close."""
    url = tagged(fault_server, "/stall", runner, "-read")
    outcome = runner.stream(StreamCall(url, timeouts=Timeouts(connect=10, read=0.4)))
    assert outcome.events() == [Event("message", "before the stall", "1")]
    outcome.raised(ReadTimeout)
    assert fault_server.wait_for_request(target(url)).disconnected.wait(10)


def test_event_timeout_despite_keepalives(runner: Runner, fault_server: FaultServer) -> None:
    """Keepalive comments do not count as events: Timeouts.event still passes."""
    url = tagged(fault_server, "/keepalive?forever=1", runner)
    timeouts = Timeouts(connect=10, read=10, event=0.4)
    outcome = runner.stream(StreamCall(url, timeouts=timeouts, comments=True))
    assert outcome.events() == [Event("message", "first")]
    assert outcome.comments()  # keepalives kept arriving
    outcome.raised(EventTimeout)
    assert fault_server.wait_for_request(target(url)).disconnected.wait(10)


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/204", 204, b""),
        ("/500", 500, b'{"error": {"message": "boom", "code": 500}}'),
        ("/wrong-type", 200, b"this is not an event stream\n"),
    ],
)
def test_rejected_response(
    runner: Runner, fault_server: FaultServer, path: str, status: int, body: bytes
) -> None:
    """A response that cannot start a stream raises ResponseRejected with its status and body."""
    outcome = runner.stream(StreamCall(fault_server.url(path)))
    error = outcome.raised(ResponseRejected)
    assert isinstance(error, ResponseRejected)
    assert (error.status, error.body) == (status, body)
    assert outcome.items == []


@pytest.mark.parametrize("path", ["/redirect", "/redirect?status=307", "/redirect-relative"])
def test_redirect_followed(runner: Runner, fault_server: FaultServer, path: str) -> None:
    """A redirect to the stream is followed."""
    outcome = runner.stream(StreamCall(fault_server.url(path))).ok()
    assert outcome.events() == [Event(*fields) for fields in DEFAULT_EVENTS]
    assert outcome.url == fault_server.url("/events")
    assert outcome.unterminated is False


def test_redirect_loop(runner: Runner, fault_server: FaultServer) -> None:
    """A redirect loop raises TooManyRedirects."""
    outcome = runner.stream(StreamCall(fault_server.url("/redirect-loop")))
    error = outcome.raised(TooManyRedirects)
    assert isinstance(error, TooManyRedirects)
    assert len(error.urls) > 1


def test_endless_line(runner: Runner, fault_server: FaultServer) -> None:
    """A line that never ends raises LineTooLong once past max_line_size, in bounded memory."""
    limit = 256 * 1024
    url = tagged(fault_server, "/endless-line", runner)
    tracemalloc.start()
    try:
        outcome = runner.stream(StreamCall(url, options={"max_line_size": limit}))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    outcome.raised(LineTooLong)
    request = fault_server.wait_for_request(target(url))
    assert request.disconnected.wait(10)
    # The client stopped reading soon after the limit: what the server got
    # out is the limit plus socket buffers, far from the 30 s of streaming.
    assert request.sent < 64 * 1024 * 1024
    # The parser holds at most the limit; the rest is receive buffers.
    assert peak < 4 * limit + 1024 * 1024, f"peak {peak} bytes"


def test_post_with_body_and_headers(runner: Runner, fault_server: FaultServer) -> None:
    """A POST sends its body and the caller's headers."""
    url = tagged(fault_server, "/echo", runner)
    call = StreamCall(
        url,
        method="POST",
        headers=[("X-Custom", "yes"), ("Content-Type", "application/json")],
        body=b'{"prompt": "hi"}',
    )
    outcome = runner.stream(call).ok()
    request_event, body_event = outcome.events()
    assert json.loads(request_event.data)["method"] == "POST"
    assert json.loads(body_event.data) == '{"prompt": "hi"}'
    recorded = fault_server.wait_for_request(target(url))
    assert recorded.header("X-Custom") == "yes"
    assert recorded.header("Content-Type") == "application/json"
    assert recorded.body == b'{"prompt": "hi"}'


def test_early_break_releases_the_connection(runner: Runner, fault_server: FaultServer) -> None:
    """Leaving the loop early closes the connection at once, not when the client closes."""
    url = tagged(fault_server, "/stall", runner, "-break")
    outcome = runner.stream(StreamCall(url, take=1, released=gone(fault_server, url))).ok()
    assert outcome.events() == [Event("message", "before the stall", "1")]
    assert outcome.released, "the server did not see the disconnect while the client was open"


def test_cancelled_read_releases_the_connection(
    async_runner: AsyncRunner, fault_server: FaultServer
) -> None:
    """Cancelling a task stuck reading (cancel scope, timeout) closes the connection."""
    url = tagged(fault_server, "/stall", async_runner, "-cancel")
    call = StreamCall(url, cancel_after=0.3, released=gone(fault_server, url))
    outcome = async_runner.stream(call).ok()
    assert outcome.events() == [Event("message", "before the stall", "1")]
    assert outcome.released, "the server did not see the disconnect while the client was open"


def test_connection_refused(runner: Runner) -> None:
    """A port nobody listens on raises ConnectError, caused by the OS error."""
    with socket.socket() as unused:
        # Bound but not listening: connecting is refused, and no one else
        # can take the port meanwhile.
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        outcome = runner.stream(StreamCall(f"http://127.0.0.1:{port}/events"))
    outcome.raised(ConnectError)
    assert any(isinstance(cause, ConnectionRefusedError) for cause in _causes(outcome.error))


def test_request_reuses_the_connection(runner: Runner, fault_server: FaultServer) -> None:
    """Two request() calls on one client share one connection."""
    url = tagged(fault_server, "/json", runner)
    first, second = runner.requests([url, url])
    assert (first.status, second.status) == (200, 200)
    assert json.loads(first.body) == json.loads(second.body)
    recorded = fault_server.requests_to(target(url))
    assert len(recorded) == 2
    assert recorded[0].connection == recorded[1].connection


def test_request_returns_error_responses(runner: Runner, fault_server: FaultServer) -> None:
    """request() returns a 500 response with its body rather than raising."""
    (response,) = runner.requests([fault_server.url("/500")])
    assert response.status == 500
    assert json.loads(response.body)["error"]["message"] == "boom"


# -- TLS ----------------------------------------------------------------------------


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    """The error, its causes, and the members of any exception group among them."""
    while error is not None:
        yield error
        if isinstance(error, BaseExceptionGroup):
            for member in error.exceptions:
                yield from _causes(member)
        error = error.__cause__ or error.__context__


def test_tls_untrusted_certificate(runner: Runner, tls_fault_server: FaultServer) -> None:
    """A certificate the default trust store does not vouch for fails with ConnectError."""
    outcome = runner.stream(StreamCall(tls_fault_server.url("/events")))
    outcome.raised(ConnectError)
    assert any(isinstance(cause, ssl.SSLError) for cause in _causes(outcome.error))


def test_tls_with_the_callers_context(runner: Runner, tls_fault_server: FaultServer) -> None:
    """The caller's ssl_context is used: trusting the test CA makes the stream work."""
    call = StreamCall(tls_fault_server.url("/events"))
    outcome = runner.stream(call, ssl_context=client_context()).ok()
    assert outcome.events() == [Event(*fields) for fields in DEFAULT_EVENTS]


# -- subscriptions ----------------------------------------------------------------------


def test_subscribe_resumes_with_last_event_id(runner: Runner, fault_server: FaultServer) -> None:
    """A subscription reconnects after each close, sending the last event ID."""
    url = tagged(fault_server, "/close-after/2", runner)
    outcome = runner.subscribe(SubscribeCall(url, take=6)).ok()
    assert [event.id for event in outcome.events()] == ["1", "2", "3", "4", "5", "6"]
    sent = [request.header("Last-Event-ID") for request in fault_server.requests_to(target(url))]
    assert sent[:3] == [None, "2", "4"]


@pytest.mark.parametrize("path", ["/truncated-chunked", "/drop-mid-event?chunked=1"])
def test_subscribe_reconnects_after_a_broken_body(
    runner: Runner, fault_server: FaultServer, path: str
) -> None:
    """A body cut short counts as a network error: the subscription reconnects."""
    url = tagged(fault_server, path, runner)
    outcome = runner.subscribe(SubscribeCall(url, take=3)).ok()
    assert outcome.events() == [Event("message", "whole", "1")] * 3
    sent = [request.header("Last-Event-ID") for request in fault_server.requests_to(target(url))]
    assert sent[:3] == [None, "1", "1"]


def test_subscribe_reconnects_after_a_read_timeout(
    runner: Runner, fault_server: FaultServer
) -> None:
    """A connection that passes Timeouts.read is dropped and made again."""
    url = tagged(fault_server, "/stall", runner, "-subscribe")
    timeouts = Timeouts(connect=10, read=0.3)
    outcome = runner.subscribe(SubscribeCall(url, take=2, timeouts=timeouts)).ok()
    assert outcome.events() == [Event("message", "before the stall", "1")] * 2
    first, second = fault_server.requests_to(target(url))[:2]
    assert first.disconnected.wait(10)
    assert second.header("Last-Event-ID") == "1"


def test_subscribe_break_releases_the_connection(runner: Runner, fault_server: FaultServer) -> None:
    """Leaving a subscription's loop closes its connection."""
    url = tagged(fault_server, "/stall", runner, "-subscribe-break")
    outcome = runner.subscribe(SubscribeCall(url, take=1, released=gone(fault_server, url))).ok()
    assert len(outcome.events()) == 1
    assert outcome.released, "the server did not see the disconnect while the client was open"


def test_subscribe_starts_from_the_given_last_event_id(
    runner: Runner, fault_server: FaultServer
) -> None:
    """last_event_id= is sent on the first request."""
    url = tagged(fault_server, "/close-after/2", runner, "-given")
    outcome = runner.subscribe(SubscribeCall(url, take=2, last_event_id="10")).ok()
    assert outcome.events() == [
        Event("message", "event 11", "11"),
        Event("message", "event 12", "12"),
    ]


def test_subscribe_rejected_is_not_retried(runner: Runner, fault_server: FaultServer) -> None:
    """A 204 ends a subscription with ResponseRejected, without reconnecting."""
    url = tagged(fault_server, "/204", runner)
    outcome = runner.subscribe(SubscribeCall(url, take=1))
    error = outcome.raised(ResponseRejected)
    assert isinstance(error, ResponseRejected)
    assert error.status == 204
    assert len(fault_server.requests_to(target(url))) == 1


# -- uvicorn and sse-starlette ------------------------------------------------------------

_STARLETTE_EVENTS = [Event(*fields) for fields in starlette_app.EVENTS]


@pytest.mark.parametrize("path", ["/events", "/crlf"])
def test_starlette_events(runner: Runner, starlette_server: StarletteServer, path: str) -> None:
    """sse-starlette's events, with LF and with CRLF separators."""
    outcome = runner.stream(StreamCall(starlette_server.url(path))).ok()
    assert outcome.events() == _STARLETTE_EVENTS


def test_starlette_long(runner: Runner, starlette_server: StarletteServer) -> None:
    """sse-starlette's 1 MiB event arrives whole."""
    outcome = runner.stream(StreamCall(starlette_server.url("/long"))).ok()
    assert outcome.events() == [
        Event("message", "x" * starlette_app.LONG_SIZE, "long"),
        Event("message", "after", "long"),
    ]


def test_starlette_pings(runner: Runner, starlette_server: StarletteServer) -> None:
    """sse-starlette's pings arrive as comments between the events."""
    outcome = runner.stream(StreamCall(starlette_server.url("/pings"), comments=True)).ok()
    assert outcome.events() == [Event("message", "first"), Event("message", "second")]
    assert outcome.comments()
    assert all(comment.text.startswith("ping") for comment in outcome.comments())


def test_starlette_subscribe_resumes(runner: Runner, starlette_server: StarletteServer) -> None:
    """A subscription to sse-starlette resumes after each end with Last-Event-ID."""
    outcome = runner.subscribe(SubscribeCall(starlette_server.url("/reconnect/2"), take=5)).ok()
    assert [event.data for event in outcome.events()] == [f"event {n}" for n in range(1, 6)]
