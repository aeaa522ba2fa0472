"""A request on a pooled connection that dies: a POST reaches the server at
most once, a GET is retried transparently, and a response that arrives
while a connection idles is never taken for the next request's."""

from __future__ import annotations

import time

import pytest

from openrouter import APIConnectionError, ChatCompletionRequest, Message, OpenRouter
from sseproto import RemoteProtocolError
from sseproto.adapters import Response, Timeouts, TransportError

from .clients import ADAPTERS, Call, run_calls
from .servers import FAULTS, OK_BODY, Behaviour, HostileServer, keepalive_then, unsolicited_response

LIMITS = Timeouts(connect=5.0, read=5.0, total=10.0)
#: Long enough for the server's close to reach the client's kernel.
PAUSE = 0.2


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_post_reaches_the_server_at_most_once(adapter: str, fault: str) -> None:
    """A POST on a pooled connection that dies before any response byte is never sent again."""
    with HostileServer(keepalive_then(fault)) as server:
        first, second = run_calls(
            adapter,
            [
                Call("GET", f"{server.url}/first"),
                Call("POST", f"{server.url}/chat/completions", b"{}", pause=PAUSE),
            ],
            LIMITS,
        )
    assert first.error is None
    assert server.count("POST") == 1
    if fault == "close-before":
        # Closed while idle: seen before sending, so a new connection carries it.
        assert second.error is None, second.error
        assert isinstance(second.value, Response)
    else:
        assert isinstance(second.error, (TransportError, RemoteProtocolError)), second.error


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_socket_error_says_the_request_may_have_arrived(adapter: str) -> None:
    """The error for a POST cut off before any response byte says it may have arrived."""
    if adapter.startswith("httpx"):
        pytest.skip("httpx words its own errors")
    with HostileServer(keepalive_then("close-after")) as server:
        _, second = run_calls(
            adapter,
            [
                Call("GET", f"{server.url}/first"),
                Call("POST", f"{server.url}/x", b"{}", pause=PAUSE),
            ],
            LIMITS,
        )
    assert isinstance(second.error, TransportError)
    assert "may have reached the server" in str(second.error)


def _second_get(adapter: str, behaviour: Behaviour, path: str) -> tuple[Response, int]:
    """A GET, then after a pause a GET of ``path`` on the same client: the
    second response, and how many times ``path`` reached the server."""
    with HostileServer(behaviour) as server:
        first, second = run_calls(
            adapter,
            [Call("GET", f"{server.url}/first"), Call("GET", server.url + path, pause=PAUSE)],
            LIMITS,
        )
    assert first.error is None
    assert second.error is None, second.error
    assert isinstance(second.value, Response)
    return second.value, server.count("GET", path)


@pytest.mark.parametrize("fault", ["close-after", "reset", "half-close"])
@pytest.mark.parametrize("adapter", ["sync", "asyncio", "trio"])
def test_get_is_retried_on_a_stale_connection(adapter: str, fault: str) -> None:
    """A GET whose pooled connection dies before any response byte is sent again, once."""
    response, arrivals = _second_get(adapter, keepalive_then(fault), "/again")
    assert response.body == OK_BODY
    assert arrivals == 2


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_unsolicited_response_is_not_the_next_response(adapter: str) -> None:
    """Bytes a server sends while the connection idles never answer the next request."""
    response, arrivals = _second_get(adapter, unsolicited_response, "/second")
    assert response.body == OK_BODY
    assert arrivals == 1


@pytest.mark.parametrize("fault", ["close-reading", "close-after", "reset", "half-close"])
def test_openrouter_chat_completion_is_sent_once(fault: str) -> None:
    """OpenRouter(max_retries=0): a generation on a pooled connection that dies is sent once."""
    request = ChatCompletionRequest(model="m", messages=[Message.user("hi")])
    with (
        HostileServer(keepalive_then(fault)) as server,
        OpenRouter("test-key-0123456789", base_url=server.url, max_retries=0) as client,
    ):
        assert client.list_models().data == []
        time.sleep(PAUSE)
        with pytest.raises(APIConnectionError):
            client.chat_completion(request)
    assert server.count("POST", "/chat/completions") == 1
