"""Batches of patients and procedures: create, change, import, validate, count (contract 000, "Bulk Operations").

Source of the rules: contract 000 (Dokterku v2), section "Bulk Operations" and its
example "Bulk Import with Progress Tracking"; the issue adds that "an invalid
batch writes nothing and reports every bad row by index and field; a valid one
reports ``success_count`` / ``error_count``".  The per-row rules are those of
:mod:`.services` (:func:`~.services.check_patient`,
:func:`~.services.check_procedure`, :func:`~.services.record_procedure`,
:func:`~.services.validate_procedure`), applied to every row before anything
is written.

Shapes (English keys; the ``clinic`` dialect translates its Indonesian names):

- a patient row: ``name, record_number, birth_date (date), sex ("male"/"female"),
  address, phone, email`` (:func:`~.services.check_patient`);
- a procedure row: ``patient_id, performer_id, name, fee, service_fee_share`` (whole
  rupiah), ``performed_at`` (aware datetime), ``notes``;
- an update: ``(id, changes)``, ``changes`` holding only the keys to change.

Errors, all raised before any write:

- :class:`BatchTooLarge` — more rows than the model's ``max_batch_size`` (:data:`MODELS`);
- :class:`BatchInvalid` — a :class:`~app.common.errors.ValidationFailed` whose
  :attr:`~BatchInvalid.rows` maps each refused row's index (0-based, in the order
  given) to ``{field: [message]}``; every refused row is listed;
- :class:`BatchForbidden` — rows the acting user may not touch (a doctor or a
  paramedic recording or changing another performer's procedure), by index.

All or nothing: writes happen only once every row passed, and only ``flush``
(the request boundary commits, or rolls back on any error, so a failure in
the middle of the writes leaves nothing either).  The one exception is
:func:`import_patients` with ``all_or_nothing=False``, which writes the rows
that pass and reports the others (the contract's ``validate_before_import: false``).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func

from ..accounts.models import User
from ..common import csv_read
from ..common.errors import PermissionDenied, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from . import services
from .models import PROCEDURE_STATUSES, Patient, Procedure

PATIENT = "patient"
PROCEDURE = "procedure"

#: Largest CSV file accepted by :func:`read_csv_rows`, in bytes: 1000 KiB, so that the
#: whole upload stays under the app's request limit (``MAX_CONTENT_LENGTH``, 1 MiB).
MAX_CSV_BYTES = 1000 * 1024
#: Longest validation note, characters (the rule of :func:`~.services.validate_procedure`).
MAX_NOTE_LENGTH = 1000
#: Periods of :func:`period_range`.
PERIODS = ("day", "week", "month", "year")

#: Keys of a patient's fields that a batch may set.
PATIENT_FIELDS = ("name", "record_number", "birth_date", "sex", "address", "phone", "email")
#: Keys of a procedure's fields that a batch may set (``performer_id`` only on creation).
PROCEDURE_FIELDS = ("patient_id", "performer_id", "name", "fee", "service_fee_share", "performed_at", "notes")
PROCEDURE_CHANGEABLE = tuple(f for f in PROCEDURE_FIELDS if f != "performer_id")

#: The contract's Indonesian column (field) names of a patient → :data:`PATIENT_FIELDS` key.
#: Shared by the JSON dialect (:mod:`app.api.clinic.routes_bulk`) and the admin CSV import
#: (:mod:`app.clinic.views.imports`).  ``tanggal_lahir`` is ``YYYY-MM-DD`` (:func:`parse_date_text`),
#: ``jenis_kelamin`` a code of :data:`PATIENT_SEX_CODES` (:func:`parse_sex_code`).
PATIENT_COLUMNS: dict[str, str] = {
    "nama": "name", "no_rm": "record_number", "tanggal_lahir": "birth_date", "jenis_kelamin": "sex",
    "alamat": "address", "no_telepon": "phone", "email": "email",
}
#: ``jenis_kelamin`` codes (compared upper-cased) → ``sex`` (*laki-laki* / *perempuan*).
PATIENT_SEX_CODES: dict[str, str] = {"L": "male", "P": "female"}
_DATE_TEXT_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _field_label(name: str) -> str:
    return name.replace("_", " ")


def parse_date_text(value, name: str, errors: dict):
    """A ``YYYY-MM-DD`` cell as a :class:`date` (None for a missing or blank value).

    A malformed or impossible date sets ``errors[name]`` (English, Laravel's wording,
    ``name`` with ``_`` read as spaces: "The birth date does not match the format Y-m-d.")
    and returns None.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _DATE_TEXT_RE.fullmatch(value.strip()):
        errors[name] = [N_("The birth date does not match the format Y-m-d.") if name == "birth_date"
                        else f"The {_field_label(name)} does not match the format Y-m-d."]
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[name] = [f"The {_field_label(name)} is not a valid date."]
        return None


def parse_sex_code(value, name: str, errors: dict):
    """A ``jenis_kelamin`` code (``L``/``P``, any case, :data:`PATIENT_SEX_CODES`) as ``male``/``female``;
    None for a missing or blank value.  Another value sets ``errors[name]``
    ("The selected <name> is invalid.") and returns None."""
    if value is None or value == "":
        return None
    sex = PATIENT_SEX_CODES.get(value.strip().upper()) if isinstance(value, str) else None
    if sex is None:
        errors[name] = [f"The selected {_field_label(name)} is invalid."]
    return sex


@dataclass(frozen=True)
class BulkModel:
    """What a batch may do with one model: ``operations`` and at most ``max_batch_size`` rows."""

    key: str
    max_batch_size: int
    operations: tuple[str, ...]


#: The models served, with the contract's batch sizes ("Supported Models": pasien 1000,
#: tindakan 500).  Operations are those actually served (no delete or export of patients).
MODELS: dict[str, BulkModel] = {
    PATIENT: BulkModel(PATIENT, 1000, ("create", "update", "import")),
    PROCEDURE: BulkModel(PROCEDURE, 500, ("create", "update", "validate")),
}

RowErrors = dict[int, dict[str, list[str]]]


class BatchTooLarge(ValidationFailed):
    """More rows than the model's ``max_batch_size``; ``size`` and ``limit`` say how many."""

    code = "batch_too_large"

    def __init__(self, size: int, limit: int, field: str = "data"):
        self.size, self.limit = size, limit
        super().__init__({field: [f"The {field} must not have more than {limit} items."]})


class BatchInvalid(ValidationFailed):
    """Rows of the batch are refused; nothing was written.

    :attr:`rows`: row index → ``{field: [message]}``; :attr:`errors` the same keyed ``"<index>.<field>"``.
    """

    code = "batch_invalid"

    def __init__(self, rows: RowErrors):
        self.rows = dict(sorted(rows.items()))
        super().__init__({f"{index}.{name}": messages
                          for index, fields in self.rows.items() for name, messages in fields.items()})


class BatchForbidden(PermissionDenied):
    """The acting user may not touch some rows; :attr:`rows` index → ``{field: [message]}``."""

    code = "batch_forbidden"

    def __init__(self, rows: RowErrors):
        self.rows = dict(sorted(rows.items()))
        super().__init__("You may only record or change procedures you performed.")


@dataclass
class BatchResult:
    """The outcome of a batch.

    ``ids``: per row index, the id written (None when nothing was written for it:
    ``validate_only``, or a row skipped by a partial import); ``written``: whether
    anything was written; ``errors``: rows skipped (only a partial import has any).
    """

    ids: list[int | None]
    written: bool
    errors: RowErrors = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Rows in the batch."""
        return len(self.ids)

    @property
    def error_count(self) -> int:
        """Rows refused."""
        return len(self.errors)

    @property
    def success_count(self) -> int:
        """Rows that passed (written, or would be written with ``validate_only``)."""
        return self.total - self.error_count


# --- helpers ---------------------------------------------------------------

def model(key: str) -> BulkModel:
    """The :class:`BulkModel` of ``key``. :raises ValidationFailed: (``model``) an unknown key."""
    found = MODELS.get(key)
    if found is None:
        raise ValidationFailed({"model": ["The selected model is invalid."]})
    return found


def check_size(key: str, size: int, field: str = "data") -> None:
    """:raises BatchTooLarge: ``size`` is above the model's ``max_batch_size``."""
    limit = model(key).max_batch_size
    if size > limit:
        raise BatchTooLarge(size, limit, field)


def _add(errors: RowErrors, index: int, name: str, message: str) -> None:
    """Refuse ``name`` of row ``index`` (the first message per field wins)."""
    errors.setdefault(index, {}).setdefault(name, [message])


def _merge(errors: RowErrors, index: int, exc: ValidationFailed) -> None:
    for name, messages in exc.errors.items():
        errors.setdefault(index, {}).setdefault(name, list(messages))


def _start(known_errors: RowErrors | None) -> RowErrors:
    return {index: dict(fields) for index, fields in (known_errors or {}).items() if fields}


def _by_id(model_class, ids) -> dict:
    """Rows of ``model_class`` by id for ``ids`` (in chunks of 500 for the IN list)."""
    wanted = sorted({i for i in ids if isinstance(i, int)})
    found = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update({row.id: row for row in db.session.scalars(db.select(model_class).where(model_class.id.in_(chunk)))})
    return found


def _taken_record_numbers(numbers: set[str], exclude_ids: set[int] = frozenset()) -> set[str]:
    """The subset of ``numbers`` already used by patients other than ``exclude_ids``."""
    taken: set[str] = set()
    items = sorted(numbers)
    for start in range(0, len(items), 500):
        rows = db.session.execute(db.select(Patient.id, Patient.record_number)
                                  .where(Patient.record_number.in_(items[start:start + 500]))).all()
        taken.update(number for pid, number in rows if pid not in exclude_ids)
    return taken


def _unique_record_numbers(cleans: dict[int, dict], errors: RowErrors, exclude_ids: set[int] = frozenset()) -> None:
    """Refuse ``record_number`` repeated inside the batch or used by another patient."""
    seen: dict[str, list[int]] = {}
    for index, clean in cleans.items():
        if clean.get("record_number"):
            seen.setdefault(clean["record_number"], []).append(index)
    taken = _taken_record_numbers(set(seen), exclude_ids)
    for number, indexes in seen.items():
        for index in indexes:
            if number in taken:
                _add(errors, index, "record_number", N_("The record number has already been taken."))
            elif len(indexes) > 1:
                _add(errors, index, "record_number", N_("The record number appears more than once in the batch."))


def _duplicate_ids(ids: list, errors: RowErrors, name: str = "id") -> None:
    counts: dict = {}
    for item in ids:
        counts[item] = counts.get(item, 0) + 1
    for index, item in enumerate(ids):
        if item is not None and counts[item] > 1:
            _add(errors, index, name, "The id appears more than once in the batch.")


# --- patients --------------------------------------------------------------

def _check_patients(rows: list[dict], errors: RowErrors) -> dict[int, dict]:
    cleans: dict[int, dict] = {}
    for index, row in enumerate(rows):
        try:
            cleans[index] = services.check_patient(row)
        except ValidationFailed as exc:
            _merge(errors, index, exc)
    return cleans


def create_patients(rows: list[dict], *, validate_only: bool = False, known_errors: RowErrors | None = None,
                    all_or_nothing: bool = True, actor=None) -> BatchResult:
    """Register a batch of patients.

    :param actor: the staff user registering them (one ``patient.create`` audit entry a
        patient, written in the batch's flush); None: not audited.
    :param rows: patient rows (keys of :data:`PATIENT_FIELDS`).
    :param validate_only: check every row and write nothing.
    :param known_errors: row errors the caller already found while reading the rows
        (a malformed date...), reported together with these checks.
    :param all_or_nothing: False writes the rows that pass and reports the others in
        :attr:`BatchResult.errors` instead of raising.
    :raises BatchTooLarge: more than 1000 rows.
    :raises BatchInvalid: a row refused by :func:`~.services.check_patient`, or a
        ``record_number`` used twice in the batch or already taken (nothing written).
    """
    check_size(PATIENT, len(rows))
    errors = _start(known_errors)
    cleans = _check_patients(rows, errors)
    _unique_record_numbers({i: c for i, c in cleans.items() if i not in errors}, errors)
    if errors and all_or_nothing:
        raise BatchInvalid(errors)
    ids: list[int | None] = [None] * len(rows)
    if not validate_only:
        # every row passed check_patient and the record numbers were checked for the whole
        # batch above: the rows are inserted together, in one flush (bench/bulk_patients.py)
        fresh = {index: Patient(**clean) for index, clean in cleans.items() if index not in errors}
        db.session.add_all(fresh.values())
        db.session.flush()
        for index, patient in fresh.items():
            ids[index] = patient.id
            services.audit_patient_created(actor, patient, flush=False)
        db.session.flush()
    return BatchResult(ids=ids, written=not validate_only and any(i is not None for i in ids),
                       errors=dict(sorted(errors.items())))


def import_patients(rows: list[dict], *, all_or_nothing: bool = True,
                    known_errors: RowErrors | None = None, actor=None) -> BatchResult:
    """Register the patients read from a file (:func:`read_csv_rows`); see :func:`create_patients`.

    ``all_or_nothing`` is the contract's ``validate_before_import``: True (its default)
    refuses the whole file while any row is refused; False imports the rows that pass.
    """
    return create_patients(rows, known_errors=known_errors, all_or_nothing=all_or_nothing, actor=actor)


def update_patients(updates: list[tuple[int | None, dict]], *, validate_only: bool = False,
                    known_errors: RowErrors | None = None, actor=None) -> BatchResult:
    """Change fields of a batch of patients: ``[(patient_id, {field: value})]``.

    ``actor``: the staff user changing them (a ``patient.update`` audit entry per patient
    with the fields that changed, before → after); None: not audited.
    Each patient's current fields merged with the changes must pass
    :func:`~.services.check_patient`; errors are keyed by the changed field (``id``
    for an unknown or repeated id).
    :raises BatchTooLarge: more than 1000 updates.
    :raises BatchInvalid: every refused update (nothing written).
    """
    check_size(PATIENT, len(updates), "updates")
    errors = _start(known_errors)
    ids = [pid for pid, _ in updates]
    _duplicate_ids(ids, errors)
    patients = _by_id(Patient, ids)
    cleans: dict[int, dict] = {}
    for index, (pid, changes) in enumerate(updates):
        patient = patients.get(pid)
        if patient is None:
            _add(errors, index, "id", "The selected id is invalid.")
            continue
        merged = {name: getattr(patient, name) for name in PATIENT_FIELDS}
        merged.update({k: v for k, v in changes.items() if k in PATIENT_FIELDS})
        try:
            clean = services.check_patient(merged)
        except ValidationFailed as exc:
            _merge(errors, index, exc)
            continue
        cleans[index] = {name: clean[name] for name in changes if name in PATIENT_FIELDS}
    _unique_record_numbers({i: c for i, c in cleans.items() if i not in errors}, errors,
                           exclude_ids={pid for pid in ids if isinstance(pid, int)})
    if errors:
        raise BatchInvalid(errors)
    if not validate_only:
        from ..audit.services import record, snapshot

        for index, changes in cleans.items():
            patient = patients[updates[index][0]]
            before = snapshot(patient, changes)
            for name, value in changes.items():
                setattr(patient, name, value)
            if actor is not None:
                record(actor, "patient.update", subject_type="patient", subject_id=patient.id, before=before,
                       after=snapshot(patient, changes), about={"name": patient.name}, flush=False)
        db.session.flush()
    return BatchResult(ids=list(ids), written=not validate_only)


# --- procedures ------------------------------------------------------------

def _own_only(actor) -> bool:
    """Doctors and paramedics record and change only their own procedures."""
    return services.is_performer(actor)


def _procedure_state(procedure: Procedure, patient: Patient | None = None) -> dict:
    """What the audit trail keeps of a procedure: name, patient (their name; ``patient`` given
    saves loading it), performed at, fee and service-fee share (whole rupiah) and notes."""
    patient = patient or procedure.patient
    return {"name": procedure.name, "patient": patient.name if patient else None,
            "performed_at": procedure.performed_at, "fee": procedure.fee,
            "service_fee_share": procedure.service_fee_share, "notes": procedure.notes}


def create_procedures(rows: list[dict], actor, *, validate_only: bool = False,
                      known_errors: RowErrors | None = None) -> BatchResult:
    """Record a batch of procedures entered by ``actor``; each waits for validation (``pending``).

    ``performer_id``: a doctor or paramedic recording their own procedures may omit it
    (it is them); any other id from them is forbidden.  Others (admin, front office)
    must name a user whose role is in :data:`~app.accounts.roles.CLINICIAN_ROLES`.
    ``patient_id`` must name a patient.  The other fields follow
    :func:`~.services.check_procedure`; rows are built by
    :func:`~.services.new_procedure` with ``created_by=actor`` and inserted in one flush,
    each with its ``procedure.create`` audit entry by ``actor``.

    :raises BatchTooLarge: more than 500 rows.
    :raises BatchForbidden: rows naming another performer (nothing written).
    :raises BatchInvalid: every refused row (nothing written).
    """
    check_size(PROCEDURE, len(rows))
    errors = _start(known_errors)
    forbidden: RowErrors = {}
    own_only = _own_only(actor)
    patients = _by_id(Patient, [row.get("patient_id") for row in rows])
    performers = _by_id(User, [row.get("performer_id") for row in rows])
    ready: dict[int, tuple[Patient, User, dict]] = {}
    for index, row in enumerate(rows):
        performer_id = row.get("performer_id")
        performer = None
        if own_only:
            if performer_id is not None and performer_id != actor.id:
                _add(forbidden, index, "performer_id", "You may only record procedures you performed.")
            performer = actor
        elif performer_id is None:
            _add(errors, index, "performer_id", "The performer id field is required.")
        else:
            performer = performers.get(performer_id)
            if performer is None:
                _add(errors, index, "performer_id", "The selected performer id is invalid.")
            elif not services.is_performer(performer):
                _add(errors, index, "performer_id", "The performer must be a doctor or a paramedic.")
        patient = patients.get(row.get("patient_id"))
        if row.get("patient_id") is None:
            _add(errors, index, "patient_id", "The patient id field is required.")
        elif patient is None:
            _add(errors, index, "patient_id", "The selected patient id is invalid.")
        try:
            clean = services.check_procedure(row)
        except ValidationFailed as exc:
            _merge(errors, index, exc)
            continue
        if patient is not None and performer is not None:
            ready[index] = (patient, performer, clean)
    if forbidden:
        raise BatchForbidden(forbidden)
    if errors:
        raise BatchInvalid(errors)
    ids: list[int | None] = [None] * len(rows)
    if not validate_only:
        fresh = {index: services.new_procedure(patient, performer, clean, actor)
                 for index, (patient, performer, clean) in ready.items()}
        db.session.add_all(fresh.values())
        db.session.flush()                                  # one flush for the batch
        for index, procedure in fresh.items():
            ids[index] = procedure.id
            services.audit_procedure(actor, "procedure.create", procedure, None,
                                     _procedure_state(procedure, ready[index][0]), flush=False)
        db.session.flush()
    return BatchResult(ids=ids, written=not validate_only)


def update_procedures(updates: list[tuple[int | None, dict]], actor, *, validate_only: bool = False,
                      known_errors: RowErrors | None = None) -> BatchResult:
    """Change pending procedures: ``[(procedure_id, {field: value})]`` (keys of :data:`PROCEDURE_CHANGEABLE`).

    A doctor or paramedic may change only procedures they performed.  A validated
    (approved or rejected) procedure is never changed.  Each procedure's current
    fields merged with the changes must pass :func:`~.services.check_procedure`.  Each change
    is audited as ``procedure.update`` by ``actor`` (the fields that changed, before → after).

    :raises BatchTooLarge: more than 500 updates.
    :raises BatchForbidden: updates of another performer's procedures (nothing written).
    :raises BatchInvalid: every refused update: unknown or repeated ``id``, a validated
        procedure (``id``), an unknown ``patient_id``, a refused field (nothing written).
    """
    check_size(PROCEDURE, len(updates), "updates")
    errors = _start(known_errors)
    forbidden: RowErrors = {}
    ids = [pid for pid, _ in updates]
    _duplicate_ids(ids, errors)
    procedures = _by_id(Procedure, ids)
    patients = _by_id(Patient, [changes.get("patient_id") for _, changes in updates])
    cleans: dict[int, dict] = {}
    for index, (pid, changes) in enumerate(updates):
        procedure = procedures.get(pid)
        if procedure is None:
            _add(errors, index, "id", "The selected id is invalid.")
            continue
        if _own_only(actor) and procedure.performer_id != actor.id:
            _add(forbidden, index, "id", "You may only change procedures you performed.")
            continue
        if procedure.status != "pending":
            _add(errors, index, "id", f"Procedure {procedure.id} has already been validated.")
            continue
        if "patient_id" in changes and changes["patient_id"] not in patients:
            _add(errors, index, "patient_id", "The selected patient id is invalid.")
        merged = {"name": procedure.name, "notes": procedure.notes, "fee": procedure.fee,
                  "service_fee_share": procedure.service_fee_share, "performed_at": procedure.performed_at}
        merged.update({k: v for k, v in changes.items() if k in merged})
        try:
            clean = services.check_procedure(merged)
        except ValidationFailed as exc:
            _merge(errors, index, exc)
            continue
        clean["patient_id"] = changes.get("patient_id", procedure.patient_id)
        cleans[index] = {name: clean[name] for name in changes if name in PROCEDURE_CHANGEABLE}
    if forbidden:
        raise BatchForbidden(forbidden)
    if errors:
        raise BatchInvalid(errors)
    if not validate_only:
        for index, changes in cleans.items():
            procedure = procedures[updates[index][0]]
            before = _procedure_state(procedure)
            for name, value in changes.items():
                setattr(procedure, name, value)
            if "patient_id" in changes:
                procedure.patient = patients[changes["patient_id"]]
            services.audit_procedure(actor, "procedure.update", procedure, before, _procedure_state(procedure),
                                     flush=False)
        db.session.flush()
    return BatchResult(ids=list(ids), written=not validate_only)


def validate_procedures(ids: list[int], validator, *, approve: bool, note: str | None = None) -> list[Procedure]:
    """Approve or reject a batch of pending procedures, each with
    :func:`~.services.validate_procedure` (which notifies its performer).

    All or nothing: every id must name a distinct pending procedure before any is validated;
    the rows are locked first (:func:`~.services.procedures_for_update`), so two admins
    validating the same procedures at once cannot both succeed.  Used by the API's
    ``POST /bulk/validate`` and the admin review inbox's bulk approve.
    :param note: the comment kept on each (≤ :data:`MAX_NOTE_LENGTH` characters).
    :raises BatchTooLarge: more than 500 ids (field ``ids``).
    :raises ValidationFailed: ``note`` too long.
    :raises BatchInvalid: by index: an unknown or repeated id, or a procedure already
        validated (nothing validated, nobody notified).
    """
    check_size(PROCEDURE, len(ids), "ids")
    if isinstance(note, str) and len(note.strip()) > MAX_NOTE_LENGTH:
        raise ValidationFailed({"note": [f"The note must not be greater than {MAX_NOTE_LENGTH} characters."]})
    errors: RowErrors = {}
    _duplicate_ids(ids, errors, "id")
    procedures = services.procedures_for_update(i for i in ids if isinstance(i, int))
    for index, pid in enumerate(ids):
        procedure = procedures.get(pid)
        if procedure is None:
            _add(errors, index, "id", "The selected id is invalid.")
        elif procedure.status != "pending":
            _add(errors, index, "id", f"Procedure {pid} has already been validated.")
    if errors:
        raise BatchInvalid(errors)
    return [services.validate_procedure(procedures[pid], validator, approve=approve, note=note) for pid in ids]


# --- statistics ------------------------------------------------------------

def period_range(period: str, today: date) -> tuple[date, date]:
    """Local dates ``[start, end)`` of the ``day``, ISO ``week``, ``month`` or ``year`` holding ``today``.

    :raises ValidationFailed: (``period``) another period.
    """
    if period == "day":
        return today, today + timedelta(days=1)
    if period == "week":
        return services.week_range(today)
    if period == "month":
        return services.month_range(today)
    if period == "year":
        return date(today.year, 1, 1), date(today.year + 1, 1, 1)
    raise ValidationFailed({"period": ["The selected period is invalid."]})


@dataclass(frozen=True)
class BatchStats:
    """Counts of one model over local dates ``[start, end)``.

    ``total``: rows ever stored; ``created``: rows created in the period (by
    ``created_at``).  Procedures only: ``by_status`` (created in the period, every
    status of :data:`~.models.PROCEDURE_STATUSES`), ``fee_total`` and
    ``service_fee_share_total`` (whole rupiah, of the approved and pending ones
    created in the period: a rejected procedure earns nothing, as in :mod:`.services`).
    """

    model: str
    start: date
    end: date
    total: int
    created: int
    by_status: dict[str, int] | None = None
    fee_total: int | None = None
    service_fee_share_total: int | None = None


def stats(key: str, start: date, end: date) -> BatchStats:
    """Counts of ``key`` (:data:`PATIENT` or :data:`PROCEDURE`) created in local dates ``[start, end)``."""
    model(key)
    low, high = services.utc_bounds(start, end)
    if key == PATIENT:
        total = db.session.scalar(db.select(func.count(Patient.id))) or 0
        created = db.session.scalar(db.select(func.count(Patient.id))
                                    .where(Patient.created_at >= low, Patient.created_at < high)) or 0
        return BatchStats(PATIENT, start, end, total, created)
    total = db.session.scalar(db.select(func.count(Procedure.id))) or 0
    in_period = (Procedure.created_at >= low, Procedure.created_at < high)
    counts = dict(db.session.execute(db.select(Procedure.status, func.count(Procedure.id)).where(*in_period)
                                     .group_by(Procedure.status)).all())
    counted = Procedure.status != "rejected"
    fees, shares = db.session.execute(
        db.select(func.coalesce(func.sum(case((counted, Procedure.fee), else_=0)), 0),
                  func.coalesce(func.sum(case((counted, Procedure.service_fee_share), else_=0)), 0))
        .where(*in_period)).one()
    by_status = {status: int(counts.get(status, 0)) for status in PROCEDURE_STATUSES}
    return BatchStats(PROCEDURE, start, end, total, sum(by_status.values()), by_status, int(fees), int(shares))


# --- CSV files -------------------------------------------------------------

_COLUMN_REF = re.compile(r"column_([0-9]{1,4})", re.IGNORECASE)


def normalise_header(name: str) -> str:
    """A CSV header as compared with field names: trimmed, lower case, blanks and dashes → ``_``
    (``"Tanggal Lahir"`` → ``tanggal_lahir``)."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


@dataclass
class CsvRows:
    """Rows read from a CSV file: ``rows`` (field → stripped text, only mapped fields
    whose cell is not blank), ``lines`` (1-based line of each row), ``delimiter``."""

    rows: list[dict[str, str]]
    lines: list[int]
    delimiter: str


def read_csv_rows(data: bytes, mapping: dict[str, str] | None, fields, *, max_rows: int) -> CsvRows:
    """Read an uploaded CSV file into rows keyed by field.

    The first line is the header.  ``mapping`` maps a field to its column: ``"column_N"``
    (1-based position) or a header name (case-insensitive; spaces and dashes read as
    ``_``).  Without a mapping, header names that are fields name their columns.
    Cells are kept as text, stripped; text that looks like a spreadsheet formula
    (``=``, ``+``, ``-``, ``@``) stays text (exports escape it: :mod:`app.common.csv_export`).

    :param fields: the fields a mapping may name.
    :param max_rows: most data rows (the model's ``max_batch_size``).
    :raises ValidationFailed: ``file`` — larger than :data:`MAX_CSV_BYTES`, not UTF-8
        text, empty, binary, unreadable CSV, no data row; ``mapping`` — no known
        column; ``mapping.<field>`` — an unknown field or a column the file lacks.
    :raises BatchTooLarge: (``file``) more than ``max_rows`` data rows.
    """
    if len(data) > MAX_CSV_BYTES:
        raise ValidationFailed({"file": [f"The file must not be greater than {MAX_CSV_BYTES // 1024} kilobytes."]})
    try:
        text, delimiter = csv_read.read_text(data)
    except csv_read.CsvTextError as exc:
        messages = {"not_utf8": "The file must be UTF-8 text (in Excel: save as \"CSV UTF-8\").",
                    "empty": "The file is empty.", "binary": "The file must be a CSV text file."}
        raise ValidationFailed({"file": [messages[exc.code]]}) from None
    reader = csv_read.reader(text, delimiter)
    try:
        header = next(reader, [])
        positions = _mapped_positions(header, mapping, fields)
        rows: list[dict[str, str]] = []
        lines: list[int] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) >= max_rows:
                    raise BatchTooLarge(len(rows) + 1, max_rows, "file")
                rows.append({name: cells[pos].strip() for name, pos in positions.items()
                             if pos < len(cells) and cells[pos].strip()})
                lines.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationFailed({"file": [f"The file could not be read as CSV near line {reader.line_num}: {exc}"]}) \
            from None
    if not rows:
        raise ValidationFailed({"file": ["The file has a header but no rows."]})
    return CsvRows(rows=rows, lines=lines, delimiter=delimiter)


def _mapped_positions(header: list[str], mapping: dict[str, str] | None, fields) -> dict[str, int]:
    """field → 0-based column position, from ``mapping`` or from the header names."""
    by_name = {}
    for pos, name in enumerate(header):
        by_name.setdefault(normalise_header(name), pos)
    positions: dict[str, int] = {}
    if not mapping:
        positions = {name: by_name[name] for name in fields if name in by_name}
        if not positions:
            raise ValidationFailed({"mapping": ["No column of the file names a field; name the columns in the "
                                                f"header ({', '.join(fields)}) or send a mapping."]})
        return positions
    errors: dict[str, list[str]] = {}
    for name, column in mapping.items():
        ref = column.strip() if isinstance(column, str) else ""
        numbered = _COLUMN_REF.fullmatch(ref)
        if name not in fields:
            errors[f"mapping.{name}"] = [f"The field {name} is not a field of this model."]
        elif numbered and 1 <= int(numbered.group(1)) <= len(header):
            positions[name] = int(numbered.group(1)) - 1
        elif not numbered and ref and normalise_header(ref) in by_name:
            positions[name] = by_name[normalise_header(ref)]
        else:
            errors[f"mapping.{name}"] = [f"The column {ref or '(empty)'} is not in the file "
                                         f"(it has {len(header)} columns: {', '.join(h.strip() for h in header)})."]
    if errors:
        raise ValidationFailed(errors)
    return positions

