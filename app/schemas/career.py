from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import WholeNumber
from app.schemas.job import SdgTag
from app.schemas.text import LongText, QueryText, Text255


class CareerIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    title: Text255
    description: LongText
    sdg_tag: SdgTag
    skills: Annotated[list[Text255], Field(max_length=50)] = []


class CareerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    sdg_tag: int
    skills: list[str]


class CareerList(BaseModel):
    careers: list[CareerOut]
    total: int


class RecommendIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    text: QueryText
    sdg_tag: SdgTag | None = None
    limit: Annotated[int, Field(ge=1, le=50), WholeNumber] = 5


class Recommendation(BaseModel):
    career: CareerOut
    score: float


class RecommendOut(BaseModel):
    results: list[Recommendation]
