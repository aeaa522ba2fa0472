"""Binary answers written to a file-like as they arrive: ``client.audio.speech``
and ``client.videos.download``, on every transport (blocking sockets and
httpx, asyncio and trio with sockets and httpx), against the mock.

What is checked: the bytes written are the mock's, in several writes; the
request (method, path, query, body against the documented schema); error
statuses and JSON errors map to the usual error classes and write nothing;
a body cut short raises ``IncompleteDownloadError`` and the target keeps
what arrived; a generation is not sent again once it may have reached the
server (counted on the mock); memory stays bounded by one read (the largest
write handed to the target, and a tracemalloc peak far below the body);
cancelling releases the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from openrouter import (
    APIConnectionError,
    AsyncOpenRouter,
    BadGatewayError,
    BadRequestError,
    DownloadResult,
    IncompleteDownloadError,
    NotFoundError,
    OpenRouter,
    RetryPolicy,
    SpeechRequest,
)
from openrouter.testing import MockOpenRouter
from openrouter.testing._media_data import (
    SPEECH_SIZE,
    VIDEO_SIZE,
    body_pieces,
    speech_bytes,
    video_bytes,
)

KEY = "sk-or-v1-download-test-key"

#: The documented members of ``SpeechRequest`` and their JSON types.
SPEECH_SCHEMA: dict[str, Any] = {
    "input": str,
    "input_references": list,
    "model": str,
    "provider": dict,
    "response_format": str,
    "speed": (int, float),
    "voice": str,
}


@dataclass(frozen=True)
class Transport:
    """A client face and its transport."""

    name: str
    runtime: str  # "sync", "asyncio" or "trio"
    httpx: bool

    def call(self, server: MockOpenRouter, op: Callable[[Any], Any], **options: Any) -> Any:
        """``op(client)`` on a new client (``options`` to its constructor), awaited if async."""
        if self.runtime == "sync":
            with contextlib.ExitStack() as stack:
                transport = stack.enter_context(httpx.Client()) if self.httpx else None
                client = stack.enter_context(
                    OpenRouter(KEY, base_url=server.base_url, transport=transport, **options)
                )
                return op(client)

        async def main() -> Any:
            async with contextlib.AsyncExitStack() as stack:
                transport = (
                    await stack.enter_async_context(httpx.AsyncClient()) if self.httpx else None
                )
                client = await stack.enter_async_context(
                    AsyncOpenRouter(KEY, base_url=server.base_url, transport=transport, **options)
                )
                return await op(client)

        return trio.run(main) if self.runtime == "trio" else asyncio.run(main())


TRANSPORTS = [
    Transport("sync-sockets", "sync", httpx=False),
    Transport("sync-httpx", "sync", httpx=True),
    Transport("asyncio-sockets", "asyncio", httpx=False),
    Transport("asyncio-httpx", "asyncio", httpx=True),
    Transport("trio-sockets", "trio", httpx=False),
    Transport("trio-httpx", "trio", httpx=True),
]
EVERY_TRANSPORT = pytest.mark.parametrize("transport", TRANSPORTS, ids=lambda t: t.name)
SYNC, ASYNCIO, TRIO = TRANSPORTS[0], TRANSPORTS[2], TRANSPORTS[4]


class Sink:
    """A binary file-like that keeps only a hash, the size of each write and the total."""

    def __init__(self, keep: bool = False) -> None:
        self.hash = hashlib.sha256()
        self.writes: list[int] = []
        self.keep = keep
        self.kept = bytearray()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.writes.append(len(data))
        if self.keep:
            self.kept += data
        return len(data)


@pytest.fixture
def server() -> Iterator[MockOpenRouter]:
    with MockOpenRouter(api_key=KEY) as mock:
        yield mock


def speech_requests(server: MockOpenRouter) -> int:
    return sum(1 for r in server.requests if r.path == "/api/v1/audio/speech")


# -- speech -------------------------------------------------------------------------------


@EVERY_TRANSPORT
def test_speech_written_as_it_arrives(server: MockOpenRouter, transport: Transport) -> None:
    """The audio lands in the file-like in several writes, byte for byte the mock's."""
    request = SpeechRequest(
        model="mock/tts", input="Hello there", voice="alloy", response_format="mp3", speed=1.25
    )
    sink = Sink(keep=True)
    result = transport.call(server, lambda c: c.audio.speech(request, to=sink))
    record = server.requests[0]
    assert (record.method, record.path) == ("POST", "/api/v1/audio/speech")
    assert record.json == request.to_dict()
    assert set(record.json) <= set(SPEECH_SCHEMA)
    for name, value in record.json.items():
        assert isinstance(value, SPEECH_SCHEMA[name])
    assert record.headers["accept"] == "audio/*, application/octet-stream"
    assert sink.kept == speech_bytes("Hello there")
    assert len(sink.writes) > 1
    assert isinstance(result, DownloadResult)
    assert result.bytes_written == SPEECH_SIZE
    assert result.content_type == "audio/mpeg"
    assert result.generation_id is not None
    assert result.generation_id.startswith("gen-tts")
    assert result.status == 200


def test_speech_mapping_request_to_a_path(server: MockOpenRouter, tmp_path: Path) -> None:
    """A mapping request is sent as given; a path target is created, written and closed."""
    target = tmp_path / "hello.pcm"
    request = {"model": "mock/tts", "input": "hi", "extra_member": 1}
    result = SYNC.call(server, lambda c: c.audio.speech(request, to=target))
    assert server.requests[0].json == request
    assert target.read_bytes() == speech_bytes("hi")
    assert result.content_type == "audio/pcm"


@pytest.mark.parametrize("transport", [SYNC, ASYNCIO], ids=lambda t: t.name)
def test_speech_error_status_json_body(
    server: MockOpenRouter, transport: Transport, tmp_path: Path
) -> None:
    """A 400 with OpenRouter's JSON error is a BadRequestError; no file is created."""
    target = tmp_path / "never.pcm"
    request = {"model": "mock/tts", "input": "hi", "response_format": "vorbis"}
    with pytest.raises(BadRequestError, match="Unsupported response_format: vorbis"):
        transport.call(server, lambda c: c.audio.speech(request, to=target))
    assert not target.exists()


def test_speech_json_error_with_status_200(server: MockOpenRouter) -> None:
    """A 200 whose body is a JSON error, not audio, maps by its code; nothing is written."""
    sink = Sink()
    with pytest.raises(BadGatewayError, match="Upstream speech provider failed"):
        SYNC.call(
            server, lambda c: c.audio.speech({"model": "mock/tts-json", "input": "x"}, to=sink)
        )
    assert sink.writes == []


@pytest.mark.parametrize("transport", [SYNC, ASYNCIO, TRIO], ids=lambda t: t.name)
def test_speech_cut_short(server: MockOpenRouter, transport: Transport) -> None:
    """A body that breaks off raises IncompleteDownloadError; the target keeps what
    arrived, and the generation is not sent again."""
    sink = Sink(keep=True)
    request = {"model": "mock/tts-cut", "input": "cut"}
    with pytest.raises(IncompleteDownloadError) as caught:
        transport.call(server, lambda c: c.audio.speech(request, to=sink), max_retries=3)
    half = SPEECH_SIZE // 2
    assert caught.value.bytes_written == half
    assert sink.kept == speech_bytes("cut")[:half]
    assert "IncompleteBody" in str(caught.value)
    assert isinstance(caught.value, APIConnectionError)
    assert speech_requests(server) == 1


@pytest.mark.parametrize("transport", [SYNC, ASYNCIO, TRIO], ids=lambda t: t.name)
def test_speech_not_resent_after_the_connection_broke(
    server: MockOpenRouter, transport: Transport
) -> None:
    """A connection that closes after the request was sent is not retried: one request."""
    request = {"model": "mock/tts-drop", "input": "x"}
    with pytest.raises(APIConnectionError):
        transport.call(server, lambda c: c.audio.speech(request, to=Sink()), max_retries=3)
    assert speech_requests(server) == 1


def test_speech_resent_when_the_caller_allows(server: MockOpenRouter) -> None:
    """With ``retry_after_send=True`` the same failure is retried as the policy says."""
    policy = RetryPolicy(max_retries=2, base_delay=0, retry_after_send=True)
    request = {"model": "mock/tts-drop", "input": "x"}
    with pytest.raises(APIConnectionError):
        SYNC.call(server, lambda c: c.audio.speech(request, to=Sink()), retry_policy=policy)
    assert speech_requests(server) == 3


def test_speech_bad_target_refused_before_sending(server: MockOpenRouter, tmp_path: Path) -> None:
    """A text file-like, a non-file or a path in no directory is refused with nothing sent."""
    request = SpeechRequest(model="mock/tts", input="x")
    with OpenRouter(KEY, base_url=server.base_url) as client:
        with pytest.raises(TypeError, match="binary file-like"):
            client.audio.speech(request, to=io.StringIO())  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="binary file-like"):
            client.audio.speech(request, to=42)  # type: ignore[arg-type]
        with pytest.raises(FileNotFoundError):
            client.audio.speech(request, to=tmp_path / "missing" / "a.pcm")
        with pytest.raises(ValueError, match="input"):
            SpeechRequest(model="mock/tts", input="")
    assert server.requests == []


def test_speech_target_write_error_closes(server: MockOpenRouter) -> None:
    """An OSError from the target ends the download (the client stays usable)."""

    class Full:
        def __init__(self) -> None:
            self.calls = 0

        def write(self, data: bytes) -> int:
            self.calls += 1
            if self.calls == 2:
                raise OSError(28, "No space left on device")
            return len(data)

    target = Full()
    with OpenRouter(KEY, base_url=server.base_url) as client:
        with pytest.raises(OSError, match="No space left"):
            client.audio.speech({"model": "mock/tts", "input": "x"}, to=target)
        again = Sink()
        assert client.audio.speech({"model": "mock/tts", "input": "x"}, to=again).bytes_written
    assert target.calls == 2


def test_partial_writes_are_completed(server: MockOpenRouter) -> None:
    """A raw target that takes part of a write is handed the rest."""

    class Raw:
        def __init__(self) -> None:
            self.data = bytearray()

        def write(self, data: Any) -> int:
            taken = bytes(data[:1000])
            self.data += taken
            return len(taken)

    target = Raw()
    SYNC.call(server, lambda c: c.audio.speech({"model": "mock/tts", "input": "p"}, to=target))
    assert target.data == speech_bytes("p")


# -- memory -------------------------------------------------------------------------------

LARGE = 16 * 1024 * 1024


@pytest.mark.parametrize("transport", [SYNC, ASYNCIO, TRANSPORTS[1]], ids=lambda t: t.name)
def test_large_speech_never_held_whole(server: MockOpenRouter, transport: Transport) -> None:
    """A 16 MiB body goes to the target in bounded writes, and the process never
    holds more than a small fraction of it (tracemalloc peak, server included)."""
    with server._lock:
        server.store["speech_size"] = LARGE
    expected = hashlib.sha256()
    for piece in body_pieces("speech|big", LARGE):
        expected.update(piece)
    sink = Sink()
    tracemalloc.start()
    try:
        result = transport.call(
            server, lambda c: c.audio.speech({"model": "m", "input": "big"}, to=sink)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.bytes_written == LARGE
    assert sink.hash.digest() == expected.digest()
    assert max(sink.writes) <= 256 * 1024
    assert len(sink.writes) >= LARGE // (256 * 1024)
    # Measured: 1.0 to 1.8 MB whatever the body's size (8 or 16 MiB), the
    # mock server's threads included; a body held whole would pass 16 MiB.
    assert peak < LARGE // 6, f"peak {peak} bytes for a {LARGE}-byte body"


# -- videos -------------------------------------------------------------------------------


def completed_job(client: Any) -> Any:
    """Create a video job and poll it to completion (awaitable on an async client)."""
    if isinstance(client, OpenRouter):
        job = client.videos.create({"model": "mock/video", "prompt": "p"})
        while not client.videos.get(job.id or "").done:
            pass
        return job.id

    async def steps() -> Any:
        job = await client.videos.create({"model": "mock/video", "prompt": "p"})
        while not (await client.videos.get(job.id)).done:
            pass
        return job.id

    return steps()


@EVERY_TRANSPORT
def test_video_download(server: MockOpenRouter, transport: Transport) -> None:
    """A completed job's video is written to the target as it arrives."""
    sink = Sink(keep=True)

    def op(client: Any) -> Any:
        if transport.runtime == "sync":
            job_id = completed_job(client)
            return job_id, client.videos.download(job_id, sink, index=0)

        async def steps() -> Any:
            job_id = await completed_job(client)
            return job_id, await client.videos.download(job_id, sink, index=0)

        return steps()

    job_id, result = transport.call(server, op)
    record = server.requests[-1]
    assert (record.method, record.path) == ("GET", f"/api/v1/videos/{job_id}/content")
    assert record.query == {"index": "0"}
    assert record.headers["accept"] == "video/*, application/octet-stream"
    assert sink.kept == video_bytes(job_id)
    assert sink.kept[4:8] == b"ftyp"
    assert len(sink.writes) > 1
    assert result.bytes_written == VIDEO_SIZE
    assert result.content_type == "video/mp4"


def test_video_download_to_path_without_index(server: MockOpenRouter, tmp_path: Path) -> None:
    """Without ``index`` no query is sent; a path target receives the file."""
    target = tmp_path / "clip.mp4"

    def op(client: OpenRouter) -> str:
        job_id = completed_job(client)
        client.videos.download(job_id, target)
        return str(job_id)

    job_id = SYNC.call(server, op)
    assert server.requests[-1].query == {}
    assert target.read_bytes() == video_bytes(job_id)


@pytest.mark.parametrize("transport", [SYNC, ASYNCIO], ids=lambda t: t.name)
def test_video_download_errors(server: MockOpenRouter, transport: Transport) -> None:
    """An unknown job is a NotFoundError, an unfinished one a BadRequestError; nothing written."""
    sink = Sink()
    with pytest.raises(NotFoundError, match="job-nope"):
        transport.call(server, lambda c: c.videos.download("job-nope", sink))

    def unfinished(client: Any) -> Any:
        if transport.runtime == "sync":
            job = client.videos.create({"model": "mock/video", "prompt": "p"})
            return client.videos.download(job.id, sink)

        async def steps() -> Any:
            job = await client.videos.create({"model": "mock/video", "prompt": "p"})
            return await client.videos.download(job.id, sink)

        return steps()

    with pytest.raises(BadRequestError, match="pending, not completed"):
        transport.call(server, unfinished)
    assert sink.writes == []


def test_video_download_bad_arguments_refused(server: MockOpenRouter) -> None:
    """A bad job id or index is refused before sending."""
    with OpenRouter(KEY, base_url=server.base_url) as client:
        for job_id, index in (("a/b", 0), ("", 0), ("job", -1), ("job", True)):
            with pytest.raises((ValueError, TypeError)):
                client.videos.download(job_id, Sink(), index=index)
    assert server.requests == []


def test_video_download_cut_short(server: MockOpenRouter) -> None:
    """A video that breaks off raises IncompleteDownloadError with what arrived kept."""
    sink = Sink(keep=True)

    def op(client: OpenRouter) -> None:
        job = client.videos.create({"model": "mock/video-cut", "prompt": "p"})
        client.videos.get(job.id or "")
        client.videos.get(job.id or "")
        client.videos.download(job.id or "", sink)

    with pytest.raises(IncompleteDownloadError) as caught:
        SYNC.call(server, op, max_retries=0)
    assert caught.value.bytes_written == VIDEO_SIZE // 2
    assert len(sink.kept) == VIDEO_SIZE // 2


# -- cancellation -------------------------------------------------------------------------


def test_asyncio_cancel_mid_download_releases(server: MockOpenRouter) -> None:
    """Cancelling the task in the middle of a download closes its connection; the
    client goes on working."""

    async def main() -> int:
        async with AsyncOpenRouter(KEY, base_url=server.base_url) as client:
            task: asyncio.Task[Any] | None = None

            class Cancelling(Sink):
                def write(self, data: bytes) -> int:
                    assert task is not None
                    task.cancel()
                    return super().write(data)

            sink = Cancelling()
            task = asyncio.ensure_future(
                client.audio.speech({"model": "mock/tts", "input": "x"}, to=sink)
            )
            with pytest.raises(asyncio.CancelledError):
                await task
            assert 0 < sum(sink.writes) < SPEECH_SIZE
            after = await client.audio.speech({"model": "mock/tts", "input": "x"}, to=Sink())
            return int(after.bytes_written)

    assert asyncio.run(main()) == SPEECH_SIZE


def test_trio_cancel_mid_download_releases(server: MockOpenRouter) -> None:
    """A trio cancel scope ends a download in the middle; the client goes on working."""

    async def main() -> int:
        async with AsyncOpenRouter(KEY, base_url=server.base_url) as client:
            with trio.CancelScope() as scope:

                class Cancelling(Sink):
                    def write(self, data: bytes) -> int:
                        scope.cancel()
                        return super().write(data)

                sink = Cancelling()
                await client.audio.speech({"model": "mock/tts", "input": "x"}, to=sink)
            assert scope.cancelled_caught
            assert 0 < sum(sink.writes) < SPEECH_SIZE
            after = await client.audio.speech({"model": "mock/tts", "input": "x"}, to=Sink())
            return int(after.bytes_written)

    assert trio.run(main) == SPEECH_SIZE
