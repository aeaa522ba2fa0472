"""The mock's Responses (``POST /responses``) and Messages (``POST /messages``)
endpoints, read over HTTP with the chunk decoder's formats and the accumulators."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from openrouter._messages_api import MessagesAccumulator
from openrouter._responses_api import ResponsesAccumulator
from openrouter.testing import MockOpenRouter
from openrouter.testing._event_scenarios import (
    EVENT_SEARCH_QUERY,
    EVENT_SOURCES,
    EVENT_TOOL_ARGUMENTS,
    EVENT_TOOL_NAME,
)
from openrouter.testing._scenarios import STORY_TEXT, story_pieces
from sseproto import (
    MESSAGES,
    RESPONSES,
    ChunkDecoder,
    ChunkState,
    Heartbeat,
    InBandError,
    JSONChunk,
    Outcome,
    StreamDone,
)
from sseproto.adapters.sync import Client
from sseproto.http import IncompleteBody

AUTH = {"Authorization": "Bearer sk-test"}

#: Every scenario, and the outcome its stream has.
OUTCOMES = {
    "mock/story": Outcome.COMPLETED,
    "mock/reasoning": Outcome.COMPLETED,
    "mock/tools": Outcome.COMPLETED,
    "mock/web-search": Outcome.COMPLETED,
    "mock/incomplete": Outcome.COMPLETED,
    "mock/keepalive": Outcome.COMPLETED,
    "mock/failed": Outcome.ERRORED,
    "mock/error": Outcome.ERRORED,
    "mock/overloaded": Outcome.ERRORED,
    "mock/truncated": Outcome.TRUNCATED,
}
APIS = ("responses", "messages")


@pytest.fixture(scope="module")
def server() -> Iterator[MockOpenRouter]:
    with MockOpenRouter() as mock:
        yield mock


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with Client() as http:
        yield http


def request_body(api: str, model: str, *, stream: bool) -> dict[str, Any]:
    if api == "responses":
        return {"model": model, "input": "Tell me a story.", "stream": stream}
    messages = [{"role": "user", "content": "Tell me a story."}]
    return {"model": model, "messages": messages, "max_tokens": 256, "stream": stream}


@dataclass
class Read:
    """One stream as a reader sees it."""

    accumulator: ResponsesAccumulator | MessagesAccumulator
    state: ChunkState
    heartbeats: int = 0
    names: list[str] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)


def read_stream(server: MockOpenRouter, client: Client, api: str, model: str) -> Read:
    decoder = ChunkDecoder(format=RESPONSES if api == "responses" else MESSAGES, heartbeats=True)
    accumulator = ResponsesAccumulator() if api == "responses" else MessagesAccumulator()
    items = []
    url = f"{server.base_url}/{api}"
    body = request_body(api, model, stream=True)
    with client.stream("POST", url, headers=AUTH, json=body, comments=True) as events:
        for event in events:
            items += decoder.feed_items([event])
    items += decoder.close()
    read = Read(accumulator, decoder.state)
    for item in items:
        if isinstance(item, Heartbeat):
            read.heartbeats += 1
            continue
        if isinstance(item, JSONChunk | StreamDone | InBandError):
            assert item.event is not None
            value = item.payload if isinstance(item, InBandError) else item.value
            if isinstance(item, InBandError):
                read.errors.append(value)
            read.names.append(item.event.type)
            accumulator.add(value, item.event.type)
    accumulator.close()
    return read


def answer(server: MockOpenRouter, client: Client, api: str, model: str) -> tuple[int, Any]:
    response = client.request(
        "POST",
        f"{server.base_url}/{api}",
        headers=AUTH,
        json=request_body(api, model, stream=False),
    )
    return response.status, json.loads(response.body)


def raw_stream(server: MockOpenRouter, client: Client, api: str, model: str) -> bytes:
    response = client.request(
        "POST", f"{server.base_url}/{api}", headers=AUTH, json=request_body(api, model, stream=True)
    )
    assert response.status == 200
    return response.body


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("model", list(OUTCOMES))
def test_every_scenario_has_its_outcome(
    server: MockOpenRouter, client: Client, api: str, model: str
) -> None:
    """The decoder and the accumulator agree on each scenario's outcome."""
    read = read_stream(server, client, api, model)
    assert read.accumulator.outcome is OUTCOMES[model]
    assert read.state.value == OUTCOMES[model].value
    assert read.accumulator.ignored == 0


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("model", [m for m, o in OUTCOMES.items() if o is Outcome.COMPLETED])
def test_completed_stream_adds_up_to_the_non_streamed_answer(
    server: MockOpenRouter, client: Client, api: str, model: str
) -> None:
    read = read_stream(server, client, api, model)
    status, body = answer(server, client, api, model)
    assert status == 200
    result = read.accumulator.result().raw
    # Ids and times differ between two requests; everything else is equal.
    for key in ("id", "created_at", "completed_at"):
        if key in body:
            assert key in result
            result[key] = body[key]
    assert result == body
    if isinstance(read.accumulator, ResponsesAccumulator):
        assert read.accumulator.mismatches == []
        assert read.accumulator.result().raw["output"] == read.accumulator.output()


def test_story_text_on_both_apis(server: MockOpenRouter, client: Client) -> None:
    responses = read_stream(server, client, "responses", "openai/gpt-5-mini")
    assert isinstance(responses.accumulator, ResponsesAccumulator)
    assert responses.accumulator.result().output_text == STORY_TEXT
    assert responses.accumulator.result().status == "completed"
    messages = read_stream(server, client, "messages", "mock/story?chunks=7")
    assert isinstance(messages.accumulator, MessagesAccumulator)
    assert messages.accumulator.result().text == "".join(story_pieces(7))
    assert messages.names.count("content_block_delta") == 7
    assert messages.accumulator.result().raw["stop_reason"] == "end_turn"


def test_reasoning_then_text(server: MockOpenRouter, client: Client) -> None:
    responses = read_stream(server, client, "responses", "mock/reasoning")
    types = [item["type"] for item in responses.accumulator.result().raw["output"]]
    assert types == ["reasoning", "message"]
    reasoning = responses.accumulator.result().raw["output"][0]
    assert reasoning["summary"][0]["text"].startswith("The user wants the story.")
    assert reasoning["encrypted_content"]
    messages = read_stream(server, client, "messages", "mock/reasoning")
    content = messages.accumulator.result().raw["content"]
    assert [block["type"] for block in content] == ["thinking", "text"]
    assert content[0]["thinking"].startswith("The user wants the story.")
    assert content[0]["signature"]


def test_tool_call_arguments_in_many_deltas(server: MockOpenRouter, client: Client) -> None:
    responses = read_stream(server, client, "responses", "mock/tools?chunks=16")
    (call,) = responses.accumulator.result().raw["output"]
    assert (call["type"], call["name"]) == ("function_call", EVENT_TOOL_NAME)
    assert call["arguments"] == EVENT_TOOL_ARGUMENTS
    messages = read_stream(server, client, "messages", "mock/tools?chunks=16")
    assert messages.names.count("content_block_delta") == 17  # an empty first piece
    (block,) = messages.accumulator.result().raw["content"]
    assert block["type"] == "tool_use"
    assert block["input"] == json.loads(EVENT_TOOL_ARGUMENTS)
    assert messages.accumulator.result().raw["stop_reason"] == "tool_use"


def test_web_search_with_citations(server: MockOpenRouter, client: Client) -> None:
    responses = read_stream(server, client, "responses", "mock/web-search")
    search, message = responses.accumulator.result().raw["output"]
    assert search["type"] == "web_search_call"
    assert search["action"]["query"] == EVENT_SEARCH_QUERY
    annotations = message["content"][0]["annotations"]
    assert [a["url"] for a in annotations] == [url for url, _ in EVENT_SOURCES]
    assert responses.accumulator.result().raw["usage"]["server_tool_use_details"] == {
        "web_search_requests": 1
    }
    messages = read_stream(server, client, "messages", "mock/web-search")
    content = messages.accumulator.result().raw["content"]
    assert [b["type"] for b in content] == ["server_tool_use", "web_search_tool_result", "text"]
    assert content[0]["input"] == {"query": EVENT_SEARCH_QUERY}
    assert [c["url"] for c in content[2]["citations"]] == [url for url, _ in EVENT_SOURCES]


def test_incomplete(server: MockOpenRouter, client: Client) -> None:
    responses = read_stream(server, client, "responses", "mock/incomplete")
    result = responses.accumulator.result().raw
    assert result["status"] == "incomplete"
    assert result["incomplete_details"] == {"reason": "max_output_tokens"}
    assert responses.names[-1] == "message"  # data-only events
    messages = read_stream(server, client, "messages", "mock/incomplete")
    assert messages.accumulator.result().raw["stop_reason"] == "max_tokens"


def test_failures_after_partial_text(server: MockOpenRouter, client: Client) -> None:
    partial = "".join(story_pieces(20)[:3])
    failed = read_stream(server, client, "responses", "mock/failed")
    assert isinstance(failed.accumulator, ResponsesAccumulator)
    assert failed.accumulator.output_text == partial
    assert failed.accumulator.error is not None
    assert failed.accumulator.error.code == "server_error"
    assert failed.accumulator.result().raw["error_type"] == "provider_unavailable"
    status, body = answer(server, client, "responses", "mock/failed")
    assert (status, body["status"]) == (200, "failed")
    error = read_stream(server, client, "responses", "mock/error")
    assert [e["type"] for e in error.errors] == ["error"]
    assert error.accumulator.error is not None
    assert error.accumulator.error.code == "server_error"
    assert answer(server, client, "responses", "mock/error")[0] == 502
    overloaded = read_stream(server, client, "messages", "mock/overloaded")
    assert isinstance(overloaded.accumulator, MessagesAccumulator)
    assert overloaded.accumulator.text == partial
    assert overloaded.accumulator.error is not None
    assert overloaded.accumulator.error.code == "overloaded_error"
    status, body = answer(server, client, "messages", "mock/overloaded")
    assert (status, body["type"], body["error"]["type"]) == (529, "error", "overloaded_error")
    api_error = read_stream(server, client, "messages", "mock/error")
    assert api_error.accumulator.error is not None
    assert api_error.accumulator.error.code == "api_error"


@pytest.mark.parametrize("api", APIS)
def test_truncated_non_streamed_body_is_cut(
    server: MockOpenRouter, client: Client, api: str
) -> None:
    read = read_stream(server, client, api, "mock/truncated")
    assert read.accumulator.outcome is Outcome.TRUNCATED
    with pytest.raises(IncompleteBody):
        client.request(
            "POST",
            f"{server.base_url}/{api}",
            headers=AUTH,
            json=request_body(api, "mock/truncated", stream=False),
        )


@pytest.mark.parametrize("api", APIS)
def test_keepalives_are_counted(server: MockOpenRouter, client: Client, api: str) -> None:
    read = read_stream(server, client, api, "mock/keepalive")
    # A comment before the first event and after the one block; Messages
    # also sends a ping after the block.
    assert read.heartbeats == (2 if api == "responses" else 3)
    assert read.accumulator.outcome is Outcome.COMPLETED
    plain = read_stream(server, client, api, "mock/story")
    assert plain.heartbeats == 0


@pytest.mark.parametrize("model", list(OUTCOMES))
def test_responses_wire_shape(server: MockOpenRouter, client: Client, model: str) -> None:
    """Data-only events, sequence numbers 0, 1, 2, ..., and ``data: [DONE]``
    after a terminal event (and at a truncated end), never after ``error``."""
    body = raw_stream(server, client, "responses", model)
    blocks = body.decode().split("\n\n")
    assert blocks[-1] == ""
    events = [b for b in blocks[:-1] if not b.startswith(":")]
    assert all(b.startswith("data: ") and "\n" not in b for b in events)
    payloads = [json.loads(b[6:]) for b in events if b != "data: [DONE]"]
    assert [p["sequence_number"] for p in payloads] == list(range(len(payloads)))
    assert [p["type"] for p in payloads[:2]] == ["response.created", "response.in_progress"]
    last = payloads[-1]["type"]
    if model in ("mock/error", "mock/overloaded"):
        assert last == "error"
        assert events[-1] != "data: [DONE]"
    else:
        assert events[-1] == "data: [DONE]"
        assert events.count("data: [DONE]") == 1
        terminal = {"mock/failed": "response.failed", "mock/incomplete": "response.incomplete"}
        if model == "mock/truncated":
            assert not last.startswith("response.") or last == "response.output_text.delta"
        else:
            assert last == terminal.get(model, "response.completed")


@pytest.mark.parametrize("model", list(OUTCOMES))
def test_messages_wire_shape(server: MockOpenRouter, client: Client, model: str) -> None:
    """Every event named on its ``event:`` line as its JSON ``type``; the
    ``event: data`` / ``data: [DONE]`` pair last, except after ``error``."""
    body = raw_stream(server, client, "messages", model)
    blocks = body.decode().split("\n\n")
    assert blocks[-1] == ""
    events = [b for b in blocks[:-1] if not b.startswith(":")]
    trailer = "event: data\ndata: [DONE]"
    named = [b for b in events if b != trailer]
    for block in named:
        name_line, data_line = block.split("\n")
        assert name_line == "event: " + json.loads(data_line.removeprefix("data: "))["type"]
    assert named[0].startswith("event: message_start\n")
    if model in ("mock/failed", "mock/error", "mock/overloaded"):
        assert named[-1].startswith("event: error\n")
        assert trailer not in events
    else:
        assert events[-1] == trailer
        assert events.count(trailer) == 1
        if model != "mock/truncated":
            assert named[-1] == 'event: message_stop\ndata: {"type":"message_stop"}'


@pytest.mark.parametrize("api", APIS)
def test_request_checks(server: MockOpenRouter, client: Client, api: str) -> None:
    url = f"{server.base_url}/{api}"
    assert client.request("POST", url, headers=AUTH, json={"model": "mock/story"}).status == 400
    unknown = request_body(api, "mock/no-such-thing", stream=False)
    assert client.request("POST", url, headers=AUTH, json=unknown).status == 400
    limited = client.request(
        "POST", url, headers=AUTH, json=request_body(api, "mock/429", stream=True)
    )
    assert limited.status == 429
    assert (
        client.request("POST", url, json=request_body(api, "mock/story", stream=False)).status
        == 401
    )
    assert client.request("GET", url, headers=AUTH).status == 405
