"""Throwaway TLS certificates for the loopback servers, made by trustme.

One certificate authority per process: its server certificate names
``127.0.0.1`` and ``localhost``, and only a client context built by
:func:`client_context` trusts it, so a client using the system's trust store
must refuse the server.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

import trustme

__all__ = ["HOSTS", "certificate_authority", "client_context", "server_context"]

#: The names the server certificate is valid for.
HOSTS = ("127.0.0.1", "localhost")


@functools.cache
def certificate_authority() -> Any:
    """The process's test CA (a ``trustme.CA``), made on first use."""
    return trustme.CA()


@functools.cache
def _server_cert() -> Any:
    return certificate_authority().issue_cert(*HOSTS)


def server_context() -> ssl.SSLContext:
    """A server-side context presenting a certificate for :data:`HOSTS`."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _server_cert().configure_cert(context)
    return context


def client_context() -> ssl.SSLContext:
    """A client-side context that verifies peers against the test CA only."""
    # PROTOCOL_TLS_CLIENT checks the hostname and requires a certificate,
    # and loads no system CAs: only the test CA is trusted.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    certificate_authority().configure_trust(context)
    return context
