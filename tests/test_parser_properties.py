"""hypothesis properties of EventStreamParser and the encoder."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import sseproto
from sseproto import Event, EventStreamParser

from .helpers import bytewise, run, split
from .reference_model import reference_parse
from .strategies import single_line_texts, streams, texts


@given(stream=streams, data=st.data(), comments=st.booleans())
def test_any_chunking_equals_one_chunk(stream: bytes, data: st.DataObject, comments: bool) -> None:
    """Any split of the input gives the same items and final state as feeding it whole."""
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    assert run(split(stream, cuts), comments=comments) == run([stream], comments=comments)


@given(stream=streams, comments=st.booleans())
def test_byte_at_a_time_equals_one_chunk(stream: bytes, comments: bool) -> None:
    """Feeding one byte per call gives the same result as feeding it whole."""
    assert run(bytewise(stream), comments=comments) == run([stream], comments=comments)


@given(
    stream=streams,
    data=st.data(),
    max_line_size=st.integers(1, 40),
    max_event_size=st.integers(1, 60),
    comments=st.booleans(),
)
def test_limits_hit_at_same_place_in_any_chunking(
    stream: bytes,
    data: st.DataObject,
    max_line_size: int,
    max_event_size: int,
    comments: bool,
) -> None:
    """With small limits, items and the error are the same in any chunking."""
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    options = {
        "max_line_size": max_line_size,
        "max_event_size": max_event_size,
        "comments": comments,
    }
    assert run(split(stream, cuts), **options) == run([stream], **options)


@given(stream=streams, comments=st.booleans())
def test_agrees_with_reference_model(stream: bytes, comments: bool) -> None:
    """The parser gives what the line-by-line model of the spec gives."""
    outcome = run([stream], comments=comments)
    model = reference_parse(stream, comments=comments)
    assert outcome.error is None
    assert outcome.items == list(model.items)
    assert outcome.last_event_id == model.last_event_id
    assert outcome.retry == model.retry
    assert outcome.unterminated == model.unterminated


@given(
    stream=streams,
    max_line_size=st.integers(1, 40),
    max_event_size=st.integers(1, 60),
    comments=st.booleans(),
)
def test_agrees_with_reference_model_on_limits(
    stream: bytes, max_line_size: int, max_event_size: int, comments: bool
) -> None:
    """With small limits, the parser's items and error are the model's."""
    limits = {"max_line_size": max_line_size, "max_event_size": max_event_size}
    outcome = run([stream], comments=comments, **limits)
    model = reference_parse(stream, comments=comments, **limits)
    assert outcome.items == list(model.items)
    assert outcome.error is model.error
    if model.error is None:
        assert outcome.last_event_id == model.last_event_id
        assert outcome.retry == model.retry


@given(stream=st.binary(max_size=500), data=st.data())
def test_arbitrary_bytes_give_items_or_protocol_error(stream: bytes, data: st.DataObject) -> None:
    """Arbitrary bytes with arbitrary limits give items or a ProtocolError, nothing else."""
    parser = EventStreamParser(
        comments=data.draw(st.booleans()),
        max_line_size=data.draw(st.integers(1, 64)),
        max_event_size=data.draw(st.integers(1, 64)),
    )
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=8))
    try:
        for chunk in split(stream, cuts):
            for item in parser.feed(chunk):
                assert isinstance(item, (sseproto.Event, sseproto.Comment))
        parser.close()
    except sseproto.ProtocolError:
        pass


@given(
    events=st.lists(
        st.tuples(
            texts,
            st.one_of(st.none(), single_line_texts.filter(bool)),
            st.one_of(st.none(), single_line_texts.filter(lambda s: "\0" not in s)),
        ),
        max_size=8,
    ),
    data=st.data(),
)
@settings(max_examples=200)
def test_encode_then_parse_is_identity(
    events: list[tuple[str, str | None, str | None]], data: st.DataObject
) -> None:
    """Parsing encoded events gives back exactly the events that went in."""
    wire = b"".join(sseproto.encode_event(d, type=t, id=i) for d, t, i in events)
    cuts = data.draw(st.lists(st.integers(0, len(wire)), max_size=8))
    outcome = run(split(wire, cuts))
    expected = []
    last_id = ""
    for d, t, i in events:
        if i is not None:
            last_id = i
        normalized = d.replace("\r\n", "\n").replace("\r", "\n")
        expected.append(Event(t or "message", normalized, last_id))
    assert outcome.items == expected
    assert outcome.unterminated is False


@given(text=single_line_texts, retry=st.integers(0, 10**30))
def test_comment_and_retry_round_trip(text: str, retry: int) -> None:
    """Encoded comments and retry values parse back unchanged."""
    outcome = run([sseproto.encode_comment(text) + sseproto.encode_retry(retry)], comments=True)
    assert outcome.items == [sseproto.Comment(text)]
    assert outcome.retry == retry


@given(stream=streams, data=st.data(), max_line_size=st.integers(1, 40), comments=st.booleans())
def test_iter_items_equals_feeding(
    stream: bytes, data: st.DataObject, max_line_size: int, comments: bool
) -> None:
    """iter_items() gives the items and error that feed() then close() give."""
    chunks = split(stream, data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    expected = run(chunks, comments=comments, max_line_size=max_line_size)
    parser = EventStreamParser(comments=comments, max_line_size=max_line_size)
    items: list[Event | sseproto.Comment] = []
    error = None
    try:
        for item in parser.iter_items(chunks):
            items.append(item)  # noqa: PERF402 - keeps the items yielded before an error
    except sseproto.RemoteProtocolError as exc:
        error = type(exc)
    assert items == expected.items
    assert error is expected.error
