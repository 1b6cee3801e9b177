"""The clinic staff's attendance over a range of days: the summary per person and the CSV export's
lines (contract 000, "Reports"; served by :mod:`app.api.clinic.routes_admin`).

- **Who**: the active people of the clinic app (:data:`REPORT_ROLES`), by name.
- **Day codes** as the admin report decides them (:func:`app.attendance.reports.day_codes`:
  present, late, pending review, an approved leave's type, absent, off, not yet, future).
- **Minutes** of the recorded days whose check-in stands (a rejected check-in counts nothing):
  ``worked_minutes`` and ``late_minutes`` as recorded on the day, and overtime: the whole minutes
  from the end of the working day to the check-out (:func:`day_end`).
- **Times** local ``HH:MM:SS`` in the organisation's zone (``TIMEZONE``).

A constant number of statements whatever the number of people and days (the people; their day
rows read once; the schedules; the day codes' own few), and the day rows come as plain integers
(:class:`~app.common.sql_time.epoch_seconds`), not ``datetime`` objects: a month of a thousand
people is 20,000 day rows and 31,000 person-days.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Iterator

from ..accounts.models import User
from ..accounts.roles import CLINIC_STAFF_ROLES
from ..attendance import reports
from ..attendance.models import DailyAttendance
from ..common import clock
from ..common.rows import plain_rows
from ..common.sql_time import epoch_seconds
from ..extensions import db
from ..schedules.models import WorkSchedule

#: Roles whose attendance the clinic's reports cover: everyone who checks in through the clinic
#: app, i.e. every role that may sign in to it (petugas and admins check in too).
REPORT_ROLES = CLINIC_STAFF_ROLES

_SECONDS = [f"{n:02d}" for n in range(60)]


def report_people(user_ids: list[int] | None = None, role: str | None = None) -> list:
    """Active people of the clinic app (:data:`REPORT_ROLES`) by name, optionally only ``user_ids``
    / ``role`` (a key of :data:`REPORT_ROLES`): plain rows with ``id``, ``name``, ``email``,
    ``role``, ``department_id`` and ``office_id`` (what the reports read; a thousand ORM objects
    cost more than the report's own work on them)."""
    stmt = reports.people_query(role=role, roles=REPORT_ROLES).with_only_columns(
        User.id, User.name, User.email, User.role, User.department_id, User.office_id)
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(user_ids))
    return list(plain_rows(stmt))


def schedules_by_id() -> dict:
    """Every work schedule by id, and the organisation's active one under ``None``, in one
    statement (an organisation has tens of schedules, not thousands)."""
    rows = list(db.session.scalars(db.select(WorkSchedule)))
    found: dict = {row.id: row for row in rows}
    found[None] = next((row for row in rows if row.is_active), None)
    return found


def day_end(work_date: date, schedule: WorkSchedule, zone) -> datetime:
    """The end of the working day of ``work_date`` under ``schedule``: its check-out start, local
    (aware, in ``zone``), on the next day for a night shift (check-out start before check-in start)."""
    end_date = work_date + timedelta(days=1) if schedule.check_out_start < schedule.check_in_start else work_date
    return datetime.combine(end_date, schedule.check_out_start, tzinfo=zone)


def overtime_judge(known: dict, zone=None) -> Callable[[date, int | None, int | None], int]:
    """``judge(work_date, schedule_id, time_out) -> int``: the whole minutes (rounded down, at least 0)
    from :func:`day_end` to the check-out ``time_out`` (seconds since the epoch, UTC; None: 0).

    The day's schedule is ``schedule_id``'s, else the active one (none at all: 0).  Each date and
    schedule's end is computed once per judge.

    :param known: :func:`schedules_by_id`.  :param zone: the organisation's zone (default
        :func:`app.common.clock.local_zone`).
    """
    zone = zone or clock.local_zone()
    ends: dict[tuple, int | None] = {}

    def judge(work_date: date, schedule_id: int | None, time_out: int | None) -> int:
        """The overtime minutes of one day: from the end of its schedule's working day to ``time_out`` (epoch seconds,
        UTC); 0 without a check-out."""
        if time_out is None:
            return 0
        key = (work_date, schedule_id)
        if key in ends:
            end = ends[key]
        else:
            schedule = known.get(schedule_id) or known[None]
            end = ends[key] = None if schedule is None else int(day_end(work_date, schedule, zone).timestamp())
        if end is None or time_out <= end:
            return 0
        return (time_out - end) // 60

    return judge


def clock_texts(zone=None) -> Callable[[int | None], str | None]:
    """``text(seconds) -> "HH:MM:SS"``: the local clock time (in ``zone``, default the organisation's)
    of an instant given as seconds since the epoch (UTC); None for None.  The zone is asked once per
    distinct minute (every zone's offset is whole minutes), not once per instant."""
    zone = zone or clock.local_zone()
    minutes: dict[int, str] = {}

    def text(seconds: int | None) -> str | None:
        """``HH:MM:SS`` local of ``seconds`` since the epoch (UTC), or None for None."""
        if seconds is None:
            return None
        minute, second = divmod(seconds, 60)
        prefix = minutes.get(minute)
        if prefix is None:
            prefix = minutes[minute] = datetime.fromtimestamp(minute * 60, zone).strftime("%H:%M:")
        return prefix + _SECONDS[second]

    return text


def _day_rows(people: list, start: date, end: date) -> list[tuple]:
    """The people's day rows from ``start`` to ``end``, as plain tuples ``(user_id, work_date, status,
    schedule_id, worked_minutes, late_minutes, time_in, time_out)`` (times: seconds since the epoch),
    read through the session's connection (no ORM result layer: 20,000 rows for a month)."""
    if not people:
        return []
    d = DailyAttendance
    return plain_rows(
        db.select(d.user_id, d.work_date, d.status, d.schedule_id, d.worked_minutes, d.late_minutes,
                  epoch_seconds(d.time_in), epoch_seconds(d.time_out))
        .where(d.user_id.in_([p.id for p in people]), d.work_date.between(start, end))).all()


def _statuses(rows) -> dict[int, dict[date, str]]:
    found: dict[int, dict[date, str]] = {}
    for row in rows:
        days = found.get(row[0])
        if days is None:
            days = found[row[0]] = {}
        days[row[1]] = row[2]
    return found


@dataclass(frozen=True)
class StaffSummary:
    """One person's days in the range: ``user`` (a row of :func:`report_people`), ``counts`` (code →
    days, the codes of :data:`app.attendance.reports.COUNTED`) and the minutes (whole minutes) of the
    recorded days."""

    user: object
    counts: Counter
    work_minutes: int
    late_minutes: int
    overtime_minutes: int

    @property
    def expected_days(self) -> int:
        """Days that counted (working days until yesterday, plus any day with a record)."""
        return sum(self.counts[code] for code in reports.COUNTED)


def summary(people: list, start: date, end: date, *, today: date | None = None) -> list[StaffSummary]:
    """One :class:`StaffSummary` per person of ``people`` (:func:`report_people`'s rows, in order)
    from ``start`` to ``end`` (local dates, inclusive).

    :raises app.common.errors.ValidationFailed: a reversed range or one longer than
        :data:`app.attendance.reports.MAX_RANGE_DAYS`.
    """
    reports.check_range(start, end)
    rows = _day_rows(people, start, end)
    codes = reports.day_codes(people, start, end, today=today, statuses=_statuses(rows))
    judge = overtime_judge(schedules_by_id())
    minutes: dict[int, list[int]] = {}
    for user_id, work_date, _status, schedule_id, worked, late, time_in, time_out in rows:
        if time_in is None:
            continue
        mine = minutes.get(user_id)
        if mine is None:
            mine = minutes[user_id] = [0, 0, 0]
        if worked:
            mine[0] += worked
        if late:
            mine[1] += late
        if time_out is not None:
            mine[2] += judge(work_date, schedule_id, time_out)
    nothing = (0, 0, 0)
    return [StaffSummary(person, reports.counts_of(days), *minutes.get(person.id, nothing))
            for person, days in zip(people, codes)]


def export_lines(people: list, start: date, end: date, *, overtime: bool = False,
                 today: date | None = None) -> Iterator[list]:
    """The export's lines, one per person and day (people in order, then dates):
    ``[date (YYYY-MM-DD), user id, name, email, role, day code, time in, time out (local HH:MM:SS),
    worked minutes, late minutes]`` and, with ``overtime``, the overtime minutes; the times and
    minutes None on a day without a standing check-in.

    :raises app.common.errors.ValidationFailed: as :func:`summary`.
    """
    reports.check_range(start, end)
    rows = _day_rows(people, start, end)
    codes = reports.day_codes(people, start, end, today=today, statuses=_statuses(rows))
    judge = overtime_judge(schedules_by_id()) if overtime else None
    text = clock_texts()
    recorded = {(row[0], row[1]): row for row in rows if row[6] is not None}
    dates = [(day, day.isoformat()) for day in (start + timedelta(days=n) for n in range((end - start).days + 1))]
    blank = [None, None, None, None, None] if overtime else [None, None, None, None]
    for person, days in zip(people, codes):
        uid = person.id
        who = [uid, person.name, person.email, person.role]
        for (day, day_text), code in zip(dates, days):
            record = recorded.get((uid, day))
            if record is None:
                yield [day_text, *who, code, *blank]
                continue
            line = [day_text, *who, code, text(record[6]), text(record[7]), record[4], record[5]]
            if judge is not None:
                line.append(judge(day, record[3], record[7]))
            yield line
