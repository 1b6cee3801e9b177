"""A real browser on the roster: apply a shift pattern to a department, change one cell in place
(no page reload), and the person's next check-in through the mobile API follows the changed cell.

The clock is frozen for the app and its live server (the ``freeze_time`` fixture): Wednesday
9 December 2026, 21:05 in Jakarta.  The organisation's default schedule (07:00–09:00) is closed;
the pattern gives Ani the morning shift that day (closed too), the admin changes her cell to the
night shift (check-in 20:30–22:00), and her check-in is accepted.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date, time

from app.attendance.models import DailyAttendance
from app.departments.models import Department
from app.extensions import db
from app.schedules import rosters
from app.schedules.models import RosterEntry, WorkSchedule

from tests.helpers import fetch


def _api(base: str, path: str, body: dict, token: str | None = None) -> dict:
    """POST JSON to the live server; the contract answers errors with a JSON body too."""
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def test_a_cell_changed_in_the_grid_decides_the_next_check_in(app, factory, live_server, browser_page, freeze_time):
    freeze_time("2026-12-09T21:05+07:00")
    office = factory.office(code="0001", lat=-6.2088, lon=106.8456, radius=100)
    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test", npp="90001")
    factory.schedule(name="Normal", active=True)        # check-in 07:00–09:00: closed at 21:05
    with app.app_context():
        def shift(name, code, color, check_in, check_out):
            return WorkSchedule(name=name, code=code, color=color, check_in_start=check_in[0],
                                check_in_end=check_in[1], late_after=check_in[0], check_out_start=check_out[0],
                                check_out_end=check_out[1], is_active=False, working_days_mask=127)

        morning = shift("Shift Pagi", "P", "#1e88e5", (time(6, 30), time(8)), (time(14), time(16)))
        night = shift("Shift Malam", "M", "#7c3aed", (time(20, 30), time(22)), (time(6, 30), time(8)))
        er = Department(code="IGD", name="Instalasi Gawat Darurat")
        db.session.add_all([morning, night, er])
        db.session.flush()
        pattern = rosters.create_pattern("Rotasi IGD", [morning, morning, night, night])
        db.session.commit()
        ids = dict(morning=morning.id, night=night.id, er=er.id, pattern=pattern.id)
    ani = factory.user(name="Ani Perawat", npp="20001", office=office, department_id=ids["er"], role="paramedis")
    factory.user(name="Budi Perawat", npp="20002", office=office, department_id=ids["er"], role="paramedis")

    page = browser_page
    page.goto(f"{live_server}/admin/rosters/apply")
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/rosters/apply")

    # apply the pattern to the department for December: 9 December is step 8 mod 4 = 0, P, for Ani
    # (first by name); Budi is two steps ahead, on the night shift
    page.select_option("#pattern_id", str(ids["pattern"]))
    page.check('input[name="target"][value="department"]')
    page.select_option("#department_id", str(ids["er"]))
    page.fill("#starts_on", "2026-12-01")
    page.fill("#ends_on", "2026-12-31")
    page.fill("#stagger_by", "2")
    page.click("form.assignment-form button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/rosters/?month=2026-12&department={ids['er']}")
    assert "Pola shift “Rotasi IGD” diterapkan: 2 orang, 62 hari roster." in page.locator(".flash--success").inner_text()
    cell = page.locator(f"#cell-{ani.id}-20261209 a")
    assert cell.inner_text() == "P"
    assert page.locator("th.is-today").inner_text().startswith("9")

    # before the change: her morning shift is closed at 21:05 (contract 001, rcode 83)
    login = _api(live_server, "/api/login", {"npp": "20001", "password": "password123", "device_id": "ani-phone"})
    token = login["data"]["access_token"] if "data" in login and login["data"] else login["access_token"]
    at_office = {"latitude": "-6.2088", "longitude": "106.8456"}
    refused = _api(live_server, "/api/absenmasuk", at_office, token)
    assert refused["rcode"] == "83", refused

    # change the cell in place: the dialog opens, "Shift Malam" swaps the cell, no page reload
    page.evaluate("window.__marker = 1")
    cell.click()
    dialog = page.locator("#roster-dialog")
    dialog.locator(".cell-choice", has_text="Shift Malam").wait_for()
    assert "Ani Perawat" in dialog.locator("h2").inner_text()
    dialog.locator(".cell-choice", has_text="Shift Malam").click()
    page.locator(f"#cell-{ani.id}-20261209 a.is-edited").wait_for()
    assert page.locator(f"#cell-{ani.id}-20261209 a").inner_text() == "M"
    assert not dialog.is_visible()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert "Ani Perawat, 09-12-2026: Shift Malam." in page.locator("#roster-status").inner_text()
    with app.app_context():
        entry = db.session.scalar(db.select(RosterEntry).filter_by(user_id=ani.id, work_date=date(2026, 12, 9)))
        assert (entry.schedule_id, entry.pattern_id) == (ids["night"], None)

    # her next check-in follows the changed cell: the night shift is open at 21:05
    accepted = _api(live_server, "/api/absenmasuk", at_office, token)
    assert accepted["rcode"] == "00", accepted
    with app.app_context():
        day = db.session.scalar(db.select(DailyAttendance).filter_by(user_id=ani.id))
        assert day.work_date == date(2026, 12, 9)
    assert fetch(app, RosterEntry, entry.id).schedule_id == ids["night"]
