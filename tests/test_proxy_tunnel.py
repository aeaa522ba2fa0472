"""The connection operations of requests through a proxy, in memory: what
HTTP11Connections yields for an https:// request (CONNECT, then StartTLS
with the origin's name, then the request) and for an http:// one (absolute
form), how the connect limit covers the tunnel, and that the proxy's answer
may be split anywhere."""

from __future__ import annotations

import base64
from collections.abc import Callable, Generator
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sseproto.http import (
    CloseConnection,
    ConnectionPool,
    Head,
    HTTP11Connections,
    NoProxy,
    OpenConnection,
    Origin,
    Proxies,
    Proxy,
    ReceiveBytes,
    SendBytes,
    SendRequest,
    StartTLS,
    TimedOut,
)

PROXY = Proxy.from_url("http://alice:s3cret-pw@proxy.corp:3128")
TOKEN = base64.b64encode(b"alice:s3cret-pw")
ANSWER = b"HTTP/1.1 200 Connection established\r\nProxy-Agent: test\r\n\r\n"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def connections(clock: Clock, no_proxy: str = "") -> HTTP11Connections:
    proxies = Proxies(http=PROXY, https=PROXY, no_proxy=NoProxy(no_proxy))
    return HTTP11Connections(ConnectionPool(), clock, proxies)


def request(url: str, connect: float | None = 10.0) -> SendRequest:
    return SendRequest("GET", url, (("Accept", "*/*"),), None, connect, 30.0)


def run(ops: Generator[Any, Any, Any], answer: Callable[[Any], Any]) -> tuple[list[Any], Any]:
    """Perform every operation with ``answer``; the operations and the result."""
    seen: list[Any] = []
    value: Any = None
    while True:
        try:
            op = ops.send(value)
        except StopIteration as stop:
            return seen, stop.value
        seen.append(op)
        value = answer(op)


def tunnel_answer(pieces: list[bytes]) -> Callable[[Any], Any]:
    """A proxy that answers CONNECT with ``pieces``, then an origin that
    answers the request."""
    pending = list(pieces)
    after_tls = [RESPONSE]

    def answer(op: Any) -> Any:
        if isinstance(op, OpenConnection):
            return "raw"
        if isinstance(op, SendBytes):
            return True
        if isinstance(op, StartTLS):
            return "tls"
        if isinstance(op, ReceiveBytes):
            return (pending if op.conn == "raw" else after_tls).pop(0)
        return None

    return answer


def test_https_goes_through_connect_then_tls_with_the_origin_name() -> None:
    """CONNECT host:port (Host, Proxy-Authorization) to the proxy, then TLS
    naming the origin on the same connection, then the request, which
    carries no proxy credentials."""
    ops, result = run(
        connections(Clock()).lower(request("https://api.example:8443/v1/chat")),
        tunnel_answer([ANSWER]),
    )
    assert isinstance(result, Head)
    assert result.status == 200
    assert ops[0] == OpenConnection(Origin("http", "proxy.corp", 3128), 10.0)
    connect = ops[1]
    assert isinstance(connect, SendBytes)
    assert connect.conn == "raw"
    assert connect.data == (
        b"CONNECT api.example:8443 HTTP/1.1\r\nHost: api.example:8443\r\n"
        b"Proxy-Authorization: Basic " + TOKEN + b"\r\n\r\n"
    )
    assert TOKEN.decode() not in repr(ops)
    start = next(op for op in ops if isinstance(op, StartTLS))
    assert (start.conn, start.server_hostname) == ("raw", "api.example")
    sent = [op for op in ops if isinstance(op, SendBytes) and op.conn == "tls"]
    assert len(sent) == 1
    assert sent[0].data.startswith(b"GET /v1/chat HTTP/1.1\r\nHost: api.example:8443\r\n")
    assert b"Proxy-Authorization" not in sent[0].data
    assert TOKEN not in sent[0].data


def test_ipv6_origin_in_connect() -> None:
    """An IPv6 origin goes in brackets in the CONNECT target."""
    ops, _ = run(
        connections(Clock()).lower(request("https://[::1]:8443/")), tunnel_answer([ANSWER])
    )
    assert ops[1].data.startswith(b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n")
    assert next(op for op in ops if isinstance(op, StartTLS)).server_hostname == "::1"


@given(cuts=st.lists(st.integers(1, len(ANSWER) - 1), unique=True).map(sorted))
def test_proxy_answer_split_anywhere(cuts: list[int]) -> None:
    """The proxy's answer may arrive in any pieces: the tunnel opens the same."""
    pieces = [ANSWER[a:b] for a, b in zip([0, *cuts], [*cuts, len(ANSWER)], strict=True)]
    ops, result = run(
        connections(Clock()).lower(request("https://api.example/")), tunnel_answer(pieces)
    )
    assert isinstance(result, Head)
    assert sum(isinstance(op, StartTLS) for op in ops) == 1


def test_http_goes_to_the_proxy_in_absolute_form() -> None:
    """A plain-http request is sent to the proxy in absolute form, with
    Proxy-Authorization, and no tunnel."""

    def answer(op: Any) -> Any:
        if isinstance(op, OpenConnection):
            return "raw"
        if isinstance(op, SendBytes):
            return True
        return RESPONSE

    ops, result = run(connections(Clock()).lower(request("http://api.example/x?y=1")), answer)
    assert isinstance(result, Head)
    assert ops[0] == OpenConnection(Origin("http", "proxy.corp", 3128), 10.0)
    assert ops[1].data.startswith(
        b"GET http://api.example/x?y=1 HTTP/1.1\r\nHost: api.example\r\nAccept: */*\r\n"
        b"Proxy-Authorization: Basic " + TOKEN + b"\r\n"
    )
    assert not any(isinstance(op, StartTLS) for op in ops)


def test_no_proxy_host_goes_directly() -> None:
    """A host NO_PROXY matches is connected to directly, without credentials."""

    def answer(op: Any) -> Any:
        return (
            "raw"
            if isinstance(op, OpenConnection)
            else True
            if isinstance(op, SendBytes)
            else RESPONSE
        )

    ops, _ = run(
        connections(Clock(), "internal.example").lower(request("http://internal.example/")), answer
    )
    assert ops[0] == OpenConnection(Origin("http", "internal.example", 80), 10.0)
    assert ops[1].data.startswith(b"GET / HTTP/1.1\r\n")
    assert b"Proxy-Authorization" not in ops[1].data


def test_connect_limit_covers_the_tunnel() -> None:
    """Every wait of the tunnel is cut to what is left of the connect limit;
    once it passed, the result is a connect timeout and the connection is closed."""
    clock = Clock()
    waits: list[float | None] = []

    def answer(op: Any) -> Any:
        if isinstance(op, OpenConnection):
            clock.now += 4.0
            return "raw"
        if isinstance(op, SendBytes):
            waits.append(op.timeout)
            clock.now += 1.0
            return True
        if isinstance(op, ReceiveBytes):
            waits.append(op.timeout)
            clock.now += 5.5  # a proxy that answers nothing in time
            return b"HTTP/1.1 2"
        return None

    ops, result = run(connections(clock).lower(request("https://api.example/", 10.0)), answer)
    assert result == TimedOut(connecting=True)
    assert waits == [6.0, 5.0]
    assert ops[-1] == CloseConnection("raw")
    assert not any(isinstance(op, StartTLS) for op in ops)


def test_abandoned_during_the_tunnel_closes_the_proxy_connection() -> None:
    """A driver that stops while the tunnel opens closes the connection to the proxy."""
    conns = connections(Clock())
    ops = conns.lower(request("https://api.example/"))
    assert isinstance(ops.send(None), OpenConnection)
    assert isinstance(ops.send("raw"), SendBytes)
    assert isinstance(ops.send(True), ReceiveBytes)
    ops.close()
    assert conns.abandon() == ["raw"]
