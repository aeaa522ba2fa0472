"""Coverage-guided fuzzing of the sseproto parser and encoder with atheris.

Every input is decoded into a stream plus options (layout in invariants.py)
and checked against all the invariants of invariants.py: (a) robustness,
(b) chunking, (c) byte-at-a-time feeding, (d) encoder round trip, (e) the
spec model, (f) prompt limit errors, (g) re-encoding parsed events. A failed
invariant is an uncaught exception, which atheris reports as a crash and
saves as ``fuzz/artifacts/crash-<sha1>``.

Usage (libFuzzer flags pass through; see fuzz/README.md)::

    .venv/bin/python fuzz/fuzz_parser.py fuzz/corpus-work fuzz/corpus -max_total_time=600
    .venv/bin/python fuzz/fuzz_parser.py fuzz/artifacts/crash-1234abcd   # replay one input
    .venv/bin/python fuzz/fuzz_parser.py --explain fuzz/artifacts/crash-1234abcd

``--explain`` prints what each input decodes to (stream, chunking, options)
and which invariant it breaks, ready to be turned into a regression test.
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
    # invariants imports sseproto, so sseproto is instrumented; invariants itself is not.
    import invariants

DICTIONARY = Path(__file__).resolve().parent / "sse.dict"


def TestOneInput(data: bytes) -> None:
    """The fuzz target: check every invariant for one input."""
    invariants.check_all(invariants.FuzzCase.from_source(atheris.FuzzedDataProvider(data)))


def check(data: bytes) -> None:
    """Every invariant for one input read as a file (the layout without atheris)."""
    invariants.check_all(invariants.FuzzCase.from_bytes(data))


def describe(data: bytes) -> list[str]:
    """What an input decodes to: stream, chunking, options and round-trip values."""
    case = invariants.FuzzCase.from_bytes(data)
    return [
        f"stream         = {case.stream!r}",
        f"chunks         = {case.chunks()!r}",
        f"comments       = {case.comments}",
        f"max_line_size  = {case.max_line_size}",
        f"max_event_size = {case.max_event_size}",
        f"round trip     = {invariants.RoundTripValues.from_case(case).describe()}",
    ]


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
