"""Bearer tokens as sessions for the clinic dialect (contract 000, "Autentikasi").

Tokens are Laravel Sanctum's opaque ``"<id>|<secret>"`` (:mod:`app.accounts.api_tokens`:
only the secret's SHA-256 is stored, ``dialect="clinic"`` so another app's token
is refused).  Each token is one session: device name, client address, user
agent, last activity (written at most once a minute), optional device id.

Lifetimes: :data:`SESSION_DAYS` (30 days, as the contract's login example: issued
2025-07-15, expires 2025-08-15), :data:`REMEMBER_ME_DAYS` (90 days) with
``remember_me``; configurable with ``CLINIC_SESSION_DAYS`` / ``CLINIC_REMEMBER_ME_DAYS``.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import wraps

from flask import current_app, g, request

from ...accounts.api_tokens import find_token, issue_token, revoke
from ...accounts.models import ApiToken, User
from ...common import clock
from ...extensions import db
from . import envelope

DIALECT = "clinic"
SESSION_DAYS = 30
REMEMBER_ME_DAYS = 90


def bearer_token() -> str | None:
    """The ``Authorization: Bearer <token>`` text, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def session_lifetime(remember_me: bool) -> timedelta:
    """How long a new session lasts: 30 days, or 90 with ``remember_me`` (app config may change both)."""
    if remember_me:
        return timedelta(days=current_app.config.get("CLINIC_REMEMBER_ME_DAYS", REMEMBER_ME_DAYS))
    return timedelta(days=current_app.config.get("CLINIC_SESSION_DAYS", SESSION_DAYS))


def start_session(user: User, *, device_name: str | None, lifetime: timedelta,
                  device_id: str | None = None) -> tuple[str, ApiToken]:
    """Issue a clinic token for ``user`` recording this request's address and user agent.

    :returns: ``(plain_token, row)``; ``row.expires_at`` is now + ``lifetime`` (UTC).
    """
    agent = request.headers.get("User-Agent") or None
    return issue_token(user, DIALECT, name=device_name or (agent or "")[:120] or None, ip=request.remote_addr,
                       user_agent=agent, expires_at=clock.now() + lifetime, device_id=device_id)


def lifetime_of(row: ApiToken) -> timedelta:
    """The lifetime ``row`` was issued with (for ``refresh``); 30 days when it has no expiry."""
    if row.expires_at is None or row.created_at is None:
        return timedelta(days=SESSION_DAYS)
    return max(timedelta(minutes=1), _aware(row.expires_at) - _aware(row.created_at))


def refresh_session(user: User, old: ApiToken) -> tuple[str, ApiToken]:
    """Replace ``user``'s session ``old`` by a new token (contract 000, ``POST /api/v2/auth/refresh``):
    the same device name, device id, biometric setting and lifetime (30 or 90 days from now);
    ``old`` is revoked at once.

    :returns: ``(plain_token, row)`` of the new session.
    """
    token, row = start_session(user, device_name=old.name, lifetime=lifetime_of(old), device_id=old.device_id)
    row.biometric_type, row.biometric_enabled_at = old.biometric_type, old.biometric_enabled_at
    revoke(old)
    return token, row


def enable_biometrics(row: ApiToken, *, biometric_type: str, device_id: str) -> None:
    """Turn on biometric sign-in for the session ``row`` (contract 000, "Biometric Authentication",
    ``POST /api/v2/auth/biometric/setup``): its type (one of the route's ``BIOMETRIC_TYPES``), the
    phone's device id, and since when (UTC, :func:`app.common.clock.now`)."""
    row.biometric_type = biometric_type
    row.device_id = device_id
    row.biometric_enabled_at = clock.now()
    db.session.flush()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def token_required(*roles: str):
    """Decorator: the request must carry a live clinic token; sets ``g.user`` and ``g.api_token``.

    :param roles: role keys of :mod:`app.accounts.roles` allowed (``"dokter"``, ``"paramedis"``,
        ``"non_paramedis"``, ``"petugas"``, ``"admin"``); none given: any signed-in user.
    Answers 401 ``Unauthenticated.`` (``errors.token``) for a missing, malformed, unknown,
    revoked or expired token or a deactivated user, and 403 ``This action is unauthorized.``
    (``errors.role``) for a role not in ``roles``.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            row = find_token(bearer_token(), DIALECT)
            if row is None:
                return envelope.unauthenticated()
            if roles and row.user.role not in roles:
                return envelope.forbidden()
            g.api_token = row
            g.user = row.user
            return view(*args, **kwargs)

        return wrapper

    return decorator
