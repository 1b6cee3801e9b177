"""Contract 000 "Bulk Operations": batches of patients (*pasien*) and procedures (*tindakan*).

Every route counts against the ``bulk`` rate limit (2 requests per minute per
token, contract "Rate Limiting").  The rules live in :mod:`app.clinic.bulk`
(per-row checks of :mod:`app.clinic.services`, all or nothing); this module
translates the contract's Indonesian field names and renders the envelope.

Fields (the contract prints ``nama, tanggal_lahir, jenis_kelamin, alamat`` and
``email``; the others are this dialect's names for the shared model's fields):

- ``pasien``: ``nama`` (required), ``no_rm`` (medical-record number, unique),
  ``tanggal_lahir`` (``YYYY-MM-DD``), ``jenis_kelamin`` (``L``/``P``), ``alamat``,
  ``no_telepon``, ``email``;
- ``tindakan``: ``pasien_id``, ``pelaksana_id`` (the doctor or paramedic who performed
  it; a dokter/paramedis may omit it: it is them), ``nama_tindakan``, ``tarif`` and
  ``jaspel`` (whole rupiah), ``tanggal_tindakan`` (ISO 8601; without a zone, the
  organisation's local time; default now), ``catatan``.
  Other keys of a row are ignored, as Laravel's validator does.

Roles (403 ``This action is unauthorized.`` otherwise; the model decides):

=========================  =======================================================
operation                  roles
=========================  =======================================================
pasien create/update/import  admin, petugas (front office registers patients)
tindakan create/update     admin, petugas, dokter, paramedis — a dokter or paramedis
                           only their own procedures (403 naming the rows otherwise)
tindakan validate          admin
stats                      admin, petugas (procedure fees and shares of everyone)
supported-models           any signed-in clinic user
=========================  =======================================================

Errors: a batch above the model's ``max_batch_size`` → 422 naming the limit
(``errors.data``: "must not have more than 1000 items"); refused rows → 422
``The given data was invalid.`` with every refused field of every row, keyed
``data.<index>.<field>`` (create and import; index 0-based in the order sent,
for a file the data rows after the header), ``updates.<index>.id`` /
``updates.<index>.data.<field>`` (update), ``ids.<index>`` (validate) — and
nothing is written.  Messages are English, in Laravel's wording, as the rest
of the dialect.

``POST /bulk/import`` with ``validate_before_import`` true (the default) is all or
nothing as above.  With ``false`` the rows that pass are imported and the others
are reported in ``data.errors`` (same keys) with ``error_count``: the client
asked not to validate the file first, so the flag has a meaning.  A file that
cannot be read, or a mapping naming a column the file lacks, is always a 422.

Not served: the contract's "Supported Models" lists ``delete`` and ``export`` for
``pasien``, for which it documents no endpoint; ``supported-models`` lists only
what is served.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime

from flask import abort, g, request

from ...accounts.roles import ADMIN_ROLES, CLINICIAN_ROLES
from ...clinic import bulk
from ...common import csv_read
from ...common import clock
from ...common.errors import ValidationFailed
from ..laravel import field_label
from . import envelope
from .auth import token_required
from .blueprint import bp
from .ratelimit import rate_limit
from .validation import Checker, json_body, parse_int

#: Contract model name → domain model key.
MODEL_KEYS = {"pasien": bulk.PATIENT, "tindakan": bulk.PROCEDURE}
#: ``display_name`` of ``supported-models``.
DISPLAY_NAMES = {"pasien": "Pasien", "tindakan": "Tindakan"}
#: Dialect field → domain field, per model (``pasien``: :data:`app.clinic.bulk.PATIENT_COLUMNS`, shared with the
#: admin CSV import).
FIELDS = {
    "pasien": bulk.PATIENT_COLUMNS,
    "tindakan": {"pasien_id": "patient_id", "pelaksana_id": "performer_id", "nama_tindakan": "name",
                 "tarif": "fee", "jaspel": "service_fee_share", "tanggal_tindakan": "performed_at",
                 "catatan": "notes"},
}
#: Domain field → dialect field, per model (to word the domain's errors).
FIELD_NAMES = {model: {en: name for name, en in fields.items()} for model, fields in FIELDS.items()}
SEX_IN = bulk.PATIENT_SEX_CODES
#: Who may do what, by model and operation (see the module docstring).
PATIENT_STAFF = ADMIN_ROLES
PROCEDURE_STAFF = ADMIN_ROLES | CLINICIAN_ROLES
ROLES = {
    ("pasien", "create"): PATIENT_STAFF, ("pasien", "update"): PATIENT_STAFF, ("pasien", "import"): PATIENT_STAFF,
    ("tindakan", "create"): PROCEDURE_STAFF, ("tindakan", "update"): PROCEDURE_STAFF,
    ("tindakan", "validate"): ("admin",),
}
STATS_ROLES = ADMIN_ROLES
_ANY_BULK_ROLE = PATIENT_STAFF | PROCEDURE_STAFF


# ---------------------------------------------------------------------------
# Reading rows

#: ``YYYY-MM-DD`` cells (shared with the admin CSV import).
_date = bulk.parse_date_text


def _moment(value, name: str, errors: dict):
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T", 1)) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        errors[name] = [f"The {field_label(name)} is not a valid date."]
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.local_zone())


def _int(value, name: str, errors: dict, unit: str = ""):
    if value is None or value == "":
        return None
    number = parse_int(value)
    if number is None:
        errors[name] = [f"The {field_label(name)} must be an integer{unit}."]
    return number


#: ``L``/``P`` codes (shared with the admin CSV import).
_sex = bulk.parse_sex_code


_PARSERS = {
    "tanggal_lahir": _date, "jenis_kelamin": _sex, "tanggal_tindakan": _moment,
    "pasien_id": _int, "pelaksana_id": _int,
    "tarif": lambda v, n, e: _int(v, n, e, " (rupiah)"), "jaspel": lambda v, n, e: _int(v, n, e, " (rupiah)"),
}


def _parse(model: str, row: dict) -> tuple[dict, dict]:
    """``(values, errors)`` of one row: the model's fields present in ``row`` with domain keys and
    typed values; ``errors`` domain key → messages worded with the dialect's names."""
    values, errors = {}, {}
    for name, key in FIELDS[model].items():
        if name not in row:
            continue
        parser = _PARSERS.get(name)
        problems: dict = {}
        values[key] = parser(row[name], name, problems) if parser else row[name]
        if problems:
            errors[key] = problems[name]
    return values, errors


def _word(model: str, key: str, messages: list[str]) -> tuple[str, list[str]]:
    """A domain error under the dialect's field name, its label replaced in the messages."""
    name = FIELD_NAMES[model].get(key, key)
    if name == key:
        return name, list(messages)
    english, label = field_label(key), field_label(name)
    worded = [m.replace(f"The {english} ", f"The {label} ", 1).replace(f"selected {english} ", f"selected {label} ", 1)
              for m in messages]
    for other, other_name in FIELD_NAMES[model].items():  # "... greater than the fee." → "the tarif."
        if other != other_name:
            worded = [m.replace(f" the {field_label(other)}.", f" the {field_label(other_name)}.") for m in worded]
    return name, worded


def _row_errors(model: str, rows: dict, prefix) -> dict[str, list[str]]:
    """Row errors of :mod:`app.clinic.bulk` (index → field → messages) keyed ``prefix(index, name)``."""
    errors: dict[str, list[str]] = {}
    for index, fields in rows.items():
        for key, messages in fields.items():
            name, worded = _word(model, key, messages)
            errors.setdefault(prefix(index, name), worded)
    return errors


def _data_key(index: int, name: str) -> str:
    return f"data.{index}.{name}"


def _update_key(index: int, name: str) -> str:
    return f"updates.{index}.{name}" if name == "id" else f"updates.{index}.data.{name}"


def _batch_model(data: dict, operation: str, *flags: str) -> tuple[str, str, dict]:
    """``(model, key, values)`` of a bulk request: its contract ``model`` (required, one that
    supports ``operation``), the domain key, and the checked values (``model`` and the boolean
    ``flags`` sent, e.g. ``validate_only``).

    :raises ValidationFailed: (422) no or an unknown model, one without ``operation``, a flag
        that is not a boolean.
    :raises Forbidden: (403, the contract's body) the caller's role may not (:data:`ROLES`).
    """
    check = Checker(data)
    check.choice("model", tuple(MODEL_KEYS), required=True)
    for flag in flags:
        check.boolean(flag)
    values = check.done()
    model = values["model"]
    if operation not in bulk.MODELS[MODEL_KEYS[model]].operations:
        raise ValidationFailed({"model": [f"The model {model} does not support {operation}."]})
    if g.user.role not in ROLES.get((model, operation), ()):
        abort(403)
    return model, MODEL_KEYS[model], values


def _batch_errors(model: str, exc, prefix):
    """The answer for a refused batch: 403 (rows of others) or 422, every row named."""
    errors = _row_errors(model, exc.rows, prefix)
    if isinstance(exc, bulk.BatchForbidden):
        return envelope.fail(envelope.FORBIDDEN_MESSAGE, 403, errors)
    return envelope.validation_failed(errors)


def _array(check: Checker, field: str, limit: int) -> list | None:
    value = check.data.get(field)
    if value is None or value == []:
        check.fail(field, f"The {field} field is required.")
    elif not isinstance(value, list):
        check.fail(field, f"The {field} must be an array.")
    elif len(value) > limit:
        check.fail(field, f"The {field} must not have more than {limit} items.")
    else:
        return value
    return None


def _results(ids, status: str) -> list[dict]:
    return [{"index": index, "id": pid, "status": status} for index, pid in enumerate(ids)]


def _summary(model: str, result, validate_only: bool, done: str) -> dict:
    """``{model, validate_only, total, success_count, error_count, results}`` of a create or
    update batch; each result's ``status`` is ``valid`` (validate_only) or ``done``."""
    return {"model": model, "validate_only": validate_only, "total": result.total,
            "success_count": result.success_count, "error_count": result.error_count,
            "results": _results(result.ids, "valid" if validate_only else done)}


# ---------------------------------------------------------------------------
# Routes

@bp.post("/bulk/create")
@rate_limit("bulk")
@token_required(*_ANY_BULK_ROLE)
def bulk_create():
    """``POST /api/v2/bulk/create``: ``model`` (pasien|tindakan), ``data`` (1..max_batch_size rows),
    ``validate_only`` (boolean, default false: true checks every row and writes nothing).

    201 ``Bulk create completed`` (200 ``Validation passed`` with ``validate_only``):
    ``data {model, validate_only, total, success_count, error_count (0), results [{index, id, status}]}``.
    """
    body = json_body()
    model, key, values = _batch_model(body, "create", "validate_only")
    check = Checker(body)
    rows = _array(check, "data", bulk.MODELS[key].max_batch_size)
    check.done()
    parsed, known = [], {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            known[index] = {"_row": ["The row must be an object."]}
            row = {}
        row_values, row_errors = _parse(model, row)
        parsed.append(row_values)
        if row_errors:
            known.setdefault(index, {}).update(row_errors)
    validate_only = values.get("validate_only", False)
    try:
        if key == bulk.PATIENT:
            result = bulk.create_patients(parsed, validate_only=validate_only, known_errors=known, actor=g.user)
        else:
            result = bulk.create_procedures(parsed, g.user, validate_only=validate_only, known_errors=known)
    except (bulk.BatchInvalid, bulk.BatchForbidden) as exc:
        return _batch_errors(model, exc, lambda i, n: f"data.{i}" if n == "_row" else _data_key(i, n))
    data = _summary(model, result, validate_only, "created")
    if validate_only:
        return envelope.ok(data, "Validation passed")
    return envelope.ok(data, "Bulk create completed", 201)


@bp.put("/bulk/update")
@rate_limit("bulk")
@token_required(*_ANY_BULK_ROLE)
def bulk_update():
    """``PUT /api/v2/bulk/update``: ``model``, ``updates`` ([{id, data {field: value}}], 1..max_batch_size),
    ``validate_only`` (optional).  Only the fields sent change; a ``tindakan`` changes only while pending.

    200 ``Bulk update completed``: ``data {model, validate_only, total, success_count, error_count (0),
    results [{index, id, status}]}``.
    """
    body = json_body()
    model, key, values = _batch_model(body, "update", "validate_only")
    check = Checker(body)
    items = _array(check, "updates", bulk.MODELS[key].max_batch_size)
    check.done()
    updates, known = [], {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            known[index] = {"id": ["The update must be an object with id and data."]}
            updates.append((None, {}))
            continue
        pid = parse_int(item.get("id"))
        row_errors: dict = {}
        if item.get("id") is None:
            row_errors["id"] = ["The id field is required."]
        elif pid is None or pid < 1:
            row_errors["id"] = ["The id must be a positive integer."]
            pid = None
        changes = item.get("data")
        if not isinstance(changes, dict):
            row_errors["data"] = ["The data must be an object."]
            changes = {}
        row_values, parse_errors = _parse(model, changes)
        row_values.pop("performer_id", None)
        parse_errors.pop("performer_id", None)
        if "pelaksana_id" in changes:
            row_errors["pelaksana_id"] = ["The pelaksana id cannot be changed."]
        elif not row_values and "data" not in row_errors:
            row_errors["data"] = ["The data must name at least one field to change."]
        row_errors.update(parse_errors)
        if row_errors:
            known[index] = row_errors
        updates.append((pid, row_values))
    validate_only = values.get("validate_only", False)
    try:
        if key == bulk.PATIENT:
            result = bulk.update_patients(updates, validate_only=validate_only, known_errors=known, actor=g.user)
        else:
            result = bulk.update_procedures(updates, g.user, validate_only=validate_only, known_errors=known)
    except (bulk.BatchInvalid, bulk.BatchForbidden) as exc:
        return _batch_errors(model, exc, lambda i, n: f"updates.{i}.data" if n == "data" else _update_key(i, n))
    data = _summary(model, result, validate_only, "updated")
    return envelope.ok(data, "Validation passed" if validate_only else "Bulk update completed")


def _form_mapping(errors: dict) -> dict | None:
    """``mapping`` of a multipart form: a JSON object in ``mapping``, or fields ``mapping[<field>]``."""
    raw = request.form.get("mapping")
    if raw not in (None, ""):
        try:
            mapping = json.loads(raw)
        except ValueError:
            mapping = None
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            errors["mapping"] = ["The mapping must be a JSON object of field: column."]
            return None
        return mapping
    mapping = {}
    for name in request.form:
        found = re.fullmatch(r"mapping\[([^\]]+)\]", name)
        if found:
            mapping[found.group(1)] = request.form[name]
    return mapping or None


@bp.post("/bulk/import")
@rate_limit("bulk")
@token_required(*PATIENT_STAFF)
def bulk_import():
    """``POST /api/v2/bulk/import`` (multipart): ``file`` (CSV, UTF-8 with or without BOM, ``,`` or ``;``,
    ≤ 1000 KiB, header on the first line), ``model`` (``pasien``), ``mapping`` ({field: ``"column_N"``
    (1-based) or a header name}, as a JSON string or ``mapping[field]`` fields; without it the header
    names are the fields), ``validate_before_import`` (default true).

    200 ``Import completed``: ``data {model, validate_before_import, total_rows, success_count,
    error_count, ids, errors}`` (``errors`` only lists skipped rows when ``validate_before_import`` is false).
    """
    if not request.mimetype.startswith("multipart/form-data"):
        raise ValidationFailed({"file": ["The file must be sent as multipart/form-data."]})
    model, key, values = _batch_model(dict(request.form), "import", "validate_before_import")
    errors: dict[str, list[str]] = {}
    upload = request.files.get("file")
    data = b""
    if upload is None or not upload.filename:
        errors["file"] = ["The file field is required."]
    elif not csv_read.is_csv_upload(upload.filename, upload.mimetype):
        errors["file"] = ["The file must be a file of type: csv."]
    else:
        data = upload.read(bulk.MAX_CSV_BYTES + 1)
    mapping = _form_mapping(errors)
    if errors:
        raise ValidationFailed(errors)
    table = bulk.read_csv_rows(data, mapping, tuple(FIELDS[model]), max_rows=bulk.MODELS[key].max_batch_size)
    parsed, known = [], {}
    for index, row in enumerate(table.rows):
        row_values, row_errors = _parse(model, row)
        parsed.append(row_values)
        if row_errors:
            known[index] = row_errors
    all_or_nothing = values.get("validate_before_import", True)
    try:
        result = bulk.import_patients(parsed, all_or_nothing=all_or_nothing, known_errors=known, actor=g.user)
    except bulk.BatchInvalid as exc:
        return _batch_errors(model, exc, _data_key)
    data = {"model": model, "validate_before_import": all_or_nothing, "total_rows": result.total,
            "success_count": result.success_count, "error_count": result.error_count, "ids": result.ids,
            "errors": _row_errors(model, result.errors, _data_key)}
    return envelope.ok(data, "Import completed" if not result.errors else "Import completed with errors")


@bp.post("/bulk/validate")
@rate_limit("bulk")
@token_required(*_ANY_BULK_ROLE)
def bulk_validate():
    """``POST /api/v2/bulk/validate``: ``model`` (``tindakan``), ``ids`` (1..500), ``action``
    (``approve``/``reject``), ``comment`` (optional, ≤ 1000).  Admins only.

    All or nothing: an unknown, repeated or already validated id → 422 ``errors["ids.<index>"]``,
    nothing validated and nobody notified.  200 ``Bulk validation completed``:
    ``data {model, action, total, success_count, error_count (0), results [{index, id, status}]}``;
    each performer is notified (``tindakan_approved`` / ``tindakan_rejected``).
    """
    body = json_body()
    model, key, values = _batch_model(body, "validate")
    check = Checker(body)
    check.choice("action", ("approve", "reject"), required=True)
    check.string("comment", max_length=bulk.MAX_NOTE_LENGTH)
    items = _array(check, "ids", bulk.MODELS[key].max_batch_size)
    ids = []
    for index, item in enumerate(items or []):
        number = parse_int(item)
        if number is None or not 1 <= number <= 2**63 - 1:
            check.fail(f"ids.{index}", f"The ids.{index} must be a positive integer.")
        ids.append(number)
    values.update(check.done())
    approve = values["action"] == "approve"
    try:
        procedures = bulk.validate_procedures(ids, g.user, approve=approve, note=values.get("comment"))
    except bulk.BatchInvalid as exc:
        return envelope.validation_failed({f"ids.{i}": messages for i, fields in exc.rows.items()
                                           for messages in fields.values()})
    status = "approved" if approve else "rejected"
    return envelope.ok({"model": model, "action": values["action"], "total": len(procedures),
                        "success_count": len(procedures), "error_count": 0,
                        "results": _results([p.id for p in procedures], status)}, "Bulk validation completed")


@bp.get("/bulk/stats")
@rate_limit("bulk")
@token_required(*STATS_ROLES)
def bulk_stats():
    """``GET /api/v2/bulk/stats?model=pasien|tindakan&period=day|week|month|year`` (default month):
    rows created in the current period (local calendar, ISO weeks).

    ``data {model, period, start_date, end_date (inclusive), total (ever), created}``; ``tindakan`` adds
    ``by_status {pending, approved, rejected}``, ``total_tarif`` and ``total_jaspel`` (whole rupiah,
    approved and pending procedures created in the period).
    """
    check = Checker(dict(request.args))
    check.choice("model", tuple(MODEL_KEYS), required=True)
    check.choice("period", bulk.PERIODS)
    values = check.done()
    model, period = values["model"], values.get("period", "month")
    start, end = bulk.period_range(period, clock.local_today())
    figures = bulk.stats(MODEL_KEYS[model], start, end)
    data = {"model": model, "period": period, "start_date": start.isoformat(),
            "end_date": date.fromordinal(end.toordinal() - 1).isoformat(),
            "total": figures.total, "created": figures.created}
    if figures.by_status is not None:
        data.update(by_status=figures.by_status, total_tarif=figures.fee_total,
                    total_jaspel=figures.service_fee_share_total)
    return envelope.ok(data, "Bulk statistics retrieved")


@bp.get("/bulk/supported-models")
@rate_limit("bulk")
@token_required()
def bulk_supported_models():
    """``GET /api/v2/bulk/supported-models``: the contract's shape, listing only the operations served
    (``pasien``: create, update, import; ``tindakan``: create, update, validate)."""
    data = [{"model": model, "display_name": DISPLAY_NAMES[model],
             "supports": list(bulk.MODELS[key].operations), "max_batch_size": bulk.MODELS[key].max_batch_size}
            for model, key in MODEL_KEYS.items()]
    return envelope.ok(data, "Supported models retrieved")
