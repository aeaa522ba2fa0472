"""What the mock's media routes answer with, derived deterministically from
the request: embedding vectors, rerank scores, a tiny PNG and the streamed
image generations, speech and video bytes, and the media model lists.
Tests import these to compute the expected answers."""

from __future__ import annotations

import base64
import hashlib
import math
import struct
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

__all__ = [
    "EMBEDDING_MODELS",
    "IMAGE_MODELS",
    "IMAGE_STREAM_ERROR",
    "PNG",
    "SPEECH_SIZE",
    "SVG",
    "VIDEO_MODELS",
    "VIDEO_SIZE",
    "WRITE_SIZE",
    "body_pieces",
    "embedding_vector",
    "image_endpoints",
    "image_stream",
    "pack_base64",
    "rerank_score",
    "speech_bytes",
    "video_bytes",
]

#: The default size of a speech answer (bytes), sent in several writes.
SPEECH_SIZE: Final = 300_000
#: The size of a generated video (bytes).
VIDEO_SIZE: Final = 200_000
#: The size of one write of a binary body.
WRITE_SIZE: Final = 48 * 1024

# A pattern block whose length is prime, so that writes of any size start at
# varying offsets into it and a shifted or dropped piece shows.
_BLOCK: Final = 65521


def _png_1x1() -> bytes:
    """A valid 1x1 RGBA PNG (one transparent-blue pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x20\x40\xff\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


#: The image every ``POST /images`` answers with.
PNG: Final = _png_1x1()

#: The text-based image ``mock/image-svg`` streams, in content text chunks.
SVG: Final = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">'
    '<rect width="1" height="1" fill="#2040ff"/></svg>'
)

#: The ``error`` of the error event ``mock/image-error`` streams (the
#: OpenAPI description's example).
IMAGE_STREAM_ERROR: Final[Mapping[str, Any]] = {
    "code": "upstream_error",
    "message": "The upstream provider returned an error",
    "param": None,
    "type": "provider_error",
}

#: The keepalive comment of the streamed scenarios.
_KEEPALIVE: Final = ("comment", "OPENROUTER PROCESSING")


def _image_usage(prompt: str) -> dict[str, Any]:
    prompt_tokens = len(prompt.split())
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": 4175,
        "total_tokens": prompt_tokens + 4175,
        "cost": 0.04,
    }


def image_stream(model: str, prompt: str, partial_images: int) -> list[tuple[str, Any]]:
    """What ``POST /images`` with ``"stream": true`` streams, in order:
    ``("event", obj)`` for an event (sent as ``data: <json>``),
    ``("comment", text)`` for a keepalive comment and ``("data", "[DONE]")``
    for the trailer. By ``model``:

    - ``mock/image-svg``: two reasoning text chunks, :data:`SVG` in three
      content text chunks, then the completed event (the SVG, base64).
    - ``mock/image-error``: one preview (whatever ``partial_images``
      asks), then an ``error`` event
      (:data:`IMAGE_STREAM_ERROR`).
    - ``mock/image-cut``: the previews, then the body ends with no
      completed event.
    - ``mock/image-keepalive``: a keepalive comment before each event,
      then ``data: [DONE]`` after the completed one.
    - any other: ``partial_images`` previews (``partial_image_index`` 0,
      1, ...: :data:`PNG`), then the completed event (:data:`PNG`, with
      ``created``, ``media_type`` and ``usage``).
    """
    previews = [_preview(index) for index in range(partial_images)]
    completed: dict[str, Any] = {
        "type": "image_generation.completed",
        "b64_json": base64.b64encode(PNG).decode("ascii"),
        "created": 1767225600,
        "media_type": "image/png",
        "usage": _image_usage(prompt),
    }
    if model == "mock/image-svg":
        thoughts = ["A single pixel, ", "filled blue."]
        pieces = [SVG[:30], SVG[30:70], SVG[70:]]
        texts = [("reasoning", t) for t in thoughts] + [("content", p) for p in pieces]
        svg = base64.b64encode(SVG.encode()).decode("ascii")
        completed.update(b64_json=svg, media_type="image/svg+xml")
        return [
            *(
                ("event", {"type": "image_generation.text_chunk", "phase": phase, "text": text})
                for phase, text in texts
            ),
            ("event", completed),
        ]
    if model == "mock/image-error":
        error = {"type": "error", "error": dict(IMAGE_STREAM_ERROR)}
        return [("event", _preview(0)), ("event", error)]
    if model == "mock/image-cut":
        return [("event", preview) for preview in previews]
    events = [("event", event) for event in [*previews, completed]]
    if model == "mock/image-keepalive":
        return [*(step for event in events for step in (_KEEPALIVE, event)), ("data", "[DONE]")]
    return events


def _preview(index: int) -> dict[str, Any]:
    return {
        "type": "image_generation.partial_image",
        "b64_json": base64.b64encode(PNG).decode("ascii"),
        "partial_image_index": index,
    }


def embedding_vector(model: str, item: object, dimensions: int) -> list[float]:
    """The unit vector of ``dimensions`` floats the mock gives ``item``
    (a string, a token list, a mapping) for ``model``."""
    seed = f"{model}|{item!r}".encode()
    values: list[float] = []
    counter = 0
    while len(values) < dimensions:
        digest = hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
        for (word,) in struct.iter_unpack(">H", digest):
            values.append(word / 32767.5 - 1.0)
    values = values[:dimensions]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    # Rounded through float32, so the float and base64 answers carry the same values.
    return [struct.unpack("<f", struct.pack("<f", v / norm))[0] for v in values]


def pack_base64(vector: Sequence[float]) -> str:
    """``vector`` as ``encoding_format="base64"`` sends it: little-endian float32, base64."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def rerank_score(query: str, document: str | Mapping[str, Any]) -> float:
    """How relevant the mock finds ``document`` to ``query``: the share of the
    query's words the document holds, nudged by a hash so ties are rare."""
    text = document if isinstance(document, str) else str(document.get("text", ""))
    words = set(text.lower().split())
    wanted = query.lower().split() or [""]
    share = sum(1 for w in wanted if w in words) / len(wanted)
    nudge = hashlib.sha256(f"{query}|{text}".encode()).digest()[0] / 255 / 100
    return round(share * 0.98 + nudge, 6)


def _block(seed: str) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < _BLOCK:
        out += hashlib.sha256(f"{seed}|{counter}".encode()).digest()
        counter += 1
    return bytes(out[:_BLOCK])


def body_pieces(
    seed: str, size: int, piece: int = WRITE_SIZE, head: bytes = b""
) -> Iterator[bytes]:
    """The ``size`` bytes derived from ``seed`` (``head`` first), in pieces of
    at most ``piece`` bytes; only one piece is in memory at a time."""
    block = _block(seed)
    doubled = block + block
    offset = 0
    while offset < size:
        n = min(piece, size - offset)
        out = bytearray()
        if offset < len(head):
            out += head[offset : offset + n]
        at = offset + len(out)
        while len(out) < n:
            start = at % _BLOCK
            take = min(n - len(out), _BLOCK)
            out += doubled[start : start + take]
            at += take
        yield bytes(out)
        offset += n


def speech_bytes(text: str, size: int = SPEECH_SIZE) -> bytes:
    """The whole audio the mock speaks for ``text`` (for tests to compare)."""
    return b"".join(body_pieces(f"speech|{text}", size))


#: The first bytes of every mock video: an MP4 ``ftyp`` box.
MP4_HEAD: Final = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def video_bytes(job_id: str, size: int = VIDEO_SIZE) -> bytes:
    """The whole video of job ``job_id`` (for tests to compare)."""
    return b"".join(body_pieces(f"video|{job_id}", size, head=MP4_HEAD))


#: ``GET /embeddings/models``.
EMBEDDING_MODELS: Final[tuple[dict[str, Any], ...]] = tuple(
    {
        "id": f"mock/{name}",
        "canonical_slug": f"mock/{name}-20260101",
        "hugging_face_id": None,
        "name": f"Mock: {title}",
        "created": 1767225600 + i,
        "description": f"A deterministic embedding model of {dims} dimensions.",
        "context_length": 8192,
        "architecture": {
            "modality": "text->embeddings",
            "input_modalities": ["text"],
            "output_modalities": ["embeddings"],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": "0.00000002", "completion": "0"},
        "top_provider": {
            "context_length": 8192,
            "max_completion_tokens": None,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": ["dimensions", "encoding_format", "input_type"],
        "default_parameters": {},
        "expiration_date": None,
    }
    for i, (name, title, dims) in enumerate(
        [
            ("embed", "Embed", 16),
            ("embed-large", "Embed Large", 64),
            ("embed-multi", "Embed Multi", 32),
        ]
    )
)

#: ``GET /images/models``.
IMAGE_MODELS: Final[tuple[dict[str, Any], ...]] = (
    {
        "id": "mock/image",
        "name": "Mock: Image",
        "created": 1767225600,
        "description": "Draws a 1x1 PNG, whatever the prompt.",
        "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["image"]},
        "endpoints": "/api/v1/images/models/mock/image/endpoints",
        "supported_parameters": {
            "resolution": {"type": "enum", "values": ["1K", "2K"]},
            "seed": {"type": "boolean"},
        },
        "supports_streaming": False,
    },
)


def image_endpoints(model_id: str, provider: str) -> dict[str, Any] | None:
    """The body of ``GET /images/models/{model_id}/endpoints``; ``None`` for an unknown model."""
    if not any(m["id"] == model_id for m in IMAGE_MODELS):
        return None
    return {
        "id": model_id,
        "endpoints": [
            {
                "provider_name": provider,
                "provider_slug": provider.lower(),
                "provider_tag": provider.lower(),
                "pricing": [{"billable": "output_image", "cost_usd": 0.04, "unit": "image"}],
                "supported_parameters": {"resolution": {"type": "enum", "values": ["1K", "2K"]}},
                "supports_streaming": False,
                "allowed_passthrough_parameters": [],
            }
        ],
    }


#: ``GET /videos/models``.
VIDEO_MODELS: Final[tuple[dict[str, Any], ...]] = (
    {
        "id": "mock/video",
        "canonical_slug": "mock/video-20260101",
        "name": "Mock: Video",
        "created": 1767225600,
        "description": "Films deterministic bytes after a poll or two.",
        "hugging_face_id": None,
        "generate_audio": True,
        "seed": True,
        "supported_aspect_ratios": ["16:9", "9:16"],
        "supported_durations": [4, 8],
        "supported_frame_images": ["first_frame", "last_frame"],
        "supported_resolutions": ["720p", "1080p"],
        "supported_sizes": None,
        "pricing_skus": {"generate": "0.50"},
        "allowed_passthrough_parameters": [],
    },
)
