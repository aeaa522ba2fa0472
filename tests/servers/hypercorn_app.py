"""sse-starlette endpoints served over HTTP/2 by hypercorn, in a background thread.

A real HTTP/2 server nobody here wrote (hypercorn speaks HTTP/2 with the
h2 library, HTTP/1.1 with h11), with TLS certificates from trustme
(:mod:`.tls`): ALPN offers ``h2`` and ``http/1.1``, or ``http/1.1`` only; on
plain TCP it accepts HTTP/2 with prior knowledge (h2c).

==========================  ===================================================
``/events?n=N&delay=S``     ``N`` events ``0`` .. ``N-1`` (data ``event <i>``,
``&size=B``                 padded with dots to ``B`` characters, id ``<i>``),
                            ``S`` seconds apart
==========================  ===================================================

Each request's client port and protocol are kept in
:attr:`HypercornServer.requests`: the distinct ports are the TCP connections
used.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import tempfile
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config
from sse_starlette import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from .tls import _server_cert

__all__ = ["HypercornServer"]


class HypercornServer:
    """hypercorn serving the endpoints above on a free port of 127.0.0.1.

    Arguments:
        tls: serve HTTPS (certificates from :mod:`.tls`), else plain TCP.
        alpn: the protocols ALPN may pick, in the server's order.
        max_streams: the server's ``SETTINGS_MAX_CONCURRENT_STREAMS``.
        max_requests: after this many requests on a connection, the server
            sends ``GOAWAY`` (hypercorn's ``keep_alive_max_requests``).
    """

    def __init__(
        self,
        *,
        tls: bool = True,
        alpn: tuple[str, ...] = ("h2", "http/1.1"),
        max_streams: int = 100,
        max_requests: int = 1000,
    ) -> None:
        self.tls = tls
        self.port = 0
        #: (client port, HTTP version) of each request, in arrival order.
        self.requests: list[tuple[int, str]] = []
        #: The method of each request, in arrival order.
        self.methods: list[str] = []
        self._alpn = list(alpn)
        self._max_streams = max_streams
        self._max_requests = max_requests
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._files = tempfile.TemporaryDirectory()
        self.app = Starlette(routes=[Route("/events", self._events, methods=["GET", "POST"])])

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def connections(self) -> int:
        """How many TCP connections carried the requests so far."""
        return len({port for port, _ in self.requests})

    async def _events(self, request: Request) -> EventSourceResponse:
        client = request.scope.get("client") or ("", 0)
        self.requests.append((client[1], request.scope.get("http_version", "")))
        self.methods.append(request.method)
        count = int(request.query_params.get("n", "3"))
        delay = float(request.query_params.get("delay", "0"))
        size = int(request.query_params.get("size", "0"))

        async def items() -> AsyncIterator[dict[str, Any]]:
            for index in range(count):
                if delay and index:
                    await asyncio.sleep(delay)
                yield {"data": f"event {index}".ljust(size, "."), "id": str(index)}

        return EventSourceResponse(items(), sep="\n", ping=600)

    def start(self) -> None:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.alpn_protocols = self._alpn
        config.h2_max_concurrent_streams = self._max_streams
        config.keep_alive_max_requests = self._max_requests
        config.graceful_timeout = 1.0
        config.accesslog = None
        config.errorlog = None
        if self.tls:
            cert = _server_cert()
            certfile = Path(self._files.name, "cert.pem")
            keyfile = Path(self._files.name, "key.pem")
            cert.cert_chain_pems[0].write_to_path(str(certfile))
            cert.private_key_pem.write_to_path(str(keyfile))
            config.certfile, config.keyfile = str(certfile), str(keyfile)
        self._thread = threading.Thread(
            target=self._run, args=(config,), name="hypercorn", daemon=True
        )
        self._thread.start()
        if not self._started.wait(10):
            self.stop()
            raise RuntimeError("hypercorn did not start")
        # Wait until the port accepts connections.
        for _ in range(100):
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 1),
            ):
                return
            threading.Event().wait(0.05)
        self.stop()
        raise RuntimeError("hypercorn does not accept connections")

    def _run(self, config: Config) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._started.set()
            await serve(self.app, config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

        asyncio.run(main())

    def stop(self) -> None:
        """Ask hypercorn to exit, and wait for it."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)
            assert not self._thread.is_alive(), "hypercorn did not stop"
        self._files.cleanup()

    def __enter__(self) -> HypercornServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
