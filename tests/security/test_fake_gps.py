"""Fake GPS through every dialect that takes a position: held for review, never lost.

The three cases measured on the old code, each through HTTP:

- a check-in reporting ``accuracy: 0`` (what mock-location apps send);
- a check-in in Jakarta and a check-out in Bandung (≈ 116 km) one second later;
- a check-in naming an office the person is not assigned to (mobile ``branch_id``,
  clinic ``work_location_id``; the school's QR token is bound to the person's own
  location, so the school app cannot name another one).

Each is answered with the dialect's normal success and its pending indication
(mobile ``status: pending_review`` + ``reason``, clinic ``requires_review`` +
``review_reason``, school ``needs_review`` + ``review_reason``, offline sync of both
``requires_review``/``review_state``), the event is in the database with every
reason and its figures, and an honest position at the office stays unflagged.
The face app (contract 003) and the kiosk send no position: nothing to judge.
"""
from __future__ import annotations

import pytest

from app.accounts.api_tokens import issue_token
from app.accounts.models import User
from app.attendance.models import AttendanceEvent
from app.extensions import db
from app.system.settings import update_setting
from tests.conftest import PASSWORD

JAKARTA = {"latitude": -6.2088, "longitude": 106.8456}          # the office 0001 (radius 100 m)
NEAR_JAKARTA = {"latitude": -6.2090, "longitude": 106.8457}     # ≈ 25 m from its centre: GPS jitter
BANDUNG = {"latitude": -6.9175, "longitude": 107.6191}          # the office 0002 (radius 150 m), ≈ 116 km away
T_IN = "2026-01-30T07:45:00+07:00"
T_IN_PLUS_1S = "2026-01-30T07:45:01+07:00"


@pytest.fixture
def offices(factory):
    # Check-in 07:00-09:00 and check-out from 07:30, so a check-out can follow a check-in by a second.
    factory.schedule(check_in=("07:00", "09:00"), check_out=("07:30", "18:00"))
    return {"jakarta": factory.office(),
            "bandung": factory.office(code="0002", name="Kantor Cabang Bandung", lat=BANDUNG["latitude"],
                                      lon=BANDUNG["longitude"], radius=150)}


@pytest.fixture
def person(factory, offices):
    """An employee of the Jakarta office (NPP for the phone app, NIP for the school app)."""
    return factory.user(role="pegawai", npp="10001", email="andi@hadir.test", nisn_nip_nik="197001012000",
                        office=offices["jakarta"], name="Andi Pratama")


def _events(app) -> list[AttendanceEvent]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(AttendanceEvent).order_by(AttendanceEvent.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


# --- mobile (contract 001) -----------------------------------------------------------------

@pytest.fixture
def mobile(client, person):
    r = client.post("/api/login", json={"npp": "10001", "password": PASSWORD, "device_id": "phone-1"})
    assert r.status_code == 200, r.json
    headers = {"Authorization": f"Bearer {r.json['access_token']}"}

    def send(path, **body):
        return client.post(f"/api/{path}", json=body, headers=headers)

    return send


def _mobile_pending(response, reason):
    assert response.status_code == 200, response.json
    assert response.json["rcode"] == "00"
    assert response.json["data"]["status"] == "pending_review" and response.json["data"]["reason"] == reason


def test_mobile_accuracy_zero(app, mobile, freeze_time):
    freeze_time(T_IN)
    response = mobile("absenmasuk", **JAKARTA, accuracy=0)
    _mobile_pending(response, "implausible_accuracy")
    assert response.json["message"] == "Check-in recorded, awaiting review"
    [event] = _events(app)
    assert event.review_state == "pending" and event.flag_details == [
        {"reason": "implausible_accuracy", "accuracy_m": 0.0, "floor_m": 1.0}]


def test_mobile_jakarta_then_bandung_one_second_later(app, mobile, freeze_time):
    freeze_time(T_IN)
    first = mobile("absenmasuk", **JAKARTA, accuracy=8)
    assert first.json["data"]["status"] == "accepted"
    freeze_time(T_IN_PLUS_1S)
    second = mobile("absenpulang", **BANDUNG, accuracy=8)
    _mobile_pending(second, "impossible_travel")
    check_in, check_out = _events(app)
    assert check_out.flag_reasons == ["impossible_travel", "outside_geofence"]
    assert check_out.flag_details[0]["elapsed_s"] == 1.0 and check_out.flag_details[0]["distance_m"] > 115_000


def test_mobile_branch_id_of_another_office(app, mobile, freeze_time):
    freeze_time(T_IN)
    response = mobile("absenmasuk", **BANDUNG, accuracy=8, branch_id="0002")
    _mobile_pending(response, "wrong_office")
    [event] = _events(app)
    assert event.flag_reasons == ["wrong_office"]  # inside the Bandung geofence: only the office is wrong


def test_mobile_branch_id_of_another_office_refused_by_setting(app, mobile, freeze_time):
    with app.app_context():
        update_setting("wrong_office_policy", "refuse")
        db.session.commit()
    freeze_time(T_IN)
    response = mobile("absenmasuk", **BANDUNG, accuracy=8, branch_id="0002")
    assert response.status_code == 400
    assert response.json == {"rcode": "83", "message": "You are not assigned to this office"}
    assert _events(app) == []


def test_mobile_jitter_at_ones_own_office_is_not_flagged(app, mobile, freeze_time):
    freeze_time(T_IN)
    assert mobile("absenmasuk", **JAKARTA, accuracy=12, branch_id="0001").json["data"]["status"] == "accepted"
    freeze_time(T_IN_PLUS_1S)
    assert mobile("absenpulang", **NEAR_JAKARTA, accuracy=9, branch_id="0001").json["data"]["status"] == "accepted"
    assert [e.review_state for e in _events(app)] == ["not_required", "not_required"]


# --- clinic (contract 000) -----------------------------------------------------------------

@pytest.fixture
def clinic(client, factory, offices):
    factory.user(role="paramedis", npp="30002", email="bambang@hadir.test", office=offices["jakarta"],
                 name="Bambang Prasetyo")
    r = client.post("/api/v2/auth/login", json={"email": "bambang@hadir.test", "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    headers = {"Authorization": f"Bearer {r.get_json()['data']['token']}"}

    def send(path, **body):
        return client.post(f"/api/v2/{path}", json=body, headers=headers)

    return send


def _clinic_pending(response, sentence):
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["success"] is True and body["message"].endswith("recorded, awaiting review")
    assert body["data"]["requires_review"] is True and sentence in body["data"]["review_reason"]
    return body["data"]


def test_clinic_accuracy_zero(app, clinic, freeze_time):
    freeze_time(T_IN)
    _clinic_pending(clinic("attendance/checkin", **JAKARTA, accuracy=0),
                    "The reported GPS accuracy is not plausible.")
    [event] = _events(app)
    assert event.flag_reason == "implausible_accuracy"


def test_clinic_jakarta_then_bandung_one_second_later(app, clinic, freeze_time):
    freeze_time(T_IN)
    assert clinic("attendance/checkin", **JAKARTA, accuracy=8).get_json()["data"]["requires_review"] is False
    freeze_time(T_IN_PLUS_1S)
    data = _clinic_pending(clinic("attendance/checkout", **BANDUNG, accuracy=8),
                           "Your position is too far from your previous attendance")
    assert data["review_reason"].endswith("Your position is outside the work location's area.")
    assert _events(app)[1].flag_reasons == ["impossible_travel", "outside_geofence"]


def test_clinic_work_location_of_another_office(app, clinic, freeze_time, offices):
    freeze_time(T_IN)
    data = _clinic_pending(clinic("attendance/checkin", **BANDUNG, accuracy=8,
                                  work_location_id=offices["bandung"].id),
                           "You are not assigned to this work location.")
    assert data["location"]["id"] == offices["bandung"].id and data["location"]["distance_meters"] == 0.0
    assert _events(app)[0].flag_reasons == ["wrong_office"]


def test_clinic_jitter_at_ones_own_office_is_not_flagged(app, clinic, freeze_time, offices):
    freeze_time(T_IN)
    clinic("attendance/checkin", **JAKARTA, accuracy=12, work_location_id=offices["jakarta"].id)
    freeze_time(T_IN_PLUS_1S)
    assert clinic("attendance/checkout", **NEAR_JAKARTA, accuracy=9).get_json()["data"]["requires_review"] is False
    assert [e.review_state for e in _events(app)] == ["not_required", "not_required"]


def test_clinic_offline_sync_keeps_the_travel_reason(app, clinic, freeze_time):
    freeze_time("2026-01-30T17:00:00+07:00")
    response = clinic("offline/sync-attendance", offline_records=[
        {"local_id": "a", "action": "checkin", "timestamp": "2026-01-30T00:45:00Z", **JAKARTA, "accuracy": 8},
        {"local_id": "b", "action": "checkout", "timestamp": "2026-01-30T00:45:01Z", **BANDUNG, "accuracy": 8}])
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["data"]["results"]
    assert [r["status"] for r in results] == ["synced", "synced"]
    assert all(r["requires_review"] and r["review_reason"] == "offline" for r in results)
    check_in, check_out = _events(app)
    assert check_in.flag_reasons == ["offline"]
    assert check_out.flag_reasons == ["offline", "impossible_travel", "outside_geofence"]


# --- school (contract 002) -----------------------------------------------------------------

@pytest.fixture
def school(app, client, person):
    with app.app_context():
        token, _row = issue_token(db.session.get(User, person.id), "school")
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def send(path, **body):
        if path.startswith("attendance/"):
            qr = client.get("/api/qrcode/dynamic", headers=headers)
            assert qr.status_code == 200, qr.json
            body["qr_token"] = qr.json["data"]["token"]
        return client.post(f"/api/{path}", json=body, headers=headers)

    return send


def _school_pending(response, reason_code, words):
    assert response.status_code == 200, response.json
    assert response.json["success"] is True
    assert response.json["data"]["needs_review"] is True and response.json["data"]["review_reason"] == reason_code
    assert words in response.json["message"] and "menunggu verifikasi admin" in response.json["message"]


def test_school_accuracy_zero(app, school, freeze_time):
    freeze_time(T_IN)
    _school_pending(school("attendance/checkin", **JAKARTA, accuracy=0), "implausible_accuracy",
                    "akurasi lokasi yang dilaporkan tidak wajar")
    assert _events(app)[0].review_state == "pending"


def test_school_jakarta_then_bandung_one_second_later(app, school, freeze_time):
    freeze_time(T_IN)
    assert school("attendance/checkin", **JAKARTA, accuracy=8).json["data"]["needs_review"] is False
    freeze_time(T_IN_PLUS_1S)
    _school_pending(school("attendance/checkout", **BANDUNG, accuracy=8), "impossible_travel",
                    "lokasi terlalu jauh dari absen sebelumnya untuk selang waktunya; lokasi Anda di luar area absensi")


def test_school_jitter_at_the_office_is_not_flagged(app, school, freeze_time):
    freeze_time(T_IN)
    assert school("attendance/checkin", **JAKARTA, accuracy=12).json["data"]["needs_review"] is False
    freeze_time(T_IN_PLUS_1S)
    assert school("attendance/checkout", **NEAR_JAKARTA, accuracy=9).json["data"]["needs_review"] is False


def test_school_offline_sync_keeps_the_accuracy_reason(app, school, freeze_time, person):
    freeze_time("2026-01-30T17:00:00+07:00")
    response = school("offline-sync/process-attendance", attendances=[
        {"user_id": person.id, "type": "checkin", "timestamp": "2026-01-30 07:45:00", **JAKARTA, "accuracy": 0}])
    assert response.status_code == 200, response.json
    assert response.json["data"]["processed_count"] == 1
    [event] = _events(app)
    assert event.review_state == "pending" and event.flag_reasons == ["offline", "implausible_accuracy"]
