"""The broadcast hub driven by asyncio."""

from __future__ import annotations

import asyncio

from ._hub_driver import HubDriver, Subscription

__all__ = ["AsyncHub"]


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class AsyncHub(HubDriver["asyncio.Future[None]"]):
    """A :class:`~sseproto.Hub` served to asyncio tasks.

    ``AsyncHub(hub)`` drives ``hub`` (a new ``Hub()`` when omitted); the hub's
    options apply to every subscriber. ``publish()`` is synchronous and
    wakes only the subscribers it gave bytes to; ``subscribe()`` returns a
    :class:`~sseproto.server.asyncio.Subscription` to enter with
    ``async with``. The streams' clock is the running loop's ``time()``. No
    task is started: each subscriber is served by the task that iterates it.
    """

    def now(self) -> float:
        """The running loop's clock (``loop.time()``)."""
        return asyncio.get_running_loop().time()

    def _new_waiter(self) -> asyncio.Future[None]:
        return asyncio.get_running_loop().create_future()

    async def _park(
        self, subscription: Subscription, waiter: asyncio.Future[None], deadline: float | None
    ) -> None:
        if deadline is not None:
            # One timer per deadline, not per wait: a subscriber woken by
            # events parks again and again before its keepalive is due, and
            # the timer armed for that deadline serves each wait. A timer
            # that fires before a later deadline only wakes the subscriber
            # to park again.
            timer = subscription.timer
            if timer is None or timer.when() > deadline:
                if timer is not None:
                    timer.cancel()
                subscription.timer = asyncio.get_running_loop().call_at(
                    deadline, self._expire_timer, subscription
                )
        await waiter

    def _expire_timer(self, subscription: Subscription) -> None:
        subscription.timer = None
        self._expire(subscription)

    def _release(self, subscription: Subscription) -> None:
        timer, subscription.timer = subscription.timer, None
        if timer is not None:
            timer.cancel()

    def _wake(self, waiter: asyncio.Future[None]) -> None:
        _resolve(waiter)
