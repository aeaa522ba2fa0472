"""Request bodies of the account operations (API keys, the PKCE flow,
generation feedback) and the PKCE helpers of RFC 7636.

The request classes follow ``_requests.py``'s rules: frozen, slotted
dataclasses whose ``to_dict()`` is the JSON to send, unset (``None``)
fields left out, wrong types refused when the object is made, values the
server enumerates kept as plain strings, and ``extra`` merged last for
members this library does not model yet (``extra={"limit": None}`` sends
an explicit ``null``, which is how :class:`KeyUpdateRequest` removes a
key's limit).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Final, Literal, NamedTuple, get_args

from ._requests import (
    _check_bool,
    _check_mapping,
    _check_number,
    _check_str,
    _fields_to_dict,
    _require_str,
    _set,
    _Wire,
)

__all__ = [
    "AuthCodeRequest",
    "FeedbackCategory",
    "KeyCreateRequest",
    "KeyUpdateRequest",
    "LimitReset",
    "PKCEPair",
    "pkce_challenge",
    "pkce_pair",
]

#: How often a key's credit limit resets (``limit_reset``, ``usage_limit_type``).
LimitReset = Literal["daily", "weekly", "monthly"]

#: The categories ``POST /generation/feedback`` accepts.
FeedbackCategory = Literal[
    "latency",
    "incoherence",
    "incorrect_response",
    "formatting",
    "billing",
    "api_error",
    "other",
]

#: The same, as a set.
FEEDBACK_CATEGORIES: Final[frozenset[str]] = frozenset(get_args(FeedbackCategory))

#: The longest feedback comment the API accepts (characters).
MAX_FEEDBACK_COMMENT: Final = 1000


def _timestamp(name: str, value: object) -> str | None:
    """An ISO 8601 date-time: a string as given, or an aware ``datetime``'s ``isoformat()``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime):
        if value.utcoffset() is None:
            raise ValueError(f"{name} must carry a time zone (a naive datetime is ambiguous)")
        return value.isoformat()
    raise TypeError(f"{name} must be a str or a datetime, got {type(value).__name__}")


def _check_extra(owner: str, request: _Wire) -> None:
    _set(request, "extra", _check_mapping(f"{owner}.extra", getattr(request, "extra", None)))


@dataclass(frozen=True, slots=True)
class KeyCreateRequest(_Wire):
    """The body of ``POST /keys``: a new API key.

    ``name`` is required (not empty). ``limit`` is a credit limit in US
    dollars, reset ``limit_reset`` (:data:`LimitReset`) when set;
    ``include_byok_in_limit`` counts bring-your-own-key spend against it;
    ``expires_at`` is an ISO 8601 string or an aware ``datetime``;
    ``workspace_id`` and ``creator_user_id`` attribute the key.

    Raises:
        TypeError: a field has the wrong type.
        ValueError: ``name`` is empty, ``limit`` is not finite, or
            ``expires_at`` is a naive ``datetime``.
    """

    name: str
    _: KW_ONLY
    limit: float | None = None
    limit_reset: LimitReset | str | None = None
    include_byok_in_limit: bool | None = None
    expires_at: str | datetime.datetime | None = None
    workspace_id: str | None = None
    creator_user_id: str | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _require_str("KeyCreateRequest.name", self.name, empty_ok=False)
        _check_number("KeyCreateRequest.limit", self.limit)
        for name in ("limit_reset", "workspace_id", "creator_user_id"):
            _check_str(f"KeyCreateRequest.{name}", getattr(self, name))
        _check_bool("KeyCreateRequest.include_byok_in_limit", self.include_byok_in_limit)
        _set(self, "expires_at", _timestamp("KeyCreateRequest.expires_at", self.expires_at))
        _check_extra("KeyCreateRequest", self)

    def to_dict(self) -> dict[str, object]:
        """The JSON object to send: set fields in declaration order, ``extra`` last."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyUpdateRequest(_Wire):
    """The body of ``PATCH /keys/{hash}``: what to change; unset fields stay as they are.

    ``disabled=True`` turns the key off (``False`` back on). To remove the
    limit or its reset, send an explicit ``null`` with
    ``extra={"limit": None}`` (``None`` fields are left out).

    Raises:
        TypeError: a field has the wrong type.
        ValueError: ``name`` is empty or ``limit`` is not finite.
    """

    name: str | None = None
    disabled: bool | None = None
    limit: float | None = None
    limit_reset: LimitReset | str | None = None
    include_byok_in_limit: bool | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        if self.name is not None:
            _require_str("KeyUpdateRequest.name", self.name, empty_ok=False)
        _check_bool("KeyUpdateRequest.disabled", self.disabled)
        _check_number("KeyUpdateRequest.limit", self.limit)
        _check_str("KeyUpdateRequest.limit_reset", self.limit_reset)
        _check_bool("KeyUpdateRequest.include_byok_in_limit", self.include_byok_in_limit)
        _check_extra("KeyUpdateRequest", self)

    def to_dict(self) -> dict[str, object]:
        """The JSON object to send: set fields in declaration order, ``extra`` last."""
        return _fields_to_dict(self)


@dataclass(frozen=True, slots=True)
class AuthCodeRequest(_Wire):
    """The body of ``POST /auth/keys/code``: an authorization code for the PKCE flow.

    ``callback_url`` (required) is where the user is sent back (https, or
    ``localhost``/``127.0.0.1`` on any port). ``code_challenge`` and
    ``code_challenge_method`` (``"S256"`` or ``"plain"``) come from
    :func:`pkce_pair`. ``limit`` (US dollars), ``usage_limit_type``
    (:data:`LimitReset`), ``expires_at`` (ISO 8601 or an aware
    ``datetime``), ``key_label`` and ``workspace_id`` describe the key the
    code will be exchanged for.

    Raises:
        TypeError: a field has the wrong type.
        ValueError: ``callback_url`` is empty, ``limit`` is not finite, or
            ``expires_at`` is a naive ``datetime``.
    """

    callback_url: str
    _: KW_ONLY
    code_challenge: str | None = None
    code_challenge_method: Literal["S256", "plain"] | str | None = None
    limit: float | None = None
    expires_at: str | datetime.datetime | None = None
    key_label: str | None = None
    usage_limit_type: LimitReset | str | None = None
    workspace_id: str | None = None
    extra: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        _require_str("AuthCodeRequest.callback_url", self.callback_url, empty_ok=False)
        for name in (
            "code_challenge",
            "code_challenge_method",
            "key_label",
            "usage_limit_type",
            "workspace_id",
        ):
            _check_str(f"AuthCodeRequest.{name}", getattr(self, name))
        _check_number("AuthCodeRequest.limit", self.limit)
        _set(self, "expires_at", _timestamp("AuthCodeRequest.expires_at", self.expires_at))
        _check_extra("AuthCodeRequest", self)

    def to_dict(self) -> dict[str, object]:
        """The JSON object to send: set fields in declaration order, ``extra`` last."""
        return _fields_to_dict(self)


# -- PKCE (RFC 7636) ----------------------------------------------------------------

# RFC 7636, 4.1: code-verifier = 43*128unreserved,
# unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
_VERIFIER: Final = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


class PKCEPair(NamedTuple):
    """A PKCE code verifier and its challenge (RFC 7636).

    Send ``challenge`` and ``method`` when asking for the authorization code
    (:class:`AuthCodeRequest`, or the ``/auth`` page's query), keep
    ``verifier`` secret, and send it with the code to
    :meth:`AuthResource.exchange_code`.
    """

    verifier: str
    challenge: str
    method: str = "S256"


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of ``verifier`` (RFC 7636, 4.2):
    ``BASE64URL(SHA256(ASCII(verifier)))`` without padding.

    Raises:
        TypeError: ``verifier`` is not a str.
        ValueError: ``verifier`` is not 43 to 128 characters of
            ``A-Z a-z 0-9 - . _ ~`` (RFC 7636, 4.1).
    """
    if not isinstance(verifier, str):
        raise TypeError(f"verifier must be a str, got {type(verifier).__name__}")
    if not _VERIFIER.fullmatch(verifier):
        raise ValueError(
            "a PKCE code verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636, 4.1)"
        )
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_pair() -> PKCEPair:
    """A fresh verifier (64 characters from 48 random bytes, :mod:`secrets`)
    and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    return PKCEPair(verifier, pkce_challenge(verifier))


def feedback_body(generation_id: object, category: object, comment: object) -> dict[str, object]:
    """The body of ``POST /generation/feedback``.

    Raises:
        TypeError: a value has the wrong type.
        ValueError: ``generation_id`` is empty, ``category`` is not one of
            :data:`FeedbackCategory`, or ``comment`` is longer than
            :data:`MAX_FEEDBACK_COMMENT` characters.
    """
    _require_str("generation_id", generation_id, empty_ok=False)
    _require_str("category", category)
    if category not in FEEDBACK_CATEGORIES:
        raise ValueError(
            f"category must be one of {', '.join(sorted(FEEDBACK_CATEGORIES))}, got {category!r}"
        )
    body: dict[str, object] = {"generation_id": generation_id, "category": category}
    if comment is not None:
        _require_str("comment", comment)
        assert isinstance(comment, str)  # checked above
        if len(comment) > MAX_FEEDBACK_COMMENT:
            raise ValueError(
                f"comment is at most {MAX_FEEDBACK_COMMENT} characters, got {len(comment)}"
            )
        body["comment"] = comment
    return body
