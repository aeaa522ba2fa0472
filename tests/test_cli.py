"""The sseproto command line, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sseproto

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
