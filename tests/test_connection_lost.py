"""A server killed in the middle of a body is one ``except ConnectionLost``
away, on every transport and whichever layer noticed the loss.

The server is a separate Python process that sends a response head and one
event, then waits; the test reads the event, kills the process (SIGKILL, as
a crash or an OOM kill would) and reads on. The kernel then closes the
server's socket: with a FIN when the server had read the whole request (the
HTTP framing notices the body was cut: ``IncompleteBody``), with a reset
when request bytes were left unread (the OS reports it: ``ReadError``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from sseproto import Event
from sseproto.adapters import (
    ConnectionLost,
    HTTPProtocolError,
    IncompleteBody,
    NoResponse,
    ReadError,
    Timeouts,
    TransportError,
)
from sseproto.adapters.httpx import Client as HttpxClient
from sseproto.adapters.sync import Client as SyncClient

# One connection: read the request head (and, with "fin", the body too),
# answer with a chunked event stream holding one event, then wait to be
# killed. The port goes to stdout.
SERVER = r"""
import socket, sys, time
mode = sys.argv[1]
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)
conn, _ = listener.accept()
data = b""
while b"\r\n\r\n" not in data:
    data += conn.recv(65536)
if mode == "fin":
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += conn.recv(65536)
conn.sendall(
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
    b"10\r\ndata: before\n\n\r\n"
)
time.sleep(60)
"""

# Unread by a "rst" server: the kernel resets the connection on the kill.
BODY = b"x" * 4096

SAFE = Timeouts(connect=5, read=10)


class KilledServer:
    """The server process, killed on demand (and always at the end)."""

    def __init__(self, mode: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, mode], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.url = f"http://127.0.0.1:{self.process.stdout.readline().strip()}/events"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture(params=["fin", "rst"])
def killed_server(request: pytest.FixtureRequest) -> Iterator[KilledServer]:
    server = KilledServer(request.param)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.kill()
        elif server.process.stdout is not None and not server.process.stdout.closed:
            server.process.stdout.close()


@pytest.fixture(params=["sockets", "httpx"])
def client(request: pytest.FixtureRequest) -> Iterator[SyncClient | HttpxClient]:
    if request.param == "sockets":
        with SyncClient(timeouts=SAFE) as sockets:
            yield sockets
    else:
        with httpx.Client() as http, HttpxClient(http, timeouts=SAFE) as over_httpx:
            yield over_httpx


def test_killed_server_is_connection_lost(
    client: SyncClient | HttpxClient, killed_server: KilledServer
) -> None:
    """A server killed mid-body raises a ConnectionLost (a TransportError),
    after the event that arrived before."""
    items: list[Event] = []
    error: BaseException | None = None
    try:
        with client.stream("POST", killed_server.url, body=BODY) as stream:
            for event in stream:
                items.append(event)
                killed_server.kill()
    except ConnectionLost as exc:
        error = exc
    assert [event.data for event in items] == ["before"]
    assert isinstance(error, TransportError)
    # How it was noticed: the framing (a FIN) or the OS (a reset); the
    # framing's error stays an HTTP protocol error as well.
    assert isinstance(error, (IncompleteBody, ReadError)), repr(error)
    if isinstance(error, IncompleteBody):
        assert isinstance(error, HTTPProtocolError)


def test_connection_lost_tree() -> None:
    """ReadError and the incomplete-response errors are all ConnectionLost,
    itself a TransportError; timeouts are not."""
    from sseproto.adapters import (  # noqa: PLC0415
        ConnectError,
        IncompleteResponse,
        NoResponse,
        Timeout,
    )

    for kind in (ReadError, IncompleteResponse, NoResponse, IncompleteBody):
        assert issubclass(kind, ConnectionLost), kind
    assert issubclass(ConnectionLost, TransportError)
    assert not issubclass(Timeout, ConnectionLost)
    assert not issubclass(ConnectError, ConnectionLost)


# A server that reads the request head, then closes without a byte of response.
SILENT_CLOSE = r"""
import socket
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)
conn, _ = listener.accept()
data = b""
while b"\r\n\r\n" not in data:
    data += conn.recv(65536)
conn.close()
"""


@pytest.mark.parametrize("transport", ["sockets", "httpx"])
def test_server_that_closes_before_answering_is_connection_lost(transport: str) -> None:
    """A connection closed before any byte of a response is a ConnectionLost
    (NoResponse) on every transport, not a bare protocol error."""
    with subprocess.Popen(
        [sys.executable, "-c", SILENT_CLOSE], stdout=subprocess.PIPE, text=True
    ) as server:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}/events"
        limits = Timeouts(connect=5, read=5)
        with httpx.Client() as http:
            client = (
                HttpxClient(http, timeouts=limits)
                if transport == "httpx"
                else SyncClient(timeouts=limits)
            )
            with client, pytest.raises(ConnectionLost) as caught:
                client.stream("GET", url)
        server.wait(timeout=10)
    assert isinstance(caught.value, NoResponse)
    assert isinstance(caught.value, TransportError)
