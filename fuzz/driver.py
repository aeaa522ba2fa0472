"""The command line shared by the atheris targets (fuzz_parser.py, fuzz_http11.py).

A target supplies its ``TestOneInput``, a ``check`` for one input's bytes
(the same invariants, without atheris), a ``describe`` for ``--explain`` and
its libFuzzer dictionary; :func:`run` does the rest:

- ``--explain FILE...`` prints what each input decodes to and the first
  invariant it breaks, ready to be turned into a regression test;
- without atheris, the files and directories given are replayed through
  ``check``;
- with atheris, libFuzzer runs with :func:`prepare_arguments` applied.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
HAVE_ATHERIS = importlib.util.find_spec("atheris") is not None
if HAVE_ATHERIS:
    import atheris


def input_files(paths: list[str]) -> list[Path]:
    """The files named, and the files in the directories named, in order."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path])
    return files


def replay(paths: list[str], check: Callable[[bytes], None]) -> int:
    """Check the inputs in the given files and directories without atheris."""
    files = input_files(paths)
    start = time.monotonic()
    for path in files:
        check(path.read_bytes())
    print(f"replayed {len(files)} inputs in {time.monotonic() - start:.1f}s: all invariants hold")
    return 0


def explain(
    paths: list[str], check: Callable[[bytes], None], describe: Callable[[bytes], list[str]]
) -> int:
    """Print what each input decodes to and the first invariant it breaks."""
    failed = 0
    for name in paths:
        data = Path(name).read_bytes()
        print(f"{name}:")
        for line in describe(data):
            print(f"  {line}")
        try:
            check(data)
        except Exception as exc:
            failed += 1
            print(f"  FAILS: {type(exc).__name__}: {exc}")
        else:
            print("  all invariants hold")
    return 1 if failed else 0


def prepare_arguments(argv: list[str], script: Path, dictionary: Path) -> list[str]:
    """Adjust libFuzzer's command line so that common invocations just work.

    - ``-jobs``/``-fork`` start more fuzzers by running ``argv[0]`` through the
      shell, so it becomes "<this python> <the script>" (the script needs no
      execute bit, and the virtualenv's interpreter is the one used).
    - Crash inputs go to ``fuzz/artifacts/`` unless ``-artifact_prefix`` says
      otherwise; that directory, and the first corpus directory when several
      are given (libFuzzer writes new inputs there), are created if missing.
    - ``dictionary`` is the dictionary unless ``-dict`` names another.
    """
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(script.resolve()))}"
    options = [arg for arg in argv[1:] if arg.startswith("-")]
    paths = [arg for arg in argv[1:] if not arg.startswith("-")]
    if not any(arg.startswith("-artifact_prefix=") for arg in options):
        options.append(f"-artifact_prefix={ARTIFACTS}{os.sep}")
    if not any(arg.startswith("-dict=") for arg in options):
        options.append(f"-dict={dictionary}")
    for arg in options:
        prefix = arg.removeprefix("-artifact_prefix=")
        if prefix != arg and prefix.endswith(("/", os.sep)):
            Path(prefix).mkdir(parents=True, exist_ok=True)
    if len(paths) > 1:
        Path(paths[0]).mkdir(parents=True, exist_ok=True)
    return [command, *paths, *options]


def run(
    *,
    script: Path,
    dictionary: Path,
    test_one_input: Callable[[bytes], None],
    check: Callable[[bytes], None],
    describe: Callable[[bytes], list[str]],
) -> int:
    """The target's main(): explain, replay, or fuzz (see the module docstring)."""
    if sys.argv[1:2] == ["--explain"]:
        return explain(sys.argv[2:], check, describe)
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
        return replay(paths, check)
    atheris.Setup(prepare_arguments(sys.argv, script, dictionary), test_one_input)
    atheris.Fuzz()
    return 0
