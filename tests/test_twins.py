"""Sync and async twins mirror each other, method for method and parameter for parameter.

Every class written twice (a blocking face and an async face over one core)
is compared here with ``inspect.signature``: the same public methods (modulo
``close``/``aclose``, ``__iter__``/``__aiter__``, ``__next__``/``__anext__``,
``__enter__``/``__aenter__`` and ``__exit__``/``__aexit__``), the same
parameter names, kinds, defaults and annotations, the same return
annotations, the same ``@overload`` variants and the same public attributes.
Annotations are compared as strings after mapping async names to sync ones
(``AsyncEventStream`` -> ``EventStream``, ``AsyncIterator`` -> ``Iterator``,
``SyncRunner`` and ``AsyncRunner`` -> ``Runner``) and after replacing a type
variable by its bound, so ``self: _S`` (bound ``_SyncStream``) matches
``self: _A`` (bound ``_AsyncStream``).
"""

from __future__ import annotations

import difflib
import inspect
import re
import sys
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

import openrouter
import openrouter.resources
import sseproto.adapters
import sseproto.adapters.asyncio
import sseproto.adapters.httpx
import sseproto.adapters.sync
import sseproto.adapters.trio

#: Async method name -> the sync name it mirrors. Every other name is the same on both faces.
ASYNC_TO_SYNC = {
    "aclose": "close",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
}

#: Dunder methods that are part of the compared surface (with their async names).
PROTOCOL = frozenset({"__init__", *ASYNC_TO_SYNC, *ASYNC_TO_SYNC.values()})


@dataclass(frozen=True)
class Twins:
    """A sync class and its async twin, with the differences they have by design."""

    sync: type
    twin: type
    #: Why the constructors differ by design, or ``""`` when they must match.
    own_init: str = ""
    #: Public names only the twin has, by design, with the reason.
    twin_only: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{_label(self.sync)}~{_label(self.twin)}"


#: Where the twins are public, most specific first: a label names a class by its public path,
#: so moving a class between private modules keeps the test ids (and ``KNOWN_DRIFTS``) stable.
PUBLIC_MODULES = (
    sseproto.adapters.sync,
    sseproto.adapters.asyncio,
    sseproto.adapters.trio,
    sseproto.adapters.httpx,
    sseproto.adapters,
    openrouter.resources,
    openrouter,
)


def _label(cls: type) -> str:
    for module in PUBLIC_MODULES:
        for name in getattr(module, "__all__", ()):
            if getattr(module, name) is cls:
                return f"{module.__name__.rpartition('.')[2]}.{name}"
    raise AssertionError(f"{cls!r} is not public")


SyncClient = sseproto.adapters.sync.Client

PAIRS = [
    Twins(SyncClient, sseproto.adapters.asyncio.Client),
    Twins(SyncClient, sseproto.adapters.trio.Client),
    Twins(
        SyncClient,
        sseproto.adapters.AsyncClient,
        own_init="takes backend= to choose its runtime",
        twin_only={"backend": "the runtime it picked"},
    ),
    Twins(SyncClient, sseproto.adapters.httpx.Client, own_init="wraps an httpx.Client"),
    Twins(SyncClient, sseproto.adapters.httpx.AsyncClient, own_init="wraps an httpx.AsyncClient"),
    Twins(sseproto.adapters.httpx.Client, sseproto.adapters.httpx.AsyncClient),
    Twins(sseproto.adapters.EventStream, sseproto.adapters.AsyncEventStream),
    Twins(sseproto.adapters.Subscription, sseproto.adapters.AsyncSubscription),
    Twins(openrouter.OpenRouter, openrouter.AsyncOpenRouter),
    Twins(openrouter.ChatCompletionStream, openrouter.AsyncChatCompletionStream),
    Twins(openrouter.CompletionStream, openrouter.AsyncCompletionStream),
    Twins(openrouter.ResponseStream, openrouter.AsyncResponseStream),
    Twins(openrouter.MessageStream, openrouter.AsyncMessageStream),
    Twins(openrouter.ImageStream, openrouter.AsyncImageStream),
    Twins(openrouter.JSONEventStream, openrouter.AsyncJSONEventStream),
    Twins(openrouter.resources.Resource, openrouter.resources.AsyncResource),
    *(Twins(sync, twin) for sync, twin in openrouter.resources.NAMESPACES.values()),
]

#: Drifts to fix, by (pair id, method): each is a real difference to fix in the owning
#: module; the test is expected to fail until then (strict: fixing it flags the entry).
KNOWN_DRIFTS: dict[tuple[str, str], str] = {}


def sync_name(name: str) -> str:
    """The sync name a method name of either face stands for."""
    return ASYNC_TO_SYNC.get(name, name)


_ASYNC_PREFIX = re.compile(r"(?<![A-Za-z0-9])(_?)(?:Async|Sync)(?=[A-Z])")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def sync_annotation(text: str, namespace: dict[str, Any]) -> str:
    """``text`` with type variables replaced by their bounds and Async/Sync prefixes dropped."""

    def bound(match: re.Match[str]) -> str:
        value = namespace.get(match.group())
        if isinstance(value, TypeVar) and value.__bound__ is not None:
            target = value.__bound__
            if isinstance(target, typing.ForwardRef):
                return target.__forward_arg__
            return str(target.__name__)
        return match.group()

    return _ASYNC_PREFIX.sub(r"\1", _IDENTIFIER.sub(bound, text))


def _public(cls: type) -> dict[str, Any]:
    """The compared surface of ``cls``, by sync name: methods and public attributes."""
    surface = {}
    for name in dir(cls):
        if name.startswith("_") and name not in PROTOCOL:
            continue
        surface[sync_name(name)] = inspect.getattr_static(cls, name)
    return surface


def _is_method(member: Any) -> bool:
    return inspect.isfunction(member) or isinstance(member, staticmethod | classmethod)


def _method(cls: type, name: str) -> Callable[..., Any] | None:
    """The method of ``cls`` that stands for sync name ``name`` (its own name or the async one)."""
    for candidate in (name, *(a for a, s in ASYNC_TO_SYNC.items() if s == name)):
        member = inspect.getattr_static(cls, candidate, None)
        if member is not None and _is_method(member):
            found: Callable[..., Any] = getattr(cls, candidate)
            return found
    return None


def _attributes(cls: type) -> set[str]:
    return {name for name, member in _public(cls).items() if not _is_method(member)}


def describe(func: Callable[..., Any]) -> list[str]:
    """One line per parameter (name, kind, default, mapped annotation), then the return;
    then the same for each ``@overload`` of ``func``, in order."""
    lines = _signature_lines(func)
    for index, variant in enumerate(typing.get_overloads(func)):
        lines += [f"overload {index}: {line}" for line in _signature_lines(variant)]
    return lines


def _signature_lines(func: Callable[..., Any]) -> list[str]:
    signature = inspect.signature(func)
    namespace = dict(getattr(func, "__globals__", {}))
    module = sys.modules.get(getattr(func, "__module__", ""), None)
    if module is not None:
        namespace.update(vars(module))
    lines = []
    for parameter in signature.parameters.values():
        annotation = (
            ""
            if parameter.annotation is inspect.Parameter.empty
            else sync_annotation(str(parameter.annotation), namespace)
        )
        default = (
            "" if parameter.default is inspect.Parameter.empty else f" = {parameter.default!r}"
        )
        lines.append(f"{parameter.name}: {annotation} [{parameter.kind.name}]{default}")
    if signature.return_annotation is not inspect.Signature.empty:
        lines.append(f"-> {sync_annotation(str(signature.return_annotation), namespace)}")
    return lines


def _method_cases() -> Iterator[Any]:
    for pair in PAIRS:
        names = {
            name
            for cls in (pair.sync, pair.twin)
            for name, member in _public(cls).items()
            if _is_method(member)
        }
        for name in sorted(names):
            if name == "__init__" and pair.own_init:
                continue
            if name in pair.twin_only:
                continue
            marks = []
            drift = KNOWN_DRIFTS.get((pair.id, name))
            if drift is not None:
                marks.append(pytest.mark.xfail(strict=True, reason=drift))
            yield pytest.param(pair, name, id=f"{pair.id}::{name}", marks=marks)


@pytest.mark.parametrize(("pair", "name"), list(_method_cases()))
def test_method_mirrors_its_twin(pair: Twins, name: str) -> None:
    """A method exists on both faces with the same parameters, defaults and annotations."""
    mine, theirs = _method(pair.sync, name), _method(pair.twin, name)
    assert mine is not None, f"{pair.id}: {name} exists only on {_label(pair.twin)}"
    assert theirs is not None, f"{pair.id}: {name} exists only on {_label(pair.sync)}"
    differences = _differences(describe(mine), describe(theirs))
    assert not differences, f"{pair.id}: {name} differs:\n" + "\n".join(differences)


def _differences(mine: list[str], theirs: list[str]) -> list[str]:
    """The lines of two descriptions that differ, marked ``-`` (sync face) and ``+`` (twin)."""
    diff = difflib.ndiff(mine, theirs)
    return [line.rstrip() for line in diff if line.startswith(("- ", "+ "))]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.id)
def test_attributes_mirror_their_twin(pair: Twins) -> None:
    """Both faces have the same public properties and attributes."""
    twin = _attributes(pair.twin) - set(pair.twin_only)
    assert _attributes(pair.sync) == twin
