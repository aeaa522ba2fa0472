"""An async client that runs under asyncio or trio, whichever is running."""

from __future__ import annotations

import ssl
from typing import Any

import sniffio

from ._errors import DEFAULT_MAX_REDIRECTS, Timeouts
from ._pool import DEFAULT_IDLE_EXPIRY, DEFAULT_MAX_IDLE_PER_ORIGIN
from ._runners import AsyncClientBase, AsyncRunner

__all__ = ["AsyncClient"]

_DEFAULT_TIMEOUTS = Timeouts()


class AsyncClient(AsyncClientBase):
    """An async SSE client that picks its runtime when first used: the
    asyncio adapter under asyncio, the trio adapter under trio (as
    ``sniffio`` reports it; no anyio needed). ``backend="asyncio"`` or
    ``"trio"`` chooses up front. The other arguments and the methods are
    those of :class:`sseproto.adapters.asyncio.Client`.

    Raises (on first use):
        RuntimeError: no async library is running, or it is another one
            than the client was first used (or built) with.
    """

    __slots__ = ("_backend", "_client", "_options")

    def __init__(
        self,
        *,
        backend: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeouts: Timeouts = _DEFAULT_TIMEOUTS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        max_idle_per_origin: int = DEFAULT_MAX_IDLE_PER_ORIGIN,
        idle_expiry: float = DEFAULT_IDLE_EXPIRY,
    ) -> None:
        if backend not in (None, "asyncio", "trio"):
            raise ValueError(f"backend must be 'asyncio', 'trio' or None, not {backend!r}")
        self._configure(timeouts, max_redirects)
        self._backend = backend
        self._client: AsyncClientBase | None = None
        self._options: dict[str, Any] = {
            "ssl_context": ssl_context,
            "timeouts": timeouts,
            "max_redirects": max_redirects,
            "max_idle_per_origin": max_idle_per_origin,
            "idle_expiry": idle_expiry,
        }

    @property
    def backend(self) -> str | None:
        """``"asyncio"`` or ``"trio"`` once chosen, else ``None``."""
        return self._backend

    def _inner(self) -> AsyncClientBase:
        try:
            running = sniffio.current_async_library()
        except sniffio.AsyncLibraryNotFoundError as exc:
            raise RuntimeError("AsyncClient must be used under asyncio or trio") from exc
        if self._backend is not None and running != self._backend:
            raise RuntimeError(f"this AsyncClient runs under {self._backend}, not {running}")
        if self._client is None:
            if running == "trio":
                from .trio import Client as TrioClient  # noqa: PLC0415 - optional dependency

                self._client = TrioClient(**self._options)
            elif running == "asyncio":
                from .asyncio import Client as AsyncioClient  # noqa: PLC0415

                self._client = AsyncioClient(**self._options)
            else:
                raise RuntimeError(f"AsyncClient runs under asyncio or trio, not {running}")
            self._backend = running
        return self._client

    def _clock(self) -> float:
        return self._inner()._clock()

    def _runner(self, flow: Any) -> AsyncRunner:
        return self._inner()._runner(flow)

    async def aclose(self) -> None:
        """Close every idle connection."""
        if self._client is not None:
            await self._client.aclose()
