"""Contract 004 "Authentication Endpoints": CSRF cookie, login, check, logout."""
from __future__ import annotations

from flask import g, request

from ...accounts import services as accounts
from ...accounts.api_tokens import issue_token, revoke
from ...accounts.roles import ER_STAFF_ROLES
from ...common import clock
from ...common.ratelimit import login_address_limit
from ...escorts import sessions
from ...extensions import limiter
from . import envelope
from .auth import (DIALECT, SESSION_COOKIE, authenticate, bearer, set_session_cookies,
                   staff_required)
from .blueprint import bp
from .serializers import user as user_json
from .validation import body, has_control_chars, invalid


def _login_key() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    email = data.get("email") if isinstance(data, dict) else None
    return f"igd:login:{request.remote_addr}:{str(email).strip().lower()[:64] if email else '-'}"


@bp.get("/sanctum/csrf-cookie")
def csrf_cookie():
    """204 setting ``XSRF-TOKEN`` (readable by the page) and ``igd_session`` (httpOnly), both path ``/``, SameSite=Lax.

    A browser that already has a session keeps it and gets a fresh CSRF token.
    """
    row = sessions.find_by_cookie(request.cookies.get(SESSION_COOKIE))
    if row is None:
        cookie_secret, csrf_token = sessions.new_secret(), sessions.new_secret()
        sessions.create_session(cookie_secret=cookie_secret, csrf_token=csrf_token)
    else:
        cookie_secret, csrf_token = None, sessions.renew_csrf(row)
    set_session_cookies(cookie_secret, csrf_token)
    return "", 204


@bp.post("/auth/login")
@login_address_limit
@limiter.limit("5 per minute", key_func=_login_key)
def login():
    """Sign in with ``email`` + ``password``; returns the user and a bearer token (``expires_in`` null).

    422 ``Validation failed`` naming ``email``/``password``; 401 ``Invalid
    credentials`` with ``errors.email`` for an unknown email, a wrong password
    or a deactivated account (indistinguishable); 403 for a role that does not
    use the ER app.  Over a browser session (cookie + CSRF header) the session
    is signed in too and gets a new cookie and CSRF token.
    """
    data = body()
    email, password = data.get("email"), data.get("password")
    errors = {}
    if not isinstance(email, str) or not email.strip():
        errors["email"] = ["The email field is required."]
    elif len(email.strip()) > 254 or not accounts.EMAIL_RE.match(email.strip()) or has_control_chars(email):
        errors["email"] = ["The email must be a valid email address."]
    if not isinstance(password, str) or not password:
        errors["password"] = ["The password field is required."]
    elif len(password) > 255:
        errors["password"] = ["The password may not be greater than 255 characters."]
    if errors:
        raise invalid(errors, "Validation failed")
    try:
        user = accounts.authenticate(email.strip(), password, allowed_roles=ER_STAFF_ROLES)
    except accounts.RoleNotAllowed:
        return envelope.error("This account may not use the IGD app", 403,
                              {"email": ["This account may not use the IGD app."]})
    except (accounts.BadCredentials, accounts.InactiveUser):
        return envelope.error("Invalid credentials", 401, {"email": ["The provided credentials are incorrect."]})
    agent = request.headers.get("User-Agent")
    token, row = issue_token(user, DIALECT, name=(agent or "")[:120] or None, ip=request.remote_addr,
                             user_agent=agent)
    browser = None if bearer() else sessions.find_by_cookie(request.cookies.get(SESSION_COOKIE))
    if browser is not None:
        set_session_cookies(*sessions.sign_in(browser, user.id, row.id))
    return envelope.ok("Login successful", {"user": user_json(user), "token": token, "token_type": "Bearer",
                                            "expires_in": None})


@bp.get("/auth/check")
@staff_required()
def check():
    """``{"authenticated": true, "user": {id, name, email, created_at}}``; 401 ``Unauthenticated.`` otherwise."""
    return envelope.ok("User is authenticated", {"authenticated": True, "user": user_json(g.user, full=False)})


@bp.post("/auth/logout")
def logout():
    """End the credential used: revoke the bearer token, or sign the browser session out (and revoke
    the token its sign-in issued).  ``data.logged_out_at`` is the server's time; 401 without a credential.

    Any signed-in user may log out, whatever their role.
    """
    user = authenticate()
    if user is None:
        return envelope.unauthenticated()
    if g.api_token is not None:
        sessions.sign_out_token(g.api_token)
    else:
        sessions.sign_out_browser(g.igd_session)
    return envelope.ok("Successfully logged out", {"logged_out_at": clock.iso_utc(clock.now())})
