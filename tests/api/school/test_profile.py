"""Contract 002, section 2: GET /api/user, GET/PUT /api/profile, PUT /api/profile/password."""
from app.accounts.models import ApiToken, User
from app.accounts.passwords import verify_password
from app.extensions import db

from .tokens import bearer, school_user

USER_KEYS = {"id", "nisn_nip_nik", "name", "email", "phone", "role_id", "photo_path", "is_active",
             "created_at", "updated_at"}


def _reload(app, user):
    with app.app_context():
        row = db.session.get(User, user.id)
        db.session.expunge(row)
        return row


def test_get_user_wraps_the_user_in_data_user(app, client, factory):
    user = school_user(factory, "admin", "5001", name="Admin Utama", email="admin@sekolah.sch.id",
                       phone="081234567897", photo_path="profiles/admin.jpg")
    response = client.get("/api/user", headers=bearer(app, user))
    assert response.status_code == 200
    body = response.json
    assert body["success"] is True and body["message"] == "Data user berhasil diambil"
    assert set(body["data"]) == {"user"}
    assert set(body["data"]["user"]) == USER_KEYS
    assert body["data"]["user"]["role_id"] == 5
    assert body["data"]["user"]["phone"] == "081234567897"
    assert body["data"]["user"]["photo_path"] == "profiles/admin.jpg"
    assert body["data"]["user"]["created_at"].endswith("Z")


def test_get_profile_is_the_bare_user_object(app, client, factory):
    user = school_user(factory, "guru", "2001", name="Bu Guru")
    response = client.get("/api/profile", headers=bearer(app, user))
    assert response.status_code == 200
    assert response.json["message"] == "Data profil berhasil diambil"
    assert set(response.json["data"]) == USER_KEYS
    assert response.json["data"]["id"] == user.id and response.json["data"]["role_id"] == 2


def test_profile_endpoints_need_a_valid_school_token(client, factory):
    for method, path in (("get", "/api/user"), ("get", "/api/profile"), ("put", "/api/profile"),
                         ("put", "/api/profile/password")):
        for headers in ({}, {"Authorization": "Bearer 1|not-a-real-secret"}):
            response = getattr(client, method)(path, headers=headers, json={})
            assert response.status_code == 401, (path, headers)
            assert response.json == {"success": False, "message": "Token tidak valid"}


def test_put_profile_changes_name_email_phone_only(app, client, factory):
    user = school_user(factory, "guru", "2001", name="Bu Guru", email="guru@sekolah.sch.id")
    response = client.put("/api/profile", headers=bearer(app, user), json={
        "name": "  Bu Guru - Updated ", "email": "Guru.Updated@Sekolah.sch.id", "phone": "081234567898",
        "role_id": 5, "nisn_nip_nik": "9999", "is_active": False})
    assert response.status_code == 200, response.json
    assert response.json["message"] == "Profil berhasil diperbarui"
    data = response.json["data"]
    assert data["name"] == "Bu Guru - Updated"
    assert data["email"] == "guru.updated@sekolah.sch.id"
    assert data["phone"] == "081234567898"
    assert data["role_id"] == 2 and data["nisn_nip_nik"] == "2001" and data["is_active"] is True
    row = _reload(app, user)
    assert (row.name, row.email, row.phone, row.role) == ("Bu Guru - Updated", "guru.updated@sekolah.sch.id",
                                                          "081234567898", "guru")


def test_put_profile_keeps_keys_not_sent_and_null_clears_phone(app, client, factory):
    user = school_user(factory, "siswa", "1001", name="Andi", email="andi@siswa.sch.id", phone="0812")
    response = client.put("/api/profile", headers=bearer(app, user), json={"phone": None})
    assert response.status_code == 200
    row = _reload(app, user)
    assert (row.name, row.email, row.phone) == ("Andi", "andi@siswa.sch.id", None)


def test_put_profile_field_errors_are_422_and_change_nothing(app, client, factory):
    user = school_user(factory, "siswa", "1001", name="Andi", email="andi@siswa.sch.id")
    headers = bearer(app, user)
    cases = [
        ({"name": ""}, "name"),
        ({"name": 123}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ["a@b.co"]}, "email"),
        ({"phone": "0" * 33}, "phone"),
        ({"phone": 812345}, "phone"),
    ]
    for payload, field in cases:
        response = client.put("/api/profile", headers=headers, json={"name": "Changed", **payload})
        assert response.status_code == 422, payload
        assert response.json["success"] is False
        assert set(response.json["errors"]) == {field}, payload
    assert _reload(app, user).name == "Andi"


def test_put_profile_taken_email_is_422_naming_email(app, client, factory):
    school_user(factory, "guru", "2001", email="taken@sekolah.sch.id")
    user = school_user(factory, "siswa", "1001", name="Andi", email="andi@siswa.sch.id")
    response = client.put("/api/profile", headers=bearer(app, user),
                          json={"name": "Andi Baru", "email": "TAKEN@sekolah.sch.id"})
    assert response.status_code == 422
    assert response.json["errors"] == {"email": ["The email has already been taken."]}
    row = _reload(app, user)
    assert (row.name, row.email) == ("Andi", "andi@siswa.sch.id")


def test_put_profile_own_email_unchanged_is_fine(app, client, factory):
    user = school_user(factory, "siswa", "1001", email="andi@siswa.sch.id")
    response = client.put("/api/profile", headers=bearer(app, user), json={"email": "andi@siswa.sch.id"})
    assert response.status_code == 200


def _password_body(current="password123", new="new-password-1", confirmation=None):
    return {"current_password": current, "new_password": new,
            "new_password_confirmation": new if confirmation is None else confirmation}


def test_change_password_success_revokes_other_school_tokens_only(app, client, factory):
    user = school_user(factory, "guru", "2001")
    current = bearer(app, user)
    other = bearer(app, user)
    response = client.put("/api/profile/password", headers=current, json=_password_body())
    assert response.status_code == 200
    assert response.json == {"success": True, "message": "Password berhasil diubah"}
    assert client.get("/api/user", headers=current).status_code == 200
    assert client.get("/api/user", headers=other).status_code == 401
    row = _reload(app, user)
    assert verify_password(row.password_hash, "new-password-1")[0]
    assert not verify_password(row.password_hash, "password123")[0]
    login = client.post("/api/auth/login", json={"nisn_nip_nik": "2001", "password": "new-password-1"})
    assert login.status_code == 200


def test_change_password_wrong_current_is_400_and_changes_nothing(app, client, factory):
    user = school_user(factory, "guru", "2001")
    current = bearer(app, user)
    other = bearer(app, user)
    response = client.put("/api/profile/password", headers=current, json=_password_body(current="wrong-pass"))
    assert response.status_code == 400
    assert response.json == {"success": False, "message": "Password saat ini salah"}
    assert verify_password(_reload(app, user).password_hash, "password123")[0]
    assert client.get("/api/user", headers=other).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ApiToken.id)).where(ApiToken.revoked_at.is_not(None))) == 0


def test_change_password_field_errors(app, client, factory):
    user = school_user(factory, "guru", "2001")
    headers = bearer(app, user)
    cases = [
        ({}, {"current_password", "new_password"}),
        (_password_body(new="short"), {"new_password"}),
        (_password_body(confirmation="something-else"), {"new_password"}),
        ({"current_password": "password123", "new_password": "new-password-1"}, {"new_password"}),
        ({"current_password": 123, "new_password": 12345678, "new_password_confirmation": 12345678},
         {"current_password", "new_password"}),
    ]
    for payload, fields in cases:
        response = client.put("/api/profile/password", headers=headers, json=payload)
        assert response.status_code == 422, payload
        assert set(response.json["errors"]) == fields, payload
    assert verify_password(_reload(app, user).password_hash, "password123")[0]


def test_password_guessing_is_rate_limited_per_token(app, client, factory):
    user = school_user(factory, "guru", "2001")
    headers = bearer(app, user)
    statuses = [client.put("/api/profile/password", headers=headers, json=_password_body(current=f"guess-{n}"))
                .status_code for n in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    limited = client.put("/api/profile/password", headers=headers, json=_password_body())
    assert limited.status_code == 429 and limited.json["success"] is False
