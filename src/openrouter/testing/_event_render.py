"""How an event script becomes the Responses or the Messages wire format.

``render_responses`` and ``render_messages`` give an :class:`EventReply`:
the writes of the streamed reply (events, keepalive comments, pauses; the
same ``WriteStep`` plan the chat streams use) and the non-streamed answer.
Both are built in one pass over the script, so the object a stream's
terminal event carries (the Responses ``response``; the Messages message as
its events add up) is the non-streamed body. Nothing here does I/O.

Conventions, as OpenRouter serves these APIs: Responses events are
``data:`` lines only, each with a ``sequence_number`` counting from 0; the
Messages events are named on ``event:`` lines. After the terminal event
(and after the last event of a truncated body, as OpenRouter does when a
provider stops early) comes the trailer: ``data: [DONE]`` (Responses) or
``event: data`` + ``data: [DONE]`` (Messages). An ``error`` event is last.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ._event_scenarios import Call, EventScript, Said, Search, Thought
from ._render import Framer, WriteStep, dumps, error_body, usage_block
from ._script import JSON, RenderContext

__all__ = ["EventReply", "render_messages", "render_responses"]


@dataclass(frozen=True, slots=True)
class EventReply:
    """A rendered event-API reply: the stream's writes, and the non-streamed
    answer (``status`` and JSON ``body``); ``truncated`` replies end early in
    both forms."""

    steps: list[WriteStep]
    status: int
    body: bytes
    truncated: bool = False


class _Writer:
    """The write plan of one event-API stream: events (named on ``event:``
    lines for the Messages API), keepalive comments and the trailer."""

    __slots__ = ("frames", "named")

    def __init__(self, delay: float, *, named: bool) -> None:
        self.frames = Framer(delay=delay)
        self.named = named

    @property
    def steps(self) -> list[WriteStep]:
        return self.frames.steps

    def event(self, payload: JSON) -> None:
        self.frames.event(dumps(payload), type=payload["type"] if self.named else None)

    def comment(self) -> None:
        self.frames.keepalive()

    def trailer(self) -> None:
        self.frames.event(b"[DONE]", type="data" if self.named else None, pause=False)


def _output_tokens(script: EventScript) -> int:
    count = 0
    for block in script.blocks:
        count += len(block.pieces) if not isinstance(block, Search) else 1
    return max(1, count)


def _cost(ctx: RenderContext, output_tokens: int) -> float:
    cost: float = usage_block(ctx, output_tokens)["cost"]
    return cost


def _citation_spans(text: str, count: int) -> list[tuple[int, int]]:
    """``count`` consecutive spans covering ``text``: where each citation points."""
    return [(i * len(text) // count, (i + 1) * len(text) // count) for i in range(count)]


# -- Responses ------------------------------------------------------------------------

_Emit = Callable[..., None]


def _responses_thought(emit: _Emit, at: int, block: Thought, closing: str | None) -> JSON:
    item_id = f"rs_mock_{at}"
    where = {"output_index": at, "item_id": item_id}
    added = {"id": item_id, "type": "reasoning", "status": "in_progress", "summary": []}
    emit("response.output_item.added", output_index=at, item=added)
    emit("response.reasoning_summary_part.added", **where, summary_index=0, part=_SUMMARY_PART)
    for piece in block.pieces:
        emit("response.reasoning_summary_text.delta", **where, summary_index=0, delta=piece)
    text = "".join(block.pieces)
    part = {"type": "summary_text", "text": text}
    item = {
        "id": item_id,
        "type": "reasoning",
        "status": "completed",
        "summary": [part],
        "encrypted_content": block.signature,
        "format": "openai-responses-v1",
    }
    emit("response.reasoning_summary_text.done", **where, summary_index=0, text=text)
    emit("response.reasoning_summary_part.done", **where, summary_index=0, part=part)
    emit("response.output_item.done", output_index=at, item=item)
    del closing
    return item


_SUMMARY_PART: Final = {"type": "summary_text", "text": ""}


def _responses_said(emit: _Emit, at: int, block: Said, closing: str | None) -> JSON:
    item_id = f"msg_mock_{at}"
    where = {"output_index": at, "item_id": item_id, "content_index": 0}
    added = {
        "id": item_id,
        "type": "message",
        "status": "in_progress",
        "role": "assistant",
        "content": [],
    }
    emit("response.output_item.added", output_index=at, item=added)
    empty = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    emit("response.content_part.added", **where, part=empty)
    for piece in block.pieces:
        emit("response.output_text.delta", **where, delta=piece, logprobs=[])
    text = "".join(block.pieces)
    spans = _citation_spans(text, len(block.citations))
    annotations = [
        {"type": "url_citation", "url": url, "title": title, "start_index": a, "end_index": b}
        for (url, title, _), (a, b) in zip(block.citations, spans, strict=True)
    ]
    part = {"type": "output_text", "text": text, "annotations": annotations, "logprobs": []}
    status = "completed" if block.complete else closing
    if status is None:
        # Left open: the stream fails or ends inside this item.
        return {**added, "content": [{**empty, "text": text}]}
    for index, annotation in enumerate(annotations):
        emit(
            "response.output_text.annotation.added",
            **where,
            annotation_index=index,
            annotation=annotation,
        )
    emit("response.output_text.done", **where, text=text, logprobs=[])
    emit("response.content_part.done", **where, part=part)
    item = {**added, "status": status, "content": [part]}
    emit("response.output_item.done", output_index=at, item=item)
    return item


def _responses_call(emit: _Emit, at: int, block: Call, closing: str | None) -> JSON:
    item_id = f"fc_mock_{at}"
    added = {
        "type": "function_call",
        "id": item_id,
        "call_id": block.call_id,
        "name": block.name,
        "arguments": "",
        "status": "in_progress",
    }
    emit("response.output_item.added", output_index=at, item=added)
    for piece in block.pieces:
        emit(
            "response.function_call_arguments.delta", output_index=at, item_id=item_id, delta=piece
        )
    arguments = "".join(block.pieces)
    emit(
        "response.function_call_arguments.done",
        output_index=at,
        item_id=item_id,
        name=block.name,
        arguments=arguments,
    )
    item = {**added, "arguments": arguments, "status": "completed"}
    emit("response.output_item.done", output_index=at, item=item)
    del closing
    return item


def _responses_search(emit: _Emit, at: int, block: Search, closing: str | None) -> JSON:
    item_id = f"ws_mock_{at}"
    added = {"id": item_id, "type": "web_search_call", "status": "in_progress"}
    emit("response.output_item.added", output_index=at, item=added)
    for state in ("in_progress", "searching", "completed"):
        emit(f"response.web_search_call.{state}", output_index=at, item_id=item_id)
    sources = [{"type": "url", "url": url} for url, _ in block.sources]
    action = {"type": "search", "query": block.query, "sources": sources}
    item = {**added, "status": "completed", "action": action}
    emit("response.output_item.done", output_index=at, item=item)
    del closing
    return item


_RESPONSE_ITEMS: Final[Mapping[type, Callable[[_Emit, int, Any, str | None], JSON]]] = {
    Thought: _responses_thought,
    Said: _responses_said,
    Call: _responses_call,
    Search: _responses_search,
}


def _responses_usage(script: EventScript, ctx: RenderContext) -> JSON:
    output_tokens = _output_tokens(script)
    reasoning = sum(len(b.pieces) for b in script.blocks if isinstance(b, Thought))
    usage: JSON = {
        "input_tokens": ctx.prompt_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": ctx.prompt_tokens + output_tokens,
        "cost": _cost(ctx, output_tokens),
        "is_byok": False,
    }
    searches = sum(1 for b in script.blocks if isinstance(b, Search))
    if searches:
        usage["server_tool_use_details"] = {"web_search_requests": searches}
    return usage


def render_responses(
    script: EventScript, ctx: RenderContext, request: Mapping[str, Any]
) -> EventReply:
    """The Responses API reply to ``request`` (its ``tools`` and
    ``max_output_tokens`` are echoed in the ``response`` object).

    Streamed: ``response.created``, ``response.in_progress``, the items'
    events, then ``response.completed`` / ``response.incomplete`` /
    ``response.failed`` and ``data: [DONE]``; or an ``error`` event, last;
    or, truncated, ``data: [DONE]`` with no terminal event. Not streamed: the
    terminal event's ``response`` (status 200, ``failed`` included); an
    ``error`` event's failure as OpenRouter's error body (502, or 503 for an
    overloaded provider).
    """
    out = _Writer(script.delay, named=False)
    sequence = itertools.count()

    def emit(kind: str, **fields: Any) -> None:
        out.event({"type": kind, **fields, "sequence_number": next(sequence)})

    tools = request.get("tools")
    base: JSON = {
        "id": ctx.generation_id,
        "object": "response",
        "created_at": ctx.created,
        "model": ctx.model,
        "status": "in_progress",
        "completed_at": None,
        "output": [],
        "error": None,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "metadata": {},
        "tools": tools if isinstance(tools, list) else [],
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "max_output_tokens": request.get("max_output_tokens"),
        "temperature": None,
        "top_p": None,
        "usage": None,
    }
    if script.keepalives:
        out.comment()
    emit("response.created", response=base)
    emit("response.in_progress", response=base)
    ending = script.ending
    closing = "incomplete" if ending == "incomplete" else None
    output = []
    for at, block in enumerate(script.blocks):
        output.append(_RESPONSE_ITEMS[type(block)](emit, at, block, closing))
        if script.keepalives:
            out.comment()
    if ending in ("error", "overloaded"):
        overloaded = ending == "overloaded"
        message = "Provider overloaded" if overloaded else "Provider disconnected unexpectedly"
        emit("error", code="server_error", message=message, param=None)
        status = 503 if overloaded else 502
        return EventReply(out.steps, status, error_body(status, message))
    final: JSON = {**base, "output": output}
    if ending == "failed":
        final |= {
            "status": "failed",
            "error": {"code": "server_error", "message": "Upstream provider error"},
            "error_type": "provider_unavailable",
        }
        emit("response.failed", response=final)
    elif ending != "truncated":
        final |= {
            "status": ending,
            "completed_at": ctx.created + 1,
            "usage": _responses_usage(script, ctx),
        }
        if ending == "incomplete":
            final["incomplete_details"] = {"reason": "max_output_tokens"}
        emit(f"response.{ending}", response=final)
    out.trailer()
    return EventReply(out.steps, 200, dumps(final), truncated=ending == "truncated")


# -- Messages -------------------------------------------------------------------------


def _messages_blocks(
    block: Thought | Said | Call | Search, at: int
) -> list[tuple[JSON, list[JSON], JSON]]:
    """The content blocks one script block makes: (start block, deltas, final block)."""
    if isinstance(block, Thought):
        deltas: list[JSON] = [{"type": "thinking_delta", "thinking": p} for p in block.pieces]
        deltas.append({"type": "signature_delta", "signature": block.signature})
        final: JSON = {
            "type": "thinking",
            "thinking": "".join(block.pieces),
            "signature": block.signature,
        }
        return [({"type": "thinking", "thinking": "", "signature": ""}, deltas, final)]
    if isinstance(block, Said):
        citations = [
            {
                "type": "web_search_result_location",
                "url": url,
                "title": title,
                "encrypted_index": f"bW9jay1pbmRleA{n}==",
                "cited_text": cited,
            }
            for n, (url, title, cited) in enumerate(block.citations)
        ]
        deltas = [{"type": "citations_delta", "citation": c} for c in citations]
        deltas += [{"type": "text_delta", "text": p} for p in block.pieces]
        start: JSON = {"type": "text", "text": ""}
        final = {"type": "text", "text": "".join(block.pieces)}
        if citations:
            start["citations"] = None
            final["citations"] = citations
        return [(start, deltas, final)]
    if isinstance(block, Call):
        tool_id = f"toolu_mock_{at}"
        start = {"type": "tool_use", "id": tool_id, "name": block.name, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": ""}]
        deltas += [{"type": "input_json_delta", "partial_json": p} for p in block.pieces]
        return [(start, deltas, {**start, "input": json.loads("".join(block.pieces))})]
    tool_id = f"srvtoolu_mock_{at}"
    start = {"type": "server_tool_use", "id": tool_id, "name": "web_search", "input": {}}
    query = dumps({"query": block.query}).decode()
    half = len(query) // 2
    deltas = [{"type": "input_json_delta", "partial_json": p} for p in (query[:half], query[half:])]
    results = [
        {
            "type": "web_search_result",
            "url": url,
            "title": title,
            "encrypted_content": "bW9jay1wYWdl",
            "page_age": None,
        }
        for url, title in block.sources
    ]
    result = {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": results}
    return [
        (start, deltas, {**start, "input": {"query": block.query}}),
        (result, [], result),
    ]


def render_messages(
    script: EventScript, ctx: RenderContext, request: Mapping[str, Any]
) -> EventReply:
    """The Anthropic Messages reply to ``request``.

    Streamed: ``message_start``, each content block's ``content_block_start``,
    deltas and ``content_block_stop``, ``message_delta`` (stop reason,
    usage) and ``message_stop``, then ``event: data`` / ``data: [DONE]``; or
    an ``error`` event, last (``api_error`` for ``failed`` and ``error``,
    ``overloaded_error`` for ``overloaded``); or, truncated, the trailer
    inside an open block. With keepalives, comments and ``ping`` events
    come between blocks. Not streamed: the message the events add up to
    (``usage`` merged from ``message_start`` and ``message_delta``); an
    error as Anthropic's error envelope with 500 or 529.
    """
    del request
    out = _Writer(script.delay, named=True)
    start_usage: JSON = {
        "input_tokens": ctx.prompt_tokens,
        "output_tokens": 1,
        "cache_creation_input_tokens": None,
        "cache_read_input_tokens": None,
        "server_tool_use": None,
        "service_tier": "standard",
    }
    message: JSON = {
        "id": ctx.generation_id,
        "type": "message",
        "role": "assistant",
        "container": None,
        "content": [],
        "model": ctx.model,
        "stop_reason": None,
        "stop_details": None,
        "stop_sequence": None,
        "usage": start_usage,
        "provider": ctx.provider,
    }
    if script.keepalives:
        out.comment()
    out.event({"type": "message_start", "message": message})
    content: list[JSON] = []
    for block in script.blocks:
        for start, deltas, final in _messages_blocks(block, len(content)):
            index = len(content)
            out.event({"type": "content_block_start", "index": index, "content_block": start})
            for delta in deltas:
                out.event({"type": "content_block_delta", "index": index, "delta": delta})
            content.append(final)
            if isinstance(block, Said) and not block.complete and script.ending != "incomplete":
                break
            out.event({"type": "content_block_stop", "index": index})
        if script.keepalives:
            out.comment()
            out.event({"type": "ping"})
    ending = script.ending
    if ending in ("failed", "error", "overloaded"):
        overloaded = ending == "overloaded"
        error = {
            "type": "overloaded_error" if overloaded else "api_error",
            "message": "Overloaded" if overloaded else "Upstream provider error",
            "error_type": "provider_overloaded" if overloaded else "provider_unavailable",
        }
        out.event({"type": "error", "error": error})
        envelope = {"type": "error", "error": error, "request_id": ctx.generation_id}
        return EventReply(out.steps, 529 if overloaded else 500, dumps(envelope))
    stop_reason = "end_turn"
    if ending == "incomplete":
        stop_reason = "max_tokens"
    elif any(isinstance(block, Call) for block in script.blocks):
        stop_reason = "tool_use"
    output_tokens = _output_tokens(script)
    searches = sum(1 for b in script.blocks if isinstance(b, Search))
    delta_usage: JSON = {
        "input_tokens": ctx.prompt_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "server_tool_use": {"web_search_requests": searches} if searches else None,
        "cost": _cost(ctx, output_tokens),
        "is_byok": False,
    }
    usage = {**start_usage, **{k: v for k, v in delta_usage.items() if v is not None}}
    final_message = {
        **message,
        "content": content,
        "stop_reason": stop_reason,
        "usage": usage,
    }
    if ending != "truncated":
        out.event(
            {
                "type": "message_delta",
                "delta": {
                    "container": None,
                    "stop_details": None,
                    "stop_reason": stop_reason,
                    "stop_sequence": None,
                },
                "usage": delta_usage,
            }
        )
        out.event({"type": "message_stop"})
    out.trailer()
    return EventReply(out.steps, 200, dumps(final_message), truncated=ending == "truncated")
