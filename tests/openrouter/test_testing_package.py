"""openrouter.testing as a package: its public names, and the write plans of its server."""

from __future__ import annotations

import importlib
import pkgutil

import openrouter.testing
from openrouter.testing._script import Stall
from openrouter.testing._writes import batches, dripped

PUBLIC = ["STORY_TEXT", "MockOpenRouter", "RecordedRequest", "story_pieces"]


def test_public_names_are_the_same() -> None:
    """The package offers exactly the names the single module offered, each documented."""
    assert openrouter.testing.__all__ == PUBLIC
    for name in PUBLIC:
        value = getattr(openrouter.testing, name)
        if name != "STORY_TEXT":
            assert value.__doc__, name
            assert value.__module__.startswith("openrouter.testing."), name


def test_every_module_says_what_it_holds() -> None:
    """Every module of the package has a docstring."""
    modules = [info.name for info in pkgutil.iter_modules(openrouter.testing.__path__)]
    assert len(modules) >= 9
    for name in modules:
        assert importlib.import_module(f"openrouter.testing.{name}").__doc__, name


def test_drip_writes_every_byte_then_pauses() -> None:
    """A dripped plan is each byte alone, each followed by the pause; pauses and stalls pass."""
    stall = Stall()
    plan = list(dripped([b"ab", 0.5, stall, b"c"], 0.01))
    assert plan == [b"a", 0.01, b"b", 0.01, 0.5, stall, b"c", 0.01]


def test_batches_join_events_up_to_the_limit() -> None:
    """Consecutive events are joined up to the limit; a pause ends a batch; a long event is cut."""
    plan = list(batches([b"aa", b"bb", b"cc", 0.0, b"d", b"eeeeeee"], 4))
    assert plan == [b"aabb", b"cc", 0.0, b"d", b"eeee", b"eee"]
