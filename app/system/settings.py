"""The registry of known organisation settings and their typed access.

Each setting is stored as text in :class:`~app.system.models.Setting` (one row
once a value was saved); this module names every known key, its type, its
range and its default.  Types:

- ``integer``: whole number within ``[low, high]``;
- ``number``: decimal within ``[low, high]``;
- ``time``: a local wall-clock time ``HH:MM:SS`` (``HH:MM`` accepted and stored
  with ``:00``), in the organisation's time zone (``TIMEZONE``);
- ``boolean``: ``1/0``, ``true/false`` (stored ``"true"``/``"false"``);
- ``string``: free text up to ``max_length`` characters;
- ``weekdays``: a set of ISO 8601 weekday numbers (1 = Monday ... 7 = Sunday),
  written ``1,2,3,4,5`` (ranges like ``1-5`` accepted), typed as a sorted tuple;
- ``choice``: one of the spec's ``choices`` (stored as that text).

Unknown keys are refused (:class:`~app.common.errors.NotFound`), so a typo
never creates a setting nobody reads.

One source of truth for times: the keys the school app (contract 002, section 11)
knows for check-in and check-out times, late tolerance and working days are not
stored here but are fields of the organisation's default work schedule
(:func:`app.schedules.services.active_schedule`); a spec's ``schedule_field`` names
the field.  Reading them reads the schedule, writing them changes it (and creates
it when the organisation has none), so the apps, the kiosk and the settings API
always agree.  The admin's settings page leaves them to the work schedules page.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import time
from functools import cache

from sqlalchemy import bindparam

from ..common.errors import NotFound, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from ..schedules import services as schedule_services
from .models import Setting

_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


@dataclass(frozen=True)
class SettingSpec:
    """One known setting: ``key``, ``type``, bounds, ``default`` (typed, None = unset) and description.

    ``choices``: the allowed values of a ``choice`` setting.
    """

    key: str
    type: str
    description: str
    default: object = None
    low: float | None = None
    high: float | None = None
    max_length: int = 255
    choices: tuple[str, ...] = ()
    #: The field of the organisation's default work schedule this key stands for (not stored here).
    schedule_field: str | None = None


#: Every known setting, in listing order.  Descriptions are in the contract's
#: language (Indonesian); units are in the descriptions.
REGISTRY: tuple[SettingSpec, ...] = (
    SettingSpec("attendance_radius", "integer", "Radius absensi dalam meter", 100, 1, 100_000),
    SettingSpec("school_latitude", "number", "Koordinat latitude sekolah", None, -90, 90),
    SettingSpec("school_longitude", "number", "Koordinat longitude sekolah", None, -180, 180),
    SettingSpec("checkin_start", "time", "Waktu mulai check-in (HH:MM:SS, waktu setempat)", time(6, 0),
                schedule_field="check_in_start"),
    SettingSpec("checkin_end", "time", "Batas waktu check-in (HH:MM:SS, waktu setempat)", time(8, 0),
                schedule_field="check_in_end"),
    SettingSpec("checkout_start", "time", "Waktu mulai check-out (HH:MM:SS, waktu setempat)", time(14, 0),
                schedule_field="check_out_start"),
    SettingSpec("checkout_end", "time", "Batas waktu check-out (HH:MM:SS, waktu setempat)", time(17, 0),
                schedule_field="check_out_end"),
    SettingSpec("qr_period_seconds", "integer", "Masa berlaku QR dinamis dalam detik", 30, 10, 3600),
    SettingSpec("late_tolerance_minutes", "integer", "Toleransi keterlambatan dalam menit", 0, 0, 240,
                schedule_field="grace_minutes"),
    SettingSpec("working_days", "weekdays", "Hari kerja/sekolah (1 = Senin ... 7 = Minggu)", (1, 2, 3, 4, 5),
                schedule_field="working_weekdays"),
    SettingSpec("school_name", "string", "Nama sekolah", None, max_length=120),
    SettingSpec("organisation_name", "string",
                "Nama organisasi pada kop rekap absensi (kosong: ORGANISATION_NAME server, lalu nama sekolah)",
                None, max_length=120),
    SettingSpec("students_web_sign_in", "boolean",
                "Siswa boleh masuk ke aplikasi web dengan akunnya (jadwal, izin, profil)", False),
    SettingSpec("face_tolerance", "number",
                "Batas jarak wajah untuk dikenali (0,2-0,8; makin kecil makin ketat)",
                0.55, 0.2, 0.8),
    SettingSpec("face_margin", "number",
                "Selisih jarak minimal antara orang terdekat dan orang kedua agar wajah dikenali (0-0,3)",
                0.05, 0, 0.3),
    SettingSpec("face_min_gap_minutes", "integer",
                "Jeda minimal (menit) antara absen masuk dan pulang lewat wajah di kios", 10, 1, 720),
    # Plausibility of a reported position (app.attendance.plausibility, where each figure is sourced).
    SettingSpec("gps_accuracy_floor_m", "number",
                "Akurasi GPS terkecil yang wajar dalam meter; akurasi 0 atau di bawahnya ditahan untuk diperiksa",
                1, 0, 20),
    SettingSpec("gps_max_speed_kmh", "integer",
                "Kecepatan perpindahan terbesar yang wajar antara dua absen berurutan (km/jam); "
                "lebih cepat ditahan untuk diperiksa", 150, 20, 1200),
    SettingSpec("wrong_office_policy", "choice",
                "Absen di kantor yang bukan kantor penugasan: review (ditahan untuk diperiksa) atau refuse (ditolak)",
                "review", choices=("review", "refuse")),
    # Annual leave (cuti tahunan): at least 12 working days a year after 12 months of continuous
    # service (UU 13/2003 art. 79(3) as amended by UU 6/2023); an organisation may give more.
    SettingSpec("annual_leave_days", "integer",
                "Hak cuti tahunan dalam hari kerja per tahun (minimal 12 menurut UU 13/2003 pasal 79)",
                12, 12, 365),
)

SPECS: dict[str, SettingSpec] = {s.key: s for s in REGISTRY}
#: The keys that are fields of the organisation's default work schedule.
SCHEDULE_KEYS = frozenset(s.key for s in REGISTRY if s.schedule_field)


@dataclass(frozen=True)
class SettingView:
    """A setting as shown to clients: ``key``, ``value`` (text, None when unset), ``description``, ``updated_at``."""

    key: str
    value: str | None
    description: str | None
    updated_at: object


def spec(key: str) -> SettingSpec:
    """The registry entry of ``key``.

    :raises NotFound: not a known setting.
    """
    found = SPECS.get(key) if isinstance(key, str) else None
    if found is None:
        raise NotFound("Pengaturan tidak ditemukan", field="key")
    return found


def _format(s: SettingSpec, value) -> str | None:
    """The stored text of a typed value."""
    if value is None:
        return None
    if s.type == "time":
        return value.strftime("%H:%M:%S")
    if s.type == "boolean":
        return "true" if value else "false"
    if s.type == "weekdays":
        return ",".join(str(day) for day in value)
    if s.type == "number":
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value)


def parse_value(key: str, raw) -> object:
    """Check ``raw`` (text or JSON scalar) against ``key``'s type and range; returns the typed value.

    :raises NotFound: unknown key.
    :raises ValueError: with a human message when the value is not acceptable.
    """
    s = spec(key)
    if isinstance(raw, bool) and s.type != "boolean":
        raise ValueError("The value has the wrong type.")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("The value field is required.")
    if not isinstance(raw, (str, int, float, bool)):
        raise ValueError("The value must be a string or a number.")
    text = raw.strip() if isinstance(raw, str) else raw
    if s.type == "integer":
        if isinstance(text, float):
            if not text.is_integer():
                raise ValueError("The value must be an integer.")
            text = int(text)
        if isinstance(text, str):
            if not re.fullmatch(r"[+-]?\d{1,12}", text):
                raise ValueError("The value must be an integer.")
            text = int(text)
        if not s.low <= text <= s.high:
            raise ValueError(f"The value must be between {s.low} and {s.high}.")
        return text
    if s.type == "number":
        try:
            number = float(text)
        except (TypeError, ValueError):
            raise ValueError("The value must be a number.") from None
        if not math.isfinite(number) or (isinstance(text, str) and not re.fullmatch(r"[+-]?\d+(\.\d+)?", text)):
            raise ValueError("The value must be a number.")
        if not s.low <= number <= s.high:
            raise ValueError(f"The value must be between {s.low} and {s.high}.")
        return number
    if s.type == "time":
        match = _TIME_RE.match(text) if isinstance(text, str) else None
        if not match:
            raise ValueError("The value must be a time in the format HH:MM:SS.")
        return time(int(match[1]), int(match[2]), int(match[3] or 0))
    if s.type == "boolean":
        lowered = str(text).lower()
        if lowered in ("1", "true"):
            return True
        if lowered in ("0", "false"):
            return False
        raise ValueError("The value must be true or false.")
    if s.type == "weekdays":
        return _parse_weekdays(text)
    if s.type == "choice":
        if text not in s.choices:
            raise ValueError(f"The value must be one of: {', '.join(s.choices)}.")
        return text
    if not isinstance(text, str):
        raise ValueError("The value must be a string.")
    if len(text) > s.max_length:
        raise ValueError(f"The value may not be greater than {s.max_length} characters.")
    return text


def _parse_weekdays(text) -> tuple[int, ...]:
    """``"1,2,3,4,5"`` or ``"1-5,7"`` → ``(1, 2, 3, 4, 5)`` (ISO 8601 weekdays, 1 = Monday).

    :raises ValueError: not a non-empty list of days 1..7.
    """
    days: set[int] = set()
    for part in str(text).replace(" ", "").split(","):
        match = re.fullmatch(r"([1-7])(?:-([1-7]))?", part)
        if not match or (match[2] and int(match[2]) < int(match[1])):
            raise ValueError(N_("The value must list weekdays 1-7 (1 = Monday), e.g. 1,2,3,4,5."))
        days.update(range(int(match[1]), int(match[2] or match[1]) + 1))
    return tuple(sorted(days))


def _row(key: str) -> Setting | None:
    return db.session.scalar(db.select(Setting).filter_by(key=key))


def _default_schedule():
    return schedule_services.active_schedule()


def _schedule_value(s: SettingSpec, schedule):
    if schedule is None:
        return s.default
    return getattr(schedule, s.schedule_field)


def _view(s: SettingSpec, row: Setting | None, schedule=None) -> SettingView:
    if s.schedule_field:
        return SettingView(s.key, _format(s, _schedule_value(s, schedule)), s.description,
                           schedule.updated_at if schedule is not None else None)
    if row is None:
        return SettingView(s.key, _format(s, s.default), s.description, None)
    return SettingView(s.key, row.value, row.description if row.description is not None else s.description,
                       row.updated_at)


def get_setting(key: str):
    """The typed value of ``key``: the saved value, else the registry default (may be None).

    Types: ``int`` (integer; ``attendance_radius`` in metres, ``qr_period_seconds``
    in seconds, ``late_tolerance_minutes`` in minutes), ``float`` (number; degrees
    for ``school_latitude``/``school_longitude``, metres for ``gps_accuracy_floor_m``),
    :class:`datetime.time` (local wall-clock time), ``bool``, ``str`` (also a
    ``choice``, e.g. ``wrong_office_policy``: ``review`` or ``refuse``).  A saved value that no longer parses
    (edited by hand) falls back to the default.

    A key of :data:`SCHEDULE_KEYS` answers the organisation's default work schedule's
    field (its registry default when there is no schedule).

    :raises NotFound: unknown key.
    """
    s = spec(key)
    if s.schedule_field:
        return _schedule_value(s, _default_schedule())
    row = _row(key)
    if row is None:
        return s.default
    try:
        return parse_value(key, row.value)
    except ValueError:
        return s.default


@cache
def _values_query():
    """``(key, value)`` of the saved rows among ``:keys``, built once (the check-in path reads it)."""
    return db.select(Setting.key, Setting.value).where(Setting.key.in_(bindparam("keys", expanding=True)))


def get_settings(*keys: str) -> dict[str, object]:
    """The typed values of several ``keys`` (as :func:`get_setting`), read in one query.

    :raises NotFound: an unknown key.
    """
    specs = [spec(key) for key in keys]
    rows = dict(db.session.execute(_values_query(), {"keys": list(keys)}).all())
    values = {}
    schedule = _default_schedule() if any(s.schedule_field for s in specs) else None
    for s in specs:
        if s.schedule_field:
            values[s.key] = _schedule_value(s, schedule)
            continue
        try:
            values[s.key] = parse_value(s.key, rows[s.key]) if s.key in rows else s.default
        except ValueError:
            values[s.key] = s.default
    return values


def get_view(key: str) -> SettingView:
    """One setting as clients see it (saved row or default).

    :raises NotFound: unknown key.
    """
    s = spec(key)
    if s.schedule_field:
        return _view(s, None, _default_schedule())
    return _view(s, _row(key))


def list_settings() -> list[SettingView]:
    """Every known setting in registry order, saved value or default."""
    rows = {r.key: r for r in db.session.scalars(db.select(Setting).where(Setting.key.in_(SPECS)))}
    schedule = _default_schedule()
    return [_view(s, rows.get(s.key), schedule) for s in REGISTRY]


def _write_schedule(values: dict) -> None:
    """Write schedule-backed settings ``{key: typed}`` into the organisation's default work schedule
    (created, named "Jam Kerja", from the registry defaults when there is none).

    :raises ValidationFailed: the schedule refuses the values (keys of the schedule).
    """
    fields = {SPECS[key].schedule_field: typed for key, typed in values.items()}
    schedule = _default_schedule()
    if schedule is None:
        base = {SPECS[key].schedule_field: SPECS[key].default for key in SCHEDULE_KEYS}
        schedule_services.create_schedule({"name": "Jam Kerja", **base, **fields, "is_active": True})
    else:
        schedule_services.update_schedule(schedule, fields)


def _write(key: str, typed, description: str | None) -> Setting:
    s = SPECS[key]
    row = _row(key)
    if row is None:
        row = Setting(key=key, value=_format(s, typed), description=description or s.description)
        db.session.add(row)
    else:
        row.value = _format(s, typed)
        if description is not None:
            row.description = description
    return row


def _clean_description(description, field: str) -> str | None:
    if description is None:
        return None
    if not isinstance(description, str) or len(description) > 1000:
        raise ValidationFailed({field: ["The description must be a string of at most 1000 characters."]})
    return description.strip() or None


def organisation_name() -> str:
    """The organisation's name for printed headers (the monthly recap's XLSX, PDF and page): the
    ``organisation_name`` setting, else the server's ``ORGANISATION_NAME`` (environment), else the
    ``school_name`` setting, else ``"Hadir"``."""
    from flask import current_app

    return (get_setting("organisation_name") or current_app.config.get("ORGANISATION_NAME")
            or get_setting("school_name") or "Hadir")


def update_setting(key: str, value, description: str | None = None, *, actor=None) -> SettingView:
    """Save ``value`` (text or JSON scalar, checked against the registry) for ``key`` (with an
    ``actor``: audited as ``settings.update``, the value before and after).

    ``description`` replaces the stored description when given (not for the keys of
    :data:`SCHEDULE_KEYS`, whose value is the default work schedule's field).
    :raises NotFound: unknown key.
    :raises ValidationFailed: ``value`` (or ``description``) not acceptable; nothing changes.
    """
    s = spec(key)
    description = _clean_description(description, "description")
    try:
        typed = parse_value(key, value)
    except ValueError as exc:
        raise ValidationFailed({"value": [str(exc)]}) from None
    before = get_setting(key) if actor is not None else None
    if s.schedule_field:
        try:
            _write_schedule({key: typed})
        except ValidationFailed as exc:
            raise ValidationFailed({"value": [m for messages in exc.errors.values() for m in messages]}) from None
    else:
        _write(key, typed, description)
        db.session.flush()
    if actor is not None:
        from ..audit.services import record

        record(actor, "settings.update", subject_type="setting", before={key: before}, after={key: get_setting(key)})
    return get_view(key)


def bulk_update(items, *, actor=None) -> list[SettingView]:
    """Save several settings at once, all or nothing (with an ``actor``: one ``settings.update``
    audit entry with the changed keys' values before and after).

    ``items``: a list of ``{"key": ..., "value": ..., ["description": ...]}``.
    Every item is checked before anything is written; the errors name
    ``settings.N.key`` / ``settings.N.value`` (N from 0, Laravel's style).

    :raises ValidationFailed: not a non-empty list, a malformed item, an
        unknown key, a value out of type or range, or a key given twice.
    """
    if not isinstance(items, list) or not items:
        raise ValidationFailed({"settings": ["The settings field must be a non-empty list."]})
    if len(items) > len(SPECS):
        raise ValidationFailed({"settings": [f"The settings field may not have more than {len(SPECS)} items."]})
    errors: dict[str, list[str]] = {}
    clean: list[tuple[str, object, str | None]] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"settings.{n}"] = ["Each item must be an object with key and value."]
            continue
        key = item.get("key")
        if not isinstance(key, str) or key not in SPECS:
            errors[f"settings.{n}.key"] = ["The selected key is invalid."]
            continue
        if key in seen:
            errors[f"settings.{n}.key"] = ["The key appears more than once."]
            continue
        seen.add(key)
        try:
            typed = parse_value(key, item.get("value"))
        except ValueError as exc:
            errors[f"settings.{n}.value"] = [str(exc)]
            continue
        try:
            description = _clean_description(item.get("description"), f"settings.{n}.description")
        except ValidationFailed as exc:
            errors.update(exc.errors)
            continue
        clean.append((key, typed, description))
    if errors:
        raise ValidationFailed(errors)
    before = {key: get_setting(key) for key, _typed, _description in clean} if actor is not None else None
    timed = {key: typed for key, typed, _description in clean if key in SCHEDULE_KEYS}
    if timed:
        try:
            _write_schedule(timed)
        except ValidationFailed as exc:
            index = {key: n for n, (key, _typed, _description) in enumerate(clean)}
            by_field = {SPECS[key].schedule_field: key for key in timed}
            raise ValidationFailed({f"settings.{index[by_field.get(field, next(iter(timed)))]}.value": messages
                                    for field, messages in exc.errors.items()}) from None
    for key, typed, description in clean:
        if key in SCHEDULE_KEYS:
            continue
        _write(key, typed, description)
    db.session.flush()
    if actor is not None:
        from ..audit.services import record

        record(actor, "settings.update", subject_type="setting", before=before,
               after={key: get_setting(key) for key, _typed, _description in clean})
    return [get_view(key) for key, _typed, _description in clean]
