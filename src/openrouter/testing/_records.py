"""The record the mock server keeps of every request it receives."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import h11

__all__ = ["RecordedRequest", "record_request"]


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


def record_request(request: h11.Request, body: bytes) -> RecordedRequest:
    """The record of ``request`` with its complete ``body``.

    The target is decoded as ASCII (undecodable bytes replaced), header
    values as Latin-1; a body that is not JSON leaves ``json`` at ``None``.
    """
    target = request.target.decode("ascii", "replace")
    parts = urlsplit(target)
    headers = {name.decode().lower(): value.decode("latin-1") for name, value in request.headers}
    parsed: Any = None
    if body:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    return RecordedRequest(
        method=request.method.decode(),
        path=parts.path,
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=body,
        json=parsed,
    )
