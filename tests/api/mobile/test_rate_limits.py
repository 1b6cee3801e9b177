"""Contract 001, "Rate Limiting": login 5 per minute, every other endpoint 60 per minute.

Login is keyed by address + NPP.  Authenticated endpoints are keyed by the
token's user, not the address (a whole office checks in from one NAT
address), with one budget shared by all of them.  Refusals are 429 in the
rcode envelope with a ``Retry-After`` header.
"""
from __future__ import annotations

from app.accounts.models import DeviceBinding

from .conftest import login

TOO_MANY = {"rcode": "83", "message": "Too many requests. Please try again later."}


def assert_too_many(r):
    assert r.status_code == 429
    assert r.json == TOO_MANY
    assert int(r.headers["Retry-After"]) > 0


# --- login -----------------------------------------------------------------------------------

def test_sixth_login_within_a_minute_is_refused(client, factory, count):
    factory.user(npp="10001")
    for _ in range(5):
        r = login(client, "10001", password="wrong-password")
        assert r.status_code == 401
    # Even the right password is refused now, and nothing is bound.
    assert_too_many(login(client, "10001"))
    assert count(DeviceBinding) == 0


def test_five_logins_within_a_minute_are_allowed(client, factory):
    factory.user(npp="10001")
    for _ in range(4):
        assert login(client, "10001", password="wrong-password").status_code == 401
    assert login(client, "10001").status_code == 200


def test_login_limit_is_per_address_and_npp(client, factory):
    factory.user(npp="10001")
    factory.user(npp="10002")
    for _ in range(5):
        login(client, "10001", password="wrong-password", remote_addr="10.0.0.1")
    assert_too_many(login(client, "10001", remote_addr="10.0.0.1"))
    # Another NPP from the same address, and the same NPP from another address, still get in.
    assert login(client, "10002", remote_addr="10.0.0.1").status_code == 200
    assert login(client, "10001", remote_addr="10.0.0.2").status_code == 200


def test_unknown_npps_are_limited_too(client):
    for _ in range(5):
        assert login(client, "99999").status_code == 404
    assert_too_many(login(client, "99999"))


# --- authenticated endpoints ------------------------------------------------------------

def test_each_user_has_their_own_60_per_minute_from_one_address(client, factory, auth):
    factory.schedule()
    a = auth(factory.user(npp="10001"))
    b = auth(factory.user(npp="10002"))
    for i in range(60):
        r = client.get("/api/jam-absensi", headers=a)
        assert r.status_code == 200, i
    assert_too_many(client.get("/api/jam-absensi", headers=a))
    r = client.get("/api/jam-absensi", headers=b)
    assert r.status_code == 200
    assert r.json["rcode"] == "00"


def test_the_60_per_minute_is_shared_by_all_endpoints(client, factory, auth):
    factory.schedule()
    a = auth(factory.user(npp="10001"))
    for _ in range(20):
        assert client.get("/api/jam-absensi", headers=a).status_code == 200
        assert client.get("/api/jam-absensi/active", headers=a).status_code == 200
        assert client.get("/api/notifications/unread-count", headers=a).status_code == 200
    assert_too_many(client.get("/api/blogs/published", headers=a))
    assert_too_many(client.post("/api/getabsen", json={"year": "2026", "month": "1"}, headers=a))


def test_the_user_budget_follows_the_user_across_addresses(client, factory, auth):
    factory.schedule()
    a = auth(factory.user(npp="10001"))
    for i in range(60):
        addr = "10.0.0.1" if i % 2 else "10.0.0.2"
        assert client.get("/api/jam-absensi", headers=a, environ_base={"REMOTE_ADDR": addr}).status_code == 200
    assert_too_many(client.get("/api/jam-absensi", headers=a, environ_base={"REMOTE_ADDR": "10.0.0.3"}))


def test_public_endpoints_are_limited_per_address(client):
    body = {"platform": "android", "build_number": 1}
    for _ in range(60):
        r = client.post("/api/app-version/check", json=body, environ_base={"REMOTE_ADDR": "10.0.0.1"})
        assert r.status_code == 200
    assert_too_many(client.post("/api/app-version/check", json=body, environ_base={"REMOTE_ADDR": "10.0.0.1"}))
    r = client.post("/api/app-version/check", json=body, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert r.status_code == 200
