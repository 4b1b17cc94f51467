from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.schemas.job import JobOut, SdgTag


class MatchIn(BaseModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    sdg_tag: SdgTag | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 10


class MatchResult(BaseModel):
    job: JobOut
    score: float


class MatchOut(BaseModel):
    results: list[MatchResult]
