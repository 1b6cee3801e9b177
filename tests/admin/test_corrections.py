"""Correction pages through HTTP with CSRF: one person's day, and a department on a date."""
from __future__ import annotations

import re

import pytest

from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db
from app.leave.models import LeaveRequest

from tests.helpers import audit_trail, count, field_error, text_of

DAY = "2026-01-30"


@pytest.fixture
def office_day(app, factory, freeze_time):
    """The default schedule, an employee of department OPS who checked in at 08:20 and forgot to
    check out, a colleague and a student; the clock on Monday 2 February 2026."""
    from app.accounts.models import User
    from app.attendance.services import record_attendance
    from app.departments.models import Department
    from datetime import datetime

    factory.schedule()
    ops = factory._commit(Department(code="OPS", name="Operasional"))
    ani = factory.user(name="Ani Wijaya", department_id=ops.id)
    budi = factory.user(name="Budi Santoso", department_id=ops.id)
    sari = factory.user(role="siswa", name="Sari Siswa", nisn_nip_nik="1001")
    with app.app_context():
        record_attendance(db.session.get(User, ani.id), "check_in", source="face",
                          now=datetime.fromisoformat(DAY + "T08:20+07:00"))
        db.session.commit()
    freeze_time("2026-02-02T10:00+07:00")
    return {"ani": ani, "budi": budi, "sari": sari, "ops": ops}


def _day(app, user):
    with app.app_context():
        row = db.session.scalar(db.select(DailyAttendance).filter_by(user_id=user.id))
        if row is not None:
            db.session.expunge(row)
        return row


def test_the_day_page_shows_the_day_and_adds_a_check_out(app, as_admin, admin, office_day):
    ani = office_day["ani"]
    url = f"/admin/attendance/corrections/{ani.id}/{DAY}"
    page = as_admin.get(url).get_data(as_text=True)
    text = text_of(page)
    assert "Ani Wijaya" in text and "Absen masuk 08.20 · Pengenalan wajah" in text and "Jam Kerja Normal" in text
    response = as_admin.submit(url, url, {"kind": "times", "check_out": "17:00", "reason": "Lupa absen pulang"},
                               htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="correction-day"')
    assert response.headers["HX-Trigger"] == "day-corrected"
    text = text_of(body)
    assert "Hari ini sudah dikoreksi." in text
    assert "Dicatat oleh Admin HRD: Lupa absen pulang" in text        # the manual event, who and why
    assert "Absen pulang ditambahkan lewat koreksi" in text            # the day's history
    day = _day(app, ani)
    assert (day.worked_minutes, day.late_minutes) == (8 * 60 + 40, 20)
    assert count(app, AttendanceEvent, AttendanceEvent.user_id == ani.id) == 2
    assert [row[0] for row in audit_trail(app)] == ["correction.check_out"]
    # the person's page shows their history and links the correction of a day
    person_page = as_admin.get(f"/admin/users/{ani.id}/edit").get_data(as_text=True)
    assert "Absen pulang ditambahkan lewat koreksi" in text_of(person_page) and "Lupa absen pulang" in person_page
    assert f'href="/admin/audit?person={ani.id}"' in person_page
    assert f'href="/admin/attendance/corrections/{ani.id}/2026-02-02"' in person_page


def test_a_refused_correction_shows_why_and_changes_nothing(app, as_admin, office_day):
    ani = office_day["ani"]
    url = f"/admin/attendance/corrections/{ani.id}/{DAY}"
    body = as_admin.submit(url, url, {"kind": "times", "check_out": "17:00", "reason": " "}, htmx=True).get_data(
        as_text=True)
    assert field_error(body, "reason") == "Alasan koreksi wajib diisi."
    body = as_admin.submit(url, url, {"kind": "times", "check_in": "07:50", "reason": "Salah"}, htmx=True).get_data(
        as_text=True)
    assert field_error(body, "check_in") == "Hari ini sudah ada absen masuk."
    body = as_admin.submit(url, url, {"kind": "leave", "leave_type": "sakit", "reason": "Sakit"}, htmx=True).get_data(
        as_text=True)
    assert "absen masuk" in (field_error(body, "leave_type") or "")
    assert count(app, AttendanceEvent) == 1 and audit_trail(app) == []
    # a student's day is the school's; a person who does not exist is a 404
    sari = office_day["sari"]
    surl = f"/admin/attendance/corrections/{sari.id}/{DAY}"
    body = as_admin.submit(surl, surl, {"kind": "absent", "reason": "Bolos"}, htmx=True).get_data(as_text=True)
    assert "wali kelas" in text_of(body) and _day(app, sari) is None
    assert as_admin.get(f"/admin/attendance/corrections/9999/{DAY}").status_code == 404


def test_mark_leave_and_absent_through_the_form(app, as_admin, admin, office_day):
    budi = office_day["budi"]
    url = f"/admin/attendance/corrections/{budi.id}/{DAY}"
    response = as_admin.submit(url, url, {"kind": "leave", "leave_type": "sakit", "note": "Surat dokter",
                                          "reason": "Surat menyusul"})
    assert response.status_code == 303
    with app.app_context():
        leave = db.session.scalar(db.select(LeaveRequest))
        assert (leave.leave_type, leave.status, leave.reason, leave.reviewed_by_id) == (
            "sakit", "approved", "Surat dokter", admin.id)
    ani = office_day["ani"]
    url = f"/admin/attendance/corrections/{ani.id}/{DAY}"
    as_admin.submit(url, url, {"kind": "absent", "reason": "Titip absen"})
    assert _day(app, ani).status == "absent"
    assert [row[0] for row in audit_trail(app)] == ["correction.leave", "correction.absent"]


def test_corrections_are_for_admins(as_petugas, office_day):
    assert as_petugas.get(f"/admin/attendance/corrections/{office_day['ani'].id}/{DAY}").status_code == 403
    assert as_petugas.get("/admin/attendance/corrections/bulk").status_code == 403


def test_a_department_on_a_date_says_how_many_then_marks_them(app, as_admin, office_day):
    url = "/admin/attendance/corrections/bulk"
    form = {"work_date": DAY, "department_id": str(office_day["ops"].id), "office_id": "",
            "leave_type": "dinas_luar", "reason": "Kunjungan kerja ke Bandung"}
    body = as_admin.submit(url, url, form).get_data(as_text=True)
    text = text_of(body)
    assert "Ini menandai 1 orang sebagai Dinas luar" in text and "Budi Santoso" in text
    assert "sudah absen masuk: Ani Wijaya" in text
    assert count(app, LeaveRequest) == 0                                # nothing until confirmed
    assert re.search(r'name="expected" value="1"', body)
    stale = as_admin.submit(url, url, {**form, "expected": "2", "confirm": "1"}).get_data(as_text=True)
    assert "Jumlah orang berubah" in text_of(stale) and count(app, LeaveRequest) == 0
    done = as_admin.submit(url, url, {**form, "expected": "1", "confirm": "1"})
    assert done.status_code == 303
    assert count(app, LeaveRequest, LeaveRequest.user_id == office_day["budi"].id,
                 LeaveRequest.leave_type == "dinas_luar", LeaveRequest.status == "approved") == 1
    assert count(app, LeaveRequest) == 1


def test_finding_a_person_to_correct(as_admin, office_day):
    body = as_admin.get("/admin/attendance/corrections?q=budi&date=" + DAY).get_data(as_text=True)
    assert f'/admin/attendance/corrections/{office_day["budi"].id}/{DAY}' in body
    assert "Sari" not in text_of(as_admin.get("/admin/attendance/corrections?q=sari").get_data(as_text=True))


def test_a_persons_month_links_each_day_to_its_correction_for_admins(as_admin, as_petugas, office_day):
    ani = office_day["ani"]
    page = as_admin.get(f"/admin/attendance/people/{ani.id}/month?month=2026-01").get_data(as_text=True)
    link = re.search(r'<a class="correct-link" href="([^"]+)" data-day-dialog', page)
    assert link and link.group(1).startswith(f"/admin/attendance/corrections/{ani.id}/2026-01-01?back=")
    assert '<dialog id="day-dialog"' in page and "admin/day-dialog.js" in page
    panel = as_admin.get(link.group(1).replace("&amp;", "&"), htmx=True).get_data(as_text=True)
    assert panel.lstrip().startswith('<div id="correction-day"') and "/admin/attendance/people/" in panel
    # days still to come have no link; a petugas sees the month without corrections
    february = as_admin.get(f"/admin/attendance/people/{ani.id}/month?month=2026-02").get_data(as_text=True)
    assert f"/admin/attendance/corrections/{ani.id}/2026-02-02" in february
    assert f"/admin/attendance/corrections/{ani.id}/2026-02-03" not in february
    seen = as_petugas.get(f"/admin/attendance/people/{ani.id}/month?month=2026-01").get_data(as_text=True)
    assert "correct-link" not in seen and "day-dialog" not in seen


def test_the_back_link_stays_on_this_site(as_admin, office_day):
    url = f"/admin/attendance/corrections/{office_day['ani'].id}/{DAY}"
    assert 'href="https://evil.test/"' not in as_admin.get(url + "?back=https://evil.test/").get_data(as_text=True)
    assert 'href="/admin/attendance/people/2/month"' in as_admin.get(url + "?back=/admin/attendance/people/2/month").get_data(as_text=True)
