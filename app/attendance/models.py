"""Attendance events (append-only facts) and the daily attendance derived from them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db

EVENT_KINDS = ("check_in", "check_out")
#: How an event was captured.
SOURCES = ("mobile_gps", "qr", "face", "manual", "offline")
#: ``not_required``: accepted as is; ``pending``: waits for a reviewer.
REVIEW_STATES = ("not_required", "pending", "approved", "rejected")
#: Why an event was flagged for review (``offline``: sent later by offline sync,
#: whose phone clock is not trusted).
FLAG_REASONS = ("outside_geofence", "low_accuracy", "no_office", "offline")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class AttendanceEvent(db.Model):
    """One check-in or check-out as it happened.  Never deleted.

    ``occurred_at`` is the server's clock (UTC); ``client_time`` is only what a
    phone reported (offline sync).  ``work_date`` is the local date of the shift
    the event belongs to.  Position: WGS84 degrees, ``accuracy_m`` and
    ``distance_m`` in metres (distance to ``office``).  The only columns that
    change after insert are the review ones.  ``client_ref`` (unique per user)
    makes retries idempotent.  ``photo_path``: the audit photo, relative to
    the upload folder (never a data URL).
    """

    __tablename__ = "attendance_events"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="kind_known"),
        CheckConstraint(_in("source", SOURCES), name="source_known"),
        CheckConstraint(_in("review_state", REVIEW_STATES), name="review_state_known"),
        UniqueConstraint("user_id", "client_ref", name="uq_attendance_events_user_client_ref"),
        Index("ix_attendance_events_review", "review_state", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    work_date: Mapped[date] = mapped_column(Date(), index=True)
    source: Mapped[str] = mapped_column(String(12))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    distance_m: Mapped[float | None] = mapped_column(Float)
    device_id: Mapped[str | None] = mapped_column(String(191))
    client_ref: Mapped[str | None] = mapped_column(String(64))
    client_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    photo_path: Mapped[str | None] = mapped_column(String(255))
    review_state: Mapped[str] = mapped_column(String(12), default="not_required")
    flag_reason: Mapped[str | None] = mapped_column(String(20))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str | None] = mapped_column(Text)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    office = relationship("Office")
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])


class DailyAttendance(db.Model):
    """One person's attendance for one work day, derived from their events.

    ``time_in``/``time_out`` are UTC; ``worked_minutes`` and ``late_minutes``
    whole minutes.  ``status``: ``present``, ``late``, ``pending_review``
    (the check-in waits for a reviewer).  Unique per (user, work day): this
    constraint is what makes a second check-in impossible, also under races.
    """

    __tablename__ = "daily_attendance"
    __table_args__ = (
        UniqueConstraint("user_id", "work_date", name="uq_daily_attendance_user_day"),
        CheckConstraint(_in("status", ("present", "late", "pending_review", "rejected")),
                        name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    work_date: Mapped[date] = mapped_column(Date(), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("work_schedules.id", ondelete="SET NULL"))
    check_in_event_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_events.id"))
    check_out_event_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_events.id"))
    time_in: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_out: Mapped[datetime | None] = mapped_column(UTCDateTime())
    worked_minutes: Mapped[int | None]
    late_minutes: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="present")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    user = relationship("User", lazy="joined")
    check_in_event = relationship("AttendanceEvent", foreign_keys=[check_in_event_id])
    check_out_event = relationship("AttendanceEvent", foreign_keys=[check_out_event_id])


class OfflineSyncLog(db.Model):
    """One item a phone recorded offline and sent later (contract 002, section 10).

    ``action_type`` is ``attendance`` for now; ``data`` is the item as the phone
    sent it (JSON); ``status`` is ``pending``, ``success`` or ``failed`` with
    ``error_message``.  ``dedupe_key`` (user, type and the phone's timestamp)
    is unique, so a replayed item is recognised and never recorded twice.
    ``event_id`` points at the attendance event the item produced.
    """

    __tablename__ = "offline_sync_logs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'success', 'failed')", name="status_known"),
        Index("ix_offline_sync_logs_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action_type: Mapped[str] = mapped_column(String(20), default="attendance")
    data: Mapped[dict] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    error_message: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_events.id", ondelete="SET NULL"))
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    user = relationship("User")
    event = relationship("AttendanceEvent")
