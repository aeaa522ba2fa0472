"""The request arguments httpx users pass: ``headers`` as a mapping or pairs,
``json=``, ``params=`` and a ``str`` body, on ``stream()``, ``request()`` and
``subscribe()`` of every client, checked before any I/O and seen on the
wire as documented."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import trio

from sseproto import Event, LocalProtocolError
from sseproto.adapters import Timeouts
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.httpx import AsyncClient as HttpxAsyncClient
from sseproto.adapters.httpx import Client as HttpxClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.adapters.trio import Client as TrioClient
from sseproto.http import PreparedRequest, prepare_request
from tests.servers.faults import FaultServer

URL = "http://127.0.0.1:8000/events"
SAFE = Timeouts(connect=10, read=10)


# -- prepare_request ----------------------------------------------------------------------


def test_headers_as_mapping_or_pairs() -> None:
    """A mapping and the same pairs give the same headers, in order."""
    by_mapping = prepare_request("GET", URL, headers={"X-A": "1", "X-B": "2"})
    by_pairs = prepare_request("GET", URL, headers=[("X-A", "1"), ("X-B", "2")])
    assert by_mapping == by_pairs
    assert by_mapping.headers == (("X-A", "1"), ("X-B", "2"))


def test_json_is_compact_utf8_with_content_type() -> None:
    """json= is compact UTF-8 JSON with Content-Type: application/json."""
    request = prepare_request("POST", URL, json={"text": "café ✓", "n": [1, 2]})
    assert request.body == '{"text":"café ✓","n":[1,2]}'.encode()
    assert request.headers == (("Content-Type", "application/json"),)


def test_json_keeps_a_given_content_type() -> None:
    """A caller's Content-Type (any case) is kept, not doubled."""
    request = prepare_request(
        "POST", URL, headers={"content-type": "application/vnd.api+json"}, json=[]
    )
    assert request.headers == (("content-type", "application/vnd.api+json"),)
    assert request.body == b"[]"


def test_str_body_is_utf8() -> None:
    """A str body is sent encoded as UTF-8; bytes-like bodies become bytes."""
    assert prepare_request("POST", URL, body="é").body == b"\xc3\xa9"
    assert prepare_request("POST", URL, body=bytearray(b"ab")).body == b"ab"
    assert prepare_request("POST", URL, body=memoryview(b"ab")).body == b"ab"


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (URL, {"q": "a b&c", "n": 1}, f"{URL}?q=a%20b%26c&n=1"),
        (URL, [("k", "1"), ("k", "2")], f"{URL}?k=1&k=2"),
        (URL, {"k": ["1", "2"], "on": True, "off": False}, f"{URL}?k=1&k=2&on=true&off=false"),
        (f"{URL}?a=1", {"b": "2"}, f"{URL}?a=1&b=2"),
        (f"{URL}?", {"b": "2"}, f"{URL}?b=2"),
        (f"{URL}#top", {"b": "é/"}, f"{URL}?b=%C3%A9%2F#top"),
        (URL, {}, URL),
    ],
)
def test_params_are_appended_percent_encoded(url: str, params: Any, expected: str) -> None:
    """params= are percent-encoded and appended to the URL's query, before a fragment."""
    assert prepare_request("GET", url, params=params).url == expected


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"body": b"x", "json": {}}, TypeError),
        ({"headers": "X-A: 1"}, TypeError),
        ({"headers": [("X-A", 1)]}, TypeError),
        ({"body": 5}, TypeError),
        ({"params": "a=1"}, TypeError),
        ({"params": {"a": None}}, TypeError),
        ({"params": [("a",)]}, TypeError),
        ({"json": {"n": float("nan")}}, ValueError),
        ({"json": {1, 2}}, TypeError),
        ({"headers": {"X-A": "a\r\nb"}}, LocalProtocolError),
    ],
)
def test_bad_arguments_refused(options: dict[str, Any], error: type[Exception]) -> None:
    """Wrong arguments raise at once: both body and json is a TypeError."""
    with pytest.raises(error):
        prepare_request("POST", URL, **options)


# -- every client, on the wire ---------------------------------------------------------------

CALL: dict[str, Any] = {
    "headers": {"X-Trace": "t1"},
    "json": {"prompt": "héllo"},
    "params": {"q": "a b"},
}


def _seen(server: FaultServer) -> None:
    request = server.requests_to("/echo?q=a%20b")[-1]
    assert request.method == "POST"
    assert request.target == "/echo?q=a%20b"
    assert request.header("X-Trace") == "t1"
    assert request.header("Content-Type") == "application/json"
    assert request.body == '{"prompt":"héllo"}'.encode()


def _echoed(events: list[Event]) -> dict[str, Any]:
    assert [event.type for event in events] == ["request", "body"]
    described: dict[str, Any] = json.loads(events[0].data)
    return described


@pytest.fixture(params=["sockets", "httpx"])
def sync_client(request: pytest.FixtureRequest) -> Iterator[SyncClient | HttpxClient]:
    if request.param == "sockets":
        with SyncClient(timeouts=SAFE) as sockets:
            yield sockets
    else:
        with httpx.Client() as http, HttpxClient(http, timeouts=SAFE) as over_httpx:
            yield over_httpx


@pytest.mark.parametrize("method", ["stream", "request", "subscribe"])
def test_sync_clients_send_the_options(
    fault_server: FaultServer, sync_client: SyncClient | HttpxClient, method: str
) -> None:
    """stream(), request() and subscribe() send headers, json and params as documented."""
    url = fault_server.url("/echo")
    if method == "stream":
        with sync_client.stream("POST", url, **CALL) as events:
            _echoed(list(events))
    elif method == "request":
        response = sync_client.request("POST", url, **CALL)
        assert response.status == 200
    else:
        with sync_client.subscribe(url, method="POST", **CALL) as subscription:
            _echoed([next(subscription), next(subscription)])
    _seen(fault_server)


def test_sync_client_refuses_before_any_io(fault_server: FaultServer) -> None:
    """Both body and json is a TypeError from the call itself, before any connection."""
    before = fault_server.connections
    with SyncClient() as client:
        for call in (
            lambda: client.stream("POST", fault_server.url("/echo"), body=b"x", json={}),
            lambda: client.subscribe(fault_server.url("/echo"), body=b"x", json={}),
        ):
            with pytest.raises(TypeError, match="body or json"):
                call()
        with pytest.raises(TypeError, match="body or json"):
            client.request("POST", fault_server.url("/echo"), body="x", json=1)
    assert fault_server.connections == before


async def _async_calls(client: Any, url: str) -> None:
    async with client.stream("POST", url, **CALL) as events:
        _echoed([event async for event in events])
    response = await client.request("POST", url, **CALL)
    assert response.status == 200
    async with client.subscribe(url, method="POST", **CALL) as subscription:
        _echoed([await anext(subscription), await anext(subscription)])
    with pytest.raises(TypeError, match="body or json"):
        client.stream("POST", url, body=b"x", json={})


def _seen_three(server: FaultServer) -> None:
    requests = server.requests_to("/echo?q=a%20b")[-3:]
    assert len(requests) == 3
    for request in requests:
        assert request.target == "/echo?q=a%20b"
        assert request.header("Content-Type") == "application/json"
        assert request.body == '{"prompt":"héllo"}'.encode()


def test_asyncio_client_sends_the_options(fault_server: FaultServer) -> None:
    """The asyncio client's stream(), request() and subscribe() take the same options."""

    async def main() -> None:
        async with AsyncioClient(timeouts=SAFE) as client:
            await _async_calls(client, fault_server.url("/echo"))

    asyncio.run(main())
    _seen_three(fault_server)


def test_trio_client_sends_the_options(fault_server: FaultServer) -> None:
    """The trio client's stream(), request() and subscribe() take the same options."""

    async def main() -> None:
        async with TrioClient(timeouts=SAFE) as client:
            await _async_calls(client, fault_server.url("/echo"))

    trio.run(main)
    _seen_three(fault_server)


def test_httpx_async_client_sends_the_options(fault_server: FaultServer) -> None:
    """The async httpx client's stream(), request() and subscribe() take the same options."""

    async def main() -> None:
        async with (
            httpx.AsyncClient() as http,
            HttpxAsyncClient(http, timeouts=SAFE) as client,
        ):
            await _async_calls(client, fault_server.url("/echo"))

    asyncio.run(main())
    _seen_three(fault_server)


def test_prepared_request_is_checked() -> None:
    """prepare_request returns the checked request the flows send."""
    assert prepare_request("GET", URL) == PreparedRequest("GET", URL, (), None)
