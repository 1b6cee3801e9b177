"""The ``igd`` dialect's blueprint: request guards (419, 415, 413), rate limit, domain-error bodies."""
from __future__ import annotations

from flask import Blueprint, abort, request

from ...attendance import photos
from ...common.boundary import commit_step
from ...common.errors import DomainError, ValidationFailed
from ...escorts import sessions
from ...escorts.services import EscortNotFound
from ...extensions import limiter
from . import envelope
from .auth import csrf_refused, current_session, rate_limit_key, session_id

bp = Blueprint("igd", __name__)

#: One budget per caller (bearer token, else address) for the whole dialect.
DEFAULT_LIMIT = "120 per minute"
limiter.shared_limit(DEFAULT_LIMIT, scope="igd", key_func=rate_limit_key)(bp)

#: Endpoints whose body may carry a photo (allowed up to :data:`photos.MAX_REQUEST_BYTES`).
PHOTO_ENDPOINTS = frozenset({"igd.create_escort", "igd.update_escort"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _acceptable_body() -> bool:
    """A body is JSON (``application/json``, ``*+json``) or ``multipart/form-data``."""
    return request.is_json or request.mimetype == "multipart/form-data"


@bp.before_request
def _guards():
    """419 before anything else for a cookie session without its CSRF token; then 413 and 415."""
    if csrf_refused():
        return envelope.csrf_mismatch()
    limit = photos.MAX_REQUEST_BYTES if request.endpoint in PHOTO_ENDPOINTS else None
    if limit is not None:
        request.max_content_length = limit
    if request.content_length and request.content_length > (request.max_content_length or float("inf")):
        abort(413)
    if request.method in BODY_METHODS and (request.content_length or request.headers.get("Transfer-Encoding")) \
            and not _acceptable_body():
        abort(415)
    return None


@bp.errorhandler(EscortNotFound)
def _escort_not_found(exc: EscortNotFound):
    """404 ``Data escort tidak ditemukan`` with ``session_id``; the session's ``api_failed_lookups`` counts it.

    The counter is committed here (the 404 response itself changes nothing else).
    """
    row = current_session()
    with commit_step("the session's failed-lookup counter is kept although the 404 answer is rolled back"):
        sessions.bump(row, "failed_lookups")
    return envelope.error("Data escort tidak ditemukan", 404, session_id=row.public_id)


@bp.errorhandler(ValidationFailed)
def _validation_failed(exc: ValidationFailed):
    extra = {"session_id": session_id()} if session_id() else {}
    return envelope.error(getattr(exc, "igd_message", None) or "Validasi data gagal", 422, exc.errors, **extra)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    extra = {"session_id": session_id()} if session_id() else {}
    return envelope.error(exc.message, 400, **extra)
