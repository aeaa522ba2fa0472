"""The catalogue namespaces: ``client.models``, ``client.endpoints`` and
``client.providers``.
"""

from __future__ import annotations

from ._resource import AsyncResource, Resource

__all__ = [
    "AsyncEndpointsResource",
    "AsyncModelsResource",
    "AsyncProvidersResource",
    "EndpointsResource",
    "ModelsResource",
    "ProvidersResource",
]


class ModelsResource(Resource):
    """``client.models``."""

    __slots__ = ()


class AsyncModelsResource(AsyncResource):
    """``client.models`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Models`, awaited."""

    __slots__ = ()


class EndpointsResource(Resource):
    """``client.endpoints``."""

    __slots__ = ()


class AsyncEndpointsResource(AsyncResource):
    """``client.endpoints`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Endpoints`, awaited."""

    __slots__ = ()


class ProvidersResource(Resource):
    """``client.providers``."""

    __slots__ = ()


class AsyncProvidersResource(AsyncResource):
    """``client.providers`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Providers`, awaited."""

    __slots__ = ()
