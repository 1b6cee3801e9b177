"""Contract 002, section 8: classes, homeroom teachers and enrolments per academic year."""
import pytest

from app.extensions import db
from app.school.models import ClassEnrollment, SchoolClass

from .tokens import bearer, school_user

CLASS_KEYS = {"id", "name", "homeroom_teacher_id", "created_at", "updated_at", "homeroom_teacher"}
USER_KEYS = {"id", "nisn_nip_nik", "name", "email", "phone", "role_id", "photo_path", "is_active", "created_at",
             "updated_at"}


@pytest.fixture
def teacher(factory):
    return school_user(factory, "guru", "2001", name="Budi Santoso", email="budi@siswa.sch.id")


@pytest.fixture
def headers(app, teacher):
    return bearer(app, teacher)


@pytest.fixture
def students(factory):
    return [school_user(factory, "siswa", f"10{n:02d}", name=f"Siswa {n}") for n in range(3)]


def _classes(app):
    with app.app_context():
        return [(c.name, c.homeroom_teacher_id) for c in db.session.scalars(db.select(SchoolClass).order_by(SchoolClass.id))]


def _enrolments(app):
    with app.app_context():
        return sorted((e.student_id, e.class_id, e.academic_year) for e in db.session.scalars(db.select(ClassEnrollment)))


def _create(client, headers, name="X IPA 1", teacher_id=None):
    body = {"name": name}
    if teacher_id is not None:
        body["homeroom_teacher_id"] = teacher_id
    response = client.post("/api/classes", headers=headers, json=body)
    assert response.status_code == 201, response.json
    return response.json["data"]


# --- access -------------------------------------------------------------------

def test_every_class_endpoint_needs_a_token_and_a_staff_role(app, client, factory, teacher, headers):
    cls = _create(client, headers)
    endpoints = (("get", "/api/classes"), ("post", "/api/classes"), ("get", f"/api/classes/{cls['id']}"),
                 ("put", f"/api/classes/{cls['id']}"), ("delete", f"/api/classes/{cls['id']}"),
                 ("get", f"/api/classes/{cls['id']}/students"),
                 ("post", f"/api/classes/{cls['id']}/assign-students"),
                 ("post", f"/api/classes/{cls['id']}/remove-students"))
    for method, path in endpoints:
        response = getattr(client, method)(path, json={"name": "Hacked"})
        assert response.status_code == 401 and response.json == {"success": False, "message": "Token tidak valid"}
    for role in ("siswa", "pegawai"):
        other = bearer(app, school_user(factory, role, f"9{role}"))
        for method, path in endpoints:
            response = getattr(client, method)(path, headers=other, json={"name": "Hacked"})
            assert response.status_code == 403, (role, method, path)
            assert response.json == {"success": False, "message": "Akses ditolak"}
    assert _classes(app) == [("X IPA 1", None)]


# --- CRUD -----------------------------------------------------------------------

def test_create_list_show_with_the_homeroom_teacher_object(app, client, teacher, headers):
    data = _create(client, headers, "X IPA 1", teacher.id)
    assert set(data) == CLASS_KEYS
    assert data["name"] == "X IPA 1" and data["homeroom_teacher_id"] == teacher.id
    assert set(data["homeroom_teacher"]) == USER_KEYS
    assert data["homeroom_teacher"]["nisn_nip_nik"] == "2001" and data["homeroom_teacher"]["role_id"] == 2
    assert data["created_at"].endswith("Z")
    _create(client, headers, "A Kelas")
    listed = client.get("/api/classes", headers=headers)
    assert listed.status_code == 200 and listed.json["success"] is True
    assert [c["name"] for c in listed.json["data"]] == ["A Kelas", "X IPA 1"]
    assert listed.json["data"][0]["homeroom_teacher"] is None
    shown = client.get(f"/api/classes/{data['id']}", headers=headers)
    assert shown.status_code == 200 and shown.json["data"] == data


def test_create_and_update_messages(client, factory, teacher, headers):
    other_teacher = school_user(factory, "kepsek", "2002", name="Citra Dewi")
    data = _create(client, headers, "XI IPS 1", teacher.id)
    response = client.put(f"/api/classes/{data['id']}", headers=headers,
                          json={"name": "XI IPS 1 - Updated", "homeroom_teacher_id": other_teacher.id})
    assert response.status_code == 200
    assert response.json["message"] == "Kelas berhasil diperbarui"
    assert response.json["data"]["name"] == "XI IPS 1 - Updated"
    assert response.json["data"]["homeroom_teacher"]["name"] == "Citra Dewi"
    cleared = client.put(f"/api/classes/{data['id']}", headers=headers, json={"homeroom_teacher_id": None})
    assert cleared.json["data"]["homeroom_teacher_id"] is None and cleared.json["data"]["homeroom_teacher"] is None
    assert cleared.json["data"]["name"] == "XI IPS 1 - Updated"


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": 5}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "Kelas", "homeroom_teacher_id": "abc"}, "homeroom_teacher_id"),
    ({"name": "Kelas", "homeroom_teacher_id": 999999}, "homeroom_teacher_id"),
])
def test_create_refuses_bad_fields_and_changes_nothing(app, client, headers, body, field):
    response = client.post("/api/classes", headers=headers, json=body)
    assert response.status_code == 422
    assert response.json["success"] is False and field in response.json["errors"]
    assert _classes(app) == []


def test_homeroom_teacher_must_be_guru_or_kepsek(app, client, factory, headers, students):
    response = client.post("/api/classes", headers=headers, json={"name": "X", "homeroom_teacher_id": students[0].id})
    assert response.status_code == 422
    assert response.json["errors"] == {"homeroom_teacher_id": ["The selected homeroom teacher id is invalid."]}
    assert _classes(app) == []


def test_class_name_is_unique_on_create_and_update(app, client, headers):
    _create(client, headers, "X IPA 1")
    second = _create(client, headers, "X IPA 2")
    response = client.post("/api/classes", headers=headers, json={"name": "x ipa 1"})
    assert response.status_code == 422 and response.json["errors"] == {"name": ["The name has already been taken."]}
    response = client.put(f"/api/classes/{second['id']}", headers=headers, json={"name": "X IPA 1"})
    assert response.status_code == 422 and "name" in response.json["errors"]
    assert _classes(app) == [("X IPA 1", None), ("X IPA 2", None)]
    same = client.put(f"/api/classes/{second['id']}", headers=headers, json={"name": "X IPA 2"})
    assert same.status_code == 200


def test_unknown_class_is_404_everywhere(client, headers):
    for method, path in (("get", "/api/classes/999"), ("put", "/api/classes/999"), ("delete", "/api/classes/999"),
                         ("get", "/api/classes/999/students"), ("post", "/api/classes/999/assign-students"),
                         ("post", "/api/classes/999/remove-students")):
        response = getattr(client, method)(path, headers=headers, json={"student_ids": [1], "academic_year": 2025})
        assert response.status_code == 404, (method, path)
        assert response.json == {"success": False, "message": "Kelas tidak ditemukan"}


def test_delete_removes_the_class_and_its_enrolments(app, client, headers, students):
    data = _create(client, headers)
    client.post(f"/api/classes/{data['id']}/assign-students", headers=headers,
                json={"student_ids": [students[0].id], "academic_year": 2025})
    response = client.delete(f"/api/classes/{data['id']}", headers=headers)
    assert response.status_code == 200 and response.json == {"success": True, "message": "Kelas berhasil dihapus"}
    assert _classes(app) == [] and _enrolments(app) == []
    assert client.get(f"/api/classes/{data['id']}", headers=headers).status_code == 404


# --- enrolments ----------------------------------------------------------------

def test_assign_students_and_list_them(app, client, teacher, headers, students):
    data = _create(client, headers, "X IPA 1", teacher.id)
    response = client.post(f"/api/classes/{data['id']}/assign-students", headers=headers,
                           json={"student_ids": [students[0].id, students[1].id], "academic_year": 2025})
    assert response.status_code == 200
    assert response.json["message"] == "2 siswa berhasil ditetapkan ke kelas"
    assert response.json["data"]["class"]["homeroom_teacher"]["id"] == teacher.id
    assigned = response.json["data"]["assigned_students"]
    assert [(a["student_id"], a["class_id"], a["academic_year"]) for a in assigned] == [
        (students[0].id, data["id"], 2025), (students[1].id, data["id"], 2025)]
    assert set(assigned[0]) == {"id", "student_id", "class_id", "academic_year", "created_at"}
    listed = client.get(f"/api/classes/{data['id']}/students", headers=headers)
    assert listed.status_code == 200
    assert set(listed.json["data"]["class"]) == CLASS_KEYS - {"homeroom_teacher"}
    got = listed.json["data"]["students"]
    assert [s["id"] for s in got] == [students[0].id, students[1].id]
    assert set(got[0]) == USER_KEYS | {"student_classes"}
    assert got[0]["student_classes"] == [assigned[0]]
    assert client.get(f"/api/classes/{data['id']}/students?academic_year=2024",
                      headers=headers).json["data"]["students"] == []
    assert client.get(f"/api/classes/{data['id']}/students?academic_year=abc", headers=headers).status_code == 422


def test_assigning_a_student_of_another_class_that_year_moves_them(app, client, headers, students):
    first, second = _create(client, headers, "X IPA 1"), _create(client, headers, "X IPA 2")
    client.post(f"/api/classes/{first['id']}/assign-students", headers=headers,
                json={"student_ids": [students[0].id], "academic_year": 2025})
    client.post(f"/api/classes/{first['id']}/assign-students", headers=headers,
                json={"student_ids": [students[0].id], "academic_year": 2024})
    response = client.post(f"/api/classes/{second['id']}/assign-students", headers=headers,
                           json={"student_ids": [students[0].id, students[0].id], "academic_year": 2025})
    assert response.status_code == 200 and response.json["message"] == "1 siswa berhasil ditetapkan ke kelas"
    assert _enrolments(app) == [(students[0].id, first["id"], 2024), (students[0].id, second["id"], 2025)]
    again = client.post(f"/api/classes/{second['id']}/assign-students", headers=headers,
                        json={"student_ids": [students[0].id], "academic_year": 2025})
    assert again.status_code == 200
    assert _enrolments(app) == [(students[0].id, first["id"], 2024), (students[0].id, second["id"], 2025)]


@pytest.mark.parametrize("body, field", [
    ({"academic_year": 2025}, "student_ids"),
    ({"student_ids": [], "academic_year": 2025}, "student_ids"),
    ({"student_ids": "1", "academic_year": 2025}, "student_ids"),
    ({"student_ids": ["x"], "academic_year": 2025}, "student_ids.0"),
    ({"student_ids": [999999], "academic_year": 2025}, "student_ids.0"),
    ({"student_ids": ["STUDENT"]}, "academic_year"),
    ({"student_ids": ["STUDENT"], "academic_year": "dua ribu"}, "academic_year"),
    ({"student_ids": ["STUDENT"], "academic_year": 1999}, "academic_year"),
])
def test_assign_and_remove_refuse_bad_bodies(app, client, headers, students, body, field):
    data = _create(client, headers)
    body = {k: ([students[0].id if x == "STUDENT" else x for x in v] if k == "student_ids" and isinstance(v, list)
                else v) for k, v in body.items()}
    for action in ("assign-students", "remove-students"):
        response = client.post(f"/api/classes/{data['id']}/{action}", headers=headers, json=body)
        assert response.status_code == 422, action
        assert field in response.json["errors"]
    assert _enrolments(app) == []


def test_only_students_can_be_assigned(app, client, teacher, headers, students):
    data = _create(client, headers)
    response = client.post(f"/api/classes/{data['id']}/assign-students", headers=headers,
                           json={"student_ids": [students[0].id, teacher.id], "academic_year": 2025})
    assert response.status_code == 422
    assert response.json["errors"] == {"student_ids.1": ["The selected student_ids.1 is invalid."]}
    assert _enrolments(app) == []


def test_remove_students_counts_only_enrolments_of_this_class_and_year(app, client, headers, students):
    first, second = _create(client, headers, "X IPA 1"), _create(client, headers, "X IPA 2")
    client.post(f"/api/classes/{first['id']}/assign-students", headers=headers,
                json={"student_ids": [students[0].id, students[1].id], "academic_year": 2025})
    client.post(f"/api/classes/{second['id']}/assign-students", headers=headers,
                json={"student_ids": [students[2].id], "academic_year": 2025})
    response = client.post(f"/api/classes/{first['id']}/remove-students", headers=headers,
                           json={"student_ids": [students[0].id, students[1].id, students[2].id],
                                 "academic_year": 2025})
    assert response.status_code == 200
    assert response.json["message"] == "2 siswa berhasil dihapus dari kelas"
    assert response.json["data"]["removed_count"] == 2
    assert response.json["data"]["class"]["id"] == first["id"]
    assert _enrolments(app) == [(students[2].id, second["id"], 2025)]
