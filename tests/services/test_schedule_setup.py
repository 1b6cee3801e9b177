"""Setting up who works when: departments, schedule rules, holidays, patterns, and the commands."""
from __future__ import annotations

from datetime import date, time

import pytest

from app.accounts.models import User
from app.common.errors import Conflict, ValidationFailed
from app.departments import services as departments
from app.extensions import db
from app.schedules import holidays, rosters
from app.schedules.models import Holiday, RosterEntry, ScheduleAssignment, WorkSchedule
from app.schedules.services import create_schedule, delete_schedule, update_schedule

BASE = {"name": "Pagi", "check_in_start": "06:00", "check_in_end": "08:00", "check_out_start": "14:00",
        "check_out_end": "15:00"}


# --- departments ---------------------------------------------------------------------

def test_departments_form_a_tree_without_loops(ctx):
    hospital = departments.create_department(code="RS", name="Rumah Sakit")
    er = departments.create_department(code="IGD", name="Gawat Darurat", parent=hospital)
    triage = departments.create_department(code="IGD-T", name="Triase", parent=er)
    assert [(r.department.code, r.depth) for r in departments.department_tree()] == [
        ("RS", 0), ("IGD", 1), ("IGD-T", 2)]
    with pytest.raises(ValidationFailed) as refused:
        departments.update_department(hospital, parent=triage)
    assert "parent" in refused.value.errors
    with pytest.raises(Conflict):
        departments.create_department(code="IGD", name="Lagi")
    with pytest.raises(ValidationFailed) as bad:
        departments.create_department(code="bad code!", name="")
    assert set(bad.value.errors) == {"code", "name"}
    assert departments.find_department("igd").code == "IGD"


def test_a_department_in_use_is_not_deleted(ctx):
    er = departments.create_department(code="IGD", name="Gawat Darurat")
    db.session.add(User(name="Sari", role="paramedis", password_hash="x", department_id=er.id))
    db.session.flush()
    with pytest.raises(Conflict):
        departments.delete_department(er)
    empty = departments.create_department(code="GIZI", name="Gizi")
    assert departments.delete_department(empty) == "GIZI"


# --- schedule rules ---------------------------------------------------------------------

def test_new_rules_are_validated_together(ctx):
    with pytest.raises(ValidationFailed) as refused:
        create_schedule({**BASE, "late_policy": "record_late", "grace_minutes": 300, "working_weekdays": [],
                         "color": "blue", "code": "P Q", "overtime_auto_approve_minutes": 241})
    assert set(refused.value.errors) == {"grace_minutes", "working_weekdays", "color", "code",
                                         "overtime_auto_approve_minutes"}
    with pytest.raises(ValidationFailed) as no_cutoff:
        create_schedule({**BASE, "late_policy": "record_late"})
    assert set(no_cutoff.value.errors) == {"late_cutoff"}
    with pytest.raises(ValidationFailed) as early_cutoff:
        create_schedule({**BASE, "late_policy": "record_late", "late_cutoff": "07:30"})
    assert set(early_cutoff.value.errors) == {"late_cutoff"}
    schedule = create_schedule({**BASE, "code": "p", "color": "#1E88E5", "working_weekdays": "1-6",
                                "late_policy": "record_late", "late_cutoff": "10:00", "grace_minutes": 10})
    assert (schedule.code, schedule.color, schedule.working_weekdays) == ("P", "#1e88e5", (1, 2, 3, 4, 5, 6))
    assert (schedule.late_cutoff, schedule.missed_check_out_policy, schedule.overtime_threshold_minutes) == (
        time(10), "close_at_end", None)
    with pytest.raises(Conflict):
        create_schedule({**BASE, "name": "Lain", "code": "P"})


def test_a_refused_update_changes_nothing(ctx):
    schedule = create_schedule({**BASE, "late_policy": "record_late", "late_cutoff": "10:00"})
    with pytest.raises(ValidationFailed):
        update_schedule(schedule, {"late_cutoff": None})
    assert schedule.late_cutoff == time(10)


def test_a_schedule_in_use_is_not_deleted(ctx):
    default = create_schedule({**BASE, "name": "Normal"})
    night = create_schedule({**BASE, "name": "Malam"})
    pattern = rosters.create_pattern("M-L", [night, None])
    with pytest.raises(Conflict) as refused:
        delete_schedule(night)
    assert refused.value.details["pattern_steps"] == 1
    rosters.delete_pattern(pattern)
    assert delete_schedule(night) == "Malam"
    assert default.is_active


# --- holidays ---------------------------------------------------------------------------

def test_importing_a_year_adds_public_holidays_and_cuti_bersama_once(ctx):
    result = holidays.import_year(2026)
    assert (result.added, result.skipped) == (25, 0)
    rows = holidays.holidays_of_year(2026)
    by_date = {h.on_date: h for h in rows}
    assert by_date[date(2026, 3, 19)].name == "Hari Suci Nyepi"
    assert by_date[date(2026, 3, 19)].category == "public"
    assert by_date[date(2026, 3, 20)].category == "government"
    assert "Cuti Bersama" in by_date[date(2026, 3, 20)].name
    assert sum(h.category == "public" for h in rows) == 17
    assert sum(h.category == "government" for h in rows) == 8
    # edited and removed days survive a second import
    holidays.rename_holiday(by_date[date(2026, 1, 1)], "Tahun Baru 2026")
    holidays.remove_holiday(by_date[date(2026, 12, 24)])
    again = holidays.import_year(2026)
    assert (again.added, again.skipped) == (0, 25)
    assert db.session.get(Holiday, by_date[date(2026, 1, 1)].id).name == "Tahun Baru 2026"
    assert date(2026, 12, 24) not in {h.on_date for h in holidays.holidays_of_year(2026)}
    holidays.restore_holiday(by_date[date(2026, 12, 24)])
    assert date(2026, 12, 24) in {h.on_date for h in holidays.holidays_of_year(2026)}
    with pytest.raises(ValidationFailed):
        holidays.import_year(1999)


def test_own_holidays_for_everyone_or_one_office(ctx, factory):
    from app.places.models import Office

    office = Office(code="0002", name="Bandung", latitude=-6.9, longitude=107.6, geofence_radius_m=100)
    db.session.add(office)
    db.session.flush()
    anniversary = holidays.add_holiday(date(2026, 9, 25), "Hari Jadi Kota Bandung", office=office)
    company = holidays.add_holiday(date(2026, 9, 25), "Ulang Tahun Perusahaan")
    assert (anniversary.category, anniversary.office_id, company.office_id) == ("organisation", office.id, None)
    with pytest.raises(Conflict):
        holidays.add_holiday(date(2026, 9, 25), "Lagi")
    holidays.remove_holiday(company)       # the organisation's own day is deleted, not kept
    assert db.session.get(Holiday, company.id) is None


# --- commands -----------------------------------------------------------------------------

def test_the_commands_print_what_they_did(app, factory):
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    factory.office(code="0001")
    assert "created department RS" in run("department", "create", "--code", "RS", "--name", "Rumah Sakit")
    assert "inside RS" in run("department", "create", "--code", "IGD", "--name", "Gawat Darurat", "--parent", "RS")
    assert "Perawat" in run("user", "create", "--name", "Sari", "--password", "password123", "--role", "paramedis",
                            "--npp", "30009", "--department", "IGD", "--position", "Perawat")
    out = run("schedule", "create", "--name", "Malam", "--code", "M", "--check-in", "20:00-22:00",
              "--late-after", "20:30", "--check-out", "04:00-06:00", "--days", "1,2,3,4,5,6,7",
              "--late-policy", "record_late", "--late-cutoff", "23:00")
    assert "created work schedule" in out and "record_late until 23:00" in out and "days 1,2,3,4,5,6,7" in out
    assert "IGD from 2026-02-01 (open-ended)" in run("schedule", "assign", "--schedule", "M", "--department", "IGD",
                                                     "--from", "2026-02-01")
    assert "to user Sari from 2026-02-02 to 2026-02-03" in run(
        "schedule", "assign", "--schedule", "Malam", "--user", "30009", "--from", "2026-02-02", "--to", "2026-02-03")
    assert "office 0001" in run("schedule", "assign", "--schedule", "M", "--office", "0001", "--from", "2026-02-01")
    assert "M,-" in run("roster", "pattern", "--name", "M-L", "--steps", "M,-")
    assert "wrote 28 roster days for 1 people" in run("roster", "apply", "--pattern", "M-L", "--department", "IGD",
                                                      "--from", "2026-02-01", "--to", "2026-02-28")
    assert "added 25 holidays for 2026" in run("holidays", "import", "--year", "2026")
    assert "added 0 holidays for 2026 (25 already" in run("holidays", "import", "--year", "2026")
    with app.app_context():
        sari = db.session.scalar(db.select(User).filter_by(npp="30009"))
        assert (sari.department.code, sari.position) == ("IGD", "Perawat")
        assert db.session.scalar(db.select(db.func.count(ScheduleAssignment.id))) == 3
        assert db.session.scalar(db.select(db.func.count(RosterEntry.id))) == 28
        assert db.session.scalar(db.select(WorkSchedule).filter_by(code="M")).late_policy == "record_late"


@pytest.mark.parametrize("args, field", [
    (["department", "create", "--code", "X", "--name", "Y", "--parent", "NOPE"], "department"),
    (["schedule", "create", "--name", "X", "--check-in", "7-9", "--check-out", "16:00-18:00"], "check_in_start"),
    (["schedule", "assign", "--schedule", "nope", "--office", "0001", "--from", "2026-01-01"], "schedule"),
    (["holidays", "import", "--year", "1900"], "year"),
])
def test_bad_command_arguments_fail_and_change_nothing(app, args, field):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1 and field in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(WorkSchedule.id))) == 0
        assert db.session.scalar(db.select(db.func.count(Holiday.id))) == 0
