"""How a script becomes OpenRouter's wire format.

``render_stream`` gives the writes of a streamed reply (chat chunks or the
legacy ``text_completion`` chunks, as ``data:`` events, keepalive comments,
pauses and stalls); ``render_json`` gives the one object of a non-streaming
reply; ``error_body`` gives OpenRouter's error body. Nothing here does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from sseproto import ServerStream

from ._script import (
    JSON,
    Annotations,
    AudioPiece,
    Content,
    Detail,
    Finish,
    InbandError,
    Keepalive,
    Pause,
    RawChunk,
    Reasoning,
    RenderContext,
    Script,
    Stall,
    ToolCall,
)

__all__ = [
    "KEEPALIVE_TEXT",
    "Framer",
    "WriteStep",
    "dumps",
    "error_body",
    "render_json",
    "render_stream",
    "usage_block",
]

#: Marker replaced by each delta when the chunk template is split in two.
_HOLE: Final = "\x00hole\x00"


def dumps(value: Any) -> bytes:
    # Raw UTF-8 (not \u escapes), compact separators: what OpenRouter sends.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class _Template:
    """A chunk object pre-encoded around one hole, so each chunk costs one small dumps."""

    __slots__ = ("prefix", "suffix")

    def __init__(self, shape: JSON) -> None:
        encoded = dumps(shape)
        hole = dumps(_HOLE)
        self.prefix, _, self.suffix = encoded.partition(hole)

    def fill(self, value: Any) -> bytes:
        return self.prefix + dumps(value) + self.suffix


def _head(ctx: RenderContext, kind: str) -> JSON:
    return {
        "id": ctx.generation_id,
        "provider": ctx.provider,
        "model": ctx.model,
        "object": kind,
        "created": ctx.created,
    }


def usage_block(
    ctx: RenderContext, completion_tokens: int, extra: Mapping[str, Any] | None = None
) -> JSON:
    """The ``usage`` object: token counts and a deterministic ``cost`` in credits."""
    cost = round(ctx.prompt_tokens * 0.000001 + completion_tokens * 0.000002, 9)
    usage: JSON = {
        "prompt_tokens": ctx.prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": ctx.prompt_tokens + completion_tokens,
        "cost": cost,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "cost_details": {"upstream_inference_cost": None},
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
    }
    usage.update(extra or {})
    return usage


def _token_count(script: Script) -> int:
    counted = Content | Reasoning | Detail | AudioPiece | ToolCall
    return max(1, sum(1 for step in script.steps if isinstance(step, counted)))


def _error_payload(step: InbandError) -> JSON:
    return {"code": step.code, "message": step.message, "metadata": {"error_type": step.error_type}}


#: One rendered write plan: bytes to write, a float pause (flush first), or ``Stall()``.
WriteStep = bytes | float | Stall

#: The text of OpenRouter's keepalive comment.
KEEPALIVE_TEXT: Final = "OPENROUTER PROCESSING"


class Framer:
    """The write plan of one stream, framed by :class:`sseproto.ServerStream`.

    Every event and comment is queued on the stream and taken out at once,
    so each is one bytes step of ``steps`` (the server joins consecutive
    steps into one write unless a pause separates them). ``delay`` is a
    pause after each event; ``newline`` (LF, CRLF or CR) ends every line.
    """

    __slots__ = ("_blank", "_delay", "_stream", "steps")

    def __init__(self, *, newline: bytes = b"\n", delay: float = 0.0) -> None:
        # The plan is taken out after every frame: there is no slow client
        # to guard against, and no keepalive timer (keepalives are scripted).
        self._stream = ServerStream(
            keepalive=None, line_ending=newline.decode("ascii"), max_pending=1 << 62
        )
        self._stream.start(0.0)
        self._blank = newline
        self._delay = delay
        self.steps: list[WriteStep] = []

    def event(self, data: bytes, *, type: str | None = None, pause: bool = True) -> None:
        """One event with ``data`` (UTF-8, one line: JSON or ``[DONE]``), then the
        delay unless ``pause`` is false."""
        self._stream.send(data.decode(), type=type)
        self.steps.append(self._stream.data_to_send())
        if pause and self._delay:
            self.steps.append(self._delay)

    def split_event(self, data: bytes) -> None:
        """One event written in two halves with a flushed pause after each, cut just
        after the lead byte of its first multi-byte character (or in the middle)."""
        stream = self._stream
        stream.send(data.decode())
        frame_size = stream.pending
        # The frame is "data: " + data + two line endings.
        start = frame_size - len(data) - 2 * len(self._blank)
        lead = next((i for i, byte in enumerate(data) if byte >= 0xC0), None)
        cut = frame_size // 2 if lead is None else start + lead + 1
        self.steps += [stream.data_to_send(cut), 0.0, stream.data_to_send(), 0.0]

    def keepalive(self, text: str = KEEPALIVE_TEXT) -> None:
        """OpenRouter's keepalive: the comment, then a blank line (which dispatches nothing)."""
        self._stream.comment(text)
        self._stream.send_frame(self._blank)
        self.steps.append(self._stream.data_to_send())

    def pause(self, step: float | Stall) -> None:
        """A pause of ``step`` seconds (flushed first), or a stall."""
        self.steps.append(step)


def render_stream(script: Script, ctx: RenderContext, *, legacy: bool = False) -> list[WriteStep]:
    """The writes of a streamed reply: ``data:`` events, comments, pauses and stalls.

    Consecutive byte strings are separate events; the server may join them
    into one write unless a pause (``0.0`` included) separates them.
    """
    kind = "text_completion" if legacy else "chat.completion.chunk"
    choice_shape: JSON = (
        {
            "index": 0,
            "text": _HOLE,
            "finish_reason": None,
            "native_finish_reason": None,
            "logprobs": None,
        }
        if legacy
        else {
            "index": 0,
            "delta": _HOLE,
            "finish_reason": None,
            "native_finish_reason": None,
            "logprobs": None,
        }
    )
    template = _Template({**_head(ctx, kind), "choices": [choice_shape]})
    out = Framer(newline=script.newline, delay=script.delay)
    event = out.event
    role_sent = False

    def chat_delta(fields: JSON) -> JSON:
        nonlocal role_sent
        if role_sent:
            return fields
        role_sent = True
        return {"role": "assistant", **fields}

    for step in script.steps:
        if isinstance(step, Content):
            payload = (
                template.fill(step.text)
                if legacy
                else template.fill(chat_delta({"content": step.text}))
            )
            if step.split:
                out.split_event(payload)
            else:
                event(payload)
        elif isinstance(step, Reasoning):
            if legacy:
                continue
            detail = {**step.detail, "text": step.text}
            delta = chat_delta(
                {"content": "", "reasoning": step.text, "reasoning_details": [detail]}
            )
            event(template.fill(delta))
        elif isinstance(step, Detail | Annotations | AudioPiece):
            if not legacy:
                event(template.fill(chat_delta(_output_delta(step))))
        elif isinstance(step, ToolCall):
            if legacy:
                continue
            call: JSON = {"index": step.index}
            if step.id is not None:
                call["id"] = step.id
                call["type"] = "function"
            function: JSON = {"arguments": step.arguments}
            if step.name is not None:
                function = {"name": step.name, **function}
            call["function"] = function
            event(template.fill(chat_delta({"content": None, "tool_calls": [call]})))
        elif isinstance(step, Finish):
            finish = {**_head(ctx, kind), "choices": [_finish_choice(step.reason, legacy)]}
            event(dumps(finish))
        elif isinstance(step, InbandError):
            choice: JSON = (
                {"index": 0, "text": "", "finish_reason": "error"}
                if legacy
                else {"index": 0, "delta": {"content": ""}, "finish_reason": "error"}
            )
            chunk = {**_head(ctx, kind), "error": _error_payload(step), "choices": [choice]}
            if step.usage:
                chunk["usage"] = usage_block(ctx, _token_count(script), script.usage_extra)
            event(dumps(chunk))
        elif isinstance(step, Keepalive):
            out.keepalive()
        elif isinstance(step, Pause):
            out.pause(step.seconds)
        elif isinstance(step, Stall):
            out.pause(step)
        else:
            event(dumps(step.payload))
    if script.usage:
        last_choice: JSON = (
            {"index": 0, "text": "", "finish_reason": None, "native_finish_reason": None}
            if legacy
            else _finish_choice(None, legacy=False)
        )
        usage = usage_block(ctx, _token_count(script), script.usage_extra)
        event(dumps({**_head(ctx, kind), "choices": [last_choice], "usage": usage}))
    if script.done:
        out.event(b"[DONE]", pause=False)
    return out.steps


def _output_delta(step: Detail | Annotations | AudioPiece) -> JSON:
    """The delta fields of a step that carries model output other than content."""
    if isinstance(step, Detail):
        delta: JSON = {"content": ""}
        if step.reasoning is not None:
            delta["reasoning"] = step.reasoning
        delta["reasoning_details"] = [dict(step.detail)]
        return delta
    if isinstance(step, Annotations):
        return {"content": "", "annotations": [dict(item) for item in step.items]}
    return {"audio": dict(step.audio)}


#: The members of streamed pieces that are fragments, concatenated when pieces merge.
_FRAGMENTS: Final = frozenset({"text", "summary", "data", "transcript"})


def _merge_piece(whole: JSON, piece: Mapping[str, Any]) -> None:
    """Fold a streamed piece into the object it belongs to: fragments joined, the rest set."""
    for key, value in piece.items():
        if key in _FRAGMENTS and isinstance(whole.get(key), str) and isinstance(value, str):
            whole[key] += value
        else:
            whole[key] = value


def _add_detail(details: list[JSON], piece: Mapping[str, Any]) -> None:
    last = details[-1] if details else None
    if last is not None and (last.get("index"), last.get("type")) == (
        piece.get("index"),
        piece.get("type"),
    ):
        _merge_piece(last, piece)
    else:
        details.append(dict(piece))


def _finish_choice(reason: str | None, legacy: bool) -> JSON:
    """The choice of the chunk that finishes with ``reason`` (``None``: the usage chunk's)."""
    if legacy:
        return {
            "index": 0,
            "text": "",
            "finish_reason": reason,
            "native_finish_reason": reason,
            "logprobs": None,
        }
    return {
        "index": 0,
        "delta": {"role": "assistant", "content": ""},
        "finish_reason": reason,
        "native_finish_reason": reason,
        "logprobs": None,
    }


def render_json(script: Script, ctx: RenderContext, *, legacy: bool = False) -> JSON:
    """The non-streaming reply: one ``chat.completion`` (or ``text_completion``) object.

    A script with an in-band error becomes OpenRouter's error body instead
    (sent with status 200, as OpenRouter does once generation has begun).
    """
    content: list[str] = []
    reasoning: list[str] = []
    detail: JSON = {}
    plain_reasoning = False
    details: list[JSON] = []
    annotations: list[JSON] = []
    audio: JSON = {}
    calls: dict[int, JSON] = {}
    finish = "stop"
    error: InbandError | None = None
    for step in script.steps:
        if isinstance(step, Content):
            content.append(step.text)
        elif isinstance(step, Reasoning):
            reasoning.append(step.text)
            detail.update(step.detail)
            plain_reasoning = True
        elif isinstance(step, Detail):
            if step.reasoning is not None:
                reasoning.append(step.reasoning)
            _add_detail(details, step.detail)
        elif isinstance(step, Annotations):
            annotations += (dict(item) for item in step.items)
        elif isinstance(step, AudioPiece):
            _merge_piece(audio, step.audio)
        elif isinstance(step, ToolCall):
            call = calls.setdefault(
                step.index,
                {"id": None, "type": "function", "function": {"name": None, "arguments": ""}},
            )
            if step.id is not None:
                call["id"] = step.id
            if step.name is not None:
                call["function"]["name"] = step.name
            call["function"]["arguments"] += step.arguments
        elif isinstance(step, Finish):
            finish = step.reason
        elif isinstance(step, InbandError):
            if not step.usage:
                return {"error": _error_payload(step)}
            finish, error = "error", step
        elif isinstance(step, RawChunk):
            for raw in step.payload.get("choices") or ():
                piece = (raw.get("delta") or {}).get("content") or raw.get("text")
                if isinstance(piece, str):
                    content.append(piece)
    usage = usage_block(ctx, _token_count(script), script.usage_extra)
    text = "".join(content)
    if legacy:
        choice: JSON = {
            "text": text,
            "index": 0,
            "finish_reason": finish,
            "native_finish_reason": None if error is not None else finish,
            "logprobs": None,
        }
        return _with_error({**_head(ctx, "text_completion"), "choices": [choice]}, error, usage)
    message: JSON = {"role": "assistant", "content": text, "refusal": None, "reasoning": None}
    if reasoning:
        message["reasoning"] = "".join(reasoning)
    if plain_reasoning:
        message["reasoning_details"] = [{**detail, "text": message["reasoning"]}]
    elif details:
        message["reasoning_details"] = details
    if annotations:
        message["annotations"] = annotations
    if audio:
        message["audio"] = audio
    if calls:
        message["tool_calls"] = [calls[index] for index in sorted(calls)]
    choice = {
        "logprobs": None,
        "finish_reason": finish,
        "native_finish_reason": None if error is not None else finish,
        "index": 0,
        "message": message,
    }
    return _with_error({**_head(ctx, "chat.completion"), "choices": [choice]}, error, usage)


def _with_error(body: JSON, error: InbandError | None, usage: JSON) -> JSON:
    """``body`` with the stream's in-band ``error`` (when there was one), then ``usage``."""
    if error is not None:
        body["error"] = _error_payload(error)
    body["usage"] = usage
    return body


def _error_json(code: int | None, message: str, metadata: Mapping[str, Any]) -> JSON:
    error: JSON = {"message": message}
    if code is not None:
        error = {"code": code, **error}
    if metadata:
        error["metadata"] = dict(metadata)
    return {"error": error}


def error_body(code: int, message: str, metadata: Mapping[str, Any] | None = None) -> bytes:
    """OpenRouter's error body: ``{"error": {"code": ..., "message": ..., "metadata"?}}``."""
    return dumps(_error_json(code, message, metadata or {}))
