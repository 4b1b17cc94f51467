from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from app.core.passwords import COMMON_PASSWORDS_CHECKED, is_common, too_guessable
from app.core.text import has_letters_or_digits
from app.schemas.common import UtcDatetime
from app.schemas.text import PASSWORD_PATTERN, Email, Name255


def _not_common(password: str) -> str:
    if is_common(password):
        raise ValueError(
            f"this password is among the {COMMON_PASSWORDS_CHECKED:,} most common leaked "
            "passwords; choose another (a few unrelated words work well)"
        )
    if too_guessable(password):
        raise ValueError(TOO_GUESSABLE)
    return password


TOO_GUESSABLE = (
    "this password is too easy to guess (repeated characters, a sequence, a keyboard "
    "pattern, a doubled word or your e-mail); a few unrelated words work well"
)


def _has_letters(name: str) -> str:
    if not has_letters_or_digits(name):
        raise ValueError("an employer name needs at least one letter or digit")
    return name


NewPassword = Annotated[
    str,
    StringConstraints(min_length=8, max_length=256),
    Field(json_schema_extra={"pattern": PASSWORD_PATTERN}),
    AfterValidator(_not_common),
]
AnyPassword = Annotated[
    str,
    StringConstraints(min_length=1, max_length=256),
    Field(json_schema_extra={"pattern": PASSWORD_PATTERN}),
]
EmployerName = Annotated[Name255, AfterValidator(_has_letters)]
InvitationToken = Annotated[
    str, StringConstraints(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
# Strict types (no "5" or true for a number) and no unknown fields, as the schema says.
STRICT = ConfigDict(strict=True, extra="forbid")


class _NewAccount(BaseModel):
    """E-mail and password of a new account; the password may not be the e-mail."""

    model_config = STRICT

    email: Email
    password: NewPassword

    @model_validator(mode="after")
    def _password_is_not_the_email(self) -> _NewAccount:
        local = self.email.split("@", 1)[0]
        if too_guessable(self.password, user_inputs=[self.email, local]):
            raise ValueError(TOO_GUESSABLE)
        return self


class CandidateRegisterIn(_NewAccount):
    """A candidate account."""

    role: Literal["candidate"]


class FoundEmployerIn(_NewAccount):
    """An employer account that founds a NEW employer (409 if one with the same name, in
    any case, accent, width or punctuation, exists)."""

    role: Literal["employer"]
    employer_name: EmployerName


class JoinEmployerIn(_NewAccount):
    """An employer account that joins an existing employer with an invitation issued by
    one of its members (POST /api/employers/invitations)."""

    role: Literal["employer"]
    invitation: InvitationToken


def _register_kind(body: Any) -> str:
    """Which form a body is, so errors name the fields of that form only."""
    if isinstance(body, dict) and body.get("role") == "employer":
        return "join" if "invitation" in body else "found"
    return "candidate"  # a wrong role is reported against the candidate form's "role"


RegisterIn = Annotated[
    Annotated[CandidateRegisterIn, Tag("candidate")]
    | Annotated[FoundEmployerIn, Tag("found")]
    | Annotated[JoinEmployerIn, Tag("join")],
    Discriminator(_register_kind),
]


class RegisteredOut(BaseModel):
    """The same answer whether or not the e-mail already had an account (no enumeration)."""

    email: str
    role: str
    detail: str


class LoginIn(BaseModel):
    model_config = STRICT

    email: Email
    password: AnyPassword


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: str
    employer_id: int | None
    created_at: UtcDatetime


class PasswordChangeIn(BaseModel):
    """The current password (checked, and throttled like a login) and the new one."""

    model_config = STRICT

    current_password: AnyPassword
    new_password: NewPassword
