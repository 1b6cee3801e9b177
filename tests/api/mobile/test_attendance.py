"""Contract 001, "Absensi": absenmasuk, absenpulang, getabsen, kantor.

Rules under test: the NPP comes from the token; check-in/out only inside the
active jam kerja window (server clock, Asia/Jakarta), also across midnight;
once per work day; geofence → accepted or pending_review (never dropped);
bad input → 422 naming the field and nothing recorded; Idempotency-Key retries.
"""
from __future__ import annotations

import pytest

from app.attendance.models import AttendanceEvent, DailyAttendance

from .conftest import AT_OFFICE, validation_fields


@pytest.fixture
def office(factory):
    return factory.office(code="0001", name="Kantor Pusat Jakarta", lat=-6.2088, lon=106.8456, radius=100)


@pytest.fixture
def user(factory, office):
    factory.schedule()  # 07:00-09:00 in, 16:00-18:00 out, late after 08:00
    return factory.user(npp="10001", office=office)


@pytest.fixture
def headers(auth, user):
    return auth(user)


def check_in(client, headers, body=None, **kw):
    return client.post("/api/absenmasuk", json=AT_OFFICE if body is None else body, headers=headers, **kw)


def check_out(client, headers, body=None, **kw):
    return client.post("/api/absenpulang", json=AT_OFFICE if body is None else body, headers=headers, **kw)


def history(client, headers, year="2026", month="1", **extra):
    return client.post("/api/getabsen", json={"year": year, "month": month, **extra}, headers=headers)


# --- check-in / check-out happy paths -------------------------------------------

def test_check_in_inside_window_and_geofence(client, headers, user, freeze_time, fetch):
    freeze_time("2026-01-30T07:55:00+07:00")
    r = check_in(client, headers, {**AT_OFFICE, "branch_id": "0001"})
    assert r.status_code == 200
    assert r.json == {
        "rcode": "00",
        "message": "Check-in successful",
        "data": {"status": "accepted", "reason": None, "distance_m": 0.0, "time": "07:55", "tanggal": "2026-01-30"},
    }
    events = fetch(AttendanceEvent)
    assert len(events) == 1
    e = events[0]
    assert (e.user_id, e.kind, e.source, e.review_state, e.device_id) == (
        user.id, "check_in", "mobile_gps", "not_required", "dev-10001")
    assert (e.latitude, e.longitude) == (-6.2088, 106.8456)
    assert e.work_date.isoformat() == "2026-01-30"
    assert e.occurred_at.isoformat() == "2026-01-30T00:55:00+00:00"


def test_check_out_after_check_in(client, headers, user, freeze_time, fetch):
    freeze_time("2026-01-30T08:00:00+07:00")
    assert check_in(client, headers).json["rcode"] == "00"
    freeze_time("2026-01-30T17:05:00+07:00")
    r = check_out(client, headers)
    assert r.status_code == 200
    assert r.json == {
        "rcode": "00",
        "message": "Check-out successful",
        "data": {"status": "accepted", "reason": None, "distance_m": 0.0, "time": "17:05", "tanggal": "2026-01-30"},
    }
    assert [e.kind for e in fetch(AttendanceEvent)] == ["check_in", "check_out"]
    days = fetch(DailyAttendance)
    assert len(days) == 1
    assert days[0].worked_minutes == 9 * 60 + 5


def test_coordinates_as_numbers_are_accepted(client, headers, freeze_time):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers, {"latitude": -6.2088, "longitude": 106.8456})
    assert r.status_code == 200
    assert r.json["data"]["status"] == "accepted"


def test_form_encoded_check_in_is_accepted(client, headers, freeze_time, count):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = client.post("/api/absenmasuk", data=AT_OFFICE, headers=headers)
    assert r.status_code == 200
    assert r.json["rcode"] == "00"
    assert count(AttendanceEvent) == 1


# --- once per work day -------------------------------------------------------------

def test_second_check_in_of_the_day_is_a_conflict(client, headers, freeze_time, count):
    freeze_time("2026-01-30T07:30:00+07:00")
    assert check_in(client, headers).status_code == 200
    freeze_time("2026-01-30T08:30:00+07:00")
    r = check_in(client, headers)
    assert r.status_code == 400
    assert r.json == {"rcode": "82", "message": "You have already checked in today"}
    assert count(AttendanceEvent) == 1


def test_second_check_out_of_the_day_is_a_conflict(client, headers, freeze_time, count):
    freeze_time("2026-01-30T07:30:00+07:00")
    check_in(client, headers)
    freeze_time("2026-01-30T16:30:00+07:00")
    assert check_out(client, headers).status_code == 200
    freeze_time("2026-01-30T17:30:00+07:00")
    r = check_out(client, headers)
    assert r.status_code == 400
    assert r.json == {"rcode": "82", "message": "You have already checked out today"}
    assert count(AttendanceEvent, kind="check_out") == 1


def test_next_day_check_in_is_allowed(client, headers, freeze_time, count):
    freeze_time("2026-01-29T07:30:00+07:00")
    assert check_in(client, headers).status_code == 200
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers)
    assert r.status_code == 200
    assert r.json["data"]["tanggal"] == "2026-01-30"
    assert count(DailyAttendance) == 2


def test_check_out_without_check_in_is_refused(client, headers, freeze_time, count):
    freeze_time("2026-01-30T16:30:00+07:00")
    r = check_out(client, headers)
    assert r.status_code == 400
    assert r.json == {"rcode": "83", "message": "You have not checked in today."}
    assert count(AttendanceEvent) == 0


# --- the jam kerja window -----------------------------------------------------------

@pytest.mark.parametrize("moment, message", [
    ("2026-01-30T06:59:59+07:00", "Check-in not available yet"),
    ("2026-01-30T00:30:00+07:00", "Check-in not available yet"),
    ("2026-01-30T09:01:00+07:00", "Check-in window has closed"),
    ("2026-01-30T12:00:00+07:00", "Check-in window has closed"),
    # The server clock is in UTC; 07:30 UTC is 14:30 in Jakarta.
    ("2026-01-30T07:30:00+00:00", "Check-in window has closed"),
])
def test_check_in_outside_the_window_is_refused(client, headers, freeze_time, count, moment, message):
    freeze_time(moment)
    r = check_in(client, headers)
    assert r.status_code == 400
    assert r.json == {"rcode": "83", "message": message}
    assert count(AttendanceEvent) == 0
    assert count(DailyAttendance) == 0


@pytest.mark.parametrize("moment", ["2026-01-30T07:00:00+07:00", "2026-01-30T09:00:59+07:00",
                                    "2026-01-30T01:30:00+00:00"])
def test_check_in_window_edges_are_inclusive(client, headers, freeze_time, moment):
    freeze_time(moment)
    r = check_in(client, headers)
    assert r.status_code == 200, r.json
    assert r.json["rcode"] == "00"


@pytest.mark.parametrize("moment, message", [
    ("2026-01-30T15:59:00+07:00", "Check-out not available yet"),
    ("2026-01-30T18:01:00+07:00", "Check-out window has closed"),
])
def test_check_out_outside_the_window_is_refused(client, headers, freeze_time, count, moment, message):
    freeze_time("2026-01-30T07:30:00+07:00")
    assert check_in(client, headers).status_code == 200
    freeze_time(moment)
    r = check_out(client, headers)
    assert r.status_code == 400
    assert r.json == {"rcode": "83", "message": message}
    assert count(AttendanceEvent, kind="check_out") == 0


def test_no_active_schedule_refuses_check_in(client, factory, auth, office, freeze_time, count):
    user = factory.user(npp="10001", office=office)
    headers = auth(user)
    freeze_time("2026-01-30T08:00:00+07:00")
    r = check_in(client, headers)
    assert r.status_code == 400
    assert r.json == {"rcode": "83", "message": "No active attendance time setting"}
    assert count(AttendanceEvent) == 0


@pytest.fixture
def night_shift(factory, office):
    """Contract 001's "Jam Kerja Shift Malam": in 20:00-22:00, out 04:00-06:00 (next day)."""
    factory.schedule(name="Jam Kerja Shift Malam", check_in=("20:00", "22:00"), check_out=("04:00", "06:00"),
                     late_after=None)
    return factory.user(npp="20001", office=office)


def test_night_shift_belongs_to_the_day_it_started(client, auth, night_shift, freeze_time):
    headers = auth(night_shift)
    freeze_time("2026-01-30T21:00:00+07:00")
    r = check_in(client, headers)
    assert r.status_code == 200
    assert r.json["data"] == {"status": "accepted", "reason": None, "distance_m": 0.0, "time": "21:00",
                              "tanggal": "2026-01-30"}
    freeze_time("2026-01-31T05:00:00+07:00")
    r = check_out(client, headers)
    assert r.status_code == 200
    assert r.json["data"]["tanggal"] == "2026-01-30"
    assert r.json["data"]["time"] == "05:00"
    r = history(client, headers, "2026", "1")
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "data": [
        {"tanggal": "2026-01-30", "jam_masuk": "21:00", "jam_keluar": "05:00", "ket_absensi": "-"},
    ]}


def test_night_shift_across_a_month_boundary(client, auth, night_shift, freeze_time):
    headers = auth(night_shift)
    freeze_time("2026-01-31T21:30:00+07:00")
    assert check_in(client, headers).status_code == 200
    freeze_time("2026-02-01T04:10:00+07:00")
    assert check_out(client, headers).json["data"]["tanggal"] == "2026-01-31"
    assert history(client, headers, "2026", "2").json["data"] == []
    assert history(client, headers, "2026", "1").json["data"] == [
        {"tanggal": "2026-01-31", "jam_masuk": "21:30", "jam_keluar": "04:10", "ket_absensi": "-"}]


@pytest.mark.parametrize("kind, moment, message", [
    ("in", "2026-01-31T05:00:00+07:00", "Check-in not available yet"),
    ("in", "2026-01-30T22:01:00+07:00", "Check-in window has closed"),
    ("out", "2026-01-30T23:00:00+07:00", "Check-out not available yet"),
    ("out", "2026-01-31T06:01:00+07:00", "Check-out window has closed"),
    ("out", "2026-01-31T19:00:00+07:00", "Check-out window has closed"),
])
def test_night_shift_windows(client, auth, night_shift, freeze_time, count, kind, moment, message):
    headers = auth(night_shift)
    if kind == "out":
        freeze_time("2026-01-30T20:30:00+07:00")
        assert check_in(client, headers).status_code == 200
    freeze_time(moment)
    r = (check_in if kind == "in" else check_out)(client, headers)
    assert r.status_code == 400
    assert r.json == {"rcode": "83", "message": message}
    assert count(AttendanceEvent) == (1 if kind == "out" else 0)


# --- geofence --------------------------------------------------------------------------

def test_inside_the_radius_is_accepted(client, headers, freeze_time, fetch):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers, {"latitude": "-6.2092", "longitude": "106.8456", "accuracy": 20})
    assert r.status_code == 200
    data = r.json["data"]
    assert data["status"] == "accepted"
    assert data["reason"] is None
    assert 40 < data["distance_m"] < 50
    assert fetch(AttendanceEvent)[0].review_state == "not_required"


def test_outside_the_radius_is_recorded_for_review(client, headers, freeze_time, fetch):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers, {"latitude": "-6.2188", "longitude": "106.8456"})
    assert r.status_code == 200
    assert r.json["rcode"] == "00"
    assert r.json["message"] == "Check-in recorded, awaiting review"
    data = r.json["data"]
    assert data["status"] == "pending_review"
    assert data["reason"] == "outside_geofence"
    assert 1100 < data["distance_m"] < 1125
    events = fetch(AttendanceEvent)
    assert [(e.review_state, e.flag_reason) for e in events] == [("pending", "outside_geofence")]
    assert history(client, headers).json["data"][0]["ket_absensi"] == "Menunggu verifikasi"


def test_accuracy_worse_than_the_radius_is_recorded_for_review(client, headers, freeze_time, fetch):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers, {**AT_OFFICE, "accuracy": 150})
    assert r.status_code == 200
    assert r.json["rcode"] == "00"
    assert r.json["data"]["status"] == "pending_review"
    assert r.json["data"]["reason"] == "low_accuracy"
    assert [(e.review_state, e.flag_reason) for e in fetch(AttendanceEvent)] == [("pending", "low_accuracy")]


def test_check_out_outside_the_radius_is_recorded_for_review(client, headers, freeze_time, fetch):
    freeze_time("2026-01-30T07:30:00+07:00")
    check_in(client, headers)
    freeze_time("2026-01-30T16:30:00+07:00")
    r = check_out(client, headers, {"latitude": "-6.3", "longitude": "106.9"})
    assert r.status_code == 200
    assert r.json["message"] == "Check-out recorded, awaiting review"
    assert r.json["data"]["status"] == "pending_review"
    assert [(e.kind, e.review_state) for e in fetch(AttendanceEvent)] == [
        ("check_in", "not_required"), ("check_out", "pending")]


def test_user_without_office_is_recorded_for_review(client, factory, auth, freeze_time, fetch):
    factory.schedule()
    headers = auth(factory.user(npp="10009"))
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers)
    assert r.status_code == 200
    assert r.json["data"]["status"] == "pending_review"
    assert r.json["data"]["reason"] == "no_office"
    assert r.json["data"]["distance_m"] is None
    assert fetch(AttendanceEvent)[0].review_state == "pending"


def test_branch_id_selects_the_office_to_check_against(client, factory, headers, freeze_time, fetch):
    """A branch that is not the person's own is its geofence, and the check-in waits for review."""
    branch = factory.office(code="0002", name="Cabang Bandung", lat=-6.9175, lon=107.6191, radius=200)
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers, {"latitude": "-6.9175", "longitude": "107.6191", "branch_id": "0002"})
    assert r.status_code == 200
    assert r.json["data"]["status"] == "pending_review" and r.json["data"]["reason"] == "wrong_office"
    assert r.json["data"]["distance_m"] == 0.0
    assert fetch(AttendanceEvent)[0].office_id == branch.id


def test_branch_id_of_a_person_without_an_office_is_accepted(client, factory, auth, freeze_time, fetch):
    factory.schedule()
    branch = factory.office(code="0002", name="Cabang Bandung", lat=-6.9175, lon=107.6191, radius=200)
    headers = auth(factory.user(npp="10009"))
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers, {"latitude": "-6.9175", "longitude": "107.6191", "branch_id": "0002"})
    assert r.status_code == 200 and r.json["data"]["status"] == "accepted"
    assert fetch(AttendanceEvent)[0].office_id == branch.id


# --- validation: 422 naming the field, and nothing recorded ------------------------------

BAD_POSITIONS = [
    ({"longitude": "106.8456"}, "latitude"),
    ({"latitude": "-6.2088"}, "longitude"),
    ({"latitude": "", "longitude": "106.8456"}, "latitude"),
    ({"latitude": None, "longitude": "106.8456"}, "latitude"),
    ({"latitude": "NaN", "longitude": "106.8456"}, "latitude"),
    ({"latitude": "nan", "longitude": "106.8456"}, "latitude"),
    ({"latitude": "-6.2088", "longitude": "Infinity"}, "longitude"),
    ({"latitude": "-Infinity", "longitude": "106.8456"}, "latitude"),
    ({"latitude": "1e999", "longitude": "106.8456"}, "latitude"),
    ({"latitude": "abc", "longitude": "106.8456"}, "latitude"),
    ({"latitude": "-6.2088", "longitude": "106,8456"}, "longitude"),
    ({"latitude": "91", "longitude": "106.8456"}, "latitude"),
    ({"latitude": -90.0001, "longitude": "106.8456"}, "latitude"),
    ({"latitude": "-6.2088", "longitude": "181"}, "longitude"),
    ({"latitude": "-6.2088", "longitude": -180.5}, "longitude"),
    ({"latitude": "-6." + "2" * 48, "longitude": "106.8456"}, "latitude"),       # 51 characters
    ({"latitude": "-6.2088", "longitude": "106." + "8" * 47}, "longitude"),     # 51 characters
    ({"latitude": True, "longitude": "106.8456"}, "latitude"),
    ({"latitude": "-6.2088", "longitude": False}, "longitude"),
    ({"latitude": ["-6.2088"], "longitude": "106.8456"}, "latitude"),
    ({"latitude": {"v": 1}, "longitude": "106.8456"}, "latitude"),
    ({**AT_OFFICE, "accuracy": "abc"}, "accuracy"),
    ({**AT_OFFICE, "accuracy": -1}, "accuracy"),
    ({**AT_OFFICE, "accuracy": "NaN"}, "accuracy"),
    ({**AT_OFFICE, "accuracy": True}, "accuracy"),
    ({**AT_OFFICE, "branch_id": "9999"}, "branch_id"),
    ({**AT_OFFICE, "branch_id": "0" * 21}, "branch_id"),
    ({**AT_OFFICE, "branch_id": False}, "branch_id"),
]


@pytest.mark.parametrize("path", ["/api/absenmasuk", "/api/absenpulang"])
@pytest.mark.parametrize("body, field", BAD_POSITIONS)
def test_bad_position_is_refused_and_nothing_is_recorded(client, headers, freeze_time, count, path, body, field):
    freeze_time("2026-01-30T07:30:00+07:00" if path.endswith("masuk") else "2026-01-30T16:30:00+07:00")
    r = client.post(path, json=body, headers=headers)
    assert validation_fields(r) == {field}
    assert count(AttendanceEvent) == 0
    assert count(DailyAttendance) == 0


def test_missing_position_uses_the_contract_messages(client, headers, freeze_time, count):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers, {})
    assert r.status_code == 422
    assert r.json == {
        "rcode": "01",
        "message": "Validation failed",
        "errors": {
            "latitude": ["Latitude is required for location verification"],
            "longitude": ["Longitude is required for location verification"],
        },
    }
    assert count(AttendanceEvent) == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_json_literals_are_refused(client, headers, freeze_time, count, literal):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = client.post("/api/absenmasuk", data=f'{{"latitude": {literal}, "longitude": 106.8456}}',
                    content_type="application/json", headers=headers)
    assert validation_fields(r) == {"latitude"}
    assert count(AttendanceEvent) == 0


def test_invalid_input_is_refused_even_outside_the_window(client, headers, freeze_time, count):
    freeze_time("2026-01-30T03:00:00+07:00")
    r = check_in(client, headers, {"latitude": "abc", "longitude": "106.8456"})
    assert validation_fields(r) == {"latitude"}
    assert count(AttendanceEvent) == 0


# --- the NPP comes from the token ------------------------------------------------------

def test_npp_in_the_body_is_ignored(client, factory, auth, user, office, freeze_time, fetch):
    other = factory.user(npp="10002", office=office)
    headers_other = auth(other)
    headers_me = auth(user)
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, headers_me, {**AT_OFFICE, "npp": "10002"})
    assert r.status_code == 200
    assert [e.user_id for e in fetch(AttendanceEvent)] == [user.id]
    # The other user's own check-in is still possible: nothing was recorded for them.
    freeze_time("2026-01-30T07:45:00+07:00")
    assert check_in(client, headers_other).status_code == 200
    freeze_time("2026-01-30T16:30:00+07:00")
    r = check_out(client, headers_me, {**AT_OFFICE, "npp": "10002"})
    assert r.status_code == 200
    assert [(e.user_id, e.kind) for e in fetch(AttendanceEvent)] == [
        (user.id, "check_in"), (other.id, "check_in"), (user.id, "check_out")]


def test_getabsen_reads_the_token_users_history_whatever_npp_says(client, factory, auth, user, office, freeze_time):
    other = factory.user(npp="10002", office=office)
    headers_other = auth(other)
    headers_me = auth(user)
    freeze_time("2026-01-30T07:10:00+07:00")
    check_in(client, headers_other)
    freeze_time("2026-01-30T07:40:00+07:00")
    check_in(client, headers_me)
    r = history(client, headers_me, npp="10002")
    assert r.status_code == 200
    assert r.json["data"] == [{"tanggal": "2026-01-30", "jam_masuk": "07:40", "jam_keluar": None, "ket_absensi": "-"}]


# --- Idempotency-Key -------------------------------------------------------------------

def test_retried_check_in_with_the_same_key_is_recorded_once(client, headers, freeze_time, count):
    freeze_time("2026-01-30T07:30:00+07:00")
    key = {"Idempotency-Key": "5f0c2a8e-1b7d-4b6e-9f3a-2d1c0e9b8a77"}
    first = check_in(client, {**headers, **key})
    assert first.status_code == 200
    freeze_time("2026-01-30T07:31:00+07:00")
    again = check_in(client, {**headers, **key})
    assert again.status_code == 200
    assert again.json == first.json
    assert again.json["rcode"] == "00"
    assert count(AttendanceEvent) == 1
    # A new attempt (a new key) is a second check-in and is refused.
    r = check_in(client, {**headers, "Idempotency-Key": "another-key"})
    assert r.json["rcode"] == "82"
    assert count(AttendanceEvent) == 1


def test_retry_after_the_window_closed_still_returns_the_recorded_check_in(client, headers, freeze_time, count):
    freeze_time("2026-01-30T08:59:50+07:00")
    key = {"Idempotency-Key": "late-retry-1"}
    assert check_in(client, {**headers, **key}).status_code == 200
    freeze_time("2026-01-30T09:05:00+07:00")
    r = check_in(client, {**headers, **key})
    assert r.status_code == 200
    assert r.json["rcode"] == "00"
    assert r.json["data"]["time"] == "08:59"
    assert count(AttendanceEvent) == 1


def test_client_ref_in_the_body_is_an_idempotency_key_too(client, headers, freeze_time, count):
    freeze_time("2026-01-30T07:30:00+07:00")
    body = {**AT_OFFICE, "client_ref": "offline-123"}
    assert check_in(client, headers, body).status_code == 200
    assert check_in(client, headers, body).json["rcode"] == "00"
    assert count(AttendanceEvent) == 1


def test_a_check_in_key_reused_for_check_out_is_refused(client, headers, freeze_time, count):
    freeze_time("2026-01-30T07:30:00+07:00")
    key = {"Idempotency-Key": "same-key"}
    assert check_in(client, {**headers, **key}).status_code == 200
    freeze_time("2026-01-30T16:30:00+07:00")
    r = check_out(client, {**headers, **key})
    assert validation_fields(r) == {"client_ref"}
    assert count(AttendanceEvent, kind="check_out") == 0
    # With its own key the check-out goes through.
    r = check_out(client, {**headers, "Idempotency-Key": "other-key"})
    assert r.json["message"] == "Check-out successful"


def test_overlong_idempotency_key_is_refused(client, headers, freeze_time, count):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = check_in(client, {**headers, "Idempotency-Key": "k" * 65})
    assert validation_fields(r) == {"client_ref"}
    assert count(AttendanceEvent) == 0


def test_keys_are_per_user(client, factory, auth, user, office, headers, freeze_time, count):
    other = factory.user(npp="10002", office=office)
    headers_other = auth(other)
    freeze_time("2026-01-30T07:30:00+07:00")
    key = {"Idempotency-Key": "shared-key"}
    assert check_in(client, {**headers, **key}).status_code == 200
    assert check_in(client, {**headers_other, **key}).status_code == 200
    assert count(AttendanceEvent) == 2


# --- getabsen ----------------------------------------------------------------------------

def test_getabsen_lists_the_month_newest_first(client, headers, freeze_time):
    freeze_time("2026-01-29T08:15:00+07:00")
    check_in(client, headers)
    freeze_time("2026-01-29T17:30:00+07:00")
    check_out(client, headers)
    freeze_time("2026-01-30T08:00:00+07:00")
    check_in(client, headers)
    freeze_time("2026-01-30T17:00:00+07:00")
    check_out(client, headers)
    freeze_time("2026-02-02T07:30:00+07:00")
    check_in(client, headers)
    r = history(client, headers, "2026", "1")
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "data": [
        {"tanggal": "2026-01-30", "jam_masuk": "08:00", "jam_keluar": "17:00", "ket_absensi": "-"},
        {"tanggal": "2026-01-29", "jam_masuk": "08:15", "jam_keluar": "17:30", "ket_absensi": "Terlambat 15 menit"},
    ]}
    r = history(client, headers, 2026, 2)
    assert r.json["data"] == [{"tanggal": "2026-02-02", "jam_masuk": "07:30", "jam_keluar": None,
                               "ket_absensi": "-"}]
    assert history(client, headers, "2025", "12").json == {"rcode": "00", "message": "Success", "data": []}


@pytest.mark.parametrize("body, fields", [
    ({}, {"year", "month"}),
    ({"year": "2026"}, {"month"}),
    ({"month": "1"}, {"year"}),
    ({"year": "1999", "month": "1"}, {"year"}),
    ({"year": "2101", "month": "1"}, {"year"}),
    ({"year": "26", "month": "1"}, {"year"}),
    ({"year": "abc", "month": "1"}, {"year"}),
    ({"year": "2026", "month": "0"}, {"month"}),
    ({"year": "2026", "month": "13"}, {"month"}),
    ({"year": "2026", "month": "1.5"}, {"month"}),
    ({"year": "2026", "month": True}, {"month"}),
    ({"year": "x", "month": "y"}, {"year", "month"}),
])
def test_getabsen_validation(client, headers, body, fields):
    r = client.post("/api/getabsen", json=body, headers=headers)
    assert validation_fields(r) == fields


# --- kantor ------------------------------------------------------------------------------

def test_kantor_returns_the_office(client, headers):
    r = client.post("/api/kantor", json={"kode_kantor": "0001"}, headers=headers)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "data": {
        "kode_kantor": "0001", "nama_kantor": "Kantor Pusat Jakarta",
        "latitude": "-6.2088", "longitude": "106.8456", "radius": 100}}


def test_kantor_keeps_every_digit_of_the_coordinates(client, factory, headers):
    factory.office(code="010", name="Kantor Presisi", lat=-6.20881234, lon=106.84567891, radius=75)
    r = client.post("/api/kantor", json={"kode_kantor": "010"}, headers=headers)
    assert r.status_code == 200
    data = r.json["data"]
    assert data == {"kode_kantor": "010", "nama_kantor": "Kantor Presisi", "latitude": "-6.20881234",
                    "longitude": "106.84567891", "radius": 75}
    assert float(data["latitude"]) == -6.20881234


def test_kantor_unknown_or_inactive_is_not_found(client, factory, headers):
    factory.office(code="0003", name="Kantor Tutup", is_active=False)
    for code in ("9999", "0003"):
        r = client.post("/api/kantor", json={"kode_kantor": code}, headers=headers)
        assert r.status_code == 404
        assert r.json == {"rcode": "81", "message": "Kantor tidak ditemukan"}


@pytest.mark.parametrize("body", [{}, {"kode_kantor": ""}, {"kode_kantor": None}, {"kode_kantor": "0" * 21},
                                  {"kode_kantor": False}])
def test_kantor_validation(client, headers, body):
    r = client.post("/api/kantor", json=body, headers=headers)
    assert validation_fields(r) == {"kode_kantor"}
