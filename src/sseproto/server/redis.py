"""Redis Streams backend: one event history shared by several server processes.

Events are kept in one Redis stream. :meth:`RedisHub.publish` appends an
entry with ``XADD key MAXLEN ~ maxlen * data ... [type ...]``: the entry id
Redis assigns (``<milliseconds>-<sequence>``) is the event's ``id:``, so a
client's ``Last-Event-ID`` names the same event in every process, and the
trimmed length of the stream is the history bound.

Each process runs one reader task (one blocking ``XREAD`` at a time, on one
connection) that hands every new entry to an in-process
:class:`~sseproto.server.asyncio.AsyncHub`; that hub fans it out to the
process's subscribers. A subscriber with a ``Last-Event-ID`` first gets the
entries after it from the stream (``XRANGE``), up to the entry the reader
handed to the hub last, and from there the hub's live events: each entry
exactly once, in order. An id that is not in the stream (trimmed away, never
written, or not a stream id at all) gives :attr:`Resume.UNKNOWN
<sseproto.Resume.UNKNOWN>`, as the in-process history does.

redis-py's asyncio client is the transport, so this backend runs under
asyncio only; under trio, use :class:`~sseproto.server.trio.TrioHub`
with an in-process history (one process).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import redis.asyncio
import redis.exceptions
from redis.typing import EncodableT, FieldT

from sseproto import (
    Hub,
    LocalProtocolError,
    Resume,
    ServerStream,
    SSEError,
    StreamState,
    encode_event,
)

from ._hub_asyncio import AsyncHub
from ._hub_driver import Subscription

__all__ = ["BackendError", "RedisHub"]

#: A stream entry id: milliseconds, a dash, a sequence number.
_ENTRY_ID = re.compile(r"([0-9]+)-([0-9]+)", re.ASCII)

#: Entry fields written by :meth:`RedisHub.publish`.
_DATA = "data"
_TYPE = "type"

#: How long aclose() waits for the reader to take a cancellation before it
#: cancels it again (seconds).
_CANCEL_INTERVAL = 0.05

_Key = tuple[int, int]
#: An entry as this module uses it: id, the id's key, data (None when the
#: entry has no data field: someone else wrote it), type.
_Entry = tuple[str, _Key, str | None, str | None]


class BackendError(SSEError):
    """Redis could not be reached, or refused a command; ``__cause__`` is
    redis-py's exception."""


def _key(entry_id: str) -> _Key | None:
    match = _ENTRY_ID.fullmatch(entry_id)
    if match is None:
        return None
    return int(match[1]), int(match[2])


def _text(value: bytes | str) -> str:
    # Clients made with decode_responses=True give str, the default gives bytes.
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _entries(raw: Sequence[Any] | None) -> list[_Entry]:
    """The entries of an XRANGE reply (or of one stream in an XREAD reply)."""
    entries = []
    for raw_id, raw_fields in raw or ():
        entry_id = _text(raw_id)
        key = _key(entry_id)
        if key is None:  # not from a stream: nothing to order it by
            continue
        fields = {_text(name): _text(value) for name, value in raw_fields.items()}
        entries.append((entry_id, key, fields.get(_DATA), fields.get(_TYPE)))
    return entries


def _read_reply(reply: Mapping[Any, Any] | Sequence[Any] | None) -> list[_Entry]:
    """The entries of an XREAD reply for one stream, in either reply shape
    (a list of ``[key, entries]`` under RESP2, a mapping under RESP3)."""
    if not reply:
        return []
    groups = list(reply.values()) if isinstance(reply, Mapping) else [item[1] for item in reply]
    (group,) = groups
    if group and isinstance(group[0], list):  # RESP3 in redis-py's legacy shape: [[entries]]
        (group,) = group
    return _entries(group)


class RedisHub:
    """Events kept in one Redis stream, served to this process's subscribers.

    Use it as an async context manager (or call :meth:`start` and
    :meth:`aclose`), inside a running asyncio loop::

        async with RedisHub(redis.asyncio.Redis.from_url(url), "events") as hub:
            await hub.publish("hello")
            async with hub.subscribe(last_event_id) as subscription:
                async for chunk in subscription: ...

    ``client`` is a ``redis.asyncio.Redis`` (either ``decode_responses``
    setting); the hub does not close it. ``key`` is the stream's key.
    ``maxlen`` bounds the stream (``MAXLEN ~``: Redis trims whole nodes, so it
    keeps at least ``maxlen`` entries and may keep a few more); a client
    whose ``Last-Event-ID`` was trimmed gets ``Resume.UNKNOWN``. ``hub`` is
    the in-process :class:`~sseproto.Hub` that serves this process's
    subscribers (its ``keepalive``, ``max_pending``, ``slow_client``,
    ``retry`` and ``line_ending`` apply); give it no history, the stream is
    the history. ``block`` is the longest single ``XREAD BLOCK`` in seconds,
    ``batch`` the most entries one command returns, and ``reconnect_delay``
    the pause before the reader tries again after a Redis error (it resumes
    after the last entry it handed on, so nothing still in the stream is
    missed; entries trimmed away meanwhile are lost to live subscribers,
    as they would be to a reconnecting client).

    Entries that other writers add to the same key are served as well when
    they have a ``data`` field and a valid ``type`` (if any); others are
    skipped.

    Raises:
        ValueError: ``maxlen`` or ``batch`` is below 1, or ``hub`` has a history.
    """

    def __init__(
        self,
        client: redis.asyncio.Redis,
        key: str,
        *,
        maxlen: int = 1000,
        hub: Hub | None = None,
        block: float = 5.0,
        batch: int = 100,
        reconnect_delay: float = 1.0,
    ) -> None:
        if maxlen < 1 or batch < 1:
            raise ValueError("maxlen and batch must be at least 1")
        if hub is not None and hub.history is not None:
            raise ValueError(
                "give RedisHub a Hub without a history: the Redis stream is the history"
            )
        self.client = client
        self.key = key
        self.maxlen = maxlen
        #: The in-process driver that fans entries out to this process's subscribers.
        self.local = AsyncHub(hub)
        self._block_ms = max(1, round(block * 1000))
        self._batch = batch
        self._reconnect_delay = reconnect_delay
        # The last entry the reader handed to the local hub (its id and key).
        self._delivered = "0-0"
        self._delivered_key: _Key = (0, 0)
        self._progress = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def subscribers(self) -> int:
        """How many subscribers this process has now."""
        return self.local.subscribers

    async def start(self) -> None:
        """Start the reader after the newest entry now in the stream.

        Raises:
            BackendError: Redis could not be reached.
            LocalProtocolError: the hub was started already.
        """
        if self._reader is not None or self._closed:
            raise LocalProtocolError("a RedisHub is started once")
        try:
            newest = await self.client.xrevrange(self.key, count=1)
        except redis.exceptions.RedisError as exc:
            raise BackendError(f"cannot read the stream {self.key!r}: {exc}") from exc
        for entry_id, key, _, _ in _entries(newest):
            self._delivered, self._delivered_key = entry_id, key
        self._reader = asyncio.create_task(self._read(), name=f"RedisHub({self.key!r}) reader")

    async def aclose(self) -> None:
        """Stop the reader and close every subscriber (each ends after its queued bytes)."""
        self._closed = True
        await self._stop_reader()
        self._progress.set()
        self.local.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def publish(self, data: str, *, type: str | None = None) -> str:
        """Append one event to the stream; return its id (the entry id).

        Every process's subscribers get it through their reader, this one's
        included. The stream is trimmed to about ``maxlen`` entries.

        Raises:
            LocalProtocolError: the event cannot be encoded (checked here,
                before anything is written).
            BackendError: Redis could not be reached or refused the entry.
        """
        encode_event(data, type=type)  # refuse what no stream could carry before it is stored
        fields: dict[FieldT, EncodableT] = {_DATA: data}
        if type is not None:
            fields[_TYPE] = type
        try:
            entry_id = await self.client.xadd(
                self.key, fields, maxlen=self.maxlen, approximate=True
            )
        except redis.exceptions.RedisError as exc:
            raise BackendError(f"cannot append to the stream {self.key!r}: {exc}") from exc
        return _text(entry_id)

    def subscribe(self, last_event_id: str | None = None) -> Subscription:
        """A new subscription of this process, to enter with ``async with``.

        Entering it replays the stream's entries after ``last_event_id``
        (``subscription.resume`` is ``REPLAYED`` and ``subscription.replayed``
        counts them), or nothing when ``last_event_id`` is None (``FRESH``)
        or not in the stream (``UNKNOWN``); then every new entry follows, once.
        Entering raises :class:`BackendError` when Redis cannot be reached.
        """
        return Subscription(self.local, last_event_id, self._attach)

    # The reader.

    async def _stop_reader(self) -> None:
        reader, self._reader = self._reader, None
        # redis-py (seen with 8.2) at times absorbs a cancellation of a task
        # waiting in XREAD, which then starts its next XREAD: cancel until the
        # reader is done. wait() raises this task's own cancellation only.
        while reader is not None and not reader.done():
            reader.cancel()
            await asyncio.wait([reader], timeout=_CANCEL_INTERVAL)

    async def _read(self) -> None:
        # Runs until aclose() cancels it; _closed is checked too, as redis-py
        # may absorb a cancellation that lands while a command completes.
        while not self._closed:
            try:
                reply = await self.client.xread(
                    {self.key: self._delivered}, count=self._batch, block=self._block_ms
                )
            except redis.exceptions.RedisError:
                # The connection is made again on the next command; the read
                # resumes after the last entry handed on.
                await asyncio.sleep(self._reconnect_delay)
                continue
            for entry_id, key, data, type in _read_reply(reply):
                if data is not None:
                    with contextlib.suppress(LocalProtocolError):  # not ours: a bad type
                        self.local.publish(data, type=type, id=entry_id)
                self._delivered, self._delivered_key = entry_id, key
            # Wake the subscribers waiting for the reader to reach their id.
            self._progress.set()
            self._progress = asyncio.Event()

    # Resuming a subscriber.

    async def _attach(self, last_event_id: str | None) -> tuple[ServerStream, Resume, int]:
        try:
            resume, entries = await self._resume(last_event_id)
        except redis.exceptions.RedisError as exc:
            raise BackendError(f"cannot read the stream {self.key!r}: {exc}") from exc
        # No await since _resume() last looked at the reader's position: the
        # replay ends exactly where the local hub's live events begin.
        stream = self.local.hub.subscribe(now=self.local.now())
        replayed = 0
        for entry_id, _, data, type in entries:
            if stream.state is not StreamState.OPEN:
                break  # the slow-client policy dropped it
            if data is not None:
                with contextlib.suppress(LocalProtocolError):  # not ours: a bad type
                    stream.send(data, type=type, id=entry_id)
                    replayed += 1
        return stream, resume, replayed

    async def _resume(self, last_event_id: str | None) -> tuple[Resume, list[_Entry]]:
        """What to replay for ``last_event_id``: the entries after it up to the
        one the reader handed on last (as it is when this returns).

        Without an id, or with one that is not in the stream, nothing is
        replayed, and this returns once the reader has handed on the newest
        entry the stream had when it was called: a subscriber gets exactly
        the entries written after it subscribed.
        """
        key = _key(last_event_id) if last_event_id else None
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.xrevrange(self.key, count=1)
            if last_event_id and key is not None:
                pipe.xrange(self.key, last_event_id, last_event_id, count=1)
                pipe.xrange(self.key, "(" + last_event_id, "+", count=self._batch)
            replies = await pipe.execute()
        if not last_event_id or key is None or not replies[1]:
            newest = _entries(replies[0])
            await self._catch_up(newest[0][1] if newest else (0, 0))
            return (Resume.UNKNOWN if last_event_id else Resume.FRESH), []
        # The client may have seen an entry through another process that this
        # process's reader has not handed on yet: wait for it, or the live
        # events would repeat it.
        await self._catch_up(key)
        replay: list[_Entry] = []
        cursor, cursor_key = last_event_id, key
        batch = _entries(replies[2])
        while True:
            target = self._delivered_key
            for entry in batch:
                if entry[1] > target:
                    return Resume.REPLAYED, replay
                replay.append(entry)
                cursor, cursor_key = entry[0], entry[1]
            # An empty batch: the stream has nothing after the cursor (the
            # entries up to the target were trimmed meanwhile).
            if not batch or cursor_key >= target:
                return Resume.REPLAYED, replay
            batch = _entries(
                await self.client.xrange(self.key, "(" + cursor, "+", count=self._batch)
            )

    async def _catch_up(self, key: _Key) -> None:
        """Return once the reader has handed on the entry ``key`` (or the hub closed)."""
        while self._delivered_key < key and not self._closed:
            await self._progress.wait()
