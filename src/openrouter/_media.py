"""The namespaces of the other generation APIs: ``client.embeddings``,
``client.rerank``, ``client.images``, ``client.audio`` and ``client.videos``.

Each operation is built once, by a module-level function both faces call;
the faces only run the flow (the blocking one returns its result, the async
one awaits it). Speech and video downloads are written to the given target
as they arrive (see ``_media_download.py``). A streamed image generation
is one more stream kind (:data:`~openrouter._inference.IMAGES_KIND`) read
by the inference streams' core.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack
from urllib.parse import quote

from ._calls import StreamCore
from ._inference import IMAGES_KIND, stream_core, stream_flow
from ._media_download import AUDIO_TYPES, VIDEO_TYPES, DownloadResult, DownloadTarget, download_flow
from ._media_records import (
    Embeddings,
    ImageGeneration,
    ImageModelEndpoints,
    ImageModelList,
    Reranking,
    Transcription,
    VideoJob,
    VideoModelList,
)
from ._media_requests import (
    EmbeddingsRequest,
    ImageRequest,
    RerankRequest,
    SpeechRequest,
    TranscriptionRequest,
    VideoRequest,
)
from ._resource import AsyncResource, CallOptions, Resource, request_body
from ._responses import ModelList
from ._streams import AsyncHeartbeatCallback, AsyncImageStream, HeartbeatCallback, ImageStream

if TYPE_CHECKING:
    from ._client import Flow, _Core, _Options

__all__ = [
    "AsyncAudioResource",
    "AsyncEmbeddingsResource",
    "AsyncImagesResource",
    "AsyncRerankResource",
    "AsyncVideosResource",
    "AudioResource",
    "EmbeddingsResource",
    "ImagesResource",
    "RerankResource",
    "VideosResource",
]


# -- the calls, built once for both faces ------------------------------------------------


def _body(
    request: object,
    kind: type,
    operation: str,
    *required: str,
    streamed_by: str | None = None,
    streams: bool = False,
) -> dict[str, Any]:
    """The wire JSON of ``request``; a mapping must hold the ``required``
    members (a typed request checked them when it was made). Unless the
    operation ``streams``, a mapping that asks for a stream is refused,
    naming ``streamed_by``, the method that streams, if there is one.

    Raises:
        TypeError: as :func:`request_body`.
        ValueError: a mapping lacks a required member, or asks for a stream.
    """
    body = request_body(request, kind, operation)
    if not isinstance(request, kind):
        missing = [name for name in required if body.get(name) in (None, "")]
        if missing:
            raise ValueError(f"{operation}(): the request lacks {', '.join(missing)}")
        if body.get("stream") and not streams:
            if streamed_by is not None:
                raise ValueError(
                    f"{operation}() does not stream: call {streamed_by} for a streamed "
                    "answer, or remove 'stream' from the request"
                )
            raise ValueError(f"{operation}() does not stream: remove 'stream' from the request")
    return body


def _paging(offset: int | None, limit: int | None) -> dict[str, str] | None:
    """The ``offset``/``limit`` query of a paged list (``None`` when neither is given).

    Raises:
        TypeError, ValueError: a value is not an int >= 0 (``limit`` >= 1).
    """
    query: dict[str, str] = {}
    for name, value, least in (("offset", offset, 0), ("limit", limit, 1)):
        if value is None:
            continue
        if type(value) is not int:
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if value < least:
            raise ValueError(f"{name} must be >= {least}, not {value}")
        query[name] = str(value)
    return query or None


def _segment(name: str, value: object) -> str:
    """``value`` as one percent-encoded path segment.

    Raises:
        TypeError: not a str.
        ValueError: empty, a dot segment, or holding a ``/``.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value or value in (".", "..") or "/" in value:
        raise ValueError(f"{name} must be a non-empty id without '/', not {value!r}")
    return quote(value, safe="")


def _embeddings(core: _Core, request: object, options: _Options) -> Flow:
    body = _body(request, EmbeddingsRequest, "embeddings.create", "model", "input")
    return core._call("POST", "embeddings", Embeddings.from_dict, options, payload=body)


def _embedding_models(
    core: _Core, offset: int | None, limit: int | None, options: _Options
) -> Flow:
    query = _paging(offset, limit)
    return core._call("GET", "embeddings/models", ModelList.from_dict, options, query=query)


def _rerank(core: _Core, request: object, options: _Options) -> Flow:
    body = _body(request, RerankRequest, "rerank.create", "model", "query", "documents")
    return core._call("POST", "rerank", Reranking.from_dict, options, payload=body)


def _images(core: _Core, request: object, options: _Options) -> Flow:
    body = _body(
        request,
        ImageRequest,
        "images.generate",
        "model",
        "prompt",
        streamed_by=IMAGES_KIND.stream_method,
    )
    return core._call("POST", "images", ImageGeneration.from_dict, options, payload=body)


def _image_stream(
    core: _Core,
    request: object,
    on_heartbeat: AsyncHeartbeatCallback | None,
    options: _Options,
    *,
    awaits: bool,
) -> tuple[Flow, StreamCore[Any]]:
    """The flow and the stream core of ``images.stream()``: checked at
    once (nothing is sent on an error), as :func:`_images` checks a request.

    Raises:
        TypeError: as :func:`_body`; or ``on_heartbeat`` is an ``async
            def`` on the blocking face.
        ValueError: a mapping lacks ``model`` or ``prompt``, or the request
            asks for more than one image (``n`` > 1).
    """
    body = _body(request, ImageRequest, "images.stream", "model", "prompt", streams=True)
    n = body.get("n")
    if type(n) is int and n > 1:
        # The stream ends at its first image_generation.completed event: a
        # second image would be lost.
        raise ValueError(
            f"images.stream() makes one image, not n={n}: call images.generate() for several"
        )
    stream = stream_core(core, IMAGES_KIND, on_heartbeat, False, awaits=awaits)
    return stream_flow(core, IMAGES_KIND, body, options), stream


def _image_models(core: _Core, options: _Options) -> Flow:
    return core._call("GET", "images/models", ImageModelList.from_dict, options)


def _image_endpoints(core: _Core, author: str, slug: str, options: _Options) -> Flow:
    path = f"images/models/{_segment('author', author)}/{_segment('slug', slug)}/endpoints"
    return core._call("GET", path, ImageModelEndpoints.from_dict, options)


def _speech(core: _Core, request: object, to: object, options: _Options) -> Flow:
    body = _body(request, SpeechRequest, "audio.speech", "model", "input")
    return download_flow(
        core, "POST", "audio/speech", options, to, media_types=AUDIO_TYPES, payload=body
    )


def _transcription(core: _Core, request: object, options: _Options) -> Flow:
    body = _body(request, TranscriptionRequest, "audio.transcriptions", "model", "input_audio")
    return core._call(
        "POST", "audio/transcriptions", Transcription.from_dict, options, payload=body
    )


def _video(core: _Core, request: object, options: _Options) -> Flow:
    body = _body(request, VideoRequest, "videos.create", "model")
    return core._call("POST", "videos", VideoJob.from_dict, options, payload=body)


def _video_job(core: _Core, job_id: str, options: _Options) -> Flow:
    """``GET /videos/{jobId}``: a failed job's own ``error`` (a string: why
    it failed) is part of the answer, not an error response."""
    path = f"videos/{_segment('job_id', job_id)}"
    return core._call("GET", path, VideoJob.from_dict, options)


def _video_download(
    core: _Core, job_id: str, to: object, index: int | None, options: _Options
) -> Flow:
    path = f"videos/{_segment('job_id', job_id)}/content"
    query = None
    if index is not None:
        if type(index) is not int:
            raise TypeError(f"index must be an int, not {type(index).__name__}")
        if index < 0:
            raise ValueError(f"index must be >= 0, not {index}")
        query = {"index": str(index)}
    return download_flow(core, "GET", path, options, to, media_types=VIDEO_TYPES, query=query)


def _video_models(core: _Core, options: _Options) -> Flow:
    return core._call("GET", "videos/models", VideoModelList.from_dict, options)


# -- the namespaces -----------------------------------------------------------------------


class EmbeddingsResource(Resource):
    """``client.embeddings``: vectors for texts (and other inputs)."""

    __slots__ = ()

    def create(
        self, request: EmbeddingsRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> Embeddings:
        """``POST /embeddings``: one vector per input, as lists of floats
        (a base64 answer, ``encoding_format="base64"``, is decoded from
        little-endian float32), with ``usage`` and ``model``. ``request`` is
        an :class:`EmbeddingsRequest` or a mapping holding the wire JSON
        (which must have ``model`` and ``input``). Sent again after a
        failure only while no byte of a response may have arrived, unless
        the retry policy's ``retry_after_send`` allows it.

        Raises:
            TypeError, ValueError: the request is malformed (nothing is sent).
            APIStatusError subclasses, APIConnectionError, APITimeoutError,
                ResponseDecodeError: as every call (see ``openrouter._errors``).
        """
        result: Embeddings = self._run(_embeddings(self._core, request, self._options(options)))
        return result

    def models(
        self,
        offset: int | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> ModelList:
        """``GET /embeddings/models``: the embedding models, as a
        :class:`ModelList` (its ``raw`` keeps ``total_count`` and ``links``);
        ``offset`` and ``limit`` page through them.

        Raises:
            TypeError, ValueError: ``offset`` is not an int >= 0, or
                ``limit`` not an int >= 1 (nothing is sent).
            the errors of every call.
        """
        result: ModelList = self._run(
            _embedding_models(self._core, offset, limit, self._options(options))
        )
        return result


class AsyncEmbeddingsResource(AsyncResource):
    """``client.embeddings`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`EmbeddingsResource`, awaited."""

    __slots__ = ()

    async def create(
        self, request: EmbeddingsRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> Embeddings:
        """As :meth:`EmbeddingsResource.create`."""
        result: Embeddings = await self._run(
            _embeddings(self._core, request, self._options(options))
        )
        return result

    async def models(
        self,
        offset: int | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> ModelList:
        """As :meth:`EmbeddingsResource.models`."""
        result: ModelList = await self._run(
            _embedding_models(self._core, offset, limit, self._options(options))
        )
        return result


class RerankResource(Resource):
    """``client.rerank``: documents ordered by relevance to a query."""

    __slots__ = ()

    def create(
        self, request: RerankRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> Reranking:
        """``POST /rerank``: the documents' ``results`` from most to least
        relevant (``index`` in the request, ``relevance_score``,
        ``document``), with ``usage``. ``request`` is a
        :class:`RerankRequest` or a mapping with the wire JSON (``model``,
        ``query`` and ``documents`` required). Retried as
        :meth:`EmbeddingsResource.create`.

        Raises:
            TypeError, ValueError: the request is malformed (nothing is sent).
            APIStatusError subclasses, APIConnectionError, APITimeoutError,
                ResponseDecodeError: as every call (see ``openrouter._errors``).
        """
        result: Reranking = self._run(_rerank(self._core, request, self._options(options)))
        return result


class AsyncRerankResource(AsyncResource):
    """``client.rerank`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`RerankResource`, awaited."""

    __slots__ = ()

    async def create(
        self, request: RerankRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> Reranking:
        """As :meth:`RerankResource.create`."""
        result: Reranking = await self._run(_rerank(self._core, request, self._options(options)))
        return result


class ImagesResource(Resource):
    """``client.images``: image generation and the image models."""

    __slots__ = ()

    def generate(
        self, request: ImageRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> ImageGeneration:
        """``POST /images``, answered whole: the images (``b64_json``,
        ``media_type``, :meth:`~GeneratedImage.to_bytes`) and ``usage``.
        ``request`` is an :class:`ImageRequest` or a mapping with the wire
        JSON (``model`` and ``prompt`` required; ``stream`` refused).
        Retried as :meth:`EmbeddingsResource.create`.

        Raises:
            TypeError, ValueError: the request is malformed (nothing is sent).
            APIStatusError subclasses, APIConnectionError, APITimeoutError,
                ResponseDecodeError: as every call (see ``openrouter._errors``).
        """
        result: ImageGeneration = self._run(_images(self._core, request, self._options(options)))
        return result

    def stream(
        self,
        request: ImageRequest | Mapping[str, Any],
        *,
        on_heartbeat: HeartbeatCallback | None = None,
        **options: Unpack[CallOptions],
    ) -> ImageStream:
        """``POST /images`` with ``"stream": true``: sends the request now and
        returns the open :class:`ImageStream` of typed events (previews,
        text chunks, then ``image_generation.completed``; see its outcomes);
        its :meth:`~ImageStream.result` is the final :class:`ImageGeneration`.
        ``request`` is an :class:`ImageRequest` or a mapping with the wire
        JSON (``model`` and ``prompt`` required); it asks for one image.
        ``on_heartbeat`` is called with the text of each keepalive comment.
        Takes the per-call options, as :meth:`generate`; the request is sent
        again only while no byte of a response may have arrived, unless the
        retry policy's ``retry_after_send`` allows it.

        OpenRouter streams only from providers with native image streaming;
        the others answer the whole image as JSON, which is not an event
        stream: that answer raises ``APIStatusError`` (use :meth:`generate`
        for those models: ``supports_streaming`` in :meth:`endpoints`).

        Raises:
            TypeError: ``request`` is neither an ImageRequest nor a mapping,
                or ``on_heartbeat`` is an ``async def`` (nothing is sent).
            ValueError: a mapping lacks ``model`` or ``prompt``, or ``n`` is
                more than 1 (nothing is sent).
            APIStatusError subclasses, APIConnectionError, APITimeoutError:
                the stream did not open.
        """
        flow, stream = _image_stream(
            self._core, request, on_heartbeat, self._options(options), awaits=False
        )
        return ImageStream(self._client._open(flow), stream)._start()

    def models(self, **options: Unpack[CallOptions]) -> ImageModelList:
        """``GET /images/models``: the image generation models.

        Raises: the errors of every call.
        """
        result: ImageModelList = self._run(_image_models(self._core, self._options(options)))
        return result

    def endpoints(
        self, author: str, slug: str, **options: Unpack[CallOptions]
    ) -> ImageModelEndpoints:
        """``GET /images/models/{author}/{slug}/endpoints``: the providers
        serving image model ``author/slug``.

        Raises:
            TypeError, ValueError: ``author`` or ``slug`` is not a str, is
                empty, holds a ``/`` or is a dot segment (nothing is sent);
                other characters are percent-encoded.
            NotFoundError: no such model; the errors of every call.
        """
        result: ImageModelEndpoints = self._run(
            _image_endpoints(self._core, author, slug, self._options(options))
        )
        return result


class AsyncImagesResource(AsyncResource):
    """``client.images`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`ImagesResource`, awaited."""

    __slots__ = ()

    async def generate(
        self, request: ImageRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> ImageGeneration:
        """As :meth:`ImagesResource.generate`."""
        result: ImageGeneration = await self._run(
            _images(self._core, request, self._options(options))
        )
        return result

    def stream(
        self,
        request: ImageRequest | Mapping[str, Any],
        *,
        on_heartbeat: AsyncHeartbeatCallback | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncImageStream:
        """As :meth:`ImagesResource.stream`, but the request is sent when the
        stream is awaited, entered (``async with``) or first iterated;
        ``on_heartbeat`` may be an ``async def`` (it is awaited)."""
        flow, stream = _image_stream(
            self._core, request, on_heartbeat, self._options(options), awaits=True
        )
        return AsyncImageStream(self._client._open(flow), stream)

    async def models(self, **options: Unpack[CallOptions]) -> ImageModelList:
        """As :meth:`ImagesResource.models`."""
        result: ImageModelList = await self._run(_image_models(self._core, self._options(options)))
        return result

    async def endpoints(
        self, author: str, slug: str, **options: Unpack[CallOptions]
    ) -> ImageModelEndpoints:
        """As :meth:`ImagesResource.endpoints`."""
        result: ImageModelEndpoints = await self._run(
            _image_endpoints(self._core, author, slug, self._options(options))
        )
        return result


class AudioResource(Resource):
    """``client.audio``: speech synthesis and transcription."""

    __slots__ = ()

    def speech(
        self,
        request: SpeechRequest | Mapping[str, Any],
        to: DownloadTarget,
        **options: Unpack[CallOptions],
    ) -> DownloadResult:
        """``POST /audio/speech``: the audio, written to ``to`` read by read
        as it arrives (memory stays bounded by one read, whatever its
        length); returns the bytes written, the ``Content-Type`` and the
        ``X-Generation-Id``.

        ``to`` is a binary file-like (written, left open) or a path (opened
        for writing once the response is accepted, so an error leaves no
        file behind; closed at the end). The async face writes from the
        event loop, synchronously. ``request`` is a :class:`SpeechRequest`
        or a mapping with the wire JSON (``model`` and ``input`` required).
        The request is sent again only while no byte of a response may have
        arrived, unless the retry policy's ``retry_after_send`` allows it.

        Raises:
            TypeError, ValueError: the request or ``to`` is unusable
                (nothing is sent); FileNotFoundError: ``to`` is a path in
                no existing directory.
            APIStatusError subclasses: an error status, or a 200 whose body
                is not audio (its JSON error read as every call's).
            IncompleteDownloadError (DownloadTimeoutError for a time limit):
                the body broke off; ``to`` keeps the bytes that arrived
                (``bytes_written``), and nothing is sent again.
            OSError: writing to ``to`` failed (the connection is closed).
            APIConnectionError, APITimeoutError: no response.
        """
        result: DownloadResult = self._run(_speech(self._core, request, to, self._options(options)))
        return result

    def transcriptions(
        self, request: TranscriptionRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> Transcription:
        """``POST /audio/transcriptions`` (JSON body, the audio base64 in
        ``input_audio``: see :meth:`TranscriptionRequest.from_file`): the
        transcript's ``text``, with segments and words for
        ``response_format="verbose_json"``, and ``usage``. ``request`` may
        be a mapping with the wire JSON (``model`` and ``input_audio``
        required). Retried as :meth:`EmbeddingsResource.create`.

        Raises:
            TypeError, ValueError: the request is malformed (nothing is sent).
            APIStatusError subclasses, APIConnectionError, APITimeoutError,
                ResponseDecodeError: as every call (see ``openrouter._errors``).
        """
        result: Transcription = self._run(
            _transcription(self._core, request, self._options(options))
        )
        return result


class AsyncAudioResource(AsyncResource):
    """``client.audio`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`AudioResource`, awaited."""

    __slots__ = ()

    async def speech(
        self,
        request: SpeechRequest | Mapping[str, Any],
        to: DownloadTarget,
        **options: Unpack[CallOptions],
    ) -> DownloadResult:
        """As :meth:`AudioResource.speech`; cancelling the task closes the
        connection (``to`` keeps what arrived)."""
        result: DownloadResult = await self._run(
            _speech(self._core, request, to, self._options(options))
        )
        return result

    async def transcriptions(
        self, request: TranscriptionRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> Transcription:
        """As :meth:`AudioResource.transcriptions`."""
        result: Transcription = await self._run(
            _transcription(self._core, request, self._options(options))
        )
        return result


class VideosResource(Resource):
    """``client.videos``: video generation jobs, their files and the video models."""

    __slots__ = ()

    def create(
        self, request: VideoRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> VideoJob:
        """``POST /videos`` (answered 202): the submitted job, ``status``
        ``"pending"``; poll it with :meth:`get`. ``request`` is a
        :class:`VideoRequest` or a mapping with the wire JSON (``model``
        required). Retried as :meth:`EmbeddingsResource.create`.

        Raises:
            TypeError, ValueError: the request is malformed (nothing is sent).
            APIStatusError subclasses, APIConnectionError, APITimeoutError,
                ResponseDecodeError: as every call (see ``openrouter._errors``).
        """
        result: VideoJob = self._run(_video(self._core, request, self._options(options)))
        return result

    def get(self, job_id: str, **options: Unpack[CallOptions]) -> VideoJob:
        """``GET /videos/{jobId}``: the job's current state.

        Raises:
            TypeError, ValueError: ``job_id`` is not a non-empty str without
                ``/`` (nothing is sent).
            NotFoundError: no such job; the errors of every call.
        """
        result: VideoJob = self._run(_video_job(self._core, job_id, self._options(options)))
        return result

    def download(
        self,
        job_id: str,
        to: DownloadTarget,
        index: int | None = None,
        **options: Unpack[CallOptions],
    ) -> DownloadResult:
        """``GET /videos/{jobId}/content``: video ``index`` (the API's
        default is 0) of a completed job, written to ``to`` as it arrives,
        as :meth:`AudioResource.speech` writes audio; returns the bytes
        written and the ``Content-Type``.

        Raises:
            TypeError, ValueError: ``job_id``, ``index`` or ``to`` is
                unusable (nothing is sent).
            NotFoundError: no such job; BadRequestError: not completed yet,
                or no video ``index``.
            IncompleteDownloadError, OSError, and the errors of every call:
                as :meth:`AudioResource.speech` (a download is a read, so
                the retry policy may send it again).
        """
        result: DownloadResult = self._run(
            _video_download(self._core, job_id, to, index, self._options(options))
        )
        return result

    def models(self, **options: Unpack[CallOptions]) -> VideoModelList:
        """``GET /videos/models``: the video generation models and the values each takes.

        Raises: the errors of every call.
        """
        result: VideoModelList = self._run(_video_models(self._core, self._options(options)))
        return result


class AsyncVideosResource(AsyncResource):
    """``client.videos`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`VideosResource`, awaited."""

    __slots__ = ()

    async def create(
        self, request: VideoRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> VideoJob:
        """As :meth:`VideosResource.create`."""
        result: VideoJob = await self._run(_video(self._core, request, self._options(options)))
        return result

    async def get(self, job_id: str, **options: Unpack[CallOptions]) -> VideoJob:
        """As :meth:`VideosResource.get`."""
        result: VideoJob = await self._run(_video_job(self._core, job_id, self._options(options)))
        return result

    async def download(
        self,
        job_id: str,
        to: DownloadTarget,
        index: int | None = None,
        **options: Unpack[CallOptions],
    ) -> DownloadResult:
        """As :meth:`VideosResource.download`."""
        result: DownloadResult = await self._run(
            _video_download(self._core, job_id, to, index, self._options(options))
        )
        return result

    async def models(self, **options: Unpack[CallOptions]) -> VideoModelList:
        """As :meth:`VideosResource.models`."""
        result: VideoModelList = await self._run(_video_models(self._core, self._options(options)))
        return result
