"""The tablet's static files (``kiosk/static/``) at cache-busted URLs.

Every file is served at ``/kiosk/assets/<version>/<path>``, where ``version`` is the first
12 hex digits of a SHA-256 over the names and contents of all files in ``kiosk/static/``.
A deploy that changes any file changes the version, so a tablet that reloads its page
(the page itself is never cached) fetches the new files, and the ES modules' relative
imports (``./camera.js``) resolve inside the same version.  A URL of the current version is
cached for a year (``immutable``); an older version's URL still gets today's file, uncached
(a page loaded before a deploy keeps working until it reloads).

The tablet's JSON answers carry the version in the ``X-Kiosk-Version`` header; the tablet
reloads itself (when idle) once it differs from the version its page was built with.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app, send_from_directory, url_for

from . import bp

#: The folder of the tablet's scripts, styles, icon and manifest.
STATIC = Path(__file__).resolve().parent / "static"
#: Cache lifetime of a current-version asset, in seconds (one year).
MAX_AGE_S = 365 * 24 * 3600
_cached: str | None = None


def current_version() -> str:
    """12 hex digits identifying the current contents of ``kiosk/static/`` (recomputed per call
    in debug mode, so editing a file shows at the next reload; computed once otherwise)."""
    global _cached
    if _cached is None or current_app.debug:
        digest = hashlib.sha256()
        for path in sorted(p for p in STATIC.rglob("*") if p.is_file()):
            digest.update(path.relative_to(STATIC).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        _cached = digest.hexdigest()[:12]
    return _cached


def kiosk_asset(filename: str) -> str:
    """The versioned URL of ``kiosk/static/<filename>``, e.g. ``/kiosk/assets/3f2a9c01d4e7/main.js``."""
    return url_for("kiosk.asset", version=current_version(), filename=filename)


@bp.get("/assets/<version>/<path:filename>")
def asset(version: str, filename: str):
    """One static file of the tablet (404 when it does not exist; see the module doc for caching)."""
    current = version == current_version()
    mimetype = "application/manifest+json" if filename.endswith(".webmanifest") else None
    response = send_from_directory(STATIC, filename, max_age=MAX_AGE_S if current else 0, mimetype=mimetype)
    if current:
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_S}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response
