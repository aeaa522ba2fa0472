"""The server end of one event stream, sans-I/O: framing, keepalives, resume.

:class:`ServerStream` performs no I/O and never reads a clock: the caller
passes ``now`` (seconds from a monotonic clock) to ``start()`` and
``tick()``, queues events with ``send*()`` and ``comment()``, and writes
what ``data_to_send()`` hands out. A front end looks like::

    stream = ServerStream(last_event_id=request_header_or_None, history=history)
    # send the status line and stream.headers, then:
    stream.start(clock())
    while stream.state is StreamState.OPEN or stream.pending:
        write(stream.data_to_send())          # the retry hint and replay first
        wait for the app's next event, or until stream.next_deadline();
        stream.send(...) for each event, stream.tick(clock()) on waking
    if stream.state is StreamState.DROPPED: close the connection at once

The transitions (``_TRANSITIONS`` below is the table itself; any call not in
it raises :class:`~sseproto.LocalProtocolError`)::

    state    input                    next state  effect
    IDLE     start(now)               OPEN        queue the retry hint and the replay
    IDLE     close()                  CLOSED      -
    OPEN     send*(), comment()       OPEN        queue one frame        (*)
    OPEN     tick(now)                OPEN        queue a keepalive if due (*)
    OPEN     close()                  CLOSED      - (queued bytes still go out)
    CLOSED   tick(now), close()       CLOSED      - (nothing)
    DROPPED  tick(now), close()       DROPPED     - (nothing)

    (*) then the slow-client check: when more than ``max_pending`` bytes
        are queued, DROP moves to DROPPED (the queue is cleared) and SKIP
        discards whole untaken frames but the newest (and stays OPEN).

    Any other (state, input) raises LocalProtocolError; from IDLE or OPEN
    the stream moves to CLOSED first (what was queued still goes out), so
    a front end that misuses a stream ends it cleanly rather than going on
    with a stream in an unknown state. CLOSED and DROPPED stay as they are.

Arguments that are wrong whatever the state (an event field the encoder
refuses, a bad ``max_bytes``) raise without changing anything.

``data_to_send()`` and the read-only properties are queries, allowed in
every state, and never change the state.
"""

from __future__ import annotations

import enum
import math
from collections import deque
from dataclasses import dataclass
from typing import Final

from ._encoder import _ending as _line_ending
from ._encoder import encode_comment, encode_event, encode_retry
from ._errors import LocalProtocolError
from ._history import EventHistory

__all__ = [
    "DEFAULT_KEEPALIVE",
    "DEFAULT_MAX_PENDING",
    "SSE_HEADERS",
    "Resume",
    "ServerEvent",
    "ServerStream",
    "SlowClientPolicy",
    "StreamState",
]

#: The response headers of an event stream. ``Content-Type`` is what the spec
#: requires of the response (WHATWG HTML, 9.2.4: a client fails the
#: connection on any other type); ``Cache-Control: no-cache`` keeps caches
#: from storing a stream; ``X-Accel-Buffering: no`` turns off nginx's
#: response buffering, which would otherwise hold events back.
SSE_HEADERS: Final[tuple[tuple[str, str], ...]] = (
    ("Content-Type", "text/event-stream; charset=utf-8"),
    ("Cache-Control", "no-cache"),
    ("X-Accel-Buffering", "no"),
)

#: Default ``ServerStream(keepalive=)``: 15 seconds of silence before a
#: comment is sent, as the WHATWG spec suggests ("a comment line every 15
#: seconds or so") to keep proxies from timing the connection out.
DEFAULT_KEEPALIVE: Final = 15.0

#: Default ``ServerStream(max_pending=)``: 1 MiB queued for one client before
#: the slow-client policy applies.
DEFAULT_MAX_PENDING: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class ServerEvent:
    """One event a server sends: checked and encoded when it is built.

    The fields mean what they mean to :func:`~sseproto.encode_event`:
    ``type=None`` (or ``"message"``) sends no ``event:`` field, ``id=None``
    sends no ``id:`` field (``id=""`` resets the client's last event ID),
    ``retry`` sets the client's reconnection time in milliseconds.

    Raises:
        LocalProtocolError: anything ``encode_event`` refuses (a type or id
            with CR or LF, an id with NUL, an empty type, a bad retry, a
            lone surrogate, a field of the wrong type).
    """

    data: str
    type: str | None = None
    id: str | None = None
    retry: int | None = None

    def __post_init__(self) -> None:
        # Encoding is the check: it refuses exactly what cannot round-trip.
        # (The bytes are not kept: a hidden field would show in fields() and
        # asdict(); encoding again costs about a microsecond.)
        encode_event(self.data, type=self.type, id=self.id, retry=self.retry)

    def encode(self, line_ending: str = "\n") -> bytes:
        """The event's bytes, every line ending with ``line_ending``.

        Equal to ``encode_event(data, type=, id=, retry=, line_ending=)``.

        Raises:
            LocalProtocolError: ``line_ending`` is not ``"\\n"``,
                ``"\\r\\n"`` or ``"\\r"``.
        """
        return encode_event(
            self.data, type=self.type, id=self.id, retry=self.retry, line_ending=line_ending
        )


class SlowClientPolicy(enum.Enum):
    """What a stream does once more than ``max_pending`` bytes are queued."""

    #: The stream ends: state DROPPED, the queue is cleared, and the front
    #: end closes the connection (the client reconnects and resumes).
    DROP = "drop"
    #: Whole frames not yet taken are discarded, except the newest one and a
    #: frame partly handed out already; ``skipped`` counts the discarded frames.
    SKIP = "skip"


class Resume(enum.Enum):
    """What ``ServerStream.start()`` found for the client's Last-Event-ID."""

    #: No Last-Event-ID was given (or it was empty).
    FRESH = "fresh"
    #: The events after that ID were queued (``replayed`` says how many; may be 0).
    REPLAYED = "replayed"
    #: The ID is not in the history (evicted, never seen, or no history):
    #: nothing was replayed; the app may send an event that tells the client
    #: to reload its state.
    UNKNOWN = "unknown"


class StreamState(enum.Enum):
    """The states of a :class:`ServerStream` (see the module's table)."""

    #: Built, ``start()`` not called yet.
    IDLE = "idle"
    #: Started: events may be sent.
    OPEN = "open"
    #: ``close()`` was called (or the stream was misused): no more events;
    #: queued bytes still go out, then the front end ends the response.
    CLOSED = "closed"
    #: The slow-client policy DROP ended the stream: nothing more goes out;
    #: the front end closes the connection.
    DROPPED = "dropped"


class _Input(enum.Enum):
    START = "start()"
    SEND = "sending"
    TICK = "tick()"
    CLOSE = "close()"


_IDLE, _OPEN, _CLOSED, _DROPPED = (
    StreamState.IDLE,
    StreamState.OPEN,
    StreamState.CLOSED,
    StreamState.DROPPED,
)

#: (state, input) -> next state. Anything missing is misuse (see the module docstring).
_TRANSITIONS: Final[dict[tuple[StreamState, _Input], StreamState]] = {
    (_IDLE, _Input.START): _OPEN,
    (_IDLE, _Input.CLOSE): _CLOSED,
    (_OPEN, _Input.SEND): _OPEN,
    (_OPEN, _Input.TICK): _OPEN,
    (_OPEN, _Input.CLOSE): _CLOSED,
    (_CLOSED, _Input.TICK): _CLOSED,
    (_CLOSED, _Input.CLOSE): _CLOSED,
    (_DROPPED, _Input.TICK): _DROPPED,
    (_DROPPED, _Input.CLOSE): _DROPPED,
}


#: A queued frame and the ID it sets (``None``: it sets none). The hub shares
#: one tuple between all its subscribers.
_Item = tuple[bytes, str | None]


class ServerStream:
    """The server end of one event stream (one client connection).

    Arguments:
        last_event_id: the request's ``Last-Event-ID`` header, or ``None``.
        history: where ``start()`` finds the events to replay.
        retry: a reconnection time in milliseconds, sent first by ``start()``
            as a lone ``retry:`` field; ``None`` sends none.
        keepalive: seconds without queued bytes after which ``tick()``
            queues a comment; ``None`` disables keepalives.
        keepalive_text: the text of that comment (``": text"``).
        line_ending: ``"\\n"``, ``"\\r\\n"`` or ``"\\r"``, for every line
            this stream encodes (frames given to ``send_frame()`` and replayed
            frames go out as they are).
        max_pending: bytes queued and not taken beyond which the slow-client
            policy applies (checked after each frame is queued). Replay is
            not checked; keep it above the history's ``max_bytes``.
        slow_client: the policy (see :class:`SlowClientPolicy`).

    Raises (constructor):
        LocalProtocolError: ``line_ending``, ``retry`` or ``keepalive_text``
            is one the encoder refuses, or ``last_event_id`` is not a str or
            None.
        ValueError: ``keepalive`` is not None or a finite number > 0, or
            ``max_pending`` is not an int >= 0.
        TypeError: ``history`` is not an EventHistory or None, or
            ``slow_client`` is not a SlowClientPolicy.
    """

    __slots__ = (
        "_deadline",
        "_delivered_id",
        "_history",
        "_keepalive",
        "_keepalive_frame",
        "_last_event_id",
        "_line_ending",
        "_max_pending",
        "_offset",
        "_pending",
        "_policy",
        "_queue",
        "_queued",
        "_replayed",
        "_requested_id",
        "_resume",
        "_retry_frame",
        "_skipped",
        "_state",
    )

    #: The response headers (:data:`SSE_HEADERS`).
    headers: Final = SSE_HEADERS

    def __init__(
        self,
        *,
        last_event_id: str | None = None,
        history: EventHistory | None = None,
        retry: int | None = None,
        keepalive: float | None = DEFAULT_KEEPALIVE,
        keepalive_text: str = "",
        line_ending: str = "\n",
        max_pending: int = DEFAULT_MAX_PENDING,
        slow_client: SlowClientPolicy = SlowClientPolicy.DROP,
    ) -> None:
        _line_ending(line_ending)
        if last_event_id is not None and type(last_event_id) is not str:
            raise LocalProtocolError(f"last_event_id must be a str or None, not {last_event_id!r}")
        if history is not None and not isinstance(history, EventHistory):
            raise TypeError(f"history must be an EventHistory or None, not {history!r}")
        if keepalive is not None and (
            isinstance(keepalive, bool)
            or not isinstance(keepalive, int | float)
            or not math.isfinite(keepalive)
            or keepalive <= 0
        ):
            raise ValueError(f"keepalive must be None or a finite number > 0, not {keepalive!r}")
        if type(max_pending) is not int or max_pending < 0:
            raise ValueError(f"max_pending must be an int >= 0, not {max_pending!r}")
        if not isinstance(slow_client, SlowClientPolicy):
            raise TypeError(f"slow_client must be a SlowClientPolicy, not {slow_client!r}")
        self._line_ending = line_ending
        self._retry_frame = None if retry is None else encode_retry(retry, line_ending=line_ending)
        self._keepalive_frame = encode_comment(keepalive_text, line_ending=line_ending)
        self._keepalive = keepalive
        self._history = history
        self._requested_id = last_event_id or None
        self._max_pending = max_pending
        self._policy = slow_client
        self._state = _IDLE
        self._queue: deque[_Item] = deque()
        self._offset = 0  # bytes of _queue[0] already handed out
        self._pending = 0
        self._queued = False  # bytes queued since the last tick()
        self._deadline: float | None = None
        self._last_event_id = last_event_id or ""
        self._delivered_id = self._last_event_id  # as of the bytes handed out
        self._replayed = 0
        self._resume: Resume | None = None
        self._skipped = 0

    # -- queries -------------------------------------------------------------------

    @property
    def state(self) -> StreamState:
        """The stream's state (see the module's table)."""
        return self._state

    @property
    def pending(self) -> int:
        """Bytes queued and not yet taken by ``data_to_send()``."""
        return self._pending

    @property
    def last_event_id(self) -> str:
        """The client's last event ID once it has every byte queued so far.

        Starts as the ``last_event_id`` given (``""`` for none); follows the
        IDs of replayed and sent events (``send_frame(id=)`` included); after
        SKIP discards frames, it is the ID the kept frames leave the client with.
        """
        return self._last_event_id

    @property
    def resume(self) -> Resume | None:
        """What ``start()`` returned (``None`` before it was called)."""
        return self._resume

    @property
    def replayed(self) -> int:
        """How many frames ``start()`` replayed from the history."""
        return self._replayed

    @property
    def skipped(self) -> int:
        """How many queued frames the SKIP policy discarded, in all."""
        return self._skipped

    def next_deadline(self) -> float | None:
        """When ``tick()`` should next be called: the time a keepalive falls due.

        ``None`` when keepalives are off or the stream is not OPEN. Queuing
        bytes does not move it; the next ``tick()`` does (see ``tick``).
        """
        if self._state is not _OPEN:
            return None
        return self._deadline

    def __repr__(self) -> str:
        return (
            f"<ServerStream {self._state.name} pending={self._pending} "
            f"last_event_id={self._last_event_id!r}>"
        )

    # -- inputs --------------------------------------------------------------------

    def _move(self, event: _Input) -> None:
        """Take the table's transition for ``event``, or raise for misuse."""
        state = self._state
        try:
            self._state = _TRANSITIONS[state, event]
        except KeyError:
            if state is _IDLE or state is _OPEN:
                self._state = _CLOSED
            raise LocalProtocolError(
                f"{event.value} is not allowed on a stream in state {state.name}"
                + (" (it is now CLOSED)" if self._state is not state else "")
            ) from None

    def start(self, now: float) -> Resume:
        """Start the stream: queue the ``retry:`` hint, then the replay.

        With a ``last_event_id`` and a history that has it, the frames
        after it are queued as stored (``replayed`` counts them) and
        ``REPLAYED`` is returned; an ID the history lacks (or no history)
        gives ``UNKNOWN`` and replays nothing; no ID gives ``FRESH``. The
        first keepalive falls due at ``now + keepalive``.

        Raises:
            LocalProtocolError: the stream was started already (it moves to
                CLOSED), or is CLOSED or DROPPED.
        """
        self._move(_Input.START)
        if self._keepalive is not None:
            self._deadline = now + self._keepalive
        if self._retry_frame is not None:
            self._append((self._retry_frame, None))
        self._resume = self._replay()
        return self._resume

    def _replay(self) -> Resume:
        requested = self._requested_id
        if requested is None:
            return Resume.FRESH
        items = None if self._history is None else self._history._items_after(requested)
        if items is None:
            return Resume.UNKNOWN
        for frame_id, frame in items:
            self._append((frame, frame_id))
        self._replayed = len(items)
        return Resume.REPLAYED

    def _append(self, item: _Item) -> None:
        self._queue.append(item)
        self._pending += len(item[0])
        self._queued = True
        if item[1] is not None:
            self._last_event_id = item[1]

    def _send(self, item: _Item) -> None:
        if self._state is not _OPEN:  # the table's one SEND row, inlined: the hot path
            self._move(_Input.SEND)
        self._append(item)
        if self._pending > self._max_pending:
            self._overflow()

    def _offer(self, item: _Item, size: int) -> bool:
        """Queue a frame of ``size`` bytes for a hub; True if the stream is still OPEN after.

        Unlike ``send_frame()`` a stream that is not OPEN is no error here
        (nothing is queued): the hub then forgets it.
        """
        if self._state is not _OPEN:
            return False
        # _append(), inlined: this runs once per subscriber per published event.
        self._queue.append(item)
        self._pending += size
        self._queued = True
        if item[1] is not None:
            self._last_event_id = item[1]
        if self._pending > self._max_pending:
            self._overflow()
            return self._state is _OPEN
        return True

    def send(
        self,
        data: str,
        *,
        type: str | None = None,
        id: str | None = None,
        retry: int | None = None,
    ) -> None:
        """Queue one event (see :func:`~sseproto.encode_event` for the fields).

        Raises:
            LocalProtocolError: the encoder refuses a field (nothing
                changes), or the stream is not OPEN (an IDLE stream moves to
                CLOSED).
        """
        frame = encode_event(data, type=type, id=id, retry=retry, line_ending=self._line_ending)
        self._send((frame, id))

    def send_event(self, event: ServerEvent) -> None:
        """Queue ``event``, encoded with this stream's line ending.

        Raises:
            LocalProtocolError: the stream is not OPEN (an IDLE stream moves
                to CLOSED).
            TypeError: ``event`` is not a ServerEvent.
        """
        if not isinstance(event, ServerEvent):
            raise TypeError(f"send_event() takes a ServerEvent, not {type(event).__name__}")
        self._send((event.encode(self._line_ending), event.id))

    def send_frame(self, frame: bytes, *, id: str | None = None) -> None:
        """Queue bytes encoded already (e.g. once for many streams), as they are.

        ``frame`` should be whole events or comments (ending with a line
        ending); it is not checked. ``id`` is the last event ID it sets, if
        any, for ``last_event_id``.

        Raises:
            LocalProtocolError: ``frame`` is not bytes or ``id`` is not a
                str or None (nothing changes), or the stream is not OPEN (an
                IDLE stream moves to CLOSED).
        """
        if type(frame) is not bytes:
            raise LocalProtocolError(f"a frame must be bytes, not {type(frame).__name__}")
        if id is not None and type(id) is not str:
            raise LocalProtocolError(f"id must be a str or None, not {id!r}")
        self._send((frame, id))

    def comment(self, text: str = "") -> None:
        """Queue a comment line (``: text``).

        Raises:
            LocalProtocolError: ``text`` has CR or LF, a lone surrogate or is
                not a str (nothing changes), or the stream is not OPEN (an
                IDLE stream moves to CLOSED).
        """
        self._send((encode_comment(text, line_ending=self._line_ending), None))

    def close(self) -> None:
        """No more events: the stream moves to CLOSED; queued bytes still go out.

        A CLOSED or DROPPED stream stays as it is.
        """
        self._move(_Input.CLOSE)
        self._deadline = None

    def tick(self, now: float) -> bool:
        """Run the keepalive schedule at time ``now``; True if a comment was queued.

        If any bytes were queued since the last ``tick()`` (or ``start()``),
        the interval restarts: the next keepalive falls due at ``now +
        keepalive`` and nothing is queued. Otherwise, when ``now >=
        next_deadline()``, the keepalive comment is queued and the next one
        falls due at ``now + keepalive``. So a client never waits more than
        two intervals (between ticks at the deadlines) without a byte.
        On a CLOSED or DROPPED stream, or with keepalives off, nothing happens.

        Raises:
            LocalProtocolError: the stream was not started (it moves to CLOSED).
        """
        self._move(_Input.TICK)
        if self._state is not _OPEN or self._keepalive is None:
            return False
        if self._queued:
            self._queued = False
            self._deadline = now + self._keepalive
            return False
        assert self._deadline is not None  # set by start()
        if now < self._deadline:
            return False
        self._append((self._keepalive_frame, None))
        self._queued = False
        self._deadline = now + self._keepalive
        if self._pending > self._max_pending:
            self._overflow()
        return True

    def data_to_send(self, max_bytes: int | None = None) -> bytes:
        """Take up to ``max_bytes`` queued bytes (all of them for ``None``), in order.

        Returns ``b""`` if and only if nothing is queued (always, on a
        DROPPED stream). A frame may be handed out in pieces across calls;
        the rest of it always follows, whatever the slow-client policy does.

        Raises:
            ValueError: ``max_bytes`` is not None or an int >= 1.
        """
        if max_bytes is not None and (type(max_bytes) is not int or max_bytes < 1):
            raise ValueError(f"max_bytes must be None or an int >= 1, not {max_bytes!r}")
        queue = self._queue
        if not queue:
            return b""
        offset = self._offset
        if max_bytes is None or max_bytes >= self._pending:
            if len(queue) == 1:
                frame = queue.pop()[0]
                chunk = frame[offset:] if offset else frame
            else:
                frames = [item[0] for item in queue]
                if offset:
                    frames[0] = frames[0][offset:]
                queue.clear()
                chunk = b"".join(frames)
            self._offset = 0
            self._pending = 0
            self._delivered_id = self._last_event_id
            return chunk
        pieces: list[bytes] = []
        budget = max_bytes
        while budget:
            frame, frame_id = queue[0]
            rest = len(frame) - offset
            if rest > budget:
                pieces.append(frame[offset : offset + budget])
                offset += budget
                break
            pieces.append(frame[offset:] if offset else frame)
            queue.popleft()
            offset = 0
            budget -= rest
            if frame_id is not None:
                self._delivered_id = frame_id
        self._offset = offset
        self._pending -= max_bytes
        return b"".join(pieces)

    def _overflow(self) -> None:
        """The slow-client policy: more than ``max_pending`` bytes are queued."""
        queue = self._queue
        if self._policy is SlowClientPolicy.DROP:
            self._state = _DROPPED
            self._deadline = None
            queue.clear()
            self._offset = 0
            self._pending = 0
            return
        # SKIP: keep the frame partly handed out (its rest must follow) and the newest.
        keep_head = 1 if self._offset else 0
        if len(queue) <= keep_head + 1:
            return  # nothing whole to discard
        newest = queue.pop()
        kept = [queue.popleft()] if keep_head else []
        self._skipped += len(queue)
        queue.clear()
        kept.append(newest)
        queue.extend(kept)
        self._pending = sum(len(frame) for frame, _ in kept) - self._offset
        # The client's last event ID: the newest ID among what it will get.
        last = self._delivered_id
        for _, frame_id in kept:
            if frame_id is not None:
                last = frame_id
        self._last_event_id = last
