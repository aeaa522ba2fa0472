"""openrouter.testing.MockOpenRouter: wire behaviour, seen by the openai client and raw sockets."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

import sseproto
from openrouter import ChatCompletion
from openrouter.testing import STORY_TEXT, MockOpenRouter, story_pieces
from openrouter.testing._scenarios import (
    AUDIO_DATA,
    AUDIO_EXPIRES_AT,
    AUDIO_ID,
    AUDIO_TRANSCRIPT,
    ENCRYPTED_REASONING,
    TOOL_CALLS,
    UTF8_PIECES,
    WEB_SEARCH_ANSWER,
    example_of,
)

AUTH = {"Authorization": "Bearer sk-test", "Content-Type": "application/json"}


@pytest.fixture
def server() -> Iterator[MockOpenRouter]:
    with MockOpenRouter() as running:
        yield running


@pytest.fixture
def client(server: MockOpenRouter) -> Iterator[openai.OpenAI]:
    with (
        httpx.Client() as http_client,
        openai.OpenAI(
            base_url=server.base_url,
            api_key="sk-test",
            # openai annotates http_client as its vendored httpx2.Client, yet
            # accepts a plain httpx.Client at runtime (its legacy-client path).
            http_client=http_client,  # type: ignore[arg-type]
            max_retries=0,
        ) as api,
    ):
        yield api


def post(
    server: MockOpenRouter,
    body: dict[str, Any],
    *,
    path: str = "/api/v1/chat/completions",
    headers: dict[str, str] | None = None,
) -> tuple[http.client.HTTPResponse, bytes]:
    """POST JSON with http.client; return the response and its whole body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("POST", path, json.dumps(body), AUTH if headers is None else headers)
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def get(server: MockOpenRouter, path: str) -> tuple[int, Any]:
    """GET with auth; return the status and the parsed JSON body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers=AUTH)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def raw_request(model: str, *, stream: bool = True) -> bytes:
    body = json.dumps({"model": model, "stream": stream, "messages": []}).encode()
    return (
        b"POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer sk-test\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


def read_chunked(sock: socket.socket) -> tuple[bytes, list[bytes]]:
    """Read one chunked response byte-exactly: the head and each chunk's payload."""
    buffer = bytearray()

    def fill() -> None:
        data = sock.recv(65536)
        if not data:
            raise EOFError("connection closed mid-response")
        buffer.extend(data)

    while b"\r\n\r\n" not in buffer:
        fill()
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    buffer[:] = rest
    chunks: list[bytes] = []
    while True:
        while b"\r\n" not in buffer:
            fill()
        size_line, _, rest = bytes(buffer).partition(b"\r\n")
        size = int(size_line, 16)
        while len(rest) < size + 2:
            fill()
            rest = bytes(buffer).partition(b"\r\n")[2]
        if size == 0:
            return head, chunks
        chunks.append(rest[:size])
        buffer[:] = rest[size + 2 :]


def exchange(server: MockOpenRouter, model: str) -> tuple[bytes, list[bytes]]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw_request(model))
        return read_chunked(sock)


def data_events(body: bytes) -> list[str]:
    parser = sseproto.EventStreamParser(max_event_size=64 * 1024 * 1024)
    events = parser.feed(body) + parser.close()
    return [event.data for event in events]


def chunk_objects(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(data) for data in data_events(body) if data != "[DONE]"]


# -- fidelity: the official openai client ------------------------------------


def test_openai_client_streams_the_story(client: openai.OpenAI) -> None:
    """The openai client's streamed deltas join to exactly the story text."""
    stream = client.chat.completions.create(
        model="mock/story", messages=[{"role": "user", "content": "Tell a story"}], stream=True
    )
    with stream:
        chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == STORY_TEXT
    assert all(c.id.startswith("gen-") and c.object == "chat.completion.chunk" for c in chunks)
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert "stop" in finishes
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens > 0


def test_openai_client_non_stream(client: openai.OpenAI) -> None:
    """A non-streaming call returns one chat.completion with the story and a cost."""
    completion = client.chat.completions.create(
        model="mock/story", messages=[{"role": "user", "content": "Tell a story"}]
    )
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.content == STORY_TEXT
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.model_extra or {})["cost"] > 0


def test_openai_client_sees_parallel_tool_calls(client: openai.OpenAI) -> None:
    """Tool-call deltas for indexes 0 and 1 assemble into both calls."""
    stream = client.chat.completions.create(
        model="mock/tools", messages=[{"role": "user", "content": "weather?"}], stream=True
    )
    calls: dict[int, dict[str, str]] = {}
    finish = None
    with stream:
        for chunk in stream:
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            finish = choice.finish_reason or finish
            for delta in choice.delta.tool_calls or []:
                call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
                call["id"] += delta.id or ""
                if delta.function is not None:
                    call["name"] += delta.function.name or ""
                    call["arguments"] += delta.function.arguments or ""
    assert finish == "tool_calls"
    assert sorted(calls) == [0, 1]
    for index, (call_id, name, arguments) in enumerate(TOOL_CALLS):
        assert calls[index] == {"id": call_id, "name": name, "arguments": arguments}
        json.loads(calls[index]["arguments"])


def test_openai_client_raises_on_inband_error(client: openai.OpenAI) -> None:
    """The in-band error chunk of mock/error-int surfaces as openai.APIError."""
    stream = client.chat.completions.create(model="mock/error-int", messages=[], stream=True)
    with stream, pytest.raises(openai.APIError, match="Provider disconnected"):
        list(stream)


# -- status replies ----------------------------------------------------------


def test_missing_key_gets_401_json() -> None:
    """No Authorization header: 401 with OpenRouter's error body."""
    with MockOpenRouter() as server:
        response, body = post(server, {"model": "mock/story"}, headers={})
    assert response.status == 401
    assert json.loads(body)["error"]["code"] == 401


def test_empty_bearer_gets_401(server: MockOpenRouter) -> None:
    """``Bearer`` with nothing after it is not a key."""
    response, body = post(server, {"model": "mock/story"}, headers={"Authorization": "Bearer "})
    assert response.status == 401
    assert "message" in json.loads(body)["error"]


def test_fixed_api_key_rejects_others() -> None:
    """With api_key set, only that exact token is accepted."""
    with MockOpenRouter(api_key="sk-right") as server:
        wrong, _ = post(server, {"model": "mock/story"})
        right, _ = post(
            server, {"model": "mock/story"}, headers={"Authorization": "Bearer sk-right"}
        )
    assert (wrong.status, right.status) == (401, 200)


def test_429_has_retry_after_and_json(server: MockOpenRouter) -> None:
    """mock/429: status 429, Retry-After seconds, JSON error with code 429."""
    response, body = post(server, {"model": "mock/429?retry_after=7", "stream": True})
    assert response.status == 429
    assert response.getheader("Retry-After") == "7"
    assert response.getheader("X-RateLimit-Remaining") == "0"
    assert json.loads(body)["error"]["code"] == 429


def test_availability_error_has_no_code(server: MockOpenRouter) -> None:
    """mock/availability: 503 whose error has an availability block but no code."""
    response, body = post(server, {"model": "mock/availability", "stream": True})
    error = json.loads(body)["error"]
    assert response.status == 503
    assert response.getheader("Retry-After") == "5"
    assert "code" not in error
    assert error["availability"]["retry_after"] == 5
    assert error["metadata"]["retry_after"] == 5


def test_html_502(server: MockOpenRouter) -> None:
    """mock/html-502: a 502 whose body is an HTML page, not JSON."""
    response, body = post(server, {"model": "mock/html-502", "stream": True})
    assert response.status == 502
    assert response.getheader("Content-Type") == "text/html"
    assert body.startswith(b"<html>")


def test_error_body_with_status_200(server: MockOpenRouter) -> None:
    """mock/error-body-200: status 200, application/json, an error object as the body."""
    response, body = post(server, {"model": "mock/error-body-200", "stream": True})
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    assert json.loads(body)["error"]["code"] == 502


def test_unknown_mock_model_gets_400(server: MockOpenRouter) -> None:
    """A mock/ name that names no scenario is refused like an invalid model ID."""
    response, body = post(server, {"model": "mock/nope"})
    assert response.status == 400
    assert "not a valid model ID" in json.loads(body)["error"]["message"]


# -- stream bytes -------------------------------------------------------------


def test_stream_headers(server: MockOpenRouter) -> None:
    """Streams are 200 text/event-stream, chunked, with generation id and rate-limit headers."""
    response, body = post(server, {"model": "mock/story", "stream": True})
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"
    assert response.getheader("Transfer-Encoding") == "chunked"
    generation_id = response.getheader("X-Generation-Id") or ""
    assert generation_id.startswith("gen-")
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert (response.getheader(name) or "").isdigit()
    assert body.endswith(b"data: [DONE]\n\n")
    assert all(chunk["id"] == generation_id for chunk in chunk_objects(body))


def test_story_chunk_shape(server: MockOpenRouter) -> None:
    """Every content chunk has OpenRouter's fields; the last one before [DONE] carries usage."""
    _, body = post(server, {"model": "mock/story", "stream": True})
    chunks = chunk_objects(body)
    first = chunks[0]
    assert list(first) == ["id", "provider", "model", "object", "created", "choices"]
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": story_pieces()[0]}
    assert set(first["choices"][0]) == {
        "index",
        "delta",
        "finish_reason",
        "native_finish_reason",
        "logprobs",
    }
    usage = chunks[-1]["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["cost"] > 0
    assert len(story_pieces()) == 20


def test_keepalive_comments_in_raw_bytes(server: MockOpenRouter) -> None:
    """mock/keepalive writes the comment before the first chunk and between chunks."""
    _, chunks = exchange(server, "mock/keepalive?delay=0")
    body = b"".join(chunks)
    assert body.startswith(b": OPENROUTER PROCESSING\n\n")
    first_data = body.index(b"data: ")
    second_data = body.index(b"data: ", first_data + 1)
    assert b": OPENROUTER PROCESSING\n\n" in body[first_data:second_data]


def test_cr_only_line_endings(server: MockOpenRouter) -> None:
    """mock/cr ends every line with CR alone; the parser still finds every event."""
    _, chunks = exchange(server, "mock/cr")
    body = b"".join(chunks)
    assert b"\n" not in body
    assert body.endswith(b"data: [DONE]\r\r")
    texts = [c["choices"][0]["delta"].get("content", "") for c in chunk_objects(body)]
    assert "".join(texts) == "".join(story_pieces(5))


def test_utf8_split_across_chunks(server: MockOpenRouter) -> None:
    """mock/utf8-split puts a character's bytes in two separate chunks of the framing."""
    _, chunks = exchange(server, "mock/utf8-split")
    broken = 0
    for chunk in chunks:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            broken += 1
    assert broken >= 2 * len(UTF8_PIECES)
    texts = [c["choices"][0]["delta"].get("content", "") for c in chunk_objects(b"".join(chunks))]
    assert "".join(texts) == "".join(UTF8_PIECES)


def test_truncated_has_no_done(server: MockOpenRouter) -> None:
    """mock/truncated ends the chunked body cleanly without a [DONE] event."""
    response, body = post(server, {"model": "mock/truncated", "stream": True})
    assert response.status == 200
    assert b"[DONE]" not in body
    assert data_events(body)
    assert len(chunk_objects(body)) == 5


def test_drip_writes_one_byte_per_chunk(server: MockOpenRouter) -> None:
    """mock/drip frames every byte as its own chunk."""
    _, chunks = exchange(server, "mock/drip?drip=0&chunks=1")
    assert {len(chunk) for chunk in chunks} == {1}
    assert b"".join(chunks).endswith(b"data: [DONE]\n\n")


def test_big_event(server: MockOpenRouter) -> None:
    """mock/big sends one event with megabytes of content."""
    _, body = post(server, {"model": "mock/big", "stream": True})
    content = chunk_objects(body)[0]["choices"][0]["delta"]["content"]
    assert len(content) == 4 * 1024 * 1024


def test_reasoning_details(server: MockOpenRouter) -> None:
    """Reasoning text is split across chunks; id/format come once, signature once."""
    _, body = post(server, {"model": "mock/reasoning", "stream": True})
    deltas = [c["choices"][0]["delta"] for c in chunk_objects(body) if c.get("choices")]
    details = [d["reasoning_details"][0] for d in deltas if "reasoning_details" in d]
    assert len(details) > 1
    assert all(d["type"] == "reasoning.text" for d in details)
    assert "".join(d["text"] for d in details) == "".join(d["reasoning"] for d in deltas[:8])
    assert sum("id" in d for d in details) == 1
    assert sum("format" in d for d in details) == 1
    assert sum("signature" in d for d in details) == 1


def test_error_str_code(server: MockOpenRouter) -> None:
    """mock/error-str's in-band error carries a string code and finish_reason error."""
    _, body = post(server, {"model": "mock/error-str", "stream": True})
    error_chunk = next(c for c in chunk_objects(body) if "error" in c)
    assert error_chunk["error"]["code"] == "server_error"
    assert error_chunk["error"]["metadata"] == {"error_type": "provider_error"}
    assert error_chunk["choices"][0]["finish_reason"] == "error"


def test_legacy_completion_stream(server: MockOpenRouter) -> None:
    """POST /completions streams the story as choices[0].text."""
    _, body = post(
        server, {"model": "mock/story", "prompt": "x", "stream": True}, path="/api/v1/completions"
    )
    chunks = [c for c in chunk_objects(body) if c["choices"]]
    assert "".join(c["choices"][0]["text"] for c in chunks) == STORY_TEXT
    assert chunks[0]["object"] == "text_completion"


def test_twenty_thousand_chunks_fast(server: MockOpenRouter) -> None:
    """A 20,000-chunk stream arrives whole in well under a second or two."""
    started = time.perf_counter()
    _, body = post(server, {"model": "mock/story?chunks=20000", "stream": True})
    elapsed = time.perf_counter() - started
    assert body.count(b"\n\ndata: ") + 1 == 20000 + 3  # deltas, finish, usage, [DONE]
    assert elapsed < 2.0


def test_custom_scenario(server: MockOpenRouter) -> None:
    """add_scenario streams the given strings as deltas and mappings verbatim."""
    server.add_scenario(
        "mock/custom", chunks=["Hel", "lo", {"id": "x", "choices": []}], usage=False
    )
    _, body = post(server, {"model": "mock/custom", "stream": True})
    chunks = chunk_objects(body)
    assert [c["choices"][0]["delta"]["content"] for c in chunks[:2]] == ["Hel", "lo"]
    assert chunks[2] == {"id": "x", "choices": []}
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


# -- connection handling ------------------------------------------------------


def test_keep_alive_serves_two_requests_on_one_socket(server: MockOpenRouter) -> None:
    """Two requests on one connection both get complete responses."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for _ in range(2):
            sock.sendall(raw_request("mock/story"))
            head, chunks = read_chunked(sock)
            assert head.startswith(b"HTTP/1.1 200 ")
            assert b"".join(chunks).endswith(b"data: [DONE]\n\n")


def test_stall_then_stop_is_prompt() -> None:
    """stop() during a stalled stream returns within a second and joins every thread."""
    before = set(threading.enumerate())
    server = MockOpenRouter()
    server.start()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw_request("mock/stall"))
        received = b""
        while received.count(b"data: ") < 3:
            received += sock.recv(65536)
        started = time.perf_counter()
        server.stop()
        assert time.perf_counter() - started < 1.0
        assert sock.recv(65536) == b""  # the server closed its end
    assert set(threading.enumerate()) <= before


def test_stall_ends_when_client_leaves(server: MockOpenRouter) -> None:
    """A stalled stream's thread finishes soon after the client disconnects."""
    before = threading.active_count()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw_request("mock/stall"))
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        assert threading.active_count() == before + 1
    deadline = time.monotonic() + 2.0
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before


def test_requests_are_recorded(server: MockOpenRouter) -> None:
    """server.requests keeps method, path, query, headers and the parsed JSON body."""
    post(server, {"model": "mock/story", "messages": [{"role": "user", "content": "hi"}]})
    get(server, "/api/v1/models?category=programming")
    first, second = server.requests
    assert (first.method, first.path) == ("POST", "/api/v1/chat/completions")
    assert first.headers["authorization"] == "Bearer sk-test"
    assert first.json["messages"][0]["content"] == "hi"
    assert (second.method, second.query) == ("GET", {"category": "programming"})
    server.clear_requests()
    assert server.requests == []


# -- other endpoints ----------------------------------------------------------


def test_models_filters(server: MockOpenRouter) -> None:
    """GET /models lists the scenarios; supported_parameters and category filter them."""
    _, everything = get(server, "/api/v1/models")
    assert "mock/story" in {m["id"] for m in everything["data"]}
    _, tools = get(server, "/api/v1/models?supported_parameters=tools,tool_choice")
    assert [m["id"] for m in tools["data"]] == ["mock/tools"]
    _, category = get(server, "/api/v1/models?category=programming")
    assert [m["id"] for m in category["data"]] == ["mock/tools"]


def test_model_endpoints(server: MockOpenRouter) -> None:
    """GET /models/{author}/{slug}/endpoints describes the model and its one provider."""
    status, body = get(server, "/api/v1/models/mock/story/endpoints")
    assert status == 200
    assert body["data"]["id"] == "mock/story"
    assert body["data"]["endpoints"][0]["provider_name"] == "Mock"
    missing, _ = get(server, "/api/v1/models/mock/nothing/endpoints")
    assert missing == 404


def test_generation_credits_and_key(server: MockOpenRouter) -> None:
    """A finished generation is queryable by id, and its cost shows in credits and key."""
    response, _ = post(server, {"model": "mock/usage", "stream": True})
    generation_id = response.getheader("X-Generation-Id")
    status, generation = get(server, f"/api/v1/generation?id={generation_id}")
    assert status == 200
    cost = generation["data"]["total_cost"]
    assert generation["data"]["id"] == generation_id
    assert cost > 0
    _, credits = get(server, "/api/v1/credits")
    assert credits["data"]["total_usage"] == pytest.approx(cost)
    _, key = get(server, "/api/v1/key")
    assert key["data"]["usage"] == pytest.approx(cost)
    assert get(server, "/api/v1/generation?id=gen-unknown")[0] == 404


def test_non_stream_truncated_body_is_short(server: MockOpenRouter) -> None:
    """Non-streaming mock/truncated declares a length, sends half of it, and closes."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(
            "POST", "/api/v1/chat/completions", json.dumps({"model": "mock/truncated"}), AUTH
        )
        response = conn.getresponse()
        with pytest.raises(http.client.IncompleteRead):
            response.read()
    finally:
        conn.close()


def test_non_stream_inband_error_is_a_200_error_body(server: MockOpenRouter) -> None:
    """Non-streaming mock/error-int answers 200 with OpenRouter's error object."""
    response, body = post(server, {"model": "mock/error-int"})
    assert response.status == 200
    assert json.loads(body)["error"]["code"] == 502


# -- scenarios of real-traffic shapes: stream chunks and the non-streamed body -------


def streamed_and_whole(server: MockOpenRouter, model: str) -> tuple[list[dict[str, Any]], Any]:
    """The chunk objects of a streamed request and the body of a non-streamed one."""
    _, body = post(server, {"model": model, "stream": True})
    response, whole = post(server, {"model": model})
    assert response.status == 200
    return chunk_objects(body), json.loads(whole)


def deltas_with(chunks: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [
        c["choices"][0]["delta"]
        for c in chunks
        if c.get("choices") and key in c["choices"][0].get("delta", {})
    ]


def test_web_search_streams_citations_near_the_end(server: MockOpenRouter) -> None:
    """mock/web-search: one delta with empty content carries the url_citation annotations."""
    chunks, whole = streamed_and_whole(server, "mock/web-search")
    (carrier,) = deltas_with(chunks, "annotations")
    assert carrier["content"] == ""
    position = next(i for i, c in enumerate(chunks) if "annotations" in c["choices"][0]["delta"])
    assert chunks[position + 1]["choices"][0]["finish_reason"] == "stop"
    text = "".join(d.get("content") or "" for d in deltas_with(chunks, "content"))
    assert text == WEB_SEARCH_ANSWER
    for annotation in carrier["annotations"]:
        assert annotation["type"] == "url_citation"
        citation = annotation["url_citation"]
        assert set(citation) == {"url", "title", "content", "start_index", "end_index"}
        cited = text[citation["start_index"] : citation["end_index"]]
        assert cited.endswith("(" + citation["url"] + ")")
    assert chunks[-1]["usage"]["server_tool_use"] == {"web_search_requests": 1}
    message = whole["choices"][0]["message"]
    assert message["content"] == WEB_SEARCH_ANSWER
    assert message["annotations"] == carrier["annotations"]
    assert whole["usage"]["server_tool_use"] == {"web_search_requests": 1}


def test_audio_streams_pieces_that_join_to_the_whole(server: MockOpenRouter) -> None:
    """mock/audio: id first, data and transcript in fragments, expires_at last."""
    chunks, whole = streamed_and_whole(server, "mock/audio?chunks=5")
    pieces = [d["audio"] for d in deltas_with(chunks, "audio")]
    assert len(pieces) == 5
    assert [("id" in p, "expires_at" in p) for p in pieces] == (
        [(True, False)] + [(False, False)] * 3 + [(False, True)]
    )
    assert pieces[0]["id"] == AUDIO_ID
    assert pieces[-1]["expires_at"] == AUDIO_EXPIRES_AT
    assert "".join(p["data"] for p in pieces) == AUDIO_DATA
    assert "".join(p["transcript"] for p in pieces) == AUDIO_TRANSCRIPT
    assert whole["choices"][0]["message"]["audio"] == {
        "id": AUDIO_ID,
        "data": AUDIO_DATA,
        "transcript": AUDIO_TRANSCRIPT,
        "expires_at": AUDIO_EXPIRES_AT,
    }


def test_reasoning_encrypted_streams_summaries_then_one_encrypted_piece(
    server: MockOpenRouter,
) -> None:
    """mock/reasoning-encrypted: summary pieces and an encrypted piece, all at index 0."""
    chunks, whole = streamed_and_whole(server, "mock/reasoning-encrypted?chunks=6")
    pieces = [d["reasoning_details"][0] for d in deltas_with(chunks, "reasoning_details")]
    assert [p["type"] for p in pieces] == ["reasoning.summary"] * 6 + ["reasoning.encrypted"]
    assert {p["index"] for p in pieces} == {0}
    encrypted = pieces[-1]
    assert (encrypted["id"], encrypted["data"]) == ("rs_mock_0002", ENCRYPTED_REASONING)
    summary = "".join(p["summary"] for p in pieces[:-1])
    reasoning = "".join(d["reasoning"] for d in deltas_with(chunks, "reasoning"))
    assert reasoning == summary
    message = whole["choices"][0]["message"]
    assert message["reasoning"] == summary
    first = {k: v for k, v in pieces[0].items() if k != "summary"}
    assert message["reasoning_details"] == [{**first, "summary": summary}, encrypted]


def test_error_usage_puts_the_only_usage_on_the_error_chunk(server: MockOpenRouter) -> None:
    """mock/error-usage: the in-band error chunk has finish_reason error, error and usage."""
    chunks, whole = streamed_and_whole(server, "mock/error-usage")
    with_usage = [c for c in chunks if "usage" in c]
    (error_chunk,) = with_usage
    assert error_chunk is chunks[-1]
    assert error_chunk["choices"][0]["finish_reason"] == "error"
    assert error_chunk["error"]["code"] == 502
    assert error_chunk["usage"]["completion_tokens"] == 3
    text = "".join(d.get("content") or "" for d in deltas_with(chunks, "content"))
    assert whole["choices"][0]["message"]["content"] == text
    assert whole["choices"][0]["finish_reason"] == "error"
    assert whole["error"] == error_chunk["error"]
    assert whole["usage"] == error_chunk["usage"]


def test_new_scenarios_are_listed_as_models(server: MockOpenRouter) -> None:
    """GET /models lists the real-traffic scenarios."""
    status, body = get(server, "/api/v1/models")
    assert status == 200
    ids = {m["id"] for m in body["data"]}
    assert {"mock/web-search", "mock/audio", "mock/reasoning-encrypted", "mock/error-usage"} <= ids


def test_new_scenario_bodies_read_as_typed_records(server: MockOpenRouter) -> None:
    """The non-streamed bodies of the new scenarios fill the typed response fields."""
    _, web = streamed_and_whole(server, "mock/web-search")
    message = ChatCompletion.from_dict(web).choices[0].message
    assert message.annotations is not None
    assert [a.url_citation.url for a in message.annotations if a.url_citation] == [
        "https://example.com/lighthouses",
        "https://example.org/coasts",
    ]
    _, audio = streamed_and_whole(server, "mock/audio")
    spoken = ChatCompletion.from_dict(audio).choices[0].message.audio
    assert spoken is not None
    assert (spoken.id, spoken.transcript) == (AUDIO_ID, AUDIO_TRANSCRIPT)
    _, reasoning = streamed_and_whole(server, "mock/reasoning-encrypted")
    details = ChatCompletion.from_dict(reasoning).choices[0].message.reasoning_details
    assert [d.type for d in details or ()] == ["reasoning.summary", "reasoning.encrypted"]
    _, failed = streamed_and_whole(server, "mock/error-usage")
    body = ChatCompletion.from_dict(failed)
    assert body.error is not None
    assert body.usage is not None
    assert body.choices[0].finish_reason == "error"


# -- error messages name the model; structured output --------------------------------------


def test_error_messages_name_the_requested_model(server: MockOpenRouter) -> None:
    """The 429 and 503 messages quote the model asked for, without its knobs."""
    _, body = post(server, {"model": "mock/429?retry_after=0", "stream": True})
    assert "limit_rpm/mock/429." in json.loads(body)["error"]["message"]
    assert "mock/story" not in json.loads(body)["error"]["message"]
    _, body = post(server, {"model": "mock/availability?retry_after=1"})
    assert "for mock/availability:" in json.loads(body)["error"]["message"]


WEATHER_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "temperature_c": {"type": "number"},
        "conditions": {"type": "string", "enum": ["sunny", "cloudy"]},
        "hourly": {"type": "array", "items": {"type": "integer"}},
        "note": {"type": "string"},
    },
    "required": ["city", "temperature_c", "conditions", "hourly"],
    "additionalProperties": False,
}


def _json_schema(schema: object) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": "w", "strict": True, "schema": schema}}


def _ask(server: MockOpenRouter, model: str, response_format: object, *, stream: bool) -> Any:
    """POST a chat request with ``response_format``; the chunks, or the completion."""
    body = {"model": model, "messages": [{"role": "user", "content": "Weather?"}]}
    response, data = post(server, {**body, "response_format": response_format, "stream": stream})
    assert response.status == 200, data
    return chunk_objects(data) if stream else json.loads(data)


def test_json_schema_gets_json_with_the_required_properties(server: MockOpenRouter) -> None:
    """A streamed request with a json_schema response_format gets JSON holding each required
    property, with a value of its type, in several content deltas."""
    chunks = _ask(server, "openai/gpt-4.1-mini", _json_schema(WEATHER_SCHEMA), stream=True)
    pieces = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"]]
    pieces = [piece for piece in pieces if piece]
    assert len(pieces) > 1
    answer = json.loads("".join(pieces))
    assert answer == {"city": "mock", "temperature_c": 1.5, "conditions": "sunny", "hourly": [1]}


def test_json_schema_non_streamed_and_json_object(server: MockOpenRouter) -> None:
    """The non-streamed answer is the same JSON; json_object gets a JSON object too."""
    reply = _ask(server, "mock/story", _json_schema(WEATHER_SCHEMA), stream=False)
    assert json.loads(reply["choices"][0]["message"]["content"])["conditions"] == "sunny"
    reply = _ask(server, "openai/gpt-4o", {"type": "json_object"}, stream=False)
    assert json.loads(reply["choices"][0]["message"]["content"]) == {"text": STORY_TEXT}


def test_other_scenarios_ignore_the_response_format(server: MockOpenRouter) -> None:
    """Scenarios that test wire shapes (mock/tools, ...) answer as without a format."""
    reply = _ask(server, "mock/tools", _json_schema(WEATHER_SCHEMA), stream=False)
    assert reply["choices"][0]["finish_reason"] == "tool_calls"


def test_example_of_covers_the_schema_keywords() -> None:
    """examples, const, enum, anyOf, type lists, nested objects, and a bound on depth."""
    assert example_of({"type": "string", "examples": ["Lisbon"]}) == "Lisbon"
    assert example_of({"const": 3}) == 3
    assert example_of({"anyOf": [{"type": "integer"}, {"type": "string"}]}) == 1
    assert example_of({"type": ["null", "boolean"]}) is True
    assert example_of({"type": "object", "properties": {"a": {"type": "null"}}}) == {"a": None}
    assert example_of({"$ref": "#/defs/x"}) is None
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(100):
        deep = {"type": "array", "items": deep}
    json.dumps(example_of(deep))  # bounded: no RecursionError
