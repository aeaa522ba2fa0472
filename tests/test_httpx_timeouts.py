"""The httpx adapter takes the httpx client's own timeout when it is given none.

``sseproto.adapters.httpx.Client(httpx.Client(timeout=0.5))`` reads with
0.5 s limits (a silent server raises ``ReadTimeout`` after 0.5 s, not after
the 120 s default); an explicit ``timeouts=`` wins; httpx's own default
(5 s everywhere) is not taken as a choice.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from sseproto.adapters import Timeouts
from sseproto.adapters import httpx as adapter
from sseproto.adapters.httpx import AsyncClient, Client
from sseproto.http import DEFAULT_TIMEOUTS, ReadTimeout

from .test_adapters_cancel import FIRST, StallServer, stall

__all__ = ["stall"]  # a fixture, found by name


def test_the_httpx_timeout_is_used() -> None:
    """Without timeouts=, the httpx client's connect and read limits apply."""
    with httpx.Client(timeout=httpx.Timeout(0.5, connect=2.0)) as http:
        assert Client(http).timeouts == Timeouts(connect=2.0, read=0.5)


def test_async_the_httpx_timeout_is_used() -> None:
    """The async httpx adapter does the same."""

    async def main() -> Timeouts:
        async with httpx.AsyncClient(timeout=0.5) as http:
            return AsyncClient(http).timeouts

    assert asyncio.run(main()) == Timeouts(connect=0.5, read=0.5)


def test_no_httpx_limit_is_no_limit() -> None:
    """httpx.Client(timeout=None) means no limit, as in httpx."""
    with httpx.Client(timeout=None) as http:
        assert Client(http).timeouts == Timeouts(connect=None, read=None)


def test_explicit_timeouts_win() -> None:
    """timeouts= replaces the httpx client's timeout."""
    mine = Timeouts(connect=3.0, read=7.0, event=9.0)
    with httpx.Client(timeout=0.5) as http:
        assert Client(http, timeouts=mine).timeouts == mine


def test_the_httpx_default_is_not_a_choice() -> None:
    """httpx's default timeout (5 s) leaves sseproto's defaults in place."""
    with httpx.Client() as http:
        assert Client(http).timeouts == DEFAULT_TIMEOUTS
    assert adapter.timeouts_from_httpx(httpx.Timeout(5.0)) is None


def test_an_unusable_httpx_timeout_is_refused() -> None:
    """A limit sseproto refuses (0) raises ValueError naming the way out."""
    with httpx.Client(timeout=0) as http, pytest.raises(ValueError, match="pass timeouts="):
        Client(http)


def test_a_silent_server_times_out_by_the_httpx_limit(stall: StallServer) -> None:
    """With httpx.Client(timeout=0.5), a server that goes silent raises ReadTimeout in 0.5 s."""
    with httpx.Client(timeout=0.5) as http, Client(http).stream("GET", stall.url) as stream:
        assert next(stream) == FIRST
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            next(stream)
        waited = time.monotonic() - started
    assert 0.4 < waited < 3.0
