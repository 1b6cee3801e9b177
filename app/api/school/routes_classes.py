"""Contract 002 section 8: classes (*kelas*), their homeroom teacher and enrolments.

Only teachers (``guru``), the principal (``kepsek``) and administrators may
read or change classes; others get 403.  A class name is unique (422); a
homeroom teacher is a ``guru`` or ``kepsek`` (422 otherwise).  A student is in
one class per academic year: assigning a student who is already in another
class that year moves them (see :func:`app.school.services.assign_students`).
"""
from __future__ import annotations

from flask import g, request

from ...accounts.roles import SCHOOL_STAFF_ROLES
from ...common import clock
from ...common.errors import Conflict, NotFound, ValidationFailed
from ...extensions import db
from ...school import queries, services as school
from ...school.models import ClassEnrollment, SchoolClass
from . import envelope
from .auth import token_required
from .blueprint import bp
from .serializers import user as user_json
from .validation import Checker, body, parse_int, unique_failed


def class_json(school_class: SchoolClass, *, teacher: bool = True) -> dict:
    """The contract's class object (``homeroom_teacher`` user object unless ``teacher=False``)."""
    data = {
        "id": school_class.id,
        "name": school_class.name,
        "homeroom_teacher_id": school_class.homeroom_teacher_id,
        "created_at": clock.iso_utc(school_class.created_at),
        "updated_at": clock.iso_utc(school_class.updated_at),
    }
    if teacher:
        data["homeroom_teacher"] = user_json(school_class.homeroom_teacher) if school_class.homeroom_teacher else None
    return data


def enrollment_json(row: ClassEnrollment) -> dict:
    """One ``student_classes`` entry."""
    return {"id": row.id, "student_id": row.student_id, "class_id": row.class_id,
            "academic_year": row.academic_year, "created_at": clock.iso_utc(row.created_at)}


def load_class(class_id: int) -> SchoolClass:
    """The class or :class:`NotFound` (404 "Kelas tidak ditemukan")."""
    school_class = queries.find_class(class_id)
    if school_class is None:
        raise NotFound("Kelas tidak ditemukan")
    return school_class


def _check_class(data: dict, *, creating: bool) -> dict:
    check = Checker(data)
    check.string("name", required=creating, nullable=False, max_length=100)
    if "homeroom_teacher_id" in data and data["homeroom_teacher_id"] is not None:
        check.integer("homeroom_teacher_id")
    elif "homeroom_teacher_id" in data:
        check.clean["homeroom_teacher_id"] = None
    return check.done()


def _students_body() -> tuple[list[int], int]:
    """``student_ids`` (1..500 integers) and ``academic_year`` (2000..2100), every error at once."""
    data = body()
    errors: dict[str, list[str]] = {}
    raw_ids = data.get("student_ids")
    ids: list[int] = []
    if raw_ids is None:
        errors["student_ids"] = ["The student ids field is required."]
    elif not isinstance(raw_ids, list) or not raw_ids:
        errors["student_ids"] = ["The student ids must be a non-empty array."]
    elif len(raw_ids) > school.MAX_BATCH:
        errors["student_ids"] = [f"The student ids may not have more than {school.MAX_BATCH} items."]
    else:
        for index, raw in enumerate(raw_ids):
            number = parse_int(raw)
            if number is None or number < 1:
                errors[f"student_ids.{index}"] = [f"The student_ids.{index} must be an integer."]
            else:
                ids.append(number)
    year = parse_int(data.get("academic_year")) if data.get("academic_year") is not None else None
    if data.get("academic_year") is None:
        errors["academic_year"] = ["The academic year field is required."]
    elif year is None:
        errors["academic_year"] = ["The academic year must be an integer."]
    elif not school.MIN_YEAR <= year <= school.MAX_YEAR:
        errors["academic_year"] = [f"The academic year must be between {school.MIN_YEAR} and {school.MAX_YEAR}."]
    if errors:
        raise ValidationFailed(errors)
    return ids, year


@bp.get("/classes")
@token_required(*SCHOOL_STAFF_ROLES)
def list_classes():
    """Every class, ordered by name, with its homeroom teacher."""
    return envelope.ok(data=[class_json(c) for c in queries.list_classes()])


@bp.get("/classes/<int:class_id>")
@token_required(*SCHOOL_STAFF_ROLES)
def show_class(class_id: int):
    """One class; unknown id → 404."""
    return envelope.ok(data=class_json(load_class(class_id)))


@bp.post("/classes")
@token_required(*SCHOOL_STAFF_ROLES)
def create_class():
    """Create a class (201): ``name`` required, ``homeroom_teacher_id`` optional."""
    values = _check_class(body(), creating=True)
    try:
        school_class = school.create_class(**values, actor=g.user)
    except Conflict as exc:
        raise unique_failed(exc) from None
    return envelope.ok("Kelas berhasil dibuat", class_json(school_class), status=201)


@bp.put("/classes/<int:class_id>")
@token_required(*SCHOOL_STAFF_ROLES)
def update_class(class_id: int):
    """Change ``name`` and/or ``homeroom_teacher_id`` (null clears it)."""
    school_class = load_class(class_id)
    values = _check_class(body(), creating=False)
    try:
        school.update_class(school_class, g.user, **values)
    except Conflict as exc:
        raise unique_failed(exc) from None
    db.session.refresh(school_class, ["homeroom_teacher"])
    return envelope.ok("Kelas berhasil diperbarui", class_json(school_class))


@bp.delete("/classes/<int:class_id>")
@token_required(*SCHOOL_STAFF_ROLES)
def delete_class(class_id: int):
    """Delete a class and its enrolments (recorded attendance stays)."""
    school.delete_class(load_class(class_id), actor=g.user)
    return envelope.ok("Kelas berhasil dihapus")


@bp.get("/classes/<int:class_id>/students")
@token_required(*SCHOOL_STAFF_ROLES)
def class_students(class_id: int):
    """The class's students with their enrolments in it; ``?academic_year=`` limits to one year."""
    school_class = load_class(class_id)
    year = None
    raw = request.args.get("academic_year")
    if raw not in (None, ""):
        year = parse_int(raw)
        if year is None or not school.MIN_YEAR <= year <= school.MAX_YEAR:
            raise ValidationFailed({"academic_year": [
                f"The academic year must be an integer between {school.MIN_YEAR} and {school.MAX_YEAR}."]})
    students = school.class_students(school_class, year)
    enrolments = school.enrollments_of(students, school_class)
    data = []
    for student in students:
        item = user_json(student)
        item["student_classes"] = [enrollment_json(e) for e in enrolments.get(student.id, [])
                                   if year is None or e.academic_year == year]
        data.append(item)
    return envelope.ok(data={"class": class_json(school_class, teacher=False), "students": data})


@bp.post("/classes/<int:class_id>/assign-students")
@token_required(*SCHOOL_STAFF_ROLES)
def assign_students(class_id: int):
    """Enrol students for ``academic_year``; a student in another class that year is moved here."""
    school_class = load_class(class_id)
    ids, year = _students_body()
    try:
        rows = school.assign_students(school_class, ids, year, actor=g.user)
    except Conflict:
        return envelope.fail("Siswa sedang ditetapkan oleh permintaan lain, silakan coba lagi", 409)
    return envelope.ok(f"{len(rows)} siswa berhasil ditetapkan ke kelas", {
        "class": class_json(school_class),
        "assigned_students": [enrollment_json(r) for r in rows],
    })


@bp.post("/classes/<int:class_id>/remove-students")
@token_required(*SCHOOL_STAFF_ROLES)
def remove_students(class_id: int):
    """Remove students' enrolments in this class for ``academic_year`` (others are ignored)."""
    school_class = load_class(class_id)
    ids, year = _students_body()
    count = school.remove_students(school_class, ids, year, actor=g.user)
    return envelope.ok(f"{count} siswa berhasil dihapus dari kelas", {
        "class": class_json(school_class, teacher=False),
        "removed_count": count,
    })
