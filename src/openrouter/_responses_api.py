"""The Responses API stream (``POST /responses``): typed events, the final
response, and the accumulator that rebuilds it from the events.

Sans-I/O: nothing here reads a socket or a clock. A stream is a sequence of
JSON objects, each naming its kind in ``type`` (OpenRouter sends only
``data:`` lines; OpenAI also sends an ``event:`` line with the same name,
which :meth:`ResponsesAccumulator.add` accepts as a fallback for a missing
``type``). The order the protocol follows::

    response.created -> response.in_progress ->
      per output item (output_index 0, 1, ...):
        response.output_item.added
          message:        content_part.added -> output_text.delta* ->
                          output_text.annotation.added* -> output_text.done ->
                          content_part.done   (or refusal.delta* -> refusal.done)
          reasoning:      reasoning_summary_part.added ->
                          reasoning_summary_text.delta* -> ...text.done ->
                          ...part.done (per summary_index);
                          reasoning_text.delta* -> reasoning_text.done
          function_call:  function_call_arguments.delta* -> ...arguments.done
          web_search_call: web_search_call.in_progress -> .searching -> .completed
        response.output_item.done
    -> response.completed | response.incomplete | response.failed | error

OpenRouter then sends ``data: [DONE]``, which is not JSON and is not an
event of this protocol: the reader drops it before the accumulator.

:func:`parse_response_event` types one event by its ``type``: one record
class per family, every one with ``.type``, ``.sequence_number`` and
``.raw``; a type this module does not know is a plain
:class:`ResponseEvent`, never dropped.

:class:`Response` is the final object (``.output_text``, ``.status``,
``.usage``, typed ``.output`` items); :class:`ResponsesAccumulator` builds
it from the events and decides the stream's outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, Self, TypeVar

from sseproto import Outcome

from ._records import (
    JSONObject,
    Lazy,
    Record,
    as_int,
    as_num,
    as_obj,
    as_str,
    field,
    lazy,
    listed,
    obj_list,
    one,
    str_list,
)
from ._responses import ServerToolUse

__all__ = [
    "AnnotationAddedEvent",
    "ContentPartEvent",
    "FunctionCallItem",
    "InputTokensDetails",
    "OutputAnnotation",
    "OutputContent",
    "OutputItem",
    "OutputItemEvent",
    "OutputMessage",
    "OutputTokensDetails",
    "ReasoningItem",
    "Response",
    "ResponseError",
    "ResponseErrorEvent",
    "ResponseEvent",
    "ResponseLifecycleEvent",
    "ResponsesAccumulator",
    "ResponsesUsage",
    "SummaryPart",
    "SummaryPartEvent",
    "TextDeltaEvent",
    "TextDoneEvent",
    "ToolCallProgressEvent",
    "WebSearchAction",
    "WebSearchCallItem",
    "output_item",
    "parse_response_event",
]

R = TypeVar("R", bound=Record)

# -- errors carried in the stream -------------------------------------------------------


def _error_code(d: JSONObject) -> str | int | None:
    """``code``, else ``error.code``, else ``error.type``: the three shapes in use."""
    code = d.get("code")
    if type(code) is str or type(code) is int:
        return code
    inner = d.get("error")
    if isinstance(inner, dict):
        for key in ("code", "type"):
            code = inner.get(key)
            if type(code) is str or type(code) is int:
                return code
    return None


def _nested_str(d: JSONObject, key: str) -> str | None:
    """``d[key]`` when a string, else ``d["error"][key]`` when a string."""
    value = as_str(d.get(key))
    if value is None:
        inner = d.get("error")
        if isinstance(inner, dict):
            value = as_str(inner.get(key))
    return value


class ResponseError(Record):
    """An error reported inside a stream that had started with 200.

    ``raw`` is the object that carried it: an ``error`` event, or the
    ``response`` of ``response.failed``. ``code`` is the error's ``code``
    (a ``code`` of its own, else ``error.code``, else ``error.type``: the
    Anthropic format's ``overloaded_error`` and friends); ``error_type`` is
    OpenRouter's canonical error type (``error_type`` or ``error.error_type``)
    when sent; ``message`` likewise.
    """

    code: int | str | None = field(as_str)
    message: str | None = field(as_str)
    error_type: str | None = field(as_str)

    def __init__(
        self, raw: JSONObject, code: int | str | None, message: str | None, error_type: str | None
    ) -> None:
        self.raw = raw
        self.code = code
        self.message = message
        self.error_type = error_type

    @classmethod
    def from_dict(cls, d: object) -> Self:
        """Read an error event or a failed response; never raises."""
        obj: JSONObject = d if isinstance(d, dict) else {}
        return cls(
            obj, _error_code(obj), _nested_str(obj, "message"), _nested_str(obj, "error_type")
        )


# -- the final response -------------------------------------------------------------------


class InputTokensDetails(Record):
    """``usage.input_tokens_details``."""

    cached_tokens: int | None = field(as_int)
    cache_write_tokens: int | None = field(as_int)


class OutputTokensDetails(Record):
    """``usage.output_tokens_details``."""

    reasoning_tokens: int | None = field(as_int)


class ResponsesUsage(Record):
    """A response's ``usage``: tokens, and OpenRouter's cost in US dollars.

    ``server_tool_use`` reads ``server_tool_use_details`` (the spec's name)
    or ``server_tool_use``.
    """

    input_tokens: int | None = field(as_int)
    output_tokens: int | None = field(as_int)
    total_tokens: int | None = field(as_int)
    cost: int | float | None = field(as_num)
    is_byok: bool | None = field(lambda v: v if type(v) is bool else None)
    input_tokens_details: InputTokensDetails | None = field(one(InputTokensDetails))
    output_tokens_details: OutputTokensDetails | None = field(one(OutputTokensDetails))
    cost_details: JSONObject | None = field(as_obj)
    server_tool_use: ServerToolUse | None = field(
        one(ServerToolUse), key=("server_tool_use_details", "server_tool_use")
    )


class OutputAnnotation(Record):
    """One annotation of an output text: ``url_citation`` (``url``, ``title``,
    ``start_index``, ``end_index``), ``file_citation`` (``file_id``,
    ``filename``, ``index``) or ``file_path`` (``file_id``, ``index``)."""

    type: str | None = field(as_str)
    url: str | None = field(as_str)
    title: str | None = field(as_str)
    start_index: int | None = field(as_int)
    end_index: int | None = field(as_int)
    file_id: str | None = field(as_str)
    filename: str | None = field(as_str)
    index: int | None = field(as_int)


class OutputContent(Record):
    """One part of a message item: ``output_text`` (``text``, ``annotations``)
    or ``refusal`` (``refusal``)."""

    type: str | None = field(as_str)
    text: str | None = field(as_str)
    refusal: str | None = field(as_str)
    annotations: list[OutputAnnotation] = field(listed(OutputAnnotation))


class SummaryPart(Record):
    """One entry of a reasoning item's ``summary`` (``type`` ``summary_text``)."""

    type: str | None = field(as_str)
    text: str | None = field(as_str)


class WebSearchAction(Record):
    """What a web search call did: ``search`` (``query``, ``queries``,
    ``sources``), ``open_page`` (``url``) or ``find_in_page`` (``url``,
    ``pattern``)."""

    type: str | None = field(as_str)
    query: str | None = field(as_str)
    queries: list[str] | None = field(str_list)
    sources: list[JSONObject] | None = field(obj_list)
    url: str | None = field(as_str)
    pattern: str | None = field(as_str)


class OutputItem(Record):
    """An item of a response's ``output``: its ``type``, ``id`` and ``status``.

    The types modelled further are subclasses (:func:`output_item` picks
    one); any other (``openrouter:*`` server tools, code interpreter, image
    generation, ...) is an ``OutputItem`` with everything in ``raw``.
    """

    type: str | None = field(as_str)
    id: str | None = field(as_str)
    status: str | None = field(as_str)


class OutputMessage(OutputItem):
    """A ``message`` item: the assistant's ``content`` parts."""

    role: str | None = field(as_str)
    phase: str | None = field(as_str)
    content: list[OutputContent] = field(listed(OutputContent))

    @property
    def text(self) -> str:
        """The ``text`` of every ``output_text`` part, joined in order."""
        return "".join(p.text for p in self.content if p.type == "output_text" and p.text)


class FunctionCallItem(OutputItem):
    """A ``function_call`` item. ``arguments`` is the JSON text as sent."""

    call_id: str | None = field(as_str)
    name: str | None = field(as_str)
    arguments: str | None = field(as_str)
    namespace: str | None = field(as_str)

    def parsed_arguments(self) -> Any:
        """``arguments`` decoded as JSON (``{}`` when absent or empty).

        Raises:
            ValueError: the arguments are not valid JSON (a model may send
                malformed arguments; ``arguments`` keeps the text).
        """
        text = self.arguments
        if not text:
            return {}
        return json.loads(text)


class ReasoningItem(OutputItem):
    """A ``reasoning`` item: ``summary`` parts, raw reasoning ``content`` if
    sent, and the opaque ``encrypted_content`` / ``signature`` to send back
    unchanged in a later request."""

    summary: list[SummaryPart] = field(listed(SummaryPart))
    content: list[SummaryPart] = field(listed(SummaryPart))
    encrypted_content: str | None = field(as_str)
    signature: str | None = field(as_str)
    format: str | None = field(as_str)

    @property
    def summary_text(self) -> str:
        """The summary parts' text, joined with blank lines between them."""
        return "\n\n".join(p.text for p in self.summary if p.text)


class WebSearchCallItem(OutputItem):
    """A ``web_search_call`` item (OpenAI's shape; OpenRouter's own
    ``openrouter:web_search`` item has the same fields)."""

    action: WebSearchAction | None = field(one(WebSearchAction))


def _by_type(d: object, table: Mapping[str, type[R]], default: type[R]) -> R:
    """``d`` built as the class ``table`` names for its ``type`` (else ``default``)."""
    obj: JSONObject = d if isinstance(d, dict) else {}
    kind = obj.get("type")
    return (table.get(kind, default) if type(kind) is str else default)(obj)


_ITEM_CLASSES: Final[dict[str, type[OutputItem]]] = {
    "message": OutputMessage,
    "function_call": FunctionCallItem,
    "reasoning": ReasoningItem,
    "web_search_call": WebSearchCallItem,
    "openrouter:web_search": WebSearchCallItem,
}


def output_item(d: object) -> OutputItem:
    """The typed record for one output item, chosen by its ``type``; never raises.

    An unknown ``type`` gives a plain :class:`OutputItem`.
    """
    return _by_type(d, _ITEM_CLASSES, OutputItem)


def _typed_readers(
    pick: Callable[[object], R],
) -> tuple[Callable[[object], list[R] | None], Callable[[object], R | None]]:
    """Readers of a list of typed records and of one optional typed record,
    each built by ``pick`` (records chosen by ``type``)."""

    def read_list(v: object) -> list[R] | None:
        if not isinstance(v, list):
            return None
        return [pick(x) for x in v if isinstance(x, dict)]

    def read_one(v: object) -> R | None:
        return pick(v) if isinstance(v, dict) else None

    return read_list, read_one


_output_items, _optional_item = _typed_readers(output_item)


class Response(Record):
    """A response, as the terminal event (or a non-streamed call) carries it.

    ``status`` is ``completed``, ``incomplete``, ``failed``, ``in_progress``,
    ``cancelled`` or ``queued``; ``incomplete_details.reason`` says why a
    response is incomplete (``max_output_tokens``, ``content_filter``);
    ``error`` and OpenRouter's canonical ``error_type`` say why it failed.
    ``output`` holds typed items (:func:`output_item`), ``[]`` when absent.
    """

    id: str | None = field(as_str)
    object: str | None = field(as_str)
    model: str | None = field(as_str)
    status: str | None = field(as_str)
    created_at: int | float | None = field(as_num)
    completed_at: int | float | None = field(as_num)
    error_type: str | None = field(as_str)
    error: JSONObject | None = field(as_obj)
    incomplete_details: JSONObject | None = field(as_obj)
    usage: Lazy[ResponsesUsage | None] = lazy(one(ResponsesUsage), keep=True)
    output: Lazy[list[OutputItem] | None] = lazy(_output_items, keep=True)

    @property
    def items(self) -> list[OutputItem]:
        """``output``, or ``[]`` when the response has none."""
        return self.output or []

    @property
    def output_text(self) -> str:
        """The text of every ``output_text`` part of every ``message`` item,
        joined in output order (the server's own ``output_text``, optional
        in the spec, is not read)."""
        return "".join(i.text for i in self.items if isinstance(i, OutputMessage))


# -- events ---------------------------------------------------------------------------


class ResponseEvent(Record):
    """One event of a Responses stream; a type with no class of its own
    (``response.debug``, a type added later) is built as this."""

    type: str | None = field(as_str)
    sequence_number: int | None = field(as_int)


class ResponseLifecycleEvent(ResponseEvent):
    """``response.created``, ``.in_progress``, ``.queued``, ``.completed``,
    ``.incomplete``, ``.failed``: a snapshot of the whole ``response``."""

    response: Lazy[Response | None] = lazy(one(Response), keep=True)


class _ItemEvent(ResponseEvent):
    """An event about one output item."""

    output_index: int | None = field(as_int)
    item_id: str | None = field(as_str)


class OutputItemEvent(_ItemEvent):
    """``response.output_item.added`` / ``.done``: the item as it starts / ends."""

    item: Lazy[OutputItem | None] = lazy(_optional_item, keep=True)


class ContentPartEvent(_ItemEvent):
    """``response.content_part.added`` / ``.done``: a message part at ``content_index``."""

    content_index: int | None = field(as_int)
    part: Lazy[OutputContent | None] = lazy(one(OutputContent), keep=True)


class SummaryPartEvent(_ItemEvent):
    """``response.reasoning_summary_part.added`` / ``.done``."""

    summary_index: int | None = field(as_int)
    part: Lazy[SummaryPart | None] = lazy(one(SummaryPart), keep=True)


class TextDeltaEvent(_ItemEvent):
    """A piece of text: ``output_text``, ``refusal``, ``reasoning_text``,
    ``reasoning_summary_text``, ``function_call_arguments`` (and other
    tools' inputs) ``.delta``. ``content_index`` or ``summary_index`` says
    which part, where the kind has parts."""

    delta: str | None = field(as_str)
    content_index: int | None = field(as_int)
    summary_index: int | None = field(as_int)


class TextDoneEvent(_ItemEvent):
    """The whole text of a part: the ``.done`` of each :class:`TextDeltaEvent`
    kind. ``text`` (``refusal``, ``arguments``) holds it; ``name`` is the
    function's name on ``function_call_arguments.done`` (OpenRouter)."""

    text: str | None = field(as_str, key=("text", "refusal", "arguments", "input", "code"))
    content_index: int | None = field(as_int)
    summary_index: int | None = field(as_int)
    name: str | None = field(as_str)


class AnnotationAddedEvent(_ItemEvent):
    """``response.output_text.annotation.added``: a citation for a text part."""

    content_index: int | None = field(as_int)
    annotation_index: int | None = field(as_int)
    annotation: Lazy[OutputAnnotation | None] = lazy(one(OutputAnnotation), keep=True)


class ToolCallProgressEvent(_ItemEvent):
    """A server tool call's progress (``response.web_search_call.searching``
    and the like): no payload beyond the item it is about."""

    @property
    def status(self) -> str | None:
        """The last dotted part of ``type`` (``searching``, ``completed``, ...)."""
        kind = self.type
        return None if kind is None else kind.rpartition(".")[2]


class ResponseErrorEvent(ResponseEvent):
    """``error`` (and ``response.error``): an error in the stream. Flat
    (``code``, ``message``, ``param``) or nested (``error: {...}``)."""

    @property
    def error(self) -> ResponseError:
        """The error, read from either shape."""
        return ResponseError.from_dict(self.raw)


_TERMINAL: Final = frozenset({"response.completed", "response.incomplete", "response.failed"})
_ERRORS: Final = frozenset({"error", "response.error"})

_DELTA_KINDS: Final = (
    "output_text",
    "refusal",
    "reasoning_text",
    "reasoning_summary_text",
    "function_call_arguments",
    "custom_tool_call_input",
    "code_interpreter_call_code",
    "apply_patch_call_operation_diff",
)
_PROGRESS: Final = {
    "web_search_call": ("in_progress", "searching", "completed"),
    "file_search_call": ("in_progress", "searching", "completed"),
    "code_interpreter_call": ("in_progress", "interpreting", "completed"),
    "image_generation_call": ("in_progress", "generating", "completed"),
    "mcp_call": ("in_progress", "completed", "failed"),
}


def _event_classes() -> dict[str, type[ResponseEvent]]:
    table: dict[str, type[ResponseEvent]] = {}
    for name in ("created", "in_progress", "queued", "completed", "incomplete", "failed"):
        table[f"response.{name}"] = ResponseLifecycleEvent
    for end in ("added", "done"):
        table[f"response.output_item.{end}"] = OutputItemEvent
        table[f"response.content_part.{end}"] = ContentPartEvent
        table[f"response.reasoning_summary_part.{end}"] = SummaryPartEvent
    for kind in _DELTA_KINDS:
        table[f"response.{kind}.delta"] = TextDeltaEvent
        table[f"response.{kind}.done"] = TextDoneEvent
    table["response.output_text.annotation.added"] = AnnotationAddedEvent
    for kind, states in _PROGRESS.items():
        for state in states:
            table[f"response.{kind}.{state}"] = ToolCallProgressEvent
    for name in _ERRORS:
        table[name] = ResponseErrorEvent
    return table


#: Event ``type`` -> record class; anything else is a :class:`ResponseEvent`.
EVENT_CLASSES: Final = _event_classes()


def _event_type(event: Mapping[str, Any], name: str | None) -> str | None:
    kind = event.get("type")
    if type(kind) is str:
        return kind
    # The SSE event name stands in for a missing ``type``; "message" is what
    # the SSE parser reports when there was no ``event:`` line at all.
    return name if name and name != "message" else None


def parse_response_event(event: object, name: str | None = None) -> ResponseEvent:
    """Type one decoded event by its ``type`` (or, lacking one, the SSE event
    ``name``); never raises. Unknown types give a plain :class:`ResponseEvent`."""
    return _parse_event(event, name, EVENT_CLASSES, ResponseEvent)


def _parse_event(
    event: object, name: str | None, table: Mapping[str, type[R]], default: type[R]
) -> R:
    """``event`` built as the class ``table`` names for its type (see :func:`_event_type`)."""
    obj: JSONObject = event if isinstance(event, dict) else {}
    kind = _event_type(obj, name)
    return (table.get(kind, default) if kind is not None else default)(obj)


# -- the accumulator --------------------------------------------------------------------


class _Part:
    """A content (or summary, or reasoning text) part being built: ``key``
    names the member its text goes in (``refusal`` for a refusal part)."""

    __slots__ = ("annotations", "base", "key", "pieces")

    def __init__(self, base: JSONObject) -> None:
        self.base = base
        self.key = "refusal" if base.get("type") == "refusal" else "text"
        self.pieces: list[str] = []
        self.annotations: list[Any] | None = None


class _Item:
    """An output item being built from its events."""

    __slots__ = ("added", "args", "content", "done", "reasoning", "status", "summary")

    def __init__(self, added: JSONObject) -> None:
        self.added = added
        self.done: JSONObject | None = None
        self.status: str | None = None
        # Parts by index; empty until a part's event arrives.
        self.content: dict[int, _Part] = {}
        self.summary: dict[int, _Part] = {}
        self.reasoning: dict[int, _Part] = {}
        self.args: list[str] | None = None


def _index(v: object) -> int:
    return v if type(v) is int else (as_int(v) or 0)


def _where(obj: Mapping[str, Any]) -> str:
    """Name the place of a ``.done`` event: its type and indexes."""
    at = [f"{k}={obj[k]}" for k in ("output_index", "content_index", "summary_index") if k in obj]
    return f"{obj.get('type')} {' '.join(at)}"


def _delta(obj: Mapping[str, Any]) -> str:
    delta = obj.get("delta")
    return delta if type(delta) is str else ""


def _part(parts: dict[int, _Part], index: object, base: JSONObject) -> _Part:
    at = _index(index)
    part = parts.get(at)
    if part is None:
        part = parts[at] = _Part(base)
    return part


def _built_parts(parts: dict[int, _Part]) -> list[JSONObject]:
    out = []
    for at in sorted(parts):
        part = parts[at]
        built = dict(part.base)
        if part.pieces or type(built.get(part.key)) is not str:
            built[part.key] = "".join(part.pieces)
        if part.annotations is not None:
            built["annotations"] = part.annotations
        out.append(built)
    return out


class _Fold:
    """What the accumulators of the event formats share: the outcome, the
    counts, and ``add`` dispatching each event by its type to the handler
    the subclass's table names (types with none change nothing)."""

    __slots__ = ("error", "events", "ignored", "outcome")

    _handlers: ClassVar[Mapping[str, Callable[[Any, Mapping[str, Any]], None]]]

    def __init__(self) -> None:
        #: ``ERRORED``: what the stream reported.
        self.error: ResponseError | None = None
        #: How many events were applied (the terminal one included).
        self.events = 0
        #: How many events arrived after the outcome was decided.
        self.ignored = 0
        self.outcome = Outcome.OPEN

    def add(self, event: Mapping[str, Any] | Record, name: str | None = None) -> None:
        """Apply one event: a decoded JSON object or its typed record; ``name``
        is its SSE event name, read when the object lacks ``type``. Never
        raises for any object."""
        obj = event.raw if isinstance(event, Record) else event
        if self.outcome is not Outcome.OPEN:
            self.ignored += 1
            return
        self.events += 1
        kind = obj.get("type")
        if type(kind) is not str:
            kind = _event_type(obj, name)
        handler = self._handlers.get(kind) if kind is not None else None
        if handler is not None:
            handler(self, obj)

    def close(self) -> Outcome:
        """Mark the end of the body: ``TRUNCATED`` if no terminal event came.
        Returns the outcome."""
        if self.outcome is Outcome.OPEN:
            self.outcome = Outcome.TRUNCATED
        return self.outcome

    def _on_error(self, obj: Mapping[str, Any]) -> None:
        self.outcome = Outcome.ERRORED
        self.error = ResponseError.from_dict(obj)


class ResponsesAccumulator(_Fold):
    """Fold the events of one Responses stream into the final :class:`Response`.

    ``add(event, name=None)`` takes each decoded event (a ``dict``, or a
    :class:`ResponseEvent`) in stream order; ``name`` is the SSE event name
    if the stream sent one. ``close()`` marks the end of the body.

    Outcome (``outcome``, an :class:`sseproto.Outcome`):

    * ``OPEN`` until a terminal event;
    * ``COMPLETED`` after ``response.completed`` or ``response.incomplete``
      (``result().status`` tells them apart);
    * ``ERRORED`` after ``response.failed`` or an ``error`` event;
      ``error`` then holds a :class:`ResponseError`;
    * ``TRUNCATED`` when ``close()`` is called while still ``OPEN``, even
      if every item was done (OpenRouter sometimes ends that way).

    The first terminal event decides: events after it (OpenAI follows an
    ``error`` with ``response.failed``) are counted in ``ignored`` and not
    applied.

    Rules of the rebuild (:meth:`snapshot`): items are kept by
    ``output_index``; each starts as its ``output_item.added`` object, with
    the keys of its ``output_item.done`` object laid over it; then the parts
    that arrived as events replace the item's own: message ``content`` by
    ``content_index`` (text joined from ``output_text.delta``, refusals from
    ``refusal.delta``, annotations appended from ``annotation.added``),
    reasoning ``summary`` by ``summary_index`` and ``content`` by
    ``content_index``, and a function call's ``arguments`` joined from its
    deltas. A ``.done`` event's whole text is checked against the joined
    deltas; when they differ the ``.done`` text is kept and the place is
    listed in ``mismatches``. Progress events of server tools set the item's
    ``status`` (until its ``output_item.done``). An item whose
    ``output_item.added`` never came gets the ``type`` its events imply
    (``message``, ``reasoning``, ``function_call``). Unknown event types
    change nothing.

    Every text is kept as a list of pieces and joined once when built, so
    the cost is linear in the stream's size however it was split.
    """

    __slots__ = ("_items", "_last", "_terminal", "mismatches")

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[int, _Item] = {}
        #: The latest ``response`` object a lifecycle event carried.
        self._last: JSONObject | None = None
        self._terminal: JSONObject | None = None
        #: Where a ``.done`` text differed from its joined deltas.
        self.mismatches: list[str] = []

    def _on_progress(self, obj: Mapping[str, Any]) -> None:
        kind = obj.get("type")
        if type(kind) is str:
            self._item(obj).status = kind.rpartition(".")[2]

    def _item(self, obj: Mapping[str, Any]) -> _Item:
        at = _index(obj.get("output_index"))
        item = self._items.get(at)
        if item is None:
            item = self._items[at] = _Item({})
        return item

    def _on_snapshot(self, obj: Mapping[str, Any]) -> None:
        response = obj.get("response")
        if isinstance(response, dict):
            self._last = response

    def _on_end(self, obj: Mapping[str, Any]) -> None:
        response = obj.get("response")
        if isinstance(response, dict):
            self._last = self._terminal = response
        if obj.get("type") == "response.failed":
            self.outcome = Outcome.ERRORED
            self.error = ResponseError.from_dict(response)
        else:
            self.outcome = Outcome.COMPLETED

    def _on_item_added(self, obj: Mapping[str, Any]) -> None:
        item = obj.get("item")
        self._item(obj).added = item if isinstance(item, dict) else {}

    def _on_item_done(self, obj: Mapping[str, Any]) -> None:
        item = obj.get("item")
        if isinstance(item, dict):
            self._item(obj).done = item

    def _on_part(self, obj: Mapping[str, Any]) -> None:
        part = obj.get("part")
        base = part if isinstance(part, dict) else {}
        got = _part(self._item(obj).content, obj.get("content_index"), base)
        if obj.get("type") == "response.content_part.done":
            got.base = {**got.base, **base}

    def _check(self, part: _Part, whole: object, obj: Mapping[str, Any]) -> None:
        """Compare a ``.done`` event's whole text with the joined deltas."""
        if type(whole) is not str:
            return
        if "".join(part.pieces) != whole:
            self.mismatches.append(_where(obj))
            part.pieces = [whole]

    def _on_annotation(self, obj: Mapping[str, Any]) -> None:
        part = _part(self._item(obj).content, obj.get("content_index"), _OUTPUT_TEXT)
        if part.annotations is None:
            part.annotations = []
        part.annotations.append(obj.get("annotation"))

    def _on_summary_part(self, obj: Mapping[str, Any]) -> None:
        part = obj.get("part")
        base = part if isinstance(part, dict) else _SUMMARY
        _part(self._item(obj).summary, obj.get("summary_index"), base)

    def _on_arguments(self, obj: Mapping[str, Any]) -> None:
        item = self._item(obj)
        if item.args is None:
            item.args = []
        item.args.append(_delta(obj))

    def _on_arguments_done(self, obj: Mapping[str, Any]) -> None:
        item = self._item(obj)
        whole = obj.get("arguments")
        if type(whole) is not str:
            return
        if item.args is None or "".join(item.args) != whole:
            if item.args:
                self.mismatches.append(_where(obj))
            item.args = [whole]

    # -- output ----------------------------------------------------------------------

    def _build_item(self, item: _Item) -> JSONObject:
        built = dict(item.added) if item.done is None else {**item.added, **item.done}
        if item.status is not None and item.done is None:
            built["status"] = item.status
        # An item whose ``output_item.added`` never came takes the type its
        # events imply.
        if item.content:
            built["content"] = _built_parts(item.content)
            built.setdefault("type", "message")
        if item.summary:
            built["summary"] = _built_parts(item.summary)
            built.setdefault("type", "reasoning")
        if item.reasoning:
            built["content"] = _built_parts(item.reasoning)
            built.setdefault("type", "reasoning")
        if item.args is not None:
            built["arguments"] = "".join(item.args)
            built.setdefault("type", "function_call")
        return built

    def output(self) -> list[JSONObject]:
        """The output items rebuilt from the events, in ``output_index`` order."""
        items = self._items
        return [self._build_item(items[at]) for at in sorted(items)]

    def snapshot(self) -> Response:
        """The response rebuilt from the events alone: the latest ``response``
        object any lifecycle event carried (``{"object": "response"}`` if
        none), with ``output`` replaced by :meth:`output`. Never raises; works
        at any point, so it is also the partial result of a failed or
        truncated stream."""
        base = self._last if self._last is not None else {"object": "response"}
        return Response({**base, "output": self.output()})

    def result(self) -> Response:
        """The final response.

        When a terminal event carried a ``response``, that object is
        ``raw`` (when it has no ``output`` list, :meth:`output` is put in
        its place, in a copy). Otherwise :meth:`snapshot`.
        """
        terminal = self._terminal
        if terminal is None:
            return self.snapshot()
        if isinstance(terminal.get("output"), list):
            return Response(terminal)
        return Response({**terminal, "output": self.output()})

    @property
    def output_text(self) -> str:
        """The text received so far, joined over every message item."""
        parts = []
        for at in sorted(self._items):
            item = self._items[at]
            if item.content:
                for i in sorted(item.content):
                    part = item.content[i]
                    if part.base.get("type", "output_text") == "output_text":
                        parts.extend(part.pieces)
        return "".join(parts)


_OUTPUT_TEXT: Final[JSONObject] = {"type": "output_text", "annotations": []}
_REFUSAL: Final[JSONObject] = {"type": "refusal"}
_SUMMARY: Final[JSONObject] = {"type": "summary_text"}
_REASONING: Final[JSONObject] = {"type": "reasoning_text"}

_Handler = Callable[[ResponsesAccumulator, Mapping[str, Any]], None]


def _pieces(slot: str, index: str, base: JSONObject) -> tuple[_Handler, _Handler]:
    """The handlers of one kind of part text: its ``.delta`` appends a piece
    to part ``obj[index]`` of the item's ``slot``; its ``.done`` checks the
    whole text (in ``text``, or ``refusal`` for a refusal) against them."""
    whole = "refusal" if base is _REFUSAL else "text"

    def on_delta(self: ResponsesAccumulator, obj: Mapping[str, Any]) -> None:
        parts = getattr(self._item(obj), slot)
        _part(parts, obj.get(index), base).pieces.append(_delta(obj))

    def on_done(self: ResponsesAccumulator, obj: Mapping[str, Any]) -> None:
        parts = getattr(self._item(obj), slot)
        self._check(_part(parts, obj.get(index), base), obj.get(whole), obj)

    return on_delta, on_done


_A = ResponsesAccumulator
_TEXT = _pieces("content", "content_index", _OUTPUT_TEXT)
_REFUSAL_TEXT = _pieces("content", "content_index", _REFUSAL)
_SUMMARY_TEXT = _pieces("summary", "summary_index", _SUMMARY)
_REASONING_TEXT = _pieces("reasoning", "content_index", _REASONING)
_HANDLERS: Final[dict[str, _Handler]] = {
    "response.created": _A._on_snapshot,
    "response.in_progress": _A._on_snapshot,
    "response.queued": _A._on_snapshot,
    "response.completed": _A._on_end,
    "response.incomplete": _A._on_end,
    "response.failed": _A._on_end,
    "error": _A._on_error,
    "response.error": _A._on_error,
    "response.output_item.added": _A._on_item_added,
    "response.output_item.done": _A._on_item_done,
    "response.content_part.added": _A._on_part,
    "response.content_part.done": _A._on_part,
    "response.output_text.delta": _TEXT[0],
    "response.output_text.done": _TEXT[1],
    "response.output_text.annotation.added": _A._on_annotation,
    "response.refusal.delta": _REFUSAL_TEXT[0],
    "response.refusal.done": _REFUSAL_TEXT[1],
    "response.reasoning_summary_part.added": _A._on_summary_part,
    "response.reasoning_summary_part.done": _A._on_summary_part,
    "response.reasoning_summary_text.delta": _SUMMARY_TEXT[0],
    "response.reasoning_summary_text.done": _SUMMARY_TEXT[1],
    "response.reasoning_text.delta": _REASONING_TEXT[0],
    "response.reasoning_text.done": _REASONING_TEXT[1],
    "response.function_call_arguments.delta": _A._on_arguments,
    "response.function_call_arguments.done": _A._on_arguments_done,
}
for _kind, _states in _PROGRESS.items():
    for _state in _states:
        _HANDLERS[f"response.{_kind}.{_state}"] = _A._on_progress
ResponsesAccumulator._handlers = _HANDLERS
