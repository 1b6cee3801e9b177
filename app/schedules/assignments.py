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
    if not isinstance(starts_on, date) or not EARLIEST <= starts_on <= LATEST:
        errors["starts_on"] = [N_("The start date must be a date between 2000 and 2100.")]
    if ends_on is not None and (not isinstance(ends_on, date) or not EARLIEST <= ends_on <= LATEST):
        errors["ends_on"] = [N_("The end date must be a date between 2000 and 2100.")]
    elif ends_on is not None and isinstance(starts_on, date) and ends_on < starts_on:
        errors["ends_on"] = [N_("The end date must not be before the start date.")]
    if errors:
        raise ValidationFailed(errors)
    assignment = ScheduleAssignment(
        schedule_id=schedule.id, starts_on=starts_on, ends_on=ends_on,
        user_id=user.id if user is not None else None,
        department_id=department.id if department is not None else None,
        office_id=office.id if office is not None else None,
        created_by_id=actor.id if actor is not None else None)
    assignment.schedule = schedule
    db.session.add(assignment)
    db.session.flush()
    return assignment


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


def end_assignment(assignment: ScheduleAssignment, ends_on: date) -> ScheduleAssignment:
    """End an assignment on ``ends_on`` (inclusive).

    :raises ValidationFailed: before its start (``ends_on``).
    """
    if ends_on < assignment.starts_on:
        raise ValidationFailed({"ends_on": [N_("The end date must not be before the start date.")]})
    assignment.ends_on = ends_on
    db.session.flush()
    return assignment


def delete_assignment(assignment: ScheduleAssignment) -> None:
    """Remove an assignment (the next level of the resolution applies again)."""
    db.session.delete(assignment)
    db.session.flush()
