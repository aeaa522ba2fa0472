"""The OpenRouter clients: :class:`OpenRouter` (blocking) and
:class:`AsyncOpenRouter` (asyncio or trio), method for method the same.

Both build each call as the same :mod:`sseproto.http` flow (``_calls.py``)
and hand it to their transport's driver: the blocking client calls
``transport.run(flow)`` or reads ``transport.event_stream(flow)``, the
async one awaits them. Neither sends into a flow itself. The transport is
any sseproto adapter client: blocking sockets and asyncio/trio by default,
or httpx when given an httpx client.
"""

from __future__ import annotations

import dataclasses
import json
import os
import urllib.parse
import warnings
from collections.abc import Callable, Generator, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, TypeVar, Unpack

import sseproto
import sseproto.http
from sseproto import Comment, Event, StreamFormat
from sseproto.adapters import (
    AsyncClient,
    AsyncClientBase,
    AsyncEventStream,
    EventStream,
    SyncClientBase,
)
from sseproto.adapters.sync import Client as SocketClient
from sseproto.http import (
    HeaderTypes,
    Operation,
    Timeouts,
    header_pairs,
    open_stream,
    read_stream,
    request_flow,
)

from ._calls import (
    ErrorFromResponse,
    RetryPolicy,
    StreamCore,
    call_flow,
    chat_stream_error,
    event_stream_error,
)
from ._errors import ConfigurationError, check_api_key, check_base_url, error_from_response
from ._requests import (
    ChatCompletionRequest,
    CompletionRequest,
    ModelCategory,
    ModelsQuery,
    endpoints_path,
)
from ._resource import CallOptions
from ._responses import (
    ChatCompletion,
    Completion,
    Credits,
    Generation,
    KeyInfo,
    ModelEndpoints,
    ModelList,
)
from ._streams import (
    AsyncChatCompletionStream,
    AsyncCompletionStream,
    AsyncHeartbeatCallback,
    AsyncJSONEventStream,
    ChatCompletionStream,
    CompletionStream,
    HeartbeatCallback,
    JSONEventStream,
    LastEvent,
    refuse_async_callback,
)
from .resources import (
    NAMESPACES,
    ActivityResource,
    AsyncActivityResource,
    AsyncAudioResource,
    AsyncAuthResource,
    AsyncChatResource,
    AsyncCompletionsResource,
    AsyncCreditsResource,
    AsyncEmbeddingsResource,
    AsyncEndpointsResource,
    AsyncGenerationsResource,
    AsyncImagesResource,
    AsyncKeysResource,
    AsyncMessagesResource,
    AsyncModelsResource,
    AsyncProvidersResource,
    AsyncRerankResource,
    AsyncResponsesResource,
    AsyncVideosResource,
    AudioResource,
    AuthResource,
    ChatResource,
    CompletionsResource,
    CreditsResource,
    EmbeddingsResource,
    EndpointsResource,
    GenerationsResource,
    ImagesResource,
    KeysResource,
    MessagesResource,
    ModelsResource,
    ProvidersResource,
    RerankResource,
    ResponsesResource,
    VideosResource,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "AsyncOpenRouter",
    "MissingAPIKeyError",
    "OpenRouter",
]

#: OpenRouter's API root.
DEFAULT_BASE_URL: Final = "https://openrouter.ai/api/v1"

#: Default time limits, sseproto's own (connect 10 s, read 120 s, no event
#: or total limit): a model may think for minutes, but OpenRouter sends a
#: heartbeat every few seconds meanwhile, so two minutes without a byte means
#: the connection is gone.
DEFAULT_TIMEOUTS: Final = sseproto.http.DEFAULT_TIMEOUTS

_USER_AGENT: Final = f"sseproto-openrouter/{sseproto.__version__}"


class MissingAPIKeyError(ConfigurationError):
    """No API key: pass ``api_key=`` or set the ``OPENROUTER_API_KEY``
    environment variable (keys are at https://openrouter.ai/keys)."""


def _ascii_header(value: str) -> str:
    """Header values must be printable ASCII: others are percent-encoded as
    UTF-8. Control characters are encoded too, so a line break cannot end
    the header (RFC 9110, 5.5) and every request would fail to send."""
    if value.isascii() and value.isprintable():
        return value
    return urllib.parse.quote(value, safe=" !#$&'()*+,/:;=?@[]~")


def _model_filters(
    category: str | None,
    supported_parameters: Sequence[str] | None,
    output_modalities: Sequence[str] | None,
    extra: Mapping[str, str] | None,
) -> dict[str, object]:
    """The filter keywords of ``list_models()``, by :class:`ModelsQuery` field name."""
    return {
        "category": category,
        "supported_parameters": supported_parameters,
        "output_modalities": output_modalities,
        "extra": extra,
    }


def _timeouts(timeout: float | Timeouts | None) -> Timeouts:
    if timeout is None:
        return DEFAULT_TIMEOUTS
    if isinstance(timeout, Timeouts):
        return timeout
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return Timeouts(connect=min(10.0, float(timeout)), read=float(timeout))
    raise TypeError(f"timeout must be seconds or a Timeouts, not {timeout!r}")


#: An sseproto flow (see :mod:`sseproto.http`).
Flow = Generator[Operation, Any, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class _Options:
    """What one call is sent with: the client's settings, or a call's own."""

    timeouts: Timeouts
    headers: tuple[tuple[str, str], ...]
    policy: RetryPolicy


def _merge_headers(
    base: tuple[tuple[str, str], ...], extra: HeaderTypes
) -> tuple[tuple[str, str], ...]:
    """``base`` with each header of ``extra`` replacing those of its name
    (any case), or added.

    Raises:
        TypeError: ``extra`` is not a mapping or pairs, or a header is not a
            ``(str, str)`` pair (:func:`sseproto.http.header_pairs`).
        ValueError: ``extra`` sets ``Authorization``: the key is the client's
            (``api_key=``), the one value every output is redacted of.
    """
    pairs = header_pairs(extra)
    names = {name.lower() for name, _ in pairs}
    if "authorization" in names:
        raise ValueError(
            "headers= cannot set Authorization: give the key to the client (api_key=), "
            "so that it is redacted from every error and log"
        )
    kept = tuple(pair for pair in base if pair[0].lower() not in names)
    return kept + pairs


class _Core:
    """Configuration and the flows of every call, shared by both clients."""

    __slots__ = ("_api_key", "_base_url", "_defaults", "_headers", "_policy", "_timeouts")

    _transport: Any

    def _setup(
        self,
        api_key: str | None,
        base_url: str | None,
        site_url: str | None,
        site_title: str | None,
        timeout: float | Timeouts | None,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("OPENROUTER_API_KEY")
        if not key:
            raise MissingAPIKeyError(
                "no OpenRouter API key: pass api_key= or set OPENROUTER_API_KEY "
                "(create a key at https://openrouter.ai/keys)"
            )
        check_api_key(key)
        self._api_key = key
        base = base_url or os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL
        self._base_url = check_base_url(base)
        headers = [
            ("Authorization", f"Bearer {key}"),
            ("User-Agent", _USER_AGENT),
        ]
        if site_url:
            headers.append(("HTTP-Referer", _ascii_header(site_url)))
        if site_title:
            title = _ascii_header(site_title)
            headers += [("X-OpenRouter-Title", title), ("X-Title", title)]
        self._headers = tuple(headers)
        self._timeouts = _timeouts(timeout)
        policy = retry_policy if retry_policy is not None else RetryPolicy()
        if max_retries is not None:
            policy = dataclasses.replace(policy, max_retries=max_retries)
        self._policy = policy
        self._defaults = _Options(self._timeouts, self._headers, policy)

    @property
    def base_url(self) -> str:
        """The API root requests go to, without a trailing slash."""
        return self._base_url

    def __repr__(self) -> str:
        # Never the key.
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    # -- building calls ------------------------------------------------------------

    def _url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        url = f"{self._base_url}/{path.lstrip('/')}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        return url

    def _options(
        self,
        timeout: float | Timeouts | None,
        headers: HeaderTypes | None,
        max_retries: int | None,
    ) -> _Options:
        """One call's options: the client's, with what the call gives replacing them."""
        if timeout is None and headers is None and max_retries is None:
            return self._defaults
        policy = self._policy
        if max_retries is not None:
            policy = dataclasses.replace(policy, max_retries=max_retries)
        return _Options(
            self._timeouts if timeout is None else _timeouts(timeout),
            self._headers if headers is None else _merge_headers(self._headers, headers),
            policy,
        )

    def _call_options(self, options: CallOptions) -> _Options:
        """:meth:`_options` of the per-call keyword arguments."""
        return self._options(
            options.get("timeout"), options.get("headers"), options.get("max_retries")
        )

    def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], Any],
        options: _Options,
        *,
        query: Mapping[str, str] | None = None,
        payload: object = None,
        errors: ErrorFromResponse = error_from_response,
    ) -> Flow:
        """The flow of one call whose whole response is parsed by ``parse``;
        ``payload`` is the JSON body, if any (a call with a body is a
        generation: see ``generates``); ``errors`` builds the exception of an
        error response."""
        url = self._url(path, query)
        headers, body = self._message(payload, options.headers, stream=False)
        transport = self._transport
        timeouts = options.timeouts

        def attempt() -> Flow:
            return request_flow(
                method,
                url,
                headers=headers,
                body=body,
                timeouts=timeouts,
                clock=transport.clock,
                max_redirects=transport.max_redirects,
            )

        return call_flow(
            attempt,
            parse,
            policy=options.policy,
            secret=self._api_key,
            generates=payload is not None,
            errors=errors,
        )

    def _stream(
        self,
        path: str,
        payload: object,
        options: _Options,
        *,
        method: str = "POST",
        query: Mapping[str, str] | None = None,
        generates: bool = True,
        errors: ErrorFromResponse = error_from_response,
    ) -> Flow:
        """The flow of one stream (a streamed generation unless
        ``generates=False``): open it (with retries while no byte of a
        response arrived, as the policy allows), then read it, comments
        included."""
        url = self._url(path, query)
        headers, body = self._message(payload, options.headers, stream=True)
        transport = self._transport
        timeouts = options.timeouts

        def attempt() -> Flow:
            return open_stream(
                method,
                url,
                headers=headers,
                body=body,
                timeouts=timeouts,
                clock=transport.clock,
                max_redirects=transport.max_redirects,
            )

        start = yield from call_flow(
            attempt,
            None,
            policy=options.policy,
            secret=self._api_key,
            generates=generates,
            stream=True,
            errors=errors,
        )
        return (yield from read_stream(start, clock=transport.clock, comments=True))

    def _message(
        self,
        payload: object,
        headers: tuple[tuple[str, str], ...],
        *,
        stream: bool,
    ) -> tuple[tuple[tuple[str, str], ...], bytes | None]:
        if stream:
            headers = (*headers, ("Accept", "text/event-stream"))
        if payload is None:
            return headers, None
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return (*headers, ("Content-Type", "application/json")), body

    def _any(
        self,
        method: str,
        path: str,
        json_body: object,
        params: Mapping[str, str] | None,
        options: _Options,
    ) -> Flow:
        """The flow of :meth:`OpenRouter.request`."""
        method = _check_method(method)
        _check_api_path(path)
        return self._call(method, path, _decoded, options, query=params, payload=json_body)

    def _stream_request(
        self,
        method: str,
        path: str,
        json_body: object,
        params: Mapping[str, str] | None,
        options: _Options,
    ) -> Flow:
        """The flow of :meth:`OpenRouter.stream_request`: a POST or a call
        with a body is a generation (sent again only as the policy allows)."""
        method = _check_method(method)
        _check_api_path(path)
        generates = method == "POST" or json_body is not None
        return self._stream(
            path, json_body, options, method=method, query=params, generates=generates
        )

    def _json_stream_core(
        self, format: StreamFormat, on_heartbeat: AsyncHeartbeatCallback | None, *, awaits: bool
    ) -> StreamCore[Any]:
        """The core of a :class:`JSONEventStream`: decoded values, ``format``'s
        rules, the error builder of its kind (typed events or chat chunks)."""
        if not isinstance(format, StreamFormat):
            raise TypeError(f"format must be an sseproto.StreamFormat, not {type(format).__name__}")
        if not awaits:
            refuse_async_callback("on_heartbeat", on_heartbeat)
        return StreamCore(
            _decoded,
            LastEvent(),
            format=format,
            error=chat_stream_error if format.types_from is None else event_stream_error,
            secret=self._api_key,
            on_heartbeat=on_heartbeat,
            awaits=awaits,
        )

    def _models(
        self, query: ModelsQuery | None, filters: dict[str, object], options: _Options
    ) -> Flow:
        """``GET /models`` with ``query``, or with the filters given as keyword arguments.

        Raises ``TypeError`` when both are given (or ``query`` is not a
        ``ModelsQuery``), and what ``ModelsQuery`` raises for a bad filter.
        """
        given = {name: value for name, value in filters.items() if value is not None}
        if query is not None and not isinstance(query, ModelsQuery):
            raise TypeError(f"query must be a ModelsQuery, got {type(query).__name__}")
        if given:
            if query is not None:
                raise TypeError(
                    f"list_models() takes a ModelsQuery or filter keywords, not both "
                    f"(got query and {', '.join(sorted(given))})"
                )
            query = ModelsQuery(**given)  # type: ignore[arg-type]  # checked by ModelsQuery
        params = query.to_params() if query is not None else None
        return self._call("GET", "models", ModelList.from_dict, options, query=params)

    def _endpoints(self, author: str, slug: str, options: _Options) -> Flow:
        for part in (author, slug):
            if not isinstance(part, str) or not part or "/" in part:
                raise ValueError(f"author and slug must be non-empty names, not {part!r}")
        path = endpoints_path(author, slug)  # refuses "." and "..", encodes the rest
        return self._call("GET", path, ModelEndpoints.from_dict, options)

    def _generation(self, generation_id: str, options: _Options) -> Flow:
        if not isinstance(generation_id, str) or not generation_id:
            raise ValueError(f"generation_id must be a non-empty str, not {generation_id!r}")
        query = {"id": generation_id}
        return self._call("GET", "generation", Generation.from_dict, options, query=query)


def _decoded(value: Any) -> Any:
    """The parser of :meth:`OpenRouter.request`: the decoded JSON as it is."""
    return value


def _check_api_path(path: object) -> None:
    """Refuse a path that could leave the API root: an absolute URL, a
    scheme, a dot segment, a query or fragment (``params=`` is for the
    query)."""
    if not isinstance(path, str) or not path.strip("/"):
        raise ValueError(f"path must be a non-empty path under the API root, not {path!r}")
    if "://" in path or path.startswith("//") or any(mark in path for mark in "?#\\"):
        raise ValueError(f"path must be a path under the API root (e.g. 'models'), not {path!r}")
    if any(segment in (".", "..") for segment in path.strip("/").split("/")):
        raise ValueError(f"path must not hold '.' or '..' segments: {path!r}")


def _check_method(method: object) -> str:
    """``method`` in upper case; ``ValueError`` unless it is a method name."""
    if not isinstance(method, str) or not method.isascii() or not method.isalpha():
        raise ValueError(f"method must be an HTTP method name, not {method!r}")
    return method.upper()


_Callback = TypeVar("_Callback", HeartbeatCallback, AsyncHeartbeatCallback)


def _keepalive_alias(
    on_heartbeat: _Callback | None, on_keepalive: _Callback | None
) -> _Callback | None:
    """``on_heartbeat``, or the deprecated ``on_keepalive`` (with a warning)."""
    if on_keepalive is not None:
        warnings.warn(
            "on_keepalive= is deprecated: pass on_heartbeat=", DeprecationWarning, stacklevel=3
        )
        if on_heartbeat is None:
            return on_keepalive
    return on_heartbeat


# -- the clients -------------------------------------------------------------------------


class OpenRouter(_Core):
    """A blocking OpenRouter client.

    Arguments:
        api_key: the API key; ``OPENROUTER_API_KEY`` when not given.
        base_url: the API root (``OPENROUTER_BASE_URL``, else
            ``https://openrouter.ai/api/v1``); a trailing slash is ignored.
        site_url, site_title: sent as ``HTTP-Referer`` and
            ``X-OpenRouter-Title`` / ``X-Title`` (app attribution).
        transport: an sseproto blocking client (default: a new
            :class:`sseproto.adapters.sync.Client`) or an ``httpx.Client``
            (wrapped in :class:`sseproto.adapters.httpx.Client`).
        timeout: seconds (the read limit) or a
            :class:`~sseproto.adapters.Timeouts`.
        max_retries: shorthand for ``retry_policy.max_retries``.
        retry_policy: see :class:`RetryPolicy`.

    Every method also takes, for that call alone: ``timeout=`` (seconds or a
    :class:`~sseproto.http.Timeouts`, replacing the client's), ``headers=``
    (a mapping or ``(name, value)`` pairs, added to the client's headers and
    replacing those of the same name; ``Authorization`` is refused, the key
    being the client's) and ``max_retries=`` (replacing the policy's).

    Raises:
        MissingAPIKeyError: no key given and none in the environment.
        InvalidAPIKeyError: the key holds whitespace, a control character
            or non-ASCII (the message never shows the key).
        InvalidBaseURLError: the base URL is not ``http(s)://host[:port]/path``.
    """

    __slots__ = (
        "_owns_transport",
        "_transport",
        "activity",
        "audio",
        "auth",
        "chat",
        "completions",
        "credits",
        "embeddings",
        "endpoints",
        "generations",
        "images",
        "keys",
        "messages",
        "models",
        "providers",
        "rerank",
        "responses",
        "videos",
    )

    chat: ChatResource
    completions: CompletionsResource
    responses: ResponsesResource
    messages: MessagesResource
    embeddings: EmbeddingsResource
    rerank: RerankResource
    models: ModelsResource
    endpoints: EndpointsResource
    providers: ProvidersResource
    generations: GenerationsResource
    credits: CreditsResource
    activity: ActivityResource
    keys: KeysResource
    auth: AuthResource
    images: ImagesResource
    audio: AudioResource
    videos: VideosResource

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        site_url: str | None = None,
        site_title: str | None = None,
        transport: Any = None,
        timeout: float | Timeouts | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self._setup(api_key, base_url, site_url, site_title, timeout, max_retries, retry_policy)
        self._owns_transport = transport is None
        if transport is None:
            transport = SocketClient(timeouts=self._timeouts)
        elif not isinstance(transport, SyncClientBase):
            import httpx  # noqa: PLC0415 - optional dependency

            from sseproto.adapters.httpx import Client as HTTPXClient  # noqa: PLC0415

            if not isinstance(transport, httpx.Client):
                raise TypeError(
                    "transport must be an sseproto blocking client or an httpx.Client, "
                    f"not {type(transport).__name__}"
                )
            transport = HTTPXClient(transport)
        self._transport: SyncClientBase = transport
        # One of each namespace, from the table both clients share.
        for name, faces in NAMESPACES.items():
            setattr(self, name, faces[0](self))

    def _run(self, flow: Flow) -> Any:
        return self._transport.run(flow)

    def _open(self, flow: Flow) -> EventStream[Event | Comment]:
        """The event stream of ``flow``, not yet open (the stream object opens it)."""
        events: EventStream[Event | Comment] = self._transport.event_stream(flow)
        return events

    def chat_completion(
        self,
        request: ChatCompletionRequest | Mapping[str, Any],
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> ChatCompletion:
        """Alias of ``client.chat.create`` (gopenrouter's name):
        ``POST /chat/completions``, the whole response.

        Raises:
            ValueError: the request has ``stream=True`` (use
                :meth:`chat_completion_stream`).
            APIStatusError subclasses, APIConnectionError, APITimeoutError,
                ResponseDecodeError: see ``openrouter._errors``.
        """
        return self.chat.create(request, timeout=timeout, headers=headers, max_retries=max_retries)

    def chat_completion_stream(
        self,
        request: ChatCompletionRequest | Mapping[str, Any],
        *,
        on_heartbeat: HeartbeatCallback | None = None,
        keep_chunks: bool = False,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
        on_keepalive: HeartbeatCallback | None = None,
    ) -> ChatCompletionStream:
        """Alias of ``client.chat.stream`` (gopenrouter's name):
        ``POST /chat/completions`` with ``stream: true``; sends the request
        now and returns the open :class:`ChatCompletionStream` (its headers
        are available at once).
        ``on_heartbeat`` is called with the text of each heartbeat (a
        keepalive comment, such as ``: OPENROUTER PROCESSING``);
        ``on_keepalive`` is its deprecated former name.
        With ``keep_chunks=True`` the stream keeps every chunk and an error
        that ends it carries them all in ``chunks``; otherwise (the default,
        which keeps memory flat) ``chunks`` holds the in-band error chunk
        alone, and ``partial`` always holds everything merged.

        Raises:
            TypeError: ``on_heartbeat`` is an ``async def`` (nothing is sent;
                :class:`AsyncOpenRouter` awaits one).
            the errors of a response that does not open the stream, as
                :meth:`chat_completion`.
        """
        return self.chat.stream(
            request,
            on_heartbeat=_keepalive_alias(on_heartbeat, on_keepalive),
            keep_chunks=keep_chunks,
            timeout=timeout,
            headers=headers,
            max_retries=max_retries,
        )

    def completion(
        self,
        request: CompletionRequest | Mapping[str, Any],
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> Completion:
        """Alias of ``client.completions.create`` (gopenrouter's name):
        ``POST /completions`` (legacy text completion), the whole response."""
        return self.completions.create(
            request, timeout=timeout, headers=headers, max_retries=max_retries
        )

    def completion_stream(
        self,
        request: CompletionRequest | Mapping[str, Any],
        *,
        on_heartbeat: HeartbeatCallback | None = None,
        keep_chunks: bool = False,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
        on_keepalive: HeartbeatCallback | None = None,
    ) -> CompletionStream:
        """Alias of ``client.completions.stream`` (gopenrouter's name):
        ``POST /completions`` with ``stream: true``; see
        :meth:`chat_completion_stream`."""
        return self.completions.stream(
            request,
            on_heartbeat=_keepalive_alias(on_heartbeat, on_keepalive),
            keep_chunks=keep_chunks,
            timeout=timeout,
            headers=headers,
            max_retries=max_retries,
        )

    def list_models(
        self,
        query: ModelsQuery | None = None,
        *,
        category: ModelCategory | str | None = None,
        supported_parameters: Sequence[str] | None = None,
        output_modalities: Sequence[str] | None = None,
        extra: Mapping[str, str] | None = None,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> ModelList:
        """Alias of ``client.models.list``: ``GET /models``, the models,
        filtered by ``query`` or by the filter keywords.

        ``category``, ``supported_parameters``, ``output_modalities`` and
        ``extra`` are :class:`ModelsQuery`'s fields, so
        ``list_models(supported_parameters=["tools"])`` is
        ``list_models(ModelsQuery(supported_parameters=["tools"]))``. The
        result indexes, slices, iterates and has a ``len()`` like a list of
        :class:`Model` (see :class:`ModelList`).

        Raises:
            TypeError: both ``query`` and a filter keyword are given, or a
                filter has the wrong type (as ``ModelsQuery`` raises).
        """
        filters = _model_filters(category, supported_parameters, output_modalities, extra)
        options = self._options(timeout, headers, max_retries)
        result: ModelList = self._run(self._models(query, filters, options))
        return result

    def list_endpoints(
        self,
        author: str,
        slug: str,
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> ModelEndpoints:
        """Alias of ``client.models.endpoints``:
        ``GET /models/{author}/{slug}/endpoints``, the providers serving a model.

        Raises:
            ValueError: ``author`` or ``slug`` is empty, holds a ``/`` or is a
                dot segment (``.``, ``..``); other characters are
                percent-encoded, so neither can change the path.
        """
        options = self._options(timeout, headers, max_retries)
        result: ModelEndpoints = self._run(self._endpoints(author, slug, options))
        return result

    def get_credits(
        self,
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> Credits:
        """Alias of ``client.credits.get``: ``GET /credits``, credits bought and used."""
        return self.credits.get(timeout=timeout, headers=headers, max_retries=max_retries)

    def get_generation(
        self,
        generation_id: str,
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> Generation:
        """Alias of ``client.generations.get``: ``GET /generation?id=...``, cost
        and statistics of one generation."""
        options = self._options(timeout, headers, max_retries)
        result: Generation = self._run(self._generation(generation_id, options))
        return result

    def get_key(
        self,
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> KeyInfo:
        """Alias of ``client.keys.current``: ``GET /key``, the current key's
        label, usage and limits."""
        return self.keys.current(timeout=timeout, headers=headers, max_retries=max_retries)

    def stream_request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str] | None = None,
        format: StreamFormat = sseproto.CHAT,
        on_heartbeat: HeartbeatCallback | None = None,
        **options: Unpack[CallOptions],
    ) -> JSONEventStream:
        """Any streaming operation of the API, typed here or not: ``method``
        on ``path`` under the API root, with ``json`` as the body and
        ``params`` as the query, read by ``format``'s rules
        (:data:`sseproto.CHAT`, ``COMPLETIONS``, ``RESPONSES``, ``MESSAGES``
        or your own :class:`~sseproto.StreamFormat`). Sends the request now
        and returns the open :class:`JSONEventStream`, which yields the
        decoded JSON value of each event (an event that is not a JSON object
        reads as ``{}``). Sent with the same key, headers, time limits and
        error classes as the typed methods; a POST (or any request with a
        body) is a generation, sent again only as
        :attr:`RetryPolicy.retry_after_send` allows. The outcome, the
        ``StreamError`` of an in-band error and the ``StreamTruncatedError``
        of a missing end are the format's, as on the typed streams; their
        ``partial`` is the last value received (a dict, or None).

        Raises:
            ValueError: ``path`` or ``method`` is refused as :meth:`request`
                refuses them.
            TypeError: ``format`` is not a StreamFormat, or ``on_heartbeat``
                is an ``async def``.
            APIStatusError subclasses, APIConnectionError, APITimeoutError:
                the stream did not open.
        """
        core = self._json_stream_core(format, on_heartbeat, awaits=False)
        opts = self._options(
            options.get("timeout"), options.get("headers"), options.get("max_retries")
        )
        flow = self._stream_request(method, path, json, params, opts)
        return JSONEventStream(self._open(flow), core)._start()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str] | None = None,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> Any:
        """Any operation of the API, typed here or not (organisation
        administration, new endpoints): ``method`` on ``path`` under the API
        root (``"models/count"``, ``"keys"``), with ``json`` as the body and
        ``params`` as the query; returns the decoded JSON body (``None`` for
        a 204). Sent with the same key, headers, time limits, retries and
        error classes as the typed methods; a request with a body is a
        generation as far as retries go (sent again only as
        :attr:`RetryPolicy.retry_after_send` allows).

        Raises:
            ValueError: ``path`` is not a path under the API root (a URL, a
                dot segment, a query: use ``params``), or ``method`` is not a
                method name.
            APIStatusError subclasses, APIConnectionError, APITimeoutError,
                ResponseDecodeError: as the typed methods.
        """
        options = self._options(timeout, headers, max_retries)
        return self._run(self._any(method, path, json, params, options))

    def close(self) -> None:
        """Close the idle connections (the transport, if this client made it)."""
        if self._owns_transport:
            self._transport.close()

    def __enter__(self) -> OpenRouter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncOpenRouter(_Core):
    """The async OpenRouter client, under asyncio or trio (picked when first
    used); the methods of :class:`OpenRouter`, awaited. ``transport`` is an
    sseproto async client (default :class:`sseproto.adapters.AsyncClient`)
    or an ``httpx.AsyncClient``.
    """

    __slots__ = (
        "_owns_transport",
        "_transport",
        "activity",
        "audio",
        "auth",
        "chat",
        "completions",
        "credits",
        "embeddings",
        "endpoints",
        "generations",
        "images",
        "keys",
        "messages",
        "models",
        "providers",
        "rerank",
        "responses",
        "videos",
    )

    chat: AsyncChatResource
    completions: AsyncCompletionsResource
    responses: AsyncResponsesResource
    messages: AsyncMessagesResource
    embeddings: AsyncEmbeddingsResource
    rerank: AsyncRerankResource
    models: AsyncModelsResource
    endpoints: AsyncEndpointsResource
    providers: AsyncProvidersResource
    generations: AsyncGenerationsResource
    credits: AsyncCreditsResource
    activity: AsyncActivityResource
    keys: AsyncKeysResource
    auth: AsyncAuthResource
    images: AsyncImagesResource
    audio: AsyncAudioResource
    videos: AsyncVideosResource

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        site_url: str | None = None,
        site_title: str | None = None,
        transport: Any = None,
        timeout: float | Timeouts | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self._setup(api_key, base_url, site_url, site_title, timeout, max_retries, retry_policy)
        self._owns_transport = transport is None
        if transport is None:
            transport = AsyncClient(timeouts=self._timeouts)
        elif not isinstance(transport, AsyncClientBase):
            import httpx  # noqa: PLC0415 - optional dependency

            from sseproto.adapters.httpx import AsyncClient as HTTPXAsyncClient  # noqa: PLC0415

            if not isinstance(transport, httpx.AsyncClient):
                raise TypeError(
                    "transport must be an sseproto async client or an httpx.AsyncClient, "
                    f"not {type(transport).__name__}"
                )
            transport = HTTPXAsyncClient(transport)
        self._transport: AsyncClientBase = transport
        # One of each namespace, from the table both clients share.
        for name, faces in NAMESPACES.items():
            setattr(self, name, faces[1](self))

    async def _run(self, flow: Flow) -> Any:
        return await self._transport.run(flow)

    def _open(self, flow: Flow) -> AsyncEventStream[Event | Comment]:
        """The event stream of ``flow``, not yet open (the stream object opens it)."""
        events: AsyncEventStream[Event | Comment] = self._transport.event_stream(flow)
        return events

    async def chat_completion(
        self,
        request: ChatCompletionRequest | Mapping[str, Any],
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> ChatCompletion:
        """Alias of ``client.chat.create``: as :meth:`OpenRouter.chat_completion`."""
        return await self.chat.create(
            request, timeout=timeout, headers=headers, max_retries=max_retries
        )

    def chat_completion_stream(
        self,
        request: ChatCompletionRequest | Mapping[str, Any],
        *,
        on_heartbeat: AsyncHeartbeatCallback | None = None,
        keep_chunks: bool = False,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
        on_keepalive: AsyncHeartbeatCallback | None = None,
    ) -> AsyncChatCompletionStream:
        """Alias of ``client.chat.stream``: as
        :meth:`OpenRouter.chat_completion_stream`, but the request is
        sent when the returned stream is awaited, entered or first iterated:
        ``async with client.chat_completion_stream(...) as stream``,
        ``stream = await client.chat_completion_stream(...)`` (then
        ``aclose()`` it) and ``async for chunk in ...`` all work.
        ``on_heartbeat`` may be an ``async def``: it is awaited."""
        return self.chat.stream(
            request,
            on_heartbeat=_keepalive_alias(on_heartbeat, on_keepalive),
            keep_chunks=keep_chunks,
            timeout=timeout,
            headers=headers,
            max_retries=max_retries,
        )

    async def completion(
        self,
        request: CompletionRequest | Mapping[str, Any],
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> Completion:
        """Alias of ``client.completions.create``: as :meth:`OpenRouter.completion`."""
        return await self.completions.create(
            request, timeout=timeout, headers=headers, max_retries=max_retries
        )

    def completion_stream(
        self,
        request: CompletionRequest | Mapping[str, Any],
        *,
        on_heartbeat: AsyncHeartbeatCallback | None = None,
        keep_chunks: bool = False,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
        on_keepalive: AsyncHeartbeatCallback | None = None,
    ) -> AsyncCompletionStream:
        """Alias of ``client.completions.stream``: as
        :meth:`OpenRouter.completion_stream`, opened as
        :meth:`chat_completion_stream` says."""
        return self.completions.stream(
            request,
            on_heartbeat=_keepalive_alias(on_heartbeat, on_keepalive),
            keep_chunks=keep_chunks,
            timeout=timeout,
            headers=headers,
            max_retries=max_retries,
        )

    async def list_models(
        self,
        query: ModelsQuery | None = None,
        *,
        category: ModelCategory | str | None = None,
        supported_parameters: Sequence[str] | None = None,
        output_modalities: Sequence[str] | None = None,
        extra: Mapping[str, str] | None = None,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> ModelList:
        """Alias of ``client.models.list``: as :meth:`OpenRouter.list_models`."""
        filters = _model_filters(category, supported_parameters, output_modalities, extra)
        options = self._options(timeout, headers, max_retries)
        result: ModelList = await self._run(self._models(query, filters, options))
        return result

    async def list_endpoints(
        self,
        author: str,
        slug: str,
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> ModelEndpoints:
        """Alias of ``client.models.endpoints``: as :meth:`OpenRouter.list_endpoints`."""
        options = self._options(timeout, headers, max_retries)
        result: ModelEndpoints = await self._run(self._endpoints(author, slug, options))
        return result

    async def get_credits(
        self,
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> Credits:
        """Alias of ``client.credits.get``: as :meth:`OpenRouter.get_credits`."""
        return await self.credits.get(timeout=timeout, headers=headers, max_retries=max_retries)

    async def get_generation(
        self,
        generation_id: str,
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> Generation:
        """Alias of ``client.generations.get``: as :meth:`OpenRouter.get_generation`."""
        options = self._options(timeout, headers, max_retries)
        result: Generation = await self._run(self._generation(generation_id, options))
        return result

    async def get_key(
        self,
        *,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> KeyInfo:
        """Alias of ``client.keys.current``: as :meth:`OpenRouter.get_key`."""
        return await self.keys.current(timeout=timeout, headers=headers, max_retries=max_retries)

    def stream_request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str] | None = None,
        format: StreamFormat = sseproto.CHAT,
        on_heartbeat: AsyncHeartbeatCallback | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncJSONEventStream:
        """As :meth:`OpenRouter.stream_request`, but the request is sent when
        the stream is awaited, entered or first iterated."""
        core = self._json_stream_core(format, on_heartbeat, awaits=True)
        opts = self._options(
            options.get("timeout"), options.get("headers"), options.get("max_retries")
        )
        flow = self._stream_request(method, path, json, params, opts)
        return AsyncJSONEventStream(self._open(flow), core)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str] | None = None,
        timeout: float | Timeouts | None = None,
        headers: HeaderTypes | None = None,
        max_retries: int | None = None,
    ) -> Any:
        """As :meth:`OpenRouter.request`."""
        options = self._options(timeout, headers, max_retries)
        return await self._run(self._any(method, path, json, params, options))

    async def aclose(self) -> None:
        """Close the idle connections (the transport, if this client made it)."""
        if self._owns_transport:
            await self._transport.aclose()

    async def __aenter__(self) -> AsyncOpenRouter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
