"""The Responses stream: typed events, the accumulator and the final response."""

from __future__ import annotations

from typing import Any

import pytest

from openrouter._responses_api import (
    EVENT_CLASSES,
    AnnotationAddedEvent,
    ContentPartEvent,
    FunctionCallItem,
    OutputItem,
    OutputItemEvent,
    OutputMessage,
    ReasoningItem,
    Response,
    ResponseErrorEvent,
    ResponseEvent,
    ResponseLifecycleEvent,
    ResponsesAccumulator,
    SummaryPartEvent,
    TextDeltaEvent,
    TextDoneEvent,
    ToolCallProgressEvent,
    WebSearchCallItem,
    parse_response_event,
)
from sseproto import Outcome

from .recorded.event_streams import Replay, assert_same_under_splits, fixture, replay

COMPLETED = [
    "responses_reasoning_text.sse",
    "responses_function_call.sse",
    "responses_incomplete.sse",
    "responses_web_search.sse",
]
ALL = [
    *COMPLETED,
    "responses_failed.sse",
    "responses_error_event.sse",
    "responses_truncated.sse",
]
TERMINAL = {"response.completed", "response.incomplete", "response.failed"}


def accumulate(stream: Replay) -> ResponsesAccumulator:
    acc = ResponsesAccumulator()
    for name, event in stream.events:
        acc.add(event, name)
    acc.close()
    return acc


def run(name: str) -> tuple[Replay, ResponsesAccumulator]:
    stream = replay([fixture(name)])
    return stream, accumulate(stream)


def terminal_response(stream: Replay) -> dict[str, Any]:
    (last,) = [e["response"] for _, e in stream.events if e["type"] in TERMINAL]
    assert isinstance(last, dict)
    return last


@pytest.mark.parametrize("name", COMPLETED)
def test_completed_streams_rebuild_the_terminal_response(name: str) -> None:
    """The response rebuilt from the events equals the one the terminal event carries."""
    stream, acc = run(name)
    final = terminal_response(stream)
    assert acc.outcome is Outcome.COMPLETED
    assert acc.mismatches == []
    assert acc.snapshot().raw == final
    assert acc.result().raw is final
    assert acc.result().output_text == acc.snapshot().output_text == acc.output_text


@pytest.mark.parametrize("name", ALL)
def test_every_event_is_typed_by_its_type(name: str) -> None:
    """Each event gets its family's record, with ``type`` and ``raw`` kept."""
    for sse_name, event in replay([fixture(name)]).events:
        typed = parse_response_event(event, sse_name)
        assert type(typed) is EVENT_CLASSES[event["type"]]
        assert typed.type == event["type"]
        assert typed.raw is event
        assert typed.sequence_number == event["sequence_number"]


@pytest.mark.parametrize("name", ALL)
def test_any_split_gives_the_same_result(name: str) -> None:
    """Fed in any pieces, a stream gives the same events and response."""
    every_cut = name == "responses_reasoning_text.sse"
    assert_same_under_splits(
        fixture(name), lambda s: accumulate(s).snapshot().raw, every_cut=every_cut
    )


def test_reasoning_and_text() -> None:
    """Summary, encrypted content, text and usage come out typed."""
    stream, acc = run("responses_reasoning_text.sse")
    assert stream.comments == 4
    assert stream.trailers == 1
    result = acc.result()
    assert result.status == "completed"
    assert result.output_text == "Four weeks hold 28 days — “exactly” four of each weekday."
    reasoning, message = result.items
    assert isinstance(reasoning, ReasoningItem)
    assert reasoning.summary_text == "Seven days a week, times four weeks is twenty-eight."
    assert reasoning.encrypted_content == "gAAAAABsampleOpaqueBlobForTestsOnly9876543210=="
    assert reasoning.format == "openai-responses-v1"
    assert isinstance(message, OutputMessage)
    assert message.role == "assistant"
    assert message.text == result.output_text
    assert result.usage is not None
    assert result.usage.total_tokens == 73
    assert result.usage.cost == 0.0001071
    assert result.usage.output_tokens_details is not None
    assert result.usage.output_tokens_details.reasoning_tokens == 33


def test_function_call_arguments_from_many_deltas() -> None:
    """Arguments split over eleven deltas join and parse to a dict."""
    stream, acc = run("responses_function_call.sse")
    deltas = [e for _, e in stream.events if e["type"].endswith("arguments.delta")]
    assert len(deltas) == 11
    (call,) = acc.snapshot().items
    assert isinstance(call, FunctionCallItem)
    assert call.name == "find_trains"
    assert call.call_id == "call_Zt5nB1xQ7m"
    assert call.parsed_arguments() == {
        "origin": "Lyon",
        "destination": "Gare du Nord, Paris",
        "depart_after": "08:30",
        "seats": 2,
    }
    assert acc.result().output_text == ""


def test_web_search_call_and_citation() -> None:
    """The search call's action and the text's url_citation are typed."""
    _, acc = run("responses_web_search.sse")
    search, message = acc.result().items
    assert isinstance(search, WebSearchCallItem)
    assert search.status == "completed"
    assert search.action is not None
    assert search.action.query == "python 3.14 release schedule"
    assert search.action.sources == [{"type": "url", "url": "https://peps.python.org/pep-0745/"}]
    assert isinstance(message, OutputMessage)
    (part,) = message.content
    (citation,) = part.annotations
    assert citation.type == "url_citation"
    assert citation.url == "https://peps.python.org/pep-0745/"
    assert (citation.start_index, citation.end_index) == (0, len(message.text))
    usage = acc.result().usage
    assert usage is not None
    assert usage.server_tool_use is not None
    assert usage.server_tool_use.web_search_requests == 1


def test_incomplete_is_completed_with_its_status() -> None:
    """``response.incomplete`` completes the stream; the status says why it stopped."""
    _, acc = run("responses_incomplete.sse")
    result = acc.result()
    assert acc.outcome is Outcome.COMPLETED
    assert result.status == "incomplete"
    assert result.incomplete_details == {"reason": "max_output_tokens"}
    assert result.output_text == "It was a dark and stormy night; the"


def test_failed_after_partial_text() -> None:
    """``response.failed`` errors the stream; the partial text stays in the snapshot."""
    stream, acc = run("responses_failed.sse")
    assert acc.outcome is Outcome.ERRORED
    assert acc.error is not None
    assert acc.error.code == "server_error"
    assert acc.error.error_type == "provider_unavailable"
    assert acc.error.message == "Upstream provider error"
    assert acc.result().raw is terminal_response(stream)
    assert acc.result().status == "failed"
    assert acc.snapshot().output_text == "To begin, preheat the"
    assert acc.output_text == "To begin, preheat the"


def test_error_event_flat_shape() -> None:
    """A flat ``error`` event errors the stream with its ``code``."""
    _, acc = run("responses_error_event.sse")
    assert acc.outcome is Outcome.ERRORED
    assert acc.error is not None
    assert (acc.error.code, acc.error.message) == (
        "rate_limit_exceeded",
        "Too many requests; retry later.",
    )
    assert acc.result().status == "in_progress"


def test_nested_error_then_failed_first_wins() -> None:
    """A nested ``error`` decides; the ``response.failed`` after it is ignored."""
    acc = ResponsesAccumulator()
    acc.add({"type": "response.created", "response": {"id": "r", "status": "in_progress"}})
    acc.add({"type": "error", "error": {"type": "insufficient_quota", "message": "No credit"}})
    acc.add({"type": "response.failed", "response": {"id": "r", "status": "failed"}})
    assert acc.outcome is Outcome.ERRORED
    assert acc.error is not None
    assert (acc.error.code, acc.error.message) == ("insufficient_quota", "No credit")
    assert acc.ignored == 1
    assert acc.result().status == "in_progress"
    event = parse_response_event({"type": "error", "error": {"code": "x", "type": "y"}})
    assert isinstance(event, ResponseErrorEvent)
    assert event.error.code == "x"


def test_no_terminal_event_is_truncated() -> None:
    """Every item done, then ``[DONE]`` and the end: truncated, items kept."""
    stream, acc = run("responses_truncated.sse")
    assert stream.trailers == 1
    assert acc.outcome is Outcome.TRUNCATED
    assert acc.error is None
    assert acc.result().output_text == "All items arrived."
    assert acc.result().status == "in_progress"


def test_done_text_that_differs_from_the_deltas_wins_and_is_reported() -> None:
    """A ``.done`` text unlike the joined deltas replaces them and is listed."""
    acc = ResponsesAccumulator()
    acc.add({"type": "response.output_text.delta", "output_index": 0, "delta": "Hel"})
    acc.add({"type": "response.output_text.done", "output_index": 0, "text": "Hello"})
    acc.add({"type": "response.function_call_arguments.delta", "output_index": 1, "delta": "{"})
    acc.add({"type": "response.function_call_arguments.done", "output_index": 1, "arguments": "{}"})
    assert acc.output_text == "Hello"
    assert acc.mismatches == [
        "response.output_text.done output_index=0",
        "response.function_call_arguments.done output_index=1",
    ]
    assert acc.output()[1]["arguments"] == "{}"


def test_event_families() -> None:
    """Each family's fields read from the event."""
    cases: list[tuple[dict[str, Any], type[ResponseEvent]]] = [
        ({"type": "response.created", "response": {"id": "r"}}, ResponseLifecycleEvent),
        ({"type": "response.output_item.added", "item": {"type": "x"}}, OutputItemEvent),
        ({"type": "response.content_part.done", "part": {"type": "refusal"}}, ContentPartEvent),
        ({"type": "response.reasoning_summary_part.added"}, SummaryPartEvent),
        ({"type": "response.refusal.delta", "delta": "no"}, TextDeltaEvent),
        ({"type": "response.refusal.done", "refusal": "no"}, TextDoneEvent),
        ({"type": "response.output_text.annotation.added"}, AnnotationAddedEvent),
        ({"type": "response.web_search_call.searching"}, ToolCallProgressEvent),
        ({"type": "response.error", "error": {"code": "c"}}, ResponseErrorEvent),
    ]
    for event, cls in cases:
        assert type(parse_response_event(event)) is cls
    done = parse_response_event({"type": "response.refusal.done", "refusal": "no"})
    assert isinstance(done, TextDoneEvent)
    assert done.text == "no"
    progress = parse_response_event({"type": "response.web_search_call.searching"})
    assert isinstance(progress, ToolCallProgressEvent)
    assert progress.status == "searching"
    item = parse_response_event({"type": "response.output_item.added", "item": {"type": "x"}})
    assert isinstance(item, OutputItemEvent)
    assert type(item.item) is OutputItem


def test_unknown_types_are_kept_not_dropped() -> None:
    """An unknown type is a plain event; the accumulator counts it and goes on."""
    event = {"type": "response.queued_for_review", "sequence_number": 4, "extra": [1]}
    typed = parse_response_event(event)
    assert type(typed) is ResponseEvent
    assert typed.raw is event
    acc = ResponsesAccumulator()
    acc.add(event)
    assert acc.events == 1
    assert acc.outcome is Outcome.OPEN


def test_sse_event_name_stands_in_for_a_missing_type() -> None:
    """Without ``type`` in the JSON, the ``event:`` name types the event."""
    typed = parse_response_event({"output_index": 0, "delta": "x"}, "response.output_text.delta")
    assert isinstance(typed, TextDeltaEvent)
    assert type(parse_response_event({}, "message")) is ResponseEvent
    acc = ResponsesAccumulator()
    acc.add({"output_index": 0, "delta": "x"}, "response.output_text.delta")
    assert acc.output_text == "x"


def test_typed_events_are_accepted() -> None:
    """``add`` takes the typed record as well as the dict."""
    acc = ResponsesAccumulator()
    acc.add(parse_response_event({"type": "response.output_text.delta", "delta": "ok"}))
    assert acc.output_text == "ok"


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"type": 5},
        {"type": "response.output_text.delta"},
        {"type": "response.output_text.delta", "delta": 3, "content_index": "x"},
        {"type": "response.completed", "response": "nope"},
        {"type": "response.output_item.added", "item": None, "output_index": 1.0},
        {"type": "response.function_call_arguments.done", "arguments": None},
        {"type": "response.reasoning_summary_part.added", "part": 7},
    ],
)
def test_odd_events_never_raise(event: dict[str, Any]) -> None:
    """Events of the wrong shape are applied as far as they make sense."""
    acc = ResponsesAccumulator()
    acc.add(event)
    assert isinstance(acc.result(), Response)
    assert isinstance(acc.snapshot().output_text, str)
    parse_response_event(event)


def test_terminal_response_without_output_gets_the_rebuilt_items() -> None:
    """A terminal ``response`` lacking ``output`` gets the items built from events."""
    acc = ResponsesAccumulator()
    acc.add({"type": "response.output_text.delta", "output_index": 0, "delta": "hi"})
    acc.add({"type": "response.completed", "response": {"id": "r", "status": "completed"}})
    assert acc.result().output_text == "hi"
    assert acc.result().raw["id"] == "r"


def test_malformed_arguments_raise_value_error_on_parse() -> None:
    """Arguments that are not JSON stay as text; parsing them raises ValueError."""
    item = FunctionCallItem({"type": "function_call", "arguments": "{oops"})
    assert item.arguments == "{oops"
    with pytest.raises(ValueError, match="Expecting"):
        item.parsed_arguments()
    assert FunctionCallItem({"type": "function_call"}).parsed_arguments() == {}
