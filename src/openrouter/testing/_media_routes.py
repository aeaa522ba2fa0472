"""The mock's routes for the media operations (see ``_routes.py``):
embeddings, rerank, images, speech, transcriptions and video jobs.

Answers are shaped like OpenRouter's OpenAPI description and derived
deterministically from the request (``_media_data.py``). Binary bodies
(speech, video) go out in writes of :data:`~._media_data.WRITE_SIZE` bytes.

Scenarios, chosen by the request's ``model``:

- ``POST /images`` with ``"stream": true``: an event stream of previews
  and the completed image; ``mock/image-svg``, ``mock/image-error``,
  ``mock/image-cut`` and ``mock/image-keepalive`` stream text chunks, an
  error after a preview, a body that ends early and keepalive comments
  (see :func:`~._media_data.image_stream`).
- ``POST /audio/speech``: ``mock/tts-cut`` announces the whole body but
  sends half and closes; ``mock/tts-drop`` reads the request and closes
  without answering; ``mock/tts-json`` answers 200 with a JSON error body.
  Any other model speaks ``server.store["speech_size"]`` bytes (default
  :data:`~._media_data.SPEECH_SIZE`).
- ``POST /videos``: jobs live in ``server.store["videos"]``; a job is
  ``pending`` when made, ``in_progress`` at the first poll and
  ``completed`` from the second (``failed`` for ``mock/video-fail``). The
  content of a ``mock/video-cut`` job breaks off halfway.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from ._http import Responder
from ._media_data import (
    EMBEDDING_MODELS,
    IMAGE_MODELS,
    MP4_HEAD,
    PNG,
    SPEECH_SIZE,
    VIDEO_MODELS,
    VIDEO_SIZE,
    body_pieces,
    embedding_vector,
    image_endpoints,
    image_stream,
    pack_base64,
    rerank_score,
)
from ._records import RecordedRequest
from ._render import Framer
from ._routes import Route

if TYPE_CHECKING:
    from ._server import MockOpenRouter

__all__ = ["ROUTES"]

_AUDIO_TYPES: Final = {
    "mp3": "audio/mpeg",
    "pcm": "audio/pcm",
    "wav": "audio/wav",
    "opus": "audio/opus",
    "flac": "audio/flac",
    "aac": "audio/aac",
}

_ids = itertools.count(1)


def _next_id(prefix: str) -> str:
    return f"{prefix}-mock{next(_ids):06d}"


def _payload(out: Responder, record: RecordedRequest, *required: str) -> dict[str, Any] | None:
    """The request's JSON object, or ``None`` after answering 400 (not an
    object, or a required member missing or empty)."""
    payload = record.json
    if not isinstance(payload, dict):
        out.send_error(400, "The request body must be a JSON object")
        return None
    for name in required:
        if payload.get(name) in (None, "", []):
            out.send_error(400, f"Missing required parameter: {name}")
            return None
    return payload


def _binary(
    out: Responder,
    content_type: str,
    pieces: Iterable[bytes],
    size: int,
    extra: Iterable[tuple[str, str]] = (),
    *,
    cut: bool = False,
) -> bool:
    """A 200 with ``Content-Length: size`` and ``pieces`` as its body, one write
    each; with ``cut``, only the first half goes out and the connection closes."""
    out.head(200, [("Content-Type", content_type), ("Content-Length", str(size)), *extra])
    sent = 0
    for piece in pieces:
        if cut and sent + len(piece) > size // 2:
            out.data(piece[: size // 2 - sent])
            return False
        out.data(piece)
        sent += len(piece)
    out.end()
    return True


# -- embeddings and rerank ------------------------------------------------------------


def _embeddings(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    payload = _payload(out, record, "model", "input")
    if payload is None:
        return True
    model = str(payload["model"])
    raw = payload["input"]
    items = raw if isinstance(raw, list) and raw and not isinstance(raw[0], int) else [raw]
    dims = payload.get("dimensions", 16)
    if type(dims) is not int or not 1 <= dims <= 4096:
        return out.send_error(400, "dimensions must be an integer from 1 to 4096")
    fmt = payload.get("encoding_format", "float")
    if fmt not in ("float", "base64"):
        return out.send_error(400, "encoding_format must be 'float' or 'base64'")
    data = []
    tokens = 0
    for index, item in enumerate(items):
        vector = embedding_vector(model, item, dims)
        data.append(
            {
                "object": "embedding",
                "index": index,
                "embedding": pack_base64(vector) if fmt == "base64" else vector,
            }
        )
        tokens += len(item.split()) if isinstance(item, str) else len(str(item).split(","))
    usage = {"prompt_tokens": tokens, "total_tokens": tokens, "cost": tokens * 2e-8}
    body = {
        "id": _next_id("gen-emb"),
        "object": "list",
        "model": model,
        "data": data,
        "usage": usage,
    }
    return out.send_json(200, body)


def _embedding_models(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    try:
        offset = int(record.query.get("offset", "0"))
        limit = int(record.query.get("limit", "500"))
    except ValueError:
        return out.send_error(400, "offset and limit must be integers")
    if offset < 0 or limit < 1:
        return out.send_error(400, "offset must be >= 0 and limit >= 1")
    page = list(EMBEDDING_MODELS[offset : offset + limit])
    total = len(EMBEDDING_MODELS)
    following = offset + limit
    link = (
        f"/api/v1/embeddings/models?offset={following}&limit={limit}" if following < total else None
    )
    return out.send_json(200, {"data": page, "total_count": total, "links": {"next": link}})


def _rerank(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    payload = _payload(out, record, "model", "query", "documents")
    if payload is None:
        return True
    documents = payload["documents"]
    if not isinstance(documents, list):
        return out.send_error(400, "documents must be an array")
    query = str(payload["query"])
    ranked = sorted(
        ((rerank_score(query, doc), index, doc) for index, doc in enumerate(documents)),
        key=lambda entry: (-entry[0], entry[1]),
    )
    scored = [
        {
            "index": index,
            "relevance_score": score,
            "document": {"text": doc} if isinstance(doc, str) else dict(doc),
        }
        for score, index, doc in ranked
    ]
    top_n = payload.get("top_n")
    if type(top_n) is int:
        scored = scored[:top_n]
    body = {
        "id": _next_id("gen-rerank"),
        "model": payload["model"],
        "provider": server.provider,
        "results": scored,
        "usage": {
            "search_units": 1,
            "total_tokens": len(query.split()) * len(documents),
            "cost": 0.002,
        },
    }
    return out.send_json(200, body)


# -- images --------------------------------------------------------------------------


def _images(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    payload = _payload(out, record, "model", "prompt")
    if payload is None:
        return True
    n = payload.get("n", 1)
    if type(n) is not int or not 1 <= n <= 10:
        return out.send_error(400, "n must be an integer from 1 to 10")
    if payload.get("stream"):
        return _image_stream(out, payload)
    image = {"b64_json": base64.b64encode(PNG).decode("ascii"), "media_type": "image/png"}
    usage = {
        "prompt_tokens": 0,
        "completion_tokens": 1290 * n,
        "total_tokens": 1290 * n,
        "cost": 0.04 * n,
    }
    return out.send_json(200, {"created": 1767225600, "data": [image] * n, "usage": usage})


def _image_stream(out: Responder, payload: Mapping[str, Any]) -> bool:
    """``POST /images`` with ``"stream": true``: one write per event or comment."""
    partials = payload.get("partial_images", 2)
    if type(partials) is not int or not 0 <= partials <= 3:
        return out.send_error(400, "partial_images must be an integer from 0 to 3")
    steps = image_stream(str(payload["model"]), str(payload["prompt"]), partials)
    headers = [
        ("Content-Type", "text/event-stream"),
        ("Cache-Control", "no-cache"),
        ("X-Generation-Id", _next_id("gen-img")),
    ]
    out.head(200, headers)
    frames = Framer()
    for kind, value in steps:
        if kind == "comment":
            frames.keepalive(value)
        elif kind == "event":
            frames.event(json.dumps(value, separators=(",", ":")).encode())
        else:
            frames.event(value.encode())
    for step in frames.steps:
        assert isinstance(step, bytes)  # no pauses: the Framer has no delay
        out.data(step)
    out.end()
    return True


def _image_models(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    return out.send_json(200, {"data": list(IMAGE_MODELS)})


def _image_endpoints(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    model_id = f"{unquote(params['author'])}/{unquote(params['slug'])}"
    body = image_endpoints(model_id, server.provider)
    if body is None:
        return out.send_error(404, f"Image model {model_id} not found")
    return out.send_json(200, body)


# -- audio ---------------------------------------------------------------------------


def _speech(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    payload = _payload(out, record, "model", "input")
    if payload is None:
        return True
    model = str(payload["model"])
    if model == "mock/tts-drop":
        return False  # the request was read; close without a word
    if model == "mock/tts-json":
        error = {"error": {"code": 502, "message": "Upstream speech provider failed"}}
        return out.send_json(200, error)
    fmt = str(payload.get("response_format") or "pcm")
    content_type = _AUDIO_TYPES.get(fmt)
    if content_type is None:
        return out.send_error(400, f"Unsupported response_format: {fmt}")
    with server._lock:
        size = int(server.store.get("speech_size", SPEECH_SIZE))
    pieces = body_pieces(f"speech|{payload['input']}", size)
    extra = [("X-Generation-Id", _next_id("gen-tts"))]
    return _binary(out, content_type, pieces, size, extra, cut=model == "mock/tts-cut")


def _transcriptions(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    payload = _payload(out, record, "model", "input_audio")
    if payload is None:
        return True
    audio = payload["input_audio"]
    if not isinstance(audio, dict) or not audio.get("format"):
        return out.send_error(400, "input_audio must be an object with data and format")
    try:
        data = base64.b64decode(str(audio.get("data", "")), validate=True)
    except binascii.Error:
        return out.send_error(400, "input_audio.data is not base64")
    if not data:
        return out.send_error(400, "input_audio.data is empty")
    text = f"Mock transcript of {len(data)} bytes of {audio['format']} audio."
    seconds = round(len(data) / 32000, 3)
    words = text.split()
    usage = {
        "seconds": seconds,
        "input_tokens": len(data) // 1000 + 1,
        "output_tokens": len(words),
        "total_tokens": len(data) // 1000 + 1 + len(words),
        "cost": 0.0001,
    }
    body: dict[str, Any] = {"text": text, "usage": usage}
    if payload.get("response_format") == "verbose_json":
        step = seconds / len(words)
        body.update(
            task="transcribe",
            language=payload.get("language") or "en",
            duration=seconds,
            segments=[
                {
                    "id": 0,
                    "seek": 0,
                    "start": 0.0,
                    "end": seconds,
                    "text": text,
                    "tokens": [1, 2, 3],
                }
            ],
            words=[
                {"word": w, "start": round(i * step, 3), "end": round((i + 1) * step, 3)}
                for i, w in enumerate(words)
            ],
        )
    return out.send_json(200, body)


# -- videos --------------------------------------------------------------------------


def _jobs(server: MockOpenRouter) -> dict[str, dict[str, Any]]:
    """The video jobs (call under ``server._lock``)."""
    jobs: dict[str, dict[str, Any]] = server.store.setdefault("videos", {})
    return jobs


def _job_body(server: MockOpenRouter, job_id: str, job: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": job_id,
        "polling_url": f"/api/v1/videos/{job_id}",
        "status": job["status"],
        "generation_id": job["generation_id"],
    }
    if job["status"] == "completed":
        body["unsigned_urls"] = [f"{server.base_url}/videos/{job_id}/content?index=0"]
        body["usage"] = {"cost": 0.5, "is_byok": False}
    elif job["status"] == "failed":
        body["error"] = "The mock provider refused to film this"
    return body


def _video_create(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    payload = _payload(out, record, "model")
    if payload is None:
        return True
    if not payload.get("prompt") and not payload.get("frame_images"):
        return out.send_error(400, "A prompt or frame_images is required")
    job_id = _next_id("job")
    job = {
        "model": payload["model"],
        "status": "pending",
        "polls": 0,
        "generation_id": _next_id("gen-video"),
    }
    with server._lock:
        _jobs(server)[job_id] = job
        body = _job_body(server, job_id, job)
    return out.send_json(202, body)


def _video_get(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    job_id = unquote(params["job_id"])
    with server._lock:
        job = _jobs(server).get(job_id)
        if job is not None:
            job["polls"] += 1
            if job["status"] not in ("completed", "failed"):
                done = "failed" if job["model"] == "mock/video-fail" else "completed"
                job["status"] = "in_progress" if job["polls"] < 2 else done
            body = _job_body(server, job_id, job)
    if job is None:
        return out.send_error(404, f"Video job {job_id} not found")
    return out.send_json(200, body)


def _video_content(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    job_id = unquote(params["job_id"])
    with server._lock:
        job = _jobs(server).get(job_id)
        status = None if job is None else job["status"]
        model = None if job is None else job["model"]
    if job is None:
        return out.send_error(404, f"Video job {job_id} not found")
    if status != "completed":
        return out.send_error(400, f"Video job {job_id} is {status}, not completed")
    if record.query.get("index", "0") != "0":
        return out.send_error(400, "This job has one video: index must be 0")
    pieces = body_pieces(f"video|{job_id}", VIDEO_SIZE, head=MP4_HEAD)
    return _binary(out, "video/mp4", pieces, VIDEO_SIZE, cut=model == "mock/video-cut")


def _video_models(
    server: MockOpenRouter, out: Responder, record: RecordedRequest, params: Mapping[str, str]
) -> bool:
    return out.send_json(200, {"data": list(VIDEO_MODELS)})


ROUTES: tuple[Route, ...] = (
    Route("POST", "/embeddings", _embeddings),
    Route("GET", "/embeddings/models", _embedding_models),
    Route("POST", "/rerank", _rerank),
    Route("POST", "/images", _images),
    Route("GET", "/images/models", _image_models),
    Route("GET", "/images/models/{author}/{slug}/endpoints", _image_endpoints),
    Route("POST", "/audio/speech", _speech),
    Route("POST", "/audio/transcriptions", _transcriptions),
    Route("GET", "/videos/models", _video_models),
    Route("POST", "/videos", _video_create),
    Route("GET", "/videos/{job_id}", _video_get),
    Route("GET", "/videos/{job_id}/content", _video_content),
)
