"""Admin pages of rosters (admins only), on the ``rosters`` blueprint: the month grid, its cells,
shift patterns, and the CSV export.

- ``GET /admin/rosters/?month=YYYY-MM&office=ID&department=ID&q=``: people × days, each
  cell the person's shift that day (its code on its colour), days off, weekends, holidays
  and today marked; wide months scroll sideways with the names column kept in view;
- ``GET /admin/rosters/cell/<user>/<YYYY-MM-DD>``: what can be done with one cell (htmx:
  into the page's dialog; otherwise a page of its own);
- ``POST`` on the same URL: another shift, a day off, or back to the pattern/default; and
  ``.../swap``: exchange with another person's cell (or the same person's on another
  day).  htmx gets the changed cells back (swapped in place); a plain post is redirected
  to the grid;
- ``/admin/rosters/patterns``: shift patterns (a cycle of shifts and days off), and
  ``/admin/rosters/apply``: write one onto a department or a person for a date range;
- ``GET /admin/rosters/export.csv``: the month as CSV (the import reads the same shape,
  :mod:`.imports`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext, pgettext
from flask_login import current_user

from ...accounts.models import User
from ...accounts.services import find_by_identifier, get_user
from ...admin.access import admin_required, is_safe_next
from ...admin.filters import SCHEDULE_SOURCE_LABELS, short_date
from ...admin.rendering import render, wants_fragment
from ...common import clock
from ...common.boundary import refuse
from ...common.csv_export import csv_response
from ...common.errors import DomainError, NotFound
from ...common.i18n import N_
from ...common.months import shift_month
from ...departments.services import department_tree, get_department
from ...extensions import db
from ...places.services import get_office, list_offices
from .. import rosters, services as schedules
from ..holidays import organisation_holidays_between
from ..roster_forms import ApplyPatternForm, CellForm, PatternForm, SwapForm
from ..assignments import people_offered

from . import bp

#: People per page of the grid.
PER_PAGE = 40
#: The most people offered in a swap's person list.
SWAP_CHOICES = 300


# --- filters --------------------------------------------------------------------------------

@dataclass(frozen=True)
class GridFilters:
    """The grid's filters as read from the query string (bad values fall back to "all" / this month)."""

    year: int
    month: int
    office: object = None
    department: object = None
    search: str = ""
    page: int = 1

    @property
    def month_text(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    def args(self, **changes) -> dict:
        """Query arguments of the grid URL with these filters (``changes`` replace some)."""
        values = {"month": self.month_text, "office": self.office.id if self.office else None,
                  "department": self.department.id if self.department else None, "q": self.search or None}
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def shifted(self, months: int) -> str:
        """``YYYY-MM`` of the month ``months`` away."""
        return f"{shift_month(date(self.year, self.month, 1), months):%Y-%m}"


def _parse_month(text: str | None) -> tuple[int, int]:
    today = clock.local_today()
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        rosters.month_bounds(year, month)
        return year, month
    except (ValueError, DomainError):
        return today.year, today.month


def read_filters() -> GridFilters:
    """The grid's filters from the request's query string (or form, for a post)."""
    values = request.values
    year, month = _parse_month(values.get("month"))
    office = department = None
    office_id = values.get("office", type=int)
    department_id = values.get("department", type=int)
    if office_id:
        try:
            office = get_office(office_id)
        except DomainError:
            office = None
    if department_id:
        try:
            department = get_department(department_id)
        except DomainError:
            department = None
    search = (values.get("q") or "").strip()[:100]
    page = values.get("page", 1, type=int) or 1
    return GridFilters(year, month, office, department, search, max(page, 1))


def _people_query(filters: GridFilters):
    return rosters.roster_people_query(office=filters.office, department=filters.department, search=filters.search)


# --- the grid ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DayColumn:
    """A day of the grid: ``day``, ``weekend`` (Saturday or Sunday), ``holiday`` (everyone's, or None),
    ``today``, and ``label``: the date as the cells' titles show it (formatted once per column)."""

    day: date
    weekend: bool
    holiday: object
    today: bool
    label: str = ""


@dataclass(frozen=True)
class CellText:
    """The words of the grid's cells in the request's language, translated once per answer instead
    of once per cell (a page of 40 people is 1,240 cells): ``off_code`` (the letter of a day off),
    ``roster_off``, ``day_off``, ``no_schedule``, ``edited``, and ``sources`` (a schedule's source
    key of :data:`app.schedules.resolution.SOURCES` → its label)."""

    off_code: str
    roster_off: str
    day_off: str
    no_schedule: str
    edited: str
    sources: dict


def _cell_text() -> CellText:
    return CellText(off_code=pgettext("roster cell: day off", "O"), roster_off=_("day off (roster)"),
                    day_off=_("day off"), no_schedule=_("no work schedule"), edited=_("changed by hand"),
                    sources={key: str(label) for key, label in SCHEDULE_SOURCE_LABELS.items()})


def _columns(days) -> list[DayColumn]:
    first, last = days[0], days[-1]
    holidays = organisation_holidays_between(first, last)
    today = clock.local_today()
    return [DayColumn(d, d.isoweekday() >= 6, holidays.get(d), d == today, short_date(d)) for d in days]


def _grid_context(filters: GridFilters) -> dict:
    page = db.paginate(_people_query(filters), page=filters.page, per_page=PER_PAGE, error_out=False)
    month = rosters.roster_month(page.items, filters.year, filters.month)
    return dict(filters=filters, page=page, month=month, columns=_columns(month.days), cell_text=_cell_text(),
                offices=list_offices(), departments=department_tree(), schedules=schedules.list_schedules())


@bp.get("/")
@admin_required
def grid():
    """The month grid of the filtered people (htmx: the grid fragment only)."""
    return render("rosters/grid.html", "rosters/_partials/grid.html", **_grid_context(read_filters()))


# --- one cell ---------------------------------------------------------------------------------

def _load_cell(user_id: int, day_text: str) -> tuple[User, date]:
    try:
        day = date.fromisoformat(day_text)
        rosters.month_bounds(day.year, day.month)
        user = get_user(user_id)
    except (ValueError, DomainError):
        abort(404)
    return user, day


def _back() -> str:
    """Where to go back to: the ``back`` field, else the page the browser shows (htmx's
    ``HX-Current-URL``, or the referrer) when it is the grid, else the grid of this month."""
    from urllib.parse import urlsplit

    target = request.values.get("back")
    if is_safe_next(target):
        return target
    for candidate in (request.headers.get("HX-Current-URL"), request.referrer):
        if candidate:
            parts = urlsplit(candidate)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc in ("", request.host) and parts.path == url_for("rosters.grid") and is_safe_next(path):
                return path
    return url_for("rosters.grid")


def _swap_choices(user: User, day: date) -> list[tuple[User, object]]:
    """People to swap with: the same department (else the same office), each with their cell of ``day``."""
    people = rosters.swap_candidates(user, limit=SWAP_CHOICES)
    resolved = rosters.resolve_range(people, day, day) if people else {}
    return [(p, resolved[(p.id, day)]) for p in people if p.id != user.id]


def _editor_context(user: User, day: date, *, swap_form=None, error=None) -> dict:
    state = rosters.cell_state(user, day)
    planned, planned_schedule, pattern = rosters.planned_step(user, day)
    choices = _swap_choices(user, day)
    form = swap_form or SwapForm(formdata=None, other_day=day)
    form.other_user_id.choices = [(user.id, _("%(name)s (another day)", name=user.name))] + \
        [(p.id, p.name) for p, _cell in choices]
    if swap_form is None:
        form.other_user_id.data = choices[0][0].id if choices else user.id
    return dict(user=user, day=day, state=state, planned=planned, planned_schedule=planned_schedule,
                pattern=pattern, schedules=schedules.list_schedules(), swap_form=form, swap_choices=choices,
                back=_back(), error=error)


@bp.get("/cell/<int:user_id>/<day_text>")
@admin_required
def cell(user_id: int, day_text: str):
    """What can be done with one cell: another shift, a day off, back to the plan, a swap."""
    user, day = _load_cell(user_id, day_text)
    return render("rosters/cell.html", "rosters/_partials/cell_editor.html", **_editor_context(user, day))


def _cell_label(state) -> str:
    resolved = state.day
    if resolved.day_off:
        return _("day off")
    if resolved.schedule is None:
        return _("no schedule")
    return resolved.schedule.name


def _changed(cells: list[tuple[User, date]], message: str):
    """After a change: htmx gets the changed cells (the first in place, the others out of band)
    and the status line; a plain post goes back to the grid with a flash."""
    if not wants_fragment():
        flash(message, "success")
        return redirect(_back(), code=303)
    columns = {col.day: col for col in _columns(sorted({day for _user, day in cells}))}
    changed = [(user, columns[day], rosters.cell_state(user, day)) for user, day in cells]
    return render("rosters/_partials/cells_changed.html", "rosters/_partials/cells_changed.html",
                  changed=changed, message=message, back=_back(), cell_text=_cell_text())


def _editor_again(user: User, day: date, **kwargs):
    """The cell's editor again (with an error): htmx puts it back into the dialog."""
    response = render("rosters/cell.html", "rosters/_partials/cell_editor.html", **_editor_context(user, day, **kwargs))
    if wants_fragment():
        response.headers["HX-Retarget"] = "#roster-editor"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def _refused(user: User, day: date, exc: DomainError, **kwargs):
    from ...admin.messages import translate_message

    refuse()
    messages = [translate_message(m) for ms in getattr(exc, "errors", {}).values() for m in ms] or \
        [translate_message(exc.message)]
    return _editor_again(user, day, error=" ".join(messages), **kwargs)


@bp.post("/cell/<int:user_id>/<day_text>")
@admin_required
def cell_update(user_id: int, day_text: str):
    """Change one cell: ``choice`` is ``schedule-<id>`` (that shift), ``off`` (a day off) or
    ``reset`` (back to the pattern applied over that day, else the person's schedule)."""
    user, day = _load_cell(user_id, day_text)
    form = CellForm()
    if not form.validate_on_submit():
        abort(400)
    choice = request.form.get("choice", "")
    actor = current_user._get_current_object()
    try:
        if choice == "off":
            rosters.set_roster_day(user, day, None, actor=actor)
        elif choice == "reset":
            rosters.reset_roster_day(user, day, actor=actor)
        elif choice.startswith("schedule-") and choice[9:].isdigit():
            rosters.set_roster_day(user, day, schedules.get_schedule(int(choice[9:])), actor=actor)
        else:
            abort(400)
    except DomainError as exc:
        return _refused(user, day, exc)
    state = rosters.cell_state(user, day)
    return _changed([(user, day)], _("%(name)s, %(date)s: %(shift)s.", name=user.name, date=day.strftime("%d-%m-%Y"),
                                     shift=_cell_label(state)))


@bp.post("/cell/<int:user_id>/<day_text>/swap")
@admin_required
def cell_swap(user_id: int, day_text: str):
    """Exchange this cell with another person's cell of a day (or this person's on another day)."""
    user, day = _load_cell(user_id, day_text)
    form = SwapForm()
    form.other_user_id.choices = []
    if not form.validate_on_submit():
        return _editor_again(user, day, swap_form=form)
    try:
        other = get_user(form.other_user_id.data)
        rosters.month_bounds(form.other_day.data.year, form.other_day.data.month)
        if other.role in rosters.NOT_ROSTERED_ROLES or not other.is_active:
            raise NotFound(N_("User not found"))
        rosters.swap_roster_days(user, day, other, form.other_day.data, actor=current_user._get_current_object())
    except DomainError as exc:
        return _refused(user, day, exc, swap_form=form)
    other_day = form.other_day.data
    return _changed([(user, day), (other, other_day)],
                    _("Swapped: %(first)s (%(first_date)s) and %(second)s (%(second_date)s).",
                      first=user.name, first_date=day.strftime("%d-%m-%Y"), second=other.name,
                      second_date=other_day.strftime("%d-%m-%Y")))


# --- shift patterns -----------------------------------------------------------------------------

def _pattern_list(form=None, *, status=200):
    response = render("rosters/patterns.html", "rosters/patterns.html", patterns=rosters.list_patterns(),
                      form=form or PatternForm(formdata=None), codes=rosters.roster_codes(),
                      schedules=schedules.list_schedules())
    response.status_code = status
    return response


def _save_pattern(form: PatternForm, action):
    """Parse the cycle and run ``action(name, cycle)``; errors go next to the fields."""
    try:
        cycle = rosters.parse_cycle(form.steps.data)
    except rosters.UnknownCodes as exc:
        form.add_error("steps", _("Unknown shift code: %(codes)s. Use the codes of the work schedules, or L for a "
                                  "day off.", codes=", ".join(exc.codes)))
        return False, None
    except DomainError as exc:
        form.apply_domain_error(exc)
        return False, None
    return form.call(lambda: action(form.name.data, cycle),
                     conflict_messages={"name": _("Another shift pattern already has this name.")})


@bp.get("/patterns")
@admin_required
def patterns():
    """The shift patterns, each cycle as coloured codes, and a form to add one."""
    return _pattern_list()


@bp.post("/patterns")
@admin_required
def pattern_create():
    """Create a shift pattern from its name and cycle."""
    form = PatternForm()
    if form.validate_on_submit():
        ok, pattern = _save_pattern(form, lambda name, cycle: rosters.create_pattern(name, cycle, actor=current_user))
        if ok:
            flash(_("Shift pattern “%(name)s” was added (%(days)d days). Apply it to a department or a person.",
                    name=pattern.name, days=len(pattern.steps)), "success")
            return redirect(url_for("rosters.apply", pattern=pattern.id), code=303)
    return _pattern_list(form)


def _load_pattern(pattern_id: int):
    try:
        return rosters.get_pattern(pattern_id)
    except NotFound:
        abort(404)


@bp.route("/patterns/<int:pattern_id>/edit", methods=["GET", "POST"])
@admin_required
def pattern_edit(pattern_id: int):
    """Rename a pattern or change its cycle (roster days already written stay as they are)."""
    pattern = _load_pattern(pattern_id)
    codes = rosters.roster_codes()
    form = PatternForm(data={"name": pattern.name,
                             "steps": ", ".join(codes.code_of(s.schedule) for s in pattern.steps)})
    if form.validate_on_submit():
        ok, _saved = _save_pattern(form, lambda name, cycle: rosters.update_pattern(pattern, name=name, steps=cycle,
                                                                                      actor=current_user))
        if ok:
            flash(_("Shift pattern “%(name)s” was saved.", name=pattern.name), "success")
            return redirect(url_for("rosters.patterns"), code=303)
    return render_template("rosters/pattern_form.html", form=form, pattern=pattern, codes=codes,
                           schedules=schedules.list_schedules())


@bp.post("/patterns/<int:pattern_id>/delete")
@admin_required
def pattern_delete(pattern_id: int):
    """Delete a pattern; the roster days it wrote stay."""
    name = rosters.delete_pattern(_load_pattern(pattern_id), actor=current_user)
    flash(_("Shift pattern “%(name)s” was deleted. The roster days it wrote stay.", name=name), "success")
    return redirect(url_for("rosters.patterns"), code=303)


# --- applying a pattern -------------------------------------------------------------------------------

def _apply_form() -> ApplyPatternForm:
    form = ApplyPatternForm()
    form.pattern_id.choices = [(p.id, p.name) for p in rosters.list_patterns()]
    form.department_id.choices = [(0, _("— Choose —"))] + [
        (row.department.id, "\u2003" * row.depth + f"{row.department.code} · {row.department.name}")
        for row in department_tree()]
    if request.method == "GET":
        form.pattern_id.data = request.args.get("pattern", type=int)
        form.department_id.data = request.args.get("department", 0, type=int)
        today = clock.local_today()
        first, last = rosters.month_bounds(today.year, today.month)
        form.starts_on.data, form.ends_on.data = first, last
        form.stagger_by.data = 0
    return form


@bp.route("/apply", methods=["GET", "POST"])
@admin_required
def apply():
    """Write a pattern onto a department's people (now) or one person for a date range,
    replacing their roster days in it; then show the month of the first day."""
    form = _apply_form()
    if form.validate_on_submit():
        target: dict = {}
        if form.target.data == "user":
            person = find_by_identifier(form.person.data or "")
            if person is None or person.deleted_at is not None:
                form.add_error("person", _("Nobody has this email, NPP or NISN/NIP/NIK.") if form.person.data
                               else _("This field is required."))
            else:
                target["users"] = [person]
        elif not form.department_id.data:
            form.add_error("department_id", _("Choose a department."))
        else:
            target["department"] = get_department(form.department_id.data)
        if target:
            pattern = rosters.get_pattern(form.pattern_id.data)
            ok, applied = form.call(lambda: rosters.apply_pattern(
                pattern, starts_on=form.starts_on.data, ends_on=form.ends_on.data, anchor_on=form.anchor_on.data,
                stagger_by=form.stagger_by.data or 0, actor=current_user._get_current_object(), **target),
                {"target": "department_id" if "department" in target else "person"})
            if ok:
                flash(ngettext("Shift pattern “%(name)s” applied: %(num)d person, %(days)d roster days.",
                               "Shift pattern “%(name)s” applied: %(num)d people, %(days)d roster days.",
                               applied.people, name=pattern.name, days=applied.entries), "success")
                args = {"month": form.starts_on.data.strftime("%Y-%m")}
                if "department" in target:
                    args["department"] = target["department"].id
                else:
                    args["q"] = target["users"][0].name
                return redirect(url_for("rosters.grid", **args), code=303)
    return render_template("rosters/apply.html", form=form, people=people_offered(),
                           has_patterns=bool(form.pattern_id.choices))


# --- CSV export ------------------------------------------------------------------------------------------

@bp.get("/export.csv")
@admin_required
def export_csv():
    """The month of the filtered people as CSV: ``identifier, name, department`` then one column per
    date (``YYYY-MM-DD``) holding the roster code (a day off: ``L``; empty: no roster day, the
    person's work schedule applies).  The import reads this shape back."""
    filters = read_filters()
    people = list(db.session.scalars(_people_query(filters)))
    month = rosters.roster_month(people, filters.year, filters.month)
    codes = rosters.roster_codes()
    departments = {row.department.id: row.department.code for row in department_tree()}
    rows = [["identifier", "name", "department"] + [d.isoformat() for d in month.days]]
    for row in month.rows:
        user = row.user
        rows.append([user.npp or user.email or user.nisn_nip_nik or "", user.name,
                     departments.get(user.department_id, "")] +
                    [codes.code_of(cell.schedule if not cell.day_off else None) if cell.rostered else ""
                     for cell in row.cells])
    return csv_response(rows, f"hadir-roster-{filters.month_text}.csv")

