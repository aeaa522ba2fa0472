"""Hostile redirects, on every adapter: a Location that is not a usable URL is
the server's fault (InvalidRedirect), and https never leads to plain http
(InsecureRedirect). Neither is followed, retried or reported as the caller's
mistake, and no message shows user information or a query."""

from __future__ import annotations

import httpx
import pytest

from openrouter import OpenRouter, OpenRouterError
from sseproto import LocalProtocolError, RemoteProtocolError
from sseproto.adapters import InsecureRedirect, InvalidRedirect, RedirectError
from tests.servers.faults import FaultServer
from tests.servers.tls import client_context
from tests.test_adapter_scenarios import Runner, StreamCall, SubscribeCall, target

from ._redirect_servers import (  # noqa: F401 (the runner fixture, found by name)
    AlwaysRedirect,
    redirect_to,
    runner_fixture,
)

#: (id, Location, padding): Locations no client may follow.
HOSTILE = [
    ("bad-ipv6", "http://[::1:bad/", 0),
    ("javascript", "javascript:alert(1)", 0),
    ("data", "data:text/plain,x", 0),
    ("ftp", "ftp://x/", 0),
    ("empty", "", 0),
    ("space", "/a b", 0),
    ("tab", "/a\tb", 0),
    ("control", "/a\x01b", 0),
    ("userinfo", "http://user:s3cret@127.0.0.1/events", 0),
    ("huge", "/x", 40_000),
]


@pytest.mark.parametrize(
    ("location", "pad"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_hostile_location_stream(
    runner: Runner, fault_server: FaultServer, location: str, pad: int
) -> None:
    """A stream redirected to a hostile Location raises InvalidRedirect, a remote error."""
    url = redirect_to(fault_server, location, pad=pad, runner=runner.name)
    outcome = runner.stream(StreamCall(url))
    error = outcome.raised(InvalidRedirect)
    assert isinstance(error, InvalidRedirect)
    assert isinstance(error, RemoteProtocolError)
    assert not isinstance(error, LocalProtocolError)
    assert error.urls == (url,)
    assert "s3cret" not in str(error)
    assert len(str(error)) < 1000
    assert outcome.items == []


@pytest.mark.parametrize("location", ["http://[::1:bad/", "javascript:alert(1)", "/a b", ""])
def test_hostile_location_request(runner: Runner, fault_server: FaultServer, location: str) -> None:
    """request() redirected to a hostile Location raises InvalidRedirect."""
    with pytest.raises(InvalidRedirect):
        runner.requests([redirect_to(fault_server, location, runner=runner.name)])


def test_hostile_location_ends_a_subscription(runner: Runner, fault_server: FaultServer) -> None:
    """A subscription redirected to a hostile Location ends with InvalidRedirect, not retried."""
    url = redirect_to(fault_server, "http://[::1:bad/", runner=runner.name, tag="subscribe")
    outcome = runner.subscribe(SubscribeCall(url, take=1))
    outcome.raised(InvalidRedirect)
    assert len(fault_server.requests_to(target(url))) == 1


def test_https_to_http_redirect_refused(
    runner: Runner, fault_server: FaultServer, tls_fault_server: FaultServer
) -> None:
    """A redirect from https to http raises InsecureRedirect naming both URLs, without
    their user information or query, and nothing is sent over plain http."""
    plain = fault_server.url(f"/echo?token=s3cret&runner={runner.name}")
    url = redirect_to(tls_fault_server, plain, status=307, runner=runner.name)
    call = StreamCall(
        url,
        method="POST",
        headers=[("Authorization", "Bearer sk-secret-key")],
        body=b'{"prompt": "private"}',
    )
    outcome = runner.stream(call, ssl_context=client_context())
    error = outcome.raised(InsecureRedirect)
    assert isinstance(error, RedirectError)
    message = str(error)
    assert tls_fault_server.url("/redirect-to?...") in message
    assert fault_server.url("/echo?...") in message
    assert "s3cret" not in message
    assert error.location == plain
    assert fault_server.requests_to(target(plain)) == []


def test_http_to_https_redirect_followed(
    runner: Runner, fault_server: FaultServer, tls_fault_server: FaultServer
) -> None:
    """A redirect from http to https is followed."""
    url = redirect_to(fault_server, tls_fault_server.url("/events"), runner=runner.name)
    outcome = runner.stream(StreamCall(url), ssl_context=client_context()).ok()
    assert outcome.url == tls_fault_server.url("/events")
    assert len(outcome.events()) == 3


@pytest.mark.parametrize("transport", ["sockets", "httpx"])
@pytest.mark.parametrize("location", ["http://[::1:bad/", "javascript:alert(1)", "/a b"])
def test_openrouter_list_models_hostile_location(transport: str, location: str) -> None:
    """OpenRouter.list_models() redirected to a hostile Location raises an OpenRouterError."""
    with AlwaysRedirect(location) as server, httpx.Client() as http:
        client = OpenRouter(
            "sk-or-test-key",
            base_url=server.url,
            transport=http if transport == "httpx" else None,
            max_retries=0,
        )
        with client, pytest.raises(OpenRouterError) as caught:
            client.list_models()
    assert isinstance(caught.value.__cause__, InvalidRedirect)
    assert "sk-or-test-key" not in str(caught.value)


def test_openrouter_does_not_retry_a_refused_redirect() -> None:
    """A redirect the client refuses is the server's answer: not sent again on retries."""
    with AlwaysRedirect("javascript:alert(1)") as server:
        client = OpenRouter("sk-or-test-key", base_url=server.url, max_retries=3)
        client._transport._sleep = lambda seconds: None
        with client, pytest.raises(OpenRouterError) as caught:
            client.list_models()
    assert isinstance(caught.value.__cause__, InvalidRedirect)
    assert server.requests == 1
