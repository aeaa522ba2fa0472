"""Redirects (RFC 9110 section 15.4), followed the way browsers follow them.

:func:`send_request` is the step every flow starts with: it yields the
request, follows redirects (at most ``max_redirects``), and returns the
final URL and head. It refuses a ``Location`` that is not a usable http(s)
URL (:class:`~sseproto.http.InvalidRedirect`) and a downgrade from https
to http (:class:`~sseproto.http.InsecureRedirect`), before any other
request; credentials never follow a redirect to another origin.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import sseproto

from ._deadlines import Deadlines
from ._errors import (
    MAX_LOCATION_SIZE,
    InsecureRedirect,
    InvalidRedirect,
    TooManyRedirects,
)
from ._exchange import _BAD_URL_CHARS, _parse_url
from ._messages import redact_url
from ._ops import CloseResponse, Head, Headers, Operation, SendRequest, TimedOut

__all__ = ["send_request"]

# These statuses with a Location are followed.
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
# Headers that must not follow a redirect to another origin (credentials).
_CREDENTIALS: Final = frozenset({"authorization", "cookie", "proxy-authorization"})
# Headers that describe a body, dropped when a redirect turns the request into a GET.
_BODY_HEADERS: Final = frozenset({"content-type", "content-length", "content-encoding"})


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _location(head: Head) -> str | None:
    for name, value in head.headers:
        if name.lower() == "location":
            return value.strip()
    return None


def _redirect_target(url: str, location: str, urls: list[str]) -> str:
    """The URL a redirect from ``url`` to ``location`` leads to.

    Raises:
        InvalidRedirect: ``location`` is not a URL the client can request.
        InsecureRedirect: it leads from ``https`` to ``http``.
    """

    def invalid(why: str) -> InvalidRedirect:
        return InvalidRedirect(
            f"the server at {redact_url(url)} redirected to {redact_url(location)!r}, {why}; "
            f"the redirect is not followed",
            urls=tuple(urls),
            location=location,
        )

    if not location:
        raise invalid("an empty Location")
    if len(location) > MAX_LOCATION_SIZE:
        raise invalid(f"a Location longer than {MAX_LOCATION_SIZE} characters (MAX_LOCATION_SIZE)")
    if not location.isascii() or _BAD_URL_CHARS.search(location):
        raise invalid("a Location with spaces, control or non-ASCII characters")
    try:
        target = urljoin(url, location).split("#", 1)[0]
        parts = urlsplit(target)
        scheme, username = parts.scheme.lower(), parts.username
    except ValueError as exc:
        raise invalid(f"which does not parse as a URL ({exc})") from exc
    if scheme not in ("http", "https"):
        raise invalid("which is not an http or https URL")
    if username is not None:
        raise invalid("which carries user information")
    try:
        _parse_url(target)
    except sseproto.LocalProtocolError as exc:
        raise invalid("which is not a valid http(s) URL") from exc
    if scheme == "http" and urlsplit(url).scheme.lower() == "https":
        raise InsecureRedirect(
            f"refusing the redirect from {redact_url(url)} to {redact_url(target)}: "
            f"it leaves HTTPS for plain HTTP, and would send the request (headers and "
            f"body) unencrypted; request the http URL directly to accept that",
            urls=tuple(urls),
            location=location,
        )
    return target


def send_request(
    method: str,
    url: str,
    headers: Headers,
    body: bytes | None,
    limits: Deadlines,
    max_redirects: int,
    *,
    events: bool = False,
) -> Generator[Operation, Any, tuple[str, Head]]:
    """Send the request and follow redirects; return the final URL and head.

    A redirect response is released unread (its connection is then closed,
    not reused). 303, and 301 or 302 after a POST, turn the request into a
    GET without a body (RFC 9110 section 15.4, as browsers do); 307 and 308
    repeat it. Credentials (``Authorization``, ``Cookie``,
    ``Proxy-Authorization``) are not sent to another origin. A ``Location``
    that is not a usable http(s) URL raises :class:`InvalidRedirect`, one
    from https to http :class:`InsecureRedirect`, before any other request.
    """
    urls = [url]
    while True:
        try:
            result = yield SendRequest(
                method,
                url,
                headers,
                body,
                limits.connect_timeout(),
                limits.read_timeout(),
                limits.body_timeout(events=events),
                limits.deadline(),
            )
        except InvalidRedirect as exc:
            # A runtime that parses the Location itself (httpx) reports one
            # it cannot use here, without the response.
            raise InvalidRedirect(
                f"the server at {redact_url(url)} redirected to a Location that is not a "
                f"valid http(s) URL; the redirect is not followed",
                urls=tuple(urls),
                location=exc.location,
            ) from exc
        if isinstance(result, TimedOut):
            if result.connecting:
                limits.connect_timeout()  # remember the connect limit as the cause
            raise limits.expired()
        head: Head = result
        location = _location(head) if head.status in _REDIRECTS else None
        if location is None:
            return url, head
        yield CloseResponse()
        if len(urls) > max_redirects:
            raise TooManyRedirects(
                f"the server redirected more than {max_redirects} times "
                f"(max_redirects); last Location: {redact_url(location)!r}",
                urls=tuple(urls),
            )
        target = _redirect_target(url, location, urls)
        if _origin(target) != _origin(url):
            headers = tuple(pair for pair in headers if pair[0].lower() not in _CREDENTIALS)
        if head.status == 303 or (head.status in (301, 302) and method == "POST"):
            if method != "HEAD":
                method = "GET"
            body = None
            headers = tuple(pair for pair in headers if pair[0].lower() not in _BODY_HEADERS)
        url = target
        urls.append(url)
