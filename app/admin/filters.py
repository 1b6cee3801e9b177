"""Jinja filters and globals of the admin pages: local times, numbers and labels.

Times are stored in UTC and shown in the organisation's zone
(:func:`app.common.clock.to_local`), formatted for the user's language.
"""
from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_date, format_datetime, get_day_names
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import get_locale, lazy_gettext as _l, lazy_pgettext as _lp

from ..accounts.roles import ROLE_BY_KEY
from ..attendance.reasons import accuracy_text, describe_flags
from ..common import clock
from ..common.i18n import clock_pattern, clock_time, time_separator

#: Attendance event kinds.
KIND_LABELS = {"check_in": _l("Check-in"), "check_out": _l("Check-out")}
#: Leave types (app.leave.models.LEAVE_TYPES).
LEAVE_TYPE_LABELS = {
    "izin": _l("Permission"),
    "cuti": _l("Annual leave"),
    "dinas_luar": _l("Off-site duty"),
    "sakit": _l("Sick leave"),
}
#: A day of the attendance report (app.attendance.reports.COUNTED and UNCOUNTED).
DAY_LABELS = {
    "present": _l("Present"),
    "late": _l("Late"),
    "pending_review": _l("Awaiting review"),
    **LEAVE_TYPE_LABELS,
    "absent": _l("Absent"),
    "off": _l("Day off"),
    "not_yet": _l("Not yet"),
    "future": _l("Upcoming"),
}
#: One letter (or two) per report day, as on a paper attendance sheet; in Indonesian
#: the customary H (hadir), T (terlambat), S (sakit), I (izin), C (cuti), DL (dinas
#: luar), A (alpa).
DAY_LETTERS = {
    "present": _lp("attendance day letter", "P"),
    "late": _lp("attendance day letter", "L"),
    "pending_review": _lp("attendance day letter", "R"),
    "izin": _lp("attendance day letter", "PL"),
    "cuti": _lp("attendance day letter", "AL"),
    "dinas_luar": _lp("attendance day letter", "D"),
    "sakit": _lp("attendance day letter", "S"),
    "absent": _lp("attendance day letter", "A"),
    "off": "·",
    "not_yet": "…",
    "future": "",
}
#: The letters of the monthly recap (app.attendance.recap): those of the report, and a day off or
#: holiday printed as a letter too (L, *libur*, in Indonesian), as on HR's paper sheets.
RECAP_LETTERS = {**DAY_LETTERS, "off": _lp("attendance day letter", "O")}
#: Why a day is a day off (app.attendance.models.OFF_REASONS).
OFF_REASON_LABELS = {"roster": _l("Day off (roster)"), "holiday": _l("Holiday"), "weekday": _l("Day off")}
#: The dashboard's groups of today (app.attendance.recap.TODAY_BUCKETS).
TODAY_BUCKET_LABELS = {"present": _l("Present on time"), "late": _l("Late"), "pending_review": _l("Awaiting review"),
                       "leave": _l("On leave"), "not_yet": _l("Not yet in"), "off": _l("Day off")}


def recap_day_texts() -> tuple[dict[str, str], dict[str, str]]:
    """``(letters, labels)``: :data:`RECAP_LETTERS` and :data:`DAY_LABELS` translated once into the
    request's language, for the recap's day grid (the same texts as the ``recap_letter`` and
    ``day_label`` filters, without a catalogue look-up per cell)."""
    return ({code: str(text) for code, text in RECAP_LETTERS.items()},
            {code: str(text) for code, text in DAY_LABELS.items()})


def day_texts() -> tuple[dict[str, str], dict[str, str]]:
    """``(letters, labels)``: :data:`DAY_LETTERS` and :data:`DAY_LABELS` translated once into the
    request's language, for a report that shows them in every cell (a month of 1,000 people is
    31,000 cells: one translation each would be 31,000 catalogue look-ups)."""
    return ({code: str(text) for code, text in DAY_LETTERS.items()},
            {code: str(text) for code, text in DAY_LABELS.items()})


#: Why an event waits for review.
FLAG_REASON_LABELS = {
    "outside_geofence": _l("Outside the geofence"),
    "low_accuracy": _l("GPS too imprecise"),
    "no_office": _l("No office assigned"),
    "offline": _l("Offline sync"),
    "implausible_accuracy": _l("Implausible GPS accuracy"),
    "impossible_travel": _l("Impossible travel"),
    "wrong_office": _l("Not their office"),
    "after_window": _l("After the check-in window"),
    "missed_check_out": _l("Missed check-out"),
    "face_not_enrolled": _l("Face not enrolled yet"),
}
#: How an event was captured.
SOURCE_LABELS = {
    "mobile_gps": _l("Mobile app (GPS)"),
    "qr": _l("QR code"),
    "face": _l("Face recognition"),
    "manual": _l("Manual entry"),
    "offline": _l("Offline sync"),
    "system": _l("Automatic (missed check-out)"),
}
#: Review, request and daily-attendance states → (label, badge modifier).
STATUS_BADGES = {
    "pending": (_l("Pending"), "pending"),
    "approved": (_l("Approved"), "approved"),
    "rejected": (_l("Rejected"), "rejected"),
    "present": (_l("Present"), "present"),
    "late": (_l("Late"), "late"),
    "pending_review": (_l("Awaiting review"), "pending"),
    "not_required": (_l("Accepted"), "approved"),
    "draft": (_l("Draft"), "inactive"),
    "published": (_l("Published"), "approved"),
    "archived": (_l("Archived"), "inactive"),
}
#: Post categories.
CATEGORY_LABELS = {
    "announcement": _l("Announcement"),
    "news": _l("News"),
    "event": _l("Event"),
    "info": _l("Information"),
    "other": _l("Other"),
}
#: Mobile platforms.
PLATFORM_LABELS = {"android": _l("Android"), "ios": _l("iOS")}


def _locale():
    return get_locale() or "id"


def local_datetime(moment: datetime | None, pattern: str | None = None) -> str:
    """``moment`` (UTC) in the organisation's zone, e.g. ``30 Jan 2026, 08.15`` (the time with
    :func:`time_separator`; ``pattern``: a Babel pattern instead)."""
    if moment is None:
        return "—"
    locale = _locale()
    if pattern is None:
        pattern = "d MMM y, HH" + time_separator(str(locale)).replace("'", "''") + "mm"
    return format_datetime(clock.to_local(moment), pattern, tzinfo=clock.local_zone(), locale=locale)


def local_time(moment: datetime | time | None) -> str:
    """Only the local clock time (``08.15`` in Indonesian, ``08:15`` in English), also for a
    plain ``time``: :func:`app.common.i18n.clock_time`."""
    return clock_time(moment)


def duration(minutes: int | None) -> str:
    """Whole minutes as hours and minutes, ``550`` → ``9:10``; None → ``—``; 0 → ``0:00``."""
    if minutes is None:
        return "—"
    return f"{minutes // 60}:{minutes % 60:02d}"


def long_date(day: date) -> str:
    """``Jumat, 30 Januari 2026`` in the user's language."""
    return format_date(day, "full", locale=_locale())


def short_date(day: date) -> str:
    """``30 Jan 2026`` in the user's language."""
    return format_date(day, "d MMM y", locale=_locale())


def day_month(day: date) -> str:
    """``Sen, 30 Nov`` (weekday and date without the year) in the user's language."""
    return format_date(day, "EEE, d MMM", locale=_locale())


def month_name(day: date) -> str:
    """``Desember 2026`` (the month of ``day``) in the user's language."""
    return format_date(day, "LLLL y", locale=_locale())


def metres(value: float | None) -> str:
    """A distance or accuracy in whole metres (``1.234 m`` in Indonesian)."""
    if value is None:
        return "—"
    return f"{format_decimal(round(value), locale=_locale())} m"


def coordinate(value: float | None) -> str:
    """Decimal degrees with 6 places (about 0.1 m), as typed into a map."""
    return "—" if value is None else f"{value:.6f}"


def map_url(latitude: float | None, longitude: float | None) -> str | None:
    """An OpenStreetMap link centred on the point with a marker, or None without a position."""
    if latitude is None or longitude is None:
        return None
    lat, lon = f"{latitude:.6f}", f"{longitude:.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"


def weekday_initial(day: date) -> str:
    """The short weekday name of ``day`` in the user's language (``Sen``/``Mon``)."""
    return format_date(day, "EEE", locale=_locale())


def iso_weekday_name(day: int, width: str = "abbreviated") -> str:
    """The name of ISO weekday ``day`` (1 = Monday) in the user's language; ``width``:
    ``wide`` (Senin), ``abbreviated`` (Sen) or ``narrow`` (S)."""
    return get_day_names(width, context="format", locale=_locale())[day - 1]


def working_days_text(schedule_or_days) -> str:
    """Working weekdays in words: ``Sen–Jum``, ``Sen, Rab, Jum``, ``Setiap hari``.

    :param schedule_or_days: a work schedule (its ``working_weekdays``) or ISO weekdays.
    """
    days = sorted(getattr(schedule_or_days, "working_weekdays", schedule_or_days) or ())
    if len(days) == 7:
        return str(_l("Every day"))
    if not days:
        return "—"
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{iso_weekday_name(days[0])}–{iso_weekday_name(days[-1])}"
    return ", ".join(iso_weekday_name(d) for d in days)


def schedule_summary(schedule) -> str:
    """A work schedule in one line: check-in window, start (with grace), end, check-out window, days
    (``gettext``, not lazy: it is called at render time)."""
    pattern = clock_pattern(str(_locale()))

    def t(value):
        """A time of day in the locale's clock pattern, or ``…`` when unset."""
        return value.strftime(pattern) if value else "…"

    check_in = t(schedule.check_in_start) + "–" + t(schedule.check_in_end)
    check_out = t(schedule.check_out_start) + "–" + t(schedule.check_out_end)
    parts = [str(_l("check-in %(window)s", window=check_in))]
    if schedule.late_after:
        late = str(_l("late after %(time)s", time=t(schedule.late_after)))
        if schedule.grace_minutes:
            late += " " + str(_l("(+%(n)d min grace)", n=schedule.grace_minutes))
        parts.append(late)
    parts.append(str(_l("work ends %(time)s", time=t(schedule.scheduled_end))))
    parts.append(str(_l("check-out %(window)s", window=check_out)))
    parts.append(working_days_text(schedule))
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


#: Who a schedule assignment is for.
TARGET_KIND_LABELS = {"user": _l("Person"), "department": _l("Department"), "office": _l("Office")}
#: Where a person's schedule of a day comes from (:data:`app.schedules.resolution.SOURCES`).
SCHEDULE_SOURCE_LABELS = {
    "roster": _l("from the roster"),
    "user": _l("assigned to them"),
    "department": _l("from their department"),
    "office": _l("from their office"),
    "organisation": _l("the organisation’s default"),
    "none": _l("no schedule"),
}


def assignment_target(assignment) -> str:
    """``Andi Pratama``, ``Unit kerja IGD``, ``Kantor 0001 Kantor Pusat``: who an assignment is for."""
    if assignment.user_id:
        return assignment.user.name
    if assignment.department_id:
        return str(_l("Department %(name)s", name=assignment.department.name))
    return str(_l("Office %(name)s", name=assignment.office.name))


def role_label(key: str) -> str:
    """The translated name of a role key."""
    role = ROLE_BY_KEY.get(key)
    return str(role.label) if role else key


def initials(name: str | None) -> str:
    """Up to two initials for the avatar (``Admin HRD`` → ``AH``)."""
    parts = [p for p in (name or "").split() if p[:1].isalnum()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def _label(mapping):
    def lookup(key):
        """The translated label of ``key``; the key itself (``—`` when empty) when it has none."""
        value = mapping.get(key)
        return str(value) if value is not None else (key or "—")
    return lookup


def status_badge(key: str) -> tuple[str, str]:
    """``(label, modifier)`` of a state for ``<span class="badge badge--{modifier}">``."""
    label, modifier = STATUS_BADGES.get(key, (key, "info"))
    return str(label), modifier


def register_filters(app: Flask) -> None:
    """Install the filters and label helpers in ``app``'s Jinja environment."""
    app.jinja_env.filters.update(
        local_datetime=local_datetime, local_time=local_time, long_date=long_date, short_date=short_date,
        day_month=day_month,
        metres=metres, coordinate=coordinate, role_label=role_label, initials=initials, weekday_initial=weekday_initial,
        kind_label=_label(KIND_LABELS), flag_reason_label=_label(FLAG_REASON_LABELS),
        source_label=_label(SOURCE_LABELS), category_label=_label(CATEGORY_LABELS),
        platform_label=_label(PLATFORM_LABELS), leave_type_label=_label(LEAVE_TYPE_LABELS),
        day_label=_label(DAY_LABELS), flag_texts=describe_flags, accuracy=accuracy_text,
        duration=duration, off_reason_label=_label(OFF_REASON_LABELS), recap_letter=_label(RECAP_LETTERS),
        today_bucket_label=_label(TODAY_BUCKET_LABELS),
    )
    # the schedule pages (work schedules, rosters, holidays, departments, the person page)
    app.jinja_env.filters.update(
        month_name=month_name, iso_weekday_name=iso_weekday_name, working_days_text=working_days_text,
        schedule_summary=schedule_summary, target_kind_label=_label(TARGET_KIND_LABELS),
        schedule_source_label=_label(SCHEDULE_SOURCE_LABELS), assignment_target=assignment_target,
    )
    app.jinja_env.globals.update(map_url=map_url, status_badge=status_badge, today_local=clock.local_today)
