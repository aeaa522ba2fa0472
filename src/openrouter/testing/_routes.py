"""The mock's table of resource routes: ``(method, path pattern) -> handler``.

Each group of operations declares its routes in its own module (a tuple
``ROUTES`` of :class:`Route`); :func:`find` looks a request up in all of
them. A path that matches a route with another method is a 405.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._http import Responder
from ._records import RecordedRequest

if TYPE_CHECKING:
    from ._server import MockOpenRouter

__all__ = ["Handler", "Route", "find"]

#: What answers a route: ``(server, responder, request, path parameters)``;
#: returns whether the connection may be kept open (``Responder``'s convention).
Handler = Callable[["MockOpenRouter", Responder, RecordedRequest, Mapping[str, str]], bool]


@dataclass(frozen=True, slots=True)
class Route:
    """One operation of the mock: ``pattern`` is the path under ``/api/v1``
    with ``{name}`` for a path parameter (one segment, percent-decoded by
    the handler if it needs to)."""

    method: str
    pattern: str
    handler: Handler

    def match(self, path: str) -> dict[str, str] | None:
        found = _compiled(self.pattern).fullmatch(path)
        return None if found is None else found.groupdict()


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    regex = _CACHE.get(pattern)
    if regex is None:
        parts = re.split(r"\{(\w+)\}", pattern)
        source = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
        )
        regex = _CACHE[pattern] = re.compile(source)
    return regex


def _tables() -> tuple[Route, ...]:
    from . import _account_routes, _media_routes  # noqa: PLC0415 - they import the server's helpers

    return (*_account_routes.ROUTES, *_media_routes.ROUTES)


def find(method: str, path: str) -> tuple[Route, dict[str, str]] | str | None:
    """The route for ``method`` on ``path`` and its path parameters; the
    string ``"method"`` when the path is known under another method only;
    None when no route has the path."""
    known = False
    for route in _tables():
        params = route.match(path)
        if params is None:
            continue
        if route.method == method:
            return route, params
        known = True
    return "method" if known else None
