"""Time zone helpers: storage is UTC, business rules use the organisation's zone.

The zone comes from the ``TIMEZONE`` setting (IANA name, default
``Asia/Jakarta``, UTC+7 without daylight saving).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from .types import utcnow


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The organisation's time zone (``TIMEZONE`` setting)."""
    name = current_app.config.get("TIMEZONE", "Asia/Jakarta") if has_app_context() else "Asia/Jakarta"
    return _zone(name)


def to_local(moment: datetime) -> datetime:
    """Convert an aware datetime to the organisation's zone."""
    return moment.astimezone(local_zone())


def local_now() -> datetime:
    """Now, in the organisation's zone (aware)."""
    return to_local(utcnow())


def local_today() -> date:
    """Today's calendar date in the organisation's zone."""
    return local_now().date()


def iso_utc(moment: datetime | None) -> str | None:
    """Format as the contracts print times: ``2026-01-30T10:00:00.000000Z`` (UTC).

    Source: the examples of every contract in ``shared/seeds`` (Laravel's
    default JSON date serialisation).
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
