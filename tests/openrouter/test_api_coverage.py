"""docs/API.md is true: every operation of OpenRouter's OpenAPI description is
listed once, each typed one names a method both clients have and a test that
exists, and ``request()`` reaches every other one.

The table's rows come from the OpenAPI description (97 operations); the
typed ones were checked against the documented shapes by the tests they name.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

import openrouter
from openrouter.testing import MockOpenRouter

ROOT = Path(__file__).resolve().parents[2]
API_DOC = ROOT / "docs" / "API.md"

#: A row of the coverage table: ``| # | group | `METHOD /path` | call | test |``.
_ROW = re.compile(
    r"^\| (?P<number>\d+) \| (?P<group>[^|]+?) \| `(?P<method>[A-Z]+) (?P<path>[^`]+)` "
    r"\| (?P<call>.+?) \| (?P<test>.+?) \|$"
)
#: The typed method a row names: ``client.<namespace>.<method>(...)``.
_TYPED = re.compile(r"`client\.(?P<attr>[a-z_]+(?:\.[a-z_]+)?)\(")
#: The tests of a row: "`tests/x.py`: `::test_a`, `::test_b`; `tests/y.py`: ..."
_TEST_FILE = re.compile(r"`(?P<file>tests/[\w/]+\.py)`(?::(?P<names>[^;]*))?")
_TEST_NAME = re.compile(r"`::(?P<name>\w+)`")


class Row(NamedTuple):
    number: int
    method: str
    path: str
    call: str
    test: str


def rows() -> list[Row]:
    found = []
    for line in API_DOC.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line.strip())
        if match:
            found.append(
                Row(
                    int(match["number"]),
                    match["method"],
                    match["path"],
                    match["call"],
                    match["test"],
                )
            )
    return found


ROWS = rows()
TYPED = [row for row in ROWS if not row.call.startswith("`client.request(")]
UNTYPED = [row for row in ROWS if row.call.startswith("`client.request(")]


def test_every_operation_is_listed_once() -> None:
    numbers = [row.number for row in ROWS]
    assert numbers == list(range(1, 98)), "the 97 operations, in order, once each"
    assert len({(row.method, row.path) for row in ROWS}) == 97


def test_the_published_count_is_the_table_s() -> None:
    text = API_DOC.read_text(encoding="utf-8")
    match = re.search(r"(\d+) of the 97 operations are typed", text)
    assert match is not None
    assert int(match.group(1)) == len(TYPED)


def _resolve(client: Any, attr: str) -> Any:
    target = client
    for part in attr.split("."):
        target = getattr(target, part)
    return target


def _test_names(file: str) -> set[str]:
    tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


@pytest.mark.parametrize("row", TYPED, ids=lambda row: f"{row.number}")
def test_each_typed_operation_has_a_method_on_both_clients(row: Row) -> None:
    calls = list(_TYPED.finditer(row.call))
    assert calls, f"row {row.number} names no client method: {row.call}"
    sync = openrouter.OpenRouter("sk-or-coverage")
    twin = openrouter.AsyncOpenRouter("sk-or-coverage")
    for call in calls:
        method = _resolve(sync, call["attr"])
        mirrored = _resolve(twin, call["attr"])
        assert callable(method)
        assert callable(mirrored)
        assert method.__doc__, f"client.{call['attr']} has no docstring"
        if not inspect.iscoroutinefunction(mirrored):
            # Only the streams open lazily: their async face is a plain def.
            assert (
                "stream" in call["attr"] or "download" in call["attr"] or "speech" in call["attr"]
            ), f"AsyncOpenRouter.{call['attr']} is not awaited"
    sync.close()


@pytest.mark.parametrize("row", TYPED, ids=lambda row: f"{row.number}")
def test_each_typed_operation_names_a_test_that_exists(row: Row) -> None:
    named = 0
    for group in _TEST_FILE.finditer(row.test):
        assert (ROOT / group["file"]).is_file(), group["file"]
        defined = _test_names(group["file"])
        for name in _TEST_NAME.findall(group["names"] or ""):
            assert name in defined, f"{group['file']}::{name} is missing"
            named += 1
    assert named, f"row {row.number} names no test: {row.test}"


def _sample(path: str) -> str:
    """``path`` with each ``{parameter}`` replaced by a sample value."""
    return re.sub(r"\{(\w+)\}", lambda m: f"sample-{m.group(1).lower()}", path)


def _untyped() -> Iterator[Any]:
    for row in UNTYPED:
        yield pytest.param(row, id=f"{row.number}-{row.method}-{row.path}")


@pytest.mark.parametrize("row", list(_untyped()))
def test_request_reaches_every_untyped_operation(row: Row, mock: MockOpenRouter) -> None:
    """``client.request(METHOD, path)`` sends exactly that method and path (the
    mock answers 404 to operations it does not serve; the request it recorded
    is what is checked)."""
    path = _sample(row.path)
    body: dict[str, object] | None = {} if row.method in {"POST", "PUT", "PATCH"} else None
    client = openrouter.OpenRouter("sk-or-coverage", base_url=mock.base_url, max_retries=0)
    with client, pytest.raises(openrouter.NotFoundError):
        client.request(row.method, path.lstrip("/"), json=body)
    sent = mock.requests[-1]
    assert (sent.method, sent.path) == (row.method, "/api/v1" + path)
    if body is not None:
        assert sent.json == {}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockOpenRouter]:
    with MockOpenRouter() as server:
        yield server
