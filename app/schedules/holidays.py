"""Public holidays: Indonesia's national holidays and *cuti bersama*, imported per year into
an editable calendar, plus the organisation's own days off (for everyone or one office).

Source: the ``holidays`` package (pinned in ``requirements.txt``), country ``ID``,
categories ``public`` (national holidays, *hari libur nasional*) and ``government``
(*cuti bersama*, the collective leave days of the joint ministerial decree), names in
Indonesian.  Future Islamic dates carry "(perkiraan)" (estimated) and *cuti bersama*
is published late, so the calendar stays editable: rename, remove, add; a removed
imported day is kept inactive so importing the year again does not bring it back.
No network access: the package carries its data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from ..common.errors import Conflict, NotFound, ValidationFailed
from ..common.i18n import N_
from ..common import clock
from ..extensions import db
from .models import Holiday

#: Years the import accepts (the package covers 1946–2100).
YEARS = (2000, 2100)


@dataclass(frozen=True)
class ImportResult:
    """``year``, days ``added`` and days ``skipped`` (already in the calendar, kept as edited)."""

    year: int
    added: int
    skipped: int


def national_holidays(year: int) -> dict[date, tuple[str, str]]:
    """``{date: (Indonesian name, category)}`` of ``year`` from the ``holidays`` package.

    A date that is both a holiday and *cuti bersama* is the holiday.
    :raises ValidationFailed: a year outside :data:`YEARS` (``year``).
    """
    import holidays

    if isinstance(year, bool) or not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        raise ValidationFailed({"year": [N_("Choose a year between 2000 and 2100.")]})
    days: dict[date, tuple[str, str]] = {}
    for category in ("government", "public"):  # public last: it wins a shared date
        for day, name in holidays.country_holidays("ID", years=year, categories=(category,),
                                                   language="id").items():
            days[day] = (name, category)
    return days


def _audit(actor, holiday, before: dict | None, after: dict | None, *, subject_id=None) -> None:
    """Write a change of the holiday calendar to the audit trail when an ``actor`` made it."""
    if actor is None:
        return
    from ..audit.services import record

    record(actor, "holiday.change", subject_type="holiday",
           subject_id=subject_id if holiday is None else holiday.id, before=before, after=after)


def _holiday_values(holiday) -> dict:
    return {"date": holiday.on_date, "name": holiday.name, "active": holiday.is_active,
            "office": holiday.office.code if holiday.office_id and holiday.office else None}


def import_year(year: int, *, actor=None) -> ImportResult:
    """Add ``year``'s national holidays and *cuti bersama* for everyone.

    Dates already in the calendar for everyone (renamed, removed or added by hand)
    are left as they are, so the import can be run again safely.
    :raises ValidationFailed: a year outside :data:`YEARS`.
    """
    found = national_holidays(year)
    existing = set(db.session.scalars(db.select(Holiday.on_date).where(
        Holiday.office_id.is_(None), Holiday.on_date.between(date(year, 1, 1), date(year, 12, 31)))))
    added = 0
    for day, (name, category) in sorted(found.items()):
        if day in existing:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(Holiday(on_date=day, name=name[:200], category=category))
                db.session.flush()
            added += 1
        except IntegrityError:  # another import added it at the same moment
            continue
    if added:
        _audit(actor, None, None, {"imported_year": year, "added": added})
    return ImportResult(year, added, len(found) - added)


def _clean_name(name) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 200:
        raise ValidationFailed({"name": [N_("The name is required (at most 200 characters).")]})
    return name


def add_holiday(on_date: date, name: str, *, office=None, actor=None) -> Holiday:
    """Add the organisation's own day off (category ``organisation``), for everyone or one office.

    :raises ValidationFailed: no date or name, a date outside 2000–2100.
    :raises Conflict: that date already has a holiday for the same people
        (a removed one is restored and renamed instead).
    """
    name = _clean_name(name)
    if not isinstance(on_date, date) or not YEARS[0] <= on_date.year <= YEARS[1]:
        raise ValidationFailed({"on_date": [N_("Choose a date between 2000 and 2100.")]})
    office_id = office.id if office is not None else None
    existing = db.session.scalar(db.select(Holiday).where(
        Holiday.on_date == on_date,
        Holiday.office_id.is_(None) if office_id is None else Holiday.office_id == office_id))
    if existing is not None:
        if existing.is_active:
            raise Conflict(N_("This date is already a holiday"), field="on_date")
        before = _holiday_values(existing)
        existing.is_active = True
        existing.name = name
        db.session.flush()
        _audit(actor, existing, before, _holiday_values(existing))
        return existing
    holiday = Holiday(on_date=on_date, name=name, category="organisation", office_id=office_id)
    try:
        with db.session.begin_nested():
            db.session.add(holiday)
            db.session.flush()
    except IntegrityError:
        raise Conflict(N_("This date is already a holiday"), field="on_date") from None
    _audit(actor, holiday, None, _holiday_values(holiday))
    return holiday


def get_holiday(holiday_id: int) -> Holiday:
    """:raises NotFound: no holiday with this id."""
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None:
        raise NotFound(N_("Holiday not found"))
    return holiday


def rename_holiday(holiday: Holiday, name: str, *, actor=None) -> Holiday:
    """:raises ValidationFailed: empty or longer than 200 characters."""
    before = _holiday_values(holiday)
    holiday.name = _clean_name(name)
    holiday.updated_at = clock.now()
    db.session.flush()
    _audit(actor, holiday, before, _holiday_values(holiday))
    return holiday


def remove_holiday(holiday: Holiday, *, actor=None) -> None:
    """Make the date a normal day again.  An imported holiday is kept inactive (a later
    import skips it, :func:`restore_holiday` brings it back); the organisation's own is deleted.
    With an ``actor`` each of these changes is written to the audit trail (``holiday.change``)."""
    before = _holiday_values(holiday)
    _audit(actor, holiday, before, {**before, "active": False})
    if holiday.category == "organisation":
        db.session.delete(holiday)
    else:
        holiday.is_active = False
    db.session.flush()


def restore_holiday(holiday: Holiday, *, actor=None) -> Holiday:
    """Make a removed imported holiday a day off again."""
    before = _holiday_values(holiday)
    holiday.is_active = True
    db.session.flush()
    _audit(actor, holiday, before, _holiday_values(holiday))
    return holiday


def organisation_holidays_between(first: date, last: date) -> dict[date, Holiday]:
    """``{date: holiday}`` of the active holidays of everyone (no office's own) from ``first``
    to ``last``, both included."""
    return {h.on_date: h for h in db.session.scalars(
        db.select(Holiday).where(Holiday.on_date.between(first, last), Holiday.is_active.is_(True),
                                 Holiday.office_id.is_(None)))}


def holidays_of_year(year: int, *, include_removed: bool = False) -> list[Holiday]:
    """Every holiday of ``year`` (everyone's and every office's), by date, everyone's first."""
    stmt = db.select(Holiday).where(Holiday.on_date.between(date(year, 1, 1), date(year, 12, 31)))
    if not include_removed:
        stmt = stmt.where(Holiday.is_active.is_(True))
    return list(db.session.scalars(stmt.order_by(Holiday.on_date, Holiday.office_id.is_not(None), Holiday.id)))
