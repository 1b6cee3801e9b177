"""Contract 002 sections 1 (auth) and 2 (user & profile)."""
from __future__ import annotations

from flask import g, request

from ...accounts import services as accounts
from ...accounts.api_tokens import issue_token, revoke
from ...accounts.models import User
from ...extensions import db, limiter
from . import envelope
from .auth import DIALECT, token_required
from .blueprint import bp
from .serializers import user as user_json


def _login_key() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    ident = data.get("nisn_nip_nik") if isinstance(data, dict) else None
    return f"school:login:{request.remote_addr}:{str(ident)[:32] if ident else '-'}"


@bp.post("/auth/login")
@limiter.limit("5 per minute", key_func=_login_key)
def login():
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
    user = db.session.scalar(db.select(User).filter_by(nisn_nip_nik=str(ident).strip()[:32]))
    if user is None or not accounts.check_password(user, password) or not user.is_active:
        return envelope.fail("Kredensial tidak valid", 401)
    token, _row = issue_token(user, DIALECT, name=request.headers.get("User-Agent", "")[:120] or None,
                              ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))
    return envelope.ok("Login berhasil", {"user": user_json(user), "token": token})


@bp.post("/auth/logout")
@token_required()
def logout():
    revoke(g.api_token)
    return envelope.ok("Logout berhasil")
