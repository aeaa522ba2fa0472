"""Servers and helpers for the hostile redirect and fault tests.

:class:`AlwaysRedirect` answers every request, whatever its path, with a
redirect to one fixed ``Location``; it serves clients that build their own
paths (the openrouter client). The fault server's ``/redirect-to``,
``/coded`` and ``/retry-zero`` scenarios (tests/servers/faults.py) serve the
rest. The ``runner`` fixture runs each test on every adapter, with the
runners of tests/test_adapter_scenarios.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.servers.faults import FaultServer
from tests.test_adapter_scenarios import RUNNERS, AsyncRunner, Runner, SyncRunner

__all__ = ["AlwaysRedirect", "call_with_client", "redirect_to", "runner_fixture"]


@pytest.fixture(params=RUNNERS, ids=[runner.name for runner in RUNNERS], name="runner")
def runner_fixture(request: pytest.FixtureRequest) -> Runner:
    """Each adapter in turn: sync, httpx, asyncio, trio, httpx on asyncio and on trio."""
    result: Runner = request.param
    return result


def redirect_to(server: FaultServer, location: str | None, **params: object) -> str:
    """The fault server's URL that redirects to ``location`` verbatim."""
    query: dict[str, object] = dict(params)
    if location is not None:
        query["location"] = location
    return server.url("/redirect-to?" + urlencode(query))


def call_with_client(runner: Runner, call: Callable[[Any], object]) -> BaseException | None:
    """Call ``call(client)`` with a fresh client of ``runner``'s adapter, in
    its runtime, without iterating what it returns; the exception it raised."""
    if isinstance(runner, SyncRunner):
        try:
            with runner._client(None) as client:
                call(client)
        except Exception as exc:
            return exc
        return None
    assert isinstance(runner, AsyncRunner)

    async def main() -> BaseException | None:
        try:
            async with runner._client(None) as client:
                call(client)
        except Exception as exc:
            return exc
        return None

    result: BaseException | None = runner._run(main)
    return result


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _redirect(self) -> None:
        self.server.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(302)
        self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    do_GET = do_POST = _redirect

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests check the responses."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    location = ""
    requests = 0


class AlwaysRedirect:
    """A loopback server that answers every request with ``302`` to ``location``
    (sent verbatim). A context manager; :attr:`url` is its base URL."""

    def __init__(self, location: str) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.location = location
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def requests(self) -> int:
        """How many requests it answered."""
        return self._server.requests

    def __enter__(self) -> AlwaysRedirect:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
