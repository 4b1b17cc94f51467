from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.email_identity import canonical_email
from app.core.security import hash_password, verify_password
from app.core.text import name_key
from app.models import Employer, Role, User
from app.services import employers


class EmailTaken(ValueError):
    pass


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against for unknown e-mails, so they cost what known ones cost."""
    return hash_password("no account has this password; it only burns the same time")


def email_taken(*, session: Session, email: str) -> bool:
    """Whether an account has this e-mail's identity (any case or accent spelling)."""
    canonical = canonical_email(email)
    return session.scalar(select(User.id).where(User.email_canonical == canonical)) is not None


def register(
    *,
    session: Session,
    email: str,
    password: str,
    role: Role,
    employer_name: str = "",
    invitation: str = "",
) -> User:
    """Add a user; an employer account founds a new employer or joins by invitation.

    The checks that may fail visibly (employer name taken, invitation invalid) run before
    the e-mail check, so their answers never depend on whether the e-mail exists. The
    password is hashed first on every path, so an existing e-mail answers in the same time.
    The visible side effects are the same too: the new employer is founded (its name is
    taken) and the invitation is used up even when the e-mail already had an account;
    otherwise a second registration with that name or invitation would tell which e-mails
    exist. The existing account itself is never changed.
    Raises EmailTaken (the route commits and answers as if registered), EmployerNameTaken
    or InvitationInvalid (the caller rolls back: nothing of the registration is kept), or
    IntegrityError when a concurrent registration took the e-mail or the employer name
    first (the caller rolls back and runs it once more, which then sees the winner).
    """
    password_hash = hash_password(password)
    invited = None
    if role is Role.employer:
        if invitation:
            invited = employers.find_invitation(session=session, token=invitation)
        elif session.scalar(
            select(Employer.id).where(Employer.name_key == name_key(employer_name))
        ):
            raise employers.EmployerNameTaken(employer_name)
    employer_id: int | None = None
    if invited is not None:
        employer_id = invited.employer_id
    elif role is Role.employer:
        employer_id = employers.create_employer(session=session, name=employer_name).id
    user: User | None = None
    if not email_taken(session=session, email=email):
        user = User(
            email=email,
            email_canonical=canonical_email(email),
            password_hash=password_hash,
            role=role,
            employer_id=employer_id,
        )
        # No savepoint: SQLite's driver commits a released outermost savepoint, which
        # would keep this row when the invitation below turns out to be used. A concurrent
        # registration of the same e-mail fails the flush (IntegrityError); the caller
        # rolls the whole registration back and runs it again (then: EmailTaken).
        session.add(user)
        session.flush()
    if invited is not None:
        employers.consume_invitation(
            session=session, invitation=invited, user_id=user.id if user else None
        )
    if user is None:
        raise EmailTaken(email)
    return user


def create_user(
    *, session: Session, email: str, password: str, role: Role, employer_id: int | None = None
) -> User:
    """Add a user directly (demo data, admin tooling): no membership checks."""
    user = User(
        email=email,
        email_canonical=canonical_email(email),
        password_hash=hash_password(password),
        role=role,
        employer_id=employer_id,
    )
    session.add(user)
    session.flush()
    return user


def find_id(*, session: Session, email: str) -> int | None:
    """The id of the account with this e-mail's identity, or None."""
    return session.scalar(select(User.id).where(User.email_canonical == canonical_email(email)))


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The user when the password matches. An unknown e-mail is verified against a dummy
    hash, so it takes as long as a known one (no timing oracle for which e-mails exist).
    The row is read afresh (a password changed since the session last read it counts)."""
    user = session.scalar(
        select(User)
        .where(User.email_canonical == canonical_email(email))
        .execution_options(populate_existing=True)
    )
    if user is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    return user


def change_password(*, session: Session, user: User, password: str) -> None:
    """Store a new password hash (the caller commits, then revokes the other sessions)."""
    user.password_hash = hash_password(password)


def get_user(*, session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
