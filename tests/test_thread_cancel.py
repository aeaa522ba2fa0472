"""close() from another thread wakes a consumer blocked on the server, at once.

A GUI's Stop button runs in another thread than the loop reading the
stream. Against a loopback server that sends one event and then stays
silent (or closes and asks for a long reconnect wait), a consumer thread
blocks in ``for event in ...``; the main thread calls ``close()`` and the
consumer must end cleanly (no exception) within :data:`LIMIT` seconds: the
target is 100 ms, the bound is loose for a loaded machine. The measured
latencies are printed (``pytest -s``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from sseproto import Event

from .test_adapters_cancel import FIRST, StallServer, sync_client
from .test_adapters_memory import LoopbackServer

#: The bound asserted on the wake-up latency (the target is 0.1 s).
LIMIT = 0.5

KINDS = ["sync", "httpx"]


class Consumer:
    """Iterates ``items`` in a thread of its own; records what it got, how it
    ended and when."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items
        self.got: list[Any] = []
        self.first = threading.Event()
        self.error: BaseException | None = None
        self.ended_at = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for item in self.items:
                self.got.append(item)
                self.first.set()
        except BaseException as exc:
            self.error = exc
        finally:
            self.ended_at = time.monotonic()

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()


def stop_from_another_thread(consumer: Consumer, close: Callable[[], None]) -> float:
    """Wait until ``consumer`` blocks after its first item, call ``close`` and
    return how long the consumer took to end."""
    assert consumer.first.wait(10), "the first event never arrived"
    time.sleep(0.2)  # the consumer is now blocked waiting for the server
    started = time.monotonic()
    close()
    assert consumer.join(10), "close() from another thread did not wake the consumer"
    latency = consumer.ended_at - started
    print(f"woken after {latency * 1000:.1f} ms")
    return latency


@pytest.fixture
def stall() -> Iterator[StallServer]:
    server = StallServer()
    try:
        yield server
    finally:
        server.close()


@pytest.mark.parametrize("kind", KINDS)
def test_stream_close_from_another_thread_wakes_the_reader(stall: StallServer, kind: str) -> None:
    """EventStream.close() from another thread ends a blocked for loop at once, cleanly."""
    with sync_client(kind) as client:
        stream = client.stream("GET", stall.url)
        consumer = Consumer(stream)
        latency = stop_from_another_thread(consumer, stream.close)
        assert consumer.error is None
        assert consumer.got == [FIRST]
        assert latency < LIMIT
        assert stall.wait_closed()
        assert list(stream) == []


@pytest.mark.parametrize("kind", KINDS)
def test_subscription_close_from_another_thread_wakes_the_reader(
    stall: StallServer, kind: str
) -> None:
    """Subscription.close() from another thread ends a read blocked on the server."""
    with sync_client(kind) as client:
        subscription = client.subscribe(stall.url)
        consumer = Consumer(subscription)
        latency = stop_from_another_thread(consumer, subscription.close)
        assert consumer.error is None
        assert consumer.got == [FIRST]
        assert latency < LIMIT
        assert stall.wait_closed()


class RetryLaterServer:
    """Answers each request with one event and ``retry: 30000``, then ends
    the body: a subscription then waits 30 s before it reconnects."""

    def __init__(self) -> None:
        self.requests = 0
        self._server = LoopbackServer(self._handle)
        self.url = self._server.url("/events")

    def _handle(self, conn: socket.socket, head: bytes) -> None:
        self.requests += 1
        body = b"retry: 30000\nid: 1\ndata: first\n\n"
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )

    def close(self) -> None:
        self._server.close()


@pytest.mark.parametrize("kind", KINDS)
def test_subscription_close_from_another_thread_ends_the_reconnect_wait(kind: str) -> None:
    """Subscription.close() from another thread ends its wait before reconnecting."""
    server = RetryLaterServer()
    try:
        with sync_client(kind) as client:
            subscription = client.subscribe(server.url)
            consumer = Consumer(subscription)
            latency = stop_from_another_thread(consumer, subscription.close)
            assert consumer.error is None
            assert consumer.got == [Event("message", "first", "1")]
            assert latency < LIMIT
            assert server.requests == 1
    finally:
        server.close()


@pytest.mark.parametrize("kind", KINDS)
def test_close_from_another_thread_between_reads(stall: StallServer, kind: str) -> None:
    """close() from another thread while no read is under way closes at once too."""
    with sync_client(kind) as client:
        stream = client.stream("GET", stall.url)
        assert next(stream) == FIRST
        closer = threading.Thread(target=stream.close)
        closer.start()
        closer.join(10)
        assert stall.wait_closed()
        assert list(stream) == []
