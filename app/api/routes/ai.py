"""The AI service: embeddings and similarity with this process's model, micro-batched.

Async routes on purpose: a request waits on its batch's future on the event loop, so a
burst of requests queues texts, not threads of the request pool.
"""

from __future__ import annotations

import asyncio
import unicodedata
from typing import Any

import numpy as np
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError

from app.api.errors import UNSAFE_RESPONSES
from app.core.settings import Settings
from app.schemas.ai import EmbedIn, EmbedOut, LimitsOut, SimilarityIn, SimilarityOut
from app.schemas.common import ErrorOut
from app.services.embed_batcher import EmbedBatcher, EncodeFailed, QueueFull, WorkerStopped
from app.services.text_encoders import local_encoder

router = APIRouter(prefix="/api/ai", tags=["ai"])

BUSY: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorOut,
        "description": "the embedding queue is full; retry after the Retry-After seconds",
    }
}


def _invalid(loc: tuple[str | int, ...], message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", *loc), "msg": message, "input": None}]
    )


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.gm.settings
    return settings


def _batcher(request: Request) -> EmbedBatcher:
    batcher: EmbedBatcher = request.app.state.embed_batcher
    return batcher


# Characters that show nothing: controls, format characters (zero-width space, bidi
# marks) and separators. A text of only these embeds like an empty one. (Combining marks
# alone are left alone: the match question accepts them, and what it accepts, this must.)
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def is_blank(text: str) -> bool:
    return all(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in text)


def check_text(text: str, settings: Settings, loc: tuple[str | int, ...]) -> None:
    """422 when the text is blank (nothing visible) or longer than AI_MAX_TEXT_CHARS."""
    if is_blank(text):
        raise _invalid(loc, "must not be blank (only spaces, control or invisible characters)")
    if len(text) > settings.ai_max_text_chars:
        raise _invalid(
            loc,
            f"{len(text)} characters; at most {settings.ai_max_text_chars} (AI_MAX_TEXT_CHARS)",
        )


def direction(vector: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """The unit vector along ``vector`` (finite values), or None for all zeros. Scaled by
    its largest value first, so 1e300s do not overflow the norm and 1e-320s do not vanish."""
    largest = float(np.max(np.abs(vector)))
    if largest == 0.0:
        return None
    scaled = vector / largest
    unit: np.ndarray[Any, Any] = scaled / np.linalg.norm(scaled)
    return unit


async def _disconnected(request: Request) -> None:
    """Return when the client goes away (its body is already read: the next message is
    ``http.disconnect``, sent when the connection closes or the answer is complete)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


# Set by VPC Lattice on requests it forwards to a service with AWS_IAM auth: the caller's
# IAM principal. It cannot be forged: Lattice removes it from incoming requests
# (https://docs.aws.amazon.com/vpc-lattice/latest/ug/http-targets.html).
LATTICE_IDENTITY = "x-amzn-lattice-identity"
# Set by the AI client when someone waits on the answer (a question, not bulk re-embedding).
EMBED_KIND = "x-gm-embed"


def caller_of(request: Request) -> str:
    """Who is asking, for the batcher's turns: the Lattice principal in phase 4, else the
    peer's address (the local stack's services, tests)."""
    identity = request.headers.get(LATTICE_IDENTITY, "")
    principal = next(
        (part.strip() for part in identity.split(";") if part.strip().startswith("Principal=")),
        "",
    )
    if principal:
        return principal[:256]
    return request.client.host if request.client else ""


def is_question(request: Request) -> bool:
    return request.headers.get(EMBED_KIND, "").strip().lower() == "question"


async def embed_texts(request: Request, texts: list[str]) -> np.ndarray[Any, Any]:
    """Queue the texts for the next batch and wait for their vectors (429 when full).

    A client that disconnects while waiting cancels its request: the worker drops it
    instead of encoding texts nobody will read."""
    try:
        future = _batcher(request).submit(texts, caller_of(request), is_question(request))
    except QueueFull as error:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"the embedding queue is full; try again in {error.retry_after} s",
            headers={"Retry-After": str(error.retry_after)},
        ) from None
    except WorkerStopped:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the embedding worker is not running"
        ) from None
    answer = asyncio.wrap_future(future)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        waiting: set[asyncio.Future[Any]] = {answer, gone}
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        if not answer.done():
            answer.cancel()  # cancels the queued request too (wrap_future)
    if answer.cancelled():
        raise HTTPException(499, "the client closed the connection")
    try:
        return answer.result()
    except (EncodeFailed, WorkerStopped):
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the model could not embed these texts now; the error is logged",
        ) from None


@router.get("/limits")
async def limits(request: Request) -> LimitsOut:
    """What one request may hold: texts per ``/embed`` request, characters per text, bytes
    per body. The AI client reads this at first contact and sends within it."""
    settings = settings_of(request)
    return LimitsOut(
        max_texts=settings.ai_max_texts,
        max_text_chars=settings.ai_max_text_chars,
        max_body_bytes=settings.max_body_bytes,
    )


@router.post("/embed", responses={**UNSAFE_RESPONSES, **BUSY})
async def embed(body: EmbedIn, request: Request) -> EmbedOut:
    """``{"texts": [...]}`` -> one normalised vector per text (cosine = dot product)."""
    settings = settings_of(request)
    if len(body.texts) > settings.ai_max_texts:
        raise _invalid(
            ("texts",),
            f"{len(body.texts)} texts; at most {settings.ai_max_texts} per request (AI_MAX_TEXTS)",
        )
    for index, text in enumerate(body.texts):
        check_text(text, settings, ("texts", index))
    vectors = await embed_texts(request, body.texts)
    embedder = local_encoder(settings)  # loaded: it just encoded
    return EmbedOut(model=embedder.name, dim=embedder.dim, embeddings=vectors.tolist())


@router.post("/similarity", responses={**UNSAFE_RESPONSES, **BUSY})
async def similarity(body: SimilarityIn, request: Request) -> SimilarityOut:
    """Cosine similarity of two texts, or of two vectors of the model's dimension."""
    settings = settings_of(request)
    if isinstance(body.a, str) != isinstance(body.b, str):
        raise _invalid(("b",), "a and b must both be texts or both be vectors, not one of each")
    if isinstance(body.a, str) and isinstance(body.b, str):
        check_text(body.a, settings, ("a",))
        check_text(body.b, settings, ("b",))
        pair = await embed_texts(request, [body.a, body.b])
        return SimilarityOut(similarity=round(float(np.dot(pair[0], pair[1])), 6))
    embedder = await asyncio.to_thread(local_encoder, settings)
    vectors = []
    for name, values in (("a", body.a), ("b", body.b)):
        vector = np.asarray(values, dtype=np.float64)
        if vector.shape[0] != embedder.dim:
            raise _invalid(
                (name,),
                f"{vector.shape[0]} values; {embedder.name} vectors have {embedder.dim}",
            )
        unit = direction(vector)
        if unit is None:
            raise _invalid((name,), "must be a vector that is not all zeros (it has no direction)")
        vectors.append(unit)
    return SimilarityOut(similarity=round(float(np.dot(vectors[0], vectors[1])), 6))
