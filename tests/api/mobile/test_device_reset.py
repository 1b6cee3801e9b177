"""Contract 001, "Device Reset": POST /api/device-reset/request and /api/device-reset/my-request.

No login is needed (the user may be locked out).  The admin side (approve /
reject) belongs to the admin pages; here it is done with the service.
"""
from __future__ import annotations

import pytest

from app.accounts import services as accounts
from app.accounts.models import DeviceResetRequest, User
from app.extensions import db

from .conftest import ISO_RE, validation_fields

REASON = "Handphone rusak dan sudah diganti dengan yang baru"
CREATED = "Permintaan reset device berhasil diajukan. Mohon tunggu approval dari admin."
PENDING_EXISTS = {"rcode": "82", "message": "Anda sudah memiliki permintaan reset device yang sedang diproses"}


def request_reset(client, npp="10001", reason=REASON):
    return client.post("/api/device-reset/request", json={"npp": npp, "reason": reason})


def my_requests(client, npp="10001"):
    return client.post("/api/device-reset/my-request", json={"npp": npp})


def process(app, request_id, admin, *, approve, notes=None):
    with app.app_context():
        accounts.process_device_reset(db.session.get(DeviceResetRequest, request_id), db.session.get(User, admin.id),
                                      approve=approve, notes=notes)
        db.session.commit()


@pytest.fixture
def user(factory):
    return factory.user(npp="10001")


@pytest.fixture
def admin(factory):
    return factory.user(npp="90001", role="admin", name="admin")


# --- request ------------------------------------------------------------------------------------

def test_request_of_a_bound_user(client, auth, user, fetch):
    auth(user, "abc123-old-device")
    r = request_reset(client)
    assert r.status_code == 201
    body = r.json
    assert (body["rcode"], body["message"]) == ("00", CREATED)
    data = body["data"]
    assert ISO_RE.match(data.pop("created_at"))
    [row] = fetch(DeviceResetRequest)
    assert data == {"id": row.id, "npp": "10001", "old_device_id": "abc123-old-device", "reason": REASON,
                    "status": "pending"}
    assert (row.user_id, row.status) == (user.id, "pending")


def test_request_of_a_user_never_bound(client, user):
    r = request_reset(client)
    assert r.status_code == 201
    assert r.json["data"]["old_device_id"] is None


def test_request_needs_no_token(client, user):
    r = client.post("/api/device-reset/request", json={"npp": "10001", "reason": REASON},
                    headers={"Authorization": "Bearer expired.or.garbage"})
    assert r.status_code == 201


@pytest.mark.parametrize("reason", [None, "", "pendek", "123456789", "   rusak   ", 1234567890, True,
                                    "x" * 1001])
def test_reason_shorter_than_ten_characters_is_refused(client, user, count, reason):
    r = client.post("/api/device-reset/request", json={"npp": "10001", "reason": reason})
    assert validation_fields(r) == {"reason"}
    assert count(DeviceResetRequest) == 0


def test_reason_of_exactly_ten_characters_is_enough(client, user):
    assert request_reset(client, reason="HP hilang!").status_code == 201


@pytest.mark.parametrize("body", [{"reason": REASON}, {"npp": "", "reason": REASON}, {"npp": None, "reason": REASON},
                                  {"npp": "1" * 33, "reason": REASON}])
def test_request_without_a_valid_npp_is_refused(client, user, count, body):
    r = client.post("/api/device-reset/request", json=body)
    assert validation_fields(r) == {"npp"}
    assert count(DeviceResetRequest) == 0


def test_request_for_an_unknown_npp_is_not_found(client, user, count):
    r = request_reset(client, npp="99999")
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "User tidak ditemukan"}
    assert count(DeviceResetRequest) == 0


def test_one_pending_request_per_person(client, factory, user, count):
    factory.user(npp="10002")
    assert request_reset(client).status_code == 201
    r = request_reset(client, reason="Permintaan kedua, masih menunggu")
    assert r.status_code == 400
    assert r.json == PENDING_EXISTS
    assert count(DeviceResetRequest) == 1
    # Another person is not affected.
    assert request_reset(client, npp="10002").status_code == 201


def test_a_new_request_is_possible_once_the_last_one_was_processed(client, app, user, admin, count):
    first = request_reset(client).json["data"]["id"]
    process(app, first, admin, approve=False, notes="Datang ke HRD dulu")
    assert request_reset(client, reason="Sudah ke HRD, mohon diproses").status_code == 201
    assert request_reset(client).json == PENDING_EXISTS
    assert count(DeviceResetRequest) == 2


# --- my-request ---------------------------------------------------------------------------------

MY_FIELDS = {"id", "npp", "old_device_id", "reason", "status", "processed_by", "processed_at", "admin_notes",
             "created_at"}


def test_my_request_without_requests_is_an_empty_list(client, user):
    r = my_requests(client)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "data": []}


def test_my_request_shows_a_pending_request(client, auth, user):
    auth(user, "abc123-old-device")
    created = request_reset(client).json["data"]
    r = my_requests(client)
    assert r.status_code == 200
    [item] = r.json["data"]
    assert set(item) == MY_FIELDS
    assert item == {**created, "processed_by": None, "processed_at": None, "admin_notes": None}


def test_my_request_shows_the_admins_decision_newest_first(client, app, auth, user, admin):
    auth(user, "abc123-old-device")
    first = request_reset(client, reason="Handphone rusak").json["data"]["id"]
    process(app, first, admin, approve=False, notes="Mohon lampirkan surat")
    second = request_reset(client, reason="Handphone rusak, surat terlampir").json["data"]["id"]
    process(app, second, admin, approve=True, notes="OK")
    r = my_requests(client)
    assert r.status_code == 200
    items = r.json["data"]
    assert [i["id"] for i in items] == [second, first]
    for item in items:
        assert set(item) == MY_FIELDS
        assert ISO_RE.match(item["processed_at"]) and ISO_RE.match(item["created_at"])
    assert {k: items[0][k] for k in ("npp", "old_device_id", "status", "processed_by", "admin_notes")} == {
        "npp": "10001", "old_device_id": "abc123-old-device", "status": "approved", "processed_by": "admin",
        "admin_notes": "OK"}
    assert {k: items[1][k] for k in ("reason", "status", "processed_by", "admin_notes")} == {
        "reason": "Handphone rusak", "status": "rejected", "processed_by": "admin",
        "admin_notes": "Mohon lampirkan surat"}


def test_my_request_shows_only_that_persons_requests(client, factory, user):
    factory.user(npp="10002")
    request_reset(client, npp="10002", reason="Permintaan orang lain")
    assert my_requests(client).json["data"] == []
    assert [i["npp"] for i in my_requests(client, "10002").json["data"]] == ["10002"]


def test_my_request_for_an_unknown_npp_is_not_found(client, user):
    r = my_requests(client, "99999")
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "User tidak ditemukan"}


@pytest.mark.parametrize("body", [{}, {"npp": ""}, {"npp": None}, {"npp": ["10001"]}])
def test_my_request_without_npp_is_refused(client, user, body):
    r = client.post("/api/device-reset/my-request", json=body)
    assert validation_fields(r) == {"npp"}
