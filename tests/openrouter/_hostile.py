"""A hostile loopback server: it answers every request with bytes built from
the request's own API key, so that tests can check the client never shows
the key back.

``HostileServer(reply)`` listens on 127.0.0.1; for each connection it reads
the request head and body, takes the token after ``Bearer `` and writes
``reply(key)``: a list of byte strings (written in order) and floats
(seconds to wait, or until the client leaves). The connection is closed
after the last step. Connections are served one at a time, the server stops
within 50 ms of ``__exit__``, and each wait is cut short when it stops.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Sequence

Step = bytes | float
Reply = Callable[[str], Sequence[Step]]

#: How long a step may wait at most (seconds), so a test never hangs.
MAX_WAIT = 5.0


class HostileServer:
    """Answers each request with ``reply(key)``; see the module docstring."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        #: The request targets seen, in order.
        self.targets: list[str] = []

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(MAX_WAIT + 1)
        self._listener.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            with sock, contextlib.suppress(OSError):
                sock.settimeout(MAX_WAIT)
                key = self._read_request(sock)
                for step in self.reply(key):
                    if isinstance(step, bytes):
                        sock.sendall(step)
                    else:
                        self._wait(sock, step)

    def _read_request(self, sock: socket.socket) -> str:
        data = b""
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                break
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        self.targets.append(parts[1] if len(parts) > 1 else "")
        key, length = "", 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "authorization":
                key = value.strip().removeprefix("Bearer ")
            elif name.strip().lower() == "content-length":
                length = int(value.strip())
        while len(body) < length:
            more = sock.recv(65536)
            if not more:
                break
            body += more
        return key

    def _wait(self, sock: socket.socket, seconds: float) -> None:
        """Wait ``seconds`` (at most MAX_WAIT), or until the client leaves or the server stops."""
        sock.settimeout(0.05)
        waited = 0.0
        while waited < min(seconds, MAX_WAIT) and not self._stop.is_set():
            try:
                if not sock.recv(65536):
                    return
            except TimeoutError:
                waited += 0.05
        sock.settimeout(MAX_WAIT)


def escaped(key: str) -> str:
    """``key`` as JSON string content with every ``-`` and ``/`` escaped
    (``\\u002d``, ``\\/``): the same string once parsed, other bytes on the wire."""
    return key.replace("-", "\\u002d").replace("/", "\\/")


def response(
    status: int,
    body: bytes,
    *,
    reason: str = "Whatever",
    headers: Sequence[tuple[str, str]] = (),
    raw_headers: bytes = b"",
    content_type: str = "application/json",
) -> bytes:
    """One whole HTTP/1.1 response (``Connection: close``)."""
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers)
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    return head.encode("latin-1") + raw_headers + b"\r\n" + body


def error_body(key: str, status: int) -> bytes:
    """An OpenRouter error body that names the key in the message (plainly),
    in the metadata (JSON-escaped) and as an object key."""
    e = escaped(key)
    text = (
        f'{{"error": {{"code": {status}, "message": "invalid key {key}", '
        f'"metadata": {{"raw": "upstream said: key={e}", "headers": {{"authorization": '
        f'"Bearer {e}"}}, "{e}": 1, "provider_name": "P {key}"}}}}}}'
    )
    json.loads(text)  # the body is valid JSON
    return text.encode()


def stream_head(extra: bytes = b"") -> bytes:
    """The head of a 200 event stream with a chunked body... sent as a close-delimited body."""
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n"
        + extra
        + b"\r\n"
    )


def sse(payload: str) -> bytes:
    """One ``data:`` event."""
    return f"data: {payload}\n\n".encode()
