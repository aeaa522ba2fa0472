"""Run a few calls through each adapter's client, in its own runtime, and
report what each call gave: a :class:`~sseproto.adapters.Response`, the
events of a stream, or the exception it raised, with how long it took."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import httpx
import trio

from sseproto.adapters import Timeouts
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.httpx import AsyncClient as HTTPXAsyncClient
from sseproto.adapters.httpx import Client as HTTPXClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.adapters.trio import Client as TrioClient

__all__ = ["ADAPTERS", "Call", "Result", "run_calls"]

#: Every adapter, by the name the tests are parametrized with.
ADAPTERS: Final = ("sync", "asyncio", "trio", "httpx", "httpx-async")


@dataclass(frozen=True)
class Call:
    """One call: ``request()`` (or ``stream()`` read to its end when
    ``stream`` is true), after sleeping ``pause`` seconds."""

    method: str
    url: str
    body: bytes | None = None
    stream: bool = False
    pause: float = 0.0


@dataclass
class Result:
    """What one call gave, and how many seconds it took."""

    value: Any
    error: BaseException | None
    seconds: float


def _sync_call(client: Any, call: Call, timeouts: Timeouts) -> Any:
    if call.stream:
        with client.stream(call.method, call.url, body=call.body, timeouts=timeouts) as events:
            return list(events)
    return client.request(call.method, call.url, body=call.body, timeouts=timeouts)


async def _async_call(client: Any, call: Call, timeouts: Timeouts) -> Any:
    if call.stream:
        async with client.stream(call.method, call.url, body=call.body, timeouts=timeouts) as s:
            return [event async for event in s]
    return await client.request(call.method, call.url, body=call.body, timeouts=timeouts)


def _run_sync(client: Any, calls: Sequence[Call], timeouts: Timeouts) -> list[Result]:
    results = []
    for call in calls:
        time.sleep(call.pause)
        started = time.monotonic()
        try:
            results.append(Result(_sync_call(client, call, timeouts), None, 0.0))
        except Exception as exc:
            results.append(Result(None, exc, 0.0))
        results[-1].seconds = time.monotonic() - started
    return results


async def _run_async(
    client: Any, calls: Sequence[Call], timeouts: Timeouts, sleep: Callable[[float], Awaitable[Any]]
) -> list[Result]:
    results = []
    for call in calls:
        await sleep(call.pause)
        started = time.monotonic()
        try:
            results.append(Result(await _async_call(client, call, timeouts), None, 0.0))
        except Exception as exc:
            results.append(Result(None, exc, 0.0))
        results[-1].seconds = time.monotonic() - started
    return results


def run_calls(adapter: str, calls: Sequence[Call], timeouts: Timeouts) -> list[Result]:
    """Make ``calls`` in order with one client of ``adapter`` (so a
    connection left by one call may carry the next)."""
    if adapter == "sync":
        with SyncClient() as client:
            return _run_sync(client, calls, timeouts)
    if adapter == "httpx":
        with httpx.Client() as http:
            return _run_sync(HTTPXClient(http), calls, timeouts)
    if adapter == "asyncio":

        async def asyncio_main() -> list[Result]:
            async with AsyncioClient() as client:
                return await _run_async(client, calls, timeouts, asyncio.sleep)

        return asyncio.run(asyncio_main())
    if adapter == "httpx-async":

        async def httpx_main() -> list[Result]:
            async with httpx.AsyncClient() as http:
                return await _run_async(HTTPXAsyncClient(http), calls, timeouts, asyncio.sleep)

        return asyncio.run(httpx_main())
    if adapter == "trio":

        async def trio_main() -> list[Result]:
            async with TrioClient() as client:
                return await _run_async(client, calls, timeouts, trio.sleep)

        return trio.run(trio_main)
    raise ValueError(adapter)
