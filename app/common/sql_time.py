"""SQL expressions over timestamps that both databases compute the same way.

- :class:`epoch_seconds`: a naive-UTC timestamp column (:class:`~app.common.types.UTCDateTime`)
  as whole seconds since 1970-01-01 00:00 UTC (an ``int``, fractions of a second dropped), so
  that a request reading tens of thousands of timestamps gets integers from the driver instead of
  building a ``datetime`` per value.  SQLite: ``unixepoch(…)`` of SQLAlchemy's stored text
  (SQLite 3.38 and later; ``strftime('%s', …)`` before, six times slower); PostgreSQL:
  ``floor(extract(epoch from …))`` of the ``timestamp without time zone``.
"""
from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement):  # noqa: N801 (an SQL function, named as one)
    """``epoch_seconds(column)``: whole seconds since the Unix epoch of a naive-UTC timestamp,
    ``NULL`` for ``NULL``.  Rounded down (``12:00:59.9`` → the second of ``12:00:59``)."""

    type = BigInteger()
    name = "epoch_seconds"
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_seconds_default(element, compiler, **kw):
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    dbapi = getattr(compiler.dialect, "dbapi", None)
    if dbapi is not None and dbapi.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"
