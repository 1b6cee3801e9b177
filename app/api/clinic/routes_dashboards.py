"""Contract 000 "Dashboard Endpoints" and "Testing Endpoints": the role dashboards.

Each dashboard is for one role (``token_required("<role>")``): another role gets
403 ``This action is unauthorized.`` (``errors.role``), a missing or dead token 401.
Every figure comes from the data:

- attendance from the shared attendance (:class:`~app.attendance.models.DailyAttendance`
  and :class:`~app.attendance.models.AttendanceEvent`); the work day is the
  organisation's local date; a day in progress counts its minutes up to now;
- shifts from the person's own schedule (:mod:`app.schedules.resolution`: roster,
  own, department, office, organisation): ``shifts_this_month`` / ``shifts_week`` count
  the days scheduled as working days (not a day off or holiday) of this local month /
  ISO week, and ``work_schedule`` is the person's schedule of today;
- procedures (*tindakan*), patients and service fees (*jaspel*, whole rupiah) from
  :mod:`app.clinic.services`: sums of approved and pending shares for the period
  (this local month, this ISO week Monday–Sunday), never a rejected one.

Clock times are local ``HH:MM`` as the contract prints them (``"08:00"``), durations
``"4h 30m"``.  The non-paramedis check-in and check-out are the same as
``/attendance/checkin`` and ``/attendance/checkout`` (:mod:`.routes_attendance`),
sharing their ``attendance`` rate-limit budget.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import g, request

from ...attendance import days as attendance_days
from ...attendance.models import DailyAttendance
from ...clinic import services as clinic
from ...common import clock
from ...common.errors import ValidationFailed
from ...schedules import services as schedules
from ...schedules.resolution import resolve_days
from . import envelope
from .auth import token_required
from .blueprint import bp
from .ratelimit import rate_limit
from .routes_attendance import check_in_answer, check_out_answer
from .serializers import ROLE_DISPLAY_NAMES, duration, work_location
from .validation import query_int

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- helpers ---------------------------------------------------------------

def _today() -> date:
    """The local work day now (the server's clock)."""
    return clock.to_local(clock.now()).date()


def initials(name: str) -> str:
    """Up to two capital initials of a name: ``"Perawat Sari"`` → ``"PS"``, ``"Dr. Ahmad"`` → ``"DA"``."""
    letters = [word[0] for word in name.replace(".", " ").split() if word[:1].isalpha()]
    return "".join(letters[:2]).upper()


def _user_json(user, *, with_id: bool = True) -> dict:
    body = {"id": user.id} if with_id else {}
    body.update({"name": user.name, "initials": initials(user.name),
                 "role": ROLE_DISPLAY_NAMES.get(user.role, user.role)})
    return body


def _hm(moment) -> str | None:
    """Local ``HH:MM`` of a UTC instant."""
    return clock.to_local(moment).strftime("%H:%M") if moment else None


def _minutes_so_far(day: DailyAttendance | None) -> int | None:
    """Minutes worked: check-in to check-out, or to now while the day is in progress; None without a check-in."""
    if day is None or day.time_in is None:
        return None
    if day.time_out is not None:
        return day.worked_minutes or 0
    return max(0, int((clock.now() - day.time_in).total_seconds() // 60))


def _attendance_status(day: DailyAttendance | None) -> str:
    """``checked_out``, ``checked_in`` or ``not_checked_in`` (also for a day whose check-in was rejected)."""
    if day is None or day.time_in is None:
        return "not_checked_in"
    return "checked_out" if day.time_out is not None else "checked_in"


def _today_status(user) -> dict:
    """Today's attendance: ``{date, status, checked_in, check_in_time, check_out_time, work_duration,
    work_minutes, requires_review}`` (``requires_review``: the check-in awaits a reviewer)."""
    work_date = _today()
    day = attendance_days.day_of(user.id, work_date)
    minutes = _minutes_so_far(day)
    status = _attendance_status(day)
    return {"date": work_date.isoformat(), "status": status, "checked_in": status != "not_checked_in",
            "check_in_time": _hm(day.time_in) if day else None, "check_out_time": _hm(day.time_out) if day else None,
            "work_duration": duration(minutes), "work_minutes": minutes,
            "requires_review": bool(day is not None and day.time_in is not None and day.status == "pending_review")}


def _days(user, start: date, end: date) -> list[DailyAttendance]:
    """``user``'s days with a check-in in local dates ``[start, end)``, oldest first."""
    return attendance_days.checked_in_days(user.id, start, end)


def _schedule_json(schedule) -> dict | None:
    """A work schedule: ``{id, name, code, color, check_in_start, check_in_end, check_out_start,
    check_out_end, late_after}`` (local ``HH:MM``), or None."""
    if schedule is None:
        return None

    def hm(value):
        """A time of day as ``HH:MM``, or None when unset."""
        return value.strftime("%H:%M") if value else None

    return {"id": schedule.id, "name": schedule.name, "code": schedule.code, "color": schedule.color,
            "check_in_start": hm(schedule.check_in_start), "check_in_end": hm(schedule.check_in_end),
            "check_out_start": hm(schedule.check_out_start), "check_out_end": hm(schedule.check_out_end),
            "late_after": hm(schedule.late_after)}


def _scheduled(user, start: date, end: date):
    """``user``'s schedule of each local date in ``[start, end)`` (one statement)."""
    return resolve_days(user, [start + timedelta(days=n) for n in range((end - start).days)])


def _shift_count(user, start: date, end: date) -> int:
    """Days of ``[start, end)`` scheduled as working days for ``user`` (shifts, not days off)."""
    return sum(1 for day in _scheduled(user, start, end) if day.is_working_day)


def _today_schedule(user):
    """``user``'s work schedule of today (None when no schedule applies at all)."""
    return resolve_days(user, [_today()])[0].schedule


# --- paramedis ---------------------------------------------------------------

@bp.get("/dashboards/paramedis/")
@token_required("paramedis")
def paramedis_dashboard():
    """``GET /api/v2/dashboards/paramedis/`` (role paramedis).

    ``data {user {name, role, initials}, stats {jaspel_monthly, jaspel_weekly, approved_jaspel,
    pending_jaspel, minutes_worked, shifts_this_month}, today_attendance {checked_in,
    check_in_time, work_duration, ...}}``.  Money in whole rupiah: ``jaspel_monthly`` and
    ``jaspel_weekly`` are approved + pending shares of this local month / ISO week,
    ``approved_jaspel`` and ``pending_jaspel`` this month's split; ``minutes_worked`` is this
    month's, ``shifts_this_month`` the shifts scheduled for the person this month.  401, 403 for
    another role.
    """
    user, today = g.user, _today()
    month, week = clinic.month_range(today), clinic.week_range(today)
    month_fees, week_fees = clinic.service_fee_totals(user, *month), clinic.service_fee_totals(user, *week)
    days = _days(user, *month)
    return envelope.ok({
        "user": _user_json(user),
        "stats": {"jaspel_monthly": month_fees.total, "jaspel_weekly": week_fees.total,
                  "approved_jaspel": month_fees.approved, "pending_jaspel": month_fees.pending,
                  "minutes_worked": sum(_minutes_so_far(d) or 0 for d in days),
                  "shifts_this_month": _shift_count(user, *month)},
        "today_attendance": _today_status(user),
    }, "Paramedis dashboard")


@bp.get("/dashboards/paramedis/schedule")
@token_required("paramedis")
def paramedis_schedule():
    """``GET /api/v2/dashboards/paramedis/schedule`` (role paramedis): the person's own shifts.

    ``data {work_schedule {id, name, code, color, check_in_start, check_in_end, check_out_start,
    check_out_end, late_after} | null (today's), today {date, check_in_opens, check_in_closes,
    check_out_opens, check_out_closes, day_off, off_reason, holiday} | null, week [{date, day,
    status, shift {...as work_schedule} | null, day_off, off_reason, holiday, check_in_time,
    check_out_time, work_duration}] (Monday to Sunday of this week)}``.  A day's ``status``:
    ``checked_out``, ``checked_in``, ``not_checked_in``, ``day_off`` (nothing recorded on a day
    off or holiday), or ``scheduled`` (later this week).  ``shift`` is the day's schedule
    (null on a day off); ``off_reason``: ``roster``, ``holiday`` or ``weekday``; ``holiday``: its
    name.  Window times are local ``YYYY-MM-DDTHH:MM`` (a night shift closes the next day).
    """
    user, today = g.user, _today()
    start, end = clinic.week_range(today)
    scheduled = {day.work_date: day for day in _scheduled(user, start, end)}
    mine = scheduled[today]
    windows = None
    if mine.schedule is not None:
        zone = clock.local_zone()
        check_in = schedules.check_in_window(mine.schedule, today, zone)
        check_out = schedules.check_out_window(mine.schedule, today, zone)
        fmt = "%Y-%m-%dT%H:%M"
        windows = {"date": today.isoformat(), "check_in_opens": check_in.start.strftime(fmt),
                   "check_in_closes": check_in.end.strftime(fmt), "check_out_opens": check_out.start.strftime(fmt),
                   "check_out_closes": check_out.end.strftime(fmt), "day_off": mine.day_off,
                   "off_reason": mine.off_reason, "holiday": mine.holiday.name if mine.holiday else None}
    recorded = {d.work_date: d for d in _days(user, start, end)}
    week = []
    for offset in range((end - start).days):
        day_date = start + timedelta(days=offset)
        day = recorded.get(day_date)
        plan = scheduled[day_date]
        if day_date > today:
            status = "day_off" if plan.day_off else "scheduled"
        elif day is None and plan.day_off:
            status = "day_off"
        else:
            status = _attendance_status(day)
        week.append({"date": day_date.isoformat(), "day": _DAY_NAMES[day_date.weekday()], "status": status,
                     "shift": None if plan.day_off else _schedule_json(plan.schedule), "day_off": plan.day_off,
                     "off_reason": plan.off_reason, "holiday": plan.holiday.name if plan.holiday else None,
                     "check_in_time": _hm(day.time_in) if day else None,
                     "check_out_time": _hm(day.time_out) if day else None,
                     "work_duration": duration(_minutes_so_far(day))})
    return envelope.ok({"work_schedule": _schedule_json(mine.schedule), "today": windows, "week": week},
                       "Paramedis schedule")


@bp.get("/dashboards/paramedis/performance")
@token_required("paramedis")
def paramedis_performance():
    """``GET /api/v2/dashboards/paramedis/performance?year=2025&month=7`` (role paramedis; default this month).

    ``data {period {year, month, start_date, end_date}, attendance {days_present, days_late,
    on_time_rate (percent of days present, one decimal), total_work_minutes, total_work_duration,
    average_work_minutes (of completed days), total_late_minutes}, procedures {total (approved +
    pending), approved, pending, rejected, patients (distinct, not rejected)}, jaspel {approved,
    pending, total} (whole rupiah)}``.  422 for a year outside 2000..2100 or a month outside 1..12.
    """
    errors: dict[str, list[str]] = {}
    today = _today()
    year = query_int("year", errors, default=today.year, minimum=2000, maximum=2100)
    month = query_int("month", errors, default=today.month, minimum=1, maximum=12)
    if errors:
        raise ValidationFailed(errors)
    user = g.user
    start, end = clinic.month_range(date(year, month, 1))
    days = _days(user, start, end)
    completed = [d for d in days if d.time_out is not None]
    late = [d for d in days if d.late_minutes > 0]
    total = sum(d.worked_minutes or 0 for d in completed)
    summary = clinic.procedure_summary(user, start, end)
    fees = clinic.service_fee_totals(user, start, end)
    return envelope.ok({
        "period": {"year": year, "month": month, "start_date": start.isoformat(),
                   "end_date": (end - timedelta(days=1)).isoformat()},
        "attendance": {"days_present": len(days), "days_late": len(late),
                       "on_time_rate": round(100 * (len(days) - len(late)) / len(days), 1) if days else 0.0,
                       "total_work_minutes": total, "total_work_duration": duration(total),
                       "average_work_minutes": round(total / len(completed)) if completed else 0,
                       "total_late_minutes": sum(d.late_minutes for d in days)},
        "procedures": {"total": summary.procedures, "approved": summary.approved, "pending": summary.pending,
                       "rejected": summary.rejected, "patients": summary.patients},
        "jaspel": {"approved": fees.approved, "pending": fees.pending, "total": fees.total},
    }, "Paramedis performance")


# --- dokter ------------------------------------------------------------------

@bp.get("/dashboards/dokter/")
@token_required("dokter")
def dokter_dashboard():
    """``GET /api/v2/dashboards/dokter/`` (role dokter).

    ``data {user {id, name, initials, role}, stats {patients_today (distinct patients of today's
    approved and pending procedures), tindakan_today (those procedures), jaspel_month (approved +
    pending shares this local month, whole rupiah), shifts_week (shifts scheduled this ISO week)},
    current_status ("active" while checked in and not out, else "inactive"), quick_actions [{id,
    title, subtitle, icon, action, enabled}]}``.  401, 403 for another role.
    """
    user, today = g.user, _today()
    summary = clinic.procedure_summary(user, today, today + timedelta(days=1))
    fees = clinic.service_fee_totals(user, *clinic.month_range(today))
    status = _today_status(user)
    return envelope.ok({
        "user": _user_json(user),
        "stats": {"patients_today": summary.patients, "tindakan_today": summary.procedures,
                  "jaspel_month": fees.total, "shifts_week": _shift_count(user, *clinic.week_range(today))},
        "current_status": "active" if status["status"] == "checked_in" else "inactive",
        "quick_actions": [
            {"id": "presensi", "title": "Presensi", "subtitle": "Kelola kehadiran dan absensi", "icon": "📋",
             "action": "presensi", "enabled": _today_schedule(user) is not None},
            {"id": "jaspel", "title": "Jaspel", "subtitle": "Lihat jasa pelayanan bulan ini", "icon": "💰",
             "action": "jaspel", "enabled": True},
        ],
    }, "Dokter dashboard")


@bp.get("/dashboards/dokter/attendance/status")
@token_required("dokter")
def dokter_attendance_status():
    """``GET /api/v2/dashboards/dokter/attendance/status`` (role dokter).

    ``data {status (checked_in|checked_out|not_checked_in), check_in_time, check_out_time
    (local "HH:MM"), work_duration ("4h 15m", to now while checked in), work_minutes, date,
    checked_in, requires_review}``.
    """
    return envelope.ok(_today_status(g.user), "Attendance status")


@bp.get("/dashboards/dokter/attendance/today-history")
@token_required("dokter")
def dokter_today_history():
    """``GET /api/v2/dashboards/dokter/attendance/today-history`` (role dokter).

    ``data {date, status, history [{attendance_id, type (check_in|check_out), time (local
    "HH:MM:SS"), source, location {id, name, distance_meters} | null, review_state
    (not_required|pending|approved|rejected)}]}``: today's check-ins and check-outs in
    order, rejected ones included.  ``attendance_id`` is today's attendance, the same id
    as the check-in answer and the approvals (one id space, :mod:`app.api.clinic`).
    """
    user, today = g.user, _today()
    events = attendance_days.events_of_day(user.id, today)
    day = attendance_days.day_of(user.id, today)
    history = [{
        "attendance_id": day.id if day is not None else None, "type": event.kind,
        "time": clock.to_local(event.occurred_at).strftime("%H:%M:%S"),
        "source": event.source,
        "location": {"id": event.office.id, "name": event.office.name,
                     "distance_meters": round(event.distance_m, 1) if event.distance_m is not None else None}
        if event.office is not None else None,
        "review_state": event.review_state,
    } for event in events]
    return envelope.ok({"date": today.isoformat(), "status": _today_status(user)["status"], "history": history},
                       "Today's attendance history")


@bp.get("/dashboards/dokter/test")
@token_required("dokter")
def dokter_test():
    """``GET /api/v2/dashboards/dokter/test`` (contract "Testing Endpoints", role dokter).

    200 ``API endpoint is working - Authentication verified`` with ``data {user {id, name, role,
    authenticated, role_validated}, session {token_name, ip_address, user_agent}}`` (the
    session as recorded when the token was issued).
    """
    user, token = g.user, g.api_token
    return envelope.ok({
        "user": {"id": user.id, "name": user.name, "role": user.role, "authenticated": True,
                 "role_validated": True},
        "session": {"token_name": token.name, "ip_address": token.ip or request.remote_addr,
                    "user_agent": token.user_agent or request.headers.get("User-Agent")},
    }, "API endpoint is working - Authentication verified")


# --- non-paramedis -------------------------------------------------------------

@bp.get("/dashboards/nonparamedis/")
@token_required("non_paramedis")
def nonparamedis_dashboard():
    """``GET /api/v2/dashboards/nonparamedis/`` (role non_paramedis).

    ``data {user {id, name, initials, role}, today_attendance {date, status, checked_in,
    check_in_time, check_out_time, work_duration, work_minutes, requires_review}, stats
    {days_present_month, days_late_month, minutes_worked_month, work_duration_month,
    shifts_week (scheduled this ISO week)}, work_schedule {...} | null (the person's of today),
    work_location {id, name, latitude, longitude, radius_meters, location_type, address} | null}``.
    """
    user, today = g.user, _today()
    days = _days(user, *clinic.month_range(today))
    minutes = sum(_minutes_so_far(d) or 0 for d in days)
    return envelope.ok({
        "user": _user_json(user),
        "today_attendance": _today_status(user),
        "stats": {"days_present_month": len(days), "days_late_month": sum(1 for d in days if d.late_minutes > 0),
                  "minutes_worked_month": minutes, "work_duration_month": duration(minutes),
                  "shifts_week": _shift_count(user, *clinic.week_range(today))},
        "work_schedule": _schedule_json(_today_schedule(user)),
        "work_location": work_location(user.office) if user.office is not None else None,
    }, "Non-paramedis dashboard")


@bp.post("/dashboards/nonparamedis/attendance/checkin")
@rate_limit("attendance")
@token_required("non_paramedis")
def nonparamedis_check_in():
    """``POST /api/v2/dashboards/nonparamedis/attendance/checkin`` (role non_paramedis):
    ``latitude``, ``longitude``, ``accuracy``, ``work_location_id``.

    The same check-in as ``POST /attendance/checkin`` (:func:`.routes_attendance.check_in_answer`):
    its answers and its 422s.
    """
    return check_in_answer()


@bp.post("/dashboards/nonparamedis/attendance/checkout")
@rate_limit("attendance")
@token_required("non_paramedis")
def nonparamedis_check_out():
    """``POST /api/v2/dashboards/nonparamedis/attendance/checkout`` (role non_paramedis):
    ``latitude``, ``longitude``, ``accuracy``.

    The same check-out as ``POST /attendance/checkout`` (:func:`.routes_attendance.check_out_answer`).
    """
    return check_out_answer()
