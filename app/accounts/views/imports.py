"""Admin pages of the users CSV import and export (admins only), on the ``accounts`` blueprint.

- ``GET /admin/users/import``: the upload form and the template link;
- ``POST /admin/users/import``: read and check the file, keep it on the server
  under a random token (``UPLOAD_FOLDER/imports/<token>.csv``, the token also
  in the session so only the uploader's session can confirm it) and show the
  preview; nothing is written to the database;
- ``POST /admin/users/import/confirm``: check the kept file again and import
  every row in one transaction, then show the result with the generated
  passwords (once; they are not stored).  A file of more than
  :data:`~app.accounts.csv_import.STEP_ROWS` rows is hashed in steps instead
  (argon2id costs about 0.2 s per row):
- ``POST /admin/users/import/step``: hash the next rows (the page posts it
  again and again with htmx, showing a progress bar; only the hashes are kept,
  in ``<token>.hashes.json`` next to the file; the generated passwords are
  derived from a random seed kept in the admin's session only); the last step
  writes every row in one transaction and shows the result;
- ``GET /admin/users/import/template.csv``: the header and one example row;
- ``GET /admin/users/export.csv``: the user list (same ``q``/``role`` filters) as CSV.

The service code is :mod:`app.accounts.csv_import`.  The blueprint is owned by the
package :mod:`app.accounts.views`, which imports this module.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from flask import Response, current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ...admin.access import admin_required
from ...admin.rendering import render
from ...common import clock
from ...common.boundary import commit_step, refuse
from ...common.errors import DomainError
from ...common.staging import StagedUploads
from ...extensions import db
from .. import csv_import
from .. import services as accounts
from ..forms import UserImportConfirmForm, UserImportForm
from ..roles import ROLE_BY_KEY, ROLE_KEYS
from . import bp

#: Session key holding the token of the file being previewed.
SESSION_KEY = "users_import_token"
#: Session key holding (hex) the random seed of the generated passwords while a large file is imported in steps.
SEED_KEY = "users_import_seed"
#: The uploaded file between preview, steps and confirmation, with its password hashes beside it.
STAGED = StagedUploads("imports", SESSION_KEY, sides=(".hashes.json",), session_extras=(SEED_KEY,))


def _panel(form=None, **context):
    """The import page, or only its panel for an htmx request."""
    context.setdefault("max_rows", csv_import.MAX_ROWS)
    context.setdefault("max_kib", csv_import.MAX_BYTES // 1024)
    context.setdefault("columns", csv_import.columns())
    context.setdefault("role_keys", ROLE_KEYS)
    today = clock.local_today()
    context.setdefault("extras", [(extra, extra.describe(today)) for extra in csv_import.extra_columns()])
    return render("accounts/import.html", "accounts/_partials/import_panel.html",
                  form=form if form is not None else UserImportForm(), **context)


def _preview(token: str, data: bytes, *, error=None):
    """Parse and check ``data``; the preview panel (or the upload form with the file's error)."""
    try:
        parsed = csv_import.parse_csv(data)
    except csv_import.ImportFileError as exc:
        STAGED.discard(token)
        form = UserImportForm(formdata=None)
        form.add_error("file", exc.message)
        return _panel(form)
    csv_import.validate_rows(parsed.rows)
    return _panel(step="preview", parsed=parsed, token=token, error=error,
                  confirm_form=UserImportConfirmForm(formdata=None, token=token),
                  role_labels={k: r.label for k, r in ROLE_BY_KEY.items()})


@bp.get("/users/import")
@admin_required
def users_import():
    """The upload form: columns, limits, the template link."""
    return _panel()


@bp.post("/users/import")
@admin_required
def users_import_upload():
    """Read the uploaded CSV and show every row with its errors (nothing is written)."""
    form = UserImportForm()
    if not form.validate_on_submit():
        return _panel(form)
    data = form.file.data.read(csv_import.MAX_BYTES + 1)
    if len(data) > csv_import.MAX_BYTES:
        form.add_error("file", _("The file is larger than %(size)d KiB. Split it into smaller files.",
                                 size=csv_import.MAX_BYTES // 1024))
        return _panel(form)
    token = STAGED.stage(data)
    return _preview(token, data)


def _hashes_path(token: str) -> Path:
    return STAGED.side_path(token, ".hashes.json")


def _read_hashes(token: str) -> list[str]:
    path = _hashes_path(token)
    if not path.is_file():
        return []
    try:
        hashes = json.loads(path.read_text())
    except ValueError:
        return []
    return hashes if isinstance(hashes, list) and all(isinstance(h, str) for h in hashes) else []


def _write_hashes(token: str, hashes: list[str]) -> None:
    STAGED.write_side(token, ".hashes.json", json.dumps(hashes))


def _session_seed() -> bytes | None:
    value = session.get(SEED_KEY)
    try:
        return bytes.fromhex(value) if isinstance(value, str) and len(value) == 64 else None
    except ValueError:
        return None


def _expired():
    form = UserImportForm(formdata=None)
    form.add_error(None, _("This import has expired or was already done. Upload the file again."))
    return _panel(form)


def _load_staged(token: str | None):
    """``(data, parsed)`` of the uploader's kept file, or None (wrong token, another session, gone, unreadable)."""
    data = STAGED.load(token)
    if data is None:
        return None
    try:
        return data, csv_import.parse_csv(data)
    except csv_import.ImportFileError:
        STAGED.discard(token)
        return None


def _finish(token: str, data: bytes, parsed, seed: bytes, hashes: list[str] | None):
    """Write every row in one transaction and show the result; or the preview again when a row became invalid."""
    started = time.perf_counter()
    try:
        with commit_step("written before the answer: a key taken meanwhile (IntegrityError at commit) "
                         "shows the preview again, not a 500"):
            imported = csv_import.import_rows(parsed.rows, seed, hashes, actor=current_user._get_current_object())
    except (DomainError, IntegrityError):
        refuse()
        _hashes_path(token).unlink(missing_ok=True)
        session.pop(SEED_KEY, None)
        return _preview(token, data, error=_("Nothing was imported: some rows have errors. "
                                             "Correct the file and upload it again."))
    current_app.logger.info("users CSV import: %d rows written in %.1f s", len(imported), time.perf_counter() - started)
    STAGED.discard(token)
    return _panel(step="result", imported=imported,
                  generated=[i for i in imported if i.password],
                  summaries=[extra.summary(written) for extra in csv_import.extra_columns()
                             if (written := sum(1 for i in imported if extra.key in i.extras))])


def _progress(token: str, done: int, total: int):
    return _panel(step="running", token=token, done=done, total=total,
                  step_form=UserImportConfirmForm(formdata=None, token=token))


@bp.post("/users/import/confirm")
@admin_required
def users_import_confirm():
    """Import the previewed file: all rows in one transaction, or none when any row is refused.

    A file of up to :data:`~app.accounts.csv_import.STEP_ROWS` rows is imported
    in this request; a larger one is hashed in steps (:func:`users_import_step`),
    with a progress bar, and written at the last step.
    """
    form = UserImportConfirmForm()
    token = form.token.data if form.validate_on_submit() else None
    staged = _load_staged(token)
    if staged is None:
        return _expired()
    data, parsed = staged
    csv_import.validate_rows(parsed.rows)
    if parsed.error_count:
        return _preview(token, data, error=_("Nothing was imported: some rows have errors. "
                                             "Correct the file and upload it again."))
    seed = csv_import.new_seed()
    if len(parsed.rows) <= csv_import.STEP_ROWS:
        return _finish(token, data, parsed, seed, None)
    session[SEED_KEY] = seed.hex()
    _write_hashes(token, [])
    return _progress(token, 0, len(parsed.rows))


@bp.post("/users/import/step")
@admin_required
def users_import_step():
    """Hash the next :data:`~app.accounts.csv_import.STEP_ROWS` rows of a large import (only hashes are kept,
    next to the file); after the last rows, write the whole file in one transaction and show the result."""
    form = UserImportConfirmForm()
    token = form.token.data if form.validate_on_submit() else None
    staged = _load_staged(token)
    seed = _session_seed()
    if staged is None or seed is None or not _hashes_path(token).is_file():
        return _expired()
    data, parsed = staged
    hashes = _read_hashes(token)
    total = len(parsed.rows)
    if len(hashes) < total:
        chunk = parsed.rows[len(hashes):len(hashes) + csv_import.STEP_ROWS]
        hashes.extend(csv_import.hash_rows(chunk, seed))
        _write_hashes(token, hashes)
        if len(hashes) < total:
            return _progress(token, len(hashes), total)
    return _finish(token, data, parsed, seed, hashes[:total])


@bp.get("/users/import/template.csv")
@admin_required
def users_import_template():
    """The template file: the header row and one example row (UTF-8 with BOM)."""
    return Response(csv_import.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="hadir-users-template.csv"'})


@bp.get("/users/export.csv")
@admin_required
def users_export():
    """The users of the list's filters (``q``, ``role``, ``department``) as CSV, formulas neutralised."""
    search = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    if role not in ROLE_BY_KEY:
        role = ""
    from ...departments.services import department_tree
    from .users import department_filter

    _value, department_ids = department_filter(department_tree())
    users = list(db.session.scalars(accounts.users_query(search=search, role=role or None,
                                                         department_ids=department_ids)))
    body = csv_import.export_csv(users)
    filename = f"hadir-users-{clock.local_today():%Y%m%d}.csv"
    response = Response(body.encode("utf-8"), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    response.charset = "utf-8"
    return response

