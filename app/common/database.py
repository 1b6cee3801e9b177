"""When the database cannot be reached: one test for such errors, one check for ``/healthz``.

A request that needs the database while it is unreachable — PostgreSQL down or refusing,
the network gone, the connection pool exhausted, SQLite unable to open or lock its file —
is answered 503 with ``Retry-After: RETRY_AFTER_S`` in the body of whoever asked (each
JSON app's envelope, the admin's page; :func:`app.api.register_dialects` routes it), never
500: a load balancer or a client retries later, and nothing was written (the request
boundary rolls back).
"""
from __future__ import annotations

from sqlalchemy import exc as sa_exc, text

from ..extensions import db

#: Seconds a client is asked to wait before retrying (``Retry-After`` of every such 503).
RETRY_AFTER_S = 30
#: SQLAlchemy errors that mean "cannot reach or use the database now", not "this query is wrong":
#: connection refused, lost or timed out, the pool exhausted, SQLite's file locked or unopenable.
UNAVAILABLE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                      sa_exc.TimeoutError)


def is_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what it wraps: ``original_exception`` of a werkzeug 500,
    ``__cause__``/``__context__``) is one of :data:`UNAVAILABLE_ERRORS`."""
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, UNAVAILABLE_ERRORS):
            return True
        error = getattr(error, "original_exception", None) or error.__cause__ or error.__context__
        seen += 1
    return False


def database_reachable() -> bool:
    """Run ``SELECT 1``; False (after a rollback) when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except sa_exc.SQLAlchemyError:
        db.session.rollback()
        return False
