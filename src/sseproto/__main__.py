"""``sseproto`` command line: print the events of a ``text/event-stream`` as JSON lines.

    sseproto --file PATH|-  [--comments] [--max-events N] [--chunk-size N]

Each event is printed as one JSON object ``{"type": ..., "data": ..., "id": ...}``
(comments, with ``--comments``, as ``{"comment": ...}``); a summary goes to
standard error. Exit codes: 0 success, 1 the stream broke a protocol limit,
2 bad usage or an unreadable file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from ._errors import ProtocolError
from ._events import Comment
from ._parser import DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_LINE_SIZE, EventStreamParser

EXIT_OK = 0
EXIT_PROTOCOL_ERROR = 1
EXIT_USAGE = 2


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
        description="Parse a text/event-stream and print each event as a JSON line.",
    )
    cli.add_argument(
        "--file",
        required=True,
        metavar="PATH",
        help="a saved event stream to parse, or - for standard input",
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
