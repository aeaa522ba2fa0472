"""What the mock's Responses and Messages endpoints say, chosen by model name.

The two event APIs (``POST /responses``, ``POST /messages``) share one set
of scenarios, written once in format-free blocks: a thought (reasoning or
thinking), text (with citations), a tool call, a web search. How the reply
ends is an :data:`Ending`. ``_event_render`` turns an :class:`EventScript`
into either wire format and into the matching non-streamed object.

Model names take the same ``?chunks=`` and ``?delay=`` knobs as the chat
scenarios (``_scenarios.split_model``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from ._scenarios import split_model, story_pieces
from ._script import Params

__all__ = [
    "EVENT_SCENARIOS",
    "EVENT_SEARCH_QUERY",
    "EVENT_SOURCES",
    "EVENT_TOOL_ARGUMENTS",
    "EVENT_TOOL_NAME",
    "Call",
    "Ending",
    "EventScript",
    "Said",
    "Search",
    "Thought",
    "build_event_scenario",
]

#: How a reply ends. ``completed``: normally. ``incomplete``: cut by the
#: output token limit (Responses ``response.incomplete``, Messages
#: ``stop_reason: "max_tokens"``). ``failed``: a failure after partial text
#: (Responses ``response.failed``, Messages an ``api_error`` event).
#: ``error``: an ``error`` event after partial text (Messages:
#: ``api_error``). ``overloaded``: an ``error`` event reporting an overloaded
#: provider after content (Messages: ``overloaded_error``). ``truncated``: the
#: body ends with no terminal event and no trailer.
Ending = Literal["completed", "incomplete", "failed", "error", "overloaded", "truncated"]


@dataclass(frozen=True, slots=True)
class Thought:
    """Reasoning (Responses: a summary; Messages: a thinking block), in pieces,
    with its opaque signature (Responses: ``encrypted_content``)."""

    pieces: tuple[str, ...]
    signature: str


@dataclass(frozen=True, slots=True)
class Said:
    """Answer text in pieces. ``citations`` are ``(url, title, cited_text)``;
    ``complete=False`` leaves the block open (the stream fails or ends in it)."""

    pieces: tuple[str, ...]
    citations: tuple[tuple[str, str, str], ...] = ()
    complete: bool = True


@dataclass(frozen=True, slots=True)
class Call:
    """A function call (Messages: ``tool_use``) whose JSON arguments come in pieces."""

    call_id: str
    name: str
    pieces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Search:
    """A server-side web search for ``query`` that found ``sources`` (``(url, title)``)."""

    query: str
    sources: tuple[tuple[str, str], ...]


Block = Thought | Said | Call | Search


@dataclass(frozen=True, slots=True)
class EventScript:
    """A reply of the event APIs: its blocks, how it ends, and how it is sent."""

    blocks: tuple[Block, ...]
    ending: Ending = "completed"
    #: Keepalive comments before the first event and after every block
    #: (Messages also sends a ``ping`` event after every block).
    keepalives: bool = False
    #: Pause after every event (seconds); 0 writes in large batches.
    delay: float = 0.0


_THOUGHT: Final = (
    "The user wants the story. A lighthouse, a boat with no name and a map: "
    "tell it plainly, in one paragraph."
)
_SIGNATURE: Final = "bW9jay1zaWduYXR1cmUtb2YtdGhlLXRob3VnaHQ="

#: The tool ``mock/tools`` calls on the event APIs, and its JSON arguments.
EVENT_TOOL_NAME: Final = "get_weather"
EVENT_TOOL_ARGUMENTS: Final = '{"city": "Lisbon", "unit": "celsius", "days": 3}'

#: What ``mock/web-search`` searches for, and the sources its answer cites.
EVENT_SEARCH_QUERY: Final = "what does a lighthouse keeper do"
EVENT_SOURCES: Final = (
    ("https://example.com/lighthouses", "Lighthouses of the world"),
    ("https://example.org/keepers", "The keeper's day"),
)
_SEARCH_ANSWER: Final = "A keeper lights the lamp every evening and keeps a log of passing ships."


def _cut(text: str, count: int) -> tuple[str, ...]:
    """``text`` in ``count`` consecutive, near-equal pieces."""
    return tuple(text[i * len(text) // count : (i + 1) * len(text) // count] for i in range(count))


def _story(params: Params) -> tuple[Block, ...]:
    return (Said(tuple(story_pieces(params.chunks or 20))),)


def _partial(params: Params) -> tuple[Block, ...]:
    return (Said(tuple(story_pieces(20)[: params.chunks or 3]), complete=False),)


def _reasoning(params: Params) -> tuple[Block, ...]:
    thought = Thought(_cut(_THOUGHT, params.chunks or 6), _SIGNATURE)
    return (thought, Said(tuple(story_pieces(10))))


def _tools(params: Params) -> tuple[Block, ...]:
    return (Call("call_mock_0", EVENT_TOOL_NAME, _cut(EVENT_TOOL_ARGUMENTS, params.chunks or 12)),)


def _web_search(params: Params) -> tuple[Block, ...]:
    citations = tuple(
        (url, title, f"{title}: the lamp, the log and the ships.") for url, title in EVENT_SOURCES
    )
    return (
        Search(EVENT_SEARCH_QUERY, EVENT_SOURCES),
        Said(_cut(_SEARCH_ANSWER, params.chunks or 5), citations),
    )


def _script(
    blocks: Callable[[Params], tuple[Block, ...]],
    ending: Ending = "completed",
    *,
    keepalives: bool = False,
) -> Callable[[Params], EventScript]:
    def build(params: Params) -> EventScript:
        return EventScript(blocks(params), ending, keepalives, params.delay or 0.0)

    return build


#: Every model name the event APIs know, and what it sends.
EVENT_SCENARIOS: Final[Mapping[str, Callable[[Params], EventScript]]] = {
    "mock/story": _script(_story),
    "mock/reasoning": _script(_reasoning),
    "mock/tools": _script(_tools),
    "mock/web-search": _script(_web_search),
    "mock/incomplete": _script(_partial, "incomplete"),
    "mock/failed": _script(_partial, "failed"),
    "mock/error": _script(_partial, "error"),
    "mock/overloaded": _script(_partial, "overloaded"),
    "mock/truncated": _script(_partial, "truncated"),
    "mock/keepalive": _script(_story, keepalives=True),
}


def build_event_scenario(model: str) -> tuple[str, EventScript] | None:
    """The event script for a requested model name, and the name without its
    knobs; ``None`` for a ``mock/`` name the event APIs do not know (the caller
    may try the chat scenarios' fixed replies). Names outside ``mock/`` get
    the story.

    Raises:
        ScenarioError: an invalid knob.
    """
    name, params = split_model(model)
    builder = EVENT_SCENARIOS.get(name)
    if builder is None:
        if name.startswith("mock/"):
            return None
        builder = EVENT_SCENARIOS["mock/story"]
    return params.model, builder(params)
