"""The broadcast hub driven by asyncio."""

from __future__ import annotations

import asyncio

from ._hub_driver import HubDriver

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

    async def _park(self, waiter: asyncio.Future[None], deadline: float | None) -> None:
        if deadline is None:
            await waiter
            return
        timer = asyncio.get_running_loop().call_at(deadline, _resolve, waiter)
        try:
            await waiter
        finally:
            timer.cancel()

    def _wake(self, waiter: asyncio.Future[None]) -> None:
        _resolve(waiter)
