"""How a rendered reply goes out: batched writes, a byte-by-byte drip, pauses and stalls."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from ._http import Responder
from ._render import WriteStep
from ._script import Stall

__all__ = ["WRITE_BATCH", "batches", "dripped", "write_plan"]

#: Writes are joined up to this size when no delay separates them.
WRITE_BATCH: Final = 256 * 1024


def write_plan(out: Responder, plan: Iterable[WriteStep], stall_seconds: float) -> None:
    """Perform ``plan``: bytes are written, a positive pause is slept, a stall stalls
    (at most ``stall_seconds``).

    Raises:
        Disconnected: the client went away or the server is stopping.
    """
    for step in plan:
        if isinstance(step, bytes):
            out.data(step)
        elif isinstance(step, Stall):
            out.stall(stall_seconds)
        elif step > 0:
            out.sleep(step)


def dripped(plan: Iterable[WriteStep], seconds: float) -> Iterator[WriteStep]:
    """``plan`` with every byte its own write followed by a pause of ``seconds``;
    pauses and stalls pass through."""
    for step in plan:
        if isinstance(step, bytes):
            for index in range(len(step)):
                yield step[index : index + 1]
                yield seconds
        else:
            yield step


def batches(steps: Iterable[WriteStep], limit: int) -> Iterator[WriteStep]:
    """Join consecutive byte steps into writes of at most ``limit`` bytes (one step may exceed
    it, and is then cut); pauses and stalls pass through and end a batch."""
    pending: list[bytes] = []
    size = 0
    for step in steps:
        if isinstance(step, bytes):
            if size + len(step) > limit and pending:
                yield b"".join(pending)
                pending, size = [], 0
            if len(step) > limit:
                for start in range(0, len(step), limit):
                    yield step[start : start + limit]
                continue
            pending.append(step)
            size += len(step)
        else:
            if pending:
                yield b"".join(pending)
                pending, size = [], 0
            yield step
    if pending:
        yield b"".join(pending)
