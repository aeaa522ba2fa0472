"""The API key never shows in an error, whatever a hostile server sends.

A loopback server echoes the request's key in every place a server can put
one (an error body's message, metadata and keys, a header value, a
malformed header or status line, a ``Location``, a malformed or in-band
stream chunk, a 200 body that is not JSON, an HTML page), and each test
formats the whole traceback of the error the client raises (causes and
contexts included, as ``logger.exception`` would) and every attribute
documented as safe to log, then looks for the key in the forms a log line
could show it in: plain, JSON-escaped, percent-encoded, repr-escaped and
base64.
"""

from __future__ import annotations

import base64
import json
import traceback
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest

from openrouter import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    BadGatewayError,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Message,
    OpenRouterError,
    ResponseDecodeError,
    StreamError,
    StreamTimeoutError,
    StreamTruncatedError,
)
from sseproto.adapters import Timeouts

from ._hostile import HostileServer, Step, error_body, escaped, response, sse, stream_head
from .test_client import TRANSPORTS, Api, Runtime, Transport

#: A key of the real shape, and one that no pattern knows (so only the
#: client's own key redaction can hide it) with characters that JSON and
#: URLs escape.
KEYS = ["sk-or-v1-" + "0123456789abcdef" * 4, "test/key-0123456789+abcdef"]

#: The blocking client on sockets and on httpx, the async one on asyncio
#: sockets, trio sockets and asyncio httpx.
HOSTILE_TRANSPORTS = [
    t
    for t in TRANSPORTS
    if t.name in ("sync-sockets", "sync-httpx", "asyncio-sockets", "trio-sockets", "asyncio-httpx")
]

#: Every documented status, and one without a class of its own.
STATUSES = [400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503, 524, 529, 418]

#: Short limits for the scenarios that stall.
QUICK = Timeouts(connect=5.0, read=0.3)


def forms(key: str) -> set[str]:
    """The ways a log line could show ``key``."""
    found = {
        key,
        json.dumps(key)[1:-1],
        escaped(key),
        key.replace("/", "\\/"),
        urllib.parse.quote(key, safe=""),
        urllib.parse.quote(key),
        urllib.parse.quote(key, safe="").lower(),
        urllib.parse.quote_plus(key),
        repr(key)[1:-1],
        repr(key.encode())[2:-1],
        repr(escaped(key))[1:-1],
        "".join(f"\\x{ord(c):02x}" for c in key),
    }
    data = key.encode()
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * shift + data).decode()
            # The characters that depend on the key's bytes alone.
            found.add(text[4 * -(-shift // 3) : 4 * ((shift + len(data)) // 3)])
    return {form for form in found if len(form) >= 8}


def chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception linked to it by ``__cause__`` or ``__context__``."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        todo += [e for e in (item.__cause__, item.__context__) if e is not None]


def exposed(exc: BaseException) -> dict[str, str]:
    """Everything about ``exc`` that may end up in a log, by where it comes from."""
    shown = {"traceback": "".join(traceback.format_exception(exc))}
    for index, item in enumerate(chain(exc)):
        shown[f"chain[{index}] str/repr/args"] = f"{item} {item!r} {item.args!r}"
        shown[f"chain[{index}] attributes"] = repr(vars(item)) if hasattr(item, "__dict__") else ""
        shown[f"chain[{index}] notes"] = repr(getattr(item, "__notes__", None))
    for name in (
        "message",
        "headers",
        "metadata",
        "code",
        "error_type",
        "provider_name",
        "availability",
        "generation_id",
        "request_id",
    ):
        shown[name] = repr(getattr(exc, name, None))
    body = getattr(exc, "body", b"")
    shown["body"] = body.decode("latin-1")
    shown["metadata as JSON"] = json.dumps(getattr(exc, "metadata", None), default=repr)
    return shown


def leaks(exc: BaseException, key: str) -> list[str]:
    """Where any form of ``key`` shows in ``exc``."""
    return [
        f"{where}: {form!r}"
        for where, text in exposed(exc).items()
        for form in forms(key)
        if form in text
    ]


@dataclass(frozen=True)
class Scenario:
    """What the hostile server answers, how the client calls, what it raises."""

    name: str
    reply: Callable[[str], Sequence[Step]]
    raises: type[OpenRouterError]
    stream: bool = False
    timeouts: Timeouts = QUICK

    def __repr__(self) -> str:
        return self.name


def _echo_headers(key: str) -> list[tuple[str, str]]:
    return [("X-Echo", f"Authorization: Bearer {key}"), ("X-Request-Id", key)]


def _chunk(content: str) -> bytes:
    delta = {"index": 0, "delta": {"content": content}}
    return sse(json.dumps({"id": "gen-1", "choices": [delta]}))


def _error_response(status: int) -> Callable[[str], Sequence[Step]]:
    def reply(key: str) -> Sequence[Step]:
        return [response(status, error_body(key, status), headers=_echo_headers(key))]

    return reply


SCENARIOS = [
    *(Scenario(f"status-{status}", _error_response(status), APIStatusError) for status in STATUSES),
    Scenario(
        "stream-rejected-401",
        lambda key: [response(401, error_body(key, 401), headers=_echo_headers(key))],
        APIStatusError,
        stream=True,
    ),
    Scenario("error-body-200", lambda key: [response(200, error_body(key, 502))], BadGatewayError),
    Scenario(
        "html-502",
        lambda key: [
            response(
                502,
                (
                    "<html><head><title>bad key "
                    + "".join(f"&#{ord(c)};" for c in key)
                    + f"</title></head><body>{key}</body></html>"
                ).encode(),
                content_type="text/html",
            )
        ],
        BadGatewayError,
    ),
    Scenario(
        "text-400",
        lambda key: [response(400, f"key {escaped(key)} refused: {key}".encode())],
        APIStatusError,
    ),
    Scenario(
        "in-band-error",
        lambda key: [stream_head(), _chunk("Once"), sse(error_body(key, 502).decode())],
        StreamError,
        stream=True,
    ),
    Scenario(
        "malformed-chunk",
        lambda key: [stream_head(), _chunk("Once"), sse("{not json " + key + "}")],
        APIConnectionError,
        stream=True,
    ),
    Scenario(
        "truncated-stream",
        lambda key: [stream_head(f"X-Echo: {key}\r\n".encode()), _chunk("Once")],
        StreamTruncatedError,
        stream=True,
    ),
    Scenario(
        "stream-timeout",
        lambda key: [stream_head(f"X-Echo: {key}\r\n".encode()), _chunk("Once"), 10.0],
        StreamTimeoutError,
        stream=True,
    ),
    Scenario("timeout", lambda key: [10.0], APITimeoutError),
    Scenario("closed-before-answer", lambda key: [], APIConnectionError),
    Scenario(
        "redirect-loop",
        lambda key: [response(302, b"", headers=[("Location", f"/api/v1/x?k={key}")])],
        APIConnectionError,
    ),
    Scenario(
        "redirect-to-another-scheme",
        lambda key: [
            response(307, b"", headers=[("Location", f"ftp://u:{urllib.parse.quote(key)}@h/{key}")])
        ],
        APIConnectionError,
    ),
    Scenario(
        "malformed-header-line",
        lambda key: [response(400, b"{}", raw_headers=f"X-Bad {key}\r\n".encode())],
        APIConnectionError,
    ),
    Scenario(
        "malformed-header-line-in-stream",
        lambda key: [stream_head(f"{key}\r\n".encode())],
        APIConnectionError,
        stream=True,
    ),
    Scenario(
        "malformed-status-line",
        lambda key: [f"HTTP/1.1 abc {key}\r\n\r\n".encode()],
        APIConnectionError,
    ),
    Scenario(
        "not-json-200",
        lambda key: [response(200, f"not JSON: {key} {escaped(key)}".encode())],
        ResponseDecodeError,
    ),
]


def chat() -> ChatCompletionRequest:
    return ChatCompletionRequest(model="m", messages=[Message.user("hi")])


def provoke(transport: Transport, scenario: Scenario, key: str) -> OpenRouterError:
    """Run the scenario's call against the hostile server; return what it raised."""

    async def body(api: Api, rt: Runtime) -> OpenRouterError:
        del rt
        try:
            if not scenario.stream:
                await api.chat_completion(chat())
            else:
                stream = await api.chat_completion_stream(chat())
                try:
                    chunks: list[ChatCompletionChunk] = [chunk async for chunk in stream]
                    del chunks
                finally:
                    await stream.aclose()
        except OpenRouterError as exc:
            return exc
        raise AssertionError("no error was raised")

    with HostileServer(scenario.reply) as server:
        return transport.run(
            server.base_url, body, api_key=key, timeout=scenario.timeouts, max_retries=0
        )


@pytest.mark.parametrize("key", KEYS, ids=["sk-or-key", "other-key"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=repr)
@pytest.mark.parametrize("transport", HOSTILE_TRANSPORTS, ids=repr)
def test_no_form_of_the_key_in_any_error(
    transport: Transport, scenario: Scenario, key: str
) -> None:
    """The error's full traceback, its chain and its safe attributes show no form of the key."""
    exc = provoke(transport, scenario, key)
    assert isinstance(exc, scenario.raises), exc
    assert leaks(exc, key) == []


def test_forms_find_the_key() -> None:
    """The search finds the key in each form it names (the test's own check)."""
    key = KEYS[1]
    for text in (
        f"x{key}y",
        escaped(key),
        urllib.parse.quote(key, safe=""),
        base64.b64encode(b"ab" + key.encode()).decode(),
        repr(key.encode()),
    ):
        assert any(form in text for form in forms(key)), text


@pytest.mark.parametrize("transport", HOSTILE_TRANSPORTS[:1], ids=repr)
def test_error_data_is_exact_but_the_key(transport: Transport) -> None:
    """metadata is the server's, parsed, with only the key (plain or escaped) replaced."""
    key = KEYS[1]
    exc = provoke(transport, SCENARIOS[0], key)
    assert isinstance(exc, APIError)
    assert exc.message == "invalid key [REDACTED]"
    assert exc.metadata == {
        "raw": "upstream said: key=[REDACTED]",
        "headers": {"authorization": "Bearer [REDACTED]"},
        "[REDACTED]": 1,
        "provider_name": "P [REDACTED]",
    }
    assert json.loads(exc.body)["error"]["metadata"] == exc.metadata
