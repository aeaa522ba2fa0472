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
    HTTP11Connections,
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
    ) -> None:
        self._configure(timeouts, max_redirects)  # type: ignore[attr-defined]
        # Read once, here: a client's routes never change (its pool relies on it).
        self._proxies = Proxies.resolve(  # type: ignore[misc]
            proxy, trust_env=trust_env, environ=os.environ
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
        return context


class SyncSocketClient(_SocketOptions, SyncClientBase):
    """A blocking client over connections its pump makes; see
    :class:`sseproto.adapters.sync.Client` for the arguments."""

    __slots__ = ("_pool", "_proxies", "_ssl_context")

    #: The runtime's pump.
    _pump: ClassVar[type[SyncPump]]

    def _driver(self, flow: Flow) -> SyncDriver:
        connections = HTTP11Connections(self._pool, self.clock, self._proxies)
        return self._pump(self, flow, connections, self._sleep)

    def close(self) -> None:
        """Close every idle connection. Open streams are not affected."""
        for conn in self._pool.drain():
            self._pump.discard(conn)


class AsyncSocketClient(_SocketOptions, AsyncClientBase):
    """An async client over connections its pump makes; see
    :class:`sseproto.adapters.sync.Client` for the arguments."""

    __slots__ = ("_pool", "_proxies", "_ssl_context")

    #: The runtime's pump.
    _pump: ClassVar[type[AsyncPump]]

    def _driver(self, flow: Flow) -> AsyncDriver:
        connections = HTTP11Connections(self._pool, self.clock, self._proxies)
        return self._pump(self, flow, connections, self._sleep)

    async def aclose(self) -> None:
        """Close every idle connection. Open streams are not affected."""
        for conn in self._pool.drain():
            self._pump.discard(conn)
