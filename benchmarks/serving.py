"""The cost of serving a broadcast: sseproto's server role against
sse-starlette under the same uvicorn, on the same load.

Each server runs in a child process of its own, with one publisher; the
subscribers are raw sockets held by other child processes that count events
as they arrive and parse nothing else. Measured for each server:

- events delivered per second of server CPU time (user + system of the server
  process) while one publisher broadcasts to every subscriber at a fixed rate;
- server memory per idle subscriber: the growth of the server's resident set
  when that many subscribers connect and wait;
- fan-out latency: from the publish call to the moment the last subscriber
  has the event, median and 99th percentile over the events of a slow
  broadcast.

Usage:
    python benchmarks/serving.py                 # the full run, about a minute
    python benchmarks/serving.py --quick         # a smoke run, a few seconds per server
    python benchmarks/serving.py --servers sse-starlette,sseproto-asgi

Linux only: the server reads its resident set from /proc/self/statm. See
benchmarks/README.md for the figures of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sseproto import ServerEvent

HERE = Path(__file__).resolve()

#: Longest a child may take to answer a command before the run is abandoned.
REPLY_TIMEOUT = 120.0


@dataclass(frozen=True)
class Settings:
    #: Subscribers of the broadcast whose CPU cost and latency are measured.
    subscribers: int
    #: Idle subscribers connected for the memory measurement.
    idle: int
    #: Events of the throughput broadcast, and its rate (events per second).
    events: int
    rate: float
    #: Events of the latency broadcast, and its rate.
    latency_events: int
    latency_rate: float
    #: Client processes the subscribers are spread over.
    client_processes: int


FULL = Settings(
    subscribers=1000,
    idle=2000,
    events=400,
    rate=40.0,
    latency_events=200,
    latency_rate=20.0,
    client_processes=4,
)
QUICK = Settings(
    subscribers=100,
    idle=200,
    events=200,
    rate=200.0,
    latency_events=30,
    latency_rate=50.0,
    client_processes=2,
)

#: Warm-up subscribers and events, before anything is measured.
WARM_SUBSCRIBERS = 20
WARM_EVENTS = 20

#: Characters of padding in each event's data (a short JSON message's worth).
PAYLOAD = 80


def _raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --------------------------------------------------------------------------
# The server side: one child process per server, driven by commands on stdin.
# --------------------------------------------------------------------------

#: publish(data, id) broadcasts one event; subscribers() counts the streams.
Publish = Callable[[str, str], None]
Count = Callable[[], int]


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reply(item: object) -> None:
    sys.stdout.write(json.dumps(item) + "\n")
    sys.stdout.flush()


async def _control(
    readline: Callable[[], Awaitable[str]],
    sleep: Callable[[float], Awaitable[None]],
    publish: Publish,
    subscribers: Count,
) -> None:
    """Answer the parent's commands until ``quit`` or the end of stdin:

    - ``stats``: ``{"cpu": s, "rss": bytes, "subscribers": n}`` after a full
      garbage collection;
    - ``publish N RATE``: broadcast N events at RATE per second (on an
      absolute schedule, so a late one does not delay the rest), then
      ``{"published": [monotonic ns of each publish call]}``.
    """
    sequence = 0
    padding = "x" * PAYLOAD
    while True:
        line = (await readline()).split()
        if not line or line[0] == "quit":
            return
        if line[0] == "stats":
            gc.collect()
            usage = os.times()
            _reply(
                {
                    "cpu": time.process_time(),
                    "user": usage.user,
                    "rss": _resident_bytes(),
                    "subscribers": subscribers(),
                }
            )
        elif line[0] == "publish":
            count, rate = int(line[1]), float(line[2])
            times: list[int] = []
            start = time.monotonic()
            for index in range(count):
                delay = start + index / rate - time.monotonic()
                if delay > 0:
                    await sleep(delay)
                sequence += 1
                times.append(time.monotonic_ns())
                publish(f'{{"n": {sequence}, "pad": "{padding}"}}', str(sequence))
            _reply({"published": times})


async def _asyncio_control(publish: Publish, subscribers: Count) -> None:
    async def readline() -> str:
        return await asyncio.to_thread(sys.stdin.readline)

    await _control(readline, asyncio.sleep, publish, subscribers)


def _listen() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4096)
    return sock


async def _uvicorn(app: Any, publish: Publish, subscribers: Count) -> None:
    """Serve ``app`` with uvicorn (asyncio loop, h11) and run the control loop."""
    import uvicorn  # noqa: PLC0415 (only the server children need it)

    sock = _listen()
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        loop="asyncio",
        http="h11",
        ws="none",
        backlog=4096,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    _reply({"port": sock.getsockname()[1]})
    try:
        await _asyncio_control(publish, subscribers)
    finally:
        # The subscribers' streams never end by themselves: no graceful shutdown.
        server.should_exit = server.force_exit = True
        await task


class Queues:
    """One ``asyncio.Queue`` per subscriber, each fed by the publisher: the
    broadcast idiom sse-starlette's documentation shows. Used by every
    server below that has no hub."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[tuple[str, str]]] = set()

    def publish(self, data: str, id: str) -> None:
        for queue in self.queues:
            queue.put_nowait((data, id))

    def count(self) -> int:
        return len(self.queues)

    async def items(self) -> AsyncIterator[tuple[str, str]]:
        """What one subscriber is sent, ``(data, id)``, until it goes away."""
        queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self.queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self.queues.discard(queue)


def serve_sse_starlette() -> None:
    """sse-starlette's ``EventSourceResponse`` under uvicorn, fed by :class:`Queues`."""
    from sse_starlette import EventSourceResponse  # noqa: PLC0415
    from starlette.applications import Starlette  # noqa: PLC0415
    from starlette.requests import Request  # noqa: PLC0415
    from starlette.routing import Route  # noqa: PLC0415

    queues = Queues()

    async def events(request: Request) -> EventSourceResponse:
        async def stream() -> AsyncIterator[dict[str, str]]:
            async for data, id in queues.items():
                yield {"data": data, "id": id}

        return EventSourceResponse(stream())

    app = Starlette(routes=[Route("/events", events)])
    asyncio.run(_uvicorn(app, queues.publish, queues.count))


async def _server_events(queues: Queues) -> AsyncIterator[ServerEvent]:
    async for data, id in queues.items():
        yield ServerEvent(data, id=id)


def serve_sseproto_asgi() -> None:
    """sseproto's ``EventStreamResponse`` under the same uvicorn, fed by :class:`Queues`."""
    from starlette.applications import Starlette  # noqa: PLC0415
    from starlette.requests import Request  # noqa: PLC0415
    from starlette.routing import Route  # noqa: PLC0415

    from sseproto.server.asgi import EventStreamResponse  # noqa: PLC0415

    queues = Queues()

    async def events(request: Request) -> EventStreamResponse:
        return EventStreamResponse(_server_events(queues))

    app = Starlette(routes=[Route("/events", events)])
    asyncio.run(_uvicorn(app, queues.publish, queues.count))


def serve_sseproto_asyncio() -> None:
    """sseproto's built-in asyncio server, fed by :class:`Queues`."""
    from sseproto.http import IncomingRequest  # noqa: PLC0415
    from sseproto.server.asyncio import serve  # noqa: PLC0415

    queues = Queues()

    def handler(request: IncomingRequest) -> AsyncIterator[ServerEvent] | None:
        return _server_events(queues) if request.target == "/events" else None

    async def main() -> None:
        async with serve(handler) as server:
            _reply({"port": server.port})
            await _asyncio_control(queues.publish, queues.count)

    asyncio.run(main())


def serve_sseproto_hub() -> None:
    """sseproto's ``AsyncHub`` served by ``EventStreamResponse`` under the
    same uvicorn and Starlette route: each event is encoded once and its
    bytes queued on every subscriber's stream."""
    from starlette.applications import Starlette  # noqa: PLC0415
    from starlette.requests import Request  # noqa: PLC0415
    from starlette.routing import Route  # noqa: PLC0415

    from sseproto.server.asgi import EventStreamResponse  # noqa: PLC0415
    from sseproto.server.asyncio import AsyncHub  # noqa: PLC0415

    hub = AsyncHub()

    async def events(request: Request) -> EventStreamResponse:
        return EventStreamResponse(hub)

    def publish(data: str, id: str) -> None:
        hub.publish(data, id=id)

    app = Starlette(routes=[Route("/events", events)])
    asyncio.run(_uvicorn(app, publish, lambda: hub.subscribers))


def serve_sseproto_hub_builtin() -> None:
    """sseproto's ``AsyncHub`` served by the built-in asyncio server."""
    from sseproto.http import IncomingRequest  # noqa: PLC0415
    from sseproto.server.asyncio import AsyncHub, serve  # noqa: PLC0415

    hub = AsyncHub()

    def handler(request: IncomingRequest) -> AsyncHub | None:
        return hub if request.target == "/events" else None

    def publish(data: str, id: str) -> None:
        hub.publish(data, id=id)

    async def main() -> None:
        async with serve(handler) as server:
            _reply({"port": server.port})
            await _asyncio_control(publish, lambda: hub.subscribers)

    asyncio.run(main())


#: The servers by name: a function run in the server child.
SERVERS: dict[str, Callable[[], None]] = {
    "sse-starlette": serve_sse_starlette,
    "sseproto-asgi": serve_sseproto_asgi,
    "sseproto-asyncio": serve_sseproto_asyncio,
    "sseproto-hub": serve_sseproto_hub,
    "sseproto-hub-builtin": serve_sseproto_hub_builtin,
}

#: The server the ratios are taken against.
REFERENCE = "sse-starlette"


# --------------------------------------------------------------------------
# The subscribers: raw sockets that count events.
# --------------------------------------------------------------------------


#: What each event has once (its single data line) and a comment never has.
MARK = b"data:"


def client_main(port: int, count: int) -> None:
    """Hold ``count`` event streams of ``/events``; answer commands on stdin.

    After the response heads, prints ``{"ready": count}``. ``expect M`` makes
    it wait until every stream has M more events (counted by their ``data:``
    field, so keepalive comments are not counted), then print
    ``{"times": [...]}``: the monotonic ns at which the last of its streams
    had event 1, 2, ... M. ``quit`` ends it.
    """
    _raise_file_limit()
    request = b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    socks: list[socket.socket] = []
    counts = [0] * count
    tails = [b""] * count
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(request)
        socks.append(sock)
    for index, sock in enumerate(socks):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("the server closed a stream before its response head")
            head += chunk
        status, _, rest = head.partition(b"\r\n\r\n")
        if not status.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"unexpected response: {status[:100]!r}")
        tails[index] = rest
        sock.setblocking(False)
    selector = selectors.DefaultSelector()
    for index, sock in enumerate(socks):
        selector.register(sock, selectors.EVENT_READ, index)
    selector.register(sys.stdin, selectors.EVENT_READ, -1)
    _reply({"ready": count})

    base: list[int] | None = None
    reached: list[int] = []
    times: list[int] = []
    target = 0
    done = 0
    while True:
        for key, _ in selector.select():
            index = key.data
            if index == -1:
                command = sys.stdin.readline().split()
                if not command or command[0] == "quit":
                    for sock in socks:
                        sock.close()
                    return
                target = int(command[1])
                base = counts[:]
                reached = [0] * (target + 1)
                times = [0] * (target + 1)
                done = 0
                _reply({"expecting": target})
                continue
            chunk = key.fileobj.recv(262144)  # type: ignore[union-attr]
            if not chunk:
                raise SystemExit("the server closed a stream")
            data = tails[index] + chunk
            new = data.count(MARK)
            tails[index] = data[-(len(MARK) - 1) :]
            if not new:
                continue
            before = counts[index]
            counts[index] = before + new
            if base is None:
                continue
            first = before - base[index] + 1
            last = min(counts[index] - base[index], target)
            now = time.monotonic_ns()
            for number in range(first, last + 1):
                reached[number] += 1
                if reached[number] == count:
                    times[number] = now
                    if number == target:
                        done = 1
            if done:
                _reply({"times": times[1:]})
                base = None
                done = 0


# --------------------------------------------------------------------------
# The parent: start the children, run the phases, print the table.
# --------------------------------------------------------------------------


class Child:
    """A child process of this script that talks in JSON lines."""

    def __init__(self, *arguments: str) -> None:
        self.name = " ".join(arguments)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            str(Path(p).resolve()) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p
        )
        self.process = subprocess.Popen(
            [sys.executable, str(HERE), *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._buffer = b""

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        self.process.stdin.flush()

    def receive(self, timeout: float = REPLY_TIMEOUT) -> dict[str, Any]:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise TimeoutError(f"no reply from {self.name} in {timeout} s")
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise RuntimeError(f"{self.name} exited ({self.process.wait()})")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def ask(self, command: str, timeout: float = REPLY_TIMEOUT) -> dict[str, Any]:
        self.send(command)
        return self.receive(timeout)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.send("quit")
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class Subscribers:
    """``count`` subscribers spread over ``processes`` client children."""

    def __init__(self, port: int, count: int, processes: int) -> None:
        shares = [count // processes + (i < count % processes) for i in range(processes)]
        self.children = [Child("--client", str(port), str(n)) for n in shares if n]
        try:
            for child in self.children:
                child.receive()
        except BaseException:
            self.close()
            raise

    def expect(self, events: int) -> None:
        for child in self.children:
            child.send(f"expect {events}")
        for child in self.children:
            child.receive()

    def arrival_times(self) -> list[int]:
        """The ns at which the last subscriber had each expected event."""
        replies = [child.receive()["times"] for child in self.children]
        return [max(times) for times in zip(*replies, strict=True)]

    def close(self) -> None:
        for child in self.children:
            child.close()


@dataclass(frozen=True)
class Result:
    server: str
    events_per_cpu_second: float
    bytes_per_idle_subscriber: float
    latency_median_ms: float
    latency_p99_ms: float
    #: The share of the CPU time spent in user space (the rest is the
    #: kernel's: mostly the loopback TCP stack behind each write).
    user_share: float


def _wait_for_subscribers(server: Child, count: int, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        stats = server.ask("stats")
        if stats["subscribers"] == count:
            return stats
        if time.monotonic() > deadline:
            raise TimeoutError(f"{stats['subscribers']} subscribers, expected {count}")
        time.sleep(0.1)


def _broadcast(server: Child, subscribers: Subscribers, events: int, rate: float) -> list[int]:
    """Publish ``events`` at ``rate``; the latency of each in ns."""
    subscribers.expect(events)
    published = server.ask(f"publish {events} {rate}")["published"]
    arrived = subscribers.arrival_times()
    return [a - p for a, p in zip(arrived, published, strict=True)]


def measure(name: str, settings: Settings) -> Result:
    server = Child("--serve", name)
    try:
        port = server.receive()["port"]
        # Warm up every code path once before measuring anything.
        warm = Subscribers(port, WARM_SUBSCRIBERS, 1)
        try:
            _wait_for_subscribers(server, WARM_SUBSCRIBERS)
            _broadcast(server, warm, WARM_EVENTS, 1000.0)
            before = server.ask("stats")
            idle = Subscribers(port, settings.idle, settings.client_processes)
            try:
                after = _wait_for_subscribers(server, WARM_SUBSCRIBERS + settings.idle)
            finally:
                idle.close()
        finally:
            warm.close()
        per_idle = (after["rss"] - before["rss"]) / settings.idle
        _wait_for_subscribers(server, 0)

        load = Subscribers(port, settings.subscribers, settings.client_processes)
        try:
            _wait_for_subscribers(server, settings.subscribers)
            start = server.ask("stats")
            _broadcast(server, load, settings.events, settings.rate)
            end = server.ask("stats")
            delivered = settings.events * settings.subscribers
            per_cpu_second = delivered / (end["cpu"] - start["cpu"])
            user_share = (end["user"] - start["user"]) / (end["cpu"] - start["cpu"])
            latencies = _broadcast(server, load, settings.latency_events, settings.latency_rate)
        finally:
            load.close()
    finally:
        server.close()
    cut = statistics.quantiles(latencies, n=100, method="inclusive")
    return Result(
        name,
        per_cpu_second,
        per_idle,
        statistics.median(latencies) / 1e6,
        cut[98] / 1e6,
        min(1.0, user_share),
    )


def _table(results: Sequence[Result], settings: Settings) -> str:
    reference = next((r for r in results if r.server == REFERENCE), None)

    def ratio(value: float, base: float | None) -> str:
        return f"{value / base:5.2f}x" if base else "     -"

    lines = [
        f"broadcast to {settings.subscribers} subscribers: {settings.events} events at "
        f"{settings.rate:g}/s; latency over {settings.latency_events} events at "
        f"{settings.latency_rate:g}/s; memory with {settings.idle} idle subscribers",
        "",
        f"{'server':<18} {'events/s per core':>18} {'ratio':>7} {'KiB per idle sub':>17} "
        f"{'ratio':>7} {'latency p50 ms':>15} {'p99 ms':>8} {'user us/ev':>11} {'ratio':>7}",
    ]

    def user_us(r: Result) -> float:
        # User-space CPU microseconds per delivered event.
        return 1e6 * r.user_share / r.events_per_cpu_second

    for r in results:
        base_cpu = reference.events_per_cpu_second if reference else None
        base_mem = reference.bytes_per_idle_subscriber if reference else None
        base_user = user_us(reference) if reference else None
        lines.append(
            f"{r.server:<18} {r.events_per_cpu_second:>18,.0f} "
            f"{ratio(r.events_per_cpu_second, base_cpu):>7} "
            f"{r.bytes_per_idle_subscriber / 1024:>17.1f} "
            f"{ratio(r.bytes_per_idle_subscriber, base_mem):>7} "
            f"{r.latency_median_ms:>15.2f} {r.latency_p99_ms:>8.2f} "
            f"{user_us(r):>11.2f} {ratio(user_us(r), base_user):>7}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer subscribers")
    parser.add_argument(
        "--servers", default=",".join(SERVERS), help="comma-separated: " + ", ".join(SERVERS)
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _raise_file_limit()
        SERVERS[args.serve]()
        return 0
    if args.client:
        client_main(*args.client)
        return 0
    _raise_file_limit()
    settings = QUICK if args.quick else FULL
    names = [n for n in args.servers.split(",") if n]
    unknown = sorted(set(names) - set(SERVERS))
    if unknown:
        parser.error(f"unknown servers: {', '.join(unknown)}")
    results = [measure(name, settings) for name in names]
    print(_table(results, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
