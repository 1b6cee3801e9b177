"""Fixtures of the security tests: signed-in clients of each dialect and of the admin web app."""
from __future__ import annotations

import pytest

from tests.helpers import AdminSession, compile_catalogs

PASSWORD = "password123"


def pytest_configure(config):
    compile_catalogs()


def bearer(client, path: str, body: dict, token_path=("data", "token")) -> dict:
    """Sign in through ``path`` and return the ``Authorization`` header of the token it issues."""
    response = client.post(path, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    for key in token_path:
        data = data[key]
    return {"Authorization": f"Bearer {data}"}


@pytest.fixture
def admin_user(factory):
    """An administrator known to every app: email, NPP and NISN/NIP/NIK."""
    return factory.user(role="admin", name="Admin HRD", email="admin@hadir.test", npp="90001", nisn_nip_nik="5001")


@pytest.fixture
def admin_web(app, admin_user):
    """A browser signed in to the admin web app as the administrator (UI in English)."""
    session = AdminSession(app.test_client())
    assert session.login("admin@hadir.test").status_code == 302
    assert session.submit("/admin/", "/admin/language", {"lang": "en", "next": "/admin/"}).status_code in (302, 303)
    return session


@pytest.fixture
def school_admin(app, admin_user):
    """The ``Authorization`` header of a school-app token of the administrator."""
    return bearer(app.test_client(), "/api/auth/login", {"nisn_nip_nik": "5001", "password": PASSWORD})


@pytest.fixture
def clinic_admin(app, admin_user):
    """The ``Authorization`` header of a clinic-app token of the administrator."""
    return bearer(app.test_client(), "/api/v2/auth/login", {"email": "admin@hadir.test", "password": PASSWORD})
