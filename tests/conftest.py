"""pytest configuration: hypothesis profiles, and no proxy from the environment.

``HYPOTHESIS_PROFILE=thorough`` runs many more examples per property (for a
person with time to spare); the default keeps the suite fast; ``ci`` is the
default made repeatable.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from .servers.fixtures import (  # noqa: F401 (fixtures, found by name)
    fault_server_fixture,
    starlette_server_fixture,
    tls_fault_server_fixture,
)

settings.register_profile("default", max_examples=200, deadline=None)
# CI: the same examples on every run, so a red build means a regression.
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.register_profile(
    "thorough",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


#: The variables the socket clients read their proxies from (trust_env=True).
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests talk to loopback servers directly: a developer's proxy
    settings stay out (the proxy tests set their own)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
