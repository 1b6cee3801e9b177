"""Contract 003, "Profile" (GET/PUT /api/profile) and "Admin - Users Management" (GET /api/users)."""
from __future__ import annotations

import re

from app.accounts.models import User
from app.attendance.models import AttendanceEvent, DailyAttendance
from app.common import clock
from app.extensions import db

from .conftest import API, login

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_profile_of_the_signed_in_user(client, person):
    login(client, "obama@example.test")
    response = client.get(f"{API}/profile")
    assert response.status_code == 200
    user = response.get_json()["user"]
    assert list(user) == ["id", "email", "name", "role", "created_at", "updated_at"]
    assert user["id"] == str(person.id) and user["email"] == "obama@example.test" and user["role"] == "pegawai"
    assert ISO.match(user["created_at"]) and ISO.match(user["updated_at"])


def test_profile_needs_a_login(client):
    for method in ("get", "put"):
        response = getattr(client, method)(f"{API}/profile", json={"name": "X"})
        assert response.status_code == 401
        assert response.get_json() == {"message": "Anda belum login"}
    client.set_cookie("token", "1|forged-secret", path="/face/api")
    assert client.get(f"{API}/profile").status_code == 401
    client.set_cookie("token", "garbage", path="/face/api")
    assert client.get(f"{API}/profile").status_code == 401


def test_a_token_of_another_dialect_is_refused(app, client, person):
    from app.accounts.api_tokens import issue_token

    with app.app_context():
        token, _row = issue_token(db.session.get(User, person.id), "school")
        db.session.commit()
    client.set_cookie("token", token, path="/face/api")
    assert client.get(f"{API}/profile").status_code == 401


def test_update_profile_changes_the_name_only(app, client, person):
    login(client, "obama@example.test")
    response = client.put(f"{API}/profile", json={"name": "  Barack H. Obama ", "email": "x@evil.test",
                                                  "role": "admin"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["message"] == "Profile updated"
    assert list(data["user"]) == ["id", "email", "name", "role", "updated_at"]
    assert data["user"]["name"] == "Barack H. Obama"
    assert data["user"]["email"] == "obama@example.test" and data["user"]["role"] == "pegawai"
    with app.app_context():
        row = db.session.get(User, person.id)
        assert (row.name, row.email, row.role) == ("Barack H. Obama", "obama@example.test", "pegawai")


def test_update_profile_bad_input(client, person):
    login(client, "obama@example.test")
    for payload, message in (({}, "Nama harus diisi"), ({"name": ""}, "Nama harus diisi"),
                             ({"name": 42}, "Nama harus diisi"), ({"name": None}, "Nama harus diisi"),
                             ({"name": "x" * 121}, "Nama maksimal 120 karakter")):
        response = client.put(f"{API}/profile", json=payload)
        assert response.status_code == 400, payload
        assert response.get_json() == {"message": message}
    response = client.put(f"{API}/profile", data="name=X", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


# --- users (admin) ----------------------------------------------------------------

def _check_in(app, user_id, day, review_state="not_required"):
    with app.app_context():
        event = AttendanceEvent(user_id=user_id, kind="check_in", occurred_at=clock.now(), work_date=day,
                                source="face", review_state=review_state)
        db.session.add(event)
        db.session.flush()
        db.session.add(DailyAttendance(user_id=user_id, work_date=day, check_in_event_id=event.id,
                                       time_in=event.occurred_at))
        db.session.commit()


def test_admin_lists_users_with_attendance_counts(app, client, admin, person, factory):
    from datetime import date

    other = factory.user(name="Tanpa Absen", email="other@example.test")
    _check_in(app, person.id, date(2026, 1, 5))
    _check_in(app, person.id, date(2026, 1, 6))
    _check_in(app, person.id, date(2026, 1, 7), review_state="rejected")
    login(client, "admin@example.test")
    response = client.get(f"{API}/users")
    assert response.status_code == 200
    data = response.get_json()
    assert list(data) == ["total_users", "users"]
    assert data["total_users"] == 3
    by_email = {u["email"]: u for u in data["users"]}
    assert list(by_email["obama@example.test"]) == ["id", "email", "name", "role", "attendance_count", "created_at"]
    assert by_email["obama@example.test"]["attendance_count"] == 2
    assert by_email["other@example.test"]["attendance_count"] == 0
    assert by_email["admin@example.test"]["role"] == "admin"
    assert by_email["other@example.test"]["id"] == str(other.id)
    assert "password" not in str(data) and "password_hash" not in str(data)


def test_users_lists_who_can_sign_in_here_each_with_an_email(app, client, admin, person, factory):
    """``email`` is a string for every user listed: the list is the people who can sign in to
    this app (active, not deleted, with an email), not a student known only by NISN."""
    from datetime import date

    from app.accounts import services as accounts

    factory.user(role="siswa", name="Siswa Tanpa Email", nisn_nip_nik="0051234567")
    factory.user(name="Nonaktif", email="off@example.test", is_active=False)
    gone = factory.user(name="Dihapus", email="gone@example.test")
    _check_in(app, gone.id, date(2026, 1, 5))
    with app.app_context():
        accounts.delete_user(db.session.get(User, gone.id))
        db.session.commit()
    login(client, "admin@example.test")
    data = client.get(f"{API}/users").get_json()
    assert all(isinstance(u["email"], str) and "@" in u["email"] for u in data["users"])
    assert sorted(u["email"] for u in data["users"]) == ["admin@example.test", "obama@example.test"]
    assert data["total_users"] == 2


def test_users_list_is_for_admins_only(client, person, factory):
    assert client.get(f"{API}/users").get_json() == {"message": "Anda belum login"}
    login(client, "obama@example.test")
    response = client.get(f"{API}/users")
    assert response.status_code == 403
    assert response.get_json() == {"message": "Anda tidak memiliki akses"}
    factory.user(role="petugas", email="hr@example.test")
    client.post(f"{API}/logout")
    login(client, "hr@example.test")
    assert client.get(f"{API}/users").status_code == 403
