"""A hostile loopback server: it answers every request with bytes built from
the request's own API key, so that tests can check the client never shows
the key back.

``HostileServer(reply)`` listens on 127.0.0.1; for each connection it reads
the request head and body, takes the token after ``Bearer `` and writes
``reply(key)``: a list of byte strings (written in order) and floats
(seconds to wait, or until the client leaves). The connection is closed
after the last step. The connections are served by
:class:`tests.hostile.servers.HostileServer`, each on a thread of its own,
and each wait is cut short when the server stops.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence

from tests.hostile import servers

Step = bytes | float
Reply = Callable[[str], Sequence[Step]]

#: How long a step may wait at most (seconds), so a test never hangs.
MAX_WAIT = 5.0


class HostileServer:
    """Answers each request with ``reply(key)``; see the module docstring.

    A behaviour of :class:`tests.hostile.servers.HostileServer`, which
    serves the connections."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self._server = servers.HostileServer(self._behaviour)

    def __enter__(self) -> HostileServer:
        self._server.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        return f"{self._server.url}/api/v1"

    def _behaviour(self, peer: servers.Peer, index: int) -> None:
        del index
        head = peer.read_request().partition(b"\r\n\r\n")[0]
        key = ""
        for line in head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "authorization":
                key = value.strip().removeprefix("Bearer ")
        for step in self.reply(key):
            if isinstance(step, bytes):
                peer.send(step)
            else:
                # Wait that long, or until the client leaves.
                with contextlib.suppress(servers.Gone):
                    peer.wait_for_close(min(step, MAX_WAIT))


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
