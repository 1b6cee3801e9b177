"""A person's own notification settings (contract 000, "Notification Settings").

Shape (what :func:`settings_json` returns and ``GET /api/v2/notifications/settings`` shows)::

    {"email_notifications": true, "push_notifications": true,
     "notification_types": {"tindakan_approved": true, ...},      # every type of NOTIFICATION_TYPES
     "quiet_hours": {"enabled": false, "start_time": "22:00", "end_time": "07:00"}}

Effects: a type turned off is not stored at all (:func:`wants`, consulted by
:func:`app.notify.services.notify`); push goes out only when push is on, the type is
wanted and the organisation's local time is outside the quiet hours (:func:`push_allowed`,
for the push sender).  Quiet hours are local ``HH:MM`` clock times; a start later
than the end crosses midnight (22:00–07:00).  Without a saved row the defaults apply:
everything on, quiet hours off (22:00–07:00).
"""
from __future__ import annotations

import re
from datetime import datetime, time

from ..common import clock
from ..common.errors import ValidationFailed
from ..extensions import db
from .models import NotificationSettings

#: Types a person may turn off: contract 000's and those the application sends.
NOTIFICATION_TYPES = ("tindakan_approved", "tindakan_rejected", "validation_required", "system_maintenance",
                      "attendance_review", "leave_review", "leave_request", "device_reset", "face_enrolment")
DEFAULT_QUIET_START = time(22, 0)
DEFAULT_QUIET_END = time(7, 0)
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _row(user) -> NotificationSettings | None:
    return db.session.scalar(db.select(NotificationSettings).filter_by(user_id=user.id))


def settings_json(user) -> dict:
    """``user``'s settings in the contract's shape (defaults when never saved); see the module."""
    row = _row(user)
    chosen = (row.notification_types or {}) if row is not None else {}
    return {
        "email_notifications": row.email_notifications if row is not None else True,
        "push_notifications": row.push_notifications if row is not None else True,
        "notification_types": {name: bool(chosen.get(name, True)) for name in NOTIFICATION_TYPES},
        "quiet_hours": {
            "enabled": row.quiet_hours_enabled if row is not None else False,
            "start_time": (row.quiet_start if row is not None else DEFAULT_QUIET_START).strftime("%H:%M"),
            "end_time": (row.quiet_end if row is not None else DEFAULT_QUIET_END).strftime("%H:%M"),
        },
    }


def _strict_bool(value, field: str, errors: dict):
    if isinstance(value, bool):
        return value
    errors[field] = [f"The {field} field must be true or false."]
    return None


def parse_settings(data: dict) -> dict:
    """Check a (partial) update; only the fields sent are returned.

    ``email_notifications``, ``push_notifications``: booleans; ``notification_types``: an
    object of known type → boolean; ``quiet_hours``: an object with ``enabled`` (boolean),
    ``start_time`` / ``end_time`` (``HH:MM``, 00:00–23:59, different from each other when
    quiet hours end up enabled).

    :raises ValidationFailed: every refused field, keyed as sent (``quiet_hours.start_time``).
    """
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name in ("email_notifications", "push_notifications"):
        if name in data:
            value = _strict_bool(data[name], name, errors)
            if value is not None:
                clean[name] = value
    if "notification_types" in data:
        types = data["notification_types"]
        if not isinstance(types, dict):
            errors["notification_types"] = ["The notification types must be an object."]
        else:
            chosen = {}
            for name, value in types.items():
                key = f"notification_types.{str(name)[:60]}"
                if name not in NOTIFICATION_TYPES:
                    errors[key] = [f"The notification type must be one of: {', '.join(NOTIFICATION_TYPES)}."]
                    continue
                value = _strict_bool(value, key, errors)
                if value is not None:
                    chosen[name] = value
            clean["notification_types"] = chosen
    if "quiet_hours" in data:
        quiet = data["quiet_hours"]
        if not isinstance(quiet, dict):
            errors["quiet_hours"] = ["The quiet hours must be an object."]
        else:
            hours = {}
            if "enabled" in quiet:
                value = _strict_bool(quiet["enabled"], "quiet_hours.enabled", errors)
                if value is not None:
                    hours["enabled"] = value
            for name in ("start_time", "end_time"):
                if name not in quiet:
                    continue
                value = quiet[name]
                if not isinstance(value, str) or not _CLOCK.fullmatch(value):
                    errors[f"quiet_hours.{name}"] = [f"The quiet hours.{name.replace('_', ' ')} "
                                                     "must be a time in the format H:i (00:00 to 23:59)."]
                else:
                    hours[name] = time.fromisoformat(value)
            clean["quiet_hours"] = hours
    if errors:
        raise ValidationFailed(errors)
    return clean


def update_settings(user, data: dict) -> dict:
    """Apply a partial update (see :func:`parse_settings`) to ``user``'s own settings.

    :returns: the settings after the update (:func:`settings_json`).
    :raises ValidationFailed: a refused field, or enabled quiet hours that start when they end.
    """
    clean = parse_settings(data)
    row = _row(user)
    if row is None:
        row = NotificationSettings(user_id=user.id, notification_types={}, quiet_start=DEFAULT_QUIET_START,
                                   quiet_end=DEFAULT_QUIET_END)
        db.session.add(row)
    for name in ("email_notifications", "push_notifications"):
        if name in clean:
            setattr(row, name, clean[name])
    if "notification_types" in clean:
        row.notification_types = {**(row.notification_types or {}), **clean["notification_types"]}
    quiet = clean.get("quiet_hours", {})
    enabled = quiet.get("enabled", bool(row.quiet_hours_enabled))
    start = quiet.get("start_time", row.quiet_start)
    end = quiet.get("end_time", row.quiet_end)
    if enabled and start == end:
        raise ValidationFailed({"quiet_hours.end_time": ["The quiet hours.end time must differ from the start time."]})
    row.quiet_hours_enabled, row.quiet_start, row.quiet_end = enabled, start, end
    row.updated_at = clock.now()
    db.session.flush()
    return settings_json(user)


def wants(user, type_: str) -> bool:
    """Whether ``user`` wants notifications of ``type_`` (types they never turned off: yes)."""
    row = _row(user)
    if row is None:
        return True
    return bool((row.notification_types or {}).get(type_, True))


def in_quiet_hours(start: time, end: time, moment: time) -> bool:
    """Whether the local clock time ``moment`` falls in ``start``..``end`` (end excluded; may cross midnight)."""
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def push_allowed(user, type_: str, at: datetime | None = None) -> bool:
    """Whether a push of ``type_`` may be sent to ``user`` at ``at`` (UTC, default now):
    push on, type wanted, and outside enabled quiet hours (organisation's local time)."""
    row = _row(user)
    if row is None:
        return True
    if not row.push_notifications or not bool((row.notification_types or {}).get(type_, True)):
        return False
    if not row.quiet_hours_enabled:
        return True
    local = clock.to_local(at or clock.now()).time().replace(second=0, microsecond=0)
    return not in_quiet_hours(row.quiet_start, row.quiet_end, local)
