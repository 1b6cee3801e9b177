"""Read-only queries of the clinic's admin pages: the procedures waiting for validation,
the service-fee (*jaspel*) report per staff member and month with the procedures behind
one row of it, and the patients with their procedures.

The rules of what counts come from :mod:`app.clinic.services` (its module docstring):
money is whole rupiah (``int``, never floats); a period is local calendar dates
``[start, end)`` (organisation's zone) and a procedure falls in it by ``performed_at``;
a rejected procedure earns nothing and is no procedure done.  Nothing here writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..common.search import contains_text
from ..extensions import db
from .models import Patient, Procedure
from .services import month_range, utc_bounds


# --- procedures waiting for validation ---------------------------------------

def pending_procedures_query():
    """Select statement of the pending procedures, oldest ``performed_at`` first (the review inbox),
    with performer and patient loaded."""
    return (db.select(Procedure).where(Procedure.status == "pending")
            .options(selectinload(Procedure.performer))
            .order_by(Procedure.performed_at, Procedure.id))


def pending_procedure_count() -> int:
    """How many procedures wait for validation (the sidebar's "review" counter includes them)."""
    return db.session.scalar(db.select(func.count(Procedure.id)).where(Procedure.status == "pending")) or 0




# --- service fees (jaspel) ------------------------------------------------------

@dataclass(frozen=True)
class ServiceFeeRow:
    """One staff member's procedures in a period.

    ``user`` is the performer (:class:`~app.accounts.models.User`, or None only in the
    totals row); counts are procedures; ``*_share`` whole rupiah of
    ``Procedure.service_fee_share``.  Rejected procedures are counted but earn nothing.
    """

    user: User | None
    approved_count: int
    approved_share: int
    pending_count: int
    pending_share: int
    rejected_count: int

    @property
    def total_share(self) -> int:
        """Approved plus pending share, whole rupiah (what :func:`app.clinic.services.service_fee_totals` calls total)."""
        return self.approved_share + self.pending_share


@dataclass(frozen=True)
class ServiceFeeReport:
    """The service-fee report of one month: ``start`` (first day) .. ``end`` (first day of the
    next month, exclusive), one :class:`ServiceFeeRow` per performer (by name) and ``totals``."""

    start: date
    end: date
    rows: list[ServiceFeeRow]
    totals: ServiceFeeRow


def month_bounds(month: date) -> tuple[date, date, datetime, datetime]:
    """The month of ``month`` (any day of it) as ``(start, end, low, high)``: its first local
    day, the first local day of the next month (exclusive), and the UTC instants of local
    midnight on those days (:func:`~app.clinic.services.month_range`,
    :func:`~app.clinic.services.utc_bounds`).  A procedure is in the month when
    ``low <= performed_at < high``."""
    start, end = month_range(month)
    low, high = utc_bounds(start, end)
    return start, end, low, high


def _service_fee_figures(*where) -> dict[int, list[int]]:
    """``{performer id: [approved count, approved share, pending count, pending share,
    rejected count]}`` of the procedures matching ``where`` (whole rupiah)."""

    def count_of(status):
        """SQL sum: how many procedures of ``status``."""
        return func.coalesce(func.sum(case((Procedure.status == status, 1), else_=0)), 0)

    def share_of(status):
        """SQL sum: the service fee shares (whole rupiah) of the procedures of ``status``."""
        return func.coalesce(func.sum(case((Procedure.status == status, Procedure.service_fee_share), else_=0)), 0)

    stmt = (db.select(Procedure.performer_id, count_of("approved"), share_of("approved"),
                      count_of("pending"), share_of("pending"), count_of("rejected"))
            .where(*where)
            .group_by(Procedure.performer_id))
    return {row[0]: [int(v) for v in row[1:]] for row in db.session.execute(stmt)}


def service_fee_report(month: date) -> ServiceFeeReport:
    """Per performer who has any procedure (any status) performed in ``month``'s local dates:
    approved count and share, pending count and share, rejected count; plus the totals.

    :param month: any day of the month.
    """
    start, end, low, high = month_bounds(month)
    figures = _service_fee_figures(Procedure.performed_at >= low, Procedure.performed_at < high)
    users = db.session.scalars(db.select(User).where(User.id.in_(list(figures)))).all() if figures else []
    rows = [ServiceFeeRow(user, *figures[user.id])
            for user in sorted(users, key=lambda u: ((u.name or "").casefold(), u.id))]
    totals = ServiceFeeRow(None, *(sum(getattr(r, f) for r in rows) for f in
                                   ("approved_count", "approved_share", "pending_count", "pending_share",
                                    "rejected_count")))
    return ServiceFeeReport(start=start, end=end, rows=rows, totals=totals)


def service_fee_row(user: User, month: date) -> ServiceFeeRow:
    """``user``'s row of :func:`service_fee_report` for ``month`` (any day of it): the same
    query restricted to this performer, so the figures are the report's.  A user without
    procedures that month gets a row of zeros (the report leaves them out)."""
    _start, _end, low, high = month_bounds(month)
    figures = _service_fee_figures(Procedure.performer_id == user.id,
                                   Procedure.performed_at >= low, Procedure.performed_at < high)
    return ServiceFeeRow(user, *figures.get(user.id, [0, 0, 0, 0, 0]))


def staff_month_procedures_query(user_id: int, month: date, status: str | None = None):
    """Select statement of the procedures ``user_id`` performed in ``month``'s local dates (the
    procedures behind their :func:`service_fee_report` row), newest ``performed_at`` first,
    optionally only those of ``status`` (one of
    :data:`~app.clinic.models.PROCEDURE_STATUSES`); patient, performer and validator loaded."""
    _start, _end, low, high = month_bounds(month)
    stmt = (db.select(Procedure)
            .where(Procedure.performer_id == user_id, Procedure.performed_at >= low, Procedure.performed_at < high)
            .options(selectinload(Procedure.validated_by))
            .order_by(Procedure.performed_at.desc(), Procedure.id.desc()))
    if status:
        stmt = stmt.where(Procedure.status == status)
    return stmt


# --- patients ---------------------------------------------------------------------

def patients_query(search: str | None = None):
    """Select statement of the patients by name, optionally only those whose name or record
    number contains ``search`` (case-insensitive; ``%`` and ``_`` are literal)."""
    stmt = db.select(Patient).order_by(Patient.name, Patient.id)
    if search:
        stmt = stmt.where(contains_text(search, Patient.name, Patient.record_number))
    return stmt


@dataclass(frozen=True)
class PatientProcedures:
    """Procedures done for one patient: ``count`` of approved and pending ones (a rejected one
    is no procedure done) and ``last`` the latest ``performed_at`` of those (UTC), or None."""

    count: int = 0
    last: datetime | None = None


def procedures_of_patients(patient_ids) -> dict[int, PatientProcedures]:
    """``{patient id: PatientProcedures}`` for these patients (those without any are missing)."""
    ids = list(patient_ids)
    if not ids:
        return {}
    stmt = (db.select(Procedure.patient_id, func.count(Procedure.id), func.max(Procedure.performed_at))
            .where(Procedure.patient_id.in_(ids), Procedure.status != "rejected")
            .group_by(Procedure.patient_id))
    return {pid: PatientProcedures(int(n), last) for pid, n, last in db.session.execute(stmt)}



def patient_procedures_query(patient_id: int):
    """Select statement of every procedure (any status) done for ``patient_id``, newest
    ``performed_at`` first, with performer and validator loaded."""
    return (db.select(Procedure).where(Procedure.patient_id == patient_id)
            .options(selectinload(Procedure.performer), selectinload(Procedure.validated_by))
            .order_by(Procedure.performed_at.desc(), Procedure.id.desc()))
