"""Proxy configuration: proxy URLs, the environment's proxy variables and the
NO_PROXY matcher, sans-I/O (``sseproto.http.Proxies``)."""

from __future__ import annotations

import base64
import ipaddress

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sseproto.http import NoProxy, Origin, Proxies, Proxy

# -- proxy URLs ---------------------------------------------------------------------

GOOD_URLS = {
    "http://proxy.corp:3128": Proxy("proxy.corp", 3128),
    "http://proxy.corp:3128/": Proxy("proxy.corp", 3128),
    "http://PROXY.Corp:3128": Proxy("proxy.corp", 3128),
    "http://proxy.corp": Proxy("proxy.corp", 80),
    "proxy.corp:3128": Proxy("proxy.corp", 3128),
    "http://10.0.0.1:8080": Proxy("10.0.0.1", 8080),
    "http://[::1]:8080": Proxy("::1", 8080),
    " http://proxy.corp:3128 ": Proxy("proxy.corp", 3128),
}

BAD_URLS = {
    "https-proxy": "https://proxy.corp:3128",
    "socks": "socks5://proxy.corp:1080",
    "no-host": "http://:3128",
    "bad-port": "http://proxy.corp:http",
    "port-zero": "http://proxy.corp:0",
    "path": "http://proxy.corp:3128/path",
    "query": "http://proxy.corp:3128/?a=b",
    "bad-ipv6": "http://[::1:zz]:3128",
    "bad-host": "http://pro xy:3128",
}


@pytest.mark.parametrize("url", GOOD_URLS, ids=GOOD_URLS)
def test_proxy_url_parsed(url: str) -> None:
    """A proxy URL gives its host (lowercase, IPv6 unbracketed) and port (80 by default)."""
    assert Proxy.from_url(url) == GOOD_URLS[url]


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS)
def test_bad_proxy_url_refused(url: str) -> None:
    """A URL that is not http://host[:port] is a ValueError."""
    with pytest.raises(ValueError, match="proxy URL"):
        Proxy.from_url(url)


def test_bad_proxy_url_error_hides_credentials() -> None:
    """A refused proxy URL is named without its credentials."""
    with pytest.raises(ValueError, match="proxy URL") as info:
        Proxy.from_url("https://alice:hunter2-secret@proxy.corp:3128")
    assert "hunter2-secret" not in str(info.value)
    assert "proxy.corp" in str(info.value)


def test_credentials_become_basic_authorization() -> None:
    """user:password (percent-decoded) is sent as Basic credentials, UTF-8."""
    proxy = Proxy.from_url("http://al%40ice:p%3Ass%20w%C3%B6rd@proxy.corp:3128")
    assert proxy.authorization == "Basic " + base64.b64encode(
        "al@ice:p:ss w\u00f6rd".encode()
    ).decode("ascii")


def test_credentials_kept_out_of_repr_and_str() -> None:
    """repr() and str() of a proxy, and of Proxies, never show its credentials."""
    proxy = Proxy.from_url("http://alice:hunter2-secret@proxy.corp:3128")
    token = base64.b64encode(b"alice:hunter2-secret").decode("ascii")
    for text in (
        repr(proxy),
        str(proxy),
        repr(Proxies.from_url("http://alice:hunter2-secret@p:1")),
    ):
        assert "hunter2-secret" not in text
        assert token not in text
    assert str(proxy) == "http://proxy.corp:3128"


_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
# The last label starts with a letter, so that no name reads as an IPv4 address.
_TOP_LABEL = st.from_regex(r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
_DOMAIN = st.tuples(st.lists(_LABEL, max_size=3), _TOP_LABEL).map(
    lambda parts: ".".join([*parts[0], parts[1]])
)
_IPV4 = st.ip_addresses(v=4).map(str)
_IPV6 = st.ip_addresses(v=6).map(str)
_SECRET = st.text(min_size=1, max_size=20).map(lambda text: f"S3cr!{text}")


@given(
    host=st.one_of(_DOMAIN, _IPV4, _IPV6),
    port=st.integers(1, 65535),
    user=st.text(max_size=20).filter(lambda user: ":" not in user),
    password=_SECRET,
)
def test_proxy_url_round_trip(host: str, port: int, user: str, password: str) -> None:
    """Any host, port and percent-encoded credentials come back from the URL,
    and the password shows in neither repr() nor str()."""
    from urllib.parse import quote  # noqa: PLC0415

    shown = f"[{host}]" if ":" in host else host
    proxy = Proxy.from_url(
        f"http://{quote(user, safe='')}:{quote(password, safe='')}@{shown}:{port}"
    )
    assert (proxy.host, proxy.port) == (host, port)
    assert proxy.authorization is not None
    decoded = base64.b64decode(proxy.authorization.removeprefix("Basic ")).decode()
    assert decoded == f"{user}:{password}"
    assert password not in repr(proxy)
    assert password not in str(proxy)


# -- the environment ------------------------------------------------------------------

P1, P2, P3 = "http://p1:1", "http://p2:2", "http://p3:3"

ENVIRONMENTS: dict[str, tuple[dict[str, str], str | None, str | None]] = {
    # name: (environment, proxy for http://, proxy for https://)
    "none": ({}, None, None),
    "https-upper": ({"HTTPS_PROXY": P1}, None, P1),
    "https-lower": ({"https_proxy": P1}, None, P1),
    "lower-wins": ({"https_proxy": P1, "HTTPS_PROXY": P2}, None, P1),
    "empty-lower-unsets": ({"https_proxy": "", "HTTPS_PROXY": P2}, None, None),
    "http-upper": ({"HTTP_PROXY": P1}, P1, None),
    "http-lower": ({"http_proxy": P1}, P1, None),
    "all-upper": ({"ALL_PROXY": P3}, P3, P3),
    "all-lower": ({"all_proxy": P3}, P3, P3),
    "scheme-beats-all": ({"ALL_PROXY": P3, "HTTPS_PROXY": P1}, P3, P1),
    "cgi-ignores-HTTP_PROXY": ({"REQUEST_METHOD": "GET", "HTTP_PROXY": P1}, None, None),
    "cgi-keeps-http_proxy": ({"REQUEST_METHOD": "GET", "http_proxy": P1}, P1, None),
    "cgi-keeps-HTTPS_PROXY": ({"REQUEST_METHOD": "GET", "HTTPS_PROXY": P1}, None, P1),
    "cgi-falls-to-all": ({"REQUEST_METHOD": "GET", "HTTP_PROXY": P1, "ALL_PROXY": P3}, P3, P3),
    "no-scheme": ({"HTTPS_PROXY": "p1:1"}, None, P1),
    "blank": ({"HTTPS_PROXY": "  "}, None, None),
}


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_environment_proxies(name: str) -> None:
    """The proxy variables are read as curl and httpx read them (table)."""
    environ, http, https = ENVIRONMENTS[name]
    proxies = Proxies.from_environment(environ)
    assert proxies.http == (None if http is None else Proxy.from_url(http))
    assert proxies.https == (None if https is None else Proxy.from_url(https))


def test_environment_no_proxy_lower_wins() -> None:
    """no_proxy is read before NO_PROXY."""
    proxies = Proxies.from_environment(
        {"HTTPS_PROXY": P1, "no_proxy": "a.example", "NO_PROXY": "b.example"}
    )
    assert proxies.select(Origin("https", "a.example", 443)) is None
    assert proxies.select(Origin("https", "b.example", 443)) == Proxy.from_url(P1)


def test_resolve_explicit_proxy_ignores_environment() -> None:
    """proxy= replaces the environment (its NO_PROXY too), as in httpx."""
    environ = {"HTTPS_PROXY": P1, "NO_PROXY": "*"}
    proxies = Proxies.resolve(P2, trust_env=True, environ=environ)
    assert proxies is not None
    assert proxies.select(Origin("https", "api.example", 443)) == Proxy.from_url(P2)
    assert proxies.select(Origin("http", "api.example", 80)) == Proxy.from_url(P2)


def test_resolve_trust_env_false_ignores_environment() -> None:
    """trust_env=False reads nothing from the environment."""
    assert Proxies.resolve(None, trust_env=False, environ={"HTTPS_PROXY": P1}) is None
    assert Proxies.resolve(None, trust_env=True, environ={"HTTPS_PROXY": P1}) is not None
    assert Proxies.resolve(None, trust_env=True, environ={}) is None


def test_bad_environment_proxy_refused() -> None:
    """A proxy variable that is no http:// URL is a ValueError, without its credentials."""
    with pytest.raises(ValueError, match="proxy URL") as info:
        Proxies.from_environment({"HTTPS_PROXY": "socks5://u:hunter2-secret@p:1"})
    assert "hunter2-secret" not in str(info.value)
    assert "HTTPS_PROXY" in str(info.value)


# -- NO_PROXY ---------------------------------------------------------------------------

NO_PROXY_CASES: list[tuple[str, str, int, bool]] = [
    # (NO_PROXY, host, port, direct?)
    ("example.com", "example.com", 443, True),
    ("example.com", "api.example.com", 443, True),
    ("example.com", "a.b.example.com", 443, True),
    ("example.com", "notexample.com", 443, False),
    ("example.com", "example.com.evil", 443, False),
    (".example.com", "example.com", 443, True),
    (".example.com", "api.example.com", 443, True),
    ("*.example.com", "api.example.com", 443, True),
    ("*.example.com", "example.com", 443, True),
    ("EXAMPLE.com.", "api.example.com", 443, True),
    ("example.com", "api.example.com.", 443, True),
    ("localhost", "localhost", 8080, True),
    ("localhost", "127.0.0.1", 8080, False),
    ("api.example.com", "example.com", 443, False),
    ("example.com:8443", "example.com", 8443, True),
    ("example.com:8443", "example.com", 443, False),
    ("10.1.2.3", "10.1.2.3", 80, True),
    ("10.1.2.3", "10.1.2.4", 80, False),
    ("10.1.2.3:80", "10.1.2.3", 80, True),
    ("10.1.2.3:80", "10.1.2.3", 81, False),
    ("10.0.0.0/8", "10.200.3.4", 443, True),
    ("10.0.0.0/8", "11.0.0.1", 443, False),
    ("10.0.0.0/8", "ten.example", 443, False),
    ("192.168.1.77/24", "192.168.1.1", 443, True),
    ("::1", "::1", 443, True),
    ("[::1]", "::1", 443, True),
    ("[0:0::1]", "::1", 443, True),
    ("[::1]:8080", "::1", 8080, True),
    ("[::1]:8080", "::1", 8081, False),
    ("fd00::/8", "fd12:3456::1", 443, True),
    ("[fd00::]/8", "fd12:3456::1", 443, True),
    ("fd00::/8", "fe80::1", 443, False),
    ("*", "anything.example", 443, True),
    ("*", "::1", 1, True),
    ("", "example.com", 443, False),
    ("a.example, b.example", "x.b.example", 443, True),
    (" a.example ,,b.example ", "a.example", 443, True),
    ("a.example b.example", "b.example", 443, True),
    ("bad entry[, example.com", "example.com", 443, True),
    ("example.com:notaport", "example.com", 443, False),
    ("10.0.0.0/99", "10.0.0.1", 443, False),
]


@pytest.mark.parametrize(("value", "host", "port", "direct"), NO_PROXY_CASES)
def test_no_proxy_matrix(value: str, host: str, port: int, direct: bool) -> None:
    """NO_PROXY: domain suffixes, exact hosts, IPs, CIDR, host:port and * (table)."""
    assert NoProxy(value).matches(host, port) is direct


def test_no_proxy_decides_select() -> None:
    """A host NO_PROXY matches gets no proxy, whatever its scheme."""
    proxy = Proxy.from_url(P1)
    proxies = Proxies(http=proxy, https=proxy, no_proxy=NoProxy("internal.example"))
    assert proxies.select(Origin("https", "api.internal.example", 443)) is None
    assert proxies.select(Origin("http", "internal.example", 80)) is None
    assert proxies.select(Origin("https", "api.example", 443)) is proxy


@given(
    domain=_DOMAIN, sub=_LABEL, port=st.integers(1, 65535), form=st.sampled_from(["", ".", "*."])
)
def test_no_proxy_domain_matches_itself_and_subdomains(
    domain: str, sub: str, port: int, form: str
) -> None:
    """A domain entry, in any of its three forms, matches the domain and
    every name under it, on any port."""
    no_proxy = NoProxy(form + domain)
    assert no_proxy.matches(domain, port)
    assert no_proxy.matches(f"{sub}.{domain}", port)


@given(domain=_DOMAIN, prefix=_LABEL)
def test_no_proxy_domain_needs_a_label_boundary(domain: str, prefix: str) -> None:
    """A domain entry never matches a name that merely ends with its text."""
    assume(not domain.startswith("."))
    assert not NoProxy(domain).matches(f"{prefix}{domain}", 443) or prefix == ""


@given(
    network=st.one_of(
        st.tuples(st.ip_addresses(v=4), st.integers(0, 32)),
        st.tuples(st.ip_addresses(v=6), st.integers(0, 128)),
    ),
    address=st.ip_addresses(),
)
def test_no_proxy_cidr_is_membership(
    network: tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int],
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    """A CIDR entry matches exactly the addresses inside the network."""
    base, bits = network
    net = ipaddress.ip_network(f"{base}/{bits}", strict=False)
    assert NoProxy(str(net)).matches(str(address), 443) is (address in net)


@given(
    entries=st.lists(st.one_of(_DOMAIN, _IPV4, _IPV6, st.just("*")), max_size=5),
    host=st.one_of(_DOMAIN, _IPV4, _IPV6),
    port=st.integers(1, 65535),
    separator=st.sampled_from([",", ", ", " ", " ,\t"]),
)
def test_no_proxy_list_is_any_entry(
    entries: list[str], host: str, port: int, separator: str
) -> None:
    """A list matches a host when, and only when, one of its entries does;
    upper case changes nothing."""
    whole = NoProxy(separator.join(entries))
    expected = any(NoProxy(entry).matches(host, port) for entry in entries)
    assert whole.matches(host, port) is expected
    assert NoProxy(separator.join(entries).upper()).matches(host, port) is expected
