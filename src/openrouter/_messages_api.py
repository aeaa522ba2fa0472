"""The Anthropic Messages stream (``POST /messages``): typed events, the
final message, and the accumulator that rebuilds it from the events.

Sans-I/O: nothing here reads a socket or a clock. Every event is an SSE
``event: <name>`` line with ``data: {"type": <name>, ...}``; the order::

    message_start ->
      per content block (index 0, 1, ...):
        content_block_start -> content_block_delta* -> content_block_stop
    -> message_delta (one or more) -> message_stop

``ping`` may come anywhere (a keepalive); ``error`` may replace the rest of
the stream. OpenRouter then sends ``event: data`` / ``data: [DONE]``, which
is not JSON and not an event of this protocol: the reader drops it before
the accumulator.

:func:`parse_message_event` types one event; an unknown type is a plain
:class:`MessageEvent`, never dropped. :class:`AnthropicMessage` is the final
message with typed ``.content`` blocks; :class:`MessagesAccumulator` builds
it from the events and decides the stream's outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from sseproto import Outcome

from ._records import (
    JSONObject,
    Lazy,
    Record,
    as_int,
    as_num,
    as_obj,
    as_str,
    field,
    lazy,
    obj_list,
    one,
)
from ._responses_api import ResponseError, _by_type, _Fold, _parse_event, _typed_readers

__all__ = [
    "AnthropicMessage",
    "AnthropicServerToolUse",
    "BlockDelta",
    "ContentBlock",
    "ContentBlockDeltaEvent",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "MessageDeltaEvent",
    "MessageErrorEvent",
    "MessageEvent",
    "MessageStartEvent",
    "MessagesAccumulator",
    "MessagesUsage",
    "RedactedThinkingBlock",
    "TextBlock",
    "ThinkingBlock",
    "ToolUseBlock",
    "content_block",
    "parse_message_event",
]


# -- the final message --------------------------------------------------------------------


class AnthropicServerToolUse(Record):
    """``usage.server_tool_use``: how many server tool requests were made."""

    web_search_requests: int | None = field(as_int)
    web_fetch_requests: int | None = field(as_int)


class MessagesUsage(Record):
    """A message's ``usage``; ``cost`` (US dollars) and ``is_byok`` are OpenRouter's."""

    input_tokens: int | None = field(as_int)
    output_tokens: int | None = field(as_int)
    cache_creation_input_tokens: int | None = field(as_int)
    cache_read_input_tokens: int | None = field(as_int)
    service_tier: str | None = field(as_str)
    cost: int | float | None = field(as_num)
    is_byok: bool | None = field(lambda v: v if type(v) is bool else None)
    cache_creation: JSONObject | None = field(as_obj)
    server_tool_use: AnthropicServerToolUse | None = field(one(AnthropicServerToolUse))


class ContentBlock(Record):
    """A content block: its ``type``. The types modelled further are
    subclasses (:func:`content_block` picks one); any other
    (``server_tool_use``, ``web_search_tool_result`` and the other server
    tool blocks) is a ``ContentBlock`` with everything in ``raw``."""

    type: str | None = field(as_str)


class TextBlock(ContentBlock):
    """``text``: the text, and the ``citations`` that support it (``None``
    when none came)."""

    text: str | None = field(as_str)
    citations: list[JSONObject] | None = field(obj_list)


class ToolUseBlock(ContentBlock):
    """``tool_use``: a call of the caller's tool. ``input`` is the decoded
    arguments; ``None`` when what arrived was not a JSON object (``raw``
    then holds the text under ``input``)."""

    id: str | None = field(as_str)
    name: str | None = field(as_str)
    input: JSONObject | None = field(as_obj)
    caller: JSONObject | None = field(as_obj)


class ThinkingBlock(ContentBlock):
    """``thinking``: the model's reasoning and the ``signature`` that must be
    sent back with it unchanged."""

    thinking: str | None = field(as_str)
    signature: str | None = field(as_str)


class RedactedThinkingBlock(ContentBlock):
    """``redacted_thinking``: reasoning sent only as the opaque ``data``."""

    data: str | None = field(as_str)


_BLOCK_CLASSES: Final[dict[str, type[ContentBlock]]] = {
    "text": TextBlock,
    "tool_use": ToolUseBlock,
    "thinking": ThinkingBlock,
    "redacted_thinking": RedactedThinkingBlock,
}


def content_block(d: object) -> ContentBlock:
    """The typed record for one content block, chosen by its ``type``; never raises."""
    return _by_type(d, _BLOCK_CLASSES, ContentBlock)


_blocks, _optional_block = _typed_readers(content_block)


class AnthropicMessage(Record):
    """A message in the Anthropic format (``MessagesResult``).

    ``stop_reason`` is ``end_turn``, ``max_tokens``, ``stop_sequence``,
    ``tool_use``, ``pause_turn``, ``refusal``, ... (a plain ``str``);
    ``content`` holds typed blocks (:func:`content_block`), ``[]`` when
    absent; ``provider`` is OpenRouter's upstream provider name.
    """

    id: str | None = field(as_str)
    type: str | None = field(as_str)
    role: str | None = field(as_str)
    model: str | None = field(as_str)
    stop_reason: str | None = field(as_str)
    stop_sequence: str | None = field(as_str)
    provider: str | None = field(as_str)
    usage: Lazy[MessagesUsage | None] = lazy(one(MessagesUsage), keep=True)
    content: Lazy[list[ContentBlock] | None] = lazy(_blocks, keep=True)

    @property
    def blocks(self) -> list[ContentBlock]:
        """``content``, or ``[]`` when the message has none."""
        return self.content or []

    @property
    def text(self) -> str:
        """The text of every ``text`` block, joined in order."""
        return "".join(b.text for b in self.blocks if isinstance(b, TextBlock) and b.text)


# -- events ---------------------------------------------------------------------------


class MessageEvent(Record):
    """One event of a Messages stream; ``ping``, ``message_stop`` and types
    with no class of their own are built as this."""

    type: str | None = field(as_str)


class MessageStartEvent(MessageEvent):
    """``message_start``: the message with empty ``content`` and first ``usage``."""

    message: Lazy[AnthropicMessage | None] = lazy(one(AnthropicMessage), keep=True)


class ContentBlockStartEvent(MessageEvent):
    """``content_block_start``: block ``index`` in its initial form (complete
    for ``redacted_thinking`` and the server tool results)."""

    index: int | None = field(as_int)
    content_block: Lazy[ContentBlock | None] = lazy(_optional_block, keep=True)


class BlockDelta(Record):
    """A ``content_block_delta``'s ``delta``: ``text_delta`` (``text``),
    ``input_json_delta`` (``partial_json``), ``thinking_delta``
    (``thinking``), ``signature_delta`` (``signature``) or
    ``citations_delta`` (``citation``)."""

    type: str | None = field(as_str)
    text: str | None = field(as_str)
    partial_json: str | None = field(as_str)
    thinking: str | None = field(as_str)
    signature: str | None = field(as_str)
    citation: JSONObject | None = field(as_obj)


class ContentBlockDeltaEvent(MessageEvent):
    """``content_block_delta``: a piece of block ``index``."""

    index: int | None = field(as_int)
    delta: Lazy[BlockDelta | None] = lazy(one(BlockDelta), keep=True)


class ContentBlockStopEvent(MessageEvent):
    """``content_block_stop``: block ``index`` is complete."""

    index: int | None = field(as_int)


class MessageDeltaEvent(MessageEvent):
    """``message_delta``: ``delta`` (``stop_reason``, ``stop_sequence``) and
    the cumulative ``usage``."""

    delta: JSONObject | None = field(as_obj)
    usage: Lazy[MessagesUsage | None] = lazy(one(MessagesUsage), keep=True)


class MessageErrorEvent(MessageEvent):
    """``error``: the stream failed; ``error.type`` is the code
    (``overloaded_error``, ``api_error``, ...)."""

    @property
    def error(self) -> ResponseError:
        """The error: ``code`` = ``error.type``, OpenRouter's ``error.error_type``."""
        return ResponseError.from_dict(self.raw)


#: Event ``type`` -> record class; anything else is a :class:`MessageEvent`.
EVENT_CLASSES: Final[dict[str, type[MessageEvent]]] = {
    "message_start": MessageStartEvent,
    "content_block_start": ContentBlockStartEvent,
    "content_block_delta": ContentBlockDeltaEvent,
    "content_block_stop": ContentBlockStopEvent,
    "message_delta": MessageDeltaEvent,
    "error": MessageErrorEvent,
}


def parse_message_event(event: object, name: str | None = None) -> MessageEvent:
    """Type one decoded event by its ``type`` (or, lacking one, the SSE event
    ``name``); never raises. Unknown types give a plain :class:`MessageEvent`."""
    return _parse_event(event, name, EVENT_CLASSES, MessageEvent)


# -- the accumulator --------------------------------------------------------------------


class _Block:
    """A content block being built: its start object, the pieces of its
    streamed members by name (``text``, ``thinking``, ``input``: the input's
    JSON text), and what other deltas set or append."""

    __slots__ = ("base", "citations", "pieces", "signature")

    def __init__(self, base: JSONObject) -> None:
        self.base = base
        self.pieces: dict[str, list[str]] = {}
        self.signature: str | None = None
        self.citations: list[Any] | None = None

    def build(self) -> JSONObject:
        built = dict(self.base)
        for key, pieces in self.pieces.items():
            if key != "input":
                earlier = built.get(key)
                built[key] = (earlier if type(earlier) is str else "") + "".join(pieces)
                continue
            text = "".join(pieces)
            if text.strip():
                try:
                    built["input"] = json.loads(text)
                except ValueError:
                    built["input"] = text
        if self.signature is not None:
            built["signature"] = self.signature
        if self.citations is not None:
            earlier = built.get("citations")
            built["citations"] = [*(earlier if isinstance(earlier, list) else ()), *self.citations]
        return built


#: Delta type -> (the block member its pieces build, the delta's key).
_PIECES: Final = {
    "text_delta": ("text", "text"),
    "thinking_delta": ("thinking", "thinking"),
    "input_json_delta": ("input", "partial_json"),
}


class MessagesAccumulator(_Fold):
    """Fold the events of one Messages stream into the final :class:`AnthropicMessage`.

    ``add(event, name=None)`` takes each decoded event (a ``dict``, or a
    :class:`MessageEvent`) in stream order; ``name`` is the SSE event name,
    used when the JSON lacks ``type``. ``close()`` marks the end of the body.

    Outcome (``outcome``, an :class:`sseproto.Outcome`): ``OPEN`` until
    ``message_stop`` (``COMPLETED``) or ``error`` (``ERRORED``; ``error``
    holds a :class:`ResponseError` whose ``code`` is the error's ``type``);
    ``close()`` while still ``OPEN`` gives ``TRUNCATED``. Events after the
    outcome is decided are counted in ``ignored``; ``ping`` events are
    counted in ``keepalives`` and change nothing else.

    The rebuild (:meth:`result`): the ``message_start`` message, with
    ``content`` built from the blocks by ``index``: text joined from
    ``text_delta``, ``thinking`` from ``thinking_delta``, ``signature`` set
    by ``signature_delta``, ``citations`` appended from ``citations_delta``,
    and the JSON text joined from ``input_json_delta`` decoded into
    ``input`` (for ``tool_use`` and ``server_tool_use``; an empty text
    keeps the start's ``{}``, text that does not decode is kept as the
    string). Blocks that arrive complete (``redacted_thinking``, server tool
    results) are kept as sent. ``message_delta`` sets every key of its
    ``delta`` (``stop_reason``, ``stop_sequence``, ...) and merges its
    ``usage``: each key it sends with a value other than ``null`` replaces
    the earlier one (``output_tokens`` is cumulative). Other top-level keys
    of ``message_delta`` and ``message_stop`` (``context_management``,
    ``openrouter_metadata``) are kept on the message.
    """

    __slots__ = ("_blocks", "_message", "_usage", "keepalives")

    def __init__(self) -> None:
        super().__init__()
        self._message: JSONObject = {}
        self._usage: JSONObject | None = None
        self._blocks: dict[int, _Block] = {}
        #: How many ``ping`` events arrived.
        self.keepalives = 0

    def _block(self, obj: Mapping[str, Any]) -> _Block:
        at = obj.get("index")
        if type(at) is not int:
            at = as_int(at) or 0
        block = self._blocks.get(at)
        if block is None:
            block = self._blocks[at] = _Block({})
        return block

    def _on_start(self, obj: Mapping[str, Any]) -> None:
        message = obj.get("message")
        if isinstance(message, dict):
            self._message = message
            usage = message.get("usage")
            self._usage = dict(usage) if isinstance(usage, dict) else None

    def _on_block_start(self, obj: Mapping[str, Any]) -> None:
        block = obj.get("content_block")
        self._block(obj).base = block if isinstance(block, dict) else {}

    def _on_delta(self, obj: Mapping[str, Any]) -> None:
        delta = obj.get("delta")
        if not isinstance(delta, dict):
            return
        block = self._block(obj)
        kind = delta.get("type")
        spec = _PIECES.get(kind) if type(kind) is str else None
        if spec is not None:
            piece = delta.get(spec[1])
            if type(piece) is str:
                pieces = block.pieces.get(spec[0])
                if pieces is None:
                    block.pieces[spec[0]] = [piece]
                else:
                    pieces.append(piece)
        elif kind == "signature_delta":
            signature = delta.get("signature")
            if type(signature) is str:
                block.signature = signature
        elif kind == "citations_delta":
            if block.citations is None:
                block.citations = []
            block.citations.append(delta.get("citation"))

    def _on_block_stop(self, obj: Mapping[str, Any]) -> None:
        # The block is complete: its pieces are joined, and its input JSON
        # decoded, once, here.
        block = self._block(obj)
        block.base = block.build()
        block.pieces = {}
        block.signature = block.citations = None

    def _on_message_delta(self, obj: Mapping[str, Any]) -> None:
        message = self._message = dict(self._message)
        for key, value in obj.items():
            if key == "delta":
                if isinstance(value, dict):
                    message.update(value)
            elif key == "usage":
                if isinstance(value, dict):
                    usage = self._usage if self._usage is not None else {}
                    for k, v in value.items():
                        if v is not None:
                            usage[k] = v
                    self._usage = usage
            elif key != "type":
                message[key] = value

    def _on_stop(self, obj: Mapping[str, Any]) -> None:
        self.outcome = Outcome.COMPLETED
        if len(obj) > 1:
            self._message = {**self._message, **{k: v for k, v in obj.items() if k != "type"}}

    def _on_ping(self, obj: Mapping[str, Any]) -> None:
        self.keepalives += 1

    def content(self) -> list[JSONObject]:
        """The content blocks rebuilt so far, in ``index`` order."""
        blocks = self._blocks
        return [blocks[at].build() for at in sorted(blocks)]

    def result(self) -> AnthropicMessage:
        """The message rebuilt from the events (see the class docstring).

        Works at any point, so it is also the partial message of a failed
        or truncated stream; never raises.
        """
        built = {**self._message, "content": self.content()}
        if self._usage is not None:
            built["usage"] = self._usage
        return AnthropicMessage(built)

    @property
    def text(self) -> str:
        """The text received so far, joined over every ``text`` block."""
        parts: list[str] = []
        for at in sorted(self._blocks):
            block = self._blocks[at]
            if block.base.get("type") == "text":
                done = block.base.get("text")
                if type(done) is str:
                    parts.append(done)
            parts.extend(block.pieces.get("text", ()))
        return "".join(parts)


_Handler = Callable[[MessagesAccumulator, Mapping[str, Any]], None]
_A = MessagesAccumulator
_HANDLERS: Final[dict[str, _Handler]] = {
    "message_start": _A._on_start,
    "content_block_start": _A._on_block_start,
    "content_block_delta": _A._on_delta,
    "content_block_stop": _A._on_block_stop,
    "message_delta": _A._on_message_delta,
    "message_stop": _A._on_stop,
    "ping": _A._on_ping,
    "error": _A._on_error,
}
MessagesAccumulator._handlers = _HANDLERS
