"""Typed views of the catalogue answers that ``_responses.py`` does not hold:
the providers of ``GET /providers``; and the parsers of the ``{"data": ...}``
envelope the catalogue and account operations answer with.

The rules are ``_responses.py``'s: ``from_dict`` never raises, a missing or
mistyped field reads as ``None``, and ``raw`` keeps the object as sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ._records import Record, as_str, field, str_list

__all__ = ["Provider", "data_list", "data_object"]

#: A record class.
R = TypeVar("R", bound=Record)


class Provider(Record):
    """One entry of ``GET /providers``: a provider OpenRouter routes to.

    ``headquarters`` is an ISO 3166-1 alpha-2 country code (``"US"``) and
    ``datacenters`` lists the codes of the countries it serves from; the
    ``*_url`` fields are links to its policies and status page.
    """

    name: str | None = field(as_str)
    slug: str | None = field(as_str)
    privacy_policy_url: str | None = field(as_str)
    terms_of_service_url: str | None = field(as_str)
    status_page_url: str | None = field(as_str)
    headquarters: str | None = field(as_str)
    datacenters: list[str] | None = field(str_list)


def data_list(cls: type[R]) -> Callable[[object], list[R]]:
    """The parser of a ``{"data": [object, ...]}`` body: ``cls`` built from
    each object (other items left out); ``[]`` when ``data`` is not a list.
    A bare list is read as ``data``. Never raises."""

    def parse(body: object) -> list[R]:
        items = body.get("data") if isinstance(body, dict) else body
        if not isinstance(items, list):
            return []
        return [cls.from_dict(item) for item in items if isinstance(item, dict)]

    return parse


def data_object(cls: type[R]) -> Callable[[object], R]:
    """The parser of a ``{"data": object}`` body: ``cls`` built from the
    object, or from the body itself when it has no ``data`` object. Never
    raises."""

    def parse(body: object) -> R:
        inner = body.get("data") if isinstance(body, dict) else None
        return cls.from_dict(inner if isinstance(inner, dict) else body)

    return parse
