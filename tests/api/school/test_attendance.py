"""Contract 002, section 4: staff check-in, check-out (QR token + geofence + photo) and history."""
from __future__ import annotations

import base64
import io

import pytest

from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db
from tests.helpers import count

from .qr_helpers import INSIDE, OUTSIDE, dynamic_token, png_b64, set_settings
from .tokens import bearer, school_user


T_ON_TIME = "2026-01-30T07:45:00+07:00"
RECORD_KEYS = {"id", "user_id", "type", "latitude", "longitude", "accuracy", "photo_path", "qr_token_used",
               "status", "timestamp", "date_only", "synced", "created_at"}


@pytest.fixture
def teacher(app, factory):
    """A teacher of the default office and the usual schedule (in 07:00-09:00, late after 08:00, out 16:00-18:00)."""
    office = factory.office()
    factory.schedule()
    user = school_user(factory, "guru", "2001", office=office)
    return {"user": user, "office": office, "h": bearer(app, user)}


def _post(client, path, headers, token, **fields):
    return client.post(path, headers=headers, json={"qr_token": token, **INSIDE, **fields})


def _checkin(client, who, **fields):
    token = dynamic_token(client, who["h"])["token"]
    return _post(client, "/api/attendance/checkin", who["h"], token, **fields)


def test_check_in_on_time_is_hadir_in_the_contract_shape(app, client, teacher, freeze_time):
    freeze_time(T_ON_TIME)
    token = dynamic_token(client, teacher["h"])["token"]
    response = _post(client, "/api/attendance/checkin", teacher["h"], token,
                     latitude="-6.2088", longitude=106.8456, accuracy=50)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["success"] is True and body["message"] == "Absen masuk berhasil"
    data = body["data"]
    assert RECORD_KEYS <= set(data)
    assert data["type"] == "checkin" and data["status"] == "hadir" and data["user_id"] == teacher["user"].id
    assert data["latitude"] == "-6.20880000" and data["longitude"] == "106.84560000" and data["accuracy"] == 50
    assert data["needs_review"] is False and data["synced"] is True
    assert data["qr_token_used"] == token and data["photo_path"] is None
    assert data["timestamp"] == "2026-01-30T00:45:00.000000Z" and data["date_only"] == "2026-01-30"
    with app.app_context():
        event = db.session.get(AttendanceEvent, data["id"])
        assert event.source == "qr" and event.client_ref == f"qr:{token}:check_in"


def test_check_in_after_late_after_is_terlambat(client, teacher, freeze_time):
    freeze_time("2026-01-30T08:15:00+07:00")
    response = _checkin(client, teacher, latitude=teacher["office"].latitude, longitude=teacher["office"].longitude)
    assert response.status_code == 200 and response.json["data"]["status"] == "terlambat"


def test_check_out_after_check_in(client, teacher, freeze_time):
    freeze_time(T_ON_TIME)
    assert _checkin(client, teacher).status_code == 200
    freeze_time("2026-01-30T16:30:00+07:00")
    token = dynamic_token(client, teacher["h"])["token"]
    response = _post(client, "/api/attendance/checkout", teacher["h"], token)
    assert response.status_code == 200, response.json
    assert response.json["message"] == "Absen keluar berhasil"
    assert response.json["data"]["type"] == "checkout" and response.json["data"]["status"] == "hadir"


def test_check_out_without_check_in_and_outside_the_window_are_refused(app, client, teacher, freeze_time):
    freeze_time("2026-01-30T16:30:00+07:00")
    token = dynamic_token(client, teacher["h"])["token"]
    response = _post(client, "/api/attendance/checkout", teacher["h"], token)
    assert response.status_code == 400 and response.json["message"] == "Anda belum absen masuk hari ini"
    freeze_time("2026-01-30T06:30:00+07:00")
    early = _checkin(client, teacher)
    assert early.status_code == 400 and early.json["message"] == "Belum waktunya absen masuk"
    freeze_time("2026-01-30T10:00:00+07:00")
    closed = _checkin(client, teacher)
    assert closed.status_code == 400 and closed.json["message"] == "Waktu absen masuk sudah berakhir"
    assert count(app, AttendanceEvent) == 0


def test_outside_the_geofence_is_recorded_for_review_and_says_so(app, client, teacher, freeze_time):
    freeze_time(T_ON_TIME)
    response = _checkin(client, teacher, **OUTSIDE)
    assert response.status_code == 200
    assert "menunggu verifikasi" in response.json["message"] and "di luar area" in response.json["message"]
    data = response.json["data"]
    assert data["needs_review"] is True and data["review_reason"] == "outside_geofence" and data["distance_m"] > 1000
    with app.app_context():
        event = db.session.get(AttendanceEvent, data["id"])
        assert event.review_state == "pending" and event.flag_reason == "outside_geofence"
        assert db.session.scalar(db.select(DailyAttendance.status)) == "pending_review"


def test_without_an_office_the_school_settings_are_the_geofence(app, client, factory, freeze_time):
    factory.schedule()
    user = school_user(factory, "pegawai", "3001")
    who = {"user": user, "h": bearer(app, user)}
    freeze_time(T_ON_TIME)
    # No school coordinates yet: recorded, flagged "no_office".
    first = _checkin(client, who)
    assert first.status_code == 200 and first.json["data"]["review_reason"] == "no_office"
    with app.app_context():
        db.session.execute(db.delete(DailyAttendance))
        db.session.commit()
    set_settings(app, school_latitude=-6.2, school_longitude=106.8, attendance_radius=200)
    freeze_time("2026-01-30T07:50:00+07:00")  # a new token (the old one would replay the first event)
    inside = _checkin(client, who, latitude=-6.2005, longitude=106.8)
    assert inside.status_code == 200, inside.json
    assert inside.json["data"]["needs_review"] is False and inside.json["message"] == "Absen masuk berhasil"
    assert 50 < inside.json["data"]["distance_m"] < 60


@pytest.mark.parametrize("fields, field", [
    ({"latitude": float("nan")}, "latitude"),
    ({"latitude": "NaN"}, "latitude"),
    ({"longitude": "inf"}, "longitude"),
    ({"latitude": 91}, "latitude"),
    ({"longitude": -180.5}, "longitude"),
    ({"latitude": "abc"}, "latitude"),
    ({"latitude": None}, "latitude"),
    ({"latitude": True}, "latitude"),
    ({"accuracy": -1}, "accuracy"),
    ({"accuracy": "inf"}, "accuracy"),
])
def test_bad_coordinates_are_a_422_naming_the_field_and_nothing_is_recorded(app, client, teacher, freeze_time, fields,
                                                                           field):
    freeze_time(T_ON_TIME)
    response = _checkin(client, teacher, **fields)
    assert response.status_code == 422
    assert response.json["success"] is False and field in response.json["errors"]
    assert count(app, AttendanceEvent) == 0


def test_a_photo_is_stored_as_a_file_and_its_path_returned(app, client, teacher, freeze_time, uploads):
    freeze_time(T_ON_TIME)
    photo = png_b64(3, 2)
    response = _checkin(client, teacher, photo="data:image/png;base64," + photo)
    assert response.status_code == 200, response.json
    path = response.json["data"]["photo_path"]
    assert path.startswith("attendance/2026/01/") and path.endswith(".png") and not path.startswith("data:")
    assert (uploads / path).read_bytes() == base64.b64decode(photo)
    # History finds it again.
    history = client.get("/api/attendance/history", headers=teacher["h"]).json["data"]["data"]
    assert history[0]["photo_path"] == path


def _jpeg_b64(width, height) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (width, height)).save(buffer, "JPEG", quality=10)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize("photo", [
    "not base64 at all!",
    base64.b64encode(b"plain text, not an image").decode(),
    base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode(),  # a PNG signature and garbage
    "A" * (3 * 1024 * 1024 - 200),  # decodes to more than 2 MiB (of zeros)
    "BIG-PNG",  # a real PNG of about 2.1 MiB
    "GIF-as-not-allowed",
    12345,
])
def test_a_bad_photo_is_a_422_and_nothing_is_recorded(app, client, teacher, freeze_time, uploads, photo):
    if photo == "BIG-PNG":
        import os

        from PIL import Image

        buffer = io.BytesIO()
        Image.frombytes("RGB", (900, 820), os.urandom(900 * 820 * 3)).save(buffer, "PNG", compress_level=0)
        assert 2 * 1024 * 1024 < len(buffer.getvalue()) < 2.2 * 1024 * 1024
        photo = base64.b64encode(buffer.getvalue()).decode()
    if photo == "GIF-as-not-allowed":
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("P", (2, 2)).save(buffer, "GIF")
        photo = base64.b64encode(buffer.getvalue()).decode()
    freeze_time(T_ON_TIME)
    response = _checkin(client, teacher, photo=photo)
    assert response.status_code == 422, response.json
    assert "photo" in response.json["errors"]
    assert count(app, AttendanceEvent) == 0 and not uploads.exists()


def test_a_photo_over_the_pixel_cap_is_refused(app, client, teacher, freeze_time, uploads):
    freeze_time(T_ON_TIME)
    response = _checkin(client, teacher, photo=_jpeg_b64(4097, 8))
    assert response.status_code == 422 and "4096x4096" in response.json["errors"]["photo"][0]
    assert count(app, AttendanceEvent) == 0
    assert _checkin(client, teacher, photo=_jpeg_b64(4096, 8)).status_code == 200


def test_a_body_over_the_request_cap_is_a_413(app, client, teacher, freeze_time):
    freeze_time(T_ON_TIME)
    response = _checkin(client, teacher, photo="A" * (3 * 1024 * 1024 + 10))
    assert response.status_code == 413 and response.json["success"] is False
    assert count(app, AttendanceEvent) == 0


def test_students_may_not_check_in_and_no_token_is_a_401(app, client, factory, teacher, freeze_time):
    student = school_user(factory, "siswa", "1001", office=teacher["office"])
    freeze_time(T_ON_TIME)
    token = dynamic_token(client, teacher["h"])["token"]
    assert _post(client, "/api/attendance/checkin", bearer(app, student), token).status_code == 403
    for path in ("/api/attendance/checkin", "/api/attendance/checkout"):
        response = client.post(path, json={"qr_token": token, **INSIDE})
        assert response.status_code == 401 and response.json == {"success": False, "message": "Token tidak valid"}
    assert client.get("/api/attendance/history").status_code == 401
    assert count(app, AttendanceEvent) == 0


def test_history_is_the_callers_own_in_the_laravel_paginator(app, client, factory, teacher, freeze_time):
    other = school_user(factory, "guru", "2002", office=teacher["office"])
    other_h = bearer(app, other)
    for day in ("2026-01-28", "2026-01-29", "2026-01-30"):
        freeze_time(f"{day}T07:30:00+07:00")
        assert _checkin(client, teacher).status_code == 200
        freeze_time(f"{day}T16:30:00+07:00")
        token = dynamic_token(client, teacher["h"])["token"]
        assert _post(client, "/api/attendance/checkout", teacher["h"], token).status_code == 200
    freeze_time("2026-01-30T07:40:00+07:00")
    assert _checkin(client, {"h": other_h}).status_code == 200

    response = client.get("/api/attendance/history", headers=teacher["h"], query_string={"per_page": 4})
    assert response.status_code == 200
    page = response.json["data"]
    assert list(page) == ["current_page", "data", "first_page_url", "from", "last_page", "last_page_url",
                          "next_page_url", "path", "per_page", "prev_page_url", "to", "total"]
    assert page["total"] == 6 and page["per_page"] == 4 and page["last_page"] == 2 and page["from"] == 1
    assert page["to"] == 4 and page["next_page_url"].endswith("page=2") and page["prev_page_url"] is None
    assert page["path"].endswith("/api/attendance/history")
    assert {row["user_id"] for row in page["data"]} == {teacher["user"].id}
    assert RECORD_KEYS <= set(page["data"][0])
    assert [row["type"] for row in page["data"][:2]] == ["checkout", "checkin"]
    assert page["data"][0]["date_only"] == "2026-01-30"

    ranged = client.get("/api/attendance/history", headers=teacher["h"],
                        query_string={"start_date": "2026-01-29", "end_date": "2026-01-29"}).json["data"]
    assert ranged["total"] == 2 and {r["date_only"] for r in ranged["data"]} == {"2026-01-29"}
    month = client.get("/api/attendance/history", headers=teacher["h"],
                       query_string={"month": 2, "year": 2026}).json["data"]
    assert month["total"] == 0 and month["data"] == [] and month["from"] is None
    theirs = client.get("/api/attendance/history", headers=other_h).json["data"]
    assert theirs["total"] == 1


@pytest.mark.parametrize("query, field", [
    ({"start_date": "30-01-2026"}, "start_date"),
    ({"end_date": "2026-02-30"}, "end_date"),
    ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "end_date"),
    ({"month": 13, "year": 2026}, "month"),
    ({"month": 1}, "year"),
    ({"per_page": 0}, "per_page"),
])
def test_history_filters_are_validated(client, teacher, query, field):
    response = client.get("/api/attendance/history", headers=teacher["h"], query_string=query)
    assert response.status_code == 422 and field in response.json["errors"]
