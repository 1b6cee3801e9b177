"""The clinic app's reports and history send as many SQL statements for 30 people (or days) as for 3.

Not timed: the number of statements is what grows with the rows when a query runs per row
(``bench/scale.py`` measures the time at a year of data).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db

from .conftest import BASE, auth

REPORTS = f"{BASE}/admin/reports"
MONTH = ("2026-01-05", "2026-01-30")   # Monday .. Friday, all past days


def _days(app, people, schedules, count: int) -> None:
    """``count`` working days from 5 January of each of ``people``: a check-in event (08:10,
    at the office) and a check-out (17:00) each, the day judged by the schedules in turn."""
    with app.app_context():
        day, added = date(2026, 1, 5), 0
        while added < count:
            if day.isoweekday() <= 5:
                for n, person in enumerate(people):
                    t_in = datetime.combine(day, datetime.min.time(), timezone.utc) + timedelta(hours=1, minutes=10)
                    t_out = t_in + timedelta(hours=8, minutes=50)
                    events = [AttendanceEvent(user_id=person.id, kind=kind, occurred_at=at, work_date=day,
                                              source="mobile_gps", latitude=-6.2088, longitude=106.8456,
                                              accuracy_m=8.0, office_id=person.office_id, distance_m=10.0)
                              for kind, at in (("check_in", t_in), ("check_out", t_out))]
                    db.session.add_all(events)
                    db.session.flush()
                    db.session.add(DailyAttendance(
                        user_id=person.id, work_date=day, schedule_id=schedules[(n + added) % len(schedules)].id,
                        check_in_event_id=events[0].id, check_out_event_id=events[1].id, time_in=t_in,
                        time_out=t_out, worked_minutes=530, late_minutes=10, status="late"))
                added += 1
            day += timedelta(days=1)
        db.session.commit()


@pytest.fixture
def clinic(factory, staff, login):
    """An office, two schedules (days recorded under each), an admin's token and a way to add staff."""
    office = factory.office()
    schedules = [factory.schedule(), factory.schedule(name="Shift Siang", check_in=("13:00", "15:00"),
                                                      check_out=("21:00", "23:00"), late_after="14:00", active=False)]
    token = login(staff(role="admin", name="Admin Klinik", office=office))
    return {"office": office, "schedules": schedules, "headers": auth(token),
            "add": lambda n: [staff(role=("dokter", "paramedis", "non_paramedis")[i % 3], office=office)
                              for i in range(n)]}


def _count(client, count_statements, method, url, **kwargs) -> int:
    with count_statements() as seen:
        response = client.open(url, method=method, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return seen.count


@pytest.mark.parametrize("method, url, body", [
    ("GET", f"{REPORTS}/attendance-summary?from={MONTH[0]}&to={MONTH[1]}", None),
    ("POST", f"{REPORTS}/export-csv", {"from_date": MONTH[0], "to_date": MONTH[1], "include_overtime": True}),
])
def test_reports_of_30_people_send_the_statements_of_3(app, client, clinic, count_statements, freeze_time,
                                                       method, url, body):
    freeze_time("2026-02-02T10:00+07:00")
    first = clinic["add"](3)
    _days(app, first, clinic["schedules"], 20)
    few = _count(client, count_statements, method, url, json=body, headers=clinic["headers"])
    _days(app, clinic["add"](27), clinic["schedules"], 20)
    many = _count(client, count_statements, method, url, json=body, headers=clinic["headers"])
    assert many == few, f"{few} statements for 3 people, {many} for 30"


@pytest.mark.parametrize("url", [f"{BASE}/attendance/history?per_page=50",
                                 f"{BASE}/attendance/statistics?year=2026&month=1"])
def test_history_of_30_days_sends_the_statements_of_3(app, client, clinic, login, count_statements, freeze_time,
                                                      url):
    freeze_time("2026-02-02T10:00+07:00")
    few_days, many_days = clinic["add"](2)
    _days(app, [few_days], clinic["schedules"], 3)
    _days(app, [many_days], clinic["schedules"], 19)
    counts = []
    for person, days in ((few_days, 3), (many_days, 19)):
        headers = auth(login(person))
        with count_statements() as seen:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        data = response.get_json()["data"]
        assert (len(data) if isinstance(data, list) else data["days_recorded"]) == days
        if isinstance(data, list):   # every day names its office and its overtime (17:00 - 16:00; the late shift: 0)
            assert {d["location"] for d in data} == {"Kantor Pusat Jakarta"}
            assert {d["overtime_minutes"] for d in data} <= {60, 0} and 60 in {d["overtime_minutes"] for d in data}
        counts.append(seen.count)
    assert counts[0] == counts[1], f"{counts[0]} statements for 3 days, {counts[1]} for 19"


def test_pending_approvals_of_15_days_send_the_statements_of_2(app, client, clinic, count_statements,
                                                               freeze_time):
    """The page's events (and their offices and reviewers) are loaded for all its days at once."""
    freeze_time("2026-02-02T10:00+07:00")
    url = f"{BASE}/admin/attendance-approvals/pending?per_page=15"

    def flag(people):
        _days(app, people, clinic["schedules"], 1)
        with app.app_context():
            for event in db.session.scalars(db.select(AttendanceEvent).where(
                    AttendanceEvent.user_id.in_([p.id for p in people]), AttendanceEvent.kind == "check_in")):
                event.review_state, event.flag_reason, event.distance_m = "pending", "outside_geofence", 250.0
            db.session.commit()

    flag(clinic["add"](2))
    few = _count(client, count_statements, "GET", url, headers=clinic["headers"])
    flag(clinic["add"](13))
    with count_statements() as seen:
        response = client.get(url, headers=clinic["headers"])
    items = response.get_json()["data"]
    assert len(items) == 15 and seen.count == few, f"{few} statements for 2 days, {seen.count} for 15"
    assert all(item["status"] == "pending" and item["flag_reason"] == "outside_geofence"
               and [e["type"] for e in item["events"]] == ["check_in"]
               and item["location"]["name"] == "Kantor Pusat Jakarta" for item in items)
