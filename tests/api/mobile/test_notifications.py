"""Contract 001, "Notifikasi": list, unread-count, read, read-all, FCM register/unregister.

The user is the token's user.  An ``npp`` naming someone else is refused
(403, rcode 83) and never returns or changes their data; another user's
notification or FCM token is indistinguishable from a missing one (404, 81).
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.notify.models import Notification, PushToken

from .conftest import ISO_RE, now_utc, validation_fields

OTHERS = {"rcode": "83", "message": "You can only access your own notifications"}
ITEM = {"id", "npp", "type", "title", "body", "is_read", "read_at", "created_at"}


@pytest.fixture
def me(factory):
    return factory.user(npp="10001")


@pytest.fixture
def other(factory):
    return factory.user(npp="10002")


@pytest.fixture
def headers(auth, me):
    return auth(me)


@pytest.fixture
def mine(factory, me, other):
    """Three notifications of mine (one read, the newest last) and two of the other user."""
    rows = [
        factory.notification(me, type="reminder", title="Reminder Absen", created_at=now_utc() - timedelta(hours=3)),
        factory.notification(me, type="device_reset", title="Reset", is_read=True,
                             created_at=now_utc() - timedelta(hours=2)),
        factory.notification(me, type="reminder", title="Reminder Pulang", created_at=now_utc() - timedelta(hours=1)),
    ]
    factory.notification(other, title="Rahasia orang lain")
    factory.notification(other, title="Rahasia orang lain 2")
    return rows


def listing(client, headers, query=""):
    r = client.get(f"/api/notifications{query}", headers=headers)
    assert r.status_code == 200, r.json
    assert (r.json["rcode"], r.json["message"]) == ("00", "Success")
    return r.json["data"]


# --- list ------------------------------------------------------------------------------------

def test_list_returns_my_notifications_newest_first(client, headers, mine):
    r = client.get("/api/notifications?npp=10001", headers=headers)
    assert r.status_code == 200
    page = r.json["data"]
    assert {k: v for k, v in page.items() if k != "data"} == {"current_page": 1, "last_page": 1, "per_page": 20,
                                                             "total": 3}
    assert [n["id"] for n in page["data"]] == [mine[2].id, mine[1].id, mine[0].id]
    for item in page["data"]:
        assert set(item) == ITEM
        assert ISO_RE.match(item["created_at"])
    newest = page["data"][0]
    assert {k: newest[k] for k in ("npp", "type", "title", "body", "is_read", "read_at")} == {
        "npp": "10001", "type": "reminder", "title": "Reminder Pulang", "body": "Jangan lupa absen masuk hari ini!",
        "is_read": False, "read_at": None}
    assert ISO_RE.match(page["data"][1]["read_at"]) and page["data"][1]["is_read"] is True


def test_list_without_npp_uses_the_token(client, headers, mine):
    assert listing(client, headers)["total"] == 3


def test_list_never_shows_another_users_notifications(client, headers, mine):
    titles = [n["title"] for n in listing(client, headers, "?per_page=100")["data"]]
    assert "Rahasia orang lain" not in titles and len(titles) == 3


def test_list_for_another_npp_is_refused(client, headers, mine):
    r = client.get("/api/notifications?npp=10002", headers=headers)
    assert r.status_code == 403
    assert r.json == OTHERS
    assert b"Rahasia" not in r.data


@pytest.mark.parametrize("query, expected", [
    ("?is_read=false", [2, 0]),
    ("?is_read=true", [1]),
    ("?type=reminder", [2, 0]),
    ("?type=device_reset&is_read=true", [1]),
    ("?type=unknown", []),
])
def test_list_filters(client, headers, mine, query, expected):
    page = listing(client, headers, query)
    assert [n["id"] for n in page["data"]] == [mine[i].id for i in expected]
    assert page["total"] == len(expected)


def test_list_pagination(client, headers, mine):
    first = listing(client, headers, "?per_page=2")
    assert {k: first[k] for k in ("current_page", "last_page", "per_page", "total")} == {
        "current_page": 1, "last_page": 2, "per_page": 2, "total": 3}
    assert [n["id"] for n in first["data"]] == [mine[2].id, mine[1].id]
    second = listing(client, headers, "?per_page=2&page=2")
    assert second["current_page"] == 2
    assert [n["id"] for n in second["data"]] == [mine[0].id]
    assert listing(client, headers, "?per_page=2&page=9")["data"] == []


@pytest.mark.parametrize("query, field", [
    ("?is_read=maybe", "is_read"),
    ("?per_page=0", "per_page"),
    ("?per_page=101", "per_page"),
    ("?per_page=abc", "per_page"),
    ("?page=0", "page"),
])
def test_list_validation(client, headers, mine, query, field):
    assert validation_fields(client.get(f"/api/notifications{query}", headers=headers)) == {field}


# --- unread-count ---------------------------------------------------------------------------

def test_unread_count_counts_only_my_unread(client, headers, mine):
    r = client.get("/api/notifications/unread-count?npp=10001", headers=headers)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Success", "unread_count": 2}


def test_unread_count_zero(client, headers):
    r = client.get("/api/notifications/unread-count?npp=10001", headers=headers)
    assert r.json == {"rcode": "00", "message": "Success", "unread_count": 0}


def test_unread_count_for_another_npp_is_refused(client, headers, mine):
    r = client.get("/api/notifications/unread-count?npp=10002", headers=headers)
    assert r.status_code == 403
    assert r.json == OTHERS
    assert "unread_count" not in r.json


# --- read -------------------------------------------------------------------------------------

def test_mark_one_read(client, headers, mine, fetch):
    target = mine[0]
    r = client.post(f"/api/notifications/{target.id}/read", headers=headers)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "Notification marked as read"}
    rows = {n.id: n for n in fetch(Notification)}
    assert rows[target.id].is_read is True and rows[target.id].read_at is not None
    assert rows[mine[2].id].is_read is False
    assert client.get("/api/notifications/unread-count", headers=headers).json["unread_count"] == 1
    # Marking it again is harmless.
    assert client.post(f"/api/notifications/{target.id}/read", headers=headers).json["rcode"] == "00"


def test_marking_another_users_notification_is_not_found_and_changes_nothing(client, headers, other, mine, fetch):
    theirs = [n for n in fetch(Notification) if n.user_id == other.id][0]
    r = client.post(f"/api/notifications/{theirs.id}/read", headers=headers)
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "Notification not found"}
    row = {n.id: n for n in fetch(Notification)}[theirs.id]
    assert row.is_read is False and row.read_at is None


def test_marking_an_unknown_notification_is_not_found(client, headers, mine):
    r = client.post("/api/notifications/999999/read", headers=headers)
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "Notification not found"}


# --- read-all -----------------------------------------------------------------------------------

def test_read_all_marks_only_mine(client, headers, me, other, mine, fetch):
    r = client.post("/api/notifications/read-all", json={"npp": "10001"}, headers=headers)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "All notifications marked as read", "updated_count": 2}
    rows = fetch(Notification)
    assert all(n.is_read for n in rows if n.user_id == me.id)
    assert not any(n.is_read for n in rows if n.user_id == other.id)
    r = client.post("/api/notifications/read-all", json={"npp": "10001"}, headers=headers)
    assert r.json["updated_count"] == 0


def test_read_all_for_another_npp_is_refused_and_changes_nothing(client, headers, other, mine, fetch):
    r = client.post("/api/notifications/read-all", json={"npp": "10002"}, headers=headers)
    assert r.status_code == 403
    assert r.json == OTHERS
    assert [n.is_read for n in fetch(Notification)] == [False, True, False, False, False]


# --- FCM ----------------------------------------------------------------------------------------

FCM = "cKPLxxxxxx:APA91bHxxxxx-token-of-my-phone"


def test_register_fcm_token(client, headers, me, fetch):
    r = client.post("/api/fcm/register", json={"npp": "10001", "fcm_token": FCM, "device_type": "android",
                                               "device_id": "abc123-device-xyz"}, headers=headers)
    assert r.status_code == 200
    [row] = fetch(PushToken)
    assert r.json == {"rcode": "00", "message": "FCM token registered successfully", "data": {
        "id": row.id, "npp": "10001", "fcm_token": FCM, "device_type": "android", "device_id": "abc123-device-xyz",
        "is_active": True}}
    assert (row.user_id, row.token, row.is_active) == (me.id, FCM, True)


def test_register_with_only_the_token(client, headers):
    r = client.post("/api/fcm/register", json={"fcm_token": FCM}, headers=headers)
    assert r.status_code == 200
    assert {k: r.json["data"][k] for k in ("npp", "device_type", "device_id", "is_active")} == {
        "npp": "10001", "device_type": None, "device_id": None, "is_active": True}


def test_register_again_reactivates_without_duplicating(client, headers, fetch):
    client.post("/api/fcm/register", json={"fcm_token": FCM}, headers=headers)
    client.post("/api/fcm/unregister", json={"fcm_token": FCM}, headers=headers)
    assert fetch(PushToken)[0].is_active is False
    r = client.post("/api/fcm/register", json={"fcm_token": FCM, "device_type": "ios"}, headers=headers)
    assert r.json["data"]["is_active"] is True and r.json["data"]["device_type"] == "ios"
    assert len(fetch(PushToken)) == 1


def test_register_for_another_npp_is_refused(client, headers, other, count):
    r = client.post("/api/fcm/register", json={"npp": "10002", "fcm_token": FCM}, headers=headers)
    assert r.status_code == 403
    assert r.json == OTHERS
    assert count(PushToken) == 0


@pytest.mark.parametrize("body, field", [
    ({}, "fcm_token"),
    ({"fcm_token": ""}, "fcm_token"),
    ({"fcm_token": 12345}, "fcm_token"),
    ({"fcm_token": "t" * 513}, "fcm_token"),
    ({"fcm_token": FCM, "device_type": "windows"}, "device_type"),
    ({"fcm_token": FCM, "device_id": "d" * 192}, "device_id"),
    ({"fcm_token": FCM, "device_id": 42}, "device_id"),
])
def test_register_validation(client, headers, count, body, field):
    assert validation_fields(client.post("/api/fcm/register", json=body, headers=headers)) == {field}
    assert count(PushToken) == 0


def test_unregister_fcm_token(client, headers, fetch):
    client.post("/api/fcm/register", json={"fcm_token": FCM}, headers=headers)
    r = client.post("/api/fcm/unregister", json={"fcm_token": FCM}, headers=headers)
    assert r.status_code == 200
    assert r.json == {"rcode": "00", "message": "FCM token unregistered"}
    assert fetch(PushToken)[0].is_active is False


def test_unregistering_another_users_token_is_not_found(client, auth, headers, other, fetch):
    client.post("/api/fcm/register", json={"fcm_token": "token-of-the-other-phone"}, headers=auth(other))
    r = client.post("/api/fcm/unregister", json={"fcm_token": "token-of-the-other-phone"}, headers=headers)
    assert r.status_code == 404
    assert r.json == {"rcode": "81", "message": "FCM token not found"}
    assert fetch(PushToken)[0].is_active is True


@pytest.mark.parametrize("body", [{}, {"fcm_token": ""}, {"fcm_token": None}, {"fcm_token": ["x"]}])
def test_unregister_validation(client, headers, body):
    assert validation_fields(client.post("/api/fcm/unregister", json=body, headers=headers)) == {"fcm_token"}
