"""The ``token`` cookie of contract 003 and the checks built on it.

- Login sets ``token``: an opaque ``<id>|<secret>`` token of
  :mod:`app.accounts.api_tokens` (dialect ``face``; only the SHA-256 of the
  secret is stored, so it can be revoked and a database leak yields nothing
  usable).  The row's ``expires_at`` is the login time + 7 days (the contract's
  "valid 7 days"), and the cookie's ``Max-Age`` is the same 7 days: the server
  refuses the token after 7 days even if a client keeps the cookie.
- Cookie flags: ``HttpOnly`` (scripts cannot read it), ``SameSite=Lax``,
  ``Secure`` when the request came over HTTPS (``request.is_secure``; behind a
  reverse proxy that needs ``TRUSTED_PROXIES``), ``Path`` = the dialect's mount
  (``/face/api`` by default) so the browser sends it to this API only.
- Only the cookie authenticates: the contract's client sends ``Cookie:
  token=...`` and nothing else; an ``Authorization`` header is ignored.
- Cross-site request forgery (the cookie is sent automatically): SameSite=Lax
  keeps it off cross-site POST/PUT requests in current browsers; in addition
  every state-changing request with an ``Origin`` header naming another host is
  refused (403), and a request with a body must be ``application/json``
  (:func:`json_body`), which a cross-site HTML form cannot send without a CORS
  preflight that this API never grants.
"""
from __future__ import annotations

from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, g, request

from ...accounts.api_tokens import find_token, token_id
from . import settings
from .errors import FORBIDDEN, NOT_LOGGED_IN, USER_NOT_FOUND, ApiError

DIALECT = "face"
COOKIE = "token"
#: Lifetime of a login (contract 003, POST /api/login: "valid 7 days").
TOKEN_LIFETIME = timedelta(days=7)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def cookie_path() -> str:
    """The cookie's ``Path``: the dialect's mount (``/face/api`` by default), ``/`` at the root."""
    prefix = current_app.config.get("DIALECT_MOUNTS", {}).get(DIALECT) or ""
    return (request.script_root or "") + (prefix or "") or "/"


def set_token_cookie(response, token: str) -> None:
    """Attach ``token`` to ``response`` as the contract's httpOnly cookie (7 days, see module doc)."""
    response.set_cookie(COOKIE, token, max_age=int(TOKEN_LIFETIME.total_seconds()), path=cookie_path(),
                        httponly=True, samesite="Lax", secure=request.is_secure)


def clear_token_cookie(response) -> None:
    """Make the browser forget the cookie (same path and flags, expired)."""
    response.delete_cookie(COOKIE, path=cookie_path(), httponly=True, samesite="Lax", secure=request.is_secure)


def cookie_token() -> str | None:
    """The raw cookie value, or None."""
    value = request.cookies.get(COOKIE)
    return value.strip() if value and value.strip() else None


def rate_limit_key() -> str:
    """Flask-Limiter key: the cookie token's id when it has the token form (no DB access), else the address."""
    row_id = token_id(cookie_token())
    if row_id is not None:
        return f"face:token:{row_id}"
    return "face:ip:" + (request.remote_addr or "?")


def current_login():
    """The live token row of the cookie (revoked, expired or unknown → None)."""
    return find_token(cookie_token(), DIALECT)


def login_required(*, admin: bool = False):
    """Decorator: set ``g.user`` and ``g.api_token`` from the cookie.

    :raises ApiError: 401 ``Anda belum login`` without a live token; 404
        ``User tidak ditemukan`` if the token's user is gone; 403 ``Anda tidak
        memiliki akses`` when ``admin`` and the user's role is not ``admin``
        (contract 003, GET /api/users).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            row = current_login()
            if row is None:
                raise ApiError(401, NOT_LOGGED_IN)
            if row.user is None:
                raise ApiError(404, USER_NOT_FOUND)
            if admin and row.user.role != "admin":
                raise ApiError(403, FORBIDDEN)
            g.api_token = row
            g.user = row.user
            return view(*args, **kwargs)

        return wrapper

    return decorator


def check_origin() -> None:
    """Refuse a state-changing request sent from a page of another host (``before_request``).

    A request without ``Origin`` (curl, older browsers on same-origin requests)
    passes; SameSite=Lax and :func:`json_body` still apply.
    Hosts listed in ``FACE_ALLOWED_ORIGINS`` (:mod:`.settings`, e.g. a front
    end on another port) are accepted too.

    :raises ApiError: 403 ``Anda tidak memiliki akses``.
    """
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    if not origin:
        return
    allowed = {request.host.lower()}
    allowed.update(urlsplit(o).netloc.lower() or o.lower() for o in settings.allowed_origins())
    if origin == "null" or urlsplit(origin).netloc.lower() not in allowed:
        raise ApiError(403, FORBIDDEN)


def json_body(missing_message: str) -> dict:
    """The request's JSON object.

    :param missing_message: the contract's 400 message for this endpoint,
        used when the body is JSON but not an object (or unparseable).
    :raises ApiError: 415 when the body is not ``application/json`` (see the
        module doc: forms cannot forge it); 400 ``missing_message`` for
        malformed JSON or a non-object.
    """
    if not request.is_json:
        raise ApiError(415, "Content-Type harus application/json")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, missing_message)
    return data
