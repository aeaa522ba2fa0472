"""Accumulators: streamed chunks folded into the final response."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from openrouter._accumulator import ChatCompletionAccumulator, CompletionAccumulator
from openrouter._responses import ChatCompletion, ChatCompletionChunk, Completion, CompletionChunk


def split_text(text: str, cuts: list[int]) -> list[str]:
    """Split text at the given offsets (clamped and sorted; repeats give empty pieces)."""
    points = sorted(min(max(c, 0), len(text)) for c in cuts)
    pieces = []
    start = 0
    for point in points:
        pieces.append(text[start:point])
        start = point
    pieces.append(text[start:])
    return pieces


def chunk(delta: dict[str, Any], index: int | None = 0, **choice: Any) -> ChatCompletionChunk:
    c: dict[str, Any] = {"delta": delta, **choice}
    if index is not None:
        c["index"] = index
    return ChatCompletionChunk.from_dict({"id": "gen-1", "choices": [c]})


def fold(chunks: list[ChatCompletionChunk]) -> ChatCompletionAccumulator:
    acc = ChatCompletionAccumulator()
    for c in chunks:
        acc.add(c)
    return acc


TEXT = st.text(max_size=40)
CUTS = st.lists(st.integers(min_value=0, max_value=40), max_size=8)


# -- text fields --------------------------------------------------------------------------


@given(content=TEXT, reasoning=TEXT, refusal=TEXT, c1=CUTS, c2=CUTS, c3=CUTS)
def test_any_split_of_text_fields_gives_the_same_message(
    content: str, reasoning: str, refusal: str, c1: list[int], c2: list[int], c3: list[int]
) -> None:
    """Content, reasoning and refusal come out whole however they were split."""
    chunks = [chunk({"role": "assistant"})]
    chunks += [chunk({"content": p}) for p in split_text(content, c1)]
    chunks += [chunk({"reasoning": p}) for p in split_text(reasoning, c2)]
    chunks += [chunk({"refusal": p}) for p in split_text(refusal, c3)]
    message = fold(chunks).result().choices[0].message
    assert message.content == content
    assert message.reasoning == reasoning
    assert message.refusal == refusal
    assert message.role == "assistant"


def test_absent_fields_stay_none() -> None:
    """A field no delta carried is None in the result, not an empty string."""
    message = fold([chunk({"content": "hi"})]).result().choices[0].message
    assert message.reasoning is None
    assert message.refusal is None
    assert message.tool_calls is None
    assert message.reasoning_details is None


# -- tool calls -----------------------------------------------------------------------------

CALL_ARGS = st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=4)


@given(args_a=CALL_ARGS, args_b=CALL_ARGS, cuts_a=CUTS, cuts_b=CUTS, interleave=st.booleans())
def test_any_split_of_tool_arguments_gives_the_same_calls(
    args_a: dict[str, Any],
    args_b: dict[str, Any],
    cuts_a: list[int],
    cuts_b: list[int],
    interleave: bool,
) -> None:
    """Arguments are concatenated per index; id, type and name are taken once."""
    text_a, text_b = json.dumps(args_a), json.dumps(args_b)

    def pieces(index: int, call_id: str, name: str, text: str, cuts: list[int]) -> list[Any]:
        out = []
        for n, part in enumerate(split_text(text, cuts)):
            call: dict[str, Any] = {"index": index, "function": {"arguments": part}}
            if n == 0:
                call.update(id=call_id, type="function")
                call["function"]["name"] = name
            else:
                # Some providers repeat the id on every piece: never concatenated.
                call["id"] = call_id
            out.append(chunk({"tool_calls": [call]}))
        return out

    a = pieces(0, "call_a", "lookup", text_a, cuts_a)
    b = pieces(1, "call_b", "store", text_b, cuts_b)
    if interleave:
        merged: list[Any] = []
        for i in range(max(len(a), len(b))):
            merged += a[i : i + 1] + b[i : i + 1]
    else:
        merged = a + b
    acc = fold(merged)
    calls = acc.result().choices[0].message.tool_calls
    assert calls is not None
    assert [(c.id, c.type, c.function.name) for c in calls] == [
        ("call_a", "function", "lookup"),
        ("call_b", "function", "store"),
    ]
    assert [json.loads(c.function.arguments or "") for c in calls] == [args_a, args_b]
    assert acc.to_message().to_dict()["tool_calls"] == [
        {"id": "call_a", "type": "function", "function": {"name": "lookup", "arguments": text_a}},
        {"id": "call_b", "type": "function", "function": {"name": "store", "arguments": text_b}},
    ]


def test_tool_call_first_index_above_zero() -> None:
    """Calls whose indexes start above 0 (or arrive out of order) are kept, ordered."""
    acc = fold(
        [
            chunk({"tool_calls": [{"index": 2, "id": "c2", "function": {"name": "g"}}]}),
            chunk({"tool_calls": [{"index": 1, "id": "c1", "function": {"name": "f"}}]}),
            chunk({"tool_calls": [{"index": 2, "function": {"arguments": "{}"}}]}),
            chunk({"tool_calls": [{"index": 1, "function": {"arguments": "[]"}}]}),
        ]
    )
    calls = acc.result().choices[0].message.tool_calls
    assert calls is not None
    # Ordered by index; the message, like a non-streamed one, has no index.
    assert [(c.index, c.id, c.function.arguments) for c in calls] == [
        (None, "c1", "[]"),
        (None, "c2", "{}"),
    ]
    sent = acc.to_message().tool_calls or ()
    assert [c["id"] for c in sent if isinstance(c, Mapping)] == ["c1", "c2"]


def test_tool_call_missing_index_continues_latest() -> None:
    """Pieces without an index (and without a new id) extend the latest call."""
    acc = fold(
        [
            chunk({"tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f"}}]}),
            chunk({"tool_calls": [{"function": {"arguments": '{"a"'}}]}),
            chunk({"tool_calls": [{"id": "c1", "function": {"arguments": ": 1}"}}]}),
        ]
    )
    calls = acc.result().choices[0].message.tool_calls
    assert calls is not None
    assert len(calls) == 1
    assert (calls[0].id, calls[0].function.arguments) == ("c1", '{"a": 1}')


def test_tool_call_missing_index_with_new_id_starts_a_call() -> None:
    """Whole calls sent without an index, each with its own id, stay separate."""
    acc = fold(
        [
            chunk({"tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": "{}"}}]}),
            chunk({"tool_calls": [{"id": "c2", "function": {"name": "g", "arguments": "[]"}}]}),
        ]
    )
    calls = acc.result().choices[0].message.tool_calls
    assert calls is not None
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("c1", "f", "{}"),
        ("c2", "g", "[]"),
    ]


def test_tool_call_name_not_concatenated() -> None:
    """A name repeated (or sent empty) in later pieces is not appended."""
    acc = fold(
        [
            chunk({"tool_calls": [{"index": 0, "id": "", "function": {"name": ""}}]}),
            chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f"}}]}),
            chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f"}}]}),
        ]
    )
    calls = acc.result().choices[0].message.tool_calls
    assert calls is not None
    assert (calls[0].id, calls[0].function.name, calls[0].function.arguments) == ("c", "f", "")


# -- reasoning details ------------------------------------------------------------------------


@given(text=TEXT, summary=TEXT, data=TEXT, c1=CUTS, c2=CUTS, c3=CUTS)
def test_any_split_of_reasoning_details_gives_the_same_details(
    text: str, summary: str, data: str, c1: list[int], c2: list[int], c3: list[int]
) -> None:
    """text/summary/data are concatenated per index; id, format, signature taken once."""
    chunks = []
    for n, part in enumerate(split_text(text, c1)):
        piece = {
            "type": "reasoning.text",
            "text": part,
            "index": 0,
            "format": "anthropic-claude-v1",
        }
        if n == 0:
            piece["id"] = "rs_1"
        chunks.append(chunk({"reasoning_details": [piece]}))
    # The signature arrives once more at the end, as Anthropic sends it.
    chunks.append(chunk({"reasoning_details": [{"index": 0, "signature": "sig=="}]}))
    chunks.append(chunk({"reasoning_details": [{"index": 0, "signature": "sig=="}]}))
    chunks += [
        chunk({"reasoning_details": [{"type": "reasoning.summary", "summary": p, "index": 1}]})
        for p in split_text(summary, c2)
    ]
    chunks += [
        chunk(
            {
                "reasoning_details": [
                    {"type": "reasoning.encrypted", "data": p, "index": 2, "id": "enc_1"}
                ]
            }
        )
        for p in split_text(data, c3)
    ]
    acc = fold(chunks)
    details = acc.result().choices[0].message.reasoning_details
    assert details is not None
    assert [d.type for d in details] == [
        "reasoning.text",
        "reasoning.summary",
        "reasoning.encrypted",
    ]
    first = details[0]
    assert (first.text, first.id, first.format, first.signature, first.index) == (
        text,
        "rs_1",
        "anthropic-claude-v1",
        "sig==",
        0,
    )
    assert details[1].summary == summary
    assert (details[2].data, details[2].id) == (data, "enc_1")
    sent_back = acc.to_message().reasoning_details or ()
    assert sent_back[0] == {
        "type": "reasoning.text",
        "format": "anthropic-claude-v1",
        "id": "rs_1",
        "signature": "sig==",
        "text": text,
        "index": 0,
    }


def test_reasoning_detail_missing_index() -> None:
    """Unindexed pieces continue the latest entry of their type, or start a new one."""
    acc = fold(
        [
            chunk({"reasoning_details": [{"type": "reasoning.text", "text": "a"}]}),
            chunk({"reasoning_details": [{"text": "b"}]}),
            chunk({"reasoning_details": [{"type": "reasoning.text", "text": "c"}]}),
            chunk({"reasoning_details": [{"type": "reasoning.encrypted", "data": "zz"}]}),
        ]
    )
    details = acc.result().choices[0].message.reasoning_details
    assert details is not None
    assert [(d.type, d.text, d.data, d.index) for d in details] == [
        ("reasoning.text", "abc", None, 0),
        ("reasoning.encrypted", None, "zz", 1),
    ]


def test_reasoning_detail_unknown_scalars_last_wins() -> None:
    """A scalar field the accumulator does not know takes its last non-null value."""
    acc = fold(
        [
            chunk({"reasoning_details": [{"index": 0, "type": "reasoning.x", "extra": 1}]}),
            chunk({"reasoning_details": [{"index": 0, "extra": 2, "text": "t"}]}),
        ]
    )
    details = acc.result().choices[0].message.reasoning_details
    assert details is not None
    assert details[0].raw["extra"] == 2
    assert details[0].text == "t"


# -- response-level fields ------------------------------------------------------------------------


def test_header_finish_reasons_and_usage() -> None:
    """The first id/model/provider, the last non-null finish reasons; usage merged."""
    acc = ChatCompletionAccumulator()
    acc.add(
        {
            "id": "gen-1",
            "model": "m",
            "provider": "P",
            "created": 5,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "a"}}],
        }
    )
    acc.add(
        {
            "id": "gen-other",
            "model": "m2",
            "choices": [
                {
                    "index": 0,
                    "delta": {},
                    "finish_reason": "stop",
                    "native_finish_reason": "end_turn",
                }
            ],
        }
    )
    acc.add({"choices": [{"index": 0, "delta": {}, "finish_reason": None}]})
    acc.add({"choices": [], "usage": {"total_tokens": 1}})
    acc.add({"choices": [], "usage": {"total_tokens": 9, "cost": 0.25}})
    result = acc.result()
    assert isinstance(result, ChatCompletion)
    assert (result.id, result.model, result.provider, result.created, result.object) == (
        "gen-1",
        "m",
        "P",
        5,
        "chat.completion",
    )
    choice = result.choices[0]
    assert (choice.finish_reason, choice.native_finish_reason) == ("stop", "end_turn")
    assert result.usage is not None
    assert (result.usage.total_tokens, result.usage.cost) == (9, 0.25)
    assert acc.usage == result.usage
    assert acc.chunk_count == 5


def test_multiple_choices() -> None:
    """Choices with different indexes (n > 1) are assembled separately."""
    acc = ChatCompletionAccumulator()
    acc.add(
        {
            "choices": [
                {"index": 0, "delta": {"content": "A1"}},
                {"index": 1, "delta": {"content": "B1"}},
            ]
        }
    )
    acc.add({"choices": [{"index": 1, "delta": {"content": "B2"}, "finish_reason": "length"}]})
    acc.add({"choices": [{"index": 0, "delta": {"content": "A2"}, "finish_reason": "stop"}]})
    result = acc.result()
    assert [(c.index, c.message.content, c.finish_reason) for c in result.choices] == [
        (0, "A1A2", "stop"),
        (1, "B1B2", "length"),
    ]
    assert acc.to_message(1).to_dict() == {"role": "assistant", "content": "B1B2"}


def test_missing_choice_index_uses_position() -> None:
    """A choice without an index is keyed by its position in the chunk."""
    acc = ChatCompletionAccumulator()
    acc.add({"choices": [{"delta": {"content": "a"}}, {"delta": {"content": "x"}}]})
    acc.add({"choices": [{"delta": {"content": "b"}}]})
    assert [c.message.content for c in acc.result().choices] == ["ab", "x"]


def test_in_band_error_recorded() -> None:
    """The last in-band error is kept on the accumulator and in the result."""
    acc = ChatCompletionAccumulator()
    acc.add(chunk({"content": "partial"}))
    acc.add(
        {
            "error": {"code": "server_error", "message": "gone"},
            "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
        }
    )
    assert acc.error is not None
    assert acc.error.code == "server_error"
    result = acc.result()
    assert result.error is not None
    assert result.error.message == "gone"
    assert result.choices[0].finish_reason == "error"
    assert result.choices[0].message.content == "partial"


def test_choice_error_is_the_chunks_own_object() -> None:
    """An error inside a choice is the accumulator's error too."""
    c = chunk({"content": ""}, finish_reason="error", error={"code": 502, "message": "down"})
    acc = fold([c])
    error = c.choices[0].error
    assert acc.error is not None
    assert error is not None
    assert acc.error.raw == error.raw
    assert acc.result().choices[0].error == c.choices[0].error


# -- folding reads the chunk's JSON with the typed view's rules ------------------------------

_ODD: st.SearchStrategy[Any] = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        1,
        2,
        -1,
        1.0,
        1.5,
        "",
        "a",
        "stop",
        [],
        ["a"],
        [{}],
        [{"x": 1}, 2],
        {},
        {"x": 1},
    ]
)
_MISSING = object()
# A key is left out when it draws _MISSING, so every key is often present.
_MAYBE = _ODD | st.just(_MISSING)


def _present_keys(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not _MISSING}


_DELTA = st.fixed_dictionaries(
    dict.fromkeys(("content", "role", "reasoning", "refusal", "images", "other"), _MAYBE)
).map(_present_keys)
_CHOICE = st.fixed_dictionaries(
    {
        "delta": st.one_of(_DELTA, _DELTA, _MAYBE),
        **dict.fromkeys(("index", "finish_reason", "native_finish_reason", "logprobs"), _MAYBE),
    }
).map(_present_keys)
# Mostly well-formed choices, sometimes not a choice, or no list at all.
_CHUNK = st.fixed_dictionaries(
    {"choices": st.lists(st.one_of(_CHOICE, _CHOICE, _CHOICE, _ODD), min_size=1, max_size=3)}
) | st.fixed_dictionaries({}, optional={"choices": _ODD})


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _typed_fold(chunks: list[ChatCompletionChunk]) -> dict[int, dict[str, Any]]:
    """The scalar merge rules, applied to the chunks' typed attributes."""
    out: dict[int, dict[str, Any]] = {}
    for c in chunks:
        raw_choices = c.raw.get("choices")
        for position, choice in enumerate(c.choices):
            if not (isinstance(raw_choices, list) and isinstance(raw_choices[position], dict)):
                continue  # not a choice object: nothing to fold
            key = position if choice.index is None else choice.index
            state = out.setdefault(key, {"parts": {}, "role": None, "finish": None, "native": None})
            delta = choice.delta
            for name in ("content", "reasoning", "refusal"):
                value = getattr(delta, name)
                if value is not None:
                    state["parts"].setdefault(name, []).append(value)
            if state["role"] is None and delta.role:
                state["role"] = delta.role
            # Repeated fields: the last non-null raw value wins (then typed).
            if choice.raw.get("finish_reason") is not None:
                state["finish"] = choice.raw["finish_reason"]
            if choice.raw.get("native_finish_reason") is not None:
                state["native"] = choice.raw["native_finish_reason"]
    return out


@settings(max_examples=300)
@given(bodies=st.lists(_CHUNK, min_size=1, max_size=4))
@example(bodies=[{"choices": [{"delta": {"role": "a"}, "finish_reason": "stop"}]}] * 2)
@example(bodies=[{"choices": [{"finish_reason": "stop"}]}, {"choices": [{"finish_reason": 1}]}])
@example(bodies=[{"choices": [{"index": 1.0, "delta": {"content": None, "refusal": "r"}}]}])
def test_fold_agrees_with_the_typed_view(bodies: list[dict[str, Any]]) -> None:
    """Whatever the JSON, folding keeps exactly what the typed attributes show."""
    chunks = [ChatCompletionChunk.from_dict(b) for b in bodies]
    expected = _typed_fold(chunks)
    result = fold(chunks).result()
    assert [c.index for c in result.choices] == sorted(expected)
    for choice in result.choices:
        assert choice.index is not None
        state = expected[choice.index]
        parts = state["parts"]
        message = choice.message
        assert message.content == ("".join(parts["content"]) if "content" in parts else None)
        assert message.reasoning == ("".join(parts["reasoning"]) if "reasoning" in parts else None)
        assert message.refusal == ("".join(parts["refusal"]) if "refusal" in parts else None)
        assert message.role == (state["role"] or "assistant")
        assert choice.finish_reason == _str_or_none(state["finish"])
        assert choice.native_finish_reason == _str_or_none(state["native"])


def test_result_is_a_snapshot() -> None:
    """result() can be taken mid-stream and again later."""
    acc = ChatCompletionAccumulator()
    acc.add(chunk({"content": "Hel"}))
    first = acc.result()
    acc.add(chunk({"content": "lo"}))
    assert first.choices[0].message.content == "Hel"
    assert acc.result().choices[0].message.content == "Hello"
    assert acc.content == "Hello"


def test_logprobs_concatenated() -> None:
    """Per-token logprobs lists are joined across chunks."""
    acc = fold(
        [
            chunk({"content": "a"}, logprobs={"content": [{"token": "a", "logprob": -0.1}]}),
            chunk({"content": "b"}, logprobs={"content": [{"token": "b", "logprob": -0.2}]}),
        ]
    )
    logprobs = acc.result().choices[0].logprobs
    assert logprobs is not None
    assert [t.token for t in logprobs.content or ()] == ["a", "b"]


# -- next turn ---------------------------------------------------------------------------------


def test_to_message_omits_empty_parts() -> None:
    """A plain answer gives role and content only."""
    acc = fold([chunk({"role": "assistant", "content": ""}), chunk({"content": "Hi"})])
    assert acc.to_message().to_dict() == {"role": "assistant", "content": "Hi"}


def test_to_message_tool_calls_without_content() -> None:
    """A tool-call-only answer sends content as null and drops the stream-only index."""
    acc = fold(
        [
            chunk({"content": ""}),
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "c",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ]
                }
            ),
        ]
    )
    assert acc.to_message().to_dict() == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    }


def test_to_message_with_nothing() -> None:
    """With no content at all the message still has an (empty) content."""
    assert ChatCompletionAccumulator().to_message().to_dict() == {
        "role": "assistant",
        "content": "",
    }
    assert fold([chunk({"role": "assistant"})]).to_message().to_dict() == {
        "role": "assistant",
        "content": "",
    }


def test_to_message_is_json_serializable() -> None:
    """The message is plain data, ready to be encoded in the next request."""
    acc = fold(
        [
            chunk(
                {
                    "content": "x",
                    "reasoning_details": [{"type": "reasoning.text", "text": "t", "index": 0}],
                }
            ),
            chunk(
                {
                    "tool_calls": [
                        {"index": 0, "id": "c", "function": {"name": "f", "arguments": "{}"}}
                    ]
                }
            ),
        ]
    )
    message = json.loads(json.dumps(acc.to_message().to_dict()))
    assert set(message) == {"role", "content", "tool_calls", "reasoning_details"}


# -- scale ------------------------------------------------------------------------------------


def test_many_one_character_deltas() -> None:
    """100,000 one-character deltas assemble (joined once, not rebuilt per delta)."""
    acc = ChatCompletionAccumulator()
    one = chunk({"content": "x", "reasoning": "y"})
    args = chunk({"tool_calls": [{"index": 0, "function": {"arguments": "z"}}]})
    for _ in range(100_000):
        acc.add(one)
        acc.add(args)
    message = acc.result().choices[0].message
    assert message.content == "x" * 100_000
    assert message.reasoning == "y" * 100_000
    assert message.tool_calls is not None
    assert message.tool_calls[0].function.arguments == "z" * 100_000


# -- legacy completions ------------------------------------------------------------------------


@given(text=TEXT, cuts=CUTS)
def test_completion_accumulator_any_split(text: str, cuts: list[int]) -> None:
    """Legacy completion text comes out whole however it was split."""
    acc = CompletionAccumulator()
    for part in split_text(text, cuts):
        acc.add(CompletionChunk.from_dict({"id": "g", "choices": [{"index": 0, "text": part}]}))
    acc.add(
        {
            "choices": [{"index": 0, "text": "", "finish_reason": "length"}],
            "usage": {"total_tokens": 3},
        }
    )
    result = acc.result()
    assert isinstance(result, Completion)
    assert result.object == "text_completion"
    assert result.choices[0].text == text
    assert result.choices[0].finish_reason == "length"
    assert result.usage is not None
    assert result.usage.total_tokens == 3
    assert acc.text == text


def test_completion_accumulator_reasoning_and_error() -> None:
    """Reasoning fragments are joined; an in-band error is kept."""
    acc = CompletionAccumulator()
    acc.add({"choices": [{"index": 0, "text": "a", "reasoning": "r1"}]})
    acc.add({"choices": [{"index": 0, "text": "b", "reasoning": "r2"}]})
    acc.add({"error": {"code": 502, "message": "down"}, "choices": []})
    result = acc.result()
    assert (result.choices[0].text, result.choices[0].reasoning) == ("ab", "r1r2")
    assert acc.error is not None
    assert acc.error.code == 502


# -- identity, unknown fields and the repeated header (real wire shapes) ------------------


def test_encrypted_piece_at_a_summary_index_is_its_own_entry() -> None:
    """xAI: summary pieces at index 0, then one encrypted piece at index 0 with an id."""
    acc = fold(
        [
            chunk(
                {"reasoning_details": [{"type": "reasoning.summary", "summary": "Wei", "index": 0}]}
            ),
            chunk(
                {"reasoning_details": [{"type": "reasoning.summary", "summary": "gh", "index": 0}]}
            ),
            chunk(
                {
                    "reasoning_details": [
                        {"type": "reasoning.encrypted", "data": "b64", "id": "rs_1", "index": 0}
                    ]
                }
            ),
        ]
    )
    expected = [
        {"type": "reasoning.summary", "summary": "Weigh", "index": 0},
        {"type": "reasoning.encrypted", "data": "b64", "id": "rs_1", "index": 0},
    ]
    assert acc.result().raw["choices"][0]["message"]["reasoning_details"] == expected
    assert acc.to_message().to_dict()["reasoning_details"] == expected


def test_signature_only_piece_joins_its_text_entry() -> None:
    """Anthropic: the signature comes alone, with the text entry's type and index."""
    acc = fold(
        [
            chunk({"reasoning_details": [{"type": "reasoning.text", "text": "Hm", "index": 0}]}),
            chunk({"reasoning_details": [{"type": "reasoning.text", "text": "m.", "index": 0}]}),
            chunk(
                {"reasoning_details": [{"type": "reasoning.text", "signature": "sig", "index": 0}]}
            ),
        ]
    )
    assert acc.to_message().to_dict()["reasoning_details"] == [
        {"type": "reasoning.text", "text": "Hmm.", "signature": "sig", "index": 0}
    ]


def test_calls_that_share_an_index_but_not_an_id_stay_apart() -> None:
    """Some providers number parallel calls 0, 0, 0 with distinct ids."""
    acc = fold(
        [
            chunk(
                {
                    "tool_calls": [
                        {"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}
                    ]
                }
            ),
            chunk(
                {
                    "tool_calls": [
                        {"index": 0, "id": "b", "function": {"name": "g", "arguments": "[]"}}
                    ]
                }
            ),
        ]
    )
    assert acc.to_message().to_dict()["tool_calls"] == [
        {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
        {"id": "b", "type": "function", "function": {"name": "g", "arguments": "[]"}},
    ]


def test_fields_nobody_knows_yet_arrive_in_raw() -> None:
    """A future delta field, choice field and top-level field are merged, not dropped."""
    acc = ChatCompletionAccumulator()
    acc.add({"id": "g", "x_top": 1, "choices": [{"index": 0, "delta": {"x_text": "ab"}}]})
    acc.add({"id": "g", "x_top": 1, "choices": [{"index": 0, "delta": {"x_text": "cd"}, "x_c": 2}]})
    raw = acc.result().raw
    assert raw["x_top"] == 1
    assert raw["choices"][0]["x_c"] == 2
    assert raw["choices"][0]["message"]["x_text"] == "abcd"


def test_usage_after_nulls_and_an_empty_first_id() -> None:
    """Header keys that come as null (or an empty id) first take the value that follows."""
    acc = ChatCompletionAccumulator()
    acc.add({"id": "", "model": "", "usage": None, "choices": []})
    for _ in range(3):
        acc.add({"id": "gen-9", "model": "m", "usage": None, "choices": [chunk_choice("x")]})
    acc.add({"id": "gen-9", "model": "m", "usage": {"total_tokens": 7}, "choices": []})
    result = acc.result()
    assert (result.id, result.model) == ("gen-9", "m")
    assert result.raw["usage"] == {"total_tokens": 7}
    assert acc.usage is not None
    assert acc.usage.total_tokens == 7


def chunk_choice(text: str) -> dict[str, Any]:
    return {"index": 0, "delta": {"content": text}, "finish_reason": None}


def test_images_arrive_whole_even_with_the_same_index() -> None:
    """Each image item is one image: two that both say index 0 are not joined."""
    first = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}, "index": 0}
    second = {"type": "image_url", "image_url": {"url": "data:image/png;base64,BB"}, "index": 0}
    acc = fold([chunk({"images": [first]}), chunk({"images": [second]})])
    assert acc.result().raw["choices"][0]["message"]["images"] == [first, second]


def test_objects_keyed_by_the_empty_string_and_plain_list_items() -> None:
    """{"": ...} is an object like any other, and a non-object item of an
    indexed list is kept as it came; neither breaks result()."""
    acc = fold(
        [
            chunk({"x_obj": {"": "a"}, "reasoning_details": [7]}),
            chunk({"x_obj": {"": "b"}, "tool_calls": [{"index": 0, "": 1}]}),
        ]
    )
    message = acc.result().raw["choices"][0]["message"]
    assert message["x_obj"] == {"": "ab"}
    assert message["reasoning_details"] == [7]
    assert message["tool_calls"][0][""] == 1


@given(st.lists(st.text(max_size=4), min_size=1, max_size=300))
@settings(max_examples=60)
def test_long_content_is_folded_without_changing_it(pieces: list[str]) -> None:
    """Many content pieces (joined in runs as they arrive) give exactly their
    text, at every step, in content, result() and to_message()."""
    acc = ChatCompletionAccumulator()
    for count, piece in enumerate(pieces, 1):
        acc.add({"id": "g", "choices": [{"index": 0, "delta": {"content": piece}}]})
        if count % 37 == 0 or count == len(pieces):
            assert acc.content == "".join(pieces[:count])
    text = "".join(pieces)
    assert acc.result().choices[0].message.content == text
    assert acc.to_message().content == text
