"""Headless Chromium as an EventSource client, for the server tests.

No browser-driver library: the server under test also serves :data:`PAGE` (a
test page) and accepts ``POST`` reports, so the page's ``EventSource`` talks
to the same origin. The page opens ``new EventSource(src)``, records every
event it is given, and when an event of type ``end`` arrives (or its own
deadline passes) closes the source and posts a JSON report to ``/report``.
:func:`run_chromium` starts Chromium on the page and waits for that report.

The page reads its settings from its query string (:func:`page_query`):

=========  ===================================================================
``src``    the URL of the event stream (a path of the same origin)
``types``  comma-separated event types to listen for with ``addEventListener``
           (``message`` always is, through ``onmessage``)
``token``  echoed in the report, to tell runs apart on a shared server
``limit``  the page's own deadline in milliseconds: it reports what it has
=========  ===================================================================

:class:`PageServer` serves the page and takes the reports by itself, for a
server that serves event streams only: the stream is then on another origin
and must allow it (``Access-Control-Allow-Origin``).

The report (:class:`BrowserReport`) holds each event's ``type``, ``data`` and
``lastEventId`` in order, how many times the source opened (one more per
reconnection) and fired ``error``, and whether the deadline cut the run short.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlencode

__all__ = [
    "CHROMIUM_FLAGS",
    "PAGE",
    "BrowserReport",
    "PageServer",
    "Reports",
    "page_query",
    "run_chromium",
]

#: Flags for a headless Chromium that runs as root on a machine without a
#: display, GPU or D-Bus, and stays off the network: without the background
#: networking flags it tries to reach services at start-up, and the machine
#: refuses its connections. ``--user-data-dir`` is added per run.
CHROMIUM_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
)

#: The test page, served as ``text/html; charset=utf-8``.
PAGE: Final = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>EventSource test</title></head>
<body><script>
"use strict";
const params = new URLSearchParams(location.search);
const types = (params.get("types") || "").split(",").filter((t) => t);
const report = {token: params.get("token"), events: [], times: [], opens: 0, errors: 0,
                timedOut: false};
let done = false;
const source = new EventSource(params.get("src"));
function finish(timedOut) {
  if (done) return;
  done = true;
  source.close();
  report.timedOut = timedOut;
  fetch("/report", {method: "POST", body: JSON.stringify(report),
                    headers: {"Content-Type": "application/json"}});
}
function record(event) {
  report.events.push({type: event.type, data: event.data, lastEventId: event.lastEventId});
  report.times.push(performance.now());
  if (event.type === "end") finish(false);
}
source.onmessage = record;
for (const type of types) source.addEventListener(type, record);
source.onopen = () => { report.opens += 1; };
source.onerror = () => { report.errors += 1; };
setTimeout(() => finish(true), Number(params.get("limit") || "10000"));
</script></body></html>
"""


def page_query(src: str, *, types: tuple[str, ...] = ("end",), token: str, limit: float) -> str:
    """The query string (with its ``?``) that points :data:`PAGE` at ``src``,
    listening for ``types``, with a deadline of ``limit`` seconds."""
    query = {"src": src, "types": ",".join(types), "token": token, "limit": int(limit * 1000)}
    return "?" + urlencode(query)


@dataclass(frozen=True, slots=True)
class BrowserReport:
    """What the page saw: ``events`` as ``(type, data, lastEventId)`` in
    order, and ``times`` when each arrived (milliseconds since the page
    loaded); ``opens`` and ``errors`` count the ``open`` and ``error`` events
    of the source; ``timed_out`` is true when the page's deadline ended the
    run."""

    events: list[tuple[str, str, str]]
    times: list[float]
    opens: int
    errors: int
    timed_out: bool

    @classmethod
    def from_json(cls, body: bytes) -> BrowserReport:
        """Parse a report posted by :data:`PAGE`."""
        raw: dict[str, Any] = json.loads(body)
        events = [(e["type"], e["data"], e["lastEventId"]) for e in raw["events"]]
        times = [float(t) for t in raw["times"]]
        return cls(events, times, int(raw["opens"]), int(raw["errors"]), bool(raw["timedOut"]))


class Reports:
    """The reports posted to a test server, by token; thread-safe.

    The server's ``/report`` handler calls :meth:`deliver` with the request
    body; a test waits for its token with :meth:`wait`.
    """

    def __init__(self) -> None:
        self._reports: dict[str, bytes] = {}
        self._changed = threading.Condition()

    def deliver(self, body: bytes) -> None:
        """Keep a posted report (a body that is not a report is ignored)."""
        try:
            token = json.loads(body)["token"]
        except (ValueError, KeyError, TypeError):
            return
        with self._changed:
            self._reports[str(token)] = body
            self._changed.notify_all()

    def wait(self, token: str, timeout: float) -> BrowserReport | None:
        """The report of ``token``, or None if none came within ``timeout`` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: token in self._reports, timeout)
            body = self._reports.pop(token, None)
        return None if body is None else BrowserReport.from_json(body)


class PageServer:
    """Serves :data:`PAGE` at ``/page`` and takes reports at ``POST /report``
    on a free port of 127.0.0.1, in a thread; a context manager."""

    def __init__(self, reports: Reports) -> None:
        deliver = reports.deliver

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200 if self.path.startswith("/page") else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE)

            def do_POST(self) -> None:
                deliver(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/page") -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def __enter__(self) -> PageServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def run_chromium(
    chromium: str, page_url: str, reports: Reports, token: str, *, timeout: float = 30.0
) -> BrowserReport:
    """Open ``page_url`` in a headless Chromium (a new profile in a temporary
    directory) and return the report the page posts for ``token``.

    Chromium and every process it started are killed before this returns,
    whatever happens.

    Raises:
        AssertionError: when no report arrives within ``timeout`` seconds
            (the message holds the end of Chromium's error output).
    """
    with (
        tempfile.TemporaryDirectory(prefix="sseproto-chromium-") as profile,
        tempfile.TemporaryFile() as log,
    ):
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", page_url]
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            # Its own process group, so its renderer and helper processes go with it.
            start_new_session=True,
        )
        try:
            report = reports.wait(token, timeout)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if report is None:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            raise AssertionError(
                f"no report from the page within {timeout} s; chromium said:\n{tail}"
            )
        return report
