"""A real ``redis-server`` in a child process, for the Redis Streams backend tests.

The server listens on a free loopback port, in a temporary directory, with
persistence off (``--save '' --appendonly no``). The session fixture
``redis_server`` starts one for the whole session and always stops it; each
test uses its own stream key (:meth:`RedisServer.new_key`).
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest

from .external import require_program

__all__ = ["RedisServer", "redis_server_fixture", "wait_or_kill"]

#: How long the server may take to accept connections, in seconds.
START_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """``redis-server`` on ``127.0.0.1:port`` until :meth:`close`."""

    def __init__(self, program: str) -> None:
        self._program = program
        self._directory = tempfile.TemporaryDirectory(prefix="sseproto-redis-")
        self._keys = itertools.count(1)
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        try:
            # A port found free can be taken before the server binds it: try a few.
            for _ in range(3):
                if self._start():
                    return
            raise RuntimeError("redis-server did not start")
        except BaseException:
            self.close()
            raise

    def _start(self) -> bool:
        self.port = _free_port()
        command = [
            self._program,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", self._directory.name,
        ]  # fmt: skip
        self._process = process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._process = None
                return False
            if _ping(self.port):
                return True
            time.sleep(0.02)
        return False

    @property
    def url(self) -> str:
        """The ``redis://`` URL of the server (database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def new_key(self) -> str:
        """A stream key no other test of the session uses."""
        return f"sseproto-test-{next(self._keys)}"

    def close(self) -> None:
        """Stop the server and remove its directory."""
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            wait_or_kill(process)
        self._directory.cleanup()


def wait_or_kill(process: subprocess.Popen[bytes]) -> None:
    """Wait up to 10 seconds for ``process`` to exit, then kill it."""
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session", name="redis_server")
def redis_server_fixture() -> Iterator[RedisServer]:
    """One ``redis-server`` for the session (skipped, or failed under
    ``SSEPROTO_REQUIRE_SERVERS=1``, when the program is missing)."""
    with contextlib.closing(RedisServer(require_program("redis-server"))) as server:
        yield server
