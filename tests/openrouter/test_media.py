"""The media namespaces (``client.embeddings``, ``.rerank``, ``.images``,
``.audio.transcriptions``, ``.videos``) against the mock, on the blocking
client and the async one (asyncio, and trio for some): the request each
sends (method, path, query, JSON body checked against the field names and
JSON types of OpenRouter's OpenAPI description), the typed result, and the
error paths. The binary downloads are in ``test_media_downloads.py``.
"""

from __future__ import annotations

import asyncio
import base64
import math
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import trio

from openrouter import (
    AsyncOpenRouter,
    BadRequestError,
    EmbeddingsRequest,
    GeneratedImage,
    ImageRequest,
    ModelList,
    NotFoundError,
    OpenRouter,
    ProviderOptions,
    RerankRequest,
    TranscriptionRequest,
    VideoJob,
    VideoRequest,
)
from openrouter._media_records import Embeddings
from openrouter.testing import MockOpenRouter, RecordedRequest
from openrouter.testing._media_data import PNG, embedding_vector, rerank_score

KEY = "sk-or-v1-media-test-key"

#: The faces an operation runs on: the blocking client, the async one under asyncio and trio.
FACES = ["sync", "asyncio", "trio"]

Op = Callable[[Any], Any]

# -- the documented request bodies (OpenRouter's OpenAPI description) -------------------

NUMBER = (int, float)

#: Operation -> (every documented member and its JSON type(s), the required members).
SCHEMAS: dict[str, tuple[dict[str, Any], set[str]]] = {
    "embeddings": (
        {
            "model": str,
            "input": (str, list),
            "dimensions": int,
            "encoding_format": str,
            "input_type": str,
            "provider": dict,
            "user": str,
        },
        {"model", "input"},
    ),
    "rerank": (
        {"model": str, "query": str, "documents": list, "top_n": int, "provider": dict},
        {"model", "query", "documents"},
    ),
    "images": (
        {
            "aspect_ratio": str,
            "background": str,
            "input_references": list,
            "model": str,
            "n": int,
            "output_compression": int,
            "output_format": str,
            "prompt": str,
            "provider": dict,
            "quality": str,
            "resolution": str,
            "seed": int,
            "size": str,
            "stream": bool,
        },
        {"model", "prompt"},
    ),
    "transcriptions": (
        {
            "input_audio": dict,
            "language": str,
            "model": str,
            "provider": dict,
            "response_format": str,
            "temperature": NUMBER,
            "timestamp_granularities": list,
        },
        {"model", "input_audio"},
    ),
    "videos": (
        {
            "aspect_ratio": str,
            "callback_url": str,
            "creativity": int,
            "duration": int,
            "frame_images": list,
            "generate_audio": bool,
            "input_references": list,
            "model": str,
            "prompt": str,
            "provider": dict,
            "resolution": str,
            "seed": int,
            "size": str,
            "upscale_factor": NUMBER,
        },
        {"model"},
    ),
}


def check_body(operation: str, body: object) -> None:
    """``body`` has the required members and only documented ones, each of its JSON type."""
    members, required = SCHEMAS[operation]
    assert isinstance(body, dict)
    assert required <= set(body), f"missing {required - set(body)}"
    assert set(body) <= set(members), f"undocumented {set(body) - set(members)}"
    for name, value in body.items():
        kind = members[name]
        assert isinstance(value, kind), name
        assert not (kind is int and isinstance(value, bool)), name


# -- harness ------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[MockOpenRouter]:
    with MockOpenRouter(api_key=KEY) as mock:
        yield mock


def call(face: str, server: MockOpenRouter, op: Op) -> Any:
    """``op(client)`` on a new client of ``face``, awaited on the async faces."""
    if face == "sync":
        with OpenRouter(KEY, base_url=server.base_url) as client:
            return op(client)

    async def main() -> Any:
        async with AsyncOpenRouter(KEY, base_url=server.base_url) as client:
            return await op(client)

    if face == "trio":
        return trio.run(main)
    return asyncio.run(main())


def last(server: MockOpenRouter) -> RecordedRequest:
    return server.requests[-1]


def sent(server: MockOpenRouter, method: str, path: str) -> RecordedRequest:
    """The one request the mock received, checked to be ``method path``."""
    requests = server.requests
    assert len(requests) == 1, requests
    assert (requests[0].method, requests[0].path) == (method, "/api/v1/" + path)
    return requests[0]


# -- embeddings ---------------------------------------------------------------------------


@pytest.mark.parametrize("face", FACES)
def test_embeddings_create_typed(server: MockOpenRouter, face: str) -> None:
    """A typed request sends the documented body; the vectors are the mock's, in input order."""
    request = EmbeddingsRequest(
        model="mock/embed",
        input=["the cat", "a dog sat"],
        dimensions=8,
        input_type="search_document",
        provider=ProviderOptions(order=["mock"]),
        user="u-1",
    )
    result = call(face, server, lambda c: c.embeddings.create(request))
    record = sent(server, "POST", "embeddings")
    check_body("embeddings", record.json)
    assert record.json["provider"] == {"order": ["mock"]}
    assert record.headers["content-type"] == "application/json"
    assert isinstance(result, Embeddings)
    assert result.model == "mock/embed"
    assert result.id is not None
    assert result.id.startswith("gen-emb")
    assert result.vectors == [embedding_vector("mock/embed", t, 8) for t in request.input]
    assert [e.index for e in result] == [0, 1]
    assert all(type(x) is float for x in result[0].embedding or [])
    assert result.usage is not None
    assert result.usage.prompt_tokens == 5


@pytest.mark.parametrize("face", FACES[:2])
def test_embeddings_base64_decoded_to_floats(server: MockOpenRouter, face: str) -> None:
    """``encoding_format="base64"`` answers are decoded to the same floats as the float form."""
    as_float = call(face, server, lambda c: c.embeddings.create({"model": "m", "input": "hi"}))
    request = {"model": "m", "input": "hi", "encoding_format": "base64"}
    packed = call(face, server, lambda c: c.embeddings.create(request))
    assert isinstance(packed.raw["data"][0]["embedding"], str)
    assert packed.vectors == as_float.vectors
    assert len(packed.vectors[0]) == 16
    assert math.isclose(sum(v * v for v in packed.vectors[0]), 1.0, rel_tol=1e-5)


def test_embeddings_mapping_request_sent_as_given(server: MockOpenRouter) -> None:
    """A mapping request is sent as given, members this library does not model included."""
    request = {"model": "mock/embed", "input": [[1, 2, 3]], "dimensions": 4}
    result = call("sync", server, lambda c: c.embeddings.create(request))
    assert last(server).json == request
    assert len(result.vectors[0]) == 4


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"model": "", "input": "x"}, ValueError),
        ({"model": "m", "input": ""}, ValueError),
        ({"model": "m", "input": []}, ValueError),
        ({"model": "m", "input": ["a", 1]}, TypeError),
        ({"model": "m", "input": b"x"}, TypeError),
        ({"model": "m", "input": "x", "dimensions": 0}, ValueError),
        ({"model": "m", "input": "x", "dimensions": True}, TypeError),
        ({"model": "m", "input": "x", "provider": "mock"}, TypeError),
    ],
)
def test_embeddings_request_refused(kwargs: dict[str, Any], error: type[Exception]) -> None:
    """A malformed request is refused when it is made."""
    with pytest.raises(error):
        EmbeddingsRequest(**kwargs)


@pytest.mark.parametrize("face", FACES[:2])
def test_bad_mapping_refused_before_sending(server: MockOpenRouter, face: str) -> None:
    """A mapping without a required member, or a non-mapping, is refused with nothing sent."""
    with pytest.raises(ValueError, match="lacks input"):
        call(face, server, lambda c: c.embeddings.create({"model": "m"}))
    with pytest.raises(TypeError, match="EmbeddingsRequest"):
        call(face, server, lambda c: c.embeddings.create(["model", "m"]))
    with pytest.raises(ValueError, match="does not stream"):
        call(
            face, server, lambda c: c.images.generate({"model": "m", "prompt": "p", "stream": True})
        )
    assert server.requests == []


@pytest.mark.parametrize("face", FACES)
def test_embeddings_models_paged(server: MockOpenRouter, face: str) -> None:
    """``models(offset, limit)`` sends the paging query and reads a ModelList."""
    result = call(face, server, lambda c: c.embeddings.models(offset=1, limit=1))
    record = sent(server, "GET", "embeddings/models")
    assert record.query == {"offset": "1", "limit": "1"}
    assert isinstance(result, ModelList)
    assert [m.id for m in result] == ["mock/embed-large"]
    assert result[0].architecture is not None
    assert result[0].architecture.output_modalities == ["embeddings"]
    assert result.raw["total_count"] == 3


def test_embeddings_models_unpaged_and_bad_paging(server: MockOpenRouter) -> None:
    """Without paging no query is sent; a bad offset or limit is refused before sending."""
    result = call("sync", server, lambda c: c.embeddings.models())
    assert last(server).query == {}
    assert len(result) == 3
    bads: list[dict[str, Any]] = [{"offset": -1}, {"limit": 0}, {"limit": "5"}]
    with OpenRouter(KEY, base_url=server.base_url) as client:
        for bad in bads:
            with pytest.raises((ValueError, TypeError)):
                client.embeddings.models(**bad)
    assert len(server.requests) == 1


# -- rerank -------------------------------------------------------------------------------


@pytest.mark.parametrize("face", FACES)
def test_rerank_create_typed(server: MockOpenRouter, face: str) -> None:
    """Results come most relevant first, each with its request index, score and document."""
    docs: list[str | Mapping[str, object]] = [
        "Berlin is in Germany",
        "Paris is the capital of France",
        {"text": "France"},
    ]
    request = RerankRequest(model="mock/rerank", query="capital of France", documents=docs, top_n=2)
    result = call(face, server, lambda c: c.rerank.create(request))
    record = sent(server, "POST", "rerank")
    check_body("rerank", record.json)
    assert record.json["documents"] == docs
    assert [r.index for r in result] == [1, 2]
    assert result[0].relevance_score == rerank_score("capital of France", str(docs[1]))
    assert result[0].document is not None
    assert result[0].document.text == docs[1]
    assert result.model == "mock/rerank"
    assert result.provider == "Mock"
    assert result.usage is not None
    assert result.usage.search_units == 1


def test_rerank_mapping_and_refusals(server: MockOpenRouter) -> None:
    """A mapping works; empty documents or a bad top_n are refused when made."""
    result = call(
        "sync",
        server,
        lambda c: c.rerank.create({"model": "m", "query": "a", "documents": ["a", "b"]}),
    )
    assert len(result) == 2
    assert result[0].index == 0
    bads: list[dict[str, Any]] = [
        {"documents": []},
        {"documents": "ab"},
        {"top_n": 0},
        {"documents": [1]},
    ]
    for bad in bads:
        fields: dict[str, Any] = {"model": "m", "query": "q", "documents": ["a"], **bad}
        with pytest.raises((ValueError, TypeError)):
            RerankRequest(**fields)


# -- images -------------------------------------------------------------------------------


@pytest.mark.parametrize("face", FACES)
def test_images_generate_typed(server: MockOpenRouter, face: str) -> None:
    """The images come back as base64 PNGs with their type; ``to_bytes()`` decodes them."""
    request = ImageRequest(
        model="mock/image",
        prompt="a red fox",
        n=2,
        size="1024x1024",
        aspect_ratio="1:1",
        quality="high",
        output_format="png",
        output_compression=80,
        seed=7,
        input_references=[
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}
        ],
    )
    result = call(face, server, lambda c: c.images.generate(request))
    record = sent(server, "POST", "images")
    check_body("images", record.json)
    assert "stream" not in record.json
    assert len(result) == 2
    image = result[0]
    assert isinstance(image, GeneratedImage)
    assert image.media_type == "image/png"
    assert image.to_bytes() == PNG
    assert image.data_url().startswith("data:image/png;base64,iVBOR")
    assert result.created == 1767225600
    assert result.usage is not None
    assert result.usage.cost == pytest.approx(0.08)


def test_png_is_valid() -> None:
    """The mock's image is a well-formed PNG (signature, IHDR of 1x1, IEND)."""
    assert PNG.startswith(b"\x89PNG\r\n\x1a\n")
    assert PNG[12:16] == b"IHDR"
    assert PNG[16:24] == b"\x00\x00\x00\x01\x00\x00\x00\x01"
    assert PNG.endswith(b"IEND\xaeB`\x82")


def test_generated_image_without_data() -> None:
    """An image without ``b64_json`` (or with a broken one) raises ValueError, not a crash."""
    with pytest.raises(ValueError, match="no b64_json"):
        GeneratedImage.from_dict({}).to_bytes()
    with pytest.raises(ValueError, match="not base64"):
        GeneratedImage.from_dict({"b64_json": "@@"}).to_bytes()


@pytest.mark.parametrize("face", FACES)
def test_images_models_and_endpoints(server: MockOpenRouter, face: str) -> None:
    """The image model list and one model's endpoints are typed."""

    def op(client: Any) -> Any:
        if face == "sync":
            return client.images.models(), client.images.endpoints("mock", "image")

        async def both() -> Any:
            return await client.images.models(), await client.images.endpoints("mock", "image")

        return both()

    models, endpoints = call(face, server, op)
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", "/api/v1/images/models"),
        ("GET", "/api/v1/images/models/mock/image/endpoints"),
    ]
    assert models[0].id == "mock/image"
    assert models[0].supports_streaming is False
    assert models[0].supported_parameters is not None
    assert endpoints.id == "mock/image"
    assert endpoints[0].provider_name == "Mock"
    assert endpoints[0].pricing == [{"billable": "output_image", "cost_usd": 0.04, "unit": "image"}]


@pytest.mark.parametrize("face", FACES[:2])
def test_images_endpoints_unknown_model(server: MockOpenRouter, face: str) -> None:
    """An unknown image model is a NotFoundError."""
    with pytest.raises(NotFoundError):
        call(face, server, lambda c: c.images.endpoints("nobody", "nothing"))


@pytest.mark.parametrize(
    ("author", "slug"), [("", "x"), ("a/b", "x"), ("..", "x"), ("a", "."), ("a", 3)]
)
def test_images_endpoints_bad_path_refused(server: MockOpenRouter, author: str, slug: Any) -> None:
    """A path segment that could change the path is refused before sending."""
    with pytest.raises((ValueError, TypeError)):
        call("sync", server, lambda c: c.images.endpoints(author, slug))
    assert server.requests == []


def test_images_endpoints_percent_encoded(server: MockOpenRouter) -> None:
    """Other characters are percent-encoded in their segment."""
    with pytest.raises(NotFoundError):
        call("sync", server, lambda c: c.images.endpoints("a b", "c?d"))
    assert last(server).path == "/api/v1/images/models/a%20b/c%3Fd/endpoints"


# -- transcriptions -----------------------------------------------------------------------


@pytest.mark.parametrize("face", FACES)
def test_transcriptions_from_file(server: MockOpenRouter, face: str, tmp_path: Path) -> None:
    """``from_file`` sends the file base64 in ``input_audio``; a verbose transcript is typed."""
    audio = bytes(range(256)) * 250
    path = tmp_path / "clip.WAV"
    path.write_bytes(audio)
    request = TranscriptionRequest.from_file(
        "mock/stt",
        path,
        language="en",
        response_format="verbose_json",
        temperature=0,
        timestamp_granularities=["word", "segment"],
    )
    result = call(face, server, lambda c: c.audio.transcriptions(request))
    record = sent(server, "POST", "audio/transcriptions")
    check_body("transcriptions", record.json)
    assert record.json["input_audio"] == {
        "data": base64.b64encode(audio).decode(),
        "format": "wav",
    }
    assert result.text == f"Mock transcript of {len(audio)} bytes of wav audio."
    assert result.language == "en"
    assert result.task == "transcribe"
    assert result.duration == pytest.approx(2.0)
    assert result.segments is not None
    assert result.segments[0].text == result.text
    assert result.words is not None
    assert [w.word for w in result.words] == result.text.split()
    assert result.words[-1].end == pytest.approx(2.0)
    assert result.usage is not None
    assert result.usage.seconds == pytest.approx(2.0)


def test_transcriptions_plain_json_and_mapping(server: MockOpenRouter) -> None:
    """A mapping request works; the plain answer has text and usage, no segments."""
    request = {"model": "m", "input_audio": {"data": "UklGRg==", "format": "wav"}}
    result = call("sync", server, lambda c: c.audio.transcriptions(request))
    assert result.text == "Mock transcript of 4 bytes of wav audio."
    assert result.segments is None
    assert result.usage is not None


def test_transcription_request_refusals(tmp_path: Path) -> None:
    """Bytes need a format, an unknown suffix needs one, and input_audio needs data and format."""
    with pytest.raises(ValueError, match="format="):
        TranscriptionRequest.from_file("m", b"RIFF")
    odd = tmp_path / "clip.xyz"
    odd.write_bytes(b"x")
    with pytest.raises(ValueError, match="format="):
        TranscriptionRequest.from_file("m", odd)
    assert TranscriptionRequest.from_file("m", odd, format="ogg").input_audio["format"] == "ogg"
    with pytest.raises(TypeError):
        TranscriptionRequest(model="m", input_audio={"data": "AA=="})
    with pytest.raises(TypeError):
        TranscriptionRequest.from_file("m", 12)  # type: ignore[arg-type]


def test_transcriptions_server_refuses_bad_audio(server: MockOpenRouter) -> None:
    """Audio that is not base64 is a 400 from the server, a BadRequestError."""
    request = {"model": "m", "input_audio": {"data": "not base64!", "format": "wav"}}
    with pytest.raises(BadRequestError, match="not base64"):
        call("sync", server, lambda c: c.audio.transcriptions(request))


# -- videos -------------------------------------------------------------------------------


@pytest.mark.parametrize("face", FACES)
def test_video_job_lifecycle(server: MockOpenRouter, face: str) -> None:
    """create -> pending (202); polls -> in_progress, then completed with content URLs."""
    request = VideoRequest(
        model="mock/video",
        prompt="a cat on a skateboard",
        duration=4,
        resolution="720p",
        aspect_ratio="16:9",
        seed=3,
        generate_audio=False,
        frame_images=[{"type": "image_url", "image_url": {"url": "https://x.test/f.png"}}],
        callback_url="https://hooks.test/video",
        provider={"options": {"mock": {"style": "noir"}}},
    )

    def op(client: Any) -> Any:
        if face == "sync":
            job = client.videos.create(request)
            return job, client.videos.get(job.id), client.videos.get(job.id)

        async def steps() -> Any:
            job = await client.videos.create(request)
            return job, await client.videos.get(job.id), await client.videos.get(job.id)

        return steps()

    job, first, second = call(face, server, op)
    create = server.requests[0]
    assert (create.method, create.path) == ("POST", "/api/v1/videos")
    check_body("videos", create.json)
    assert [r.path for r in server.requests[1:]] == [f"/api/v1/videos/{job.id}"] * 2
    assert isinstance(job, VideoJob)
    assert job.status == "pending"
    assert not job.done
    assert job.polling_url == f"/api/v1/videos/{job.id}"
    assert job.generation_id is not None
    assert first.status == "in_progress"
    assert second.status == "completed"
    assert second.done
    assert second.unsigned_urls == [f"{server.base_url}/videos/{job.id}/content?index=0"]
    assert second.usage is not None
    assert second.usage.cost == 0.5


def test_video_failed_job(server: MockOpenRouter) -> None:
    """A failed job says why."""

    def op(client: OpenRouter) -> list[VideoJob]:
        job = client.videos.create({"model": "mock/video-fail", "prompt": "p"})
        return [client.videos.get(job.id or "") for _ in range(2)]

    polls = call("sync", server, op)
    assert polls[-1].status == "failed"
    assert polls[-1].done
    assert polls[-1].error == "The mock provider refused to film this"


@pytest.mark.parametrize("face", FACES)
def test_video_unknown_job_is_not_found(server: MockOpenRouter, face: str) -> None:
    """Polling a job the server does not know is a NotFoundError."""
    with pytest.raises(NotFoundError, match="job-nope"):
        call(face, server, lambda c: c.videos.get("job-nope"))


@pytest.mark.parametrize("job_id", ["", "a/b", "..", ".", None])
def test_video_bad_job_id_refused(server: MockOpenRouter, job_id: Any) -> None:
    """A job id that could change the path is refused before sending."""
    with pytest.raises((ValueError, TypeError)):
        call("sync", server, lambda c: c.videos.get(job_id))
    assert server.requests == []


def test_video_request_refusals(server: MockOpenRouter) -> None:
    """Bad fields are refused when made; the server refuses a job with nothing to film."""
    for bad in ({"model": ""}, {"model": "m", "duration": 0}, {"model": "m", "generate_audio": 1}):
        with pytest.raises((ValueError, TypeError)):
            VideoRequest(**bad)
    with pytest.raises(BadRequestError, match="prompt"):
        call("sync", server, lambda c: c.videos.create(VideoRequest(model="mock/video")))


@pytest.mark.parametrize("face", FACES)
def test_video_models(server: MockOpenRouter, face: str) -> None:
    """The video model list is typed."""
    models = call(face, server, lambda c: c.videos.models())
    sent(server, "GET", "videos/models")
    assert len(models) == 1
    model = models[0]
    assert model.id == "mock/video"
    assert model.supported_durations == [4, 8]
    assert model.supported_resolutions == ["720p", "1080p"]
    assert model.supported_sizes is None
    assert model.pricing_skus == {"generate": "0.50"}


# -- records ------------------------------------------------------------------------------


def test_records_tolerate_odd_json() -> None:
    """Records never raise: missing, mistyped and undecodable fields read as None."""
    emb = Embeddings.from_dict({"data": [{"index": 0, "embedding": "%%"}, {"embedding": [1, "x"]}]})
    assert emb[0].embedding is None
    assert emb[1].embedding == [1.0]
    assert emb.vectors == [[1.0], []]
    assert Embeddings.from_dict({"data": [{"embedding": "AAAA"}]})[0].embedding is None
    assert Embeddings.from_dict(None).data == []
    job = VideoJob.from_dict({"status": 3, "unsigned_urls": ["u", 1]})
    assert job.status is None
    assert job.unsigned_urls == ["u"]
    assert not job.done


def test_mapping_requests_are_copied() -> None:
    """Typed requests keep copies: mutating the caller's list later changes nothing."""
    docs: list[str | Mapping[str, object]] = ["a"]
    request = RerankRequest(model="m", query="q", documents=docs)
    docs.append("b")
    assert request.to_dict()["documents"] == ["a"]
