"""Read-only queries of the school's admin pages (:mod:`app.school.views`) and of its JSON API
(:mod:`app.api.school`): classes, enrolments, student cards and today's records.

Changes live in :mod:`app.school.services`; nothing here writes.  Dates are local calendar
dates (the school's time zone, :mod:`app.common.clock`); an academic year is the year it
starts in (:func:`app.school.services.academic_year_of`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..accounts.models import User
from ..accounts.roles import STUDENT_ROLES, TEACHER_ROLES
from ..common.search import contains_text
from ..extensions import db
from .models import ClassEnrollment, SchoolClass, StudentAttendance, StudentQrCard


# --- classes ---------------------------------------------------------------------------------

def find_class(class_id: int) -> SchoolClass | None:
    """The class ``class_id``, or None (each caller answers an unknown id in its own words)."""
    return db.session.get(SchoolClass, class_id)


def _by_name(ignore_case: bool):
    return (db.func.lower(SchoolClass.name) if ignore_case else SchoolClass.name), SchoolClass.id


def classes_query(search: str = "", *, ignore_case: bool = True):
    """Select statement of the classes whose name contains ``search`` (every class when empty),
    ordered by name then id: with ``ignore_case`` by the lower-cased name (the admin pages),
    else by the name as stored (the API, contract 002 section 8)."""
    stmt = db.select(SchoolClass).order_by(*_by_name(ignore_case))
    if search:
        stmt = stmt.where(contains_text(search, SchoolClass.name))
    return stmt


def list_classes(*, ignore_case: bool = False) -> list[SchoolClass]:
    """Every class, by name then id (see :func:`classes_query` for ``ignore_case``)."""
    return list(db.session.scalars(classes_query(ignore_case=ignore_case)))


def other_classes(school_class: SchoolClass) -> list[SchoolClass]:
    """Every class but ``school_class`` (where a student of it may move), by lower-cased name then id."""
    return list(db.session.scalars(db.select(SchoolClass).where(SchoolClass.id != school_class.id)
                                   .order_by(*_by_name(True))))


def class_counts(class_ids: list[int], year: int, day: date) -> tuple[dict[int, int], dict[int, int]]:
    """``(enrolled, present)`` per class id: students enrolled in academic ``year``, and of them
    those with a record (:class:`~app.school.models.StudentAttendance`) on local date ``day``.
    A class with none is absent from the dict.  Two statements (none without ids)."""
    if not class_ids:
        return {}, {}
    enrolled = dict(db.session.execute(
        db.select(ClassEnrollment.class_id, db.func.count(ClassEnrollment.id))
        .where(ClassEnrollment.class_id.in_(class_ids), ClassEnrollment.academic_year == year)
        .group_by(ClassEnrollment.class_id)).all())
    present = dict(db.session.execute(
        db.select(ClassEnrollment.class_id, db.func.count(StudentAttendance.id))
        .join(StudentAttendance, StudentAttendance.student_id == ClassEnrollment.student_id)
        .where(ClassEnrollment.class_id.in_(class_ids), ClassEnrollment.academic_year == year,
               StudentAttendance.date == day)
        .group_by(ClassEnrollment.class_id)).all())
    return enrolled, present


@dataclass
class ClassUsage:
    """What deleting a class takes with it: ``enrolments`` (every year), ``current`` (those of the
    current academic year) and ``attendance`` (records of the class, which stay)."""

    enrolments: int
    current: int
    attendance: int


def class_usage(school_class: SchoolClass, current_year: int) -> ClassUsage:
    """:class:`ClassUsage` of ``school_class``, ``current_year`` being the current academic year; three statements."""
    enrolments = db.session.scalar(db.select(db.func.count(ClassEnrollment.id))
                                   .where(ClassEnrollment.class_id == school_class.id))
    current = db.session.scalar(db.select(db.func.count(ClassEnrollment.id)).where(
        ClassEnrollment.class_id == school_class.id, ClassEnrollment.academic_year == current_year))
    attendance = db.session.scalar(db.select(db.func.count(StudentAttendance.id))
                                   .where(StudentAttendance.class_id == school_class.id))
    return ClassUsage(enrolments, current, attendance)


def enrolment_years(*also: int) -> list[int]:
    """Academic years to choose from: every year with an enrolment and each of ``also``, newest first."""
    years = set(db.session.scalars(db.select(ClassEnrollment.academic_year).distinct()))
    years.update(also)
    return sorted(years, reverse=True)


# --- people ----------------------------------------------------------------------------------

def homeroom_teacher_choices() -> list[User]:
    """Active users who may be a homeroom teacher (:data:`~app.accounts.roles.TEACHER_ROLES`:
    guru, kepsek), by lower-cased name then id."""
    return list(db.session.scalars(db.select(User).where(
        User.role.in_(TEACHER_ROLES), User.is_active.is_(True)).order_by(db.func.lower(User.name), User.id)))


def recap_teachers() -> list[User]:
    """The school's teachers of the month recap: active, not deleted, a role of
    :data:`~app.accounts.roles.TEACHER_ROLES`, by name then id."""
    return list(db.session.scalars(db.select(User).where(User.role.in_(sorted(TEACHER_ROLES)),
                                                         User.is_active.is_(True), User.deleted_at.is_(None))
                                   .order_by(User.name, User.id)))


@dataclass
class Candidate:
    """A student offered by the enrol picker, with their class in the chosen year (None: not enrolled)."""

    student: User
    current_class: SchoolClass | None


def enrol_candidates(search: str, year: int, limit: int) -> list[Candidate]:
    """Up to ``limit`` active students whose name or NISN contains ``search`` (none when empty),
    by lower-cased name then id, each with their class in academic ``year``; two statements."""
    if not search:
        return []
    students = list(db.session.scalars(
        db.select(User).where(User.role.in_(STUDENT_ROLES), User.is_active.is_(True),
                              contains_text(search, User.name, User.nisn_nip_nik))
        .order_by(db.func.lower(User.name), User.id).limit(limit)))
    classes = {}
    if students:
        classes = dict(db.session.execute(
            db.select(ClassEnrollment.student_id, SchoolClass)
            .join(SchoolClass, SchoolClass.id == ClassEnrollment.class_id)
            .where(ClassEnrollment.academic_year == year,
                   ClassEnrollment.student_id.in_([s.id for s in students]))).tuples().all())
    return [Candidate(s, classes.get(s.id)) for s in students]


def students_query(school_class: SchoolClass | None, year: int, search: str):
    """Select statement of the students (any state, deleted too) — of ``school_class`` in academic
    ``year`` when a class is given — whose name or NISN contains ``search`` (all when empty), by
    lower-cased name then id."""
    stmt = db.select(User).where(User.role.in_(STUDENT_ROLES))
    if school_class is not None:
        stmt = stmt.join(ClassEnrollment, ClassEnrollment.student_id == User.id).where(
            ClassEnrollment.class_id == school_class.id, ClassEnrollment.academic_year == year)
    if search:
        stmt = stmt.where(contains_text(search, User.name, User.nisn_nip_nik))
    return stmt.order_by(db.func.lower(User.name), User.id)


def attendance_on(student_ids: list[int], day: date) -> dict[int, StudentAttendance]:
    """The records of local date ``day`` of these students, by student id (one statement, none without ids)."""
    if not student_ids:
        return {}
    return {row.student_id: row for row in db.session.scalars(db.select(StudentAttendance).where(
        StudentAttendance.date == day, StudentAttendance.student_id.in_(student_ids)))}


# --- student cards ---------------------------------------------------------------------------

def find_card(card_id: int) -> StudentQrCard | None:
    """The card ``card_id``, or None."""
    return db.session.get(StudentQrCard, card_id)


def cards_query(*, student_id: int | None = None, is_active: bool | None = None):
    """Select statement of the cards by id, of one student and/or one state when given (contract 002 section 9)."""
    stmt = db.select(StudentQrCard).order_by(StudentQrCard.id)
    if student_id is not None:
        stmt = stmt.where(StudentQrCard.student_id == student_id)
    if is_active is not None:
        stmt = stmt.where(StudentQrCard.is_active.is_(is_active))
    return stmt


def has_active_card(student: User) -> bool:
    """True when ``student`` holds an active card (one a new card would deactivate)."""
    return db.session.scalar(db.select(StudentQrCard.id).where(
        StudentQrCard.student_id == student.id, StudentQrCard.is_active.is_(True))) is not None


def card_states(student_ids: list[int]) -> dict[int, str]:
    """Each student's card state: ``active``, ``inactive`` (cards, none active) or absent from the
    dict (no card); one statement, none without ids."""
    if not student_ids:
        return {}
    states: dict[int, str] = {}
    for student_id, active in db.session.execute(db.select(StudentQrCard.student_id, StudentQrCard.is_active)
                                                 .where(StudentQrCard.student_id.in_(student_ids))):
        if active or states.get(student_id) != "active":
            states[student_id] = "active" if active else "inactive"
    return states


@dataclass
class CardRow:
    """One student of the card list: their class that year, active card, and latest card (any status)."""

    student: User
    school_class: SchoolClass | None
    card: StudentQrCard | None
    last_card: StudentQrCard | None


def card_rows(students: list[User], year: int) -> list[CardRow]:
    """:class:`CardRow` of each of ``students`` (same order) for academic ``year``: the enrolments,
    the cards newest first, and one load per class not yet in the session; none without students."""
    ids = [s.id for s in students]
    if not ids:
        return []
    classes = {e.student_id: e.school_class for e in db.session.scalars(
        db.select(ClassEnrollment).join(SchoolClass)
        .where(ClassEnrollment.student_id.in_(ids), ClassEnrollment.academic_year == year))}
    active: dict[int, StudentQrCard] = {}
    latest: dict[int, StudentQrCard] = {}
    for card in db.session.scalars(db.select(StudentQrCard).where(StudentQrCard.student_id.in_(ids))
                                   .order_by(StudentQrCard.generated_at.desc(), StudentQrCard.id.desc())):
        latest.setdefault(card.student_id, card)
        if card.is_active:
            active.setdefault(card.student_id, card)
    return [CardRow(s, classes.get(s.id), active.get(s.id), latest.get(s.id)) for s in students]
