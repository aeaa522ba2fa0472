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
    # invariants_http11 imports sseproto, so sseproto is instrumented; the
    # invariants themselves are not.
    import invariants_http11

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
DICTIONARY = HERE / "http11.dict"


def TestOneInput(data: bytes) -> None:
    """The fuzz target: check every invariant for one input."""
    case = invariants_http11.HTTPCase.from_source(atheris.FuzzedDataProvider(data))
    invariants_http11.check_all(case)


def replay(paths: list[str]) -> int:
    """Check the inputs in the given files and directories without atheris."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path])
    start = time.monotonic()
    for path in files:
        invariants_http11.check_all(invariants_http11.HTTPCase.from_bytes(path.read_bytes()))
    print(f"replayed {len(files)} inputs in {time.monotonic() - start:.1f}s: all invariants hold")
    return 0


def explain(paths: list[str]) -> int:
    """Print what each input decodes to and the first invariant it breaks."""
    failed = 0
    for name in paths:
        case = invariants_http11.HTTPCase.from_bytes(Path(name).read_bytes())
        print(f"{name}:")
        print(f"  case   = {case.describe()}")
        print(f"  chunks = {case.chunks()!r}")
        try:
            invariants_http11.check_all(case)
        except Exception as exc:
            failed += 1
            print(f"  FAILS: {type(exc).__name__}: {exc}")
        else:
            print("  all invariants hold")
    return 1 if failed else 0


def prepare_arguments(argv: list[str]) -> list[str]:
    """Adjust libFuzzer's command line as ``fuzz_parser.prepare_arguments`` does:
    ``argv[0]`` becomes "<this python> <this script>" (for ``-jobs``/``-fork``),
    crash inputs go to ``fuzz/artifacts/`` and ``fuzz/http11.dict`` is the
    dictionary unless the command line says otherwise, and the artifact
    directory and the first of several corpus directories are created."""
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
