"""Limits around characters cut between feeds, and long feeds that take the
parser's long-line path (feeds of 1 KiB or more with long lines)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .helpers import run, split
from .reference_model import reference_parse
from .strategies import FRAGMENTS

PIECES = [
    b"data: ",
    b"x",
    b"ab",
    b"\n",
    b"\n\n",
    b"\r",
    b"\xc3\xa9",
    b"\xe2\x82\xac",
    b"\xf0\x9f\x98\x8a",
    b"\xc3",
    b"\xff",
    b": c",
    b"id: 1",
    b"event: e",
]

streams = st.lists(st.sampled_from(PIECES), max_size=30).map(b"".join)


def test_cut_character_at_line_limit() -> None:
    """A line of exactly max_line_size bytes is accepted however its last character is cut."""
    stream = b"\nx\nabcd\xc3\xa9xxxx\n\n"
    whole = run([stream], max_line_size=10)
    assert whole.error is None
    assert run([b"\n", b"x\nabcd\xc3", b"\xa9xxxx\n\n"], max_line_size=10) == whole
    assert run([b"\n", b"x\nabcd\xc3", b"\xa9xx", b"xx\n\n"], max_line_size=10) == whole
    assert run([b"\n", b"x\nab", b"cd\xc3", b"\xa9xxxx\n\n"], max_line_size=10) == whole


@settings(max_examples=1000)
@given(
    stream=streams,
    data=st.data(),
    max_line_size=st.integers(1, 24),
    max_event_size=st.integers(1, 60),
)
def test_limits_with_multibyte_in_any_chunking(
    stream: bytes, data: st.DataObject, max_line_size: int, max_event_size: int
) -> None:
    """Multi-byte characters cut anywhere never move where a limit is hit."""
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=20))
    options = {"max_line_size": max_line_size, "max_event_size": max_event_size}
    assert run(split(stream, cuts), **options) == run([stream], **options)


long_streams = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS + PIECES), st.binary(max_size=8)), min_size=20, max_size=300
).map(b"".join)


@settings(max_examples=400)
@given(stream=long_streams, data=st.data(), comments=st.booleans())
def test_long_feeds_any_chunking(stream: bytes, data: st.DataObject, comments: bool) -> None:
    """Long feeds give the same result in any chunking, and the model's result."""
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=8))
    whole = run([stream], comments=comments)
    assert run(split(stream, cuts), comments=comments) == whole
    # The first line alone first, so that the rest goes through the fast lane.
    first = min([i for i in (stream.find(b"\n"), stream.find(b"\r")) if i >= 0], default=-1)
    if first >= 0 and stream[first : first + 1] == b"\n":
        pieces = [stream[: first + 1], *split(stream[first + 1 :], cuts)]
        assert run(pieces, comments=comments) == whole
    model = reference_parse(stream, comments=comments)
    assert whole.items == list(model.items)
    assert whole.error is model.error
    if model.error is None:
        assert whole.last_event_id == model.last_event_id
        assert whole.retry == model.retry
        assert whole.unterminated == model.unterminated


@settings(max_examples=400)
@given(
    stream=long_streams,
    data=st.data(),
    max_line_size=st.integers(1, 400),
    max_event_size=st.integers(1, 600),
)
def test_long_feeds_limits(
    stream: bytes, data: st.DataObject, max_line_size: int, max_event_size: int
) -> None:
    """Long feeds hit limits where the model does, in any chunking."""
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=8))
    options = {"max_line_size": max_line_size, "max_event_size": max_event_size}
    whole = run([stream], **options)
    model = reference_parse(stream, max_line_size=max_line_size, max_event_size=max_event_size)
    assert whole.items == list(model.items)
    assert whole.error is model.error
    assert run(split(stream, cuts), **options) == whole
    first = stream.find(b"\n")
    if first >= 0 and b"\r" not in stream[: first + 1]:
        pieces = [stream[: first + 1], *split(stream[first + 1 :], cuts)]
        assert run(pieces, **options) == whole
