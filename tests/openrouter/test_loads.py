"""The chunk decoder's ``loads`` is ``json.loads``, only faster."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrouter._calls import loads

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _outcome(data: str) -> object:
    try:
        return ("value", json.loads(data))
    except (ValueError, RecursionError) as exc:
        return ("error", type(exc), str(exc))


def _ours(data: str) -> object:
    try:
        return ("value", loads(data))
    except (ValueError, RecursionError) as exc:
        return ("error", type(exc), str(exc))


@given(JSON, st.sampled_from(["", " ", "\n", " x", "}", "\t\t"]), st.sampled_from(["", " ", "\r"]))
def test_same_as_json_loads_for_json_values(value: object, suffix: str, prefix: str) -> None:
    """Serialised values, with or without whitespace or junk around them, decode alike."""
    data = prefix + json.dumps(value) + suffix
    assert _ours(data) == _outcome(data)


@given(st.text())
def test_same_as_json_loads_for_any_text(data: str) -> None:
    """Arbitrary text gives the same value or the same error as json.loads."""
    assert _ours(data) == _outcome(data)


@pytest.mark.parametrize("data", ["", "[DONE]", "{", '{"a":1}{"b":2}', "NaN", "1 2", "[" * 100_000])
def test_edge_cases_match(data: str) -> None:
    """Empty, sentinel-like, partial, concatenated, NaN and deeply nested input."""
    assert _ours(data) == _outcome(data)
