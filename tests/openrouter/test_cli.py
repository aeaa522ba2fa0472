"""The openrouter command line, run as a real subprocess against MockOpenRouter."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from openrouter import BadGatewayError, BadRequestError, RateLimitError, __version__, _cli
from openrouter._errors import error_from_response
from openrouter.testing import STORY_TEXT, MockOpenRouter, story_pieces
from tests.commandline import options_without_help

KEY = "sk-test"
# Generous: a subprocess only waits this long when something is broken.
WAIT = 20.0


@pytest.fixture(scope="module")
def server() -> Iterator[MockOpenRouter]:
    with MockOpenRouter(api_key=KEY) as running:
        yield running


def env_without_key() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OPENROUTER_API_KEY", None)
    env.pop("OPENROUTER_BASE_URL", None)
    return env


def cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openrouter", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=WAIT,
        env=env_without_key() if env is None else env,
    )


def api(
    server: MockOpenRouter, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return cli("--base-url", server.base_url, "--api-key", KEY, *args, stdin=stdin)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


# -- chat ----------------------------------------------------------------------------------


def test_chat_prints_the_story_and_a_summary(server: MockOpenRouter) -> None:
    """chat streams the exact text to stdout and a one-line summary to stderr."""
    done = api(server, "chat", "-m", "mock/story", "Tell me a story")
    assert done.returncode == 0, done.stderr
    assert done.stdout == STORY_TEXT + "\n"
    summary = one_line(done.stderr)
    assert summary.startswith("openrouter: mock/story via Mock, tokens ")
    assert "/20 (prompt/completion)" in summary
    assert "cost $" in summary
    assert "first token " in summary
    assert "tokens/s" in summary


def test_chat_sends_the_options(server: MockOpenRouter) -> None:
    """--system, --max-tokens, --temperature and --reasoning reach the request body."""
    server.clear_requests()
    done = api(
        server,
        "chat",
        "-m",
        "mock/usage",
        "--system",
        "Be brief.",
        "--max-tokens",
        "50",
        "--temperature",
        "0.5",
        "--reasoning",
        "low",
        "hi",
    )
    assert done.returncode == 0, done.stderr
    body = server.requests[-1].json
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
    ]
    assert body["max_tokens"] == 50
    assert body["temperature"] == 0.5
    assert body["reasoning"] == {"effort": "low"}
    assert body["stream"] is True


def test_chat_reads_the_prompt_from_stdin(server: MockOpenRouter) -> None:
    """PROMPT - reads the user message from standard input."""
    server.clear_requests()
    done = api(server, "chat", "-m", "mock/story", "-", stdin="a prompt from a pipe\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == STORY_TEXT + "\n"
    assert server.requests[-1].json["messages"][-1]["content"] == "a prompt from a pipe\n"


def test_chat_default_model_is_the_router(server: MockOpenRouter) -> None:
    """Without -m the request asks for openrouter/auto."""
    server.clear_requests()
    done = api(server, "chat", "hi")
    assert done.returncode == 0, done.stderr
    assert server.requests[-1].json["model"] == "openrouter/auto"


def test_show_reasoning_prints_it_on_stderr(server: MockOpenRouter) -> None:
    """--show-reasoning prints the reasoning on stderr, undimmed off a terminal."""
    done = api(server, "chat", "-m", "mock/reasoning", "--show-reasoning", "why?")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "A lighthouse keeps ships off the rocks at night.\n"
    assert done.stderr.startswith("The user wants a short answer.")
    assert "\x1b[" not in done.stderr
    hidden = api(server, "chat", "-m", "mock/reasoning", "why?")
    assert "The user wants" not in hidden.stderr


# -- errors ----------------------------------------------------------------------------------


def test_rate_limit_exits_1_and_says_when_to_retry(server: MockOpenRouter) -> None:
    """A 429 (retries off) exits 1 with one line naming the wait."""
    done = api(server, "--max-retries", "0", "chat", "-m", "mock/429", "hi")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith("openrouter: HTTP 429 rate limited: ")
    assert "Wait 2 s" in line
    assert "RateLimitError" not in line


def test_bad_key_exits_1_and_says_to_check_it(server: MockOpenRouter) -> None:
    """A 401 exits 1 and points at the key."""
    done = cli("--base-url", server.base_url, "--api-key", "sk-wrong", "credits")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith("openrouter: HTTP 401 authentication failed: ")
    assert "Check the key" in line
    assert "sk-wrong" not in line


def test_in_band_error_exits_4_after_the_partial_answer(server: MockOpenRouter) -> None:
    """An error inside the stream exits 4; the text before it stays on stdout."""
    done = api(server, "chat", "-m", "mock/error-int", "hi")
    assert done.returncode == 4
    assert done.stdout == "".join(story_pieces(20)[:3]) + "\n"
    line = one_line(done.stderr)
    assert line.startswith("openrouter: HTTP 200 error in stream: ")
    assert "Provider disconnected unexpectedly" in line


def test_truncated_stream_exits_4(server: MockOpenRouter) -> None:
    """A stream that ends without [DONE] exits 4 and says the answer is incomplete."""
    done = api(server, "chat", "-m", "mock/truncated", "hi")
    assert done.returncode == 4
    assert done.stdout == "".join(story_pieces(20)[:5]) + "\n"
    line = one_line(done.stderr)
    assert line.startswith("openrouter: the stream ended before [DONE]")
    assert "incomplete" in line


def test_missing_key_exits_2_and_names_the_variable() -> None:
    """No --api-key and no OPENROUTER_API_KEY: exit 2, the line says how to set it."""
    done = cli("chat", "hi")
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith("openrouter: no OpenRouter API key. Set OPENROUTER_API_KEY")
    assert "OPENROUTER_API_KEY" in line
    assert "--api-key" in line


def test_unreachable_base_url_exits_3() -> None:
    """A refused connection exits 3 and points at --base-url."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/v1"
    done = cli("--base-url", url, "--api-key", KEY, "--max-retries", "0", "chat", "hi")
    assert done.returncode == 3
    line = one_line(done.stderr)
    assert line.startswith("openrouter: connection failed: cannot connect to ")
    assert f"--base-url ({url})" in line
    assert "Error" not in line  # no class names
    assert line.count("Connection refused") == 1, line


def test_usage_error_exits_2() -> None:
    """A missing PROMPT is a usage error."""
    done = cli("chat")
    assert done.returncode == 2
    assert "PROMPT" in done.stderr


# -- other commands --------------------------------------------------------------------------


def test_models_table(server: MockOpenRouter) -> None:
    """models prints a table with the context length and prices per million tokens."""
    done = api(server, "models", "--search", "reason")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ID", "CONTEXT", "PROMPT", "$/1M", "COMPLETION", "$/1M"]
    assert lines[1].split() == ["mock/reasoning", "32,768", "$1.00", "$2.00"]
    assert lines[2].split() == ["mock/reasoning-encrypted", "32,768", "$1.00", "$2.00"]
    assert lines[3] == "2 models"


def test_models_json_lines_with_filters(server: MockOpenRouter) -> None:
    """models --json prints one object per line; the filters reach the query."""
    done = api(server, "models", "--json", "--supported-parameters", "tools", "tool_choice")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in records] == ["mock/tools"]
    assert server.requests[-1].query == {"supported_parameters": "tools,tool_choice"}
    done = api(server, "models", "--json", "--category", "roleplay")
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["mock/story"]


def test_generation_after_chat(server: MockOpenRouter) -> None:
    """generation ID shows the stats of a generation the chat made; --json the raw object."""
    chat = api(server, "chat", "-m", "mock/story", "hi")
    generation_id = re.search(r"generation (gen-[0-9]+-[A-Za-z0-9]+)$", chat.stderr.strip())
    assert generation_id is not None, chat.stderr
    done = api(server, "generation", generation_id.group(1))
    assert done.returncode == 0, done.stderr
    assert re.search(r"^model +mock/story$", done.stdout, re.MULTILINE)
    assert re.search(r"^tokens completion +20$", done.stdout, re.MULTILINE)
    raw = json.loads(api(server, "generation", generation_id.group(1), "--json").stdout)
    assert raw["id"] == generation_id.group(1)


def test_unknown_generation_exits_1(server: MockOpenRouter) -> None:
    """An unknown generation ID is a 404: exit 1."""
    done = api(server, "generation", "gen-nope")
    assert done.returncode == 1
    assert one_line(done.stderr).startswith("openrouter: HTTP 404 not found: ")


def test_key_and_credits(server: MockOpenRouter) -> None:
    """key and credits print readable fields, and the raw objects with --json."""
    key = api(server, "key")
    assert key.returncode == 0, key.stderr
    assert re.search(r"^rate limit +1000 requests / 10s$", key.stdout, re.MULTILINE)
    assert json.loads(api(server, "key", "--json").stdout)["limit"] == 100.0
    credits_ = api(server, "credits")
    assert credits_.returncode == 0, credits_.stderr
    assert re.search(r"^total +\$100\.00$", credits_.stdout, re.MULTILINE)
    assert json.loads(api(server, "credits", "--json").stdout)["total_credits"] == 100.0


def test_options_after_the_command(server: MockOpenRouter) -> None:
    """The connection options also work after the command name."""
    done = cli("credits", "--base-url", server.base_url, "--api-key", KEY)
    assert done.returncode == 0, done.stderr


# -- demo and mock ---------------------------------------------------------------------------


def test_demo_streams_through_every_transport() -> None:
    """demo needs no key or network and completes on all five transports."""
    done = cli("demo")
    assert done.returncode == 0, done.stderr
    table = done.stdout[done.stdout.index("TRANSPORT") :].splitlines()
    rows = {line.split()[0]: line.split() for line in table[1:6]}
    assert list(rows) == ["sockets", "asyncio", "trio", "httpx", "httpx-async"]
    for row in rows.values():
        assert row[-1] == "completed"
        assert int(row[1]) >= 20
        assert int(row[2]) > 0  # keepalives seen
    for name in rows:
        assert f"{name.ljust(11)} | {STORY_TEXT}\n" in done.stdout
    assert "every transport streamed the same" in done.stdout
    # Real-traffic shapes: citations, reasoning entries kept apart, billed usage on an error.
    assert "source: Lighthouses of the world <https://example.com/lighthouses>" in done.stdout
    assert "reasoning: 2 entries, kept apart (reasoning.summary, reasoning.encrypted)" in (
        done.stdout
    )
    assert "error mid-stream (502): " in done.stdout
    assert "every stream equals its non-streamed answer" in done.stdout


def test_mock_command_serves_until_ctrl_c() -> None:
    """mock prints its base URL, answers a chat, and stops on SIGINT with exit 130."""
    with _mock() as (proc, url):
        assert proc.stdout is not None
        assert "--base-url" in proc.stdout.readline()
        done = cli("--base-url", url, "--api-key", "anything", "chat", "-m", "mock/story", "hi")
        assert done.stdout == STORY_TEXT + "\n"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 130
    assert "stopped" in err


# -- Ctrl-C and the terminal -----------------------------------------------------------------


def test_ctrl_c_closes_the_stream() -> None:
    """SIGINT mid-stream exits 130, says so, and the server sees the connection close."""
    with MockOpenRouter(api_key=KEY) as stalling:
        before = set(threading.enumerate())
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openrouter",
                "--base-url",
                stalling.base_url,
                "--api-key",
                KEY,
                "chat",
                "-m",
                "mock/stall?chunks=1",
                "hi",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env_without_key(),
        )
        try:
            assert proc.stdout is not None
            # The first token (the CLI flushes every chunk): the stream is open
            # and the server is now stalling with the connection in hand.
            assert os.read(proc.stdout.fileno(), 1024)
            (connection,) = set(threading.enumerate()) - before
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=WAIT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 130
        line = one_line(err.decode())
        assert line.startswith("openrouter: interrupted after 1 chunk; ")
        assert "connection is closed" in line
        # The connection's server thread ends once it sees the close.
        connection.join(WAIT)
        assert not connection.is_alive()


def test_waiting_indicator_on_a_terminal(server: MockOpenRouter) -> None:
    """On a terminal, the waiting line shows while keepalives arrive and is erased."""
    code, out, text = _on_a_terminal(
        server, "chat", "-m", "mock/keepalive?chunks=2&delay=0.1", "hi"
    )
    assert code == 0
    assert out == "".join(story_pieces(2)) + "\n"
    assert "waiting for the model..." in text
    last = text.rindex("waiting for the model")
    erase = text.index("\r\x1b[K", last)
    # Nothing but the erased line between the last drawing and the summary.
    assert text[erase:].startswith("\r\x1b[Kopenrouter: mock/keepalive via Mock")


def test_every_advice_is_reachable() -> None:
    """No entry of the advice table is hidden behind an earlier entry for one of its bases."""
    kinds = [kind for kind, _, _ in _cli._ADVICE]
    for later, kind in enumerate(kinds):
        earlier = kinds[:later]
        assert not any(issubclass(kind, base) for base in earlier), kind.__name__


def test_advice_for_rate_limits_and_server_failures() -> None:
    """A 429 with Retry-After names the wait; a 5xx points at the service, a 4xx at the request."""
    assert "wait 2 s" in _cli._advice(
        RateLimitError("slow", status=429, headers={"Retry-After": "2"}), "u"
    )
    assert "service" in _cli._advice(BadGatewayError("down", status=502), "u")
    assert "arguments" in _cli._advice(BadRequestError("bad", status=400), "u")


def test_advice_follows_the_class_of_an_error_inside_a_200() -> None:
    """An error body with code 502 inside a 200 gets the advice for a server failure."""
    body = b'{"error": {"code": 502, "message": "Provider returned error"}}'
    assert "service" in _cli._advice(error_from_response(200, [], body), "u")


def test_error_body_inside_a_200_points_at_the_service(server: MockOpenRouter) -> None:
    """chat against a 200 whose body is an error with code 502: the advice is about the service."""
    done = api(server, "--max-retries", "0", "chat", "-m", "mock/error-body-200", "hi")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "service or the provider failed" in line
    assert "arguments" not in line


# -- retries, --version, help, the mock's key -----------------------------------------------


def test_chat_shows_each_retry_as_it_happens(server: MockOpenRouter) -> None:
    """Each retry of a 429 is one line (status, wait, count) before the final error."""
    done = api(server, "chat", "-m", "mock/429?retry_after=0", "hi")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[:2] == [
        "openrouter: 429, retrying in 0 s (1/2)",
        "openrouter: 429, retrying in 0 s (2/2)",
    ]
    assert lines[2].startswith("openrouter: HTTP 429 rate limited: ")
    assert len(lines) == 3


def test_retries_of_a_refused_connection_are_shown() -> None:
    """A refused connection retried once says so, then fails with exit 3."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/v1"
    done = cli("--base-url", url, "--api-key", KEY, "--max-retries", "1", "credits")
    assert done.returncode == 3
    first, last = done.stderr.splitlines()
    assert re.fullmatch(r"openrouter: connection failed, retrying in [0-9.]+ s \(1/1\)", first)
    assert last.startswith("openrouter: connection failed: ")


def test_retry_line_on_a_terminal_is_not_overdrawn(server: MockOpenRouter) -> None:
    """On a terminal the retry line is written on a line of its own, outside the waiting line."""
    code, _, text = _on_a_terminal(server, "chat", "-m", "mock/429?retry_after=0", "hi")
    assert code == 1
    # The terminal turns each \n into \r\n.
    assert "\r\x1b[Kopenrouter: 429, retrying in 0 s (1/2)\r\n" in text


def test_version() -> None:
    """--version prints the package version."""
    done = cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"openrouter {__version__}"


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("chat",),
        ("models",),
        ("generation",),
        ("key",),
        ("credits",),
        ("mock",),
        ("embed",),
        ("providers",),
        ("keys",),
        ("keys", "list"),
        ("keys", "create"),
        ("keys", "get"),
        ("keys", "update"),
        ("keys", "delete"),
    ],
)
def test_every_option_has_help(command: tuple[str, ...]) -> None:
    """Each option in the --help of the command line and of each command has help text."""
    done = cli(*command, "--help")
    assert done.returncode == 0
    assert options_without_help(done.stdout) == []


def test_money_has_one_format(server: MockOpenRouter) -> None:
    """The chat summary, generation, key and credits show dollars the same way."""
    chat = api(server, "chat", "-m", "mock/story", "hi")
    cost = re.search(r"cost (\$[0-9]+\.[0-9]+)", chat.stderr)
    assert cost is not None, chat.stderr
    generation_id = re.search(r"generation (gen-\S+)$", chat.stderr.strip())
    assert generation_id is not None
    generation = api(server, "generation", generation_id.group(1))
    assert re.search(rf"^cost +{re.escape(cost.group(1))}$", generation.stdout, re.MULTILINE)
    assert re.search(r"^limit +\$100\.00$", api(server, "key").stdout, re.MULTILINE)
    assert _cli._money(0.000123) == "$0.000123"
    assert _cli._money(1.5) == "$1.50"
    assert _cli._money(None) == "-"


@contextlib.contextmanager
def _mock(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``openrouter mock ARGS`` running, and its base URL; killed at the end if still running."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "openrouter", "mock", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_without_key(),
    )
    try:
        assert proc.stdout is not None
        url = re.search(r"http://127\.0\.0\.1:[0-9]+/api/v1", proc.stdout.readline())
        assert url is not None
        yield proc, url.group()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_mock_api_key_refuses_other_keys() -> None:
    """mock --api-key K answers 401 to any other key, serves K, and does not print K."""
    with _mock("--api-key", "sk-right-key") as (proc, url):
        wrong = cli("--base-url", url, "--api-key", "sk-wrong", "chat", "hi")
        right = cli(
            "--base-url", url, "--api-key", "sk-right-key", "chat", "-m", "mock/story", "hi"
        )
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=WAIT)
    assert wrong.returncode == 1
    assert one_line(wrong.stderr).startswith("openrouter: HTTP 401 authentication failed")
    assert right.stdout == STORY_TEXT + "\n"
    assert "sk-right-key" not in out + err
    assert proc.returncode == 130


def _on_a_terminal(server: MockOpenRouter, *args: str) -> tuple[int, str, str]:
    """``openrouter ARGS`` run with standard error on a terminal: the exit
    code, standard output, and what the terminal received."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openrouter",
                "--base-url",
                server.base_url,
                "--api-key",
                KEY,
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env_without_key(),
        )
        os.close(slave)
        slave = -1
        seen = bytearray()
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: every writer of the terminal has closed it
                break
            if not data:
                break
            seen += data
        out, _ = proc.communicate(timeout=WAIT)
    finally:
        os.close(master)
        if slave != -1:
            os.close(slave)
    return proc.returncode, out.decode(), seen.decode()
