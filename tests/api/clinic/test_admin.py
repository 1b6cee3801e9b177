"""Contract 000 "Admin Panel Endpoints": non-paramedis users, attendance approvals, reports."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest

from app.accounts.models import ApiToken, User
from app.accounts.passwords import verify_password
from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db
from app.leave.models import LeaveRequest

from .conftest import BASE, assert_envelope, auth

USERS = f"{BASE}/admin/nonparamedis"
APPROVALS = f"{BASE}/admin/attendance-approvals"
REPORTS = f"{BASE}/admin/reports"


@pytest.fixture
def admin_token(staff, login):
    return login(staff(role="admin", name="Admin Klinik"))


@pytest.fixture
def worker(staff):
    """A non-paramedis user (phone 0811) for the admin to manage."""
    return staff(role="non_paramedis", name="Budi Santoso", phone="0811")


def _utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(timezone.utc)


def flagged(app, user, *, day="2026-01-05", at="2026-01-05T08:10+07:00", kind="check_in", state="pending"):
    """A flagged event of ``user`` (outside the geofence) and its day; returns the day's id,
    the clinic dialect's one attendance id."""
    with app.app_context():
        event = AttendanceEvent(user_id=user.id, kind=kind, occurred_at=_utc(at), work_date=date.fromisoformat(day),
                                source="mobile_gps", latitude=-6.22, longitude=106.84, accuracy_m=8.0,
                                distance_m=1234.5, review_state=state, flag_reason="outside_geofence")
        db.session.add(event)
        db.session.flush()
        daily = db.session.scalar(db.select(DailyAttendance).filter_by(user_id=user.id,
                                                                        work_date=event.work_date))
        if daily is None:
            daily = DailyAttendance(user_id=user.id, work_date=event.work_date, status="pending_review")
            db.session.add(daily)
        if kind == "check_in":
            daily.check_in_event_id, daily.time_in, daily.late_minutes = event.id, event.occurred_at, 10
        else:
            daily.check_out_event_id, daily.time_out = event.id, event.occurred_at
        db.session.commit()
        return daily.id


def day_row(app, user, day: str, time_in: str, time_out: str | None, *, status="present", late=0):
    with app.app_context():
        t_in, t_out = _utc(time_in), _utc(time_out) if time_out else None
        db.session.add(DailyAttendance(
            user_id=user.id, work_date=date.fromisoformat(day), time_in=t_in, time_out=t_out, status=status,
            late_minutes=late, worked_minutes=int((t_out - t_in).total_seconds() // 60) if t_out else None))
        db.session.commit()


# ---------------------------------------------------------------------------
# Roles

ADMIN_ROUTES = [
    ("get", USERS, None), ("post", USERS, {}), ("put", f"{USERS}/1", {}),
    ("patch", f"{USERS}/1/toggle-status", None), ("post", f"{USERS}/1/reset-password", {}),
    ("get", f"{APPROVALS}/pending", None), ("post", f"{APPROVALS}/1/approve", {}),
    ("post", f"{APPROVALS}/1/reject", {}), ("post", f"{APPROVALS}/bulk-approve", {}),
    ("get", f"{REPORTS}/attendance-summary", None), ("post", f"{REPORTS}/export-csv", {}),
]


@pytest.mark.parametrize("role", ["paramedis", "non_paramedis", "dokter", "petugas"])
def test_other_roles_get_the_contracts_403_on_every_admin_endpoint(client, staff, login, role):
    token = login(staff(role=role))
    for method, url, body in ADMIN_ROUTES:
        response = getattr(client, method)(url, headers=auth(token), json=body)
        assert response.status_code == 403, (method, url)
        payload = response.get_json()
        assert_envelope(payload, success=False)
        assert payload["message"] == "This action is unauthorized."
        assert payload["errors"] == {"role": ["Insufficient permissions for this resource"]}


def test_no_token_is_401_on_every_admin_endpoint(client):
    for method, url, body in ADMIN_ROUTES:
        response = getattr(client, method)(url, json=body)
        assert response.status_code == 401, (method, url)
        assert response.get_json()["errors"] == {"token": ["Token expired or invalid"]}


# ---------------------------------------------------------------------------
# Non-paramedis management

def test_list_with_search_status_and_pagination(client, admin_token, staff):
    staff(role="non_paramedis", name="Siti Aminah")
    staff(role="non_paramedis", name="Siti Rahma", is_active=False)
    staff(role="non_paramedis", name="Agus")
    staff(role="paramedis", name="Siti Perawat")  # another role: never listed
    response = client.get(f"{USERS}?search=siti&status=active", headers=auth(admin_token))
    assert response.status_code == 200
    body = response.get_json()
    assert_envelope(body, success=True)
    assert [u["name"] for u in body["data"]] == ["Siti Aminah"]
    item = body["data"][0]
    assert item["role"] == "non_paramedis" and item["status"] == "active" and item["is_active"] is True
    assert set(item) >= {"id", "email", "phone", "last_login", "created_at"}
    inactive = client.get(f"{USERS}?status=inactive", headers=auth(admin_token)).get_json()
    assert [u["name"] for u in inactive["data"]] == ["Siti Rahma"]
    page = client.get(f"{USERS}?per_page=2&page=2", headers=auth(admin_token)).get_json()
    assert page["meta"]["pagination"] == {"current_page": 2, "per_page": 2, "total": 3, "last_page": 2}
    assert [u["name"] for u in page["data"]] == ["Siti Rahma"]


def test_list_refuses_an_unknown_status_and_bad_paging(client, admin_token):
    response = client.get(f"{USERS}?status=sleeping", headers=auth(admin_token))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"status": ["The selected status is invalid."]}
    assert client.get(f"{USERS}?page=0", headers=auth(admin_token)).status_code == 422


def test_create_a_non_paramedis_user_who_can_then_sign_in(client, admin_token, app):
    response = client.post(USERS, headers=auth(admin_token), json={
        "name": "Staff Baru", "email": "Staff@Dokterku.com", "password": "password123",
        "phone": "+6281234567890", "address": "Alamat lengkap", "is_active": True})
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert (data["name"], data["email"], data["phone"], data["address"], data["role"], data["is_active"]) == \
        ("Staff Baru", "staff@dokterku.com", "+6281234567890", "Alamat lengkap", "non_paramedis", True)
    with app.app_context():
        assert db.session.get(User, data["id"]).address == "Alamat lengkap"
    login = client.post(f"{BASE}/auth/login", json={"email": "staff@dokterku.com", "password": "password123"})
    assert login.status_code == 200
    assert login.get_json()["data"]["user"]["role"] == "non_paramedis"


def test_create_reports_every_refused_field(client, admin_token, worker):
    response = client.post(USERS, headers=auth(admin_token), json={"email": "nope", "password": "short",
                                                                    "is_active": "maybe"})
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert body["message"] == "The given data was invalid."
    assert body["errors"] == {
        "name": ["The name field is required."],
        "email": ["The email must be a valid email address."],
        "password": ["The password must be at least 8 characters."],
        "is_active": ["The is active field must be true or false."],
    }
    taken = client.post(USERS, headers=auth(admin_token), json={"name": "X", "email": worker.email.upper(),
                                                                 "password": "password123"})
    assert taken.status_code == 422
    assert taken.get_json()["errors"] == {"email": ["The email has already been taken."]}


def test_update_changes_only_the_fields_sent(client, admin_token, worker, app):
    response = client.put(f"{USERS}/{worker.id}", headers=auth(admin_token),
                          json={"name": "Updated Name", "address": "Jl. Mawar 1"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["name"] == "Updated Name" and data["phone"] == "0811" and data["is_active"] is True
    assert data["address"] == "Jl. Mawar 1"
    with app.app_context():
        assert db.session.get(User, worker.id).name == "Updated Name"
    # an update without the address keeps it
    again = client.put(f"{USERS}/{worker.id}", headers=auth(admin_token), json={"phone": "0812"})
    assert again.get_json()["data"]["address"] == "Jl. Mawar 1"
    with app.app_context():
        assert db.session.get(User, worker.id).address == "Jl. Mawar 1"


def test_an_address_over_500_characters_is_refused_and_nothing_changes(client, admin_token, worker, app):
    response = client.put(f"{USERS}/{worker.id}", headers=auth(admin_token),
                          json={"name": "Changed", "address": "x" * 501})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"address": ["The address must not be greater than 500 characters."]}
    with app.app_context():
        user = db.session.get(User, worker.id)
        assert (user.name, user.address) == (worker.name, None)


def test_update_refusals(client, admin_token, worker, staff):
    other = staff(role="non_paramedis")
    response = client.put(f"{USERS}/{worker.id}", headers=auth(admin_token),
                          json={"name": "", "email": other.email})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"name": ["The name field is required."]}
    taken = client.put(f"{USERS}/{worker.id}", headers=auth(admin_token), json={"email": other.email})
    assert taken.get_json()["errors"] == {"email": ["The email has already been taken."]}


def test_ids_of_unknown_users_and_of_other_roles_are_404(client, admin_token, staff):
    doctor = staff(role="dokter")
    for user_id in (doctor.id, 999999):
        for method, url, body in [("put", f"{USERS}/{user_id}", {"name": "Hijack"}),
                                  ("patch", f"{USERS}/{user_id}/toggle-status", None),
                                  ("post", f"{USERS}/{user_id}/reset-password", {"new_password": "password999"})]:
            response = getattr(client, method)(url, headers=auth(admin_token), json=body)
            assert response.status_code == 404, (method, url)
            assert response.get_json()["errors"] == {"user_id": ["Non-paramedis user not found."]}


def test_deactivating_ends_the_persons_sessions(client, admin_token, worker, login, app):
    token = login(worker)
    assert client.get(f"{BASE}/auth/me", headers=auth(token)).status_code == 200
    response = client.put(f"{USERS}/{worker.id}", headers=auth(admin_token), json={"is_active": False})
    assert response.status_code == 200 and response.get_json()["data"]["status"] == "inactive"
    assert client.get(f"{BASE}/auth/me", headers=auth(token)).status_code == 401
    client.patch(f"{USERS}/{worker.id}/toggle-status", headers=auth(admin_token))  # reactivated
    assert client.get(f"{BASE}/auth/me", headers=auth(token)).status_code == 401  # the session stays ended


def test_toggle_status_flips_both_ways(client, admin_token, worker, login):
    token = login(worker)
    off = client.patch(f"{USERS}/{worker.id}/toggle-status", headers=auth(admin_token))
    assert off.status_code == 200
    assert off.get_json()["message"] == "User deactivated" and off.get_json()["data"]["is_active"] is False
    assert client.get(f"{BASE}/auth/me", headers=auth(token)).status_code == 401
    on = client.patch(f"{USERS}/{worker.id}/toggle-status", headers=auth(admin_token))
    assert on.get_json()["message"] == "User activated" and on.get_json()["data"]["is_active"] is True


def test_reset_password_ends_every_session(client, admin_token, worker, login, app):
    token = login(worker)
    response = client.post(f"{USERS}/{worker.id}/reset-password", headers=auth(admin_token),
                           json={"new_password": "newpassword123"})
    assert response.status_code == 200
    assert response.get_json()["data"] == {"user_id": worker.id, "revoked_sessions": 1}
    assert client.get(f"{BASE}/auth/me", headers=auth(token)).status_code == 401
    with app.app_context():
        assert verify_password(db.session.get(User, worker.id).password_hash, "newpassword123")[0]
        assert db.session.scalar(db.select(db.func.count(ApiToken.id)).where(
            ApiToken.user_id == worker.id, ApiToken.revoked_at.is_(None))) == 0
    assert client.post(f"{BASE}/auth/login", json={"email": worker.email,
                                                   "password": "newpassword123"}).status_code == 200


def test_reset_password_refuses_a_short_or_missing_password(client, admin_token, worker):
    short = client.post(f"{USERS}/{worker.id}/reset-password", headers=auth(admin_token),
                        json={"new_password": "short"})
    assert short.status_code == 422
    assert short.get_json()["errors"] == {"new_password": ["The new password must be at least 8 characters."]}
    missing = client.post(f"{USERS}/{worker.id}/reset-password", headers=auth(admin_token), json={})
    assert missing.get_json()["errors"] == {"new_password": ["The new password field is required."]}


# ---------------------------------------------------------------------------
# Attendance approvals

def test_pending_lists_attendances_waiting_longest_first(client, admin_token, staff, app):
    nurse, clerk = staff(role="paramedis", name="Nurse"), staff(role="non_paramedis", name="Clerk")
    later = flagged(app, nurse, day="2026-01-06", at="2026-01-06T08:00+07:00")
    first = flagged(app, clerk, day="2026-01-05", at="2026-01-05T07:55+07:00")
    flagged(app, clerk, day="2026-01-07", at="2026-01-07T08:00+07:00", state="approved")
    response = client.get(f"{APPROVALS}/pending", headers=auth(admin_token))
    assert response.status_code == 200
    body = response.get_json()
    assert [item["id"] for item in body["data"]] == [first, later]
    assert body["meta"]["pagination"]["total"] == 2
    item = body["data"][0]
    assert item["user"]["name"] == "Clerk" and item["type"] == "check_in" and item["status"] == "pending"
    assert item["date"] == "2026-01-05" and item["time"] == "07:55:00" and item["time_in"] == "07:55:00"
    assert item["location"]["distance_meters"] == 1234.5 and item["flag_reason"] == "outside_geofence"
    assert item["review_reason"]
    assert [(e["type"], e["status"]) for e in item["events"]] == [("check_in", "pending")]
    assert "id" not in item["events"][0]  # an attendance has one id, the day's


def test_a_day_waiting_for_its_check_in_and_its_check_out_is_one_item(client, admin_token, staff, app):
    nurse = staff(role="paramedis")
    day_id = flagged(app, nurse)
    assert flagged(app, nurse, kind="check_out", at="2026-01-05T17:00+07:00") == day_id
    items = client.get(f"{APPROVALS}/pending", headers=auth(admin_token)).get_json()["data"]
    assert [i["id"] for i in items] == [day_id]
    assert [(e["type"], e["status"]) for e in items[0]["events"]] == [("check_in", "pending"), ("check_out", "pending")]
    response = client.post(f"{APPROVALS}/{day_id}/approve", headers=auth(admin_token), json={})
    assert response.status_code == 200, response.get_json()
    assert [e["status"] for e in response.get_json()["data"]["events"]] == ["approved", "approved"]
    assert client.get(f"{APPROVALS}/pending", headers=auth(admin_token)).get_json()["data"] == []


def test_approve_one_attendance(client, admin_token, staff, app):
    nurse = staff(role="paramedis")
    day_id = flagged(app, nurse)
    response = client.post(f"{APPROVALS}/{day_id}/approve", headers=auth(admin_token),
                           json={"comment": "Approved by admin"})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["id"] == day_id
    assert data["status"] == "approved" and data["review_note"] == "Approved by admin"
    assert data["reviewed_by"]["name"] == "Admin Klinik" and data["reviewed_at"]
    with app.app_context():
        day = db.session.get(DailyAttendance, day_id)
        assert day.status == "late" and day.time_in is not None
    again = client.post(f"{APPROVALS}/{day_id}/approve", headers=auth(admin_token), json={})
    assert again.status_code == 422
    assert again.get_json()["errors"] == {"attendance": ["This attendance has already been reviewed"]}


def test_reject_requires_a_reason_and_clears_the_check_in(client, admin_token, staff, app):
    nurse = staff(role="paramedis")
    day_id = flagged(app, nurse)
    missing = client.post(f"{APPROVALS}/{day_id}/reject", headers=auth(admin_token), json={"comment": "x"})
    assert missing.status_code == 422
    assert missing.get_json()["errors"] == {"reason": ["The reason field is required."]}
    response = client.post(f"{APPROVALS}/{day_id}/reject", headers=auth(admin_token), json={
        "reason": "Location mismatch", "comment": "GPS coordinates don't match work location"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["id"] == day_id and data["status"] == "rejected" and data["time_in"] is None
    assert data["review_note"] == "Location mismatch: GPS coordinates don't match work location"
    with app.app_context():
        day = db.session.get(DailyAttendance, day_id)
        assert day.status == "rejected" and day.time_in is None
        assert db.session.scalar(db.select(AttendanceEvent.review_state)) == "rejected"  # kept, not deleted


def test_approve_and_reject_an_unknown_event_are_404(client, admin_token):
    for action, body in (("approve", {}), ("reject", {"reason": "Location mismatch"})):
        response = client.post(f"{APPROVALS}/424242/{action}", headers=auth(admin_token), json=body)
        assert response.status_code == 404
        assert response.get_json()["errors"] == {"attendance_id": ["Attendance record not found."]}


def test_bulk_approve_approves_all(client, admin_token, staff, app):
    nurse, clerk = staff(role="paramedis"), staff(role="non_paramedis")
    ids = [flagged(app, nurse), flagged(app, clerk, day="2026-01-06", at="2026-01-06T08:00+07:00")]
    response = client.post(f"{APPROVALS}/bulk-approve", headers=auth(admin_token),
                           json={"attendance_ids": ids, "comment": "Bulk approval for regular shifts"})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["approved_count"] == 2 and sorted(data["attendance_ids"]) == sorted(ids)
    with app.app_context():
        states = db.session.scalars(db.select(AttendanceEvent.review_state)).all()
        assert states == ["approved", "approved"]


def test_bulk_approve_is_all_or_nothing(client, admin_token, staff, app):
    nurse = staff(role="paramedis")
    pending = flagged(app, nurse)
    done = flagged(app, nurse, day="2026-01-06", at="2026-01-06T08:00+07:00", state="approved")
    response = client.post(f"{APPROVALS}/bulk-approve", headers=auth(admin_token),
                           json={"attendance_ids": [pending, done, 999999]})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "attendance_ids.1": [f"Attendance {done} has already been reviewed."],
        "attendance_ids.2": ["The selected attendance_ids.2 is invalid."],
    }
    with app.app_context():
        day = db.session.get(DailyAttendance, pending)
        assert db.session.get(AttendanceEvent, day.check_in_event_id).review_state == "pending"


def test_bulk_approve_rolls_back_when_the_service_refuses_midway(client, admin_token, staff, app, monkeypatch):
    """A refusal raised by the review itself (an event reviewed by someone else meanwhile) undoes the batch."""
    from app.attendance import services

    nurse = staff(role="paramedis")
    first, second = flagged(app, nurse), flagged(app, nurse, day="2026-01-06", at="2026-01-06T08:00+07:00")
    with app.app_context():
        second_event = db.session.get(DailyAttendance, second).check_in_event_id
    real = services.review_event

    def review(event, reviewer, **kw):
        if event.id == second_event:
            raise services.RuleViolation("This attendance event has already been reviewed")
        return real(event, reviewer, **kw)

    monkeypatch.setattr(services, "review_event", review)
    response = client.post(f"{APPROVALS}/bulk-approve", headers=auth(admin_token),
                           json={"attendance_ids": [first, second]})
    assert response.status_code == 422
    with app.app_context():
        day = db.session.get(DailyAttendance, first)
        assert db.session.get(AttendanceEvent, day.check_in_event_id).review_state == "pending"


def test_bulk_approve_validates_the_ids(client, admin_token):
    headers = auth(admin_token)
    cases = [({}, {"attendance_ids": ["The attendance ids field is required."]}),
             ({"attendance_ids": []}, {"attendance_ids": ["The attendance ids field is required."]}),
             ({"attendance_ids": "1,2"}, {"attendance_ids": ["The attendance ids must be an array."]}),
             ({"attendance_ids": [1, "x", -3]}, {"attendance_ids.1": ["The attendance_ids.1 must be a positive integer."],
                                                 "attendance_ids.2": ["The attendance_ids.2 must be a positive integer."]}),
             ({"attendance_ids": list(range(1, 102))},
              {"attendance_ids": ["The attendance ids must not have more than 100 items."]})]
    for body, errors in cases:
        response = client.post(f"{APPROVALS}/bulk-approve", headers=headers, json=body)
        assert response.status_code == 422, body
        assert response.get_json()["errors"] == errors


# ---------------------------------------------------------------------------
# Reports

@pytest.fixture
def week(app, staff, factory):
    """Mon 2026-01-05 .. Fri 2026-01-09 (all past working days): a nurse present Mon, late Tue,
    on approved leave Wed; a doctor present Mon; a petugas present Tue; a teacher (not a person
    of the clinic app, never reported).  The admin who asks (``admin_token``) is reported too."""
    factory.schedule()
    nurse = staff(role="paramedis", name="Ani Perawat")
    doctor = staff(role="dokter", name="=HYPERLINK(\"http://evil\")")
    front = staff(role="petugas", name="Front Office")
    teacher = staff(role="guru", name="Guru Sekolah")
    day_row(app, nurse, "2026-01-05", "2026-01-05T07:50+07:00", "2026-01-05T17:00+07:00")
    day_row(app, nurse, "2026-01-06", "2026-01-06T08:20+07:00", "2026-01-06T16:30+07:00", status="late", late=20)
    day_row(app, doctor, "2026-01-05", "2026-01-05T07:30+07:00", "2026-01-05T16:00+07:00")
    day_row(app, front, "2026-01-06", "2026-01-06T07:45+07:00", "2026-01-06T16:05+07:00")
    day_row(app, teacher, "2026-01-06", "2026-01-06T06:45+07:00", "2026-01-06T14:00+07:00")
    with app.app_context():
        db.session.add(LeaveRequest(user_id=nurse.id, leave_type="cuti", start_date=date(2026, 1, 7),
                                    end_date=date(2026, 1, 7), reason="Keperluan keluarga", status="approved"))
        db.session.commit()
    return {"nurse": nurse, "doctor": doctor, "petugas": front, "teacher": teacher}


def test_attendance_summary_from_the_shared_report(client, admin_token, week):
    response = client.get(f"{REPORTS}/attendance-summary?from=2026-01-05&to=2026-01-09", headers=auth(admin_token))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["period"] == {"from": "2026-01-05", "to": "2026-01-09", "days": 5}
    by_name = {u["user"]["name"]: u for u in data["users"]}
    # everyone who checks in through the clinic app, petugas and admins too; not the teacher
    assert set(by_name) == {"Ani Perawat", "=HYPERLINK(\"http://evil\")", "Front Office", "Admin Klinik"}
    assert (by_name["Front Office"]["present"], by_name["Front Office"]["work_minutes"]) == (1, 500)
    assert by_name["Admin Klinik"]["absent"] == 5
    nurse = by_name["Ani Perawat"]
    assert (nurse["present"], nurse["late"], nurse["cuti"], nurse["absent"], nurse["expected_days"]) == (1, 1, 1, 2, 5)
    assert nurse["attendance_rate"] == 40.0
    assert nurse["work_minutes"] == 550 + 490 and nurse["late_minutes"] == 20
    assert nurse["overtime_minutes"] == 60 + 30  # after the schedule's check-out start, 16:00
    assert data["totals"]["people"] == 4 and data["totals"]["present"] == 3 and data["totals"]["absent"] == 6 + 4 + 5
    assert data["totals"]["attendance_rate"] == 20.0


def test_attendance_summary_for_one_user(client, admin_token, week):
    response = client.get(f"{REPORTS}/attendance-summary?from=2026-01-05&to=2026-01-09&user_id={week['doctor'].id}",
                          headers=auth(admin_token))
    assert [u["user"]["id"] for u in response.get_json()["data"]["users"]] == [week["doctor"].id]


@pytest.mark.parametrize("role", ["petugas", "admin"])
def test_attendance_summary_for_a_petugas_or_an_admin(client, admin_token, week, staff, role):
    """Petugas and admins check in through the clinic app (the contract's login example is a petugas)."""
    person = week["petugas"] if role == "petugas" else staff(role="admin", name="Admin Kedua")
    response = client.get(f"{REPORTS}/attendance-summary?from=2026-01-05&to=2026-01-09&user_id={person.id}",
                          headers=auth(admin_token))
    assert response.status_code == 200, response.get_json()
    (row,) = response.get_json()["data"]["users"]
    assert row["user"] == {"id": person.id, "name": person.name, "email": person.email, "role": role}
    assert row["present"] == (1 if role == "petugas" else 0)
    by_role = client.get(f"{REPORTS}/attendance-summary?from=2026-01-05&to=2026-01-09&role={role}",
                         headers=auth(admin_token))
    assert person.id in [u["user"]["id"] for u in by_role.get_json()["data"]["users"]]


def test_attendance_summary_refusals(client, admin_token, week, staff):
    teacher = week["teacher"]
    retired = staff(role="petugas", is_active=False)
    headers = auth(admin_token)
    cases = [("from=2026-13-01", {"from": ["The from is not a valid date."]}),
             ("from=05-01-2026", {"from": ["The from does not match the format Y-m-d."]}),
             ("from=2026-01-09&to=2026-01-05", {"to": ["The to must be a date after or equal to the start."]}),
             ("from=2026-01-01&to=2026-03-31", {"to": ["A report covers at most 62 days."]}),
             ("user_id=abc", {"user_id": ["The user id must be an integer."]}),
             (f"from=2026-01-05&to=2026-01-09&user_id={teacher.id}", {"user_id": ["The selected user id is invalid."]}),
             (f"from=2026-01-05&to=2026-01-09&user_id={retired.id}", {"user_id": ["The selected user id is invalid."]}),
             ("role=guru", {"role": ["The selected role is invalid."]})]
    for query, errors in cases:
        response = client.get(f"{REPORTS}/attendance-summary?{query}", headers=headers)
        assert response.status_code == 422, query
        assert response.get_json()["errors"] == errors, query


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_csv_escapes_formulas_and_includes_overtime(client, admin_token, week):
    response = client.post(f"{REPORTS}/export-csv", headers=auth(admin_token), json={
        "from_date": "2026-01-05", "to_date": "2026-01-09", "include_overtime": True})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="attendance-2026-01-05-2026-01-09.csv"'
    assert response.headers["X-Request-ID"]
    rows = _csv(response)
    assert rows[0] == ["date", "user_id", "name", "email", "role", "status", "time_in", "time_out",
                       "work_minutes", "late_minutes", "overtime_minutes"]
    assert len(rows) == 1 + 4 * 5  # nurse, doctor, petugas, admin: not the teacher
    assert {r[4] for r in rows[1:]} == {"paramedis", "dokter", "petugas", "admin"}
    front = {r[0]: r for r in rows[1:] if r[1] == str(week["petugas"].id)}
    assert front["2026-01-06"][5:] == ["present", "07:45:00", "16:05:00", "500", "0", "5"]
    doctor_rows = [r for r in rows[1:] if r[1] == str(week["doctor"].id)]
    assert all(r[2] == "'=HYPERLINK(\"http://evil\")" for r in doctor_rows)  # formula escaped
    nurse = {r[0]: r for r in rows[1:] if r[1] == str(week["nurse"].id)}
    assert nurse["2026-01-06"][5:] == ["late", "08:20:00", "16:30:00", "490", "20", "30"]
    assert nurse["2026-01-07"][5] == "cuti" and nurse["2026-01-09"][5:7] == ["absent", ""]


def test_export_csv_for_chosen_users_without_overtime(client, admin_token, week):
    response = client.post(f"{REPORTS}/export-csv", headers=auth(admin_token), json={
        "from_date": "2026-01-05", "to_date": "2026-01-06", "user_ids": [week["nurse"].id]})
    rows = _csv(response)
    assert "overtime_minutes" not in rows[0]
    assert [r[1] for r in rows[1:]] == [str(week["nurse"].id)] * 2


def test_export_csv_for_a_petugas(client, admin_token, week):
    response = client.post(f"{REPORTS}/export-csv", headers=auth(admin_token), json={
        "from_date": "2026-01-06", "to_date": "2026-01-06", "user_ids": [week["petugas"].id]})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = _csv(response)
    assert rows[1][1:8] == [str(week["petugas"].id), "Front Office", week["petugas"].email, "petugas", "present",
                            "07:45:00", "16:05:00"]


def test_export_csv_refusals_are_in_the_envelope(client, admin_token, week, staff):
    headers = auth(admin_token)
    missing = client.post(f"{REPORTS}/export-csv", headers=headers, json={"user_ids": "all", "include_overtime": 3})
    assert missing.status_code == 422
    body = missing.get_json()
    assert_envelope(body, success=False)
    assert body["errors"] == {"from_date": ["The from date field is required."],
                              "to_date": ["The to date field is required."],
                              "user_ids": ["The user ids must be an array."],
                              "include_overtime": ["The include overtime field must be true or false."]}
    reversed_range = client.post(f"{REPORTS}/export-csv", headers=headers,
                                 json={"from_date": "2026-01-09", "to_date": "2026-01-05"})
    assert reversed_range.get_json()["errors"] == {
        "to_date": ["The to date must be a date after or equal to the start."]}
    unknown = client.post(f"{REPORTS}/export-csv", headers=headers, json={
        "from_date": "2026-01-05", "to_date": "2026-01-09", "user_ids": [week["nurse"].id, week["teacher"].id]})
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"] == {"user_ids.1": ["The selected user_ids.1 is invalid."]}


def test_reports_judge_a_night_shift_to_the_next_morning_and_keep_the_seconds(app, client, admin_token, factory,
                                                                                 staff):
    """A night shift's overtime runs from its check-out start on the next morning, in whole minutes
    rounded down; the export's times keep their seconds; a rejected check-in counts no minutes and
    its day is absent."""
    factory.schedule()
    night = factory.schedule(name="Shift Malam", check_in=("19:00", "22:00"), check_out=("04:00", "06:00"),
                             late_after="20:00", active=False)
    nurse = staff(role="paramedis", name="Perawat Malam")
    with app.app_context():
        db.session.add_all([
            DailyAttendance(user_id=nurse.id, work_date=date(2026, 1, 5), schedule_id=night.id, status="present",
                            time_in=_utc("2026-01-05T19:10:30+07:00"), time_out=_utc("2026-01-06T05:30:59.900+07:00"),
                            worked_minutes=620, late_minutes=0),
            DailyAttendance(user_id=nurse.id, work_date=date(2026, 1, 6), schedule_id=night.id, status="rejected",
                            time_in=None, time_out=None, worked_minutes=None, late_minutes=15)])
        db.session.commit()
    headers = auth(admin_token)
    summary = client.get(f"{REPORTS}/attendance-summary?from=2026-01-05&to=2026-01-06&user_id={nurse.id}",
                         headers=headers)
    (row,) = summary.get_json()["data"]["users"]
    assert (row["present"], row["absent"], row["work_minutes"], row["late_minutes"], row["overtime_minutes"]) == \
        (1, 1, 620, 0, 90)
    export = client.post(f"{REPORTS}/export-csv", headers=headers, json={
        "from_date": "2026-01-05", "to_date": "2026-01-06", "user_ids": [nurse.id], "include_overtime": True})
    rows = _csv(export)
    assert rows[1][5:] == ["present", "19:10:30", "05:30:59", "620", "0", "90"]
    assert rows[2][5:] == ["absent", "", "", "", "", ""]
