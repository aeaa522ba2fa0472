"""The Anthropic Messages stream: typed events, the accumulator and the final message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openrouter._messages_api import (
    EVENT_CLASSES,
    AnthropicMessage,
    BlockDelta,
    ContentBlock,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    MessageErrorEvent,
    MessageEvent,
    MessagesAccumulator,
    MessageStartEvent,
    RedactedThinkingBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    parse_message_event,
)
from sseproto import Outcome

from .recorded.event_streams import Replay, assert_same_under_splits, fixture, replay

ALL = [
    "messages_thinking_text.sse",
    "messages_tool_use.sse",
    "messages_overloaded_error.sse",
    "messages_web_search.sse",
    "messages_truncated.sse",
]
MESSAGE_ID = "gen-1767300100-Pw3Ns8Ju5Kd2Lm7Qc4Hx"
URL = "https://peps.python.org/pep-0745/"
TITLE = "PEP 745 \u2013 Python 3.14 Release Schedule"


def accumulate(stream: Replay) -> MessagesAccumulator:
    acc = MessagesAccumulator()
    for name, event in stream.events:
        acc.add(event, name)
    acc.close()
    return acc


def run(name: str) -> tuple[Replay, MessagesAccumulator]:
    stream = replay([fixture(name)])
    return stream, accumulate(stream)


def body(content: list[dict[str, Any]], stop_reason: str, usage: dict[str, Any]) -> dict[str, Any]:
    """The non-streamed message of the fixtures' generation."""
    return {
        "id": MESSAGE_ID,
        "type": "message",
        "role": "assistant",
        "container": None,
        "content": content,
        "model": "anthropic/claude-sonnet-4.5",
        "stop_reason": stop_reason,
        "stop_details": None,
        "stop_sequence": None,
        "usage": usage,
        "provider": "Anthropic",
    }


def usage(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "output_tokens_details": None,
        "cache_creation_input_tokens": None,
        "cache_read_input_tokens": None,
        "cache_creation": None,
        "inference_geo": None,
        "server_tool_use": None,
        "service_tier": "standard",
    }
    return base | values


def test_thinking_then_text() -> None:
    """Thinking with its signature, text, merged usage; ping and comment are keepalives."""
    stream, acc = run("messages_thinking_text.sse")
    assert (stream.comments, stream.trailers, acc.keepalives) == (1, 1, 1)
    assert acc.outcome is Outcome.COMPLETED
    poem = (
        "A coder who lived by the sea\nwrote parsers for SSE\nshe split every byte,\n"
        "got the same answer each night,\nand sipped on her chamomile tea."
    )
    expected = body(
        [
            {
                "type": "thinking",
                "thinking": "A limerick needs AABBA rhyme and a bouncy meter.",
                "signature": "ErUBCkYIBxgCSampleSignatureForTests==",
            },
            {"type": "text", "text": poem},
        ],
        "end_turn",
        usage(
            input_tokens=31,
            output_tokens=77,
            cache_creation_input_tokens=0,
            cache_read_input_tokens=0,
            cost=0.001248,
            is_byok=False,
        ),
    )
    result = acc.result()
    assert result.raw == expected
    thinking, text = result.blocks
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.signature == "ErUBCkYIBxgCSampleSignatureForTests=="
    assert isinstance(text, TextBlock)
    assert text.text == poem == result.text == acc.text
    assert text.citations is None
    assert (result.id, result.role, result.stop_reason) == (MESSAGE_ID, "assistant", "end_turn")
    assert result.usage is not None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (31, 77)
    assert result.usage.cost == 0.001248


def test_tool_use_input_from_many_deltas() -> None:
    """Input JSON in ten pieces (the first empty) decodes to a dict at the block's stop."""
    stream, acc = run("messages_tool_use.sse")
    pieces = [e for _, e in stream.events if e.get("delta", {}).get("type") == "input_json_delta"]
    assert len(pieces) == 10
    assert pieces[0]["delta"]["partial_json"] == ""
    expected_input = {"origin": "Lyon", "destination": "Paris", "seats": 2}
    expected_input["classes"] = ["first", "second"]
    expected = body(
        [
            {"type": "text", "text": "Let me check the timetable."},
            {
                "type": "tool_use",
                "id": "toolu_01SampleXyZ987",
                "caller": {"type": "direct"},
                "name": "find_trains",
                "input": expected_input,
            },
        ],
        "tool_use",
        usage(input_tokens=455, output_tokens=64, cache_read_input_tokens=0),
    )
    result = acc.result()
    assert result.raw == expected
    _, call = result.blocks
    assert isinstance(call, ToolUseBlock)
    assert (call.id, call.name, call.input) == (
        "toolu_01SampleXyZ987",
        "find_trains",
        expected_input,
    )


def test_overloaded_error_after_content() -> None:
    """``error`` errors the stream with its type as the code; the text so far is kept."""
    _, acc = run("messages_overloaded_error.sse")
    assert acc.outcome is Outcome.ERRORED
    assert acc.error is not None
    assert acc.error.code == "overloaded_error"
    assert acc.error.error_type == "provider_overloaded"
    assert acc.error.message == "Overloaded"
    assert acc.keepalives == 1
    assert acc.result().text == "The short answer is that"
    assert acc.result().stop_reason is None
    acc.add({"type": "message_stop"})
    assert (acc.outcome, acc.ignored) == (Outcome.ERRORED, 1)


def test_web_search_with_citations() -> None:
    """Redacted thinking, the server tool's blocks kept as sent, citations appended."""
    _, acc = run("messages_web_search.sse")
    cite = {
        "type": "web_search_result_location",
        "url": URL,
        "title": TITLE,
        "encrypted_index": "EpMBSampleIdx==",
        "cited_text": "3.14.0 final: Tuesday, 2025-10-07",
    }
    result = acc.result()
    redacted, search, found, text = result.blocks
    assert isinstance(redacted, RedactedThinkingBlock)
    assert redacted.data == "EmwKAhgBSampleOpaqueRedactedBlob=="
    assert type(search) is ContentBlock
    assert search.raw == {
        "type": "server_tool_use",
        "id": "srvtoolu_01SampleWs",
        "name": "web_search",
        "input": {"query": "pep 745 python 3.14 schedule"},
    }
    assert type(found) is ContentBlock
    assert found.type == "web_search_tool_result"
    assert found.raw["content"][0]["url"] == URL
    assert isinstance(text, TextBlock)
    assert text.text == "Python 3.14.0 was scheduled for 7 October 2025."
    assert text.citations == [cite]
    assert result.usage is not None
    assert result.usage.input_tokens == 2771
    assert result.usage.server_tool_use is not None
    assert result.usage.server_tool_use.web_search_requests == 1


def test_done_trailer_without_message_stop_is_truncated() -> None:
    """OpenRouter's ``[DONE]`` does not complete a stream that lacks ``message_stop``."""
    stream, acc = run("messages_truncated.sse")
    assert stream.trailers == 1
    assert stream.events[-1][0] == "content_block_delta"
    assert acc.outcome is Outcome.TRUNCATED
    assert acc.result().text == "Cut off in the mid"


@pytest.mark.parametrize("name", ALL)
def test_any_split_gives_the_same_result(name: str) -> None:
    """Fed in any pieces (the tool stream has CRLF line ends), a stream gives
    the same events and message."""
    data = fixture(name)
    every_cut = name == "messages_tool_use.sse"
    assert b"\r\n" in data or not every_cut
    assert_same_under_splits(data, lambda s: accumulate(s).result().raw, every_cut=every_cut)


@pytest.mark.parametrize("name", ALL)
def test_events_are_typed_by_name_and_type(name: str) -> None:
    """Each event gets its record; the SSE name equals the JSON ``type``."""
    for sse_name, event in replay([fixture(name)]).events:
        assert sse_name == event["type"]
        typed = parse_message_event(event, sse_name)
        assert type(typed) is EVENT_CLASSES.get(event["type"], MessageEvent)
        assert typed.raw is event


def test_event_records() -> None:
    """Start, block start and delta events read their members."""
    start = parse_message_event({"type": "message_start", "message": {"id": "m", "content": []}})
    assert isinstance(start, MessageStartEvent)
    assert start.message is not None
    assert start.message.id == "m"
    block = parse_message_event(
        {"type": "content_block_start", "index": 2, "content_block": {"type": "thinking"}}
    )
    assert isinstance(block, ContentBlockStartEvent)
    assert block.index == 2
    assert isinstance(block.content_block, ThinkingBlock)
    delta = parse_message_event(
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "a"}}
    )
    assert isinstance(delta, ContentBlockDeltaEvent)
    assert delta.delta == BlockDelta({"type": "text_delta", "text": "a"})
    error = parse_message_event({"type": "error", "error": {"type": "api_error", "message": "x"}})
    assert isinstance(error, MessageErrorEvent)
    assert error.error.code == "api_error"


def test_unknown_events_are_kept_and_name_stands_in_for_type() -> None:
    """Unknown types are plain events; a missing ``type`` is read from the SSE name."""
    odd = {"type": "message_annotation", "x": 1}
    assert type(parse_message_event(odd)) is MessageEvent
    acc = MessagesAccumulator()
    acc.add(odd)
    acc.add({"index": 0, "delta": {"type": "text_delta", "text": "hi"}}, "content_block_delta")
    acc.add({}, "message_stop")
    assert (acc.events, acc.outcome, acc.text) == (3, Outcome.COMPLETED, "hi")


def test_usage_merge_keeps_earlier_values_over_nulls() -> None:
    """Delta usage replaces every key it sends with a value; nulls keep the start's."""
    acc = MessagesAccumulator()
    acc.add(
        {
            "type": "message_start",
            "message": {"id": "m", "usage": {"input_tokens": 0, "output_tokens": 1, "x": "a"}},
        }
    )
    acc.add({"type": "message_delta", "usage": {"input_tokens": 574, "output_tokens": 9}})
    acc.add({"type": "message_delta", "usage": {"input_tokens": None, "output_tokens": 20}})
    acc.add({"type": "message_delta", "context_management": {"applied": []}})
    acc.add({"type": "message_stop", "openrouter_metadata": {"k": 1}})
    raw = acc.result().raw
    assert raw["usage"] == {"input_tokens": 574, "output_tokens": 20, "x": "a"}
    assert raw["context_management"] == {"applied": []}
    assert raw["openrouter_metadata"] == {"k": 1}


def test_input_that_is_not_json_is_kept_as_text() -> None:
    """Undecodable input JSON stays as text in ``raw``; the typed ``input`` is None."""
    acc = MessagesAccumulator()
    acc.add({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use"}})
    piece = {"type": "input_json_delta", "partial_json": '{"a": '}
    acc.add({"type": "content_block_delta", "index": 0, "delta": piece})
    acc.add({"type": "content_block_stop", "index": 0})
    (block,) = acc.result().blocks
    assert isinstance(block, ToolUseBlock)
    assert block.input is None
    assert block.raw["input"] == '{"a": '


def test_unstopped_block_is_built_by_result() -> None:
    """A tool block cut off before its stop still has its decoded input when complete."""
    acc = MessagesAccumulator()
    acc.add({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use"}})
    piece = {"type": "input_json_delta", "partial_json": json.dumps({"a": 1})}
    acc.add({"type": "content_block_delta", "index": 0, "delta": piece})
    (block,) = acc.result().blocks
    assert isinstance(block, ToolUseBlock)
    assert block.input == {"a": 1}


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"type": 3},
        {"type": "content_block_delta"},
        {"type": "content_block_delta", "index": "x", "delta": {"type": "text_delta"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "citations_delta"}},
        {"type": "message_start", "message": None},
        {"type": "message_delta", "delta": 5, "usage": []},
        {"type": "content_block_start", "content_block": "x"},
    ],
)
def test_odd_events_never_raise(event: dict[str, Any]) -> None:
    """Events of the wrong shape are applied as far as they make sense."""
    acc = MessagesAccumulator()
    acc.add(event)
    assert isinstance(acc.result(), AnthropicMessage)
    parse_message_event(event)
