"""Why an attendance event waits for review, in words with figures, in the reader's language.

The review inbox shows each reason of an event (``AttendanceEvent.flag_details``,
written by :mod:`app.attendance.plausibility`) as one phrase:
"akurasi 0 m (di bawah batas wajar 1 m)", "127 km dari absen sebelumnya 1 menit
lalu (7.620 km/jam; batas 150 km/jam)", "kantor 0002 Kantor Cabang Bandung, bukan
kantor penugasannya (0001 Kantor Pusat Jakarta)".  Events recorded before the
details existed are worded from their ``flag_reason`` and columns.  A new flag reason
gets its phrase in :func:`_phrase` (until then the inbox shows only its label).
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import format_decimal, format_timedelta, gettext as _

from ..common import clock

#: Units of a duration, largest first: (seconds, babel granularity).
_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def distance_text(metres: float | None) -> str:
    """``850 m``, ``1,2 km`` (under 10 km, one decimal), ``127 km`` in the current locale."""
    if metres is None:
        return "—"
    if metres < 1000:
        return f"{format_decimal(round(metres))} m"
    km = metres / 1000
    return f"{format_decimal(round(km, 1) if km < 10 else round(km))} km"


def accuracy_text(metres: float | None) -> str:
    """An accuracy radius with one decimal below 10 m, so 0.5 m does not read as 0: ``0 m``,
    ``0,5 m``, ``12 m`` (also the admin pages' ``accuracy`` filter)."""
    if metres is None:
        return "—"
    value = round(metres, 1) if metres < 10 else round(metres)
    return f"{format_decimal(int(value) if float(value).is_integer() else value)} m"


def duration_text(seconds: float) -> str:
    """``1 detik``, ``3 menit``, ``1 jam 30 menit``, ``2 hari 4 jam``: the two largest units, whole."""
    left = max(0, int(round(seconds)))
    parts = []
    for size, unit in _UNITS:
        count, left = divmod(left, size)
        if count or (not parts and size == 1):
            parts.append(format_timedelta(timedelta(seconds=count * size), granularity=unit, threshold=1))
        if len(parts) == 2:
            break
    return " ".join(parts)


def speed_text(kmh: float) -> str:
    """``7.620 km/jam`` / ``7,620 km/h``."""
    return _("%(speed)s km/h", speed=format_decimal(round(kmh)))


def _office(code, name) -> str:
    return " ".join(p for p in (code, name) if p) or "—"


def _phrase(detail: dict, event) -> str | None:
    reason = detail.get("reason")
    if reason == "implausible_accuracy":
        return _("accuracy %(accuracy)s (below the plausible %(floor)s)",
                 accuracy=accuracy_text(detail.get("accuracy_m")), floor=accuracy_text(detail.get("floor_m")))
    if reason == "impossible_travel":
        return _("%(distance)s from the previous attendance %(elapsed)s earlier (%(speed)s; limit %(limit)s)",
                 distance=distance_text(detail.get("distance_m")), elapsed=duration_text(detail.get("elapsed_s", 0)),
                 speed=speed_text(detail.get("speed_kmh", 0)), limit=speed_text(detail.get("limit_kmh", 0)))
    if reason == "wrong_office":
        return _("office %(office)s, not their assigned office (%(assigned)s)",
                 office=_office(detail.get("office_code"), detail.get("office_name")),
                 assigned=_office(detail.get("assigned_code"), detail.get("assigned_name")))
    if reason == "outside_geofence":
        return _("%(distance)s from the office (radius %(radius)s)",
                 distance=distance_text(detail.get("distance_m")), radius=distance_text(detail.get("radius_m")))
    if reason == "low_accuracy":
        return _("accuracy %(accuracy)s, wider than the radius %(radius)s",
                 accuracy=accuracy_text(detail.get("accuracy_m")), radius=distance_text(detail.get("radius_m")))
    if reason == "no_office":
        return _("no office assigned")
    if reason == "offline":
        if event.client_time is not None:
            return _("sent later from offline (phone time %(time)s, not trusted)",
                     time=clock.to_local(event.client_time).strftime("%H:%M"))
        return _("sent later from offline")
    if reason == "after_window":
        return _("checked in after the check-in window closed at %(time)s (recorded late)",
                 time=detail.get("closed_at") or "—")
    if reason == "face_not_enrolled":
        return _("face not enrolled yet: decided with the person's first face photo")
    if reason == "missed_check_out":
        return _("no check-out recorded; closed at %(time)s, the scheduled end", time=detail.get("closed_at") or "—")
    return None  # a reason without a phrase here: the inbox shows its label only


def _legacy_details(event) -> list[dict]:
    """Details of an event flagged before ``flag_details`` existed, from its columns."""
    radius = event.office.geofence_radius_m if event.office is not None else None
    return [{"reason": event.flag_reason, "distance_m": event.distance_m, "accuracy_m": event.accuracy_m,
             "radius_m": radius}]


def describe_flags(event) -> list[str]:
    """Each reason ``event`` was flagged for, as a phrase with its figures; the main reason first.

    :param event: an :class:`~app.attendance.models.AttendanceEvent`; empty list when not flagged.
    """
    details = [d for d in event.flag_details or () if isinstance(d, dict)]
    if not details:
        details = _legacy_details(event) if event.flag_reason else []
    details.sort(key=lambda d: d.get("reason") != event.flag_reason)
    return [text for text in (_phrase(detail, event) for detail in details) if text]
