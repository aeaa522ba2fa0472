"""The inference namespaces: ``client.chat``, ``client.completions`` (legacy),
``client.responses`` (OpenAI's ResponsesResource format) and ``client.messages``
(Anthropic's MessagesResource format).
"""

from __future__ import annotations

from ._resource import AsyncResource, Resource

__all__ = [
    "AsyncChatResource",
    "AsyncCompletionsResource",
    "AsyncMessagesResource",
    "AsyncResponsesResource",
    "ChatResource",
    "CompletionsResource",
    "MessagesResource",
    "ResponsesResource",
]


class ChatResource(Resource):
    """``client.chat``."""

    __slots__ = ()


class AsyncChatResource(AsyncResource):
    """``client.chat`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Chat`, awaited."""

    __slots__ = ()


class CompletionsResource(Resource):
    """``client.completions``."""

    __slots__ = ()


class AsyncCompletionsResource(AsyncResource):
    """``client.completions`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Completions`, awaited."""

    __slots__ = ()


class ResponsesResource(Resource):
    """``client.responses``."""

    __slots__ = ()


class AsyncResponsesResource(AsyncResource):
    """``client.responses`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Responses`, awaited."""

    __slots__ = ()


class MessagesResource(Resource):
    """``client.messages``."""

    __slots__ = ()


class AsyncMessagesResource(AsyncResource):
    """``client.messages`` of :class:`~openrouter.AsyncOpenRouter`: the methods of
    :class:`Messages`, awaited."""

    __slots__ = ()
