"""In-app notifications and push tokens (contract 001, "Notifikasi")."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db


class Notification(db.Model):
    """A message to one user, read in the app (``type``: reminder, device_reset, ...)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "is_read"),
        CheckConstraint("priority IN ('high', 'medium', 'low')", name="priority_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    is_read: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    #: ``high``, ``medium`` or ``low`` (contract 000, "Notification Endpoints").
    priority: Mapped[str] = mapped_column(String(10), default="medium", server_default="medium")
    #: Facts for the client (a JSON object, e.g. ``{"tindakan_id": 123, "pasien_name": "John Doe"}``).
    data: Mapped[dict | None] = mapped_column(JSON)

    user = relationship("User")


class PushToken(db.Model):
    """A Firebase Cloud Messaging token of one user's device; unique token."""

    __tablename__ = "push_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(512), unique=True)
    device_type: Mapped[str | None] = mapped_column(String(10))
    device_id: Mapped[str | None] = mapped_column(String(191))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)


class NotificationSettings(db.Model):
    """One person's own notification preferences (contract 000, "Notification Settings").

    ``notification_types`` maps a type (``tindakan_approved``, ...) to whether the
    person wants it; a type missing from it is wanted.  Quiet hours are local
    clock times (``quiet_start`` to ``quiet_end``, crossing midnight when the start
    is later); during them no push is sent.  No row: the defaults of
    :mod:`app.notify.settings`.
    """

    __tablename__ = "notification_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    email_notifications: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    push_notifications: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    notification_types: Mapped[dict] = mapped_column(JSON, default=dict)
    quiet_hours_enabled: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    quiet_start: Mapped[time] = mapped_column(Time())
    quiet_end: Mapped[time] = mapped_column(Time())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)


class UserDevice(db.Model):
    """A device a user registered for the clinic app (contract 000, "Device Management").

    ``device_id`` is the client's own identifier, unique per user (a shared tablet
    may be registered by several people, each their own row).  ``push_token_id``
    is the device's current push token (:class:`PushToken`, owned by the same
    user).  A revoked device (``revoked_at``) is no longer listed, gets no push
    and its sessions were ended; registering it again brings it back.
    """

    __tablename__ = "user_devices"
    __table_args__ = (
        UniqueConstraint("user_id", "device_id", name="uq_user_devices_user_device"),
        CheckConstraint("device_type IN ('ios', 'android', 'web')", name="device_type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str] = mapped_column(String(191))
    name: Mapped[str | None] = mapped_column(String(120))
    device_type: Mapped[str] = mapped_column(String(10))
    app_version: Mapped[str | None] = mapped_column(String(32))
    os_version: Mapped[str | None] = mapped_column(String(32))
    push_token_id: Mapped[int | None] = mapped_column(ForeignKey("push_tokens.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    push_token = relationship("PushToken")
