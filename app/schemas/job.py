from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

SdgTag = Annotated[int, Field(ge=1, le=17, description="UN Sustainable Development Goal 1-17")]
Salary = Annotated[int, Field(ge=0, le=100_000_000)]
Text255 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class EmployerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    website: str | None


class JobIn(BaseModel):
    title: Text255
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)
    ]
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
    created_at: datetime
    employer: EmployerOut


class JobPage(BaseModel):
    jobs: list[JobOut]
    total: int
    skip: int
    limit: int


class ApplyIn(BaseModel):
    cover_letter: Annotated[str, StringConstraints(max_length=2000)] = ""


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    job_id: int
    status: str
    created_at: datetime
