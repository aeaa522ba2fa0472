"""A broadcast hub served by the front ends: EventStreamResponse under uvicorn
(AsyncHub) and hypercorn's trio worker (TrioHub), and the built-in asyncio
and trio servers, read by the project's own clients."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import trio

from sseproto import Event, EventHistory, Hub, ServerEvent, SlowClientPolicy
from sseproto.adapters._runtime import running
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client
from sseproto.adapters.trio import Client as TrioClient
from sseproto.http import IncomingRequest
from sseproto.server._hub_driver import HubDriver
from sseproto.server.asgi import EventStreamResponse
from sseproto.server.asyncio import AsyncHub
from sseproto.server.asyncio import serve as serve_asyncio
from sseproto.server.trio import TrioHub
from sseproto.server.trio import serve as serve_trio

from .servers.serving import HypercornThread, RawClient
from .servers.starlette_app import StarletteServer

#: One hub per test (the query's ``t``), made in the server's own loop.
HUBS: dict[str, HubDriver[Any]] = {}


def _hub(token: str) -> HubDriver[Any]:
    hub = HUBS.get(token)
    if hub is None:
        core = Hub(history=EventHistory(max_events=100), keepalive=0.2)
        hub = HUBS[token] = TrioHub(core) if running() == "trio" else AsyncHub(core)
    return hub


async def _reply(send: Any, status: int, body: bytes = b"") -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def hub_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """``/events`` subscribes to the token's hub; ``/publish?data=`` publishes
    (204), ``/count`` answers the number of subscribers, ``/close`` closes the hub."""
    query = parse_qs(scope.get("query_string", b"").decode())
    hub = _hub(query["t"][0])
    path = scope["path"]
    if path == "/events":
        await EventStreamResponse(hub, send_timeout=2.0)(scope, receive, send)
    elif path == "/publish":
        hub.publish(query["data"][0])
        await _reply(send, 204)
    elif path == "/count":
        await _reply(send, 200, str(hub.subscribers).encode())
    else:
        hub.close()
        await _reply(send, 204)


class _HubHypercorn(HypercornThread):
    async def body(self, wait_for_stop: Any) -> None:
        from hypercorn.config import Config  # noqa: PLC0415
        from hypercorn.trio import serve  # noqa: PLC0415

        config = Config()
        config.bind = ["127.0.0.1:0"]
        config.accesslog = config.errorlog = None
        config.graceful_timeout = 1.0
        async with trio.open_nursery() as nursery:
            binds = await nursery.start(
                lambda task_status: serve(
                    hub_app,  # type: ignore[arg-type]
                    config,
                    shutdown_trigger=wait_for_stop,
                    task_status=task_status,
                )
            )
            self.port = int(binds[0].rsplit(":", 1)[1])
            self.ready.set()


@pytest.fixture(scope="module", params=["uvicorn", "hypercorn-trio"], name="server")
def server_fixture(request: pytest.FixtureRequest) -> Iterator[Any]:
    server = StarletteServer(hub_app) if request.param == "uvicorn" else _HubHypercorn("trio")
    with server:
        yield server


def _get(client: Client, url: str) -> str:
    return client.request("GET", url).body.decode()


def _fields(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.data, e.id) for e in events]


def test_asgi_subscribers_get_every_published_event(server: Any) -> None:
    """Two subscribers each get every event published after they subscribed, with the hub's ids."""
    token = uuid.uuid4().hex
    with (
        Client() as client,
        client.stream("GET", server.url(f"/events?t={token}")) as first,
        client.stream("GET", server.url(f"/events?t={token}")) as second,
    ):
        assert first.header("content-type") == "text/event-stream; charset=utf-8"
        assert _get(client, server.url(f"/count?t={token}")) == "2"
        for data in ("a", "b", "c"):
            _get(client, server.url(f"/publish?t={token}&data={data}"))
        got = [[next(iter(stream)) for _ in range(3)] for stream in (first, second)]
    assert [_fields(events) for events in got] == [[("a", "1"), ("b", "2"), ("c", "3")]] * 2


def test_asgi_resume_from_the_hub_history(server: Any) -> None:
    """A Last-Event-ID in the hub's history replays what followed it, then live events."""
    token = uuid.uuid4().hex
    with Client() as client:
        for data in ("a", "b", "c"):
            _get(client, server.url(f"/publish?t={token}&data={data}"))
        url = server.url(f"/events?t={token}")
        with client.stream("GET", url, headers={"Last-Event-ID": "1"}) as stream:
            events = iter(stream)
            replayed = [next(events), next(events)]
            _get(client, server.url(f"/publish?t={token}&data=d"))
            live = next(events)
    assert _fields([*replayed, live]) == [("b", "2"), ("c", "3"), ("d", "4")]


def test_asgi_disconnect_unsubscribes(server: Any) -> None:
    """A client that goes away is unsubscribed from the hub promptly."""
    token = uuid.uuid4().hex
    with RawClient(server.port) as raw:
        raw.get(f"/events?t={token}")
        raw.read_until(b"\r\n\r\n")
        with Client() as client:
            assert _get(client, server.url(f"/count?t={token}")) == "1"
    deadline = time.monotonic() + 5
    with Client() as client:
        while _get(client, server.url(f"/count?t={token}")) != "0":
            assert time.monotonic() < deadline, "the subscriber was not removed"
            time.sleep(0.02)


def test_asgi_hub_close_ends_the_streams_cleanly(server: Any) -> None:
    """Closing the hub ends each stream after its queued events, as a normal end of body."""
    token = uuid.uuid4().hex
    with Client() as client, client.stream("GET", server.url(f"/events?t={token}")) as stream:
        _get(client, server.url(f"/publish?t={token}&data=last"))
        _get(client, server.url(f"/close?t={token}"))
        events = list(stream)  # ends without an error: the body ended properly
    assert _fields(events) == [("last", "1")]


def test_a_sans_io_hub_or_stream_options_are_refused() -> None:
    """A bare Hub needs a driver; a hub's subscribers take the hub's options."""
    with pytest.raises(TypeError, match="driver"):
        EventStreamResponse(Hub())  # type: ignore[arg-type]  # the mistake checked here
    with pytest.raises(ValueError, match="hub's options"):
        EventStreamResponse(AsyncHub(), keepalive=1.0)


async def _builtin_scenario(hub: HubDriver[Any], serve: Any, client_class: Any) -> None:
    def handler(request: IncomingRequest) -> HubDriver[Any] | None:
        return hub if request.path == "/events" else None

    sleep = trio.sleep if running() == "trio" else asyncio.sleep
    async with serve(handler) as server, client_class() as client:
        for data in ("a", "b"):
            hub.publish(data)
        url = server.url("/events")
        async with client.stream("GET", url, headers={"Last-Event-ID": "1"}) as stream:
            replayed = await anext(stream)
            hub.publish("c")
            live = await anext(stream)
            assert hub.subscribers == 1
            hub.publish("d")
            hub.close()
            rest = [event async for event in stream]
        assert _fields([replayed, live, *rest]) == [("b", "2"), ("c", "3"), ("d", "4")]
        for _ in range(100):
            if hub.subscribers == 0:
                break
            await sleep(0.01)
        assert hub.subscribers == 0


def _history_hub() -> Hub:
    return Hub(history=EventHistory(max_events=100), keepalive=0.2)


def test_builtin_asyncio_server_serves_a_hub() -> None:
    """The built-in asyncio server subscribes a request to the hub its handler returns."""
    asyncio.run(_builtin_scenario(AsyncHub(_history_hub()), serve_asyncio, AsyncioClient))


def test_builtin_trio_server_serves_a_hub() -> None:
    """The built-in trio server does the same with a TrioHub."""
    trio.run(_builtin_scenario, TrioHub(_history_hub()), serve_trio, TrioClient)


def test_a_slow_subscriber_is_dropped_and_its_connection_closed() -> None:
    """With DROP, a client that stops reading is dropped by the hub's policy once
    its queue passes max_pending; the server closes its connection and the
    other subscribers go on."""
    hub = AsyncHub(Hub(max_pending=64 * 1024, slow_client=SlowClientPolicy.DROP, keepalive=None))
    payload = "x" * 8192
    events = 500  # 4 MB: more than the socket buffers and max_pending hold

    def handler(request: IncomingRequest) -> AsyncHub:
        return hub

    async def main() -> None:
        async with serve_asyncio(handler) as server, AsyncioClient() as client:
            # A client with a small receive buffer that stops reading after the head.
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", server.port))
            reader, writer = await asyncio.open_connection(sock=sock)
            writer.write(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            await reader.readuntil(b"\r\n\r\n")
            async with client.stream("GET", server.url("/events")) as stream:
                while hub.subscribers < 2:
                    await asyncio.sleep(0.01)
                received = 0
                for index in range(events):
                    hub.publish(payload, id=str(index))
                    event = await anext(stream)  # the reading subscriber keeps up
                    assert event.id == str(index)
                    received += 1
                    await asyncio.sleep(0)
                assert received == events
                async with asyncio.timeout(5):  # the slow one was dropped
                    while hub.subscribers != 1:
                        await asyncio.sleep(0.01)
            # The slow client's connection was closed by the server.
            async with asyncio.timeout(5):
                while await reader.read(65536):
                    pass
            writer.close()
            await writer.wait_closed()

    asyncio.run(main())


def test_sending_an_event_the_hub_cannot_encode_is_refused() -> None:
    """ServerEvent checks apply to what a hub publishes too."""
    hub = AsyncHub()
    with pytest.raises(Exception, match="CR or LF"):
        hub.publish("x", type="bad\ntype")
    assert ServerEvent("ok").data == "ok"


def test_published_bytes_go_out_directly_while_the_connection_keeps_up() -> None:
    """A parked subscriber whose front end can write at once gets each event
    written from publish() itself, without being woken; when the front end
    cannot take bytes now, the subscriber is woken and yields them."""
    hub = AsyncHub(Hub(keepalive=None))

    async def main() -> None:
        async with hub.subscribe() as subscription:
            written: list[bytes] = []

            def direct() -> bool:
                written.append(subscription.stream.data_to_send())
                return True

            subscription.direct = direct
            woken = asyncio.ensure_future(anext(subscription))
            await asyncio.sleep(0)  # parked
            hub.publish("a")
            hub.publish("b")
            await asyncio.sleep(0)
            assert not woken.done()
            assert written == [b"data: a\n\n", b"data: b\n\n"]
            subscription.direct = lambda: False  # the connection would wait
            hub.publish("c")
            assert await woken == b"data: c\n\n"

    asyncio.run(main())
