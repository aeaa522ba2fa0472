"""Stream formats as data: how a :class:`~sseproto.ChunkDecoder` reads one kind of LLM stream.

The streams LLM APIs serve differ only in how a decoder recognises a few
things: the end of the stream, an in-band error, a keepalive. Chat
completions end with ``data: [DONE]`` and report an error as a chunk with an
``"error"`` member; the Responses API (and image generation) ends with a terminal
event whose JSON ``type`` is ``response.completed``
(``image_generation.completed``); the Messages API names each event on an
``event:`` line and ends with ``message_stop``. A :class:`StreamFormat` states
those rules; one decoder, one transition table, reads them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = [
    "CHAT",
    "COMPLETIONS",
    "DEFAULT_SENTINEL",
    "IMAGES",
    "MESSAGES",
    "RESPONSES",
    "StreamFormat",
    "has_error_member",
]

#: The data of the event that ends an OpenAI-style stream.
DEFAULT_SENTINEL: Final = "[DONE]"

_POLICIES: Final = ("ignore", "refuse")


def has_error_member(value: Any) -> bool:
    """An ``is_error`` predicate for OpenAI-style streams: a JSON object with an
    ``"error"`` member that is not null (OpenRouter reports mid-stream failures
    as such a chunk)."""
    return type(value) is dict and value.get("error") is not None


def _names(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError(f"expected a collection of event types, not the string {value!r}")
    names = frozenset(value)
    for name in names:
        if type(name) is not str:
            raise TypeError(f"event types are strings, not {name!r}")
    return names


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamFormat:
    """How a :class:`~sseproto.ChunkDecoder` recognises the parts of one kind of stream.

    Immutable and hashable; the set fields are stored as frozensets. An event is classified by the
    first rule that matches, in this order:

    1. its data equals ``sentinel``: the stream is complete
       (:class:`~sseproto.StreamDone` with no event);
    2. its data equals ``trailer``: accepted silently once after the end or an
       in-band error; before them it ends nothing (the end of input then still
       truncates the stream);
    3. ``chunk_events`` is a set and the event's name (the SSE ``event:``
       field, ``"message"`` by default) is not in it: skipped and counted in
       ``outcome.other_events``;
    4. its *type* is in ``keepalives`` (a :class:`~sseproto.Heartbeat`, like a
       comment line), ``completed`` (the stream is complete:
       ``StreamDone(value, event)``) or ``errors`` (an
       :class:`~sseproto.InBandError`). The type is the event's name when
       ``types_from="event"``, or the string member ``type_member`` of the
       decoded JSON object when ``types_from="json"``; formats without types
       skip this rule;
    5. ``is_error`` accepts the decoded value: an in-band error;
    6. otherwise: a :class:`~sseproto.JSONChunk`.

    Data that does not decode is handled by the decoder's ``malformed`` policy.
    Comment lines are always keepalives. A stream whose format has neither
    ``sentinel`` nor ``completed`` types ends with the connection: the end of
    input completes it instead of truncating it.

    Attributes:
        name: a label for messages and ``repr``.
        sentinel: the data that ends the stream (``"[DONE]"``), or None.
        trailer: data accepted silently after the end: OpenRouter sends
            ``data: [DONE]`` after the terminal event of a Responses or
            Messages stream. None for none.
        chunk_events: the event names that carry chunks; None for any name.
        types_from: where an event's type is read: ``"event"`` (the SSE
            ``event:`` field), ``"json"`` (a member of the decoded object), or
            None (the format has no types; ``completed``, ``errors`` and
            ``keepalives`` must then be empty).
        type_member: the JSON member holding the type (``types_from="json"``).
        completed: types that end the stream successfully
            (``response.completed``, ``message_stop``).
        errors: types that report an error and end the stream: in-band error
            events (``error``) and failing terminal events (``response.failed``).
        keepalives: types that are keepalives (``ping``).
        is_error: recognises an in-band error from the decoded value, after the
            types; None recognises none.
        after_end: events after a successful end: ``"ignore"`` counts them in
            ``outcome.ignored``, up to the decoder's ``max_ignored``, then
            raises :class:`~sseproto.DataAfterDone`; ``"refuse"`` raises
            ``DataAfterDone`` at the first.
        after_error: events after an in-band error: ``"refuse"`` raises
            :class:`~sseproto.LocalProtocolError` (stop reading);
            ``"ignore"`` counts them as ``after_end="ignore"`` does (for
            protocols that send a failing terminal event after an ``error``
            event).

    Raises:
        ValueError, TypeError: on construction, for inconsistent or
            ill-typed fields.
    """

    name: str
    sentinel: str | None = DEFAULT_SENTINEL
    trailer: str | None = None
    chunk_events: AbstractSet[str] | None = None
    types_from: Literal["event", "json"] | None = None
    type_member: str = "type"
    completed: AbstractSet[str] = field(default=frozenset())
    errors: AbstractSet[str] = field(default=frozenset())
    keepalives: AbstractSet[str] = field(default=frozenset())
    is_error: Callable[[Any], bool] | None = None
    after_end: Literal["ignore", "refuse"] = "ignore"
    after_error: Literal["ignore", "refuse"] = "refuse"

    def __post_init__(self) -> None:
        for attribute in ("completed", "errors", "keepalives"):
            object.__setattr__(self, attribute, _names(getattr(self, attribute)))
        if self.chunk_events is not None:
            object.__setattr__(self, "chunk_events", _names(self.chunk_events))
        if self.types_from not in ("event", "json", None):
            raise ValueError(f'types_from must be "event", "json" or None, not {self.types_from!r}')
        if self.types_from is None and (self.completed or self.errors or self.keepalives):
            raise ValueError("completed, errors and keepalives need types_from")
        overlap = (
            (self.completed & self.errors)
            | (self.completed & self.keepalives)
            | (self.errors & self.keepalives)
        )
        if overlap:
            raise ValueError(f"event types listed in two roles: {sorted(overlap)}")
        if self.trailer is not None and self.trailer == self.sentinel:
            raise ValueError("sentinel and trailer must differ")
        for policy in ("after_end", "after_error"):
            if getattr(self, policy) not in _POLICIES:
                raise ValueError(f'{policy} must be "ignore" or "refuse"')

    @property
    def ends_with_connection(self) -> bool:
        """True when nothing in the stream marks its end (no ``sentinel``, no
        ``completed`` types): the end of input completes it."""
        return self.sentinel is None and not self.completed


#: OpenAI-style chat completions (``POST /chat/completions``): JSON chunks,
#: ``data: [DONE]`` at the end, a chunk with an ``"error"`` member is an
#: in-band error.
CHAT: Final = StreamFormat(name="chat", is_error=has_error_member)

#: Legacy text completions (``POST /completions``): framed as chat is.
COMPLETIONS: Final = StreamFormat(name="completions", is_error=has_error_member)

#: The Responses API (``POST /responses``): each event's JSON ``type`` names
#: it; ``response.completed`` and ``response.incomplete`` end it (the model
#: stopped, for a length limit say: the response is whole), ``response.failed``
#: and ``error`` (``response.error`` in some documentation) report a failure.
#: OpenAI's server may send ``response.failed`` after an ``error`` event, so
#: events after an error are ignored (bounded); OpenRouter's trailing
#: ``data: [DONE]`` is accepted.
RESPONSES: Final = StreamFormat(
    name="responses",
    sentinel=None,
    trailer=DEFAULT_SENTINEL,
    types_from="json",
    completed=frozenset({"response.completed", "response.incomplete"}),
    errors=frozenset({"response.failed", "error", "response.error"}),
    after_error="ignore",
)

#: The Messages API (``POST /messages``, Anthropic's format): each event is
#: named on its ``event:`` line; ``message_stop`` ends it, ``error`` reports a
#: failure, ``ping`` is a keepalive. OpenRouter's trailing ``event: data`` /
#: ``data: [DONE]`` pair is accepted.
MESSAGES: Final = StreamFormat(
    name="messages",
    sentinel=None,
    trailer=DEFAULT_SENTINEL,
    types_from="event",
    completed=frozenset({"message_stop"}),
    errors=frozenset({"error"}),
    keepalives=frozenset({"ping"}),
    after_error="ignore",
)

#: Image generation (``POST /images`` with ``"stream": true``): each event's
#: JSON ``type`` names it (``image_generation.partial_image``,
#: ``image_generation.text_chunk``); ``image_generation.completed`` ends it
#: and ``error`` reports a failure. Whether OpenRouter sends ``data: [DONE]``
#: after the terminal event is not documented: it is accepted as a trailer,
#: as for the Responses API.
IMAGES: Final = StreamFormat(
    name="images",
    sentinel=None,
    trailer=DEFAULT_SENTINEL,
    types_from="json",
    completed=frozenset({"image_generation.completed"}),
    errors=frozenset({"error"}),
)
