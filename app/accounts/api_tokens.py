"""Opaque bearer tokens in Laravel Sanctum's ``"<id>|<secret>"`` form (contracts 000, 002, 004).

The secret is 40 random characters (:func:`secrets.token_urlsafe`); only its
SHA-256 is stored, so a database leak yields no usable token.  Verification
looks the row up by id and compares hashes in constant time
(:func:`hmac.compare_digest`).

Each token is one session (device name, address, user agent, last activity);
``last_used_at`` is written at most once per :data:`TOUCH_INTERVAL`, so a busy
client does not turn every read into a database write.

:func:`find_token` reads the token, its user and what a check-in reads from each
worker's memory (:mod:`app.attendance.check_in_cache`) in one statement, as the
mobile dialect's token check does.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam
from sqlalchemy.orm.attributes import set_committed_value

from ..attendance import check_in_cache
from ..common import clock
from ..common.ids import split_credential
from ..extensions import db
from .models import ApiToken, User

#: Least time between two writes of a token's ``last_used_at`` (last activity).
TOUCH_INTERVAL = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User, dialect: str, *, name: str | None = None, ip: str | None = None,
                user_agent: str | None = None, expires_at: datetime | None = None,
                device_id: str | None = None) -> tuple[str, ApiToken]:
    """Create a token for ``user`` issued by ``dialect``.

    :param expires_at: UTC end of validity; None = no expiry.
    :param device_id: the client's own device identifier, if it sent one (at most 191 characters).
    :returns: ``(plain_text, row)``; the plain text (``"<id>|<secret>"``) is never stored.
    """
    secret = secrets.token_urlsafe(30)[:40]
    row = ApiToken(user_id=user.id, dialect=dialect, name=(name or None) and name[:120], token_hash=_digest(secret),
                   ip=ip, user_agent=(user_agent or None) and user_agent[:255], expires_at=expires_at,
                   device_id=(device_id or None) and device_id[:191], last_used_at=clock.now())
    db.session.add(row)
    db.session.flush()
    return f"{row.id}|{secret}", row


def token_id(plain: str | None) -> int | None:
    """The id part of a token text in the ``"<id>|<secret>"`` form, without database access
    (rate-limit keys), or None when the text is malformed (:func:`~app.common.ids.split_credential`)."""
    parsed = split_credential(plain)
    return parsed[0] if parsed else None


@cache
def _token_query(position: str | None = None):
    """The token row, its user and :func:`app.attendance.check_in_cache.token_columns`, in one
    statement (built once per ``position``, when the mappers are complete, and reused with its
    cache key); with ``position`` (the database's dialect name) also the person's latest position
    (:func:`app.attendance.check_in_cache.with_position`)."""
    stmt = (db.select(ApiToken, User, *check_in_cache.token_columns(User.id))
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.id == bindparam("token_id")))
    return check_in_cache.with_position(stmt, User.id, position) if position else stmt


def find_token(plain: str | None, dialect: str, *, touch: bool = True) -> ApiToken | None:
    """The live token row for ``plain`` issued by ``dialect``, or None.

    None when the text is malformed (any id that is not 1..2**31-1 in ASCII digits, an
    empty or over-long secret: :func:`~app.common.ids.split_credential`), unknown,
    of another dialect, revoked, expired, or its user is deactivated.  ``touch`` records
    ``last_used_at`` (at most once per :data:`TOUCH_INTERVAL`).

    One statement reads the token, its user (``row.user`` then needs none) and what a
    check-in reads from each worker's memory, noted for the transaction
    (:func:`app.attendance.check_in_cache.note`, local today of :func:`~app.common.clock.local_today`)
    when the token is live; in a request that judges a position
    (:func:`app.attendance.check_in_cache.reads_position`) also the person's latest position.
    """
    parsed = split_credential(plain)
    if parsed is None:
        return None
    row_id, secret = parsed
    today = clock.local_today()
    position = check_in_cache.position_dialect()
    found = db.session.execute(_token_query(position),
                               {"token_id": row_id, **check_in_cache.token_parameters(today)}).first()
    if found is None:
        return None
    row, user = found[0], found[1]
    if row.dialect != dialect or not hmac.compare_digest(row.token_hash, _digest(secret)):
        return None
    now = clock.now()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    if not user.is_active:
        return None
    set_committed_value(row, "user", user)  # the session keeps loaded objects only weakly
    check_in_cache.note(db.session(), user.id, today, found[2:], position=position is not None)
    if touch and (row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL):
        row.last_used_at = now
    return row


def live_tokens_query(user: User, dialect: str):
    """Select statement of ``user``'s live tokens of ``dialect`` (not revoked, not expired at
    :func:`app.common.clock.now`), most recently used first (then the newest): the sessions a
    person sees and may end."""
    return (db.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.dialect == dialect, ApiToken.revoked_at.is_(None),
                   (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > clock.now()))
            .order_by(ApiToken.last_used_at.desc(), ApiToken.id.desc()))


def live_tokens(user: User, dialect: str) -> list[ApiToken]:
    """``user``'s live tokens of ``dialect``, as :func:`live_tokens_query` orders them."""
    return list(db.session.scalars(live_tokens_query(user, dialect)))


def live_token(user: User, dialect: str, token_id: int) -> ApiToken | None:
    """``user``'s live token ``token_id`` of ``dialect``; None for an unknown id, another person's
    token, another dialect's, or one revoked or expired."""
    return db.session.scalar(live_tokens_query(user, dialect).where(ApiToken.id == token_id))


def revoke(row: ApiToken) -> None:
    """End one token (logout)."""
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        db.session.flush()


def revoke_all(user: User, dialect: str | None = None, *, keep: ApiToken | None = None) -> int:
    """End every live token of ``user`` (of one dialect if given) except ``keep``; returns how many."""
    stmt = db.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if dialect:
        stmt = stmt.where(ApiToken.dialect == dialect)
    if keep is not None:
        stmt = stmt.where(ApiToken.id != keep.id)
    rows = list(db.session.scalars(stmt))
    now = clock.now()
    for row in rows:
        row.revoked_at = now
    db.session.flush()
    return len(rows)
