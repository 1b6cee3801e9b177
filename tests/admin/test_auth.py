"""Signing in and out: who may enter, where they land, and what anonymous users see."""
from __future__ import annotations

import pytest

from app.accounts.models import User

from tests.helpers import AdminSession, HTMX, fetch, field_error, text_of


def _signed_in(session: AdminSession) -> bool:
    return session.get("/admin/me/profile").status_code == 200


def test_login_with_email_lands_on_the_dashboard(anon, admin, app):
    response = anon.login("ADMIN@hadir.test")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    page = anon.get("/admin/")
    assert page.status_code == 200
    assert "Dasbor" in text_of(page.get_data(as_text=True))
    assert fetch(app, User, admin.id).last_login_at is not None


def test_login_with_npp(anon, admin):
    assert anon.login("90001").status_code == 302
    assert _signed_in(anon)


def test_petugas_may_sign_in(anon, petugas):
    assert anon.login("petugas@hadir.test").status_code == 302
    assert _signed_in(anon)


@pytest.mark.parametrize("identifier, password", [
    ("admin@hadir.test", "wrong-password"),
    ("nobody@hadir.test", "password123"),
    ("99999", "password123"),
])
def test_wrong_credentials_are_refused_next_to_the_field(anon, admin, identifier, password):
    response = anon.login(identifier, password)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert field_error(body, "password") == "Email/NPP atau kata sandi salah."
    assert not _signed_in(anon)


def test_empty_fields_are_named(anon):
    response = anon.submit("/admin/login", "/admin/login", {"identifier": "", "password": ""})
    body = response.get_data(as_text=True)
    assert field_error(body, "identifier") == "Masukkan email atau NPP Anda."
    assert field_error(body, "password") == "Masukkan kata sandi Anda."


@pytest.mark.parametrize("role", ["siswa", "mahasiswa"])
def test_students_are_refused_with_a_clear_message_by_default(anon, factory, role):
    factory.user(role=role, email=f"{role}@hadir.test", npp=f"5{len(role):04d}")
    response = anon.login(f"{role}@hadir.test")
    assert response.status_code == 200
    message = field_error(response.get_data(as_text=True), "identifier")
    assert message and "Siswa tidak dapat masuk di sini" in message
    assert not _signed_in(anon)


@pytest.mark.parametrize("role", ["pegawai", "guru", "kepsek", "dokter", "paramedis", "non_paramedis"])
def test_every_working_role_signs_in_to_its_own_home(anon, factory, role):
    factory.user(role=role, email=f"{role}@hadir.test", npp=f"5{len(role):04d}")
    response = anon.login(f"{role}@hadir.test")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/me/"
    assert _signed_in(anon)


def test_inactive_admin_is_refused(anon, factory):
    factory.user(role="admin", email="old@hadir.test", is_active=False)
    response = anon.login("old@hadir.test")
    assert "dinonaktifkan" in (field_error(response.get_data(as_text=True), "identifier") or "")
    assert not _signed_in(anon)


def test_deactivated_admin_loses_the_session(as_admin, app, admin):
    from app.extensions import db

    with app.app_context():
        db.session.get(User, admin.id).is_active = False
        db.session.commit()
    response = as_admin.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_anonymous_is_redirected_to_login_with_next(anon):
    response = anon.get("/admin/users?q=budi")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login?next=/admin/users?q%3Dbudi"


def test_anonymous_htmx_request_is_sent_to_login_by_hx_redirect(anon):
    response = anon.client.get("/admin/device-resets", headers={**HTMX, "HX-Current-URL": "http://localhost/admin/device-resets?page=2"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/admin/login?next=/admin/device-resets?page%3D2"


def test_login_follows_a_safe_next(anon, admin):
    response = anon.login("admin@hadir.test", next_url="/admin/users")
    assert response.headers["Location"] == "/admin/users"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
                                    "http:/evil.example"])
def test_login_ignores_an_unsafe_next(anon, admin, target):
    from urllib.parse import quote

    url = f"/admin/login?next={quote(target, safe='')}"
    response = anon.submit(url, url, {"identifier": "admin@hadir.test", "password": "password123"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_every_admin_page_redirects_anonymous_users(app, anon):
    """Every GET route of the admin blueprints except login requires a session."""
    names = app.extensions["hadir_admin_blueprints"]
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in names or "GET" not in rule.methods:
            continue
        if rule.endpoint in ("admin.login",):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "android")
        response = anon.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/admin/login"), url
        checked += 1
    assert checked >= 12


def test_every_admin_view_declares_one_access_rule(app):
    names = app.extensions["hadir_admin_blueprints"]
    for endpoint, view in app.view_functions.items():
        if endpoint.split(".")[0] in names:
            rule = getattr(view, "access_rule", None)
            assert rule == "public" or getattr(view, "access_roles", None), endpoint
    public = sorted(e for e, v in app.view_functions.items() if getattr(v, "access_rule", None) == "public")
    assert public == ["admin.language", "admin.login", "admin.logout"]


def test_logout_is_a_post_with_csrf(as_admin):
    assert as_admin.client.get("/admin/logout").status_code == 405
    assert as_admin.client.post("/admin/logout").status_code == 400
    assert _signed_in(as_admin)
    response = as_admin.submit("/admin/", "/admin/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login"
    assert not _signed_in(as_admin)


def test_login_is_rate_limited_per_address_and_account(anon, admin):
    """5 attempts a minute per address and identifier (as the apps' logins); another account
    from the same address is not locked out by them (refusals per address: tests/security)."""
    token = anon.token("/admin/login")
    statuses = [anon.client.post("/admin/login", data={"csrf_token": token, "identifier": "x@y.z", "password": "nope"}).status_code
                for _ in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    assert "Terlalu banyak percobaan" in text_of(anon.client.post(
        "/admin/login", data={"csrf_token": token, "identifier": "x@y.z", "password": "nope"}
    ).get_data(as_text=True))
    response = anon.client.post("/admin/login", data={"csrf_token": token, "identifier": "admin@hadir.test",
                                                      "password": "password123"})
    assert response.status_code == 302


def test_language_switch_stores_the_choice_in_the_session(as_admin):
    assert "Dasbor" in text_of(as_admin.get("/admin/").get_data(as_text=True))
    response = as_admin.submit("/admin/", "/admin/language", {"lang": "en", "next": "/admin/users"})
    assert response.headers["Location"] == "/admin/users"
    page = text_of(as_admin.get("/admin/").get_data(as_text=True))
    assert "Dashboard" in page and "Dasbor" not in page
    as_admin.submit("/admin/", "/admin/language", {"lang": "xx", "next": "https://evil.example/"})
    assert "Dashboard" in text_of(as_admin.get("/admin/").get_data(as_text=True))


def test_language_switch_works_before_signing_in(anon):
    response = anon.submit("/admin/login", "/admin/language", {"lang": "en", "next": "/admin/login"})
    assert response.headers["Location"] == "/admin/login"
    assert "Sign in to the admin" in text_of(anon.get("/admin/login").get_data(as_text=True))
