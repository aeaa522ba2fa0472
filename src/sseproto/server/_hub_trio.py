"""The broadcast hub driven by trio."""

from __future__ import annotations

import trio

from ._hub_driver import HubDriver, Subscription

__all__ = ["TrioHub"]


class TrioHub(HubDriver[trio.Event]):
    """A :class:`~sseproto.Hub` served to trio tasks.

    The trio twin of :class:`~sseproto.server.asyncio.AsyncHub`, method
    for method: ``publish()`` is synchronous and wakes only the subscribers
    it gave bytes to; ``subscribe()`` returns a subscription to enter with
    ``async with``. The streams' clock is ``trio.current_time()``. No task
    is started: each subscriber is served by the task that iterates it.
    """

    def now(self) -> float:
        """trio's clock (``trio.current_time()``)."""
        return trio.current_time()

    def _new_waiter(self) -> trio.Event:
        return trio.Event()

    async def _park(
        self, subscription: Subscription, waiter: trio.Event, deadline: float | None
    ) -> None:
        if deadline is None:
            await waiter.wait()
            return
        with trio.move_on_at(deadline):
            await waiter.wait()

    def _wake(self, waiter: trio.Event) -> None:
        waiter.set()
