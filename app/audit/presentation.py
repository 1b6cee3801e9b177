"""How an audit entry reads on a page: its action's label and its changes as ``field: before → after``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

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

#: Texts of coded values by field (others show as they are; more in :func:`_owned_value_labels`).
VALUE_LABELS = {
    "sex": {"male": _l("Male"), "female": _l("Female")},
    "absence": {"sick": _l("Sick"), "permitted": _l("Permitted"), "absent": _l("Absent"), "present": _l("Present")},
}
#: Fields recorded as one comma-separated text of codes (a kiosk's ``modes``: ``face,qr,cards``).
COMMA_SEPARATED = frozenset({"modes"})


@cache
def _owned_value_labels() -> dict[str, dict]:
    """Texts of coded values by field, taken from the modules that own the codes (imported when
    first needed, after the app is built): a kiosk's modes (their short names), an app version's
    platform, a work schedule's policies and working days (ISO weekday numbers), an ER escort's
    gender, and the leave type a correction's ``status`` names."""
    from ..admin.filters import LEAVE_TYPE_LABELS, PLATFORM_LABELS
    from ..escorts.views import GENDER_LABELS
    from ..kiosk.forms import MODE_NAMES
    from ..schedules.forms import LATE_POLICY_CHOICES, MISSED_CHECK_OUT_CHOICES, WEEKDAY_LABELS

    return {**VALUE_LABELS, "modes": MODE_NAMES, "platform": PLATFORM_LABELS, "gender": GENDER_LABELS,
            "late_policy": dict(LATE_POLICY_CHOICES), "missed_check_out_policy": dict(MISSED_CHECK_OUT_CHOICES),
            "working_weekdays": dict(WEEKDAY_LABELS), "status": LEAVE_TYPE_LABELS}


@cache
def _subject_value_labels() -> dict[tuple[str, str], dict]:
    """Texts of coded values a field has only for one kind of subject: ``(subject type, field)`` → texts
    (an ER escort's ``category`` is police, ambulance or individual; a post's is in ``_text``)."""
    from ..escorts.views import CATEGORY_LABELS

    return {("escort", "category"): CATEGORY_LABELS}


@cache
def _form_field_labels() -> dict[str, object]:
    """Labels of the fields a work schedule records (its form's, so the audit reads as the form does)."""
    from wtforms.fields.core import UnboundField

    from ..schedules.forms import NewWorkScheduleForm

    return {name: field.args[0] for klass in reversed(NewWorkScheduleForm.__mro__)
            for name, field in vars(klass).items() if isinstance(field, UnboundField) and field.args}


@dataclass(frozen=True)
class Change:
    """One line of an entry: the field's label and its value before and after (text; None: not recorded)."""

    label: str
    before: str | None
    after: str | None


def _coded(key: str, value, subject_type: str | None) -> str | None:
    """The text of a coded value of field ``key`` (None: not a code known for that field)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    labels = _subject_value_labels().get((subject_type, key)) or _owned_value_labels().get(key) or {}
    return str(labels[value]) if value in labels else None


def _text(key: str, value, subject_type: str | None = None) -> str | None:
    from ..admin.filters import CATEGORY_LABELS, LEAVE_TYPE_LABELS, STATUS_BADGES, KIND_LABELS, local_datetime, role_label

    if value is None:
        return None
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if key in COMMA_SEPARATED and isinstance(value, str):
        value = [v for v in value.split(",") if v]
    if isinstance(value, list):
        return ", ".join(_coded(key, v, subject_type) or str(v) for v in value)
    coded = _coded(key, value, subject_type)
    if coded is not None:
        return coded
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
    (``after``'s first, so the values saying which row it is come first; without :data:`HIDDEN_FIELDS`).
    Fields are named by :data:`FIELD_LABELS` (else the work schedule form's label, else the key), and
    coded values by their texts (:data:`VALUE_LABELS` and the owners' labels), also in lists."""
    before, after = entry.before or {}, entry.after or {}
    lines = []
    for key in dict.fromkeys([*after, *before]):
        if key in HIDDEN_FIELDS:
            continue
        label = FIELD_LABELS.get(key) or _form_field_labels().get(key, key)
        lines.append(Change(str(label), _text(key, before.get(key), entry.subject_type),
                            _text(key, after.get(key), entry.subject_type)))
    return lines


def action_label(code: str) -> str:
    """The action's label (its code when unknown)."""
    return str(ACTIONS.get(code, code))


def register(app: Flask) -> None:
    """Install ``audit_action`` and ``audit_changes`` in the templates."""
    app.jinja_env.filters.update(audit_action=action_label, audit_changes=changes)
