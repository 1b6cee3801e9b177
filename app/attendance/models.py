"""Attendance events (append-only facts) and the daily attendance derived from them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db

EVENT_KINDS = ("check_in", "check_out")
#: How an event was captured (``system``: written by ``attendance close-days``, e.g. a
#: missed check-out closed at the scheduled end).
SOURCES = ("mobile_gps", "qr", "face", "manual", "offline", "system")
#: ``not_required``: accepted as is; ``pending``: waits for a reviewer.
REVIEW_STATES = ("not_required", "pending", "approved", "rejected")
#: Why an event was flagged for review (``offline``: sent later by offline sync,
#: whose phone clock is not trusted; ``after_window``: a check-in after the check-in
#: window closed, recorded late by the schedule's ``record_late`` policy;
#: ``missed_check_out``: no check-out by the end of the window, closed at the scheduled end;
#: ``implausible_accuracy``, ``impossible_travel`` and ``wrong_office``: the plausibility
#: rules of :mod:`app.attendance.plausibility`; ``face_not_enrolled``: a face check-in of
#: someone without an enrolled face, held with their first photo until an admin accepts or
#: rejects it — decided only with that photo, :mod:`app.faces.enrolment_requests`).
FLAG_REASONS = ("outside_geofence", "low_accuracy", "no_office", "offline", "after_window", "missed_check_out",
                "implausible_accuracy", "impossible_travel", "wrong_office", "face_not_enrolled")
#: The flag of check-ins held with a face enrolment request (see :data:`FLAG_REASONS`).
FACE_NOT_ENROLLED = "face_not_enrolled"
#: A day's ``status`` (:class:`DailyAttendance`).
DAY_STATUSES = ("present", "late", "pending_review", "rejected", "absent")
#: Why a day is a day off (:class:`DailyAttendance` ``off_reason``).
OFF_REASONS = ("roster", "holiday", "weekday")


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

    An event added by an admin's correction (:mod:`app.attendance.corrections`) has
    ``source`` ``manual``, ``recorded_by`` (the admin) and ``reason`` (required there);
    both are None on every event a person recorded themselves.

    ``flag_reason`` is the main reason a pending event waits (one of
    :data:`FLAG_REASONS`); ``flag_details`` lists every reason that applied,
    each a JSON object ``{"reason": <code>, ...figures}`` with the figures the
    review inbox words them from (metres, seconds, km/h; see
    :class:`app.attendance.plausibility.Finding`).  None on events recorded
    before it existed and on events nothing was wrong with.
    """

    __tablename__ = "attendance_events"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="kind_known"),
        CheckConstraint(_in("source", SOURCES), name="source_known"),
        CheckConstraint(_in("review_state", REVIEW_STATES), name="review_state_known"),
        UniqueConstraint("user_id", "client_ref", name="uq_attendance_events_user_client_ref"),
        # What waits for review, oldest first, and its count read from the index alone: only
        # the few pending events are in it (every query on review_state asks for "pending").
        Index("ix_attendance_events_pending", "occurred_at", "flag_reason",
              sqlite_where=text("review_state = 'pending'"), postgresql_where=text("review_state = 'pending'")),
        # The days with something waiting (the clinic app's pending approvals: the pending events
        # grouped by person and day, and each group's oldest), from the index alone.
        Index("ix_attendance_events_pending_day", "user_id", "work_date", "occurred_at", "flag_reason",
              sqlite_where=text("review_state = 'pending'"), postgresql_where=text("review_state = 'pending'")),
        # A person's history, newest first (also serves every lookup by person alone).
        Index("ix_attendance_events_user_time", "user_id", "occurred_at"),
        # A person's latest position (every GPS check-in: plausibility._latest_fix_select orders by
        # the moment, coalesce(client_time, occurred_at), then id): read from the top of the
        # person's positioned events instead of sorting all of them.  The expression is the
        # query's, as SQLAlchemy renders it, or neither SQLite nor PostgreSQL uses the index.
        Index("ix_attendance_events_user_fix", "user_id", text("coalesce(client_time, occurred_at)"), "id",
              sqlite_where=text("latitude IS NOT NULL"), postgresql_where=text("latitude IS NOT NULL")),
        # Deleting a person checks the events they reviewed: only reviewed events are indexed.
        Index("ix_attendance_events_reviewed_by", "reviewed_by_id",
              sqlite_where=text("reviewed_by_id IS NOT NULL"), postgresql_where=text("reviewed_by_id IS NOT NULL")),
        # ... and the events they added by a correction (few: only those are indexed).
        Index("ix_attendance_events_recorded_by", "recorded_by_id",
              sqlite_where=text("recorded_by_id IS NOT NULL"), postgresql_where=text("recorded_by_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
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
    flag_details: Mapped[list | None] = mapped_column(JSON)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    office = relationship("Office")
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

    @property
    def flag_reasons(self) -> list[str]:
        """Every reason the event was flagged for (codes of :data:`FLAG_REASONS`), ``flag_reason`` first;
        empty when it was not flagged."""
        codes = [d.get("reason") for d in self.flag_details or () if isinstance(d, dict)] or [self.flag_reason]
        return sorted(dict.fromkeys(c for c in codes if c), key=lambda c: c != self.flag_reason)


class DailyAttendance(db.Model):
    """One person's attendance for one work day, derived from their events.

    ``time_in``/``time_out`` are UTC; ``worked_minutes``, ``late_minutes`` and
    ``early_leave_minutes`` whole minutes.  ``status``: ``present``, ``late``,
    ``pending_review`` (the check-in waits for a reviewer).  Unique per (user, work
    day): this constraint is what makes a second check-in impossible, also under races.
    ``absent``: an admin marked the day absent (a correction, :mod:`app.attendance.corrections`;
    its events stay, the day no longer points at them).
    ``schedule_id`` is the schedule that judged the day (the person's own for that
    date); ``off_reason`` (:data:`OFF_REASONS`) is set when the day was a day off, so
    the work on it is overtime.  ``missed_check_out_at`` (UTC): when ``attendance
    close-days`` found the check-out window closed without a check-out (set once);
    ``reminder_sent_at``: when the person was reminded to check out (sent once).
    """

    __tablename__ = "daily_attendance"
    __table_args__ = (
        UniqueConstraint("user_id", "work_date", name="uq_daily_attendance_user_day"),
        CheckConstraint(_in("status", DAY_STATUSES), name="status_known"),
        CheckConstraint("off_reason IS NULL OR " + _in("off_reason", OFF_REASONS), name="off_reason_known"),
        Index("ix_daily_attendance_open", "work_date",
              sqlite_where=text("check_out_event_id IS NULL AND missed_check_out_at IS NULL"),
              postgresql_where=text("check_out_event_id IS NULL AND missed_check_out_at IS NULL")),
        # The foreign keys' own indexes: deleting an event (a person's deletion deletes a year of
        # them) or a work schedule finds the rows that point at it without reading the table.
        Index("ix_daily_attendance_check_in_event", "check_in_event_id"),
        Index("ix_daily_attendance_check_out_event", "check_out_event_id"),
        Index("ix_daily_attendance_schedule", "schedule_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # uq_..._user_day serves it
    work_date: Mapped[date] = mapped_column(Date(), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("work_schedules.id", ondelete="SET NULL"))
    check_in_event_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_events.id"))
    check_out_event_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_events.id"))
    time_in: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_out: Mapped[datetime | None] = mapped_column(UTCDateTime())
    worked_minutes: Mapped[int | None]
    late_minutes: Mapped[int] = mapped_column(default=0)
    early_leave_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="present")
    off_reason: Mapped[str | None] = mapped_column(String(10))
    missed_check_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
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
    event_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_events.id", ondelete="SET NULL"), index=True)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    user = relationship("User")
    event = relationship("AttendanceEvent")


#: ``extended``: minutes worked after the scheduled end (and before the start, where the
#: schedule counts them); ``day_off``: work on a day off; ``holiday``: work on a holiday.
OVERTIME_REASONS = ("extended", "day_off", "holiday")
OVERTIME_STATES = ("pending", "approved", "rejected")


class OvertimeClaim(db.Model):
    """Overtime (*lembur*) of one person's work day, at most one per day.

    ``minutes_before`` / ``minutes_after``: worked before the scheduled start and after
    the scheduled end (whole minutes; for a day off or holiday, the whole day is
    ``minutes_after``); ``minutes`` their sum as claimed.  ``status``: ``approved`` at
    once when ``minutes`` is within the schedule's auto-approve limit (``decided_by_id``
    None), else ``pending`` until a reviewer approves (possibly fewer minutes) or
    rejects it.  Only ``approved_minutes`` count (None until approved; 0 when rejected).
    Rules: :mod:`app.attendance.overtime`.
    """

    __tablename__ = "overtime_claims"
    __table_args__ = (
        CheckConstraint(_in("reason", OVERTIME_REASONS), name="reason_known"),
        CheckConstraint(_in("status", OVERTIME_STATES), name="status_known"),
        CheckConstraint("minutes > 0 AND minutes_before >= 0 AND minutes_after >= 0", name="minutes_positive"),
        CheckConstraint("approved_minutes IS NULL OR (approved_minutes >= 0 AND approved_minutes <= minutes)",
                        name="approved_within_claim"),
        Index("ix_overtime_claims_status", "status", "created_at"),
        Index("ix_overtime_claims_user_day", "user_id", "work_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    work_date: Mapped[date] = mapped_column(Date())
    daily_id: Mapped[int] = mapped_column(ForeignKey("daily_attendance.id", ondelete="CASCADE"), unique=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("work_schedules.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(10))
    minutes_before: Mapped[int] = mapped_column(default=0)
    minutes_after: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int]
    approved_minutes: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    daily = relationship("DailyAttendance")
    schedule = relationship("WorkSchedule")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
