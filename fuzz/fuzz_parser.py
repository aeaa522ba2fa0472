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
import importlib.util
import os
import shlex
import sys
import time
from pathlib import Path

HAVE_ATHERIS = importlib.util.find_spec("atheris") is not None
if HAVE_ATHERIS:
    import atheris

with atheris.instrument_imports(include=["sseproto"]) if HAVE_ATHERIS else contextlib.nullcontext():
    # invariants imports sseproto, so sseproto is instrumented; invariants itself is not.
    import invariants

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
DICTIONARY = HERE / "sse.dict"


def TestOneInput(data: bytes) -> None:
    """The fuzz target: check every invariant for one input."""
    invariants.check_all(invariants.FuzzCase.from_source(atheris.FuzzedDataProvider(data)))


def replay(paths: list[str]) -> int:
    """Check the inputs in the given files and directories without atheris."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path])
    start = time.monotonic()
    for path in files:
        invariants.check_all(invariants.FuzzCase.from_bytes(path.read_bytes()))
    print(f"replayed {len(files)} inputs in {time.monotonic() - start:.1f}s: all invariants hold")
    return 0


def explain(paths: list[str]) -> int:
    """Print what each input decodes to and the first invariant it breaks."""
    failed = 0
    for name in paths:
        case = invariants.FuzzCase.from_bytes(Path(name).read_bytes())
        values = invariants.RoundTripValues.from_case(case)
        print(f"{name}:")
        print(f"  stream         = {case.stream!r}")
        print(f"  chunks         = {case.chunks()!r}")
        print(f"  comments       = {case.comments}")
        print(f"  max_line_size  = {case.max_line_size}")
        print(f"  max_event_size = {case.max_event_size}")
        print(f"  round trip     = {values.describe()}")
        try:
            invariants.check_all(case, values)
        except Exception as exc:
            failed += 1
            print(f"  FAILS: {type(exc).__name__}: {exc}")
        else:
            print("  all invariants hold")
    return 1 if failed else 0


def prepare_arguments(argv: list[str]) -> list[str]:
    """Adjust libFuzzer's command line so that common invocations just work.

    - ``-jobs``/``-fork`` start more fuzzers by running ``argv[0]`` through the
      shell, so it becomes "<this python> <this script>" (the script needs no
      execute bit, and the virtualenv's interpreter is the one used).
    - Crash inputs go to ``fuzz/artifacts/`` unless ``-artifact_prefix`` says
      otherwise; that directory, and the first corpus directory when several
      are given (libFuzzer writes new inputs there), are created if missing.
    - ``fuzz/sse.dict`` is the dictionary unless ``-dict`` names another.
    """
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(Path(__file__).resolve()))}"
    options = [arg for arg in argv[1:] if arg.startswith("-")]
    paths = [arg for arg in argv[1:] if not arg.startswith("-")]
    if not any(arg.startswith("-artifact_prefix=") for arg in options):
        options.append(f"-artifact_prefix={ARTIFACTS}{os.sep}")
    if not any(arg.startswith("-dict=") for arg in options):
        options.append(f"-dict={DICTIONARY}")
    for arg in options:
        prefix = arg.removeprefix("-artifact_prefix=")
        if prefix != arg and prefix.endswith(("/", os.sep)):
            Path(prefix).mkdir(parents=True, exist_ok=True)
    if len(paths) > 1:
        Path(paths[0]).mkdir(parents=True, exist_ok=True)
    return [command, *paths, *options]


def main() -> int:
    if sys.argv[1:2] == ["--explain"]:
        return explain(sys.argv[2:])
    if not HAVE_ATHERIS:
        paths = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
        if not paths:
            print(
                "atheris is not installed (it has wheels for CPython 3.11 on x86_64 Linux);\n"
                "give corpus files or directories to replay them, or run fuzz/smoke.py,\n"
                "which drives the same invariants with hypothesis.",
                file=sys.stderr,
            )
            return 2
        return replay(paths)
    argv = prepare_arguments(sys.argv)
    atheris.Setup(argv, TestOneInput)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
