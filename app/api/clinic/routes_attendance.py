"""Contract 000 "Attendance Endpoints": check-in, check-out, today, history, statistics.

The same attendance as every other dialect: :func:`app.attendance.services.record_attendance`
with ``source="mobile_gps"`` decides the work day and window by the server's clock
(active work schedule), keeps one check-in per person and day (also against a
kiosk or another app), and compares the position with the geofence of the
person's office (or, for someone without an office, the ``work_location_id``
sent).  A position outside it, too imprecise, without any office, with an
implausible accuracy (0 m), too far from the previous attendance for the time
between them, or at a work location that is not the person's is recorded and
flagged for review (:mod:`app.attendance.plausibility`) — the answer says so
(``requires_review``, ``review_reason``: one sentence per reason).  A
``work_location_id`` that is not the person's is refused instead (422 on that
field) when the setting ``wrong_office_policy`` is ``refuse``.
``distance_meters`` is the real distance to the office.

Rate-limit type ``attendance`` (10 per minute) for check-in and check-out;
the reads are ``general``.  Refusals are 422 with ``errors.attendance``.
"""
from __future__ import annotations

from datetime import date

from flask import g, request

from ...attendance import days as attendance_days, services as attendance
from ...common import clock
from ...common.errors import DomainError, NotFound, ValidationFailed
from ...places.models import Office
from ...places.services import get_office, parse_accuracy, parse_coordinate
from . import envelope
from .auth import token_required
from .blueprint import bp
from .pagination import paginate
from .ratelimit import rate_limit
from .serializers import day_status, duration, history_item, local_time, overtime_minutes, schedules_by_id
from .validation import Checker, json_body, query_date, query_int

#: Domain error code → the message of ``errors.attendance``.
_REFUSALS = {
    "no_active_schedule": "No work schedule is active.",
    "already_checked_in": "You have already checked in today.",
    "already_checked_out": "You have already checked out today.",
    "not_checked_in": "You have not checked in today.",
}
#: Flag reason (:data:`app.attendance.models.FLAG_REASONS`) → its sentence in ``review_reason``.
_REVIEW_REASONS = {
    "outside_geofence": "Your position is outside the work location's area.",
    "low_accuracy": "Your position is not precise enough.",
    "no_office": "You have no work location assigned.",
    "implausible_accuracy": "The reported GPS accuracy is not plausible.",
    "impossible_travel": "Your position is too far from your previous attendance for the time between them.",
    "wrong_office": "You are not assigned to this work location.",
    "offline": "Recorded offline and sent later; the phone's clock is not trusted.",
}


def _parse_position(data: dict, *, with_location: bool) -> dict:
    """``latitude`` (-90..90), ``longitude`` (-180..180) required, finite; ``accuracy`` metres
    (0..100000) optional; ``work_location_id`` and ``device_info`` on check-in.

    :raises ValidationFailed: every refused field at once.
    """
    check = Checker(data)
    check.adopt("latitude", lambda v: parse_coordinate(v, field="latitude", limit=90))
    check.adopt("longitude", lambda v: parse_coordinate(v, field="longitude", limit=180))
    check.adopt("accuracy", parse_accuracy)
    if with_location:
        check.integer("work_location_id")
        info = data.get("device_info")
        if info is not None and not isinstance(info, dict):
            check.fail("device_info", "The device info must be an object.")
        elif info:
            device_id = info.get("device_id")
            if device_id is not None and (not isinstance(device_id, str) or len(device_id) > 191):
                check.fail("device_info.device_id",
                           "The device info.device id must be a string of at most 191 characters.")
            elif device_id:
                check.clean["device_id"] = device_id.strip() or None
    return check.done()


def _office_for(user, work_location_id: int | None) -> Office | None:
    """The office whose geofence applies: the one sent, else the person's own.

    An office that is not the person's own is judged by the shared service
    (held for review as ``wrong_office``, or refused by the setting
    ``wrong_office_policy``: :func:`_refusal` answers that on ``work_location_id``).
    :raises ValidationFailed: ``work_location_id`` unknown or inactive.
    """
    if work_location_id is None:
        return user.office
    try:
        office = get_office(work_location_id)
    except NotFound:
        office = None
    if office is None or not office.is_active:
        raise ValidationFailed({"work_location_id": ["The selected work location id is invalid."]})
    return office


def _refusal(exc: DomainError):
    """A refused attendance: 422 with the fields, or ``errors.attendance`` naming the rule."""
    if isinstance(exc, ValidationFailed):
        return envelope.validation_failed(exc.errors)
    if isinstance(exc, attendance.NotAssignedOffice):
        return envelope.validation_failed({"work_location_id": [_REVIEW_REASONS["wrong_office"]]})
    message = _REFUSALS.get(exc.code, exc.message)
    return envelope.fail(message, 422, {"attendance": [message]})


def _record(kind: str, values: dict, office: Office | None):
    try:
        return attendance.record_attendance(
            g.user, kind, source="mobile_gps", latitude=values["latitude"], longitude=values["longitude"],
            accuracy_m=values.get("accuracy"), office=office, device_id=values.get("device_id"))
    except DomainError as exc:
        return exc


def review_reason(event) -> str | None:
    """Every reason ``event`` waits for review, one sentence each, the main one first (None: none)."""
    return " ".join(_REVIEW_REASONS.get(code, code) for code in event.flag_reasons) or None


def _result_json(result, kind: str) -> dict:
    day, event = result.daily, result.event
    office = event.office if event.office_id else None
    body = {
        "id": day.id,
        "date": day.work_date.isoformat(),
        "time_in": local_time(day.time_in),
        "location": {"id": office.id if office else None, "name": office.name if office else None,
                     "distance_meters": round(event.distance_m, 1) if event.distance_m is not None else None},
        "status": "checked_in" if kind == "check_in" else "checked_out",
        "requires_review": result.pending_review,
        "review_reason": review_reason(event) if result.pending_review else None,
    }
    if kind == "check_in":
        body["late_minutes"] = day.late_minutes
    else:
        body.update({"time_out": local_time(day.time_out), "work_duration": duration(day.worked_minutes),
                     "work_minutes": day.worked_minutes, "overtime_minutes": overtime_minutes(day)})
    return body


@bp.post("/attendance/checkin")
@rate_limit("attendance")
@token_required()
def check_in():
    """``POST /api/v2/attendance/checkin``: ``latitude``, ``longitude``, ``accuracy``,
    ``work_location_id``, ``device_info {device_id, device_type, app_version}``.

    200 ``Check-in successful`` (or ``Check-in recorded, awaiting review``) with ``data {id,
    date, time_in, location {id, name, distance_meters}, status "checked_in", requires_review,
    review_reason, late_minutes}``; 422 with the fields refused, or ``errors.attendance``
    (already checked in, no active schedule, window closed).
    """
    return check_in_answer()


def check_in_answer():
    """Check ``g.user`` in from this request's JSON body and answer as ``POST /attendance/checkin``.

    Shared by every clinic route that checks someone in (also
    ``/dashboards/nonparamedis/attendance/checkin``).
    :raises ValidationFailed: (422) a refused field or ``work_location_id``.
    """
    values = _parse_position(json_body(), with_location=True)
    office = _office_for(g.user, values.get("work_location_id"))
    result = _record("check_in", values, office)
    if isinstance(result, DomainError):
        return _refusal(result)
    message = "Check-in recorded, awaiting review" if result.pending_review else "Check-in successful"
    return envelope.ok(_result_json(result, "check_in"), message)


@bp.post("/attendance/checkout")
@rate_limit("attendance")
@token_required()
def check_out():
    """``POST /api/v2/attendance/checkout``: ``latitude``, ``longitude``, ``accuracy``.

    200 ``Check-out successful`` with the check-in's fields plus ``time_out``,
    ``work_duration`` ("8h 30m"), ``work_minutes``, ``overtime_minutes`` (after the
    schedule's check-out start); 422 ``errors.attendance`` (not checked in, already
    checked out, window closed) or the fields refused.
    """
    return check_out_answer()


def check_out_answer():
    """Check ``g.user`` out from this request's JSON body and answer as ``POST /attendance/checkout``.

    Shared by every clinic route that checks someone out (also
    ``/dashboards/nonparamedis/attendance/checkout``).
    :raises ValidationFailed: (422) a refused field.
    """
    values = _parse_position(json_body(), with_location=False)
    result = _record("check_out", values, g.user.office)
    if isinstance(result, DomainError):
        return _refusal(result)
    message = "Check-out recorded, awaiting review" if result.pending_review else "Check-out successful"
    return envelope.ok(_result_json(result, "check_out"), message)


@bp.get("/attendance/today")
@token_required()
def today():
    """``GET /api/v2/attendance/today``: ``data {date, status (not_checked_in|checked_in|
    checked_out|pending_review|rejected), id, time_in, time_out, work_duration,
    overtime_minutes, late_minutes, location}`` for the local work day."""
    work_date = clock.local_today()
    day = attendance_days.day_of(g.user.id, work_date)
    if day is None:
        data = {"date": work_date.isoformat(), "status": "not_checked_in", "id": None, "time_in": None,
                "time_out": None, "work_duration": None, "overtime_minutes": 0, "late_minutes": 0, "location": None}
    else:
        data = history_item(day)
        status = day_status(day)
        data["status"] = "checked_out" if status == "completed" else status
    return envelope.ok(data, "Today's attendance")


@bp.get("/attendance/history")
@token_required()
def history():
    """``GET /api/v2/attendance/history?page=&per_page=&from=YYYY-MM-DD&to=YYYY-MM-DD``.

    The user's days, newest first, ``data`` items ``{id, date, time_in, time_out,
    work_duration, status, location, overtime_minutes, late_minutes}`` and
    ``meta.pagination``.  422 for a malformed date, ``from`` after ``to``, or bad paging.
    """
    errors: dict[str, list[str]] = {}
    start, end = query_date("from", errors), query_date("to", errors)
    if start and end and start > end:
        errors["to"] = ["The to must be a date after or equal to from."]
    if errors:
        raise ValidationFailed(errors)
    stmt = attendance_days.history_query(g.user.id, start=start, end=end)
    known = schedules_by_id()
    items, pagination = paginate(stmt, lambda day: history_item(day, known))
    return envelope.ok(items, "Attendance history", pagination=pagination)


@bp.get("/attendance/statistics")
@token_required()
def statistics():
    """``GET /api/v2/attendance/statistics?period=month&year=2025&month=7`` (defaults: this local month).

    ``data {period, year, month, days_recorded, days_present (checked in), days_completed,
    days_late, days_pending_review, total_work_minutes, total_work_duration,
    average_work_minutes, total_overtime_minutes, total_late_minutes}``.
    422 for a ``period`` other than ``month``, a year outside 2000..2100, a month outside 1..12.
    """
    errors: dict[str, list[str]] = {}
    period = request.args.get("period") or "month"
    if period != "month":
        errors["period"] = ["The selected period is invalid."]
    now = clock.local_today()
    year = query_int("year", errors, default=now.year, minimum=2000, maximum=2100)
    month = query_int("month", errors, default=now.month, minimum=1, maximum=12)
    if errors:
        raise ValidationFailed(errors)
    days = attendance.month_history(g.user, year, month)
    known = schedules_by_id()
    present = [d for d in days if d.time_in is not None]
    completed = [d for d in present if d.time_out is not None]
    total = sum(d.worked_minutes or 0 for d in completed)
    return envelope.ok({
        "period": period, "year": year, "month": month,
        "start_date": date(year, month, 1).isoformat(),
        "days_recorded": len(days), "days_present": len(present), "days_completed": len(completed),
        "days_late": sum(1 for d in present if d.late_minutes > 0),
        "days_pending_review": sum(1 for d in present if d.status == "pending_review"),
        "total_work_minutes": total, "total_work_duration": duration(total),
        "average_work_minutes": round(total / len(completed)) if completed else 0,
        "total_overtime_minutes": sum(overtime_minutes(d, known) for d in completed),
        "total_late_minutes": sum(d.late_minutes for d in present),
    }, "Attendance statistics")
