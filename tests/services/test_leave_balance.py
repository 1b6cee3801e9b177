"""Annual leave (cuti tahunan): working days counted by schedule and holiday calendar, per
calendar year, and a request or approval beyond the balance refused with the numbers."""
from __future__ import annotations

from datetime import date

import pytest
from app.accounts.models import User
from app.extensions import db
from app.leave import services as leave
from app.leave.balance import (InsufficientLeaveBalance, annual_balance, entitlement, parse_entitlement,
                               working_days_by_year)
from app.common.errors import ValidationFailed
from app.schedules import holidays, rosters
from app.schedules.services import create_schedule
from app.system.settings import update_setting


@pytest.fixture
def people(ctx):
    """The organisation's Monday–Friday schedule, an employee, an admin and a student."""
    create_schedule({"name": "Normal", "check_in_start": "07:00", "check_in_end": "09:00",
                     "check_out_start": "16:00", "check_out_end": "18:00", "is_active": True})
    made = {}
    for key, role in (("ani", "pegawai"), ("admin", "admin"), ("siswa", "siswa")):
        made[key] = User(name=key.title(), role=role, password_hash="x", npp=None if role == "siswa" else f"9{len(made)}")
        db.session.add(made[key])
    db.session.flush()
    return made


def ask(user, start, end, leave_type="cuti"):
    return leave.create_leave(user, leave_type, start, end, "Liburan keluarga")


def test_weekends_and_holidays_inside_a_leave_do_not_use_the_balance(people):
    ani = people["ani"]
    # Mon 2026-03-16 .. Fri 2026-03-27: 10 weekdays; Nyepi (Thu 19th) and a cuti bersama (Fri 20th) inside
    holidays.add_holiday(date(2026, 3, 19), "Hari Suci Nyepi")
    holidays.add_holiday(date(2026, 3, 20), "Cuti Bersama Nyepi")
    assert working_days_by_year(ani, date(2026, 3, 16), date(2026, 3, 27)) == {2026: 8}
    request = ask(ani, "2026-03-16", "2026-03-27")
    assert annual_balance(ani, 2026).pending == 8 and annual_balance(ani, 2026).used == 0
    leave.review_leave(request, people["admin"], approve=True)
    balance = annual_balance(ani, 2026)
    assert (balance.entitlement, balance.used, balance.remaining, balance.pending) == (12, 8, 4, 0)


def test_a_roster_day_off_inside_a_leave_does_not_count(people):
    ani = people["ani"]
    rosters.set_roster_day(ani, date(2026, 2, 3), None)          # Tuesday off by the roster
    assert working_days_by_year(ani, date(2026, 2, 2), date(2026, 2, 6)) == {2026: 4}


def test_a_leave_across_the_year_boundary_counts_each_day_in_its_own_year(people):
    ani, admin = people["ani"], people["admin"]
    # Mon 2026-12-28 .. Tue 2027-01-05: 4 weekdays in 2026 (28-31), 3 in 2027 (1 is a holiday; 4, 5)
    holidays.add_holiday(date(2027, 1, 1), "Tahun Baru Masehi")
    assert working_days_by_year(ani, date(2026, 12, 28), date(2027, 1, 5)) == {2026: 4, 2027: 2}
    leave.review_leave(ask(ani, "2026-12-28", "2027-01-05"), admin, approve=True)
    assert (annual_balance(ani, 2026).used, annual_balance(ani, 2027).used) == (4, 2)
    assert (annual_balance(ani, 2026).remaining, annual_balance(ani, 2027).remaining) == (8, 10)


def test_a_request_beyond_the_balance_is_refused_with_the_numbers(people):
    ani, admin = people["ani"], people["admin"]
    leave.review_leave(ask(ani, "2026-06-01", "2026-06-12"), admin, approve=True)      # 10 working days
    assert annual_balance(ani, 2026).remaining == 2
    with pytest.raises(InsufficientLeaveBalance) as refused:
        ask(ani, "2026-07-06", "2026-07-08")                                              # Mon–Wed: 3 days
    assert (refused.value.year, refused.value.remaining, refused.value.requested) == (2026, 2, 3)
    assert ask(ani, "2026-07-06", "2026-07-07").status == "pending"                       # 2 days fit
    # other leave types never use the entitlement
    assert ask(ani, "2026-08-03", "2026-08-14", leave_type="izin").status == "pending"


def test_the_year_beyond_the_boundary_can_be_the_one_that_refuses(people):
    ani, admin = people["ani"], people["admin"]
    ani.annual_leave_days = 3
    leave.review_leave(ask(ani, "2027-01-04", "2027-01-06"), admin, approve=True)      # all of 2027's 3 days
    with pytest.raises(InsufficientLeaveBalance) as refused:
        ask(ani, "2026-12-30", "2027-01-01")                                              # 2 days 2026, 1 day 2027
    assert (refused.value.year, refused.value.remaining, refused.value.requested) == (2027, 0, 1)


def test_approval_checks_the_balance_again(people):
    ani, admin = people["ani"], people["admin"]
    first, second = ask(ani, "2026-05-04", "2026-05-15"), ask(ani, "2026-06-01", "2026-06-05")   # 10 + 5 pending
    leave.review_leave(first, admin, approve=True)
    with pytest.raises(InsufficientLeaveBalance) as refused:
        leave.review_leave(second, admin, approve=True)
    assert (refused.value.remaining, refused.value.requested) == (2, 5)
    assert second.status == "pending"
    assert leave.review_leave(second, admin, approve=False, comment="Sisa cuti kurang").status == "rejected"


def test_entitlement_from_the_setting_or_the_person(people):
    ani = people["ani"]
    assert entitlement(ani) == 12
    update_setting("annual_leave_days", 15)
    assert entitlement(ani) == 15
    ani.annual_leave_days = 0                      # e.g. not yet 12 months of service
    assert entitlement(ani) == 0
    with pytest.raises(InsufficientLeaveBalance):
        ask(ani, "2026-02-02", "2026-02-02")
    with pytest.raises(ValidationFailed):
        update_setting("annual_leave_days", 11)   # below the legal minimum
    assert parse_entitlement(" ") is None and parse_entitlement("20") == 20
    for bad in ("-1", "366", "x", "1.5"):
        with pytest.raises(ValidationFailed):
            parse_entitlement(bad)


def test_students_cuti_is_not_counted(people):
    assert ask(people["siswa"], "2026-02-02", "2026-03-27").status == "pending"      # 40 weekdays
