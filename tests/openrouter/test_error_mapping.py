"""Errors say what happened: the retry table of in-band codes, and gopenrouter's names."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable

import pytest

import openrouter
from openrouter import (
    RETRYABLE_CODES,
    APIConnectionError,
    APIStatusError,
    BadGatewayError,
    ChatCompletionRequest,
    Message,
    OpenRouter,
    ResponseDecodeError,
    StreamError,
    is_retryable,
)
from openrouter._errors import error_from_payload, error_from_response
from openrouter.testing import MockOpenRouter

KEY = "test-key-0123456789"


def in_band(code: object) -> StreamError:
    """The StreamError of an error chunk carrying ``code``."""
    return error_from_payload({"error": {"code": code, "message": "m"}})


def error_body_200(code: object) -> APIStatusError:
    """The error of a 200 response whose body is an error object with ``code``."""
    body = json.dumps({"error": {"code": code, "message": "m"}}).encode()
    return error_from_response(200, [], body)


SERVER_FAULTS = [
    "server_error",
    "overloaded_error",
    "overloaded",
    "rate_limit_exceeded",
    "rate_limit_error",
    "rate_limited",
    "timeout",
    "internal_error",
    "api_error",
    "service_unavailable",
    "Server_Error",
    "503",
]
CLIENT_FAULTS = [
    "invalid_request_error",
    "authentication_error",
    "permission_error",
    "not_found_error",
    "context_length_exceeded",
    "insufficient_quota",
    "content_filter",
    "something_new",
    "",
    "400",
]


@pytest.mark.parametrize("code", SERVER_FAULTS)
def test_server_fault_codes_are_retryable(code: str) -> None:
    """An in-band error or a 200 error body whose string code means a server fault is retryable."""
    assert is_retryable(in_band(code))
    assert is_retryable(error_body_200(code))


@pytest.mark.parametrize("code", CLIENT_FAULTS)
def test_client_fault_codes_are_not_retryable(code: str) -> None:
    """A string code that means a client fault (or one not known) is not retryable."""
    assert not is_retryable(in_band(code))
    assert not is_retryable(error_body_200(code))


def test_the_table_is_published_and_lower_case() -> None:
    """RETRYABLE_CODES holds the documented server-fault codes, in lower case."""
    assert {"server_error", "overloaded_error", "timeout"} <= RETRYABLE_CODES
    assert all(code == code.lower() for code in RETRYABLE_CODES)
    assert not RETRYABLE_CODES & {"invalid_request_error", "authentication_error"}


def test_an_error_status_still_decides_by_status() -> None:
    """A real error status keeps its rule whatever string code the body has."""
    body = json.dumps({"error": {"code": "invalid_request_error", "message": "m"}}).encode()
    assert is_retryable(error_from_response(503, [], body))
    body = json.dumps({"error": {"code": "server_error", "message": "m"}}).encode()
    assert not is_retryable(error_from_response(400, [], body))


# -- gopenrouter's names ------------------------------------------------------------


def go_branch(call: Callable[[], object]) -> str:
    """Which branch a port of gopenrouter's error handling takes::

    var reqErr *RequestError
    if errors.As(err, &reqErr) { ... reqErr.HTTPStatusCode, reqErr.Body ... }
    else if err != nil { ... a network error ... }
    """
    try:
        call()
    except openrouter.RequestError as exc:
        return f"status {exc.status}, {len(exc.body)} bytes of body"
    except openrouter.APIConnectionError:
        return "network"
    return "ok"


def test_go_request_error_is_the_error_status_class() -> None:
    """RequestError is APIStatusError (status + body), as Go's *RequestError is an error status."""
    assert openrouter.RequestError is APIStatusError
    exc = error_from_response(502, [], b"<html><title>502 Bad Gateway</title></html>")
    assert isinstance(exc, openrouter.RequestError)
    assert isinstance(exc, BadGatewayError)
    assert (exc.status, exc.body[:6]) == (502, b"<html>")


def test_no_valid_response_is_not_a_request_error() -> None:
    """Connection failures and unreadable bodies are NoResponseError, never RequestError."""
    for exc in (APIConnectionError(), ResponseDecodeError(status=200, body=b"x")):
        assert isinstance(exc, openrouter.NoResponseError)
        assert not isinstance(exc, openrouter.RequestError)


def test_porting_errors_as_request_error_lands_in_the_right_branch() -> None:
    """Against the mock: an error status takes the RequestError branch, a refused
    connection the network branch."""
    with MockOpenRouter() as server:
        with OpenRouter(KEY, base_url=server.base_url, max_retries=0) as api:
            request = ChatCompletionRequest(model="mock/html-502", messages=[Message.user("Hi")])
            assert go_branch(lambda: api.chat_completion(request)).startswith("status 502, ")
            models = go_branch(api.list_models)
        closed = server.base_url
    assert models == "ok"
    with OpenRouter(KEY, base_url=closed, max_retries=0) as api:
        assert go_branch(api.get_credits) == "network"


def test_both_names_are_exported_without_a_warning() -> None:
    """RequestError (the alias) and NoResponseError are public; reading the alias does not warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert openrouter.RequestError.__name__ == "APIStatusError"
    assert "RequestError" in openrouter.__all__
    assert "NoResponseError" in openrouter.__all__
