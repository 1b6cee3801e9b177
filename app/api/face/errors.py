"""Contract 003's bodies: bare objects on success, ``{"message": ...}`` on every error.

Section "Error Handling" of the contract: "Semua endpoint return error dalam
format ``{"message": "Error description"}``" with the HTTP status telling
what happened (400, 401, 403, 404, 409, 500; also 405, 413, 415, 429 here).
The messages are the contract's own Indonesian (and, where it has them,
English: ``Profile updated``) wording.
"""
from __future__ import annotations

from flask import jsonify

from ...common.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed

# The contract's documented messages, and ours for the cases it does not name.
NOT_LOGGED_IN = "Anda belum login"
USER_NOT_FOUND = "User tidak ditemukan"
FORBIDDEN = "Anda tidak memiliki akses"
SERVER_ERROR = "Terjadi kesalahan pada server"


class ApiError(Exception):
    """A refusal of this dialect: answered as ``{"message": message}`` with ``status``.

    Raised by the routes and helpers of :mod:`app.api.face`; the blueprint's
    handler turns it into the response (and the request boundary rolls back).
    """

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def body(status: int = 200, **fields):
    """A bare JSON object of ``fields`` (kept in the given order) with ``status``."""
    response = jsonify(fields)
    response.status_code = status
    return response


def fail(message: str, status: int):
    """The contract's error body ``{"message": message}`` with ``status``."""
    return body(status, message=message)


def from_domain_error(exc: DomainError):
    """A service's refusal that no route translated: 400 validation or rule, 404, 403, 409.

    Validation errors give the first field's first message.
    """
    if isinstance(exc, ValidationFailed):
        first = next(iter(exc.errors.values()), ["Permintaan tidak valid"])
        return fail(first[0] if first else "Permintaan tidak valid", 400)
    if isinstance(exc, NotFound):
        return fail(exc.message, 404)
    if isinstance(exc, PermissionDenied):
        return fail(exc.message, 403)
    if isinstance(exc, Conflict):
        return fail(exc.message, 409)
    return fail(exc.message, 400)
