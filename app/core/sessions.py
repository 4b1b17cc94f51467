"""Server-side sessions that end when they are ended.

A random id is issued at login, signed into the cookie, and its data kept in the session
store (Redis, or in process) under an expiry:

- **Idle lifetime** ``SESSION_TTL_SECONDS``: each read renews it (GETEX), never past the
  **absolute lifetime** ``SESSION_MAX_AGE_SECONDS`` counted from login: a stolen cookie
  dies then however much it is used.
- **Nothing re-creates a deleted session**: a write replaces the data only while the key
  exists (SET XX KEEPTTL) and renewals only extend a key that exists, so a request still
  in flight when the user logs out cannot bring the session back.
- **Revocation** (a password change, "log out everywhere"): each user's session ids are
  kept in a set; revoking bumps the user's generation, then deletes every listed session.
  A login that raced with it checks the generation again after creating its session and
  drops it if it moved (``create`` returns None), so no session made with the old
  password survives.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from app.core.cache import SessionBackend
from app.core.security import new_session_id


@dataclass
class SessionData:
    session_id: str
    user_id: int
    role: str
    last_write_at: float = 0.0
    created_at: float = 0.0  # epoch seconds of the login

    def to_json(self) -> str:
        return json.dumps(
            {
                "user_id": self.user_id,
                "role": self.role,
                "last_write_at": self.last_write_at,
                "created_at": self.created_at,
            }
        )

    @classmethod
    def from_json(cls, session_id: str, raw: str) -> SessionData:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            session_id=session_id,
            user_id=int(data["user_id"]),
            role=str(data["role"]),
            last_write_at=float(data.get("last_write_at", 0.0)),
            created_at=float(data.get("created_at", 0.0)),
        )


class SessionStore:
    """Raises ``StoreUnavailable`` when Redis is down; the API turns that into 503."""

    def __init__(self, store: SessionBackend, ttl_seconds: int, *, max_age_seconds: int) -> None:
        self.store = store
        self.ttl = ttl_seconds
        self.max_age = max(max_age_seconds, 1)

    @staticmethod
    def _key(session_id: str) -> str:
        return f"session:{session_id}"

    @staticmethod
    def _user_sessions(user_id: int) -> str:
        return f"user-sessions:{user_id}"

    @staticmethod
    def _generation(user_id: int) -> str:
        return f"user-session-generation:{user_id}"

    def generation(self, user_id: int) -> int:
        """Read before checking a password; pass it to ``create``."""
        return self.store.read_int(self._generation(user_id))

    def create(self, *, user_id: int, role: str, generation: int) -> SessionData | None:
        """A new session, or None when the user's sessions were revoked since
        ``generation`` was read (the password it was checked against may be the old one)."""
        now = time.time()
        session = SessionData(
            session_id=new_session_id(), user_id=user_id, role=role, created_at=now
        )
        self.store.set(
            self._key(session.session_id), session.to_json(), min(self.ttl, self.max_age)
        )
        self.store.add_member(self._user_sessions(user_id), session.session_id, self.max_age)
        if self.store.read_int(self._generation(user_id)) != generation:
            self.delete(session)
            return None
        return session

    def get(self, session_id: str) -> SessionData | None:
        """The session (its idle expiry renewed), or None when it ended."""
        raw = self.store.get_touch(self._key(session_id), self.ttl)
        if raw is None:
            return None
        session = SessionData.from_json(session_id, raw)
        left = session.created_at + self.max_age - time.time()
        if left <= 0:
            self.delete(session)
            return None
        if left < self.ttl:  # the idle expiry never outlives the absolute one
            self.store.expire(self._key(session_id), max(1, int(left)))
        return session

    def delete(self, session: SessionData) -> None:
        self.store.delete(self._key(session.session_id))
        self.store.remove_member(self._user_sessions(session.user_id), session.session_id)

    def revoke_all(self, user_id: int, *, keep: str | None = None) -> int:
        """End every session of ``user_id`` except ``keep``; returns how many ended."""
        self.store.incr(self._generation(user_id), self.max_age)
        ended = 0
        for session_id in self.store.members(self._user_sessions(user_id)):
            if session_id == keep:
                continue
            self.store.delete(self._key(session_id))
            self.store.remove_member(self._user_sessions(user_id), session_id)
            ended += 1
        return ended

    def mark_write(self, session: SessionData) -> None:
        """Remember a fresh write so this user's next reads go to the writer; a session
        deleted meanwhile (logout) stays deleted."""
        session.last_write_at = time.time()
        self.store.replace(self._key(session.session_id), session.to_json())
