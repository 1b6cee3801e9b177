"""A person's schedule of today and yesterday from each worker's memory, when nothing personal decides it.

The rules of :mod:`.resolution` decide a person's day from, most specific first, their
roster entry, their own assignment, their department chain, their office, the organisation's
active schedule, and the holidays.  Someone with **no roster entry and no assignment of their
own** on either date gets an answer that depends only on (department, office, the dates) and on
tables that change rarely; most people at a morning check-in are such a person.  So:

- the token statement of every dialect (the mobile token's user query,
  :func:`app.accounts.api_tokens.find_token`), which every authenticated request makes anyway,
  also reads (:func:`token_columns`, through :func:`app.attendance.check_in_cache.token_columns`)
  whether the person has a roster entry or an assignment of their own on local today or yesterday, their department and office, and — through
  :data:`SCHEDULES_VERSION` in its cache versions — the version of everything else;
  :func:`note_person` keeps that for the transaction;
- :func:`cached_days` then answers from a per-worker
  :class:`~app.system.cache_versions.VersionedCache` keyed by (department id, office id, local
  today), filled by :func:`.resolution.resolve_shared_days`: no statement at all once warm.  It
  answers None (the caller resolves the person's day in its one statement) for anyone with
  rows of their own, for another person or another date than the ones noted (midnight passed
  between the token check and the check-in; the kiosk, which reads no token), and in a
  transaction that itself changed any of the watched tables.

Why it is never stale: every ORM change of a work schedule, an assignment, a roster entry, a
holiday, a department or an office raises :data:`SCHEDULES_VERSION` in the changing transaction
(:func:`~app.system.cache_versions.watch`), and the version, the person's department and office
and the "rows of their own" flag are read in one statement, so they describe one state of the
database: a change committed through any app server before that statement is seen by it.  The
person's own rows are judged from that same statement, not from the version (roster entries
are also watched only so that a transaction changing them falls back to the full resolution).
Values older than :data:`~app.system.cache_versions.LOCAL_CACHE_TTL_S` are read again, which
also covers changes made without the ORM.

The cache keeps plain snapshots (:class:`ScheduleRef`, :class:`HolidayRef`), never ORM objects:
nothing cached belongs to a session, loads lazily or can be flushed by another request.  The
schedule rules (:mod:`.services`: windows, lateness, early leave, overtime) read the same
attribute names from either.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import Date, bindparam, event, exists, or_, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..departments.models import Department
from ..extensions import db
from ..places.models import Office
from ..system import cache_versions
from . import resolution
from .models import Holiday, RosterEntry, ScheduleAssignment, ScheduleRules, WorkSchedule

#: The version of everything a person's day depends on besides their own rows.
SCHEDULES_VERSION = "schedules"
cache_versions.watch(SCHEDULES_VERSION, WorkSchedule, ScheduleAssignment, RosterEntry, Holiday, Department, Office)
_cache = cache_versions.VersionedCache(SCHEDULES_VERSION)

_NOTED = "day_cache.person"  # session.info: the _Person read by this transaction's token query


@dataclass(frozen=True)
class ScheduleRef(ScheduleRules):
    """A :class:`~.models.WorkSchedule` as a plain, immutable snapshot (safe to keep between
    requests): every column under its own name (local times, minutes as the model's) and the
    rules of :class:`~.models.ScheduleRules`.  Not an ORM object: assign ``schedule_id = ref.id``,
    never a relationship."""

    id: int
    name: str
    code: str | None
    color: str | None
    check_in_start: time
    check_in_end: time | None
    check_out_start: time
    check_out_end: time | None
    late_after: time | None
    is_active: bool
    working_days_mask: int
    grace_minutes: int
    late_policy: str
    late_cutoff: time | None
    work_end: time | None
    early_leave_threshold_minutes: int
    missed_check_out_policy: str
    reminder_lead_minutes: int
    overtime_threshold_minutes: int | None
    overtime_auto_approve_minutes: int
    overtime_before_start: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class HolidayRef:
    """A :class:`~.models.Holiday` as a plain, immutable snapshot: ``on_date`` (local date),
    ``name``, ``category``, ``office_id`` (None: for everyone), ``is_active``."""

    id: int
    on_date: date
    name: str
    category: str
    office_id: int | None
    is_active: bool


def _snapshot(cls, obj):
    """The snapshot ``cls`` (:class:`ScheduleRef` or :class:`HolidayRef`) of the ORM object ``obj``:
    every field read from the attribute of the same name; None stays None."""
    if obj is None:
        return None
    return cls(**{f.name: getattr(obj, f.name) for f in fields(cls)})


class _Person(NamedTuple):
    user_id: int
    today: date
    department_id: int | None
    office_id: int | None
    personal: bool


def token_columns(user_id):
    """The three columns the token's user query adds (``user_id``: its ``User.id`` column), in
    this order: whether the person has a roster entry on local today or yesterday or an own
    assignment covering either (``:schedule_today`` / ``:schedule_yesterday``, see
    :func:`token_parameters`), their ``department_id`` and their ``office_id``.  Hand the values to
    :func:`note_person`."""
    today = bindparam("schedule_today", type_=Date)
    yesterday = bindparam("schedule_yesterday", type_=Date)
    sa = ScheduleAssignment
    roster = select(RosterEntry.id).where(RosterEntry.user_id == user_id,
                                          RosterEntry.work_date.between(yesterday, today))
    own = select(sa.id).where(sa.user_id == user_id, sa.starts_on <= today,
                              or_(sa.ends_on.is_(None), sa.ends_on >= yesterday))
    personal = or_(exists(roster), exists(own)).label("has_personal_schedule")
    return personal, User.department_id.label("schedule_department_id"), User.office_id.label("schedule_office_id")


def token_parameters(today: date) -> dict:
    """The parameters of :func:`token_columns` for local date ``today``."""
    return {"schedule_today": today, "schedule_yesterday": today - timedelta(days=1)}


def note_person(session, user_id: int, today: date, values) -> None:
    """Remember, for the current transaction of ``session``, what the token's query read for
    ``user_id`` on local date ``today``: ``values`` are its :func:`token_columns`."""
    personal, department_id, office_id = values
    session.info[_NOTED] = _Person(user_id, today, department_id, office_id, bool(personal))


def _load(key) -> tuple[resolution.DaySchedule, ...]:
    department_id, office_id, today = key
    return tuple(day._replace(schedule=_snapshot(ScheduleRef, day.schedule), holiday=_snapshot(HolidayRef, day.holiday))
                 for day in resolution.resolve_shared_days(department_id, office_id,
                                                           [today, today - timedelta(days=1)]))


def cached_days(user, today: date) -> list[resolution.DaySchedule] | None:
    """``user``'s schedule of local ``today`` and of yesterday, as
    :func:`.resolution.resolve_days` gives it (with :class:`ScheduleRef` / :class:`HolidayRef`
    snapshots), from this worker's cache; None when the rules of the module say it cannot answer
    (then resolve the day in full).  No statement once warm; one on a miss.
    """
    session = db.session()
    noted = session.info.get(_NOTED)
    if noted is None or noted.personal or noted.user_id != user.id or noted.today != today \
            or cache_versions.changed(SCHEDULES_VERSION):
        return None
    shared = _cache.get((noted.department_id, noted.office_id, today), _load)
    return [day._replace(user_id=user.id) for day in shared]


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_NOTED, None)
