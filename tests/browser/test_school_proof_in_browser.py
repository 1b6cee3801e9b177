"""The school end to end in a real browser: an admin creates a class, enrols two students
with the search-as-you-type picker, generates their cards and prints the sheet; a QR decoded from
the printed page's screenshot (zxing-cpp) records a student's attendance through the school API's
``scan-qr``."""
from __future__ import annotations

import io
import re

import pytest

from app.extensions import db
from app.school.models import SchoolClass, StudentAttendance, StudentQrCard
from tests.helpers import count
from tests.api.school.tokens import bearer, school_user

pytestmark = pytest.mark.browser


def _enrol(page, query: str, student_id: int) -> None:
    """Type into the picker (no Enter: the debounced search runs by itself) and press Enrol."""
    page.fill("#enrol-q", "")
    page.type("#enrol-q", query, delay=40)
    page.locator(f"#candidate-{student_id} button").wait_for()
    page.locator(f"#candidate-{student_id} button").click()
    page.locator(f"#class-students #student-{student_id}").wait_for()


def test_class_enrolment_cards_print_and_scan(app, factory, live_server, browser_page):
    import zxingcpp
    from PIL import Image

    factory.user(role="admin", name="Admin Sekolah", email="admin@hadir.test")
    teacher = school_user(factory, "guru", "198501012010011001", name="Bu Ratna")
    siti = school_user(factory, "siswa", "0051234567", name="Siti Aminah")
    budi = school_user(factory, "siswa", "0051234568", name="Budi Santoso")
    school_user(factory, "siswa", "0059999999", name="Sinta Lain")     # matches "Si" but is not enrolled

    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/admin/school/classes/new")
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/school/classes/new")

    # create the class with its homeroom teacher
    page.fill("#name", "XI IPA 2")
    page.select_option("#homeroom_teacher_id", value=str(teacher.id))
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/school/classes/\d+$"))
    class_id = int(page.url.rsplit("/", 1)[1])
    with app.app_context():
        school_class = db.session.get(SchoolClass, class_id)
        assert (school_class.name, school_class.homeroom_teacher_id) == ("XI IPA 2", teacher.id)

    # enrol two students with the picker, by name and by NISN, without a page reload
    page.evaluate("window.__marker = 1")
    _enrol(page, "Siti", siti.id)
    _enrol(page, "0051234568", budi.id)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert page.locator("#class-students tbody tr").count() == 2

    # their cards: generate the missing ones for the class, then print the sheet
    page.goto(f"{live_server}/admin/school/cards?class_id={class_id}")
    page.locator("form[action$='/cards/generate-missing'] button").click()
    page.locator(f"#card-student-{budi.id} .badge--active").wait_for()
    page.locator(f"#card-student-{siti.id} .badge--active").wait_for()
    page.goto(f"{live_server}/admin/school/cards/print?class_id={class_id}")
    page.screenshot(path="/tmp/proof-card-sheet.png", full_page=True)
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(shot))
    with app.app_context():
        cards = {c.student_id: c.qr_code for c in db.session.scalars(
            db.select(StudentQrCard).where(StudentQrCard.is_active.is_(True)))}
    assert decoded == sorted([cards[siti.id], cards[budi.id]])

    # the teacher's app scans Siti's printed card: recorded once, for this class
    siti_code = cards[siti.id]
    assert siti_code in decoded
    client = app.test_client()
    headers = bearer(app, teacher)
    body = {"qr_code": siti_code, "class_id": class_id, "latitude": -6.2088, "longitude": 106.8456}
    response = client.post("/api/student-attendance/scan-qr", headers=headers, json=body)
    assert response.status_code in (200, 201), response.get_json()
    assert response.get_json()["success"] is True
    again = client.post("/api/student-attendance/scan-qr", headers=headers, json=body)
    assert again.status_code == 409
    with app.app_context():
        row = db.session.scalar(db.select(StudentAttendance))
        assert (row.student_id, row.class_id, row.method, row.recorded_by_id) == (siti.id, class_id, "qr_card",
                                                                                 teacher.id)
    assert count(app, StudentAttendance) == 1

    # and the class's attendance grid shows her present, Budi absent
    page.goto(f"{live_server}/admin/school/classes/{class_id}/today")
    page.screenshot(path="/tmp/proof-class-today.png", full_page=True)
    assert "Siti Aminah" in page.inner_text("main") and "Budi Santoso" in page.inner_text("main")
