"""``INSERT … ON CONFLICT DO NOTHING RETURNING``, written once for SQLite and PostgreSQL.

Both databases have it (SQLite since 3.35, PostgreSQL since 9.5) with the same
spelling when no conflict target is named.  A row refused by a unique constraint is
simply not inserted and ``RETURNING`` yields no row: no exception, no savepoint, and on
PostgreSQL the transaction stays usable.  A concurrent insert of the same key waits for
the other transaction and then yields nothing (PostgreSQL) or is serialised by the write
lock (SQLite), so the constraint stays the arbiter of races.

Why not ``sqlalchemy.dialects.sqlite.insert(...).on_conflict_do_nothing()``: SQLAlchemy
2.0 does not cache the dialects' ``Insert`` constructs (``inherit_cache = False``), so
that statement is compiled again on every execution — about 1 ms of CPU per statement
on this machine, more than the unit of work it replaces.  :class:`InsertOrNothing` is
the core ``Insert`` with a constant ``ON CONFLICT DO NOTHING`` after its values, and is
cached like any core insert (the class is part of its cache key).
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ClauseElement


class _OnConflictDoNothing(ClauseElement):
    """The clause ``ON CONFLICT DO NOTHING`` (no target: any unique constraint)."""

    __visit_name__ = "hadir_on_conflict_do_nothing"
    _traverse_internals = []
    inherit_cache = True


@compiles(_OnConflictDoNothing)
def _render(_element, _compiler, **_kw) -> str:
    return "ON CONFLICT DO NOTHING"


class InsertOrNothing(Insert):
    """``INSERT INTO <table> … ON CONFLICT DO NOTHING``; add ``.returning(...)`` as usual."""

    inherit_cache = True
    _post_values_clause = _OnConflictDoNothing()


@cache
def insert_or_nothing(table: Table, *returning: str) -> InsertOrNothing:
    """``INSERT INTO table … ON CONFLICT DO NOTHING RETURNING <returning columns>``, built once.

    Execute it with a dict of column values: SQLAlchemy compiles it once per set of keys
    and dialect.  Any unique constraint of ``table`` counts as a conflict; other errors
    (a check constraint, a foreign key) still raise.
    """
    return InsertOrNothing(table).returning(*(table.c[name] for name in returning))
