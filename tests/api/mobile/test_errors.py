"""Contract 001, "Error Handling": HTTP errors inside the /api mount speak the rcode envelope.

404 → 81 "Resource not found"; 405 → 01; malformed JSON → 400 rcode 01;
a non-JSON body → 415; too large → 413; an unexpected exception → 500 rcode 99
"Error: ..." and the request's changes are rolled back.
"""
from __future__ import annotations

import pytest

from app.attendance.models import AttendanceEvent
from app.notify import services as notify_services
from app.notify.models import Notification
from app.schedules import services as schedule_services

from .conftest import AT_OFFICE

NOT_FOUND = {"rcode": "81", "message": "Resource not found"}


@pytest.fixture
def headers(factory, auth):
    factory.schedule()
    return auth(factory.user(npp="10001", office=factory.office()))


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/does-not-exist"),
    ("POST", "/api/absenmasuk/extra"),
    ("GET", "/api"),
    ("GET", "/api/"),
    ("GET", "/api/blogs/not-a-number"),
    ("POST", "/api/notifications/abc/read"),
    ("GET", "/api/app-version/latest"),
])
def test_unknown_path_under_the_mount_is_81(client, method, path):
    r = client.open(path, method=method)
    assert r.status_code == 404
    assert r.json == NOT_FOUND


def test_unknown_path_with_a_token_is_81_too(client, headers):
    r = client.get("/api/nothing-here", headers=headers)
    assert r.status_code == 404
    assert r.json == NOT_FOUND


@pytest.mark.parametrize("path", ["/nope", "/apiary", "/apix/login"])
def test_paths_outside_the_mount_do_not_use_the_envelope(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert r.mimetype != "application/json"
    assert "rcode" not in r.get_data(as_text=True)


@pytest.mark.parametrize("method, path, allowed", [
    ("GET", "/api/login", {"POST"}),
    ("GET", "/api/absenmasuk", {"POST"}),
    ("PUT", "/api/app-version/check", {"POST"}),
    ("POST", "/api/app-version/latest/android", {"GET"}),
    ("DELETE", "/api/jam-absensi", {"GET", "POST"}),
    ("PATCH", "/api/jam-absensi/1", {"GET", "PUT", "DELETE"}),
    ("GET", "/api/notifications/read-all", {"POST"}),
])
def test_wrong_method_is_405_in_the_envelope(client, method, path, allowed):
    r = client.open(path, method=method)
    assert r.status_code == 405
    assert r.json["rcode"] == "01"
    assert set(r.json) == {"rcode", "message"}
    prefix, _, listed = r.json["message"].partition("Supported methods: ")
    assert prefix == "Method not allowed. "
    assert set(listed.rstrip(".").split(", ")) == allowed
    assert allowed <= {m.strip() for m in r.headers["Allow"].split(",")}


MALFORMED = {"rcode": "01", "message": "Validation failed", "errors": {"body": ["The request body is not valid JSON."]}}


@pytest.mark.parametrize("payload", ['{"npp": "10001",', "{bad json}", "nul", '{"a": 1}}'])
def test_malformed_json_is_400_rcode_01(client, factory, payload):
    factory.user(npp="10001")
    r = client.post("/api/login", data=payload, content_type="application/json")
    assert r.status_code == 400
    assert r.json == MALFORMED


def test_malformed_json_on_check_in_records_nothing(client, headers, freeze_time, count):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = client.post("/api/absenmasuk", data='{"latitude": "-6.2088", "longitude": ', content_type="application/json",
                    headers=headers)
    assert r.status_code == 400
    assert r.json == MALFORMED
    assert count(AttendanceEvent) == 0


@pytest.mark.parametrize("payload", ["[1, 2]", '"text"', "42", "true"])
def test_json_that_is_not_an_object_is_422(client, payload):
    r = client.post("/api/app-version/check", data=payload, content_type="application/json")
    assert r.status_code == 422
    assert r.json == {"rcode": "01", "message": "Validation failed",
                      "errors": {"body": ["The request body must be a JSON object."]}}


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/octet-stream"])
def test_non_json_body_is_415(client, headers, freeze_time, count, content_type):
    freeze_time("2026-01-30T07:30:00+07:00")
    r = client.post("/api/absenmasuk", data='{"latitude": "-6.2088", "longitude": "106.8456"}',
                    content_type=content_type, headers=headers)
    assert r.status_code == 415
    assert r.json == {"rcode": "01", "message": "Unsupported media type: send application/json"}
    assert count(AttendanceEvent) == 0


def test_non_json_login_is_415(client, factory):
    factory.user(npp="10001")
    r = client.post("/api/login", data="npp=10001", content_type="text/plain")
    assert r.status_code == 415
    assert r.json["rcode"] == "01"


def test_body_too_large_is_413(client, headers, count):
    r = client.post("/api/absenmasuk", data='{"latitude": "' + "1" * (1024 * 1024) + '"}',
                    content_type="application/json", headers=headers)
    assert r.status_code == 413
    assert r.json == {"rcode": "01", "message": "Request body too large"}
    assert count(AttendanceEvent) == 0


def test_unexpected_error_is_500_rcode_99(client, headers, monkeypatch):
    def boom():
        raise RuntimeError("database on fire")

    monkeypatch.setattr(schedule_services, "list_schedules", boom)
    r = client.get("/api/jam-absensi", headers=headers)
    assert r.status_code == 500
    assert r.json == {"rcode": "99", "message": "Error: Internal server error"}
    assert b"database on fire" not in r.data


def test_unexpected_error_rolls_the_request_back(client, factory, auth, monkeypatch, fetch):
    user = factory.user(npp="10001")
    headers = auth(user)
    factory.notification(user)
    real = notify_services.mark_all_read

    def half_done(user):
        real(user)  # the update is flushed ...
        raise RuntimeError("... and then something breaks")

    monkeypatch.setattr(notify_services, "mark_all_read", half_done)
    r = client.post("/api/notifications/read-all", json={}, headers=headers)
    assert r.status_code == 500
    assert r.json["rcode"] == "99"
    assert [n.is_read for n in fetch(Notification)] == [False]


def test_check_in_success_is_committed(client, headers, freeze_time, count):
    """The other half of "one commit per request": a 200 is durable."""
    freeze_time("2026-01-30T07:30:00+07:00")
    assert client.post("/api/absenmasuk", json=AT_OFFICE, headers=headers).status_code == 200
    assert count(AttendanceEvent) == 1
