"""Static types of the public API, checked with mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("path", sorted((HERE / "typing").glob("*.py")), ids=lambda p: p.name)
def test_usage_type_checks(path: Path) -> None:
    """mypy --strict accepts the typed usage examples."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
