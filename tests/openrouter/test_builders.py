"""Builders: gopenrouter's method set, exact wire bytes, Go's in-place calls, and equivalence."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrouter import _builders
from openrouter._builders import (
    ChatCompletionRequestBuilder,
    CompletionRequestBuilder,
    ProviderOptionsBuilder,
)
from openrouter._requests import (
    CacheControl,
    ChatCompletionRequest,
    CompletionRequest,
    DebugOptions,
    MaxPrice,
    Message,
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
    Tool,
    TraceOptions,
    UsageOptions,
)

MESSAGES = (Message.user("hi"),)
HEAD = '{"model":"m","messages":[{"role":"user","content":"hi"}]'
PROMPT_HEAD = '{"model":"m","prompt":"p"'

ChatStep = Callable[[ChatCompletionRequestBuilder], ChatCompletionRequestBuilder]
CompletionStep = Callable[[CompletionRequestBuilder], CompletionRequestBuilder]
ProviderStep = Callable[[ProviderOptionsBuilder], ProviderOptionsBuilder]


def wire(obj: ChatCompletionRequest | CompletionRequest | ProviderOptions) -> str:
    """The compact JSON text the client sends."""
    return json.dumps(obj.to_dict(), separators=(",", ":"))


def snake(go_name: str) -> str:
    """WithMaxPromptPrice -> with_max_prompt_price."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", go_name).lower()


# --- parity with gopenrouter ------------------------------------------------

GO_CHAT_METHODS = [
    "WithModels",
    "WithProvider",
    "WithReasoning",
    "WithUsage",
    "WithTransforms",
    "WithStream",
    "WithMaxTokens",
    "WithTemperature",
    "WithSeed",
    "WithTopP",
    "WithTopK",
    "WithFrequencyPenalty",
    "WithPresencePenalty",
    "WithRepetitionPenalty",
    "WithLogitBias",
    "WithTopLogprobs",
    "WithMinP",
    "WithTopA",
    "WithLogprobs",
    "WithStop",
    "WithUser",
    "Build",
]
GO_COMPLETION_METHODS = [name for name in GO_CHAT_METHODS if name != "WithUser"]
GO_PROVIDER_METHODS = [
    "WithAllowFallbacks",
    "WithRequireParameters",
    "WithDataCollection",
    "WithOrder",
    "WithOnly",
    "WithIgnore",
    "WithQuantizations",
    "WithSort",
    "WithMaxPrice",
    "WithMaxPromptPrice",
    "WithMaxCompletionPrice",
    "WithMaxImagePrice",
    "WithMaxRequestPrice",
    "WithForceChatCompletions",
    "Build",
]


@pytest.mark.parametrize(
    ("builder_type", "go_names"),
    [
        (ChatCompletionRequestBuilder, GO_CHAT_METHODS),
        (CompletionRequestBuilder, GO_COMPLETION_METHODS),
        (ProviderOptionsBuilder, GO_PROVIDER_METHODS),
    ],
)
def test_every_go_method_has_a_python_counterpart(builder_type: type, go_names: list[str]) -> None:
    """Each gopenrouter builder method exists here in snake_case."""
    missing = [name for name in go_names if not callable(getattr(builder_type, snake(name), None))]
    assert missing == []


def test_go_parity_table_lists_every_method() -> None:
    """The module docstring's parity tables name every Go method and its Python name."""
    doc = _builders.__doc__ or ""
    for name in {*GO_CHAT_METHODS, *GO_PROVIDER_METHODS}:
        assert re.search(rf"^{name}\b.*\b{snake(name)}\b", doc, re.MULTILINE), name


# --- chat builder: every method, exact bytes -------------------------------

CHAT_STEPS: list[tuple[ChatStep, str]] = [
    (lambda b: b.with_models(["a/b", "c/d"]), '"models":["a/b","c/d"]'),
    (lambda b: b.with_provider(ProviderOptions(only=["x"])), '"provider":{"only":["x"]}'),
    (
        lambda b: b.with_reasoning(ReasoningOptions(max_tokens=10, exclude=True)),
        '"reasoning":{"max_tokens":10,"exclude":true}',
    ),
    (lambda b: b.with_reasoning_effort("xhigh"), '"reasoning":{"effort":"xhigh"}'),
    (lambda b: b.with_usage(True), '"usage":{"include":true}'),
    (lambda b: b.with_usage(False), '"usage":{"include":false}'),
    (lambda b: b.with_stream(True), '"stream":true'),
    (lambda b: b.with_max_tokens(100), '"max_tokens":100'),
    (lambda b: b.with_temperature(0.7), '"temperature":0.7'),
    (lambda b: b.with_seed(42), '"seed":42'),
    (lambda b: b.with_top_p(0.9), '"top_p":0.9'),
    (lambda b: b.with_top_k(50), '"top_k":50'),
    (lambda b: b.with_frequency_penalty(0.5), '"frequency_penalty":0.5'),
    (lambda b: b.with_presence_penalty(-0.5), '"presence_penalty":-0.5'),
    (lambda b: b.with_repetition_penalty(1.2), '"repetition_penalty":1.2'),
    (lambda b: b.with_logit_bias({"7": 5.5}), '"logit_bias":{"7":5.5}'),
    (lambda b: b.with_top_logprobs(3), '"top_logprobs":3'),
    (lambda b: b.with_min_p(0.1), '"min_p":0.1'),
    (lambda b: b.with_top_a(0.3), '"top_a":0.3'),
    (lambda b: b.with_logprobs(True), '"logprobs":true'),
    (lambda b: b.with_stop(["END"]), '"stop":["END"]'),
    (lambda b: b.with_stop("END"), '"stop":"END"'),
    (lambda b: b.with_user("u1"), '"user":"u1"'),
    (lambda b: b.with_session_id("s1"), '"session_id":"s1"'),
    (lambda b: b.with_tools([Tool("f")]), '"tools":[{"type":"function","function":{"name":"f"}}]'),
    (lambda b: b.with_tool_choice("required"), '"tool_choice":"required"'),
    (
        lambda b: b.with_tool_choice(NamedToolChoice("f")),
        '"tool_choice":{"type":"function","function":{"name":"f"}}',
    ),
    (lambda b: b.with_parallel_tool_calls(False), '"parallel_tool_calls":false'),
    (
        lambda b: b.with_response_format(ResponseFormat.json_object()),
        '"response_format":{"type":"json_object"}',
    ),
    (
        lambda b: b.with_plugins([Plugin.web(max_results=2)]),
        '"plugins":[{"id":"web","max_results":2}]',
    ),
    (lambda b: b.with_max_completion_tokens(64), '"max_completion_tokens":64'),
    (lambda b: b.with_modalities(["image", "text"]), '"modalities":["image","text"]'),
    (
        lambda b: b.with_image_config({"aspect_ratio": "1:1"}),
        '"image_config":{"aspect_ratio":"1:1"}',
    ),
    (lambda b: b.with_cache_control(CacheControl()), '"cache_control":{"type":"ephemeral"}'),
    (lambda b: b.with_prompt_cache_key("k"), '"prompt_cache_key":"k"'),
    (lambda b: b.with_service_tier("flex"), '"service_tier":"flex"'),
    (
        lambda b: b.with_stream_options(StreamOptions(include_usage=True)),
        '"stream_options":{"include_usage":true}',
    ),
    (lambda b: b.with_metadata({"run": "7"}), '"metadata":{"run":"7"}'),
    (lambda b: b.with_trace(TraceOptions(trace_id="t")), '"trace":{"trace_id":"t"}'),
    (lambda b: b.with_prediction(Prediction("x")), '"prediction":{"type":"content","content":"x"}'),
    (
        lambda b: b.with_debug(DebugOptions(echo_upstream_body=True)),
        '"debug":{"echo_upstream_body":true}',
    ),
    (
        lambda b: b.with_tools([ServerTool.datetime()]),
        '"tools":[{"type":"openrouter:datetime"}]',
    ),
    (
        lambda b: b.with_plugins([Plugin.context_compression(engine="middle-out")]),
        '"plugins":[{"id":"context-compression","engine":"middle-out"}]',
    ),
    (lambda b: b.with_extra({"verbosity": "high"}), '"verbosity":"high"'),
]


@pytest.mark.parametrize(("step", "fragment"), CHAT_STEPS)
def test_chat_builder_method_wire(step: ChatStep, fragment: str) -> None:
    """Each chat builder method adds exactly its member."""
    builder = step(ChatCompletionRequestBuilder("m", MESSAGES))
    assert wire(builder.build()) == HEAD + "," + fragment + "}"


def test_chat_builder_without_options() -> None:
    """build() with no with_* calls sends model and messages only."""
    assert wire(ChatCompletionRequestBuilder("m", MESSAGES).build()) == HEAD + "}"


def test_chat_builder_readme_chain() -> None:
    """A typical chain gives the expected body, members in field order."""
    request = (
        ChatCompletionRequestBuilder("m", MESSAGES)
        .with_temperature(0.7)
        .with_max_tokens(100)
        .with_models(["x/y"])
        .build()
    )
    assert wire(request) == HEAD + ',"models":["x/y"],"max_tokens":100,"temperature":0.7}'


# --- completion builder ----------------------------------------------------

COMPLETION_STEPS: list[tuple[CompletionStep, str]] = [
    (lambda b: b.with_models(["a"]), '"models":["a"]'),
    (lambda b: b.with_provider(ProviderOptions(zdr=True)), '"provider":{"zdr":true}'),
    (lambda b: b.with_reasoning(ReasoningOptions(enabled=True)), '"reasoning":{"enabled":true}'),
    (lambda b: b.with_reasoning_effort("low"), '"reasoning":{"effort":"low"}'),
    (lambda b: b.with_usage(True), '"usage":{"include":true}'),
    (lambda b: b.with_stream(False), '"stream":false'),
    (lambda b: b.with_max_tokens(1), '"max_tokens":1'),
    (lambda b: b.with_temperature(2), '"temperature":2'),
    (lambda b: b.with_seed(0), '"seed":0'),
    (lambda b: b.with_top_p(1), '"top_p":1'),
    (lambda b: b.with_top_k(1), '"top_k":1'),
    (lambda b: b.with_frequency_penalty(2.0), '"frequency_penalty":2.0'),
    (lambda b: b.with_presence_penalty(-2.0), '"presence_penalty":-2.0'),
    (lambda b: b.with_repetition_penalty(0.5), '"repetition_penalty":0.5'),
    (lambda b: b.with_logit_bias({"1": -100}), '"logit_bias":{"1":-100}'),
    (lambda b: b.with_top_logprobs(20), '"top_logprobs":20'),
    (lambda b: b.with_min_p(0.0), '"min_p":0.0'),
    (lambda b: b.with_top_a(1.0), '"top_a":1.0'),
    (lambda b: b.with_logprobs(False), '"logprobs":false'),
    (lambda b: b.with_stop(["\n"]), '"stop":["\\n"]'),
    (lambda b: b.with_user("u"), '"user":"u"'),
    (lambda b: b.with_session_id("s"), '"session_id":"s"'),
    (lambda b: b.with_extra({"echo": True}), '"echo":true'),
]


@pytest.mark.parametrize(("step", "fragment"), COMPLETION_STEPS)
def test_completion_builder_method_wire(step: CompletionStep, fragment: str) -> None:
    """Each completion builder method adds exactly its member."""
    builder = step(CompletionRequestBuilder("m", "p"))
    assert wire(builder.build()) == PROMPT_HEAD + "," + fragment + "}"


# --- provider builder ------------------------------------------------------

PROVIDER_STEPS: list[tuple[ProviderStep, str]] = [
    (lambda b: b.with_allow_fallbacks(False), '"allow_fallbacks":false'),
    (lambda b: b.with_require_parameters(True), '"require_parameters":true'),
    (lambda b: b.with_data_collection("deny"), '"data_collection":"deny"'),
    (lambda b: b.with_order(["anthropic", "openai"]), '"order":["anthropic","openai"]'),
    (lambda b: b.with_only(["openai"]), '"only":["openai"]'),
    (lambda b: b.with_ignore(["together"]), '"ignore":["together"]'),
    (lambda b: b.with_quantizations(["fp8", "bf16"]), '"quantizations":["fp8","bf16"]'),
    (lambda b: b.with_sort("latency"), '"sort":"latency"'),
    (
        lambda b: b.with_sort(ProviderSort("price", partition="model")),
        '"sort":{"by":"price","partition":"model"}',
    ),
    (
        lambda b: b.with_max_price(MaxPrice(prompt=1, completion=2)),
        '"max_price":{"prompt":1,"completion":2}',
    ),
    (lambda b: b.with_max_prompt_price(0.5), '"max_price":{"prompt":0.5}'),
    (lambda b: b.with_max_completion_price(1.5), '"max_price":{"completion":1.5}'),
    (lambda b: b.with_max_image_price(0.01), '"max_price":{"image":0.01}'),
    (lambda b: b.with_max_request_price(0.02), '"max_price":{"request":0.02}'),
    (lambda b: b.with_max_audio_price(0.03), '"max_price":{"audio":0.03}'),
    (
        lambda b: b.with_force_chat_completions(True),
        '"experimental":{"force_chat_completions":true}',
    ),
    (lambda b: b.with_zdr(True), '"zdr":true'),
    (lambda b: b.with_enforce_distillable_text(True), '"enforce_distillable_text":true'),
    (lambda b: b.with_preferred_min_throughput(50), '"preferred_min_throughput":50'),
    (
        lambda b: b.with_preferred_max_latency(Percentiles(p75=2, p99=5)),
        '"preferred_max_latency":{"p75":2,"p99":5}',
    ),
    (lambda b: b.with_extra({"future": "x"}), '"future":"x"'),
]


@pytest.mark.parametrize(("step", "fragment"), PROVIDER_STEPS)
def test_provider_builder_method_wire(step: ProviderStep, fragment: str) -> None:
    """Each provider builder method adds exactly its member."""
    assert wire(step(ProviderOptionsBuilder()).build()) == "{" + fragment + "}"


def test_max_price_shortcuts_accumulate() -> None:
    """The per-unit shortcuts fill one max_price object, in field order."""
    options = (
        ProviderOptionsBuilder()
        .with_max_audio_price(5)
        .with_max_request_price(4)
        .with_max_prompt_price(1)
        .with_max_image_price(3)
        .with_max_completion_price(2)
        .build()
    )
    assert wire(options) == (
        '{"max_price":{"prompt":1,"completion":2,"request":4,"image":3,"audio":5}}'
    )


def test_with_max_price_replaces_earlier_shortcuts() -> None:
    """with_max_price replaces the whole object; a later shortcut then adds to it."""
    options = (
        ProviderOptionsBuilder()
        .with_max_prompt_price(1)
        .with_max_price(MaxPrice(image=2))
        .with_max_request_price(3)
        .build()
    )
    assert wire(options) == '{"max_price":{"request":3,"image":2}}'


def test_provider_builder_feeds_request_builder() -> None:
    """The README example: provider options inside a chat request."""
    provider = ProviderOptionsBuilder().with_allow_fallbacks(True).with_max_request_price(0.01)
    request = ChatCompletionRequestBuilder("m", MESSAGES).with_provider(provider.build()).build()
    assert wire(request) == (
        HEAD + ',"provider":{"allow_fallbacks":true,"max_price":{"request":0.01}}}'
    )


# --- semantics ---------------------------------------------------------------


def test_calls_without_reassignment_take_effect() -> None:
    """A with_* call on its own line (Go's habit) changes the builder it is called on."""
    builder = ChatCompletionRequestBuilder("m", MESSAGES)
    builder.with_temperature(0.5)
    builder.with_seed(7)
    assert wire(builder.build()) == HEAD + ',"temperature":0.5,"seed":7}'
    completion = CompletionRequestBuilder("m", "p")
    completion.with_max_tokens(3)
    assert completion.build().max_tokens == 3
    providers = ProviderOptionsBuilder()
    providers.with_zdr(True)
    providers.with_max_prompt_price(1.0)
    assert providers.build() == ProviderOptions(zdr=True, max_price=MaxPrice(prompt=1.0))


def test_chaining_returns_the_same_builder() -> None:
    """Chained calls return the builder itself, so a chain and separate calls agree."""
    builder = ChatCompletionRequestBuilder("m", MESSAGES)
    assert builder.with_temperature(0.5).with_top_k(2) is builder
    providers = ProviderOptionsBuilder()
    assert providers.with_zdr(True).with_only(["a"]) is providers
    assert builder.build().top_k == 2


def test_copy_branches_and_built_requests_stay() -> None:
    """copy() gives an independent builder; a request already built never changes."""
    base = ChatCompletionRequestBuilder("m", MESSAGES)
    before = base.build()
    cold = base.copy().with_temperature(0.0)
    warm = base.copy().with_temperature(1.5)
    assert wire(base.build()) == HEAD + "}"
    assert (cold.build().temperature, warm.build().temperature) == (0.0, 1.5)
    base.with_seed(1)
    assert before.seed is None
    providers = ProviderOptionsBuilder().with_zdr(True)
    branch = providers.copy().with_zdr(False)
    assert (providers.build().zdr, branch.build().zdr) == (True, False)


def test_a_refused_value_leaves_the_builder_as_it_was() -> None:
    """A with_* call that raises changes nothing."""
    builder = ChatCompletionRequestBuilder("m", MESSAGES).with_temperature(0.5)
    with pytest.raises(ValueError, match="temperature"):
        builder.with_temperature(float("nan"))
    assert builder.build().temperature == 0.5


def test_last_call_wins() -> None:
    """Setting a field twice keeps the second value."""
    request = CompletionRequestBuilder("m", "p").with_seed(1).with_seed(2).build()
    assert wire(request) == PROMPT_HEAD + ',"seed":2}'


def test_with_extra_merges() -> None:
    """with_extra merges with earlier calls; later keys win."""
    request = (
        ChatCompletionRequestBuilder("m", MESSAGES)
        .with_extra({"a": 1, "b": 2})
        .with_extra({"b": 3, "c": 4})
        .build()
    )
    assert wire(request) == HEAD + ',"a":1,"b":3,"c":4}'
    options = ProviderOptionsBuilder().with_extra({"a": 1}).with_extra({"b": 2}).build()
    assert wire(options) == '{"a":1,"b":2}'


@pytest.mark.parametrize(
    "make",
    [
        lambda: ChatCompletionRequestBuilder("", MESSAGES),
        lambda: ChatCompletionRequestBuilder("m", []),
        lambda: CompletionRequestBuilder("", "p"),
        lambda: ChatCompletionRequestBuilder("m", MESSAGES).with_temperature(float("nan")),
        lambda: ProviderOptionsBuilder().with_max_prompt_price(float("inf")),
    ],
)
def test_mistakes_raise_at_the_call(make: Callable[[], object]) -> None:
    """A wrong value raises at the builder call that passed it."""
    with pytest.raises((TypeError, ValueError)):
        make()


def test_wrong_types_raise_type_error() -> None:
    """Wrong types raise TypeError from the with_* call itself."""
    builder = ChatCompletionRequestBuilder("m", MESSAGES)
    with pytest.raises(TypeError, match="max_tokens"):
        builder.with_max_tokens("100")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="models"):
        builder.with_models("openai/gpt-4o")
    with pytest.raises(TypeError, match="order"):
        ProviderOptionsBuilder().with_order("openai")


def test_from_request_round_trip() -> None:
    """from_request continues from an existing request, keeping its fields."""
    request = ChatCompletionRequest(model="m", messages=MESSAGES, seed=3)
    builder = ChatCompletionRequestBuilder.from_request(request).with_top_k(4)
    assert builder.build() == ChatCompletionRequest(model="m", messages=MESSAGES, seed=3, top_k=4)
    assert ProviderOptionsBuilder.from_options(ProviderOptions(zdr=True)).build().zdr is True


def test_builder_equality_is_by_value() -> None:
    """Two builders holding equal requests are equal; different ones are not."""
    first = CompletionRequestBuilder("m", "p").with_seed(1)
    assert first == CompletionRequestBuilder("m", "p").with_seed(1)
    assert first != CompletionRequestBuilder("m", "p").with_seed(2)
    assert first != ChatCompletionRequestBuilder("m", MESSAGES)


# --- property: a builder chain equals direct construction ------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
names = st.text(st.characters(codec="utf-8"), max_size=8)
name_lists = st.lists(names, max_size=3)

COMMON: dict[str, st.SearchStrategy[Any]] = {
    "models": name_lists,
    "provider": st.builds(
        ProviderOptions,
        order=st.none() | name_lists,
        zdr=st.none() | st.booleans(),
        sort=st.none() | st.sampled_from(["price", "throughput", "latency"]),
        max_price=st.none() | st.builds(MaxPrice, audio=st.none() | finite),
    ),
    "reasoning": st.builds(
        ReasoningOptions,
        effort=st.none() | st.sampled_from(["xhigh", "high", "medium", "low", "minimal", "none"]),
        max_tokens=st.none() | st.integers(0, 10**6),
        exclude=st.none() | st.booleans(),
    ),
    "usage": st.booleans(),
    "stream": st.booleans(),
    "max_tokens": st.integers(),
    "temperature": finite,
    "seed": st.integers(),
    "top_p": finite,
    "top_k": st.integers(),
    "frequency_penalty": finite,
    "presence_penalty": finite,
    "repetition_penalty": finite,
    "logit_bias": st.dictionaries(st.integers(0, 10**5).map(str), finite, max_size=3),
    "top_logprobs": st.integers(0, 20),
    "min_p": finite,
    "top_a": finite,
    "logprobs": st.booleans(),
    "stop": names | name_lists,
    "user": names,
    "session_id": names,
    "extra": st.dictionaries(names, st.integers() | names, max_size=3),
}
CHAT_ONLY: dict[str, st.SearchStrategy[Any]] = {
    "tools": st.lists(st.builds(Tool, st.text(min_size=1, max_size=5)), max_size=2),
    "tool_choice": st.sampled_from(["none", "auto", "required"])
    | st.builds(NamedToolChoice, st.text(min_size=1, max_size=5)),
    "parallel_tool_calls": st.booleans(),
    "response_format": st.sampled_from([ResponseFormat.json_object(), ResponseFormat.text()]),
    "plugins": st.lists(
        st.sampled_from([Plugin.web(), Plugin.response_healing(), Plugin.moderation()]),
        max_size=2,
    ),
    "max_completion_tokens": st.integers(),
    "modalities": st.lists(st.sampled_from(["text", "image", "audio"]), max_size=3),
    "image_config": st.dictionaries(names, st.integers() | names, max_size=2),
    "cache_control": st.builds(CacheControl, ttl=st.none() | st.sampled_from(["5m", "1h"])),
    "prompt_cache_key": names,
    "service_tier": st.sampled_from(["auto", "default", "flex", "priority"]),
    "stream_options": st.builds(StreamOptions, include_usage=st.none() | st.booleans()),
    "metadata": st.dictionaries(names, names, max_size=3),
    "trace": st.builds(TraceOptions, trace_id=st.none() | names),
    "prediction": st.builds(Prediction, names),
    "debug": st.builds(DebugOptions, echo_upstream_body=st.none() | st.booleans()),
}
CHAT_FIELDS = {**COMMON, **CHAT_ONLY}


def direct_value(name: str, value: Any) -> Any:
    """What the dataclass takes for the value a builder method takes."""
    return UsageOptions(value) if name == "usage" else value


@given(st.data())
def test_chat_chain_equals_direct_construction(data: st.DataObject) -> None:
    """Any subset of chat methods, in any order, builds what the constructor builds."""
    chosen = data.draw(st.lists(st.sampled_from(sorted(CHAT_FIELDS)), unique=True))
    values = {name: data.draw(CHAT_FIELDS[name], label=name) for name in chosen}
    builder = ChatCompletionRequestBuilder("m", MESSAGES)
    for name in chosen:
        builder = getattr(builder, f"with_{name}")(values[name])
    direct = ChatCompletionRequest(
        model="m",
        messages=MESSAGES,
        **{name: direct_value(name, value) for name, value in values.items()},
    )
    assert builder.build() == direct
    assert wire(builder.build()) == wire(direct)


@given(st.data())
def test_completion_chain_equals_direct_construction(data: st.DataObject) -> None:
    """Any subset of completion methods, in any order, builds what the constructor builds."""
    chosen = data.draw(st.lists(st.sampled_from(sorted(COMMON)), unique=True))
    values = {name: data.draw(COMMON[name], label=name) for name in chosen}
    builder = CompletionRequestBuilder("m", "p")
    for name in chosen:
        builder = getattr(builder, f"with_{name}")(values[name])
    direct = CompletionRequest(
        model="m",
        prompt="p",
        **{name: direct_value(name, value) for name, value in values.items()},
    )
    assert builder.build() == direct
    assert wire(builder.build()) == wire(direct)


PROVIDER_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "allow_fallbacks": st.booleans(),
    "require_parameters": st.booleans(),
    "data_collection": st.sampled_from(["allow", "deny"]) | names,
    "zdr": st.booleans(),
    "enforce_distillable_text": st.booleans(),
    "order": name_lists,
    "only": name_lists,
    "ignore": name_lists,
    "quantizations": st.lists(st.sampled_from(["int4", "fp8", "bf16", "unknown"]), max_size=3),
    "sort": st.sampled_from(["price", "throughput", "latency"])
    | st.builds(ProviderSort, st.sampled_from(["price", "latency"])),
    "max_price": st.builds(MaxPrice, prompt=st.none() | finite, audio=st.none() | finite),
    "preferred_min_throughput": finite | st.builds(Percentiles, p50=st.none() | finite),
    "preferred_max_latency": finite | st.builds(Percentiles, p99=st.none() | finite),
    "force_chat_completions": st.booleans(),
    "extra": st.dictionaries(names, st.integers(), max_size=2),
}


@given(st.data())
def test_provider_chain_equals_direct_construction(data: st.DataObject) -> None:
    """Any subset of provider methods, in any order, builds what the constructor builds."""
    chosen = data.draw(st.lists(st.sampled_from(sorted(PROVIDER_FIELDS)), unique=True))
    values = {name: data.draw(PROVIDER_FIELDS[name], label=name) for name in chosen}
    builder = ProviderOptionsBuilder()
    for name in chosen:
        builder = getattr(builder, f"with_{name}")(values[name])
    direct = ProviderOptions(**values)
    assert builder.build() == direct
    assert wire(builder.build()) == wire(direct)


@given(
    st.lists(
        st.tuples(st.sampled_from(["prompt", "completion", "request", "image", "audio"]), finite),
        max_size=8,
    )
)
def test_max_price_shortcuts_equal_one_max_price(calls: list[tuple[str, float]]) -> None:
    """Any sequence of price shortcuts equals one MaxPrice holding each unit's last value."""
    builder = ProviderOptionsBuilder()
    for unit, price in calls:
        builder = getattr(builder, f"with_max_{unit}_price")(price)
    last: dict[str, Any] = dict(calls)
    expected = ProviderOptions(max_price=MaxPrice(**last)) if calls else ProviderOptions()
    assert builder.build() == expected


def test_with_transforms_warns_once_where_it_is_called() -> None:
    """with_transforms warns at its call site; later with_* calls do not warn again."""
    with pytest.warns(DeprecationWarning, match="context_compression") as caught:
        builder = ChatCompletionRequestBuilder("m", MESSAGES).with_transforms(["middle-out"])
    assert len(caught) == 1
    assert caught[0].filename == __file__
    request = builder.with_temperature(0.5).with_max_completion_tokens(9).build()
    assert wire(request) == HEAD + (
        ',"transforms":["middle-out"],"temperature":0.5,"max_completion_tokens":9}'
    )
    with pytest.warns(DeprecationWarning, match="transforms is deprecated"):
        completion = CompletionRequestBuilder("m", "p").with_transforms([]).build()
    assert wire(completion) == PROMPT_HEAD + ',"transforms":[]}'
