"""Contract 000 "Authentication Endpoints": login, logout, logout-all, me, change-password,
profile, sessions, refresh, biometric setup — and the token lifecycle."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import ApiToken, User
from app.common import clock
from app.extensions import db

from tests.conftest import PASSWORD

from .conftest import BASE, assert_envelope, auth


def _token_row(app, token: str) -> ApiToken:
    with app.app_context():
        row = db.session.get(ApiToken, int(token.split("|")[0]))
        db.session.expunge(row)
        return row


def test_login_returns_a_sanctum_token_and_a_30_day_session(client, staff, app):
    user = staff(role="petugas", email="petugas@dokterku.test", name="Staff Petugas")
    response = client.post(f"{BASE}/auth/login", json={"email": "Petugas@Dokterku.test", "password": PASSWORD,
                                                       "device_name": "iPhone 12 Pro"})
    assert response.status_code == 200
    body = response.get_json()
    assert_envelope(body, success=True)
    assert body["message"] == "Login successful"
    data = body["data"]
    assert data["user"] == {"id": user.id, "name": "Staff Petugas", "email": "petugas@dokterku.test",
                            "role": "petugas"}
    token_id, _, secret = data["token"].partition("|")
    assert token_id.isdigit() and len(secret) == 40
    row = _token_row(app, data["token"])
    assert row.token_hash != secret and secret not in row.token_hash
    assert row.dialect == "clinic" and row.name == "iPhone 12 Pro"
    days = (row.expires_at - clock.now()).total_seconds() / 86400
    assert 29.9 < days <= 30
    assert data["expires_at"].endswith("Z")


def test_remember_me_gives_90_days(client, staff, app):
    user = staff()
    response = client.post(f"{BASE}/auth/login", json={"email": user.email, "password": PASSWORD,
                                                       "remember_me": True})
    row = _token_row(app, response.get_json()["data"]["token"])
    assert 89.9 < (row.expires_at - clock.now()).total_seconds() / 86400 <= 90


@pytest.mark.parametrize("payload, fields", [
    ({}, {"email", "password"}),
    ({"email": "not-an-email", "password": "x"}, {"email"}),
    ({"email": 5, "password": ["x"]}, {"email", "password"}),
    ({"email": "a@b.test", "password": "x", "remember_me": "maybe"}, {"remember_me"}),
    ({"email": "a@b.test", "password": "x", "device_name": "d" * 121}, {"device_name"}),
])
def test_login_validation(client, payload, fields):
    response = client.post(f"{BASE}/auth/login", json=payload)
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert body["message"] == "The given data was invalid."
    assert set(body["errors"]) == fields


def test_login_wrong_password_unknown_email_inactive(client, staff):
    user = staff()
    for email, password in ((user.email, "wrong-password"), ("nobody@dokterku.test", PASSWORD)):
        response = client.post(f"{BASE}/auth/login", json={"email": email, "password": password})
        assert response.status_code == 401
        assert response.get_json()["errors"] == {"email": ["These credentials do not match our records."]}
    inactive = staff(is_active=False)
    response = client.post(f"{BASE}/auth/login", json={"email": inactive.email, "password": PASSWORD})
    assert response.status_code == 403
    assert_envelope(response.get_json(), success=False)


def test_me_has_the_role_object_and_last_login(client, staff, login):
    user = staff(role="petugas", name="Staff Petugas")
    token = login(user)
    response = client.get(f"{BASE}/auth/me", headers=auth(token))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["id"] == user.id and data["email"] == user.email
    assert data["role"] == {"id": 6, "name": "petugas", "display_name": "Staff Petugas"}
    assert data["is_active"] is True
    assert data["last_login"].endswith("Z") and data["created_at"].endswith("Z")


def test_logout_revokes_only_this_session(client, staff, login):
    user = staff()
    first, second = login(user), login(user)
    response = client.post(f"{BASE}/auth/logout", headers=auth(first))
    assert response.status_code == 200
    assert_envelope(response.get_json(), success=True)
    assert client.get(f"{BASE}/auth/me", headers=auth(first)).status_code == 401
    assert client.get(f"{BASE}/auth/me", headers=auth(second)).status_code == 200


def test_logout_all_revokes_every_clinic_session(client, staff, login):
    user = staff()
    tokens = [login(user) for _ in range(3)]
    response = client.post(f"{BASE}/auth/logout-all", headers=auth(tokens[0]))
    assert response.get_json()["data"] == {"revoked_sessions": 3}
    for token in tokens:
        assert client.get(f"{BASE}/auth/me", headers=auth(token)).status_code == 401


def test_expired_token_is_401(client, staff, login, app):
    user = staff()
    token = login(user)
    with app.app_context():
        row = db.session.get(ApiToken, int(token.split("|")[0]))
        row.expires_at = clock.now() - timedelta(seconds=1)
        db.session.commit()
    response = client.get(f"{BASE}/auth/me", headers=auth(token))
    assert response.status_code == 401
    assert response.get_json()["errors"] == {"token": ["Token expired or invalid"]}


def test_deactivated_user_loses_access(client, staff, login, app):
    user = staff()
    token = login(user)
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    assert client.get(f"{BASE}/auth/me", headers=auth(token)).status_code == 401


def test_sessions_list_shows_device_ip_agent_and_current(client, staff, login):
    user = staff()
    other = staff()
    mine = login(user, device_name="iPhone 12 Pro", headers={"User-Agent": "DokterApp/1.0"})
    login(user, device_name="Pixel 7", headers={"User-Agent": "DokterApp/2.0 Android"})
    login(other)
    response = client.get(f"{BASE}/auth/sessions", headers={**auth(mine), "User-Agent": "DokterApp/1.0"})
    assert response.status_code == 200
    sessions = response.get_json()["data"]
    assert len(sessions) == 2
    by_device = {s["device_name"]: s for s in sessions}
    assert set(by_device) == {"iPhone 12 Pro", "Pixel 7"}
    current = by_device["iPhone 12 Pro"]
    assert current["current"] is True and by_device["Pixel 7"]["current"] is False
    assert current["id"] == mine.split("|")[0]
    assert current["ip_address"] == "127.0.0.1"
    assert current["user_agent"] == "DokterApp/1.0"
    assert by_device["Pixel 7"]["user_agent"] == "DokterApp/2.0 Android"
    assert current["last_activity"].endswith("Z")


def test_last_activity_is_written_at_most_once_a_minute(client, staff, login, app):
    user = staff()
    token = login(user)
    earlier = clock.now() - timedelta(seconds=30)
    with app.app_context():
        db.session.get(ApiToken, int(token.split("|")[0])).last_used_at = earlier
        db.session.commit()
    client.get(f"{BASE}/auth/me", headers=auth(token))
    assert abs((_token_row(app, token).last_used_at - earlier).total_seconds()) < 1
    much_earlier = clock.now() - timedelta(minutes=2)
    with app.app_context():
        db.session.get(ApiToken, int(token.split("|")[0])).last_used_at = much_earlier
        db.session.commit()
    client.get(f"{BASE}/auth/me", headers=auth(token))
    assert (clock.now() - _token_row(app, token).last_used_at).total_seconds() < 5


def test_end_session_revokes_it_at_once_and_only_ones_own(client, staff, login):
    user, other = staff(), staff()
    mine, phone = login(user), login(user)
    theirs = login(other)
    phone_id = phone.split("|")[0]
    # another user's session: 404, still alive
    response = client.delete(f"{BASE}/auth/sessions/{theirs.split('|')[0]}", headers=auth(mine))
    assert response.status_code == 404
    assert response.get_json()["errors"] == {"session_id": ["Session not found"]}
    assert client.get(f"{BASE}/auth/me", headers=auth(theirs)).status_code == 200
    response = client.delete(f"{BASE}/auth/sessions/{phone_id}", headers=auth(mine))
    assert response.status_code == 200
    assert response.get_json()["data"] == {"id": phone_id, "current": False}
    assert client.get(f"{BASE}/auth/me", headers=auth(phone)).status_code == 401
    assert client.get(f"{BASE}/auth/me", headers=auth(mine)).status_code == 200
    # already ended, or nonsense ids
    for sid in (phone_id, "abc", "99999999"):
        assert client.delete(f"{BASE}/auth/sessions/{sid}", headers=auth(mine)).status_code == 404


def test_change_password_ends_the_other_sessions(client, staff, login, factory, app):
    from app.accounts.api_tokens import issue_token

    user = staff()
    mine, other = login(user), login(user)
    with app.app_context():
        school_token, _ = issue_token(db.session.get(User, user.id), "school")
        db.session.commit()
    response = client.post(f"{BASE}/auth/change-password", headers=auth(mine), json={
        "current_password": PASSWORD, "new_password": "new-password-123",
        "new_password_confirmation": "new-password-123"})
    assert response.status_code == 200
    assert response.get_json()["data"] == {"revoked_sessions": 2}
    assert client.get(f"{BASE}/auth/me", headers=auth(mine)).status_code == 200
    assert client.get(f"{BASE}/auth/me", headers=auth(other)).status_code == 401
    assert client.get("/api/user", headers=auth(school_token)).status_code == 401
    assert client.post(f"{BASE}/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 401
    assert client.post(f"{BASE}/auth/login", json={"email": user.email,
                                                   "password": "new-password-123"}).status_code == 200


@pytest.mark.parametrize("payload, field", [
    ({"current_password": "wrong-password", "new_password": "new-password-123",
      "new_password_confirmation": "new-password-123"}, "current_password"),
    ({"current_password": PASSWORD, "new_password": "short", "new_password_confirmation": "short"},
     "new_password"),
    ({"current_password": PASSWORD, "new_password": "new-password-123",
      "new_password_confirmation": "different-123"}, "new_password"),
    ({"new_password": "new-password-123"}, "current_password"),
])
def test_change_password_refusals_change_nothing(client, staff, login, payload, field):
    user = staff()
    mine, other = login(user), login(user)
    response = client.post(f"{BASE}/auth/change-password", headers=auth(mine), json=payload)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert client.get(f"{BASE}/auth/me", headers=auth(other)).status_code == 200


def test_update_profile(client, staff, login):
    user = staff(role="dokter")
    taken = staff()
    token = login(user)
    response = client.put(f"{BASE}/auth/profile", headers=auth(token), json={
        "name": "Dr. Ahmad", "email": "Ahmad@Dokterku.test", "phone": "+6281234567890", "role": "admin"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["name"], data["email"], data["phone"]) == ("Dr. Ahmad", "ahmad@dokterku.test", "+6281234567890")
    assert data["role"]["name"] == "dokter"
    response = client.put(f"{BASE}/auth/profile", headers=auth(token), json={"email": taken.email})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"email": ["The email has already been taken."]}
    response = client.put(f"{BASE}/auth/profile", headers=auth(token), json={"name": "", "phone": 5})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"name", "phone"}
    assert client.get(f"{BASE}/auth/me", headers=auth(token)).get_json()["data"]["name"] == "Dr. Ahmad"


def test_refresh_replaces_the_token_keeping_the_session(client, staff, login, app):
    user = staff()
    old = login(user, device_name="iPad", remember_me=True)
    response = client.post(f"{BASE}/auth/refresh", headers=auth(old))
    assert response.status_code == 200
    new = response.get_json()["data"]["token"]
    assert new != old
    assert client.get(f"{BASE}/auth/me", headers=auth(old)).status_code == 401
    assert client.get(f"{BASE}/auth/me", headers=auth(new)).status_code == 200
    row = _token_row(app, new)
    assert row.name == "iPad"
    assert 89.9 < (row.expires_at - clock.now()).total_seconds() / 86400 <= 90


def test_biometric_setup_stores_no_biometric_data(client, staff, login, app):
    user = staff()
    token = login(user)
    secret_data = "QkLPTUVUUklDX1RFTVBMQVRF"
    response = client.post(f"{BASE}/auth/biometric/setup", headers=auth(token), json={
        "biometric_type": "fingerprint", "biometric_data": secret_data, "device_id": "device-1"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["biometric_enabled"] is True and data["biometric_type"] == "fingerprint"
    assert data["device_id"] == "device-1" and data["session_id"] == token.split("|")[0]
    row = _token_row(app, token)
    assert (row.biometric_type, row.device_id) == ("fingerprint", "device-1")
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for values in db.session.execute(table.select()):
                assert secret_data not in str(tuple(values))
    sessions = client.get(f"{BASE}/auth/sessions", headers=auth(token)).get_json()["data"]
    assert sessions[0]["biometric_enabled"] is True


def test_biometric_setup_validation(client, staff, login):
    token = login(staff())
    response = client.post(f"{BASE}/auth/biometric/setup", headers=auth(token),
                           json={"biometric_type": "iris", "biometric_data": 5})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"biometric_type", "device_id", "biometric_data"}


@pytest.mark.parametrize("method, path", [
    ("post", "/auth/logout"), ("post", "/auth/logout-all"), ("get", "/auth/me"),
    ("post", "/auth/change-password"), ("put", "/auth/profile"), ("get", "/auth/sessions"),
    ("delete", "/auth/sessions/1"), ("post", "/auth/refresh"), ("post", "/auth/biometric/setup"),
])
def test_every_auth_endpoint_needs_a_token(client, method, path):
    response = getattr(client, method)(f"{BASE}{path}", json={})
    assert response.status_code == 401
    assert_envelope(response.get_json(), success=False)


def test_only_clinic_roles_may_sign_in(client, staff):
    for role in ("siswa", "guru", "pegawai"):
        user = staff(role=role)
        response = client.post(f"{BASE}/auth/login", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 403
        assert response.get_json()["errors"] == {"role": ["This account cannot use the clinic app."]}
    for role in ("dokter", "paramedis", "non_paramedis", "petugas", "admin"):
        user = staff(role=role)
        response = client.post(f"{BASE}/auth/login", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 200, role


def test_expired_and_revoked_sessions_are_not_listed(client, staff, login, app):
    user = staff()
    mine, old, ended = login(user), login(user), login(user)
    with app.app_context():
        db.session.get(ApiToken, int(old.split("|")[0])).expires_at = clock.now() - timedelta(seconds=1)
        db.session.commit()
    client.post(f"{BASE}/auth/logout", headers=auth(ended))
    sessions = client.get(f"{BASE}/auth/sessions", headers=auth(mine)).get_json()["data"]
    assert [s["id"] for s in sessions] == [mine.split("|")[0]]
