"""Contract 000 "Bulk Operations": create, update, import, validate, stats, supported models."""
from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from app.clinic import services as clinic
from app.clinic.models import Patient, Procedure
from app.extensions import db, limiter
from app.notify.models import Notification

from .conftest import BASE, assert_envelope, auth

BULK = f"{BASE}/bulk"


@pytest.fixture
def call(client, app):
    """One bulk request with fresh rate-limit counters (the budget is 2 per minute)."""

    def _call(method, path, token, **kw):
        with app.app_context():
            limiter.reset()
        return getattr(client, method)(f"{BULK}/{path}", headers=auth(token), **kw)

    return _call


@pytest.fixture
def people(staff):
    return {role: staff(role=role, name=name) for role, name in (
        ("admin", "Admin Klinik"), ("petugas", "Petugas Loket"), ("dokter", "Dr. Ahmad"),
        ("paramedis", "Perawat Sari"), ("non_paramedis", "Staf Dapur"))}


@pytest.fixture
def tokens(people, login):
    """Tokens by role, each signed in on first use (a sign-in costs an argon2 check)."""

    class Tokens(dict):
        def __missing__(self, role):
            self[role] = login(people[role])
            return self[role]

    return Tokens()


def patients(app) -> list[Patient]:
    with app.app_context():
        rows = db.session.scalars(db.select(Patient).order_by(Patient.id)).all()
        db.session.expunge_all()
        return rows


def procedures(app) -> list[Procedure]:
    with app.app_context():
        rows = db.session.scalars(db.select(Procedure).order_by(Procedure.id)).all()
        db.session.expunge_all()
        return rows


def notifications(app, user) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(db.select(Notification).filter_by(user_id=user.id)).all()
        db.session.expunge_all()
        return rows


def make_patient(app, name="John Doe", **kw) -> int:
    with app.app_context():
        pid = clinic.create_patient(name, **kw).id
        db.session.commit()
        return pid


def make_procedure(app, patient_id, performer, *, status="pending", fee=100_000, share=30_000, name="Konsultasi"):
    with app.app_context():
        from app.accounts.models import User
        procedure = clinic.record_procedure(db.session.get(Patient, patient_id), db.session.get(User, performer.id),
                                            name=name, fee=fee, service_fee_share=share)
        procedure.status = status
        db.session.commit()
        return procedure.id


def pasien(name="John Doe", **kw) -> dict:
    return {"nama": name, "tanggal_lahir": "1990-05-15", "jenis_kelamin": "L", "alamat": "Jl. Merdeka No. 1", **kw}


# ---------------------------------------------------------------------------
# Create

def test_bulk_create_patients(call, tokens, app):
    response = call("post", "create", tokens["petugas"], json={"model": "pasien", "data": [
        pasien(), pasien("Siti Rahma", jenis_kelamin="P", no_rm="RM-9", no_telepon="0812", email="SITI@x.id")],
        "validate_only": False})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert_envelope(body, success=True)
    stored = patients(app)
    assert [(p.name, p.sex, p.birth_date) for p in stored] == [
        ("John Doe", "male", date(1990, 5, 15)), ("Siti Rahma", "female", date(1990, 5, 15))]
    assert (stored[1].record_number, stored[1].phone, stored[1].email) == ("RM-9", "0812", "siti@x.id")
    data = body["data"]
    assert data["success_count"] == 2 and data["error_count"] == 0 and data["total"] == 2
    assert data["results"] == [{"index": 0, "id": stored[0].id, "status": "created"},
                               {"index": 1, "id": stored[1].id, "status": "created"}]


def test_validate_only_writes_nothing(call, tokens, app):
    response = call("post", "create", tokens["admin"],
                    json={"model": "pasien", "data": [pasien(), pasien("B")], "validate_only": True})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["validate_only"] is True and data["success_count"] == 2 and data["error_count"] == 0
    assert [r["id"] for r in data["results"]] == [None, None]
    assert patients(app) == []


def test_invalid_batch_writes_nothing_and_names_every_bad_row(call, tokens, app):
    make_patient(app, "Lama", record_number="RM-1")
    rows = [
        pasien(),                                                     # 0 valid
        pasien("", tanggal_lahir="15-05-1990"),                       # 1 two fields
        pasien("C", jenis_kelamin="X", email="not-an-email"),         # 2 two fields
        pasien("D", no_rm="RM-1"),                                    # 3 taken
        pasien("E", no_rm="RM-2"), pasien("F", no_rm="RM-2"),         # 4, 5 repeated
        "not an object",                                              # 6
        pasien("G", tanggal_lahir=(date.today() + timedelta(days=3)).isoformat()),  # 7 future
    ]
    response = call("post", "create", tokens["admin"], json={"model": "pasien", "data": rows})
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert body["message"] == "The given data was invalid."
    assert body["errors"] == {
        "data.1.nama": ["The nama field is required."],
        "data.1.tanggal_lahir": ["The tanggal lahir does not match the format Y-m-d."],
        "data.2.jenis_kelamin": ["The selected jenis kelamin is invalid."],
        "data.2.email": ["The email must be a valid email address."],
        "data.3.no_rm": ["The no rm has already been taken."],
        "data.4.no_rm": ["The no rm appears more than once in the batch."],
        "data.5.no_rm": ["The no rm appears more than once in the batch."],
        "data.6": ["The row must be an object."],
        "data.6.nama": ["The nama field is required."],
        "data.7.tanggal_lahir": ["The tanggal lahir must be a date before or equal to today."],
    }
    assert [p.name for p in patients(app)] == ["Lama"]


def test_batch_larger_than_max_batch_size(call, tokens, app):
    response = call("post", "create", tokens["admin"],
                    json={"model": "pasien", "data": [pasien(f"P{i}") for i in range(1001)]})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"data": ["The data must not have more than 1000 items."]}
    rows = [{"pasien_id": 1, "nama_tindakan": "x", "tarif": 1, "jaspel": 0}] * 501
    response = call("post", "create", tokens["dokter"], json={"model": "tindakan", "data": rows})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"data": ["The data must not have more than 500 items."]}
    assert patients(app) == [] and procedures(app) == []


@pytest.mark.parametrize("body, errors", [
    ({"model": "obat", "data": [{}]}, {"model": ["The selected model is invalid."]}),
    ({"data": [{}]}, {"model": ["The model field is required."]}),
    ({"model": "pasien"}, {"data": ["The data field is required."]}),
    ({"model": "pasien", "data": {"nama": "x"}}, {"data": ["The data must be an array."]}),
])
def test_create_refuses_bad_bodies(call, tokens, body, errors):
    response = call("post", "create", tokens["admin"], json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == errors


def test_create_procedures_by_a_paramedic_are_their_own(call, tokens, people, app):
    pid = make_patient(app)
    response = call("post", "create", tokens["paramedis"], json={"model": "tindakan", "data": [
        {"pasien_id": pid, "nama_tindakan": "Perawatan luka", "tarif": 200000, "jaspel": "60000",
         "tanggal_tindakan": "2026-01-05 09:30:00", "catatan": "=cmd"}]})
    assert response.status_code == 201, response.get_json()
    [stored] = procedures(app)
    assert (stored.performer_id, stored.created_by_id, stored.status) == (people["paramedis"].id,) * 2 + ("pending",)
    assert (stored.fee, stored.service_fee_share, stored.notes) == (200_000, 60_000, "=cmd")
    assert stored.performed_at == datetime(2026, 1, 5, 2, 30, tzinfo=timezone.utc)  # Asia/Jakarta 09:30


def test_a_paramedic_may_not_record_someone_elses_procedure(call, tokens, people, app):
    pid = make_patient(app)
    rows = [{"pasien_id": pid, "nama_tindakan": "Injeksi", "tarif": 1, "jaspel": 1},
            {"pasien_id": pid, "pelaksana_id": people["dokter"].id, "nama_tindakan": "Injeksi", "tarif": 1, "jaspel": 1}]
    response = call("post", "create", tokens["paramedis"], json={"model": "tindakan", "data": rows})
    assert response.status_code == 403
    body = response.get_json()
    assert_envelope(body, success=False)
    assert body["message"] == "This action is unauthorized."
    assert body["errors"] == {"data.1.pelaksana_id": ["You may only record procedures you performed."]}
    assert procedures(app) == []


def test_front_office_names_the_performer_and_every_bad_row_is_listed(call, tokens, people, app):
    pid = make_patient(app)
    rows = [
        {"pasien_id": pid, "pelaksana_id": people["dokter"].id, "nama_tindakan": "Konsultasi", "tarif": 150000,
         "jaspel": 50000},
        {"pasien_id": 999, "nama_tindakan": "", "tarif": -1, "jaspel": "abc"},
        {"pasien_id": pid, "pelaksana_id": people["non_paramedis"].id, "nama_tindakan": "X", "tarif": 10,
         "jaspel": 20, "tanggal_tindakan": "kemarin"},
    ]
    response = call("post", "create", tokens["petugas"], json={"model": "tindakan", "data": rows})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "data.1.jaspel": ["The jaspel must be an integer (rupiah)."],
        "data.1.pelaksana_id": ["The pelaksana id field is required."],
        "data.1.pasien_id": ["The selected pasien id is invalid."],
        "data.1.nama_tindakan": ["The nama tindakan field is required."],
        "data.1.tarif": ["The tarif must be between 0 and 1000000000000."],
        "data.2.tanggal_tindakan": ["The tanggal tindakan is not a valid date."],
        "data.2.pelaksana_id": ["The performer must be a doctor or a paramedic."],
        "data.2.jaspel": ["The jaspel must not be greater than the tarif."],
    }
    assert procedures(app) == []
    del rows[1:]
    response = call("post", "create", tokens["petugas"], json={"model": "tindakan", "data": rows})
    assert response.status_code == 201
    [stored] = procedures(app)
    assert (stored.performer_id, stored.created_by_id) == (people["dokter"].id, people["petugas"].id)


# ---------------------------------------------------------------------------
# Roles

@pytest.mark.parametrize("role, method, path, body", [
    ("dokter", "post", "create", {"model": "pasien", "data": [{"nama": "x"}]}),
    ("non_paramedis", "post", "create", {"model": "tindakan", "data": [{}]}),
    ("paramedis", "put", "update", {"model": "pasien", "updates": [{"id": 1, "data": {"alamat": "x"}}]}),
    ("petugas", "post", "validate", {"model": "tindakan", "ids": [1], "action": "approve"}),
    ("dokter", "post", "validate", {"model": "tindakan", "ids": [1], "action": "approve"}),
    ("dokter", "get", "stats?model=tindakan", None),
    ("non_paramedis", "get", "stats?model=pasien", None),
])
def test_roles_are_refused_with_the_contract_403(call, tokens, role, method, path, body):
    response = call(method, path, tokens[role], **({"json": body} if body is not None else {}))
    assert response.status_code == 403
    payload = response.get_json()
    assert_envelope(payload, success=False)
    assert payload["errors"] == {"role": ["Insufficient permissions for this resource"]}


def test_import_is_for_front_office(call, tokens):
    response = call("post", "import", tokens["paramedis"],
                    data={"model": "pasien", "file": (io.BytesIO(b"nama\nA\n"), "p.csv")})
    assert response.status_code == 403
    assert response.get_json()["errors"] == {"role": ["Insufficient permissions for this resource"]}


def test_bulk_needs_a_token(client):
    response = client.get(f"{BULK}/supported-models")
    assert response.status_code == 401
    assert response.get_json()["errors"] == {"token": ["Token expired or invalid"]}


# ---------------------------------------------------------------------------
# Update

def test_bulk_update_patients(call, tokens, app):
    first, second = make_patient(app, "A", record_number="RM-1"), make_patient(app, "B")
    response = call("put", "update", tokens["petugas"], json={"model": "pasien", "updates": [
        {"id": first, "data": {"alamat": "Alamat Baru"}},
        {"id": second, "data": {"jenis_kelamin": "P", "no_rm": "RM-2"}}]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["results"] == [{"index": 0, "id": first, "status": "updated"},
                                                       {"index": 1, "id": second, "status": "updated"}]
    a, b = patients(app)
    assert (a.name, a.address, a.record_number) == ("A", "Alamat Baru", "RM-1")
    assert (b.sex, b.record_number) == ("female", "RM-2")


def test_invalid_update_changes_nothing(call, tokens, app):
    first, second = make_patient(app, "A", record_number="RM-1"), make_patient(app, "B")
    response = call("put", "update", tokens["admin"], json={"model": "pasien", "updates": [
        {"id": first, "data": {"alamat": "Baru"}},
        {"id": second, "data": {"no_rm": "RM-1", "nama": ""}},
        {"id": 999, "data": {"alamat": "x"}},
        {"id": first, "data": {"foo": "bar"}},
        {"data": {"alamat": "x"}}]})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "updates.0.id": ["The id appears more than once in the batch."],
        "updates.1.data.nama": ["The nama field is required."],
        "updates.2.id": ["The selected id is invalid."],
        "updates.3.data": ["The data must name at least one field to change."],
        "updates.3.id": ["The id appears more than once in the batch."],
        "updates.4.id": ["The id field is required."],
    }
    assert [(p.name, p.address, p.record_number) for p in patients(app)] == [("A", None, "RM-1"), ("B", None, None)]


def test_a_paramedic_updates_only_their_own_pending_procedures(call, tokens, people, app):
    pid = make_patient(app)
    own = make_procedure(app, pid, people["paramedis"])
    others = make_procedure(app, pid, people["dokter"])
    response = call("put", "update", tokens["paramedis"], json={"model": "tindakan", "updates": [
        {"id": own, "data": {"tarif": 120000}}, {"id": others, "data": {"tarif": 1}}]})
    assert response.status_code == 403
    body = response.get_json()
    assert_envelope(body, success=False)
    assert body["errors"] == {"updates.1.id": ["You may only change procedures you performed."]}
    assert [p.fee for p in procedures(app)] == [100_000, 100_000]

    response = call("put", "update", tokens["paramedis"], json={"model": "tindakan", "updates": [
        {"id": own, "data": {"tarif": 120000, "jaspel": 40000, "catatan": "ok"}}]})
    assert response.status_code == 200, response.get_json()
    mine = procedures(app)[0]
    assert (mine.fee, mine.service_fee_share, mine.notes) == (120_000, 40_000, "ok")


def test_validated_procedures_are_not_updated(call, tokens, people, app):
    pid = make_patient(app)
    done = make_procedure(app, pid, people["dokter"], status="approved")
    pending = make_procedure(app, pid, people["dokter"])
    response = call("put", "update", tokens["admin"], json={"model": "tindakan", "updates": [
        {"id": pending, "data": {"jaspel": 500000}}, {"id": done, "data": {"tarif": 1}},
        {"id": pending + 100, "data": {"pelaksana_id": 3}}]})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "updates.0.data.jaspel": ["The jaspel must not be greater than the tarif."],
        "updates.1.id": [f"Procedure {done} has already been validated."],
        "updates.2.data.pelaksana_id": ["The pelaksana id cannot be changed."],
        "updates.2.id": ["The selected id is invalid."],
    }
    assert [(p.fee, p.service_fee_share) for p in procedures(app)] == [(100_000, 30_000)] * 2


# ---------------------------------------------------------------------------
# Validate

def test_bulk_validate_approves_all_and_notifies_performers(call, tokens, people, app):
    pid = make_patient(app)
    ids = [make_procedure(app, pid, people["dokter"]), make_procedure(app, pid, people["paramedis"])]
    response = call("post", "validate", tokens["admin"], json={
        "model": "tindakan", "ids": ids, "action": "approve", "comment": "Batch validation comment"})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["success_count"] == 2 and data["error_count"] == 0
    assert [r["status"] for r in data["results"]] == ["approved", "approved"]
    stored = procedures(app)
    assert {(p.status, p.validated_by_id, p.validation_note) for p in stored} == {
        ("approved", people["admin"].id, "Batch validation comment")}
    for who, procedure_id in zip(("dokter", "paramedis"), ids):
        [note] = notifications(app, people[who])
        assert note.type == "tindakan_approved" and note.data["tindakan_id"] == procedure_id


def test_bulk_validate_is_all_or_nothing(call, tokens, people, app):
    pid = make_patient(app)
    pending = make_procedure(app, pid, people["dokter"])
    done = make_procedure(app, pid, people["paramedis"], status="rejected")
    response = call("post", "validate", tokens["admin"], json={
        "model": "tindakan", "ids": [pending, done, 999, pending], "action": "reject"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "ids.0": ["The id appears more than once in the batch."],
        "ids.1": [f"Procedure {done} has already been validated."],
        "ids.2": ["The selected id is invalid."],
        "ids.3": ["The id appears more than once in the batch."],
    }
    assert [p.status for p in procedures(app)] == ["pending", "rejected"]
    assert notifications(app, people["dokter"]) == []


def test_bulk_validate_refuses_bad_bodies(call, tokens):
    response = call("post", "validate", tokens["admin"], json={"model": "pasien", "ids": [1], "action": "approve"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"model": ["The model pasien does not support validate."]}
    response = call("post", "validate", tokens["admin"], json={"model": "tindakan", "ids": ["x"], "action": "maybe"})
    assert response.get_json()["errors"] == {"action": ["The selected action is invalid."],
                                             "ids.0": ["The ids.0 must be a positive integer."]}


# ---------------------------------------------------------------------------
# Import

def upload(call, token, content: bytes, filename="pasien.csv", **form):
    data = {"model": "pasien", "file": (io.BytesIO(content), filename), **form}
    return call("post", "import", token, data=data, content_type="multipart/form-data")


def test_import_by_header_names_with_bom_and_semicolons(call, tokens, app):
    content = "\ufeffNama;Tanggal Lahir;Jenis Kelamin;Alamat\nBudi;1980-01-02;L;=HYPERLINK(\"x\")\n\nAni;;p;@SUM(A1)\n"
    response = upload(call, tokens["petugas"], content.encode())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert_envelope(body, success=True)
    assert body["data"]["success_count"] == 2 and body["data"]["error_count"] == 0
    stored = patients(app)
    assert [(p.name, p.birth_date, p.sex, p.address) for p in stored] == [
        ("Budi", date(1980, 1, 2), "male", '=HYPERLINK("x")'), ("Ani", None, "female", "@SUM(A1)")]
    assert body["data"]["ids"] == [p.id for p in stored]


def test_import_with_column_mapping(call, tokens, app):
    content = b"full name,mail,phone\n+62 Budi,budi@x.id,-0812\nAni,ani@x.id,\n"
    response = upload(call, tokens["admin"], content,
                      mapping=json.dumps({"nama": "column_1", "email": "column_2", "no_telepon": "Phone"}),
                      validate_before_import="true")
    assert response.status_code == 200, response.get_json()
    assert [(p.name, p.email, p.phone) for p in patients(app)] == [
        ("+62 Budi", "budi@x.id", "-0812"), ("Ani", "ani@x.id", None)]


def test_import_mapping_as_form_fields(call, tokens, app):
    response = upload(call, tokens["admin"], b"a,b\nBudi,x\n", **{"mapping[nama]": "column_1"})
    assert response.status_code == 200, response.get_json()
    assert [p.name for p in patients(app)] == ["Budi"]


def test_invalid_import_writes_nothing_and_names_rows(call, tokens, app):
    content = b"nama,tanggal_lahir,jenis_kelamin\nBudi,1980-01-02,L\n,1980-13-01,L\nAni,,X\n"
    response = upload(call, tokens["admin"], content)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "data.1.tanggal_lahir": ["The tanggal lahir is not a valid date."],
        "data.1.nama": ["The nama field is required."],
        "data.2.jenis_kelamin": ["The selected jenis kelamin is invalid."],
    }
    assert patients(app) == []


def test_import_without_validation_first_imports_the_good_rows(call, tokens, app):
    content = b"nama,jenis_kelamin\nBudi,L\nAni,X\n"
    response = upload(call, tokens["admin"], content, validate_before_import="false")
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["success_count"], data["error_count"]) == (1, 1)
    assert data["errors"] == {"data.1.jenis_kelamin": ["The selected jenis kelamin is invalid."]}
    assert [p.name for p in patients(app)] == ["Budi"]
    assert data["ids"] == [patients(app)[0].id, None]


@pytest.mark.parametrize("content, filename, form, errors", [
    (b"nama\nA\n", "data.xlsx", {}, {"file": ["The file must be a file of type: csv."]}),
    (b"\xff\xfenama\n", "p.csv", {}, {"file": ["The file must be UTF-8 text (in Excel: save as \"CSV UTF-8\")."]}),
    (b"", "p.csv", {}, {"file": ["The file is empty."]}),
    (b"nama\n", "p.csv", {}, {"file": ["The file has a header but no rows."]}),
    (b"nama\x00\nA\n", "p.csv", {}, {"file": ["The file must be a CSV text file."]}),
    (b"a,b\nA,B\n", "p.csv", {"mapping": json.dumps({"nama": "column_3", "email": "mail", "umur": "column_1"})},
     {"mapping.nama": ["The column column_3 is not in the file (it has 2 columns: a, b)."],
      "mapping.email": ["The column mail is not in the file (it has 2 columns: a, b)."],
      "mapping.umur": ["The field umur is not a field of this model."]}),
    (b"a,b\nA,B\n", "p.csv", {}, {"mapping": [
        "No column of the file names a field; name the columns in the header "
        "(nama, no_rm, tanggal_lahir, jenis_kelamin, alamat, no_telepon, email) or send a mapping."]}),
    (b"nama\n" + b"A\n" * 1001, "p.csv", {}, {"file": ["The file must not have more than 1000 items."]}),
])
def test_import_file_errors(call, tokens, app, content, filename, form, errors):
    response = upload(call, tokens["admin"], content, filename=filename, **form)
    assert response.status_code == 422
    body = response.get_json()
    assert_envelope(body, success=False)
    assert body["errors"] == errors
    assert patients(app) == []


def test_import_needs_a_file_and_a_supported_model(call, tokens):
    response = call("post", "import", tokens["admin"], data={"model": "pasien"}, content_type="multipart/form-data")
    assert response.get_json()["errors"] == {"file": ["The file field is required."]}
    response = upload(call, tokens["admin"], b"nama\nA\n", model="tindakan")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"model": ["The model tindakan does not support import."]}


def test_import_too_large_file(call, tokens):
    response = upload(call, tokens["admin"], b"nama\n" + b"A" * (1000 * 1024))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": ["The file must not be greater than 1000 kilobytes."]}
    response = upload(call, tokens["admin"], b"nama\n" + b"A" * (1024 * 1024))
    assert response.status_code == 413
    assert response.get_json()["message"] == "The payload is too large."


# ---------------------------------------------------------------------------
# Stats and supported models

def test_bulk_stats(call, tokens, people, app):
    pid = make_patient(app)
    make_patient(app, "B")
    make_procedure(app, pid, people["dokter"], fee=100_000, share=30_000)
    make_procedure(app, pid, people["dokter"], status="approved", fee=50_000, share=10_000)
    make_procedure(app, pid, people["paramedis"], status="rejected", fee=70_000, share=7_000)
    with app.app_context():
        old = db.session.get(Patient, pid)
        old.created_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
        db.session.commit()
    body = call("get", "stats?model=pasien&period=month", tokens["petugas"]).get_json()
    assert_envelope(body, success=True)
    data = body["data"]
    assert (data["model"], data["period"], data["total"], data["created"]) == ("pasien", "month", 2, 1)
    assert data["start_date"].endswith("-01")
    data = call("get", "stats?model=tindakan&period=year", tokens["admin"]).get_json()["data"]
    assert data["created"] == 3 and data["by_status"] == {"pending": 1, "approved": 1, "rejected": 1}
    assert (data["total_tarif"], data["total_jaspel"]) == (150_000, 40_000)
    response = call("get", "stats?model=pasien&period=decade", tokens["admin"])
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"period": ["The selected period is invalid."]}


def test_supported_models_lists_what_is_served(call, tokens):
    body = call("get", "supported-models", tokens["non_paramedis"]).get_json()
    assert_envelope(body, success=True)
    assert body["data"] == [
        {"model": "pasien", "display_name": "Pasien", "supports": ["create", "update", "import"],
         "max_batch_size": 1000},
        {"model": "tindakan", "display_name": "Tindakan", "supports": ["create", "update", "validate"],
         "max_batch_size": 500},
    ]


def test_bulk_rate_limit_is_2_per_minute(client, tokens, app):
    headers = auth(tokens["admin"])
    for remaining in ("1", "0"):
        response = client.get(f"{BULK}/supported-models", headers=headers)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "2"
        assert response.headers["X-RateLimit-Remaining"] == remaining
        assert response.headers["X-RateLimit-Reset"]
    blocked = client.post(f"{BULK}/create", headers=headers, json={"model": "pasien", "data": [pasien()]})
    assert blocked.status_code == 429
    body = blocked.get_json()
    assert_envelope(body, success=False)
    assert body["message"] == "Too many requests. Please try again later."
    assert body["errors"] == {"rate_limit": ["Exceeded 2 requests per minute limit"]}
    assert 0 < body["retry_after"] <= 60 and blocked.headers["Retry-After"]
    assert patients(app) == []
    # the general budget of the same caller is untouched
    assert client.get(f"{BASE}/auth/me", headers=headers).status_code == 200
