from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.schemas.job import SdgTag, Text255


class CareerIn(BaseModel):
    title: Text255
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)
    ]
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
