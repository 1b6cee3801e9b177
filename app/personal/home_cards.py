"""The core's cards of everyone's home page (:mod:`.cards`): what a person needs first.

- ``today`` (tile): today's schedule, or why it is a day off (the schedule engine);
- ``attendance_today`` (tile): today's status as the month recap classifies it
  (:func:`app.attendance.recap.classify_days`): checked in at …, on leave, not yet, a day off;
- ``leave`` (tile): the annual leave left of this year's entitlement (working days,
  :func:`app.leave.balance.annual_balance`) and one's own requests waiting for a decision;
- ``approvals`` (tile): the leave requests waiting for the signed-in approver (principal,
  department head; :mod:`app.leave.approvers`);
- ``week`` (section): this week's schedule, Monday to Sunday, each day's shift and windows;
- ``account`` (section): the latest device-reset request and links to the profile.

Registered by :func:`register` (called when the ``me`` blueprint is imported).
"""
from __future__ import annotations

from datetime import date, timedelta

from ..accounts import services as accounts
from ..accounts.roles import STUDENT_ROLES
from ..extensions import db
from ..schedules.resolution import resolve_days
from .cards import HomeCard, register_card


def _today(user, today: date) -> dict:
    return {"day": resolve_days(user, [today])[0]}


def _attendance_today(user, today: date) -> dict | None:
    from ..attendance.recap import classify_days

    return {"day": classify_days([user], today, today, today=today)[user.id][0]}


def _leave(user, today: date) -> dict:
    from ..leave.balance import ANNUAL_LEAVE_TYPE, annual_balance, uses_annual_leave
    from ..leave.models import LeaveRequest

    pending = db.session.scalar(db.select(db.func.count()).select_from(LeaveRequest).where(
        LeaveRequest.user_id == user.id, LeaveRequest.status == "pending")) or 0
    balance = annual_balance(user, today.year) if uses_annual_leave(user, ANNUAL_LEAVE_TYPE) else None
    return {"balance": balance, "pending": pending}


def _approvals(user, today: date) -> dict | None:
    from ..leave.approvers import reviewable_by
    from ..leave.models import LeaveRequest

    if user.role in STUDENT_ROLES:
        return None
    ids = reviewable_by(user)
    if not ids:
        return None
    waiting = db.session.scalar(db.select(db.func.count()).select_from(LeaveRequest).where(
        LeaveRequest.user_id.in_(ids), LeaveRequest.status == "pending")) or 0
    return {"waiting": waiting}


def week_of(today: date) -> list[date]:
    """The seven local dates, Monday to Sunday, of the ISO week of ``today``."""
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def _week(user, today: date) -> dict:
    days = resolve_days(user, week_of(today))
    return {"days": days, "working": sum(1 for d in days if d.is_working_day)}


def _account(user, today: date) -> dict:
    return {"reset": next(iter(accounts.device_reset_requests(user)), None)}


CORE_CARDS = (
    HomeCard("today", 10, "personal/_cards/today.html", _today),
    HomeCard("attendance_today", 12, "personal/_cards/attendance_today.html", _attendance_today),
    HomeCard("leave", 20, "personal/_cards/leave.html", _leave),
    HomeCard("approvals", 22, "personal/_cards/approvals.html", _approvals),
    HomeCard("week", 60, "personal/_cards/week.html", _week, kind="section"),
    HomeCard("account", 90, "personal/_cards/account.html", _account, kind="section"),
)


def register() -> None:
    """Register the core's cards (idempotent)."""
    for card in CORE_CARDS:
        register_card(card)
