"""Admin pages of attendance: the review inbox (flagged events, leave requests and the clinic's
procedures awaiting validation, approved or rejected in place) and the attendance report
(person × day, with CSV)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..admin.access import admin_required, is_admin, staff_required
from ..admin.filters import DAY_LABELS, DAY_LETTERS, KIND_LABELS, role_label
from ..admin.messages import translate_message
from ..admin.rendering import render, wants_fragment
from ..clinic import bulk as clinic_bulk, reports as clinic_reports, services as clinic_services
from ..clinic.forms import ApproveProcedureForm, BulkApproveProceduresForm, RejectProcedureForm
from ..clinic.models import Procedure
from ..common import clock
from ..common.csv_export import csv_response
from ..common.errors import DomainError, NotFound
from ..extensions import db
from . import services as attendance
from ..leave import services as leave_services
from ..leave.models import LeaveRequest
from . import reports
from .forms import ApproveLeaveForm, BulkApproveForm, RejectEventForm, RejectLeaveForm, ReportFilterForm
from .models import AttendanceEvent

bp = Blueprint("attendance", __name__, url_prefix="/admin/attendance")

#: Events per page of the review list.
PER_PAGE = 25
#: Leave requests shown at once (oldest first; the total is shown with them).
LEAVE_LIMIT = 25
#: Procedures awaiting validation shown at once (oldest first; the total is shown with them).
PROCEDURE_LIMIT = 25


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def _pending_leaves() -> tuple[list[LeaveRequest], int]:
    stmt = leave_services.pending_leaves_query().options(selectinload(LeaveRequest.user))
    return list(db.session.scalars(stmt.limit(LEAVE_LIMIT))), leave_services.pending_leave_count()


def _pending_procedures() -> tuple[list[Procedure], int]:
    stmt = clinic_reports.pending_procedures_query()
    return list(db.session.scalars(stmt.limit(PROCEDURE_LIMIT))), clinic_reports.pending_procedure_count()


@dataclass(frozen=True)
class OpenDecision:
    """A decision form shown open again (with its errors) after a refused post:
    ``section`` (``leave``/``procedure``), the item's id, ``action`` (``approve``/``reject``)
    and the bound form."""

    section: str
    item_id: int
    action: str
    form: object

    def is_for(self, section: str, item_id: int, action: str) -> bool:
        """True when this is the open form of that item's action."""
        return (self.section, self.item_id, self.action) == (section, item_id, action)


def _review_list(*, notice=None, notice_kind="success", reject_form=None, reject_id=None, bulk_form=None,
                 decision: OpenDecision | None = None):
    leaves, leave_total = _pending_leaves()
    procedures, procedure_total = _pending_procedures()
    stmt = attendance.pending_events_query().options(selectinload(AttendanceEvent.office))
    page = db.paginate(stmt, page=_page_number(), per_page=PER_PAGE, error_out=False)
    if not page.items and page.page > 1:  # the last page was emptied by a decision
        page = db.paginate(stmt, page=max(1, page.pages), per_page=PER_PAGE, error_out=False)
    can_decide = is_admin(current_user)
    return render("attendance/review.html", "attendance/_partials/review_list.html",
                  page=page, notice=notice, notice_kind=notice_kind,
                  reject_form=reject_form, reject_id=reject_id,
                  bulk_form=bulk_form or BulkApproveForm(formdata=None),
                  leaves=leaves, leave_total=leave_total, can_review_leave=can_decide,
                  procedures=procedures, procedure_total=procedure_total, can_validate_procedures=can_decide,
                  decision=decision)


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
    """Events waiting for review (outside the geofence, imprecise, no office), oldest first,
    and below them the pending leave requests, oldest first.

    Who reviews leave: the contract (002, section 6) gives it to the principal
    (``kepsek``) and admins.  The admin web app only lets admin and petugas sign
    in, so here an admin approves / rejects leave, and a petugas sees the leave
    section read-only (no buttons; the leave POST routes answer 403).  The
    principal reviews through the API.

    Last come the clinic's procedures awaiting validation (issue 5), oldest first,
    with the same split: an admin approves (optional note), rejects (note required)
    or bulk-approves them; a petugas sees them read-only (the POST routes answer 403).
    """
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


def _load_leave(leave_id: int) -> LeaveRequest:
    leave = leave_services.get_leave(leave_id)
    if leave is None:
        abort(404)
    return leave


def _describe_leave(leave: LeaveRequest) -> dict:
    from ..admin.filters import LEAVE_TYPE_LABELS

    return {"name": leave.user.name, "kind": str(LEAVE_TYPE_LABELS.get(leave.leave_type, leave.leave_type))}


def _decide(form, decision: OpenDecision, act, done_message, field_map: dict[str, str] | None = None):
    """Run one approve / reject of the inbox: validate ``form``, call ``act()`` (a service call),
    then answer with ``done_message()``; a refusal of the form or of the service (shown next to
    its field) re-renders the list with ``decision`` open, other domain errors become a notice."""
    if form.validate_on_submit():
        try:
            act()
        except DomainError as exc:
            db.session.rollback()
            if getattr(exc, "errors", None):
                form.apply_domain_error(exc, field_map=field_map)
            else:
                return _after_review(translate_message(exc.message), "error")
        else:
            return _after_review(done_message())
    return _review_list(decision=decision)


def _decide_leave(leave_id: int, form, *, approve: bool):
    leave = _load_leave(leave_id)
    action = "approve" if approve else "reject"

    def done():
        facts = _describe_leave(leave)
        return _("%(kind)s of %(name)s approved.", **facts) if approve else _("%(kind)s of %(name)s rejected.", **facts)

    return _decide(form, OpenDecision("leave", leave_id, action, form),
                   lambda: leave_services.review_leave(leave, current_user._get_current_object(), approve=approve,
                                                       comment=form.comment.data),
                   done, field_map={"approval_comment": "comment"})


@bp.post("/review/leave/<int:leave_id>/approve")
@admin_required
def approve_leave(leave_id: int):
    """Approve one pending leave request, with an optional comment; the requester is notified.

    Admin only: a petugas sees the leave section read-only (see :func:`review`).
    """
    return _decide_leave(leave_id, ApproveLeaveForm(), approve=True)


@bp.post("/review/leave/<int:leave_id>/reject")
@admin_required
def reject_leave(leave_id: int):
    """Reject one pending leave request; the comment is required (shown next to the field when missing)."""
    return _decide_leave(leave_id, RejectLeaveForm(), approve=False)


# ---------------------------------------------------------------------------
# Procedures awaiting validation (clinic, issue 5): admins decide, petugas read
# ---------------------------------------------------------------------------

def _load_procedure(procedure_id: int) -> Procedure:
    procedure = clinic_services.procedures_for_update([procedure_id]).get(procedure_id)
    if procedure is None:
        abort(404)
    return procedure


def _describe_procedure(procedure: Procedure) -> dict:
    return {"procedure": procedure.name, "patient": procedure.patient.name, "name": procedure.performer.name}


def _decide_procedure(procedure_id: int, form, *, approve: bool):
    procedure = _load_procedure(procedure_id)
    action = "approve" if approve else "reject"

    def done():
        facts = _describe_procedure(procedure)
        if approve:
            return _("%(procedure)s by %(name)s for %(patient)s approved.", **facts)
        return _("%(procedure)s by %(name)s for %(patient)s rejected.", **facts)

    return _decide(form, OpenDecision("procedure", procedure_id, action, form),
                   lambda: clinic_services.validate_procedure(procedure, current_user._get_current_object(),
                                                              approve=approve, note=form.note.data),
                   done)


@bp.post("/review/procedure/<int:procedure_id>/approve")
@admin_required
def approve_procedure(procedure_id: int):
    """Approve one pending procedure with an optional note; the performer is notified
    (:func:`app.clinic.services.validate_procedure`).

    Admin only, as for leave: a petugas sees the procedures read-only (see :func:`review`).
    """
    return _decide_procedure(procedure_id, ApproveProcedureForm(), approve=True)


@bp.post("/review/procedure/<int:procedure_id>/reject")
@admin_required
def reject_procedure(procedure_id: int):
    """Reject one pending procedure; the note is required (shown next to the field when missing),
    the performer is notified with it."""
    return _decide_procedure(procedure_id, RejectProcedureForm(), approve=False)


@bp.post("/review/procedure/bulk-approve")
@admin_required
def bulk_approve_procedures():
    """Approve every checked procedure in one transaction: all of them, or none.

    The rows are locked first; if one is gone or no longer pending (validated meanwhile by
    someone else), nothing changes and the notice names it.
    """
    form = BulkApproveProceduresForm()
    if not form.validate_on_submit():
        return _review_list(notice=" ".join(map(str, form.procedure_ids.errors)) or None, notice_kind="error")
    ids = list(dict.fromkeys(form.procedure_ids.data))
    try:
        clinic_bulk.validate_procedures(ids, current_user._get_current_object(), approve=True)
    except clinic_bulk.BatchInvalid as exc:
        db.session.rollback()
        refused = ids[next(iter(exc.rows))]
        procedure = db.session.get(Procedure, refused)
        if procedure is None:
            return _after_review(_("Nothing was approved: a selected procedure no longer exists."), "error")
        return _after_review(_("Nothing was approved: %(procedure)s by %(name)s for %(patient)s "
                               "has already been validated.", **_describe_procedure(procedure)), "error")
    except DomainError as exc:
        db.session.rollback()
        return _after_review(_("Nothing was approved: %(reason)s", reason=translate_message(exc.message)),
                             "error")
    return _after_review(ngettext("%(num)d procedure was approved.", "%(num)d procedures were approved.",
                                  len(ids)))


# ---------------------------------------------------------------------------
# Attendance report (present / late / on leave / absent, day by day)
# ---------------------------------------------------------------------------

#: People per page of the report.
REPORT_PER_PAGE = 50


def _report_filters():
    """``(form, start, end, filters)`` from the query string; invalid values fall back to defaults."""
    from ..accounts.roles import ADMIN_ROLES, ROLES
    from ..school.models import SchoolClass

    form = ReportFilterForm(request.args)
    form.role.choices = [("", _("Everyone"))] + [(r.key, r.label) for r in ROLES if r.key not in ADMIN_ROLES]
    form.class_id.choices = [(None, _("All classes"))] + [
        (c.id, c.name) for c in db.session.scalars(db.select(SchoolClass).order_by(SchoolClass.name))]
    form.validate()
    today = clock.local_today()
    start = form.start.data if not form.start.errors and form.start.data else today.replace(day=1)
    end = form.end.data if not form.end.errors and form.end.data else today
    filters = {"start": start.isoformat(), "end": end.isoformat()}
    for name in ("role", "class_id", "q"):
        field = getattr(form, name)
        if field.errors or field.data in (None, ""):
            field.data = None
        else:
            filters[name] = field.data
    return form, start, end, filters


def _report_people(form, start):
    from ..school.services import academic_year_of

    return reports.people_query(role=form.role.data, class_id=form.class_id.data,
                                academic_year=academic_year_of(start), search=form.q.data)


@bp.get("/report")
@staff_required
def report():
    """Attendance report: a person × day grid with totals; approved leave shows as its type."""
    form, start, end, filters = _report_filters()
    error = None
    try:
        reports.check_range(start, end)
    except DomainError as exc:
        error = translate_message(exc.errors["end"][0]) if getattr(exc, "errors", None) else str(exc)
        end = start
        filters["end"] = end.isoformat()
    page = db.paginate(_report_people(form, start), page=_page_number(), per_page=REPORT_PER_PAGE, error_out=False)
    result = reports.build_report(list(page.items), start, end)
    return render("attendance/report.html", "attendance/_partials/report_table.html",
                  form=form, page=page, report=result, filters=filters, error=error,
                  day_letters=DAY_LETTERS, counted=reports.COUNTED)


@bp.get("/report.csv")
@staff_required
def report_csv():
    """The report as CSV (every person of the filters, not one page): totals then one column per day."""
    form, start, end, _filters = _report_filters()
    try:
        reports.check_range(start, end)
    except DomainError:
        abort(400)
    people = list(db.session.scalars(_report_people(form, start)))
    result = reports.build_report(people, start, end)
    header = [_("Name"), _("NPP"), _("NISN / NIP / NIK"), _("Role")]
    header += [str(DAY_LABELS[code]) for code in reports.COUNTED] + [day.isoformat() for day in result.days]
    rows = [header]
    for row in result.rows:
        rows.append([row.user.name, row.user.npp or "", row.user.nisn_nip_nik or "", role_label(row.user.role)]
                    + [row.counts[code] for code in reports.COUNTED]
                    + [str(DAY_LETTERS[day.code]) for day in row.days])
    filename = f"attendance-{start.isoformat()}-{end.isoformat()}.csv"
    return csv_response(rows, filename)
