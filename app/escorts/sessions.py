"""Per-session counters and recent activity of the ER API (contract 004, "Get Session Stats").

Everything lives in the database (tables ``escort_api_sessions``,
``escort_api_activity``, ``escort_api_views``), so any number of app servers
see the same numbers; counters are bumped with one ``UPDATE … SET n = n + 1``
each, so concurrent requests of one session never lose a count.

Secrets (the browser's session cookie and its ``XSRF-TOKEN``) are kept as
SHA-256 digests only and compared in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from ..accounts.api_tokens import revoke
from ..accounts.models import ApiToken
from ..common import clock
from ..extensions import db
from .models import Escort, EscortApiActivity, EscortApiSession, EscortApiView

#: Counter columns that :func:`bump` may increment.
COUNTERS = ("access_count", "submissions_count", "updates_count", "status_updates_count", "deletions_count",
            "failed_lookups")
#: Activity kinds recorded by :func:`record_activity`.
KINDS = ("submission", "view", "delete", "status_update")
#: Rows of recent activity kept per session and kind (older ones are removed).
KEEP_ACTIVITY = 20


def digest(secret: str) -> str:
    """SHA-256 hex digest of a cookie or CSRF secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """A fresh random secret for a cookie (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def create_session(*, cookie_secret: str | None = None, csrf_token: str | None = None,
                   token_id: int | None = None) -> EscortApiSession:
    """A new session: a browser's (``cookie_secret`` + ``csrf_token``) or a bearer token's (``token_id``)."""
    row = EscortApiSession(public_id=f"session_{secrets.token_hex(16)}",
                           cookie_hash=digest(cookie_secret) if cookie_secret else None,
                           csrf_hash=digest(csrf_token) if csrf_token else None, token_id=token_id)
    db.session.add(row)
    db.session.flush()
    return row


def find_by_cookie(cookie_secret: str | None) -> EscortApiSession | None:
    """The browser session whose cookie is ``cookie_secret``, or None (absent, malformed, unknown)."""
    if not cookie_secret or len(cookie_secret) > 128:
        return None
    return db.session.scalar(db.select(EscortApiSession).filter_by(cookie_hash=digest(cookie_secret)))


def find_or_create_for_token(token_id: int) -> EscortApiSession:
    """The session of bearer token ``token_id``, created on first use (race-safe)."""
    row = db.session.scalar(db.select(EscortApiSession).filter_by(token_id=token_id))
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = create_session(token_id=token_id)
    except IntegrityError:
        row = db.session.scalar(db.select(EscortApiSession).filter_by(token_id=token_id))
    return row


def csrf_matches(row: EscortApiSession, token: str | None) -> bool:
    """True when ``token`` is this browser session's ``XSRF-TOKEN`` (constant-time compare)."""
    if not token or not row.csrf_hash or len(token) > 256:
        return False
    return hmac.compare_digest(row.csrf_hash, digest(token))


def rotate_secrets(row: EscortApiSession) -> tuple[str, str]:
    """Give the session a new cookie secret and CSRF token (after a sign-in); returns both plain."""
    cookie_secret, csrf_token = new_secret(), new_secret()
    row.cookie_hash, row.csrf_hash = digest(cookie_secret), digest(csrf_token)
    db.session.flush()
    return cookie_secret, csrf_token


def renew_csrf(row: EscortApiSession) -> str:
    """Give the browser session a new CSRF token (its cookie stays); returns it plain."""
    csrf_token = new_secret()
    row.csrf_hash = digest(csrf_token)
    db.session.flush()
    return csrf_token


def sign_in(row: EscortApiSession, user_id: int, token_id: int) -> tuple[str, str]:
    """Sign the browser session in as ``user_id`` with the bearer token ``token_id`` its sign-in
    issued, under a new cookie secret and CSRF token (:func:`rotate_secrets`); returns both plain."""
    row.user_id, row.token_id = user_id, token_id
    return rotate_secrets(row)


def sign_out_token(token) -> None:
    """End a bearer sign-in: revoke ``token`` (an :class:`~app.accounts.models.ApiToken`) and sign
    out the session it made, if any."""
    revoke(token)
    row = db.session.scalar(db.select(EscortApiSession).filter_by(token_id=token.id))
    if row is not None and row.user_id is not None:
        row.user_id = None
    db.session.flush()


def sign_out_browser(row: EscortApiSession) -> None:
    """Sign the browser session out and revoke the bearer token its sign-in issued (if still there)."""
    if row.token_id is not None:
        linked = db.session.get(ApiToken, row.token_id)
        if linked is not None:
            revoke(linked)
    row.user_id = None
    db.session.flush()


def bump(row: EscortApiSession, counter: str, by: int = 1) -> int:
    """Atomically add ``by`` to ``counter`` (one of :data:`COUNTERS`) and touch ``last_accessed_at``.

    :returns: the counter's new value.
    """
    if counter not in COUNTERS:
        raise ValueError(f"unknown counter {counter!r}")
    column = getattr(EscortApiSession, counter)
    db.session.execute(db.update(EscortApiSession).where(EscortApiSession.id == row.id)
                       .values({column: column + by, EscortApiSession.last_accessed_at: clock.now()}))
    db.session.refresh(row)
    return getattr(row, counter)


def record_list(row: EscortApiSession, *, result_count: int, total: int) -> int:
    """Count one list call and remember its sizes; returns the new ``access_count``."""
    db.session.execute(db.update(EscortApiSession).where(EscortApiSession.id == row.id).values(
        {EscortApiSession.access_count: EscortApiSession.access_count + 1,
         EscortApiSession.last_result_count: result_count, EscortApiSession.last_total: total,
         EscortApiSession.last_accessed_at: clock.now()}))
    db.session.refresh(row)
    return row.access_count


def record_activity(row: EscortApiSession, kind: str, escort: Escort, *, ref: str | None = None,
                    ip: str | None = None, old_status: str | None = None, new_status: str | None = None,
                    at=None) -> None:
    """Append one action to the session's history (names copied from ``escort``); keeps the latest
    :data:`KEEP_ACTIVITY` of that kind.  ``at`` (aware) defaults to now."""
    if kind not in KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    db.session.add(EscortApiActivity(session_id=row.id, kind=kind, escort_id=escort.id, escort_name=escort.name,
                                     patient_name=escort.patient_name, category=escort.category,
                                     old_status=old_status, new_status=new_status, ref=ref,
                                     ip=(ip or None) and ip[:45], created_at=at or clock.now()))
    db.session.flush()
    keep = (db.select(EscortApiActivity.id).where(EscortApiActivity.session_id == row.id,
                                                  EscortApiActivity.kind == kind)
            .order_by(EscortApiActivity.id.desc()).limit(KEEP_ACTIVITY))
    db.session.execute(db.delete(EscortApiActivity).where(
        EscortApiActivity.session_id == row.id, EscortApiActivity.kind == kind,
        EscortApiActivity.id.not_in(keep.scalar_subquery()))
        .execution_options(synchronize_session=False))


def record_view(row: EscortApiSession, escort: Escort) -> EscortApiView:
    """Count one opening of ``escort`` by the session (``count``, ``last_viewed_at``), race-safe."""
    now = clock.now()

    def increment() -> int:
        """Add one to the session's view count of the escort; the number of rows changed (0: no row yet)."""
        return db.session.execute(db.update(EscortApiView).where(
            EscortApiView.session_id == row.id, EscortApiView.escort_id == escort.id)
            .values({EscortApiView.count: EscortApiView.count + 1, EscortApiView.last_viewed_at: now})).rowcount

    if not increment():
        try:
            with db.session.begin_nested():
                db.session.add(EscortApiView(session_id=row.id, escort_id=escort.id, count=1, last_viewed_at=now))
        except IntegrityError:
            increment()
    db.session.execute(db.update(EscortApiSession).where(EscortApiSession.id == row.id)
                       .values({EscortApiSession.last_accessed_at: now}))
    record_activity(row, "view", escort)
    view = db.session.scalar(db.select(EscortApiView).filter_by(session_id=row.id, escort_id=escort.id))
    db.session.refresh(view)
    db.session.refresh(row)
    return view


def recent_activity(row: EscortApiSession, kind: str, limit: int = 10) -> list[EscortApiActivity]:
    """The session's latest ``limit`` actions of ``kind``, newest first."""
    return list(db.session.scalars(db.select(EscortApiActivity).where(
        EscortApiActivity.session_id == row.id, EscortApiActivity.kind == kind)
        .order_by(EscortApiActivity.id.desc()).limit(limit)))


#: Days a browser session of the ER API may stay idle before :func:`prune_idle` removes it.
IDLE_DAYS = 30


def prune_idle(days: int = IDLE_DAYS) -> int:
    """Remove the browser sessions (no bearer token) idle for more than ``days`` days — last
    request, or creation when they never made one, before ``now − days`` (UTC) — with
    their recent activity and views.  Counters of a session are only shown to that same
    session (contract 004, "Get Session Stats"), so an idle one is of use to nobody; a
    bearer token's session stays while its token exists.  Not committed.

    :returns: how many sessions were removed.
    :raises ValueError: ``days`` below 1.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = clock.now() - timedelta(days=days)
    idle = (db.select(EscortApiSession.id)
            .where(EscortApiSession.token_id.is_(None),
                   db.func.coalesce(EscortApiSession.last_accessed_at, EscortApiSession.created_at) < cutoff))
    ids = list(db.session.scalars(idle))
    for start in range(0, len(ids), 500):           # children first: SQLite may not enforce ON DELETE
        chunk = ids[start:start + 500]
        db.session.execute(db.delete(EscortApiView).where(EscortApiView.session_id.in_(chunk)))
        db.session.execute(db.delete(EscortApiActivity).where(EscortApiActivity.session_id.in_(chunk)))
        db.session.execute(db.delete(EscortApiSession).where(EscortApiSession.id.in_(chunk)))
    return len(ids)
