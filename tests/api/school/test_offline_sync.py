"""Contract 002, section 10: offline sync (per-item processing, replays recorded once, retry)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.attendance import offline
from app.attendance.models import AttendanceEvent, DailyAttendance, OfflineSyncLog
from app.extensions import db
from tests.helpers import count

from .tokens import bearer, school_user

#: The server's clock of these tests: the evening of the day the items were recorded offline.
NOW = "2026-01-30T17:00:00+07:00"
PAGINATOR_KEYS = {"current_page", "data", "first_page_url", "from", "last_page", "last_page_url",
                  "next_page_url", "path", "per_page", "prev_page_url", "to", "total"}
URL = "/api/offline-sync/process-attendance"


@pytest.fixture(autouse=True)
def now(freeze_time):
    return freeze_time(NOW)


@pytest.fixture
def people(app, factory):
    """A teacher and a colleague of the default office and schedule, an admin, a principal and a student."""
    office = factory.office()
    factory.schedule()  # in 07:00-09:00, late after 08:00, out 16:00-18:00
    teacher = school_user(factory, "guru", "2001", office=office)
    colleague = school_user(factory, "guru", "2002", office=office)
    admin = school_user(factory, "admin", "9001")
    kepsek = school_user(factory, "kepsek", "4001")
    student = school_user(factory, "siswa", "1001")
    return {name: {"user": u, "h": bearer(app, u)} for name, u in
            (("teacher", teacher), ("colleague", colleague), ("admin", admin), ("kepsek", kepsek),
             ("student", student))}


def _item(who, type_="checkin", timestamp="2026-01-30 07:25:30", **extra):
    return {"user_id": who["user"].id, "type": type_, "timestamp": timestamp, **extra}


def _sync(client, who, *items):
    return client.post(URL, headers=who["h"], json={"attendances": list(items)})


def test_a_batch_replayed_three_times_yields_each_attendance_exactly_once(app, client, people):
    t = people["teacher"]
    batch = [_item(t, latitude=-6.123456, longitude=106.876543, accuracy=5.2,
                   photo_path="attendance/andi_checkin_2.jpg"),
             _item(t, "checkout", "2026-01-30 16:10:00")]
    ids = None
    for _ in range(3):
        response = _sync(client, t, *batch)
        assert response.status_code == 200, response.json
        data = response.json["data"]
        assert data["processed_count"] == 2 and data["failed_count"] == 0 and data["failed"] == []
        assert ids is None or [r["id"] for r in data["processed"]] == ids
        ids = [r["id"] for r in data["processed"]]
    assert count(app, AttendanceEvent) == 2
    assert count(app, OfflineSyncLog) == 2
    assert count(app, DailyAttendance) == 1
    first = data["processed"][0]
    assert first["type"] == "checkin" and first["qr_token_used"] == "OFFLINE" and first["synced"] is True
    assert first["timestamp"] == "2026-01-30 07:25:30" and first["date_only"] == "2026-01-30"
    assert first["status"] == "hadir" and first["photo_path"] == "attendance/andi_checkin_2.jpg"
    assert first["accuracy"] == 5.2 and first["replayed"] is True
    with app.app_context():
        event = db.session.get(AttendanceEvent, ids[0])
        assert event.source == "offline" and event.review_state == "pending" and event.flag_reason == "offline"
        assert event.client_ref == "offline:checkin:2026-01-30 07:25:30"
        # The server's clock decides when it happened; the phone's time is kept as reported data.
        assert event.occurred_at == datetime(2026, 1, 30, 10, 0, tzinfo=timezone.utc)
        assert event.client_time == datetime(2026, 1, 30, 0, 25, 30, tzinfo=timezone.utc)
        day = db.session.scalar(db.select(DailyAttendance))
        assert day.status == "pending_review" and day.check_in_event_id == ids[0]
        assert day.check_out_event_id == ids[1] and day.worked_minutes == 524


def test_a_bad_item_is_reported_and_the_others_are_processed(app, client, people):
    t = people["teacher"]
    response = _sync(client, t, _item(t), {"user_id": t["user"].id, "type": "lunch", "timestamp": "x"},
                     _item(t, "checkout", "2026-01-30 16:10:00"), "not an object")
    assert response.status_code == 200
    data = response.json["data"]
    assert data["processed_count"] == 2 and data["failed_count"] == 2
    bad = next(f for f in data["failed"] if f["data"])
    assert bad["data"]["type"] == "lunch" and "type" in bad["error"] and "timestamp" in bad["error"]
    assert count(app, AttendanceEvent) == 2
    with app.app_context():
        statuses = sorted(log.status for log in db.session.scalars(db.select(OfflineSyncLog)))
    assert statuses == ["failed", "failed", "success", "success"]


def test_a_second_check_in_of_the_same_day_fails_without_losing_the_first(app, client, people):
    t = people["teacher"]
    response = _sync(client, t, _item(t, timestamp="2026-01-30 07:25:30"), _item(t, timestamp="2026-01-30 07:40:00"))
    data = response.json["data"]
    assert data["processed_count"] == 1 and data["failed_count"] == 1
    assert data["failed"][0]["error"] == "Sudah absen masuk pada tanggal itu"
    assert data["processed"][0]["timestamp"] == "2026-01-30 07:25:30"
    assert count(app, AttendanceEvent) == 1


def test_items_of_another_user_are_refused_for_non_admins(app, client, people):
    t, c = people["teacher"], people["colleague"]
    data = _sync(client, t, _item(c)).json["data"]
    assert data["processed_count"] == 0 and data["failed_count"] == 1
    assert data["failed"][0]["error"] == "Tidak diizinkan mengirim absensi pengguna lain"
    assert count(app, AttendanceEvent) == 0
    # An admin may send them.
    data = _sync(client, people["admin"], _item(c)).json["data"]
    assert data["processed_count"] == 1 and data["processed"][0]["user_id"] == c["user"].id


def test_a_future_timestamp_is_refused(app, client, people):
    t = people["teacher"]
    data = _sync(client, t, _item(t, "checkout", "2026-01-30 17:10:00")).json["data"]
    assert data["failed_count"] == 1 and data["failed"][0]["error"] == "Waktu absensi berada di masa depan"
    # Within the clock-skew allowance it is accepted (a check-in first, then the check-out).
    data = _sync(client, t, _item(t), _item(t, "checkout", "2026-01-30 17:04:00")).json["data"]
    assert data["processed_count"] == 2, data


def test_a_too_old_timestamp_is_refused(client, people):
    t = people["teacher"]
    data = _sync(client, t, _item(t, timestamp="2025-12-01 07:30:00")).json["data"]
    assert data["failed"][0]["error"].startswith("Waktu absensi lebih dari 30 hari")


def test_retry_of_a_fixed_failure_succeeds(app, client, people):
    t = people["teacher"]
    data = _sync(client, t, _item(t, "checkout", "2026-01-30 16:10:00")).json["data"]
    assert data["failed"][0]["error"] == "Belum absen masuk pada tanggal itu"
    log_id = data["failed"][0]["offline_sync_log_id"]
    # Still failing: 400 with the error, the log stays failed.
    response = client.post(f"/api/offline-sync/{log_id}/retry", headers=t["h"])
    assert response.status_code == 400 and response.json["message"] == "Belum absen masuk pada tanggal itu"
    assert count(app, AttendanceEvent) == 0
    # The check-in arrives; the retry now succeeds.
    assert _sync(client, t, _item(t)).json["data"]["processed_count"] == 1
    response = client.post(f"/api/offline-sync/{log_id}/retry", headers=t["h"])
    assert response.status_code == 200, response.json
    assert response.json["message"] == "Sinkronisasi berhasil diulang"
    assert response.json["data"]["qr_token_used"] == "OFFLINE_RETRY" and response.json["data"]["type"] == "checkout"
    with app.app_context():
        log = db.session.get(OfflineSyncLog, log_id)
        assert log.status == "success" and log.event_id == response.json["data"]["id"] and log.error_message is None
    assert count(app, OfflineSyncLog) == 2 and count(app, AttendanceEvent) == 2
    # A successful log is not retried again.
    assert client.post(f"/api/offline-sync/{log_id}/retry", headers=t["h"]).status_code == 400


def test_replaying_a_failed_item_reuses_its_log(app, client, people):
    t = people["teacher"]
    checkout = _item(t, "checkout", "2026-01-30 16:10:00")
    assert _sync(client, t, checkout).json["data"]["failed_count"] == 1
    data = _sync(client, t, _item(t), checkout).json["data"]
    assert data["processed_count"] == 2
    assert count(app, OfflineSyncLog) == 2


def test_retry_of_someone_elses_log(client, people):
    t = people["teacher"]
    log_id = _sync(client, t, _item(t, "checkout", "2026-01-30 16:10:00")).json["data"]["failed"][0][
        "offline_sync_log_id"]
    assert client.post(f"/api/offline-sync/{log_id}/retry", headers=people["colleague"]["h"]).status_code == 404
    assert client.post(f"/api/offline-sync/{log_id}/retry", headers=people["kepsek"]["h"]).status_code == 403
    response = client.post(f"/api/offline-sync/{log_id}/retry", headers=people["admin"]["h"])
    assert response.status_code == 400  # visible and allowed, but still refused (no check-in)
    assert client.post("/api/offline-sync/999999/retry", headers=people["admin"]["h"]).status_code == 404


def test_index_lists_own_logs_and_everything_for_admin_and_kepsek(client, people):
    t, c = people["teacher"], people["colleague"]
    _sync(client, t, _item(t))
    _sync(client, c, _item(c), {"type": "checkin"})
    response = client.get("/api/offline-sync", headers=t["h"])
    assert response.status_code == 200
    page = response.json["data"]
    assert set(page) == PAGINATOR_KEYS and page["total"] == 1 and page["per_page"] == 15
    log = page["data"][0]
    assert log["user_id"] == t["user"].id and log["status"] == "success" and log["action_type"] == "attendance"
    assert log["data"]["timestamp"] == "2026-01-30 07:25:30" and log["synced_at"] == "2026-01-30 17:00:00"
    assert log["user"]["nisn_nip_nik"] == "2001" and log["error_message"] is None
    # Another user's filter does not widen a teacher's view.
    assert client.get(f"/api/offline-sync?user_id={c['user'].id}", headers=t["h"]).json["data"]["total"] == 1
    for who in ("admin", "kepsek"):
        assert client.get("/api/offline-sync", headers=people[who]["h"]).json["data"]["total"] == 3
    admin = people["admin"]["h"]
    page = client.get(f"/api/offline-sync?user_id={c['user'].id}&status=failed", headers=admin).json["data"]
    assert page["total"] == 1 and page["data"][0]["error_message"]
    assert client.get("/api/offline-sync?action_type=other", headers=admin).json["data"]["total"] == 0
    assert client.get("/api/offline-sync?status=done", headers=admin).status_code == 422


def test_show_is_for_the_owner_admin_and_kepsek(client, people):
    t = people["teacher"]
    _sync(client, t, _item(t))
    log_id = client.get("/api/offline-sync", headers=t["h"]).json["data"]["data"][0]["id"]
    for who in ("teacher", "admin", "kepsek"):
        response = client.get(f"/api/offline-sync/{log_id}", headers=people[who]["h"])
        assert response.status_code == 200 and response.json["data"]["id"] == log_id
    assert client.get(f"/api/offline-sync/{log_id}", headers=people["colleague"]["h"]).status_code == 404
    assert client.get("/api/offline-sync/999999", headers=t["h"]).status_code == 404


def test_auth_and_validation_errors(app, client, people):
    t = people["teacher"]
    assert client.get("/api/offline-sync").status_code == 401
    assert client.post(URL, json={"attendances": [_item(t)]}).status_code == 401
    assert client.post(URL, headers=people["student"]["h"], json={"attendances": [_item(t)]}).status_code == 403
    response = client.post(URL, headers=t["h"], json={})
    assert response.status_code == 422 and "attendances" in response.json["errors"]
    response = client.post(URL, headers=t["h"], json={"attendances": [_item(t)] * (offline.MAX_BATCH + 1)})
    assert response.status_code == 422 and "attendances" in response.json["errors"]
    assert count(app, AttendanceEvent) == 0 and count(app, OfflineSyncLog) == 0


def test_bad_fields_are_named(client, people):
    t = people["teacher"]
    data = _sync(client, t, _item(t, latitude=200, longitude=106.8, accuracy=-1, photo_path="../etc/passwd")).json[
        "data"]
    error = data["failed"][0]["error"]
    for name in ("latitude", "accuracy", "photo path"):
        assert name in error, error


def test_a_replay_whose_log_was_lost_is_recognised_by_the_event(app, client, people):
    """The event's ``client_ref`` is the second lock: without the log, a replay records nothing new."""
    t = people["teacher"]
    first = _sync(client, t, _item(t)).json["data"]["processed"][0]
    with app.app_context():
        db.session.execute(db.delete(OfflineSyncLog))
        db.session.commit()
    data = _sync(client, t, _item(t)).json["data"]
    assert data["processed_count"] == 1 and data["processed"][0]["id"] == first["id"]
    assert data["processed"][0]["replayed"] is True
    assert count(app, AttendanceEvent) == 1 and count(app, OfflineSyncLog) == 1


def test_late_check_in_by_the_phone_time_is_terlambat(client, people):
    t = people["teacher"]
    data = _sync(client, t, _item(t, timestamp="2026-01-30 08:20:00")).json["data"]
    assert data["processed"][0]["status"] == "terlambat"


def test_an_admin_retry_records_for_the_log_owner(app, client, people):
    """An item sent without ``user_id`` is the sender's, also when an admin retries it."""
    t = people["teacher"]
    item = {"type": "checkout", "timestamp": "2026-01-30 16:10:00"}
    log_id = _sync(client, t, item).json["data"]["failed"][0]["offline_sync_log_id"]
    assert _sync(client, t, _item(t)).json["data"]["processed_count"] == 1
    response = client.post(f"/api/offline-sync/{log_id}/retry", headers=people["admin"]["h"])
    assert response.status_code == 200, response.json
    assert response.json["data"]["user_id"] == t["user"].id
