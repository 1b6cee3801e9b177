"""Contract 002, section 1: login and logout with opaque ``id|secret`` tokens."""
import hashlib

from app.accounts.models import ApiToken
from app.extensions import db


def _login(client, ident="5001", password="password123"):
    return client.post("/api/auth/login", json={"nisn_nip_nik": ident, "password": password})


def test_login_returns_the_user_and_an_id_secret_token_stored_hashed(app, client, factory):
    user = factory.user(role="admin", npp=None, nisn_nip_nik="5001", name="Admin Utama", email="admin@sekolah.sch.id")
    response = _login(client)
    assert response.status_code == 200
    body = response.json
    assert body["success"] is True and body["message"] == "Login berhasil"
    assert body["data"]["user"]["id"] == user.id
    assert body["data"]["user"]["role_id"] == 5
    assert body["data"]["user"]["nisn_nip_nik"] == "5001"
    assert set(body["data"]["user"]) == {"id", "nisn_nip_nik", "name", "email", "phone", "role_id", "photo_path",
                                         "is_active", "created_at", "updated_at"}
    token_id, secret = body["data"]["token"].split("|")
    with app.app_context():
        row = db.session.get(ApiToken, int(token_id))
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in row.token_hash


def test_wrong_password_and_unknown_identifier_are_refused_alike(client, factory):
    factory.user(role="guru", npp=None, nisn_nip_nik="5001")
    for response in (_login(client, password="wrong-password"), _login(client, ident="9999")):
        assert response.status_code == 401
        assert response.json == {"success": False, "message": "Kredensial tidak valid"}


def test_missing_fields_are_a_422_naming_them(client):
    response = client.post("/api/auth/login", json={})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"nisn_nip_nik", "password"}


def test_logout_revokes_the_token(client, factory):
    factory.user(role="siswa", npp=None, nisn_nip_nik="1001")
    token = _login(client, ident="1001").json["data"]["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/auth/logout", headers=headers).json == {"success": True, "message": "Logout berhasil"}
    again = client.post("/api/auth/logout", headers=headers)
    assert again.status_code == 401
    assert again.json == {"success": False, "message": "Token tidak valid"}


def test_a_forged_secret_or_a_mobile_jwt_is_not_a_school_token(client, factory):
    factory.user(role="siswa", npp=None, nisn_nip_nik="1001")
    token = _login(client, ident="1001").json["data"]["token"]
    token_id = token.split("|")[0]
    for bad in (f"{token_id}|forged-secret", "eyJhbGciOiJIUzI1NiJ9.e30.x", "", "abc|def"):
        response = client.post("/api/auth/logout", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad


def test_unknown_paths_under_the_shared_prefix_answer_in_the_callers_dialect(client, factory):
    factory.user(role="siswa", npp=None, nisn_nip_nik="1001")
    token = _login(client, ident="1001").json["data"]["token"]
    school = client.get("/api/no-such-thing", headers={"Authorization": f"Bearer {token}"})
    assert school.status_code == 404 and school.json["success"] is False
    mobile = client.get("/api/no-such-thing")
    assert mobile.status_code == 404 and mobile.json == {"rcode": "81", "message": "Resource not found"}
