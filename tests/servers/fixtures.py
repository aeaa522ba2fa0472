"""pytest fixtures for the loopback servers, each started once per session.

Each function is registered under the name tests ask for (``fault_server``,
``tls_fault_server``, ``starlette_server``); the ``_fixture`` suffix keeps the
test parameters from shadowing the import. Register them in
``tests/conftest.py``, or in a test module, with::

    from .servers.fixtures import (  # noqa: F401 (fixtures, found by name)
        fault_server_fixture,
        starlette_server_fixture,
        tls_fault_server_fixture,
    )

The servers are shared by every test of the session, so a test tells its own
requests apart by their target (add a unique query string when it matters).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .faults import FaultServer
from .starlette_app import StarletteServer
from .tls import server_context

__all__ = ["fault_server_fixture", "starlette_server_fixture", "tls_fault_server_fixture"]


@pytest.fixture(scope="session", name="fault_server")
def fault_server_fixture() -> Iterator[FaultServer]:
    """The fault-injection server over plain HTTP."""
    with FaultServer() as server:
        yield server


@pytest.fixture(scope="session", name="tls_fault_server")
def tls_fault_server_fixture() -> Iterator[FaultServer]:
    """The fault-injection server over HTTPS, with a certificate from the test CA
    (trust it with ``tests.servers.tls.client_context()``)."""
    with FaultServer(ssl_context=server_context()) as server:
        yield server


@pytest.fixture(scope="session", name="starlette_server")
def starlette_server_fixture() -> Iterator[StarletteServer]:
    """uvicorn serving the sse-starlette endpoints."""
    with StarletteServer() as server:
        yield server
