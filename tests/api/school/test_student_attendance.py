"""Contract 002, section 5: student attendance by QR card or NISN, bulk, and class status."""
from datetime import date

import pytest

from app.extensions import db
from app.school.models import ClassEnrollment, SchoolClass, StudentAttendance, StudentQrCard

from .qr_helpers import png_b64
from .tokens import bearer, school_user

TODAY = date(2026, 1, 30)  # academic year 2025 (2025/2026)
POSITION = {"latitude": -6.2088, "longitude": 106.8456, "accuracy": 10}


@pytest.fixture(autouse=True)
def today(freeze_time):
    freeze_time(f"{TODAY}T10:00:00+07:00")
    return TODAY


@pytest.fixture
def teacher(factory):
    return school_user(factory, "guru", "2001", name="Budi Guru")


@pytest.fixture
def headers(app, teacher):
    return bearer(app, teacher)


@pytest.fixture
def school(app, factory):
    """A class with three enrolled students (2025) and an active card for the first; one outsider."""
    students = [school_user(factory, "siswa", f"10{n:02d}", name=f"Siswa {n}") for n in range(3)]
    outsider = school_user(factory, "siswa", "1099", name="Siswa Lain")
    with app.app_context():
        cls = SchoolClass(name="X IPA 1")
        db.session.add(cls)
        db.session.flush()
        for s in students:
            db.session.add(ClassEnrollment(class_id=cls.id, student_id=s.id, academic_year=2025))
        db.session.add(StudentQrCard(student_id=students[0].id, qr_code="ABC123XYZ0000000", is_active=True))
        db.session.add(StudentQrCard(student_id=students[1].id, qr_code="OLDCARD000000000", is_active=False))
        db.session.commit()
        class_id = cls.id
    return {"class_id": class_id, "students": students, "outsider": outsider}


def _rows(app):
    with app.app_context():
        return [(r.student_id, r.class_id, r.date, r.method) for r in
                db.session.scalars(db.select(StudentAttendance).order_by(StudentAttendance.id))]


def _scan(client, headers, school, **kw):
    body = {"class_id": school["class_id"], **POSITION, **kw}
    return client.post("/api/student-attendance/scan-qr", headers=headers, json=body)


# --- access -------------------------------------------------------------------

def test_student_attendance_needs_a_token(app, client, school):
    cid = school["class_id"]
    for method, path in (("post", "/api/student-attendance/scan-qr"), ("post", "/api/student-attendance/bulk"),
                         ("get", f"/api/student-attendance/class-status/{cid}")):
        response = getattr(client, method)(path, json={"class_id": cid, "qr_code": "ABC123XYZ0000000", **POSITION})
        assert response.status_code == 401 and response.json == {"success": False, "message": "Token tidak valid"}
    assert _rows(app) == []


@pytest.mark.parametrize("role", ["siswa", "pegawai", "mahasiswa"])
def test_a_student_cannot_record_another(app, client, factory, school, role):
    other = bearer(app, school_user(factory, role, "7777"))
    target = school["students"][1]
    assert _scan(client, other, school, nisn_nip_nik=target.nisn_nip_nik).status_code == 403
    assert _scan(client, other, school, qr_code="ABC123XYZ0000000").status_code == 403
    bulk = client.post("/api/student-attendance/bulk", headers=other, json={"class_id": school["class_id"]})
    assert bulk.status_code == 403 and bulk.json == {"success": False, "message": "Akses ditolak"}
    status = client.get(f"/api/student-attendance/class-status/{school['class_id']}", headers=other)
    assert status.status_code == 403
    assert _rows(app) == []


# --- scan-qr --------------------------------------------------------------------

def test_scan_by_qr_card_records_the_student(app, client, teacher, headers, school):
    student = school["students"][0]
    response = _scan(client, headers, school, qr_code="abc123xyz0000000")
    assert response.status_code == 200
    assert response.json == {"success": True, "message": "Absensi berhasil",
                             "student": {"id": student.id, "nisn_nip_nik": "1000", "name": "Siswa 0"}}
    assert _rows(app) == [(student.id, school["class_id"], TODAY, "qr_card")]
    with app.app_context():
        row = db.session.scalars(db.select(StudentAttendance)).one()
        assert row.recorded_by_id == teacher.id and row.latitude == -6.2088 and row.accuracy_m == 10
        assert row.photo_path is None


@pytest.mark.parametrize("role", ["kepsek", "admin"])
def test_scan_by_nisn_is_manual_and_open_to_principal_and_admin(app, client, factory, school, role):
    headers = bearer(app, school_user(factory, role, "5555"))
    student = school["students"][2]
    response = _scan(client, headers, school, nisn_nip_nik="1002")
    assert response.status_code == 200 and response.json["student"]["id"] == student.id
    assert _rows(app) == [(student.id, school["class_id"], TODAY, "manual")]


def test_once_per_student_per_day(app, client, headers, school):
    assert _scan(client, headers, school, qr_code="ABC123XYZ0000000").status_code == 200
    for again in ({"qr_code": "ABC123XYZ0000000"}, {"nisn_nip_nik": "1000"}):
        response = _scan(client, headers, school, **again)
        assert response.status_code == 409
        assert response.json == {"success": False, "message": "Siswa sudah diabsen hari ini"}
    assert len(_rows(app)) == 1


def test_scanning_an_inactive_or_unknown_card_is_refused(app, client, headers, school):
    response = _scan(client, headers, school, qr_code="OLDCARD000000000")
    assert response.status_code == 400
    assert response.json == {"success": False, "message": "QR card siswa tidak aktif"}
    response = _scan(client, headers, school, qr_code="NOSUCHCARD")
    assert response.status_code == 404 and response.json["message"] == "QR code siswa tidak ditemukan"
    assert _rows(app) == []


def test_a_replaced_card_stops_working(app, client, headers, school):
    student = school["students"][0]
    new = client.post("/api/student-qr-cards/generate", headers=headers, json={"student_id": student.id})
    assert new.status_code == 201
    assert _scan(client, headers, school, qr_code="ABC123XYZ0000000").status_code == 400
    assert _scan(client, headers, school, qr_code=new.json["data"]["qr_code"]).status_code == 200
    assert _rows(app) == [(student.id, school["class_id"], TODAY, "qr_card")]


def test_unknown_student_unenrolled_student_and_unknown_class(app, client, factory, headers, school):
    assert _scan(client, headers, school, nisn_nip_nik="0000").json == {
        "success": False, "message": "Siswa tidak ditemukan"}
    teacher2 = school_user(factory, "guru", "2222")
    assert _scan(client, headers, school, nisn_nip_nik=teacher2.nisn_nip_nik).status_code == 404
    response = _scan(client, headers, school, nisn_nip_nik="1099")
    assert response.status_code == 400 and response.json["message"] == "Siswa tidak terdaftar di kelas ini"
    response = client.post("/api/student-attendance/scan-qr", headers=headers,
                           json={"class_id": 999, "nisn_nip_nik": "1000", **POSITION})
    assert response.status_code == 404 and response.json["message"] == "Kelas tidak ditemukan"
    assert _rows(app) == []


@pytest.mark.parametrize("change, fields", [
    ({"qr_code": None}, {"qr_code", "nisn_nip_nik"}),
    ({"qr_code": ""}, {"qr_code", "nisn_nip_nik"}),
    ({"qr_code": ["x"]}, {"qr_code"}),
    ({"class_id": None}, {"class_id"}),
    ({"class_id": "satu"}, {"class_id"}),
    ({"latitude": None}, {"latitude"}),
    ({"latitude": "NaN"}, {"latitude"}),
    ({"latitude": float("nan")}, {"latitude"}),
    ({"longitude": "Infinity"}, {"longitude"}),
    ({"latitude": 91}, {"latitude"}),
    ({"longitude": -180.5}, {"longitude"}),
    ({"latitude": True}, {"latitude"}),
    ({"accuracy": -1}, {"accuracy"}),
    ({"accuracy": "inf"}, {"accuracy"}),
    ({"photo": "not base64!"}, {"photo"}),
    ({"photo": 12}, {"photo"}),
])
def test_scan_refuses_bad_fields_and_records_nothing(app, client, headers, school, change, fields):
    body = {"class_id": school["class_id"], "qr_code": "ABC123XYZ0000000", **POSITION}
    body.update(change)
    body = {k: v for k, v in body.items() if not (k == "class_id" and v is None)}
    response = client.post("/api/student-attendance/scan-qr", headers=headers, json=body)
    assert response.status_code == 422
    assert response.json["success"] is False and set(response.json["errors"]) == fields
    assert _rows(app) == []


def test_scan_stores_the_photo_as_a_file(app, client, headers, school, uploads):  # noqa: F811
    response = _scan(client, headers, school, nisn_nip_nik="1001", photo="data:image/png;base64," + png_b64())
    assert response.status_code == 200
    with app.app_context():
        row = db.session.scalars(db.select(StudentAttendance)).one()
        assert row.photo_path.startswith("student-attendance/2026/01/") and row.photo_path.endswith(".png")
        assert (uploads / row.photo_path).is_file()


# --- bulk and class status ----------------------------------------------------------

def test_bulk_marks_everyone_not_yet_present(app, client, headers, school):
    s = school["students"]
    _scan(client, headers, school, nisn_nip_nik="1001")
    response = client.post("/api/student-attendance/bulk", headers=headers, json={"class_id": school["class_id"]})
    assert response.status_code == 200 and response.json["message"] == "Absensi massal berhasil diproses"
    data = response.json["data"]
    assert (data["class_id"], data["date"]) == (school["class_id"], "2026-01-30")
    assert (data["total_students"], data["already_attended"], data["newly_attended"]) == (3, 1, 2)
    assert [(p["id"], p["nisn_nip_nik"], p["attended"], p["newly_attended"]) for p in data["processed_students"]] == [
        (s[0].id, "1000", False, True), (s[1].id, "1001", True, False), (s[2].id, "1002", False, True)]
    again = client.post("/api/student-attendance/bulk", headers=headers,
                        json={"class_id": school["class_id"], "date": "2026-01-30"}).json["data"]
    assert (again["total_students"], again["already_attended"], again["newly_attended"]) == (3, 3, 0)
    rows = _rows(app)
    assert len(rows) == 3 and sorted(r[3] for r in rows) == ["bulk", "bulk", "manual"]
    assert school["outsider"].id not in {r[0] for r in rows}


def test_bulk_for_a_past_date_and_its_errors(app, client, headers, school):
    past = client.post("/api/student-attendance/bulk", headers=headers,
                       json={"class_id": school["class_id"], "date": "2026-01-29"})
    assert past.status_code == 200 and past.json["data"]["newly_attended"] == 3
    assert {r[2] for r in _rows(app)} == {date(2026, 1, 29)}
    for body, field in (({}, "class_id"), ({"class_id": "x"}, "class_id"),
                        ({"class_id": school["class_id"], "date": "2026-01-31"}, "date"),
                        ({"class_id": school["class_id"], "date": "30-01-2026"}, "date"),
                        ({"class_id": school["class_id"], "date": "2026-02-30"}, "date")):
        response = client.post("/api/student-attendance/bulk", headers=headers, json=body)
        assert response.status_code == 422 and field in response.json["errors"], body
    missing = client.post("/api/student-attendance/bulk", headers=headers, json={"class_id": 999})
    assert missing.status_code == 404
    assert len(_rows(app)) == 3


def test_class_status_lists_every_enrolled_student(app, client, headers, school):
    s = school["students"]
    _scan(client, headers, school, qr_code="ABC123XYZ0000000")
    response = client.get(f"/api/student-attendance/class-status/{school['class_id']}", headers=headers)
    assert response.status_code == 200
    assert response.json == {"success": True, "data": [
        {"id": s[0].id, "nisn_nip_nik": "1000", "name": "Siswa 0", "attended": True},
        {"id": s[1].id, "nisn_nip_nik": "1001", "name": "Siswa 1", "attended": False},
        {"id": s[2].id, "nisn_nip_nik": "1002", "name": "Siswa 2", "attended": False}]}
    earlier = client.get(f"/api/student-attendance/class-status/{school['class_id']}?date=2026-01-29", headers=headers)
    assert [p["attended"] for p in earlier.json["data"]] == [False, False, False]
    other_year = client.get(f"/api/student-attendance/class-status/{school['class_id']}?date=2025-06-30",
                            headers=headers)
    assert other_year.json["data"] == []
    assert client.get(f"/api/student-attendance/class-status/{school['class_id']}?date=kemarin",
                      headers=headers).status_code == 422
    assert client.get("/api/student-attendance/class-status/999", headers=headers).status_code == 404
