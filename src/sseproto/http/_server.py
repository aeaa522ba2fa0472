"""The server end of HTTP/1.1 connections that answer with event streams, on h11.

:class:`ServerExchange` holds every decision of the built-in servers about
HTTP: it is fed the bytes a client sends and says, one step at a time, what
the connection needs next; its methods return the bytes to write. No I/O,
no clock: the pumps (``sseproto.server.asyncio``, ``sseproto.server.trio``)
read, feed, write and close.

The steps of :meth:`ServerExchange.next_event`::

    IncomingRequest   a whole request (head and body) the application answers,
                      with respond() + body() + end(), or refuse()
    Refused           the exchange answered by itself (400 malformed, 405 method
                      not served, 413 body too large, 431 head too large):
                      write ``data``; the connection goes on or closes as the
                      next step says
    NEED_DATA         feed() what the client sends next (b"" once it closed)
    CLOSE             nothing more to do: close the connection

While a response is being written (after :meth:`respond`), :meth:`feed` only
watches the client: :attr:`client_gone` becomes true when it closes its end
(EOF, including a half-close: an event stream has no use for a client that
will send nothing more) or sends more than ``max_header_size`` bytes that no
one will read before the response ends (a pipelined flood). The pump then
stops the response and closes the connection.

Framing is h11's: a response to an HTTP/1.1 request is chunked and the
connection may serve the next request once it ends; a response to an HTTP/1.0
request is delimited by closing the connection.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import h11

from sseproto._errors import LocalProtocolError

from ._exchange import DEFAULT_MAX_HEADER_SIZE

__all__ = [
    "DEFAULT_MAX_REQUEST_BODY",
    "IncomingRequest",
    "Refused",
    "ServerExchange",
    "ServerStep",
]

#: Largest request body read before answering 413: event streams are mostly
#: asked for with GET; 64 KiB leaves room for a POST that starts a stream
#: (a chat completion request).
DEFAULT_MAX_REQUEST_BODY: Final = 64 * 1024


class ServerStep(enum.Enum):
    """The steps of :meth:`ServerExchange.next_event` that carry no data."""

    #: Feed what the client sends next.
    NEED_DATA = "need-data"
    #: The connection is done: close it (after writing what was returned).
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """A request read whole: what a handler is given.

    ``headers`` are (lowercase name, value) pairs as received (decoded as
    ISO-8859-1, as HTTP/1.1 fields are bytes); ``target`` is the request
    target as sent (path and query).
    """

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    http_version: str

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or ``None``."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.partition("?")[0]

    @property
    def last_event_id(self) -> str | None:
        """The ``Last-Event-ID`` header of a reconnecting EventSource, or ``None``."""
        return self.header("last-event-id")


@dataclass(frozen=True, slots=True)
class Refused:
    """A response the exchange wrote by itself: send ``data``."""

    status: int
    data: bytes


_REASONS: Final = {
    400: b"Bad Request",
    404: b"Not Found",
    405: b"Method Not Allowed",
    413: b"Content Too Large",
    431: b"Request Header Fields Too Large",
    500: b"Internal Server Error",
    503: b"Service Unavailable",
}


def _text(value: bytes) -> str:
    return value.decode("iso-8859-1")


class ServerExchange:
    """One client connection of an event-stream server (sans-I/O, on h11).

    Args:
        methods: the request methods answered; any other is refused with
            405 and an ``Allow`` header.
        max_header_size: the largest request head (h11's
            ``max_incomplete_event_size``); a larger one is refused with 431.
            Also the most a client may send, unread, while a response is written.
        max_body_size: the largest request body; a larger one is refused
            with 413.

    Raises:
        ValueError: ``methods`` is empty.
    """

    def __init__(
        self,
        *,
        methods: Iterable[str] = ("GET",),
        max_header_size: int = DEFAULT_MAX_HEADER_SIZE,
        max_body_size: int = DEFAULT_MAX_REQUEST_BODY,
    ) -> None:
        self._methods = tuple(m.upper() for m in methods)
        if not self._methods:
            raise ValueError("methods cannot be empty")
        self._max_header_size = max_header_size
        self._max_body_size = max_body_size
        self._conn = h11.Connection(h11.SERVER, max_incomplete_event_size=max_header_size)
        self._head: h11.Request | None = None
        self._body: list[bytes] = []
        self._body_size = 0
        self._eof = False
        self._gone = False
        # How body() frames data while a response body is being sent: True
        # for chunks, False for the bytes as they are (HTTP/1.0, until the
        # connection closes), None to let h11 frame (or refuse) it.
        self._chunks: bool | None = None

    @property
    def client_gone(self) -> bool:
        """True once the client closed its end, broke the protocol, or sent
        more than ``max_header_size`` unread bytes while a response was
        written. Never false again."""
        return self._gone

    def feed(self, data: bytes) -> None:
        """Take bytes the client sent; ``b""`` means it closed its end."""
        if self._eof:
            return
        if not data:
            self._eof = True
            self._gone = True
        try:
            self._conn.receive_data(data)
        except RuntimeError:  # h11 refuses data after its peer's EOF or an error
            self._gone = True
            return
        if self._conn.our_state is h11.SEND_BODY:
            unread = len(self._conn.trailing_data[0])
            if unread > self._max_header_size:
                self._gone = True

    def next_event(self) -> IncomingRequest | Refused | ServerStep:
        """The next step of the connection (see the module docstring).

        Returns an :class:`IncomingRequest` once per request: answer it with
        :meth:`respond` (then :meth:`body`, :meth:`end`) or :meth:`refuse`
        before asking again. Never raises for anything the client sends.

        Raises:
            sseproto.LocalProtocolError: called while a response is open.
        """
        conn = self._conn
        if conn.our_state is h11.SEND_BODY:
            raise LocalProtocolError("end the response before asking for the next request")
        if conn.our_state is h11.DONE:
            if conn.their_state is h11.DONE:
                conn.start_next_cycle()
            else:
                return ServerStep.CLOSE
        if conn.our_state is not h11.IDLE:
            return ServerStep.CLOSE
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                return self._refuse_broken(exc.error_status_hint)
            if event is h11.NEED_DATA:
                return ServerStep.CLOSE if self._eof else ServerStep.NEED_DATA
            if event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
                return ServerStep.CLOSE
            if isinstance(event, h11.Request):
                self._head = event
                self._body = []
                self._body_size = 0
            elif isinstance(event, h11.Data):
                self._body_size += len(event.data)
                if self._body_size > self._max_body_size:
                    return self._refuse_broken(413)
                self._body.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return self._request()

    def _request(self) -> IncomingRequest | Refused:
        head = self._head
        assert head is not None  # h11 gives EndOfMessage only after a Request
        method = _text(head.method)
        if method not in self._methods:
            return self.refuse(405)
        return IncomingRequest(
            method=method,
            target=_text(head.target),
            headers=tuple((_text(k), _text(v)) for k, v in head.headers),
            body=b"".join(self._body),
            http_version=_text(head.http_version),
        )

    def _refuse_broken(self, status: int) -> Refused:
        # The request cannot be read to its end: answer (if h11 still lets
        # the server speak) and close.
        self._gone = True
        if self._conn.our_state not in {h11.IDLE, h11.SEND_RESPONSE}:
            return Refused(status, b"")
        return self.refuse(status, close=True)

    def refuse(self, status: int, *, close: bool = False) -> Refused:
        """Answer the current request with ``status`` and a short text body.

        A 405 carries ``Allow``; ``close=True`` (or a broken request) adds
        ``Connection: close``.
        """
        reason = _REASONS.get(status, b"Refused")
        body = reason + b"\n"
        headers = [
            (b"Content-Type", b"text/plain; charset=utf-8"),
            (b"Content-Length", str(len(body)).encode("ascii")),
        ]
        if status == 405:
            headers.append((b"Allow", ", ".join(self._methods).encode("ascii")))
        if close or self._gone:
            headers.append((b"Connection", b"close"))
        conn = self._conn
        data = conn.send(h11.Response(status_code=status, headers=headers, reason=reason)) or b""
        data += conn.send(h11.Data(data=body)) or b""
        data += conn.send(h11.EndOfMessage()) or b""
        return Refused(status, data)

    def respond(self, headers: Iterable[tuple[str, str]], *, status: int = 200) -> bytes:
        """Start the response to the current request: the head's bytes.

        No ``Content-Length``: the body is chunked (HTTP/1.1) or ends when
        the connection closes (HTTP/1.0).

        Raises:
            sseproto.LocalProtocolError: no request is waiting for a response,
                or a header cannot be sent.
        """
        pairs = [(k.encode(), v.encode()) for k, v in headers]
        head = self._send(h11.Response(status_code=status, headers=pairs))
        if not any(k.lower() in (b"content-length", b"transfer-encoding") for k, _ in pairs):
            # What h11 chose for a body without a length: chunks for an
            # HTTP/1.1 peer, the bytes until the connection closes for
            # HTTP/1.0. body() frames each piece so, without a trip through
            # h11's state machine per event; end() goes through h11 again.
            self._chunks = self._conn.their_http_version == b"1.1"
        return head

    def body(self, data: bytes) -> bytes:
        """Frame ``data`` as part of the response body (``b""`` for nothing).

        Raises:
            sseproto.LocalProtocolError: no response body is being sent.
        """
        if not data:
            return b""
        chunks = self._chunks
        if chunks:
            return b"%x\r\n%b\r\n" % (len(data), data)
        if chunks is None:
            return self._send(h11.Data(data=data))
        return data

    def end(self) -> bytes:
        """End the response body: the last chunk (or nothing, for HTTP/1.0)."""
        self._chunks = None
        return self._send(h11.EndOfMessage())

    def _send(self, event: h11.Response | h11.Data | h11.EndOfMessage) -> bytes:
        try:
            return self._conn.send(event) or b""
        except h11.LocalProtocolError as exc:
            raise LocalProtocolError(str(exc)) from exc
