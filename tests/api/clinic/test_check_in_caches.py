"""A clinic check-in reads its token, user, cache versions and what the schedule cache needs in
one statement, takes the schedule of people without rows of their own from each worker's memory,
and is still judged by what is committed: a schedule changed by another app server judges the
next check-in at once, and a rostered person is judged by their roster entry.
"""
from __future__ import annotations

from datetime import date, time

from sqlalchemy.orm import Session

from app.extensions import db
from app.schedules.models import RosterEntry, WorkSchedule

from .conftest import BASE, auth

NEAR = {"latitude": -6.2088, "longitude": 106.8456, "accuracy": 8}
CHECK_IN = f"{BASE}/attendance/checkin"


def _another_server(app, change) -> None:
    """Commit ``change(session)`` through another session: another worker or app server."""
    with app.app_context():
        with Session(db.engine) as other:
            change(other)
            other.commit()


def _sent(seen) -> list[str]:
    return [s for s in seen.statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]


def test_a_check_in_with_a_warm_cache_sends_the_token_statement_and_the_attendance_only(
        app, client, factory, staff, login, freeze_time, count_statements):
    office = factory.office()
    factory.schedule()                                   # in 07:00-09:00, late after 08:00
    first, second = (auth(login(staff(office=office))) for _ in range(2))
    freeze_time("2026-01-30T07:55:00+07:00")
    assert client.post(CHECK_IN, json=NEAR, headers=first).status_code == 200   # warms the caches
    with count_statements() as seen:
        r = client.post(CHECK_IN, json=NEAR, headers=second)
    assert r.status_code == 200 and r.get_json()["data"]["late_minutes"] == 0, r.get_json()
    # the token with its user, versions, schedule columns and the previous position; the event
    # and the day (one statement on PostgreSQL): no user, version, schedule or position lookup
    with app.app_context():
        writes = 1 if db.engine.dialect.name == "postgresql" else 2
    assert len(_sent(seen)) == 1 + writes, seen.statements


def test_a_schedule_changed_by_another_server_judges_the_next_check_in_at_once(
        app, client, factory, staff, login, freeze_time):
    office = factory.office()
    schedule = factory.schedule()                        # late after 08:00
    first, second = (auth(login(staff(office=office))) for _ in range(2))
    freeze_time("2026-01-30T07:55:00+07:00")
    r = client.post(CHECK_IN, json=NEAR, headers=first)
    assert r.status_code == 200 and r.get_json()["data"]["late_minutes"] == 0, r.get_json()
    _another_server(app, lambda s: setattr(s.get(WorkSchedule, schedule.id), "late_after", time(7, 30)))
    r = client.post(CHECK_IN, json=NEAR, headers=second)
    assert r.status_code == 200 and r.get_json()["data"]["late_minutes"] == 25, r.get_json()


def test_a_rostered_person_is_judged_by_their_roster_entry_not_the_cached_default(
        app, client, factory, staff, login, freeze_time):
    office = factory.office()
    factory.schedule()                                   # the default: in 07:00-09:00
    late = factory.schedule(name="Shift Siang", check_in=("13:00", "15:00"), check_out=("21:00", "23:00"),
                            late_after="14:00", active=False)
    clerk, nurse = staff(role="non_paramedis", office=office), staff(role="paramedis", office=office)
    clerk_h, nurse_h = auth(login(clerk)), auth(login(nurse))
    _another_server(app, lambda s: s.add(RosterEntry(user_id=nurse.id, work_date=date(2026, 1, 30),
                                                     schedule_id=late.id)))
    freeze_time("2026-01-30T07:55:00+07:00")
    assert client.post(CHECK_IN, json=NEAR, headers=clerk_h).status_code == 200   # the default, cached
    refused = client.post(CHECK_IN, json=NEAR, headers=nurse_h)
    assert refused.status_code == 422 and "attendance" in refused.get_json()["errors"], refused.get_json()
    freeze_time("2026-01-30T14:10:00+07:00")
    r = client.post(CHECK_IN, json=NEAR, headers=nurse_h)
    assert r.status_code == 200 and r.get_json()["data"]["late_minutes"] == 10, r.get_json()
