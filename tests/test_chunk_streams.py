"""Whole recorded-style streams of the five formats, decoded byte for byte.

Each stream is written here from the documented shapes of chat completions,
legacy completions, the Responses API, the Messages API and streamed image
generation as OpenRouter
serves them (keepalive comments, a trailing ``[DONE]`` after the terminal
event of the two newer formats). Each is decoded whole, one byte at a time and
split at every offset; the items and the outcome must always be the same.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import sseproto
from sseproto import (
    CHAT,
    COMPLETIONS,
    IMAGES,
    MESSAGES,
    RESPONSES,
    ChunkDecoder,
    ChunkState,
    Heartbeat,
    InBandError,
    JSONChunk,
    StreamDone,
    StreamFormat,
)

S = ChunkState


def _chat(content: str, finish: str | None = None) -> bytes:
    finish_json = "null" if finish is None else f'"{finish}"'
    return (
        b'data: {"id":"gen-1780000000-aB3dE5","object":"chat.completion.chunk",'
        b'"created":1780000000,"model":"mistralai/mistral-small","choices":[{"index":0,'
        b'"delta":{"role":"assistant","content":"' + content.encode() + b'"},'
        b'"finish_reason":' + finish_json.encode() + b"}]}\n\n"
    )


def _resp(kind: str, rest: str = "") -> bytes:
    return b'data: {"type":"' + kind.encode() + b'"' + rest.encode() + b"}\n\n"


def _msg(kind: str, rest: str = "") -> bytes:
    return (
        b"event: " + kind.encode() + b'\ndata: {"type":"' + kind.encode() + b'"'
        b"" + rest.encode() + b"}\n\n"
    )


KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
BARE_COMMENT = b": \n\n"
DONE = b"data: [DONE]\n\n"
MESSAGES_TRAILER = b"event: data\ndata: [DONE]\n\n"

_RESPONSE = '"response":{"id":"gen-1780000100-Zz9","object":"response","status":"%s","output":[]}'
_MESSAGE_START = (
    ',"message":{"id":"gen-1780000200-Qq1","type":"message","role":"assistant","content":[],'
    '"model":"anthropic/claude-haiku-4.5","stop_reason":null,"usage":{"input_tokens":9,'
    '"output_tokens":1}}'
)
_TEXT = ',"output_index":0,"item_id":"msg_tmp_k2","content_index":0'
_RESPONSES_BODY = (
    _resp("response.created", "," + _RESPONSE % "in_progress")
    + _resp("response.in_progress", "," + _RESPONSE % "in_progress")
    + _resp("response.output_item.added", ',"output_index":0,"item":{"type":"message"}')
    + KEEPALIVE
    + _resp("response.output_text.delta", _TEXT + ',"delta":"Two plus"')
    + _resp("response.output_text.delta", _TEXT + ',"delta":" two is four."')
    + _resp("response.output_item.done", ',"output_index":0,"item":{"type":"message"}')
)
_RESPONSES_ITEMS = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "beat",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_item.done",
]
_MESSAGES_BODY = (
    _msg("message_start", _MESSAGE_START)
    + _msg("content_block_start", ',"index":0,"content_block":{"type":"text","text":""}')
    + _msg("ping")
    + _msg("content_block_delta", ',"index":0,"delta":{"type":"text_delta","text":"Leaves"}')
    + KEEPALIVE
    + _msg("content_block_delta", ',"index":0,"delta":{"type":"text_delta","text":" fall."}')
    + _msg("content_block_stop", ',"index":0')
)
_MESSAGES_ITEMS = [
    "message_start",
    "content_block_start",
    "beat ping",
    "content_block_delta",
    "beat",
    "content_block_delta",
    "content_block_stop",
]

_PARTIAL = ',"b64_json":"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ","partial_image_index":%d'
_IMAGES_BODY = (
    KEEPALIVE
    + _resp("image_generation.text_chunk", ',"phase":"reasoning","text":"A lighthouse, "')
    + _resp("image_generation.text_chunk", ',"phase":"reasoning","text":"at dusk."')
    + _resp("image_generation.partial_image", _PARTIAL % 0)
    + BARE_COMMENT
    + _resp("image_generation.partial_image", _PARTIAL % 1)
)
_IMAGES_ITEMS = [
    "beat",
    "image_generation.text_chunk",
    "image_generation.text_chunk",
    "image_generation.partial_image",
    "beat",
    "image_generation.partial_image",
]


@dataclasses.dataclass(frozen=True)
class Stream:
    """A body, its format and what decoding it gives."""

    name: str
    format: StreamFormat
    body: bytes
    items: list[str]
    state: ChunkState
    ignored: int = 0


STREAMS = [
    Stream(
        "chat: keepalive, three chunks, [DONE]",
        CHAT,
        KEEPALIVE + _chat("Hel") + _chat("lo") + _chat("", "stop") + DONE,
        ["beat", "chunk", "chunk", "chunk", "done"],
        S.COMPLETED,
    ),
    Stream(
        "chat: an error chunk after content",
        CHAT,
        _chat("Par")
        + b'data: {"id":"gen-1780000000-aB3dE5","object":"chat.completion.chunk","error":'
        b'{"code":502,"message":"Provider disconnected","metadata":{"error_type":'
        b'"provider_unavailable"}},"choices":[{"index":0,"delta":{"content":""},'
        b'"finish_reason":"error"}]}\n\n',
        ["chunk", "error 502"],
        S.ERRORED,
    ),
    Stream(
        "chat: the body stops inside an event",
        CHAT,
        _chat("Hel") + _chat("lo")[:40],
        ["chunk"],
        S.TRUNCATED,
    ),
    Stream(
        "completions: text chunks, [DONE]",
        COMPLETIONS,
        b'data: {"id":"cmpl-1","object":"text_completion",'
        b'"choices":[{"text":"Once","index":0}]}\n\n'
        + KEEPALIVE
        + b'data: {"id":"cmpl-1","object":"text_completion","choices":[{"text":" upon",'
        b'"index":0,"finish_reason":"length"}]}\n\n' + DONE,
        ["chunk", "beat", "chunk", "done"],
        S.COMPLETED,
    ),
    Stream(
        "completions: no [DONE]",
        COMPLETIONS,
        b'data: {"choices":[{"text":"Once","index":0}]}\n\n',
        ["chunk"],
        S.TRUNCATED,
    ),
    Stream(
        "responses: comments, text, response.completed, OpenRouter's [DONE]",
        RESPONSES,
        BARE_COMMENT
        + BARE_COMMENT
        + _RESPONSES_BODY
        + _resp("response.completed", "," + _RESPONSE % "completed")
        + DONE,
        ["beat", "beat", *_RESPONSES_ITEMS, "done response.completed"],
        S.COMPLETED,
    ),
    Stream(
        "responses: response.incomplete is a complete stream",
        RESPONSES,
        _RESPONSES_BODY
        + _resp(
            "response.incomplete",
            ',"response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}',
        )
        + DONE,
        [*_RESPONSES_ITEMS, "done response.incomplete"],
        S.COMPLETED,
    ),
    Stream(
        "responses: response.failed mid-stream, then [DONE]",
        RESPONSES,
        _resp("response.created", "," + _RESPONSE % "in_progress")
        + _resp("response.output_text.delta", _TEXT + ',"delta":"The first"')
        + _resp(
            "response.failed",
            ',"response":{"status":"failed","error":{"code":"server_error",'
            '"message":"Provider returned error"}},"error_type":"provider_unavailable"',
        )
        + DONE,
        ["response.created", "response.output_text.delta", "error response.failed"],
        S.ERRORED,
    ),
    Stream(
        "responses: a flat error event, no terminal event, no [DONE]",
        RESPONSES,
        _resp("response.created", "," + _RESPONSE % "in_progress")
        + _resp("error", ',"code":"rate_limit_exceeded","message":"Slow down.","param":null'),
        ["response.created", "error error"],
        S.ERRORED,
    ),
    Stream(
        "responses: a nested error event, then response.failed, then [DONE]",
        RESPONSES,
        _resp("response.created", "," + _RESPONSE % "in_progress")
        + _resp("error", ',"error":{"type":"insufficient_quota","code":"insufficient_quota"}')
        + _resp("response.failed", ',"response":{"status":"failed"}')
        + DONE,
        ["response.created", "error error"],
        S.ERRORED,
        ignored=1,
    ),
    Stream(
        "responses: every item done but no terminal event",
        RESPONSES,
        _RESPONSES_BODY,
        _RESPONSES_ITEMS,
        S.TRUNCATED,
    ),
    Stream(
        "responses: [DONE] without a terminal event is still truncated",
        RESPONSES,
        _RESPONSES_BODY + DONE,
        _RESPONSES_ITEMS,
        S.TRUNCATED,
    ),
    Stream(
        "responses: OpenAI's framing names each event as well",
        RESPONSES,
        b"event: response.created\n"
        + _resp("response.created", "," + _RESPONSE % "queued")
        + b"event: response.completed\n"
        + _resp("response.completed", "," + _RESPONSE % "completed"),
        ["response.created", "done response.completed"],
        S.COMPLETED,
    ),
    Stream(
        "messages: comment, ping, text, message_stop, OpenRouter's trailer",
        MESSAGES,
        KEEPALIVE
        + _MESSAGES_BODY
        + _msg("message_delta", ',"delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":6}')
        + _msg("message_stop")
        + MESSAGES_TRAILER,
        ["beat", *_MESSAGES_ITEMS, "message_delta", "done message_stop"],
        S.COMPLETED,
    ),
    Stream(
        "messages: overloaded_error after some content",
        MESSAGES,
        _MESSAGES_BODY
        + _msg(
            "error",
            ',"error":{"type":"overloaded_error","message":"Overloaded",'
            '"error_type":"provider_overloaded"}',
        ),
        [*_MESSAGES_ITEMS, "error error"],
        S.ERRORED,
    ),
    Stream(
        "messages: the body stops before message_stop",
        MESSAGES,
        _MESSAGES_BODY + b"event: message_delta\nda",
        _MESSAGES_ITEMS,
        S.TRUNCATED,
    ),
    Stream(
        "messages: the trailer without message_stop is still truncated",
        MESSAGES,
        _MESSAGES_BODY + MESSAGES_TRAILER,
        _MESSAGES_ITEMS,
        S.TRUNCATED,
    ),
    Stream(
        "images: reasoning text, two partial images, completed, a [DONE] trailer",
        IMAGES,
        _IMAGES_BODY
        + _resp(
            "image_generation.completed",
            ',"b64_json":"iVBORw0KGgo=","created":1780000300,"media_type":"image/png",'
            '"usage":{"prompt_tokens":12,"completion_tokens":4175,"total_tokens":4187,'
            '"cost":0.04}',
        )
        + DONE,
        [*_IMAGES_ITEMS, "done image_generation.completed"],
        S.COMPLETED,
    ),
    Stream(
        "images: completed without a trailer",
        IMAGES,
        _resp("image_generation.completed", ',"b64_json":"iVBORw0KGgo=","created":1780000300'),
        ["done image_generation.completed"],
        S.COMPLETED,
    ),
    Stream(
        "images: an error event after a partial image",
        IMAGES,
        _resp("image_generation.partial_image", _PARTIAL % 0)
        + _resp(
            "error",
            ',"error":{"code":"upstream_error","message":"The upstream provider returned an'
            ' error","param":null,"type":"provider_error"}',
        )
        + DONE,
        ["image_generation.partial_image", "error error"],
        S.ERRORED,
    ),
    Stream(
        "images: the body stops inside a partial image",
        IMAGES,
        _IMAGES_BODY + _resp("image_generation.partial_image", _PARTIAL % 2)[:60],
        _IMAGES_ITEMS,
        S.TRUNCATED,
    ),
    Stream(
        "images: [DONE] without image_generation.completed is still truncated",
        IMAGES,
        _IMAGES_BODY + DONE,
        _IMAGES_ITEMS,
        S.TRUNCATED,
    ),
]


def summary(item: Any) -> str:
    """A short name for an item: its type, 'beat', 'done <type>', 'error <type or code>'."""
    if type(item) is Heartbeat:
        return "beat" if item.event is None else f"beat {item.event.type}"
    if type(item) is StreamDone:
        return "done" if item.value is None else f"done {item.value['type']}"
    if type(item) is InBandError:
        payload = item.payload
        return (
            f"error {payload['type']}" if "type" in payload else f"error {payload['error']['code']}"
        )
    assert type(item) is JSONChunk
    value = item.value
    return str(value.get("type", "chunk"))


def decode(stream: Stream, chunks: list[bytes]) -> tuple[list[Any], sseproto.StreamOutcome]:
    dec = ChunkDecoder(format=stream.format, heartbeats=True)
    items = list(dec.iter_items(chunks))
    return items, dec.outcome


@pytest.mark.parametrize("stream", STREAMS, ids=[s.name for s in STREAMS])
def test_stream_decodes_to_its_items_and_outcome(stream: Stream) -> None:
    """Each stream gives its items, state and ignored count, whole and one byte at a time."""
    items, outcome = decode(stream, [stream.body])
    assert [summary(item) for item in items] == stream.items
    assert outcome.state is stream.state
    assert outcome.ignored == stream.ignored
    bytewise = [stream.body[i : i + 1] for i in range(len(stream.body))]
    assert decode(stream, bytewise) == (items, outcome)


@pytest.mark.parametrize("stream", STREAMS, ids=[s.name for s in STREAMS])
def test_stream_split_anywhere_gives_the_same(stream: Stream) -> None:
    """Split in two at every offset, each stream decodes to the same items and outcome."""
    whole = decode(stream, [stream.body])
    for cut in range(len(stream.body) + 1):
        assert decode(stream, [stream.body[:cut], stream.body[cut:]]) == whole, cut


def test_terminal_event_is_carried_by_stream_done() -> None:
    """StreamDone holds the terminal event and its decoded data (the final response)."""
    stream = STREAMS[5]
    items, _ = decode(stream, [stream.body])
    done = items[-1]
    assert type(done) is StreamDone
    assert done.value["response"]["status"] == "completed"
    assert done.event is not None
    assert done.event.data.startswith('{"type":"response.completed"')


def test_messages_chunks_carry_the_event_name() -> None:
    """A Messages chunk's event name is available as item.event.type."""
    dec = ChunkDecoder(format=MESSAGES)
    (chunk,) = dec.feed(_msg("content_block_stop", ',"index":0'))
    assert type(chunk) is JSONChunk
    assert chunk.event.type == "content_block_stop"


def test_error_is_reported_after_the_items_before_it() -> None:
    """Fed in one piece, the overloaded stream returns the content first, then the error last;
    the payload is kept in the outcome."""
    stream = STREAMS[14]
    dec = ChunkDecoder(format=MESSAGES)
    items = dec.feed(stream.body)
    assert [type(i) for i in items] == [JSONChunk] * 5 + [InBandError]
    assert dec.outcome.error_payload["error"]["type"] == "overloaded_error"


def test_a_second_trailer_counts_as_data_after_the_end() -> None:
    """Only one trailer is accepted silently; another counts towards max_ignored."""
    dec = ChunkDecoder(format=RESPONSES, max_ignored=0)
    dec.feed(_resp("response.completed", "," + _RESPONSE % "completed") + DONE)
    with pytest.raises(sseproto.DataAfterDone, match="max_ignored=0"):
        dec.feed(DONE)
