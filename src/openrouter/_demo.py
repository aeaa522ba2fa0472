"""``openrouter demo``: one answer from an embedded mock server through every transport.

The demo starts :class:`openrouter.testing.MockOpenRouter` on 127.0.0.1 and
streams the same story through blocking sockets, asyncio, trio, httpx and
httpx async, live, one line each; then a table of chunks, keepalives and
timings, and three shapes of real traffic (citations, reasoning entries, an
error mid-stream), each compared with its non-streamed answer. A transport
whose optional extra is missing is reported as skipped.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, TextIO

from ._cli import EXIT_API_ERROR, EXIT_OK, MOCK_KEY
from ._client import AsyncOpenRouter, OpenRouter
from ._errors import OpenRouterError, StreamError
from ._requests import ChatCompletionRequest, Message, UsageOptions
from ._responses import ChatCompletion, ChatCompletionChunk
from ._terminal import DIM, RESET, printable, table
from .testing import STORY_TEXT, MockOpenRouter

__all__ = ["DEMO_MODEL", "run_demo"]

#: What ``demo`` streams: the whole story (20 deltas) with keepalive comments
#: before and between them, 8 ms apart, so each transport visibly streams and
#: the five together take well under two seconds.
DEMO_MODEL: Final = "mock/keepalive?chunks=20&delay=0.008"


@dataclass(slots=True)
class _Run:
    """One transport's part of the demo."""

    name: str
    chunks: int = 0
    heartbeats: int = 0
    first: float | None = None
    total: float | None = None
    outcome: str = "not run"
    text: str = ""
    pieces: list[str] = field(default_factory=list)


class _DemoLine:
    """Prints one transport's tokens live after its name."""

    def __init__(self, run: _Run, out: TextIO, width: int) -> None:
        self.run = run
        self.out = out
        self.started = time.perf_counter()
        out.write(f"{run.name.ljust(width)} | ")
        out.flush()

    def heartbeat(self, text: str) -> None:
        del text
        self.run.heartbeats += 1

    def chunk(self, chunk: ChatCompletionChunk) -> None:
        run = self.run
        run.chunks += 1
        for choice in chunk.choices:
            text = choice.delta.content
            if text:
                if run.first is None:
                    run.first = time.perf_counter() - self.started
                run.pieces.append(text)
                self.out.write(text)
                self.out.flush()

    def end(self, outcome: str) -> None:
        run = self.run
        run.total = time.perf_counter() - self.started
        run.outcome = outcome
        run.text = "".join(run.pieces)
        self.out.write("\n")
        self.out.flush()


def _demo_request() -> ChatCompletionRequest:
    return ChatCompletionRequest(
        model=DEMO_MODEL,
        messages=[Message.user("Tell me a short story about a lighthouse.")],
        usage=UsageOptions(),
    )


def _demo_sync(line: _DemoLine, base_url: str, transport: Any) -> str:
    with OpenRouter(MOCK_KEY, base_url=base_url, transport=transport, max_retries=0) as client:
        stream = client.chat_completion_stream(_demo_request(), on_heartbeat=line.heartbeat)
        with stream:
            for chunk in stream:
                line.chunk(chunk)
        return stream.outcome


async def _demo_async(line: _DemoLine, base_url: str, transport: Any) -> str:
    async with AsyncOpenRouter(
        MOCK_KEY, base_url=base_url, transport=transport, max_retries=0
    ) as client:
        stream = await client.chat_completion_stream(_demo_request(), on_heartbeat=line.heartbeat)
        async with stream:
            async for chunk in stream:
                line.chunk(chunk)
        return stream.outcome


def _sockets(line: _DemoLine, base_url: str) -> str:
    return _demo_sync(line, base_url, None)


def _asyncio(line: _DemoLine, base_url: str) -> str:
    return asyncio.run(_demo_async(line, base_url, None))


def _trio(line: _DemoLine, base_url: str) -> str:
    import trio  # noqa: PLC0415 - optional extra

    outcome: str = trio.run(_demo_async, line, base_url, None)
    return outcome


def _httpx(line: _DemoLine, base_url: str) -> str:
    import httpx  # noqa: PLC0415 - optional extra

    with httpx.Client() as http:
        return _demo_sync(line, base_url, http)


def _httpx_async(line: _DemoLine, base_url: str) -> str:
    import httpx  # noqa: PLC0415 - optional extra

    async def main() -> str:
        async with httpx.AsyncClient() as http:
            return await _demo_async(line, base_url, http)

    return asyncio.run(main())


#: The demo's transports: (name, the extra it needs or None, the runner).
_TRANSPORTS: Final[tuple[tuple[str, str | None, Callable[[_DemoLine, str], str]], ...]] = (
    ("sockets", None, _sockets),
    ("asyncio", None, _asyncio),
    ("trio", "trio", _trio),
    ("httpx", "httpx", _httpx),
    ("httpx-async", "httpx", _httpx_async),
)


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


def run_demo() -> int:
    """Run the demo on standard output; ``EXIT_OK`` when every transport that ran streamed the
    whole story and every stream equals its non-streamed answer, else ``EXIT_API_ERROR``."""
    out = sys.stdout
    width = max(len(name) for name, _, _ in _TRANSPORTS)
    runs: list[_Run] = []
    dim = out.isatty()
    with MockOpenRouter() as server:
        note = f"mock server at {server.base_url}, model {DEMO_MODEL}"
        out.write(f"{DIM}{note}{RESET}\n\n" if dim else f"{note}\n\n")
        out.flush()
        for name, extra, runner in _TRANSPORTS:
            run = _Run(name)
            runs.append(run)
            if extra is not None and importlib.util.find_spec(extra) is None:
                run.outcome = f"skipped: {extra} is not installed (pip install 'sseproto[{extra}]')"
                out.write(f"{name.ljust(width)} | ({run.outcome})\n")
                out.flush()
                continue
            if extra is not None:
                # Imported before the clock starts: the table compares streaming, not imports.
                importlib.import_module(extra)
            line = _DemoLine(run, out, width)
            try:
                outcome = runner(line, server.base_url)
            except OpenRouterError as exc:
                outcome = f"{type(exc).__name__}: {exc}"
            line.end(outcome)
        shapes, same = _demo_shapes(server.base_url)
    ran = [run for run in runs if not run.outcome.startswith("skipped")]
    for run in ran:
        if run.outcome == "completed" and run.text != STORY_TEXT:
            run.outcome = "completed, but the text differs"
    rows = [["TRANSPORT", "CHUNKS", "KEEPALIVES", "FIRST CHUNK MS", "TOTAL MS", "OUTCOME"]]
    rows.extend(
        [
            run.name,
            str(run.chunks) if run in ran else "-",
            str(run.heartbeats) if run in ran else "-",
            _ms(run.first),
            _ms(run.total),
            run.outcome,
        ]
        for run in runs
    )
    out.write("\n" + table(rows, right=frozenset({1, 2, 3, 4})) + "\n")
    good = bool(ran) and all(run.outcome == "completed" for run in ran)
    skipped = len(runs) - len(ran)
    if good:
        verdict = f"every transport streamed the same {len(STORY_TEXT)} characters"
        if skipped:
            verdict += f" ({skipped} skipped: optional extras not installed)"
    else:
        verdict = "FAILED: not every transport completed with the same text"
    out.write(verdict + "\n")
    out.flush()
    out.write("\n".join(printable(line) for line in shapes) + "\n")
    out.flush()
    return EXIT_OK if good and same else EXIT_API_ERROR


def _demo_shapes(base_url: str) -> tuple[list[str], bool]:
    """Stream three shapes of real traffic (over sockets): the lines that show
    what each carried, and whether each stream added up to the non-streamed
    answer."""

    def ask(model: str) -> ChatCompletionRequest:
        return ChatCompletionRequest(model=model, messages=[Message.user("Where are lighthouses?")])

    def streamed(client: OpenRouter, model: str) -> ChatCompletion:
        with client.chat_completion_stream(ask(model)) as stream:
            for _chunk in stream:
                pass
        return stream.result()

    lines = ["", "what a stream carries, merged as the non-streamed answer has it:"]
    same = True
    with OpenRouter(MOCK_KEY, base_url=base_url, max_retries=0) as client:
        web = streamed(client, "mock/web-search").choices[0].message
        whole = client.chat_completion(ask("mock/web-search")).choices[0].message
        same &= web.raw.get("annotations") == whole.raw.get("annotations")
        for note in web.annotations or []:
            cite = note.url_citation
            if cite is not None:
                lines.append(f"  source: {cite.title} <{cite.url}>")
        details = streamed(client, "mock/reasoning-encrypted").choices[0].message
        whole = client.chat_completion(ask("mock/reasoning-encrypted")).choices[0].message
        entries = details.raw.get("reasoning_details") or []
        same &= entries == whole.raw.get("reasoning_details")
        kinds = ", ".join(str(entry.get("type")) for entry in entries)
        lines.append(f"  reasoning: {len(entries)} entries, kept apart ({kinds})")
        try:
            streamed(client, "mock/error-usage")
        except StreamError as exc:
            usage = exc.partial.usage if exc.partial is not None else None
            tokens = usage.completion_tokens if usage is not None else None
            same &= tokens is not None
            lines.append(
                f"  error mid-stream ({exc.code}): {len(exc.partial_text)} characters kept, "
                f"{tokens} completion tokens billed"
            )
    lines.append(
        "every stream equals its non-streamed answer" if same else "FAILED: a stream differs"
    )
    return lines, same
