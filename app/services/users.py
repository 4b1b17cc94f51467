from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.security import hash_password, verify_password
from app.models import Employer, Role, User


class EmailTaken(ValueError):
    pass


def get_or_create_employer(*, session: Session, name: str) -> Employer:
    employer = session.scalar(select(Employer).where(Employer.name == name))
    if employer is None:
        employer = Employer(name=name, description="")
        session.add(employer)
        session.flush()
    return employer


def create_user(
    *, session: Session, email: str, password: str, role: Role, employer_name: str = ""
) -> User:
    """Add a user (and for an employer user, its employer); the caller commits."""
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)
    user = User(email=email, password_hash=hash_password(password), role=role)
    if role is Role.employer:
        name = employer_name or email.split("@", 1)[1]
        user.employer_id = get_or_create_employer(session=session, name=name).id
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:
        raise EmailTaken(email) from error
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not verify_password(user.password_hash, password):
        return None
    return user


def get_user(*, session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
