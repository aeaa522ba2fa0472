"""The mock's routes for the catalogue and account operations (see ``_routes.py``).

State lives in ``server.store`` under ``server._lock``: ``"keys"`` (hash ->
key record, in creation order), ``"auth_codes"`` (code -> its challenge),
``"generation_content"`` (generation id -> stored content) and
``"feedback"`` (the feedback bodies received, oldest first).

Path parameters arrive percent-encoded; each handler decodes what it uses.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from . import _account, _catalogue
from ._http import Responder
from ._records import RecordedRequest
from ._routes import Route

if TYPE_CHECKING:
    from ._server import MockOpenRouter

__all__ = ["ROUTES"]

Params = Mapping[str, str]


def _bearer_token(record: RecordedRequest) -> str:
    from ._server import _bearer  # noqa: PLC0415 - the server module imports the route table

    return _bearer(record.headers.get("authorization", ""))


def _store(server: MockOpenRouter, name: str) -> Any:
    """``server.store[name]``, made on first use (a list for ``feedback``, else a dict).
    Call with ``server._lock`` held."""
    return server.store.setdefault(name, [] if name == "feedback" else {})


# -- catalogue ------------------------------------------------------------------------


def _send_page(out: Responder, record: RecordedRequest, models: list[dict[str, Any]]) -> bool:
    body = _catalogue.page(models, record.query, record.path)
    if body is None:
        return out.send_error(400, "offset and limit must be integers (limit 1 to 1000)")
    return out.send_json(200, body)


def _models(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    return _send_page(out, record, _catalogue.list_models(record.query))


def _models_user(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params
) -> bool:
    # Every model: the mock has no provider preferences, privacy settings or guardrails.
    return _send_page(out, record, _catalogue.list_models({}))


def _models_count(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params
) -> bool:
    return out.send_json(200, {"data": {"count": _catalogue.count_models(record.query)}})


def _model(server: MockOpenRouter, out: Responder, record: RecordedRequest, p: Params) -> bool:
    model_id = f"{unquote(p['author'])}/{unquote(p['slug'])}"
    base, _, variant = model_id.partition(":")
    if base not in _catalogue.CATALOGUE:
        return out.send_error(404, f"Model {model_id} not found")
    entry = _catalogue.model_entry(base)
    if variant:
        entry["id"] = model_id
    return out.send_json(200, {"data": entry})


def _endpoints(server: MockOpenRouter, out: Responder, record: RecordedRequest, p: Params) -> bool:
    model_id = f"{unquote(p['author'])}/{unquote(p['slug'])}"
    endpoints = _catalogue.endpoints_of(model_id, server.provider)
    if endpoints is None:
        return out.send_error(404, f"Model {model_id} not found")
    return out.send_json(200, {"data": endpoints})


def _zdr(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    return out.send_json(200, {"data": _catalogue.zdr_endpoints(server.provider)})


def _providers(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    return out.send_json(200, {"data": _catalogue.providers(server.provider)})


# -- generations, credits, activity ---------------------------------------------------


def _generation(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    generation_id = record.query.get("id", "")
    with server._lock:
        stats = server._generations.get(generation_id)
    if stats is None:
        return out.send_error(404, f"Generation {generation_id} not found")
    return out.send_json(200, {"data": stats})


def _generation_content(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params
) -> bool:
    generation_id = record.query.get("id", "")
    with server._lock:
        content = _store(server, "generation_content").get(generation_id)
    if content is None:
        return out.send_error(404, f"Generation {generation_id} not found")
    return out.send_json(200, {"data": content})


def _feedback(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    body = record.json
    types = {"generation_id": ("str",), "category": ("str",), "comment": ("str",)}
    problem = _account.body_problem(body, types, ("generation_id", "category"))
    if problem is None and body["category"] not in _account.FEEDBACK_CATEGORIES:
        problem = f"category: expected one of {', '.join(sorted(_account.FEEDBACK_CATEGORIES))}"
    if problem is None and len(body.get("comment", "")) > 1000:
        problem = "comment: at most 1000 characters"
    if problem is not None:
        return out.send_error(400, problem)
    with server._lock:
        known = body["generation_id"] in server._generations
        if known:
            _store(server, "feedback").append(dict(body))
    if not known:
        return out.send_error(404, f"Generation {body['generation_id']} not found")
    return out.send_json(200, {"data": {"success": True}})


def _credits(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    return out.send_json(200, {"data": {"total_credits": 100.0, "total_usage": server._used()}})


def _activity(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    date = record.query.get("date")
    if date is not None:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            return out.send_error(400, "date: expected YYYY-MM-DD")
    group_by = record.query.get("group_by")
    if group_by not in (None, "workspace"):
        return out.send_error(400, "group_by: expected workspace")
    with server._lock:
        generations = list(server._generations.values())
    rows = _account.activity_rows(generations, date=date, by_workspace=group_by == "workspace")
    return out.send_json(200, {"data": rows})


# -- keys -----------------------------------------------------------------------------


def _current_key(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params
) -> bool:
    return out.send_json(200, {"data": _account.key_info(_bearer_token(record), server._used())})


def _list_keys(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    query = record.query
    offset = query.get("offset", "0")
    if not offset.isdigit():
        return out.send_error(400, "offset: expected a non-negative integer")
    disabled_too = query.get("include_disabled") == "true"
    workspace = query.get("workspace_id")
    with server._lock:
        keys = [dict(key) for key in _store(server, "keys").values()]
    keys = [
        key
        for key in keys
        if (disabled_too or not key["disabled"])
        and (workspace is None or key["workspace_id"] == workspace)
    ]
    return out.send_json(200, {"data": keys[int(offset) :]})


def _create_key(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    body = record.json
    problem = _account.body_problem(body, _account.KEY_CREATE_FIELDS, ("name",))
    if problem is not None:
        return out.send_error(400, problem)
    key, made = _account.new_key(body)
    with server._lock:
        _store(server, "keys")[made["hash"]] = made
    return out.send_json(201, {"data": made, "key": key})


def _one_key(server: MockOpenRouter, out: Responder, record: RecordedRequest, p: Params) -> bool:
    key_hash = unquote(p["hash"])
    body = record.json
    if record.method == "PATCH":
        problem = _account.body_problem(body, _account.KEY_UPDATE_FIELDS)
        if problem is None and body.get("name", "x") == "":
            problem = "name: must not be empty"
        if problem is not None:
            return out.send_error(400, problem)
    with server._lock:
        keys = _store(server, "keys")
        found = keys.get(key_hash)
        if found is not None:
            if record.method == "DELETE":
                del keys[key_hash]
            elif record.method == "PATCH":
                _account.update_key(found, body)
            found = dict(found)
    if found is None:
        return out.send_error(404, f"API key {key_hash} not found")
    if record.method == "DELETE":
        return out.send_json(200, {"deleted": True})
    return out.send_json(200, {"data": found})


# -- auth (PKCE) ----------------------------------------------------------------------


def _create_code(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params
) -> bool:
    body = record.json
    problem = _account.body_problem(body, _account.AUTH_CODE_FIELDS, ("callback_url",))
    if problem is None and body.get("code_challenge_method", "S256") not in ("S256", "plain"):
        problem = "code_challenge_method: expected S256 or plain"
    if problem is None and not body["callback_url"].startswith(
        ("https://", "http://localhost", "http://127.0.0.1")
    ):
        problem = "callback_url: expected an https URL, or localhost"
    if problem is not None:
        return out.send_error(400, problem)
    code = "auth_code_" + secrets.token_urlsafe(12)
    with server._lock:
        _store(server, "auth_codes")[code] = {
            "challenge": body.get("code_challenge"),
            "method": body.get("code_challenge_method", "S256"),
            "label": body.get("key_label", "Mock app"),
        }
    data = {"id": code, "app_id": 1, "created_at": _account.timestamp()}
    return out.send_json(200, {"data": data})


def _exchange(server: MockOpenRouter, out: Responder, record: RecordedRequest, _: Params) -> bool:
    body = record.json
    problem = _account.body_problem(body, _account.EXCHANGE_FIELDS, ("code",))
    if problem is not None:
        return out.send_error(400, problem)
    with server._lock:
        # A code is used once, whether the exchange succeeds or not.
        code = _store(server, "auth_codes").pop(body["code"], None)
    if code is None:
        return out.send_error(403, "Invalid or expired authorization code")
    challenge = code["challenge"]
    if challenge is not None and not _account.challenge_matches(
        challenge, code["method"], body.get("code_verifier")
    ):
        return out.send_error(403, "The code verifier does not match the code challenge")
    key, made = _account.new_key({"name": code["label"]})
    with server._lock:
        _store(server, "keys")[made["hash"]] = made
    return out.send_json(200, {"key": key, "user_id": "user_mock"})


ROUTES: tuple[Route, ...] = (
    Route("GET", "/models", _models),
    Route("GET", "/models/count", _models_count),
    Route("GET", "/models/user", _models_user),
    Route("GET", "/model/{author}/{slug}", _model),
    Route("GET", "/models/{author}/{slug}/endpoints", _endpoints),
    Route("GET", "/endpoints/zdr", _zdr),
    Route("GET", "/providers", _providers),
    Route("GET", "/generation", _generation),
    Route("GET", "/generation/content", _generation_content),
    Route("POST", "/generation/feedback", _feedback),
    Route("GET", "/credits", _credits),
    Route("GET", "/activity", _activity),
    Route("GET", "/key", _current_key),
    Route("GET", "/keys", _list_keys),
    Route("POST", "/keys", _create_key),
    Route("GET", "/keys/{hash}", _one_key),
    Route("PATCH", "/keys/{hash}", _one_key),
    Route("DELETE", "/keys/{hash}", _one_key),
    Route("POST", "/auth/keys/code", _create_code),
    Route("POST", "/auth/keys", _exchange),
)
