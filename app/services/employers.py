"""How an employer comes to exist and who may join it.

- Registering an employer account with ``employer_name`` always founds a NEW employer.
  Names are unique under their normalised form (``app.core.text.name_key``), so a case,
  accent, width or punctuation variant of an existing employer's name is refused (409).
- Joining an existing employer takes an invitation: a random single-use token that a
  member of that employer issues (``POST /api/employers/invitations``) and hands over.
  Only its SHA-256 is stored; it expires after ``INVITATION_TTL``.
- Nothing is ever joined by e-mail domain or by name.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.text import name_key
from app.models import Employer, EmployerInvitation
from app.models.base import utcnow

INVITATION_TTL = timedelta(days=3)


class EmployerNameTaken(ValueError):
    """An employer with the same normalised name exists."""


class InvitationInvalid(ValueError):
    """No unused, unexpired invitation has this token."""


@dataclass(frozen=True)
class IssuedInvitation:
    token: str
    employer_id: int
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_employer(*, session: Session, name: str) -> Employer:
    """A new employer; raises EmployerNameTaken for a name taken in any spelling.

    The unique ``name_key`` decides races: of two concurrent registrations of one new
    name, the second insert fails (IntegrityError); the caller rolls back and retries,
    which then finds the name taken.
    """
    key = name_key(name)
    if session.scalar(select(Employer.id).where(Employer.name_key == key)) is not None:
        raise EmployerNameTaken(name)
    employer = Employer(name=name, name_key=key, description="")
    session.add(employer)
    session.flush()  # a concurrent winner: IntegrityError, the caller retries (then 409)
    return employer


def issue_invitation(*, session: Session, employer_id: int, created_by: int) -> IssuedInvitation:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + INVITATION_TTL
    session.add(
        EmployerInvitation(
            employer_id=employer_id,
            token_hash=_digest(token),
            created_by=created_by,
            expires_at=expires_at,
        )
    )
    session.flush()
    return IssuedInvitation(token=token, employer_id=employer_id, expires_at=expires_at)


def find_invitation(*, session: Session, token: str) -> EmployerInvitation:
    """The usable invitation with this token, or InvitationInvalid (not consumed)."""
    invitation = session.scalar(
        select(EmployerInvitation).where(EmployerInvitation.token_hash == _digest(token))
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        raise InvitationInvalid("the invitation is unknown, expired or already used")
    return invitation


def consume_invitation(
    *, session: Session, invitation: EmployerInvitation, user_id: int | None
) -> None:
    """Mark it used by ``user_id`` (None: used up by an e-mail that already had an
    account); a conditional UPDATE, so two concurrent uses cannot
    both succeed (the loser gets InvitationInvalid)."""
    result = session.execute(
        update(EmployerInvitation)
        .where(
            EmployerInvitation.id == invitation.id,
            EmployerInvitation.used_at.is_(None),
        )
        .values(used_at=utcnow(), used_by=user_id)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise InvitationInvalid("the invitation is unknown, expired or already used")
