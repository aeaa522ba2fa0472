"""Request bodies of the media operations: embeddings, rerank, images,
speech, transcriptions and videos.

The same rules as :mod:`openrouter._requests`: frozen, slotted dataclasses;
``to_dict()`` gives the JSON object to send, fields left at ``None``
omitted; types are checked when the object is built (``TypeError`` /
``ValueError``), ranges are left to the server; ``extra`` is merged last,
for members this library does not model yet. Field names and types follow
OpenRouter's OpenAPI description (``EmbeddingsRequest`` is its
``createEmbeddings`` body, ``ImageRequest`` its ``ImageGenerationRequest``,
``SpeechRequest``, ``TranscriptionRequest`` its ``STTRequest``,
``VideoRequest`` its ``VideoGenerationRequest``).

``provider`` is :class:`~openrouter.ProviderOptions` (or a mapping) where
the API takes its routing preferences (embeddings, rerank, images); for
speech, transcriptions and videos it is the ``{"options": {slug: {...}}}``
object of provider-specific options, given as a mapping.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from ._requests import (
    ProviderOptions,
    _check_bool,
    _check_int,
    _check_mapping,
    _check_number,
    _check_str,
    _fields_to_dict,
    _mapping_tuple,
    _require_str,
    _set,
    _str_tuple,
    _type_name,
    _Wire,
)

__all__ = [
    "EmbeddingsRequest",
    "ImageRequest",
    "RerankRequest",
    "SpeechRequest",
    "TranscriptionRequest",
    "VideoRequest",
]

#: ``encoding_format`` values of ``POST /embeddings``.
EncodingFormat = Literal["float", "base64"]

#: Audio container names by file suffix, for :meth:`TranscriptionRequest.from_file`.
_AUDIO_FORMATS: Final = {
    ".wav": "wav",
    ".mp3": "mp3",
    ".flac": "flac",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".opus": "opus",
    ".m4a": "m4a",
    ".aac": "aac",
    ".webm": "webm",
    ".aiff": "aiff",
    ".pcm": "pcm",
}


def _provider(owner: str, value: object) -> None:
    if value is not None and not isinstance(value, ProviderOptions | Mapping):
        raise TypeError(
            f"{owner}.provider must be a ProviderOptions or a mapping, got {_type_name(value)}"
        )


def _model(owner: str, model: object) -> None:
    _require_str(f"{owner}.model", model, empty_ok=False)


def _common(owner: str, request: Any) -> None:
    """The checks every media request shares: ``model``, ``provider``, ``extra``."""
    _model(owner, request.model)
    provider = request.provider
    _provider(owner, provider)
    if isinstance(provider, Mapping):
        _set(request, "provider", dict(provider))
    _set(request, "extra", _check_mapping(f"{owner}.extra", request.extra))


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbeddingsRequest(_Wire):
    """The body of ``POST /embeddings``.

    ``input`` is a string, a list of strings, a list of token ids, a list of
    token-id lists, or a list of multimodal inputs (mappings such as
    ``{"content": [{"type": "text", "text": ...}]}``), sent as given.
    ``encoding_format="base64"`` asks for each vector as base64 of
    little-endian float32 values (a third of the JSON's size);
    :class:`~openrouter.Embeddings` decodes both forms to lists of floats.
    """

    model: str
    input: (
        str
        | Sequence[str]
        | Sequence[int]
        | Sequence[Sequence[int]]
        | Sequence[Mapping[str, object]]
    )
    dimensions: int | None = None
    encoding_format: EncodingFormat | str | None = None
    input_type: str | None = None
    provider: ProviderOptions | Mapping[str, object] | None = None
    user: str | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _common("EmbeddingsRequest", self)
        _set(self, "input", _embeddings_input(self.input))
        _check_int("EmbeddingsRequest.dimensions", self.dimensions)
        if self.dimensions is not None and self.dimensions <= 0:
            raise ValueError(f"EmbeddingsRequest.dimensions must be > 0, got {self.dimensions}")
        for name in ("encoding_format", "input_type", "user"):
            _check_str(f"EmbeddingsRequest.{name}", getattr(self, name))

    def to_dict(self) -> dict[str, object]:
        """The set fields, ``extra`` last."""
        return _fields_to_dict(self)


def _embeddings_input(value: object) -> object:
    """``input`` checked: a non-empty str, or a non-empty list whose items
    are all strings, all ints, all int lists or all mappings."""
    name = "EmbeddingsRequest.input"
    if isinstance(value, str):
        if not value:
            raise ValueError(f"{name} must not be empty")
        return value
    if isinstance(value, bytes | bytearray) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a str or a list, got {_type_name(value)}")
    items = tuple(value)
    if not items:
        raise ValueError(f"{name} must not be an empty list")
    kinds = {_input_kind(item) for item in items}
    if None in kinds or len(kinds) > 1:
        raise TypeError(
            f"{name} must hold only strings, only token ids, only token-id lists or only mappings"
        )
    if kinds == {"tokens"}:
        return tuple(tuple(item) for item in items)
    if kinds == {"mapping"}:
        return tuple(dict(item) for item in items)
    return items


def _input_kind(item: object) -> str | None:
    if isinstance(item, str):
        return "str"
    if isinstance(item, int) and not isinstance(item, bool):
        return "int"
    if isinstance(item, Mapping):
        return "mapping"
    if (
        isinstance(item, Sequence)
        and not isinstance(item, bytes | bytearray)
        and all(isinstance(x, int) and not isinstance(x, bool) for x in item)
    ):
        return "tokens"
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class RerankRequest(_Wire):
    """The body of ``POST /rerank``: order ``documents`` by relevance to
    ``query``. A document is a string or a mapping (``{"text": ...}``,
    ``{"image": ...}``); ``top_n`` keeps the best ``n``."""

    model: str
    query: str
    documents: Sequence[str | Mapping[str, object]]
    top_n: int | None = None
    provider: ProviderOptions | Mapping[str, object] | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _common("RerankRequest", self)
        _require_str("RerankRequest.query", self.query, empty_ok=False)
        docs = self.documents
        if isinstance(docs, str | bytes | bytearray) or not isinstance(docs, Sequence):
            raise TypeError(f"RerankRequest.documents must be a list, got {_type_name(docs)}")
        if not docs:
            raise ValueError("RerankRequest.documents must hold at least one document")
        kept: list[str | dict[str, object]] = []
        for doc in docs:
            if isinstance(doc, str):
                kept.append(doc)
            elif isinstance(doc, Mapping):
                kept.append(dict(doc))
            else:
                raise TypeError(
                    f"RerankRequest.documents must hold str or mappings, got {_type_name(doc)}"
                )
        _set(self, "documents", tuple(kept))
        _check_int("RerankRequest.top_n", self.top_n)
        if self.top_n is not None and self.top_n <= 0:
            raise ValueError(f"RerankRequest.top_n must be > 0, got {self.top_n}")

    def to_dict(self) -> dict[str, object]:
        """The set fields, ``extra`` last."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageRequest(_Wire):
    """The body of ``POST /images``: ``images.generate()`` sends it for the
    whole answer, ``images.stream()`` for a stream (it adds ``stream``
    itself, so a ``stream`` member is refused here).

    ``size`` (``"1024x1024"``), ``aspect_ratio`` (``"16:9"``),
    ``resolution`` (``"1K"``, ``"2K"``, ``"4K"``), ``quality`` (``"auto"``,
    ``"low"``, ``"medium"``, ``"high"``), ``background``, ``output_format``
    (``"png"``, ``"jpeg"``, ``"webp"``) and ``output_compression`` (0-100)
    are forwarded to models that support them. ``input_references`` are
    image parts (``{"type": "image_url", "image_url": {"url": ...}}``) to
    edit or draw from.
    """

    model: str
    prompt: str
    n: int | None = None
    size: str | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    quality: str | None = None
    background: str | None = None
    output_format: str | None = None
    output_compression: int | None = None
    seed: int | None = None
    input_references: Sequence[Mapping[str, object]] | None = None
    provider: ProviderOptions | Mapping[str, object] | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _common("ImageRequest", self)
        _require_str("ImageRequest.prompt", self.prompt, empty_ok=False)
        for name in ("n", "output_compression", "seed"):
            _check_int(f"ImageRequest.{name}", getattr(self, name))
        if self.n is not None and self.n <= 0:
            raise ValueError(f"ImageRequest.n must be > 0, got {self.n}")
        for name in ("size", "aspect_ratio", "resolution", "quality", "background"):
            _check_str(f"ImageRequest.{name}", getattr(self, name))
        _check_str("ImageRequest.output_format", self.output_format)
        refs = _mapping_tuple("ImageRequest.input_references", self.input_references)
        _set(self, "input_references", refs)
        if self.extra and self.extra.get("stream"):
            raise ValueError(
                "ImageRequest: extra['stream'] is not set by hand: call images.stream() to stream"
            )

    def to_dict(self) -> dict[str, object]:
        """The set fields, ``extra`` last."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeechRequest(_Wire):
    """The body of ``POST /audio/speech``: ``input`` read aloud by ``model``.

    ``response_format`` picks the audio encoding (the API's default is
    ``"pcm"``: 16-bit little-endian; ``"mp3"`` gives ``audio/mpeg``);
    ``voice`` a model's voice; ``speed`` a rate multiplier.
    ``input_references`` are the parts of a voice sample for models that
    clone voices (``{"type": "input_audio", "input_audio": {"data": ...}}``
    and an optional ``{"type": "text", "text": ...}`` transcript).
    """

    model: str
    input: str
    voice: str | None = None
    response_format: str | None = None
    speed: float | None = None
    input_references: Sequence[Mapping[str, object]] | None = None
    provider: Mapping[str, object] | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _common("SpeechRequest", self)
        _require_str("SpeechRequest.input", self.input, empty_ok=False)
        _check_str("SpeechRequest.voice", self.voice)
        if self.voice == "":
            raise ValueError("SpeechRequest.voice must not be empty")
        _check_str("SpeechRequest.response_format", self.response_format)
        _check_number("SpeechRequest.speed", self.speed)
        refs = _mapping_tuple("SpeechRequest.input_references", self.input_references)
        _set(self, "input_references", refs)

    def to_dict(self) -> dict[str, object]:
        """The set fields, ``extra`` last."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class TranscriptionRequest(_Wire):
    """The JSON body of ``POST /audio/transcriptions``.

    ``input_audio`` is ``{"data": <base64 of the audio file>, "format":
    "wav"}`` (:meth:`from_file` builds it from a path or bytes).
    ``response_format`` is ``"json"`` (text and usage) or
    ``"verbose_json"`` (also language, duration and timed segments);
    ``timestamp_granularities`` lists ``"segment"`` and/or ``"word"``.
    """

    model: str
    input_audio: Mapping[str, str]
    language: str | None = None
    response_format: str | None = None
    temperature: float | None = None
    timestamp_granularities: Sequence[str] | None = None
    provider: Mapping[str, object] | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _common("TranscriptionRequest", self)
        audio = _check_mapping("TranscriptionRequest.input_audio", self.input_audio)
        if audio is None:
            raise TypeError("TranscriptionRequest.input_audio must be a mapping, got NoneType")
        for key in ("data", "format"):
            _require_str(
                f"TranscriptionRequest.input_audio[{key!r}]", audio.get(key), empty_ok=False
            )
        _set(self, "input_audio", audio)
        for name in ("language", "response_format"):
            _check_str(f"TranscriptionRequest.{name}", getattr(self, name))
        _check_number("TranscriptionRequest.temperature", self.temperature)
        granularities = _str_tuple(
            "TranscriptionRequest.timestamp_granularities", self.timestamp_granularities
        )
        _set(self, "timestamp_granularities", granularities)

    @classmethod
    def from_file(
        cls,
        model: str,
        audio: str | os.PathLike[str] | bytes,
        *,
        format: str | None = None,
        language: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        timestamp_granularities: Sequence[str] | None = None,
        provider: Mapping[str, object] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> TranscriptionRequest:
        """A request for the audio in file ``audio`` (a path) or in ``audio``
        itself (bytes), base64-encoded into ``input_audio``. ``format`` is
        the container (``"wav"``, ``"mp3"``, ...): by default the path's
        suffix; bytes need it given.

        Raises:
            ValueError: no ``format`` given and none known for the suffix.
            OSError: the file cannot be read.
            TypeError: as the constructor.
        """
        if isinstance(audio, bytes | bytearray):
            data = bytes(audio)
            if format is None:
                raise ValueError("TranscriptionRequest.from_file(): give format= for bytes")
        elif isinstance(audio, str | os.PathLike):
            path = Path(audio)
            if format is None:
                format = _AUDIO_FORMATS.get(path.suffix.lower())
                if format is None:
                    raise ValueError(
                        f"TranscriptionRequest.from_file(): no audio format known for "
                        f"{path.suffix or 'a name without suffix'!r}; give format="
                    )
            data = path.read_bytes()
        else:
            raise TypeError(
                f"TranscriptionRequest.from_file() takes a path or bytes, not {_type_name(audio)}"
            )
        return cls(
            model=model,
            input_audio={"data": base64.b64encode(data).decode("ascii"), "format": format},
            language=language,
            response_format=response_format,
            temperature=temperature,
            timestamp_granularities=timestamp_granularities,
            provider=provider,
            extra=extra,
        )

    def to_dict(self) -> dict[str, object]:
        """The set fields, ``extra`` last."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoRequest(_Wire):
    """The body of ``POST /videos``: submit a video generation job.

    ``duration`` is seconds; ``resolution`` (``"720p"``, ``"1080p"``),
    ``aspect_ratio`` (``"16:9"``) or ``size`` (``"1280x720"``) shape it;
    ``frame_images`` and ``input_references`` are image parts for first or
    last frames and references; ``callback_url`` is called when the job
    ends; ``creativity`` and ``upscale_factor`` tune the upscaling models.
    Models differ in what they take: ``client.videos.models()`` lists
    each one's supported values.
    """

    model: str
    prompt: str | None = None
    duration: int | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    size: str | None = None
    seed: int | None = None
    generate_audio: bool | None = None
    frame_images: Sequence[Mapping[str, object]] | None = None
    input_references: Sequence[Mapping[str, object]] | None = None
    callback_url: str | None = None
    creativity: int | None = None
    upscale_factor: float | None = None
    provider: Mapping[str, object] | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _common("VideoRequest", self)
        _check_int("VideoRequest.creativity", self.creativity)
        _check_number("VideoRequest.upscale_factor", self.upscale_factor)
        for name in ("prompt", "resolution", "aspect_ratio", "size", "callback_url"):
            _check_str(f"VideoRequest.{name}", getattr(self, name))
        for name in ("duration", "seed"):
            _check_int(f"VideoRequest.{name}", getattr(self, name))
        if self.duration is not None and self.duration <= 0:
            raise ValueError(f"VideoRequest.duration must be > 0, got {self.duration}")
        _check_bool("VideoRequest.generate_audio", self.generate_audio)
        for name in ("frame_images", "input_references"):
            _set(self, name, _mapping_tuple(f"VideoRequest.{name}", getattr(self, name)))

    def to_dict(self) -> dict[str, object]:
        """The set fields, ``extra`` last."""
        return _fields_to_dict(self)
