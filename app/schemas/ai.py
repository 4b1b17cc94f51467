"""Bodies of the AI service (``/api/ai/*``). Limits that are settings (texts per request,
characters per text, the model's dimension) are checked in the route, with the same 422."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictStr

MAX_TEXTS_SCHEMA = 1024  # the highest AI_MAX_TEXTS allowed; the setting is the real limit
MAX_DIM_SCHEMA = 4096

Vector = Annotated[
    list[Annotated[float, Field(allow_inf_nan=False)]],
    Field(min_length=1, max_length=MAX_DIM_SCHEMA),
]


class EmbedIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    texts: Annotated[list[StrictStr], Field(min_length=1, max_length=MAX_TEXTS_SCHEMA)]


class EmbedOut(BaseModel):
    model: str
    dim: int
    embeddings: list[list[float]]


class ModelOut(BaseModel):
    model: str
    dim: int


class SimilarityIn(BaseModel):
    """Two texts, or two vectors of the model's dimension (not one of each)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    a: StrictStr | Vector
    b: StrictStr | Vector


class SimilarityOut(BaseModel):
    similarity: float
