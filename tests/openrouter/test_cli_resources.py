"""The command line's other API formats and resources (``chat --api``,
``embed``, ``providers``, ``keys``), run as real subprocesses against
MockOpenRouter."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from openrouter import OpenRouter
from openrouter._cli import EXIT_OK, EXIT_STREAM, EXIT_USAGE
from openrouter.testing import STORY_TEXT, MockOpenRouter
from tests.openrouter.test_cli import KEY, api, one_line


@pytest.fixture(scope="module")
def server() -> Iterator[MockOpenRouter]:
    with MockOpenRouter(api_key=KEY) as running:
        yield running


# -- chat --api ---------------------------------------------------------------------


@pytest.mark.parametrize("api_format", ["responses", "messages"])
def test_chat_in_another_api_format_prints_the_story(
    server: MockOpenRouter, api_format: str
) -> None:
    """The answer's text on stdout, exactly; the summary (model, tokens,
    generation) on stderr; the request went to that API's path."""
    server.clear_requests()
    done = api(server, "chat", "--api", api_format, "-m", "mock/story", "Tell me a story")
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.rstrip("\n") == STORY_TEXT
    summary = one_line(done.stderr)
    assert summary.startswith("openrouter: mock/story via ")
    assert "(prompt/completion)" in summary
    assert "generation " in summary
    (sent,) = server.requests
    assert sent.path == f"/api/v1/{api_format}"
    assert sent.json["stream"] is True
    assert sent.json["model"] == "mock/story"


def test_chat_responses_sends_the_documented_fields(server: MockOpenRouter) -> None:
    server.clear_requests()
    args = ["--system", "Be brief.", "--max-tokens", "50", "--temperature", "0.5"]
    done = api(server, "chat", "--api", "responses", "-m", "mock/story", *args, "Hi")
    assert done.returncode == EXIT_OK, done.stderr
    body = server.requests[-1].json
    assert body["input"] == "Hi"
    assert body["instructions"] == "Be brief."
    assert body["max_output_tokens"] == 50
    assert body["temperature"] == 0.5


def test_chat_messages_sends_the_documented_fields(server: MockOpenRouter) -> None:
    """Anthropic's format needs max_tokens: a default is sent; --reasoning
    becomes a thinking budget below it."""
    server.clear_requests()
    done = api(server, "chat", "--api", "messages", "-m", "mock/story", "--reasoning", "low", "Hi")
    assert done.returncode == EXIT_OK, done.stderr
    body = server.requests[-1].json
    assert body["messages"] == [{"role": "user", "content": "Hi"}]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 4000}
    assert body["max_tokens"] > body["thinking"]["budget_tokens"]


@pytest.mark.parametrize("api_format", ["responses", "messages"])
def test_chat_shows_reasoning_of_another_format(server: MockOpenRouter, api_format: str) -> None:
    done = api(
        server, "chat", "--api", api_format, "-m", "mock/reasoning", "--show-reasoning", "Why?"
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.rstrip("\n") == STORY_TEXT
    assert "lighthouse" in done.stderr.split("openrouter:")[0]  # the reasoning, before the summary


@pytest.mark.parametrize(
    ("api_format", "model", "code"),
    [("messages", "mock/overloaded", "overloaded_error"), ("responses", "mock/failed", None)],
)
def test_chat_failure_in_another_format_exits_4_after_the_text(
    server: MockOpenRouter, api_format: str, model: str, code: str | None
) -> None:
    done = api(server, "--max-retries", "0", "chat", "--api", api_format, "-m", model, "Hi")
    assert done.returncode == EXIT_STREAM, done.stderr
    assert done.stdout  # the text that arrived before the failure
    assert STORY_TEXT.startswith(done.stdout.rstrip("\n"))
    if code is not None:
        assert code in done.stderr


def test_chat_truncated_in_another_format_exits_4(server: MockOpenRouter) -> None:
    done = api(server, "chat", "--api", "responses", "-m", "mock/truncated", "Hi")
    assert done.returncode == EXIT_STREAM, done.stderr
    assert "incomplete" in done.stderr or "truncated" in done.stderr or "ended" in done.stderr


def test_chat_refuses_an_unknown_api(server: MockOpenRouter) -> None:
    done = api(server, "chat", "--api", "completions", "Hi")
    assert done.returncode == EXIT_USAGE
    assert "invalid choice" in done.stderr


# -- embed ----------------------------------------------------------------------------


def test_embed_prints_one_row_per_text_and_a_summary(server: MockOpenRouter) -> None:
    done = api(server, "embed", "hello world", "a second text")
    assert done.returncode == EXIT_OK, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["#", "DIMENSIONS", "FIRST", "VALUES", "TEXT"]
    assert lines[1].split()[0] == "1"
    assert lines[1].endswith("hello world")
    assert lines[2].endswith("a second text")
    assert "2 vectors" in one_line(done.stderr)


def test_embed_json_gives_the_vectors_the_client_gets(server: MockOpenRouter) -> None:
    done = api(server, "embed", "--json", "--dimensions", "8", "-", stdin="alpha\n\nbeta\n")
    assert done.returncode == EXIT_OK, done.stderr
    vectors = [json.loads(line) for line in done.stdout.splitlines()]
    sent = server.requests[-1].json
    assert sent["input"] == ["alpha", "beta"]  # blank lines skipped
    assert sent["dimensions"] == 8
    with OpenRouter(KEY, base_url=server.base_url) as client:
        expected = client.embeddings.create(sent).vectors
    assert vectors == expected


def test_embed_refuses_an_empty_text(server: MockOpenRouter) -> None:
    done = api(server, "embed", "   ")
    assert done.returncode == EXIT_USAGE
    assert "usage:" in done.stderr


# -- providers ------------------------------------------------------------------------


def test_providers_table_and_json(server: MockOpenRouter) -> None:
    with OpenRouter(KEY, base_url=server.base_url) as client:
        expected = client.providers.list()
    done = api(server, "providers")
    assert done.returncode == EXIT_OK, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["SLUG", "NAME"]
    assert [line.split()[0] for line in lines[1:-1]] == [p.slug for p in expected]
    assert lines[-1] == f"{len(expected)} providers"
    raw = api(server, "providers", "--json")
    assert [json.loads(line) for line in raw.stdout.splitlines()] == [p.raw for p in expected]


# -- keys -----------------------------------------------------------------------------


def test_keys_lifecycle(server: MockOpenRouter) -> None:
    """create prints the new key alone on stdout (and nowhere else); list,
    get, update and delete then manage it by hash."""
    created = api(server, "keys", "create", "nightly", "--limit", "5", "--limit-reset", "daily")
    assert created.returncode == EXIT_OK, created.stderr
    new_key = one_line(created.stdout)
    assert new_key.startswith("sk-or-")
    assert new_key not in created.stderr
    assert "shown only this once" in created.stderr
    body = server.requests[-1].json
    assert body == {"name": "nightly", "limit": 5.0, "limit_reset": "daily"}
    key_hash = next(
        line.split()[1] for line in created.stderr.splitlines() if line.startswith("hash")
    )

    listed = api(server, "keys", "list")
    assert listed.returncode == EXIT_OK, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if line.startswith(key_hash[:12]))
    assert "nightly" in row
    assert "$5.00" in row
    assert new_key not in listed.stdout

    updated = api(server, "keys", "update", key_hash, "--disable", "--name", "paused")
    assert updated.returncode == EXIT_OK, updated.stderr
    assert server.requests[-1].json == {"name": "paused", "disabled": True}
    shown = api(server, "keys", "get", key_hash, "--json")
    assert json.loads(shown.stdout)["disabled"] is True

    refused = api(server, "keys", "delete", key_hash)  # stdin is not a terminal
    assert refused.returncode == EXIT_USAGE
    assert "--yes" in refused.stderr
    deleted = api(server, "keys", "delete", key_hash, "--yes")
    assert deleted.returncode == EXIT_OK, deleted.stderr
    assert server.requests[-1].method == "DELETE"
    gone = api(server, "keys", "get", key_hash)
    assert gone.returncode != EXIT_OK


def test_keys_update_needs_a_change(server: MockOpenRouter) -> None:
    done = api(server, "keys", "update", "abc")
    assert done.returncode == EXIT_USAGE
    assert "--name" in done.stderr
