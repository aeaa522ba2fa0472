"""Loopback HTTP/1.1 servers that attack a client's connection handling.

:class:`HostileServer` accepts connections on 127.0.0.1 and runs one
*behaviour* per connection on its own thread: a function given a
:class:`Peer` (the accepted socket, with request reading and the ways a
connection can die) and the connection's index (0, 1, ... in accept order).
Every request line the server reads is recorded, so a test can count how
many times a request reached it.

Each behaviour ends when its script ends, when the client goes away, or
when the server stops: :meth:`HostileServer.stop` shuts every socket down
and joins every thread. Nothing runs for more than :data:`LIMIT` seconds.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final

__all__ = [
    "FAULTS",
    "LIMIT",
    "OK_BODY",
    "Behaviour",
    "HostileServer",
    "Peer",
    "continue_flood",
    "framing_drip",
    "head_drip",
    "keepalive_then",
    "unsolicited_response",
]

#: The longest any behaviour runs, in seconds.
LIMIT: Final = 20.0

#: How a pooled connection dies on its second request (see :func:`keepalive_then`).
FAULTS: Final = ("close-before", "close-reading", "close-after", "reset", "half-close")

_MAX_HEAD: Final = 64 * 1024


#: What every well-behaved answer carries: a body that decodes as an
#: (empty) OpenRouter model list.
OK_BODY: Final = b'{"data": []}'


def ok(body: bytes = OK_BODY) -> bytes:
    """A keep-alive response with Content-Length."""
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
        len(body),
        body,
    )


class Gone(Exception):
    """The client closed the connection, or the server is stopping."""


class Peer:
    """One accepted connection, from the server's side."""

    def __init__(self, sock: socket.socket, server: HostileServer) -> None:
        self.sock = sock
        self.server = server
        self.buffer = bytearray()

    def _fill(self, limit: float = LIMIT) -> None:
        deadline = time.monotonic() + limit
        while not self.server.stopping.is_set():
            if time.monotonic() > deadline:
                raise Gone("waited too long")
            readable, _, _ = select.select([self.sock], [], [], 0.05)
            if readable:
                data = self.sock.recv(65536)
                if not data:
                    raise Gone("the client closed the connection")
                self.buffer += data
                return
        raise Gone("the server is stopping")

    def read_head(self) -> bytes:
        """The next request's head (without the blank line); records its request line."""
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            if len(self.buffer) > _MAX_HEAD:
                raise Gone("request head too long")
            self._fill()
        head = bytes(self.buffer[:end])
        del self.buffer[: end + 4]
        self.server.record(head.split(b"\r\n", 1)[0].decode("latin-1"))
        return head

    def read_request(self) -> bytes:
        """The next request's head and body (by Content-Length)."""
        head = self.read_head()
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(self.buffer) < length:
            self._fill()
        body = bytes(self.buffer[:length])
        del self.buffer[:length]
        return head + b"\r\n\r\n" + body

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise Gone(str(exc)) from exc

    def pause(self, seconds: float) -> None:
        if self.server.stopping.wait(seconds):
            raise Gone("the server is stopping")

    def drip(self, data: bytes, interval: float) -> None:
        """Send ``data`` repeatedly, ``interval`` seconds apart, until the
        client goes away (or :data:`LIMIT` passes)."""
        deadline = time.monotonic() + LIMIT
        while time.monotonic() < deadline:
            self.send(data)
            self.pause(interval)

    def wait_for_close(self, limit: float = LIMIT) -> None:
        """Read and discard until the client closes the connection, for at
        most ``limit`` seconds (then :class:`Gone`)."""
        deadline = time.monotonic() + limit
        while True:
            self._fill(max(deadline - time.monotonic(), 0.0))
            self.buffer.clear()

    def reset(self) -> None:
        """Close with a TCP RST (SO_LINGER with a zero timeout)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Behaviour = Callable[[Peer, int], None]


def serve_ok(peer: Peer) -> None:
    """Answer every request with a small keep-alive response."""
    while True:
        peer.read_request()
        peer.send(ok())


def keepalive_then(fault: str) -> Behaviour:
    """The first connection answers its first request (keep-alive), then
    dies as ``fault`` says on the next request; later connections answer
    every request.

    ``close-before``: closes right after the first response; ``close-reading``:
    reads the next request's head only, then closes; ``close-after``: reads
    the whole next request, then closes; ``reset``: the same with an RST;
    ``half-close``: the same with ``shutdown(SHUT_WR)``, reading on.
    """
    if fault not in FAULTS:
        raise ValueError(fault)

    def behaviour(peer: Peer, index: int) -> None:
        if index > 0:
            serve_ok(peer)
        peer.read_request()
        peer.send(ok())
        if fault == "close-before":
            peer.sock.close()
        elif fault == "close-reading":
            peer.read_head()
            peer.sock.close()
        else:
            peer.read_request()
            if fault == "close-after":
                peer.sock.close()
            elif fault == "reset":
                peer.reset()
            else:
                peer.sock.shutdown(socket.SHUT_WR)
                peer.wait_for_close()

    return behaviour


#: What :func:`unsolicited_response` sends unasked.
UNSOLICITED: Final = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL"


def unsolicited_response(peer: Peer, index: int) -> None:
    """Answers the first request, then, while the connection idles, sends a
    response nobody asked for (:data:`UNSOLICITED`); later connections
    answer every request."""
    if index > 0:
        serve_ok(peer)
    peer.read_request()
    peer.send(ok())
    peer.pause(0.05)
    peer.send(UNSOLICITED)
    serve_ok(peer)


def head_drip(interval: float) -> Behaviour:
    """A status line, then one header byte every ``interval`` seconds: the
    head never ends."""

    def behaviour(peer: Peer, index: int) -> None:
        peer.read_request()
        peer.send(b"HTTP/1.1 200 OK\r\nX-Drip: ")
        peer.drip(b"a", interval)

    return behaviour


def continue_flood(interval: float) -> Behaviour:
    """``100 Continue`` responses, ``interval`` seconds apart (0: as fast as
    the client reads), never the final response."""

    def behaviour(peer: Peer, index: int) -> None:
        peer.read_request()
        peer.drip(b"HTTP/1.1 100 Continue\r\n\r\n", interval)

    return behaviour


def framing_drip(interval: float) -> Behaviour:
    """An event stream head (chunked), then a chunk-size line whose
    extension gains one byte every ``interval`` seconds: bytes keep
    arriving, none of them body."""

    def behaviour(peer: Peer, index: int) -> None:
        peer.read_request()
        peer.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n1;ext="
        )
        peer.drip(b"x", interval)

    return behaviour


class HostileServer:
    """A loopback server running ``behaviour`` on each accepted connection.

    A context manager: entering starts it, leaving stops it. ``url`` is its
    base URL; :meth:`count` tells how many request lines it read.
    """

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.stopping = threading.Event()
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def record(self, request_line: str) -> None:
        with self._lock:
            self.requests.append(request_line)

    def count(self, method: str, path: str | None = None) -> int:
        """How many requests with ``method`` (and ``path``, if given) arrived."""
        with self._lock:
            lines = list(self.requests)
        return sum(
            1
            for line in lines
            if line.split(" ")[0] == method and (path is None or line.split(" ")[1] == path)
        )

    def _accept_loop(self) -> None:
        index = 0
        while not self.stopping.is_set():
            readable, _, _ = select.select([self._listener], [], [], 0.05)
            if not readable:
                continue
            sock, _ = self._listener.accept()
            with self._lock:
                self._socks.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock, index), daemon=True)
            self._threads.append(thread)
            thread.start()
            index += 1

    def _serve(self, sock: socket.socket, index: int) -> None:
        try:
            self.behaviour(Peer(sock, self), index)
        except (Gone, OSError):
            pass
        finally:
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self) -> HostileServer:
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._threads.insert(0, thread)
        thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        # The accept loop first: no connection is added after it ends.
        self._threads[0].join(5)
        with self._lock:
            socks = list(self._socks)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in self._threads[1:]:
            thread.join(5)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.close()
        self._listener.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
