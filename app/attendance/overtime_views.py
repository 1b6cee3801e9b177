"""Overtime claims in the review inbox (:mod:`app.review`): their section and the admin's decisions.

Routes (under the inbox, ``/admin/attendance/review/overtime``): ``overtime.approve`` (all the
claimed minutes, or fewer, with an optional note) and ``overtime.reject`` (a note is required) of
one pending claim; the person is notified (:func:`app.attendance.overtime.decide_claim`).  Admin
only; a petugas sees the section read-only.  Each claim shows the person's working-day overtime of
that week and whether it passes the legal limits of PP 35/2021 art. 26(1) (4 hours a day, 18 a week).
"""
from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from ..admin.access import admin_required, is_admin
from ..admin.forms import AdminForm, max_length
from ..common.errors import NotFound
from ..review import InboxState, OpenDecision, ReviewSection, decide, register_section
from . import overtime
from .models import OvertimeClaim

bp = Blueprint("overtime", __name__, url_prefix="/admin/attendance/review/overtime")

#: Claims shown at once (oldest day first; the total is shown with them).
CLAIM_LIMIT = 25
#: How a claim's reason reads in the inbox.
REASON_LABELS = {"extended": _l("After the scheduled end"), "day_off": _l("Work on a day off"),
                 "holiday": _l("Work on a holiday")}


class ApproveOvertimeForm(AdminForm):
    """Approving a claim: the minutes approved (empty: all that were claimed) and an optional note."""

    minutes = IntegerField(_l("Minutes approved"), validators=[Optional(), NumberRange(min=1, max=24 * 60)])
    note = TextAreaField(_l("Note (optional)"), validators=[max_length(1000)])


class RejectOvertimeForm(AdminForm):
    """Rejecting a claim needs a note (the person sees it)."""

    note = TextAreaField(_l("Reason for rejecting"),
                         validators=[DataRequired(_l("A reason is required to reject.")), max_length(1000)])


def _load_section(state: InboxState) -> dict:
    claims = overtime.pending_claims_with_week_totals(limit=CLAIM_LIMIT)
    return {"claims": claims, "claim_total": overtime.pending_claim_count(), "can_review_overtime": is_admin(state.user),
            "overtime_reasons": REASON_LABELS, "daily_limit": overtime.DAILY_LIMIT_MINUTES,
            "weekly_limit": overtime.WEEKLY_LIMIT_MINUTES}


register_section(ReviewSection(key="overtime-claims", order=40, template="attendance/_partials/review_overtime.html",
                               load=_load_section, count=overtime.pending_claim_count))


def _load_claim(claim_id: int) -> OvertimeClaim:
    try:
        return overtime.get_claim(claim_id)
    except NotFound:
        abort(404)


@bp.post("/<int:claim_id>/approve")
@admin_required
def approve(claim_id: int):
    """Approve one pending claim: all its minutes, or the number given; the person is notified."""
    claim = _load_claim(claim_id)
    form = ApproveOvertimeForm()
    return decide(form, OpenDecision("overtime", claim_id, "approve", form),
                  lambda: overtime.decide_claim(claim, current_user._get_current_object(), approve=True,
                                                minutes=form.minutes.data, note=form.note.data),
                  lambda: _("Overtime of %(name)s approved: %(minutes)d minutes.", name=claim.user.name,
                            minutes=claim.approved_minutes))


@bp.post("/<int:claim_id>/reject")
@admin_required
def reject(claim_id: int):
    """Reject one pending claim; the note is required (shown next to the field when missing)."""
    claim = _load_claim(claim_id)
    form = RejectOvertimeForm()
    return decide(form, OpenDecision("overtime", claim_id, "reject", form),
                  lambda: overtime.decide_claim(claim, current_user._get_current_object(), approve=False,
                                                note=form.note.data),
                  lambda: _("Overtime of %(name)s rejected.", name=claim.user.name))
