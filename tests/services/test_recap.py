"""The month recap against hand-computed months: lateness with grace, an overnight shift, a holiday,
approved leave, approved / pending / rejected overtime, early leave, a manual correction; and its cost
in SQL statements, which does not grow with the number of people."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.accounts.models import User
from app.attendance import overtime, recap
from app.attendance import services as attendance
from app.attendance.models import AttendanceEvent, OvertimeClaim
from app.extensions import db
from app.leave import services as leave
from app.schedules import assignments, holidays
from app.schedules.services import create_schedule

FEBRUARY_1 = date(2026, 2, 1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+07:00")


def check(user, kind, when):
    return attendance.record_attendance(user, kind, source="face", now=at(when))


@pytest.fixture
def january(ctx):
    """January 2026 (Thursday 1st .. Saturday 31st), New Year a holiday; today is 1 February.

    Ani works the default (Mon–Fri, in 07:00–09:00, late after 08:00 with 5 minutes' grace, ends
    17:00, overtime from 30 minutes, approved at once up to 60); Budi the night shift every day
    (in 19:30–22:00, late after 20:00, out 04:00–06:00, ends 04:00)."""
    create_schedule({"name": "Normal", "check_in_start": "07:00", "check_in_end": "09:00", "late_after": "08:00",
                     "grace_minutes": 5, "check_out_start": "15:30", "check_out_end": "21:00", "work_end": "17:00",
                     "overtime_threshold_minutes": 30, "overtime_auto_approve_minutes": 60, "is_active": True})
    night = create_schedule({"name": "Malam", "code": "M", "check_in_start": "19:30", "check_in_end": "22:00",
                             "late_after": "20:00", "check_out_start": "04:00", "check_out_end": "06:00",
                             "work_end": "04:00", "working_weekdays": "1-7"})
    holidays.add_holiday(date(2026, 1, 1), "Tahun Baru Masehi")
    ani = User(name="Ani", role="pegawai", npp="70001", password_hash="x")
    budi = User(name="Budi", role="pegawai", npp="70002", password_hash="x")
    hr = User(name="HR", role="admin", password_hash="x")
    db.session.add_all([ani, budi, hr])
    db.session.flush()
    assignments.assign_schedule(night, user=budi, starts_on=date(2026, 1, 1))

    check(ani, "check_in", "2026-01-02T07:50")                 # Fri: on time, 9 h 10 min
    check(ani, "check_out", "2026-01-02T17:00")
    check(ani, "check_in", "2026-01-05T08:05")                 # Mon: within the grace, not late
    check(ani, "check_out", "2026-01-05T17:05")
    check(ani, "check_in", "2026-01-06T08:20")                 # Tue: 20 minutes late
    check(ani, "check_out", "2026-01-06T17:00")
    sick = leave.create_leave(ani, "sakit", "2026-01-07", "2026-01-10", "Demam")   # Wed..Sat
    leave.review_leave(sick, hr, approve=True)
    check(ani, "check_in", "2026-01-12T08:00")                 # 120 min overtime: pending, approved 90
    check(ani, "check_out", "2026-01-12T19:00")
    check(ani, "check_in", "2026-01-13T08:00")                 # 60: approved at once
    check(ani, "check_out", "2026-01-13T18:00")
    check(ani, "check_in", "2026-01-14T08:00")                 # 90: rejected
    check(ani, "check_out", "2026-01-14T18:30")
    check(ani, "check_in", "2026-01-15T08:00")                 # leaves 60 minutes early
    check(ani, "check_out", "2026-01-15T16:00")
    claims = {c.work_date.day: c for c in db.session.scalars(db.select(OvertimeClaim).filter_by(user_id=ani.id))}
    overtime.decide_claim(claims[12], hr, approve=True, minutes=90)
    overtime.decide_claim(claims[14], hr, approve=False, note="Tidak diperintahkan")

    check(budi, "check_in", "2026-01-30T20:10")                # Fri night, 10 late, out after midnight
    check(budi, "check_out", "2026-01-31T04:00")
    db.session.flush()
    return dict(ani=ani, budi=budi, hr=hr)


def test_a_hand_computed_month_of_a_day_worker(january):
    ani = january["ani"]
    result = recap.build_recap([ani], 2026, 1, today=FEBRUARY_1)
    row = result.rows[0]
    days = {d.work_date.day: d for d in row.days}
    assert days[1].status == "off" and days[1].off_reason == "holiday" and days[1].holiday_name == "Tahun Baru Masehi"
    assert (days[2].status, days[2].worked_minutes) == ("present", 550)
    assert (days[5].status, days[5].late_minutes) == ("present", 0)          # 08:05 is within the grace
    assert (days[6].status, days[6].late_minutes) == ("late", 20)
    assert [days[n].status for n in (7, 8, 9, 10, 11)] == ["sakit", "sakit", "sakit", "off", "off"]
    assert (days[12].overtime_minutes, days[12].overtime_claimed, days[12].overtime_status) == (90, 120, "approved")
    assert (days[13].overtime_minutes, days[13].overtime_status) == (60, "approved")
    assert (days[14].overtime_minutes, days[14].overtime_claimed, days[14].overtime_status) == (0, 90, "rejected")
    assert days[15].early_leave_minutes == 60
    assert days[16].status == "absent"
    t = row.totals
    # 22 weekdays in January 2026, New Year's Day off: 21 scheduled; 8 weekend days + 1 holiday off
    # (Saturday 10th inside the sick leave stays a day off)
    assert t.scheduled_days == 21
    assert (t.present, t.late, t.late_minutes) == (7, 1, 20)
    assert (t.early_leave, t.early_leave_minutes) == (1, 60)
    assert (t.sakit, t.izin, t.cuti, t.dinas_luar) == (3, 0, 0, 0)
    assert t.absent == 21 - 7 - 3
    assert t.off_days == 10
    assert t.worked_minutes == 550 + 540 + 520 + 660 + 600 + 630 + 480
    assert t.overtime_minutes == 150 and t.overtime_hours == 2.5
    assert result.totals.scheduled_days == 21


def test_an_overnight_shift_counts_on_the_day_it_started_and_the_holiday_is_its_day_off(january):
    budi = january["budi"]
    days = recap.classify_days([budi], date(2026, 1, 1), date(2026, 1, 31), today=FEBRUARY_1)[budi.id]
    assert days[0].status == "off" and days[0].off_reason == "holiday"
    friday = days[29]
    assert (friday.work_date, friday.status, friday.late_minutes, friday.worked_minutes) == (
        date(2026, 1, 30), "late", 10, 470)
    assert friday.shift.name == "Malam"
    assert days[30].status == "absent"                          # Saturday: worked every day, no check-in
    totals = recap.totals_of(days)
    assert (totals.scheduled_days, totals.present, totals.absent, totals.off_days) == (30, 1, 29, 1)


def test_today_is_not_yet_and_later_days_upcoming(january):
    ani = january["ani"]
    days = recap.classify_days([ani], date(2026, 1, 15), date(2026, 1, 20), today=date(2026, 1, 16))[ani.id]
    assert [d.status for d in days] == ["present", "not_yet", "off", "off", "future", "future"]
    assert recap.totals_of(days).absent == 0


def test_a_manual_correction_shows_in_the_persons_month_with_its_reason(january):
    ani = january["ani"]
    correction = AttendanceEvent(user_id=ani.id, kind="check_in", occurred_at=at("2026-01-16T08:00"),
                                 work_date=date(2026, 1, 16), source="manual", review_note="Lupa absen, disetujui atasan")
    db.session.add(correction)
    db.session.flush()
    month = recap.person_month(ani, 2026, 1, today=FEBRUARY_1)
    assert [e.id for e in month.corrections] == [correction.id]
    assert len(month.events[date(2026, 1, 2)]) == 2
    assert month.totals.present == 7


def test_without_times_the_days_are_the_same_but_their_clock_times(january):
    people = [january["ani"], january["budi"]]
    with_times = recap.build_recap(people, 2026, 1, today=FEBRUARY_1)
    without = recap.build_recap(people, 2026, 1, today=FEBRUARY_1, times=False)
    assert [r.totals for r in without.rows] == [r.totals for r in with_times.rows]
    assert without.daily == with_times.daily
    blank = [[d._replace(time_in=None, time_out=None) for d in r.days] for r in with_times.rows]
    assert [r.days for r in without.rows] == blank
    assert any(d.time_in for d in with_times.rows[0].days)


def test_one_pages_rows_with_everyones_sums_equal_the_recap_of_every_row(january, monkeypatch):
    """The recap page classifies only its own people and sums everyone's month in SQL
    (summarise_days): the totals, each date's statuses and the late minutes by department equal
    those of classifying every person-day, with a rejected check-in (no record), a day recorded
    absent, a presence from another source on a day without a record and on a day with one,
    leave, approved / pending / rejected overtime, a holiday and an overnight shift, on any today."""
    from app.attendance.reports import PresenceSource, _PRESENCE_SOURCES
    from app.attendance.models import DailyAttendance

    ani, budi, hr = january["ani"], january["budi"], january["hr"]
    db.session.add_all([
        DailyAttendance(user_id=ani.id, work_date=date(2026, 1, 19), status="rejected", late_minutes=40,
                        worked_minutes=300),
        DailyAttendance(user_id=ani.id, work_date=date(2026, 1, 20), status="absent"),
        DailyAttendance(user_id=budi.id, work_date=date(2026, 1, 21), status="pending_review", late_minutes=5,
                        early_leave_minutes=30, worked_minutes=400),
    ])
    db.session.flush()
    marked = {(budi.id, date(2026, 1, 22)), (budi.id, date(2026, 1, 30)), (ani.id, date(2026, 1, 24))}
    monkeypatch.setitem(_PRESENCE_SOURCES, "test.marks", PresenceSource(
        key="test.marks", load=lambda ids, start, end: [(u, d, None) for u, d in marked if u in ids]))
    people = [ani, budi, hr]
    for today in (FEBRUARY_1, date(2026, 1, 16), date(2026, 1, 1), date(2025, 12, 31)):
        every = recap.build_recap(people, 2026, 1, today=today)
        page = recap.build_recap(people, 2026, 1, today=today, rows_for=[budi])
        assert page.totals == every.totals
        assert page.daily == every.daily
        assert page.late_by_department == every.late_by_department
        assert page.people == every.people == 3
        assert page.rows == every.rows[1:2]
        assert recap.build_recap(people, 2026, 1, today=today, rows_for=()).totals == every.totals
    assert every.totals.late == 3 and every.totals.pending == 1 and every.totals.absent > 0
    with pytest.raises(ValueError):
        recap.summarise_days(people, date(2026, 1, 30), date(2026, 2, 2))


def test_the_number_of_statements_does_not_grow_with_the_people(january, count_statements):
    few = [january["ani"]]
    more = [january["ani"], january["budi"], january["hr"]]
    with count_statements() as seen_few:
        recap.classify_days(few, date(2026, 1, 1), date(2026, 1, 31), today=FEBRUARY_1)
    with count_statements() as seen_more:
        recap.classify_days(more, date(2026, 1, 1), date(2026, 1, 31), today=FEBRUARY_1)
    assert seen_few.count == seen_more.count <= 9, seen_more.statements


def test_a_month_outside_the_range_is_refused(ctx):
    from app.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        recap.parse_month("2026-13")
    with pytest.raises(ValidationFailed):
        recap.parse_month("Januari")
    assert recap.parse_month("2026-02") == (2026, 2)
