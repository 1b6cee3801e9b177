"""the settings' check-in/out times, late tolerance and working days move into the work schedules

One source of truth for times: the settings ``working_days`` (ISO weekdays, read by
the attendance report) and ``late_tolerance_minutes`` become every existing
schedule's ``working_days_mask`` and ``grace_minutes``; the settings' own check-in
and check-out times (never used to judge attendance — the schedule was) become a
schedule "Jam Kerja" only where no schedule exists at all.  The six settings rows
are then removed: the school API serves the same keys from the organisation's
active schedule (``app.system.settings.SCHEDULE_KEYS``).  Downgrade writes the
active schedule's weekdays and grace back as the two settings.

Revision ID: d1a7c3e5b9f2
Revises: 0a4e0c733ee6
Create Date: 2026-12-06 09:10:00

"""
from datetime import datetime, time, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd1a7c3e5b9f2'
down_revision = '0a4e0c733ee6'
branch_labels = None
depends_on = None

MOVED_SETTINGS = ("checkin_start", "checkin_end", "checkout_start", "checkout_end",
                  "late_tolerance_minutes", "working_days")


def _weekday_mask(text):
    """``"1,2,3,4,5"`` / ``"1-5,7"`` → bit mask (bit ``day - 1``); None when it does not parse."""
    mask = 0
    try:
        for part in str(text).replace(" ", "").split(","):
            low, _, high = part.partition("-")
            for day in range(int(low), int(high or low) + 1):
                if not 1 <= day <= 7:
                    return None
                mask |= 1 << (day - 1)
    except ValueError:
        return None
    return mask or None


def _time(text):
    parts = str(text or "").split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def upgrade():
    conn = op.get_bind()
    rows = dict(conn.execute(sa.text("SELECT key, value FROM settings WHERE key IN :keys")
                             .bindparams(sa.bindparam("keys", expanding=True)), {"keys": list(MOVED_SETTINGS)}).all())
    mask = _weekday_mask(rows["working_days"]) if rows.get("working_days") else None
    if mask is not None:
        conn.execute(sa.text("UPDATE work_schedules SET working_days_mask = :mask"), {"mask": mask})
    tolerance = str(rows.get("late_tolerance_minutes") or "")
    grace = int(tolerance) if tolerance.isdigit() and int(tolerance) <= 240 else None
    if grace is not None:
        conn.execute(sa.text("UPDATE work_schedules SET grace_minutes = :grace"), {"grace": grace})
    start, out_start = _time(rows.get("checkin_start")), _time(rows.get("checkout_start"))
    has_schedule = conn.execute(sa.text("SELECT count(*) FROM work_schedules")).scalar()
    if not has_schedule and start and out_start and start != out_start:
        table = sa.table("work_schedules", sa.column("name", sa.String()), sa.column("is_active", sa.Boolean()),
                         *(sa.column(c, sa.Time()) for c in ("check_in_start", "check_in_end", "check_out_start",
                                                              "check_out_end")),
                         sa.column("working_days_mask", sa.Integer()), sa.column("grace_minutes", sa.Integer()),
                         sa.column("created_at", sa.DateTime()), sa.column("updated_at", sa.DateTime()))
        end, out_end = _time(rows.get("checkin_end")), _time(rows.get("checkout_end"))
        conn.execute(table.insert().values(
            name="Jam Kerja", check_in_start=start, check_in_end=end if end != start else None,
            check_out_start=out_start, check_out_end=out_end if out_end != out_start else None, is_active=True,
            working_days_mask=mask or 31, grace_minutes=grace or 0, created_at=_now(), updated_at=_now()))
    conn.execute(sa.text("DELETE FROM settings WHERE key IN :keys")
                 .bindparams(sa.bindparam("keys", expanding=True)), {"keys": list(MOVED_SETTINGS)})


def downgrade():
    conn = op.get_bind()
    row = conn.execute(sa.text("SELECT working_days_mask, grace_minutes FROM work_schedules "
                               "ORDER BY is_active DESC, id LIMIT 1")).first()
    if row is None:
        return
    days = ",".join(str(day) for day in range(1, 8) if row[0] & (1 << (day - 1))) or "1,2,3,4,5"
    table = sa.table("settings", *(sa.column(c, sa.Text()) for c in ("key", "value", "description")),
                     sa.column("updated_at", sa.DateTime()))
    conn.execute(sa.text("DELETE FROM settings WHERE key IN ('working_days', 'late_tolerance_minutes')"))
    conn.execute(table.insert(), [
        dict(key="working_days", value=days, description="Hari kerja/sekolah (1 = Senin ... 7 = Minggu)",
             updated_at=_now()),
        dict(key="late_tolerance_minutes", value=str(row[1]), description="Toleransi keterlambatan dalam menit",
             updated_at=_now()),
    ])
