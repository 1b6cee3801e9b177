"""The attendance report page: person × day grid, approved leave as its type, CSV download."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest

from app.attendance.models import DailyAttendance
from app.extensions import db
from app.leave.models import LeaveRequest
from app.school.models import ClassEnrollment, SchoolClass, StudentAttendance

from tests.helpers import text_of

PAGE = "/admin/attendance/report"
#: Monday 2 .. Sunday 8 February 2026 (a past week: every working day is either recorded or absent).
WEEK = {"start": "2026-02-02", "end": "2026-02-08"}


def _add(app, *rows):
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def _day(user, day, status="present", hour=0):
    return DailyAttendance(user_id=user.id, work_date=date.fromisoformat(day), status=status,
                           time_in=datetime.fromisoformat(f"{day}T{hour:02d}:30").replace(tzinfo=timezone.utc))


def _leave(user, leave_type, start, end, status="approved"):
    return LeaveRequest(user_id=user.id, leave_type=leave_type, start_date=date.fromisoformat(start),
                        end_date=date.fromisoformat(end), reason="alasan", status=status)


def _csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def week(app, factory):
    """Andi: present Mon, late Tue, sick Wed-Thu (approved), nothing Fri.  Budi: nothing all week
    but a rejected check-in on Mon and a pending (not approved) leave Tue."""
    andi = factory.user(name="Andi Pratama", nisn_nip_nik="3201")
    budi = factory.user(name="Budi Santoso", nisn_nip_nik="3202")
    _add(app, _day(andi, "2026-02-02"), _day(andi, "2026-02-03", "late", 1),
         _leave(andi, "sakit", "2026-02-04", "2026-02-05"),
         _day(budi, "2026-02-02", "rejected"), _leave(budi, "izin", "2026-02-03", "2026-02-03", status="pending"))
    return andi, budi


def _row(rows, name):
    return next(r for r in rows if r[0] == name)


def test_approved_leave_shows_as_its_type_and_the_rest_as_absent(as_admin, week):
    response = as_admin.get("/admin/attendance/report.csv?" + "&".join(f"{k}={v}" for k, v in WEEK.items()))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="attendance-2026-02-02-2026-02-08.csv"'
    rows = _csv(response)
    header = rows[0]
    days = header[-7:]
    assert days == [f"2026-02-0{d}" for d in range(2, 9)]
    andi = dict(zip(header, _row(rows, "Andi Pratama")))
    budi = dict(zip(header, _row(rows, "Budi Santoso")))
    # Indonesian letters (default language): H hadir, T terlambat, S sakit, A alpa; weekend "·"
    assert [andi[d] for d in days] == ["H", "T", "S", "S", "A", "·", "·"]
    # a rejected check-in and a leave that was never approved leave the days absent
    assert [budi[d] for d in days] == ["A", "A", "A", "A", "A", "·", "·"]
    assert (andi["Hadir"], andi["Terlambat"], andi["Sakit"], andi["Alpa"]) == ("1", "1", "2", "1")
    assert (budi["Hadir"], budi["Izin"], budi["Alpa"]) == ("0", "0", "5")


def test_page_shows_the_grid_with_totals_and_a_legend(as_admin, week):
    response = as_admin.get(PAGE + "?start=2026-02-02&end=2026-02-08")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    andi_row = body[body.index("Andi Pratama"):body.index("Budi Santoso")]
    assert andi_row.count('class="day day--sakit"') == 2
    assert andi_row.count('class="day day--absent"') == 1
    assert "Sakit" in text_of(body)          # the legend names the leave type
    assert 'title="Senin, 2 Februari 2026' in body or "2 Feb" in body


def test_working_days_setting_decides_which_days_count(as_admin, app, week):
    from app.system.settings import update_setting

    with app.app_context():
        update_setting("working_days", "1-6")   # a school week, Monday to Saturday
        db.session.commit()
    rows = _csv(as_admin.get("/admin/attendance/report.csv?start=2026-02-02&end=2026-02-08"))
    header = rows[0]
    budi = dict(zip(header, _row(rows, "Budi Santoso")))
    assert budi["2026-02-07"] == "A" and budi["2026-02-08"] == "·"
    assert budi["Alpa"] == "6"


def test_students_marked_by_a_teacher_count_as_present_and_class_filter(as_admin, app, factory):
    teacher = factory.user(role="guru", name="Bu Guru")
    siti = factory.user(role="siswa", name="Siti Aminah", nisn_nip_nik="0051")
    other = factory.user(role="siswa", name="Zaki Other", nisn_nip_nik="0052")
    with app.app_context():
        cls = SchoolClass(name="X IPA 1", homeroom_teacher_id=teacher.id)
        db.session.add(cls)
        db.session.flush()
        db.session.add_all([ClassEnrollment(class_id=cls.id, student_id=siti.id, academic_year=2025),
                            StudentAttendance(student_id=siti.id, class_id=cls.id, date=date(2026, 2, 2),
                                              method="qr_card", recorded_by_id=teacher.id)])
        db.session.commit()
        class_id = cls.id
    rows = _csv(as_admin.get(f"/admin/attendance/report.csv?start=2026-02-02&end=2026-02-03&class_id={class_id}"))
    names = [r[0] for r in rows[1:]]
    assert names == ["Siti Aminah"]           # only the class's students (academic year 2025/26)
    assert rows[1][-2:] == ["H", "A"]
    everyone = [r[0] for r in _csv(as_admin.get("/admin/attendance/report.csv?start=2026-02-02&end=2026-02-03&role=siswa"))[1:]]
    assert everyone == ["Siti Aminah", "Zaki Other"]
    assert other.name in everyone


def test_today_and_future_days_are_not_counted_as_absent(as_admin, factory):
    from app.common import clock
    from datetime import timedelta

    factory.user(name="Citra Dewi")
    today = clock.local_today()
    rows = _csv(as_admin.get(f"/admin/attendance/report.csv?start={today}&end={today + timedelta(days=1)}"))
    citra = dict(zip(rows[0], _row(rows, "Citra Dewi")))
    assert citra[today.isoformat()] in ("…", "·")
    assert citra[(today + timedelta(days=1)).isoformat()] == ""
    assert citra["Alpa"] == "0"


def test_csv_cells_that_look_like_formulas_are_neutralised(as_admin, factory):
    factory.user(name="=HYPERLINK(\"http://x\")")
    rows = _csv(as_admin.get("/admin/attendance/report.csv?" + "&".join(f"{k}={v}" for k, v in WEEK.items())))
    assert any(r[0] == "'=HYPERLINK(\"http://x\")" for r in rows)


def test_a_range_too_long_or_reversed_is_refused_clearly(as_admin, week):
    body = as_admin.get(PAGE + "?start=2026-01-01&end=2026-06-30").get_data(as_text=True)
    assert "62" in text_of(body)
    assert as_admin.get("/admin/attendance/report.csv?start=2026-03-01&end=2026-02-01").status_code == 400
    # a date that is not a date falls back to the default range instead of failing
    assert as_admin.get(PAGE + "?start=kemarin&end=2026-13-45").status_code == 200


def test_admins_and_petugas_are_not_in_the_report_and_english_letters(as_admin, as_petugas, week):
    rows = _csv(as_petugas.get("/admin/attendance/report.csv?start=2026-02-02&end=2026-02-03"))
    names = [r[0] for r in rows[1:]]
    assert names == ["Andi Pratama", "Budi Santoso"]
    as_admin.submit("/admin/", "/admin/language", {"lang": "en"})
    rows = _csv(as_admin.get("/admin/attendance/report.csv?start=2026-02-02&end=2026-02-04"))
    assert rows[1][-3:] == ["P", "L", "S"]


def test_anonymous_and_students_cannot_open_the_report(anon, app, factory):
    response = anon.get(PAGE)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_nobody_is_absent_on_a_holiday_or_a_roster_day_off(as_admin, app, week, factory):
    from app.schedules.models import Holiday, RosterEntry

    _andi, budi = week
    factory.schedule()                                   # the organisation's default, Monday to Friday
    _add(app, Holiday(on_date=date(2026, 2, 6), name="Hari Jadi", category="organisation"),
         RosterEntry(user_id=budi.id, work_date=date(2026, 2, 4), schedule_id=None))
    rows = _csv(as_admin.get("/admin/attendance/report.csv?start=2026-02-02&end=2026-02-08"))
    row = dict(zip(rows[0], _row(rows, "Budi Santoso")))
    assert (row["2026-02-04"], row["2026-02-06"]) == ("·", "·")
    assert row["2026-02-03"] == "A" and row["Alpa"] == "3"   # Monday (check-in rejected), Tuesday, Thursday


def test_the_report_sends_as_many_statements_for_30_people_as_for_3(as_admin, app, factory, flat_statement_counts,
                                                                    freeze_time):
    """Page, its htmx fragment and the CSV: no query per person or per day (each cell's time too)."""
    freeze_time("2026-02-02T10:00+07:00")
    factory.schedule()
    page = "/admin/attendance/report?start=2026-01-01&end=2026-01-31"
    urls = [(page, False), (page, True), ("/admin/attendance/report.csv?start=2026-01-01&end=2026-01-31", False)]

    def add(n):
        people = [factory.user(role="pegawai") for _ in range(n)]
        with app.app_context():
            for person in people:
                for day in range(5, 10):
                    moment = datetime(2026, 1, day, 1, 10, tzinfo=timezone.utc)
                    db.session.add(DailyAttendance(user_id=person.id, work_date=date(2026, 1, day), time_in=moment,
                                                   status="late", late_minutes=10))
            db.session.commit()

    body = flat_statement_counts(as_admin, urls, add)
    assert len(list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))) == 31   # the header and 30 people


@pytest.mark.parametrize("search, names", [
    ("100%", ["Diskon 100% Putra"]),      # "%" is a percent sign, not "anything"
    ("%", ["Diskon 100% Putra"]),
    ("_", ["Nama_Garis Bawah"]),          # "_" is an underscore, not "any one character"
    ("pratama", ["Andi Pratama"]),        # part of the name, any case
    ("3202", ["Budi Santoso"]),           # an identifier
])
def test_the_search_box_matches_its_text_literally(as_admin, factory, week, search, names):
    factory.user(name="Diskon 100% Putra")
    factory.user(name="Nama_Garis Bawah")
    rows = _csv(as_admin.get("/admin/attendance/report.csv", query_string={**WEEK, "q": search}))
    assert [r[0] for r in rows[1:]] == names
