"""Leave requests in the review inbox (:mod:`app.review`): their section and the admin's decisions.

Routes (under the inbox, ``/admin/attendance/review/leave``): ``leave.approve`` and
``leave.reject`` of one pending request.  Admin only: the contract (002, section 6) gives leave
review to the principal (``kepsek``) and admins; only admin and petugas sign in to the admin
app, so a petugas sees the section read-only and the principal reviews through the school app.
"""
from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user

from ..admin.access import admin_required, is_admin
from ..admin.filters import LEAVE_TYPE_LABELS
from ..review import InboxState, OpenDecision, ReviewSection, decide, register_section
from . import services as leave_services
from .balance import annual_leave_details
from .forms import ApproveLeaveForm, RejectLeaveForm
from .models import LeaveRequest

bp = Blueprint("leave", __name__, url_prefix="/admin/attendance/review/leave")

#: Leave requests shown at once (oldest first; the total is shown with them).
LEAVE_LIMIT = 25


def _load_section(state: InboxState) -> dict:
    leaves = leave_services.pending_leaves(limit=LEAVE_LIMIT)
    return {"leaves": leaves, "leave_balances": annual_leave_details(leaves),
            "leave_total": leave_services.pending_leave_count(),
            "can_review_leave": is_admin(state.user)}


register_section(ReviewSection(key="leave-requests", order=20, template="leave/_partials/review_leave.html",
                               load=_load_section, count=leave_services.pending_leave_count))


def _load_leave(leave_id: int) -> LeaveRequest:
    leave = leave_services.get_leave(leave_id)
    if leave is None:
        abort(404)
    return leave


def _decide(leave_id: int, form, *, approve: bool):
    leave = _load_leave(leave_id)

    def done():
        """The notice after the decision: which kind of leave, whose, approved or rejected."""
        facts = {"name": leave.user.name, "kind": str(LEAVE_TYPE_LABELS.get(leave.leave_type, leave.leave_type))}
        return _("%(kind)s of %(name)s approved.", **facts) if approve else _("%(kind)s of %(name)s rejected.", **facts)

    return decide(form, OpenDecision("leave", leave_id, "approve" if approve else "reject", form),
                  lambda: leave_services.review_leave(leave, current_user._get_current_object(), approve=approve,
                                                      comment=form.comment.data),
                  done, field_map={"approval_comment": "comment"})


@bp.post("/<int:leave_id>/approve")
@admin_required
def approve(leave_id: int):
    """Approve one pending leave request, with an optional comment; the requester is notified."""
    return _decide(leave_id, ApproveLeaveForm(), approve=True)


@bp.post("/<int:leave_id>/reject")
@admin_required
def reject(leave_id: int):
    """Reject one pending leave request; the comment is required (shown next to the field when missing)."""
    return _decide(leave_id, RejectLeaveForm(), approve=False)
