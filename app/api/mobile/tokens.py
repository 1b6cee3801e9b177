"""JWT access tokens of the ``mobile`` dialect (PyJWT, HS256).

Claims: ``sub`` (user id, string), ``npp``, ``dev`` (the bound device id),
``iat``/``exp`` (seconds since the epoch, UTC), ``typ`` = ``"access"``.
Lifetime: ``JWT_ACCESS_TTL_S`` seconds (default 12 h).  A token stops working
when its user is deactivated or its device binding is released (device reset).
"""
from __future__ import annotations

import time
from functools import cache, wraps

import jwt
from flask import current_app, g, request
from sqlalchemy import bindparam
from sqlalchemy.orm import lazyload

from ...accounts.models import DeviceBinding, User
from ...attendance import check_in_cache
from ...common import clock
from ...extensions import db
from .envelope import unauthorized

ALGORITHM = "HS256"


@cache
def _user_and_device_query(position: str | None = None):
    """The token's user, the device bound to it and what a check-in reads from each worker's
    memory (:func:`app.attendance.check_in_cache.token_columns`: the cache versions, whether the
    person has schedule rows of their own today or yesterday, their department and office), in
    one query; with ``position`` (the database's dialect name) also the person's latest position
    (:func:`app.attendance.check_in_cache.with_position`, for the requests that judge one).

    Every authenticated request runs it, so it is built once (the first time: the
    mappers must be complete) and reused with its cache key.  ``User.office`` is
    loaded when first used instead of joined here: most requests never touch it
    (a check-in reads its offices through the per-worker cache,
    :func:`app.places.services.office_ref`).
    """
    stmt = (
        db.select(User, DeviceBinding.device_id, *check_in_cache.token_columns(User.id))
        .outerjoin(DeviceBinding, DeviceBinding.user_id == User.id)
        .where(User.id == bindparam("user_id"))
        .options(lazyload(User.office))
    )
    return check_in_cache.with_position(stmt, User.id, position) if position else stmt


def issue_access_token(user: User, device_id: str) -> tuple[str, int]:
    """Return ``(token, lifetime_seconds)`` for ``user`` on ``device_id``."""
    ttl = int(current_app.config["JWT_ACCESS_TTL_S"])
    now = int(time.time())
    claims = {"sub": str(user.id), "npp": user.npp, "dev": device_id, "iat": now, "exp": now + ttl, "typ": "access"}
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=ALGORITHM), ttl


class TokenError(Exception):
    """The bearer token is missing, expired or invalid; ``args[0]`` is the 401 message."""


def bearer_claims() -> dict:
    """Decode the request's bearer token once per request (cached on ``g``).

    :raises TokenError: ``Token not provided``, ``Token is expired`` or ``Token is invalid``.
    """
    if "mobile_claims" in g:
        claims = g.mobile_claims
        if isinstance(claims, TokenError):
            raise claims
        return claims
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenError("Token not provided")
        try:
            claims = jwt.decode(token.strip(), current_app.config["SECRET_KEY"], algorithms=[ALGORITHM],
                                options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            raise TokenError("Token is expired") from None
        except jwt.InvalidTokenError:
            raise TokenError("Token is invalid") from None
        if claims.get("typ") != "access" or not str(claims.get("sub", "")).isdigit():
            raise TokenError("Token is invalid")
    except TokenError as exc:
        g.mobile_claims = exc
        raise
    g.mobile_claims = claims
    return claims


def rate_limit_key() -> str:
    """Flask-Limiter key: the token's user when there is a valid token, else the client address.

    Keying by user matters: a whole office checks in from one NAT address at 8 a.m.
    """
    try:
        return "mobile:user:" + bearer_claims()["sub"]
    except TokenError:
        return "mobile:ip:" + (request.remote_addr or "?")


def token_required(view):
    """Decorator: load ``g.user`` from the bearer token or answer 401.

    The user must exist, be active, and still be bound to the token's device.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            claims = bearer_claims()
        except TokenError as exc:
            return unauthorized(str(exc))
        today = clock.local_today()
        position = check_in_cache.position_dialect()
        row = db.session.execute(_user_and_device_query(position),
                                 {"user_id": int(claims["sub"]), **check_in_cache.token_parameters(today)}).first()
        if row is None or not row[0].is_active or row[1] != claims.get("dev"):
            return unauthorized("Token is invalid")
        check_in_cache.note(db.session(), row[0].id, today, row[2:], position=position is not None)
        g.user = row[0]
        g.device_id = claims.get("dev")
        return view(*args, **kwargs)

    return wrapper
