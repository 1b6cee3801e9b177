"""Contract 000 "Admin Panel Endpoints": non-paramedis management, attendance approvals, reports.

Every route here is for admins only (``Role: admin`` in the contract): any other
signed-in role gets the contract's 403 (``errors.role``), no token 401.

- **Non-paramedis management** (``/admin/nonparamedis``) manages users whose role is
  ``non_paramedis`` through :mod:`app.accounts.services` (``users_query``,
  ``create_user``, ``update_user``, ``set_password``).  An id of a user with another
  role is 404, as an unknown one: this section cannot touch doctors or admins.
  Deactivating someone (update or toggle) and resetting a password end all of that
  person's sessions in every app.  ``address`` (at most 500 characters) is the
  person's postal address, stored on the user.
- **Attendance approvals** (``/admin/attendance-approvals``): the attendances waiting
  for review — a check-in or check-out outside the geofence, imprecise, without an
  office, with an implausible position (:mod:`app.attendance.plausibility`), or sent by
  offline sync.  ``attendance_id`` is the attendance's one id in
  this dialect, the day's record (see :mod:`app.api.clinic`, "One id"); approving or
  rejecting it reviews every event of that day that waits
  (:func:`app.attendance.services.review_day`, the same review as the admin web app:
  the person is notified; rejecting a check-in clears the day's check-in).  Bulk
  approve is all or nothing (:func:`~app.attendance.services.review_days`, rolled back
  at the request boundary).
- **Reports** (``/admin/reports``, computed by :mod:`app.clinic.attendance_report`): the
  admin attendance report's day codes (:func:`app.attendance.reports.day_codes`: present /
  late / pending review / leave types / absent per person and day) over everyone who records attendance
  in the clinic app — every role that may sign in to it (:data:`~app.accounts.roles.CLINIC_STAFF_ROLES`:
  dokter, paramedis, non_paramedis, petugas, admin; the contract's own login example
  is a petugas) — plus work, late and overtime minutes of the recorded
  days; the CSV goes through :func:`app.common.csv_export.csv_response` (cells that
  start with ``=``, ``+``, ``-``, ``@`` are escaped).
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from itertools import chain

from flask import g, request

from ...accounts import services as accounts
from ...accounts.api_tokens import revoke_all
from ...accounts.models import User
from ...attendance import days as attendance_days, reports
from ...attendance import services as attendance
from ...attendance.models import AttendanceEvent, DailyAttendance
from ...clinic import attendance_report
from ...common import clock
from ...common.csv_export import csv_response
from ...common.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from . import envelope
from .auth import token_required
from .blueprint import bp
from .pagination import paginate
from .routes_attendance import review_reason
from .serializers import duration, local_time
from .validation import Checker, json_body, parse_int, query_date

#: The role this section manages.
MANAGED_ROLE = "non_paramedis"
#: Roles whose attendance the clinic's reports cover (:data:`app.clinic.attendance_report.REPORT_ROLES`).
REPORT_ROLES = attendance_report.REPORT_ROLES
#: ``?status=`` of the user list.
USER_STATUSES = ("active", "inactive")
#: Most ids one bulk approval or one export may name.
MAX_BULK_IDS = 100
MAX_EXPORT_USERS = 500
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# ---------------------------------------------------------------------------
# Shapes

def staff_user_json(user: User) -> dict:
    """A managed user: ``{id, name, email, phone, address, role, is_active, status ("active"|"inactive"),
    last_login, created_at, updated_at}`` (instants in UTC, the contract's format)."""
    return {"id": user.id, "name": user.name, "email": user.email, "phone": user.phone, "address": user.address,
            "role": user.role,
            "is_active": user.is_active, "status": "active" if user.is_active else "inactive",
            "last_login": clock.iso_utc(user.last_login_at), "created_at": clock.iso_utc(user.created_at),
            "updated_at": clock.iso_utc(user.updated_at)}


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role}


def review_event_json(event: AttendanceEvent) -> dict:
    """One reviewed part of an attendance (no id of its own: the attendance's id is the day's):
    ``{type ("check_in"|"check_out"), time (local HH:MM:SS), occurred_at (UTC), source,
    latitude, longitude, accuracy (m), location {id, name, distance_meters}, flag_reason,
    review_reason (a sentence per reason, :func:`.routes_attendance.review_reason`), status
    (pending|approved|rejected), reviewed_by, reviewed_at, review_note}``."""
    office = event.office if event.office_id else None
    return {
        "type": event.kind, "time": local_time(event.occurred_at), "occurred_at": clock.iso_utc(event.occurred_at),
        "source": event.source, "latitude": event.latitude, "longitude": event.longitude,
        "accuracy": event.accuracy_m,
        "location": {"id": office.id if office else None, "name": office.name if office else None,
                     "distance_meters": round(event.distance_m, 1) if event.distance_m is not None else None},
        "flag_reason": event.flag_reason, "review_reason": review_reason(event), "status": event.review_state,
        "reviewed_by": _person(event.reviewed_by), "reviewed_at": clock.iso_utc(event.reviewed_at),
        "review_note": event.review_note,
    }


def _focus(events: list[AttendanceEvent]) -> AttendanceEvent | None:
    """The event an approval item is about: the oldest one waiting, else the last one reviewed."""
    waiting = [e for e in events if e.review_state == "pending"]
    if waiting:
        return waiting[0]
    reviewed = [e for e in events if e.reviewed_at is not None]
    return max(reviewed, key=lambda e: (e.reviewed_at, e.id)) if reviewed else None


def approval_json(day: DailyAttendance, day_events: list[AttendanceEvent] | None = None) -> dict:
    """One attendance under review, by its one id (the day's record, as check-in, history and today):
    ``{id, user {id, name, email, role}, date (work day), time_in, time_out (local HH:MM:SS),
    events [...]}`` where ``events`` are its parts that went to review (:func:`review_event_json`,
    oldest first), and the fields of the part it is about (the oldest waiting, else the last
    reviewed) at the top level as before: ``type, time, occurred_at, source, latitude,
    longitude, accuracy, location, flag_reason, review_reason, status, reviewed_by,
    reviewed_at, review_note``.  ``day_events``: the day's events when already loaded
    (:func:`app.attendance.services.days_events`), else one query for them."""
    if day_events is None:
        day_events = attendance.day_events(day)
    events = [e for e in day_events if e.review_state != "not_required"]
    focus = _focus(events)
    body = {"id": day.id, "user": _person(day.user), "date": day.work_date.isoformat(),
            "time_in": local_time(day.time_in), "time_out": local_time(day.time_out)}
    if focus is not None:
        body.update(review_event_json(focus))
    body["events"] = [review_event_json(e) for e in events]
    return body


# ---------------------------------------------------------------------------
# Checks shared by the routes

def _id_list(check: Checker, field: str, *, required: bool, maximum: int) -> None:
    """``field``: an array of 1..``maximum`` positive integers (JSON numbers or digit strings).

    Refusals go to ``check`` under ``field`` (not an array, empty, too long) or
    ``field.<index>`` (an element that is not a positive integer).
    """
    value = check.data.get(field)
    label = field.replace("_", " ")
    if value is None:
        if required:
            check.fail(field, f"The {label} field is required.")
        return
    if not isinstance(value, list):
        check.fail(field, f"The {label} must be an array.")
        return
    if not value:
        check.fail(field, f"The {label} field is required." if required else f"The {label} must not be empty.")
        return
    if len(value) > maximum:
        check.fail(field, f"The {label} must not have more than {maximum} items.")
        return
    ids = []
    for index, item in enumerate(value):
        number = parse_int(item)
        if number is None or not 1 <= number <= 2**63 - 1:
            check.fail(f"{field}.{index}", f"The {field}.{index} must be a positive integer.")
        else:
            ids.append(number)
    if len(ids) == len(value):
        check.clean[field] = ids


def _body_date(check: Checker, field: str) -> None:
    """A required ``YYYY-MM-DD`` date in the body (Laravel's ``date_format:Y-m-d`` wording)."""
    value = check.data.get(field)
    label = field.replace("_", " ")
    if value in (None, ""):
        check.fail(field, f"The {label} field is required.")
        return
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        check.fail(field, f"The {label} does not match the format Y-m-d.")
        return
    try:
        check.clean[field] = date.fromisoformat(value)
    except ValueError:
        check.fail(field, f"The {label} is not a valid date.")


def _range_errors(start: date | None, end: date | None, end_field: str) -> dict[str, list[str]]:
    """Errors of a report range: ``end`` before ``start``, or longer than :data:`reports.MAX_RANGE_DAYS`."""
    if start is None or end is None:
        return {}
    if end < start:
        return {end_field: [f"The {end_field.replace('_', ' ')} must be a date after or equal to the start."]}
    if (end - start).days + 1 > reports.MAX_RANGE_DAYS:
        return {end_field: [f"A report covers at most {reports.MAX_RANGE_DAYS} days."]}
    return {}


def _managed_user(user_id: int) -> User:
    """The non-paramedis user ``user_id``.

    :raises NotFound: no user with this id, a deleted one, or one of another role (``errors.user_id``).
    """
    try:
        user = accounts.get_user(user_id)
    except NotFound:
        user = None
    if user is None or user.role != MANAGED_ROLE:
        raise NotFound("Non-paramedis user not found.", field="user_id")
    return user


def _end_sessions_if_inactive(user: User, was_active: bool) -> None:
    """A person just deactivated loses every session, so a later reactivation does not revive them."""
    if was_active and not user.is_active:
        revoke_all(user)


def _conflict_errors(exc: Conflict) -> dict[str, list[str]]:
    field = exc.field or "email"
    return {field: [f"The {field} has already been taken."]}


# ---------------------------------------------------------------------------
# Non-paramedis management

@bp.get("/admin/nonparamedis")
@token_required("admin")
def list_non_paramedis():
    """``GET /api/v2/admin/nonparamedis?page=&per_page=&search=&status=active|inactive``.

    Non-paramedis users by name; ``search`` matches part of the name, email, NPP or
    NISN/NIP/NIK (case-insensitive); ``data`` items as :func:`staff_user_json`,
    ``meta.pagination``.  422 for another ``status`` or bad paging.
    """
    status = request.args.get("status") or None
    if status is not None and status not in USER_STATUSES:
        raise ValidationFailed({"status": ["The selected status is invalid."]})
    search = (request.args.get("search") or "")[:120]
    stmt = accounts.users_query(search=search, role=MANAGED_ROLE)
    if status is not None:
        stmt = stmt.where(User.is_active.is_(status == "active"))
    items, pagination = paginate(stmt, staff_user_json)
    return envelope.ok(items, "Non-paramedis users", pagination=pagination)


@bp.post("/admin/nonparamedis")
@token_required("admin")
def create_non_paramedis():
    """``POST /api/v2/admin/nonparamedis``: ``name`` (≤ 120), ``email``, ``password`` (the password policy: 8..128, not only spaces)
    required; ``phone`` (≤ 32), ``address`` (≤ 500), ``is_active`` (default true).

    201 ``Non-paramedis user created`` with :func:`staff_user_json`; 422 naming each
    refused field (``The email has already been taken.`` for a used email).
    """
    check = Checker(json_body())
    check.string("name", required=True, max_length=120)
    check.string("email", required=True, max_length=254, email=True)
    check.password("password")
    check.string("phone", max_length=32)
    check.string("address", max_length=500)
    check.boolean("is_active")
    values = check.done()
    try:
        user = accounts.create_user(name=values["name"], email=values["email"], password=values["password"],
                                    role=MANAGED_ROLE, phone=values.get("phone"),
                                    address=values.get("address"), is_active=values.get("is_active", True),
                                    actor=g.user)
    except Conflict as exc:
        return envelope.validation_failed(_conflict_errors(exc))
    return envelope.ok(staff_user_json(user), "Non-paramedis user created", 201)


@bp.put("/admin/nonparamedis/<int:user_id>")
@token_required("admin")
def update_non_paramedis(user_id: int):
    """``PUT /api/v2/admin/nonparamedis/{user_id}``: any of ``name``, ``email``, ``phone``,
    ``address``, ``is_active``; keys not sent stay as they are.

    200 ``Non-paramedis user updated`` with :func:`staff_user_json`; 404 (``errors.user_id``)
    unknown id or not a non-paramedis user; 422 refused fields or an email already taken.
    Deactivating ends the person's sessions.
    """
    user = _managed_user(user_id)
    check = Checker(json_body())
    check.string("name", max_length=120, nullable=False)
    check.string("email", max_length=254, email=True, nullable=False)
    check.string("phone", max_length=32)
    check.string("address", max_length=500)
    check.boolean("is_active")
    values = check.done()
    was_active = user.is_active
    try:
        accounts.update_user(user, g.user, **values)
    except Conflict as exc:
        return envelope.validation_failed(_conflict_errors(exc))
    _end_sessions_if_inactive(user, was_active)
    return envelope.ok(staff_user_json(user), "Non-paramedis user updated")


@bp.patch("/admin/nonparamedis/<int:user_id>/toggle-status")
@token_required("admin")
def toggle_non_paramedis(user_id: int):
    """``PATCH /api/v2/admin/nonparamedis/{user_id}/toggle-status``: active ↔ inactive.

    200 ``User activated`` / ``User deactivated`` with :func:`staff_user_json`; 404 as update.
    Deactivating ends the person's sessions.
    """
    user = _managed_user(user_id)
    was_active = user.is_active
    accounts.update_user(user, g.user, is_active=not was_active)
    _end_sessions_if_inactive(user, was_active)
    return envelope.ok(staff_user_json(user), "User activated" if user.is_active else "User deactivated")


@bp.post("/admin/nonparamedis/<int:user_id>/reset-password")
@token_required("admin")
def reset_non_paramedis_password(user_id: int):
    """``POST /api/v2/admin/nonparamedis/{user_id}/reset-password``: ``new_password`` (the password policy).

    200 ``Password reset successfully`` with ``data {user_id, revoked_sessions}``: every
    session of the person (in every app) ends.  404 as update; 422 missing or short password.
    """
    user = _managed_user(user_id)
    check = Checker(json_body())
    check.password("new_password")
    values = check.done()
    revoked = accounts.reset_password(user, values["new_password"], g.user, end_sessions=True)
    return envelope.ok({"user_id": user.id, "revoked_sessions": revoked}, "Password reset successfully")


# ---------------------------------------------------------------------------
# Attendance approvals

def _review(attendance_id: int, *, approve: bool, note: str | None):
    """Review what waits in one attendance; 404 ``errors.attendance_id`` unknown, 422
    ``errors.attendance`` when nothing of it waits."""
    try:
        day = attendance.get_day(attendance_id)
    except NotFound:
        message = "Attendance record not found."
        return envelope.fail(message, 404, {"attendance_id": [message]})
    try:
        attendance.review_day(day, g.user, approve=approve, note=note)
    except RuleViolation as exc:
        return envelope.fail(exc.message, 422, {"attendance": [exc.message]})
    return envelope.ok(approval_json(day), "Attendance approved" if approve else "Attendance rejected")


@bp.get("/admin/attendance-approvals/pending")
@token_required("admin")
def pending_approvals():
    """``GET /api/v2/admin/attendance-approvals/pending?page=&per_page=``: the attendances with a
    part waiting for review, the one waiting longest first, items as :func:`approval_json`
    (``id`` is what ``/{attendance_id}/approve`` takes), ``meta.pagination``."""
    days, pagination = paginate(attendance.pending_days_query(), lambda day: day)
    events = attendance.days_events(days)
    items = [approval_json(day, events[(day.user_id, day.work_date)]) for day in days]
    return envelope.ok(items, "Pending attendance approvals", pagination=pagination)


@bp.post("/admin/attendance-approvals/<int:attendance_id>/approve")
@token_required("admin")
def approve_attendance(attendance_id: int):
    """``POST /api/v2/admin/attendance-approvals/{attendance_id}/approve``: ``comment`` (optional, ≤ 1000).

    ``attendance_id`` is the id of the check-in, check-out, today, history and pending
    answers.  Approves every part of it that waits (check-in, check-out or both).
    200 ``Attendance approved`` with :func:`approval_json`; 404 ``errors.attendance_id``;
    422 ``errors.attendance`` when nothing of it waits (already reviewed, or never flagged).
    """
    check = Checker(json_body())
    check.string("comment", max_length=1000)
    values = check.done()
    return _review(attendance_id, approve=True, note=values.get("comment"))


@bp.post("/admin/attendance-approvals/<int:attendance_id>/reject")
@token_required("admin")
def reject_attendance(attendance_id: int):
    """``POST /api/v2/admin/attendance-approvals/{attendance_id}/reject``: ``reason`` (required,
    ≤ 255), ``comment`` (optional, ≤ 1000).

    Rejects every part that waits.  The review note is ``"<reason>: <comment>"`` (or the
    reason alone), shown to the person.  200 ``Attendance rejected``; 404 / 422 as approve;
    422 ``errors.reason`` when missing.
    """
    check = Checker(json_body())
    check.string("reason", required=True, max_length=255)
    check.string("comment", max_length=1000)
    values = check.done()
    note = values["reason"] if not values.get("comment") else f"{values['reason']}: {values['comment']}"
    return _review(attendance_id, approve=False, note=note)


@bp.post("/admin/attendance-approvals/bulk-approve")
@token_required("admin")
def bulk_approve_attendance():
    """``POST /api/v2/admin/attendance-approvals/bulk-approve``: ``attendance_ids`` (1..100 ids, as
    the pending list gives them), ``comment`` (optional, ≤ 1000).

    All or nothing: 422 naming every id that is unknown or has nothing waiting
    (``errors["attendance_ids.<index>"]``) and nothing is approved; else 200
    ``Attendance approved`` with ``data {approved_count, attendance_ids, items}``.
    """
    check = Checker(json_body())
    _id_list(check, "attendance_ids", required=True, maximum=MAX_BULK_IDS)
    check.string("comment", max_length=1000)
    values = check.done()
    ids = values["attendance_ids"]
    known, waiting = attendance_days.review_states(ids)
    errors: dict[str, list[str]] = {}
    for index, day_id in enumerate(ids):
        if day_id not in known:
            errors[f"attendance_ids.{index}"] = [f"The selected attendance_ids.{index} is invalid."]
        elif day_id not in waiting:
            errors[f"attendance_ids.{index}"] = [f"Attendance {day_id} has already been reviewed."]
    if errors:
        raise ValidationFailed(errors)
    days = attendance.review_days(ids, g.user, approve=True, note=values.get("comment"))
    return envelope.ok({"approved_count": len(days), "attendance_ids": [d.id for d in days],
                        "items": [approval_json(d) for d in days]}, "Attendance approved")


# ---------------------------------------------------------------------------
# Reports

def _rate(counts, expected: int) -> float | None:
    """Present, late or pending-review days per counted day, in percent (1 decimal); None when none counted."""
    if not expected:
        return None
    return round(100 * (counts["present"] + counts["late"] + counts["pending_review"]) / expected, 1)


@bp.get("/admin/reports/attendance-summary")
@token_required("admin")
def attendance_summary():
    """``GET /api/v2/admin/reports/attendance-summary?from=YYYY-MM-DD&to=YYYY-MM-DD&user_id=&role=``.

    Defaults: ``from`` the first day of this local month, ``to`` today; at most 62 days.
    ``user_id`` (an active person of the clinic app: dokter, paramedis, non-paramedis,
    petugas or admin) or ``role`` (one of :data:`REPORT_ROLES`) narrow the people.
    ``data {period {from, to, days}, totals {people, present, late, pending_review, izin,
    cuti, dinas_luar, sakit, absent, expected_days, attendance_rate (percent), work_minutes,
    late_minutes, overtime_minutes}, users [{user {id, name, email, role}, <the same counts
    and minutes>, work_duration}]}``.  Day codes as
    :mod:`app.attendance.reports` (approved leave shows as its type; working days until
    yesterday without a record are absent).  422 for a malformed date, a reversed or
    too-long range, a ``user_id`` that is unknown, inactive or outside the clinic app
    (a student, a teacher ...), an unknown ``role``.
    """
    errors: dict[str, list[str]] = {}
    today = clock.local_today()
    start = query_date("from", errors) or (None if "from" in errors else today.replace(day=1))
    end = query_date("to", errors) or (None if "to" in errors else today)
    errors.update(_range_errors(start, end, "to"))
    user_id = None
    raw_user = request.args.get("user_id")
    if raw_user not in (None, ""):
        user_id = parse_int(raw_user)
        if user_id is None or user_id < 1:
            errors["user_id"] = ["The user id must be an integer."]
    role = request.args.get("role") or None
    if role is not None and role not in REPORT_ROLES:
        errors["role"] = ["The selected role is invalid."]
    if errors:
        raise ValidationFailed(errors)
    people = attendance_report.report_people([user_id] if user_id else None, role)
    if user_id and not people:
        raise ValidationFailed({"user_id": ["The selected user id is invalid."]})
    rows = attendance_report.summary(people, start, end, today=today)
    users = []
    totals: Counter = Counter()
    totals_minutes = {"work_minutes": 0, "late_minutes": 0, "overtime_minutes": 0}
    for row in rows:
        minutes = {"work_minutes": row.work_minutes, "late_minutes": row.late_minutes,
                   "overtime_minutes": row.overtime_minutes}
        for key, value in minutes.items():
            totals_minutes[key] += value
        totals.update(row.counts)
        users.append({"user": _person(row.user), **{code: row.counts[code] for code in reports.COUNTED},
                      "expected_days": row.expected_days, "attendance_rate": _rate(row.counts, row.expected_days),
                      **minutes, "work_duration": duration(row.work_minutes)})
    expected = sum(totals[code] for code in reports.COUNTED)
    data = {
        "period": {"from": start.isoformat(), "to": end.isoformat(), "days": (end - start).days + 1},
        "totals": {"people": len(rows), **{code: totals[code] for code in reports.COUNTED},
                   "expected_days": expected, "attendance_rate": _rate(totals, expected), **totals_minutes},
        "users": users,
    }
    return envelope.ok(data, "Attendance summary report")


#: Columns of the CSV export (``overtime_minutes`` only with ``include_overtime``).
EXPORT_COLUMNS = ("date", "user_id", "name", "email", "role", "status", "time_in", "time_out",
                  "work_minutes", "late_minutes")


@bp.post("/admin/reports/export-csv")
@token_required("admin")
def export_attendance_csv():
    """``POST /api/v2/admin/reports/export-csv``: ``from_date``, ``to_date`` (required, Y-m-d,
    at most 62 days), ``user_ids`` (optional, 1..500 ids of active people of the clinic app), ``include_overtime``
    (optional boolean).

    200 ``text/csv`` download ``attendance-<from>-<to>.csv`` (UTF-8 with BOM): one line per
    person and day, columns :data:`EXPORT_COLUMNS` (+ ``overtime_minutes``); ``status`` is the
    report's day code (present, late, pending_review, a leave type, absent, off, not_yet,
    future); times local ``HH:MM:SS``.  Cells starting with ``=``, ``+``, ``-``, ``@`` are
    prefixed with ``'``.  422 (envelope) naming each refused field or unknown id.
    """
    check = Checker(json_body())
    _body_date(check, "from_date")
    _body_date(check, "to_date")
    _id_list(check, "user_ids", required=False, maximum=MAX_EXPORT_USERS)
    check.boolean("include_overtime")
    values = check.done()
    start, end = values["from_date"], values["to_date"]
    range_errors = _range_errors(start, end, "to_date")
    if range_errors:
        raise ValidationFailed(range_errors)
    wanted = values.get("user_ids")
    people = attendance_report.report_people(wanted)
    if wanted:
        found = {p.id for p in people}
        unknown = {f"user_ids.{i}": [f"The selected user_ids.{i} is invalid."]
                   for i, user_id in enumerate(wanted) if user_id not in found}
        if unknown:
            raise ValidationFailed(unknown)
    include_overtime = values.get("include_overtime", False)
    header = list(EXPORT_COLUMNS) + (["overtime_minutes"] if include_overtime else [])
    lines = attendance_report.export_lines(people, start, end, overtime=include_overtime)
    return csv_response(chain([header], lines), f"attendance-{start.isoformat()}-{end.isoformat()}.csv")
