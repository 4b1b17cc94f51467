"""Dependency aliases used by the routes, defined once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from app.core.cache import StoreUnavailable
from app.core.login_throttle import LoginThrottle
from app.core.security import unsign
from app.core.session_cookie import session_cookie
from app.core.sessions import SessionData
from app.models import Role
from app.state import AppState


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.gm
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_login_throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


LoginThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]


def client_address(request: Request) -> str:
    """The caller's address (behind the ALB, uvicorn's --proxy-headers supplies it)."""
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


def get_login(request: Request, state: StateDep) -> SessionData | None:
    """The caller's session, or None. Raises StoreUnavailable (503) when Redis is down."""
    cookie = session_cookie(request.scope["headers"], state.settings.session_cookie)
    if cookie is None:  # absent, duplicated or malformed: anonymous
        return None
    session_id = unsign(cookie, state.settings.session_secret)
    if session_id is None:
        return None
    session = state.sessions.get(session_id)
    if session is not None and state.metrics.active_users is not None:
        state.metrics.active_users.seen(session_id)
    return session


LoginDep = Annotated[SessionData | None, Depends(get_login)]


def require_login(login: LoginDep) -> SessionData:
    if login is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not logged in")
    return login


CurrentLogin = Annotated[SessionData, Depends(require_login)]


def require_role(role: Role) -> Callable[[SessionData], SessionData]:
    def check(login: CurrentLogin) -> SessionData:
        if login.role != role.value:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"only {role.value} accounts may do this"
            )
        return login

    return check


EmployerLogin = Annotated[SessionData, Depends(require_role(Role.employer))]
CandidateLogin = Annotated[SessionData, Depends(require_role(Role.candidate))]
AdminLogin = Annotated[SessionData, Depends(require_role(Role.admin))]


def get_write_db_factory(state: StateDep) -> Callable[[], Session]:
    """Opens a writer session when the route is ready for it: routes that call Redis or a
    remote service take the connection only for their database work."""
    return state.database.write_session


WriteDbFactory = Annotated[Callable[[], Session], Depends(get_write_db_factory)]


def get_write_db(state: StateDep) -> Iterator[Session]:
    with state.database.write_session() as session:
        yield session


def get_read_db_factory(
    state: StateDep, request: Request
) -> Callable[[], AbstractContextManager[Session]]:
    """Opens a replica session, or a writer one when the caller wrote moments ago
    (read-your-writes). Routes that may answer from the cache open it only on a miss."""
    try:
        login = get_login(request, state)
    except StoreUnavailable:  # a session-store fault must not break anonymous reads
        login = None
    fresh = login is not None and (
        time.time() - login.last_write_at < state.settings.read_your_writes_seconds
    )
    return state.database.write_session if fresh else state.database.read_session


ReadDbFactory = Annotated[
    Callable[[], AbstractContextManager[Session]], Depends(get_read_db_factory)
]


def get_read_db(open_session: ReadDbFactory) -> Iterator[Session]:
    with open_session() as session:
        yield session


WriteDb = Annotated[Session, Depends(get_write_db)]
ReadDb = Annotated[Session, Depends(get_read_db)]
