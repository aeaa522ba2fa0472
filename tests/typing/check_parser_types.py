"""Type-checked usage: mypy --strict must accept this file as it is.

It is checked, not run, by the test suite (tests/test_typing.py), so the
public API's static types are part of what the tests pin down.
"""

from __future__ import annotations

from typing import assert_type

import sseproto
from sseproto import Comment, Event

plain = sseproto.EventStreamParser()
assert_type(plain, sseproto.EventStreamParser[Event])
assert_type(plain.feed(b"data: x\n\n"), list[Event])
for event in plain.feed(b""):
    assert_type(event.data, str)

with_comments = sseproto.EventStreamParser(comments=True)
assert_type(with_comments.feed(b": hi\n"), list[Event | Comment])

assert_type(plain.last_event_id, str)
assert_type(plain.retry, int | None)
assert_type(sseproto.encode_event("x", type="t", id="1", retry=5), bytes)
