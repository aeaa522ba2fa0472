"""sseproto's server front ends, each serving the scenarios of
:mod:`.scenarios` under a real server, for the client tests.

==============  ===========================================================
``uvicorn``     the ASGI ``EventStreamResponse`` under uvicorn (asyncio, h11)
``hypercorn``   the same ASGI app under hypercorn (asyncio; h11 for HTTP/1.1)
``waitress``    the WSGI ``EventStreamApp`` under waitress (threads)
``asyncio``     the built-in server ``sseproto.server.asyncio.serve``
``trio``        the built-in server ``sseproto.server.trio.serve``
==============  ===========================================================

``with front.serve(scenario) as url:`` serves one scenario at the event
stream ``url`` until the block ends. The ASGI and WSGI apps also serve the
browser's test page (``/page``) and take its reports (``POST /report``), so
the page and the stream share an origin; the built-in servers serve event
streams only, so the page comes from a :class:`~.browser.PageServer` and
the stream allows it with ``Access-Control-Allow-Origin: *``
(``page_origin`` is ``None`` for them).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, Protocol

from sseproto import ServerEvent

from .browser import PAGE, Reports
from .serving import WaitressThread
from .starlette_app import StarletteServer

__all__ = ["FRONT_NAMES", "Front", "Scenario", "make_front"]

#: The front ends, by name (see the module docstring).
FRONT_NAMES: Final = ("uvicorn", "hypercorn", "waitress", "asyncio", "trio")

#: The header the built-in servers add, for the page on another origin.
CORS: Final = (("Access-Control-Allow-Origin", "*"),)


class Scenario(Protocol):
    """What a front end serves (see :mod:`.scenarios`): a source factory, the
    stream options to serve it with, what a client should report, and the
    ``Last-Event-ID`` of each request so far."""

    options: dict[str, Any]
    last_event_ids: list[str | None]

    def source(self, last_event_id: str | None) -> Iterator[ServerEvent]: ...

    def expected(self) -> list[tuple[str, str, str]]: ...


class Front:
    """One front end under its server; see the module docstring."""

    def __init__(
        self,
        name: str,
        serve: Callable[[Scenario], contextlib.AbstractContextManager[str]],
        page_origin: str | None,
        stop: Callable[[], None] = lambda: None,
    ) -> None:
        self.name = name
        self.serve = serve
        #: Where ``/page`` and ``/report`` are served with the streams, if they are.
        self.page_origin = page_origin
        self.stop = stop


class _Routes:
    """The scenarios a shared ASGI or WSGI server serves, by path."""

    def __init__(self) -> None:
        self.scenarios: dict[str, Scenario] = {}
        self._numbers = itertools.count()

    @contextlib.contextmanager
    def serve(self, origin: str, scenario: Scenario) -> Iterator[str]:
        key = str(next(self._numbers))
        self.scenarios[key] = scenario
        try:
            yield f"{origin}/events/{key}"
        finally:
            del self.scenarios[key]

    def find(self, path: str) -> Scenario | None:
        prefix, _, key = path.rpartition("/")
        return self.scenarios.get(key) if prefix == "/events" else None


def _asgi_app(routes: _Routes, reports: Reports) -> Any:
    from sseproto.server.asgi import EventStreamResponse  # noqa: PLC0415

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope["path"]
        if path == "/page":
            headers = [(b"content-type", b"text/html; charset=utf-8")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": PAGE})
            return
        if path == "/report":
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            reports.deliver(body)
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        scenario = routes.find(path)
        if scenario is None:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await EventStreamResponse(scenario.source, **scenario.options)(scope, receive, send)

    return app


def _wsgi_app(routes: _Routes, reports: Reports) -> Any:
    from sseproto.server.wsgi import EventStreamApp  # noqa: PLC0415

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        if path == "/page":
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [PAGE]
        if path == "/report":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            reports.deliver(environ["wsgi.input"].read(length))
            start_response("204 No Content", [])
            return []
        scenario = routes.find(path)
        if scenario is None:
            start_response("404 Not Found", [])
            return []
        body: Iterable[bytes] = EventStreamApp(scenario.source, **scenario.options)(
            environ, start_response
        )
        return body

    return app


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class _Thread:
    """Runs ``target`` in a daemon thread; :meth:`join` checks that it ended."""

    def __init__(self, name: str, target: Callable[[], None]) -> None:
        self.error: BaseException | None = None

        def run() -> None:
            try:
                target()
            except BaseException as exc:  # reported by join()
                self.error = exc

        self.thread = threading.Thread(target=run, name=name, daemon=True)
        self.thread.start()

    def join(self, timeout: float = 10.0) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"{self.thread.name} did not stop"
        if self.error is not None:
            raise self.error


def _uvicorn(reports: Reports) -> Front:
    routes = _Routes()
    server = StarletteServer(_asgi_app(routes, reports))
    server.start()
    origin = server.url("").rstrip("/")
    return Front("uvicorn", lambda s: routes.serve(origin, s), origin, server.stop)


def _hypercorn(reports: Reports) -> Front:
    from hypercorn.asyncio import serve  # noqa: PLC0415
    from hypercorn.config import Config  # noqa: PLC0415

    routes = _Routes()
    sock = _free_socket()
    port = sock.getsockname()[1]
    config = Config()
    # hypercorn owns the socket from here on, and closes it when it stops.
    config.bind = [f"fd://{sock.detach()}"]
    config.graceful_timeout = 1.0
    config.accesslog = None
    config.errorlog = None
    loop = asyncio.new_event_loop()
    stopping = asyncio.Event()
    app = _asgi_app(routes, reports)
    ready = threading.Event()

    async def main() -> None:
        ready.set()
        await serve(app, config, shutdown_trigger=stopping.wait)

    thread = _Thread("hypercorn", lambda: loop.run_until_complete(main()))
    ready.wait(10)

    def stop() -> None:
        loop.call_soon_threadsafe(stopping.set)
        try:
            thread.join()
        finally:
            loop.close()

    origin = f"http://127.0.0.1:{port}"
    _wait_until_accepting(origin, stop)
    return Front("hypercorn", lambda s: routes.serve(origin, s), origin, stop)


def _waitress(reports: Reports) -> Front:
    routes = _Routes()
    server = WaitressThread(_wsgi_app(routes, reports))
    server.start()
    origin = server.url("").rstrip("/")
    return Front("waitress", lambda s: routes.serve(origin, s), origin, server.stop)


def _wait_until_accepting(origin: str, stop: Callable[[], None]) -> None:
    port = int(origin.rpartition(":")[2])
    for _ in range(200):
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), 1),
        ):
            return
        threading.Event().wait(0.05)
    stop()
    raise RuntimeError(f"nothing accepts connections at {origin}")


def _handler(scenario: Scenario) -> Callable[[Any], Iterator[ServerEvent]]:
    def handler(request: Any) -> Iterator[ServerEvent]:
        last_event_id = dict(request.headers).get("last-event-id")
        return scenario.source(last_event_id)

    return handler


@contextlib.contextmanager
def _serve_asyncio(scenario: Scenario) -> Iterator[str]:
    from sseproto.server.asyncio import serve  # noqa: PLC0415

    loop = asyncio.new_event_loop()
    stopping = asyncio.Event()
    url: list[str] = []
    started = threading.Event()

    async def main() -> None:
        async with serve(_handler(scenario), headers=CORS, **scenario.options) as server:
            url.append(server.url("/events"))
            started.set()
            await stopping.wait()

    thread = _Thread("sseproto-asyncio", lambda: loop.run_until_complete(main()))
    try:
        started.wait(10)
        assert url, "the asyncio server did not start"
        yield url[0]
    finally:
        loop.call_soon_threadsafe(stopping.set)
        try:
            thread.join()
        finally:
            loop.close()


@contextlib.contextmanager
def _serve_trio(scenario: Scenario) -> Iterator[str]:
    import trio  # noqa: PLC0415

    from sseproto.server.trio import serve  # noqa: PLC0415

    url: list[str] = []
    started = threading.Event()
    token: list[trio.lowlevel.TrioToken] = []
    stopping: list[trio.Event] = []

    async def main() -> None:
        stopping.append(trio.Event())
        token.append(trio.lowlevel.current_trio_token())
        async with serve(_handler(scenario), headers=CORS, **scenario.options) as server:
            url.append(server.url("/events"))
            started.set()
            await stopping[0].wait()

    thread = _Thread("sseproto-trio", lambda: trio.run(main))
    try:
        started.wait(10)
        assert url, "the trio server did not start"
        yield url[0]
    finally:
        if token:
            with contextlib.suppress(trio.RunFinishedError):
                token[0].run_sync_soon(stopping[0].set)
        thread.join()


def make_front(name: str, reports: Reports) -> Front:
    """Start the front end ``name`` (one of :data:`FRONT_NAMES`); call its
    ``stop()`` when done."""
    if name == "uvicorn":
        return _uvicorn(reports)
    if name == "hypercorn":
        return _hypercorn(reports)
    if name == "waitress":
        return _waitress(reports)
    if name == "asyncio":
        return Front("asyncio", _serve_asyncio, None)
    if name == "trio":
        return Front("trio", _serve_trio, None)
    raise ValueError(f"unknown front end {name!r}")
