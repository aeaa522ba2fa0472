"""The streaming WSGI body: on its own, then served by waitress (a threaded WSGI
server nobody here wrote) and read by the project's clients."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sseproto import Event, ServerEvent
from sseproto.adapters import IncompleteBody
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client
from sseproto.server.wsgi import EventStreamApp, EventStreamBody

from .servers.serving import BIG, EVENTS, RawClient, WaitressThread, probe

# -- the body on its own ------------------------------------------------------------


def test_the_body_yields_the_stream_bytes_and_ends_with_the_source() -> None:
    """Iterating the body gives the retry hint and each event; the thread ends with it."""
    body = EventStreamBody(["a", ServerEvent("b", id="2")], retry=1000)
    assert list(body) == [b"retry: 1000\n", b"data: a\n\n", b"id: 2\ndata: b\n\n"]
    assert body.thread is not None
    body.thread.join(5)
    assert not body.thread.is_alive()
    assert body.stream.last_event_id == "2"


def test_a_keepalive_goes_out_while_the_source_is_slow() -> None:
    """A source that takes longer than the keepalive interval lets a comment out first."""
    release = threading.Event()

    def slow() -> Iterator[str]:
        release.wait(10)
        yield "late"

    body = EventStreamBody(slow(), keepalive=0.05, keepalive_text="ka")
    assert next(body) == b": ka\n"
    release.set()
    assert next(body) == b"data: late\n\n"
    body.close()


def test_close_stops_the_producer_and_closes_the_source() -> None:
    """close() mid-stream closes the source in its thread and joins the thread."""
    closed = threading.Event()

    def endless() -> Iterator[str]:
        try:
            while True:
                yield "x"
        finally:
            closed.set()

    body = EventStreamBody(endless())
    assert next(body) == b"data: x\n\n"
    body.close()
    assert closed.is_set()
    assert body.thread is not None
    assert not body.thread.is_alive()
    assert list(body) == []


def test_an_error_of_the_source_is_raised_from_next() -> None:
    """The source's exception reaches the server's thread; the producer ends."""

    def broken() -> Iterator[str]:
        yield "one"
        raise KeyError("boom")

    body = EventStreamBody(broken())
    assert next(body) == b"data: one\n\n"
    with pytest.raises(KeyError, match="boom"):
        next(body)
    assert body.thread is not None
    assert not body.thread.is_alive()


def test_the_app_reads_last_event_id_and_calls_the_factory() -> None:
    """EventStreamApp passes HTTP_LAST_EVENT_ID to the factory and starts the response."""
    started: list[Any] = []

    def factory(last_event_id: str | None) -> list[str]:
        return [f"after {last_event_id}"]

    app = EventStreamApp(factory, headers=[("X-A", "b")])
    body = app({"HTTP_LAST_EVENT_ID": "9"}, lambda *args: started.append(args))
    assert list(body) == [b"data: after 9\n\n"]
    status, headers = started[0]
    assert status == "200 OK"
    assert ("Content-Type", "text/event-stream; charset=utf-8") in headers
    assert headers[-1] == ("X-A", "b")


# -- under waitress ----------------------------------------------------------------


@pytest.fixture(scope="module", name="server")
def server_fixture() -> Iterator[WaitressThread]:
    with WaitressThread() as server:
        yield server


def _token() -> str:
    return uuid.uuid4().hex


def _fields(events: list[Event]) -> list[tuple[str, str, str]]:
    return [(e.type, e.data, e.id) for e in events]


def _ended(record: Any, timeout: float = 5) -> bool:
    """The body was closed, the source too, and its thread has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        threads_done = all(not thread.is_alive() for thread in record.threads)
        if record.returned.is_set() and record.closed.is_set() and threads_done:
            return True
        time.sleep(0.02)
    return False


def test_events_arrive_event_for_event(server: WaitressThread) -> None:
    """Every event arrives with its type, data and id; the producer thread ends."""
    token = _token()
    with Client() as client, client.stream("GET", server.url(f"/events?t={token}")) as stream:
        assert stream.header("content-type") == "text/event-stream; charset=utf-8"
        assert _fields(list(stream)) == list(EVENTS)
    assert _ended(probe(token))


def test_the_asyncio_client_reads_the_same_events(server: WaitressThread) -> None:
    """The asyncio client reads the same events."""
    url = server.url(f"/events?t={_token()}")

    async def read() -> list[Event]:
        async with AsyncioClient() as client, client.stream("GET", url) as stream:
            return [event async for event in stream]

    assert _fields(asyncio.run(read())) == list(EVENTS)


def test_resume_replays_the_history_after_last_event_id(server: WaitressThread) -> None:
    """HTTP_LAST_EVENT_ID 2 replays 3 and 4 from the history, then the live event."""
    url = server.url(f"/resume?t={_token()}")
    with Client() as client, client.stream("GET", url, headers={"Last-Event-ID": "2"}) as stream:
        assert _fields(list(stream)) == [*EVENTS[2:], ("message", "live", "5")]


def test_keepalives_arrive_and_a_disconnect_ends_the_producer(server: WaitressThread) -> None:
    """An idle stream gets keepalive comments; once the client goes, the body is
    closed, and the source is closed as soon as it yields again."""
    token = _token()
    record = probe(token)
    with Client() as client:
        url = server.url(f"/idle?t={token}")
        with client.stream("GET", url, comments=True) as stream:
            items = iter(stream)
            first = next(items)
            assert isinstance(first, Event)
            assert first.data == "ready"
            assert [next(items).__class__.__name__ for _ in range(3)] == ["Comment"] * 3
    assert record.returned.wait(5), "waitress did not close the body"
    assert not record.closed.is_set()  # the blocking source has not yielded yet
    record.release.set()
    assert _ended(record)


def test_a_client_that_stops_reading_stops_the_source(server: WaitressThread) -> None:
    """A client that stops reading leaves the source waiting (bounded memory); its
    disconnect then ends the producer."""
    token = _token()
    record = probe(token)
    with RawClient(server.port, receive_buffer=4096) as raw:
        raw.get(f"/endless?t={token}")
        assert record.started.wait(5)
        time.sleep(1.0)
        produced = record.produced
        time.sleep(0.5)
        assert record.produced == produced, "the source was not held back"
    # waitress buffers output up to outbuf_high_watermark (16 MiB) before it
    # makes the application wait.
    assert record.produced * BIG < 40 * 1024 * 1024
    assert _ended(record, timeout=10)


def test_an_error_of_the_source_cuts_the_body_short(server: WaitressThread) -> None:
    """A source that raises ends the connection without the body's end."""
    token = _token()
    with (
        Client() as client,
        client.stream("GET", server.url(f"/boom?t={token}")) as stream,
        pytest.raises(IncompleteBody),
    ):
        for _ in stream:
            pass
    assert _ended(probe(token))
