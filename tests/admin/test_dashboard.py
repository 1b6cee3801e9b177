"""The dashboard of today: stat tiles, the latest check-ins, links to pending work."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from app.accounts.models import DeviceResetRequest
from app.attendance.models import AttendanceEvent, DailyAttendance
from app.common import clock
from app.extensions import db

from .helpers import text_of


def _stat(body, label):
    match = re.search(rf'<span class="stat-label">{re.escape(label)}</span>\s*<span class="stat-value">(\d+)</span>', body)
    assert match, label
    return int(match.group(1))


def test_tiles_and_latest_check_ins(app, as_petugas, factory):
    people = [factory.user(name=n) for n in ("Andi", "Budi", "Citra", "Dewi", "Eko")]
    with app.app_context():
        today = clock.local_today()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        for minutes, person, status in ((40, people[0], "present"), (20, people[1], "late"), (5, people[2], "pending_review")):
            event = AttendanceEvent(user_id=person.id, kind="check_in", occurred_at=now - timedelta(minutes=minutes),
                                    work_date=today, source="face",
                                    review_state="pending" if status == "pending_review" else "not_required")
            db.session.add(event)
            db.session.flush()
            db.session.add(DailyAttendance(user_id=person.id, work_date=today, check_in_event_id=event.id,
                                           time_in=event.occurred_at, status=status, late_minutes=12 if status == "late" else 0))
        db.session.add(DeviceResetRequest(user_id=people[3].id, reason="Ponsel rusak sekali", status="pending"))
        db.session.commit()
    body = as_petugas.get("/admin/").get_data(as_text=True)
    assert _stat(body, "Hadir tepat waktu") == 1
    assert _stat(body, "Terlambat") == 1
    assert _stat(body, "Menunggu persetujuan") == 1
    assert _stat(body, "Belum absen") == 3  # 5 staff + the petugas, 3 checked in
    text = text_of(body)
    assert text.index("Citra") < text.index("Budi") < text.index("Andi")  # latest first
    assert "12 mnt" in text
    assert 'href="/admin/attendance/review"' in body and 'href="/admin/device-resets"' in body
    todo = body[body.index('class="todo-list"'):]
    assert re.search(r'Reset Perangkat</strong>.*?<span class="badge badge--pending">1</span>', todo, re.S)


def test_a_quiet_day_shows_an_empty_state(as_admin):
    body = as_admin.get("/admin/").get_data(as_text=True)
    assert "Belum ada absen masuk hari ini" in text_of(body)
    assert _stat(body, "Hadir tepat waktu") == 0
