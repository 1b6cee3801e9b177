"""The roster CSV import (admins only), on the ``rosters`` blueprint.

- ``GET /admin/rosters/import``: the upload form and the columns;
- ``POST /admin/rosters/import``: read and check the file, show every row as a grid with
  each refused cell or person marked (nothing is written).  When every row is valid the
  file is kept (:class:`app.common.staging.StagedUploads`) and the preview offers
  "Import N people";
- ``POST /admin/rosters/import/confirm``: read and check the kept file again and write
  every cell in one transaction (:func:`app.schedules.rosters.write_cells`); when a row
  became invalid meanwhile nothing is written and the preview is shown again.

The file is the shape of the export (:func:`app.schedules.roster_views.export_csv`): UTF-8
with or without BOM, ``,`` or ``;``; a header row naming ``identifier`` (also ``npp``,
``email``, ``nisn_nip_nik``, ``nip``, ``nik``, ``nisn``, ``id``) — the person's email,
NPP or NISN/NIP/NIK —, optionally ``name``/``nama`` and ``department``/``unit_kerja``
(shown, not read), then one column per date of ONE month, written ``YYYY-MM-DD`` or
``DD/MM/YYYY`` (as Excel in an Indonesian locale saves it).  A cell holds a work
schedule's code (or name), ``L``/``-``/``OFF``/``LIBUR`` for a day off, or nothing: back to
the pattern applied over that day, else the person's work schedule
(:data:`app.schedules.rosters.RESET`).  At most :data:`MAX_ROWS` people and
:data:`MAX_BYTES` bytes.
"""
from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date

from flask import flash, redirect, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ...accounts.services import find_by_identifier
from ...admin.access import admin_required
from ...admin.filters import month_name
from ...admin.rendering import render
from ...common import clock, csv_read
from ...common.boundary import refuse
from ...common.csv_read import CsvTextError, ImportFileError
from ...common.errors import DomainError
from ...common.staging import StagedUploads
from .. import rosters, services as schedules
from ..roster_forms import RosterImportConfirmForm, RosterImportForm
from . import bp

#: Most people (data rows) in one file.
MAX_ROWS = 1000
#: Largest file accepted, in bytes (1000 people × 31 days of short codes fit easily).
MAX_BYTES = 512 * 1024
#: Header names of the person's identifier column, in order of preference.
IDENTIFIER_COLUMNS = ("identifier", "npp", "email", "nisn_nip_nik", "nip", "nik", "nisn", "id")
#: Header names of the columns shown but not read.
NAME_COLUMNS = ("name", "nama")
DEPARTMENT_COLUMNS = ("department", "unit_kerja", "unit")
STAGED = StagedUploads("roster-imports", "roster_import_token")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


@dataclass
class ImportRow:
    """One person's line: ``line`` (1-based in the file), ``identifier``, ``name`` (from the file),
    the ``user`` found, ``cells`` (date → text as typed) and ``values`` (date → schedule, None
    for a day off, or :data:`~app.schedules.rosters.RESET`); ``errors``: ``"person"`` or a
    date's ISO text → messages."""

    line: int
    identifier: str
    name: str
    user: object = None
    cells: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


@dataclass
class RosterFile:
    """A read file: ``days`` (the month's dates of the header, in order), ``rows``, and the
    header names not read (``ignored_columns``)."""

    days: list[date]
    rows: list[ImportRow]
    ignored_columns: list[str]

    @property
    def error_count(self) -> int:
        """Rows with at least one error."""
        return sum(1 for row in self.rows if row.errors)

    @property
    def valid_count(self) -> int:
        """Rows without errors."""
        return len(self.rows) - self.error_count


def _header_date(text: str) -> date | None:
    text = text.strip()
    with suppress(ValueError):
        return date.fromisoformat(text)
    match = _DMY.match(text)
    if match:
        try:
            return date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return None
    return None


def read_roster_file(data: bytes) -> RosterFile:
    """Read and check a roster CSV file (see the module docstring); nothing is written.

    :raises ImportFileError: too large, not UTF-8 CSV text, no identifier column, no date
        column, dates of more than one month or repeated, no data row, more than
        :data:`MAX_ROWS` rows (the message is in the admin's language).
    """
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than %(size)d KiB. Split it into smaller files.",
                                size=MAX_BYTES // 1024))
    try:
        text, delimiter = csv_read.read_text(data)
    except CsvTextError as exc:
        raise ImportFileError({
            "not_utf8": _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."),
            "empty": _("The file is empty."),
        }.get(exc.code, _("The file is not a CSV text file."))) from None
    reader = csv_read.reader(text, delimiter)
    try:
        header = next(reader, [])
        lines = [(reader.line_num, row) for row in reader]
    except Exception as exc:  # csv.Error: an unterminated quote and the like
        raise ImportFileError(_("The file could not be read as CSV near line %(line)d: %(reason)s",
                                line=reader.line_num, reason=str(exc))) from None
    names = [h.strip().lower().replace(" ", "_") for h in header]
    ident_col = next((names.index(c) for c in IDENTIFIER_COLUMNS if c in names), None)
    name_col = next((names.index(c) for c in NAME_COLUMNS if c in names), None)
    known = {ident_col, name_col} | {names.index(c) for c in DEPARTMENT_COLUMNS if c in names}
    day_cols: list[tuple[int, date]] = []
    ignored = []
    for index, name in enumerate(header):
        if index in known:
            continue
        day = _header_date(name)
        if day is not None:
            day_cols.append((index, day))
        elif name.strip():
            ignored.append(name.strip())
    if ident_col is None:
        raise ImportFileError(_("The first line must name the column of the people: identifier (their email, NPP or "
                                "NISN/NIP/NIK)."))
    if not day_cols:
        raise ImportFileError(_("No column is a date. Name the day columns as YYYY-MM-DD (e.g. 2026-12-01), as in "
                                "the export."))
    months = {(d.year, d.month) for _i, d in day_cols}
    if len(months) > 1:
        raise ImportFileError(_("The dates of the header belong to more than one month. Import one month per file."))
    year, month = months.pop()
    try:
        rosters.month_bounds(year, month)
    except DomainError:
        raise ImportFileError(_("Choose a month between 2000 and 2100.")) from None
    if len({d for _i, d in day_cols}) != len(day_cols):
        raise ImportFileError(_("A date appears twice in the header."))
    data_lines = [(n, row) for n, row in lines if any(cell.strip() for cell in row)]
    if not data_lines:
        raise ImportFileError(_("The file has a header but no rows."))
    if len(data_lines) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)d rows. Split it into smaller files.", max=MAX_ROWS))

    codes = rosters.roster_codes()
    days = sorted(d for _i, d in day_cols)
    rows: list[ImportRow] = []
    seen: dict[int, int] = {}
    for line, cells in data_lines:
        def cell(index):
            """The stripped text of column ``index`` of this line; empty for no column or a short line."""
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row = ImportRow(line=line, identifier=cell(ident_col), name=cell(name_col))
        user = find_by_identifier(row.identifier) if row.identifier else None
        if not row.identifier:
            row.errors["person"] = [_("The identifier is empty.")]
        elif user is None or user.deleted_at is not None:
            row.errors["person"] = [_("Nobody has this email, NPP or NISN/NIP/NIK.")]
        elif not user.is_active or user.role in rosters.NOT_ROSTERED_ROLES:
            row.errors["person"] = [_("%(name)s is inactive or a student: not on rosters.", name=user.name)]
        elif user.id in seen:
            row.errors["person"] = [_("%(name)s is already on line %(line)d.", name=user.name, line=seen[user.id])]
        else:
            seen[user.id] = line
            row.user = user
        for index, day in day_cols:
            text = cell(index)
            row.cells[day] = text
            if not text:
                row.values[day] = rosters.RESET
                continue
            try:
                row.values[day] = codes.read(text)
            except ValueError:
                row.errors[day.isoformat()] = [_("Unknown code “%(code)s”.", code=text[:20])]
        rows.append(row)
    return RosterFile(days=days, rows=rows, ignored_columns=ignored)


def _panel(form=None, status: int = 200, **context):
    response = render("rosters/import.html", "rosters/_partials/import_panel.html",
                      form=form if form is not None else RosterImportForm(), max_rows=MAX_ROWS,
                      max_kib=MAX_BYTES // 1024, codes=rosters.roster_codes(),
                      schedules=schedules.list_schedules(),
                      template_url=url_for("rosters.export_csv", month=clock.local_today().strftime("%Y-%m")),
                      **context)
    response.status_code = status
    return response


def _preview(parsed: RosterFile, token: str | None, *, error=None, status: int = 200):
    return _panel(step="preview", parsed=parsed, error=error, status=status,
                  confirm_form=RosterImportConfirmForm(formdata=None, token=token) if token else None)


@bp.get("/import")
@admin_required
def import_page():
    """The upload form and the columns of the file."""
    return _panel()


@bp.post("/import")
@admin_required
def import_upload():
    """Read the uploaded file and preview every row with its errors (nothing is written)."""
    form = RosterImportForm()
    if not form.validate_on_submit():
        return _panel(form)
    upload = form.file.data
    data = upload.read(MAX_BYTES + 1)
    try:
        if not csv_read.is_csv_upload(upload.filename, upload.mimetype):
            raise ImportFileError(_("The file is not a CSV text file."))
        parsed = read_roster_file(data)
    except ImportFileError as exc:
        form.add_error("file", exc.message)
        return _panel(form)
    return _preview(parsed, STAGED.stage(data) if not parsed.error_count else None)


@bp.post("/import/confirm")
@admin_required
def import_confirm():
    """Write the previewed file: checked again, then every cell in one transaction; nothing is
    written when any row is refused now (the preview is shown again, 422)."""
    form = RosterImportConfirmForm()
    token = form.token.data if form.validate_on_submit() else None
    data = STAGED.load(token)
    if data is None:
        expired = RosterImportForm(formdata=None)
        expired.add_error(None, _("This import has expired or was already done. Upload the file again."))
        return _panel(expired, status=409)
    try:
        parsed = read_roster_file(data)
    except ImportFileError as exc:
        STAGED.discard(token)
        again = RosterImportForm(formdata=None)
        again.add_error(None, exc.message)
        return _panel(again, status=422)
    nothing = _("Nothing was imported: some rows have errors. Correct the file and upload it again.")
    if parsed.error_count:
        STAGED.discard(token)
        return _preview(parsed, None, error=nothing, status=422)
    cells = [(row.user.id, day, value) for row in parsed.rows for day, value in row.values.items()]
    try:
        rosters.write_cells(cells, actor=current_user._get_current_object())
    except DomainError as exc:
        refuse()
        from ...admin.messages import translate_message
        return _preview(parsed, token, error=translate_message(exc.message), status=409)
    STAGED.discard(token)
    first = parsed.days[0]
    flash(ngettext("Roster of %(month)s imported for %(num)d person.",
                   "Roster of %(month)s imported for %(num)d people.", len(parsed.rows),
                   month=month_name(first)), "success")
    return redirect(url_for("rosters.grid", month=first.strftime("%Y-%m")), code=303)
