"""Contract 002 section 12: ``GET /api/dashboard``, a summary by the caller's role.

The contract defers the shape to a document we do not have (``api_dashboard.md``),
so this is Hadir's own, inside the dialect's envelope
(``{"success": true, "message": "Data dashboard berhasil diambil", "data": {...}}``).
"""
from __future__ import annotations

from flask import g

from ...accounts import services as accounts
from ...accounts.models import User
from ...accounts.roles import ROLE_BY_KEY, ROLES, SCHOOL_LEAD_ROLES
from ...attendance import days as attendance_days
from ...attendance.services import month_history, today_overview
from ...common import clock
from . import envelope
from .auth import token_required
from .blueprint import bp

#: Roles that see the whole school's summary.
OVERVIEW_ROLES = SCHOOL_LEAD_ROLES
#: Role numbers always listed in ``users.by_role`` (the school contract's five roles).
SCHOOL_ROLE_IDS = (1, 2, 3, 4, 5)


def _users_by_role() -> dict:
    counts: dict[str, dict[str, int]] = {}
    for role, active, n in accounts.people_counts():
        entry = counts.setdefault(role, {"total": 0, "active": 0})
        entry["total"] += n
        entry["active"] += n if active else 0
    by_role = [
        {"role_id": r.id, "role": r.key, **counts.get(r.key, {"total": 0, "active": 0})}
        for r in ROLES if r.id in SCHOOL_ROLE_IDS or r.key in counts
    ]
    return {
        "total": sum(e["total"] for e in counts.values()),
        "active": sum(e["active"] for e in counts.values()),
        "by_role": by_role,
    }


def _overview(today) -> dict:
    counts = today_overview(today)
    return {
        "users": _users_by_role(),
        "staff_attendance": {
            "staff": counts["staff"],
            "present": counts["present"],
            "late": counts["late"],
            "pending_review": counts["pending_review"],
            "absent": counts["not_in"],
        },
    }


def _personal(user: User, today) -> dict:
    day = attendance_days.day_of(user.id, today)
    month = month_history(user, today.year, today.month)
    counted = [d for d in month if d.time_in is not None]
    return {
        "today": {
            "time_in": clock.iso_utc(day.time_in) if day else None,
            "time_out": clock.iso_utc(day.time_out) if day else None,
            "status": day.status if day and day.time_in else None,
        },
        "month": {
            "year": today.year,
            "month": today.month,
            "days_attended": len(counted),
            "present": sum(d.status == "present" for d in counted),
            "late": sum(d.status == "late" for d in counted),
            "pending_review": sum(d.status == "pending_review" for d in counted),
        },
    }


@bp.get("/dashboard")
@token_required()
def dashboard():
    """The caller's dashboard.  ``data`` always has ``role`` (key), ``role_id`` and ``date``
    (today in the organisation's zone, ``YYYY-MM-DD``), then:

    - ``admin``, ``kepsek``: ``users`` ``{total, active, by_role: [{role_id, role, total,
      active}]}`` (the five school roles always listed) and ``staff_attendance``
      ``{staff, present, late, pending_review, absent}`` for today (active non-student
      users; ``absent`` = no check-in yet).
    - everyone else (``guru``, ``pegawai``, ``siswa`` ...): ``today`` ``{time_in, time_out
      (UTC ISO or null), status (present/late/pending_review/rejected, null before
      check-in)}`` and ``month`` ``{year, month, days_attended, present, late,
      pending_review}`` for the current calendar month.
    """
    user = g.user
    today = clock.local_today()
    data = {"role": user.role, "role_id": ROLE_BY_KEY[user.role].id, "date": today.isoformat()}
    data.update(_overview(today) if user.role in OVERVIEW_ROLES else _personal(user, today))
    return envelope.ok("Data dashboard berhasil diambil", data)
