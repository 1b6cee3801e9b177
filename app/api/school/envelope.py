"""Contract 002's envelope: ``{"success": bool, "message": str, "data": ...}``.

Validation failures add ``errors`` keyed by field (Laravel's 422 shape).
"""
from __future__ import annotations

from flask import jsonify

from ...common.errors import Conflict, DomainError, NotFound, PermissionDenied, RuleViolation, ValidationFailed


def ok(message: str | None = None, data=None, status: int = 200, **extra):
    """A success body; ``message``/``data`` are left out when None (the contract omits them at times)."""
    body = {"success": True}
    if message is not None:
        body["message"] = message
    if data is not None:
        body["data"] = data
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    return response


def fail(message: str, status: int, errors: dict | None = None):
    """A failure body ``{"success": false, "message": ..., ["errors": {...}]}``."""
    body = {"success": False, "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def from_domain_error(exc: DomainError):
    """Translate a service's refusal: 422 validation, 404, 409 conflict, 403, 400 rule."""
    if isinstance(exc, ValidationFailed):
        return fail("Validasi gagal", 422, exc.errors)
    if isinstance(exc, NotFound):
        return fail(exc.message, 404)
    if isinstance(exc, PermissionDenied):
        return fail(exc.message, 403)
    if isinstance(exc, Conflict):
        return fail(exc.message, 409)
    if isinstance(exc, RuleViolation):
        return fail(exc.message, 400)
    return fail(exc.message, 400)
