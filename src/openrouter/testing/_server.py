"""``MockOpenRouter``: the server's lifecycle, its connections and its routes."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Final, Self

import h11

from . import _account, _routes
from ._event_render import EventReply, render_messages, render_responses
from ._event_scenarios import build_event_scenario
from ._http import POLL, Disconnected, Responder, read_request
from ._records import RecordedRequest, record_request
from ._render import WriteStep, dumps, render_json, render_stream
from ._scenarios import ScenarioBuilder, ScenarioError, build_scenario, custom_scenario
from ._script import Canned, RenderContext, Script, Stall
from ._writes import WRITE_BATCH, batches, dripped, write_plan

__all__ = ["MockOpenRouter"]


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
        #: State of the resource routes (keys created, jobs, ...), under ``_lock``.
        self.store: dict[str, Any] = {}

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
            listener.listen(1024)
            # accept() polls so the loop notices stop() without relying on
            # close() interrupting a blocked accept, which is not portable.
            listener.settimeout(POLL)
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
        responder = Responder(sock, conn, self._stop)
        try:
            while not self._stop.is_set():
                request, body = read_request(sock, conn)
                if request is None:
                    break
                keep_going = self._handle(responder, record_request(request, body))
                if not keep_going or conn.our_state is not h11.DONE:
                    break
                if conn.their_state is not h11.DONE:
                    break
                conn.start_next_cycle()
        except (Disconnected, h11.ProtocolError, OSError):
            pass
        finally:
            with self._lock:
                self._connections.pop(threading.current_thread(), None)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    # -- requests ----------------------------------------------------------

    def _handle(self, out: Responder, record: RecordedRequest) -> bool:
        with self._lock:
            self._requests.append(record)
            self._request_count += 1
        prefix = "/api/v1"
        if not (record.path == prefix or record.path.startswith(prefix + "/")):
            return out.send_error(404, f"No route for {record.path}")
        route = record.path[len(prefix) :].rstrip("/")
        token = _bearer(record.headers.get("authorization", ""))
        if not token:
            return out.send_error(401, "No auth credentials found")
        if self.api_key is not None and token != self.api_key:
            return out.send_error(401, "User not found.")
        method = record.method
        found = _routes.find(method, route)
        if isinstance(found, tuple):
            handler, params = found[0].handler, found[1]
            return handler(self, out, record, params)
        if found == "method":
            return out.send_error(405, f"Method {method} not allowed")
        if route in {"/chat/completions", "/completions"}:
            if method != "POST":
                return out.send_error(405, f"Method {method} not allowed")
            return self._completion(out, record, legacy=route == "/completions")
        if route in _EVENT_APIS:
            if method != "POST":
                return out.send_error(405, f"Method {method} not allowed")
            return self._event_api(out, record, route)
        return out.send_error(404, f"No route for {record.path}")

    def _used(self) -> float:
        with self._lock:
            return round(self._total_usage, 9)

    # -- completions -------------------------------------------------------

    def _completion(self, out: Responder, record: RecordedRequest, *, legacy: bool) -> bool:
        payload = record.json
        if not isinstance(payload, dict):
            return out.send_error(400, "Request body must be a JSON object")
        model = payload.get("model") or "mock/story"
        if not isinstance(model, str):
            return out.send_error(400, "model must be a string")
        with self._lock:
            custom = dict(self._custom)
        try:
            name, scenario = build_scenario(
                model, custom, response_format=payload.get("response_format")
            )
        except ScenarioError as exc:
            return out.send_error(400, str(exc))
        if isinstance(scenario, Canned):
            extra = [*scenario.headers]
            return out.send_body(scenario.status, scenario.body, scenario.content_type, extra)
        if scenario.delay == 0.0 and self.delay:
            scenario = dataclasses.replace(scenario, delay=self.delay)
        if scenario.drip is not None and self.drip_delay is not None and "drip=" not in model:
            scenario = dataclasses.replace(scenario, drip=self.drip_delay)
        ctx = RenderContext(
            generation_id=_account.generation_id(),
            model=name,
            provider=self.provider,
            created=int(time.time()),
            prompt_tokens=_account.prompt_tokens(payload),
        )
        streamed = payload.get("stream") is True
        reply = render_json(scenario, ctx, legacy=legacy)
        self._remember(ctx, reply, streamed=streamed, payload=payload)
        with self._lock:
            request_count = self._request_count
        headers = [
            ("X-Generation-Id", ctx.generation_id),
            *_account.rate_limit_headers(request_count),
        ]
        if streamed:
            steps = render_stream(scenario, ctx, legacy=legacy)
            return self._stream(out, steps, headers, scenario.drip, scenario.write_size)
        return self._single(out, scenario, dumps(reply), headers)

    # -- the event APIs: Responses and Messages --------------------------------

    def _event_api(self, out: Responder, record: RecordedRequest, route: str) -> bool:
        payload = record.json
        messages = route == "/messages"
        if not isinstance(payload, dict):
            return _bad_request(out, "Request body must be a JSON object", messages=messages)
        problem = _event_request_problem(payload, messages=messages)
        if problem is not None:
            return _bad_request(out, problem, messages=messages)
        model = payload.get("model") or "mock/story"
        try:
            found = build_event_scenario(model)
            if found is None:
                # The chat scenarios' fixed replies (429, 503, ...) serve every API.
                name, canned = build_scenario(model)
                if not isinstance(canned, Canned):
                    raise ScenarioError(f"{name} is not a valid model ID for {route}")
                extra = [*canned.headers]
                return out.send_body(canned.status, canned.body, canned.content_type, extra)
        except ScenarioError as exc:
            return _bad_request(out, str(exc), messages=messages)
        name, script = found
        if script.delay == 0.0 and self.delay:
            script = dataclasses.replace(script, delay=self.delay)
        source = payload.get("messages" if messages else "input")
        ctx = RenderContext(
            generation_id=_account.generation_id(),
            model=name,
            provider=self.provider,
            created=int(time.time()),
            prompt_tokens=_account.prompt_tokens({"messages": source}),
        )
        render = render_messages if messages else render_responses
        reply = render(script, ctx, payload)
        with self._lock:
            request_count = self._request_count
        headers = [
            ("X-Generation-Id", ctx.generation_id),
            *_account.rate_limit_headers(request_count),
        ]
        if payload.get("stream") is True:
            return self._stream(out, reply.steps, headers)
        return self._event_single(out, reply, headers)

    def _event_single(
        self, out: Responder, reply: EventReply, headers: list[tuple[str, str]]
    ) -> bool:
        if not reply.truncated:
            return out.send_body(reply.status, reply.body, "application/json", headers)
        return self._single(out, Script((), done=False), reply.body, headers)

    def _remember(
        self,
        ctx: RenderContext,
        reply: Mapping[str, Any],
        *,
        streamed: bool,
        payload: Mapping[str, Any],
    ) -> None:
        stats = _account.generation_stats(ctx, reply, streamed=streamed)
        content = _account.generation_content(payload, reply)
        with self._lock:
            self._generations[ctx.generation_id] = stats
            self._total_usage += stats["total_cost"]
            self.store.setdefault("generation_content", {})[ctx.generation_id] = content

    def _single(
        self, out: Responder, script: Script, body: bytes, headers: list[tuple[str, str]]
    ) -> bool:
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
            write_plan(out, dripped([body], script.drip), self.stall_seconds)
        else:
            out.data(body)
        out.end()
        return True

    def _stream(
        self,
        out: Responder,
        steps: list[WriteStep],
        headers: list[tuple[str, str]],
        drip: float | None = None,
        write_size: int | None = None,
    ) -> bool:
        out.head(
            200,
            [
                ("Content-Type", "text/event-stream"),
                ("Cache-Control", "no-cache"),
                ("X-Accel-Buffering", "no"),
                *headers,
            ],
        )
        if drip is not None:
            write_plan(out, dripped(steps, drip), self.stall_seconds)
        else:
            write_plan(out, batches(steps, write_size or WRITE_BATCH), self.stall_seconds)
        out.end()
        return True


#: The routes of the event APIs (``/responses``: OpenAI's Responses; ``/messages``: Anthropic's).
_EVENT_APIS: Final = frozenset({"/responses", "/messages"})


def _event_request_problem(payload: Mapping[str, Any], *, messages: bool) -> str | None:
    """What makes a Responses or Messages request body invalid, or ``None``."""
    model = payload.get("model")
    if model is not None and not isinstance(model, str):
        return "model must be a string"
    if messages:
        if not isinstance(payload.get("messages"), list):
            return "messages: Field required (a list)"
        max_tokens = payload.get("max_tokens")
        if type(max_tokens) is not int or max_tokens < 1:
            return "max_tokens: Field required (a positive integer)"
    elif not isinstance(payload.get("input"), str | list):
        return "input: Field required (a string or a list of items)"
    return None


def _bad_request(out: Responder, message: str, *, messages: bool) -> bool:
    """A 400 in the envelope of the API asked: Anthropic's for ``/messages``."""
    if not messages:
        return out.send_error(400, message)
    error = {"type": "invalid_request_error", "message": message}
    return out.send_json(400, {"type": "error", "error": error, "request_id": None})


def _bearer(value: str) -> str:
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
