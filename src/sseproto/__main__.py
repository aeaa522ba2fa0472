"""``sseproto`` command line: print the events of a ``text/event-stream`` as JSON lines.

    sseproto URL [-H "Name: value"]... [--comments] [--max-events N]
                 [--last-event-id ID] [--once] [--cacert PATH] [--read-timeout S]
    sseproto --file PATH|-  [--comments] [--max-events N] [--chunk-size N]

With a URL it subscribes with the blocking adapter, EventSource style: it
reconnects when the connection ends or breaks (after the server's ``retry``
delay, sending ``Last-Event-ID``) until stopped; ``--once`` makes a single
GET and ends with its body. With ``--file`` it parses a saved stream.

Each event is printed as one JSON object ``{"type": ..., "data": ..., "id": ...}``
(comments, with ``--comments``, as ``{"comment": ...}``); progress and a
summary go to standard error. Exit codes:

    0    success (the input ended, or --max-events were printed)
    1    the server's stream or response was refused: a protocol limit, a
         status other than 200, a content type other than text/event-stream
    2    bad usage or an unreadable file
    3    the connection failed or timed out (after reconnecting, if allowed)
    130  interrupted (Ctrl-C)
"""

from __future__ import annotations

import argparse
import json
import ssl
import sys
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, TextIO

from ._errors import ProtocolError
from ._events import Comment, Event
from ._parser import DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_LINE_SIZE, EventStreamParser
from ._reconnect import DEFAULT_MAX_DELAY, DEFAULT_RETRY_DELAY, ReconnectPolicy

EXIT_OK = 0
EXIT_PROTOCOL_ERROR = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3
EXIT_INTERRUPTED = 130


def _chunks(stream: BinaryIO, size: int) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="sseproto",
        description="Print each event of a text/event-stream (a URL or a file) as a JSON line.",
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
    cli.add_argument("--last-event-id", default="", metavar="ID", help="resume after this ID")
    cli.add_argument("--once", action="store_true", help="one GET request, no reconnection")
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
    cli.add_argument("--comments", action="store_true", help="also print comment lines")
    cli.add_argument("--max-events", type=_positive, metavar="N", help="stop after N events")
    cli.add_argument(
        "--chunk-size",
        type=_positive,
        default=65536,
        metavar="N",
        help="read the input N bytes at a time (default 65536)",
    )
    cli.add_argument("--max-line-size", type=_positive, default=DEFAULT_MAX_LINE_SIZE)
    cli.add_argument("--max-event-size", type=_positive, default=DEFAULT_MAX_EVENT_SIZE)
    return cli


def _headers(cli: argparse.ArgumentParser, values: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, colon, rest = value.partition(":")
        if not colon or not name.strip():
            cli.error(f"-H takes 'Name: value', not {value!r}")
        pairs.append((name.strip(), rest.strip()))
    return pairs


def _print_item(out: TextIO, item: Event | Comment) -> None:
    if isinstance(item, Comment):
        out.write(json.dumps({"comment": item.text}, ensure_ascii=False) + "\n")
    else:
        record = {"type": item.type, "data": item.data, "id": item.id}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


def _run_url(cli: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    # The adapters import h11; the --file mode needs only the core.
    from .adapters import Timeouts, TransportError  # noqa: PLC0415
    from .adapters.sync import Client  # noqa: PLC0415

    headers = _headers(cli, args.header)
    if not args.read_timeout > 0:
        cli.error("--read-timeout must be > 0")
    if not args.reconnect_delay >= 0:
        cli.error("--reconnect-delay must be >= 0")
    context = None
    if args.cacert:
        try:
            context = ssl.create_default_context(cafile=args.cacert)
        except (OSError, ssl.SSLError) as exc:
            print(f"sseproto: cannot load {args.cacert}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    out = sys.stdout
    events = 0
    client = Client(ssl_context=context, timeouts=Timeouts(read=args.read_timeout))
    try:
        with client:
            if args.once:
                if args.last_event_id:
                    headers.append(("Last-Event-ID", args.last_event_id))
                source: Any = client.stream(
                    "GET", args.url, headers=headers, comments=args.comments
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
                )
            connections = 0
            with source:
                for item in source:
                    seen = getattr(source, "connections", 1)
                    if seen != connections:
                        connections = seen
                        print(f"sseproto: connected ({connections})", file=sys.stderr)
                    _print_item(out, item)
                    if type(item) is Event:
                        events += 1
                        if args.max_events is not None and events >= args.max_events:
                            break
    except KeyboardInterrupt:
        print(f"sseproto: interrupted after {events} events", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ProtocolError as exc:
        print(f"sseproto: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_PROTOCOL_ERROR
    except TransportError as exc:
        cause = f" ({exc.__cause__})" if exc.__cause__ is not None else ""
        print(f"sseproto: {type(exc).__name__}: {exc}{cause}", file=sys.stderr)
        return EXIT_CONNECTION
    print(f"sseproto: {events} events", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    cli = build_parser()
    args = cli.parse_args(argv)
    if args.url is not None:
        return _run_url(cli, args)
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
        print(f"sseproto: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with stream:
            for chunk in _chunks(stream, args.chunk_size):
                for item in parser.feed(chunk):
                    if isinstance(item, Comment):
                        comments += 1
                        out.write(json.dumps({"comment": item.text}, ensure_ascii=False) + "\n")
                        continue
                    events += 1
                    record = {"type": item.type, "data": item.data, "id": item.id}
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    if args.max_events is not None and events >= args.max_events:
                        return EXIT_OK
            parser.close()
    except ProtocolError as exc:
        print(f"sseproto: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_PROTOCOL_ERROR
    finally:
        out.flush()
    summary = f"sseproto: {events} events"
    if args.comments:
        summary += f", {comments} comments"
    if parser.last_event_id:
        summary += f", last event id {parser.last_event_id!r}"
    if parser.retry is not None:
        summary += f", retry {parser.retry} ms"
    if parser.unterminated:
        summary += " (the stream ended inside an event, which was discarded)"
    print(summary, file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
