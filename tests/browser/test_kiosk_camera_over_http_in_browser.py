"""A kiosk opened over plain http:// from another host (not a secure context: browsers hide the
camera API there) says the camera needs https instead of failing with a script error."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.kiosk import services as kiosks

from .conftest import CHROMIUM, FLAGS, violations, watch


@pytest.mark.browser
def test_the_face_mode_over_plain_http_says_the_camera_needs_https(app, live_server):
    from playwright.sync_api import sync_playwright

    with app.app_context():
        kiosk = kiosks.create_kiosk(None, name="Lobi", office_id=None, modes=["face", "cards"])
        code = kiosks.issue_pairing_code(kiosk).code
        db.session.commit()
    port = live_server.rsplit(":", 1)[1]
    base = f"http://tablet.hadir.test:{port}"                    # a name, not 127.0.0.1: not secure
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS + [
            "--host-resolver-rules=MAP tablet.hadir.test 127.0.0.1", "--use-fake-ui-for-media-stream"])
        page = browser.new_page(viewport={"width": 800, "height": 1280})
        console = watch(page)
        page.goto(f"{base}/kiosk/pair?code={code}")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/kiosk/")
        assert page.evaluate("() => window.isSecureContext") is False
        page.wait_for_selector("#kiosk-face-camera-error:not([hidden])")
        assert page.inner_text("#kiosk-face-camera-error") == (
            "Kamera tidak tersedia: buka halaman ini lewat https://")
        page.click("[data-mode-button=cards]")
        page.wait_for_selector("#kiosk-camera-error:not([hidden])")
        assert "https://" in page.inner_text("#kiosk-camera-error")
        page.screenshot(path="/tmp/kiosk-face-over-http.png")
        assert violations(page, console) == []
        browser.close()
