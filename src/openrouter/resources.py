"""The resource namespaces of :class:`~openrouter.OpenRouter` and
:class:`~openrouter.AsyncOpenRouter`, one class per namespace and face.

A client makes one of each when it is built: ``client.chat`` is a
:class:`Chat` (an :class:`AsyncChat` on the async client), and so on. They
hold no state of their own; every method sends with the client's key,
headers, time limits, retries and error classes, and takes the
:class:`CallOptions` keywords for that call alone.
"""

from ._account import (
    ActivityResource,
    AsyncActivityResource,
    AsyncAuthResource,
    AsyncCreditsResource,
    AsyncGenerationsResource,
    AsyncKeysResource,
    AuthResource,
    CreditsResource,
    GenerationsResource,
    KeysResource,
)
from ._catalogue import (
    AsyncEndpointsResource,
    AsyncModelsResource,
    AsyncProvidersResource,
    EndpointsResource,
    ModelsResource,
    ProvidersResource,
)
from ._inference import (
    AsyncChatResource,
    AsyncCompletionsResource,
    AsyncMessagesResource,
    AsyncResponsesResource,
    ChatResource,
    CompletionsResource,
    MessagesResource,
    ResponsesResource,
)
from ._media import (
    AsyncAudioResource,
    AsyncEmbeddingsResource,
    AsyncImagesResource,
    AsyncRerankResource,
    AsyncVideosResource,
    AudioResource,
    EmbeddingsResource,
    ImagesResource,
    RerankResource,
    VideosResource,
)
from ._resource import AsyncResource, CallOptions, Resource

__all__ = [
    "ActivityResource",
    "AsyncActivityResource",
    "AsyncAudioResource",
    "AsyncAuthResource",
    "AsyncChatResource",
    "AsyncCompletionsResource",
    "AsyncCreditsResource",
    "AsyncEmbeddingsResource",
    "AsyncEndpointsResource",
    "AsyncGenerationsResource",
    "AsyncImagesResource",
    "AsyncKeysResource",
    "AsyncMessagesResource",
    "AsyncModelsResource",
    "AsyncProvidersResource",
    "AsyncRerankResource",
    "AsyncResource",
    "AsyncResponsesResource",
    "AsyncVideosResource",
    "AudioResource",
    "AuthResource",
    "CallOptions",
    "ChatResource",
    "CompletionsResource",
    "CreditsResource",
    "EmbeddingsResource",
    "EndpointsResource",
    "GenerationsResource",
    "ImagesResource",
    "KeysResource",
    "MessagesResource",
    "ModelsResource",
    "ProvidersResource",
    "RerankResource",
    "Resource",
    "ResponsesResource",
    "VideosResource",
]

#: The namespaces of a client, by attribute name: (blocking class, async class).
NAMESPACES = {
    "chat": (ChatResource, AsyncChatResource),
    "completions": (CompletionsResource, AsyncCompletionsResource),
    "responses": (ResponsesResource, AsyncResponsesResource),
    "messages": (MessagesResource, AsyncMessagesResource),
    "embeddings": (EmbeddingsResource, AsyncEmbeddingsResource),
    "rerank": (RerankResource, AsyncRerankResource),
    "models": (ModelsResource, AsyncModelsResource),
    "endpoints": (EndpointsResource, AsyncEndpointsResource),
    "providers": (ProvidersResource, AsyncProvidersResource),
    "generations": (GenerationsResource, AsyncGenerationsResource),
    "credits": (CreditsResource, AsyncCreditsResource),
    "activity": (ActivityResource, AsyncActivityResource),
    "keys": (KeysResource, AsyncKeysResource),
    "auth": (AuthResource, AsyncAuthResource),
    "images": (ImagesResource, AsyncImagesResource),
    "audio": (AudioResource, AsyncAudioResource),
    "videos": (VideosResource, AsyncVideosResource),
}
