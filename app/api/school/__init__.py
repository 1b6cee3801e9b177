"""The ``school`` dialect: contract 002 (SiPresensi), opaque ``id|secret`` bearer tokens.

Mounted at ``/api`` by default, beside ``mobile`` (no path is claimed by both).
Routes live in one module per contract section (``routes_*.py``), all on the
blueprint of :mod:`.blueprint`.
"""
from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from . import envelope


def create_blueprint() -> Blueprint:
    """The dialect's blueprint with every section's routes registered."""
    from .blueprint import bp
    from . import routes_auth  # noqa: F401  (sections register their routes on import)
    from . import routes_attendance  # noqa: F401
    from . import routes_dashboard, routes_settings, routes_users  # noqa: F401
    from . import routes_classes, routes_qr_cards, routes_students  # noqa: F401
    from . import routes_announcements, routes_leaves  # noqa: F401
    from . import routes_offline_sync  # noqa: F401
    return bp


def owns_request(request) -> bool:
    """True for requests carrying this dialect's token form (``<id>|<secret>``)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and "|" in token and token.split("|", 1)[0].strip().isdigit()


def render_http_error(exc: HTTPException):
    """``{"success": false, "message": ...}`` with the HTTP status (contract 002 style)."""
    code = exc.code or 500
    messages = {
        400: "Permintaan tidak valid",
        401: "Token tidak valid",
        403: "Akses ditolak",
        404: "Data tidak ditemukan",
        405: "Metode tidak diizinkan",
        413: "Ukuran permintaan terlalu besar",
        415: "Tipe konten tidak didukung",
        429: "Terlalu banyak permintaan. Coba lagi nanti.",
        503: "Layanan sedang tidak tersedia. Coba lagi nanti.",
    }
    message = messages.get(code, "Terjadi kesalahan pada server" if code >= 500 else (exc.description or "Error"))
    response = envelope.fail(message, code)
    if code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response
