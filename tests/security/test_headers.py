"""Security headers on every kind of page (admin pages and fragments, error pages, the kiosk,
``/face/``) and on the APIs; and no inline script anywhere in ``templates/`` (the CSP forbids it).

That the pages still work under the CSP — htmx, the kiosk's camera, the face page — is shown
by the browser tests, which run with these headers (``tests/browser``; the console check of
the main pages: ``tests/browser/test_csp_in_browser.py``).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import AdminSession
from tests.kiosk.conftest import code_of, pair, register

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, str]:
    csp = response.headers.get("Content-Security-Policy", "")
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2] for part in csp.split(";") if part.strip()}


def assert_secure_page(response, *, camera: bool = True):
    policy = directives(response)
    assert policy, f"no Content-Security-Policy on {response.request.path}"
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src == "'self'", script_src
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    permissions = response.headers["Permissions-Policy"]
    assert ("camera=(self)" in permissions) == camera
    assert "geolocation=()" in permissions and "microphone=()" in permissions


@pytest.fixture
def admin_browser(app, factory):
    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test", npp="90001")
    session = AdminSession(app.test_client())
    assert session.login("admin@hadir.test").status_code == 302
    return session


def test_admin_pages_fragments_and_errors(app, admin_browser):
    anonymous = app.test_client()
    responses = {
        "login page": anonymous.get("/admin/login"),
        "dashboard": admin_browser.get("/admin/"),
        "users page": admin_browser.get("/admin/users"),
        "users fragment (htmx)": admin_browser.get("/admin/users", htmx=True),
        "404 page": admin_browser.get("/admin/no-such-page"),
        "403 page": anonymous.get("/admin/users", headers={"HX-Request": "true"}),
        "405 page": anonymous.get("/admin/logout"),
        "CSRF error page": anonymous.post("/admin/logout"),
        "root redirect": anonymous.get("/"),
    }
    for name, response in responses.items():
        assert response.status_code < 500, name
        assert_secure_page(response)


def test_a_500_page_has_the_headers_too(app, monkeypatch):
    from app.admin import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render_template", broken)
    response = app.test_client().get("/admin/login")
    assert response.status_code == 500
    assert_secure_page(response)


def test_the_kiosk_and_the_face_page(app, admin_browser):
    tablet = app.test_client()
    assert_secure_page(tablet.get("/kiosk/pair"))
    assert pair(tablet, code_of(register(admin_browser, modes=("qr", "face")))).status_code == 303
    home = tablet.get("/kiosk/")
    assert home.status_code == 200
    assert_secure_page(home)
    assert_secure_page(tablet.get("/kiosk/qr.json"))
    face = app.test_client().get("/face/")
    assert face.status_code == 200
    assert_secure_page(face)


@pytest.mark.parametrize("path", ["/api/jam-absensi/active", "/api/user", "/face/api/profile", "/igd/api/auth/check",
                                  "/api/v2/auth/me", "/healthz"])
def test_api_answers_carry_them_too(app, path):
    assert_secure_page(app.test_client().get(path))


def test_hsts_only_over_https(app):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/admin/login").headers
    hsts = client.get("/admin/login", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31556926") and "includeSubDomains" not in hsts


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I | re.S)
HX_ON = re.compile(r"\shx-on[:-]", re.I)


def test_no_template_has_inline_script_or_event_handler_attributes():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern, what in ((INLINE_SCRIPT, "inline <script>"), (EVENT_HANDLER, "on*= attribute"),
                              (HX_ON, "hx-on attribute (inline script)")):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {what}")
    assert offenders == []
