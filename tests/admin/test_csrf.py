"""Every form of the admin app refuses a request without a valid CSRF token, and changes nothing."""
from __future__ import annotations

import pytest

from app.accounts.models import DeviceBinding, DeviceResetRequest, User
from app.attendance.models import AttendanceEvent
from app.notify.models import Notification
from app.schedules.models import WorkSchedule

from tests.helpers import count, fetch


def _post_urls(app):
    names = app.extensions["hadir_admin_blueprints"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in names and "POST" in rule.methods:
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "android")
            yield url


def test_every_post_route_requires_a_csrf_token(app, as_admin):
    urls = list(_post_urls(app))
    assert len(urls) >= 17
    for url in urls:
        response = as_admin.client.post(url, data={"name": "x"})
        assert response.status_code == 400, url
        response = as_admin.client.post(url, data={"name": "x", "csrf_token": "forged"})
        assert response.status_code == 400, url


def test_login_without_token_is_refused(anon, admin):
    response = anon.client.post("/admin/login", data={"identifier": "admin@hadir.test", "password": "password123"})
    assert response.status_code == 400
    assert "Formulir ini sudah kedaluwarsa" in response.get_data(as_text=True)
    assert anon.get("/admin/").status_code == 302


def test_a_token_of_another_session_is_refused(app, as_admin, anon):
    foreign = anon.token("/admin/login")
    response = as_admin.client.post("/admin/work-schedules/new", data={
        "csrf_token": foreign, "name": "Shift", "check_in_start": "07:00", "check_out_start": "16:00",
        "working_weekdays": ["1"]})
    assert response.status_code == 400
    assert count(app, WorkSchedule) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_refused_actions_change_nothing(app, as_admin, factory, htmx):
    person = factory.user()
    factory.schedule(name="A", active=True)
    other = factory.schedule(name="B", active=False)
    from app.extensions import db

    with app.app_context():
        db.session.add(DeviceBinding(user_id=person.id, device_id="dev-1"))
        req = DeviceResetRequest(user_id=person.id, old_device_id="dev-1", reason="Ponsel saya rusak total", status="pending")
        db.session.add(req)
        db.session.commit()
        req_id = req.id
    headers = {"HX-Request": "true"} if htmx else {}
    post = as_admin.client.post
    assert post(f"/admin/device-resets/{req_id}/approve", headers=headers).status_code == 400
    assert post(f"/admin/work-schedules/{other.id}/activate", headers=headers).status_code == 400
    assert post(f"/admin/work-schedules/{other.id}/delete", headers=headers).status_code == 400
    assert post("/admin/users/new", data={"name": "Eve", "role": "admin", "password": "password123",
                                          "office_id": "0"}, headers=headers).status_code == 400
    assert fetch(app, DeviceResetRequest, req_id).status == "pending"
    assert count(app, DeviceBinding) == 1
    assert count(app, Notification) == 0
    assert fetch(app, WorkSchedule, other.id).is_active is False
    assert count(app, User, User.name == "Eve") == 0
    assert count(app, AttendanceEvent) == 0
