"""Circuit breakers on SQLAlchemy engines, fed by the engine's own events.

``guard_engine(engine, breaker)`` makes every new connection ask the breaker first (an
open breaker refuses it at once, as a refused TCP connection would be), reports a
connection or pre-ping that failed (refused, timed out, lost) as a failure (and drops the
pool's idle connections, which lead to that server), and a successful checkout as a
success. Errors of a statement (a slow query's timeout,
integrity, syntax, data) are not the server's availability and do not count.

A refusal surfaces as ``sqlalchemy.exc.OperationalError`` wrapping ``CircuitOpen``, so code
that already handles an unreachable database (``except DBAPIError``, the API's 503
handler, the replica fallback) handles an open breaker the same way.
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import OperationalError

from app.core.breaker import CircuitBreaker, CircuitOpen, cause_of

_BREAKERS: weakref.WeakKeyDictionary[Engine, CircuitBreaker] = weakref.WeakKeyDictionary()


def refused(breaker: CircuitBreaker) -> OperationalError:
    """The error raised in place of a call that the open breaker refuses."""
    return OperationalError(None, None, CircuitOpen(breaker.name, breaker.cause))


def breaker_of(engine: Engine) -> CircuitBreaker | None:
    return _BREAKERS.get(engine)


def check(engine: Engine) -> None:
    """Raise at once when ``engine``'s breaker is open (before a pooled connection is pinged:
    a ping of a hung server would wait the full read timeout)."""
    breaker = _BREAKERS.get(engine)
    if breaker is not None and not breaker.available():
        raise refused(breaker)


def _connectivity_error(context: ExceptionContext) -> bool:
    """Connecting or the pre-ping failed: the server does not answer.

    A statement that timed out on a live connection does not count: one slow query must
    not switch the writer off for everyone. SQLAlchemy invalidates the pool after it, so if
    the server is hung the next connection's handshake times out and counts instead.
    """
    if context.is_pre_ping:
        return True
    return context.connection is None and context.execution_context is None


def guard_engine(engine: Engine, breaker: CircuitBreaker) -> Engine:
    _BREAKERS[engine] = breaker

    @event.listens_for(engine, "do_connect")
    def _ask_breaker(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        if not breaker.allow():
            raise refused(breaker)

    @event.listens_for(engine, "handle_error")
    def _report_failure(context: ExceptionContext) -> None:
        if _connectivity_error(context):
            breaker.record_failure(cause_of(context.original_exception))
            # The pool's idle connections lead to a server that failed (or restarted): drop
            # them, so that the probe after the cool-down, and the requests after it, get
            # fresh ones instead of tripping the breaker again on each stale one.
            engine.dispose(close=False)

    @event.listens_for(engine, "checkout")
    def _report_success(_dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        breaker.record_success()

    return engine
