"""Fluent builders for the request types, with gopenrouter's method set.

A builder works as gopenrouter's does: every ``with_*`` method changes the
builder it is called on and returns that same builder, so both Go habits
work, chaining and calls on their own line::

    builder = ChatCompletionRequestBuilder("openai/gpt-4o", [Message.user("Hi")])
    builder.with_temperature(0.5)            # takes effect, as in Go
    request = builder.with_seed(7).build()   # chaining returns the same builder

No call is ever lost: there is no copy that a call without reassignment
would leave behind. To branch a half-configured builder, take a
:meth:`~ChatCompletionRequestBuilder.copy` first::

    base = ChatCompletionRequestBuilder("openai/gpt-4o", [Message.user("Hi")])
    cold = base.copy().with_temperature(0.0).build()
    warm = base.copy().with_temperature(1.2).build()   # base still has no temperature

Each ``with_*`` call validates at once (it rebuilds the underlying frozen
request), so a wrong value raises ``TypeError``/``ValueError`` at the call
that passed it, exactly as the dataclass constructor would, and leaves the
builder as it was. ``build()`` returns the request dataclass, which is
frozen: later ``with_*`` calls change the builder, never a request already
built. Setting a field twice keeps the last value; ``with_extra`` is the one
method that merges (later keys win) instead of replacing.

Parity with gopenrouter (github.com/bkovacki/gopenrouter), method for method.
Like Go's builders, these change themselves and return the same builder.

``NewChatCompletionRequestBuilder(model, messages)`` ->
``ChatCompletionRequestBuilder(model, messages)``; ``NewCompletionRequestBuilder(model,
prompt)`` -> ``CompletionRequestBuilder(model, prompt)``. Both builders share these
methods (``WithUser`` exists only on Go's chat builder; both have it here):

=====================  ========================  ===============================
Go                     Python                    JSON member
=====================  ========================  ===============================
WithModels             with_models               models
WithProvider           with_provider             provider
WithReasoning          with_reasoning            reasoning
WithUsage              with_usage                usage (as {"include": ...})
WithTransforms         with_transforms           transforms
WithStream             with_stream               stream
WithMaxTokens          with_max_tokens           max_tokens
WithTemperature        with_temperature          temperature
WithSeed               with_seed                 seed
WithTopP               with_top_p                top_p
WithTopK               with_top_k                top_k
WithFrequencyPenalty   with_frequency_penalty    frequency_penalty
WithPresencePenalty    with_presence_penalty     presence_penalty
WithRepetitionPenalty  with_repetition_penalty   repetition_penalty
WithLogitBias          with_logit_bias           logit_bias
WithTopLogprobs        with_top_logprobs         top_logprobs
WithMinP               with_min_p                min_p
WithTopA               with_top_a                top_a
WithLogprobs           with_logprobs             logprobs
WithStop               with_stop                 stop
WithUser (chat only)   with_user                 user
Build                  build                     (returns the request)
=====================  ========================  ===============================

Beyond Go, on both builders: ``with_reasoning_effort``, ``with_session_id``,
``with_extra``. On the chat builder only: ``with_tools``, ``with_tool_choice``,
``with_parallel_tool_calls``, ``with_response_format``, ``with_plugins``,
``with_max_completion_tokens``, ``with_modalities``, ``with_image_config``,
``with_cache_control``, ``with_prompt_cache_key``, ``with_service_tier``,
``with_stream_options``, ``with_metadata``, ``with_trace``, ``with_prediction``,
``with_debug``. ``with_transforms`` is deprecated (OpenRouter replaced
``transforms`` with the context-compression plugin) and warns.

``NewProviderOptionsBuilder()`` -> ``ProviderOptionsBuilder()``; its fourteen Go
methods:

========================  ============================  ===================================
Go                        Python                        JSON member of provider
========================  ============================  ===================================
WithAllowFallbacks        with_allow_fallbacks          allow_fallbacks
WithRequireParameters     with_require_parameters       require_parameters
WithDataCollection        with_data_collection          data_collection
WithOrder                 with_order                    order
WithOnly                  with_only                     only
WithIgnore                with_ignore                   ignore
WithQuantizations         with_quantizations            quantizations
WithSort                  with_sort                     sort (a string or an object)
WithMaxPrice              with_max_price                max_price
WithMaxPromptPrice        with_max_prompt_price         max_price.prompt
WithMaxCompletionPrice    with_max_completion_price     max_price.completion
WithMaxImagePrice         with_max_image_price          max_price.image
WithMaxRequestPrice       with_max_request_price        max_price.request
WithForceChatCompletions  with_force_chat_completions   experimental.force_chat_completions
Build                     build                         (returns ProviderOptions)
========================  ============================  ===================================

Beyond Go: ``with_zdr``, ``with_enforce_distillable_text``,
``with_max_audio_price``, ``with_preferred_min_throughput``,
``with_preferred_max_latency``, ``with_extra``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Generic, Self, TypeVar

from ._requests import (
    _REVALIDATING,
    CacheControl,
    ChatCompletionRequest,
    CompletionRequest,
    DataCollection,
    DebugOptions,
    MaxPrice,
    Message,
    Modality,
    Percentiles,
    Plugin,
    Prediction,
    ProviderOptions,
    ProviderSort,
    ProviderSortBy,
    Quantization,
    ReasoningEffort,
    ReasoningOptions,
    ResponseFormat,
    ServerTool,
    ServiceTier,
    StreamOptions,
    Tool,
    ToolChoice,
    TraceOptions,
    UsageOptions,
    _Reply,
)

__all__ = [
    "ChatCompletionRequestBuilder",
    "CompletionRequestBuilder",
    "ProviderOptionsBuilder",
]

_R = TypeVar("_R", ChatCompletionRequest, CompletionRequest)


def _merged(old: Mapping[str, object] | None, new: Mapping[str, object]) -> dict[str, object]:
    return {**(old or {}), **new}


class _SamplingMethods(Generic[_R]):
    """The ``with_*`` methods both request builders share.

    Holds one frozen request; each method replaces it with
    ``dataclasses.replace(request, field=value)`` and returns the builder.
    """

    __slots__ = ("_request",)

    _request: _R

    @classmethod
    def from_request(cls, request: _R) -> Self:
        """A builder starting from an existing request (every field kept)."""
        builder = cls.__new__(cls)
        builder._request = request
        return builder

    def copy(self) -> Self:
        """A new builder holding the same request, to branch from this one."""
        return self.from_request(self._request)

    def _replace(self, **changes: object) -> Self:
        """Hold a copy of the request with ``changes``; return this builder.

        Copying re-validates every field; a deprecated field warns only in
        the call that sets it, not again in each later ``with_*`` call.
        """
        token = _REVALIDATING.set("transforms" not in changes)
        try:
            request = replace(self._request, **changes)  # type: ignore[arg-type]  # fields checked by the dataclass
        finally:
            _REVALIDATING.reset(token)
        self._request = request
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}.from_request({self._request!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _SamplingMethods) or type(other) is not type(self):
            return NotImplemented
        return bool(self._request == other._request)

    __hash__ = None  # type: ignore[assignment]  # equality by value, mutable fields inside

    def with_models(self, models: Sequence[str]) -> Self:
        """Fallback models, tried in order when ``model`` is unavailable (``models``)."""
        return self._replace(models=models)

    def with_provider(self, provider: ProviderOptions | Mapping[str, object]) -> Self:
        """Provider routing preferences (``provider``); see :class:`ProviderOptionsBuilder`."""
        return self._replace(provider=provider)

    def with_reasoning(self, reasoning: ReasoningOptions | Mapping[str, object]) -> Self:
        """Reasoning configuration (``reasoning``)."""
        return self._replace(reasoning=reasoning)

    def with_reasoning_effort(self, effort: ReasoningEffort | str) -> Self:
        """Shortcut for ``with_reasoning(ReasoningOptions(effort=effort))``."""
        return self._replace(reasoning=ReasoningOptions(effort=effort))

    def with_usage(self, include: bool) -> Self:
        """Ask for usage accounting: ``"usage": {"include": include}``."""
        return self._replace(usage=UsageOptions(include))

    def with_transforms(self, transforms: Sequence[str]) -> Self:
        """Prompt transforms such as ``["middle-out"]`` (``transforms``).

        Deprecated by OpenRouter, and warns with ``DeprecationWarning``: use
        ``with_plugins([Plugin.context_compression(engine="middle-out")])``.
        """
        return self._replace(transforms=transforms)

    def with_stream(self, stream: bool) -> Self:
        """Whether to stream the response as server-sent events (``stream``)."""
        return self._replace(stream=stream)

    def with_max_tokens(self, max_tokens: int) -> Self:
        """Upper bound on generated tokens (``max_tokens``)."""
        return self._replace(max_tokens=max_tokens)

    def with_temperature(self, temperature: float) -> Self:
        """Sampling temperature (``temperature``)."""
        return self._replace(temperature=temperature)

    def with_seed(self, seed: int) -> Self:
        """Seed for repeatable sampling, where the provider supports it (``seed``)."""
        return self._replace(seed=seed)

    def with_top_p(self, top_p: float) -> Self:
        """Nucleus sampling mass (``top_p``)."""
        return self._replace(top_p=top_p)

    def with_top_k(self, top_k: int) -> Self:
        """Sample from the ``top_k`` most likely tokens only."""
        return self._replace(top_k=top_k)

    def with_frequency_penalty(self, penalty: float) -> Self:
        """Penalty growing with a token's count so far (``frequency_penalty``)."""
        return self._replace(frequency_penalty=penalty)

    def with_presence_penalty(self, penalty: float) -> Self:
        """Penalty for any token already present (``presence_penalty``)."""
        return self._replace(presence_penalty=penalty)

    def with_repetition_penalty(self, penalty: float) -> Self:
        """Multiplicative repetition penalty (``repetition_penalty``)."""
        return self._replace(repetition_penalty=penalty)

    def with_logit_bias(self, logit_bias: Mapping[str, float]) -> Self:
        """Token id (as a string) to bias, -100 to 100 (``logit_bias``)."""
        return self._replace(logit_bias=logit_bias)

    def with_top_logprobs(self, top_logprobs: int) -> Self:
        """How many alternatives to report per token (``top_logprobs``)."""
        return self._replace(top_logprobs=top_logprobs)

    def with_min_p(self, min_p: float) -> Self:
        """Minimum probability relative to the likeliest token (``min_p``)."""
        return self._replace(min_p=min_p)

    def with_top_a(self, top_a: float) -> Self:
        """Top-a sampling threshold (``top_a``)."""
        return self._replace(top_a=top_a)

    def with_logprobs(self, logprobs: bool) -> Self:
        """Whether to return log probabilities of the output tokens (``logprobs``)."""
        return self._replace(logprobs=logprobs)

    def with_stop(self, stop: str | Sequence[str]) -> Self:
        """Stop sequence(s) (``stop``): a string stays a string on the wire."""
        return self._replace(stop=stop)

    def with_user(self, user: str) -> Self:
        """A stable id of your end user, for abuse detection (``user``)."""
        return self._replace(user=user)

    def with_session_id(self, session_id: str) -> Self:
        """Groups related requests for observability (``session_id``)."""
        return self._replace(session_id=session_id)

    def with_extra(self, extra: Mapping[str, object]) -> Self:
        """Merge top-level JSON members this library does not know yet.

        Merges with earlier ``with_extra`` calls (later keys win). In the JSON,
        ``extra`` comes last and replaces a field of the same name.
        """
        return self._replace(extra=_merged(self._request.extra, extra))

    def build(self) -> _R:
        """The request as set so far. It is frozen: later ``with_*`` calls change
        the builder, not a request already built."""
        return self._request


class ChatCompletionRequestBuilder(_SamplingMethods[ChatCompletionRequest]):
    """Builds a :class:`ChatCompletionRequest` (gopenrouter's ``ChatCompletionRequestBuilder``).

    ``ChatCompletionRequestBuilder(model, messages)`` raises as
    ``ChatCompletionRequest(model=model, messages=messages)`` does.
    """

    __slots__ = ()

    def __init__(
        self, model: str, messages: Sequence[Message | Mapping[str, object] | _Reply]
    ) -> None:
        self._request = ChatCompletionRequest(model=model, messages=messages)

    def with_tools(self, tools: Sequence[Tool | ServerTool | Mapping[str, object]]) -> Self:
        """Functions, OpenRouter server tools or raw tool objects the model may call (``tools``)."""
        return self._replace(tools=tools)

    def with_tool_choice(self, tool_choice: ToolChoice) -> Self:
        """``"none"``, ``"auto"``, ``"required"`` or a :class:`NamedToolChoice`."""
        return self._replace(tool_choice=tool_choice)

    def with_parallel_tool_calls(self, parallel: bool) -> Self:
        """Whether the model may call several tools in one turn (``parallel_tool_calls``)."""
        return self._replace(parallel_tool_calls=parallel)

    def with_response_format(self, response_format: ResponseFormat | Mapping[str, object]) -> Self:
        """JSON mode or structured output (``response_format``)."""
        return self._replace(response_format=response_format)

    def with_plugins(self, plugins: Sequence[Plugin | Mapping[str, object]]) -> Self:
        """Plugins to run on the request, such as ``Plugin.web()`` (``plugins``)."""
        return self._replace(plugins=plugins)

    def with_max_completion_tokens(self, max_completion_tokens: int) -> Self:
        """Upper bound on generated tokens (``max_completion_tokens``, the newer ``max_tokens``)."""
        return self._replace(max_completion_tokens=max_completion_tokens)

    def with_modalities(self, modalities: Sequence[Modality | str]) -> Self:
        """Output modalities such as ``["image", "text"]`` (``modalities``)."""
        return self._replace(modalities=modalities)

    def with_image_config(self, image_config: Mapping[str, object]) -> Self:
        """Provider-specific image settings such as ``{"aspect_ratio": "16:9"}``."""
        return self._replace(image_config=image_config)

    def with_cache_control(self, cache_control: CacheControl | Mapping[str, object]) -> Self:
        """Automatic prompt caching for the whole request (``cache_control``)."""
        return self._replace(cache_control=cache_control)

    def with_prompt_cache_key(self, key: str) -> Self:
        """Groups requests that share a prompt prefix for caching (``prompt_cache_key``)."""
        return self._replace(prompt_cache_key=key)

    def with_service_tier(self, service_tier: ServiceTier | str) -> Self:
        """The provider service tier to ask for (``service_tier``)."""
        return self._replace(service_tier=service_tier)

    def with_stream_options(self, stream_options: StreamOptions | Mapping[str, object]) -> Self:
        """Streaming options (``stream_options``); OpenRouter ignores ``include_usage``."""
        return self._replace(stream_options=stream_options)

    def with_metadata(self, metadata: Mapping[str, str]) -> Self:
        """String pairs stored with the generation (``metadata``), replacing earlier ones."""
        return self._replace(metadata=metadata)

    def with_trace(self, trace: TraceOptions | Mapping[str, object]) -> Self:
        """Names for this request in your observability integration (``trace``)."""
        return self._replace(trace=trace)

    def with_prediction(self, prediction: Prediction | Mapping[str, object]) -> Self:
        """Predicted output, to answer faster when most of it is known (``prediction``)."""
        return self._replace(prediction=prediction)

    def with_debug(self, debug: DebugOptions | Mapping[str, object]) -> Self:
        """Debug options, such as echoing the upstream request body (``debug``)."""
        return self._replace(debug=debug)


class CompletionRequestBuilder(_SamplingMethods[CompletionRequest]):
    """Builds a :class:`CompletionRequest` (gopenrouter's ``CompletionRequestBuilder``).

    ``CompletionRequestBuilder(model, prompt)`` raises as
    ``CompletionRequest(model=model, prompt=prompt)`` does.
    """

    __slots__ = ()

    def __init__(self, model: str, prompt: str) -> None:
        self._request = CompletionRequest(model=model, prompt=prompt)


class ProviderOptionsBuilder:
    """Builds :class:`ProviderOptions` (gopenrouter's ``ProviderOptionsBuilder``).

    Like the request builders, each ``with_*`` changes this builder and
    returns it (:meth:`copy` to branch). The ``with_max_*_price`` shortcuts
    set one price and keep the others.
    """

    __slots__ = ("_options",)

    def __init__(self) -> None:
        self._options = ProviderOptions()

    @classmethod
    def from_options(cls, options: ProviderOptions) -> ProviderOptionsBuilder:
        """A builder starting from existing options (every field kept)."""
        builder = cls.__new__(cls)
        builder._options = options
        return builder

    def copy(self) -> ProviderOptionsBuilder:
        """A new builder holding the same options, to branch from this one."""
        return self.from_options(self._options)

    def _with(self, options: ProviderOptions) -> ProviderOptionsBuilder:
        self._options = options
        return self

    def __repr__(self) -> str:
        return f"ProviderOptionsBuilder.from_options({self._options!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProviderOptionsBuilder):
            return NotImplemented
        return self._options == other._options

    __hash__ = None  # type: ignore[assignment]  # equality by value, mutable fields inside

    def _max_price(self) -> MaxPrice:
        return self._options.max_price or MaxPrice()

    def with_allow_fallbacks(self, allow: bool) -> ProviderOptionsBuilder:
        """Whether other providers may serve the request when the chosen ones fail."""
        return self._with(replace(self._options, allow_fallbacks=allow))

    def with_require_parameters(self, require: bool) -> ProviderOptionsBuilder:
        """Route only to providers that support every parameter of the request."""
        return self._with(replace(self._options, require_parameters=require))

    def with_data_collection(self, policy: DataCollection | str) -> ProviderOptionsBuilder:
        """``"allow"`` or ``"deny"`` providers that may store prompts."""
        return self._with(replace(self._options, data_collection=policy))

    def with_order(self, providers: Sequence[str]) -> ProviderOptionsBuilder:
        """Provider slugs to try first, in order."""
        return self._with(replace(self._options, order=providers))

    def with_only(self, providers: Sequence[str]) -> ProviderOptionsBuilder:
        """Provider slugs to allow, no others."""
        return self._with(replace(self._options, only=providers))

    def with_ignore(self, providers: Sequence[str]) -> ProviderOptionsBuilder:
        """Provider slugs to skip."""
        return self._with(replace(self._options, ignore=providers))

    def with_quantizations(
        self, quantizations: Sequence[Quantization | str]
    ) -> ProviderOptionsBuilder:
        """Quantization levels to accept (``"fp8"``, ``"int4"``...)."""
        return self._with(replace(self._options, quantizations=quantizations))

    def with_sort(
        self, sort: ProviderSortBy | str | ProviderSort | Mapping[str, object]
    ) -> ProviderOptionsBuilder:
        """Rank providers by ``"price"``, ``"throughput"`` or ``"latency"``, or a ProviderSort."""
        return self._with(replace(self._options, sort=sort))

    def with_max_price(self, max_price: MaxPrice) -> ProviderOptionsBuilder:
        """Replace the whole ``max_price`` object."""
        return self._with(replace(self._options, max_price=max_price))

    def with_max_prompt_price(self, price: float) -> ProviderOptionsBuilder:
        """``max_price.prompt``: USD per million prompt tokens."""
        return self.with_max_price(replace(self._max_price(), prompt=price))

    def with_max_completion_price(self, price: float) -> ProviderOptionsBuilder:
        """``max_price.completion``: USD per million completion tokens."""
        return self.with_max_price(replace(self._max_price(), completion=price))

    def with_max_image_price(self, price: float) -> ProviderOptionsBuilder:
        """``max_price.image``: USD per image."""
        return self.with_max_price(replace(self._max_price(), image=price))

    def with_max_request_price(self, price: float) -> ProviderOptionsBuilder:
        """``max_price.request``: USD per request."""
        return self.with_max_price(replace(self._max_price(), request=price))

    def with_max_audio_price(self, price: float) -> ProviderOptionsBuilder:
        """``max_price.audio``: USD per unit of audio input."""
        return self.with_max_price(replace(self._max_price(), audio=price))

    def with_force_chat_completions(self, force: bool) -> ProviderOptionsBuilder:
        """``experimental.force_chat_completions``."""
        return self._with(replace(self._options, force_chat_completions=force))

    def with_zdr(self, zdr: bool) -> ProviderOptionsBuilder:
        """Route only to zero-data-retention endpoints (``zdr``)."""
        return self._with(replace(self._options, zdr=zdr))

    def with_enforce_distillable_text(self, enforce: bool) -> ProviderOptionsBuilder:
        """Route only to models whose output may be used for distillation."""
        return self._with(replace(self._options, enforce_distillable_text=enforce))

    def with_preferred_min_throughput(
        self, throughput: float | Percentiles | Mapping[str, object]
    ) -> ProviderOptionsBuilder:
        """Prefer endpoints at least this fast, in tokens per second (p50, or percentiles)."""
        return self._with(replace(self._options, preferred_min_throughput=throughput))

    def with_preferred_max_latency(
        self, latency: float | Percentiles | Mapping[str, object]
    ) -> ProviderOptionsBuilder:
        """Prefer endpoints at most this slow, in seconds (p50, or percentiles)."""
        return self._with(replace(self._options, preferred_max_latency=latency))

    def with_extra(self, extra: Mapping[str, object]) -> ProviderOptionsBuilder:
        """Merge ``provider`` members this library does not know yet (later keys win)."""
        return self._with(replace(self._options, extra=_merged(self._options.extra, extra)))

    def build(self) -> ProviderOptions:
        """The options as set so far. They are frozen: later ``with_*`` calls
        change the builder, not options already built."""
        return self._options
