"""Error tree: building the right exception from a response, safely."""

from __future__ import annotations

import email.utils
import json
import traceback
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrouter._accumulator import ChatCompletionAccumulator
from openrouter._errors import (
    MAX_ERROR_BODY,
    REDACTED,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    EdgeTimeoutError,
    InsufficientCreditsError,
    InternalServerError,
    NoResponseError,
    NotFoundError,
    OpenRouterError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PermissionDeniedError,
    ProviderOverloadedError,
    RateLimitError,
    RequestError,
    RequestTimeoutError,
    ResponseDecodeError,
    ServiceUnavailableError,
    StreamError,
    StreamTruncatedError,
    UnprocessableEntityError,
    error_from_payload,
    error_from_response,
    is_retryable,
    parse_retry_after,
    redact,
    redact_chain,
)
from openrouter._responses import ChatCompletionChunk

KEY = "sk-or-v1-" + "0123456789abcdef" * 4
NOW = 1_700_000_000.0


def body(code: object, message: str = "boom", **extra: Any) -> bytes:
    error: dict[str, Any] = {"message": message, **extra}
    if code is not None:
        error["code"] = code
    return json.dumps({"error": error}).encode()


STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (402, PaymentRequiredError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (408, RequestTimeoutError),
    (413, PayloadTooLargeError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, BadGatewayError),
    (503, ServiceUnavailableError),
    (504, InternalServerError),
    (524, EdgeTimeoutError),
    (529, ProviderOverloadedError),
    (599, InternalServerError),
    (409, APIStatusError),
    (418, APIStatusError),
]


# -- class selection -------------------------------------------------------------------


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_status_maps_to_class(status: int, cls: type[APIStatusError]) -> None:
    """Each documented status gets its own class; the rest fall back by range."""
    exc = error_from_response(status, [], body(status))
    assert type(exc) is cls
    assert exc.status == status
    assert exc.code == status
    assert exc.message == "boom"
    assert isinstance(exc, APIError)
    assert isinstance(exc, OpenRouterError)


def test_insufficient_credits_alias() -> None:
    """InsufficientCreditsError is another name for the 402 class."""
    assert InsufficientCreditsError is PaymentRequiredError
    exc = error_from_response(402, [], body(402, "Insufficient credits"))
    assert isinstance(exc, InsufficientCreditsError)


def test_tree_shape() -> None:
    """The tree drawn in the module docstring."""
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, NoResponseError)
    assert issubclass(StreamTruncatedError, APIConnectionError)
    assert issubclass(ResponseDecodeError, NoResponseError)
    assert issubclass(StreamError, APIError)
    assert not issubclass(StreamError, APIStatusError)
    assert issubclass(EdgeTimeoutError, InternalServerError)
    assert issubclass(ProviderOverloadedError, InternalServerError)
    assert not issubclass(NoResponseError, APIError)
    assert RequestError is APIStatusError


def test_string_code() -> None:
    """A string code is kept and the class follows the HTTP status."""
    exc = error_from_response(400, [], body("invalid_prompt", "Bad role"))
    assert type(exc) is BadRequestError
    assert exc.code == "invalid_prompt"
    assert "code='invalid_prompt'" in str(exc)


def test_missing_code() -> None:
    """A missing code is None and the class follows the HTTP status."""
    exc = error_from_response(429, [], body(None, "slow down"))
    assert type(exc) is RateLimitError
    assert exc.code is None
    assert exc.message == "slow down"


def test_200_with_error_body_uses_code() -> None:
    """A 200 response whose body is an error takes its class from error.code."""
    exc = error_from_response(200, [], body(402, "Insufficient credits"))
    assert type(exc) is PaymentRequiredError
    assert exc.status == 200
    assert exc.code == 402


def test_200_with_error_body_and_string_code() -> None:
    """A 200 error body with a non-status code is a plain APIStatusError, retryable by its code."""
    exc = error_from_response(200, [], body("server_error"))
    assert type(exc) is APIStatusError
    assert exc.code == "server_error"
    assert is_retryable(exc)
    assert not is_retryable(error_from_response(200, [], body("invalid_request_error")))


def test_code_outside_error_range_is_ignored_for_class() -> None:
    """An int code that is not a 4xx/5xx status does not pick the class."""
    exc = error_from_response(503, [], body(7))
    assert type(exc) is ServiceUnavailableError
    assert exc.code == 7


def test_metadata_and_error_type() -> None:
    """metadata is kept; error_type and provider_name are read from it."""
    meta = {
        "error_type": "provider_error",
        "provider_name": "Venice",
        "raw": "upstream said no",
        "is_byok": False,
    }
    exc = error_from_response(502, [], body(502, "Provider returned error", metadata=meta))
    assert exc.metadata == meta
    assert exc.error_type == "provider_error"
    assert exc.provider_name == "Venice"
    assert str(exc) == (
        "HTTP 502 bad gateway: Provider returned error "
        "(error_type='provider_error', provider='Venice', raw='upstream said no')"
    )


def test_moderation_metadata() -> None:
    """A 403 moderation error keeps its reasons and flagged input."""
    meta = {"reasons": ["violence"], "flagged_input": "...", "provider_name": "OpenAI"}
    exc = error_from_response(403, [], body(403, "Input was flagged", metadata=meta))
    assert type(exc) is PermissionDeniedError
    assert exc.metadata is not None
    assert exc.metadata["reasons"] == ["violence"]


# -- odd bodies ------------------------------------------------------------------------

CLOUDFLARE_502 = (
    b"<!DOCTYPE html>\n<html>\n<head>\n<title>openrouter.ai | 502: Bad gateway</title>\n"
    b"<style>body{font-family:sans-serif}</style>\n</head>\n<body>\n"
    + b"<div>" * 2000
    + b"Cloudflare Ray ID: 8f1e2d3c4b5a6978"
    + b"</div>" * 2000
    + b"\n</body>\n</html>\n"
)


def test_html_502_page() -> None:
    """An HTML error page becomes a short message: its title."""
    exc = error_from_response(502, [("Content-Type", "text/html")], CLOUDFLARE_502)
    assert type(exc) is BadGatewayError
    assert exc.message == "openrouter.ai | 502: Bad gateway"
    assert exc.code is None
    assert "\n" not in str(exc)
    assert len(str(exc)) < 200


def test_html_without_title() -> None:
    """An HTML page without a title gives a tag-free, bounded excerpt."""
    page = b"<html><body><script>var x = 1;</script><h1>Gateway  Timeout</h1>"
    page += b"<p>" + b"word " * 1000 + b"</p></body></html>"
    exc = error_from_response(504, [], page)
    assert exc.message.startswith("Gateway Timeout word word")
    assert "<" not in exc.message
    assert "var x" not in exc.message
    assert len(exc.message) <= 200


def test_plain_text_body() -> None:
    """A plain text body is the message, on one line."""
    exc = error_from_response(500, [], b"upstream\nconnect error\r\n")
    assert exc.message == "upstream connect error"


def test_empty_body() -> None:
    """An empty body gives the status's reason phrase."""
    assert error_from_response(503, [], b"").message == "Service Unavailable"
    assert error_from_response(524, [], b"").message == "A Timeout Occurred"
    assert error_from_response(429, [], b"  ").message == "Too Many Requests"


def test_invalid_json_body() -> None:
    """A body that starts like JSON but is not becomes an excerpt."""
    exc = error_from_response(500, [], b'{"error": {"code": 5')
    assert type(exc) is InternalServerError
    assert exc.message == '{"error": {"code": 5'


def test_json_without_error_member() -> None:
    """JSON without an error member uses a top-level message, or the phrase."""
    assert error_from_response(400, [], b'{"message": "nope"}').message == "nope"
    assert error_from_response(400, [], b"[1, 2]").message == "Bad Request"
    assert error_from_response(400, [], b'{"error": "plain"}').message == "plain"


def test_body_is_bounded() -> None:
    """Only MAX_ERROR_BODY bytes of the body are kept."""
    exc = error_from_response(500, [], b"x" * (MAX_ERROR_BODY * 3))
    assert len(exc.body) == MAX_ERROR_BODY


def test_generation_and_request_ids() -> None:
    """Generation and request ids are read from headers, then the body."""
    exc = error_from_response(
        500,
        [("X-Generation-Id", "gen-9"), ("CF-RAY", "8f1e-AMS")],
        body(500),
    )
    assert exc.generation_id == "gen-9"
    assert exc.request_id == "8f1e-AMS"
    assert exc.header("x-generation-id") == "gen-9"
    assert exc.header("missing") is None
    from_body = error_from_response(200, [], b'{"id": "gen-7", "error": {"code": 502}}')
    assert from_body.generation_id == "gen-7"
    assert from_body.request_id is None


def test_headers_as_mapping_or_bytes() -> None:
    """Headers may be a mapping or bytes pairs (as h11 gives them)."""
    a = error_from_response(429, {"Retry-After": "3"}, b"", now=NOW)
    b = error_from_response(429, [(b"retry-after", b"3")], b"", now=NOW)
    assert a.retry_after == b.retry_after == 3.0
    assert b.headers == (("retry-after", "3"),)


# -- Retry-After -------------------------------------------------------------------------


def test_retry_after_seconds() -> None:
    """Retry-After in seconds."""
    exc = error_from_response(429, [("Retry-After", "60")], body(429))
    assert exc.retry_after == 60.0


def test_retry_after_http_date() -> None:
    """Retry-After as an HTTP-date is measured from now."""
    date = email.utils.formatdate(NOW + 90, usegmt=True)
    exc = error_from_response(503, [("retry-after", date)], body(503), now=NOW)
    assert exc.retry_after == 90.0


def test_retry_after_date_in_the_past() -> None:
    """A date in the past means retry now."""
    date = email.utils.formatdate(NOW - 90, usegmt=True)
    assert parse_retry_after(date, now=NOW) == 0.0


@pytest.mark.parametrize("value", ["", "soon", "-5", "+5", " 1_0", "\uff15", "1e3", "inf", "nan"])
def test_retry_after_rejects_junk(value: str) -> None:
    """Anything but digits or an HTTP-date gives None."""
    assert parse_retry_after(value, now=NOW) is None


def test_retry_after_huge_number() -> None:
    """A number too large for a float gives None, not inf or an error."""
    assert parse_retry_after("9" * 400, now=NOW) is None


def test_availability_retry_after() -> None:
    """The availability block is kept and its retry_after used without a header."""
    payload = {
        "error": {
            "code": 503,
            "message": "No endpoints available",
            "metadata": {"availability": {"status": "degraded", "retry_after": 12}},
        }
    }
    exc = error_from_response(503, [], json.dumps(payload).encode())
    assert exc.availability == {"status": "degraded", "retry_after": 12}
    assert exc.retry_after == 12.0


def test_availability_on_error_object() -> None:
    """An availability block next to code/message is found too."""
    payload = {"error": {"code": 429, "availability": {"retry_after_seconds": 4.5}}}
    exc = error_from_response(429, [], json.dumps(payload).encode())
    assert exc.availability == {"retry_after_seconds": 4.5}
    assert exc.retry_after == 4.5


def test_header_wins_over_availability() -> None:
    """The response's Retry-After header takes precedence."""
    payload = {"error": {"code": 429, "metadata": {"availability": {"retry_after": 12}}}}
    exc = error_from_response(429, [("Retry-After", "2")], json.dumps(payload).encode())
    assert exc.retry_after == 2.0


def test_relayed_provider_retry_after() -> None:
    """A provider's Retry-After relayed in metadata is used as a last resort."""
    meta = {"retry_after_seconds": 17, "headers": {"Retry-After": "20"}}
    assert error_from_response(429, [], body(429, metadata=meta)).retry_after == 17.0
    relayed = {"headers": {"retry-after": "20"}}
    assert error_from_response(429, [], body(429, metadata=relayed)).retry_after == 20.0


def test_no_retry_after() -> None:
    """Without any hint retry_after is None."""
    assert error_from_response(429, [], body(429)).retry_after is None


# -- secrets ---------------------------------------------------------------------------


def test_redact_secret_and_patterns() -> None:
    """redact replaces the named secret, key-shaped strings and bearer tokens."""
    assert redact("key=hunter2!", "hunter2") == f"key={REDACTED}!"
    assert KEY not in redact(f"bad key {KEY}")
    assert redact("Authorization: Bearer abcdefgh12345") == f"Authorization: Bearer {REDACTED}"
    assert redact("nothing here", None) == "nothing here"
    assert redact("short", "") == "short"


def test_key_never_in_message_repr_headers_or_body() -> None:
    """A key echoed by the server is redacted from every place it could show."""
    echoed = f"Invalid API key {KEY}"
    exc = error_from_response(
        401,
        [("X-Debug", f"auth={KEY}")],
        body(401, echoed, metadata={"raw": f"key {KEY} rejected"}),
        secret=KEY,
    )
    assert KEY not in str(exc)
    assert KEY not in repr(exc)
    assert KEY not in exc.message
    assert KEY.encode() not in exc.body
    assert all(KEY not in value for _, value in exc.headers)
    assert KEY not in json.dumps(exc.metadata)
    assert REDACTED in exc.message


def test_custom_secret_in_html_body() -> None:
    """A secret of any shape is redacted from a non-JSON body too."""
    exc = error_from_response(
        502, [], b"<p>token my-secret-value failed</p>", secret="my-secret-value"
    )
    assert "my-secret-value" not in str(exc)
    assert b"my-secret-value" not in exc.body


def test_stream_error_redacts_secret() -> None:
    """error_from_payload redacts the secret from message, metadata and body."""
    exc = error_from_payload(
        {"error": {"message": f"bad {KEY}", "metadata": {"raw": KEY}}}, secret=KEY
    )
    assert KEY not in str(exc)
    assert KEY not in repr(exc)
    assert KEY not in json.dumps(exc.metadata)
    assert KEY.encode() not in exc.body


@pytest.mark.parametrize("secret", ["k", "a", "test", "mock"])
def test_short_secret_never_changes_words(secret: str) -> None:
    """A short placeholder key is replaced only as a whole token: words and model IDs stay."""
    text = "message: test-model and mockingbird/llama-3:free failed"
    assert redact(text, secret) == text
    assert redact(f"invalid key {secret}.", secret) == f"invalid key {REDACTED}."
    assert redact(f'{{"key": "{secret}"}}', secret) == f'{{"key": "{REDACTED}"}}'


def test_short_secret_keeps_the_data_of_an_error_body() -> None:
    """With key "a", the message and metadata of an error body are exactly the server's."""
    meta = {"raw": "the model was unavailable", "provider_name": "Alibaba"}
    exc = error_from_response(
        400, [], body(400, "model meta-llama/llama-3 failed", metadata=meta), secret="a"
    )
    assert exc.message == "model meta-llama/llama-3 failed"
    assert exc.metadata == meta
    assert json.loads(exc.body)["error"]["metadata"] == meta


def test_secret_is_redacted_in_its_escaped_forms() -> None:
    """JSON, Python, percent and HTML escapes of the key are redacted too."""
    key = "test/key-0123456789+abcdef"
    for text in (
        key.replace("-", "\\u002d").replace("/", "\\/"),
        key.replace("-", "\\\\u002D"),
        key.replace("/", "%2F").replace("+", "%2b"),
        key.replace("k", "\\x6b"),
        "".join(f"&#x{ord(c):x};" for c in key),
    ):
        assert redact(f"<{text}>", key) == f"<{REDACTED}>", text


def test_long_secret_is_redacted_inside_words() -> None:
    """A secret long enough to be one is redacted wherever it occurs."""
    key = "0123456789abcdef"
    assert redact(f"x{key}y", key) == f"x{REDACTED}y"


def test_bearer_prose_is_kept() -> None:
    """The bearer safety net takes credentials, not the words after "Bearer"."""
    assert redact("Bearer authentication required") == "Bearer authentication required"
    assert redact("bearer abcdefgh12345") == f"bearer {REDACTED}"


def test_json_escaped_key_in_metadata_is_redacted() -> None:
    """The body is parsed, then redacted: an escaped key is caught, the rest is exact."""
    key = "test-key-0123456789"
    raw = (
        '{"error": {"code": 400, "message": "m", "metadata": '
        '{"raw": "key=' + key.replace("-", "\\u002d") + '", "n": 1.5, "l": [true, null]}}}'
    )
    exc = error_from_response(400, [], raw.encode(), secret=key)
    assert exc.metadata == {"raw": f"key={REDACTED}", "n": 1.5, "l": [True, None]}
    assert key.replace("-", "\\u002d").encode() not in exc.body
    assert json.loads(exc.body)["error"]["metadata"] == exc.metadata


def test_key_cut_by_the_excerpt_is_redacted_first() -> None:
    """A non-JSON body is redacted before its excerpt is cut, so no prefix of the key survives."""
    key = "sk-or-v1-" + "ab" * 32
    text = "x" * 180 + " " + key
    exc = error_from_response(502, [], text.encode(), secret=key)
    assert key[:12] not in str(exc)
    assert key[:12] not in exc.message


def test_redact_chain_redacts_causes_in_place() -> None:
    """redact_chain redacts args and attributes of every cause and keeps their types."""
    key = "test-key-0123456789"
    inner = ValueError(f"inner {key}")
    outer = KeyError(f"outer {key}")
    outer.urls = (f"http://x/?k={key}",)  # type: ignore[attr-defined]
    outer.__cause__ = inner
    outer.add_note(f"note {key}")
    assert redact_chain(outer, key) is outer
    assert outer.args == (f"outer {REDACTED}",)
    assert outer.urls == (f"http://x/?k={REDACTED}",)  # type: ignore[attr-defined]
    assert outer.__notes__ == [f"note {REDACTED}"]
    assert outer.__cause__ is inner
    assert inner.args == (f"inner {REDACTED}",)
    assert key not in "".join(traceback.format_exception(outer))


def test_redact_chain_replaces_what_it_cannot_redact() -> None:
    """A cause whose str() reads elsewhere than args is replaced by a stand-in naming its type."""
    key = "test-key-0123456789"

    class Stubborn(Exception):
        def __str__(self) -> str:
            return f"stubborn {key}"

    top = RuntimeError("top")
    top.__cause__ = Stubborn()
    redact_chain(top, key)
    cause: BaseException | None = top.__cause__
    assert type(cause) is not Stubborn
    assert "Stubborn: stubborn [REDACTED]" in str(cause)
    assert key not in "".join(traceback.format_exception(top))


def test_redact_chain_drops_hidden_contexts() -> None:
    """A context hidden behind a cause is replaced by the cause, so no link keeps the key."""
    key = "test-key-0123456789"
    top = RuntimeError("top")
    hidden: BaseException = ValueError(f"hidden {key}")
    top.__context__ = hidden
    top.__cause__ = OSError("shown")
    redact_chain(top, key)
    assert top.__context__ is top.__cause__
    assert key in str(hidden)  # not redacted: no longer linked


def test_redact_chain_os_error_fields() -> None:
    """OSError's strerror and filename are redacted too."""
    key = "test-key-0123456789"
    top = RuntimeError("top")
    top.__cause__ = FileNotFoundError(2, f"gone {key}", f"/tmp/{key}")
    redact_chain(top, key)
    assert key not in "".join(traceback.format_exception(top))


def test_connection_errors_redact() -> None:
    """Connection error messages go through redact as well."""
    exc = APIConnectionError(f"cannot reach https://x/?key={KEY}", secret=KEY)
    assert KEY not in str(exc)
    assert KEY not in repr(exc)


# -- str and repr ------------------------------------------------------------------------


def test_str_is_one_line() -> None:
    """str(exc) is a single line with status, description, message and code."""
    exc = error_from_response(400, [], body("invalid_prompt", "line one\nline two"))
    assert str(exc) == "HTTP 400 bad request: line one line two (code='invalid_prompt')"


def test_str_omits_code_equal_to_status() -> None:
    """The code is not repeated when it equals the status."""
    assert str(error_from_response(429, [], body(429, "slow"))) == "HTTP 429 rate limited: slow"


def test_repr() -> None:
    """repr names the class, status, code and a short message."""
    exc = error_from_response(404, [], body(404, "No such model"))
    assert repr(exc) == "NotFoundError(status=404, code=404, message='No such model')"


def test_long_message_is_shortened_in_str() -> None:
    """A huge message is cut in str() but kept whole in .message."""
    exc = error_from_response(400, [], body(400, "x" * 5000))
    assert len(str(exc)) < 400
    assert len(exc.message) == 5000


# -- in-band errors -------------------------------------------------------------------------


def test_error_from_payload() -> None:
    """An in-band error chunk becomes a StreamError with its fields."""
    payload = {
        "id": "gen-1",
        "object": "chat.completion.chunk",
        "provider": "Anthropic",
        "error": {
            "code": 529,
            "message": "Overloaded",
            "metadata": {"error_type": "overloaded_error"},
        },
        "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
    }
    exc = error_from_payload(payload, status=200)
    assert type(exc) is StreamError
    assert (exc.code, exc.message, exc.error_type) == (529, "Overloaded", "overloaded_error")
    assert exc.provider_name == "Anthropic"
    assert exc.generation_id == "gen-1"
    assert exc.status == 200
    assert json.loads(exc.body)["id"] == "gen-1"
    assert is_retryable(exc)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ({"code": "server_error", "message": "m"}, "server_error"),
        ({"message": "m"}, None),
        ({"code": 502.0, "message": "m"}, 502),
        ({"code": [1], "message": "m"}, None),
    ],
)
def test_payload_codes(error: dict[str, Any], code: object) -> None:
    """In-band codes may be ints, strings or absent; other types read as None."""
    assert error_from_payload({"error": error}).code == code


def test_payload_without_message() -> None:
    """A payload without a message still gives a readable error."""
    exc = error_from_payload({"error": {}})
    assert exc.message == "the stream reported an error"
    assert str(exc) == "error in stream: the stream reported an error"


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(["error", "code", "message", "metadata"]), inner)
        ),
        max_leaves=20,
    )
)
def test_error_from_payload_never_raises(payload: object) -> None:
    """Any decoded value builds a StreamError with a one-line str."""
    exc = error_from_payload(payload)
    assert "\n" not in str(exc)
    repr(exc)


@given(status=st.integers(min_value=100, max_value=999), data=st.binary(max_size=200))
def test_error_from_response_never_raises(status: int, data: bytes) -> None:
    """Any status and body build an APIStatusError."""
    exc = error_from_response(status, [("Retry-After", data.decode("latin-1"))], data)
    assert isinstance(exc, APIStatusError)
    assert "\n" not in str(exc)


def test_stream_error_carries_partial() -> None:
    """The client can attach what arrived before the error."""
    acc = ChatCompletionAccumulator()
    chunk = ChatCompletionChunk.from_dict({"choices": [{"index": 0, "delta": {"content": "Hal"}}]})
    acc.add(chunk)
    exc = error_from_payload({"error": {"message": "x"}}, partial=acc.result(), chunks=[chunk])
    assert exc.partial_text == "Hal"
    assert exc.chunks == (chunk,)
    late = StreamError("x")
    assert late.partial_text == ""
    late.partial = acc.result()
    assert late.partial_text == "Hal"


def test_stream_truncated_carries_partial() -> None:
    """A truncated stream keeps the partial response and is retryable."""
    acc = ChatCompletionAccumulator()
    acc.add({"choices": [{"delta": {"content": "Half an ans"}}]})
    exc = StreamTruncatedError(partial=acc.result())
    assert exc.partial_text == "Half an ans"
    assert str(exc) == "the stream ended before [DONE]"
    assert is_retryable(exc)


def test_response_decode_error() -> None:
    """A 2xx body that is not JSON: status, bounded body, short message."""
    exc = ResponseDecodeError(
        status=200, headers=[("Content-Type", "text/html")], body=b"<b>hi</b>"
    )
    assert exc.status == 200
    assert exc.body == b"<b>hi</b>"
    assert str(exc) == "the response body is not the JSON expected: 'hi'"
    assert not is_retryable(exc)


# -- retry rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_is_retryable_by_status(status: int, cls: type[APIStatusError]) -> None:
    """408, 429 and 5xx are retryable; other statuses are not."""
    expected = status in (408, 429) or status >= 500
    assert is_retryable(error_from_response(status, [], body(status))) is expected


def test_is_retryable_connection_errors() -> None:
    """Connection failures and timeouts are retryable, built-in ones too."""
    assert is_retryable(APIConnectionError())
    assert is_retryable(APITimeoutError())
    assert is_retryable(ConnectionResetError())
    assert is_retryable(TimeoutError())
    assert not is_retryable(ValueError())
    assert not is_retryable(NoResponseError("bad url"))


def test_is_retryable_402_only_with_retry_after() -> None:
    """A 402 is worth retrying only when the server says when."""
    assert not is_retryable(error_from_response(402, [], body(402)))
    assert is_retryable(error_from_response(402, [("Retry-After", "5")], body(402)))


def test_is_retryable_stream_error_string_code() -> None:
    """An in-band error is classified by its code, a number or a string."""
    assert is_retryable(error_from_payload({"error": {"code": "server_error"}}))
    assert not is_retryable(error_from_payload({"error": {"code": "invalid_request_error"}}))
    assert is_retryable(error_from_payload({"error": {"code": 502}}))


def test_direct_construction() -> None:
    """Errors can be built directly; derived fields are computed the same way."""
    exc = RateLimitError(
        "slow down",
        status=429,
        headers={"Retry-After": "7"},
        code=429,
        metadata={"error_type": "rate_limit"},
    )
    assert exc.retry_after == 7.0
    assert exc.error_type == "rate_limit"
    assert str(exc) == "HTTP 429 rate limited: slow down (error_type='rate_limit')"
