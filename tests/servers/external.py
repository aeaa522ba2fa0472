"""Programs the tests start but do not ship (redis-server, chromium, node).

A missing program skips the tests that need it, with the reason, unless
``SSEPROTO_REQUIRE_SERVERS=1`` is set (CI sets it): then it is a failure, so
a machine without the program cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["require_program"]


def require_program(name: str) -> str:
    """The path of the program ``name`` (from ``PATH``, then ``/usr/bin``);
    skips the calling test when absent, or fails it under
    ``SSEPROTO_REQUIRE_SERVERS=1``."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if path is not None:
        return path
    if os.environ.get("SSEPROTO_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{name} is required (SSEPROTO_REQUIRE_SERVERS=1) but was not found")
    pytest.skip(f"{name} was not found (install it to run these tests)")
