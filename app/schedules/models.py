"""Work schedules (contract 001, "Jam Kerja")."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Index, String, Time, text
from sqlalchemy.orm import Mapped, mapped_column

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db


class WorkSchedule(db.Model):
    """Check-in and check-out windows, in the organisation's local time.

    Windows may cross midnight (the contract's "Shift Malam": check-in
    20:00–22:00, check-out 04:00–06:00); the work day is the day the shift
    started.  ``late_after`` is the time after which a check-in counts as
    late (None: lateness is not tracked).  A partial unique index allows at
    most one active schedule; the services keep exactly one.
    """

    __tablename__ = "work_schedules"
    __table_args__ = (
        Index("uq_work_schedules_one_active", "is_active", unique=True,
              sqlite_where=text("is_active"), postgresql_where=text("is_active")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    check_in_start: Mapped[time] = mapped_column(Time())
    check_in_end: Mapped[time | None] = mapped_column(Time())
    check_out_start: Mapped[time] = mapped_column(Time())
    check_out_end: Mapped[time | None] = mapped_column(Time())
    late_after: Mapped[time | None] = mapped_column(Time())
    is_active: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)
