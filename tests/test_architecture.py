"""The layering rules of docs/design.md, checked on the source itself.

- A flow is sent into and thrown into only by the drivers
  (``sseproto/adapters/_drivers.py``).
- ``openrouter`` uses only public ``sseproto`` names.
- Which async library is running is asked in one place
  (``sseproto/adapters/_runtime.py``).
- Every error sseproto raises has one root, ``sseproto.SSEError``; every
  error of the OpenRouter client has ``openrouter.OpenRouterError``.
"""

from __future__ import annotations

import ast
import inspect
import os
from pathlib import Path

import pytest

import openrouter
import sseproto
import sseproto.adapters
import sseproto.http

SRC = Path(os.environ.get("ARCHITECTURE_SRC", Path(__file__).resolve().parent.parent / "src"))
DRIVERS = SRC / "sseproto" / "adapters" / "_drivers.py"
RUNTIME = SRC / "sseproto" / "adapters" / "_runtime.py"


def _modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def _calls(path: Path, attribute: str) -> list[ast.Call]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attribute
    ]


def _receiver(call: ast.Call) -> str:
    assert isinstance(call.func, ast.Attribute)
    return ast.unparse(call.func.value)


# Names the library gives a generator it runs (a flow, or a lowered operation).
FLOW_NAMES = {"flow", "gen", "ops", "lowered", "generator", "self._flow", "self._gen"}


@pytest.mark.parametrize("path", _modules("sseproto") + _modules("openrouter"), ids=str)
def test_only_the_drivers_send_into_a_flow(path: Path) -> None:
    """No module but the drivers calls ``throw()`` (on anything) or ``send()``
    on a generator it runs."""
    if path == DRIVERS:
        return
    throws = [ast.unparse(call) for call in _calls(path, "throw")]
    sends = [ast.unparse(c) for c in _calls(path, "send") if _receiver(c) in FLOW_NAMES]
    assert throws == [], f"{path.name} throws into a generator"
    assert sends == [], f"{path.name} sends into a generator"


def test_the_drivers_do_drive_flows() -> None:
    """The check above looks at the right calls: the drivers have them."""
    assert {_receiver(call) for call in _calls(DRIVERS, "throw")} == {"flow", "ops"}
    assert {_receiver(call) for call in _calls(DRIVERS, "send")} == {"flow", "ops"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@pytest.mark.parametrize("path", _modules("openrouter"), ids=str)
def test_openrouter_uses_only_public_sseproto_names(path: Path) -> None:
    """``openrouter`` imports no private ``sseproto`` module or name."""
    tree = ast.parse(path.read_text(), str(path))
    private: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sseproto"):
            module = node.module or ""
            if any(part.startswith("_") for part in module.split(".")):
                private.append(module)
            private += [f"{module}.{a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Import):
            private += [
                a.name
                for a in node.names
                if a.name.startswith("sseproto")
                and any(part.startswith("_") for part in a.name.split("."))
            ]
    assert private == []


@pytest.mark.parametrize("path", _modules("sseproto") + _modules("openrouter"), ids=str)
def test_the_running_library_is_asked_in_one_place(path: Path) -> None:
    """Only ``adapters/_runtime.py`` imports sniffio."""
    if path == RUNTIME:
        return
    assert "sniffio" not in {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }


def _exceptions(*modules: object) -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    for module in modules:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if inspect.isclass(value) and issubclass(value, BaseException):
                found.add(value)
    return found


def _name(error: object) -> str:
    return getattr(error, "__name__", repr(error))


@pytest.mark.parametrize(
    "error",
    sorted(_exceptions(sseproto, sseproto.http, sseproto.adapters), key=_name),
    ids=_name,
)
def test_every_sseproto_error_has_one_root(error: type[BaseException]) -> None:
    """Every public exception of sseproto is an SSEError."""
    assert issubclass(error, sseproto.SSEError)


@pytest.mark.parametrize(
    "error",
    sorted(_exceptions(openrouter), key=_name),
    ids=_name,
)
def test_every_openrouter_error_has_one_root(error: type[BaseException]) -> None:
    """Every public exception of the OpenRouter client is an OpenRouterError."""
    assert issubclass(error, openrouter.OpenRouterError)
