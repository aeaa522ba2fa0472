"""The account namespaces: ``client.generations``, ``client.credits``,
``client.activity``, ``client.keys`` and ``client.auth``.
"""

from __future__ import annotations

from ._resource import AsyncResource, Resource

__all__ = [
    "ActivityResource",
    "AsyncActivityResource",
    "AsyncAuthResource",
    "AsyncCreditsResource",
    "AsyncGenerationsResource",
    "AsyncKeysResource",
    "AuthResource",
    "CreditsResource",
    "GenerationsResource",
    "KeysResource",
]


class GenerationsResource(Resource):
    """``client.generations``."""

    __slots__ = ()


class AsyncGenerationsResource(AsyncResource):
    """``client.generations`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Generations`, awaited."""

    __slots__ = ()


class CreditsResource(Resource):
    """``client.credits``."""

    __slots__ = ()


class AsyncCreditsResource(AsyncResource):
    """``client.credits`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Credits`, awaited."""

    __slots__ = ()


class ActivityResource(Resource):
    """``client.activity``."""

    __slots__ = ()


class AsyncActivityResource(AsyncResource):
    """``client.activity`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Activity`, awaited."""

    __slots__ = ()


class KeysResource(Resource):
    """``client.keys``."""

    __slots__ = ()


class AsyncKeysResource(AsyncResource):
    """``client.keys`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Keys`, awaited."""

    __slots__ = ()


class AuthResource(Resource):
    """``client.auth``."""

    __slots__ = ()


class AsyncAuthResource(AsyncResource):
    """``client.auth`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Auth`, awaited."""

    __slots__ = ()
