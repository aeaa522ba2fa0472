"""Request bodies for the OpenRouter API, as immutable values with an exact wire form.

Every request object here is a frozen, slotted dataclass whose ``to_dict()``
returns the JSON object to send: the client encodes it with
``json.dumps(request.to_dict(), separators=(",", ":"))``. The rules are the
same for every class:

* A field left at ``None`` is omitted from the JSON, so the server applies its
  own default. Field names are the JSON member names, in the order written.
* Values the server enumerates (roles, reasoning efforts, sort orders,
  quantizations...) are plain strings. The ``Literal`` aliases and constants
  below name the values known today; any other string is sent unchanged,
  because OpenRouter adds values faster than a client library can follow.
* What a caller obviously got wrong (an empty model, a string where a list
  belongs, a ``bool`` where a number belongs, a NaN that JSON cannot carry)
  raises ``TypeError`` or ``ValueError`` when the object is created, never at
  send time. Ranges (``temperature`` in [0, 2] and the like) are left to the
  server, which knows each model's limits.
* ``extra``: a mapping of members this library does not model yet. It is
  merged into the object's JSON last, so a key in ``extra`` replaces a field of
  the same name. Raw ``Mapping`` values are accepted wherever a typed helper
  exists (messages, content parts, tools, plugins, provider options), for the
  same reason.
* Sequences are stored as tuples and mappings as ``dict`` copies, so a request
  does not change when the caller later mutates the list it passed in.

Correspondence with gopenrouter (github.com/bkovacki/gopenrouter), whose
request types this module covers field for field:

=============================  ==========================================
Go                             Python
=============================  ==========================================
``ChatCompletionRequest``      :class:`ChatCompletionRequest`
``CompletionRequest``          :class:`CompletionRequest`
``ChatMessage``                :class:`Message`
``ProviderOptions``            :class:`ProviderOptions`
``MaxPrice``                   :class:`MaxPrice`
``ExperimentalOptions``        ``ProviderOptions.force_chat_completions``
``ReasoningOptions``           :class:`ReasoningOptions`
``UsageOptions``               :class:`UsageOptions`
``Effort``, ``Effort*``        :data:`ReasoningEffort`, ``EFFORT_*``
``Quantization*``              :data:`Quantization`, ``QUANTIZATION_*``
``ListModels``                 :class:`ModelsQuery` (query string)
``ListEndpoints``              :func:`endpoints_path`
=============================  ==========================================

Two gopenrouter bugs are fixed here: ``UsageOptions`` serialises as
``{"include": true}`` (Go sends ``{"usage": true}``, which the server
ignores), and the low reasoning effort is ``"low"`` (Go sends ``"Low"``).
"""

from __future__ import annotations

import base64
import contextvars
import dataclasses
import math
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, fields
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, runtime_checkable
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "DATA_COLLECTION_ALLOW",
    "DATA_COLLECTION_DENY",
    "EFFORT_HIGH",
    "EFFORT_LOW",
    "EFFORT_MAX",
    "EFFORT_MEDIUM",
    "EFFORT_MINIMAL",
    "EFFORT_NONE",
    "EFFORT_XHIGH",
    "QUANTIZATION_BF16",
    "QUANTIZATION_FP4",
    "QUANTIZATION_FP6",
    "QUANTIZATION_FP8",
    "QUANTIZATION_FP16",
    "QUANTIZATION_FP32",
    "QUANTIZATION_INT4",
    "QUANTIZATION_INT8",
    "QUANTIZATION_UNKNOWN",
    "SORT_LATENCY",
    "SORT_PRICE",
    "SORT_THROUGHPUT",
    "CacheControl",
    "ChatCompletionRequest",
    "CompletionRequest",
    "ContentPart",
    "DataCollection",
    "DebugOptions",
    "FilePart",
    "ImageDetail",
    "ImageUrlPart",
    "InputAudioPart",
    "JsonSchema",
    "MaxPrice",
    "Message",
    "Modality",
    "ModelCategory",
    "ModelSort",
    "ModelsQuery",
    "NamedToolChoice",
    "Percentiles",
    "Plugin",
    "Prediction",
    "ProviderOptions",
    "ProviderSort",
    "ProviderSortBy",
    "Quantization",
    "ReasoningEffort",
    "ReasoningOptions",
    "ReasoningSummary",
    "ResponseFormat",
    "Role",
    "ServerTool",
    "ServerToolType",
    "ServiceTier",
    "StreamOptions",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolChoice",
    "ToolChoiceMode",
    "TraceOptions",
    "UsageOptions",
    "VideoUrlPart",
    "endpoints_path",
]

# --------------------------------------------------------------------------
# Enumerated values: the ones known today. Fields typed with these aliases
# accept any other string as well.

#: Who wrote a message.
Role = Literal["system", "developer", "user", "assistant", "tool"]

#: How hard a reasoning model thinks (``reasoning.effort``). A model accepts
#: the values its :attr:`~openrouter.ModelReasoning.supported_efforts` lists.
ReasoningEffort = Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"]

#: How detailed a reasoning summary is (``reasoning.summary``).
ReasoningSummary = Literal["auto", "concise", "detailed"]

#: Output modalities a request may ask for (``modalities``).
Modality = Literal["text", "image", "audio"]

#: Service tiers a request may ask for (``service_tier``); ``"fast"`` is the
#: API's alias of ``"priority"``.
ServiceTier = Literal["auto", "default", "fast", "flex", "priority", "scale"]

#: OpenRouter's server tools: tools OpenRouter runs itself when the model calls them.
ServerToolType = Literal[
    "openrouter:web_search",
    "openrouter:web_fetch",
    "openrouter:datetime",
    "openrouter:image_generation",
    "openrouter:advisor",
    "openrouter:bash",
    "openrouter:files",
    "openrouter:fusion",
    "openrouter:subagent",
    "openrouter:experimental__search_models",
]

#: Whether providers that may store prompts are allowed (``provider.data_collection``).
DataCollection = Literal["allow", "deny"]

#: How OpenRouter ranks providers (``provider.sort`` or ``provider.sort.by``).
ProviderSortBy = Literal["price", "throughput", "latency"]

#: Precision of a provider's model weights (``provider.quantizations``).
Quantization = Literal["int4", "int8", "fp4", "fp6", "fp8", "fp16", "bf16", "fp32", "unknown"]

#: The string forms of ``tool_choice``.
ToolChoiceMode = Literal["none", "auto", "required"]

#: Resolution hint of an image part.
ImageDetail = Literal["auto", "low", "high"]

#: Categories accepted by ``GET /models?category=``.
ModelCategory = Literal[
    "programming",
    "roleplay",
    "marketing",
    "marketing/seo",
    "technology",
    "science",
    "translation",
    "legal",
    "finance",
    "health",
    "trivia",
    "academia",
]

EFFORT_MAX: Final = "max"
EFFORT_XHIGH: Final = "xhigh"
EFFORT_HIGH: Final = "high"
EFFORT_MEDIUM: Final = "medium"
# gopenrouter spells this "Low"; the API's value is lowercase.
EFFORT_LOW: Final = "low"
EFFORT_MINIMAL: Final = "minimal"
EFFORT_NONE: Final = "none"

QUANTIZATION_INT4: Final = "int4"
QUANTIZATION_INT8: Final = "int8"
QUANTIZATION_FP4: Final = "fp4"
QUANTIZATION_FP6: Final = "fp6"
QUANTIZATION_FP8: Final = "fp8"
QUANTIZATION_FP16: Final = "fp16"
QUANTIZATION_BF16: Final = "bf16"
QUANTIZATION_FP32: Final = "fp32"
QUANTIZATION_UNKNOWN: Final = "unknown"

DATA_COLLECTION_ALLOW: Final = "allow"
DATA_COLLECTION_DENY: Final = "deny"

SORT_PRICE: Final = "price"
SORT_THROUGHPUT: Final = "throughput"
SORT_LATENCY: Final = "latency"


# --------------------------------------------------------------------------
# Shared machinery.


class _Wire:
    """Base of every value with a JSON form; ``to_dict()`` gives that form."""

    __slots__ = ()

    def to_dict(self) -> dict[str, object]:
        """Return the JSON object for the wire: a fresh ``dict`` on each call."""
        raise NotImplementedError


def _to_json(value: object) -> object:
    """Turn a field value into plain JSON data (dicts, lists, scalars)."""
    if isinstance(value, _Wire):
        return value.to_dict()
    if isinstance(value, Mapping):
        return _mapping_to_json(value)
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    return value


def _mapping_to_json(mapping: Mapping[str, object]) -> dict[str, object]:
    return {key: _to_json(item) for key, item in mapping.items()}


def _fields_to_dict(
    obj: DataclassInstance, skip: tuple[str, ...] = (), *, merge_extra: bool = True
) -> dict[str, object]:
    """Every non-``None`` dataclass field by name, in order, then ``extra`` merged last.

    ``extra`` goes last so that its keys replace fields of the same name.
    """
    out: dict[str, object] = {}
    for field in fields(obj):
        if field.name == "extra" or field.name in skip:
            continue
        value = getattr(obj, field.name)
        if value is not None:
            out[field.name] = _to_json(value)
    if merge_extra:
        _merge_extra(out, getattr(obj, "extra", None))
    return out


def _merge_extra(out: dict[str, object], extra: Mapping[str, object] | None) -> None:
    if extra:
        out.update(_mapping_to_json(extra))


def _set(obj: object, name: str, value: object) -> None:
    # Normalisation inside __post_init__ of a frozen dataclass.
    object.__setattr__(obj, name, value)


def _type_name(value: object) -> str:
    return type(value).__name__


def _check_str(name: str, value: object) -> None:
    """An optional str: ``None`` or any string."""
    if value is not None:
        _require_str(name, value)


def _require_str(name: str, value: object, *, empty_ok: bool = True) -> None:
    """A required str; ``empty_ok=False`` also refuses ``""``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_type_name(value)}")
    if not empty_ok and not value:
        raise ValueError(f"{name} must not be empty")


def _check_int(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {_type_name(value)}")


def _check_number(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {_type_name(value)}")
    if not math.isfinite(value):
        # json.dumps would write NaN or Infinity, which is not JSON.
        raise ValueError(f"{name} must be a finite number, got {value!r}")


def _check_bool(name: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {_type_name(value)}")


def _check_mapping(name: str, value: object) -> dict[str, object] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping, got {_type_name(value)}")
    return dict(value)


def _as_tuple(name: str, value: object) -> tuple[object, ...] | None:
    if value is None:
        return None
    # A str is a Sequence of str: ["a", "b"] written as "ab" would otherwise
    # pass as two one-letter items.
    if isinstance(value, str | bytes | bytearray) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list, got {_type_name(value)}")
    return tuple(value)


def _str_tuple(name: str, value: object) -> tuple[str, ...] | None:
    items = _as_tuple(name, value)
    if items is None:
        return None
    strings: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold str items, got {_type_name(item)}")
        strings.append(item)
    return tuple(strings)


def _typed_tuple(
    name: str, value: object, allowed: tuple[type, ...], what: str
) -> tuple[object, ...] | None:
    items = _as_tuple(name, value)
    if items is None:
        return None
    for item in items:
        if not isinstance(item, allowed):
            raise TypeError(f"{name} must hold {what}, got {_type_name(item)}")
    return items


def _mapping_tuple(name: str, value: object) -> tuple[dict[str, object], ...] | None:
    """A list of JSON objects, each copied into a ``dict``."""
    items = _as_tuple(name, value)
    if items is None:
        return None
    copies: list[dict[str, object]] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise TypeError(f"{name} must hold mappings, got {_type_name(item)}")
        copies.append(dict(item))
    return tuple(copies)


def _check_instance(name: str, value: object, allowed: tuple[type, ...], what: str) -> None:
    if value is not None and not isinstance(value, allowed):
        raise TypeError(f"{name} must be {what}, got {_type_name(value)}")


# --------------------------------------------------------------------------
# Message content.


@dataclass(frozen=True, slots=True)
class CacheControl(_Wire):
    """A prompt-caching breakpoint on a text part: ``{"type": "ephemeral"}``.

    ``ttl`` (for example ``"1h"``) is sent only when set; providers that
    support it keep the cache entry that long instead of their default.
    """

    type: str = "ephemeral"
    _: KW_ONLY
    ttl: str | None = None

    def __post_init__(self) -> None:
        _require_str("CacheControl.type", self.type, empty_ok=False)
        _check_str("CacheControl.ttl", self.ttl)

    def to_dict(self) -> dict[str, object]:
        """``{"type": ..., "ttl": ...}`` with ``ttl`` omitted when unset."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True)
class TextPart(_Wire):
    """A text content part, optionally a prompt-caching breakpoint."""

    text: str
    _: KW_ONLY
    cache_control: CacheControl | None = None

    def __post_init__(self) -> None:
        _require_str("TextPart.text", self.text)
        _check_instance(
            "TextPart.cache_control", self.cache_control, (CacheControl,), "a CacheControl"
        )

    def to_dict(self) -> dict[str, object]:
        """``{"type": "text", "text": ..., "cache_control": ...}``."""
        return {"type": "text", **_fields_to_dict(self)}


@dataclass(frozen=True, slots=True)
class ImageUrlPart(_Wire):
    """An image, by URL or ``data:`` URL (see :meth:`from_bytes`)."""

    url: str
    _: KW_ONLY
    detail: ImageDetail | str | None = None

    def __post_init__(self) -> None:
        _require_str("ImageUrlPart.url", self.url, empty_ok=False)
        _check_str("ImageUrlPart.detail", self.detail)

    @classmethod
    def from_bytes(
        cls, data: bytes, media_type: str, *, detail: ImageDetail | str | None = None
    ) -> ImageUrlPart:
        """An image part carrying ``data`` inline as a base64 ``data:`` URL."""
        encoded = base64.b64encode(data).decode("ascii")
        return cls(f"data:{media_type};base64,{encoded}", detail=detail)

    def to_dict(self) -> dict[str, object]:
        """``{"type": "image_url", "image_url": {"url": ..., "detail": ...}}``."""
        return {"type": "image_url", "image_url": _fields_to_dict(self)}


@dataclass(frozen=True, slots=True)
class FilePart(_Wire):
    """A file (a PDF, for instance); ``file_data`` is a URL or a base64 ``data:`` URL."""

    filename: str
    file_data: str

    def __post_init__(self) -> None:
        _require_str("FilePart.filename", self.filename)
        _require_str("FilePart.file_data", self.file_data, empty_ok=False)

    @classmethod
    def from_bytes(
        cls, filename: str, data: bytes, media_type: str = "application/pdf"
    ) -> FilePart:
        """A file part carrying ``data`` inline as a base64 ``data:`` URL."""
        encoded = base64.b64encode(data).decode("ascii")
        return cls(filename, f"data:{media_type};base64,{encoded}")

    def to_dict(self) -> dict[str, object]:
        """``{"type": "file", "file": {"filename": ..., "file_data": ...}}``."""
        return {"type": "file", "file": _fields_to_dict(self)}


@dataclass(frozen=True, slots=True)
class InputAudioPart(_Wire):
    """Audio input: base64 ``data`` (no ``data:`` prefix) and its ``format`` (``"wav"``...)."""

    data: str
    format: str

    def __post_init__(self) -> None:
        _require_str("InputAudioPart.data", self.data, empty_ok=False)
        _require_str("InputAudioPart.format", self.format, empty_ok=False)

    def to_dict(self) -> dict[str, object]:
        """``{"type": "input_audio", "input_audio": {"data": ..., "format": ...}}``."""
        return {"type": "input_audio", "input_audio": _fields_to_dict(self)}


@dataclass(frozen=True, slots=True)
class VideoUrlPart(_Wire):
    """A video, by URL (a YouTube link for some models) or base64 ``data:`` URL."""

    url: str

    def __post_init__(self) -> None:
        _require_str("VideoUrlPart.url", self.url, empty_ok=False)

    @classmethod
    def from_bytes(cls, data: bytes, media_type: str = "video/mp4") -> VideoUrlPart:
        """A video part carrying ``data`` inline as a base64 ``data:`` URL."""
        encoded = base64.b64encode(data).decode("ascii")
        return cls(f"data:{media_type};base64,{encoded}")

    def to_dict(self) -> dict[str, object]:
        """``{"type": "video_url", "video_url": {"url": ...}}``."""
        return {"type": "video_url", "video_url": {"url": self.url}}


#: One element of a multimodal message content list. A raw mapping is sent as
#: written, for part types this library does not model.
ContentPart = (
    TextPart | ImageUrlPart | FilePart | InputAudioPart | VideoUrlPart | Mapping[str, object]
)

_PART_TYPES: Final = (TextPart, ImageUrlPart, FilePart, InputAudioPart, VideoUrlPart, Mapping)


# --------------------------------------------------------------------------
# Tools.


@dataclass(frozen=True, slots=True)
class Tool(_Wire):
    """A function the model may call; ``parameters`` is a JSON Schema object."""

    name: str
    _: KW_ONLY
    description: str | None = None
    parameters: Mapping[str, object] | None = None
    strict: bool | None = None

    def __post_init__(self) -> None:
        _require_str("Tool.name", self.name, empty_ok=False)
        _check_str("Tool.description", self.description)
        _set(self, "parameters", _check_mapping("Tool.parameters", self.parameters))
        _check_bool("Tool.strict", self.strict)

    def to_dict(self) -> dict[str, object]:
        """``{"type": "function", "function": {"name", "description", "parameters", "strict"}}``."""
        return {"type": "function", "function": _fields_to_dict(self)}


def _options(**options: object) -> dict[str, object]:
    """The keyword arguments that are not ``None``, in the order given."""
    return {name: value for name, value in options.items() if value is not None}


def _check_options(owner: str, **options: object) -> None:
    """Type-check the keyword options of a plugin or server-tool constructor by name.

    Lists of domains and models must be lists of str, counts ints, flags
    bools; anything else is a str.
    """
    for name, value in options.items():
        label = f"{owner}.{name}"
        if name.endswith(("domains", "models")):
            _str_tuple(label, value)
        elif name.startswith(("max_", "num_")):
            _check_int(label, value)
        elif name in _BOOL_OPTIONS:
            _check_bool(label, value)
        elif name in _MAPPING_OPTIONS:
            _check_mapping(label, value)
        else:
            _check_str(label, value)


_BOOL_OPTIONS: Final = frozenset({"enabled", "pin_model"})
_MAPPING_OPTIONS: Final = frozenset({"user_location", "pdf"})


def _listed(options: dict[str, object]) -> dict[str, object]:
    # Sequences become lists so that the options compare equal to the
    # decoded JSON and serialise as arrays.
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}


@dataclass(frozen=True, slots=True)
class ServerTool(_Wire):
    """An OpenRouter server tool in ``tools``: ``{"type": "openrouter:...", "parameters": {...}}``.

    OpenRouter runs these tools itself whenever the model calls them (zero or
    more times per request) and feeds the results back to the model; the
    response carries the final answer. :meth:`web_search`, :meth:`web_fetch`,
    :meth:`datetime` and :meth:`image_generation` build the common ones;
    ``ServerTool("openrouter:bash", parameters={...})`` sends any other
    (:data:`ServerToolType` lists the documented types). Raises ``TypeError``
    for a wrongly typed argument and ``ValueError`` for an empty ``type``.
    """

    type: ServerToolType | str
    _: KW_ONLY
    parameters: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _require_str("ServerTool.type", self.type, empty_ok=False)
        _set(self, "parameters", _check_mapping("ServerTool.parameters", self.parameters))

    @classmethod
    def web_search(
        cls,
        *,
        engine: str | None = None,
        max_results: int | None = None,
        max_total_results: int | None = None,
        max_uses: int | None = None,
        max_characters: int | None = None,
        allowed_domains: Sequence[str] | None = None,
        excluded_domains: Sequence[str] | None = None,
        search_context_size: str | None = None,
        mode: str | None = None,
        user_location: Mapping[str, object] | None = None,
    ) -> ServerTool:
        """``openrouter:web_search``: the model searches the web when it decides to.

        ``engine`` is ``"auto"``, ``"native"``, ``"exa"``, ``"firecrawl"``,
        ``"parallel"``...; ``max_results`` bounds one search,
        ``max_total_results`` all of them, ``max_uses`` the number of
        searches; ``search_context_size`` is ``"low"``, ``"medium"`` or
        ``"high"``; ``user_location`` is ``{"type": "approximate", "city":
        ..., "country": ...}``. Unset options are omitted.
        """
        options = _options(
            engine=engine,
            max_results=max_results,
            max_total_results=max_total_results,
            max_uses=max_uses,
            max_characters=max_characters,
            allowed_domains=allowed_domains,
            excluded_domains=excluded_domains,
            search_context_size=search_context_size,
            mode=mode,
            user_location=user_location,
        )
        _check_options("ServerTool.web_search", **options)
        return cls("openrouter:web_search", parameters=_listed(options) or None)

    @classmethod
    def web_fetch(
        cls,
        *,
        engine: str | None = None,
        max_uses: int | None = None,
        max_content_tokens: int | None = None,
        allowed_domains: Sequence[str] | None = None,
        blocked_domains: Sequence[str] | None = None,
    ) -> ServerTool:
        """``openrouter:web_fetch``: the model reads the pages at URLs it chooses."""
        options = _options(
            engine=engine,
            max_uses=max_uses,
            max_content_tokens=max_content_tokens,
            allowed_domains=allowed_domains,
            blocked_domains=blocked_domains,
        )
        _check_options("ServerTool.web_fetch", **options)
        return cls("openrouter:web_fetch", parameters=_listed(options) or None)

    @classmethod
    def datetime(cls, *, timezone: str | None = None) -> ServerTool:
        """``openrouter:datetime``: the current date and time (``timezone``: IANA name; UTC)."""
        _check_str("ServerTool.datetime.timezone", timezone)
        return cls("openrouter:datetime", parameters=_options(timezone=timezone) or None)

    @classmethod
    def image_generation(
        cls, *, model: str | None = None, options: Mapping[str, object] | None = None
    ) -> ServerTool:
        """``openrouter:image_generation``: the model draws with an image model.

        ``options`` holds image settings (``aspect_ratio``, ``quality``,
        ``size``...), sent beside ``model``.
        """
        _check_str("ServerTool.image_generation.model", model)
        parameters = {**_options(model=model), **(_check_mapping("options", options) or {})}
        return cls("openrouter:image_generation", parameters=parameters or None)

    def to_dict(self) -> dict[str, object]:
        """``{"type": ..., "parameters": ...}`` with ``parameters`` omitted when unset."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True)
class ToolCall(_Wire):
    """A call the model made, echoed back in an assistant message.

    ``arguments`` is the JSON text the model produced, passed back verbatim.
    """

    id: str
    name: str
    arguments: str

    def __post_init__(self) -> None:
        _require_str("ToolCall.id", self.id, empty_ok=False)
        _require_str("ToolCall.name", self.name, empty_ok=False)
        if not isinstance(self.arguments, str):
            raise TypeError(
                "ToolCall.arguments must be the JSON text of the arguments (a str), "
                f"got {_type_name(self.arguments)}; encode it with json.dumps"
            )

    def to_dict(self) -> dict[str, object]:
        """``{"id": ..., "type": "function", "function": {"name": ..., "arguments": ...}}``."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(frozen=True, slots=True)
class NamedToolChoice(_Wire):
    """``tool_choice`` forcing one function: ``{"type": "function", "function": {"name": ...}}``."""

    name: str

    def __post_init__(self) -> None:
        _require_str("NamedToolChoice.name", self.name, empty_ok=False)

    def to_dict(self) -> dict[str, object]:
        """The JSON object naming the function."""
        return {"type": "function", "function": {"name": self.name}}


#: ``"none"``, ``"auto"``, ``"required"`` (or a newer string), one named
#: function, or a raw mapping.
ToolChoice = ToolChoiceMode | str | NamedToolChoice | Mapping[str, object]


# --------------------------------------------------------------------------
# Messages.

_CONTENT_REQUIRED: Final = frozenset({"system", "developer", "user", "tool"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(_Wire):
    """One message of a conversation.

    Prefer the constructors :meth:`system`, :meth:`developer`, :meth:`user`,
    :meth:`assistant` and :meth:`tool`. ``content`` is a string, a list of
    :data:`ContentPart`, or ``None`` (sent as ``null``; only an assistant
    message that carries ``tool_calls`` may leave it out).

    An assistant message sent back as history may carry what the model
    produced beside its content, so that the next turn continues from it:
    ``reasoning`` (text), ``reasoning_details`` (the entries exactly as the
    response had them; encrypted and signed entries only work unchanged),
    ``images`` (``{"type": "image_url", "image_url": {"url": ...}}``
    objects), ``audio`` (``{"id": ...}`` of an earlier spoken answer) and
    ``refusal``.

    Raises ``TypeError`` for a wrongly typed field and ``ValueError`` for an
    empty role, for missing content on a system, developer, user or tool
    message, and for an assistant message with neither content nor anything
    else the model produced (tool calls, reasoning details, images, audio or
    a refusal).
    """

    role: Role | str
    content: str | Sequence[ContentPart] | None
    name: str | None = None
    tool_calls: Sequence[ToolCall | Mapping[str, object]] | None = None
    tool_call_id: str | None = None
    reasoning: str | None = None
    reasoning_details: Sequence[Mapping[str, object]] | None = None
    images: Sequence[Mapping[str, object]] | None = None
    audio: Mapping[str, object] | None = None
    refusal: str | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _require_str("Message.role", self.role, empty_ok=False)
        if self.content is not None and not isinstance(self.content, str):
            parts = _typed_tuple(
                "Message.content", self.content, _PART_TYPES, "str or a list of content parts"
            )
            _set(self, "content", parts)
        _check_str("Message.name", self.name)
        tool_calls = _typed_tuple(
            "Message.tool_calls", self.tool_calls, (ToolCall, Mapping), "ToolCall items"
        )
        _set(self, "tool_calls", tool_calls)
        _check_str("Message.tool_call_id", self.tool_call_id)
        _check_str("Message.reasoning", self.reasoning)
        for name in ("reasoning_details", "images"):
            _set(self, name, _mapping_tuple(f"Message.{name}", getattr(self, name)))
        _set(self, "audio", _check_mapping("Message.audio", self.audio))
        _check_str("Message.refusal", self.refusal)
        _set(self, "extra", _check_mapping("Message.extra", self.extra))
        if self.content is None:
            if self.role in _CONTENT_REQUIRED:
                raise ValueError(f"a {self.role} message needs content")
            produced = (self.tool_calls, self.reasoning_details, self.images, self.audio)
            if self.role == "assistant" and not any(produced) and self.refusal is None:
                raise ValueError("an assistant message needs content or tool_calls")

    @classmethod
    def system(cls, content: str | Sequence[ContentPart], *, name: str | None = None) -> Message:
        """A system message."""
        return cls(role="system", content=content, name=name)

    @classmethod
    def developer(cls, content: str | Sequence[ContentPart], *, name: str | None = None) -> Message:
        """A developer message (the newer name some models give system instructions)."""
        return cls(role="developer", content=content, name=name)

    @classmethod
    def user(cls, content: str | Sequence[ContentPart], *, name: str | None = None) -> Message:
        """A user message: text, or a list of text, image, file and audio parts."""
        return cls(role="user", content=content, name=name)

    @classmethod
    def assistant(
        cls,
        content: str | Sequence[ContentPart] | None = None,
        *,
        tool_calls: Sequence[ToolCall | Mapping[str, object]] | None = None,
        name: str | None = None,
        reasoning: str | None = None,
        reasoning_details: Sequence[Mapping[str, object]] | None = None,
        images: Sequence[Mapping[str, object]] | None = None,
        audio: Mapping[str, object] | None = None,
        refusal: str | None = None,
    ) -> Message:
        """An assistant message: earlier model output, or a prefill to continue from."""
        return cls(
            role="assistant",
            content=content,
            tool_calls=tool_calls,
            name=name,
            reasoning=reasoning,
            reasoning_details=reasoning_details,
            images=images,
            audio=audio,
            refusal=refusal,
        )

    @classmethod
    def tool(
        cls,
        tool_call_id: str,
        content: str | Sequence[ContentPart],
        *,
        name: str | None = None,
    ) -> Message:
        """The result of the tool call ``tool_call_id``."""
        _require_str("Message.tool_call_id", tool_call_id, empty_ok=False)
        return cls(role="tool", content=content, tool_call_id=tool_call_id, name=name)

    @classmethod
    def from_reply(cls, message: Mapping[str, Any]) -> Message:
        """The message to send back for a reply's message (the JSON object of
        ``choices[i].message``), as the next turn's history.

        Kept: ``role`` (``"assistant"`` when missing), ``content``,
        ``tool_calls`` (without a streamed ``index``), ``refusal``,
        ``reasoning_details`` (each entry unchanged: encrypted and signed
        entries only work as they came) and ``audio`` as ``{"id": ...}``.
        ``content`` is ``None`` (sent as ``null``) when the reply has tool
        calls and no text, and ``""`` when it has neither. Left out: what
        the API does not take back or needs only once (``reasoning`` text,
        ``annotations``, ``images``, empty lists). Raises ``TypeError`` when
        ``message`` is not a mapping.
        """
        if not isinstance(message, Mapping):
            raise TypeError(f"message must be a mapping, got {_type_name(message)}")
        role = message.get("role")
        content = message.get("content")
        calls = message.get("tool_calls")
        tool_calls = None
        if isinstance(calls, list) and calls:
            tool_calls = [
                {k: v for k, v in call.items() if k != "index"}
                for call in calls
                if isinstance(call, Mapping)
            ]
        if not isinstance(content, str) or not content:
            content = None if tool_calls else ""
        refusal = message.get("refusal")
        details = message.get("reasoning_details")
        if isinstance(details, list):
            details = [entry for entry in details if isinstance(entry, Mapping)]
        audio = message.get("audio")
        audio_id = audio.get("id") if isinstance(audio, Mapping) else None
        return cls(
            role=role if isinstance(role, str) and role else "assistant",
            content=content,
            tool_calls=tool_calls or None,
            refusal=refusal if isinstance(refusal, str) and refusal else None,
            reasoning_details=details if isinstance(details, list) and details else None,
            audio={"id": audio_id} if isinstance(audio_id, str) and audio_id else None,
        )

    def to_dict(self) -> dict[str, object]:
        """``role`` and ``content`` always (``content`` may be ``null``), then set fields."""
        out: dict[str, object] = {"role": self.role, "content": _to_json(self.content)}
        out.update(_fields_to_dict(self, skip=("role", "content")))
        return out


@runtime_checkable
class _Reply(Protocol):
    """A reply that gives its history message: ``ChatCompletionMessage``,
    ``ChatCompletion``, ``ChatCompletionAccumulator``."""

    def to_message(self) -> Message: ...


#: What ``messages`` may hold.
_MESSAGE_ITEMS: Final = "a Message, a mapping (the message's JSON) or a reply with to_message()"


def _messages(value: object) -> tuple[Message | Mapping[str, object], ...]:
    """The items of ``messages``, each reply turned into its :class:`Message`."""
    if isinstance(value, Message | Mapping | _Reply):
        raise TypeError("messages must be a list of messages, got a single message")
    items = _as_tuple("messages", value)
    if not items:
        raise ValueError("messages must hold at least one message")
    out: list[Message | Mapping[str, object]] = []
    for position, item in enumerate(items):
        if isinstance(item, Message | Mapping):
            out.append(item)
        elif isinstance(item, _Reply):
            out.append(item.to_message())
        else:
            hint = ": wrap text in Message.user(...)" if isinstance(item, str) else ""
            raise TypeError(
                f"messages[{position}] must be {_MESSAGE_ITEMS} "
                f"(ChatCompletionMessage, ChatCompletion), got {_type_name(item)}{hint}"
            )
    return tuple(out)


# --------------------------------------------------------------------------
# Structured output, reasoning, usage, plugins.


@dataclass(frozen=True, slots=True)
class JsonSchema(_Wire):
    """The ``json_schema`` member of a structured-output response format."""

    name: str
    schema: Mapping[str, object]
    _: KW_ONLY
    strict: bool | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        _require_str("JsonSchema.name", self.name, empty_ok=False)
        if not isinstance(self.schema, Mapping):
            raise TypeError(f"JsonSchema.schema must be a mapping, got {_type_name(self.schema)}")
        _set(self, "schema", dict(self.schema))
        _check_bool("JsonSchema.strict", self.strict)
        _check_str("JsonSchema.description", self.description)

    def to_dict(self) -> dict[str, object]:
        """``{"name", "schema", "strict", "description"}``, unset members omitted."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True)
class ResponseFormat(_Wire):
    """``response_format``: see :meth:`json_object` and :meth:`from_json_schema`."""

    type: str
    _: KW_ONLY
    json_schema: JsonSchema | None = None

    def __post_init__(self) -> None:
        _require_str("ResponseFormat.type", self.type, empty_ok=False)
        _check_instance(
            "ResponseFormat.json_schema", self.json_schema, (JsonSchema,), "a JsonSchema"
        )

    @classmethod
    def text(cls) -> ResponseFormat:
        """Plain text, the default: ``{"type": "text"}``."""
        return cls("text")

    @classmethod
    def json_object(cls) -> ResponseFormat:
        """Any JSON object: ``{"type": "json_object"}``."""
        return cls("json_object")

    @classmethod
    def from_json_schema(
        cls,
        name: str,
        schema: Mapping[str, object],
        *,
        strict: bool | None = None,
        description: str | None = None,
    ) -> ResponseFormat:
        """JSON matching ``schema``: ``{"type": "json_schema", "json_schema": {...}}``."""
        json_schema = JsonSchema(name, schema, strict=strict, description=description)
        return cls("json_schema", json_schema=json_schema)

    def to_dict(self) -> dict[str, object]:
        """``{"type": ..., "json_schema": ...}`` with ``json_schema`` omitted when unset."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReasoningOptions(_Wire):
    """``reasoning``: how many tokens a reasoning model may think with.

    Set ``effort`` or ``max_tokens`` (the server takes one of them);
    ``exclude=True`` keeps the reasoning out of the response; ``enabled=True``
    turns reasoning on with the model's defaults; ``summary`` asks models
    that summarise their reasoning for ``"auto"``, ``"concise"`` or
    ``"detailed"`` summaries.
    """

    effort: ReasoningEffort | str | None = None
    max_tokens: int | None = None
    exclude: bool | None = None
    enabled: bool | None = None
    summary: ReasoningSummary | str | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _check_str("ReasoningOptions.effort", self.effort)
        _check_str("ReasoningOptions.summary", self.summary)
        _check_int("ReasoningOptions.max_tokens", self.max_tokens)
        _check_bool("ReasoningOptions.exclude", self.exclude)
        _check_bool("ReasoningOptions.enabled", self.enabled)
        _set(self, "extra", _check_mapping("ReasoningOptions.extra", self.extra))

    def to_dict(self) -> dict[str, object]:
        """The set members, then ``extra``."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True)
class UsageOptions(_Wire):
    """``usage``: ask for token counts and cost in the response.

    Serialises as ``{"include": true}``; gopenrouter's tag sent ``{"usage": true}``.
    """

    include: bool = True

    def __post_init__(self) -> None:
        _check_bool("UsageOptions.include", self.include)

    def to_dict(self) -> dict[str, object]:
        """``{"include": ...}``."""
        return {"include": self.include}


@dataclass(frozen=True, slots=True)
class Plugin(_Wire):
    """One entry of ``plugins``: ``{"id": ..., **options}``.

    A plugin runs once per request, always (unlike a :class:`ServerTool`,
    which the model calls when it decides to). :meth:`web`,
    :meth:`web_fetch`, :meth:`file_parser`, :meth:`response_healing`,
    :meth:`context_compression`, :meth:`moderation` and :meth:`auto_router`
    build the documented plugins; ``Plugin("some-id", options={...})`` sends
    any other (``"pareto-router"``, ``"fusion"``...). Every constructor
    takes ``enabled=False`` where the API does, to turn off a plugin a preset
    or a model suffix turned on. Unset options are omitted.
    """

    id: str
    _: KW_ONLY
    options: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _require_str("Plugin.id", self.id, empty_ok=False)
        _set(self, "options", _check_mapping("Plugin.options", self.options))

    @classmethod
    def _build(cls, plugin_id: str, **options: object) -> Plugin:
        chosen = _options(**options)
        _check_options(f"Plugin({plugin_id!r})", **chosen)
        return cls(plugin_id, options=_listed(chosen))

    @classmethod
    def web(
        cls,
        *,
        max_results: int | None = None,
        search_prompt: str | None = None,
        engine: str | None = None,
        include_domains: Sequence[str] | None = None,
        exclude_domains: Sequence[str] | None = None,
        max_uses: int | None = None,
        mode: str | None = None,
        user_location: Mapping[str, object] | None = None,
        enabled: bool | None = None,
    ) -> Plugin:
        """Web search results added to the prompt (what the ``:online`` model suffix does).

        ``engine``: ``"native"``, ``"exa"``, ``"firecrawl"``, ``"parallel"``,
        ``"perplexity"``; ``include_domains``/``exclude_domains`` accept
        wildcards (``"*.example.com"``) and paths; ``max_uses`` bounds the
        searches of a provider's native search in one turn.
        """
        return cls._build(
            "web",
            max_results=max_results,
            search_prompt=search_prompt,
            engine=engine,
            include_domains=include_domains,
            exclude_domains=exclude_domains,
            max_uses=max_uses,
            mode=mode,
            user_location=user_location,
            enabled=enabled,
        )

    @classmethod
    def web_fetch(
        cls,
        *,
        max_uses: int | None = None,
        max_content_tokens: int | None = None,
        allowed_domains: Sequence[str] | None = None,
        blocked_domains: Sequence[str] | None = None,
    ) -> Plugin:
        """Pages at the prompt's URLs fetched and added (``max_content_tokens`` truncates)."""
        return cls._build(
            "web-fetch",
            max_uses=max_uses,
            max_content_tokens=max_content_tokens,
            allowed_domains=allowed_domains,
            blocked_domains=blocked_domains,
        )

    @classmethod
    def file_parser(cls, *, pdf_engine: str | None = None, enabled: bool | None = None) -> Plugin:
        """PDF parsing (``pdf_engine``: ``"mistral-ocr"``, ``"native"``, ``"cloudflare-ai"``).

        ``"pdf-text"`` is deprecated by the API, which sends it to ``"cloudflare-ai"``.
        """
        _check_str("pdf_engine", pdf_engine)
        pdf = None if pdf_engine is None else {"engine": pdf_engine}
        return cls._build("file-parser", pdf=pdf, enabled=enabled)

    @classmethod
    def response_healing(cls, *, enabled: bool | None = None) -> Plugin:
        """Repair of malformed JSON in structured responses."""
        return cls._build("response-healing", enabled=enabled)

    @classmethod
    def context_compression(
        cls, *, engine: str | None = None, enabled: bool | None = None
    ) -> Plugin:
        """Compress a prompt too long for the model's context (``engine``: ``"middle-out"``).

        This replaces the deprecated ``transforms=["middle-out"]``.
        """
        return cls._build("context-compression", engine=engine, enabled=enabled)

    @classmethod
    def moderation(cls) -> Plugin:
        """Content moderation of the request."""
        return cls("moderation")

    @classmethod
    def auto_router(
        cls,
        *,
        allowed_models: Sequence[str] | None = None,
        excluded_models: Sequence[str] | None = None,
        cost_tier: str | None = None,
        pin_model: bool | None = None,
        enabled: bool | None = None,
    ) -> Plugin:
        """Options of ``openrouter/auto``, which picks a model for each prompt.

        ``allowed_models``/``excluded_models`` are patterns (``"anthropic/*"``);
        ``cost_tier`` is ``"low"``, ``"medium"``, ``"high"``, ``"xhigh"`` or
        ``"max"``; ``pin_model=True`` keeps the model of the last assistant
        message for later turns.
        """
        return cls._build(
            "auto-router",
            allowed_models=allowed_models,
            excluded_models=excluded_models,
            cost_tier=cost_tier,
            pin_model=pin_model,
            enabled=enabled,
        )

    def to_dict(self) -> dict[str, object]:
        """``{"id": ..., **options}``."""
        out: dict[str, object] = {"id": self.id}
        _merge_extra(out, self.options)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamOptions(_Wire):
    """``stream_options``. OpenRouter always sends usage on a stream's last
    chunk and documents ``include_usage`` as having no effect; it is kept for
    requests written for other OpenAI-compatible servers."""

    include_usage: bool | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _check_bool("StreamOptions.include_usage", self.include_usage)
        _set(self, "extra", _check_mapping("StreamOptions.extra", self.extra))

    def to_dict(self) -> dict[str, object]:
        """The set members, then ``extra``."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class DebugOptions(_Wire):
    """``debug``: ``echo_upstream_body=True`` makes a stream start with a chunk
    holding the request body OpenRouter sent to the provider (streaming only)."""

    echo_upstream_body: bool | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _check_bool("DebugOptions.echo_upstream_body", self.echo_upstream_body)
        _set(self, "extra", _check_mapping("DebugOptions.extra", self.extra))

    def to_dict(self) -> dict[str, object]:
        """The set members, then ``extra``."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceOptions(_Wire):
    """``trace``: names this request in your observability integration.

    The five named keys have a meaning there; ``extra`` adds any other
    key-value pairs, passed through as trace metadata.
    """

    trace_id: str | None = None
    trace_name: str | None = None
    span_name: str | None = None
    generation_name: str | None = None
    parent_span_id: str | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        for name in ("trace_id", "trace_name", "span_name", "generation_name", "parent_span_id"):
            _check_str(f"TraceOptions.{name}", getattr(self, name))
        _set(self, "extra", _check_mapping("TraceOptions.extra", self.extra))

    def to_dict(self) -> dict[str, object]:
        """The set members in field order, then ``extra``."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True)
class Prediction(_Wire):
    """``prediction``: text the answer will largely repeat (predicted output).

    Models that support it answer faster when most of the output is known in
    advance, for instance a file being edited. ``content`` is the text, or a
    list of :class:`TextPart`.
    """

    content: str | Sequence[TextPart]

    def __post_init__(self) -> None:
        if not isinstance(self.content, str):
            parts = _typed_tuple("Prediction.content", self.content, (TextPart,), "TextPart items")
            _set(self, "content", parts)

    def to_dict(self) -> dict[str, object]:
        """``{"type": "content", "content": ...}``."""
        return {"type": "content", "content": _to_json(self.content)}


# --------------------------------------------------------------------------
# Provider routing.


@dataclass(frozen=True, slots=True, kw_only=True)
class MaxPrice(_Wire):
    """``provider.max_price``: the most to pay, in USD (per million tokens for
    ``prompt`` and ``completion``; per request, image or audio unit otherwise)."""

    prompt: float | None = None
    completion: float | None = None
    request: float | None = None
    image: float | None = None
    audio: float | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        for name in ("prompt", "completion", "request", "image", "audio"):
            _check_number(f"MaxPrice.{name}", getattr(self, name))
        _set(self, "extra", _check_mapping("MaxPrice.extra", self.extra))

    def to_dict(self) -> dict[str, object]:
        """The set prices, then ``extra``."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True)
class ProviderSort(_Wire):
    """``provider.sort`` as an object: ``{"by": ..., "partition": ...}``.

    ``partition`` (``"model"`` or ``"none"``) says whether the ranking is done
    per model of a fallback list or across all of them.
    """

    by: ProviderSortBy | str
    _: KW_ONLY
    partition: str | None = None

    def __post_init__(self) -> None:
        _require_str("ProviderSort.by", self.by, empty_ok=False)
        _check_str("ProviderSort.partition", self.partition)

    def to_dict(self) -> dict[str, object]:
        """``{"by": ..., "partition": ...}`` with ``partition`` omitted when unset."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class Percentiles(_Wire):
    """Percentile cutoffs for ``preferred_min_throughput`` / ``preferred_max_latency``."""

    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    p99: float | None = None

    def __post_init__(self) -> None:
        for name in ("p50", "p75", "p90", "p99"):
            _check_number(f"Percentiles.{name}", getattr(self, name))

    def to_dict(self) -> dict[str, object]:
        """The set cutoffs."""
        return _fields_to_dict(self)


#: A throughput or latency preference: a number (the p50 cutoff), percentile
#: cutoffs, or any other JSON value the server accepts.
_Preference = float | Percentiles | Mapping[str, object]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderOptions(_Wire):
    """``provider``: how OpenRouter chooses among the providers serving a model.

    All fields are optional. ``force_chat_completions`` is gopenrouter's
    ``Experimental.ForceChatCompletions`` and is sent as
    ``"experimental": {"force_chat_completions": ...}``. ``extra`` is merged
    last, for routing options newer than this library.
    """

    order: Sequence[str] | None = None
    allow_fallbacks: bool | None = None
    require_parameters: bool | None = None
    data_collection: DataCollection | str | None = None
    zdr: bool | None = None
    enforce_distillable_text: bool | None = None
    only: Sequence[str] | None = None
    ignore: Sequence[str] | None = None
    quantizations: Sequence[Quantization | str] | None = None
    sort: ProviderSortBy | str | ProviderSort | Mapping[str, object] | None = None
    max_price: MaxPrice | None = None
    preferred_min_throughput: _Preference | None = None
    preferred_max_latency: _Preference | None = None
    force_chat_completions: bool | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        for name in ("order", "only", "ignore", "quantizations"):
            _set(self, name, _str_tuple(f"ProviderOptions.{name}", getattr(self, name)))
        for name in ("allow_fallbacks", "require_parameters", "zdr", "enforce_distillable_text"):
            _check_bool(f"ProviderOptions.{name}", getattr(self, name))
        _check_bool("ProviderOptions.force_chat_completions", self.force_chat_completions)
        _check_str("ProviderOptions.data_collection", self.data_collection)
        _check_instance(
            "ProviderOptions.sort",
            self.sort,
            (str, ProviderSort, Mapping),
            "a str, a ProviderSort or a mapping",
        )
        _check_instance("ProviderOptions.max_price", self.max_price, (MaxPrice,), "a MaxPrice")
        for name in ("preferred_min_throughput", "preferred_max_latency"):
            value = getattr(self, name)
            if isinstance(value, int | float):  # bool included: _check_number rejects it
                _check_number(f"ProviderOptions.{name}", value)
            elif isinstance(value, Mapping):
                _set(self, name, dict(value))
        _set(self, "extra", _check_mapping("ProviderOptions.extra", self.extra))

    def to_dict(self) -> dict[str, object]:
        """The set options in field order, ``experimental`` after them, ``extra`` last."""
        out = _fields_to_dict(self, skip=("force_chat_completions",), merge_extra=False)
        if self.force_chat_completions is not None:
            out["experimental"] = {"force_chat_completions": self.force_chat_completions}
        _merge_extra(out, self.extra)
        return out


# --------------------------------------------------------------------------
# Requests.

# Field kinds shared by both request classes, checked by _check_request.
_INT_FIELDS: Final = ("max_tokens", "seed", "top_k", "top_logprobs")
_NUMBER_FIELDS: Final = (
    "temperature",
    "top_p",
    "frequency_penalty",
    "presence_penalty",
    "repetition_penalty",
    "min_p",
    "top_a",
)
_BOOL_FIELDS: Final = ("stream", "logprobs")
_STR_FIELDS: Final = ("user", "session_id")
_STR_LIST_FIELDS: Final = ("models", "transforms")


#: Set while a builder re-validates a request it copies, so that a deprecated
#: field warns once, where it was set, rather than on every later ``with_*``.
_REVALIDATING: Final = contextvars.ContextVar("_REVALIDATING", default=False)


_PACKAGE_DIR: Final = os.path.dirname(os.path.abspath(__file__))


def _is_internal(filename: str) -> bool:
    # This package, dataclasses.replace, and the __init__ that dataclasses
    # generates (compiled from a string, so its file name is "<string>").
    return filename.startswith((_PACKAGE_DIR, "<")) or filename == dataclasses.__file__


def _warn_deprecated(request: ChatCompletionRequest | CompletionRequest) -> None:
    """Warn about deprecated fields, pointing at the first caller outside this library."""
    if request.transforms is None or _REVALIDATING.get():
        return
    frame = sys._getframe(0)
    stacklevel = 1
    while frame.f_back is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
        stacklevel += 1
    warnings.warn(
        "transforms is deprecated by OpenRouter: use "
        'plugins=[Plugin.context_compression(engine="middle-out")] instead',
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def _check_request(request: ChatCompletionRequest | CompletionRequest) -> None:
    """Validate and normalise the fields both request classes share."""
    if not isinstance(request.model, str):
        raise TypeError(f"model must be a str, got {_type_name(request.model)}")
    if not request.model.strip():
        raise ValueError("model must be a model id such as 'openai/gpt-4o', not empty")
    for name in _INT_FIELDS:
        _check_int(name, getattr(request, name))
    for name in _NUMBER_FIELDS:
        _check_number(name, getattr(request, name))
    for name in _BOOL_FIELDS:
        _check_bool(name, getattr(request, name))
    for name in _STR_FIELDS:
        _check_str(name, getattr(request, name))
    for name in _STR_LIST_FIELDS:
        _set(request, name, _str_tuple(name, getattr(request, name)))
    if not isinstance(request.stop, str):
        _set(request, "stop", _str_tuple("stop", request.stop))
    _check_instance("provider", request.provider, (ProviderOptions, Mapping), "a ProviderOptions")
    _check_instance(
        "reasoning", request.reasoning, (ReasoningOptions, Mapping), "a ReasoningOptions"
    )
    _check_instance("usage", request.usage, (UsageOptions, Mapping), "a UsageOptions")
    logit_bias = _check_mapping("logit_bias", request.logit_bias)
    if logit_bias is not None:
        for value in logit_bias.values():
            _check_number("logit_bias values", value)
    _set(request, "logit_bias", logit_bias)
    _set(request, "extra", _check_mapping("extra", request.extra))
    _warn_deprecated(request)


# The option fields only chat requests have: (name, accepted types, what to say).
_CHAT_OPTION_TYPES: Final[tuple[tuple[str, tuple[type, ...], str], ...]] = (
    ("cache_control", (CacheControl, Mapping), "a CacheControl"),
    ("stream_options", (StreamOptions, Mapping), "a StreamOptions"),
    ("trace", (TraceOptions, Mapping), "a TraceOptions"),
    ("prediction", (Prediction, Mapping), "a Prediction"),
    ("debug", (DebugOptions, Mapping), "a DebugOptions"),
)


def _check_chat_options(request: ChatCompletionRequest) -> None:
    """Validate and normalise the fields only chat requests have, beyond tools and messages."""
    _check_int("max_completion_tokens", request.max_completion_tokens)
    _set(request, "modalities", _str_tuple("modalities", request.modalities))
    _set(request, "image_config", _check_mapping("image_config", request.image_config))
    _check_str("prompt_cache_key", request.prompt_cache_key)
    _check_str("service_tier", request.service_tier)
    metadata = _check_mapping("metadata", request.metadata)
    for key, value in (metadata or {}).items():
        _require_str(f"metadata[{key!r}]", value)
    _set(request, "metadata", metadata)
    for name, allowed, what in _CHAT_OPTION_TYPES:
        value = getattr(request, name)
        _check_instance(name, value, allowed, what)
        if isinstance(value, Mapping):
            _set(request, name, dict(value))


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatCompletionRequest(_Wire):
    """The body of ``POST /chat/completions``.

    ``model`` and ``messages`` are required; every other field is omitted
    from the JSON while ``None``. The first twenty-three fields are
    gopenrouter's ``ChatCompletionRequest``; ``tools`` to the end are the
    rest of the current API; ``extra`` carries anything newer.

    ``tools`` holds functions (:class:`Tool`) and OpenRouter server tools
    (:class:`ServerTool`) side by side. ``max_completion_tokens`` is the
    API's current name for ``max_tokens``. ``modalities`` asks for
    ``"image"`` or ``"audio"`` output beside ``"text"``; ``image_config``
    holds provider-specific image settings (``{"aspect_ratio": "16:9"}``).
    ``cache_control`` (a :class:`CacheControl`) turns on automatic prompt
    caching for the whole request; ``prompt_cache_key`` groups requests that
    share a prompt prefix. ``service_tier`` asks the provider for a tier
    (:data:`ServiceTier`). ``metadata`` is up to 16 string pairs stored with
    the generation; ``trace`` (:class:`TraceOptions`) names it for
    observability; ``prediction`` (:class:`Prediction`) is predicted output;
    ``debug`` (:class:`DebugOptions`) echoes the upstream request body.

    ``transforms`` is deprecated by OpenRouter in favour of the
    context-compression plugin (:meth:`Plugin.context_compression`):
    setting it still sends it, and warns with ``DeprecationWarning``.

    ``messages`` holds :class:`Message` objects, mappings (a message's
    JSON) and replies, each turned into its :class:`Message` with
    ``to_message()``: a ``ChatCompletionMessage``
    (``messages.append(response.choices[0].message)``), a ``ChatCompletion``
    (its first choice) or a ``ChatCompletionAccumulator``.

    Raises ``TypeError`` when a field has the wrong type (``messages`` given
    as a string or a single message, an item of another type: the message
    names the accepted ones; ``max_tokens=1.5``, ``temperature=True``)
    and ``ValueError`` for an empty ``model``, an empty ``messages`` list or a
    non-finite number.
    """

    model: str
    messages: Sequence[Message | Mapping[str, object] | _Reply]
    models: Sequence[str] | None = None
    provider: ProviderOptions | Mapping[str, object] | None = None
    reasoning: ReasoningOptions | Mapping[str, object] | None = None
    usage: UsageOptions | Mapping[str, object] | None = None
    transforms: Sequence[str] | None = None
    stream: bool | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    seed: int | None = None
    top_p: float | None = None
    top_k: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None
    logit_bias: Mapping[str, float] | None = None
    top_logprobs: int | None = None
    min_p: float | None = None
    top_a: float | None = None
    logprobs: bool | None = None
    stop: str | Sequence[str] | None = None
    user: str | None = None
    tools: Sequence[Tool | ServerTool | Mapping[str, object]] | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | Mapping[str, object] | None = None
    plugins: Sequence[Plugin | Mapping[str, object]] | None = None
    session_id: str | None = None
    max_completion_tokens: int | None = None
    modalities: Sequence[Modality | str] | None = None
    image_config: Mapping[str, object] | None = None
    cache_control: CacheControl | Mapping[str, object] | None = None
    prompt_cache_key: str | None = None
    service_tier: ServiceTier | str | None = None
    stream_options: StreamOptions | Mapping[str, object] | None = None
    metadata: Mapping[str, str] | None = None
    trace: TraceOptions | Mapping[str, object] | None = None
    prediction: Prediction | Mapping[str, object] | None = None
    debug: DebugOptions | Mapping[str, object] | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _check_request(self)
        _check_chat_options(self)
        _set(self, "messages", _messages(self.messages))
        tools = _typed_tuple("tools", self.tools, (Tool, ServerTool, Mapping), "Tool items")
        _set(self, "tools", tools)
        _check_instance(
            "tool_choice",
            self.tool_choice,
            (str, NamedToolChoice, Mapping),
            "a str, a NamedToolChoice or a mapping",
        )
        _check_bool("parallel_tool_calls", self.parallel_tool_calls)
        _check_instance(
            "response_format",
            self.response_format,
            (ResponseFormat, Mapping),
            "a ResponseFormat",
        )
        plugins = _typed_tuple("plugins", self.plugins, (Plugin, Mapping), "Plugin items")
        _set(self, "plugins", plugins)

    def to_dict(self) -> dict[str, object]:
        """The JSON object to send: set fields in declaration order, ``extra`` last."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class CompletionRequest(_Wire):
    """The body of ``POST /completions`` (raw text completion).

    ``model`` and ``prompt`` are required. The fields up to ``stop`` are
    gopenrouter's ``CompletionRequest``; ``user`` and ``session_id`` are
    accepted by the API as well; ``extra`` carries anything newer. Raises as
    :class:`ChatCompletionRequest` does, and ``TypeError`` for a non-str
    prompt; ``transforms`` is deprecated and warns as it does there.
    """

    model: str
    prompt: str
    models: Sequence[str] | None = None
    provider: ProviderOptions | Mapping[str, object] | None = None
    reasoning: ReasoningOptions | Mapping[str, object] | None = None
    usage: UsageOptions | Mapping[str, object] | None = None
    transforms: Sequence[str] | None = None
    stream: bool | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    seed: int | None = None
    top_p: float | None = None
    top_k: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None
    logit_bias: Mapping[str, float] | None = None
    top_logprobs: int | None = None
    min_p: float | None = None
    top_a: float | None = None
    logprobs: bool | None = None
    stop: str | Sequence[str] | None = None
    user: str | None = None
    session_id: str | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _check_request(self)
        if not isinstance(self.prompt, str):
            raise TypeError(f"prompt must be a str, got {_type_name(self.prompt)}")

    def to_dict(self) -> dict[str, object]:
        """The JSON object to send: set fields in declaration order, ``extra`` last."""
        return _fields_to_dict(self)


# --------------------------------------------------------------------------
# GET /models and GET /models/{author}/{slug}/endpoints.


#: Orders accepted by ``GET /models?sort=``.
ModelSort = Literal[
    "most-popular",
    "newest",
    "top-weekly",
    "pricing-low-to-high",
    "pricing-high-to-low",
    "context-high-to-low",
    "throughput-high-to-low",
    "latency-low-to-high",
    "intelligence-high-to-low",
    "coding-high-to-low",
    "agentic-high-to-low",
    "design-arena-elo-high-to-low",
]

# The ModelsQuery fields by how they go on the wire (any other field is a str).
_QUERY_LISTS: Final = frozenset(
    {"supported_parameters", "output_modalities", "input_modalities", "model_authors", "providers"}
)
_QUERY_INTS: Final = frozenset({"offset", "limit", "context", "min_age_days", "max_age_days"})
_QUERY_BOOLS: Final = frozenset({"distillable", "zdr"})
_QUERY_NUMBERS: Final = frozenset(
    {
        "min_price",
        "max_price",
        "min_output_price",
        "max_output_price",
        "min_intelligence_index",
        "max_intelligence_index",
        "min_coding_index",
        "max_coding_index",
        "min_agentic_index",
        "max_agentic_index",
        "min_tool_success_rate",
        "max_tool_success_rate",
    }
)
# Fields whose smallest accepted value is 1 (the others start at 0).
_QUERY_FROM_ONE: Final = frozenset({"limit", "context"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelsQuery:
    """Filters and paging for ``GET /models``; each field is the query
    parameter of the same name.

    ``supported_parameters`` keeps models that accept every listed parameter
    (``["tools", "response_format"]``); ``output_modalities`` selects by output
    (``"text"`` is the server's default, ``["all"]`` lifts the filter) and
    ``input_modalities`` by input; ``model_authors`` and ``providers`` keep
    models by author slug or hosting provider. Lists go on the wire
    comma-separated. ``sort`` orders the list server-side (:data:`ModelSort`),
    ``q`` searches names and slugs, ``context`` is the smallest context
    length, ``min_price``/``max_price`` and ``min_output_price``/
    ``max_output_price`` bound the prompt and completion prices (US dollars
    per million tokens), ``arch`` names a model family, ``distillable`` and
    ``zdr`` (zero data retention) go as ``"true"``/``"false"``, ``region`` is
    ``"eu"`` or ``"us"``, ``min_age_days``/``max_age_days`` bound the age,
    and the ``*_index`` and ``*_tool_success_rate`` bounds filter by
    benchmark scores (the success rate is a fraction in [0, 1]).
    ``offset``/``limit`` page the list (when both are unset the whole list
    comes back). ``extra`` adds query parameters this library does not know
    yet (``{"use_rss": "true"}`` asks for the RSS form, which is not JSON).

    Raises:
        TypeError: a field has the wrong type (a ``bool`` where a number
            belongs, a string where a list belongs, ...).
        ValueError: a count or bound is negative (``limit`` and ``context``
            below 1), a number is not finite, or a tool success rate is
            above 1.
    """

    category: ModelCategory | str | None = None
    supported_parameters: Sequence[str] | None = None
    output_modalities: Sequence[str] | None = None
    input_modalities: Sequence[str] | None = None
    sort: ModelSort | str | None = None
    q: str | None = None
    context: int | None = None
    min_price: float | None = None
    max_price: float | None = None
    min_output_price: float | None = None
    max_output_price: float | None = None
    arch: str | None = None
    model_authors: Sequence[str] | None = None
    providers: Sequence[str] | None = None
    distillable: bool | None = None
    zdr: bool | None = None
    region: Literal["eu", "us"] | str | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    min_intelligence_index: float | None = None
    max_intelligence_index: float | None = None
    min_coding_index: float | None = None
    max_coding_index: float | None = None
    min_agentic_index: float | None = None
    max_agentic_index: float | None = None
    min_tool_success_rate: float | None = None
    max_tool_success_rate: float | None = None
    offset: int | None = None
    limit: int | None = None
    extra: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            name = field.name
            value = getattr(self, name)
            label = f"ModelsQuery.{name}"
            if name == "extra":
                extra = _check_mapping(label, value)
                for key, item in (extra or {}).items():
                    _require_str(f"ModelsQuery.extra[{key!r}]", item)
                _set(self, name, extra)
            elif name in _QUERY_LISTS:
                _set(self, name, _str_tuple(label, value))
            elif name in _QUERY_BOOLS:
                _check_bool(label, value)
            elif name in _QUERY_INTS or name in _QUERY_NUMBERS:
                (_check_int if name in _QUERY_INTS else _check_number)(label, value)
                _check_at_least(label, value, 1 if name in _QUERY_FROM_ONE else 0)
                if name.endswith("tool_success_rate") and value is not None and value > 1:
                    raise ValueError(f"{label} is a fraction in [0, 1], got {value!r}")
            else:
                _check_str(label, value)

    def to_params(self) -> dict[str, str]:
        """The query parameters, unset ones omitted, in field order: lists
        joined with ``","``, booleans as ``"true"``/``"false"``, numbers as
        Python writes them; ``extra`` last (replacing a field of its name)."""
        params: dict[str, str] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None or field.name == "extra":
                continue
            if isinstance(value, tuple):
                params[field.name] = ",".join(value)
            elif isinstance(value, bool):
                params[field.name] = "true" if value else "false"
            else:
                params[field.name] = value if isinstance(value, str) else repr(value)
        params.update(self.extra or {})
        return params

    def to_query(self) -> str:
        """The encoded query string without ``?``; ``""`` when no filter is set."""
        return urlencode(self.to_params(), safe=",/", quote_via=quote)


def _check_at_least(name: str, value: int | float | None, least: int) -> None:
    if value is not None and value < least:
        raise ValueError(f"{name} must be at least {least}, got {value!r}")


def endpoints_path(author: str, slug: str) -> str:
    """The path of a model's endpoint list, relative to the API base URL.

    ``endpoints_path("openai", "gpt-4o")`` is ``"/models/openai/gpt-4o/endpoints"``.
    Each segment is percent-encoded, so neither may smuggle in a ``/``, a
    ``?`` or a ``#``. Raises ``ValueError`` for an empty segment or a dot
    segment (``.`` or ``..``, which would change the path) and ``TypeError``
    for a non-str one.
    """
    _require_str("author", author, empty_ok=False)
    _require_str("slug", slug, empty_ok=False)
    for name, value in (("author", author), ("slug", slug)):
        if value in (".", ".."):
            raise ValueError(f"{name} must be a name, not the dot segment {value!r}")
    return f"/models/{quote(author, safe='')}/{quote(slug, safe='')}/endpoints"


def path_segment(name: str, value: object) -> str:
    """``value`` as one percent-encoded path segment (``name`` is the
    parameter, for the messages): a hash, an id, an author or a slug.

    Raises:
        TypeError: ``value`` is not a str.
        ValueError: ``value`` is empty, holds a ``/`` or is a dot segment
            (``.`` or ``..``), any of which would change the path.
    """
    _require_str(name, value, empty_ok=False)
    assert isinstance(value, str)  # checked by _require_str
    if "/" in value:
        raise ValueError(f"{name} must not hold a '/', got {value!r}")
    if value in (".", ".."):
        raise ValueError(f"{name} must be a name, not the dot segment {value!r}")
    return quote(value, safe="")
