"""Access rules of the admin web app, one decorator per rule.

- :func:`staff_required`: signed in with a role of
  :data:`~app.accounts.roles.ADMIN_ROLES` (admin or petugas): the dashboard,
  device resets and attendance review.
- :func:`admin_required`: signed in as ``admin``: work schedules, users,
  offices, posts and app versions.

Anonymous requests go to the login page (:func:`login_url_for_current_request`);
signed-in users without the role get 403.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request, url_for
from flask_login import current_user

from ..accounts.roles import ADMIN_ROLES
from ..extensions import login_manager


def is_safe_next(target: str | None) -> bool:
    """True when ``target`` is a path on this site (``/admin/...``), never another host.

    Refuses absolute URLs, scheme-relative ``//host`` and backslash tricks
    (``/\\host``), and anything with control characters.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return False
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def login_url_for_current_request() -> str:
    """The login URL with ``next`` set to the current path (only for GET requests).

    For an htmx request the page the browser shows (``HX-Current-URL``) is
    the place to come back to, not the fragment's URL.
    """
    next_path = None
    if request.headers.get("HX-Request") == "true":
        current = request.headers.get("HX-Current-URL")
        if current:
            parts = urlsplit(current)
            next_path = parts.path + (f"?{parts.query}" if parts.query else "")
    elif request.method == "GET":
        next_path = request.full_path.rstrip("?")
    if next_path and is_safe_next(next_path) and next_path != url_for("admin.login"):
        return url_for("admin.login", next=next_path)
    return url_for("admin.login")


def staff_required(view):
    """Rule: signed in as admin or petugas (others get 403)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in ADMIN_ROLES:
            abort(403)
        return view(*args, **kwargs)

    wrapped.access_rule = "staff"
    return wrapped


def admin_required(view):
    """Rule: signed in as admin (petugas and others get 403)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role != "admin":
            abort(403)
        return view(*args, **kwargs)

    wrapped.access_rule = "admin"
    return wrapped


def public(view):
    """Rule: open to anyone (the login page and the language switch)."""
    view.access_rule = "public"
    return view


def is_admin(user) -> bool:
    """True when ``user`` may use the admin-only pages (used by the navigation)."""
    return bool(getattr(user, "is_authenticated", False)) and user.role == "admin"
