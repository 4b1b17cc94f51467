from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError

from app.api.deps import (
    ClientAddress,
    CurrentLogin,
    LoginThrottleDep,
    StateDep,
    WriteDb,
    WriteDbFactory,
    get_login,
)
from app.api.errors import (
    CONFLICT,
    LOGIN_REQUIRED,
    THROTTLED,
    UNSAFE_RESPONSES,
    WRONG_CREDENTIALS,
)
from app.core.cache import StoreUnavailable
from app.core.passwords import too_guessable
from app.core.security import sign, verify_password
from app.models import Role
from app.schemas.auth import (
    TOO_GUESSABLE,
    FoundEmployerIn,
    JoinEmployerIn,
    LoginIn,
    PasswordChangeIn,
    RegisteredOut,
    RegisterIn,
    UserOut,
)
from app.services import employers, users
from app.state import AppState

router = APIRouter(prefix="/api/auth", tags=["auth"])

REGISTERED = (
    "If this e-mail had no account, it has one now: log in with it. "
    "If it had one, that account was not changed."
)
BAD_CREDENTIALS = "wrong email or password"


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses={**UNSAFE_RESPONSES, **CONFLICT, **THROTTLED},
)
def register(
    body: RegisterIn,
    db: WriteDb,
    state: StateDep,
    throttle: LoginThrottleDep,
    client: ClientAddress,
) -> RegisteredOut:
    """Create a candidate or employer account (admins are not self-registered).

    An employer account either founds a NEW employer (``employer_name``; 409 when an
    employer with that name in any case/accent/punctuation spelling exists) or joins an
    existing one with a single-use ``invitation`` issued by one of its members (403 when
    the invitation is unknown, expired or used). The answer is the same 201 whether or
    not the e-mail was registered before, so it cannot be used to find accounts.
    Registrations are limited per client address (REGISTER_LIMITS_PER_CLIENT; 429 with
    Retry-After).
    """
    try:
        wait = throttle.registration(client=client)
    except StoreUnavailable:  # the limiter's Redis is down: registration needs only MariaDB
        wait = None  # (fail open; the breaker has logged the outage)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many registrations from this address; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    for last_try in (False, True):
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
        except IntegrityError:
            # A concurrent registration took the e-mail or the name first: nothing of this
            # one is kept; once more, it sees the winner (EmailTaken or EmployerNameTaken).
            db.rollback()
            if last_try:
                raise
            continue
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
        break
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
        raise too_many(wait)
    # The user's session generation is read before the password hash: a password change
    # (or "log out everywhere") that lands in between makes ``create`` refuse the session.
    user_id = users.find_id(session=db, email=body.email)
    db.rollback()  # a fresh snapshot for the password check below
    generation = state.sessions.generation(user_id) if user_id is not None else 0
    user = users.authenticate(session=db, email=body.email, password=body.password)
    if user is None:
        throttle.failed(client=client)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, BAD_CREDENTIALS)
    session = state.sessions.create(user_id=user.id, role=user.role.value, generation=generation)
    if session is None:  # its sessions were revoked while this login checked the password
        throttle.failed(client=client)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, BAD_CREDENTIALS)
    throttle.succeeded(email=body.email)
    set_session_cookie(response, state, session.session_id)
    state.metrics.logins.inc()
    return UserOut.model_validate(user)


def too_many(wait: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"too many failed logins; try again in {wait} s",
        headers={"Retry-After": str(wait)},
    )


def set_session_cookie(response: Response, state: AppState, session_id: str) -> None:
    settings = state.settings
    response.set_cookie(
        settings.session_cookie,
        sign(session_id, settings.session_secret),
        max_age=settings.session_max_age_seconds,  # the server ends it sooner when idle
        httponly=True,
        samesite="lax",
        secure=not settings.is_local,
        path="/",
    )


def clear_session_cookie(response: Response, state: AppState) -> None:
    # The same attributes as when set: browsers refuse a __Host- cookie without Secure.
    response.delete_cookie(
        state.settings.session_cookie,
        path="/",
        secure=not state.settings.is_local,
        httponly=True,
        samesite="lax",
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=UNSAFE_RESPONSES)
def logout(request: Request, state: StateDep, response: Response) -> None:
    """End this session (a write still in flight cannot bring it back)."""
    session = get_login(request, state)
    if session is not None:
        state.sessions.delete(session)
    clear_session_cookie(response, state)


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNSAFE_RESPONSES, **LOGIN_REQUIRED},
)
def logout_everywhere(login: CurrentLogin, state: StateDep, response: Response) -> None:
    """End every session of this account, this one included (a lost or stolen device)."""
    state.sessions.revoke_all(login.user_id)
    clear_session_cookie(response, state)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNSAFE_RESPONSES, **LOGIN_REQUIRED, **WRONG_CREDENTIALS, **THROTTLED},
)
def change_password(
    body: PasswordChangeIn,
    login: CurrentLogin,
    open_db: WriteDbFactory,
    state: StateDep,
    throttle: LoginThrottleDep,
    client: ClientAddress,
) -> None:
    """Change the password (the current one is checked and throttled like a login); every
    other session of the account ends, this one stays."""
    with open_db() as db:
        user = users.get_user(session=db, user_id=login.user_id)
        if user is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "account no longer exists")
        wait = throttle.attempt(email=user.email, client=client)
        if wait is not None:
            raise too_many(wait)
        if not verify_password(user.password_hash, body.current_password):
            throttle.failed(client=client)
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the current password is wrong")
        local = user.email.split("@", 1)[0]
        if too_guessable(body.new_password, user_inputs=[user.email, local]):
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("body", "new_password"), "msg": TOO_GUESSABLE,
                  "input": None}]
            )  # fmt: skip
        users.change_password(session=db, user=user, password=body.new_password)
        db.commit()
    throttle.succeeded(email=user.email)
    state.sessions.revoke_all(login.user_id, keep=login.session_id)


@router.get("/me", responses=LOGIN_REQUIRED)
def me(login: CurrentLogin, db: WriteDb) -> UserOut:
    user = users.get_user(session=db, user_id=login.user_id)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "account no longer exists")
    return UserOut.model_validate(user)
