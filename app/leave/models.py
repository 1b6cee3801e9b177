"""Leave requests (contract 002, section 6)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db

#: Leave types: personal permission, annual leave, off-site duty, sick leave (GLOSSARY.md).
LEAVE_TYPES = ("izin", "cuti", "dinas_luar", "sakit")
#: Review states in code; the school dialect prints menunggu / disetujui / ditolak.
STATUSES = ("pending", "approved", "rejected")


class LeaveRequest(db.Model):
    """A person's request to be away from ``start_date`` to ``end_date`` (local dates, inclusive).

    Only the principal (kepsek) and admins approve or reject; an approved
    leave shows in attendance reports as its leave type instead of absent.
    """

    __tablename__ = "leave_requests"
    __table_args__ = (
        CheckConstraint("leave_type IN ('izin', 'cuti', 'dinas_luar', 'sakit')", name="leave_type_known"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        Index("ix_leave_requests_user_dates", "user_id", "start_date"),
        Index("ix_leave_requests_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    leave_type: Mapped[str] = mapped_column(String(12))
    start_date: Mapped[date] = mapped_column(Date())
    end_date: Mapped[date] = mapped_column(Date())
    reason: Mapped[str] = mapped_column(Text)
    attachment_path: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    user = relationship("User", foreign_keys=[user_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
