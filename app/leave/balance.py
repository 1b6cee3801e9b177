"""Annual leave (*cuti tahunan*): entitlement, the working days a leave uses, and the balance.

The rule (UU 13/2003 art. 79(3), as amended by UU 6/2023 "Cipta Kerja"): a worker is
entitled to at least 12 working days of annual leave a year after 12 months of continuous
service.  Here:

- **entitlement** (working days per calendar year): the person's own
  (``User.annual_leave_days``) or else the organisation's setting ``annual_leave_days``
  (default 12);
- a leave of type ``cuti`` **uses** the working days it covers: a day counts when the
  person's schedule expects work that day (:mod:`app.schedules.resolution`: roster,
  assignments, working weekdays, the holiday calendar) — a holiday, a weekly day off or a
  roster day off inside the leave uses nothing.  With no work schedule at all, Monday to
  Friday except holidays count;
- each day counts in **its own calendar year**: a leave from 29 December to 2 January
  uses the balance of both years;
- **balance** of a year = entitlement − working days of that year's *approved* annual
  leave; pending requests are shown beside it but not subtracted;
- a request (and its approval) is refused when a year's days exceed that year's balance
  (:class:`InsufficientLeaveBalance`).

Students (:data:`~app.accounts.roles.STUDENT_ROLES`) are not workers: the school app lets
them ask for ``cuti``, which is not counted against any entitlement.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..accounts.roles import STUDENT_ROLES
from ..common.errors import RuleViolation, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from ..schedules.resolution import resolve_range
from .models import LeaveRequest

#: The leave type that uses the annual entitlement.
ANNUAL_LEAVE_TYPE = "cuti"
#: Largest entitlement of one person, working days a year (a person's own value may be lower
#: than the organisation's: e.g. 0 in the first 12 months of service).
MAX_PERSON_DAYS = 365


class InsufficientLeaveBalance(RuleViolation):
    """The annual leave asked for is more than what is left of a year's entitlement.

    ``year``, ``remaining`` and ``requested`` (working days) say by how much; views print them
    ("sisa 3 hari, diminta 5 hari").
    """

    code = "insufficient_leave_balance"

    def __init__(self, year: int, remaining: int, requested: int):
        super().__init__(f"Annual leave {year}: {remaining} days left, {requested} days asked", field="end_date")
        self.year, self.remaining, self.requested = year, remaining, requested


@dataclass(frozen=True)
class AnnualBalance:
    """One person's annual leave in one calendar ``year``, in working days.

    ``entitlement``: days of the year; ``used``: approved annual leave; ``pending``: annual leave
    waiting for review (not subtracted); ``remaining`` = entitlement − used (never below 0).
    """

    year: int
    entitlement: int
    used: int
    pending: int

    @property
    def remaining(self) -> int:
        """Working days still free this year."""
        return max(0, self.entitlement - self.used)


def uses_annual_leave(user, leave_type: str) -> bool:
    """True when a ``leave_type`` leave of ``user`` counts against an entitlement (staff's ``cuti``)."""
    return leave_type == ANNUAL_LEAVE_TYPE and user.role not in STUDENT_ROLES


def entitlement(user) -> int:
    """``user``'s annual leave entitlement, working days per calendar year (own value, else the setting)."""
    if user.annual_leave_days is not None:
        return user.annual_leave_days
    from ..system.settings import get_setting

    return int(get_setting("annual_leave_days"))


def parse_entitlement(value) -> int | None:
    """A person's own entitlement as typed: blank → None (the organisation's), else 0..:data:`MAX_PERSON_DAYS`.

    :raises ValidationFailed: (``annual_leave_days``) not a whole number in range.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        days = int(str(value).strip())
    except ValueError:
        days = -1
    if isinstance(value, bool) or not 0 <= days <= MAX_PERSON_DAYS:
        raise ValidationFailed({"annual_leave_days": [
            N_("The annual leave must be a whole number of days from 0 to 365.")]})
    return days


def _counts(day) -> bool:
    """Whether one resolved day (:class:`~app.schedules.resolution.DaySchedule`) is a working day."""
    if day.schedule is None:
        return day.holiday is None and day.work_date.isoweekday() <= 5
    return not day.day_off


def working_days_by_year(user, start: date, end: date) -> dict[int, int]:
    """Working days of ``user`` from ``start`` to ``end`` (local dates, inclusive), per calendar year.

    Five statements whatever the span (:func:`app.schedules.resolution.resolve_range`).
    :returns: ``{year: days}`` with every year the span touches (0 when none works).
    """
    counts = {year: 0 for year in range(start.year, end.year + 1)}
    for day in resolve_range([user], start, end).values():
        if _counts(day):
            counts[day.work_date.year] += 1
    return counts


def _leave_days(user, status: str, year: int, exclude_id: int | None) -> int:
    first, last = date(year, 1, 1), date(year, 12, 31)
    stmt = db.select(LeaveRequest.start_date, LeaveRequest.end_date).where(
        LeaveRequest.user_id == user.id, LeaveRequest.leave_type == ANNUAL_LEAVE_TYPE,
        LeaveRequest.status == status, LeaveRequest.start_date <= last, LeaveRequest.end_date >= first)
    if exclude_id is not None:
        stmt = stmt.where(LeaveRequest.id != exclude_id)
    spans = db.session.execute(stmt).all()
    if not spans:
        return 0
    days = set()
    for start, end in spans:
        days.update(range(max(start, first).toordinal(), min(end, last).toordinal() + 1))
    resolved = resolve_range([user], date.fromordinal(min(days)), date.fromordinal(max(days)))
    return sum(1 for day in resolved.values() if day.work_date.toordinal() in days and _counts(day))


def annual_balance(user, year: int, *, exclude_id: int | None = None) -> AnnualBalance:
    """``user``'s annual leave in calendar ``year`` (see the module's rules).

    :param exclude_id: leave a request out of ``used``/``pending`` (the one being approved or edited).
    """
    return AnnualBalance(year, entitlement(user), _leave_days(user, "approved", year, exclude_id),
                         _leave_days(user, "pending", year, exclude_id))


def check_annual_balance(user, start: date, end: date, *, exclude_id: int | None = None) -> dict[int, int]:
    """Refuse an annual leave of ``user`` from ``start`` to ``end`` that is more than a year's balance.

    :returns: the working days asked, per year (``{2026: 3, 2027: 2}``).
    :raises InsufficientLeaveBalance: the first year whose days exceed its balance.
    """
    asked = working_days_by_year(user, start, end)
    for year, days in asked.items():
        if days:
            balance = annual_balance(user, year, exclude_id=exclude_id)
            if days > balance.remaining:
                raise InsufficientLeaveBalance(year, balance.remaining, days)
    return asked


def annual_leave_details(leaves) -> dict[int, list[tuple[int, int, int]]]:
    """For a reviewer: per pending annual leave, ``[(year, working days asked, days left), ...]``
    (days left leaves that request out); other leaves are absent from the answer."""
    details = {}
    for leave in leaves:
        if uses_annual_leave(leave.user, leave.leave_type):
            asked = working_days_by_year(leave.user, leave.start_date, leave.end_date)
            details[leave.id] = [(year, days, annual_balance(leave.user, year, exclude_id=leave.id).remaining)
                                 for year, days in asked.items()]
    return details
