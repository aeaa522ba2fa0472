"""client.generations, .credits, .activity, .keys and .auth, on the blocking
and async clients, against the mock: the request each operation sends
(checked against OpenRouter's OpenAPI description), the typed result, the
input refused before anything is sent, and the rule that a new API key is
never shown by a record or an error."""

from __future__ import annotations

import datetime
import functools
import traceback
from typing import Any

import pytest

from openrouter import (
    REDACTED,
    ActivityItem,
    APIKey,
    AuthCode,
    AuthCodeRequest,
    BadRequestError,
    ChatCompletionRequest,
    CompletionRequest,
    CreatedKey,
    Credits,
    ExchangedKey,
    Generation,
    GenerationContent,
    KeyCreateRequest,
    KeyInfo,
    KeyUpdateRequest,
    Message,
    NotFoundError,
    PermissionDeniedError,
    PKCEPair,
    ResponseDecodeError,
    pkce_challenge,
    pkce_pair,
)
from openrouter.testing import MockOpenRouter, _account_routes
from openrouter.testing._routes import Route

from ._account_harness import (  # noqa: F401 (fixtures, found by name)
    FACES,
    TRIO,
    check_query,
    check_schema,
    last,
    mock_fixture,
    run,
    server_fixture,
)

# The request bodies in the OpenAPI description: member -> JSON types.
KEY_CREATE_SCHEMA = {
    "name": "string",
    "limit": "number|null",
    "limit_reset": "string|null",
    "include_byok_in_limit": "boolean",
    "expires_at": "string|null",
    "workspace_id": "string",
    "creator_user_id": "string|null",
}
KEY_UPDATE_SCHEMA = {
    "name": "string",
    "disabled": "boolean",
    "limit": "number|null",
    "limit_reset": "string|null",
    "include_byok_in_limit": "boolean",
}
AUTH_CODE_SCHEMA = {
    "callback_url": "string",
    "code_challenge": "string",
    "code_challenge_method": "string",
    "expires_at": "string|null",
    "key_label": "string",
    "limit": "number",
    "spawn_agent": "string",
    "spawn_cloud": "string",
    "usage_limit_type": "string",
    "workspace_id": "string",
}
EXCHANGE_SCHEMA = {
    "code": "string",
    "code_challenge_method": "string|null",
    "code_verifier": "string",
}
FEEDBACK_SCHEMA = {"generation_id": "string", "category": "string", "comment": "string"}

#: RFC 7636, appendix B.
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def generate(server: MockOpenRouter, prompt: str = "Tell me a story") -> str:
    """Have the mock serve one chat completion; its generation id."""
    request = ChatCompletionRequest(model="mock/story", messages=[Message.user(prompt)])
    reply = run("sync", server, lambda c: c.chat_completion(request))
    assert isinstance(reply.id, str)
    return reply.id


# -- generations ---------------------------------------------------------------------------


@TRIO
def test_generations_get(face: str, server: MockOpenRouter) -> None:
    """generations.get(id) is GET /generation?id= and gives a Generation."""
    generation_id = generate(server)
    found = run(face, server, lambda c: c.generations.get(generation_id))
    assert isinstance(found, Generation)
    assert (found.id, found.model) == (generation_id, "mock/story")
    record = last(server)
    assert (record.method, record.path, dict(record.query)) == (
        "GET",
        "/api/v1/generation",
        {"id": generation_id},
    )


@FACES
def test_generations_content_of_a_chat(face: str, server: MockOpenRouter) -> None:
    """generations.content(id) is GET /generation/content?id= with the prompt and answer."""
    generation_id = generate(server, "Once upon a time")
    content = run(face, server, lambda c: c.generations.content(generation_id))
    assert isinstance(content, GenerationContent)
    assert content.input is not None
    assert content.input.messages == [{"role": "user", "content": "Once upon a time"}]
    assert content.input.prompt is None
    assert content.output is not None
    assert content.output.completion is not None
    assert content.output.completion.startswith("The lighthouse keeper")
    assert content.error is None
    record = last(server)
    assert (record.path, dict(record.query)) == (
        "/api/v1/generation/content",
        {"id": generation_id},
    )


def test_generations_content_of_a_text_completion(server: MockOpenRouter) -> None:
    """A legacy completion's stored input is its prompt."""
    reply = run(
        "sync",
        server,
        lambda c: c.completion(CompletionRequest(model="mock/story", prompt="Once")),
    )
    content = run("asyncio", server, lambda c: c.generations.content(reply.id))
    assert content.input is not None
    assert (content.input.prompt, content.input.messages) == ("Once", None)


@FACES
@pytest.mark.parametrize("operation", ["get", "content"])
def test_generations_unknown_is_not_found(
    face: str, operation: str, server: MockOpenRouter
) -> None:
    """An id the mock never served is a NotFoundError."""
    with pytest.raises(NotFoundError):
        run(face, server, lambda c: getattr(c.generations, operation)("gen-0-unknown"))


@FACES
def test_generations_feedback(face: str, server: MockOpenRouter) -> None:
    """generations.feedback() is POST /generation/feedback with the documented body."""
    generation_id = generate(server)
    confirmed = run(
        face,
        server,
        lambda c: c.generations.feedback(generation_id, "incoherence", "It repeated itself."),
    )
    assert confirmed is True
    record = last(server)
    assert (record.method, record.path) == ("POST", "/api/v1/generation/feedback")
    check_schema(record.json, FEEDBACK_SCHEMA, ("generation_id", "category"))
    assert record.json == {
        "generation_id": generation_id,
        "category": "incoherence",
        "comment": "It repeated itself.",
    }
    run(face, server, lambda c: c.generations.feedback(generation_id, "other"))
    assert last(server).json == {"generation_id": generation_id, "category": "other"}


def test_generations_feedback_on_an_unknown_generation(server: MockOpenRouter) -> None:
    """Feedback on an id the mock never served is a NotFoundError."""
    with pytest.raises(NotFoundError):
        run("sync", server, lambda c: c.generations.feedback("gen-0-unknown", "latency"))


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("gen-1", "slow"), ValueError),
        (("gen-1", "LATENCY"), ValueError),
        (("", "latency"), ValueError),
        (("gen-1", "latency", "x" * 1001), ValueError),
        ((None, "latency"), TypeError),
        (("gen-1", 3), TypeError),
        (("gen-1", "latency", b"bytes"), TypeError),
    ],
)
def test_generations_refuse_bad_input_before_sending(
    server: MockOpenRouter, args: tuple[Any, ...], error: type[Exception]
) -> None:
    """An undocumented category, an empty id or a long comment raise; nothing is sent."""
    for face in ("sync", "asyncio"):
        with pytest.raises(error):
            run(face, server, lambda c: c.generations.feedback(*args))
    with pytest.raises(ValueError, match="generation_id"):
        run("sync", server, lambda c: c.generations.content(""))
    with pytest.raises(TypeError):
        run("sync", server, lambda c: c.generations.content(5))
    assert server.requests == []


# -- credits, activity ----------------------------------------------------------------------


@FACES
def test_credits_get(face: str, server: MockOpenRouter) -> None:
    """credits.get() is GET /credits and gives Credits."""
    found = run(face, server, lambda c: c.credits.get())
    assert isinstance(found, Credits)
    assert found.total_credits == 100.0
    assert (last(server).method, last(server).path) == ("GET", "/api/v1/credits")


@TRIO
def test_activity_list(face: str, server: MockOpenRouter) -> None:
    """activity.list() is GET /activity with the documented parameters; rows are typed."""
    generate(server)
    today = datetime.datetime.now(datetime.UTC).date()
    rows = run(
        face,
        server,
        lambda c: c.activity.list(
            date=today,
            api_key_hash="ab" * 32,
            user_id="user_1",
            group_by="workspace",
            workspace_id="00000000-0000-4000-8000-000000000001",
        ),
    )
    record = last(server)
    assert (record.method, record.path) == ("GET", "/api/v1/activity")
    check_query(record, {"date", "api_key_hash", "user_id", "group_by", "workspace_id"})
    assert dict(record.query) == {
        "date": today.isoformat(),
        "api_key_hash": "ab" * 32,
        "user_id": "user_1",
        "group_by": "workspace",
        "workspace_id": "00000000-0000-4000-8000-000000000001",
    }
    story = next(row for row in rows if row.model == "mock/story")
    assert isinstance(story, ActivityItem)
    assert story.date == today.isoformat()
    assert story.requests is not None
    assert story.requests >= 1
    assert story.workspace_id == "00000000-0000-4000-8000-000000000001"
    assert run(face, server, lambda c: c.activity.list(date="2001-01-01")) == []
    assert dict(last(server).query) == {"date": "2001-01-01"}


@pytest.mark.parametrize(
    ("date", "error"),
    [
        ("2025-13-01", ValueError),
        ("20250824", ValueError),
        ("yesterday", ValueError),
        (datetime.datetime(2025, 8, 24, tzinfo=datetime.UTC), TypeError),
        (20250824, TypeError),
    ],
)
def test_activity_refuses_a_bad_date(server: MockOpenRouter, date: Any, error: type) -> None:
    """A date that is not a YYYY-MM-DD day (or a date) raises; nothing is sent."""
    for face in ("sync", "asyncio"):
        with pytest.raises(error):
            run(face, server, lambda c: c.activity.list(date=date))
    assert server.requests == []


# -- keys ---------------------------------------------------------------------------------


@FACES
def test_keys_current(face: str, server: MockOpenRouter) -> None:
    """keys.current() is GET /key and gives KeyInfo."""
    found = run(face, server, lambda c: c.keys.current())
    assert isinstance(found, KeyInfo)
    assert found.limit == 100.0
    assert (last(server).method, last(server).path) == ("GET", "/api/v1/key")


@TRIO
def test_keys_lifecycle(face: str, server: MockOpenRouter) -> None:
    """A created key can be fetched, listed, updated and deleted; then it is a 404."""
    request = KeyCreateRequest(
        "CI key",
        limit=25.0,
        limit_reset="monthly",
        include_byok_in_limit=True,
        expires_at=datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    )
    created = run(face, server, lambda c: c.keys.create(request))
    record = last(server)
    assert (record.method, record.path) == ("POST", "/api/v1/keys")
    check_schema(record.json, KEY_CREATE_SCHEMA, ("name",))
    assert record.json == {
        "name": "CI key",
        "limit": 25.0,
        "limit_reset": "monthly",
        "include_byok_in_limit": True,
        "expires_at": "2030-01-02T03:04:05+00:00",
    }
    assert isinstance(created, CreatedKey)
    assert created.key is not None
    assert created.key.startswith("sk-or-v1-")
    key = created.data
    assert isinstance(key, APIKey)
    assert (key.name, key.limit, key.disabled, key.limit_reset) == (
        "CI key",
        25.0,
        False,
        "monthly",
    )
    assert key.hash is not None

    fetched = run(face, server, lambda c: c.keys.get(key.hash))
    assert isinstance(fetched, APIKey)
    assert fetched == key
    assert last(server).path == f"/api/v1/keys/{key.hash}"

    change = KeyUpdateRequest(name="CI key (off)", disabled=True, limit=5.0)
    updated = run(face, server, lambda c: c.keys.update(key.hash, change))
    record = last(server)
    assert (record.method, record.path) == ("PATCH", f"/api/v1/keys/{key.hash}")
    check_schema(record.json, KEY_UPDATE_SCHEMA)
    assert record.json == {"name": "CI key (off)", "disabled": True, "limit": 5.0}
    assert (updated.name, updated.disabled, updated.limit) == ("CI key (off)", True, 5.0)
    assert updated.updated_at is not None

    assert run(face, server, lambda c: c.keys.list()) == []
    listed = run(face, server, lambda c: c.keys.list(include_disabled=True))
    assert [k.hash for k in listed] == [key.hash]
    assert dict(last(server).query) == {"include_disabled": "true"}

    assert run(face, server, lambda c: c.keys.delete(key.hash)) is True
    assert (last(server).method, last(server).path) == ("DELETE", f"/api/v1/keys/{key.hash}")
    with pytest.raises(NotFoundError):
        run(face, server, lambda c: c.keys.get(key.hash))
    with pytest.raises(NotFoundError):
        run(face, server, lambda c: c.keys.delete(key.hash))
    with pytest.raises(NotFoundError):
        run(face, server, lambda c: c.keys.update(key.hash, {"name": "gone"}))


@FACES
def test_keys_take_mapping_requests(face: str, server: MockOpenRouter) -> None:
    """create() and update() send a mapping as the wire JSON, null included."""
    created = run(
        face, server, lambda c: c.keys.create({"name": "raw", "limit": 3, "workspace_id": "w1"})
    )
    assert last(server).json == {"name": "raw", "limit": 3, "workspace_id": "w1"}
    assert created.data.workspace_id == "w1"
    updated = run(face, server, lambda c: c.keys.update(created.data.hash, {"limit": None}))
    assert last(server).json == {"limit": None}
    check_schema(last(server).json, KEY_UPDATE_SCHEMA)
    assert updated.limit is None
    assert updated.limit_remaining is None
    cleared = KeyUpdateRequest(extra={"limit_reset": None})
    run(face, server, lambda c: c.keys.update(created.data.hash, cleared))
    assert last(server).json == {"limit_reset": None}


def _create(client: Any, request: KeyCreateRequest) -> Any:
    return client.keys.create(request)


@FACES
def test_keys_list_query(face: str, server: MockOpenRouter) -> None:
    """keys.list() sends include_disabled, offset and workspace_id as documented."""
    for request in map(KeyCreateRequest, ("a", "b", "c")):
        run("sync", server, functools.partial(_create, request=request))
    found = run(
        face,
        server,
        lambda c: c.keys.list(
            include_disabled=False,
            offset=1,
            workspace_id="00000000-0000-4000-8000-000000000001",
        ),
    )
    record = last(server)
    check_query(record, {"include_disabled", "offset", "workspace_id"})
    assert dict(record.query) == {
        "include_disabled": "false",
        "offset": "1",
        "workspace_id": "00000000-0000-4000-8000-000000000001",
    }
    assert [k.name for k in found] == ["b", "c"]


@FACES
def test_keys_create_refused_by_the_server(face: str, server: MockOpenRouter) -> None:
    """A mapping the server refuses (a number for name) is a BadRequestError."""
    with pytest.raises(BadRequestError, match="name"):
        run(face, server, lambda c: c.keys.create({"name": 5}))
    with pytest.raises(BadRequestError, match="limit_reset"):
        run(face, server, lambda c: c.keys.create({"name": "n", "limit_reset": "hourly"}))


@pytest.mark.parametrize(
    ("key_hash", "error"),
    [
        ("", ValueError),
        ("ab/cd", ValueError),
        ("/", ValueError),
        (".", ValueError),
        ("..", ValueError),
        (None, TypeError),
        (b"abc", TypeError),
    ],
)
def test_key_hash_is_checked_before_sending(
    server: MockOpenRouter, key_hash: Any, error: type[Exception]
) -> None:
    """An empty, slashed, dot or non-str hash is refused by get, update and delete."""
    operations = [
        lambda c: c.keys.get(key_hash),
        lambda c: c.keys.update(key_hash, KeyUpdateRequest(name="x")),
        lambda c: c.keys.delete(key_hash),
    ]
    for face in ("sync", "asyncio"):
        for operation in operations:
            with pytest.raises(error):
                run(face, server, operation)
    assert server.requests == []


@FACES
def test_key_hash_is_percent_encoded(face: str, server: MockOpenRouter) -> None:
    """Other characters of a hash are percent-encoded: the path keeps one segment."""
    with pytest.raises(NotFoundError):
        run(face, server, lambda c: c.keys.get("a?b#c d"))
    assert last(server).path == "/api/v1/keys/a%3Fb%23c%20d"


def test_key_requests_refuse_bad_types_before_sending(server: MockOpenRouter) -> None:
    """Request objects check their fields; a request of another kind is a TypeError."""
    with pytest.raises(ValueError, match="name"):
        KeyCreateRequest("")
    with pytest.raises(TypeError, match="limit"):
        KeyCreateRequest("n", limit="5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="include_byok_in_limit"):
        KeyCreateRequest("n", include_byok_in_limit=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time zone"):
        KeyCreateRequest("n", expires_at=datetime.datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="name"):
        KeyUpdateRequest(name="")
    with pytest.raises(TypeError, match="disabled"):
        KeyUpdateRequest(disabled="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="callback_url"):
        AuthCodeRequest("")
    with pytest.raises(TypeError):
        run("sync", server, lambda c: c.keys.create(KeyUpdateRequest(name="x")))
    with pytest.raises(TypeError):
        run("asyncio", server, lambda c: c.keys.update("h", KeyCreateRequest("x")))
    with pytest.raises(TypeError, match="str keys"):
        run("sync", server, lambda c: c.keys.create({1: "x"}))
    with pytest.raises(ValueError, match="offset"):
        run("asyncio", server, lambda c: c.keys.list(offset=-1))
    with pytest.raises(TypeError, match="include_disabled"):
        run("sync", server, lambda c: c.keys.list(include_disabled="true"))
    assert server.requests == []


# -- the secret rule -----------------------------------------------------------------------


def test_created_key_is_never_shown(server: MockOpenRouter) -> None:
    """A new key is in .key only: not in repr(), str(), raw, or the metadata."""
    created = run("sync", server, lambda c: c.keys.create(KeyCreateRequest("secret")))
    secret = created.key
    assert secret is not None
    assert len(secret) > 20
    for shown in (repr(created), str(created), repr(created.raw), repr(created.data)):
        assert secret not in shown
    assert f"key={REDACTED!r}" in repr(created)
    assert created.raw["key"] == REDACTED
    assert created != CreatedKey.from_dict({**created.raw, "key": "sk-or-v1-other"})


def test_a_broken_create_answer_does_not_show_the_key(
    server: MockOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A create answer that is not JSON raises ResponseDecodeError without the key."""
    secret = "sk-or-v1-" + "5e" * 32

    def broken(_server: Any, out: Any, _record: Any, _params: Any) -> bool:
        body = b'{"data": {"name": "x"}, "key": "' + secret.encode() + b'"'  # cut short
        return bool(out.send_body(201, body, "application/json"))

    monkeypatch.setattr(
        _account_routes, "ROUTES", (Route("POST", "/keys", broken), *_account_routes.ROUTES)
    )
    for face in ("sync", "asyncio"):
        with pytest.raises(ResponseDecodeError) as caught:
            run(face, server, lambda c: c.keys.create(KeyCreateRequest("x")))
        shown = "".join(traceback.format_exception(caught.value))
        assert secret not in shown
        assert secret not in repr(caught.value)
        assert secret.encode() not in caught.value.body


@TRIO
def test_auth_pkce_flow(face: str, server: MockOpenRouter) -> None:
    """create_code() then exchange_code() with the verifier gives the user's key."""
    pair = pkce_pair()
    request = AuthCodeRequest(
        "http://localhost:3000/callback",
        code_challenge=pair.challenge,
        code_challenge_method="S256",
        limit=10.0,
        key_label="My CLI",
        usage_limit_type="monthly",
    )
    code = run(face, server, lambda c: c.auth.create_code(request))
    record = last(server)
    assert (record.method, record.path) == ("POST", "/api/v1/auth/keys/code")
    check_schema(record.json, AUTH_CODE_SCHEMA, ("callback_url",))
    assert record.json == {
        "callback_url": "http://localhost:3000/callback",
        "code_challenge": pair.challenge,
        "code_challenge_method": "S256",
        "limit": 10.0,
        "key_label": "My CLI",
        "usage_limit_type": "monthly",
    }
    assert isinstance(code, AuthCode)
    assert code.id is not None
    assert code.app_id == 1

    exchanged = run(
        face,
        server,
        lambda c: c.auth.exchange_code(
            code.id, code_verifier=pair.verifier, code_challenge_method="S256"
        ),
    )
    record = last(server)
    assert (record.method, record.path) == ("POST", "/api/v1/auth/keys")
    check_schema(record.json, EXCHANGE_SCHEMA, ("code",))
    assert record.json == {
        "code": code.id,
        "code_verifier": pair.verifier,
        "code_challenge_method": "S256",
    }
    assert isinstance(exchanged, ExchangedKey)
    assert exchanged.user_id == "user_mock"
    assert exchanged.key is not None
    assert exchanged.key.startswith("sk-or-v1-")
    assert exchanged.key not in repr(exchanged)
    assert exchanged.key not in str(exchanged)
    with pytest.raises(PermissionDeniedError):  # a code is used once
        run(face, server, lambda c: c.auth.exchange_code(code.id, code_verifier=pair.verifier))


@FACES
def test_auth_wrong_verifier_is_refused(face: str, server: MockOpenRouter) -> None:
    """A verifier that does not answer the challenge is a PermissionDeniedError."""
    pair = pkce_pair()
    code = run(
        face,
        server,
        lambda c: c.auth.create_code(
            {"callback_url": "https://app.example/cb", "code_challenge": pair.challenge}
        ),
    )
    assert last(server).json == {
        "callback_url": "https://app.example/cb",
        "code_challenge": pair.challenge,
    }
    with pytest.raises(PermissionDeniedError):
        run(face, server, lambda c: c.auth.exchange_code(code.id, code_verifier=RFC_VERIFIER))


def test_auth_refuses_bad_input_before_sending(server: MockOpenRouter) -> None:
    """An empty or non-str code, or a non-str verifier, raises; nothing is sent."""
    for face in ("sync", "asyncio"):
        with pytest.raises(ValueError, match="code"):
            run(face, server, lambda c: c.auth.exchange_code(""))
        with pytest.raises(TypeError):
            run(face, server, lambda c: c.auth.exchange_code(5))
        with pytest.raises(TypeError):
            run(face, server, lambda c: c.auth.exchange_code("c", code_verifier=b"v"))
        with pytest.raises(TypeError):
            run(face, server, lambda c: c.auth.create_code("https://app.example/cb"))
    assert server.requests == []


def test_pkce_challenge_matches_rfc7636_appendix_b() -> None:
    """The S256 challenge of RFC 7636's example verifier is the RFC's."""
    assert pkce_challenge(RFC_VERIFIER) == RFC_CHALLENGE


def test_pkce_pair_is_fresh_and_valid() -> None:
    """pkce_pair() gives a 64-character verifier and its S256 challenge, new each time."""
    first, second = pkce_pair(), pkce_pair()
    assert isinstance(first, PKCEPair)
    assert first.method == "S256"
    assert len(first.verifier) == 64
    assert first.challenge == pkce_challenge(first.verifier)
    assert first.verifier != second.verifier


@pytest.mark.parametrize("verifier", ["short", "a" * 42, "a" * 129, "a" * 42 + "!", "é" * 43])
def test_pkce_challenge_refuses_a_bad_verifier(verifier: str) -> None:
    """A verifier outside RFC 7636's 43-128 unreserved characters is a ValueError."""
    with pytest.raises(ValueError, match="RFC 7636"):
        pkce_challenge(verifier)


# -- records --------------------------------------------------------------------------------


def test_account_records_tolerate_unknown_and_missing_fields() -> None:
    """Unknown fields stay in raw; missing or mistyped ones read as None."""
    key = APIKey.from_dict({"data": {"hash": "h", "disabled": "no", "tier": "gold"}})
    assert (key.hash, key.disabled, key.name) == ("h", None, None)
    assert key.raw["tier"] == "gold"
    row = ActivityItem.from_dict({"date": "2025-08-24", "requests": "5", "new": 1})
    assert (row.date, row.requests, row.raw["new"]) == ("2025-08-24", None, 1)
    content = GenerationContent.from_dict(
        {
            "data": {
                "input": {"prompt": "p"},
                "output": {"completion": None, "reasoning": "r"},
                "error": {
                    "status": 504,
                    "message": "Timed out",
                    "provider_name": "Vertex",
                    "raw": '{"error":{}}',
                    "previous_errors": [{"code": 429, "raw": "x"}, "junk"],
                },
            }
        }
    )
    assert content.error is not None
    assert (content.error.status, content.error.raw_error) == (504, '{"error":{}}')
    assert content.error.previous_errors is not None
    assert [(a.code, a.raw_error) for a in content.error.previous_errors] == [(429, "x")]
    assert content.output is not None
    assert (content.output.completion, content.output.reasoning) == (None, "r")
    empty = CreatedKey.from_dict(None)
    assert (empty.key, empty.data, repr(empty)) == (None, None, "CreatedKey()")
    assert ExchangedKey.from_dict({"key": 5}).key is None
    assert AuthCode.from_dict({"data": {"id": "c", "app_id": 2}}).app_id == 2
