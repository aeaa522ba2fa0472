"""Compressed responses in the request flows, under the scripted runner.

``request()`` asks for the codings the client decodes; streams ask for
none but decode a compressed body a server sends anyway; every flow decodes
read by read, its body limit counted on the decoded bytes (a bomb stops at
the limit), and a corrupt or cut coded body is a ``ContentDecodingError``.
"""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sseproto import Event, LineTooLong, ResponseRejected
from sseproto.adapters import BodyTooLarge, ContentDecodingError, Response
from sseproto.http import Head, ReadBody, request_flow
from sseproto.http._decoding import DECODE_STEP, accept_encoding

from .helpers import run, split
from .strategies import streams
from .test_flows import (
    NO_LIMITS,
    URL,
    FakeClock,
    Outcome,
    Reply,
    drive,
    header,
    ok,
    stream,
    subscribe,
)

GZIP = ("content-encoding", "gzip")
JSON = b'{"data": [' + b", ".join(b'{"id": "model-%d"}' % n for n in range(2000)) + b"]}"


def reads(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """``data`` split at ``cuts`` into non-empty reads (an empty one would end the body)."""
    return [piece for piece in split(data, cuts) if piece]


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def bomb(mib: int) -> list[bytes]:
    """A gzip body of ``mib`` MiB of zeros, in reads of 64 KiB: about 1 KB per MiB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * (1 << 20)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    more = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = first + more * (mib - 1) + compressor.flush()
    return reads(body, range(0, len(body), 65536))


def request(clock: FakeClock, reply: Reply, **options: object) -> Outcome:
    gen = request_flow("GET", URL, timeouts=NO_LIMITS, clock=clock, **options)  # type: ignore[arg-type]
    return drive(clock, gen, [reply])


def body_of(outcome: Outcome) -> bytes:
    assert outcome.error is None, outcome.error
    response = outcome.result
    assert isinstance(response, Response)
    return response.body


# -- request(): what it asks for --------------------------------------------------


def test_request_asks_for_what_it_decodes() -> None:
    """request() sends Accept-Encoding: gzip, deflate (br, zstd when installed)."""
    outcome = request(FakeClock(), Reply(Head(200, "OK", ())))
    assert header(outcome.requests[0], "accept-encoding") == [accept_encoding()]
    assert accept_encoding().startswith("gzip, deflate")


@pytest.mark.parametrize("given_value", ["identity", "gzip;q=1.0", "br"])
def test_request_callers_accept_encoding_wins(given_value: str) -> None:
    """A caller's own Accept-Encoding is sent instead, alone."""
    reply = Reply(Head(200, "OK", ()))
    outcome = request(FakeClock(), reply, headers=[("Accept-Encoding", given_value)])
    assert header(outcome.requests[0], "accept-encoding") == [given_value]


def test_stream_asks_for_identity() -> None:
    """A stream and a subscription still ask for Accept-Encoding: identity."""
    clock = FakeClock()
    outcome = drive(clock, stream(clock), [Reply(ok())])
    assert header(outcome.requests[0], "accept-encoding") == ["identity"]
    outcome = drive(clock, subscribe(clock), [Reply(ok())])
    assert header(outcome.requests[0], "accept-encoding") == ["identity"]


# -- request(): decoding -----------------------------------------------------------


@given(cuts=st.lists(st.integers(0, 20_000), max_size=30))
def test_request_gzip_any_chunking(cuts: list[int]) -> None:
    """A gzip body split anywhere is returned decoded; the headers as they came."""
    reply = Reply(Head(200, "OK", (GZIP, ("content-length", "7"))), reads(gz(JSON), cuts))
    outcome = request(FakeClock(), reply)
    assert body_of(outcome) == JSON
    response = outcome.result
    assert isinstance(response, Response)
    assert ("content-encoding", "gzip") in response.headers


@pytest.mark.parametrize(
    ("coding", "coded"),
    [
        ("deflate", zlib.compress(JSON)),
        ("deflate", zlib.compress(JSON, wbits=-zlib.MAX_WBITS)),
        ("x-gzip", gz(JSON)),
        ("gzip, gzip", gz(gz(JSON))),
        ("GZIP, identity", gz(JSON)),
        ("gzip", gz(JSON[:100]) + gz(JSON[100:])),
    ],
    ids=["zlib", "raw-deflate", "x-gzip", "gzip-twice", "case-and-identity", "two-members"],
)
def test_request_codings(coding: str, coded: bytes) -> None:
    """deflate with and without its zlib header, x-gzip, stacked codings,
    several gzip members: each decoded."""
    reply = Reply(Head(200, "OK", (("content-encoding", coding),)), reads(coded, [1, 2, 50]))
    assert body_of(request(FakeClock(), reply)) == JSON


def test_request_decodes_even_when_identity_was_asked() -> None:
    """A server that compresses against Accept-Encoding: identity is decoded anyway."""
    reply = Reply(Head(200, "OK", (GZIP,)), [gz(JSON)])
    outcome = request(FakeClock(), reply, headers=[("Accept-Encoding", "identity")])
    assert body_of(outcome) == JSON


def test_request_empty_body_with_a_coding() -> None:
    """No body at all (a HEAD or 304 answer) with Content-Encoding: gzip is empty."""
    assert body_of(request(FakeClock(), Reply(Head(304, "Not Modified", (GZIP,))))) == b""


@pytest.mark.parametrize(
    ("coded", "why"),
    [
        (gz(JSON)[:-8], "truncated"),
        (gz(JSON)[:30] + b"\xff" * 20 + gz(JSON)[50:], "corrupt"),
        (zlib.compress(JSON) + b"junk", "after its end"),
    ],
    ids=["truncated", "corrupt", "trailing"],
)
def test_request_bad_coded_body(coded: bytes, why: str) -> None:
    """A cut, corrupt or overlong coded body raises ContentDecodingError."""
    coding = "deflate" if why == "after its end" else "gzip"
    reply = Reply(Head(200, "OK", (("content-encoding", coding),)), [coded])
    error = request(FakeClock(), reply).error
    assert isinstance(error, ContentDecodingError)
    assert error.coding == coding
    assert why in str(error)


def test_request_bomb_stops_at_max_body_size() -> None:
    """1 GiB of zeros in about 1 MB of gzip raises BodyTooLarge at 1 MiB
    decoded, after reading only the first few KB, with a small memory peak."""
    reads = bomb(1024)
    tracemalloc.start()
    try:
        outcome = request(
            FakeClock(), Reply(Head(200, "OK", (GZIP,)), reads), max_body_size=1 << 20
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = outcome.error
    assert isinstance(error, BodyTooLarge)
    assert (error.limit, error.value) == ("max_body_size", 1 << 20)
    assert "decoded" in str(error)
    assert sum(type(op) is ReadBody for op in outcome.ops) == 1
    assert peak < 4 * (1 << 20)


def test_request_coded_bytes_count_too() -> None:
    """Coded bytes past max_body_size raise BodyTooLarge even if they decode to little."""
    compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    # After a sync flush, empty stored blocks (RFC 1951 section 3.2.4) decode to nothing.
    coded = compressor.compress(b"x") + compressor.flush(zlib.Z_SYNC_FLUSH)
    coded += b"\x00\x00\x00\xff\xff" * 100
    reply = Reply(Head(200, "OK", (GZIP,)), [coded])
    error = request(FakeClock(), reply, max_body_size=100).error
    assert isinstance(error, BodyTooLarge)
    assert "decoded" not in str(error)


# -- rejected responses --------------------------------------------------------------


def test_rejected_body_decoded() -> None:
    """A rejected stream's gzip error body is kept decoded."""
    clock = FakeClock()
    head = Head(500, "Error", (("content-type", "application/json"), GZIP))
    outcome = drive(clock, stream(clock), [Reply(head, reads(gz(JSON), [10, 11]))])
    error = outcome.error
    assert isinstance(error, ResponseRejected)
    assert error.body == JSON[: len(error.body)]
    assert len(error.body) == min(len(JSON), 64 * 1024)


def test_rejected_bomb_is_cut_at_max_error_body() -> None:
    """A bomb as an error body is kept up to max_error_body decoded bytes,
    after one read."""
    clock = FakeClock()
    head = Head(500, "Error", (GZIP,))
    outcome = drive(clock, stream(clock, max_error_body=1000), [Reply(head, bomb(1024))])
    error = outcome.error
    assert isinstance(error, ResponseRejected)
    assert error.body == b"\0" * 1000
    assert sum(type(op) is ReadBody for op in outcome.ops) == 1


def test_rejected_corrupt_body_keeps_what_decoded() -> None:
    """A corrupt coded error body ends the reading; the error is still the rejection."""
    clock = FakeClock()
    outcome = drive(clock, stream(clock), [Reply(Head(500, "Error", (GZIP,)), [b"not gzip"])])
    error = outcome.error
    assert isinstance(error, ResponseRejected)
    assert error.body == b""


# -- event streams -----------------------------------------------------------------


@given(data=streams, draw=st.data())
def test_stream_gzip_any_chunking(data: bytes, draw: st.DataObject) -> None:
    """A gzip event stream split anywhere gives exactly the items of the plain stream."""
    coded = gz(data)
    cuts = draw.draw(st.lists(st.integers(0, len(coded)), max_size=10))
    clock = FakeClock()
    outcome = drive(clock, stream(clock, comments=True), [Reply(ok(GZIP), reads(coded, cuts))])
    assert outcome.error is None, outcome.error
    assert outcome.items == run([data], comments=True).items


def test_stream_flushed_gzip_delivers_each_event_as_it_arrives() -> None:
    """Each sync-flushed piece of a compressed stream is delivered when it arrives."""
    compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    pieces = [
        compressor.compress(b"data: %d\n\n" % n) + compressor.flush(zlib.Z_SYNC_FLUSH)
        for n in range(3)
    ]
    pieces.append(compressor.flush())
    clock = FakeClock()
    outcome = drive(clock, stream(clock), [Reply(ok(GZIP), pieces)])
    assert outcome.events() == [Event("message", str(n), "") for n in range(3)]
    reads_before = [
        sum(type(op) is ReadBody for op in outcome.ops[:index])
        for index, op in enumerate(outcome.ops)
        if type(op).__name__ == "Deliver"
    ]
    assert reads_before == [1, 2, 3]


def test_stream_bomb_hits_the_line_limit() -> None:
    """A gzip stream of zeros raises LineTooLong at max_line_size, after one read."""
    clock = FakeClock()
    gen = stream(clock, max_line_size=DECODE_STEP * 2)
    outcome = drive(clock, gen, [Reply(ok(GZIP), bomb(1024))])
    assert isinstance(outcome.error, LineTooLong)
    assert sum(type(op) is ReadBody for op in outcome.ops) == 1


def test_stream_corrupt_after_events() -> None:
    """A stream whose coded bytes turn corrupt delivers the events before the
    fault, then raises ContentDecodingError."""
    compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    good = compressor.compress(b"data: one\n\n") + compressor.flush(zlib.Z_SYNC_FLUSH)
    clock = FakeClock()
    outcome = drive(clock, stream(clock), [Reply(ok(GZIP), [good, b"\xff" * 40])])
    assert outcome.events() == [Event("message", "one", "")]
    assert isinstance(outcome.error, ContentDecodingError)


def test_stream_truncated_is_an_error() -> None:
    """A compressed stream whose coded data ends early raises ContentDecodingError
    after its complete events."""
    clock = FakeClock()
    outcome = drive(clock, stream(clock), [Reply(ok(GZIP), [gz(b"data: one\n\n")[:-8]])])
    assert outcome.events() == [Event("message", "one", "")]
    assert isinstance(outcome.error, ContentDecodingError)


def test_subscribe_decodes_and_reconnects_after_a_corrupt_body() -> None:
    """A subscription decodes a gzip stream; a corrupt one ends that connection
    and it reconnects (with Last-Event-ID)."""
    clock = FakeClock()
    first = gz(b"id: 1\ndata: one\n\n")
    replies = [
        Reply(ok(GZIP), [first[:-8], b"\x00" * 8]),
        Reply(ok(GZIP), [gz(b"id: 2\ndata: two\n\n")]),
    ]
    outcome = drive(clock, subscribe(clock), replies)
    assert [event.data for event in outcome.events()] == ["one", "two"]
    assert header(outcome.requests[1], "last-event-id") == ["1"]


def test_subscribe_rejected_body_decoded() -> None:
    """A subscription's rejected response keeps its gzip error body decoded;
    a corrupt one still ends as that ResponseRejected, without reconnecting."""
    head = Head(500, "Error", (("content-type", "application/json"), GZIP))
    for body, kept in [(reads(gz(JSON), [10]), JSON[: 64 * 1024]), ([b"not gzip"], b"")]:
        clock = FakeClock()
        outcome = drive(clock, subscribe(clock), [Reply(head, body)])
        error = outcome.error
        assert isinstance(error, ResponseRejected)
        assert error.body == kept
        assert len(outcome.requests) == 1
