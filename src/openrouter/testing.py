"""A mock OpenRouter server on 127.0.0.1 for tests, demos and benchmarks.

``MockOpenRouter`` is a real HTTP/1.1 server (``h11`` in the server role,
one thread per connection, keep-alive, chunked streaming) that answers the
OpenRouter endpoints under ``/api/v1`` with OpenRouter's JSON shapes::

    from openrouter.testing import MockOpenRouter

    with MockOpenRouter() as server:            # free port on 127.0.0.1
        client = SomeClient(base_url=server.base_url, api_key="sk-test")
        ...
        assert server.requests[-1].json["model"] == "mock/story"

    server = MockOpenRouter(port=8080)      # in the foreground, e.g. for a CLI
    server.start()
    server.serve_forever()                  # until stop() or Ctrl-C

Endpoints: ``POST /chat/completions`` and ``POST /completions`` (legacy),
streamed (``"stream": true``) or not; ``GET /models`` (filters
``category`` and ``supported_parameters``), ``GET
/models/{author}/{slug}/endpoints``, ``GET /credits``, ``GET
/generation?id=...`` (any id this server issued) and ``GET /key``. Every
endpoint wants ``Authorization: Bearer <non-empty>`` (or exactly
``api_key`` when one is given) and answers 401 with OpenRouter's error body
otherwise.

Scenarios are chosen by the request's ``model``:

========================  ===============================================================
model                     what the reply does
========================  ===============================================================
``mock/story``            default: a short story in 20 content deltas, finish, usage,
                          ``[DONE]``; ``story_pieces(n)`` gives the deltas exactly
``mock/keepalive``        ``: OPENROUTER PROCESSING`` comments before and between chunks
``mock/reasoning``        ``reasoning`` deltas with ``reasoning_details``
                          (``reasoning.text``; ``id``/``format`` on the first, ``signature``
                          on the last), then the answer as content
``mock/tools``            two parallel tool calls (index 0 and 1), arguments split in
                          pieces, ``finish_reason: "tool_calls"``
``mock/usage``            three deltas, then usage with cost, cached and reasoning tokens
``mock/error-int``        three deltas, then an in-band error chunk, ``code: 502``
``mock/error-str``        the same with ``code: "server_error"``
``mock/truncated``        five deltas; the chunked body ends cleanly with no ``[DONE]``
``mock/stall``            head and three deltas, then silence until the client leaves or
                          the server stops (at most ``stall_seconds``)
``mock/drip``             every byte is its own write and chunk, ``drip_delay`` apart
``mock/429``              429, ``Retry-After: 2``, rate-limit headers, JSON error
``mock/availability``     503, ``Retry-After``, an error without ``code`` carrying an
                          ``availability`` block and ``metadata.retry_after``
``mock/error-body-200``   200 ``application/json`` whose body is ``{"error": {...}}``
``mock/html-502``         502 with an HTML page (``text/html``)
``mock/big``              one event with 4 MiB of content, written 64 KiB at a time
``mock/cr``               every line ends with CR alone (comment and data lines)
``mock/utf8-split``       multi-byte UTF-8 characters cut between two chunks/flushes
``mock/web-search``       an answer citing two sources, then one delta with empty content
                          carrying ``url_citation`` ``annotations`` just before the finish
                          chunk; usage with ``server_tool_use.web_search_requests``
``mock/audio``            ``delta.audio`` pieces: ``id`` on the first, ``data`` (base64 WAV)
                          and ``transcript`` fragments on each, ``expires_at`` on the last
``mock/reasoning-encrypted``  ``reasoning.summary`` pieces at index 0, then one
                          ``reasoning.encrypted`` piece, also at index 0, with an ``id``
                          (as xAI models stream); the non-streamed message has both entries
``mock/error-usage``      three deltas, then an in-band error chunk (``finish_reason:
                          "error"``, ``error``) carrying the stream's only ``usage``
========================  ===============================================================

Any model name outside ``mock/`` gets the story; an unknown ``mock/`` name
gets 400. Knobs ride on the model name as a query: ``chunks`` (how many
deltas, e.g. ``mock/story?chunks=20000``), ``delay`` (seconds after each
event, 0 = batched writes), ``drip`` (seconds per byte for ``mock/drip``),
``size`` (bytes of ``mock/big``), ``retry_after`` (seconds, 429 and 503).
The answering model in the chunks is the name without its query.

Non-streaming requests get one ``chat.completion`` (or ``text_completion``)
object with ``usage.cost``: what the stream adds up to (the message holds the
joined content, reasoning, merged ``reasoning_details``, ``annotations`` and
``audio``); ``mock/error-int`` and ``mock/error-str`` answer 200 with an
``{"error": ...}`` body, ``mock/error-usage`` with the partial answer, its
``error`` and ``usage``; ``mock/stall`` sends the head and stalls;
``mock/truncated`` sends half the declared body and closes; ``mock/drip``
drips the body. The legacy stream carries content as ``choices[0].text``;
reasoning and tool-call steps have no legacy form and are left out.

Streams are pre-encoded and, with no delay, written in batches of up to
256 KiB, so 20,000 chunks cost well under a second of server time.
``add_scenario()`` adds a model name with programmatic chunks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http
import json
import secrets
import select
import socket
import string
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import parse_qsl, urlsplit

import h11

from ._mock_scenarios import (
    STORY_TEXT,
    Canned,
    RenderContext,
    ScenarioBuilder,
    ScenarioError,
    Script,
    Stall,
    build_scenario,
    custom_scenario,
    error_body,
    render_json,
    render_stream,
    story_pieces,
)

__all__ = ["STORY_TEXT", "MockOpenRouter", "RecordedRequest", "story_pieces"]

#: Largest request body accepted (16 MiB); larger ones get 413.
MAX_REQUEST_BODY: Final = 16 * 1024 * 1024

#: Writes are joined up to this size when no delay separates them.
WRITE_BATCH: Final = 256 * 1024

#: How often blocked loops look at the stop flag (seconds). stop() also
#: shuts connection sockets down, which wakes a blocked recv() at once.
_POLL: Final = 0.05

_RATE_LIMIT: Final = 1000
_ALNUM: Final = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server received it."""

    #: ``"GET"``, ``"POST"``, ...
    method: str
    #: The path without the query, e.g. ``"/api/v1/chat/completions"``.
    path: str
    #: Query parameters (last value wins).
    query: Mapping[str, str]
    #: Header names lower-cased (last value wins).
    headers: Mapping[str, str]
    #: The raw body.
    body: bytes
    #: The body parsed as JSON, or ``None`` when empty or not JSON.
    json: Any = field(default=None)


class _Disconnected(Exception):
    """The client went away, or the server is stopping: drop the connection."""


class _Responder:
    """Writes one connection's responses through h11, honouring the stop flag."""

    def __init__(self, sock: socket.socket, conn: h11.Connection, stop: threading.Event) -> None:
        self.sock = sock
        self.conn = conn
        self.stop = stop

    def _write(self, data: bytes) -> None:
        if self.stop.is_set():
            raise _Disconnected
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise _Disconnected from exc

    def head(self, status: int, headers: Sequence[tuple[str, str]]) -> None:
        reason = http.HTTPStatus(status).phrase.encode()
        event = h11.Response(status_code=status, headers=list(headers), reason=reason)
        self._write(self.conn.send(event) or b"")

    def data(self, payload: bytes) -> None:
        if payload:
            self._write(self.conn.send(h11.Data(data=payload)) or b"")

    def end(self) -> None:
        self._write(self.conn.send(h11.EndOfMessage()) or b"")

    def raw(self, payload: bytes) -> None:
        """Bytes outside h11's framing (a deliberately short body); the connection must close."""
        self._write(payload)

    def sleep(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise _Disconnected

    def stall(self, seconds: float) -> None:
        """Wait until the client closes, the server stops, or ``seconds`` pass."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self.stop.is_set():
                raise _Disconnected
            readable, _, _ = select.select([self.sock], [], [], min(_POLL, remaining))
            if not readable:
                continue
            try:
                peeked = self.sock.recv(1, socket.MSG_PEEK)
            except OSError as exc:
                raise _Disconnected from exc
            if not peeked:
                raise _Disconnected
            # The client sent more bytes while we stall: keep ignoring them.
            self.sleep(_POLL)
        raise _Disconnected


class MockOpenRouter:
    """An OpenRouter look-alike HTTP/1.1 server in background threads.

    ``MockOpenRouter()`` binds nothing until ``start()`` (or ``with``).
    ``port=0`` picks a free port; ``base_url`` is then
    ``"http://127.0.0.1:PORT/api/v1"``. ``api_key=None`` accepts any
    non-empty bearer token; a string accepts only that token.

    Timing knobs (attributes, read per request): ``delay`` adds a pause after
    every event of every stream unless the model name sets its own;
    ``drip_delay`` is the default pause per byte of ``mock/drip``;
    ``stall_seconds`` bounds how long ``mock/stall`` stays silent.

    ``stop()`` closes the listening socket and every connection, and joins
    all threads; it returns within about a second even mid-stall.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        api_key: str | None = None,
        delay: float = 0.0,
        drip_delay: float | None = None,
        stall_seconds: float = 600.0,
        provider: str = "Mock",
    ) -> None:
        self.host = host
        self.api_key = api_key
        self.delay = delay
        self.drip_delay = drip_delay
        self.stall_seconds = stall_seconds
        self.provider = provider
        self._requested_port = port
        self._port: int | None = None
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._accept_thread: threading.Thread | None = None
        self._connections: dict[threading.Thread, socket.socket] = {}
        self._requests: list[RecordedRequest] = []
        self._generations: dict[str, dict[str, Any]] = {}
        self._custom: dict[str, ScenarioBuilder] = {}
        self._total_usage = 0.0
        self._request_count = 0

    # -- lifecycle ---------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port. Raises ``RuntimeError`` before ``start()``."""
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    @property
    def url(self) -> str:
        """``"http://HOST:PORT"``, the server root."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``"http://HOST:PORT/api/v1"``, what clients take as their base URL."""
        return f"{self.url}/api/v1"

    def start(self) -> None:
        """Bind, listen and start accepting in a background thread.

        Raises:
            RuntimeError: already started.
            OSError: the port cannot be bound.
        """
        if self._listener is not None:
            raise RuntimeError("the server is already started")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self._requested_port))
            listener.listen(128)
            # accept() polls so the loop notices stop() without relying on
            # close() interrupting a blocked accept, which is not portable.
            listener.settimeout(_POLL)
        except BaseException:
            listener.close()
            raise
        self._stop.clear()
        self._listener = listener
        self._port = listener.getsockname()[1]
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"mock-openrouter:{self._port}", daemon=True
        )
        self._accept_thread.start()

    def serve_forever(self) -> None:
        """Serve in the foreground until ``stop()`` (from another thread) or Ctrl-C; then stop."""
        if self._listener is None:
            self.start()
        try:
            while not self._stop.wait(0.5):
                pass
        finally:
            self.stop()

    def stop(self, timeout: float = 1.0) -> None:
        """Close the listener and all connections; join every thread. Idempotent."""
        self._stop.set()
        accept_thread = self._accept_thread
        if accept_thread is not None and accept_thread is not threading.current_thread():
            accept_thread.join(timeout)
        self._accept_thread = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            connections = list(self._connections.items())
            for _, sock in connections:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread, _ in connections:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- inspection and configuration -------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    def add_scenario(
        self,
        name: str,
        *,
        chunks: Sequence[str | Mapping[str, Any]],
        delay: float = 0.0,
        done: bool = True,
        usage: bool = True,
        finish_reason: str | None = "stop",
    ) -> None:
        """Serve ``chunks`` for model ``name``: strings become content deltas, mappings go verbatim.

        ``delay`` pauses after each event; ``done=False`` leaves out ``[DONE]``;
        ``usage=False`` leaves out the usage chunk; ``finish_reason=None``
        leaves out the finish chunk. Knobs on the name (``?delay=``) still apply.
        """
        builder = custom_scenario(
            chunks, delay=delay, done=done, usage=usage, finish_reason=finish_reason
        )
        with self._lock:
            self._custom[name] = builder

    # -- connections -------------------------------------------------------

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stop.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(target=self._serve_connection, args=(sock,), daemon=True)
            with self._lock:
                if self._stop.is_set():
                    sock.close()
                    break
                self._connections[thread] = sock
            thread.start()

    def _serve_connection(self, sock: socket.socket) -> None:
        conn = h11.Connection(h11.SERVER)
        responder = _Responder(sock, conn, self._stop)
        try:
            while not self._stop.is_set():
                request, body = self._read_request(sock, conn)
                if request is None:
                    break
                keep_going = self._handle(responder, request, body)
                if not keep_going or conn.our_state is not h11.DONE:
                    break
                if conn.their_state is not h11.DONE:
                    break
                conn.start_next_cycle()
        except (_Disconnected, h11.ProtocolError, OSError):
            pass
        finally:
            with self._lock:
                self._connections.pop(threading.current_thread(), None)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _read_request(
        self, sock: socket.socket, conn: h11.Connection
    ) -> tuple[h11.Request | None, bytes]:
        request: h11.Request | None = None
        body = bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = sock.recv(65536)
                if not data and request is None and not conn.trailing_data[0]:
                    return None, b""
                conn.receive_data(data)
            elif isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > MAX_REQUEST_BODY:
                    raise _Disconnected
            elif isinstance(event, h11.EndOfMessage):
                return request, bytes(body)
            elif isinstance(event, h11.ConnectionClosed):
                return None, b""
            else:  # PAUSED cannot happen before the response; anything else ends it
                return None, b""

    # -- requests ----------------------------------------------------------

    def _handle(self, out: _Responder, request: h11.Request, body: bytes) -> bool:
        target = request.target.decode("ascii", "replace")
        parts = urlsplit(target)
        headers = {
            name.decode().lower(): value.decode("latin-1") for name, value in request.headers
        }
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        record = RecordedRequest(
            method=request.method.decode(),
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=headers,
            body=body,
            json=parsed,
        )
        with self._lock:
            self._requests.append(record)
            self._request_count += 1
        prefix = "/api/v1"
        if not (record.path == prefix or record.path.startswith(prefix + "/")):
            return self._send_error(out, 404, f"No route for {record.path}")
        route = record.path[len(prefix) :].rstrip("/")
        token = self._bearer(headers.get("authorization", ""))
        if not token:
            return self._send_error(out, 401, "No auth credentials found")
        if self.api_key is not None and token != self.api_key:
            return self._send_error(out, 401, "User not found.")
        method = record.method
        if route in {"/chat/completions", "/completions"}:
            if method != "POST":
                return self._send_error(out, 405, f"Method {method} not allowed")
            return self._completion(out, record, legacy=route == "/completions")
        if method != "GET":
            return self._send_error(out, 405, f"Method {method} not allowed")
        if route == "/models":
            return self._send_json(out, 200, {"data": self._models(record.query)})
        if route.startswith("/models/") and route.endswith("/endpoints"):
            return self._endpoints(out, route[len("/models/") : -len("/endpoints")])
        if route == "/credits":
            with self._lock:
                used = round(self._total_usage, 9)
            return self._send_json(
                out, 200, {"data": {"total_credits": 100.0, "total_usage": used}}
            )
        if route == "/key":
            return self._send_json(out, 200, {"data": self._key_info(token)})
        if route == "/generation":
            generation_id = record.query.get("id", "")
            with self._lock:
                stats = self._generations.get(generation_id)
            if stats is None:
                return self._send_error(out, 404, f"Generation {generation_id} not found")
            return self._send_json(out, 200, {"data": stats})
        return self._send_error(out, 404, f"No route for {record.path}")

    @staticmethod
    def _bearer(value: str) -> str:
        scheme, _, token = value.strip().partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""

    def _rate_headers(self) -> list[tuple[str, str]]:
        with self._lock:
            remaining = max(0, _RATE_LIMIT - self._request_count)
        reset_ms = (int(time.time()) // 60 + 1) * 60 * 1000
        return [
            ("X-RateLimit-Limit", str(_RATE_LIMIT)),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", str(reset_ms)),
        ]

    def _send_json(
        self,
        out: _Responder,
        status: int,
        payload: Any,
        extra: Sequence[tuple[str, str]] = (),
    ) -> bool:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return self._send_body(out, status, body, "application/json", extra)

    def _send_body(
        self,
        out: _Responder,
        status: int,
        body: bytes,
        content_type: str,
        extra: Sequence[tuple[str, str]] = (),
    ) -> bool:
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            *extra,
        ]
        out.head(status, headers)
        out.data(body)
        out.end()
        return True

    def _send_error(self, out: _Responder, status: int, message: str) -> bool:
        return self._send_body(out, status, error_body(status, message), "application/json")

    # -- completions -------------------------------------------------------

    def _completion(self, out: _Responder, record: RecordedRequest, *, legacy: bool) -> bool:
        payload = record.json
        if not isinstance(payload, dict):
            return self._send_error(out, 400, "Request body must be a JSON object")
        model = payload.get("model") or "mock/story"
        if not isinstance(model, str):
            return self._send_error(out, 400, "model must be a string")
        with self._lock:
            custom = dict(self._custom)
        try:
            name, scenario = build_scenario(model, custom)
        except ScenarioError as exc:
            return self._send_error(out, 400, str(exc))
        if isinstance(scenario, Canned):
            extra = [*scenario.headers]
            return self._send_body(
                out, scenario.status, scenario.body, scenario.content_type, extra
            )
        if scenario.delay == 0.0 and self.delay:
            scenario = _with_delay(scenario, self.delay)
        if scenario.drip is not None and self.drip_delay is not None and "drip=" not in model:
            scenario = _with_drip(scenario, self.drip_delay)
        ctx = RenderContext(
            generation_id=_generation_id(),
            model=name,
            provider=self.provider,
            created=int(time.time()),
            prompt_tokens=_prompt_tokens(payload),
        )
        self._remember(ctx, scenario, streamed=payload.get("stream") is True, legacy=legacy)
        headers = [("X-Generation-Id", ctx.generation_id), *self._rate_headers()]
        if payload.get("stream") is True:
            return self._stream(out, scenario, ctx, headers, legacy=legacy)
        return self._single(out, scenario, ctx, headers, legacy=legacy)

    def _remember(
        self, ctx: RenderContext, script: Script, *, streamed: bool, legacy: bool
    ) -> None:
        reply = render_json(script, ctx, legacy=legacy)
        usage = reply.get("usage") or {}
        cost = float(usage.get("cost", 0.0))
        choices = reply.get("choices") or [{}]
        finish = choices[0].get("finish_reason")
        stats = {
            "id": ctx.generation_id,
            "upstream_id": "mock-" + ctx.generation_id,
            "total_cost": cost,
            "cache_discount": None,
            "upstream_inference_cost": None,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ctx.created)),
            "model": ctx.model,
            "app_id": None,
            "streamed": streamed,
            "cancelled": False,
            "provider_name": ctx.provider,
            "latency": 0,
            "moderation_latency": None,
            "generation_time": 0,
            "finish_reason": finish,
            "native_finish_reason": finish,
            "tokens_prompt": usage.get("prompt_tokens", ctx.prompt_tokens),
            "tokens_completion": usage.get("completion_tokens", 0),
            "native_tokens_prompt": usage.get("prompt_tokens", ctx.prompt_tokens),
            "native_tokens_completion": usage.get("completion_tokens", 0),
            "native_tokens_reasoning": 0,
            "num_media_prompt": None,
            "num_media_completion": None,
            "num_search_results": None,
            "origin": "",
            "usage": cost,
            "is_byok": False,
            "api_type": "completions",
        }
        with self._lock:
            self._generations[ctx.generation_id] = stats
            self._total_usage += cost

    def _single(
        self,
        out: _Responder,
        script: Script,
        ctx: RenderContext,
        headers: list[tuple[str, str]],
        *,
        legacy: bool,
    ) -> bool:
        body = json.dumps(
            render_json(script, ctx, legacy=legacy), ensure_ascii=False, separators=(",", ":")
        ).encode()
        stalls = any(isinstance(step, Stall) for step in script.steps)
        truncated = not script.done and not stalls
        out.head(
            200,
            [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers],
        )
        if stalls:
            out.stall(self.stall_seconds)
        if truncated:
            # Half the declared body, then close: h11 would refuse to frame it.
            out.raw(body[: len(body) // 2])
            return False
        if script.drip is not None:
            for index in range(len(body)):
                out.data(body[index : index + 1])
                out.sleep(script.drip)
        else:
            out.data(body)
        out.end()
        return True

    def _stream(
        self,
        out: _Responder,
        script: Script,
        ctx: RenderContext,
        headers: list[tuple[str, str]],
        *,
        legacy: bool,
    ) -> bool:
        steps = render_stream(script, ctx, legacy=legacy)
        out.head(
            200,
            [
                ("Content-Type", "text/event-stream"),
                ("Cache-Control", "no-cache"),
                ("X-Accel-Buffering", "no"),
                *headers,
            ],
        )
        if script.drip is not None:
            for step in steps:
                if isinstance(step, bytes):
                    for index in range(len(step)):
                        out.data(step[index : index + 1])
                        out.sleep(script.drip)
                elif isinstance(step, Stall):
                    out.stall(self.stall_seconds)
                elif step > 0:
                    out.sleep(step)
            out.end()
            return True
        limit = script.write_size or WRITE_BATCH
        for batch in _batches(steps, limit):
            if isinstance(batch, bytes):
                out.data(batch)
            elif isinstance(batch, Stall):
                out.stall(self.stall_seconds)
            elif batch > 0:
                out.sleep(batch)
        out.end()
        return True

    # -- catalogue ---------------------------------------------------------

    def _models(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        models = [_model_entry(name) for name in _CATALOGUE]
        category = query.get("category", "").strip().lower()
        if category:
            models = [m for m in models if category in _CATALOGUE[m["id"]]]
        wanted = [p.strip() for p in query.get("supported_parameters", "").split(",") if p.strip()]
        if wanted:
            models = [m for m in models if set(wanted) <= set(m["supported_parameters"])]
        return models

    def _endpoints(self, out: _Responder, model_id: str) -> bool:
        if model_id not in _CATALOGUE:
            return self._send_error(out, 404, f"Model {model_id} not found")
        entry = _model_entry(model_id)
        endpoint = {
            "name": f"{self.provider} | {model_id}",
            "model_name": entry["name"],
            "context_length": entry["context_length"],
            "pricing": entry["pricing"],
            "provider_name": self.provider,
            "tag": self.provider.lower(),
            "quantization": "fp16",
            "max_completion_tokens": 4096,
            "max_prompt_tokens": None,
            "supported_parameters": entry["supported_parameters"],
            "status": 0,
            "uptime_last_30m": 100.0,
            "supports_implicit_caching": False,
        }
        data = {key: entry[key] for key in ("id", "name", "created", "description", "architecture")}
        data["endpoints"] = [endpoint]
        return self._send_json(out, 200, {"data": data})

    def _key_info(self, token: str) -> dict[str, Any]:
        with self._lock:
            used = round(self._total_usage, 9)
        label = token[:6] + "..." + token[-3:] if len(token) > 9 else token
        return {
            "label": label,
            "limit": 100.0,
            "usage": used,
            "usage_daily": used,
            "usage_weekly": used,
            "usage_monthly": used,
            "limit_remaining": round(100.0 - used, 9),
            "limit_reset": None,
            "is_free_tier": False,
            "is_provisioning_key": False,
            "include_byok_in_limit": False,
            "rate_limit": {"requests": _RATE_LIMIT, "interval": "10s"},
        }


# The mock catalogue: model id -> categories it is listed under.
_CATALOGUE: Final[Mapping[str, frozenset[str]]] = {
    "mock/story": frozenset({"roleplay", "marketing"}),
    "mock/keepalive": frozenset(),
    "mock/reasoning": frozenset({"science", "academia"}),
    "mock/tools": frozenset({"programming", "technology"}),
    "mock/usage": frozenset(),
    "mock/error-int": frozenset(),
    "mock/error-str": frozenset(),
    "mock/truncated": frozenset(),
    "mock/stall": frozenset(),
    "mock/drip": frozenset(),
    "mock/429": frozenset(),
    "mock/availability": frozenset(),
    "mock/error-body-200": frozenset(),
    "mock/html-502": frozenset(),
    "mock/big": frozenset(),
    "mock/cr": frozenset(),
    "mock/utf8-split": frozenset(),
    "mock/web-search": frozenset({"trivia"}),
    "mock/audio": frozenset(),
    "mock/reasoning-encrypted": frozenset(),
    "mock/error-usage": frozenset(),
}

_BASE_PARAMETERS: Final = ("max_tokens", "temperature", "top_p", "stop", "seed")


def _model_entry(model_id: str) -> dict[str, Any]:
    parameters = list(_BASE_PARAMETERS)
    if model_id == "mock/tools":
        parameters += ["tools", "tool_choice"]
    if model_id == "mock/reasoning":
        parameters += ["reasoning", "include_reasoning"]
    slug = model_id.split("/", 1)[1]
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "hugging_face_id": None,
        "name": f"Mock: {slug}",
        "created": 1_700_000_000,
        "description": f"The {model_id} scenario of openrouter.testing.",
        "context_length": 32768,
        "architecture": {
            "modality": "text->text",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {
            "prompt": "0.000001",
            "completion": "0.000002",
            "request": "0",
            "image": "0",
            "web_search": "0",
            "internal_reasoning": "0",
        },
        "top_provider": {
            "context_length": 32768,
            "max_completion_tokens": 4096,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": parameters,
    }


# -- helpers ----------------------------------------------------------------


def _generation_id() -> str:
    tail = "".join(secrets.choice(_ALNUM) for _ in range(20))
    return f"gen-{int(time.time())}-{tail}"


def _prompt_tokens(payload: Mapping[str, Any]) -> int:
    # A stable stand-in for a tokenizer: one token per four characters.
    source = payload.get("messages", payload.get("prompt", ""))
    return max(1, len(json.dumps(source, ensure_ascii=False)) // 4)


def _with_delay(script: Script, delay: float) -> Script:
    return _replace(script, delay=delay)


def _with_drip(script: Script, drip: float) -> Script:
    return _replace(script, drip=drip)


def _replace(script: Script, **changes: Any) -> Script:
    return dataclasses.replace(script, **changes)


def _batches(steps: Sequence[bytes | float | Stall], limit: int) -> Iterator[bytes | float | Stall]:
    """Join consecutive byte steps into writes of at most ``limit`` bytes (one step may exceed
    it, and is then cut); pauses and stalls pass through and end a batch."""
    pending: list[bytes] = []
    size = 0
    for step in steps:
        if isinstance(step, bytes):
            if size + len(step) > limit and pending:
                yield b"".join(pending)
                pending, size = [], 0
            if len(step) > limit:
                for start in range(0, len(step), limit):
                    yield step[start : start + limit]
                continue
            pending.append(step)
            size += len(step)
        else:
            if pending:
                yield b"".join(pending)
                pending, size = [], 0
            yield step
    if pending:
        yield b"".join(pending)
