"""CPU per chunk through an HTTP proxy against a direct connection.

A local origin (a child process of this script) streams ``--events`` small
events, each in its own chunk, over ``http://`` and ``https://`` (a trustme
certificate); proxy.py (from PyPI, another child process) forwards
``http://`` requests and tunnels ``https://`` ones with ``CONNECT``. The
blocking and asyncio clients read the whole stream, directly and through
the proxy, in alternating rounds; this process measures only its own CPU
time (user + system: ``time.process_time()``), so the proxy's and the
origin's CPU are not counted. The table gives the least microseconds per
chunk over the rounds (other processes' interference only ever adds to a
round, and on a busy machine it dominates the median) and the ratio proxy /
direct (the target: at most 1.10). Through the tunnel the client does the
same work as directly (the same reads, the same bytes), so the ratio is
the cost of the proxy path itself plus noise.

Usage:
    python benchmarks/proxy.py                  # 20,000 events, 7 rounds
    python benchmarks/proxy.py --quick          # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import trustme

from sseproto.adapters import Timeouts
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client as SyncClient

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent.parent))

from tests.servers.proxypy import ProxyPy  # noqa: E402 (after the path above)

#: One chunk of the stream: an event the size of a chat completion delta.
EVENT = (
    b'data: {"id":"gen-1","object":"chat.completion.chunk","choices":'
    b'[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}\n\n'
)

#: Chunks per write of the origin: a fast stream, read many at a time.
BATCH = 32

TARGET = 1.10


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _answer(conn: socket.socket, events: int) -> None:
    with conn:
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(65536)
            if not data:
                return
            head += data
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        piece = _chunk(EVENT) * BATCH
        for _ in range(events // BATCH):
            conn.sendall(piece)
        conn.sendall(_chunk(EVENT) * (events % BATCH) + b"0\r\n\r\n")


def serve(events: int, cert_dir: str | None) -> int:
    """The origin process: print the port, serve until stdin closes."""
    context = None
    if cert_dir is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(Path(cert_dir) / "server.pem")
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            if context is not None:
                try:
                    conn = context.wrap_socket(conn, server_side=True)
                except OSError:
                    conn.close()
                    continue
            threading.Thread(target=_answer, args=(conn, events), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    sys.stdin.read()
    return 0


class Origin:
    """The origin in a child process."""

    def __init__(self, events: int, cert_dir: str | None) -> None:
        command = [sys.executable, str(HERE), "--serve", "--events", str(events)]
        if cert_dir is not None:
            command += ["--cert-dir", cert_dir]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        scheme = "http" if cert_dir is None else "https"
        self.url = f"{scheme}://localhost:{int(self.process.stdout.readline())}/events"

    def stop(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        self.process.stdout.close()
        self.process.wait(10)


TIMEOUTS = Timeouts(connect=10, read=30)


def stream_sync(url: str, proxy: str | None, context: ssl.SSLContext) -> tuple[int, float]:
    with SyncClient(proxy=proxy, trust_env=False, ssl_context=context) as client:
        started = time.process_time()
        with client.stream("GET", url, timeouts=TIMEOUTS) as events:
            count = sum(1 for _ in events)
        return count, time.process_time() - started


def stream_asyncio(url: str, proxy: str | None, context: ssl.SSLContext) -> tuple[int, float]:
    async def main() -> tuple[int, float]:
        async with AsyncioClient(proxy=proxy, trust_env=False, ssl_context=context) as client:
            started = time.process_time()
            count = 0
            async with client.stream("GET", url, timeouts=TIMEOUTS) as events:
                async for _ in events:
                    count += 1
            return count, time.process_time() - started

    return asyncio.run(main())


Runner = Callable[[str, "str | None", ssl.SSLContext], tuple[int, float]]


def measure(
    runner: Runner, url: str, proxy: str, context: ssl.SSLContext, events: int, rounds: int
) -> tuple[float, float]:
    """The least CPU microseconds per chunk, direct and through ``proxy``."""
    direct: list[float] = []
    proxied: list[float] = []
    runner(url, None, context)  # warm-up
    for index in range(rounds * 2):
        through = proxy if index % 2 else None
        count, cpu = runner(url, through, context)
        if count != events:
            raise RuntimeError(f"{count} events instead of {events}")
        (proxied if through else direct).append(cpu / count * 1e6)
    return min(direct), min(proxied)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2,000 events, 2 rounds")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cert-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.events, args.cert_dir)
    if args.quick:
        args.events, args.rounds = 2_000, 2
    ca = trustme.CA()
    context = ssl.create_default_context()
    ca.configure_trust(context)
    print(f"{args.events} events of {len(EVENT)} bytes, least of {args.rounds} rounds")
    print(f"{'client':<10}{'scheme':<8}{'direct us/chunk':>17}{'proxy us/chunk':>16}{'ratio':>8}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as cert_dir, ProxyPy() as proxy:
        ca.issue_cert("localhost").private_key_and_cert_chain_pem.write_to_path(
            str(Path(cert_dir) / "server.pem")
        )
        origins = [Origin(args.events, None), Origin(args.events, cert_dir)]
        try:
            for name, runner in (("sync", stream_sync), ("asyncio", stream_asyncio)):
                for origin in origins:
                    direct, proxied = measure(
                        runner, origin.url, proxy.url(), context, args.events, args.rounds
                    )
                    worst = max(worst, proxied / direct)
                    scheme = origin.url.partition(":")[0]
                    print(
                        f"{name:<10}{scheme:<8}{direct:>17.2f}{proxied:>16.2f}"
                        f"{proxied / direct:>8.2f}"
                    )
        finally:
            for origin in origins:
                origin.stop()
    verdict = "met" if worst <= TARGET else "missed"
    print(f"target: proxy / direct <= {TARGET:.2f} on every row: {verdict} (worst {worst:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
