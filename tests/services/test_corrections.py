"""Corrections of a person's day at the service level: append-only, judged like a check-in, audited."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from app.accounts.models import User
from app.attendance import corrections
from app.attendance import services as attendance
from app.attendance.models import AttendanceEvent, DailyAttendance, OvertimeClaim
from app.attendance.reports import build_report
from app.audit.models import AuditEntry
from app.common.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from app.extensions import db
from app.leave.models import LeaveRequest
from app.schedules import assignments
from app.schedules.services import create_schedule

FRIDAY = date(2026, 1, 30)


def at(text: str) -> datetime:
    """``"2026-01-30T08:15"`` in Jakarta time."""
    return datetime.fromisoformat(text + "+07:00")


def check(user, kind, when):
    return attendance.record_attendance(user, kind, source="face", now=at(when))


def day_of(user, work_date=FRIDAY):
    return db.session.scalar(db.select(DailyAttendance).filter_by(user_id=user.id, work_date=work_date))


def events_of(user):
    return list(db.session.scalars(db.select(AttendanceEvent).filter_by(user_id=user.id).order_by(AttendanceEvent.id)))


def audit():
    """The audit entries the test made: the fixture's own set-up (creating the department) is left out."""
    return list(db.session.scalars(db.select(AuditEntry).where(~AuditEntry.action.startswith("department."))
                                   .order_by(AuditEntry.id)))


@pytest.fixture
def org(ctx, freeze_time):
    """The default schedule (07:00–09:00 in, late after 08:00 with 5 minutes' grace, out 16:00–18:00,
    overtime from 30 minutes, approved at once up to 60), an admin, two employees of department OPS
    and a student; the clock stands on Monday 2 February 2026, 10:00 Jakarta."""
    from app.departments.services import create_department

    freeze_time("2026-02-02T10:00+07:00")
    normal = create_schedule({"name": "Normal", "check_in_start": "07:00", "check_in_end": "09:00",
                              "late_after": "08:00", "grace_minutes": 5, "check_out_start": "16:00",
                              "check_out_end": "18:00", "overtime_threshold_minutes": 30,
                              "overtime_auto_approve_minutes": 60, "is_active": True})
    ops = create_department(code="OPS", name="Operasional")
    people = {}
    for key, role in (("admin", "admin"), ("ani", "pegawai"), ("budi", "pegawai"), ("sari", "siswa")):
        user = User(name=key.title(), role=role, npp=None if role == "siswa" else f"7{len(people)}",
                    password_hash="x", department_id=ops.id if role == "pegawai" else None)
        db.session.add(user)
        people[key] = user
    db.session.flush()
    return dict(normal=normal, ops=ops, **people)


def test_a_forgotten_check_out_is_added_and_the_original_check_in_stays(org):
    ani, admin = org["ani"], org["admin"]
    original = check(ani, "check_in", "2026-01-30T08:20").event       # 20 minutes late
    result = corrections.add_times(admin, ani.id, FRIDAY, check_out=time(17, 10), reason="Lupa absen pulang")
    daily = day_of(ani)
    assert result.daily.id == daily.id
    assert (daily.time_out, daily.worked_minutes, daily.early_leave_minutes, daily.late_minutes, daily.status) == (
        at("2026-01-30T17:10"), 8 * 60 + 50, 0, 20, "late")
    first, added = events_of(ani)
    assert first.id == original.id and (first.kind, first.source, first.occurred_at) == (
        "check_in", "face", at("2026-01-30T08:20"))
    assert (added.kind, added.source, added.recorded_by_id, added.reason, added.review_state, added.work_date) == (
        "check_out", "manual", admin.id, "Lupa absen pulang", "not_required", FRIDAY)
    assert daily.check_in_event_id == original.id and daily.check_out_event_id == added.id
    # 70 minutes after the scheduled end (16:00): over the auto-approve limit, so it waits
    claim = db.session.scalar(db.select(OvertimeClaim).filter_by(daily_id=daily.id))
    assert (claim.minutes, claim.status) == (70, "pending")
    (entry,) = audit()
    assert (entry.action, entry.actor_id, entry.person_id, entry.subject_type, entry.subject_id, entry.reason) == (
        "correction.check_out", admin.id, ani.id, "daily_attendance", daily.id, "Lupa absen pulang")
    assert entry.before == {"time_out": None, "worked_minutes": None, "events": [], "work_date": None}
    assert entry.after == {"time_out": "2026-01-30T10:10:00.000000Z", "worked_minutes": 530, "events": [added.id],
                           "work_date": "2026-01-30"}


def test_a_whole_day_added_is_judged_like_a_check_in(org):
    ani = org["ani"]
    corrections.add_times(org["admin"], ani.id, FRIDAY, check_in=time(8, 5), check_out=time(16, 30),
                          reason="Mesin absen rusak")
    daily = day_of(ani)
    assert (daily.status, daily.late_minutes, daily.worked_minutes, daily.schedule_id) == (
        "present", 0, 8 * 60 + 25, org["normal"].id)                   # 08:05 is within the grace
    assert [e.kind for e in events_of(ani)] == ["check_in", "check_out"]
    claim = db.session.scalar(db.select(OvertimeClaim))                 # 30 minutes after 16:00: the threshold
    assert (claim.minutes, claim.status, claim.approved_minutes) == (30, "approved", 30)  # within the auto limit
    corrections.add_times(org["admin"], org["budi"].id, FRIDAY, check_in=time(8, 6), check_out=time(15, 0),
                          reason="Mesin absen rusak")
    budi = day_of(org["budi"])
    assert (budi.status, budi.late_minutes, budi.early_leave_minutes) == ("late", 6, 60)
    (row,) = [r for r in build_report([db.session.get(User, ani.id)], FRIDAY, FRIDAY).rows]
    assert row.days[0].code == "present"


def test_an_added_check_out_after_midnight_closes_a_night_shift(org):
    night = create_schedule({"name": "Malam", "check_in_start": "19:30", "check_in_end": "22:00",
                             "late_after": "20:00", "check_out_start": "04:00", "check_out_end": "06:00",
                             "working_weekdays": "1-7"})
    ani = org["ani"]
    assignments.assign_schedule(night, user=ani, starts_on=FRIDAY)
    corrections.add_times(org["admin"], ani.id, FRIDAY, check_in=time(20, 10), check_out=time(4, 0), reason="Lupa")
    daily = day_of(ani)
    assert (daily.time_in, daily.time_out, daily.late_minutes, daily.worked_minutes) == (
        at("2026-01-30T20:10"), at("2026-01-31T04:00"), 10, 7 * 60 + 50)


def test_marking_absent_keeps_the_events_and_the_report_counts_alpa(org):
    ani, admin = org["ani"], org["admin"]
    check(ani, "check_in", "2026-01-30T07:50")
    check(ani, "check_out", "2026-01-30T16:05")
    corrections.mark_absent(admin, ani.id, FRIDAY, reason="Titip absen")
    daily = day_of(ani)
    assert (daily.status, daily.time_in, daily.time_out, daily.check_in_event_id, daily.worked_minutes) == (
        "absent", None, None, None, None)
    assert len(events_of(ani)) == 2                                     # append-only: both still there
    assert build_report([db.session.get(User, ani.id)], FRIDAY, FRIDAY).rows[0].days[0].code == "absent"
    (entry,) = audit()
    assert entry.action == "correction.absent" and entry.before["status"] == "present"
    with pytest.raises(RuleViolation):
        corrections.mark_absent(admin, ani.id, FRIDAY, reason="Lagi")
    # a day with nothing recorded is marked too; then the right check-in can still be added
    corrections.mark_absent(admin, org["budi"].id, FRIDAY, reason="Tidak hadir")
    assert day_of(org["budi"]).status == "absent"
    corrections.add_times(admin, org["budi"].id, FRIDAY, check_in=time(7, 55), reason="Ternyata hadir")
    assert day_of(org["budi"]).status == "present"


def test_marking_sick_leave_is_an_approved_leave_request_the_report_counts(org):
    ani, admin = org["ani"], org["admin"]
    corrections.mark_absent(admin, ani.id, FRIDAY, reason="Tidak ada kabar")
    result = corrections.mark_leave(admin, ani.id, FRIDAY, "sakit", reason="Surat dokter menyusul",
                                    note="Demam berdarah, surat dr. Rina")
    leave = db.session.get(LeaveRequest, result.leave.id)
    assert (leave.leave_type, leave.status, leave.start_date, leave.end_date, leave.reviewed_by_id, leave.reason,
            leave.review_comment) == ("sakit", "approved", FRIDAY, FRIDAY, admin.id, "Demam berdarah, surat dr. Rina",
                                      "Surat dokter menyusul")
    assert day_of(ani) is None                                          # the absence mark gave way
    assert build_report([db.session.get(User, ani.id)], FRIDAY, FRIDAY).rows[0].days[0].code == "sakit"
    assert [e.action for e in audit()] == ["correction.absent", "correction.leave"]
    with pytest.raises(Conflict):
        corrections.mark_leave(admin, ani.id, FRIDAY, "izin", reason="Dua kali")
    check(org["budi"], "check_in", "2026-01-30T07:50")
    with pytest.raises(RuleViolation):                                  # checked in: correct the times instead
        corrections.mark_leave(admin, org["budi"].id, FRIDAY, "dinas_luar", reason="Rapat")
    with pytest.raises(ValidationFailed):
        corrections.mark_leave(admin, org["budi"].id, FRIDAY, "cuti", reason="Cuti lewat pengajuan")


@pytest.mark.parametrize("kwargs, field", [
    ({"check_in": time(8, 0), "reason": "  "}, "reason"),
    ({"reason": "Lupa"}, "check_in"),
    ({"check_in": time(10, 30), "reason": "Lupa", "work_date": date(2026, 2, 2)}, "check_in"),   # later than now
    ({"check_in": time(8, 0), "reason": "Lupa", "work_date": date(2026, 2, 3)}, "work_date"),   # tomorrow
    ({"check_in": time(8, 0), "reason": "x" * 501}, "reason"),
])
def test_bad_input_changes_nothing(org, kwargs, field):
    kwargs = {"work_date": FRIDAY, **kwargs}
    with pytest.raises(ValidationFailed) as refused:
        corrections.add_times(org["admin"], org["ani"].id, kwargs.pop("work_date"), **kwargs)
    assert field in refused.value.errors
    assert events_of(org["ani"]) == [] and audit() == []


def test_refusals_of_people_and_days(org):
    admin, ani = org["admin"], org["ani"]
    with pytest.raises(NotFound):
        corrections.add_times(admin, 999, FRIDAY, check_in=time(8, 0), reason="Lupa")
    with pytest.raises(RuleViolation):                                  # students: the school's flow
        corrections.add_times(admin, org["sari"].id, FRIDAY, check_in=time(8, 0), reason="Lupa")
    with pytest.raises(attendance.NotCheckedIn):
        corrections.add_times(admin, ani.id, FRIDAY, check_out=time(16, 0), reason="Lupa")
    check(ani, "check_in", "2026-01-30T07:50")
    with pytest.raises(attendance.AlreadyCheckedIn):
        corrections.add_times(admin, ani.id, FRIDAY, check_in=time(7, 40), reason="Lupa")
    assert len(events_of(ani)) == 1 and audit() == []


def test_a_department_on_a_date_is_confirmed_by_its_number(org):
    admin, ani, budi = org["admin"], org["ani"], org["budi"]
    extra = User(name="Citra", role="pegawai", npp="79", password_hash="x", department_id=org["ops"].id)
    db.session.add(extra)
    db.session.flush()
    check(budi, "check_in", "2026-01-30T07:50")
    plan = corrections.plan_bulk_leave(FRIDAY, department_id=org["ops"].id)
    assert [u.name for u in plan.marked] == ["Ani", "Citra"] and [u.name for u in plan.checked_in] == ["Budi"]
    with pytest.raises(Conflict):                                       # the admin saw another number
        corrections.mark_leave_bulk(admin, FRIDAY, "dinas_luar", reason="Kunjungan kerja", expected=3,
                                    department_id=org["ops"].id)
    assert db.session.scalar(db.select(db.func.count(LeaveRequest.id))) == 0
    done = corrections.mark_leave_bulk(admin, FRIDAY, "dinas_luar", reason="Kunjungan kerja", expected=2,
                                       department_id=org["ops"].id)
    assert len(done) == 2
    codes = [r.days[0].code for r in build_report([db.session.get(User, u.id) for u in (ani, budi, extra)],
                                                  FRIDAY, FRIDAY).rows]
    assert codes == ["dinas_luar", "present", "dinas_luar"]
    assert [e.person_id for e in audit()] == [ani.id, extra.id]
    with pytest.raises(ValidationFailed):
        corrections.plan_bulk_leave(FRIDAY)


def test_the_day_view_has_the_events_and_their_history(org):
    ani, admin = org["ani"], org["admin"]
    check(ani, "check_in", "2026-01-30T07:50")
    corrections.add_times(admin, ani.id, FRIDAY, check_out=time(16, 10), reason="Lupa absen pulang")
    corrections.mark_absent(admin, org["budi"].id, FRIDAY, reason="Tidak hadir")
    view = corrections.day_view(ani.id, FRIDAY)
    assert [e.source for e in view.events] == ["face", "manual"]
    assert [e.action for e in view.history] == ["correction.check_out"]
    assert view.plan.schedule.id == org["normal"].id
