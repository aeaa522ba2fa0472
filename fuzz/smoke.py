"""A short fuzz run for CI: exits non-zero when any invariant fails.

Steps (all drive the checks of invariants.py):

1. replay every seed in fuzz/corpus and fuzz/corpus-http11 (and, with
   atheris installed, check that the pure-Python input decoder reads each
   seed exactly as atheris does);
2. hypothesis: parser properties on generated streams and chunkings, encoder
   round trips on generated values, and the HTTP/1.1 exchange and chunk
   decoder properties of invariants_http11.py on generated responses (runs
   without atheris too);
3. with atheris installed: each coverage-guided target (fuzz_parser.py,
   fuzz_http11.py) for a bounded time, in a subprocess, over a temporary copy
   of its corpus (the seed directories are never written to). A crash input
   is kept in a temporary directory whose path is printed.

With ``--seed N`` the run is repeatable: hypothesis draws its examples
from seed N and atheris starts from ``-seed=N``, so CI fails on
a regression, not on whatever a random run happened to find. Without it each
run explores new inputs, which is what a person running it by hand wants.

Usage: python fuzz/smoke.py [--examples N] [--http-examples N]
       [--atheris-seconds S] [--http-atheris-seconds S] [--no-atheris]
       [--seed N]
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import invariants
import invariants_http11
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from invariants import FuzzCase, RoundTripValues
from invariants_http11 import HTTPCase

import sseproto

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
TARGET = HERE / "fuzz_parser.py"
DICTIONARY = HERE / "sse.dict"
HTTP_CORPUS = HERE / "corpus-http11"
HTTP_TARGET = HERE / "fuzz_http11.py"
HTTP_DICTIONARY = HERE / "http11.dict"

# Pieces of streams that reach the parser's interesting paths quickly.
_FRAGMENTS: list[bytes] = [
    b"data",
    b"data:",
    b"data: ",
    b"event:",
    b"event: ",
    b"id",
    b"id:",
    b"id: ",
    b"retry:",
    b"retry: ",
    b"Data:",
    b":",
    b": ",
    b" ",
    b"\r",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"\xef\xbb\xbf",
    b"\x00",
    b"5",
    b"+5",
    b"1_0",
    "\u0663".encode(),
    b"x",
    b"\xff",
    b"\xe2\x82",
    "\u00e9\u20ac\U0001d11e".encode(),
    "\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e".encode(),
    b"9" * 4301,
    b"[DONE]",
    b'{"error": {"code": 502}}',
]

_FIELDS = [b"data: ", b"data:", b"data", b"event: ", b"id: ", b"id", b"retry: ", b": ", b":", b""]
_ENDINGS = [b"\n", b"\r\n", b"\r", b"\n\n", b"\r\n\r\n", b"\r\r", b"\n\r\n"]
_pieces = st.one_of(st.sampled_from(_FRAGMENTS), st.binary(max_size=4))
# Line-shaped streams: a field, a value made of pieces, a line ending (CR,
# LF, CRLF or a blank line), repeated; optionally a BOM first and an
# unfinished line last.
_lines = st.tuples(
    st.sampled_from(_FIELDS),
    st.lists(_pieces, max_size=4).map(b"".join),
    st.sampled_from(_ENDINGS),
).map(b"".join)
_line_streams = st.tuples(
    st.sampled_from([b"", b"", b"\xef\xbb\xbf"]),
    st.lists(_lines, min_size=1, max_size=12).map(b"".join),
    st.one_of(st.just(b""), _lines.map(lambda line: line.rstrip(b"\r\n"))),
).map(b"".join)
_streams = st.one_of(
    _line_streams,
    st.binary(max_size=300),
    st.lists(_pieces, max_size=40).map(b"".join),
)


@st.composite
def fuzz_cases(draw: st.DrawFn) -> FuzzCase:
    """A stream with arbitrary cut points, options and limits.

    Small limits are often drawn near the stream's line lengths, where
    off-by-one mistakes would show (a ``data: `` line of n bytes adds n - 5
    to the data buffer).
    """
    stream = draw(_streams)
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=16)))
    near = sorted(
        {
            length + delta
            for length in invariants.line_lengths(stream)
            for delta in range(-6, 2)
            if 1 <= length + delta <= invariants.SMALL_LIMIT_MAX
        }
    )
    choices = [st.none(), st.integers(1, invariants.SMALL_LIMIT_MAX)]
    if near:
        choices.append(st.sampled_from(near))
    limits = st.one_of(*choices)
    max_line_size = draw(limits)
    max_event_size = draw(limits)
    return FuzzCase(
        stream=stream,
        cuts=tuple(cuts),
        comments=draw(st.booleans()),
        max_line_size=max_line_size or sseproto.DEFAULT_MAX_LINE_SIZE,
        max_event_size=max_event_size or sseproto.DEFAULT_MAX_EVENT_SIZE,
        seed=draw(st.integers(0, 255)),
    )


_awkward_text = st.sampled_from(
    ["", "message", "\n", "a\r\nb", "\r", "\0", " x", "\ufeff", "é", "a\ud800b"]
)
_field_text = st.one_of(st.text(max_size=12), _awkward_text)
round_trip_values = st.builds(
    RoundTripValues,
    data=st.one_of(st.text(), _awkward_text),
    type=st.one_of(st.none(), _field_text),
    id=st.one_of(st.none(), _field_text),
    retry=st.one_of(st.none(), st.integers(min_value=-2), st.just(10**4300)),
    comment=st.one_of(st.none(), _field_text),
)


# Pieces of HTTP/1.1 responses: status lines, header fields, framing and
# the JSON chunk streams that LLM APIs send in the body.
_STATUS_LINES = [
    b"HTTP/1.1 200 OK\r\n",
    b"HTTP/1.0 200 OK\r\n",
    b"HTTP/1.1 200 \r\n",
    b"HTTP/1.1 100 Continue\r\n\r\n",
    b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\n",
    b"HTTP/1.1 204 No Content\r\n",
    b"HTTP/1.1 304 Not Modified\r\n",
    b"HTTP/1.1 502 Bad Gateway\r\n",
    b"HTTP/1.1 2OO OK\r\n",
    b"HTTP/1.1 200 OK\n",
    b"HTTP/2 200\r\n",
    b"",
]
_HEADER_FIELDS = [
    b"Content-Type: text/event-stream\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n",
    b"Connection: close\r\n",
    b"Connection: keep-alive\r\n",
    b"Content-Length: 0\r\n",
    b"Content-Length: 1, 2\r\n",
    b"Content-Length: -1\r\n",
    b" folded\r\n",
    b"X-Bad Name: v\r\n",
    b"X-Big: " + b"a" * 300 + b"\r\n",
    b"x-ok:\tv \r\n",
]
_SSE_EVENTS = [
    b": OPENROUTER PROCESSING\n\n",
    b'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n',
    b'data: {"error":{"code":502,"message":"Provider returned error"}}\n\n',
    b'data: {"error":null}\n\n',
    b"data: [DONE]\n\n",
    b"data: {oops\n\n",
    b"data: NaN\n\n",
    b"data: 1\r\ndata: 2\r\n\r\n",
    b"event: ping\ndata: {}\n\n",
    b"data: [[[[[[[[\n\n",
    b"data: ",
]
_sse_bodies = st.lists(
    st.one_of(st.sampled_from(_SSE_EVENTS), st.binary(max_size=6)), max_size=8
).map(b"".join)


@st.composite
def http_responses(draw: st.DrawFn) -> bytes:
    """A response head (status line, fields) and a body framed by chunked
    encoding, Content-Length (right or wrong) or nothing, then maybe noise."""
    head = draw(st.lists(st.sampled_from(_STATUS_LINES), min_size=1, max_size=3).map(b"".join))
    fields = draw(st.lists(st.sampled_from(_HEADER_FIELDS), max_size=4).map(b"".join))
    parts = draw(st.lists(_sse_bodies, max_size=4))
    body = b"".join(parts)
    framing = draw(st.sampled_from(["chunked", "length", "close"]))
    if framing == "chunked":
        fields += b"Transfer-Encoding: chunked\r\n"
        ext = draw(st.sampled_from([b"", b";a=b", b";" + b"x" * 40]))
        payload = b"".join(b"%x%s\r\n%s\r\n" % (len(p), ext, p) for p in parts if p)
        payload += draw(st.sampled_from([b"0\r\n\r\n", b"0\r\nt: v\r\n\r\n", b"0\r\n", b""]))
    elif framing == "length":
        fields += b"Content-Length: %d\r\n" % (len(body) + draw(st.integers(-3, 3)))
        payload = body
    else:
        payload = body
    tail = draw(st.one_of(st.just(b""), st.binary(max_size=8), st.sampled_from(_STATUS_LINES)))
    response = head + fields + b"\r\n" + payload + tail
    if draw(st.booleans()):
        # Cut it short, or drop or flip a byte somewhere.
        index = draw(st.integers(0, len(response)))
        how = draw(st.sampled_from(["cut", "drop", "flip"]))
        if how == "cut":
            response = response[:index]
        elif index < len(response):
            byte = b"" if how == "drop" else bytes([response[index] ^ draw(st.integers(1, 255))])
            response = response[:index] + byte + response[index + 1 :]
    return response


@st.composite
def http_cases(draw: st.DrawFn) -> HTTPCase:
    """A response (or raw bytes, or a bare SSE body) with options and a chunking."""
    stream = draw(st.one_of(http_responses(), _sse_bodies, st.binary(max_size=200)))
    small = draw(st.one_of(st.none(), st.integers(1, invariants_http11.SMALL_LIMIT_MAX)))
    limits = {}
    if small is not None:
        limits = {"max_header_size": small, "max_line_size": small, "max_event_size": small}
    return HTTPCase(
        stream=stream,
        style=draw(st.integers(0, 3)),
        seed=draw(st.integers(0, 255)),
        eof=draw(st.booleans()),
        head=draw(st.integers(0, 7)) == 0,
        heartbeats=draw(st.booleans()),
        is_error=draw(st.booleans()),
        sentinel=draw(st.integers(0, 5)) > 0,
        **limits,
    )


class Report:
    """Collects what ran and what failed, for the summary."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failures: list[str] = []

    def step(self, name: str, action: Callable[[], str]) -> None:
        start = time.monotonic()
        try:
            detail = action()
        except Exception:
            traceback.print_exc()
            self.failures.append(name)
            detail = "FAILED (see above)"
        self.lines.append(f"  {name:<22} {detail} [{time.monotonic() - start:.1f}s]")


def replay_corpus() -> str:
    seeds = sorted(path for path in CORPUS.iterdir() if path.is_file())
    if not seeds:
        raise RuntimeError(f"no seed files in {CORPUS}")
    for path in seeds:
        try:
            invariants.check_all(FuzzCase.from_bytes(path.read_bytes()))
        except Exception as exc:
            exc.add_note(f"seed file: {path}")
            raise
    return f"{len(seeds)} seeds, all invariants hold"


def replay_http_corpus() -> str:
    seeds = sorted(path for path in HTTP_CORPUS.iterdir() if path.is_file())
    if not seeds:
        raise RuntimeError(f"no seed files in {HTTP_CORPUS}")
    for path in seeds:
        try:
            invariants_http11.check_all(HTTPCase.from_bytes(path.read_bytes()))
        except Exception as exc:
            exc.add_note(f"seed file: {path}")
            raise
    return f"{len(seeds)} seeds, all invariants hold"


def check_decoder_agreement() -> str:
    """The pure decoder must read inputs exactly as atheris.FuzzedDataProvider does."""
    provider = importlib.import_module("atheris").FuzzedDataProvider
    inputs = [
        path.read_bytes()
        for directory in (CORPUS, HTTP_CORPUS)
        for path in sorted(directory.iterdir())
        if path.is_file()
    ]
    inputs += [b"", b"\x00", b"\xff", b"\x1f\x07", b"ab\xff\xfe"] + [
        os.urandom(20) for _ in range(200)
    ]
    for data in inputs:
        same = FuzzCase.from_source(provider(data)) == FuzzCase.from_bytes(data)
        same_http = HTTPCase.from_source(provider(data)) == HTTPCase.from_bytes(data)
        if not (same and same_http):
            raise invariants.InvariantViolation(
                f"TailReader and FuzzedDataProvider decode {data!r} differently"
            )
    return f"{len(inputs)} inputs decoded identically"


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _seeded(test: Callable[[], None], seed: int | None) -> Callable[[], None]:
    return test if seed is None else hypothesis_seed(seed)(test)


def run_hypothesis(examples: int, seed: int | None = None) -> str:
    counts = {"parser": 0, "round trip": 0}
    config = _settings(examples)

    @config
    @given(fuzz_cases())
    def parser_properties(case: FuzzCase) -> None:
        counts["parser"] += 1
        invariants.check_all(case)

    @config
    @given(round_trip_values)
    def round_trip(values: RoundTripValues) -> None:
        counts["round trip"] += 1
        invariants.check_round_trip(values)

    _seeded(parser_properties, seed)()
    _seeded(round_trip, seed)()
    return ", ".join(f"{count} {name} examples" for name, count in counts.items())


def run_http_hypothesis(examples: int, seed: int | None = None) -> str:
    count = 0

    @_settings(examples)
    @given(http_cases())
    def http_properties(case: HTTPCase) -> None:
        nonlocal count
        count += 1
        invariants_http11.check_all(case)

    _seeded(http_properties, seed)()
    return f"{count} exchange/decoder examples"


def run_atheris(
    seconds: int,
    target: Path = TARGET,
    corpus: Path = CORPUS,
    dictionary: Path = DICTIONARY,
    seed: int | None = None,
) -> str:
    with tempfile.TemporaryDirectory(prefix="sseproto-fuzz-") as tmp:
        work = Path(tmp) / "corpus"
        shutil.copytree(corpus, work)
        artifacts = Path(tempfile.mkdtemp(prefix="sseproto-fuzz-artifacts-"))
        command = [
            sys.executable,
            str(target),
            str(work),
            f"-dict={dictionary}",
            f"-max_total_time={seconds}",
            "-max_len=4096",
            "-timeout=20",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={artifacts}{os.sep}",
            *([] if seed is None else [f"-seed={seed}"]),
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 120, check=False
        )
        done = re.search(r"Done (\d+) runs in (\d+) second", result.stderr)
        if result.returncode != 0 or done is None:
            sys.stderr.write(result.stderr[-6000:])
            crashes = sorted(str(path) for path in artifacts.iterdir())
            raise RuntimeError(
                f"atheris exited with {result.returncode}; inputs kept: {crashes or 'none'}\n"
                f"replay one with: {sys.executable} {target} <file>"
            )
        shutil.rmtree(artifacts)
        corpus_size = sum(1 for _ in work.iterdir())
        return f"{done.group(1)} runs in {done.group(2)}s, corpus grew to {corpus_size} inputs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--examples", type=int, default=2500, help="hypothesis examples per parser property"
    )
    parser.add_argument(
        "--http-examples",
        type=int,
        default=1000,
        help="hypothesis examples for the exchange/decoder properties",
    )
    parser.add_argument(
        "--atheris-seconds", type=int, default=20, help="atheris time budget (parser)"
    )
    parser.add_argument(
        "--http-atheris-seconds",
        type=int,
        default=8,
        help="atheris time budget (exchange/decoder)",
    )
    parser.add_argument("--no-atheris", action="store_true", help="skip the atheris run")
    parser.add_argument(
        "--seed", type=int, default=None, help="repeatable run from this seed (as in CI)"
    )
    args = parser.parse_args(argv)

    start = time.monotonic()
    have_atheris = importlib.util.find_spec("atheris") is not None
    report = Report()
    report.step("seed corpus", replay_corpus)
    report.step("seed corpus (http11)", replay_http_corpus)
    if have_atheris:
        report.step("input decoder", check_decoder_agreement)
    report.step("hypothesis", lambda: run_hypothesis(args.examples, args.seed))
    report.step("hypothesis (http11)", lambda: run_http_hypothesis(args.http_examples, args.seed))
    if args.no_atheris:
        report.lines.append("  atheris                skipped (--no-atheris)")
    elif not have_atheris:
        report.lines.append("  atheris                skipped (not installed)")
    else:
        report.step("atheris", lambda: run_atheris(args.atheris_seconds, seed=args.seed))
        report.step(
            "atheris (http11)",
            lambda: run_atheris(
                args.http_atheris_seconds, HTTP_TARGET, HTTP_CORPUS, HTTP_DICTIONARY, args.seed
            ),
        )

    print(f"fuzz smoke run ({time.monotonic() - start:.1f}s):")
    print("\n".join(report.lines))
    if report.failures:
        print(f"FAILED: {', '.join(report.failures)}")
        return 1
    print("all invariants hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
