"""The ``mobile`` dialect's envelope: ``{"rcode", "message", ...}`` (contract 001, "Response Codes").

rcode: ``00`` success, ``01`` validation, ``81`` not found, ``82``
duplicate/conflict, ``83`` business rule, ``99`` server error.  401 bodies
carry only ``message`` (contract 001, "Unauthorized").
"""
from __future__ import annotations

from flask import jsonify

from ...accounts import services as accounts
from ...attendance import services as attendance
from ...common.errors import Conflict, DomainError, NotFound, PermissionDenied, RuleViolation, ValidationFailed

OK, VALIDATION, NOT_FOUND, CONFLICT, RULE, SERVER = "00", "01", "81", "82", "83", "99"


def ok(message: str = "Success", status: int = 200, **fields):
    """A success body: ``{"rcode": "00", "message": ..., **fields}``."""
    return jsonify({"rcode": OK, "message": message, **fields}), status


def fail(rcode: str, message: str, status: int, **fields):
    """A failure body in the rcode envelope."""
    return jsonify({"rcode": rcode, "message": message, **fields}), status


def unauthorized(message: str):
    """401 with the contract's bare ``{"message": ...}`` body."""
    response = jsonify({"message": message})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def validation_failed(errors: dict[str, list[str]]):
    """422 ``{"rcode": "01", "message": "Validation failed", "errors": {field: [..]}}``."""
    return fail(VALIDATION, "Validation failed", 422, errors=errors)


def from_domain_error(exc: DomainError):
    """Translate a service's domain error into this dialect's response (contract wording where it has one)."""
    if isinstance(exc, ValidationFailed):
        return validation_failed(exc.errors)
    if isinstance(exc, accounts.BadCredentials):
        return jsonify({"message": "NRK atau Password Salah"}), 401
    if isinstance(exc, accounts.DeviceTakenByOther):
        return fail(NOT_FOUND, "Device Telah Terdaftar ke User Lain", 403)
    if isinstance(exc, accounts.DeviceMismatch):
        return fail(NOT_FOUND, "Device Tidak Sesuai. Silakan ajukan reset device.", 403)
    if isinstance(exc, accounts.InactiveUser):
        return fail(RULE, "User tidak aktif", 403)
    if isinstance(exc, attendance.AlreadyCheckedIn):
        return fail(CONFLICT, "You have already checked in today", 400)
    if isinstance(exc, attendance.AlreadyCheckedOut):
        return fail(CONFLICT, "You have already checked out today", 400)
    if isinstance(exc, accounts.PendingResetExists):
        return fail(CONFLICT, "Anda sudah memiliki permintaan reset device yang sedang diproses", 400)
    if isinstance(exc, NotFound):
        return fail(NOT_FOUND, exc.message, 404)
    if isinstance(exc, Conflict):
        return fail(CONFLICT, exc.message, 400)
    if isinstance(exc, PermissionDenied):
        return fail(RULE, exc.message, 403)
    if isinstance(exc, RuleViolation):
        return fail(RULE, exc.message, 400)
    return fail(SERVER, f"Error: {exc.message}", 500)
