"""Work-schedule rules: the one active schedule, its windows across midnight.

A window is anchored to the *work day* (the local date the shift starts).
Check-in window: ``check_in_start`` → ``check_in_end`` (or, if unset, until
``check_out_start``).  Check-out window: ``check_out_start`` → ``check_out_end``
(or, if unset, until the next day's ``check_in_start``).  Any end earlier
than its start lies on the following day, and a check-out start earlier than
the check-in start lies on the day after the shift began (contract 001, the
"Shift Malam" example 20:00 → 04:00).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from datetime import date, datetime, time, timedelta

from sqlalchemy import update

from ..common.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from ..extensions import db
from .models import WorkSchedule


@dataclass(frozen=True)
class Window:
    """A half-open local interval ``[start, end)`` and the work day it belongs to."""

    work_date: date
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _at(day: date, t: time, tz) -> datetime:
    return datetime.combine(day, t, tzinfo=tz)


def check_in_window(schedule: WorkSchedule, work_date: date, tz) -> Window:
    """The check-in window of ``work_date`` in zone ``tz``."""
    start = _at(work_date, schedule.check_in_start, tz)
    end_t = schedule.check_in_end or schedule.check_out_start
    end = _at(work_date, end_t, tz)
    if end <= start:
        end += timedelta(days=1)
    if schedule.check_in_end is not None:
        end += timedelta(minutes=1)  # "end_jam_masuk 09:00" still accepts 09:00:59
    return Window(work_date, start, end)


def check_out_window(schedule: WorkSchedule, work_date: date, tz) -> Window:
    """The check-out window of ``work_date`` in zone ``tz``."""
    start = _at(work_date, schedule.check_out_start, tz)
    if schedule.check_out_start < schedule.check_in_start:
        start += timedelta(days=1)
    if schedule.check_out_end is not None:
        end = _at(start.date(), schedule.check_out_end, tz)
        if end <= start:
            end += timedelta(days=1)
        end += timedelta(minutes=1)
    else:
        end = _at(work_date + timedelta(days=1), schedule.check_in_start, tz)
        if end <= start:
            end += timedelta(days=1)
    return Window(work_date, start, end)


def window_at(schedule: WorkSchedule, kind: str, moment: datetime) -> Window | None:
    """The window of ``kind`` (``check_in``/``check_out``) open at ``moment``, or None.

    :param moment: an aware datetime in the organisation's zone.
    """
    make = check_in_window if kind == "check_in" else check_out_window
    tz = moment.tzinfo
    today = moment.date()
    for day in (today, today - timedelta(days=1)):
        window = make(schedule, day, tz)
        if window.contains(moment):
            return window
    return None


def late_minutes(schedule: WorkSchedule, work_date: date, moment: datetime) -> int:
    """Whole minutes after ``late_after`` on ``work_date`` (0 if on time or untracked)."""
    if schedule.late_after is None:
        return 0
    limit = _at(work_date, schedule.late_after, moment.tzinfo)
    if schedule.late_after < schedule.check_in_start:
        limit += timedelta(days=1)
    return max(0, int((moment - limit).total_seconds() // 60))


@cache
def _active_query():
    return db.select(WorkSchedule).filter_by(is_active=True)


def active_schedule() -> WorkSchedule | None:
    """The active work schedule, or None if none is set."""
    return db.session.scalar(_active_query())


def get_schedule(schedule_id: int) -> WorkSchedule:
    """:raises NotFound: no schedule with this id."""
    schedule = db.session.get(WorkSchedule, schedule_id)
    if schedule is None:
        raise NotFound("Attendance time setting not found")
    return schedule


def list_schedules() -> list[WorkSchedule]:
    """All schedules, active first, then by name."""
    return list(db.session.scalars(db.select(WorkSchedule).order_by(WorkSchedule.is_active.desc(), WorkSchedule.id)))


TIME_FIELDS = ("check_in_start", "check_in_end", "check_out_start", "check_out_end", "late_after")
REQUIRED_FIELDS = ("name", "check_in_start", "check_out_start")


def _validate(values: dict, *, partial: bool) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for key in REQUIRED_FIELDS:
        if not partial and values.get(key) in (None, ""):
            errors[key] = [f"The {key} field is required."]
    if "name" in values and values["name"] is not None:
        name = values["name"]
        if not isinstance(name, str) or not name.strip():
            errors["name"] = ["The name must be a non-empty string."]
        elif len(name.strip()) > 100:
            errors["name"] = ["The name may not be greater than 100 characters."]
        else:
            clean["name"] = name.strip()
    for key in TIME_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if value in (None, ""):
            if key in REQUIRED_FIELDS:
                errors.setdefault(key, [f"The {key} field is required."])
            else:
                clean[key] = None
            continue
        if isinstance(value, time):
            clean[key] = value
            continue
        if not isinstance(value, str):
            errors[key] = [f"The {key} must be a time in HH:mm:ss format."]
            continue
        for fmt in ("%H:%M:%S", "%H:%M"):
            try:
                clean[key] = datetime.strptime(value, fmt).time()
                break
            except ValueError:
                continue
        else:
            errors[key] = [f"The {key} must be a time in HH:mm:ss format."]
    if "is_active" in values and values["is_active"] is not None:
        if not isinstance(values["is_active"], bool):
            errors["is_active"] = ["The is_active field must be true or false."]
        else:
            clean["is_active"] = values["is_active"]
    if errors:
        raise ValidationFailed(errors)
    return clean


def _check_windows(schedule: WorkSchedule) -> None:
    """Refuse windows of zero length (start == end)."""
    errors = {}
    if schedule.check_in_end is not None and schedule.check_in_end == schedule.check_in_start:
        errors["check_in_end"] = ["The check-in window must not be empty."]
    if schedule.check_out_end is not None and schedule.check_out_end == schedule.check_out_start:
        errors["check_out_end"] = ["The check-out window must not be empty."]
    if schedule.check_out_start == schedule.check_in_start:
        errors["check_out_start"] = ["Check-out cannot start when check-in starts."]
    if errors:
        raise ValidationFailed(errors)


def _deactivate_others(keep_id: int | None) -> None:
    stmt = update(WorkSchedule).where(WorkSchedule.is_active.is_(True))
    if keep_id is not None:
        stmt = stmt.where(WorkSchedule.id != keep_id)
    db.session.execute(stmt.values(is_active=False))


def create_schedule(values: dict) -> WorkSchedule:
    """Create a schedule from plain values (times as ``time`` or ``"HH:mm[:ss]"``).

    The first schedule ever created becomes active whatever ``is_active`` says
    (exactly one is always active).
    :raises ValidationFailed: a missing or malformed field (keys of the model).
    """
    clean = _validate(values, partial=False)
    make_active = clean.pop("is_active", False)
    schedule = WorkSchedule(**clean, is_active=False)
    _check_windows(schedule)
    db.session.add(schedule)
    db.session.flush()
    if make_active or active_schedule() is None:
        set_active(schedule)
    return schedule


def update_schedule(schedule: WorkSchedule, values: dict) -> WorkSchedule:
    """Change only the given fields.

    :raises ValidationFailed: malformed field.
    :raises RuleViolation: ``is_active: false`` on the active schedule (one must stay active).
    """
    clean = _validate(values, partial=True)
    make_active = clean.pop("is_active", None)
    if make_active is False and schedule.is_active:
        raise RuleViolation("Activate another attendance time setting instead of deactivating the active one",
                            field="is_active")
    for key, value in clean.items():
        setattr(schedule, key, value)
    _check_windows(schedule)
    db.session.flush()
    if make_active:
        set_active(schedule)
    return schedule


def delete_schedule(schedule: WorkSchedule) -> str:
    """Delete a schedule and return its name.

    :raises Conflict: it is the last one, or it is the active one.
    """
    count = db.session.scalar(db.select(db.func.count(WorkSchedule.id)))
    if count <= 1:
        raise Conflict("Cannot delete the last attendance time setting")
    if schedule.is_active:
        raise Conflict("Cannot delete the active attendance time setting; activate another one first")
    name = schedule.name
    db.session.delete(schedule)
    db.session.flush()
    return name


def set_active(schedule: WorkSchedule) -> WorkSchedule:
    """Make ``schedule`` the only active one, in the current transaction."""
    _deactivate_others(schedule.id)
    db.session.flush()
    schedule.is_active = True
    db.session.flush()
    return schedule
