"""Bearer-token authentication and role checks of the ``school`` dialect."""
from __future__ import annotations

from functools import wraps

from flask import g, request

from ...accounts.api_tokens import find_token, token_id
from .envelope import fail

DIALECT = "school"


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def rate_limit_key() -> str:
    """Flask-Limiter key: the token's id when one is sent (no DB access), else the client address."""
    row_id = token_id(_bearer())
    if row_id is not None:
        return f"school:token:{row_id}"
    return "school:ip:" + (request.remote_addr or "?")


def token_required(*roles: str):
    """Decorator: load ``g.user``/``g.api_token`` from the bearer token or answer 401.

    :param roles: role keys allowed (none given: any signed-in user); others get 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            row = find_token(_bearer(), DIALECT)
            if row is None:
                return fail("Token tidak valid", 401)
            if roles and row.user.role not in roles:
                return fail("Akses ditolak", 403)
            g.api_token = row
            g.user = row.user
            return view(*args, **kwargs)

        return wrapper

    return decorator
