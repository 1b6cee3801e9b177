"""Attendance reports: who was present, late, on leave or absent, day by day.

One day of one person has exactly one :class:`DayStatus`, decided in this order:

1. an attendance record of that day — the person's check-in: :class:`~.models.DailyAttendance`
   (``present``, ``late``, ``pending_review``; a ``rejected`` check-in counts as
   absent); else presence recorded by a vertical through a registered
   :class:`PresenceSource` (``present``: a school's students marked by their teacher);
2. else an **approved** leave covering the day — the leave's type (``izin``,
   ``cuti``, ``dinas_luar``, ``sakit``) instead of absent (contract 002
   section 6: "approved leave shows in attendance reports as that leave type");
3. else, on a day the person's own schedule makes a working day
   (:func:`app.schedules.resolution.plan_range`: roster, own, department, office or
   the organisation's schedule, its working weekdays and the holidays) before today:
   ``absent``; today without a record: ``not_yet`` (the day is not over); later
   days: ``future``; a day off or a holiday: ``off`` (nobody is absent on a day off).

Dates are local calendar dates in the organisation's zone (``TIMEZONE``).
A constant number of queries serves any number of people (their schedules, attendance
rows, one per presence source, approved leaves overlapping the range), whatever the range's length.

The core knows no vertical: a vertical that records presence of its own, or groups people
in its own way (a school's classes), plugs in at app setup with
:func:`register_presence_source` and :func:`register_people_group`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable

from ..accounts.models import User
from ..accounts.roles import ADMIN_ROLES
from ..common import clock
from ..common.errors import ValidationFailed
from ..common.i18n import N_
from ..common.search import contains_text
from ..common.rows import plain_rows
from ..common.sql_time import epoch_seconds
from ..extensions import db
from ..leave.models import LEAVE_TYPES, LeaveRequest
from ..schedules.resolution import plan_range
from .models import DailyAttendance

#: The longest range one report covers, in days (a school term's month view fits twice).
MAX_RANGE_DAYS = 62
#: The refusal of a longer range (it names :data:`MAX_RANGE_DAYS`), written out for the catalogs.
RANGE_TOO_LONG = N_("A report covers at most 62 days.")
assert str(MAX_RANGE_DAYS) in RANGE_TOO_LONG

#: Codes of a day that count towards a person's totals, in column order.
COUNTED = ("present", "late", "pending_review", *LEAVE_TYPES, "absent")
#: Codes of a day that are not counted (no obligation that day, or not over yet).
UNCOUNTED = ("off", "not_yet", "future")


@dataclass(frozen=True)
class DayStatus:
    """One person's day: ``code`` (one of :data:`COUNTED` or :data:`UNCOUNTED`) and,
    when present, ``time_in`` (UTC datetime, to the second for a check-in; None when the
    presence was recorded without a time, such as a student marked by a teacher)."""

    code: str
    time_in: datetime | None = None


@dataclass
class PersonRow:
    """A report line: ``user``, ``days`` (one :class:`DayStatus` per report day, in order)
    and ``counts`` (code → number of days, for the codes of :data:`COUNTED`)."""

    user: User
    days: list[DayStatus]
    counts: Counter = field(default_factory=Counter)

    @property
    def expected_days(self) -> int:
        """Days that counted (working days until yesterday, plus any day with a record)."""
        return sum(self.counts[code] for code in COUNTED)

    @property
    def attendance_rate(self) -> float | None:
        """Present or late days / counted days, 0..1 (None when nothing counted yet)."""
        expected = self.expected_days
        if not expected:
            return None
        return (self.counts["present"] + self.counts["late"] + self.counts["pending_review"]) / expected


@dataclass
class Report:
    """``start``..``end`` (inclusive local dates), ``days`` (every date of the range)
    and ``rows`` (:class:`PersonRow`, in the order the people were given)."""

    start: date
    end: date
    days: list[date]
    rows: list[PersonRow]

    def totals(self) -> Counter:
        """Sum of every row's counts (code → days)."""
        total: Counter = Counter()
        for row in self.rows:
            total.update(row.counts)
        return total


@dataclass(frozen=True)
class PresenceSource:
    """Presence recorded outside the core's check-ins by the vertical that owns it.

    :param key: unique name (``"school.student_attendance"``).
    :param load: ``load(user_ids: list[int], start: date, end: date)`` -> iterable of
        ``(user_id, day, occurred_at)``: ``day`` a local date from ``start`` to ``end``,
        ``occurred_at`` a UTC datetime or None (marked without a time).  Such a day counts
        ``present``; a day with a check-in keeps the check-in's status.
    """

    key: str
    load: Callable[[list[int], date, date], Iterable[tuple[int, date, datetime | None]]]


@dataclass(frozen=True)
class PeopleGroup:
    """A way of grouping people owned by a vertical, by which the report can be narrowed
    (a school's classes).

    :param key: unique name (``"class"``; the filter's element id is ``report-<key>``).
    :param param: the query-string parameter carrying a group's id (``class_id``), also the
        name of the filter form's field.
    :param label: the filter's label (lazy text); ``everyone``: its "no group" choice.
    :param choices: ``choices() -> list[tuple[int, str]]``: group ids and names, in display order.
    :param members: ``members(group_id: int, on: date)`` -> a select statement of the ids of the
        people in that group on that local date (a class's students in the academic year of ``on``).
    """

    key: str
    param: str
    label: object
    everyone: object
    choices: Callable[[], list[tuple[int, str]]]
    members: Callable[[int, date], object]


_PRESENCE_SOURCES: dict[str, PresenceSource] = {}
_PEOPLE_GROUPS: dict[str, PeopleGroup] = {}


def register_presence_source(source: PresenceSource) -> PresenceSource:
    """Count ``source``'s presence in every report (replacing one of the same ``key``: registering twice is harmless)."""
    _PRESENCE_SOURCES[source.key] = source
    return source


def register_people_group(group: PeopleGroup) -> PeopleGroup:
    """Offer ``group`` as a filter of the report (replacing one of the same ``key``)."""
    _PEOPLE_GROUPS[group.key] = group
    return group


def presence_sources() -> list[PresenceSource]:
    """The registered presence sources, by ``key`` (the monthly recap reads them too)."""
    return [_PRESENCE_SOURCES[key] for key in sorted(_PRESENCE_SOURCES)]


def people_groups() -> list[PeopleGroup]:
    """The registered groupings, by ``key``."""
    return [_PEOPLE_GROUPS[key] for key in sorted(_PEOPLE_GROUPS)]


def check_range(start: date, end: date) -> None:
    """Refuse a range that is reversed or longer than :data:`MAX_RANGE_DAYS`.

    :raises ValidationFailed: ``{"end": [...]}``.
    """
    if end < start:
        raise ValidationFailed({"end": [N_("The end date must not be before the start date.")]})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed({"end": [RANGE_TOO_LONG]})


def people_query(*, role: str | None = None, groups: Iterable[tuple[PeopleGroup, int]] = (),
                 on: date | None = None, search: str | None = None, roles=None):
    """Select statement of the active people a report covers, by name.

    ``role``: a role key (None: everyone but ``admin`` and ``petugas``, who do
    not record attendance in the office apps); ``roles``: instead of that
    default, exactly the people of these role keys (an app whose admins and
    petugas check in too, such as the clinic's); ``groups``: ``(group, group id)``
    pairs, only the members of every one of them on the local date ``on`` (a class's
    students in that academic year); ``search``: part of the name or an
    identifier (NPP, NISN/NIP/NIK, e-mail).
    """
    stmt = db.select(User).where(User.is_active.is_(True))
    if role:
        stmt = stmt.where(User.role == role)
    if roles is not None:
        stmt = stmt.where(User.role.in_(tuple(roles)))
    elif not role:
        stmt = stmt.where(User.role.not_in(ADMIN_ROLES))
    for group, group_id in groups:
        stmt = stmt.where(User.id.in_(group.members(group_id, on)))
    if search:
        stmt = stmt.where(contains_text(search, User.name, User.email, User.npp, User.nisn_nip_nik))
    return stmt.order_by(User.name, User.id)


def _blank_code(day: date, today: date, plan) -> str:
    """The code of a day with nothing recorded, by the person's schedule of that day.

    With no schedule at all (an organisation that has not set one up) the week is
    Monday to Friday (PP 35/2021 art. 21(2)(b)), holidays still off.
    """
    if day > today:
        return "future"
    if plan is None or plan.schedule is None:
        working = day.isoweekday() <= 5 and (plan is None or plan.holiday is None)
    else:
        working = not plan.day_off
    if not working:
        return "off"
    return "not_yet" if day == today else "absent"


def build_report(users: list[User], start: date, end: date, *, today: date | None = None) -> Report:
    """The report of ``users`` (kept in order) from ``start`` to ``end`` (local dates, inclusive).

    ``today`` defaults to the organisation's local date; working days come from each
    person's own schedule (and the holidays).

    :raises ValidationFailed: a reversed range or one longer than :data:`MAX_RANGE_DAYS`.
    """
    check_range(start, end)
    today = today or clock.local_today()
    ids = [u.id for u in users]
    recorded: dict[int, dict[date, DayStatus]] = {}
    if ids:
        # Plain rows (no ORM result layer) and the check-in as whole seconds, made an aware
        # datetime here: a month of a thousand people is 20,000 rows.
        utc, from_seconds = timezone.utc, datetime.fromtimestamp
        for user_id, work_date, status, time_in in plain_rows(
                db.select(DailyAttendance.user_id, DailyAttendance.work_date, DailyAttendance.status,
                          epoch_seconds(DailyAttendance.time_in)).where(
                    DailyAttendance.user_id.in_(ids), DailyAttendance.work_date.between(start, end),
                    DailyAttendance.status != "rejected")):
            days = recorded.get(user_id)
            if days is None:
                days = recorded[user_id] = {}
            days[work_date] = DayStatus(status, None if time_in is None else from_seconds(time_in, utc))
    _add_presence(recorded, ids, start, end, lambda occurred_at: DayStatus("present", occurred_at))
    # A day without a record is one of a few codes: one (frozen) DayStatus each, shared by every
    # such cell, instead of 30,000 equal objects for a month of a thousand people.
    blank = {code: DayStatus(code) for code in (*COUNTED, *UNCOUNTED)}
    grid = _grid(users, start, end, today, recorded, blank)
    counted = frozenset(COUNTED)
    rows = [PersonRow(user, days, Counter(s.code for s in days if s.code in counted))
            for user, days in zip(users, grid)]
    return Report(start, end, _dates(start, end), rows)


def day_codes(users: list[User], start: date, end: date, *, today: date | None = None,
              statuses: dict[int, dict[date, str]] | None = None) -> list[list[str]]:
    """Each person's code of each day, as :func:`build_report` decides it, without its objects:
    ``[[code of start, ..., code of end] for each of users]`` (codes of :data:`COUNTED` and
    :data:`UNCOUNTED`).  For callers that need only the codes (counts, exports): a month of a
    thousand people is 31,000 codes.

    :param users: :class:`~app.accounts.models.User` objects, or rows with their ``id``,
        ``department_id`` and ``office_id`` (all that is read).
    :param statuses: ``{user id: {work date: DailyAttendance.status}}`` of the people's day rows in the
        range, when the caller has read them already (with the columns it needs besides); a
        ``rejected`` day counts as no record.  None: read here (one statement).
    :raises ValidationFailed: a reversed range or one longer than :data:`MAX_RANGE_DAYS`.
    """
    check_range(start, end)
    today = today or clock.local_today()
    ids = [u.id for u in users]
    if statuses is None:
        statuses = read_statuses(ids, start, end)
    recorded = {uid: {day: status for day, status in days.items() if status != "rejected"}
                for uid, days in statuses.items()}
    _add_presence(recorded, ids, start, end, lambda occurred_at: "present")
    return _grid(users, start, end, today, recorded, {code: code for code in (*COUNTED, *UNCOUNTED)})


def read_statuses(user_ids: list[int], start: date, end: date) -> dict[int, dict[date, str]]:
    """``{user id: {work date: status}}`` of these people's day rows from ``start`` to ``end``
    (local dates, inclusive; ``rejected`` ones included), in one statement."""
    found: dict[int, dict[date, str]] = {}
    if user_ids:
        for user_id, work_date, status in plain_rows(
                db.select(DailyAttendance.user_id, DailyAttendance.work_date, DailyAttendance.status).where(
                    DailyAttendance.user_id.in_(user_ids), DailyAttendance.work_date.between(start, end))):
            found.setdefault(user_id, {})[work_date] = status
    return found


def counts_of(codes: Iterable[str]) -> Counter:
    """Days per code of one person's codes (:func:`day_codes`), only the codes of :data:`COUNTED`
    (what :attr:`PersonRow.counts` holds)."""
    every = Counter(codes)
    return Counter({code: every[code] for code in COUNTED if code in every})


def _dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _add_presence(recorded: dict[int, dict], ids: list[int], start: date, end: date, make) -> None:
    """Presence of the registered sources on days without a (non-rejected) record:
    ``recorded[user id][day] = make(occurred_at)``."""
    if not ids:
        return
    for source in _PRESENCE_SOURCES.values():
        for user_id, day, occurred_at in source.load(ids, start, end):
            days = recorded.setdefault(user_id, {})
            if day not in days:
                days[day] = make(occurred_at)


def _grid(users: list[User], start: date, end: date, today: date, recorded: dict[int, dict], blank: dict) -> list[list]:
    """Per person (in order), per date: ``recorded[user id][date]`` if there is one, else
    ``blank[code]`` of the day's code (:func:`_blank_code`; an approved leave's type on a day that
    would be absent or not yet over).  The schedules (:func:`~app.schedules.resolution.plan_range`,
    a constant few statements) and one statement of the approved leaves."""
    dates = _dates(start, end)
    plans = plan_range(users, start, end)
    ids = [u.id for u in users]
    leaves: dict[int, list[LeaveRequest]] = {}
    if ids:
        for leave in db.session.scalars(db.select(LeaveRequest).where(
                LeaveRequest.user_id.in_(ids), LeaveRequest.status == "approved",
                LeaveRequest.start_date <= end, LeaveRequest.end_date >= start)):
            leaves.setdefault(leave.user_id, []).append(leave)
    nothing: dict = {}
    grid = []
    for user in users:
        uid = user.id
        mine = recorded.get(uid, nothing)
        own_leaves = leaves.get(uid)
        days = []
        for day, plan in zip(dates, plans[uid]):
            value = mine.get(day)
            if value is None:
                code = _blank_code(day, today, plan)
                leave = None
                if own_leaves and code in ("absent", "not_yet"):
                    leave = next((lv for lv in own_leaves if lv.start_date <= day <= lv.end_date), None)
                value = blank[code] if leave is None else blank[leave.leave_type]
            days.append(value)
        grid.append(days)
    return grid
