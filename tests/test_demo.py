"""``flask demo load``: idempotent demo data that the README's accounts can use."""
from app.accounts.models import User
from app.clinic.models import Patient, Procedure
from app.extensions import db
from app.school.models import ClassEnrollment, StudentQrCard
from app.schedules.models import WorkSchedule


def test_demo_load_twice_creates_everything_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "0 users" in second.output and "0 roster_days" in second.output
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

        assert set(db.session.scalars(db.select(Department.code))) == {"SDM", "OPS", "KLINIK"}
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
