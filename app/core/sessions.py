"""Server-side sessions with an expiry, as the source document's get_session/set_session.

Unlike the document's snippet (which reads the id from the request and never sets it),
a new random id is issued at login, signed into the cookie, and deleted at logout.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from app.core.cache import KeyValue
from app.core.security import new_session_id


@dataclass
class SessionData:
    session_id: str
    user_id: int
    role: str
    last_write_at: float = 0.0

    def to_json(self) -> str:
        return json.dumps(
            {"user_id": self.user_id, "role": self.role, "last_write_at": self.last_write_at}
        )

    @classmethod
    def from_json(cls, session_id: str, raw: str) -> SessionData:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            session_id=session_id,
            user_id=int(data["user_id"]),
            role=str(data["role"]),
            last_write_at=float(data.get("last_write_at", 0.0)),
        )


class SessionStore:
    """Raises ``StoreUnavailable`` when Redis is down; the API turns that into 503."""

    def __init__(self, store: KeyValue, ttl_seconds: int) -> None:
        self.store = store
        self.ttl = ttl_seconds

    @staticmethod
    def _key(session_id: str) -> str:
        return f"session:{session_id}"

    def create(self, *, user_id: int, role: str) -> SessionData:
        session = SessionData(session_id=new_session_id(), user_id=user_id, role=role)
        self.save(session)
        return session

    def save(self, session: SessionData) -> None:
        self.store.set(self._key(session.session_id), session.to_json(), self.ttl)

    def get(self, session_id: str) -> SessionData | None:
        raw = self.store.get(self._key(session_id))
        if raw is None:
            return None
        return SessionData.from_json(session_id, raw)

    def delete(self, session_id: str) -> None:
        self.store.delete(self._key(session_id))

    def mark_write(self, session: SessionData) -> None:
        """Remember a fresh write so this user's next reads go to the writer."""
        session.last_write_at = time.time()
        self.save(session)
