"""Fixtures of the admin web app tests: signed-in sessions of an admin and a petugas."""
from __future__ import annotations

import pytest

from .helpers import AdminSession, compile_catalogs


def pytest_configure(config):
    """The UI is Indonesian by default: make sure the compiled catalogs exist before any request."""
    compile_catalogs()


@pytest.fixture
def admin(factory):
    """An active administrator (email admin@hadir.test)."""
    return factory.user(role="admin", name="Admin HRD", email="admin@hadir.test", npp="90001")


@pytest.fixture
def petugas(factory):
    """An active petugas (HR / front-office staff)."""
    return factory.user(role="petugas", name="Petugas HR", email="petugas@hadir.test", npp="90002")


@pytest.fixture
def anon(client):
    """A browser that is not signed in."""
    return AdminSession(client)


@pytest.fixture
def as_admin(app, admin):
    """A browser signed in as the administrator."""
    session = AdminSession(app.test_client())
    response = session.login("admin@hadir.test")
    assert response.status_code == 302, response.get_data(as_text=True)
    return session


@pytest.fixture
def as_petugas(app, petugas):
    """A browser signed in as the petugas."""
    session = AdminSession(app.test_client())
    response = session.login("petugas@hadir.test")
    assert response.status_code == 302, response.get_data(as_text=True)
    return session
