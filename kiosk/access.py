"""Who may call the tablet's routes: the kiosk credential cookie and the per-mode rule.

The credential (from :func:`app.kiosk.services.pair`) lives in the ``hadir_kiosk`` cookie
(httpOnly, path ``/kiosk``, 400 days).  An unpaired, revoked or replaced credential gets the
pairing page (pages) or ``401 {"error": "unpaired", "message"}`` (JSON), so a revoked kiosk
stops at its next request.
"""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from app.kiosk import services as kiosks

from . import bp
from .answers import reply

#: The credential cookie (never the admin session cookie).
COOKIE = "hadir_kiosk"
#: Its lifetime in seconds (400 days: the longest browsers keep a cookie).
COOKIE_MAX_AGE_S = 400 * 24 * 3600


def set_credential(response, credential: str) -> None:
    """Store the kiosk ``credential`` on ``response`` as the :data:`COOKIE` (Secure over HTTPS)."""
    response.set_cookie(COOKIE, credential, max_age=COOKIE_MAX_AGE_S, path=bp.url_prefix,
                        httponly=True, samesite="Lax", secure=request.is_secure)


def _unpaired():
    wants_json = (request.method != "GET" or request.is_json or request.path.endswith(".json")
                  or request.accept_mimetypes.best == "application/json")
    if wants_json:
        response = jsonify(error="unpaired", message=_("This kiosk is not paired. Ask an admin for a pairing code."))
        response.status_code = 401
    else:
        response = redirect(url_for("kiosk.pair"))
    response.delete_cookie(COOKIE, path=bp.url_prefix)
    return response


def kiosk_required(view):
    """Rule: the request carries a valid kiosk credential (sets ``g.kiosk``); otherwise the
    pairing page or the 401 of the module doc."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        kiosk = kiosks.authenticate(request.cookies.get(COOKIE))
        if kiosk is None:
            return _unpaired()
        g.kiosk = kiosk
        return view(*args, **kwargs)

    return wrapper


def mode_required(mode: str):
    """Rule: a paired kiosk (as :func:`kiosk_required`) with ``mode`` enabled; otherwise
    ``403 {"result": "mode_disabled", "message"}``."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if mode not in g.kiosk.mode_list:
                return reply("mode_disabled", _("This mode is not enabled on this kiosk."), 403)
            return view(*args, **kwargs)

        return kiosk_required(wrapper)

    return decorate
