"""Every Python code block in README.md and docs/ runs, so the docs cannot rot.

The blocks are written as a user would write them against the real service:
``OpenRouter()`` with no arguments, real model names. Here they talk to one
:class:`~openrouter.testing.MockOpenRouter` per module instead: each block
runs with ``OPENROUTER_BASE_URL`` pointing at the mock and
``OPENROUTER_API_KEY`` set to a fake key. The mock answers any model name
outside ``mock/`` with its story, and ``mock/...`` names with its scenarios
(errors, keepalives, stalls, ...), which is how the error examples fail.

The mock is the plain one a user starts, with no scenario added: what a block
receives (structured output included) is what the mock serves by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from openrouter.testing import MockOpenRouter

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

#: The fake key every block sees in ``OPENROUTER_API_KEY``.
FAKE_KEY = "sk-or-test"


def _blocks() -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        for number, match in enumerate(BLOCK.finditer(path.read_text()), start=1):
            found.append((f"{path.relative_to(ROOT)}#{number}", match.group(1)))
    return found


BLOCKS = _blocks()


@pytest.fixture(scope="module")
def mock_server() -> Iterator[MockOpenRouter]:
    """One mock OpenRouter for every block of the module."""
    with MockOpenRouter(stall_seconds=30.0) as server:
        yield server


@pytest.fixture
def mock_env(mock_server: MockOpenRouter, monkeypatch: pytest.MonkeyPatch) -> MockOpenRouter:
    """The environment a block runs in: the mock's URL and a fake key."""
    monkeypatch.setenv("OPENROUTER_BASE_URL", mock_server.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", FAKE_KEY)
    return mock_server


def test_docs_have_examples() -> None:
    """The README has runnable examples (guards against a broken extractor)."""
    assert len([name for name, _ in BLOCKS if name.startswith("README.md")]) >= 3


def test_every_doc_has_examples() -> None:
    """Each guide in docs/ has runnable examples."""
    for path in DOCS[1:]:
        name = str(path.relative_to(ROOT))
        assert any(block.startswith(name + "#") for block, _ in BLOCKS), name


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_code_block_runs(name: str, code: str, mock_env: MockOpenRouter) -> None:
    """The block executes without error (its asserts hold)."""
    exec(compile(code, name, "exec"), {"__name__": "__docs__"})
