"""Attendance days and events as the apps and pages read them (read only).

A :class:`~.models.DailyAttendance` is one person's local work day (``work_date``, a date in
the organisation's zone, ``TIMEZONE``); its events are the raw check-ins and check-outs of that
day.  Recording and deciding them is :mod:`app.attendance.services`; these are the lookups the
dialects and pages answer with, so none of them builds its own statement.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import joinedload, lazyload, selectinload

from ..accounts.models import User
from ..extensions import db
from .models import AttendanceEvent, DailyAttendance


def day_of(user_id: int, work_date: date) -> DailyAttendance | None:
    """The person ``user_id``'s day ``work_date`` (a local date), or None when nothing was recorded."""
    return db.session.scalar(db.select(DailyAttendance).filter_by(user_id=user_id, work_date=work_date))


def history_query(user_id: int, *, start: date | None = None, end: date | None = None):
    """Select statement of the person ``user_id``'s days from ``start`` to ``end`` (local dates, both
    included, either open when None), newest first (then the newest row).

    Each day's check-in event and its office come with the page in one more statement (not two per
    row); the day's and the event's person are not loaded (the caller is that person).
    """
    stmt = db.select(DailyAttendance).where(DailyAttendance.user_id == user_id)
    if start:
        stmt = stmt.where(DailyAttendance.work_date >= start)
    if end:
        stmt = stmt.where(DailyAttendance.work_date <= end)
    return stmt.order_by(DailyAttendance.work_date.desc(), DailyAttendance.id.desc()).options(
        lazyload(DailyAttendance.user),
        selectinload(DailyAttendance.check_in_event).options(lazyload(AttendanceEvent.user),
                                                             joinedload(AttendanceEvent.office)))


def days_on(user_id: int, work_dates) -> dict[date, DailyAttendance]:
    """``{work date: day}`` of the person ``user_id`` on the local dates ``work_dates`` (those with a
    day row only); no statement for no dates."""
    dates = set(work_dates)
    if not dates:
        return {}
    return {d.work_date: d for d in db.session.scalars(
        db.select(DailyAttendance).where(DailyAttendance.user_id == user_id, DailyAttendance.work_date.in_(dates)))}


def events_query(user_id: int, *, start: date | None = None, end: date | None = None, year: int | None = None,
                 month: int | None = None):
    """Select statement of the person ``user_id``'s check-ins and check-outs, newest first, on the
    local work dates from ``start`` to ``end`` (both included, either open when None) and, when
    ``year`` is given, in that year or in its ``month`` (1..12) when given too (both limits apply)."""
    stmt = db.select(AttendanceEvent).where(AttendanceEvent.user_id == user_id)
    if start:
        stmt = stmt.where(AttendanceEvent.work_date >= start)
    if end:
        stmt = stmt.where(AttendanceEvent.work_date <= end)
    if year is not None:
        first = date(year, month or 1, 1)
        after = date(year + 1, 1, 1) if month in (None, 12) else date(year, month + 1, 1)
        stmt = stmt.where(AttendanceEvent.work_date >= first, AttendanceEvent.work_date < after)
    return stmt.order_by(AttendanceEvent.occurred_at.desc(), AttendanceEvent.id.desc())


def checked_in_days(user_id: int, start: date, end: date) -> list[DailyAttendance]:
    """The person ``user_id``'s days with a check-in on the local dates ``[start, end)`` (``end``
    excluded), oldest first."""
    return list(db.session.scalars(
        db.select(DailyAttendance)
        .where(DailyAttendance.user_id == user_id, DailyAttendance.work_date >= start,
               DailyAttendance.work_date < end, DailyAttendance.time_in.is_not(None))
        .order_by(DailyAttendance.work_date)))


def events_of_day(user_id: int, work_date: date) -> list[AttendanceEvent]:
    """Every check-in and check-out of the person ``user_id`` on the local date ``work_date``, in
    the order they happened, rejected ones included."""
    return list(db.session.scalars(
        db.select(AttendanceEvent).filter_by(user_id=user_id, work_date=work_date)
        .order_by(AttendanceEvent.occurred_at, AttendanceEvent.id)))


def recent_check_ins(user_id: int, *, limit: int) -> list[AttendanceEvent]:
    """The person ``user_id``'s newest ``limit`` check-in events (any source, any review state),
    newest first."""
    return list(db.session.scalars(
        db.select(AttendanceEvent)
        .where(AttendanceEvent.user_id == user_id, AttendanceEvent.kind == "check_in")
        .order_by(AttendanceEvent.occurred_at.desc(), AttendanceEvent.id.desc())
        .limit(limit)))


def email_users_with_check_in_counts() -> list[tuple[User, int]]:
    """``[(user, check-ins)]`` of the people who can sign in with an email (active, not deleted,
    with an email), by id; ``check-ins`` counts their check-in events not rejected on review
    (0 for none), in one statement."""
    counts = (db.select(AttendanceEvent.user_id, db.func.count(AttendanceEvent.id).label("n"))
              .where(AttendanceEvent.kind == "check_in", AttendanceEvent.review_state != "rejected")
              .group_by(AttendanceEvent.user_id).subquery())
    return [tuple(row) for row in db.session.execute(
        db.select(User, db.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.user_id == User.id)
        .where(User.is_active.is_(True), User.deleted_at.is_(None), User.email.is_not(None))
        .order_by(User.id)).all()]


def review_states(day_ids) -> tuple[set[int], set[int]]:
    """``(known, waiting)`` among the day ids ``day_ids``: those that exist, and those with at least
    one event waiting for review (:func:`app.attendance.services.pending_days_query`); two statements."""
    # imported here: the services read days through this module (``day_of``) at import time
    from .services import pending_days_query

    ids = list(day_ids)
    known = set(db.session.scalars(db.select(DailyAttendance.id).where(DailyAttendance.id.in_(ids))))
    waiting = set(db.session.scalars(pending_days_query().where(DailyAttendance.id.in_(ids))
                                     .with_only_columns(DailyAttendance.id)))
    return known, waiting
