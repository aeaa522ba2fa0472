"""Binary answers (speech audio, video files) written to a file as they
arrive, never held whole.

A download is one flow, run by the client's driver like any call: the
request is opened with retries by :func:`~openrouter._calls.call_flow`
over :func:`sseproto.http.open_download` (so a generation is sent again
only while no byte of a response arrived, as the retry policy allows), then
:func:`sseproto.http.read_download` hands each read of the body to the
target's ``write`` and forgets it: memory stays bounded by one read,
whatever the body's size.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

from sseproto import SSEError
from sseproto.http import (
    Operation,
    StreamStart,
    Timeout,
    header_value,
    open_download,
    read_download,
)

from ._calls import call_flow
from ._errors import APIConnectionError, APITimeoutError, redact_chain

if TYPE_CHECKING:
    from ._client import _Core, _Options

__all__ = [
    "DownloadResult",
    "DownloadTarget",
    "DownloadTimeoutError",
    "IncompleteDownloadError",
    "download_flow",
]

#: The media types a speech answer may have (the API: ``audio/*``).
AUDIO_TYPES: Final = ("audio/*", "application/octet-stream")
#: The media types a video download may have (the API: ``video/mp4``).
VIDEO_TYPES: Final = ("video/*", "application/octet-stream")


@runtime_checkable
class Writable(Protocol):
    """A binary file-like: what a download writes to."""

    def write(self, data: bytes, /) -> Any:
        """Write ``data``; may return how many bytes it took (``None`` or
        ``len(data)`` when it took them all)."""


#: Where a download goes: a binary file-like (``open(p, "wb")``,
#: ``io.BytesIO()``, a socket's file...), written and left open, or a path,
#: opened for writing (created or truncated) once the response is accepted
#: and closed at the end.
DownloadTarget = Writable | str | os.PathLike[str]


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """What a download wrote: ``bytes_written`` bytes of ``content_type``
    (as the response's ``Content-Type`` said) to the target; for speech,
    ``generation_id`` is the ``X-Generation-Id`` header (for
    ``client.generations``), ``None`` when the server sent none."""

    #: Bytes written to the target.
    bytes_written: int
    #: The response's ``Content-Type`` (``"audio/mpeg"``, ``"video/mp4"``), if any.
    content_type: str | None
    #: The ``X-Generation-Id`` response header, if any.
    generation_id: str | None
    #: The response's status (200).
    status: int
    #: The response's headers, ``(name, value)`` pairs in order received.
    headers: tuple[tuple[str, str], ...]


class IncompleteDownloadError(APIConnectionError):
    """The body of a download broke off (the connection closed or failed
    before its announced end). The target keeps the ``bytes_written`` bytes
    that arrived; the request is not sent again (a generation is billed).
    ``__cause__`` is the transport's error."""

    def __init__(self, message: str, *, bytes_written: int, secret: str | None = None) -> None:
        super().__init__(message, secret=secret)
        #: Bytes written to the target before the break.
        self.bytes_written = bytes_written


class DownloadTimeoutError(IncompleteDownloadError, APITimeoutError):
    """A time limit passed in the middle of a download's body; as
    :class:`IncompleteDownloadError`."""


class _Sink:
    """The target of one download: writes every byte of each read (a raw
    file may take part of one), counts them, and opens and closes a path
    target itself."""

    __slots__ = ("_file", "_owned", "_target", "written")

    def __init__(self, target: object) -> None:
        if isinstance(target, str | os.PathLike):
            path = os.fspath(target)
            parent = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(parent):
                raise FileNotFoundError(f"no directory {parent!r} to write {path!r} in")
        elif isinstance(target, io.TextIOBase) or not isinstance(target, Writable):
            raise TypeError(
                "to= must be a binary file-like (with write(bytes)) or a path, "
                f"not {type(target).__name__}"
            )
        self._target = target
        self._file: Any = None
        self._owned = False
        self.written = 0

    @contextlib.contextmanager
    def opened(self) -> Iterator[Callable[[bytes], None]]:
        """The ``write`` to hand the flow; a path is opened for it and closed after."""
        target = self._target
        if isinstance(target, str | os.PathLike):
            self._file = open(target, "wb")  # noqa: SIM115 - closed below, after the body
            self._owned = True
        else:
            self._file = target
        try:
            yield self.write
        finally:
            if self._owned:
                self._file.close()

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        write = self._file.write
        while view:
            taken = write(view)
            count = len(view) if taken is None else int(taken)
            self.written += count
            if count <= 0:
                raise OSError("the download target took no bytes")
            view = view[count:]


def download_flow(
    core: _Core,
    method: str,
    path: str,
    options: _Options,
    to: object,
    *,
    media_types: tuple[str, ...],
    query: Mapping[str, str] | None = None,
    payload: object = None,
) -> Generator[Operation, Any, DownloadResult]:
    """The flow of one download of ``path`` to ``to``; ``payload`` is the
    JSON body of a generation (sent at most once once a byte of a response
    may have arrived: see :class:`~openrouter.RetryPolicy`).

    ``to`` is checked here, before anything is sent.

    Raises:
        TypeError: ``to`` is neither a binary file-like nor a path.
        FileNotFoundError: ``to`` is a path in a directory that does not exist.
    """
    sink = _Sink(to)
    url = core._url(path, query)
    headers, body = core._message(payload, options.headers, stream=False)
    headers = (*headers, ("Accept", ", ".join(media_types)))
    transport = core._transport
    timeouts = options.timeouts

    def attempt() -> Generator[Operation, Any, StreamStart]:
        return open_download(
            method,
            url,
            headers=headers,
            body=body,
            timeouts=timeouts,
            clock=transport.clock,
            media_types=media_types,
            max_redirects=transport.max_redirects,
        )

    return _download(core, attempt, options, sink, generates=payload is not None)


def _download(
    core: _Core,
    attempt: Callable[[], Generator[Operation, Any, StreamStart]],
    options: _Options,
    sink: _Sink,
    *,
    generates: bool,
) -> Generator[Operation, Any, DownloadResult]:
    secret = core._api_key
    start: StreamStart = yield from call_flow(
        attempt, None, policy=options.policy, secret=secret, generates=generates, stream=True
    )
    head = start.head
    try:
        with sink.opened() as write:
            yield from read_download(start, write)
    except SSEError as exc:
        redact_chain(exc, secret)
        kind = DownloadTimeoutError if isinstance(exc, Timeout) else IncompleteDownloadError
        raise kind(
            f"the download broke off after {sink.written} bytes: {type(exc).__name__}: {exc}",
            bytes_written=sink.written,
            secret=secret,
        ) from exc
    return DownloadResult(
        bytes_written=sink.written,
        content_type=header_value(head.headers, "content-type"),
        generation_id=header_value(head.headers, "x-generation-id"),
        status=head.status,
        headers=head.headers,
    )
