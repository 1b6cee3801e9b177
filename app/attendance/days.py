"""One person's attendance days and events as the apps read them (read only).

A :class:`~.models.DailyAttendance` is one person's local work day (``work_date``, a date in
the organisation's zone, ``TIMEZONE``); its events are the raw check-ins and check-outs of that
day.  Recording and deciding them is :mod:`app.attendance.services`; these are the lookups the
dialects and pages answer with, so none of them builds its own statement.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import joinedload, lazyload, selectinload

from ..extensions import db
from .models import AttendanceEvent, DailyAttendance
from .services import pending_days_query


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


def review_states(day_ids) -> tuple[set[int], set[int]]:
    """``(known, waiting)`` among the day ids ``day_ids``: those that exist, and those with at least
    one event waiting for review (:func:`app.attendance.services.pending_days_query`); two statements."""
    ids = list(day_ids)
    known = set(db.session.scalars(db.select(DailyAttendance.id).where(DailyAttendance.id.in_(ids))))
    waiting = set(db.session.scalars(pending_days_query().where(DailyAttendance.id.in_(ids))
                                     .with_only_columns(DailyAttendance.id)))
    return known, waiting
