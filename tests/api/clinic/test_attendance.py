"""Contract 000 "Attendance Endpoints": check-in, check-out, today, history, statistics."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db

from .conftest import BASE, assert_envelope, auth

NEAR = {"latitude": -6.2089, "longitude": 106.8456, "accuracy": 10.5}  # ~11 m from the office
FAR = {"latitude": -6.2200, "longitude": 106.8456, "accuracy": 8.0}  # ~1.2 km away


@pytest.fixture
def setup(factory, staff, login):
    office = factory.office()
    factory.schedule()
    user = staff(role="paramedis", office=office)
    return {"office": office, "user": user, "token": login(user)}


def test_check_in_records_the_shared_attendance(client, setup, freeze_time, app):
    freeze_time("2026-01-30T08:15+07:00")
    response = client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]), json={
        **NEAR, "work_location_id": setup["office"].id,
        "device_info": {"device_id": "dev-1", "device_type": "ios", "app_version": "1.0.0"}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert_envelope(body, success=True)
    assert body["message"] == "Check-in successful"
    data = body["data"]
    assert data["date"] == "2026-01-30" and data["time_in"] == "08:15:00" and data["status"] == "checked_in"
    assert data["location"]["name"] == "Kantor Pusat Jakarta"
    assert 10 < data["location"]["distance_meters"] < 12.5
    assert data["requires_review"] is False and data["late_minutes"] == 15
    with app.app_context():
        event = db.session.scalar(db.select(AttendanceEvent))
        assert (event.source, event.kind, event.device_id) == ("mobile_gps", "check_in", "dev-1")
        assert db.session.get(DailyAttendance, data["id"]).user_id == setup["user"].id


def test_check_in_outside_the_geofence_is_recorded_for_review(client, setup, freeze_time):
    freeze_time("2026-01-30T08:00+07:00")
    response = client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]), json=FAR)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["requires_review"] is True and data["review_reason"]
    assert 1100 < data["location"]["distance_meters"] < 1300
    assert response.get_json()["message"] == "Check-in recorded, awaiting review"


def test_second_check_in_and_refusals(client, setup, freeze_time):
    freeze_time("2026-01-30T08:00+07:00")
    headers = auth(setup["token"])
    assert client.post(f"{BASE}/attendance/checkin", headers=headers, json=NEAR).status_code == 200
    response = client.post(f"{BASE}/attendance/checkin", headers=headers, json=NEAR)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"attendance": ["You have already checked in today."]}


def test_check_in_outside_the_window(client, setup, freeze_time):
    freeze_time("2026-01-30T05:00+07:00")
    response = client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]), json=NEAR)
    assert response.status_code == 422
    assert "attendance" in response.get_json()["errors"]


def test_check_in_without_active_schedule(client, factory, staff, login, freeze_time):
    user = staff(office=factory.office())
    freeze_time("2026-01-30T08:00+07:00")
    response = client.post(f"{BASE}/attendance/checkin", headers=auth(login(user)), json=NEAR)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"attendance": ["No work schedule is active."]}


def test_work_location_must_exist(client, setup, freeze_time):
    freeze_time("2026-01-30T08:00+07:00")
    headers = auth(setup["token"])
    for location_id in (99999, "x"):
        response = client.post(f"{BASE}/attendance/checkin", headers=headers,
                               json={**NEAR, "work_location_id": location_id})
        assert response.status_code == 422
        assert "work_location_id" in response.get_json()["errors"]


def test_a_work_location_not_ones_own_waits_for_review(client, setup, factory, freeze_time, app):
    other = factory.office(code="0002", name="Klinik Cabang")  # same place, another office
    freeze_time("2026-01-30T08:00+07:00")
    response = client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]),
                           json={**NEAR, "work_location_id": other.id})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["message"] == "Check-in recorded, awaiting review"
    assert body["data"]["requires_review"] is True and body["data"]["location"]["id"] == other.id
    assert body["data"]["review_reason"] == "You are not assigned to this work location."
    with app.app_context():
        event = db.session.scalar(db.select(AttendanceEvent))
        assert (event.review_state, event.flag_reason) == ("pending", "wrong_office")


def test_a_work_location_not_ones_own_is_refused_when_the_setting_says_so(client, setup, factory, freeze_time, app):
    from app.system.settings import update_setting

    with app.app_context():
        update_setting("wrong_office_policy", "refuse")
        db.session.commit()
    other = factory.office(code="0002", name="Klinik Cabang")
    freeze_time("2026-01-30T08:00+07:00")
    response = client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]),
                           json={**NEAR, "work_location_id": other.id})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"work_location_id": ["You are not assigned to this work location."]}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 0


@pytest.mark.parametrize("raw, field", [
    ('{"latitude": NaN, "longitude": 106.8}', "latitude"),
    ('{"latitude": -6.2, "longitude": Infinity}', "longitude"),
    ('{"latitude": 91, "longitude": 106.8}', "latitude"),
    ('{"latitude": -6.2, "longitude": -180.5}', "longitude"),
    ('{"latitude": "abc", "longitude": 106.8}', "latitude"),
    ('{"latitude": true, "longitude": 106.8}', "latitude"),
    ('{"longitude": 106.8}', "latitude"),
    ('{"latitude": -6.2, "longitude": 106.8, "accuracy": -1}', "accuracy"),
    ('{"latitude": -6.2, "longitude": 106.8, "accuracy": 1e309}', "accuracy"),
    ('{"latitude": -6.2, "longitude": 106.8, "device_info": "ios"}', "device_info"),
])
def test_bad_positions_are_refused_and_change_nothing(client, setup, freeze_time, app, raw, field):
    freeze_time("2026-01-30T08:00+07:00")
    response = client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]), data=raw,
                           content_type="application/json")
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert field in body["errors"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 0


def test_check_out_gives_duration_and_overtime_from_the_schedule(client, setup, freeze_time):
    headers = auth(setup["token"])
    freeze_time("2026-01-30T08:15+07:00")
    client.post(f"{BASE}/attendance/checkin", headers=headers, json=NEAR)
    freeze_time("2026-01-30T17:30+07:00")
    response = client.post(f"{BASE}/attendance/checkout", headers=headers, json=NEAR)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["status"] == "checked_out" and data["time_out"] == "17:30:00"
    assert data["work_duration"] == "9h 15m" and data["work_minutes"] == 555
    assert data["overtime_minutes"] == 90
    response = client.post(f"{BASE}/attendance/checkout", headers=headers, json=NEAR)
    assert response.get_json()["errors"] == {"attendance": ["You have already checked out today."]}


def test_check_out_without_check_in(client, setup, freeze_time):
    freeze_time("2026-01-30T17:00+07:00")
    response = client.post(f"{BASE}/attendance/checkout", headers=auth(setup["token"]), json=NEAR)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"attendance": ["You have not checked in today."]}


def test_today(client, setup, freeze_time):
    headers = auth(setup["token"])
    freeze_time("2026-01-30T07:30+07:00")
    data = client.get(f"{BASE}/attendance/today", headers=headers).get_json()["data"]
    assert data["status"] == "not_checked_in" and data["date"] == "2026-01-30"
    client.post(f"{BASE}/attendance/checkin", headers=headers, json=NEAR)
    data = client.get(f"{BASE}/attendance/today", headers=headers).get_json()["data"]
    assert data["status"] == "checked_in" and data["time_in"] == "07:30:00"
    assert data["location"] == "Kantor Pusat Jakarta"
    freeze_time("2026-01-30T16:30+07:00")
    client.post(f"{BASE}/attendance/checkout", headers=headers, json=NEAR)
    data = client.get(f"{BASE}/attendance/today", headers=headers).get_json()["data"]
    assert data["status"] == "checked_out" and data["work_duration"] == "9h 0m" and data["overtime_minutes"] == 30


def test_a_kiosk_check_in_is_the_same_day(client, setup, freeze_time, app):
    from app.accounts.models import User
    from app.attendance import services

    freeze_time("2026-01-30T08:00+07:00")
    with app.app_context():
        services.record_attendance(db.session.get(User, setup["user"].id), "check_in", source="face")
        db.session.commit()
    response = client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]), json=NEAR)
    assert response.get_json()["errors"] == {"attendance": ["You have already checked in today."]}
    data = client.get(f"{BASE}/attendance/today", headers=auth(setup["token"])).get_json()["data"]
    assert data["status"] == "checked_in"


def _days(app, user, dates):
    with app.app_context():
        for i, day in enumerate(dates):
            time_in = datetime.fromisoformat(f"{day}T01:00+00:00")  # 08:00 Jakarta
            time_out = datetime.fromisoformat(f"{day}T10:30+00:00")  # 17:30 Jakarta
            db.session.add(DailyAttendance(user_id=user.id, work_date=date.fromisoformat(day), time_in=time_in,
                                           time_out=time_out, worked_minutes=570, late_minutes=i % 2,
                                           status="late" if i % 2 else "present"))
        db.session.commit()


def test_history_pages_and_filters(client, setup, staff, app):
    _days(app, setup["user"], [f"2025-07-{d:02d}" for d in range(1, 21)])
    _days(app, staff(), ["2025-07-05"])
    headers = auth(setup["token"])
    response = client.get(f"{BASE}/attendance/history?page=1&per_page=15&from=2025-07-01&to=2025-07-15",
                          headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert_envelope(body, success=True)
    assert body["meta"]["pagination"] == {"current_page": 1, "per_page": 15, "total": 15, "last_page": 1}
    first = body["data"][0]
    assert first["date"] == "2025-07-15"
    assert (first["time_in"], first["time_out"], first["work_duration"], first["status"]) == \
        ("08:00:00", "17:30:00", "9h 30m", "completed")
    assert first["overtime_minutes"] == 90
    body = client.get(f"{BASE}/attendance/history?per_page=5&page=4", headers=headers).get_json()
    assert body["meta"]["pagination"] == {"current_page": 4, "per_page": 5, "total": 20, "last_page": 4}
    assert [d["date"] for d in body["data"]] == [f"2025-07-{d:02d}" for d in range(5, 0, -1)]


@pytest.mark.parametrize("query, field", [
    ("from=2025-13-01", "from"), ("to=15-07-2025", "to"), ("from=2025-07-15&to=2025-07-01", "to"),
    ("page=0", "page"), ("per_page=1000", "per_page"), ("page=abc", "page"),
])
def test_history_validation(client, setup, query, field):
    response = client.get(f"{BASE}/attendance/history?{query}", headers=auth(setup["token"]))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_statistics_by_month(client, setup, app):
    _days(app, setup["user"], ["2025-07-01", "2025-07-02", "2025-07-03", "2025-08-01"])
    response = client.get(f"{BASE}/attendance/statistics?period=month&year=2025&month=7",
                          headers=auth(setup["token"]))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["year"], data["month"], data["days_present"], data["days_completed"]) == (2025, 7, 3, 3)
    assert data["days_late"] == 1
    assert data["total_work_minutes"] == 1710 and data["total_work_duration"] == "28h 30m"
    assert data["average_work_minutes"] == 570 and data["total_overtime_minutes"] == 270


@pytest.mark.parametrize("query, field", [("period=week", "period"), ("month=13", "month"), ("year=1800", "year")])
def test_statistics_validation(client, setup, query, field):
    response = client.get(f"{BASE}/attendance/statistics?{query}", headers=auth(setup["token"]))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_attendance_budget_is_10_per_minute(client, setup, freeze_time):
    freeze_time("2026-01-30T05:00+07:00")
    statuses = [client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]), json=NEAR)
                for _ in range(11)]
    assert statuses[0].headers["X-RateLimit-Limit"] == "10"
    assert [r.status_code for r in statuses][-1] == 429
    body = statuses[-1].get_json()
    assert body["errors"] == {"rate_limit": ["Exceeded 10 requests per minute limit"]}
    # reads keep the general budget
    assert client.get(f"{BASE}/attendance/today", headers=auth(setup["token"])).status_code == 200


@pytest.mark.parametrize("method, path", [
    ("post", "/attendance/checkin"), ("post", "/attendance/checkout"), ("get", "/attendance/today"),
    ("get", "/attendance/history"), ("get", "/attendance/statistics"),
])
def test_attendance_needs_a_token(client, method, path):
    response = getattr(client, method)(f"{BASE}{path}", json={})
    assert response.status_code == 401
    assert_envelope(response.get_json(), success=False)


# ---------------------------------------------------------------------------
# One id space: the id a client is given is the id it approves

def test_one_id_means_one_attendance_in_every_answer_and_path(client, setup, freeze_time, staff, login, app):
    """Check-in, check-out, today, history, the pending list and the approve / reject paths all
    speak of the same attendance by the same id (the day's record)."""
    admin = {"Authorization": f"Bearer {login(staff(role='admin'))}"}
    colleague = staff(role="dokter", office=setup["office"])
    # A colleague's ordinary day first, so attendance (day) ids and event ids differ from here on.
    freeze_time("2026-01-29T08:00+07:00")
    other = auth(login(colleague))
    assert client.post(f"{BASE}/attendance/checkin", headers=other, json=NEAR).status_code == 200
    freeze_time("2026-01-29T16:30+07:00")
    assert client.post(f"{BASE}/attendance/checkout", headers=other, json=NEAR).status_code == 200

    headers = auth(setup["token"])
    freeze_time("2026-01-30T08:10+07:00")
    check_in = client.post(f"{BASE}/attendance/checkin", headers=headers, json=FAR).get_json()["data"]
    assert check_in["requires_review"] is True
    attendance_id = check_in["id"]
    assert client.get(f"{BASE}/attendance/today", headers=headers).get_json()["data"]["id"] == attendance_id
    assert [d["id"] for d in client.get(f"{BASE}/attendance/history", headers=headers).get_json()["data"]] \
        == [attendance_id]
    pending = client.get(f"{BASE}/admin/attendance-approvals/pending", headers=admin).get_json()["data"]
    assert [(p["id"], p["user"]["id"]) for p in pending] == [(attendance_id, setup["user"].id)]

    approved = client.post(f"{BASE}/admin/attendance-approvals/{attendance_id}/approve", headers=admin,
                           json={"comment": "Visiting a patient"})
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["data"]["id"] == attendance_id
    assert client.get(f"{BASE}/attendance/today", headers=headers).get_json()["data"]["status"] == "checked_in"

    freeze_time("2026-01-30T16:45+07:00")
    check_out = client.post(f"{BASE}/attendance/checkout", headers=headers, json=FAR).get_json()["data"]
    assert check_out["id"] == attendance_id and check_out["requires_review"] is True
    pending = client.get(f"{BASE}/admin/attendance-approvals/pending", headers=admin).get_json()["data"]
    assert [(p["id"], p["type"]) for p in pending] == [(attendance_id, "check_out")]
    rejected = client.post(f"{BASE}/admin/attendance-approvals/{attendance_id}/reject", headers=admin,
                           json={"reason": "Location mismatch"})
    assert rejected.status_code == 200
    assert [(e["type"], e["status"]) for e in rejected.get_json()["data"]["events"]] == [
        ("check_in", "approved"), ("check_out", "rejected")]
    today = client.get(f"{BASE}/attendance/today", headers=headers).get_json()["data"]
    assert (today["id"], today["status"], today["time_out"]) == (attendance_id, "checked_in", None)
    with app.app_context():
        # nothing of the colleague's day was touched
        states = db.session.scalars(db.select(AttendanceEvent.review_state)
                                    .where(AttendanceEvent.user_id == colleague.id)).all()
        assert states == ["not_required", "not_required"]


def test_bulk_approve_takes_the_ids_the_check_ins_gave(client, setup, freeze_time, staff, login):
    admin = {"Authorization": f"Bearer {login(staff(role='admin'))}"}
    freeze_time("2026-01-29T08:00+07:00")
    first = client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]), json=FAR).get_json()["data"]
    freeze_time("2026-01-29T16:30+07:00")  # a normal check-out: its event id is taken between the two days
    client.post(f"{BASE}/attendance/checkout", headers=auth(setup["token"]), json=NEAR)
    freeze_time("2026-01-30T08:00+07:00")
    second = client.post(f"{BASE}/attendance/checkin", headers=auth(setup["token"]), json=FAR).get_json()["data"]
    response = client.post(f"{BASE}/admin/attendance-approvals/bulk-approve", headers=admin,
                           json={"attendance_ids": [first["id"], second["id"]]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["attendance_ids"] == [first["id"], second["id"]]
    history = client.get(f"{BASE}/attendance/history", headers=auth(setup["token"])).get_json()["data"]
    assert {d["id"]: d["status"] for d in history} == {first["id"]: "completed", second["id"]: "checked_in"}
