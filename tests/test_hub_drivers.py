"""The asyncio and trio hub drivers (``AsyncHub``, ``TrioHub``) over the sans-I/O ``Hub``.

Each test body runs under both runtimes through anyio; the driver is the
runtime's own (``AsyncHub`` under asyncio, ``TrioHub`` under trio).
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from sseproto import (
    Comment,
    Event,
    EventHistory,
    EventStreamParser,
    Hub,
    Resume,
    SlowClientPolicy,
    StreamState,
)
from sseproto.server.asyncio import AsyncHub, Subscription
from sseproto.server.trio import TrioHub

Driver = AsyncHub | TrioHub

BACKENDS = ["asyncio", "trio"]


def run(backend: str, body: Callable[[Driver], Awaitable[None]], hub: Hub) -> None:
    """Run ``body`` under ``backend`` with that runtime's driver around ``hub``."""

    async def main() -> None:
        driver: Driver = AsyncHub(hub) if backend == "asyncio" else TrioHub(hub)
        await body(driver)

    anyio.run(main, backend=backend)


def events(chunks: list[bytes]) -> list[Event]:
    """The events in ``chunks`` (comments left out)."""
    parser = EventStreamParser()
    return [event for chunk in chunks for event in parser.feed(chunk)]


async def collect(subscription: Subscription, into: list[bytes]) -> None:
    """Append every chunk of ``subscription`` to ``into`` until it ends."""
    into.extend([chunk async for chunk in subscription])


async def reader(driver: Driver, into: list[bytes], *, task_status: Any) -> None:
    """Subscribe, report started, and collect until the stream ends."""
    async with driver.subscribe() as subscription:
        task_status.started()
        await collect(subscription, into)


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_subscriber_gets_every_event_in_order(backend: str) -> None:
    """20 subscribers each get all 300 events, in order, then the end when the hub closes."""
    received = [[] for _ in range(20)]  # type: list[list[bytes]]

    async def body(driver: Driver) -> None:
        async with anyio.create_task_group() as group:
            for chunks in received:
                await group.start(reader, driver, chunks)
            assert driver.subscribers == 20
            for number in range(300):
                assert driver.publish(f"event {number}") == str(number + 1)
                if number % 7 == 0:
                    await anyio.sleep(0)
            driver.close()

    run(backend, body, Hub(history=EventHistory(), keepalive=None))
    expected = [Event("message", f"event {n}", str(n + 1)) for n in range(300)]
    for chunks in received:
        assert events(chunks) == expected


def behind(backend: str, policy: SlowClientPolicy) -> tuple[list[bytes], dict[str, Any]]:
    """Publish 100 events of about 100 bytes to three readers and to one
    subscriber that reads only after the hub closes (``max_pending=1000``).

    Checks that every reader got every event; returns what the slow one got
    and its stream's ``state`` after the events and ``skipped`` at the end.
    """
    fast = [[] for _ in range(3)]  # type: list[list[bytes]]
    slow_chunks: list[bytes] = []
    seen: dict[str, Any] = {}

    async def body(driver: Driver) -> None:
        async with anyio.create_task_group() as group:
            for chunks in fast:
                await group.start(reader, driver, chunks)
            async with driver.subscribe() as slow:
                for number in range(100):
                    driver.publish("x" * 100 + str(number))
                    await anyio.sleep(0)
                seen["state"] = slow.stream.state
                driver.close()
                await collect(slow, slow_chunks)
                seen["skipped"] = slow.stream.skipped

    run(backend, body, Hub(max_pending=1000, slow_client=policy, keepalive=None))
    for chunks in fast:
        assert [event.data[100:] for event in events(chunks)] == [str(n) for n in range(100)]
    return slow_chunks, seen


@pytest.mark.parametrize("backend", BACKENDS)
def test_drop_ends_the_slow_subscriber_only(backend: str) -> None:
    """With DROP, a subscriber that does not read ends at once, with nothing
    more to send; the readers get every event."""
    slow_chunks, seen = behind(backend, SlowClientPolicy.DROP)
    assert seen["state"] is StreamState.DROPPED
    assert slow_chunks == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_skip_keeps_the_newest_for_the_slow_subscriber(backend: str) -> None:
    """With SKIP, a subscriber that falls behind gets the newest events and a
    count of those skipped; the readers get every event."""
    slow_chunks, seen = behind(backend, SlowClientPolicy.SKIP)
    got = [int(event.data[100:]) for event in events(slow_chunks)]
    assert got[-1] == 99
    assert got == sorted(got)
    assert seen["skipped"] > 0
    assert len(got) + seen["skipped"] == 100


@pytest.mark.parametrize("backend", BACKENDS)
def test_resume_from_history(backend: str) -> None:
    """A Last-Event-ID in the history replays what followed it, then live events
    follow; an unknown one is UNKNOWN and replays nothing."""
    found: dict[str, Any] = {}

    async def body(driver: Driver) -> None:
        for number in range(1, 11):
            driver.publish(f"event {number}")
        async with (
            driver.subscribe("4") as resumed,
            driver.subscribe("nope") as unknown,
            driver.subscribe() as fresh,
            driver.subscribe("10") as newest,
        ):
            driver.publish("event 11")
            driver.close()
            found["resumed"] = (resumed.resume, resumed.replayed, [c async for c in resumed])
            found["unknown"] = (unknown.resume, unknown.replayed, [c async for c in unknown])
            found["fresh"] = (fresh.resume, fresh.replayed, [c async for c in fresh])
            found["newest"] = (newest.resume, newest.replayed, [c async for c in newest])

    run(backend, body, Hub(history=EventHistory(), keepalive=None))
    resume, replayed, chunks = found["resumed"]
    assert (resume, replayed) == (Resume.REPLAYED, 6)
    assert [event.id for event in events(chunks)] == [str(n) for n in range(5, 12)]
    for name, resume in [("unknown", Resume.UNKNOWN), ("fresh", Resume.FRESH)]:
        assert found[name][:2] == (resume, 0)
        assert [event.id for event in events(found[name][2])] == ["11"]
    assert found["newest"][:2] == (Resume.REPLAYED, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cancelling_a_subscriber_leaves_nothing_behind(backend: str) -> None:
    """A subscriber cancelled while it waits is unsubscribed and leaves no task or waiter."""
    left: dict[str, int] = {}

    async def body(driver: Driver) -> None:
        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as group:
                for _ in range(5):
                    await group.start(reader, driver, [])
                await anyio.sleep(0.01)
                assert driver.subscribers == 5
                scope.cancel()
        left["subscribers"] = driver.subscribers
        left["parked"] = len(driver._parked)
        if backend == "asyncio":
            left["tasks"] = len(asyncio.all_tasks()) - 1
        driver.publish("after")  # no one left to wake, nothing raises

    run(backend, body, Hub(keepalive=30))
    assert left["subscribers"] == left["parked"] == left.get("tasks", 0) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_keepalive_comments_on_an_idle_stream(backend: str) -> None:
    """An idle subscriber gets a keepalive comment each keepalive interval, no sooner."""
    times: list[float] = []
    items: list[Event | Comment] = []

    async def body(driver: Driver) -> None:
        parser = EventStreamParser(comments=True)
        start = time.monotonic()
        async with driver.subscribe() as subscription:
            async for chunk in subscription:
                items.extend(parser.feed(chunk))
                times.append(time.monotonic() - start)
                if len(times) == 3:
                    break

    run(backend, body, Hub(keepalive=0.05))
    assert items == [Comment("")] * 3
    assert times[0] >= 0.05
    assert times[2] >= 0.15
    assert times[2] < 5


@pytest.mark.parametrize("backend", BACKENDS)
def test_closing_the_hub_ends_each_subscriber_after_its_queued_events(backend: str) -> None:
    """hub.close() lets each subscriber take what was queued, then its iteration ends."""
    received = [[] for _ in range(4)]  # type: list[list[bytes]]

    async def body(driver: Driver) -> None:
        async with anyio.create_task_group() as group:
            for chunks in received:
                await group.start(reader, driver, chunks)
            driver.publish("last")
            driver.close()

    run(backend, body, Hub(keepalive=None))
    for chunks in received:
        assert events(chunks) == [Event("message", "last")]


#: Idle subscribers for the memory measure.
IDLE = 10_000
#: The bound per idle subscriber (bytes), with the task that serves it and
#: its keepalive timer. Measured on CPython 3.11: about 6.1 kB under asyncio
#: and 8.5 kB under trio (under asyncio, the ServerStream is about 0.75 kB
#: and the driver's own objects, the subscription, its waiter, its timer and
#: two coroutine frames, about 1.2 kB); the rest is the task. The bound leaves room for
#: runtime versions, and still catches a second task, a buffer or a copy of
#: the history per subscriber.
IDLE_BYTES = 16_000


@pytest.mark.parametrize("backend", BACKENDS)
def test_memory_per_idle_subscriber(backend: str) -> None:
    """10,000 idle subscribers, each with the task that serves it, fit in a
    bounded amount of memory each (measured with tracemalloc)."""
    measured: dict[str, float] = {}

    async def idle(driver: Driver, *, task_status: Any) -> None:
        async with driver.subscribe() as subscription:
            task_status.started()
            async for _ in subscription:
                pass

    async def body(driver: Driver) -> None:
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            async with anyio.create_task_group() as group:
                for _ in range(IDLE):
                    await group.start(idle, driver)
                await anyio.sleep(0.05)  # every one parked
                assert driver.subscribers == IDLE
                assert len(driver._parked) == IDLE
                measured["per"] = (tracemalloc.get_traced_memory()[0] - before) / IDLE
                driver.close()
        finally:
            tracemalloc.stop()
        assert driver.subscribers == 0

    run(backend, body, Hub(keepalive=15))
    print(f"{backend}: {measured['per']:.0f} bytes per idle subscriber")
    assert measured["per"] < IDLE_BYTES
