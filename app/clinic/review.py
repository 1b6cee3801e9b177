"""The clinic's procedures in the review inbox (:mod:`app.review`): their section and the
admin's decisions.

Routes (under the inbox, ``/admin/attendance/review/procedure``): ``clinic_review.approve`` /
``clinic_review.reject`` of one pending procedure, ``clinic_review.bulk_approve`` of the checked
ones (all or nothing).  Admin only: a petugas sees the section read-only (its posts answer 403).
The rules are :func:`app.clinic.services.validate_procedure`'s; the performer is notified.
"""
from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..admin.access import admin_required, is_admin
from ..admin.messages import translate_message
from ..common.boundary import refuse
from ..common.errors import DomainError
from ..extensions import db
from ..review import InboxState, OpenDecision, ReviewSection, answer, decide, register_section, render_inbox
from . import bulk as clinic_bulk, reports as clinic_reports, services as clinic_services
from .forms import ApproveProcedureForm, BulkApproveProceduresForm, RejectProcedureForm
from .models import Procedure

bp = Blueprint("clinic_review", __name__, url_prefix="/admin/attendance/review/procedure")

#: Procedures awaiting validation shown at once (oldest first; the total is shown with them).
PROCEDURE_LIMIT = 25


def _load_section(state: InboxState) -> dict:
    stmt = clinic_reports.pending_procedures_query()
    return {"procedures": list(db.session.scalars(stmt.limit(PROCEDURE_LIMIT))),
            "procedure_total": clinic_reports.pending_procedure_count(),
            "can_validate_procedures": is_admin(state.user)}


register_section(ReviewSection(key="procedures", order=30, template="clinic/_partials/review_procedures.html",
                               load=_load_section, count=clinic_reports.pending_procedure_count))


def _load_procedure(procedure_id: int) -> Procedure:
    procedure = clinic_services.procedures_for_update([procedure_id]).get(procedure_id)
    if procedure is None:
        abort(404)
    return procedure


def _describe(procedure: Procedure) -> dict:
    return {"procedure": procedure.name, "patient": procedure.patient.name, "name": procedure.performer.name}


def _decide(procedure_id: int, form, *, approve: bool):
    procedure = _load_procedure(procedure_id)

    def done():
        """The notice after the decision: which procedure, by whom, for which patient, approved or rejected."""
        facts = _describe(procedure)
        if approve:
            return _("%(procedure)s by %(name)s for %(patient)s approved.", **facts)
        return _("%(procedure)s by %(name)s for %(patient)s rejected.", **facts)

    return decide(form, OpenDecision("procedure", procedure_id, "approve" if approve else "reject", form),
                  lambda: clinic_services.validate_procedure(procedure, current_user._get_current_object(),
                                                             approve=approve, note=form.note.data),
                  done)


@bp.post("/<int:procedure_id>/approve")
@admin_required
def approve(procedure_id: int):
    """Approve one pending procedure with an optional note; the performer is notified
    (:func:`app.clinic.services.validate_procedure`)."""
    return _decide(procedure_id, ApproveProcedureForm(), approve=True)


@bp.post("/<int:procedure_id>/reject")
@admin_required
def reject(procedure_id: int):
    """Reject one pending procedure; the note is required (shown next to the field when missing),
    the performer is notified with it."""
    return _decide(procedure_id, RejectProcedureForm(), approve=False)


@bp.post("/bulk-approve")
@admin_required
def bulk_approve():
    """Approve every checked procedure in one transaction: all of them, or none.

    The rows are locked first; if one is gone or no longer pending (validated meanwhile by
    someone else), nothing changes and the notice names it.
    """
    form = BulkApproveProceduresForm()
    if not form.validate_on_submit():
        return render_inbox(notice=" ".join(map(str, form.procedure_ids.errors)) or None, notice_kind="error")
    ids = list(dict.fromkeys(form.procedure_ids.data))
    try:
        clinic_bulk.validate_procedures(ids, current_user._get_current_object(), approve=True)
    except clinic_bulk.BatchInvalid as exc:
        refuse()
        refused = ids[next(iter(exc.rows))]
        procedure = db.session.get(Procedure, refused)
        if procedure is None:
            return answer(_("Nothing was approved: a selected procedure no longer exists."), "error")
        return answer(_("Nothing was approved: %(procedure)s by %(name)s for %(patient)s "
                        "has already been validated.", **_describe(procedure)), "error")
    except DomainError as exc:
        refuse()
        return answer(_("Nothing was approved: %(reason)s", reason=translate_message(exc.message)), "error")
    return answer(ngettext("%(num)d procedure was approved.", "%(num)d procedures were approved.", len(ids)))
