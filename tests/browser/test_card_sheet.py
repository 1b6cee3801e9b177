"""A real browser: generate a class's cards, regenerate one, print the sheet, read its QR codes back."""
from __future__ import annotations

import io
import re

import pytest

from app.common import clock
from app.extensions import db
from app.school.models import StudentQrCard
from app.school.services import CardInactive, academic_year_of, assign_students, create_class, find_active_card

pytestmark = pytest.mark.browser


def _active_codes(app) -> dict[int, str]:
    with app.app_context():
        return {c.student_id: c.qr_code for c in db.session.scalars(
            db.select(StudentQrCard).where(StudentQrCard.is_active.is_(True)))}


def _scan(app, code):
    with app.app_context():
        try:
            return find_active_card(code).student_id
        except CardInactive:
            return "inactive"


def test_generate_print_and_scan_the_cards_of_a_class(app, factory, live_server, browser_page):
    import zxingcpp
    from PIL import Image

    factory.user(role="admin", name="Admin Sekolah", email="admin@hadir.test")
    students = [factory.user(role="siswa", name=f"Siswa {n:02d}", nisn_nip_nik=f"00{n:08d}") for n in range(11)]
    with app.app_context():
        school_class = create_class(name="X IPA 1")
        assign_students(school_class, [s.id for s in students], academic_year_of(clock.local_today()))
        db.session.commit()
        class_id = school_class.id

    page = browser_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.goto(f"{live_server}/admin/school/cards?class_id={class_id}")
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/school/cards\?class_id=\d+$"))

    # bulk: "generate cards for every student without one", after a confirmation
    page.evaluate("window.__marker = 1")
    page.locator("form[action$='/cards/generate-missing'] button").click()
    page.locator(f"#card-student-{students[10].id} .badge--active").wait_for()
    assert len(dialogs) == 1 and "11" in dialogs[0]
    codes = _active_codes(app)
    assert len(codes) == 11
    assert page.locator("#card-list .badge--active").count() == 11
    for student in students:
        assert codes[student.id] in page.locator(f"#card-student-{student.id}").inner_text()

    # regenerate one card in place: confirm, the row changes, the old code stops working
    old = codes[students[0].id]
    row = page.locator(f"#card-student-{students[0].id}")
    row.locator("form[action*='/generate'] button").click()
    page.wait_for_function(f"() => !document.querySelector('#card-student-{students[0].id}').innerText.includes('{old}')")
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert len(dialogs) == 2
    new = _active_codes(app)[students[0].id]
    assert new != old and new in row.inner_text()
    notice = page.locator("#card-notice .flash--success")  # swapped out of band with the row
    assert new in notice.inner_text() and old not in notice.inner_text()
    assert page.locator("#card-notice").count() == 1
    assert _scan(app, old) == "inactive" and _scan(app, new) == students[0].id

    # the print sheet: every QR on the screenshot is an active card of the class
    page.goto(f"{live_server}/admin/school/cards/print?class_id={class_id}")
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    decoded = sorted(result.text for result in zxingcpp.read_barcodes(shot))
    assert decoded == sorted(_active_codes(app).values())
    assert all(_scan(app, code) in {s.id for s in students} for code in decoded)

    # printed on A4: 11 cards are 2 pages; the toolbar is not printed
    page.emulate_media(media="print")
    assert not page.locator(".sheet-toolbar").is_visible()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) == 2
