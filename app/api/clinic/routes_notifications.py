"""Contract 000 "Notification Endpoints": list, unread count, recent, mark read, mark all read, settings.

The notifications are the shared in-app ones (:mod:`app.notify.services`, also served
by the mobile dialect); each person sees and changes only their own: another
person's notification id answers 404 like a missing one.  An item reads::

    {"id": "42", "type": "tindakan_approved", "title": "...", "message": "...",
     "data": {"tindakan_id": 123}, "priority": "high|medium|low", "is_read": false,
     "read_at": null, "created_at": "2025-07-15T10:30:00.000000Z"}

``id`` is text, as the contract's example prints it.  Settings are the person's own
(:mod:`app.notify.settings`): email/push switches, per-type switches, quiet hours ``HH:MM``.
All routes count against the ``general`` rate limit.
"""
from __future__ import annotations

import re

from flask import g, request

from ...common import clock
from ...common.errors import NotFound, ValidationFailed
from ...extensions import db
from ...notify import services as notify
from ...notify import settings as notify_settings
from ...notify.models import Notification
from . import envelope
from .auth import token_required
from .blueprint import bp
from .pagination import paginate
from .validation import json_body, query_int

#: ``?status=`` of the list → ``is_read`` filter.
STATUSES = {"all": None, "unread": False, "read": True}
RECENT_DEFAULT, RECENT_MAX = 10, 50
_TYPE = re.compile(r"[a-z0-9_]{1,40}")


def notification_json(note: Notification) -> dict:
    """One notification in the contract's shape (see the module)."""
    return {"id": str(note.id), "type": note.type, "title": note.title, "message": note.body,
            "data": note.data or {}, "priority": note.priority, "is_read": bool(note.is_read),
            "read_at": clock.iso_utc(note.read_at), "created_at": clock.iso_utc(note.created_at)}


def _filters() -> dict:
    """``type`` (``all`` or a type), ``status`` (all|unread|read), ``priority`` (all|high|medium|low).

    :raises ValidationFailed: an unknown status or priority, a malformed type.
    """
    errors: dict[str, list[str]] = {}
    status = request.args.get("status") or "all"
    if status not in STATUSES:
        errors["status"] = ["The selected status is invalid (all, unread or read)."]
    type_ = request.args.get("type") or "all"
    if not _TYPE.fullmatch(type_):
        errors["type"] = ["The selected type is invalid."]
    priority = request.args.get("priority") or "all"
    if priority != "all" and priority not in notify.PRIORITIES:
        errors["priority"] = ["The selected priority is invalid (all, high, medium or low)."]
    if errors:
        raise ValidationFailed(errors)
    return {"is_read": STATUSES[status], "type_": None if type_ == "all" else type_,
            "priority": None if priority == "all" else priority}


@bp.get("/notifications")
@token_required()
def notifications_index():
    """``GET /api/v2/notifications?page=&per_page=&type=all&status=unread&priority=``.

    The person's notifications, newest first, with ``meta.pagination``; 422 for a bad filter or page.
    """
    stmt = notify.notifications_query(g.user, **_filters())
    items, pagination = paginate(stmt, notification_json)
    return envelope.ok(items, "Notifications", pagination=pagination)


@bp.get("/notifications/unread-count")
@token_required()
def notifications_unread_count():
    """``GET /api/v2/notifications/unread-count``: ``data {unread_count, priority_counts {high, medium, low}}``."""
    counts = notify.unread_priority_counts(g.user)
    return envelope.ok({"unread_count": sum(counts.values()), "priority_counts": counts}, "Unread notifications")


@bp.get("/notifications/recent")
@token_required()
def notifications_recent():
    """``GET /api/v2/notifications/recent?limit=10``: the newest ``limit`` (1..50) notifications, read or not."""
    errors: dict[str, list[str]] = {}
    limit = query_int("limit", errors, default=RECENT_DEFAULT, minimum=1, maximum=RECENT_MAX)
    if errors:
        raise ValidationFailed(errors)
    rows = db.session.scalars(notify.notifications_query(g.user).limit(limit))
    return envelope.ok([notification_json(n) for n in rows], "Recent notifications")


@bp.post("/notifications/<notification_id>/mark-read")
@token_required()
def notifications_mark_read(notification_id: str):
    """``POST /api/v2/notifications/{id}/mark-read``: 200 with the notification (``read_at`` set;
    marking it again keeps the first time); 404 ``errors.notification_id`` for an unknown id
    or another person's notification."""
    number = int(notification_id) if notification_id.isascii() and notification_id.isdigit() \
        and len(notification_id) <= 18 else None
    try:
        if number is None:
            raise NotFound("Notification not found")
        note = notify.mark_read(g.user, number)
    except NotFound:
        return envelope.fail("Notification not found.", 404,
                             {"notification_id": ["The selected notification does not exist."]})
    return envelope.ok(notification_json(note), "Notification marked as read")


@bp.post("/notifications/mark-all-read")
@token_required()
def notifications_mark_all_read():
    """``POST /api/v2/notifications/mark-all-read``: ``data {updated_count, unread_count: 0}``."""
    updated = notify.mark_all_read(g.user)
    return envelope.ok({"updated_count": updated, "unread_count": notify.unread_count(g.user)},
                       "All notifications marked as read")


@bp.get("/notifications/settings")
@token_required()
def notification_settings_show():
    """``GET /api/v2/notifications/settings``: ``data {email_notifications, push_notifications,
    notification_types {type: bool}, quiet_hours {enabled, start_time "HH:MM", end_time "HH:MM"}}``."""
    return envelope.ok(notify_settings.settings_json(g.user), "Notification settings")


@bp.put("/notifications/settings")
@token_required()
def notification_settings_update():
    """``PUT /api/v2/notifications/settings``: any of the settings' fields (partial update).

    200 with the settings after the update; 422 for a non-boolean switch, an unknown
    notification type, a time not ``HH:MM``, or enabled quiet hours starting when they end.
    """
    data = notify_settings.update_settings(g.user, json_body())
    return envelope.ok(data, "Notification settings updated")
