"""A tunnel through an HTTP proxy to an ``https://`` origin: ``CONNECT``, then TLS.

Sans-I/O: :func:`open_tunnel` is a generator of connection operations
(``SendBytes``, ``ReceiveBytes``, ``StartTLS``), run by
:class:`~sseproto.http.HTTP11Connections` on a connection that
``OpenConnection`` made to the proxy. The steps (RFC 9110 section 9.3.6)::

    CONNECT api.example.com:443 HTTP/1.1      ->  proxy
    Host: api.example.com:443
    Proxy-Authorization: Basic ...            (when the proxy URL has credentials)

    HTTP/1.1 200 Connection established       <-  proxy: any 2xx opens the tunnel
    <TLS handshake with api.example.com>      ->  SNI and certificate: the origin's

The proxy's answer is parsed by h11, its head bounded by
:data:`MAX_CONNECT_HEAD_SIZE`; a proxy that sends anything after a 2xx head
(before the client's first TLS bytes, where nothing may come) is refused.
The caller's connect deadline covers every step, so a proxy that stalls
cannot hold the connection past it.

Errors (never naming the credentials): a refusal (any status but 2xx), a
close before the answer, a head that is not HTTP or too large raise
:class:`~sseproto.http.ProxyError` (a ``407``:
:class:`~sseproto.http.ProxyAuthenticationRequired`); the connection to
the proxy breaking while sending or receiving is a ``ProxyError`` too. A
failed TLS handshake with the origin is a
:class:`~sseproto.http.ConnectError` (``__cause__`` the
``ssl.SSLError``, e.g. ``ssl.SSLCertVerificationError``), or a
``ProxyError`` when the proxy closed the tunnel during it.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Generator
from typing import Any, Final

import h11

from ._errors import ConnectError, ProxyAuthenticationRequired, ProxyError
from ._exchange import DEFAULT_MAX_HEADER_SIZE, Origin
from ._ops import Operation, ReceiveBytes, SendBytes, StartTLS
from ._proxies import Proxy

__all__ = ["MAX_CONNECT_HEAD_SIZE", "authentication_required", "connect_request", "open_tunnel"]

#: The most bytes of the proxy's answer to ``CONNECT`` read before its head
#: must be complete: the exchange's own head limit (64 KiB). A proxy
#: answers in a few hundred bytes; one that sends more without ending its
#: head is refused with a :class:`~sseproto.http.ProxyError`.
MAX_CONNECT_HEAD_SIZE: Final = DEFAULT_MAX_HEADER_SIZE

# How much of a proxy's reason phrase a message quotes.
_REASON_SHOWN: Final = 100


def _authority(origin: Origin) -> str:
    host = f"[{origin.host}]" if ":" in origin.host else origin.host
    return f"{host}:{origin.port}"


def connect_request(proxy: Proxy, origin: Origin) -> tuple[h11.Connection, bytes]:
    """The h11 connection that will read the proxy's answer, and the bytes
    of the ``CONNECT`` request for ``origin``."""
    target = _authority(origin).encode("ascii")
    headers = [(b"Host", target)]
    if proxy.authorization is not None:
        headers.append((b"Proxy-Authorization", proxy.authorization.encode("ascii")))
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_CONNECT_HEAD_SIZE)
    request = conn.send(h11.Request(method=b"CONNECT", target=target, headers=headers))
    end = conn.send(h11.EndOfMessage())
    return conn, request + end


def open_tunnel(
    conn: Any,
    proxy: Proxy,
    origin: Origin,
    deadline: float | None,
    clock: Callable[[], float],
) -> Generator[Operation, Any, Any]:
    """Open a TLS connection to the ``https`` ``origin`` through ``proxy``,
    over ``conn`` (a plain connection to the proxy), by ``deadline`` (a
    time of ``clock``; ``None``: no limit).

    Returns the TLS connection (the result of ``StartTLS``), or ``None``
    once the deadline passed. The caller closes ``conn`` when this raises
    or returns ``None``.

    Raises:
        ProxyError: the proxy refused the tunnel (``status`` set; a 407 is
            :class:`~sseproto.http.ProxyAuthenticationRequired`), closed
            the connection or sent something else than an HTTP answer.
        ConnectError: the TLS handshake with the origin failed.
    """
    where = f"CONNECT {_authority(origin)}"
    h11_conn, request = connect_request(proxy, origin)

    def left() -> float | None:
        return None if deadline is None else deadline - clock()

    wait = left()
    if wait is not None and wait <= 0:
        return None
    try:
        if (yield SendBytes(conn, request, wait)) is None:
            return None
        received = 0
        while True:
            wait = left()
            if wait is not None and wait <= 0:
                return None
            data = yield ReceiveBytes(conn, wait)
            if data is None:
                return None
            received += len(data)
            status = _answer(h11_conn, data, proxy, where, received)
            if status is not None:
                break
    except OSError as exc:
        raise ProxyError(
            f"the connection to the proxy {proxy} broke during {where}: {exc}", proxy=str(proxy)
        ) from exc
    wait = left()
    if wait is not None and wait <= 0:
        return None
    try:
        return (yield StartTLS(conn, origin.host, wait))
    except OSError as exc:
        if isinstance(exc, (ConnectionError, ssl.SSLEOFError, ssl.SSLZeroReturnError)):
            raise ProxyError(
                f"the tunnel through the proxy {proxy} to {origin.host}:{origin.port} closed "
                f"during the TLS handshake: {exc}",
                proxy=str(proxy),
            ) from exc
        raise ConnectError(
            f"the TLS handshake with {origin.host}:{origin.port} through the proxy {proxy} "
            f"failed: {exc}"
        ) from exc


def _answer(
    conn: h11.Connection, data: bytes, proxy: Proxy, where: str, received: int
) -> int | None:
    """Feed ``data`` (``b""``: the proxy closed) to the parser of the
    proxy's answer; the 2xx status once the tunnel is open, ``None`` while
    the head is incomplete. Raises :class:`ProxyError` for anything else."""
    shown = str(proxy)
    try:
        conn.receive_data(data)
        while True:
            event = conn.next_event()
            if type(event) is h11.InformationalResponse:
                continue
            break
    except h11.RemoteProtocolError as exc:
        if exc.error_status_hint == 431 or received > MAX_CONNECT_HEAD_SIZE:
            raise _too_large(proxy, where) from None
        if not data:
            raise ProxyError(
                f"the proxy {shown} closed the connection before answering {where}", proxy=shown
            ) from None
        # h11's message quotes the bytes received, which a hostile proxy
        # could fill with the credentials it was sent.
        raise ProxyError(
            f"the proxy {shown} answered {where} with something else than HTTP/1.1: "
            f"{_scrub(str(exc), proxy)}",
            proxy=shown,
        ) from None
    if event is h11.NEED_DATA:
        if received > MAX_CONNECT_HEAD_SIZE:
            raise _too_large(proxy, where)
        return None
    if type(event) is not h11.Response:
        # ConnectionClosed: the close before any answer.
        raise ProxyError(
            f"the proxy {shown} closed the connection before answering {where}", proxy=shown
        )
    status = event.status_code
    reason = _scrub(event.reason.decode("latin-1")[:_REASON_SHOWN], proxy)
    if status == 407:
        raise authentication_required(proxy, where)
    if not 200 <= status < 300:
        raise ProxyError(
            f"the proxy {shown} refused {where}: {status} {reason}", proxy=shown, status=status
        )
    if conn.trailing_data[0]:
        # The origin speaks only after the client's TLS hello: bytes here
        # are the proxy's, and would corrupt the handshake.
        raise ProxyError(
            f"the proxy {shown} sent bytes after its {status} answer to {where}, before TLS",
            proxy=shown,
            status=status,
        )
    return status


def authentication_required(proxy: Proxy, what: str) -> ProxyAuthenticationRequired:
    """The error for a proxy's ``407`` answer to ``what``."""
    hint = (
        "the credentials in the proxy URL were refused"
        if proxy.authorization is not None
        else "give credentials in the proxy URL: http://user:password@host:port"
    )
    return ProxyAuthenticationRequired(
        f"the proxy {proxy} answered {what} with 407 Proxy Authentication Required: {hint}",
        proxy=str(proxy),
        status=407,
    )


def _too_large(proxy: Proxy, where: str) -> ProxyError:
    return ProxyError(
        f"the proxy {proxy} answered {where} with a head longer than "
        f"{MAX_CONNECT_HEAD_SIZE} bytes (MAX_CONNECT_HEAD_SIZE)",
        proxy=str(proxy),
    )


def _scrub(text: str, proxy: Proxy) -> str:
    """``text`` without the proxy's credentials, in any form it was sent."""
    for secret in proxy.secrets():
        text = text.replace(secret, "[REDACTED]")
    return text
