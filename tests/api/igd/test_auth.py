"""Contract 004 "Authentication Endpoints": CSRF cookie, login, check, logout; roles; the SPA's cookie session."""
import hashlib

from app.accounts.models import ApiToken
from app.escorts.models import EscortApiSession
from app.extensions import db

from .conftest import API, escort_body


def _login(client, email="admin@igd.com", password="password123", **kw):
    return client.post(f"{API}/auth/login", json={"email": email, "password": password}, **kw)


def _cookie(client, name):
    cookie = client.get_cookie(name, domain="localhost")
    return cookie.value if cookie else None


def test_login_returns_user_and_bearer_token_stored_hashed(app, client, factory):
    user = factory.user(role="admin", npp=None, email="admin@igd.com", name="IGD Administrator")
    response = _login(client)
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "success" and body["message"] == "Login successful"
    assert list(body["data"]) == ["user", "token", "token_type", "expires_in"]
    assert body["data"]["token_type"] == "Bearer" and body["data"]["expires_in"] is None
    assert body["data"]["user"]["id"] == user.id
    assert list(body["data"]["user"]) == ["id", "name", "email", "email_verified_at", "created_at", "updated_at"]
    assert body["data"]["user"]["created_at"].endswith("Z")
    token_id, secret = body["data"]["token"].split("|")
    with app.app_context():
        row = db.session.get(ApiToken, int(token_id))
        assert row.dialect == "igd"
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_wrong_password_unknown_email_and_inactive_are_401_alike(client, factory):
    factory.user(role="petugas", npp=None, email="admin@igd.com")
    factory.user(role="petugas", npp=None, email="off@igd.com", is_active=False)
    expected = {"status": "error", "message": "Invalid credentials",
                "errors": {"email": ["The provided credentials are incorrect."]}}
    for response in (_login(client, password="wrongpassword"), _login(client, email="nobody@igd.com"),
                     _login(client, email="off@igd.com")):
        assert response.status_code == 401
        assert response.json == expected


def test_login_validation_is_422_naming_the_fields(client):
    response = _login(client, email="invalid-email", password="")
    assert response.status_code == 422
    assert response.json == {"status": "error", "message": "Validation failed", "errors": {
        "email": ["The email must be a valid email address."], "password": ["The password field is required."]}}
    for body in ({}, {"email": 5, "password": ["x"]}, {"email": None, "password": None}):
        response = client.post(f"{API}/auth/login", json=body)
        assert response.status_code == 422
        assert set(response.json["errors"]) == {"email", "password"}


def test_roles_outside_the_er_are_refused(client, factory):
    factory.user(role="siswa", npp=None, email="murid@igd.com")
    response = _login(client, email="murid@igd.com")
    assert response.status_code == 403
    assert response.json["status"] == "error" and "email" in response.json["errors"]


def test_every_er_role_may_sign_in(client, factory):
    for role in ("admin", "petugas", "dokter", "paramedis"):
        factory.user(role=role, npp=None, email=f"{role}@igd.com")
        assert _login(client, email=f"{role}@igd.com").status_code == 200, role


def test_check_and_logout_with_a_bearer_token(app, client, factory):
    factory.user(role="dokter", npp=None, email="admin@igd.com", name="Dr. IGD")
    token = _login(client).json["data"]["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(f"{API}/auth/check", headers=headers)
    assert response.status_code == 200
    assert response.json["message"] == "User is authenticated"
    assert response.json["data"]["authenticated"] is True
    assert list(response.json["data"]["user"]) == ["id", "name", "email", "created_at"]
    response = client.post(f"{API}/auth/logout", headers=headers)
    assert response.status_code == 200
    assert response.json["message"] == "Successfully logged out"
    assert response.json["data"]["logged_out_at"].endswith("Z")
    # The token is revoked: every protected endpoint now says Unauthenticated.
    for method, path in (("get", "/auth/check"), ("post", "/auth/logout"), ("get", "/escort")):
        response = getattr(client, method)(f"{API}{path}", headers=headers)
        assert response.status_code == 401
        assert response.json == {"message": "Unauthenticated."}


def test_no_or_forged_token_is_unauthenticated(client, factory):
    factory.user(role="admin", npp=None, email="admin@igd.com")
    token = _login(client).json["data"]["token"]
    token_id = token.split("|")[0]
    for headers in ({}, {"Authorization": "Bearer invalid_token"}, {"Authorization": f"Bearer {token_id}|forged"},
                    {"Authorization": "Basic abc"}):
        assert client.get(f"{API}/auth/check", headers=headers).json == {"message": "Unauthenticated."}
        assert client.post(f"{API}/auth/logout", headers=headers).status_code == 401


def test_a_token_of_another_dialect_is_not_an_igd_token(app, client, factory):
    from app.accounts.api_tokens import issue_token
    from app.accounts.models import User

    user = factory.user(role="admin", npp=None, email="admin@igd.com")
    with app.app_context():
        token, _ = issue_token(db.session.get(User, user.id), "school")
        db.session.commit()
    assert client.get(f"{API}/auth/check", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_csrf_cookie_sets_xsrf_token_and_session_cookie(app, client):
    response = client.get(f"{API}/sanctum/csrf-cookie")
    assert response.status_code == 204
    cookies = response.headers.getlist("Set-Cookie")
    xsrf = next(c for c in cookies if c.startswith("XSRF-TOKEN="))
    session = next(c for c in cookies if c.startswith("igd_session="))
    assert "Path=/" in xsrf and "SameSite=Lax" in xsrf and "HttpOnly" not in xsrf
    assert "Path=/" in session and "SameSite=Lax" in session and "HttpOnly" in session
    # Only digests are stored.
    with app.app_context():
        row = db.session.scalar(db.select(EscortApiSession))
        assert row.cookie_hash == hashlib.sha256(_cookie(client, "igd_session").encode()).hexdigest()
        assert row.csrf_hash == hashlib.sha256(_cookie(client, "XSRF-TOKEN").encode()).hexdigest()
    # Asking again keeps the session and renews the CSRF token.
    first_session, first_xsrf = _cookie(client, "igd_session"), _cookie(client, "XSRF-TOKEN")
    client.get(f"{API}/sanctum/csrf-cookie")
    assert _cookie(client, "igd_session") == first_session
    assert _cookie(client, "XSRF-TOKEN") != first_xsrf


def test_spa_cookie_session_login_then_cookie_requests(app, client, factory):
    factory.user(role="petugas", npp=None, email="admin@igd.com")
    client.get(f"{API}/sanctum/csrf-cookie")
    before = _cookie(client, "igd_session")
    # Without the header: 419, and nothing happens.
    response = _login(client)
    assert response.status_code == 419
    assert response.json == {"message": "CSRF token mismatch"}
    response = _login(client, headers={"X-XSRF-TOKEN": "wrong"})
    assert response.status_code == 419
    response = _login(client, headers={"X-XSRF-TOKEN": _cookie(client, "XSRF-TOKEN")})
    assert response.status_code == 200
    # Signing in replaced the session cookie (no fixation) and the CSRF token.
    assert _cookie(client, "igd_session") != before
    # The cookie alone now authenticates reads ...
    assert client.get(f"{API}/auth/check").status_code == 200
    assert client.get(f"{API}/escort").status_code == 200
    # ... and writes need the header.
    body = escort_body()
    assert client.post(f"{API}/escort", json=body).status_code == 419
    response = client.post(f"{API}/escort", json=body, headers={"X-XSRF-TOKEN": _cookie(client, "XSRF-TOKEN")})
    assert response.status_code == 201
    assert response.json["data"]["status"] == "pending"
    # Logging out over the cookie ends it, and the token its sign-in issued.
    assert client.post(f"{API}/auth/logout").status_code == 419
    response = client.post(f"{API}/auth/logout", headers={"X-CSRF-TOKEN": _cookie(client, "XSRF-TOKEN")})
    assert response.status_code == 200
    assert client.get(f"{API}/auth/check").status_code == 401
    with app.app_context():
        assert db.session.scalar(db.select(ApiToken)).revoked_at is not None


def test_bearer_requests_need_no_csrf_token_even_with_a_cookie(client, staff):
    _user, headers = staff()
    client.get(f"{API}/sanctum/csrf-cookie")
    response = client.post(f"{API}/escort", json=escort_body(), headers=headers)
    assert response.status_code == 201


def test_an_unknown_session_cookie_on_a_write_is_419(client):
    client.set_cookie("igd_session", "made-up", domain="localhost")
    response = client.post(f"{API}/escort", json=escort_body(), headers={"X-XSRF-TOKEN": "made-up"})
    assert response.status_code == 419


def test_a_deactivated_or_demoted_user_loses_the_cookie_session_and_the_token(app, client, factory):
    from app.accounts.models import User

    user = factory.user(role="petugas", npp=None, email="admin@igd.com")
    client.get(f"{API}/sanctum/csrf-cookie")
    token = _login(client, headers={"X-XSRF-TOKEN": _cookie(client, "XSRF-TOKEN")}).json["data"]["token"]
    with app.app_context():
        db.session.get(User, user.id).role = "pegawai"
        db.session.commit()
    assert client.get(f"{API}/auth/check").status_code == 403
    assert client.get(f"{API}/auth/check", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    with app.app_context():
        row = db.session.get(User, user.id)
        row.role, row.is_active = "petugas", False
        db.session.commit()
    assert client.get(f"{API}/auth/check").status_code == 401
    assert client.get(f"{API}/auth/check", headers={"Authorization": f"Bearer {token}"}).status_code == 401
