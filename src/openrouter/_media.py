"""The namespaces of the other generation APIs: ``client.embeddings``,
``client.rerank``, ``client.images``, ``client.audio`` and ``client.videos``.
"""

from __future__ import annotations

from ._resource import AsyncResource, Resource

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


class EmbeddingsResource(Resource):
    """``client.embeddings``."""

    __slots__ = ()


class AsyncEmbeddingsResource(AsyncResource):
    """``client.embeddings`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Embeddings`, awaited."""

    __slots__ = ()


class RerankResource(Resource):
    """``client.rerank``."""

    __slots__ = ()


class AsyncRerankResource(AsyncResource):
    """``client.rerank`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Rerank`, awaited."""

    __slots__ = ()


class ImagesResource(Resource):
    """``client.images``."""

    __slots__ = ()


class AsyncImagesResource(AsyncResource):
    """``client.images`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Images`, awaited."""

    __slots__ = ()


class AudioResource(Resource):
    """``client.audio``."""

    __slots__ = ()


class AsyncAudioResource(AsyncResource):
    """``client.audio`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Audio`, awaited."""

    __slots__ = ()


class VideosResource(Resource):
    """``client.videos``."""

    __slots__ = ()


class AsyncVideosResource(AsyncResource):
    """``client.videos`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Videos`, awaited."""

    __slots__ = ()
