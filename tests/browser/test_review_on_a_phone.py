"""The review inbox on a phone (390 px): every waiting row shows its person, reason and decision
buttons on the screen, none hidden in a table that scrolls sideways (each row stacks into
labelled lines, as the other lists of the app do on a phone)."""
from __future__ import annotations

from datetime import datetime, timedelta

from app.common import clock
from app.extensions import db

FAR = (-6.2188, 106.8456)  # about 1.1 km south of the office


def _seed(app, factory) -> str:
    """An admin, a check-in from 1.1 km outside the office (waiting for review) and a clinic
    procedure waiting for validation; returns the admin's e-mail."""
    from app.accounts.models import User
    from app.attendance.services import record_attendance
    from app.clinic import services as clinic

    office = factory.office()
    factory.schedule()
    factory.user(role="admin", email="admin@hadir.test", name="Admin Contoh")
    far = factory.user(name="Andi Pratama Wijayakusuma", office=office)
    doctor = factory.user(role="dokter", name="dr. Rina Wulandari")
    with app.app_context():
        record_attendance(db.session.get(User, far.id), "check_in", source="mobile_gps", latitude=FAR[0],
                          longitude=FAR[1], accuracy_m=12.0,
                          now=datetime.fromisoformat("2026-01-30T07:55:00+07:00"))
        patient = clinic.create_patient("Pasien Contoh")
        clinic.record_procedure(patient, db.session.get(User, doctor.id), name="Jahit luka", fee=350_000,
                                service_fee_share=105_000, performed_at=clock.now() - timedelta(hours=2))
        db.session.commit()
    return "admin@hadir.test"


def test_the_review_inbox_on_a_phone_shows_every_rows_decision(app, factory, live_server, browser_page):
    email = _seed(app, factory)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/admin/login")
    page.fill("#identifier", email)
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/admin/attendance/review")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for row, name in (("#events tbody tr[id^=event-]", "Andi Pratama Wijayakusuma"),
                      ("tr[id^=procedure-]", "dr. Rina Wulandari")):
        locator = page.locator(row).first
        assert name in locator.inner_text()
        for button in (locator.locator("button", has_text="Setujui"), locator.locator("button", has_text="Tolak")):
            box = button.first.bounding_box()
            assert box and 0 <= box["x"] and box["x"] + box["width"] <= 390, (row, box)
    reasons = page.locator("#events tbody tr[id^=event-] td.cell-reasons").first.bounding_box()
    assert reasons and reasons["x"] + reasons["width"] <= 390
