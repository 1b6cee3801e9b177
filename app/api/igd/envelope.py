"""Contract 004's bodies.

- success: ``{"status": "success", "message": ..., "data": ..., <extra keys>}``
  (extras such as ``session_id``, ``meta``, ``update_id`` follow ``data``);
- error: ``{"status": "error", "message": ..., ["errors": {field: [text]}], <extra>}``;
- framework errors (401, 404 route, 405, 413, 415, 419, 429): a bare
  ``{"message": ...}`` (Laravel's exception handler), see :func:`bare`.
"""
from __future__ import annotations

from flask import jsonify

_MISSING = object()


def ok(message: str | None, data=_MISSING, status: int = 200, **extra):
    """A success response; ``data`` is left out when not given, ``message`` when None."""
    body: dict = {"status": "success"}
    if message is not None:
        body["message"] = message
    if data is not _MISSING:
        body["data"] = data
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    return response


def error(message: str, status: int, errors: dict | None = None, **extra):
    """An error response ``{"status": "error", "message", ["errors"], ...extra}``."""
    body: dict = {"status": "error", "message": message}
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    return response


def bare(message: str, status: int, **extra):
    """Laravel's framework error body: ``{"message": ..., ...extra}``."""
    response = jsonify({"message": message, **extra})
    response.status_code = status
    return response


def unauthenticated():
    """401 ``{"message": "Unauthenticated."}`` (contract 004, "Check Authentication Status")."""
    return bare("Unauthenticated.", 401)


def forbidden():
    """403 ``{"message": "This action is unauthorized."}`` (Laravel's wording for a refused role)."""
    return bare("This action is unauthorized.", 403)


def csrf_mismatch():
    """419 ``{"message": "CSRF token mismatch"}`` (contract 004, "CSRF Token Mismatch")."""
    return bare("CSRF token mismatch", 419)
