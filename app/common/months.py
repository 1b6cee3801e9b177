"""Stepping from a month to another (calendar months of local dates).

Used by every page that shows one month with links to its neighbours (a person's schedule and
attendance month, a class's month, the recap, the roster grid, the clinic's service fees) and by
:class:`app.attendance.recap.MonthSteps`.  Plain calendar arithmetic: no zone, no clock.
"""
from __future__ import annotations

from datetime import date


def shift_month(day: date, months: int) -> date:
    """The first day of the month ``months`` after (negative: before) the month of ``day`` (any
    date of that month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_before(day: date) -> date:
    """The first day of the month before the month of ``day``."""
    return shift_month(day, -1)


def month_after(day: date) -> date:
    """The first day of the month after the month of ``day``."""
    return shift_month(day, 1)
