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

The objects are records (``_records.py``): slotted classes that declare each
field once, with the reader that applies the rules above, and get a
generated ``__init__``, rather than frozen dataclasses: building a streamed
chunk is the client's per-event cost, and a frozen dataclass pays an
``object.__setattr__`` call per field. For the same reason most fields of a
streamed chunk, choice and delta are lazy: properties that read ``raw`` when
asked for, with the same rules. Treat the objects and their ``raw`` as
read-only; only the lazy fields (properties without a setter) and names a
class does not have refuse assignment (``AttributeError``): an eager field
is a plain slot, so that building a record costs one store per field, and
assigning it changes that attribute, never ``raw``. ``==`` compares the
typed fields, not ``raw``.

Endpoints that wrap their answer in ``{"data": ...}`` (credits, generation,
key, model endpoints) accept either the envelope or the inner object.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from typing import Generic, Self, SupportsIndex, TypeVar, overload

from ._records import (
    JSONObject,
    Lazy,
    Record,
    always,
    as_bool,
    as_int,
    as_num,
    as_obj,
    as_str,
    field,
    int_list,
    lazy,
    listed,
    many,
    obj_list,
    one,
    padded,
    str_list,
)
from ._requests import Message

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
    "ModelListLinks",
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

T = TypeVar("T")

#: The base of the records here.
_Record = Record

# Any decoded JSON value; named so that classes with an ``object`` field can
# still spell the type.
JSONValue = object


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


# -- readers of this API's own shapes (the general ones are in _records.py) ------------


def _price(v: object) -> str | None:
    # Prices are decimal strings in the API (exact, no float rounding); a bare
    # number is accepted and spelled the way JSON spelled it.
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]  # narrowed by the identity test
    if t is int or t is float:
        return repr(v)
    return None


def _int_or_str(v: object) -> int | str | None:
    """A status or code: a string as it is, else as :func:`as_int` reads it."""
    return v if type(v) is str else as_int(v)


def _image_url(v: object) -> str | None:
    """The ``url`` of an ``image_url`` object."""
    return as_str(v.get("url")) if isinstance(v, dict) else None


# -- shared pieces --------------------------------------------------------------


class ErrorInfo(_Record):
    """An error object inside a body: ``{"code", "message", "metadata"}``.

    ``code`` is usually an HTTP status number but may be a string
    (``"server_error"``) or absent.
    """

    # The one record built from its values (``ErrorInfo(raw, code, message,
    # metadata)``), so it writes its own ``__init__`` and ``from_dict``.
    code: int | str | None = field(_int_or_str)
    message: str | None = field(as_str)
    metadata: JSONObject | None = field(as_obj)

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
        """Build from a decoded JSON value; never raises (a non-object reads as ``{}``)."""
        d = d if isinstance(d, dict) else {}
        return cls(
            d, _int_or_str(d.get("code")), as_str(d.get("message")), as_obj(d.get("metadata"))
        )

    @property
    def error_type(self) -> str | None:
        """``metadata.error_type`` when it is a string."""
        return None if self.metadata is None else as_str(self.metadata.get("error_type"))

    @property
    def provider_name(self) -> str | None:
        """``metadata.provider_name``: the upstream provider that failed, if named."""
        return None if self.metadata is None else as_str(self.metadata.get("provider_name"))


class PromptTokensDetails(_Record):
    """``usage.prompt_tokens_details``."""

    cached_tokens: int | None = field(as_int)
    cache_write_tokens: int | None = field(as_int)
    audio_tokens: int | None = field(as_int)
    video_tokens: int | None = field(as_int)


class CompletionTokensDetails(_Record):
    """``usage.completion_tokens_details``."""

    reasoning_tokens: int | None = field(as_int)
    image_tokens: int | None = field(as_int)
    audio_tokens: int | None = field(as_int)
    accepted_prediction_tokens: int | None = field(as_int)
    rejected_prediction_tokens: int | None = field(as_int)


class CostDetails(_Record):
    """``usage.cost_details``: what the upstream provider charged, in US dollars.

    ``upstream_inference_cost`` is set for bring-your-own-key requests (the
    provider bills you directly) and ``None`` otherwise.
    """

    upstream_inference_cost: int | float | None = field(as_num)
    upstream_inference_prompt_cost: int | float | None = field(as_num)
    upstream_inference_completions_cost: int | float | None = field(as_num)


class ServerToolUse(_Record):
    """Counts of server-side tool work (``usage.server_tool_use``).

    ``web_search_requests`` counts web searches, whether a provider's native
    search or OpenRouter's; ``tool_calls_requested`` and
    ``tool_calls_executed`` count OpenRouter server-tool calls only (a web
    search made through one is counted in both, so do not add them up).
    """

    web_search_requests: int | None = field(as_int)
    tool_calls_requested: int | None = field(as_int)
    tool_calls_executed: int | None = field(as_int)


class Usage(_Record):
    """Token counts and cost (``usage``), on final chunks and whole responses.

    ``cost`` is in credits (US dollars). ``server_tool_use`` reads the
    ``server_tool_use`` member and, when that is absent, the
    ``server_tool_use_details`` spelling of OpenRouter's OpenAPI description.
    """

    prompt_tokens: int | None = field(as_int)
    completion_tokens: int | None = field(as_int)
    total_tokens: int | None = field(as_int)
    cost: int | float | None = field(as_num)
    is_byok: bool | None = field(as_bool)
    prompt_tokens_details: PromptTokensDetails | None = field(one(PromptTokensDetails))
    completion_tokens_details: CompletionTokensDetails | None = field(one(CompletionTokensDetails))
    cost_details: CostDetails | None = field(one(CostDetails))
    server_tool_use: ServerToolUse | None = field(
        one(ServerToolUse), key=("server_tool_use", "server_tool_use_details")
    )


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

    type: str | None = field(as_str)
    id: str | None = field(as_str)
    format: str | None = field(as_str)
    index: int | None = field(as_int)
    text: str | None = field(as_str)
    summary: str | None = field(as_str)
    data: str | None = field(as_str)
    signature: str | None = field(as_str)
    tool_name: str | None = field(as_str)
    tool_call_id: str | None = field(as_str)
    arguments: str | None = field(as_str)
    result: str | None = field(as_str)


class URLCitation(_Record):
    """The ``url_citation`` of an annotation: a web source the answer cites.

    ``start_index`` and ``end_index`` delimit the citing span of the
    message's ``content`` (in characters); ``content`` is the cited text, when
    the search engine returns it.
    """

    url: str | None = field(as_str)
    title: str | None = field(as_str)
    content: str | None = field(as_str)
    start_index: int | None = field(as_int)
    end_index: int | None = field(as_int)


class Annotation(_Record):
    """One entry of a message's ``annotations``.

    Web search (the ``web`` plugin, ``:online`` models or the
    ``openrouter:web_search`` server tool) adds ``type == "url_citation"``
    entries, whose :class:`URLCitation` is ``url_citation``; it is ``None``
    for other types, which stay reachable through ``raw``.
    """

    type: str | None = field(as_str)
    url_citation: URLCitation | None = field(one(URLCitation))


class AudioOutput(_Record):
    """Spoken output (``message.audio``), or a streamed piece of it (``delta.audio``).

    ``data`` is base64-encoded audio in the requested format; ``transcript``
    is its text. In a stream both arrive in pieces to be concatenated, ``id``
    once; ``expires_at`` (Unix time) says how long the ``id`` may be sent back
    in a later turn's assistant message.
    """

    id: str | None = field(as_str)
    data: str | None = field(as_str)
    transcript: str | None = field(as_str)
    expires_at: int | None = field(as_int)


class ImageOutput(_Record):
    """One generated image of ``images``: ``{"type": "image_url", "image_url": {"url": ...}}``.

    ``url`` is ``image_url.url``, usually a base64 ``data:`` URL.
    """

    type: str | None = field(as_str)
    url: str | None = field(_image_url, key="image_url")


class TopLogprob(_Record):
    """One alternative of :attr:`TokenLogprob.top_logprobs`.

    ``bytes`` is the token's UTF-8 encoding as a list of byte values (a token
    may hold part of a character), or ``None``.
    """

    token: str | None = field(as_str)
    logprob: int | float | None = field(as_num)
    bytes: list[int] | None = field(int_list)


class TokenLogprob(_Record):
    """The log probability of one output token, and its likeliest alternatives.

    ``bytes`` is as in :class:`TopLogprob`.
    """

    token: str | None = field(as_str)
    logprob: int | float | None = field(as_num)
    bytes: list[int] | None = field(int_list)
    top_logprobs: list[TopLogprob] | None = field(many(TopLogprob))


class ChoiceLogprobs(_Record):
    """A choice's ``logprobs`` (asked for with ``logprobs=True``).

    ``content`` covers the answer's tokens and ``refusal`` a refusal's; in a
    stream each chunk carries the tokens of its own delta.
    """

    content: list[TokenLogprob] | None = field(many(TokenLogprob))
    refusal: list[TokenLogprob] | None = field(many(TokenLogprob))


class FunctionCall(_Record):
    """A tool call's ``function``: ``name`` and JSON-encoded ``arguments``.

    In a streamed delta both are pieces: ``name`` arrives once, ``arguments``
    in fragments to be concatenated.
    """

    name: str | None = field(as_str)
    arguments: str | None = field(as_str)


class ToolCall(_Record):
    """A tool call, whole (in a message) or a streamed piece (in a delta).

    ``function`` is always present (empty when the JSON lacks it). ``index``
    is set in streamed pieces and ties them together.
    """

    index: int | None = field(as_int)
    id: str | None = field(as_str)
    type: str | None = field(as_str)
    function: FunctionCall = field(always(FunctionCall))


# -- chat completions -------------------------------------------------------------


class ChatCompletionMessage(_Record):
    """The message of a non-streamed choice.

    ``annotations`` holds the web sources the answer cites, ``images`` the
    images an image model generated and ``audio`` the spoken answer of an
    audio model.
    """

    role: str | None = field(as_str)
    content: str | None = field(as_str)
    reasoning: str | None = field(as_str)
    reasoning_details: list[ReasoningDetail] | None = field(many(ReasoningDetail))
    refusal: str | None = field(as_str)
    tool_calls: list[ToolCall] | None = field(many(ToolCall))
    annotations: list[Annotation] | None = field(many(Annotation))
    images: list[ImageOutput] | None = field(many(ImageOutput))
    audio: AudioOutput | None = field(one(AudioOutput))

    def to_message(self) -> Message:
        """This reply as the :class:`~openrouter.Message` to send back on the
        next turn (see :meth:`Message.from_reply`).

        A request's ``messages`` also takes this object itself and calls this
        method: ``messages.append(response.choices[0].message)``.
        """
        return Message.from_reply(self.raw)


class ChatCompletionChoice(_Record):
    """One choice of a non-streamed chat completion.

    ``message`` is always present (empty when the JSON lacks it).
    """

    index: int | None = field(as_int)
    message: ChatCompletionMessage = field(always(ChatCompletionMessage))
    finish_reason: str | None = field(as_str)
    native_finish_reason: str | None = field(as_str)
    logprobs: ChoiceLogprobs | None = field(one(ChoiceLogprobs))
    error: ErrorInfo | None = field(one(ErrorInfo))


class _Body(_Record):
    """The fields a whole response and a legacy completion chunk share; each
    subclass declares its ``choices``."""

    id: str | None = field(as_str)
    object: str | None = field(as_str)
    created: int | None = field(as_int)
    model: str | None = field(as_str)
    provider: str | None = field(as_str)
    system_fingerprint: str | None = field(as_str)
    #: The service tier the upstream provider ran the request on (``"default"``, ``"flex"``...).
    service_tier: str | None = field(as_str)
    #: How OpenRouter routed the request (``requested``, ``strategy``,
    #: ``endpoints``, ``attempts``...), as the object the API sent.
    openrouter_metadata: JSONObject | None = field(as_obj)
    usage: Usage | None = field(one(Usage))
    error: ErrorInfo | None = field(one(ErrorInfo))


class ChatCompletion(_Body):
    """A whole (non-streamed) chat completion, or one assembled from chunks.

    ``error`` is set when a 200 response carries an error object instead of
    (or next to) choices.
    """

    choices: list[ChatCompletionChoice] = field(padded(ChatCompletionChoice))

    def to_message(self, index: int = 0) -> Message:
        """The message of the choice at position ``index``, to send back on the
        next turn (:meth:`ChatCompletionMessage.to_message`); an assistant
        message with ``""`` as content when there is no such choice.

        A request's ``messages`` also takes this object itself, for its
        first choice: ``messages.append(stream.result())``.
        """
        if 0 <= index < len(self.choices):
            return self.choices[index].message.to_message()
        return Message.assistant("")


class ChoiceDelta(_Record):
    """What one streamed chunk adds to a choice's message.

    Text fields are fragments: concatenate them across chunks
    (:class:`~openrouter.ChatCompletionAccumulator` does).
    """

    # The hot path: a delta is built for every streamed chunk and most hold
    # only ``content``, so that one field is read up front and the others
    # from ``raw`` when they are asked for; the lists (built from rare keys)
    # are built once, then kept.

    #: A fragment of the answer's text.
    content: str | None = field(as_str)
    role: Lazy[str | None] = lazy(as_str, doc='``"assistant"``, usually on the first delta only.')
    reasoning: Lazy[str | None] = lazy(as_str, doc="A fragment of the model's reasoning text.")
    refusal: Lazy[str | None] = lazy(as_str, doc="A fragment of a refusal.")
    reasoning_details: Lazy[list[ReasoningDetail] | None] = lazy(
        many(ReasoningDetail),
        keep=True,
        doc="Pieces of reasoning details, tied together by their ``index``.",
    )
    tool_calls: Lazy[list[ToolCall] | None] = lazy(
        many(ToolCall), keep=True, doc="Pieces of tool calls, tied together by their ``index``."
    )
    images: Lazy[list[ImageOutput] | None] = lazy(
        many(ImageOutput),
        keep=True,
        doc="Generated images; each arrives whole, in the delta that carries it.",
    )
    annotations: Lazy[list[Annotation] | None] = lazy(
        many(Annotation),
        keep=True,
        doc="Citations of web sources; OpenRouter sends them in one delta near the end.",
    )
    audio: Lazy[AudioOutput | None] = lazy(
        one(AudioOutput),
        keep=True,
        doc="A piece of spoken output: ``data`` and ``transcript`` are fragments.",
    )


class ChunkChoice(_Record):
    """One choice of a streamed chunk. ``delta`` is always present."""

    # Only ``delta`` is built up front; the other fields are read from
    # ``raw`` when asked for: a stream's consumer and the accumulator each
    # look at a few of them, and most are null on most chunks.

    #: What this chunk adds to the choice's message (empty when the JSON lacks it).
    delta: ChoiceDelta = field(always(ChoiceDelta))
    index: Lazy[int | None] = lazy(
        as_int, doc="The choice's position (``0`` unless the request asked for ``n > 1``)."
    )
    finish_reason: Lazy[str | None] = lazy(
        as_str, doc="Set on the choice's last chunk; compare with :class:`FinishReason`."
    )
    native_finish_reason: Lazy[str | None] = lazy(as_str, doc="The provider's own finish reason.")
    logprobs: Lazy[ChoiceLogprobs | None] = lazy(
        one(ChoiceLogprobs),
        keep=True,
        doc="Log probabilities of this chunk's tokens (asked for with ``logprobs=True``).",
    )
    error: Lazy[ErrorInfo | None] = lazy(
        one(ErrorInfo),
        keep=True,
        doc='The error of an in-band error chunk (``finish_reason == "error"``).',
    )


class ChatCompletionChunk(_Record):
    """One streamed chat completion chunk (``object: "chat.completion.chunk"``).

    ``usage`` is usually set only on the last chunk; ``error`` is set on an
    in-band error chunk (its choice has ``finish_reason == "error"``).
    """

    # The fields that repeat on every chunk (id, model, ...) are read from
    # ``raw`` when asked for: a stream of thousands of chunks rarely looks
    # at them after the first, and building them eagerly was a third of
    # the cost of a chunk.

    choices: list[ChunkChoice] = field(padded(ChunkChoice))
    usage: Usage | None = field(one(Usage))
    error: ErrorInfo | None = field(one(ErrorInfo))
    id: Lazy[str | None] = lazy(
        as_str, doc="The generation ID (``gen-...``), the same on every chunk."
    )
    object: Lazy[str | None] = lazy(as_str, doc='``"chat.completion.chunk"``.')
    created: Lazy[int | None] = lazy(as_int, doc="Unix time of the generation's start.")
    model: Lazy[str | None] = lazy(as_str, doc="The model that answers.")
    provider: Lazy[str | None] = lazy(as_str, doc="The provider that serves the model.")
    system_fingerprint: Lazy[str | None] = lazy(
        as_str, doc="The provider's backend configuration fingerprint, when it sends one."
    )
    service_tier: Lazy[str | None] = lazy(
        as_str, doc="The service tier the upstream provider ran the request on."
    )
    openrouter_metadata: Lazy[JSONObject | None] = lazy(
        as_obj, doc="How OpenRouter routed the request, as the object the API sent."
    )


# -- legacy completions -------------------------------------------------------------


class CompletionChoice(_Record):
    """One choice of a legacy completion or of one of its streamed chunks."""

    index: int | None = field(as_int)
    text: str | None = field(as_str)
    reasoning: str | None = field(as_str)
    finish_reason: str | None = field(as_str)
    native_finish_reason: str | None = field(as_str)
    logprobs: JSONObject | None = field(as_obj)
    error: ErrorInfo | None = field(one(ErrorInfo))


class _CompletionBody(_Body):
    choices: list[CompletionChoice] = field(padded(CompletionChoice))


class Completion(_CompletionBody):
    """A whole legacy completion (``POST /completions``), or one assembled from chunks."""


class CompletionChunk(_CompletionBody):
    """One streamed legacy completion chunk; ``choices[i].text`` is a fragment."""


# -- models and endpoints ------------------------------------------------------------


class _ListView(Generic[T]):
    """Reads a record as the list it holds (``_items()``): ``[i]``, slices
    (a ``list``), ``len()``, iteration and ``reversed()``."""

    __slots__ = ()

    def _items(self) -> list[T]:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: SupportsIndex) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> T | list[T]:
        """The item at ``index`` (``IndexError`` past the end), or a list for a slice."""
        return self._items()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._items())

    def __reversed__(self) -> Iterator[T]:
        return reversed(self._items())

    def __len__(self) -> int:
        return len(self._items())


class ModelArchitecture(_Record):
    """A model's ``architecture``: modalities, tokenizer, instruct format."""

    modality: str | None = field(as_str)
    input_modalities: list[str] | None = field(str_list)
    output_modalities: list[str] | None = field(str_list)
    tokenizer: str | None = field(as_str)
    instruct_type: str | None = field(as_str)


class ModelPricing(_Record):
    """Prices in US dollars per token (per request, per image, ...), as decimal strings.

    Strings keep the API's exact decimal value; convert with
    ``decimal.Decimal(pricing.prompt)`` when doing arithmetic. ``discount`` is
    a number.
    """

    prompt: str | None = field(_price)
    completion: str | None = field(_price)
    request: str | None = field(_price)
    image: str | None = field(_price)
    image_token: str | None = field(_price)
    image_output: str | None = field(_price)
    audio: str | None = field(_price)
    audio_output: str | None = field(_price)
    input_audio_cache: str | None = field(_price)
    web_search: str | None = field(_price)
    internal_reasoning: str | None = field(_price)
    input_cache_read: str | None = field(_price)
    input_cache_write: str | None = field(_price)
    input_cache_write_1h: str | None = field(_price)
    discount: int | float | None = field(as_num)
    #: Conditional prices (long context, time of day...), as the objects the API sent.
    overrides: list[JSONObject] | None = field(obj_list)


class TopProvider(_Record):
    """A model's ``top_provider``: the limits of its best endpoint."""

    context_length: int | None = field(as_int)
    max_completion_tokens: int | None = field(as_int)
    is_moderated: bool | None = field(as_bool)


class ModelReasoning(_Record):
    """A model's ``reasoning``: what its ``reasoning`` request options may say.

    ``supported_efforts`` lists the accepted ``reasoning.effort`` values,
    highest first; ``default_effort`` applies when reasoning is enabled
    without an effort; ``mandatory`` models cannot turn reasoning off;
    ``supports_max_tokens`` is ``True`` when ``reasoning.max_tokens`` is
    accepted.
    """

    default_effort: str | None = field(as_str)
    default_enabled: bool | None = field(as_bool)
    mandatory: bool | None = field(as_bool)
    supported_efforts: list[str] | None = field(str_list)
    supports_max_tokens: bool | None = field(as_bool)


class ModelAliasTarget(_Record):
    """A model's ``alias_target``: the concrete model an alias (``...~latest``) routes to."""

    slug: str | None = field(as_str)
    name: str | None = field(as_str)


class Model(_Record):
    """One entry of ``GET /models``.

    ``knowledge_cutoff`` and ``expiration_date`` are ISO 8601 dates
    (``"2025-01-31"``) or ``None``; ``supported_voices`` is set for
    text-to-speech models; ``benchmarks`` (Artificial Analysis indices,
    Design Arena ratings) and ``links`` (``details``: the URL of the model's
    endpoint list) are kept as the objects the API sent.
    """

    id: str | None = field(as_str)
    canonical_slug: str | None = field(as_str)
    hugging_face_id: str | None = field(as_str)
    name: str | None = field(as_str)
    created: int | None = field(as_int)
    description: str | None = field(as_str)
    context_length: int | None = field(as_int)
    architecture: ModelArchitecture | None = field(one(ModelArchitecture))
    pricing: ModelPricing | None = field(one(ModelPricing))
    top_provider: TopProvider | None = field(one(TopProvider))
    per_request_limits: JSONObject | None = field(as_obj)
    supported_parameters: list[str] | None = field(str_list)
    default_parameters: JSONObject | None = field(as_obj)
    knowledge_cutoff: str | None = field(as_str)
    expiration_date: str | None = field(as_str)
    reasoning: ModelReasoning | None = field(one(ModelReasoning))
    supported_voices: list[str] | None = field(str_list)
    alias_target: ModelAliasTarget | None = field(one(ModelAliasTarget))
    benchmarks: JSONObject | None = field(as_obj)
    links: JSONObject | None = field(as_obj)


class ModelListLinks(_Record):
    """The ``links`` of a model list: ``next``, the relative URL of the next
    page (``"/api/v1/models?offset=500&limit=500"``), ``None`` on the last."""

    next: str | None = field(as_str)


class ModelList(_Record, _ListView[Model]):
    """The body of ``GET /models``: ``{"data": [model, ...]}``, usable as the list of models.

    It reads like the Go slice it stands for: ``models[0]``, ``models[-1]``,
    ``models[:5]`` (a ``list`` of :class:`Model`), ``len(models)``, iteration
    in the API's order, and ``in``, which is true for a :class:`Model` equal
    to an entry and for a model ID (``"openai/gpt-4o" in models``). ``data``
    is the same list; ``raw`` the body. A paged answer (``offset``/``limit``)
    also has ``total_count`` and ``links.next`` (the next page's relative
    URL, ``None`` on the last page). ``from_dict`` also accepts the bare
    list.
    """

    data: list[Model] = field(listed(Model))
    #: How many models match in all, over every page (``None`` when not sent).
    total_count: int | None = field(as_int)
    #: ``links.next`` is the relative URL of the next page, ``None`` on the last.
    links: ModelListLinks | None = field(one(ModelListLinks))

    @classmethod
    def from_dict(cls, d: JSONValue) -> Self:
        """Build from the body or the bare list of models; never raises."""
        if isinstance(d, list):
            d = {"data": d}
        return cls(d if isinstance(d, dict) else {})

    def _items(self) -> list[Model]:
        return self.data

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return any(model.id == item for model in self.data)
        return item in self.data


class Endpoint(_Record):
    """One provider endpoint serving a model (``GET /models/{author}/{slug}/endpoints``).

    ``uptime_*`` are percentages; ``latency_last_30m`` and
    ``throughput_last_30m`` are kept as the percentile objects the API sent.
    """

    name: str | None = field(as_str)
    model_id: str | None = field(as_str)
    model_name: str | None = field(as_str)
    provider_name: str | None = field(as_str)
    tag: str | None = field(as_str)
    quantization: str | None = field(as_str)
    context_length: int | None = field(as_int)
    max_completion_tokens: int | None = field(as_int)
    max_prompt_tokens: int | None = field(as_int)
    pricing: ModelPricing | None = field(one(ModelPricing))
    supported_parameters: list[str] | None = field(str_list)
    status: int | str | None = field(_int_or_str)
    uptime_last_30m: int | float | None = field(as_num)
    uptime_last_5m: int | float | None = field(as_num)
    uptime_last_1d: int | float | None = field(as_num)
    supports_implicit_caching: bool | None = field(as_bool)
    supports_voice_cloning: bool | None = field(as_bool)
    latency_last_30m: JSONObject | None = field(as_obj)
    throughput_last_30m: JSONObject | None = field(as_obj)


class ModelEndpoints(_Record, _ListView[Endpoint], envelope=True):
    """A model and the endpoints serving it (``list_endpoints(author, slug)``).

    Iterating gives the :class:`Endpoint` objects of ``endpoints``;
    ``len()`` counts them and ``[i]`` (or a slice) indexes them.
    """

    id: str | None = field(as_str)
    name: str | None = field(as_str)
    created: int | None = field(as_int)
    description: str | None = field(as_str)
    architecture: ModelArchitecture | None = field(one(ModelArchitecture))
    endpoints: list[Endpoint] = field(listed(Endpoint))

    def _items(self) -> list[Endpoint]:
        return self.endpoints


# -- account ----------------------------------------------------------------------------


class Credits(_Record, envelope=True):
    """``GET /credits``: credits bought and used, in US dollars."""

    total_credits: int | float | None = field(as_num)
    total_usage: int | float | None = field(as_num)

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

    id: str | None = field(as_str)
    endpoint_id: str | None = field(as_str)
    model_permaslug: str | None = field(as_str)
    provider_name: str | None = field(as_str)
    status: int | None = field(as_int)
    latency: int | float | None = field(as_num)
    is_byok: bool | None = field(as_bool)
    routed_service_tier: str | None = field(as_str)


class Generation(_Record, envelope=True):
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

    id: str | None = field(as_str)
    upstream_id: str | None = field(as_str)
    request_id: str | None = field(as_str)
    session_id: str | None = field(as_str)
    model: str | None = field(as_str)
    provider_name: str | None = field(as_str)
    router: str | None = field(as_str)
    service_tier: str | None = field(as_str)
    api_type: str | None = field(as_str)
    origin: str | None = field(as_str)
    http_referer: str | None = field(as_str)
    user_agent: str | None = field(as_str)
    external_user: str | None = field(as_str)
    created_at: str | None = field(as_str)
    app_id: int | None = field(as_int)
    preset_id: str | None = field(as_str)
    workspace_id: str | None = field(as_str)
    data_region: str | None = field(as_str)
    total_cost: int | float | None = field(as_num)
    usage: int | float | None = field(as_num)
    cache_discount: int | float | None = field(as_num)
    upstream_inference_cost: int | float | None = field(as_num)
    is_byok: bool | None = field(as_bool)
    streamed: bool | None = field(as_bool)
    cancelled: bool | None = field(as_bool)
    latency: int | float | None = field(as_num)
    moderation_latency: int | float | None = field(as_num)
    generation_time: int | float | None = field(as_num)
    finish_reason: str | None = field(as_str)
    native_finish_reason: str | None = field(as_str)
    tokens_prompt: int | None = field(as_int)
    tokens_completion: int | None = field(as_int)
    native_tokens_prompt: int | None = field(as_int)
    native_tokens_completion: int | None = field(as_int)
    native_tokens_completion_images: int | None = field(as_int)
    native_tokens_reasoning: int | None = field(as_int)
    native_tokens_cached: int | None = field(as_int)
    num_media_prompt: int | None = field(as_int)
    num_input_audio_prompt: int | None = field(as_int)
    num_media_completion: int | None = field(as_int)
    num_search_results: int | None = field(as_int)
    num_fetches: int | None = field(as_int)
    web_search_engine: str | None = field(as_str)
    response_cache_source_id: str | None = field(as_str)
    provider_responses: list[ProviderResponse] | None = field(many(ProviderResponse))


def _count(v: object) -> int | None:
    """A count: an integer (as :func:`as_int` reads it) or a string of ASCII digits (a header)."""
    if type(v) is str:
        return int(v) if v.isascii() and v.isdigit() else None
    return as_int(v)


#: The prefix of the rate-limit response headers.
_RATE_LIMIT_PREFIX = "x-ratelimit-"


class RateLimit(_Record):
    """A rate limit, read from either place OpenRouter states one.

    * :attr:`KeyInfo.rate_limit` (``GET /key``): ``requests`` per
      ``interval`` (``"10s"``); the other fields are ``None``.
    * The ``X-RateLimit-*`` headers of a response (:meth:`from_headers`,
      ``stream.rate_limit``): ``limit`` (requests allowed in the window),
      ``remaining`` and ``reset`` (when the window resets, as the header
      says: Unix time in milliseconds); ``raw`` holds every
      ``X-RateLimit-*`` header, names lowercased without the prefix,
      values as sent.

    A count that is not a non-negative integer (or a string of ASCII digits)
    reads as ``None``.
    """

    requests: int | None = field(_count)
    interval: str | None = field(as_str)
    limit: int | None = field(_count)
    remaining: int | None = field(_count)
    reset: int | None = field(_count)

    @classmethod
    def from_headers(cls, headers: Iterable[tuple[str, str]]) -> Self | None:
        """The rate limit the ``X-RateLimit-*`` headers state (any case), or
        ``None`` when there is none; the first of repeated headers counts."""
        found: JSONObject = {}
        for name, value in headers:
            key = name.lower()
            if key.startswith(_RATE_LIMIT_PREFIX):
                found.setdefault(key[len(_RATE_LIMIT_PREFIX) :], value)
        return cls(found) if found else None


class _KeyFields(_Record):
    """The limit and spend fields every key record has (US dollars)."""

    label: str | None = field(as_str)
    limit: int | float | None = field(as_num)
    limit_remaining: int | float | None = field(as_num)
    limit_reset: str | None = field(as_str)
    include_byok_in_limit: bool | None = field(as_bool)
    usage: int | float | None = field(as_num)
    usage_daily: int | float | None = field(as_num)
    usage_weekly: int | float | None = field(as_num)
    usage_monthly: int | float | None = field(as_num)
    byok_usage: int | float | None = field(as_num)
    byok_usage_daily: int | float | None = field(as_num)
    byok_usage_weekly: int | float | None = field(as_num)
    byok_usage_monthly: int | float | None = field(as_num)
    expires_at: str | None = field(as_str)
    creator_user_id: str | None = field(as_str)


class KeyInfo(_KeyFields, envelope=True):
    """``GET /key``: the calling API key's label, limits and spend (US dollars).

    ``limit`` and ``limit_remaining`` are ``None`` for a key without a limit.
    ``label`` is the API's own truncated form of the key, never the key.
    """

    is_free_tier: bool | None = field(as_bool)
    is_provisioning_key: bool | None = field(as_bool)
    is_management_key: bool | None = field(as_bool)
    rate_limit: RateLimit | None = field(one(RateLimit))
