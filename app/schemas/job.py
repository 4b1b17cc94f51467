from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from app.schemas.common import UtcDatetime, WholeNumber
from app.schemas.text import CoverLetter, LongText, Text255

SdgTag = Annotated[
    int, Field(ge=1, le=17, description="UN Sustainable Development Goal 1-17"), WholeNumber
]
Salary = Annotated[int, Field(ge=0, le=100_000_000), WholeNumber]
__all__ = ["SdgTag", "Text255"]  # re-exported for the other schemas


class EmployerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    website: str | None


class JobIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")  # no "5" or true for a number

    title: Text255
    description: LongText
    sdg_tag: SdgTag
    salary_min: Salary
    salary_max: Salary
    location: Text255

    @field_validator("salary_max")
    @classmethod
    def _max_not_below_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("salary_min")
        if low is not None and low > value:
            raise ValueError(f"salary_min ({low}) must not be above salary_max ({value})")
        return value


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    sdg_tag: int
    salary_min: int
    salary_max: int
    location: str
    created_at: UtcDatetime
    employer: EmployerOut


class JobPage(BaseModel):
    jobs: list[JobOut]
    total: int
    skip: int
    limit: int


class ApplyIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    # VARCHAR(2000): 2,000 characters in utf8mb4.
    cover_letter: CoverLetter = ""


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    job_id: int
    status: str
    created_at: UtcDatetime
