"""Security headers on every response, set by flask-talisman (1.1.0, pinned in requirements.txt).

Why a library: Talisman is the Flask extension for these headers (Apache-2.0, one small
module, read before pinning).  Its last release is from 2023; the headers it writes are
stable standards, so that is acceptable.  Two of its features are switched off because
Hadir does them per request: redirecting HTTP to HTTPS (``force_https``; TLS ends at the
reverse proxy, and ``make run`` serves plain HTTP on 127.0.0.1) and forcing the session
cookie ``Secure`` for every request (``session_cookie_secure``; :mod:`app.common.cookies`
adds it whenever the request came over HTTPS).

Every response — admin pages and fragments, error pages, the kiosk, ``/face/``, the JSON
APIs — carries:

- ``Content-Security-Policy`` (:data:`CSP`): scripts only from the app's own files (no
  inline ``<script>``, no ``on*=`` attributes, no ``eval``; ``static/admin/base.js`` holds
  the admin pages' behaviour); styles from the app plus inline ``style`` attributes (the
  card sheet positions each card in millimetres); images, camera snapshots and the QR
  scanner's worker from the app or ``data:``/``blob:`` URLs it makes itself; requests
  (``fetch``, htmx) and form posts to the app only; no plugins; ``frame-ancestors 'none'``:
  no site may frame a page (clickjacking).
- ``X-Frame-Options: DENY`` (the same, for old browsers), ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: same-origin`` (a kiosk pairing link's code never leaves
  the site).
- ``Permissions-Policy`` (:data:`PERMISSIONS_POLICY`): the camera for the app's own pages
  (kiosk, ``/face/``, face enrolment), microphone, geolocation, payment and USB for none.
- ``Strict-Transport-Security`` (one year, this host only) on responses to HTTPS requests.
"""
from __future__ import annotations

from flask import Flask

from ..extensions import talisman

#: The Content-Security-Policy of every response (see the module doc).
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "worker-src": "'self' blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
#: Browser features the pages may use: the camera (kiosk, /face/, face enrolment), nothing else.
PERMISSIONS_POLICY = {
    "camera": "(self)",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "browsing-topics": "()",
}


def init_security_headers(app: Flask) -> None:
    """Have :data:`~app.extensions.talisman` set the headers of the module doc on every response."""
    talisman.init_app(
        app,
        force_https=False,
        session_cookie_secure=False,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        frame_options="DENY",
        content_security_policy=CSP,
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        strict_transport_security=True,
        strict_transport_security_include_subdomains=False,
        x_content_type_options=True,
    )
