"""A real browser for the roles of issue "everyone in the browser": a homeroom teacher signs in
and takes today's roll call of her class (on a phone, where the rows are stacked and every
button stays on the screen); an ER nurse signs in and verifies an escort in place."""
from __future__ import annotations

import base64
import io

from app.common import clock
from app.escorts.models import Escort
from app.extensions import db
from app.school.models import ClassEnrollment, SchoolClass, StudentAbsence, StudentAttendance

from tests.helpers import fetch

from .conftest import violations, watch


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("#identifier", email)
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/admin/me/")


def test_a_teacher_signs_in_and_takes_todays_roll_call_on_a_phone(app, factory, live_server, browser_page):
    from app.school.services import academic_year_of

    teacher = factory.user(role="guru", name="Budi Setiawan", email="guru@hadir.test", npp=None)
    other_teacher = factory.user(role="guru", name="Rina Guru", email="rina@hadir.test", npp=None)
    mine = factory._commit(SchoolClass(name="X IPA 1", homeroom_teacher_id=teacher.id))
    factory._commit(SchoolClass(name="X IPA 2", homeroom_teacher_id=other_teacher.id))
    andi = factory.user(role="siswa", name="Andi Saputra", nisn_nip_nik="1001")
    citra = factory.user(role="siswa", name="Citra Dewi", nisn_nip_nik="1002")
    year = academic_year_of(clock.local_today())
    for student in (andi, citra):
        factory._commit(ClassEnrollment(class_id=mine.id, student_id=student.id, academic_year=year))

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    console = watch(page)
    _sign_in(page, live_server, "guru@hadir.test")
    page.locator("#home-classes li", has_text="X IPA 1").locator("a", has_text="Absensi kelas").click()
    page.wait_for_url(f"{live_server}/admin/school/classes/{mine.id}/today")
    assert page.locator("h1").inner_text().endswith("X IPA 1")

    row = page.locator(f"#today-{andi.id}")
    button = row.locator("button", has_text="Tandai hadir")
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # not hidden off a phone's screen
    page.evaluate("window.__marker = 1")
    button.click()
    page.locator(f"#today-{andi.id} .badge", has_text="Hadir").wait_for()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert "Andi Saputra telah ditandai hadir" in page.locator("#class-today .flash--success").inner_text()
    assert page.locator(f"#today-{citra.id} .badge").inner_text() == "Alpa"
    # Citra is sick: the reason and a note, in place
    citra_row = page.locator(f"#today-{citra.id}")
    citra_row.locator("select[name=kind]").select_option("sick")
    citra_row.locator("input[name=note]").fill("Demam, surat dari orang tua")
    citra_row.locator("button", has_text="Simpan").click()
    page.locator(f"#today-{citra.id} .badge", has_text="Sakit").wait_for()
    assert "Demam, surat dari orang tua" in page.locator(f"#today-{citra.id}").inner_text()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with app.app_context():
        rows = db.session.execute(db.select(StudentAttendance.student_id, StudentAttendance.recorded_by_id,
                                            StudentAttendance.method)).all()
        marks = db.session.execute(db.select(StudentAbsence.student_id, StudentAbsence.kind,
                                             StudentAbsence.note)).all()
    assert rows == [(andi.id, teacher.id, "manual")]
    assert marks == [(citra.id, "sick", "Demam, surat dari orang tua")]
    # the other teacher's class is not hers: neither in her list nor by its URL
    page.goto(f"{live_server}/admin/school/roll-call")
    assert page.locator("#class-counts").inner_text().count("X IPA") == 1
    response = page.goto(f"{live_server}/admin/school/classes/{mine.id + 1}/today")
    assert response.status == 403
    assert violations(page, console) == []


def _jpeg_photo():
    from PIL import Image

    from app.attendance.photos import decode_photo

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, format="JPEG")
    return decode_photo(base64.b64encode(buffer.getvalue()).decode())


def test_an_er_nurse_signs_in_and_verifies_an_escort(app, factory, live_server, browser_page):
    from app.escorts import services

    factory.user(role="paramedis", name="Bambang Prasetyo", email="paramedis@hadir.test")
    with app.app_context():
        escort = services.create_escort(category="ambulance", name="Joko Ambulans", gender="male",
                                        phone="081234567890", plate_number="B1234XY", patient_name="Pak Harto",
                                        photo=_jpeg_photo())
        db.session.commit()
        escort_id = escort.id

    page = browser_page
    console = watch(page)
    _sign_in(page, live_server, "paramedis@hadir.test")
    page.locator(".sidebar a", has_text="Pengantar IGD").click()
    page.wait_for_url(f"{live_server}/admin/escorts/")
    row = page.locator(f"#escort-{escort_id}")
    assert "Joko Ambulans" in row.inner_text()
    assert row.locator("a", has_text="Hapus").count() == 0  # deleting stays with admin and petugas
    page.evaluate("window.__marker = 1")
    row.locator("button", has_text="Verifikasi").click()
    page.locator(f"#escort-{escort_id} .badge", has_text="Terverifikasi").wait_for()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    stored = fetch(app, Escort, escort_id)
    assert stored.status == "verified"
    with app.app_context():
        assert db.session.get(Escort, escort_id).reviewed_by.name == "Bambang Prasetyo"
    assert violations(page, console) == []
