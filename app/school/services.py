"""Classes, enrolments, student QR cards and student attendance (contract 002, sections 5, 8, 9).

Services take plain values and the acting user, only ``flush`` (the request
boundary commits) and raise domain errors from :mod:`app.common.errors`;
they never read the request.

Rules:

- a class name is unique; a homeroom teacher is a ``guru`` or ``kepsek``;
- a student (role ``siswa`` or ``mahasiswa``) is in one class per academic
  year (unique enrolment); assigning a student who is already in another class
  that year **moves** them (the enrolment row is updated, so the rule holds);
- at most one active QR card per student: generating a card or activating one
  deactivates the student's other active card in the same transaction;
  scanning an inactive card is refused (:class:`CardInactive`);
- a student is recorded present at most once per local date (unique
  ``student_id, date``; a concurrent second insert fails on it inside a
  savepoint and becomes :class:`AlreadyAttended`).

The academic year of a date (:func:`academic_year_of`) is the calendar year in
which the school year began: Indonesian school years start in July, so
2026-01-30 belongs to 2025 (2025/2026) and 2026-07-13 to 2026.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.roles import SCHOOL_LEAD_ROLES, STUDENT_ROLES, TEACHER_ROLES
from ..attendance.photos import Photo, store_photo
from ..common import clock
from ..common.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from .models import ABSENCE_KINDS, ClassEnrollment, SchoolClass, StudentAbsence, StudentAttendance, StudentQrCard

#: Accepted academic years.
MIN_YEAR, MAX_YEAR = 2000, 2100
#: Most student ids in one assign/remove request.
MAX_BATCH = 500
#: Month in which the school year starts.
SCHOOL_YEAR_START_MONTH = 7


class CardNotFound(NotFound):
    """No student QR card has this code."""

    code = "card_not_found"


class CardInactive(RuleViolation):
    """This student QR card is no longer active."""

    code = "card_inactive"


class StudentNotFound(NotFound):
    """No active student has this identifier."""

    code = "student_not_found"


class NotEnrolled(RuleViolation):
    """The student is not enrolled in this class for the academic year."""

    code = "not_enrolled"


class AlreadyAttended(Conflict):
    """The student is already recorded present on this date."""

    code = "already_attended"


class ScanTimeRefused(RuleViolation):
    """A delayed card scan's reported time is too far ahead of the server's clock or too old
    (:data:`SCAN_CLOCK_SKEW`, :data:`SCAN_MAX_AGE`); ``reason`` is ``future`` or ``too_old``."""

    code = "scan_time_refused"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ClientIdReused(Conflict):
    """A kiosk sent a scan id it already used for another student's card."""

    code = "client_id_reused"


def academic_year_of(day: date) -> int:
    """The academic year (its starting calendar year) that ``day`` belongs to."""
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


# --- classes -------------------------------------------------------------------

def _clean_class(values: dict, *, exclude_id: int | None = None) -> dict:
    """Check ``name`` (unique, 1..100) and ``homeroom_teacher_id`` (a guru/kepsek or None).

    :raises ValidationFailed: a refused field.
    :raises Conflict: (``field="name"``) the name is taken.
    """
    errors: dict[str, list[str]] = {}
    clean = {}
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name:
            errors["name"] = [N_("The name field is required.")]
        elif len(name) > 100:
            errors["name"] = [N_("The name may not be greater than 100 characters.")]
        else:
            clean["name"] = name
    if "homeroom_teacher_id" in values:
        teacher_id = values["homeroom_teacher_id"]
        if teacher_id is not None:
            teacher = db.session.get(User, teacher_id)
            if teacher is None or teacher.role not in TEACHER_ROLES or not teacher.is_active:
                errors["homeroom_teacher_id"] = ["The selected homeroom teacher id is invalid."]
        clean["homeroom_teacher_id"] = teacher_id
    if errors:
        raise ValidationFailed(errors)
    if "name" in clean:
        stmt = db.select(SchoolClass.id).where(db.func.lower(SchoolClass.name) == clean["name"].lower())
        if exclude_id is not None:
            stmt = stmt.where(SchoolClass.id != exclude_id)
        if db.session.scalar(stmt) is not None:
            raise Conflict("Class name already taken", field="name")
    return clean


def _flush_unique(field_name: str) -> None:
    """Flush in a savepoint; a unique violation (a concurrent twin) becomes :class:`Conflict`."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("Already taken", field=field_name) from None


# --- the audit trail (every change below by staff is recorded, see app.audit.services.record) ---

def _audit(actor, action: str, *, subject_type: str, subject_id: int | None, person=None,
           before: dict | None = None, after: dict | None = None, about: dict | None = None) -> None:
    """One audit entry by ``actor`` (a staff user or a command's name); None writes nothing."""
    if actor is None:
        return
    from ..audit.services import record

    record(actor, action, subject_type=subject_type, subject_id=subject_id, person=person, before=before,
           after=after, only_changes=before is not None and after is not None, about=about)


def _class_state(school_class: SchoolClass) -> dict:
    """What the audit trail keeps of a class: its name and homeroom teacher's name (None: none)."""
    teacher = (db.session.get(User, school_class.homeroom_teacher_id)
               if school_class.homeroom_teacher_id is not None else None)
    return {"name": school_class.name, "homeroom_teacher": teacher.name if teacher else None}


def _card_state(card: StudentQrCard) -> dict:
    """What the audit trail keeps of a card: the end of its code (the whole code is a credential
    a printout carries, not kept twice) and whether it works."""
    return {"card": "…" + card.qr_code[-4:], "is_active": bool(card.is_active)}


def create_class(*, name: str, homeroom_teacher_id: int | None = None, actor=None) -> SchoolClass:
    """Create a class; audited as ``school_class.create`` by ``actor`` (None: not audited).

    :raises ValidationFailed: empty/long name, homeroom teacher not a guru/kepsek.
    :raises Conflict: (``field="name"``) name taken.
    """
    clean = _clean_class({"name": name, "homeroom_teacher_id": homeroom_teacher_id})
    school_class = SchoolClass(**clean)
    db.session.add(school_class)
    _flush_unique("name")
    _audit(actor, "school_class.create", subject_type="school_class", subject_id=school_class.id,
           after=_class_state(school_class))
    return school_class


def update_class(school_class: SchoolClass, actor=None, **values) -> SchoolClass:
    """Change ``name`` and/or ``homeroom_teacher_id`` (only the keys given; None clears the teacher).

    Audited as ``school_class.update`` by ``actor`` (the name or homeroom teacher before → after;
    nothing when nothing changed).
    :raises ValidationFailed, Conflict: as :func:`create_class`; nothing changes then.
    """
    clean = _clean_class(values, exclude_id=school_class.id)
    before = _class_state(school_class)
    for key, value in clean.items():
        setattr(school_class, key, value)
    if clean:
        school_class.updated_at = clock.now()
    _flush_unique("name")
    _audit(actor, "school_class.update", subject_type="school_class", subject_id=school_class.id,
           before=before, after=_class_state(school_class), about={"name": school_class.name})
    return school_class


def delete_class(school_class: SchoolClass, actor=None) -> None:
    """Delete a class and its enrolments; attendance and absence marks already recorded stay (their
    class becomes None).  Audited as ``school_class.delete`` by ``actor`` (with the number of
    enrolments that went)."""
    before = {**_class_state(school_class), "enrolments": db.session.scalar(
        db.select(db.func.count(ClassEnrollment.id)).where(ClassEnrollment.class_id == school_class.id))}
    _audit(actor, "school_class.delete", subject_type="school_class", subject_id=school_class.id, before=before)
    db.session.execute(db.delete(ClassEnrollment).where(ClassEnrollment.class_id == school_class.id))
    for model in (StudentAttendance, StudentAbsence):
        db.session.execute(update(model).where(model.class_id == school_class.id)
                           .values(class_id=None).execution_options(synchronize_session=False))
    db.session.delete(school_class)
    db.session.flush()


def homeroom_classes(teacher) -> list[SchoolClass]:
    """The classes ``teacher`` (a :class:`~app.accounts.models.User`) is homeroom teacher of, by name."""
    return list(db.session.scalars(db.select(SchoolClass).where(SchoolClass.homeroom_teacher_id == teacher.id)
                                   .order_by(SchoolClass.name)))


def teachers_today(day: date) -> list[tuple[User, object]]:
    """Every active teacher (:data:`~app.accounts.roles.TEACHER_ROLES`) by name, with their
    :class:`~app.attendance.models.DailyAttendance` of local date ``day`` (None: no check-in)."""
    from ..attendance.models import DailyAttendance

    teachers = list(db.session.scalars(db.select(User).where(User.role.in_(TEACHER_ROLES), User.is_active.is_(True),
                                                             User.deleted_at.is_(None)).order_by(User.name)))
    days = {d.user_id: d for d in db.session.scalars(db.select(DailyAttendance).where(
        DailyAttendance.work_date == day, DailyAttendance.user_id.in_([t.id for t in teachers])))} if teachers else {}
    return [(t, days.get(t.id)) for t in teachers]


def may_take_roll_call(user, school_class: SchoolClass) -> bool:
    """True when ``user`` may record ``school_class``'s students (contract 002 section 5: teachers,
    the principal and the administrator record students): the school's leads
    (:data:`~app.accounts.roles.SCHOOL_LEAD_ROLES`) for every class, a teacher for the classes
    they are homeroom teacher of, nobody else."""
    if user.role in SCHOOL_LEAD_ROLES:
        return True
    return user.role in TEACHER_ROLES and school_class.homeroom_teacher_id == user.id


def class_students(school_class: SchoolClass, academic_year: int | None = None) -> list[User]:
    """Students enrolled in ``school_class`` (one year, or any year when None), ordered by name then id;
    deleted people are left out (their enrolments stay, as history)."""
    stmt = (db.select(User).join(ClassEnrollment, ClassEnrollment.student_id == User.id)
            .where(ClassEnrollment.class_id == school_class.id, User.deleted_at.is_(None))
            .distinct().order_by(User.name, User.id))
    if academic_year is not None:
        stmt = stmt.where(ClassEnrollment.academic_year == academic_year)
    return list(db.session.scalars(stmt))


def enrollments_of(students: list[User], school_class: SchoolClass) -> dict[int, list[ClassEnrollment]]:
    """Each student's enrolments in ``school_class`` (by student id), ordered by year."""
    if not students:
        return {}
    rows = db.session.scalars(db.select(ClassEnrollment).where(
        ClassEnrollment.class_id == school_class.id, ClassEnrollment.student_id.in_([s.id for s in students]))
        .order_by(ClassEnrollment.academic_year, ClassEnrollment.id))
    result: dict[int, list[ClassEnrollment]] = {}
    for row in rows:
        result.setdefault(row.student_id, []).append(row)
    return result


def _students(student_ids: list[int]) -> list[User]:
    """The users of ``student_ids`` (in order, duplicates dropped), all students.

    :raises ValidationFailed: (``student_ids.<n>``) an id that is not a student.
    """
    unique_ids = list(dict.fromkeys(student_ids))
    users = {u.id: u for u in db.session.scalars(
        db.select(User).where(User.id.in_(unique_ids), User.deleted_at.is_(None)))} if unique_ids else {}
    errors = {}
    for index, student_id in enumerate(student_ids):
        user = users.get(student_id)
        if user is None or user.role not in STUDENT_ROLES:
            errors[f"student_ids.{index}"] = [f"The selected student_ids.{index} is invalid."]
    if errors:
        raise ValidationFailed(errors)
    return [users[i] for i in unique_ids]


def _check_year(academic_year: int) -> None:
    if not MIN_YEAR <= academic_year <= MAX_YEAR:
        raise ValidationFailed({"academic_year": [f"The academic year must be between {MIN_YEAR} and {MAX_YEAR}."]})


def assign_students(school_class: SchoolClass, student_ids: list[int], academic_year: int,
                    actor=None) -> list[ClassEnrollment]:
    """Enrol students in ``school_class`` for ``academic_year``.

    A student already in another class that year is moved here (their
    enrolment row changes class); one already here keeps their row.  Audited by ``actor``
    (None: not audited), one entry a student whose place changed: ``enrolment.add``
    (class, academic year) or ``enrolment.move`` (class before → after).
    :returns: the enrolments of the given students in this class, in request order.
    :raises ValidationFailed: an id that is not a student, a year out of range.
    :raises Conflict: a concurrent request enrolled the same student first.
    """
    _check_year(academic_year)
    students = _students(student_ids)
    existing = {e.student_id: e for e in db.session.scalars(db.select(ClassEnrollment).where(
        ClassEnrollment.academic_year == academic_year,
        ClassEnrollment.student_id.in_([s.id for s in students])))} if students else {}
    rows = []
    changed: list[tuple[str, User, str | None]] = []
    for student in students:
        row = existing.get(student.id)
        if row is None:
            row = ClassEnrollment(class_id=school_class.id, student_id=student.id, academic_year=academic_year)
            db.session.add(row)
            changed.append(("enrolment.add", student, None))
        elif row.class_id != school_class.id:
            old = db.session.get(SchoolClass, row.class_id)
            row.class_id = school_class.id
            row.created_at = clock.now()
            changed.append(("enrolment.move", student, old.name if old else None))
        rows.append(row)
    _flush_unique("student_ids")
    by_student = {row.student_id: row for row in rows}
    for action, student, old_name in changed:
        before = {"class": old_name, "academic_year": academic_year} if action == "enrolment.move" else None
        _audit(actor, action, subject_type="class_enrollment", subject_id=by_student[student.id].id, person=student,
               before=before, after={"class": school_class.name, "academic_year": academic_year})
    return rows


def remove_students(school_class: SchoolClass, student_ids: list[int], academic_year: int, actor=None) -> int:
    """Remove students' enrolments in ``school_class`` for ``academic_year``.

    Ids not enrolled there are ignored.  Audited as ``enrolment.remove`` by ``actor``, one
    entry a student removed (None: not audited).
    :returns: the number of enrolments removed.
    :raises ValidationFailed: an id that is not a student, a year out of range.
    """
    _check_year(academic_year)
    students = _students(student_ids)
    if not students:
        return 0
    if actor is not None:
        enrolled = db.session.execute(db.select(ClassEnrollment.id, ClassEnrollment.student_id).where(
            ClassEnrollment.class_id == school_class.id, ClassEnrollment.academic_year == academic_year,
            ClassEnrollment.student_id.in_([s.id for s in students]))).all()
        for enrolment_id, student_id in enrolled:
            _audit(actor, "enrolment.remove", subject_type="class_enrollment", subject_id=enrolment_id,
                   person=student_id, before={"class": school_class.name, "academic_year": academic_year})
    result = db.session.execute(db.delete(ClassEnrollment).where(
        ClassEnrollment.class_id == school_class.id, ClassEnrollment.academic_year == academic_year,
        ClassEnrollment.student_id.in_([s.id for s in students])).execution_options(synchronize_session=False))
    return result.rowcount or 0


# --- QR cards --------------------------------------------------------------------

def new_card_code() -> str:
    """A random, unguessable card code: 16 upper-case hex characters (64 bits)."""
    return secrets.token_hex(8).upper()


def _deactivate_others(student_id: int, keep_id: int | None = None) -> None:
    stmt = update(StudentQrCard).where(StudentQrCard.student_id == student_id, StudentQrCard.is_active.is_(True))
    if keep_id is not None:
        stmt = stmt.where(StudentQrCard.id != keep_id)
    db.session.execute(stmt.values(is_active=False, updated_at=clock.now()).execution_options(synchronize_session="fetch"))


def _save_card():
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("Another card of this student was activated at the same time", field="student_id") from None


def generate_card(student: User, actor=None) -> StudentQrCard:
    """A new active card for ``student``; the previous active card is deactivated (same transaction).

    Audited as ``qr_card.issue`` by ``actor`` (None: not audited), naming the card it replaced.

    :raises ValidationFailed: (``student_id``) the user is not a student.
    :raises Conflict: a concurrent request activated another card first.
    """
    if student.role not in STUDENT_ROLES:
        raise ValidationFailed({"student_id": ["The selected student id is invalid."]})
    previous = db.session.scalar(db.select(StudentQrCard).where(
        StudentQrCard.student_id == student.id, StudentQrCard.is_active.is_(True))) if actor is not None else None
    replaced = _card_state(previous)["card"] if previous is not None else None
    _deactivate_others(student.id)
    now = clock.now()
    card = StudentQrCard(student_id=student.id, qr_code=new_card_code(), is_active=True,
                         generated_at=now, created_at=now, updated_at=now)
    db.session.add(card)
    _save_card()
    _audit(actor, "qr_card.issue", subject_type="student_qr_card", subject_id=card.id, person=student,
           after={**_card_state(card), "replaced": replaced})
    return card


def set_card_status(card: StudentQrCard, active: bool, actor=None) -> StudentQrCard:
    """Activate or deactivate ``card``; activating deactivates the student's other active card.

    Audited as ``qr_card.activate`` / ``qr_card.deactivate`` by ``actor`` when the card's state
    changes (None: not audited).

    :raises Conflict: a concurrent request activated another card first.
    """
    before = _card_state(card)
    if active and not card.is_active:
        _deactivate_others(card.student_id, keep_id=card.id)
    if card.is_active != active:
        card.is_active = active
        card.updated_at = clock.now()
    _save_card()
    if before["is_active"] != active:
        _audit(actor, "qr_card.activate" if active else "qr_card.deactivate", subject_type="student_qr_card",
               subject_id=card.id, person=card.student_id, before=before, after=_card_state(card))
    return card


def find_active_card(code: str) -> StudentQrCard:
    """The card whose code is ``code`` (case-insensitive, spaces trimmed).

    :raises CardNotFound: no card has it.
    :raises CardInactive: the card was deactivated (or replaced).
    """
    code = (code or "").strip().upper()
    card = db.session.scalar(db.select(StudentQrCard).where(StudentQrCard.qr_code == code)) if code else None
    if card is None:
        raise CardNotFound()
    if not card.is_active:
        raise CardInactive()
    return card


def find_student(identifier: str) -> User:
    """The active student whose ``nisn_nip_nik`` is ``identifier``.

    :raises StudentNotFound: none.
    """
    identifier = (identifier or "").strip()
    student = db.session.scalar(db.select(User).where(User.nisn_nip_nik == identifier)) if identifier else None
    if student is None or student.role not in STUDENT_ROLES or not student.is_active:
        raise StudentNotFound()
    return student


# --- student attendance ------------------------------------------------------------

def is_enrolled(student: User, school_class: SchoolClass, academic_year: int) -> bool:
    """True when ``student`` is in ``school_class`` for ``academic_year``."""
    return db.session.scalar(db.select(ClassEnrollment.id).where(
        ClassEnrollment.student_id == student.id, ClassEnrollment.class_id == school_class.id,
        ClassEnrollment.academic_year == academic_year)) is not None


def _save_student_photo(photo: Photo, row: StudentAttendance) -> str:
    """Store ``photo`` under ``student-attendance/`` and record its path on ``row``."""
    row.photo_path = store_photo(photo, "student-attendance", row.date, row.id)
    return row.photo_path


def record_student(student: User, school_class: SchoolClass, recorded_by: User | None, *, method: str, on: date,
                   latitude: float | None = None, longitude: float | None = None,
                   accuracy_m: float | None = None, photo: Photo | None = None,
                   client_id: str | None = None, client_time: datetime | None = None) -> StudentAttendance:
    """Record ``student`` present in ``school_class`` on local date ``on`` (once per student per date).

    :param recorded_by: the teacher, principal or admin; None for a kiosk reading the card.
    :param method: ``qr_card`` or ``manual``.
    :param client_id: / :param client_time: a kiosk's id for the scan and the time (UTC) it reported.
    :raises NotEnrolled: the student is not in the class for the date's academic year.
    :raises AlreadyAttended: already recorded that date (also when a concurrent request won).

    A teacher's absence mark of that date (:func:`mark_absence`) is removed: the student came
    (audited as ``roll_call.mark``, the mark before → present, when someone recorded it).
    """
    if method not in ("qr_card", "manual"):
        raise ValueError(method)
    if not is_enrolled(student, school_class, academic_year_of(on)):
        raise NotEnrolled()
    row = StudentAttendance(student_id=student.id, class_id=school_class.id, date=on, method=method,
                            recorded_by_id=recorded_by.id if recorded_by else None, occurred_at=clock.now(),
                            latitude=latitude, longitude=longitude, accuracy_m=accuracy_m,
                            client_id=client_id, client_time=client_time)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise AlreadyAttended() from None
    cleared = _clear_absence(student.id, on)
    if cleared is not None and recorded_by is not None:
        from ..audit.services import record

        record(recorded_by, "roll_call.mark", subject_type="student_absence", subject_id=cleared[0], person=student,
               before={"absence": cleared[1]}, after={"absence": "present", "date": on, "class": school_class.name},
               only_changes=False)
    if photo is not None:
        _save_student_photo(photo, row)
        db.session.flush()
    return row


class MarkedConcurrently(Conflict):
    """Someone else marked the same student for the same date at the same moment."""

    code = "marked_concurrently"


def _clear_absence(student_id: int, on: date) -> tuple[int, str] | None:
    """Remove the student's absence mark of ``on``; returns its ``(id, kind)`` (None: there was none)."""
    mark = db.session.execute(db.select(StudentAbsence.id, StudentAbsence.kind).filter_by(
        student_id=student_id, date=on)).first()
    if mark is None:
        return None
    db.session.execute(db.delete(StudentAbsence).where(StudentAbsence.id == mark.id))
    return mark.id, mark.kind


#: Longest note of an absence mark (characters).
MAX_ABSENCE_NOTE = 500


def mark_absence(student: User, school_class: SchoolClass, recorded_by: User, *, on: date, kind: str,
                 note: str | None = None) -> StudentAbsence:
    """Record why ``student`` is not in ``school_class`` on local date ``on``: ``kind`` one of
    :data:`~app.school.models.ABSENCE_KINDS` (absent = *alpa*, sick = *sakit*, permitted = *izin*),
    with an optional ``note`` (a doctor's note seen, a parent's call; ≤ :data:`MAX_ABSENCE_NOTE`
    characters).  A mark of that date is replaced.  The roll call of contract 002 section 5 records
    presence only; these marks are the teacher's record of the rest of the class.

    :param recorded_by: the teacher, principal or admin marking it (audited as ``roll_call.mark``:
        the earlier mark of that date, if any, → ``kind``, with the note as the reason).
    :raises ValidationFailed: ``kind`` unknown or ``note`` too long (fields ``kind``, ``note``).
    :raises NotEnrolled: the student is not in the class for the date's academic year.
    :raises AlreadyAttended: the student is recorded present that date (a presence is not undone here).
    :raises MarkedConcurrently: another request marked them that date at the same moment.
    """
    if kind not in ABSENCE_KINDS:
        raise ValidationFailed({"kind": [N_("Choose absent, sick or permitted.")]})
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_ABSENCE_NOTE:
        raise ValidationFailed({"note": [N_("At most 500 characters.")]})  # MAX_ABSENCE_NOTE
    if not is_enrolled(student, school_class, academic_year_of(on)):
        raise NotEnrolled()
    if db.session.scalar(db.select(StudentAttendance.id).filter_by(student_id=student.id, date=on)) is not None:
        raise AlreadyAttended()
    mark = db.session.scalar(db.select(StudentAbsence).filter_by(student_id=student.id, date=on))
    earlier = mark.kind if mark is not None else None
    if mark is None:
        mark = StudentAbsence(student_id=student.id, date=on)
        db.session.add(mark)
    mark.class_id, mark.kind, mark.note = school_class.id, kind, note
    mark.recorded_by_id, mark.recorded_at = recorded_by.id, clock.now()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise MarkedConcurrently() from None
    from ..audit.services import record

    record(recorded_by, "roll_call.mark", subject_type="student_absence", subject_id=mark.id, person=student,
           before={"absence": earlier} if earlier else None,
           after={"absence": kind, "date": on, "class": school_class.name}, reason=note, only_changes=False)
    return mark


def absences_on(student_ids: list[int], on: date) -> dict[int, StudentAbsence]:
    """The absence marks of local date ``on`` of these students, by student id."""
    if not student_ids:
        return {}
    return {m.student_id: m for m in db.session.scalars(db.select(StudentAbsence).where(
        StudentAbsence.date == on, StudentAbsence.student_id.in_(student_ids)))}


def class_of(student: User, academic_year: int) -> SchoolClass | None:
    """The class ``student`` is enrolled in for ``academic_year`` (one at most), or None."""
    return db.session.scalar(db.select(SchoolClass).join(ClassEnrollment, ClassEnrollment.class_id == SchoolClass.id)
                             .where(ClassEnrollment.student_id == student.id,
                                    ClassEnrollment.academic_year == academic_year))


@dataclass
class CardScan:
    """What reading a student card did: ``attendance`` is the row recorded now, or the one
    recorded earlier that day (``already`` True), or the row this same scan recorded when it
    was first sent (``replayed`` True: its ``client_id`` was seen before)."""

    student: User
    school_class: SchoolClass
    attendance: StudentAttendance
    already: bool
    replayed: bool = False


#: How far a kiosk's reported scan time may run ahead of the server's clock (as the offline sync,
#: :data:`app.attendance.offline.CLOCK_SKEW`).
SCAN_CLOCK_SKEW = timedelta(minutes=5)
#: Oldest delayed scan accepted (as the offline sync, :data:`app.attendance.offline.MAX_AGE`).
SCAN_MAX_AGE = timedelta(days=30)


def record_card_scan(code: str, on: date, *, client_id: str | None = None, scanned_at: datetime | None = None,
                     now: datetime | None = None) -> CardScan:
    """A kiosk read a student card: record the student present in their class of the year.

    :param code: the card's QR text; ``on``: the local date (of a live scan).
    :param client_id: the kiosk's own id for this scan (a UUID the tablet made).  A scan whose id is
        already recorded is a replay: the row recorded then comes back (``replayed`` True) and
        nothing is written, so a queue sent twice records every scan once.
    :param scanned_at: when the tablet read the card (UTC, its own clock), for a scan it kept while
        offline and sends now: the student is recorded on that time's local date, and the time is
        kept as reported (``client_time``); ``occurred_at`` stays the server's ``now``.  Bounded
        like the offline sync: at most :data:`SCAN_CLOCK_SKEW` ahead of ``now``, at most
        :data:`SCAN_MAX_AGE` old.
    :raises CardNotFound: / :raises CardInactive: as :func:`find_active_card`.
    :raises NotEnrolled: the student has no class for the scan date's academic year.
    :raises ScanTimeRefused: ``scanned_at`` out of bounds.
    :raises ClientIdReused: ``client_id`` already recorded for another student.
    """
    now = now or clock.now()
    student = find_active_card(code).student
    if client_id is not None:
        replay = _scan_of_client(client_id, student)
        if replay is not None:
            return replay
    if scanned_at is not None:
        if scanned_at > now + SCAN_CLOCK_SKEW:
            raise ScanTimeRefused("future")
        if scanned_at < now - SCAN_MAX_AGE:
            raise ScanTimeRefused("too_old")
        on = clock.to_local(scanned_at).date()
    school_class = class_of(student, academic_year_of(on))
    if school_class is None:
        raise NotEnrolled()
    try:
        row = record_student(student, school_class, None, method="qr_card", on=on,
                             client_id=client_id, client_time=scanned_at)
        return CardScan(student, school_class, row, already=False)
    except AlreadyAttended:
        if client_id is not None:  # the same scan sent twice at once: the other request recorded it
            replay = _scan_of_client(client_id, student)
            if replay is not None:
                return replay
        row = db.session.scalar(db.select(StudentAttendance).filter_by(student_id=student.id, date=on))
        return CardScan(student, school_class, row, already=True)


def _scan_of_client(client_id: str, student: User) -> CardScan | None:
    """The scan recorded under ``client_id`` (a replay), None when there is none.

    :raises ClientIdReused: it was recorded for another student."""
    row = db.session.scalar(db.select(StudentAttendance).filter_by(client_id=client_id))
    if row is None:
        return None
    if row.student_id != student.id:
        raise ClientIdReused()
    school_class = db.session.get(SchoolClass, row.class_id) if row.class_id else class_of(
        student, academic_year_of(row.date))
    return CardScan(student, school_class, row, already=False, replayed=True)


def present_count(on: date) -> int:
    """How many students were recorded present on local date ``on`` (every class)."""
    return db.session.scalar(db.select(db.func.count(StudentAttendance.id)).where(StudentAttendance.date == on))


@dataclass
class StudentStatus:
    """One enrolled student's attendance on a date; ``newly`` when this bulk run recorded it."""

    student: User
    attended: bool
    newly: bool = False


@dataclass
class BulkResult:
    """The outcome of :func:`bulk_record`."""

    class_id: int
    date: date
    total: int = 0
    already: int = 0
    newly: int = 0
    students: list[StudentStatus] = field(default_factory=list)


def class_status(school_class: SchoolClass, on: date) -> list[StudentStatus]:
    """Every student enrolled in ``school_class`` for the academic year of ``on``, with ``attended``."""
    students = class_students(school_class, academic_year_of(on))
    present = set(db.session.scalars(db.select(StudentAttendance.student_id).where(
        StudentAttendance.date == on, StudentAttendance.student_id.in_([s.id for s in students])))) \
        if students else set()
    return [StudentStatus(s, s.id in present) for s in students]


def bulk_record(school_class: SchoolClass, on: date, recorded_by: User) -> BulkResult:
    """Mark every enrolled student not yet present on ``on`` as present (method ``bulk``).

    Each student's ``attended`` in the result says whether they were present
    *before* this run; ``newly`` whether this run recorded them.  A student
    recorded concurrently counts as already attended.
    """
    result = BulkResult(class_id=school_class.id, date=on)
    for status in class_status(school_class, on):
        if not status.attended:
            row = StudentAttendance(student_id=status.student.id, class_id=school_class.id, date=on, method="bulk",
                                    recorded_by_id=recorded_by.id, occurred_at=clock.now())
            try:
                with db.session.begin_nested():
                    db.session.add(row)
                    db.session.flush()
                status.newly = True
                _clear_absence(status.student.id, on)
            except IntegrityError:
                status.attended = True
        result.students.append(status)
    result.total = len(result.students)
    result.newly = sum(1 for s in result.students if s.newly)
    result.already = result.total - result.newly
    return result
