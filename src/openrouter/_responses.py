"""Typed, forward-compatible views of OpenRouter's response bodies.

Every model here is built with ``X.from_dict(value)`` from an already decoded
JSON value, and ``from_dict`` never raises, whatever it is given:

* fields this module knows are read into typed attributes;
* a field that is missing, ``null`` or of an unexpected JSON type reads as
  ``None`` (a number where a string belongs is not converted; it stays
  reachable, untouched, through ``raw``);
* fields this module does not know are kept: ``raw`` is the original ``dict``
  (a non-object value is treated as ``{}``);
* strings with a closed set of values in the documentation (finish reasons,
  roles, reasoning detail types) stay plain ``str``, so a value the API adds
  later passes through. :class:`FinishReason` and
  :class:`ReasoningDetailType` name the documented ones for comparisons.

Two nested objects are always present, even when the JSON lacks them, so that
the common access paths need no ``None`` checks: a streamed choice's
``delta`` and a tool call's ``function``. Every other missing object is
``None``.

The objects are slotted classes with a plain ``__init__`` rather than frozen
dataclasses: building a streamed chunk is the client's per-event cost, and a
frozen dataclass pays an ``object.__setattr__`` call per field. For the same
reason most fields of a streamed chunk, choice and delta are properties that
read ``raw`` when asked for, with the same rules. Treat the objects and their
``raw`` as read-only; ``==`` compares the typed fields, not ``raw``.

Endpoints that wrap their answer in ``{"data": ...}`` (credits, generation,
key, model endpoints) accept either the envelope or the inner object.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Generic, Self, TypeVar

__all__ = [
    "Annotation",
    "AudioOutput",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChoiceDelta",
    "ChoiceLogprobs",
    "ChunkChoice",
    "Completion",
    "CompletionChoice",
    "CompletionChunk",
    "CompletionTokensDetails",
    "CostDetails",
    "Credits",
    "Endpoint",
    "ErrorInfo",
    "FinishReason",
    "FunctionCall",
    "Generation",
    "ImageOutput",
    "KeyInfo",
    "Model",
    "ModelAliasTarget",
    "ModelArchitecture",
    "ModelEndpoints",
    "ModelList",
    "ModelPricing",
    "ModelReasoning",
    "PromptTokensDetails",
    "ProviderResponse",
    "RateLimit",
    "ReasoningDetail",
    "ReasoningDetailType",
    "ServerToolUse",
    "TokenLogprob",
    "ToolCall",
    "TopLogprob",
    "TopProvider",
    "URLCitation",
    "Usage",
]

JSONObject = dict[str, Any]
# Any decoded JSON value; named so that classes with an ``object`` field can
# still spell the type.
JSONValue = object

#: The choice type of a response body.
ChoiceT = TypeVar("ChoiceT")
#: A record class built by ``_record`` and ``_records``.
RecordT = TypeVar("RecordT")


class FinishReason(enum.StrEnum):
    """The finish reasons OpenRouter documents (normalized across providers).

    Attributes hold plain ``str``; compare them with these members
    (``choice.finish_reason == FinishReason.LENGTH``). Values not listed here
    arrive unchanged. ``native_finish_reason`` is the provider's own word and
    has no fixed set.
    """

    #: The model finished its answer or hit a stop sequence.
    STOP = "stop"
    #: ``max_tokens`` or the context length was reached.
    LENGTH = "length"
    #: The model called one or more tools.
    TOOL_CALLS = "tool_calls"
    #: A content filter cut the answer.
    CONTENT_FILTER = "content_filter"
    #: The generation failed; the chunk or response carries ``error``.
    ERROR = "error"


class ReasoningDetailType(enum.StrEnum):
    """The ``type`` values of ``reasoning_details`` entries OpenRouter documents.

    :attr:`ReasoningDetail.type` holds a plain ``str``; compare it with these
    members. Other values arrive unchanged.
    """

    #: A readable summary of the reasoning (``summary``).
    SUMMARY = "reasoning.summary"
    #: The reasoning text itself (``text``, often with a ``signature``).
    TEXT = "reasoning.text"
    #: Reasoning the provider only returns encrypted (``data``); send it back unchanged.
    ENCRYPTED = "reasoning.encrypted"
    #: A record of an OpenRouter server-tool call (``tool_name``, ``arguments``,
    #: ``result``), kept so that a later turn can replay it.
    SERVER_TOOL_CALL = "reasoning.server_tool_call"


# -- tolerant readers ---------------------------------------------------------
# ``type(v) is X`` rather than ``isinstance``: JSON decoding only produces the
# exact built-in types, bool must not pass as int, and the identity test is
# the cheapest check CPython has.


def _str(v: object) -> str | None:
    return v if type(v) is str else None


def _int(v: object) -> int | None:
    if type(v) is int:
        return v
    if type(v) is float and v.is_integer():
        return int(v)
    return None


def _num(v: object) -> int | float | None:
    t = type(v)
    if t is int or t is float:
        return v  # type: ignore[return-value]  # narrowed by the identity tests above
    return None


def _bool(v: object) -> bool | None:
    return v if type(v) is bool else None


def _obj(v: object) -> JSONObject | None:
    return v if isinstance(v, dict) else None


def _str_list(v: object) -> list[str] | None:
    if not isinstance(v, list):
        return None
    return [x for x in v if type(x) is str]


def _obj_list(v: object) -> list[JSONObject] | None:
    if not isinstance(v, list):
        return None
    return [x for x in v if isinstance(x, dict)]


def _int_list(v: object) -> list[int] | None:
    if not isinstance(v, list):
        return None
    return [x for x in v if type(x) is int]


def _records(cls: Callable[[JSONObject], RecordT], v: object) -> list[RecordT] | None:
    """``[cls(item) for each object item]``, or ``None`` when ``v`` is not a list."""
    if not isinstance(v, list):
        return None
    return [cls(x) for x in v if isinstance(x, dict)]


def _record(cls: Callable[[JSONObject], RecordT], v: object) -> RecordT | None:
    """``cls(v)`` when ``v`` is an object, else ``None``."""
    return cls(v) if isinstance(v, dict) else None


def _price(v: object) -> str | None:
    # Prices are decimal strings in the API (exact, no float rounding); a bare
    # number is accepted and spelled the way JSON spelled it.
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]  # narrowed by the identity test
    if t is int or t is float:
        return repr(v)
    return None


def _as_object(v: object) -> JSONObject:
    return v if isinstance(v, dict) else {}


def _unwrap(v: object) -> JSONObject:
    d = _as_object(v)
    inner = d.get("data")
    return inner if isinstance(inner, dict) else d


class _Record:
    """Shared behaviour: ``raw``, a readable ``repr`` and field equality."""

    __slots__ = ("raw",)
    _fields: ClassVar[tuple[str, ...]] = ()

    #: The JSON object this was built from, with every field the API sent.
    raw: JSONObject

    def __repr__(self) -> str:
        shown = []
        for name in self._fields:
            value = getattr(self, name)
            if value is not None:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable-by-convention value objects


# -- shared pieces --------------------------------------------------------------


class ErrorInfo(_Record):
    """An error object inside a body: ``{"code", "message", "metadata"}``.

    ``code`` is usually an HTTP status number but may be a string
    (``"server_error"``) or absent.
    """

    __slots__ = ("code", "message", "metadata")
    _fields = __slots__

    code: int | str | None
    message: str | None
    metadata: JSONObject | None

    def __init__(
        self,
        raw: JSONObject,
        code: int | str | None,
        message: str | None,
        metadata: JSONObject | None,
    ) -> None:
        self.raw = raw
        self.code = code
        self.message = message
        self.metadata = metadata

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        d = _as_object(d)
        code = d.get("code")
        if type(code) is not str:
            code = _int(code)
        return cls(d, code, _str(d.get("message")), _obj(d.get("metadata")))

    @property
    def error_type(self) -> str | None:
        """``metadata.error_type`` when it is a string."""
        return None if self.metadata is None else _str(self.metadata.get("error_type"))

    @property
    def provider_name(self) -> str | None:
        """``metadata.provider_name``: the upstream provider that failed, if named."""
        return None if self.metadata is None else _str(self.metadata.get("provider_name"))


class PromptTokensDetails(_Record):
    """``usage.prompt_tokens_details``."""

    __slots__ = ("audio_tokens", "cache_write_tokens", "cached_tokens", "video_tokens")
    _fields = __slots__

    cached_tokens: int | None
    cache_write_tokens: int | None
    audio_tokens: int | None
    video_tokens: int | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.cached_tokens = _int(d.get("cached_tokens"))
        self.cache_write_tokens = _int(d.get("cache_write_tokens"))
        self.audio_tokens = _int(d.get("audio_tokens"))
        self.video_tokens = _int(d.get("video_tokens"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class CompletionTokensDetails(_Record):
    """``usage.completion_tokens_details``."""

    __slots__ = (
        "accepted_prediction_tokens",
        "audio_tokens",
        "image_tokens",
        "reasoning_tokens",
        "rejected_prediction_tokens",
    )
    _fields = __slots__

    reasoning_tokens: int | None
    image_tokens: int | None
    audio_tokens: int | None
    accepted_prediction_tokens: int | None
    rejected_prediction_tokens: int | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.reasoning_tokens = _int(d.get("reasoning_tokens"))
        self.image_tokens = _int(d.get("image_tokens"))
        self.audio_tokens = _int(d.get("audio_tokens"))
        self.accepted_prediction_tokens = _int(d.get("accepted_prediction_tokens"))
        self.rejected_prediction_tokens = _int(d.get("rejected_prediction_tokens"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class CostDetails(_Record):
    """``usage.cost_details``: what the upstream provider charged, in US dollars.

    ``upstream_inference_cost`` is set for bring-your-own-key requests (the
    provider bills you directly) and ``None`` otherwise.
    """

    __slots__ = (
        "upstream_inference_completions_cost",
        "upstream_inference_cost",
        "upstream_inference_prompt_cost",
    )
    _fields = __slots__

    upstream_inference_cost: int | float | None
    upstream_inference_prompt_cost: int | float | None
    upstream_inference_completions_cost: int | float | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.upstream_inference_cost = _num(d.get("upstream_inference_cost"))
        self.upstream_inference_prompt_cost = _num(d.get("upstream_inference_prompt_cost"))
        self.upstream_inference_completions_cost = _num(
            d.get("upstream_inference_completions_cost")
        )

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ServerToolUse(_Record):
    """Counts of server-side tool work (``usage.server_tool_use``).

    ``web_search_requests`` counts web searches, whether a provider's native
    search or OpenRouter's; ``tool_calls_requested`` and
    ``tool_calls_executed`` count OpenRouter server-tool calls only (a web
    search made through one is counted in both, so do not add them up).
    """

    __slots__ = ("tool_calls_executed", "tool_calls_requested", "web_search_requests")
    _fields = __slots__

    web_search_requests: int | None
    tool_calls_requested: int | None
    tool_calls_executed: int | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.web_search_requests = _int(d.get("web_search_requests"))
        self.tool_calls_requested = _int(d.get("tool_calls_requested"))
        self.tool_calls_executed = _int(d.get("tool_calls_executed"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class Usage(_Record):
    """Token counts and cost (``usage``), on final chunks and whole responses.

    ``cost`` is in credits (US dollars). ``server_tool_use`` reads the
    ``server_tool_use`` member and, when that is absent, the
    ``server_tool_use_details`` spelling of OpenRouter's OpenAPI description.
    """

    __slots__ = (
        "completion_tokens",
        "completion_tokens_details",
        "cost",
        "cost_details",
        "is_byok",
        "prompt_tokens",
        "prompt_tokens_details",
        "server_tool_use",
        "total_tokens",
    )
    _fields = __slots__

    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    cost: int | float | None
    is_byok: bool | None
    prompt_tokens_details: PromptTokensDetails | None
    completion_tokens_details: CompletionTokensDetails | None
    cost_details: CostDetails | None
    server_tool_use: ServerToolUse | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.prompt_tokens = _int(d.get("prompt_tokens"))
        self.completion_tokens = _int(d.get("completion_tokens"))
        self.total_tokens = _int(d.get("total_tokens"))
        self.cost = _num(d.get("cost"))
        self.is_byok = _bool(d.get("is_byok"))
        self.prompt_tokens_details = _record(PromptTokensDetails, d.get("prompt_tokens_details"))
        self.completion_tokens_details = _record(
            CompletionTokensDetails, d.get("completion_tokens_details")
        )
        self.cost_details = _record(CostDetails, d.get("cost_details"))
        tools = d.get("server_tool_use")
        if tools is None:
            tools = d.get("server_tool_use_details")
        self.server_tool_use = _record(ServerToolUse, tools)

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ReasoningDetail(_Record):
    """One entry of ``reasoning_details`` (whole, or a streamed piece of one).

    ``type`` says which fields carry the content (see
    :class:`ReasoningDetailType`): ``"reasoning.summary"`` has ``summary``,
    ``"reasoning.text"`` has ``text`` and maybe ``signature``,
    ``"reasoning.encrypted"`` has ``data``, and
    ``"reasoning.server_tool_call"`` has ``tool_name``, ``tool_call_id``,
    ``arguments`` and ``result``. Every type may carry ``id``, ``format``
    (``"anthropic-claude-v1"``, ``"openai-responses-v1"``...) and ``index``,
    which orders the entries and ties streamed pieces together. Send the
    entries back unchanged (``raw``) in the next turn's assistant message.
    """

    __slots__ = (
        "arguments",
        "data",
        "format",
        "id",
        "index",
        "result",
        "signature",
        "summary",
        "text",
        "tool_call_id",
        "tool_name",
        "type",
    )
    _fields = __slots__

    type: str | None
    id: str | None
    format: str | None
    index: int | None
    text: str | None
    summary: str | None
    data: str | None
    signature: str | None
    tool_name: str | None
    tool_call_id: str | None
    arguments: str | None
    result: str | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.type = _str(d.get("type"))
        self.id = _str(d.get("id"))
        self.format = _str(d.get("format"))
        self.index = _int(d.get("index"))
        self.text = _str(d.get("text"))
        self.summary = _str(d.get("summary"))
        self.data = _str(d.get("data"))
        self.signature = _str(d.get("signature"))
        self.tool_name = _str(d.get("tool_name"))
        self.tool_call_id = _str(d.get("tool_call_id"))
        self.arguments = _str(d.get("arguments"))
        self.result = _str(d.get("result"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class URLCitation(_Record):
    """The ``url_citation`` of an annotation: a web source the answer cites.

    ``start_index`` and ``end_index`` delimit the citing span of the
    message's ``content`` (in characters); ``content`` is the cited text, when
    the search engine returns it.
    """

    __slots__ = ("content", "end_index", "start_index", "title", "url")
    _fields = __slots__

    url: str | None
    title: str | None
    content: str | None
    start_index: int | None
    end_index: int | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.url = _str(d.get("url"))
        self.title = _str(d.get("title"))
        self.content = _str(d.get("content"))
        self.start_index = _int(d.get("start_index"))
        self.end_index = _int(d.get("end_index"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class Annotation(_Record):
    """One entry of a message's ``annotations``.

    Web search (the ``web`` plugin, ``:online`` models or the
    ``openrouter:web_search`` server tool) adds ``type == "url_citation"``
    entries, whose :class:`URLCitation` is ``url_citation``; it is ``None``
    for other types, which stay reachable through ``raw``.
    """

    __slots__ = ("type", "url_citation")
    _fields = __slots__

    type: str | None
    url_citation: URLCitation | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.type = _str(d.get("type"))
        self.url_citation = _record(URLCitation, d.get("url_citation"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class AudioOutput(_Record):
    """Spoken output (``message.audio``), or a streamed piece of it (``delta.audio``).

    ``data`` is base64-encoded audio in the requested format; ``transcript``
    is its text. In a stream both arrive in pieces to be concatenated, ``id``
    once; ``expires_at`` (Unix time) says how long the ``id`` may be sent back
    in a later turn's assistant message.
    """

    __slots__ = ("data", "expires_at", "id", "transcript")
    _fields = __slots__

    id: str | None
    data: str | None
    transcript: str | None
    expires_at: int | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.id = _str(d.get("id"))
        self.data = _str(d.get("data"))
        self.transcript = _str(d.get("transcript"))
        self.expires_at = _int(d.get("expires_at"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ImageOutput(_Record):
    """One generated image of ``images``: ``{"type": "image_url", "image_url": {"url": ...}}``.

    ``url`` is ``image_url.url``, usually a base64 ``data:`` URL.
    """

    __slots__ = ("type", "url")
    _fields = __slots__

    type: str | None
    url: str | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.type = _str(d.get("type"))
        image_url = d.get("image_url")
        self.url = _str(image_url.get("url")) if isinstance(image_url, dict) else None

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class TopLogprob(_Record):
    """One alternative of :attr:`TokenLogprob.top_logprobs`.

    ``bytes`` is the token's UTF-8 encoding as a list of byte values (a token
    may hold part of a character), or ``None``.
    """

    __slots__ = ("bytes", "logprob", "token")
    _fields = __slots__

    token: str | None
    logprob: int | float | None
    bytes: list[int] | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.token = _str(d.get("token"))
        self.logprob = _num(d.get("logprob"))
        self.bytes = _int_list(d.get("bytes"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class TokenLogprob(_Record):
    """The log probability of one output token, and its likeliest alternatives.

    ``bytes`` is as in :class:`TopLogprob`.
    """

    __slots__ = ("bytes", "logprob", "token", "top_logprobs")
    _fields = __slots__

    token: str | None
    logprob: int | float | None
    bytes: list[int] | None
    top_logprobs: list[TopLogprob] | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.token = _str(d.get("token"))
        self.logprob = _num(d.get("logprob"))
        self.bytes = _int_list(d.get("bytes"))
        self.top_logprobs = _records(TopLogprob, d.get("top_logprobs"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ChoiceLogprobs(_Record):
    """A choice's ``logprobs`` (asked for with ``logprobs=True``).

    ``content`` covers the answer's tokens and ``refusal`` a refusal's; in a
    stream each chunk carries the tokens of its own delta.
    """

    __slots__ = ("content", "refusal")
    _fields = __slots__

    content: list[TokenLogprob] | None
    refusal: list[TokenLogprob] | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.content = _records(TokenLogprob, d.get("content"))
        self.refusal = _records(TokenLogprob, d.get("refusal"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


def _details(v: object) -> list[ReasoningDetail] | None:
    if not isinstance(v, list):
        return None
    return [ReasoningDetail(x) for x in v if isinstance(x, dict)]


_EMPTY: JSONObject = {}


class FunctionCall(_Record):
    """A tool call's ``function``: ``name`` and JSON-encoded ``arguments``.

    In a streamed delta both are pieces: ``name`` arrives once, ``arguments``
    in fragments to be concatenated.
    """

    __slots__ = ("arguments", "name")
    _fields = __slots__

    name: str | None
    arguments: str | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.name = _str(d.get("name"))
        self.arguments = _str(d.get("arguments"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ToolCall(_Record):
    """A tool call, whole (in a message) or a streamed piece (in a delta).

    ``function`` is always present (empty when the JSON lacks it). ``index``
    is set in streamed pieces and ties them together.
    """

    __slots__ = ("function", "id", "index", "type")
    _fields = __slots__

    index: int | None
    id: str | None
    type: str | None
    function: FunctionCall

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.index = _int(d.get("index"))
        self.id = _str(d.get("id"))
        self.type = _str(d.get("type"))
        f = d.get("function")
        self.function = FunctionCall(f if isinstance(f, dict) else _EMPTY)

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


def _tool_calls(v: object) -> list[ToolCall] | None:
    if not isinstance(v, list):
        return None
    return [ToolCall(x) for x in v if isinstance(x, dict)]


def _error(v: object) -> ErrorInfo | None:
    return ErrorInfo.from_dict(v) if isinstance(v, dict) else None


def _usage(v: object) -> Usage | None:
    return Usage(v) if isinstance(v, dict) else None


def _image_list(v: object) -> list[ImageOutput] | None:
    return _records(ImageOutput, v)


def _annotation_list(v: object) -> list[Annotation] | None:
    return _records(Annotation, v)


def _audio(v: object) -> AudioOutput | None:
    return _record(AudioOutput, v)


def _logprobs(v: object) -> ChoiceLogprobs | None:
    return _record(ChoiceLogprobs, v)


def _cached(record: _Record, slot: str, v: object, build: Callable[[object], RecordT]) -> RecordT:
    """A lazily built field of a streamed record: ``build(v)`` once, then kept in ``slot``.

    ``v`` is the field's raw value; ``None`` (absent or ``null``) is returned
    as it is. The fields read this way are rare in streams, so building them
    on every chunk would be wasted work.
    """
    if v is None:
        return None  # type: ignore[return-value]  # every build maps None to None
    try:
        built: RecordT = getattr(record, slot)
    except AttributeError:
        built = build(v)
        setattr(record, slot, built)
    return built


# -- chat completions -------------------------------------------------------------


class ChatCompletionMessage(_Record):
    """The message of a non-streamed choice.

    ``annotations`` holds the web sources the answer cites, ``images`` the
    images an image model generated and ``audio`` the spoken answer of an
    audio model.
    """

    __slots__ = (
        "annotations",
        "audio",
        "content",
        "images",
        "reasoning",
        "reasoning_details",
        "refusal",
        "role",
        "tool_calls",
    )
    _fields = __slots__

    role: str | None
    content: str | None
    reasoning: str | None
    reasoning_details: list[ReasoningDetail] | None
    refusal: str | None
    tool_calls: list[ToolCall] | None
    annotations: list[Annotation] | None
    images: list[ImageOutput] | None
    audio: AudioOutput | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.role = _str(d.get("role"))
        self.content = _str(d.get("content"))
        self.reasoning = _str(d.get("reasoning"))
        self.reasoning_details = _details(d.get("reasoning_details"))
        self.refusal = _str(d.get("refusal"))
        self.tool_calls = _tool_calls(d.get("tool_calls"))
        self.annotations = _records(Annotation, d.get("annotations"))
        self.images = _records(ImageOutput, d.get("images"))
        self.audio = _record(AudioOutput, d.get("audio"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ChatCompletionChoice(_Record):
    """One choice of a non-streamed chat completion.

    ``message`` is always present (empty when the JSON lacks it).
    """

    __slots__ = ("error", "finish_reason", "index", "logprobs", "message", "native_finish_reason")
    _fields = __slots__

    index: int | None
    message: ChatCompletionMessage
    finish_reason: str | None
    native_finish_reason: str | None
    logprobs: ChoiceLogprobs | None
    error: ErrorInfo | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.index = _int(d.get("index"))
        m = d.get("message")
        self.message = ChatCompletionMessage(m if isinstance(m, dict) else _EMPTY)
        self.finish_reason = _str(d.get("finish_reason"))
        self.native_finish_reason = _str(d.get("native_finish_reason"))
        self.logprobs = _record(ChoiceLogprobs, d.get("logprobs"))
        self.error = _error(d.get("error"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class _Body(_Record, Generic[ChoiceT]):
    """The fields a whole response and a legacy completion chunk share;
    ``_choice`` builds each of ``choices``."""

    __slots__ = (
        "choices",
        "created",
        "error",
        "id",
        "model",
        "object",
        "openrouter_metadata",
        "provider",
        "service_tier",
        "system_fingerprint",
        "usage",
    )
    _fields = __slots__
    _choice: ClassVar[type[Any]]

    id: str | None
    object: str | None
    created: int | None
    model: str | None
    provider: str | None
    system_fingerprint: str | None
    #: The service tier the upstream provider ran the request on (``"default"``, ``"flex"``...).
    service_tier: str | None
    #: How OpenRouter routed the request (``requested``, ``strategy``,
    #: ``endpoints``, ``attempts``...), as the object the API sent.
    openrouter_metadata: JSONObject | None
    choices: list[ChoiceT]
    usage: Usage | None
    error: ErrorInfo | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.id = _str(d.get("id"))
        self.object = _str(d.get("object"))
        self.created = _int(d.get("created"))
        self.model = _str(d.get("model"))
        self.provider = _str(d.get("provider"))
        self.system_fingerprint = _str(d.get("system_fingerprint"))
        self.service_tier = _str(d.get("service_tier"))
        self.openrouter_metadata = _obj(d.get("openrouter_metadata"))
        c = d.get("choices")
        choice = type(self)._choice
        self.choices = (
            [choice(x if isinstance(x, dict) else _EMPTY) for x in c] if isinstance(c, list) else []
        )
        self.usage = _usage(d.get("usage"))
        self.error = _error(d.get("error"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        """Build from a decoded body; never raises (see the module docstring)."""
        return cls(_as_object(d))


class ChatCompletion(_Body[ChatCompletionChoice]):
    """A whole (non-streamed) chat completion, or one assembled from chunks.

    ``error`` is set when a 200 response carries an error object instead of
    (or next to) choices.
    """

    __slots__ = ()
    _choice = ChatCompletionChoice


class ChoiceDelta(_Record):
    """What one streamed chunk adds to a choice's message.

    Text fields are fragments: concatenate them across chunks
    (:class:`~openrouter.ChatCompletionAccumulator` does).
    """

    # The hot path: a delta is built for every streamed chunk and most hold
    # only ``content``, so that one field is read up front and the others
    # from ``raw`` when they are asked for; the lists (built from rare keys)
    # are built once, then kept.
    __slots__ = ("_annotations", "_audio", "_details", "_images", "_tool_calls", "content")
    _fields = (
        "annotations",
        "audio",
        "content",
        "images",
        "reasoning",
        "reasoning_details",
        "refusal",
        "role",
        "tool_calls",
    )

    #: A fragment of the answer's text.
    content: str | None
    _details: list[ReasoningDetail] | None
    _tool_calls: list[ToolCall] | None
    _images: list[ImageOutput] | None
    _annotations: list[Annotation] | None
    _audio: AudioOutput | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        v = d.get("content")
        self.content = v if type(v) is str else None

    @property
    def role(self) -> str | None:
        """``"assistant"``, usually on the first delta only."""
        v = self.raw.get("role")
        return v if type(v) is str else None

    @property
    def reasoning(self) -> str | None:
        """A fragment of the model's reasoning text."""
        v = self.raw.get("reasoning")
        return v if type(v) is str else None

    @property
    def refusal(self) -> str | None:
        """A fragment of a refusal."""
        v = self.raw.get("refusal")
        return v if type(v) is str else None

    @property
    def reasoning_details(self) -> list[ReasoningDetail] | None:
        """Pieces of reasoning details, tied together by their ``index``."""
        v = self.raw.get("reasoning_details")
        if v is None:
            return None
        try:
            return self._details
        except AttributeError:
            built = self._details = _details(v)
            return built

    @property
    def tool_calls(self) -> list[ToolCall] | None:
        """Pieces of tool calls, tied together by their ``index``."""
        v = self.raw.get("tool_calls")
        if v is None:
            return None
        try:
            return self._tool_calls
        except AttributeError:
            built = self._tool_calls = _tool_calls(v)
            return built

    @property
    def images(self) -> list[ImageOutput] | None:
        """Generated images; each arrives whole, in the delta that carries it."""
        return _cached(self, "_images", self.raw.get("images"), _image_list)

    @property
    def annotations(self) -> list[Annotation] | None:
        """Citations of web sources; OpenRouter sends them in one delta near the end."""
        return _cached(self, "_annotations", self.raw.get("annotations"), _annotation_list)

    @property
    def audio(self) -> AudioOutput | None:
        """A piece of spoken output: ``data`` and ``transcript`` are fragments."""
        return _cached(self, "_audio", self.raw.get("audio"), _audio)

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ChunkChoice(_Record):
    """One choice of a streamed chunk. ``delta`` is always present."""

    # Only ``delta`` is built up front; the other fields are read from
    # ``raw`` when asked for: a stream's consumer and the accumulator each
    # look at a few of them, and most are null on most chunks.
    __slots__ = ("_error", "_logprobs", "delta")
    _fields = ("delta", "error", "finish_reason", "index", "logprobs", "native_finish_reason")

    #: What this chunk adds to the choice's message (empty when the JSON lacks it).
    delta: ChoiceDelta
    _error: ErrorInfo | None
    _logprobs: ChoiceLogprobs | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        v = d.get("delta")
        self.delta = ChoiceDelta(v if isinstance(v, dict) else _EMPTY)

    @property
    def index(self) -> int | None:
        """The choice's position (``0`` unless the request asked for ``n > 1``)."""
        v = self.raw.get("index")
        return v if type(v) is int else _int(v)

    @property
    def finish_reason(self) -> str | None:
        """Set on the choice's last chunk; compare with :class:`FinishReason`."""
        v = self.raw.get("finish_reason")
        return v if type(v) is str else None

    @property
    def native_finish_reason(self) -> str | None:
        """The provider's own finish reason."""
        v = self.raw.get("native_finish_reason")
        return v if type(v) is str else None

    @property
    def logprobs(self) -> ChoiceLogprobs | None:
        """Log probabilities of this chunk's tokens (asked for with ``logprobs=True``)."""
        return _cached(self, "_logprobs", self.raw.get("logprobs"), _logprobs)

    @property
    def error(self) -> ErrorInfo | None:
        """The error of an in-band error chunk (``finish_reason == "error"``)."""
        v = self.raw.get("error")
        if v is None:
            return None
        try:
            return self._error
        except AttributeError:
            built = self._error = _error(v)
            return built

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ChatCompletionChunk(_Record):
    """One streamed chat completion chunk (``object: "chat.completion.chunk"``).

    ``usage`` is usually set only on the last chunk; ``error`` is set on an
    in-band error chunk (its choice has ``finish_reason == "error"``).
    """

    # The fields that repeat on every chunk (id, model, ...) are read from
    # ``raw`` when asked for: a stream of thousands of chunks rarely looks
    # at them after the first, and building them eagerly was a third of
    # the cost of a chunk.
    __slots__ = ("choices", "error", "usage")
    _fields = (
        "choices",
        "created",
        "error",
        "id",
        "model",
        "object",
        "openrouter_metadata",
        "provider",
        "service_tier",
        "system_fingerprint",
        "usage",
    )

    choices: list[ChunkChoice]
    usage: Usage | None
    error: ErrorInfo | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        get = d.get
        v = get("choices")
        # A loop, not a list comprehension (hence the PERF401 ignore): on
        # Python 3.11 the comprehension is a function call of its own, a
        # tenth of the chunk's cost.
        choices: list[ChunkChoice] = []
        if type(v) is list:
            for x in v:
                choices.append(ChunkChoice(x if type(x) is dict else _EMPTY))  # noqa: PERF401
        self.choices = choices
        v = get("usage")
        self.usage = Usage(v) if type(v) is dict else None
        v = get("error")
        self.error = None if v is None else _error(v)

    @property
    def id(self) -> str | None:
        """The generation ID (``gen-...``), the same on every chunk."""
        v = self.raw.get("id")
        return v if type(v) is str else None

    @property
    def object(self) -> str | None:
        """``"chat.completion.chunk"``."""
        v = self.raw.get("object")
        return v if type(v) is str else None

    @property
    def created(self) -> int | None:
        """Unix time of the generation's start."""
        v = self.raw.get("created")
        return v if type(v) is int else _int(v)

    @property
    def model(self) -> str | None:
        """The model that answers."""
        v = self.raw.get("model")
        return v if type(v) is str else None

    @property
    def provider(self) -> str | None:
        """The provider that serves the model."""
        v = self.raw.get("provider")
        return v if type(v) is str else None

    @property
    def system_fingerprint(self) -> str | None:
        """The provider's backend configuration fingerprint, when it sends one."""
        v = self.raw.get("system_fingerprint")
        return v if type(v) is str else None

    @property
    def service_tier(self) -> str | None:
        """The service tier the upstream provider ran the request on."""
        v = self.raw.get("service_tier")
        return v if type(v) is str else None

    @property
    def openrouter_metadata(self) -> JSONObject | None:
        """How OpenRouter routed the request, as the object the API sent."""
        v = self.raw.get("openrouter_metadata")
        return v if isinstance(v, dict) else None

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        """Build from one decoded ``data:`` payload; never raises."""
        return cls(d if isinstance(d, dict) else {})


# -- legacy completions -------------------------------------------------------------


class CompletionChoice(_Record):
    """One choice of a legacy completion or of one of its streamed chunks."""

    __slots__ = (
        "error",
        "finish_reason",
        "index",
        "logprobs",
        "native_finish_reason",
        "reasoning",
        "text",
    )
    _fields = __slots__

    index: int | None
    text: str | None
    reasoning: str | None
    finish_reason: str | None
    native_finish_reason: str | None
    logprobs: JSONObject | None
    error: ErrorInfo | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.index = _int(d.get("index"))
        self.text = _str(d.get("text"))
        self.reasoning = _str(d.get("reasoning"))
        self.finish_reason = _str(d.get("finish_reason"))
        self.native_finish_reason = _str(d.get("native_finish_reason"))
        self.logprobs = _obj(d.get("logprobs"))
        self.error = _error(d.get("error"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class _CompletionBody(_Body[CompletionChoice]):
    __slots__ = ()
    _choice = CompletionChoice


class Completion(_CompletionBody):
    """A whole legacy completion (``POST /completions``), or one assembled from chunks."""

    __slots__ = ()


class CompletionChunk(_CompletionBody):
    """One streamed legacy completion chunk; ``choices[i].text`` is a fragment."""

    __slots__ = ()


# -- models and endpoints ------------------------------------------------------------


class ModelArchitecture(_Record):
    """A model's ``architecture``: modalities, tokenizer, instruct format."""

    __slots__ = ("input_modalities", "instruct_type", "modality", "output_modalities", "tokenizer")
    _fields = __slots__

    modality: str | None
    input_modalities: list[str] | None
    output_modalities: list[str] | None
    tokenizer: str | None
    instruct_type: str | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.modality = _str(d.get("modality"))
        self.input_modalities = _str_list(d.get("input_modalities"))
        self.output_modalities = _str_list(d.get("output_modalities"))
        self.tokenizer = _str(d.get("tokenizer"))
        self.instruct_type = _str(d.get("instruct_type"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ModelPricing(_Record):
    """Prices in US dollars per token (per request, per image, ...), as decimal strings.

    Strings keep the API's exact decimal value; convert with
    ``decimal.Decimal(pricing.prompt)`` when doing arithmetic. ``discount`` is
    a number.
    """

    __slots__ = (
        "audio",
        "audio_output",
        "completion",
        "discount",
        "image",
        "image_output",
        "image_token",
        "input_audio_cache",
        "input_cache_read",
        "input_cache_write",
        "input_cache_write_1h",
        "internal_reasoning",
        "overrides",
        "prompt",
        "request",
        "web_search",
    )
    _fields = __slots__

    prompt: str | None
    completion: str | None
    request: str | None
    image: str | None
    image_token: str | None
    image_output: str | None
    audio: str | None
    audio_output: str | None
    input_audio_cache: str | None
    web_search: str | None
    internal_reasoning: str | None
    input_cache_read: str | None
    input_cache_write: str | None
    input_cache_write_1h: str | None
    discount: int | float | None
    #: Conditional prices (long context, time of day...), as the objects the API sent.
    overrides: list[JSONObject] | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.prompt = _price(d.get("prompt"))
        self.completion = _price(d.get("completion"))
        self.request = _price(d.get("request"))
        self.image = _price(d.get("image"))
        self.image_token = _price(d.get("image_token"))
        self.image_output = _price(d.get("image_output"))
        self.audio = _price(d.get("audio"))
        self.audio_output = _price(d.get("audio_output"))
        self.input_audio_cache = _price(d.get("input_audio_cache"))
        self.web_search = _price(d.get("web_search"))
        self.internal_reasoning = _price(d.get("internal_reasoning"))
        self.input_cache_read = _price(d.get("input_cache_read"))
        self.input_cache_write = _price(d.get("input_cache_write"))
        self.input_cache_write_1h = _price(d.get("input_cache_write_1h"))
        self.discount = _num(d.get("discount"))
        self.overrides = _obj_list(d.get("overrides"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


def _pricing(v: object) -> ModelPricing | None:
    return ModelPricing(v) if isinstance(v, dict) else None


def _architecture(v: object) -> ModelArchitecture | None:
    return ModelArchitecture(v) if isinstance(v, dict) else None


class TopProvider(_Record):
    """A model's ``top_provider``: the limits of its best endpoint."""

    __slots__ = ("context_length", "is_moderated", "max_completion_tokens")
    _fields = __slots__

    context_length: int | None
    max_completion_tokens: int | None
    is_moderated: bool | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.context_length = _int(d.get("context_length"))
        self.max_completion_tokens = _int(d.get("max_completion_tokens"))
        self.is_moderated = _bool(d.get("is_moderated"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ModelReasoning(_Record):
    """A model's ``reasoning``: what its ``reasoning`` request options may say.

    ``supported_efforts`` lists the accepted ``reasoning.effort`` values,
    highest first; ``default_effort`` applies when reasoning is enabled
    without an effort; ``mandatory`` models cannot turn reasoning off;
    ``supports_max_tokens`` is ``True`` when ``reasoning.max_tokens`` is
    accepted.
    """

    __slots__ = (
        "default_effort",
        "default_enabled",
        "mandatory",
        "supported_efforts",
        "supports_max_tokens",
    )
    _fields = __slots__

    default_effort: str | None
    default_enabled: bool | None
    mandatory: bool | None
    supported_efforts: list[str] | None
    supports_max_tokens: bool | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.default_effort = _str(d.get("default_effort"))
        self.default_enabled = _bool(d.get("default_enabled"))
        self.mandatory = _bool(d.get("mandatory"))
        self.supported_efforts = _str_list(d.get("supported_efforts"))
        self.supports_max_tokens = _bool(d.get("supports_max_tokens"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ModelAliasTarget(_Record):
    """A model's ``alias_target``: the concrete model an alias (``...~latest``) routes to."""

    __slots__ = ("name", "slug")
    _fields = __slots__

    slug: str | None
    name: str | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.slug = _str(d.get("slug"))
        self.name = _str(d.get("name"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class Model(_Record):
    """One entry of ``GET /models``.

    ``knowledge_cutoff`` and ``expiration_date`` are ISO 8601 dates
    (``"2025-01-31"``) or ``None``; ``supported_voices`` is set for
    text-to-speech models; ``benchmarks`` (Artificial Analysis indices,
    Design Arena ratings) and ``links`` (``details``: the URL of the model's
    endpoint list) are kept as the objects the API sent.
    """

    __slots__ = (
        "alias_target",
        "architecture",
        "benchmarks",
        "canonical_slug",
        "context_length",
        "created",
        "default_parameters",
        "description",
        "expiration_date",
        "hugging_face_id",
        "id",
        "knowledge_cutoff",
        "links",
        "name",
        "per_request_limits",
        "pricing",
        "reasoning",
        "supported_parameters",
        "supported_voices",
        "top_provider",
    )
    _fields = __slots__

    id: str | None
    canonical_slug: str | None
    hugging_face_id: str | None
    name: str | None
    created: int | None
    description: str | None
    context_length: int | None
    architecture: ModelArchitecture | None
    pricing: ModelPricing | None
    top_provider: TopProvider | None
    per_request_limits: JSONObject | None
    supported_parameters: list[str] | None
    default_parameters: JSONObject | None
    knowledge_cutoff: str | None
    expiration_date: str | None
    reasoning: ModelReasoning | None
    supported_voices: list[str] | None
    alias_target: ModelAliasTarget | None
    benchmarks: JSONObject | None
    links: JSONObject | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.id = _str(d.get("id"))
        self.canonical_slug = _str(d.get("canonical_slug"))
        self.hugging_face_id = _str(d.get("hugging_face_id"))
        self.name = _str(d.get("name"))
        self.created = _int(d.get("created"))
        self.description = _str(d.get("description"))
        self.context_length = _int(d.get("context_length"))
        self.architecture = _architecture(d.get("architecture"))
        self.pricing = _pricing(d.get("pricing"))
        self.top_provider = _record(TopProvider, d.get("top_provider"))
        self.per_request_limits = _obj(d.get("per_request_limits"))
        self.supported_parameters = _str_list(d.get("supported_parameters"))
        self.default_parameters = _obj(d.get("default_parameters"))
        self.knowledge_cutoff = _str(d.get("knowledge_cutoff"))
        self.expiration_date = _str(d.get("expiration_date"))
        self.reasoning = _record(ModelReasoning, d.get("reasoning"))
        self.supported_voices = _str_list(d.get("supported_voices"))
        self.alias_target = _record(ModelAliasTarget, d.get("alias_target"))
        self.benchmarks = _obj(d.get("benchmarks"))
        self.links = _obj(d.get("links"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ModelList(_Record):
    """The body of ``GET /models``: ``{"data": [model, ...]}``.

    ``from_dict`` also accepts the bare list.
    """

    __slots__ = ("data",)
    _fields = __slots__

    data: list[Model]

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        items = d.get("data")
        self.data = (
            [Model(x) for x in items if isinstance(x, dict)] if isinstance(items, list) else []
        )

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        if isinstance(d, list):
            d = {"data": d}
        return cls(_as_object(d))

    def __iter__(self) -> Iterator[Model]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class Endpoint(_Record):
    """One provider endpoint serving a model (``GET /models/{author}/{slug}/endpoints``).

    ``uptime_*`` are percentages; ``latency_last_30m`` and
    ``throughput_last_30m`` are kept as the percentile objects the API sent.
    """

    __slots__ = (
        "context_length",
        "latency_last_30m",
        "max_completion_tokens",
        "max_prompt_tokens",
        "model_id",
        "model_name",
        "name",
        "pricing",
        "provider_name",
        "quantization",
        "status",
        "supported_parameters",
        "supports_implicit_caching",
        "tag",
        "throughput_last_30m",
        "uptime_last_1d",
        "uptime_last_5m",
        "uptime_last_30m",
    )
    _fields = __slots__

    name: str | None
    model_id: str | None
    model_name: str | None
    provider_name: str | None
    tag: str | None
    quantization: str | None
    context_length: int | None
    max_completion_tokens: int | None
    max_prompt_tokens: int | None
    pricing: ModelPricing | None
    supported_parameters: list[str] | None
    status: int | str | None
    uptime_last_30m: int | float | None
    uptime_last_5m: int | float | None
    uptime_last_1d: int | float | None
    supports_implicit_caching: bool | None
    latency_last_30m: JSONObject | None
    throughput_last_30m: JSONObject | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.name = _str(d.get("name"))
        self.model_id = _str(d.get("model_id"))
        self.model_name = _str(d.get("model_name"))
        self.provider_name = _str(d.get("provider_name"))
        self.tag = _str(d.get("tag"))
        self.quantization = _str(d.get("quantization"))
        self.context_length = _int(d.get("context_length"))
        self.max_completion_tokens = _int(d.get("max_completion_tokens"))
        self.max_prompt_tokens = _int(d.get("max_prompt_tokens"))
        self.pricing = _pricing(d.get("pricing"))
        self.supported_parameters = _str_list(d.get("supported_parameters"))
        status = d.get("status")
        self.status = status if type(status) is str else _int(status)
        self.uptime_last_30m = _num(d.get("uptime_last_30m"))
        self.uptime_last_5m = _num(d.get("uptime_last_5m"))
        self.uptime_last_1d = _num(d.get("uptime_last_1d"))
        self.supports_implicit_caching = _bool(d.get("supports_implicit_caching"))
        self.latency_last_30m = _obj(d.get("latency_last_30m"))
        self.throughput_last_30m = _obj(d.get("throughput_last_30m"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class ModelEndpoints(_Record):
    """A model and the endpoints serving it (``list_endpoints(author, slug)``)."""

    __slots__ = ("architecture", "created", "description", "endpoints", "id", "name")
    _fields = __slots__

    id: str | None
    name: str | None
    created: int | None
    description: str | None
    architecture: ModelArchitecture | None
    endpoints: list[Endpoint]

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.id = _str(d.get("id"))
        self.name = _str(d.get("name"))
        self.created = _int(d.get("created"))
        self.description = _str(d.get("description"))
        self.architecture = _architecture(d.get("architecture"))
        e = d.get("endpoints")
        self.endpoints = (
            [Endpoint(x) for x in e if isinstance(x, dict)] if isinstance(e, list) else []
        )

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        """Build from the body or its ``data`` object; never raises."""
        return cls(_unwrap(d))


# -- account ----------------------------------------------------------------------------


class Credits(_Record):
    """``GET /credits``: credits bought and used, in US dollars."""

    __slots__ = ("total_credits", "total_usage")
    _fields = __slots__

    total_credits: int | float | None
    total_usage: int | float | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.total_credits = _num(d.get("total_credits"))
        self.total_usage = _num(d.get("total_usage"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        """Build from the body or its ``data`` object; never raises."""
        return cls(_unwrap(d))

    @property
    def remaining(self) -> int | float | None:
        """``total_credits - total_usage``, or ``None`` when either is unknown."""
        if self.total_credits is None or self.total_usage is None:
            return None
        return self.total_credits - self.total_usage


class ProviderResponse(_Record):
    """One provider attempt of a generation (``provider_responses``), fallbacks included.

    ``status`` is the provider's HTTP status; ``latency`` is milliseconds;
    ``routed_service_tier`` is the tier the request was routed to
    (``"flex"``, ``"priority"``).
    """

    __slots__ = (
        "endpoint_id",
        "id",
        "is_byok",
        "latency",
        "model_permaslug",
        "provider_name",
        "routed_service_tier",
        "status",
    )
    _fields = __slots__

    id: str | None
    endpoint_id: str | None
    model_permaslug: str | None
    provider_name: str | None
    status: int | None
    latency: int | float | None
    is_byok: bool | None
    routed_service_tier: str | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.id = _str(d.get("id"))
        self.endpoint_id = _str(d.get("endpoint_id"))
        self.model_permaslug = _str(d.get("model_permaslug"))
        self.provider_name = _str(d.get("provider_name"))
        self.status = _int(d.get("status"))
        self.latency = _num(d.get("latency"))
        self.is_byok = _bool(d.get("is_byok"))
        self.routed_service_tier = _str(d.get("routed_service_tier"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class Generation(_Record):
    """``GET /generation?id=...``: cost, token counts and timing of one generation.

    ``tokens_*`` are counted with a normalized tokenizer; ``native_tokens_*``
    with the model's own (the ones billed). ``latency``,
    ``moderation_latency`` and ``generation_time`` are milliseconds.
    ``request_id`` groups the generations of one API request (an auto-router
    or server-tool loop makes several); ``session_id`` is the request's own;
    ``provider_responses`` lists every provider attempt, fallbacks included;
    ``router`` names the router used (``"openrouter/auto"``);
    ``response_cache_source_id`` is set when the answer came from the
    response cache; ``api_type`` is ``"completions"``, ``"embeddings"``...;
    ``data_region`` is ``"global"``, ``"europe"`` or ``"us"``.
    """

    __slots__ = (
        "api_type",
        "app_id",
        "cache_discount",
        "cancelled",
        "created_at",
        "data_region",
        "external_user",
        "finish_reason",
        "generation_time",
        "http_referer",
        "id",
        "is_byok",
        "latency",
        "model",
        "moderation_latency",
        "native_finish_reason",
        "native_tokens_cached",
        "native_tokens_completion",
        "native_tokens_completion_images",
        "native_tokens_prompt",
        "native_tokens_reasoning",
        "num_fetches",
        "num_input_audio_prompt",
        "num_media_completion",
        "num_media_prompt",
        "num_search_results",
        "origin",
        "preset_id",
        "provider_name",
        "provider_responses",
        "request_id",
        "response_cache_source_id",
        "router",
        "service_tier",
        "session_id",
        "streamed",
        "tokens_completion",
        "tokens_prompt",
        "total_cost",
        "upstream_id",
        "upstream_inference_cost",
        "usage",
        "user_agent",
        "web_search_engine",
        "workspace_id",
    )
    _fields = __slots__

    id: str | None
    upstream_id: str | None
    request_id: str | None
    session_id: str | None
    model: str | None
    provider_name: str | None
    router: str | None
    service_tier: str | None
    api_type: str | None
    origin: str | None
    http_referer: str | None
    user_agent: str | None
    external_user: str | None
    created_at: str | None
    app_id: int | None
    preset_id: str | None
    workspace_id: str | None
    data_region: str | None
    total_cost: int | float | None
    usage: int | float | None
    cache_discount: int | float | None
    upstream_inference_cost: int | float | None
    is_byok: bool | None
    streamed: bool | None
    cancelled: bool | None
    latency: int | float | None
    moderation_latency: int | float | None
    generation_time: int | float | None
    finish_reason: str | None
    native_finish_reason: str | None
    tokens_prompt: int | None
    tokens_completion: int | None
    native_tokens_prompt: int | None
    native_tokens_completion: int | None
    native_tokens_completion_images: int | None
    native_tokens_reasoning: int | None
    native_tokens_cached: int | None
    num_media_prompt: int | None
    num_input_audio_prompt: int | None
    num_media_completion: int | None
    num_search_results: int | None
    num_fetches: int | None
    web_search_engine: str | None
    response_cache_source_id: str | None
    provider_responses: list[ProviderResponse] | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.id = _str(d.get("id"))
        self.upstream_id = _str(d.get("upstream_id"))
        self.request_id = _str(d.get("request_id"))
        self.session_id = _str(d.get("session_id"))
        self.model = _str(d.get("model"))
        self.provider_name = _str(d.get("provider_name"))
        self.router = _str(d.get("router"))
        self.service_tier = _str(d.get("service_tier"))
        self.api_type = _str(d.get("api_type"))
        self.origin = _str(d.get("origin"))
        self.http_referer = _str(d.get("http_referer"))
        self.user_agent = _str(d.get("user_agent"))
        self.external_user = _str(d.get("external_user"))
        self.created_at = _str(d.get("created_at"))
        self.app_id = _int(d.get("app_id"))
        self.preset_id = _str(d.get("preset_id"))
        self.workspace_id = _str(d.get("workspace_id"))
        self.data_region = _str(d.get("data_region"))
        self.total_cost = _num(d.get("total_cost"))
        self.usage = _num(d.get("usage"))
        self.cache_discount = _num(d.get("cache_discount"))
        self.upstream_inference_cost = _num(d.get("upstream_inference_cost"))
        self.is_byok = _bool(d.get("is_byok"))
        self.streamed = _bool(d.get("streamed"))
        self.cancelled = _bool(d.get("cancelled"))
        self.latency = _num(d.get("latency"))
        self.moderation_latency = _num(d.get("moderation_latency"))
        self.generation_time = _num(d.get("generation_time"))
        self.finish_reason = _str(d.get("finish_reason"))
        self.native_finish_reason = _str(d.get("native_finish_reason"))
        self.tokens_prompt = _int(d.get("tokens_prompt"))
        self.tokens_completion = _int(d.get("tokens_completion"))
        self.native_tokens_prompt = _int(d.get("native_tokens_prompt"))
        self.native_tokens_completion = _int(d.get("native_tokens_completion"))
        self.native_tokens_completion_images = _int(d.get("native_tokens_completion_images"))
        self.native_tokens_reasoning = _int(d.get("native_tokens_reasoning"))
        self.native_tokens_cached = _int(d.get("native_tokens_cached"))
        self.num_media_prompt = _int(d.get("num_media_prompt"))
        self.num_input_audio_prompt = _int(d.get("num_input_audio_prompt"))
        self.num_media_completion = _int(d.get("num_media_completion"))
        self.num_search_results = _int(d.get("num_search_results"))
        self.num_fetches = _int(d.get("num_fetches"))
        self.web_search_engine = _str(d.get("web_search_engine"))
        self.response_cache_source_id = _str(d.get("response_cache_source_id"))
        self.provider_responses = _records(ProviderResponse, d.get("provider_responses"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        """Build from the body or its ``data`` object; never raises."""
        return cls(_unwrap(d))


class RateLimit(_Record):
    """``rate_limit`` of :class:`KeyInfo`: ``requests`` per ``interval`` (``"10s"``)."""

    __slots__ = ("interval", "requests")
    _fields = __slots__

    requests: int | None
    interval: str | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.requests = _int(d.get("requests"))
        self.interval = _str(d.get("interval"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        return cls(_as_object(d))


class KeyInfo(_Record):
    """``GET /key``: the calling API key's label, limits and spend (US dollars).

    ``limit`` and ``limit_remaining`` are ``None`` for a key without a limit.
    ``label`` is the API's own truncated form of the key, never the key.
    """

    __slots__ = (
        "byok_usage",
        "byok_usage_daily",
        "byok_usage_monthly",
        "byok_usage_weekly",
        "creator_user_id",
        "expires_at",
        "include_byok_in_limit",
        "is_free_tier",
        "is_management_key",
        "is_provisioning_key",
        "label",
        "limit",
        "limit_remaining",
        "limit_reset",
        "rate_limit",
        "usage",
        "usage_daily",
        "usage_monthly",
        "usage_weekly",
    )
    _fields = __slots__

    label: str | None
    limit: int | float | None
    limit_remaining: int | float | None
    limit_reset: str | None
    include_byok_in_limit: bool | None
    usage: int | float | None
    usage_daily: int | float | None
    usage_weekly: int | float | None
    usage_monthly: int | float | None
    byok_usage: int | float | None
    byok_usage_daily: int | float | None
    byok_usage_weekly: int | float | None
    byok_usage_monthly: int | float | None
    is_free_tier: bool | None
    is_provisioning_key: bool | None
    is_management_key: bool | None
    rate_limit: RateLimit | None
    expires_at: str | None
    creator_user_id: str | None

    def __init__(self, d: JSONObject) -> None:
        self.raw = d
        self.label = _str(d.get("label"))
        self.limit = _num(d.get("limit"))
        self.limit_remaining = _num(d.get("limit_remaining"))
        self.limit_reset = _str(d.get("limit_reset"))
        self.include_byok_in_limit = _bool(d.get("include_byok_in_limit"))
        self.usage = _num(d.get("usage"))
        self.usage_daily = _num(d.get("usage_daily"))
        self.usage_weekly = _num(d.get("usage_weekly"))
        self.usage_monthly = _num(d.get("usage_monthly"))
        self.byok_usage = _num(d.get("byok_usage"))
        self.byok_usage_daily = _num(d.get("byok_usage_daily"))
        self.byok_usage_weekly = _num(d.get("byok_usage_weekly"))
        self.byok_usage_monthly = _num(d.get("byok_usage_monthly"))
        self.is_free_tier = _bool(d.get("is_free_tier"))
        self.is_provisioning_key = _bool(d.get("is_provisioning_key"))
        self.is_management_key = _bool(d.get("is_management_key"))
        r = d.get("rate_limit")
        self.rate_limit = RateLimit(r) if isinstance(r, dict) else None
        self.expires_at = _str(d.get("expires_at"))
        self.creator_user_id = _str(d.get("creator_user_id"))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        """Build from the body or its ``data`` object; never raises."""
        return cls(_unwrap(d))
