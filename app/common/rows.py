"""Plain rows of a big read: a select run on the session's connection, without the ORM result layer.

``db.session.execute`` wraps each row of a select of columns in the ORM's result machinery
(about 1 µs a row); a report reading a month of a thousand people (20,000 day rows) pays
tens of milliseconds for it.  :func:`plain_rows` runs the statement as Core on the session's
own connection and transaction, after flushing pending changes as the session's own execute
would (autoflush), so the rows see what this request has written.
"""
from __future__ import annotations

from sqlalchemy.engine import Result

from ..extensions import db


def plain_rows(stmt) -> Result:
    """The Core result of the select ``stmt`` (rows are tuples with column attributes) on the
    session's connection, pending changes flushed first."""
    session = db.session
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(stmt)
