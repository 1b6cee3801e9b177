"""A real browser: an admin registers a kiosk, a tablet pairs with the link, shows the rotating QR
(decoded from a screenshot), says "offline — retrying" when the network drops, recovers, and
goes back to pairing once revoked."""
from __future__ import annotations

import io
import re

from pathlib import Path

import pytest

from app.common import clock
from app.extensions import db
from app.kiosk.models import Kiosk


#: Screenshots worth a look after a run (not compared by the test).
SCREENSHOTS = Path("/tmp")


def _decode(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def _shown_code(kiosk) -> tuple[str, list[str]]:
    """The kiosk's current token (``data-token``) and what zxing decodes from a screenshot of its QR.

    The token rotates every period, so a rotation can fall between reading the attribute and
    taking the screenshot (a slow machine makes that likelier): the pair is read again until the
    token was the same before and after the screenshot (three tries; a rotation takes one).
    """
    for _ in range(3):
        before = kiosk.get_attribute("#kiosk-qr", "data-token")
        png = kiosk.locator("#kiosk-qr").screenshot()
        if kiosk.get_attribute("#kiosk-qr", "data-token") == before:
            return before, _decode(png)
    raise AssertionError("the kiosk's token changed during three screenshots in a row")


@pytest.mark.browser
def test_kiosk_pairs_shows_a_scannable_rotating_qr_and_survives_a_network_drop(app, factory, live_server,
                                                                                 browser_page, freeze_time):
    from datetime import timedelta

    from tests.api.school.qr_helpers import set_settings
    from tests.api.school.tokens import bearer, school_user

    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test")
    # the shortest QR period (the test waits less); the school's geofence; windows open all day
    set_settings(app, qr_period_seconds=10, school_latitude=-6.2088, school_longitude=106.8456,
                 attendance_radius=100)
    factory.schedule(check_in=("00:00", "23:59"), check_out=("00:00", "23:59"), late_after="23:59")
    teacher = school_user(factory, "guru", "2001", name="Bu Ratna")
    page = browser_page
    page.goto(f"{live_server}/admin/kiosks/new")
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/kiosks/new")
    page.fill("#name", "Pintu Utama")
    page.click("form.form button[type=submit]")
    code = page.locator(".pairing-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    link = page.locator("#pairing-code a.mono").get_attribute("href")

    # the tablet: a second browser context (no admin session), opens the pairing link
    tablet = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    kiosk = tablet.new_page()
    kiosk.goto(link)
    assert kiosk.input_value("#code") == code
    kiosk.click("button[type=submit]")
    kiosk.wait_for_url(f"{live_server}/kiosk/")
    kiosk.wait_for_selector("#kiosk-qr svg")
    token, scanned = _shown_code(kiosk)
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert scanned == [token]
    seconds = int(kiosk.inner_text("#kiosk-countdown"))
    assert 0 <= seconds <= 10
    kiosk.screenshot(path=str(SCREENSHOTS / "kiosk-qr.png"))
    # the next period brings the next code, without a reload
    kiosk.wait_for_function(f"() => document.getElementById('kiosk-qr').dataset.token !== '{token}'", timeout=15_000)
    next_token, scanned = _shown_code(kiosk)
    assert next_token != token and scanned == [next_token]

    # a phone scans it and calls the school check-in API: accepted at the school
    checkin = {"qr_token": scanned[0], "latitude": -6.2088, "longitude": 106.8456, "accuracy": 10}
    accepted = app.test_client().post("/api/attendance/checkin", headers=bearer(app, teacher), json=checkin)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["data"]["qr_token_used"] == scanned[0]
    # the same token, three periods later (after its grace step), is refused as expired
    freeze_time(clock.now() + timedelta(seconds=30))
    expired = app.test_client().post("/api/attendance/checkout", headers=bearer(app, teacher), json=checkin)
    assert expired.status_code == 400 and "kedaluwarsa" in expired.get_json()["message"]
    freeze_time(None)  # the clock runs again
    assert kiosk.is_hidden("#kiosk-offline")

    # the network drops: the banner appears, the code stays until it stops working
    tablet.set_offline(True)
    kiosk.wait_for_selector("#kiosk-offline", state="visible", timeout=15_000)
    assert "Offline" in kiosk.inner_text("#kiosk-offline")
    tablet.set_offline(False)
    kiosk.wait_for_selector("#kiosk-offline", state="hidden", timeout=20_000)

    # revoked from the admin page: the tablet goes back to the pairing page at its next request
    with app.app_context():
        kiosk_row = db.session.scalar(db.select(Kiosk))
    page.goto(f"{live_server}/admin/kiosks/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f"#kiosk-{kiosk_row.id} button", has_text="Cabut").click()
    page.wait_for_selector(f"#kiosk-{kiosk_row.id} .badge--rejected")
    kiosk.wait_for_url(f"{live_server}/kiosk/pair", timeout=15_000)
    tablet.close()
