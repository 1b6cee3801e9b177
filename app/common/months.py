"""Months of a page: a ``?month=YYYY-MM`` read, and stepping from a month to another (calendar
months of local dates).

Used by every page that shows one month with links to its neighbours (a person's schedule and
attendance month, a class's month, the recap, the roster grid, the clinic's service fees) and by
:class:`app.attendance.recap.MonthSteps`.  Plain calendar arithmetic: no zone, no clock.
"""
from __future__ import annotations

import re
from datetime import date

_MONTH = re.compile(r"(\d{4})-(\d{2})")
#: The years a month may be in (as the recap's and the roster's month checks).
YEARS = range(2000, 2101)


def parse_month(text: str | None) -> date | None:
    """``YYYY-MM`` (spaces around it ignored) → the first day of that month; None when missing or
    not a month of the years 2000–2100 (the caller shows its default month, usually this one)."""
    match = _MONTH.fullmatch((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if year in YEARS and 1 <= month <= 12 else None


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
