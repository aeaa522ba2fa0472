"""Typed views of the media operations' JSON answers: embeddings, rerank,
images, transcriptions, video jobs and the media model lists.

Built with ``X.from_dict(value)``, never raising, with the rules of
:mod:`openrouter._responses`: known fields typed, a missing or mistyped one
``None``, everything kept in ``raw``.
"""

from __future__ import annotations

import array
import base64
import binascii
import sys
from collections.abc import Callable, Mapping
from typing import Any, Final

from sseproto import Outcome

from ._records import (
    JSONObject,
    as_bool,
    as_int,
    as_num,
    as_obj,
    as_str,
    field,
    int_list,
    listed,
    many,
    obj_list,
    one,
    str_list,
)
from ._responses import Usage, _ListView, _Record
from ._responses_api import ResponseError, _Fold, _parse_event

__all__ = [
    "Embedding",
    "Embeddings",
    "EmbeddingsUsage",
    "GeneratedImage",
    "ImageCompletedEvent",
    "ImageEndpoint",
    "ImageErrorEvent",
    "ImageGeneration",
    "ImageModel",
    "ImageModelEndpoints",
    "ImageModelList",
    "ImagePartialEvent",
    "ImageStreamAccumulator",
    "ImageStreamEvent",
    "ImageTextChunkEvent",
    "RerankDocument",
    "RerankResult",
    "RerankUsage",
    "Reranking",
    "Transcription",
    "TranscriptionSegment",
    "TranscriptionUsage",
    "TranscriptionWord",
    "VideoJob",
    "VideoModel",
    "VideoModelList",
    "VideoUsage",
    "parse_image_event",
]


def _vector(v: object) -> list[float] | None:
    """An embedding: a list of numbers as floats, or the base64 of
    little-endian float32 values (``encoding_format="base64"``) decoded;
    ``None`` for anything else (undecodable base64 included)."""
    if isinstance(v, list):
        return [float(x) for x in v if type(x) is float or type(x) is int]
    if type(v) is str:
        try:
            packed = base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(packed) % 4:
            return None
        values = array.array("f")
        values.frombytes(packed)
        if sys.byteorder == "big":
            values.byteswap()
        return values.tolist()
    return None


# -- embeddings ----------------------------------------------------------------------


class Embedding(_Record):
    """One vector of ``POST /embeddings``: ``embedding`` is a list of floats,
    whichever ``encoding_format`` was asked for (base64 is decoded from
    little-endian float32), ``index`` the input it belongs to."""

    index: int | None = field(as_int)
    object: str | None = field(as_str)
    embedding: list[float] | None = field(_vector)


class EmbeddingsUsage(_Record):
    """``usage`` of ``POST /embeddings``: tokens read and the cost in credits."""

    prompt_tokens: int | None = field(as_int)
    total_tokens: int | None = field(as_int)
    cost: int | float | None = field(as_num)
    is_byok: bool | None = field(as_bool)
    prompt_tokens_details: JSONObject | None = field(as_obj)
    cost_details: JSONObject | None = field(as_obj)


class Embeddings(_Record, _ListView[Embedding]):
    """The answer of ``POST /embeddings``: ``data`` holds one
    :class:`Embedding` per input, in input order; the record indexes and
    iterates like that list, and :attr:`vectors` gives the vectors alone."""

    id: str | None = field(as_str)
    object: str | None = field(as_str)
    model: str | None = field(as_str)
    data: list[Embedding] = field(listed(Embedding))
    usage: EmbeddingsUsage | None = field(one(EmbeddingsUsage))

    def _items(self) -> list[Embedding]:
        return self.data

    @property
    def vectors(self) -> list[list[float]]:
        """Each entry's vector, ordered by ``index`` (``[]`` for an entry without one)."""
        ordered = sorted(self.data, key=lambda e: -1 if e.index is None else e.index)
        return [e.embedding or [] for e in ordered]


# -- rerank --------------------------------------------------------------------------


class RerankDocument(_Record):
    """A ranked document as the API echoes it: ``text`` and/or ``image``."""

    text: str | None = field(as_str)
    image: str | None = field(as_str)


class RerankResult(_Record):
    """One entry of a ranking: the document's ``index`` in the request, its
    ``relevance_score`` (higher is more relevant) and the document."""

    index: int | None = field(as_int)
    relevance_score: int | float | None = field(as_num)
    document: RerankDocument | None = field(one(RerankDocument))


class RerankUsage(_Record):
    """``usage`` of ``POST /rerank``."""

    search_units: int | None = field(as_int)
    total_tokens: int | None = field(as_int)
    cost: int | float | None = field(as_num)


class Reranking(_Record, _ListView[RerankResult]):
    """The answer of ``POST /rerank``: ``results`` from most to least
    relevant (the record indexes and iterates like that list)."""

    id: str | None = field(as_str)
    model: str | None = field(as_str)
    provider: str | None = field(as_str)
    results: list[RerankResult] = field(listed(RerankResult))
    usage: RerankUsage | None = field(one(RerankUsage))

    def _items(self) -> list[RerankResult]:
        return self.results


# -- images --------------------------------------------------------------------------


class GeneratedImage(_Record):
    """One image of ``POST /images``: ``b64_json`` is the encoded file,
    ``media_type`` its type (``"image/png"``)."""

    b64_json: str | None = field(as_str)
    media_type: str | None = field(as_str)

    def to_bytes(self) -> bytes:
        """The image file's bytes.

        Raises:
            ValueError: no ``b64_json``, or it is not base64.
        """
        if self.b64_json is None:
            raise ValueError("this image has no b64_json")
        try:
            return base64.b64decode(self.b64_json, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"b64_json is not base64: {exc}") from exc

    def data_url(self) -> str:
        """``data:<media type>;base64,...`` (``image/png`` when the type is unknown).

        Raises:
            ValueError: no ``b64_json``.
        """
        if self.b64_json is None:
            raise ValueError("this image has no b64_json")
        return f"data:{self.media_type or 'image/png'};base64,{self.b64_json}"


class ImageGeneration(_Record, _ListView[GeneratedImage]):
    """The answer of ``POST /images``: ``data`` holds the images (the record
    indexes and iterates like that list), ``usage`` tokens and cost."""

    created: int | None = field(as_int)
    data: list[GeneratedImage] = field(listed(GeneratedImage))
    usage: Usage | None = field(one(Usage))

    def _items(self) -> list[GeneratedImage]:
        return self.data


# -- streamed images -----------------------------------------------------------------


class ImageStreamEvent(_Record):
    """One event of a streamed image generation (``POST /images`` with
    ``"stream": true``); types with no class of their own are built as this."""

    type: str | None = field(as_str)


class ImagePartialEvent(ImageStreamEvent):
    """``image_generation.partial_image``: a preview of the image being made,
    ``partial_image_index`` 0, 1, ... in order."""

    b64_json: str | None = field(as_str)
    partial_image_index: int | None = field(as_int)

    @property
    def image(self) -> GeneratedImage:
        """The preview as a :class:`GeneratedImage` (``to_bytes()``, ``data_url()``)."""
        return GeneratedImage(self.raw)


class ImageTextChunkEvent(ImageStreamEvent):
    """``image_generation.text_chunk``: a piece of text, for models that make
    text-based images (SVG markup). ``phase`` is ``"content"`` (the image's
    own text), ``"reasoning"`` or ``"draft"`` (intermediate phases)."""

    phase: str | None = field(as_str)
    text: str | None = field(as_str)


class ImageCompletedEvent(ImageStreamEvent):
    """``image_generation.completed``: the final image (``b64_json``,
    ``media_type`` when known), when it was made (``created``, Unix seconds)
    and the request's ``usage``. It ends the stream."""

    b64_json: str | None = field(as_str)
    created: int | None = field(as_int)
    media_type: str | None = field(as_str)
    usage: Usage | None = field(one(Usage))

    @property
    def image(self) -> GeneratedImage:
        """The final image as a :class:`GeneratedImage`."""
        return GeneratedImage(self.raw)


class ImageErrorEvent(ImageStreamEvent):
    """``error``: the generation failed after the stream had started;
    ``error`` holds the provider's ``code``, ``message``, ``param`` and ``type``."""

    @property
    def error(self) -> ResponseError:
        """The error: ``code`` is ``error.code`` (else ``error.type``), ``message`` its message."""
        return ResponseError.from_dict(self.raw)


#: Event ``type`` -> record class; anything else is an :class:`ImageStreamEvent`.
IMAGE_EVENT_CLASSES: Final[dict[str, type[ImageStreamEvent]]] = {
    "image_generation.partial_image": ImagePartialEvent,
    "image_generation.text_chunk": ImageTextChunkEvent,
    "image_generation.completed": ImageCompletedEvent,
    "error": ImageErrorEvent,
}


def parse_image_event(event: object, name: str | None = None) -> ImageStreamEvent:
    """Type one decoded event by its ``type`` (or, lacking one, the SSE event
    ``name``); never raises. Unknown types give a plain :class:`ImageStreamEvent`."""
    return _parse_event(event, name, IMAGE_EVENT_CLASSES, ImageStreamEvent)


class ImageStreamAccumulator(_Fold):
    """Fold the events of one streamed image generation into the final
    :class:`ImageGeneration`.

    ``add(event, name=None)`` takes each decoded event (a ``dict``, or an
    :class:`ImageStreamEvent`) in stream order; ``close()`` marks the end of
    the body.

    Outcome (``outcome``, an :class:`sseproto.Outcome`): ``OPEN`` until
    ``image_generation.completed`` (``COMPLETED``) or ``error`` (``ERRORED``;
    ``error`` holds a :class:`ResponseError`); ``close()`` while still
    ``OPEN`` gives ``TRUNCATED``. Events after the outcome is decided are
    counted in ``ignored``.

    Kept as they arrive: :attr:`partial_images` (each preview, in order) and
    the text of the ``image_generation.text_chunk`` events by phase
    (:meth:`text`). :meth:`result` is built from the completed event: its
    image (``b64_json``, ``media_type``) in ``data``, ``created`` and
    ``usage``; before it, an :class:`ImageGeneration` with no images.
    """

    __slots__ = ("_created", "_images", "_texts", "_usage", "partial_images")

    def __init__(self) -> None:
        super().__init__()
        #: Every preview so far (``image_generation.partial_image``), in arrival order.
        self.partial_images: list[GeneratedImage] = []
        self._texts: dict[str, list[str]] = {}
        self._images: list[JSONObject] = []
        self._created: int | None = None
        self._usage: JSONObject | None = None

    def _on_partial(self, obj: Mapping[str, Any]) -> None:
        self.partial_images.append(GeneratedImage(dict(obj)))

    def _on_text(self, obj: Mapping[str, Any]) -> None:
        text = obj.get("text")
        if type(text) is not str:
            return
        phase = obj.get("phase")
        self._texts.setdefault(phase if type(phase) is str else "content", []).append(text)

    def _on_completed(self, obj: Mapping[str, Any]) -> None:
        self.outcome = Outcome.COMPLETED
        self._images.append({k: obj[k] for k in ("b64_json", "media_type") if k in obj})
        created = obj.get("created")
        if type(created) is int:
            self._created = created
        usage = obj.get("usage")
        if isinstance(usage, dict):
            self._usage = usage

    def text(self, phase: str = "content") -> str:
        """The text of every ``image_generation.text_chunk`` of ``phase``
        (``"content"``, ``"reasoning"`` or ``"draft"``; a chunk without a
        phase counts as content) so far, joined."""
        return "".join(self._texts.get(phase, ()))

    def result(self) -> ImageGeneration:
        """The generation so far (see the class docstring); never raises."""
        built: JSONObject = {}
        if self._created is not None:
            built["created"] = self._created
        built["data"] = list(self._images)
        if self._usage is not None:
            built["usage"] = self._usage
        return ImageGeneration(built)


_ImageHandler = Callable[[ImageStreamAccumulator, Mapping[str, Any]], None]
_IA = ImageStreamAccumulator
_IMAGE_HANDLERS: Final[dict[str, _ImageHandler]] = {
    "image_generation.partial_image": _IA._on_partial,
    "image_generation.text_chunk": _IA._on_text,
    "image_generation.completed": _IA._on_completed,
    "error": _IA._on_error,
}
ImageStreamAccumulator._handlers = _IMAGE_HANDLERS


class ImageModel(_Record):
    """One entry of ``GET /images/models``. ``supported_parameters`` maps a
    parameter name to its description (``{"type": "enum", "values": [...]}``);
    ``endpoints`` is the path of its endpoint list."""

    id: str | None = field(as_str)
    name: str | None = field(as_str)
    created: int | None = field(as_int)
    description: str | None = field(as_str)
    architecture: JSONObject | None = field(as_obj)
    endpoints: str | None = field(as_str)
    supported_parameters: JSONObject | None = field(as_obj)
    supports_streaming: bool | None = field(as_bool)


class ImageModelList(_Record, _ListView[ImageModel]):
    """The answer of ``GET /images/models``, usable as the list of :class:`ImageModel`."""

    data: list[ImageModel] = field(listed(ImageModel))

    def _items(self) -> list[ImageModel]:
        return self.data


class ImageEndpoint(_Record):
    """One provider serving an image model. ``pricing`` is the list of
    price entries (``{"billable", "cost_usd", "unit"}``)."""

    provider_name: str | None = field(as_str)
    provider_slug: str | None = field(as_str)
    provider_tag: str | None = field(as_str)
    pricing: list[JSONObject] | None = field(obj_list)
    supported_parameters: JSONObject | None = field(as_obj)
    supports_streaming: bool | None = field(as_bool)
    allowed_passthrough_parameters: list[str] | None = field(str_list)


class ImageModelEndpoints(_Record, _ListView[ImageEndpoint], envelope=True):
    """The answer of ``GET /images/models/{author}/{slug}/endpoints``: the
    model ``id`` and its ``endpoints`` (the record iterates them)."""

    id: str | None = field(as_str)
    endpoints: list[ImageEndpoint] = field(listed(ImageEndpoint))

    def _items(self) -> list[ImageEndpoint]:
        return self.endpoints


# -- transcriptions ------------------------------------------------------------------


class TranscriptionWord(_Record):
    """A word with its time span in seconds (``verbose_json`` with word timestamps)."""

    word: str | None = field(as_str)
    start: int | float | None = field(as_num)
    end: int | float | None = field(as_num)
    speaker: int | None = field(as_int)


class TranscriptionSegment(_Record):
    """A timed segment of a transcript (``verbose_json``)."""

    id: int | None = field(as_int)
    seek: int | None = field(as_int)
    start: int | float | None = field(as_num)
    end: int | float | None = field(as_num)
    text: str | None = field(as_str)
    tokens: list[int] | None = field(int_list)
    temperature: int | float | None = field(as_num)
    avg_logprob: int | float | None = field(as_num)
    compression_ratio: int | float | None = field(as_num)
    no_speech_prob: int | float | None = field(as_num)
    speaker: int | None = field(as_int)


class TranscriptionUsage(_Record):
    """``usage`` of a transcription: ``seconds`` of audio, tokens and cost."""

    seconds: int | float | None = field(as_num)
    input_tokens: int | None = field(as_int)
    output_tokens: int | None = field(as_int)
    total_tokens: int | None = field(as_int)
    cost: int | float | None = field(as_num)


class Transcription(_Record):
    """The answer of ``POST /audio/transcriptions``: ``text``; with
    ``verbose_json`` also ``task``, ``language``, ``duration`` (seconds),
    ``segments`` and ``words``."""

    text: str | None = field(as_str)
    task: str | None = field(as_str)
    language: str | None = field(as_str)
    duration: int | float | None = field(as_num)
    segments: list[TranscriptionSegment] | None = field(many(TranscriptionSegment))
    words: list[TranscriptionWord] | None = field(many(TranscriptionWord))
    usage: TranscriptionUsage | None = field(one(TranscriptionUsage))


# -- videos --------------------------------------------------------------------------


class VideoUsage(_Record):
    """``usage`` of a video job: its ``cost`` in credits."""

    cost: int | float | None = field(as_num)
    is_byok: bool | None = field(as_bool)


class VideoJob(_Record):
    """A video generation job (``POST /videos``, ``GET /videos/{id}``).

    ``status`` is ``"pending"``, ``"in_progress"``, ``"completed"``,
    ``"failed"``, ``"cancelled"`` or ``"expired"``; once completed,
    ``unsigned_urls`` lists the videos (``videos.download(id, to,
    index=i)`` fetches video ``i``). ``error`` says why a job failed.
    """

    id: str | None = field(as_str)
    polling_url: str | None = field(as_str)
    status: str | None = field(as_str)
    generation_id: str | None = field(as_str)
    unsigned_urls: list[str] | None = field(str_list)
    usage: VideoUsage | None = field(one(VideoUsage))
    error: str | None = field(as_str)

    @property
    def done(self) -> bool:
        """Whether the job ended: completed, failed, cancelled or expired."""
        return self.status in ("completed", "failed", "cancelled", "expired")


class VideoModel(_Record):
    """One entry of ``GET /videos/models``: a model and the values it takes."""

    id: str | None = field(as_str)
    canonical_slug: str | None = field(as_str)
    name: str | None = field(as_str)
    created: int | None = field(as_int)
    description: str | None = field(as_str)
    hugging_face_id: str | None = field(as_str)
    generate_audio: bool | None = field(as_bool)
    seed: bool | None = field(as_bool)
    supported_aspect_ratios: list[str] | None = field(str_list)
    supported_durations: list[int] | None = field(int_list)
    supported_frame_images: list[str] | None = field(str_list)
    supported_resolutions: list[str] | None = field(str_list)
    supported_sizes: list[str] | None = field(str_list)
    pricing_skus: JSONObject | None = field(as_obj)
    allowed_passthrough_parameters: list[str] | None = field(str_list)


class VideoModelList(_Record, _ListView[VideoModel]):
    """The answer of ``GET /videos/models``, usable as the list of :class:`VideoModel`."""

    data: list[VideoModel] = field(listed(VideoModel))

    def _items(self) -> list[VideoModel]:
        return self.data
