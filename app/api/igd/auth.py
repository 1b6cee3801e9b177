"""Who is calling the ``igd`` dialect, and from which session.

Two ways in (contract 004, "Authentication Endpoints"):

- **Bearer token**: ``Authorization: Bearer <id>|<secret>`` issued by
  ``POST /auth/login`` (dialect ``igd``).  No CSRF token is needed: a
  cross-site page cannot set that header.
- **Browser session** (the single-page app, Laravel Sanctum's SPA mode):
  ``GET /sanctum/csrf-cookie`` sets ``igd_session`` (httpOnly) and
  ``XSRF-TOKEN`` (readable by the page's script).  Every POST/PUT/PATCH/DELETE
  that carries the session cookie and no bearer token must send the
  ``XSRF-TOKEN`` value back in ``X-XSRF-TOKEN`` (or ``X-CSRF-TOKEN``), else
  419 ``CSRF token mismatch``.  Signing in over the session binds the user to
  it (cookie and CSRF token are then replaced, against session fixation).

Each request belongs to one :class:`~app.escorts.models.EscortApiSession` (the
per-session counters): the bearer token's session, else the browser's, else a
new browser session whose cookies the response sets.

Roles: :data:`~app.accounts.roles.ER_STAFF_ROLES` use the API; :data:`DELETE_ROLES` may also delete.
"""
from __future__ import annotations

from functools import wraps

from flask import after_this_request, g, request

from ...accounts.api_tokens import find_token, token_id
from ...accounts.roles import ADMIN_ROLES, ER_STAFF_ROLES
from ...common.boundary import commit_step
from ...escorts import sessions
from . import envelope

DIALECT = "igd"
#: The browser session cookie (httpOnly) and the CSRF cookie the page's script reads.
SESSION_COOKIE = "igd_session"
CSRF_COOKIE = "XSRF-TOKEN"
CSRF_HEADERS = ("X-XSRF-TOKEN", "X-CSRF-TOKEN")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Staff who may delete a registration (the data's stewards, not clinical staff).
DELETE_ROLES = ADMIN_ROLES


def bearer() -> str | None:
    """The bearer token text of the request, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def rate_limit_key() -> str:
    """Flask-Limiter key: the bearer token's id when one is sent (no DB access), else the client address."""
    row_id = token_id(bearer())
    if row_id is not None:
        return f"igd:token:{row_id}"
    return "igd:ip:" + (request.remote_addr or "?")


def csrf_refused() -> bool:
    """True when this is an unsafe cookie-session request without the session's CSRF token.

    Requests with a bearer token, or without the session cookie, are not
    cookie-session requests and pass.
    """
    if request.method not in UNSAFE_METHODS or bearer() or SESSION_COOKIE not in request.cookies:
        return False
    row = sessions.find_by_cookie(request.cookies.get(SESSION_COOKIE))
    sent = next((request.headers.get(h) for h in CSRF_HEADERS if request.headers.get(h)), None)
    return row is None or not sessions.csrf_matches(row, sent)


def authenticate():
    """Load ``g.user`` (and ``g.api_token`` for a bearer) once; returns the user or None.

    A bearer that is sent but not valid is refused even when a cookie is sent too.
    """
    if "igd_authenticated" in g:
        return g.user
    g.igd_authenticated = True
    g.user = None
    g.api_token = None
    token = bearer()
    if token:
        row = find_token(token, DIALECT)
        if row is not None:
            g.api_token, g.user = row, row.user
        return g.user
    row = sessions.find_by_cookie(request.cookies.get(SESSION_COOKIE))
    if row is not None and row.user is not None and row.user.is_active:
        g.user = row.user
        g.igd_session = row
    return g.user


def set_session_cookies(cookie_secret: str | None, csrf_token: str) -> None:
    """Have the response set ``igd_session`` (when given) and ``XSRF-TOKEN`` (path ``/``, SameSite=Lax,
    ``Secure`` when the request came over HTTPS)."""
    secure = request.is_secure

    @after_this_request
    def _set(response):
        if cookie_secret:
            response.set_cookie(SESSION_COOKIE, cookie_secret, path="/", httponly=True, samesite="Lax", secure=secure)
        response.set_cookie(CSRF_COOKIE, csrf_token, path="/", httponly=False, samesite="Lax", secure=secure)
        return response


def current_session():
    """The request's :class:`~app.escorts.models.EscortApiSession`, created (and committed) if needed.

    Call it at the top of a view, before any change: a new session is
    committed at once so the cookies the response sets always name a stored
    session, whatever the response's status.
    """
    if g.get("igd_session") is not None:
        return g.igd_session
    with commit_step("the cookies the answer sets must name a stored session, whatever the answer's status"):
        authenticate()
        row = None
        if g.api_token is not None:
            row = sessions.find_or_create_for_token(g.api_token.id)
        elif not bearer():
            row = sessions.find_by_cookie(request.cookies.get(SESSION_COOKIE))
        if row is None:
            cookie_secret, csrf_token = sessions.new_secret(), sessions.new_secret()
            row = sessions.create_session(cookie_secret=cookie_secret, csrf_token=csrf_token)
            set_session_cookies(cookie_secret, csrf_token)
    g.igd_session = row
    return row


def session_id() -> str | None:
    """The public id of the request's session if one was resolved (for error bodies)."""
    row = g.get("igd_session")
    return row.public_id if row is not None else None


def staff_required(roles=ER_STAFF_ROLES):
    """Decorator: a signed-in user (bearer or browser session) with one of ``roles``.

    No or an invalid credential → 401 ``{"message": "Unauthenticated."}``;
    another role → 403 ``{"message": "This action is unauthorized."}``.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = authenticate()
            if user is None:
                return envelope.unauthenticated()
            if user.role not in roles:
                return envelope.forbidden()
            return view(*args, **kwargs)

        return wrapper

    return decorator


def optional_staff(view):
    """Decorator for public routes: loads a signed-in user when there is one.

    An invalid bearer token is still refused (401); a signed-in user whose
    role is not in :data:`~app.accounts.roles.ER_STAFF_ROLES` is treated as anonymous.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        user = authenticate()
        if bearer() and user is None:
            return envelope.unauthenticated()
        if user is not None and user.role not in ER_STAFF_ROLES:
            g.user = None
        return view(*args, **kwargs)

    return wrapper
