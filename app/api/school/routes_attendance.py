"""Contract 002 sections 3 (QR code) and 4 (staff attendance: check-in, check-out, history).

Every write needs a valid dynamic QR token (:mod:`app.qr.services`) of the
person's location and a position; it is recorded by
:func:`app.attendance.services.record_attendance` with ``source="qr"``, which
judges the work-schedule window and the once-per-day rule by the server's
clock and compares the position with the geofence: the person's office, else
the school's (settings ``school_latitude``, ``school_longitude``,
``attendance_radius``).  A position outside it (or too imprecise, or no
geofence configured, or implausible: an accuracy of 0 m, too far from the
previous attendance for the time between them — :mod:`app.attendance.plausibility`)
is recorded and flagged for review, never silently accepted and never lost:
the response says so (``needs_review``, ``review_reason``, ``distance_m`` and
its message, which names every reason).

The token is kept on the event as ``client_ref = "qr:<token>:<kind>"``
(unique per user), so one token gives each person at most one check-in and one
check-out; sending the same request again returns the event already recorded.
"""
from __future__ import annotations

import re
from datetime import date

from flask import g, request

from ...accounts.models import User
from ...accounts.services import get_user
from ...accounts.roles import STAFF_ROLES
from ...attendance import days as attendance_days, photos
from ...attendance import services as attendance
from ...attendance.models import AttendanceEvent, DailyAttendance
from ...common import clock
from ...common.errors import DomainError, NotFound, ValidationFailed
from ...places.services import get_office, parse_accuracy, parse_coordinate, school_geofence
from ...qr import services as qr
from . import envelope
from .auth import token_required
from .blueprint import bp
from ..laravel import paginate

#: Roles that may record for another ``user_id`` (QR verify).
ACTS_FOR_OTHERS = ("admin",)
#: Contract ``type`` → service ``kind``.
KINDS = {"checkin": "check_in", "checkout": "check_out"}
TYPES = {v: k for k, v in KINDS.items()}

_DONE = {"check_in": "Absen masuk berhasil", "check_out": "Absen keluar berhasil"}
_PENDING = {"check_in": "Absen masuk tercatat dan menunggu verifikasi admin: {reason}",
            "check_out": "Absen keluar tercatat dan menunggu verifikasi admin: {reason}"}
_REASONS = {
    "outside_geofence": "lokasi Anda di luar area absensi",
    "low_accuracy": "akurasi lokasi terlalu rendah",
    "no_office": "area absensi belum diatur",
    "implausible_accuracy": "akurasi lokasi yang dilaporkan tidak wajar",
    "impossible_travel": "lokasi terlalu jauh dari absen sebelumnya untuk selang waktunya",
    "wrong_office": "bukan kantor penugasan Anda",
    "offline": "dikirim saat offline",
}
#: Domain error code → (Indonesian message, HTTP status).
_ERRORS = {
    "qr_invalid": ("QR code tidak valid", 400),
    "qr_expired": ("QR code sudah kedaluwarsa, silakan pindai ulang", 400),
    "qr_wrong_location": ("QR code bukan untuk lokasi absensi Anda", 400),
    "already_checked_in": ("Anda sudah absen masuk hari ini", 409),
    "already_checked_out": ("Anda sudah absen keluar hari ini", 409),
    "not_checked_in": ("Anda belum absen masuk hari ini", 400),
    "no_active_schedule": ("Jam kerja belum diatur", 400),
}


def _body() -> dict:
    """The JSON (or form) body, allowed up to :data:`photos.MAX_REQUEST_BYTES` (it may carry a photo)."""
    request.max_content_length = photos.MAX_REQUEST_BYTES
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    return data if isinstance(data, dict) else {}


def _error(exc: DomainError, kind: str):
    """The contract's ``{"success": false, "message": ...}`` for a refused attendance."""
    if isinstance(exc, ValidationFailed):
        return envelope.from_domain_error(exc)
    if exc.code == "outside_window":
        noun = "absen masuk" if kind == "check_in" else "absen keluar"
        message = f"Belum waktunya {noun}" if "opens_at" in exc.details else f"Waktu {noun} sudah berakhir"
        return envelope.fail(message, 400)
    message, status = _ERRORS.get(exc.code, (exc.message, 400))
    errors = {"qr_token": [message]} if isinstance(exc, qr.QrTokenError) else None
    return envelope.fail(message, status, errors)


def _parse(data: dict, *, photo_required: bool) -> dict:
    """Check ``qr_token``, ``latitude``, ``longitude``, ``accuracy``, ``photo``; every error at once.

    :raises ValidationFailed: 422, naming each refused field.
    """
    errors: dict[str, list[str]] = {}
    clean: dict = {"photo": None}
    checks = (
        ("qr_token", lambda: qr.normalise(data.get("qr_token"))),
        ("latitude", lambda: parse_coordinate(data.get("latitude"), field="latitude", limit=90)),
        ("longitude", lambda: parse_coordinate(data.get("longitude"), field="longitude", limit=180)),
        ("accuracy", lambda: parse_accuracy(data.get("accuracy"))),
    )
    for name, check in checks:
        try:
            clean[name] = check()
        except ValidationFailed as exc:
            errors.update(exc.errors)
    photo = data.get("photo")
    if photo is None or (isinstance(photo, str) and not photo.strip()):
        if photo_required:
            errors["photo"] = ["The photo field is required."]
    else:
        try:
            clean["photo"] = photos.decode_photo(photo)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return clean


def _number(value: float | None):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _token_used(event: AttendanceEvent) -> str | None:
    ref = event.client_ref or ""
    return ref.split(":")[1] if ref.startswith("qr:") and ref.count(":") == 2 else None


def _status(daily: DailyAttendance | None) -> str:
    """``terlambat`` when the day's check-in was late (``late_minutes > 0``), else ``hadir``."""
    return "terlambat" if daily is not None and daily.late_minutes > 0 else "hadir"


def _record_json(event: AttendanceEvent, daily: DailyAttendance | None, photo_path: str | None) -> dict:
    """One attendance record as contract 002 prints it, plus the review fields."""
    return {
        "id": event.id,
        "user_id": event.user_id,
        "type": TYPES[event.kind],
        "latitude": f"{event.latitude:.8f}" if event.latitude is not None else None,
        "longitude": f"{event.longitude:.8f}" if event.longitude is not None else None,
        "accuracy": _number(event.accuracy_m),
        "photo_path": photo_path,
        "qr_token_used": _token_used(event),
        "status": _status(daily),
        "timestamp": clock.iso_utc(event.occurred_at),
        "date_only": event.work_date.isoformat(),
        "synced": True,  # the record is on the server (the contract's offline-sync flag)
        "created_at": clock.iso_utc(event.occurred_at),
        "needs_review": event.review_state == "pending",
        "review_state": event.review_state,
        "review_reason": event.flag_reason,
        "distance_m": round(event.distance_m, 1) if event.distance_m is not None else None,
    }


def _record(user: User, kind: str, values: dict):
    """Verify the QR token for ``user`` and record ``kind``; returns ``(result, photo_path)``.

    :raises DomainError: a refused token or a refusal of :func:`record_attendance`.
    """
    now = clock.now()
    qr.verify(values["qr_token"], qr.location_of(user), now)
    geofence = user.office or school_geofence()
    result = attendance.record_attendance(
        user, kind, source="qr", latitude=values["latitude"], longitude=values["longitude"],
        accuracy_m=values["accuracy"], office=geofence, client_ref=qr.client_ref(values["qr_token"], kind),
        now=now)
    if result.replayed:
        photo_path = photos.find_photo(result.event)
    elif values["photo"] is not None:
        photo_path = photos.save_photo(values["photo"], result.event)
    else:
        photo_path = None
    return result, photo_path


def _message(result, kind: str) -> str:
    if result.pending_review:
        reason = "; ".join(_REASONS.get(code, "perlu diperiksa") for code in result.event.flag_reasons) \
            or "perlu diperiksa"
        return _PENDING[kind].format(reason=reason)
    return _DONE[kind]


# --- section 3: QR code ------------------------------------------------------

@bp.get("/qrcode/dynamic")
@token_required(*STAFF_ROLES)
def qrcode_dynamic():
    """The current dynamic token of the caller's location (admins: ``?office_id=``, 0 = the school).

    ``expires_at`` is the end of the token's step; it is still accepted for one
    more step (``valid_until``), see :mod:`app.qr.services`.
    """
    location = qr.location_of(g.user)
    raw = request.args.get("office_id")
    if raw not in (None, ""):
        if g.user.role not in ACTS_FOR_OTHERS:
            return envelope.fail("Akses ditolak", 403)
        if not raw.isdigit() or len(raw) > 12:
            raise ValidationFailed({"office_id": ["The office id must be an integer."]})
        location = int(raw)
        if location != qr.SCHOOL_LOCATION:
            try:
                get_office(location)
            except NotFound:
                return envelope.fail("Kantor tidak ditemukan", 404)
    token = qr.current_token(location)
    return envelope.ok("Token QR dinamis berhasil diambil", {
        "token": token.token,
        "expires_at": clock.iso_utc(token.expires_at),
        "valid_until": clock.iso_utc(token.valid_until),
        "period_seconds": token.period_s,
    })


@bp.post("/qrcode/verify")
@token_required(*STAFF_ROLES)
def qrcode_verify():
    """Verify a dynamic token and record a check-in or check-out (photo required)."""
    data = _body()
    errors: dict[str, list[str]] = {}
    target = g.user
    raw_user = data.get("user_id")
    if raw_user not in (None, ""):
        user_id = raw_user if isinstance(raw_user, int) and not isinstance(raw_user, bool) else (
            int(raw_user) if isinstance(raw_user, str) and re.fullmatch(r"\d{1,12}", raw_user) else None)
        if user_id is None:
            errors["user_id"] = ["The user id must be an integer."]
        elif user_id != g.user.id:
            if g.user.role not in ACTS_FOR_OTHERS:
                return envelope.fail("Akses ditolak", 403)
            try:
                target = get_user(user_id, include_deleted=True)
            except NotFound:
                target = None
            if target is None or not target.is_active:
                return envelope.fail("User tidak ditemukan", 404)
    kind = KINDS.get(data.get("type")) if isinstance(data.get("type"), str) else None
    if kind is None:
        errors["type"] = ["The selected type is invalid (checkin or checkout)."]
    try:
        values = _parse(data, photo_required=True)
    except ValidationFailed as exc:
        errors = {**errors, **exc.errors}
    if errors:
        raise ValidationFailed(errors)
    try:
        result, photo_path = _record(target, kind, values)
    except DomainError as exc:
        return _error(exc, kind)
    record = _record_json(result.event, result.daily, photo_path)
    data = {key: record[key] for key in ("user_id", "type", "latitude", "longitude", "accuracy", "photo_path",
                                         "qr_token_used", "timestamp", "id", "status", "needs_review",
                                         "review_reason", "distance_m")}
    return envelope.ok(_message(result, kind), data)


# --- section 4: staff attendance --------------------------------------------

def _attend(kind: str):
    try:
        values = _parse(_body(), photo_required=False)
    except ValidationFailed as exc:
        return envelope.from_domain_error(exc)
    try:
        result, photo_path = _record(g.user, kind, values)
    except DomainError as exc:
        return _error(exc, kind)
    return envelope.ok(_message(result, kind), _record_json(result.event, result.daily, photo_path))


@bp.post("/attendance/checkin")
@token_required(*STAFF_ROLES)
def attendance_checkin():
    """Check in with a dynamic QR token and a position (photo optional)."""
    return _attend("check_in")


@bp.post("/attendance/checkout")
@token_required(*STAFF_ROLES)
def attendance_checkout():
    """Check out with a dynamic QR token and a position (photo optional)."""
    return _attend("check_out")


def _date_arg(name: str, errors: dict) -> date | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [f"The {name.replace('_', ' ')} does not match the format Y-m-d."]
        return None


def _int_arg(name: str, low: int, high: int, errors: dict) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors[name] = [f"The {name} must be an integer between {low} and {high}."]
        return None
    return int(raw)


@bp.get("/attendance/history")
@token_required()
def attendance_history():
    """The caller's own attendance records (one per check-in or check-out), newest first.

    Query: ``start_date``/``end_date`` (YYYY-MM-DD, work days, inclusive),
    or ``month`` (1..12) with ``year``; ``page``, ``per_page`` (default 15, at most 100).
    """
    errors: dict[str, list[str]] = {}
    start, end = _date_arg("start_date", errors), _date_arg("end_date", errors)
    month, year = _int_arg("month", 1, 12, errors), _int_arg("year", 2000, 2100, errors)
    if month is not None and year is None:
        errors["year"] = ["The year field is required when month is present."]
    if start and end and end < start:
        errors["end_date"] = ["The end date must be a date after or equal to start date."]
    if errors:
        raise ValidationFailed(errors)
    stmt = attendance_days.events_query(g.user.id, start=start, end=end, year=year, month=month)
    page = paginate(stmt, lambda event: event)
    days = attendance_days.days_on(g.user.id, {e.work_date for e in page["data"]})
    page["data"] = [_record_json(e, days.get(e.work_date), photos.find_photo(e)) for e in page["data"]]
    return envelope.ok(data=page)
