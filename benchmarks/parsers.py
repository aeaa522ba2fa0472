"""Compare sseproto's parser with the Server-Sent Events parsers in common use.

Every parser gets the same list of byte chunks, in one process, and turns it
into events the way a user of that library does. Repetitions are interleaved
(round-robin over the parsers, with a rotating start) so that machine noise
hits every parser alike. Each parser's output is checked against the events
the stream was built from; a wrong result is still timed but its row says so.

Usage:
    python benchmarks/parsers.py             # the full matrix, a few minutes
    python benchmarks/parsers.py --quick     # a smoke run, under a minute
    python benchmarks/parsers.py --repeat 9  # more rounds per case
    python benchmarks/parsers.py --items     # Event creation cost only

See benchmarks/README.md for what each case measures and how to read it.
"""

from __future__ import annotations

import argparse
import base64
import gc
import importlib
import importlib.util
import json
import platform
import random
import signal
import statistics
import sys
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

import sseproto

#: The row for sseproto fed through iter_items() instead of feed() per chunk.
ITER_NAME = "sseproto iter_items"
#: The row for sseproto's parser from another source tree (--baseline).
BASELINE_NAME = "sseproto baseline"

#: Limits for sseproto that the 16 MiB event of the doubling test fits in.
BIG_LIMIT = 64 * 1024 * 1024
KIB = 1024
MIB = 1024 * KIB

CHAT_EVENTS = 20_000
KEEPALIVE_EVERY = 50
TINY_EVENTS = 200_000
CHUNK_SIZES = (64 * KIB, KIB, 7)
DOUBLING_CHUNK = KIB

Runner = Callable[[Sequence[bytes]], list[Any]]


# -- the streams ---------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    """An event stream body and the data of the events it must produce."""

    title: str
    short: str
    body: bytes
    expected: list[str]


# Short tokens of the kind a chat model streams, separated by "|"; some are
# multi-byte in UTF-8 (one is outside the BMP) so that small chunkings split
# characters.
_TOKEN_TEXT = (
    "The| the| a| of| to| and| is| in| that| it| for| you| model| stream| event| server| data"
    "| token| response| request|,|.|:|!|?| (|)|\n|\n\n|**| -| 1|2|0| %| café| naïve| résumé"
    "| —| “quoted”| 東京| 数据| 😊| ✅| →|ing|ed|ly| un|able| Python| JSON| HTTP| API| `code`"
)
_TOKENS = _TOKEN_TEXT.split("|")


def _chat_body(events: int, seed: int = 20_240_601) -> tuple[bytes, list[str]]:
    """An OpenRouter-like chat completion stream: `events` chunk events, a
    keepalive comment every KEEPALIVE_EVERY events, then ``data: [DONE]``."""
    rng = random.Random(seed)
    created = 1_764_075_600
    base = {
        "id": f"gen-{created}-Qm9Zx3VhY2Jr8Wd1Tn2p",
        "provider": "OpenAI",
        "model": "openai/gpt-4o-mini",
        "object": "chat.completion.chunk",
        "created": created,
    }
    parts: list[str] = [": OPENROUTER PROCESSING\n\n"]
    expected: list[str] = []
    for n in range(events):
        last = n == events - 1
        delta: dict[str, str] = {"role": "assistant", "content": rng.choice(_TOKENS)}
        if last:
            delta["content"] = ""
        choice = {
            "index": 0,
            "delta": delta,
            "finish_reason": "stop" if last else None,
            "native_finish_reason": "stop" if last else None,
            "logprobs": None,
        }
        chunk: dict[str, object] = {**base, "choices": [choice]}
        if last:
            chunk["usage"] = {
                "prompt_tokens": 42,
                "completion_tokens": events,
                "total_tokens": events + 42,
            }
        data = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))
        expected.append(data)
        parts.append(f"data: {data}\n\n")
        if n % KEEPALIVE_EVERY == KEEPALIVE_EVERY - 1:
            parts.append(": OPENROUTER PROCESSING\n\n")
    expected.append("[DONE]")
    parts.append("data: [DONE]\n\n")
    return "".join(parts).encode(), expected


def _big_event(size: int) -> Stream:
    """One event whose single data line is `size` bytes of base64 text."""
    payload = base64.b64encode(random.Random(size).randbytes(size * 3 // 4 + 3))[:size]
    label = size_label(size)
    return Stream(f"one {label} event", label, b"data: " + payload + b"\n\n", [payload.decode()])


def build_streams() -> list[Stream]:
    chat, chat_expected = _chat_body(CHAT_EVENTS)
    return [
        Stream(f"chat stream, {CHAT_EVENTS:,} chunks + [DONE], LF", "chat LF", chat, chat_expected),
        _big_event(8 * MIB),
        Stream(
            f"{TINY_EVENTS:,} tiny events",
            "tiny",
            b"data: x\n\n" * TINY_EVENTS,
            ["x"] * TINY_EVENTS,
        ),
        Stream(
            f"chat stream, {CHAT_EVENTS:,} chunks + [DONE], CRLF",
            "chat CRLF",
            chat.replace(b"\n", b"\r\n"),
            chat_expected,
        ),
    ]


def split(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


def size_label(size: int) -> str:
    if size % MIB == 0:
        return f"{size // MIB} MiB"
    if size % KIB == 0:
        return f"{size // KIB} KiB"
    return f"{size} B"


# -- the parsers ---------------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    """A way to turn byte chunks into events; `run` returns the event objects
    and `data_of` their data strings (outside the timed region)."""

    name: str
    run: Runner
    data_of: Callable[[list[Any]], list[str]]
    floor: bool = False


def _data_attribute(events: list[Any]) -> list[str]:
    return [str(event.data) for event in events]


def _as_strings(items: list[Any]) -> list[str]:
    return [str(item) for item in items]


def _sseproto() -> Runner:
    def run(chunks: Sequence[bytes]) -> list[Any]:
        parser = sseproto.EventStreamParser(max_line_size=BIG_LIMIT, max_event_size=BIG_LIMIT)
        events: list[Any] = []
        for chunk in chunks:
            events += parser.feed(chunk)
        events += parser.close()
        return events

    return run


def _baseline(src: str) -> Runner:
    """``feed()`` per chunk on the parser of the ``sseproto`` package under
    ``src`` (another checkout's ``src`` directory), imported as a package of
    another name: the same run then times the parser before and after a
    change."""
    package = Path(src) / "sseproto"
    spec = importlib.util.spec_from_file_location(
        "sseproto_baseline", package / "__init__.py", submodule_search_locations=[str(package)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"no sseproto package under {src}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    parser_class = module.EventStreamParser

    def run(chunks: Sequence[bytes]) -> list[Any]:
        parser = parser_class(max_line_size=BIG_LIMIT, max_event_size=BIG_LIMIT)
        events: list[Any] = []
        for chunk in chunks:
            events += parser.feed(chunk)
        events += parser.close()
        return events

    return run


def _sseproto_iter() -> Runner:
    # The same parser through EventStreamParser.iter_items(), the API for an
    # iterator of body chunks (what the peers below are given as well).
    def run(chunks: Sequence[bytes]) -> list[Any]:
        parser = sseproto.EventStreamParser(max_line_size=BIG_LIMIT, max_event_size=BIG_LIMIT)
        return list(parser.iter_items(chunks))

    return run


def _httpx_sse() -> Runner:
    # EventSource.iter_sse() reads response.iter_text() (httpx's incremental
    # UTF-8 decoder) through httpx-sse's line splitter into its SSEDecoder; a
    # streaming httpx.Response over the chunks is exactly what it reads from
    # a real connection.
    httpx = importlib.import_module("httpx")
    httpx_sse = importlib.import_module("httpx_sse")
    headers = {"content-type": "text/event-stream"}

    def run(chunks: Sequence[bytes]) -> list[Any]:
        response = httpx.Response(200, headers=headers, content=iter(chunks))
        return list(httpx_sse.EventSource(response).iter_sse())

    return run


def _openai() -> Runner:
    # What openai.Stream does with the body of a streaming response.
    streaming = importlib.import_module("openai._streaming")

    def run(chunks: Sequence[bytes]) -> list[Any]:
        return list(streaming.SSEDecoder().iter_bytes(iter(chunks)))

    return run


def _ld_eventsource() -> Runner:
    # SSEClient reads a connection's byte chunks with these two classes and
    # keeps the Event items (the reader also yields Comment items).
    reader = importlib.import_module("ld_eventsource.reader")
    event_type = importlib.import_module("ld_eventsource.actions").Event

    def run(chunks: Sequence[bytes]) -> list[Any]:
        lines = reader._BufferedLineReader.lines_from(iter(chunks))
        items = reader._SSEReader(lines).events_and_comments()
        return [item for item in items if isinstance(item, event_type)]

    return run


def _sseclient() -> Runner:
    sseclient = importlib.import_module("sseclient")

    def run(chunks: Sequence[bytes]) -> list[Any]:
        return list(sseclient.SSEClient(iter(chunks)).events())

    return run


def _floor() -> Runner:
    # Not a parser: the whole body at once, split into lines, the "data: "
    # lines kept and decoded one by one. It ignores almost every rule a parser
    # must follow (comments that look like data, multi-line data, fields,
    # lone CRs) and only gives the speed below which a pure-Python parser is
    # unlikely to go.
    def run(chunks: Sequence[bytes]) -> list[Any]:
        body = b"".join(chunks)
        if b"\r" in body:
            body = body.replace(b"\r\n", b"\n")
        return [
            line[6:].decode("utf-8", "replace")
            for line in body.split(b"\n")
            if line.startswith(b"data: ")
        ]

    return run


#: (name, distributions whose versions are printed, factory)
PEERS: tuple[tuple[str, tuple[str, ...], Callable[[], Runner]], ...] = (
    ("httpx-sse", ("httpx-sse", "httpx"), _httpx_sse),
    ("openai", ("openai",), _openai),
    ("ld-eventsource", ("launchdarkly-eventsource",), _ld_eventsource),
    ("sseclient-py", ("sseclient-py",), _sseclient),
)
FLOOR_NAME = "floor: split, not a parser"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


def load_contenders(baseline: str | None = None) -> tuple[list[Contender], list[str]]:
    """sseproto (and its ``baseline`` source tree, if given), the peers that
    import, and the floor; plus a line per peer."""
    contenders = [
        Contender("sseproto", _sseproto(), _data_attribute),
        Contender(ITER_NAME, _sseproto_iter(), _data_attribute),
    ]
    notes = [f"sseproto {sseproto.__version__}"]
    if baseline is not None:
        contenders.append(Contender(BASELINE_NAME, _baseline(baseline), _data_attribute))
        notes.append(f"{BASELINE_NAME} from {baseline}")
    for name, distributions, factory in PEERS:
        try:
            runner = factory()
        except ImportError as exc:
            notes.append(f"{name}: NOT AVAILABLE ({exc})")
            continue
        contenders.append(Contender(name, runner, _data_attribute))
        notes.append(" + ".join(f"{d} {_version(d)}" for d in distributions))
    contenders.append(Contender(FLOOR_NAME, _floor(), _as_strings, floor=True))
    return contenders, notes


# -- timing --------------------------------------------------------------------


class _OverBudget(BaseException):
    """Raised inside a run that took longer than the time budget (a
    BaseException, so that no ``except Exception`` in a peer swallows it)."""


class _Alarm:
    """Interrupt the running parser once `seconds` have passed (where the
    platform has interval timers; elsewhere an over-long run just ends late)."""

    armed = False

    @classmethod
    def _fire(cls, signum: int, frame: FrameType | None) -> None:
        if cls.armed:
            cls.armed = False
            raise _OverBudget

    @classmethod
    def start(cls, seconds: float) -> None:
        if hasattr(signal, "setitimer"):
            signal.signal(signal.SIGALRM, cls._fire)
            cls.armed = True
            signal.setitimer(signal.ITIMER_REAL, seconds)

    @classmethod
    def stop(cls) -> None:
        cls.armed = False
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)


@dataclass
class Settings:
    repeat: int
    budget: float  # one run longer than this is stopped and the parser skipped
    allowance: float  # a parser stops repeating a case after this much time


@dataclass
class Variant:
    """One input of a case: its chunks and the data it must produce."""

    label: str
    size: int
    chunks: list[bytes]
    expected: list[str]


@dataclass
class Result:
    times: list[float] = field(default_factory=list)
    skipped: bool = False
    error: str | None = None
    mismatch: str | None = None  # None when the output was checked and right
    checked: bool = False

    @property
    def best(self) -> float | None:
        return min(self.times) if self.times else None

    @property
    def correct(self) -> bool:
        return self.checked and self.mismatch is None and self.error is None


def _check(got: list[str], expected: list[str]) -> str | None:
    if got == expected:
        return None
    if len(got) != len(expected):
        return f"MISMATCH: {len(got):,} events vs {len(expected):,}"
    first = next(i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b)
    return f"MISMATCH: data of event #{first:,} differs"


def _time_once(contender: Contender, chunks: list[bytes], budget: float) -> tuple[float, list[Any]]:
    """One timed run with the collector off; raises _OverBudget past the budget."""
    gc.collect()
    gc.disable()
    try:
        _Alarm.start(budget)
        start = time.perf_counter()
        out = contender.run(chunks)
        elapsed = time.perf_counter() - start
        _Alarm.stop()
    finally:
        _Alarm.stop()
        gc.enable()
    if elapsed > budget:
        raise _OverBudget
    return elapsed, out


def run_case(
    contenders: Sequence[Contender], variants: Sequence[Variant], settings: Settings
) -> dict[tuple[str, str], Result]:
    """Time every contender on every variant, `settings.repeat` interleaved rounds."""
    results = {(c.name, v.label): Result() for c in contenders for v in variants}
    spent = dict.fromkeys(results, 0.0)
    pairs = [(c, v) for v in variants for c in contenders]
    for round_no in range(settings.repeat):
        shift = round_no % len(pairs)
        for contender, variant in pairs[shift:] + pairs[:shift]:
            key = (contender.name, variant.label)
            result = results[key]
            if result.skipped or result.error or spent[key] > settings.allowance:
                continue
            try:
                elapsed, out = _time_once(contender, variant.chunks, settings.budget)
            except _OverBudget:
                spent[key] = settings.allowance + 1
                result.skipped = not result.times
                continue
            except Exception as exc:
                result.error = f"ERROR: {type(exc).__name__}: {exc}"[:80]
                continue
            spent[key] += elapsed
            result.times.append(elapsed)
            if not result.checked:
                result.checked = True
                result.mismatch = _check(contender.data_of(out), variant.expected)
            del out
    return results


# -- reports -------------------------------------------------------------------

_ROW = "  {:<28} {:>14} {:>10} {:>8} {:>11}  {}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def print_case(
    title: str,
    variant: Variant,
    contenders: Sequence[Contender],
    results: dict[tuple[str, str], Result],
    settings: Settings,
) -> None:
    print(
        f"\n{title} | {variant.size / 1e6:,.2f} MB, {len(variant.expected):,} events"
        f" | {variant.label} chunks ({len(variant.chunks):,})"
    )
    print(_ROW.format("parser", "min ms", "median ms", "MB/s", "vs sseproto", "result"))
    base = results["sseproto", variant.label].best
    fastest: tuple[float, str] | None = None
    for contender in contenders:
        result = results[contender.name, variant.label]
        status = result.error or result.mismatch or ("ok" if result.checked else "")
        runs = len(result.times)
        if 0 < runs < settings.repeat:
            status += f" ({runs} run{'s' if runs > 1 else ''})"
        best = result.best
        if best is None:
            skipped = f">{settings.budget:g}s (skipped)" if result.skipped else "-"
            ratio = f">{settings.budget / base:,.0f}x" if base and result.skipped else "-"
            print(_ROW.format(contender.name, skipped, "", "", ratio, status or "-"))
            continue
        median = statistics.median(result.times)
        rate = variant.size / 1e6 / best
        ratio = f"{best / base:,.2f}x" if base else "-"
        print(_ROW.format(contender.name, _ms(best), _ms(median), f"{rate:,.0f}", ratio, status))
        is_peer = not contender.name.startswith("sseproto") and not contender.floor
        if is_peer and result.correct and (fastest is None or best < fastest[0]):
            fastest = (best, contender.name)
    if base is None:
        print("  sseproto has no time for this case")
    elif fastest is None:
        print("  -> no peer produced the right events")
    else:
        speedup = fastest[0] / base
        verdict = f"{speedup:.2f}x faster" if speedup >= 1 else f"{1 / speedup:.2f}x slower"
        print(
            f"  -> fastest correct peer: {fastest[1]} ({_ms(fastest[0])} ms); sseproto is {verdict}"
        )


def print_doubling(
    small: Variant,
    large: Variant,
    contenders: Sequence[Contender],
    results: dict[tuple[str, str], Result],
    settings: Settings,
) -> None:
    print(
        f"\nGrowth: one event of {size_label(len(small.expected[0]))} vs"
        f" {size_label(len(large.expected[0]))}, {size_label(DOUBLING_CHUNK)} chunks"
        " (t(16)/t(8): about 2 is linear, about 4 is quadratic)"
    )
    row = "  {:<28} {:>14} {:>10} {:>9}  {}"
    print(row.format("parser", "t(8) ms", "t(16) ms", "t16/t8", "result"))
    for contender in contenders:
        first = results[contender.name, small.label]
        second = results[contender.name, large.label]
        status = first.error or second.error or first.mismatch or second.mismatch or "ok"
        t8, t16 = first.best, second.best
        over = f">{settings.budget:g}s"
        if t8 is not None and t16 is not None:
            growth = t16 / t8
            shape = "linear" if growth < 2.6 else "superlinear" if growth < 3.4 else "quadratic"
            print(row.format(contender.name, _ms(t8), _ms(t16), f"{growth:.2f}", shape))
        elif t8 is not None and second.skipped:
            growth_floor = settings.budget / t8
            print(row.format(contender.name, _ms(t8), over, f">{growth_floor:.2f}", "skipped"))
        else:
            text = over if first.skipped else "-"
            print(
                row.format(contender.name, text, text, "-", "skipped" if first.skipped else status)
            )


def print_summary(
    cases: Sequence[tuple[str, str, dict[tuple[str, str], Result]]],
    contenders: Sequence[Contender],
    settings: Settings,
) -> None:
    others = [c for c in contenders if c.name != "sseproto"]
    print("\nSummary: parser time / sseproto time (above 1: sseproto is faster; * wrong result)")
    widths = [max(len(c.name.split(":")[0]), 9) for c in others]
    header = "".join(f" {c.name.split(':')[0]:>{w}}" for c, w in zip(others, widths, strict=True))
    print(f"  {'case':<24}{'sseproto ms':>12}{header}")
    for title, label, results in cases:
        base = results["sseproto", label].best
        cells: list[str] = []
        for contender, width in zip(others, widths, strict=True):
            result = results[contender.name, label]
            best = result.best
            if base is None:
                cell = "-"
            elif best is None:
                cell = f">{settings.budget / base:,.0f}" if result.skipped else "error"
            else:
                cell = f"{best / base:.2f}" + ("" if result.correct else "*")
            cells.append(f" {cell:>{width}}")
        base_text = _ms(base) if base is not None else "-"
        print(f"  {title:<24}{base_text:>12}{''.join(cells)}")


# -- the Event item micro-benchmark ----------------------------------------------


@dataclass(frozen=True, slots=True)
class DataclassEvent:
    """An Event made as a frozen, slotted dataclass, for comparison."""

    type: str
    data: str
    id: str = ""


def bench_items(quick: bool) -> None:
    """ns per object: NamedTuple call, frozen dataclass, tuple.__new__."""
    event = sseproto.Event
    namespace = {
        "Event": event,
        "DataclassEvent": DataclassEvent,
        "new": tuple.__new__,
        "t": "message",
        "d": '{"choices":[{"delta":{"content":" the"}}]}',
        "i": "",
    }
    assert event("message", "x", "") == tuple.__new__(event, ("message", "x", ""))
    cases = (
        ("NamedTuple Event(type, data, id)", "Event(t, d, i)"),
        ("@dataclass(frozen, slots)", "DataclassEvent(t, d, i)"),
        ("tuple.__new__(Event, (...))", "new(Event, (t, d, i))"),
    )
    number = 200_000 if quick else 1_000_000
    repeat = 3 if quick else 7
    print(f"Creating one item (min of {repeat} x {number:,}), Python {platform.python_version()}")
    timings: list[tuple[str, float]] = []
    for label, statement in cases:
        timer = timeit.Timer(statement, globals=namespace)
        best = min(timer.repeat(repeat=repeat, number=number)) / number
        timings.append((label, best))
    fastest = min(best for _, best in timings)
    for label, best in timings:
        print(f"  {label:<34} {best * 1e9:7.1f} ns   {best / fastest:5.2f}x the fastest")


# -- main ----------------------------------------------------------------------


def _variant(stream: Stream, chunk_size: int, label: str = "") -> Variant:
    chunks = split(stream.body, chunk_size)
    return Variant(label or size_label(chunk_size), len(stream.body), chunks, stream.expected)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke run")
    parser.add_argument("--repeat", type=int, metavar="N", help="interleaved rounds per case")
    parser.add_argument(
        "--budget", type=float, metavar="SECONDS", help="skip a parser whose one run takes longer"
    )
    parser.add_argument("--items", action="store_true", help="only time Event creation")
    parser.add_argument(
        "--baseline",
        metavar="SRC",
        help="also time the parser of the sseproto package under SRC (another checkout's src"
        " directory), as the row 'sseproto baseline'",
    )
    args = parser.parse_args(argv)
    if args.items:
        bench_items(args.quick)
        return 0
    settings = Settings(
        repeat=(2 if args.quick else 5) if args.repeat is None else args.repeat,
        budget=(2.0 if args.quick else 10.0) if args.budget is None else args.budget,
        allowance=1.0 if args.quick else 12.0,
    )
    if settings.repeat < 1 or settings.budget <= 0:
        parser.error("--repeat and --budget must be positive")

    started = time.perf_counter()
    contenders, notes = load_contenders(args.baseline)
    print(f"Python {platform.python_version()} on {platform.platform()}")
    print("Parsers: " + ", ".join(notes))
    print(
        f"Time: min (and median) of up to {settings.repeat} interleaved rounds, perf_counter,"
        f" gc off during a run; a run over {settings.budget:g}s is stopped and the parser skipped."
    )
    print("vs sseproto = parser time / sseproto time (above 1: sseproto is faster).")

    summary: list[tuple[str, str, dict[tuple[str, str], Result]]] = []
    for stream in build_streams():
        for chunk_size in CHUNK_SIZES:
            variant = _variant(stream, chunk_size)
            results = run_case(contenders, [variant], settings)
            print_case(stream.title, variant, contenders, results, settings)
            summary.append((f"{stream.short}, {variant.label} chunks", variant.label, results))
            sys.stdout.flush()
            del variant

    small = _variant(_big_event(8 * MIB), DOUBLING_CHUNK, "8 MiB")
    large = _variant(_big_event(16 * MIB), DOUBLING_CHUNK, "16 MiB")
    results = run_case(contenders, [small, large], settings)
    print_doubling(small, large, contenders, results, settings)
    print_summary(summary, contenders, settings)
    print(f"\nTotal time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
