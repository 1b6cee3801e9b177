"""Work-schedule windows, including shifts that cross midnight."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.schedules.models import WorkSchedule
from app.schedules.services import check_out_window, late_minutes, window_at

JKT = ZoneInfo("Asia/Jakarta")
NORMAL = WorkSchedule(name="Normal", check_in_start=time(7), check_in_end=time(9), check_out_start=time(16),
                      check_out_end=time(18), late_after=time(8))
NIGHT = WorkSchedule(name="Shift Malam", check_in_start=time(20), check_in_end=time(22), check_out_start=time(4),
                     check_out_end=time(6), late_after=time(20, 30))


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=JKT)


@pytest.mark.parametrize("moment, expected", [
    ("2026-01-30T06:59:59", None),
    ("2026-01-30T07:00:00", date(2026, 1, 30)),
    ("2026-01-30T09:00:59", date(2026, 1, 30)),  # "end 09:00" includes the minute 09:00
    ("2026-01-30T09:01:00", None),
])
def test_day_shift_check_in_window(moment, expected):
    window = window_at(NORMAL, "check_in", at(moment))
    assert (window.work_date if window else None) == expected


def test_night_shift_check_in_and_check_out_belong_to_the_day_the_shift_started():
    check_in = window_at(NIGHT, "check_in", at("2026-01-30T21:00:00"))
    check_out = window_at(NIGHT, "check_out", at("2026-01-31T05:00:00"))
    assert check_in.work_date == date(2026, 1, 30)
    assert check_out.work_date == date(2026, 1, 30)
    assert window_at(NIGHT, "check_out", at("2026-01-30T05:00:00")).work_date == date(2026, 1, 29)


def test_night_shift_is_closed_in_the_afternoon():
    assert window_at(NIGHT, "check_in", at("2026-01-30T15:00:00")) is None
    assert window_at(NIGHT, "check_out", at("2026-01-30T15:00:00")) is None


def test_check_in_window_that_itself_crosses_midnight():
    late_shift = WorkSchedule(name="x", check_in_start=time(23), check_in_end=time(1), check_out_start=time(7),
                              check_out_end=time(9))
    assert window_at(late_shift, "check_in", at("2026-01-31T00:30:00")).work_date == date(2026, 1, 30)
    assert window_at(late_shift, "check_in", at("2026-01-30T23:30:00")).work_date == date(2026, 1, 30)
    assert window_at(late_shift, "check_out", at("2026-01-31T08:00:00")).work_date == date(2026, 1, 30)


def test_open_ended_windows():
    open_in = WorkSchedule(name="x", check_in_start=time(7), check_in_end=None, check_out_start=time(16),
                           check_out_end=None)
    # Check-in stays open until check-out starts; check-out until the next day's check-in.
    assert window_at(open_in, "check_in", at("2026-01-30T15:59:00")).work_date == date(2026, 1, 30)
    assert window_at(open_in, "check_in", at("2026-01-30T16:00:00")) is None
    out = check_out_window(open_in, date(2026, 1, 30), JKT)
    assert out.end == at("2026-01-31T07:00:00")


@pytest.mark.parametrize("moment, minutes", [
    ("2026-01-30T07:59:00", 0), ("2026-01-30T08:00:59", 0), ("2026-01-30T08:15:00", 15)])
def test_late_minutes(moment, minutes):
    assert late_minutes(NORMAL, date(2026, 1, 30), at(moment)) == minutes


def test_late_minutes_on_a_night_shift_after_midnight():
    # Night shift, late after 20:30: a check-in at 21:05 is 35 minutes late.
    assert late_minutes(NIGHT, date(2026, 1, 30), at("2026-01-30T21:05:00")) == 35
