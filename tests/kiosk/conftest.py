"""Fixtures of the kiosk tests: an admin's browser, registering and pairing a kiosk through the pages."""
from __future__ import annotations

import re

import pytest

from tests.helpers import AdminSession, compile_catalogs, csrf_from, text_of

CODE_RE = re.compile(r'<p class="pairing-code mono">([A-Z2-9]{4}-[A-Z2-9]{4})</p>')


def pytest_configure(config):
    """Kiosk pages are Indonesian by default: compile the catalogs first."""
    compile_catalogs()


@pytest.fixture
def admin_browser(app, factory):
    """A browser signed in as an admin (admin@hadir.test)."""
    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test", npp="90001")
    session = AdminSession(app.test_client())
    assert session.login("admin@hadir.test").status_code == 302
    return session


def register(admin_browser, name="Pintu Utama", office_id="", modes=("qr",)):
    """Submit the "new kiosk" form; the response lists the kiosks and the first pairing code."""
    return admin_browser.submit("/admin/kiosks/new", "/admin/kiosks/new",
                                {"name": name, "office_id": office_id, "modes": list(modes)})


def code_of(response) -> str:
    """The pairing code shown on a kiosk list page."""
    match = CODE_RE.search(response.get_data(as_text=True))
    assert match, text_of(response.get_data(as_text=True))[:400]
    return match.group(1)


def pair(tablet, code):
    """Enter ``code`` on the tablet's pairing page (with its CSRF token)."""
    page = tablet.get("/kiosk/pair")
    return tablet.post("/kiosk/pair", data={"code": code, "csrf_token": csrf_from(page.get_data(as_text=True))})


@pytest.fixture
def paired_tablet(app, admin_browser):
    """``make(modes=("qr",), office_id="")`` → a test client paired with a new kiosk."""

    def make(modes=("qr",), office_id="", name="Pintu Utama"):
        tablet = app.test_client()
        assert pair(tablet, code_of(register(admin_browser, name, office_id, modes))).status_code == 303
        return tablet

    return make
