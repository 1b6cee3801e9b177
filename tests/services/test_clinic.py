"""The clinic domain: patients, procedures, validation with notification, service-fee figures."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.accounts.models import User
from app.clinic import services as clinic
from app.clinic.models import Procedure
from app.common.errors import ValidationFailed
from app.extensions import db
from app.notify.models import Notification


def at(iso: str) -> datetime:
    """An aware instant from ISO text with an offset."""
    return datetime.fromisoformat(iso)


@pytest.fixture
def people(factory, ctx):
    """A paramedic, a doctor, an admin and a non-paramedic, attached to the test's session."""
    made = {role: factory.user(role=role, name=name) for role, name in (
        ("paramedis", "Perawat Sari"), ("dokter", "Dr. Ahmad"), ("admin", "Admin Klinik"),
        ("non_paramedis", "Staf Loket"))}
    return {role: db.session.get(User, user.id) for role, user in made.items()}


@pytest.fixture
def patient(ctx):
    return clinic.create_patient("John Doe", record_number="RM-001", birth_date=date(1990, 5, 15), sex="male",
                                 address="Jl. Merdeka No. 1")


def test_create_patient_cleans_and_stores(patient):
    assert patient.id is not None
    assert (patient.name, patient.record_number, patient.sex) == ("John Doe", "RM-001", "male")
    other = clinic.create_patient("  Jane  ", email="JANE@Example.COM", phone="")
    assert (other.name, other.email, other.phone) == ("Jane", "jane@example.com", None)
    assert clinic.get_patient(patient.id) is patient


def test_create_patient_refuses_every_bad_field(patient):
    with pytest.raises(ValidationFailed) as caught:
        clinic.create_patient("", sex="x", birth_date=date(2999, 1, 1), email="not-an-email")
    assert set(caught.value.errors) == {"name", "sex", "birth_date", "email"}
    with pytest.raises(ValidationFailed) as caught:
        clinic.create_patient("Someone", record_number="RM-001")
    assert caught.value.errors == {"record_number": ["The record number has already been taken."]}


def test_missing_patient_and_procedure(ctx):
    with pytest.raises(clinic.PatientNotFound):
        clinic.get_patient(999)
    with pytest.raises(clinic.ProcedureNotFound):
        clinic.get_procedure(999)


def test_record_procedure_is_pending(people, patient):
    procedure = clinic.record_procedure(patient, people["paramedis"], name="Perawatan luka", fee=200_000,
                                        service_fee_share=60_000, performed_at=at("2026-01-30T09:00+07:00"))
    assert procedure.status == "pending"
    assert (procedure.fee, procedure.service_fee_share) == (200_000, 60_000)
    assert procedure.created_by_id == people["paramedis"].id
    assert clinic.get_procedure(procedure.id).patient.name == "John Doe"


@pytest.mark.parametrize("performer_role, kwargs, fields", [
    ("non_paramedis", {}, {"performer"}),
    ("admin", {}, {"performer"}),
    ("dokter", {"fee": 100, "service_fee_share": 101}, {"service_fee_share"}),
    ("dokter", {"fee": -1}, {"fee"}),
    ("dokter", {"fee": 1000.5}, {"fee"}),
    ("dokter", {"fee": True}, {"fee"}),
    ("dokter", {"name": "  "}, {"name"}),
    ("dokter", {"performed_at": datetime(2026, 1, 30, 9, 0)}, {"performed_at"}),
    ("dokter", {"performed_at": datetime.now().astimezone() + timedelta(days=1)}, {"performed_at"}),
])
def test_record_procedure_refusals(people, patient, performer_role, kwargs, fields):
    values = {"name": "Konsultasi", "fee": 150_000, "service_fee_share": 50_000, **kwargs}
    with pytest.raises(ValidationFailed) as caught:
        clinic.record_procedure(patient, people[performer_role], **values)
    assert set(caught.value.errors) == fields
    assert db.session.scalar(db.select(db.func.count(Procedure.id))) == 0


def test_approving_notifies_the_performer(people, patient):
    procedure = clinic.record_procedure(patient, people["dokter"], name="Konsultasi", fee=150_000,
                                        service_fee_share=50_000)
    clinic.validate_procedure(procedure, people["admin"], approve=True)
    assert procedure.status == "approved"
    assert procedure.validated_by_id == people["admin"].id and procedure.validated_at is not None
    note = db.session.scalar(db.select(Notification))
    assert (note.user_id, note.type) == (people["dokter"].id, "tindakan_approved")
    assert "Konsultasi" in note.body and "John Doe" in note.body
    assert note.data == {"tindakan_id": procedure.id, "pasien_name": "John Doe"} and note.priority == "medium"


def test_rejecting_notifies_with_the_reason(people, patient):
    procedure = clinic.record_procedure(patient, people["paramedis"], name="Injeksi", fee=80_000,
                                        service_fee_share=20_000)
    clinic.validate_procedure(procedure, people["admin"], approve=False, note="Data pasien tidak lengkap")
    assert (procedure.status, procedure.validation_note) == ("rejected", "Data pasien tidak lengkap")
    note = db.session.scalar(db.select(Notification))
    assert (note.user_id, note.type) == (people["paramedis"].id, "tindakan_rejected")
    assert "Data pasien tidak lengkap" in note.body and "Injeksi" in note.body
    assert note.data == {"tindakan_id": procedure.id, "pasien_name": "John Doe"} and note.priority == "high"


def test_a_procedure_is_validated_once(people, patient):
    procedure = clinic.record_procedure(patient, people["dokter"], name="Konsultasi", fee=1, service_fee_share=1)
    with pytest.raises(ValidationFailed):
        clinic.validate_procedure(procedure, people["admin"], approve=False, note="x" * 1001)
    assert procedure.status == "pending"
    clinic.validate_procedure(procedure, people["admin"], approve=True)
    with pytest.raises(clinic.ProcedureAlreadyValidated):
        clinic.validate_procedure(procedure, people["admin"], approve=False)
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 1


def _procedure(people, patient, role, share, performed, status="pending"):
    procedure = clinic.record_procedure(patient, people[role], name="Konsultasi", fee=share * 2,
                                        service_fee_share=share, performed_at=at(performed))
    if status != "pending":
        clinic.validate_procedure(procedure, people["admin"], approve=status == "approved")
    return procedure


def test_service_fee_totals_sum_approved_and_pending_of_the_period(people, patient):
    _procedure(people, patient, "dokter", 100_000, "2026-01-05T10:00+07:00", "approved")
    _procedure(people, patient, "dokter", 40_000, "2026-01-20T10:00+07:00", "approved")
    _procedure(people, patient, "dokter", 25_000, "2026-01-31T23:30+07:00")  # still January locally
    _procedure(people, patient, "dokter", 70_000, "2026-01-10T10:00+07:00", "rejected")
    _procedure(people, patient, "dokter", 999_000, "2026-02-01T00:10+07:00", "approved")  # Jan 31 in UTC
    _procedure(people, patient, "dokter", 500_000, "2025-12-31T23:00+07:00", "approved")
    _procedure(people, patient, "paramedis", 300_000, "2026-01-15T10:00+07:00", "approved")
    totals = clinic.service_fee_totals(people["dokter"], date(2026, 1, 1), date(2026, 2, 1))
    assert (totals.approved, totals.pending, totals.total) == (140_000, 25_000, 165_000)
    assert clinic.service_fee_totals(people["dokter"], date(2026, 2, 1), date(2026, 3, 1)).total == 999_000
    empty = clinic.service_fee_totals(people["non_paramedis"], date(2026, 1, 1), date(2026, 2, 1))
    assert (empty.approved, empty.pending) == (0, 0)


def test_procedure_summary_counts_by_status_and_distinct_patients(people, patient):
    other = clinic.create_patient("Budi")
    _procedure(people, patient, "dokter", 10, "2026-01-30T08:00+07:00", "approved")
    _procedure(people, patient, "dokter", 10, "2026-01-30T09:00+07:00")
    clinic.record_procedure(other, people["dokter"], name="Konsultasi", fee=10, service_fee_share=5,
                            performed_at=at("2026-01-30T10:00+07:00"))
    rejected = clinic.record_procedure(clinic.create_patient("Citra"), people["dokter"], name="Konsultasi", fee=10,
                                       service_fee_share=5, performed_at=at("2026-01-30T11:00+07:00"))
    clinic.validate_procedure(rejected, people["admin"], approve=False)
    _procedure(people, patient, "dokter", 10, "2026-01-29T09:00+07:00")
    summary = clinic.procedure_summary(people["dokter"], date(2026, 1, 30), date(2026, 1, 31))
    assert summary == clinic.ProcedureSummary(procedures=3, patients=2, approved=1, pending=2, rejected=1)


def test_periods():
    assert clinic.month_range(date(2026, 12, 9)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert clinic.week_range(date(2026, 1, 30)) == (date(2026, 1, 26), date(2026, 2, 2))
    assert clinic.week_range(date(2026, 1, 26)) == (date(2026, 1, 26), date(2026, 2, 2))


# --- batches (app.clinic.bulk) ---------------------------------------------

def test_check_procedure_names_every_refused_field():
    with pytest.raises(ValidationFailed) as caught:
        clinic.check_procedure({"name": " ", "fee": 10, "service_fee_share": 11, "performed_at": datetime(2026, 1, 1)})
    assert set(caught.value.errors) == {"name", "service_fee_share", "performed_at"}
    clean = clinic.check_procedure({"name": " Injeksi ", "fee": 10, "service_fee_share": 10,
                                    "performed_at": at("2026-01-05T09:00+07:00")})
    assert (clean["name"], clean["notes"], clean["fee"]) == ("Injeksi", None, 10)


def test_bulk_patients_are_all_or_nothing(ctx):
    from app.clinic import bulk
    from app.clinic.models import Patient

    with pytest.raises(bulk.BatchInvalid) as caught:
        bulk.create_patients([{"name": "A"}, {"name": ""}, {"name": "C", "sex": "x"}])
    assert caught.value.rows == {1: {"name": ["The name field is required."]},
                                 2: {"sex": ["The selected sex is invalid."]}}
    assert set(caught.value.errors) == {"1.name", "2.sex"}
    assert db.session.scalar(db.select(db.func.count(Patient.id))) == 0
    result = bulk.create_patients([{"name": "A"}, {"name": ""}], all_or_nothing=False)
    assert (result.success_count, result.error_count, result.ids[1]) == (1, 1, None)
    assert db.session.get(Patient, result.ids[0]).name == "A"
    with pytest.raises(bulk.BatchTooLarge) as caught:
        bulk.create_patients([{"name": "A"}] * 1001)
    assert caught.value.limit == 1000


def test_bulk_validation_notifies_each_performer_once(people, patient):
    from app.clinic import bulk

    first = clinic.record_procedure(patient, people["dokter"], name="Konsultasi", fee=10, service_fee_share=5)
    second = clinic.record_procedure(patient, people["paramedis"], name="Injeksi", fee=10, service_fee_share=5)
    with pytest.raises(bulk.BatchInvalid):
        bulk.validate_procedures([first.id, first.id], people["admin"], approve=True)
    assert first.status == "pending"
    bulk.validate_procedures([first.id, second.id], people["admin"], approve=False, note="Salah input")
    assert (first.status, second.status) == ("rejected", "rejected")
    for role in ("dokter", "paramedis"):
        assert db.session.scalar(db.select(db.func.count(Notification.id))
                                 .filter_by(user_id=people[role].id, type="tindakan_rejected")) == 1
