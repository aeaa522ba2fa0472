"""End-to-end cost of streaming a chat completion: this project's OpenRouter
client on each transport against the official ``openai`` client, the official
OpenRouter SDK (when its separate environment exists) and a minimal
hand-written loop, all reading the same stream from a local mock server.

The server (``openrouter.testing.MockOpenRouter``) runs in a process of its
own and every client run in a fresh process, which measures its own CPU time
(user + system) and wall time around the streaming; see e2e_clients.py.

Usage:
    python benchmarks/e2e.py                    # the full run, a few minutes
    python benchmarks/e2e.py --quick            # a smoke run, under a minute
    python benchmarks/e2e.py --repeat 9         # more rounds per client (default 5)
    python benchmarks/e2e.py --profile          # cProfile of the blocking client instead
    python benchmarks/e2e.py --only slow        # only the 1,000 slow streams (memory per stream)
    sh benchmarks/sdk-venv.sh                   # once: the official SDK in benchmarks/.sdk-venv

See benchmarks/README.md for what each table measures and how to read it.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import platform
import pstats
import site
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from openrouter.testing import MockOpenRouter, story_pieces

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLIENT_SCRIPT = HERE / "e2e_clients.py"
DEFAULT_SDK_PYTHON = HERE / ".sdk-venv" / "bin" / "python"

#: Longest a single client run may take before it is reported as an error.
RUN_TIMEOUT = 600.0

#: The short stories of the warm-up and time-to-first-chunk streams.
SHORT_CHUNKS = 20

# The targets, reported against (never asserted).
TARGET_SYNC_VS_OPENAI = 0.2
TARGET_CONCURRENT_VS_OPENAI = 0.25
TARGET_IMPORT_MS = 150.0
TARGET_SLOW_CPU_VS_FLOOR = 0.5


@dataclass(frozen=True)
class Settings:
    chunks: int
    streams: int
    stream_chunks: int
    ttfc_streams: int
    repeat: int
    import_runs: int
    slow_streams: int
    slow_chunks: int
    slow_delay: float
    slow_repeat: int


FULL = Settings(
    chunks=20_000,
    streams=200,
    stream_chunks=500,
    ttfc_streams=100,
    repeat=5,
    import_runs=7,
    slow_streams=1000,
    slow_chunks=100,
    slow_delay=0.02,
    slow_repeat=3,
)
QUICK = Settings(
    chunks=5_000,
    streams=50,
    stream_chunks=200,
    ttfc_streams=20,
    repeat=1,
    import_runs=3,
    slow_streams=50,
    slow_chunks=20,
    slow_delay=0.02,
    slow_repeat=1,
)


@dataclass(frozen=True)
class Row:
    """A client as a table row: ``key`` in e2e_clients.CLIENTS, ``kind``
    ``"sync"`` or ``"async"`` picks the reference rows its ratios use."""

    key: str
    label: str
    kind: str
    ours: bool = False
    sdk: bool = False


ROWS = {
    row.key: row
    for row in (
        Row("openrouter", "openrouter (sync sockets)", "sync", ours=True),
        Row("openrouter-httpx", "openrouter (httpx.Client)", "sync", ours=True),
        Row("openrouter-asyncio", "openrouter (asyncio)", "async", ours=True),
        Row("openrouter-trio", "openrouter (trio)", "async", ours=True),
        Row("openrouter-httpx-async", "openrouter (httpx.AsyncClient)", "async", ours=True),
        Row("openai", "openai OpenAI", "sync"),
        Row("openai-async", "openai AsyncOpenAI", "async"),
        Row("sdk", "OpenRouter SDK (official)", "sync", sdk=True),
        Row("floor", "floor: httpx + httpx-sse", "sync"),
        Row("floor-async", "floor async: httpx + httpx-sse", "async"),
        Row("floor-trio", "floor trio: httpx + httpx-sse", "async"),
        Row("sseproto-asyncio", "sseproto (asyncio) + json", "async", ours=True),
        Row("sseproto-trio", "sseproto (trio) + json", "async", ours=True),
    )
}

#: The reference rows of each kind: (openai, floor).
REFERENCES = {"sync": ("openai", "floor"), "async": ("openai-async", "floor-async")}

CONCURRENT_ROWS = [
    "openrouter-asyncio",
    "openrouter-trio",
    "openrouter-httpx-async",
    "openai-async",
    "floor-async",
    "floor-trio",
    "sseproto-asyncio",
    "sseproto-trio",
]
SLOW_ROWS = [
    "openrouter-asyncio",
    "sseproto-asyncio",
    "floor-async",
    "openrouter-trio",
    "sseproto-trio",
    "floor-trio",
]
#: The floor each async row of the slow and concurrent tables is compared
#: with: httpx + httpx-sse under the same event loop.
SAME_LOOP_FLOOR = dict.fromkeys(("openrouter-trio", "sseproto-trio", "floor-trio"), "floor-trio")
#: The rows of the concurrent and slow tests only.
_LOAD_ONLY = {"floor-trio", "sseproto-asyncio", "sseproto-trio"}
TTFC_ROWS = [key for key in ROWS if key not in _LOAD_ONLY]
STREAM_ROWS = [key for key in ROWS if key not in _LOAD_ONLY]


# -- the server ----------------------------------------------------------------------


def serve() -> int:
    """The server process: print the base URL, serve until stdin closes, then
    print the CPU seconds the server used."""
    server = MockOpenRouter()
    server.start()
    print(server.base_url, flush=True)
    sys.stdin.read()
    server.stop()
    times = os.times()
    print(json.dumps({"cpu": times.user + times.system}), flush=True)
    return 0


class Server:
    """MockOpenRouter in a child process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        stdout = self._stdout()
        self.base_url = stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            self.process.kill()
            raise RuntimeError("the mock server did not start")
        self.cpu: float | None = None

    def _stdout(self) -> IO[str]:
        stdout = self.process.stdout
        assert stdout is not None
        return stdout

    def stop(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.close()
        try:
            last = self._stdout().read().strip().splitlines()
            self.process.wait(timeout=10)
            if last:
                self.cpu = float(json.loads(last[-1])["cpu"])
        except (subprocess.TimeoutExpired, ValueError, KeyError):
            self.process.kill()
            self.process.wait()


# -- running clients -----------------------------------------------------------------


@dataclass
class Runs:
    """What one client measured over the rounds of one test."""

    results: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    mismatch: str = ""

    def best(self, key: str) -> float | None:
        values = [float(r[key]) for r in self.results]
        return min(values) if values else None

    def median(self, key: str) -> float | None:
        values = [float(r[key]) for r in self.results]
        return statistics.median(values) if values else None

    @property
    def chunks(self) -> int:
        return int(self.results[0]["chunks"]) if self.results else 0

    @property
    def status(self) -> str:
        return self.error or self.mismatch or ("ok" if self.results else "-")


def _digest(chunks: int) -> str:
    return hashlib.sha256("".join(story_pieces(chunks)).encode()).hexdigest()


def _client_env() -> dict[str, str]:
    """This process's environment with ``PYTHONPATH`` made absolute: the
    clients run in this directory, where a relative entry (``src``) would
    silently miss and import the installed package instead."""
    env = dict(os.environ)
    entries = env.get("PYTHONPATH", "")
    if entries:
        env["PYTHONPATH"] = os.pathsep.join(
            str(Path(entry).resolve()) for entry in entries.split(os.pathsep) if entry
        )
    return env


class Bench:
    def __init__(self, settings: Settings, server: Server, sdk_python: Path | None) -> None:
        self.settings = settings
        self.server = server
        self.sdk_python = sdk_python

    def available(self, key: str) -> bool:
        return not ROWS[key].sdk or self.sdk_python is not None

    def python_for(self, key: str) -> str:
        if ROWS[key].sdk:
            assert self.sdk_python is not None
            return str(self.sdk_python)
        return sys.executable

    def run_one(self, key: str, test: str, chunks: int, streams: int) -> dict[str, Any]:
        task = {
            "client": key,
            "test": test,
            "base_url": self.server.base_url,
            "chunks": chunks,
            "streams": streams,
            "delay": self.settings.slow_delay,
        }
        try:
            done = subprocess.run(
                [self.python_for(key), str(CLIENT_SCRIPT), json.dumps(task)],
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
                check=False,
                cwd=HERE,
                env=_client_env(),
            )
        except subprocess.TimeoutExpired:
            return {"error": f"ERROR: over {RUN_TIMEOUT:g} s"}
        lines = done.stdout.strip().splitlines()
        try:
            result: dict[str, Any] = json.loads(lines[-1])
        except (IndexError, ValueError):
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return {"error": f"ERROR: {tail}"[:100]}
        if "error" in result:
            result["error"] = f"ERROR: {result['error']}"[:100]
        return result

    def run_test(
        self,
        keys: Sequence[str],
        test: str,
        chunks: int,
        streams: int,
        expected: str,
        repeat: int | None = None,
    ) -> dict[str, Runs]:
        """Every client, ``repeat`` rounds (default: the settings'), the
        starting client rotating each round."""
        keys = [key for key in keys if self.available(key)]
        runs = {key: Runs() for key in keys}
        for round_number in range(self.settings.repeat if repeat is None else repeat):
            shift = round_number % len(keys)
            for key in keys[shift:] + keys[:shift]:
                if runs[key].error:
                    continue
                result = self.run_one(key, test, chunks, streams)
                if "error" in result:
                    runs[key].error = result["error"]
                    continue
                runs[key].results.append(result)
                if result["digests"] != [expected] and not runs[key].mismatch:
                    runs[key].mismatch = f"MISMATCH: {len(result['digests'])} distinct contents"
        return runs


# -- tables --------------------------------------------------------------------------


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or base is None or base <= 0:
        return "-"
    return f"{value / base:.2f}x"


def _num(value: float | None, scale: float = 1.0, digits: int = 1) -> str:
    return "-" if value is None else f"{value * scale:,.{digits}f}"


def _refs(runs: dict[str, Runs], key: str, metric: str) -> tuple[float | None, float | None]:
    openai_key, floor_key = REFERENCES[ROWS[key].kind]
    first = runs[openai_key].best(metric) if openai_key in runs else None
    second = runs[floor_key].best(metric) if floor_key in runs else None
    return first, second


def print_stream(runs: dict[str, Runs], settings: Settings) -> None:
    print(
        f"\n1. One stream of {settings.chunks:,} chunks: client CPU (user+sys) and wall time"
        f" around the stream, min of {settings.repeat} round(s)"
    )
    row = "  {:<31} {:>9} {:>9} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}  {}"
    print(
        row.format(
            "client",
            "CPU ms",
            "median",
            "us/chunk",
            "wall ms",
            "CPU/oai",
            "CPU/floor",
            "wall/oai",
            "wall/flr",
            "result",
        )
    )
    for key, result in runs.items():
        cpu, wall = result.best("cpu"), result.best("wall")
        per_chunk = cpu / result.chunks * 1e6 if cpu is not None and result.chunks else None
        cpu_openai, cpu_floor = _refs(runs, key, "cpu")
        wall_openai, wall_floor = _refs(runs, key, "wall")
        print(
            row.format(
                ROWS[key].label,
                _num(cpu, 1000),
                _num(result.median("cpu"), 1000),
                _num(per_chunk, 1, 2),
                _num(wall, 1000),
                _ratio(cpu, cpu_openai),
                _ratio(cpu, cpu_floor),
                _ratio(wall, wall_openai),
                _ratio(wall, wall_floor),
                result.status,
            )
        )
    print(
        "  Ratios: blocking rows against openai OpenAI and the blocking floor, async rows"
        " against AsyncOpenAI and the async floor (below 1: cheaper than the reference)."
    )


def print_concurrent(runs: dict[str, Runs], settings: Settings) -> None:
    print(
        f"\n2. {settings.streams} concurrent streams of {settings.stream_chunks:,} chunks,"
        f" one client: total CPU, wall, peak RSS of the process (min CPU/wall, median RSS"
        f" of {settings.repeat} round(s))"
    )
    row = "  {:<31} {:>8} {:>9} {:>8} {:>9} {:>8} {:>9} {:>9} {:>9} {:>9}  {}"
    print(
        row.format(
            "client",
            "CPU s",
            "us/chunk",
            "wall s",
            "peak MB",
            "+MB",
            "CPU/aoai",
            "CPU/floor",
            "peak/flr",
            "peak/aoai",
            "result",
        )
    )
    for key, result in runs.items():
        cpu = result.best("cpu")
        per_chunk = cpu / result.chunks * 1e6 if cpu is not None and result.chunks else None
        peak = result.median("rss_peak_kib")
        before = result.median("rss_before_kib")
        growth = peak - before if peak is not None and before is not None else None
        cpu_openai, cpu_floor = _refs(runs, key, "cpu")
        openai_key, floor_key = REFERENCES["async"]
        floor_key = SAME_LOOP_FLOOR.get(key, floor_key)
        if floor_key in runs:
            cpu_floor = runs[floor_key].best("cpu")
        peak_floor = runs[floor_key].median("rss_peak_kib") if floor_key in runs else None
        peak_openai = runs[openai_key].median("rss_peak_kib") if openai_key in runs else None
        print(
            row.format(
                ROWS[key].label,
                _num(cpu, 1, 2),
                _num(per_chunk, 1, 2),
                _num(result.best("wall"), 1, 2),
                _num(peak, 1 / 1024),
                _num(growth, 1 / 1024),
                _ratio(cpu, cpu_openai),
                _ratio(cpu, cpu_floor),
                _ratio(peak, peak_floor),
                _ratio(peak, peak_openai),
                result.status,
            )
        )
    print(
        "  peak MB: ru_maxrss of the client process (interpreter and imports included);"
        " +MB: its growth during the streams. CPU/floor and peak/flr: against the floor"
        " under the same event loop (trio rows: the trio floor)."
    )


def _per_stream_kib(result: Runs, streams: int) -> float | None:
    """Median over the rounds of (peak RSS during the streams - RSS at their
    start) / streams, from the client's sampled RSS (ru_maxrss growth where
    the platform has no sample)."""
    values = [
        (float(r["rss_sampled_peak_kib"]) - float(r["rss_base_kib"])) / streams
        if "rss_sampled_peak_kib" in r
        else (float(r["rss_peak_kib"]) - float(r["rss_before_kib"])) / streams
        for r in result.results
    ]
    return statistics.median(values) if values else None


def _median_of(result: Runs, key: str, fallback: str) -> float | None:
    """The median of ``key`` over the rounds, or of ``fallback`` without it."""
    present = all(key in r for r in result.results)
    return result.median(key if present else fallback)


def print_slow(runs: dict[str, Runs], settings: Settings) -> None:
    print(
        f"\n5. {settings.slow_streams:,} concurrent slow streams of {settings.slow_chunks} chunks,"
        f" {settings.slow_delay * 1000:g} ms apart, one client: memory per open stream and CPU"
        f" (min CPU, median memory of {settings.slow_repeat} round(s))"
    )
    row = "  {:<31} {:>8} {:>9} {:>8} {:>9} {:>9} {:>10} {:>9} {:>9}  {}"
    print(
        row.format(
            "client",
            "CPU s",
            "us/chunk",
            "wall s",
            "base MB",
            "peak MB",
            "KiB/stream",
            "CPU/floor",
            "mem/floor",
            "result",
        )
    )
    for key, result in runs.items():
        cpu = result.best("cpu")
        per_chunk = cpu / result.chunks * 1e6 if cpu is not None and result.chunks else None
        floor_key = SAME_LOOP_FLOOR.get(key, "floor-async")
        floor = runs.get(floor_key)
        per_stream = _per_stream_kib(result, settings.slow_streams)
        print(
            row.format(
                ROWS[key].label,
                _num(cpu, 1, 2),
                _num(per_chunk, 1, 2),
                _num(result.best("wall"), 1, 2),
                _num(_median_of(result, "rss_base_kib", "rss_before_kib"), 1 / 1024),
                _num(_median_of(result, "rss_sampled_peak_kib", "rss_peak_kib"), 1 / 1024),
                _num(per_stream),
                _ratio(cpu, floor.best("cpu") if floor else None),
                _ratio(
                    per_stream, _per_stream_kib(floor, settings.slow_streams) if floor else None
                ),
                result.status,
            )
        )
    print(
        "  base MB: RSS when the streams start (after imports and a warm-up stream); peak MB:"
        " highest RSS sampled every 5 ms during them; KiB/stream: (peak - base) / streams. Each"
        " client runs in its own process; ratios against the floor under the same event loop."
    )


def print_memory_targets(
    concurrent: dict[str, Runs], slow: dict[str, Runs], settings: Settings
) -> None:
    """The memory targets: per event loop, against httpx + httpx-sse under it."""
    lines: list[tuple[bool | None, str]] = []
    for ours, floor, loop in (
        ("openrouter-asyncio", "floor-async", "openrouter, asyncio"),
        ("sseproto-asyncio", "floor-async", "sseproto, asyncio"),
        ("openrouter-trio", "floor-trio", "openrouter, trio"),
        ("sseproto-trio", "floor-trio", "sseproto, trio"),
    ):
        if ours in slow and floor in slow:
            mine = _per_stream_kib(slow[ours], settings.slow_streams)
            theirs = _per_stream_kib(slow[floor], settings.slow_streams)
            ok, text = _bound(mine, theirs, 1.0, "httpx + httpx-sse's")
            if mine is not None and theirs is not None:
                text += f" ({mine:.1f} vs {theirs:.1f} KiB)"
            lines.append((ok, f"{settings.slow_streams:,} slow streams ({loop}) RSS/stream {text}"))
            ok, text = _bound(
                slow[ours].best("cpu"),
                slow[floor].best("cpu"),
                TARGET_SLOW_CPU_VS_FLOOR,
                "httpx + httpx-sse's",
            )
            lines.append((ok, f"{settings.slow_streams:,} slow streams ({loop}) CPU {text}"))
        if ours in concurrent and floor in concurrent:
            ok, text = _bound(
                concurrent[ours].median("rss_peak_kib"),
                concurrent[floor].median("rss_peak_kib"),
                1.0,
                "httpx + httpx-sse's",
            )
            lines.append((ok, f"{settings.streams} fast streams ({loop}) peak RSS {text}"))
            ok, text = _bound(
                concurrent[ours].best("cpu"),
                concurrent[floor].best("cpu"),
                TARGET_SLOW_CPU_VS_FLOOR,
                "httpx + httpx-sse's",
            )
            lines.append((ok, f"{settings.streams} fast streams ({loop}) CPU {text}"))
    for ok, text in lines:
        print(f"  {_verdict(ok)}  {text}")


def print_ttfc(runs: dict[str, Runs], settings: Settings) -> None:
    print(
        f"\n3. Time to first chunk: mean over {settings.ttfc_streams} sequential streams of"
        f" {SHORT_CHUNKS} chunks on one client (connection kept alive), min of"
        f" {settings.repeat} round(s)"
    )
    row = "  {:<31} {:>9} {:>10} {:>14} {:>9} {:>10}  {}"
    print(
        row.format(
            "client", "mean ms", "median ms", "overhead us", "vs floor", "CPU/stream", "result"
        )
    )
    for key, result in runs.items():
        mean = result.best("ttfc_mean")
        _, floor = _refs(runs, key, "ttfc_mean")
        overhead = (mean - floor) * 1e6 if mean is not None and floor is not None else None
        cpu = result.best("cpu")
        per_stream = cpu / settings.ttfc_streams * 1000 if cpu is not None else None
        print(
            row.format(
                ROWS[key].label,
                _num(mean, 1000, 3),
                _num(result.best("ttfc_median"), 1000, 3),
                "-" if overhead is None else f"{overhead:+,.0f}",
                _ratio(mean, floor),
                "-" if per_stream is None else f"{per_stream:.2f} ms",
                result.status,
            )
        )
    print(
        "  overhead: mean time to first chunk minus the floor's of the same kind (blocking or"
        " async); CPU/stream: client CPU per whole short stream."
    )


# -- import time ---------------------------------------------------------------------

_IMPORT_CODE = (
    "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
)


def import_time(python: str, module: str, runs: int) -> list[float] | str:
    """Seconds to import ``module`` in fresh interpreters (after one discarded
    run that writes the bytecode caches)."""
    times: list[float] = []
    for index in range(runs + 1):
        done = subprocess.run(
            [python, "-c", _IMPORT_CODE.format(module=module)],
            capture_output=True,
            text=True,
            check=False,
            cwd=HERE,
        )
        if done.returncode != 0:
            return "ERROR: " + (done.stderr.strip().splitlines() or ["failed"])[-1][:80]
        if index:
            times.append(float(done.stdout.strip()))
    return times


def print_imports(results: list[tuple[str, str, list[float] | str]], runs: int) -> None:
    print(f"\n4. Import time in a fresh interpreter, median of {runs} runs")
    row = "  {:<44} {:>10} {:>8} {:>10}"
    print(row.format("import", "median ms", "min ms", "vs openai"))
    base: float | None = None
    for label, _, times in results:
        if label == "import openai" and not isinstance(times, str):
            base = statistics.median(times)
    for label, _, times in results:
        if isinstance(times, str):
            print(row.format(label, times, "", ""))
            continue
        median = statistics.median(times)
        print(row.format(label, _num(median, 1000), _num(min(times), 1000), _ratio(median, base)))


# -- targets -------------------------------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else "PASS" if ok else "MISS"


def _bound(
    ours: float | None, reference: float | None, factor: float, what: str
) -> tuple[bool | None, str]:
    bound = f"<= {factor:g}x {what}" if factor != 1.0 else f"<= {what}"
    if ours is None or reference is None or reference <= 0:
        return None, f"{bound}: not measured"
    return ours <= factor * reference, f"{bound}: {ours / reference:.2f}x"


def print_targets(
    stream: dict[str, Runs],
    concurrent: dict[str, Runs],
    imports: list[tuple[str, str, list[float] | str]],
) -> bool:
    """Print PASS/MISS per target; return whether the blocking stream missed one."""
    print("\nTargets (reported, not asserted; ratios of the min CPU times above)")
    lines: list[tuple[bool | None, str]] = []

    def per_chunk(key: str) -> float | None:
        result = stream.get(key)
        cpu = result.best("cpu") if result is not None else None
        if result is None or cpu is None or not result.chunks:
            return None
        return cpu / result.chunks

    ours = per_chunk("openrouter")
    sync_checks = (
        _bound(ours, per_chunk("openai"), TARGET_SYNC_VS_OPENAI, "openai's"),
        _bound(ours, per_chunk("floor"), 1.0, "the floor's"),
    )
    lines += [(ok, f"blocking (sockets) CPU per chunk {text}") for ok, text in sync_checks]

    def cpu(key: str) -> float | None:
        return concurrent[key].best("cpu") if key in concurrent else None

    def peak(key: str) -> float | None:
        return concurrent[key].median("rss_peak_kib") if key in concurrent else None

    ours_cpu = cpu("openrouter-asyncio")
    ours_peak = peak("openrouter-asyncio")
    prefix = "concurrent streams (asyncio)"
    lines += [
        (ok, f"{prefix} CPU {text}")
        for ok, text in (
            _bound(ours_cpu, cpu("openai-async"), TARGET_CONCURRENT_VS_OPENAI, "AsyncOpenAI's"),
            _bound(ours_cpu, cpu("floor-async"), 1.0, "the async floor's"),
        )
    ]
    for key, name in (("floor-async", "the async floor's"), ("openai-async", "AsyncOpenAI's")):
        other = peak(key)
        ok, text = _bound(ours_peak, other, 1.0, name)
        if ours_peak is not None and other is not None:
            text += f" ({ours_peak / 1024:.1f} MB vs {other / 1024:.1f} MB)"
        lines.append((ok, f"{prefix} peak RSS {text}"))

    ours_import = next((t for label, _, t in imports if "this project" in label), None)
    if isinstance(ours_import, list) and ours_import:
        median = statistics.median(ours_import) * 1000
        lines.append(
            (
                median < TARGET_IMPORT_MS,
                f"import openrouter < {TARGET_IMPORT_MS:g} ms: {median:.1f} ms",
            )
        )
    else:
        lines.append((None, f"import openrouter < {TARGET_IMPORT_MS:g} ms: not measured"))

    for ok, text in lines:
        print(f"  {_verdict(ok)}  {text}")
    return any(ok is False for ok, _ in sync_checks)


# -- profile -------------------------------------------------------------------------


def _where(filename: str, line: int) -> str:
    """``file:line`` relative to the project, site-packages or the standard library."""
    path = Path(filename).resolve()
    bases = [ROOT, *(Path(p).resolve() for p in site.getsitepackages())]
    bases.append(Path(sysconfig.get_paths()["stdlib"]).resolve())
    for base in bases:
        if path.is_relative_to(base):
            return f"{path.relative_to(base)}:{line}"
    return f"{filename}:{line}"


def profile(chunks: int, top: int) -> int:
    """cProfile the blocking client (default transport) over one stream, in this
    process, with the server in its own."""
    sys.path.insert(0, str(HERE))
    import e2e_clients  # noqa: PLC0415

    server = Server()
    try:
        client = e2e_clients.openrouter_sync(server.base_url, "sockets")
        model = f"mock/story?chunks={chunks}"
        list(client.chunks("mock/story"))
        profiler = cProfile.Profile()
        started = time.perf_counter()
        count = len(profiler.runcall(lambda: list(client.chunks(model))))
        elapsed = time.perf_counter() - started
        client.close()
    finally:
        server.stop()
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    print(
        f"cProfile of openrouter.OpenRouter (sync sockets) over one stream of {count:,} chunks:"
        f" {elapsed * 1000:,.0f} ms under the profiler (wall clock: the time in recv() is mostly"
        " waiting for the server)"
    )
    row = "  {:>9} {:>9} {:>6} {:>9} {:>8}  {}"
    for title, index in (("own time (tottime)", 2), ("cumulative time", 3)):
        print(f"\nTop {top} functions by {title}")
        print(row.format("calls", "own ms", "own %", "cum ms", "us/call", "where"))
        ranked = sorted(raw.items(), key=lambda item: item[1][index], reverse=True)[:top]
        for (filename, line, name), (_, calls, own, cum, _) in ranked:
            where = name if filename == "~" else f"{_where(filename, line)} {name}"
            print(
                row.format(
                    f"{calls:,}",
                    f"{own * 1000:,.1f}",
                    f"{own / total * 100:.1f}",
                    f"{cum * 1000:,.1f}",
                    f"{own / calls * 1e6:.2f}",
                    where,
                )
            )
    return 0


# -- main ----------------------------------------------------------------------------


def _sdk_python(option: str | None) -> tuple[Path | None, str]:
    if option:
        path = Path(option)
        if not path.exists():
            return None, f"--sdk-python {option} does not exist"
        return path, f"official OpenRouter SDK from {path}"
    if DEFAULT_SDK_PYTHON.exists():
        return DEFAULT_SDK_PYTHON, f"official OpenRouter SDK from {DEFAULT_SDK_PYTHON}"
    return None, (
        "official OpenRouter SDK NOT AVAILABLE (no benchmarks/.sdk-venv: run"
        " sh benchmarks/sdk-venv.sh, or pass --sdk-python)"
    )


def _sdk_version(python: Path | None) -> str:
    if python is None:
        return ""
    code = "from importlib.metadata import version; print(version('openrouter'))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "?"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer chunks and streams, 1 round")
    parser.add_argument("--repeat", type=int, metavar="N", help="rounds per client and test")
    parser.add_argument(
        "--sdk-python",
        metavar="PATH",
        help="interpreter with the official OpenRouter SDK (default: benchmarks/.sdk-venv)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="only cProfile the blocking client over one stream"
    )
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    parser.add_argument(
        "--only",
        choices=("concurrent", "slow"),
        help="only this test: the concurrent fast streams or the slow streams (with their"
        " memory targets)",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve()
    settings = QUICK if args.quick else FULL
    if args.repeat is not None:
        if args.repeat < 1:
            parser.error("--repeat must be positive")
        settings = Settings(**{**settings.__dict__, "repeat": args.repeat})
    if args.profile:
        return profile(settings.chunks, args.top)

    started = time.perf_counter()
    sdk_python, sdk_note = _sdk_python(args.sdk_python)
    from importlib.metadata import version  # noqa: PLC0415

    print(f"Python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print(
        f"Clients: openrouter {version('sseproto')} (this project), openai {version('openai')},"
        f" httpx {version('httpx')}, httpx-sse {version('httpx-sse')}"
    )
    sdk_version = _sdk_version(sdk_python)
    print(f"SDK: {sdk_note}" + (f", version {sdk_version}" if sdk_version else ""))
    print(
        "Server: openrouter.testing.MockOpenRouter in its own process on 127.0.0.1; each client"
        " run is a fresh process that measures itself after imports and one warm-up stream."
    )
    sys.stdout.flush()

    server = Server()
    stream: dict[str, Runs] = {}
    concurrent: dict[str, Runs] = {}
    ttfc: dict[str, Runs] = {}
    slow: dict[str, Runs] = {}
    try:
        bench = Bench(settings, server, sdk_python)
        if args.only is None:
            stream = bench.run_test(
                STREAM_ROWS, "stream", settings.chunks, 1, _digest(settings.chunks)
            )
            print_stream(stream, settings)
            sys.stdout.flush()
        if args.only in (None, "concurrent"):
            concurrent = bench.run_test(
                CONCURRENT_ROWS,
                "concurrent",
                settings.stream_chunks,
                settings.streams,
                _digest(settings.stream_chunks),
            )
            print_concurrent(concurrent, settings)
            sys.stdout.flush()
        if args.only is None:
            ttfc = bench.run_test(
                TTFC_ROWS, "ttfc", SHORT_CHUNKS, settings.ttfc_streams, _digest(SHORT_CHUNKS)
            )
            print_ttfc(ttfc, settings)
            sys.stdout.flush()
        if args.only in (None, "slow"):
            slow = bench.run_test(
                SLOW_ROWS,
                "slow",
                settings.slow_chunks,
                settings.slow_streams,
                _digest(settings.slow_chunks),
                repeat=settings.slow_repeat,
            )
            print_slow(slow, settings)
            sys.stdout.flush()
    finally:
        server.stop()
    if args.only is not None:
        print("\nMemory targets (reported, not asserted)")
        print_memory_targets(concurrent, slow, settings)
        return _report_broken((concurrent, slow))

    wanted = [
        ("import openrouter (this project)", "openrouter", sys.executable),
        ("import openai", "openai", sys.executable),
    ]
    if sdk_python is not None:
        wanted.append(("import openrouter (official SDK)", "openrouter", str(sdk_python)))
    imports: list[tuple[str, str, list[float] | str]] = [
        (label, module, import_time(python, module, settings.import_runs))
        for label, module, python in wanted
    ]
    print_imports(imports, settings.import_runs)
    if sdk_python is None:
        print("  (official SDK not measured: " + sdk_note.split("(", 1)[-1])

    sync_missed = print_targets(stream, concurrent, imports)
    print_memory_targets(concurrent, slow, settings)
    if sync_missed:
        print("  -> the blocking path misses a target: see --profile for its hotspots")
    if server.cpu is not None:
        print(f"\nServer CPU over all the runs: {server.cpu:.1f} s (not counted for any client)")
    print(f"Total time: {time.perf_counter() - started:.1f} s")
    return _report_broken((stream, concurrent, ttfc, slow))


def _report_broken(tests: Sequence[dict[str, Runs]]) -> int:
    # A client that failed or received other content fails the run (targets
    # are reported, never asserted: timings on a shared machine are noise).
    broken = [key for runs in tests for key, run in runs.items() if run.error or run.mismatch]
    if broken:
        print(f"FAILED: {', '.join(broken)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
