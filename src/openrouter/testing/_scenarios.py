"""What each mock model sends: the built-in scenarios, chosen by model name.

``build_scenario`` turns a requested model name (``mock/story?chunks=5``)
into a ``Script`` (a streamed reply, see ``_script``) or a ``Canned`` fixed
reply; ``custom_scenario`` makes the builder behind
``MockOpenRouter.add_scenario``. The constants name what the scenarios say,
so tests can compare against them.
"""

from __future__ import annotations

import base64
import string
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import parse_qsl

from ._render import dumps, error_body
from ._script import (
    JSON,
    Annotations,
    AudioPiece,
    Canned,
    Content,
    Detail,
    Finish,
    InbandError,
    Keepalive,
    Params,
    Pause,
    RawChunk,
    Reasoning,
    Script,
    Stall,
    Step,
    ToolCall,
)

__all__ = [
    "AUDIO_DATA",
    "AUDIO_EXPIRES_AT",
    "AUDIO_ID",
    "AUDIO_TRANSCRIPT",
    "BUILTIN_SCENARIOS",
    "ENCRYPTED_REASONING",
    "STORY_TEXT",
    "TOOL_CALLS",
    "UTF8_PIECES",
    "WEB_SEARCH_ANSWER",
    "WEB_SEARCH_SOURCES",
    "ScenarioBuilder",
    "ScenarioError",
    "build_scenario",
    "custom_scenario",
    "example_of",
    "split_model",
    "story_pieces",
    "structured_answer",
]

#: The default story; ``story_pieces(20)`` is what ``mock/story`` streams.
STORY_TEXT: Final = (
    "The lighthouse keeper counted the ships every evening. One night a small boat "
    "arrived with no lights and no name, carrying only a cat and a folded map. "
    "The keeper unfolded the map on his table and found his own lighthouse drawn "
    "in the corner, circled twice. He fed the cat, lit the lamp, and waited for "
    "morning, when the boat was gone and the map showed a second lighthouse across "
    "the bay."
)

_STORY_WORDS: Final = STORY_TEXT.split(" ")

#: Text for the ``mock/utf8-split`` scenario: two-, three- and four-byte UTF-8.
UTF8_PIECES: Final = ("Grüße ", "aus Köln — ", "日本語の", "テキスト ", "and emoji 🎉🚀.")

#: How much JSON content ``mock/big`` sends in its one event unless ``?size=`` says.
DEFAULT_BIG_SIZE: Final = 4 * 1024 * 1024

#: Largest ``?chunks=`` accepted: keeps a typo from building gigabytes of stream.
MAX_CHUNKS: Final = 1_000_000

#: Largest ``?size=`` accepted for ``mock/big`` (64 MiB).
MAX_BIG_SIZE: Final = 64 * 1024 * 1024


class ScenarioError(ValueError):
    """A model name that names no scenario, or a knob with an invalid value."""


# ---------------------------------------------------------------------------
# Model names and knobs.


def split_model(model: str) -> tuple[str, Params]:
    """Split ``"mock/story?chunks=5&delay=0.01"`` into the name and its ``Params``.

    Raises:
        ScenarioError: an unknown knob, or a value of the wrong type or range.
    """
    name, _, query = model.partition("?")
    values: dict[str, Any] = {}
    for key, raw in parse_qsl(query, keep_blank_values=True):
        try:
            if key in {"chunks", "size", "retry_after"}:
                number = int(raw)
                if number < 0:
                    raise ValueError(raw)
                values[key] = number
            elif key in {"delay", "drip"}:
                seconds = float(raw)
                if not 0.0 <= seconds <= 60.0:
                    raise ValueError(raw)
                values[key] = seconds
            else:
                raise ScenarioError(f"unknown scenario option {key!r} in {model!r}")
        except ValueError as exc:
            if isinstance(exc, ScenarioError):
                raise
            raise ScenarioError(f"invalid value {raw!r} for {key!r} in {model!r}") from exc
    params = Params(model=name or "mock/story", **values)
    if params.chunks is not None and not 1 <= params.chunks <= MAX_CHUNKS:
        raise ScenarioError(f"chunks must be between 1 and {MAX_CHUNKS}")
    if params.size is not None and params.size > MAX_BIG_SIZE:
        raise ScenarioError(f"size must be at most {MAX_BIG_SIZE}")
    return name, params


def story_pieces(chunks: int = 20) -> list[str]:
    """The content deltas of ``mock/story?chunks=N``; ``"".join()`` is the full text.

    Up to the story's word count, the words are grouped into ``chunks`` pieces
    of near-equal size (so ``chunks=20`` joins to exactly ``STORY_TEXT``).
    Beyond it, every piece is one word and the story repeats, each repetition
    separated by a space.
    """
    if chunks < 1:
        raise ValueError("chunks must be at least 1")
    words = _STORY_WORDS
    if chunks <= len(words):
        pieces = []
        for i in range(chunks):
            group = words[i * len(words) // chunks : (i + 1) * len(words) // chunks]
            last = (i + 1) * len(words) // chunks == len(words)
            pieces.append(" ".join(group) + ("" if last else " "))
        return pieces
    count = len(words)
    pieces = [words[i % count] + " " for i in range(chunks)]
    pieces[-1] = pieces[-1][:-1]
    return pieces


def _text_pieces(text: str, count: int) -> list[str]:
    """``text`` cut into ``count`` consecutive, near-equal pieces (some may be empty)."""
    return [text[i * len(text) // count : (i + 1) * len(text) // count] for i in range(count)]


# ---------------------------------------------------------------------------
# Built-in scenarios.


def _story(params: Params) -> Script:
    pieces = story_pieces(params.chunks or 20)
    steps: list[Step] = [Content(p) for p in pieces]
    steps.append(Finish("stop"))
    return Script(tuple(steps), delay=params.delay or 0.0)


def _keepalive(params: Params) -> Script:
    gap = 0.01 if params.delay is None else params.delay
    steps: list[Step] = [Keepalive(), Pause(gap), Keepalive(), Pause(gap), Keepalive(), Pause(gap)]
    for piece in story_pieces(params.chunks or 5):
        steps += [Content(piece), Pause(gap), Keepalive(), Pause(gap)]
    steps.append(Finish("stop"))
    return Script(tuple(steps))


_REASONING_TEXT: Final = (
    "The user wants a short answer. A lighthouse guides ships, so the answer is one sentence."
)
_REASONING_ANSWER: Final = "A lighthouse keeps ships off the rocks at night."
_REASONING_SIGNATURE: Final = "c2lnbmF0dXJlLW9mLXRoZS1tb2NrLXJlYXNvbmluZw=="


def _reasoning(params: Params) -> Script:
    texts = _text_pieces(_REASONING_TEXT, params.chunks or 8)
    steps: list[Step] = []
    for i, text in enumerate(texts):
        detail: dict[str, Any] = {"type": "reasoning.text", "index": 0}
        if i == 0:
            detail["id"] = "rs_mock_0001"
            detail["format"] = "anthropic-claude-v1"
        if i == len(texts) - 1:
            detail["signature"] = _REASONING_SIGNATURE
        steps.append(Reasoning(text, detail))
    steps += [Content(p) for p in _text_pieces(_REASONING_ANSWER, 4)]
    steps.append(Finish("stop"))
    return Script(tuple(steps), delay=params.delay or 0.0)


#: The two calls ``mock/tools`` makes: (id, function name, JSON arguments).
TOOL_CALLS: Final = (
    ("call_mock_0", "get_weather", '{"city": "Lisbon", "unit": "celsius"}'),
    ("call_mock_1", "get_time", '{"timezone": "Europe/Lisbon"}'),
)


def _tools(params: Params) -> Script:
    steps: list[Step] = []
    for index, (call_id, name, arguments) in enumerate(TOOL_CALLS):
        steps.append(ToolCall(index, "", id=call_id, name=name))
        steps += [ToolCall(index, part) for part in _text_pieces(arguments, 4)]
    steps.append(Finish("tool_calls"))
    return Script(tuple(steps), delay=params.delay or 0.0)


def _usage(params: Params) -> Script:
    steps: list[Step] = [Content(p) for p in story_pieces(params.chunks or 3)]
    steps.append(Finish("stop"))
    extra = {
        "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 2, "image_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": 0.000012,
            "upstream_inference_completions_cost": 0.00003,
        },
    }
    return Script(tuple(steps), usage_extra=extra, delay=params.delay or 0.0)


def _inband_error(code: int | str) -> Callable[[Params], Script]:
    def build(params: Params) -> Script:
        steps: list[Step] = [Content(p) for p in story_pieces(20)[: params.chunks or 3]]
        steps.append(InbandError(code, "Provider disconnected unexpectedly", "provider_error"))
        return Script(tuple(steps), usage=False, delay=params.delay or 0.0)

    return build


#: The answer ``mock/web-search`` streams, and the sources it cites.
WEB_SEARCH_ANSWER: Final = (
    "A lighthouse guides ships at night [example.com](https://example.com/lighthouses) "
    "and marks dangerous coasts [example.org](https://example.org/coasts)."
)
WEB_SEARCH_SOURCES: Final = (
    ("https://example.com/lighthouses", "Lighthouses of the world", "[example.com]"),
    ("https://example.org/coasts", "Dangerous coasts", "[example.org]"),
)


def _citations() -> tuple[JSON, ...]:
    citations = []
    for url, title, label in WEB_SEARCH_SOURCES:
        start = WEB_SEARCH_ANSWER.index(label)
        end = WEB_SEARCH_ANSWER.index(")", start) + 1
        citation = {
            "url": url,
            "title": title,
            "content": f"{title}: how lights keep ships safe.",
            "start_index": start,
            "end_index": end,
        }
        citations.append({"type": "url_citation", "url_citation": citation})
    return tuple(citations)


def _web_search(params: Params) -> Script:
    # OpenRouter streams the answer, then the citations in one delta with
    # empty content just before the finish chunk.
    steps: list[Step] = [Content(p) for p in _text_pieces(WEB_SEARCH_ANSWER, params.chunks or 6)]
    steps += [Annotations(_citations()), Finish("stop")]
    extra = {"server_tool_use": {"web_search_requests": 1}}
    return Script(tuple(steps), usage_extra=extra, delay=params.delay or 0.0)


#: What ``mock/audio`` says, and the base64 audio it streams (a silent WAV).
AUDIO_TRANSCRIPT: Final = "The lamp is lit and the ships are safe."
AUDIO_DATA: Final = base64.b64encode(
    b"RIFF$\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80>\x00\x00"
    b"\x00}\x00\x00\x02\x00\x10\x00data\x00\x08\x00\x00" + bytes(2048)
).decode("ascii")
AUDIO_ID: Final = "audio_mock_0001"
AUDIO_EXPIRES_AT: Final = 1_900_000_000


def _audio(params: Params) -> Script:
    count = params.chunks or 6
    data = _text_pieces(AUDIO_DATA, count)
    transcript = _text_pieces(AUDIO_TRANSCRIPT, count)
    steps: list[Step] = []
    for i in range(count):
        piece: JSON = {"data": data[i], "transcript": transcript[i]}
        if i == 0:
            piece = {"id": AUDIO_ID, **piece}
        if i == count - 1:
            piece["expires_at"] = AUDIO_EXPIRES_AT
        steps.append(AudioPiece(piece))
    steps.append(Finish("stop"))
    return Script(tuple(steps), delay=params.delay or 0.0)


_SUMMARY_TEXT: Final = (
    "Checked what a lighthouse does, then picked the one fact that answers the question."
)
#: The ``data`` of ``mock/reasoning-encrypted``'s encrypted reasoning entry.
ENCRYPTED_REASONING: Final = base64.b64encode(b"mock encrypted reasoning " * 8).decode("ascii")
_XAI_FORMAT: Final = "xai-responses-v1"


def _reasoning_encrypted(params: Params) -> Script:
    # xAI through OpenRouter: summary pieces at index 0, then one encrypted
    # entry, also at index 0, with an id. The non-streamed body has both.
    steps: list[Step] = []
    for text in _text_pieces(_SUMMARY_TEXT, params.chunks or 8):
        detail = {"type": "reasoning.summary", "summary": text, "format": _XAI_FORMAT, "index": 0}
        steps.append(Detail(detail, reasoning=text))
    encrypted = {
        "type": "reasoning.encrypted",
        "data": ENCRYPTED_REASONING,
        "id": "rs_mock_0002",
        "format": _XAI_FORMAT,
        "index": 0,
    }
    steps.append(Detail(encrypted))
    steps += [Content(p) for p in _text_pieces(_REASONING_ANSWER, 4)]
    steps.append(Finish("stop"))
    return Script(tuple(steps), delay=params.delay or 0.0)


def _error_usage(params: Params) -> Script:
    steps: list[Step] = [Content(p) for p in story_pieces(20)[: params.chunks or 3]]
    steps.append(
        InbandError(502, "Provider disconnected unexpectedly", "provider_error", usage=True)
    )
    return Script(tuple(steps), usage=False, delay=params.delay or 0.0)


def _truncated(params: Params) -> Script:
    steps: list[Step] = [Content(p) for p in story_pieces(20)[: params.chunks or 5]]
    return Script(tuple(steps), done=False, usage=False, delay=params.delay or 0.0)


def _stall(params: Params) -> Script:
    steps: list[Step] = [Content(p) for p in story_pieces(20)[: params.chunks or 3]]
    steps += [Pause(0.0), Stall()]
    return Script(tuple(steps), delay=params.delay or 0.0)


def _drip(params: Params) -> Script:
    steps: list[Step] = [Content(p) for p in story_pieces(params.chunks or 3)]
    steps.append(Finish("stop"))
    return Script(tuple(steps), drip=0.001 if params.drip is None else params.drip)


def _big(params: Params) -> Script:
    size = DEFAULT_BIG_SIZE if params.size is None else params.size
    unit = string.ascii_letters + string.digits + " "
    text = (unit * (size // len(unit) + 1))[:size]
    steps: list[Step] = [Content(text), Finish("stop")]
    return Script(tuple(steps), write_size=64 * 1024)


def _cr(params: Params) -> Script:
    steps: list[Step] = [Keepalive()]
    steps += [Content(p) for p in story_pieces(params.chunks or 5)]
    steps.append(Finish("stop"))
    return Script(tuple(steps), newline=b"\r", delay=params.delay or 0.0)


def _utf8_split(params: Params) -> Script:
    steps: list[Step] = [Content(p, split=True) for p in UTF8_PIECES]
    steps.append(Finish("stop"))
    return Script(tuple(steps), delay=params.delay or 0.0)


def _rate_limited(params: Params) -> Canned:
    retry_after = 2 if params.retry_after is None else params.retry_after
    reset_ms = (int(time.time()) + retry_after) * 1000
    limit_headers = {
        "X-RateLimit-Limit": "20",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(reset_ms),
    }
    body = error_body(
        429,
        f"Rate limit exceeded: limit_rpm/{params.model}. High demand for this model.",
        {"headers": limit_headers, "provider_name": None},
    )
    headers = (("Retry-After", str(retry_after)), *limit_headers.items())
    return Canned(429, body, headers=headers)


def _availability(params: Params) -> Canned:
    # An error object without ``code``: the status line is the only number.
    # The ``availability`` block and ``metadata.retry_after`` follow the shape
    # of OpenRouter's routing errors when no provider can take the request.
    retry_after = 5 if params.retry_after is None else params.retry_after
    error = {
        "message": f"No endpoints available for {params.model}: all providers are busy",
        "metadata": {"retry_after": retry_after, "provider_name": None},
        "availability": {
            "status": "unavailable",
            "retry_after": retry_after,
            "providers": [{"name": "Mock", "status": "overloaded"}],
        },
    }
    return Canned(503, dumps({"error": error}), headers=(("Retry-After", str(retry_after)),))


def _error_body_200(params: Params) -> Canned:
    del params
    body = error_body(
        502,
        "Provider returned error",
        {"provider_name": "Mock", "raw": "upstream connection reset"},
    )
    return Canned(200, body)


_HTML_502: Final = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>mock-proxy</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def _html_502(params: Params) -> Canned:
    del params
    return Canned(502, _HTML_502, content_type="text/html")


ScenarioBuilder = Callable[[Params], "Script | Canned"]

#: Every built-in model name and the function that builds its scenario.
BUILTIN_SCENARIOS: Final[Mapping[str, ScenarioBuilder]] = {
    "mock/story": _story,
    "mock/keepalive": _keepalive,
    "mock/reasoning": _reasoning,
    "mock/tools": _tools,
    "mock/usage": _usage,
    "mock/error-int": _inband_error(502),
    "mock/error-str": _inband_error("server_error"),
    "mock/truncated": _truncated,
    "mock/stall": _stall,
    "mock/drip": _drip,
    "mock/429": _rate_limited,
    "mock/availability": _availability,
    "mock/error-body-200": _error_body_200,
    "mock/html-502": _html_502,
    "mock/big": _big,
    "mock/cr": _cr,
    "mock/utf8-split": _utf8_split,
    "mock/web-search": _web_search,
    "mock/audio": _audio,
    "mock/reasoning-encrypted": _reasoning_encrypted,
    "mock/error-usage": _error_usage,
}


def build_scenario(
    model: str,
    custom: Mapping[str, ScenarioBuilder] | None = None,
    *,
    response_format: object = None,
) -> tuple[str, Script | Canned]:
    """The scenario for a requested model name, and the name without its knobs.

    Names outside the ``mock/`` namespace (``openai/gpt-4o``) get the story,
    so code written against real model names runs unchanged; with a
    ``response_format`` asking for JSON (the request's, see
    :func:`structured_answer`) they, and ``mock/story``, answer that JSON
    instead, cut into content deltas.

    Raises:
        ScenarioError: an unknown ``mock/`` name or an invalid knob.
    """
    name, params = split_model(model)
    if custom is not None and name in custom:
        return name, custom[name](params)
    builder = BUILTIN_SCENARIOS.get(name)
    if builder is None:
        if name.startswith("mock/"):
            raise ScenarioError(f"{name} is not a valid model ID")
        builder = _story
    answer = structured_answer(response_format)
    if builder is _story and answer is not None:
        steps: list[Step] = [Content(p) for p in _text_pieces(answer, params.chunks or 4)]
        steps.append(Finish("stop"))
        return params.model, Script(tuple(steps), delay=params.delay or 0.0)
    return params.model, builder(params)


#: How deep :func:`example_of` follows nested schemas before answering ``null``.
MAX_SCHEMA_DEPTH: Final = 32

#: What :func:`example_of` answers for each JSON Schema type.
_EXAMPLES: Final[Mapping[str, object]] = {
    "string": "mock",
    "number": 1.5,
    "integer": 1,
    "boolean": True,
    "null": None,
}


def example_of(schema: object, depth: int = 0) -> object:
    """A value that matches ``schema`` (a JSON Schema) in the ways a test reads it.

    The first of ``examples``, else ``const``, else the first of ``enum``,
    else the first branch of ``anyOf`` / ``oneOf`` / ``allOf``, else a value
    of ``type`` (its first non-null type when it is a list): ``"mock"``,
    ``1.5``, ``1``, ``true``, ``null``, an array of one example of ``items``
    (empty without ``items``), an object with an example of each
    ``required`` property (every property when ``required`` is absent).
    Anything else, ``$ref`` included, and anything deeper than
    :data:`MAX_SCHEMA_DEPTH`, is ``null``.
    """
    if not isinstance(schema, Mapping) or depth > MAX_SCHEMA_DEPTH:
        return None
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for key in ("anyOf", "oneOf", "allOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            return example_of(branches[0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        required = schema.get("required")
        names = required if isinstance(required, list) else list(properties)
        return {
            str(name): example_of(properties.get(name, {}), depth + 1)
            for name in names
            if isinstance(name, str)
        }
    if kind == "array":
        items = schema.get("items")
        return [example_of(items, depth + 1)] if isinstance(items, Mapping) else []
    return _EXAMPLES.get(kind) if isinstance(kind, str) else None


def structured_answer(response_format: object) -> str | None:
    """The JSON text the mock answers to a request's ``response_format``, or ``None``.

    ``{"type": "json_schema", "json_schema": {"schema": S}}`` gets
    ``example_of(S)``; ``{"type": "json_object"}`` (or a ``json_schema``
    without a schema object) gets an object holding the story
    (``{"text": STORY_TEXT}``); anything else gets ``None``: a plain text
    answer.
    """
    if not isinstance(response_format, Mapping):
        return None
    kind = response_format.get("type")
    if kind not in ("json_object", "json_schema"):
        return None
    wrapper = response_format.get("json_schema")
    schema = wrapper.get("schema") if isinstance(wrapper, Mapping) else None
    if kind == "json_object" or not isinstance(schema, Mapping):
        return dumps({"text": STORY_TEXT}).decode()
    return dumps(example_of(schema)).decode()


def custom_scenario(
    chunks: Sequence[str | Mapping[str, Any]],
    *,
    delay: float = 0.0,
    done: bool = True,
    usage: bool = True,
    finish_reason: str | None = "stop",
) -> ScenarioBuilder:
    """A scenario builder streaming ``chunks``: strings as content deltas, mappings verbatim."""
    steps: list[Step] = [
        Content(chunk) if isinstance(chunk, str) else RawChunk(dict(chunk)) for chunk in chunks
    ]
    if finish_reason is not None:
        steps.append(Finish(finish_reason))
    frozen = tuple(steps)

    def build(params: Params) -> Script:
        pause = delay if params.delay is None else params.delay
        return Script(frozen, done=done, usage=usage, delay=pause)

    return build
