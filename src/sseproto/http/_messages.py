"""What a request may carry and what a response may come in.

:func:`prepare_request` turns what a caller passes (headers as a mapping
or pairs, ``json=``, ``params=``, a ``str`` body) into the one form the
flows send; :func:`check_request` refuses, before any I/O, a request that
cannot be sent (the same checks on every runtime); :func:`check_coding`
refuses a body in a content coding the client cannot read. Both name URLs only in
their redacted form (:func:`redact_url`): user information, queries and
fragments are where secrets travel.
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias
from urllib.parse import quote, urlencode

import sseproto

from ._errors import UnexpectedContentEncoding
from ._exchange import _build_request, _parse_url
from ._ops import Head, Headers, header_value

__all__ = [
    "IDENTITY",
    "USER_AGENT",
    "BodyTypes",
    "HeaderTypes",
    "PreparedRequest",
    "QueryTypes",
    "check_coding",
    "check_request",
    "header_pairs",
    "prepare_request",
    "redact_url",
    "with_defaults",
]

#: The ``User-Agent`` sent when the caller gives none.
USER_AGENT: Final = f"sseproto/{sseproto.__version__}"

#: Sent with event streams and downloads unless the caller asks otherwise: a
#: compressor holds bytes back until its buffer fills, which would delay
#: events, and a download is written as it came. (``request()`` asks for the
#: codings ``_decoding.py`` reads.) Every runtime sends the same, and reads
#: the same bytes: the flows decode, never the runtime (httpx included).
IDENTITY: Final = ("Accept-Encoding", "identity")

# User information in a URL ("//user:password@host"), removed from messages.
_USERINFO: Final = re.compile(r"//[^/?#]*@")


def _check_headers(headers: Sequence[tuple[str, str]]) -> Headers:
    pairs = tuple(headers)
    for pair in pairs:
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not isinstance(pair[0], str)
            or not isinstance(pair[1], str)
        ):
            raise TypeError(f"each header must be a (str, str) pair, not {pair!r}")
    return pairs


def check_request(
    method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes | None
) -> Headers:
    """Check a caller's request before anything is sent; return its headers.

    The same checks on every adapter, made by the client methods when they
    are called and by each flow before its first operation: the URL is one
    :class:`~sseproto.adapters.HTTP11Exchange` accepts (absolute ``http``
    or ``https``, ASCII, no spaces, control characters or user
    information), the method and the header names and values can be sent
    (ASCII, no line breaks, names are tokens).

    Raises:
        TypeError: a header is not a ``(str, str)`` pair.
        LocalProtocolError: the URL, method or a header cannot be sent.
    """
    pairs = _check_headers(headers)
    origin, target = _parse_url(url)
    _build_request(method, origin, target, pairs, body)
    return pairs


#: What a client method takes as ``headers``: a mapping of names to values,
#: or ``(name, value)`` pairs (for repeated names); names and values are str.
HeaderTypes: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]]

#: A query parameter's value: text, a number (``str()`` of it) or a bool
#: (``"true"`` / ``"false"``, as httpx writes them).
_QueryValue: TypeAlias = str | int | float | bool

#: What a client method takes as ``params``: a mapping of names to a value
#: or a list or tuple of values (the name repeated), or ``(name, value)``
#: pairs; ``None`` for none.
QueryTypes: TypeAlias = (
    Mapping[str, _QueryValue | Sequence[_QueryValue]] | Iterable[tuple[str, _QueryValue]] | None
)

#: What a client method takes as ``body``: bytes-like, or a ``str`` (sent
#: encoded as UTF-8); ``None`` for none.
BodyTypes: TypeAlias = bytes | bytearray | memoryview | str | None


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """A request in the form the flows send: what :func:`prepare_request`
    returns, already checked by :func:`check_request`."""

    method: str
    #: The URL, with the ``params`` appended to its query.
    url: str
    headers: Headers
    body: bytes | None


def header_pairs(headers: object) -> Headers:
    """``headers`` (a :data:`HeaderTypes`: a mapping, or ``(name, value)``
    pairs) as a tuple of pairs, in order.

    Raises:
        TypeError: ``headers`` is neither (a ``str`` or bytes included), or
            a header is not a ``(str, str)`` pair.
    """
    if isinstance(headers, (str, bytes, bytearray, memoryview)):
        raise TypeError(
            f"headers must be a mapping or (name, value) pairs, not {type(headers).__name__}"
        )
    if isinstance(headers, Mapping):
        return _check_headers(list(headers.items()))
    if not isinstance(headers, Iterable):
        raise TypeError(
            f"headers must be a mapping or (name, value) pairs, not {type(headers).__name__}"
        )
    return _check_headers(list(headers))


def _query_text(name: object, value: object) -> tuple[str, str]:
    if not isinstance(name, str):
        raise TypeError(f"a query parameter's name must be a str, not {name!r}")
    if value is True or value is False:
        return name, "true" if value else "false"
    if isinstance(value, str):
        return name, value
    if isinstance(value, (int, float)):
        return name, str(value)
    raise TypeError(
        f"the query parameter {name!r} must be a str, int, float or bool, "
        f"not {type(value).__name__}"
    )


def _query_pairs(params: object) -> list[tuple[str, str]]:
    if isinstance(params, (str, bytes, bytearray, memoryview)):
        raise TypeError(
            f"params must be a mapping or (name, value) pairs, not {type(params).__name__}"
        )
    pairs: list[tuple[str, str]] = []
    if isinstance(params, Mapping):
        for name, value in params.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            pairs.extend(_query_text(name, one) for one in values)
        return pairs
    if not isinstance(params, Iterable):
        raise TypeError(
            f"params must be a mapping or (name, value) pairs, not {type(params).__name__}"
        )
    for pair in params:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"each query parameter must be a (name, value) pair, not {pair!r}")
        pairs.append(_query_text(*pair))
    return pairs


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    """``url`` with ``pairs`` percent-encoded and appended to its query
    (before any fragment)."""
    if not pairs:
        return url
    query = urlencode(pairs, quote_via=quote, safe="")
    base, mark, fragment = url.partition("#")
    if "?" not in base:
        base += "?"
    elif not base.endswith(("?", "&")):
        base += "&"
    return f"{base}{query}{mark}{fragment}"


def prepare_request(
    method: str,
    url: str,
    *,
    headers: HeaderTypes = (),
    body: BodyTypes = None,
    json: Any = None,
    params: QueryTypes = None,
) -> PreparedRequest:
    """What a client method was given, as the request the flows send,
    checked before any I/O (:func:`check_request`).

    - ``headers``: a mapping or ``(name, value)`` pairs (kept in order).
    - ``body``: bytes-like, or a ``str`` sent as UTF-8.
    - ``json``: a value serialised with :func:`json.dumps`, compactly
      (no spaces), as UTF-8 (``ensure_ascii=False``), refusing NaN and
      infinities (not JSON); ``Content-Type: application/json`` is added
      unless ``headers`` has a ``Content-Type``. ``None`` means no JSON
      body (as in httpx): send ``null`` with ``body="null"``.
    - ``params``: a mapping (a list or tuple value repeats the name) or
      ``(name, value)`` pairs; values are ``str``, ``int``, ``float`` or
      ``bool`` (``true`` / ``false``). They are percent-encoded (a space is
      ``%20``) and appended to the URL's query, after what it has already,
      before any fragment.

    Raises:
        TypeError: both ``body`` and ``json`` were given; a body, header or
            parameter of the wrong type; a ``json`` value
            :func:`json.dumps` cannot serialise.
        ValueError: a ``json`` value with NaN or an infinity, or a circular
            reference.
        LocalProtocolError: the URL, method or a header cannot be sent.
    """
    pairs = header_pairs(headers)
    payload: bytes | None
    if json is not None:
        if body is not None:
            raise TypeError("pass either body or json, not both")
        payload = _json.dumps(
            json, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
        pairs = with_defaults(pairs, [("Content-Type", "application/json")])
    elif body is None or type(body) is bytes:
        payload = body
    elif isinstance(body, str):
        payload = body.encode("utf-8")
    elif isinstance(body, (bytearray, memoryview)):
        payload = bytes(body)
    else:
        raise TypeError(f"body must be bytes, str or None, not {type(body).__name__}")
    if params is not None:
        if not isinstance(url, str):
            raise TypeError(f"the URL must be a str, not {type(url).__name__}")
        url = _with_query(url, _query_pairs(params))
    check_request(method, url, pairs, payload)
    return PreparedRequest(method, url, pairs, payload)


def redact_url(url: str) -> str:
    """``url`` for a message: without user information, query and fragment
    (where secrets travel), and cut to 200 characters."""
    text = _USERINFO.sub("//", url, count=1)
    for mark in "?#":
        head, found, _ = text.partition(mark)
        if found:
            text = f"{head}{mark}..."
    return text if len(text) <= 200 else f"{text[:200]}..."


def _content_coding(head: Head) -> str | None:
    """The response's content codings other than ``identity``, or None."""
    value = header_value(head.headers, "content-encoding")
    if value is None:
        return None
    codings = [part.strip().lower() for part in value.split(",")]
    codings = [coding for coding in codings if coding and coding != "identity"]
    return ", ".join(codings) if codings else None


def check_coding(head: Head, url: str, headers: Headers, *, stream: bool) -> None:
    """Refuse a body in a content coding the client cannot decode (see
    ``_decoding.py``): any, for an event stream; one the request's
    ``Accept-Encoding`` did not name, for a whole response (returned as it
    came, for the caller to decode)."""
    coding = _content_coding(head)
    if coding is None:
        return
    if not stream:
        accepted = {
            part.partition(";")[0].strip().lower()
            for part in (header_value(headers, "accept-encoding") or "").split(",")
        }
        if "*" in accepted or accepted.issuperset(coding.split(", ")):
            return
        why = "which the request did not ask for (Accept-Encoding)"
    else:
        why = "which the client cannot decode"
    raise UnexpectedContentEncoding(
        f"the response from {redact_url(url)} has Content-Encoding: {coding}, {why}",
        coding=coding,
    )


def with_defaults(headers: Headers, defaults: Sequence[tuple[str, str]]) -> Headers:
    """``headers`` plus each default whose name the caller did not give."""
    given = {name.lower() for name, _ in headers}
    return headers + tuple(pair for pair in defaults if pair[0].lower() not in given)
