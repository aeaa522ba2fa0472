"""Typed bodies of the Responses (``POST /responses``) and Messages
(``POST /messages``) requests.

Frozen dataclasses, as :class:`ChatCompletionRequest` is: fields checked in
``__post_init__`` (``TypeError`` for a wrong type, ``ValueError`` for an
empty ``model``, an empty input or a non-finite number), ``to_dict()`` giving
the wire JSON with unset (``None``) fields left out, and ``extra`` merged
last for any field not modelled here (the OpenAPI description lists about
forty per request; the common ones are fields).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ._requests import (
    Message,
    Plugin,
    ProviderOptions,
    ReasoningOptions,
    ServerTool,
    _check_bool,
    _check_instance,
    _check_int,
    _check_mapping,
    _check_number,
    _check_str,
    _fields_to_dict,
    _require_str,
    _set,
    _str_tuple,
    _typed_tuple,
    _Wire,
)

__all__ = ["MessagesRequest", "ResponsesRequest"]

_INPUT_ITEMS = (Message, Mapping)


def _check_common(request: ResponsesRequest | MessagesRequest) -> None:
    """The fields both requests share: model, sampling, routing, identity."""
    _require_str("model", request.model)
    if not request.model.strip():
        raise ValueError("model must be a model id such as 'openai/gpt-5-mini', not empty")
    for name in ("temperature", "top_p"):
        _check_number(name, getattr(request, name))
    _check_int("top_k", request.top_k)
    _check_bool("stream", request.stream)
    for name in ("user", "session_id"):
        _check_str(name, getattr(request, name))
    _set(request, "models", _str_tuple("models", request.models))
    _check_instance("provider", request.provider, (ProviderOptions, Mapping), "a ProviderOptions")
    tools = _typed_tuple("tools", request.tools, (ServerTool, Mapping), "tool mappings")
    _set(request, "tools", tools)
    plugins = _typed_tuple("plugins", request.plugins, (Plugin, Mapping), "Plugin items")
    _set(request, "plugins", plugins)
    _set(request, "extra", _check_mapping("extra", request.extra))


def _items(name: str, value: object) -> tuple[object, ...]:
    """A non-empty list of messages (:class:`Message` or mappings)."""
    items = _typed_tuple(name, value, _INPUT_ITEMS, "Message objects or mappings")
    if not items:
        raise ValueError(f"{name} must hold at least one item")
    return items


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponsesRequest(_Wire):
    """The body of ``POST /responses`` (OpenAI's Responses format).

    ``model`` and ``input`` are required: ``input`` is a string (one user
    turn) or a list of input items (``{"role": "user", "content": ...}``
    messages, ``function_call_output`` items, reasoning items sent back; a
    :class:`Message` is accepted for a message). ``instructions`` is the
    system prompt; ``max_output_tokens`` bounds the answer (the stream then
    ends with ``response.incomplete``). ``tools`` are Responses tools
    (``{"type": "function", "name", "parameters"}`` mappings, or
    OpenRouter server tools, :class:`ServerTool`); ``reasoning`` is
    ``{"effort": ..., "summary": ...}``; ``text`` is ``{"format": ...,
    "verbosity": ...}``; ``include`` asks for extra output
    (``"reasoning.encrypted_content"``). ``provider``, ``plugins``,
    ``models``, ``user`` and ``session_id`` are OpenRouter's, as on chat.
    ``stream`` is set by ``client.responses.stream()``; ``extra`` carries any
    other field (``previous_response_id``, ``truncation``, ``prompt``...).

    Raises ``TypeError`` when a field has the wrong type and ``ValueError``
    for an empty ``model`` or ``input`` or a non-finite number.
    """

    model: str
    input: str | Sequence[Message | Mapping[str, object]]
    instructions: str | None = None
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    tools: Sequence[ServerTool | Mapping[str, object]] | None = None
    tool_choice: str | Mapping[str, object] | None = None
    parallel_tool_calls: bool | None = None
    reasoning: ReasoningOptions | Mapping[str, object] | None = None
    text: Mapping[str, object] | None = None
    include: Sequence[str] | None = None
    metadata: Mapping[str, str] | None = None
    provider: ProviderOptions | Mapping[str, object] | None = None
    plugins: Sequence[Plugin | Mapping[str, object]] | None = None
    models: Sequence[str] | None = None
    user: str | None = None
    session_id: str | None = None
    stream: bool | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _check_common(self)
        if isinstance(self.input, str):
            if not self.input:
                raise ValueError("input must not be empty")
        else:
            _set(self, "input", _items("input", self.input))
        _check_str("instructions", self.instructions)
        _check_int("max_output_tokens", self.max_output_tokens)
        _check_instance("tool_choice", self.tool_choice, (str, Mapping), "a str or a mapping")
        _check_bool("parallel_tool_calls", self.parallel_tool_calls)
        _check_instance(
            "reasoning", self.reasoning, (ReasoningOptions, Mapping), "a ReasoningOptions"
        )
        _set(self, "text", _check_mapping("text", self.text))
        _set(self, "include", _str_tuple("include", self.include))
        metadata = _check_mapping("metadata", self.metadata)
        for key, value in (metadata or {}).items():
            _require_str(f"metadata[{key!r}]", value)
        _set(self, "metadata", metadata)

    def to_dict(self) -> dict[str, object]:
        """The JSON object to send: set fields in declaration order, ``extra`` last."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagesRequest(_Wire):
    """The body of ``POST /messages`` (Anthropic's Messages format).

    ``model`` and ``messages`` are required: ``messages`` holds
    ``{"role": "user" | "assistant", "content": str | [blocks]}`` mappings
    (or :class:`Message` objects of those roles). ``max_tokens`` bounds the
    answer (Anthropic requires it; OpenRouter fills a default when absent).
    ``system`` is the system prompt: a string or a list of text blocks.
    ``stop_sequences`` end the answer early; ``tools`` are Anthropic tools
    (``{"name", "description", "input_schema"}`` mappings, or OpenRouter
    server tools); ``tool_choice`` is ``{"type": "auto" | "any" | "tool" |
    "none", ...}``; ``thinking`` is ``{"type": "enabled", "budget_tokens":
    N}``; ``metadata`` is Anthropic's (``{"user_id": ...}``). ``provider``,
    ``plugins``, ``models``, ``user`` and ``session_id`` are OpenRouter's.
    ``stream`` is set by ``client.messages.stream()``; ``extra`` carries any
    other field (``service_tier``, ``context_management``...).

    Raises ``TypeError`` when a field has the wrong type and ``ValueError``
    for an empty ``model`` or ``messages`` or a non-finite number.
    """

    model: str
    messages: Sequence[Message | Mapping[str, object]]
    max_tokens: int | None = None
    system: str | Sequence[Mapping[str, object]] | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop_sequences: Sequence[str] | None = None
    tools: Sequence[ServerTool | Mapping[str, object]] | None = None
    tool_choice: Mapping[str, object] | None = None
    thinking: Mapping[str, object] | None = None
    metadata: Mapping[str, object] | None = None
    provider: ProviderOptions | Mapping[str, object] | None = None
    plugins: Sequence[Plugin | Mapping[str, object]] | None = None
    models: Sequence[str] | None = None
    user: str | None = None
    session_id: str | None = None
    stream: bool | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _check_common(self)
        _set(self, "messages", _items("messages", self.messages))
        _check_int("max_tokens", self.max_tokens)
        if self.system is not None and not isinstance(self.system, str):
            blocks = _typed_tuple("system", self.system, (Mapping,), "text block mappings")
            _set(self, "system", blocks)
        _set(self, "stop_sequences", _str_tuple("stop_sequences", self.stop_sequences))
        for name in ("tool_choice", "thinking", "metadata"):
            _set(self, name, _check_mapping(name, getattr(self, name)))

    def to_dict(self) -> dict[str, object]:
        """The JSON object to send: set fields in declaration order, ``extra`` last."""
        return _fields_to_dict(self)
