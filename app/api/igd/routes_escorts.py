"""Contract 004 "Escort Management Endpoints": list, create, detail, update, status, delete, photo.

Every response names the caller's ``session_id``; each action bumps its
per-session counter (:mod:`app.escorts.sessions`): list → ``api_access_count``,
create → ``api_submissions_count``, detail → the escort's ``view_count``,
update → ``api_updates_count``, status → ``api_status_updates_count``,
delete → ``api_deletions_count``, an unknown id → ``api_failed_lookups``.
"""
from __future__ import annotations

from flask import g, request, send_file

from ...common import clock
from ...escorts import services as escorts
from ...escorts import sessions
from ...extensions import limiter
from . import envelope
from .auth import DELETE_ROLES, current_session, optional_staff, rate_limit_key, staff_required
from .blueprint import bp
from ..laravel import paginate
from .serializers import CATEGORY_IN, STATUS_DISPLAY
from .serializers import escort as escort_json
from .serializers import escort_detail
from .validation import STATUSES, body, escort_fields, has_control_chars, invalid

#: Registrations per caller (bearer token, else address): the form is open to escorts themselves.
SUBMIT_LIMIT = "10 per minute"


@bp.get("/escort")
@staff_required()
def list_escorts():
    """Escorts newest first in Laravel's paginator, plus ``session_id`` and ``meta``.

    Query: ``kategori`` (Polisi/Ambulans/Perorangan), ``status``
    (pending/verified/rejected), ``search`` (name, patient, phone or plate;
    at most 100 characters), ``page``, ``per_page`` (1..100, default 15).
    A bad value → 422 naming it.
    """
    row = current_session()
    errors = {}
    kategori, status, search = (request.args.get(k, "").strip() for k in ("kategori", "status", "search"))
    if kategori and kategori not in CATEGORY_IN:
        errors["kategori"] = ["The selected kategori is invalid."]
    if status and status not in STATUSES:
        errors["status"] = ["The selected status is invalid."]
    if len(search) > 100:
        errors["search"] = ["The search may not be greater than 100 characters."]
    elif has_control_chars(search):
        errors["search"] = ["The search contains invalid characters."]
    if errors:
        raise invalid(errors)
    stmt = escorts.escorts_query(category=CATEGORY_IN.get(kategori), status=status or None, search=search or None)
    page = paginate(stmt, escort_json, error=invalid)
    count = sessions.record_list(row, result_count=len(page["data"]), total=page["total"])
    return envelope.ok("Escorts retrieved successfully", page, session_id=row.public_id, meta={
        "current_page": page["current_page"], "total_pages": page["last_page"], "per_page": page["per_page"],
        "total": page["total"], "api_access_count": count})


@bp.post("/escort")
@limiter.limit(SUBMIT_LIMIT, key_func=rate_limit_key)
@optional_staff
def create_escort():
    """Register an escort (201).  Open to the escorts themselves (no token) and to staff.

    Body (JSON or multipart): ``kategori_pengantar``, ``nama_pengantar``,
    ``jenis_kelamin``, ``nomor_hp``, ``plat_nomor``, ``nama_pasien``,
    ``foto_pengantar_base64`` (JPEG/PNG, at most 2 MiB and 4096 px a side),
    optional ``status`` — only staff may register with a status other than
    ``pending``.  422 ``Validasi data gagal`` names every refused field.
    """
    row = current_session()
    values, _sent, photo = escort_fields(body(), creating=True)
    if g.user is None and values.get("status", "pending") != "pending":
        raise invalid({"status": ["Status hanya dapat diatur oleh petugas IGD."]})
    escort = escorts.create_escort(**values, photo=photo, created_by=g.user, ip=request.remote_addr,
                                   api_submission=True)
    count = sessions.bump(row, "submissions_count")
    sessions.record_activity(row, "submission", escort, ref=escort.submission_id, ip=request.remote_addr,
                             at=escort.created_at)
    data = escort_json(escort)
    data.update(submission_id=escort.submission_id, api_submission=True)
    return envelope.ok("Data escort berhasil disimpan", data, 201, submission_id=escort.submission_id,
                       session_id=row.public_id, meta={"api_submissions_count": count})


@bp.get("/escort/<int:escort_id>")
@staff_required()
def show_escort(escort_id: int):
    """One escort with its photo read back from the file (``foto_pengantar_base64`` object, null if
    the file is gone); ``meta.view_count`` counts this session's views of it.  404 ``Data escort tidak ditemukan``."""
    row = current_session()
    escort = escorts.get_escort(escort_id)
    data = escort_detail(escort)
    view = sessions.record_view(row, escort)
    return envelope.ok("Escort retrieved successfully", data, session_id=row.public_id, meta={
        "view_count": view.count, "last_viewed": clock.iso_utc(view.last_viewed_at),
        "has_base64_image": data["foto_pengantar_base64"] is not None})


@bp.route("/escort/<int:escort_id>", methods=["PUT", "PATCH"])
@staff_required()
def update_escort(escort_id: int):
    """Change any of the escort's fields (only those sent; ``foto_pengantar_base64`` replaces the photo).

    ``meta.updated_fields`` lists the accepted fields sent, in request order
    (the photo as ``foto_pengantar``).  422 ``Validasi data gagal``; 404.
    """
    row = current_session()
    escort = escorts.get_escort(escort_id)
    values, sent, photo = escort_fields(body(), creating=False)
    escorts.update_escort(escort, actor=g.user, photo=photo, **values)
    count = sessions.bump(row, "updates_count")
    fields = ["foto_pengantar" if name == "foto_pengantar_base64" else name for name in sent]
    return envelope.ok("Data escort berhasil diperbarui", escort_json(escort), update_id=escorts.new_reference("upd"),
                       session_id=row.public_id, meta={"updated_fields": fields, "api_updates_count": count})


@bp.patch("/escort/<int:escort_id>/status")
@staff_required()
def update_status(escort_id: int):
    """Verify, reject or reset an escort: ``{"status": "verified"}``.

    ``data``: ``escort_id, old_status, new_status, status_display`` (Indonesian),
    ``badge_class``.  422 ``Validasi status gagal``; 404.
    """
    row = current_session()
    escort = escorts.get_escort(escort_id)
    status = body().get("status")
    if not isinstance(status, str) or not status.strip():
        raise invalid({"status": ["The status field is required."]}, "Validasi status gagal")
    if status.strip() not in STATUSES:
        raise invalid({"status": ["The selected status is invalid."]}, "Validasi status gagal")
    new = status.strip()
    old = escorts.set_status(escort, new, actor=g.user)
    update_id = escorts.new_reference("status")
    count = sessions.bump(row, "status_updates_count")
    sessions.record_activity(row, "status_update", escort, ref=update_id, ip=request.remote_addr,
                             old_status=old, new_status=new)
    display, badge = STATUS_DISPLAY[new]
    return envelope.ok("Status escort berhasil diperbarui", {
        "escort_id": escort.id, "old_status": old, "new_status": new, "status_display": display,
        "badge_class": badge}, update_id=update_id, session_id=row.public_id,
        meta={"api_status_updates_count": count, "timestamp": clock.iso_utc(clock.now())})


@bp.delete("/escort/<int:escort_id>")
@staff_required(DELETE_ROLES)
def delete_escort(escort_id: int):
    """Delete an escort and its photo file (administrators and *petugas* only).  404 when unknown."""
    row = current_session()
    escort = escorts.get_escort(escort_id)
    delete_id = escorts.new_reference("del")
    sessions.record_activity(row, "delete", escort, ref=delete_id, ip=request.remote_addr)
    escorts.delete_escort(escort, actor=g.user)
    count = sessions.bump(row, "deletions_count")
    return envelope.ok("Data escort berhasil dihapus", delete_id=delete_id, session_id=row.public_id,
                       meta={"api_deletions_count": count})


@bp.get("/escort/<int:escort_id>/photo")
@staff_required()
def escort_photo(escort_id: int):
    """The escort's photo file (``storage_url`` of the detail), for signed-in staff only.

    Sent ``private, no-store`` with ``nosniff``; 404 when the escort or its file is missing.
    """
    escort = escorts.get_escort(escort_id)
    path = escorts.photo_file(escort)
    if path is None:
        return envelope.error("Foto escort tidak ditemukan", 404)
    response = send_file(path, mimetype="image/png" if path.suffix == ".png" else "image/jpeg", max_age=0,
                         conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
