"""A check-in judged by the schedule of the person's department and office from the worker's
memory (:mod:`app.schedules.day_cache`) gets the same answer as the full resolution at every
level of the rules (roster, own assignment, department, parent department, office,
organisation, holidays, weekdays, yesterday's night shift); people with a roster entry or an
assignment of their own are still judged by those rows; and a change committed through another
session (another worker or app server) judges the next check-in at once.

A day's lateness is read back through ``getabsen`` (``ket_absensi``): "Terlambat N menit" on a
working day, "-" on a day off (nothing is late on a day off).
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.departments.models import Department
from app.extensions import db
from app.schedules.models import Holiday, RosterEntry, ScheduleAssignment, WorkSchedule

from .conftest import AT_OFFICE

MONDAY = date(2026, 2, 2)


def _t(value):
    return datetime.strptime(value, "%H:%M").time()


@pytest.fixture
def org(factory, app):
    """Two offices, departments RS > (Poli, IGD, ICU), one schedule per level with its own check-in
    window (late after the window's first hour), and one person per level."""
    o1 = factory.office(code="0001", name="Kantor Pusat")
    o2 = factory.office(code="0002", name="Kantor Cabang")
    s = {"normal": factory.schedule("Normal", ("07:00", "09:00"), ("16:00", "18:00"), "08:00")}
    for name, opens in (("office", "09:00"), ("rs", "11:00"), ("igd", "13:00"), ("own", "15:00"),
                        ("shift", "17:00")):
        hour = int(opens[:2])
        s[name] = factory.schedule(name, (opens, f"{hour + 1}:30"), ("23:00", "23:30"), f"{hour + 1}:00",
                                   active=False)
    s["night"] = factory.schedule("Malam", ("19:00", "22:00"), ("04:00", "06:00"), "20:00", active=False)
    rs = factory._commit(Department(code="RS", name="Rumah Sakit"))
    d = {"rs": rs, **{key: factory._commit(Department(code=key.upper(), name=key, parent_id=rs.id))
                      for key in ("poli", "igd", "icu")}}
    with app.app_context():
        db.session.execute(update(WorkSchedule).where(WorkSchedule.id.in_([s["night"].id, s["shift"].id]))
                           .values(working_days_mask=127))
        db.session.commit()
    for schedule, target in ((s["office"], {"office_id": o1.id}), (s["rs"], {"department_id": rs.id}),
                             (s["igd"], {"department_id": d["igd"].id}), (s["night"], {"department_id": d["icu"].id})):
        factory._commit(ScheduleAssignment(schedule_id=schedule.id, starts_on=date(2026, 1, 1), **target))
    people = {
        "org": factory.user(npp="30001", office=o2),
        "office": factory.user(npp="30002", office=o1),
        "poli": factory.user(npp="30003", office=o1, department_id=d["poli"].id),
        "igd": factory.user(npp="30004", office=o1, department_id=d["igd"].id),
        "own": factory.user(npp="30005", office=o1, department_id=d["igd"].id),
        "rostered": factory.user(npp="30006", office=o1, department_id=d["igd"].id),
        "roster_off": factory.user(npp="30007", office=o1),
        "icu": factory.user(npp="30008", office=o2, department_id=d["icu"].id),
    }
    factory._commit(ScheduleAssignment(schedule_id=s["own"].id, user_id=people["own"].id, starts_on=MONDAY,
                                       ends_on=MONDAY))
    factory._commit(RosterEntry(user_id=people["rostered"].id, work_date=MONDAY, schedule_id=s["shift"].id))
    factory._commit(RosterEntry(user_id=people["roster_off"].id, work_date=MONDAY, schedule_id=None))
    factory._commit(Holiday(on_date=date(2026, 2, 3), name="Libur Nasional", category="public"))
    factory._commit(Holiday(on_date=date(2026, 2, 4), name="Hari Jadi Kantor", category="organisation",
                            office_id=o1.id))
    return {"offices": (o1, o2), "schedules": s, "departments": d, "people": people}


@pytest.fixture
def visit(client, auth, freeze_time, count_statements):
    """``visit(person, "2026-02-02T08:15", path)`` → ``(response, resolved_in_sql)``: the request at
    that local moment, and whether the person's schedule was resolved by a statement (the
    resolution's recursive department chain) rather than taken from the worker's cache."""
    headers = {}

    def _visit(person, moment, path="/api/absenmasuk"):
        if person.npp not in headers:
            headers[person.npp] = auth(person)
        freeze_time(f"{moment}+07:00")
        with count_statements() as seen:
            response = client.post(path, json=AT_OFFICE, headers=headers[person.npp])
        return response, any("department_chain" in s for s in seen.statements)

    def _remark(person, day: str):
        rows = client.post("/api/getabsen", json={"year": int(day[:4]), "month": int(day[5:7])},
                           headers=headers[person.npp]).json["data"]
        return next(row["ket_absensi"] for row in rows if row["tanggal"] == day)

    _visit.remark = _remark
    return _visit


def _another_server(app, change) -> None:
    """Commit ``change(session)`` through another session: another worker or app server."""
    with app.app_context():
        with Session(db.engine) as other:
            change(other)
            other.commit()


@pytest.mark.parametrize("who, day, at, remark, personal", [
    ("org", "2026-02-02", "08:15", "Terlambat 15 menit", False),          # the organisation's schedule
    ("office", "2026-02-02", "10:15", "Terlambat 15 menit", False),       # the office's assignment
    ("poli", "2026-02-02", "12:15", "Terlambat 15 menit", False),         # the parent department's
    ("igd", "2026-02-02", "14:15", "Terlambat 15 menit", False),          # the department's own, before its parent's
    ("own", "2026-02-02", "16:15", "Terlambat 15 menit", True),           # the person's own assignment
    ("rostered", "2026-02-02", "18:15", "Terlambat 15 menit", True),      # a roster shift
    ("roster_off", "2026-02-02", "10:15", "-", True),                     # a roster day off: the office's windows
    ("org", "2026-02-03", "08:15", "-", False),                           # a holiday for everyone
    ("office", "2026-02-04", "10:15", "-", False),                        # a holiday of the person's office
    ("org", "2026-02-04", "08:15", "Terlambat 15 menit", False),          # ... not of the other office
    ("org", "2026-02-07", "08:15", "-", False),                           # Saturday: not a working weekday
    ("icu", "2026-02-02", "20:15", "Terlambat 15 menit", False),          # the night shift of the department
])
def test_every_level_of_the_rules_gives_the_same_answer_from_a_warm_cache(org, visit, who, day, at, remark,
                                                                          personal):
    person = org["people"][who]
    early, _ = visit(person, f"{day}T06:00")  # before every window: refused, and the cache is warm
    assert early.json["rcode"] == "83" and early.json["message"] == "Check-in not available yet", early.json
    r, resolved_in_sql = visit(person, f"{day}T{at}")
    assert (r.status_code, r.json["rcode"], r.json["data"]["tanggal"]) == (200, "00", day), r.json
    assert visit.remark(person, day) == remark
    assert resolved_in_sql is personal  # the person's own rows are read; a shared answer is not


def test_yesterdays_night_shift_is_closed_the_next_morning_from_a_warm_cache(org, visit):
    nurse = org["people"]["icu"]
    assert visit(nurse, "2026-02-02T20:15")[0].json["rcode"] == "00"
    early, _ = visit(nurse, "2026-02-03T03:00", "/api/absenpulang")
    assert early.json["message"] == "Check-out not available yet", early.json
    out, resolved_in_sql = visit(nurse, "2026-02-03T05:00", "/api/absenpulang")
    assert (out.json["rcode"], out.json["data"]["tanggal"], resolved_in_sql) == ("00", "2026-02-02", False), out.json


def test_a_schedule_changed_by_another_server_judges_the_next_check_in(app, factory, org, visit):
    colleague = factory.user(npp="30009", office=org["offices"][1])
    assert visit(org["people"]["org"], "2026-02-02T08:15")[0].json["rcode"] == "00"
    _another_server(app, lambda s: s.execute(update(WorkSchedule).where(WorkSchedule.id == org["schedules"]["normal"].id)
                                             .values(check_in_start=_t("09:00"), check_in_end=_t("10:00"))))
    r, _ = visit(colleague, "2026-02-02T08:20")
    assert r.json["message"] == "Check-in not available yet", r.json


def test_an_assignment_added_by_another_server_judges_the_next_check_in(app, factory, org, visit):
    colleague = factory.user(npp="30009", office=org["offices"][1])
    assert visit(org["people"]["org"], "2026-02-02T08:15")[0].json["rcode"] == "00"
    _another_server(app, lambda s: s.add(ScheduleAssignment(schedule_id=org["schedules"]["rs"].id,
                                                            office_id=org["offices"][1].id, starts_on=MONDAY)))
    r, _ = visit(colleague, "2026-02-02T12:15")
    assert r.json["rcode"] == "00", r.json
    assert visit.remark(colleague, "2026-02-02") == "Terlambat 15 menit"


def test_a_holiday_added_by_another_server_judges_the_next_check_in(app, factory, org, visit):
    colleague = factory.user(npp="30009", office=org["offices"][1])
    assert visit(org["people"]["org"], "2026-02-02T08:15")[0].json["rcode"] == "00"
    _another_server(app, lambda s: s.add(Holiday(on_date=MONDAY, name="Libur", category="government")))
    assert visit(colleague, "2026-02-02T08:15")[0].json["rcode"] == "00"
    assert visit.remark(colleague, "2026-02-02") == "-"  # a day off now: not late


def test_a_department_moved_by_another_server_judges_the_next_check_in(app, factory, org, visit):
    poli = org["departments"]["poli"]
    colleague = factory.user(npp="30009", office=org["offices"][0], department_id=poli.id)
    assert visit(org["people"]["poli"], "2026-02-02T12:15")[0].json["rcode"] == "00"  # RS's schedule
    _another_server(app, lambda s: setattr(s.get(Department, poli.id), "parent_id", None))
    r, _ = visit(colleague, "2026-02-02T10:15")  # no parent: the office's schedule
    assert r.json["rcode"] == "00", r.json


def test_a_person_moved_to_another_department_or_office_is_judged_by_it_at_once(app, org, visit):
    person = org["people"]["org"]
    r, _ = visit(person, "2026-02-02T14:15")
    assert r.json["message"] == "Check-in window has closed", r.json  # the organisation's closed at 09:00
    _another_server(app, lambda s: setattr(s.get(User, person.id), "department_id", org["departments"]["igd"].id))
    r, _ = visit(person, "2026-02-02T14:15")  # IGD's is open
    assert r.json["rcode"] == "00", r.json

    other = org["people"]["icu"]  # office 0002, ICU's night shift: closed at 10:15
    assert visit(other, "2026-02-02T10:15")[0].json["rcode"] == "83"
    _another_server(app, lambda s: s.execute(update(User).where(User.id == other.id)
                                             .values(office_id=org["offices"][0].id, department_id=None)))
    assert visit(other, "2026-02-02T10:15")[0].json["rcode"] == "00"  # office 0001's schedule


def test_a_roster_entry_added_by_another_server_judges_the_person_at_once(app, org, visit):
    person = org["people"]["office"]
    assert visit(person, "2026-02-02T06:00")[0].json["rcode"] == "83"  # the cache is warm for office 0001
    _another_server(app, lambda s: s.add(RosterEntry(user_id=person.id, work_date=MONDAY,
                                                     schedule_id=org["schedules"]["shift"].id)))
    refused, _ = visit(person, "2026-02-02T10:15")  # the office's window, not the person's shift
    assert refused.json["message"] == "Check-in not available yet", refused.json
    r, resolved_in_sql = visit(person, "2026-02-02T18:15")
    assert (r.json["rcode"], resolved_in_sql) == ("00", True), r.json


def test_the_cached_snapshots_carry_every_column_the_rules_may_read():
    from dataclasses import fields

    from app.schedules.day_cache import HolidayRef, ScheduleRef
    assert {f.name for f in fields(ScheduleRef)} == {c.key for c in WorkSchedule.__table__.columns}
    assert {f.name for f in fields(HolidayRef)} <= {c.key for c in Holiday.__table__.columns}
