"""The person's month page and the monthly recap through HTTP: what a day shows (shift, times, worked,
late, overtime, leave, events with photo and map link, a correction with its reason), the totals,
access, and bad input."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from app.attendance.models import AttendanceEvent, DailyAttendance, OvertimeClaim
from app.extensions import db
from app.leave.models import LeaveRequest
from app.schedules.models import Holiday

from .helpers import text_of


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


@pytest.fixture
def november(app, factory, uploads):
    """November 2026 (Sun 1 .. Mon 30) for Dewi (NPP 80001): the default schedule Mon–Fri in 07:00–09:00,
    late after 08:00; Tue 3: 07:55–17:00 by face with a photo and a position; Wed 4: 08:25 late,
    a manual check-out 17:00 ("Lupa absen pulang"), 90 minutes' approved overtime; Thu 5–Fri 6: approved
    sick leave; Tue 17 a holiday; today is 1 December."""
    factory.schedule()
    dewi = factory.user(name="Dewi Lestari", npp="80001", position="Perawat")
    photo = uploads / "attendance" / "2026" / "11" / "1-a.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with app.app_context():
        e1 = AttendanceEvent(user_id=dewi.id, kind="check_in", occurred_at=utc("2026-11-03T07:55+07:00"),
                             work_date=date(2026, 11, 3), source="face", latitude=-6.2, longitude=106.8,
                             photo_path="attendance/2026/11/1-a.jpg")
        e2 = AttendanceEvent(user_id=dewi.id, kind="check_out", occurred_at=utc("2026-11-03T17:00+07:00"),
                             work_date=date(2026, 11, 3), source="face")
        e3 = AttendanceEvent(user_id=dewi.id, kind="check_in", occurred_at=utc("2026-11-04T08:25+07:00"),
                             work_date=date(2026, 11, 4), source="mobile_gps")
        e4 = AttendanceEvent(user_id=dewi.id, kind="check_out", occurred_at=utc("2026-11-04T17:00+07:00"),
                             work_date=date(2026, 11, 4), source="manual", review_note="Lupa absen pulang")
        db.session.add_all([e1, e2, e3, e4])
        db.session.flush()
        d1 = DailyAttendance(user_id=dewi.id, work_date=date(2026, 11, 3), status="present", time_in=e1.occurred_at,
                             time_out=e2.occurred_at, worked_minutes=545, check_in_event_id=e1.id,
                             check_out_event_id=e2.id)
        d2 = DailyAttendance(user_id=dewi.id, work_date=date(2026, 11, 4), status="late", time_in=e3.occurred_at,
                             time_out=e4.occurred_at, worked_minutes=515, late_minutes=25, check_in_event_id=e3.id,
                             check_out_event_id=e4.id)
        db.session.add_all([d1, d2])
        db.session.flush()
        db.session.add_all([
            OvertimeClaim(user_id=dewi.id, work_date=date(2026, 11, 4), daily_id=d2.id, reason="extended",
                          minutes=120, minutes_after=120, approved_minutes=90, status="approved"),
            LeaveRequest(user_id=dewi.id, leave_type="sakit", start_date=date(2026, 11, 5),
                         end_date=date(2026, 11, 6), reason="Demam", status="approved"),
            Holiday(on_date=date(2026, 11, 17), name="Hari Libur Contoh", category="public"),
        ])
        db.session.commit()
        event_ids = (e1.id, e4.id)
    return dewi, event_ids


def test_the_persons_month_shows_each_day_and_the_totals(as_admin, november, freeze_time):
    freeze_time("2026-12-01T09:00+07:00")
    dewi, (photo_event, correction) = november
    response = as_admin.get(f"/admin/attendance/people/{dewi.id}/month?month=2026-11")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(page)
    assert "Dewi Lestari" in text and "Perawat" in text and "November 2026" in text
    row = text_of(page.split('id="day-2026-11-04"')[1].split("</tr>")[0])
    assert "08:25" in row and "17:00" in row and "8:35" in row and "25" in row and "1:30" in row
    assert "Koreksi" in row and "Lupa absen pulang" in row
    sick = text_of(page.split('id="day-2026-11-05"')[1].split("</tr>")[0])
    assert "Sakit" in sick
    holiday = text_of(page.split('id="day-2026-11-17"')[1].split("</tr>")[0])
    assert "Hari Libur Contoh" in holiday
    absent = text_of(page.split('id="day-2026-11-30"')[1].split("</tr>")[0])
    assert "Alpa" in absent or "Tidak hadir" in absent or " A " in f" {absent} "
    assert f"/admin/attendance/events/{photo_event}/photo" in page
    assert "https://www.openstreetmap.org" in page or "maps" in page
    # 21 weekdays in November 2026 less the holiday: 20 scheduled; 2 present, 1 late (25 min), 2 sick, 16 absent
    totals = text_of(page.split('aria-label="Total bulan ini">')[1].split("</section>")[0])
    assert totals.startswith("Hari kerja terjadwal 20 Hadir 2 Terlambat 1 25 mnt Pulang awal 0 0 mnt Alpa (tanpa keterangan) 16 "), totals
    assert "Jam kerja 17:40 jam Lembur disetujui 1:30 jam" in totals
    photo = as_admin.get(f"/admin/attendance/events/{photo_event}/photo")
    assert photo.status_code == 200 and photo.headers["Cache-Control"] == "no-store, private"
    assert as_admin.get(f"/admin/attendance/events/{correction}/photo").status_code == 404


def test_the_month_page_answers_htmx_with_the_fragment_and_refuses_strangers(as_admin, anon, november):
    dewi, _ = november
    fragment = as_admin.get(f"/admin/attendance/people/{dewi.id}/month?month=2026-11", htmx=True)
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="person-month"')
    assert as_admin.get("/admin/attendance/people/999999/month").status_code == 404
    bad = as_admin.get(f"/admin/attendance/people/{dewi.id}/month?month=2026-13")
    assert bad.status_code == 200 and "bukan bulan" in text_of(bad.get_data(as_text=True))
    assert anon.get(f"/admin/attendance/people/{dewi.id}/month").status_code == 302
