"""An ASGI app that serves one event stream: :class:`EventStreamResponse`.

Return it from a Starlette (or Quart) endpoint, or mount it as an app, under
any ASGI server on asyncio or trio (uvicorn, hypercorn, ...)::

    async def events(request):
        async def ticks():
            for n in range(3):
                yield ServerEvent(str(n), id=str(n))
        return EventStreamResponse(ticks())

Stopping: a disconnect (``http.disconnect``) closes the source at once; a
client that takes longer than ``send_timeout`` to accept a write is dropped;
cancellation (a server stopping with ``--timeout-graceful-shutdown``, a
task group ending) closes the source and propagates. For a graceful stop
that ends the body cleanly (clients reconnect later with their
``Last-Event-ID``), share one :class:`Shutdown` among the responses and call
its ``set()`` when the application stops.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Unpack

from sseproto import ServerStream

from ._pump import (
    DEFAULT_SEND_TIMEOUT,
    ClientGone,
    Shutdown,
    Source,
    SourceFactory,
    StreamOptions,
    open_source,
    run_stream,
)

__all__ = ["DEFAULT_SEND_TIMEOUT", "EventStreamResponse", "Shutdown", "StreamOptions"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class EventStreamResponse:
    """An ASGI application (``await response(scope, receive, send)``) that
    streams ``source`` as ``text/event-stream`` to one client.

    Args:
        source: the events: an async or sync iterable of
            :class:`sseproto.ServerEvent` or ``str`` (a ``str`` is sent as
            the data of a ``message`` event), or a callable given the
            request's ``Last-Event-ID`` (``None`` when absent) that returns
            one. A sync iterable is advanced in a worker thread.
        status: the response status.
        headers: headers sent after :data:`sseproto.SSE_HEADERS`.
        send_timeout: seconds one write may take; a client that stops
            reading is dropped after it (``None``: wait forever).
        shutdown: a :class:`Shutdown` whose ``set()`` ends the stream gracefully.
        options: the :class:`sseproto.ServerStream` options (``history``,
            ``retry``, ``keepalive``, ``keepalive_text``, ``line_ending``,
            ``max_pending``, ``slow_client``). With a ``history``, a
            reconnecting client's ``Last-Event-ID`` replays what it missed.

    The response reads ``Last-Event-ID`` from the request, starts the
    stream, sends the head, then the events as the source yields them and a
    keepalive comment whenever the stream's ``keepalive`` passes without a
    write. The source is pulled one event ahead of the client: a slow client
    slows the source down. When the source ends the body ends. When the
    client disconnects, a write times out, or the stream is cancelled, the
    source is closed (``aclose()``/``close()``) before the call returns or
    raises, and no task it started is left. An error of the source
    propagates to the server, which closes the connection.

    Raises:
        ValueError: ``scope`` is not an HTTP request.
    """

    def __init__(
        self,
        source: Source | SourceFactory,
        *,
        status: int = 200,
        headers: Iterable[tuple[str, str]] = (),
        send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
        shutdown: Shutdown | None = None,
        **options: Unpack[StreamOptions],
    ) -> None:
        self.source = source
        self.status = status
        self.headers = tuple(headers)
        self.send_timeout = send_timeout
        self.shutdown = shutdown
        self.options = options

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            raise ValueError(f"an event stream answers HTTP requests, not {scope.get('type')!r}")
        last_event_id = _header(scope, b"last-event-id")
        stream = ServerStream(last_event_id=last_event_id, **self.options)
        stream.start(time.monotonic())
        source = open_source(self.source, last_event_id)
        headers = [*stream.headers, *self.headers]
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            }
        )

        async def write(data: bytes) -> None:
            try:
                await send({"type": "http.response.body", "body": data, "more_body": True})
            except OSError as exc:  # ASGI 2.4: sending to a closed connection
                raise ClientGone from exc

        async def client_gone() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        outcome = await run_stream(
            stream,
            source,
            write=write,
            client_gone=client_gone,
            send_timeout=self.send_timeout,
            shutdown=self.shutdown,
        )
        if outcome.clean:
            with contextlib.suppress(OSError):  # the client left as the body ended
                await send({"type": "http.response.body", "body": b"", "more_body": False})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
