"""A sans-I/O HTTP/2 client connection, shared by many streams, built on h2.

One :class:`HTTP2Connection` is the state of one TCP (or TLS) connection
that speaks HTTP/2: the h2 state machine, the bytes waiting to be sent, and
for each open stream its response head, its body bytes received but not yet
read, and how it ended. It performs no I/O and never waits. Several flows
(one per stream) hold the same object; :mod:`._h2_connections` lowers each
flow's request operations onto it.

Who moves the bytes: whichever stream needs bytes reads the socket, feeds
them to :meth:`HTTP2Connection.receive`, which routes every frame to the
buffer of the stream it belongs to, and then wakes the flows of the streams
that got something, and one other waiting flow to read next. Two roles
make this safe on a runtime where several tasks share the connection
(``reading`` and ``writing``, at most one holder each): a stream that needs
bytes while another reads waits for a change (the ``AwaitChange``
operation, see :class:`Signal`), and bytes to send queue up in the
connection's outbox, which the current writer sends in order before it gives
the role up. Both roles are held only across one connection operation, so a
stream whose caller stops reading holds nothing: its neighbours go on.

Flow control (RFC 9113 section 5.2): the connection's receive window is
released as bytes arrive (bytes routed to a stream are that stream's
concern); a stream's window is released only as its caller reads (a
``WINDOW_UPDATE`` once half of :data:`STREAM_WINDOW` was read), so a slow
consumer stalls its own stream, and holds at most :data:`STREAM_WINDOW`
buffered bytes.

Errors, at one boundary: no h2 exception or type leaves this module. What
the server does wrong becomes :class:`~sseproto.http.HTTPProtocolError`
(for every stream of the connection), a response head over
``max_header_size`` becomes :class:`~sseproto.http.HeadersTooLarge` (for
its stream only), a connection closed or a stream reset before its end one
of the :class:`~sseproto.http.IncompleteResponse` family (so
:class:`~sseproto.http.ConnectionLost`), as for HTTP/1.1.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Collection, Sequence
from typing import Any, Final

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from sseproto._errors import LocalProtocolError, RemoteProtocolError

from ._exchange import (
    DEFAULT_MAX_HEADER_SIZE,
    HeadersTooLarge,
    HTTPProtocolError,
    IncompleteBody,
    IncompleteResponse,
    NoResponse,
    Origin,
    _ascii,
    _header_pair,
    _host_header,
    _parse_url,
    _request_body,
)
from ._shared import CONNECTION_WINDOW, STREAM_WINDOW, NotProcessed, Signal

__all__ = ["HTTP2Connection"]

#: The header fields that are specific to a connection and must not appear
#: in an HTTP/2 request (RFC 9113 section 8.2.2).
_CONNECTION_SPECIFIC: Final = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}
)


class _Stream:
    """What one stream received and what it still has to send."""

    __slots__ = (
        "body",
        "buffered",
        "ended",
        "error",
        "head",
        "pending",
        "received",
        "signal",
        "unacked",
    )

    def __init__(self, body: bytes | None) -> None:
        self.head: tuple[int, tuple[tuple[str, str], ...]] | None = None
        self.body: deque[bytes] = deque()
        self.buffered = 0
        self.unacked = 0
        self.ended = False
        self.error: RemoteProtocolError | None = None
        # Whether any byte of the response (a head, 1xx included) arrived.
        self.received = False
        # Request body bytes still waiting for the send window.
        self.pending = memoryview(body) if body else None
        # What the flow reading this stream waits on while another reads.
        self.signal = Signal()


class HTTP2Connection(Signal):
    """One HTTP/2 client connection and its streams, sans-I/O.

    ``conn`` is the runtime's connection object, carried along for the
    operations; ``origin`` is where it goes. The constructor queues the
    connection preface (client magic and ``SETTINGS``): the first writer
    sends it.

    Streams: :meth:`start` opens one, :meth:`head` and :meth:`take` return
    what it received, :meth:`close_stream` forgets it (resetting it with
    ``CANCEL`` if it is not complete). Input: :meth:`receive` takes bytes
    read from the connection (``b""`` at its end). Output: :meth:`take_outbox`.

    Arguments:
        max_header_size: the largest response head a stream accepts, as the
            header list size of RFC 9113 section 6.5.2 (names, values and
            32 bytes per field); a larger one fails its stream with
            :class:`HeadersTooLarge`.
    """

    __slots__ = (
        "_changed",
        "_h2",
        "_max_header_size",
        "_outbox",
        "_streams",
        "broken",
        "completed",
        "conn",
        "goaway",
        "idle_since",
        "origin",
        "reading",
        "settings_received",
        "writing",
    )

    def __init__(
        self,
        conn: Any,
        origin: Origin,
        *,
        max_header_size: int = DEFAULT_MAX_HEADER_SIZE,
        now: float = 0.0,
    ) -> None:
        super().__init__()
        self.conn = conn
        self.origin = origin
        self._max_header_size = max_header_size
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        machine = h2.connection.H2Connection(config=config)
        machine.local_settings = h2.settings.Settings(
            client=True,
            initial_values={
                h2.settings.SettingCodes.ENABLE_PUSH: 0,
                h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: STREAM_WINDOW,
                # hpack refuses a header block past this before it is
                # decoded (an error for the whole connection); the exact
                # check, for one stream, is max_header_size in _started().
                h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: max(2 * max_header_size, 65536),
            },
        )
        machine.initiate_connection()
        machine.increment_flow_control_window(CONNECTION_WINDOW - 65535)
        self._h2 = machine
        self._outbox = bytearray(machine.data_to_send())
        self._streams: dict[int, _Stream] = {}
        # The streams that the current receive() gave something to.
        self._changed: set[int] = set()
        #: The error that ended the connection for every stream, if any.
        self.broken: RemoteProtocolError | None = None
        #: The last stream id of the server's ``GOAWAY``, if one came: no
        #: new stream may start.
        self.goaway: int | None = None
        #: Whether one stream holds the reading or the writing role.
        self.reading = False
        self.writing = False
        #: Whether the server's first ``SETTINGS`` arrived (until then only
        #: one stream is started, since the server's stream limit is unknown).
        self.settings_received = False
        #: Streams completed on this connection so far.
        self.completed = 0
        #: When the last stream was forgotten (for the idle expiry).
        self.idle_since = now

    # -- state ---------------------------------------------------------------------

    @property
    def active(self) -> int:
        """Streams started and not yet forgotten."""
        return len(self._streams)

    @property
    def capacity(self) -> int:
        """How many more streams may start now: none once the connection
        is broken or going away, one until the server's ``SETTINGS``
        arrived, then the server's ``SETTINGS_MAX_CONCURRENT_STREAMS`` less
        the active ones (stream ids are finite too)."""
        if self.broken is not None or self.goaway is not None:
            return 0
        if self._h2.highest_outbound_stream_id is not None and (
            self._h2.highest_outbound_stream_id >= 2**31 - 3
        ):
            return 0
        limit = self._h2.remote_settings.max_concurrent_streams if self.settings_received else 1
        return max(0, limit - len(self._streams))

    @property
    def usable(self) -> bool:
        """Whether the connection may carry new streams at all (not broken,
        no ``GOAWAY``)."""
        return self.broken is None and self.goaway is None

    def take_outbox(self) -> bytes:
        """The bytes to send now, in order; empties the outbox."""
        data = bytes(self._outbox)
        self._outbox.clear()
        return data

    @property
    def has_outbox(self) -> bool:
        """Whether bytes wait to be sent."""
        return bool(self._outbox)

    # -- streams -----------------------------------------------------------------

    def start(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | bytearray | memoryview | None,
    ) -> int:
        """Start a request; returns its stream id, with its frames queued.

        The request is checked as :class:`~sseproto.http.HTTP11Exchange`
        checks it, and sent with pseudo-header fields and lower-case names;
        a ``Host`` header becomes ``:authority``; ``Connection``,
        ``Keep-Alive``, ``Proxy-Connection`` and ``Transfer-Encoding`` are
        left out (they mean nothing in HTTP/2); ``Upgrade`` is refused. The
        body is sent as the send windows allow, ending the stream.

        Raises:
            LocalProtocolError: the request cannot be sent, or
                :attr:`capacity` is zero.
        """
        if self.capacity <= 0:
            raise LocalProtocolError("the HTTP/2 connection cannot start another stream now")
        fields, payload = _request_fields(method, url, headers, body, self.origin)
        machine = self._h2
        stream_id = machine.get_next_available_stream_id()
        try:
            machine.send_headers(stream_id, fields, end_stream=payload is None)
        except h2.exceptions.ProtocolError as exc:
            raise LocalProtocolError(f"the request cannot be sent: {exc}") from exc
        stream = _Stream(payload)
        self._streams[stream_id] = stream
        if stream.pending is None and payload is not None:
            machine.end_stream(stream_id)
        self._send_pending(stream_id, stream)
        self._outbox += machine.data_to_send()
        return stream_id

    def head(self, stream_id: int) -> tuple[int, tuple[tuple[str, str], ...]] | None:
        """The stream's status and header fields (names lowercase, values
        Latin-1), once they arrived; ``None`` before.

        Raises:
            the stream's error, if it failed before its head.
        """
        stream = self._streams[stream_id]
        if stream.head is None and stream.error is not None:
            raise stream.error
        return stream.head

    def received_any(self, stream_id: int) -> bool:
        """Whether any byte of the stream's response arrived."""
        return self._streams[stream_id].received

    def take(self, stream_id: int) -> bytes | None:
        """The body bytes the stream received and nobody read yet, ``b""``
        at its end, ``None`` if none are there yet. Releases that much of
        the stream's window (the ``WINDOW_UPDATE`` goes to the outbox).

        Raises:
            the stream's error, once its bytes before the error were taken.
        """
        stream = self._streams[stream_id]
        if stream.body:
            data = stream.body.popleft() if len(stream.body) == 1 else b"".join(stream.body)
            stream.body.clear()
            stream.buffered = 0
            stream.unacked += len(data)
            if stream.unacked >= STREAM_WINDOW // 2 and not stream.ended:
                self._release_window(stream_id, stream)
            return data
        if stream.error is not None:
            raise stream.error
        return b"" if stream.ended else None

    def complete(self, stream_id: int) -> bool:
        """Whether the stream ended cleanly and all its bytes were taken."""
        stream = self._streams.get(stream_id)
        return stream is not None and stream.ended and not stream.body and stream.error is None

    def close_stream(self, stream_id: int, now: float) -> None:
        """Forget the stream; one not yet complete is reset with ``CANCEL``
        (the other streams go on). Never raises."""
        stream = self._streams.pop(stream_id, None)
        if stream is None:
            return
        if stream.ended and stream.error is None:
            self.completed += 1
        elif stream.error is None and self.broken is None:
            self._cancel(stream_id)
            self._outbox += self._h2.data_to_send()
        if not self._streams:
            self.idle_since = now
        if not self.reading:
            # A flow woken to take the reading role may be the one that
            # stops: another takes its place.
            self.hand_off()
        self.wake()

    def fail(self, error: RemoteProtocolError) -> None:
        """The connection is lost or unusable (``error`` says why): every
        stream not yet complete fails, with an error of its own kind (see
        :meth:`receive`)."""
        if self.broken is None:
            self.broken = error
        for stream_id, stream in self._streams.items():
            if not stream.ended and stream.error is None:
                stream.error = self._lost(stream_id, stream, error)
            stream.signal.wake()
        self.wake()

    # -- input -------------------------------------------------------------------

    def receive(self, data: bytes) -> None:
        """Process bytes read from the connection (``b""``: it ended).

        Every frame goes to the stream it belongs to; replies the protocol
        asks for (``SETTINGS`` and ``PING`` acknowledgements, window
        updates) go to the outbox; waiters are woken. An invalid frame
        fails every stream with :class:`HTTPProtocolError` and queues the
        ``GOAWAY``; the end of the connection fails the streams not yet
        complete: :class:`NotProcessed` if nothing of theirs arrived after
        a ``GOAWAY``, else :class:`NoResponse`, :class:`IncompleteResponse`
        or :class:`IncompleteBody`, as for HTTP/1.1. Never raises.
        """
        if self.broken is not None:
            return
        if not data:
            self.fail(NoResponse("the server closed the HTTP/2 connection"))
            return
        machine = self._h2
        try:
            events = machine.receive_data(data)
        except h2.exceptions.ProtocolError as exc:
            self._outbox += machine.data_to_send()
            error = HTTPProtocolError(f"invalid HTTP/2 from the server: {exc}")
            error.__cause__ = exc
            self.fail(error)
            return
        changed = self._changed
        changed.clear()
        for event in events:
            self._route(event)
        if machine.inbound_flow_control_window < CONNECTION_WINDOW // 2:
            # Bytes routed to streams (or dropped for reset ones) no longer
            # count against the connection.
            machine.increment_flow_control_window(
                CONNECTION_WINDOW - machine.inbound_flow_control_window
            )
        self._outbox += machine.data_to_send()
        streams = self._streams
        for stream_id in changed:
            stream = streams.get(stream_id)
            if stream is not None:
                stream.signal.wake()
        self._hand_off(changed)
        self.wake()

    def stream_signal(self, stream_id: int) -> Signal:
        """What a flow waits on (``AwaitChange``) for its stream while
        another flow reads: woken when :meth:`receive` gives the stream
        something (head, body bytes, its end, an error), when the
        connection fails, and by :meth:`hand_off`."""
        return self._streams[stream_id].signal

    def hand_off(self) -> None:
        """Wake one flow that waits for its stream and got nothing from the
        latest :meth:`receive`, so that it takes the reading role now that
        it is free (the others stay asleep: waking every waiter on every
        read would cost each stream a wake-up per read of any stream)."""
        self._hand_off(())

    def _hand_off(self, woken: Collection[int]) -> None:
        """As :meth:`hand_off`, passing over the streams in ``woken``
        (woken already, with something to return)."""
        for stream_id, stream in self._streams.items():
            if stream.signal.waiting and stream_id not in woken:
                stream.signal.wake()
                return

    def _route(self, event: h2.events.Event) -> None:
        kind = type(event)
        stream = self._streams.get(getattr(event, "stream_id", 0) or 0)
        if kind is h2.events.DataReceived:
            if stream is not None and stream.error is None and event.data:  # type: ignore[attr-defined]
                self._changed.add(event.stream_id)  # type: ignore[attr-defined]
                stream.body.append(event.data)  # type: ignore[attr-defined]
                stream.buffered += len(event.data)  # type: ignore[attr-defined]
            if stream is not None:
                # Padding counts against the window but never reaches the
                # reader: give it back at once.
                pad = event.flow_controlled_length - len(event.data)  # type: ignore[attr-defined]
                if pad > 0:
                    stream.unacked += pad
        elif kind is h2.events.ResponseReceived:
            if stream is not None:
                self._started(event.stream_id, stream, event.headers)  # type: ignore[attr-defined]
        elif kind is h2.events.StreamEnded:
            if stream is not None:
                self._changed.add(event.stream_id)  # type: ignore[attr-defined]
                stream.ended = True
        elif kind is h2.events.StreamReset:
            if stream is not None and not stream.ended and stream.error is None:
                self._changed.add(event.stream_id)  # type: ignore[attr-defined]
                stream.error = self._reset(event.stream_id, stream, event.error_code)  # type: ignore[attr-defined]
        elif kind is h2.events.InformationalResponseReceived:
            if stream is not None:
                stream.received = True
        elif kind is h2.events.ConnectionTerminated:
            self._terminated(event.last_stream_id, event.error_code)  # type: ignore[attr-defined]
        elif kind is h2.events.RemoteSettingsChanged:
            self.settings_received = True
        elif kind is h2.events.WindowUpdated:
            for stream_id, each in self._streams.items():
                if each.pending is not None:
                    self._send_pending(stream_id, each)
        # Trailers, pings (h2 answers them), priorities, settings
        # acknowledgements and unknown frames need nothing more.

    def _started(self, stream_id: int, stream: _Stream, raw: Any) -> None:
        self._changed.add(stream_id)
        stream.received = True
        size = 0
        status = 0
        fields: list[tuple[str, str]] = []
        for name, value in raw:
            size += len(name) + len(value) + 32
            if name == b":status":
                status = int(value)
            elif not name.startswith(b":"):
                fields.append((name.decode("latin-1"), value.decode("latin-1")))
        if size > self._max_header_size:
            limit = self._max_header_size
            stream.error = HeadersTooLarge(
                f"the response head exceeded max_header_size={limit} bytes; "
                f"raise max_header_size if such responses are expected",
                limit="max_header_size",
                value=limit,
            )
            self._cancel(stream_id)
            return
        stream.head = (status, tuple(fields))

    def _reset(self, stream_id: int, stream: _Stream, code: int) -> RemoteProtocolError:
        name = _code_name(code)
        if code == h2.errors.ErrorCodes.REFUSED_STREAM and not stream.received:
            return NotProcessed(f"the server refused stream {stream_id} ({name})")
        if stream.head is not None:
            return IncompleteBody(
                f"the server reset the stream before the end of the body ({name})"
            )
        if stream.received:
            return IncompleteResponse(f"the server reset the stream before its head ({name})")
        return NoResponse(f"the server reset the stream without a response ({name})")

    def _terminated(self, last_stream_id: int, code: int) -> None:
        self.goaway = last_stream_id
        name = _code_name(code)
        for stream_id, stream in self._streams.items():
            if stream_id > last_stream_id and stream.error is None and not stream.ended:
                self._changed.add(stream_id)
                stream.error = NotProcessed(
                    f"the server is closing the connection (GOAWAY, {name}) and did not "
                    f"process stream {stream_id}"
                )

    def _lost(
        self, stream_id: int, stream: _Stream, cause: RemoteProtocolError
    ) -> RemoteProtocolError:
        if isinstance(cause, HTTPProtocolError) and not isinstance(cause, IncompleteResponse):
            error: RemoteProtocolError = HTTPProtocolError(str(cause))
        elif self.goaway is not None and stream_id > self.goaway and not stream.received:
            error = NotProcessed(f"the server closed the connection before stream {stream_id}")
        elif stream.head is not None:
            error = IncompleteBody(
                "the server closed the HTTP/2 connection before the end of the response body"
            )
        elif stream.received:
            error = IncompleteResponse(
                "the server closed the HTTP/2 connection before the end of the response head"
            )
        else:
            error = NoResponse("the server closed the HTTP/2 connection without a response")
        error.__cause__ = cause.__cause__ or cause
        return error

    # -- output ------------------------------------------------------------------

    def _cancel(self, stream_id: int) -> None:
        # Closed on both sides already: nothing to cancel.
        with contextlib.suppress(h2.exceptions.ProtocolError):
            self._h2.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)

    def _send_pending(self, stream_id: int, stream: _Stream) -> None:
        """Send as much of the request body as the windows allow."""
        machine = self._h2
        pending = stream.pending
        while pending is not None:
            room = min(
                machine.local_flow_control_window(stream_id), machine.max_outbound_frame_size
            )
            if room <= 0:
                break
            piece, pending = pending[:room], pending[room:]
            last = not pending
            machine.send_data(stream_id, bytes(piece), end_stream=last)
            if last:
                pending = None
        stream.pending = pending

    def _release_window(self, stream_id: int, stream: _Stream) -> None:
        # A stream closed meanwhile: its window no longer matters.
        with contextlib.suppress(h2.exceptions.ProtocolError):
            self._h2.increment_flow_control_window(stream.unacked, stream_id=stream_id)
        stream.unacked = 0
        self._outbox += self._h2.data_to_send()


def _code_name(code: int) -> str:
    try:
        return h2.errors.ErrorCodes(code).name
    except ValueError:
        return f"error code {code}"


def _request_fields(
    method: str,
    url: str,
    headers: Sequence[tuple[str, str]],
    body: bytes | bytearray | memoryview | None,
    origin: Origin,
) -> tuple[list[tuple[bytes, bytes]], bytes | None]:
    """The header list of an HTTP/2 request (RFC 9113 section 8.3.1), and
    its body; checked as :class:`~sseproto.http.HTTP11Exchange` checks a
    request."""
    if not isinstance(method, str):
        raise LocalProtocolError(f"the method must be a str, not {type(method).__name__}")
    if method == "CONNECT":
        raise LocalProtocolError("the CONNECT method switches protocols, which is not supported")
    target_origin, target = _parse_url(url)
    if target_origin != origin:
        raise LocalProtocolError(f"the URL {url!r} is not on this connection's origin")
    payload = _request_body(body)
    authority = _host_header(origin)
    fields: list[tuple[bytes, bytes]] = []
    has_length = False
    for pair in headers:
        name, value = _header_pair(pair)
        lower = name.lower()
        raw = _ascii(value, f"the value of {name}").strip()
        if lower == "host":
            authority = raw
            continue
        if lower == "upgrade":
            raise LocalProtocolError(
                "the Upgrade header switches protocols, which is not supported"
            )
        if lower in _CONNECTION_SPECIFIC or (lower == "te" and raw.lower() != b"trailers"):
            continue
        if lower == "content-length":
            expected = 0 if payload is None else len(payload)
            if not (raw.isdigit() and int(raw) == expected):
                raise LocalProtocolError(
                    f"Content-Length {value!r} does not match the body length {expected}"
                )
            has_length = True
        fields.append((_ascii(lower, "a header name"), raw))
    if payload is not None and not has_length:
        fields.append((b"content-length", str(len(payload)).encode("ascii")))
    pseudo = [
        (b":method", _ascii(method, "the method")),
        (b":scheme", origin.scheme.encode("ascii")),
        (b":authority", authority),
        (b":path", target.encode("ascii")),
    ]
    return pseudo + fields, payload
