"""One password policy on every path that sets a password, each dialect answering in its own shape.

Policy (app.accounts.passwords): 8..128 characters, not only whitespace.  A refused
password changes nothing: no user is created, no hash replaced.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from app.accounts.models import User
from app.accounts.passwords import MAX_PASSWORD_LENGTH, PasswordRejected, check_new_password
from app.extensions import db
from tests.helpers import count, field_error, fetch

from .conftest import PASSWORD

BLANK = " " * 8
#: Refused passwords and the policy's reason.
REFUSED = {
    "spaces": (BLANK, "blank"),
    "tabs and ideographic spaces": ("\t\u3000 \n\u3000\t  ", "blank"),
    "seven characters": ("abc1234", "too_short"),
    "over the maximum": ("a" * (MAX_PASSWORD_LENGTH + 1), "too_long"),
}
ACCEPTED = ["with spaces inside", "a" * MAX_PASSWORD_LENGTH, "  leading", "kata sandi ✓ 2026"]


@pytest.mark.parametrize("name", list(REFUSED))
def test_the_policy_function_names_the_rule(name):
    password, reason = REFUSED[name]
    with pytest.raises(PasswordRejected) as caught:
        check_new_password(password, "new_password")
    assert caught.value.reason == reason
    assert list(caught.value.errors) == ["new_password"]


@pytest.mark.parametrize("password", ACCEPTED)
def test_the_policy_accepts_any_characters_within_the_length(password):
    assert check_new_password(password) == password


def _hash_of(app, user_id):
    return fetch(app, User, user_id).password_hash


# --- face (contract 003): 400 {"message"} -----------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("spaces", "Password tidak boleh hanya berisi spasi"),
    ("seven characters", "Password minimal 8 karakter"),
    ("over the maximum", "Password maksimal 128 karakter"),
])
def test_face_register_refuses_with_the_dialects_400(app, client, name, message):
    response = client.post("/face/api/register", json={"email": "new@hadir.test", "name": "New",
                                                        "password": REFUSED[name][0]})
    assert response.status_code == 400
    assert response.get_json() == {"message": message}
    assert count(app, User, User.email == "new@hadir.test") == 0


# --- school (contract 002): 422 {"success": false, "message", "errors"} -----------------

@pytest.mark.parametrize("name, message", [
    ("spaces", "The password field is required."),
    ("seven characters", "The password must be at least 8 characters."),
    ("over the maximum", "The password may not be greater than 128 characters."),
])
def test_school_create_and_update_user_refuse_a_bad_password(app, client, factory, school_admin, name, message):
    password = REFUSED[name][0]
    created = client.post("/api/users", headers=school_admin, json={
        "nisn_nip_nik": "1234", "name": "Siswa Baru", "role_id": 1, "password": password})
    assert created.status_code == 422
    assert created.get_json()["errors"] == {"password": [message]}
    assert count(app, User, User.nisn_nip_nik == "1234") == 0

    student = factory.user(role="siswa", nisn_nip_nik="4321")
    before = _hash_of(app, student.id)
    updated = client.put(f"/api/users/{student.id}", headers=school_admin, json={"password": password})
    assert updated.status_code == 422
    assert updated.get_json()["errors"] == {"password": [message]}
    assert _hash_of(app, student.id) == before


def test_school_update_without_a_password_keeps_it(app, client, factory, school_admin):
    student = factory.user(role="siswa", nisn_nip_nik="4321")
    before = _hash_of(app, student.id)
    response = client.put(f"/api/users/{student.id}", headers=school_admin, json={"name": "Renamed", "password": None})
    assert response.status_code == 200
    assert _hash_of(app, student.id) == before


def test_school_own_password_change_refuses_spaces(app, client, admin_user, school_admin):
    before = _hash_of(app, admin_user.id)
    response = client.put("/api/profile/password", headers=school_admin, json={
        "current_password": PASSWORD, "new_password": BLANK, "new_password_confirmation": BLANK})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"new_password": ["The new password field is required."]}
    assert _hash_of(app, admin_user.id) == before


# --- clinic (contract 000): 422 envelope with errors.<field> -------------------------------

@pytest.mark.parametrize("name, message", [
    ("spaces", "The password field is required."),
    ("seven characters", "The password must be at least 8 characters."),
    ("over the maximum", "The password must not be greater than 128 characters."),
])
def test_clinic_admin_create_refuses_a_bad_password(app, client, clinic_admin, name, message):
    response = client.post("/api/v2/admin/nonparamedis", headers=clinic_admin, json={
        "name": "Staf Baru", "email": "staf@hadir.test", "password": REFUSED[name][0]})
    assert response.status_code == 422
    body = response.get_json()
    assert body["success"] is False and body["errors"] == {"password": [message]}
    assert count(app, User, User.email == "staf@hadir.test") == 0


def test_clinic_password_change_and_reset_refuse_spaces(app, client, factory, admin_user, clinic_admin):
    before = _hash_of(app, admin_user.id)
    changed = client.post("/api/v2/auth/change-password", headers=clinic_admin, json={
        "current_password": PASSWORD, "new_password": BLANK, "new_password_confirmation": BLANK})
    assert changed.status_code == 422
    assert changed.get_json()["errors"] == {"new_password": ["The new password field is required."]}
    assert _hash_of(app, admin_user.id) == before

    staff = factory.user(role="non_paramedis", email="np@hadir.test")
    staff_before = _hash_of(app, staff.id)
    reset = client.post(f"/api/v2/admin/nonparamedis/{staff.id}/reset-password", headers=clinic_admin,
                        json={"new_password": "x" * 200})
    assert reset.status_code == 422
    assert reset.get_json()["errors"] == {"new_password": ["The new password must not be greater than 128 characters."]}
    assert _hash_of(app, staff.id) == staff_before


# --- the admin web app: the field's error, translated ---------------------------------------

def test_admin_user_form_refuses_spaces_on_create_and_edit(app, factory, admin_web):
    page = "/admin/users/new"
    response = admin_web.submit(page, page, {"name": "Pegawai Baru", "email": "baru@hadir.test", "role": "pegawai",
                                             "office_id": "0", "is_active": "y", "password": BLANK})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "password") == "The password may not consist of spaces only."
    assert count(app, User, User.email == "baru@hadir.test") == 0

    user = factory.user(role="pegawai", email="lama@hadir.test")
    before = _hash_of(app, user.id)
    page = f"/admin/users/{user.id}/edit"
    response = admin_web.submit(page, page, {"name": user.name, "email": "lama@hadir.test", "npp": user.npp,
                                             "role": "pegawai", "office_id": "0", "is_active": "y",
                                             "password": "pendek"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "password") == "The password must be at least 8 characters."
    assert _hash_of(app, user.id) == before


def test_admin_user_form_in_indonesian(app, admin_user):
    from tests.helpers import AdminSession
    session = AdminSession(app.test_client())
    session.login("admin@hadir.test")
    page = "/admin/users/new"
    response = session.submit(page, page, {"name": "Pegawai Baru", "role": "pegawai", "office_id": "0",
                                           "password": BLANK})
    assert field_error(response.get_data(as_text=True), "password") == "Kata sandi tidak boleh hanya berisi spasi."


def test_users_csv_import_preview_names_the_row(app, admin_web):
    import io
    content = ("name,role,nisn_nip_nik,password\n"
               "Siswa Satu,siswa,1001,rahasia-2026\n"
               f"Siswa Dua,siswa,1002,{'x' * 129}\n").encode()
    token = admin_web.token("/admin/users/import")
    response = admin_web.client.post("/admin/users/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(content), "users.csv")})
    body = response.get_data(as_text=True)
    assert "The password may not be greater than 128 characters. Or leave it blank to generate one." in body
    assert count(app, User, User.nisn_nip_nik.in_(["1001", "1002"])) == 0


# --- the command line -----------------------------------------------------------------------

def test_cli_user_create_refuses_spaces(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "--name", "CLI", "--password", BLANK, "--role", "pegawai",
                                 "--email", "cli@hadir.test"])
    assert result.exit_code == 1
    assert "error: password: The password may not consist of spaces only." in result.output
    assert count(app, User, User.email == "cli@hadir.test") == 0
    ok = runner.invoke(args=["user", "create", "--name", "CLI", "--password", "rahasia 2026", "--role", "pegawai",
                             "--email", "cli@hadir.test"])
    assert ok.exit_code == 0, ok.output
