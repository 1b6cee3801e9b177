"""A paired kiosk keeps working through a server restart: while the server is down it says
"offline — retrying", and when a new server process answers on the same address it carries on
(same credential, no pairing again)."""
from __future__ import annotations

import socket
import threading

import pytest

from app.extensions import db
from app.kiosk import services as kiosks

from .conftest import CHROMIUM, FLAGS, _require_chromium


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server:
    """A fresh app instance (same database and secret as the tests' app) served on ``port``."""

    def __init__(self, app, port: int):
        from werkzeug.serving import make_server

        from app import create_app

        self.app = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                               "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                               "RATELIMIT_STORAGE_URI": "memory://"})
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        with self.app.app_context():
            db.engine.dispose()


@pytest.mark.browser
def test_the_kiosk_survives_a_server_restart(app):
    _require_chromium()
    from tests.api.school.qr_helpers import set_settings

    set_settings(app, qr_period_seconds=10)
    with app.app_context():
        kiosk = kiosks.create_kiosk(None, name="Pintu Utama", office_id=None, modes=["qr"])
        code = kiosks.issue_pairing_code(kiosk).code
        db.session.commit()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _Server(app, port)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(20_000)
            page.goto(f"{base}/kiosk/pair?code={code}")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/kiosk/")
            page.wait_for_selector("#kiosk-qr svg")
            first = page.get_attribute("#kiosk-qr", "data-token")

            server.stop()                                  # the server goes away ...
            page.wait_for_selector("#kiosk-offline", state="visible")
            assert page.url == f"{base}/kiosk/"
            server = _Server(app, port)                    # ... and a new process comes back
            page.wait_for_selector("#kiosk-offline", state="hidden")
            page.wait_for_function(f"() => document.getElementById('kiosk-qr').dataset.token !== '{first}'")
            assert page.url == f"{base}/kiosk/"            # still paired: no pairing page
            page.screenshot(path="/tmp/kiosk-after-restart.png")
        finally:
            browser.close()
            server.stop()
