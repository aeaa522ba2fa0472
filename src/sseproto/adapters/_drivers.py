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

Stopping from another thread: :meth:`SyncDriver.close` may be called from
any thread. While the flow runs in another one, it only records the request
and asks the pump to wake the operation that blocks there
(:meth:`SyncDriver.interrupt`: a socket is shut down, a ``Wait`` ends at
once); the running thread then stops the flow and closes the connection
itself, and :meth:`SyncDriver.step` returns ``None``. So a generator is
never closed while it executes, and a socket is never closed under a
thread that uses it.
"""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Awaitable, Callable, Generator
from typing import Any, ClassVar, Literal

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

from . import _runtime

__all__ = ["AsyncDriver", "Flow", "SyncDriver", "blocking_sleep"]

#: A flow: yields operations, receives their results, returns its value.
Flow = Generator[Any, Any, Any]

# What a failed operation may raise; the driver throws it into the flow,
# which decides (raise it, reconnect, ...). Anything else propagates.
_THROWN = (OSError, SSEError)

# The request operations a connection layer lowers.
_LOWERED = frozenset({SendRequest, ReadBody, CloseResponse})


def blocking_sleep(seconds: float) -> None:
    """The blocking runtimes' sleep for ``Wait``: ``time.sleep``, except that
    a :class:`SyncDriver` given this function waits on an event instead, so
    that :meth:`SyncDriver.close` from another thread ends the wait at once."""
    time.sleep(seconds)


class SyncDriver(abc.ABC):
    """Runs one flow with blocking calls.

    :meth:`step` runs the flow until it has something for the user: an
    ``Opened`` or a ``Deliver``, or ``None`` once the flow returned (its
    value is then in :attr:`result`). Any error the flow raises propagates,
    after the driver released its connection.

    :meth:`close` is the one method that may be called from another thread
    (see the module's docstring); the others belong to the thread that
    reads the stream.

    Arguments:
        flow: the flow to run.
        connections: lowers the request operations, for a pump that
            performs connection operations; ``None`` for one that performs
            request operations itself.
        sleep: performs ``Wait``; :func:`blocking_sleep` is performed as an
            interruptible wait.
    """

    __slots__ = (
        "_connections",
        "_flow",
        "_lock",
        "_runner",
        "_sleep",
        "_stop",
        "done",
        "result",
    )

    def __init__(
        self,
        flow: Flow,
        connections: HTTP11Connections | None,
        sleep: Callable[[float], object],
    ) -> None:
        self._flow = flow
        self._connections = connections
        self._sleep = sleep
        # Guards the hand-over between the running thread and a close()
        # from another one: which thread runs the flow (None: none does).
        self._lock = threading.Lock()
        self._runner: int | None = None
        # Set by a close() from another thread while the flow runs.
        self._stop = threading.Event()
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

    def interrupt(self) -> None:
        """Called from another thread while :meth:`perform` may block in this
        one: make the blocking call return or raise at once, without closing
        anything the running thread still uses (it closes afterwards).
        Never raises. The default does nothing (the operation then ends by
        itself, within its time limit)."""
        return

    def release(self) -> None:
        """Close at once whatever connection the flow holds. Never raises."""
        if self._connections is not None:
            for conn in self._connections.abandon():
                self.discard(conn)

    def step(self, reply: Any = None) -> Opened | Deliver[Any] | None:
        """Run the flow to its next ``Opened`` or ``Deliver`` (or its end:
        ``None``), sending ``reply`` back for the previous one. Returns
        ``None`` too once :meth:`close` stopped the flow, from this thread or
        another."""
        with self._lock:
            if self.done:
                return None
            if self._stop.is_set():
                self._finish()
                return None
            self._runner = threading.get_ident()
        flow = self._flow
        connections = self._connections
        stop = self._stop
        value: Any = reply
        error: BaseException | None = None
        try:
            while True:
                try:
                    op = flow.send(value) if error is None else flow.throw(error)
                except StopIteration as stop_iteration:
                    self.result = stop_iteration.value
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
                        self._wait(op.seconds)
                    else:
                        value = self.perform(op)
                except _THROWN as exc:
                    error = exc
                if stop.is_set():
                    # Closed from another thread: what the interrupted
                    # operation returned or raised is not the server's doing.
                    self._finish()
                    return None
        except BaseException:
            self._finish()
            raise
        finally:
            self._runner = None

    def _wait(self, seconds: float) -> None:
        if self._sleep is blocking_sleep:
            self._stop.wait(seconds)
        else:
            self._sleep(seconds)

    def _lowered(self, ops: Flow) -> Any:
        """Perform the connection operations of one lowered request operation."""
        value: Any = None
        error: BaseException | None = None
        stop = self._stop
        while True:
            if stop.is_set():
                ops.close()
                return None
            try:
                op = ops.send(value) if error is None else ops.throw(error)
            except StopIteration as stop_iteration:
                return stop_iteration.value
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
        """Stop the flow and close its connection. Never raises.

        From another thread while the flow runs, it wakes the operation that
        blocks there (:meth:`interrupt`, or the ``Wait``) and returns at
        once; the running thread then closes, and its :meth:`step` returns
        ``None``."""
        with self._lock:
            runner = self._runner
            if runner is not None and runner != threading.get_ident():
                self._stop.set()
                self.interrupt()
                return
            self._finish()

    def _finish(self) -> None:
        """Stop the flow and close its connection, in the thread that runs it."""
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

    A pump bound to one async library names it in :attr:`runtime`; the first
    :meth:`step` then checks that this library runs the current task, so
    that a client used under the other one fails with a clear
    ``RuntimeError`` before anything is sent, instead of an error from
    deep inside the wrong library.
    """

    __slots__ = ("_checked", "_connections", "_flow", "_sleep", "done", "result")

    #: The async library the pump needs (``None``: any that sseproto supports).
    runtime: ClassVar[Literal["asyncio", "trio"] | None] = None

    def __init__(
        self,
        flow: Flow,
        connections: HTTP11Connections | None,
        sleep: Callable[[float], Awaitable[object]],
    ) -> None:
        self._flow = flow
        self._connections = connections
        self._sleep = sleep
        self._checked = False
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
        """As :meth:`SyncDriver.step`.

        Raises:
            RuntimeError: the pump needs another async library than the one
                running the current task (on the first step).
        """
        if self.done:
            return None
        if not self._checked:
            self._check_runtime()
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

    def _check_runtime(self) -> None:
        needed = self.runtime
        if needed is not None:
            try:
                _runtime.require(needed)
            except RuntimeError:
                self.close()
                raise
        self._checked = True

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
