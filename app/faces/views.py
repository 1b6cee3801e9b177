"""Admin pages of face enrolment (admins only), under ``/admin/faces``.

- ``GET /admin/faces/``: people with their sample counts (search by name,
  email, NPP or NISN/NIP/NIK; filter enrolled / not enrolled);
- ``GET /admin/faces/people/<id>``: a person's samples (thumbnails with the
  detected face box drawn over them), photo upload and webcam capture;
- ``POST /admin/faces/people/<id>/photos``: enrol one or more photos, one
  result per photo (stored, or refused and why);
- ``POST /admin/faces/people/<id>/samples/<sample_id>/delete``: delete a
  sample (the photo file stays for audit, as :func:`~app.faces.services.delete_sample` says);
- ``GET /admin/faces/samples/<sample_id>/photo``: the photo of a sample, from
  ``UPLOAD_FOLDER``, to signed-in admins only, never cached;
- ``GET/POST /admin/faces/bulk`` and ``POST /admin/faces/bulk/step``: bulk
  enrolment from a ZIP of ``<person>/<photo>`` (:mod:`app.faces.bulk`), kept
  under ``UPLOAD_FOLDER/face-imports/<token>.zip`` with its plan in
  ``<token>.json`` and enrolled :data:`STEP_PHOTOS` photos per request (the page
  posts the next step with htmx and shows a progress bar), then a result table.

Upload size: the app's request limit (``MAX_CONTENT_LENGTH``) is 1 MiB.  The
page's script downscales every photo in the browser (longest side
:data:`BROWSER_MAX_SIDE_PX`, JPEG) and sends one photo per request, so a
phone photo of 4-8 MB becomes a ~0.3 MB upload and each request enrols one
photo (~0.1-0.6 s).  The two upload routes still raise the limit for
themselves (:data:`MAX_PHOTOS_REQUEST_BYTES`, :data:`~app.faces.bulk.MAX_ZIP_BYTES`)
with Flask's per-request ``request.max_content_length``, so that a browser
without the script can post original photos and a ZIP of photos fits.  The
app-wide CSRF check reads the form before any view could raise the limit, so
these two routes are exempt from it and check the form's CSRF token
themselves (:func:`_large_body`) — a POST without a valid token is refused
with 400 as everywhere else.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from functools import wraps
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.security import safe_join
from wtforms.validators import ValidationError

from ..accounts import services as accounts
from ..accounts.models import User
from ..admin.access import admin_required
from ..admin.rendering import render, wants_fragment
from ..common.boundary import commit_step, refuse
from ..common.errors import DomainError, NotFound, RuleViolation
from ..common.staging import StagedUploads
from ..extensions import csrf, db
from . import bulk, enrolment_requests, services
from ..accounts.services import find_by_identifier as find_user
from .forms import BulkStepForm, BulkUploadForm, ConfirmForm, PhotoUploadForm
from .models import FaceSample

bp = Blueprint("faces", __name__, url_prefix="/admin/faces")

#: Rows per page of the people list.
PER_PAGE = 20
#: Request limit (bytes) of the photo upload route: a few original photos when the browser posts them without the script.
MAX_PHOTOS_REQUEST_BYTES = 3 * services.MAX_IMAGE_BYTES
#: Most photos enrolled by one request of the photo upload route (the script sends one per request).
MAX_PHOTOS_PER_REQUEST = 10
#: Longest side (px) the page's script downscales photos to before uploading them.
BROWSER_MAX_SIDE_PX = 1600
#: Most photos enrolled per bulk step (each ~0.1-0.6 s), and the time (s) after which a step stops early.
STEP_PHOTOS = 5
STEP_SECONDS = 3.0
#: Session key holding the token of the admin's bulk enrolment.
BULK_SESSION_KEY = "faces_bulk_token"
#: A step lock older than this (seconds) is considered abandoned.
LOCK_MAX_AGE = 120


# --- helpers ------------------------------------------------------------------

def _large_body(limit: int):
    """Let a POST route receive a body of up to ``limit`` bytes, with its CSRF token still checked.

    The route is exempt from the app-wide check (which parses the form under
    the 1 MiB limit before the view runs); the wrapper raises the limit and
    then checks the ``csrf_token`` field itself (:class:`~flask_wtf.csrf.CSRFError`, 400).
    """
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            request.max_content_length = limit
            try:
                validate_csrf(request.form.get("csrf_token"))
            except ValidationError as exc:
                raise CSRFError(exc.args[0] if exc.args else None) from None
            return view(*args, **kwargs)

        csrf.exempt(wrapped)
        return wrapped

    return decorate


def _actor():
    return current_user._get_current_object()


def _load_person(user_id: int) -> User:
    try:
        return accounts.get_user(user_id)
    except NotFound:
        abort(404)


def refusal_text(reason: str | None, count: int | None = None) -> str:
    """The admin's-language sentence for a refusal ``reason`` code (see :data:`app.faces.bulk.REASONS`)."""
    if reason == "several_faces":
        return ngettext("%(num)d face found — the photo must show one person only.",
                        "%(num)d faces found — the photo must show one person only.", count or 2)
    texts = {
        "no_face": _("No face found. Use a sharp, well-lit photo with the face clearly visible."),
        "too_large": _("Too large: at most %(mb)d MB and %(mp)d megapixels.",
                       mb=services.MAX_IMAGE_BYTES // (1024 * 1024), mp=services.MAX_IMAGE_PIXELS // 1_000_000),
        "invalid": _("Not an image: only JPEG and PNG photos are accepted (or the file is damaged)."),
        "not_image": _("Skipped: not a JPEG or PNG file."),
        "limit": _("This person already has %(max)d samples; delete some first.",
                   max=services.MAX_SAMPLES_PER_USER),
        "path": _("Refused: unsafe path in the ZIP."),
        "layout": _("Refused: not in a <person>/<photo> folder."),
        "encrypted": _("Refused: encrypted entry."),
        "unknown_person": _("No user with this email, NPP or NISN/NIP/NIK."),
    }
    return texts.get(reason, _("The photo was refused."))


def _reason_of(exc: DomainError) -> tuple[str, int | None]:
    """Refusal code (and face count) of a service error."""
    if isinstance(exc, services.FaceImageTooLarge):
        return "too_large", None
    if isinstance(exc, services.FaceImageInvalid):
        return "invalid", None
    if isinstance(exc, services.NoFaceFound):
        return "no_face", None
    if isinstance(exc, services.SeveralFaces):
        return "several_faces", exc.details.get("count")
    if isinstance(exc, RuleViolation):
        return "limit", None
    return "invalid", None


def _enrol_bytes(user: User, data: bytes) -> tuple[FaceSample | None, str | None, int | None]:
    """Enrol ``data`` for ``user`` and commit: ``(sample, None, None)`` or ``(None, reason, count)``."""
    try:
        with commit_step("each photo of an upload is kept or refused on its own"):
            sample = services.enrol(user, services.load_image(data), actor=_actor())
    except DomainError as exc:
        reason, count = _reason_of(exc)
        return None, reason, count
    return sample, None, None


@dataclass(frozen=True)
class SampleView:
    """A sample as the gallery shows it: the face box in percent of the photo (left, top, width, height)."""

    sample: FaceSample
    box_pct: tuple[float, float, float, float] | None
    aspect: str | None


def photo_size(relative_path: str) -> tuple[int, int] | None:
    """(width, height) of a stored photo as displayed (EXIF orientation applied), from its header; None if unreadable."""
    from PIL import Image

    full = safe_join(current_app.config["UPLOAD_FOLDER"], relative_path)
    if full is None:
        return None
    try:
        with Image.open(full) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except (OSError, ValueError, SyntaxError):
        return None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return width, height


def _sample_view(sample: FaceSample) -> SampleView:
    size = photo_size(sample.photo_path)
    if not size or not size[0] or not size[1]:
        return SampleView(sample, None, None)
    width, height = size
    box = (100 * sample.box_left / width, 100 * sample.box_top / height,
           100 * (sample.box_right - sample.box_left) / width, 100 * (sample.box_bottom - sample.box_top) / height)
    return SampleView(sample, tuple(round(v, 2) for v in box), f"{width} / {height}")


def _person_context(user: User, **extra) -> dict:
    samples = [_sample_view(s) for s in services.samples_of(user)]
    context = dict(person=user, samples=samples, max_samples=services.MAX_SAMPLES_PER_USER,
                   upload_form=PhotoUploadForm(formdata=None), delete_form=ConfirmForm(formdata=None),
                   browser_max_side=BROWSER_MAX_SIDE_PX, max_image_mb=services.MAX_IMAGE_BYTES // (1024 * 1024),
                   max_image_mp=services.MAX_IMAGE_PIXELS // 1_000_000,
                   results=None, notice=None,
                   pending_enrolment=enrolment_requests.pending_request(user))
    context.update(extra)
    return context


# --- people list ------------------------------------------------------------------

@bp.get("/")
@admin_required
def index():
    """People with their number of face samples; search and enrolled filter, paginated."""
    search = (request.args.get("q") or "").strip()[:100]
    enrolled = request.args.get("enrolled") or ""
    if enrolled not in ("yes", "no"):
        enrolled = ""
    stmt = services.enrolment_people_query(search=search, enrolled={"yes": True, "no": False}.get(enrolled))
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int) or 1, per_page=PER_PAGE, error_out=False)
    counts = services.sample_counts([u.id for u in page.items])
    filters = {k: v for k, v in (("q", search), ("enrolled", enrolled)) if v}
    return render("faces/index.html", "faces/_partials/people.html", page=page, counts=counts,
                  search=search, enrolled=enrolled, filters=filters)


# --- one person ---------------------------------------------------------------------

@bp.get("/people/<int:user_id>")
@admin_required
def person(user_id: int):
    """The person's samples, the photo upload form and the webcam capture."""
    user = _load_person(user_id)
    return render_template("faces/person.html", **_person_context(user))


@bp.post("/people/<int:user_id>/photos")
@admin_required
@_large_body(MAX_PHOTOS_REQUEST_BYTES)
def upload(user_id: int):
    """Enrol each uploaded photo (``photos``); one result per photo, each committed on its own.

    htmx (the page's script): the result items, and the sample gallery swapped out of band.
    """
    user = _load_person(user_id)
    form = PhotoUploadForm()
    files = form.files()
    results = []
    if not files:
        results.append({"filename": "", "ok": False, "message": _("Choose at least one photo.")})
    for n, storage in enumerate(files):
        filename = os.path.basename(storage.filename or "")[:120] or _("photo %(n)d", n=n + 1)
        if n >= MAX_PHOTOS_PER_REQUEST:
            results.append({"filename": filename, "ok": False,
                            "message": _("Not processed: at most %(num)d photos at once.", num=MAX_PHOTOS_PER_REQUEST)})
            continue
        data = storage.stream.read(services.MAX_IMAGE_BYTES + 1)
        sample, reason, count = _enrol_bytes(user, data)
        if sample is not None:
            results.append({"filename": filename, "ok": True, "sample_id": sample.id,
                            "message": _("One face found.")})
        else:
            results.append({"filename": filename, "ok": False, "message": refusal_text(reason, count)})
    context = _person_context(user, results=results)
    return render("faces/person.html", "faces/_partials/upload_results.html", **context)


@bp.post("/people/<int:user_id>/samples/<int:sample_id>/delete")
@admin_required
def delete(user_id: int, sample_id: int):
    """Delete one sample of the person (the photo file stays for audit); htmx: the gallery again."""
    user = _load_person(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.delete_sample(sample_id, user=user, actor=_actor())
    except NotFound:
        refuse()
        message, kind = _("This sample was already deleted."), "info"
    else:
        message, kind = _("The sample was deleted."), "success"
    if wants_fragment():
        return render_template("faces/_partials/samples.html", **_person_context(user, notice=message,
                                                                                 notice_kind=kind))
    flash(message, kind)
    return redirect(url_for("faces.person", user_id=user.id), code=303)


@bp.get("/samples/<int:sample_id>/photo")
@admin_required
def photo(sample_id: int):
    """The enrolment photo of a sample (admins only; never cached, never from ``/static``)."""
    try:
        sample = services.get_sample(sample_id)
    except NotFound:
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], sample.photo_path, max_age=0,
                                   conditional=False)
    response.headers["Cache-Control"] = "no-store, private"
    return response


# --- bulk enrolment ------------------------------------------------------------------

#: The ZIP between the steps of a bulk enrolment, with its plan (``.json``) and the step lock beside it.
STAGED = StagedUploads("face-imports", BULK_SESSION_KEY, suffix=".zip", sides=(".json", ".lock"))


def _staged(token: str | None) -> tuple[Path, Path] | None:
    """``(zip path, plan path)`` of the admin's own bulk enrolment ``token``, or None."""
    if not STAGED.owns(token):
        return None
    zip_path, plan_path = STAGED.path(token), STAGED.side_path(token, ".json")
    return (zip_path, plan_path) if zip_path is not None and plan_path.is_file() else None


def _write_plan(token: str, plan: list[dict]) -> None:
    STAGED.write_side(token, ".json", json.dumps(plan))


def _bulk_panel(form=None, **context):
    context.setdefault("step", "upload")
    context.setdefault("max_entries", bulk.MAX_ENTRIES)
    context.setdefault("max_zip_mb", bulk.MAX_ZIP_BYTES // (1024 * 1024))
    context.setdefault("max_image_mb", services.MAX_IMAGE_BYTES // (1024 * 1024))
    return render("faces/bulk.html", "faces/_partials/bulk_panel.html",
                  form=form if form is not None else BulkUploadForm(formdata=None), **context)


def _progress(token: str, plan: list[dict], *, busy: bool = False):
    queued = [item for item in plan if item.get("queued")]
    done = sum(1 for item in queued if item["status"] != "pending")
    return _bulk_panel(step="running", done=done, total=len(queued), busy=busy,
                       step_form=BulkStepForm(formdata=None, token=token))


def _result(plan: list[dict]):
    for item in plan:
        item["message"] = (_("Stored.") if item["status"] == "stored"
                           else refusal_text(item.get("reason"), item.get("count")))
    tally = {status: sum(1 for i in plan if i["status"] == status)
             for status in ("stored", "refused", "unknown", "skipped")}
    return _bulk_panel(step="result", plan=plan, tally=tally)


@bp.get("/bulk")
@admin_required
def bulk_page():
    """The ZIP upload form and how to lay the ZIP out."""
    return _bulk_panel()


@bp.post("/bulk")
@admin_required
@_large_body(bulk.MAX_ZIP_BYTES + 64 * 1024)
def bulk_upload():
    """Keep the uploaded ZIP under a random token, check its entries and start the steps (progress panel)."""
    form = BulkUploadForm()
    if not form.validate_on_submit():
        return _bulk_panel(form)
    token, _size = STAGED.stage_stream(form.file.data.stream, bulk.MAX_ZIP_BYTES)
    messages = {
        "not_zip": _("This file is not a ZIP file."),
        "too_many": _("The ZIP has more than %(num)d entries. Split it into smaller files.", num=bulk.MAX_ENTRIES),
        "too_big": _("The ZIP would unpack to more than %(mb)d MB. Split it into smaller files.",
                     mb=bulk.MAX_TOTAL_BYTES // (1024 * 1024)),
    }
    try:
        if token is None:
            raise bulk.ZipRefused("too_large")
        plan = bulk.plan_zip(STAGED.path(token), find_user)
    except bulk.ZipRefused as exc:
        STAGED.discard(token)
        form.add_error("file", messages.get(exc.reason, _("The ZIP is larger than %(mb)d MB.",
                                                          mb=bulk.MAX_ZIP_BYTES // (1024 * 1024))))
        return _bulk_panel(form)
    for item in plan:
        item["queued"] = item["status"] == "pending"
    _write_plan(token, plan)
    current_app.logger.info("face bulk enrolment: %d entries, %d photos to enrol", len(plan),
                            sum(1 for i in plan if i["queued"]))
    return _progress(token, plan)


@bp.post("/bulk/step")
@admin_required
def bulk_step():
    """Enrol the next photos (at most :data:`STEP_PHOTOS`, about :data:`STEP_SECONDS`), then the progress
    panel; after the last photo, the result table (and the kept ZIP is deleted)."""
    form = BulkStepForm()
    token = form.token.data if form.validate_on_submit() else None
    staged = _staged(token)
    if staged is None:
        form = BulkUploadForm(formdata=None)
        form.add_error(None, _("This bulk enrolment has expired or is finished. Upload the ZIP again."))
        return _bulk_panel(form)
    zip_path, plan_path = staged
    lock = plan_path.with_suffix(".lock")
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            stale = time.time() - lock.stat().st_mtime > LOCK_MAX_AGE
        except OSError:
            stale = True
        if stale:
            lock.unlink(missing_ok=True)
        return _progress(token, json.loads(plan_path.read_text()), busy=True)
    os.close(fd)
    try:
        plan = json.loads(plan_path.read_text())
        started = time.perf_counter()
        processed = 0
        for item in plan:
            if item["status"] != "pending":
                continue
            if processed >= STEP_PHOTOS or (processed and time.perf_counter() - started > STEP_SECONDS):
                break
            processed += 1
            try:
                user = accounts.get_user(item["user_id"], include_deleted=True)
            except NotFound:
                user = None
            if user is None:
                item.update(status="unknown", reason="unknown_person")
                continue
            try:
                data = bulk.read_entry(zip_path, item["name"])
            except DomainError as exc:
                item["status"], (item["reason"], item["count"]) = "refused", _reason_of(exc)
                continue
            sample, reason, count = _enrol_bytes(user, data)
            if sample is not None:
                item.update(status="stored", sample_id=sample.id)
            else:
                item.update(status="refused", reason=reason, count=count)
        _write_plan(token, plan)
    finally:
        lock.unlink(missing_ok=True)
    if any(item["status"] == "pending" for item in plan):
        return _progress(token, plan)
    STAGED.discard(token)
    return _result(plan)
