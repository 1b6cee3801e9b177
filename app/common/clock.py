"""The application's one clock: every module reads the time here, through the module.

Call it as ``from app.common import clock`` then ``clock.now()`` (never import ``now`` by
name), so that one switch moves the time for the whole application:

- :func:`now` — the server's clock, an aware ``datetime`` in UTC (what is stored);
- :func:`local_zone`, :func:`to_local`, :func:`local_now`, :func:`local_today` — the
  organisation's zone (``TIMEZONE`` setting, IANA name, default ``Asia/Jakarta``, UTC+7
  without daylight saving), where business rules are judged ("today", work-schedule windows,
  lateness);
- :func:`iso_utc` — how the client contracts print a moment.

Model columns use ``default=clock.now`` (the function, looked up at insert time, so a frozen
clock also dates new rows).

Tests freeze the clock with the ``freeze_time`` fixture of ``tests/conftest.py``, which sets
:data:`_frozen_at` for one test; a script that replays the past (the demo loader) stands it at
a moment for one block with :func:`at`; nothing else writes it.  Time that is not the application's
clock stays with its owner: JWT ``iat``/``exp`` (PyJWT checks them against the real time),
file ages on disk, rate-limit windows.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

#: When set (an aware UTC datetime), :func:`now` answers it instead of the system clock.
#: Only the tests' ``freeze_time`` fixture sets it.
_frozen_at: datetime | None = None


def now() -> datetime:
    """The server's clock: now, as an aware UTC ``datetime``."""
    if _frozen_at is not None:
        return _frozen_at
    return datetime.now(timezone.utc)


@contextmanager
def at(moment: datetime) -> Iterator[datetime]:
    """Stand the clock at ``moment`` (an aware ``datetime``, any zone) for the ``with`` block, so
    that the services called in it (and the model defaults of the rows they insert) date what they
    do then: ``with clock.at(decided): review_event(...)``.  The clock is as before after the
    block (frozen again if a test froze it).  Yields the moment in UTC.

    Process-wide, like the tests' freeze: for a one-thread command replaying the past (the demo
    loader), never while serving requests.

    :raises ValueError: a naive ``moment``.
    """
    global _frozen_at
    if moment.tzinfo is None:
        raise ValueError("clock.at needs an aware datetime")
    before, _frozen_at = _frozen_at, moment.astimezone(timezone.utc)
    try:
        yield _frozen_at
    finally:
        _frozen_at = before


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The organisation's time zone (``TIMEZONE`` setting; ``Asia/Jakarta`` outside an app)."""
    name = current_app.config.get("TIMEZONE", "Asia/Jakarta") if has_app_context() else "Asia/Jakarta"
    return _zone(name)


def to_local(moment: datetime) -> datetime:
    """Convert an aware datetime to the organisation's zone."""
    return moment.astimezone(local_zone())


def local_now() -> datetime:
    """Now, in the organisation's zone (aware)."""
    return to_local(now())


def local_today() -> date:
    """Today's calendar date in the organisation's zone."""
    return local_now().date()


def iso_utc(moment: datetime | None) -> str | None:
    """Format as the contracts print times: ``2026-01-30T10:00:00.000000Z`` (UTC); ``None`` stays ``None``.

    A naive value is taken as UTC.  Source: the examples of every contract in
    ``shared/seeds`` (Laravel's default JSON date serialisation).
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
