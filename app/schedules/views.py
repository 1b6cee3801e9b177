"""Admin pages of work schedules (jam kerja) and their assignments (admins only).

- ``/admin/work-schedules/``: every schedule (code and colour, windows, working days,
  policies, how many assignments), set the default, delete — in place with htmx;
- ``/admin/work-schedules/new`` and ``/<id>``: the whole form (windows, working days,
  lateness, missed check-out, overtime, roster code and colour) and, on a schedule's
  page, who it is assigned to (a person, a department, an office, from–to): added,
  re-dated and removed in place with htmx;
- ``/admin/work-schedules/people/<user_id>/assign``: the form on a person's page;
- ``/admin/work-schedules/colors.css``: the roster colours as CSS classes
  (:mod:`app.schedules.colors`).

Without htmx every form posts normally and is redirected back.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.services import find_by_identifier, get_user
from ..admin.access import admin_required, is_safe_next, signed_in_required
from ..admin.filters import assignment_target
from ..admin.messages import translate_message
from ..admin.rendering import render, wants_fragment
from ..common import clock
from ..common.boundary import refuse
from ..common.errors import Conflict, DomainError, NotFound
from ..departments.services import department_tree
from ..extensions import db
from ..places.services import list_offices
from . import assignments as assigning, colors, services as schedules
from .forms import AssignmentDatesForm, AssignmentForm, NewWorkScheduleForm, PersonAssignmentForm, WorkScheduleForm
from .models import ScheduleAssignment, WorkSchedule

bp = Blueprint("schedules", __name__, url_prefix="/admin/work-schedules")


def _load(schedule_id: int) -> WorkSchedule:
    try:
        return schedules.get_schedule(schedule_id)
    except NotFound:
        abort(404)


def _conflict_messages() -> dict[str, str]:
    return {"code": _("This code is already used by another work schedule.")}


def in_use_text(usage: dict) -> str:
    """Why a schedule cannot be deleted: how many assignments, pattern days and roster days use it."""
    from flask_babel import ngettext

    parts = []
    if usage.get("assignments"):
        parts.append(ngettext("%(num)d assignment", "%(num)d assignments", usage["assignments"]))
    if usage.get("pattern_steps"):
        parts.append(ngettext("%(num)d day of a shift pattern", "%(num)d days of shift patterns",
                              usage["pattern_steps"]))
    if usage.get("roster_days"):
        parts.append(ngettext("%(num)d roster day", "%(num)d roster days", usage["roster_days"]))
    return _("It is still used by %(things)s; remove those first.", things=", ".join(parts))


# --- the list ---------------------------------------------------------------------------

def _list(notice=None, notice_kind="success"):
    return render("schedules/index.html", "schedules/_partials/section.html",
                  schedules=schedules.list_schedules(), assigned=assigning.assignment_counts(),
                  notice=notice, notice_kind=notice_kind)


def _done(message: str, kind: str = "success"):
    """After a change on the list: the fresh section for htmx, else back to the list with a flash."""
    if wants_fragment():
        return _list(message, kind)
    flash(message, kind)
    return redirect(url_for("schedules.index"), code=303)


@bp.get("/")
@admin_required
def index():
    """The schedules, the default first, with their rules at a glance."""
    return _list()


@bp.get("/colors.css")
@signed_in_required
def colors_css():
    """One CSS class per schedule with its roster colour (revalidated with an ETag)."""
    css = colors.stylesheet(schedules.schedules_by_id())
    response = Response(css, mimetype="text/css")
    response.set_etag(colors.etag(css))
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


# --- one schedule ------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Create a schedule (the first one ever, or one marked so, becomes the default)."""
    form = NewWorkScheduleForm()
    if request.method == "GET":
        form.color.data = colors.next_color(schedules.used_colors())
    if form.validate_on_submit():
        ok, schedule = form.call(lambda: schedules.create_schedule(form.values(), actor=current_user._get_current_object()),
                                 conflict_messages=_conflict_messages())
        if ok:
            flash(_("Work schedule “%(name)s” was added. Assign it to people, departments or offices below.",
                    name=schedule.name), "success")
            return redirect(url_for("schedules.show", schedule_id=schedule.id), code=303)
    return render_template("schedules/form.html", form=form, schedule=None)


def _assignment_form(*, fresh: bool = False) -> AssignmentForm:
    """The assignment form: the posted one, or (``fresh``) an empty one starting today."""
    form = AssignmentForm(prefix="assign", formdata=None) if fresh else AssignmentForm(prefix="assign")
    form.set_choices(department_tree(), list_offices(), _("— Choose —"))
    if fresh:
        form.starts_on.data = clock.local_today()
    return form


def _assignments_context(schedule, *, form=None, editing_id=None, dates_form=None, notice=None,
                         notice_kind="success") -> dict:
    return dict(schedule=schedule, assign_form=form or _assignment_form(fresh=True),
                assignments=list(db.session.scalars(assigning.assignments_query(schedule=schedule))),
                editing_id=editing_id, dates_form=dates_form, today=clock.local_today(),
                people=assigning.people_offered(), notice=notice, notice_kind=notice_kind)


def _show(schedule, form=None, **assignment_kwargs):
    return render("schedules/show.html", "schedules/_partials/assignments.html",
                  form=form or WorkScheduleForm(obj=schedule, formdata=None),
                  usage=schedules.schedule_usage(schedule), **_assignments_context(schedule, **assignment_kwargs))


@bp.get("/<int:schedule_id>")
@admin_required
def show(schedule_id: int):
    """A schedule's page: its form, and who it is assigned to."""
    return _show(_load(schedule_id))


@bp.post("/<int:schedule_id>")
@admin_required
def update(schedule_id: int):
    """Save a schedule's form; errors are shown next to their field and nothing changes."""
    schedule = _load(schedule_id)
    form = WorkScheduleForm()
    if form.validate_on_submit():
        ok, _saved = form.call(lambda: schedules.update_schedule(schedule, form.values(),
                                                                       actor=current_user._get_current_object()),
                               conflict_messages=_conflict_messages())
        if ok:
            flash(_("Work schedule “%(name)s” was saved.", name=schedule.name), "success")
            return redirect(url_for("schedules.show", schedule_id=schedule.id), code=303)
    if not form.form_errors:
        form.add_error(None, _("Nothing was saved. Correct the marked fields and save again."))
    return render_template("schedules/show.html", form=form, usage=schedules.schedule_usage(schedule),
                           **_assignments_context(schedule))


@bp.post("/<int:schedule_id>/activate")
@admin_required
def activate(schedule_id: int):
    """Make one schedule the organisation's default (the only active one)."""
    schedule = _load(schedule_id)
    schedules.set_active(schedule, actor=current_user._get_current_object())
    return _done(_("“%(name)s” is now the active work schedule.", name=schedule.name))


@bp.post("/<int:schedule_id>/delete")
@admin_required
def delete(schedule_id: int):
    """Delete a schedule; the default, the last one and one still in use are refused with a message."""
    schedule = _load(schedule_id)
    try:
        name = schedules.delete_schedule(schedule, actor=current_user._get_current_object())
    except Conflict as exc:
        refuse()
        message = translate_message(exc.message)
        if any(exc.details.get(k) for k in ("assignments", "pattern_steps", "roster_days")):
            message = _("Work schedule “%(name)s” was not deleted.", name=schedule.name) + " " + in_use_text(exc.details)
        return _done(message, "error")
    return _done(_("Work schedule “%(name)s” was deleted.", name=name))


# --- assignments ---------------------------------------------------------------------------

def _assignments_done(schedule, message, kind="success"):
    if wants_fragment():
        return render("schedules/_partials/assignments.html", "schedules/_partials/assignments.html",
                      **_assignments_context(schedule, notice=message, notice_kind=kind))
    flash(message, kind)
    return redirect(url_for("schedules.show", schedule_id=schedule.id) + "#assignments", code=303)


def _assignment_invalid(schedule, **kwargs):
    """The assignments card again with the form's errors (a full page without htmx)."""
    if wants_fragment():
        return render("schedules/_partials/assignments.html", "schedules/_partials/assignments.html",
                      **_assignments_context(schedule, **kwargs))
    return _show(schedule, **kwargs)


def _target(form: AssignmentForm):
    """``{"user"|"department"|"office": object}`` from the form, or None after adding the error."""
    kind = form.target.data
    if kind == "user":
        person = find_by_identifier(form.person.data or "")
        if person is None or person.deleted_at is not None:
            form.add_error("person", _("Nobody has this email, NPP or NISN/NIP/NIK.") if form.person.data
                           else _("This field is required."))
            return None
        return {"user": person}
    if kind == "department":
        if not form.department_id.data:
            form.add_error("department_id", _("Choose a department."))
            return None
        from ..departments.services import get_department
        return {"department": get_department(form.department_id.data)}
    if not form.office_id.data:
        form.add_error("office_id", _("Choose an office."))
        return None
    from ..places.services import get_office
    return {"office": get_office(form.office_id.data)}


@bp.post("/<int:schedule_id>/assignments")
@admin_required
def assign(schedule_id: int):
    """Assign the schedule to a person, a department or an office from a date (to a date)."""
    schedule = _load(schedule_id)
    form = _assignment_form()
    if form.validate_on_submit():
        target = _target(form)
        if target is not None:
            ok, assignment = form.call(lambda: assigning.assign_schedule(
                schedule, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                actor=current_user._get_current_object(), **target), {"target": "target"})
            if ok:
                return _assignments_done(schedule, _("“%(schedule)s” now applies to %(target)s from %(date)s.",
                                                     schedule=schedule.name, target=assignment_target(assignment),
                                                     date=assignment.starts_on.strftime("%d-%m-%Y")))
    return _assignment_invalid(schedule, form=form)


def _load_assignment(assignment_id: int) -> ScheduleAssignment:
    try:
        return assigning.get_assignment(assignment_id)
    except NotFound:
        abort(404)


def _back(default: str):
    """The safe ``next`` path of the request (a person's page), else ``default``."""
    target = request.values.get("next")
    return target if is_safe_next(target) else default


@bp.get("/assignments/<int:assignment_id>/edit")
@admin_required
def assignment_edit(assignment_id: int):
    """The assignment's row turned into a dates form (htmx; a full page otherwise)."""
    assignment = _load_assignment(assignment_id)
    form = AssignmentDatesForm(prefix=f"a{assignment.id}", obj=assignment)
    return _assignment_invalid(assignment.schedule, editing_id=assignment.id, dates_form=form)


@bp.post("/assignments/<int:assignment_id>")
@admin_required
def assignment_update(assignment_id: int):
    """Change the first and last day of an assignment."""
    assignment = _load_assignment(assignment_id)
    schedule = assignment.schedule
    form = AssignmentDatesForm(prefix=f"a{assignment.id}")
    if form.validate_on_submit():
        ok, _saved = form.call(lambda: assigning.update_assignment_dates(
            assignment, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
            actor=current_user._get_current_object()))
        if ok:
            return _assignments_done(schedule, _("The dates of “%(schedule)s” for %(target)s were saved.",
                                                 schedule=schedule.name, target=assignment_target(assignment)))
    return _assignment_invalid(schedule, editing_id=assignment.id, dates_form=form)


@bp.post("/assignments/<int:assignment_id>/delete")
@admin_required
def assignment_delete(assignment_id: int):
    """Remove an assignment: the next level (department, office, the default) applies again.

    ``next``: a page of this site to go back to (a person's page) instead of the schedule's.
    """
    assignment = _load_assignment(assignment_id)
    schedule = assignment.schedule
    target = assignment_target(assignment)
    assigning.delete_assignment(assignment, actor=current_user._get_current_object())
    message = _("“%(schedule)s” no longer applies to %(target)s.", schedule=schedule.name, target=target)
    if request.values.get("next"):
        flash(message, "success")
        return redirect(_back(url_for("schedules.show", schedule_id=schedule.id)), code=303)
    return _assignments_done(schedule, message)


@bp.post("/people/<int:user_id>/assign")
@admin_required
def assign_person(user_id: int):
    """The form on a person's page: give them their own schedule from a date (to a date)."""
    try:
        person = get_user(user_id)
    except NotFound:
        abort(404)
    form = PersonAssignmentForm()
    form.schedule_id.choices = [(s.id, s.name) for s in schedules.list_schedules()]
    back = url_for("accounts.user_edit", user_id=person.id) + "#work-schedule"
    if form.validate_on_submit():
        try:
            assigning.assign_schedule(schedules.get_schedule(form.schedule_id.data), starts_on=form.starts_on.data,
                                      ends_on=form.ends_on.data, user=person,
                                      actor=current_user._get_current_object())
        except DomainError as exc:
            refuse()
            messages = [translate_message(m) for ms in getattr(exc, "errors", {}).values() for m in ms] \
                or [translate_message(exc.message)]
            flash(" ".join(messages), "error")
            return redirect(back, code=303)
        flash(_("%(name)s works “%(schedule)s” from %(date)s.", name=person.name,
                schedule=dict(form.schedule_id.choices)[form.schedule_id.data],
                date=form.starts_on.data.strftime("%d-%m-%Y")), "success")
        return redirect(back, code=303)
    errors = [str(m) for field in form for m in (field.errors or [])]
    flash(" ".join(errors) or _("Nothing was saved."), "error")
    return redirect(back, code=303)
