"""Missed check-outs and check-out reminders: what ``flask --app wsgi attendance close-days`` does.

For every day with a check-in and no check-out (the last 31 work days), judged by the
schedule that judged its check-in:

- **reminder**: from ``reminder_lead_minutes`` before the check-out window closes until
  it closes, the person gets an in-app notification, once (``reminder_sent_at``);
- **missed**: once the window has closed, the day is marked (``missed_check_out_at``,
  once) and, by the schedule's ``missed_check_out_policy``:
  ``close_at_end`` — checked out at the scheduled end by a ``system`` event that waits
  for review (``flag_reason="missed_check_out"``), so the day is counted but a person
  confirms it; ``leave_open`` — nothing else, the day waits for a correction.  Either
  way the person is told.

Idempotent and safe on several servers at once: every change is a conditional
``UPDATE … WHERE <column> IS NULL … RETURNING id``; of two runs, the second finds the
rows already changed (on PostgreSQL it waits for the first's row locks, then its
``WHERE`` no longer matches), so each day is reminded, marked and closed once.  The
system event's ``client_ref`` (``close-days:<day id>``, unique per person) is a second lock.
Run it from cron every few minutes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from ..common import clock
from ..common.i18n import N_
from ..extensions import db
from ..schedules import services as schedules
from ..schedules.models import WorkSchedule
from .models import AttendanceEvent, DailyAttendance

#: How far back open days are looked at (older ones were handled when they closed).
LOOKBACK_DAYS = 31


@dataclass(frozen=True)
class CloseResult:
    """What one run did: ``reminded`` people, days ``closed`` at the scheduled end (for
    review), days marked missed and ``left_open``, and ``open`` days still in their window."""

    reminded: int
    closed: int
    left_open: int
    open: int


def _claim(ids: list[int], column: str, now: datetime) -> list[int]:
    """Set ``column`` to ``now`` on the rows of ``ids`` where it is still empty and the day
    has no check-out; returns the ids this run changed."""
    if not ids:
        return []
    target = getattr(DailyAttendance, column)
    still_open = (target.is_(None), DailyAttendance.check_out_event_id.is_(None))
    # Rows are locked in id order (PostgreSQL: FOR UPDATE in the subquery; SQLite has one
    # writer at a time anyway), so two runs never wait for each other in a circle.
    locked = (db.select(DailyAttendance.id).where(DailyAttendance.id.in_(ids), *still_open)
              .order_by(DailyAttendance.id).with_for_update())
    rows = db.session.execute(
        update(DailyAttendance)
        .where(DailyAttendance.id.in_(locked.scalar_subquery()), *still_open)
        .values({column: now})
        .returning(DailyAttendance.id)
        .execution_options(synchronize_session=False))
    return sorted(row.id for row in rows)


def _close_at_end(daily: DailyAttendance, schedule: WorkSchedule, now: datetime) -> bool:
    """Check ``daily`` out at the scheduled end with a system event waiting for review."""
    end = schedules.scheduled_end(schedule, daily.work_date, clock.local_zone())
    time_out = max(end, daily.time_in) if daily.time_in else end
    event = AttendanceEvent(user_id=daily.user_id, kind="check_out", occurred_at=now, work_date=daily.work_date,
                            source="system", client_ref=f"close-days:{daily.id}", client_time=time_out,
                            review_state="pending", flag_reason="missed_check_out",
                            flag_details=[{"reason": "missed_check_out",
                                           "closed_at": time_out.astimezone(end.tzinfo).strftime("%H:%M")}])
    with db.session.begin_nested():
        db.session.add(event)
        db.session.flush()
        claimed = db.session.execute(
            update(DailyAttendance)
            .where(DailyAttendance.id == daily.id, DailyAttendance.check_out_event_id.is_(None))
            .values(check_out_event_id=event.id, time_out=time_out, early_leave_minutes=0,
                    worked_minutes=max(0, int((time_out - daily.time_in).total_seconds() // 60))
                    if daily.time_in else None)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            raise _Lost()
    return True


class _Lost(Exception):
    """Another writer checked the day out first (the savepoint takes the event back)."""


def close_days(now: datetime | None = None) -> CloseResult:
    """Remind, mark and close the open days whose check-out window is closing or closed.

    :param now: the moment to judge (default the application's clock), aware.
    :returns: the counts of this run (a second run at the same moment returns zeros).
    """
    from ..notify.services import notify

    now = now or clock.now()
    zone = clock.local_zone()
    local_now = now.astimezone(zone)
    earliest = local_now.date() - timedelta(days=LOOKBACK_DAYS)
    open_days = list(db.session.scalars(
        db.select(DailyAttendance)
        .where(DailyAttendance.check_out_event_id.is_(None), DailyAttendance.missed_check_out_at.is_(None),
               DailyAttendance.time_in.is_not(None), DailyAttendance.work_date >= earliest)
        .order_by(DailyAttendance.id)))
    schedule_by_id = {s.id: s for s in db.session.scalars(db.select(WorkSchedule))} if open_days else {}
    due_reminder, missed, still_open = [], [], 0
    windows = {}
    for daily in open_days:
        schedule = schedule_by_id.get(daily.schedule_id)
        if schedule is None:
            continue
        window = schedules.check_out_window(schedule, daily.work_date, zone)
        windows[daily.id] = (schedule, window)
        if local_now >= window.end:
            missed.append(daily.id)
        elif schedule.reminder_lead_minutes and daily.reminder_sent_at is None \
                and local_now >= window.end - timedelta(minutes=schedule.reminder_lead_minutes):
            due_reminder.append(daily.id)
            still_open += 1
        else:
            still_open += 1
    by_id = {d.id: d for d in open_days}

    reminded = _claim(due_reminder, "reminder_sent_at", now)
    for day_id in reminded:
        daily = by_id[day_id]
        _schedule, window = windows[day_id]
        notify(daily.user, "check_out_reminder", N_("Don't forget to check out"),
               N_("Your check-out window closes at %(time)s."), time=(window.end - timedelta(minutes=1))
               .strftime("%H:%M"), priority="high")

    closed = left_open = 0
    for day_id in _claim(missed, "missed_check_out_at", now):
        daily = by_id[day_id]
        schedule, _window = windows[day_id]
        day_text = daily.work_date.strftime("%d-%m-%Y")
        if schedule.missed_check_out_policy == "close_at_end":
            try:
                _close_at_end(daily, schedule, now)
            except _Lost:
                continue
            closed += 1
            end = schedules.scheduled_end(schedule, daily.work_date, zone).strftime("%H:%M")
            notify(daily.user, "missed_check_out", N_("Your check-out is missing"),
                   N_("No check-out was recorded on %(day)s; the day was closed at %(time)s, the scheduled end, "
                      "and waits for review."), day=day_text, time=end)
        else:
            left_open += 1
            notify(daily.user, "missed_check_out", N_("Your check-out is missing"),
                   N_("No check-out was recorded on %(day)s; ask your admin to correct the day."), day=day_text)
    db.session.flush()
    db.session.expire_all()
    return CloseResult(len(reminded), closed, left_open, still_open)
