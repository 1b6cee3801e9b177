"""Contract 000 "Offline Support": data package, sync (replays recorded once, far past/future refused,
every record held for review), status."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.attendance import offline
from app.attendance.models import AttendanceEvent, DailyAttendance, OfflineSyncLog
from app.extensions import db

from .conftest import BASE, assert_envelope, auth

#: The server's clock: the evening of the day recorded offline (Jakarta, UTC+7).
NOW = "2026-01-30T17:00:00+07:00"
URL = f"{BASE}/offline/sync-attendance"


@pytest.fixture(autouse=True)
def now(freeze_time):
    return freeze_time(NOW)


@pytest.fixture
def setup(factory, staff, login):
    office = factory.office()
    factory.schedule()  # in 07:00-09:00, late after 08:00, out 16:00-18:00
    user = staff(role="paramedis", office=office)
    other = staff(role="dokter", office=office)
    return {"office": office, "user": user, "token": login(user), "other": other, "other_token": login(other)}


def record(local_id="loc-1", action="checkin", timestamp="2026-01-30T01:30:00.000000Z", **extra):
    """One offline record (01:30Z is 08:30 in Jakarta)."""
    return {"local_id": local_id, "action": action, "timestamp": timestamp, "latitude": -6.2089,
            "longitude": 106.8456, "offline_created": True, **extra}


def sync(client, token, *records):
    return client.post(URL, headers=auth(token), json={"offline_records": list(records)})


def test_sync_records_the_attendance_for_review(client, setup, app):
    response = sync(client, setup["token"], record(), record("loc-2", "checkout", "2026-01-30T09:45:00Z"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert_envelope(body, success=True)
    data = body["data"]
    assert (data["synced_count"], data["duplicate_count"], data["failed_count"]) == (2, 0, 0)
    first, second = data["results"]
    assert first["local_id"] == "loc-1" and first["status"] == "synced" and first["date"] == "2026-01-30"
    assert first["requires_review"] is True and first["review_reason"] == "offline"
    assert first["recorded_time"] == "2026-01-30T01:30:00.000000Z"
    assert second["local_id"] == "loc-2" and second["attendance_id"] == first["attendance_id"]
    with app.app_context():
        day = db.session.get(DailyAttendance, first["attendance_id"])
        assert day.user_id == setup["user"].id and day.status == "pending_review"
        assert day.late_minutes == 30 and day.time_out is not None
        events = db.session.scalars(db.select(AttendanceEvent)).all()
        assert {(e.source, e.review_state) for e in events} == {("offline", "pending")}


def test_a_record_replayed_three_times_is_recorded_once(client, setup, app):
    results = [sync(client, setup["token"], record()).get_json()["data"] for _ in range(3)]
    assert results[0]["results"][0]["status"] == "synced"
    for later in results[1:]:
        assert later["duplicate_count"] == 1 and later["synced_count"] == 0
        assert later["results"][0]["status"] == "duplicate"
        assert later["results"][0]["attendance_id"] == results[0]["results"][0]["attendance_id"]
        assert "event_id" not in later["results"][0]  # one id space: the attendance's
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 1
        assert db.session.scalar(db.select(db.func.count(DailyAttendance.id))) == 1
        assert db.session.scalar(db.select(db.func.count(OfflineSyncLog.id))) == 1


def test_the_same_record_twice_in_one_batch_is_recorded_once(client, setup, app):
    data = sync(client, setup["token"], record(), record()).get_json()["data"]
    assert [r["status"] for r in data["results"]] == ["synced", "duplicate"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 1


@pytest.mark.parametrize("timestamp, reason", [
    ("2026-01-30T10:10:00Z", "future"),  # 17:10 local: ten minutes ahead of the server
    ("2027-01-30T01:30:00Z", "future"),
    ("2025-12-01T01:30:00Z", "too_old"),  # two months back
    ("2001-01-01T00:00:00+07:00", "too_old"),
])
def test_records_far_in_the_past_or_future_are_refused(client, setup, app, timestamp, reason):
    response = sync(client, setup["token"], record(timestamp=timestamp))
    assert response.status_code == 200
    result = response.get_json()["data"]["results"][0]
    assert result["status"] == "failed" and result["reason"] == reason and result["attendance_id"] is None
    assert isinstance(result["error"], str)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 0
        assert db.session.scalar(db.select(db.func.count(DailyAttendance.id))) == 0


def test_a_recent_past_record_is_accepted_only_for_review(client, setup, app):
    result = sync(client, setup["token"], record(timestamp="2026-01-20T01:30:00Z")).get_json()["data"]["results"][0]
    assert result["status"] == "synced" and result["requires_review"] is True
    with app.app_context():
        assert db.session.get(DailyAttendance, result["attendance_id"]).status == "pending_review"


def test_one_refused_record_does_not_refuse_the_others(client, setup, app):
    data = sync(client, setup["token"], record("a"), record("b", "checkout", "2026-02-05T01:30:00Z"),
                record("c", "checkin", "2026-01-29T01:30:00Z")).get_json()["data"]
    assert [r["status"] for r in data["results"]] == ["synced", "failed", "synced"]
    assert data["failed_count"] == 1 and data["results"][1]["reason"] == "future"


def test_business_refusals_are_reported_per_record(client, setup):
    data = sync(client, setup["token"], record("out", "checkout", "2026-01-29T10:00:00Z")).get_json()["data"]
    assert data["results"][0]["reason"] == "not_checked_in"
    sync(client, setup["token"], record("in-1"))
    data = sync(client, setup["token"], record("in-2", timestamp="2026-01-30T01:45:00Z")).get_json()["data"]
    assert data["results"][0]["status"] == "failed" and data["results"][0]["reason"] == "already_checked_in"


@pytest.mark.parametrize("bad, field", [
    ({"local_id": None}, "local_id"),
    ({"local_id": 12}, "local_id"),
    ({"local_id": "x" * 65}, "local_id"),
    ({"action": "teleport"}, "action"),
    ({"timestamp": "2026-01-30 08:30:00"}, "timestamp"),  # no zone
    ({"timestamp": "2026-02-30T01:30:00Z"}, "timestamp"),
    ({"timestamp": 1769736600}, "timestamp"),
    ({"latitude": "north"}, "latitude"),
    ({"latitude": 91}, "latitude"),
    ({"longitude": None}, "longitude"),
    ({"accuracy": -1}, "accuracy"),
    ({"offline_created": "perhaps"}, "offline_created"),
])
def test_malformed_records_fail_with_field_errors(client, setup, app, bad, field):
    response = sync(client, setup["token"], record(**bad), record("good"))
    assert response.status_code == 200
    results = response.get_json()["data"]["results"]
    assert results[0]["status"] == "failed" and results[0]["reason"] == "invalid"
    assert field in results[0]["errors"]
    assert results[1]["status"] == "synced"


def test_nan_coordinates_are_refused(client, setup, app):
    response = client.post(URL, headers={**auth(setup["token"]), "Content-Type": "application/json"},
                           data='{"offline_records": [{"local_id": "n", "action": "checkin", '
                                '"timestamp": "2026-01-30T01:30:00Z", "latitude": NaN, "longitude": Infinity}]}')
    if response.status_code == 200:
        result = response.get_json()["data"]["results"][0]
        assert result["status"] == "failed" and "latitude" in result["errors"]
    else:
        assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 0


@pytest.mark.parametrize("payload", [{}, {"offline_records": []}, {"offline_records": "all"},
                                     {"offline_records": {"local_id": "x"}},
                                     {"offline_records": [record(f"r{i}") for i in range(offline.MAX_BATCH + 1)]}])
def test_the_batch_itself_must_be_a_non_empty_bounded_list(client, setup, payload):
    response = client.post(URL, headers=auth(setup["token"]), json=payload)
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert "offline_records" in body["errors"]


def test_records_that_are_not_objects_fail_alone(client, setup):
    data = sync(client, setup["token"], "nope", 7, record()).get_json()["data"]
    assert [r["status"] for r in data["results"]] == ["failed", "failed", "synced"]
    assert "record" in data["results"][0]["errors"]


def test_sync_needs_a_token_and_counts_against_the_attendance_limit(client, setup):
    assert client.post(URL, json={"offline_records": [record()]}).status_code == 401
    response = sync(client, setup["token"], record())
    assert response.headers["X-RateLimit-Limit"] == "10"


def test_people_only_sync_their_own_attendance(client, setup, app):
    sync(client, setup["token"], record())
    result = sync(client, setup["other_token"], record()).get_json()["data"]["results"][0]
    assert result["status"] == "synced"
    with app.app_context():
        owners = db.session.scalars(db.select(DailyAttendance.user_id)).all()
    assert sorted(owners) == sorted([setup["user"].id, setup["other"].id])
    # A user_id in the record is ignored: the record is always the sender's.
    data = sync(client, setup["other_token"], record("x", "checkout", "2026-01-30T09:30:00Z",
                                                     user_id=setup["user"].id)).get_json()["data"]
    with app.app_context():
        day = db.session.get(DailyAttendance, data["results"][0]["attendance_id"])
        assert day.user_id == setup["other"].id


def test_data_package(client, setup, factory):
    factory.office(code="0002", name="Klinik Cabang", is_active=False)
    response = client.get(f"{BASE}/offline/data?types=locations,users,schedule", headers=auth(setup["token"]))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert [loc["name"] for loc in data["locations"]] == ["Kantor Pusat Jakarta"]
    assert data["users"]["id"] == setup["user"].id and data["users"]["work_location_id"] == setup["office"].id
    assert data["schedule"][0]["check_in_start"] == "07:00" and data["schedule"][0]["late_after"] == "08:00"
    stamp = datetime.fromisoformat(data["cache_timestamp"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
    assert (expires - stamp).total_seconds() == 8 * 3600
    only = client.get(f"{BASE}/offline/data?types=locations", headers=auth(setup["token"])).get_json()["data"]
    assert set(only) == {"locations", "cache_timestamp", "expires_at"}
    assert set(client.get(f"{BASE}/offline/data", headers=auth(setup["token"])).get_json()["data"]) \
        >= {"locations", "users", "schedule"}


@pytest.mark.parametrize("types", ["patients", "locations,secrets", ","])
def test_data_package_refuses_unknown_types(client, setup, types):
    response = client.get(f"{BASE}/offline/data?types={types}", headers=auth(setup["token"]))
    assert response.status_code == 422 and "types" in response.get_json()["errors"]


def test_status_counts_and_cache(client, setup, app):
    h = auth(setup["token"])
    empty = client.get(f"{BASE}/offline/status", headers=h).get_json()["data"]
    assert empty["offline_enabled"] is True and empty["cache_status"] == "missing"
    assert empty["pending_sync_count"] == 0 and empty["last_sync"] is None
    sync(client, setup["token"], record(), record("late", "checkin", "2025-01-01T00:00:00Z"))
    data = client.get(f"{BASE}/offline/status", headers=h).get_json()["data"]
    assert data["pending_sync_count"] == 1  # the refused one (older than 30 days)
    assert data["pending_review_count"] == 1
    assert data["last_sync"] == "2026-01-30T10:00:00.000000Z"
    other = client.get(f"{BASE}/offline/status", headers=auth(setup["other_token"])).get_json()["data"]
    assert other["pending_sync_count"] == 0 and other["pending_review_count"] == 0
    package = client.get(f"{BASE}/offline/data", headers=h).get_json()["data"]
    fresh = client.get(f"{BASE}/offline/status?cache_timestamp={package['cache_timestamp']}", headers=h)
    assert fresh.get_json()["data"]["cache_status"] in ("valid", "stale")  # offices were made on the real clock
    old = client.get(f"{BASE}/offline/status?cache_timestamp=2020-01-01T00:00:00Z", headers=h)
    assert old.get_json()["data"]["cache_status"] == "expired"
    bad = client.get(f"{BASE}/offline/status?cache_timestamp=yesterday", headers=h)
    assert bad.status_code == 422 and "cache_timestamp" in bad.get_json()["errors"]


def test_offline_reads_need_a_token(client):
    for path in ("/offline/data", "/offline/status"):
        assert client.get(BASE + path).status_code == 401


def test_cache_status_valid_until_a_location_or_schedule_changes(client, setup, app, freeze_time):
    from app.places.models import Office

    h = auth(setup["token"])
    stamp = client.get(f"{BASE}/offline/data", headers=h).get_json()["data"]["cache_timestamp"]
    assert client.get(f"{BASE}/offline/status?cache_timestamp={stamp}", headers=h) \
        .get_json()["data"]["cache_status"] == "valid"
    freeze_time("2026-01-30T18:00:00+07:00")  # an hour after the cache was built
    with app.app_context():
        office = db.session.get(Office, setup["office"].id)
        office.name = "Klinik Utama"
        db.session.commit()
    assert client.get(f"{BASE}/offline/status?cache_timestamp={stamp}", headers=h) \
        .get_json()["data"]["cache_status"] == "stale"
