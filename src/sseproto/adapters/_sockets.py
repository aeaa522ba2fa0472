"""What the three socket clients (blocking, asyncio, trio) share: their
arguments, their pool of keep-alive connections, their TLS context, and how
a flow gets a driver on them.

Each runtime's module then holds only its pump (connect, perform one
connection operation, close a connection) and its clock and sleep.
"""

from __future__ import annotations

import abc
import os
import ssl
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from sseproto.http import (
    DEFAULT_IDLE_EXPIRY,
    DEFAULT_MAX_IDLE_PER_ORIGIN,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUTS,
    ConnectionPool,
    HTTP2Pool,
    HTTP11Connections,
    HTTPConnections,
    Proxies,
    Timeouts,
)

from ._clients import AsyncClientBase, SyncClientBase
from ._drivers import AsyncDriver, Flow, SyncDriver

__all__ = ["AsyncPump", "AsyncSocketClient", "SyncPump", "SyncSocketClient"]


class SyncPump(SyncDriver):
    """A blocking socket runtime's driver: it performs the connection
    operations (``OpenConnection``, ``CheckIdle``, ``SendBytes``,
    ``ReceiveBytes``, ``CloseConnection``) for ``client``."""

    __slots__ = ("_client", "_conn")

    def __init__(
        self,
        client: SyncSocketClient,
        flow: Flow,
        connections: HTTP11Connections,
        sleep: Callable[[float], object],
    ) -> None:
        super().__init__(flow, connections, sleep)
        self._client = client
        # The connection of the latest send or receive, for interrupt().
        self._conn: Any = None

    @staticmethod
    @abc.abstractmethod
    def discard(conn: Any) -> None:
        """Close ``conn`` at once. Never raises."""

    @staticmethod
    @abc.abstractmethod
    def runtime_sleep(seconds: float) -> object:
        """The runtime's sleep, for ``Wait``."""


class AsyncPump(AsyncDriver):
    """The async counterpart of :class:`SyncPump`."""

    __slots__ = ("_client",)

    def __init__(
        self,
        client: AsyncSocketClient,
        flow: Flow,
        connections: HTTP11Connections,
        sleep: Callable[[float], Awaitable[object]],
    ) -> None:
        super().__init__(flow, connections, sleep)
        self._client = client

    @staticmethod
    @abc.abstractmethod
    def discard(conn: Any) -> None:
        """Close ``conn`` at once, without awaiting. Never raises."""

    @staticmethod
    @abc.abstractmethod
    async def runtime_sleep(seconds: float) -> object:
        """The runtime's sleep, for ``Wait``."""


class _SocketOptions(abc.ABC):
    """The constructor and TLS context of the socket clients."""

    __slots__ = ()

    # The slots are the concrete bases' (two bases with slots cannot be mixed).
    _pool: ConnectionPool[Any]
    _proxies: Proxies | None
    _h2pool: HTTP2Pool | None
    _alpn: bool
    _ssl_context: ssl.SSLContext | None
    _pump: ClassVar[type[SyncPump] | type[AsyncPump]]
    _sleep: Any

    def __init__(
        self,
        *,
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
        self._configure(timeouts, max_redirects)  # type: ignore[attr-defined]
        # Read once, here: a client's routes never change (its pool relies on it).
        self._proxies = Proxies.resolve(  # type: ignore[misc]
            proxy, trust_env=trust_env, environ=os.environ
        )
        if not isinstance(http2, bool) or not isinstance(http2_prior_knowledge, bool):
            raise TypeError("http2 and http2_prior_knowledge must be True or False")
        # HTTP/2 where the server speaks it: offered by ALPN on https://,
        # spoken at once on http:// with prior knowledge.
        self._alpn = http2  # type: ignore[misc]
        # A caller's context may offer h2 whatever http2= says (an HTTP/2
        # client sharing it set ALPN on it, as httpx does too): then the
        # server's choice is followed, and HTTP/2 spoken if it picked h2.
        self._h2pool = (  # type: ignore[misc]
            HTTP2Pool(prior_knowledge=http2_prior_knowledge, idle_expiry=idle_expiry)
            if http2 or http2_prior_knowledge or ssl_context is not None
            else None
        )
        self._ssl_context = ssl_context  # type: ignore[misc]
        self._sleep = self._pump.runtime_sleep
        self._pool = ConnectionPool(  # type: ignore[misc]
            max_idle_per_origin=max_idle_per_origin, idle_expiry=idle_expiry
        )

    def _tls(self) -> ssl.SSLContext:
        """The context for ``https://`` origins: the caller's, or by default
        ``ssl.create_default_context()`` (made once, on first use)."""
        context = self._ssl_context
        if context is None:
            context = self._ssl_context = ssl.create_default_context()  # type: ignore[misc]
            if self._alpn:
                context.set_alpn_protocols(["h2", "http/1.1"])
        elif self._alpn:
            # As httpx does with a caller's context: HTTP/2 needs ALPN on it.
            context.set_alpn_protocols(["h2", "http/1.1"])
        return context

    def _connections(self) -> HTTP11Connections:
        """The connection layer of one flow run."""
        if self._h2pool is None:
            return HTTP11Connections(self._pool, self.clock, self._proxies)  # type: ignore[attr-defined]
        return HTTPConnections(self._pool, self._h2pool, self.clock, self._proxies)  # type: ignore[attr-defined]

    def _drain(self) -> list[Any]:
        """Forget every idle connection; returns them, to close."""
        conns = self._pool.drain()
        if self._h2pool is not None:
            conns += self._h2pool.drain()
        return conns


class SyncSocketClient(_SocketOptions, SyncClientBase):
    """A blocking client over connections its pump makes; see
    :class:`sseproto.adapters.sync.Client` for the arguments."""

    __slots__ = ("_alpn", "_h2pool", "_pool", "_proxies", "_ssl_context")

    #: The runtime's pump.
    _pump: ClassVar[type[SyncPump]]

    def _driver(self, flow: Flow) -> SyncDriver:
        return self._pump(self, flow, self._connections(), self._sleep)

    def close(self) -> None:
        """Close every idle connection. Open streams are not affected."""
        for conn in self._drain():
            self._pump.discard(conn)


class AsyncSocketClient(_SocketOptions, AsyncClientBase):
    """An async client over connections its pump makes; see
    :class:`sseproto.adapters.sync.Client` for the arguments."""

    __slots__ = ("_alpn", "_h2pool", "_pool", "_proxies", "_ssl_context")

    #: The runtime's pump.
    _pump: ClassVar[type[AsyncPump]]

    def _driver(self, flow: Flow) -> AsyncDriver:
        return self._pump(self, flow, self._connections(), self._sleep)

    async def aclose(self) -> None:
        """Close every idle connection. Open streams are not affected."""
        for conn in self._drain():
            self._pump.discard(conn)
