"""Programs the tests start that Python does not install (redis-server,
chromium, node).

A test that needs one calls :func:`require_program`: it skips with a clear
reason when the program is missing, unless ``SSEPROTO_REQUIRE_SERVERS=1`` is
set (CI sets it), where a missing program fails the test instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["require_program"]


def require_program(name: str) -> str:
    """The absolute path of the program ``name`` found on ``PATH``.

    Raises:
        pytest.skip.Exception: when it is missing and ``SSEPROTO_REQUIRE_SERVERS``
            is not ``1``.
        pytest.fail.Exception: when it is missing and ``SSEPROTO_REQUIRE_SERVERS=1``.
    """
    path = shutil.which(name)
    if path is not None:
        return path
    reason = f"{name} is not installed (not found on PATH)"
    if os.environ.get("SSEPROTO_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{reason}, and SSEPROTO_REQUIRE_SERVERS=1 requires it")
    pytest.skip(reason)
