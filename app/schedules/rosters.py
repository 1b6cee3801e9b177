"""Rosters: shift patterns (rotating cycles), applied to people as per-day roster entries,
changed cell by cell (a shift, a day off, a swap), and read back as a month grid.

A roster entry is the most specific rule of :mod:`.resolution`: one row per person
and date, so one lookup serves a day.  Applying a pattern to a department writes
entries for its members at that moment (someone joining later gets theirs when the
pattern is applied again).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..common.errors import Conflict, NotFound, ValidationFailed
from ..common.i18n import N_
from ..common.months import month_after
from ..common import clock
from ..extensions import db
from .models import RosterEntry, ShiftPattern, ShiftPatternApplication, ShiftPatternStep, WorkSchedule
from .resolution import DaySchedule, plan_range, resolve_days, resolve_range

#: The longest cycle of a pattern, in days.
MAX_STEPS = 62
#: The longest range one application of a pattern covers, in days.
MAX_APPLY_DAYS = 366
#: The most roster entries one application writes (people × days).
MAX_APPLY_ENTRIES = 200_000


# --- patterns ----------------------------------------------------------------------

def _clean_steps(steps) -> list[int | None]:
    """Schedule ids (or schedules, or None for a day off) → ids.  :raises ValidationFailed: (``steps``)."""
    if not isinstance(steps, (list, tuple)) or not 1 <= len(steps) <= MAX_STEPS:
        raise ValidationFailed({"steps": [N_("A pattern has 1 to 62 days.")]})
    ids = [step.id if isinstance(step, WorkSchedule) else step for step in steps]
    if any(i is not None and (isinstance(i, bool) or not isinstance(i, int)) for i in ids):
        raise ValidationFailed({"steps": [N_("Each day of a pattern is a work schedule or a day off.")]})
    known = set(db.session.scalars(db.select(WorkSchedule.id).where(WorkSchedule.id.in_({i for i in ids if i}))))
    if any(i is not None and i not in known for i in ids):
        raise ValidationFailed({"steps": [N_("Each day of a pattern is a work schedule or a day off.")]})
    if all(i is None for i in ids):
        raise ValidationFailed({"steps": [N_("A pattern needs at least one working day.")]})
    return ids


def _clean_name(name) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        raise ValidationFailed({"name": [N_("Name is required (at most 100 characters).")]})
    return name


def _check_name_free(name: str, exclude_id: int | None) -> None:
    stmt = db.select(ShiftPattern.id).where(ShiftPattern.name == name)
    if exclude_id is not None:
        stmt = stmt.where(ShiftPattern.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict(N_("Another shift pattern already has this name"), field="name")


def _pattern_state(pattern: ShiftPattern) -> dict:
    """What the audit trail keeps of a pattern: its name and its cycle as roster codes (``P, P, S, L``)."""
    codes = roster_codes()
    steps = sorted(pattern.steps, key=lambda s: s.position)
    return {"name": pattern.name,
            "pattern": ", ".join(codes.code_of(db.session.get(WorkSchedule, s.schedule_id) if s.schedule_id else None)
                                 for s in steps)}


def _audit_pattern(actor, action: str, pattern: ShiftPattern, before: dict | None, after: dict | None) -> None:
    """One ``shift_pattern.*`` audit entry by ``actor`` (None writes nothing)."""
    if actor is None:
        return
    from ..audit.services import record

    record(actor, action, subject_type="shift_pattern", subject_id=pattern.id, before=before, after=after,
           about={"name": pattern.name})


def create_pattern(name: str, steps, *, actor=None) -> ShiftPattern:
    """Create a pattern from its cycle; audited as ``shift_pattern.create`` by ``actor`` (None: not
    audited).

    :param steps: one entry per day of the cycle: a :class:`~.models.WorkSchedule`
        or its id, or None for a day off (e.g. P, P, S, S, M, M, None, None).
    :raises ValidationFailed: no name, not 1–62 days, an unknown schedule, only days off.
    :raises Conflict: the name is taken.
    """
    name = _clean_name(name)
    ids = _clean_steps(steps)
    _check_name_free(name, None)
    pattern = ShiftPattern(name=name)
    pattern.steps = [ShiftPatternStep(position=n, schedule_id=i) for n, i in enumerate(ids)]
    db.session.add(pattern)
    db.session.flush()
    _audit_pattern(actor, "shift_pattern.create", pattern, None, _pattern_state(pattern) if actor else None)
    return pattern


def update_pattern(pattern: ShiftPattern, *, name: str | None = None, steps=None, actor=None) -> ShiftPattern:
    """Rename a pattern and/or replace its cycle (entries already written stay as they are);
    audited as ``shift_pattern.update`` by ``actor`` (name or cycle before → after).

    :raises ValidationFailed, Conflict: as :func:`create_pattern`.
    """
    if name is not None:
        name = _clean_name(name)
        _check_name_free(name, pattern.id)
    ids = _clean_steps(steps) if steps is not None else None
    before = _pattern_state(pattern) if actor is not None else None
    if name is not None:
        pattern.name = name
    if ids is not None:
        pattern.steps.clear()
        db.session.flush()
        pattern.steps.extend(ShiftPatternStep(position=n, schedule_id=i) for n, i in enumerate(ids))
    db.session.flush()
    if actor is not None:
        _audit_pattern(actor, "shift_pattern.update", pattern, before, _pattern_state(pattern))
    return pattern


def delete_pattern(pattern: ShiftPattern, *, actor=None) -> str:
    """Delete a pattern; the roster entries it wrote stay (their ``pattern_id`` is cleared).
    Audited as ``shift_pattern.delete`` by ``actor`` (None: not audited)."""
    if actor is not None:
        _audit_pattern(actor, "shift_pattern.delete", pattern, _pattern_state(pattern), None)
    name = pattern.name
    db.session.delete(pattern)
    db.session.flush()
    return name


def get_pattern(pattern_id: int) -> ShiftPattern:
    """:raises NotFound: no pattern with this id."""
    pattern = db.session.get(ShiftPattern, pattern_id)
    if pattern is None:
        raise NotFound(N_("Shift pattern not found"), field="pattern")
    return pattern


def find_pattern(name: str) -> ShiftPattern:
    """:raises NotFound: no pattern with this exact name (``field="pattern"``)."""
    pattern = db.session.scalar(db.select(ShiftPattern).filter_by(name=(name or "").strip()))
    if pattern is None:
        raise NotFound(N_("Shift pattern not found"), field="pattern")
    return pattern


def list_patterns() -> list[ShiftPattern]:
    """Every pattern by name, with its steps."""
    return list(db.session.scalars(db.select(ShiftPattern).order_by(ShiftPattern.name)))


# --- applying a pattern ---------------------------------------------------------------

@dataclass(frozen=True)
class AppliedPattern:
    """What :func:`apply_pattern` wrote: ``people`` and ``entries`` (roster rows written),
    from ``starts_on`` to ``ends_on``."""

    people: int
    entries: int
    starts_on: date
    ends_on: date


def _check_range(starts_on: date, ends_on: date) -> None:
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise ValidationFailed({"starts_on": [N_("Give the first and the last date.")]})
    if ends_on < starts_on:
        raise ValidationFailed({"ends_on": [N_("The end date must not be before the start date.")]})
    if (ends_on - starts_on).days + 1 > MAX_APPLY_DAYS:
        raise ValidationFailed({"ends_on": [N_("A pattern is applied to at most 366 days at once.")]})


def apply_pattern(pattern: ShiftPattern, *, starts_on: date, ends_on: date, users=None, department=None,
                  anchor_on: date | None = None, offset: int = 0, stagger_by: int = 0,
                  actor=None) -> AppliedPattern:
    """Write ``pattern``'s cycle as roster entries for people, replacing their entries in the range.

    Each person's application is kept (:class:`~.models.ShiftPatternApplication`), so a
    cell changed later can go back to the pattern (:func:`reset_roster_day`).

    Day ``d`` of person number ``k`` (people in the order given; a department's by
    name) gets step ``((d - anchor_on).days + offset + k * stagger_by) mod len(steps)``.

    :param users: :class:`~app.accounts.models.User` objects, or ``department`` (its
        own active members now) — exactly one of the two.
    :param starts_on, ends_on: local dates, inclusive, at most :data:`MAX_APPLY_DAYS` days.
    :param anchor_on: the date of the cycle's first day (default ``starts_on``), so a
        cycle started in January continues in February when applied again from 1 February.
    :param stagger_by: shift each next person this many steps (teams covering each other).
    :raises ValidationFailed: a bad range, not exactly one of users/department, nobody
        to roster, or more than :data:`MAX_APPLY_ENTRIES` entries.
    :raises Conflict: someone changed the same days at the same moment (nothing is written).
    """
    _check_range(starts_on, ends_on)
    if (users is None) == (department is None):
        raise ValidationFailed({"target": [N_("Choose the people or one department.")]})
    if department is not None:
        from ..departments.services import members_query
        users = list(db.session.scalars(members_query(department)))
    users = list(users)
    if not users:
        raise ValidationFailed({"target": [N_("Nobody to put on the roster.")]})
    days = (ends_on - starts_on).days + 1
    if days * len(users) > MAX_APPLY_ENTRIES:
        raise ValidationFailed({"target": [N_("Too many roster days at once; apply a shorter range.")]})
    anchor_on = anchor_on or starts_on
    steps = [step.schedule_id for step in sorted(pattern.steps, key=lambda s: s.position)]
    now = clock.now()
    ids = [u.id for u in users]
    rows = []
    for k, user in enumerate(users):
        for n in range(days):
            day = starts_on + timedelta(days=n)
            step = ((day - anchor_on).days + offset + k * stagger_by) % len(steps)
            rows.append({"user_id": user.id, "work_date": day, "schedule_id": steps[step], "pattern_id": pattern.id,
                         "updated_by_id": getattr(actor, "id", None), "updated_at": now})
    applications = [{"pattern_id": pattern.id, "user_id": user.id, "starts_on": starts_on, "ends_on": ends_on,
                     "anchor_on": anchor_on, "cycle_offset": offset + k * stagger_by,
                     "created_by_id": getattr(actor, "id", None), "created_at": now}
                    for k, user in enumerate(users)]
    try:
        with db.session.begin_nested():
            db.session.execute(delete(RosterEntry).where(RosterEntry.user_id.in_(ids),
                                                         RosterEntry.work_date.between(starts_on, ends_on))
                               .execution_options(synchronize_session=False))
            db.session.execute(insert(RosterEntry), rows)
            db.session.execute(insert(ShiftPatternApplication), applications)
    except IntegrityError:
        raise Conflict(N_("The roster was changed at the same moment; try again")) from None
    db.session.expire_all()
    if actor is not None:
        from ..audit.services import record

        record(actor, "roster.change", subject_type="shift_pattern", subject_id=pattern.id,
               person=users[0].id if len(users) == 1 else None,
               after={"pattern": pattern.name, "start_date": starts_on, "end_date": ends_on, "people": len(users),
                      "department": department.code if department is not None else None, "cells": len(rows)})
    return AppliedPattern(len(users), len(rows), starts_on, ends_on)


# --- one cell -----------------------------------------------------------------------

def _entry(user, day: date) -> RosterEntry | None:
    return db.session.scalar(db.select(RosterEntry).filter_by(user_id=user.id, work_date=day))


def set_roster_day(user, day: date, schedule: WorkSchedule | None, *, actor=None) -> RosterEntry:
    """Put ``user`` on ``schedule`` on ``day`` (None: a day off), replacing what was there.

    With an ``actor`` the change is written to the audit trail (``roster.change``, the cell's
    shift name before and after; "-" a day off).
    :raises Conflict: someone set the same cell at the same moment.
    """
    entry = _entry(user, day)
    before = None if entry is None else (entry.schedule.name if entry.schedule is not None else "-")
    schedule_id = schedule.id if schedule is not None else None
    if entry is None:
        entry = RosterEntry(user_id=user.id, work_date=day, schedule_id=schedule_id,
                            updated_by_id=getattr(actor, "id", None))
        try:
            with db.session.begin_nested():
                db.session.add(entry)
                db.session.flush()
        except IntegrityError:
            raise Conflict(N_("The roster was changed at the same moment; try again")) from None
    else:
        entry.schedule_id = schedule_id
        entry.pattern_id = None
        entry.updated_by_id = getattr(actor, "id", None)
        entry.updated_at = clock.now()
    entry.schedule = schedule
    db.session.flush()
    if actor is not None:
        from ..audit.services import record

        record(actor, "roster.change", subject_type="roster_entry", subject_id=entry.id, person=user.id,
               before={"work_date": day, "shift": before},
               after={"work_date": day, "shift": schedule.name if schedule is not None else "-"}, only_changes=False)
    return entry


def clear_roster_day(user, day: date) -> bool:
    """Remove ``user``'s roster entry of ``day`` (their assignment or default applies again);
    False when there was none."""
    entry = _entry(user, day)
    if entry is None:
        return False
    db.session.delete(entry)
    db.session.flush()
    return True


def planned_step(user, day: date) -> tuple[bool, WorkSchedule | None, ShiftPattern | None]:
    """What the newest pattern applied to ``user`` over ``day`` says for that day:
    ``(True, schedule or None for a day off, pattern)``, or ``(False, None, None)`` when no
    application covers the day (one query, plus the pattern's steps when loaded)."""
    application = db.session.scalar(
        db.select(ShiftPatternApplication)
        .where(ShiftPatternApplication.user_id == user.id, ShiftPatternApplication.starts_on <= day,
               ShiftPatternApplication.ends_on >= day)
        .order_by(ShiftPatternApplication.created_at.desc(), ShiftPatternApplication.id.desc()).limit(1))
    if application is None:
        return False, None, None
    steps = sorted(application.pattern.steps, key=lambda s: s.position)
    if not steps:
        return False, None, None
    step = steps[((day - application.anchor_on).days + application.cycle_offset) % len(steps)]
    return True, step.schedule, application.pattern


def reset_roster_day(user, day: date, *, actor=None) -> RosterEntry | None:
    """Put ``user``'s cell of ``day`` back to the plan: what the newest pattern applied over
    that day says (an entry marked as the pattern's), else no entry at all (their
    assignment or the default applies).  Returns the entry, or None when there is none now."""
    planned, schedule, pattern = planned_step(user, day)
    if not planned:
        clear_roster_day(user, day)
        return None
    entry = set_roster_day(user, day, schedule, actor=actor)
    entry.pattern_id = pattern.id
    db.session.flush()
    return entry


def swap_roster_days(first_user, first_day: date, second_user, second_day: date, *,
                     actor=None) -> tuple[RosterEntry, RosterEntry]:
    """Exchange two cells: each person gets the other's shift (or day off) as it stands now,
    whether it came from the roster or from a default schedule.

    Two people on one date swap shifts; one person on two dates moves a day off.
    :raises ValidationFailed: the same cell twice.
    """
    if first_user.id == second_user.id and first_day == second_day:
        raise ValidationFailed({"second": [N_("Choose two different roster cells.")]})
    first = resolve_days(first_user, [first_day])[0]
    second = resolve_days(second_user, [second_day])[0]

    def shift(cell: DaySchedule):
        """What a cell takes over from the other: its schedule, or None for a day off."""
        return None if cell.day_off else cell.schedule

    a = set_roster_day(first_user, first_day, shift(second), actor=actor)
    b = set_roster_day(second_user, second_day, shift(first), actor=actor)
    return a, b


# --- the month grid -------------------------------------------------------------------

@dataclass(frozen=True)
class RosterRow:
    """One person's line of the grid: ``user`` and one :class:`~.resolution.DaySchedule` per day
    (:func:`~.resolution.plan_range`'s list, shared by people with the same assignments and no
    roster entry in the month: read it, never change it)."""

    user: User
    cells: list[DaySchedule]


@dataclass(frozen=True)
class RosterMonth:
    """``year``/``month``, its ``days`` and a :class:`RosterRow` per person (in the order given);
    ``edited``: the ``(user_id, date)`` cells whose roster entry was set by hand (not by a pattern)."""

    year: int
    month: int
    days: list[date]
    rows: list[RosterRow]
    edited: frozenset = frozenset()


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month.  :raises ValidationFailed: not a month of 2000–2100."""
    if not (isinstance(year, int) and isinstance(month, int) and 2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationFailed({"month": [N_("Choose a month between 2000 and 2100.")]})
    first = date(year, month, 1)
    last = month_after(first) - timedelta(days=1)
    return first, last


def roster_month(users, year: int, month: int) -> RosterMonth:
    """The month grid of ``users``: each cell the resolved day (shift, day off, holiday, and
    whether a roster entry decided it; :func:`~.resolution.plan_range`, no object per cell) and
    which entries were set by hand, in a constant number of statements.

    :raises ValidationFailed: not a month of 2000–2100.
    """
    first, last = month_bounds(year, month)
    users = list(users)
    plans = plan_range(users, first, last)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    edited = frozenset()
    if users:
        edited = frozenset(db.session.execute(
            db.select(RosterEntry.user_id, RosterEntry.work_date)
            .where(RosterEntry.user_id.in_([u.id for u in users]), RosterEntry.work_date.between(first, last),
                   RosterEntry.pattern_id.is_(None))).tuples())
    return RosterMonth(year, month, days,
                       [RosterRow(user, plans[user.id]) for user in users], edited)


# --- codes of cells (pattern cycles, CSV files) ------------------------------------------------

#: Texts that mean a day off in a pattern's cycle or a roster CSV cell (*libur*), upper-cased;
#: a schedule whose code is one of them keeps its meaning.
DAY_OFF_CODES = ("-", "L", "OFF", "LIBUR")


@dataclass(frozen=True)
class RosterCodes:
    """How cells are written: ``by_code`` (upper-case code → schedule) and ``day_off`` (the text
    written for a day off: ``L``, or ``-`` when a schedule is coded ``L``)."""

    by_code: dict
    by_name: dict
    day_off: str

    def code_of(self, schedule: WorkSchedule | None) -> str:
        """The text of a cell: the schedule's code (its name when it has none), or :attr:`day_off`."""
        if schedule is None:
            return self.day_off
        return schedule.code or schedule.name

    def read(self, text: str) -> WorkSchedule | None:
        """The schedule a cell names (by code, then exact name, any case), or None for a day off.

        :raises ValueError: blank, or neither a schedule nor a day-off code.
        """
        key = (text or "").strip().upper()
        if not key:
            raise ValueError("blank")
        if key in self.by_code:
            return self.by_code[key]
        if key in DAY_OFF_CODES:
            return None
        if key in self.by_name:
            return self.by_name[key]
        raise ValueError(f"unknown code {text!r}")


def roster_codes() -> RosterCodes:
    """The codes in use now (one query)."""
    schedules = list(db.session.scalars(db.select(WorkSchedule).order_by(WorkSchedule.id)))
    by_code = {s.code.upper(): s for s in schedules if s.code}
    by_name = {}
    for schedule in schedules:
        by_name.setdefault(schedule.name.strip().upper(), schedule)
    return RosterCodes(by_code, by_name, "-" if "L" in by_code else "L")


class UnknownCodes(ValidationFailed):
    """A cycle names codes no schedule has; ``codes`` lists them as typed (``field="steps"``)."""

    def __init__(self, codes: list[str]):
        self.codes = codes
        super().__init__({"steps": ["Unknown shift code: " + ", ".join(codes)]})


def parse_cycle(text: str) -> list[WorkSchedule | None]:
    """A pattern's cycle from ``"P, P, S, S, M, M, L, L"`` (codes or names, commas or spaces;
    :data:`DAY_OFF_CODES` for a day off).

    :raises ValidationFailed: (``steps``) empty or more than :data:`MAX_STEPS` days.
    :raises UnknownCodes: a part is no schedule's code or name nor a day-off code.
    """
    parts = [p for p in (text or "").replace(";", ",").split(",")]
    if len(parts) == 1:
        parts = (text or "").split()
    parts = [p.strip() for p in parts if p.strip()]
    if not 1 <= len(parts) <= MAX_STEPS:
        raise ValidationFailed({"steps": [N_("A pattern has 1 to 62 days.")]})
    codes = roster_codes()
    cycle, unknown = [], []
    for part in parts:
        try:
            cycle.append(codes.read(part))
        except ValueError:
            unknown.append(part)
    if unknown:
        raise UnknownCodes(unknown)
    return cycle


# --- many cells at once (the CSV import) --------------------------------------------------------

#: The value of a cell that goes back to the plan (see :func:`reset_roster_day`).
RESET = "reset"


def write_cells(cells, *, actor=None) -> int:
    """Write many roster cells at once, replacing what was there; returns how many cells.

    :param cells: ``(user_id, date, value)`` with ``value`` a :class:`~.models.WorkSchedule`
        (that shift), None (a day off) or :data:`RESET` (back to the newest pattern applied
        over that day, else no entry).  A cell named twice keeps its last value.
    :raises Conflict: someone changed the same cells at the same moment (nothing is written).

    Statements: one to load the pattern applications of the people, one delete per
    person, one insert — whatever the number of days.
    """
    final: dict[tuple[int, date], object] = {}
    for user_id, day, value in cells:
        final[(user_id, day)] = value
    if not final:
        return 0
    user_ids = sorted({user_id for user_id, _day in final})
    days_of: dict[int, list[date]] = {}
    for user_id, day in final:
        days_of.setdefault(user_id, []).append(day)
    applications: dict[int, list[ShiftPatternApplication]] = {}
    if any(value == RESET for value in final.values()):
        first, last = min(d for _u, d in final), max(d for _u, d in final)
        for application in db.session.scalars(
                db.select(ShiftPatternApplication)
                .where(ShiftPatternApplication.user_id.in_(user_ids), ShiftPatternApplication.starts_on <= last,
                       ShiftPatternApplication.ends_on >= first)
                .order_by(ShiftPatternApplication.created_at.desc(), ShiftPatternApplication.id.desc())):
            applications.setdefault(application.user_id, []).append(application)

    def plan(user_id: int, day: date):
        """``(planned, schedule id, pattern id)`` of ``user_id`` on ``day`` by the newest shift pattern applied over
        it; ``(False, None, None)`` without one."""
        for application in applications.get(user_id, ()):
            if application.starts_on <= day <= application.ends_on:
                steps = sorted(application.pattern.steps, key=lambda s: s.position)
                if steps:
                    step = steps[((day - application.anchor_on).days + application.cycle_offset) % len(steps)]
                    return True, step.schedule_id, application.pattern_id
        return False, None, None

    now = clock.now()
    rows = []
    for (user_id, day), value in sorted(final.items(), key=lambda item: (item[0][0], item[0][1])):
        if value == RESET:
            planned, schedule_id, pattern_id = plan(user_id, day)
            if not planned:
                continue
        else:
            schedule_id, pattern_id = (value.id if value is not None else None), None
        rows.append({"user_id": user_id, "work_date": day, "schedule_id": schedule_id, "pattern_id": pattern_id,
                     "updated_by_id": getattr(actor, "id", None), "updated_at": now})
    try:
        with db.session.begin_nested():
            for user_id in user_ids:
                db.session.execute(delete(RosterEntry).where(RosterEntry.user_id == user_id,
                                                             RosterEntry.work_date.in_(days_of[user_id]))
                                   .execution_options(synchronize_session=False))
            if rows:
                db.session.execute(insert(RosterEntry), rows)
    except IntegrityError:
        raise Conflict(N_("The roster was changed at the same moment; try again")) from None
    db.session.expire_all()
    if actor is not None:
        from ..audit.services import record

        record(actor, "roster.change", subject_type="roster_import", person=user_ids[0] if len(user_ids) == 1 else None,
               after={"cells": len(final), "people": len(user_ids), "start_date": min(d for _u, d in final),
                      "end_date": max(d for _u, d in final)})
    return len(final)


# --- who is on the roster ---------------------------------------------------------------------

#: Roles never put on a roster: pupils and students do not work shifts.
NOT_ROSTERED_ROLES = ("siswa", "mahasiswa")


def roster_people_query(*, office=None, department=None, search: str | None = None):
    """Select statement of the people a roster shows: active, not deleted, not pupils or
    students, of ``office`` and/or ``department`` (its sub-departments included), matching
    ``search`` (name, email, NPP, NISN/NIP/NIK); by name."""
    from ..accounts.services import users_query
    from ..departments.services import descendant_ids

    stmt = (users_query(search=search).where(User.is_active.is_(True), User.role.not_in(NOT_ROSTERED_ROLES))
            .options(joinedload(User.department)))
    if office is not None:
        stmt = stmt.where(User.office_id == office.id)
    if department is not None:
        stmt = stmt.where(User.department_id.in_({department.id} | descendant_ids(department)))
    return stmt


def swap_candidates(user, *, limit: int) -> list[User]:
    """The people ``user`` may swap a roster day with: those a roster shows
    (:func:`roster_people_query`) of ``user``'s department (its sub-departments included),
    else, for someone of no department, of ``user``'s office (everyone when they have
    neither); ``user`` among them; by name, at most ``limit``."""
    department = user.department
    office = user.office if department is None else None
    return list(db.session.scalars(roster_people_query(department=department, office=office).limit(limit)))


@dataclass(frozen=True)
class CellState:
    """One cell as the grid shows it: the resolved ``day`` and whether its entry was ``edited`` by hand."""

    day: DaySchedule
    edited: bool


def cell_state(user, day: date) -> CellState:
    """``user``'s cell of ``day`` (two statements)."""
    resolved = resolve_days(user, [day])[0]
    edited = resolved.rostered and db.session.scalar(
        db.select(RosterEntry.id).where(RosterEntry.user_id == user.id, RosterEntry.work_date == day,
                                        RosterEntry.pattern_id.is_(None))) is not None
    return CellState(resolved, edited)
