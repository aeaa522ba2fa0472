"""Streams in the shapes providers really send accumulate to the non-streamed body.

Each case of :mod:`.recorded.shapes` is read through the event stream parser
and the stream core, whole, cut at every byte boundary, cut at places
hypothesis chooses, and fed one byte at a time; a few go through the real
client against a loopback server. The result must equal the body that a
non-streamed call returns for the same generation, and the message sent back
on the next turn must carry each reasoning entry as it was received.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter import ChatCompletionRequest, Message, OpenRouter, StreamError
from openrouter._accumulator import ChatCompletionAccumulator
from openrouter._responses import ChatCompletionChunk

from ._hostile import HostileServer, stream_head
from .recorded.shapes import CASES, Case
from .test_roundtrip import cut, read

COMPLETED = [c for c in CASES if not c.error]
ERRORED = [c for c in CASES if c.error]


def outcome_of(pieces: list[bytes], case: Case) -> dict[str, Any]:
    """The merged body after reading ``pieces``: the result of a completed
    stream, or the ``partial`` of the in-band error that ends an error case."""
    if not case.error:
        core = read(pieces)
        assert core.outcome == "completed"
        body: dict[str, Any] = core.accumulator.result().raw
        return body
    with pytest.raises(StreamError) as info:
        read(pieces)
    assert info.value.partial is not None
    partial: dict[str, Any] = info.value.partial.raw
    return partial


def splits(data: bytes) -> Iterator[list[bytes]]:
    """``data`` cut in two at every byte boundary."""
    for at in range(len(data) + 1):
        yield [data[:at], data[at:]]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_whole_stream_gives_the_non_streamed_body(case: Case) -> None:
    """The stream, read in one piece, merges to the non-streamed body."""
    assert outcome_of([case.sse], case) == case.expected


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_every_cut_gives_the_same_body(case: Case) -> None:
    """Cut in two at any byte, the stream merges to the same body."""
    for pieces in splits(case.sse):
        assert outcome_of(pieces, case) == case.expected, len(pieces[0])


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_byte_by_byte_gives_the_same_body(case: Case) -> None:
    """Fed one byte at a time, the stream merges to the same body."""
    pieces = [case.sse[i : i + 1] for i in range(len(case.sse))]
    assert outcome_of(pieces, case) == case.expected


@settings(max_examples=100)
@given(
    case=st.sampled_from(CASES),
    points=st.lists(st.integers(0, 10**6), min_size=1, max_size=40),
)
def test_many_cuts_give_the_same_body(case: Case, points: list[int]) -> None:
    """Cut anywhere into many pieces, the stream merges to the same body."""
    assert outcome_of(cut(case.sse, points), case) == case.expected


def _chunks(sse: bytes) -> list[dict[str, Any]]:
    """The JSON payloads of an event stream's ``data:`` events, by a plain reading."""
    blocks = sse.replace(b"\r\n", b"\n").split(b"\n\n")
    return [json.loads(b[len(b"data: ") :]) for b in blocks if b.startswith(b"data: {")]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_next_turn_carries_each_reasoning_entry_as_received(case: Case) -> None:
    """to_message() sends back every reasoning entry apart, exactly, and every tool call."""
    acc = ChatCompletionAccumulator()
    for chunk in _chunks(case.sse):
        acc.add(chunk)
    sent, message = acc.to_message().to_dict(), case.expected["choices"][0]["message"]
    assert sent.get("reasoning_details", []) == message.get("reasoning_details", [])
    assert sent.get("tool_calls", []) == message.get("tool_calls", [])
    if "audio" in message:
        assert sent["audio"] == {"id": message["audio"]["id"]}


@pytest.mark.parametrize("case", ERRORED, ids=repr)
def test_inband_error_keeps_usage_and_its_chunk(case: Case) -> None:
    """The StreamError's partial has the error chunk's usage; chunks holds that chunk."""
    with pytest.raises(StreamError) as info:
        read([case.sse])
    error = info.value
    assert error.partial is not None
    assert error.partial.raw["usage"] == case.expected["usage"]
    assert error.partial.usage is not None
    assert error.partial.usage.total_tokens == case.expected["usage"]["total_tokens"]
    assert len(error.chunks) == 1
    last = error.chunks[0]
    assert isinstance(last, ChatCompletionChunk)
    assert last.raw == _chunks(case.sse)[-1]
    assert last.raw["error"] == case.expected["error"]


# -- through the client, on the blocking sockets transport ---------------------------

LOOPBACK = [c for c in CASES if c.name in {"anthropic_reasoning_signature", "crlf_line_endings"}]


def served(case: Case) -> HostileServer:
    """A loopback server that answers with the case's bytes in small writes."""
    body = case.sse
    steps = [body[i : i + 97] for i in range(0, len(body), 97)]
    return HostileServer(lambda key: [stream_head(), *steps])


def request() -> ChatCompletionRequest:
    return ChatCompletionRequest(model="any/model", messages=[Message.user("hi")])


@pytest.mark.parametrize("case", LOOPBACK, ids=repr)
def test_client_reads_the_recorded_stream(case: Case) -> None:
    """The blocking client streams the recorded bytes to the non-streamed body."""
    with served(case) as server, OpenRouter("sk-or-test", base_url=server.base_url) as client:
        with client.chat_completion_stream(request()) as stream:
            chunks = list(stream)
        assert stream.outcome == "completed"
        assert stream.heartbeats == case.sse.count(b": OPENROUTER PROCESSING")
        assert len(chunks) == len(_chunks(case.sse))
        assert stream.result().raw == case.expected


def test_client_raises_the_recorded_inband_error() -> None:
    """The blocking client raises the recorded error with the billed usage in partial."""
    case = next(c for c in ERRORED if c.name == "minimax_inband_error")
    with served(case) as server, OpenRouter("sk-or-test", base_url=server.base_url) as client:
        with client.chat_completion_stream(request()) as stream, pytest.raises(StreamError) as info:
            list(stream)
        assert stream.outcome == "errored"
        assert info.value.partial is not None
        assert info.value.partial.raw == case.expected
        assert [c.raw for c in info.value.chunks] == [_chunks(case.sse)[-1]]
