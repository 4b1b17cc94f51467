from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.career import QueryText
from app.schemas.job import JobOut, SdgTag


class MatchIn(BaseModel):
    model_config = ConfigDict(strict=True)

    text: QueryText
    sdg_tag: SdgTag | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 10


class MatchResult(BaseModel):
    job: JobOut
    score: float


class MatchOut(BaseModel):
    results: list[MatchResult]
