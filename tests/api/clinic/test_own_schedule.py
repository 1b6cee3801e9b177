"""Contract 000 check-in judged by the person's own schedule: a nurse's night shift is open while
the organisation's default is closed (and the other way round, 422); the dashboards count her shifts."""
from __future__ import annotations

from .conftest import BASE, auth

NEAR = {"latitude": -6.2089, "longitude": 106.8456, "accuracy": 10.5}


def test_each_person_checks_in_by_their_own_shift(client, factory, staff, login, freeze_time):
    office = factory.office()
    factory.schedule()                                   # the default: in 07:00-09:00, Monday to Friday
    nurse, clerk = staff(role="paramedis", office=office), staff(role="non_paramedis", office=office)
    factory.night_shift_for(nurse)                       # every day, in 19:00-22:00, late after 20:00
    nurse_h, clerk_h = auth(login(nurse)), auth(login(clerk))

    freeze_time("2026-01-30T20:15+07:00")
    ok = client.post(f"{BASE}/attendance/checkin", headers=nurse_h, json=NEAR)
    assert ok.status_code == 200 and ok.get_json()["data"]["late_minutes"] == 15
    refused = client.post(f"{BASE}/attendance/checkin", headers=clerk_h, json=NEAR)
    assert refused.status_code == 422 and "attendance" in refused.get_json()["errors"]

    freeze_time("2026-02-02T08:00+07:00")
    assert client.post(f"{BASE}/attendance/checkin", headers=clerk_h, json=NEAR).status_code == 200
    assert client.post(f"{BASE}/attendance/checkin", headers=nurse_h, json=NEAR).status_code == 422

    dashboard = client.get(f"{BASE}/dashboards/paramedis/", headers=nurse_h).get_json()["data"]
    assert dashboard["stats"]["shifts_this_month"] == 28          # every day of February 2026
    week = client.get(f"{BASE}/dashboards/paramedis/schedule", headers=nurse_h).get_json()["data"]
    assert week["work_schedule"]["name"] == "Shift Malam"
    assert week["today"]["check_in_opens"] == "2026-02-02T19:00"
    assert week["today"]["check_out_closes"] == "2026-02-03T06:01"
    assert [d["shift"]["name"] for d in week["week"]] == ["Shift Malam"] * 7
