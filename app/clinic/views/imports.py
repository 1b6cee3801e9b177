"""Admin pages of the patients CSV import, on the ``clinic_admin`` blueprint.

Admins and petugas (front-office staff register patients), the roles of the JSON
API's patient create and import (:data:`app.api.clinic.routes_bulk.PATIENT_STAFF`).

- ``GET /admin/clinic/patients/import``: the upload form, the columns and the template link;
- ``POST /admin/clinic/patients/import``: read and check the file and show every row with
  its errors (nothing is written).  When every row is valid the file is kept on the
  server under a random token (``UPLOAD_FOLDER/patient-imports/<token>.csv``, mode 0600,
  the token also in the uploader's session; files older than a day are purged by the
  next upload, :mod:`app.common.staging`) and the preview offers "Import N patients";
- ``POST /admin/clinic/patients/import/confirm``: read and check the kept file again and
  write every row in one transaction (:func:`app.clinic.bulk.import_patients`, all or
  nothing), then redirect to the patients list with "N patients imported."; when a row
  became invalid meanwhile (a record number taken since the preview) nothing is written
  and the preview is shown again with the errors;
- ``GET /admin/clinic/patients/import/template.csv``: the header and one example row.

The file (:func:`read_patient_file`): UTF-8 with or without BOM, ``,`` or ``;``
(:mod:`app.common.csv_read`), at most 1000 data rows (the patient model's
``max_batch_size``) and :data:`~app.clinic.bulk.MAX_CSV_BYTES`.  The header names the
columns with the contract's Indonesian names (:data:`~app.clinic.bulk.PATIENT_COLUMNS`:
``nama, no_rm, tanggal_lahir, jenis_kelamin, alamat, no_telepon, email``) or the English
field names (:data:`~app.clinic.bulk.PATIENT_FIELDS`); ``tanggal_lahir`` is ``YYYY-MM-DD``,
``jenis_kelamin`` ``L``/``P`` (``male``/``female`` also read).  The rules of each row are
those of :func:`app.clinic.bulk.create_patients` (name required, lengths, valid email,
birth date not in the future, record number unique in the file and in the database);
their English messages are shown in the admin's language through
:func:`app.admin.messages.translate_message`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy.exc import IntegrityError

from ...admin.access import staff_required
from ...admin.messages import translate_message
from ...admin.rendering import render
from ...common import csv_read
from ...common.csv_read import ImportFileError
from ...common.boundary import commit_step, refuse
from ...common.csv_export import csv_response
from ...common.errors import ValidationFailed
from ...common.staging import StagedUploads
from .. import bulk
from ..forms import PatientImportConfirmForm, PatientImportForm
from ..models import SEXES
from . import bp

#: Session key holding the token of the file being previewed.
SESSION_KEY = "patients_import_token"
#: Folder of the kept files under ``UPLOAD_FOLDER``.
STAGING_NAME = "patient-imports"
#: Most data rows in one file (the contract's ``max_batch_size`` of ``pasien``).
MAX_ROWS = bulk.MODELS[bulk.PATIENT].max_batch_size
#: Header names read: the contract's Indonesian names, then the English field names.
ACCEPTED_COLUMNS: tuple[str, ...] = tuple(bulk.PATIENT_COLUMNS) + tuple(
    name for name in bulk.PATIENT_FIELDS if name not in bulk.PATIENT_COLUMNS)
#: Field → its Indonesian column name (the template's header, the preview's column hints).
COLUMN_OF_FIELD: dict[str, str] = {name: column for column, name in bulk.PATIENT_COLUMNS.items()}
#: Example row of the template file (Indonesian column → text).
TEMPLATE_EXAMPLE: dict[str, str] = {
    "nama": "Budi Santoso", "no_rm": "RM-000123", "tanggal_lahir": "1985-04-17", "jenis_kelamin": "L",
    "alamat": "Jl. Merdeka No. 10, Bandung", "no_telepon": "081234567890", "email": "budi@example.com",
}
_CSV_ERROR_RE = re.compile(r"near line ([0-9]+): (.*)$", re.S)
#: Messages of :func:`app.clinic.bulk.read_csv_rows` about the whole file → the admin's wording.
_FILE_MESSAGES = {
    'The file must be UTF-8 text (in Excel: save as "CSV UTF-8").':
        _l("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."),
    "The file is empty.": _l("The file is empty."),
    "The file must be a CSV text file.": _l("The file is not a CSV text file."),
    "The file has a header but no rows.": _l("The file has a header but no rows."),
}


@dataclass
class PreviewRow:
    """One data row of the file.

    ``line``: 1-based line of the file where it starts; ``cells``: field (of
    :data:`~app.clinic.bulk.PATIENT_FIELDS`) → the cell's text (stripped, ``""`` when
    blank or absent); ``sex``: ``male``/``female`` when the code was read, else None;
    ``errors``: field → messages in the admin's language (empty when the row is valid).
    """

    line: int
    cells: dict[str, str]
    sex: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no field of the row was refused."""
        return not self.errors


@dataclass
class PatientFile:
    """A read file: ``rows`` (:class:`PreviewRow`, file order), ``values`` (per row the typed
    fields for :func:`~app.clinic.bulk.create_patients`), ``known`` (row index → field →
    English messages found while reading: a malformed date, an unknown sex code),
    ``columns`` (fields present in the header) and ``ignored_columns`` (header names not read)."""

    rows: list[PreviewRow]
    values: list[dict]
    known: bulk.RowErrors
    columns: list[str]
    ignored_columns: list[str]

    @property
    def error_count(self) -> int:
        """Rows with at least one error."""
        return sum(1 for row in self.rows if not row.valid)

    @property
    def valid_count(self) -> int:
        """Rows without errors."""
        return len(self.rows) - self.error_count

    def add_errors(self, errors: bulk.RowErrors) -> None:
        """Show the row errors of :mod:`app.clinic.bulk` (index → field → English messages),
        translated, on their rows (a field keeps its first messages)."""
        for index, fields in errors.items():
            if 0 <= index < len(self.rows):
                for name, messages in fields.items():
                    self.rows[index].errors.setdefault(name, [translate_message(m) for m in messages])


# --- reading and checking ---------------------------------------------------------------

def _file_error(exc: ValidationFailed) -> ImportFileError:
    """The admin's message for a file refused by :func:`~app.clinic.bulk.read_csv_rows`."""
    if isinstance(exc, bulk.BatchTooLarge):
        return ImportFileError(_("The file has more than %(max)d rows. Split it into smaller files.", max=exc.limit))
    if "file" not in exc.errors:  # "mapping": no column of the header is known
        return ImportFileError(_("No column of the file is known. The first line must name the columns: %(names)s.",
                                 names=", ".join(bulk.PATIENT_COLUMNS)))
    message = exc.errors["file"][0]
    if message in _FILE_MESSAGES:
        return ImportFileError(_FILE_MESSAGES[message])
    found = _CSV_ERROR_RE.search(message)
    if found:
        return ImportFileError(_("The file could not be read as CSV near line %(line)d: %(reason)s",
                                 line=int(found.group(1)), reason=found.group(2)))
    return ImportFileError(translate_message(message))


def _header_columns(data: bytes) -> tuple[dict[str, str], list[str]]:
    """``(field → header name read for it, ignored header names)``: an Indonesian name wins
    over the English one of the same field; a repeated or unknown name is ignored."""
    text, delimiter = csv_read.read_text(data)
    header = next(csv_read.reader(text, delimiter), [])
    names = {bulk.normalise_header(name): name.strip() for name in reversed(header)}  # first of a repeated name
    chosen: dict[str, str] = {}
    for column in ACCEPTED_COLUMNS:
        if column in names:
            chosen.setdefault(bulk.PATIENT_COLUMNS.get(column, column), column)
    used = set(chosen.values())
    ignored, seen = [], set()
    for name in header:
        key = bulk.normalise_header(name)
        if name.strip() and (key not in used or key in seen):
            ignored.append(name.strip())
        seen.add(key)
    return chosen, ignored


def _sex(text: str, errors: dict):
    """``L``/``P`` (the contract's codes) or ``male``/``female``; else an error on ``sex``."""
    if text.strip().lower() in SEXES:
        return text.strip().lower()
    return bulk.parse_sex_code(text, "sex", errors)


def read_patient_file(data: bytes) -> PatientFile:
    """Read an uploaded CSV file of patients into rows (their own checks not run yet: see :func:`check_rows`).

    :param data: the file's bytes (see the module docstring for the format).
    :returns: a :class:`PatientFile`; blank lines are skipped, cells are stripped, text
        that looks like a spreadsheet formula stays text.  A malformed ``tanggal_lahir`` or
        an unknown ``jenis_kelamin`` is an error of its row (``birth_date`` / ``sex``).
    :raises ImportFileError: larger than :data:`~app.clinic.bulk.MAX_CSV_BYTES`, not UTF-8,
        empty, binary, unreadable CSV, no known column in the header, no data row, or more
        than :data:`MAX_ROWS` rows (the message is in the admin's language).
    """
    if len(data) > bulk.MAX_CSV_BYTES:
        raise ImportFileError(_("The file is larger than %(size)d KiB. Split it into smaller files.",
                                size=bulk.MAX_CSV_BYTES // 1024))
    try:
        table = bulk.read_csv_rows(data, None, ACCEPTED_COLUMNS, max_rows=MAX_ROWS)
    except ValidationFailed as exc:
        raise _file_error(exc) from None
    chosen, ignored = _header_columns(data)
    rows: list[PreviewRow] = []
    values: list[dict] = []
    known: bulk.RowErrors = {}
    for index, (cells, line) in enumerate(zip(table.rows, table.lines)):
        texts = {name: cells.get(column, "") for name, column in chosen.items()}
        row = PreviewRow(line=line, cells={name: texts.get(name, "") for name in bulk.PATIENT_FIELDS})
        errors: dict[str, list[str]] = {}
        typed = {name: text for name, text in texts.items() if text}
        if "birth_date" in typed:
            typed["birth_date"] = bulk.parse_date_text(typed["birth_date"], "birth_date", errors)
        if "sex" in typed:
            typed["sex"] = row.sex = _sex(typed["sex"], errors)
        if errors:
            known[index] = errors
        rows.append(row)
        values.append(typed)
    return PatientFile(rows=rows, values=values, known=known,
                       columns=[name for name in bulk.PATIENT_FIELDS if name in chosen], ignored_columns=ignored)


def check_rows(parsed: PatientFile) -> None:
    """Check every row with the rules of :func:`app.clinic.bulk.create_patients` (``validate_only``:
    nothing is written) and put each refused field's messages, translated, on its row."""
    try:
        bulk.create_patients(parsed.values, validate_only=True, known_errors=parsed.known)
    except bulk.BatchInvalid as exc:
        parsed.add_errors(exc.rows)


# --- kept files ----------------------------------------------------------------------------

#: The previewed file, kept until it is confirmed (``UPLOAD_FOLDER/patient-imports/``).
STAGED = StagedUploads(STAGING_NAME, SESSION_KEY)


# --- pages -----------------------------------------------------------------------------------

def _panel(form=None, status: int = 200, **context):
    """The import page, or only its panel for an htmx request."""
    response = render("clinic/patients_import.html", "clinic/_partials/patient_import_panel.html",
                      form=form if form is not None else PatientImportForm(), max_rows=MAX_ROWS,
                      max_kib=bulk.MAX_CSV_BYTES // 1024, column_of=COLUMN_OF_FIELD, **context)
    response.status_code = status
    return response


def _preview(parsed: PatientFile, token: str | None, *, error: str | None = None, status: int = 200):
    """The preview panel: counts, every row with its errors, and the confirm form when ``token`` is set."""
    return _panel(step="preview", parsed=parsed, token=token, error=error, status=status,
                  confirm_form=PatientImportConfirmForm(formdata=None, token=token) if token else None)


@bp.get("/patients/import")
@staff_required
def patients_import():
    """The upload form: columns, limits, the template link."""
    return _panel()


@bp.post("/patients/import")
@staff_required
def patients_import_upload():
    """Read the uploaded CSV and show every row with its errors (nothing is written).

    The file is kept for the confirm step only when every row is valid.
    """
    form = PatientImportForm()
    if not form.validate_on_submit():
        return _panel(form)
    upload = form.file.data
    data = upload.read(bulk.MAX_CSV_BYTES + 1)
    try:
        if not csv_read.is_csv_upload(upload.filename, upload.mimetype):
            raise ImportFileError(_("The file is not a CSV text file."))
        parsed = read_patient_file(data)
    except ImportFileError as exc:
        form.add_error("file", exc.message)
        return _panel(form)
    check_rows(parsed)
    return _preview(parsed, STAGED.stage(data) if not parsed.error_count else None)


def _expired():
    form = PatientImportForm(formdata=None)
    form.add_error(None, _("This import has expired or was already done. Upload the file again."))
    return _panel(form, status=409)


@bp.post("/patients/import/confirm")
@staff_required
def patients_import_confirm():
    """Import the previewed file: its rows are read and checked again, then written in one
    transaction; nothing is written when any row is refused (the preview is shown again).

    Success redirects (303) to the patients list with the flash "N patients imported.".
    """
    form = PatientImportConfirmForm()
    token = form.token.data if form.validate_on_submit() else None
    data = STAGED.load(token)
    if data is None:
        return _expired()
    nothing = _("Nothing was imported: some rows have errors. Correct the file and upload it again.")
    try:
        parsed = read_patient_file(data)
    except ImportFileError:
        STAGED.discard(token)
        return _expired()
    try:
        with commit_step("written before the answer: a key taken meanwhile (IntegrityError at commit) "
                         "shows the preview again, not a 500"):
            result = bulk.import_patients(parsed.values, known_errors=parsed.known, actor=current_user)
    except bulk.BatchInvalid as exc:
        refuse()
        STAGED.discard(token)
        parsed.add_errors(exc.rows)
        return _preview(parsed, None, error=nothing, status=422)
    except IntegrityError:  # a record number registered by someone else between the check and the commit
        refuse()
        STAGED.discard(token)
        check_rows(parsed)
        return _preview(parsed, None, error=nothing, status=422)
    STAGED.discard(token)
    count = result.success_count
    flash(ngettext("%(num)d patient imported.", "%(num)d patients imported.", count), "success")
    return redirect(url_for("clinic_admin.patients"), 303)


@bp.get("/patients/import/template.csv")
@staff_required
def patients_import_template():
    """The template file: the Indonesian column names and one example row (UTF-8 with BOM, comma separated)."""
    columns = list(bulk.PATIENT_COLUMNS)
    return csv_response([columns, [TEMPLATE_EXAMPLE[c] for c in columns]], "hadir-patients-template.csv")

