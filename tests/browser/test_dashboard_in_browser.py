"""First-look fixes seen in a real browser: the dashboard's check-ins of today on a phone (each
check-in a block with every column on the screen, the status no longer cut off the right edge),
and the recap's class filter only beside the students' population."""
from __future__ import annotations

from datetime import datetime


def test_todays_check_ins_stack_on_a_phone_with_the_status_visible(app, factory, live_server, browser_page,
                                                                   freeze_time):
    from app.accounts.models import User
    from app.attendance.services import record_attendance
    from app.extensions import db

    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test")
    factory.schedule()
    people = [factory.user(name=f"Pegawai Dengan Nama Cukup Panjang {n}", npp=f"2000{n}") for n in range(3)]
    with app.app_context():
        for n, person in enumerate(people):
            record_attendance(db.session.get(User, person.id), "check_in", source="face",
                              now=datetime.fromisoformat(f"2026-02-02T07:{10 + 10 * n}+07:00"))
        db.session.commit()
    freeze_time("2026-02-02T10:00+07:00")

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/admin/login")
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    rows = page.locator("#today-check-ins tbody tr")
    assert rows.count() == 3
    for n in range(3):
        status = rows.nth(n).locator("td[data-label='Status'] .badge")
        box = status.bounding_box()
        assert status.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        person = rows.nth(n).locator("td.cell-person").bounding_box()
        assert box["y"] > person["y"]                       # stacked: the status below the person


def test_the_recaps_class_filter_shows_only_for_the_students_recap(app, factory, live_server, browser_page):
    from app.extensions import db
    from app.school import services as school

    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test")
    teacher = factory.user(role="guru", name="Guru Wali", nisn_nip_nik="7001")
    with app.app_context():
        school.create_class(name="X IPA 1", homeroom_teacher_id=teacher.id)
        db.session.commit()
    page = browser_page
    page.goto(f"{live_server}/admin/login")
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/admin/attendance/recap?month=2026-11")
    assert page.locator("#recap-class").count() == 1 and not page.locator("#recap-class").is_visible()
    page.select_option("#recap-population", "students")            # htmx swaps the body; the filter follows
    page.locator("#recap-class").wait_for(state="visible")
    page.select_option("#recap-population", "staff")
    page.locator("#recap-class").wait_for(state="hidden")
