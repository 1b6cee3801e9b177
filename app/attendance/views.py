"""Admin pages of attendance: flagged events in the review inbox (:mod:`app.review`; their
section and the approve / reject / bulk-approve routes) and the attendance report (person × day,
with CSV)."""
from __future__ import annotations

from flask import Blueprint, abort, request
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..admin.access import staff_required
from ..admin.filters import KIND_LABELS, day_texts, role_label, short_date
from ..admin.messages import translate_message
from ..admin.rendering import render
from ..common import clock
from ..common.boundary import refuse
from ..common.csv_export import csv_response
from ..common.errors import DomainError, NotFound
from ..extensions import db
from ..review import InboxState, OpenDecision, ReviewSection, answer, decide, register_section, render_inbox
from . import reports
from . import services as attendance
from .forms import BulkApproveForm, RejectEventForm, report_filter_form
from .models import AttendanceEvent

bp = Blueprint("attendance", __name__, url_prefix="/admin/attendance")

#: Events per page of the review list.
PER_PAGE = 25


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


# ---------------------------------------------------------------------------
# Flagged events in the review inbox: admin and petugas decide
# ---------------------------------------------------------------------------

def _load_section(state: InboxState) -> dict:
    """Events waiting for review (outside the geofence, imprecise, no office), oldest first, paginated."""
    stmt = attendance.pending_events_query().options(selectinload(AttendanceEvent.office))
    page = db.paginate(stmt, page=state.page_number, per_page=PER_PAGE, error_out=False)
    if not page.items and page.page > 1:  # the last page was emptied by a decision
        page = db.paginate(stmt, page=max(1, page.pages), per_page=PER_PAGE, error_out=False)
    return {"page": page}


register_section(ReviewSection(key="events", order=10, template="attendance/_partials/review_events.html",
                               load=_load_section, count=attendance.pending_event_count))


def _load_event(event_id: int) -> AttendanceEvent:
    try:
        return attendance.get_event(event_id)
    except NotFound:
        abort(404)


def _describe(event: AttendanceEvent) -> dict:
    return {"name": event.user.name, "kind": str(KIND_LABELS.get(event.kind, event.kind))}


@bp.post("/review/<int:event_id>/approve")
@staff_required
def approve(event_id: int):
    """Approve one event; its day is brought up to date and the person notified."""
    event = _load_event(event_id)
    try:
        attendance.review_event(event, current_user._get_current_object(), approve=True)
    except DomainError as exc:
        refuse()
        return answer(translate_message(exc.message), "error")
    return answer(_("%(kind)s of %(name)s approved.", **_describe(event)))


@bp.post("/review/<int:event_id>/reject")
@staff_required
def reject(event_id: int):
    """Reject one event with a reason (shown next to the field when missing)."""
    event = _load_event(event_id)
    form = RejectEventForm()
    return decide(form, OpenDecision("event", event_id, "reject", form),
                  lambda: attendance.review_event(event, current_user._get_current_object(), approve=False,
                                                  note=form.note.data),
                  lambda: _("%(kind)s of %(name)s rejected.", **_describe(event)))


@bp.post("/review/bulk-approve")
@staff_required
def bulk_approve():
    """Approve every checked event in one transaction: all of them, or none with a message."""
    form = BulkApproveForm()
    if not form.validate_on_submit():
        return render_inbox(notice=" ".join(map(str, form.event_ids.errors)) or None, notice_kind="error")
    try:
        events = attendance.review_events(form.event_ids.data, current_user._get_current_object(), approve=True)
    except DomainError as exc:
        refuse()
        message = translate_message(exc.message)
        return answer(_("Nothing was approved: %(reason)s", reason=message), "error")
    return answer(ngettext("%(num)d event was approved.", "%(num)d events were approved.", len(events)))


# ---------------------------------------------------------------------------
# Attendance report (present / late / on leave / absent, day by day)
# ---------------------------------------------------------------------------

#: People per page of the report.
REPORT_PER_PAGE = 50


def _report_filters():
    """``(form, start, end, filters)`` from the query string; invalid values fall back to defaults."""
    from ..accounts.roles import ADMIN_ROLES, ROLES

    groups = reports.people_groups()
    form = report_filter_form(groups)(request.args)
    form.role.choices = [("", _("Everyone"))] + [(r.key, r.label) for r in ROLES if r.key not in ADMIN_ROLES]
    for group in groups:
        form[group.param].choices = [(None, str(group.everyone))] + group.choices()
    form.validate()
    today = clock.local_today()
    start = form.start.data if not form.start.errors and form.start.data else today.replace(day=1)
    end = form.end.data if not form.end.errors and form.end.data else today
    filters = {"start": start.isoformat(), "end": end.isoformat()}
    for name in ("role", *(group.param for group in groups), "q"):
        field = getattr(form, name)
        if field.errors or field.data in (None, ""):
            field.data = None
        else:
            filters[name] = field.data
    return form, start, end, filters


def _report_people(form, start):
    groups = [(group, form[group.param].data) for group in reports.people_groups()
              if form[group.param].data is not None]
    return reports.people_query(role=form.role.data, groups=groups, on=start, search=form.q.data)


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
    letters, labels = day_texts()
    return render("attendance/report.html", "attendance/_partials/report_table.html",
                  form=form, groups=reports.people_groups(), page=page, report=result, filters=filters, error=error,
                  day_letters=letters, day_labels=labels, day_titles=[short_date(day) for day in result.days],
                  today=clock.local_today(), counted=reports.COUNTED)


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
    letters, labels = day_texts()
    roles = {key: role_label(key) for key in {row.user.role for row in result.rows}}
    header = [_("Name"), _("NPP"), _("NISN / NIP / NIK"), _("Role")]
    header += [labels[code] for code in reports.COUNTED] + [day.isoformat() for day in result.days]
    rows = [header]
    for row in result.rows:
        rows.append([row.user.name, row.user.npp or "", row.user.nisn_nip_nik or "", roles[row.user.role]]
                    + [row.counts[code] for code in reports.COUNTED]
                    + [letters[day.code] for day in row.days])
    filename = f"attendance-{start.isoformat()}-{end.isoformat()}.csv"
    return csv_response(rows, filename)
