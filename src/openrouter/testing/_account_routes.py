"""The mock's routes for the account operations (see ``_routes.py``)."""

from __future__ import annotations

from ._routes import Route

__all__ = ["ROUTES"]

ROUTES: tuple[Route, ...] = ()
