"""Request dataclasses: the exact JSON bytes each field puts on the wire."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openrouter._requests import (
    EFFORT_HIGH,
    EFFORT_LOW,
    EFFORT_MAX,
    EFFORT_MEDIUM,
    EFFORT_MINIMAL,
    EFFORT_NONE,
    EFFORT_XHIGH,
    QUANTIZATION_BF16,
    QUANTIZATION_FP4,
    QUANTIZATION_FP6,
    QUANTIZATION_FP8,
    QUANTIZATION_FP16,
    QUANTIZATION_FP32,
    QUANTIZATION_INT4,
    QUANTIZATION_INT8,
    QUANTIZATION_UNKNOWN,
    CacheControl,
    ChatCompletionRequest,
    CompletionRequest,
    DebugOptions,
    FilePart,
    ImageUrlPart,
    InputAudioPart,
    MaxPrice,
    Message,
    ModelsQuery,
    NamedToolChoice,
    Percentiles,
    Plugin,
    Prediction,
    ProviderOptions,
    ProviderSort,
    ReasoningOptions,
    ResponseFormat,
    ServerTool,
    StreamOptions,
    TextPart,
    Tool,
    ToolCall,
    TraceOptions,
    UsageOptions,
    VideoUrlPart,
    endpoints_path,
)

HEAD = '{"model":"m","messages":[{"role":"user","content":"hi"}]'
PROMPT_HEAD = '{"model":"m","prompt":"p"'


def wire(obj: ChatCompletionRequest | CompletionRequest | Message | ProviderOptions) -> str:
    """The compact JSON text the client sends."""
    return json.dumps(obj.to_dict(), separators=(",", ":"))


def chat(**fields: Any) -> ChatCompletionRequest:
    """A chat request for model "m" with one user message and the given fields."""
    return ChatCompletionRequest(model="m", messages=[Message.user("hi")], **fields)


# --- top-level fields ------------------------------------------------------

SCALAR_FIELDS = [
    ("models", ["a/b", "c/d"], '"models":["a/b","c/d"]'),
    ("stream", True, '"stream":true'),
    ("stream", False, '"stream":false'),
    ("max_tokens", 100, '"max_tokens":100'),
    ("temperature", 0.7, '"temperature":0.7'),
    ("temperature", 0, '"temperature":0'),
    ("seed", -3, '"seed":-3'),
    ("top_p", 0.9, '"top_p":0.9'),
    ("top_k", 40, '"top_k":40'),
    ("frequency_penalty", -1.5, '"frequency_penalty":-1.5'),
    ("presence_penalty", 0.5, '"presence_penalty":0.5'),
    ("repetition_penalty", 1.1, '"repetition_penalty":1.1'),
    ("logit_bias", {"50256": -100}, '"logit_bias":{"50256":-100}'),
    ("top_logprobs", 5, '"top_logprobs":5'),
    ("min_p", 0.05, '"min_p":0.05'),
    ("top_a", 0.2, '"top_a":0.2'),
    ("logprobs", True, '"logprobs":true'),
    ("stop", ["\n\n", "END"], '"stop":["\\n\\n","END"]'),
    ("stop", "END", '"stop":"END"'),
    ("user", "user-42", '"user":"user-42"'),
    ("session_id", "s-1", '"session_id":"s-1"'),
    ("usage", UsageOptions(), '"usage":{"include":true}'),
    ("reasoning", ReasoningOptions(effort="high"), '"reasoning":{"effort":"high"}'),
    ("provider", ProviderOptions(zdr=True), '"provider":{"zdr":true}'),
]


@pytest.mark.parametrize(("name", "value", "fragment"), SCALAR_FIELDS)
def test_chat_field_wire(name: str, value: Any, fragment: str) -> None:
    """Each chat field, set alone, adds exactly its member after model and messages."""
    assert wire(chat(**{name: value})) == HEAD + "," + fragment + "}"


@pytest.mark.parametrize(("name", "value", "fragment"), SCALAR_FIELDS)
def test_completion_field_wire(name: str, value: Any, fragment: str) -> None:
    """Each completion field, set alone, adds exactly its member after model and prompt."""
    request = CompletionRequest(model="m", prompt="p", **{name: value})
    assert wire(request) == PROMPT_HEAD + "," + fragment + "}"


def test_unset_fields_are_omitted() -> None:
    """A request with only the required fields sends only those."""
    assert wire(chat()) == HEAD + "}"
    assert wire(CompletionRequest(model="m", prompt="p")) == PROMPT_HEAD + "}"


def test_field_order_is_declaration_order() -> None:
    """Members appear in declaration order, whatever order the keywords came in."""
    request = chat(user="u", temperature=1.0, models=["x"], max_tokens=5)
    assert wire(request) == HEAD + ',"models":["x"],"max_tokens":5,"temperature":1.0,"user":"u"}'


def test_usage_serialises_as_include() -> None:
    """gopenrouter bug fix: usage is {"include": ...}, never {"usage": ...}."""
    assert wire(chat(usage=UsageOptions(include=False))) == HEAD + ',"usage":{"include":false}}'


def test_low_effort_is_lowercase() -> None:
    """gopenrouter bug fix: the low effort is "low", not "Low"."""
    assert EFFORT_LOW == "low"
    assert wire(chat(reasoning=ReasoningOptions(effort=EFFORT_LOW))) == (
        HEAD + ',"reasoning":{"effort":"low"}}'
    )


def test_effort_constants() -> None:
    """The six documented efforts, all lowercase."""
    assert [EFFORT_XHIGH, EFFORT_HIGH, EFFORT_MEDIUM, EFFORT_LOW, EFFORT_MINIMAL, EFFORT_NONE] == [
        "xhigh",
        "high",
        "medium",
        "low",
        "minimal",
        "none",
    ]


def test_quantization_constants() -> None:
    """gopenrouter's nine quantization constants keep their values."""
    assert [
        QUANTIZATION_INT4,
        QUANTIZATION_INT8,
        QUANTIZATION_FP4,
        QUANTIZATION_FP6,
        QUANTIZATION_FP8,
        QUANTIZATION_FP16,
        QUANTIZATION_BF16,
        QUANTIZATION_FP32,
        QUANTIZATION_UNKNOWN,
    ] == ["int4", "int8", "fp4", "fp6", "fp8", "fp16", "bf16", "fp32", "unknown"]


def test_reasoning_all_members() -> None:
    """effort, max_tokens, exclude and enabled, in that order, then extra."""
    options = ReasoningOptions(
        effort="minimal", max_tokens=2000, exclude=True, enabled=True, extra={"summary": "auto"}
    )
    assert json.dumps(options.to_dict(), separators=(",", ":")) == (
        '{"effort":"minimal","max_tokens":2000,"exclude":true,"enabled":true,"summary":"auto"}'
    )


def test_unknown_enum_values_pass_through() -> None:
    """A value this library does not know is sent unchanged, not rejected."""
    request = chat(
        reasoning=ReasoningOptions(effort="ultra"),
        provider=ProviderOptions(data_collection="audit", sort="cost", quantizations=["fp2"]),
    )
    assert wire(request) == (
        HEAD + ',"provider":{"data_collection":"audit","quantizations":["fp2"],"sort":"cost"}'
        ',"reasoning":{"effort":"ultra"}}'
    )


def test_extra_is_merged_last() -> None:
    """extra adds unknown members after every field."""
    request = chat(max_tokens=5, extra={"verbosity": "low", "metadata": {"k": "v"}})
    assert wire(request) == HEAD + ',"max_tokens":5,"verbosity":"low","metadata":{"k":"v"}}'


def test_extra_replaces_a_known_field() -> None:
    """A key of extra that names a field wins over the field."""
    assert wire(chat(max_tokens=5, extra={"max_tokens": 9})) == HEAD + ',"max_tokens":9}'


def test_extra_values_are_converted() -> None:
    """Typed helpers inside extra are turned into their JSON form."""
    request = chat(extra={"x": [ReasoningOptions(enabled=True)]})
    assert wire(request) == HEAD + ',"x":[{"enabled":true}]}'


# --- messages and content --------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (Message.system("Be brief."), '{"role":"system","content":"Be brief."}'),
        (Message.developer("Rules"), '{"role":"developer","content":"Rules"}'),
        (Message.user("hi", name="ann"), '{"role":"user","content":"hi","name":"ann"}'),
        (Message.assistant("Sure"), '{"role":"assistant","content":"Sure"}'),
        (
            Message.tool("call_1", '{"t":21}'),
            '{"role":"tool","content":"{\\"t\\":21}","tool_call_id":"call_1"}',
        ),
        (
            Message.assistant(tool_calls=[ToolCall("call_1", "get_weather", '{"city":"Oslo"}')]),
            '{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",'
            '"function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]}',
        ),
        (
            Message(role="critic", content="ok", extra={"weight": 2}),
            '{"role":"critic","content":"ok","weight":2}',
        ),
    ],
)
def test_message_wire(message: Message, expected: str) -> None:
    """Each constructor gives the exact message object."""
    assert wire(message) == expected


def test_assistant_tool_calls_accept_raw_mappings() -> None:
    """Tool calls copied from a response (plain dicts) are sent as they are."""
    raw = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    assert wire(Message.assistant(tool_calls=[raw])) == (
        '{"role":"assistant","content":null,"tool_calls":['
        + json.dumps(raw).replace(" ", "")
        + "]}"
    )


def test_content_parts_wire() -> None:
    """Text, image, file and audio parts, with and without their options."""
    message = Message.user(
        [
            TextPart("look"),
            TextPart("big doc", cache_control=CacheControl()),
            TextPart("longer", cache_control=CacheControl(ttl="1h")),
            ImageUrlPart("https://x/cat.png"),
            ImageUrlPart("https://x/dog.png", detail="high"),
            FilePart("a.pdf", "data:application/pdf;base64,QQ=="),
            InputAudioPart("UklGRg==", "wav"),
            {"type": "video_url", "video_url": {"url": "https://x/v.mp4"}},
        ]
    )
    assert wire(message) == (
        '{"role":"user","content":['
        '{"type":"text","text":"look"},'
        '{"type":"text","text":"big doc","cache_control":{"type":"ephemeral"}},'
        '{"type":"text","text":"longer","cache_control":{"type":"ephemeral","ttl":"1h"}},'
        '{"type":"image_url","image_url":{"url":"https://x/cat.png"}},'
        '{"type":"image_url","image_url":{"url":"https://x/dog.png","detail":"high"}},'
        '{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,QQ=="}},'
        '{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},'
        '{"type":"video_url","video_url":{"url":"https://x/v.mp4"}}]}'
    )


def test_parts_from_bytes() -> None:
    """from_bytes builds base64 data URLs."""
    assert ImageUrlPart.from_bytes(b"\x89PNG", "image/png").url == "data:image/png;base64,iVBORw=="
    assert FilePart.from_bytes("a.pdf", b"%PDF").file_data == "data:application/pdf;base64,JVBERg=="


def test_message_copies_its_content_list() -> None:
    """Mutating the list passed in afterwards does not change the message."""
    parts: list[TextPart] = [TextPart("a")]
    message = Message.user(parts)
    parts.append(TextPart("b"))
    assert message.content == (TextPart("a"),)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: Message(role="", content="x"), ValueError),
        (lambda: Message(role="user", content=None), ValueError),
        (lambda: Message(role="system", content=None), ValueError),
        (Message.assistant, ValueError),
        (lambda: Message.tool("", "x"), ValueError),
        (lambda: Message.user(b"bytes"), TypeError),  # type: ignore[arg-type]
        (lambda: Message.user([42]), TypeError),  # type: ignore[list-item]
        (lambda: Message.user("x", name=5), TypeError),  # type: ignore[arg-type]
        (lambda: ToolCall("c", "f", {"a": 1}), TypeError),  # type: ignore[arg-type]
        (lambda: TextPart(None), TypeError),  # type: ignore[arg-type]
        (lambda: ImageUrlPart(""), ValueError),
    ],
)
def test_message_mistakes_raise(make: Any, error: type[Exception]) -> None:
    """Obvious mistakes in messages raise at construction."""
    with pytest.raises(error):
        make()


def test_unknown_role_may_omit_content() -> None:
    """A role this library does not know is not held to the known roles' rules."""
    assert wire(Message(role="narrator", content=None)) == '{"role":"narrator","content":null}'


# --- tools, response format, plugins ---------------------------------------


def test_tools_wire() -> None:
    """A full function tool, a bare one, and a raw server tool."""
    request = chat(
        tools=[
            Tool(
                "get_weather",
                description="Weather by city",
                parameters={"type": "object", "properties": {"city": {"type": "string"}}},
                strict=True,
            ),
            Tool("now"),
            {"type": "openrouter:web_search"},
        ]
    )
    assert wire(request) == HEAD + (
        ',"tools":[{"type":"function","function":{"name":"get_weather",'
        '"description":"Weather by city","parameters":{"type":"object","properties":'
        '{"city":{"type":"string"}}},"strict":true}},'
        '{"type":"function","function":{"name":"now"}},'
        '{"type":"openrouter:web_search"}]}'
    )


@pytest.mark.parametrize(
    ("choice", "fragment"),
    [
        ("none", '"none"'),
        ("auto", '"auto"'),
        ("required", '"required"'),
        ("any", '"any"'),
        (NamedToolChoice("f"), '{"type":"function","function":{"name":"f"}}'),
        (
            {"type": "function", "function": {"name": "g"}},
            '{"type":"function","function":{"name":"g"}}',
        ),
    ],
)
def test_tool_choice_wire(choice: Any, fragment: str) -> None:
    """tool_choice as a string, a named function or a raw object."""
    assert wire(chat(tool_choice=choice)) == HEAD + ',"tool_choice":' + fragment + "}"


def test_parallel_tool_calls_wire() -> None:
    """parallel_tool_calls is a plain boolean member."""
    assert wire(chat(parallel_tool_calls=False)) == HEAD + ',"parallel_tool_calls":false}'


@pytest.mark.parametrize(
    ("response_format", "fragment"),
    [
        (ResponseFormat.text(), '{"type":"text"}'),
        (ResponseFormat.json_object(), '{"type":"json_object"}'),
        (
            ResponseFormat.from_json_schema("w", {"type": "object"}),
            '{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"}}}',
        ),
        (
            ResponseFormat.from_json_schema(
                "w", {"type": "object"}, strict=True, description="Weather"
            ),
            '{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"},'
            '"strict":true,"description":"Weather"}}',
        ),
    ],
)
def test_response_format_wire(response_format: ResponseFormat, fragment: str) -> None:
    """The three response formats."""
    assert wire(chat(response_format=response_format)) == (
        HEAD + ',"response_format":' + fragment + "}"
    )


def test_plugins_wire() -> None:
    """The plugin helpers and a custom plugin."""
    request = chat(
        plugins=[
            Plugin.web(),
            Plugin.web(max_results=3, search_prompt="Sources:", engine="exa"),
            Plugin.file_parser(pdf_engine="pdf-text"),
            Plugin.file_parser(),
            Plugin.response_healing(),
            Plugin("context-compression", options={"level": 2}),
            {"id": "raw"},
        ]
    )
    assert wire(request) == HEAD + (
        ',"plugins":[{"id":"web"},'
        '{"id":"web","max_results":3,"search_prompt":"Sources:","engine":"exa"},'
        '{"id":"file-parser","pdf":{"engine":"pdf-text"}},{"id":"file-parser"},'
        '{"id":"response-healing"},{"id":"context-compression","level":2},{"id":"raw"}]}'
    )


# --- provider routing ------------------------------------------------------


def test_provider_every_field_wire() -> None:
    """Every provider member, in order, experimental after them, extra last."""
    provider = ProviderOptions(
        order=["anthropic", "openai"],
        allow_fallbacks=False,
        require_parameters=True,
        data_collection="deny",
        zdr=True,
        enforce_distillable_text=False,
        only=["openai"],
        ignore=["deepinfra"],
        quantizations=["fp8", "int4"],
        sort=ProviderSort("throughput", partition="none"),
        max_price=MaxPrice(prompt=1, completion=2.5, request=0.01, image=0.5, audio=0.25),
        preferred_min_throughput=Percentiles(p50=100, p90=50),
        preferred_max_latency=1.5,
        force_chat_completions=True,
        extra={"new_option": [1]},
    )
    assert wire(provider) == (
        '{"order":["anthropic","openai"],"allow_fallbacks":false,"require_parameters":true,'
        '"data_collection":"deny","zdr":true,"enforce_distillable_text":false,'
        '"only":["openai"],"ignore":["deepinfra"],"quantizations":["fp8","int4"],'
        '"sort":{"by":"throughput","partition":"none"},'
        '"max_price":{"prompt":1,"completion":2.5,"request":0.01,"image":0.5,"audio":0.25},'
        '"preferred_min_throughput":{"p50":100,"p90":50},"preferred_max_latency":1.5,'
        '"experimental":{"force_chat_completions":true},"new_option":[1]}'
    )


def test_provider_empty_is_empty_object() -> None:
    """ProviderOptions() sends {}."""
    assert wire(ProviderOptions()) == "{}"


@pytest.mark.parametrize(
    ("sort", "fragment"),
    [
        ("price", '"price"'),
        (ProviderSort("latency"), '{"by":"latency"}'),
        ({"by": "price", "partition": "model"}, '{"by":"price","partition":"model"}'),
    ],
)
def test_provider_sort_forms(sort: Any, fragment: str) -> None:
    """sort is a string or an object."""
    assert wire(ProviderOptions(sort=sort)) == '{"sort":' + fragment + "}"


def test_max_price_audio_alone() -> None:
    """max_price.audio, unknown to gopenrouter, is its own member."""
    assert wire(ProviderOptions(max_price=MaxPrice(audio=3))) == '{"max_price":{"audio":3}}'


def test_preferences_accept_raw_objects() -> None:
    """Throughput and latency preferences pass raw JSON objects through."""
    provider = ProviderOptions(preferred_max_latency={"p99": 4, "future": True})
    assert wire(provider) == '{"preferred_max_latency":{"p99":4,"future":true}}'


def test_provider_extra_replaces_experimental() -> None:
    """Provider extra goes last, even after experimental, and wins."""
    provider = ProviderOptions(force_chat_completions=True, extra={"experimental": {}})
    assert wire(provider) == '{"experimental":{}}'


def test_provider_as_raw_mapping() -> None:
    """A raw mapping is accepted as the whole provider object."""
    assert wire(chat(provider={"order": ["x"]})) == HEAD + ',"provider":{"order":["x"]}}'


# --- validation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"model": ""}, ValueError),
        ({"model": "  "}, ValueError),
        ({"model": None}, TypeError),
        ({"messages": "hi"}, TypeError),
        ({"messages": Message.user("hi")}, TypeError),
        ({"messages": []}, ValueError),
        ({"messages": [Message.user("hi"), "hi"]}, TypeError),
        ({"max_tokens": 1.5}, TypeError),
        ({"max_tokens": True}, TypeError),
        ({"temperature": "0.7"}, TypeError),
        ({"temperature": True}, TypeError),
        ({"temperature": float("nan")}, ValueError),
        ({"top_p": float("inf")}, ValueError),
        ({"stream": 1}, TypeError),
        ({"models": "openai/gpt-4o"}, TypeError),
        ({"models": ["a", 1]}, TypeError),
        ({"stop": 5}, TypeError),
        ({"logit_bias": {"1": float("nan")}}, ValueError),
        ({"logit_bias": [1]}, TypeError),
        ({"provider": "openai"}, TypeError),
        ({"tools": Tool("f")}, TypeError),
        ({"tool_choice": 1}, TypeError),
        ({"plugins": ["web"]}, TypeError),
        ({"extra": ["x"]}, TypeError),
    ],
)
def test_chat_mistakes_raise(fields: dict[str, Any], error: type[Exception]) -> None:
    """Obvious caller mistakes raise TypeError or ValueError at construction."""
    arguments: dict[str, Any] = {"model": "m", "messages": [Message.user("hi")], **fields}
    with pytest.raises(error):
        ChatCompletionRequest(**arguments)


def test_completion_prompt_must_be_str() -> None:
    """A completion prompt is a string."""
    with pytest.raises(TypeError, match="prompt"):
        CompletionRequest(model="m", prompt=["a"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: MaxPrice(prompt=float("nan")), ValueError),
        (lambda: MaxPrice(audio=True), TypeError),
        (lambda: ProviderOptions(order="openai"), TypeError),
        (lambda: ProviderOptions(zdr="yes"), TypeError),  # type: ignore[arg-type]
        (lambda: ProviderOptions(sort=1), TypeError),  # type: ignore[arg-type]
        (lambda: ProviderOptions(preferred_max_latency=float("inf")), ValueError),
        (lambda: ProviderOptions(max_price={"prompt": 1}), TypeError),  # type: ignore[arg-type]
        (lambda: ReasoningOptions(max_tokens="many"), TypeError),  # type: ignore[arg-type]
        (lambda: Plugin(""), ValueError),
        (lambda: Tool(""), ValueError),
        (lambda: ResponseFormat.from_json_schema("n", "schema"), TypeError),  # type: ignore[arg-type]
    ],
)
def test_option_mistakes_raise(make: Any, error: type[Exception]) -> None:
    """Obvious mistakes in nested options raise at construction."""
    with pytest.raises(error):
        make()


def test_request_copies_its_lists() -> None:
    """Lists passed in are copied: later mutation does not reach the request."""
    models = ["a"]
    messages = [Message.user("hi")]
    request = ChatCompletionRequest(model="m", messages=messages, models=models)
    models.append("b")
    messages.append(Message.user("again"))
    assert wire(request) == HEAD + ',"models":["a"]}'


def test_to_dict_returns_a_fresh_dict() -> None:
    """Changing the returned dict does not change the request."""
    request = chat(max_tokens=1)
    request.to_dict()["max_tokens"] = 2
    assert request.to_dict()["max_tokens"] == 1


# --- GET /models and endpoints ---------------------------------------------


def test_models_query_params() -> None:
    """Filters become query parameters, lists comma-joined."""
    query = ModelsQuery(
        category="programming",
        supported_parameters=["tools", "response_format"],
        output_modalities=["text", "image"],
        extra={"order": "newest"},
    )
    assert query.to_params() == {
        "category": "programming",
        "supported_parameters": "tools,response_format",
        "output_modalities": "text,image",
        "order": "newest",
    }
    assert query.to_query() == (
        "category=programming&supported_parameters=tools,response_format"
        "&output_modalities=text,image&order=newest"
    )


def test_models_query_empty_and_escaping() -> None:
    """No filter gives no query; reserved characters are percent-encoded."""
    assert ModelsQuery().to_query() == ""
    assert ModelsQuery(category="a b&c").to_query() == "category=a%20b%26c"
    assert ModelsQuery(category="marketing/seo").to_query() == "category=marketing/seo"


def test_models_query_rejects_a_string_list() -> None:
    """supported_parameters="tools" would be a list of letters: refused."""
    with pytest.raises(TypeError):
        ModelsQuery(supported_parameters="tools")


def test_endpoints_path() -> None:
    """The endpoints path quotes each segment."""
    assert endpoints_path("openai", "gpt-4o") == "/models/openai/gpt-4o/endpoints"
    assert endpoints_path("a/b", "c?d") == "/models/a%2Fb/c%3Fd/endpoints"
    with pytest.raises(ValueError, match="slug"):
        endpoints_path("openai", "")


@pytest.mark.parametrize(("author", "slug"), [("..", "x"), ("x", ".."), (".", "x"), ("x", ".")])
def test_endpoints_path_refuses_dot_segments(author: str, slug: str) -> None:
    """A "." or ".." segment would change the path: refused."""
    with pytest.raises(ValueError, match="dot segment"):
        endpoints_path(author, slug)


# --- fields of the current API ----------------------------------------------

CHAT_ONLY_FIELDS = [
    ("max_completion_tokens", 256, '"max_completion_tokens":256'),
    ("modalities", ["image", "text"], '"modalities":["image","text"]'),
    ("image_config", {"aspect_ratio": "16:9"}, '"image_config":{"aspect_ratio":"16:9"}'),
    ("cache_control", CacheControl(), '"cache_control":{"type":"ephemeral"}'),
    (
        "cache_control",
        CacheControl(ttl="1h"),
        '"cache_control":{"type":"ephemeral","ttl":"1h"}',
    ),
    ("prompt_cache_key", "repo-42", '"prompt_cache_key":"repo-42"'),
    ("service_tier", "flex", '"service_tier":"flex"'),
    (
        "stream_options",
        StreamOptions(include_usage=True),
        '"stream_options":{"include_usage":true}',
    ),
    ("metadata", {"team": "search", "run": "7"}, '"metadata":{"team":"search","run":"7"}'),
    (
        "trace",
        TraceOptions(trace_id="t-1", span_name="answer", extra={"env": "prod"}),
        '"trace":{"trace_id":"t-1","span_name":"answer","env":"prod"}',
    ),
    (
        "prediction",
        Prediction("def f():\n    return 1"),
        '"prediction":{"type":"content","content":"def f():\\n    return 1"}',
    ),
    (
        "prediction",
        Prediction([TextPart("a"), TextPart("b")]),
        '"prediction":{"type":"content","content":[{"type":"text","text":"a"},'
        '{"type":"text","text":"b"}]}',
    ),
    ("debug", DebugOptions(echo_upstream_body=True), '"debug":{"echo_upstream_body":true}'),
    ("debug", {"echo_upstream_body": True}, '"debug":{"echo_upstream_body":true}'),
]


@pytest.mark.parametrize(("name", "value", "fragment"), CHAT_ONLY_FIELDS)
def test_current_chat_field_wire(name: str, value: Any, fragment: str) -> None:
    """Each field of the current chat API, set alone, adds exactly its member."""
    assert wire(chat(**{name: value})) == HEAD + "," + fragment + "}"


def test_current_fields_follow_the_older_ones() -> None:
    """The newer fields come after session_id and before extra, in declaration order."""
    request = chat(
        extra={"x": 1},
        debug=DebugOptions(echo_upstream_body=False),
        max_completion_tokens=9,
        session_id="s",
        service_tier="priority",
    )
    assert wire(request) == HEAD + (
        ',"session_id":"s","max_completion_tokens":9,"service_tier":"priority",'
        '"debug":{"echo_upstream_body":false},"x":1}'
    )


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"max_completion_tokens": 1.5}, TypeError),
        ({"modalities": "image"}, TypeError),
        ({"image_config": ["16:9"]}, TypeError),
        ({"cache_control": "ephemeral"}, TypeError),
        ({"prompt_cache_key": 3}, TypeError),
        ({"service_tier": True}, TypeError),
        ({"metadata": {"run": 7}}, TypeError),
        ({"trace": "t-1"}, TypeError),
        ({"prediction": "text"}, TypeError),
        ({"stream_options": True}, TypeError),
        ({"debug": True}, TypeError),
    ],
)
def test_current_field_mistakes_raise(fields: dict[str, Any], error: type[Exception]) -> None:
    """A wrongly typed new field raises when the request is made."""
    with pytest.raises(error):
        chat(**fields)


def test_effort_max_and_reasoning_summary() -> None:
    """The "max" effort and reasoning.summary, after the older reasoning members."""
    assert EFFORT_MAX == "max"
    options = ReasoningOptions(effort=EFFORT_MAX, summary="detailed")
    assert wire(chat(reasoning=options)) == (
        HEAD + ',"reasoning":{"effort":"max","summary":"detailed"}}'
    )


def test_transforms_warns_deprecated_and_is_still_sent() -> None:
    """transforms still goes on the wire, with a DeprecationWarning naming the replacement."""
    with pytest.warns(DeprecationWarning, match="context_compression") as caught:
        request = chat(transforms=["middle-out"])
    assert caught[0].filename == __file__
    assert wire(request) == HEAD + ',"transforms":["middle-out"]}'
    with pytest.warns(DeprecationWarning, match="transforms is deprecated"):
        legacy = CompletionRequest(model="m", prompt="p", transforms=[])
    assert wire(legacy) == PROMPT_HEAD + ',"transforms":[]}'


def test_every_documented_plugin() -> None:
    """Each plugin helper sends its id and the options given, in argument order."""
    request = chat(
        plugins=[
            Plugin.web(
                engine="exa",
                include_domains=["example.com", "*.example.org"],
                exclude_domains=["spam.example"],
                max_uses=2,
                mode="fast",
                user_location={"type": "approximate", "country": "PT"},
            ),
            Plugin.web(enabled=False),
            Plugin.web_fetch(
                max_uses=3,
                max_content_tokens=2000,
                allowed_domains=["docs.example.com"],
                blocked_domains=["private.example.com"],
            ),
            Plugin.file_parser(pdf_engine="mistral-ocr", enabled=True),
            Plugin.response_healing(enabled=False),
            Plugin.context_compression(engine="middle-out"),
            Plugin.moderation(),
            Plugin.auto_router(
                allowed_models=["anthropic/*"],
                excluded_models=["openai/gpt-3.5*"],
                cost_tier="low",
                pin_model=True,
            ),
        ]
    )
    assert wire(request) == HEAD + (
        ',"plugins":['
        '{"id":"web","engine":"exa","include_domains":["example.com","*.example.org"],'
        '"exclude_domains":["spam.example"],"max_uses":2,"mode":"fast",'
        '"user_location":{"type":"approximate","country":"PT"}},'
        '{"id":"web","enabled":false},'
        '{"id":"web-fetch","max_uses":3,"max_content_tokens":2000,'
        '"allowed_domains":["docs.example.com"],"blocked_domains":["private.example.com"]},'
        '{"id":"file-parser","pdf":{"engine":"mistral-ocr"},"enabled":true},'
        '{"id":"response-healing","enabled":false},'
        '{"id":"context-compression","engine":"middle-out"},'
        '{"id":"moderation"},'
        '{"id":"auto-router","allowed_models":["anthropic/*"],'
        '"excluded_models":["openai/gpt-3.5*"],"cost_tier":"low","pin_model":true}]}'
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: Plugin.web(include_domains="example.com"),
        lambda: Plugin.web(max_uses=1.5),  # type: ignore[arg-type]
        lambda: Plugin.web(enabled="no"),  # type: ignore[arg-type]
        lambda: Plugin.web(user_location="PT"),  # type: ignore[arg-type]
        lambda: Plugin.web_fetch(blocked_domains=[1]),  # type: ignore[list-item]
        lambda: Plugin.context_compression(engine=1),  # type: ignore[arg-type]
        lambda: Plugin.auto_router(pin_model=1),  # type: ignore[arg-type]
        lambda: ServerTool.web_search(max_results="5"),  # type: ignore[arg-type]
        lambda: ServerTool.web_fetch(allowed_domains="a.com"),
        lambda: ServerTool.datetime(timezone=0),  # type: ignore[arg-type]
        lambda: ServerTool("openrouter:bash", parameters=[]),  # type: ignore[arg-type]
    ],
)
def test_plugin_and_server_tool_mistakes_raise(make: Any) -> None:
    """A wrongly typed plugin or server-tool option raises TypeError at once."""
    with pytest.raises(TypeError):
        make()


def test_server_tools_beside_function_tools() -> None:
    """Server tools are {"type": "openrouter:...", "parameters": {...}} next to functions."""
    request = chat(
        tools=[
            Tool("get_weather"),
            ServerTool.web_search(engine="exa", max_results=3, allowed_domains=["example.com"]),
            ServerTool.web_search(),
            ServerTool.web_fetch(max_uses=2),
            ServerTool.datetime(timezone="Europe/Lisbon"),
            ServerTool.image_generation(model="openai/gpt-5-image", options={"size": "1024x1024"}),
            ServerTool("openrouter:experimental__search_models", parameters={"max_results": 5}),
        ]
    )
    assert wire(request) == HEAD + (
        ',"tools":[{"type":"function","function":{"name":"get_weather"}},'
        '{"type":"openrouter:web_search","parameters":{"engine":"exa","max_results":3,'
        '"allowed_domains":["example.com"]}},'
        '{"type":"openrouter:web_search"},'
        '{"type":"openrouter:web_fetch","parameters":{"max_uses":2}},'
        '{"type":"openrouter:datetime","parameters":{"timezone":"Europe/Lisbon"}},'
        '{"type":"openrouter:image_generation","parameters":{"model":"openai/gpt-5-image",'
        '"size":"1024x1024"}},'
        '{"type":"openrouter:experimental__search_models","parameters":{"max_results":5}}]}'
    )


def test_video_url_part() -> None:
    """A video part by URL, and one built from bytes."""
    message = Message.user([VideoUrlPart("https://youtu.be/x"), VideoUrlPart.from_bytes(b"\x00")])
    assert wire(message) == (
        '{"role":"user","content":[{"type":"video_url","video_url":{"url":"https://youtu.be/x"}},'
        '{"type":"video_url","video_url":{"url":"data:video/mp4;base64,AA=="}}]}'
    )
    with pytest.raises(ValueError, match="must not be empty"):
        VideoUrlPart("")


def test_assistant_message_carries_what_the_model_produced() -> None:
    """reasoning, reasoning_details, images, audio and refusal go back for the next turn."""
    details = [{"type": "reasoning.encrypted", "data": "gAAAA", "id": "rs_1", "index": 0}]
    images = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}]
    message = Message.assistant(
        "Here it is.",
        reasoning="Drew a lighthouse.",
        reasoning_details=details,
        images=images,
        audio={"id": "audio_abc"},
        refusal=None,
    )
    assert wire(message) == (
        '{"role":"assistant","content":"Here it is.","reasoning":"Drew a lighthouse.",'
        '"reasoning_details":[{"type":"reasoning.encrypted","data":"gAAAA","id":"rs_1",'
        '"index":0}],"images":[{"type":"image_url","image_url":'
        '{"url":"data:image/png;base64,AA"}}],"audio":{"id":"audio_abc"}}'
    )
    details[0]["data"] = "changed"
    assert "changed" not in wire(message)
    refused = Message.assistant(refusal="I can't help with that.")
    assert (
        wire(refused) == '{"role":"assistant","content":null,"refusal":"I can\'t help with that."}'
    )
    only_audio = Message.assistant(audio={"id": "audio_abc"})
    assert wire(only_audio) == '{"role":"assistant","content":null,"audio":{"id":"audio_abc"}}'


@pytest.mark.parametrize(
    "make",
    [
        lambda: Message.assistant(reasoning_details={"type": "reasoning.text"}),  # type: ignore[arg-type]
        lambda: Message.assistant("a", images=["data:image/png;base64,AA"]),  # type: ignore[list-item]
        lambda: Message.assistant("a", audio="audio_abc"),  # type: ignore[arg-type]
        lambda: Message.assistant("a", reasoning=1),  # type: ignore[arg-type]
        lambda: Message.assistant("a", refusal=b"no"),  # type: ignore[arg-type]
    ],
)
def test_assistant_output_mistakes_raise(make: Any) -> None:
    """Wrongly typed assistant output fields raise TypeError."""
    with pytest.raises(TypeError):
        make()


def test_assistant_with_only_reasoning_text_still_needs_content() -> None:
    """Reasoning text alone is not an answer: content or produced output is still required."""
    with pytest.raises(ValueError, match="needs content"):
        Message.assistant(reasoning="thinking")
