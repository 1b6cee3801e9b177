"""At the ER kiosk (a real browser with a fake webcam) an escort chooses the
category, fills the short form, takes and retakes a photo, confirms; the registration appears
at once on the staff's escorts page as pending, and staff verify it there."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.escorts.models import Escort
from app.extensions import db
from app.kiosk import services as kiosks
from tests.helpers import count

from .conftest import mjpeg_feed, pair_kiosk

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
SHOTS = Path("/tmp")


@pytest.mark.browser
def test_an_escort_registers_at_the_er_kiosk_and_staff_verify_it(app, factory, live_server, tmp_path, uploads,
                                                                   webcam_page):
    factory.user(role="petugas", name="Perawat Jaga", email="igd@hadir.test")
    with app.app_context():
        kiosk = kiosks.create_kiosk(None, name="Pintu IGD", office_id=None, modes=["escorts"])
        code = kiosks.issue_pairing_code(kiosk).code
        db.session.commit()

    page = webcam_page(mjpeg_feed(FACES / "enroll" / "biden" / "biden.jpg", tmp_path / "escort.mjpeg"))
    pair_kiosk(page, live_server, code)
    page.click("[data-category=police]")
    page.wait_for_selector('[data-step=details]:not([hidden])')
    page.fill("input[name=name]", "Bripka Joko Widodo")
    page.check("input[name=gender][value=male]")
    page.fill("input[name=phone]", "0812 3456 7890")
    page.fill("input[name=plate_number]", "b 1234 pol")
    page.fill("input[name=patient_name]", "Korban Kecelakaan")
    page.screenshot(path=str(SHOTS / "er-kiosk-details.png"))
    page.click("[data-step=details] [data-go=photo]")
    page.wait_for_function("() => document.getElementById('escort-video').videoWidth > 0")
    page.click("#escort-capture")
    page.click("#escort-retake")                                   # retake: the camera comes back
    page.wait_for_function("() => document.getElementById('escort-video').videoWidth > 0")
    page.click("#escort-capture")
    page.screenshot(path=str(SHOTS / "er-kiosk-photo.png"))
    page.click("#escort-to-confirm")
    summary = page.inner_text("#escort-summary")
    assert "Polisi" in summary and "B 1234 POL" in summary and "081234567890" in summary
    page.screenshot(path=str(SHOTS / "er-kiosk-confirm.png"))
    page.click("#escort-submit")
    page.wait_for_selector('[data-step=done]:not([hidden])')
    reference = page.inner_text("#escort-reference")
    page.screenshot(path=str(SHOTS / "er-kiosk-done.png"))

    with app.app_context():
        escort = db.session.scalar(db.select(Escort))
        assert (escort.category, escort.status, escort.reference) == ("police", "pending", reference)
        assert (escort.name, escort.plate_number, escort.phone) == ("Bripka Joko Widodo", "B 1234 POL", "081234567890")
        assert (uploads / escort.photo_path).stat().st_size > 5_000          # a real webcam frame
        escort_id = escort.id

    # the staff's escorts page shows it at once, pending; verify it there
    staff = webcam_page(None)
    staff.goto(f"{live_server}/admin/escorts/")
    staff.fill("#identifier", "igd@hadir.test")
    staff.fill("#password", "password123")
    staff.click("form.form button[type=submit]")
    staff.wait_for_url(f"{live_server}/admin/escorts/")
    row = staff.locator(f"#escort-{escort_id}")
    assert "Bripka Joko Widodo" in row.inner_text()
    staff.screenshot(path=str(SHOTS / "er-escorts-page.png"), full_page=True)
    row.locator("button", has_text="Verifikasi").click()
    staff.locator(f"#escort-{escort_id} .badge--approved, #escort-{escort_id} .badge--active").first.wait_for()
    with app.app_context():
        assert db.session.get(Escort, escort_id).status == "verified"
    assert count(app, Escort) == 1
