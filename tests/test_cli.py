"""The sseproto command line, run as a real subprocess."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import sseproto

from .commandline import close_reader_after, options_without_help
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
    """A stream over a limit exits 1 with the limit on stderr, in words."""
    done = cli("--file", "-", "--max-line-size", "8", stdin=b"data: 123456789\n\n")
    assert done.returncode == 1
    assert done.stderr.startswith(b"sseproto: refused: a line exceeded")
    assert b"max_line_size=8" in done.stderr
    assert b"LineTooLong" not in done.stderr


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
    assert done.stderr.startswith(b"sseproto: refused: ")
    assert b"500" in done.stderr
    assert b"ResponseRejected" not in done.stderr


def test_url_connection_refused_exits_3() -> None:
    """A refused connection (--once, no reconnect) exits 3 with the cause."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = cli(f"http://127.0.0.1:{port}/", "--once")
    assert done.returncode == 3
    assert done.stderr.startswith(b"sseproto: connection failed: cannot connect to ")
    assert b"ConnectError" not in done.stderr
    assert done.stderr.count(b"Connection refused") == 1, done.stderr


def test_bad_header_is_a_usage_error() -> None:
    """-H without a colon is a usage error (exit 2)."""
    done = cli("http://127.0.0.1:9/", "-H", "no-colon")
    assert done.returncode == 2
    assert b"Name: value" in done.stderr


# -- a closed pipe, exit codes, requests with a body ------------------------------------------


def _popen(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sseproto", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_file_to_a_reader_that_closes_ends_quietly(tmp_path: Path) -> None:
    """sseproto --file x | head -3: exit 0 and nothing on stderr (no BrokenPipeError)."""
    path = tmp_path / "many.sse"
    path.write_bytes(b"".join(b"id: %d\ndata: event %d\n\n" % (n, n) for n in range(50_000)))
    proc = _popen("--file", str(path))
    lines = close_reader_after(proc, 3)
    assert proc.stderr is not None
    with proc.stderr:
        err = proc.stderr.read()
    assert [json.loads(line)["id"] for line in lines] == ["0", "1", "2"]
    assert proc.returncode == 0, err
    assert err == b""


def test_url_to_a_reader_that_closes_ends_quietly() -> None:
    """sseproto URL | head -1: exit 0 and no traceback, while the subscription goes on."""
    with FaultServer() as server:
        proc = _popen(server.url("/close-after/2"), "--reconnect-delay", "0")
        lines = close_reader_after(proc, 1)
        assert proc.stderr is not None
        with proc.stderr:
            err = proc.stderr.read()
    assert json.loads(lines[0])["id"] == "1"
    assert proc.returncode == 0, err
    assert b"Traceback" not in err
    assert b"Error" not in err


def test_unsupported_scheme_is_a_usage_error() -> None:
    """A URL that is not http:// or https:// exits 2, for a subscription and for --once."""
    for extra in ((), ("--once",)):
        done = cli("ftp://example.com/events", *extra)
        assert done.returncode == 2, done.stderr
        assert b"http:// or https://" in done.stderr
        assert b"ProtocolError" not in done.stderr


def test_204_ends_a_subscription_cleanly() -> None:
    """A server that answers 204 (stop) ends the subscription with exit 0 and the summary."""
    with FaultServer() as server:
        done = cli(server.url("/204"))
        once = cli(server.url("/204"), "--once")
    assert done.returncode == 0, done.stderr
    assert done.stderr == b"sseproto: 0 events (the server answered 204 No Content: stop)\n"
    assert once.returncode == 0, once.stderr


def test_one_event_is_singular() -> None:
    """The summary says "1 event", not "1 events"."""
    done = cli("--file", "-", "--comments", stdin=b": hi\ndata: x\n\n")
    assert done.stderr == b"sseproto: 1 event, 1 comment\n"


def _echoed(out: bytes) -> tuple[dict[str, Any], str]:
    """The request and the body the /echo route describes."""
    records = _records(out)
    request = json.loads(records[0]["data"])
    return request, json.loads(records[1]["data"])


def test_data_posts_json_with_its_content_type() -> None:
    """-d sends a POST with the body, and Content-Type application/json when it is JSON."""
    body = '{"model": "m", "stream": true}'
    with FaultServer() as server:
        done = cli(server.url("/echo"), "-d", body)
        requests = server.requests_to("/echo")
    assert done.returncode == 0, done.stderr
    request, echoed = _echoed(done.stdout)
    assert request["method"] == "POST"
    assert ["Content-Type", "application/json"] in request["headers"]
    assert echoed == body
    assert len(requests) == 1  # a POST is never sent again


def test_data_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    """-d @FILE reads a file, -d @- standard input; text that is not JSON gets no Content-Type."""
    path = tmp_path / "body.txt"
    path.write_bytes(b"plain text")
    with FaultServer() as server:
        from_file = cli(server.url("/echo"), "-d", f"@{path}")
        from_stdin = cli(server.url("/echo"), "-d", "@-", stdin=b'{"a": 1}')
    request, echoed = _echoed(from_file.stdout)
    assert echoed == "plain text"
    assert not any(name.lower() == "content-type" for name, _ in request["headers"])
    request, echoed = _echoed(from_stdin.stdout)
    assert echoed == '{"a": 1}'
    assert ["Content-Type", "application/json"] in request["headers"]


def test_method_and_a_content_type_given_with_h() -> None:
    """-X sets the method; a Content-Type from -H is kept, not doubled."""
    with FaultServer() as server:
        done = cli(
            server.url("/echo"), "-X", "put", "-d", "{}", "-H", "Content-Type: text/x-custom"
        )
    request, _ = _echoed(done.stdout)
    assert request["method"] == "PUT"
    types = [value for name, value in request["headers"] if name.lower() == "content-type"]
    assert types == ["text/x-custom"]


def test_data_from_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    """-d @FILE with no such file exits 2."""
    done = cli("http://127.0.0.1:9/", "-d", f"@{tmp_path / 'none.json'}")
    assert done.returncode == 2
    assert b"cannot read" in done.stderr


def test_version() -> None:
    """--version prints the package version."""
    done = cli("--version")
    assert done.returncode == 0
    assert done.stdout.decode().strip() == f"sseproto {sseproto.__version__}"


def test_every_option_has_help() -> None:
    """Each option in --help has a line of help text."""
    done = cli("--help")
    assert done.returncode == 0
    text = done.stdout.decode()
    assert "--data" in text
    assert "--method" in text
    assert options_without_help(text) == []


def test_reconnections_are_told_on_stderr() -> None:
    """A subscription says on stderr why it reconnects, after how long, and
    when it is connected again; the events go on on stdout."""
    with FaultServer() as server:
        done = cli(server.url("/close-after/2"), "--max-events", "3", "--reconnect-delay", "0.05")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.decode().splitlines()
    assert lines[0] == "sseproto: connected"
    assert "sseproto: the server ended the stream; reconnecting in 0.05 s (attempt 1)" in lines
    assert "sseproto: reconnected (attempt 1)" in lines
    assert lines[-1] == "sseproto: 3 events"


def _line_within(stream: IO[bytes], seconds: float) -> bytes:
    """The next line of ``stream``, or ``b""`` if none comes within ``seconds``."""
    ready, _, _ = select.select([stream], [], [], seconds)
    return stream.readline() if ready else b""


def test_a_dead_server_is_not_silent() -> None:
    """Connections refused over and over are reported as they are retried."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = _popen(f"http://127.0.0.1:{port}/", "--reconnect-delay", "0.05")
    try:
        assert proc.stderr is not None
        first = _line_within(proc.stderr, 10.0)
        second = _line_within(proc.stderr, 10.0)
    finally:
        proc.kill()
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert first.startswith(b"sseproto: cannot connect to "), first
    assert b"reconnecting in" in first
    assert b"(attempt 1)" in first
    assert b"(attempt 2)" in second


def test_a_body_cut_short_is_a_connection_failure() -> None:
    """A chunked body cut off by the server's close (IncompleteBody, a lost
    connection) exits 3, the connection code, not 1."""
    with FaultServer() as server:
        done = cli(server.url("/truncated-chunked"), "--once")
    assert done.returncode == 3, done.stderr
    assert b"\nsseproto: connection failed: " in done.stderr
