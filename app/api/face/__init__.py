"""The ``face`` dialect: contract 003 (Face Attendance), mounted at ``/face/api`` by default.

A browser app for self check-in with a laptop webcam: email + password login
that sets an httpOnly ``token`` cookie (7 days), bare JSON objects, errors as
``{"message": ...}``.  Every endpoint of the contract is served
(:mod:`.routes`): ``POST login``, ``POST register``, ``POST logout``,
``GET``/``PUT profile``, ``POST``/``GET attendance`` and ``GET users``
(admins only).  Mounting it also serves the small self check-in page
(:mod:`.page`, ``/face/``) that uses this API.
"""
from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from . import errors

#: The message of each HTTP error inside the mount (the contract's language).
HTTP_MESSAGES = {
    400: "Permintaan tidak valid",
    401: errors.NOT_LOGGED_IN,
    403: errors.FORBIDDEN,
    404: "Endpoint tidak ditemukan",
    405: "Metode tidak diizinkan",
    413: "Ukuran permintaan terlalu besar",
    415: "Content-Type harus application/json",
    429: "Terlalu banyak permintaan. Coba lagi nanti.",
    503: "Layanan sedang tidak tersedia. Coba lagi nanti.",
}


def create_blueprint() -> Blueprint:
    """The dialect's blueprint with its routes; registering it also registers the page (:mod:`.page`)."""
    from . import routes  # noqa: F401  (registers the routes on the blueprint)
    from .blueprint import bp
    from .page import register_page

    if not getattr(bp, "_hadir_page_hooked", False):
        bp.record_once(lambda state: register_page(state.app))
        bp._hadir_page_hooked = True
    return bp


def owns_request(request) -> bool:
    """True for a request carrying the ``token`` cookie and no ``Authorization`` header
    (only matters when this dialect shares a mount prefix with another)."""
    return "token" in request.cookies and not request.headers.get("Authorization")


def render_http_error(exc: HTTPException):
    """``{"message": ...}`` with the HTTP status (contract 003, "Error Handling")."""
    code = exc.code or 500
    message = HTTP_MESSAGES.get(code, errors.SERVER_ERROR if code >= 500 else (exc.description or "Error"))
    response = errors.fail(message, code)
    if code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response
