"""Bodies of the AI service (``/api/ai/*``). The schema states the largest limits;
AI_MAX_TEXTS and AI_MAX_TEXT_CHARS may only lower them, and the vectors' dimension is the
model's: those are checked in the route, with the same 422."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictStr

MAX_TEXTS = 64  # per request
# Per text: the models read their first 256-384 tokens, well inside 4,000 characters; 64
# such texts stay near the 256 KB body limit.
MAX_TEXT_CHARS = 4000
MAX_DIM_SCHEMA = 4096
AiText = Annotated[StrictStr, Field(min_length=1, max_length=MAX_TEXT_CHARS)]

Vector = Annotated[
    list[Annotated[float, Field(allow_inf_nan=False)]],
    Field(min_length=1, max_length=MAX_DIM_SCHEMA),
]


class EmbedIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    texts: Annotated[list[AiText], Field(min_length=1, max_length=MAX_TEXTS)]


class EmbedOut(BaseModel):
    model: str
    dim: int
    embeddings: list[list[float]]


class ModelOut(BaseModel):
    model: str
    dim: int


class LimitsOut(BaseModel):
    """What one request to the AI service may hold (``GET /api/ai/limits``): its
    AI_MAX_TEXTS, AI_MAX_TEXT_CHARS and MAX_BODY_BYTES. Its clients read them at first
    contact and send within them."""

    model_config = ConfigDict(strict=True)

    max_texts: Annotated[int, Field(ge=1)]
    max_text_chars: Annotated[int, Field(ge=1)]
    max_body_bytes: Annotated[int, Field(ge=1)]


class SimilarityIn(BaseModel):
    """Two texts, or two vectors of the model's dimension (not one of each)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    a: AiText | Vector
    b: AiText | Vector


class SimilarityOut(BaseModel):
    similarity: float
