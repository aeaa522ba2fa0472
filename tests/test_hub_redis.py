"""The Redis Streams backend (``RedisHub``) against a real ``redis-server``.

In one process: subscribers get every new entry once and in order through one
reader; a Last-Event-ID resumes exactly after that entry; a trimmed (or
unknown) id is ``Resume.UNKNOWN``. Across processes: two server processes
serve the same stream, and a client cut from one resumes on the other with
every later event exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from sseproto import (
    Event,
    EventHistory,
    EventStreamParser,
    Hub,
    LocalProtocolError,
    Resume,
)
from sseproto.adapters import Timeouts
from sseproto.adapters.sync import Client
from sseproto.server.asyncio import Subscription
from sseproto.server.redis import BackendError, RedisHub

from .servers.external import require_program
from .servers.redis import RedisServer, redis_server_fixture  # noqa: F401 (a fixture, found by name)
from .servers.redis_sse import RedisSSEProcess

#: Generous bounds: a broken backend fails the test instead of hanging it.
TIMEOUT = 10.0


@contextlib.asynccontextmanager
async def connected(server: RedisServer) -> AsyncIterator[redis.asyncio.Redis]:
    """A redis-py asyncio client of ``server``, closed afterwards."""
    client = redis.asyncio.Redis.from_url(server.url)
    try:
        yield client
    finally:
        await client.aclose()


def run(body: Callable[[], Awaitable[None]]) -> None:
    """Run ``body`` under asyncio, failing it after ``TIMEOUT`` seconds."""

    async def main() -> None:
        async with asyncio.timeout(TIMEOUT):
            await body()

    asyncio.run(main())


def _text(value: bytes | str) -> str:
    return value if isinstance(value, str) else value.decode()


async def take(subscription: Subscription, count: int) -> list[Event]:
    """The next ``count`` events of ``subscription``."""
    parser = EventStreamParser()
    got: list[Event] = []
    async for chunk in subscription:
        got += parser.feed(chunk)
        if len(got) >= count:
            break
    assert len(got) == count, got
    return got


def test_subscribers_get_every_new_entry_once_in_order(redis_server: RedisServer) -> None:
    """Ten fresh subscribers each get the 50 entries published after they
    subscribed, in order, with the entry ids as event ids."""
    key = redis_server.new_key()

    async def body() -> None:
        async with connected(redis_server) as client, RedisHub(client, key) as hub:
            await hub.publish("before")  # not for subscribers that come later
            async with contextlib.AsyncExitStack() as stack:
                subscriptions = [
                    await stack.enter_async_context(hub.subscribe()) for _ in range(10)
                ]
                assert {s.resume for s in subscriptions} == {Resume.FRESH}
                ids = [await hub.publish(f"event {n}", type="tick") for n in range(50)]
                expected = [Event("tick", f"event {n}", ids[n]) for n in range(50)]
                for subscription in subscriptions:
                    assert await take(subscription, 50) == expected

    run(body)


def test_one_reader_serves_every_subscriber(redis_server: RedisServer) -> None:
    """A hundred subscribers of one process share one reader: the client holds
    a couple of connections, not one per subscriber."""
    key = redis_server.new_key()

    async def body() -> None:
        async with (
            connected(redis_server) as client,
            RedisHub(client, key) as hub,
            contextlib.AsyncExitStack() as stack,
        ):
            subscriptions = [await stack.enter_async_context(hub.subscribe()) for _ in range(100)]
            entry_id = await hub.publish("to all")
            for subscription in subscriptions:
                assert await take(subscription, 1) == [Event("message", "to all", entry_id)]
            # The reader's connection, and the one publish() and CLIENT LIST use.
            assert len(await client.client_list()) <= 3

    run(body)


def test_resume_exactly_after_the_last_event_id(redis_server: RedisServer) -> None:
    """A Last-Event-ID replays the entries after it, then the live ones follow:
    each once, in order."""
    key = redis_server.new_key()

    async def body() -> None:
        async with connected(redis_server) as client, RedisHub(client, key) as hub:
            ids = [await hub.publish(f"event {n}") for n in range(10)]
            async with hub.subscribe(ids[3]) as subscription:
                assert subscription.resume is Resume.REPLAYED
                # The replay ends where this process's reader is; the
                # entries it has not handed on yet follow as live ones.
                assert subscription.replayed <= 6
                ids += [await hub.publish(f"event {n}") for n in range(10, 15)]
                got = await take(subscription, 11)
                assert got == [Event("message", f"event {n}", ids[n]) for n in range(4, 15)]
            async with hub.subscribe(ids[-1]) as newest:
                assert (newest.resume, newest.replayed) == (Resume.REPLAYED, 0)

    run(body)


def test_resume_from_an_entry_this_process_has_not_read_yet(redis_server: RedisServer) -> None:
    """An id written through another process a moment ago, maybe before this
    process's reader saw it, resumes without repeating it or anything before."""
    key = redis_server.new_key()

    async def body() -> None:
        async with (
            connected(redis_server) as client,
            RedisHub(client, key) as writer,
            RedisHub(client, key) as other,
        ):
            for round in range(20):
                first = await writer.publish(f"{round} seen elsewhere")
                async with other.subscribe(first) as subscription:
                    second = await writer.publish(f"{round} next")
                    assert await take(subscription, 1) == [
                        Event("message", f"{round} next", second)
                    ]

    run(body)


def test_a_replay_stops_where_the_reader_is(redis_server: RedisServer) -> None:
    """Entries the reader has not handed on yet are not replayed: they come
    once, live, when it does (the reader is held back here by stopping its task)."""
    key = redis_server.new_key()

    async def body() -> None:
        async with connected(redis_server) as client, RedisHub(client, key) as hub:
            async with hub.subscribe() as live:
                ids = [await hub.publish(f"event {n}") for n in range(5)]
                await take(live, 5)  # the reader has handed all five on
            await hub._stop_reader()
            ids += [_text(await client.xadd(key, {"data": f"event {n}"})) for n in range(5, 8)]
            async with hub.subscribe(ids[1]) as resumed:
                assert resumed.replayed == 3
                hub._reader = asyncio.create_task(hub._read())
                got = await take(resumed, 6)
            assert got == [Event("message", f"event {n}", ids[n]) for n in range(2, 8)]

    run(body)


def test_a_trimmed_or_unknown_id_is_unknown(redis_server: RedisServer) -> None:
    """An id trimmed off the stream, one never written, or one that is no stream
    id gives UNKNOWN, replays nothing, and live events still follow."""
    key = redis_server.new_key()

    async def body() -> None:
        async with connected(redis_server) as client, RedisHub(client, key, maxlen=10) as hub:
            ids = [await hub.publish(f"event {n}") for n in range(300)]
            assert await client.xlen(key) < 300  # trimmed (MAXLEN ~ keeps whole nodes)
            for last_event_id in [ids[0], "1-0", f"{ids[-1].split('-')[0]}-999", "abc", ""]:
                async with hub.subscribe(last_event_id) as subscription:
                    expected = Resume.FRESH if last_event_id == "" else Resume.UNKNOWN
                    assert (subscription.resume, subscription.replayed) == (expected, 0)
                    entry_id = await hub.publish("live")
                    assert await take(subscription, 1) == [Event("message", "live", entry_id)]

    run(body)


def test_publish_refuses_what_no_stream_can_carry(redis_server: RedisServer) -> None:
    """An event type with a line break is refused before anything is written."""
    key = redis_server.new_key()

    async def body() -> None:
        async with connected(redis_server) as client, RedisHub(client, key) as hub:
            with pytest.raises(LocalProtocolError):
                await hub.publish("data", type="two\nlines")
            assert await client.xlen(key) == 0

    run(body)


def test_entries_of_other_writers(redis_server: RedisServer) -> None:
    """Entries another writer adds are served when they are events (a data
    field, a valid type) and skipped otherwise, live and in a replay."""
    key = redis_server.new_key()

    async def body() -> None:
        async with connected(redis_server) as client, RedisHub(client, key) as hub:
            first = await hub.publish("first")
            async with hub.subscribe() as live:
                await client.xadd(key, {"other": "no data"})
                await client.xadd(key, {"data": "bad type", "type": "a\nb"})
                foreign = _text(await client.xadd(key, {"data": "foreign", "type": "t"}))
                last = await hub.publish("last")
                want = [Event("t", "foreign", foreign), Event("message", "last", last)]
                assert await take(live, 2) == want
            async with hub.subscribe(first) as resumed:
                assert resumed.replayed == 2
                assert await take(resumed, 2) == want

    run(body)


def test_a_hub_with_a_history_is_refused() -> None:
    """The stream is the history: a local Hub with one is a ValueError."""
    client = redis.asyncio.Redis()
    with pytest.raises(ValueError, match="history"):
        RedisHub(client, "events", hub=Hub(history=EventHistory()))


def test_a_missing_program_skips_or_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """require_program() skips without the program, and fails under
    SSEPROTO_REQUIRE_SERVERS=1."""
    name = "sseproto-no-such-program"
    monkeypatch.delenv("SSEPROTO_REQUIRE_SERVERS", raising=False)
    with pytest.raises(pytest.skip.Exception, match=name):
        require_program(name)
    monkeypatch.setenv("SSEPROTO_REQUIRE_SERVERS", "1")
    with pytest.raises(pytest.fail.Exception, match=name):
        require_program(name)
    assert require_program("sh").endswith("/sh")


def test_unreachable_redis_is_a_backend_error() -> None:
    """Starting against a Redis that does not answer raises BackendError,
    with redis-py's error as its cause."""

    async def body() -> None:
        client = redis.asyncio.Redis(port=1, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0))
        try:
            with pytest.raises(BackendError) as caught:
                await RedisHub(client, "events").start()
            assert isinstance(caught.value.__cause__, redis.exceptions.ConnectionError)
        finally:
            await client.aclose()

    run(body)


def test_closing_leaves_no_task_and_no_subscriber(redis_server: RedisServer) -> None:
    """A cancelled subscriber is unsubscribed; closing the hub stops its reader
    and ends the other subscribers."""
    key = redis_server.new_key()
    left: dict[str, Any] = {}

    async def body() -> None:
        async with connected(redis_server) as client:
            async with RedisHub(client, key) as hub:
                waiting = asyncio.get_running_loop().create_future()

                async def wait() -> None:
                    async with hub.subscribe() as subscription:
                        waiting.set_result(None)
                        await take(subscription, 1)

                task = asyncio.create_task(wait())
                await waiting
                task.cancel()
                await asyncio.wait([task])
                left["after cancel"] = hub.subscribers
                subscription = await hub.subscribe().__aenter__()
            left["ended"] = [chunk async for chunk in subscription]
            left["tasks"] = len(asyncio.all_tasks())

    run(body)
    assert left == {"after cancel": 0, "ended": [], "tasks": 1}


def test_two_server_processes_share_one_stream(redis_server: RedisServer) -> None:
    """A client reads some events from process A, is cut, reconnects to process B
    with Last-Event-ID, and gets every later event exactly once."""
    key = redis_server.new_key()

    def publish(count: int, start: int) -> list[str]:
        async def body() -> list[str]:
            async with connected(redis_server) as client, RedisHub(client, key) as hub:
                return [await hub.publish(f"event {n}") for n in range(start, start + count)]

        return asyncio.run(body())

    with (
        contextlib.closing(RedisSSEProcess(redis_server.url, key)) as a,
        contextlib.closing(RedisSSEProcess(redis_server.url, key)) as b,
        Client(timeouts=Timeouts(connect=TIMEOUT, read=TIMEOUT)) as client,
    ):
        with client.stream("GET", a.url) as stream:
            assert stream.status == 200
            ids = publish(10, 0)  # the response has started: A has subscribed
            got = []
            for event in stream:
                got.append(event)
                if len(got) == 4:
                    break  # cut: the connection is closed
        ids += publish(10, 10)
        headers = [("Last-Event-ID", got[-1].id)]
        with client.stream("GET", b.url, headers=headers) as stream:
            assert stream.status == 200
            for event in stream:
                got.append(event)
                if len(got) == 20:
                    # Live events, after the replay, through B's own reader.
                    later = threading.Thread(target=lambda: ids.extend(publish(5, 20)))
                    later.start()
                    later.join()
                if len(got) == 25:
                    break
    assert got == [Event("message", f"event {n}", ids[n]) for n in range(25)]
