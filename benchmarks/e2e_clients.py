"""The client side of the end-to-end benchmark (benchmarks/e2e.py).

One process runs one client on one test and prints one JSON line with what it
measured. The orchestrator starts this file with the project's interpreter,
or with the one of a separate environment for the official OpenRouter SDK,
which uses the import name ``openrouter`` too. So this module imports only the
standard library at the top; each client imports its own library when built.

    python benchmarks/e2e_clients.py '{"client": "openrouter", "test": "stream", ...}'

Every client streams the same chat completion and yields the content of each
chunk (``None`` when a chunk has no choice). Time and CPU are measured around
the streaming only: the imports, building the client and one warm-up stream
come first, so lazy imports and the first connection are not counted.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import resource
import statistics
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

API_KEY = "sk-or-v1-benchmark"
PROMPT = "Tell me a story."
MESSAGES = [{"role": "user", "content": PROMPT}]

#: The model of the warm-up stream and of the time-to-first-chunk streams.
SHORT_MODEL = "mock/story"

#: Connection limits for the httpx clients: room for every concurrent
#: stream (httpx allows 100 connections by default, openai's clients 1,000).
HTTPX_CONNECTIONS = 1000

Chunks = Iterator[str | None]
AsyncChunks = AsyncIterator[str | None]


@dataclass
class SyncClient:
    """``chunks(model)`` streams one completion; ``close()`` ends the client."""

    chunks: Callable[[str], Chunks]
    close: Callable[[], None]


@dataclass
class AsyncClient:
    """The async counterpart; built inside the running event loop."""

    chunks: Callable[[str], AsyncChunks]
    close: Callable[[], Awaitable[None]]


# -- the clients -------------------------------------------------------------------


def _httpx_limits() -> Any:
    import httpx  # noqa: PLC0415

    return httpx.Limits(
        max_connections=HTTPX_CONNECTIONS, max_keepalive_connections=HTTPX_CONNECTIONS
    )


def openrouter_sync(base_url: str, transport: str) -> SyncClient:
    """This project's blocking client on sockets (default) or an httpx.Client."""
    import openrouter  # noqa: PLC0415

    extra: Any = None
    if transport == "httpx":
        import httpx  # noqa: PLC0415

        extra = httpx.Client(limits=_httpx_limits())
    client = openrouter.OpenRouter(api_key=API_KEY, base_url=base_url, transport=extra)
    message = openrouter.Message.user(PROMPT)

    def chunks(model: str) -> Chunks:
        request = openrouter.ChatCompletionRequest(model=model, messages=[message])
        with client.chat_completion_stream(request) as stream:
            for chunk in stream:
                choices = chunk.choices
                yield choices[0].delta.content if choices else None

    def close() -> None:
        client.close()
        if extra is not None:
            extra.close()

    return SyncClient(chunks, close)


def openrouter_async(base_url: str, transport: str) -> AsyncClient:
    """This project's async client on its own sockets (asyncio or trio) or an httpx.AsyncClient."""
    import openrouter  # noqa: PLC0415

    extra: Any = None
    if transport == "httpx":
        import httpx  # noqa: PLC0415

        extra = httpx.AsyncClient(limits=_httpx_limits())
    client = openrouter.AsyncOpenRouter(api_key=API_KEY, base_url=base_url, transport=extra)
    message = openrouter.Message.user(PROMPT)

    async def chunks(model: str) -> AsyncChunks:
        request = openrouter.ChatCompletionRequest(model=model, messages=[message])
        async with await client.chat_completion_stream(request) as stream:
            async for chunk in stream:
                choices = chunk.choices
                yield choices[0].delta.content if choices else None

    async def close() -> None:
        await client.aclose()
        if extra is not None:
            await extra.aclose()

    return AsyncClient(chunks, close)


def openai_sync(base_url: str) -> SyncClient:
    """``openai.OpenAI`` with its default HTTP client."""
    openai = importlib.import_module("openai")
    client = openai.OpenAI(api_key=API_KEY, base_url=base_url)

    def chunks(model: str) -> Chunks:
        stream = client.chat.completions.create(model=model, messages=MESSAGES, stream=True)
        with stream:
            for chunk in stream:
                choices = chunk.choices
                yield choices[0].delta.content if choices else None

    return SyncClient(chunks, client.close)


def openai_async(base_url: str) -> AsyncClient:
    """``openai.AsyncOpenAI`` with its default HTTP client."""
    openai = importlib.import_module("openai")
    client = openai.AsyncOpenAI(api_key=API_KEY, base_url=base_url)

    async def chunks(model: str) -> AsyncChunks:
        stream = await client.chat.completions.create(model=model, messages=MESSAGES, stream=True)
        async with stream:
            async for chunk in stream:
                choices = chunk.choices
                yield choices[0].delta.content if choices else None

    return AsyncClient(chunks, client.close)


def sdk_sync(base_url: str) -> SyncClient:
    """The official OpenRouter SDK (``pip install openrouter``), blocking."""
    sdk = importlib.import_module("openrouter")
    client = sdk.OpenRouter(api_key=API_KEY, server_url=base_url)

    def chunks(model: str) -> Chunks:
        stream = client.chat.send(model=model, messages=MESSAGES, stream=True)
        with stream:
            for chunk in stream:
                choices = chunk.choices
                yield choices[0].delta.content if choices else None

    def close() -> None:
        client.__exit__(None, None, None)

    return SyncClient(chunks, close)


def floor_sync(base_url: str) -> SyncClient:
    """The minimal loop: httpx + httpx-sse + json.loads, no types, no checks."""
    import httpx  # noqa: PLC0415

    httpx_sse = importlib.import_module("httpx_sse")
    client = httpx.Client(limits=_httpx_limits())
    url = base_url + "/chat/completions"
    headers = {"Authorization": f"Bearer {API_KEY}"}

    def chunks(model: str) -> Chunks:
        body = {"model": model, "messages": MESSAGES, "stream": True}
        with httpx_sse.connect_sse(client, "POST", url, json=body, headers=headers) as source:
            for sse in source.iter_sse():
                if sse.data != "[DONE]":
                    choices = json.loads(sse.data)["choices"]
                    yield choices[0]["delta"].get("content") if choices else None

    return SyncClient(chunks, client.close)


def floor_async(base_url: str) -> AsyncClient:
    """The minimal loop on httpx.AsyncClient and httpx-sse's aconnect_sse."""
    import httpx  # noqa: PLC0415

    httpx_sse = importlib.import_module("httpx_sse")
    client = httpx.AsyncClient(limits=_httpx_limits())
    url = base_url + "/chat/completions"
    headers = {"Authorization": f"Bearer {API_KEY}"}

    async def chunks(model: str) -> AsyncChunks:
        body = {"model": model, "messages": MESSAGES, "stream": True}
        async with httpx_sse.aconnect_sse(
            client, "POST", url, json=body, headers=headers
        ) as source:
            async for sse in source.aiter_sse():
                if sse.data != "[DONE]":
                    choices = json.loads(sse.data)["choices"]
                    yield choices[0]["delta"].get("content") if choices else None

    return AsyncClient(chunks, client.aclose)


def sseproto_async(base_url: str, runtime: str) -> AsyncClient:
    """The floor's loop on this project's own SSE client (no OpenRouter
    layer): ``sseproto.adapters`` asyncio or trio ``Client.stream()`` and
    ``json.loads`` of each ``data`` that is not ``[DONE]``."""
    module = importlib.import_module(f"sseproto.adapters.{runtime}")
    client = module.Client()
    url = base_url + "/chat/completions"
    headers = {"Authorization": f"Bearer {API_KEY}"}

    async def chunks(model: str) -> AsyncChunks:
        body = {"model": model, "messages": MESSAGES, "stream": True}
        async with client.stream("POST", url, json=body, headers=headers) as source:
            async for sse in source:
                if sse.data != "[DONE]":
                    choices = json.loads(sse.data)["choices"]
                    yield choices[0]["delta"].get("content") if choices else None

    return AsyncClient(chunks, client.aclose)


@dataclass(frozen=True)
class Spec:
    """How to build a client: ``runtime`` is ``"sync"``, ``"asyncio"`` or ``"trio"``."""

    runtime: str
    build: Callable[[str], SyncClient] | Callable[[str], AsyncClient]


CLIENTS: dict[str, Spec] = {
    "openrouter": Spec("sync", lambda url: openrouter_sync(url, "sockets")),
    "openrouter-httpx": Spec("sync", lambda url: openrouter_sync(url, "httpx")),
    "openrouter-asyncio": Spec("asyncio", lambda url: openrouter_async(url, "sockets")),
    "openrouter-trio": Spec("trio", lambda url: openrouter_async(url, "sockets")),
    "openrouter-httpx-async": Spec("asyncio", lambda url: openrouter_async(url, "httpx")),
    "openai": Spec("sync", openai_sync),
    "openai-async": Spec("asyncio", openai_async),
    "sdk": Spec("sync", sdk_sync),
    "floor": Spec("sync", floor_sync),
    "floor-async": Spec("asyncio", floor_async),
    "floor-trio": Spec("trio", floor_async),
    "sseproto-asyncio": Spec("asyncio", lambda url: sseproto_async(url, "asyncio")),
    "sseproto-trio": Spec("trio", lambda url: sseproto_async(url, "trio")),
}


# -- measuring -----------------------------------------------------------------------


def _rss_kib() -> int | None:
    """The resident set size now (Linux), in KiB; ``None`` elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() // 1024
    except (OSError, ValueError, IndexError):
        return None


class RSSSampler:
    """The highest resident set size seen between ``start()`` and ``stop()``,
    sampled every 5 ms by a thread (Linux; nothing elsewhere): ru_maxrss is
    the peak of the whole process life, imports and warm-up included."""

    INTERVAL = 0.005

    def __init__(self) -> None:
        self.base = _rss_kib()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            rss = _rss_kib()
            if rss is not None and self.peak is not None and rss > self.peak:
                self.peak = rss

    def start(self) -> None:
        if self.base is not None:
            self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()


class Meter:
    """CPU (user + system, all threads of this process) and wall time between
    ``start()`` and ``stop()``, and the peak resident set size before and after
    (``ru_maxrss``); with ``sample=True`` also the RSS at the start and its
    sampled peak until the stop (see :class:`RSSSampler`)."""

    def __init__(self, *, sample: bool = False) -> None:
        self.sampler = RSSSampler() if sample else None

    def start(self) -> None:
        if self.sampler is not None:
            self.sampler.start()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.rss_before_kib = usage.ru_maxrss
        self.cpu0 = usage.ru_utime + usage.ru_stime
        self.user0 = usage.ru_utime
        self.wall0 = time.perf_counter()

    def stop(self) -> dict[str, float]:
        wall = time.perf_counter() - self.wall0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        sampler = self.sampler
        if sampler is not None:
            sampler.stop()
        sampled = {}
        if sampler is not None and sampler.base is not None and sampler.peak is not None:
            sampled = {"rss_base_kib": sampler.base, "rss_sampled_peak_kib": sampler.peak}
        return sampled | {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime - self.cpu0,
            "user": usage.ru_utime - self.user0,
            "rss_before_kib": self.rss_before_kib,
            "rss_peak_kib": usage.ru_maxrss,
        }


class Collector:
    """The content of one stream, joined and hashed outside the timed region."""

    __slots__ = ("count", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.count = 0

    def digest(self) -> str:
        return hashlib.sha256("".join(self.parts).encode()).hexdigest()


def _stream_model(chunks: int, delay: float = 0.0) -> str:
    return f"mock/story?chunks={chunks}" + (f"&delay={delay:g}" if delay else "")


def _checks(collectors: list[Collector]) -> dict[str, Any]:
    digests = sorted({c.digest() for c in collectors})
    return {"chunks": sum(c.count for c in collectors), "digests": digests}


def run_sync(client: SyncClient, task: dict[str, Any]) -> dict[str, Any]:
    def drain(model: str, collector: Collector) -> None:
        parts = collector.parts
        for content in client.chunks(model):
            parts.append(content or "")
        collector.count += len(parts)

    drain(SHORT_MODEL, Collector())
    meter = Meter()
    test = task["test"]
    if test == "stream":
        collector = Collector()
        meter.start()
        drain(_stream_model(task["chunks"]), collector)
        result = meter.stop()
        result.update(_checks([collector]))
    elif test == "ttfc":
        waits: list[float] = []
        collectors: list[Collector] = []
        meter.start()
        for _ in range(task["streams"]):
            collector = Collector()
            started = time.perf_counter()
            stream = client.chunks(SHORT_MODEL)
            first = next(stream)
            waits.append(time.perf_counter() - started)
            collector.parts.append(first or "")
            collector.parts.extend(content or "" for content in stream)
            collector.count = len(collector.parts)
            collectors.append(collector)
        result = meter.stop()
        result.update(_checks(collectors))
        result["ttfc_mean"] = statistics.fmean(waits)
        result["ttfc_median"] = statistics.median(waits)
    else:
        raise ValueError(f"a blocking client cannot run the {test!r} test")
    client.close()
    return result


async def _gather_asyncio(jobs: list[Callable[[], Awaitable[None]]]) -> None:
    await asyncio.gather(*(job() for job in jobs))


async def _gather_trio(jobs: list[Callable[[], Awaitable[None]]]) -> None:
    trio = importlib.import_module("trio")
    async with trio.open_nursery() as nursery:
        for job in jobs:
            nursery.start_soon(job)


async def run_async(spec: Spec, task: dict[str, Any]) -> dict[str, Any]:
    client = spec.build(task["base_url"])
    assert isinstance(client, AsyncClient)
    gather = _gather_trio if spec.runtime == "trio" else _gather_asyncio

    async def drain(model: str, collector: Collector) -> None:
        parts = collector.parts
        async for content in client.chunks(model):
            parts.append(content or "")
        collector.count += len(parts)

    await drain(SHORT_MODEL, Collector())
    test = task["test"]
    meter = Meter(sample=test in ("concurrent", "slow"))
    if test in ("stream", "concurrent", "slow"):
        streams = task["streams"] if test != "stream" else 1
        model = _stream_model(task["chunks"], task.get("delay", 0.0) if test == "slow" else 0.0)
        collectors = [Collector() for _ in range(streams)]

        def job(collector: Collector) -> Callable[[], Awaitable[None]]:
            return lambda: drain(model, collector)

        meter.start()
        await gather([job(collector) for collector in collectors])
        result = meter.stop()
        result.update(_checks(collectors))
    elif test == "ttfc":
        waits: list[float] = []
        collectors = []
        meter.start()
        for _ in range(task["streams"]):
            collector = Collector()
            started = time.perf_counter()
            stream = client.chunks(SHORT_MODEL)
            first = await stream.__anext__()
            waits.append(time.perf_counter() - started)
            collector.parts.append(first or "")
            collector.parts.extend([content or "" async for content in stream])
            collector.count = len(collector.parts)
            collectors.append(collector)
        result = meter.stop()
        result.update(_checks(collectors))
        result["ttfc_mean"] = statistics.fmean(waits)
        result["ttfc_median"] = statistics.median(waits)
    else:
        raise ValueError(f"unknown test {test!r}")
    await client.close()
    return result


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one test with one client; the keys of ``task`` are ``client``,
    ``test`` (``stream``, ``concurrent``, ``slow``, ``ttfc``), ``base_url``,
    ``chunks``, ``streams`` and, for ``slow``, ``delay`` (seconds the server
    waits after each chunk)."""
    spec = CLIENTS[task["client"]]
    if spec.runtime == "sync":
        client = spec.build(task["base_url"])
        assert isinstance(client, SyncClient)
        return run_sync(client, task)
    if spec.runtime == "trio":
        trio = importlib.import_module("trio")
        result: dict[str, Any] = trio.run(run_async, spec, task)
        return result
    return asyncio.run(run_async(spec, task))


def main(argv: list[str]) -> int:
    task = json.loads(argv[1])
    try:
        result = run_task(task)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:200]}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
