"""Admin pages of the holiday calendar (admins only): a year of public holidays, *cuti bersama*
and the organisation's own days off, for everyone or one office.

- ``GET /admin/holidays/?year=YYYY``: the year as twelve small months and as a list;
  ``&removed=1`` also lists removed days (to restore them);
- ``POST /admin/holidays/import``: add the year's national holidays and *cuti bersama* from
  the ``holidays`` package (:func:`app.schedules.holidays.import_year`; days already in
  the calendar, edited or removed, stay as they are);
- ``POST /admin/holidays/``: add a day (for everyone or one office); ``/<id>/edit`` and
  ``POST /<id>``: rename in place; ``/<id>/remove`` and ``/<id>/restore``.

Every change answers htmx with the whole section (the months and the list), else
redirects back to the year.
"""
from __future__ import annotations

import calendar
from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..admin.rendering import render, wants_fragment
from ..admin.access import admin_required
from ..common import clock
from ..common.errors import NotFound
from ..places.services import get_office, list_offices
from . import holidays as calendar_service
from .holiday_forms import HolidayForm, RenameHolidayForm

bp = Blueprint("holidays", __name__, url_prefix="/admin/holidays")


def _year() -> int:
    year = request.values.get("year", type=int)
    low, high = calendar_service.YEARS
    return year if year is not None and low <= year <= high else clock.local_today().year


def _months(year: int) -> list[tuple[date, list[list[date | None]]]]:
    """Twelve ``(first day, weeks)``; each week Monday..Sunday, None outside the month."""
    weeks = calendar.Calendar(firstweekday=0)
    return [(date(year, m, 1), [[d if d.month == m else None for d in week]
                                for week in weeks.monthdatescalendar(year, m)]) for m in range(1, 13)]


def _section(year: int, *, form=None, editing_id=None, rename_form=None, notice=None, notice_kind="success"):
    show_removed = request.values.get("removed") == "1"
    days = calendar_service.holidays_of_year(year, include_removed=show_removed)
    active = [h for h in days if h.is_active]
    by_date: dict[date, list] = {}
    for holiday in active:
        by_date.setdefault(holiday.on_date, []).append(holiday)
    offices = list_offices()
    add_form = form or HolidayForm(formdata=None)
    add_form.set_office_choices(offices, _("Everyone (all offices)"))
    if form is None:
        add_form.on_date.data = date(year, 1, 1) if year != clock.local_today().year else clock.local_today()
    return render("holidays/index.html", "holidays/_partials/section.html",
                  year=year, holidays=days, by_date=by_date, months=_months(year), form=add_form,
                  editing_id=editing_id, rename_form=rename_form, show_removed=show_removed,
                  today=clock.local_today(), notice=notice, notice_kind=notice_kind,
                  counts={c: sum(1 for h in active if h.category == c) for c in ("public", "government",
                                                                                   "organisation")})


def _done(year: int, message: str, kind: str = "success"):
    if wants_fragment():
        return _section(year, notice=message, notice_kind=kind)
    flash(message, kind)
    args = {"year": year}
    if request.values.get("removed") == "1":
        args["removed"] = "1"
    return redirect(url_for("holidays.index", **args), code=303)


def _load(holiday_id: int):
    try:
        return calendar_service.get_holiday(holiday_id)
    except NotFound:
        abort(404)


@bp.get("/")
@admin_required
def index():
    """A year of the calendar (``?year=``, default this year)."""
    return _section(_year())


@bp.post("/import")
@admin_required
def import_year():
    """Add ``year``'s national holidays and *cuti bersama* (days already there stay as they are)."""
    from .holiday_forms import ImportYearForm

    form = ImportYearForm()
    if not form.validate_on_submit():
        return _done(_year(), _("Choose a year between 2000 and 2100."), "error")
    result = calendar_service.import_year(form.year.data, actor=current_user._get_current_object())
    if result.added:
        message = ngettext("%(num)d day of %(year)d was added from the national calendar.",
                           "%(num)d days of %(year)d were added from the national calendar.",
                           result.added, year=result.year)
        if result.skipped:
            message += " " + ngettext("%(num)d was already in the calendar and stays as it is.",
                                      "%(num)d were already in the calendar and stay as they are.", result.skipped)
    else:
        message = _("Every national holiday and collective leave day of %(year)d is already in the calendar.",
                    year=result.year)
    return _done(result.year, message)


@bp.post("/")
@admin_required
def add():
    """Add the organisation's own day off, for everyone or one office."""
    form = HolidayForm()
    form.set_office_choices(list_offices(), "")
    year = form.on_date.data.year if form.on_date.data else _year()
    if form.validate_on_submit():
        office = get_office(form.office_id.data) if form.office_id.data else None
        ok, holiday = form.call(lambda: calendar_service.add_holiday(form.on_date.data, form.name.data, office=office,
                                                                    actor=current_user._get_current_object()),
                                conflict_messages={"on_date": _("This date is already a holiday for the same people.")})
        if ok:
            return _done(holiday.on_date.year, _("%(date)s is now a holiday: %(name)s.",
                                                 date=holiday.on_date.strftime("%d-%m-%Y"), name=holiday.name))
    return _section(year, form=form)


@bp.get("/<int:holiday_id>/edit")
@admin_required
def edit(holiday_id: int):
    """The holiday's row turned into a rename form."""
    holiday = _load(holiday_id)
    return _section(holiday.on_date.year, editing_id=holiday.id,
                    rename_form=RenameHolidayForm(formdata=None, prefix="rename", name=holiday.name))


@bp.post("/<int:holiday_id>")
@admin_required
def rename(holiday_id: int):
    """Rename a holiday (e.g. drop "(perkiraan)" once the date is confirmed)."""
    holiday = _load(holiday_id)
    form = RenameHolidayForm(prefix="rename")
    if form.validate_on_submit():
        ok, _saved = form.call(lambda: calendar_service.rename_holiday(holiday, form.name.data,
                                                                       actor=current_user._get_current_object()))
        if ok:
            return _done(holiday.on_date.year, _("The holiday of %(date)s is now called “%(name)s”.",
                                                 date=holiday.on_date.strftime("%d-%m-%Y"), name=holiday.name))
    return _section(holiday.on_date.year, editing_id=holiday.id, rename_form=form)


@bp.post("/<int:holiday_id>/remove")
@admin_required
def remove(holiday_id: int):
    """Make the date a normal working day again (an imported day is kept, removed, to restore later)."""
    holiday = _load(holiday_id)
    year, name, day = holiday.on_date.year, holiday.name, holiday.on_date
    calendar_service.remove_holiday(holiday, actor=current_user._get_current_object())
    return _done(year, _("%(date)s (%(name)s) is a working day again.", date=day.strftime("%d-%m-%Y"), name=name))


@bp.post("/<int:holiday_id>/restore")
@admin_required
def restore(holiday_id: int):
    """Make a removed imported holiday a day off again."""
    holiday = _load(holiday_id)
    calendar_service.restore_holiday(holiday, actor=current_user._get_current_object())
    return _done(holiday.on_date.year, _("%(date)s (%(name)s) is a holiday again.",
                                         date=holiday.on_date.strftime("%d-%m-%Y"), name=holiday.name))
