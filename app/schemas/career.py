from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.schemas.job import SdgTag
from app.schemas.text import LongText, MultiLine, Text255

QueryText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), MultiLine
]


class CareerIn(BaseModel):
    model_config = ConfigDict(strict=True)

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
    model_config = ConfigDict(strict=True)

    text: QueryText
    sdg_tag: SdgTag | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 5


class Recommendation(BaseModel):
    career: CareerOut
    score: float


class RecommendOut(BaseModel):
    results: list[Recommendation]
