"""Patients, procedures, their validation, and the service-fee (jaspel) figures.

Services take plain values with English keys, only ``flush`` (the request
boundary commits) and raise :class:`~app.common.errors.ValidationFailed` (fields
named in English: ``name``, ``record_number``, ``birth_date``, ``sex``,
``address``, ``phone``, ``email``, ``fee``, ``service_fee_share``,
``performed_at``, ``performer``, ``note``), :class:`PatientNotFound`,
:class:`ProcedureNotFound` or :class:`ProcedureAlreadyValidated`.

Money is whole rupiah (``int``).  Periods are local calendar dates
(organisation's zone), ``start`` inclusive and ``end`` exclusive; procedures
fall in a period by ``performed_at``.  Figures count approved and pending
procedures only: a rejected procedure earns nothing and is no procedure done.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func

from ..accounts.roles import CLINICIAN_ROLES
from ..accounts.services import EMAIL_RE
from ..common import clock
from ..common.errors import Conflict, NotFound, ValidationFailed
from ..common.i18n import N_
from ..common.months import month_after
from ..extensions import db
from ..notify.services import notify
from .models import SEXES, Patient, Procedure

#: Largest fee accepted, in rupiah (one trillion: far above any procedure, well inside BIGINT).
MAX_FEE = 10**12
#: Notification types sent to the performer when a procedure is validated.
NOTIFY_APPROVED = "tindakan_approved"
NOTIFY_REJECTED = "tindakan_rejected"


class PatientNotFound(NotFound):
    """No patient has this id."""

    code = "patient_not_found"


class ProcedureNotFound(NotFound):
    """No procedure has this id."""

    code = "procedure_not_found"


class ProcedureAlreadyValidated(Conflict):
    """This procedure has already been validated."""

    default_message = N_("This procedure has already been validated.")

    code = "procedure_already_validated"


@dataclass(frozen=True)
class ServiceFeeTotals:
    """Service-fee shares of one person over a period, whole rupiah.

    ``approved``: shares of approved procedures; ``pending``: of procedures
    awaiting validation; :attr:`total` both (rejected ones never count).
    """

    approved: int
    pending: int

    @property
    def total(self) -> int:
        """Approved plus pending, whole rupiah."""
        return self.approved + self.pending


@dataclass(frozen=True)
class ProcedureSummary:
    """Procedures one person performed over a period.

    ``procedures``: approved and pending ones; ``patients``: distinct patients of
    those; ``approved``/``pending``/``rejected``: counts by status.
    """

    procedures: int
    patients: int
    approved: int
    pending: int
    rejected: int


# --- periods ---------------------------------------------------------------

def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight at ``start`` and at ``end`` (``end`` exclusive)."""
    zone = clock.local_zone()
    return (datetime.combine(start, time(0), tzinfo=zone), datetime.combine(end, time(0), tzinfo=zone))


def month_range(day: date) -> tuple[date, date]:
    """``(first day of day's month, first day of the next month)``."""
    start = day.replace(day=1)
    return start, month_after(start)


def week_range(day: date) -> tuple[date, date]:
    """``(Monday of day's week, the Monday after)`` (ISO weeks)."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=7)


# --- patients --------------------------------------------------------------

#: "The <field> must not be greater than N characters." of the patient fields (the admin CSV import
#: shows them per row), written out for the catalogs.
_TOO_LONG_TEXTS = {
    ("name", 255): N_("The name must not be greater than 255 characters."),
    ("record_number", 32): N_("The record number must not be greater than 32 characters."),
    ("address", 1000): N_("The address must not be greater than 1000 characters."),
    ("phone", 32): N_("The phone must not be greater than 32 characters."),
    ("email", 254): N_("The email must not be greater than 254 characters."),
}


def _text(values: dict, errors: dict, field: str, max_length: int, *, required: bool = False) -> None:
    value = values.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = [f"The {field.replace('_', ' ')} field is required."]
        values[field] = None
        return
    if not isinstance(value, str):
        errors[field] = [f"The {field.replace('_', ' ')} must be a string."]
    elif len(value.strip()) > max_length:
        errors[field] = [_TOO_LONG_TEXTS.get((field, max_length))
                         or f"The {field.replace('_', ' ')} must not be greater than {max_length} characters."]
    else:
        values[field] = value.strip()


def check_patient(values: dict) -> dict:
    """Validate a patient's fields; returns them cleaned (text stripped, empty → None).

    :param values: ``name`` (required, ≤255), ``record_number`` (≤32), ``birth_date``
        (a :class:`date` not in the future), ``sex`` (one of :data:`~.models.SEXES`),
        ``address`` (≤1000), ``phone`` (≤32), ``email`` (a valid address, lower-cased).
    :raises ValidationFailed: every refused field.
    """
    clean = {key: values.get(key) for key in
             ("name", "record_number", "birth_date", "sex", "address", "phone", "email")}
    errors: dict[str, list[str]] = {}
    _text(clean, errors, "name", 255, required=True)
    _text(clean, errors, "record_number", 32)
    _text(clean, errors, "address", 1000)
    _text(clean, errors, "phone", 32)
    _text(clean, errors, "email", 254)
    if clean["email"] and "email" not in errors:
        if not EMAIL_RE.match(clean["email"]):
            errors["email"] = [N_("The email must be a valid email address.")]
        else:
            clean["email"] = clean["email"].lower()
    birth = clean["birth_date"]
    if birth is not None and (not isinstance(birth, date) or isinstance(birth, datetime)):
        errors["birth_date"] = [N_("The birth date is not a valid date.")]
    elif birth is not None and birth > clock.to_local(clock.now()).date():
        errors["birth_date"] = [N_("The birth date must be a date before or equal to today.")]
    if clean["sex"] is not None and clean["sex"] not in SEXES:
        errors["sex"] = [N_("The selected sex is invalid.")]
    if errors:
        raise ValidationFailed(errors)
    return clean


#: What the audit trail keeps of a newly registered patient (a change keeps every field it changed).
PATIENT_AUDIT_FIELDS = ("name", "record_number", "birth_date", "sex")


def audit_patient_created(actor, patient: Patient, *, flush: bool = True) -> None:
    """Write ``patient.create`` for ``patient`` by ``actor`` (a staff user or a command's name;
    None writes nothing); see :func:`app.audit.services.record`."""
    if actor is None:
        return
    from ..audit.services import record, snapshot

    record(actor, "patient.create", subject_type="patient", subject_id=patient.id, before=None,
           after=snapshot(patient, PATIENT_AUDIT_FIELDS), flush=flush)


def audit_procedure(actor, action: str, procedure: Procedure, before: dict | None, after: dict,
                    *, flush: bool = True) -> None:
    """Write ``procedure.create`` or ``procedure.update`` (only the changed fields) by ``actor``
    about ``procedure``'s performer (None writes nothing).  Money in whole rupiah."""
    if actor is None:
        return
    from ..audit.services import record

    record(actor, action, subject_type="procedure", subject_id=procedure.id, person=procedure.performer_id,
           before=before, after=after, only_changes=before is not None, flush=flush,
           about={"name": after.get("name"), "patient": after.get("patient")})


def create_patient(name: str, *, record_number: str | None = None, birth_date: date | None = None,
                   sex: str | None = None, address: str | None = None, phone: str | None = None,
                   email: str | None = None, actor=None) -> Patient:
    """Register a patient (flushed).

    :param actor: the staff user registering them, or a command's name (audited as
        ``patient.create``); None: not audited (fixtures, benchmarks).
    :raises ValidationFailed: a field refused by :func:`check_patient`, or
        ``record_number`` already used by another patient.
    """
    clean = check_patient({"name": name, "record_number": record_number, "birth_date": birth_date,
                           "sex": sex, "address": address, "phone": phone, "email": email})
    if clean["record_number"] and db.session.scalar(
            db.select(Patient.id).filter_by(record_number=clean["record_number"])) is not None:
        raise ValidationFailed({"record_number": [N_("The record number has already been taken.")]})
    patient = Patient(**clean)
    db.session.add(patient)
    db.session.flush()
    audit_patient_created(actor, patient)
    return patient


def get_patient(patient_id: int) -> Patient:
    """The patient with this id. :raises PatientNotFound:"""
    patient = db.session.get(Patient, patient_id)
    if patient is None:
        raise PatientNotFound(field="patient_id")
    return patient


# --- procedures ------------------------------------------------------------

def _money(value, field: str, errors: dict) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [f"The {field.replace('_', ' ')} must be an integer (rupiah)."]
        return None
    if not 0 <= value <= MAX_FEE:
        errors[field] = [f"The {field.replace('_', ' ')} must be between 0 and {MAX_FEE}."]
        return None
    return value


def _procedure_fields(values: dict) -> tuple[dict, dict[str, list[str]]]:
    """``(clean, errors)`` of a procedure's own fields (see :func:`check_procedure`)."""
    errors: dict[str, list[str]] = {}
    clean = {"name": values.get("name"), "notes": values.get("notes")}
    _text(clean, errors, "name", 120, required=True)
    _text(clean, errors, "notes", 2000)
    fee = _money(values.get("fee"), "fee", errors)
    share = _money(values.get("service_fee_share"), "service_fee_share", errors)
    if fee is not None and share is not None and share > fee:
        errors["service_fee_share"] = ["The service fee share must not be greater than the fee."]
    now = clock.now()
    performed_at = values.get("performed_at")
    if performed_at is None:
        performed_at = now
    elif not isinstance(performed_at, datetime) or performed_at.tzinfo is None:
        errors["performed_at"] = ["The performed at must be a date and time with a time zone."]
    elif performed_at > now + timedelta(minutes=5):
        errors["performed_at"] = ["The performed at must not be in the future."]
    clean.update(fee=fee, service_fee_share=share, performed_at=performed_at)
    return clean, errors


def check_procedure(values: dict) -> dict:
    """Validate a procedure's own fields; returns them cleaned (text stripped, empty → None).

    The rules of :func:`record_procedure`, without the performer and patient (for
    batch checks and changes of a recorded procedure).

    :param values: ``name`` (required, 1..120), ``notes`` (≤2000), ``fee`` (int rupiah,
        0..:data:`MAX_FEE`), ``service_fee_share`` (int rupiah, 0..``fee``), ``performed_at``
        (an aware datetime, not in the future; None: now).
    :raises ValidationFailed: every refused field.
    """
    clean, errors = _procedure_fields(values)
    if errors:
        raise ValidationFailed(errors)
    return clean


def is_performer(user) -> bool:
    """True when ``user`` may perform procedures (role in :data:`~app.accounts.roles.CLINICIAN_ROLES`)."""
    return user is not None and user.role in CLINICIAN_ROLES


def record_procedure(patient: Patient, performer, *, name: str, fee: int, service_fee_share: int,
                     performed_at: datetime | None = None, notes: str | None = None,
                     created_by=None) -> Procedure:
    """Record a procedure ``performer`` did for ``patient``; it waits for validation (``pending``).

    :param performer: a user whose role is in :data:`~app.accounts.roles.CLINICIAN_ROLES` (dokter, paramedis).
    :param name: what was done (``konsultasi``, ``suturing``), 1..120 characters.
    :param fee: the procedure's fee, whole rupiah, 0..:data:`MAX_FEE`.
    :param service_fee_share: the performer's share (jaspel), whole rupiah, 0..``fee``.
    :param performed_at: an aware datetime, not in the future (default now).
    :param created_by: the user entering it (None: the performer).
    :raises ValidationFailed: every refused field (``performer`` for another role).
    """
    values, errors = _procedure_fields({"name": name, "notes": notes, "fee": fee,
                                        "service_fee_share": service_fee_share, "performed_at": performed_at})
    if not is_performer(performer):
        errors["performer"] = ["The performer must be a doctor or a paramedic."]
    if errors:
        raise ValidationFailed(errors)
    procedure = new_procedure(patient, performer, values, created_by)
    db.session.add(procedure)
    db.session.flush()
    return procedure


def new_procedure(patient: Patient, performer, values: dict, created_by=None) -> Procedure:
    """An unsaved pending :class:`Procedure` from ``values`` already passed by
    :func:`check_procedure` (``name, performed_at, fee, service_fee_share, notes``) for a
    ``performer`` already checked with :func:`is_performer`.  The caller adds and flushes
    it (:func:`record_procedure` one at a time, :mod:`.bulk` a whole batch at once)."""
    return Procedure(patient_id=patient.id, performer_id=performer.id, name=values["name"],
                     performed_at=values["performed_at"], fee=values["fee"],
                     service_fee_share=values["service_fee_share"], status="pending",
                     notes=values["notes"], created_by_id=(created_by or performer).id)


def get_procedure(procedure_id: int) -> Procedure:
    """The procedure with this id. :raises ProcedureNotFound:"""
    procedure = db.session.get(Procedure, procedure_id)
    if procedure is None:
        raise ProcedureNotFound(field="procedure_id")
    return procedure


def procedures_for_update(ids) -> dict[int, Procedure]:
    """The procedures with these ids, locked for update (PostgreSQL; SQLite locks the whole
    database on write anyway) in id order so two bulk decisions cannot deadlock.

    :returns: ``{id: procedure}``; ids that do not exist are missing from it.
    """
    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    stmt = (db.select(Procedure).where(Procedure.id.in_(ids)).order_by(Procedure.id)
            .with_for_update(of=Procedure))
    return {p.id: p for p in db.session.scalars(stmt)}


def validate_procedure(procedure: Procedure, validator, *, approve: bool, note: str | None = None) -> Procedure:
    """Approve or reject a pending procedure and notify its performer (flushed).

    The performer gets a ``tindakan_approved`` (priority medium) or
    ``tindakan_rejected`` (priority high: it costs them the share) notification
    (:func:`app.notify.services.notify`) naming the procedure and the patient, the
    note on a rejection, and ``data {tindakan_id, pasien_name}`` (contract 000,
    "Get All Notifications") — unless they turned that type off.

    :param validator: the admin or front-office user deciding (written to the audit trail as
        ``procedure.approve`` / ``procedure.reject``).
    :param note: the reason (≤1000 characters), kept as ``validation_note``.
    :raises ProcedureAlreadyValidated: it is no longer pending.
    :raises ValidationFailed: ``note`` too long.
    """
    if procedure.status != "pending":
        raise ProcedureAlreadyValidated(field="status")
    values = {"note": note}
    errors: dict[str, list[str]] = {}
    _text(values, errors, "note", 1000)
    if errors:
        raise ValidationFailed(errors)
    procedure.status = "approved" if approve else "rejected"
    procedure.validated_by_id = validator.id
    procedure.validated_at = clock.now()
    procedure.validation_note = values["note"]
    from ..audit.services import record

    record(validator, "procedure.approve" if approve else "procedure.reject", subject_type="procedure",
           subject_id=procedure.id, person=procedure.performer_id, before={"status": "pending"},
           after={"status": procedure.status, "name": procedure.name, "patient": procedure.patient.name},
           reason=values["note"], only_changes=False)
    # ``data`` is printed as is by the clinic dialect: the contract's keys (``tindakan_id``, ``pasien_name``).
    facts = {"tindakan_id": procedure.id, "pasien_name": procedure.patient.name}
    if approve:
        notify(procedure.performer, NOTIFY_APPROVED, N_("Procedure approved"),
               N_("Your procedure %(procedure)s for patient %(patient)s was approved."),
               priority="medium", data=facts, procedure=procedure.name, patient=procedure.patient.name)
    else:
        notify(procedure.performer, NOTIFY_REJECTED, N_("Procedure rejected"),
               N_("Your procedure %(procedure)s for patient %(patient)s was rejected: %(note)s"),
               priority="high", data=facts, procedure=procedure.name, patient=procedure.patient.name,
               note=values["note"] or "-")
    db.session.flush()
    return procedure


# --- figures ---------------------------------------------------------------

def _in_period(user, start: date, end: date):
    low, high = utc_bounds(start, end)
    return (Procedure.performer_id == user.id, Procedure.performed_at >= low, Procedure.performed_at < high)


def service_fee_totals(user, start: date, end: date) -> ServiceFeeTotals:
    """``user``'s service-fee shares of procedures performed in local dates ``[start, end)``, whole rupiah."""
    approved, pending = db.session.execute(
        db.select(func.coalesce(func.sum(case((Procedure.status == "approved", Procedure.service_fee_share),
                                              else_=0)), 0),
                  func.coalesce(func.sum(case((Procedure.status == "pending", Procedure.service_fee_share),
                                              else_=0)), 0))
        .where(*_in_period(user, start, end))
    ).one()
    return ServiceFeeTotals(approved=int(approved), pending=int(pending))


def procedure_summary(user, start: date, end: date) -> ProcedureSummary:
    """What ``user`` performed in local dates ``[start, end)``: counts by status and distinct patients."""
    counts = dict(db.session.execute(
        db.select(Procedure.status, func.count(Procedure.id)).where(*_in_period(user, start, end))
        .group_by(Procedure.status)
    ).all())
    patients = db.session.scalar(
        db.select(func.count(func.distinct(Procedure.patient_id)))
        .where(*_in_period(user, start, end), Procedure.status != "rejected")
    )
    approved, pending = counts.get("approved", 0), counts.get("pending", 0)
    return ProcedureSummary(procedures=approved + pending, patients=patients or 0, approved=approved,
                            pending=pending, rejected=counts.get("rejected", 0))
