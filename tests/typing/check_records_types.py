"""Type-checked usage of the response records: mypy --strict must accept this file as it is.

It is checked, not run, by the test suite (tests/test_typing.py). Each field
is declared once, on one line of its class; these lines pin down what mypy
sees of them: the attribute types, the lazy fields (read-only, as the
properties they are at run time) and the constructors.
"""

from __future__ import annotations

from typing import Any, assert_type

import openrouter
from openrouter import (
    ChatCompletion,
    ChatCompletionChunk,
    ErrorInfo,
    FunctionCall,
    ModelList,
    ReasoningDetail,
    ResponseToolCall,
    Usage,
)

chunk = ChatCompletionChunk.from_dict({"choices": [{"delta": {"content": "Hi"}}]})
assert_type(chunk, ChatCompletionChunk)
assert_type(chunk.choices, list[openrouter.ChunkChoice])
assert_type(chunk.usage, Usage | None)
assert_type(chunk.error, ErrorInfo | None)
# Lazy fields read as their value's type...
assert_type(chunk.id, str | None)
assert_type(chunk.created, int | None)
assert_type(chunk.openrouter_metadata, dict[str, Any] | None)
choice = chunk.choices[0]
assert_type(choice.index, int | None)
assert_type(choice.delta.content, str | None)
assert_type(choice.delta.reasoning_details, list[ReasoningDetail] | None)
assert_type(choice.delta.tool_calls, list[ResponseToolCall] | None)
# ...and cannot be assigned, as properties without a setter could not.
chunk.id = "gen-2"  # type: ignore[assignment]
choice.finish_reason = None  # type: ignore[assignment]

completion = ChatCompletion({"choices": []})
assert_type(completion.choices, list[openrouter.ChatCompletionChoice])
assert_type(completion.created, int | None)
assert_type(completion.raw, dict[str, Any])
message = completion.choices[0].message
assert_type(message.tool_calls, list[ResponseToolCall] | None)
call = ResponseToolCall({"function": {"name": "f"}})
assert_type(call.function, FunctionCall)

usage = Usage.from_dict({"prompt_tokens": 3})
assert_type(usage.cost, int | float | None)
assert_type(usage.is_byok, bool | None)
usage.prompt_tokens = 4  # eager fields are plain attributes, as before

models = ModelList.from_dict([{"id": "a/b"}])
for model in models:
    assert_type(model.supported_parameters, list[str] | None)

# The records are built from the decoded object; ErrorInfo from its values.
Usage({"prompt_tokens": 1})
Usage(d={"prompt_tokens": 1})
Usage(prompt_tokens=1)  # type: ignore[call-arg]
ErrorInfo({}, 404, "Not found", None)
