"""Work schedules (contract 001, "Jam Kerja"), who works which one when, and public holidays.

- :class:`WorkSchedule`: one shift's windows and rules (a shift *is* a work schedule);
- :class:`ScheduleAssignment`: a schedule for a person, a department or an office from a date;
- :class:`ShiftPattern` / :class:`ShiftPatternStep`: a rotating cycle of shifts and days off;
- :class:`RosterEntry`: one person's shift (or day off) on one date, the most specific rule;
- :class:`Holiday`: a public holiday, *cuti bersama* day or the organisation's own day off.

Which schedule applies to a person on a date is decided in :mod:`.resolution`.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db

#: What happens to a check-in after the check-in window has closed: ``refuse`` (contract
#: 001's rcode 83, "Check-in not available"), or ``record_late`` (accepted until
#: ``late_cutoff``, late and flagged for review).
LATE_POLICIES = ("refuse", "record_late")
#: What happens to a day whose check-out window closed without a check-out:
#: ``close_at_end`` (checked out at the scheduled end, counted, flagged for review) or
#: ``leave_open`` (marked missed, left open for a correction).
MISSED_CHECK_OUT_POLICIES = ("close_at_end", "leave_open")
#: ISO 8601 weekday numbers (1 = Monday ... 7 = Sunday) → bit of ``working_days_mask``.
WEEKDAY_BITS = {day: 1 << (day - 1) for day in range(1, 8)}
#: Monday to Friday, the 5-day week of PP 35/2021 art. 21(2)(b) (8 hours a day, 40 a week).
MONDAY_TO_FRIDAY = 0b0011111


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def weekdays_to_mask(days) -> int:
    """``(1, 2, 3, 4, 5)`` (ISO weekdays) → ``31``.  :raises ValueError: a day outside 1..7."""
    mask = 0
    for day in days:
        if day not in WEEKDAY_BITS:
            raise ValueError(f"not an ISO weekday: {day!r}")
        mask |= WEEKDAY_BITS[day]
    return mask


def mask_to_weekdays(mask: int) -> tuple[int, ...]:
    """``31`` → ``(1, 2, 3, 4, 5)`` (ISO weekdays, ascending)."""
    return tuple(day for day, bit in WEEKDAY_BITS.items() if mask & bit)


class ScheduleRules:
    """What follows from a schedule's columns, shared by :class:`WorkSchedule` and the plain
    snapshot that workers cache (:class:`app.schedules.day_cache.ScheduleRef`): both carry the
    columns ``working_days_mask``, ``late_after``, ``check_in_start``, ``work_end`` and
    ``check_out_start`` these read."""

    @property
    def working_weekdays(self) -> tuple[int, ...]:
        """The ISO weekdays worked (1 = Monday ... 7 = Sunday), ascending."""
        mask = self.working_days_mask if self.working_days_mask is not None else MONDAY_TO_FRIDAY
        return mask_to_weekdays(mask)

    def works_on(self, day: date) -> bool:
        """True when ``day``'s weekday is one of :attr:`working_weekdays`."""
        mask = self.working_days_mask if self.working_days_mask is not None else MONDAY_TO_FRIDAY
        return bool(mask & WEEKDAY_BITS[day.isoweekday()])

    @property
    def scheduled_start(self) -> time:
        """When work starts (local time): ``late_after``, else the opening of check-in."""
        return self.late_after or self.check_in_start

    @property
    def scheduled_end(self) -> time:
        """When work ends (local time): ``work_end``, else the opening of check-out."""
        return self.work_end or self.check_out_start


class WorkSchedule(ScheduleRules, db.Model):
    """One shift: check-in and check-out windows in local time, and the rules of its days.

    Windows (contract 001): check-in ``check_in_start`` → ``check_in_end`` (None: until
    check-out opens); check-out ``check_out_start`` → ``check_out_end`` (None: until the
    next day's check-in opens).  Windows may cross midnight (the contract's "Shift
    Malam" 20:00–22:00 / 04:00–06:00); the work day is the day the shift started.
    ``is_active`` marks the organisation's default (at most one, partial unique index;
    the services keep exactly one), the schedule of everyone with no more specific one.

    The rules (all minutes are whole minutes):

    - ``working_days_mask``: the weekdays worked, bit ``1 << (iso_weekday - 1)``
      (31 = Monday–Friday); other days are days off.  Read and write it as
      :attr:`working_weekdays` (a tuple of ISO weekdays).  Roster entries ignore it.
    - ``late_after``: the scheduled start; a check-in later than ``late_after +
      grace_minutes`` is late by the minutes past ``late_after`` (None: lateness not tracked).
    - ``late_policy`` (:data:`LATE_POLICIES`) and ``late_cutoff`` (required for
      ``record_late``): until when a check-in after the window is still recorded.
    - ``work_end``: the scheduled end (None: when check-out opens).  A check-out more
      than ``early_leave_threshold_minutes`` before it is early leave by the minutes
      before ``work_end`` (possible only when check-out opens before ``work_end``).
    - ``missed_check_out_policy`` (:data:`MISSED_CHECK_OUT_POLICIES`) and
      ``reminder_lead_minutes``: the reminder goes that long before the check-out
      window closes (0: no reminder).
    - Overtime: ``overtime_threshold_minutes`` (None: overtime not tracked) — minutes
      worked after ``work_end`` (and before ``late_after`` when
      ``overtime_before_start``) become a claim when they reach it;
      ``overtime_auto_approve_minutes``: claims up to this are approved at once, longer
      ones wait for review.  Work on a day off or holiday is overtime in full.
    - ``code`` (e.g. ``P``, ``S``, ``M``) and ``color`` (``#rrggbb``) label roster cells.
    """

    __tablename__ = "work_schedules"
    __table_args__ = (
        Index("uq_work_schedules_one_active", "is_active", unique=True,
              sqlite_where=text("is_active"), postgresql_where=text("is_active")),
        CheckConstraint(_in("late_policy", LATE_POLICIES), name="late_policy_known"),
        CheckConstraint(_in("missed_check_out_policy", MISSED_CHECK_OUT_POLICIES),
                        name="missed_check_out_policy_known"),
        CheckConstraint("working_days_mask BETWEEN 0 AND 127", name="working_days_mask_range"),
        CheckConstraint("late_policy <> 'record_late' OR late_cutoff IS NOT NULL", name="record_late_has_cutoff"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(8), unique=True)
    color: Mapped[str | None] = mapped_column(String(7))
    check_in_start: Mapped[time] = mapped_column(Time())
    check_in_end: Mapped[time | None] = mapped_column(Time())
    check_out_start: Mapped[time] = mapped_column(Time())
    check_out_end: Mapped[time | None] = mapped_column(Time())
    late_after: Mapped[time | None] = mapped_column(Time())
    is_active: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    working_days_mask: Mapped[int] = mapped_column(default=MONDAY_TO_FRIDAY, server_default=str(MONDAY_TO_FRIDAY))
    grace_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    late_policy: Mapped[str] = mapped_column(String(12), default="refuse", server_default="refuse")
    late_cutoff: Mapped[time | None] = mapped_column(Time())
    work_end: Mapped[time | None] = mapped_column(Time())
    early_leave_threshold_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    missed_check_out_policy: Mapped[str] = mapped_column(String(12), default="close_at_end",
                                                         server_default="close_at_end")
    reminder_lead_minutes: Mapped[int] = mapped_column(default=30, server_default="30")
    overtime_threshold_minutes: Mapped[int | None]
    overtime_auto_approve_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    overtime_before_start: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    def _set_working_weekdays(self, days) -> None:
        self.working_days_mask = weekdays_to_mask(days)

    #: Read as in :class:`ScheduleRules`; set from ISO weekdays (``(1, 2, 3, 4, 5)``).
    working_weekdays = ScheduleRules.working_weekdays.setter(_set_working_weekdays)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<WorkSchedule {self.id} {self.name!r}>"


class ScheduleAssignment(db.Model):
    """A work schedule for exactly one of a person, a department or an office, from
    ``starts_on`` to ``ends_on`` (local dates, inclusive; None: open-ended).

    Several assignments of one target may overlap: on a date the one that started
    last wins (a temporary assignment inside an open-ended one applies for its
    dates, then the open-ended one again).
    """

    __tablename__ = "schedule_assignments"
    __table_args__ = (
        CheckConstraint("(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END + CASE WHEN department_id IS NULL THEN 0 "
                        "ELSE 1 END + CASE WHEN office_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_target"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
        Index("ix_schedule_assignments_user", "user_id", "starts_on"),
        Index("ix_schedule_assignments_department", "department_id", "starts_on"),
        Index("ix_schedule_assignments_office", "office_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("work_schedules.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date())
    ends_on: Mapped[date | None] = mapped_column(Date())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    schedule = relationship("WorkSchedule", lazy="joined")
    user = relationship("User", foreign_keys=[user_id])
    department = relationship("Department")
    office = relationship("Office")

    @property
    def target_kind(self) -> str:
        """``user``, ``department`` or ``office``."""
        return "user" if self.user_id else "department" if self.department_id else "office"


class ShiftPattern(db.Model):
    """A rotating cycle of shifts and days off (e.g. Pagi, Pagi, Siang, Siang, Malam,
    Malam, Libur, Libur), applied to people from a start date by
    :func:`app.schedules.rosters.apply_pattern`."""

    __tablename__ = "shift_patterns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    steps = relationship("ShiftPatternStep", order_by="ShiftPatternStep.position", cascade="all, delete-orphan",
                         lazy="selectin", back_populates="pattern")


class ShiftPatternStep(db.Model):
    """Day ``position`` (0-based) of a pattern's cycle: a schedule, or a day off (``schedule_id`` None)."""

    __tablename__ = "shift_pattern_steps"
    __table_args__ = (UniqueConstraint("pattern_id", "position", name="uq_shift_pattern_steps_position"),
                      CheckConstraint("position >= 0", name="position_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern_id: Mapped[int] = mapped_column(ForeignKey("shift_patterns.id", ondelete="CASCADE"))
    position: Mapped[int]
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("work_schedules.id"), index=True)

    pattern = relationship("ShiftPattern", back_populates="steps")
    schedule = relationship("WorkSchedule", lazy="joined")


class ShiftPatternApplication(db.Model):
    """A pattern applied to one person from ``starts_on`` to ``ends_on`` (local dates, inclusive).

    Day ``d`` of the range is step ``((d - anchor_on).days + cycle_offset) mod len(steps)`` of
    the pattern (``cycle_offset`` already holds the person's stagger).  Kept so that a roster cell
    changed by hand can go back to what the pattern says
    (:func:`app.schedules.rosters.reset_roster_day`); of two applications covering a date
    the newer one counts.  Deleting the pattern deletes its applications; the roster
    entries it wrote stay.
    """

    __tablename__ = "shift_pattern_applications"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        Index("ix_shift_pattern_applications_user", "user_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern_id: Mapped[int] = mapped_column(ForeignKey("shift_patterns.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date())
    ends_on: Mapped[date] = mapped_column(Date())
    anchor_on: Mapped[date] = mapped_column(Date())
    cycle_offset: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    pattern = relationship("ShiftPattern")


class RosterEntry(db.Model):
    """One person's shift on one local date: a schedule, or a day off (``schedule_id`` None).

    The most specific rule of :mod:`.resolution`: it decides the day whatever the
    weekday.  Unique per (person, date).  ``pattern_id`` says which pattern wrote it
    (None: set by hand, e.g. a swap); ``updated_by_id`` who last changed it.
    """

    __tablename__ = "roster_entries"
    __table_args__ = (
        UniqueConstraint("user_id", "work_date", name="uq_roster_entries_user_day"),
        Index("ix_roster_entries_work_date", "work_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    work_date: Mapped[date] = mapped_column(Date())
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("work_schedules.id"), index=True)
    pattern_id: Mapped[int | None] = mapped_column(ForeignKey("shift_patterns.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    schedule = relationship("WorkSchedule", lazy="joined")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def is_day_off(self) -> bool:
        """True when the roster makes the day a day off (no schedule)."""
        return self.schedule_id is None


#: ``public``: a national holiday; ``government``: *cuti bersama* (collective leave set by
#: the government's joint decree); ``organisation``: a day off the organisation adds.
HOLIDAY_CATEGORIES = ("public", "government", "organisation")


class Holiday(db.Model):
    """A day off for everyone (``office_id`` None) or for one office.

    Imported per year from the ``holidays`` package (Indonesia, categories
    ``public`` and ``government``, Indonesian names) or added by hand.
    ``is_active`` false: removed by an admin but kept, so importing the year again
    does not bring it back.  At most one row per date for everyone and one per
    date and office (partial unique indexes).
    """

    __tablename__ = "holidays"
    __table_args__ = (
        CheckConstraint(_in("category", HOLIDAY_CATEGORIES), name="category_known"),
        Index("uq_holidays_day_everyone", "on_date", unique=True,
              sqlite_where=text("office_id IS NULL"), postgresql_where=text("office_id IS NULL")),
        Index("uq_holidays_day_office", "on_date", "office_id", unique=True,
              sqlite_where=text("office_id IS NOT NULL"), postgresql_where=text("office_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    on_date: Mapped[date] = mapped_column(Date())
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(12))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    office = relationship("Office")
