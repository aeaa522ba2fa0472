"""One connection of the mock server: reading requests and writing responses through h11."""

from __future__ import annotations

import http
import select
import socket
import threading
import time
from collections.abc import Sequence
from typing import Any, Final

import h11

from ._render import dumps, error_body

__all__ = ["MAX_REQUEST_BODY", "POLL", "Disconnected", "Responder", "read_request"]

#: Largest request body accepted (16 MiB); a larger one drops the connection.
MAX_REQUEST_BODY: Final = 16 * 1024 * 1024

#: How often blocked loops look at the stop flag (seconds). stop() also
#: shuts connection sockets down, which wakes a blocked recv() at once.
POLL: Final = 0.05


class Disconnected(Exception):
    """The client went away, or the server is stopping: drop the connection."""


def read_request(sock: socket.socket, conn: h11.Connection) -> tuple[h11.Request | None, bytes]:
    """The next request on ``conn`` and its whole body, or ``(None, b"")`` when the client is done.

    Raises:
        Disconnected: the body is larger than ``MAX_REQUEST_BODY``.
        h11.ProtocolError: the client broke HTTP/1.1.
        OSError: reading the socket failed.
    """
    request: h11.Request | None = None
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = sock.recv(65536)
            if not data and request is None and not conn.trailing_data[0]:
                return None, b""
            conn.receive_data(data)
        elif isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > MAX_REQUEST_BODY:
                raise Disconnected
        elif isinstance(event, h11.EndOfMessage):
            return request, bytes(body)
        elif isinstance(event, h11.ConnectionClosed):
            return None, b""
        else:  # PAUSED cannot happen before the response; anything else ends it
            return None, b""


class Responder:
    """Writes one connection's responses through h11, honouring the stop flag.

    Every method raises ``Disconnected`` when the server is stopping or the
    client has gone. The ``send_*`` methods write a whole response and
    return ``True``: the connection may serve another request.
    """

    def __init__(self, sock: socket.socket, conn: h11.Connection, stop: threading.Event) -> None:
        self.sock = sock
        self.conn = conn
        self.stop = stop

    def _write(self, data: bytes) -> None:
        if self.stop.is_set():
            raise Disconnected
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise Disconnected from exc

    def head(self, status: int, headers: Sequence[tuple[str, str]]) -> None:
        """The status line and ``headers``."""
        reason = _reason(status).encode()
        event = h11.Response(status_code=status, headers=list(headers), reason=reason)
        self._write(self.conn.send(event) or b"")

    def data(self, payload: bytes) -> None:
        """Body bytes (nothing for an empty ``payload``)."""
        if payload:
            self._write(self.conn.send(h11.Data(data=payload)) or b"")

    def end(self) -> None:
        """The end of the body."""
        self._write(self.conn.send(h11.EndOfMessage()) or b"")

    def raw(self, payload: bytes) -> None:
        """Bytes outside h11's framing (a deliberately short body); the connection must close."""
        self._write(payload)

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or raise ``Disconnected`` as soon as the server stops."""
        if self.stop.wait(seconds):
            raise Disconnected

    def stall(self, seconds: float) -> None:
        """Wait until the client closes, the server stops, or ``seconds`` pass."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self.stop.is_set():
                raise Disconnected
            readable, _, _ = select.select([self.sock], [], [], min(POLL, remaining))
            if not readable:
                continue
            try:
                peeked = self.sock.recv(1, socket.MSG_PEEK)
            except OSError as exc:
                raise Disconnected from exc
            if not peeked:
                raise Disconnected
            # The client sent more bytes while we stall: keep ignoring them.
            self.sleep(POLL)
        raise Disconnected

    def send_body(
        self,
        status: int,
        body: bytes,
        content_type: str,
        extra: Sequence[tuple[str, str]] = (),
    ) -> bool:
        """A whole response with ``Content-Length``: head, ``body``, end."""
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            *extra,
        ]
        self.head(status, headers)
        self.data(body)
        self.end()
        return True

    def send_json(self, status: int, payload: Any, extra: Sequence[tuple[str, str]] = ()) -> bool:
        """A whole ``application/json`` response carrying ``payload``."""
        return self.send_body(status, dumps(payload), "application/json", extra)

    def send_error(self, status: int, message: str) -> bool:
        """A whole response with OpenRouter's error body, ``code`` being ``status``."""
        return self.send_body(status, error_body(status, message), "application/json")


def _reason(status: int) -> str:
    """The reason phrase of ``status``; ``"Overloaded"`` for Anthropic's 529, which
    ``http.HTTPStatus`` does not list, and ``""`` for any other unlisted code."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Overloaded" if status == 529 else ""
