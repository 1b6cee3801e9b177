"""What the school plugs into the core, at app setup (:func:`register`, called by
:func:`app.create_app`): the core's registries are owned by the core, and no core module
imports the school.

- the attendance report (:mod:`app.attendance.reports`): students marked present by their
  teacher (:class:`~.models.StudentAttendance`) count as present, and the report can be
  narrowed to a class (its students in the academic year of the report's first day);
- the users CSV import and export (:mod:`app.accounts.csv_import`): the ``class`` column
  (*kelas*), which enrols each imported student in an existing class for the current
  academic year and exports each person's class of that year;
- the home page's cards (:mod:`app.personal.cards`): a teacher's classes with today's roll
  call (present of enrolled) and links to the roll call and the class's month; the school's
  leads' school today (students present of enrolled, teachers checked in).
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from ..accounts.csv_import import ExtraColumn, register_extra_column
from ..accounts.roles import SCHOOL_LEAD_ROLES, TEACHER_ROLES
from ..attendance.reports import PeopleGroup, PresenceSource, register_people_group, register_presence_source
from ..extensions import db
from ..personal.cards import HomeCard, register_card
from . import services as school
from .models import ClassEnrollment, SchoolClass, StudentAttendance
from .services import academic_year_of, assign_students


# --- the users import's class column -----------------------------------------------------

#: Rows per IN list or enrolment call (SQLite's and PostgreSQL's parameter limits stay far away).
CHUNK = 500


def _describe_class_column(today: date) -> str:
    first = academic_year_of(today)
    academic_year = "%d/%d" % (first, first + 1)
    return _("Students only, optional: the name of an existing class; the student is enrolled for the "
             "academic year %(year)s.", year=academic_year)


def _check_class_column(rows) -> dict[str, SchoolClass]:
    """Refuse a class given to anyone but a student (:data:`~app.accounts.roles.STUDENT_ROLES`) and a
    class name that does not exist (case-insensitive); returns the classes named in the file by
    lower-cased name."""
    from ..accounts.roles import STUDENT_ROLES

    for row in rows:
        if row.values["class"] and row.role is not None and row.role not in STUDENT_ROLES:
            row.error("class", _l("Only students are enrolled in a class; leave it blank for a teacher."))
    lowered = sorted({row.values["class"].lower() for row in rows if row.values["class"]})
    classes: dict[str, SchoolClass] = {}
    for start in range(0, len(lowered), CHUNK):
        chunk = lowered[start:start + CHUNK]
        for school_class in db.session.scalars(db.select(SchoolClass).where(db.func.lower(SchoolClass.name).in_(chunk))):
            classes[school_class.name.lower()] = school_class
    for row in rows:
        if row.values["class"] and row.values["class"].lower() not in classes:
            row.error("class", _l("No class is named “%(name)s”.", name=row.values["class"]))
    return classes


def _enrol_imported(items, classes: dict[str, SchoolClass], today: date) -> dict[int, str]:
    """Enrol each imported student in their row's class for the academic year of ``today``
    (:func:`~.services.assign_students`, only ``flush``); returns the class name per user id."""
    by_class: dict[int, list[int]] = {}
    shown: dict[int, str] = {}
    for row, user in items:
        school_class = classes[row.values["class"].lower()]
        by_class.setdefault(school_class.id, []).append(user.id)
        shown[user.id] = school_class.name
    class_by_id = {c.id: c for c in classes.values()}
    year = academic_year_of(today)
    for class_id, student_ids in by_class.items():
        for start in range(0, len(student_ids), CHUNK):
            assign_students(class_by_id[class_id], student_ids[start:start + CHUNK], year)
    return shown


def _enrolled_sentence(n: int) -> str:
    return ngettext("%(num)d student was enrolled in a class.", "%(num)d students were enrolled in a class.", n)


def current_classes(user_ids: list[int], today: date) -> dict[int, str]:
    """Class name of each of ``user_ids`` enrolled in the academic year of ``today`` (by user id)."""
    year = academic_year_of(today)
    result: dict[int, str] = {}
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start:start + CHUNK]
        stmt = (db.select(ClassEnrollment.student_id, SchoolClass.name)
                .join(SchoolClass, SchoolClass.id == ClassEnrollment.class_id)
                .where(ClassEnrollment.academic_year == year, ClassEnrollment.student_id.in_(chunk)))
        result.update({student_id: name for student_id, name in db.session.execute(stmt)})
    return result


#: The users import's and export's ``class`` column.
CLASS_COLUMN = ExtraColumn(key="class", aliases=("class", "kelas"), title=_l("Class"), example="X IPA 1",
                           describe=_describe_class_column, check=_check_class_column, write=_enrol_imported,
                           summary=_enrolled_sentence, export=current_classes)

# --- the attendance report -----------------------------------------------------------------

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


# --- the home page's cards ---------------------------------------------------------------

def _my_classes(user, today: date) -> dict | None:
    """A teacher's homeroom classes with ``(class, present, enrolled)`` today; None for other
    roles and for a principal who is nobody's homeroom teacher (the school card covers them)."""
    if user.role not in TEACHER_ROLES:
        return None
    classes = school.homeroom_classes(user)
    if not classes and user.role in SCHOOL_LEAD_ROLES:
        return None
    rows = []
    for school_class in classes:
        statuses = school.class_status(school_class, today)
        rows.append((school_class, sum(1 for s in statuses if s.attended), len(statuses)))
    return {"classes": rows}


def _school_today(user, today: date) -> dict | None:
    """The school's leads: students recorded present of those enrolled this academic year, and
    teachers checked in of every active teacher (None for other roles)."""
    if user.role not in SCHOOL_LEAD_ROLES:
        return None
    enrolled = db.session.scalar(db.select(db.func.count(ClassEnrollment.id)).where(
        ClassEnrollment.academic_year == academic_year_of(today))) or 0
    teachers = school.teachers_today(today)
    return {"present": school.present_count(today), "enrolled": enrolled,
            "teachers": len(teachers), "teachers_in": sum(1 for _t, day in teachers if day is not None)}


MY_CLASSES_CARD = HomeCard("school.my_classes", 30, "school/_cards/my_classes.html", _my_classes, kind="section")
SCHOOL_TODAY_CARD = HomeCard("school.today", 30, "school/_cards/school_today.html", _school_today)


# --- registration --------------------------------------------------------------------------

def register() -> None:
    """Register the school's parts in the core's registries (idempotent: each replaces itself by key)."""
    register_extra_column(CLASS_COLUMN)
    register_people_group(CLASS_GROUP)
    register_presence_source(STUDENT_PRESENCE)
    register_card(MY_CLASSES_CARD)
    register_card(SCHOOL_TODAY_CARD)
