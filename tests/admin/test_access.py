"""Who may open what: petugas get the daily work, admins everything."""
from __future__ import annotations

import pytest

from tests.helpers import text_of

ADMIN_ONLY_PAGES = [
    "/admin/work-schedules/",
    "/admin/audit",
    "/admin/users",
    "/admin/users/new",
    "/admin/offices/",
    "/admin/offices/new",
    "/admin/posts/",
    "/admin/posts/new",
    "/admin/app-versions/",
    "/admin/clinic/service-fees",
    "/admin/clinic/service-fees.csv",
]
STAFF_PAGES = ["/admin/", "/admin/device-resets", "/admin/attendance/review", "/admin/attendance/review/decided", "/admin/clinic/patients",
               "/admin/clinic/patients/import", "/admin/clinic/patients/import/template.csv"]


@pytest.mark.parametrize("url", ADMIN_ONLY_PAGES)
def test_petugas_gets_403_on_admin_only_pages(as_petugas, url):
    response = as_petugas.get(url)
    assert response.status_code == 403
    body = text_of(response.get_data(as_text=True))
    assert "Akses ditolak" in body


def test_petugas_gets_403_on_admin_only_actions(as_petugas, factory, app):
    schedule = factory.schedule()
    response = as_petugas.submit("/admin/", f"/admin/work-schedules/{schedule.id}/delete")
    assert response.status_code == 403
    response = as_petugas.submit("/admin/", "/admin/users/new", {"name": "X", "role": "admin", "password": "password123",
                                                                  "office_id": "0", "is_active": "y"})
    assert response.status_code == 403


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_petugas_may_open_the_daily_pages(as_petugas, url):
    assert as_petugas.get(url).status_code == 200


@pytest.mark.parametrize("url", STAFF_PAGES + ADMIN_ONLY_PAGES)
def test_admin_may_open_every_page(as_admin, url):
    assert as_admin.get(url).status_code == 200


def test_petugas_navigation_hides_admin_only_links(as_petugas, as_admin):
    petugas_page = as_petugas.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/device-resets"' in petugas_page
    assert 'href="/admin/attendance/review"' in petugas_page
    assert 'href="/admin/users"' not in petugas_page
    assert 'href="/admin/work-schedules/"' not in petugas_page
    assert 'href="/admin/clinic/patients"' in petugas_page
    assert 'href="/admin/clinic/service-fees"' not in petugas_page
    admin_page = as_admin.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/users"' in admin_page
    assert 'href="/admin/app-versions/"' in admin_page
    assert 'href="/admin/clinic/service-fees"' in admin_page


def test_a_demoted_user_is_refused(as_petugas, app, petugas):
    from app.accounts.models import User
    from app.extensions import db

    with app.app_context():
        db.session.get(User, petugas.id).role = "pegawai"
        db.session.commit()
    assert as_petugas.get("/admin/device-resets").status_code == 403
    assert as_petugas.get("/admin/").headers["Location"] == "/admin/me/"


def test_unknown_ids_are_404(as_admin):
    for url in ("/admin/users/999/edit", "/admin/offices/999/edit", "/admin/posts/999/edit",
                "/admin/work-schedules/999/edit"):
        response = as_admin.get(url)
        assert response.status_code == 404, url
        assert "Halaman tidak ditemukan" in text_of(response.get_data(as_text=True))
    assert as_admin.submit("/admin/", "/admin/device-resets/999/approve").status_code == 404
    assert as_admin.submit("/admin/", "/admin/attendance/review/999/approve").status_code == 404
    assert as_admin.submit("/admin/", "/admin/app-versions/windows").status_code == 404


def test_security_headers_on_admin_pages(as_admin):
    response = as_admin.get("/admin/")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers["Vary"]
