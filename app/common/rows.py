"""Core statements on the session's connection, without the ORM's execution layer.

``db.session.execute`` sends every statement through the ORM's execution layer (and wraps
each row of a select in the ORM's result machinery, about 1 µs a row), even a Core statement
that names only tables and columns: a report reading a month of a thousand people (20,000
day rows) pays tens of milliseconds for it, and a check-in about a tenth of a millisecond
per statement.  :func:`core_execute` runs such a statement as Core on the session's own
connection and transaction, after flushing pending changes as the session's own execute
would (autoflush), so it sees what this request has written and comes after it.
:func:`insert_values` and :func:`as_loaded` let a hot path insert a row in Core and still hand
its callers the ORM object, without the ORM's attribute events and unit of work.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from sqlalchemy import Table
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

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


@cache
def _insert_columns(table: Table) -> tuple:
    return tuple((column.key, column.default) for column in table.columns if column.key != "id")


def insert_values(table: Table, **given) -> dict:
    """Every column of ``table`` but ``id`` as a Core ``INSERT`` of a new row will write it: the
    value ``given``, else the column's Python-side default (a callable one called now, as a
    flush would), else None.  For :func:`as_loaded` afterwards.

    :raises TypeError: a name in ``given`` is not a column of ``table`` (but ``id``).
    """
    values = {}
    for key, default in _insert_columns(table):
        if key in given:
            values[key] = given[key]
        elif default is None:
            values[key] = None
        else:
            values[key] = default.arg(None) if default.is_callable else default.arg
    unknown = given.keys() - values.keys()
    if unknown:
        raise TypeError(f"not columns of {table.name}: {', '.join(sorted(unknown))}")
    return values


def as_loaded(model, values: Mapping, row_id: int, **related):
    """The ORM object of ``model`` for the row ``row_id`` just inserted in Core with ``values``
    (:func:`insert_values`: every column), persistent in the session as if it had been loaded —
    no SQL, no attribute events, nothing pending to flush; later changes to it are flushed as
    usual.  ``related``: relationship name → object already in the session, set as loaded too.
    """
    obj = model.__mapper__.class_manager.new_instance()
    state = instance_dict(obj)
    state.update(values)
    state["id"] = row_id
    make_transient_to_detached(obj)
    for name, other in related.items():
        set_committed_value(obj, name, other)
    db.session.add(obj)
    return obj
