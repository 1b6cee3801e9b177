"""What the schedule decides when people check in and out: overnight shifts, lateness with
grace, both late policies, days off and holidays, early leave, overtime with and without
approval, missed check-outs with both policies and the reminder — on one frozen clock."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.accounts.models import User
from app.attendance import closing, overtime
from app.attendance import services as attendance
from app.attendance.models import AttendanceEvent, DailyAttendance, OvertimeClaim
from app.common.errors import RuleViolation, ValidationFailed
from app.extensions import db
from app.notify.models import Notification
from app.schedules import assignments, holidays, rosters
from app.schedules.models import Holiday
from app.schedules.services import create_schedule

FRIDAY = date(2026, 1, 30)


def at(text: str) -> datetime:
    """``"2026-01-30T08:15"`` in Jakarta time."""
    return datetime.fromisoformat(text + "+07:00")


def day_of(user, work_date):
    return db.session.scalar(db.select(DailyAttendance).filter_by(user_id=user.id, work_date=work_date))


def check(user, kind, when, **kw):
    return attendance.record_attendance(user, kind, source="face", now=at(when), **kw)


@pytest.fixture
def people(ctx):
    """The organisation's default is a day schedule (07:00–09:00 in, late after 08:00, out 16:00–18:00)."""
    normal = create_schedule({"name": "Normal", "check_in_start": "07:00", "check_in_end": "09:00",
                              "late_after": "08:00", "check_out_start": "16:00", "check_out_end": "18:00",
                              "is_active": True})
    night = create_schedule({"name": "Malam", "code": "M", "check_in_start": "19:30", "check_in_end": "22:00",
                             "late_after": "20:00", "check_out_start": "04:00", "check_out_end": "06:00",
                             "working_weekdays": "1-7"})
    users = []
    for n in range(3):
        user = User(name=f"Orang {n}", role="pegawai", npp=f"7000{n}", password_hash="x")
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return dict(normal=normal, night=night, ani=users[0], budi=users[1], citra=users[2])


# --- overnight shifts ---------------------------------------------------------------

def test_a_night_shift_checked_out_after_midnight_closes_the_day_it_started(people):
    """A 20:00–04:00 shift: check-in opens 19:30, check-out 03:30–06:00, the work ends at 04:00."""
    shift = create_schedule({"name": "Malam IGD", "check_in_start": "19:30", "check_in_end": "21:00",
                             "late_after": "20:00", "check_out_start": "03:30", "check_out_end": "06:00",
                             "work_end": "04:00", "working_weekdays": "1-7"})
    ani = people["ani"]
    assignments.assign_schedule(shift, user=ani, starts_on=FRIDAY)
    first = check(ani, "check_in", "2026-01-30T19:55")           # just before the shift: opens today's day
    assert first.daily.work_date == FRIDAY and first.daily.late_minutes == 0
    out = check(ani, "check_out", "2026-01-31T03:55")            # after midnight: closes yesterday's day
    assert out.daily.work_date == FRIDAY and out.daily.id == first.daily.id
    assert (out.daily.worked_minutes, out.daily.early_leave_minutes) == (8 * 60, 5)
    # the next evening is a new day
    assert check(ani, "check_in", "2026-01-31T19:55").daily.work_date == date(2026, 1, 31)
    assert check(ani, "check_out", "2026-02-01T04:20").daily.work_date == date(2026, 1, 31)


def test_the_persons_own_shift_is_open_while_the_default_is_closed_and_the_other_way_round(people):
    ani, budi = people["ani"], people["budi"]
    assignments.assign_schedule(people["night"], user=ani, starts_on=FRIDAY)
    assert check(ani, "check_in", "2026-01-30T20:10").daily.late_minutes == 10
    with pytest.raises(attendance.OutsideWindow):
        check(budi, "check_in", "2026-01-30T20:10")                 # the default is closed at night
    with pytest.raises(attendance.OutsideWindow) as early:
        check(ani, "check_in", "2026-01-31T07:30")                  # the default is open, hers is not
    assert "not available yet" in early.value.message


def test_yesterdays_night_shift_and_todays_day_shift_do_not_mix(people):
    ani = people["ani"]
    rosters.set_roster_day(ani, FRIDAY, people["night"])
    check(ani, "check_in", "2026-01-30T20:00")
    assert check(ani, "check_out", "2026-01-31T05:00").daily.work_date == FRIDAY
    with pytest.raises(attendance.OutsideWindow):   # Saturday: a weekday off under the default, window 07:00
        check(ani, "check_in", "2026-01-31T06:30")


# --- lateness ---------------------------------------------------------------------------

@pytest.mark.parametrize("when, late, status", [
    ("2026-01-30T08:00:59", 0, "present"),
    ("2026-01-30T08:10:30", 0, "present"),       # within 10 minutes' grace
    ("2026-01-30T08:11:00", 11, "late"),         # past the grace: late from 08:00
    ("2026-01-30T08:47:00", 47, "late"),
])
def test_late_after_the_grace_period_by_the_minutes_past_the_start(people, when, late, status):
    from app.schedules.services import update_schedule

    update_schedule(people["normal"], {"grace_minutes": 10})
    daily = check(people["ani"], "check_in", when).daily
    assert (daily.late_minutes, daily.status) == (late, status)


def test_refuse_policy_refuses_after_the_window(people):
    with pytest.raises(attendance.OutsideWindow) as closed:
        check(people["ani"], "check_in", "2026-01-30T09:01")
    assert closed.value.message == "Check-in window has closed"
    assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 0


def test_record_late_policy_records_until_the_cutoff_late_and_flagged(people):
    from app.schedules.services import update_schedule

    update_schedule(people["normal"], {"late_policy": "record_late", "late_cutoff": "11:00"})
    in_window = check(people["ani"], "check_in", "2026-01-30T08:30")
    assert (in_window.event.review_state, in_window.daily.late_minutes) == ("not_required", 30)
    after = check(people["budi"], "check_in", "2026-01-30T10:15")
    assert (after.event.flag_reason, after.event.review_state) == ("after_window", "pending")
    assert (after.daily.late_minutes, after.daily.status) == (135, "pending_review")
    assert check(people["citra"], "check_in", "2026-01-30T11:00:59").event.flag_reason == "after_window"
    with pytest.raises(attendance.OutsideWindow):
        check(User(id=999, name="x", role="pegawai"), "check_in", "2026-01-30T11:01")


# --- days off, holidays -----------------------------------------------------------------

def test_work_on_a_day_off_is_recorded_never_late_and_is_overtime(people):
    from app.schedules.services import update_schedule

    update_schedule(people["normal"], {"overtime_threshold_minutes": 30, "overtime_auto_approve_minutes": 60})
    ani = people["ani"]
    saturday = date(2026, 1, 31)
    daily = check(ani, "check_in", "2026-01-31T08:40").daily
    assert (daily.late_minutes, daily.off_reason, daily.status) == (0, "weekday", "present")
    out = check(ani, "check_out", "2026-01-31T16:10").daily
    assert out.early_leave_minutes == 0
    claim = db.session.scalar(db.select(OvertimeClaim).filter_by(daily_id=out.id))
    assert (claim.reason, claim.minutes, claim.status) == ("day_off", 450, "pending")  # over the auto limit
    assert claim.work_date == saturday


def test_a_holiday_is_a_day_off_and_a_rostered_shift_on_it_is_holiday_work(people):
    from app.schedules.services import update_schedule

    update_schedule(people["night"], {"overtime_threshold_minutes": 30})
    db.session.add(Holiday(on_date=FRIDAY, name="Isra Mikraj", category="public"))
    db.session.flush()
    ani, budi = people["ani"], people["budi"]
    assert check(ani, "check_in", "2026-01-30T08:30").daily.off_reason == "holiday"
    rosters.set_roster_day(budi, FRIDAY, people["night"])
    worked = check(budi, "check_in", "2026-01-30T20:20").daily
    assert (worked.off_reason, worked.late_minutes) == (None, 20)    # he was expected: late counts
    check(budi, "check_out", "2026-01-31T04:30")
    claim = db.session.scalar(db.select(OvertimeClaim).filter_by(user_id=budi.id))
    assert (claim.reason, claim.minutes) == ("holiday", 8 * 60 + 10)


# --- early leave --------------------------------------------------------------------------

def test_early_leave_before_the_scheduled_end_beyond_the_threshold(people):
    from app.schedules.services import update_schedule

    update_schedule(people["normal"], {"work_end": "17:00", "early_leave_threshold_minutes": 10})
    for person, leave, early in ((people["ani"], "16:45", 15), (people["budi"], "16:55", 0),
                                 (people["citra"], "17:30", 0)):
        check(person, "check_in", "2026-01-30T07:50")
        assert check(person, "check_out", f"2026-01-30T{leave}").daily.early_leave_minutes == early


# --- overtime -------------------------------------------------------------------------------

def test_overtime_is_approved_at_once_within_the_limit_and_reviewed_above_it(people):
    from app.schedules.services import update_schedule

    update_schedule(people["normal"], {"check_out_end": "21:00", "overtime_threshold_minutes": 30,
                                       "overtime_auto_approve_minutes": 60})
    ani, budi, citra = people["ani"], people["budi"], people["citra"]
    for person in (ani, budi, citra):
        check(person, "check_in", "2026-01-30T07:30")
    check(ani, "check_out", "2026-01-30T16:20")       # 20 minutes: under the threshold, no claim
    check(budi, "check_out", "2026-01-30T16:45")      # 45: approved at once
    check(citra, "check_out", "2026-01-30T18:30")     # 150: waits for review
    claims = {c.user_id: c for c in db.session.scalars(db.select(OvertimeClaim))}
    assert ani.id not in claims
    assert (claims[budi.id].status, claims[budi.id].approved_minutes, claims[budi.id].minutes_before) == (
        "approved", 45, 0)                            # the 30 minutes before 08:00 do not count by default
    pending = claims[citra.id]
    assert (pending.status, pending.minutes, pending.approved_minutes) == ("pending", 150, None)
    assert overtime.pending_claim_count() == 1
    assert overtime.approved_minutes([ani.id, budi.id, citra.id], FRIDAY, FRIDAY) == {budi.id: 45}
    reviewer = User(name="HR", role="admin", password_hash="x")
    db.session.add(reviewer)
    db.session.flush()
    with pytest.raises(ValidationFailed):
        overtime.decide_claim(pending, reviewer, approve=True, minutes=151)
    with pytest.raises(ValidationFailed):
        overtime.decide_claim(pending, reviewer, approve=False)
    overtime.decide_claim(pending, reviewer, approve=True, minutes=120)
    assert overtime.approved_minutes([citra.id], FRIDAY, FRIDAY) == {citra.id: 120}
    with pytest.raises(RuleViolation):
        overtime.decide_claim(pending, reviewer, approve=False, note="lagi")
    note = db.session.scalar(db.select(Notification).filter_by(user_id=citra.id, type="overtime_review"))
    assert "120" in note.body


def test_overtime_before_the_start_only_when_the_schedule_counts_it(people):
    from app.schedules.services import update_schedule

    update_schedule(people["normal"], {"overtime_threshold_minutes": 30, "overtime_auto_approve_minutes": 240,
                                       "overtime_before_start": True})
    check(people["ani"], "check_in", "2026-01-30T07:00")
    check(people["ani"], "check_out", "2026-01-30T16:40")
    claim = db.session.scalar(db.select(OvertimeClaim))
    assert (claim.minutes_before, claim.minutes_after, claim.minutes, claim.status) == (60, 40, 100, "approved")


def test_a_flagged_day_is_never_approved_automatically_and_a_rejection_removes_the_claim(people, factory):
    from app.schedules.services import update_schedule

    update_schedule(people["normal"], {"overtime_threshold_minutes": 10, "overtime_auto_approve_minutes": 120,
                                       "late_policy": "record_late", "late_cutoff": "12:00"})
    ani = people["ani"]
    flagged = check(ani, "check_in", "2026-01-30T09:30")             # after the window: for review
    check(ani, "check_out", "2026-01-30T17:00")
    claim = db.session.scalar(db.select(OvertimeClaim))
    assert claim.status == "pending"
    reviewer = User(name="HR", role="admin", password_hash="x")
    db.session.add(reviewer)
    db.session.flush()
    attendance.review_event(flagged.event, reviewer, approve=False, note="tidak hadir")
    assert db.session.scalar(db.select(db.func.count(OvertimeClaim.id))) == 0


# --- missed check-outs and the reminder -------------------------------------------------------

def test_missed_check_out_closed_at_the_scheduled_end_for_review_once(people):
    ani, budi = people["ani"], people["budi"]
    check(ani, "check_in", "2026-01-30T07:55")
    check(budi, "check_in", "2026-01-30T08:05")
    check(budi, "check_out", "2026-01-30T16:30")
    assert closing.close_days(at("2026-01-30T17:20")) == closing.CloseResult(0, 0, 0, 1)
    reminded = closing.close_days(at("2026-01-30T17:40"))          # 30 minutes before 18:01
    assert (reminded.reminded, reminded.closed) == (1, 0)
    assert closing.close_days(at("2026-01-30T17:45")).reminded == 0   # sent once
    result = closing.close_days(at("2026-01-30T18:01"))
    assert (result.closed, result.left_open) == (1, 0)
    again = closing.close_days(at("2026-01-30T18:30"))
    assert again == closing.CloseResult(0, 0, 0, 0)
    daily = day_of(ani, FRIDAY)
    assert daily.missed_check_out_at is not None
    assert daily.time_out == at("2026-01-30T16:00") and daily.worked_minutes == 8 * 60 + 5
    event = daily.check_out_event
    assert (event.source, event.review_state, event.flag_reason) == ("system", "pending", "missed_check_out")
    assert event in db.session.scalars(attendance.pending_events_query()).all()
    kinds = [n.type for n in db.session.scalars(db.select(Notification).filter_by(user_id=ani.id))]
    assert sorted(kinds) == ["check_out_reminder", "missed_check_out"]


def test_missed_check_out_left_open_for_correction(people):
    from app.schedules.services import update_schedule

    update_schedule(people["night"], {"missed_check_out_policy": "leave_open", "reminder_lead_minutes": 0})
    ani = people["ani"]
    rosters.set_roster_day(ani, FRIDAY, people["night"])
    check(ani, "check_in", "2026-01-30T20:00")
    assert closing.close_days(at("2026-01-31T05:59")) == closing.CloseResult(0, 0, 0, 1)
    assert closing.close_days(at("2026-01-31T06:01")) == closing.CloseResult(0, 0, 1, 0)
    daily = day_of(ani, FRIDAY)
    assert daily.missed_check_out_at is not None and daily.check_out_event_id is None and daily.time_out is None
    assert closing.close_days(at("2026-01-31T09:00")) == closing.CloseResult(0, 0, 0, 0)
    with pytest.raises(attendance.OutsideWindow):
        check(ani, "check_out", "2026-01-31T07:00")


def test_the_close_days_command_prints_what_it_did(app, factory, freeze_time):
    freeze_time("2026-01-30T19:00+07:00")
    with app.app_context():
        create_schedule({"name": "Normal", "check_in_start": "07:00", "check_in_end": "09:00",
                         "check_out_start": "16:00", "check_out_end": "18:00"})
        user = User(name="A", role="pegawai", npp="1", password_hash="x")
        db.session.add(user)
        db.session.flush()
        attendance.record_attendance(user, "check_in", source="face", now=at("2026-01-30T08:00"))
        db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["attendance", "close-days"])
    assert first.exit_code == 0 and "closed 1 at the scheduled end" in first.output
    assert "closed 0" in runner.invoke(args=["attendance", "close-days"]).output


def test_a_rotating_roster_decides_the_next_check_in(people):
    ani = people["ani"]
    pattern = rosters.create_pattern("M-M-L", [people["night"], people["night"], None])
    rosters.apply_pattern(pattern, users=[ani], starts_on=date(2026, 1, 31), ends_on=date(2026, 2, 3))
    assert check(ani, "check_in", "2026-01-31T20:00").daily.off_reason is None
    assert check(ani, "check_in", "2026-02-01T20:00").daily.work_date == date(2026, 2, 1)
    # a roster day off: the schedule underneath (the default's day windows) judges work on it
    with pytest.raises(attendance.OutsideWindow):
        check(ani, "check_in", "2026-02-02T20:00")
    off = check(ani, "check_in", "2026-02-02T08:30").daily
    assert (off.off_reason, off.late_minutes) == ("roster", 0)
    holidays.add_holiday(date(2026, 2, 3), "Libur kantor")
    assert check(ani, "check_in", "2026-02-03T20:30").daily.late_minutes == 30   # rostered: late counts


def test_two_close_days_runs_at_once_change_each_day_once(app, monkeypatch):
    """Two servers run ``close-days`` at the same moment.  On PostgreSQL both first read the
    same open days (a barrier holds them until both have), then both try to mark them: the
    conditional UPDATEs let one change each day and the other none.  (SQLite serialises
    writers at BEGIN, so there the runs simply follow each other.)"""
    import threading

    with app.app_context():
        create_schedule({"name": "Normal", "check_in_start": "07:00", "check_in_end": "09:00",
                         "check_out_start": "16:00", "check_out_end": "18:00", "reminder_lead_minutes": 0})
        people = [User(name=f"P{n}", role="pegawai", npp=f"9{n:03d}", password_hash="x") for n in range(30)]
        db.session.add_all(people)
        db.session.flush()
        for person in people:
            attendance.record_attendance(person, "check_in", source="face", now=at("2026-01-30T07:50"))
        db.session.commit()
        concurrent = db.engine.dialect.name == "postgresql"
    barrier = threading.Barrier(2, timeout=30)
    real_claim = closing._claim

    def claim_together(ids, column, now):
        if column == "missed_check_out_at" and concurrent:
            barrier.wait()            # both runs have read the same open days
        return real_claim(ids, column, now)

    monkeypatch.setattr(closing, "_claim", claim_together)
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                results.append(closing.close_days(at("2026-01-30T18:05")))
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(r.closed for r in results) == [0, 30]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))
                                 .where(AttendanceEvent.source == "system")) == 30
        assert db.session.scalar(db.select(db.func.count(DailyAttendance.id))
                                 .where(DailyAttendance.check_out_event_id.is_not(None))) == 30
        assert db.session.scalar(db.select(db.func.count(Notification.id))
                                 .where(Notification.type == "missed_check_out")) == 30
