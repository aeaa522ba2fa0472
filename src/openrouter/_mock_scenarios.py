"""What each mock model sends, and how that becomes OpenRouter's wire format.

A scenario is a *script*: a list of format-free steps (a content delta, a
reasoning delta, a tool-call fragment, a keepalive, a pause, a stall, an
in-band error) plus a few options (line ending, trailing ``[DONE]``, write
size, drip). The renderers here turn one script into the bytes of a chat
stream, a legacy completion stream, or the one JSON object of a
non-streaming reply. ``openrouter.testing`` only speaks HTTP: it writes what
these renderers return and obeys the pauses and stalls between the writes.

Fixed replies (429, 503, an HTML 502, a 200 carrying an error) are
``Canned`` responses and never look at the request format.
"""

from __future__ import annotations

import base64
import json
import string
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qsl

__all__ = [
    "BUILTIN_SCENARIOS",
    "STORY_TEXT",
    "Annotations",
    "AudioPiece",
    "Canned",
    "Content",
    "Detail",
    "Finish",
    "InbandError",
    "Keepalive",
    "Params",
    "Pause",
    "RawChunk",
    "Reasoning",
    "RenderContext",
    "ScenarioError",
    "Script",
    "Stall",
    "Step",
    "ToolCall",
    "build_scenario",
    "render_json",
    "render_stream",
    "split_model",
    "story_pieces",
]

JSON = dict[str, Any]

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
# Script steps: frozen, slotted value objects.


@dataclass(frozen=True, slots=True)
class Content:
    """One content delta; ``split=True`` flushes the event mid-way through a UTF-8 character."""

    text: str
    split: bool = False


@dataclass(frozen=True, slots=True)
class Reasoning:
    """One reasoning delta with its ``reasoning_details`` entry (``detail`` minus ``text``)."""

    text: str
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Detail:
    """A delta carrying one ``reasoning_details`` piece as given, and ``reasoning`` when set.

    In the non-streamed reply, consecutive pieces with the same ``index`` and
    ``type`` are one entry: their ``text``, ``summary`` and ``data`` are
    concatenated and their other members merged. Pieces that differ in
    either start a new entry, as OpenRouter returns them.
    """

    detail: Mapping[str, Any]
    reasoning: str | None = None


@dataclass(frozen=True, slots=True)
class Annotations:
    """A delta with empty content carrying ``annotations`` (web search citations)."""

    items: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class AudioPiece:
    """A delta carrying an ``audio`` piece: ``data`` and ``transcript`` are fragments."""

    audio: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A fragment of tool call ``index``; the first fragment carries ``id`` and ``name``."""

    index: int
    arguments: str
    id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Finish:
    """The chunk that carries ``finish_reason`` (and ``native_finish_reason``)."""

    reason: str


@dataclass(frozen=True, slots=True)
class InbandError:
    """A chunk with a top-level ``error`` object and ``finish_reason: "error"``.

    With ``usage=True`` the chunk also carries the stream's ``usage`` (the
    script then sends no separate usage chunk), and the non-streamed reply
    is the answer so far with that error and usage, not an error body.
    """

    code: int | str
    message: str
    error_type: str
    usage: bool = False


@dataclass(frozen=True, slots=True)
class Keepalive:
    """The comment line OpenRouter sends while a provider is still thinking."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Flush what was written so far, then wait ``seconds`` (0 only flushes)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Stall:
    """Stop writing, keep the connection open until the client or server gives up."""


@dataclass(frozen=True, slots=True)
class RawChunk:
    """A chunk object sent exactly as given (for programmatic scenarios)."""

    payload: Mapping[str, Any]


Step = (
    Content
    | Reasoning
    | Detail
    | Annotations
    | AudioPiece
    | ToolCall
    | Finish
    | InbandError
    | Keepalive
    | Pause
    | Stall
    | RawChunk
)


@dataclass(frozen=True, slots=True)
class Script:
    """A streamed scenario: steps plus how they go on the wire."""

    steps: tuple[Step, ...]
    #: Ends the stream with ``data: [DONE]``.
    done: bool = True
    #: Sends a final chunk carrying ``usage``.
    usage: bool = True
    #: Extra ``usage`` fields merged over the computed ones.
    usage_extra: Mapping[str, Any] = field(default_factory=dict)
    #: The line ending of every line of the stream.
    newline: bytes = b"\n"
    #: Pause after every data event (seconds); 0 writes in large batches.
    delay: float = 0.0
    #: When set, every byte is its own write, followed by this pause.
    drip: float | None = None
    #: Largest single write; ``None`` batches up to the server's buffer size.
    write_size: int | None = None


@dataclass(frozen=True, slots=True)
class Canned:
    """A fixed reply, the same for streaming and non-streaming requests."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Params:
    """Knobs read from a model name's query suffix (``mock/story?chunks=20000``)."""

    chunks: int | None = None
    delay: float | None = None
    drip: float | None = None
    size: int | None = None
    retry_after: int | None = None


@dataclass(frozen=True, slots=True)
class RenderContext:
    """Per-request values that appear in every chunk."""

    generation_id: str
    model: str
    provider: str
    created: int
    prompt_tokens: int


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
    params = Params(**values)
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


def _error_json(code: int | None, message: str, metadata: Mapping[str, Any]) -> JSON:
    error: JSON = {"message": message}
    if code is not None:
        error = {"code": code, **error}
    if metadata:
        error["metadata"] = dict(metadata)
    return {"error": error}


def error_body(code: int, message: str, metadata: Mapping[str, Any] | None = None) -> bytes:
    """OpenRouter's error body: ``{"error": {"code": ..., "message": ..., "metadata"?}}``."""
    return _dumps(_error_json(code, message, metadata or {}))


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
        "Rate limit exceeded: limit_rpm/mock/story. High demand for this model.",
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
        "message": "No endpoints available for mock/availability: all providers are busy",
        "metadata": {"retry_after": retry_after, "provider_name": None},
        "availability": {
            "status": "unavailable",
            "retry_after": retry_after,
            "providers": [{"name": "Mock", "status": "overloaded"}],
        },
    }
    return Canned(503, _dumps({"error": error}), headers=(("Retry-After", str(retry_after)),))


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
    model: str, custom: Mapping[str, ScenarioBuilder] | None = None
) -> tuple[str, Script | Canned]:
    """The scenario for a requested model name, and the name without its knobs.

    Names outside the ``mock/`` namespace (``openai/gpt-4o``) get the story,
    so code written against real model names runs unchanged.

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
    return name or "mock/story", builder(params)


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


# ---------------------------------------------------------------------------
# Rendering.

#: Marker replaced by each delta when the chunk template is split in two.
_HOLE: Final = "\x00hole\x00"


def _dumps(value: Any) -> bytes:
    # Raw UTF-8 (not \u escapes), compact separators: what OpenRouter sends.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class _Template:
    """A chunk object pre-encoded around one hole, so each chunk costs one small dumps."""

    __slots__ = ("prefix", "suffix")

    def __init__(self, shape: JSON) -> None:
        encoded = _dumps(shape)
        hole = _dumps(_HOLE)
        self.prefix, _, self.suffix = encoded.partition(hole)

    def fill(self, value: Any) -> bytes:
        return self.prefix + _dumps(value) + self.suffix


def _head(ctx: RenderContext, kind: str) -> JSON:
    return {
        "id": ctx.generation_id,
        "provider": ctx.provider,
        "model": ctx.model,
        "object": kind,
        "created": ctx.created,
    }


def usage_block(
    ctx: RenderContext, completion_tokens: int, extra: Mapping[str, Any] | None = None
) -> JSON:
    """The ``usage`` object: token counts and a deterministic ``cost`` in credits."""
    cost = round(ctx.prompt_tokens * 0.000001 + completion_tokens * 0.000002, 9)
    usage: JSON = {
        "prompt_tokens": ctx.prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": ctx.prompt_tokens + completion_tokens,
        "cost": cost,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "cost_details": {"upstream_inference_cost": None},
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
    }
    usage.update(extra or {})
    return usage


def _token_count(script: Script) -> int:
    counted = Content | Reasoning | Detail | AudioPiece | ToolCall
    return max(1, sum(1 for step in script.steps if isinstance(step, counted)))


def _error_payload(step: InbandError) -> JSON:
    return {"code": step.code, "message": step.message, "metadata": {"error_type": step.error_type}}


#: One rendered write plan: bytes to write, a float pause (flush first), or ``Stall()``.
WriteStep = bytes | float | Stall


def render_stream(script: Script, ctx: RenderContext, *, legacy: bool = False) -> list[WriteStep]:
    """The writes of a streamed reply: ``data:`` events, comments, pauses and stalls.

    Consecutive byte strings are separate events; the server may join them
    into one write unless a pause (``0.0`` included) separates them.
    """
    nl = script.newline
    kind = "text_completion" if legacy else "chat.completion.chunk"
    choice_shape: JSON = (
        {
            "index": 0,
            "text": _HOLE,
            "finish_reason": None,
            "native_finish_reason": None,
            "logprobs": None,
        }
        if legacy
        else {
            "index": 0,
            "delta": _HOLE,
            "finish_reason": None,
            "native_finish_reason": None,
            "logprobs": None,
        }
    )
    template = _Template({**_head(ctx, kind), "choices": [choice_shape]})
    data_prefix = b"data: "
    event_end = nl + nl
    keepalive = b": OPENROUTER PROCESSING" + event_end
    pause_after_event = script.delay
    out: list[WriteStep] = []
    role_sent = False

    def event(payload: bytes) -> None:
        out.append(data_prefix + payload + event_end)
        if pause_after_event:
            out.append(pause_after_event)

    def chat_delta(fields: JSON) -> JSON:
        nonlocal role_sent
        if role_sent:
            return fields
        role_sent = True
        return {"role": "assistant", **fields}

    for step in script.steps:
        if isinstance(step, Content):
            payload = (
                template.fill(step.text)
                if legacy
                else template.fill(chat_delta({"content": step.text}))
            )
            if step.split:
                encoded = data_prefix + payload + event_end
                cut = _inside_multibyte(encoded)
                out += [encoded[:cut], 0.0, encoded[cut:], 0.0]
            else:
                event(payload)
        elif isinstance(step, Reasoning):
            if legacy:
                continue
            detail = {**step.detail, "text": step.text}
            delta = chat_delta(
                {"content": "", "reasoning": step.text, "reasoning_details": [detail]}
            )
            event(template.fill(delta))
        elif isinstance(step, Detail | Annotations | AudioPiece):
            if not legacy:
                event(template.fill(chat_delta(_output_delta(step))))
        elif isinstance(step, ToolCall):
            if legacy:
                continue
            call: JSON = {"index": step.index}
            if step.id is not None:
                call["id"] = step.id
                call["type"] = "function"
            function: JSON = {"arguments": step.arguments}
            if step.name is not None:
                function = {"name": step.name, **function}
            call["function"] = function
            event(template.fill(chat_delta({"content": None, "tool_calls": [call]})))
        elif isinstance(step, Finish):
            finish = {**_head(ctx, kind), "choices": [_finish_choice(step.reason, legacy)]}
            event(_dumps(finish))
        elif isinstance(step, InbandError):
            choice: JSON = (
                {"index": 0, "text": "", "finish_reason": "error"}
                if legacy
                else {"index": 0, "delta": {"content": ""}, "finish_reason": "error"}
            )
            chunk = {**_head(ctx, kind), "error": _error_payload(step), "choices": [choice]}
            if step.usage:
                chunk["usage"] = usage_block(ctx, _token_count(script), script.usage_extra)
            event(_dumps(chunk))
        elif isinstance(step, Keepalive):
            out.append(keepalive)
        elif isinstance(step, Pause):
            out.append(step.seconds)
        elif isinstance(step, Stall):
            out.append(step)
        else:
            event(_dumps(step.payload))
    if script.usage:
        last_choice: JSON = (
            {"index": 0, "text": "", "finish_reason": None, "native_finish_reason": None}
            if legacy
            else {
                "index": 0,
                "delta": {"role": "assistant", "content": ""},
                "finish_reason": None,
                "native_finish_reason": None,
                "logprobs": None,
            }
        )
        usage = usage_block(ctx, _token_count(script), script.usage_extra)
        event(_dumps({**_head(ctx, kind), "choices": [last_choice], "usage": usage}))
    if script.done:
        out.append(data_prefix + b"[DONE]" + event_end)
    return out


def _output_delta(step: Detail | Annotations | AudioPiece) -> JSON:
    """The delta fields of a step that carries model output other than content."""
    if isinstance(step, Detail):
        delta: JSON = {"content": ""}
        if step.reasoning is not None:
            delta["reasoning"] = step.reasoning
        delta["reasoning_details"] = [dict(step.detail)]
        return delta
    if isinstance(step, Annotations):
        return {"content": "", "annotations": [dict(item) for item in step.items]}
    return {"audio": dict(step.audio)}


#: The members of streamed pieces that are fragments, concatenated when pieces merge.
_FRAGMENTS: Final = frozenset({"text", "summary", "data", "transcript"})


def _merge_piece(whole: JSON, piece: Mapping[str, Any]) -> None:
    """Fold a streamed piece into the object it belongs to: fragments joined, the rest set."""
    for key, value in piece.items():
        if key in _FRAGMENTS and isinstance(whole.get(key), str) and isinstance(value, str):
            whole[key] += value
        else:
            whole[key] = value


def _add_detail(details: list[JSON], piece: Mapping[str, Any]) -> None:
    last = details[-1] if details else None
    if last is not None and (last.get("index"), last.get("type")) == (
        piece.get("index"),
        piece.get("type"),
    ):
        _merge_piece(last, piece)
    else:
        details.append(dict(piece))


def _finish_choice(reason: str, legacy: bool) -> JSON:
    if legacy:
        return {
            "index": 0,
            "text": "",
            "finish_reason": reason,
            "native_finish_reason": reason,
            "logprobs": None,
        }
    return {
        "index": 0,
        "delta": {"role": "assistant", "content": ""},
        "finish_reason": reason,
        "native_finish_reason": reason,
        "logprobs": None,
    }


def _inside_multibyte(encoded: bytes) -> int:
    """An offset just after the lead byte of the first multi-byte character (or the middle)."""
    for offset, byte in enumerate(encoded):
        if byte >= 0xC0:
            return offset + 1
    return len(encoded) // 2


def render_json(script: Script, ctx: RenderContext, *, legacy: bool = False) -> JSON:
    """The non-streaming reply: one ``chat.completion`` (or ``text_completion``) object.

    A script with an in-band error becomes OpenRouter's error body instead
    (sent with status 200, as OpenRouter does once generation has begun).
    """
    content: list[str] = []
    reasoning: list[str] = []
    detail: JSON = {}
    plain_reasoning = False
    details: list[JSON] = []
    annotations: list[JSON] = []
    audio: JSON = {}
    calls: dict[int, JSON] = {}
    finish = "stop"
    error: InbandError | None = None
    for step in script.steps:
        if isinstance(step, Content):
            content.append(step.text)
        elif isinstance(step, Reasoning):
            reasoning.append(step.text)
            detail.update(step.detail)
            plain_reasoning = True
        elif isinstance(step, Detail):
            if step.reasoning is not None:
                reasoning.append(step.reasoning)
            _add_detail(details, step.detail)
        elif isinstance(step, Annotations):
            annotations += (dict(item) for item in step.items)
        elif isinstance(step, AudioPiece):
            _merge_piece(audio, step.audio)
        elif isinstance(step, ToolCall):
            call = calls.setdefault(
                step.index,
                {"id": None, "type": "function", "function": {"name": None, "arguments": ""}},
            )
            if step.id is not None:
                call["id"] = step.id
            if step.name is not None:
                call["function"]["name"] = step.name
            call["function"]["arguments"] += step.arguments
        elif isinstance(step, Finish):
            finish = step.reason
        elif isinstance(step, InbandError):
            if not step.usage:
                return {"error": _error_payload(step)}
            finish, error = "error", step
        elif isinstance(step, RawChunk):
            for raw in step.payload.get("choices") or ():
                piece = (raw.get("delta") or {}).get("content") or raw.get("text")
                if isinstance(piece, str):
                    content.append(piece)
    usage = usage_block(ctx, _token_count(script), script.usage_extra)
    text = "".join(content)
    if legacy:
        choice: JSON = {
            "text": text,
            "index": 0,
            "finish_reason": finish,
            "native_finish_reason": None if error is not None else finish,
            "logprobs": None,
        }
        return _with_error({**_head(ctx, "text_completion"), "choices": [choice]}, error, usage)
    message: JSON = {"role": "assistant", "content": text, "refusal": None, "reasoning": None}
    if reasoning:
        message["reasoning"] = "".join(reasoning)
    if plain_reasoning:
        message["reasoning_details"] = [{**detail, "text": message["reasoning"]}]
    elif details:
        message["reasoning_details"] = details
    if annotations:
        message["annotations"] = annotations
    if audio:
        message["audio"] = audio
    if calls:
        message["tool_calls"] = [calls[index] for index in sorted(calls)]
    choice = {
        "logprobs": None,
        "finish_reason": finish,
        "native_finish_reason": None if error is not None else finish,
        "index": 0,
        "message": message,
    }
    return _with_error({**_head(ctx, "chat.completion"), "choices": [choice]}, error, usage)


def _with_error(body: JSON, error: InbandError | None, usage: JSON) -> JSON:
    """``body`` with the stream's in-band ``error`` (when there was one), then ``usage``."""
    if error is not None:
        body["error"] = _error_payload(error)
    body["usage"] = usage
    return body
