"""The clinic dialect's blueprint, shared by its route modules (``routes_*.py``).

It carries the ``general`` rate limit (:mod:`.ratelimit`), the request id header
on every answer, and the translation of services' domain errors into the
envelope: :class:`~app.common.errors.ValidationFailed` → 422 with the field
errors, :class:`~app.common.errors.NotFound` → 404, ``PermissionDenied`` → 403,
other refusals (``Conflict``, ``RuleViolation``) → 422 keyed by their field
(or ``_``), message as the service wrote it.  A route may catch a domain error
itself to word it for its own section (as :mod:`.routes_attendance` does).
"""
from __future__ import annotations

from flask import Blueprint

from ...common.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from . import envelope
from .ratelimit import apply_general_limit

bp = Blueprint("clinic", __name__)
apply_general_limit(bp)


@bp.after_request
def _request_id_header(response):
    """Every answer of the mount carries :data:`.envelope.REQUEST_ID_HEADER`."""
    response.headers.setdefault(envelope.REQUEST_ID_HEADER, envelope.request_id())
    return response


@bp.errorhandler(ValidationFailed)
def _validation_failed(exc: ValidationFailed):
    return envelope.validation_failed(exc.errors)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    if isinstance(exc, NotFound):
        return envelope.fail(exc.message, 404, {exc.field or "resource": [exc.message]})
    if isinstance(exc, PermissionDenied):
        return envelope.forbidden(exc.message)
    return envelope.fail(exc.message, 422, {exc.field or "_": [exc.message]})
