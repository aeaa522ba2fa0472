"""``sseproto`` command line: print the events of a ``text/event-stream`` as JSON lines.

    sseproto URL [-H "Name: value"]... [-X METHOD] [-d DATA|@FILE|@-] [--comments]
                 [--max-events N] [--last-event-id ID] [--once] [--cacert PATH]
                 [--read-timeout S] [--reconnect-delay S]
    sseproto --file PATH|-  [--comments] [--max-events N] [--chunk-size N]
    sseproto --version

With a URL it subscribes with the blocking adapter, EventSource style: it
reconnects when the connection ends or breaks (after the server's ``retry``
delay, sending ``Last-Event-ID``) until stopped; ``--once`` makes a single
GET and ends with its body. ``-X`` and ``-d`` make one request too (a POST
is never sent twice): ``-d`` sends a body (``@FILE`` reads it from a file,
``@-`` from standard input) and makes the method POST unless ``-X`` says
otherwise; when no ``-H`` gives a ``Content-Type`` and the body parses as
JSON, ``Content-Type: application/json`` is sent. With ``--file`` it parses
a saved stream.

Each event is printed as one JSON object ``{"type": ..., "data": ..., "id": ...}``
(comments, with ``--comments``, as ``{"comment": ...}``, the text after the
colon and its one optional space); progress and a summary go to standard
error. When the reader of standard output goes away (``sseproto URL | head
-1``) the command ends quietly with exit code 0. Exit codes:

    0    success (the input ended, --max-events were printed, the server
         answered 204 No Content, which tells an event source to stop, or
         the reader of standard output went away)
    1    the server's stream or response was refused: a protocol limit, a
         status other than 200 or 204, a content type other than
         text/event-stream
    2    bad usage (an unknown option, a URL that is not http:// or https://,
         a malformed header) or an unreadable file
    3    the connection failed or timed out (after reconnecting, if allowed)
    130  interrupted (Ctrl-C)
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import sys
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, TextIO

from . import __version__
from ._errors import LocalProtocolError, ProtocolError
from ._events import Comment, Event
from ._parser import DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_LINE_SIZE, EventStreamParser
from ._reconnect import DEFAULT_MAX_DELAY, DEFAULT_RETRY_DELAY, ReconnectPolicy, ResponseRejected

EXIT_OK = 0
EXIT_PROTOCOL_ERROR = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3
EXIT_INTERRUPTED = 130

#: The status with which a server tells an event source to stop (the spec's
#: "fail the connection" without reconnecting): a clean end here.
_STOP_STATUS = 204


def _chunks(stream: BinaryIO, size: int) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def build_parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="sseproto",
        description="Print each event of a text/event-stream (a URL or a file) as a JSON line.",
    )
    cli.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="print the version"
    )
    source = cli.add_mutually_exclusive_group(required=True)
    source.add_argument("url", nargs="?", help="an http:// or https:// URL to subscribe to")
    source.add_argument(
        "--file",
        metavar="PATH",
        help="a saved event stream to parse, or - for standard input",
    )
    cli.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header (repeatable)",
    )
    cli.add_argument(
        "-X",
        "--method",
        metavar="METHOD",
        help="the request method (default GET, or POST with -d); "
        "anything but GET makes one request, as --once",
    )
    cli.add_argument(
        "-d",
        "--data",
        metavar="DATA",
        help="a request body: the text itself, @FILE for a file's bytes, @- for standard "
        "input; sent once (as --once), Content-Type application/json when it parses as "
        "JSON and no -H sets one",
    )
    cli.add_argument("--last-event-id", default="", metavar="ID", help="resume after this ID")
    cli.add_argument("--once", action="store_true", help="one request, no reconnection")
    cli.add_argument("--cacert", metavar="PATH", help="trust the CA certificates in this PEM file")
    cli.add_argument(
        "--reconnect-delay",
        type=float,
        default=DEFAULT_RETRY_DELAY,
        metavar="S",
        help=f"seconds before reconnecting until the server sends retry: "
        f"(default {DEFAULT_RETRY_DELAY:g})",
    )
    cli.add_argument(
        "--read-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="seconds without a byte before the connection counts as broken (default 120)",
    )
    cli.add_argument(
        "--comments", action="store_true", help='also print comment lines, as {"comment": TEXT}'
    )
    cli.add_argument("--max-events", type=_positive, metavar="N", help="stop after N events")
    cli.add_argument(
        "--chunk-size",
        type=_positive,
        default=65536,
        metavar="N",
        help="read the input N bytes at a time (default 65536)",
    )
    cli.add_argument(
        "--max-line-size",
        type=_positive,
        default=DEFAULT_MAX_LINE_SIZE,
        metavar="N",
        help=f"refuse a line longer than N bytes (default {DEFAULT_MAX_LINE_SIZE})",
    )
    cli.add_argument(
        "--max-event-size",
        type=_positive,
        default=DEFAULT_MAX_EVENT_SIZE,
        metavar="N",
        help=f"refuse an event with more than N characters of data "
        f"(default {DEFAULT_MAX_EVENT_SIZE})",
    )
    return cli


def _headers(cli: argparse.ArgumentParser, values: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, colon, rest = value.partition(":")
        if not colon or not name.strip():
            cli.error(f"-H takes 'Name: value', not {value!r}")
        pairs.append((name.strip(), rest.strip()))
    return pairs


def _body(cli: argparse.ArgumentParser, data: str) -> bytes:
    """The bytes of ``-d``: the text as UTF-8, ``@-`` standard input, ``@PATH`` a file."""
    if not data.startswith("@"):
        return data.encode("utf-8")
    if data == "@-":
        return sys.stdin.buffer.read()
    try:
        with open(data[1:], "rb") as file:
            return file.read()
    except OSError as exc:
        cli.error(f"cannot read {data[1:]}: {exc.strerror}")


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False
    return True


def _print_item(out: TextIO, item: Event | Comment) -> None:
    if isinstance(item, Comment):
        out.write(json.dumps({"comment": item.text}, ensure_ascii=False) + "\n")
    else:
        record = {"type": item.type, "data": item.data, "id": item.id}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _say(message: str) -> None:
    print(f"sseproto: {message}", file=sys.stderr, flush=True)


def _failure(exc: BaseException) -> str:
    """One line for a transport error: its message, then its cause's unless
    the message already quotes it (``[Errno 111] Connection refused``)."""
    text = str(exc)
    cause = exc.__cause__
    if cause is not None and str(cause) and str(cause) not in text:
        text += f" ({cause})"
    return text


def _notice(notice: object) -> None:
    """Say on standard error what a subscription does between events (its
    end, ``GaveUp``, is said by the final line)."""
    # The adapters import h11; the --file mode needs only the core.
    from .http import Reconnected, Reconnecting  # noqa: PLC0415

    if isinstance(notice, Reconnecting):
        why = "the server ended the stream" if notice.error is None else _failure(notice.error)
        _say(f"{why}; reconnecting in {notice.delay:g} s (attempt {notice.attempt})")
    elif isinstance(notice, Reconnected):
        _say(f"reconnected (attempt {notice.attempt})")


def _run_url(cli: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    # The adapters import h11; the --file mode needs only the core.
    from .adapters import Timeout, Timeouts, TransportError  # noqa: PLC0415
    from .adapters.sync import Client  # noqa: PLC0415

    headers = _headers(cli, args.header)
    if not args.read_timeout > 0:
        cli.error("--read-timeout must be > 0")
    if not args.reconnect_delay >= 0:
        cli.error("--reconnect-delay must be >= 0")
    body = None if args.data is None else _body(cli, args.data)
    method = (args.method or ("GET" if body is None else "POST")).upper()
    typed = any(name.lower() == "content-type" for name, _ in headers)
    if body is not None and not typed and _is_json(body):
        headers.append(("Content-Type", "application/json"))
    context = None
    if args.cacert:
        try:
            context = ssl.create_default_context(cafile=args.cacert)
        except (OSError, ssl.SSLError) as exc:
            _say(f"cannot load {args.cacert}: {exc}")
            return EXIT_USAGE
    out = sys.stdout
    events = 0
    ending = ""
    client = Client(ssl_context=context, timeouts=Timeouts(read=args.read_timeout))
    try:
        with client:
            if args.once or method != "GET" or body is not None:
                if args.last_event_id:
                    headers.append(("Last-Event-ID", args.last_event_id))
                source: Any = client.stream(
                    method, args.url, headers=headers, body=body, comments=args.comments
                )
            else:
                source = client.subscribe(
                    args.url,
                    headers=headers,
                    comments=args.comments,
                    last_event_id=args.last_event_id,
                    policy=ReconnectPolicy(
                        retry_delay=args.reconnect_delay,
                        max_delay=max(args.reconnect_delay, DEFAULT_MAX_DELAY),
                    ),
                    on_notice=_notice,
                )
            connections = 0
            with source:
                for item in source:
                    if not connections:
                        # Later connections are told by the notices.
                        connections = 1
                        _say("connected")
                    _print_item(out, item)
                    out.flush()
                    if type(item) is Event:
                        events += 1
                        if args.max_events is not None and events >= args.max_events:
                            break
    except KeyboardInterrupt:
        _say(f"interrupted after {_plural(events, 'event')}")
        return EXIT_INTERRUPTED
    except LocalProtocolError as exc:
        _say(f"usage: {exc}")
        return EXIT_USAGE
    except ResponseRejected as exc:
        if exc.status != _STOP_STATUS:
            _say(f"refused: {exc}")
            return EXIT_PROTOCOL_ERROR
        ending = " (the server answered 204 No Content: stop)"
    except Timeout as exc:
        _say(f"timed out: {_failure(exc)}")
        return EXIT_CONNECTION
    except TransportError as exc:
        # Before ProtocolError: a body cut short by a lost connection
        # (IncompleteBody) is both, and the connection is what failed.
        _say(f"connection failed: {_failure(exc)}")
        return EXIT_CONNECTION
    except ProtocolError as exc:
        _say(f"refused: {exc}")
        return EXIT_PROTOCOL_ERROR
    _say(f"{_plural(events, 'event')}{ending}")
    return EXIT_OK


def _run_file(args: argparse.Namespace) -> int:
    parser = EventStreamParser(
        comments=args.comments,
        max_line_size=args.max_line_size,
        max_event_size=args.max_event_size,
    )
    out = sys.stdout
    events = comments = 0
    try:
        stream: BinaryIO = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        _say(f"cannot read {args.file}: {exc.strerror}")
        return EXIT_USAGE
    try:
        with stream:
            for chunk in _chunks(stream, args.chunk_size):
                for item in parser.feed(chunk):
                    _print_item(out, item)
                    if isinstance(item, Comment):
                        comments += 1
                        continue
                    events += 1
                    if args.max_events is not None and events >= args.max_events:
                        return EXIT_OK
            parser.close()
    except KeyboardInterrupt:
        _say(f"interrupted after {_plural(events, 'event')}")
        return EXIT_INTERRUPTED
    except ProtocolError as exc:
        _say(f"refused: {exc}")
        return EXIT_PROTOCOL_ERROR
    finally:
        out.flush()
    summary = _plural(events, "event")
    if args.comments:
        summary += f", {_plural(comments, 'comment')}"
    if parser.last_event_id:
        summary += f", last event id {parser.last_event_id!r}"
    if parser.retry is not None:
        summary += f", retry {parser.retry} ms"
    if parser.unterminated:
        summary += " (the stream ended inside an event, which was discarded)"
    _say(summary)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    cli = build_parser()
    args = cli.parse_args(argv)
    if args.url is None and (args.method is not None or args.data is not None):
        cli.error("-X and -d need a URL")
    try:
        return _run_url(cli, args) if args.url is not None else _run_file(args)
    except BrokenPipeError:
        # The reader went away (``sseproto URL | head -1``): not an error.
        # Point stdout at devnull so the final flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
