"""Admin pages of corrections (:mod:`.corrections`): one person's day, and a department or office on a date.

- ``GET/POST /admin/attendance/corrections/<user_id>/<YYYY-MM-DD>``: the day (its schedule,
  events with their source, who recorded a manual one and why, leave, the day's history) and
  the correction form.  An htmx request gets the panel alone (``#correction-day``) — what a
  page's dialog loads — a normal request the page.
- ``GET/POST /admin/attendance/corrections/bulk``: a department or an office on one date marked
  as leave; the first post shows how many people it marks and who is left as they are, the
  confirmation carries that number back.
- ``GET /admin/attendance/corrections``: find a person and a date.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..admin.access import admin_required
from ..admin.rendering import render, wants_fragment
from ..common import clock
from ..common.errors import NotFound
from ..extensions import db
from . import corrections
from .forms import BulkLeaveForm, CorrectionForm

bp = Blueprint("corrections", __name__, url_prefix="/admin/attendance/corrections")

_FIELDS = {"work_date": "reason", "leave_type": "leave_type", "note": "note"}


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404)


def _day_context(user_id: int, day: date, form: CorrectionForm | None = None, notice: str | None = None):
    try:
        view = corrections.day_view(user_id, day)
    except NotFound:
        abort(404)
    return {"view": view, "form": form or CorrectionForm(formdata=None), "notice": notice,
            "is_future": day > clock.local_today(), "back": form_back()}


def _render_day(**context):
    return render("attendance/correction.html", "attendance/_partials/correction_day.html", **context)


@bp.get("/<int:user_id>/<day_text>")
@admin_required
def day(user_id: int, day_text: str):
    """One person's day with the correction form."""
    return _render_day(**_day_context(user_id, _parse_day(day_text)))


@bp.post("/<int:user_id>/<day_text>")
@admin_required
def correct(user_id: int, day_text: str):
    """Apply a correction (add times, mark leave, mark absent); a refusal shows next to its field."""
    work_date = _parse_day(day_text)
    form = CorrectionForm()
    actor = current_user._get_current_object()
    if form.validate_on_submit():
        kind = form.kind.data
        if kind == "times":
            action = lambda: corrections.add_times(actor, user_id, work_date, check_in=form.check_in.data,  # noqa: E731
                                                   check_out=form.check_out.data, reason=form.reason.data)
        elif kind == "leave":
            action = lambda: corrections.mark_leave(actor, user_id, work_date, form.leave_type.data,  # noqa: E731
                                                    reason=form.reason.data, note=form.note.data)
        else:
            action = lambda: corrections.mark_absent(actor, user_id, work_date, reason=form.reason.data)  # noqa: E731
        try:
            ok, _result = form.call(action, field_map=_FIELDS)
        except NotFound:
            abort(404)
        if ok:
            message = _("The day was corrected.")
            if not wants_fragment():
                flash(message, "success")
                return redirect(url_for("corrections.day", user_id=user_id, day_text=day_text,
                                        back=form_back()), code=303)
            response = _render_day(**_day_context(user_id, work_date, notice=message))
            response.headers["HX-Trigger"] = "day-corrected"
            return response
    return _render_day(**_day_context(user_id, work_date, form=form))


def form_back() -> str | None:
    """The page to go back to (a relative URL on this site, else None)."""
    target = request.form.get("back") or request.args.get("back")
    return target if target and target.startswith("/") and not target.startswith("//") else None


def _bulk_choices(form: BulkLeaveForm) -> None:
    from ..departments.services import department_tree
    from ..places.services import list_offices

    form.department_id.choices = [(None, _("— no department —"))] + [
        (row.department.id, "\u2003" * row.depth + f"{row.department.code} · {row.department.name}")
        for row in department_tree()]
    form.office_id.choices = [(None, _("— no office —"))] + [
        (o.id, f"{o.code} · {o.name}") for o in list_offices()]


@bp.route("/bulk", methods=["GET", "POST"])
@admin_required
def bulk():
    """A department or an office on one date marked as leave, confirmed with the number of people."""
    form = BulkLeaveForm()
    _bulk_choices(form)
    plan = None
    if request.method == "GET" and form.work_date.data is None:
        form.work_date.data = clock.local_today()
    if request.method == "POST" and form.validate_on_submit():
        ok, plan = form.call(lambda: corrections.plan_bulk_leave(
            form.work_date.data, department_id=form.department_id.data, office_id=form.office_id.data),
            field_map={"work_date": "work_date"})
        if ok and form.confirm.data:
            done, result = form.call(lambda: corrections.mark_leave_bulk(
                current_user._get_current_object(), form.work_date.data, form.leave_type.data,
                reason=form.reason.data, expected=form.expected.data if form.expected.data is not None else -1,
                department_id=form.department_id.data, office_id=form.office_id.data),
                field_map={"expected": "confirm"})
            if done:
                flash(ngettext("%(num)d person was marked.", "%(num)d people were marked.", len(result)), "success")
                return redirect(url_for("corrections.bulk"), code=303)
            plan = corrections.plan_bulk_leave(form.work_date.data, department_id=form.department_id.data,
                                               office_id=form.office_id.data)
        if plan is not None:
            form.expected.data = len(plan.marked)
    return render("attendance/correction_bulk.html", "attendance/_partials/correction_bulk.html", form=form, plan=plan)


@bp.get("")
@admin_required
def index():
    """Find a person (name or number) and a date, then correct that day; or a whole department."""
    from ..accounts.services import users_query

    q = (request.args.get("q") or "").strip()[:100]
    try:
        on = date.fromisoformat(request.args.get("date") or "")
    except ValueError:
        on = clock.local_today()
    people = list(db.session.scalars(users_query(search=q).limit(20))) if q else []
    people = [p for p in people if p.role not in ("siswa", "mahasiswa")]
    return render("attendance/corrections.html", "attendance/_partials/correction_people.html",
                  q=q, on=on, people=people)
