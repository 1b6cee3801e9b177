"""Core statements on the session's connection, without the ORM's execution layer.

``db.session.execute`` sends every statement through the ORM's execution layer (and wraps
each row of a select in the ORM's result machinery, about 1 µs a row), even a Core statement
that names only tables and columns: a report reading a month of a thousand people (20,000
day rows) pays tens of milliseconds for it, and a check-in about a tenth of a millisecond
per statement.  :func:`core_execute` runs such a statement as Core on the session's own
connection and transaction, after flushing pending changes as the session's own execute
would (autoflush), so it sees what this request has written and comes after it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.engine import CursorResult

from ..extensions import db


def core_execute(stmt, params: Mapping | Sequence[Mapping] | None = None) -> CursorResult:
    """The Core result of ``stmt`` (a Core select, insert, update, delete or ``text()``, not an
    ORM entity select) with ``params`` (one mapping, or a list for executemany) on the session's
    connection, in the session's transaction, pending changes flushed first."""
    session = db.session
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(stmt, params)


def plain_rows(stmt) -> CursorResult:
    """The Core result of the select ``stmt`` (rows are tuples with column attributes) on the
    session's connection, pending changes flushed first (:func:`core_execute`)."""
    return core_execute(stmt)
