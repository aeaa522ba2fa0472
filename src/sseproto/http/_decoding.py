"""Content codings of response bodies, decoded as the bytes arrive.

A response's ``Content-Encoding`` (RFC 9110 section 8.4) lists the codings
applied to its body, in the order they were applied; a
:class:`ContentDecoder` undoes them in the reverse order, read by read, and
the flows put one between the body bytes they read and whatever consumes
them (the event parser, the ``request()`` body), whichever exchange read
the bytes.

Decoding is bounded the way receiving is: each step hands on at most
:data:`DECODE_STEP` bytes (``zlib``'s ``max_length`` and
``unconsumed_tail``, and the same bounds of the optional decoders), so a
consumer that counts what it is given and stops at its limit never makes the
decoder expand more than one step past it: a body of gigabytes of zeros
compressed a thousandfold raises the consumer's limit error after a few
steps, without the gigabytes ever being allocated.

The codings read, and what asks for them:

- ``gzip`` (and ``x-gzip``, its old name, RFC 9110 section 8.4.1.3), with
  several members one after the other read as one body, as ``gzip -d`` does;
- ``deflate``: RFC 9110 names the zlib format (RFC 1950), but some servers
  send bare deflate data (RFC 1951); the first two bytes tell which, as
  browsers and curl read it;
- ``br``, if the ``brotli`` (or ``brotlicffi``) package 1.2 or later is
  installed (the versions whose ``process()`` takes an
  ``output_buffer_limit``, without which a step could not be bounded);
- ``zstd``, if the standard library's ``compression.zstd`` (Python 3.14)
  or its backport ``backports.zstd`` is installed (their ``decompress()``
  takes a ``max_length``; the ``zstandard`` package's does not), with the
  window limited to 8 MiB as RFC 9659 requires of HTTP recipients.

The sseproto core needs none of the optional packages: without them
:func:`accept_encoding` names only ``gzip, deflate``, and a ``br`` or
``zstd`` body is a coding the client cannot read.
"""

from __future__ import annotations

import functools
import importlib
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final

from ._errors import ContentDecodingError
from ._messages import check_coding
from ._ops import Head, Headers, header_value

__all__ = [
    "DECODE_STEP",
    "MAX_CODINGS",
    "ContentDecoder",
    "accept_encoding",
    "content_codings",
    "decodable",
    "decoded",
    "decoder_for",
]

#: The most decoded bytes one step of one coding hands on: 64 KiB, the
#: socket runtimes' receive size, so a decoded read is no larger than a raw
#: one. (A ``br`` step may end up to one of brotli's internal blocks past
#: it: its limit stops the output buffer's growth rather than cutting it.)
DECODE_STEP: Final = 64 * 1024

#: The most codings one ``Content-Encoding`` may stack: 5, urllib3's limit
#: since each coding holds a decoder's window (up to 32 KiB for zlib, 8 MiB
#: for zstd) and a server could otherwise list thousands.
MAX_CODINGS: Final = 5

#: ``x-gzip`` is read as ``gzip`` (RFC 9110 section 8.4.1.3).
_ALIASES: Final = {"x-gzip": "gzip"}


class _Layer:
    """One coding's decoder. ``feed()`` yields the decoded pieces of
    ``data`` (each at most ``step`` bytes, non-empty); ``end()`` yields
    what is left once the input ended and raises ``ContentDecodingError``
    if the coded data did not end there."""

    __slots__ = ("coding", "fed", "step")

    def __init__(self, coding: str, step: int) -> None:
        self.coding = coding
        self.step = step
        self.fed = False

    def feed(self, data: bytes) -> Iterator[bytes]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finished(self) -> bool:  # pragma: no cover - abstract
        """Whether the coded data reached its end."""
        raise NotImplementedError

    def end(self) -> Iterator[bytes]:
        if not self.fed:
            return  # no body at all (a HEAD, a 204 or 304): nothing to decode
        yield from self.feed(b"")
        if not self.finished():
            raise self.fail("ended before its end (truncated)")

    def fail(self, why: str) -> ContentDecodingError:
        return ContentDecodingError(f"the {self.coding} response body {why}", coding=self.coding)


class _Stepped(_Layer):
    """A coding whose decompressor's ``decompress(data, max_length)`` bounds
    each step and leaves ``eof`` and ``unused_data`` at its end (zlib's,
    zstd's); ``members`` says whether another member (gzip) or frame (zstd)
    may follow the first."""

    __slots__ = ("_error", "_members", "_obj")

    def __init__(self, coding: str, step: int, error: type[Exception], members: bool) -> None:
        super().__init__(coding, step)
        self._error = error
        self._members = members
        self._obj: Any = None

    def _new(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _rest(self, obj: Any, out: bytes) -> tuple[bytes, bool]:  # pragma: no cover - abstract
        """The input a step left, and whether output may still be pending."""
        raise NotImplementedError

    def finished(self) -> bool:
        return self._obj is not None and bool(self._obj.eof)

    def feed(self, data: bytes) -> Iterator[bytes]:
        self.fed = True
        step = self.step
        obj = self._obj
        while True:
            if obj.eof:
                if not data:
                    return
                if not self._members:
                    raise self.fail("has data after its end")
                obj = self._obj = self._new()
            try:
                out = obj.decompress(data, step)
            except self._error as exc:
                raise self.fail(f"is corrupt ({exc})") from exc
            data, pending = (obj.unused_data, False) if obj.eof else self._rest(obj, out)
            if out:
                yield out
            if not data and not pending:
                return


class _Zlib(_Stepped):
    """``gzip`` (several members read as one body, RFC 1952 section 2.2) or
    ``deflate`` (zlib format or bare deflate data, told apart by its first
    two bytes)."""

    __slots__ = ("_held",)

    def __init__(self, coding: str, step: int) -> None:
        super().__init__(coding, step, zlib.error, members=coding == "gzip")
        if coding == "gzip":
            self._obj = self._new()
        # The first byte of a deflate body, held until the second arrives.
        self._held = b""

    def _new(self) -> Any:
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _rest(self, obj: Any, out: bytes) -> tuple[bytes, bool]:
        # A full step may leave output inside zlib even with no input left.
        return obj.unconsumed_tail, len(out) == self.step

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._obj is None:
            self.fed = True
            data = self._held + data
            if len(data) < 2:
                self._held = data
                return iter(())
            # A zlib header (RFC 1950 section 2.2): method 8 with a window of
            # at most 32 KiB, and the two bytes a multiple of 31 as a 16-bit
            # number. Anything else is bare deflate data.
            cmf, flg = data[0], data[1]
            wrapped = cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        return super().feed(data)


class _Zstd(_Stepped):
    """``zstd`` (several frames read as one body), through
    ``compression.zstd`` or ``backports.zstd``."""

    __slots__ = ("_module",)

    def __init__(self, coding: str, step: int, module: Any) -> None:
        super().__init__(coding, step, module.ZstdError, members=True)
        self._module = module
        self._obj = self._new()

    def _new(self) -> Any:
        # RFC 9659 section 3: a window of at most 8 MiB (2**23).
        window = self._module.DecompressionParameter.window_log_max
        return self._module.ZstdDecompressor(options={window: 23})

    def _rest(self, obj: Any, out: bytes) -> tuple[bytes, bool]:
        return b"", not obj.needs_input


class _Brotli(_Layer):
    """``br``, through ``brotli`` or ``brotlicffi`` 1.2 or later."""

    __slots__ = ("_module", "_obj")

    def __init__(self, coding: str, step: int, module: Any) -> None:
        super().__init__(coding, step)
        self._module = module
        self._obj = module.Decompressor()

    def finished(self) -> bool:
        return bool(self._obj.is_finished())

    def feed(self, data: bytes) -> Iterator[bytes]:
        self.fed = True
        obj = self._obj
        if data and obj.is_finished():
            raise self.fail("has data after its end")
        try:
            out = obj.process(data, output_buffer_limit=self.step)
            while True:
                if out:
                    yield out
                if data and obj.can_accept_more_data():
                    return
                # The output limit was reached, or this is the end of the
                # body: what the decoder still holds comes from empty input
                # (it may take more input while output is still pending, as
                # in a long repeat at the end of the data).
                out = obj.process(b"", output_buffer_limit=self.step)
                if not data and not out:
                    return
        except self._module.error as exc:
            raise self.fail(f"is corrupt ({exc})") from exc


def _optional(*names: str) -> Any:
    """The first of the modules ``names`` that imports, or None."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


@functools.cache
def _brotli() -> Any:
    module = _optional("brotli", "brotlicffi")
    if module is None or not hasattr(module.Decompressor(), "can_accept_more_data"):
        return None  # absent, or older than 1.2: its steps cannot be bounded
    return module


@functools.cache
def _zstd() -> Any:
    return _optional("compression.zstd", "backports.zstd")


def _layer_maker(coding: str) -> Callable[[int], _Layer] | None:
    """How to make a decoder for ``coding`` (lower-case), or None if it
    cannot be read here."""
    coding = _ALIASES.get(coding, coding)
    if coding in ("gzip", "deflate"):
        return functools.partial(_Zlib, coding)
    if coding == "br" and (brotli := _brotli()) is not None:
        return lambda step: _Brotli(coding, step, brotli)
    if coding == "zstd" and (zstd := _zstd()) is not None:
        return lambda step: _Zstd(coding, step, zstd)
    return None


@functools.cache
def accept_encoding() -> str:
    """The ``Accept-Encoding`` value sent by default with ``request()``:
    ``"gzip, deflate"``, then ``br`` and ``zstd`` when their optional
    package is installed (checked once, at the first call)."""
    names = ["gzip", "deflate"]
    names += [coding for coding in ("br", "zstd") if _layer_maker(coding) is not None]
    return ", ".join(names)


def content_codings(head: Head) -> tuple[str, ...]:
    """The response's content codings, lower-case, in the order they were
    applied, without ``identity`` (``()`` when the body is as it is)."""
    value = header_value(head.headers, "content-encoding")
    if value is None:
        return ()
    parts = (part.strip().lower() for part in value.split(","))
    return tuple(part for part in parts if part and part != "identity")


def decodable(codings: Sequence[str]) -> bool:
    """Whether a :class:`ContentDecoder` can read a body with ``codings``."""
    return len(codings) <= MAX_CODINGS and all(_layer_maker(c) is not None for c in codings)


class ContentDecoder:
    """Undoes a body's content codings as its bytes arrive.

    ``codings`` are the ``Content-Encoding`` values in the order they were
    applied (:func:`content_codings`); each must be :func:`decodable`. The
    pieces that :meth:`feed` and :meth:`end` yield are never empty, and
    concatenated they are the decoded body, however its bytes were split
    into reads. Each is at most ``step`` bytes (for ``br``: about one
    brotli block more), and no piece is decoded before the previous one was
    taken: a consumer that stops iterating at its limit holds the decoder
    there (and must then use it no more: the input not yet decoded is lost
    with the iterator).

    Raises (from the iterators):
        ContentDecodingError: the coded data is corrupt, has bytes after
            its end, or (at :meth:`end`) ended before its end. A body of
            zero bytes is an empty body whatever its coding (the body of a
            ``HEAD`` or ``304`` response).
    """

    __slots__ = ("_layers",)

    def __init__(self, codings: Sequence[str], *, step: int = DECODE_STEP) -> None:
        if not decodable(codings):
            raise ValueError(f"cannot decode Content-Encoding: {', '.join(codings)}")
        makers = [_layer_maker(coding) for coding in reversed(codings)]
        self._layers = [make(step) for make in makers if make is not None]

    def _through(self, index: int, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """``pieces`` decoded by the layers from ``index`` on."""
        if index == len(self._layers):
            yield from pieces
            return
        layer = self._layers[index]
        for piece in pieces:
            yield from self._through(index + 1, layer.feed(piece))

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of ``data``, the next bytes of the body."""
        return self._through(0, (data,))

    def end(self) -> Iterator[bytes]:
        """The last decoded pieces, once the body ended; then checks that the
        coded data ended there too."""
        for index, layer in enumerate(self._layers):
            yield from self._through(index + 1, layer.end())


def decoder_for(head: Head, url: str, headers: Headers, *, stream: bool) -> ContentDecoder | None:
    """The decoder of a response's body, or None when it has no content
    coding, or (``stream`` false) has one the client cannot decode but the
    request named in its own ``Accept-Encoding`` (the body is then the
    caller's to decode, as it came).

    Raises:
        UnexpectedContentEncoding: a coding the client cannot decode (an
            unknown one, ``br`` or ``zstd`` without their package, more than
            :data:`MAX_CODINGS`) that the request did not ask for; on an
            event stream, whatever was asked for.
    """
    codings = content_codings(head)
    if not codings:
        return None
    if decodable(codings):
        return ContentDecoder(codings)
    check_coding(head, url, headers, stream=stream)
    return None


def decoded(decoder: ContentDecoder | None, data: bytes) -> Iterable[bytes]:
    """The decoded pieces of one read of a body: ``data`` itself (if not
    empty) when there is no ``decoder``; at the end of the body (``data``
    empty), the decoder's last pieces, after which it checks that the coded
    data ended too (:meth:`ContentDecoder.end`)."""
    if decoder is None:
        return (data,) if data else ()
    return decoder.feed(data) if data else decoder.end()
