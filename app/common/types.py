"""Column types shared by the models."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and returned as an aware UTC ``datetime``.

    SQLite has no time zones and PostgreSQL's ``timestamptz`` converts to the
    session zone; storing naive UTC in ``timestamp without time zone`` behaves
    the same on both.  Binding a naive value raises ``ValueError``: every
    timestamp the app writes must say it is UTC (or another zone to convert).
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)
