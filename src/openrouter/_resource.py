"""What every resource namespace (``client.chat``, ``client.models``, ...)
is built on: the per-call options, the sync and async bases, and the
reading of a request given as a typed object or as a plain mapping.

A namespace method builds its call as a flow with the client's
``_Core`` helpers (``_call``, ``_stream``) and hands it to the client:
the blocking face returns ``self._run(flow)``, the async face awaits it.
The flows are written once, in functions both faces call, so the two
cannot drift apart (``tests/test_twins.py`` compares their signatures).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from sseproto.http import HeaderTypes, Timeouts

if TYPE_CHECKING:
    from ._client import AsyncOpenRouter, OpenRouter, _Core, _Options

__all__ = [
    "AsyncResource",
    "CallOptions",
    "Resource",
    "request_body",
]


class CallOptions(TypedDict, total=False):
    """The keyword arguments every operation takes, for that call alone.

    ``timeout``: seconds (the read limit) or a :class:`~sseproto.http.Timeouts`,
    replacing the client's. ``headers``: a mapping or ``(name, value)``
    pairs, added to the client's headers and replacing those of the same
    name (``Authorization`` is refused: the key is the client's).
    ``max_retries``: replacing the retry policy's.
    """

    timeout: float | Timeouts | None
    headers: HeaderTypes | None
    max_retries: int | None


def request_body(request: object, kind: type, operation: str) -> dict[str, Any]:
    """The wire JSON of ``request``: a ``kind`` instance's ``to_dict()``, or a
    copy of a plain mapping with string keys (sent as given, so a field this
    library does not model yet can be used at once).

    Raises:
        TypeError: ``request`` is neither a ``kind`` nor a mapping with
            string keys (``operation`` names the method in the message).
    """
    if isinstance(request, kind):
        body: dict[str, Any] = request.to_dict()  # type: ignore[attr-defined]  # every request type has it
        return body
    if isinstance(request, Mapping):
        if not all(isinstance(key, str) for key in request):
            raise TypeError(f"{operation}(): a mapping request must have str keys")
        return dict(request)
    raise TypeError(
        f"{operation}() takes a {kind.__name__} or a mapping with the wire JSON, "
        f"not {type(request).__name__}"
    )


class Resource:
    """The base of the blocking namespaces: ``self._client`` is the
    :class:`~openrouter.OpenRouter` they belong to."""

    __slots__ = ("_client",)

    def __init__(self, client: OpenRouter) -> None:
        self._client = client

    @property
    def _core(self) -> _Core:
        return self._client

    def _options(self, options: CallOptions) -> _Options:
        return self._client._options(
            options.get("timeout"), options.get("headers"), options.get("max_retries")
        )

    def _run(self, flow: Any) -> Any:
        return self._client._run(flow)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class AsyncResource:
    """The base of the async namespaces: ``self._client`` is the
    :class:`~openrouter.AsyncOpenRouter` they belong to."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncOpenRouter) -> None:
        self._client = client

    @property
    def _core(self) -> _Core:
        return self._client

    def _options(self, options: CallOptions) -> _Options:
        return self._client._options(
            options.get("timeout"), options.get("headers"), options.get("max_retries")
        )

    async def _run(self, flow: Any) -> Any:
        return await self._client._run(flow)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"
