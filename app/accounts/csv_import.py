"""CSV import and export of users, every role; the export's file imports as it is.

Import, in three steps driven by the admin pages (:mod:`app.accounts.views.imports`):

1. :func:`parse_csv` reads the uploaded bytes: UTF-8 with or without a BOM,
   comma or semicolon separated (Excel in an Indonesian locale writes ``;``),
   at most :data:`MAX_ROWS` data rows.  The header names the columns,
   case-insensitively, in English or Indonesian (:data:`COLUMN_ALIASES`):
   ``name`` (*nama*), ``role`` (*peran*: any role key, or its English name:
   ``student``, ``teacher``, ``employee``...), ``nisn_nip_nik``, ``npp``,
   ``email``, ``phone`` (*telepon*), ``office`` (*kantor*: its code or name),
   ``department`` (*unit_kerja*: its code or name), ``position`` (*jabatan*),
   the registered extra columns (:func:`columns`), ``active`` (*aktif*: 1/0)
   and ``password`` (*kata_sandi*).  Only ``name`` and ``role`` must be there.
2. :func:`validate_rows` checks every row and names each refused field:
   missing name, unknown role, no identifier to sign in with (students,
   teachers and the principal need a NISN/NIP/NIK for the school app; anyone
   else an NPP, an email or a NISN/NIP/NIK), duplicate NISN/NIP/NIK, NPP or
   email (inside the file or already in the database), unknown office or
   department, short password, and whatever each extra column refuses.  The rules are those of
   :func:`app.accounts.services.create_user`; they are checked again on import.
3. :func:`hash_rows` computes the argon2id hash of every row's password (the
   slow part: a large file is hashed in steps of :data:`STEP_ROWS` rows, one
   request each, and only the hashes are kept between steps); then
   :func:`import_rows` writes every row (the users, then what each extra column
   writes for them) in the caller's transaction, all or nothing: it refuses the
   whole file while any row has an error.  A blank
   password is replaced by one derived from a random per-import seed
   (:func:`derive_password`), shown once on the result page; only its argon2
   hash is stored.

Export: :func:`export_csv` writes users as UTF-8 CSV with a BOM (so Excel
detects the encoding) and neutralises spreadsheet formulas (:func:`safe_cell`,
OWASP "CSV Injection").  It writes the import's columns (:func:`export_columns`:
all but ``password``; office and department by code), and the import takes back
the quote :func:`safe_cell` put before ``+62...`` (:func:`unquote_cell`), so an
exported file imported into an empty organisation exports the same again.

Extra columns: the core knows no vertical.  A vertical that keeps something of its own
per imported person (a school enrols students in their class) registers an
:class:`ExtraColumn` at app setup (:func:`register_extra_column`); it is read, checked,
written and exported with the core's columns, and shown in the pages' tables.

The messages are English msgids marked with ``lazy_gettext``: they are shown
in the admin's language when rendered.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from flask_babel import lazy_gettext as _l

from ..common.csv_read import CsvTextError, ImportFileError, decode_utf8, sniff_delimiter
from ..common.errors import ValidationFailed
from ..common import clock
from ..extensions import db
from .forms import PASSWORD_MESSAGES
from ..departments.models import Department
from ..places.models import Office
from .models import User
from .roles import ROLE_KEYS, STUDENT_ROLES, TEACHER_ROLES
from .passwords import PasswordRejected, check_new_password, hash_password
from .services import EMAIL_RE

#: Largest accepted file, in bytes: 1000 KiB, so that the whole upload (file, form
#: fields, multipart framing) stays under the app's request limit (MAX_CONTENT_LENGTH, 1 MiB).
MAX_BYTES = 1000 * 1024
#: Most data rows in one file.
MAX_ROWS = 5000
#: Length of a generated password (characters from :data:`PASSWORD_ALPHABET`, ~70 bits).
GENERATED_PASSWORD_LENGTH = 12
#: Rows hashed per request when a large file is imported in steps (about 4 s each).
STEP_ROWS = 20
#: Letters and digits that are not easily confused on paper (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

#: The core's columns → accepted header names (compared lower-cased, spaces and dashes as ``_``).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "nama", "nama_lengkap", "full_name"),
    "role": ("role", "peran"),
    "nisn_nip_nik": ("nisn_nip_nik", "nisn/nip/nik", "nisn_/_nip_/_nik", "nisn", "nip", "nik"),
    "npp": ("npp", "nomor_pegawai", "no_pegawai"),
    "email": ("email", "e_mail", "surel"),
    "phone": ("phone", "telepon", "telp", "no_hp", "hp"),
    "office": ("office", "kantor", "kode_kantor", "office_code"),
    "department": ("department", "departemen", "unit_kerja", "unit", "department_code"),
    "position": ("position", "jabatan"),
    "active": ("active", "aktif"),
    "password": ("password", "kata_sandi", "sandi"),
}
#: The core's columns before the extra ones, in the order of the template file and of the preview table.
LEADING_COLUMNS: tuple[str, ...] = ("name", "role", "nisn_nip_nik", "npp", "email", "phone", "office", "department",
                                    "position")
#: The core's columns after the extra ones.
TRAILING_COLUMNS: tuple[str, ...] = ("active", "password")
#: Columns a file must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "role")
#: Accepted role values (lower-cased, spaces as ``_``) → role key: every role key, English and Indonesian names.
ROLE_ALIASES: dict[str, str] = {
    **{key: key for key in ROLE_KEYS},
    "student": "siswa", "murid": "siswa", "teacher": "guru", "employee": "pegawai", "karyawan": "pegawai",
    "principal": "kepsek", "kepala_sekolah": "kepsek", "administrator": "admin", "doctor": "dokter",
    "paramedic": "paramedis", "nurse": "paramedis", "perawat": "paramedis", "bidan": "paramedis",
    "non-paramedis": "non_paramedis", "non_paramedic": "non_paramedis", "university_student": "mahasiswa",
}
#: Roles whose only sign-in is the school app's NISN/NIP/NIK (contract 002): it is required for them.
SCHOOL_ID_ROLES = STUDENT_ROLES | TEACHER_ROLES
#: ``active`` values (lower-cased) → flag; blank is active.
ACTIVE_VALUES = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False,
                 "ya": True, "tidak": False, "aktif": True, "nonaktif": False}
#: Example row of the template file (the core's columns; each extra column gives its own example).
TEMPLATE_EXAMPLE = {"name": "Siti Rahma", "role": "siswa", "nisn_nip_nik": "0051234567", "npp": "",
                    "email": "", "phone": "081234567890", "office": "", "department": "", "position": "",
                    "active": "1", "password": ""}

#: The core's columns of the export before the extra ones (the import's), in order; ``active`` comes last.
EXPORT_LEADING_COLUMNS: tuple[str, ...] = LEADING_COLUMNS
#: First characters a spreadsheet may read as a formula (OWASP "CSV Injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExtraColumn:
    """A column of the users CSV import and export owned by a vertical (a school's ``class``).

    :param key: the column's canonical name, also its header in the template and the export.
    :param aliases: accepted header names (compared lower-cased, spaces and dashes as ``_``).
    :param title: the column's heading in the preview and result tables (lazy text).
    :param example: the template file's example cell.
    :param describe: ``describe(today: date) -> str``: the upload page's line about the column
        (``today`` the organisation's local date).
    :param check: ``check(rows: list[ImportRow]) -> context``: checks this column of every row
        (``row.role`` is already known), refusing a value with ``row.error(key, message)``;
        returns what ``write`` needs (looked up once per file).
    :param write: ``write(items: list[tuple[ImportRow, User]], context, today: date) -> dict[int, str]``:
        called after the users were flushed (they have ids) with the rows whose cell is not blank;
        writes what the column means in the caller's transaction (only ``flush``) and returns the
        text shown per user id in the result table.
    :param summary: ``summary(n: int) -> str``: the result's sentence about the ``n`` people written.
    :param export: ``export(user_ids: list[int], today: date) -> dict[int, str]``: the cell of each user.
    """

    key: str
    aliases: tuple[str, ...]
    title: object
    example: str
    describe: Callable[[date], str]
    check: Callable[[list["ImportRow"]], Any]
    write: Callable[[list[tuple["ImportRow", User]], Any, date], dict[int, str]]
    summary: Callable[[int], str]
    export: Callable[[list[int], date], dict[int, str]]


_EXTRA_COLUMNS: dict[str, ExtraColumn] = {}


def register_extra_column(column: ExtraColumn) -> ExtraColumn:
    """Add ``column`` to the import and the export (replacing one of the same ``key``: registering twice is harmless)."""
    _EXTRA_COLUMNS[column.key] = column
    return column


def extra_columns() -> list[ExtraColumn]:
    """The registered extra columns, in registration order."""
    return list(_EXTRA_COLUMNS.values())


def columns() -> tuple[str, ...]:
    """Every import column, in the order of the template file and of the preview table."""
    return (*LEADING_COLUMNS, *(c.key for c in extra_columns()), *TRAILING_COLUMNS)


def export_columns() -> tuple[str, ...]:
    """Every export column, in order."""
    return (*EXPORT_LEADING_COLUMNS, *(c.key for c in extra_columns()), "active")


@dataclass
class ImportRow:
    """One data row: ``line`` (1-based line of the file where it starts), ``values``
    (column → stripped text, ``""`` when blank), ``role`` (role key or None) and
    ``errors`` (column → list of lazy messages; empty when the row is valid)."""

    line: int
    values: dict[str, str]
    role: str | None = None
    errors: dict[str, list] = field(default_factory=dict)
    #: The office and department the row names (found by :func:`validate_rows`).
    office: Office | None = None
    department: Department | None = None

    @property
    def valid(self) -> bool:
        """True when no field of the row was refused."""
        return not self.errors

    def error(self, column: str, message) -> None:
        """Refuse ``column`` with ``message``."""
        self.errors.setdefault(column, []).append(message)


@dataclass
class ParsedFile:
    """A read file: ``rows`` in file order, ``delimiter`` found, ``ignored_columns`` (header names not used)."""

    rows: list[ImportRow]
    delimiter: str
    ignored_columns: list[str]

    @property
    def error_count(self) -> int:
        """Rows with at least one error."""
        return sum(1 for r in self.rows if not r.valid)

    @property
    def valid_count(self) -> int:
        """Rows without errors."""
        return len(self.rows) - self.error_count


@dataclass
class ImportedUser:
    """One imported person: ``user``, ``password`` (the generated one, else None) and ``extras``
    (extra column key → the text shown for it, for the columns written for this person)."""

    user: User
    password: str | None
    extras: dict[str, str] = field(default_factory=dict)


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _header_lookup() -> dict[str, str]:
    """Accepted header name → column, the core's and the extra ones."""
    lookup = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
    for extra in extra_columns():
        lookup.update({alias: extra.key for alias in extra.aliases})
    return lookup


def _decode(data: bytes) -> str:
    try:
        return decode_utf8(data)
    except CsvTextError:
        raise ImportFileError(_l("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.")) from None


#: ``;`` when the header line has more semicolons than commas, else ``,`` (shared with the JSON imports).
_delimiter = sniff_delimiter


def parse_csv(data: bytes) -> ParsedFile:
    """Read an uploaded CSV file into rows (not validated yet: see :func:`validate_rows`).

    :param data: the file's bytes, UTF-8 with or without a BOM, ``,`` or ``;`` separated.
    :returns: a :class:`ParsedFile`; blank lines are skipped, cells are stripped.
    :raises ImportFileError: empty file, larger than :data:`MAX_BYTES`, not UTF-8,
        unreadable CSV, a header without ``name``, ``role`` or ``nisn_nip_nik``,
        no data row, or more than :data:`MAX_ROWS` rows.
    """
    if len(data) > MAX_BYTES:
        raise ImportFileError(_l("The file is larger than %(size)d KiB. Split it into smaller files.",
                                 size=MAX_BYTES // 1024))
    text = _decode(data)
    if not text.strip():
        raise ImportFileError(_l("The file is empty."))
    if "\x00" in text:
        raise ImportFileError(_l("The file is not a CSV text file."))
    delimiter = _delimiter(text.splitlines()[0])
    lookup = _header_lookup()
    all_columns = columns()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        header_columns: list[str | None] = []
        ignored: list[str] = []
        for name in header:
            column = lookup.get(_normalise_header(name))
            if column is None or column in header_columns:
                if name.strip():
                    ignored.append(name.strip())
                column = None
            header_columns.append(column)
        missing = [c for c in REQUIRED_COLUMNS if c not in header_columns]
        if missing:
            raise ImportFileError(_l("The header row must name the columns %(columns)s; missing: %(missing)s.",
                                     columns=", ".join(REQUIRED_COLUMNS), missing=", ".join(missing)))
        rows: list[ImportRow] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) >= MAX_ROWS:
                    raise ImportFileError(_l("The file has more than %(max)d rows. Split it into smaller files.",
                                             max=MAX_ROWS))
                values = {c: "" for c in all_columns}
                for column, cell in zip(header_columns, cells):
                    if column is not None:
                        values[column] = unquote_cell(cell.strip())
                rows.append(ImportRow(line=line, values=values))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(_l("The file could not be read as CSV near line %(line)d: %(reason)s",
                                 line=reader.line_num, reason=str(exc))) from None
    if not rows:
        raise ImportFileError(_l("The file has a header but no rows."))
    return ParsedFile(rows=rows, delimiter=delimiter, ignored_columns=ignored)


def _existing(column, values: set[str], *, lower: bool = False) -> set[str]:
    """The subset of ``values`` already stored in ``column`` (in chunks of 500 for the IN list)."""
    found: set[str] = set()
    items = sorted(values)
    expr = db.func.lower(column) if lower else column
    for start in range(0, len(items), 500):
        chunk = items[start:start + 500]
        found.update(v.lower() if lower else v for v in db.session.scalars(db.select(column).where(expr.in_(chunk)))
                     if v is not None)
    return found


def _mark_duplicates(rows: list[ImportRow], column: str, key) -> None:
    """Refuse ``column`` in every row whose value (``key(row)``) appears in more than one row."""
    seen: dict[str, list[ImportRow]] = {}
    for row in rows:
        value = key(row)
        if value:
            seen.setdefault(value, []).append(row)
    for group in seen.values():
        if len(group) > 1:
            lines = ", ".join(str(r.line) for r in group)
            for row in group:
                row.error(column, _l("Appears more than once in the file (lines %(lines)s).", lines=lines))


def _lookup(model) -> dict[str, object]:
    """Offices or departments by lower-cased code and by lower-cased name (codes win)."""
    found: dict[str, object] = {}
    rows = list(db.session.scalars(db.select(model)))
    for row in rows:
        found.setdefault(row.name.lower(), row)
    for row in rows:
        found[row.code.lower()] = row
    return found


def validate_rows(rows: list[ImportRow]) -> dict[str, Any]:
    """Check every row in place (fills ``row.role``, ``row.office``, ``row.department``, ``row.errors``).

    Rules per column (those of :func:`~app.accounts.services.create_user`, plus
    the import's own): ``name`` required, at most 120 characters; ``role`` a
    role of :data:`ROLE_ALIASES`; ``nisn_nip_nik`` required for
    :data:`SCHOOL_ID_ROLES`, else at least one of ``nisn_nip_nik``, ``npp``,
    ``email``; ``nisn_nip_nik`` and ``npp`` at most 32 characters, unique in
    the file and in the database; ``email`` optional, well-formed, at most 254
    characters, unique (case-insensitively) in the file and in the database;
    ``phone`` at most 32 characters; ``office`` and ``department`` blank or an
    existing one's code or name (case-insensitive); ``position`` at most 120
    characters; ``active`` blank or one of :data:`ACTIVE_VALUES`; ``password``
    blank (one is generated) or at least 8 characters; each extra column by
    its own ``check``.

    :returns: extra column key → what its ``check`` returned (for its ``write``).
    """
    for row in rows:
        row.errors.clear()
        v = row.values
        if not v["name"]:
            row.error("name", _l("The name is required."))
        elif len(v["name"]) > 120:
            row.error("name", _l("The name may not be longer than %(n)d characters.", n=120))
        role = ROLE_ALIASES.get(re.sub(r"\s+", "_", v["role"].lower()))
        row.role = role
        if role is None:
            row.error("role", _l("Unknown role. Use one of: %(roles)s.", roles=", ".join(ROLE_KEYS)))
        if not v["nisn_nip_nik"] and role in SCHOOL_ID_ROLES:
            row.error("nisn_nip_nik", _l("The NISN/NIP/NIK is required."))
        elif not (v["nisn_nip_nik"] or v["npp"] or v["email"]) and role is not None:
            row.error("npp", _l("Give an NPP, an email or a NISN/NIP/NIK to sign in with."))
        if len(v["nisn_nip_nik"]) > 32:
            row.error("nisn_nip_nik", _l("At most 32 characters."))
        if len(v["npp"]) > 32:
            row.error("npp", _l("At most 32 characters."))
        if len(v["position"]) > 120:
            row.error("position", _l("At most 120 characters."))
        if v["active"] and v["active"].lower() not in ACTIVE_VALUES:
            row.error("active", _l("Use 1 (active) or 0 (inactive)."))
        email = v["email"].lower()
        if email and (len(email) > 254 or not EMAIL_RE.match(email)):
            row.error("email", _l("Not a valid email address."))
        if len(v["phone"]) > 32:
            row.error("phone", _l("At most 32 characters."))
        password = v["password"]
        if password:
            try:
                check_new_password(password)
            except PasswordRejected as exc:
                row.error("password", _l("%(problem)s Or leave it blank to generate one.",
                                         problem=PASSWORD_MESSAGES[exc.reason]))

    _mark_duplicates(rows, "nisn_nip_nik", lambda r: r.values["nisn_nip_nik"])
    _mark_duplicates(rows, "email", lambda r: r.values["email"].lower())
    _mark_duplicates(rows, "npp", lambda r: r.values["npp"])

    taken_npps = _existing(User.npp, {r.values["npp"] for r in rows if r.values["npp"]})
    offices = _lookup(Office) if any(r.values["office"] for r in rows) else {}
    departments = _lookup(Department) if any(r.values["department"] for r in rows) else {}
    taken_ids = _existing(User.nisn_nip_nik, {r.values["nisn_nip_nik"] for r in rows if r.values["nisn_nip_nik"]})
    taken_emails = _existing(User.email, {r.values["email"].lower() for r in rows if r.values["email"]}, lower=True)
    for row in rows:
        if row.values["nisn_nip_nik"] in taken_ids:
            row.error("nisn_nip_nik", _l("Already used by another user."))
        if row.values["email"] and row.values["email"].lower() in taken_emails:
            row.error("email", _l("Already used by another user."))
        if row.values["npp"] in taken_npps:
            row.error("npp", _l("Already used by another user."))
        row.office = offices.get(row.values["office"].lower()) if row.values["office"] else None
        if row.values["office"] and row.office is None:
            row.error("office", _l("No office has the code or name “%(name)s”.", name=row.values["office"]))
        row.department = departments.get(row.values["department"].lower()) if row.values["department"] else None
        if row.values["department"] and row.department is None:
            row.error("department", _l("No department has the code or name “%(name)s”.",
                                       name=row.values["department"]))
    return {extra.key: extra.check(rows) for extra in extra_columns()}


def derive_password(seed: bytes, line: int) -> str:
    """The generated initial password of the row at ``line``: :data:`GENERATED_PASSWORD_LENGTH`
    characters of :data:`PASSWORD_ALPHABET` drawn without bias from HMAC-SHA256(``seed``, line).

    ``seed`` is 32 random bytes per import (:func:`new_seed`), kept only in the
    admin's session while a large file is imported in steps, so the server
    never writes a password in plain text: the result page derives them again
    to show them once.
    """
    alphabet = PASSWORD_ALPHABET
    limit = 256 - 256 % len(alphabet)          # rejection sampling: no modulo bias
    chars: list[str] = []
    counter = 0
    while len(chars) < GENERATED_PASSWORD_LENGTH:
        block = hmac.new(seed, f"{line}:{counter}".encode(), hashlib.sha256).digest()
        chars.extend(alphabet[b % len(alphabet)] for b in block if b < limit)
        counter += 1
    return "".join(chars[:GENERATED_PASSWORD_LENGTH])


def new_seed() -> bytes:
    """32 random bytes (:func:`secrets.token_bytes`) from which one import's passwords are derived."""
    return secrets.token_bytes(32)


def row_password(row: ImportRow, seed: bytes) -> tuple[str, bool]:
    """``(password, generated)`` of ``row``: the file's password, else the one derived from ``seed``."""
    if row.values["password"]:
        return row.values["password"], False
    return derive_password(seed, row.line), True


def hash_rows(rows: list[ImportRow], seed: bytes) -> list[str]:
    """The argon2id hashes (:func:`~app.accounts.passwords.hash_password`) of ``rows``' passwords, in order.

    This is the slow part of an import: about 0.15-0.2 s per row with the
    project's parameters (RFC 9106, t=3, m=64 MiB, p=4) on two cores, so the
    admin page hashes a large file in steps of :data:`STEP_ROWS` rows.
    """
    return [hash_password(row_password(row, seed)[0]) for row in rows]


def import_rows(rows: list[ImportRow], seed: bytes, password_hashes: list[str] | None = None, *,
                today: date | None = None, actor=None) -> list[ImportedUser]:
    """Create every row's user, then let each extra column write its part (a school enrols the
    students in their class for the academic year of ``today``, the organisation's local date
    by default).

    Runs :func:`validate_rows` again first (the database may have changed since
    the preview); its rules are those of
    :func:`~app.accounts.services.create_user`.  Users are added with the
    precomputed ``password_hashes`` (one per row, from :func:`hash_rows`; hashed
    here when None).  Only ``flush``es: the caller commits, or rolls back on an
    error, so the file is imported all or nothing (the database's unique
    constraints stop a concurrent twin: :class:`sqlalchemy.exc.IntegrityError`).

    With an ``actor`` (the staff user importing), each person is audited as ``user.create``
    (name, role, office, department, position, active, and what each extra column wrote, such as
    a school's ``class``), the entries written in one flush.

    :returns: one :class:`ImportedUser` per row, in file order; ``password`` is
        the generated password (derived from ``seed``, shown once, never stored)
        or None when the file gave one.
    :raises ValidationFailed: (``rows``) some row is invalid; nothing was written.
    """
    today = today or clock.local_today()
    contexts = validate_rows(rows)
    invalid = [r.line for r in rows if not r.valid]
    if invalid:
        raise ValidationFailed({"rows": [f"{len(invalid)} rows have errors."]})
    if password_hashes is None:
        password_hashes = hash_rows(rows, seed)
    if len(password_hashes) != len(rows):
        raise ValidationFailed({"rows": ["The password hashes do not match the rows."]})
    imported: list[ImportedUser] = []
    for row, password_hash in zip(rows, password_hashes):
        v = row.values
        user = User(name=v["name"], role=row.role, email=v["email"].lower() or None,
                    nisn_nip_nik=v["nisn_nip_nik"] or None, npp=v["npp"] or None, phone=v["phone"] or None,
                    office_id=row.office.id if row.office else None,
                    department_id=row.department.id if row.department else None, position=v["position"] or None,
                    is_active=ACTIVE_VALUES.get(v["active"].lower(), True), password_hash=password_hash)
        db.session.add(user)
        password, generated = row_password(row, seed)
        imported.append(ImportedUser(user=user, password=password if generated else None))
    db.session.flush()
    for extra in extra_columns():
        items = [(row, item.user) for row, item in zip(rows, imported) if row.values[extra.key]]
        shown = extra.write(items, contexts[extra.key], today) if items else {}
        for item in imported:
            if item.user.id in shown:
                item.extras[extra.key] = shown[item.user.id]
    if actor is not None:
        from ..audit.services import record

        for row, item in zip(rows, imported):
            user = item.user
            record(actor, "user.create", subject_type="user", subject_id=user.id, person=user, before=None,
                   after={"name": user.name, "role": user.role, "office": row.office.code if row.office else None,
                          "department": row.department.code if row.department else None,
                          "position": user.position, "is_active": user.is_active, **item.extras},
                   reason=None, flush=False)
        db.session.flush()
    return imported


# --- template and export ---------------------------------------------------------

def safe_cell(value) -> str:
    """``value`` as CSV text that a spreadsheet will not run as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
    prefixed with a single quote, as OWASP's "CSV Injection" page recommends
    (https://owasp.org/www-community/attacks/CSV_Injection).  None becomes ``""``.
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def unquote_cell(text: str) -> str:
    """Undo :func:`safe_cell`: ``'+6281...`` (a quote before a formula character) → ``+6281...``."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _write(rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def template_csv() -> str:
    """The import template: the header row (:func:`columns`) and an example row
    (:data:`TEMPLATE_EXAMPLE` and each extra column's example), with a BOM (UTF-8, comma separated)."""
    example = {**TEMPLATE_EXAMPLE, **{extra.key: extra.example for extra in extra_columns()}}
    return _write([columns(), [example[c] for c in columns()]])


def export_csv(users: list[User], today: date | None = None) -> str:
    """Users as CSV text (with a BOM), columns :func:`export_columns`.

    ``role`` is the role key (``siswa``, ``guru``...), ``office`` and
    ``department`` their codes (what :func:`parse_csv` reads back), each extra column's cell as of ``today`` (the organisation's local date by
    default; a school's ``class``: the class of that academic year), ``active`` ``1``/``0``.
    Every cell goes through :func:`safe_cell` (formula injection).
    """
    today = today or clock.local_today()
    ids = [u.id for u in users]
    extras = [extra.export(ids, today) for extra in extra_columns()]
    departments = dict(db.session.execute(db.select(Department.id, Department.code)).all())
    rows = [export_columns()]
    for u in users:
        rows.append([u.name, u.role, u.nisn_nip_nik, u.npp, u.email, u.phone, u.office.code if u.office else None,
                     departments.get(u.department_id), u.position,
                     *(cells.get(u.id) for cells in extras), "1" if u.is_active else "0"])
    return _write(rows)

