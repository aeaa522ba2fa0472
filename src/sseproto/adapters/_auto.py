"""An async client that runs under asyncio or trio, whichever is running."""

from __future__ import annotations

import os
import ssl
from typing import Any

from sseproto.http import (
    DEFAULT_IDLE_EXPIRY,
    DEFAULT_MAX_IDLE_PER_ORIGIN,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUTS,
    Proxies,
    Timeouts,
)

from . import _runtime
from ._clients import AsyncClientBase
from ._drivers import AsyncDriver, Flow
from ._sockets import AsyncSocketClient

__all__ = ["AsyncClient"]


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
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        max_idle_per_origin: int = DEFAULT_MAX_IDLE_PER_ORIGIN,
        idle_expiry: float = DEFAULT_IDLE_EXPIRY,
        proxy: str | Proxies | None = None,
        trust_env: bool = True,
        http2: bool = False,
        http2_prior_knowledge: bool = False,
    ) -> None:
        if backend not in (None, "asyncio", "trio"):
            raise ValueError(f"backend must be 'asyncio', 'trio' or None, not {backend!r}")
        self._configure(timeouts, max_redirects)
        self._sleep = _runtime.sleep
        self._backend = backend
        self._client: AsyncSocketClient | None = None
        self._options: dict[str, Any] = {
            "ssl_context": ssl_context,
            "timeouts": timeouts,
            "max_redirects": max_redirects,
            "max_idle_per_origin": max_idle_per_origin,
            "idle_expiry": idle_expiry,
            # Resolved now, as the runtime's own client would.
            "proxy": Proxies.resolve(proxy, trust_env=trust_env, environ=os.environ),
            "trust_env": False,
            "http2": http2,
            "http2_prior_knowledge": http2_prior_knowledge,
        }

    @property
    def backend(self) -> str | None:
        """``"asyncio"`` or ``"trio"`` once chosen, else ``None``."""
        return self._backend

    def _inner(self) -> AsyncSocketClient:
        try:
            running = _runtime.running()
        except RuntimeError as exc:
            raise RuntimeError(f"AsyncClient must be used under asyncio or trio: {exc}") from exc
        if self._backend is not None and running != self._backend:
            raise RuntimeError(f"this AsyncClient runs under {self._backend}, not {running}")
        if self._client is None:
            if running == "trio":
                from .trio import Client as TrioClient  # noqa: PLC0415 - optional dependency

                self._client = TrioClient(**self._options)
            else:
                from .asyncio import Client as AsyncioClient  # noqa: PLC0415

                self._client = AsyncioClient(**self._options)
            self._backend = running
        return self._client

    def clock(self) -> float:
        """The running library's clock (that of the client it picked)."""
        return self._inner().clock()

    def _driver(self, flow: Flow) -> AsyncDriver:
        inner = self._inner()
        return inner._pump(inner, flow, inner._connections(), self._sleep)

    async def aclose(self) -> None:
        """Close every idle connection."""
        if self._client is not None:
            await self._client.aclose()
