"""Dynamic QR tokens for attendance (contract 002, section 3): an HMAC of the
secret, the location and the time step.

A token is 32 lowercase hexadecimal characters::

    key   = HMAC-SHA256(SECRET_KEY, "hadir/qr-dynamic/v1")          (purpose-bound key)
    token = HMAC-SHA256(key, "<location-id>:<time-step>")[:16 bytes]  (128 bits, hex)
    step  = floor(unix_time_s / period_s)

``period_s`` is the ``qr_period_seconds`` setting (default 30 s, see
:mod:`app.system.settings`).  Nothing is stored: every app server with the
same ``SECRET_KEY`` (and the same database, for the period) computes the same
token for the same location and step, so any number of servers agree without
shared state.  Servers must keep their clocks in sync (NTP); a token of a step
that has not begun yet on the verifying server is refused as invalid.

**Location.**  The id of the office a person belongs to (``users.office_id``),
or :data:`SCHOOL_LOCATION` (0) for "the school" when they have none.  A token
shown for one office is refused for people of another.

**Validity.**  A token is issued for the current step and ``expires_at`` is the
end of that step (the moment a display should show the next one).  The step
after it is accepted as grace for scanning and network delay, so a token is
accepted until ``expires_at + period_s`` at the latest (:attr:`DynamicToken.valid_until`).

**One use per person and kind.**  The token does not change within a step, so
it cannot be single-use for everybody.  Callers record it on the attendance
event as ``client_ref = "qr:<token>:<kind>"`` (:func:`client_ref`); that column
is unique per user, so the same token gives each person at most one check-in
and one check-out (a replay returns the event already recorded).
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app

from ..common import clock
from ..common.errors import RuleViolation, ValidationFailed
from ..extensions import db

#: Location id of "the school" (people without an office).  Office ids start at 1.
SCHOOL_LOCATION = 0
#: Fixed purpose label mixed into the key, so these MACs can never collide with
#: another use of ``SECRET_KEY`` (sessions, JWTs).
_PURPOSE = b"hadir/qr-dynamic/v1"
#: Default and bounds of the step length in seconds (``qr_period_seconds``).
DEFAULT_PERIOD_S = 30
#: How far back (seconds) a refused token is still recognised as "expired"
#: rather than "invalid" — only to choose the message.
EXPIRED_LOOKBACK_S = 3600
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


class QrTokenError(RuleViolation):
    """The QR token is not valid."""

    code = "qr_invalid"


class QrTokenExpired(QrTokenError):
    """The QR token has expired."""

    code = "qr_expired"


class QrTokenWrongLocation(QrTokenError):
    """The QR token belongs to another location."""

    code = "qr_wrong_location"


@dataclass(frozen=True)
class DynamicToken:
    """A token for one location and step.

    ``expires_at``: end of its step (UTC); ``valid_until``: end of the grace
    step (``expires_at + period_s``), the last moment :func:`verify` accepts it.
    """

    token: str
    location_id: int
    step: int
    period_s: int
    expires_at: datetime
    valid_until: datetime


def derive_key(secret_key: str | bytes) -> bytes:
    """The 32-byte token key: HMAC-SHA256(``secret_key``, purpose label)."""
    if isinstance(secret_key, str):
        secret_key = secret_key.encode()
    return hmac.new(secret_key, _PURPOSE, hashlib.sha256).digest()


def token_for(key: bytes, location_id: int, step: int) -> str:
    """The token of ``location_id`` at time step ``step``: 32 lowercase hex characters (128 bits)."""
    message = f"{int(location_id)}:{int(step)}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:16].hex()


def period_seconds() -> int:
    """The step length in seconds: the ``qr_period_seconds`` setting (10..3600, default 30)."""
    from ..system.settings import get_setting

    value = get_setting("qr_period_seconds")
    return int(value) if value else DEFAULT_PERIOD_S


def _key() -> bytes:
    return derive_key(current_app.config["SECRET_KEY"])


def step_at(moment: datetime, period_s: int) -> int:
    """``floor(unix_time_s / period_s)`` of an aware datetime."""
    return int(moment.timestamp()) // period_s


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def location_of(user) -> int:
    """The QR location of ``user``: their office id, or :data:`SCHOOL_LOCATION` (0) without one."""
    return user.office_id or SCHOOL_LOCATION


def current_token(location_id: int, now: datetime | None = None) -> DynamicToken:
    """The token to show now for ``location_id`` (server clock, UTC)."""
    now = now or clock.now()
    period = period_seconds()
    step = step_at(now, period)
    return DynamicToken(
        token=token_for(_key(), location_id, step), location_id=location_id, step=step, period_s=period,
        expires_at=_at((step + 1) * period), valid_until=_at((step + 2) * period))


def normalise(token) -> str:
    """The token text, stripped and lower-cased.

    :raises ValidationFailed: (field ``qr_token``) missing or not 32 hexadecimal characters.
    """
    if token is None or (isinstance(token, str) and not token.strip()):
        raise ValidationFailed({"qr_token": ["The qr token field is required."]})
    text = token.strip().lower() if isinstance(token, str) else None
    if text is None or not TOKEN_RE.match(text):
        raise ValidationFailed({"qr_token": ["The qr token must be 32 hexadecimal characters."]})
    return text


def verify(token: str, location_id: int, now: datetime | None = None) -> int:
    """Check ``token`` for ``location_id`` at ``now``; returns the step it belongs to.

    Accepted: the current step or the one before (grace).  Comparisons are
    constant-time (:func:`hmac.compare_digest`).

    :raises ValidationFailed: malformed token (see :func:`normalise`).
    :raises QrTokenExpired: a token of this location from an earlier step
        (up to :data:`EXPIRED_LOOKBACK_S` back; older ones are "invalid").
    :raises QrTokenWrongLocation: a current token of another office or of the school.
    :raises QrTokenError: anything else (forged, from the future, too old).
    """
    token = normalise(token)
    now = now or clock.now()
    period = period_seconds()
    key = _key()
    step = step_at(now, period)
    for candidate in (step, step - 1):
        if hmac.compare_digest(token_for(key, location_id, candidate), token):
            return candidate
    # Refused; find out why, only to give a clear message.
    for candidate in range(step - 2, step - 2 - max(1, EXPIRED_LOOKBACK_S // period), -1):
        if hmac.compare_digest(token_for(key, location_id, candidate), token):
            raise QrTokenExpired()
    from ..places.models import Office

    others = [SCHOOL_LOCATION, *db.session.scalars(db.select(Office.id))]
    for other in others:
        if other != location_id and any(
                hmac.compare_digest(token_for(key, other, candidate), token) for candidate in (step, step - 1)):
            raise QrTokenWrongLocation()
    raise QrTokenError()


def client_ref(token: str, kind: str) -> str:
    """The attendance event's idempotency key for ``token`` used for ``kind``: ``qr:<token>:<kind>`` (≤ 64 chars)."""
    return f"qr:{token}:{kind}"
