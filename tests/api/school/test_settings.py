"""Contract 002, section 11: settings, and the typed registry behind them."""
from datetime import time

import pytest

from app.common.errors import NotFound, ValidationFailed
from app.extensions import db
from app.system import settings as registry
from app.system.models import Setting
from app.schedules.services import active_schedule as _default_schedule

from .tokens import bearer, school_user

SETTING_KEYS = {"key_name", "value", "description", "updated_at"}


@pytest.fixture
def admin_headers(app, factory):
    return bearer(app, school_user(factory, "admin", "5001"))


@pytest.fixture
def guru_headers(app, factory):
    return bearer(app, school_user(factory, "guru", "2001"))


def _stored(app):
    with app.app_context():
        return {s.key: s.value for s in db.session.scalars(db.select(Setting))}


# --- registry -------------------------------------------------------------------

def test_registry_defaults_and_typed_values(ctx):
    assert registry.get_setting("attendance_radius") == 100
    assert registry.get_setting("qr_period_seconds") == 30
    assert registry.get_setting("late_tolerance_minutes") == 0
    assert registry.get_setting("school_latitude") is None
    registry.update_setting("school_latitude", "-6.123456")
    registry.update_setting("checkin_end", "07:30")
    registry.update_setting("attendance_radius", 150)
    assert registry.get_setting("school_latitude") == pytest.approx(-6.123456)
    assert registry.get_setting("checkin_end") == time(7, 30)
    assert registry.get_view("checkin_end").value == "07:30:00"
    assert registry.get_setting("attendance_radius") == 150
    with pytest.raises(NotFound):
        registry.get_setting("no_such_setting")


@pytest.mark.parametrize("key,value", [
    ("attendance_radius", "0"), ("attendance_radius", "100001"), ("attendance_radius", "12.5"),
    ("attendance_radius", "abc"), ("attendance_radius", True), ("school_latitude", "91"),
    ("school_latitude", "nan"), ("school_longitude", "-180.5"), ("checkin_start", "24:00:00"),
    ("checkin_start", "7:00"), ("checkout_end", "08:60:00"), ("qr_period_seconds", "9"),
    ("qr_period_seconds", "3601"), ("late_tolerance_minutes", "-1"), ("late_tolerance_minutes", "241"),
    ("attendance_radius", ""), ("attendance_radius", None), ("attendance_radius", [100]),
])
def test_registry_refuses_out_of_type_or_range(ctx, key, value):
    with pytest.raises(ValidationFailed) as info:
        registry.update_setting(key, value)
    assert set(info.value.errors) == {"value"}
    assert db.session.scalar(db.select(Setting).filter_by(key=key)) is None


def test_a_hand_edited_bad_row_falls_back_to_the_default(ctx):
    db.session.add(Setting(key="attendance_radius", value="lots"))
    db.session.flush()
    assert registry.get_setting("attendance_radius") == 100


# --- GET ------------------------------------------------------------------------

def test_list_settings_for_any_signed_in_user(client, guru_headers):
    response = client.get("/api/settings", headers=guru_headers)
    assert response.status_code == 200
    body = response.json
    assert body["success"] is True
    keys = [s["key_name"] for s in body["data"]]
    assert keys[:3] == ["attendance_radius", "school_latitude", "school_longitude"]
    assert {"checkin_start", "checkin_end", "checkout_start", "checkout_end", "qr_period_seconds",
            "late_tolerance_minutes"} <= set(keys)
    radius = body["data"][0]
    assert set(radius) == SETTING_KEYS
    assert radius["value"] == "100" and radius["description"] == "Radius absensi dalam meter"
    assert radius["updated_at"] is None


def test_get_one_setting_and_unknown_key(client, guru_headers):
    response = client.get("/api/settings/qr_period_seconds", headers=guru_headers)
    assert response.status_code == 200
    assert response.json["data"]["key_name"] == "qr_period_seconds" and response.json["data"]["value"] == "30"
    for key in ("no_such_setting", "bulk-update"):
        missing = client.get(f"/api/settings/{key}", headers=guru_headers)
        assert missing.status_code == 404
        assert missing.json == {"success": False, "message": "Pengaturan tidak ditemukan"}


def test_settings_need_a_token(client):
    for method, path in (("get", "/api/settings"), ("get", "/api/settings/attendance_radius"),
                         ("put", "/api/settings/attendance_radius"), ("put", "/api/settings/bulk-update")):
        for headers in ({}, {"Authorization": "Bearer 5|forged"}):
            response = getattr(client, method)(path, headers=headers, json={"value": "1"})
            assert response.status_code == 401, path


# --- PUT one --------------------------------------------------------------------

def test_admin_updates_one_setting(app, client, admin_headers):
    response = client.put("/api/settings/attendance_radius", headers=admin_headers, json={"value": "150"})
    assert response.status_code == 200
    assert response.json["message"] == "Pengaturan berhasil diperbarui"
    data = response.json["data"]
    assert data["key_name"] == "attendance_radius" and data["value"] == "150"
    assert data["description"] == "Radius absensi dalam meter" and data["updated_at"].endswith("Z")
    assert _stored(app) == {"attendance_radius": "150"}
    described = client.put("/api/settings/attendance_radius", headers=admin_headers,
                           json={"value": 200, "description": "Radius (meter)"})
    assert described.json["data"]["value"] == "200" and described.json["data"]["description"] == "Radius (meter)"
    again = client.get("/api/settings/attendance_radius", headers=admin_headers).json["data"]
    assert again["value"] == "200" and again["description"] == "Radius (meter)"
    from app.audit.models import AuditEntry

    with app.app_context():                                  # each change in the audit trail, with its admin
        trail = [(e.action, e.actor_id is not None, e.before, e.after)
                 for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
    assert trail == [("settings.update", True, {"attendance_radius": 100}, {"attendance_radius": 150}),
                     ("settings.update", True, {"attendance_radius": 150}, {"attendance_radius": 200})]


def test_non_admin_cannot_change_settings(app, client, guru_headers):
    one = client.put("/api/settings/attendance_radius", headers=guru_headers, json={"value": "150"})
    bulk = client.put("/api/settings/bulk-update", headers=guru_headers,
                      json={"settings": [{"key": "attendance_radius", "value": "150"}]})
    for response in (one, bulk):
        assert response.status_code == 403
        assert response.json == {"success": False, "message": "Akses ditolak"}
    assert _stored(app) == {}


def test_put_one_errors(app, client, admin_headers):
    missing = client.put("/api/settings/nope", headers=admin_headers, json={"value": "1"})
    assert missing.status_code == 404
    for body in ({}, {"value": "0"}, {"value": "x"}, {"value": None}):
        response = client.put("/api/settings/attendance_radius", headers=admin_headers, json=body)
        assert response.status_code == 422, body
        assert set(response.json["errors"]) == {"value"}
    bad_description = client.put("/api/settings/attendance_radius", headers=admin_headers,
                                 json={"value": "150", "description": 5})
    assert bad_description.status_code == 422 and set(bad_description.json["errors"]) == {"description"}
    assert _stored(app) == {}


# --- bulk -----------------------------------------------------------------------

def test_bulk_update_saves_all_and_is_not_taken_as_a_key(app, client, admin_headers):
    response = client.put("/api/settings/bulk-update", headers=admin_headers, json={"settings": [
        {"key": "attendance_radius", "value": "150"}, {"key": "checkin_end", "value": "08:00:00"}]})
    assert response.status_code == 200, response.json
    assert response.json["message"] == "Pengaturan berhasil diperbarui"
    assert [(s["key_name"], s["value"]) for s in response.json["data"]] == [
        ("attendance_radius", "150"), ("checkin_end", "08:00:00")]
    # one source of truth: check-in times are the organisation's default work schedule, not a settings row
    assert _stored(app) == {"attendance_radius": "150"}
    with app.app_context():
        assert _default_schedule().check_in_end == time(8, 0)


def test_bulk_update_is_all_or_nothing(app, client, admin_headers):
    client.put("/api/settings/attendance_radius", headers=admin_headers, json={"value": "120"})
    response = client.put("/api/settings/bulk-update", headers=admin_headers, json={"settings": [
        {"key": "attendance_radius", "value": "150"},
        {"key": "checkin_end", "value": "08:00:00"},
        {"key": "qr_period_seconds", "value": "5"}]})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"settings.2.value"}
    assert _stored(app) == {"attendance_radius": "120"}


@pytest.mark.parametrize("body,field", [
    ({}, "settings"), ({"settings": []}, "settings"), ({"settings": "x"}, "settings"),
    ({"settings": [{"key": "nope", "value": "1"}]}, "settings.0.key"),
    ({"settings": [{"key": "attendance_radius"}]}, "settings.0.value"),
    ({"settings": ["attendance_radius"]}, "settings.0"),
    ({"settings": [{"key": "attendance_radius", "value": "1"}, {"key": "attendance_radius", "value": "2"}]},
     "settings.1.key"),
])
def test_bulk_update_item_errors(app, client, admin_headers, body, field):
    response = client.put("/api/settings/bulk-update", headers=admin_headers, json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert _stored(app) == {}


def test_working_days_are_iso_weekdays(app, client, admin_headers):
    """``working_days`` (used by the attendance report) takes ISO weekdays, ranges allowed."""
    response = client.put("/api/settings/working_days", headers=admin_headers, json={"value": "1-5, 6"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["value"] == "1,2,3,4,5,6"
    with app.app_context():
        assert registry.get_setting("working_days") == (1, 2, 3, 4, 5, 6)
    for bad in ("0", "8", "5-1", "senin", "1,,2"):
        refused = client.put("/api/settings/working_days", headers=admin_headers, json={"value": bad})
        assert refused.status_code == 422, bad
    assert "working_days" not in _stored(app)
    with app.app_context():
        assert _default_schedule().working_weekdays == (1, 2, 3, 4, 5, 6)


def test_times_tolerance_and_working_days_are_the_default_schedules(app, client, admin_headers, factory):
    """The school app's time settings read and write the organisation's default work schedule, so
    the settings API, the jam kerja and the check-in rules never disagree."""
    factory.schedule()                       # Jam Kerja Normal: in 07:00-09:00, out 16:00-18:00
    listed = {s["key_name"]: s["value"] for s in client.get("/api/settings", headers=admin_headers).json["data"]}
    assert (listed["checkin_start"], listed["checkin_end"], listed["checkout_start"], listed["checkout_end"],
            listed["late_tolerance_minutes"], listed["working_days"]) == (
        "07:00:00", "09:00:00", "16:00:00", "18:00:00", "0", "1,2,3,4,5")
    response = client.put("/api/settings/bulk-update", headers=admin_headers, json={"settings": [
        {"key": "checkin_end", "value": "08:30:00"}, {"key": "late_tolerance_minutes", "value": "10"}]})
    assert response.status_code == 200, response.json
    with app.app_context():
        schedule = _default_schedule()
        assert (schedule.name, schedule.check_in_end, schedule.grace_minutes) == ("Jam Kerja Normal", time(8, 30), 10)
    assert _stored(app) == {}
    # a value the schedule refuses (an empty check-in window) is refused and changes nothing
    refused = client.put("/api/settings/bulk-update", headers=admin_headers, json={"settings": [
        {"key": "attendance_radius", "value": "150"}, {"key": "checkin_end", "value": "07:00:00"}]})
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"settings.1.value"}
    assert _stored(app) == {}
