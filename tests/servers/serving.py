"""Applications served by the server-role front ends, and the threads that run the servers.

Every route serves one of the sources below, whichever front end serves it
(:class:`~sseproto.server.asgi.EventStreamResponse`, the WSGI body, the
built-in servers). A request names its :class:`Probe` with a query string
(``?t=<token>``): the source and the front end record there what happened,
so a test can wait for "the source was closed" or "the response returned".

==============  =================================================================
``/events``     :data:`EVENTS`, then the end of the stream
``/resume``     replays :data:`HISTORY` after ``Last-Event-ID``, then ``live`` (id 5)
``/idle``       ``ready``, then nothing until the client goes (keepalives only)
``/endless``    events of :data:`BIG` bytes as fast as the client takes them
``/boom``       ``one``, then the source raises :class:`Boom`
``/stop``       (ASGI) sets the :class:`~sseproto.server.asgi.Shutdown` of the token
``/sync/...``   (ASGI, built-in) the same route with its source as a sync iterator
==============  =================================================================
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import parse_qs

import trio

from sseproto import EventHistory, ServerEvent
from sseproto.adapters._runtime import sleep
from sseproto.http import IncomingRequest
from sseproto.server.asgi import EventStreamResponse, Shutdown
from sseproto.server.wsgi import EventStreamBody

__all__ = [
    "BIG",
    "EVENTS",
    "HISTORY",
    "Boom",
    "BuiltinThread",
    "HypercornThread",
    "Probe",
    "RawClient",
    "WaitressThread",
    "asgi_app",
    "builtin_handler",
    "probe",
    "wsgi_app",
]

#: (type, data, id) of ``/events``.
EVENTS: Final = (
    ("message", "one", "1"),
    ("update", "two", "2"),
    ("message", "three\nlines", "3"),
    ("message", "héllo — 世界", "4"),
)

#: What ``/resume`` replays: the events 1 to 4 of :data:`EVENTS`.
HISTORY: Final = EventHistory()
for _type, _data, _id in EVENTS:
    HISTORY.append(_id, ServerEvent(_data, type=_type, id=_id).encode())

#: The data size of each ``/endless`` event.
BIG: Final = 16 * 1024

#: Keepalive interval and send timeout of the test routes, in seconds.
KEEPALIVE: Final = 0.05
SEND_TIMEOUT: Final = 0.5


class Boom(Exception):
    """What ``/boom``'s source raises."""


@dataclass
class Probe:
    """What happened to the requests of one token."""

    started: threading.Event = field(default_factory=threading.Event)
    #: The source's ``finally`` ran (it was exhausted or closed).
    closed: threading.Event = field(default_factory=threading.Event)
    #: The front end returned (ASGI app) or was closed (WSGI body).
    returned: threading.Event = field(default_factory=threading.Event)
    produced: int = 0
    shutdown: Shutdown = field(default_factory=Shutdown)
    threads: list[threading.Thread] = field(default_factory=list)
    #: Lets the blocking ``/idle`` source of the WSGI app go on.
    release: threading.Event = field(default_factory=threading.Event)


_PROBES: dict[str, Probe] = {}
_LOCK = threading.Lock()


def probe(token: str) -> Probe:
    """The probe of ``token`` (made on first use)."""
    with _LOCK:
        return _PROBES.setdefault(token, Probe())


def _token(query: str) -> str:
    return parse_qs(query).get("t", ["-"])[0]


def _item(type_: str, data: str, id_: str) -> ServerEvent:
    return ServerEvent(data, type=None if type_ == "message" else type_, id=id_)


#: What each route sends first (and, but for ``/idle`` and ``/endless``, only).
_SCRIPTS: Final[dict[str, tuple[ServerEvent | str, ...]]] = {
    "/events": tuple(_item(*item) for item in EVENTS),
    "/resume": (ServerEvent("live", id="5"),),
    "/idle": ("ready",),
    "/boom": ("one",),
}


def _endless(record: Probe) -> Iterator[str]:
    while True:
        record.produced += 1
        yield "x" * BIG


async def _async_source(path: str, record: Probe) -> AsyncIterator[ServerEvent | str]:
    record.started.set()
    try:
        for item in _SCRIPTS.get(path, ()):
            yield item
        if path == "/idle":
            await sleep(3600)
        elif path == "/endless":
            for big in _endless(record):
                yield big
        elif path == "/boom":
            raise Boom
    finally:
        record.closed.set()


def _sync_source(path: str, record: Probe) -> Iterator[ServerEvent | str]:
    record.started.set()
    try:
        yield from _SCRIPTS.get(path, ())
        if path == "/idle":
            # A blocking source cannot be interrupted: it is closed when it
            # next yields, which the test allows by setting ``release``.
            record.release.wait(60)
            yield "late"
        elif path == "/endless":
            yield from _endless(record)
        elif path == "/boom":
            raise Boom
    finally:
        record.closed.set()


def _source(path: str, record: Probe) -> Any:
    # ``/sync/<route>``: the route's source as a sync iterator.
    if path.startswith("/sync/"):
        return _sync_source(path.removeprefix("/sync"), record)
    return _async_source(path, record)


def response(path: str, record: Probe) -> EventStreamResponse:
    """The :class:`EventStreamResponse` of ``path`` (every route's options)."""
    return EventStreamResponse(
        _source(path, record),
        history=HISTORY,
        keepalive=KEEPALIVE,
        send_timeout=SEND_TIMEOUT,
        shutdown=record.shutdown,
    )


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The routes as one ASGI application (lifespan answered, nothing done)."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    path = scope["path"]
    record = probe(_token(scope.get("query_string", b"").decode()))
    if path == "/stop":
        record.shutdown.set()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    try:
        await response(path, record)(scope, receive, send)
    finally:
        record.returned.set()


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> EventStreamBody:
    """The routes as one WSGI application."""
    path = environ["PATH_INFO"]
    record = probe(_token(environ.get("QUERY_STRING", "")))
    body = _ProbedBody(
        _sync_source(path, record),
        last_event_id=environ.get("HTTP_LAST_EVENT_ID"),
        history=HISTORY,
        keepalive=KEEPALIVE,
        join_timeout=0.1,
    )
    body.record = record
    start_response(body.status, body.headers)
    return body


class _ProbedBody(EventStreamBody):
    record: Probe

    def __next__(self) -> bytes:
        data = super().__next__()
        if self.thread is not None and self.thread not in self.record.threads:
            self.record.threads.append(self.thread)
        return data

    def close(self) -> None:
        super().close()
        self.record.returned.set()


def builtin_handler(request: IncomingRequest) -> AsyncIterator[ServerEvent | str] | None:
    """The routes as a handler of the built-in servers (``None``: 404)."""
    if request.path.removeprefix("/sync") not in {
        "/events",
        "/resume",
        "/idle",
        "/endless",
        "/boom",
    }:
        return None
    record = probe(_token(request.target.partition("?")[2]))
    return _source(request.path, record)  # type: ignore[no-any-return]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _ServerThread:
    """A server running in a thread; a context manager that stops it."""

    port = 0

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _wait_accepting(port: int) -> None:
    for _ in range(200):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing accepts connections on port {port}")


Body = Callable[[Callable[[], Awaitable[object]]], Awaitable[None]]


class _LoopThread(_ServerThread):
    """A server run by ``body(wait_for_stop)`` in an asyncio or trio loop of its own thread."""

    def __init__(self, runtime: str) -> None:
        self.runtime = runtime
        self._thread: threading.Thread | None = None
        self._stop: Callable[[], object] | None = None
        self._call: Callable[[Callable[[], int]], int] | None = None
        self.ready = threading.Event()

    def body(self, wait_for_stop: Callable[[], Awaitable[object]]) -> Awaitable[None]:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the server did not start")
        _wait_accepting(self.port)

    def _run(self) -> None:
        if self.runtime == "trio":

            async def trio_main() -> None:
                stop = trio.Event()
                token = trio.lowlevel.current_trio_token()
                self._stop = lambda: trio.from_thread.run_sync(stop.set, trio_token=token)
                self._call = lambda fn: trio.from_thread.run_sync(fn, trio_token=token)
                await self.body(stop.wait)

            trio.run(trio_main)
            return

        async def asyncio_main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            self._stop = lambda: loop.call_soon_threadsafe(stop.set)

            async def call(fn: Callable[[], int]) -> int:
                return fn()

            self._call = lambda fn: asyncio.run_coroutine_threadsafe(call(fn), loop).result(5)
            await self.body(stop.wait)

        asyncio.run(asyncio_main())

    def call(self, fn: Callable[[], int]) -> int:
        """``fn()``, called in the server's event loop."""
        assert self._call is not None
        return self._call(fn)

    def stop(self) -> None:
        """Ask the server to exit, and wait for it."""
        if self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._stop()
        if self._thread is not None:
            self._thread.join(15)
            assert not self._thread.is_alive(), "the server did not stop"


class HypercornThread(_LoopThread):
    """hypercorn serving :func:`asgi_app` with its asyncio or trio worker."""

    def __init__(self, worker: str) -> None:
        super().__init__(worker)
        self.worker = worker

    async def body(self, wait_for_stop: Callable[[], Awaitable[object]]) -> None:
        from hypercorn.config import Config  # noqa: PLC0415

        if self.runtime == "trio":
            from hypercorn.trio import serve  # noqa: PLC0415
        else:
            from hypercorn.asyncio import serve  # type: ignore[assignment] # noqa: PLC0415

        self.port = _free_port()
        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.graceful_timeout = 2.0
        config.accesslog = None
        config.errorlog = None
        self.ready.set()
        await serve(asgi_app, config, shutdown_trigger=wait_for_stop)  # type: ignore[arg-type]


class WaitressThread(_ServerThread):
    """waitress serving :func:`wsgi_app` (or ``app``) with a few worker threads."""

    def __init__(self, app: Any = wsgi_app, **settings: Any) -> None:
        self.app = app
        self.settings = settings
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        import waitress  # noqa: PLC0415

        self._server = waitress.create_server(
            self.app, host="127.0.0.1", port=0, threads=4, **self.settings
        )
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        _wait_accepting(self.port)

    def stop(self) -> None:
        """Close every channel in waitress's loop (which then returns), and
        join its worker threads."""
        server = self._server
        if server is None:
            return

        def close_all() -> None:
            for channel in list(server._map.values()):
                if channel is server.trigger:
                    channel.close()
                else:
                    channel.handle_close()

        server.trigger.pull_trigger(close_all)
        assert self._thread is not None
        self._thread.join(10)
        assert not self._thread.is_alive(), "waitress did not stop"
        server.task_dispatcher.shutdown()


class BuiltinThread(_LoopThread):
    """A built-in server (``sseproto.server.asyncio`` or ``.trio``) serving
    :func:`builtin_handler`, in a thread."""

    def __init__(self, runtime: str, **settings: Any) -> None:
        super().__init__(runtime)
        self.settings = {
            "keepalive": KEEPALIVE,
            "send_timeout": SEND_TIMEOUT,
            "history": HISTORY,
            **settings,
        }
        #: Seconds the ``serve()`` block took to exit once asked to stop.
        self.stopped_in: float | None = None

    async def body(self, wait_for_stop: Callable[[], Awaitable[object]]) -> None:
        if self.runtime == "trio":
            from sseproto.server.trio import serve  # noqa: PLC0415
        else:
            from sseproto.server.asyncio import serve  # noqa: PLC0415
        async with serve(builtin_handler, **self.settings) as server:
            self.port = server.port
            self.ready.set()
            await wait_for_stop()
            began = time.monotonic()
        self.stopped_in = time.monotonic() - began

    def tasks(self) -> int:
        """How many tasks the server's event loop runs now (the main one included)."""
        if self.runtime == "trio":
            return self.call(lambda: trio.lowlevel.current_statistics().tasks_living)
        return self.call(lambda: len(asyncio.all_tasks()))


class RawClient:
    """A client on a bare socket, for what well-behaved clients never do:
    send a broken request, stop reading, half-close. A context manager that
    closes the socket."""

    def __init__(self, port: int, *, receive_buffer: int | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(10)
        try:
            self.sock.connect(("127.0.0.1", port))
        except BaseException:
            self.sock.close()
            raise
        self.received = b""

    def get(self, target: str, *headers: str, version: str = "1.1") -> None:
        """Send a GET request for ``target``."""
        lines = [f"GET {target} HTTP/{version}", "Host: 127.0.0.1", *headers, "", ""]
        self.sock.sendall("\r\n".join(lines).encode())

    def read_until(self, marker: bytes, timeout: float = 10) -> bytes:
        """Read until ``marker`` was received (all received so far is kept in
        ``received``); raise AssertionError at EOF or after ``timeout``."""
        deadline = time.monotonic() + timeout
        while marker not in self.received:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                raise AssertionError(f"{marker!r} not received: {self.received[-200:]!r}") from None
            if not data:
                raise AssertionError(f"EOF before {marker!r}: {self.received[-200:]!r}")
            self.received += data
        return self.received

    def read_to_eof(self, timeout: float = 10) -> bytes:
        """Read until the server closes the connection."""
        self.sock.settimeout(timeout)
        while True:
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return self.received
            if not data:
                return self.received
            self.received += data

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
