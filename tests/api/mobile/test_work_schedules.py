"""Contract 001, "Jam Kerja": /api/jam-absensi (active, list, detail, create, update, delete, set-active).

Create/update/delete/set-active are for administrators; exactly one setting
is active at any time; times are ``HH:MM:SS``; errors use the contract's field
names (``nama``, ``start_jam_masuk`` ...).
"""
from __future__ import annotations

import pytest

from app.schedules.models import WorkSchedule

from .conftest import HMS_RE, ISO_RE, validation_fields

SHIFT_MALAM = {
    "nama": "Jam Kerja Shift Malam",
    "start_jam_masuk": "20:00:00",
    "end_jam_masuk": "22:00:00",
    "start_jam_pulang": "04:00:00",
    "end_jam_pulang": "06:00:00",
    "is_active": False,
}
FIELDS = {"id", "nama", "start_jam_masuk", "end_jam_masuk", "start_jam_pulang", "end_jam_pulang", "is_active"}


@pytest.fixture
def normal(factory):
    return factory.schedule(name="Jam Kerja Normal", check_in=("07:00", "09:00"), check_out=("16:00", "18:00"))


@pytest.fixture
def ramadhan(factory, normal):
    return factory.schedule(name="Jam Kerja Ramadhan", check_in=("07:30", "09:00"), check_out=("15:00", "17:00"),
                            active=False)


@pytest.fixture
def admin(factory, auth):
    return auth(factory.user(npp="90001", role="admin"))


@pytest.fixture
def pegawai(factory, auth):
    return auth(factory.user(npp="10001"))


def listing(client, headers):
    r = client.get("/api/jam-absensi", headers=headers)
    assert r.status_code == 200
    return r.json["data"]


# --- read -----------------------------------------------------------------------------------

def test_active_returns_the_setting_with_timestamps(client, normal, ramadhan, pegawai):
    r = client.get("/api/jam-absensi/active", headers=pegawai)
    assert r.status_code == 200
    body = r.json
    assert set(body) == {"rcode", "message", "data"}
    assert (body["rcode"], body["message"]) == ("00", "Success")
    data = body["data"]
    assert set(data) == FIELDS | {"created_at", "updated_at"}
    assert ISO_RE.match(data["created_at"]) and ISO_RE.match(data["updated_at"])
    assert {k: v for k, v in data.items() if k not in ("created_at", "updated_at")} == {
        "id": normal.id, "nama": "Jam Kerja Normal", "start_jam_masuk": "07:00:00", "end_jam_masuk": "09:00:00",
        "start_jam_pulang": "16:00:00", "end_jam_pulang": "18:00:00", "is_active": True}


def test_active_without_any_active_setting_is_not_found(client, factory, pegawai):
    factory.schedule(active=False)
    r = client.get("/api/jam-absensi/active", headers=pegawai)
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "No active attendance time setting found"}


def test_list_returns_every_setting_active_first(client, normal, ramadhan, pegawai):
    r = client.get("/api/jam-absensi", headers=pegawai)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "data": [
        {"id": normal.id, "nama": "Jam Kerja Normal", "start_jam_masuk": "07:00:00", "end_jam_masuk": "09:00:00",
         "start_jam_pulang": "16:00:00", "end_jam_pulang": "18:00:00", "is_active": True},
        {"id": ramadhan.id, "nama": "Jam Kerja Ramadhan", "start_jam_masuk": "07:30:00",
         "end_jam_masuk": "09:00:00", "start_jam_pulang": "15:00:00", "end_jam_pulang": "17:00:00",
         "is_active": False},
    ]}


def test_list_is_empty_without_settings(client, pegawai):
    r = client.get("/api/jam-absensi", headers=pegawai)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "data": []}


def test_detail(client, ramadhan, pegawai):
    r = client.get(f"/api/jam-absensi/{ramadhan.id}", headers=pegawai)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "data": {
        "id": ramadhan.id, "nama": "Jam Kerja Ramadhan", "start_jam_masuk": "07:30:00", "end_jam_masuk": "09:00:00",
        "start_jam_pulang": "15:00:00", "end_jam_pulang": "17:00:00", "is_active": False}}


def test_detail_of_an_unknown_id_is_not_found(client, normal, pegawai):
    r = client.get(f"/api/jam-absensi/{normal.id + 100}", headers=pegawai)
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "Attendance time setting not found"}


def test_detail_with_a_non_numeric_id_is_not_found(client, normal, pegawai):
    r = client.get("/api/jam-absensi/abc", headers=pegawai)
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "Resource not found"}


# --- create -------------------------------------------------------------------------------

def test_create_the_contract_example(client, normal, admin, fetch):
    r = client.post("/api/jam-absensi", json=SHIFT_MALAM, headers=admin)
    assert r.status_code == 201
    body = r.json
    new_id = body["data"]["id"]
    assert isinstance(new_id, int) and new_id != normal.id
    assert body == {"rcode": "00", "message": "Attendance time setting created successfully", "data": {
        "id": new_id, "nama": "Jam Kerja Shift Malam", "start_jam_masuk": "20:00:00", "end_jam_masuk": "22:00:00",
        "start_jam_pulang": "04:00:00", "end_jam_pulang": "06:00:00", "is_active": False}}
    rows = {s.id: s for s in fetch(WorkSchedule)}
    assert rows[new_id].name == "Jam Kerja Shift Malam" and rows[new_id].is_active is False
    assert rows[normal.id].is_active is True


def test_create_with_only_required_fields(client, normal, admin):
    r = client.post("/api/jam-absensi", json={"nama": "Minimal", "start_jam_masuk": "06:00",
                                              "start_jam_pulang": "14:00:00"}, headers=admin)
    assert r.status_code == 201
    data = r.json["data"]
    assert (data["start_jam_masuk"], data["end_jam_masuk"], data["start_jam_pulang"], data["end_jam_pulang"],
            data["is_active"]) == ("06:00:00", None, "14:00:00", None, False)


def test_create_active_deactivates_the_others(client, normal, ramadhan, admin):
    r = client.post("/api/jam-absensi", json={**SHIFT_MALAM, "is_active": True}, headers=admin)
    assert r.status_code == 201
    assert r.json["data"]["is_active"] is True
    active = [s for s in listing(client, admin) if s["is_active"]]
    assert [s["id"] for s in active] == [r.json["data"]["id"]]


def test_first_setting_ever_becomes_active(client, admin):
    r = client.post("/api/jam-absensi", json=SHIFT_MALAM, headers=admin)
    assert r.status_code == 201
    assert r.json["data"]["is_active"] is True
    assert client.get("/api/jam-absensi/active", headers=admin).json["data"]["nama"] == "Jam Kerja Shift Malam"


def test_create_requires_the_documented_fields(client, normal, admin, count):
    r = client.post("/api/jam-absensi", json={}, headers=admin)
    assert validation_fields(r) == {"nama", "start_jam_masuk", "start_jam_pulang"}
    assert r.json["errors"]["start_jam_masuk"] == ["The start_jam_masuk field is required."]
    assert count(WorkSchedule) == 1


@pytest.mark.parametrize("field, value", [
    ("start_jam_masuk", "25:00:00"),
    ("start_jam_masuk", "7am"),
    ("start_jam_masuk", "07-00-00"),
    ("start_jam_masuk", 700),
    ("start_jam_masuk", ""),
    ("end_jam_masuk", "09:60:00"),
    ("end_jam_masuk", "9"),
    ("start_jam_pulang", "16:00:00.5"),
    ("start_jam_pulang", True),
    ("end_jam_pulang", "18:00:00Z"),
    ("end_jam_pulang", ["18:00:00"]),
])
def test_create_bad_time_names_the_contract_field(client, normal, admin, count, field, value):
    r = client.post("/api/jam-absensi", json={**SHIFT_MALAM, field: value}, headers=admin)
    assert validation_fields(r) == {field}
    message = r.json["errors"][field][0]
    assert field in message
    assert "check_in" not in message and "check_out" not in message
    assert count(WorkSchedule) == 1


@pytest.mark.parametrize("patch, field", [
    ({"nama": ""}, "nama"),
    ({"nama": "N" * 101}, "nama"),
    ({"nama": 123}, "nama"),
    ({"is_active": "yes"}, "is_active"),
    ({"is_active": 1}, "is_active"),
    ({"end_jam_masuk": "20:00:00"}, "end_jam_masuk"),      # empty check-in window
    ({"end_jam_pulang": "04:00:00"}, "end_jam_pulang"),    # empty check-out window
    ({"start_jam_pulang": "20:00:00"}, "start_jam_pulang"),
])
def test_create_other_bad_values(client, normal, admin, count, patch, field):
    r = client.post("/api/jam-absensi", json={**SHIFT_MALAM, **patch}, headers=admin)
    assert validation_fields(r) == {field}
    assert count(WorkSchedule) == 1


def test_create_with_a_non_object_body_is_refused(client, normal, admin, count):
    r = client.post("/api/jam-absensi", json=["nama"], headers=admin)
    assert validation_fields(r) == {"body"}
    assert count(WorkSchedule) == 1


# --- update -------------------------------------------------------------------------------

def test_update_changes_only_the_given_fields(client, normal, ramadhan, admin):
    r = client.put(f"/api/jam-absensi/{normal.id}", json={"start_jam_masuk": "07:30:00", "is_active": True},
                   headers=admin)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Attendance time setting updated successfully", "data": {
        "id": normal.id, "nama": "Jam Kerja Normal", "start_jam_masuk": "07:30:00", "end_jam_masuk": "09:00:00",
        "start_jam_pulang": "16:00:00", "end_jam_pulang": "18:00:00", "is_active": True}}
    detail = client.get(f"/api/jam-absensi/{normal.id}", headers=admin).json["data"]
    assert detail["start_jam_masuk"] == "07:30:00"


def test_update_to_active_switches_the_active_setting(client, normal, ramadhan, admin):
    r = client.put(f"/api/jam-absensi/{ramadhan.id}", json={"is_active": True}, headers=admin)
    assert r.status_code == 200
    assert [(s["id"], s["is_active"]) for s in listing(client, admin)] == [(ramadhan.id, True), (normal.id, False)]


@pytest.mark.parametrize("body, field", [
    ({"start_jam_masuk": "24:00:00"}, "start_jam_masuk"),
    ({"end_jam_pulang": "noon"}, "end_jam_pulang"),
    ({"nama": ""}, "nama"),
    ({"start_jam_pulang": None}, "start_jam_pulang"),
    ({"end_jam_masuk": "07:00:00"}, "end_jam_masuk"),  # equal to start: an empty window
])
def test_update_bad_values_change_nothing(client, normal, admin, body, field):
    before = client.get(f"/api/jam-absensi/{normal.id}", headers=admin).json["data"]
    r = client.put(f"/api/jam-absensi/{normal.id}", json=body, headers=admin)
    assert validation_fields(r) == {field}
    assert client.get(f"/api/jam-absensi/{normal.id}", headers=admin).json["data"] == before


def test_update_cannot_deactivate_the_active_setting(client, normal, ramadhan, admin):
    r = client.put(f"/api/jam-absensi/{normal.id}", json={"is_active": False}, headers=admin)
    assert r.status_code == 400
    assert r.json == {"rcode": "83",
                      "message": "Activate another attendance time setting instead of deactivating the active one"}
    assert client.get("/api/jam-absensi/active", headers=admin).json["data"]["id"] == normal.id


def test_update_unknown_id_is_not_found(client, normal, admin):
    r = client.put(f"/api/jam-absensi/{normal.id + 100}", json={"nama": "X"}, headers=admin)
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "Attendance time setting not found"}


# --- delete -------------------------------------------------------------------------------

def test_delete_an_inactive_setting(client, normal, ramadhan, admin, count):
    r = client.delete(f"/api/jam-absensi/{ramadhan.id}", headers=admin)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Attendance time setting deleted successfully",
                      "deleted_nama": "Jam Kerja Ramadhan"}
    assert count(WorkSchedule) == 1
    assert client.get(f"/api/jam-absensi/{ramadhan.id}", headers=admin).status_code == 404


def test_deleting_the_last_setting_is_a_conflict(client, normal, admin, count):
    r = client.delete(f"/api/jam-absensi/{normal.id}", headers=admin)
    assert r.status_code == 400
    assert r.json == {"rcode": "82", "message": "Cannot delete the last attendance time setting"}
    assert count(WorkSchedule) == 1


def test_deleting_the_active_setting_is_a_conflict(client, normal, ramadhan, admin, count):
    r = client.delete(f"/api/jam-absensi/{normal.id}", headers=admin)
    assert r.status_code == 400
    assert r.json == {"rcode": "82",
                      "message": "Cannot delete the active attendance time setting; activate another one first"}
    assert count(WorkSchedule) == 2


def test_delete_unknown_id_is_not_found(client, normal, admin):
    r = client.delete(f"/api/jam-absensi/{normal.id + 100}", headers=admin)
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "Attendance time setting not found"}


# --- set-active -----------------------------------------------------------------------------

def test_set_active_leaves_exactly_one_active(client, normal, ramadhan, admin, fetch):
    r = client.post(f"/api/jam-absensi/{ramadhan.id}/set-active", headers=admin)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Attendance time setting activated successfully", "data": {
        "id": ramadhan.id, "nama": "Jam Kerja Ramadhan", "start_jam_masuk": "07:30:00", "end_jam_masuk": "09:00:00",
        "start_jam_pulang": "15:00:00", "end_jam_pulang": "17:00:00", "is_active": True}}
    assert [(s.id, s.is_active) for s in fetch(WorkSchedule)] == [(normal.id, False), (ramadhan.id, True)]
    assert client.get("/api/jam-absensi/active", headers=admin).json["data"]["id"] == ramadhan.id
    # Activating the active one again keeps exactly one active.
    assert client.post(f"/api/jam-absensi/{ramadhan.id}/set-active", headers=admin).status_code == 200
    assert [s.is_active for s in fetch(WorkSchedule)] == [False, True]


def test_set_active_unknown_id_is_not_found(client, normal, admin):
    r = client.post(f"/api/jam-absensi/{normal.id + 100}/set-active", headers=admin)
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "Attendance time setting not found"}


# --- administrators only ------------------------------------------------------------------

FORBIDDEN = {"rcode": "83", "message": "Only administrators may change attendance time settings"}


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/jam-absensi", SHIFT_MALAM),
    ("POST", "/api/jam-absensi", {"nama": "x"}),  # refused before validation
    ("PUT", "/api/jam-absensi/{normal}", {"nama": "Diubah", "start_jam_masuk": "05:00:00"}),
    ("PUT", "/api/jam-absensi/{ramadhan}", {"is_active": True}),
    ("DELETE", "/api/jam-absensi/{ramadhan}", None),
    ("POST", "/api/jam-absensi/{ramadhan}/set-active", None),
])
def test_pegawai_cannot_change_settings(client, normal, ramadhan, pegawai, fetch, method, path, body):
    def snapshot():
        return [(s.id, s.name, s.check_in_start, s.is_active) for s in fetch(WorkSchedule)]

    before = snapshot()
    url = path.format(normal=normal.id, ramadhan=ramadhan.id)
    r = client.open(url, method=method, json=body, headers=pegawai)
    assert r.status_code == 403
    assert r.json == FORBIDDEN
    assert snapshot() == before


def test_times_are_hh_mm_ss(client, normal, pegawai):
    data = client.get("/api/jam-absensi/active", headers=pegawai).json["data"]
    for key in ("start_jam_masuk", "end_jam_masuk", "start_jam_pulang", "end_jam_pulang"):
        assert HMS_RE.match(data[key]), key
