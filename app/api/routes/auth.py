from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from app.api.deps import CurrentLogin, StateDep, WriteDb, get_login
from app.core.security import sign
from app.models import Role
from app.schemas.auth import LoginIn, RegisterIn, UserOut
from app.services import users

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(body: RegisterIn, db: WriteDb, state: StateDep) -> UserOut:
    """Create a candidate or employer account (admins are not self-registered)."""
    try:
        user = users.create_user(
            session=db,
            email=body.email,
            password=body.password,
            role=Role(body.role),
            employer_name=body.employer_name,
        )
        db.commit()
    except users.EmailTaken:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "email already registered") from None
    state.metrics.registrations.inc()
    return UserOut.model_validate(user)


@router.post("/login")
def login(body: LoginIn, db: WriteDb, state: StateDep, response: Response) -> UserOut:
    """Check the password and set the session cookie (HttpOnly, SameSite=Lax, Secure in prod)."""
    user = users.authenticate(session=db, email=body.email, password=body.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    session = state.sessions.create(user_id=user.id, role=user.role.value)
    response.set_cookie(
        state.settings.session_cookie_name,
        sign(session.session_id, state.settings.session_secret),
        max_age=state.settings.session_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=not state.settings.is_local,
        path="/",
    )
    state.metrics.logins.inc()
    return UserOut.model_validate(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, state: StateDep, response: Response) -> None:
    session = get_login(request, state)
    if session is not None:
        state.sessions.delete(session.session_id)
    response.delete_cookie(state.settings.session_cookie_name, path="/")


@router.get("/me")
def me(login: CurrentLogin, db: WriteDb) -> UserOut:
    user = users.get_user(session=db, user_id=login.user_id)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "account no longer exists")
    return UserOut.model_validate(user)
