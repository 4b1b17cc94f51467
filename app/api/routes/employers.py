from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from app.api.deps import EmployerLogin, WriteDb
from app.api.errors import LOGIN_REQUIRED, UNSAFE_RESPONSES
from app.schemas.employer import InvitationOut
from app.services import employers, users

router = APIRouter(prefix="/api/employers", tags=["employers"])


@router.post(
    "/invitations",
    status_code=status.HTTP_201_CREATED,
    responses={**UNSAFE_RESPONSES, **LOGIN_REQUIRED},
)
def invite(login: EmployerLogin, db: WriteDb) -> InvitationOut:
    """Issue a single-use invitation to join the caller's employer (employer accounts only).

    Whoever registers with it (``invitation`` in POST /api/auth/register) becomes a member
    of this employer. It expires after three days; only its hash is stored.
    """
    user = users.get_user(session=db, user_id=login.user_id)
    if user is None or user.employer_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this account has no employer")
    issued = employers.issue_invitation(
        session=db, employer_id=user.employer_id, created_by=user.id
    )
    db.commit()
    return InvitationOut(
        token=issued.token, employer_id=issued.employer_id, expires_at=issued.expires_at
    )
