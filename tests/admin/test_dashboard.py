"""The dashboard of today: numbers per population by each person's schedule (nobody "not yet in" on
their day off), students apart, each number a link to the people behind it, the waiting counts equal
to the sidebar's badge, the latest check-ins."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from app.accounts.models import DeviceResetRequest
from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db
from app.leave.models import LeaveRequest

from tests.helpers import text_of

MONDAY = "2026-11-30"


def _stat(body, population, bucket):
    match = re.search(rf'id="tile-{population}-{bucket}">\s*<span class="stat-label">[^<]*</span>\s*'
                      rf'<span class="stat-value">(\d+)</span>', body)
    assert match, (population, bucket)
    return int(match.group(1))


def _arrange(app, factory):
    """Monday 30 November 2026: Andi on time 07:40, Budi late 08:20 (20 min), Citra's check-in waits for
    review, Dewi on approved sick leave, Eko nothing yet; a student marked nowhere; a pending device reset."""
    factory.schedule()
    people = {n: factory.user(name=n) for n in ("Andi", "Budi", "Citra", "Dewi", "Eko")}
    factory.user(role="siswa", name="Siswa Satu", nisn_nip_nik="990001")
    day = date.fromisoformat(MONDAY)
    with app.app_context():
        for hour, minute, name, status in ((0, 40, "Andi", "present"), (1, 20, "Budi", "late"),
                                           (1, 30, "Citra", "pending_review")):
            moment = datetime(2026, 11, 30, hour, minute, tzinfo=timezone.utc)
            event = AttendanceEvent(user_id=people[name].id, kind="check_in", occurred_at=moment, work_date=day,
                                    source="face", review_state="pending" if status == "pending_review" else "not_required")
            db.session.add(event)
            db.session.flush()
            db.session.add(DailyAttendance(user_id=people[name].id, work_date=day, check_in_event_id=event.id,
                                           time_in=moment, status=status, late_minutes=20 if status == "late" else 0))
        db.session.add(LeaveRequest(user_id=people["Dewi"].id, leave_type="sakit", start_date=day, end_date=day,
                                    reason="Demam", status="approved"))
        db.session.add(DeviceResetRequest(user_id=people["Eko"].id, reason="Ponsel rusak sekali", status="pending"))
        db.session.commit()
    return people


def test_todays_numbers_follow_the_schedule_per_population(app, as_petugas, factory, freeze_time):
    freeze_time(f"{MONDAY}T09:30+07:00")
    _arrange(app, factory)
    body = as_petugas.get("/admin/").get_data(as_text=True)
    assert [_stat(body, "staff", b) for b in ("present", "late", "pending_review", "leave", "not_yet", "off")] == [
        1, 1, 1, 1, 1, 0]                                    # the petugas is not among the workforce
    assert _stat(body, "students", "not_yet") == 1 and _stat(body, "students", "present") == 0
    text = text_of(body)
    assert "5 dari 5 bekerja hari ini" in text
    assert text.index("Citra") < text.index("Budi") < text.index("Andi")  # latest first
    assert "20 mnt" in text
    # each number links to the people behind it
    late = as_petugas.get("/admin/attendance/today?population=staff&bucket=late").get_data(as_text=True)
    rows = text_of(late.split('id="today-people"')[1])
    assert "Budi" in rows and "Andi" not in rows and "08.20" in rows
    waiting = as_petugas.get("/admin/attendance/today?population=staff&bucket=not_yet").get_data(as_text=True)
    assert "Eko" in text_of(waiting.split('id="today-people"')[1])


def test_on_a_sunday_nobody_is_not_yet_in(app, as_admin, factory, freeze_time):
    freeze_time("2026-11-29T10:00+07:00")
    _arrange(app, factory)
    body = as_admin.get("/admin/").get_data(as_text=True)
    assert _stat(body, "staff", "not_yet") == 0
    assert _stat(body, "staff", "off") == 5
    assert _stat(body, "students", "off") == 1


def test_the_waiting_counts_equal_the_sidebar_badge(app, as_petugas, factory, freeze_time):
    freeze_time(f"{MONDAY}T09:30+07:00")
    _arrange(app, factory)
    with app.app_context():
        event = db.session.scalar(db.select(AttendanceEvent).filter_by(review_state="pending"))
        event.flag_reason = "outside_geofence"
        db.session.commit()
    body = as_petugas.get("/admin/").get_data(as_text=True)
    badge = re.search(r'href="/admin/attendance/review"[^>]*>[^<]*<span class="badge badge--pending"[^>]*>(\d+)', body)
    waiting = body[body.index('id="waiting"'):]
    counts = [int(n) for n in re.findall(r'<span class="badge badge--pending">(\d+)</span>', waiting.split("device-resets")[0])]
    inbox = text_of(as_petugas.get("/admin/attendance/review").get_data(as_text=True))
    assert counts == [1]
    assert badge and int(badge.group(1)) == sum(counts)
    assert "1 absen, yang terlama di atas." in inbox
    assert re.search(r'Reset Perangkat</strong>.*?<span class="badge badge--pending">1</span>', waiting, re.S)


def test_a_quiet_day_shows_an_empty_state(as_admin):
    body = as_admin.get("/admin/").get_data(as_text=True)
    assert "Belum ada absen masuk hari ini" in text_of(body)
    assert _stat(body, "staff", "present") == 0


def test_the_month_chart_loads_after_the_page(app, as_petugas, factory, freeze_time):
    freeze_time(f"{MONDAY}T09:30+07:00")
    _arrange(app, factory)
    body = as_petugas.get("/admin/").get_data(as_text=True)
    assert 'hx-get="/admin/attendance/month-chart"' in body
    chart = as_petugas.get("/admin/attendance/month-chart", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert chart.count('class="chart-day"') == 30
    # Monday 30 November: Andi on time and Citra awaiting review are present, Budi late, Dewi on leave
    assert "30 Nov 2026: hadir 2, terlambat 1, izin/cuti 1, alpa 0" in chart
