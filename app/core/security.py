"""Password hashing (argon2id) and signed session ids."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Modest cost so a login stays in the tens of milliseconds on a small instance.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def sign(session_id: str, secret: str) -> str:
    """``<id>.<hmac>``: a cookie the client cannot forge into another session's key."""
    mac = hmac.new(secret.encode(), session_id.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{session_id}.{mac}"


def unsign(cookie: str, secret: str) -> str | None:
    """The session id when ``cookie`` carries its valid signature; None for anything else
    (compared as bytes: a non-ASCII character is a mismatch, not an error)."""
    session_id, _, _mac = cookie.rpartition(".")
    given = cookie.encode("utf-8", "surrogatepass")
    if not session_id or not hmac.compare_digest(sign(session_id, secret).encode(), given):
        return None
    return session_id
