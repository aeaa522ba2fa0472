"""The installed package: stdlib-only core, typing marker, metadata."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata, resources

import sseproto


def test_core_imports_only_the_standard_library() -> None:
    """Importing sseproto loads no module from outside the standard library."""
    probe = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "import sseproto\n"
        "new = sorted(set(sys.modules) - before)\n"
        "print(json.dumps(new))\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    loaded = json.loads(out)
    top_level = {name.partition(".")[0] for name in loaded}
    outside = sorted(
        name for name in top_level if name != "sseproto" and name not in sys.stdlib_module_names
    )
    assert "sseproto" in top_level
    assert outside == [], f"sseproto imported non-stdlib modules: {outside}"


def test_py_typed_is_shipped() -> None:
    """The package carries the PEP 561 marker, so type checkers use its hints."""
    assert resources.files("sseproto").joinpath("py.typed").is_file()


def test_version_matches_metadata() -> None:
    """sseproto.__version__ is the installed distribution's version."""
    assert sseproto.__version__ == metadata.version("sseproto")


def test_public_names_are_documented() -> None:
    """Every public name has a docstring."""
    for name in sseproto.__all__:
        if name.startswith(("__", "DEFAULT_")):
            continue
        assert getattr(sseproto, name).__doc__, name


def test_removeprefix_returns_the_same_bytes_without_the_prefix() -> None:
    """The parser's data-line test relies on this CPython behaviour of bytes.removeprefix."""
    line = b"event: x"
    assert line.removeprefix(b"data: ") is line
    assert line.removeprefix(b"event") is not line
