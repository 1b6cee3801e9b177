"""Contract 002 sections 1 (auth) and 2 (user & profile)."""
from __future__ import annotations

from flask import g, request

from ...accounts import services as accounts
from ...accounts.api_tokens import issue_token, revoke, revoke_all
from ...common.errors import Conflict
from ...common.ratelimit import login_address_limit
from ...extensions import limiter
from . import envelope
from .auth import DIALECT, rate_limit_key, token_required
from .blueprint import bp
from .serializers import user as user_json
from .validation import Checker, body, unique_failed


def _login_key() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    ident = data.get("nisn_nip_nik") if isinstance(data, dict) else None
    return f"school:login:{request.remote_addr}:{str(ident)[:32] if ident else '-'}"


@bp.post("/auth/login")
@login_address_limit
@limiter.limit("5 per minute", key_func=_login_key)
def login():
    """``POST /api/auth/login`` (contract 002, section 1): ``nisn_nip_nik`` and ``password`` (JSON or form).

    200 ``Login berhasil`` with ``data {user, token}`` (a new bearer token of this dialect, named after
    the ``User-Agent``); 422 ``Validasi gagal`` naming a missing field; 401 ``Kredensial tidak valid``
    for an unknown identifier, a wrong password or an inactive person (one answer for all three).
    Rate-limited per address and per address and identifier (5 a minute).
    """
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    data = data if isinstance(data, dict) else {}
    errors = {}
    ident, password = data.get("nisn_nip_nik"), data.get("password")
    if not isinstance(ident, (str, int)) or isinstance(ident, bool) or not str(ident).strip():
        errors["nisn_nip_nik"] = ["The nisn nip nik field is required."]
    if not isinstance(password, str) or not password:
        errors["password"] = ["The password field is required."]
    if errors:
        return envelope.fail("Validasi gagal", 422, errors)
    user = accounts.find_by_nisn_nip_nik(str(ident).strip()[:32])
    if user is None or not accounts.check_password(user, password) or not user.is_active:
        return envelope.fail("Kredensial tidak valid", 401)
    token, _row = issue_token(user, DIALECT, name=request.headers.get("User-Agent", "")[:120] or None,
                              ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))
    return envelope.ok("Login berhasil", {"user": user_json(user), "token": token})


@bp.post("/auth/logout")
@token_required()
def logout():
    """``POST /api/auth/logout`` (contract 002, section 1): revokes the calling token; 200 ``Logout berhasil``."""
    revoke(g.api_token)
    return envelope.ok("Logout berhasil")


# --- section 2: user & profile ------------------------------------------------

@bp.get("/user")
@token_required()
def current_user():
    """The signed-in user: ``data.user`` (contract 002, ``GET /api/user``)."""
    return envelope.ok("Data user berhasil diambil", {"user": user_json(g.user)})


@bp.get("/profile")
@token_required()
def profile():
    """The signed-in user's profile: ``data`` is the user object (``GET /api/profile``)."""
    return envelope.ok("Data profil berhasil diambil", user_json(g.user))


@bp.put("/profile")
@token_required()
def update_profile():
    """Change one's own ``name``, ``email``, ``phone`` (each optional; email/phone null clears).

    422 names the field: empty or over-long name, malformed or taken email,
    phone over 32 characters.  Other keys (role, identifiers) are ignored.
    """
    check = Checker(body())
    check.string("name", nullable=False, max_length=120)
    check.string("email", email=True, max_length=254)
    check.string("phone", max_length=32)
    values = check.done()
    try:
        accounts.update_user(g.user, **values)
    except Conflict as exc:
        raise unique_failed(exc) from None
    return envelope.ok("Profil berhasil diperbarui", user_json(g.user))


@bp.put("/profile/password")
@limiter.limit("10 per minute", key_func=rate_limit_key)
@token_required()
def change_password():
    """Change one's own password.

    Body: ``current_password``, ``new_password`` (the password policy: 8..128 characters,
    not only spaces),
    ``new_password_confirmation`` (equal to ``new_password``); missing or
    mismatched fields → 422 naming them.  A wrong current password → 400
    ``{"success": false, "message": "Password saat ini salah"}``.  On success
    every other school token of the user is revoked; the one used stays valid.
    """
    data = body()
    check = Checker(data)
    current, confirmation = data.get("current_password"), data.get("new_password_confirmation")
    if not isinstance(current, str) or not current:
        check.fail("current_password", "The current password field is required.")
    check.password("new_password")
    if "new_password" in check.clean and confirmation != check.clean["new_password"]:
        check.fail("new_password", "The new password confirmation does not match.")
    new = check.done()["new_password"]
    if not accounts.check_password(g.user, current):
        return envelope.fail("Password saat ini salah", 400)
    accounts.set_password(g.user, new)
    revoke_all(g.user, DIALECT, keep=g.api_token)
    return envelope.ok("Password berhasil diubah")
