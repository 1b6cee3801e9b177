"""Contract 003, "Attendance": POST /api/attendance (face verified 1:1) and GET /api/attendance.

Real photos: ``enroll/obama`` is the person's enrolment; ``probe/obama-480p.jpg``
must be accepted, Biden's photo must be refused, and so must photos with no
face or several faces.
"""
from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image

from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db
from app.faces.models import FaceEnrolmentRequest, FaceSample, FailedFaceCheckIn

from .conftest import API, FACES, b64, login

PROBE = FACES / "probe"
OBAMA = PROBE / "obama-480p.jpg"
BIDEN = FACES / "enroll" / "biden" / "biden.jpg"


def _events(app):
    with app.app_context():
        return list(db.session.scalars(db.select(AttendanceEvent).order_by(AttendanceEvent.id)))


def _jpeg(color=(200, 180, 160), size=(320, 240)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_an_enrolled_face_checks_in_once_a_day(app, client, all_day, enrolled_obama, uploads):
    login(client, "obama@example.test")
    response = client.post(f"{API}/attendance", json={"image": b64(OBAMA, data_url=True)})
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["message"] == "Absensi berhasil dicatat"
    assert list(data["attendance"]) == ["id", "userId", "timestamp", "status"]
    assert data["attendance"]["userId"] == str(enrolled_obama.id)
    assert data["attendance"]["status"] == "success"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", data["attendance"]["timestamp"])
    (event,) = _events(app)
    assert (event.kind, event.source, str(event.id)) == ("check_in", "face", data["attendance"]["id"])
    # the verified image is kept as a file, never as base64 in the database
    assert event.photo_path and (uploads / event.photo_path).read_bytes() == OBAMA.read_bytes()

    again = client.post(f"{API}/attendance", json={"image": b64(OBAMA)})
    assert again.status_code == 409
    assert again.get_json() == {"message": "Anda sudah absen hari ini"}
    assert len(_events(app)) == 1

    listed = client.get(f"{API}/attendance")
    assert listed.status_code == 200
    (record,) = listed.get_json()["records"]
    assert list(record) == ["id", "userId", "timestamp", "status", "created_at"]
    assert record["id"] == data["attendance"]["id"] and record["status"] == "success"


def _encodings():
    small = (PROBE / "obama_small.jpg").read_bytes()  # its length is not a multiple of 3: the text has padding
    assert base64.b64encode(small).endswith(b"=")
    standard = base64.b64encode(small).decode()
    return {
        "bare": standard,  # contract 003's example: "image": "base64_image_data"
        "bare without padding": standard.rstrip("="),
        "url-safe alphabet": base64.urlsafe_b64encode(small).decode().rstrip("="),
        "MIME lines": base64.encodebytes(small).decode(),
        "data URL": "data:image/jpeg;base64," + standard,
        "data URL with parameters": "data:image/jpeg;charset=binary;base64," + standard,
    }


@pytest.mark.parametrize("form", list(_encodings()))
def test_the_image_may_be_bare_base64_in_any_common_form(app, client, all_day, enrolled_obama, form):
    login(client, "obama@example.test")
    response = client.post(f"{API}/attendance", json={"image": _encodings()[form]})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["attendance"]["status"] == "success"
    assert len(_events(app)) == 1


def _failures(app):
    with app.app_context():
        return list(db.session.scalars(db.select(FailedFaceCheckIn).order_by(FailedFaceCheckIn.id)))


def _days(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(DailyAttendance.id)))


def test_someone_elses_face_is_recorded_as_failed(app, client, all_day, enrolled_obama, uploads):
    """Contract 003: a face that does not match is recorded with ``status: "failed"`` (201) and is
    not attendance; the person sees it in their list; the stranger's photo is kept as evidence."""
    login(client, "obama@example.test")
    response = client.post(f"{API}/attendance", json={"image": b64(BIDEN)})
    assert response.status_code == 201
    data = response.get_json()
    assert data["message"] == "Absensi gagal: wajah tidak cocok"
    assert list(data["attendance"]) == ["id", "userId", "timestamp", "status"]
    assert data["attendance"]["status"] == "failed" and data["attendance"]["userId"] == str(enrolled_obama.id)
    assert _events(app) == [] and _days(app) == 0  # not attendance
    (failure,) = _failures(app)
    assert failure.reason == "not_matched" and failure.distance > 0.6
    assert (uploads / failure.photo_path).read_bytes() == BIDEN.read_bytes()
    (record,) = client.get(f"{API}/attendance").get_json()["records"]
    assert record["id"] == data["attendance"]["id"] == f"failed-{failure.id}" and record["status"] == "failed"
    # a failed attempt does not use up the day: the right face checks in after it
    retry = client.post(f"{API}/attendance", json={"image": b64(OBAMA)})
    assert retry.status_code == 201 and retry.get_json()["attendance"]["status"] == "success"
    listed = client.get(f"{API}/attendance").get_json()["records"]
    assert [r["status"] for r in listed] == ["success", "failed"]


def test_photos_without_a_face_or_with_several_are_recorded_as_failed(app, client, all_day, enrolled_obama):
    login(client, "obama@example.test")
    response = client.post(f"{API}/attendance", json={"image": _jpeg()})
    assert response.status_code == 201
    assert response.get_json()["message"] == "Absensi gagal: wajah tidak terdeteksi"
    assert response.get_json()["attendance"]["status"] == "failed"
    response = client.post(f"{API}/attendance", json={"image": b64(PROBE / "two_people.jpg")})
    assert response.status_code == 201
    assert response.get_json()["message"].startswith("Absensi gagal: terdeteksi lebih dari satu wajah")
    assert _events(app) == [] and _days(app) == 0
    assert [(f.reason, f.photo_path) for f in _failures(app)] == [("no_face", None), ("several_faces", None)]
    assert [r["status"] for r in client.get(f"{API}/attendance").get_json()["records"]] == ["failed", "failed"]


def test_failed_attempts_count_nowhere(app, client, all_day, enrolled_obama, admin):
    """Nothing of a failed attempt counts: no attendance day (what every report counts), and not in
    the admin's list of users."""
    login(client, "obama@example.test")
    assert client.post(f"{API}/attendance", json={"image": b64(BIDEN)}).get_json()["attendance"]["status"] == "failed"
    assert _days(app) == 0
    client.post(f"{API}/logout")
    login(client, "admin@example.test")
    users = {u["email"]: u for u in client.get(f"{API}/users").get_json()["users"]}
    assert users["obama@example.test"]["attendance_count"] == 0


def test_a_person_without_enrolment_checks_in_and_waits_with_their_first_photo(app, client, all_day, person, uploads):
    """No enrolled face: the photo becomes a pending enrolment and the check-in is recorded (201), held
    for review beside it — not a status outside the contract, and no face enrolled by a password."""
    login(client, "obama@example.test")
    response = client.post(f"{API}/attendance", json={"image": b64(OBAMA)})
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["message"].startswith("Absensi berhasil dicatat. Wajah Anda belum terdaftar")
    assert data["attendance"]["status"] == "success"
    (event,) = _events(app)
    assert (event.review_state, event.flag_reason, str(event.id)) == ("pending", "face_not_enrolled",
                                                                      data["attendance"]["id"])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FaceSample.id))) == 0  # nothing enrolled yet
        (pending,) = db.session.scalars(db.select(FaceEnrolmentRequest))
        assert (pending.user_id, pending.status) == (person.id, "pending")
        assert (uploads / pending.photo_path).read_bytes() == OBAMA.read_bytes()
        assert db.session.scalar(db.select(DailyAttendance.status)) == "pending_review"
    assert client.get(f"{API}/attendance").get_json()["records"][0]["status"] == "success"
    assert client.post(f"{API}/attendance", json={"image": b64(OBAMA)}).status_code == 409


def test_until_decided_later_check_ins_are_compared_with_the_pending_photo(app, client, all_day, person, freeze_time):
    freeze_time("2026-02-02T07:30+07:00")
    login(client, "obama@example.test")
    assert client.post(f"{API}/attendance", json={"image": b64(OBAMA)}).status_code == 201
    freeze_time("2026-02-03T07:30+07:00")
    stranger = client.post(f"{API}/attendance", json={"image": b64(BIDEN)}).get_json()
    assert stranger["attendance"]["status"] == "failed" and stranger["message"] == "Absensi gagal: wajah tidak cocok"
    same = client.post(f"{API}/attendance", json={"image": b64(PROBE / "obama_small.jpg")})
    assert same.status_code == 201 and same.get_json()["message"].startswith("Absensi berhasil dicatat. Wajah")
    events = _events(app)
    assert [(e.work_date.isoformat(), e.review_state, e.flag_reason) for e in events] == [
        ("2026-02-02", "pending", "face_not_enrolled"), ("2026-02-03", "pending", "face_not_enrolled")]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FaceEnrolmentRequest.id))) == 1  # one photo waits


def test_enrol_on_first_use_when_the_deployment_allows_it(app, client, all_day, person, monkeypatch, freeze_time):
    monkeypatch.setitem(app.config, "FACE_ENROL_ON_FIRST_USE", True)
    freeze_time("2026-02-02T07:30+07:00")
    login(client, "obama@example.test")
    response = client.post(f"{API}/attendance", json={"image": b64(OBAMA)})
    assert response.status_code == 201
    assert response.get_json()["message"] == "Absensi berhasil dicatat"
    (event,) = _events(app)
    assert event.review_state == "not_required"
    with app.app_context():
        (sample,) = db.session.scalars(db.select(FaceSample))
        assert sample.user_id == person.id and sample.created_by_id == person.id  # a self-enrolment
        assert db.session.scalar(db.select(db.func.count(FaceEnrolmentRequest.id))) == 0
    # the sample is now the reference: another day, someone else's face fails
    freeze_time("2026-02-03T07:30+07:00")
    response = client.post(f"{API}/attendance", json={"image": b64(BIDEN)})
    assert response.status_code == 201
    assert response.get_json()["attendance"]["status"] == "failed"


def test_missing_image_400(client, all_day, enrolled_obama):
    login(client, "obama@example.test")
    for payload in ({}, {"image": ""}, {"image": None}, {"image": 12}, {"image": ["a"]}, {"image": float("nan")}):
        response = client.post(f"{API}/attendance", json=payload)
        assert response.status_code == 400, payload
        assert response.get_json() == {"message": "Image tidak ditemukan"}


@pytest.mark.parametrize("image", ["not base64 at all!", base64.b64encode(b"GIF89a not really").decode(),
                                   base64.b64encode(b"%PDF-1.4 hello").decode()])
def test_not_an_image_400(app, client, all_day, enrolled_obama, image):
    login(client, "obama@example.test")
    response = client.post(f"{API}/attendance", json={"image": image})
    assert response.status_code == 400
    assert response.get_json()["message"].startswith("Image tidak valid")
    assert _events(app) == []


def test_huge_images_are_refused(app, client, all_day, enrolled_obama):
    from tests.faces.conftest import png_header

    login(client, "obama@example.test")
    # over the request limit (3 MB): refused before anything is parsed
    response = client.post(f"{API}/attendance", json={"image": "A" * (4 * 1024 * 1024)})
    assert response.status_code == 413
    assert response.get_json() == {"message": "Ukuran permintaan terlalu besar"}
    # a tiny file claiming 30000×30000 pixels: refused from its header
    response = client.post(f"{API}/attendance", json={"image": base64.b64encode(png_header(30000, 30000)).decode()})
    assert response.status_code == 413
    assert response.get_json() == {"message": "Ukuran image terlalu besar"}
    assert _events(app) == []


def test_attendance_needs_a_login(client, all_day):
    assert client.post(f"{API}/attendance", json={"image": "x"}).get_json() == {"message": "Anda belum login"}
    response = client.get(f"{API}/attendance")
    assert response.status_code == 401
    assert response.get_json() == {"message": "Anda belum login"}


def test_attendance_body_must_be_json(client, all_day, enrolled_obama):
    login(client, "obama@example.test")
    response = client.post(f"{API}/attendance", data={"image": b64(OBAMA)})
    assert response.status_code == 415


def test_no_schedule_or_closed_window_refuses_before_any_face_work(app, client, factory, enrolled_obama, freeze_time):
    """Refused before any face work, so nothing is recorded, not even a failed attempt."""
    login(client, "obama@example.test")
    response = client.post(f"{API}/attendance", json={"image": b64(OBAMA)})
    assert response.status_code == 400
    assert response.get_json() == {"message": "Jadwal absensi belum diatur"}
    factory.schedule(check_in=("00:00", "00:01"), check_out=("23:58", "23:59"), late_after="00:01")
    freeze_time("2026-01-30T12:00:00+07:00")
    response = client.post(f"{API}/attendance", json={"image": b64(OBAMA)})
    assert response.status_code == 400
    assert response.get_json() == {"message": "Di luar waktu absensi"}
    assert _events(app) == [] and _failures(app) == []


def test_the_list_shows_only_own_check_ins_newest_first(app, client, all_day, enrolled_obama, factory):
    from datetime import date, datetime, timezone

    someone = factory.user(email="someone@example.test")
    with app.app_context():
        for user_id, day, hour, kind, state in ((enrolled_obama.id, date(2026, 1, 5), 1, "check_in", "not_required"),
                                                (enrolled_obama.id, date(2026, 1, 5), 10, "check_out", "not_required"),
                                                (enrolled_obama.id, date(2026, 1, 6), 1, "check_in", "rejected"),
                                                (someone.id, date(2026, 1, 6), 1, "check_in", "not_required")):
            db.session.add(AttendanceEvent(user_id=user_id, kind=kind, work_date=day, source="mobile_gps",
                                           occurred_at=datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc),
                                           review_state=state))
        db.session.commit()
    login(client, "obama@example.test")
    records = client.get(f"{API}/attendance").get_json()["records"]
    assert [(r["timestamp"], r["status"]) for r in records] == [("2026-01-06T01:00:00Z", "failed"),
                                                                 ("2026-01-05T01:00:00Z", "success")]
    assert {r["userId"] for r in records} == {str(enrolled_obama.id)}


def test_the_switches_come_from_the_environment(app, monkeypatch, tmp_path):
    from app.api.face import settings
    from app.config import load_config

    with app.test_request_context():
        assert settings.enrol_on_first_use() is False and settings.allowed_origins() == []
    monkeypatch.setenv("FACE_ENROL_ON_FIRST_USE", "yes")
    monkeypatch.setenv("FACE_ALLOWED_ORIGINS", "https://a.example, https://b.example")
    config = load_config(tmp_path)
    assert config["FACE_ENROL_ON_FIRST_USE"] is True
    assert config["FACE_ALLOWED_ORIGINS"] == ["https://a.example", "https://b.example"]
    monkeypatch.setitem(app.config, "FACE_ENROL_ON_FIRST_USE", config["FACE_ENROL_ON_FIRST_USE"])
    monkeypatch.setitem(app.config, "FACE_ALLOWED_ORIGINS", config["FACE_ALLOWED_ORIGINS"])
    with app.test_request_context():
        assert settings.enrol_on_first_use() is True
        assert settings.allowed_origins() == ["https://a.example", "https://b.example"]
