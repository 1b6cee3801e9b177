"""Creating and reading in-app notifications; push-token registration."""
from __future__ import annotations

from sqlalchemy import update

from ..common import clock
from ..common.errors import NotFound, ValidationFailed
from ..extensions import db
from .models import Notification, PushToken


#: Notification priorities, most urgent first (contract 000).
PRIORITIES = ("high", "medium", "low")


def notify(user, type_: str, title, body, *, priority: str = "medium", data: dict | None = None,
           **params) -> Notification | None:
    """Add an in-app notification for ``user`` (flushed, committed with the request).

    ``title`` and ``body`` are gettext msgids (mark them with ``lazy_gettext``
    or ``N_``); they are translated into the organisation's default language
    (``BABEL_DEFAULT_LOCALE``, Indonesian), not the acting admin's, then
    formatted with ``params``.

    :param priority: one of :data:`PRIORITIES` (contract 000's ``priority``).
    :param data: JSON facts for the client (``{"tindakan_id": 123, ...}``).
    :returns: the notification, or None when ``user`` turned this type off in their
        own settings (:func:`app.notify.settings.wants`).
    :raises ValueError: an unknown ``priority`` (a programming error).
    """
    from flask import current_app
    from flask_babel import force_locale, gettext

    from .settings import wants

    if priority not in PRIORITIES:
        raise ValueError(f"unknown notification priority {priority!r}")
    if not wants(user, type_):
        return None
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "id")):
        title = gettext(title, **params)
        body = gettext(body, **params)
    note = Notification(user_id=user.id, type=type_, title=title[:200], body=body, priority=priority, data=data)
    db.session.add(note)
    db.session.flush()
    return note


def notifications_query(user, *, is_read: bool | None = None, type_: str | None = None,
                        priority: str | None = None):
    """Select statement of ``user``'s notifications, newest first, optionally filtered."""
    stmt = db.select(Notification).where(Notification.user_id == user.id)
    if is_read is not None:
        stmt = stmt.where(Notification.is_read.is_(is_read))
    if type_:
        stmt = stmt.where(Notification.type == type_)
    if priority:
        stmt = stmt.where(Notification.priority == priority)
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def unread_count(user) -> int:
    """Number of ``user``'s unread notifications."""
    return db.session.scalar(
        db.select(db.func.count(Notification.id)).where(Notification.user_id == user.id, Notification.is_read.is_(False))
    )


def unread_priority_counts(user) -> dict[str, int]:
    """``user``'s unread notifications by priority: ``{"high": n, "medium": n, "low": n}`` (zeros included)."""
    rows = db.session.execute(
        db.select(Notification.priority, db.func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.is_read.is_(False))
        .group_by(Notification.priority)
    )
    counts = dict.fromkeys(PRIORITIES, 0)
    for priority, count in rows:
        counts[priority] = count
    return counts


def mark_read(user, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read.

    :raises NotFound: no such notification *of this user* (another user's is
        indistinguishable from a missing one).
    """
    note = db.session.scalar(db.select(Notification).filter_by(id=notification_id, user_id=user.id))
    if note is None:
        raise NotFound("Notification not found")
    if not note.is_read:
        note.is_read = True
        note.read_at = clock.now()
        db.session.flush()
    return note


def mark_all_read(user) -> int:
    """Mark all of ``user``'s notifications read; returns how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.is_read.is_(False))
        .values(is_read=True, read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def register_push_token(user, token: str, *, device_type: str | None, device_id: str | None,
                        device_types: tuple[str, ...] = ("android", "ios"),
                        token_field: str = "fcm_token") -> PushToken:
    """Register (or re-activate and re-own) an FCM token for ``user``.

    A token belongs to one device; registering it again moves it to the
    current user.  :raises ValidationFailed: empty or over-long token, unknown device type.

    :param device_types: the device types the calling contract allows.
    :param token_field: the name of the token's field in the calling contract's errors.
    """
    errors = {}
    if not isinstance(token, str) or not token.strip():
        errors[token_field] = [f"The {token_field} field is required."]
    elif len(token) > 512:
        errors[token_field] = [f"The {token_field} may not be greater than 512 characters."]
    if device_type is not None and device_type not in device_types:
        errors["device_type"] = [f"The device_type must be {' or '.join(device_types)}."]
    if device_id is not None and (not isinstance(device_id, str) or len(device_id) > 191):
        errors["device_id"] = ["The device_id must be a string of at most 191 characters."]
    if errors:
        raise ValidationFailed(errors)
    row = db.session.scalar(db.select(PushToken).filter_by(token=token))
    if row is None:
        row = PushToken(user_id=user.id, token=token)
        db.session.add(row)
    row.user_id = user.id
    row.device_type = device_type
    row.device_id = device_id
    row.is_active = True
    db.session.flush()
    return row


def unregister_push_token(user, token: str) -> bool:
    """Deactivate ``user``'s token; returns False if the user has no such token."""
    if not isinstance(token, str) or not token.strip():
        raise ValidationFailed({"fcm_token": ["The fcm_token field is required."]})
    row = db.session.scalar(db.select(PushToken).filter_by(token=token, user_id=user.id))
    if row is None:
        return False
    row.is_active = False
    db.session.flush()
    return True
