"""Contract 004 "Session & Statistics Endpoints": session stats (public) and dashboard stats (staff)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from ...common import clock
from ...escorts import services as escorts
from ...escorts import sessions
from ...common.boundary import refuse
from . import envelope
from .auth import current_session, optional_staff, staff_required
from .blueprint import bp
from .serializers import CATEGORY_OUT

#: Items per ``recent_activity`` list.
RECENT = 10


@bp.get("/session-stats")
@optional_staff
def session_stats():
    """The calling session's counters and its latest actions (public: a new caller gets a new,
    empty session and its cookies).  Only the caller's own session is ever shown."""
    row = current_session()

    def items(kind):
        """The session's latest :data:`RECENT` activities of ``kind``, newest first."""
        return sessions.recent_activity(row, kind, RECENT)

    return envelope.ok(None, session_id=row.public_id, stats={
        "api_access_count": row.access_count,
        "api_submissions_count": row.submissions_count,
        "api_updates_count": row.updates_count,
        "api_status_updates_count": row.status_updates_count,
        "api_deletions_count": row.deletions_count,
        "api_failed_lookups": row.failed_lookups,
        "last_accessed": clock.iso_utc(row.last_accessed_at),
        "last_result_count": row.last_result_count,
        "last_total": row.last_total,
    }, recent_activity={
        "submissions": [{"id": a.escort_id, "submission_id": a.ref, "nama_pengantar": a.escort_name,
                         "nama_pasien": a.patient_name, "kategori": CATEGORY_OUT.get(a.category, a.category),
                         "submitted_at": clock.iso_utc(a.created_at), "ip": a.ip} for a in items("submission")],
        "viewed": [{"id": a.escort_id, "nama_pengantar": a.escort_name, "nama_pasien": a.patient_name,
                    "viewed_at": clock.iso_utc(a.created_at)} for a in items("view")],
        "deleted": [{"id": a.escort_id, "nama_pengantar": a.escort_name, "nama_pasien": a.patient_name,
                     "deleted_at": clock.iso_utc(a.created_at), "delete_id": a.ref} for a in items("delete")],
        "status_updates": [{"escort_id": a.escort_id, "nama_pengantar": a.escort_name, "old_status": a.old_status,
                            "new_status": a.new_status, "updated_at": clock.iso_utc(a.created_at), "update_id": a.ref,
                            "ip": a.ip} for a in items("status_update")],
    })


@bp.get("/dashboard/stats")
@staff_required()
def dashboard_stats():
    """Totals, registrations today / this week (from Monday) / this month in the organisation's
    time zone, counts by category (largest first) and by status, the 5 latest registrations and
    the caller's ``session_info``.  A database failure → 500 ``Failed to retrieve dashboard stats``."""
    row = current_session()
    try:
        stats = escorts.escort_stats(recent=5)
    except SQLAlchemyError:
        current_app.logger.exception("dashboard stats failed")
        refuse()
        return envelope.error("Failed to retrieve dashboard stats", 500, error="Database error")
    by_category = sorted(stats.by_category.items(), key=lambda item: -item[1])
    return envelope.ok("Dashboard stats retrieved successfully", {
        "total_escorts": stats.total,
        "today_submissions": stats.today,
        "this_week_submissions": stats.this_week,
        "this_month_submissions": stats.this_month,
        "pending_count": stats.by_status["pending"],
        "verified_count": stats.by_status["verified"],
        "rejected_count": stats.by_status["rejected"],
        "by_category": {CATEGORY_OUT.get(key, key): n for key, n in by_category},
        "by_status": stats.by_status,
        "recent_submissions": [{"id": e.id, "nama_pengantar": e.name, "nama_pasien": e.patient_name,
                                "kategori_pengantar": CATEGORY_OUT.get(e.category, e.category),
                                "status": e.status, "created_at": clock.iso_utc(e.created_at)} for e in stats.recent],
        "session_info": {
            "session_id": row.public_id,
            "api_access_count": row.access_count,
            "user_submissions": row.submissions_count,
            "status_updates": row.status_updates_count,
            "last_accessed": clock.iso_utc(row.last_accessed_at),
        },
    })
