"""Assemble streamed chunks into the response a non-streamed call would have given.

:class:`ChatCompletionAccumulator` folds :class:`ChatCompletionChunk` objects
into a :class:`ChatCompletion`; :class:`CompletionAccumulator` does the same
for the legacy completions endpoint. Both are pure state: no I/O, no clock.

Nothing a chunk carries is dropped: fields this module has never heard of
are merged by the same rules as the known ones and arrive in
``result().raw``. There are two rules, one for the fragments of a delta and
one for the fields that every chunk repeats.

**Fragments** (everything inside ``choices[].delta``, which becomes the
message, and a choice's ``logprobs``):

* Strings are concatenated: ``content``, ``reasoning``, ``refusal``,
  ``function.arguments``, ``audio.data`` and ``audio.transcript``, the
  ``text``, ``summary`` and ``data`` of ``reasoning_details``, and any
  string field not named below.
* Identity strings are taken once, from the first piece that has a non-empty
  value, and never concatenated: ``id``, ``type``, ``role``, ``name``,
  ``format``, ``signature``, ``object`` and ``model``.
* Lists of indexed items (``tool_calls``, ``reasoning_details``, or any list
  whose objects carry an integer ``index``) are merged item by item, by what
  identifies an item: a piece continues the latest entry with the same
  ``index`` whose ``type`` and ``id`` do not differ from its own (a missing
  one differs from nothing); otherwise it starts a new entry at that index.
  So an encrypted reasoning piece that repeats the index of the summary
  before it is a second entry, a signature-only piece joins its text entry,
  and two tool calls that share an index but not an id stay two calls. A
  piece without an index continues the latest entry when they agree, and
  starts a new one (at the next free index) otherwise. Entries come out
  ordered by index, then by arrival.
* Other lists are extended: ``logprobs.content``, and ``annotations`` and
  ``images``, whose items arrive whole (so two images that both say
  ``index: 0`` stay two images).
* Objects are merged key by key with these same rules (``audio``,
  ``function``).
* Other scalars (numbers, booleans): the last non-null value wins, but text
  already received is never replaced by a value of another kind.
* A key that only ever came as ``null`` is kept, as ``null``.

**Repeated fields** (the chunk's top level, such as ``id``, ``model``,
``provider``, ``created``, ``system_fingerprint``, ``service_tier``,
``usage``, ``openrouter_metadata`` and ``error``, and a choice's own fields
such as ``finish_reason``, ``native_finish_reason`` and ``error``): objects
are merged key by key, later values winning, so a ``usage`` or an error sent
on the last chunk is kept whole. A choice's scalars take their last non-null
value (``finish_reason`` comes at the end). A top-level scalar keeps its
first value other than ``null`` and ``""``: every chunk repeats it
unchanged, so later chunks are not read again for it (a provider that
starts with an empty ``id`` or ``model`` still gets the real one); lists
there take their last value. ``object`` becomes ``"chat.completion"``
(``"text_completion"``).

Choices are kept apart by ``index`` (or by position in the chunk when it is
missing). In the result, tool calls lose their stream-only ``index`` (the
non-streamed message has none); reasoning details keep theirs.

Every string fragment is kept in a list and joined once in :meth:`result`,
so the work is linear in the size of the stream however it was split.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ._records import as_int
from ._requests import Message
from ._responses import (
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    CompletionChunk,
    ErrorInfo,
    Usage,
)

__all__ = ["ChatCompletionAccumulator", "CompletionAccumulator"]

#: Lists whose items are always merged by identity, indexed or not.
KEYED_LISTS: Final = frozenset({"tool_calls", "reasoning_details"})

#: Lists whose items always arrive whole, each in one piece: extended, even
#: when their items carry an index (two images that both say ``index: 0``
#: are two images).
WHOLE_ITEM_LISTS: Final = frozenset({"images", "annotations"})

#: Fragment keys taken once (the first non-empty value), never concatenated.
IDENTITY_KEYS: Final = frozenset(
    {"id", "type", "role", "name", "format", "signature", "object", "model"}
)


class _Text:
    """The pieces of a concatenated string."""

    __slots__ = ("parts",)

    def __init__(self, first: str) -> None:
        self.parts = [first]


class _Plain:
    """An item of an indexed list that is not an object: kept as it came."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Keyed:
    """A list of indexed items, merged by what identifies each item."""

    __slots__ = ("entries", "last")

    def __init__(self) -> None:
        # [index, state] in arrival order; state is a fragment dict, or a
        # _Plain for an item that is not an object.
        self.entries: list[tuple[int, dict[str, Any] | _Plain]] = []
        self.last: tuple[int, dict[str, Any]] | None = None

    def add(self, item: dict[str, Any]) -> None:
        index = item.get("index")
        if type(index) is not int:
            index = as_int(index)
        entry: tuple[int, dict[str, Any]] | None = None
        if index is None:
            last = self.last
            if last is not None and _agree(last[1], item):
                entry = last
            else:
                index = self._next_index()
        else:
            for number, state in reversed(self.entries):
                if number == index and type(state) is dict and _agree(state, item):
                    entry = (number, state)
                    break
        if entry is None:
            assert index is not None
            entry = (index, {})
            self.entries.append(entry)
        _merge_fragments(entry[1], item)
        self.last = entry

    def append_plain(self, item: Any) -> None:
        """Keep an item that is not an object, at the next free index."""
        self.entries.append((self._next_index(), _Plain(item)))

    def _next_index(self) -> int:
        return max((e[0] for e in self.entries), default=-1) + 1

    def build(self, *, keep_index: bool) -> list[Any]:
        out = []
        # sorted() is stable: arrival order within an index.
        for index, state in sorted(self.entries, key=_first):
            if isinstance(state, _Plain):
                out.append(state.value)
                continue
            item = _build(state)
            if keep_index:
                item["index"] = index
            else:
                item.pop("index", None)
            out.append(item)
        return out


def _first(entry: tuple[int, object]) -> int:
    return entry[0]


def _agree(state: dict[str, Any], item: Mapping[str, Any]) -> bool:
    """Whether ``item`` may continue the entry ``state`` (no differing type or id)."""
    for key in ("type", "id"):
        value = item.get(key)
        if type(value) is str and value:
            have = state.get(key)
            if type(have) is str and have and have != value:
                return False
    return True


def _indexed(items: list[Any]) -> bool:
    """Whether a list holds indexed objects (merged by :class:`_Keyed`)."""
    return any(type(x) is dict and as_int(x.get("index")) is not None for x in items)


def _merge_fragments(state: dict[str, Any], piece: Mapping[str, Any]) -> None:
    """Fold one delta-like object into ``state`` by the fragment rules."""
    for key, value in piece.items():
        if value is None:
            if key not in state:
                state[key] = None
            continue
        old = state.get(key)
        kind = type(value)
        if type(old) is _Text and kind is not str:
            # Text already received is never replaced by a value of another kind.
            continue
        if kind is str:
            if key in IDENTITY_KEYS:
                if not (type(old) is str and old):
                    state[key] = value
            elif type(old) is _Text:
                old.parts.append(value)
            else:
                state[key] = _Text(value)
        elif kind is dict:
            if type(old) is not dict:
                old = state[key] = {}
            _merge_fragments(old, value)
        elif kind is list:
            if key in WHOLE_ITEM_LISTS:
                if type(old) is list:
                    old.extend(value)
                else:
                    state[key] = list(value)
                continue
            if type(old) is _Keyed:
                keyed = old
            elif type(old) is list:
                if key not in KEYED_LISTS and not _indexed(value):
                    old.extend(value)
                    continue
                # Indexed items after plain ones: keep both, in order.
                keyed = state[key] = _Keyed()
                for x in old:
                    keyed.append_plain(x)
            elif key in KEYED_LISTS or _indexed(value):
                keyed = state[key] = _Keyed()
            else:
                state[key] = list(value)
                continue
            for x in value:
                if type(x) is dict:
                    keyed.add(x)
                else:
                    keyed.append_plain(x)
        else:
            state[key] = value


def _merge_repeated(state: dict[str, Any], piece: Mapping[str, Any]) -> None:
    """Fold fields that every chunk repeats: the last non-null value wins,
    objects merge key by key."""
    for key, value in piece.items():
        _repeat(state, key, value)


def _repeat(state: dict[str, Any], key: str, value: Any) -> None:
    """Fold one repeated field into ``state``."""
    if value is None:
        if key not in state:
            state[key] = None
    elif type(value) is dict:
        old = state.get(key)
        if type(old) is not dict:
            old = state[key] = {}
        _merge_repeated(old, value)
    else:
        state[key] = value


def _build(state: dict[str, Any]) -> dict[str, Any]:
    """The plain JSON object of a fragment state."""
    return {key: _value(value) for key, value in state.items()}


def _value(value: Any) -> Any:
    kind = type(value)
    if kind is _Text:
        return "".join(value.parts)
    if kind is dict:
        return _build(value)
    if kind is _Keyed:
        return value.build(keep_index=True)
    if kind is list:
        return list(value)
    return value


# A choice's key count for each set of null fields found (bit 1:
# finish_reason, 2: native_finish_reason, 4: logprobs), with index and delta.
_SIZES: Final = tuple(2 + bin(n).count("1") for n in range(8))

_MISSING: Final = object()

#: Content pieces joined into one each time this many have arrived: a long
#: stream's text is then held as a few strings rather than one small string
#: object per chunk (about 50 bytes each on top of the text), and each piece
#: is copied once.
_FOLD: Final = 16


class _ChatChoice:
    __slots__ = ("content", "fields", "loose", "message", "nulls", "role")

    def __init__(self) -> None:
        self.role: str | None = None
        # The content pieces (the hot path, kept apart from the other
        # fragments): joined runs of _FOLD pieces, then ``loose`` pieces.
        self.content: list[str] | None = None
        self.loose = 0
        # Every other fragment of the message.
        self.message: dict[str, Any] = {}
        # The choice's own fields (finish_reason, logprobs, error, ...).
        self.fields: dict[str, Any] = {}
        # Which of finish_reason, native_finish_reason and logprobs are in
        # ``fields`` (bits 1, 2, 4).
        self.nulls = 0

    def add_delta(self, delta: Mapping[str, Any]) -> None:
        """Fold a delta's keys other than ``content`` (folded by the caller)."""
        role = delta.get("role")
        if self.role is None and type(role) is str and role:
            self.role = role
        if "content" in delta:
            delta = {key: value for key, value in delta.items() if key != "content"}
        _merge_fragments(self.message, delta)

    def add_fields(self, choice: Mapping[str, Any]) -> None:
        """Fold a choice's own fields (those other than index and delta)."""
        fields = self.fields
        for key, value in choice.items():
            if key in {"delta", "index"}:
                continue
            if key == "logprobs" and type(value) is dict:
                # Token logprobs are fragments: their lists are extended.
                old = fields.get(key)
                if type(old) is not dict:
                    old = fields[key] = {}
                _merge_fragments(old, value)
            else:
                _repeat(fields, key, value)
        self.nulls = (
            ("finish_reason" in fields)
            + 2 * ("native_finish_reason" in fields)
            + 4 * ("logprobs" in fields)
        )

    def adds_nothing(self, choice: Mapping[str, Any]) -> bool:
        """Whether ``choice`` (with an integer index and a delta object)
        has no field but null ones already kept."""
        get = choice.get
        finish = get("finish_reason", _MISSING)
        native = get("native_finish_reason", _MISSING)
        logprobs = get("logprobs", _MISSING)
        if not (
            (finish is None or finish is _MISSING)
            and (native is None or native is _MISSING)
            and (logprobs is None or logprobs is _MISSING)
        ):
            return False
        nulls = (finish is None) + 2 * (native is None) + 4 * (logprobs is None)
        # With index and delta, the key count shows that no other key hides.
        return nulls | self.nulls == self.nulls and len(choice) == _SIZES[nulls]

    def build_message(self) -> dict[str, Any]:
        msg = _build(self.message)
        msg["role"] = self.role or "assistant"
        msg["content"] = None if self.content is None else "".join(self.content)
        calls = self.message.get("tool_calls")
        if type(calls) is _Keyed:
            msg["tool_calls"] = [_as_call(c) for c in calls.build(keep_index=False)]
        # The message's usual order: role and content first.
        return {"role": msg.pop("role"), "content": msg.pop("content"), **msg}

    def build(self, index: int) -> dict[str, Any]:
        out: dict[str, Any] = {"index": index, "message": self.build_message()}
        fields = self.fields
        out["finish_reason"] = fields.get("finish_reason")
        for key, value in fields.items():
            if key != "finish_reason":
                out[key] = _value(value)
        return out


def _as_call(call: Any) -> Any:
    """A tool call with the fields a message needs (``type``, ``function``)."""
    if type(call) is not dict:
        return call
    call.setdefault("type", "function")
    fn = call.get("function")
    if type(fn) is not dict:
        fn = call["function"] = {}
    if not isinstance(fn.get("name"), str):
        fn["name"] = ""
    if not isinstance(fn.get("arguments"), str):
        fn["arguments"] = ""
    return call


class _Header:
    """The response-level fields both accumulators keep (the repeated rule)."""

    __slots__ = ("_chunks", "_error", "_known", "_nulls", "_settled", "_top", "_usage")

    def __init__(self) -> None:
        self._top: dict[str, Any] = {}
        self._usage: Usage | None = None
        self._error: ErrorInfo | None = None
        self._chunks = 0
        # Keys whose value is kept whatever later chunks say (a scalar that
        # has a value), keys seen only as null so far, and exactly those two
        # together (a chunk whose other keys are null again adds nothing).
        self._settled: set[str] = {"choices"}
        self._nulls: set[str] = set()
        self._known: set[str] = {"choices"}

    def _take_header(self, raw: Mapping[str, Any]) -> None:
        """Fold the top-level fields of a chunk (the caller counted it)."""
        keys = raw.keys()
        if keys <= self._settled:
            return
        if keys <= self._known:
            get = raw.get
            for key in self._nulls:
                if get(key) is not None:
                    break
            else:
                return
        top = self._top
        for key, value in raw.items():
            if key in self._settled:
                continue
            if value is None:
                if key not in top:
                    top[key] = None
                    self._nulls.add(key)
                    self._known.add(key)
            elif type(value) is dict:
                old = top.get(key)
                if type(old) is not dict:
                    old = top[key] = {}
                _merge_repeated(old, value)
                self._nulls.discard(key)
                self._known.discard(key)
                if key == "usage":
                    self._usage = None
                elif key == "error":
                    self._error = ErrorInfo.from_dict(old)
            else:
                top[key] = value
                self._nulls.discard(key)
                if value != "" and type(value) is not list:
                    self._settled.add(key)
                    self._known.add(key)
                else:
                    self._known.discard(key)

    def _body(self, obj: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
        body = {key: _value(value) for key, value in self._top.items()}
        body["object"] = obj
        body["choices"] = choices
        return body

    @property
    def chunk_count(self) -> int:
        """How many chunks were added."""
        return self._chunks

    @property
    def usage(self) -> Usage | None:
        """The ``usage`` sent so far (normally on the final chunk), or ``None``."""
        if self._usage is None:
            raw = self._top.get("usage")
            if type(raw) is dict:
                self._usage = Usage.from_dict(_value(raw))
        return self._usage

    @property
    def error(self) -> ErrorInfo | None:
        """The last in-band error seen (in a chunk or one of its choices), or ``None``."""
        return self._error


class ChatCompletionAccumulator(_Header):
    """Folds streamed chat completion chunks into one :class:`ChatCompletion`.

    Call :meth:`add` for each chunk, then :meth:`result` (or, mid-stream,
    for a snapshot of what arrived so far) and :meth:`to_message` for the
    assistant message to send back on the next turn. Choices with different
    indexes (``n > 1``) are kept apart. See the module docstring for the
    merge rules: nothing a chunk carries is dropped.
    """

    __slots__ = ("_choices",)

    def __init__(self) -> None:
        super().__init__()
        self._choices: dict[int, _ChatChoice] = {}

    def add(self, chunk: ChatCompletionChunk | Mapping[str, Any]) -> None:
        """Fold one chunk in. A decoded ``dict`` is accepted too. Never raises."""
        raw = chunk.raw if isinstance(chunk, ChatCompletionChunk) else chunk
        self._chunks += 1
        # Nearly every chunk repeats the header fields already kept: one
        # set comparison tells so, without visiting them.
        if not raw.keys() <= self._settled:
            self._take_header(raw)
        choices_raw = raw.get("choices")
        if type(choices_raw) is not list:
            return
        position = -1
        for choice in choices_raw:
            position += 1
            if type(choice) is not dict:
                continue
            get = choice.get
            index = get("index")
            key: int
            if type(index) is int:
                indexed = True
                key = index
            else:
                indexed = False
                number = as_int(index)
                key = position if number is None else number
            state = self._choices.get(key)
            if state is None:
                state = self._choices[key] = _ChatChoice()
            delta = get("delta")
            if type(delta) is not dict:
                self._add_fields(state, choice)
                continue
            # The choice's own fields: most chunks repeat OpenRouter's shape
            # (index, delta and null finish_reason, native_finish_reason and
            # logprobs), which adds nothing once those nulls are kept.
            if not (
                indexed
                and len(choice) == 5
                and state.nulls == 7
                and get("finish_reason", _MISSING) is None
                and get("native_finish_reason", _MISSING) is None
                and get("logprobs", _MISSING) is None
            ) and not (indexed and state.adds_nothing(choice)):
                self._add_fields(state, choice)
            # The common delta, ``content`` alone (with the role that
            # OpenRouter repeats on every delta), is folded here; the
            # other keys are looked at only when there are some.
            v = delta.get("content")
            if type(v) is str:
                content = state.content
                if content is None:
                    state.content = [v]
                    state.loose = 1
                else:
                    content.append(v)
                    loose = state.loose + 1
                    if loose == _FOLD:
                        content[-_FOLD:] = ["".join(content[-_FOLD:])]
                        loose = 0
                    state.loose = loose
                others = len(delta) - 1
            else:
                others = len(delta)
            if others and not (others == 1 and state.role is not None and "role" in delta):
                state.add_delta(delta)

    def _add_fields(self, state: _ChatChoice, choice: dict[str, Any]) -> None:
        state.add_fields(choice)
        error = choice.get("error")
        if type(error) is dict:
            self._error = ErrorInfo.from_dict(error)

    def result(self) -> ChatCompletion:
        """The completion assembled so far (``object == "chat.completion"``).

        Its ``raw`` is a fresh dict in the non-streamed response's shape.
        Calling it again after more chunks gives an updated result.
        """
        choices = [self._choices[key].build(key) for key in sorted(self._choices)]
        return ChatCompletion.from_dict(self._body("chat.completion", choices))

    def to_message(self, index: int = 0) -> Message:
        """The assistant message of choice ``index``, ready to send as the next turn.

        :meth:`Message.from_reply` of the message assembled so far: role,
        content, tool calls (without their stream-only ``index``), refusal,
        reasoning details (each as it was assembled: an encrypted entry stays
        apart from the summary before it) and an audio reply by its ``id``;
        ``content`` is ``None`` when the reply is tool calls alone. The same
        as ``result().to_message(index)``. A choice that never arrived gives
        an assistant message with ``""`` as content. A request's ``messages``
        also takes the accumulator itself, for choice 0.
        """
        state = self._choices.get(index)
        if state is None:
            return Message.assistant("")
        return Message.from_reply(state.build_message())

    @property
    def content(self) -> str:
        """The text of choice 0 so far (``""`` before any content)."""
        state = self._choices.get(0)
        if state is None or state.content is None:
            return ""
        return "".join(state.content)


class _TextChoice:
    __slots__ = ("fields", "text")

    def __init__(self) -> None:
        self.text: list[str] = []
        # ``reasoning`` and unknown fragments, then the repeated fields.
        self.fields: dict[str, Any] = {}


#: The legacy choice's repeated fields; every other field is a fragment.
_TEXT_REPEATED: Final = frozenset({"finish_reason", "native_finish_reason", "error"})


class CompletionAccumulator(_Header):
    """Folds streamed legacy completion chunks into one :class:`Completion`.

    ``text``, ``reasoning`` and any other fragment of a choice are merged by
    the fragment rules (strings concatenated, ``logprobs`` lists extended);
    ``finish_reason``, ``native_finish_reason`` and ``error`` by the
    repeated rule. See the module docstring.
    """

    __slots__ = ("_choices",)

    def __init__(self) -> None:
        super().__init__()
        self._choices: dict[int, _TextChoice] = {}

    def add(self, chunk: CompletionChunk | Mapping[str, Any]) -> None:
        """Fold one chunk in. A decoded ``dict`` is accepted too. Never raises."""
        raw = chunk.raw if isinstance(chunk, CompletionChunk) else chunk
        self._chunks += 1
        self._take_header(raw)
        choices_raw = raw.get("choices")
        if type(choices_raw) is not list:
            return
        for position, choice in enumerate(choices_raw):
            if type(choice) is not dict:
                continue
            key = as_int(choice.get("index"))
            if key is None:
                key = position
            state = self._choices.get(key)
            if state is None:
                state = self._choices[key] = _TextChoice()
            fragments: dict[str, Any] = {}
            for name, value in choice.items():
                if name == "index":
                    continue
                if name == "text" and type(value) is str:
                    state.text.append(value)
                elif name in _TEXT_REPEATED:
                    _merge_repeated(state.fields, {name: value})
                    if name == "error" and type(value) is dict:
                        self._error = ErrorInfo.from_dict(value)
                else:
                    fragments[name] = value
            if fragments:
                _merge_fragments(state.fields, fragments)

    def result(self) -> Completion:
        """The completion assembled so far (``object == "text_completion"``)."""
        choices = []
        for key in sorted(self._choices):
            state = self._choices[key]
            c: dict[str, Any] = {"index": key, "text": "".join(state.text)}
            fields = _build(state.fields)
            c["finish_reason"] = fields.pop("finish_reason", None)
            c.update(fields)
            choices.append(c)
        return Completion.from_dict(self._body("text_completion", choices))

    @property
    def text(self) -> str:
        """The text of choice 0 so far."""
        state = self._choices.get(0)
        return "" if state is None else "".join(state.text)
