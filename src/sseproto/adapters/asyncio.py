"""The asyncio runtime: an ``asyncio`` protocol over the event loop's
transports, with ``ssl`` for ``https://``.

::

    from sseproto.adapters.asyncio import Client

    async with Client() as client:
        async with client.stream("GET", "https://example.com/events") as stream:
            async for event in stream:
                print(event.type, event.data)

See :class:`~sseproto.adapters.AsyncClientBase` for the methods; this
module only moves bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import ssl
from collections.abc import Callable
from typing import Any

from sseproto.http import (
    RECEIVE_SIZE,
    AwaitChange,
    CheckIdle,
    CloseConnection,
    OpenConnection,
    ReceiveBytes,
    SelectedProtocol,
    SendBytes,
    StartTLS,
)

from ._sockets import AsyncPump, AsyncSocketClient

__all__ = ["Client"]


class _Connection(asyncio.Protocol):
    """One connection: its transport, and the bytes received and not yet
    taken by :meth:`receive`.

    Read-ahead is bounded: reading pauses once a full read waits untaken,
    and resumes when the bytes are taken or awaited, so a slow
    consumer leaves the rest of the stream where flow control stops the
    server. This class takes the bytes as ``data_received`` copies: it
    serves TLS connections, whose SSL layer, when the peer closes while
    reading is paused, hands over everything it still holds in one
    ``data_received`` call (a buffered protocol would get one buffer's
    worth, and the rest would be lost). Plain connections use
    :class:`_BufferedConnection`.
    """

    __slots__ = (
        "_chunks",
        "_eof",
        "_error",
        "_paused",
        "_size",
        "_waiter",
        "_writable",
        "transport",
    )

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        # Received and not yet taken: _size bytes in _chunks, at most
        # RECEIVE_SIZE (and one read beyond it, for copied TLS reads).
        self._chunks: list[bytes] = []
        self._size = 0
        self._eof = False
        # Why the connection was lost, raised once its bytes are taken.
        self._error: OSError | None = None
        # Whether reading is paused.
        self._paused = False
        # The future a receive() or check waits on for bytes, EOF or error.
        self._waiter: asyncio.Future[bool] | None = None
        # While writing is paused: the future resume_writing() completes.
        self._writable: asyncio.Future[None] | None = None

    # -- the protocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if transport.get_extra_info("ssl_object") is not None:
            # The SSL layer reads ahead of a paused consumer up to its
            # high-water mark (256 KiB by default): one read is enough.
            transport.set_read_buffer_limits(high=RECEIVE_SIZE)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self._received(data)

    def _received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._size += len(data)
        # Reading goes on while less than a read waits untaken: pausing and
        # resuming cost a system call each, and a busy consumer takes the
        # bytes soon enough.
        if self._size >= RECEIVE_SIZE:
            self._pause()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        # False: the transport closes itself; nothing is sent after EOF.
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        if exc is not None:
            self._error = (
                exc if isinstance(exc, OSError) else ConnectionResetError(str(exc) or repr(exc))
            )
        self._wake()
        writable, self._writable = self._writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    def pause_writing(self) -> None:
        if self._writable is None:
            self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        writable, self._writable = self._writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    # -- what the pump calls -------------------------------------------------------

    async def receive(self, timeout: float | None) -> bytes | None:
        """The bytes received since the last call, waiting at most
        ``timeout`` seconds for some (``None`` if none came); ``b""`` at the
        end of file. Raises the ``OSError`` that broke the connection once
        the bytes before it were taken."""
        if not self._size:
            if self._error is not None:
                raise self._error
            if self._eof:
                return b""
            if not await self._wait(timeout):
                return None
            if not self._size:
                if self._error is not None:
                    raise self._error
                return b""
        chunks = self._chunks
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._chunks = []
        self._size = 0
        self._resume()
        return data

    async def send(self, data: bytes) -> None:
        """Write ``data`` and wait until the transport takes more."""
        transport = self.transport
        if self._error is not None:
            raise self._error
        if transport is None or transport.is_closing():
            raise ConnectionResetError("the connection is closed")
        transport.write(data)
        writable = self._writable
        if writable is not None:
            await writable
            if self._error is not None:
                raise self._error

    async def quiet(self) -> bool:
        """Whether nothing can be read now (no bytes, no end of file, no
        error): the loop gets one turn to read what already arrived."""
        if self._size or self._eof:
            return False
        transport = self.transport
        if transport is None or transport.is_closing():
            return False
        await self._wait(0)
        return not (self._size or self._eof)

    async def start_tls(
        self, context: ssl.SSLContext, server_hostname: str, timeout: float | None
    ) -> _Connection | None:
        """Begin TLS over this connection (a proxy's tunnel), verifying
        ``server_hostname``; a new :class:`_Connection` reads and writes
        through it from then on and is returned. ``None`` if ``timeout``
        ran out."""
        transport = self.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("the connection is closed")
        self._resume()
        conn = _Connection()
        try:
            async with asyncio.timeout(timeout):
                tls = await asyncio.get_running_loop().start_tls(
                    transport, conn, context, server_hostname=server_hostname
                )
        except TimeoutError:
            return None
        if tls is None:  # pragma: no cover - only when the transport closed meanwhile
            raise ConnectionResetError("the connection closed during the TLS handshake")
        # The handshake's transport (start_tls does not call connection_made).
        conn.connection_made(tls)
        self.transport = None
        return conn

    def selected_protocol(self) -> str | None:
        """The protocol TLS negotiated (ALPN), or ``None``."""
        transport = self.transport
        tls = None if transport is None else transport.get_extra_info("ssl_object")
        return None if tls is None else tls.selected_alpn_protocol()

    def close(self) -> None:
        """Close at once: abort() drops the transport without waiting to
        flush or for a TLS close_notify, which is what abandoning a stream
        needs."""
        transport = self.transport
        if transport is not None:
            # From __del__ after the loop closed, the transport cannot be
            # touched: the loop's own close released it already.
            with contextlib.suppress(RuntimeError):
                transport.abort()

    def _pause(self) -> None:
        if not self._paused:
            self._paused = True
            transport = self.transport
            if transport is not None:
                transport.pause_reading()

    def _resume(self) -> None:
        if self._paused:
            self._paused = False
            transport = self.transport
            if transport is not None and not transport.is_closing():
                transport.resume_reading()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(True)

    async def _wait(self, timeout: float | None) -> bool:
        """Wait until bytes, the end of file or an error arrive (``True``)
        or ``timeout`` seconds pass (``False``)."""
        self._resume()
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        # One timer handle on the waiter: cheaper per read than an
        # asyncio.timeout() scope, and the same outcome.
        timer = None if timeout is None else loop.call_later(timeout, _expire, waiter)
        try:
            return await waiter  # type: ignore[no-any-return]
        finally:
            if timer is not None:
                timer.cancel()
            if self._waiter is waiter:
                self._waiter = None


def _expire(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(False)


class _BufferedConnection(_Connection, asyncio.BufferedProtocol):
    """A plain (TCP) connection that reads into the client's receive
    buffer, shared by all its connections (``get_buffer`` and
    ``buffer_updated`` follow each other with nothing in between): only the
    bytes read are copied out, so a read allocates what it received rather
    than a maximal read."""

    __slots__ = ("_buffer",)

    def __init__(self, buffer: memoryview) -> None:
        super().__init__()
        self._buffer = buffer

    def get_buffer(self, sizehint: int) -> memoryview:
        # Never empty: reading pauses once RECEIVE_SIZE bytes wait.
        return self._buffer[: RECEIVE_SIZE - self._size]

    def buffer_updated(self, nbytes: int) -> None:
        self._received(bytes(self._buffer[:nbytes]))


class _Pump(AsyncPump):
    __slots__ = ()

    runtime = "asyncio"
    _client: Client

    async def perform(self, op: Any) -> Any:
        kind = type(op)
        if kind is ReceiveBytes:
            return await op.conn.receive(op.timeout)
        if kind is SendBytes:
            try:
                async with asyncio.timeout(op.timeout):
                    await op.conn.send(op.data)
            except TimeoutError:
                return None
            return True
        if kind is CheckIdle:
            return await op.conn.quiet()
        if kind is StartTLS:
            return await op.conn.start_tls(self._client._tls(), op.server_hostname, op.timeout)
        if kind is OpenConnection:
            return await self._client._connect(op)
        if kind is CloseConnection:
            op.conn.close()
            return None
        if kind is AwaitChange:
            event = asyncio.Event()
            op.target.add_waiter(event.set)
            try:
                async with asyncio.timeout(op.timeout):
                    await event.wait()
            except TimeoutError:
                return None
            finally:
                op.target.remove_waiter(event.set)
            return True
        if kind is SelectedProtocol:
            return op.conn.selected_protocol()
        raise AssertionError(f"unexpected operation {op!r}")  # pragma: no cover

    @staticmethod
    def discard(conn: Any) -> None:
        conn.close()

    @staticmethod
    async def runtime_sleep(seconds: float) -> None:
        await asyncio.sleep(seconds)


class Client(AsyncSocketClient):
    """An asyncio SSE client over the event loop's transports, with a pool
    of keep-alive connections. The arguments are those of
    :class:`sseproto.adapters.sync.Client`. Use it from one event loop.
    """

    __slots__ = ("_receive_buffer",)

    _pump = _Pump
    _receive_buffer: memoryview

    def clock(self) -> float:
        """The running loop's ``time()``."""
        return asyncio.get_running_loop().time()

    async def _connect(self, op: OpenConnection) -> _Connection | None:
        origin = op.origin
        context = self._tls() if origin.tls else None
        factory: Callable[[], _Connection]
        if context is not None:
            factory = _Connection
        else:
            try:
                buffer = self._receive_buffer
            except AttributeError:
                # One receive buffer for all the client's connections, made
                # on first use: a client belongs to one event loop, one thread.
                buffer = self._receive_buffer = memoryview(bytearray(RECEIVE_SIZE))
            factory = functools.partial(_BufferedConnection, buffer)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(op.timeout):
                _, conn = await loop.create_connection(
                    factory,
                    origin.host,
                    origin.port,
                    ssl=context,
                    server_hostname=origin.server_hostname if context is not None else None,
                )
        except TimeoutError:
            return None
        transport = conn.transport
        sock = None if transport is None else transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn
