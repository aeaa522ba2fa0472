"""pytest configuration: hypothesis profiles.

``HYPOTHESIS_PROFILE=thorough`` runs many more examples per property (for a
person with time to spare); the default keeps the suite fast; ``ci`` is the
default made repeatable.
"""

from __future__ import annotations

import os

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
