"""A streaming WSGI response for event streams, for threaded WSGI servers.

:class:`EventStreamBody` is the body (an iterable of bytes with
``close()``) and :class:`EventStreamApp` a WSGI application around it. Under
Flask::

    @app.get("/events")
    def events():
        body = EventStreamBody(ticks(), last_event_id=request.headers.get("Last-Event-ID"))
        return Response(body, headers=body.headers)

under Django, ``StreamingHttpResponse(body, headers=dict(body.headers))``.

How it works: a producer thread iterates the application's (sync) source
and hands each event over, one at a time; the server's thread iterating the
body waits for the next event with the stream's keepalive deadline as its
timeout, so a keepalive comment goes out while the source is slow. When the
server calls ``close()`` (the client went away and a write failed, or the
response ended), the producer stops, closes the source in its own thread,
and is joined. A slow client slows the source down: the producer waits
while the server is still writing the previous bytes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, Unpack

from sseproto import ServerEvent, ServerStream, StreamState

from ._pump import StreamOptions

__all__ = ["DEFAULT_JOIN_TIMEOUT", "EventStreamApp", "EventStreamBody", "StreamOptions"]

#: An application's events, for a WSGI response: a sync iterable of events
#: or ``data`` strings, or a callable given the request's ``Last-Event-ID``.
SyncSource = Iterable[ServerEvent | str] | Callable[[str | None], Iterable[ServerEvent | str]]

#: Seconds ``close()`` waits for the producer thread to end. It ends at once
#: unless the source is in the middle of producing an event (a thread cannot
#: be interrupted); it then ends, closing the source, as soon as that event
#: is produced, whether ``close()`` still waits or not. One second keeps a
#: blocked source from holding the server's worker thread for long.
DEFAULT_JOIN_TIMEOUT: Final = 1.0


class _Failed:
    """The source raised: the body raises ``error`` from the server's thread."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _End:
    pass


_END: Final = _End()
_Item = ServerEvent | str | _End | _Failed


class _Handoff:
    """One item at a time from the producer thread to the server's thread."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._item: _Item | None = None
        self._stopped = False

    def put(self, item: _Item) -> bool:
        """Wait for the slot to be free and fill it; False once stopped."""
        with self._ready:
            while self._item is not None and not self._stopped:
                self._ready.wait()
            if self._stopped:
                return False
            self._item = item
            self._ready.notify_all()
            return True

    def get(self, timeout: float | None) -> _Item | None:
        """The next item, or None if ``timeout`` seconds passed first."""
        with self._ready:
            self._ready.wait_for(lambda: self._item is not None, timeout)
            item, self._item = self._item, None
            self._ready.notify_all()
            return item

    def stop(self) -> None:
        with self._ready:
            self._stopped = True
            self._ready.notify_all()

    @property
    def stopped(self) -> bool:
        return self._stopped


class EventStreamBody:
    """The body of an event-stream response: iterate it for the bytes to send.

    Args:
        source: the events: a sync iterable of :class:`sseproto.ServerEvent`
            or ``str`` (sent as the data of a ``message`` event), or a
            callable given ``last_event_id`` that returns one.
        last_event_id: the request's ``Last-Event-ID`` header
            (``environ.get("HTTP_LAST_EVENT_ID")``), or ``None``.
        headers: headers sent after :data:`sseproto.SSE_HEADERS`.
        join_timeout: seconds :meth:`close` waits for the producer thread.
        clock: the monotonic clock of the keepalive schedule.
        options: the :class:`sseproto.ServerStream` options (``history``,
            ``retry``, ``keepalive``, ...).

    ``status`` (``"200 OK"``) and ``headers`` are what to pass to
    ``start_response``. Each item of the iteration is non-empty bytes: the
    retry hint and replay first, then each event as the source yields it,
    and a keepalive comment whenever the stream's ``keepalive`` passes
    without one. The iteration ends when the source does; an error of the
    source is raised from ``next()`` (the server then closes the
    connection). The producer thread starts at the first ``next()``.

    Raises:
        LocalProtocolError, ValueError, TypeError: a stream option is
            invalid (see ``ServerStream``).
    """

    status: str = "200 OK"

    def __init__(
        self,
        source: SyncSource,
        *,
        last_event_id: str | None = None,
        headers: Iterable[tuple[str, str]] = (),
        join_timeout: float = DEFAULT_JOIN_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        **options: Unpack[StreamOptions],
    ) -> None:
        self._stream = ServerStream(last_event_id=last_event_id, **options)
        self._stream.start(clock())
        self._source = source
        self._last_event_id = last_event_id
        self._clock = clock
        self._join_timeout = join_timeout
        self._handoff = _Handoff()
        self._thread: threading.Thread | None = None
        #: The response headers: :data:`sseproto.SSE_HEADERS` and ``headers``.
        self.headers: list[tuple[str, str]] = [*self._stream.headers, *headers]

    @property
    def stream(self) -> ServerStream:
        """The :class:`sseproto.ServerStream` this body writes."""
        return self._stream

    @property
    def thread(self) -> threading.Thread | None:
        """The producer thread, once started (``None`` before the first ``next()``)."""
        return self._thread

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        stream = self._stream
        if self._thread is None and not self._handoff.stopped:
            self._thread = threading.Thread(
                target=self._produce, name="sseproto-wsgi-producer", daemon=True
            )
            self._thread.start()
        while True:
            data = stream.data_to_send()
            if data:
                return data
            if stream.state is not StreamState.OPEN or self._handoff.stopped:
                self.close()
                raise StopIteration
            deadline = stream.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - self._clock())
            item = self._handoff.get(timeout)
            if item is None:
                stream.tick(self._clock())
            elif isinstance(item, _End):
                stream.close()
            elif isinstance(item, _Failed):
                self.close()
                raise item.error
            elif isinstance(item, str):
                stream.send(item)
            else:
                stream.send_event(item)

    def close(self) -> None:
        """Stop: the source is closed (in the producer thread) and the
        thread joined, for up to ``join_timeout`` seconds. Idempotent."""
        self._handoff.stop()
        if self._stream.state is StreamState.OPEN:
            self._stream.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(self._join_timeout)

    def _produce(self) -> None:
        handoff = self._handoff
        iterator: Iterator[ServerEvent | str] | None = None
        try:
            source = self._source
            if callable(source) and not hasattr(source, "__iter__"):
                source = source(self._last_event_id)
            iterator = iter(source)
            for item in iterator:
                if not handoff.put(item):
                    return
            handoff.put(_END)
        except Exception as exc:
            handoff.put(_Failed(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()


class EventStreamApp:
    """A WSGI application that streams ``source`` as ``text/event-stream``.

    Each request gets an :class:`EventStreamBody` of ``source`` (a callable
    is called per request with the request's ``Last-Event-ID``; an iterable
    can be served once), with ``Last-Event-ID`` read from
    ``HTTP_LAST_EVENT_ID``. The arguments are :class:`EventStreamBody`'s.
    """

    def __init__(
        self,
        source: SyncSource,
        *,
        headers: Iterable[tuple[str, str]] = (),
        join_timeout: float = DEFAULT_JOIN_TIMEOUT,
        **options: Unpack[StreamOptions],
    ) -> None:
        self.source = source
        self.headers = tuple(headers)
        self.join_timeout = join_timeout
        self.options = options

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> EventStreamBody:
        body = EventStreamBody(
            self.source,
            last_event_id=environ.get("HTTP_LAST_EVENT_ID"),
            headers=self.headers,
            join_timeout=self.join_timeout,
            **self.options,
        )
        start_response(body.status, body.headers)
        return body
