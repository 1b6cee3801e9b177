"""Each person-day of a month classified, for many people at once: the month recap (*rekap absensi*).

One person-day gets exactly one status, decided in this order (the rules of
:mod:`app.attendance.reports`, kept in one place here):

1. a **record** of the day — staff: :class:`~.models.DailyAttendance` (``present``,
   ``late``, ``pending_review``; a ``rejected`` check-in counts as no record);
   else presence recorded by a vertical (:func:`app.attendance.reports.presence_sources`: a
   school's students marked by their teacher) (``present``);
2. else an **approved leave** covering a day the person was expected to work: its type
   (``izin``, ``sakit``, ``cuti``, ``dinas_luar``);
3. else by the person's **schedule** of that date (:func:`app.schedules.resolution.plan_range`:
   roster, own, department, office or the organisation's schedule, working weekdays and
   holidays): a day off or holiday is ``off``; a working day before today ``absent``
   (*alpa*), today ``not_yet``, later ``future``.  With no schedule at all, Monday to
   Friday are working days (PP 35/2021 art. 21(2)(b)), holidays still off.

Work on a day off keeps its record's status (present or late) and is not a scheduled
day; its approved overtime counts.  Overtime counts only its **approved** minutes
(:class:`~.models.OvertimeClaim`); pending and rejected claims are shown but not summed.
The printed codes are the customary ones of Indonesian attendance sheets: H (hadir),
T (terlambat), I (izin), S (sakit), C (cuti), DL (dinas luar), A (alpa), L (libur);
see :data:`app.admin.filters.DAY_LETTERS`.

Dates are local calendar dates in the organisation's zone; times are UTC datetimes;
minutes are whole minutes.  :func:`classify_days` runs a constant number of SQL
statements (nine) whatever the number of people or days.  :func:`summarise_days` adds up what it
would decide for many people (the totals, each date's statuses, late minutes per person) without
building each person-day: the recap page classifies only its own page of people
(:func:`build_recap` ``rows_for``), the dashboard's month chart nobody.
"""
from __future__ import annotations

from calendar import monthrange
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Integer, String, and_, bindparam, cast, extract, func, literal
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.roles import ADMIN_ROLES, STAFF_ROLES, STUDENT_ROLES
from ..common import clock
from ..common.errors import ValidationFailed
from ..common.months import month_after, month_before
from ..common.rows import plain_rows
from ..departments.models import Department
from ..extensions import db
from ..leave.models import LEAVE_TYPES, LeaveRequest
from ..schedules.resolution import plan_range
from .models import AttendanceEvent, DailyAttendance, OvertimeClaim

#: Statuses of a day with a check-in.
ATTENDED = ("present", "late", "pending_review")
#: Every status a person-day can have, in column order.
STATUSES = (*ATTENDED, *LEAVE_TYPES, "absent", "off", "not_yet", "future")
#: The populations of the recap: staff (employees and clinic staff, every role that works
#: but the administrators, who do not record attendance) and students (per class).
POPULATIONS = ("staff", "students")
#: Roles of each population.
POPULATION_ROLES = {"staff": STAFF_ROLES - ADMIN_ROLES, "students": STUDENT_ROLES}


class PersonDay(NamedTuple):
    """One person's day (a named tuple: a month of a thousand people is 31,000 of them).

    ``status``: one of :data:`STATUSES`; ``scheduled``: the schedule made it a working day
    (a day counted in "scheduled work days"); ``shift``: the work schedule of the day (None
    without any); ``off_reason``: ``roster``, ``holiday`` or ``weekday`` on a day off;
    ``holiday_name``; ``time_in``/``time_out`` (UTC); ``worked_minutes`` (None while the day
    is open), ``late_minutes``, ``early_leave_minutes``; ``overtime_minutes`` (approved only),
    ``overtime_claimed`` and ``overtime_status`` (``pending``/``approved``/``rejected`` or None);
    ``leave_type`` of an approved leave covering the day (also when a record wins over it);
    ``missed_check_out``: the check-out window closed without a check-out; ``daily_id``.
    """

    user_id: int
    work_date: date
    status: str
    scheduled: bool
    shift: object = None
    off_reason: str | None = None
    holiday_name: str | None = None
    time_in: datetime | None = None
    time_out: datetime | None = None
    worked_minutes: int | None = None
    late_minutes: int = 0
    early_leave_minutes: int = 0
    overtime_minutes: int = 0
    overtime_claimed: int = 0
    overtime_status: str | None = None
    leave_type: str | None = None
    missed_check_out: bool = False
    daily_id: int | None = None

    @property
    def attended(self) -> bool:
        """The person checked in that day."""
        return self.status in ATTENDED


@dataclass
class Totals:
    """A person's (or everyone's) month in figures (days, whole minutes).

    ``scheduled_days``: working days by the schedule; ``present``: days with a check-in
    (on time, late or awaiting review, also on a day off); ``late`` / ``late_minutes``;
    ``early_leave`` / ``early_leave_minutes``; ``absent`` (*alpa*); ``izin``, ``sakit``,
    ``cuti``, ``dinas_luar``; ``off_days``: days off and holidays not worked;
    ``worked_minutes``; ``overtime_minutes`` (approved); ``pending``: days awaiting review.
    """

    scheduled_days: int = 0
    present: int = 0
    late: int = 0
    late_minutes: int = 0
    early_leave: int = 0
    early_leave_minutes: int = 0
    absent: int = 0
    izin: int = 0
    sakit: int = 0
    cuti: int = 0
    dinas_luar: int = 0
    off_days: int = 0
    worked_minutes: int = 0
    overtime_minutes: int = 0
    pending: int = 0

    def add_day(self, day: PersonDay) -> None:
        """Count one day in."""
        self.scheduled_days += day.scheduled
        if day.attended:
            self.present += 1
            self.pending += day.status == "pending_review"
        if day.status == "late" or (day.attended and day.late_minutes):
            self.late += 1
            self.late_minutes += day.late_minutes
        if day.early_leave_minutes:
            self.early_leave += 1
            self.early_leave_minutes += day.early_leave_minutes
        if day.status in LEAVE_TYPES:
            setattr(self, day.status, getattr(self, day.status) + 1)
        elif day.status == "absent":
            self.absent += 1
        elif day.status == "off":
            self.off_days += 1
        self.worked_minutes += day.worked_minutes or 0
        self.overtime_minutes += day.overtime_minutes

    def add(self, other: "Totals") -> None:
        """Add another person's totals (for the totals row)."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def worked_hours(self) -> float:
        """Worked time in hours (one decimal)."""
        return round(self.worked_minutes / 60, 1)

    @property
    def overtime_hours(self) -> float:
        """Approved overtime in hours (one decimal)."""
        return round(self.overtime_minutes / 60, 1)


def month_range(year: int, month: int) -> tuple[date, date]:
    """First and last local date of a month.  :raises ValidationFailed: ``{"month": ...}`` outside 1..12
    or years 2000..2100."""
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise ValidationFailed({"month": ["Choose a month as YYYY-MM."]})
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def parse_month(text: str | None, default: date | None = None) -> tuple[int, int]:
    """``"2026-11"`` → ``(2026, 11)``; empty text → the month of ``default`` (today).

    :raises ValidationFailed: ``{"month": ...}`` when the text is not a month.
    """
    if not text:
        today = default or clock.local_today()
        return today.year, today.month
    try:
        year, month = (int(part) for part in text.strip().split("-"))
    except ValueError:
        raise ValidationFailed({"month": ["Choose a month as YYYY-MM."]}) from None
    month_range(year, month)
    return year, month


def _working(day: date, plan) -> bool:
    """Whether the person's plan of ``day`` (a :class:`~app.schedules.resolution.DaySchedule` or None)
    makes it a working day; without any schedule Monday to Friday, holidays off."""
    if plan is None or plan.schedule is None:
        return day.isoweekday() <= 5 and (plan is None or plan.holiday is None)
    return not plan.day_off


def classify_days(users, start: date, end: date, *, today: date | None = None,
                  times: bool = True, plans: dict[int, list] | None = None) -> dict[int, list[PersonDay]]:
    """Every day from ``start`` to ``end`` (local dates, inclusive) of each of ``users``.

    :param users: :class:`~app.accounts.models.User` objects (``id``, ``department_id``,
        ``office_id`` are read).
    :param today: the organisation's local date by default; days after it are ``future``.
    :param times: False leaves the recorded days' ``time_in`` and ``time_out`` None (the exports do
        not show them; a month of 1,000 people reads 40,000 timestamps less, about 60 ms).
    :param plans: the people's :func:`~app.schedules.resolution.plan_range` of these dates (or of
        more people), when the caller has it already (:func:`build_recap` for one page); five statements less.
    :returns: ``{user_id: [PersonDay, ...]}`` (one per date, in date order).
    :raises ValueError: ``end`` before ``start``.

    A constant number of SQL statements whatever the number of people and days: five of the
    schedule resolution, then the attendance days, overtime claims and approved leaves, and one
    per registered presence source (nine with the school's).
    """
    users = list(users)
    today = today or clock.local_today()
    if plans is None:
        plans = plan_range(users, start, end)
    dates = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    ids = [u.id for u in users]
    records: dict[tuple[int, date], object] = {}
    claims: dict[tuple[int, date], object] = {}
    marks: dict[tuple[int, date], datetime | None] = {}
    leaves: dict[int, list] = {}
    if ids:
        # Core rows (no ORM result layer: 20,000 rows of a month), pending changes flushed first
        execute = plain_rows
        da = DailyAttendance
        if times:
            clock_columns = (da.time_in, da.time_out)
        else:
            clock_columns = (literal(None).label("time_in"), literal(None).label("time_out"))
        # a missed check-out: the window closed without one
        missed = and_(da.missed_check_out_at.is_not(None), da.time_out.is_(None)).label("missed")
        for row in execute(db.select(
                da.id, da.user_id, da.work_date, da.status, *clock_columns, da.worked_minutes,
                da.late_minutes, da.early_leave_minutes, missed)
                .where(da.user_id.in_(ids), da.work_date.between(start, end))).tuples().all():
            if row[3] != "rejected":
                records[(row[1], row[2])] = row
        oc = OvertimeClaim
        for row in execute(db.select(oc.user_id, oc.work_date, oc.minutes, oc.approved_minutes, oc.status)
                                      .where(oc.user_id.in_(ids), oc.work_date.between(start, end))):
            claims[(row.user_id, row.work_date)] = row
        leaves = _approved_leaves(ids, start, end)
        marks = _presence_marks(ids, start, end)
    # Per date, once: the day's place relative to today, and the blank status of a day without a
    # plan (Monday to Friday).  Then one pass per person-day with local names only: a month of a
    # thousand people is 31,000 of them.
    columns = []
    for day in dates:
        blank_working = "future" if day > today else ("not_yet" if day == today else "absent")
        columns.append((day, blank_working, day.isoweekday() <= 5))
    result: dict[int, list[PersonDay]] = {}
    record_of = records.get
    claim_of = claims.get if claims else None
    no_plans = [None] * len(dates)
    for user in users:
        uid = user.id
        own_leaves = leaves.get(uid)
        days = []
        append = days.append
        for (day, blank_working, weekday_working), plan in zip(columns, plans.get(uid) or no_plans):
            key = (uid, day)
            if plan is None:
                shift = holiday = None
                working = weekday_working
                off_reason = None if working else "weekday"
            else:
                shift = plan.schedule
                holiday = plan.holiday.name if plan.holiday is not None else None
                # without any schedule: Monday to Friday, holidays off (see _working)
                working = (weekday_working and holiday is None) if shift is None else not plan.day_off
                off_reason = plan.off_reason if plan.day_off else None
                if not working and off_reason is None:
                    off_reason = "holiday" if holiday is not None else "weekday"
            leave = _leave_on(own_leaves, day) if own_leaves else None
            claim = claim_of(key) if claim_of is not None else None
            if claim is None:
                approved, claimed, claim_status = 0, 0, None
            else:
                approved = (claim.approved_minutes or 0) if claim.status == "approved" else 0
                claimed, claim_status = claim.minutes, claim.status
            record = record_of(key)
            if record is not None:
                daily_id, _uid, _day, status, time_in, time_out, worked, late, early, missed = record
                append(PersonDay(
                    uid, day, status, working, shift, off_reason, holiday, time_in, time_out, worked, late or 0,
                    early or 0, approved, claimed, claim_status, leave, bool(missed), daily_id))
                continue
            if key in marks:
                status, time_in = "present", marks[key]
            else:
                blank = blank_working if working else "off"
                status = leave if leave is not None and working else blank
                time_in = None
            append(PersonDay(uid, day, status, working, shift, off_reason, holiday, time_in, None, None, 0, 0,
                             approved, claimed, claim_status, leave))
        result[uid] = days
    return result


def _approved_leaves(ids: list[int], start: date, end: date) -> dict[int, list]:
    """``{user_id: [row (user_id, leave_type, start_date, end_date), ...]}``: the approved leaves of
    ``ids`` touching ``start``..``end`` (one statement; the first covering a date decides it)."""
    leaves: dict[int, list] = {}
    for row in plain_rows(db.select(
            LeaveRequest.user_id, LeaveRequest.leave_type, LeaveRequest.start_date, LeaveRequest.end_date).where(
            LeaveRequest.user_id.in_(bindparam("ids", ids, expanding=True)), LeaveRequest.status == "approved",
            LeaveRequest.start_date <= end, LeaveRequest.end_date >= start)):
        leaves.setdefault(row.user_id, []).append(row)
    return leaves


def _leave_on(leaves: list, day: date) -> str | None:
    """The type of the first of ``leaves`` (:func:`_approved_leaves` rows) covering ``day``, else None."""
    for leave in leaves:
        if leave.start_date <= day <= leave.end_date:
            return leave.leave_type
    return None


def _presence_marks(ids: list[int], start: date, end: date) -> dict[tuple[int, date], datetime | None]:
    """``{(user_id, date): occurred_at}`` of the registered presence sources (one statement each)."""
    from .reports import presence_sources

    marks: dict[tuple[int, date], datetime | None] = {}
    for source in presence_sources():
        for user_id, day, occurred_at in source.load(ids, start, end):
            marks.setdefault((user_id, day), occurred_at)
    return marks


def totals_of(days) -> Totals:
    """The :class:`Totals` of a list of :class:`PersonDay` (days after today count only as scheduled)."""
    # Totals.add_day's rules, with local counters: a recap of a thousand people sums 31,000 days.
    scheduled = present = pending = late = late_minutes = early = early_minutes = 0
    absent = off = worked = overtime = 0
    leave = dict.fromkeys(LEAVE_TYPES, 0)
    for day in days:
        status = day.status
        scheduled += day.scheduled
        attended = status in ATTENDED
        if attended:
            present += 1
            if status == "pending_review":
                pending += 1
        if status == "late" or (attended and day.late_minutes):
            late += 1
            late_minutes += day.late_minutes
        if day.early_leave_minutes:
            early += 1
            early_minutes += day.early_leave_minutes
        if status in leave:
            leave[status] += 1
        elif status == "absent":
            absent += 1
        elif status == "off":
            off += 1
        if day.worked_minutes:
            worked += day.worked_minutes
        overtime += day.overtime_minutes
    return Totals(scheduled_days=scheduled, present=present, late=late, late_minutes=late_minutes, early_leave=early,
                  early_leave_minutes=early_minutes, absent=absent, off_days=off, worked_minutes=worked,
                  overtime_minutes=overtime, pending=pending, **leave)


@dataclass
class MonthSummary:
    """What a month of many people adds up to, without each person-day: ``totals`` (everyone's
    :class:`Totals`), ``daily`` (per date of the range, a :class:`~collections.Counter` of the
    day statuses of :data:`STATUSES`) and ``late_minutes`` (user id → the person's late minutes, in
    the people's order, only those with some)."""

    totals: Totals
    daily: list[Counter]
    late_minutes: dict[int, int]


def summarise_days(users, start: date, end: date, *, today: date | None = None,
                   plans: dict | None = None) -> MonthSummary:
    """The sums of :func:`classify_days` over ``users`` (``id``, ``department_id``, ``office_id`` read:
    ORM users or rows) from ``start`` to ``end``, two local dates of one month, equal to adding up
    :func:`totals_of` of every person and counting each date's statuses, in a fraction of the time:

    - the recorded days are summed in SQL, grouped by person and status (counts, late, early-leave
      and worked minutes, and which days of the month: ``aggregate_strings``); the approved overtime
      in one sum;
    - only the days without a record (a tenth to a third of a month) are decided in Python, by the
      person's plan (:func:`~app.schedules.resolution.plan_range`; ``plans`` when the caller has
      it; the working days once per shared list of plans), approved leave and the presence sources,
      as :func:`classify_days` decides them.

    A constant number of statements (plan_range's five, the days, the overtime, the leaves and
    one per presence source).

    :raises ValueError: ``end`` before ``start`` or in another month.
    """
    if end < start or (end.year, end.month) != (start.year, start.month):
        raise ValueError("summarise_days takes dates of one month")
    users = list(users)
    today = today or clock.local_today()
    dates = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    daily = [Counter() for _ in dates]
    totals = Totals()
    late_of: dict[int, int] = {}
    ids = [u.id for u in users]
    if not ids:
        return MonthSummary(totals, daily, late_of)
    if plans is None:
        plans = plan_range(users, start, end)
    execute = plain_rows
    da = DailyAttendance
    # totals_of's rules on a recorded day (a rejected check-in is no record), per person and status:
    # a 'late' day counts late with its minutes; an attended one when its late minutes are not 0
    # (NULLIF: neither NULL nor 0); any day with early-leave minutes counts as an early leave
    day_of_month = cast(cast(extract("day", da.work_date), Integer), String)
    ids_param = bindparam("ids", ids, expanding=True)   # 1,000 ids bound without coercing each
    recorded: dict[int, set[int]] = {}
    by_status: dict[str, Counter] = {}
    for uid, status, count, late_days, late_sum, early_days, early_sum, worked, days in execute(
            db.select(da.user_id, da.status, func.count(), func.count(func.nullif(da.late_minutes, 0)),
                      func.sum(da.late_minutes), func.count(func.nullif(da.early_leave_minutes, 0)),
                      func.sum(da.early_leave_minutes), func.sum(da.worked_minutes),
                      func.aggregate_strings(day_of_month, ","))
            .where(da.user_id.in_(ids_param), da.work_date.between(start, end), da.status != "rejected")
            .group_by(da.user_id, da.status)):
        numbers = [int(n) for n in days.split(",")]
        if uid in recorded:
            recorded[uid].update(numbers)
        else:
            recorded[uid] = set(numbers)
        if status in by_status:
            by_status[status].update(numbers)
        else:
            by_status[status] = Counter(numbers)
        if status in ATTENDED:
            totals.present += count
            if status == "pending_review":
                totals.pending += count
            if status == "late":
                late_days = count
            totals.late += late_days
            totals.late_minutes += late_sum or 0
            late_of[uid] = late_of.get(uid, 0) + (late_sum or 0)
        elif status == "absent":
            totals.absent += count
        totals.early_leave += early_days
        totals.early_leave_minutes += early_sum or 0
        totals.worked_minutes += worked or 0
    oc = OvertimeClaim
    totals.overtime_minutes = execute(db.select(func.coalesce(func.sum(oc.approved_minutes), 0)).where(
        oc.user_id.in_(ids_param), oc.work_date.between(start, end), oc.status == "approved")).scalar_one()
    leaves = _approved_leaves(ids, start, end)
    marks = _presence_marks(ids, start, end)
    # The days without a record, as classify_days decides them.  People with the same assignments
    # share one list of plans (plan_range): its working days are found once per list.
    first = start.day
    blank_status = ["future" if day > today else ("not_yet" if day == today else "absent") for day in dates]
    every_number = set(range(first, first + len(dates)))
    working_of: dict[int, tuple[list[bool], int]] = {}
    no_plans = [None] * len(dates)
    nothing: set[int] = set()
    scheduled = 0
    for uid in ids:   # daily holds only these days until the recorded ones are added below
        own_plans = plans.get(uid) or no_plans
        found = working_of.get(id(own_plans))
        if found is None:
            flags = [_working(day, plan) for day, plan in zip(dates, own_plans)]
            found = working_of[id(own_plans)] = (flags, sum(flags))
        flags, working_days = found
        scheduled += working_days
        own_leaves = leaves.get(uid)
        for number in every_number - recorded.get(uid, nothing):
            n = number - first
            day = dates[n]
            if marks and (uid, day) in marks:
                status = "present"
            elif flags[n]:
                status = (_leave_on(own_leaves, day) if own_leaves else None) or blank_status[n]
            else:
                status = "off"
            daily[n][status] += 1
    totals.scheduled_days = scheduled
    blank = Counter()
    for counts in daily:
        blank.update(counts)
    totals.present += blank["present"]
    totals.absent += blank["absent"]
    totals.off_days += blank["off"]
    for leave_type in LEAVE_TYPES:
        setattr(totals, leave_type, blank[leave_type])
    for status, numbers in by_status.items():   # then the recorded days into each date's counts
        for number, count in numbers.items():
            daily[number - first][status] += count
    return MonthSummary(totals, daily, {uid: late_of[uid] for uid in ids if late_of.get(uid)})


# --- one person's month -----------------------------------------------------------------

class MonthSteps:
    """The months before and after a month's result (a mixin of :class:`PersonMonth` and the school's
    ``ClassMonth``; the class has ``start`` and ``end``, the month's first and last local dates)."""

    @property
    def previous_month(self) -> date:
        """The first day of the month before."""
        return month_before(self.start)

    @property
    def next_month(self) -> date:
        """The first day of the month after."""
        return month_after(self.end)


@dataclass
class PersonMonth(MonthSteps):
    """One person's month: ``user``, ``start``/``end`` (local dates), ``days`` (:class:`PersonDay`
    per date), ``events`` (work date → that day's :class:`~.models.AttendanceEvent` list, in time
    order; manual corrections are events with source ``manual``), ``totals``."""

    user: User
    start: date
    end: date
    days: list[PersonDay]
    events: dict[date, list[AttendanceEvent]]
    totals: Totals

    @property
    def corrections(self) -> list[AttendanceEvent]:
        """The month's manual events (corrections), in time order."""
        return [e for events in self.events.values() for e in events if e.source == "manual"]


def person_month(user: User, year: int, month: int, *, today: date | None = None) -> PersonMonth:
    """``user``'s month (any caller: the admin pages, or the person's own page).

    :raises ValidationFailed: ``{"month": ...}`` for a month outside 2000..2100.
    """
    start, end = month_range(year, month)
    days = classify_days([user], start, end, today=today)[user.id]
    events: dict[date, list[AttendanceEvent]] = {}
    for event in db.session.scalars(db.select(AttendanceEvent).where(
            AttendanceEvent.user_id == user.id, AttendanceEvent.work_date.between(start, end))
            .order_by(AttendanceEvent.occurred_at, AttendanceEvent.id)):
        events.setdefault(event.work_date, []).append(event)
    return PersonMonth(user, start, end, days, events, totals_of(days))


# --- the recap of many people -----------------------------------------------------------

@dataclass
class RecapRow:
    """A recap line: ``user``, ``days`` (:class:`PersonDay` per date) and their ``totals``."""

    user: User
    days: list[PersonDay]
    totals: Totals


@dataclass
class Recap:
    """The month recap: ``start``/``end``, ``dates``, ``rows`` (in the people's order: everyone's,
    or one page's), ``totals`` (everyone's), ``daily`` (per date: how many present on time, late,
    absent, on leave; the chart of the month), ``late_by_department`` (``[(department name or None,
    minutes)]``, most first) and ``people`` (how many the totals cover)."""

    start: date
    end: date
    dates: list[date]
    rows: list[RecapRow]
    totals: Totals
    daily: list[dict] = field(default_factory=list)
    late_by_department: list[tuple[str | None, int]] = field(default_factory=list)
    people: int = 0


def recap_people_query(*, population: str = "staff", office_id: int | None = None,
                       department: Department | None = None, groups=(), on: date | None = None,
                       brief: bool = False):
    """Select statement of the active people of a recap, by name, their office and department loaded
    (``brief``: only the columns ``id``, ``department_id``, ``office_id``, what the totals need).

    ``population``: ``staff`` (every working role but the administrators) or ``students``;
    ``office_id``, ``department``: only the people of that office / department (and its
    sub-departments); ``groups``: ``(group, group id)`` pairs of the registered people groups
    (:func:`app.attendance.reports.people_groups`, a school's class), members on the local date ``on``.

    :raises ValidationFailed: an unknown population.
    """
    if population not in POPULATIONS:
        raise ValidationFailed({"population": ["Unknown population."]})
    stmt = db.select(*((User.id, User.department_id, User.office_id) if brief else (User,))).where(
        User.is_active.is_(True), User.role.in_(sorted(POPULATION_ROLES[population])))
    if office_id is not None:
        stmt = stmt.where(User.office_id == office_id)
    if department is not None:
        from ..departments.services import descendant_ids

        stmt = stmt.where(User.department_id.in_({department.id} | descendant_ids(department)))
    for group, group_id in groups:
        stmt = stmt.where(User.id.in_(group.members(group_id, on)))
    stmt = stmt.order_by(User.name, User.id)
    # the departments in one more statement (the recap and its exports name each person's)
    return stmt if brief else stmt.options(selectinload(User.department))


def load_people(ids: list[int]) -> list[User]:
    """The :class:`~app.accounts.models.User` objects of ``ids``, in that order, their office and
    department loaded (two statements: one page of a recap whose people were selected ``brief``)."""
    found = {user.id: user for user in db.session.scalars(
        db.select(User).where(User.id.in_(ids)).options(selectinload(User.department)))} if ids else {}
    return [found[i] for i in ids if i in found]


def build_recap(users, year: int, month: int, *, today: date | None = None, times: bool = True,
                rows_for=None) -> Recap:
    """The recap of ``users`` (kept in order) for a month; see :func:`classify_days` for the rules
    (and ``times``).

    :param rows_for: None: a row for each of ``users`` (the exports); else only these people's rows
        (:class:`~app.accounts.models.User` objects among ``users``, in order: one page), while the
        totals, the chart and the late minutes still cover every one of ``users``, summed by
        :func:`summarise_days` (``users`` may then be rows of ``id``, ``department_id``, ``office_id``).
    :raises ValidationFailed: ``{"month": ...}`` for a month outside 2000..2100.
    """
    users = list(users)
    start, end = month_range(year, month)
    dates = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    late_by_department: Counter = Counter()
    if rows_for is None:
        classified = classify_days(users, start, end, today=today, times=times)
        rows, everyone = [], Totals()
        daily = [Counter() for _ in dates]
        for user in users:
            days = classified[user.id]
            totals = totals_of(days)
            everyone.add(totals)
            rows.append(RecapRow(user, days, totals))
            for counter, day in zip(daily, days):
                counter[day.status] += 1
            if totals.late_minutes:
                late_by_department[user.department_id] += totals.late_minutes
    else:
        plans = plan_range(users, start, end)
        summary = summarise_days(users, start, end, today=today, plans=plans)
        shown = list(rows_for)
        classified = classify_days(shown, start, end, today=today, times=times, plans=plans)
        rows = [RecapRow(user, classified[user.id], totals_of(classified[user.id])) for user in shown]
        everyone, daily = summary.totals, summary.daily
        department_of = {user.id: user.department_id for user in users}
        for user_id, minutes in summary.late_minutes.items():
            late_by_department[department_of[user_id]] += minutes
    names = {}
    if late_by_department:
        names = dict(db.session.execute(db.select(Department.id, Department.name).where(
            Department.id.in_([d for d in late_by_department if d is not None]))).all())
    charted = []
    for d, by_status in zip(dates, daily):
        buckets = Counter()
        for status, n in by_status.items():
            buckets[_chart_bucket(status)] += n
        charted.append({"date": d, **{k: buckets[k] for k in ("present", "late", "absent", "leave")}})
    return Recap(start, end, dates, rows, everyone, daily=charted,
                 late_by_department=[(names.get(d), m) for d, m in late_by_department.most_common()],
                 people=len(users))


def _chart_bucket(status: str) -> str:
    if status in ("present", "pending_review"):
        return "present"
    if status in LEAVE_TYPES:
        return "leave"
    return status


def select_people(year: int, month: int, *, population: str = "staff", office_code: str | None = None,
                  department_code: str | None = None,
                  groups: dict[str, int] | None = None, brief: bool = False) -> tuple[list, list[str]]:
    """The active people of a recap by codes (the command line and the admin page), by name,
    and the names of what was chosen (office, department, groups) for the header.

    ``brief``: rows of ``id``, ``department_id``, ``office_id`` instead of users (see
    :func:`recap_people_query`; :func:`load_people` loads one page of them).

    ``groups``: registered people group ``param`` → group id (``{"class_id": 3}``), for the
    students' population (a school's class, its students in the academic year of the month).

    :raises ValidationFailed: ``{"office": ...}`` / ``{"department": ...}`` / ``{<param>: ...}``
        for an unknown code or group, ``{"population": ...}`` for an unknown population.
    """
    from ..places.models import Office
    from .reports import people_groups

    start, _end = month_range(year, month)
    office = department = None
    names = []
    if office_code:
        office = db.session.scalar(db.select(Office).filter_by(code=office_code))
        if office is None:
            raise ValidationFailed({"office": [f"No office with the code {office_code!r}."]})
        names.append(office.name)
    if department_code:
        department = db.session.scalar(db.select(Department).filter_by(code=department_code))
        if department is None:
            raise ValidationFailed({"department": [f"No department with the code {department_code!r}."]})
        names.append(department.name)
    chosen = []
    known = {group.param: group for group in people_groups()}
    for param, group_id in (groups or {}).items():
        group = known.get(param)
        choice = dict(group.choices()).get(group_id) if group is not None else None
        if choice is None:
            raise ValidationFailed({param: ["No such group."]})
        chosen.append((group, group_id))
        names.append(choice)
    stmt = recap_people_query(population=population, office_id=office.id if office else None, department=department,
                              groups=chosen, on=start, brief=brief)
    people = db.session.execute(stmt).all() if brief else list(db.session.scalars(stmt))
    return people, names


# --- today, per population (the dashboard) -------------------------------------------------

#: How the dashboard groups a person's today, in tile order: ``present`` (on time), ``late``,
#: ``pending_review`` (the check-in waits for a reviewer), ``leave`` (approved leave of any type),
#: ``not_yet`` (a working day without a check-in yet), ``off`` (a day off or holiday by their schedule).
TODAY_BUCKETS = ("present", "late", "pending_review", "leave", "not_yet", "off")


@dataclass
class PopulationToday:
    """One population's today: ``population`` (:data:`POPULATIONS`), ``people`` (bucket → ``[(User,
    PersonDay)]`` in name order, for every bucket of :data:`TODAY_BUCKETS`), ``total`` (active people)
    and ``expected`` (those with a working day today)."""

    population: str
    people: dict[str, list[tuple[User, PersonDay]]]

    @property
    def total(self) -> int:
        """Active people of the population."""
        return sum(len(v) for v in self.people.values())

    @property
    def expected(self) -> int:
        """People whose schedule makes today a working day (everyone but ``off``; work on a day off counts)."""
        return self.total - len(self.people["off"])

    def count(self, bucket: str) -> int:
        """How many people are in ``bucket``."""
        return len(self.people[bucket])


def _today_bucket(day: PersonDay) -> str:
    if day.status in LEAVE_TYPES:
        return "leave"
    if day.status in ("absent", "future"):   # a day that started before today's shift: not over yet
        return "not_yet"
    return day.status


def today_by_population(today: date | None = None) -> dict[str, PopulationToday]:
    """Today (the organisation's local date by default) of every active person, per population
    (staff: employees and clinic staff; students), by each person's own schedule, holidays and days
    off (nobody is "not yet in" on their day off), approved leave and records of the day.

    A constant number of statements (those of :func:`classify_days` and one for the people).
    """
    today = today or clock.local_today()
    result = {}
    people = list(db.session.scalars(db.select(User).where(
        User.is_active.is_(True), User.role.in_(sorted(POPULATION_ROLES["staff"] | POPULATION_ROLES["students"])))
        .order_by(User.name, User.id)))
    days = classify_days(people, today, today, today=today)
    for population in POPULATIONS:
        buckets: dict[str, list] = {b: [] for b in TODAY_BUCKETS}
        for user in people:
            if user.role in POPULATION_ROLES[population]:
                day = days[user.id][0]
                buckets[_today_bucket(day)].append((user, day))
        result[population] = PopulationToday(population, buckets)
    return result
