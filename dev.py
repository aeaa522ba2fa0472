#!/usr/bin/env python3
"""Set up the local virtual environment and run the project's tasks.

Usage: python3 dev.py {demo,test,check,fuzz,bench,e2e} [extra arguments]

Every task first creates ``.venv`` (or refreshes it when ``pyproject.toml``
changed) with the package installed in editable mode plus the ``dev``
dependency group, so the commands work on a machine that has only python3
and access to PyPI.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"


def _say(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def _run(*args: str | Path) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT)


def ensure_venv() -> None:
    """Create or refresh .venv so that it matches pyproject.toml."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    if not PYTHON.exists():
        _say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    _say("installing the package and its dev dependency group (first run takes a minute)")
    # Dependency groups (PEP 735) need pip >= 25.1.
    pip: list[str | Path] = [PYTHON, "-m", "pip", "--disable-pip-version-check", "-q"]
    if _run(*pip, "install", "-U", "pip>=25.1") != 0:
        sys.exit("dev.py: could not upgrade pip in .venv")
    if _run(*pip, "install", "-e", ".", "--group", "dev") != 0:
        sys.exit("dev.py: could not install the project into .venv")
    STAMP.write_text(digest + "\n")


def task_demo(extra: list[str]) -> int:
    """Stream a chat completion from the embedded mock server through every transport."""
    return _run(PYTHON, "-m", "openrouter", "demo", *extra)


def task_test(extra: list[str]) -> int:
    return _run(PYTHON, "-m", "pytest", *extra)


def task_check(extra: list[str]) -> int:
    """Lint, type-check and run the fuzz targets briefly."""
    steps: list[list[str | Path]] = [
        [PYTHON, "-m", "ruff", "check", "."],
        [PYTHON, "-m", "ruff", "format", "--check", "."],
        [PYTHON, "-m", "mypy"],
        [PYTHON, "fuzz/smoke.py", *extra],
    ]
    for step in steps:
        _say("running " + " ".join(str(s) for s in step[1:]))
        code = _run(*step)
        if code != 0:
            return code
    return 0


def task_fuzz(extra: list[str]) -> int:
    return _run(PYTHON, "fuzz/fuzz_parser.py", *extra)


def task_bench(extra: list[str]) -> int:
    return _run(PYTHON, "benchmarks/parsers.py", *extra)


def task_e2e(extra: list[str]) -> int:
    """The end-to-end client benchmark (benchmarks/e2e.py)."""
    return _run(PYTHON, "benchmarks/e2e.py", *extra)


TASKS = {
    "demo": task_demo,
    "test": task_test,
    "check": task_check,
    "fuzz": task_fuzz,
    "bench": task_bench,
    "e2e": task_e2e,
}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ensure_venv()
    return TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
