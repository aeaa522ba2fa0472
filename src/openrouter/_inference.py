"""The inference namespaces: ``client.chat``, ``client.completions`` (legacy),
``client.responses`` (OpenAI's Responses format) and ``client.messages``
(Anthropic's Messages format).

The four are one shape: a :class:`Kind` says what differs (the path, the
typed request, the parser of the whole answer, and for a stream the
:class:`~sseproto.StreamFormat`, the typed item builder, the accumulator and
the builder of its :class:`StreamError`); :func:`create_flow`,
:func:`stream_flow` and :func:`stream_core` build every call from it, for
both faces and for the client's gopenrouter-named aliases
(``chat_completion`` and friends), so nothing is written twice.
:data:`IMAGES_KIND` is the same for the streamed image generation of
``client.images.stream()`` (``_media.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Unpack

from sseproto import CHAT, COMPLETIONS, IMAGES, MESSAGES, RESPONSES, StreamFormat
from sseproto.http import Operation

from ._accumulator import ChatCompletionAccumulator, CompletionAccumulator
from ._calls import (
    ErrorFromResponse,
    StreamCore,
    StreamErrorBuilder,
    chat_stream_error,
    event_stream_error,
    messages_error_from_response,
)
from ._errors import error_from_response
from ._inference_requests import MessagesRequest, ResponsesRequest
from ._media_records import ImageGeneration, ImageStreamAccumulator, parse_image_event
from ._media_requests import ImageRequest
from ._messages_api import AnthropicMessage, MessagesAccumulator, parse_message_event
from ._requests import ChatCompletionRequest, CompletionRequest
from ._resource import AsyncResource, CallOptions, Resource, request_body
from ._responses import ChatCompletion, ChatCompletionChunk, Completion, CompletionChunk
from ._responses_api import Response, ResponsesAccumulator, parse_response_event
from ._streams import (
    AsyncChatCompletionStream,
    AsyncCompletionStream,
    AsyncHeartbeatCallback,
    AsyncMessageStream,
    AsyncResponseStream,
    ChatCompletionStream,
    CompletionStream,
    HeartbeatCallback,
    MessageStream,
    ResponseStream,
    refuse_async_callback,
)

if TYPE_CHECKING:
    from sseproto import Comment, Event
    from sseproto.adapters import AsyncEventStream, EventStream

    from ._client import _Core, _Options

__all__ = [
    "CHAT_KIND",
    "COMPLETIONS_KIND",
    "IMAGES_KIND",
    "MESSAGES_KIND",
    "RESPONSES_KIND",
    "AsyncChatResource",
    "AsyncCompletionsResource",
    "AsyncMessagesResource",
    "AsyncResponsesResource",
    "ChatResource",
    "CompletionsResource",
    "Kind",
    "MessagesResource",
    "ResponsesResource",
    "create_flow",
    "stream_core",
    "stream_flow",
]

Flow = Generator[Operation, Any, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Kind:
    """What one inference operation is: everything its calls differ by."""

    #: The namespace's attribute (``"chat"`` for ``client.chat``), named in errors.
    namespace: str
    #: The path under the API root.
    path: str
    #: The typed request class (a mapping with the wire JSON is accepted too).
    request: type
    #: Builds the typed answer of a non-streamed call from its JSON.
    parse: Callable[[Any], Any]
    #: The method that streams, as the ``ValueError`` of ``create()`` names it.
    stream_method: str
    #: The stream's framing rules.
    format: StreamFormat
    #: Builds the typed item of one decoded event.
    item: Callable[[Any], Any]
    #: Makes the accumulator of one stream.
    accumulator: Callable[[], Any]
    #: Builds the StreamError of an in-band error.
    stream_error: StreamErrorBuilder
    #: Builds the error of an error response.
    errors: ErrorFromResponse = error_from_response


CHAT_KIND = Kind(
    namespace="chat",
    path="chat/completions",
    request=ChatCompletionRequest,
    parse=ChatCompletion.from_dict,
    stream_method="client.chat.stream() (or chat_completion_stream())",
    format=CHAT,
    item=ChatCompletionChunk,
    accumulator=ChatCompletionAccumulator,
    stream_error=chat_stream_error,
)
COMPLETIONS_KIND = Kind(
    namespace="completions",
    path="completions",
    request=CompletionRequest,
    parse=Completion.from_dict,
    stream_method="client.completions.stream() (or completion_stream())",
    format=COMPLETIONS,
    item=CompletionChunk,
    accumulator=CompletionAccumulator,
    stream_error=chat_stream_error,
)
RESPONSES_KIND = Kind(
    namespace="responses",
    path="responses",
    request=ResponsesRequest,
    parse=Response.from_dict,
    stream_method="client.responses.stream()",
    format=RESPONSES,
    item=parse_response_event,
    accumulator=ResponsesAccumulator,
    stream_error=event_stream_error,
)
MESSAGES_KIND = Kind(
    namespace="messages",
    path="messages",
    request=MessagesRequest,
    parse=AnthropicMessage.from_dict,
    stream_method="client.messages.stream()",
    format=MESSAGES,
    item=parse_message_event,
    accumulator=MessagesAccumulator,
    stream_error=event_stream_error,
    errors=messages_error_from_response,
)

IMAGES_KIND = Kind(
    namespace="images",
    path="images",
    request=ImageRequest,
    parse=ImageGeneration.from_dict,
    stream_method="client.images.stream()",
    format=IMAGES,
    item=parse_image_event,
    accumulator=ImageStreamAccumulator,
    stream_error=event_stream_error,
)


def _body(kind: Kind, request: object, method: str) -> dict[str, Any]:
    return request_body(request, kind.request, f"client.{kind.namespace}.{method}")


def create_flow(core: _Core, kind: Kind, request: object, options: _Options) -> Flow:
    """The flow of one non-streamed call of ``kind``.

    Raises (at once, before anything is sent):
        TypeError: ``request`` is neither ``kind.request`` nor a mapping.
        ValueError: the request asks for a stream (``stream=True``, or
            ``"stream": true`` in a mapping): that is the stream method's.
    """
    body = _body(kind, request, "create")
    if body.get("stream"):
        raise ValueError(
            f"this request has stream=True: call {kind.stream_method} for a streamed response"
        )
    return core._call("POST", kind.path, kind.parse, options, payload=body, errors=kind.errors)


def stream_flow(core: _Core, kind: Kind, request: object, options: _Options) -> Flow:
    """The flow of one streamed call of ``kind`` (``"stream": true`` is set).

    Raises ``TypeError`` at once, as :func:`create_flow`."""
    body = _body(kind, request, "stream")
    body["stream"] = True
    return core._stream(kind.path, body, options, errors=kind.errors)


def stream_core(
    core: _Core,
    kind: Kind,
    on_heartbeat: AsyncHeartbeatCallback | None,
    keep_chunks: bool,
    *,
    awaits: bool,
) -> StreamCore[Any]:
    """The decisions of one stream of ``kind``; ``awaits`` for the async
    faces (an ``async def`` callback is awaited), else one is refused here
    (``TypeError``), before anything is sent."""
    if not awaits:
        refuse_async_callback("on_heartbeat", on_heartbeat)
    return StreamCore(
        kind.item,
        kind.accumulator(),
        format=kind.format,
        error=kind.stream_error,
        secret=core._api_key,
        on_heartbeat=on_heartbeat,
        keep_chunks=keep_chunks,
        awaits=awaits,
    )


class _Inference(Resource):
    """A blocking inference namespace: its :class:`Kind` and the two builds."""

    __slots__ = ()

    _kind: ClassVar[Kind]

    def _create(self, request: object, options: CallOptions) -> Any:
        return self._run(create_flow(self._core, self._kind, request, self._options(options)))

    def _stream(
        self,
        request: object,
        on_heartbeat: HeartbeatCallback | None,
        keep_chunks: bool,
        options: CallOptions,
    ) -> tuple[EventStream[Event | Comment], StreamCore[Any]]:
        core = stream_core(self._core, self._kind, on_heartbeat, keep_chunks, awaits=False)
        flow = stream_flow(self._core, self._kind, request, self._options(options))
        return self._client._open(flow), core


class _AsyncInference(AsyncResource):
    """An async inference namespace: as :class:`_Inference`."""

    __slots__ = ()

    _kind: ClassVar[Kind]

    async def _create(self, request: object, options: CallOptions) -> Any:
        return await self._run(create_flow(self._core, self._kind, request, self._options(options)))

    def _stream(
        self,
        request: object,
        on_heartbeat: AsyncHeartbeatCallback | None,
        keep_chunks: bool,
        options: CallOptions,
    ) -> tuple[AsyncEventStream[Event | Comment], StreamCore[Any]]:
        core = stream_core(self._core, self._kind, on_heartbeat, keep_chunks, awaits=True)
        flow = stream_flow(self._core, self._kind, request, self._options(options))
        return self._client._open(flow), core


class ChatResource(_Inference):
    """``client.chat``: chat completions (``POST /chat/completions``)."""

    __slots__ = ()

    _kind = CHAT_KIND

    def create(
        self,
        request: ChatCompletionRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> ChatCompletion:
        """``POST /chat/completions``: the whole :class:`ChatCompletion` for
        ``request``: a :class:`ChatCompletionRequest`, or a mapping with the
        wire JSON (sent as given). Takes the per-call options (``timeout``,
        ``headers``, ``max_retries``: :class:`~openrouter.resources.CallOptions`).

        Raises:
            TypeError: ``request`` is neither a ChatCompletionRequest nor a
                mapping with str keys (nothing is sent).
            ValueError: the request asks for a stream (``stream=True``, or
                ``"stream": true`` in a mapping): use :meth:`stream`.
            APIStatusError subclasses, APIConnectionError, APITimeoutError,
                ResponseDecodeError: see ``openrouter._errors``.
        """
        result: ChatCompletion = self._create(request, options)
        return result

    def stream(
        self,
        request: ChatCompletionRequest | Mapping[str, Any],
        *,
        on_heartbeat: HeartbeatCallback | None = None,
        keep_chunks: bool = False,
        **options: Unpack[CallOptions],
    ) -> ChatCompletionStream:
        """``POST /chat/completions`` with ``"stream": true``: sends the
        request now and returns the open :class:`ChatCompletionStream` of
        :class:`ChatCompletionChunk` items (its headers are available at once).

        ``on_heartbeat`` is called with the text of each keepalive comment
        (``: OPENROUTER PROCESSING``). With ``keep_chunks=True`` the stream
        keeps every item and an error that ends it carries them all in
        ``chunks``; otherwise (memory stays flat) ``chunks`` holds the item
        that carried the error alone; ``partial`` always holds everything
        merged. Takes the per-call options, as :meth:`create`.

        Raises:
            TypeError: ``request`` is neither a ChatCompletionRequest nor a
                mapping, or ``on_heartbeat`` is an ``async def`` (nothing is
                sent; the async client awaits one).
            APIStatusError subclasses, APIConnectionError, APITimeoutError:
                the stream did not open.
        """
        return ChatCompletionStream(
            *self._stream(request, on_heartbeat, keep_chunks, options)
        )._start()


class AsyncChatResource(_AsyncInference):
    """``client.chat`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`ChatResource`, awaited."""

    __slots__ = ()

    _kind = CHAT_KIND

    async def create(
        self,
        request: ChatCompletionRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> ChatCompletion:
        """As :meth:`ChatResource.create`."""
        result: ChatCompletion = await self._create(request, options)
        return result

    def stream(
        self,
        request: ChatCompletionRequest | Mapping[str, Any],
        *,
        on_heartbeat: AsyncHeartbeatCallback | None = None,
        keep_chunks: bool = False,
        **options: Unpack[CallOptions],
    ) -> AsyncChatCompletionStream:
        """As :meth:`ChatResource.stream`, but the request is sent when the
        stream is awaited, entered (``async with``) or first iterated;
        ``on_heartbeat`` may be an ``async def`` (it is awaited)."""
        return AsyncChatCompletionStream(*self._stream(request, on_heartbeat, keep_chunks, options))


class CompletionsResource(_Inference):
    """``client.completions``: legacy text completions (``POST /completions``)."""

    __slots__ = ()

    _kind = COMPLETIONS_KIND

    def create(
        self,
        request: CompletionRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> Completion:
        """``POST /completions`` (legacy text completion): the whole
        :class:`Completion` for ``request`` (a :class:`CompletionRequest` or a
        mapping with the wire JSON); raises as :meth:`ChatResource.create`."""
        result: Completion = self._create(request, options)
        return result

    def stream(
        self,
        request: CompletionRequest | Mapping[str, Any],
        *,
        on_heartbeat: HeartbeatCallback | None = None,
        keep_chunks: bool = False,
        **options: Unpack[CallOptions],
    ) -> CompletionStream:
        """``POST /completions`` with ``"stream": true``: the open
        :class:`CompletionStream` of :class:`CompletionChunk` items; the
        arguments and errors are :meth:`ChatResource.stream`'s."""
        return CompletionStream(*self._stream(request, on_heartbeat, keep_chunks, options))._start()


class AsyncCompletionsResource(_AsyncInference):
    """``client.completions`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`CompletionsResource`, awaited."""

    __slots__ = ()

    _kind = COMPLETIONS_KIND

    async def create(
        self,
        request: CompletionRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> Completion:
        """As :meth:`CompletionsResource.create`."""
        result: Completion = await self._create(request, options)
        return result

    def stream(
        self,
        request: CompletionRequest | Mapping[str, Any],
        *,
        on_heartbeat: AsyncHeartbeatCallback | None = None,
        keep_chunks: bool = False,
        **options: Unpack[CallOptions],
    ) -> AsyncCompletionStream:
        """As :meth:`CompletionsResource.stream`, opened as
        :meth:`AsyncChatResource.stream` says."""
        return AsyncCompletionStream(*self._stream(request, on_heartbeat, keep_chunks, options))


class ResponsesResource(_Inference):
    """``client.responses``: the Responses API (``POST /responses``)."""

    __slots__ = ()

    _kind = RESPONSES_KIND

    def create(
        self,
        request: ResponsesRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> Response:
        """``POST /responses``: the whole :class:`Response` for ``request`` (a
        :class:`ResponsesRequest` or a mapping with the wire JSON):
        ``output_text``, ``status`` (``completed``, ``incomplete``, ...),
        ``usage`` and typed ``output`` items. Raises as
        :meth:`ChatResource.create`."""
        result: Response = self._create(request, options)
        return result

    def stream(
        self,
        request: ResponsesRequest | Mapping[str, Any],
        *,
        on_heartbeat: HeartbeatCallback | None = None,
        keep_chunks: bool = False,
        **options: Unpack[CallOptions],
    ) -> ResponseStream:
        """``POST /responses`` with ``"stream": true``: sends the request now
        and returns the open :class:`ResponseStream` of typed events (see its
        outcomes); the arguments and errors are :meth:`ChatResource.stream`'s."""
        return ResponseStream(*self._stream(request, on_heartbeat, keep_chunks, options))._start()


class AsyncResponsesResource(_AsyncInference):
    """``client.responses`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`ResponsesResource`, awaited."""

    __slots__ = ()

    _kind = RESPONSES_KIND

    async def create(
        self,
        request: ResponsesRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> Response:
        """As :meth:`ResponsesResource.create`."""
        result: Response = await self._create(request, options)
        return result

    def stream(
        self,
        request: ResponsesRequest | Mapping[str, Any],
        *,
        on_heartbeat: AsyncHeartbeatCallback | None = None,
        keep_chunks: bool = False,
        **options: Unpack[CallOptions],
    ) -> AsyncResponseStream:
        """As :meth:`ResponsesResource.stream`, opened as
        :meth:`AsyncChatResource.stream` says."""
        return AsyncResponseStream(*self._stream(request, on_heartbeat, keep_chunks, options))


class MessagesResource(_Inference):
    """``client.messages``: the Messages API (``POST /messages``, Anthropic's format)."""

    __slots__ = ()

    _kind = MESSAGES_KIND

    def create(
        self,
        request: MessagesRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> AnthropicMessage:
        """``POST /messages``: the whole :class:`AnthropicMessage` for
        ``request`` (a :class:`MessagesRequest` or a mapping with the wire
        JSON): typed ``content`` blocks, ``stop_reason``, ``usage``. Raises as
        :meth:`ChatResource.create`; an error response in Anthropic's envelope
        (``{"type": "error", "error": {"type": "not_found_error", ...}}``) is
        the class of its status with ``code`` = the error's ``type``."""
        result: AnthropicMessage = self._create(request, options)
        return result

    def stream(
        self,
        request: MessagesRequest | Mapping[str, Any],
        *,
        on_heartbeat: HeartbeatCallback | None = None,
        keep_chunks: bool = False,
        **options: Unpack[CallOptions],
    ) -> MessageStream:
        """``POST /messages`` with ``"stream": true``: sends the request now
        and returns the open :class:`MessageStream` of typed events (see its
        outcomes); ``on_heartbeat`` is called for keepalive comments and with
        the data of each ``ping`` event. Otherwise as :meth:`ChatResource.stream`."""
        return MessageStream(*self._stream(request, on_heartbeat, keep_chunks, options))._start()


class AsyncMessagesResource(_AsyncInference):
    """``client.messages`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`MessagesResource`, awaited."""

    __slots__ = ()

    _kind = MESSAGES_KIND

    async def create(
        self,
        request: MessagesRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> AnthropicMessage:
        """As :meth:`MessagesResource.create`."""
        result: AnthropicMessage = await self._create(request, options)
        return result

    def stream(
        self,
        request: MessagesRequest | Mapping[str, Any],
        *,
        on_heartbeat: AsyncHeartbeatCallback | None = None,
        keep_chunks: bool = False,
        **options: Unpack[CallOptions],
    ) -> AsyncMessageStream:
        """As :meth:`MessagesResource.stream`, opened as
        :meth:`AsyncChatResource.stream` says."""
        return AsyncMessageStream(*self._stream(request, on_heartbeat, keep_chunks, options))
