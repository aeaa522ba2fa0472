"""Typed views of the account answers that ``_responses.py`` does not hold:
API keys, the key returned by an authorization-code exchange, activity rows
and the stored content of a generation.

The rules are ``_responses.py``'s: ``from_dict`` never raises, a missing or
mistyped field reads as ``None``, unknown fields stay in ``raw``.

Secrets: the two answers that carry a new API key (``POST /keys`` and
``POST /auth/keys``) are read by :class:`CreatedKey` and
:class:`ExchangedKey`, which keep the key in ``.key`` only. Their ``raw``
holds :data:`~openrouter.REDACTED` in its place, and ``repr()``/``str()``
show it redacted, so printing or logging the record never shows the key.
"""

from __future__ import annotations

from typing import Self

from ._errors import REDACTED
from ._records import (
    JSONObject,
    Record,
    as_bool,
    as_int,
    as_num,
    as_str,
    field,
    many,
    obj_list,
    one,
)
from ._responses import _KeyFields

__all__ = [
    "APIKey",
    "ActivityItem",
    "AuthCode",
    "CreatedKey",
    "ExchangedKey",
    "GenerationContent",
    "GenerationContentError",
    "GenerationErrorAttempt",
    "GenerationInput",
    "GenerationOutput",
]


class APIKey(_KeyFields, envelope=True):
    """One API key of the account (``GET /keys``, ``GET|PATCH /keys/{hash}``).

    ``hash`` identifies the key in the other key operations; ``label`` is
    the API's truncated form of the key (never the key itself, which is only
    ever returned once, by :meth:`KeysResource.create`). ``created_at``,
    ``updated_at`` and ``expires_at`` are ISO 8601 timestamps;
    ``limit_reset`` is ``"daily"``, ``"weekly"``, ``"monthly"`` or ``None``.
    """

    hash: str | None = field(as_str)
    name: str | None = field(as_str)
    disabled: bool | None = field(as_bool)
    created_at: str | None = field(as_str)
    updated_at: str | None = field(as_str)
    workspace_id: str | None = field(as_str)


class _KeyHolder(Record):
    """A record whose body carries a new API key in ``key``.

    The key is kept in ``.key`` and nowhere else: ``raw`` is a copy of the
    body with :data:`~openrouter.REDACTED` in its place, ``repr()`` shows
    ``key='[REDACTED]'``. ``==`` compares the key too.
    """

    __slots__ = ("_key",)

    def __init__(self, d: JSONObject) -> None:
        secret = d.get("key")
        self._key = secret if type(secret) is str else None
        self.raw = {**d, "key": REDACTED} if "key" in d else d
        for f in self._record_fields.values():
            value = None
            for name in f.keys or (f.name,):
                value = d.get(name)
                if value is not None:
                    break
            setattr(self, f.name, f.reader(value))

    @classmethod
    def from_dict(cls, d: object) -> Self:
        """Build from a decoded JSON value; never raises (a non-object reads as ``{}``)."""
        return cls(d if isinstance(d, dict) else {})

    @property
    def key(self) -> str | None:
        """The new API key (``"sk-or-v1-..."``), or ``None`` when the body has none.

        A secret: store it where secrets go; it is never shown by ``repr()``.
        """
        return self._key

    def __repr__(self) -> str:
        shown = Record.__repr__(self)
        if self._key is None:
            return shown
        head, inner = shown[:-1].split("(", 1)
        parts = [inner] if inner else []
        parts.append(f"key={REDACTED!r}")
        return f"{head}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _KeyHolder) or type(other) is not type(self):
            return NotImplemented
        return Record.__eq__(self, other) and self._key == other._key

    __hash__ = None  # as Record: compared by value, not hashable


class CreatedKey(_KeyHolder):
    """``POST /keys``: the new key's metadata (``data``) and the key itself (``key``).

    The key is returned this once only: ``key`` is the secret to hand to
    whoever uses it (it never appears in ``repr()``, ``str()`` or ``raw``).
    """

    data: APIKey | None = field(one(APIKey))


class ExchangedKey(_KeyHolder):
    """``POST /auth/keys``: the user-controlled key an authorization code was
    exchanged for (``key``, a secret as in :class:`CreatedKey`) and the
    user it belongs to (``user_id``)."""

    user_id: str | None = field(as_str)


class AuthCode(Record, envelope=True):
    """``POST /auth/keys/code``: an authorization code for the PKCE flow.

    ``id`` is the code to exchange with :meth:`AuthResource.exchange_code`;
    ``app_id`` is the application it belongs to; ``created_at`` an ISO 8601
    timestamp.
    """

    id: str | None = field(as_str)
    app_id: int | None = field(as_int)
    created_at: str | None = field(as_str)


class ActivityItem(Record):
    """One row of ``GET /activity``: a day's use of one model endpoint.

    ``date`` is ``"YYYY-MM-DD"`` (UTC); ``usage`` is the cost in credits (US
    dollars) and ``byok_usage_inference`` what bring-your-own-key requests
    cost at the provider; ``workspace_id`` is set when the rows were asked
    for with ``group_by="workspace"``.
    """

    date: str | None = field(as_str)
    model: str | None = field(as_str)
    model_permaslug: str | None = field(as_str)
    endpoint_id: str | None = field(as_str)
    provider_name: str | None = field(as_str)
    usage: int | float | None = field(as_num)
    byok_usage_inference: int | float | None = field(as_num)
    requests: int | None = field(as_int)
    prompt_tokens: int | None = field(as_int)
    completion_tokens: int | None = field(as_int)
    reasoning_tokens: int | None = field(as_int)
    workspace_id: str | None = field(as_str)


class GenerationInput(Record):
    """What a generation was asked: ``prompt`` (a text completion) or
    ``messages`` (a chat, the message objects as sent)."""

    prompt: str | None = field(as_str)
    messages: list[JSONObject] | None = field(obj_list)


class GenerationOutput(Record):
    """What a generation answered: ``completion`` and ``reasoning`` text
    (either may be ``None``)."""

    completion: str | None = field(as_str)
    reasoning: str | None = field(as_str)


class GenerationErrorAttempt(Record):
    """One failed upstream attempt of a generation: HTTP ``code``, ``message``,
    ``provider_name`` and the ``raw`` error body as a string."""

    code: int | None = field(as_int)
    message: str | None = field(as_str)
    provider_name: str | None = field(as_str)
    # ``raw`` is the record's own attribute (the decoded object), so the
    # stored error body is read under another name.
    raw_error: str | None = field(as_str, key="raw")


class GenerationContentError(Record):
    """The stored failure of a generation: the ``status`` and ``message``
    returned to the client, the ``provider_name`` that failed, the error body
    as a string (``raw_error``, the JSON member ``raw``) and every failed
    attempt before it (``previous_errors``, in order)."""

    status: int | None = field(as_int)
    message: str | None = field(as_str)
    provider_name: str | None = field(as_str)
    raw_error: str | None = field(as_str, key="raw")
    previous_errors: list[GenerationErrorAttempt] | None = field(many(GenerationErrorAttempt))


class GenerationContent(Record, envelope=True):
    """``GET /generation/content?id=...``: the stored prompt and answer of a
    generation, and its failure when it failed (``error``, else ``None``)."""

    input: GenerationInput | None = field(one(GenerationInput))
    output: GenerationOutput | None = field(one(GenerationOutput))
    error: GenerationContentError | None = field(one(GenerationContentError))
