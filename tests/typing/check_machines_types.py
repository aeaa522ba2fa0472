"""Type-checked usage of the state machines: mypy --strict must accept this file.

Checked, not run, by tests/test_typing.py.
"""

from __future__ import annotations

from typing import Any, assert_type

import sseproto
from sseproto.adapters import BodyChunk, ExchangeEvent, HTTP11Exchange, ResponseStarted

decoder = sseproto.ChunkDecoder(is_error=sseproto.has_error_member, malformed="skip")
for item in decoder.feed(b"data: {}\n\n"):
    if isinstance(item, sseproto.JSONChunk):
        assert_type(item.value, Any)
        assert_type(item.event, sseproto.Event)
    elif isinstance(item, sseproto.InBandError):
        assert_type(item.payload, Any)
assert_type(decoder.outcome.state, sseproto.ChunkState)
assert_type(decoder.outcome.skipped, int)

machine = sseproto.EventSourceMachine()
for action in machine.start(0.0):
    if isinstance(action, sseproto.Connect):
        assert_type(action.headers, tuple[tuple[str, str], ...])
    elif isinstance(action, sseproto.Wait):
        assert_type(action.seconds, float)
    elif isinstance(action, sseproto.Failed):
        assert_type(action.error, sseproto.RemoteProtocolError)

exchange = HTTP11Exchange("GET", "https://example.com/stream")
assert_type(exchange.request_bytes, bytes)
events: list[ExchangeEvent] = exchange.receive(b"")
for event in events:
    if isinstance(event, ResponseStarted):
        assert_type(event.status, int)
    elif isinstance(event, BodyChunk):
        assert_type(event.data, bytes)
