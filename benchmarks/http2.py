"""HTTP/2 against HTTP/1.1 on the same client: N concurrent event streams to one origin over TLS.

A hypercorn server (a subprocess, HTTPS with a throwaway trustme certificate,
``SETTINGS_MAX_CONCURRENT_STREAMS`` = 500 by default: hypercorn's priority tree
refuses a 1001st stream while closed ones are still in it, which fails the
whole connection) streams ``K`` events to each of ``N``
concurrent requests of the asyncio client, once with ``http2=True`` and once
without, each in a fresh client subprocess. For each it reports:

- connections: the TCP connections the server saw carry the streams;
- CPU per chunk: the client process's CPU time (``time.process_time``) over
  the whole run, TLS handshakes included, divided by the events received;
- memory per stream: the rise of the client's resident set during the run
  (its current RSS sampled every 5 ms, at its highest), divided by N;
- TTFC: the time from a fresh client's request to the first event of one
  stream, connection and TLS handshake included (the median of 15 runs of
  each, HTTP/1.1 and HTTP/2 alternately in one process, after the loads);

then the HTTP/2 / HTTP/1.1 ratio of each (below 1: HTTP/2 is cheaper).

::

    .venv/bin/python benchmarks/http2.py               # 1,000 streams of 20 events, 50 ms apart
    .venv/bin/python benchmarks/http2.py --quick       # 50 streams, a smoke run
    .venv/bin/python benchmarks/http2.py --streams 200 --events 50 --delay 0.02
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# One event shaped like a small chat completion chunk.
PAYLOAD = json.dumps({"choices": [{"index": 0, "delta": {"content": "token "}}]}).encode()


# -- the server (a subprocess) ---------------------------------------------------------------


def serve(port: int, certfile: str, keyfile: str, streams: int) -> None:
    """hypercorn on 127.0.0.1:port, with the raw ASGI app below."""
    from hypercorn.asyncio import serve as hypercorn_serve  # noqa: PLC0415
    from hypercorn.config import Config  # noqa: PLC0415

    ports: set[int] = set()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        query = dict(part.split("=") for part in scope["query_string"].decode().split("&") if part)
        if scope["path"] == "/stats":
            body = json.dumps({"connections": len(ports)}).encode()
            ports.clear()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        ports.add(scope["client"][1])
        count, delay = int(query.get("n", "10")), float(query.get("delay", "0"))
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for index in range(count):
            if delay and index:
                await asyncio.sleep(delay)
            event = b"id: %d\ndata: %s\n\n" % (index, PAYLOAD)
            await send({"type": "http.response.body", "body": event, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.certfile, config.keyfile = certfile, keyfile
    config.h2_max_concurrent_streams = streams
    config.backlog = 4096
    config.keep_alive_timeout = 60
    config.accesslog = config.errorlog = None

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await hypercorn_serve(app, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]

    asyncio.run(run())


# -- the client (a subprocess per protocol) -----------------------------------------------------


def client(url: str, cafile: str, http2: bool, streams: int, events: int) -> None:
    """Run the load and print one JSON line of figures."""
    import ssl  # noqa: PLC0415

    from sseproto.adapters.asyncio import Client  # noqa: PLC0415

    def context() -> ssl.SSLContext:
        return ssl.create_default_context(cafile=cafile)

    page = os.sysconf("SC_PAGE_SIZE")

    def rss() -> int:
        """The process's resident set now, in bytes."""
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * page

    async def load() -> dict[str, Any]:
        rss_before = peak = rss()
        received = 0

        async def sample() -> None:
            nonlocal peak
            while True:
                peak = max(peak, rss())
                await asyncio.sleep(0.005)

        sampler = asyncio.ensure_future(sample())
        async with Client(ssl_context=context(), http2=http2, max_idle_per_origin=streams) as c:

            async def one() -> None:
                nonlocal received
                async with c.stream("GET", url) as stream:
                    async for _ in stream:
                        received += 1

            cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.gather(*(one() for _ in range(streams)))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            sampler.cancel()
        assert received == streams * events, f"{received} events, not {streams * events}"
        return {
            "cpu_per_chunk_us": cpu / received * 1e6,
            "rss_per_stream_kib": (peak - rss_before) / 1024 / streams,
            "wall_s": wall,
        }

    print(json.dumps(asyncio.run(load())))


def ttfc(url: str, cafile: str, runs: int) -> None:
    """Time to the first event of one stream on a fresh client, HTTP/1.1 and
    HTTP/2 alternately in one process (so both meet the same machine load),
    after one untimed run of each; print the medians as one JSON line."""
    import ssl  # noqa: PLC0415

    from sseproto.adapters.asyncio import Client  # noqa: PLC0415

    async def first_event(http2: bool) -> float:
        context = ssl.create_default_context(cafile=cafile)
        async with Client(ssl_context=context, http2=http2) as c:
            start = time.perf_counter()
            async with c.stream("GET", url) as stream:
                await anext(aiter(stream))
                first = time.perf_counter() - start
            assert stream.http_version == ("HTTP/2" if http2 else "HTTP/1.1")
        return first

    times: dict[str, list[float]] = {"h1": [], "h2": []}
    for run in range(runs + 1):
        for proto in ("h1", "h2"):
            elapsed = asyncio.run(first_event(proto == "h2"))
            if run:
                times[proto].append(elapsed * 1e3)
    print(json.dumps({proto: statistics.median(values) for proto, values in times.items()}))


# -- the parent ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(port: int, check: Callable[[], bool]) -> None:
    for _ in range(200):
        if not check():
            raise SystemExit("http2.py: the server exited")
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    raise SystemExit("http2.py: the server did not start")


def _run(command: list[str]) -> dict[str, Any]:
    """Run one of this script's client modes; the JSON line it printed."""
    out = subprocess.run(command, capture_output=True, text=True, env=os.environ, check=False)
    if out.returncode:
        raise SystemExit(f"http2.py: {command[2]} failed:\n{out.stderr}")
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def _stats(port: int, cafile: str) -> int:
    import ssl  # noqa: PLC0415

    from sseproto.adapters.sync import Client  # noqa: PLC0415

    with Client(ssl_context=ssl.create_default_context(cafile=cafile)) as c:
        answer = c.request("GET", f"https://localhost:{port}/stats")
    connections: int = json.loads(answer.body)["connections"]
    return connections


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--streams", type=int, default=1000, help="concurrent streams (1000)")
    parser.add_argument("--events", type=int, default=20, help="events per stream (20)")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds between events")
    parser.add_argument(
        "--server-streams", type=int, default=500, help="the server's stream limit (500)"
    )
    parser.add_argument(
        "--ttfc-runs", type=int, default=15, help="pairs of runs of the TTFC test (15)"
    )
    parser.add_argument("--quick", action="store_true", help="50 streams, 3 TTFC pairs")
    parser.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--ttfc", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        port, certfile, keyfile, streams = args.serve
        serve(int(port), certfile, keyfile, int(streams))
        return 0
    if args.client:
        url, cafile, proto, streams, events = args.client
        client(url, cafile, proto == "h2", int(streams), int(events))
        return 0
    if args.ttfc:
        url, cafile, runs = args.ttfc
        ttfc(url, cafile, int(runs))
        return 0
    if args.quick:
        args.streams, args.ttfc_runs = 50, 3
    import trustme  # noqa: PLC0415

    authority = trustme.CA()
    cert = authority.issue_cert("localhost")
    with tempfile.TemporaryDirectory() as folder:
        certfile, keyfile, cafile = (str(Path(folder, n)) for n in ("c.pem", "k.pem", "ca.pem"))
        cert.cert_chain_pems[0].write_to_path(certfile)
        cert.private_key_pem.write_to_path(keyfile)
        authority.cert_pem.write_to_path(cafile)
        port = _free_port()
        me = [sys.executable, __file__]
        # The server's own messages (clients that close at once) are not the report.
        server = subprocess.Popen(
            [*me, "--serve", str(port), certfile, keyfile, str(args.server_streams)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port, lambda: server.poll() is None)
            url = f"https://localhost:{port}/events?n={args.events}&delay={args.delay}"
            results: dict[str, dict[str, Any]] = {}
            for proto in ("h1", "h2"):
                _stats(port, cafile)  # resets the count
                command = ["--client", url, cafile, proto, str(args.streams), str(args.events)]
                results[proto] = _run([*me, *command])
                results[proto]["connections"] = _stats(port, cafile)
            firsts = _run([*me, "--ttfc", url, cafile, str(args.ttfc_runs)])
            for proto in ("h1", "h2"):
                results[proto]["ttfc_ms"] = firsts[proto]
        finally:
            server.terminate()
            server.wait(10)
    _report(results, args)
    return 0


def _report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"{args.streams} concurrent streams x {args.events} events ({args.delay * 1e3:.0f} ms "
        f"apart), asyncio client, TLS to hypercorn (max concurrent streams "
        f"{args.server_streams})\n"
    )
    rows = [
        ("connections", "connections", "{:.0f}"),
        ("CPU per chunk (us)", "cpu_per_chunk_us", "{:.1f}"),
        ("memory per stream (KiB)", "rss_per_stream_kib", "{:.1f}"),
        ("TTFC, one stream (ms)", "ttfc_ms", "{:.2f}"),
        ("wall time (s)", "wall_s", "{:.2f}"),
    ]
    print(f"{'':26}{'HTTP/1.1':>12}{'HTTP/2':>12}{'h2 / h1':>10}")
    for label, key, form in rows:
        h1, h2 = results["h1"][key], results["h2"][key]
        ratio = f"{h2 / h1:.2f}x" if h1 else "-"
        print(f"{label:26}{form.format(h1):>12}{form.format(h2):>12}{ratio:>10}")


if __name__ == "__main__":
    raise SystemExit(main())
