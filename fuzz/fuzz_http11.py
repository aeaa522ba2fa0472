"""Coverage-guided fuzzing of the HTTP/1.1 exchange and the JSON chunk decoder.

Every input is decoded into response bytes plus options (layout in
invariants_http11.py) and checked against all its invariants: for
``HTTP11Exchange`` (a) robustness, (b) chunking, (c) event order; for
``ChunkDecoder`` (d) robustness under both malformed policies, (e) chunking.
A failed invariant is an uncaught exception, which atheris reports as a crash
and saves as ``fuzz/artifacts/crash-<sha1>``.

Usage (libFuzzer flags pass through; see fuzz/README.md)::

    .venv/bin/python fuzz/fuzz_http11.py fuzz/corpus-http11-work fuzz/corpus-http11 \\
        -max_total_time=600
    .venv/bin/python fuzz/fuzz_http11.py fuzz/artifacts/crash-1234abcd   # replay one input
    .venv/bin/python fuzz/fuzz_http11.py --explain fuzz/artifacts/crash-1234abcd

Where atheris is not installed, the file and directory arguments are
replayed through the same checks without coverage guidance.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from driver import HAVE_ATHERIS, run

if HAVE_ATHERIS:
    import atheris

with atheris.instrument_imports(include=["sseproto"]) if HAVE_ATHERIS else contextlib.nullcontext():
    # invariants_http11 imports sseproto, so sseproto is instrumented; the
    # invariants themselves are not.
    import invariants_http11

DICTIONARY = Path(__file__).resolve().parent / "http11.dict"


def TestOneInput(data: bytes) -> None:
    """The fuzz target: check every invariant for one input."""
    case = invariants_http11.HTTPCase.from_source(atheris.FuzzedDataProvider(data))
    invariants_http11.check_all(case)


def check(data: bytes) -> None:
    """Every invariant for one input read as a file (the layout without atheris)."""
    invariants_http11.check_all(invariants_http11.HTTPCase.from_bytes(data))


def describe(data: bytes) -> list[str]:
    """What an input decodes to: the case and its chunking."""
    case = invariants_http11.HTTPCase.from_bytes(data)
    return [f"case   = {case.describe()}", f"chunks = {case.chunks()!r}"]


if __name__ == "__main__":
    sys.exit(
        run(
            script=Path(__file__),
            dictionary=DICTIONARY,
            test_one_input=TestOneInput,
            check=check,
            describe=describe,
        )
    )
