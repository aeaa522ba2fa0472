"""HTTP/2 against a real server nobody here wrote: hypercorn (h2), with TLS
certificates from trustme and ALPN, or h2c with prior knowledge, serving
sse-starlette streams (tests/servers/hypercorn_app.py).

The server records the client port of every request, so the number of TCP
connections a load used is counted where they arrive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import trio

from sseproto import Event
from sseproto.adapters import AsyncClient
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client
from sseproto.adapters.trio import Client as TrioClient
from sseproto.http import Origin

from .servers.hypercorn_app import HypercornServer
from .servers.tls import client_context


def events(count: int, size: int = 0) -> list[Event]:
    return [Event("message", f"event {i}".ljust(size, "."), str(i)) for i in range(count)]


@pytest.fixture
def server() -> Iterator[HypercornServer]:
    with HypercornServer() as running:
        yield running


@pytest.fixture
def h2c_server() -> Iterator[HypercornServer]:
    with HypercornServer(tls=False) as running:
        yield running


def _connections(client: Any, server: HypercornServer) -> int:
    """The HTTP/2 connections the client keeps to the server."""
    origin = Origin.from_url(server.url())
    return len(client._h2pool.connections(origin))


# -- one stream ------------------------------------------------------------------------------


def test_sync_stream_over_tls(server: HypercornServer) -> None:
    """The blocking client negotiates h2 by ALPN and reads a stream."""
    with (
        Client(ssl_context=client_context(), http2=True) as client,
        client.stream("GET", server.url("/events?n=3")) as stream,
    ):
        assert stream.http_version == "HTTP/2"
        assert list(stream) == events(3)
    assert server.requests[0][1] == "2"


async def _one_stream(client: Any, url: str) -> list[Event]:
    async with client, client.stream("GET", url) as stream:
        assert stream.http_version == "HTTP/2"
        return [event async for event in stream]


def test_asyncio_stream_over_tls(server: HypercornServer) -> None:
    """The asyncio client negotiates h2 by ALPN and reads a stream."""
    client = AsyncioClient(ssl_context=client_context(), http2=True)
    assert asyncio.run(_one_stream(client, server.url("/events?n=3"))) == events(3)


def test_trio_stream_over_tls(server: HypercornServer) -> None:
    """The trio client (through AsyncClient) negotiates h2 by ALPN and reads a stream."""
    client = AsyncClient(ssl_context=client_context(), http2=True)
    assert trio.run(_one_stream, client, server.url("/events?n=3")) == events(3)


def test_h2c_prior_knowledge(h2c_server: HypercornServer) -> None:
    """With prior knowledge an http:// origin is spoken to in HTTP/2 at once."""
    with Client(http2_prior_knowledge=True) as client:
        response = client.request("GET", h2c_server.url("/events?n=2"))
        assert response.http_version == "HTTP/2"
        assert response.body.count(b"data: ") == 2
    assert h2c_server.requests[0][1] == "2"


def test_http11_without_http2(server: HypercornServer) -> None:
    """Without http2= the client speaks HTTP/1.1 to the same server."""
    with Client(ssl_context=client_context()) as client:
        response = client.request("GET", server.url("/events?n=1"))
    assert response.http_version == "HTTP/1.1"
    assert server.requests[0][1] == "1.1"


def test_a_context_shared_with_an_http2_client(server: HypercornServer) -> None:
    """A caller's context that offers h2 (an HTTP/2 client set ALPN on it, or
    the caller did) works for a client without http2= too: when the server
    picks h2 it is spoken, rather than HTTP/1.1 bytes sent to an HTTP/2 peer."""
    context = client_context()
    with Client(ssl_context=context, http2=True) as first:
        assert first.request("GET", server.url("/events?n=1")).http_version == "HTTP/2"
    for client in (Client(ssl_context=context), AsyncioClient(ssl_context=context)):
        if isinstance(client, Client):
            with client:
                response = client.request("GET", server.url("/events?n=2"))
        else:
            response = asyncio.run(_request_once(client, server.url("/events?n=2")))
        assert response.http_version == "HTTP/2"
        assert response.body.count(b"data: ") == 2


async def _request_once(client: AsyncioClient, url: str) -> Any:
    async with client:
        return await client.request("GET", url)


def test_alpn_fallback_to_http11() -> None:
    """A TLS server that picks http/1.1 gets HTTP/1.1 on the same connection, then reuse."""
    with (
        HypercornServer(alpn=("http/1.1",)) as server,
        Client(ssl_context=client_context(), http2=True) as client,
    ):
        for _ in range(2):
            with client.stream("GET", server.url("/events?n=2")) as stream:
                assert stream.http_version == "HTTP/1.1"
                assert list(stream) == events(2)
        assert server.connections() == 1
        assert [version for _, version in server.requests] == ["1.1", "1.1"]


# -- multiplexing ----------------------------------------------------------------------------


def test_sync_streams_read_alternately(server: HypercornServer) -> None:
    """Streams opened from one thread share one connection and are read in turn."""
    with Client(ssl_context=client_context(), http2=True) as client:
        streams = [client.stream("GET", server.url("/events?n=5&size=3000")) for _ in range(5)]
        iterators = [iter(stream) for stream in streams]
        got: list[list[Event]] = [[] for _ in streams]
        for _ in range(5):
            for index, iterator in enumerate(iterators):
                got[index].append(next(iterator))
        for stream in streams:
            stream.close()
        assert got == [events(5, 3000)] * 5
        assert server.connections() == 1


async def _many(client: Any, url: str, count: int) -> list[list[Event]]:
    async def one() -> list[Event]:
        async with client.stream("GET", url) as stream:
            return [event async for event in stream]

    return list(await asyncio.gather(*(one() for _ in range(count))))


def test_asyncio_fifty_streams_one_connection(server: HypercornServer) -> None:
    """50 concurrent streams to one origin use one TCP connection."""

    async def main() -> None:
        async with AsyncioClient(ssl_context=client_context(), http2=True) as client:
            results = await _many(client, server.url("/events?n=5&delay=0.01"), 50)
            assert results == [events(5)] * 50
            assert _connections(client, server) == 1

    asyncio.run(main())
    assert server.connections() == 1
    assert len(server.requests) == 50


def test_trio_fifty_streams_one_connection(server: HypercornServer) -> None:
    """50 concurrent trio streams to one origin use one TCP connection."""
    results: list[list[Event]] = []

    async def main() -> None:
        async with TrioClient(ssl_context=client_context(), http2=True) as client:

            async def one() -> None:
                async with client.stream("GET", server.url("/events?n=5&delay=0.01")) as stream:
                    results.append([event async for event in stream])

            async with trio.open_nursery() as nursery:
                for _ in range(50):
                    nursery.start_soon(one)

    trio.run(main)
    assert results == [events(5)] * 50
    assert server.connections() == 1


def test_slow_consumer_stalls_only_itself(server: HypercornServer) -> None:
    """A stream nobody reads (300 KB waiting) does not hold up its neighbours."""

    async def main() -> None:
        async with AsyncioClient(ssl_context=client_context(), http2=True) as client:
            slow_url = server.url("/events?n=300&size=1000")
            async with client.stream("GET", slow_url) as slow:
                first = await anext(aiter(slow))
                async with asyncio.timeout(10):
                    others = await _many(client, server.url("/events?n=200&size=1000"), 5)
                assert others == [events(200, 1000)] * 5
                rest = [event async for event in slow]
                assert [first, *rest] == events(300, 1000)
            assert _connections(client, server) == 1

    asyncio.run(main())


def test_cancel_one_stream_others_finish(server: HypercornServer) -> None:
    """Closing one stream mid-way resets it; the others on the connection finish."""

    async def main() -> None:
        async with AsyncioClient(ssl_context=client_context(), http2=True) as client:
            url = server.url("/events?n=20&delay=0.01")

            async def cancelled() -> list[Event]:
                async with client.stream("GET", url) as stream:
                    got = []
                    async for event in stream:
                        got.append(event)
                        if len(got) == 2:
                            break
                    return got

            async def whole() -> list[Event]:
                async with client.stream("GET", url) as stream:
                    return [event async for event in stream]

            results = await asyncio.gather(cancelled(), whole(), whole(), whole())
            assert list(results) == [events(2), *[events(20)] * 3]
            # The connection survives for the next stream.
            assert await _many(client, server.url("/events?n=1"), 1) == [events(1)]

    asyncio.run(main())
    assert server.connections() == 1


def test_server_stream_limit_opens_more_connections() -> None:
    """With SETTINGS_MAX_CONCURRENT_STREAMS=5, 20 concurrent streams use 4 connections."""
    with HypercornServer(max_streams=5) as server:

        async def main() -> None:
            async with AsyncioClient(ssl_context=client_context(), http2=True) as client:
                results = await _many(client, server.url("/events?n=3&delay=0.05"), 20)
                assert results == [events(3)] * 20

        asyncio.run(main())
        assert server.connections() == 4


def test_task_cancelled_while_reading_for_all(server: HypercornServer) -> None:
    """A task cancelled while it holds the connection's reading role frees it: the rest go on."""

    async def main() -> None:
        async with AsyncioClient(ssl_context=client_context(), http2=True) as client:
            url = server.url("/events?n=4&delay=0.1")

            async def read_all() -> list[Event]:
                async with client.stream("GET", url) as stream:
                    return [event async for event in stream]

            doomed = asyncio.ensure_future(read_all())
            survivors = [asyncio.ensure_future(read_all()) for _ in range(3)]
            await asyncio.sleep(0.15)
            doomed.cancel()
            with pytest.raises(asyncio.CancelledError):
                await doomed
            async with asyncio.timeout(10):
                results = await asyncio.gather(*survivors)
            assert list(results) == [events(4)] * 3

    asyncio.run(main())
    assert server.connections() == 1


def test_goaway_connection_not_reused() -> None:
    """After the server's GOAWAY (its request limit), the stream it answers completes and
    the next requests go on a new connection.

    Sequential on purpose: hypercorn (through h2) drops the whole connection when any frame
    arrives after its GOAWAY, cutting the streams it promised to finish; the retry of the
    streams above the last stream id is tested in memory (tests/test_http2.py)."""
    with (
        HypercornServer(max_requests=2) as server,
        Client(ssl_context=client_context(), http2=True) as client,
    ):
        for _ in range(5):
            with client.stream("GET", server.url("/events?n=2")) as stream:
                assert list(stream) == events(2)
        ports = [port for port, _ in server.requests]
        # hypercorn answers three requests on a connection with max_requests=2,
        # then sends GOAWAY; one more may be sent before the GOAWAY arrives,
        # and is then sent again (a GET) on the next connection.
        connections = list(dict.fromkeys(ports))
        assert len(connections) >= 2
        assert all(ports.count(port) <= 4 for port in connections)
        assert ports == sorted(ports, key=connections.index)  # never back to an old one


def test_trio_cancel_scope_mid_read(server: HypercornServer) -> None:
    """Under trio, a stream whose cancel scope fires mid-read is reset; the others finish."""
    results: list[list[Event]] = []

    async def main() -> None:
        async with TrioClient(ssl_context=client_context(), http2=True) as client:
            url = server.url("/events?n=4&delay=0.1")

            async def whole() -> None:
                async with client.stream("GET", url) as stream:
                    results.append([event async for event in stream])

            async def cut() -> None:
                with trio.move_on_after(0.15):
                    async with client.stream("GET", url) as stream:
                        async for _ in stream:
                            pass
                    raise AssertionError(
                        "the stream ended before its cancel scope"
                    )  # pragma: no cover

            async with trio.open_nursery() as nursery:
                nursery.start_soon(cut)
                for _ in range(3):
                    nursery.start_soon(whole)

    trio.run(main)
    assert results == [events(4)] * 3
    assert server.connections() == 1


# -- through a proxy ---------------------------------------------------------------------------


def test_http2_through_a_proxy_tunnel(server: HypercornServer) -> None:
    """An https:// origin reached through proxy.py's CONNECT tunnel still
    negotiates h2 by ALPN (after the tunnel opens), and two streams share
    the one tunnelled connection."""
    from .servers.proxypy import ProxyPy  # noqa: PLC0415 - only this test needs proxy.py

    async def two(proxy_url: str) -> tuple[list[list[Event]], int]:
        async def one(client: Any) -> list[Event]:
            async with client.stream("GET", server.url("/events?n=3")) as stream:
                assert stream.http_version == "HTTP/2"
                return [event async for event in stream]

        async with AsyncioClient(
            ssl_context=client_context(), http2=True, proxy=proxy_url
        ) as client:
            results = list(await asyncio.gather(one(client), one(client)))
            return results, _connections(client, server)

    with ProxyPy() as proxy:
        results, connections = asyncio.run(two(proxy.url()))
    assert connections == 1
    assert results == [events(3), events(3)]
    assert {version for _, version in server.requests} == {"2"}
    assert len({port for port, _ in server.requests}) == 1  # one TCP connection: the tunnel's


def test_plain_http_through_a_proxy_stays_http11(h2c_server: HypercornServer) -> None:
    """Prior knowledge does not apply behind a proxy: plain http:// goes to
    the proxy in absolute form, which is HTTP/1.1."""
    from .servers.proxypy import ProxyPy  # noqa: PLC0415 - only this test needs proxy.py

    with (
        ProxyPy() as proxy,
        Client(http2_prior_knowledge=True, proxy=proxy.url()) as client,
        client.stream("GET", h2c_server.url("/events?n=2")) as stream,
    ):
        assert stream.http_version == "HTTP/1.1"
        assert list(stream) == events(2)
