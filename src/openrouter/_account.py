"""The account namespaces: ``client.generations``, ``client.credits``,
``client.activity``, ``client.keys`` and ``client.auth``.

Each operation is built once, by a module-level function that checks the
arguments (before anything is sent) and returns the call's flow; both faces
run it (``self._run``). Path parameters (key hashes) go through
``path_segment``: a ``/``, a dot segment or an empty hash is refused, the
rest percent-encoded.
"""

from __future__ import annotations

import builtins
import datetime
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, Unpack

from ._account_records import (
    ActivityItem,
    APIKey,
    AuthCode,
    CreatedKey,
    ExchangedKey,
    GenerationContent,
)
from ._account_requests import (
    AuthCodeRequest,
    FeedbackCategory,
    KeyCreateRequest,
    KeyUpdateRequest,
    feedback_body,
)
from ._catalogue import paging
from ._catalogue_records import data_list, data_object
from ._requests import _check_bool, _check_str, _require_str, path_segment
from ._resource import AsyncResource, CallOptions, Resource, request_body
from ._responses import Credits, Generation, KeyInfo

if TYPE_CHECKING:
    from ._client import Flow, _Core, _Options

__all__ = [
    "ActivityResource",
    "AsyncActivityResource",
    "AsyncAuthResource",
    "AsyncCreditsResource",
    "AsyncGenerationsResource",
    "AsyncKeysResource",
    "AuthResource",
    "CreditsResource",
    "GenerationsResource",
    "KeysResource",
]


def _flag(body: object, outer: str | None, name: str) -> bool:
    """Whether ``body[outer][name]`` (or ``body[name]``) is ``true``; never raises."""
    if outer is not None:
        body = body.get(outer) if isinstance(body, dict) else None
    return isinstance(body, dict) and body.get(name) is True


# -- generations ----------------------------------------------------------------------


def _generation_query(generation_id: object) -> dict[str, str]:
    _require_str("generation_id", generation_id, empty_ok=False)
    assert isinstance(generation_id, str)  # checked above
    return {"id": generation_id}


def _generation_flow(core: _Core, generation_id: str, options: _Options) -> Flow:
    query = _generation_query(generation_id)
    return core._call("GET", "generation", Generation.from_dict, options, query=query)


def _content_flow(core: _Core, generation_id: str, options: _Options) -> Flow:
    query = _generation_query(generation_id)
    parse = GenerationContent.from_dict
    return core._call("GET", "generation/content", parse, options, query=query)


def _feedback_flow(
    core: _Core, generation_id: str, category: str, comment: str | None, options: _Options
) -> Flow:
    body = feedback_body(generation_id, category, comment)

    def parse(answer: object) -> bool:
        return _flag(answer, "data", "success")

    return core._call("POST", "generation/feedback", parse, options, payload=body)


class GenerationsResource(Resource):
    """``client.generations``: what is stored about past generations."""

    __slots__ = ()

    def get(self, generation_id: str, **options: Unpack[CallOptions]) -> Generation:
        """``GET /generation?id=...``: cost, token counts and timing of one generation.

        Raises:
            TypeError: ``generation_id`` is not a str.
            ValueError: ``generation_id`` is empty.
            NotFoundError: no such generation (yet: statistics arrive a
                moment after the generation ends).
        """
        flow = _generation_flow(self._core, generation_id, self._options(options))
        result: Generation = self._run(flow)
        return result

    def content(self, generation_id: str, **options: Unpack[CallOptions]) -> GenerationContent:
        """``GET /generation/content?id=...``: the stored prompt and answer of
        a generation, and its failure if it failed.

        Raises:
            TypeError: ``generation_id`` is not a str.
            ValueError: ``generation_id`` is empty.
            NotFoundError: no such generation, or nothing stored for it.
        """
        flow = _content_flow(self._core, generation_id, self._options(options))
        result: GenerationContent = self._run(flow)
        return result

    def feedback(
        self,
        generation_id: str,
        category: FeedbackCategory,
        comment: str | None = None,
        **options: Unpack[CallOptions],
    ) -> bool:
        """``POST /generation/feedback``: report a problem with a generation.

        ``category`` is one of :data:`~openrouter.FeedbackCategory`
        (``"latency"``, ``"incoherence"``, ``"incorrect_response"``,
        ``"formatting"``, ``"billing"``, ``"api_error"``, ``"other"``);
        ``comment`` is free text of at most 1000 characters. Returns whether
        the server confirmed it (``data.success``).

        Raises:
            TypeError: an argument is not a str.
            ValueError: ``generation_id`` is empty, ``category`` is not a
                documented one, or ``comment`` is too long; nothing is sent.
            NotFoundError: no such generation.
        """
        flow = _feedback_flow(self._core, generation_id, category, comment, self._options(options))
        result: bool = self._run(flow)
        return result


class AsyncGenerationsResource(AsyncResource):
    """``client.generations`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`GenerationsResource`, awaited."""

    __slots__ = ()

    async def get(self, generation_id: str, **options: Unpack[CallOptions]) -> Generation:
        """As :meth:`GenerationsResource.get`."""
        flow = _generation_flow(self._core, generation_id, self._options(options))
        result: Generation = await self._run(flow)
        return result

    async def content(
        self, generation_id: str, **options: Unpack[CallOptions]
    ) -> GenerationContent:
        """As :meth:`GenerationsResource.content`."""
        flow = _content_flow(self._core, generation_id, self._options(options))
        result: GenerationContent = await self._run(flow)
        return result

    async def feedback(
        self,
        generation_id: str,
        category: FeedbackCategory,
        comment: str | None = None,
        **options: Unpack[CallOptions],
    ) -> bool:
        """As :meth:`GenerationsResource.feedback`."""
        flow = _feedback_flow(self._core, generation_id, category, comment, self._options(options))
        result: bool = await self._run(flow)
        return result


# -- credits --------------------------------------------------------------------------


def _credits_flow(core: _Core, options: _Options) -> Flow:
    return core._call("GET", "credits", Credits.from_dict, options)


class CreditsResource(Resource):
    """``client.credits``: the account's credits."""

    __slots__ = ()

    def get(self, **options: Unpack[CallOptions]) -> Credits:
        """``GET /credits``: credits bought and used, in US dollars."""
        result: Credits = self._run(_credits_flow(self._core, self._options(options)))
        return result


class AsyncCreditsResource(AsyncResource):
    """``client.credits`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`CreditsResource`, awaited."""

    __slots__ = ()

    async def get(self, **options: Unpack[CallOptions]) -> Credits:
        """As :meth:`CreditsResource.get`."""
        result: Credits = await self._run(_credits_flow(self._core, self._options(options)))
        return result


# -- activity -------------------------------------------------------------------------

_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: object) -> str | None:
    """A UTC day as ``"YYYY-MM-DD"``: a ``datetime.date`` or a string of that form."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        # A datetime's day depends on its time zone: the caller picks it.
        raise TypeError("date must be a datetime.date or 'YYYY-MM-DD', not a datetime")
    if isinstance(value, datetime.date):
        return value.isoformat()
    _require_str("date", value)
    assert isinstance(value, str)  # checked above
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        valid = False
    else:
        valid = _DATE.fullmatch(value) is not None
    if not valid:
        raise ValueError(f"date must be a day written YYYY-MM-DD, got {value!r}")
    return value


def _activity_flow(
    core: _Core,
    options: _Options,
    date: str | datetime.date | None,
    api_key_hash: str | None,
    user_id: str | None,
    group_by: str | None,
    workspace_id: str | None,
) -> Flow:
    query: dict[str, str] = {}
    day = _day(date)
    if day is not None:
        query["date"] = day
    named = {
        "api_key_hash": api_key_hash,
        "user_id": user_id,
        "group_by": group_by,
        "workspace_id": workspace_id,
    }
    for name, value in named.items():
        _check_str(name, value)
        if value is not None:
            query[name] = value
    return core._call("GET", "activity", data_list(ActivityItem), options, query=query or None)


class ActivityResource(Resource):
    """``client.activity``: the account's use, day by day."""

    __slots__ = ()

    def list(
        self,
        date: str | datetime.date | None = None,
        api_key_hash: str | None = None,
        user_id: str | None = None,
        group_by: Literal["workspace"] | str | None = None,
        workspace_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> builtins.list[ActivityItem]:
        """``GET /activity``: use per day and model endpoint over the last 30
        completed UTC days, as :class:`ActivityItem` rows (management key).

        ``date`` keeps one day (a ``datetime.date`` or ``"YYYY-MM-DD"``);
        ``api_key_hash`` one key (its ``hash``); ``user_id`` one member of an
        organization; ``workspace_id`` one workspace; ``group_by="workspace"``
        splits each row per workspace (and sets ``workspace_id`` on them).

        Raises:
            TypeError: an argument has the wrong type (a ``datetime`` is
                refused: its day depends on the time zone).
            ValueError: ``date`` is not a ``YYYY-MM-DD`` day.
        """
        flow = _activity_flow(
            self._core, self._options(options), date, api_key_hash, user_id, group_by, workspace_id
        )
        result: builtins.list[ActivityItem] = self._run(flow)
        return result


class AsyncActivityResource(AsyncResource):
    """``client.activity`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`ActivityResource`, awaited."""

    __slots__ = ()

    async def list(
        self,
        date: str | datetime.date | None = None,
        api_key_hash: str | None = None,
        user_id: str | None = None,
        group_by: Literal["workspace"] | str | None = None,
        workspace_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> builtins.list[ActivityItem]:
        """As :meth:`ActivityResource.list`."""
        flow = _activity_flow(
            self._core, self._options(options), date, api_key_hash, user_id, group_by, workspace_id
        )
        result: builtins.list[ActivityItem] = await self._run(flow)
        return result


# -- keys -----------------------------------------------------------------------------


def _key_path(hash: str) -> str:
    return f"keys/{path_segment('hash', hash)}"


def _current_flow(core: _Core, options: _Options) -> Flow:
    return core._call("GET", "key", KeyInfo.from_dict, options)


def _keys_flow(
    core: _Core,
    include_disabled: bool | None,
    offset: int | None,
    workspace_id: str | None,
    options: _Options,
) -> Flow:
    _check_bool("include_disabled", include_disabled)
    _check_str("workspace_id", workspace_id)
    query = paging(offset)
    if include_disabled is not None:
        query["include_disabled"] = "true" if include_disabled else "false"
    if workspace_id is not None:
        query["workspace_id"] = workspace_id
    return core._call("GET", "keys", data_list(APIKey), options, query=query or None)


def _create_key_flow(
    core: _Core, request: KeyCreateRequest | Mapping[str, Any], options: _Options
) -> Flow:
    body = request_body(request, KeyCreateRequest, "keys.create")
    return core._call("POST", "keys", CreatedKey.from_dict, options, payload=body)


def _key_flow(core: _Core, hash: str, options: _Options) -> Flow:
    return core._call("GET", _key_path(hash), data_object(APIKey), options)


def _update_key_flow(
    core: _Core, hash: str, request: KeyUpdateRequest | Mapping[str, Any], options: _Options
) -> Flow:
    path = _key_path(hash)
    body = request_body(request, KeyUpdateRequest, "keys.update")
    return core._call("PATCH", path, data_object(APIKey), options, payload=body)


def _delete_key_flow(core: _Core, hash: str, options: _Options) -> Flow:
    def parse(answer: object) -> bool:
        return _flag(answer, None, "deleted")

    return core._call("DELETE", _key_path(hash), parse, options)


class KeysResource(Resource):
    """``client.keys``: the calling key, and the account's API keys (the
    operations other than :meth:`current` need a management key)."""

    __slots__ = ()

    def current(self, **options: Unpack[CallOptions]) -> KeyInfo:
        """``GET /key``: the calling key's label, limits and spend."""
        result: KeyInfo = self._run(_current_flow(self._core, self._options(options)))
        return result

    def list(
        self,
        include_disabled: bool | None = None,
        offset: int | None = None,
        workspace_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> builtins.list[APIKey]:
        """``GET /keys``: the account's keys, as :class:`APIKey` records.

        ``include_disabled=True`` lists disabled keys too; ``offset`` skips
        that many; ``workspace_id`` keeps one workspace's keys.

        Raises:
            TypeError: an argument has the wrong type.
            ValueError: ``offset`` is negative.
        """
        flow = _keys_flow(
            self._core, include_disabled, offset, workspace_id, self._options(options)
        )
        result: builtins.list[APIKey] = self._run(flow)
        return result

    def create(
        self, request: KeyCreateRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> CreatedKey:
        """``POST /keys`` (answered 201): a new API key.

        Returns a :class:`CreatedKey`: the key's metadata (``data``) and the
        key itself (``key``), returned this once only and never shown by
        ``repr()``/``str()``. Sent at most once unless the call's retry
        policy allows re-sending (as for a generation).

        Raises:
            TypeError: ``request`` is neither a :class:`KeyCreateRequest`
                nor a mapping with str keys.
            BadRequestError: the server refused the body.
        """
        flow = _create_key_flow(self._core, request, self._options(options))
        result: CreatedKey = self._run(flow)
        return result

    def get(self, hash: str, **options: Unpack[CallOptions]) -> APIKey:
        """``GET /keys/{hash}``: one key.

        Raises:
            TypeError: ``hash`` is not a str.
            ValueError: ``hash`` is empty, holds a ``/`` or is a dot segment.
            NotFoundError: no such key.
        """
        result: APIKey = self._run(_key_flow(self._core, hash, self._options(options)))
        return result

    def update(
        self,
        hash: str,
        request: KeyUpdateRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> APIKey:
        """``PATCH /keys/{hash}``: change a key; returns the key as it now is.

        Raises:
            TypeError: ``hash`` is not a str, or ``request`` is neither a
                :class:`KeyUpdateRequest` nor a mapping with str keys.
            ValueError: ``hash`` is empty, holds a ``/`` or is a dot segment.
            NotFoundError: no such key.
        """
        flow = _update_key_flow(self._core, hash, request, self._options(options))
        result: APIKey = self._run(flow)
        return result

    def delete(self, hash: str, **options: Unpack[CallOptions]) -> bool:
        """``DELETE /keys/{hash}``: delete a key; returns whether the server
        confirmed it (``deleted``).

        Raises:
            TypeError: ``hash`` is not a str.
            ValueError: ``hash`` is empty, holds a ``/`` or is a dot segment.
            NotFoundError: no such key.
        """
        result: bool = self._run(_delete_key_flow(self._core, hash, self._options(options)))
        return result


class AsyncKeysResource(AsyncResource):
    """``client.keys`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`KeysResource`, awaited."""

    __slots__ = ()

    async def current(self, **options: Unpack[CallOptions]) -> KeyInfo:
        """As :meth:`KeysResource.current`."""
        result: KeyInfo = await self._run(_current_flow(self._core, self._options(options)))
        return result

    async def list(
        self,
        include_disabled: bool | None = None,
        offset: int | None = None,
        workspace_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> builtins.list[APIKey]:
        """As :meth:`KeysResource.list`."""
        flow = _keys_flow(
            self._core, include_disabled, offset, workspace_id, self._options(options)
        )
        result: builtins.list[APIKey] = await self._run(flow)
        return result

    async def create(
        self, request: KeyCreateRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> CreatedKey:
        """As :meth:`KeysResource.create`."""
        flow = _create_key_flow(self._core, request, self._options(options))
        result: CreatedKey = await self._run(flow)
        return result

    async def get(self, hash: str, **options: Unpack[CallOptions]) -> APIKey:
        """As :meth:`KeysResource.get`."""
        result: APIKey = await self._run(_key_flow(self._core, hash, self._options(options)))
        return result

    async def update(
        self,
        hash: str,
        request: KeyUpdateRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> APIKey:
        """As :meth:`KeysResource.update`."""
        flow = _update_key_flow(self._core, hash, request, self._options(options))
        result: APIKey = await self._run(flow)
        return result

    async def delete(self, hash: str, **options: Unpack[CallOptions]) -> bool:
        """As :meth:`KeysResource.delete`."""
        result: bool = await self._run(_delete_key_flow(self._core, hash, self._options(options)))
        return result


# -- auth (PKCE) ----------------------------------------------------------------------


def _exchange_flow(
    core: _Core,
    code: str,
    code_verifier: str | None,
    code_challenge_method: str | None,
    options: _Options,
) -> Flow:
    _require_str("code", code, empty_ok=False)
    _check_str("code_verifier", code_verifier)
    _check_str("code_challenge_method", code_challenge_method)
    body: dict[str, object] = {"code": code}
    if code_verifier is not None:
        body["code_verifier"] = code_verifier
    if code_challenge_method is not None:
        body["code_challenge_method"] = code_challenge_method
    return core._call("POST", "auth/keys", ExchangedKey.from_dict, options, payload=body)


def _create_code_flow(
    core: _Core, request: AuthCodeRequest | Mapping[str, Any], options: _Options
) -> Flow:
    body = request_body(request, AuthCodeRequest, "auth.create_code")
    return core._call("POST", "auth/keys/code", AuthCode.from_dict, options, payload=body)


class AuthResource(Resource):
    """``client.auth``: the PKCE flow that gives a user's key to an application
    (RFC 7636; :func:`~openrouter.pkce_pair` makes the verifier and challenge)."""

    __slots__ = ()

    def exchange_code(
        self,
        code: str,
        *,
        code_verifier: str | None = None,
        code_challenge_method: Literal["S256", "plain"] | str | None = None,
        **options: Unpack[CallOptions],
    ) -> ExchangedKey:
        """``POST /auth/keys``: exchange an authorization code for the user's API key.

        ``code_verifier`` is the verifier whose challenge was sent when the
        code was made (:func:`~openrouter.pkce_pair`). Returns an
        :class:`ExchangedKey`: ``key`` (a secret, never shown by ``repr()``)
        and ``user_id``.

        Raises:
            TypeError: an argument is not a str.
            ValueError: ``code`` is empty.
            PermissionDeniedError, BadRequestError: the server refused the
                code or the verifier.
        """
        flow = _exchange_flow(
            self._core, code, code_verifier, code_challenge_method, self._options(options)
        )
        result: ExchangedKey = self._run(flow)
        return result

    def create_code(
        self, request: AuthCodeRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> AuthCode:
        """``POST /auth/keys/code``: an authorization code for the PKCE flow.

        Raises:
            TypeError: ``request`` is neither an :class:`AuthCodeRequest`
                nor a mapping with str keys.
            BadRequestError: the server refused the body.
        """
        flow = _create_code_flow(self._core, request, self._options(options))
        result: AuthCode = self._run(flow)
        return result


class AsyncAuthResource(AsyncResource):
    """``client.auth`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`AuthResource`, awaited."""

    __slots__ = ()

    async def exchange_code(
        self,
        code: str,
        *,
        code_verifier: str | None = None,
        code_challenge_method: Literal["S256", "plain"] | str | None = None,
        **options: Unpack[CallOptions],
    ) -> ExchangedKey:
        """As :meth:`AuthResource.exchange_code`."""
        flow = _exchange_flow(
            self._core, code, code_verifier, code_challenge_method, self._options(options)
        )
        result: ExchangedKey = await self._run(flow)
        return result

    async def create_code(
        self, request: AuthCodeRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> AuthCode:
        """As :meth:`AuthResource.create_code`."""
        flow = _create_code_flow(self._core, request, self._options(options))
        result: AuthCode = await self._run(flow)
        return result
