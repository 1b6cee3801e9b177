"""Which work schedule applies to a person on a date, and whether the day is a day off.

Most specific first:

1. the person's **roster entry** for the date (:class:`~.models.RosterEntry`): a shift,
   or a day off — it decides the day whatever the weekday;
2. the person's own **assignment** covering the date;
3. their **department**'s assignment, else its parent's, and so on up the tree;
4. their **office**'s assignment;
5. the **organisation's active schedule**.

Among several assignments of one target covering a date, the one that started last
wins (then the newest).  The day is a **day off** when the roster says so, or — with
no roster entry — when it is a holiday (:class:`~.models.Holiday` for everyone or for
the person's office) or its weekday is not one of the schedule's working weekdays.
A roster shift on a holiday is worked (the clinic stays open) and still names the
holiday, so the work counts as holiday overtime.  On a roster day off the schedule of
levels 2–5 is still returned: its windows judge a check-in on that day, which is
overtime.

Two ways to ask, agreeing on every case (``tests/services/test_resolution.py``):

- :func:`resolve_days` / :func:`resolve_day`: one person, a few dates, **one SQL
  statement** (scalar subqueries and ``COALESCE``; the department chain a recursive
  CTE) — the check-in path uses it for today and yesterday, unless
  :mod:`.day_cache` has the answer: :func:`resolve_shared_days`, the same statement for a
  department and an office, answers everyone there without a roster entry or an
  assignment of their own;
- :func:`resolve_range`: many people × a date range in a **constant number of
  statements** (five, whatever the number of people or days) — month grids and reports;
  :func:`plan_range` the same as one list per person, shared by people with the same
  assignments (no object per person-day).

Every way answers with :class:`DaySchedule`; a shared answer (:func:`resolve_shared_days`,
:func:`plan_range`) leaves its ``user_id`` None.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import Date, Integer, bindparam, case, cast, func, literal, null, or_, select, union_all

from ..accounts.models import User
from ..departments.models import Department
from ..extensions import db
from .models import WEEKDAY_BITS, Holiday, RosterEntry, ScheduleAssignment, WorkSchedule

#: How far up the department tree an assignment is inherited (a guard against loops).
MAX_DEPARTMENT_DEPTH = 8
#: Where the schedule of a day came from, most specific first.
SOURCES = ("roster", "user", "department", "office", "organisation", "none")
#: The most dates :func:`resolve_days` takes in one statement.
MAX_DATES = 62


class DaySchedule(NamedTuple):
    """One person's schedule for one local date — the one shape every way of asking returns.

    ``user_id``: whose day it is, or None when the answer is **shared** by everyone with the same
    assignments (:func:`resolve_shared_days`'s days and the entries of :func:`plan_range`'s lists:
    the person is the key they are found under; set it with ``_replace`` when it matters);
    ``work_date``: the local date; ``schedule``: the work schedule whose windows and rules apply
    (None only when the organisation has no schedule at all); ``source``: one of :data:`SOURCES`;
    ``day_off``: no work is expected (``off_reason``: ``roster``, ``holiday`` or ``weekday``);
    ``holiday``: the holiday of that date, if any (also on a rostered working day); ``rostered``: a
    roster entry decided the day.  (A named tuple: a month of a thousand people is 31,000 of them.)
    """

    user_id: int | None
    work_date: date
    schedule: WorkSchedule | None
    source: str
    day_off: bool
    off_reason: str | None
    holiday: Holiday | None
    rostered: bool

    @property
    def is_working_day(self) -> bool:
        """A schedule applies and the day is not a day off."""
        return self.schedule is not None and not self.day_off


def _off_reason(day: date, mask: int | None, rostered: bool, roster_off: bool, holiday) -> str | None:
    """The day-off rule, shared by both ways of asking.

    :param mask: the schedule's ``working_days_mask`` (None: no schedule at all).
    """
    if roster_off:
        return "roster"
    if rostered or mask is None:
        return None
    if holiday is not None:
        return "holiday"
    if not mask & WEEKDAY_BITS[day.isoweekday()]:
        return "weekday"
    return None


def _decide(user_id: int, day: date, schedule, source: str, roster_off: bool, holiday) -> DaySchedule:
    mask = None if schedule is None else schedule.working_days_mask
    off_reason = _off_reason(day, mask, source == "roster", roster_off, holiday)
    return DaySchedule(user_id, day, schedule, source, off_reason is not None, off_reason, holiday,
                       source == "roster")


# --- one person, a few dates, one statement ------------------------------------------

def _covering(day_column):
    sa = ScheduleAssignment
    return sa.starts_on <= day_column, or_(sa.ends_on.is_(None), sa.ends_on >= day_column)


@cache
def _statement(count: int, personal: bool = True):
    """The resolution for ``count`` dates (``:d0`` ...), one statement: of one person
    (``:user_id``) when ``personal``, else of anyone in department ``:department_id`` and office
    ``:office_id`` (either None) without a roster entry or an assignment of their own."""
    rows = [select(bindparam(f"d{i}", type_=Date).label("day"), literal(i).label("idx"))
            for i in range(count)]
    days = (union_all(*rows) if count > 1 else rows[0]).subquery("days")

    if personal:
        user_id = bindparam("user_id", type_=Integer)
        start = (select(User.department_id.label("id"), literal(0).label("depth"))
                 .where(User.id == user_id, User.department_id.is_not(None)))
        office_id = select(User.office_id).where(User.id == user_id).scalar_subquery()
    else:
        department_id = bindparam("department_id", type_=Integer)
        start = select(department_id.label("id"), literal(0).label("depth")).where(department_id.is_not(None))
        office_id = bindparam("office_id", type_=Integer)
    chain = start.cte("department_chain", recursive=True)
    chain = chain.union_all(
        select(Department.parent_id, chain.c.depth + 1)
        .join(chain, Department.id == chain.c.id)
        .where(Department.parent_id.is_not(None), chain.c.depth < MAX_DEPARTMENT_DEPTH))

    sa = ScheduleAssignment
    newest = (sa.starts_on.desc(), sa.id.desc())
    if personal:
        roster = (select(func.coalesce(RosterEntry.schedule_id, 0))
                  .where(RosterEntry.user_id == user_id, RosterEntry.work_date == days.c.day).scalar_subquery())
        own = (select(sa.schedule_id).where(sa.user_id == user_id, *_covering(days.c.day))
               .order_by(*newest).limit(1).scalar_subquery())
    else:
        roster = own = cast(null(), Integer)
    department = (select(sa.schedule_id).join(chain, sa.department_id == chain.c.id)
                  .where(*_covering(days.c.day)).order_by(chain.c.depth, *newest).limit(1).scalar_subquery())
    office = (select(sa.schedule_id).where(sa.office_id == office_id, *_covering(days.c.day))
              .order_by(*newest).limit(1).scalar_subquery())
    organisation = select(WorkSchedule.id).where(WorkSchedule.is_active.is_(True)).limit(1).scalar_subquery()
    holiday = (select(Holiday.id)
               .where(Holiday.on_date == days.c.day, Holiday.is_active.is_(True),
                      or_(Holiday.office_id.is_(None), Holiday.office_id == office_id))
               .order_by(case((Holiday.office_id.is_(None), 1), else_=0)).limit(1).scalar_subquery())
    levels = select(days.c.idx, days.c.day, roster.label("roster"), own.label("own"),
                    department.label("department"), office.label("office"),
                    organisation.label("organisation"), holiday.label("holiday_id")).subquery("levels")

    schedule_id = func.coalesce(func.nullif(levels.c.roster, 0), levels.c.own, levels.c.department,
                                levels.c.office, levels.c.organisation)
    source = case((levels.c.roster.is_not(None), "roster"), (levels.c.own.is_not(None), "user"),
                  (levels.c.department.is_not(None), "department"), (levels.c.office.is_not(None), "office"),
                  (levels.c.organisation.is_not(None), "organisation"), else_="none")
    return (select(levels.c.idx, levels.c.roster, source.label("source"), WorkSchedule, Holiday)
            .select_from(levels)
            .outerjoin(WorkSchedule, WorkSchedule.id == schedule_id)
            .outerjoin(Holiday, Holiday.id == levels.c.holiday_id)
            .order_by(levels.c.idx))


def resolve_days(user, days) -> list[DaySchedule]:
    """``user``'s schedule for each of ``days`` (local dates, in the order given), in ONE statement.

    :param user: a :class:`~app.accounts.models.User` (or anything with ``id``).
    :param days: 1 to :data:`MAX_DATES` dates.
    :raises ValueError: no dates or more than :data:`MAX_DATES`.
    """
    days = list(days)
    if not 1 <= len(days) <= MAX_DATES:
        raise ValueError(f"resolve_days takes 1 to {MAX_DATES} dates")
    params = {"user_id": user.id, **{f"d{i}": day for i, day in enumerate(days)}}
    result = []
    for row in db.session.execute(_statement(len(days)), params):
        day = days[row.idx]
        result.append(_decide(user.id, day, row.WorkSchedule, row.source, row.roster == 0, row.Holiday))
    return result


def resolve_shared_days(department_id: int | None, office_id: int | None, days) -> list[DaySchedule]:
    """The schedule of ``days`` (local dates, in the order given) of anyone in department
    ``department_id`` and office ``office_id`` who has **no roster entry and no assignment of
    their own** on those dates, in ONE statement: the levels 3–5 of the module's rules (and its
    holidays), the answer :func:`resolve_days` gives such a person.  ``user_id`` of each day is
    None (the answer is shared; set it with ``_replace``).

    :raises ValueError: no dates or more than :data:`MAX_DATES`.
    """
    days = list(days)
    if not 1 <= len(days) <= MAX_DATES:
        raise ValueError(f"resolve_shared_days takes 1 to {MAX_DATES} dates")
    params = {"department_id": department_id, "office_id": office_id,
              **{f"d{i}": day for i, day in enumerate(days)}}
    return [_decide(None, days[row.idx], row.WorkSchedule, row.source, False, row.Holiday)
            for row in db.session.execute(_statement(len(days), personal=False), params)]


def resolve_day(user, day: date) -> DaySchedule:
    """``user``'s schedule on ``day`` (one statement).  See :func:`resolve_days`."""
    return resolve_days(user, [day])[0]


# --- many people, a date range, a constant number of statements -------------------------

def resolve_range(users, start: date, end: date) -> dict[tuple[int, date], DaySchedule]:
    """Every person's schedule for every date from ``start`` to ``end`` (inclusive).

    Five statements whatever the size (schedules, departments, assignments,
    roster entries, holidays); the rules are those of :func:`resolve_days`.

    :param users: :class:`~app.accounts.models.User` objects (``id``, ``department_id``,
        ``office_id`` are read; nothing is loaded per person).
    :returns: ``{(user_id, date): DaySchedule}``.
    :raises ValueError: ``end`` before ``start``.
    """
    plans = plan_range(users, start, end)
    dates = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return {(uid, plan.work_date): DaySchedule(uid, *plan[1:]) for uid, days in plans.items() for plan in days}


def plan_range(users, start: date, end: date) -> dict[int, list[DaySchedule]]:
    """:func:`resolve_range`'s answer as one list per person: ``{user_id: [DaySchedule of start,
    ..., of end]}``, without an object per person-day.  People with the same assignments (own,
    department chain, office) and no roster entry in the range share one list, so each day's
    ``user_id`` is None (the person is the key): read it, never change it.  The same five statements; for reports that walk every person-day (a month of a
    thousand people is 31,000).

    :raises ValueError: ``end`` before ``start``.
    """
    if end < start:
        raise ValueError("end before start")
    users = list(users)
    dates = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    schedules = {s.id: s for s in db.session.scalars(db.select(WorkSchedule))}
    organisation = next((s for s in schedules.values() if s.is_active), None)
    parents = dict(db.session.execute(db.select(Department.id, Department.parent_id)).all())

    def chain(department_id):
        """The department ``department_id`` and its ancestors, nearest first (an empty list for
        None); at most :data:`MAX_DEPARTMENT_DEPTH` + 1 ids, so a cycle in the parents ends."""
        found, depth = [], 0
        while department_id is not None and depth <= MAX_DEPARTMENT_DEPTH:
            found.append(department_id)
            department_id, depth = parents.get(department_id), depth + 1
        return found

    chains = {u.id: chain(u.department_id) for u in users}
    user_ids = [u.id for u in users]
    department_ids = sorted({d for c in chains.values() for d in c})
    office_ids = sorted({u.office_id for u in users if u.office_id is not None})

    sa = ScheduleAssignment
    # per target, the schedule id of each date of the range (the latest start wins)
    by_target: dict[tuple[str, int], list] = {}
    if users:
        targets = [sa.user_id.in_(user_ids)]
        if department_ids:
            targets.append(sa.department_id.in_(department_ids))
        if office_ids:
            targets.append(sa.office_id.in_(office_ids))
        rows = db.session.execute(
            db.select(sa.schedule_id, sa.user_id, sa.department_id, sa.office_id, sa.starts_on, sa.ends_on)
            .where(or_(*targets), sa.starts_on <= end, or_(sa.ends_on.is_(None), sa.ends_on >= start))
            .order_by(sa.starts_on.desc(), sa.id.desc())).all()
        for schedule_id, user_id, department_id, office_id, starts_on, ends_on in rows:
            key = ("user", user_id) if user_id else \
                ("department", department_id) if department_id else ("office", office_id)
            days = by_target.setdefault(key, [None] * len(dates))
            first = max(0, (starts_on - start).days)
            last = len(dates) - 1 if ends_on is None else min(len(dates) - 1, (ends_on - start).days)
            for i in range(first, last + 1):
                if days[i] is None:          # rows come newest start first: the first one wins
                    days[i] = schedule_id

    roster: dict[tuple[int, date], int] = {}
    if users:
        for user_id, work_date, schedule_id in db.session.execute(
                db.select(RosterEntry.user_id, RosterEntry.work_date, RosterEntry.schedule_id)
                .where(RosterEntry.user_id.in_(user_ids), RosterEntry.work_date.between(start, end))):
            roster[(user_id, work_date)] = schedule_id or 0

    everyone: dict[date, Holiday] = {}
    per_office: dict[tuple[int, date], Holiday] = {}
    for holiday in db.session.scalars(db.select(Holiday).where(Holiday.on_date.between(start, end),
                                                                Holiday.is_active.is_(True))):
        if holiday.office_id is None:
            everyone[holiday.on_date] = holiday
        else:
            per_office[(holiday.office_id, holiday.on_date)] = holiday

    masks = {sid: schedule.working_days_mask for sid, schedule in schedules.items()}
    organisation_id = organisation.id if organisation is not None else None
    nothing = [None] * len(dates)

    def plan(own, chain_days, office_days, office_id) -> list[tuple]:
        """Per date of the range: ``(fallback schedule id, holiday, DaySchedule)``, the shared
        day (``user_id`` None) when no roster entry decides it."""
        found = []
        for i, day in enumerate(dates):
            if own[i] is not None:
                fallback, source = own[i], "user"
            else:
                fallback = next((days[i] for days in chain_days if days[i] is not None), None)
                if fallback is not None:
                    source = "department"
                elif office_days[i] is not None:
                    fallback, source = office_days[i], "office"
                elif organisation_id is not None:
                    fallback, source = organisation_id, "organisation"
                else:
                    source = "none"
            holiday = per_office.get((office_id, day)) or everyone.get(day)
            off_reason = _off_reason(day, masks.get(fallback), False, False, holiday)
            found.append((fallback, holiday,
                          DaySchedule(None, day, schedules.get(fallback), source, off_reason is not None,
                                      off_reason, holiday, False)))
        return found

    # People with the same assignments (own, department chain, office) share one plan of the
    # range: a month of a thousand people in a few departments is computed a few times, not
    # 31,000 times; only their roster entries are decided one by one.
    rostered_people = {uid for uid, _ in roster}
    plans: dict[tuple, tuple[list[tuple], list[DaySchedule]]] = {}
    result: dict[int, list[DaySchedule]] = {}
    for user in users:
        uid, office_id = user.id, user.office_id
        own = by_target.get(("user", uid), nothing)
        chain_days = [by_target[("department", d)] for d in chains[uid] if ("department", d) in by_target]
        office_days = by_target.get(("office", office_id), nothing) if office_id is not None else nothing
        key = (id(own), tuple(map(id, chain_days)), id(office_days), office_id)
        found = plans.get(key)
        if found is None:
            steps = plan(own, chain_days, office_days, office_id)
            found = plans[key] = (steps, [rest for _, _, rest in steps])
        steps, shared = found
        if uid not in rostered_people:
            result[uid] = shared
            continue
        days = list(shared)
        for i, (day, (fallback, holiday, _rest)) in enumerate(zip(dates, steps)):
            rostered = roster.get((uid, day))
            if rostered is not None:
                schedule_id = rostered or fallback
                off_reason = _off_reason(day, masks.get(schedule_id), True, rostered == 0, holiday)
                days[i] = DaySchedule(None, day, schedules.get(schedule_id), "roster", off_reason is not None,
                                      off_reason, holiday, True)
        result[uid] = days
    return result
