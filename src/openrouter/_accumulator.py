"""Assemble streamed chunks into the response a non-streamed call would have given.

:class:`ChatCompletionAccumulator` folds :class:`ChatCompletionChunk` objects
into a :class:`ChatCompletion`; :class:`CompletionAccumulator` does the same
for the legacy completions endpoint. Both are pure state: no I/O, no clock.

The merge rules, per choice (keyed by ``choice.index``, or by the choice's
position in the chunk when the index is missing):

* ``content``, ``refusal`` and ``reasoning`` fragments are concatenated.
* ``reasoning_details`` pieces are merged by their ``index``: ``text``,
  ``summary`` and ``data`` are concatenated; every other field (``type``,
  ``id``, ``format``, ``signature``, ...) is taken once, from the first piece
  that carries a non-empty value, and never concatenated. A piece without an
  index continues the latest entry when its type matches (or it has none),
  and starts a new entry otherwise.
* ``tool_calls`` pieces are merged by their ``index``: ``id``, ``type`` and
  ``function.name`` are taken once; ``function.arguments`` is concatenated.
  A piece without an index continues the latest call, unless it carries an
  ``id`` different from that call's, which starts a new call. Calls are
  ordered by index, whatever index they started at.
* ``finish_reason`` and ``native_finish_reason``: the last non-null value.
* ``role``: the first one seen.

Per response: ``id``, ``created``, ``model``, ``provider`` and
``system_fingerprint`` are the first non-null values; ``usage`` is the last
one seen; ``error`` is the last in-band error seen.

Every fragment is kept in a list and joined once in :meth:`result`, so the
work is linear in the size of the stream however it was split.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._responses import (
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    CompletionChunk,
    ErrorInfo,
    JSONObject,
    ReasoningDetail,
    ToolCall,
    Usage,
    _int,
)

__all__ = ["ChatCompletionAccumulator", "CompletionAccumulator"]

# Fields of a reasoning detail whose streamed pieces are concatenated.
_DETAIL_TEXT_FIELDS = ("text", "summary", "data")


def _present(value: object) -> bool:
    """Whether a "taken once" field counts as set (``None`` and ``""`` do not)."""
    return value is not None and value != ""


class _Detail:
    __slots__ = ("fields", "parts")

    def __init__(self) -> None:
        # First-seen values of the fields taken once, in first-seen order.
        self.fields: dict[str, Any] = {}
        # Pieces of the concatenated fields.
        self.parts: dict[str, list[str]] = {}

    def add(self, piece: ReasoningDetail) -> None:
        fields = self.fields
        for key, value in piece.raw.items():
            if key in _DETAIL_TEXT_FIELDS and type(value) is str:
                self.parts.setdefault(key, []).append(value)
            elif key != "index" and key not in fields and _present(value):
                fields[key] = value

    def build(self, index: int) -> dict[str, Any]:
        out = dict(self.fields)
        for key, parts in self.parts.items():
            out[key] = "".join(parts)
        out["index"] = index
        return out


class _Tool:
    __slots__ = ("arguments", "id", "name", "type")

    def __init__(self) -> None:
        self.id: str | None = None
        self.type: str | None = None
        self.name: str | None = None
        self.arguments: list[str] = []

    def add(self, piece: ToolCall) -> None:
        if not self.id and piece.id:
            self.id = piece.id
        if not self.type and piece.type:
            self.type = piece.type
        fn = piece.function
        if not self.name and fn.name:
            self.name = fn.name
        if fn.arguments is not None:
            self.arguments.append(fn.arguments)

    def build(self, index: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out["type"] = self.type or "function"
        out["function"] = {"name": self.name or "", "arguments": "".join(self.arguments)}
        if index is not None:
            out["index"] = index
        return out


def _next_key(keys: Mapping[int, object]) -> int:
    return max(keys) + 1 if keys else 0


class _ChatChoice:
    __slots__ = (
        "content",
        "detail_last",
        "details",
        "error",
        "finish_reason",
        "images",
        "logprobs",
        "native_finish_reason",
        "reasoning",
        "refusal",
        "role",
        "tool_last",
        "tools",
    )

    def __init__(self) -> None:
        self.role: str | None = None
        self.content: list[str] | None = None
        self.refusal: list[str] | None = None
        self.reasoning: list[str] | None = None
        self.details: dict[int, _Detail] = {}
        self.detail_last: int | None = None
        self.tools: dict[int, _Tool] = {}
        self.tool_last: int | None = None
        self.finish_reason: str | None = None
        self.native_finish_reason: str | None = None
        self.logprobs: dict[str, list[Any]] | None = None
        self.images: list[dict[str, Any]] | None = None
        self.error: ErrorInfo | None = None

    def add_delta(self, delta: JSONObject) -> None:
        """Fold a delta's keys other than ``content`` (folded by the caller)."""
        # Reads the delta's JSON object with ChoiceDelta's rules (a value of
        # the wrong type counts as absent) rather than through its
        # properties, visiting only the keys present.
        for key, v in delta.items():
            if key == "role":
                if self.role is None and type(v) is str and v:
                    self.role = v
            elif key == "reasoning":
                if type(v) is str:
                    if self.reasoning is None:
                        self.reasoning = [v]
                    else:
                        self.reasoning.append(v)
            elif key == "refusal":
                if type(v) is str:
                    if self.refusal is None:
                        self.refusal = [v]
                    else:
                        self.refusal.append(v)
            elif key == "reasoning_details":
                if isinstance(v, list):
                    for x in v:
                        if isinstance(x, dict):
                            self._add_detail(ReasoningDetail(x))
            elif key == "tool_calls":
                if isinstance(v, list):
                    for x in v:
                        if isinstance(x, dict):
                            self._add_tool(ToolCall(x))
            elif key == "images" and isinstance(v, list):
                images = [x for x in v if isinstance(x, dict)]
                if images:
                    if self.images is None:
                        self.images = []
                    self.images.extend(images)

    def _add_detail(self, piece: ReasoningDetail) -> None:
        key = piece.index
        if key is None:
            last = self.detail_last
            if last is not None and (
                piece.type is None or self.details[last].fields.get("type") in (None, piece.type)
            ):
                key = last
            else:
                key = _next_key(self.details)
        state = self.details.get(key)
        if state is None:
            state = self.details[key] = _Detail()
        state.add(piece)
        self.detail_last = key

    def _add_tool(self, call: ToolCall) -> None:
        key = call.index
        if key is None:
            last = self.tool_last
            if last is not None and not (
                call.id and self.tools[last].id and call.id != self.tools[last].id
            ):
                key = last
            else:
                key = _next_key(self.tools)
        state = self.tools.get(key)
        if state is None:
            state = self.tools[key] = _Tool()
        state.add(call)
        self.tool_last = key

    def add_logprobs(self, logprobs: dict[str, Any]) -> None:
        if self.logprobs is None:
            self.logprobs = {}
        for key in ("content", "refusal"):
            items = logprobs.get(key)
            if isinstance(items, list):
                self.logprobs.setdefault(key, []).extend(items)

    def message(self, *, for_request: bool) -> dict[str, Any]:
        msg: dict[str, Any] = {"role": self.role or "assistant"}
        content = None if self.content is None else "".join(self.content)
        tool_calls = [self.tools[k].build(None if for_request else k) for k in sorted(self.tools)]
        details = [self.details[k].build(k) for k in sorted(self.details)]
        if for_request:
            # The next turn: omit what is empty, but keep a message that says
            # something (an assistant message needs content or tool calls).
            if content or not tool_calls:
                msg["content"] = content or ""
            if tool_calls:
                msg["tool_calls"] = tool_calls
            refusal = "".join(self.refusal) if self.refusal else ""
            if refusal:
                msg["refusal"] = refusal
            if details:
                msg["reasoning_details"] = details
            return msg
        msg["content"] = content
        if self.reasoning is not None:
            msg["reasoning"] = "".join(self.reasoning)
        if details:
            msg["reasoning_details"] = details
        if self.refusal is not None:
            msg["refusal"] = "".join(self.refusal)
        if tool_calls:
            msg["tool_calls"] = tool_calls
        if self.images:
            msg["images"] = list(self.images)
        return msg


class _Header:
    """The response-level fields both accumulators keep."""

    __slots__ = ("_chunks", "_created", "_error", "_id", "_model", "_provider", "_sf", "_usage")

    def __init__(self) -> None:
        self._id: str | None = None
        self._created: int | None = None
        self._model: str | None = None
        self._provider: str | None = None
        self._sf: str | None = None
        self._usage: Usage | None = None
        self._error: ErrorInfo | None = None
        self._chunks = 0

    def _take_header(self, chunk: ChatCompletionChunk | CompletionChunk) -> None:
        self._chunks += 1
        # Each field is taken from the first chunk that has it; a key that
        # never comes (system_fingerprint, often) is checked in the raw dict,
        # not read through the chunk on every one of thousands of chunks.
        raw = chunk.raw
        if self._id is None and "id" in raw:
            self._id = chunk.id
        if self._created is None and "created" in raw:
            self._created = chunk.created
        if self._model is None and "model" in raw:
            self._model = chunk.model
        if self._provider is None and "provider" in raw:
            self._provider = chunk.provider
        if self._sf is None and "system_fingerprint" in raw:
            self._sf = chunk.system_fingerprint
        if chunk.usage is not None:
            self._usage = chunk.usage
        if chunk.error is not None:
            self._error = chunk.error

    def _body(self, obj: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
        header = (
            ("id", self._id),
            ("object", obj),
            ("created", self._created),
            ("model", self._model),
            ("provider", self._provider),
            ("system_fingerprint", self._sf),
        )
        body: dict[str, Any] = {key: value for key, value in header if value is not None}
        body["choices"] = choices
        if self._usage is not None:
            body["usage"] = self._usage.raw
        if self._error is not None:
            body["error"] = self._error.raw
        return body

    @property
    def chunk_count(self) -> int:
        """How many chunks were added."""
        return self._chunks

    @property
    def usage(self) -> Usage | None:
        """The last ``usage`` seen (normally on the final chunk), or ``None``."""
        return self._usage

    @property
    def error(self) -> ErrorInfo | None:
        """The last in-band error seen (in a chunk or one of its choices), or ``None``."""
        return self._error


class ChatCompletionAccumulator(_Header):
    """Folds streamed chat completion chunks into one :class:`ChatCompletion`.

    Call :meth:`add` for each chunk, then :meth:`result` (or, mid-stream,
    for a snapshot of what arrived so far) and :meth:`to_message` for the
    assistant message to send back on the next turn. Choices with different
    indexes (``n > 1``) are kept apart. See the module docstring for the
    merge rules.
    """

    __slots__ = ("_choices",)

    def __init__(self) -> None:
        super().__init__()
        self._choices: dict[int, _ChatChoice] = {}

    def add(self, chunk: ChatCompletionChunk | Mapping[str, Any]) -> None:
        """Fold one chunk in. A decoded ``dict`` is accepted too. Never raises."""
        if not isinstance(chunk, ChatCompletionChunk):
            chunk = ChatCompletionChunk.from_dict(dict(chunk))
        self._take_header(chunk)
        # A choice's fields other than ``delta`` are read from its JSON with
        # ChunkChoice's rules rather than through its properties.
        choices = self._choices
        for position, choice in enumerate(chunk.choices):
            get = choice.raw.get
            key = get("index")
            if type(key) is not int:
                key = _int(key)
                if key is None:
                    key = position
            state = choices.get(key)
            if state is None:
                state = choices[key] = _ChatChoice()
            # The common delta, ``content`` alone, is folded here; the
            # other keys are looked for only when there are some.
            delta = choice.delta
            v = delta.content
            if v is not None:
                content = state.content
                if content is None:
                    state.content = [v]
                else:
                    content.append(v)
            d = delta.raw
            others = len(d) - (v is not None)
            # A role repeated on every delta (OpenRouter sends one) changes
            # nothing once the role is known.
            if others and not (others == 1 and state.role is not None and "role" in d):
                state.add_delta(d)
            v = get("finish_reason")
            if type(v) is str:
                state.finish_reason = v
            v = get("native_finish_reason")
            if type(v) is str:
                state.native_finish_reason = v
            v = get("logprobs")
            if isinstance(v, dict):
                state.add_logprobs(v)
            if isinstance(get("error"), dict):
                error = choice.error
                state.error = error
                self._error = error

    def result(self) -> ChatCompletion:
        """The completion assembled so far (``object == "chat.completion"``).

        Its ``raw`` is a fresh dict in the non-streamed response's shape.
        Calling it again after more chunks gives an updated result.
        """
        choices = []
        for key in sorted(self._choices):
            state = self._choices[key]
            c: dict[str, Any] = {"index": key, "message": state.message(for_request=False)}
            c["finish_reason"] = state.finish_reason
            if state.native_finish_reason is not None:
                c["native_finish_reason"] = state.native_finish_reason
            if state.logprobs is not None:
                c["logprobs"] = state.logprobs
            if state.error is not None:
                c["error"] = state.error.raw
            choices.append(c)
        return ChatCompletion.from_dict(self._body("chat.completion", choices))

    def to_message(self, index: int = 0) -> dict[str, Any]:
        """The assistant message of choice ``index``, ready to send as the next turn.

        ``{"role": "assistant", "content": ..., "tool_calls": [...],
        "reasoning_details": [...]}``, leaving out the empty parts
        (``content`` stays, as ``""``, when there are no tool calls).
        Tool calls lose their stream-only ``index``. A choice that never
        arrived gives ``{"role": "assistant", "content": ""}``.
        """
        state = self._choices.get(index)
        if state is None:
            return {"role": "assistant", "content": ""}
        return state.message(for_request=True)

    @property
    def content(self) -> str:
        """The text of choice 0 so far (``""`` before any content)."""
        state = self._choices.get(0)
        if state is None or state.content is None:
            return ""
        return "".join(state.content)


class _TextChoice:
    __slots__ = ("error", "finish_reason", "native_finish_reason", "reasoning", "text")

    def __init__(self) -> None:
        self.text: list[str] = []
        self.reasoning: list[str] | None = None
        self.finish_reason: str | None = None
        self.native_finish_reason: str | None = None
        self.error: ErrorInfo | None = None


class CompletionAccumulator(_Header):
    """Folds streamed legacy completion chunks into one :class:`Completion`.

    ``text`` and ``reasoning`` fragments are concatenated per choice; the
    other rules are those of :class:`ChatCompletionAccumulator`.
    """

    __slots__ = ("_choices",)

    def __init__(self) -> None:
        super().__init__()
        self._choices: dict[int, _TextChoice] = {}

    def add(self, chunk: CompletionChunk | Mapping[str, Any]) -> None:
        """Fold one chunk in. A decoded ``dict`` is accepted too. Never raises."""
        if not isinstance(chunk, CompletionChunk):
            chunk = CompletionChunk.from_dict(dict(chunk))
        self._take_header(chunk)
        for position, choice in enumerate(chunk.choices):
            key = choice.index
            if key is None:
                key = position
            state = self._choices.get(key)
            if state is None:
                state = self._choices[key] = _TextChoice()
            if choice.text is not None:
                state.text.append(choice.text)
            if choice.reasoning is not None:
                if state.reasoning is None:
                    state.reasoning = []
                state.reasoning.append(choice.reasoning)
            if choice.finish_reason is not None:
                state.finish_reason = choice.finish_reason
            if choice.native_finish_reason is not None:
                state.native_finish_reason = choice.native_finish_reason
            if choice.error is not None:
                state.error = choice.error
                self._error = choice.error

    def result(self) -> Completion:
        """The completion assembled so far (``object == "text_completion"``)."""
        choices = []
        for key in sorted(self._choices):
            state = self._choices[key]
            c: dict[str, Any] = {"index": key, "text": "".join(state.text)}
            if state.reasoning is not None:
                c["reasoning"] = "".join(state.reasoning)
            c["finish_reason"] = state.finish_reason
            if state.native_finish_reason is not None:
                c["native_finish_reason"] = state.native_finish_reason
            if state.error is not None:
                c["error"] = state.error.raw
            choices.append(c)
        return Completion.from_dict(self._body("text_completion", choices))

    @property
    def text(self) -> str:
        """The text of choice 0 so far."""
        state = self._choices.get(0)
        return "" if state is None else "".join(state.text)
