from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=3,
        max_length=255,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    ),
]
Password = Annotated[str, Field(min_length=8, max_length=256)]


class RegisterIn(BaseModel):
    email: Email
    password: Password
    role: Literal["candidate", "employer"]
    employer_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] = ""


class LoginIn(BaseModel):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=256)]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: str
    employer_id: int | None
    created_at: datetime
