"""Contract 000 "Device Management": register with a push token, list, revoke (own devices only)."""
from __future__ import annotations

import pytest

from app.accounts.models import ApiToken
from app.extensions import db
from app.notify.models import PushToken, UserDevice

from .conftest import BASE, assert_envelope, auth

DEVICE = {"device_id": "unique_device_identifier", "device_name": "iPhone 12 Pro", "device_type": "ios",
          "app_version": "1.0.0", "os_version": "15.0", "push_token": "fcm_token_here"}


@pytest.fixture
def people(staff, login):
    me = staff(role="dokter")
    other = staff(role="petugas")
    return {"me": me, "other": other, "token": login(me), "other_token": login(other)}


def register(client, token, **changes):
    return client.post(f"{BASE}/devices/register", headers=auth(token), json={**DEVICE, **changes})


def test_register_creates_the_device_with_its_push_token(client, people, app):
    response = register(client, people["token"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert_envelope(body, success=True)
    data = body["data"]
    assert {k: data[k] for k in ("device_id", "device_name", "device_type", "app_version", "os_version")} == {
        "device_id": "unique_device_identifier", "device_name": "iPhone 12 Pro", "device_type": "ios",
        "app_version": "1.0.0", "os_version": "15.0"}
    assert data["push_enabled"] is True and data["is_current"] is True
    assert "push_token" not in data and "fcm_token_here" not in str(data)
    with app.app_context():
        token = db.session.scalar(db.select(PushToken))
        assert (token.user_id, token.token, token.device_type, token.is_active) == \
            (people["me"].id, "fcm_token_here", "ios", True)
        session = db.session.scalar(db.select(ApiToken).filter_by(user_id=people["me"].id))
        assert session.device_id == "unique_device_identifier"


def test_registering_again_updates_and_replaces_the_push_token(client, people, app):
    register(client, people["token"])
    response = register(client, people["token"], app_version="1.1.0", push_token="fcm_new")
    assert response.status_code == 200 and response.get_json()["message"] == "Device updated"
    assert response.get_json()["data"]["app_version"] == "1.1.0"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(UserDevice.id))) == 1
        tokens = {t.token: t.is_active for t in db.session.scalars(db.select(PushToken))}
    assert tokens == {"fcm_token_here": False, "fcm_new": True}
    # Without push_token the device keeps the one it has.
    data = register(client, people["token"], push_token=None).get_json()["data"]
    assert data["push_enabled"] is True


def test_a_web_device_without_push(client, people):
    response = register(client, people["token"], device_id="browser-1", device_type="web", push_token=None)
    assert response.status_code == 201
    assert response.get_json()["data"]["push_enabled"] is False


@pytest.mark.parametrize("changes, field", [
    ({"device_id": None}, "device_id"),
    ({"device_id": ""}, "device_id"),
    ({"device_id": "x" * 192}, "device_id"),
    ({"device_id": 42}, "device_id"),
    ({"device_type": "blackberry"}, "device_type"),
    ({"device_type": None}, "device_type"),
    ({"device_name": "n" * 121}, "device_name"),
    ({"app_version": ["1"]}, "app_version"),
    ({"os_version": "v" * 33}, "os_version"),
    ({"push_token": "t" * 513}, "push_token"),
    ({"push_token": {"token": "x"}}, "push_token"),
])
def test_register_refuses_bad_fields_and_writes_nothing(client, people, app, changes, field):
    response = register(client, people["token"], **changes)
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert field in body["errors"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(UserDevice.id))) == 0
        assert db.session.scalar(db.select(db.func.count(PushToken.id))) == 0


def test_register_refuses_non_object_bodies(client, people):
    h = auth(people["token"])
    assert client.post(f"{BASE}/devices/register", headers=h, json=["x"]).status_code == 422
    assert client.post(f"{BASE}/devices/register", headers={**h, "Content-Type": "application/json"},
                       data='{"device_id": NaN').status_code == 400
    assert client.post(f"{BASE}/devices/register", headers=h, json={"device_id": "d", "device_type": "ios",
                                                                      "device_name": "x" * 100000}).status_code \
        in (413, 422)


def test_at_most_twenty_live_devices(client, people):
    for i in range(20):
        assert register(client, people["token"], device_id=f"d{i}", push_token=None).status_code == 201
    response = register(client, people["token"], device_id="d20", push_token=None)
    assert response.status_code == 422 and "device_id" in response.get_json()["errors"]
    # d0 is this session's device (revoking it would sign the session out): revoke another.
    assert client.delete(f"{BASE}/devices/d5", headers=auth(people["token"])).status_code == 200
    assert register(client, people["token"], device_id="d20", push_token=None).status_code == 201


def test_list_shows_only_the_own_live_devices(client, people):
    register(client, people["token"])
    register(client, people["token"], device_id="tablet", device_type="android", push_token="fcm_tablet")
    register(client, people["other_token"], device_id="theirs", push_token="fcm_theirs")
    for path in ("/devices/", "/devices"):
        response = client.get(BASE + path, headers=auth(people["token"]))
        assert response.status_code == 200
        data = response.get_json()["data"]
        assert {d["device_id"] for d in data} == {"unique_device_identifier", "tablet"}
        assert {d["device_id"]: d["is_current"] for d in data} == {"unique_device_identifier": True,
                                                                   "tablet": False}


def test_a_push_token_moves_to_whoever_registers_it_last(client, people):
    register(client, people["token"])
    register(client, people["other_token"], device_id="shared-phone")  # the same push token
    mine = client.get(f"{BASE}/devices/", headers=auth(people["token"])).get_json()["data"]
    theirs = client.get(f"{BASE}/devices/", headers=auth(people["other_token"])).get_json()["data"]
    assert mine[0]["push_enabled"] is False and theirs[0]["push_enabled"] is True


def test_revoke_ends_push_and_the_devices_sessions(client, people, app, login):
    register(client, people["token"])
    second = login(people["me"])  # another session, on no device
    response = client.delete(f"{BASE}/devices/unique_device_identifier", headers=auth(second))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["device_id"] == "unique_device_identifier" and data["sessions_ended"] == 1
    assert data["revoked_at"].endswith("Z")
    assert client.get(f"{BASE}/devices/", headers=auth(people["token"])).status_code == 401  # signed out
    assert client.get(f"{BASE}/devices/", headers=auth(second)).get_json()["data"] == []
    with app.app_context():
        assert db.session.scalar(db.select(PushToken)).is_active is False
    again = client.delete(f"{BASE}/devices/unique_device_identifier", headers=auth(second))
    assert again.status_code == 404
    # Registering it again brings it back.
    assert register(client, second).status_code == 201


def test_revoking_another_persons_or_an_unknown_device_is_404(client, people, app):
    register(client, people["other_token"], device_id="theirs", push_token="fcm_theirs")
    for target in ("theirs", "nothing-here", "x" * 300):
        response = client.delete(f"{BASE}/devices/{target}", headers=auth(people["token"]))
        assert response.status_code == 404, target
        body = response.get_json()
        assert_envelope(body, success=False)
        assert "device_id" in body["errors"]
    with app.app_context():
        row = db.session.scalar(db.select(UserDevice).filter_by(device_id="theirs"))
        assert row.revoked_at is None and row.push_token.is_active is True
    assert len(client.get(f"{BASE}/devices/", headers=auth(people["other_token"])).get_json()["data"]) == 1


def test_device_endpoints_need_a_token(client):
    assert client.post(f"{BASE}/devices/register", json=DEVICE).status_code == 401
    assert client.get(f"{BASE}/devices/").status_code == 401
    assert client.delete(f"{BASE}/devices/x").status_code == 401
