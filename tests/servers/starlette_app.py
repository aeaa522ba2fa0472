"""sse-starlette endpoints served by uvicorn in a background thread.

A server nobody here wrote: if the adapters agree with it, they agree with
the Python SSE stack people deploy. Every endpoint ends by itself within a
second, so the server can shut down gracefully without cancelling anything.

==========================  ===================================================
``/events``                 :data:`EVENTS`, LF line endings (``sep="\\n"``)
``/crlf``                   :data:`EVENTS` with CRLF (sse-starlette's default ``sep``)
``/long``                   one event of :data:`LONG_SIZE` bytes of data, then ``after``
``/pings``                  ``first``, comment pings every 50 ms for 0.3 s, ``second``
``/reconnect/<n>``          ``n`` events with ids following the ``Last-Event-ID``
                            request header (0 when absent), then the end of the body
``POST /chat/completions``  an OpenRouter-shaped chat stream of :data:`CHAT_PIECES`
                            (a keepalive comment first, ``data: [DONE]`` last); the
                            client port of each request is kept in :data:`CHAT_PORTS`
                            under the request's ``model``
==========================  ===================================================
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Final

import anyio
import uvicorn
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

__all__ = ["EVENTS", "LONG_SIZE", "StarletteServer", "app"]

#: (type, data, id) of each event of ``/events`` and ``/crlf``; sse-starlette
#: writes the data's line breaks as separate ``data:`` lines.
EVENTS: Final = (
    ("message", "one", "1"),
    ("update", "two", "2"),
    ("message", "three\nlines", "3"),
    ("message", "héllo — 世界", "4"),
)

#: The data size of ``/long``'s first event: 1 MiB.
LONG_SIZE: Final = 1024 * 1024

#: Ping interval of ``/pings``, in seconds.
PING_INTERVAL: Final = 0.05


def _sse(type_: str, data: str, id_: str) -> dict[str, Any]:
    # A dict, not a ServerSentEvent: sse-starlette encodes a dict with the
    # response's ``sep``, but a ServerSentEvent with its own (CRLF by default).
    return {"data": data, "event": None if type_ == "message" else type_, "id": id_}


async def _fixed_events() -> AsyncIterator[dict[str, Any]]:
    for type_, data, id_ in EVENTS:
        yield _sse(type_, data, id_)


async def events(request: Request) -> EventSourceResponse:
    return EventSourceResponse(_fixed_events(), ping=0, sep="\n")


async def crlf(request: Request) -> EventSourceResponse:
    return EventSourceResponse(_fixed_events(), ping=0, sep="\r\n")


async def long(request: Request) -> EventSourceResponse:
    async def generate() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(data="x" * LONG_SIZE, id="long")
        yield ServerSentEvent(data="after")

    return EventSourceResponse(generate(), ping=0)


async def pings(request: Request) -> EventSourceResponse:
    async def generate() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(data="first")
        await anyio.sleep(0.3)
        yield ServerSentEvent(data="second")

    return EventSourceResponse(generate(), ping=PING_INTERVAL)


async def reconnect(request: Request) -> EventSourceResponse:
    count = int(request.path_params["count"])
    last = request.headers.get("last-event-id", "0")
    start = int(last) if last.isdigit() else 0

    async def generate() -> AsyncIterator[ServerSentEvent]:
        for number in range(start + 1, start + count + 1):
            yield ServerSentEvent(data=f"event {number}", id=str(number))

    return EventSourceResponse(generate(), ping=0)


#: The content pieces of ``POST /chat/completions``.
CHAT_PIECES: Final = ("Lights ", "guide ", "ships.")

#: The client ports seen by ``POST /chat/completions``, by requested model:
#: one port for several requests means one reused connection.
CHAT_PORTS: Final[dict[str, list[int]]] = {}


async def chat(request: Request) -> EventSourceResponse:
    model = str((await request.json()).get("model"))
    CHAT_PORTS.setdefault(model, []).append(request.client.port if request.client else 0)

    async def generate() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(comment="OPENROUTER PROCESSING")
        for piece in CHAT_PIECES:
            chunk = {
                "id": "gen-s",
                "model": model,
                "choices": [{"index": 0, "delta": {"content": piece}}],
            }
            yield ServerSentEvent(data=json.dumps(chunk))
        yield ServerSentEvent(data="[DONE]")

    return EventSourceResponse(generate(), ping=0, sep="\n")


app: Final = Starlette(
    routes=[
        Route("/events", events),
        Route("/crlf", crlf),
        Route("/long", long),
        Route("/pings", pings),
        Route("/reconnect/{count:int}", reconnect),
        Route("/chat/completions", chat, methods=["POST"]),
    ]
)


class StarletteServer:
    """uvicorn serving :data:`app` (or ``application``) on a free port of
    127.0.0.1, in a thread.

    Use as a context manager (or call :meth:`start` and :meth:`stop`).
    """

    def __init__(self, application: Any = app) -> None:
        self.application = application
        self.port = 0
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        # Bind first, so the port is known before uvicorn starts.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.application,
            log_level="warning",
            lifespan="off",
            loop="asyncio",
            http="h11",
            ws="none",
            # A backstop only: every endpoint ends within a second.
            timeout_graceful_shutdown=5,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True
        )
        self._thread.start()
        deadline = 100  # 10 s in 0.1 s steps
        while not server.started:
            if not self._thread.is_alive() or deadline == 0:
                self.stop()
                raise RuntimeError("uvicorn did not start")
            deadline -= 1
            self._thread.join(0.1)

    def stop(self) -> None:
        """Ask uvicorn to exit, and wait for it."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(5)
            assert not self._thread.is_alive(), "uvicorn did not stop"
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> StarletteServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
