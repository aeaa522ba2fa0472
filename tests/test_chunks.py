"""ChunkDecoder: the JSON chunk stream state machine."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import sseproto
from sseproto import (
    ChunkDecoder,
    ChunkState,
    Comment,
    Event,
    Heartbeat,
    InBandError,
    JSONChunk,
    StreamDone,
)
from sseproto._chunks import TRANSITIONS, ChunkInput

from .helpers import split

S = ChunkState
I = ChunkInput  # noqa: E741 - mirrors the module's own short alias

DATA = Event("message", '{"choices": [{"delta": {"content": "Hi"}}]}', "")
ERROR = Event("message", '{"error": {"code": 502, "message": "upstream failed"}}', "")
MALFORMED = Event("message", '{"choices": [', "")
SENTINEL = Event("message", "[DONE]", "")
PING = Comment("OPENROUTER PROCESSING")

INPUT_ITEMS: dict[ChunkInput, Event | Comment] = {
    I.DATA: DATA,
    I.ERROR_PAYLOAD: ERROR,
    I.MALFORMED: MALFORMED,
    I.SENTINEL: SENTINEL,
    I.HEARTBEAT: PING,
}


def decoder(**options: Any) -> ChunkDecoder:
    options.setdefault("is_error", sseproto.has_error_member)
    options.setdefault("heartbeats", True)
    return ChunkDecoder(**options)


def in_state(state: ChunkState) -> ChunkDecoder:
    """A decoder driven into ``state`` through its public API."""
    dec = decoder()
    if state is S.COMPLETED:
        dec.feed_items([SENTINEL])
    elif state is S.ERRORED:
        dec.feed_items([ERROR])
    elif state is S.TRUNCATED:
        dec.close()
    elif state is S.FAILED:
        with pytest.raises(sseproto.MalformedChunk):
            dec.feed_items([MALFORMED])
    assert dec.state is state
    return dec


def give(dec: ChunkDecoder, kind: ChunkInput) -> list[Any]:
    if kind is I.END:
        return dec.close()
    return dec.feed_items([INPUT_ITEMS[kind]])


# -- the table ------------------------------------------------------------------------


def test_table_is_complete() -> None:
    """Every (state, input) pair has an entry: nothing is handled by accident."""
    assert set(TRANSITIONS) == {(s, i) for s in ChunkState for i in ChunkInput}


def test_only_open_leaves_its_state() -> None:
    """Terminal states never move to another state."""
    for (state, _), (_, new_state) in TRANSITIONS.items():
        if state is not S.OPEN:
            assert new_state is state


# What the policy entries mean for the default (chat) format; the inputs that
# only other formats produce are tested in test_chunk_formats.py.
CHAT_POLICY = {"AFTER_END": "IGNORE", "AFTER_ERROR": "REFUSE"}


@settings(max_examples=100)
@given(state=st.sampled_from(ChunkState), kind=st.sampled_from([*INPUT_ITEMS, I.END]))
def test_every_pair_behaves_as_the_table_says(state: ChunkState, kind: ChunkInput) -> None:
    """For each (state, input): the items, the exception and the new state match the table."""
    dec = in_state(state)
    do, new_state = TRANSITIONS[state, kind]
    before = dec.outcome
    action = CHAT_POLICY.get(do.name, do.name)
    if action == "REFUSE":
        with pytest.raises(sseproto.LocalProtocolError, match=state.value):
            give(dec, kind)
    elif action in ("RERAISE", "MALFORMED"):
        with pytest.raises(sseproto.MalformedChunk):
            give(dec, kind)
        new_state = S.FAILED
    else:
        items = give(dec, kind)
        outcomes: dict[str, list[Any]] = {
            "EMIT": [JSONChunk(json.loads(DATA.data), DATA)],
            "ERROR": [InBandError(json.loads(ERROR.data), ERROR)],
            "DONE": [StreamDone()],
            "HEARTBEAT": [Heartbeat(PING.text)],
            "IGNORE": [],
            "NOTHING": [],
        }
        expected = outcomes[action]
        assert items == expected
        if action == "IGNORE":
            assert dec.outcome.ignored == before.ignored + 1
    assert dec.state is new_state


# -- behaviour --------------------------------------------------------------------------


def test_openrouter_stream_end_to_end() -> None:
    """A typical stream: keepalive, chunks, [DONE] give heartbeat, chunks, done."""
    body = (
        b": OPENROUTER PROCESSING\n\n"
        b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'
        b'data: {"choices":[{"delta":{"content":"lo"}}]}\n\n'
        b"data: [DONE]\n\n"
    )
    dec = decoder()
    items = dec.feed(body) + dec.close()
    assert [type(i) for i in items] == [Heartbeat, JSONChunk, JSONChunk, StreamDone]
    contents = [i.value["choices"][0]["delta"]["content"] for i in items if type(i) is JSONChunk]
    assert contents == ["Hel", "lo"]
    assert dec.outcome.state is S.COMPLETED
    assert dec.outcome.chunks == 2


def test_heartbeats_hidden_unless_asked() -> None:
    """Without heartbeats=True, comments produce no items."""
    dec = ChunkDecoder()
    assert dec.feed(b": ping\n\n") == []


def test_end_without_sentinel_is_truncated() -> None:
    """Input that ends before [DONE] leaves the outcome TRUNCATED."""
    dec = decoder()
    dec.feed(b'data: {"a": 1}\n\n')
    assert dec.close() == []
    assert dec.outcome.state is S.TRUNCATED


def test_unterminated_sentinel_is_truncated() -> None:
    """A [DONE] without its blank line was never dispatched: still TRUNCATED."""
    dec = decoder()
    dec.feed(b"data: [DONE]\n")
    dec.close()
    assert dec.state is S.TRUNCATED


def test_no_sentinel_stream_completes_at_end() -> None:
    """sentinel=None: the end of input is the normal end, and [DONE] is plain data."""
    dec = ChunkDecoder(sentinel=None, malformed="skip")
    dec.feed(b"data: 1\n\ndata: [DONE]\n\n")
    dec.close()
    assert dec.outcome.state is S.COMPLETED
    assert dec.outcome.skipped == 1


def test_in_band_error_keeps_payload() -> None:
    """An error payload ends the stream as ERRORED and is kept in the outcome."""
    dec = decoder()
    items = dec.feed(b"data: " + ERROR.data.encode() + b"\n\n")
    assert items == [InBandError(json.loads(ERROR.data), ERROR)]
    assert dec.outcome.error_payload == {"error": {"code": 502, "message": "upstream failed"}}


def test_error_member_predicate() -> None:
    """has_error_member accepts objects with a non-null "error" member only."""
    assert sseproto.has_error_member({"error": {"message": "x"}})
    assert sseproto.has_error_member({"error": "x"})
    assert not sseproto.has_error_member({"error": None})
    assert not sseproto.has_error_member({"choices": []})
    assert not sseproto.has_error_member(["error"])
    assert not sseproto.has_error_member("error")


def test_malformed_raise_carries_raw_and_cause() -> None:
    """Under "raise", undecodable data raises MalformedChunk with the raw data and cause."""
    dec = decoder()
    with pytest.raises(sseproto.MalformedChunk) as info:
        dec.feed(b"data: {oops\n\n")
    assert info.value.raw == "{oops"
    assert isinstance(info.value.__cause__, json.JSONDecodeError)
    assert dec.outcome.failure is info.value
    assert isinstance(info.value, sseproto.RemoteProtocolError)


def test_failed_raises_again_on_every_call() -> None:
    """After a malformed chunk, feed, feed(b"") and close all raise it again."""
    dec = in_state(S.FAILED)
    calls: list[Callable[[], list[Any]]] = [
        lambda: dec.feed(b'data: {"a":1}\n\n'),
        lambda: dec.feed(b""),
        dec.close,
    ]
    for call in calls:
        with pytest.raises(sseproto.MalformedChunk):
            call()


def test_malformed_skip_counts_and_keeps_last() -> None:
    """Under "skip", undecodable data is skipped, counted and the last one kept."""
    dec = decoder(malformed="skip")
    items = dec.feed(b"data: {a\n\ndata: 1\n\ndata: {b\n\n")
    assert [i.value for i in items if type(i) is JSONChunk] == [1]
    assert dec.outcome.skipped == 2
    assert dec.outcome.last_skipped == "{b"
    assert dec.state is S.OPEN


def test_error_after_items_is_deferred() -> None:
    """Items decoded before a malformed chunk in the same call are returned first."""
    dec = decoder()
    items = dec.feed(b"data: 1\n\ndata: 2\n\ndata: {bad\n\n")
    assert [i.value for i in items if type(i) is JSONChunk] == [1, 2]
    assert dec.state is S.FAILED
    with pytest.raises(sseproto.MalformedChunk):
        dec.feed(b"")


def test_events_after_done_are_ignored_then_refused() -> None:
    """Up to max_ignored events after [DONE] are ignored; one more is DataAfterDone."""
    dec = decoder(max_ignored=2)
    dec.feed(b"data: [DONE]\n\n")
    assert dec.feed(b"data: 1\n\ndata: 2\n\n") == []
    assert dec.outcome.ignored == 2
    with pytest.raises(sseproto.DataAfterDone, match="max_ignored=2"):
        dec.feed(b"data: 3\n\n")


def test_input_after_error_is_refused() -> None:
    """Feeding events after an in-band error is a LocalProtocolError: stop reading."""
    dec = in_state(S.ERRORED)
    with pytest.raises(sseproto.LocalProtocolError, match="errored"):
        dec.feed(b"data: 1\n\n")


def test_custom_loads() -> None:
    """A caller's loads decides how data becomes values."""
    dec = ChunkDecoder(loads=lambda text: json.loads(text, parse_float=Decimal))
    (item,) = dec.feed(b'data: {"cost": 0.1}\n\n')
    assert type(item) is JSONChunk
    assert item.value == {"cost": Decimal("0.1")}


def test_custom_decode_errors() -> None:
    """decode_errors names which exceptions of loads mean "undecodable"."""

    def strict(text: str) -> Any:
        if not text.startswith("{"):
            raise KeyError(text)
        return json.loads(text)

    dec = ChunkDecoder(loads=strict, decode_errors=(KeyError,), malformed="skip")
    dec.feed(b"data: 1\n\n")
    assert dec.outcome.skipped == 1
    other = ChunkDecoder(loads=strict)
    with pytest.raises(KeyError):  # not a decode error: propagates unchanged
        other.feed(b"data: 1\n\n")


def test_parser_limits_apply() -> None:
    """The internal parser's limits are the decoder's limits."""
    dec = ChunkDecoder(max_line_size=16)
    with pytest.raises(sseproto.LineTooLong):
        dec.feed(b"data: " + b"x" * 40 + b"\n\n")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ChunkDecoder(malformed="ignore"), "malformed"),  # type: ignore[arg-type]
        (lambda: ChunkDecoder(max_ignored=-1), "max_ignored"),
    ],
)
def test_options_validated(make: Callable[[], ChunkDecoder], message: str) -> None:
    """Bad options are a ValueError naming the option."""
    with pytest.raises(ValueError, match=message):
        make()


# -- properties ---------------------------------------------------------------------------

_payloads = st.one_of(
    st.just('{"choices": []}'),
    st.just('{"error": {"code": 1}}'),
    st.just("{broken"),
    st.just("[DONE]"),
    st.integers(-5, 5).map(str),
    st.text(max_size=5),
)
_blocks = st.one_of(
    _payloads.map(sseproto.encode_event),
    st.just(b": OPENROUTER PROCESSING\n\n"),
)


def _run(chunks: list[bytes], **options: Any) -> tuple[list[Any], Any, type | None]:
    dec = decoder(**options)
    items: list[Any] = []
    error: type | None = None
    try:
        for chunk in chunks:
            items += dec.feed(chunk)
        items += dec.close()
    except sseproto.ProtocolError as exc:
        error = type(exc)
    return items, dec.outcome.state, error


@given(
    blocks=st.lists(_blocks, max_size=12),
    data=st.data(),
    malformed=st.sampled_from(["raise", "skip"]),
)
def test_any_chunking_gives_the_same_result(
    blocks: list[bytes], data: st.DataObject, malformed: Any
) -> None:
    """Any split of the body gives the same items, state and error as one feed."""
    body = b"".join(blocks)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=10))
    whole = _run([body], malformed=malformed)
    assert _run(split(body, cuts), malformed=malformed) == whole


class ChunkDecoderMachine(RuleBasedStateMachine):
    """The decoder against a model written from the state diagram."""

    def __init__(self) -> None:
        super().__init__()
        self.dec = decoder(malformed="skip", max_ignored=3)
        self.state = S.OPEN
        self.chunks = 0
        self.skipped = 0
        self.ignored = 0

    def _feed(self, event: Event | Comment) -> list[Any] | type[Exception]:
        try:
            return self.dec.feed_items([event])
        except sseproto.ProtocolError as exc:
            return type(exc)

    @rule(value=st.integers())
    def data(self, value: int) -> None:
        result = self._feed(Event("message", json.dumps({"n": value}), ""))
        if self.state is S.OPEN:
            assert result == [JSONChunk({"n": value}, Event("message", json.dumps({"n": value})))]
            self.chunks += 1
        else:
            self._terminal(result)

    @rule()
    def error(self) -> None:
        result = self._feed(ERROR)
        if self.state is S.OPEN:
            assert result == [InBandError(json.loads(ERROR.data), ERROR)]
            self.state = S.ERRORED
        else:
            self._terminal(result)

    @rule()
    def malformed(self) -> None:
        result = self._feed(MALFORMED)
        if self.state is S.OPEN:
            assert result == []
            self.skipped += 1
        else:
            self._terminal(result)

    @rule()
    def sentinel(self) -> None:
        result = self._feed(SENTINEL)
        if self.state is S.OPEN:
            assert result == [StreamDone()]
            self.state = S.COMPLETED
        else:
            self._terminal(result)

    @rule()
    def heartbeat(self) -> None:
        result = self._feed(PING)
        if self.state is S.OPEN:
            assert result == [Heartbeat(PING.text)]
        else:
            self._terminal(result)

    @rule()
    def end(self) -> None:
        assert self.dec.close() == []
        if self.state is S.OPEN:
            self.state = S.TRUNCATED

    def _terminal(self, result: list[Any] | type[Exception]) -> None:
        if self.state is S.COMPLETED:
            self.ignored += 1
            if self.ignored > 3:
                assert result is sseproto.DataAfterDone
            else:
                assert result == []
        else:
            assert result is sseproto.LocalProtocolError

    @invariant()
    def outcome_matches(self) -> None:
        outcome = self.dec.outcome
        assert outcome.state is self.state
        assert outcome.chunks == self.chunks
        assert outcome.skipped == self.skipped
        assert outcome.ignored == self.ignored


TestChunkDecoderMachine = ChunkDecoderMachine.TestCase
TestChunkDecoderMachine.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)


def test_deeply_nested_json_is_malformed_not_a_crash() -> None:
    """json.loads' RecursionError counts as undecodable data, under both policies."""
    body = b"data: " + b"[" * 100_000 + b"\n\n"
    with pytest.raises(sseproto.MalformedChunk):
        ChunkDecoder().feed(body)
    skipping = ChunkDecoder(malformed="skip")
    assert skipping.feed(body) == []
    assert skipping.outcome.skipped == 1


def test_limit_error_after_done_surfaces_at_close() -> None:
    """A limit error deferred after [DONE] is raised by close(), as by a later feed()."""
    whole = ChunkDecoder(max_line_size=16)
    assert whole.feed(b"data: [DONE]\n\n" + b"x" * 20) == [StreamDone()]
    with pytest.raises(sseproto.LineTooLong):
        whole.close()
    split_up = ChunkDecoder(max_line_size=16)
    split_up.feed(b"data: [DONE]\n\n")
    with pytest.raises(sseproto.LineTooLong):
        split_up.feed(b"x" * 20)


# -- iter_items, aiter_items --------------------------------------------------------------

ITER_BODY = (
    b": OPENROUTER PROCESSING\n\n"
    b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'
    b'data: {"choices":[{"delta":{"content":"lo"}}]}\n\n'
    b"data: [DONE]\n\n"
)


def _collect_async(dec: ChunkDecoder, chunks: list[bytes]) -> list[Any]:
    async def source() -> Any:
        for chunk in chunks:
            yield chunk

    async def main() -> list[Any]:
        return [item async for item in dec.aiter_items(source())]

    return asyncio.run(main())


@given(cuts=st.lists(st.integers(0, len(ITER_BODY)), max_size=8), asynchronous=st.booleans())
def test_iter_items_is_feed_then_close(cuts: list[int], asynchronous: bool) -> None:
    """iter_items / aiter_items over any split give feed()'s items then close()'s,
    and the same outcome."""
    chunks = split(ITER_BODY, cuts)
    reference = decoder(heartbeats=True)
    expected = reference.feed(ITER_BODY) + reference.close()
    dec = decoder(heartbeats=True)
    items = _collect_async(dec, chunks) if asynchronous else list(dec.iter_items(iter(chunks)))
    assert items == expected
    assert dec.outcome == reference.outcome
    assert dec.state is S.COMPLETED


@pytest.mark.parametrize("asynchronous", [False, True], ids=["iter", "aiter"])
def test_iter_items_yields_items_before_the_error(asynchronous: bool) -> None:
    """iter_items / aiter_items yield the items completed before a malformed chunk,
    then raise MalformedChunk; a body without [DONE] ends TRUNCATED."""
    chunks = [b"data: 1\n\ndata: 2\n\ndata: {bad\n\n", b"data: 3\n\n"]
    dec = decoder()

    async def source() -> Any:
        for chunk in chunks:
            yield chunk

    async def three() -> list[Any]:
        items = dec.aiter_items(source())
        return [await anext(items), await anext(items), await anext(items)]

    def three_sync() -> list[Any]:
        items = dec.iter_items(chunks)
        return [next(items), next(items), next(items)]

    def run_async() -> list[Any]:
        return asyncio.run(three())

    run = run_async if asynchronous else three_sync
    with pytest.raises(sseproto.MalformedChunk):
        run()
    assert dec.state is S.FAILED
    items: Any = decoder().iter_items(chunks)
    assert [next(items).value, next(items).value] == [1, 2]
    truncated = decoder()
    assert [i.value for i in truncated.iter_items([b"data: 1\n\n"])] == [1]  # type: ignore[union-attr]
    assert truncated.state is S.TRUNCATED
