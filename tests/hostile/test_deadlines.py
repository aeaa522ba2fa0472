"""Time limits against servers that keep sending bytes that never make
progress: every adapter re-checks the total and event deadlines whenever
any byte arrives, in the head and in the body, and bounds 1xx floods."""

from __future__ import annotations

import pytest

from sseproto.adapters import EventTimeout, HeadersTooLarge, Timeouts, TotalTimeout

from .clients import ADAPTERS, Call, Result, run_calls
from .servers import HostileServer, continue_flood, framing_drip, head_drip

#: Slack over a limit for the error to arrive (a noisy machine).
SLACK = 1.5
#: Well inside the read limit: every wait ends with a byte, never a timeout.
INTERVAL = 0.25


def _one(adapter: str, behaviour: object, call: Call, timeouts: Timeouts) -> Result:
    with HostileServer(behaviour) as server:  # type: ignore[arg-type]
        (result,) = run_calls(
            adapter, [Call(call.method, server.url + call.url, stream=call.stream)], timeouts
        )
    return result


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_total_bounds_a_dripped_head(adapter: str) -> None:
    """A head dripped a byte at a time ends in TotalTimeout near the total limit."""
    result = _one(adapter, head_drip(INTERVAL), Call("GET", "/"), Timeouts(read=5.0, total=1.0))
    assert isinstance(result.error, TotalTimeout), result.error
    assert result.seconds < 1.0 + SLACK


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_total_bounds_a_1xx_trickle(adapter: str) -> None:
    """100 Continue responses that keep coming end in TotalTimeout near the total limit."""
    result = _one(adapter, continue_flood(0.02), Call("GET", "/"), Timeouts(read=5.0, total=1.0))
    assert isinstance(result.error, TotalTimeout), result.error
    assert result.seconds < 1.0 + SLACK


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_1xx_flood_is_bounded_without_a_total(adapter: str) -> None:
    """A fast 1xx flood without a total limit ends in HeadersTooLarge, not forever."""
    result = _one(adapter, continue_flood(0.0), Call("GET", "/"), Timeouts(read=5.0))
    assert isinstance(result.error, HeadersTooLarge), result.error
    assert result.seconds < 10.0


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_total_bounds_framing_drip(adapter: str) -> None:
    """Chunk framing that carries no body does not hold a stream past the total limit."""
    call = Call("GET", "/", stream=True)
    result = _one(adapter, framing_drip(INTERVAL), call, Timeouts(read=5.0, total=1.0))
    assert isinstance(result.error, TotalTimeout), result.error
    assert result.seconds < 1.0 + SLACK


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_event_limit_bounds_framing_drip(adapter: str) -> None:
    """Chunk framing that carries no body does not hold a stream past the event limit."""
    call = Call("GET", "/", stream=True)
    result = _one(adapter, framing_drip(INTERVAL), call, Timeouts(read=5.0, event=1.0, total=30))
    assert isinstance(result.error, EventTimeout), result.error
    assert result.seconds < 1.0 + SLACK
