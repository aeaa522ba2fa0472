"""Every fault is reported as its documented error class, the same on every
adapter: a caller's bad URL or header is a LocalProtocolError raised by the
call itself before any connection; a time limit out of range is a
ValueError of Timeouts; a content coding the client cannot read is an
UnexpectedContentEncoding; and a server's ``retry: 0`` cannot make a
subscription reconnect in a tight loop."""

from __future__ import annotations

import math
import time

import pytest

from sseproto import LocalProtocolError, ReconnectPolicy
from sseproto.adapters import MAX_TIMEOUT, Timeouts, UnexpectedContentEncoding
from tests.servers.faults import FaultServer
from tests.test_adapter_scenarios import Runner, StreamCall, SubscribeCall, target

from ._redirect_servers import (  # noqa: F401 (the runner fixture, found by name)
    call_with_client,
    runner_fixture,
)

BAD_HEADERS = {
    "crlf-in-value": ("X-Bad", "a\r\nb"),
    "space-in-name": ("Bad Name", "v"),
    "non-ascii-value": ("X-Bad", "caf\u00e9"),
    "empty-name": ("", "v"),
}

BAD_URLS = {
    "bad-ipv6": "http://[::1:bad/",
    "userinfo": "http://user:s3cret@127.0.0.1/events",
    "ftp": "ftp://127.0.0.1/events",
    "space": "http://127.0.0.1/a b",
    "relative": "/events",
}


@pytest.mark.parametrize("header", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_bad_header_refused_at_call_time(
    runner: Runner, fault_server: FaultServer, header: tuple[str, str]
) -> None:
    """stream() and subscribe() with a header that cannot be sent raise
    LocalProtocolError themselves, before any connection."""
    before = fault_server.connections
    url = fault_server.url("/events")
    for call in (
        lambda client: client.stream("GET", url, headers=[header]),
        lambda client: client.subscribe(url, headers=[header]),
    ):
        error = call_with_client(runner, call)
        assert isinstance(error, LocalProtocolError), repr(error)
    assert fault_server.connections == before


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_bad_url_refused_at_call_time(runner: Runner, url: str) -> None:
    """stream() with a URL that cannot be requested raises LocalProtocolError itself,
    without its user information in the message."""
    error = call_with_client(runner, lambda client: client.stream("GET", url))
    assert isinstance(error, LocalProtocolError), repr(error)
    assert "s3cret" not in str(error) or "credentials" in str(error)


def test_bad_url_in_request_refused_before_io(runner: Runner, fault_server: FaultServer) -> None:
    """request() of a URL that cannot be requested raises LocalProtocolError, unsent."""
    before = fault_server.connections
    with pytest.raises(LocalProtocolError):
        runner.requests([fault_server.url("/json") + "?a b"])
    assert fault_server.connections == before


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, -1, 0, 1e300, MAX_TIMEOUT * 2, True, "5"]
)
@pytest.mark.parametrize("name", ["connect", "read", "event", "total"])
def test_timeouts_out_of_range_refused(name: str, value: object) -> None:
    """Timeouts refuses NaN, infinities, 0, negatives, non-numbers and values above MAX_TIMEOUT."""
    with pytest.raises(ValueError, match=f"Timeouts.{name}.*MAX_TIMEOUT"):
        Timeouts(**{name: value})  # type: ignore[arg-type]


def test_timeouts_infinity_points_to_none() -> None:
    """An infinite limit is refused with a hint to use None."""
    with pytest.raises(ValueError, match="use None for no limit"):
        Timeouts(read=math.inf)


def test_longest_timeouts_work(runner: Runner, fault_server: FaultServer) -> None:
    """Every limit at MAX_TIMEOUT works on every adapter, without an overflow."""
    longest = Timeouts(connect=MAX_TIMEOUT, read=MAX_TIMEOUT, event=MAX_TIMEOUT, total=MAX_TIMEOUT)
    outcome = runner.stream(StreamCall(fault_server.url("/events"), timeouts=longest)).ok()
    assert len(outcome.events()) == 3


def test_unknown_coding_stream_refused(runner: Runner, fault_server: FaultServer) -> None:
    """An event stream in a coding the client cannot decode raises
    UnexpectedContentEncoding, never an empty stream or garbled events; the
    client asked for identity."""
    url = fault_server.url(f"/coded?as=compress&runner={runner.name}&tag=stream")
    outcome = runner.stream(StreamCall(url))
    error = outcome.raised(UnexpectedContentEncoding)
    assert isinstance(error, UnexpectedContentEncoding)
    assert error.coding == "compress"
    assert "compress" in str(error)
    assert outcome.items == []
    request = fault_server.wait_for_request(target(url))
    assert request.header("Accept-Encoding") == "identity"


def test_unknown_coding_request_refused(runner: Runner, fault_server: FaultServer) -> None:
    """request() of a body in a coding it cannot decode and did not ask for
    raises UnexpectedContentEncoding."""
    with pytest.raises(UnexpectedContentEncoding):
        runner.requests([fault_server.url("/coded?as=compress")])


def test_unknown_coding_ends_a_subscription(runner: Runner, fault_server: FaultServer) -> None:
    """A subscription answered in a coding the client cannot decode ends with
    UnexpectedContentEncoding, without reconnecting."""
    url = fault_server.url(f"/coded?as=compress&runner={runner.name}&tag=subscribe")
    outcome = runner.subscribe(SubscribeCall(url, take=1))
    outcome.raised(UnexpectedContentEncoding)
    assert outcome.items == []
    assert len(fault_server.requests_to(target(url))) == 1


def test_retry_zero_is_floored(runner: Runner, fault_server: FaultServer) -> None:
    """A server that sends retry: 0 and closes gets a new connection every 100 ms
    at most (DEFAULT_MIN_RETRY), not as fast as the client can connect."""
    url = fault_server.url(f"/retry-zero?runner={runner.name}")
    policy = ReconnectPolicy(retry_delay=0.01, max_attempts=20)
    started = time.monotonic()
    outcome = runner.subscribe(SubscribeCall(url, take=4, policy=policy)).ok()
    elapsed = time.monotonic() - started
    assert len(outcome.events()) == 4
    # Three reconnections, each after at least 100 ms.
    assert elapsed >= 0.3
