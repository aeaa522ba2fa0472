"""The retry policy: which failures are sent again, and how long the client waits.

``call_flow`` is first driven by hand (no sockets) for exact sequences of
sends and pauses; then the clients run against the mock server with their
sleep replaced by one that records the delays, so nothing actually waits.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from openrouter import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    ChatCompletion,
    ModelList,
    OpenRouterError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    ServiceUnavailableError,
)
from openrouter._calls import call_flow
from openrouter.testing import STORY_TEXT, MockOpenRouter
from sseproto import ResponseRejected
from sseproto.adapters import (
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    Response,
    Timeouts,
)
from sseproto.http import Wait

from .test_client import (
    EVERY_TRANSPORT,
    KEY,
    Api,
    Runtime,
    Transport,
    chat,
    mock,
    server,
)

__all__ = ["mock", "server"]  # fixtures, found by name

#: The middle of the jitter range: every backoff delay is exactly predictable.
HALF = RetryPolicy(random=lambda: 0.5)

#: HALF's backoff before retries 1, 2, 3 (0.5 s doubling, minus 25 % * 0.5).
BACKOFF = [0.4375, 0.875, 1.75]


# -- RetryPolicy.delay -----------------------------------------------------------------


def test_backoff_doubles_with_jitter() -> None:
    """Without a hint the delay is base_delay * 2 ** (n - 1), scaled by 1 - jitter * random()."""
    assert [HALF.delay(n, None) for n in range(1, 8)] == [
        0.4375,
        0.875,
        1.75,
        3.5,
        7.0,
        7.0,  # capped at max_delay (8) before the jitter
        7.0,
    ]


@pytest.mark.parametrize(("draw", "factor"), [(0.0, 1.0), (0.999, 1 - 0.25 * 0.999)])
def test_jitter_range(draw: float, factor: float) -> None:
    """The jitter factor runs from 1 (random() == 0) down towards 1 - jitter."""
    policy = RetryPolicy(base_delay=1.0, random=lambda: draw)
    assert policy.delay(1, None) == pytest.approx(factor)


def test_hint_wins_and_is_capped() -> None:
    """A server's hint is used as is (no jitter), up to max_delay; a negative one is ignored."""
    assert HALF.delay(1, 2.0) == 2.0
    assert HALF.delay(3, 0.0) == 0.0
    assert HALF.delay(1, 120.0) == 8.0
    assert RetryPolicy(max_delay=60.0).delay(1, 120.0) == 60.0
    assert HALF.delay(1, -1.0) == 0.4375


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": -1},
        {"max_retries": True},
        {"max_retries": 1.0},
        {"base_delay": -0.1},
        {"max_delay": float("inf")},
        {"base_delay": float("nan")},
        {"jitter": 1.5},
        {"jitter": -0.1},
    ],
)
def test_policy_rejects_nonsense(options: dict[str, Any]) -> None:
    """Negative, non-finite or out-of-range settings raise ValueError."""
    with pytest.raises(ValueError, match=next(iter(options))):
        RetryPolicy(**options)


# -- call_flow driven by hand --------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    """A stand-in for one attempt's operations: the attempt yields it and
    returns what the test answers (a response, or an opened stream)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    stream: bool = False

    def attempt(self) -> Generator[Any, Any, Any]:
        result = yield self
        return result


URL = "http://127.0.0.1:9/api/v1/chat/completions"
SEND = Send("POST", URL, (("Authorization", f"Bearer {KEY}"),), b"{}")
STREAM_SEND = Send("POST", URL, (("Authorization", f"Bearer {KEY}"),), b"{}", stream=True)
GET = Send("GET", "http://127.0.0.1:9/api/v1/models", (), None)

Answer = Response | BaseException | object


def response(
    status: int, payload: Any = None, *headers: tuple[str, str], raw: bytes | None = None
) -> Response:
    """A whole response as a transport returns it."""
    body = raw if raw is not None else json.dumps(payload).encode()
    return Response(status, "", (("content-type", "application/json"), *headers), body, URL)


def error(status: int, *headers: tuple[str, str], **fields: Any) -> Response:
    """An OpenRouter error response."""
    return response(status, {"error": {"code": status, "message": "failed", **fields}}, *headers)


OK = response(200, {"data": []})


def run_flow(
    flow: Generator[Send | Wait, Any, Any], answers: Sequence[Answer]
) -> tuple[list[Send | Wait], Any]:
    """Drive ``flow``: answer each Send with the next answer (an exception is
    thrown in); record every yielded operation. Returns the operations and
    the flow's result, or the exception it raised."""
    ops: list[Send | Wait] = []
    pending = list(answers)
    value: Any = None
    thrown: BaseException | None = None
    while True:
        try:
            op = flow.send(value) if thrown is None else flow.throw(thrown)
        except StopIteration as stop:
            return ops, stop.value
        except OpenRouterError as exc:
            return ops, exc
        ops.append(op)
        value = thrown = None
        if isinstance(op, Send):
            answer = pending.pop(0)
            if isinstance(answer, BaseException):
                thrown = answer
            else:
                value = answer


def flow(
    send: Send = SEND,
    *,
    policy: RetryPolicy = HALF,
    generates: bool = True,
) -> Generator[Any, Any, Any]:
    """A call flow that parses a model list (any JSON object will do)."""
    return call_flow(
        send.attempt,
        ModelList.from_dict,
        policy=policy,
        secret=KEY,
        generates=generates,
        stream=send.stream,
    )


def test_flow_success_is_one_send() -> None:
    """A 200 is parsed and returned after exactly one send."""
    ops, result = run_flow(flow(), [OK])
    assert ops == [SEND]
    assert isinstance(result, ModelList)


def test_flow_follows_retry_after_until_max_retries() -> None:
    """429s are sent again after Retry-After, max_retries times, then raised."""
    limited = error(429, ("retry-after", "2"))
    ops, result = run_flow(flow(), [limited] * 3)
    assert ops == [SEND, Wait(2.0), SEND, Wait(2.0), SEND]
    assert isinstance(result, RateLimitError)
    assert result.retry_after == 2.0


def test_flow_recovers_after_a_retry() -> None:
    """A 503 followed by a 200 returns the 200's result."""
    ops, result = run_flow(flow(), [error(503), OK])
    assert ops == [SEND, Wait(0.4375), SEND]
    assert isinstance(result, ModelList)


def test_flow_caps_retry_after() -> None:
    """Retry-After beyond max_delay waits max_delay."""
    ops, _ = run_flow(flow(), [error(429, ("retry-after", "3600")), OK])
    assert ops == [SEND, Wait(8.0), SEND]


def test_flow_uses_availability_retry_after() -> None:
    """Without a Retry-After header, the error's availability.retry_after is the delay."""
    unavailable = response(
        503,
        {"error": {"message": "busy", "availability": {"status": "unavailable", "retry_after": 3}}},
    )
    ops, result = run_flow(flow(), [unavailable, unavailable, OK])
    assert ops == [SEND, Wait(3.0), SEND, Wait(3.0), SEND]
    assert isinstance(result, ModelList)


def test_flow_backs_off_without_a_hint() -> None:
    """Statuses without a hint wait the jittered exponential backoff."""
    ops, result = run_flow(
        flow(policy=RetryPolicy(max_retries=3, random=lambda: 0.5)), [error(502)] * 4
    )
    assert ops == [SEND, Wait(BACKOFF[0]), SEND, Wait(BACKOFF[1]), SEND, Wait(BACKOFF[2]), SEND]
    assert isinstance(result, BadGatewayError)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 520, 522, 524, 529])
def test_flow_retries_these_statuses(status: int) -> None:
    """Timeouts, rate limits and upstream failures are retried."""
    ops, result = run_flow(flow(), [error(status), OK])
    assert len(ops) == 3
    assert isinstance(result, ModelList)


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 413, 422, 501])
def test_flow_never_retries_these_statuses(status: int) -> None:
    """Client errors (and 501) are raised after one send."""
    ops, result = run_flow(flow(generates=False), [error(status)])
    assert ops == [SEND]
    assert isinstance(result, APIStatusError)
    assert result.status == status


def test_flow_max_retries_zero() -> None:
    """max_retries=0 sends once and raises, hint or not."""
    ops, result = run_flow(
        flow(policy=RetryPolicy(max_retries=0)), [error(429, ("retry-after", "1"))]
    )
    assert ops == [SEND]
    assert isinstance(result, RateLimitError)


@pytest.mark.parametrize(
    "failure",
    [ConnectError("refused"), ConnectTimeout("slow", limit=1.0)],
    ids=["refused", "connect-timeout"],
)
def test_flow_retries_a_completion_that_never_connected(failure: Exception) -> None:
    """A completion whose connection was never made is sent again (nothing reached the server)."""
    ops, result = run_flow(flow(generates=True), [failure, failure, failure])
    assert ops == [SEND, Wait(BACKOFF[0]), SEND, Wait(BACKOFF[1]), SEND]
    assert isinstance(result, APIConnectionError)
    assert result.__cause__ is failure


@pytest.mark.parametrize(
    "failure",
    [ReadTimeout("silent", limit=1.0), ReadError("reset")],
    ids=["read-timeout", "read-error"],
)
def test_flow_does_not_resend_a_completion(failure: Exception) -> None:
    """A completion that may have reached the server is not sent again (it may be billed)."""
    ops, result = run_flow(flow(generates=True), [failure])
    assert ops == [SEND]
    assert isinstance(result, APIConnectionError)
    assert isinstance(result, APITimeoutError) is isinstance(failure, ReadTimeout)
    assert result.__cause__ is failure


@pytest.mark.parametrize(
    "failure",
    [ReadTimeout("silent", limit=1.0), ReadError("reset")],
    ids=["read-timeout", "read-error"],
)
def test_flow_resends_a_completion_when_allowed(failure: Exception) -> None:
    """retry_after_send=True sends a completion again after a read failure."""
    policy = RetryPolicy(retry_after_send=True, random=lambda: 0.5)
    ops, result = run_flow(flow(policy=policy), [failure, OK])
    assert ops == [SEND, Wait(BACKOFF[0]), SEND]
    assert isinstance(result, ModelList)


def test_flow_resends_a_read_only_call_after_a_read_timeout() -> None:
    """A GET is always safe to send again."""
    silent = ReadTimeout("silent", limit=1.0)
    ops, result = run_flow(flow(GET, generates=False), [silent, silent, silent])
    assert ops == [GET, Wait(BACKOFF[0]), GET, Wait(BACKOFF[1]), GET]
    assert isinstance(result, APITimeoutError)


def test_flow_retries_a_rejected_stream() -> None:
    """A stream refused with 429 is retried after Retry-After; the opened stream is returned."""
    rejected = ResponseRejected(
        "status 429",
        status=429,
        headers=(("retry-after", "1"), ("content-type", "application/json")),
        body=b'{"error":{"code":429,"message":"slow down"}}',
    )
    opened = object()
    ops, result = run_flow(flow(STREAM_SEND), [rejected, opened])
    assert ops == [STREAM_SEND, Wait(1.0), STREAM_SEND]
    assert result is opened


def test_flow_rejected_stream_error_carries_no_unredacted_cause() -> None:
    """The final error for a rejected stream does not chain the rejection, which quotes the body."""
    body = json.dumps({"error": {"code": 400, "message": f"bad key Bearer {KEY}"}}).encode()
    rejected = ResponseRejected(f"status 400: {body!r}", status=400, headers=(), body=body)
    ops, result = run_flow(flow(STREAM_SEND), [rejected])
    assert ops == [STREAM_SEND]
    assert isinstance(result, BadRequestError)
    assert result.__cause__ is None
    assert KEY not in str(result)
    assert KEY.encode() not in result.body


def test_flow_error_body_with_status_200_is_not_retried() -> None:
    """A 200 whose body is an error is a response that arrived: raised at once, not retried."""
    body = {"error": {"code": 502, "message": "Provider returned error"}}
    ops, result = run_flow(flow(), [response(200, body)])
    assert ops == [SEND]
    assert isinstance(result, BadGatewayError)
    assert result.status == 200


def test_flow_body_that_is_not_json() -> None:
    """A 200 whose body is not JSON raises ResponseDecodeError without a retry."""
    ops, result = run_flow(flow(), [response(200, raw=b"<html>oops</html>")])
    assert ops == [SEND]
    assert isinstance(result, ResponseDecodeError)


# -- the clients against the mock ------------------------------------------------------------


@EVERY_TRANSPORT
def test_rate_limit_is_retried_up_to_max_retries(
    transport: Transport, server: MockOpenRouter
) -> None:
    """A 429 is sent max_retries + 1 times, Retry-After apart, then RateLimitError."""
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> None:
        await api.chat_completion(chat("mock/429"))

    with pytest.raises(RateLimitError) as caught:
        transport.run(server.base_url, body, sleeps=sleeps, retry_policy=HALF, max_retries=3)
    assert caught.value.retry_after == 2.0
    assert sleeps == [2.0, 2.0, 2.0]
    assert len(server.requests) == 4


@EVERY_TRANSPORT
def test_rate_limit_without_retries(transport: Transport, server: MockOpenRouter) -> None:
    """max_retries=0: one request, RateLimitError with retry_after and the limit headers."""
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> None:
        await api.chat_completion(chat("mock/429?retry_after=7"))

    with pytest.raises(RateLimitError) as caught:
        transport.run(server.base_url, body, sleeps=sleeps, max_retries=0)
    assert caught.value.retry_after == 7.0
    assert caught.value.header("x-ratelimit-limit") == "20"
    assert sleeps == []
    assert len(server.requests) == 1


def test_retry_after_is_capped_by_max_delay(server: MockOpenRouter) -> None:
    """Retry-After: 30 with max_delay=8 waits 8 seconds."""
    sleeps: list[float] = []
    transport = Transport("sync-sockets", "sync", httpx=False)

    async def body(api: Api, rt: Runtime) -> None:
        await api.chat_completion(chat("mock/429?retry_after=30"))

    with pytest.raises(RateLimitError):
        transport.run(server.base_url, body, sleeps=sleeps, retry_policy=HALF)
    assert sleeps == [8.0, 8.0]


@EVERY_TRANSPORT
def test_availability_is_retried_after_its_hint(
    transport: Transport, server: MockOpenRouter
) -> None:
    """A 503 with availability.retry_after waits that long between attempts."""
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> None:
        await api.list_models()  # warm-up: a GET that succeeds
        await api.chat_completion(chat("mock/availability?retry_after=3"))

    with pytest.raises(ServiceUnavailableError) as caught:
        transport.run(server.base_url, body, sleeps=sleeps, retry_policy=HALF)
    assert caught.value.retry_after == 3.0
    assert sleeps == [3.0, 3.0]
    assert len(server.requests) == 4


@EVERY_TRANSPORT
def test_html_502_backs_off_with_jitter(transport: Transport, server: MockOpenRouter) -> None:
    """A 502 without any hint waits the jittered exponential backoff."""
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> None:
        await api.chat_completion(chat("mock/html-502"))

    with pytest.raises(BadGatewayError) as caught:
        transport.run(server.base_url, body, sleeps=sleeps, retry_policy=HALF)
    assert caught.value.message == "502 Bad Gateway"
    assert sleeps == BACKOFF[:2]
    assert len(server.requests) == 3


@EVERY_TRANSPORT
def test_bad_request_is_never_retried(transport: Transport, server: MockOpenRouter) -> None:
    """A 400 (an unknown mock model) is raised after one request."""
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> None:
        await api.chat_completion(chat("mock/no-such-scenario"))

    with pytest.raises(BadRequestError):
        transport.run(server.base_url, body, sleeps=sleeps, retry_policy=HALF)
    assert sleeps == []
    assert len(server.requests) == 1


@pytest.fixture(scope="module")
def strict_mock() -> Iterator[MockOpenRouter]:
    """A mock server that accepts only the key "the-right-key"."""
    with MockOpenRouter(api_key="the-right-key") as running:
        yield running


@EVERY_TRANSPORT
def test_unauthorized_is_never_retried(transport: Transport, strict_mock: MockOpenRouter) -> None:
    """A 401 is raised after one request, for a GET and for a stream."""
    strict_mock.clear_requests()
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> None:
        with pytest.raises(AuthenticationError):
            await api.list_models()
        with pytest.raises(AuthenticationError):
            await api.chat_completion_stream(chat())

    transport.run(strict_mock.base_url, body, sleeps=sleeps, retry_policy=HALF)
    assert sleeps == []
    assert len(strict_mock.requests) == 2


@contextlib.contextmanager
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections (bound, never listening)."""
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        yield reserved.getsockname()[1]


@EVERY_TRANSPORT
def test_connection_refused_is_retried(transport: Transport) -> None:
    """A refused connection is retried with backoff (even for a completion), then raised."""
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> None:
        await api.chat_completion(chat())

    with refused_port() as port, pytest.raises(APIConnectionError) as caught:
        transport.run(f"http://127.0.0.1:{port}/api/v1", body, sleeps=sleeps, retry_policy=HALF)
    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value.__cause__, ConnectError)
    assert sleeps == BACKOFF[:2]


#: A read limit the stalled replies below run into.
SHORT_READ = Timeouts(connect=10.0, read=0.2)


@EVERY_TRANSPORT
def test_completion_read_timeout_is_not_retried(
    transport: Transport, server: MockOpenRouter
) -> None:
    """A completion whose reply stalls times out once: it may have been billed."""
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> None:
        await api.chat_completion(chat("mock/stall"))

    with pytest.raises(APITimeoutError):
        transport.run(server.base_url, body, sleeps=sleeps, retry_policy=HALF, timeout=SHORT_READ)
    assert sleeps == []
    assert len(server.requests) == 1


@EVERY_TRANSPORT
def test_completion_read_timeout_retried_when_allowed(
    transport: Transport, server: MockOpenRouter
) -> None:
    """retry_after_send=True sends a timed-out completion again."""
    sleeps: list[float] = []
    policy = RetryPolicy(retry_after_send=True, random=lambda: 0.5)

    async def body(api: Api, rt: Runtime) -> None:
        await api.chat_completion(chat("mock/stall"))

    with pytest.raises(APITimeoutError):
        transport.run(server.base_url, body, sleeps=sleeps, retry_policy=policy, timeout=SHORT_READ)
    assert sleeps == BACKOFF[:2]
    assert len(server.requests) == 3


@contextlib.contextmanager
def silent_server() -> Iterator[tuple[str, list[int]]]:
    """A server whose connections are accepted by the kernel and never answered.

    Yields its base URL and a list that, once the block ends, holds how many
    connections were made.
    """
    counted: list[int] = []
    with socket.create_server(("127.0.0.1", 0), backlog=16) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1", counted
        listener.setblocking(False)
        while True:
            try:
                sock, _ = listener.accept()
            except BlockingIOError:
                break
            sock.close()
            counted.append(1)


@EVERY_TRANSPORT
def test_models_retried_after_a_read_timeout(transport: Transport) -> None:
    """A GET that times out is sent again on a new connection; the last timeout is raised."""
    sleeps: list[float] = []

    async def body(api: Api, rt: Runtime) -> None:
        await api.list_models()

    with silent_server() as (url, counted):
        with pytest.raises(APITimeoutError) as caught:
            transport.run(url, body, sleeps=sleeps, retry_policy=HALF, timeout=SHORT_READ)
        assert isinstance(caught.value.__cause__, ReadTimeout)
    assert sleeps == BACKOFF[:2]
    assert len(counted) == 3


@EVERY_TRANSPORT
def test_real_sleep_between_attempts(transport: Transport, server: MockOpenRouter) -> None:
    """Without an injected sleep the client waits in its own runtime, then succeeds."""
    policy = RetryPolicy(max_retries=1, base_delay=0.01, max_delay=0.01, jitter=0.0)

    async def body(api: Api, rt: Runtime) -> ChatCompletion:
        with pytest.raises(BadGatewayError):
            await api.chat_completion(chat("mock/html-502"))
        return await api.chat_completion(chat())

    reply = transport.run(server.base_url, body, retry_policy=policy)
    assert reply.choices[0].message.content == STORY_TEXT
    assert len(server.requests) == 3
