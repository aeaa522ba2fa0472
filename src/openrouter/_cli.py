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
from typing import Final

from sseproto import SSEError, __version__

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
from ._requests import ChatCompletionRequest, Message, ModelsQuery, ReasoningOptions, UsageOptions
from ._responses import ChatCompletion, ChatCompletionChunk, Model
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


def _seconds_text(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _summary(
    result: ChatCompletion,
    started: float,
    first: float | None,
    ended: float,
    chunks: int,
    generation_id: str | None,
) -> str:
    usage = result.usage
    parts = [f"{result.model or 'unknown model'} via {result.provider or 'unknown provider'}"]
    prompt = usage.prompt_tokens if usage is not None else None
    completion = usage.completion_tokens if usage is not None else None
    tokens = f"{'?' if prompt is None else prompt}/{'?' if completion is None else completion}"
    parts.append(f"tokens {tokens} (prompt/completion)")
    if usage is not None and usage.cost is not None:
        parts.append(f"cost {_money(usage.cost)}")
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


def _show(chunk: ChatCompletionChunk, view: LiveView, reasoning: bool) -> None:
    for choice in chunk.choices:
        if choice.index not in (None, 0):
            continue
        delta = choice.delta
        if reasoning and delta.reasoning:
            view.reasoning(delta.reasoning)
        if delta.content:
            view.content(delta.content)


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
    try:
        request = _chat_request(args, prompt)
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
                stream = client.chat_completion_stream(request, on_heartbeat=view.heartbeat)
                with stream:
                    for chunk in stream:
                        chunks += 1
                        _show(chunk, view, show_reasoning)
            finally:
                view.stop()
            ended = time.perf_counter()
            _say(
                _summary(
                    stream.result(),
                    view.started,
                    view.first_token_at,
                    ended,
                    chunks,
                    stream.generation_id or stream.result().id,
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


def _print_fields(pairs: Sequence[tuple[str, object]]) -> None:
    width = max(len(name) for name, _ in pairs)
    for name, value in pairs:
        print(f"{name.ljust(width)}  {_value(value)}")
    sys.stdout.flush()


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
    }
    try:
        return commands[args.command](args, settings)
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except OpenRouterError as exc:
        return _report(exc, settings.base_url)
