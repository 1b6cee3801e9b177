"""``flask demo load``: idempotent demo data that the README's accounts can use, with a month and a
half of attendance history that the dashboard, the recap and the review inbox show."""
import re
from datetime import date, datetime, time, timedelta, timezone

from app.accounts.models import User
from app.clinic.models import Patient, Procedure
from app.extensions import db
from app.school.models import ClassEnrollment, StudentQrCard
from app.schedules.models import WorkSchedule

from tests.helpers import AdminSession, text_of

#: A Thursday morning (10:30 in Jakarta) after the check-in window opened: the history runs from
#: Sunday 1 February 2026 (Chinese New Year on Tuesday 17 February is a holiday) to Wednesday 11 March,
#: plus this morning's check-ins.
TODAY = "2026-03-12T10:30+07:00"


def test_demo_load_twice_creates_everything_once(app, freeze_time):
    freeze_time(TODAY)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert re.search(r"[1-9]\d+ attendance_days", first.output), first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "0 users" in second.output and "0 roster_days" in second.output
    assert "0 attendance_days" in second.output and "0 holidays" in second.output
    assert re.search(r"[1-9]\d+ roll_calls", first.output) and "0 roll_calls" in second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 13
        assert db.session.scalar(db.select(db.func.count(Patient.id))) == 3
        statuses = db.session.scalars(db.select(Procedure.status)).all()
        assert sorted(statuses) == ["approved", "pending", "pending", "pending"]
        assert db.session.scalar(db.select(db.func.count(WorkSchedule.id)).filter_by(is_active=True)) == 1
        assert db.session.scalar(db.select(db.func.count(ClassEnrollment.id))) == 2
        assert db.session.scalar(db.select(db.func.count(StudentQrCard.id)).filter_by(is_active=True)) == 2
        # the schedule engine's demo: departments, the clinic's rotating shifts (nights too), the holidays
        from app.departments.models import Department
        from app.schedules.models import Holiday, RosterEntry

        assert set(db.session.scalars(db.select(Department.code))) == {"SDM", "OPS", "KLINIK", "SEKOLAH"}
        nurse = db.session.scalar(db.select(User).filter_by(npp="30002"))
        assert (nurse.department.code, nurse.position) == ("KLINIK", "Perawat Pelaksana")
        codes = {e.schedule.code if e.schedule else "-"
                 for e in db.session.scalars(db.select(RosterEntry).filter_by(user_id=nurse.id))}
        assert codes == {"P", "S", "M", "-"}
        assert db.session.scalar(db.select(db.func.count(Holiday.id))) >= 15


def test_demo_accounts_sign_in_to_both_apps(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    mobile = client.post("/api/login", json={"npp": "10001", "password": "hadir-demo-2026", "device_id": "demo-phone"})
    assert mobile.status_code == 200 and mobile.json["rcode"] == "00"
    school = client.post("/api/auth/login", json={"nisn_nip_nik": "2001", "password": "hadir-demo-2026"})
    assert school.status_code == 200 and school.json["data"]["user"]["role_id"] == 2
    clinic = client.post("/api/v2/auth/login", json={"email": "dokter@hadir.test", "password": "hadir-demo-2026"})
    assert clinic.status_code == 200 and clinic.json["data"]["user"]["role"] == "dokter"


def _load(app, freeze_time):
    freeze_time(TODAY)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def test_the_history_covers_last_month_to_today_on_working_days_only(app, freeze_time):
    from app.attendance.models import DailyAttendance
    from app.schedules.models import Holiday, RosterEntry

    _load(app, freeze_time)
    with app.app_context():
        days = db.session.scalars(db.select(DailyAttendance)).all()
        staff = {u.id: u for u in db.session.scalars(db.select(User))}
        dates = {d.work_date for d in days}
        assert min(dates) <= date(2026, 2, 3) and date(2026, 3, 11) in dates and max(dates) == date(2026, 3, 12)
        assert {staff[d.user_id].role for d in days} == {"pegawai", "guru", "kepsek", "dokter", "paramedis"}
        holidays = set(db.session.scalars(db.select(Holiday.on_date)))
        assert date(2026, 2, 17) in holidays and not dates & holidays
        clinic = {u.id for u in staff.values() if u.role in ("dokter", "paramedis")}
        office_days = [d for d in days if d.user_id not in clinic]
        assert office_days and all(d.work_date.isoweekday() <= 5 for d in office_days)
        rostered_off = set(db.session.execute(db.select(RosterEntry.user_id, RosterEntry.work_date)
                                              .where(RosterEntry.schedule_id.is_(None))).tuples())
        assert rostered_off and not rostered_off & {(d.user_id, d.work_date) for d in days}
        assert all(d.off_reason is None for d in days)
        # a night shift is checked out the next morning (local time)
        nights = [d for d in days if d.schedule_id and d.user_id in clinic and d.time_out is not None
                  and d.check_in_event.occurred_at.hour == 13]   # 20:xx in Jakarta
        assert nights and all(d.time_out > d.time_in and d.worked_minutes >= 9 * 60 for d in nights)
        # today: only check-ins, none after now
        today = [d for d in days if d.work_date == date(2026, 3, 12)]
        assert today and all(d.time_out is None for d in today)


def test_the_history_has_late_absent_pending_leave_and_overtime(app, freeze_time):
    from app.attendance.models import AttendanceEvent, DailyAttendance, OvertimeClaim
    from app.audit.models import AuditEntry
    from app.leave.models import LeaveRequest

    _load(app, freeze_time)
    with app.app_context():
        statuses = db.session.scalars(db.select(DailyAttendance.status)).all()
        assert statuses.count("present") > 5 * statuses.count("late") > 0
        assert {"absent", "pending_review"} <= set(statuses)
        late = db.session.scalars(db.select(DailyAttendance.late_minutes).filter_by(status="late")).all()
        assert all(5 < minutes <= 40 for minutes in late)
        flags = set(db.session.execute(db.select(AttendanceEvent.flag_reason, AttendanceEvent.review_state)
                                       .where(AttendanceEvent.flag_reason.is_not(None))).tuples())
        assert flags == {("outside_geofence", "approved"), ("outside_geofence", "pending"),
                         ("missed_check_out", "pending")}
        leaves = set(db.session.execute(db.select(LeaveRequest.leave_type, LeaveRequest.status)).tuples())
        assert leaves == {("cuti", "approved"), ("izin", "pending"), ("sakit", "approved")}
        claims = set(db.session.execute(db.select(OvertimeClaim.status, OvertimeClaim.decided_by_id.is_(None)))
                     .tuples())
        assert claims >= {("approved", False), ("pending", True)}
        actions = set(db.session.scalars(db.select(AuditEntry.action)))
        assert {"attendance.approve", "leave.approve", "overtime.approve", "correction.check_in",
                "correction.leave", "correction.absent"} <= actions


def _totals(page):
    """The recap's totals row: people, then scheduled days, present, late, late minutes, ..."""
    row = text_of(page.split('id="recap-totals">')[1].split("</tr>")[0])
    return [int(n) for n in re.findall(r"\d+", row.split(":")[0])]


def test_the_dashboard_and_the_recaps_show_the_history(app, client, freeze_time):
    _load(app, freeze_time)
    browser = AdminSession(client)
    assert browser.login("admin@hadir.test", "hadir-demo-2026").status_code == 302
    dashboard = browser.get("/admin/")
    assert dashboard.status_code == 200
    present = re.search(r'id="tile-staff-present">\s*<span class="stat-label">[^<]*</span>\s*'
                        r'<span class="stat-value">(\d+)</span>', dashboard.get_data(as_text=True))
    assert present and int(present.group(1)) > 0
    for month in ("2026-02", "2026-03"):
        page = browser.get(f"/admin/attendance/recap?month={month}")
        assert page.status_code == 200
        people, scheduled, present, late, _late_minutes, *_rest = _totals(page.get_data(as_text=True))
        # (this month's scheduled days run to its end)
        assert people == 9 and present > (scheduled // 2 if month == "2026-02" else 20) and late > 0, \
            (month, people, scheduled, present, late)
    february = _totals(browser.get("/admin/attendance/recap?month=2026-02").get_data(as_text=True))
    assert february[7] > 0 and february[10] > 0, february   # absent days; annual leave (cuti)
    inbox = text_of(browser.get("/admin/attendance/review").get_data(as_text=True))
    # the far check-in, the missed check-out, the overtime and the leave request waiting
    assert all(name in inbox for name in ("Rudi Hartono", "Andi Pratama", "Budi Santoso", "Siti Rahmawati"))


def test_clock_at_stands_the_clock_for_a_block_then_puts_it_back(freeze_time):
    from app.common import clock

    frozen = freeze_time(TODAY)
    with clock.at(datetime(2026, 2, 3, 9, 5, tzinfo=timezone(timedelta(hours=7)))) as moment:
        assert clock.now() == moment == datetime(2026, 2, 3, 2, 5, tzinfo=timezone.utc)
        assert clock.local_today() == date(2026, 2, 3)
    assert clock.now() == frozen
    freeze_time(None)
    with clock.at(datetime(2026, 2, 3, 2, 5, tzinfo=timezone.utc)):
        pass
    assert clock.now().year >= 2026 and clock.now() != datetime(2026, 2, 3, 2, 5, tzinfo=timezone.utc)
    try:
        with clock.at(datetime(2026, 2, 3, 9, 5)):
            raise AssertionError("a naive moment is refused")
    except ValueError:
        pass


def _local(moment):
    from app.common import clock

    return clock.to_local(moment)


def test_the_students_have_a_month_of_roll_calls_on_school_days(app, client, freeze_time):
    from app.schedules.models import Holiday
    from app.school.models import SchoolClass, StudentAbsence, StudentAttendance

    _load(app, freeze_time)
    now = datetime.fromisoformat(TODAY)
    with app.app_context():
        students = {u.id: u for u in db.session.scalars(db.select(User).filter_by(role="siswa"))}
        takers = set(db.session.scalars(db.select(User.id).where(User.role.in_(("guru", "kepsek")))))
        holidays = set(db.session.scalars(db.select(Holiday.on_date).where(Holiday.office_id.is_(None))))
        presences = db.session.scalars(db.select(StudentAttendance)).all()
        marks = db.session.scalars(db.select(StudentAbsence)).all()
        days = [(p.student_id, p.date, p.occurred_at, p.recorded_by_id) for p in presences] + \
            [(m.student_id, m.date, m.recorded_at, m.recorded_by_id) for m in marks]
        # one presence or mark per student and school day, from the first of last month to today
        school_days = [date(2026, 2, 1) + timedelta(days=n) for n in range(40)]
        school_days = [d for d in school_days if d.isoweekday() <= 5 and d not in holidays]
        assert date(2026, 2, 17) not in school_days and school_days[-1] == date(2026, 3, 12)
        assert sorted((s, d) for s, d, _at, _by in days) == sorted((s, d) for s in students for d in school_days)
        # taken at the first lesson by the teacher or the principal, on its day, never after now
        for _student, day, moment, by in days:
            local = _local(moment)
            assert local.date() == day and time(7, 15) <= local.time() < time(10, 30) and moment <= now, local
            assert by in takers
        # mostly present (the card, sometimes by hand or the whole class); late comers recorded later
        assert len(presences) > 5 * len(marks) > 0
        assert {"qr_card", "manual", "bulk"} == {p.method for p in presences}
        assert {"sick", "permitted", "absent"} == {m.kind for m in marks}
        assert all(m.note for m in marks if m.kind != "absent")
        first_of_day = {}
        for _student, day, moment, _by in days:
            first_of_day[day] = min(first_of_day.get(day, moment), moment)
        assert any(p.occurred_at - first_of_day[p.date] >= timedelta(minutes=15) for p in presences)
        class_id = db.session.scalar(db.select(SchoolClass.id).filter_by(name="X IPA 1"))
    browser = AdminSession(client)
    assert browser.login("admin@hadir.test", "hadir-demo-2026").status_code == 302
    page = browser.get(f"/admin/school/classes/{class_id}/month?month=2026-03").get_data(as_text=True)
    totals = page.split('id="class-month-totals">', 1)[1].split("</tr>", 1)[0]
    counts = {code: int(n) for code, n in re.findall(r'data-code="(\w+)">(\d+)<', totals)}
    assert counts["present"] > 10 and counts["sakit"] >= 2 and counts["absent"] >= 1, counts
    today = text_of(browser.get(f"/admin/school/classes/{class_id}/today").get_data(as_text=True))
    assert "Andi Saputra" in today and "Citra Dewi" in today


def test_decisions_and_corrections_are_dated_a_little_after_what_they_decide(app, freeze_time):
    from app.attendance.models import AttendanceEvent, OvertimeClaim
    from app.audit.models import AuditEntry
    from app.leave.models import LeaveRequest

    _load(app, freeze_time)
    now = datetime.fromisoformat(TODAY)
    with app.app_context():
        event = db.session.scalar(db.select(AttendanceEvent).filter_by(flag_reason="outside_geofence",
                                                                       review_state="approved"))
        assert timedelta(hours=1) <= event.reviewed_at - event.occurred_at <= timedelta(hours=3)
        claim = db.session.scalar(db.select(OvertimeClaim).filter_by(status="approved").where(
            OvertimeClaim.decided_by_id.is_not(None)))
        decided = _local(claim.decided_at)
        assert claim.work_date < decided.date() <= claim.work_date + timedelta(days=3)
        assert decided.isoweekday() <= 5 and time(8, 30) <= decided.time() <= time(10, 31)
        annual = db.session.scalar(db.select(LeaveRequest).filter_by(leave_type="cuti", status="approved"))
        assert annual.created_at < annual.reviewed_at and _local(annual.reviewed_at).date() < annual.start_date
        sick = db.session.scalar(db.select(LeaveRequest).filter_by(leave_type="sakit", status="approved"))
        assert sick.end_date < _local(sick.reviewed_at).date() <= sick.end_date + timedelta(days=3)
        decisions = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action.in_((
            "attendance.approve", "overtime.approve", "leave.approve", "correction.check_in", "correction.leave",
            "correction.absent", "procedure.approve")))).all()
        assert len({e.action for e in decisions}) == 7
        # none at the moment of the load: each in office hours of an earlier day
        for entry in decisions:
            local = _local(entry.at)
            assert local.date() < now.date() and time(7) <= local.time() <= time(17), (entry.action, local)
