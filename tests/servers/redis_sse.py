"""An SSE endpoint served from a Redis stream by :class:`~sseproto.server.redis.RedisHub`,
in a child process, so that tests can run several server processes on one stream.

``python -m tests.servers.redis_sse URL KEY`` serves ``GET /`` on a free
loopback port (a minimal HTTP/1.1 handler on h11 and asyncio streams; one
request per connection), prints the port on its first line of output, and
stops when its standard input closes. :class:`RedisSSEProcess` runs it
(use it with ``contextlib.closing``).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import h11
import redis.asyncio

from sseproto import Hub
from sseproto.server.redis import RedisHub

from .redis import wait_or_kill

__all__ = ["RedisSSEProcess"]

ROOT = Path(__file__).resolve().parent.parent.parent

#: The keepalive interval of the served streams: short, so that a handler
#: whose client went away finds out (its next write fails) within a moment.
KEEPALIVE = 0.2


async def _request(connection: h11.Connection, reader: asyncio.StreamReader) -> h11.Request | None:
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            connection.receive_data(await reader.read(65536))
            continue
        return event if isinstance(event, h11.Request) else None


async def _handle(
    hub: RedisHub, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    connection = h11.Connection(h11.SERVER)
    try:
        request = await _request(connection, reader)
        if request is None:
            return
        last_event_id = dict(request.headers).get(b"last-event-id")
        async with hub.subscribe(last_event_id.decode() if last_event_id else None) as stream:
            headers = [*stream.stream.headers, ("Connection", "close")]
            writer.write(connection.send(h11.Response(status_code=200, headers=headers)))
            async for chunk in stream:
                writer.write(connection.send(h11.Data(data=chunk)))
                await writer.drain()
            writer.write(connection.send(h11.EndOfMessage()))
            await writer.drain()
    except (ConnectionError, h11.ProtocolError):
        pass  # the client went away
    finally:
        writer.close()


async def _serve(url: str, key: str) -> None:
    client = redis.asyncio.Redis.from_url(url)
    try:
        async with RedisHub(client, key, hub=Hub(keepalive=KEEPALIVE), block=1.0) as hub:
            server = await asyncio.start_server(lambda r, w: _handle(hub, r, w), "127.0.0.1", 0)
            async with server:
                print(server.sockets[0].getsockname()[1], flush=True)
                await asyncio.to_thread(sys.stdin.read)  # until the parent closes it
    finally:
        await client.aclose()


class RedisSSEProcess:
    """A child process serving the stream ``key`` of the Redis at ``url``
    on ``http://127.0.0.1:{port}/``, until :meth:`close`."""

    def __init__(self, url: str, key: str) -> None:
        # The child imports what this process imports: PYTHONPATH's entries
        # (made absolute), then the repository root for ``tests``.
        paths = [str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([*paths, str(ROOT)]))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.servers.redis_sse", url, key],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.strip():
            self.close()
            raise RuntimeError("the SSE server process did not start")
        self.url = f"http://127.0.0.1:{int(line)}/"

    def close(self) -> None:
        """Stop the process (closing its input), killing it after 10 seconds."""
        process = self._process
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        wait_or_kill(process)


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], sys.argv[2]))
