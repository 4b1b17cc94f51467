from __future__ import annotations

from pydantic import BaseModel

from app.schemas.common import UtcDatetime


class InvitationOut(BaseModel):
    """Shown once: only its hash is stored. Hand it to the person who should join."""

    token: str
    employer_id: int
    expires_at: UtcDatetime
