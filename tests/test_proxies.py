"""The socket clients (blocking, asyncio, trio) through HTTP proxies: proxy.py
from PyPI (a real proxy nobody here wrote, in a child process) for
``http://`` (absolute-form requests) and ``https://`` (a CONNECT tunnel,
then TLS with the origin), with and without Basic credentials; and hostile
proxies written here for the faults: CONNECT refused, 407, a proxy that
closes before answering, during the TLS handshake or in the middle of a
stream, a head that is garbage or never ends, a proxy that stalls."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import select
import socket
import time
import traceback
import uuid
from collections.abc import Iterator
from typing import Any, Final

import pytest
import trio

from sseproto.adapters import AsyncClient, Timeouts
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.adapters.trio import Client as TrioClient
from sseproto.http import (
    ConnectError,
    ConnectionLost,
    ConnectTimeout,
    ProxyAuthenticationRequired,
    ProxyError,
    Response,
)
from tests.hostile.servers import LIMIT, HostileServer, Peer, ok
from tests.servers.faults import DEFAULT_EVENTS, FaultServer
from tests.servers.proxypy import ProxyPy
from tests.servers.tls import client_context

pytest.importorskip("proxy", reason="proxy.py (a test dependency) is not installed")

RUNTIMES: Final = ("sync", "asyncio", "trio")
TIMEOUTS: Final = Timeouts(connect=5.0, read=5.0)

USER, PASSWORD = "alice", "hunter2-proxy-secret"
CREDENTIALS: Final = f"{USER}:{PASSWORD}"
TOKEN: Final = base64.b64encode(CREDENTIALS.encode()).decode("ascii")


@pytest.fixture(scope="module", name="proxypy")
def proxypy_fixture() -> Iterator[ProxyPy]:
    """proxy.py without authentication."""
    with ProxyPy() as proxy:
        yield proxy


@pytest.fixture(scope="module", name="proxypy_auth")
def proxypy_auth_fixture() -> Iterator[ProxyPy]:
    """proxy.py that wants ``alice:hunter2-proxy-secret`` (Basic)."""
    with ProxyPy(basic_auth=CREDENTIALS) as proxy:
        yield proxy


def fetch(runtime: str, url: str, *, stream: bool = False, **options: Any) -> Any:
    """One GET with a new client of ``runtime``: the ``Response``, or the
    data of the stream's events; raises what the call raised."""
    options.setdefault("ssl_context", client_context())
    timeouts = options.pop("timeouts", TIMEOUTS)

    if runtime == "sync":
        with SyncClient(**options) as client:
            if stream:
                with client.stream("GET", url, timeouts=timeouts) as events:
                    return [event.data for event in events]
            return client.request("GET", url, timeouts=timeouts)

    async def main(client: Any) -> Any:
        async with client:
            if stream:
                async with client.stream("GET", url, timeouts=timeouts) as events:
                    return [event.data async for event in events]
            return await client.request("GET", url, timeouts=timeouts)

    if runtime == "asyncio":
        return asyncio.run(main(AsyncioClient(**options)))
    if runtime == "auto":
        return asyncio.run(main(AsyncClient(**options)))
    return trio.run(main, TrioClient(**options))


def unique(server: FaultServer, path: str) -> tuple[str, str]:
    """A URL of ``server`` no other test requests, and its target."""
    target = f"{path}?t={uuid.uuid4().hex}"
    return server.url(target), target


def origin_saw(server: FaultServer, target: str) -> list[tuple[str, str]]:
    """The header fields of the request ``server`` received for ``target``."""
    return server.wait_for_request(target).headers


# -- through proxy.py -------------------------------------------------------------------


@pytest.mark.parametrize("runtime", [*RUNTIMES, "auto"])
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_through_proxypy(
    runtime: str,
    tls: bool,
    proxypy: ProxyPy,
    fault_server: FaultServer,
    tls_fault_server: FaultServer,
) -> None:
    """A request and a stream reach the origin through proxy.py, and a
    second request reuses the kept connection."""
    origin = tls_fault_server if tls else fault_server
    url, target = unique(origin, "/json")
    response = fetch(runtime, url, proxy=proxypy.url())
    assert isinstance(response, Response)
    assert response.status == 200
    assert origin.wait_for_request(target).method == "GET"
    events = fetch(runtime, origin.url("/events"), stream=True, proxy=proxypy.url())
    assert events == [data for _, data, _ in DEFAULT_EVENTS]


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_proxypy_basic_credentials(
    runtime: str,
    tls: bool,
    proxypy_auth: ProxyPy,
    fault_server: FaultServer,
    tls_fault_server: FaultServer,
) -> None:
    """With the credentials in the proxy URL, proxy.py lets the request
    through; the origin never sees them."""
    origin = tls_fault_server if tls else fault_server
    url, target = unique(origin, "/json")
    response = fetch(runtime, url, proxy=proxypy_auth.url(CREDENTIALS))
    assert response.status == 200
    for name, value in origin_saw(origin, target):
        assert name.lower() != "proxy-authorization"
        assert TOKEN not in value


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
@pytest.mark.parametrize("credentials", [None, f"{USER}:wrong-password"], ids=["none", "wrong"])
def test_proxypy_407(
    runtime: str,
    tls: bool,
    credentials: str | None,
    proxypy_auth: ProxyPy,
    fault_server: FaultServer,
    tls_fault_server: FaultServer,
) -> None:
    """Without credentials, or with wrong ones, proxy.py's 407 is a
    ProxyAuthenticationRequired naming the proxy, never the password."""
    origin = tls_fault_server if tls else fault_server
    url, target = unique(origin, "/json")
    with pytest.raises(ProxyAuthenticationRequired) as info:
        fetch(runtime, url, proxy=proxypy_auth.url(credentials))
    error = info.value
    assert error.status == 407
    assert error.proxy == f"http://127.0.0.1:{proxypy_auth.port}"
    assert error.proxy in str(error)
    assert isinstance(error, ProxyError)
    assert isinstance(error, ConnectError)
    shown = "".join(traceback.format_exception(error))
    assert "wrong-password" not in shown
    assert target not in [request.target for request in origin.requests]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_environment_proxy(
    runtime: str,
    monkeypatch: pytest.MonkeyPatch,
    proxypy_auth: ProxyPy,
    tls_fault_server: FaultServer,
) -> None:
    """A client made with the defaults takes HTTPS_PROXY from the environment."""
    monkeypatch.setenv("HTTPS_PROXY", proxypy_auth.url())
    # Through the proxy, without credentials: refused, which shows the route.
    with pytest.raises(ProxyAuthenticationRequired):
        fetch(runtime, tls_fault_server.url("/json"))
    monkeypatch.setenv("HTTPS_PROXY", proxypy_auth.url(CREDENTIALS))
    assert fetch(runtime, tls_fault_server.url("/json")).status == 200


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_trust_env_false_and_no_proxy_connect_directly(
    runtime: str, monkeypatch: pytest.MonkeyPatch, tls_fault_server: FaultServer
) -> None:
    """trust_env=False, or a NO_PROXY entry for the host, ignores an
    environment proxy that would refuse every tunnel."""
    with HostileServer(refuse(403)) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        with pytest.raises(ProxyError):
            fetch(runtime, tls_fault_server.url("/json"))
        assert fetch(runtime, tls_fault_server.url("/json"), trust_env=False).status == 200
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.0/8")
        assert fetch(runtime, tls_fault_server.url("/json")).status == 200
        assert proxy.count("CONNECT") == 1


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_origin_certificate_verified_through_tunnel(
    runtime: str, proxypy: ProxyPy, tls_fault_server: FaultServer
) -> None:
    """TLS through the tunnel verifies the origin's certificate: the
    system's trust store refuses the test CA's certificate."""
    import ssl  # noqa: PLC0415

    with pytest.raises(ConnectError) as info:
        fetch(
            runtime,
            tls_fault_server.url("/json"),
            proxy=proxypy.url(),
            ssl_context=ssl.create_default_context(),
        )
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)
    assert not isinstance(info.value, ProxyError)


# -- hostile proxies --------------------------------------------------------------------


def refuse(status: int, reason: str = "Forbidden") -> Any:
    """Answer CONNECT (or any request) with ``status``."""

    def behaviour(peer: Peer, index: int) -> None:
        peer.read_head()
        peer.send(b"HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n" % (status, reason.encode()))
        peer.wait_for_close(5)

    return behaviour


def answer(data: bytes, *, then: str = "wait") -> Any:
    """Answer CONNECT with ``data``; then wait for the client to go, or
    ``close``, or ``drip`` header bytes forever."""

    def behaviour(peer: Peer, index: int) -> None:
        peer.read_head()
        peer.send(data)
        if then == "close":
            peer.sock.close()
        elif then == "drip":
            peer.drip(b"a", 0.05)
        else:
            peer.wait_for_close(5)

    return behaviour


def stall(peer: Peer, index: int) -> None:
    """Read CONNECT, then say nothing."""
    peer.read_head()
    peer.wait_for_close(LIMIT)


def forward_then_cut(after: int) -> Any:
    """A working CONNECT proxy that closes both sides once ``after`` bytes
    came back from the origin."""

    def behaviour(peer: Peer, index: int) -> None:
        head = peer.read_head()
        host, _, port = head.split(b" ")[1].decode().rpartition(":")
        with socket.create_connection((host.strip("[]"), int(port)), timeout=5) as upstream:
            peer.send(b"HTTP/1.1 200 Connection established\r\n\r\n")
            relayed = 0
            deadline = time.monotonic() + LIMIT
            while relayed < after and time.monotonic() < deadline:
                readable, _, _ = select.select([peer.sock, upstream], [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is upstream:
                        data = data[: after - relayed]
                        relayed += len(data)
                        peer.send(data)
                    else:
                        upstream.sendall(data)
            with contextlib.suppress(OSError):
                peer.sock.shutdown(socket.SHUT_RDWR)

    return behaviour


def check_error(error: BaseException, proxy: HostileServer) -> None:
    """The error names the proxy without credentials, and no secret shows
    anywhere in its traceback."""
    assert proxy.url in str(error) or isinstance(error, (ConnectTimeout, ConnectionLost))
    shown = "".join(traceback.format_exception(error))
    assert PASSWORD not in shown
    assert TOKEN not in shown


def hostile_fetch(runtime: str, proxy: HostileServer, origin: FaultServer, **options: Any) -> Any:
    proxy_url = proxy.url.replace("http://", f"http://{CREDENTIALS}@")
    return fetch(runtime, origin.url("/events"), stream=True, proxy=proxy_url, **options)


HOSTILE: Final = {
    "refused-403": (refuse(403), ProxyError, "refused CONNECT 127.0.0.1:"),
    "refused-502": (refuse(502, "Bad Gateway"), ProxyError, "502 Bad Gateway"),
    "407": (refuse(407, "Proxy Authentication Required"), ProxyAuthenticationRequired, "407"),
    "close-before-answer": (answer(b"", then="close"), ProxyError, "closed the connection"),
    "close-mid-head": (answer(b"HTTP/1.1 200 Conn", then="close"), ProxyError, "closed"),
    "close-mid-handshake": (
        answer(b"HTTP/1.1 200 Connection established\r\n\r\n", then="close"),
        ProxyError,
        "during the TLS handshake",
    ),
    "garbage-head": (
        answer(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"),
        ProxyError,
        "something else than HTTP",
    ),
    "echoes-credentials": (
        answer(f"HTTP/1.1 {PASSWORD} {TOKEN}\r\n\r\n".encode()),
        ProxyError,
        "something else than HTTP",
    ),
    "reason-with-credentials": (
        answer(f"HTTP/1.1 403 {PASSWORD} {TOKEN}\r\nContent-Length: 0\r\n\r\n".encode()),
        ProxyError,
        "403 [REDACTED]",
    ),
    "huge-head": (
        answer(b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * (200 * 1024)),
        ProxyError,
        "MAX_CONNECT_HEAD_SIZE",
    ),
    "bytes-after-head": (
        answer(b"HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"),
        ProxyError,
        "before TLS",
    ),
}


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_proxy(runtime: str, case: str, tls_fault_server: FaultServer) -> None:
    """Each way a proxy can fail a tunnel is its own clear error, naming the
    proxy and never the credentials."""
    behaviour, kind, words = HOSTILE[case]
    with HostileServer(behaviour) as proxy:
        started = time.monotonic()
        with pytest.raises(kind) as info:
            hostile_fetch(runtime, proxy, tls_fault_server)
        assert time.monotonic() - started < 4
    assert words in str(info.value)
    check_error(info.value, proxy)
    if isinstance(info.value, ProxyError) and case.startswith(("refused", "407")):
        assert info.value.status == int(case.rsplit("-", maxsplit=1)[-1])


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize(
    "behaviour", [stall, answer(b"HTTP/1.1 200 OK\r\n", then="drip")], ids=["silent", "drip"]
)
def test_stalling_proxy_is_a_connect_timeout(
    runtime: str, behaviour: Any, tls_fault_server: FaultServer
) -> None:
    """A proxy that never finishes its answer cannot hold the connection
    past the connect limit: CONNECT and TLS are part of connecting."""
    with HostileServer(behaviour) as proxy:
        started = time.monotonic()
        with pytest.raises(ConnectTimeout):
            hostile_fetch(runtime, proxy, tls_fault_server, timeouts=Timeouts(connect=0.5, read=5))
        assert time.monotonic() - started < 3


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_proxy_closes_mid_tunnel(runtime: str, tls_fault_server: FaultServer) -> None:
    """A tunnel that the proxy closes in the middle of a stream is a
    ConnectionLost, as a direct connection's loss would be."""
    with HostileServer(forward_then_cut(after=6000)) as proxy, pytest.raises(ConnectionLost):
        fetch(
            runtime,
            tls_fault_server.url("/long?size=100000"),
            stream=True,
            proxy=proxy.url,
        )


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_http_request_in_absolute_form(runtime: str) -> None:
    """A plain-http request goes to the proxy in absolute form, with the
    origin's Host and the proxy's credentials; a second one reuses the
    connection."""
    heads: list[bytes] = []

    def behaviour(peer: Peer, index: int) -> None:
        while True:
            heads.append(peer.read_request())
            peer.send(ok())

    with HostileServer(behaviour) as proxy:
        proxy_url = proxy.url.replace("http://", f"http://{CREDENTIALS}@")
        options: dict[str, Any] = {"proxy": proxy_url, "timeouts": TIMEOUTS}

        def two_requests_sync() -> None:
            with SyncClient(**options) as client:
                for _ in range(2):
                    client.request("GET", "http://origin.example:8080/a?b=c")

        async def two_requests(client: Any) -> None:
            async with client:
                for _ in range(2):
                    await client.request("GET", "http://origin.example:8080/a?b=c")

        if runtime == "sync":
            two_requests_sync()
        elif runtime == "asyncio":
            asyncio.run(two_requests(AsyncioClient(**options)))
        else:
            trio.run(two_requests, TrioClient(**options))
        assert len(heads) == 2
        assert proxy.requests == ["GET http://origin.example:8080/a?b=c HTTP/1.1"] * 2
        lines = heads[0].split(b"\r\n")
        assert b"Host: origin.example:8080" in lines
        assert f"Proxy-Authorization: Basic {TOKEN}".encode() in lines


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_http_407_is_proxy_authentication_required(runtime: str) -> None:
    """A 407 answer to a plain-http request is ProxyAuthenticationRequired too."""
    with (
        HostileServer(refuse(407, "Proxy Authentication Required")) as proxy,
        pytest.raises(ProxyAuthenticationRequired) as info,
    ):
        fetch(runtime, "http://origin.example/json", proxy=proxy.url)
    assert info.value.proxy == proxy.url
    assert "give credentials in the proxy URL" in str(info.value)


def test_openrouter_default_transport_honours_environment(
    monkeypatch: pytest.MonkeyPatch, proxypy_auth: ProxyPy
) -> None:
    """OpenRouter's default transport takes HTTP_PROXY from the environment;
    the proxy's credentials never show in its error."""
    from openrouter import APIConnectionError, OpenRouter  # noqa: PLC0415
    from openrouter.testing import MockOpenRouter  # noqa: PLC0415

    with MockOpenRouter() as mock:
        monkeypatch.setenv("HTTP_PROXY", proxypy_auth.url(f"{USER}:wrong-password"))
        with (
            OpenRouter("sk-or-test", base_url=mock.base_url, max_retries=0) as client,
            pytest.raises(APIConnectionError) as info,
        ):
            client.list_models()
        assert "407" in str(info.value)
        assert "wrong-password" not in "".join(traceback.format_exception(info.value))
        monkeypatch.setenv("HTTP_PROXY", proxypy_auth.url(CREDENTIALS))
        with OpenRouter("sk-or-test", base_url=mock.base_url, max_retries=0) as client:
            assert client.list_models().data


def silent_after_answer(peer: Peer, index: int) -> None:
    """Open the tunnel (200), then say nothing: the TLS handshake waits."""
    peer.read_head()
    peer.send(b"HTTP/1.1 200 Connection established\r\n\r\n")
    peer.wait_for_close(LIMIT)


@pytest.mark.parametrize("runtime", ["asyncio", "trio"])
@pytest.mark.parametrize("behaviour", [stall, silent_after_answer], ids=["connect", "tls"])
def test_cancelled_while_the_tunnel_opens(
    runtime: str, behaviour: Any, tls_fault_server: FaultServer
) -> None:
    """Cancelling the task while CONNECT or the TLS handshake waits closes
    the connection to the proxy at once (no socket is left open)."""
    url = tls_fault_server.url("/events")
    with HostileServer(behaviour) as proxy:
        options: dict[str, Any] = {"proxy": proxy.url, "ssl_context": client_context()}

        async def attempt(client: Any, scope: Any) -> None:
            async with client, client.stream("GET", url, timeouts=TIMEOUTS) as events:
                async for _ in events:
                    pass

        started = time.monotonic()
        if runtime == "asyncio":

            async def asyncio_main() -> None:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.3):
                        await attempt(AsyncioClient(**options), None)

            asyncio.run(asyncio_main())
        else:

            async def trio_main() -> None:
                with trio.move_on_after(0.3):
                    await attempt(TrioClient(**options), None)

            trio.run(trio_main)
        assert time.monotonic() - started < 2
        # The proxy sees the client go: its connection was closed.
        deadline = time.monotonic() + 2
        while proxy.count("CONNECT") < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proxy.count("CONNECT") == 1


def test_sync_subscription_closed_from_another_thread_during_the_handshake(
    tls_fault_server: FaultServer,
) -> None:
    """A blocking subscription waiting on the TLS handshake through a silent
    tunnel is woken when it is closed from another thread."""
    import threading  # noqa: PLC0415

    with (
        HostileServer(silent_after_answer) as proxy,
        SyncClient(proxy=proxy.url, ssl_context=client_context()) as client,
    ):
        subscription = client.subscribe(tls_fault_server.url("/events"), timeouts=TIMEOUTS)
        seen: list[Any] = []
        consumer = threading.Thread(target=lambda: seen.extend(subscription))
        consumer.start()
        deadline = time.monotonic() + 2
        while proxy.count("CONNECT") < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # into the handshake
        started = time.monotonic()
        subscription.close()
        consumer.join(5)
        assert not consumer.is_alive()
        assert time.monotonic() - started < 1
        assert seen == []
