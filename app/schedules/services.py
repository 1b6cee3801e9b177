"""Work schedules: create, change, delete, the organisation's default, and the rules of a day.

A window is anchored to the *work day* (the local date the shift starts).
Check-in window: ``check_in_start`` → ``check_in_end`` (or, if unset, until
``check_out_start``).  Check-out window: ``check_out_start`` → ``check_out_end``
(or, if unset, until the next day's ``check_in_start``).  Any end earlier
than its start lies on the following day, and a check-out start earlier than
the check-in start lies on the day after the shift began (contract 001, the
"Shift Malam" example 20:00 → 04:00).  An end time includes its whole minute
("``end_jam_masuk`` 09:00" still accepts 09:00:59).

The rules of a day (late, early leave, scheduled start and end) are plain
functions of a schedule, a work day and a moment, so every dialect, the kiosk
and ``attendance close-days`` judge alike.  Which schedule applies to a person
on a date: :mod:`.resolution`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from sqlalchemy import update

from ..common.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from .models import (LATE_POLICIES, MISSED_CHECK_OUT_POLICIES, RosterEntry, ScheduleAssignment, ShiftPatternStep,
                     WorkSchedule, weekdays_to_mask)

ONE_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Window:
    """A half-open local interval ``[start, end)`` and the work day it belongs to."""

    work_date: date
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        """True when ``moment`` (an aware ``datetime``) is in ``[start, end)``."""
        return self.start <= moment < self.end


def _at(day: date, t: time, tz) -> datetime:
    return datetime.combine(day, t, tzinfo=tz)


def _after_start(schedule: WorkSchedule, work_date: date, t: time, tz) -> datetime:
    """``t`` on the work day, or on the next day when it is earlier than check-in opening."""
    moment = _at(work_date, t, tz)
    if t < schedule.check_in_start:
        moment += timedelta(days=1)
    return moment


def check_in_window(schedule: WorkSchedule, work_date: date, tz) -> Window:
    """The check-in window of ``work_date`` in zone ``tz``."""
    start = _at(work_date, schedule.check_in_start, tz)
    end_t = schedule.check_in_end or schedule.check_out_start
    end = _at(work_date, end_t, tz)
    if end <= start:
        end += timedelta(days=1)
    if schedule.check_in_end is not None:
        end += ONE_MINUTE  # "end_jam_masuk 09:00" still accepts 09:00:59
    return Window(work_date, start, end)


def admission_window(schedule: WorkSchedule, work_date: date, tz) -> Window:
    """When a check-in of ``work_date`` is accepted at all.

    ``refuse`` policy: the check-in window.  ``record_late``: from the opening of
    check-in to the end of the ``late_cutoff`` minute (a check-in after the
    regular window is recorded late and flagged for review).
    """
    window = check_in_window(schedule, work_date, tz)
    if schedule.late_policy != "record_late" or schedule.late_cutoff is None:
        return window
    cutoff = _at(work_date, schedule.late_cutoff, tz)
    if cutoff <= window.start:
        cutoff += timedelta(days=1)
    return Window(work_date, window.start, max(window.end, cutoff + ONE_MINUTE))


def check_out_window(schedule: WorkSchedule, work_date: date, tz) -> Window:
    """The check-out window of ``work_date`` in zone ``tz``."""
    start = _at(work_date, schedule.check_out_start, tz)
    if schedule.check_out_start < schedule.check_in_start:
        start += timedelta(days=1)
    if schedule.check_out_end is not None:
        end = _at(start.date(), schedule.check_out_end, tz)
        if end <= start:
            end += timedelta(days=1)
        end += ONE_MINUTE
    else:
        end = _at(work_date + timedelta(days=1), schedule.check_in_start, tz)
        if end <= start:
            end += timedelta(days=1)
    return Window(work_date, start, end)


def window_at(schedule: WorkSchedule, kind: str, moment: datetime) -> Window | None:
    """The window of ``kind`` (``check_in``/``check_out``) of one schedule open at ``moment``, or None.

    Looks at the work day of ``moment``'s date and the day before (a night shift's
    check-out).  For a person whose schedule differs from day to day, use
    :func:`app.attendance.services.find_window`, which takes each day's own schedule.

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


def scheduled_start(schedule: WorkSchedule, work_date: date, tz) -> datetime:
    """When work starts on ``work_date``: ``late_after`` (else check-in opening), local."""
    return _after_start(schedule, work_date, schedule.scheduled_start, tz)


def scheduled_end(schedule: WorkSchedule, work_date: date, tz) -> datetime:
    """When work ends on ``work_date``: ``work_end`` (else check-out opening), local; after the start."""
    end = _after_start(schedule, work_date, schedule.scheduled_end, tz)
    start = scheduled_start(schedule, work_date, tz)
    while end <= start:
        end += timedelta(days=1)
    return end


def late_minutes(schedule: WorkSchedule, work_date: date, moment: datetime) -> int:
    """Whole minutes after ``late_after`` on ``work_date``, when more than the grace period.

    The grace decides *whether* a check-in is late, not by how much: with
    ``late_after`` 08:00 and 10 minutes' grace, 08:10 is on time (0) and 08:11 is
    11 minutes late (the delay from the scheduled start, as the monthly recap
    reports it).  0 when lateness is not tracked (``late_after`` None).
    """
    if schedule.late_after is None:
        return 0
    limit = _after_start(schedule, work_date, schedule.late_after, moment.tzinfo)
    minutes = int((moment - limit).total_seconds() // 60)
    return minutes if minutes > (schedule.grace_minutes or 0) else 0


def early_leave_minutes(schedule: WorkSchedule, work_date: date, moment: datetime) -> int:
    """Whole minutes a check-out at ``moment`` lies before the scheduled end, when more
    than ``early_leave_threshold_minutes`` (else 0)."""
    end = scheduled_end(schedule, work_date, moment.tzinfo)
    minutes = int((end - moment).total_seconds() // 60)
    return minutes if minutes > (schedule.early_leave_threshold_minutes or 0) else 0


# --- the organisation's default ------------------------------------------------------

@cache
def _active_query():
    return db.select(WorkSchedule).filter_by(is_active=True)


def active_schedule() -> WorkSchedule | None:
    """The organisation's default (active) schedule, or None if none is set.

    It is the schedule of everyone with no roster entry or assignment for a date
    (:mod:`.resolution`) and the one contract 001's ``GET /api/jam-absensi/active``
    returns.
    """
    return db.session.scalar(_active_query())


def get_schedule(schedule_id: int) -> WorkSchedule:
    """:raises NotFound: no schedule with this id."""
    schedule = db.session.get(WorkSchedule, schedule_id)
    if schedule is None:
        raise NotFound(N_("Attendance time setting not found"))
    return schedule


def find_schedule(name_or_code: str) -> WorkSchedule:
    """The schedule with this code (e.g. ``P``), else with this exact name.

    :raises NotFound: none (``field="schedule"``).
    """
    text = (name_or_code or "").strip()
    found = db.session.scalar(db.select(WorkSchedule).filter_by(code=text)) if text else None
    if found is None and text:
        found = db.session.scalars(db.select(WorkSchedule).filter_by(name=text).order_by(WorkSchedule.id)).first()
    if found is None:
        raise NotFound(N_("Attendance time setting not found"), field="schedule")
    return found


def list_schedules() -> list[WorkSchedule]:
    """All schedules, active first, then by id."""
    return list(db.session.scalars(db.select(WorkSchedule).order_by(WorkSchedule.is_active.desc(), WorkSchedule.id)))


def schedules_by_id() -> list[WorkSchedule]:
    """All schedules by id (the roster colour stylesheet's stable order)."""
    return list(db.session.scalars(db.select(WorkSchedule).order_by(WorkSchedule.id)))


def used_colors() -> list[str | None]:
    """The roster colour (``#rrggbb``, or None) of every schedule, in no particular order."""
    return list(db.session.scalars(db.select(WorkSchedule.color)))


# --- validation ---------------------------------------------------------------------

TIME_FIELDS = ("check_in_start", "check_in_end", "check_out_start", "check_out_end", "late_after",
               "late_cutoff", "work_end")
REQUIRED_FIELDS = ("name", "check_in_start", "check_out_start")
#: Whole-minute fields: ``(low, high, may be None)``.  The auto-approved overtime
#: stops at 240 minutes, the daily limit of PP 35/2021 art. 26(1) ("paling lama 4 jam
#: dalam 1 hari dan 18 jam dalam 1 minggu"; UU 13/2003 art. 78 as amended by UU
#: 6/2023): longer claims always go to a reviewer.
MINUTE_FIELDS = {
    "grace_minutes": (0, 240, False),
    "early_leave_threshold_minutes": (0, 240, False),
    "reminder_lead_minutes": (0, 240, False),
    "overtime_threshold_minutes": (0, 240, True),
    "overtime_auto_approve_minutes": (0, 240, False),
}
CHOICE_FIELDS = {"late_policy": LATE_POLICIES, "missed_check_out_policy": MISSED_CHECK_OUT_POLICIES}
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CODE = re.compile(r"^[0-9A-Za-z]{1,8}$")

#: Messages of :func:`_validate` with ``%(field)s`` (for the catalogs; the dialects speak English).
_MESSAGES = (
    N_("The %(field)s field is required."), N_("The %(field)s must be a time in HH:mm:ss format."),
    N_("The %(field)s must be a whole number of minutes between %(low)s and %(high)s."),
)
#: "The <field> field is required." of the required fields, written out for the catalogs.
_REQUIRED_TEXTS = {
    "name": N_("The name field is required."),
    "check_in_start": N_("The check_in_start field is required."),
    "check_out_start": N_("The check_out_start field is required."),
}
#: "The <field> must be a time in HH:mm:ss format." of the window fields the admin form shows.
_TIME_FORMAT_TEXTS = {
    "check_in_start": N_("The check_in_start must be a time in HH:mm:ss format."),
    "check_in_end": N_("The check_in_end must be a time in HH:mm:ss format."),
    "check_out_start": N_("The check_out_start must be a time in HH:mm:ss format."),
    "check_out_end": N_("The check_out_end must be a time in HH:mm:ss format."),
    "late_after": N_("The late_after must be a time in HH:mm:ss format."),
}


def _parse_time(value, key: str, errors: dict):
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        for fmt in ("%H:%M:%S", "%H:%M"):
            try:
                return datetime.strptime(value.strip(), fmt).time()
            except ValueError:
                continue
    errors[key] = [_TIME_FORMAT_TEXTS.get(key) or f"The {key} must be a time in HH:mm:ss format."]
    return None


def parse_weekdays(value) -> tuple[int, ...]:
    """Working weekdays from ``[1, 2, 3]``, ``("1", "2")`` or ``"1,2,3"`` / ``"1-5"`` (ISO: 1 = Monday).

    :raises ValueError: not a non-empty set of days 1..7.
    """
    if isinstance(value, str):
        days: set[int] = set()
        for part in value.replace(" ", "").split(","):
            match = re.fullmatch(r"([1-7])(?:-([1-7]))?", part)
            if not match or (match[2] and int(match[2]) < int(match[1])):
                raise ValueError("not weekdays")
            days.update(range(int(match[1]), int(match[2] or match[1]) + 1))
        return tuple(sorted(days))
    if isinstance(value, (list, tuple, set, frozenset)):
        days = set()
        for item in value:
            if isinstance(item, bool):
                raise ValueError("not weekdays")
            if isinstance(item, str) and item.strip().isdigit():
                item = int(item.strip())
            if not isinstance(item, int) or not 1 <= item <= 7:
                raise ValueError("not weekdays")
            days.add(item)
        if not days:
            raise ValueError("no weekdays")
        return tuple(sorted(days))
    raise ValueError("not weekdays")


def _validate(values: dict, *, partial: bool) -> dict:
    """Check the given keys; returns the clean values.  :raises ValidationFailed: every error at once."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for key in REQUIRED_FIELDS:
        if not partial and values.get(key) in (None, ""):
            errors[key] = [_REQUIRED_TEXTS[key]]
    if "name" in values and values["name"] is not None:
        name = values["name"]
        if not isinstance(name, str) or not name.strip():
            errors["name"] = [N_("The name must be a non-empty string.")]
        elif len(name.strip()) > 100:
            errors["name"] = [N_("The name may not be greater than 100 characters.")]
        else:
            clean["name"] = name.strip()
    for key in TIME_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if value in (None, ""):
            if key in REQUIRED_FIELDS:
                errors.setdefault(key, [_REQUIRED_TEXTS[key]])
            else:
                clean[key] = None
            continue
        parsed = _parse_time(value, key, errors)
        if parsed is not None:
            clean[key] = parsed
    for key, (low, high, nullable) in MINUTE_FIELDS.items():
        if key not in values:
            continue
        value = values[key]
        if value in (None, "") and nullable:
            clean[key] = None
            continue
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[key] = [f"The {key} must be a whole number of minutes between {low} and {high}."]
        else:
            clean[key] = value
    for key, choices in CHOICE_FIELDS.items():
        if key in values and values[key] is not None:
            if values[key] not in choices:
                errors[key] = [f"The selected {key} is invalid."]
            else:
                clean[key] = values[key]
    if "working_weekdays" in values and values["working_weekdays"] is not None:
        try:
            clean["working_days_mask"] = weekdays_to_mask(parse_weekdays(values["working_weekdays"]))
        except ValueError:
            errors["working_weekdays"] = [N_("Choose at least one working day (1 = Monday ... 7 = Sunday).")]
    if "code" in values:
        code = (values["code"] or "").strip() if isinstance(values["code"], (str, type(None))) else None
        if code is None or (code and not _CODE.match(code)):
            errors["code"] = [N_("The code is 1 to 8 letters or digits (e.g. P, S, M).")]
        else:
            clean["code"] = code.upper() or None
    if "color" in values:
        color = (values["color"] or "").strip() if isinstance(values["color"], (str, type(None))) else None
        if color is None or (color and not _COLOR.match(color)):
            errors["color"] = [N_("The colour is a hex colour such as #1e88e5.")]
        else:
            clean["color"] = color.lower() or None
    for key in ("is_active", "overtime_before_start"):
        if key in values and values[key] is not None:
            if not isinstance(values[key], bool):
                errors[key] = [f"The {key} field must be true or false."]
            else:
                clean[key] = values[key]
    if errors:
        raise ValidationFailed(errors)
    return clean


def _minutes_from(base: time, t: time) -> int:
    """Minutes from ``base`` forward to ``t`` within 24 hours (0..1439)."""
    return ((t.hour * 60 + t.minute) - (base.hour * 60 + base.minute)) % 1440


def _check_rules(schedule: WorkSchedule) -> None:
    """Refuse windows of zero length and policies that cannot work (all errors at once)."""
    errors = {}
    if schedule.check_in_end is not None and schedule.check_in_end == schedule.check_in_start:
        errors["check_in_end"] = [N_("The check-in window must not be empty.")]
    if schedule.check_out_end is not None and schedule.check_out_end == schedule.check_out_start:
        errors["check_out_end"] = [N_("The check-out window must not be empty.")]
    if schedule.check_out_start == schedule.check_in_start:
        errors["check_out_start"] = [N_("Check-out cannot start when check-in starts.")]
    if schedule.late_policy == "record_late":
        if schedule.late_cutoff is None:
            errors["late_cutoff"] = [N_("Recording late check-ins needs the time after which check-in is refused.")]
        elif schedule.check_in_end is None:
            errors["late_policy"] = [N_("Recording late check-ins needs a check-in closing time.")]
        elif _minutes_from(schedule.check_in_start, schedule.late_cutoff) <= \
                _minutes_from(schedule.check_in_start, schedule.check_in_end):
            errors["late_cutoff"] = [N_("The cut-off must be later than the check-in closing time.")]
    if errors:
        raise ValidationFailed(errors)


def _check_code_free(code: str | None, exclude_id: int | None) -> None:
    if not code:
        return
    stmt = db.select(WorkSchedule.id).where(WorkSchedule.code == code)
    if exclude_id is not None:
        stmt = stmt.where(WorkSchedule.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict(N_("Another work schedule already has this code"), field="code")


def _deactivate_others(keep_id: int | None) -> None:
    stmt = update(WorkSchedule).where(WorkSchedule.is_active.is_(True))
    if keep_id is not None:
        stmt = stmt.where(WorkSchedule.id != keep_id)
    db.session.execute(stmt.values(is_active=False))


def _audit_schedule(actor, action: str, schedule: WorkSchedule, before: dict | None, after: dict | None) -> None:
    """Write a schedule change to the audit trail when an ``actor`` made it (the admin pages)."""
    if actor is None:
        return
    from ..audit.services import record

    record(actor, action, subject_type="work_schedule", subject_id=schedule.id, before=before, after=after,
           about={"name": schedule.name} if action == "schedule.update" else None)


def _schedule_values(schedule: WorkSchedule) -> dict:
    """The schedule's fields for the audit trail (the weekdays as ISO numbers, not their bit mask)."""
    values = {key: getattr(schedule, key) for key in WorkSchedule.__table__.columns.keys()
              if key not in ("id", "created_at", "updated_at", "working_days_mask")}
    values["working_weekdays"] = list(schedule.working_weekdays)
    return values


def create_schedule(values: dict, *, actor=None) -> WorkSchedule:
    """Create a schedule from plain values (with an ``actor``: audited as ``schedule.create``).

    Keys (only ``name``, ``check_in_start`` and ``check_out_start`` are required):
    the time fields of :data:`TIME_FIELDS` (``time`` or ``"HH:mm[:ss]"``, local), the
    minute fields of :data:`MINUTE_FIELDS` (whole minutes), ``late_policy``,
    ``missed_check_out_policy``, ``working_weekdays`` (ISO weekdays as a list or
    ``"1,2,3,4,5"``; default Monday–Friday), ``code`` (1–8 letters/digits, stored
    upper-case, unique), ``color`` (``#rrggbb``), ``overtime_before_start`` and
    ``is_active`` (bools).  The first schedule ever created becomes active whatever
    ``is_active`` says (exactly one is always active).

    :raises ValidationFailed: a missing or malformed field, or rules that cannot
        work together (keys of the model; ``working_weekdays`` for the weekdays).
    :raises Conflict: the code is taken (``field="code"``).
    """
    clean = _validate(values, partial=False)
    make_active = clean.pop("is_active", False)
    schedule = WorkSchedule(**clean, is_active=False)
    for key, column in WorkSchedule.__table__.columns.items():
        if getattr(schedule, key, None) is None and column.default is not None and column.default.is_scalar:
            setattr(schedule, key, column.default.arg)
    _check_rules(schedule)
    _check_code_free(schedule.code, None)
    db.session.add(schedule)
    db.session.flush()
    if make_active or active_schedule() is None:
        set_active(schedule)
    _audit_schedule(actor, "schedule.create", schedule, None, _schedule_values(schedule))
    return schedule


def update_schedule(schedule: WorkSchedule, values: dict, *, actor=None) -> WorkSchedule:
    """Change only the given fields (keys as :func:`create_schedule`); with an ``actor`` the
    changed fields are audited as ``schedule.update`` (before → after).

    :raises ValidationFailed: malformed field or rules that cannot work together;
        nothing changes.
    :raises Conflict: the code is taken.
    :raises RuleViolation: ``is_active: false`` on the active schedule (one must stay active).
    """
    clean = _validate(values, partial=True)
    make_active = clean.pop("is_active", None)
    if make_active is False and schedule.is_active:
        raise RuleViolation(N_("Activate another attendance time setting instead of deactivating the active one"),
                            field="is_active")
    before = {key: getattr(schedule, key) for key in clean}
    audit_before = _schedule_values(schedule)
    for key, value in clean.items():
        setattr(schedule, key, value)
    try:
        _check_rules(schedule)
        if "code" in clean:
            _check_code_free(schedule.code, schedule.id)
    except (ValidationFailed, Conflict):
        for key, value in before.items():
            setattr(schedule, key, value)
        raise
    db.session.flush()
    if make_active:
        set_active(schedule)
    _audit_schedule(actor, "schedule.update", schedule, audit_before, _schedule_values(schedule))
    return schedule


def schedule_usage(schedule: WorkSchedule) -> dict[str, int]:
    """How often ``schedule`` is referred to: ``{"assignments", "pattern_steps", "roster_days"}``."""
    return {
        "assignments": db.session.scalar(db.select(db.func.count(ScheduleAssignment.id))
                                         .where(ScheduleAssignment.schedule_id == schedule.id)),
        "pattern_steps": db.session.scalar(db.select(db.func.count(ShiftPatternStep.id))
                                           .where(ShiftPatternStep.schedule_id == schedule.id)),
        "roster_days": db.session.scalar(db.select(db.func.count(RosterEntry.id))
                                         .where(RosterEntry.schedule_id == schedule.id)),
    }


def delete_schedule(schedule: WorkSchedule, *, actor=None) -> str:
    """Delete a schedule and return its name (with an ``actor``: audited as ``schedule.delete``).

    :raises Conflict: it is the last one, the active one, or still assigned,
        used by a shift pattern or on a roster day (the message says which).
    """
    count = db.session.scalar(db.select(db.func.count(WorkSchedule.id)))
    if count <= 1:
        raise Conflict(N_("Cannot delete the last attendance time setting"))
    if schedule.is_active:
        raise Conflict(N_("Cannot delete the active attendance time setting; activate another one first"))
    usage = schedule_usage(schedule)
    if any(usage.values()):
        raise Conflict(N_("This attendance time setting is still in use (assignments, shift patterns or "
                          "roster days); remove those first"), **usage)
    name = schedule.name
    _audit_schedule(actor, "schedule.delete", schedule, _schedule_values(schedule), None)
    db.session.delete(schedule)
    db.session.flush()
    return name


def set_active(schedule: WorkSchedule, *, actor=None) -> WorkSchedule:
    """Make ``schedule`` the only active one (the organisation's default), in the current transaction
    (with an ``actor``: audited as ``schedule.activate``)."""
    if actor is not None:
        previous = active_schedule()
        _audit_schedule(actor, "schedule.activate", schedule,
                        {"default": previous.name if previous is not None else None}, {"default": schedule.name})
    _deactivate_others(schedule.id)
    db.session.flush()
    schedule.is_active = True
    db.session.flush()
    return schedule
