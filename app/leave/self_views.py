"""Everyone's own leave in the web app, and the approver's list (``/admin/me/leave``).

Routes (blueprint ``my_leave``), each for anyone signed in, each showing only what is theirs:

- ``index``: the annual leave balance and one's own requests, newest first;
- ``new``: ask for leave (type, dates, reason, a photo or PDF such as a doctor's note);
  the balance is shown beside the form and a request beyond it is refused with the numbers;
- ``cancel``: withdraw one's own pending request;
- ``attachment``: a request's file, for its owner and whoever may review it (others 404);
- ``approvals``, ``approve``, ``reject``: the pending requests of the people the signed-in
  person approves as principal or department head (:mod:`.approvers`); administrators decide
  in the review inbox (:mod:`.views`).  Another's request answers 404, as a missing one.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..admin.access import signed_in_required
from ..admin.filters import LEAVE_TYPE_LABELS
from ..common import clock
from ..common.boundary import refuse
from ..common.errors import DomainError, NotFound
from . import services as leave_services
from .approvers import approvers_of
from .attachments import MAX_BYTES, attachment_file
from .balance import ANNUAL_LEAVE_TYPE, InsufficientLeaveBalance, annual_balance, annual_leave_details, \
    uses_annual_leave, working_days_by_year
from .forms import ApproveLeaveForm, CancelLeaveForm, LeaveRequestForm, RejectLeaveForm
from .models import LeaveRequest

bp = Blueprint("my_leave", __name__, url_prefix="/admin/me/leave")

#: Own requests listed at once (newest first).
LIST_LIMIT = 50
#: Pending requests on the approver's list at once (oldest first).
APPROVALS_LIMIT = 100


def _me():
    return current_user._get_current_object()


def _balance_message(exc: InsufficientLeaveBalance) -> str:
    return _("Not enough annual leave left in %(year)d: %(remaining)d days left, %(requested)d days asked.",
             year=exc.year, remaining=exc.remaining, requested=exc.requested)


def _balances(user, leaves) -> list:
    """This year's annual leave balance, and those of other years the listed annual leave touches."""
    if not uses_annual_leave(user, ANNUAL_LEAVE_TYPE):
        return []
    this_year = clock.local_today().year
    years = {this_year} | {y for leave in leaves if leave.leave_type == ANNUAL_LEAVE_TYPE
                           and leave.status != "rejected" and leave.end_date.year >= this_year
                           for y in range(max(leave.start_date.year, this_year), leave.end_date.year + 1)}
    return [annual_balance(user, year) for year in sorted(years)[:3]]


@bp.get("")
@signed_in_required
def index():
    """One's annual leave balance and own requests, newest first (status, decision, attachment, cancel)."""
    me = _me()
    leaves = leave_services.own_leaves(me.id, limit=LIST_LIMIT)
    days = {leave.id: sum(working_days_by_year(me, leave.start_date, leave.end_date).values())
            for leave in leaves if uses_annual_leave(me, leave.leave_type) and leave.status != "rejected"}
    return render_template("leave/mine.html", leaves=leaves, working_days=days, balances=_balances(me, leaves),
                           approvers=approvers_of(me), cancel_form=CancelLeaveForm())


@bp.route("/new", methods=["GET", "POST"])
@signed_in_required
def new():
    """Ask for leave; the request waits for the approver, who is notified."""
    request.max_content_length = MAX_BYTES + 64 * 1024
    me = _me()
    form = LeaveRequestForm()
    if form.validate_on_submit():
        upload = form.attachment.data
        data = upload.read(MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else None
        try:
            leave_services.request_leave(me, form.leave_type.data, form.start_date.data, form.end_date.data,
                                         form.reason.data, attachment=data)
        except InsufficientLeaveBalance as exc:
            refuse()
            form.add_error("end_date", _balance_message(exc))
        except DomainError as exc:
            refuse()
            form.apply_domain_error(exc, conflict_messages={
                "start_date": _("You already have a pending or approved request on some of these days.")})
        else:
            flash(_("Your request was sent. You will be notified of the decision."), "success")
            return redirect(url_for("my_leave.index"), code=303)
    this_year = clock.local_today().year
    balances = [annual_balance(me, this_year)] if uses_annual_leave(me, ANNUAL_LEAVE_TYPE) else []
    return render_template("leave/new.html", form=form, balances=balances, approvers=approvers_of(me))


def _own(leave_id: int) -> LeaveRequest:
    leave = leave_services.get_leave(leave_id)
    if leave is None or leave.user_id != current_user.id:
        abort(404)
    return leave


@bp.post("/<int:leave_id>/cancel")
@signed_in_required
def cancel(leave_id: int):
    """Withdraw one's own pending request (a reviewed one stays, with a notice)."""
    leave = _own(leave_id)
    form = CancelLeaveForm()
    if form.validate_on_submit():
        try:
            leave_services.cancel_leave(leave, _me())
        except DomainError:
            refuse()
            flash(_("This request was already decided and stays."), "error")
        else:
            flash(_("Your request was cancelled."), "success")
    return redirect(url_for("my_leave.index"), code=303)


@bp.get("/<int:leave_id>/attachment")
@signed_in_required
def attachment(leave_id: int):
    """The request's photo or PDF: for its owner and those who may review it; others 404."""
    try:
        leave = leave_services.viewable_leave(leave_id, _me())
    except NotFound:
        abort(404)
    found = attachment_file(leave)
    if found is None:
        abort(404)
    path, mimetype = found
    response = send_file(path, mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the approver's list ---------------------------------------------------------------

def _pending_for(me):
    return leave_services.pending_for_reviewer(me, limit=APPROVALS_LIMIT)


@bp.get("/approvals")
@signed_in_required
def approvals():
    """Pending requests of the people one approves (principal: teachers and students; department head:
    the department's people), oldest first, with each person's annual leave balance."""
    me = _me()
    leaves = _pending_for(me)
    return render_template("leave/approvals.html", **_approvals_context(leaves))


def _approvals_context(leaves, **extra) -> dict:
    context = {"leaves": leaves, "details": annual_leave_details(leaves), "approve_form": ApproveLeaveForm(),
               "reject_form": RejectLeaveForm(), "open_id": None}
    context.update(extra)
    return context


def _decide(leave_id: int, approve: bool):
    me = _me()
    try:
        leave = leave_services.reviewable_leave(leave_id, me)
    except NotFound:
        abort(404)
    form = ApproveLeaveForm() if approve else RejectLeaveForm()
    if form.validate_on_submit():
        try:
            leave_services.review_leave(leave, me, approve=approve, comment=form.comment.data)
        except InsufficientLeaveBalance as exc:
            refuse()
            flash(_balance_message(exc), "error")
        except DomainError:
            refuse()
            flash(_("This request was already decided."), "error")
        else:
            kind = str(LEAVE_TYPE_LABELS.get(leave.leave_type, leave.leave_type))
            flash(_("%(kind)s of %(name)s approved.", kind=kind, name=leave.user.name) if approve else
                  _("%(kind)s of %(name)s rejected.", kind=kind, name=leave.user.name), "success")
        return redirect(url_for("my_leave.approvals"), code=303)
    leaves = _pending_for(me)
    forms = {"approve_form": form} if approve else {"reject_form": form}
    return render_template("leave/approvals.html", **_approvals_context(leaves, open_id=leave.id, **forms)), 422


@bp.post("/approvals/<int:leave_id>/approve")
@signed_in_required
def approve(leave_id: int):
    """Approve a pending request of someone one approves (optional comment); the requester is notified."""
    return _decide(leave_id, approve=True)


@bp.post("/approvals/<int:leave_id>/reject")
@signed_in_required
def reject(leave_id: int):
    """Reject a pending request of someone one approves (a comment is required); the requester is notified."""
    return _decide(leave_id, approve=False)
