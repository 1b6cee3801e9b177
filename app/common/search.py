"""The search boxes' text condition, written once.

A search box matches its text literally: ``%`` is a percent sign and ``_`` an
underscore, not SQL ``LIKE`` wildcards (SQLAlchemy's ``contains(...,
autoescape=True)`` escapes them, on SQLite and PostgreSQL alike).
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_


def contains_text(text: str, *columns) -> ColumnElement[bool]:
    """SQL condition: at least one of ``columns`` contains ``text``, ignoring case.

    :param text: what was typed in the search box (the caller strips it and skips an
        empty search); compared in lower case.
    :param columns: text columns or SQL expressions (a NULL column matches nothing).
    """
    needle = text.lower()
    return or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns))
