"""Which async library runs the current task, and the three things the
runtime-neutral code needs from it: sleeping, a time limit, and shielding
a cleanup from cancellation. The one place that asks ``sniffio``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Literal, TypeVar

import sniffio

__all__ = ["require", "running", "shielded", "sleep", "within"]

T = TypeVar("T")


def running() -> Literal["asyncio", "trio"]:
    """``"asyncio"`` or ``"trio"``: the library running the current task.

    Raises:
        RuntimeError: neither is running (no async library, or another one).
    """
    try:
        name = sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError as exc:
        raise RuntimeError("this must run under asyncio or trio") from exc
    if name == "trio":
        return "trio"
    if name == "asyncio":
        return "asyncio"
    raise RuntimeError(f"this runs under asyncio or trio, not {name}")


def require(name: Literal["asyncio", "trio"]) -> None:
    """Check that ``name`` runs the current task, for a client bound to it.

    Raises:
        RuntimeError: another library, or none, runs it; the message names
            both (``"this client runs under trio, not asyncio"``).
    """
    try:
        current = running()
    except RuntimeError as exc:
        raise RuntimeError(f"this client runs under {name}: {exc}") from exc
    if current != name:
        raise RuntimeError(f"this client runs under {name}, not {current}")


async def sleep(seconds: float) -> None:
    """Sleep ``seconds`` under the running library."""
    if running() == "trio":
        import trio  # noqa: PLC0415 - only under trio, an optional dependency

        await trio.sleep(seconds)
    else:
        await asyncio.sleep(seconds)


async def within(timeout: float, awaitable: Awaitable[T]) -> tuple[bool, T | None]:
    """Await ``awaitable`` for at most ``timeout`` seconds: ``(True, value)``,
    or ``(False, None)`` if the time ran out (it is then cancelled)."""
    if running() == "trio":
        import trio  # noqa: PLC0415

        with trio.move_on_after(timeout):
            return True, await awaitable
        return False, None
    try:
        async with asyncio.timeout(timeout):
            return True, await awaitable
    except TimeoutError:
        return False, None


async def shielded(awaitable: Awaitable[T]) -> T:
    """Await ``awaitable`` to its end even if the task is being cancelled
    (under trio; an asyncio cleanup that awaits nothing slow needs no
    shield)."""
    if running() == "trio":
        import trio  # noqa: PLC0415

        with trio.CancelScope(shield=True):
            return await awaitable
    return await awaitable
