"""What a request may carry and what a response may come in.

:func:`check_request` refuses, before any I/O, a request that cannot be
sent (the same checks on every runtime); :func:`check_coding` refuses a
body in a content coding the client cannot read. Both name URLs only in
their redacted form (:func:`redact_url`): user information, queries and
fragments are where secrets travel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import sseproto

from ._errors import UnexpectedContentEncoding
from ._exchange import _build_request, _parse_url
from ._ops import Head, Headers, header_value

__all__ = [
    "IDENTITY",
    "USER_AGENT",
    "check_coding",
    "check_request",
    "redact_url",
    "with_defaults",
]

#: The ``User-Agent`` sent when the caller gives none.
USER_AGENT: Final = f"sseproto/{sseproto.__version__}"

#: Sent unless the caller asks otherwise: no runtime decodes a content coding
#: (httpx would ask for gzip and decode it, the others could not), so every
#: runtime asks for the body as it is and reads the same bytes.
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
    """Refuse a body in a content coding the client cannot read: any, for an
    event stream; one the request's ``Accept-Encoding`` did not name, for a
    whole response (returned as it came, for the caller to decode)."""
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
        why = "and event streams are read only without a content coding"
    raise UnexpectedContentEncoding(
        f"the response from {redact_url(url)} has Content-Encoding: {coding}, {why}",
        coding=coding,
    )


def with_defaults(headers: Headers, defaults: Sequence[tuple[str, str]]) -> Headers:
    """``headers`` plus each default whose name the caller did not give."""
    given = {name.lower() for name, _ in headers}
    return headers + tuple(pair for pair in defaults if pair[0].lower() not in given)
