"""``openrouter`` (a subprocess) against a server that sends what a terminal
must not receive raw: escape sequences, C1 controls, lone surrogates; and
the exit codes of a malformed key or base URL."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pytest

from ._hostile import HostileServer, Step, response, sse, stream_head
from .test_cli import cli

#: What must never reach the terminal raw: ESC, CSI (C1), BEL, DEL, CR, a
#: lone surrogate and a right-to-left override, each standing for its kind.
HOSTILE = "A\x1b]0;pwned\x07B\x1b[2J\x9b31mC\x7fD\rE\ud800F\u202eG"
#: How the CLI shows it.
SHOWN = "A\\x1b]0;pwned\\x07B\\x1b[2J\\x9b31mC\\x7fD\\x0dE\\ud800F\\u202eG"
#: Raw control characters (except newline and tab), bidirectional controls,
#: or a replaced surrogate.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\ufffd|\\?F")

KEY = "sk-test"


def chunk(delta: dict[str, str], **extra: object) -> bytes:
    return sse(json.dumps({"id": "gen-1", "choices": [{"index": 0, "delta": delta}], **extra}))


def hostile_chat(key: str) -> Sequence[Step]:
    del key
    return [
        stream_head(),
        chunk({"reasoning": HOSTILE}),
        chunk({"content": HOSTILE}),
        chunk({"content": "\nline\r\n"}, model=f"m{HOSTILE}", provider=f"p{HOSTILE}"),
        sse("[DONE]"),
    ]


def hostile_error(key: str) -> Sequence[Step]:
    del key
    error = {"error": {"code": 502, "message": f"failed {HOSTILE}"}}
    return [stream_head(), chunk({"content": "x"}), sse(json.dumps(error))]


def hostile_models(key: str) -> Sequence[Step]:
    del key
    models = {"data": [{"id": f"evil/{HOSTILE}", "name": HOSTILE, "context_length": 1}]}
    return [response(200, json.dumps(models).encode())]


def run(server: HostileServer, *args: str) -> tuple[int, str, str]:
    done = cli("--base-url", server.base_url, "--api-key", KEY, *args)
    return done.returncode, done.stdout, done.stderr


def test_chat_escapes_server_text() -> None:
    """Content, reasoning, model and provider are shown escaped; a lone surrogate does not crash."""
    with HostileServer(hostile_chat) as server:
        code, out, err = run(server, "chat", "--show-reasoning", "hi")
    assert code == 0, err
    assert out == SHOWN + "\nline\n"
    assert SHOWN in err
    assert f"m{SHOWN} via p{SHOWN}" in err
    assert not RAW.search(out + err), (out, err)


def test_chat_error_message_is_escaped() -> None:
    """An in-band error's message is one escaped line on stderr (exit 4)."""
    with HostileServer(hostile_error) as server:
        code, out, err = run(server, "chat", "hi")
    assert code == 4
    assert out == "x\n"
    assert f"failed {SHOWN}".replace("\\x0d", " ") in err  # messages fold whitespace
    assert not RAW.search(err), err
    assert "Traceback" not in err


def test_models_table_escapes_server_text() -> None:
    """The models table shows IDs with their control characters escaped."""
    with HostileServer(hostile_models) as server:
        code, out, err = run(server, "models")
    assert code == 0, err
    assert f"evil/{SHOWN}" in out
    assert not RAW.search(out), out


def test_models_json_is_the_same_json_escaped() -> None:
    """models --json escapes C1, DEL and lone surrogates as \\uXXXX: the same value, encodable."""
    with HostileServer(hostile_models) as server:
        code, out, err = run(server, "models", "--json")
    assert code == 0, err
    assert json.loads(out)["id"] == f"evil/{HOSTILE}"
    assert not RAW.search(out), out


@pytest.mark.parametrize(
    "key", ["sk-or-v1-ab\x0bcd", "sk-or-v1-abcd ", "sk-or-v1-ab\x1bcd", "sk-é"]
)
def test_malformed_key_exits_2(key: str) -> None:
    """A malformed key is a usage error: exit 2, one line that does not show the key."""
    done = cli("--api-key", key, "--base-url", "http://127.0.0.1:9/api/v1", "chat", "hi")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("openrouter: invalid API key: ")
    assert "ab" not in done.stderr.replace("able", "")


@pytest.mark.parametrize("url", ["127.0.0.1:8181/api/v1", "ftp://x", "http://", "http://[::1"])
@pytest.mark.parametrize("command", ["chat", "models"])
def test_malformed_base_url_exits_2(url: str, command: str) -> None:
    """A malformed base URL is a usage error: exit 2, one line, no retries."""
    args = [command, "hi"] if command == "chat" else [command]
    done = cli("--api-key", KEY, "--base-url", url, *args)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("openrouter: invalid base URL: ")
