"""EventHistory: bounds by count and bytes, O(1) resume lookup, duplicate IDs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sseproto import EventHistory, LocalProtocolError

Frames = list[tuple[str, bytes]]


def _kept(appended: Frames, max_events: int, max_bytes: int) -> Frames:
    """The longest suffix of ``appended`` within both bounds (what must be kept)."""
    kept: Frames = []
    size = 0
    for item in reversed(appended):
        if len(kept) == max_events or size + len(item[1]) > max_bytes:
            break
        kept.append(item)
        size += len(item[1])
    return kept[::-1]


@given(
    appends=st.lists(
        st.tuples(st.sampled_from("abcdefgh"), st.binary(min_size=0, max_size=12)), max_size=40
    ),
    max_events=st.integers(1, 10),
    max_bytes=st.integers(1, 60),
)
def test_bounds_hold_and_after_matches_a_model(
    appends: list[tuple[str, bytes]], max_events: int, max_bytes: int
) -> None:
    """After every append both bounds hold, the newest frames are kept, and
    after(id) is the frames after the newest kept occurrence of id (None if none)."""
    history = EventHistory(max_events=max_events, max_bytes=max_bytes)
    for n, (id, frame) in enumerate(appends, 1):
        history.append(id, frame)
        kept = _kept(appends[:n], max_events, max_bytes)
        assert len(history) == len(kept) <= max_events
        assert history.nbytes == sum(len(f) for _, f in kept) <= max_bytes
        assert history.newest_id == (kept[-1][0] if kept else None)
        for asked in "abcdefghz":
            where = [i for i, (k, _) in enumerate(kept) if k == asked]
            expected = [f for _, f in kept[where[-1] + 1 :]] if where else None
            assert history.after(asked) == expected


def test_oldest_evicted_by_count() -> None:
    """The (max_events + 1)th append evicts the oldest, whose ID is then unknown."""
    history = EventHistory(max_events=2)
    for id in "123":
        history.append(id, id.encode())
    assert history.after("1") is None
    assert history.after("2") == [b"3"]
    assert len(history) == 2


def test_oldest_evicted_by_bytes() -> None:
    """Bytes beyond max_bytes evict the oldest frames until they fit."""
    history = EventHistory(max_bytes=10)
    history.append("1", b"aaaa")
    history.append("2", b"bbbb")
    history.append("3", b"cccc")
    assert (len(history), history.nbytes, history.after("2")) == (2, 8, [b"cccc"])


def test_a_frame_larger_than_max_bytes_empties_the_history() -> None:
    """A frame over max_bytes is not kept, and nothing older is either."""
    history = EventHistory(max_bytes=5)
    history.append("1", b"abc")
    history.append("2", b"too large")
    assert (len(history), history.nbytes, history.newest_id) == (0, 0, None)
    assert history.after("1") is None
    assert history.after("2") is None


def test_duplicate_id_resumes_from_its_newest_occurrence() -> None:
    """An ID appended again replaces nothing; resume goes from its newest occurrence."""
    history = EventHistory()
    for id, frame in [("x", b"1"), ("y", b"2"), ("x", b"3"), ("z", b"4")]:
        history.append(id, frame)
    assert len(history) == 4
    assert history.after("x") == [b"4"]
    assert history.after("y") == [b"3", b"4"]


def test_evicting_an_old_duplicate_keeps_the_newer_one() -> None:
    """Evicting the older occurrence of an ID leaves the newer one findable."""
    history = EventHistory(max_events=2)
    history.append("x", b"1")
    history.append("x", b"2")
    history.append("y", b"3")
    assert history.after("x") == [b"3"]


def test_many_appends_stay_bounded() -> None:
    """A long run of appends keeps the bounds and the lookups right (compaction)."""
    history = EventHistory(max_events=7)
    for n in range(10_000):
        history.append(str(n), b"f%d" % n)
    assert len(history) == 7
    assert history.after("9995") == [b"f9996", b"f9997", b"f9998", b"f9999"]
    assert history.after("9992") is None


@pytest.mark.parametrize(("id", "frame"), [("", b"x"), (None, b"x"), (1, b"x"), ("1", "x")])
def test_append_refuses_bad_arguments(id: object, frame: object) -> None:
    """IDs are non-empty str, frames are bytes."""
    with pytest.raises(LocalProtocolError):
        EventHistory().append(id, frame)  # type: ignore[arg-type]


@pytest.mark.parametrize("bounds", [{"max_events": 0}, {"max_bytes": 0}, {"max_events": 1.5}])
def test_bounds_must_be_positive_ints(bounds: dict[str, object]) -> None:
    """max_events and max_bytes are ints >= 1."""
    with pytest.raises(ValueError, match="must be an int >= 1"):
        EventHistory(**bounds)  # type: ignore[arg-type]
