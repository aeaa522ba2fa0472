"""The ``openrouter`` command line; usage and exit codes are in ``__main__.py``.

Every command goes through the public client API (``OpenRouter``,
``AsyncOpenRouter``, the request types and the error tree), so the command
line doubles as a working example of it. Errors become one line on standard
error, ``openrouter: what happened. What to do.`` (in words, chosen by the
error's class: see ``_ADVICE``), and an exit code chosen by
:func:`exit_code_for`. A request that is retried says so on standard error as
it happens (``openrouter: 429, retrying in 2 s (1/2)``).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TextIO

from sseproto import SSEError, __version__

from ._account_records import APIKey
from ._account_requests import KeyCreateRequest, KeyUpdateRequest
from ._calls import RetryNotice, RetryPolicy
from ._client import DEFAULT_BASE_URL, MissingAPIKeyError, OpenRouter
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    InternalServerError,
    InvalidAPIKeyError,
    InvalidBaseURLError,
    OpenRouterError,
    PaymentRequiredError,
    RateLimitError,
    ResponseDecodeError,
    StreamError,
    StreamTruncatedError,
)
from ._inference_requests import MessagesRequest, ResponsesRequest
from ._media_requests import EmbeddingsRequest
from ._messages_api import AnthropicMessage, ContentBlockDeltaEvent, MessageEvent
from ._requests import ChatCompletionRequest, Message, ModelsQuery, ReasoningOptions, UsageOptions
from ._responses import ChatCompletion, ChatCompletionChunk, Model
from ._responses_api import Response, ResponseEvent, TextDeltaEvent
from ._terminal import LiveView, json_for_terminal, printable, table

__all__ = [
    "DEFAULT_MODEL",
    "EXIT_API_ERROR",
    "EXIT_CONNECTION",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_STREAM",
    "EXIT_USAGE",
    "build_parser",
    "exit_code_for",
    "run",
]

EXIT_OK: Final = 0
EXIT_API_ERROR: Final = 1
EXIT_USAGE: Final = 2
EXIT_CONNECTION: Final = 3
EXIT_STREAM: Final = 4
EXIT_INTERRUPTED: Final = 130

#: The model ``chat`` asks for unless ``-m`` says: OpenRouter's router picks one.
DEFAULT_MODEL: Final = "openrouter/auto"

#: The model ``embed`` asks for unless ``-m`` says.
DEFAULT_EMBEDDING_MODEL: Final = "openai/text-embedding-3-small"

#: The key ``demo`` and the example of ``mock`` use; the mock accepts any key
#: unless ``mock --api-key`` names one.
MOCK_KEY: Final = "sk-mock"

_EFFORTS: Final = ("xhigh", "high", "medium", "low", "minimal", "none")
_KEYS_URL: Final = "https://openrouter.ai/keys"
_CREDITS_URL: Final = "https://openrouter.ai/settings/credits"

_PROG: Final = "openrouter"


def _say(message: str) -> None:
    # One line; server text in it (an error message, a model ID) cannot
    # drive the terminal.
    print(f"{_PROG}: {printable(message)}", file=sys.stderr, flush=True)


# -- arguments -------------------------------------------------------------------------


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a number > 0, not {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, not {value}")
    return value


def _positive_int(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def _port(text: str) -> int:
    value = _count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be from 0 to 65535, not {value}")
    return value


def _connection_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The global options. Subcommands repeat them with SUPPRESS defaults, so
    they may come before or after the command name without one hiding the other."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("connection")
    group.add_argument(
        "--base-url",
        default=default(None),
        metavar="URL",
        help=f"the API root (default: $OPENROUTER_BASE_URL, else {DEFAULT_BASE_URL})",
    )
    group.add_argument(
        "--api-key",
        default=default(None),
        metavar="KEY",
        help="the API key (default: $OPENROUTER_API_KEY)",
    )
    group.add_argument(
        "--timeout",
        type=_positive_float,
        default=default(None),
        metavar="S",
        help="seconds without a byte before giving up (default 120)",
    )
    group.add_argument(
        "--max-retries",
        type=_count,
        default=default(None),
        metavar="N",
        help="attempts after a failed request; 0 turns retries off (default 2)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the whole command line."""
    cli = argparse.ArgumentParser(
        prog=_PROG,
        description="Talk to the OpenRouter API: stream a chat, list models, check a key.",
    )
    cli.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="print the version"
    )
    _connection_options(cli, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _connection_options(common, suppress=True)
    commands = cli.add_subparsers(dest="command", metavar="COMMAND", required=True)

    chat = commands.add_parser(
        "chat", parents=[common], help="stream a chat completion to standard output"
    )
    chat.add_argument("prompt", metavar="PROMPT", help="the user message, or - for standard input")
    chat.add_argument(
        "-m", "--model", default=DEFAULT_MODEL, help=f"model ID (default {DEFAULT_MODEL})"
    )
    chat.add_argument("--system", metavar="TEXT", help="a system message sent first")
    chat.add_argument(
        "--api",
        choices=tuple(_FORMATS),
        default="chat",
        help="the API format: chat (chat completions, the default), responses "
        "(OpenAI's Responses) or messages (Anthropic's Messages)",
    )
    chat.add_argument(
        "--max-tokens", type=_positive_int, metavar="N", help="at most N tokens in the answer"
    )
    chat.add_argument(
        "--temperature", type=float, metavar="T", help="sampling temperature, e.g. 0 to 2"
    )
    chat.add_argument(
        "--reasoning",
        choices=_EFFORTS,
        metavar="EFFORT",
        help=f"reasoning effort for models that think: {', '.join(_EFFORTS)}",
    )
    shown = chat.add_mutually_exclusive_group()
    shown.add_argument(
        "--show-reasoning",
        dest="show_reasoning",
        action="store_const",
        const=True,
        default=None,
        help="print the reasoning on standard error (default: only when it is a terminal)",
    )
    shown.add_argument(
        "--hide-reasoning",
        dest="show_reasoning",
        action="store_const",
        const=False,
        help="never print the reasoning",
    )

    models = commands.add_parser("models", parents=[common], help="list the models")
    models.add_argument("--json", action="store_true", help="one JSON object per line")
    models.add_argument("--category", metavar="C", help="e.g. programming, roleplay")
    models.add_argument(
        "--supported-parameters",
        nargs="+",
        metavar="P",
        help="keep models that accept every one of these parameters (e.g. tools)",
    )
    models.add_argument(
        "--search", metavar="TEXT", help="keep models whose ID or name contains TEXT"
    )

    generation = commands.add_parser(
        "generation", parents=[common], help="cost and statistics of one generation"
    )
    generation.add_argument("id", metavar="ID", help="a generation ID (gen-...)")
    generation.add_argument("--json", action="store_true", help="the raw JSON object")

    key = commands.add_parser("key", parents=[common], help="the API key's limits and usage")
    key.add_argument("--json", action="store_true", help="the raw JSON object")

    credits_ = commands.add_parser("credits", parents=[common], help="credits bought and used")
    credits_.add_argument("--json", action="store_true", help="the raw JSON object")

    embed = commands.add_parser(
        "embed", parents=[common], help="embed texts as vectors (one per text)"
    )
    embed.add_argument(
        "texts",
        nargs="+",
        metavar="TEXT",
        help="texts to embed, or - for one text per line of input",
    )
    embed.add_argument(
        "-m", "--model", default=DEFAULT_EMBEDDING_MODEL, help=f"default {DEFAULT_EMBEDDING_MODEL}"
    )
    embed.add_argument("--dimensions", type=_positive_int, metavar="N", help="vector length")
    embed.add_argument("--json", action="store_true", help="one JSON array (a vector) per line")

    providers = commands.add_parser("providers", parents=[common], help="list the providers")
    providers.add_argument("--json", action="store_true", help="one JSON object per line")

    keys = commands.add_parser(
        "keys", parents=[common], help="manage API keys (needs a management key)"
    )
    actions = keys.add_subparsers(dest="action", metavar="ACTION", required=True)
    listed = actions.add_parser("list", parents=[common], help="list the keys")
    listed.add_argument("--include-disabled", action="store_true", help="disabled keys too")
    listed.add_argument("--json", action="store_true", help="one JSON object per line")
    created = actions.add_parser(
        "create", parents=[common], help="create a key; it is printed once, on standard output"
    )
    created.add_argument("name", metavar="NAME", help="the key's name")
    created.add_argument("--limit", type=_positive_float, metavar="USD", help="spending limit")
    created.add_argument(
        "--limit-reset", choices=("daily", "weekly", "monthly"), help="when the limit starts over"
    )
    shown_key = actions.add_parser("get", parents=[common], help="one key's limits and usage")
    shown_key.add_argument("hash", metavar="HASH", help="the key's hash (from keys list)")
    shown_key.add_argument("--json", action="store_true", help="the raw JSON object")
    updated = actions.add_parser("update", parents=[common], help="rename, limit or disable a key")
    updated.add_argument("hash", metavar="HASH", help="the key's hash (from keys list)")
    updated.add_argument("--name", metavar="NAME", help="a new name")
    updated.add_argument("--limit", type=_positive_float, metavar="USD", help="spending limit")
    switch = updated.add_mutually_exclusive_group()
    switch.add_argument(
        "--disable", dest="disabled", action="store_const", const=True, help="refuse its requests"
    )
    switch.add_argument(
        "--enable", dest="disabled", action="store_const", const=False, help="accept them again"
    )
    deleted = actions.add_parser("delete", parents=[common], help="delete a key for good")
    deleted.add_argument("hash", metavar="HASH", help="the key's hash (from keys list)")
    deleted.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    mock = commands.add_parser("mock", help="run the mock OpenRouter server in the foreground")
    mock.add_argument("--port", type=_port, default=0, help="port (default: a free one)")
    mock.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    mock.add_argument(
        "--api-key",
        default=argparse.SUPPRESS,  # also before the command, as for the other commands
        metavar="KEY",
        help="accept only this key and answer 401 to any other (default: any key)",
    )

    commands.add_parser(
        "demo",
        help="stream from an embedded mock server through every transport (no key, no network)",
    )
    return cli


# -- errors ------------------------------------------------------------------------------


def exit_code_for(exc: BaseException) -> int:
    """The exit code for an error raised by a command."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, ConfigurationError):
        return EXIT_USAGE
    if isinstance(exc, (StreamError, StreamTruncatedError)):
        return EXIT_STREAM
    if isinstance(exc, APIConnectionError):
        return EXIT_CONNECTION
    return EXIT_API_ERROR


#: What an error is, in words, and what to do about it, one sentence: the first
#: entry whose type matches decides (subclasses come before their bases). An
#: empty name means the error's own message says what happened (an
#: :class:`APIError`'s starts with its status and meaning, "HTTP 429 rate
#: limited: ..."). ``{base_url}`` is the API root in use.
_ADVICE: Final[tuple[tuple[type[OpenRouterError], str, str], ...]] = (
    (
        MissingAPIKeyError,
        "",
        "set OPENROUTER_API_KEY (export OPENROUTER_API_KEY=sk-or-...) or pass --api-key; "
        f"create a key at {_KEYS_URL}",
    ),
    (InvalidAPIKeyError, "invalid API key", "check the key in OPENROUTER_API_KEY or --api-key"),
    (
        InvalidBaseURLError,
        "invalid base URL",
        f"pass --base-url as http(s)://host[:port]/path, e.g. {DEFAULT_BASE_URL}",
    ),
    (
        AuthenticationError,
        "",
        f"check the key in OPENROUTER_API_KEY or --api-key; it may be revoked ({_KEYS_URL})",
    ),
    (PaymentRequiredError, "", f"add credits at {_CREDITS_URL}, or lower --max-tokens"),
    (RateLimitError, "", "wait a little and try again"),
    (
        InternalServerError,
        "",
        "the service or the provider failed; try again later or another model",
    ),
    (StreamError, "", "the provider failed mid-answer; try again, or another model with -m"),
    (StreamTruncatedError, "", "the answer above is incomplete; try again"),
    (
        APITimeoutError,
        "timed out",
        "the server at {base_url} went quiet; try again or raise --timeout",
    ),
    (APIConnectionError, "connection failed", "check --base-url ({base_url}) and the network"),
    (
        ResponseDecodeError,
        "unexpected response",
        "is {base_url} an OpenRouter API root? check --base-url",
    ),
    (APIError, "", "check the request's arguments"),
)


def _advice(exc: OpenRouterError, base_url: str) -> str:
    """What to do about ``exc``, one sentence (see ``_ADVICE``)."""
    for kind, _, advice in _ADVICE:
        if not isinstance(exc, kind):
            continue
        # The wait a rate limit names depends on the error's value.
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            return f"wait {exc.retry_after:g} s (Retry-After) and try again"
        return advice.format(base_url=base_url)
    return "see the message"


def _failure(exc: BaseException) -> str:
    """A transport error's message, then its cause's unless the message
    already quotes it (``[Errno 111] Connection refused``)."""
    text = str(exc)
    cause = exc.__cause__
    if cause is not None and str(cause) and str(cause) not in text:
        text += f" ({cause})"
    return text


def _what(exc: OpenRouterError) -> str:
    """What happened, in words (no class names), one line."""
    if isinstance(exc, MissingAPIKeyError):
        # The library's message speaks of api_key=; here the option is --api-key.
        return "no OpenRouter API key"
    text = str(exc)
    if type(exc) in (APIConnectionError, APITimeoutError) and isinstance(exc.__cause__, SSEError):
        # The client's message starts with the transport error's class name.
        text = _failure(exc.__cause__)
    name = next((name for kind, name, _ in _ADVICE if isinstance(exc, kind)), "")
    return f"{name}: {text}" if name else text


def _report(exc: OpenRouterError, base_url: str) -> int:
    text = " ".join(_what(exc).split()).rstrip(".")
    advice = _advice(exc, base_url)
    _say(f"{text}. {advice[:1].upper()}{advice[1:]}.")
    return exit_code_for(exc)


def _retry_line(notice: RetryNotice) -> str:
    """``429, retrying in 2 s (1/2)``: a retry as it is about to happen."""
    error = notice.error
    status = getattr(error, "status", None)
    if isinstance(status, int):
        what = str(status)
    elif isinstance(error, APITimeoutError):
        what = "timed out"
    else:
        what = "connection failed"
    delay = f"{round(notice.delay, 2):g}"
    return f"{what}, retrying in {delay} s ({notice.attempt}/{notice.max_retries})"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _money(dollars: float | None) -> str:
    """Dollars as every command shows them: ``$0.000123``, ``$100.00``, ``-`` for None.

    Up to six decimals (a generation can cost a millionth of a dollar), at
    least two.
    """
    if dollars is None:
        return "-"
    whole, _, decimals = f"{abs(dollars):.6f}".rstrip("0").partition(".")
    sign = "-" if dollars < 0 else ""
    return f"{sign}${whole}.{decimals.ljust(2, '0')}"


@dataclass(slots=True)
class _Settings:
    api_key: str | None
    base_url: str
    timeout: float | None
    max_retries: int | None


def _settings(args: argparse.Namespace) -> _Settings:
    base = args.base_url or os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL
    return _Settings(args.api_key, base.rstrip("/"), args.timeout, args.max_retries)


def _client(settings: _Settings, notify: Callable[[str], None] = _say) -> OpenRouter:
    """The client for ``settings``; each retry is announced with ``notify``."""
    return OpenRouter(
        settings.api_key,
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        retry_policy=RetryPolicy(on_retry=lambda notice: notify(_retry_line(notice))),
    )


# -- chat ----------------------------------------------------------------------------------


def _chat_request(args: argparse.Namespace, prompt: str) -> ChatCompletionRequest:
    messages: list[Message] = []
    if args.system:
        messages.append(Message.system(args.system))
    messages.append(Message.user(prompt))
    reasoning = ReasoningOptions(effort=args.reasoning) if args.reasoning else None
    return ChatCompletionRequest(
        model=args.model,
        messages=messages,
        reasoning=reasoning,
        usage=UsageOptions(),
        max_tokens=args.max_tokens,
        temperature=args.temperature,
    )


def _responses_request(args: argparse.Namespace, prompt: str) -> ResponsesRequest:
    return ResponsesRequest(
        model=args.model,
        input=prompt,
        instructions=args.system,
        reasoning=ReasoningOptions(effort=args.reasoning) if args.reasoning else None,
        max_output_tokens=args.max_tokens,
        temperature=args.temperature,
    )


#: Output tokens asked for on ``--api messages`` without ``--max-tokens``:
#: Anthropic's format requires a bound.
MESSAGES_MAX_TOKENS: Final = 4096

#: Thinking budget on ``--api messages --reasoning EFFORT`` (Anthropic's
#: format asks for tokens, not an effort); ``none`` sends no thinking.
_THINKING_BUDGETS: Final = {
    "xhigh": 32000,
    "high": 16000,
    "medium": 8000,
    "low": 4000,
    "minimal": 1024,
}


def _messages_request(args: argparse.Namespace, prompt: str) -> MessagesRequest:
    budget = _THINKING_BUDGETS.get(args.reasoning or "")
    max_tokens = args.max_tokens or max(MESSAGES_MAX_TOKENS, (budget or 0) + 1024)
    return MessagesRequest(
        model=args.model,
        messages=[Message.user(prompt)],
        system=args.system,
        max_tokens=max_tokens,
        thinking=None if budget is None else {"type": "enabled", "budget_tokens": budget},
        temperature=args.temperature,
    )


def _seconds_text(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


@dataclass(frozen=True, slots=True)
class _Totals:
    """What the summary line says about a finished answer, in any API format."""

    model: str | None
    provider: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    cost: float | None


def _chat_totals(result: ChatCompletion) -> _Totals:
    usage = result.usage
    return _Totals(
        result.model,
        result.provider,
        None if usage is None else usage.prompt_tokens,
        None if usage is None else usage.completion_tokens,
        None if usage is None else usage.cost,
    )


def _responses_totals(result: Response) -> _Totals:
    usage = result.usage
    provider = result.raw.get("provider")
    return _Totals(
        result.model,
        provider if isinstance(provider, str) else None,
        None if usage is None else usage.input_tokens,
        None if usage is None else usage.output_tokens,
        None if usage is None or usage.cost is None else float(usage.cost),
    )


def _messages_totals(result: AnthropicMessage) -> _Totals:
    usage = result.usage
    return _Totals(
        result.model,
        result.provider,
        None if usage is None else usage.input_tokens,
        None if usage is None else usage.output_tokens,
        None if usage is None or usage.cost is None else float(usage.cost),
    )


def _summary(
    totals: _Totals,
    started: float,
    first: float | None,
    ended: float,
    chunks: int,
    generation_id: str | None,
) -> str:
    parts = [f"{totals.model or 'unknown model'} via {totals.provider or 'unknown provider'}"]
    prompt, completion = totals.prompt_tokens, totals.completion_tokens
    tokens = f"{'?' if prompt is None else prompt}/{'?' if completion is None else completion}"
    parts.append(f"tokens {tokens} (prompt/completion)")
    if totals.cost is not None:
        parts.append(f"cost {_money(totals.cost)}")
    if first is not None:
        parts.append(f"first token {_seconds_text(first - started)}")
        generating = ended - first
        if completion and generating > 0:
            parts.append(f"{completion / generating:.1f} tokens/s")
        elif generating > 0:
            parts.append(f"{chunks / generating:.1f} chunks/s")
    parts.append(f"total {_seconds_text(ended - started)}")
    if generation_id:
        parts.append(f"generation {generation_id}")
    return ", ".join(parts)


def _chat_pieces(chunk: ChatCompletionChunk) -> tuple[str | None, str | None]:
    for choice in chunk.choices:
        if choice.index in (None, 0):
            return choice.delta.reasoning, choice.delta.content
    return None, None


#: Responses event types whose ``delta`` is reasoning, shown as such.
_RESPONSES_REASONING: Final = frozenset(
    {"response.reasoning_summary_text.delta", "response.reasoning_text.delta"}
)


def _responses_pieces(event: ResponseEvent) -> tuple[str | None, str | None]:
    if isinstance(event, TextDeltaEvent):
        if event.type == "response.output_text.delta":
            return None, event.delta
        if event.type in _RESPONSES_REASONING:
            return event.delta, None
    return None, None


def _messages_pieces(event: MessageEvent) -> tuple[str | None, str | None]:
    if isinstance(event, ContentBlockDeltaEvent):
        delta = event.delta
        if delta is not None:
            if delta.type == "text_delta":
                return None, delta.text
            if delta.type == "thinking_delta":
                return delta.thinking, None
    return None, None


@dataclass(frozen=True, slots=True)
class _Format:
    """How ``chat --api NAME`` sends a prompt and reads what streams back."""

    #: Builds the request from the arguments and the prompt.
    request: Callable[[argparse.Namespace, str], object]
    #: Opens the stream: ``(client, request, on_heartbeat)``.
    open: Callable[[OpenRouter, Any, Callable[[str], None]], Any]
    #: ``(reasoning, content)`` text of one streamed item.
    pieces: Callable[[Any], tuple[str | None, str | None]]
    #: The summary's figures from the stream's result.
    totals: Callable[[Any], _Totals]


#: ``chat --api``'s choices: the chat completions format (the default),
#: OpenAI's Responses format and Anthropic's Messages format.
_FORMATS: Final[dict[str, _Format]] = {
    "chat": _Format(
        _chat_request,
        lambda client, request, beat: client.chat.stream(request, on_heartbeat=beat),
        _chat_pieces,
        _chat_totals,
    ),
    "responses": _Format(
        _responses_request,
        lambda client, request, beat: client.responses.stream(request, on_heartbeat=beat),
        _responses_pieces,
        _responses_totals,
    ),
    "messages": _Format(
        _messages_request,
        lambda client, request, beat: client.messages.stream(request, on_heartbeat=beat),
        _messages_pieces,
        _messages_totals,
    ),
}


def _show(pieces: tuple[str | None, str | None], view: LiveView, reasoning: bool) -> None:
    thought, content = pieces
    if reasoning and thought:
        view.reasoning(thought)
    if content:
        view.content(content)


def _run_chat(args: argparse.Namespace, settings: _Settings) -> int:
    if args.prompt == "-":
        prompt = sys.stdin.read()
        if not prompt.strip():
            _say("usage: the prompt read from standard input is empty")
            return EXIT_USAGE
    else:
        prompt = args.prompt
    err = sys.stderr
    tty = err.isatty()
    show_reasoning = tty if args.show_reasoning is None else bool(args.show_reasoning)
    wire = _FORMATS[args.api]
    try:
        request = wire.request(args, prompt)
    except (TypeError, ValueError) as exc:
        _say(f"usage: {exc}")
        return EXIT_USAGE
    view = LiveView(sys.stdout, err, waiting=tty, dim=tty)
    stream = None
    chunks = 0
    try:
        with _client(settings, lambda line: view.notice(f"{_PROG}: {line}")) as client:
            view.start()
            try:
                stream = wire.open(client, request, view.heartbeat)
                with stream:
                    for item in stream:
                        chunks += 1
                        _show(wire.pieces(item), view, show_reasoning)
            finally:
                view.stop()
            ended = time.perf_counter()
            result = stream.result()
            _say(
                _summary(
                    wire.totals(result),
                    view.started,
                    view.first_token_at,
                    ended,
                    chunks,
                    stream.generation_id or result.id,
                )
            )
    except KeyboardInterrupt:
        if stream is not None:
            stream.close()
        view.stop()
        where = (
            f"after {_plural(chunks, 'chunk')}"
            if stream is not None
            else "before the answer started"
        )
        _say(f"interrupted {where}; the connection is closed")
        return EXIT_INTERRUPTED
    except OpenRouterError as exc:
        return _report(exc, settings.base_url)
    return EXIT_OK


# -- other API calls ---------------------------------------------------------------------


def _price(per_token: str | None) -> str:
    """A per-token price string as dollars per million tokens."""
    if per_token is None:
        return "-"
    try:
        value = float(per_token)
    except ValueError:
        return per_token
    if value < 0:
        return "varies"
    return f"${value * 1_000_000:.2f}"


def _matches(model: Model, needle: str) -> bool:
    haystack = f"{model.id or ''} {model.name or ''}".casefold()
    return needle.casefold() in haystack


def _run_models(args: argparse.Namespace, settings: _Settings) -> int:
    query = None
    if args.category or args.supported_parameters:
        query = ModelsQuery(category=args.category, supported_parameters=args.supported_parameters)
    with _client(settings) as client:
        models = client.list_models(query).data
    if args.search:
        models = [m for m in models if _matches(m, args.search)]
    out = sys.stdout
    if args.json:
        for model in models:
            out.write(json_for_terminal(json.dumps(model.raw, ensure_ascii=False)) + "\n")
        out.flush()
        return EXIT_OK
    rows = [["ID", "CONTEXT", "PROMPT $/1M", "COMPLETION $/1M"]]
    for model in models:
        pricing = model.pricing
        context = model.context_length
        rows.append(
            [
                model.id or "?",
                "-" if context is None else f"{context:,}",
                _price(pricing.prompt if pricing else None),
                _price(pricing.completion if pricing else None),
            ]
        )
    out.write(table(rows, right=frozenset({1, 2, 3})) + "\n")
    out.write(f"{len(models)} model{'' if len(models) == 1 else 's'}\n")
    out.flush()
    return EXIT_OK


def _value(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    return printable(str(value))


def _print_fields(pairs: Sequence[tuple[str, object]], out: TextIO | None = None) -> None:
    out = sys.stdout if out is None else out
    width = max(len(name) for name, _ in pairs)
    for name, value in pairs:
        out.write(f"{name.ljust(width)}  {_value(value)}\n")
    out.flush()


def _print_raw(raw: object) -> None:
    print(json_for_terminal(json.dumps(raw, ensure_ascii=False, indent=2)), flush=True)


def _run_generation(args: argparse.Namespace, settings: _Settings) -> int:
    with _client(settings) as client:
        gen = client.get_generation(args.id)
    if args.json:
        _print_raw(gen.raw)
        return EXIT_OK
    _print_fields(
        [
            ("id", gen.id),
            ("model", gen.model),
            ("provider", gen.provider_name),
            ("created", gen.created_at),
            ("streamed", gen.streamed),
            ("cancelled", gen.cancelled),
            ("finish reason", gen.finish_reason),
            ("tokens prompt", gen.tokens_prompt),
            ("tokens completion", gen.tokens_completion),
            ("reasoning tokens", gen.native_tokens_reasoning),
            ("cost", _money(gen.total_cost)),
            ("latency ms", gen.latency),
            ("generation ms", gen.generation_time),
        ]
    )
    return EXIT_OK


def _run_key(args: argparse.Namespace, settings: _Settings) -> int:
    with _client(settings) as client:
        info = client.get_key()
    if args.json:
        _print_raw(info.raw)
        return EXIT_OK
    rate = info.rate_limit
    rate_text = None
    if rate is not None and rate.requests is not None:
        rate_text = f"{rate.requests} requests / {rate.interval or '?'}"
    _print_fields(
        [
            ("label", info.label),
            ("limit", _money(info.limit)),
            ("remaining", _money(info.limit_remaining)),
            ("usage", _money(info.usage)),
            ("usage today", _money(info.usage_daily)),
            ("usage this month", _money(info.usage_monthly)),
            ("free tier", info.is_free_tier),
            ("rate limit", rate_text),
        ]
    )
    return EXIT_OK


def _run_credits(args: argparse.Namespace, settings: _Settings) -> int:
    with _client(settings) as client:
        credits_ = client.get_credits()
    if args.json:
        _print_raw(credits_.raw)
        return EXIT_OK
    total, used = credits_.total_credits, credits_.total_usage
    remaining = None if total is None or used is None else total - used
    _print_fields(
        [("total", _money(total)), ("used", _money(used)), ("remaining", _money(remaining))]
    )
    return EXIT_OK


def _run_embed(args: argparse.Namespace, settings: _Settings) -> int:
    texts: list[str] = []
    for text in args.texts:
        if text == "-":
            texts.extend(line for line in sys.stdin.read().splitlines() if line.strip())
        else:
            texts.append(text)
    if not texts or not all(text.strip() for text in texts):
        _say("usage: every text to embed must hold something")
        return EXIT_USAGE
    request = EmbeddingsRequest(model=args.model, input=texts, dimensions=args.dimensions)
    with _client(settings) as client:
        answer = client.embeddings.create(request)
    out = sys.stdout
    vectors = answer.vectors
    if args.json:
        for vector in vectors:
            out.write(json.dumps(vector) + "\n")
        out.flush()
        return EXIT_OK
    rows = [["#", "DIMENSIONS", "FIRST VALUES", "TEXT"]]
    for number, (vector, text) in enumerate(zip(vectors, texts, strict=False), 1):
        head = ", ".join(f"{value:+.4f}" for value in vector[:3])
        more = ", ..." if len(vector) > 3 else ""
        shown = text if len(text) <= 40 else text[:39] + "\u2026"
        rows.append([str(number), str(len(vector)), f"[{head}{more}]", printable(shown)])
    out.write(table(rows, right=frozenset({0, 1})) + "\n")
    out.flush()
    usage = answer.usage
    tokens = None if usage is None else usage.prompt_tokens
    cost = None if usage is None else usage.cost
    _say(
        f"{answer.model or args.model}: {_plural(len(vectors), 'vector')}, "
        f"{'?' if tokens is None else tokens} tokens, cost {_money(cost)}"
    )
    return EXIT_OK


def _run_providers(args: argparse.Namespace, settings: _Settings) -> int:
    with _client(settings) as client:
        providers = client.providers.list()
    out = sys.stdout
    if args.json:
        for provider in providers:
            out.write(json_for_terminal(json.dumps(provider.raw, ensure_ascii=False)) + "\n")
        out.flush()
        return EXIT_OK
    header = ["SLUG", "NAME", "HEADQUARTERS", "DATACENTERS", "STATUS PAGE"]
    rows = [header] + [
        [
            printable(provider.slug or "?"),
            printable(provider.name or "-"),
            printable(provider.headquarters or "-"),
            printable(",".join(provider.datacenters or ()) or "-"),
            printable(provider.status_page_url or "-"),
        ]
        for provider in providers
    ]
    out.write(table(rows) + "\n")
    out.write(f"{_plural(len(providers), 'provider')}\n")
    out.flush()
    return EXIT_OK


def _key_fields(key: APIKey | None) -> list[tuple[str, object]]:
    if key is None:
        return [("key", None)]
    return [
        ("name", key.name),
        ("hash", key.hash),
        ("label", key.label),
        ("disabled", key.disabled),
        ("limit", _money(key.limit)),
        ("limit reset", key.limit_reset),
        ("remaining", _money(key.limit_remaining)),
        ("usage", _money(key.usage)),
        ("usage today", _money(key.usage_daily)),
        ("created", key.created_at),
        ("expires", key.expires_at),
    ]


def _keys_list(client: OpenRouter, args: argparse.Namespace) -> int:
    found = client.keys.list(include_disabled=args.include_disabled or None)
    if args.json:
        for key in found:
            print(json_for_terminal(json.dumps(key.raw, ensure_ascii=False)))
        return EXIT_OK
    header = ["HASH", "NAME", "LABEL", "LIMIT", "USAGE", "STATE"]
    rows = [header] + [
        [
            (key.hash or "?")[:12],
            printable(key.name or "-"),
            printable(key.label or "-"),
            _money(key.limit),
            _money(key.usage),
            "disabled" if key.disabled else "active",
        ]
        for key in found
    ]
    print(table(rows, right=frozenset({3, 4})))
    print(_plural(len(found), "key"), flush=True)
    return EXIT_OK


def _keys_create(client: OpenRouter, args: argparse.Namespace) -> int:
    request = KeyCreateRequest(args.name, limit=args.limit, limit_reset=args.limit_reset)
    created = client.keys.create(request)
    _print_fields(_key_fields(created.data), out=sys.stderr)
    _say("the new key is on standard output; it is shown only this once")
    # The one place a key is printed: the key the user asked to create.
    print(created.key, flush=True)
    return EXIT_OK


def _keys_get(client: OpenRouter, args: argparse.Namespace) -> int:
    key = client.keys.get(args.hash)
    if args.json:
        _print_raw(key.raw)
    else:
        _print_fields(_key_fields(key))
    return EXIT_OK


def _keys_update(client: OpenRouter, args: argparse.Namespace) -> int:
    change = KeyUpdateRequest(name=args.name, limit=args.limit, disabled=args.disabled)
    if not change.to_dict():
        _say("usage: keys update needs --name, --limit, --disable or --enable")
        return EXIT_USAGE
    _print_fields(_key_fields(client.keys.update(args.hash, change)))
    return EXIT_OK


def _keys_delete(client: OpenRouter, args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            _say("usage: keys delete asks for confirmation; pass --yes to delete without it")
            return EXIT_USAGE
        key = client.keys.get(args.hash)
        name = printable(key.name or "?")
        sys.stderr.write(f"delete key {name} ({key.label or '?'})? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in {"y", "yes"}:
            _say("not deleted")
            return EXIT_OK
    client.keys.delete(args.hash)
    _say(f"deleted key {args.hash[:12]}")
    return EXIT_OK


#: ``keys ACTION``: what each action does with the client.
_KEY_ACTIONS: Final[dict[str, Callable[[OpenRouter, argparse.Namespace], int]]] = {
    "list": _keys_list,
    "create": _keys_create,
    "get": _keys_get,
    "update": _keys_update,
    "delete": _keys_delete,
}


def _run_keys(args: argparse.Namespace, settings: _Settings) -> int:
    with _client(settings) as client:
        return _KEY_ACTIONS[args.action](client, args)


# -- mock ----------------------------------------------------------------------------------


def _run_mock(args: argparse.Namespace) -> int:
    from .testing import MockOpenRouter  # noqa: PLC0415 - only this command needs it

    server = MockOpenRouter(args.port, host=args.host, api_key=args.api_key)
    try:
        try:
            server.start()
        except OSError as exc:
            _say(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
            return EXIT_USAGE
        # The key given is not echoed: it may be a real one.
        keys = "any API key works" if args.api_key is None else "only the --api-key given works"
        print(f"mock OpenRouter at {server.base_url} ({keys}; Ctrl-C stops it)")
        key = MOCK_KEY if args.api_key is None else "KEY"
        print(
            f"try: {_PROG} --base-url {server.base_url} --api-key {key} "
            "chat -m 'mock/keepalive?delay=0.5' 'Tell me a story'",
            flush=True,
        )
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
        _say("mock server stopped")
        return EXIT_INTERRUPTED
    return EXIT_OK


# -- entry ---------------------------------------------------------------------------------


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the command, return the exit code."""
    for stream in (sys.stdout, sys.stderr):
        # A character the terminal's encoding lacks is written escaped
        # instead of ending the command with a UnicodeEncodeError.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        return _dispatch(argv)
    except BrokenPipeError:
        # The reader went away (``openrouter chat ... | head``): not an error.
        # Point stdout at devnull so the final flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_OK


def _dispatch(argv: Sequence[str] | None) -> int:
    cli = build_parser()
    try:
        args = cli.parse_args(argv)
    except SystemExit as exc:  # argparse's --help (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command == "mock":
        return _run_mock(args)
    if args.command == "demo":
        from ._demo import run_demo  # noqa: PLC0415 - _demo imports this module

        try:
            return run_demo()
        except KeyboardInterrupt:
            _say("demo interrupted")
            return EXIT_INTERRUPTED
    settings = _settings(args)
    if args.command == "chat":
        return _run_chat(args, settings)
    commands: dict[str, Callable[[argparse.Namespace, _Settings], int]] = {
        "models": _run_models,
        "generation": _run_generation,
        "key": _run_key,
        "credits": _run_credits,
        "embed": _run_embed,
        "providers": _run_providers,
        "keys": _run_keys,
    }
    try:
        return commands[args.command](args, settings)
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except OpenRouterError as exc:
        return _report(exc, settings.base_url)
