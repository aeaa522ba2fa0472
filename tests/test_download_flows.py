"""``sseproto.http.open_download`` and ``read_download``, driven by the
scripted runner of ``test_flows.py``: which responses are accepted, what
``write`` receives, and how a download ends."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sseproto import ResponseRejected
from sseproto.http import (
    DEFAULT_MAX_ERROR_BODY,
    USER_AGENT,
    CloseResponse,
    Head,
    IncompleteBody,
    ReadBody,
    ReadTimeout,
    Timeouts,
    UnexpectedContentEncoding,
    open_download,
    read_download,
)

from .test_flows import NO_LIMITS, After, FakeClock, Outcome, Reply, drive, header

URL = "http://example.test/audio"
MP3 = (("content-type", "audio/mpeg"),)


def download(
    clock: FakeClock,
    written: list[bytes],
    *,
    timeouts: Timeouts = NO_LIMITS,
    media_types: Sequence[str] | None = ("audio/*",),
    **options: Any,
) -> Generator[Any, Any, int]:
    start = yield from open_download(
        "POST", URL, body=b"{}", timeouts=timeouts, clock=clock, media_types=media_types, **options
    )
    return (yield from read_download(start, written.append))


def run(replies: list[Reply], **options: Any) -> tuple[Outcome, list[bytes]]:
    clock = FakeClock()
    written: list[bytes] = []
    return drive(clock, download(clock, written, **options), replies), written


def test_body_handed_to_write_read_by_read() -> None:
    """Each read goes to ``write`` as it came, in order; the total is returned; the
    response is released; nothing is announced (no Opened, no Deliver)."""
    outcome, written = run([Reply(Head(200, "OK", MP3), [b"ab", b"c", b"defg"])])
    assert outcome.error is None
    assert written == [b"ab", b"c", b"defg"]
    assert outcome.result == 7
    assert outcome.closes == 1
    assert outcome.opened == []
    assert outcome.items == []
    assert isinstance(outcome.ops[-1], CloseResponse)


@given(st.lists(st.binary(min_size=1, max_size=50), max_size=20))
def test_any_chunking_written_whole(chunks: list[bytes]) -> None:
    """Whatever the reads, ``write`` receives exactly the body, one call per read."""
    outcome, written = run([Reply(Head(200, "OK", MP3), chunks)])
    assert written == chunks
    assert outcome.result == sum(map(len, chunks))


def test_request_headers() -> None:
    """The request carries the caller's headers plus a User-Agent and identity coding."""
    outcome, _ = run([Reply(Head(200, "OK", MP3), [])])
    request = outcome.requests[0]
    assert request.method == "POST"
    assert request.body == b"{}"
    assert header(request, "user-agent") == [USER_AGENT]
    assert header(request, "accept-encoding") == ["identity"]


@pytest.mark.parametrize(
    ("status", "content_type"),
    [
        (404, "application/json"),
        (500, "audio/mpeg"),
        (302, "audio/mpeg"),
        (200, "application/json"),
    ],
)
def test_rejected_with_its_body(status: int, content_type: str) -> None:
    """A non-2xx status, or a type outside ``media_types``, is rejected with its body."""
    head = Head(status, "X", (("content-type", content_type),))
    outcome, written = run([Reply(head, [b'{"error":', b'{"code":1}}'])])
    assert isinstance(outcome.error, ResponseRejected)
    assert outcome.error.status == status
    assert outcome.error.body == b'{"error":{"code":1}}'
    assert written == []
    assert outcome.closes == 1


def test_rejected_body_is_bounded() -> None:
    """At most ``max_error_body`` bytes of a rejected body are read."""
    body = [b"x" * 1000] * 100
    outcome, _ = run([Reply(Head(500, "X", ()), body)], max_error_body=1500)
    assert isinstance(outcome.error, ResponseRejected)
    assert len(outcome.error.body) == 1500
    assert DEFAULT_MAX_ERROR_BODY > 1500


@pytest.mark.parametrize(
    ("content_type", "media_types", "accepted"),
    [
        ("audio/mpeg", ("audio/*",), True),
        ("Audio/MPEG; rate=44100", ("audio/*",), True),
        ("video/mp4", ("video/mp4",), True),
        ("video/webm", ("video/mp4",), False),
        ("audiox/mpeg", ("audio/*",), False),
        ("text/plain", ("*/*",), True),
        ("", ("audio/*",), False),
        ("application/json", None, True),
        ("application/octet-stream", ("audio/*", "application/octet-stream"), True),
    ],
)
def test_media_types(
    content_type: str, media_types: tuple[str, ...] | None, accepted: bool
) -> None:
    """``media_types`` matches exact types and ``major/*`` wildcards in any case; ``None``: any."""
    headers = (("content-type", content_type),) if content_type else ()
    outcome, written = run([Reply(Head(200, "OK", headers), [b"data"])], media_types=media_types)
    assert (outcome.error is None) is accepted
    assert written == ([b"data"] if accepted else [])


def test_any_2xx_accepted() -> None:
    """A 2xx other than 200 is a download too (206 for a range, say)."""
    outcome, written = run([Reply(Head(206, "Partial", MP3), [b"abc"])])
    assert outcome.result == 3
    assert written == [b"abc"]


def test_cut_short_after_earlier_writes() -> None:
    """A body that breaks off raises, after the bytes before the cut were written."""
    cut = IncompleteBody("the peer closed the connection before the end of the body")
    outcome, written = run([Reply(Head(200, "OK", MP3), [b"abc", b"de", cut])])
    assert outcome.error is cut
    assert written == [b"abc", b"de"]


def test_read_timeout() -> None:
    """A read whose time ran out raises the timeout, after earlier writes."""
    limits = Timeouts(connect=None, read=5.0)
    outcome, written = run(
        [Reply(Head(200, "OK", MP3), [b"abc", After(6.0, None)])], timeouts=limits
    )
    assert isinstance(outcome.error, ReadTimeout)
    assert written == [b"abc"]
    reads = [op for op in outcome.ops if isinstance(op, ReadBody)]
    assert reads[0].timeout == 5.0


def test_unasked_content_encoding_refused() -> None:
    """A body in a content coding the request did not ask for is refused before any write."""
    head = Head(200, "OK", (*MP3, ("content-encoding", "gzip")))
    outcome, written = run([Reply(head, [b"\x1f\x8b"])])
    assert isinstance(outcome.error, UnexpectedContentEncoding)
    assert written == []


def test_write_error_ends_the_flow() -> None:
    """What ``write`` raises ends the flow, and the response is not released as read."""
    clock = FakeClock()

    def failing(data: bytes) -> None:
        raise OSError("disk full")

    def flow() -> Generator[Any, Any, int]:
        start = yield from open_download("GET", URL, timeouts=NO_LIMITS, clock=clock)
        return (yield from read_download(start, failing))

    outcome = drive(clock, flow(), [Reply(Head(200, "OK", MP3), [b"abc"])])
    assert isinstance(outcome.error, OSError)
    assert outcome.closes == 0
