"""What the school plugs into the core, at app setup (:func:`register`, called by
:func:`app.create_app`): the core's registries are owned by the core, and no core module
imports the school.

- the attendance report (:mod:`app.attendance.reports`): students marked present by their
  teacher (:class:`~.models.StudentAttendance`) count as present, and the report can be
  narrowed to a class (its students in the academic year of the report's first day).
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ..attendance.reports import PeopleGroup, PresenceSource, register_people_group, register_presence_source
from ..extensions import db
from .models import ClassEnrollment, SchoolClass, StudentAttendance
from .services import academic_year_of


def class_choices() -> list[tuple[int, str]]:
    """Every class as ``(id, name)``, by name."""
    return [(c.id, c.name) for c in db.session.scalars(db.select(SchoolClass).order_by(SchoolClass.name))]


def class_members(class_id: int, on: date):
    """Select statement of the ids of the students enrolled in class ``class_id`` in the
    academic year of the local date ``on`` (:func:`~.services.academic_year_of`)."""
    return db.select(ClassEnrollment.student_id).where(ClassEnrollment.class_id == class_id,
                                                       ClassEnrollment.academic_year == academic_year_of(on))


def teacher_marked_presence(user_ids: list[int], start: date, end: date):
    """``(student id, local date, UTC time)`` of every student attendance of ``user_ids``
    from ``start`` to ``end`` (inclusive), in one query."""
    return db.session.execute(db.select(StudentAttendance.student_id, StudentAttendance.date,
                                        StudentAttendance.occurred_at).where(
        StudentAttendance.student_id.in_(user_ids), StudentAttendance.date.between(start, end))).tuples()


#: The report's class filter (``?class_id=``).
CLASS_GROUP = PeopleGroup(key="class", param="class_id", label=_l("Class"), everyone=_l("All classes"),
                          choices=class_choices, members=class_members)
#: Students marked present by their teacher.
STUDENT_PRESENCE = PresenceSource(key="school.student_attendance", load=teacher_marked_presence)


def register() -> None:
    """Register the school's parts in the core's registries (idempotent: each replaces itself by key)."""
    register_people_group(CLASS_GROUP)
    register_presence_source(STUDENT_PRESENCE)
