"""Admin pages of work schedules (jam kerja): list, create, edit, delete, set active — inline.

Every change answers an htmx request with the whole section fragment (the
table and the create form), so the "active" badge of every row stays right;
without htmx the same URLs redirect back to the page.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _

from ..admin.access import admin_required
from ..admin.messages import translate_message
from ..admin.rendering import render, wants_fragment
from ..common.errors import DomainError, NotFound
from ..extensions import db
from . import services as schedules
from .forms import NewWorkScheduleForm, WorkScheduleForm

bp = Blueprint("schedules", __name__, url_prefix="/admin/work-schedules")

_PAGE = "schedules/index.html"
_FRAGMENT = "schedules/_partials/section.html"


def _load(schedule_id: int):
    try:
        return schedules.get_schedule(schedule_id)
    except NotFound:
        abort(404)


def _section(*, create_form=None, edit_form=None, editing_id=None, notice=None, notice_kind="success"):
    return render(
        _PAGE, _FRAGMENT,
        schedules=schedules.list_schedules(),
        create_form=create_form or NewWorkScheduleForm(formdata=None, prefix="new"),
        edit_form=edit_form, editing_id=editing_id,
        notice=notice, notice_kind=notice_kind,
    )


def _done(message: str, kind: str = "success"):
    """After a change: the fresh section for htmx, else back to the page with a flash message."""
    if wants_fragment():
        return _section(notice=message, notice_kind=kind)
    flash(message, kind)
    return redirect(url_for("schedules.index"), code=303)


@bp.get("/")
@admin_required
def index():
    """The schedules, the active one first, and a form to add one."""
    return _section()


@bp.post("/")
@admin_required
def create():
    """Add a schedule (the first one ever, or one marked so, becomes active)."""
    form = NewWorkScheduleForm(prefix="new")
    if form.validate_on_submit():
        ok, schedule = form.call(lambda: schedules.create_schedule(form.values()))
        if ok:
            return _done(_("Work schedule “%(name)s” was added.", name=schedule.name))
    return _section(create_form=form)


@bp.get("/<int:schedule_id>/edit")
@admin_required
def edit(schedule_id: int):
    """The row of ``schedule_id`` turned into a form."""
    schedule = _load(schedule_id)
    return _section(edit_form=WorkScheduleForm(formdata=None, obj=schedule, prefix="edit"), editing_id=schedule.id)


@bp.post("/<int:schedule_id>")
@admin_required
def update(schedule_id: int):
    """Save the inline edit of one schedule."""
    schedule = _load(schedule_id)
    form = WorkScheduleForm(prefix="edit")
    if form.validate_on_submit():
        ok, _saved = form.call(lambda: schedules.update_schedule(schedule, form.values()))
        if ok:
            return _done(_("Work schedule “%(name)s” was saved.", name=schedule.name))
    return _section(edit_form=form, editing_id=schedule_id)


@bp.post("/<int:schedule_id>/activate")
@admin_required
def activate(schedule_id: int):
    """Make one schedule the only active one."""
    schedule = _load(schedule_id)
    schedules.set_active(schedule)
    return _done(_("“%(name)s” is now the active work schedule.", name=schedule.name))


@bp.post("/<int:schedule_id>/delete")
@admin_required
def delete(schedule_id: int):
    """Delete a schedule; the active one and the last one are refused with a message."""
    schedule = _load(schedule_id)
    try:
        name = schedules.delete_schedule(schedule)
    except DomainError as exc:
        db.session.rollback()
        return _done(translate_message(exc.message), "error")
    return _done(_("Work schedule “%(name)s” was deleted.", name=name))
