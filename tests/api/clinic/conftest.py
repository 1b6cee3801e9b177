"""Fixtures of the clinic dialect's tests (contract 000, mounted at ``/api/v2``)."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

BASE = "/api/v2"


@pytest.fixture
def staff(factory):
    """Create a clinic staff member with an email: ``staff(role="paramedis", email=..., office=...)``."""
    counter = {"n": 0}

    def _make(role="paramedis", email=None, **kw):
        counter["n"] += 1
        return factory.user(role=role, email=email or f"staff{counter['n']}@dokterku.test", **kw)

    return _make


@pytest.fixture
def login(client):
    """Log in through the API and return the token: ``login(user, device_name=..., remember_me=...)``."""

    def _login(user, password=PASSWORD, headers=None, **extra):
        response = client.post(f"{BASE}/auth/login", json={"email": user.email, "password": password, **extra},
                               headers=headers or {})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["data"]["token"]

    return _login


def auth(token: str) -> dict:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def assert_envelope(body: dict, *, success: bool) -> None:
    """The v2 envelope: success, message, meta{version "2.0", timestamp, request_id}; errors on failure."""
    assert body["success"] is success
    assert isinstance(body["message"], str)
    assert body["meta"]["version"] == "2.0"
    assert body["meta"]["timestamp"].endswith("Z")
    assert len(body["meta"]["request_id"]) == 36
    if not success:
        assert isinstance(body["errors"], dict) and body["errors"]
        for messages in body["errors"].values():
            assert isinstance(messages, list) and all(isinstance(m, str) for m in messages)
