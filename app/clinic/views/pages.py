"""Admin pages of the clinic: the service-fee (*jaspel*) report and the patients.

- ``/admin/clinic/service-fees?month=YYYY-MM`` and its CSV: admins only (it shows what
  colleagues earn).
- ``/admin/clinic/service-fees/<user_id>?month=YYYY-MM&status=…`` and its CSV
  (``/admin/clinic/service-fees/<user_id>.csv``): the procedures behind one person's row of
  the report; admins only.
- ``/admin/clinic/patients?q=…``: admins and petugas (front-office staff look patients up).
- ``/admin/clinic/patients/<patient_id>``: one patient's details and procedures; admins and
  petugas.
- ``/admin/clinic/patients/import`` (upload, preview, confirm) and its template CSV: admins and
  petugas (front-office staff register patients), in :mod:`app.clinic.views.imports`.

The validation of procedures is the clinic's section of the review inbox (:mod:`app.clinic.review`,
``/admin/attendance/review``).  Figures come from :mod:`app.clinic.reports`, whose rules are
:mod:`app.clinic.services`'.  Money is whole rupiah, shown with the :func:`rupiah` filter.
"""
from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import request
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from ...accounts.models import User
from ...accounts.roles import ADMINISTRATOR_ROLES, CLINIC_WORKER_ROLES
from ...admin.access import admin_required, is_admin, require_own_or, roles_required, staff_required
from ...admin.filters import local_datetime, role_label, status_badge
from ...admin.rendering import render
from ...common import clock
from ...common.csv_export import csv_response
from ...common.months import month_after, month_before, parse_month
from ...extensions import db
from .. import reports
from ..models import PROCEDURE_STATUSES, Patient

from . import bp

#: Patients per page of the patient list.
PER_PAGE = 25
#: Procedures per page of a patient's page and of a staff member's month.
PROCEDURES_PER_PAGE = 50
#: Longest search text taken from ``q``.
SEARCH_MAX = 100


@bp.app_template_filter("rupiah")
def rupiah(value: int | None) -> str:
    """Whole rupiah as ``Rp 150.000`` (grouping of the user's language; ``—`` for None)."""
    if value is None:
        return "—"
    return f"Rp {format_decimal(int(value), locale=str(get_locale() or 'id'))}"


@bp.app_template_filter("month_label")
def month_label(first: date) -> str:
    """A month as ``November 2026`` in the user's language."""
    return format_date(first, "LLLL y", locale=str(get_locale() or "id"))


def _selected_month() -> tuple[date, bool]:
    """``(first day of the month asked for, valid)``; a missing or invalid ``month`` is this month."""
    raw = request.args.get("month")
    month = parse_month(raw)
    return (month, True) if month else (clock.local_today().replace(day=1), not raw)


# --- service fees (jaspel) ----------------------------------------------------------

@bp.get("/service-fees")
@admin_required
def service_fees():
    """Service-fee report of one month: per performer the approved count and share, the pending
    count and share, the rejected count, and a totals row (rupiah, whole numbers).

    Admin only: it shows what each colleague earns.
    """
    month, valid = _selected_month()
    report = reports.service_fee_report(month)
    today_month = clock.local_today().replace(day=1)
    return render("clinic/service_fees.html", "clinic/_partials/service_fee_table.html",
                  report=report, month=month, month_value=month.strftime("%Y-%m"), invalid_month=not valid,
                  previous_month=f"{month_before(month):%Y-%m}",
                  next_month=f"{month_after(month):%Y-%m}" if month < today_month else None)


@bp.get("/service-fees.csv")
@admin_required
def service_fees_csv():
    """The service-fee report of ``month`` as CSV: the same figures as the page, one row per
    performer, then the totals row; rupiah as whole numbers."""
    month, _valid = _selected_month()
    report = reports.service_fee_report(month)
    rows = [[_("Name"), _("NPP"), _("Role"), _("Approved procedures"), _("Approved share (Rp)"),
             _("Pending procedures"), _("Pending share (Rp)"), _("Rejected procedures"), _("Total share (Rp)")]]
    for row in report.rows:
        rows.append([row.user.name, row.user.npp or "", role_label(row.user.role), row.approved_count,
                     row.approved_share, row.pending_count, row.pending_share, row.rejected_count, row.total_share])
    totals = report.totals
    rows.append([_("Total"), "", "", totals.approved_count, totals.approved_share, totals.pending_count,
                 totals.pending_share, totals.rejected_count, totals.total_share])
    return csv_response(rows, f"service-fees-{month.strftime('%Y-%m')}.csv")


def _selected_status() -> str | None:
    """The ``status`` filter of a staff member's month: one of PROCEDURE_STATUSES, else None (all)."""
    status = request.args.get("status")
    return status if status in PROCEDURE_STATUSES else None


@bp.get("/service-fees/<int:user_id>")
@roles_required(ADMINISTRATOR_ROLES, CLINIC_WORKER_ROLES)
def service_fees_person(user_id: int):
    """One staff member's procedures in ``month`` (``YYYY-MM``, local dates; this month when
    missing or invalid), newest first, paginated, optionally only one ``status``; with the
    figures of their row in the report (approved share, pending share, rejected count), from
    the same query.  404 for an unknown user; an empty state when they have none that month.

    The administrator for anyone (like the report); a clinic worker for themselves only
    (their own procedures and *jaspel*; another id → 403).
    """
    require_own_or(user_id, ADMINISTRATOR_ROLES)
    user = db.get_or_404(User, user_id)
    month, valid = _selected_month()
    status = _selected_status()
    row = reports.service_fee_row(user, month)
    page_number = request.args.get("page", 1, type=int) or 1
    page = db.paginate(reports.staff_month_procedures_query(user.id, month, status), page=page_number,
                       per_page=PROCEDURES_PER_PAGE, error_out=False)
    month_value = month.strftime("%Y-%m")
    filters = {"user_id": user.id, "month": month_value, **({"status": status} if status else {})}
    today_month = clock.local_today().replace(day=1)
    return render("clinic/service_fees_person.html", "clinic/_partials/service_fees_person_list.html",
                  person=user, row=row, page=page, month=month, month_value=month_value, status=status,
                  invalid_month=not valid, filters=filters,
                  previous_month=f"{month_before(month):%Y-%m}",
                  next_month=f"{month_after(month):%Y-%m}" if month < today_month else None)


@bp.get("/service-fees/<int:user_id>.csv")
@roles_required(ADMINISTRATOR_ROLES, CLINIC_WORKER_ROLES)
def service_fees_person_csv(user_id: int):
    """The procedures of :func:`service_fees_person` (same ``month`` and ``status``) as CSV,
    newest first, one row each: local date and time, procedure, patient, record number, fee and
    share (whole rupiah), status, validator, validation time and note.  404 for an unknown user;
    who may: as :func:`service_fees_person`."""
    require_own_or(user_id, ADMINISTRATOR_ROLES)
    user = db.get_or_404(User, user_id)
    month, _valid = _selected_month()
    status = _selected_status()
    procedures = db.session.scalars(reports.staff_month_procedures_query(user.id, month, status)).all()
    rows = [[_("Performed at"), _("Procedure"), _("Patient"), _("Record number"), _("Fee (Rp)"), _("Share (Rp)"),
             _("Status"), _("Validated by"), _("Validated at"), _("Validation note")]]
    for procedure in procedures:
        rows.append([local_datetime(procedure.performed_at, "yyyy-MM-dd HH:mm"), procedure.name,
                     procedure.patient.name, procedure.patient.record_number or "", procedure.fee,
                     procedure.service_fee_share, status_badge(procedure.status)[0],
                     procedure.validated_by.name if procedure.validated_by else "",
                     local_datetime(procedure.validated_at, "yyyy-MM-dd HH:mm") if procedure.validated_at else "",
                     procedure.validation_note or ""])
    suffix = f"-{status}" if status else ""
    return csv_response(rows, f"service-fees-{month.strftime('%Y-%m')}-{_slug(user)}{suffix}.csv")


def _slug(user: User) -> str:
    """A file-name part for ``user``: their NPP, else their id."""
    return re.sub(r"[^A-Za-z0-9]+", "-", user.npp or "").strip("-") or f"user-{user.id}"


# --- patients -------------------------------------------------------------------------

@bp.get("/patients")
@staff_required
def patients():
    """Patients by name with search (name or record number, as you type), paginated, each with
    how many procedures were done for them (approved and pending) and the latest one.

    Admins and petugas: the front office looks patients up.  The page header links to the
    CSV import (:mod:`app.clinic.views.imports`).
    """
    search = (request.args.get("q") or "").strip()[:SEARCH_MAX]
    page_number = request.args.get("page", 1, type=int) or 1
    page = db.paginate(reports.patients_query(search or None), page=page_number, per_page=PER_PAGE,
                       error_out=False)
    stats = reports.procedures_of_patients(p.id for p in page.items)
    filters = {"q": search} if search else {}
    return render("clinic/patients.html", "clinic/_partials/patient_list.html",
                  page=page, stats=stats, empty_stats=reports.PatientProcedures(), search=search, filters=filters)


def _age(birth: date, today: date) -> int:
    """Whole years from ``birth`` to ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@bp.get("/patients/<int:patient_id>")
@staff_required
def patient(patient_id: int):
    """One patient: record number, name, sex, birth date with age, address, phone, email; and
    every procedure done for them (any status), newest first, paginated, each with performer,
    fee, share, status and validation.  404 for an unknown patient.

    Admins and petugas, like the patient list.
    """
    record = db.get_or_404(Patient, patient_id)
    page_number = request.args.get("page", 1, type=int) or 1
    page = db.paginate(reports.patient_procedures_query(record.id), page=page_number,
                       per_page=PROCEDURES_PER_PAGE, error_out=False)
    stats = reports.procedures_of_patients([record.id]).get(record.id, reports.PatientProcedures())
    today = clock.local_today()
    age = _age(record.birth_date, today) if record.birth_date and record.birth_date <= today else None
    return render("clinic/patient.html", "clinic/_partials/patient_procedures.html",
                  patient=record, page=page, stats=stats, age=age,
                  link_service_fees=is_admin(current_user))
