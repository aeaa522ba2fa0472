"""Shared pieces of the catalogue and account namespace tests: running one
operation on the blocking client or on the async client (asyncio or trio),
and checking a recorded request against the documented schema."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import trio

from openrouter import AsyncOpenRouter, OpenRouter
from openrouter.testing import MockOpenRouter
from openrouter.testing._records import RecordedRequest
from sseproto.adapters import Timeouts

KEY = "test-key-0123456789"
SAFE = Timeouts(connect=10.0, read=10.0)

#: The faces every operation is tested on; TRIO adds trio for a few.
FACES = pytest.mark.parametrize("face", ["sync", "asyncio"])
TRIO = pytest.mark.parametrize("face", ["sync", "asyncio", "trio"])

#: JSON types by name, as OpenAPI writes them.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}


@pytest.fixture(name="mock", scope="module")
def mock_fixture() -> Iterator[MockOpenRouter]:
    """One mock server for the test module."""
    with MockOpenRouter() as running:
        yield running


@pytest.fixture(name="server")
def server_fixture(mock: MockOpenRouter) -> MockOpenRouter:
    """The module's mock server with no recorded requests and no API keys."""
    mock.clear_requests()
    with mock._lock:
        mock.store.pop("keys", None)
    return mock


def run(face: str, server: MockOpenRouter, op: Callable[[Any], Any]) -> Any:
    """``op(client)`` on a client of ``server`` with the ``face``'s runtime
    (without retries); the async faces await what ``op`` returns."""
    if face == "sync":
        with OpenRouter(KEY, base_url=server.base_url, timeout=SAFE, max_retries=0) as client:
            return op(client)

    async def main() -> Any:
        async with AsyncOpenRouter(
            KEY, base_url=server.base_url, timeout=SAFE, max_retries=0
        ) as client:
            return await op(client)

    if face == "trio":
        return trio.run(main)
    return asyncio.run(main())


def last(server: MockOpenRouter) -> RecordedRequest:
    """The last request the mock recorded."""
    requests = server.requests
    assert requests, "no request was sent"
    return requests[-1]


def check_schema(
    value: Mapping[str, Any], schema: Mapping[str, str], required: tuple[str, ...] = ()
) -> None:
    """``value``'s members are documented in ``schema`` (name -> ``"type|type"``)
    with one of the documented JSON types, and the ``required`` ones are there."""
    for name in required:
        assert name in value, f"{name} is required"
    for name, item in value.items():
        assert name in schema, f"{name} is not documented"
        allowed = tuple(t for kind in schema[name].split("|") for t in JSON_TYPES[kind])
        assert isinstance(item, allowed), f"{name}: {item!r} is not {schema[name]}"
        if isinstance(item, bool) and "boolean" not in schema[name]:
            raise AssertionError(f"{name}: a boolean is not {schema[name]}")


def check_query(record: RecordedRequest, documented: set[str]) -> None:
    """Every query parameter of ``record`` is a documented one."""
    assert set(record.query) <= documented, set(record.query) - documented
