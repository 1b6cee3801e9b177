"""The main pages under their Content-Security-Policy in headless Chromium: no violation is
reported, and what the moved scripts do still happens (htmx swaps, flash messages close,
the kiosk's and the face page's cameras play, the QR scanner's worker starts).

Violations are collected twice: the ``securitypolicyviolation`` DOM event (recorded by a
script Playwright injects before the page's own) and the console's "Refused to ..." lines.
"""
from __future__ import annotations

import pytest

from app.extensions import db

from .conftest import mjpeg_feed, pair_kiosk, violations, watch

pytestmark = pytest.mark.browser


def _kiosk_code(app, factory) -> str:
    from app.kiosk import services as kiosks

    office = factory.office()
    with app.app_context():
        kiosk = kiosks.create_kiosk(None, name="Lobi Utama", office_id=office.id, modes=["face", "qr", "cards"])
        code = kiosks.issue_pairing_code(kiosk).code
        db.session.commit()
    return code


def test_admin_pages_work_under_the_csp(app, factory, live_server, browser_page):
    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test", npp="90001")
    for n in range(3):
        factory.user(role="pegawai", name=f"Pegawai {n}", email=f"p{n}@hadir.test")
    page = browser_page
    console = watch(page)
    page.goto(f"{live_server}/admin/login")
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    # the welcome message closes with its × (data-dismiss, static/admin/base.js)
    page.wait_for_selector(".flash [data-dismiss]")
    page.click(".flash [data-dismiss]")
    page.wait_for_selector(".content .flash", state="detached")
    # an htmx search swaps the list fragment
    page.goto(f"{live_server}/admin/users")
    page.fill("input[type=search]", "Pegawai 1")
    page.wait_for_function("() => document.querySelectorAll('table tbody tr').length === 1")
    for path in ("/admin/attendance/review", "/admin/attendance/report", "/admin/kiosks/", "/admin/faces/",
                 "/admin/users/import", "/admin/school/classes", "/admin/school/cards/print", "/admin/settings",
                 "/admin/no-such-page"):
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("load")
    assert violations(page, console) == []


def test_the_kiosk_camera_and_qr_scanner_work_under_the_csp(app, factory, live_server, tmp_path, webcam_page):
    from tests.browser.test_kiosk_face_in_browser import FACES

    code = _kiosk_code(app, factory)
    page = webcam_page(mjpeg_feed(FACES / "probe" / "obama-480p.jpg", tmp_path / "face.mjpeg"))
    console = watch(page)
    pair_kiosk(page, live_server, code)
    page.wait_for_function("() => { const v = document.getElementById('kiosk-face-video');"
                           " return v && v.srcObject && v.srcObject.active && v.videoWidth > 0; }")
    page.wait_for_timeout(1500)  # the QR scanner starts its worker; the face loop sends a frame
    assert page.evaluate("document.getElementById('kiosk-face-camera-error').hidden")
    assert violations(page, console) == []


def test_the_face_page_camera_works_under_the_csp(app, factory, live_server, tmp_path, webcam_page):
    from tests.browser.test_kiosk_face_in_browser import FACES

    factory.user(name="Barack Obama", email="obama@example.test")
    page = webcam_page(mjpeg_feed(FACES / "probe" / "obama-480p.jpg", tmp_path / "face.mjpeg"))
    console = watch(page)
    page.goto(f"{live_server}/face/")
    page.fill("#face-email", "obama@example.test")
    page.fill("#face-password", "password123")
    page.click("#face-login-form button[type=submit]")
    page.wait_for_function("() => { const v = document.getElementById('face-video');"
                           " return v && v.srcObject && v.srcObject.active && v.videoWidth > 0; }")
    assert violations(page, console) == []
