"""ChunkDecoder over every StreamFormat: the table, the policies and the stream guarantees."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import sseproto
from sseproto import (
    CHAT,
    COMPLETIONS,
    IMAGES,
    MESSAGES,
    RESPONSES,
    ChunkDecoder,
    ChunkState,
    Comment,
    Event,
    Heartbeat,
    InBandError,
    JSONChunk,
    StreamDone,
    StreamFormat,
)
from sseproto._chunks import TRANSITIONS, ChunkInput

from .helpers import split

S = ChunkState
I = ChunkInput  # noqa: E741 - mirrors the module's own short alias

#: A format that produces every input of the table: a sentinel and terminal
#: types, a trailer, events that carry no chunks, a keepalive type.
EVERYTHING = StreamFormat(
    name="everything",
    sentinel="[END]",
    trailer="[DONE]",
    chunk_events={"message", "ping", "halt", "error"},
    types_from="event",
    completed={"halt"},
    errors={"error"},
    keepalives={"ping"},
    after_end="refuse",
    after_error="ignore",
)

COMMENT = Comment("OPENROUTER PROCESSING")

#: For each format, example events of each input kind (the first is the usual one).
EXAMPLES: dict[StreamFormat, dict[ChunkInput, list[Event | Comment]]] = {
    CHAT: {
        I.DATA: [Event("message", '{"choices": [{"delta": {"content": "Hi"}}]}')],
        I.ERROR_PAYLOAD: [Event("message", '{"error": {"code": 502, "message": "down"}}')],
        I.MALFORMED: [Event("message", '{"choices": [')],
        I.SENTINEL: [Event("message", "[DONE]")],
        I.HEARTBEAT: [COMMENT],
    },
    COMPLETIONS: {
        I.DATA: [Event("message", '{"choices": [{"text": "Once", "index": 0}]}')],
        I.ERROR_PAYLOAD: [Event("message", '{"error": {"code": 429, "message": "slow down"}}')],
        I.MALFORMED: [Event("message", "not json")],
        I.SENTINEL: [Event("message", "[DONE]")],
        I.HEARTBEAT: [COMMENT],
    },
    RESPONSES: {
        I.DATA: [
            Event("message", '{"type": "response.output_text.delta", "delta": "Hi"}'),
            # OpenAI's own server names each event too; the JSON type decides.
            Event("response.created", '{"type": "response.created", "response": {}}'),
            # A value that is not an object, or whose type is not a string.
            Event("message", "[1, 2]"),
            Event("message", '{"type": ["error"]}'),
        ],
        I.ERROR_PAYLOAD: [
            Event("message", '{"type": "error", "code": "rate_limit_exceeded", "message": "x"}'),
            Event("message", '{"type": "response.failed", "response": {"status": "failed"}}'),
            Event("message", '{"type": "response.error", "error": {"code": "server_error"}}'),
        ],
        I.MALFORMED: [Event("message", '{"type": "response.')],
        I.SENTINEL: [
            Event("message", '{"type": "response.completed", "response": {"status": "ok"}}'),
            Event("message", '{"type": "response.incomplete", "response": {}}'),
        ],
        I.HEARTBEAT: [COMMENT, Comment("")],
        I.TRAILER: [Event("message", "[DONE]")],
    },
    MESSAGES: {
        I.DATA: [
            Event("content_block_delta", '{"type": "content_block_delta", "index": 0}'),
            Event("message_start", '{"type": "message_start", "message": {}}'),
        ],
        I.ERROR_PAYLOAD: [
            Event("error", '{"type": "error", "error": {"type": "overloaded_error"}}'),
        ],
        I.MALFORMED: [Event("content_block_delta", "{")],
        I.SENTINEL: [Event("message_stop", '{"type": "message_stop"}')],
        I.HEARTBEAT: [COMMENT, Event("ping", '{"type": "ping"}')],
        I.TRAILER: [Event("data", "[DONE]")],
    },
    IMAGES: {
        I.DATA: [
            Event(
                "message",
                '{"type": "image_generation.partial_image", "b64_json": "iVBO",'
                ' "partial_image_index": 0}',
            ),
            Event(
                "message",
                '{"type": "image_generation.text_chunk", "phase": "reasoning", "text": "A"}',
            ),
            # The JSON type decides, whatever the event is named.
            Event("error", '{"type": "image_generation.text_chunk", "text": "<svg"}'),
            Event("message", '{"type": null}'),
        ],
        I.ERROR_PAYLOAD: [
            Event(
                "message",
                '{"type": "error", "error": {"code": "upstream_error", "message": "x",'
                ' "param": null, "type": "provider_error"}}',
            ),
        ],
        I.MALFORMED: [Event("message", '{"type": "image_generation.')],
        I.SENTINEL: [
            Event(
                "message",
                '{"type": "image_generation.completed", "b64_json": "iVBO",'
                ' "created": 1748372400, "media_type": "image/png"}',
            ),
        ],
        I.HEARTBEAT: [COMMENT, Comment("")],
        I.TRAILER: [Event("message", "[DONE]")],
    },
    EVERYTHING: {
        I.DATA: [Event("message", '{"n": 1}')],
        I.ERROR_PAYLOAD: [Event("error", '{"message": "no"}')],
        I.MALFORMED: [Event("message", "{")],
        I.SENTINEL: [Event("message", "[END]"), Event("halt", '{"reason": "done"}')],
        I.HEARTBEAT: [COMMENT, Event("ping", "")],
        I.TRAILER: [Event("message", "[DONE]")],
        I.OTHER_EVENT: [Event("progress", '{"n": 2}'), Event("error2", "{")],
    },
}
FORMATS = list(EXAMPLES)
PAIRS = [
    (fmt, state, kind, index)
    for fmt, examples in EXAMPLES.items()
    for state in ChunkState
    for kind in [*examples, I.END]
    for index in range(len(examples.get(kind, [None])))
]


def decoder(fmt: StreamFormat, **options: Any) -> ChunkDecoder:
    options.setdefault("heartbeats", True)
    return ChunkDecoder(format=fmt, **options)


def in_state(fmt: StreamFormat, state: ChunkState) -> ChunkDecoder:
    """A decoder driven into ``state`` through its public API."""
    dec = decoder(fmt)
    first = {kind: events[0] for kind, events in EXAMPLES[fmt].items()}
    if state is S.COMPLETED:
        dec.feed_items([first[I.SENTINEL]])
    elif state is S.ERRORED:
        dec.feed_items([first[I.ERROR_PAYLOAD]])
    elif state is S.TRUNCATED:
        dec.close()
    elif state is S.FAILED:
        with pytest.raises(sseproto.MalformedChunk):
            dec.feed_items([first[I.MALFORMED]])
    assert dec.state is state
    return dec


def expected_item(fmt: StreamFormat, kind: ChunkInput, item: Event | Comment) -> Any:
    """The item an input yields in OPEN, by the documented rules."""
    if type(item) is Comment:
        return Heartbeat(item.text)
    assert type(item) is Event
    if kind is I.HEARTBEAT:
        return Heartbeat(item.data, item)
    if kind is I.SENTINEL:
        if item.data == fmt.sentinel:
            return StreamDone()
        return StreamDone(json.loads(item.data), item)
    value = json.loads(item.data)
    return JSONChunk(value, item) if kind is I.DATA else InBandError(value, item)


def test_table_is_complete() -> None:
    """Every (state, input) pair has an entry, also for the inputs only some formats produce."""
    assert set(TRANSITIONS) == {(s, i) for s in ChunkState for i in ChunkInput}


def test_every_input_is_produced_by_some_format() -> None:
    """The examples reach every input of the table (so the pair test below covers it)."""
    assert {kind for examples in EXAMPLES.values() for kind in examples} | {I.END} == set(
        ChunkInput
    )


@pytest.mark.parametrize(
    ("fmt", "state", "kind", "index"),
    PAIRS,
    ids=[f"{f.name}-{s.value}-{k.name}-{i}" for f, s, k, i in PAIRS],
)
def test_every_pair_behaves_as_the_table_says(
    fmt: StreamFormat, state: ChunkState, kind: ChunkInput, index: int
) -> None:
    """For each format, (state, input) and example: items, exception, state and counters
    match the table and the format's policies."""
    dec = in_state(fmt, state)
    do, new_state = TRANSITIONS[state, kind]
    before = dec.outcome

    def give() -> list[Any]:
        return dec.close() if kind is I.END else dec.feed_items([EXAMPLES[fmt][kind][index]])

    action = do.name
    if action == "AFTER_END":
        action = "IGNORE" if fmt.after_end == "ignore" else "REFUSE_REMOTE"
    elif action == "AFTER_ERROR":
        action = "IGNORE" if fmt.after_error == "ignore" else "REFUSE"
    elif action == "TRAILER":
        assert give() == []  # the first trailer after the end: silent
        assert dec.outcome == before
        action = "IGNORE"  # later ones count
    if action == "REFUSE":
        with pytest.raises(sseproto.LocalProtocolError, match=state.value):
            give()
    elif action == "REFUSE_REMOTE":
        with pytest.raises(sseproto.DataAfterDone, match=fmt.name):
            give()
    elif action in ("RERAISE", "MALFORMED"):
        with pytest.raises(sseproto.MalformedChunk):
            give()
        new_state = S.FAILED
    else:
        items = give()
        assert dec.outcome.ignored == before.ignored + (action == "IGNORE")
        assert dec.outcome.other_events == before.other_events + (action == "SKIP")
        if action in ("EMIT", "ERROR", "DONE", "HEARTBEAT"):
            assert items == [expected_item(fmt, kind, EXAMPLES[fmt][kind][index])]
        else:
            assert items == []
        if action == "ERROR":
            assert dec.outcome.error_payload == items[0].payload
    assert dec.state is new_state


@pytest.mark.parametrize(
    "fmt", [CHAT, COMPLETIONS, RESPONSES, MESSAGES, IMAGES], ids=lambda f: f.name
)
def test_end_of_input_truncates_unless_the_format_ends_with_the_connection(
    fmt: StreamFormat,
) -> None:
    """close() in OPEN is TRUNCATED for the built-in formats (all have an end marker); a format
    with neither sentinel nor completed types completes instead."""
    dec = decoder(fmt)
    dec.feed_items([EXAMPLES[fmt][I.DATA][0]])
    dec.close()
    assert dec.state is S.TRUNCATED
    open_ended = decoder(StreamFormat(name="tail", sentinel=None, types_from="json"))
    open_ended.close()
    assert open_ended.state is S.COMPLETED


def test_keepalive_events_are_hidden_unless_asked() -> None:
    """A ping, like a comment, is returned only with heartbeats=True."""
    dec = ChunkDecoder(format=MESSAGES)
    assert dec.feed(b'event: ping\ndata: {"type": "ping"}\n\n: hi\n\n') == []
    assert dec.state is S.OPEN


def test_keepalive_event_needs_no_valid_json() -> None:
    """A keepalive named by its event is not decoded: any data is accepted."""
    dec = decoder(MESSAGES)
    assert dec.feed(b"event: ping\ndata: {\n\n") == [Heartbeat("{", Event("ping", "{"))]


# -- the description ----------------------------------------------------------------------


def test_builtin_formats_describe_the_five_streams() -> None:
    """The five descriptions: the end, the errors, the keepalives and the trailer of each."""
    assert (CHAT.sentinel, CHAT.trailer, CHAT.types_from) == ("[DONE]", None, None)
    assert CHAT.is_error is sseproto.has_error_member
    assert COMPLETIONS.is_error is sseproto.has_error_member
    assert RESPONSES.completed == {"response.completed", "response.incomplete"}
    assert {"response.failed", "error"} <= RESPONSES.errors
    assert (RESPONSES.types_from, RESPONSES.type_member) == ("json", "type")
    assert MESSAGES.types_from == "event"
    assert (MESSAGES.completed, MESSAGES.errors) == ({"message_stop"}, {"error"})
    assert MESSAGES.keepalives == {"ping"}
    assert (IMAGES.completed, IMAGES.errors) == ({"image_generation.completed"}, {"error"})
    assert (IMAGES.types_from, IMAGES.type_member, IMAGES.keepalives) == ("json", "type", set())
    for fmt in (RESPONSES, MESSAGES, IMAGES):
        assert (fmt.sentinel, fmt.trailer) == (None, "[DONE]")
        assert not fmt.ends_with_connection


def test_format_is_immutable_and_hashable() -> None:
    """A StreamFormat cannot be changed; sets are stored as frozensets; equal ones hash equal."""
    fmt = StreamFormat(name="x", types_from="event", completed={"end"})
    assert type(fmt.completed) is frozenset
    with pytest.raises(AttributeError):
        fmt.sentinel = None  # type: ignore[misc]
    assert hash(fmt) == hash(StreamFormat(name="x", types_from="event", completed=["end"]))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"completed": {"a"}}, "need types_from"),
        ({"types_from": "body"}, "types_from must be"),
        ({"types_from": "json", "completed": {"a"}, "errors": {"a"}}, "two roles"),
        ({"types_from": "json", "errors": {"a"}, "keepalives": {"a"}}, "two roles"),
        ({"trailer": "[DONE]"}, "must differ"),
        ({"after_end": "drop"}, "after_end"),
        ({"after_error": "drop"}, "after_error"),
    ],
)
def test_format_rejects_inconsistent_fields(options: dict[str, Any], error: str) -> None:
    """Contradictory or unknown settings are a ValueError at construction."""
    with pytest.raises(ValueError, match=error):
        StreamFormat(name="bad", **options)


@pytest.mark.parametrize("value", ["ping", [1]])
def test_format_rejects_ill_typed_sets(value: Any) -> None:
    """A bare string (not a set of names) or a non-string name is a TypeError."""
    with pytest.raises(TypeError):
        StreamFormat(name="bad", types_from="event", keepalives=value)


def test_default_decoder_is_todays_chat() -> None:
    """ChunkDecoder() recognises [DONE] and no error; is_error and sentinel still apply."""
    dec = ChunkDecoder()
    assert (dec.format.sentinel, dec.format.is_error) == ("[DONE]", None)
    body = b'data: {"error": 1}\n\ndata: [DONE]\n\n'
    assert [type(i) for i in dec.feed(body)] == [JSONChunk, StreamDone]
    legacy = ChunkDecoder(is_error=sseproto.has_error_member, sentinel="END")
    assert legacy.format == StreamFormat(
        name="chat", sentinel="END", is_error=sseproto.has_error_member
    )


def test_arguments_override_the_format() -> None:
    """is_error and sentinel, when given, replace the format's; others are kept."""
    dec = ChunkDecoder(format=RESPONSES, is_error=sseproto.has_error_member)
    assert dec.format.completed == RESPONSES.completed
    assert dec.format.is_error is sseproto.has_error_member
    assert ChunkDecoder(format=CHAT, sentinel=None).format.ends_with_connection
    with pytest.raises(ValueError, match="must differ"):
        ChunkDecoder(format=RESPONSES, sentinel="[DONE]")


# -- the stream guarantees, for every format ----------------------------------------------


def _encode(item: Event | Comment) -> bytes:
    if type(item) is Comment:
        return sseproto.encode_comment(item.text)
    assert type(item) is Event
    return sseproto.encode_event(item.data, type=None if item.type == "message" else item.type)


def _blocks(fmt: StreamFormat) -> st.SearchStrategy[bytes]:
    """Encoded events and comments of every kind the format knows."""
    events = [e for examples in EXAMPLES[fmt].values() for e in examples]
    return st.sampled_from(events).map(_encode)


def _run(fmt: StreamFormat, chunks: list[bytes], **options: Any) -> tuple[list[Any], Any, Any]:
    """Feed the chunks then close; the items before any error, the state and the error type."""
    dec = decoder(fmt, **options)
    items: list[Any] = []
    error: type | None = None
    try:
        for chunk in chunks:
            items += dec.feed(chunk)
        items += dec.close()
    except sseproto.ProtocolError as exc:
        error = type(exc)
    # Exceptions compare by identity: compare the failure by its message.
    outcome = dataclasses.replace(dec.outcome, failure=None)
    return items, (outcome, repr(dec.outcome.failure)), error


@st.composite
def _streams(draw: st.DrawFn) -> tuple[StreamFormat, list[bytes]]:
    fmt = draw(st.sampled_from(FORMATS))
    return fmt, draw(st.lists(_blocks(fmt), max_size=10))


@settings(max_examples=300)
@given(stream=_streams(), data=st.data(), malformed=st.sampled_from(["raise", "skip"]))
def test_any_chunking_gives_the_same_result(
    stream: tuple[StreamFormat, list[bytes]], data: st.DataObject, malformed: Any
) -> None:
    """For every format, any split of the body gives the same items, outcome and error
    as one feed, and as one feed per byte."""
    fmt, blocks = stream
    body = b"".join(blocks)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=10))
    whole = _run(fmt, [body], malformed=malformed, max_ignored=2)
    assert _run(fmt, split(body, cuts), malformed=malformed, max_ignored=2) == whole
    bytewise = [body[i : i + 1] for i in range(len(body))]
    assert _run(fmt, bytewise, malformed=malformed, max_ignored=2) == whole


@settings(max_examples=300)
@given(stream=_streams())
def test_without_an_end_marker_never_completed(stream: tuple[StreamFormat, list[bytes]]) -> None:
    """A body with no sentinel and no completed event (trailers included) is never COMPLETED."""
    fmt, blocks = stream
    end_markers = {_encode(e) for e in EXAMPLES[fmt][I.SENTINEL]}
    kept = [b for b in blocks if b not in end_markers]
    _, (outcome, _), _ = _run(fmt, [b"".join(kept)], malformed="skip")
    assert outcome.state is not S.COMPLETED


@settings(max_examples=300)
@given(stream=_streams())
def test_a_failure_comes_after_the_items_before_it(
    stream: tuple[StreamFormat, list[bytes]],
) -> None:
    """Fed as one piece, a body returns every item completed before its first error, and the
    error is raised by the next call; the items are those an event-by-event feed gives."""
    fmt, blocks = stream
    per_event, _, error = _run(fmt, blocks)
    dec = decoder(fmt)
    if error is None:
        return
    if per_event:
        assert dec.feed(b"".join(blocks)) == per_event
        with pytest.raises(error):
            dec.close()
    else:
        with pytest.raises(error):
            dec.iter_items([b"".join(blocks)]).__next__()


class FormatMachine(RuleBasedStateMachine):
    """The decoder against a model of the table and the format's policies, for a format
    drawn per run and inputs drawn from its examples."""

    def __init__(self) -> None:
        super().__init__()
        self.fmt: StreamFormat | None = None
        self.dec: ChunkDecoder | None = None
        self.state = S.OPEN
        self.counts = {"chunks": 0, "ignored": 0, "other_events": 0}
        self.trailed = False

    @rule(
        fmt=st.sampled_from(FORMATS), kind=st.sampled_from(list(ChunkInput)), pick=st.integers(0, 3)
    )
    def give(self, fmt: StreamFormat, kind: ChunkInput, pick: int) -> None:
        if self.fmt is None:
            self.fmt, self.dec = fmt, decoder(fmt, malformed="skip", max_ignored=3)
        fmt, dec = self.fmt, self.dec
        assert dec is not None
        if kind is I.END:
            assert dec.close() == []
            if self.state is S.OPEN:
                self.state = S.TRUNCATED
            return
        examples = EXAMPLES[fmt].get(kind)
        if not examples:
            return
        item = examples[pick % len(examples)]
        try:
            result: Any = dec.feed_items([item])
        except sseproto.ProtocolError as exc:
            result = type(exc)
        self._check(fmt, kind, item, result)

    def _check(self, fmt: StreamFormat, kind: ChunkInput, item: Any, result: Any) -> None:
        if self.state is S.OPEN:
            if kind is I.MALFORMED or kind is I.TRAILER:
                assert result == []
            elif kind is I.OTHER_EVENT:
                assert result == []
                self.counts["other_events"] += 1
            else:
                assert result == [expected_item(fmt, kind, item)]
                self.counts["chunks"] += kind is I.DATA
                self.state = {I.SENTINEL: S.COMPLETED, I.ERROR_PAYLOAD: S.ERRORED}.get(kind, S.OPEN)
            return
        if self.state is S.TRUNCATED:
            assert result is sseproto.LocalProtocolError
            return
        if kind is I.TRAILER and not self.trailed:
            self.trailed = True
            assert result == []
            return
        policy = fmt.after_end if self.state is S.COMPLETED else fmt.after_error
        if kind is I.TRAILER or policy == "ignore":
            self.counts["ignored"] += 1
            expected: Any = [] if self.counts["ignored"] <= 3 else sseproto.DataAfterDone
        elif self.state is S.COMPLETED:
            expected = sseproto.DataAfterDone
        else:
            expected = sseproto.LocalProtocolError
        assert result == expected

    @invariant()
    def outcome_matches(self) -> None:
        if self.dec is None:
            return
        outcome = self.dec.outcome
        if outcome.ignored > 3:  # DataAfterDone was raised: the model stops here
            return
        assert outcome.state is self.state
        assert outcome.chunks == self.counts["chunks"]
        assert outcome.ignored == self.counts["ignored"]
        assert outcome.other_events == self.counts["other_events"]


TestFormatMachine = FormatMachine.TestCase
TestFormatMachine.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
