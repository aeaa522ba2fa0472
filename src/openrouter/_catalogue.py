"""The catalogue namespaces: ``client.models``, ``client.endpoints`` and
``client.providers``.

Each operation is built once, by a module-level function that checks the
arguments (before anything is sent) and returns the call's flow; both faces
run it (``self._run``).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Final, Literal, Unpack

from ._catalogue_records import Provider, data_list, data_object
from ._errors import ResponseDecodeError
from ._requests import (
    ModelCategory,
    ModelSort,
    ModelsQuery,
    _check_at_least,
    _check_int,
    path_segment,
)
from ._resource import AsyncResource, CallOptions, Resource
from ._responses import Endpoint, Model, ModelEndpoints, ModelList

if TYPE_CHECKING:
    from ._client import Flow, _Core, _Options

__all__ = [
    "AsyncEndpointsResource",
    "AsyncModelsResource",
    "AsyncProvidersResource",
    "EndpointsResource",
    "ModelsResource",
    "ProvidersResource",
]

#: The filter keywords of ``models.list()``: :class:`ModelsQuery`'s fields.
_FILTERS: Final = tuple(f.name for f in fields(ModelsQuery))


def _list_flow(
    core: _Core, query: ModelsQuery | None, given: Mapping[str, Any], options: _Options
) -> Flow:
    """``GET /models`` with ``query``, or with the filters given as keywords
    (``given``: the caller's locals, of which the filter names are read)."""
    filters = {name: given[name] for name in _FILTERS if given.get(name) is not None}
    if query is not None and not isinstance(query, ModelsQuery):
        raise TypeError(f"query must be a ModelsQuery, got {type(query).__name__}")
    if filters:
        if query is not None:
            raise TypeError(
                "models.list() takes a ModelsQuery or filter keywords, not both "
                f"(got query and {', '.join(sorted(filters))})"
            )
        query = ModelsQuery(**filters)
    params = query.to_params() if query is not None else None
    return core._call("GET", "models", ModelList.from_dict, options, query=params)


def paging(offset: int | None, limit: int | None = None) -> dict[str, str]:
    """``offset`` (0 or more) and ``limit`` (1 or more) as query parameters, unset ones left out.

    Raises:
        TypeError: either is not an int (a ``bool`` is refused).
        ValueError: ``offset`` is negative or ``limit`` below 1.
    """
    params: dict[str, str] = {}
    for name, value, least in (("offset", offset, 0), ("limit", limit, 1)):
        _check_int(name, value)
        _check_at_least(name, value, least)
        if value is not None:
            params[name] = str(value)
    return params


def _model_path(author: str, slug: str, prefix: str, suffix: str = "") -> str:
    return f"{prefix}/{path_segment('author', author)}/{path_segment('slug', slug)}{suffix}"


def _get_flow(core: _Core, author: str, slug: str, options: _Options) -> Flow:
    path = _model_path(author, slug, "model")
    return core._call("GET", path, data_object(Model), options)


def _endpoints_flow(core: _Core, author: str, slug: str, options: _Options) -> Flow:
    path = _model_path(author, slug, "models", "/endpoints")
    return core._call("GET", path, ModelEndpoints.from_dict, options)


def _read_count(body: object) -> int:
    """``data.count`` of ``GET /models/count``.

    Raises:
        ResponseDecodeError: the body holds no integer count.
    """
    data = body.get("data") if isinstance(body, dict) else None
    count = data.get("count") if isinstance(data, dict) else None
    if type(count) is not int:
        raise ResponseDecodeError("GET /models/count answered without an integer data.count")
    return count


def _count_flow(core: _Core, output_modalities: Sequence[str] | None, options: _Options) -> Flow:
    params = ModelsQuery(output_modalities=output_modalities).to_params()
    return core._call("GET", "models/count", _read_count, options, query=params or None)


def _for_user_flow(core: _Core, offset: int | None, limit: int | None, options: _Options) -> Flow:
    params = paging(offset, limit)
    return core._call("GET", "models/user", ModelList.from_dict, options, query=params or None)


class ModelsResource(Resource):
    """``client.models``: the model catalogue."""

    __slots__ = ()

    def list(
        self,
        query: ModelsQuery | None = None,
        *,
        category: ModelCategory | str | None = None,
        supported_parameters: Sequence[str] | None = None,
        output_modalities: Sequence[str] | None = None,
        input_modalities: Sequence[str] | None = None,
        sort: ModelSort | str | None = None,
        q: str | None = None,
        context: int | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        min_output_price: float | None = None,
        max_output_price: float | None = None,
        arch: str | None = None,
        model_authors: Sequence[str] | None = None,
        providers: Sequence[str] | None = None,
        distillable: bool | None = None,
        zdr: bool | None = None,
        region: Literal["eu", "us"] | str | None = None,
        min_age_days: int | None = None,
        max_age_days: int | None = None,
        min_intelligence_index: float | None = None,
        max_intelligence_index: float | None = None,
        min_coding_index: float | None = None,
        max_coding_index: float | None = None,
        min_agentic_index: float | None = None,
        max_agentic_index: float | None = None,
        min_tool_success_rate: float | None = None,
        max_tool_success_rate: float | None = None,
        offset: int | None = None,
        limit: int | None = None,
        extra: Mapping[str, str] | None = None,
        **options: Unpack[CallOptions],
    ) -> ModelList:
        """``GET /models``: the models, filtered by ``query`` or by the filter keywords.

        The keywords are :class:`ModelsQuery`'s fields (see it for each
        one's meaning and wire form), so ``list(supported_parameters=["tools"])``
        is ``list(ModelsQuery(supported_parameters=["tools"]))``. ``offset``
        and ``limit`` page the list; a paged answer has ``total_count`` and
        ``links.next``. The result indexes, slices, iterates and has a
        ``len()`` like a list of :class:`Model` (see :class:`ModelList`).

        Raises:
            TypeError: both ``query`` and a filter keyword are given,
                ``query`` is not a ``ModelsQuery``, or a filter has the
                wrong type (as ``ModelsQuery`` raises); nothing is sent.
            ValueError: a filter is out of range (as ``ModelsQuery`` raises).
            APIStatusError: the server's error answer.
        """
        result: ModelList = self._run(
            _list_flow(self._core, query, locals(), self._options(options))
        )
        return result

    def get(self, author: str, slug: str, **options: Unpack[CallOptions]) -> Model:
        """``GET /model/{author}/{slug}`` (singular ``model``): one model.

        ``slug`` may carry a variant (``"gpt-4o:free"``).

        Raises:
            TypeError: ``author`` or ``slug`` is not a str.
            ValueError: ``author`` or ``slug`` is empty, holds a ``/`` or is
                a dot segment; other characters are percent-encoded.
            NotFoundError: no such model.
        """
        result: Model = self._run(_get_flow(self._core, author, slug, self._options(options)))
        return result

    def count(
        self, output_modalities: Sequence[str] | None = None, **options: Unpack[CallOptions]
    ) -> int:
        """``GET /models/count``: how many models there are, as an ``int``.

        ``output_modalities`` counts the models with those outputs
        (``["text"]`` is the server's default, ``["all"]`` counts every model).

        Raises:
            TypeError: ``output_modalities`` is not a list of str.
            ResponseDecodeError: the answer holds no integer ``data.count``.
        """
        result: int = self._run(_count_flow(self._core, output_modalities, self._options(options)))
        return result

    def for_user(
        self,
        offset: int | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> ModelList:
        """``GET /models/user``: the models this key may use, after its
        provider preferences, privacy settings and guardrails.

        Raises:
            TypeError: ``offset`` or ``limit`` is not an int.
            ValueError: ``offset`` is negative or ``limit`` below 1.
        """
        flow = _for_user_flow(self._core, offset, limit, self._options(options))
        result: ModelList = self._run(flow)
        return result

    def endpoints(self, author: str, slug: str, **options: Unpack[CallOptions]) -> ModelEndpoints:
        """``GET /models/{author}/{slug}/endpoints``: a model and the provider
        endpoints serving it.

        Raises:
            TypeError: ``author`` or ``slug`` is not a str.
            ValueError: ``author`` or ``slug`` is empty, holds a ``/`` or is
                a dot segment.
            NotFoundError: no such model.
        """
        flow = _endpoints_flow(self._core, author, slug, self._options(options))
        result: ModelEndpoints = self._run(flow)
        return result


class AsyncModelsResource(AsyncResource):
    """``client.models`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`ModelsResource`, awaited."""

    __slots__ = ()

    async def list(
        self,
        query: ModelsQuery | None = None,
        *,
        category: ModelCategory | str | None = None,
        supported_parameters: Sequence[str] | None = None,
        output_modalities: Sequence[str] | None = None,
        input_modalities: Sequence[str] | None = None,
        sort: ModelSort | str | None = None,
        q: str | None = None,
        context: int | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        min_output_price: float | None = None,
        max_output_price: float | None = None,
        arch: str | None = None,
        model_authors: Sequence[str] | None = None,
        providers: Sequence[str] | None = None,
        distillable: bool | None = None,
        zdr: bool | None = None,
        region: Literal["eu", "us"] | str | None = None,
        min_age_days: int | None = None,
        max_age_days: int | None = None,
        min_intelligence_index: float | None = None,
        max_intelligence_index: float | None = None,
        min_coding_index: float | None = None,
        max_coding_index: float | None = None,
        min_agentic_index: float | None = None,
        max_agentic_index: float | None = None,
        min_tool_success_rate: float | None = None,
        max_tool_success_rate: float | None = None,
        offset: int | None = None,
        limit: int | None = None,
        extra: Mapping[str, str] | None = None,
        **options: Unpack[CallOptions],
    ) -> ModelList:
        """As :meth:`ModelsResource.list`."""
        flow = _list_flow(self._core, query, locals(), self._options(options))
        result: ModelList = await self._run(flow)
        return result

    async def get(self, author: str, slug: str, **options: Unpack[CallOptions]) -> Model:
        """As :meth:`ModelsResource.get`."""
        result: Model = await self._run(_get_flow(self._core, author, slug, self._options(options)))
        return result

    async def count(
        self, output_modalities: Sequence[str] | None = None, **options: Unpack[CallOptions]
    ) -> int:
        """As :meth:`ModelsResource.count`."""
        flow = _count_flow(self._core, output_modalities, self._options(options))
        result: int = await self._run(flow)
        return result

    async def for_user(
        self,
        offset: int | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> ModelList:
        """As :meth:`ModelsResource.for_user`."""
        flow = _for_user_flow(self._core, offset, limit, self._options(options))
        result: ModelList = await self._run(flow)
        return result

    async def endpoints(
        self, author: str, slug: str, **options: Unpack[CallOptions]
    ) -> ModelEndpoints:
        """As :meth:`ModelsResource.endpoints`."""
        flow = _endpoints_flow(self._core, author, slug, self._options(options))
        result: ModelEndpoints = await self._run(flow)
        return result


def _zdr_flow(core: _Core, options: _Options) -> Flow:
    return core._call("GET", "endpoints/zdr", data_list(Endpoint), options)


class EndpointsResource(Resource):
    """``client.endpoints``: the provider endpoints serving models."""

    __slots__ = ()

    def list(self, author: str, slug: str, **options: Unpack[CallOptions]) -> ModelEndpoints:
        """``GET /models/{author}/{slug}/endpoints``: as :meth:`ModelsResource.endpoints`."""
        flow = _endpoints_flow(self._core, author, slug, self._options(options))
        result: ModelEndpoints = self._run(flow)
        return result

    def zdr(self, **options: Unpack[CallOptions]) -> builtins.list[Endpoint]:
        """``GET /endpoints/zdr``: the endpoints that remain when zero data
        retention is enforced, as :class:`Endpoint` records in the API's order."""
        result: builtins.list[Endpoint] = self._run(_zdr_flow(self._core, self._options(options)))
        return result


class AsyncEndpointsResource(AsyncResource):
    """``client.endpoints`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`EndpointsResource`, awaited."""

    __slots__ = ()

    async def list(self, author: str, slug: str, **options: Unpack[CallOptions]) -> ModelEndpoints:
        """As :meth:`EndpointsResource.list`."""
        flow = _endpoints_flow(self._core, author, slug, self._options(options))
        result: ModelEndpoints = await self._run(flow)
        return result

    async def zdr(self, **options: Unpack[CallOptions]) -> builtins.list[Endpoint]:
        """As :meth:`EndpointsResource.zdr`."""
        result: builtins.list[Endpoint] = await self._run(
            _zdr_flow(self._core, self._options(options))
        )
        return result


def _providers_flow(core: _Core, options: _Options) -> Flow:
    return core._call("GET", "providers", data_list(Provider), options)


class ProvidersResource(Resource):
    """``client.providers``: the providers OpenRouter routes to."""

    __slots__ = ()

    def list(self, **options: Unpack[CallOptions]) -> builtins.list[Provider]:
        """``GET /providers``: every provider, as :class:`Provider` records in the API's order."""
        result: builtins.list[Provider] = self._run(
            _providers_flow(self._core, self._options(options))
        )
        return result


class AsyncProvidersResource(AsyncResource):
    """``client.providers`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`ProvidersResource`, awaited."""

    __slots__ = ()

    async def list(self, **options: Unpack[CallOptions]) -> builtins.list[Provider]:
        """As :meth:`ProvidersResource.list`."""
        result: builtins.list[Provider] = await self._run(
            _providers_flow(self._core, self._options(options))
        )
        return result
