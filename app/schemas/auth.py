from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.core.passwords import COMMON_PASSWORDS_CHECKED, is_common
from app.schemas.common import UtcDatetime
from app.schemas.text import Email, OptionalText255


def _not_common(password: str) -> str:
    if is_common(password):
        raise ValueError(
            f"this password is among the {COMMON_PASSWORDS_CHECKED:,} most common leaked "
            "passwords; choose another (a few unrelated words work well)"
        )
    return password


NewPassword = Annotated[str, Field(min_length=8, max_length=256), AfterValidator(_not_common)]
InvitationToken = Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")]


class RegisterIn(BaseModel):
    """A candidate, or an employer account that either founds a NEW employer
    (``employer_name``) or joins an existing one with an ``invitation`` from its members."""

    model_config = ConfigDict(strict=True)

    email: Email
    password: NewPassword
    role: Literal["candidate", "employer"]
    employer_name: OptionalText255 = Field(
        default="", description="employer accounts: the name of the new employer to create"
    )
    invitation: InvitationToken = Field(
        default="",
        description="employer accounts: a token from POST /api/employers/invitations",
    )

    @model_validator(mode="after")
    def _employer_fields(self) -> RegisterIn:
        if self.role == "candidate" and (self.employer_name or self.invitation):
            raise ValueError("candidate accounts take neither employer_name nor invitation")
        if self.role == "employer" and bool(self.employer_name) == bool(self.invitation):
            raise ValueError(
                "an employer account needs exactly one of employer_name (to create a new "
                "employer) or invitation (to join an existing one)"
            )
        return self


class RegisteredOut(BaseModel):
    """The same answer whether or not the e-mail already had an account (no enumeration)."""

    email: str
    role: str
    detail: str


class LoginIn(BaseModel):
    model_config = ConfigDict(strict=True)

    email: Email
    password: Annotated[str, Field(min_length=1, max_length=256)]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: str
    employer_id: int | None
    created_at: UtcDatetime
