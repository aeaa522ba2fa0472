"""Idle HTTP/1.1 connections kept per origin, for reuse.

Sans-I/O: :class:`ConnectionPool` hands back the connections to close
instead of closing them, and never waits, so an event loop's tasks share it
safely. :class:`~sseproto.http.HTTP11Connections` takes connections from
it and puts them back.
"""

from __future__ import annotations

from typing import Final, Generic, TypeVar

from ._exchange import HTTP11Exchange, Origin

__all__ = [
    "DEFAULT_IDLE_EXPIRY",
    "DEFAULT_MAX_IDLE_PER_ORIGIN",
    "RECEIVE_SIZE",
    "ConnectionPool",
]

#: Default number of idle connections kept per origin.
DEFAULT_MAX_IDLE_PER_ORIGIN: Final = 4

#: Default seconds an idle connection is kept: servers commonly close idle
#: connections after 5 to 75 seconds (nginx 75, uvicorn 5); 15 s is reused
#: often and rarely stale, and a stale one costs one retry.
DEFAULT_IDLE_EXPIRY: Final = 15.0

#: Bytes asked of each receive, and the most a connection reads ahead of a
#: slow consumer. An event stream's events are small (an LLM chunk is a few
#: hundred bytes), so 16 KiB still carries dozens of them per read, while
#: many concurrent fast streams hold a quarter of what 64 KiB reads would
#: (each stream may have one read in hand where its task waits); the extra
#: reads cost about 1% of the CPU of a fast single stream.
RECEIVE_SIZE: Final = 16384

Conn = TypeVar("Conn")


class ConnectionPool(Generic[Conn]):
    """Idle HTTP/1.1 connections per origin, each with the exchange whose
    response it carried last (the next request is made with
    :meth:`HTTP11Exchange.next_exchange`).

    Sans-I/O: it hands back the connections to close instead of closing
    them. Its methods do not wait, so an event loop's tasks share it safely.

    Arguments:
        max_idle_per_origin: idle connections kept per origin; a connection
            released when the origin has that many is closed. 0 disables reuse.
        idle_expiry: seconds an idle connection is kept.
    """

    def __init__(
        self,
        *,
        max_idle_per_origin: int = DEFAULT_MAX_IDLE_PER_ORIGIN,
        idle_expiry: float = DEFAULT_IDLE_EXPIRY,
    ) -> None:
        if type(max_idle_per_origin) is not int or max_idle_per_origin < 0:
            raise ValueError(
                f"max_idle_per_origin must be an int >= 0, not {max_idle_per_origin!r}"
            )
        if not isinstance(idle_expiry, (int, float)) or not idle_expiry > 0:
            raise ValueError(f"idle_expiry must be a positive number, not {idle_expiry!r}")
        self._max = max_idle_per_origin
        self._expiry = float(idle_expiry)
        self._idle: dict[Origin, list[tuple[Conn, HTTP11Exchange, float]]] = {}

    def take(
        self, origin: Origin, now: float
    ) -> tuple[tuple[Conn, HTTP11Exchange] | None, list[Conn]]:
        """An idle connection to ``origin`` (the most recently used), or
        ``None``; and the expired connections to close."""
        entries = self._idle.get(origin)
        expired: list[Conn] = []
        while entries:
            conn, exchange, since = entries.pop()
            if now - since < self._expiry:
                return (conn, exchange), expired + self._expire(entries, now)
            expired.append(conn)
        return None, expired

    def put(self, origin: Origin, conn: Conn, exchange: HTTP11Exchange, now: float) -> list[Conn]:
        """Keep ``conn`` idle; returns the connections to close (it, if the
        origin has ``max_idle_per_origin`` idle ones already)."""
        entries = self._idle.setdefault(origin, [])
        expired = self._expire(entries, now)
        if len(entries) >= self._max:
            return [*expired, conn]
        entries.append((conn, exchange, now))
        return expired

    def drain(self) -> list[Conn]:
        """Forget every idle connection; returns them all, to close."""
        conns = [conn for entries in self._idle.values() for conn, _, _ in entries]
        self._idle.clear()
        return conns

    def idle(self, origin: Origin) -> int:
        """How many idle connections to ``origin`` are kept."""
        return len(self._idle.get(origin, ()))

    def _expire(self, entries: list[tuple[Conn, HTTP11Exchange, float]], now: float) -> list[Conn]:
        old = [conn for conn, _, since in entries if now - since >= self._expiry]
        if old:
            entries[:] = [entry for entry in entries if now - entry[2] < self._expiry]
        return old
