"""Which schedule applies to a person on a date: the order, days off, holidays, rosters,
and the one-statement and bulk lookups agreeing (and costing what they promise)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from app.accounts.models import User
from app.departments.services import create_department
from app.extensions import db
from app.places.models import Office
from app.schedules import assignments, day_cache, holidays, rosters
from app.schedules.models import Holiday
from app.schedules.resolution import plan_range, resolve_day, resolve_days, resolve_range, resolve_shared_days
from app.schedules.services import create_schedule

MONDAY = date(2026, 2, 2)


def schedule(name, code=None, check_in=("07:00", "09:00"), check_out=("16:00", "18:00"), **extra):
    return create_schedule({"name": name, "code": code, "check_in_start": check_in[0], "check_in_end": check_in[1],
                            "check_out_start": check_out[0], "check_out_end": check_out[1], **extra})


@pytest.fixture
def org(ctx):
    """An office, a department tree (IGD inside RS), three schedules and four people."""
    office = Office(code="0001", name="Klinik", latitude=-6.2, longitude=106.8, geofence_radius_m=100)
    other_office = Office(code="0002", name="Cabang", latitude=-6.9, longitude=107.6, geofence_radius_m=100)
    db.session.add_all([office, other_office])
    db.session.flush()
    normal = schedule("Normal", is_active=True)
    morning = schedule("Pagi", "P", ("06:00", "08:00"), ("14:00", "15:00"), working_weekdays=[1, 2, 3, 4, 5, 6, 7])
    night = schedule("Malam", "M", ("20:00", "22:00"), ("04:00", "06:00"), working_weekdays="1-7")
    hospital = create_department(code="RS", name="Rumah Sakit")
    er = create_department(code="IGD", name="Instalasi Gawat Darurat", parent=hospital)
    people = {}
    for n, (name, department, where) in enumerate([("Ani", er, office), ("Budi", hospital, office),
                                                   ("Citra", None, office), ("Dedi", None, other_office)]):
        user = User(name=name, role="pegawai", npp=f"100{n}", password_hash="x", office_id=where.id,
                    department_id=department.id if department else None)
        db.session.add(user)
        people[name] = user
    db.session.flush()
    return dict(office=office, other_office=other_office, normal=normal, morning=morning, night=night,
                hospital=hospital, er=er, **people)


def names(days):
    return [(d.schedule.name if d.schedule else None, d.source, d.off_reason) for d in days]


def test_the_organisations_active_schedule_is_the_default(org):
    day = resolve_day(org["Citra"], MONDAY)
    assert (day.schedule.name, day.source, day.day_off) == ("Normal", "organisation", False)


def test_most_specific_first(org):
    ani = org["Ani"]
    assignments.assign_schedule(org["night"], office=org["office"], starts_on=MONDAY)
    assert resolve_day(ani, MONDAY).source == "office"
    assignments.assign_schedule(org["morning"], department=org["hospital"], starts_on=MONDAY)
    assert (resolve_day(ani, MONDAY).schedule.name, resolve_day(ani, MONDAY).source) == ("Pagi", "department")
    assignments.assign_schedule(org["night"], department=org["er"], starts_on=MONDAY)
    assert resolve_day(ani, MONDAY).schedule.name == "Malam"          # her own department before its parent
    assignments.assign_schedule(org["normal"], user=ani, starts_on=MONDAY)
    assert (resolve_day(ani, MONDAY).schedule.name, resolve_day(ani, MONDAY).source) == ("Normal", "user")
    rosters.set_roster_day(ani, MONDAY, org["morning"])
    assert (resolve_day(ani, MONDAY).schedule.name, resolve_day(ani, MONDAY).source) == ("Pagi", "roster")
    # Budi is in the parent department: the child's assignment is not his
    assert resolve_day(org["Budi"], MONDAY).schedule.name == "Pagi"
    # Dedi works at the other office: only the organisation's default applies
    assert resolve_day(org["Dedi"], MONDAY).source == "organisation"


def test_assignment_dates_and_the_latest_start_wins(org):
    citra = org["Citra"]
    assignments.assign_schedule(org["morning"], user=citra, starts_on=MONDAY)
    assignments.assign_schedule(org["night"], user=citra, starts_on=MONDAY + timedelta(days=2),
                                ends_on=MONDAY + timedelta(days=3))
    days = resolve_days(citra, [MONDAY - timedelta(days=1) + timedelta(days=n) for n in range(6)])
    assert [d.schedule.name for d in days] == ["Normal", "Pagi", "Pagi", "Malam", "Malam", "Pagi"]
    assert days[0].off_reason == "weekday"          # Sunday, under the default Monday-Friday


def test_weekdays_holidays_and_roster_days_off(org):
    citra, ani = org["Citra"], org["Ani"]
    saturday = MONDAY + timedelta(days=5)
    db.session.add(Holiday(on_date=MONDAY, name="Tahun Baru Imlek", category="public"))
    db.session.add(Holiday(on_date=MONDAY + timedelta(days=1), name="Hari Jadi Kota", category="organisation",
                           office_id=org["other_office"].id))
    db.session.flush()
    monday, tuesday, saturday_ = resolve_days(citra, [MONDAY, MONDAY + timedelta(days=1), saturday])
    assert (monday.day_off, monday.off_reason, monday.holiday.name) == (True, "holiday", "Tahun Baru Imlek")
    assert (tuesday.day_off, tuesday.holiday) == (False, None)          # the other office's holiday
    assert resolve_day(org["Dedi"], MONDAY + timedelta(days=1)).off_reason == "holiday"
    assert (saturday_.day_off, saturday_.off_reason) == (True, "weekday")
    # A rostered shift on a holiday is worked, and still names the holiday (holiday overtime)
    rosters.set_roster_day(ani, MONDAY, org["night"])
    worked = resolve_day(ani, MONDAY)
    assert (worked.day_off, worked.schedule.name, worked.holiday.name) == (False, "Malam", "Tahun Baru Imlek")
    # A roster day off keeps the schedule underneath, whose windows judge work on that day
    rosters.set_roster_day(ani, MONDAY + timedelta(days=2), None)
    off = resolve_day(ani, MONDAY + timedelta(days=2))
    assert (off.day_off, off.off_reason, off.source, off.schedule.name) == (True, "roster", "roster", "Normal")
    # Removed holidays are not days off
    holidays.remove_holiday(db.session.scalar(db.select(Holiday).filter_by(name="Tahun Baru Imlek")))
    assert resolve_day(citra, MONDAY).day_off is False


def test_rotating_pattern_across_a_month_boundary(org):
    m, p, night = org["morning"], org["normal"], org["night"]
    pattern = rosters.create_pattern("Rotasi IGD", [m, m, p, p, night, night, None, None])
    applied = rosters.apply_pattern(pattern, users=[org["Ani"], org["Budi"]], starts_on=date(2026, 1, 28),
                                    ends_on=date(2026, 2, 28), stagger_by=4)
    assert (applied.people, applied.entries) == (2, 2 * 32)
    first = resolve_days(org["Ani"], [date(2026, 1, 28) + timedelta(days=n) for n in range(10)])
    assert [d.schedule.code if not d.day_off else "L" for d in first] == \
        ["P", "P", None, None, "M", "M", "L", "L", "P", "P"]
    assert first[4].work_date == date(2026, 2, 1)   # the cycle carries on into February
    budi = resolve_days(org["Budi"], [date(2026, 1, 28), date(2026, 1, 30)])
    assert [d.schedule.code for d in budi] == ["M", None] and budi[1].day_off   # four steps ahead
    # applied again from March with the same anchor, the cycle continues where it was
    rosters.apply_pattern(pattern, users=[org["Ani"]], starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 3),
                          anchor_on=date(2026, 1, 28))
    step = (date(2026, 3, 1) - date(2026, 1, 28)).days % 8
    expected = ["P", "P", None, None, "M", "M", "L", "L"][step]
    got = resolve_day(org["Ani"], date(2026, 3, 1))
    assert (got.schedule.code if not got.day_off else "L") == expected


def test_applying_to_a_department_and_swapping_cells(org):
    pattern = rosters.create_pattern("Malam terus", [org["night"]])
    applied = rosters.apply_pattern(pattern, department=org["er"], starts_on=MONDAY, ends_on=MONDAY)
    assert applied.people == 1   # Ani only: Budi belongs to the parent department
    rosters.swap_roster_days(org["Ani"], MONDAY, org["Citra"], MONDAY)
    assert resolve_day(org["Ani"], MONDAY).schedule.name == "Normal"
    assert resolve_day(org["Citra"], MONDAY).schedule.name == "Malam"
    assert rosters.clear_roster_day(org["Citra"], MONDAY) is True
    assert resolve_day(org["Citra"], MONDAY).source == "organisation"


def test_bulk_and_single_lookups_agree(org):
    ani, budi, citra, dedi = org["Ani"], org["Budi"], org["Citra"], org["Dedi"]
    assignments.assign_schedule(org["morning"], department=org["hospital"], starts_on=MONDAY + timedelta(days=3))
    assignments.assign_schedule(org["night"], office=org["other_office"], starts_on=MONDAY,
                                ends_on=MONDAY + timedelta(days=9))
    assignments.assign_schedule(org["normal"], user=citra, starts_on=MONDAY + timedelta(days=5))
    pattern = rosters.create_pattern("P-P-L", [org["morning"], org["morning"], None])
    rosters.apply_pattern(pattern, users=[ani], starts_on=MONDAY + timedelta(days=7), ends_on=MONDAY + timedelta(days=12))
    db.session.add_all([Holiday(on_date=MONDAY + timedelta(days=8), name="Libur", category="public"),
                        Holiday(on_date=MONDAY + timedelta(days=10), name="Lokal", category="organisation",
                                office_id=org["office"].id)])
    db.session.flush()
    start, end = MONDAY - timedelta(days=2), MONDAY + timedelta(days=15)
    dates = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    bulk = resolve_range([ani, budi, citra, dedi], start, end)
    for person in (ani, budi, citra, dedi):
        single = resolve_days(person, dates)
        assert [(d.schedule.id if d.schedule else None, d.source, d.day_off, d.off_reason,
                 d.holiday.id if d.holiday else None, d.rostered) for d in single] == \
            [(b.schedule.id if b.schedule else None, b.source, b.day_off, b.off_reason,
              b.holiday.id if b.holiday else None, b.rostered) for b in (bulk[(person.id, d)] for d in dates)]
    # the same answer as one list per person, of the same shape, shared (no user_id)
    planned = plan_range([ani, budi, citra, dedi], start, end)
    for person in (ani, budi, citra, dedi):
        assert {plan.user_id for plan in planned[person.id]} == {None}
        assert [plan._replace(user_id=person.id) for plan in planned[person.id]] == \
            [bulk[(person.id, d)] for d in dates]


def _facts(days):
    return [(d.work_date, d.schedule.id if d.schedule else None, d.source, d.day_off, d.off_reason,
             d.holiday.id if d.holiday else None, d.rostered) for d in days]


def test_the_shared_answer_of_a_department_and_office_is_that_of_everyone_without_rows_of_their_own(org):
    assignments.assign_schedule(org["morning"], department=org["hospital"], starts_on=MONDAY + timedelta(days=3))
    assignments.assign_schedule(org["night"], department=org["er"], starts_on=MONDAY + timedelta(days=6),
                                ends_on=MONDAY + timedelta(days=8))
    assignments.assign_schedule(org["night"], office=org["office"], starts_on=MONDAY,
                                ends_on=MONDAY + timedelta(days=9))
    db.session.add_all([Holiday(on_date=MONDAY + timedelta(days=8), name="Libur", category="public"),
                        Holiday(on_date=MONDAY + timedelta(days=10), name="Lokal", category="organisation",
                                office_id=org["office"].id)])
    db.session.flush()
    dates = [MONDAY - timedelta(days=2) + timedelta(days=n) for n in range(16)]
    for person in (org["Ani"], org["Budi"], org["Citra"], org["Dedi"]):
        assert _facts(resolve_shared_days(person.department_id, person.office_id, dates)) == \
            _facts(resolve_days(person, dates))


def test_a_transaction_that_changed_schedules_neither_reads_nor_fills_the_workers_cache(org):
    citra = org["Citra"]
    db.session.commit()
    person = (False, None, org["office"].id)  # what the token's query reads: no rows of her own
    day_cache.note_person(db.session(), citra.id, MONDAY, person)
    assert _facts(day_cache.cached_days(citra, MONDAY)) == _facts(resolve_days(citra, [MONDAY, MONDAY - timedelta(days=1)]))
    db.session.commit()
    day_cache.note_person(db.session(), citra.id, MONDAY, person)
    org["normal"].working_weekdays = [2, 3, 4, 5]
    db.session.flush()
    assert day_cache.cached_days(citra, MONDAY) is None  # resolved in full: Monday is off now
    assert resolve_day(citra, MONDAY).off_reason == "weekday"
    db.session.rollback()
    day_cache.note_person(db.session(), citra.id, MONDAY, person)
    assert day_cache.cached_days(citra, MONDAY)[0].day_off is False  # nothing uncommitted was kept
    # another date or person than the token's noted, or a person with rows of their own: no answer
    assert day_cache.cached_days(citra, MONDAY + timedelta(days=1)) is None
    assert day_cache.cached_days(org["Dedi"], MONDAY) is None
    day_cache.note_person(db.session(), citra.id, MONDAY, (True, None, org["office"].id))
    assert day_cache.cached_days(citra, MONDAY) is None


def test_one_statement_for_a_person_and_constant_statements_in_bulk(org, count_statements):
    assignments.assign_schedule(org["night"], department=org["er"], starts_on=MONDAY)
    db.session.commit()
    ani = org["Ani"]
    ani.id  # loaded again after the commit
    with count_statements() as one:
        resolve_days(ani, [MONDAY, MONDAY - timedelta(days=1)])
    assert one.count == 1, one.statements
    everyone = list(db.session.scalars(db.select(User)))
    with count_statements() as few:
        resolve_range(everyone[:1], MONDAY, MONDAY)
    with count_statements() as many:
        result = resolve_range(everyone, MONDAY, MONDAY + timedelta(days=30))
    assert len(result) == len(everyone) * 31
    assert few.count == many.count == 5, many.statements


def test_no_schedule_at_all(ctx):
    user = User(name="X", role="pegawai", password_hash="x")
    db.session.add(user)
    db.session.flush()
    day = resolve_day(user, MONDAY)
    assert (day.schedule, day.source, day.day_off, day.is_working_day) == (None, "none", False, False)
    assert resolve_range([user], MONDAY, MONDAY)[(user.id, MONDAY)].source == "none"
