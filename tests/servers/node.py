"""The npm ``eventsource`` package (the WHATWG EventSource for Node.js) as a
client of the server tests.

:func:`install_eventsource` installs the pinned major version into a
directory with ``npm install --no-save`` (the tests do it once per session)
and copies ``eventsource_client.mjs`` beside it; :func:`run_node_client`
runs that script against a URL and returns what it printed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["EVENTSOURCE_VERSION", "NodeRun", "install_eventsource", "run_node_client"]

#: The npm package installed: major 4 is the newest that runs on Node.js 20
#: (5 needs 22.12).
EVENTSOURCE_VERSION: Final = "eventsource@4"

#: The client script, copied next to its node_modules so ``import`` finds them.
CLIENT_SCRIPT: Final = Path(__file__).with_name("eventsource_client.mjs")


def install_eventsource(npm: str, directory: Path, *, timeout: float = 180.0) -> Path:
    """Install :data:`EVENTSOURCE_VERSION` into ``directory`` and return the
    path of the client script placed there.

    Raises:
        subprocess.CalledProcessError: npm failed (its output is in the error).
        subprocess.TimeoutExpired: npm took longer than ``timeout`` seconds.
    """
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            npm,
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            EVENTSOURCE_VERSION,
        ],
        cwd=directory,
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    script = directory / CLIENT_SCRIPT.name
    shutil.copyfile(CLIENT_SCRIPT, script)
    return script


@dataclass(frozen=True, slots=True)
class NodeRun:
    """What the client printed: ``events`` as ``(type, data, lastEventId)``
    in order and ``times`` when each arrived (milliseconds since the client
    started), the number of ``opens`` and of ``errors``, and whether it
    ended on an ``end`` event (``finished``) rather than its deadline."""

    events: list[tuple[str, str, str]]
    times: list[float]
    opens: int
    errors: int
    finished: bool


def run_node_client(
    node: str, script: Path, url: str, *, types: tuple[str, ...] = ("end",), limit: float = 10.0
) -> NodeRun:
    """Run the client script on ``url`` until an ``end`` event, or for at most
    ``limit`` seconds; the process is killed if it outlives that by 10 s."""
    completed = subprocess.run(
        [node, str(script), url, ",".join(types), str(int(limit * 1000))],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=limit + 10,
        check=False,
    )
    events: list[tuple[str, str, str]] = []
    times: list[float] = []
    opens = errors = 0
    # split("\n"), not splitlines(): JSON leaves U+2028 and friends unescaped.
    for line in completed.stdout.decode().split("\n"):
        if not line:
            continue
        item = json.loads(line)
        if "event" in item:
            event = item["event"]
            events.append((event["type"], event["data"], event["lastEventId"]))
            times.append(float(item["t"]))
        elif "open" in item:
            opens += 1
        else:
            errors += 1
    if completed.returncode not in (0, 2):
        raise AssertionError(f"node failed ({completed.returncode}): {completed.stderr.decode()}")
    return NodeRun(events, times, opens, errors, completed.returncode == 0)
