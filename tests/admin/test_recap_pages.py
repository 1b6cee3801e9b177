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

from tests.helpers import text_of


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
    assert "08.25" in row and "17.00" in row and "8:35" in row and "25" in row and "1:30" in row
    events = text_of(page.split('id="events-2026-11-04"')[1].split("</tr>")[0])
    assert "Koreksi" in events and "Lupa absen pulang" in events
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


# --- the monthly recap ----------------------------------------------------------------------

@pytest.fixture
def recap_month(app, factory, november):
    """Dewi (office 0002 Bandung, department OPS) as in ``november``; Eko (office 0001, no department):
    present on time on Monday 2 November only; a student, who is not in the staff recap."""
    from app.departments.models import Department

    dewi, _ids = november
    jakarta = factory.office()
    bandung = factory.office(code="0002", name="Kantor Cabang Bandung")
    with app.app_context():
        ops = Department(code="OPS", name="Operasional")
        db.session.add(ops)
        db.session.flush()
        db.session.execute(db.update(type(dewi)).where(type(dewi).id == dewi.id)
                           .values(office_id=bandung.id, department_id=ops.id))
        db.session.commit()
    eko = factory.user(name="Eko Prasetyo", npp="80002", office=jakarta)
    factory.user(role="siswa", name="Siswa Satu", nisn_nip_nik="990001")
    with app.app_context():
        db.session.add(DailyAttendance(user_id=eko.id, work_date=date(2026, 11, 2), status="present",
                                       time_in=utc("2026-11-02T07:50+07:00"), time_out=utc("2026-11-02T16:50+07:00"),
                                       worked_minutes=540))
        db.session.commit()
    return dewi, eko


def _row_text(page, row_id):
    return text_of(page.split(f'id="{row_id}">')[1].split("</tr>")[0])


def test_the_recap_lists_each_person_with_the_totals_of_everyone(as_petugas, recap_month, freeze_time):
    freeze_time("2026-12-01T09:00+07:00")
    dewi, eko = recap_month
    page = as_petugas.get("/admin/attendance/recap?month=2026-11").get_data(as_text=True)
    assert "Siswa Satu" not in page
    # name, department/position, office, days, H, T/min, early, A, I, S, C, DL, L, worked, overtime
    assert _row_text(page, f"recap-{dewi.id}") == (
        "Dewi Lestari 80001 Operasional Perawat 0002 20 2 1 25 16 2 10 17:40 1:30")
    assert _row_text(page, f"recap-{eko.id}") == "Eko Prasetyo 80002 — 0001 20 1 19 10 9:00"
    assert _row_text(page, "recap-totals") == "Total (2 orang) 40 3 1 25 0 0 35 0 2 0 0 20 26:40 1:30"
    # the day grid's cells name the day, its status and the check-in time
    assert 'title="2 Nov 2026: Hadir 07.50"' in page and 'title="4 Nov 2026: Terlambat 08.25"' in page
    only_bandung = as_petugas.get("/admin/attendance/recap?month=2026-11&office=0002").get_data(as_text=True)
    assert "Dewi Lestari" in only_bandung and "Eko Prasetyo" not in only_bandung
    only_ops = as_petugas.get("/admin/attendance/recap?month=2026-11&department=OPS").get_data(as_text=True)
    assert "Dewi Lestari" in only_ops and "Eko Prasetyo" not in only_ops
    students = as_petugas.get("/admin/attendance/recap?month=2026-11&population=students").get_data(as_text=True)
    assert "Siswa Satu" in students and "Dewi Lestari" not in students
    unknown = as_petugas.get("/admin/attendance/recap?month=2026-11&office=XX").get_data(as_text=True)
    assert "tidak dikenal" in text_of(unknown) and "Eko Prasetyo" in unknown
    # the chart: one bar group per day, the 4th with one present and one late
    assert page.count('class="chart-day"') == 30
    assert "Menit terlambat per unit kerja" in page and "Operasional" in page


def test_each_page_of_the_recap_shows_its_people_and_the_totals_of_everyone(
        as_admin, recap_month, freeze_time, monkeypatch):
    from app.attendance import recap_views

    freeze_time("2026-12-01T09:00+07:00")
    dewi, eko = recap_month
    monkeypatch.setattr(recap_views, "RECAP_PER_PAGE", 1)
    first = as_admin.get("/admin/attendance/recap?month=2026-11").get_data(as_text=True)
    second = as_admin.get("/admin/attendance/recap?month=2026-11&page=2", htmx=True).get_data(as_text=True)
    assert f'id="recap-{dewi.id}"' in first and f'id="recap-{eko.id}"' not in first
    assert f'id="recap-{eko.id}"' in second and f'id="recap-{dewi.id}"' not in second
    assert _row_text(second, f"recap-{eko.id}") == "Eko Prasetyo 80002 — 0001 20 1 19 10 9:00"
    for page in (first, second):
        assert _row_text(page, "recap-totals") == "Total (2 orang) 40 3 1 25 0 0 35 0 2 0 0 20 26:40 1:30"
        assert "2 orang" in text_of(page.split('class="recap-scope')[1].split("</p>")[0])
        assert page.count('class="chart-day"') == 30 and "Operasional" in page
    assert 'title="2 Nov 2026: Hadir 07.50"' in second      # the page's own clock times
    as_admin.submit("/admin/", "/admin/language", {"lang": "en"})
    english = as_admin.get("/admin/attendance/recap?month=2026-11&page=2", htmx=True).get_data(as_text=True)
    assert 'title="2 Nov 2026: Present 07:50"' in english   # as the reader's language writes a time


def test_the_xlsx_has_the_header_block_one_row_per_person_and_the_pages_totals(as_admin, recap_month, freeze_time):
    import io

    from openpyxl import load_workbook

    freeze_time("2026-12-01T09:00+07:00")
    dewi, eko = recap_month
    response = as_admin.get("/admin/attendance/recap.xlsx?month=2026-11")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=rekap-absensi-2026-11.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Rekap", "Kisi harian"]
    sheet = book["Rekap"]
    assert sheet["A1"].value == "Hadir"
    assert sheet["A2"].value == "Rekap absensi November 2026"
    assert sheet["A3"].value == "Pegawai dan staf klinik"
    assert sheet["A4"].value == "Dicetak 1 Desember 2026 09.00"
    assert sheet.freeze_panes == "C7"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    assert rows[0][:3] == ["NPP / NIK / NISN", "Nama", "Unit kerja"]
    assert [r[1] for r in rows[1:-1]] == ["Dewi Lestari", "Eko Prasetyo"]
    assert rows[1][:5] == ["80001", "Dewi Lestari", "Operasional", "Perawat", "Kantor Cabang Bandung"]
    # the totals row equals the page's: 40 days, 3 present, 1 late (25 min), 35 absent, 2 sick, 20 off,
    # 26.7 hours worked (26:40), 1.5 hours overtime
    assert rows[-1] == ["Total (2 orang)", None, None, None, None, 40, 3, 1, 25, 0, 0, 35, 0, 2, 0, 0, 20, 26.7, 1.5]
    grid = book["Kisi harian"]
    dewi_row = [c.value for c in next(r for r in grid.iter_rows(min_row=5) if r[1].value == "Dewi Lestari")]
    assert dewi_row[2:8] == ["L", "A", "H", "T", "S", "S"]


def test_the_pdf_is_a4_landscape_with_the_approval_block(as_admin, recap_month, freeze_time):
    import pypdfium2 as pdfium

    freeze_time("2026-12-01T09:00+07:00")
    response = as_admin.get("/admin/attendance/recap.pdf?month=2026-11&office=0002")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = pdfium.PdfDocument(response.data)
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (842, 595)          # A4 landscape in points
    text = pdf[0].get_textpage().get_text_range()
    assert "Rekap absensi November 2026" in text and "Kantor Cabang Bandung" in text
    assert "Dewi Lestari" in text and "Eko Prasetyo" not in text
    assert "Disetujui oleh" in text
    assert "Total (1 orang)" in text                             # the totals' label on one line


def test_the_csv_and_a_bad_format(as_admin, recap_month, freeze_time):
    import csv
    import io

    freeze_time("2026-12-01T09:00+07:00")
    response = as_admin.get("/admin/attendance/recap.csv?month=2026-11")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["NPP / NIK / NISN", "Nama"] and rows[0][-1] == "2026-11-30"
    assert rows[1][1] == "Dewi Lestari" and rows[1][19:23] == ["L", "A", "H", "T"]
    assert rows[-1][0] == "Total (2 orang)"
    assert as_admin.get("/admin/attendance/recap.docx?month=2026-11").status_code == 404


def test_the_command_line_writes_the_same_recap(app, recap_month, tmp_path, freeze_time):
    from openpyxl import load_workbook

    freeze_time("2026-12-01T09:00+07:00")
    runner = app.test_cli_runner()
    target = tmp_path / "rekap.xlsx"
    result = runner.invoke(args=["report", "recap", "--month", "2026-11", "--office", "0002", "--format", "xlsx",
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target)["Rekap"]
    assert [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=7)] == [("80001", "Dewi Lestari"),
                                                                               ("Total (1 orang)", None)]
    bad = runner.invoke(args=["report", "recap", "--month", "2026-11", "--department", "NOPE", "--format", "csv",
                              "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 1 and "NOPE" in bad.output and not (tmp_path / "x.csv").exists()
    assert runner.invoke(args=["report", "recap", "--month", "2026-13", "--format", "csv",
                               "-o", str(tmp_path / "y.csv")]).exit_code == 1


def test_the_recap_and_its_exports_send_as_many_statements_for_30_people_as_for_3(
        as_admin, app, factory, flat_statement_counts, freeze_time):
    """The page, its htmx fragment, XLSX, PDF, CSV and the dashboard's month chart: no statement per
    person, day or department (the 27 added people sit in departments and offices of their own, with
    days, leave and overtime)."""
    from app.departments.models import Department

    freeze_time("2026-12-01T09:00+07:00")
    factory.schedule()
    urls = [(f"/admin/attendance/recap{suffix}?month=2026-11", htmx)
            for suffix, htmx in (("", False), ("", True), (".xlsx", False), (".pdf", False), (".csv", False))]
    urls.insert(0, ("/admin/attendance/month-chart", True))         # the dashboard's chart of the month

    def add(n, first):
        with app.app_context():
            departments = [Department(code=f"U{first + k}", name=f"Unit {first + k}") for k in range(3)]
            db.session.add_all(departments)
            db.session.commit()
            department_ids = [d.id for d in departments]
        offices = [factory.office(code=f"0{first + k:03d}", name=f"Kantor {first + k}") for k in range(2)]
        people = [factory.user(role="pegawai", office=offices[k % 2]) for k in range(n)]
        with app.app_context():
            for k, person in enumerate(people):
                db.session.execute(db.update(type(person)).where(type(person).id == person.id)
                                   .values(department_id=department_ids[k % 3]))
                days = []
                for day in range(2, 7):
                    moment = datetime(2026, 11, day, 1, 10, tzinfo=timezone.utc)
                    days.append(DailyAttendance(user_id=person.id, work_date=date(2026, 11, day), time_in=moment,
                                                time_out=moment.replace(hour=10), worked_minutes=540,
                                                status="late", late_minutes=10))
                db.session.add_all(days)
                db.session.flush()
                db.session.add(LeaveRequest(user_id=person.id, leave_type="izin", start_date=date(2026, 11, 9),
                                            end_date=date(2026, 11, 10), reason="Keluarga", status="approved"))
                db.session.add(OvertimeClaim(user_id=person.id, work_date=date(2026, 11, 2), daily_id=days[0].id,
                                             reason="extended",
                                             minutes=60, minutes_after=60, approved_minutes=60, status="approved"))
            db.session.commit()

    body = flat_statement_counts(as_admin, urls, lambda n: add(n, 10 if n == 3 else 20))
    rows = body.lstrip("\ufeff").splitlines()
    assert len(rows) == 32 and rows[-1].startswith("Total (30 orang)")   # headings, 30 people, the totals


def test_the_organisation_name_set_on_the_settings_page_heads_the_page_the_xlsx_and_the_pdf(
        app, as_admin, admin, recap_month, freeze_time, monkeypatch):
    import io

    import pypdfium2 as pdfium
    from openpyxl import load_workbook

    from tests.helpers import audit_trail

    freeze_time("2026-12-01T09:00+07:00")
    monkeypatch.setitem(app.config, "ORGANISATION_NAME", "PT Dari Lingkungan")
    page = as_admin.get("/admin/attendance/recap?month=2026-11").get_data(as_text=True)
    assert '<strong class="recap-organisation">PT Dari Lingkungan</strong>' in page      # the server's default
    settings = as_admin.get("/admin/settings").get_data(as_text=True)
    assert 'name="organisation_name"' in settings and "Nama organisasi" in text_of(settings)
    token_page = "/admin/settings"
    from app.system import settings as registry

    with app.app_context():
        data = {v.key: v.value or "" for v in registry.list_settings() if registry.SPECS[v.key].type != "boolean"}
    saved = as_admin.submit(token_page, token_page, {**data, "organisation_name": "Klinik Sehat Sentosa"})
    assert saved.status_code == 303
    entry = audit_trail(app, action="settings.update")[-1]
    assert (entry[1], entry[5], entry[6]) == (admin.id, {"organisation_name": None},
                                               {"organisation_name": "Klinik Sehat Sentosa"})
    page = as_admin.get("/admin/attendance/recap?month=2026-11").get_data(as_text=True)
    assert '<strong class="recap-organisation">Klinik Sehat Sentosa</strong>' in page
    book = load_workbook(io.BytesIO(as_admin.get("/admin/attendance/recap.xlsx?month=2026-11").data))
    assert book["Rekap"]["A1"].value == "Klinik Sehat Sentosa"
    pdf = pdfium.PdfDocument(as_admin.get("/admin/attendance/recap.pdf?month=2026-11").data)
    assert "Klinik Sehat Sentosa" in pdf[0].get_textpage().get_text_range()
