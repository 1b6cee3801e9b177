"""Contract 002, section 13: user management, administrators only."""
from datetime import date, datetime, timezone

import pytest

from app.accounts.models import ApiToken, User
from app.attendance.models import AttendanceEvent, DailyAttendance
from app.accounts.passwords import verify_password
from app.extensions import db

from .tokens import bearer, school_user

PAGINATOR_KEYS = {"current_page", "data", "first_page_url", "from", "last_page", "last_page_url", "next_page_url",
                  "path", "per_page", "prev_page_url", "to", "total"}


@pytest.fixture
def admin(factory):
    return school_user(factory, "admin", "5001", name="Admin Utama", email="admin@sekolah.sch.id")


@pytest.fixture
def headers(app, admin):
    return bearer(app, admin)


def _row(app, user_id):
    with app.app_context():
        row = db.session.get(User, user_id)
        if row is not None:
            db.session.expunge(row)
        return row


def _new_user(**kw):
    body = {"nisn_nip_nik": "1005", "name": "Eka Putri", "email": "eka@siswa.sch.id", "phone": "081234567899",
            "password": "password123", "role_id": 1, "photo_path": "profiles/eka.jpg", "is_active": True}
    body.update(kw)
    return body


# --- access -------------------------------------------------------------------

def test_every_users_endpoint_needs_a_token(client, admin):
    for method, path in (("get", "/api/users"), ("post", "/api/users"), ("get", f"/api/users/{admin.id}"),
                         ("put", f"/api/users/{admin.id}"), ("delete", f"/api/users/{admin.id}")):
        for headers in ({}, {"Authorization": "Bearer 99|forged"}):
            response = getattr(client, method)(path, headers=headers, json={})
            assert response.status_code == 401, (method, path)
            assert response.json == {"success": False, "message": "Token tidak valid"}


@pytest.mark.parametrize("role", ["siswa", "guru", "pegawai", "kepsek"])
def test_non_admins_get_403_everywhere_and_cannot_raise_their_role(app, client, factory, admin, role):
    user = school_user(factory, role, "7001")
    headers = bearer(app, user)
    for method, path, body in (
        ("get", "/api/users", None), ("post", "/api/users", _new_user()), ("get", f"/api/users/{admin.id}", None),
        ("put", f"/api/users/{user.id}", {"role_id": 5}), ("put", f"/api/users/{admin.id}", {"role_id": 1}),
        ("delete", f"/api/users/{admin.id}", None),
    ):
        response = getattr(client, method)(path, headers=headers, json=body)
        assert response.status_code == 403, (method, path)
        assert response.json == {"success": False, "message": "Akses ditolak"}
    assert _row(app, user.id).role == role
    assert _row(app, admin.id).is_active and _row(app, admin.id).role == "admin"


# --- list ---------------------------------------------------------------------

def test_list_is_a_laravel_paginator_ordered_by_id(app, client, admin, headers, factory):
    others = [school_user(factory, "siswa", f"10{n:02d}") for n in range(3)]
    response = client.get("/api/users", headers=headers)
    assert response.status_code == 200
    assert response.json["message"] == "Data pengguna berhasil diambil"
    page = response.json["data"]
    assert set(page) == PAGINATOR_KEYS
    assert [u["id"] for u in page["data"]] == [admin.id] + [u.id for u in others]
    assert page["current_page"] == 1 and page["per_page"] == 15 and page["total"] == 4
    assert page["from"] == 1 and page["to"] == 4 and page["last_page"] == 1
    assert page["next_page_url"] is None and page["prev_page_url"] is None
    assert page["path"] == "http://localhost/api/users"
    assert page["first_page_url"] == "http://localhost/api/users?page=1"


def test_list_pages_and_per_page(client, admin, headers, factory):
    for n in range(4):
        school_user(factory, "siswa", f"10{n:02d}")
    page = client.get("/api/users?per_page=2&page=2", headers=headers).json["data"]
    assert page["current_page"] == 2 and page["per_page"] == 2 and page["total"] == 5 and page["last_page"] == 3
    assert page["from"] == 3 and page["to"] == 4 and len(page["data"]) == 2
    assert page["next_page_url"] == "http://localhost/api/users?per_page=2&page=3"
    assert page["prev_page_url"] == "http://localhost/api/users?per_page=2&page=1"
    beyond = client.get("/api/users?per_page=2&page=9", headers=headers).json["data"]
    assert beyond["data"] == [] and beyond["from"] is None and beyond["to"] is None
    assert len(client.get("/api/users?per_page=100", headers=headers).json["data"]["data"]) == 5


@pytest.mark.parametrize("query,field", [("per_page=0", "per_page"), ("per_page=101", "per_page"),
                                         ("per_page=abc", "per_page"), ("page=0", "page"),
                                         ("role_id=99", "role_id"), ("role_id=x", "role_id"),
                                         ("is_active=maybe", "is_active")])
def test_list_bad_query_is_422_naming_the_parameter(client, headers, query, field):
    response = client.get(f"/api/users?{query}", headers=headers)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {field}


def test_list_filters_by_role_id_and_is_active(client, admin, headers, factory):
    guru = school_user(factory, "guru", "2001")
    siswa = school_user(factory, "siswa", "1001")
    gone = school_user(factory, "siswa", "1002", is_active=False)
    ids = lambda q: [u["id"] for u in client.get(f"/api/users?{q}", headers=headers).json["data"]["data"]]  # noqa: E731
    assert ids("role_id=1") == [siswa.id, gone.id]
    assert ids("role_id=2") == [guru.id]
    assert ids("is_active=0") == [gone.id]
    assert ids("is_active=1") == [admin.id, guru.id, siswa.id]
    assert ids("role_id=1&is_active=1") == [siswa.id]


# --- create -------------------------------------------------------------------

def test_create_returns_201_and_the_user(app, client, headers):
    response = client.post("/api/users", headers=headers, json=_new_user())
    assert response.status_code == 201, response.json
    assert response.json["message"] == "Pengguna berhasil ditambahkan"
    data = response.json["data"]
    assert {k: data[k] for k in ("nisn_nip_nik", "name", "email", "phone", "role_id", "photo_path", "is_active")} == {
        "nisn_nip_nik": "1005", "name": "Eka Putri", "email": "eka@siswa.sch.id", "phone": "081234567899",
        "role_id": 1, "photo_path": "profiles/eka.jpg", "is_active": True}
    row = _row(app, data["id"])
    assert row.role == "siswa" and verify_password(row.password_hash, "password123")[0]
    login = client.post("/api/auth/login", json={"nisn_nip_nik": "1005", "password": "password123"})
    assert login.status_code == 200


def test_create_defaults_to_active_and_accepts_numeric_identifier(client, headers):
    body = _new_user(nisn_nip_nik=1006, email=None, phone=None, photo_path=None)
    del body["is_active"]
    response = client.post("/api/users", headers=headers, json=body)
    assert response.status_code == 201
    assert response.json["data"]["is_active"] is True and response.json["data"]["nisn_nip_nik"] == "1006"


@pytest.mark.parametrize("change,field", [
    ({"nisn_nip_nik": None}, "nisn_nip_nik"), ({"nisn_nip_nik": "1" * 33}, "nisn_nip_nik"),
    ({"name": ""}, "name"), ({"email": "nope"}, "email"), ({"phone": "9" * 33}, "phone"),
    ({"password": "short"}, "password"), ({"password": None}, "password"),
    ({"role_id": 99}, "role_id"), ({"role_id": "guru"}, "role_id"), ({"role_id": True}, "role_id"),
    ({"role_id": None}, "role_id"), ({"is_active": "maybe"}, "is_active"),
    ({"photo_path": "p" * 256}, "photo_path"),
])
def test_create_field_errors_are_422_and_create_nothing(app, client, headers, change, field):
    response = client.post("/api/users", headers=headers, json=_new_user(**change))
    assert response.status_code == 422, change
    assert set(response.json["errors"]) == {field}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_create_missing_required_fields(client, headers):
    response = client.post("/api/users", headers=headers, json={})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"nisn_nip_nik", "name", "password", "role_id"}


@pytest.mark.parametrize("field,value", [("nisn_nip_nik", "5001"), ("email", "ADMIN@sekolah.sch.id")])
def test_create_taken_identifier_is_422_naming_it(client, headers, field, value):
    response = client.post("/api/users", headers=headers, json=_new_user(**{field: value}))
    assert response.status_code == 422
    assert response.json["errors"] == {field: [f"The {field.replace('_', ' ')} has already been taken."]}


# --- show / update --------------------------------------------------------------

def test_show_user_and_404(client, headers, factory):
    siswa = school_user(factory, "siswa", "1001", name="Andi Pratama")
    response = client.get(f"/api/users/{siswa.id}", headers=headers)
    assert response.status_code == 200
    assert response.json["message"] == "Data pengguna berhasil diambil"
    assert response.json["data"]["name"] == "Andi Pratama" and response.json["data"]["role_id"] == 1
    missing = client.get("/api/users/999999", headers=headers)
    assert missing.status_code == 404 and missing.json == {"success": False, "message": "Pengguna tidak ditemukan"}
    for method in ("put", "delete"):
        assert getattr(client, method)("/api/users/999999", headers=headers, json={}).status_code == 404


def test_update_changes_the_given_keys(app, client, headers, factory):
    siswa = school_user(factory, "siswa", "1001", name="Andi", email="andi@siswa.sch.id", phone="0811")
    response = client.put(f"/api/users/{siswa.id}", headers=headers, json={
        "name": "Andi Pratama - Updated", "email": "andi.updated@siswa.sch.id", "role_id": 2})
    assert response.status_code == 200, response.json
    assert response.json["message"] == "Data pengguna berhasil diperbarui"
    row = _row(app, siswa.id)
    assert (row.name, row.email, row.role, row.phone, row.nisn_nip_nik) == (
        "Andi Pratama - Updated", "andi.updated@siswa.sch.id", "guru", "0811", "1001")


def test_update_password_revokes_the_users_tokens(app, client, headers, factory):
    siswa = school_user(factory, "siswa", "1001")
    theirs = bearer(app, siswa)
    response = client.put(f"/api/users/{siswa.id}", headers=headers, json={"password": "brand-new-pass"})
    assert response.status_code == 200
    assert verify_password(_row(app, siswa.id).password_hash, "brand-new-pass")[0]
    assert client.get("/api/user", headers=theirs).status_code == 401


def test_update_errors_change_nothing(app, client, headers, factory):
    school_user(factory, "guru", "2001", email="guru@sekolah.sch.id")
    siswa = school_user(factory, "siswa", "1001", name="Andi")
    for body, field in (({"name": "X", "email": "guru@sekolah.sch.id"}, "email"),
                        ({"name": "X", "nisn_nip_nik": "2001"}, "nisn_nip_nik"),
                        ({"name": "X", "role_id": 0}, "role_id"),
                        ({"name": "X", "password": "short"}, "password"),
                        ({"name": "X", "nisn_nip_nik": ""}, "nisn_nip_nik")):
        response = client.put(f"/api/users/{siswa.id}", headers=headers, json=body)
        assert response.status_code == 422, body
        assert set(response.json["errors"]) == {field}, body
    assert _row(app, siswa.id).name == "Andi"


def test_admin_cannot_change_own_role_or_deactivate_self(app, client, admin, headers):
    for body in ({"role_id": 1}, {"role_id": 4, "name": "Changed"}, {"is_active": False}):
        response = client.put(f"/api/users/{admin.id}", headers=headers, json=body)
        assert response.status_code == 403, body
        assert response.json["success"] is False
    row = _row(app, admin.id)
    assert row.role == "admin" and row.is_active and row.name == "Admin Utama"
    same = client.put(f"/api/users/{admin.id}", headers=headers, json={"role_id": 5, "name": "Admin Baru"})
    assert same.status_code == 200 and same.json["data"]["name"] == "Admin Baru"


def test_admin_can_demote_another_admin(app, client, headers, factory):
    other = school_user(factory, "admin", "5002")
    response = client.put(f"/api/users/{other.id}", headers=headers, json={"role_id": 3})
    assert response.status_code == 200 and _row(app, other.id).role == "pegawai"


# --- delete -------------------------------------------------------------------

def _checked_in(app, user_id, day=date(2026, 1, 5)):
    """One recorded check-in of ``user_id`` (event and day)."""
    with app.app_context():
        moment = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc).replace(hour=0, minute=30)
        event = AttendanceEvent(user_id=user_id, kind="check_in", occurred_at=moment, work_date=day, source="qr")
        db.session.add(event)
        db.session.flush()
        db.session.add(DailyAttendance(user_id=user_id, work_date=day, check_in_event_id=event.id,
                                       time_in=moment, status="present"))
        db.session.commit()
        return event.id


def _logins(client, person) -> dict[str, int]:
    """Sign in as ``person`` in every app with their identifiers; the HTTP status of each."""
    from tests.helpers import AdminSession

    return {
        "school": client.post("/api/auth/login", json={"nisn_nip_nik": person.nisn_nip_nik,
                                                       "password": "password123"}).status_code,
        "mobile": client.post("/api/login", json={"npp": person.npp, "password": "password123",
                                                  "device_id": "phone-of-deleted-test"}).get_json()["rcode"],
        "clinic": client.post("/api/v2/auth/login", json={"email": person.email,
                                                          "password": "password123"}).status_code,
        "face": client.post("/face/api/login", json={"email": person.email, "password": "password123"}).status_code,
        "igd": client.post("/igd/api/auth/login", json={"email": person.email,
                                                        "password": "password123"}).status_code,
        "admin": AdminSession(client.application.test_client()).login(person.email).status_code,
    }


def test_delete_is_a_soft_delete_gone_for_every_app_with_history_kept(app, client, headers, factory):
    """After DELETE the person is gone for the API (404, not listed, cannot sign in anywhere,
    tokens revoked) while what they recorded stays."""
    person = factory.user(role="petugas", name="Petugas Keluar", npp="20001", nisn_nip_nik="3001",
                          email="keluar@sekolah.sch.id")
    event_id = _checked_in(app, person.id)
    assert _logins(client, person) == {"school": 200, "mobile": "00", "clinic": 200, "face": 200, "igd": 200,
                                       "admin": 302}
    theirs = bearer(app, person)

    response = client.delete(f"/api/users/{person.id}", headers=headers)
    assert response.status_code == 200
    assert response.json == {"success": True, "message": "Pengguna berhasil dihapus"}

    # gone for the API: 404 on its id, absent from every list
    for method in ("get", "put", "delete"):
        gone = getattr(client, method)(f"/api/users/{person.id}", headers=headers, json={"name": "X"})
        assert gone.status_code == 404, method
        assert gone.json == {"success": False, "message": "Pengguna tidak ditemukan"}
    for query in ("", "?is_active=0", "?is_active=1", "?role_id=6", "?per_page=100"):
        listed = [u["id"] for u in client.get(f"/api/users{query}", headers=headers).json["data"]["data"]]
        assert person.id not in listed, query
    # cannot sign in anywhere (answered as an unknown account), and the tokens are revoked
    assert _logins(client, person) == {"school": 401, "mobile": "81", "clinic": 401, "face": 401, "igd": 401,
                                       "admin": 200}
    assert client.get("/api/user", headers=theirs).status_code == 401
    with app.app_context():
        assert all(t.revoked_at is not None for t in db.session.scalars(db.select(ApiToken).filter_by(
            user_id=person.id)))
        # the history stays, and so does the row (soft delete)
        assert db.session.get(AttendanceEvent, event_id) is not None
        assert db.session.scalar(db.select(DailyAttendance).filter_by(user_id=person.id)).time_in is not None
        row = db.session.get(User, person.id)
        assert row.deleted_at is not None and row.is_active is False


def test_a_deactivated_user_stays_visible_unlike_a_deleted_one(client, headers, factory):
    inactive = school_user(factory, "siswa", "1001", is_active=False)
    deleted = school_user(factory, "siswa", "1002")
    assert client.delete(f"/api/users/{deleted.id}", headers=headers).status_code == 200
    assert client.get(f"/api/users/{inactive.id}", headers=headers).json["data"]["is_active"] is False
    listed = [u["id"] for u in client.get("/api/users?is_active=0", headers=headers).json["data"]["data"]]
    assert listed == [inactive.id]
    # reactivating is for the deactivated; the deleted one is not found
    assert client.put(f"/api/users/{inactive.id}", headers=headers, json={"is_active": True}).status_code == 200
    assert client.put(f"/api/users/{deleted.id}", headers=headers, json={"is_active": True}).status_code == 404


def test_a_deleted_persons_identifiers_stay_reserved(app, client, headers, factory):
    """NISN/NIP/NIK and email of a deleted person are not given to someone else (422, as Laravel's
    unique rule answers for a soft-deleted row): old records and cards keep meaning that person."""
    gone = school_user(factory, "siswa", "1005", email="eka@siswa.sch.id")
    assert client.delete(f"/api/users/{gone.id}", headers=headers).status_code == 200
    response = client.post("/api/users", headers=headers, json=_new_user(email="lain@siswa.sch.id"))
    assert response.status_code == 422
    assert response.json["errors"] == {"nisn_nip_nik": ["The nisn nip nik has already been taken."]}
    response = client.post("/api/users", headers=headers, json=_new_user(nisn_nip_nik="1006"))
    assert response.json["errors"] == {"email": ["The email has already been taken."]}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id)).where(User.deleted_at.is_(None))) == 1


def test_deleting_yourself_is_refused(app, client, admin, headers):
    response = client.delete(f"/api/users/{admin.id}", headers=headers)
    assert response.status_code == 403
    assert response.json == {"success": False, "message": "Anda tidak dapat menghapus akun Anda sendiri"}
    assert _row(app, admin.id).is_active is True
    assert client.get("/api/user", headers=headers).status_code == 200


def test_admin_changing_own_password_keeps_the_token_used(app, client, admin, headers):
    other = bearer(app, admin)
    response = client.put(f"/api/users/{admin.id}", headers=headers, json={"password": "brand-new-pass"})
    assert response.status_code == 200
    assert client.get("/api/user", headers=headers).status_code == 200
    assert client.get("/api/user", headers=other).status_code == 401
