"""Contract 000 "Authentication Endpoints" (and "Biometric Authentication", ``auth/refresh``).

Login by ``email`` and ``password`` (the contract's identifier); every token is a
session (:mod:`.auth`).  Rate-limit type ``authentication`` (5 per minute) for
login (per address and email), refresh, change-password and biometric setup (per
token); the rest ``general``.
"""
from __future__ import annotations

from flask import g

from ...accounts import services as accounts
from ...accounts.api_tokens import live_token, live_tokens, revoke, revoke_all
from ...accounts.roles import CLINIC_STAFF_ROLES
from ...common import clock
from ...common.errors import Conflict, NotFound, ValidationFailed
from ...common.ids import parse_row_id
from ...common.ratelimit import login_address_limit
from . import envelope
from .auth import DIALECT, enable_biometrics, refresh_session, session_lifetime, start_session, token_required
from .blueprint import bp
from .ratelimit import login_key, rate_limit
from .serializers import login_user, me as me_json, session as session_json
from .validation import Checker, json_body

#: ``biometric_type`` values of "Biometric Authentication".
BIOMETRIC_TYPES = ("fingerprint", "face_id", "voice")
_BAD_CREDENTIALS = "These credentials do not match our records."


@bp.post("/auth/login")
@login_address_limit
@rate_limit("authentication", key_func=login_key)
def login():
    """``POST /api/v2/auth/login``: ``email``, ``password``, ``device_name`` (optional, ≤ 120),
    ``remember_me`` (optional boolean: a 90-day instead of a 30-day session), ``device_id`` (optional).

    200 ``Login successful`` with ``data {user {id, name, email, role}, token, token_type
    "Bearer", expires_at}``; 422 naming missing/malformed fields; 401 ``Invalid credentials``
    (``errors.email``) for an unknown email or a wrong password (same time either way);
    403 ``Account is inactive`` (``errors.email``) when the password is right but the
    account is deactivated; 403 ``This action is unauthorized.`` (``errors.role``) for a
    role outside :data:`~app.accounts.roles.CLINIC_STAFF_ROLES` (students, teachers ...).
    """
    check = Checker(json_body())
    check.string("email", required=True, max_length=254, email=True)
    check.string("password", required=True, max_length=255, strip=False)
    check.string("device_name", max_length=120)
    check.string("device_id", max_length=191)
    check.boolean("remember_me")
    values = check.done()
    try:
        user = accounts.authenticate(values["email"], values["password"], allowed_roles=CLINIC_STAFF_ROLES)
    except accounts.BadCredentials:
        return envelope.fail("Invalid credentials", 401, {"email": [_BAD_CREDENTIALS]})
    except accounts.InactiveUser:
        return envelope.fail("Account is inactive", 403, {"email": ["This account is inactive."]})
    except accounts.RoleNotAllowed:
        return envelope.forbidden("This account cannot use the clinic app.")
    token, row = start_session(user, device_name=values.get("device_name"),
                               lifetime=session_lifetime(values.get("remember_me", False)),
                               device_id=values.get("device_id"))
    return envelope.ok({"user": login_user(user), "token": token, "token_type": "Bearer",
                        "expires_at": clock.iso_utc(row.expires_at)}, "Login successful")


@bp.post("/auth/logout")
@token_required()
def logout():
    """``POST /api/v2/auth/logout``: revokes the token used (this session only)."""
    revoke(g.api_token)
    return envelope.ok(None, "Logout successful")


@bp.post("/auth/logout-all")
@token_required()
def logout_all():
    """``POST /api/v2/auth/logout-all``: revokes every clinic session of the user, this one included.

    ``data.revoked_sessions`` says how many.
    """
    count = revoke_all(g.user, DIALECT)
    return envelope.ok({"revoked_sessions": count}, "Logged out from all devices")


@bp.get("/auth/me")
@token_required()
def me():
    """``GET /api/v2/auth/me``: the user with the role object (``{id, name, display_name}``)."""
    return envelope.ok(me_json(g.user), "User information")


@bp.post("/auth/change-password")
@rate_limit("authentication")
@token_required()
def change_password():
    """``POST /api/v2/auth/change-password``: ``current_password``, ``new_password`` (the password
    policy: 8..128 characters, not only spaces),
    ``new_password_confirmation``.

    422 naming the field (missing, too short, confirmation mismatch, wrong current
    password: ``errors.current_password``).  On success every other session of the
    user — in every dialect — is revoked; this one stays.  ``data.revoked_sessions``.
    """
    check = Checker(json_body())
    check.string("current_password", required=True, strip=False)
    check.password("new_password")
    check.string("new_password_confirmation", strip=False, max_length=255)
    values = check.done()
    if values.get("new_password_confirmation") != values["new_password"]:
        raise ValidationFailed({"new_password": ["The new password field confirmation does not match."]})
    if not accounts.check_password(g.user, values["current_password"]):
        raise ValidationFailed({"current_password": ["The current password is incorrect."]})
    accounts.set_password(g.user, values["new_password"])
    count = revoke_all(g.user, keep=g.api_token)
    return envelope.ok({"revoked_sessions": count}, "Password changed successfully")


@bp.put("/auth/profile")
@token_required()
def update_profile():
    """``PUT /api/v2/auth/profile``: ``name`` (1..120), ``email`` (valid, unique), ``phone`` (≤ 32; null clears).

    Only keys given change; other keys (role, is_active) are ignored.  422 naming the
    field, ``The email has already been taken.`` for another user's email.  Answers ``auth/me``'s shape.
    """
    check = Checker(json_body())
    check.string("name", max_length=120, nullable=False)
    check.string("email", max_length=254, email=True, nullable=False)
    check.string("phone", max_length=32)
    values = check.done()
    try:
        accounts.update_user(g.user, **values)
    except Conflict as exc:
        field = exc.field or "email"
        raise ValidationFailed({field: [f"The {field} has already been taken."]}) from None
    return envelope.ok(me_json(g.user), "Profile updated successfully")


@bp.get("/auth/sessions")
@token_required()
def sessions():
    """``GET /api/v2/auth/sessions``: the user's live clinic sessions, most recently active first,
    each ``{id, device_name, ip_address, user_agent, last_activity, created_at, expires_at,
    biometric_enabled, current}``."""
    rows = live_tokens(g.user, DIALECT)
    return envelope.ok([session_json(row, g.api_token) for row in rows], "Active sessions")


@bp.delete("/auth/sessions/<session_id>")
@token_required()
def end_session(session_id: str):
    """``DELETE /api/v2/auth/sessions/{session_id}``: revokes one of the user's own sessions at once.

    404 (``errors.session_id``) for an unknown id, another user's session, or one already ended.
    Ending the current session is allowed (it is a logout).
    """
    row = None
    row_id = parse_row_id(session_id)
    if row_id is not None:
        row = live_token(g.user, DIALECT, row_id)
    if row is None:
        raise NotFound("Session not found", field="session_id")
    revoke(row)
    return envelope.ok({"id": str(row.id), "current": row.id == g.api_token.id}, "Session ended")


@bp.post("/auth/refresh")
@rate_limit("authentication")
@token_required()
def refresh():
    """``POST /api/v2/auth/refresh``: a new token for this session, the old one revoked at once.

    The new token keeps the device name, device id, biometric setting and the lifetime
    the session was issued with (30 or 90 days from now).  ``data {token, token_type, expires_at}``.
    """
    token, row = refresh_session(g.user, g.api_token)
    return envelope.ok({"token": token, "token_type": "Bearer", "expires_at": clock.iso_utc(row.expires_at)},
                       "Token refreshed")


@bp.post("/auth/biometric/setup")
@rate_limit("authentication")
@token_required()
def biometric_setup():
    """``POST /api/v2/auth/biometric/setup``: ``biometric_type`` (fingerprint|face_id|voice),
    ``device_id`` (≤ 191), ``biometric_data`` (accepted for the client's sake, never stored nor read).

    The biometric check happens on the phone; the server records only that this
    session (token) may be unlocked by it: the type, the device id and the time.
    ``data {biometric_enabled, biometric_type, device_id, session_id, enabled_at}``.
    """
    data = json_body()
    check = Checker(data)
    check.choice("biometric_type", BIOMETRIC_TYPES, required=True)
    check.string("device_id", required=True, max_length=191)
    if "biometric_data" in data and not isinstance(data["biometric_data"], (str, type(None))):
        check.fail("biometric_data", "The biometric data must be a string.")
    values = check.done()
    row = g.api_token
    enable_biometrics(row, biometric_type=values["biometric_type"], device_id=values["device_id"])
    return envelope.ok({"biometric_enabled": True, "biometric_type": row.biometric_type,
                        "device_id": row.device_id, "session_id": str(row.id),
                        "enabled_at": clock.iso_utc(row.biometric_enabled_at)}, "Biometric authentication enabled")
