"""Contract 002 section 5: student attendance, recorded by teachers, the principal or admins.

``scan-qr`` records one student by their QR card's code (method ``qr_card``)
or by their ``nisn_nip_nik`` (``manual``) for a class; ``bulk`` marks every
student enrolled in a class who is not yet present; ``class-status`` lists the
class's students with ``attended``.  A student is present at most once per
local date (the organisation's time zone): a second record answers 409 and
records nothing.  Only students enrolled in the class for the date's academic
year (:func:`app.school.services.academic_year_of`) can be recorded.

The position (``latitude``/``longitude``, required, ``accuracy`` optional) is
the recording device's; it is validated and kept on the record, not compared
with the geofence (the teacher records students wherever the class meets).
A ``photo`` (base64, optional) is stored as a file under
``student-attendance/<yyyy>/<mm>/`` of the upload folder.
"""
from __future__ import annotations

import re
from datetime import date

from flask import g, request

from ...accounts.roles import SCHOOL_STAFF_ROLES, STUDENT_ROLES
from ...attendance import photos
from ...common import clock
from ...common.errors import DomainError, ValidationFailed
from ...places.services import parse_accuracy, parse_coordinate
from ...school import services as school
from . import envelope
from .auth import token_required
from .blueprint import bp
from .routes_classes import load_class
from .validation import Checker


#: Domain error class → (Indonesian message, HTTP status).
_ERRORS = {
    school.CardNotFound: ("QR code siswa tidak ditemukan", 404),
    school.CardInactive: ("QR card siswa tidak aktif", 400),
    school.StudentNotFound: ("Siswa tidak ditemukan", 404),
    school.NotEnrolled: ("Siswa tidak terdaftar di kelas ini", 400),
    school.AlreadyAttended: ("Siswa sudah diabsen hari ini", 409),
}


def _body() -> dict:
    """The JSON (or form) body, allowed up to :data:`photos.MAX_REQUEST_BYTES` (it may carry a photo)."""
    request.max_content_length = photos.MAX_REQUEST_BYTES
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    return data if isinstance(data, dict) else {}


def _date(raw, errors: dict) -> date:
    """``raw`` (YYYY-MM-DD, not after today) or today when empty."""
    today = clock.local_today()
    if raw is None or raw == "":
        return today
    try:
        if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        errors["date"] = ["The date does not match the format Y-m-d."]
        return today
    if day > today:
        errors["date"] = ["The date must be a date before or equal to today."]
    return day


def _refusal(exc: DomainError):
    for cls, (message, status) in _ERRORS.items():
        if isinstance(exc, cls):
            return envelope.fail(message, status)
    return envelope.from_domain_error(exc)


def _brief(student) -> dict:
    return {"id": student.id, "nisn_nip_nik": student.nisn_nip_nik, "name": student.name}


def _status_json(status: school.StudentStatus) -> dict:
    return {**_brief(status.student), "attended": status.attended}


@bp.post("/student-attendance/scan-qr")
@token_required(*SCHOOL_STAFF_ROLES)
def scan_student_qr():
    """Record one student present today by ``qr_code`` or ``nisn_nip_nik`` for ``class_id``."""
    data = _body()
    check = Checker(data)
    check.string("qr_code", max_length=64, allow_int=True)
    check.string("nisn_nip_nik", max_length=32, allow_int=True)
    check.integer("class_id", required=True)
    errors = dict(check.errors)
    clean = check.clean
    if not clean.get("qr_code") and not clean.get("nisn_nip_nik") and "qr_code" not in errors \
            and "nisn_nip_nik" not in errors:
        errors["qr_code"] = ["The qr code field is required when nisn nip nik is not present."]
        errors["nisn_nip_nik"] = ["The nisn nip nik field is required when qr code is not present."]
    position = {}
    for name, limit in (("latitude", 90), ("longitude", 180)):
        try:
            position[name] = parse_coordinate(data.get(name), field=name, limit=limit)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    try:
        accuracy = parse_accuracy(data.get("accuracy"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
        accuracy = None
    photo = None
    raw_photo = data.get("photo")
    if raw_photo is not None and not (isinstance(raw_photo, str) and not raw_photo.strip()):
        try:
            photo = photos.decode_photo(raw_photo)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    school_class = load_class(clean["class_id"])
    try:
        if clean.get("qr_code"):
            student, method = school.find_active_card(clean["qr_code"]).student, "qr_card"
            if student.role not in STUDENT_ROLES or not student.is_active:
                raise school.StudentNotFound()
        else:
            student, method = school.find_student(clean["nisn_nip_nik"]), "manual"
        school.record_student(student, school_class, g.user, method=method, on=clock.local_today(),
                              latitude=position["latitude"], longitude=position["longitude"],
                              accuracy_m=accuracy, photo=photo)
    except DomainError as exc:
        return _refusal(exc)
    return envelope.ok("Absensi berhasil", student=_brief(student))


@bp.post("/student-attendance/bulk")
@token_required(*SCHOOL_STAFF_ROLES)
def bulk_student_attendance():
    """Mark every student of ``class_id`` present on ``date`` (default today, never in the future).

    ``processed_students[].attended``: present before this request;
    ``newly_attended``: recorded by it.
    """
    data = _body()
    check = Checker(data)
    check.integer("class_id", required=True)
    errors = dict(check.errors)
    day = _date(data.get("date"), errors)
    if errors:
        raise ValidationFailed(errors)
    school_class = load_class(check.clean["class_id"])
    result = school.bulk_record(school_class, day, g.user)
    return envelope.ok("Absensi massal berhasil diproses", {
        "class_id": result.class_id,
        "date": result.date.isoformat(),
        "total_students": result.total,
        "already_attended": result.already,
        "newly_attended": result.newly,
        "processed_students": [{**_status_json(s), "newly_attended": s.newly} for s in result.students],
    })


@bp.get("/student-attendance/class-status/<int:class_id>")
@token_required(*SCHOOL_STAFF_ROLES)
def student_class_status(class_id: int):
    """The class's students (academic year of ``?date=``, default today) with ``attended`` that date."""
    school_class = load_class(class_id)
    errors: dict = {}
    day = _date(request.args.get("date"), errors)
    if errors:
        raise ValidationFailed(errors)
    return envelope.ok(data=[_status_json(s) for s in school.class_status(school_class, day)])
