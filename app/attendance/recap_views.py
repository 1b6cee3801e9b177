"""Admin pages of the month: one person's month and the monthly recap (*rekap absensi*) with its exports.

Routes (staff: admin and petugas):

- ``recap.person_month`` — ``/admin/attendance/people/<user_id>/month?month=YYYY-MM``: each day's
  shift, times, worked / late / early-leave minutes, overtime, status or leave, the events with
  their photo and map link, corrections with their reason, the month's totals.  The markup is the
  fragment ``attendance/_partials/person_month.html`` (context: ``month``, a
  :class:`~app.attendance.recap.PersonMonth`; ``month_link(first_day)`` and ``photo_link(event)``,
  two callables returning URLs or None), so any page may render it for any person;
- ``recap.event_photo`` — an attendance event's photo (never cached);
- ``recap.index`` — ``/admin/attendance/recap``, and ``recap.export`` — ``.xlsx``, ``.pdf``, ``.csv``.
"""
from __future__ import annotations

import io

from flask import Blueprint, abort, request, send_file, url_for
from flask_babel import gettext as _

from ..accounts.models import User
from ..accounts.services import get_user
from ..admin.access import staff_required
from ..admin.filters import recap_day_texts, short_date
from ..admin.rendering import render
from ..common import clock
from ..common.errors import DomainError, NotFound
from . import recap, recap_export
from .models import AttendanceEvent
from .photos import event_for_photo, send_event_photo

bp = Blueprint("recap", __name__, url_prefix="/admin/attendance")


def month_arg() -> tuple[int, int, str | None]:
    """``(year, month, error)`` from the request's ``?month=YYYY-MM`` (a page's month, local): a bad
    value falls back to this month with a message to show, never an error page."""
    try:
        year, month = recap.parse_month(request.args.get("month"))
        return year, month, None
    except DomainError:
        today = clock.local_today()
        return today.year, today.month, _("“%(value)s” is not a month; showing this month.",
                                          value=request.args.get("month", "")[:20])


def _month_link(user_id: int):
    return lambda first_day: url_for("recap.person_month", user_id=user_id, month=f"{first_day:%Y-%m}")


def _correct_link(user: User):
    """For an admin looking at an employee's month: the correction of a day up to today (else None)."""
    from flask_login import current_user

    from ..accounts.roles import STUDENT_ROLES

    if current_user.role != "admin" or user.role in STUDENT_ROLES:
        return None
    today = clock.local_today()
    back = request.full_path.rstrip("?")
    return lambda day: url_for("corrections.day", user_id=user.id, day_text=day.isoformat(), back=back) \
        if day <= today else None


def _photo_link(event: AttendanceEvent) -> str | None:
    return url_for("recap.event_photo", event_id=event.id) if event.photo_path else None


@bp.get("/people/<int:user_id>/month")
@staff_required
def person_month(user_id: int):
    """One person's month (``?month=YYYY-MM``, default this month)."""
    try:
        user = get_user(user_id, include_deleted=True)
    except NotFound:
        abort(404)
    year, month, error = month_arg()
    result = recap.person_month(user, year, month)
    return render("attendance/person_month.html", "attendance/_partials/person_month.html",
                  month=result, error=error, month_link=_month_link(user.id), photo_link=_photo_link,
                  correct_link=_correct_link(user))


@bp.get("/events/<int:event_id>/photo")
@staff_required
def event_photo(event_id: int):
    """The photo taken with an attendance event; 404 without one.  Never cached."""
    try:
        event = event_for_photo(event_id)
    except NotFound:
        abort(404)
    return send_event_photo(event)


@bp.app_template_global()
def day_grid_texts(dates) -> tuple[dict[str, str], dict[str, str], list[str], object]:
    """``(letters, labels, titles, clock)`` of a day grid (``macros/day_grid.html``: the recap, a
    class's month, the teachers' recap), translated once into the request's language: status →
    letter, status → label (:func:`app.admin.filters.recap_day_texts`), each date's short title, and
    ``clock(moment)``: a UTC datetime's local clock time as :func:`app.common.i18n.clock_time` writes
    it, with the zone and the pattern read once (a page of 50 people shows about 1,000)."""
    from flask_babel import get_locale

    from ..common.i18n import clock_pattern

    letters, labels = recap_day_texts()
    zone, pattern = clock.local_zone(), clock_pattern(str(get_locale() or "id"))
    return letters, labels, [short_date(day) for day in dates], \
        lambda moment: moment.astimezone(zone).strftime(pattern)


# --- the monthly recap --------------------------------------------------------------------

#: People per page of the recap (the totals and charts cover everyone of the filters).
RECAP_PER_PAGE = 50
#: Export formats: extension → (mimetype, builder name).
EXPORTS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "pdf": "application/pdf", "csv": "text/csv"}


class ListPage:
    """One page of an in-memory list, with what ``macros/ui.html``'s ``pagination`` reads
    (``items``, ``page``, ``pages``, ``total``, ``first``/``last`` (1-based), ``prev_num``/``next_num``)."""

    def __init__(self, everything: list, page: int, per_page: int):
        self.total = len(everything)
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(1, page), self.pages)
        start = (self.page - 1) * per_page
        self.items = everything[start:start + per_page]
        self.first, self.last = start + 1, start + len(self.items)
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1

    def iter_pages(self, **_kwargs):
        """Every page number (a month's recap has a few pages at most)."""
        return iter(range(1, self.pages + 1))


def _recap_request(brief: bool = False):
    """``(form, year, month, filters, people, scope words, error)`` from the query string.

    Unknown codes or a bad month fall back to "all" / this month and say so in ``error``.
    ``brief``: the people as rows of ``id``, ``department_id``, ``office_id`` (:func:`recap.select_people`).
    """
    from ..departments.services import list_departments
    from ..places.services import list_offices
    from .forms import recap_filter_form
    from .reports import people_groups

    groups = people_groups()
    form = recap_filter_form(groups)(request.args)
    offices = list_offices()
    departments = list_departments(by_name=True)
    form.population.choices = [(key, label) for key, label in recap_export.POPULATION_LABELS.items()]
    form.office.choices = [("", _("All offices"))] + [(o.code, f"{o.code} {o.name}") for o in offices]
    form.department.choices = [("", _("All departments"))] + [(d.code, d.name) for d in departments]
    chosen = {}
    for group in groups:
        field = form[group.param]
        field.choices = [(None, str(group.everyone))] + group.choices()
        field.validate(form)
        if field.data is not None and not field.errors:
            chosen[group.param] = field.data
        else:
            field.data = None
    errors = []
    year, month, error = month_arg()
    if error:
        errors.append(error)
    population = form.population.data if form.population.data in recap.POPULATIONS else "staff"
    form.population.data = population
    for field, known in ((form.office, offices), (form.department, departments)):
        if field.data and not any(x.code == field.data for x in known):
            errors.append(_("Unknown %(what)s “%(code)s”; showing all.", what=field.label.text, code=field.data[:20]))
            field.data = ""
    if population != "students":
        chosen = {}
    people, names = recap.select_people(year, month, population=population, office_code=form.office.data or None,
                                        department_code=form.department.data or None, groups=chosen,
                                        brief=brief)
    filters = {"month": f"{year:04d}-{month:02d}", "population": population}
    for key, value in (("office", form.office.data), ("department", form.department.data), *chosen.items()):
        if value:
            filters[key] = value
    scope = [str(dict(form.population.choices)[population]), *names]
    return form, groups, year, month, filters, people, " · ".join(scope), " ".join(errors) or None


def _heading(year: int, month: int, scope: str):
    from .recap_export import heading_for

    return heading_for(year, month, scope)


@bp.get("/recap")
@staff_required
def index():
    """The monthly recap: per-person totals, the day grid, the month's chart and late minutes by department."""
    form, groups, year, month, filters, people, scope, error = _recap_request(brief=True)
    page = ListPage(people, request.args.get("page", 1, type=int) or 1, RECAP_PER_PAGE)
    # the page's people classified day by day (the day grid's titles name the check-in time); the
    # totals, chart and late minutes of everyone summed (recap.summarise_days)
    result = recap.build_recap(people, year, month, rows_for=recap.load_people([p.id for p in page.items]))
    page.items = result.rows
    late_items = [(name or _("No department"), minutes) for name, minutes in result.late_by_department]
    from ..system.settings import organisation_name

    return render("attendance/recap.html", "attendance/_partials/recap_body.html",
                  form=form, groups=groups, recap=result, page=page, filters=filters, error=error, scope=scope,
                  organisation=organisation_name(),
                  late_items=late_items, minutes_text=lambda n: _("%(n)d min", n=n))


@bp.get("/recap.<fmt>")
@staff_required
def export(fmt: str):
    """The recap of everyone of the filters as ``xlsx``, ``pdf`` or ``csv`` (a download, not cached)."""
    from ..common.csv_export import csv_response

    if fmt not in EXPORTS:
        abort(404)
    _form, _groups, year, month, filters, people, scope, _error = _recap_request()
    result = recap.build_recap(people, year, month, times=False)   # the exports show no clock times
    name = f"rekap-absensi-{filters['month']}"
    if fmt == "csv":
        return csv_response(recap_export.to_rows(result), f"{name}.csv")
    heading = _heading(year, month, scope)
    data = recap_export.render(result, heading, fmt)
    response = send_file(io.BytesIO(data), mimetype=EXPORTS[fmt], as_attachment=True,
                         download_name=f"{name}.{fmt}", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- today's people behind the dashboard's numbers -----------------------------------------------

@bp.get("/today")
@staff_required
def today():
    """The people behind one of the dashboard's numbers: ``?population=staff|students&bucket=<one of
    TODAY_BUCKETS>`` (unknown values: staff, not yet in)."""
    population = request.args.get("population")
    population = population if population in recap.POPULATIONS else "staff"
    bucket = request.args.get("bucket")
    bucket = bucket if bucket in recap.TODAY_BUCKETS else "not_yet"
    day = clock.local_today()
    group = recap.today_by_population(day)[population]
    return render("attendance/today.html", "attendance/today.html", today=day, group=group, bucket=bucket,
                  population_label=recap_export.POPULATION_LABELS[population], buckets=recap.TODAY_BUCKETS)


@bp.get("/month-chart")
@staff_required
def month_chart():
    """The dashboard's chart of this month so far (employees and clinic staff), a fragment loaded
    after the dashboard itself."""
    from flask import render_template

    day = clock.local_today()
    people, _names = recap.select_people(day.year, day.month, population="staff", brief=True)
    result = recap.build_recap(people, day.year, day.month, today=day, rows_for=())   # sums only
    response = render_template("attendance/_partials/month_chart.html", month=result)
    return response
