"""proxy.py (from PyPI), a forward HTTP proxy nobody here wrote, run in a
child process on 127.0.0.1.

It forwards ``http://`` requests sent in absolute form and opens ``CONNECT``
tunnels; with ``basic_auth="user:password"`` it answers ``407`` to every
request without those credentials. :class:`ProxyPy` starts it on a free
port (``--port 0 --port-file``) and stops it on leaving, within seconds.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Final

__all__ = ["ProxyPy"]

#: The longest proxy.py may take to listen.
START_LIMIT: Final = 30.0


class ProxyPy:
    """proxy.py on 127.0.0.1, in a child process; a context manager.

    ``port`` is where it listens; :meth:`url` its URL, with credentials
    when given.
    """

    def __init__(self, *, basic_auth: str | None = None) -> None:
        self.basic_auth = basic_auth
        self.port = 0
        self._dir = tempfile.TemporaryDirectory()
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, credentials: str | None = None) -> str:
        """``http://[credentials@]127.0.0.1:port``."""
        user = "" if credentials is None else f"{credentials}@"
        return f"http://{user}127.0.0.1:{self.port}"

    def __enter__(self) -> ProxyPy:
        port_file = Path(self._dir.name) / "port"
        command = [
            sys.executable,
            "-m",
            "proxy",
            "--hostname",
            "127.0.0.1",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--num-acceptors",
            "1",
            "--num-workers",
            "1",
            "--log-level",
            "ERROR",
        ]
        if self.basic_auth is not None:
            command += ["--basic-auth", self.basic_auth]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self._dir.name
        )
        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self.stop()
                raise RuntimeError("proxy.py exited before it listened")
            text = port_file.read_text() if port_file.exists() else ""
            if text.strip().isdigit() and self._listening(int(text)):
                self.port = int(text)
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"proxy.py did not listen within {START_LIMIT} s")

    @staticmethod
    def _listening(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the child process (SIGTERM, then SIGKILL) and remove its files."""
        process = self._process
        if process is not None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        with contextlib.suppress(OSError):
            self._dir.cleanup()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
