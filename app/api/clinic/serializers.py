"""JSON shapes of the clinic dialect (contract 000), built from the shared models.

Times are printed as the contract does: instants in UTC
``2025-07-15T10:30:00.000000Z``; attendance dates ``YYYY-MM-DD`` and clock
times ``HH:MM:SS`` in the organisation's timezone; durations ``"8h 30m"``.
"""
from __future__ import annotations

from datetime import datetime

from ...accounts.models import ApiToken, User
from ...accounts.roles import ROLE_BY_KEY
from ...attendance.models import DailyAttendance
from ...clinic.attendance_report import day_end, schedules_by_id  # noqa: F401 (schedules_by_id: used by the routes)
from ...common import clock
from ...extensions import db
from ...schedules import services as schedules
from ...schedules.models import WorkSchedule

#: ``role.display_name`` of the contract's roles (its example: ``petugas`` → "Staff Petugas").
ROLE_DISPLAY_NAMES = {
    "dokter": "Dokter",
    "paramedis": "Paramedis",
    "non_paramedis": "Non-Paramedis",
    "petugas": "Staff Petugas",
    "admin": "Administrator",
}


def work_location(office) -> dict:
    """An office as a work location: id, name, latitude, longitude, radius_meters, location_type, address."""
    return {"id": office.id, "name": office.name, "latitude": office.latitude, "longitude": office.longitude,
            "radius_meters": office.geofence_radius_m, "location_type": "main_office", "address": office.address}


def role(user: User) -> dict:
    """The role object of ``auth/me``: ``{"id", "name" (key), "display_name"}``."""
    entry = ROLE_BY_KEY.get(user.role)
    return {"id": entry.id if entry else None, "name": user.role,
            "display_name": ROLE_DISPLAY_NAMES.get(user.role) or (str(entry.label) if entry else user.role)}


def login_user(user: User) -> dict:
    """``data.user`` of the login answer: id, name, email, role (key)."""
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role}


def me(user: User) -> dict:
    """``auth/me``: id, name, email, phone, role object, is_active, last_login, created_at."""
    return {"id": user.id, "name": user.name, "email": user.email, "phone": user.phone, "role": role(user),
            "is_active": user.is_active, "last_login": clock.iso_utc(user.last_login_at),
            "created_at": clock.iso_utc(user.created_at)}


def session(row: ApiToken, current: ApiToken) -> dict:
    """One session of ``auth/sessions``: id (text), device_name, ip_address, user_agent,
    last_activity, created_at, expires_at, biometric_enabled, current."""
    return {"id": str(row.id), "device_name": row.name, "ip_address": row.ip, "user_agent": row.user_agent,
            "last_activity": clock.iso_utc(row.last_used_at or row.created_at), "created_at": clock.iso_utc(row.created_at),
            "expires_at": clock.iso_utc(row.expires_at), "biometric_enabled": row.biometric_enabled_at is not None,
            "current": row.id == current.id}


def duration(minutes: int | None) -> str | None:
    """``"8h 30m"`` for 510 minutes; None for None."""
    if minutes is None:
        return None
    return f"{minutes // 60}h {minutes % 60}m"


def local_time(moment: datetime | None, zone=None) -> str | None:
    """Local ``HH:MM:SS`` of a UTC instant (aware ``datetime``); None for None.

    :param zone: the organisation's zone (:func:`app.common.clock.local_zone`) when formatting
        many times in one request (read once instead of from the app's config per call).
    """
    if not moment:
        return None
    return moment.astimezone(zone or clock.local_zone()).strftime("%H:%M:%S")


#: Work schedules by id, and the organisation's active one under ``None``: what a list of days
#: needs to judge each day without a query per day (:func:`schedules_by_id`).
ScheduleMap = dict


def schedule_of(day: DailyAttendance, known: ScheduleMap | None = None) -> WorkSchedule | None:
    """The work schedule the day was recorded under, else the active one.

    :param known: :func:`schedules_by_id` when judging many days (no query); without it, one
        query for this day.
    """
    if known is not None:
        return known.get(day.schedule_id) or known[None]
    if day.schedule_id is not None:
        found = db.session.get(WorkSchedule, day.schedule_id)
        if found is not None:
            return found
    return schedules.active_schedule()


def overtime_minutes(day: DailyAttendance, known: ScheduleMap | None = None) -> int:
    """Minutes worked after the schedule's check-out start (end of the working day) on the day's date.

    A night shift (check-out start before check-in start) ends on the next day.
    0 without a check-out or a schedule.  ``known``: as :func:`schedule_of`.  ``day`` may also
    be a plain row with ``work_date``, ``schedule_id`` and ``time_out``.
    """
    if day.time_out is None:
        return 0
    schedule = schedule_of(day, known)
    if schedule is None:
        return 0
    local_out = clock.to_local(day.time_out)
    end = day_end(day.work_date, schedule, local_out.tzinfo)
    return max(0, int((local_out - end).total_seconds() // 60))


def day_status(day: DailyAttendance) -> str:
    """``completed`` (in and out), ``checked_in`` (in only), ``pending_review`` (in, awaiting review),
    ``rejected`` (its check-in was rejected)."""
    if day.time_in is None:
        return "rejected"
    if day.time_out is not None:
        return "completed"
    return "pending_review" if day.status == "pending_review" else "checked_in"


def location_name(day: DailyAttendance) -> str | None:
    """The office name of the day's check-in, if any."""
    event = day.check_in_event
    return event.office.name if event is not None and event.office is not None else None


def history_item(day: DailyAttendance, known: ScheduleMap | None = None) -> dict:
    """One day of ``attendance/history``: id, date, time_in, time_out, work_duration, status,
    location (office name), overtime_minutes, late_minutes.  ``known``: as :func:`schedule_of`."""
    return {"id": day.id, "date": day.work_date.isoformat(), "time_in": local_time(day.time_in),
            "time_out": local_time(day.time_out), "work_duration": duration(day.worked_minutes),
            "status": day_status(day), "location": location_name(day),
            "overtime_minutes": overtime_minutes(day, known), "late_minutes": day.late_minutes}
