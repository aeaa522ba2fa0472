"""The vocabulary of a mock reply: script steps, scripts, canned replies, knobs.

A scenario is a *script*: a list of format-free steps (a content delta, a
reasoning delta, a tool-call fragment, a keepalive, a pause, a stall, an
in-band error) plus a few options (line ending, trailing ``[DONE]``, write
size, drip). ``_scenarios`` builds scripts from model names, ``_render``
turns them into OpenRouter's wire format, and the server writes the result.

Fixed replies (429, 503, an HTML 502, a 200 carrying an error) are
``Canned`` responses and never look at the request format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "JSON",
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
    "Script",
    "Stall",
    "Step",
    "ToolCall",
]

JSON = dict[str, Any]


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
    """Knobs read from a model name's query suffix (``mock/story?chunks=20000``),
    and the name without them (``model``), which error messages quote."""

    model: str = "mock/story"
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
