"""What the flows that share a connection need, without importing h2: the
:class:`Signal` they wait on, the error of a request the server did not
process, and the HTTP/2 window sizes. h2 itself is imported only when the
first HTTP/2 connection is made (``_h2_exchange.py``), so a program that never
asks for HTTP/2 does not pay for its import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ._exchange import IncompleteResponse

__all__ = ["CONNECTION_WINDOW", "STREAM_WINDOW", "NotProcessed", "Signal"]

#: The receive window of each stream, in bytes: the most body bytes a
#: stream buffers while its caller does not read (the HTTP/2 default, the
#: same as one receive of the HTTP/1.1 path).
STREAM_WINDOW: Final = 65535

#: The connection's receive window: released as bytes arrive, so it only
#: bounds the bytes in flight; 16 MiB lets many streams send at once (the
#: value nginx and h2o advertise is of the same order).
CONNECTION_WINDOW: Final = 16 * 1024 * 1024


class NotProcessed(IncompleteResponse):
    """The server did not process the request: its stream was above the
    last stream id of a ``GOAWAY``, or reset with ``REFUSED_STREAM`` (RFC
    9113 sections 6.8 and 8.7), before any byte of its response. Sending
    it again on another connection is safe as far as the server goes."""


class Signal:
    """Something several flows wait on: ``AwaitChange(target, timeout)``
    returns when :meth:`wake` is called (or the time ran out).

    The runtime registers a one-shot callback (an event's ``set``) with
    :meth:`add_waiter` before it waits and removes it after; :meth:`wake`
    calls every registered callback once. Callbacks must not block.
    """

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: list[Callable[[], object]] = []

    def add_waiter(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` at the next :meth:`wake`."""
        self._waiters.append(callback)

    def remove_waiter(self, callback: Callable[[], object]) -> None:
        """Forget ``callback`` if it is still registered."""
        if callback in self._waiters:
            self._waiters.remove(callback)

    @property
    def waiting(self) -> bool:
        """Whether a callback is registered."""
        return bool(self._waiters)

    def wake(self) -> None:
        """Call every registered callback once, and forget them."""
        waiters, self._waiters = self._waiters, []
        for callback in waiters:
            callback()
