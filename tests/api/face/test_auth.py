"""Contract 003, "Authentication": POST /api/login, /api/register, /api/logout and the ``token`` cookie."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import ApiToken, User
from app.common import clock
from app.extensions import db

from .conftest import API, login


def _set_cookie(response) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("token=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


# --- login ------------------------------------------------------------------

def test_login_returns_the_user_and_sets_an_httponly_cookie_for_7_days(client, person):
    response = login(client, "OBAMA@example.test")
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "user": {
        "id": str(person.id), "email": "obama@example.test", "name": "Barack Obama", "role": "pegawai"}}
    assert list(response.get_json()) == ["ok", "user"]
    cookie = _set_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/face/api" in cookie
    assert "Max-Age=604800" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test


def test_the_cookie_is_secure_over_https(client, person):
    response = client.post(f"{API}/login", json={"email": "obama@example.test", "password": "password123"},
                           base_url="https://localhost")
    assert "Secure" in _set_cookie(response)


def test_the_token_is_stored_hashed_and_expires_after_7_days(app, client, person):
    response = login(client, "obama@example.test")
    value = _set_cookie(response).split(";", 1)[0].split("=", 1)[1]
    with app.app_context():
        row = db.session.scalar(db.select(ApiToken))
        assert row.dialect == "face" and value.split("|", 1)[1] not in row.token_hash
        lifetime = row.expires_at - row.created_at
        assert timedelta(days=7) - timedelta(seconds=5) < lifetime <= timedelta(days=7) + timedelta(seconds=5)
        # seven days later the same cookie no longer signs in
        row.expires_at = clock.now() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(f"{API}/profile").status_code == 401


def test_login_missing_fields_400(client, person):
    for payload in ({}, {"email": "obama@example.test"}, {"password": "password123"},
                    {"email": "", "password": ""}, {"email": 5, "password": "password123"},
                    {"email": "obama@example.test", "password": ["x"]}, {"email": None, "password": None}):
        response = client.post(f"{API}/login", json=payload)
        assert response.status_code == 400, payload
        assert response.get_json() == {"message": "Email dan password harus diisi"}


def test_login_wrong_password_or_unknown_email_401_alike(client, person):
    for email, password in (("obama@example.test", "wrong-password"), ("nobody@example.test", "password123"),
                            ("10001", "password123")):
        response = client.post(f"{API}/login", json={"email": email, "password": password})
        assert response.status_code == 401
        assert response.get_json() == {"message": "Email atau password salah"}
        assert "Set-Cookie" not in response.headers


def test_login_of_a_deactivated_account_is_refused(client, factory):
    factory.user(email="gone@example.test", is_active=False)
    response = client.post(f"{API}/login", json={"email": "gone@example.test", "password": "password123"})
    assert response.status_code == 403
    assert response.get_json() == {"message": "Akun Anda dinonaktifkan"}


def test_login_body_must_be_json(client, person):
    response = client.post(f"{API}/login", data={"email": "obama@example.test", "password": "password123"})
    assert response.status_code == 415
    assert response.get_json() == {"message": "Content-Type harus application/json"}
    response = client.post(f"{API}/login", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"message": "Email dan password harus diisi"}
    response = client.post(f"{API}/login", json=["obama@example.test", "password123"])
    assert response.status_code == 400


def test_login_is_rate_limited(client, person):
    codes = [client.post(f"{API}/login", json={"email": "obama@example.test", "password": "wrong"}).status_code
             for _ in range(6)]
    assert codes == [401] * 5 + [429]
    response = client.post(f"{API}/login", json={"email": "obama@example.test", "password": "wrong"})
    assert response.get_json() == {"message": "Terlalu banyak permintaan. Coba lagi nanti."}


def test_a_bearer_header_does_not_authenticate(app, client, person):
    token_cookie = _set_cookie(login(client, "obama@example.test")).split(";", 1)[0].split("=", 1)[1]
    other = app.test_client()
    response = other.get(f"{API}/profile", headers={"Authorization": f"Bearer {token_cookie}"})
    assert response.status_code == 401
    assert response.get_json() == {"message": "Anda belum login"}


# --- register ---------------------------------------------------------------

def test_register_gives_the_contracts_default_role(app, client):
    """Without ``role`` the contract's default is ``mahasiswa`` (contract 003, POST /api/register)."""
    response = client.post(f"{API}/register", json={
        "email": "New.Person@Example.test", "password": "rahasia123", "name": " Siti Aminah "})
    assert response.status_code == 201
    data = response.get_json()
    assert list(data) == ["message", "user"]
    assert data["message"] == "Registrasi berhasil"
    assert data["user"]["email"] == "new.person@example.test"
    assert data["user"]["name"] == "Siti Aminah"
    assert data["user"]["role"] == "mahasiswa"
    assert "Set-Cookie" not in response.headers  # registering does not sign in
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="new.person@example.test"))
        assert user.role == "mahasiswa" and user.password_hash.startswith("$argon2id$")
    assert login(client, "new.person@example.test", "rahasia123").status_code == 200
    assert client.get(f"{API}/profile").get_json()["user"]["role"] == "mahasiswa"


@pytest.mark.parametrize("role", ["mahasiswa", None, ""])
def test_register_accepts_the_contracts_default_role(client, role):
    response = client.post(f"{API}/register", json={
        "email": "m@example.test", "password": "rahasia123", "name": "Mahasiswa", "role": role})
    assert response.status_code == 201
    assert response.get_json()["user"]["role"] == "mahasiswa"


def test_register_cannot_create_an_admin(app, client):
    response = client.post(f"{API}/register", json={
        "email": "evil@example.test", "password": "rahasia123", "name": "Evil", "role": "admin"})
    assert response.status_code == 403
    assert response.get_json() == {"message": "Anda tidak memiliki akses"}
    for role in ("kepsek", "pegawai", "petugas", 5, ["admin"]):  # contract 003 knows admin and mahasiswa only
        response = client.post(f"{API}/register", json={
            "email": "evil@example.test", "password": "rahasia123", "name": "Evil", "role": role})
        assert response.status_code == 400, role
        assert response.get_json() == {"message": "Role tidak valid"}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_register_missing_fields_400(client):
    for payload in ({}, {"email": "a@example.test", "password": "rahasia123"},
                    {"email": "a@example.test", "name": "A"}, {"password": "rahasia123", "name": "A"},
                    {"email": "a@example.test", "password": "rahasia123", "name": "   "},
                    {"email": "a@example.test", "password": 12345678, "name": "A"},
                    {"email": "a@example.test", "password": "rahasia123", "name": float("nan")}):
        response = client.post(f"{API}/register", json=payload)
        assert response.status_code == 400, payload
        assert response.get_json() == {"message": "Email, password, dan nama harus diisi"}


def test_register_bad_values_400(client):
    cases = [({"email": "not-an-email", "password": "rahasia123", "name": "A"}, "Format email tidak valid"),
             ({"email": "a@example.test", "password": "short", "name": "A"}, "Password minimal 8 karakter"),
             ({"email": "a@example.test", "password": "rahasia123", "name": "x" * 121}, "Nama maksimal 120 karakter")]
    for payload, message in cases:
        response = client.post(f"{API}/register", json=payload)
        assert response.status_code == 400, payload
        assert response.get_json() == {"message": message}


def test_register_taken_email_409(client, person):
    response = client.post(f"{API}/register", json={
        "email": "OBAMA@example.test", "password": "rahasia123", "name": "Another"})
    assert response.status_code == 409
    assert response.get_json() == {"message": "Email sudah terdaftar"}


def test_register_nan_body_is_refused_cleanly(client):
    response = client.post(f"{API}/register", data='{"email": NaN, "password": Infinity, "name": NaN}',
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"message": "Email, password, dan nama harus diisi"}


# --- logout -----------------------------------------------------------------

def test_logout_revokes_the_token_and_deletes_the_cookie(app, client, person):
    login(client, "obama@example.test")
    assert client.get(f"{API}/profile").status_code == 200
    stolen = client.get_cookie("token", path="/face/api").value
    response = client.post(f"{API}/logout")
    assert response.status_code == 200
    assert response.get_json() == {"message": "Logout berhasil"}
    cookie = _set_cookie(response)
    assert "Max-Age=0" in cookie or "Expires=Thu, 01 Jan 1970" in cookie
    assert client.get(f"{API}/profile").status_code == 401
    # the old value is revoked on the server, not only forgotten by this browser
    other = app.test_client()
    other.set_cookie("token", stolen, path="/face/api")
    assert other.get(f"{API}/profile").status_code == 401


def test_logout_without_a_session_is_fine(client):
    response = client.post(f"{API}/logout")
    assert response.status_code == 200
    assert response.get_json() == {"message": "Logout berhasil"}
