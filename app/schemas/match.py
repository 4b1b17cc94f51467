from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import WholeNumber
from app.schemas.job import JobOut, SdgTag
from app.schemas.text import QueryText


class MatchIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    text: QueryText
    sdg_tag: SdgTag | None = None
    limit: Annotated[int, Field(ge=1, le=100), WholeNumber] = 10


class MatchResult(BaseModel):
    job: JobOut
    score: float


class MatchOut(BaseModel):
    results: list[MatchResult]
