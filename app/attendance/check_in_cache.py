"""What a check-in reads from each worker's memory, read in the token statement every request makes anyway.

A check-in reads three per-worker caches (:class:`~app.system.cache_versions.VersionedCache`):
the offices by code (:data:`~app.places.services.OFFICES_VERSION`), the plausibility settings
(:data:`~app.attendance.plausibility.SETTINGS_VERSION`) and the schedules of people without rows
of their own (:data:`~app.schedules.day_cache.SCHEDULES_VERSION`).  Each cache costs one version
lookup per transaction unless the versions were read already; and the person's schedule costs
one statement unless :mod:`app.schedules.day_cache` was told what it needs about the person.

Every dialect's token check adds :func:`token_columns` to the statement that reads the token's
user and hands the values to :func:`note`: the check-in then sends no version lookup and, for most
people, no schedule statement.  The versions and the person's columns come from that one
statement, so they describe one state of the database (see :mod:`app.schedules.day_cache` for
why nothing cached is ever stale).
"""
from __future__ import annotations

from datetime import date

from ..places.services import OFFICES_VERSION
from ..schedules import day_cache
from ..system import cache_versions
from .plausibility import SETTINGS_VERSION

#: The versions of the per-worker caches a check-in reads, in the order of :func:`token_columns`.
CACHED_VERSIONS = (OFFICES_VERSION, SETTINGS_VERSION, day_cache.SCHEDULES_VERSION)


def token_columns(user_id) -> list:
    """The columns to add to the token's user statement (``user_id``: its ``User.id`` column): the
    :data:`CACHED_VERSIONS` (integers, 0 = never changed), then
    :func:`app.schedules.day_cache.token_columns`.  Bind :func:`token_parameters` with them."""
    return [*(cache_versions.column(name) for name in CACHED_VERSIONS), *day_cache.token_columns(user_id)]


def token_parameters(today: date) -> dict:
    """The bound parameters of :func:`token_columns` for local date ``today``."""
    return day_cache.token_parameters(today)


def note(session, user_id: int, today: date, values) -> None:
    """Remember for the current transaction of ``session`` what :func:`token_columns` read
    (``values``: their values in order) for ``user_id`` on local date ``today``."""
    values = tuple(values)
    count = len(CACHED_VERSIONS)
    cache_versions.note(session, dict(zip(CACHED_VERSIONS, values[:count])))
    day_cache.note_person(session, user_id, today, values[count:])
