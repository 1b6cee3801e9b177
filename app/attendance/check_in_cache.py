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

A request that judges a position (:data:`POSITION_ENDPOINTS`: the dialects' GPS check-ins and
check-outs) also reads the person's latest position in that statement
(:func:`with_position`, :func:`app.attendance.plausibility.with_latest_fix`), so judging it
sends no statement of its own; every other request's statement stays without it.
"""
from __future__ import annotations

from datetime import date

from flask import has_request_context, request

from ..extensions import db
from ..places.services import OFFICES_VERSION
from ..schedules import day_cache
from ..system import cache_versions
from . import plausibility
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


#: The endpoints whose request judges the caller's position with
#: :func:`app.attendance.plausibility.judge_position` right after the token check, before it
#: writes any event: mobile ``POST /absenmasuk`` and ``/absenpulang``, the clinic's check-in and
#: check-out (also the non-paramedis dashboard's), the school's QR check-in, check-out and
#: verify.  Their token statement also reads the person's latest position.
POSITION_ENDPOINTS = frozenset({
    "mobile.check_in", "mobile.check_out",
    "clinic.check_in", "clinic.check_out", "clinic.nonparamedis_check_in", "clinic.nonparamedis_check_out",
    "school.attendance_checkin", "school.attendance_checkout", "school.qrcode_verify",
})
#: How many columns :func:`with_position` appends.
POSITION_COLUMNS = 6


def reads_position() -> bool:
    """True when the current request is one of :data:`POSITION_ENDPOINTS` (False outside a request)."""
    return has_request_context() and request.endpoint in POSITION_ENDPOINTS


def with_position(stmt, user_id, dialect: str):
    """``stmt`` (the token statement, :func:`token_columns` already added) with the person's latest
    position appended (:data:`POSITION_COLUMNS` columns,
    :func:`app.attendance.plausibility.with_latest_fix`); ``user_id``: its ``User.id`` column;
    ``dialect``: the database's dialect name (the statement differs)."""
    return plausibility.with_latest_fix(stmt, user_id, dialect)


def position_dialect() -> str | None:
    """The dialect name to build the token statement for: the database's in a request that reads
    the position (:func:`reads_position`), else None (the statement without it)."""
    return db.engine.dialect.name if reads_position() else None


def note(session, user_id: int, today: date, values, *, position: bool = False) -> None:
    """Remember for the current transaction of ``session`` what :func:`token_columns` read
    (``values``: their values in order, then, with ``position``, those of :func:`with_position`)
    for ``user_id`` on local date ``today``."""
    values = tuple(values)
    count = len(CACHED_VERSIONS)
    cache_versions.note(session, dict(zip(CACHED_VERSIONS, values[:count])))
    if position:
        plausibility.note_latest_fix(session, user_id, values[-POSITION_COLUMNS:])
        values = values[:-POSITION_COLUMNS]
    day_cache.note_person(session, user_id, today, values[count:])
