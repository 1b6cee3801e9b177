"""Schedule assignments: a work schedule for a person, a department or an office, from a date.

Resolution (:mod:`.resolution`) takes a person's own assignment before their
department's, their department's before their office's, and any of them before the
organisation's active schedule.  Within one target the assignment that started
last wins on a date, so a temporary assignment (with an end date) inside an
open-ended one applies for its dates only.
"""
from __future__ import annotations

from datetime import date

from ..common.errors import NotFound, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from .models import ScheduleAssignment, WorkSchedule

#: The earliest and latest dates an assignment may name (guards against typos like 0202).
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
#: How many people the person field of the assignment and pattern forms offers (a datalist).
PEOPLE_OFFERED = 1000


def assign_schedule(schedule: WorkSchedule, *, starts_on: date, ends_on: date | None = None, user=None,
                    department=None, office=None, actor=None) -> ScheduleAssignment:
    """Assign ``schedule`` to exactly one of ``user``, ``department`` or ``office``.

    :param starts_on, ends_on: local dates, inclusive (``ends_on`` None: open-ended).
    :param actor: the admin doing it (kept as ``created_by``).
    :raises ValidationFailed: not exactly one target (``target``), a date outside
        2000–2100, or ``ends_on`` before ``starts_on`` (``ends_on``).
    """
    errors: dict[str, list[str]] = {}
    if sum(target is not None for target in (user, department, office)) != 1:
        errors["target"] = [N_("Choose one person, one department or one office.")]
    errors.update(_check_dates(starts_on, ends_on))
    if errors:
        raise ValidationFailed(errors)
    assignment = ScheduleAssignment(
        schedule_id=schedule.id, starts_on=starts_on, ends_on=ends_on,
        user_id=user.id if user is not None else None,
        department_id=department.id if department is not None else None,
        office_id=office.id if office is not None else None,
        created_by_id=getattr(actor, "id", None))
    assignment.schedule = schedule
    db.session.add(assignment)
    db.session.flush()
    _audit(actor, assignment, None, _values(assignment))
    return assignment


def _values(assignment: ScheduleAssignment) -> dict:
    target = (assignment.user.name if assignment.user_id and assignment.user else None) or \
        (assignment.department.code if assignment.department_id and assignment.department else None) or \
        (assignment.office.code if assignment.office_id and assignment.office else None)
    return {"schedule": assignment.schedule.name if assignment.schedule else None, "target": target,
            "start_date": assignment.starts_on, "end_date": assignment.ends_on}


def _audit(actor, assignment: ScheduleAssignment, before: dict | None, after: dict | None) -> None:
    """Write an assignment change to the audit trail when an ``actor`` made it."""
    if actor is None:
        return
    from ..audit.services import record

    record(actor, "schedule_assignment.change", subject_type="schedule_assignment", subject_id=assignment.id,
           person=assignment.user_id, before=before, after=after)


def get_assignment(assignment_id: int) -> ScheduleAssignment:
    """:raises NotFound: no assignment with this id."""
    assignment = db.session.get(ScheduleAssignment, assignment_id)
    if assignment is None:
        raise NotFound(N_("Schedule assignment not found"))
    return assignment


def assignments_query(*, user=None, department=None, office=None, schedule=None, on: date | None = None):
    """Select statement of assignments, newest start first, optionally of one target,
    one schedule, or covering the date ``on``."""
    sa = ScheduleAssignment
    stmt = db.select(sa)
    if user is not None:
        stmt = stmt.where(sa.user_id == user.id)
    if department is not None:
        stmt = stmt.where(sa.department_id == department.id)
    if office is not None:
        stmt = stmt.where(sa.office_id == office.id)
    if schedule is not None:
        stmt = stmt.where(sa.schedule_id == schedule.id)
    if on is not None:
        stmt = stmt.where(sa.starts_on <= on, db.or_(sa.ends_on.is_(None), sa.ends_on >= on))
    return stmt.order_by(sa.starts_on.desc(), sa.id.desc())


def assignment_counts() -> dict[int, int]:
    """``{schedule id: number of assignments}`` over every target and date (one grouped
    statement; a schedule without assignments is absent)."""
    return dict(db.session.execute(db.select(ScheduleAssignment.schedule_id, db.func.count(ScheduleAssignment.id))
                                   .group_by(ScheduleAssignment.schedule_id)).all())


def people_offered(limit: int = PEOPLE_OFFERED) -> list:
    """The people the person fields of the assignment and shift pattern forms offer (a
    datalist): active and not deleted, by name, with their department loaded; at most ``limit``."""
    from sqlalchemy.orm import joinedload

    from ..accounts.models import User
    from ..accounts.services import NOT_DELETED

    return list(db.session.scalars(db.select(User).where(User.is_active.is_(True), NOT_DELETED)
                                   .options(joinedload(User.department))
                                   .order_by(User.name).limit(limit)))


def _check_dates(starts_on, ends_on) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(starts_on, date) or not EARLIEST <= starts_on <= LATEST:
        errors["starts_on"] = [N_("The start date must be a date between 2000 and 2100.")]
    if ends_on is not None and (not isinstance(ends_on, date) or not EARLIEST <= ends_on <= LATEST):
        errors["ends_on"] = [N_("The end date must be a date between 2000 and 2100.")]
    elif ends_on is not None and isinstance(starts_on, date) and ends_on < starts_on:
        errors["ends_on"] = [N_("The end date must not be before the start date.")]
    return errors


def update_assignment_dates(assignment: ScheduleAssignment, *, starts_on: date,
                            ends_on: date | None, actor=None) -> ScheduleAssignment:
    """Move an assignment's first and last day (local dates, inclusive; ``ends_on`` None: open-ended).

    :raises ValidationFailed: a date outside 2000–2100 or ``ends_on`` before ``starts_on``;
        nothing changes.
    """
    errors = _check_dates(starts_on, ends_on)
    if errors:
        raise ValidationFailed(errors)
    before = _values(assignment)
    assignment.starts_on = starts_on
    assignment.ends_on = ends_on
    db.session.flush()
    _audit(actor, assignment, before, _values(assignment))
    return assignment


def end_assignment(assignment: ScheduleAssignment, ends_on: date) -> ScheduleAssignment:
    """End an assignment on ``ends_on`` (inclusive).

    :raises ValidationFailed: before its start (``ends_on``).
    """
    if ends_on < assignment.starts_on:
        raise ValidationFailed({"ends_on": [N_("The end date must not be before the start date.")]})
    assignment.ends_on = ends_on
    db.session.flush()
    return assignment


def delete_assignment(assignment: ScheduleAssignment, *, actor=None) -> None:
    """Remove an assignment (the next level of the resolution applies again); audited with an ``actor``."""
    _audit(actor, assignment, _values(assignment), None)
    db.session.delete(assignment)
    db.session.flush()


def assignments_on(on: date, kind: str) -> dict[int, ScheduleAssignment]:
    """The assignment in force on ``on`` for every target of ``kind`` (``user``,
    ``department`` or ``office``) that has one: ``{target id: assignment}``, one query.

    The same rule as :mod:`.resolution`: among several covering the date, the one that
    started last (then the newest) wins.  Inheritance (a parent department's, the
    office's) is not applied here: this is the target's own assignment.
    """
    column = {"user": ScheduleAssignment.user_id, "department": ScheduleAssignment.department_id,
              "office": ScheduleAssignment.office_id}[kind]
    stmt = assignments_query(on=on).where(column.is_not(None))
    found: dict[int, ScheduleAssignment] = {}
    for assignment in db.session.scalars(stmt):
        found.setdefault(getattr(assignment, column.key), assignment)
    return found
