"""The drivers: the one place that runs a flow.

A flow (:mod:`sseproto.http`) is a generator of operations. A driver sends
each operation's result into it, or throws the failure into it, and stops
where the flow has something for the user (``Opened``, ``Deliver``) or
returns. Nothing else in the project calls ``send()`` or ``throw()`` on a
flow: the stream objects, the clients and the OpenRouter client all go
through :meth:`SyncDriver.step` or :meth:`AsyncDriver.step`.

A runtime adds only its pump: :meth:`~SyncDriver.perform` for one
operation, and how to close a connection at once; the driver performs
``Wait`` itself with the ``sleep`` it is given. A driver built with
:class:`~sseproto.http.HTTP11Connections` lowers the request operations to
connection operations first (the socket runtimes); one built without it
hands every operation to the pump as it is (httpx).
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Generator
from typing import Any

from sseproto._errors import SSEError
from sseproto.http import (
    CloseResponse,
    Deliver,
    HTTP11Connections,
    Opened,
    ReadBody,
    SendRequest,
    Wait,
)

__all__ = ["AsyncDriver", "Flow", "SyncDriver"]

#: A flow: yields operations, receives their results, returns its value.
Flow = Generator[Any, Any, Any]

# What a failed operation may raise; the driver throws it into the flow,
# which decides (raise it, reconnect, ...). Anything else propagates.
_THROWN = (OSError, SSEError)

# The request operations a connection layer lowers.
_LOWERED = frozenset({SendRequest, ReadBody, CloseResponse})


class SyncDriver(abc.ABC):
    """Runs one flow with blocking calls.

    :meth:`step` runs the flow until it has something for the user: an
    ``Opened`` or a ``Deliver``, or ``None`` once the flow returned (its
    value is then in :attr:`result`). Any error the flow raises propagates,
    after the driver released its connection.

    Arguments:
        flow: the flow to run.
        connections: lowers the request operations, for a pump that
            performs connection operations; ``None`` for one that performs
            request operations itself.
        sleep: performs ``Wait``.
    """

    __slots__ = ("_connections", "_flow", "_sleep", "done", "result")

    def __init__(
        self,
        flow: Flow,
        connections: HTTP11Connections | None,
        sleep: Callable[[float], object],
    ) -> None:
        self._flow = flow
        self._connections = connections
        self._sleep = sleep
        #: The flow's return value, once :attr:`done`.
        self.result: Any = None
        #: Whether the flow has ended (returned, raised, or was closed).
        self.done = False

    @abc.abstractmethod
    def perform(self, op: Any) -> Any:
        """Perform one operation and return its result; for a failed one,
        raise ``OSError`` or an :class:`~sseproto.SSEError`."""

    @abc.abstractmethod
    def discard(self, conn: Any) -> None:
        """Close ``conn`` at once. Never raises."""

    def release(self) -> None:
        """Close at once whatever connection the flow holds. Never raises."""
        if self._connections is not None:
            for conn in self._connections.abandon():
                self.discard(conn)

    def step(self, reply: Any = None) -> Opened | Deliver[Any] | None:
        """Run the flow to its next ``Opened`` or ``Deliver`` (or its end:
        ``None``), sending ``reply`` back for the previous one."""
        if self.done:
            return None
        flow = self._flow
        connections = self._connections
        value: Any = reply
        error: BaseException | None = None
        try:
            while True:
                try:
                    op = flow.send(value) if error is None else flow.throw(error)
                except StopIteration as stop:
                    self.result = stop.value
                    self.done = True
                    return None
                kind = type(op)
                if kind is Deliver or kind is Opened:
                    return op  # type: ignore[no-any-return]
                value = error = None
                try:
                    if connections is not None and kind in _LOWERED:
                        value = self._lowered(connections.lower(op))
                    elif kind is Wait:
                        self._sleep(op.seconds)
                    else:
                        value = self.perform(op)
                except _THROWN as exc:
                    error = exc
        except BaseException:
            self.close()
            raise

    def _lowered(self, ops: Flow) -> Any:
        """Perform the connection operations of one lowered request operation."""
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                op = ops.send(value) if error is None else ops.throw(error)
            except StopIteration as stop:
                return stop.value
            value = error = None
            try:
                value = self.perform(op)
            except _THROWN as exc:
                error = exc

    def run(self) -> Any:
        """Run a flow that hands the user nothing to its end; return its value.

        Raises:
            RuntimeError: the flow yielded ``Opened`` or ``Deliver`` (a
                stream flow: give it to an event stream instead).
            what the flow raises.
        """
        if self.step() is not None:
            self.close()
            raise RuntimeError("this flow opens a stream: read it with an event stream")
        return self.result

    def close(self) -> None:
        """Stop the flow and close its connection. Never raises."""
        self.done = True
        try:
            self._flow.close()
        finally:
            self.release()


class AsyncDriver(abc.ABC):
    """The async counterpart of :class:`SyncDriver` (asyncio or trio).

    Cancellation while an operation waits (a trio cancel scope, a cancelled
    asyncio task) releases the connection at once, without awaiting, and
    propagates.
    """

    __slots__ = ("_connections", "_flow", "_sleep", "done", "result")

    def __init__(
        self,
        flow: Flow,
        connections: HTTP11Connections | None,
        sleep: Callable[[float], Awaitable[object]],
    ) -> None:
        self._flow = flow
        self._connections = connections
        self._sleep = sleep
        self.result: Any = None
        self.done = False

    @abc.abstractmethod
    async def perform(self, op: Any) -> Any:
        """As :meth:`SyncDriver.perform`."""

    @abc.abstractmethod
    def discard(self, conn: Any) -> None:
        """Close ``conn`` at once, without awaiting. Never raises."""

    def release(self) -> None:
        """Close at once whatever connection the flow holds, without
        awaiting (for ``__del__``). Never raises."""
        if self._connections is not None:
            for conn in self._connections.abandon():
                self.discard(conn)

    async def arelease(self) -> None:
        """Close whatever connection the flow holds; it must not wait on
        the peer and must work under cancellation. Never raises except for
        the runtime's cancellation."""
        self.release()

    async def step(self, reply: Any = None) -> Opened | Deliver[Any] | None:
        """As :meth:`SyncDriver.step`."""
        if self.done:
            return None
        flow = self._flow
        connections = self._connections
        value: Any = reply
        error: BaseException | None = None
        try:
            while True:
                try:
                    op = flow.send(value) if error is None else flow.throw(error)
                except StopIteration as stop:
                    self.result = stop.value
                    self.done = True
                    return None
                kind = type(op)
                if kind is Deliver or kind is Opened:
                    return op  # type: ignore[no-any-return]
                value = error = None
                try:
                    if connections is not None and kind in _LOWERED:
                        value = await self._lowered(connections.lower(op))
                    elif kind is Wait:
                        await self._sleep(op.seconds)
                    else:
                        value = await self.perform(op)
                except _THROWN as exc:
                    error = exc
        except BaseException:
            await self.aclose()
            raise

    async def _lowered(self, ops: Flow) -> Any:
        """As :meth:`SyncDriver._lowered`."""
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                op = ops.send(value) if error is None else ops.throw(error)
            except StopIteration as stop:
                return stop.value
            value = error = None
            try:
                value = await self.perform(op)
            except _THROWN as exc:
                error = exc

    async def run(self) -> Any:
        """As :meth:`SyncDriver.run`."""
        if await self.step() is not None:
            await self.aclose()
            raise RuntimeError("this flow opens a stream: read it with an event stream")
        return self.result

    def close(self) -> None:
        """Stop the flow and close its connection without awaiting."""
        self.done = True
        try:
            self._flow.close()
        finally:
            self.release()

    async def aclose(self) -> None:
        """Stop the flow and close its connection."""
        self.done = True
        try:
            self._flow.close()
        finally:
            await self.arelease()
