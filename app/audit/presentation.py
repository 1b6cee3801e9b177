"""How an audit entry reads on a page: its action's label and its changes as ``field: before → after``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask
from markupsafe import Markup
from flask_babel import format_decimal, lazy_gettext as _l

from .services import ACTIONS

#: Labels of the fields entries record (others show their key).
FIELD_LABELS = {
    "status": _l("Status"),
    "review_state": _l("Review"),
    "kind": _l("Kind"),
    "work_date": _l("Work day"),
    "occurred_at": _l("Time"),
    "leave_type": _l("Leave type"),
    "start_date": _l("From"),
    "end_date": _l("To"),
    "minutes": _l("Minutes claimed"),
    "approved_minutes": _l("Minutes approved"),
    "name": _l("Name"),
    "patient": _l("Patient"),
    "device_id": _l("Device"),
    "check_ins": _l("Check-ins"),
    "time_in": _l("Check-in"),
    "time_out": _l("Check-out"),
    "late_minutes": _l("Late (minutes)"),
    "early_leave_minutes": _l("Early leave (minutes)"),
    "worked_minutes": _l("Worked (minutes)"),
    "role": _l("Role"),
    "office_id": _l("Office"),
    "department_id": _l("Department"),
    "value": _l("Value"),
    "shift": _l("Shift"),
    "pattern": _l("Shift pattern"),
    "people": _l("People"),
    "cells": _l("Roster days"),
    "target": _l("Applies to"),
    "schedule": _l("Work schedule"),
    "default": _l("Default work schedule"),
    "office": _l("Office"),
    "department": _l("Department"),
    "position": _l("Position"),
    "is_active": _l("Active"),
    "active": _l("Active"),
    "date": _l("Date"),
    "imported_year": _l("Imported year"),
    "added": _l("Added"),
    "note": _l("Note"),
    "events": _l("Events"),
    "code": _l("Code"),
    "parent": _l("Part of"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "geofence_radius_m": _l("Geofence radius (m)"),
    "address": _l("Address"),
    "modes": _l("Modes"),
    "liveness": _l("Liveness check"),
    "pairing_expires_at": _l("Pairing code valid until"),
    "paired": _l("Paired"),
    "pairing_code_open": _l("Unused pairing code"),
    "title": _l("Title"),
    "slug": _l("Web address"),
    "category": _l("Category"),
    "is_featured": _l("Featured"),
    "is_pinned": _l("Pinned"),
    "published_at": _l("Published"),
    "content": _l("Content"),
    "content_length": _l("Content length (characters)"),
    "platform": _l("Platform"),
    "version_code": _l("Latest version"),
    "build_number": _l("Latest build"),
    "min_version_code": _l("Minimum version"),
    "min_build_number": _l("Minimum build"),
    "store_url": _l("Store URL"),
    "changelog": _l("Changelog"),
    "update_message": _l("Update message"),
    "maintenance_mode": _l("Maintenance"),
    "maintenance_message": _l("Maintenance message"),
    "reference": _l("Reference"),
    "deleted": _l("Deleted"),
    "record_number": _l("Record number"),
    "birth_date": _l("Date of birth"),
    "sex": _l("Sex"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "fee": _l("Fee (Rp)"),
    "service_fee_share": _l("Share (Rp)"),
    "performed_at": _l("Performed at"),
    "notes": _l("Note"),
    "homeroom_teacher": _l("Homeroom teacher"),
    "class": _l("Class"),
    "academic_year": _l("Academic year"),
    "enrolments": _l("Enrolments"),
    "card": _l("Card"),
    "replaced": _l("Replaces card"),
    "sessions_ended": _l("Sessions ended"),
    "samples": _l("Face photos"),
    "absence": _l("Roll call"),
    "plate_number": _l("Plate number"),
    "patient_name": _l("Patient"),
    "gender": _l("Gender"),
    "photo": _l("Photo"),
}

#: Texts of coded values by field (others show as they are).
VALUE_LABELS = {
    "sex": {"male": _l("Male"), "female": _l("Female")},
    "absence": {"sick": _l("Sick"), "permitted": _l("Permitted"), "absent": _l("Absent"), "present": _l("Present")},
}


@dataclass(frozen=True)
class Change:
    """One line of an entry: the field's label and its value before and after (text; None: not recorded)."""

    label: str
    before: str | None
    after: str | None


def _text(key: str, value) -> str | None:
    from ..admin.filters import CATEGORY_LABELS, LEAVE_TYPE_LABELS, STATUS_BADGES, KIND_LABELS, local_datetime, role_label

    if value is None:
        return None
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if key == "academic_year" and isinstance(value, int):
        return f"{value}/{value + 1}"                      # the school's way: 2026/2027
    if key in ("fee", "service_fee_share") and isinstance(value, int):
        return format_decimal(value)
    if isinstance(value, str):
        if key == "role":
            return role_label(value)
        if key == "category" and value in CATEGORY_LABELS:
            return str(CATEGORY_LABELS[value])
        if key == "content":                               # a post's beginning: its text, not its markup
            return Markup(value).striptags()
        if value in VALUE_LABELS.get(key, {}):
            return str(VALUE_LABELS[key][value])
        if key == "leave_type" and value in LEAVE_TYPE_LABELS:
            return str(LEAVE_TYPE_LABELS[value])
        if key == "kind" and value in KIND_LABELS:
            return str(KIND_LABELS[value])
        if value in STATUS_BADGES and key in ("status", "review_state"):
            return str(STATUS_BADGES[value][0])
        if value == "absent" and key == "status":
            return str(_l("Absent"))
        if value == "verified" and key == "status":            # an ER escort's review
            return str(_l("Verified"))
        if len(value) >= 20 and value[4:5] == "-" and value[10:11] == "T":
            try:
                return local_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:
                return value
        if len(value) == 10 and value[4:5] == "-":
            try:
                from ..admin.filters import short_date
                return short_date(date.fromisoformat(value))
            except ValueError:
                return value
    return str(value)


#: Fields kept in the JSON for reference but not shown (row ids mean nothing to a reader).
HIDDEN_FIELDS = frozenset({"events", "check_ins"})


def changes(entry) -> list[Change]:
    """The entry's ``before`` / ``after`` as lines, in the order the service gave the fields
    (``after``'s first, so the values saying which row it is come first; without :data:`HIDDEN_FIELDS`)."""
    before, after = entry.before or {}, entry.after or {}
    lines = []
    for key in dict.fromkeys([*after, *before]):
        if key in HIDDEN_FIELDS:
            continue
        lines.append(Change(str(FIELD_LABELS.get(key, key)), _text(key, before.get(key)), _text(key, after.get(key))))
    return lines


def action_label(code: str) -> str:
    """The action's label (its code when unknown)."""
    return str(ACTIONS.get(code, code))


def register(app: Flask) -> None:
    """Install ``audit_action`` and ``audit_changes`` in the templates."""
    app.jinja_env.filters.update(audit_action=action_label, audit_changes=changes)
