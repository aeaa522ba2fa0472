"""One client connection of the built-in servers, on asyncio or trio.

:func:`serve_connection` runs :class:`sseproto.http.ServerExchange`'s steps
with a runtime's ``read`` and ``write``; ``sseproto.server.asyncio`` and
``sseproto.server.trio`` only accept connections, give these two
callables, and close the connection when it returns.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, cast

from sseproto import ServerStream
from sseproto.adapters._runtime import within
from sseproto.http._server import IncomingRequest, Refused, ServerExchange, ServerStep

from ._pump import (
    DEFAULT_SEND_TIMEOUT,
    ClientGone,
    Shutdown,
    Source,
    StreamOptions,
    Subscribable,
    hub_of,
    race,
    run_stream,
    run_subscription,
)

__all__ = [
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_SHUTDOWN_TIMEOUT",
    "Handler",
    "ServerConfig",
    "ServerSettings",
    "serve_connection",
]

logger = logging.getLogger("sseproto.server")

#: Seconds a connection may wait for (the rest of) a request before it is
#: closed, so idle or trickling clients do not hold connections forever.
DEFAULT_READ_TIMEOUT: Final = 30.0

#: Seconds a server waits, when it stops, for its open streams to end
#: gracefully before it cancels them.
DEFAULT_SHUTDOWN_TIMEOUT: Final = 5.0

#: What a built-in server calls for each request: the events to stream, a
#: hub to subscribe the client to (``AsyncHub``, ``TrioHub``, ``RedisHub``:
#: resumed from the request's ``Last-Event-ID``, with the hub's stream
#: options), or ``None`` for 404 Not Found.
Handler = Callable[[IncomingRequest], Source | Subscribable | None]


class ServerSettings(StreamOptions, total=False):
    """The keyword arguments of a built-in server's ``serve()``, every one optional.

    - ``methods``: the request methods answered (``("GET",)``); others get 405.
    - ``headers``: (name, value) pairs added to every event-stream response.
    - ``send_timeout``: seconds one write may take before the client is
      dropped (:data:`DEFAULT_SEND_TIMEOUT`; ``None``: no limit).
    - ``read_timeout``: seconds a connection may wait for (the rest of) a
      request before it is closed (:data:`DEFAULT_READ_TIMEOUT`).
    - ``shutdown_timeout``: seconds the server waits, when it stops, for open
      streams to end before cancelling them (:data:`DEFAULT_SHUTDOWN_TIMEOUT`).
    - the :class:`sseproto.ServerStream` options of every stream
      (:class:`StreamOptions`: ``history``, ``retry``, ``keepalive``, ...).
    """

    methods: Iterable[str]
    headers: Iterable[tuple[str, str]]
    send_timeout: float | None
    read_timeout: float
    shutdown_timeout: float


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """The settings of a built-in server, split from ``serve()``'s arguments."""

    handler: Handler
    methods: tuple[str, ...] = ("GET",)
    headers: tuple[tuple[str, str], ...] = ()
    send_timeout: float | None = DEFAULT_SEND_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    options: StreamOptions = field(default_factory=StreamOptions)
    shutdown: Shutdown = field(default_factory=Shutdown)

    @classmethod
    def of(cls, handler: Handler, settings: ServerSettings) -> ServerConfig:
        """Split ``serve()``'s keyword arguments into server and stream settings."""
        options = {k: v for k, v in settings.items() if k not in _SERVER_KEYS}
        return cls(
            handler=handler,
            methods=tuple(settings.get("methods", ("GET",))),
            headers=tuple(settings.get("headers", ())),
            send_timeout=settings.get("send_timeout", DEFAULT_SEND_TIMEOUT),
            read_timeout=settings.get("read_timeout", DEFAULT_READ_TIMEOUT),
            shutdown_timeout=settings.get("shutdown_timeout", DEFAULT_SHUTDOWN_TIMEOUT),
            options=cast(StreamOptions, options),
        )


_SERVER_KEYS: Final = frozenset(ServerSettings.__annotations__) - frozenset(
    StreamOptions.__annotations__
)


async def serve_connection(
    config: ServerConfig,
    read: Callable[[], Awaitable[bytes]],
    write: Callable[[bytes], Awaitable[None]],
    try_write: Callable[[Callable[[], bytes]], bool] | None = None,
) -> bool:
    """Answer the requests of one connection until it should be closed.

    ``read()`` returns what the client sent, ``b""`` once it closed (or the
    connection broke); ``write(data)`` raises :class:`ClientGone` if the
    client cannot be written to. Returns when the caller should close the
    connection: True to close it after what was written goes out, False to
    abort it (the client is gone, or stopped reading: unsent bytes would
    hold the connection open). ``try_write(take)``, when the runtime has
    one, writes ``take()``'s bytes at once and returns True if the
    connection takes bytes without waiting now, else returns False without
    calling ``take``: a hub's events are then written as they are published.
    An error of the handler is answered with 500; an error of
    its source mid-stream ends the connection without the body's end, so
    the client sees an incomplete response. Both are logged on the
    ``sseproto.server`` logger.
    """
    exchange = ServerExchange(methods=config.methods)

    async def client_gone() -> None:
        while not exchange.client_gone:
            exchange.feed(await read())

    try:
        while True:
            step = exchange.next_event()
            if step is ServerStep.CLOSE:
                return True
            if step is ServerStep.NEED_DATA:
                got, data = await within(config.read_timeout, _read_unless_stopped(config, read))
                if not got or data is None:
                    return True
                exchange.feed(data)
                continue
            if isinstance(step, Refused):
                await write(step.data)
                continue
            if config.shutdown.is_set():
                await write(exchange.refuse(503, close=True).data)
                continue
            try:
                source = config.handler(step)
            except Exception:
                logger.exception("handler failed for %s %s", step.method, step.target)
                await write(exchange.refuse(500, close=True).data)
                continue
            if source is None:
                await write(exchange.refuse(404).data)
                continue

            async def write_body(data: bytes) -> None:
                await write(exchange.body(data))

            try:
                hub = hub_of(source)
                if hub is not None:
                    async with hub.subscribe(step.last_event_id) as subscription:
                        stream = subscription.stream
                        await write(exchange.respond([*stream.headers, *config.headers]))
                        write_now = (
                            None
                            if try_write is None
                            else _direct_writer(try_write, exchange, stream)
                        )
                        outcome = await run_subscription(
                            subscription,
                            write=write_body,
                            client_gone=client_gone,
                            send_timeout=config.send_timeout,
                            shutdown=config.shutdown,
                            write_now=write_now,
                        )
                else:
                    stream = ServerStream(last_event_id=step.last_event_id, **config.options)
                    stream.start(time.monotonic())
                    await write(exchange.respond([*stream.headers, *config.headers]))
                    outcome = await run_stream(
                        stream,
                        source,  # type: ignore[arg-type]  # not a hub: a source
                        write=write_body,
                        client_gone=client_gone,
                        send_timeout=config.send_timeout,
                        shutdown=config.shutdown,
                    )
            except ClientGone:
                raise
            except Exception:
                logger.exception("event source failed for %s %s", step.method, step.target)
                return False
            if not outcome.clean:
                return False
            await write(exchange.end())
    except ClientGone:
        return False


async def _read_unless_stopped(
    config: ServerConfig, read: Callable[[], Awaitable[bytes]]
) -> bytes | None:
    # Between requests a shutdown closes the connection at once.
    which, data = await race(read, config.shutdown.wait)
    return data if which == 0 else None


def _direct_writer(
    try_write: Callable[[Callable[[], bytes]], bool], exchange: ServerExchange, stream: ServerStream
) -> Callable[[], bool]:
    """A hub subscription's ``direct`` writer: the stream's bytes, framed, at once if possible."""
    body = exchange.body
    take = stream.data_to_send

    def write_now() -> bool:
        return try_write(lambda: body(take()))

    return write_now
