from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from app.api.deps import ClientAddress, CurrentLogin, LoginThrottleDep, StateDep, WriteDb, get_login
from app.api.errors import (
    CONFLICT,
    LOGIN_REQUIRED,
    THROTTLED,
    UNSAFE_RESPONSES,
    WRONG_CREDENTIALS,
)
from app.core.security import sign
from app.models import Role
from app.schemas.auth import (
    FoundEmployerIn,
    JoinEmployerIn,
    LoginIn,
    RegisteredOut,
    RegisterIn,
    UserOut,
)
from app.services import employers, users

router = APIRouter(prefix="/api/auth", tags=["auth"])

REGISTERED = (
    "If this e-mail had no account, it has one now: log in with it. "
    "If it had one, that account was not changed."
)
BAD_CREDENTIALS = "wrong email or password"


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses={**UNSAFE_RESPONSES, **CONFLICT},
)
def register(body: RegisterIn, db: WriteDb, state: StateDep) -> RegisteredOut:
    """Create a candidate or employer account (admins are not self-registered).

    An employer account either founds a NEW employer (``employer_name``; 409 when an
    employer with that name in any case/accent/punctuation spelling exists) or joins an
    existing one with a single-use ``invitation`` issued by one of its members (403 when
    the invitation is unknown, expired or used). The answer is the same 201 whether or
    not the e-mail was registered before, so it cannot be used to find accounts.
    """
    try:
        users.register(
            session=db,
            email=body.email,
            password=body.password,
            role=Role(body.role),
            employer_name=body.employer_name if isinstance(body, FoundEmployerIn) else "",
            invitation=body.invitation if isinstance(body, JoinEmployerIn) else "",
        )
        db.commit()
        state.metrics.registrations.inc()
    except users.EmailTaken:
        # Keep the founded employer / used invitation: the same traces as a new account.
        db.commit()
    except employers.EmployerNameTaken:
        db.rollback()
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "an employer with this name already exists; to join it, ask one of its "
            "members for an invitation",
        ) from None
    except employers.InvitationInvalid as error:
        db.rollback()
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    return RegisteredOut(email=body.email, role=body.role, detail=REGISTERED)


@router.post("/login", responses={**UNSAFE_RESPONSES, **WRONG_CREDENTIALS, **THROTTLED})
def login(
    body: LoginIn,
    db: WriteDb,
    state: StateDep,
    throttle: LoginThrottleDep,
    client: ClientAddress,
    response: Response,
) -> UserOut:
    """Check the password and set the session cookie (HttpOnly, SameSite=Lax, Secure in prod).

    Failed attempts are throttled per account and per client address (429 with
    Retry-After); unknown and known e-mails get the same answers in the same time.
    """
    wait = throttle.attempt(email=body.email, client=client)  # counted before the check
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed logins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = users.authenticate(session=db, email=body.email, password=body.password)
    if user is None:
        throttle.failed(client=client)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, BAD_CREDENTIALS)
    throttle.succeeded(email=body.email)
    session = state.sessions.create(user_id=user.id, role=user.role.value)
    response.set_cookie(
        state.settings.session_cookie,
        sign(session.session_id, state.settings.session_secret),
        max_age=state.settings.session_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=not state.settings.is_local,
        path="/",
    )
    state.metrics.logins.inc()
    return UserOut.model_validate(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=UNSAFE_RESPONSES)
def logout(request: Request, state: StateDep, response: Response) -> None:
    session = get_login(request, state)
    if session is not None:
        state.sessions.delete(session.session_id)
    # The same attributes as when set: browsers refuse a __Host- cookie without Secure.
    response.delete_cookie(
        state.settings.session_cookie,
        path="/",
        secure=not state.settings.is_local,
        httponly=True,
        samesite="lax",
    )


@router.get("/me", responses=LOGIN_REQUIRED)
def me(login: CurrentLogin, db: WriteDb) -> UserOut:
    user = users.get_user(session=db, user_id=login.user_id)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "account no longer exists")
    return UserOut.model_validate(user)
