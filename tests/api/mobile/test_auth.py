"""Contract 001, "Authentication": POST /api/login, the bearer token, device binding.

Also "Device Binding" (Catatan Penting 2) and the "Flow Reset Device": after an
admin approves a reset, the old phone's token stops working and the new phone
can log in.
"""
from __future__ import annotations

import time

import jwt
import pytest

from app.accounts import services as accounts
from app.accounts.models import DeviceBinding, DeviceResetRequest, User
from app.extensions import db

from .conftest import login, validation_fields

SECRET = "test-secret-key-not-for-production-0123456789"


def test_login_returns_every_documented_field(client, factory, app):
    office = factory.office(code="0001", name="Kantor Pusat")
    user = factory.user(npp="10001", name="John Doe", office=office)
    r = login(client, "10001", "abc123-device-xyz-456")
    assert r.status_code == 200
    body = r.json
    token = body.pop("access_token")
    assert body == {
        "rcode": "00",
        "nama": "John Doe",
        "kode_kantor": "0001",
        "nama_kantor": "Kantor Pusat",
        "group": "User",
        "token_type": "Bearer",
        "message": "authenticated",
        "expires_in": 12 * 3600,
    }
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(user.id)
    assert claims["npp"] == "10001"
    assert claims["dev"] == "abc123-device-xyz-456"
    assert claims["exp"] - claims["iat"] == 12 * 3600
    assert abs(claims["iat"] - time.time()) < 60


def test_the_token_opens_authenticated_endpoints(client, factory):
    factory.schedule()
    factory.user(npp="10001")
    token = login(client, "10001").json["access_token"]
    r = client.get("/api/jam-absensi/active", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.json["rcode"] == "00"


def test_admin_group_and_user_without_office(client, factory):
    factory.user(npp="90001", role="admin", name="Admin HRD")
    r = login(client, "90001")
    assert r.status_code == 200
    assert r.json["group"] == "Admin"
    assert r.json["nama"] == "Admin HRD"
    assert r.json["kode_kantor"] is None
    assert r.json["nama_kantor"] is None


def test_npp_sent_as_a_number_is_accepted(client, factory):
    factory.user(npp="10001")
    r = client.post("/api/login", json={"npp": 10001, "password": "password123", "device_id": "d-1"})
    assert r.status_code == 200
    assert r.json["rcode"] == "00"


def test_unknown_npp_is_refused_with_81(client, factory, count):
    factory.user(npp="10001")
    r = login(client, "99999")
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "User Tidak Terdaftar"}
    assert count(DeviceBinding) == 0


def test_wrong_password_is_401_with_the_contract_message(client, factory, count):
    factory.user(npp="10001")
    r = login(client, "10001", password="wrong-password")
    assert r.status_code == 401
    assert r.json == {"message": "NRK atau Password Salah"}
    assert count(DeviceBinding) == 0


def test_first_login_binds_the_device(client, factory, fetch):
    user = factory.user(npp="10001")
    assert login(client, "10001", "phone-A").status_code == 200
    bindings = fetch(DeviceBinding)
    assert [(b.user_id, b.device_id) for b in bindings] == [(user.id, "phone-A")]
    # The same phone logs in again without trouble, and nothing is added.
    assert login(client, "10001", "phone-A").status_code == 200
    assert len(fetch(DeviceBinding)) == 1


def test_a_device_bound_to_another_user_is_refused(client, factory, fetch):
    first = factory.user(npp="10001")
    factory.user(npp="10002")
    assert login(client, "10001", "phone-A").status_code == 200
    r = login(client, "10002", "phone-A")
    assert r.status_code == 403
    assert r.json == {"rcode": "81", "message": "Device Telah Terdaftar ke User Lain"}
    assert [(b.user_id, b.device_id) for b in fetch(DeviceBinding)] == [(first.id, "phone-A")]


def test_a_user_bound_to_another_device_is_refused(client, factory, fetch):
    user = factory.user(npp="10001")
    assert login(client, "10001", "phone-A").status_code == 200
    r = login(client, "10001", "phone-B")
    assert r.status_code == 403
    assert r.json["rcode"] == "81"
    assert r.json["message"].startswith("Device Tidak Sesuai")
    assert r.json == {"rcode": "81", "message": "Device Tidak Sesuai. Silakan ajukan reset device."}
    assert [(b.user_id, b.device_id) for b in fetch(DeviceBinding)] == [(user.id, "phone-A")]


def test_wrong_password_is_checked_before_the_device(client, factory):
    factory.user(npp="10001")
    assert login(client, "10001", "phone-A").status_code == 200
    r = login(client, "10001", "phone-B", password="nope-nope")
    assert r.status_code == 401
    assert r.json == {"message": "NRK atau Password Salah"}


def test_deactivated_user_cannot_log_in(client, factory, count):
    factory.user(npp="10001", is_active=False)
    r = login(client, "10001")
    assert r.status_code == 403
    assert r.json == {"rcode": "83", "message": "User tidak aktif"}
    assert count(DeviceBinding) == 0


@pytest.mark.parametrize("body, fields", [
    ({}, {"npp", "password", "device_id"}),
    ({"npp": "10001", "password": "password123"}, {"device_id"}),
    ({"npp": "10001", "device_id": "d"}, {"password"}),
    ({"password": "password123", "device_id": "d"}, {"npp"}),
    ({"npp": "   ", "password": "password123", "device_id": "d"}, {"npp"}),
    ({"npp": True, "password": "password123", "device_id": "d"}, {"npp"}),
    ({"npp": ["10001"], "password": "password123", "device_id": "d"}, {"npp"}),
    ({"npp": "1" * 33, "password": "password123", "device_id": "d"}, {"npp"}),
    ({"npp": "10001", "password": "password123", "device_id": "d" * 192}, {"device_id"}),
    ({"npp": "10001", "password": None, "device_id": None}, {"password", "device_id"}),
])
def test_login_validation_names_each_field(client, factory, count, body, fields):
    factory.user(npp="10001")
    r = client.post("/api/login", json=body)
    assert validation_fields(r) == fields
    assert count(DeviceBinding) == 0


# --- the bearer token -------------------------------------------------------

#: Every endpoint of contract 001 that says "Auth Required: Yes".
AUTHENTICATED = [
    ("POST", "/api/absenmasuk"),
    ("POST", "/api/absenpulang"),
    ("POST", "/api/getabsen"),
    ("POST", "/api/kantor"),
    ("GET", "/api/jam-absensi/active"),
    ("GET", "/api/jam-absensi"),
    ("GET", "/api/jam-absensi/1"),
    ("POST", "/api/jam-absensi"),
    ("PUT", "/api/jam-absensi/1"),
    ("DELETE", "/api/jam-absensi/1"),
    ("POST", "/api/jam-absensi/1/set-active"),
    ("GET", "/api/blogs/published"),
    ("GET", "/api/blogs/featured"),
    ("GET", "/api/blogs/1"),
    ("GET", "/api/blogs/slug/pengumuman"),
    ("GET", "/api/notifications"),
    ("GET", "/api/notifications/unread-count"),
    ("POST", "/api/notifications/1/read"),
    ("POST", "/api/notifications/read-all"),
    ("POST", "/api/fcm/register"),
    ("POST", "/api/fcm/unregister"),
]


@pytest.mark.parametrize("method, path", AUTHENTICATED)
def test_every_authenticated_endpoint_wants_a_token(client, method, path):
    r = client.open(path, method=method, json={})
    assert r.status_code == 401
    assert r.json == {"message": "Token not provided"}
    assert r.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_missing_or_non_bearer_authorization_is_token_not_provided(client, factory, header):
    factory.schedule()
    r = client.get("/api/jam-absensi", headers={"Authorization": header})
    assert r.status_code == 401
    assert r.json == {"message": "Token not provided"}


def _claims(user, device="dev-10001", **over):
    now = int(time.time())
    claims = {"sub": str(user.id), "npp": user.npp, "dev": device, "iat": now - 7200, "exp": now - 3600,
              "typ": "access"}
    claims.update(over)
    return claims


def test_expired_token_is_refused(client, factory):
    factory.schedule()
    user = factory.user(npp="10001")
    assert login(client, "10001").status_code == 200  # binds dev-10001: only the expiry is wrong
    token = jwt.encode(_claims(user), SECRET, algorithm="HS256")
    r = client.get("/api/jam-absensi", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json == {"message": "Token is expired"}
    fresh = jwt.encode(_claims(user, exp=int(time.time()) + 600), SECRET, algorithm="HS256")
    assert client.get("/api/jam-absensi", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_token_issued_by_login_expires_after_its_lifetime(client, factory, app, monkeypatch):
    factory.schedule()
    factory.user(npp="10001")
    monkeypatch.setitem(app.config, "JWT_ACCESS_TTL_S", -1)
    r = login(client, "10001")
    assert r.status_code == 200
    r = client.get("/api/jam-absensi", headers={"Authorization": f"Bearer {r.json['access_token']}"})
    assert r.status_code == 401
    assert r.json == {"message": "Token is expired"}


@pytest.mark.parametrize("make", [
    lambda user: "not.a.jwt",
    lambda user: jwt.encode(_claims(user, exp=int(time.time()) + 600), "another-secret-key-0123456789-abcdef",
                            algorithm="HS256"),
    lambda user: jwt.encode(_claims(user, exp=int(time.time()) + 600, typ="refresh"), SECRET, algorithm="HS256"),
    lambda user: jwt.encode({k: v for k, v in _claims(user, exp=int(time.time()) + 600).items() if k != "exp"},
                            SECRET, algorithm="HS256"),
    lambda user: jwt.encode(_claims(user, exp=int(time.time()) + 600, sub="abc"), SECRET, algorithm="HS256"),
    lambda user: jwt.encode(_claims(user, exp=int(time.time()) + 600, sub="999999"), SECRET, algorithm="HS256"),
    lambda user: jwt.encode(_claims(user, exp=int(time.time()) + 600, dev="someone-elses-phone"), SECRET,
                            algorithm="HS256"),
], ids=["garbage", "wrong-key", "wrong-type", "no-exp", "bad-sub", "unknown-user", "other-device"])
def test_invalid_tokens_are_refused(client, factory, make):
    factory.schedule()
    user = factory.user(npp="10001")
    assert login(client, "10001").status_code == 200
    r = client.get("/api/jam-absensi", headers={"Authorization": f"Bearer {make(user)}"})
    assert r.status_code == 401
    assert r.json == {"message": "Token is invalid"}


def test_deactivating_a_user_revokes_their_token(client, factory, auth, app):
    factory.schedule()
    user = factory.user(npp="10001")
    headers = auth(user)
    assert client.get("/api/jam-absensi", headers=headers).status_code == 200
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    r = client.get("/api/jam-absensi", headers=headers)
    assert r.status_code == 401
    assert r.json == {"message": "Token is invalid"}


# --- device reset approval (the admin side is another package's page) ---------

def _process(app, npp, admin, *, approve, notes=None):
    with app.app_context():
        req = db.session.scalar(db.select(DeviceResetRequest).join(User, DeviceResetRequest.user_id == User.id)
                                .where(User.npp == npp, DeviceResetRequest.status == "pending"))
        accounts.process_device_reset(req, db.session.get(User, admin.id), approve=approve, notes=notes)
        db.session.commit()


def test_approved_reset_revokes_the_old_token_and_lets_the_new_phone_in(client, factory, auth, app, fetch):
    factory.schedule()
    admin = factory.user(npp="90001", role="admin")
    user = factory.user(npp="10001")
    old = auth(user, "phone-old")
    assert client.get("/api/jam-absensi", headers=old).status_code == 200

    # Before approval the new phone is refused.
    assert login(client, "10001", "phone-new").json["rcode"] == "81"
    r = client.post("/api/device-reset/request", json={"npp": "10001", "reason": "Handphone rusak dan sudah diganti"})
    assert r.status_code == 201
    assert login(client, "10001", "phone-new").status_code == 403
    assert client.get("/api/jam-absensi", headers=old).status_code == 200

    _process(app, "10001", admin, approve=True)

    r = client.get("/api/jam-absensi", headers=old)
    assert r.status_code == 401
    assert r.json == {"message": "Token is invalid"}
    r = login(client, "10001", "phone-new")
    assert r.status_code == 200
    new = {"Authorization": f"Bearer {r.json['access_token']}"}
    assert client.get("/api/jam-absensi", headers=new).status_code == 200
    assert [(b.user_id, b.device_id) for b in fetch(DeviceBinding)] == [(user.id, "phone-new")]
    # The old phone stays locked out: its token, and a fresh login from it.
    assert client.get("/api/jam-absensi", headers=old).status_code == 401
    assert login(client, "10001", "phone-old").status_code == 403


def test_released_phone_can_be_bound_by_another_user(client, factory, auth, app):
    admin = factory.user(npp="90001", role="admin")
    factory.user(npp="10001")
    factory.user(npp="10002")
    auth("10001", "shared-phone")
    assert login(client, "10002", "shared-phone").status_code == 403
    client.post("/api/device-reset/request", json={"npp": "10001", "reason": "HP diberikan ke rekan kerja"})
    _process(app, "10001", admin, approve=True)
    assert login(client, "10002", "shared-phone").status_code == 200


def test_rejected_reset_keeps_the_binding(client, factory, auth, app, fetch):
    factory.schedule()
    admin = factory.user(npp="90001", role="admin")
    user = factory.user(npp="10001")
    old = auth(user, "phone-old")
    client.post("/api/device-reset/request", json={"npp": "10001", "reason": "Handphone rusak dan sudah diganti"})
    _process(app, "10001", admin, approve=False, notes="Silakan datang ke HRD")
    assert client.get("/api/jam-absensi", headers=old).status_code == 200
    r = login(client, "10001", "phone-new")
    assert r.status_code == 403
    assert r.json["message"].startswith("Device Tidak Sesuai")
    assert [(b.user_id, b.device_id) for b in fetch(DeviceBinding)] == [(user.id, "phone-old")]
