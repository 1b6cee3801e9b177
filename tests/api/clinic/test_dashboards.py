"""Contract 000 "Dashboard Endpoints" and "Testing Endpoints": role dashboards from real data."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.accounts.models import User
from app.attendance import services as attendance
from app.attendance.models import AttendanceEvent, DailyAttendance
from app.clinic import services as clinic
from app.extensions import db

from .conftest import BASE, assert_envelope, auth

NEAR = {"latitude": -6.2089, "longitude": 106.8456, "accuracy": 10.5}  # ~11 m from the office
FAR = {"latitude": -6.2200, "longitude": 106.8456, "accuracy": 8.0}  # ~1.2 km away
#: Friday 30 January 2026, 10:00 in Jakarta (UTC+7); its ISO week runs Monday 26 January → Sunday 1 February.
NOW = "2026-01-30T10:00+07:00"


@pytest.fixture
def setup(factory, staff, login, freeze_time):
    """An office, the active schedule (check-in 07:00–09:00, late after 08:00, check-out 16:00–18:00),
    one person of each clinic role with a token, an admin, and the freeze_time at :data:`NOW`."""
    office = factory.office()
    factory.schedule()
    freeze_time(NOW)
    people = {role: staff(role=role, office=office, name=name) for role, name in (
        ("paramedis", "Perawat Sari"), ("dokter", "Dr. Ahmad"), ("non_paramedis", "Staf Loket"),
        ("admin", "Admin Klinik"))}
    tokens = {role: login(user) for role, user in people.items()}
    return {"office": office, "people": people, "tokens": tokens}


def attend(app, user, check_in: str, check_out: str | None = None, *, position=NEAR):
    """Record a day through the shared attendance service (server freeze_time at the given instants)."""
    with app.app_context():
        person = db.session.get(User, user.id)
        attendance.record_attendance(person, "check_in", source="mobile_gps", now=datetime.fromisoformat(check_in),
                                     **_position(position))
        if check_out:
            attendance.record_attendance(person, "check_out", source="mobile_gps",
                                         now=datetime.fromisoformat(check_out), **_position(position))
        db.session.commit()


def _position(position: dict) -> dict:
    return {"latitude": position["latitude"], "longitude": position["longitude"], "accuracy_m": position["accuracy"]}


def procedures(app, user, admin, rows):
    """Record procedures for ``user``: rows of ``(performed_at, share, status, patient_name)`` (fee = 2 × share)."""
    with app.app_context():
        performer, validator = db.session.get(User, user.id), db.session.get(User, admin.id)
        patients = {}
        for performed, share, status, patient_name in rows:
            if patient_name not in patients:
                patients[patient_name] = clinic.create_patient(patient_name)
            procedure = clinic.record_procedure(patients[patient_name], performer, name="Konsultasi",
                                                fee=share * 2, service_fee_share=share,
                                                performed_at=datetime.fromisoformat(performed))
            if status != "pending":
                clinic.validate_procedure(procedure, validator, approve=status == "approved")
        db.session.commit()


def get(client, setup, role, path):
    response = client.get(f"{BASE}{path}", headers=auth(setup["tokens"][role]))
    body = response.get_json()
    assert_envelope(body, success=response.status_code < 400)
    return response, body


ENDPOINTS = [
    ("get", "/dashboards/paramedis/", "paramedis"),
    ("get", "/dashboards/paramedis/schedule", "paramedis"),
    ("get", "/dashboards/paramedis/performance", "paramedis"),
    ("get", "/dashboards/dokter/", "dokter"),
    ("get", "/dashboards/dokter/attendance/status", "dokter"),
    ("get", "/dashboards/dokter/attendance/today-history", "dokter"),
    ("get", "/dashboards/dokter/test", "dokter"),
    ("get", "/dashboards/nonparamedis/", "non_paramedis"),
    ("post", "/dashboards/nonparamedis/attendance/checkin", "non_paramedis"),
    ("post", "/dashboards/nonparamedis/attendance/checkout", "non_paramedis"),
]


@pytest.mark.parametrize("method, path, role", ENDPOINTS)
def test_every_dashboard_is_for_its_role_only(client, setup, method, path, role):
    for other in ("paramedis", "dokter", "non_paramedis", "admin"):
        if other == role:
            continue
        response = getattr(client, method)(f"{BASE}{path}", headers=auth(setup["tokens"][other]), json=NEAR)
        assert response.status_code == 403, (path, other)
        body = response.get_json()
        assert_envelope(body, success=False)
        assert body["message"] == "This action is unauthorized."
        assert body["errors"] == {"role": ["Insufficient permissions for this resource"]}
    response = getattr(client, method)(f"{BASE}{path}", json=NEAR)
    assert response.status_code == 401
    assert response.get_json()["errors"] == {"token": ["Token expired or invalid"]}
    with client.application.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 0


# --- paramedis ---------------------------------------------------------------

def test_paramedis_dashboard_figures_come_from_the_data(client, setup, app):
    nurse, admin = setup["people"]["paramedis"], setup["people"]["admin"]
    procedures(app, nurse, admin, [
        ("2026-01-27T09:00+07:00", 100_000, "approved", "John Doe"),   # this week
        ("2026-01-30T08:30+07:00", 50_000, "pending", "Budi"),         # today
        ("2026-01-29T09:00+07:00", 70_000, "rejected", "Citra"),       # never counts
        ("2026-01-05T09:00+07:00", 200_000, "approved", "John Doe"),   # this month, an earlier week
        ("2026-01-06T09:00+07:00", 30_000, "pending", "Dewi"),         # this month, an earlier week
        ("2025-12-31T09:00+07:00", 900_000, "approved", "John Doe"),   # last month
    ])
    procedures(app, setup["people"]["dokter"], admin, [("2026-01-28T09:00+07:00", 400_000, "approved", "Eko")])
    attend(app, nurse, "2026-01-05T07:50+07:00", "2026-01-05T16:20+07:00")  # 510 minutes
    attend(app, nurse, "2026-01-06T08:10+07:00", "2026-01-06T16:10+07:00")  # 480 minutes, late
    attend(app, nurse, "2025-12-30T07:30+07:00", "2025-12-30T16:30+07:00")  # last month
    attend(app, nurse, "2026-01-30T08:00+07:00")                            # today, 120 minutes so far

    response, body = get(client, setup, "paramedis", "/dashboards/paramedis/")
    assert response.status_code == 200
    data = body["data"]
    assert data["user"]["name"] == "Perawat Sari" and data["user"]["initials"] == "PS"
    assert data["user"]["role"] == "Paramedis"
    # shifts: the 22 weekdays of January 2026 under her schedule (the default, Monday to Friday)
    assert data["stats"] == {"jaspel_monthly": 380_000, "jaspel_weekly": 150_000, "approved_jaspel": 300_000,
                             "pending_jaspel": 80_000, "minutes_worked": 510 + 480 + 120, "shifts_this_month": 22}
    today = data["today_attendance"]
    assert today["checked_in"] is True and today["status"] == "checked_in"
    assert today["check_in_time"] == "08:00" and today["work_duration"] == "2h 0m"


def test_paramedis_dashboard_without_data(client, setup):
    response, body = get(client, setup, "paramedis", "/dashboards/paramedis/")
    assert response.status_code == 200
    stats = body["data"]["stats"]
    assert stats.pop("shifts_this_month") == 22          # scheduled, whether worked or not
    assert set(stats.values()) == {0}
    today = body["data"]["today_attendance"]
    assert today["checked_in"] is False and today["check_in_time"] is None and today["work_duration"] is None


def test_paramedis_schedule(client, setup, app):
    nurse = setup["people"]["paramedis"]
    attend(app, nurse, "2026-01-26T07:55+07:00", "2026-01-26T16:05+07:00")
    attend(app, nurse, "2026-01-30T08:05+07:00")
    response, body = get(client, setup, "paramedis", "/dashboards/paramedis/schedule")
    assert response.status_code == 200
    data = body["data"]
    assert data["work_schedule"]["name"] == "Jam Kerja Normal"
    assert (data["work_schedule"]["check_in_start"], data["work_schedule"]["late_after"]) == ("07:00", "08:00")
    assert data["today"] == {"date": "2026-01-30", "check_in_opens": "2026-01-30T07:00",
                             "check_in_closes": "2026-01-30T09:01", "check_out_opens": "2026-01-30T16:00",
                             "check_out_closes": "2026-01-30T18:01", "day_off": False, "off_reason": None,
                             "holiday": None}
    week = data["week"]
    assert [d["date"] for d in week][0::6] == ["2026-01-26", "2026-02-01"] and len(week) == 7
    assert [d["status"] for d in week] == ["checked_out", "not_checked_in", "not_checked_in", "not_checked_in",
                                           "checked_in", "day_off", "day_off"]
    assert week[0]["shift"]["name"] == "Jam Kerja Normal" and week[5]["shift"] is None
    assert (week[6]["day_off"], week[6]["off_reason"]) == (True, "weekday")
    assert week[0]["day"] == "Monday" and week[0]["work_duration"] == "8h 10m"
    assert week[4]["check_in_time"] == "08:05"


def test_paramedis_schedule_without_an_active_schedule(client, setup, app):
    from app.schedules.models import WorkSchedule

    with app.app_context():
        db.session.execute(db.update(WorkSchedule).values(is_active=False))
        db.session.commit()
    response, body = get(client, setup, "paramedis", "/dashboards/paramedis/schedule")
    assert response.status_code == 200
    assert body["data"]["work_schedule"] is None and body["data"]["today"] is None
    assert len(body["data"]["week"]) == 7


def test_paramedis_performance(client, setup, app):
    nurse, admin = setup["people"]["paramedis"], setup["people"]["admin"]
    procedures(app, nurse, admin, [
        ("2025-12-02T09:00+07:00", 100_000, "approved", "John Doe"),
        ("2025-12-03T09:00+07:00", 20_000, "pending", "John Doe"),
        ("2025-12-04T09:00+07:00", 60_000, "rejected", "Budi"),
        ("2026-01-05T09:00+07:00", 500_000, "approved", "Citra"),
    ])
    attend(app, nurse, "2025-12-02T07:50+07:00", "2025-12-02T16:20+07:00")  # 510, on time
    attend(app, nurse, "2025-12-03T08:30+07:00", "2025-12-03T16:30+07:00")  # 480, 30 late
    response, body = get(client, setup, "paramedis", "/dashboards/paramedis/performance?year=2025&month=12")
    assert response.status_code == 200
    data = body["data"]
    assert data["period"] == {"year": 2025, "month": 12, "start_date": "2025-12-01", "end_date": "2025-12-31"}
    assert data["attendance"] == {"days_present": 2, "days_late": 1, "on_time_rate": 50.0,
                                  "total_work_minutes": 990, "total_work_duration": "16h 30m",
                                  "average_work_minutes": 495, "total_late_minutes": 30}
    assert data["procedures"] == {"total": 2, "approved": 1, "pending": 1, "rejected": 1, "patients": 1}
    assert data["jaspel"] == {"approved": 100_000, "pending": 20_000, "total": 120_000}
    response, body = get(client, setup, "paramedis", "/dashboards/paramedis/performance")
    assert body["data"]["period"]["month"] == 1 and body["data"]["jaspel"]["total"] == 500_000
    assert body["data"]["attendance"]["on_time_rate"] == 0.0


def test_paramedis_performance_refuses_a_bad_period(client, setup):
    response, body = get(client, setup, "paramedis", "/dashboards/paramedis/performance?year=1999&month=13")
    assert response.status_code == 422
    assert body["message"] == "The given data was invalid."
    assert set(body["errors"]) == {"year", "month"}


# --- dokter ------------------------------------------------------------------

def test_dokter_dashboard_figures_come_from_the_data(client, setup, app):
    doctor, admin = setup["people"]["dokter"], setup["people"]["admin"]
    procedures(app, doctor, admin, [
        ("2026-01-30T07:30+07:00", 150_000, "approved", "John Doe"),
        ("2026-01-30T08:00+07:00", 50_000, "pending", "John Doe"),
        ("2026-01-30T08:30+07:00", 80_000, "pending", "Budi"),
        ("2026-01-30T09:00+07:00", 90_000, "rejected", "Citra"),
        ("2026-01-29T09:00+07:00", 40_000, "approved", "Dewi"),
        ("2025-12-29T09:00+07:00", 700_000, "approved", "Dewi"),
    ])
    procedures(app, setup["people"]["paramedis"], admin, [("2026-01-30T09:00+07:00", 10_000, "approved", "Eko")])
    attend(app, doctor, "2026-01-26T07:50+07:00", "2026-01-26T16:00+07:00")
    attend(app, doctor, "2026-01-23T07:50+07:00", "2026-01-23T16:00+07:00")  # last week
    response, body = get(client, setup, "dokter", "/dashboards/dokter/")
    assert response.status_code == 200
    data = body["data"]
    assert data["user"] == {"id": doctor.id, "name": "Dr. Ahmad", "initials": "DA", "role": "Dokter"}
    assert data["stats"] == {"patients_today": 2, "tindakan_today": 3,
                             "jaspel_month": 150_000 + 50_000 + 80_000 + 40_000, "shifts_week": 5}
    assert data["current_status"] == "inactive"
    presensi = data["quick_actions"][0]
    assert presensi["id"] == "presensi" and presensi["enabled"] is True and presensi["title"] == "Presensi"
    attend(app, doctor, "2026-01-30T08:20+07:00")
    response, body = get(client, setup, "dokter", "/dashboards/dokter/")
    assert body["data"]["current_status"] == "active" and body["data"]["stats"]["shifts_week"] == 5


def test_dokter_attendance_status_follows_the_day(client, setup, app, freeze_time):
    doctor = setup["people"]["dokter"]
    response, body = get(client, setup, "dokter", "/dashboards/dokter/attendance/status")
    assert response.status_code == 200
    assert body["data"]["status"] == "not_checked_in"
    assert body["data"]["check_in_time"] is None and body["data"]["work_duration"] is None

    attend(app, doctor, "2026-01-30T08:30+07:00")
    freeze_time("2026-01-30T12:45+07:00")
    _, body = get(client, setup, "dokter", "/dashboards/dokter/attendance/status")
    assert {k: body["data"][k] for k in ("status", "check_in_time", "check_out_time", "work_duration")} == {
        "status": "checked_in", "check_in_time": "08:30", "check_out_time": None, "work_duration": "4h 15m"}

    with app.app_context():
        attendance.record_attendance(db.session.get(User, doctor.id), "check_out", source="mobile_gps",
                                     now=datetime.fromisoformat("2026-01-30T17:00+07:00"), latitude=NEAR["latitude"],
                                     longitude=NEAR["longitude"])
        db.session.commit()
    freeze_time("2026-01-30T19:00+07:00")
    _, body = get(client, setup, "dokter", "/dashboards/dokter/attendance/status")
    assert {k: body["data"][k] for k in ("status", "check_out_time", "work_duration", "work_minutes")} == {
        "status": "checked_out", "check_out_time": "17:00", "work_duration": "8h 30m", "work_minutes": 510}


def test_dokter_today_history_lists_todays_events(client, setup, app):
    doctor = setup["people"]["dokter"]
    attend(app, doctor, "2026-01-29T08:00+07:00", "2026-01-29T16:30+07:00")  # yesterday: not listed
    attend(app, doctor, "2026-01-30T08:10+07:00", position=FAR)
    response, body = get(client, setup, "dokter", "/dashboards/dokter/attendance/today-history")
    assert response.status_code == 200
    data = body["data"]
    assert data["date"] == "2026-01-30" and data["status"] == "checked_in"
    assert len(data["history"]) == 1
    event = data["history"][0]
    assert (event["type"], event["time"], event["source"], event["review_state"]) == (
        "check_in", "08:10:00", "mobile_gps", "pending")
    with client.application.app_context():
        day = db.session.scalar(db.select(DailyAttendance).filter_by(work_date=datetime(2026, 1, 30).date()))
    assert event["attendance_id"] == day.id and "id" not in event  # one id space: the day's
    assert event["location"]["name"] == "Kantor Pusat Jakarta"
    assert 1100 < event["location"]["distance_meters"] < 1300


def test_dokter_today_history_empty(client, setup):
    response, body = get(client, setup, "dokter", "/dashboards/dokter/attendance/today-history")
    assert response.status_code == 200
    assert body["data"] == {"date": "2026-01-30", "status": "not_checked_in", "history": []}


def test_dokter_test_endpoint(client, setup, login):
    token = login(setup["people"]["dokter"], device_name="mobile_app_token", headers={"User-Agent": "DokterApp/1.0"})
    response = client.get(f"{BASE}/dashboards/dokter/test", headers=auth(token))
    assert response.status_code == 200
    body = response.get_json()
    assert_envelope(body, success=True)
    assert body["message"] == "API endpoint is working - Authentication verified"
    assert body["data"]["user"] == {"id": setup["people"]["dokter"].id, "name": "Dr. Ahmad", "role": "dokter",
                                    "authenticated": True, "role_validated": True}
    session = body["data"]["session"]
    assert session["token_name"] == "mobile_app_token" and session["user_agent"] == "DokterApp/1.0"
    assert session["ip_address"] == "127.0.0.1"


# --- non-paramedis -------------------------------------------------------------

def test_nonparamedis_dashboard(client, setup, app):
    clerk = setup["people"]["non_paramedis"]
    attend(app, clerk, "2026-01-05T08:15+07:00", "2026-01-05T16:15+07:00")  # 480, late
    attend(app, clerk, "2026-01-30T07:45+07:00")                            # 135 so far
    response, body = get(client, setup, "non_paramedis", "/dashboards/nonparamedis/")
    assert response.status_code == 200
    data = body["data"]
    assert data["user"]["role"] == "Non-Paramedis" and data["user"]["initials"] == "SL"
    assert data["stats"] == {"days_present_month": 2, "days_late_month": 1, "minutes_worked_month": 615,
                             "work_duration_month": "10h 15m", "shifts_week": 5}
    assert data["today_attendance"]["status"] == "checked_in" and data["today_attendance"]["work_duration"] == "2h 15m"
    assert data["work_schedule"]["check_out_start"] == "16:00"
    assert data["work_location"]["id"] == setup["office"].id and data["work_location"]["radius_meters"] == 100


def test_nonparamedis_check_in_and_out_are_the_shared_attendance(client, setup, app, freeze_time):
    headers = auth(setup["tokens"]["non_paramedis"])
    freeze_time("2026-01-30T08:15+07:00")
    response = client.post(f"{BASE}/dashboards/nonparamedis/attendance/checkin", headers=headers,
                           json={**NEAR, "work_location_id": setup["office"].id})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert_envelope(body, success=True)
    assert body["message"] == "Check-in successful"
    assert body["data"]["status"] == "checked_in" and body["data"]["time_in"] == "08:15:00"
    assert body["data"]["late_minutes"] == 15 and 10 < body["data"]["location"]["distance_meters"] < 12.5
    assert response.headers["X-RateLimit-Limit"] == "10"

    again = client.post(f"{BASE}/attendance/checkin", headers=headers, json=NEAR)
    assert again.status_code == 422
    assert again.get_json()["errors"] == {"attendance": ["You have already checked in today."]}

    freeze_time("2026-01-30T16:45+07:00")
    response = client.post(f"{BASE}/dashboards/nonparamedis/attendance/checkout", headers=headers, json=NEAR)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["status"] == "checked_out" and data["work_duration"] == "8h 30m" and data["overtime_minutes"] == 45
    with app.app_context():
        day = db.session.scalar(db.select(DailyAttendance))
        assert day.user_id == setup["people"]["non_paramedis"].id and day.worked_minutes == 510
        assert {e.source for e in db.session.scalars(db.select(AttendanceEvent))} == {"mobile_gps"}
    response = client.post(f"{BASE}/dashboards/nonparamedis/attendance/checkout", headers=headers, json=NEAR)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"attendance": ["You have already checked out today."]}


def test_nonparamedis_attendance_refusals(client, setup, freeze_time):
    headers = auth(setup["tokens"]["non_paramedis"])
    response = client.post(f"{BASE}/dashboards/nonparamedis/attendance/checkin", headers=headers,
                           json={"longitude": 500, "accuracy": 5})
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert {"latitude", "longitude"} <= set(body["errors"])
    response = client.post(f"{BASE}/dashboards/nonparamedis/attendance/checkout", headers=headers, json=NEAR)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"attendance": ["Check-out not available yet"]}
    freeze_time("2026-01-30T16:30+07:00")
    response = client.post(f"{BASE}/dashboards/nonparamedis/attendance/checkout", headers=headers, json=NEAR)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"attendance": ["You have not checked in today."]}
    freeze_time("2026-01-30T05:00+07:00")
    response = client.post(f"{BASE}/dashboards/nonparamedis/attendance/checkin", headers=headers, json=NEAR)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"attendance": ["Check-in not available yet"]}
    response = client.post(f"{BASE}/dashboards/nonparamedis/attendance/checkin", headers=headers,
                           json={**NEAR, "work_location_id": 999})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"work_location_id": ["The selected work location id is invalid."]}
    with client.application.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 0
