"""The content decoder of ``sseproto.http._decoding``, on its own.

Every coding it reads gives back exactly the original bytes however the
coded body is split into reads; no step hands on more than its bound; a
corrupt or truncated body is a ``ContentDecodingError``, never a hang or
another exception; a bomb is held at the step its consumer stops at.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sseproto.http import ContentDecodingError, Head
from sseproto.http._decoding import (
    DECODE_STEP,
    MAX_CODINGS,
    ContentDecoder,
    _brotli,
    _zstd,
    accept_encoding,
    content_codings,
    decodable,
    decoded,
)

from .helpers import split

#: The optional modules, None when absent (their tests then do not run).
BROTLI = _brotli()
ZSTD = _zstd()


def deflate_zlib(data: bytes) -> bytes:
    return zlib.compress(data)


def deflate_raw(data: bytes) -> bytes:
    obj = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


def gzip_members(data: bytes) -> bytes:
    """``data`` as two gzip members, one after the other."""
    half = len(data) // 2
    return gzip.compress(data[:half], mtime=0) + gzip.compress(data[half:], mtime=0)


def brotli_compress(data: bytes) -> bytes:
    compressed: bytes = BROTLI.compress(data)
    return compressed


def zstd_compress(data: bytes) -> bytes:
    compressed: bytes = ZSTD.compress(data)
    return compressed


#: (Content-Encoding, how to make such a body) for every coding decoded here.
CODERS: list[tuple[str, Callable[[bytes], bytes]]] = [
    ("gzip", lambda data: gzip.compress(data, mtime=0)),
    ("x-gzip", lambda data: gzip.compress(data, mtime=0)),
    ("gzip", gzip_members),
    ("deflate", deflate_zlib),
    ("deflate", deflate_raw),
    ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data, mtime=0), mtime=0)),
    ("deflate, gzip", lambda data: gzip.compress(deflate_raw(data), mtime=0)),
]
if BROTLI is not None:
    CODERS += [("br", brotli_compress), ("gzip, br", lambda d: brotli_compress(gzip.compress(d)))]
if ZSTD is not None:
    CODERS += [("zstd", zstd_compress), ("zstd", lambda d: zstd_compress(d) + zstd_compress(d))]

payloads = st.one_of(
    st.binary(max_size=3000),
    st.builds(lambda n, b: b * n, st.integers(0, 20_000), st.binary(min_size=1, max_size=8)),
)


def decode_all(codings: str, reads: Iterable[bytes], step: int = DECODE_STEP) -> list[bytes]:
    """Every piece the decoder hands on for ``reads``, then for the end."""
    decoder = ContentDecoder(
        content_codings(Head(200, "OK", (("content-encoding", codings),))), step=step
    )
    pieces = [piece for data in reads if data for piece in decoded(decoder, data)]
    return pieces + list(decoded(decoder, b""))


def expected(codings: str, compress: Callable[[bytes], bytes], payload: bytes) -> bytes:
    if compress is CODERS[-1][1] and codings == "zstd":
        return payload + payload
    return payload


@given(
    coder=st.sampled_from(CODERS),
    payload=payloads,
    cuts=st.lists(st.integers(0, 10_000), max_size=20),
    step=st.sampled_from([1, 7, 64, DECODE_STEP]),
)
def test_any_chunking_same_bytes(
    coder: tuple[str, Callable[[bytes], bytes]], payload: bytes, cuts: list[int], step: int
) -> None:
    """Any split of any coded payload decodes to the payload, in non-empty
    pieces of at most ``step`` bytes (br: within one brotli block more)."""
    codings, compress = coder
    body = compress(payload)
    pieces = decode_all(codings, split(body, cuts), step)
    assert b"".join(pieces) == expected(codings, compress, payload)
    assert all(pieces)
    bound = step if "br" not in codings else step + 256 * 1024
    assert max(map(len, pieces), default=0) <= bound


@pytest.mark.skipif(BROTLI is None, reason="brotli 1.2 or later is not installed")
@pytest.mark.parametrize("step", [64, 4096])
def test_brotli_output_still_held_at_the_end_is_handed_on(step: int) -> None:
    """A long repeat at the end of a br body: the decoder takes all the input
    while most of the output is still to come; the end of the body drains it
    in bounded steps (brotli's own bound: at most one block beyond the
    limit) instead of calling the body truncated."""
    payload = b"a" * 300_000
    pieces = decode_all("br", [brotli_compress(payload)], step)
    assert b"".join(pieces) == payload
    assert max(map(len, pieces)) <= step + 256 * 1024


#: The coders whose bodies are one member or frame: a cut between members
#: leaves a complete body.
SINGLE_CODERS = [coder for coder in CODERS if coder[1] is not gzip_members][: -1 if ZSTD else None]


@given(coder=st.sampled_from(SINGLE_CODERS), payload=payloads, data=st.data())
def test_truncated_body_is_an_error(
    coder: tuple[str, Callable[[bytes], bytes]], payload: bytes, data: st.DataObject
) -> None:
    """A coded body cut anywhere before its end raises ContentDecodingError
    at the end, after handing on a prefix of the payload."""
    codings, compress = coder
    body = compress(payload)
    assume(len(body) >= 2)
    cut = data.draw(st.integers(1, len(body) - 1))
    decoder = ContentDecoder([c.strip() for c in codings.split(",")])
    out = b"".join(decoder.feed(body[:cut]))
    with pytest.raises(ContentDecodingError) as caught:
        out += b"".join(decoder.end())
    assert expected(codings, compress, payload).startswith(out)
    assert caught.value.coding in codings


@given(
    coder=st.sampled_from(CODERS),
    payload=payloads,
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), min_size=1, max_size=4),
    cuts=st.lists(st.integers(0, 10_000), max_size=5),
)
def test_corrupt_body_never_hangs(
    coder: tuple[str, Callable[[bytes], bytes]],
    payload: bytes,
    flips: list[tuple[int, int]],
    cuts: list[int],
) -> None:
    """Corrupt coded bytes end in ContentDecodingError or some bytes, never
    another exception or a hang, and no piece passes the step."""
    codings, compress = coder
    body = bytearray(compress(payload))
    for at, mask in flips:
        body[at % len(body)] ^= mask
    try:
        pieces = decode_all(codings, split(bytes(body), cuts), step=512)
    except ContentDecodingError:
        return
    assert max(map(len, pieces), default=0) <= (512 if "br" not in codings else 512 + 256 * 1024)


@pytest.mark.parametrize("codings", ["gzip", "deflate", "gzip, deflate"])
def test_empty_body_is_empty(codings: str) -> None:
    """A body of zero bytes (a HEAD or 304 answer) is empty, whatever its coding."""
    assert decode_all(codings, []) == []


def test_gzip_garbage_after_the_end() -> None:
    """Bytes after a gzip member that are not another member are an error."""
    with pytest.raises(ContentDecodingError, match=r"gzip.*corrupt"):
        decode_all("gzip", [gzip.compress(b"x") + b"garbage"])


def test_deflate_data_after_the_end() -> None:
    """Bytes after the end of a deflate body are an error."""
    with pytest.raises(ContentDecodingError, match=r"deflate.*after its end"):
        decode_all("deflate", [zlib.compress(b"x") + b"more"])


def test_deflate_header_split_across_reads() -> None:
    """The zlib header's two bytes may arrive in different reads."""
    body = zlib.compress(b"hello" * 100)
    assert b"".join(decode_all("deflate", [body[:1], body[1:2], body[2:]])) == b"hello" * 100


def test_bomb_is_held_at_the_consumers_limit() -> None:
    """A gzip body of 1 GiB of zeros hands on one step at a time: a consumer
    that stops after 1 MiB makes the decoder expand only that much."""
    block = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = block.compress(b"\0" * (1 << 20)) + block.flush(zlib.Z_FULL_FLUSH)
    repeat = block.compress(b"\0" * (1 << 20)) + block.flush(zlib.Z_FULL_FLUSH)
    body = head + repeat * 1023  # about 1 MiB coded, 1 GiB decoded
    decoder = ContentDecoder(["gzip"])
    taken = 0
    for piece in decoder.feed(body):
        assert len(piece) <= DECODE_STEP
        taken += len(piece)
        if taken >= 1 << 20:
            break
    assert taken == 1 << 20


def test_too_many_codings_not_decodable() -> None:
    """More than MAX_CODINGS stacked codings are not decodable."""
    assert decodable(["gzip"] * MAX_CODINGS)
    assert not decodable(["gzip"] * (MAX_CODINGS + 1))
    with pytest.raises(ValueError, match="cannot decode"):
        ContentDecoder(["gzip"] * (MAX_CODINGS + 1))


def test_unknown_codings_not_decodable() -> None:
    """compress, an unknown name, and br/zstd without their package are not decodable."""
    assert not decodable(["compress"])
    assert not decodable(["gzip", "nonsense"])
    assert decodable(["br"]) is (BROTLI is not None)
    assert decodable(["zstd"]) is (ZSTD is not None)


def test_content_codings_parsed() -> None:
    """Content-Encoding is split on commas, lower-cased, without identity."""
    head = Head(200, "OK", (("content-encoding", " GZIP ,identity, Deflate,"),))
    assert content_codings(head) == ("gzip", "deflate")
    assert content_codings(Head(200, "OK", ())) == ()


def test_accept_encoding_names_what_is_decoded() -> None:
    """The default Accept-Encoding names gzip and deflate, and br/zstd only
    when they are decodable."""
    names = accept_encoding().split(", ")
    assert names[:2] == ["gzip", "deflate"]
    assert ("br" in names) is decodable(["br"])
    assert ("zstd" in names) is decodable(["zstd"])
