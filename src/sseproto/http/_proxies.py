"""Which HTTP proxy a request goes through: proxy URLs, the environment, ``NO_PROXY``.

Sans-I/O and standard library only: :class:`Proxies` answers, for an
:class:`~sseproto.http.Origin`, which :class:`Proxy` to connect to (or
``None``: connect directly); the tunnel itself is ``_tunnel.py``'s, and the
connection layer (:class:`~sseproto.http.HTTP11Connections`) uses both.

The environment is read as curl and httpx read it (:meth:`Proxies.from_environment`):

==================  =========================================================
``https_proxy``     the proxy for ``https://`` URLs (a ``CONNECT`` tunnel)
``http_proxy``      the proxy for ``http://`` URLs (absolute-form requests)
``all_proxy``       the proxy for either, when the scheme's own is not set
``no_proxy``        hosts reached directly (see :class:`NoProxy`)
==================  =========================================================

Each name is looked up in lower case first and, only when that is absent,
in upper case (``HTTPS_PROXY``, ...): the lower-case form wins, as in curl
and in Python's ``urllib.request.getproxies()`` (which httpx and requests
use), and an empty value means "none". Under CGI (``REQUEST_METHOD`` is
set) the upper-case ``HTTP_PROXY`` is ignored: a web server passes a
client's ``Proxy:`` request header to a CGI program as ``HTTP_PROXY``, so
an attacker could choose the proxy ("httpoxy", CVE-2016-5385); urllib,
httpx and requests ignore it there too, and curl never reads it at all. A
value without a scheme (``proxy.corp:3128``) is an ``http://`` proxy, as
httpx reads it.

Secrets: a proxy URL's credentials (``http://user:password@host:port``)
become the ``Proxy-Authorization`` value, which is kept out of every
``repr()``, ``str()`` and error message; messages name a proxy as
``http://host:port``.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, TypeAlias
from urllib.parse import unquote, urlsplit

from ._exchange import Origin

__all__ = ["NoProxy", "Proxies", "Proxy"]

# A registered name as DNS uses it, or an IPv4 address (lowercased).
_HOST_NAME: Final = re.compile(r"[a-z0-9._-]+")

# What NO_PROXY entries are separated by: commas, and blanks around them
# (curl and urllib both strip them).
_SEPARATORS: Final = re.compile(r"[,\s]+")

_IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Proxy:
    """An HTTP proxy: where it listens and, if its URL had credentials, the
    ``Proxy-Authorization`` value to send it.

    ``host`` is lowercase, an IPv6 address without brackets; ``port`` the
    URL's, or 80 (the ``http`` scheme's default, as httpx and requests
    take it; curl takes 1080). ``authorization`` (``"Basic ..."``) is left
    out of ``repr()``; ``str()`` is ``http://host:port``, without
    credentials, the form every message uses.
    """

    host: str
    port: int
    authorization: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> Proxy:
        """The proxy of ``url``: ``http://[user:password@]host[:port][/]``, or
        ``host[:port]`` (``http://`` is then assumed).

        The user and password are percent-decoded and sent as HTTP Basic
        credentials (RFC 7617, UTF-8).

        Raises:
            ValueError: ``url`` is not such a URL: another scheme (an
                ``https://`` or SOCKS proxy is not supported), no host, a
                bad port, a path or query. The message names the URL
                without its credentials.
        """
        if not isinstance(url, str):
            raise TypeError(f"a proxy URL must be a str, not {type(url).__name__}")
        text = url.strip()
        if "://" not in text:
            text = f"http://{text}"
        shown = _without_credentials(text)
        try:
            parts = urlsplit(text)
            port = parts.port
            host = parts.hostname
        except ValueError as exc:
            raise ValueError(f"invalid proxy URL {shown!r}: {exc}") from None
        if parts.scheme != "http":
            raise ValueError(
                f"the proxy URL must start with http:// (HTTPS and SOCKS proxies are "
                f"not supported): {shown!r}"
            )
        if not host:
            raise ValueError(f"the proxy URL has no host: {shown!r}")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"a proxy URL has no path or query: {shown!r}")
        if "[" in parts.netloc.rpartition("@")[2]:
            try:
                ipaddress.IPv6Address(host)
            except ValueError:
                raise ValueError(f"invalid IPv6 address in proxy URL {shown!r}") from None
        elif not _HOST_NAME.fullmatch(host):
            raise ValueError(f"invalid host in proxy URL {shown!r}")
        if port == 0:
            raise ValueError(f"port 0 in the proxy URL cannot be connected to: {shown!r}")
        authorization = None
        if parts.username is not None:
            user = unquote(parts.username)
            password = unquote(parts.password or "")
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            authorization = f"Basic {token}"
        return cls(host, 80 if port is None else port, authorization)

    @property
    def origin(self) -> Origin:
        """Where to connect: the proxy's host and port, plain HTTP."""
        return Origin("http", self.host, self.port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def secrets(self) -> tuple[str, ...]:
        """What no message may show: the ``Proxy-Authorization`` value, its
        token, and the ``user:password`` and password it encodes."""
        if self.authorization is None:
            return ()
        token = self.authorization.partition(" ")[2]
        decoded = base64.b64decode(token).decode("utf-8", "replace")
        password = decoded.partition(":")[2]
        return tuple(s for s in (self.authorization, token, decoded, password) if s)


def _without_credentials(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{path}"


@dataclass(frozen=True, slots=True)
class _Entry:
    """One ``NO_PROXY`` entry: a domain, an address or a network, and a port."""

    domain: str | None = None
    network: _IPNetwork | None = None
    port: int | None = None

    def matches(self, host: str, address: _IPAddress | None, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address is not None and address in self.network
        domain = self.domain
        assert domain is not None
        return host == domain or host.endswith(f".{domain}")


def _parse_entry(text: str) -> _Entry | None:
    """The entry ``text`` stands for, or ``None`` for one that cannot match
    anything (ignored, as curl ignores it)."""
    port: int | None = None
    if text.startswith("["):
        # [v6], [v6]:port, [v6]/bits
        inside, closed, rest = text[1:].partition("]")
        if not closed:
            return None
        if rest.startswith(":"):
            if not rest[1:].isdigit():
                return None
            port, rest = int(rest[1:]), ""
        text = inside + rest
    elif text.count(":") == 1:
        text, _, digits = text.partition(":")
        if not (digits.isascii() and digits.isdigit()):
            return None
        port = int(digits)
    if ":" in text or "/" in text or _is_ipv4(text):
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return None
        return _Entry(network=network, port=port)
    # A domain: "example.com", ".example.com" and "*.example.com" all match
    # example.com and its subdomains, as in curl and requests.
    domain = text.removeprefix("*").removeprefix(".").rstrip(".")
    if not domain or not _HOST_NAME.fullmatch(domain):
        return None
    return _Entry(domain=domain, port=port)


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class NoProxy:
    """The hosts reached directly, without a proxy: a ``NO_PROXY`` value.

    A comma-separated list (blanks around entries are ignored; names are
    compared in lower case, a trailing dot ignored), where an entry is:

    - ``*`` alone: every host;
    - a domain, ``example.com``, ``.example.com`` or ``*.example.com``
      (one meaning): ``example.com`` itself and every name under it
      (``api.example.com``), never ``notexample.com``;
    - an IP address, ``10.1.2.3``, ``::1`` or ``[::1]``: that address
      (written in any form: ``[0:0::1]`` matches ``::1``);
    - a network in CIDR form, ``10.0.0.0/8``, ``fd00::/8`` or
      ``[fd00::]/8``: every address in it;
    - any of these but ``*`` followed by ``:port`` (an IPv6 address in
      brackets then, ``[::1]:8080``): only requests to that port.

    Names are not resolved: a domain entry never matches a URL whose host
    is an address, and an address entry only a URL with that address. An
    entry that fits none of these forms is ignored.
    """

    value: str = ""
    _entries: tuple[_Entry, ...] = field(default=(), init=False, repr=False, compare=False)
    _everything: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entries: list[_Entry] = []
        everything = False
        for text in _SEPARATORS.split(self.value.lower()):
            if text == "*":
                everything = True
            elif text:
                entry = _parse_entry(text)
                if entry is not None:
                    entries.append(entry)
        object.__setattr__(self, "_entries", tuple(entries))
        object.__setattr__(self, "_everything", everything)

    def matches(self, host: str, port: int) -> bool:
        """Whether a request to ``host`` (an :class:`Origin`'s: lowercase,
        IPv6 without brackets) on ``port`` goes directly."""
        if self._everything:
            return True
        host = host.lower().rstrip(".")
        try:
            address: _IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            address = None
        return any(entry.matches(host, address, port) for entry in self._entries)


@dataclass(frozen=True, slots=True)
class Proxies:
    """Which proxy each request goes through.

    ``http`` serves ``http://`` URLs, ``https`` serves ``https://`` URLs
    (``None``: direct), except those ``no_proxy`` matches, which go
    directly. Build one from a URL (:meth:`from_url`), from the environment
    (:meth:`from_environment`), or field by field.
    """

    http: Proxy | None = None
    https: Proxy | None = None
    no_proxy: NoProxy = NoProxy()

    @classmethod
    def from_url(cls, url: str) -> Proxies:
        """Every request through the proxy at ``url`` (see
        :meth:`Proxy.from_url`, which raises ``ValueError`` for a bad one)."""
        proxy = Proxy.from_url(url)
        return cls(http=proxy, https=proxy)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Proxies:
        """The proxies the environment ``environ`` (``os.environ``) names;
        see the module's docstring for the variables and their precedence.

        Raises:
            ValueError: a variable holds a proxy URL that
                :meth:`Proxy.from_url` refuses (the message names the
                variable, never the credentials).
        """
        everything = _variable(environ, "all_proxy", "ALL_PROXY")
        https = _variable(environ, "https_proxy", "HTTPS_PROXY")
        # Under CGI, HTTP_PROXY is the client's "Proxy:" request header.
        upper = None if "REQUEST_METHOD" in environ else "HTTP_PROXY"
        http = _variable(environ, "http_proxy", upper)
        no_proxy = _variable(environ, "no_proxy", "NO_PROXY")
        return cls(
            http=_proxy_of(http or everything),
            https=_proxy_of(https or everything),
            no_proxy=NoProxy("" if no_proxy is None else no_proxy[1]),
        )

    @classmethod
    def resolve(
        cls, proxy: str | Proxies | None, *, trust_env: bool, environ: Mapping[str, str]
    ) -> Proxies | None:
        """What a client's ``proxy=`` and ``trust_env=`` arguments mean:
        ``proxy`` when given (a URL: every request through it; the
        environment is then not read, as in httpx), else the environment's
        proxies when ``trust_env`` is true, else none (``None``)."""
        if isinstance(proxy, Proxies):
            return proxy
        if proxy is not None:
            return cls.from_url(proxy)
        if not trust_env:
            return None
        found = cls.from_environment(environ)
        return found if found.http is not None or found.https is not None else None

    def select(self, origin: Origin) -> Proxy | None:
        """The proxy a request to ``origin`` goes through, or ``None``: directly."""
        proxy = self.https if origin.tls else self.http
        if proxy is None or self.no_proxy.matches(origin.host, origin.port):
            return None
        return proxy


def _variable(environ: Mapping[str, str], lower: str, upper: str | None) -> tuple[str, str] | None:
    """The name and value of ``lower``, or when it is absent of ``upper``;
    ``None`` when neither is set or the one that decides is empty."""
    name = lower
    value = environ.get(lower)
    if value is None and upper is not None:
        name, value = upper, environ.get(upper)
    value = (value or "").strip()
    return (name, value) if value else None


def _proxy_of(variable: tuple[str, str] | None) -> Proxy | None:
    if variable is None:
        return None
    name, url = variable
    try:
        return Proxy.from_url(url)
    except ValueError as exc:
        raise ValueError(
            f"the environment variable {name}: {exc}; pass trust_env=False to ignore "
            f"the environment, or proxy= to choose the proxy"
        ) from None
