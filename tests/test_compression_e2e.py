"""Compressed responses end to end, on every adapter.

A real server nobody here wrote compresses: uvicorn serving a Starlette
app behind Starlette's ``GZipMiddleware`` (which compresses only when the
request's ``Accept-Encoding`` names gzip), for a JSON body and for an event
stream. The fault server (tests/servers/faults.py, ``/coded``) sends what no
honest server does: a 10 GiB gzip bomb, a corrupt body, a truncated one.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from typing import Any, Final

import pytest
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from openrouter import OpenRouter
from sseproto import Event, LineTooLong
from sseproto.adapters import BodyTooLarge, ContentDecodingError, Response
from sseproto.adapters.sync import Client as SyncClient
from sseproto.http import accept_encoding
from tests.servers.faults import FaultServer
from tests.servers.starlette_app import StarletteServer
from tests.test_adapter_scenarios import SAFE, AsyncRunner, Runner, StreamCall, SyncRunner, target

from .hostile._redirect_servers import runner_fixture  # noqa: F401 (the fixture, by name)

#: The JSON body of ``/models`` (and OpenRouter's ``/api/v1/models``): about 100 KB.
MODELS: Final = {"data": [{"id": f"vendor/model-{n}", "context_length": n} for n in range(2500)]}

#: The events of ``/events``; sse-starlette writes them, GZipMiddleware
#: compresses and flushes each one.
EVENTS: Final = [(f"event {n}", str(n)) for n in range(20)]


#: The Accept-Encoding of each request to ``/api/v1/models``.
asked_encodings: list[str | None] = []


async def _models(request: Request) -> JSONResponse:
    return JSONResponse(MODELS)


async def _api_models(request: Request) -> JSONResponse:
    asked_encodings.append(request.headers.get("accept-encoding"))
    return JSONResponse(MODELS)


async def _events(request: Request) -> EventSourceResponse:
    async def generate() -> AsyncIterator[ServerSentEvent]:
        for data, id_ in EVENTS:
            yield ServerSentEvent(data=data, id=id_)

    return EventSourceResponse(generate(), ping=0, sep="\n")


#: Everything compressed from 100 bytes on, event streams included (excluded
#: by default, so that only a client that asks gets one).
COMPRESSED: Final = GZipMiddleware(
    Starlette(
        routes=[
            Route("/models", _models),
            Route("/api/v1/models", _api_models),
            Route("/events", _events),
        ]
    ),
    minimum_size=100,
    exclude_content_types=(),
)


@pytest.fixture(scope="module", name="gzip_server")
def gzip_server_fixture() -> Iterator[StarletteServer]:
    with StarletteServer(COMPRESSED) as server:
        yield server


def request_with(runner: Runner, url: str, **options: Any) -> Response | Exception:
    """``client.request("GET", url, **options)`` on a fresh client of
    ``runner``'s adapter: the response, or the exception raised."""
    if isinstance(runner, SyncRunner):
        try:
            with runner._client(None) as client:
                response: Response = client.request("GET", url, timeouts=SAFE, **options)
                return response
        except Exception as exc:
            return exc

    assert isinstance(runner, AsyncRunner)

    async def main() -> Response | Exception:
        try:
            async with runner._client(None) as client:
                response: Response = await client.request("GET", url, timeouts=SAFE, **options)
                return response
        except Exception as exc:
            return exc

    result: Response | Exception = runner._run(main)
    return result


# -- a real server that compresses -------------------------------------------------


def test_starlette_gzip_json(runner: Runner, gzip_server: StarletteServer) -> None:
    """request() asks for gzip; GZipMiddleware's gzip JSON comes back decoded."""
    response = request_with(runner, gzip_server.url("/models"))
    assert isinstance(response, Response), response
    assert response.header("content-encoding") == "gzip"
    assert json.loads(response.body) == MODELS


def test_starlette_identity_when_asked(runner: Runner, gzip_server: StarletteServer) -> None:
    """A caller's Accept-Encoding: identity turns compression off."""
    response = request_with(
        runner, gzip_server.url("/models"), headers=[("Accept-Encoding", "identity")]
    )
    assert isinstance(response, Response), response
    assert response.header("content-encoding") is None
    assert json.loads(response.body) == MODELS


def test_starlette_gzip_event_stream(runner: Runner, gzip_server: StarletteServer) -> None:
    """An event stream the caller asked to compress is decoded as it arrives."""
    call = StreamCall(gzip_server.url("/events"), headers=[("Accept-Encoding", "gzip")])
    outcome = runner.stream(call).ok()
    assert dict(outcome.headers).get("content-encoding") == "gzip"
    assert outcome.events() == [Event("message", data, id_) for data, id_ in EVENTS]


def test_starlette_event_stream_not_compressed_by_default(
    runner: Runner, gzip_server: StarletteServer
) -> None:
    """A stream asks for identity, so the same server sends it uncompressed."""
    outcome = runner.stream(StreamCall(gzip_server.url("/events"))).ok()
    assert "content-encoding" not in dict(outcome.headers)
    assert len(outcome.events()) == len(EVENTS)


def test_openrouter_request_decodes_gzip(gzip_server: StarletteServer) -> None:
    """OpenRouter(...).request() (a non-streaming call) asks for gzip and reads
    the gzip answer."""
    asked_encodings.clear()
    with OpenRouter(api_key="sk-or-test", base_url=gzip_server.url("/api/v1")) as client:
        assert client.request("GET", "models") == MODELS
    assert asked_encodings == [accept_encoding()]


# -- a hostile server ------------------------------------------------------------------


def test_bomb_request_stops_at_the_limit(runner: Runner, fault_server: FaultServer) -> None:
    """A 10 GiB gzip bomb raises BodyTooLarge at max_body_size decoded bytes,
    within seconds, long before the server sent its 10 MB."""
    url = fault_server.url(f"/coded?kind=bomb&type=application/json&runner={runner.name}")
    started = time.monotonic()
    error = request_with(runner, url, max_body_size=4 << 20)
    assert isinstance(error, BodyTooLarge), error
    assert (error.limit, error.value) == ("max_body_size", 4 << 20)
    assert time.monotonic() - started < 10
    request = fault_server.wait_for_request(target(url))
    assert request.disconnected.wait(10)
    assert request.sent < 8 << 20


def test_bomb_stream_hits_the_line_limit(runner: Runner, fault_server: FaultServer) -> None:
    """A gzip bomb as an event stream raises LineTooLong at max_line_size."""
    url = fault_server.url(f"/coded?kind=bomb&runner={runner.name}&tag=stream")
    outcome = runner.stream(StreamCall(url))
    assert isinstance(outcome.error, LineTooLong), outcome.error
    assert outcome.items == []


def test_bomb_memory_stays_small(fault_server: FaultServer) -> None:
    """Reading the 10 GiB bomb to a 1 MiB limit peaks at a few MiB (tracemalloc)."""
    url = fault_server.url("/coded?kind=bomb&type=application/json&tag=memory")
    with SyncClient() as client:
        tracemalloc.start()
        try:
            with pytest.raises(BodyTooLarge):
                client.request("GET", url, timeouts=SAFE, max_body_size=1 << 20)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 6 << 20


@pytest.mark.parametrize("kind", ["corrupt", "truncated"])
def test_bad_gzip_request(runner: Runner, fault_server: FaultServer, kind: str) -> None:
    """A corrupt or truncated gzip body raises ContentDecodingError from request()."""
    error = request_with(runner, fault_server.url(f"/coded?kind={kind}&type=application/json"))
    assert isinstance(error, ContentDecodingError), error
    assert error.coding == "gzip"


@pytest.mark.parametrize("kind", ["corrupt", "truncated"])
def test_bad_gzip_stream(runner: Runner, fault_server: FaultServer, kind: str) -> None:
    """A corrupt or truncated gzip event stream raises ContentDecodingError."""
    url = fault_server.url(f"/coded?kind={kind}&runner={runner.name}")
    outcome = runner.stream(StreamCall(url))
    assert isinstance(outcome.error, ContentDecodingError), outcome.error


def test_gzip_stream_sent_anyway_is_decoded(runner: Runner, fault_server: FaultServer) -> None:
    """A server that compresses a stream the client asked as identity is decoded."""
    url = fault_server.url(f"/coded?runner={runner.name}&tag=anyway")
    outcome = runner.stream(StreamCall(url)).ok()
    assert [event.data for event in outcome.events()] == ["one", "two", "three\nlines"]
    assert fault_server.wait_for_request(target(url)).header("Accept-Encoding") == "identity"


def test_request_sends_one_accept_encoding(runner: Runner, fault_server: FaultServer) -> None:
    """request() sends accept_encoding() once, on every adapter (httpx's default
    is replaced, not added to), and decodes the gzip it gets."""
    url = fault_server.url(f"/coded?type=application/json&runner={runner.name}&tag=accept")
    response = request_with(runner, url)
    assert isinstance(response, Response), response
    assert response.body.startswith(b"retry: 2000\n")
    request = fault_server.wait_for_request(target(url))
    values = [value for name, value in request.headers if name.lower() == "accept-encoding"]
    assert values == [accept_encoding()]
