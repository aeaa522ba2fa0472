"""The sseproto command line, run as a real subprocess."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import sseproto

from .servers.faults import DEFAULT_EVENTS, FaultServer

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "openrouter-chat.sse"


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "sseproto", *args], input=stdin, capture_output=True, check=False
    )


def test_file_prints_events_as_json_lines() -> None:
    """--file prints one JSON object per event with type, data and id."""
    done = cli("--file", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    expected = sseproto.EventStreamParser().feed(SAMPLE.read_bytes())
    assert records == [{"type": e.type, "data": e.data, "id": e.id} for e in expected]
    assert records[-1]["data"] == "[DONE]"
    assert b"13 events" in done.stderr


def test_comments_flag_prints_keepalives() -> None:
    """--comments also prints comment lines, in stream order."""
    done = cli("--file", "-", "--comments", stdin=b": ping\ndata: x\n\n")
    assert done.returncode == 0
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert lines == [{"comment": "ping"}, {"type": "message", "data": "x", "id": ""}]


def test_stdin_in_tiny_chunks() -> None:
    """Reading one byte at a time gives the same events."""
    whole = cli("--file", str(SAMPLE))
    tiny = cli("--file", str(SAMPLE), "--chunk-size", "1")
    assert tiny.returncode == 0
    assert tiny.stdout == whole.stdout


def test_max_events_stops_early() -> None:
    """--max-events N prints N events and exits 0."""
    done = cli("--file", str(SAMPLE), "--max-events", "2")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 2


def test_limit_error_exits_1_with_message() -> None:
    """A stream over a limit exits 1 with the error's name and the limit on stderr."""
    done = cli("--file", "-", "--max-line-size", "8", stdin=b"data: 123456789\n\n")
    assert done.returncode == 1
    assert b"LineTooLong" in done.stderr
    assert b"max_line_size=8" in done.stderr


def test_missing_file_exits_2() -> None:
    """An unreadable file is a usage error (exit 2) with a readable message."""
    done = cli("--file", str(ROOT / "no-such-file.sse"))
    assert done.returncode == 2
    assert b"cannot read" in done.stderr


def test_unterminated_stream_is_reported() -> None:
    """A stream that ends inside an event says so on stderr."""
    done = cli("--file", "-", stdin=b"data: a\n\ndata: b\n")
    assert done.returncode == 0
    assert b"discarded" in done.stderr
    assert len(done.stdout.splitlines()) == 1


# -- URL mode, against the fault server ---------------------------------------------


def _records(out: bytes) -> list[dict[str, str]]:
    return [json.loads(line) for line in out.decode().splitlines()]


def test_url_once_prints_the_events_of_one_request() -> None:
    """sseproto URL --once prints each event of one GET as a JSON line and exits 0."""
    with FaultServer() as server:
        done = cli(server.url("/events"), "--once", "-H", "X-Trace: abc")
        request = server.requests_to("/events")[0]
    assert done.returncode == 0, done.stderr
    assert _records(done.stdout) == [
        {"type": type_, "data": data, "id": id_} for type_, data, id_ in DEFAULT_EVENTS
    ]
    assert request.header("x-trace") == "abc"
    assert request.header("accept") == "text/event-stream"


def test_url_follows_reconnects_with_last_event_id() -> None:
    """Without --once the CLI reconnects when the server closes, sending Last-Event-ID."""
    with FaultServer() as server:
        done = cli(server.url("/close-after/2"), "--max-events", "5", "--reconnect-delay", "0.05")
        requests = server.requests_to("/close-after/2")
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in _records(done.stdout)] == ["1", "2", "3", "4", "5"]
    assert [r.header("last-event-id") for r in requests] == [None, "2", "4"]


def test_url_rejected_response_exits_1() -> None:
    """A 500 is refused: exit 1 and one line naming the error and the status."""
    with FaultServer() as server:
        done = cli(server.url("/500"))
    assert done.returncode == 1
    assert b"ResponseRejected" in done.stderr
    assert b"500" in done.stderr


def test_url_connection_refused_exits_3() -> None:
    """A refused connection (--once, no reconnect) exits 3 with the cause."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = cli(f"http://127.0.0.1:{port}/", "--once")
    assert done.returncode == 3
    assert b"ConnectError" in done.stderr


def test_bad_header_is_a_usage_error() -> None:
    """-H without a colon is a usage error (exit 2)."""
    done = cli("http://127.0.0.1:9/", "-H", "no-colon")
    assert done.returncode == 2
    assert b"Name: value" in done.stderr
