"""Admin page of the attendance review: flagged events approved or rejected in place."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..admin.access import staff_required
from ..admin.filters import KIND_LABELS
from ..admin.messages import translate_message
from ..admin.rendering import render, wants_fragment
from ..common.errors import DomainError, NotFound
from ..extensions import db
from . import services as attendance
from .forms import BulkApproveForm, RejectEventForm
from .models import AttendanceEvent

bp = Blueprint("attendance", __name__, url_prefix="/admin/attendance")

#: Events per page of the review list.
PER_PAGE = 25


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def _review_list(*, notice=None, notice_kind="success", reject_form=None, reject_id=None, bulk_form=None):
    stmt = attendance.pending_events_query().options(selectinload(AttendanceEvent.office))
    page = db.paginate(stmt, page=_page_number(), per_page=PER_PAGE, error_out=False)
    if not page.items and page.page > 1:  # the last page was emptied by a decision
        page = db.paginate(stmt, page=max(1, page.pages), per_page=PER_PAGE, error_out=False)
    return render("attendance/review.html", "attendance/_partials/review_list.html",
                  page=page, notice=notice, notice_kind=notice_kind,
                  reject_form=reject_form, reject_id=reject_id,
                  bulk_form=bulk_form or BulkApproveForm(formdata=None))


def _after_review(message: str, kind: str = "success"):
    if wants_fragment():
        return _review_list(notice=message, notice_kind=kind)
    flash(message, kind)
    return redirect(url_for("attendance.review", page=_page_number()), code=303)


def _load_event(event_id: int) -> AttendanceEvent:
    try:
        return attendance.get_event(event_id)
    except NotFound:
        abort(404)


def _describe(event: AttendanceEvent) -> dict:
    return {"name": event.user.name, "kind": str(KIND_LABELS.get(event.kind, event.kind))}


@bp.get("/review")
@staff_required
def review():
    """Events waiting for review (outside the geofence, imprecise, no office), oldest first."""
    return _review_list()


@bp.post("/review/<int:event_id>/approve")
@staff_required
def approve(event_id: int):
    """Approve one event; its day is brought up to date and the person notified."""
    event = _load_event(event_id)
    try:
        attendance.review_event(event, current_user._get_current_object(), approve=True)
    except DomainError as exc:
        db.session.rollback()
        return _after_review(translate_message(exc.message), "error")
    return _after_review(_("%(kind)s of %(name)s approved.", **_describe(event)))


@bp.post("/review/<int:event_id>/reject")
@staff_required
def reject(event_id: int):
    """Reject one event with a reason (shown next to the field when missing)."""
    event = _load_event(event_id)
    form = RejectEventForm()
    if form.validate_on_submit():
        try:
            attendance.review_event(event, current_user._get_current_object(), approve=False, note=form.note.data)
        except DomainError as exc:
            db.session.rollback()
            if getattr(exc, "errors", None):
                form.apply_domain_error(exc)
            else:
                return _after_review(translate_message(exc.message), "error")
        else:
            return _after_review(_("%(kind)s of %(name)s rejected.", **_describe(event)))
    return _review_list(reject_form=form, reject_id=event_id)


@bp.post("/review/bulk-approve")
@staff_required
def bulk_approve():
    """Approve every checked event in one transaction: all of them, or none with a message."""
    form = BulkApproveForm()
    if not form.validate_on_submit():
        return _review_list(bulk_form=form, notice=" ".join(map(str, form.event_ids.errors)) or None,
                            notice_kind="error")
    try:
        events = attendance.review_events(form.event_ids.data, current_user._get_current_object(), approve=True)
    except DomainError as exc:
        db.session.rollback()
        message = translate_message(exc.message)
        return _after_review(_("Nothing was approved: %(reason)s", reason=message), "error")
    return _after_review(ngettext("%(num)d event was approved.", "%(num)d events were approved.", len(events)))
