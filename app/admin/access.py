"""Access rules of the web app: one decorator per rule, every rule a union of role groups.

Every view of the web app carries exactly one rule, read by the navigation and the tests:

- :func:`roles_required` (``*groups``): signed in with a role of one of the groups of
  :mod:`app.accounts.roles` (never a literal list of keys).  The view keeps the roles as
  ``access_roles`` and the rule's name as ``access_rule``.
- :func:`signed_in_required`: anyone who may use the web app (:func:`may_use_web_app`):
  their own pages.
- :func:`staff_required`: :data:`~app.accounts.roles.ADMIN_ROLES` (admin or petugas):
  the dashboard, device resets and attendance review.
- :func:`admin_required`: :data:`~app.accounts.roles.ADMINISTRATOR_ROLES`: work schedules,
  users, offices, posts and app versions.
- :func:`public`: the login page, sign-out and the language switch.

A rule decides by role only; whose record a page shows (a teacher's own class, one's own
leave) is checked by the view against the record (its owner or a service predicate).

Anonymous requests go to the login page (:func:`login_url_for_current_request`);
signed-in users without the role get 403, and so does a student while the school keeps
students out of the web app (setting ``students_web_sign_in``, off by default).
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request, url_for
from flask_login import current_user

from ..accounts.roles import ADMIN_ROLES, ADMINISTRATOR_ROLES, EVERY_ROLE, STUDENT_ROLES
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


def may_use_web_app(user) -> bool:
    """True when ``user`` (a signed-in :class:`~app.accounts.models.User`) may use the web app.

    Everyone who works may; students (:data:`~app.accounts.roles.STUDENT_ROLES`) only while
    the setting ``students_web_sign_in`` is on (off by default: a school decides to let its
    students in).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in STUDENT_ROLES:
        from ..system.settings import get_setting

        return bool(get_setting("students_web_sign_in"))
    return user.role in EVERY_ROLE


def web_app_roles() -> frozenset:
    """The roles that may sign in to the web app now: every role, less the students while the
    setting ``students_web_sign_in`` is off (see :func:`may_use_web_app`)."""
    from ..system.settings import get_setting

    return EVERY_ROLE if get_setting("students_web_sign_in") else EVERY_ROLE - STUDENT_ROLES


def home_endpoint(user) -> str:
    """The page a signed-in ``user`` starts on: the dashboard of today for admins and petugas
    (:data:`~app.accounts.roles.ADMIN_ROLES`), their own home page for everyone else."""
    return "admin.dashboard" if user.role in ADMIN_ROLES else "me.home"


def roles_required(*groups: frozenset, rule: str = "roles"):
    """Decorator: signed in (else the login page) with a role in the union of ``groups`` (else 403).

    :param groups: role groups of :mod:`app.accounts.roles`, e.g. ``roles_required(ER_STAFF_ROLES)``.
    :param rule: the rule's name, kept on the view as ``access_rule`` (``access_roles``: the
        allowed role keys) for the navigation and the role × route tests.
    """
    allowed = frozenset().union(*groups)
    if not allowed:
        raise ValueError("roles_required needs at least one role")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed or not may_use_web_app(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.access_rule = rule
        wrapped.access_roles = allowed
        return wrapped

    return decorator


#: Rule: anyone who may use the web app, for their own pages (profile, schedule, device reset).
signed_in_required = roles_required(EVERY_ROLE, rule="signed_in")
#: Rule: signed in as admin or petugas (others get 403).
staff_required = roles_required(ADMIN_ROLES, rule="staff")
#: Rule: signed in as the administrator (petugas and others get 403).
admin_required = roles_required(ADMINISTRATOR_ROLES, rule="admin")


def may_open(user, endpoint: str) -> bool:
    """True when ``user``'s role passes the access rule of the view ``endpoint`` (the navigation
    shows a link only then).  A view without ``access_roles`` (public, unknown) → False."""
    from flask import current_app

    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "access_roles", None)
    return bool(roles) and getattr(user, "is_authenticated", False) and user.role in roles \
        and may_use_web_app(user)


def require_own_or(owner_id: int | None, *groups: frozenset) -> None:
    """Inside a view: go on only when the record belongs to the signed-in person
    (``owner_id``) or their role is in one of ``groups`` (those who act on others' records);
    else 403.  An id changed in the URL reads nothing of another person's."""
    if owner_id is not None and owner_id == current_user.id:
        return
    if any(current_user.role in group for group in groups):
        return
    abort(403)


def public(view):
    """Rule: open to anyone (the login page and the language switch)."""
    view.access_rule = "public"
    return view


def is_admin(user) -> bool:
    """True when ``user`` may use the admin-only pages (used by the navigation)."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in ADMINISTRATOR_ROLES
