"""Contract 000 "Notification Endpoints": list with filters, unread count by priority, recent,
mark read (own only), mark all read, the person's own settings with quiet hours."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.extensions import db
from app.notify import services as notify
from app.notify import settings as notify_settings
from app.notify.models import Notification, NotificationSettings

from .conftest import BASE, assert_envelope, auth


@pytest.fixture
def people(staff, login):
    dokter = staff(role="dokter")
    other = staff(role="paramedis")
    return {"dokter": dokter, "other": other, "token": login(dokter), "other_token": login(other)}


@pytest.fixture
def add(app):
    """Add a notification: ``add(user, type_, priority=..., read=..., data=...)`` → its id."""

    def _add(user, type_="tindakan_approved", *, priority="medium", read=False, data=None, title="Tindakan Disetujui"):
        with app.app_context():
            note = Notification(user_id=user.id, type=type_, title=title, body="Tindakan konsultasi disetujui",
                                priority=priority, data=data, is_read=read,
                                read_at=datetime(2026, 1, 1, tzinfo=timezone.utc) if read else None)
            db.session.add(note)
            db.session.commit()
            return note.id

    return _add


def test_list_in_the_contract_shape_newest_first_with_pagination(client, people, add):
    first = add(people["dokter"], data={"tindakan_id": 123, "pasien_name": "John Doe"}, priority="high")
    second = add(people["dokter"], "validation_required")
    add(people["other"])
    response = client.get(f"{BASE}/notifications?page=1&per_page=20&type=all&status=all",
                          headers=auth(people["token"]))
    assert response.status_code == 200
    body = response.get_json()
    assert_envelope(body, success=True)
    assert [n["id"] for n in body["data"]] == [str(second), str(first)]
    item = body["data"][1]
    assert set(item) >= {"id", "type", "title", "message", "data", "read_at", "created_at", "priority"}
    assert item["data"] == {"tindakan_id": 123, "pasien_name": "John Doe"} and item["priority"] == "high"
    assert item["read_at"] is None and item["created_at"].endswith("Z")
    assert body["meta"]["pagination"] == {"current_page": 1, "per_page": 20, "total": 2, "last_page": 1}


def test_list_filters_by_status_type_and_priority(client, people, add):
    unread_high = add(people["dokter"], priority="high")
    read = add(people["dokter"], read=True)
    other_type = add(people["dokter"], "system_maintenance", priority="low")
    h = auth(people["token"])

    def ids(query):
        response = client.get(f"{BASE}/notifications?{query}", headers=h)
        assert response.status_code == 200, response.get_json()
        return {int(n["id"]) for n in response.get_json()["data"]}

    assert ids("status=unread") == {unread_high, other_type}
    assert ids("status=read") == {read}
    assert ids("type=system_maintenance") == {other_type}
    assert ids("priority=high") == {unread_high}
    assert ids("type=tindakan_approved&status=unread") == {unread_high}


@pytest.mark.parametrize("query, field", [("status=maybe", "status"), ("priority=urgent", "priority"),
                                          ("type=DROP%20TABLE", "type"), ("per_page=1000", "per_page"),
                                          ("page=abc", "page")])
def test_list_refuses_bad_filters(client, people, query, field):
    response = client.get(f"{BASE}/notifications?{query}", headers=auth(people["token"]))
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert field in body["errors"]


def test_every_endpoint_needs_a_token(client):
    for method, path in [("get", "/notifications"), ("get", "/notifications/unread-count"),
                         ("get", "/notifications/recent"), ("post", "/notifications/1/mark-read"),
                         ("post", "/notifications/mark-all-read"), ("get", "/notifications/settings"),
                         ("put", "/notifications/settings")]:
        response = getattr(client, method)(BASE + path, headers={"Authorization": "Bearer 1|nope"})
        assert response.status_code == 401, path
        assert response.get_json()["errors"] == {"token": ["Token expired or invalid"]}


def test_unread_count_with_priority_counts(client, people, add):
    add(people["dokter"], priority="high")
    for _ in range(3):
        add(people["dokter"])
    add(people["dokter"], priority="low")
    add(people["dokter"], priority="high", read=True)
    add(people["other"], priority="high")
    response = client.get(f"{BASE}/notifications/unread-count", headers=auth(people["token"]))
    assert response.status_code == 200
    assert response.get_json()["data"] == {"unread_count": 5, "priority_counts": {"high": 1, "medium": 3, "low": 1}}


def test_unread_count_is_zero_without_notifications(client, people):
    response = client.get(f"{BASE}/notifications/unread-count", headers=auth(people["token"]))
    assert response.get_json()["data"] == {"unread_count": 0, "priority_counts": {"high": 0, "medium": 0, "low": 0}}


def test_recent_honours_limit_and_refuses_bad_ones(client, people, add):
    ids = [add(people["dokter"]) for _ in range(4)]
    h = auth(people["token"])
    response = client.get(f"{BASE}/notifications/recent?limit=2", headers=h)
    assert response.status_code == 200
    assert [int(n["id"]) for n in response.get_json()["data"]] == ids[::-1][:2]
    assert len(client.get(f"{BASE}/notifications/recent", headers=h).get_json()["data"]) == 4
    for bad in ("0", "51", "x", "-1", "1.5"):
        response = client.get(f"{BASE}/notifications/recent?limit={bad}", headers=h)
        assert response.status_code == 422 and "limit" in response.get_json()["errors"], bad


def test_mark_read_marks_the_own_notification_once(client, people, add, app):
    note = add(people["dokter"])
    h = auth(people["token"])
    response = client.post(f"{BASE}/notifications/{note}/mark-read", headers=h)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["id"] == str(note) and data["read_at"].endswith("Z") and data["is_read"] is True
    again = client.post(f"{BASE}/notifications/{note}/mark-read", headers=h).get_json()["data"]
    assert again["read_at"] == data["read_at"]
    assert client.get(f"{BASE}/notifications/unread-count", headers=h).get_json()["data"]["unread_count"] == 0


def test_mark_read_of_another_persons_or_a_missing_notification_is_404(client, people, add, app):
    theirs = add(people["other"])
    for target in (theirs, 999999, "abc", "1" * 30):
        response = client.post(f"{BASE}/notifications/{target}/mark-read", headers=auth(people["token"]))
        assert response.status_code == 404, target
        body = response.get_json()
        assert_envelope(body, success=False)
        assert "notification_id" in body["errors"]
    with app.app_context():
        assert db.session.get(Notification, theirs).is_read is False


def test_mark_all_read_touches_only_the_own(client, people, add, app):
    for _ in range(3):
        add(people["dokter"])
    add(people["dokter"], read=True)
    theirs = add(people["other"])
    response = client.post(f"{BASE}/notifications/mark-all-read", headers=auth(people["token"]))
    assert response.status_code == 200
    assert response.get_json()["data"] == {"updated_count": 3, "unread_count": 0}
    with app.app_context():
        assert db.session.get(Notification, theirs).is_read is False


def test_settings_defaults(client, people):
    response = client.get(f"{BASE}/notifications/settings", headers=auth(people["token"]))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["email_notifications"] is True and data["push_notifications"] is True
    assert data["quiet_hours"] == {"enabled": False, "start_time": "22:00", "end_time": "07:00"}
    assert {"tindakan_approved", "tindakan_rejected", "validation_required", "system_maintenance"} \
        <= set(data["notification_types"])
    assert all(value is True for value in data["notification_types"].values())


def test_settings_update_is_partial_and_the_persons_own(client, people):
    h = auth(people["token"])
    response = client.put(f"{BASE}/notifications/settings", headers=h, json={
        "email_notifications": False,
        "notification_types": {"tindakan_approved": True, "system_maintenance": False}})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["email_notifications"] is False and data["push_notifications"] is True
    assert data["notification_types"]["system_maintenance"] is False
    response = client.put(f"{BASE}/notifications/settings", headers=h, json={
        "quiet_hours": {"enabled": True, "start_time": "21:30", "end_time": "06:15"}})
    data = response.get_json()["data"]
    assert data["quiet_hours"] == {"enabled": True, "start_time": "21:30", "end_time": "06:15"}
    assert data["email_notifications"] is False and data["notification_types"]["system_maintenance"] is False
    assert client.get(f"{BASE}/notifications/settings", headers=h).get_json()["data"] == data
    theirs = client.get(f"{BASE}/notifications/settings", headers=auth(people["other_token"])).get_json()["data"]
    assert theirs["email_notifications"] is True and theirs["quiet_hours"]["enabled"] is False


@pytest.mark.parametrize("payload, field", [
    ({"email_notifications": "yes"}, "email_notifications"),
    ({"push_notifications": 1}, "push_notifications"),
    ({"notification_types": ["tindakan_approved"]}, "notification_types"),
    ({"notification_types": {"made_up": True}}, "notification_types.made_up"),
    ({"notification_types": {"tindakan_approved": "off"}}, "notification_types.tindakan_approved"),
    ({"quiet_hours": "22:00-07:00"}, "quiet_hours"),
    ({"quiet_hours": {"start_time": "24:00"}}, "quiet_hours.start_time"),
    ({"quiet_hours": {"end_time": "7:00"}}, "quiet_hours.end_time"),
    ({"quiet_hours": {"start_time": 2200}}, "quiet_hours.start_time"),
    ({"quiet_hours": {"enabled": "sometimes"}}, "quiet_hours.enabled"),
    ({"quiet_hours": {"enabled": True, "start_time": "08:00", "end_time": "08:00"}}, "quiet_hours.end_time"),
])
def test_settings_update_refuses_bad_values_and_writes_nothing(client, people, app, payload, field):
    response = client.put(f"{BASE}/notifications/settings", headers=auth(people["token"]), json=payload)
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert field in body["errors"]
    with app.app_context():
        assert db.session.scalar(db.select(NotificationSettings)) is None


def test_settings_update_refuses_bodies_that_are_not_json_objects(client, people):
    h = auth(people["token"])
    assert client.put(f"{BASE}/notifications/settings", headers=h, json=[1, 2]).status_code == 422
    response = client.put(f"{BASE}/notifications/settings", headers={**h, "Content-Type": "application/json"},
                          data="{not json")
    assert response.status_code == 400
    response = client.put(f"{BASE}/notifications/settings", headers=h, data="x=1",
                          content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    huge = {"notification_types": {f"type_{i}": True for i in range(5000)}}
    response = client.put(f"{BASE}/notifications/settings", headers=h, json=huge)
    assert response.status_code in (413, 422)


def test_a_type_turned_off_is_not_stored_and_quiet_hours_hold_pushes(client, people, app):
    h = auth(people["token"])
    client.put(f"{BASE}/notifications/settings", headers=h, json={
        "notification_types": {"tindakan_rejected": False},
        "quiet_hours": {"enabled": True, "start_time": "22:00", "end_time": "07:00"}})
    with app.app_context():
        user = db.session.get(type(people["dokter"]), people["dokter"].id)
        assert notify.notify(user, "tindakan_rejected", "Tindakan Ditolak", "Ditolak") is None
        kept = notify.notify(user, "tindakan_approved", "Tindakan Disetujui", "Disetujui", priority="high",
                             data={"tindakan_id": 5})
        assert (kept.priority, kept.data) == ("high", {"tindakan_id": 5})
        night = datetime(2026, 1, 30, 16, 0, tzinfo=timezone.utc)  # 23:00 in Jakarta
        day = datetime(2026, 1, 30, 3, 0, tzinfo=timezone.utc)  # 10:00 in Jakarta
        assert notify_settings.push_allowed(user, "tindakan_approved", night) is False
        assert notify_settings.push_allowed(user, "tindakan_approved", day) is True
        assert notify_settings.push_allowed(user, "tindakan_rejected", day) is False
        db.session.commit()
    data = client.get(f"{BASE}/notifications", headers=h).get_json()["data"]
    assert [n["type"] for n in data] == ["tindakan_approved"]


def test_quiet_hours_within_one_day_and_across_midnight():
    from datetime import time

    assert notify_settings.in_quiet_hours(time(22), time(7), time(23, 59))
    assert notify_settings.in_quiet_hours(time(22), time(7), time(6, 59))
    assert not notify_settings.in_quiet_hours(time(22), time(7), time(7))
    assert notify_settings.in_quiet_hours(time(12), time(13), time(12, 30))
    assert not notify_settings.in_quiet_hours(time(12), time(13), time(13, 1))
