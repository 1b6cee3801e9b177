"""Changes to the organisation's set-up by staff (departments, offices, kiosks, posts, app
versions) and by command-line runs reach the audit trail with who, before → after."""
from __future__ import annotations

import re

from app.extensions import db
from app.kiosk.models import Kiosk
from app.posts.models import Post

from tests.helpers import audit_trail, text_of

AUDIT = "/admin/audit"


def _one(app, action):
    entries = audit_trail(app, action=action)
    assert len(entries) == 1, entries
    return entries[0]


def test_departments_created_changed_and_deleted_are_audited(app, as_admin, admin):
    as_admin.submit("/admin/departments/new", "/admin/departments/new", {"code": "SDM", "name": "SDM", "parent_id": "0"})
    _action, actor, _person, subject_type, dept_id, before, after, _reason = _one(app, "department.create")
    assert (actor, subject_type, before, after) == (admin.id, "department", None,
                                                     {"code": "SDM", "name": "SDM", "parent": None})
    url = f"/admin/departments/{dept_id}/edit"
    as_admin.submit(url, url, {"code": "HR", "name": "Sumber Daya Manusia", "parent_id": "0"})
    changed = _one(app, "department.update")
    assert (changed[5], changed[6]) == ({"code": "SDM", "name": "SDM"}, {"code": "HR", "name": "Sumber Daya Manusia"})
    as_admin.submit("/admin/departments/", f"/admin/departments/{dept_id}/delete")
    deleted = _one(app, "department.delete")
    assert (deleted[1], deleted[4], deleted[5]["code"], deleted[6]) == (admin.id, dept_id, "HR", None)
    text = text_of(as_admin.get(AUDIT + "?action=department").get_data(as_text=True))
    assert "Unit kerja dibuat" in text and "Unit kerja diubah" in text and "Unit kerja dihapus" in text
    assert "SDM → HR" in text


def test_a_refused_department_change_leaves_no_entry(app, as_admin):
    from app.departments.models import Department

    with app.app_context():
        db.session.add(Department(code="IGD", name="IGD"))
        other = Department(code="SDM", name="SDM")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    url = f"/admin/departments/{other_id}/edit"
    as_admin.submit(url, url, {"code": "IGD", "name": "SDM", "parent_id": "0"})
    assert audit_trail(app, action="department.update") == []


def test_offices_created_and_changed_are_audited(app, as_admin, admin):
    form = {"code": "0003", "name": "Cabang Surabaya", "address": "", "latitude": "-7.2575",
            "longitude": "112.7521", "geofence_radius_m": "120", "is_active": "y"}
    as_admin.submit("/admin/offices/new", "/admin/offices/new", form)
    created = _one(app, "office.create")
    assert created[1] == admin.id and created[6]["code"] == "0003" and created[6]["geofence_radius_m"] == 120
    url = f"/admin/offices/{created[4]}/edit"
    as_admin.submit(url, url, {**form, "geofence_radius_m": "250"})
    changed = _one(app, "office.update")
    assert (changed[5], changed[6]) == ({"geofence_radius_m": 120}, {"name": "Cabang Surabaya", "geofence_radius_m": 250})


def test_kiosk_registration_pairing_change_revocation_and_deletion_are_audited(app, as_admin, admin):
    as_admin.submit("/admin/kiosks/new", "/admin/kiosks/new", {"name": "Pintu Utama", "office_id": "", "modes": ["qr"]})
    with app.app_context():
        kiosk_id = db.session.scalar(db.select(Kiosk.id))
    created = _one(app, "kiosk.create")
    assert (created[1], created[4], created[6]["name"], created[6]["modes"]) == (admin.id, kiosk_id, "Pintu Utama", "qr")
    issued = _one(app, "kiosk.pairing_code")
    assert set(issued[6]) == {"name", "pairing_expires_at"}    # the code itself is never kept
    url = f"/admin/kiosks/{kiosk_id}/edit"
    as_admin.submit(url, url, {"name": "Lobi", "office_id": "", "modes": ["qr", "cards"]})
    changed = _one(app, "kiosk.update")
    assert (changed[5], changed[6]) == ({"name": "Pintu Utama", "modes": "qr"}, {"name": "Lobi", "modes": "qr,cards"})
    as_admin.submit("/admin/kiosks/", f"/admin/kiosks/{kiosk_id}/revoke")
    assert _one(app, "kiosk.revoke")[1] == admin.id
    as_admin.submit("/admin/kiosks/", f"/admin/kiosks/{kiosk_id}/delete")
    deleted = _one(app, "kiosk.delete")
    assert (deleted[5]["name"], deleted[6]) == ("Lobi", None)


def test_posts_created_changed_and_published_are_audited(app, as_admin, admin):
    form = {"title": "Libur Nasional", "category": "announcement", "excerpt": "", "content": "<p>Tutup.</p>",
            "status": "draft", "published_at": ""}
    as_admin.submit("/admin/posts/new", "/admin/posts/new", form)
    with app.app_context():
        post_id = db.session.scalar(db.select(Post.id))
    created = _one(app, "post.create")
    assert (created[1], created[4], created[6]["title"], created[6]["status"]) == (admin.id, post_id, "Libur Nasional",
                                                                                   "draft")
    url = f"/admin/posts/{post_id}/edit"
    as_admin.submit(url, url, {**form, "title": "Libur Natal"})
    changed = _one(app, "post.update")
    assert (changed[5]["title"], changed[6]["title"]) == ("Libur Nasional", "Libur Natal")
    assert "status" not in changed[6]                           # only what changed
    as_admin.submit("/admin/posts/", f"/admin/posts/{post_id}/publish")
    published = _one(app, "post.publish")
    assert (published[5]["status"], published[6]["status"]) == ("draft", "published")


def test_app_versions_saved_are_audited(app, as_admin, admin):
    data = {"version_code": "2.2.0", "build_number": "22", "min_version_code": "2.0.0", "min_build_number": "15",
            "store_url": "", "update_message": "", "changelog": "", "maintenance_message": ""}
    as_admin.submit("/admin/app-versions/", "/admin/app-versions/android",
                    {f"android-{k}": v for k, v in data.items()}, htmx=True)
    as_admin.submit("/admin/app-versions/", "/admin/app-versions/android",
                    {f"android-{k}": v for k, v in {**data, "build_number": "23"}.items()}, htmx=True)
    first, second = audit_trail(app, action="app_version.update")
    assert first[1] == admin.id and first[5] is None and first[6]["build_number"] == 22
    assert (second[5], second[6]) == ({"build_number": 22}, {"platform": "android", "build_number": 23})


def test_command_line_changes_name_the_command(app, as_admin):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["office", "create", "--code", "0009", "--name", "Gudang", "--lat", "-6.2",
                                 "--lon", "106.8", "--radius", "80"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["department", "create", "--code", "GDG", "--name", "Gudang"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["kiosk", "create", "--name", "Gerbang", "--office", "0009"])
    assert result.exit_code == 0, result.output
    from app.audit.models import AuditEntry

    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.actor_label)
                                  .order_by(AuditEntry.id)).all()
    assert [tuple(r) for r in rows] == [
        ("office.create", None, "flask office create"), ("department.create", None, "flask department create"),
        ("kiosk.create", None, "flask kiosk create"), ("kiosk.pairing_code", None, "flask kiosk create")]
    body = as_admin.get(AUDIT + "?action=office").get_data(as_text=True)
    assert re.search(r"Sistem\s*<span class=\"muted\">\(flask office create\)</span>", body)


def test_er_escort_reviews_and_deletions_are_audited(app, as_admin, admin):
    from app.escorts import services as escorts
    from tests.admin.test_escorts_admin import _jpeg

    with app.app_context():
        escort = escorts.create_escort(category="individual", name="Pak Joko", gender="male", phone="081234567890",
                                       plate_number="B1234XY", patient_name="Bu Sri", photo=_jpeg(), ip="10.0.0.7")
        db.session.commit()
        escort_id = escort.id
    as_admin.submit("/admin/escorts/", f"/admin/escorts/{escort_id}/status", {"status": "verified"})
    reviewed = _one(app, "escort.status")
    assert (reviewed[1], reviewed[4], reviewed[5], reviewed[6]) == (admin.id, escort_id, {"status": "pending"},
                                                                    {"name": "Pak Joko", "status": "verified"})
    text = text_of(as_admin.get(AUDIT + "?action=escort").get_data(as_text=True))
    assert "Pengantar IGD diperiksa" in text and "Menunggu → Terverifikasi" in text
    as_admin.submit(f"/admin/escorts/{escort_id}", f"/admin/escorts/{escort_id}/delete")
    deleted = _one(app, "escort.delete")
    assert (deleted[1], deleted[5]["name"], deleted[5]["status"], deleted[6]) == (admin.id, "Pak Joko", "verified", None)


def test_people_added_on_the_web_page_and_by_the_command_line_are_audited(app, as_admin, admin):
    url = "/admin/users/new"
    as_admin.submit(url, url, {"name": "Citra", "email": "citra@hadir.test", "npp": "10077", "nisn_nip_nik": "",
                               "role": "paramedis", "office_id": "0", "department_id": "0", "position": "Bidan",
                               "is_active": "y", "password": "rahasia-panjang"})
    added = _one(app, "user.create")
    assert (added[1], added[2], added[5]) == (admin.id, added[4], None)
    assert (added[6]["name"], added[6]["role"], added[6]["position"]) == ("Citra", "paramedis", "Bidan")
    result = app.test_cli_runner().invoke(args=["user", "create", "--name", "Dodi", "--password", "rahasia-panjang",
                                                "--role", "pegawai", "--npp", "10078"])
    assert result.exit_code == 0, result.output
    from app.audit.models import AuditEntry

    with app.app_context():
        labels = db.session.scalars(db.select(AuditEntry.actor_label).filter_by(action="user.create")
                                    .order_by(AuditEntry.id)).all()
    assert labels == [None, "flask user create"]


def test_a_person_deleted_through_the_school_api_is_audited(app, client, admin, factory):
    from tests.api.school.tokens import bearer

    person = factory.user(role="petugas", name="Petugas Keluar", npp="20001")
    assert client.delete(f"/api/users/{person.id}", headers=bearer(app, admin)).status_code == 200
    deleted = _one(app, "user.delete")
    assert (deleted[1], deleted[2], deleted[5], deleted[6]) == (admin.id, person.id, {"deleted": False},
                                                                {"deleted": True})


# --- the clinic: patients and procedures ---------------------------------------------------------

def _clinic_bearer(app, user) -> dict:
    """A clinic-dialect (contract 000) bearer header of ``user``, without signing in."""
    from app.accounts.api_tokens import issue_token
    from app.accounts.models import User

    with app.app_context():
        token, _row = issue_token(db.session.get(User, user.id), "clinic")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _no_bulk_limit(app):
    from app.extensions import limiter

    with app.app_context():
        limiter.reset()


def test_patients_registered_changed_and_imported_by_staff_are_audited(app, client, as_admin, admin, monkeypatch,
                                                                       tmp_path):
    headers = _clinic_bearer(app, admin)
    _no_bulk_limit(app)
    response = client.post("/api/v2/bulk/create", headers=headers, json={"model": "pasien", "data": [
        {"nama": "Siti Aminah", "no_rm": "RM-001", "tanggal_lahir": "1990-05-15", "jenis_kelamin": "P"}]})
    assert response.status_code == 201, response.get_json()
    patient_id = response.get_json()["data"]["results"][0]["id"]
    created = _one(app, "patient.create")
    assert created[1:7] == (admin.id, None, "patient", patient_id, None,
                            {"name": "Siti Aminah", "record_number": "RM-001", "birth_date": "1990-05-15",
                             "sex": "female"})
    _no_bulk_limit(app)
    response = client.put("/api/v2/bulk/update", headers=headers, json={"model": "pasien", "updates": [
        {"id": patient_id, "data": {"no_telepon": "0812000111", "nama": "Siti Aminah"}}]})
    assert response.status_code == 200, response.get_json()
    changed = _one(app, "patient.update")
    assert (changed[1], changed[4], changed[5], changed[6]) == (admin.id, patient_id, {"phone": None},
                                                                {"name": "Siti Aminah", "phone": "0812000111"})
    # the admin page's CSV import: one entry a patient, by the admin
    from tests.admin.test_patient_import import HEADER, _confirm, _upload

    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    preview = _upload(as_admin, HEADER + "Budi Santoso,RM-002,1985-01-02,L,,,\nTanpa Nomor,,,,,,\n")
    assert _confirm(as_admin, preview.get_data(as_text=True)).status_code == 303
    imported = audit_trail(app, action="patient.create")[1:]
    assert [(e[1], e[6]["name"], e[6]["record_number"]) for e in imported] == [
        (admin.id, "Budi Santoso", "RM-002"), (admin.id, "Tanpa Nomor", None)]
    text = text_of(as_admin.get(AUDIT + "?action=patient").get_data(as_text=True))
    assert "Pasien didaftarkan" in text and "Data pasien diubah" in text and "Perempuan" in text
    assert "Ponsel" in text and "0812000111" in text


def test_a_refused_patient_batch_writes_no_entry(app, client, admin):
    _no_bulk_limit(app)
    response = client.post("/api/v2/bulk/create", headers=_clinic_bearer(app, admin), json={"model": "pasien", "data": [
        {"nama": "Boleh"}, {"nama": ""}]})
    assert response.status_code == 422
    assert audit_trail(app) == []


def test_procedures_recorded_and_changed_by_staff_are_audited(app, client, admin, factory):
    from app.clinic import services as clinic

    doctor = factory.user(role="dokter", name="dr. Rina", npp="20001")
    with app.app_context():
        patient_id = clinic.create_patient("Budi").id
        db.session.commit()
    headers = _clinic_bearer(app, admin)
    _no_bulk_limit(app)
    response = client.post("/api/v2/bulk/create", headers=headers, json={"model": "tindakan", "data": [
        {"pasien_id": patient_id, "pelaksana_id": doctor.id, "nama_tindakan": "Jahit luka", "tarif": 300000,
         "jaspel": 100000}]})
    assert response.status_code == 201, response.get_json()
    procedure_id = response.get_json()["data"]["results"][0]["id"]
    created = _one(app, "procedure.create")
    assert (created[1], created[2], created[4], created[5]) == (admin.id, doctor.id, procedure_id, None)
    assert (created[6]["name"], created[6]["patient"], created[6]["fee"], created[6]["service_fee_share"]) == (
        "Jahit luka", "Budi", 300000, 100000)
    _no_bulk_limit(app)
    response = client.put("/api/v2/bulk/update", headers=headers, json={"model": "tindakan", "updates": [
        {"id": procedure_id, "data": {"jaspel": 120000}}]})
    assert response.status_code == 200, response.get_json()
    changed = _one(app, "procedure.update")
    assert (changed[2], changed[5], changed[6]) == (doctor.id, {"service_fee_share": 100000},
                                                    {"name": "Jahit luka", "patient": "Budi", "service_fee_share": 120000})


# --- the school: classes, enrolments, cards ---------------------------------------------------------

def _english(session):
    session.submit("/admin/", "/admin/language", {"lang": "en"})
    return session


def test_classes_created_changed_and_deleted_are_audited(app, client, as_admin, admin, factory):
    from app.school.models import SchoolClass
    from tests.api.school.tokens import bearer

    sari = factory.user(role="guru", name="Bu Sari", nisn_nip_nik="1980")
    eko = factory.user(role="guru", name="Pak Eko", nisn_nip_nik="1981")
    url = "/admin/school/classes/new"
    as_admin.submit(url, url, {"name": "X IPA 1", "homeroom_teacher_id": sari.id})
    with app.app_context():
        class_id = db.session.scalar(db.select(SchoolClass.id))
    created = _one(app, "school_class.create")
    assert created[1:7] == (admin.id, None, "school_class", class_id, None,
                            {"name": "X IPA 1", "homeroom_teacher": "Bu Sari"})
    url = f"/admin/school/classes/{class_id}/edit"
    as_admin.submit(url, url, {"name": "X IPA 1", "homeroom_teacher_id": eko.id})
    changed = _one(app, "school_class.update")                  # a teacher assignment
    assert (changed[5], changed[6]) == ({"homeroom_teacher": "Bu Sari"}, {"name": "X IPA 1", "homeroom_teacher": "Pak Eko"})
    url = f"/admin/school/classes/{class_id}/delete"
    as_admin.submit(url, url)
    deleted = _one(app, "school_class.delete")
    assert (deleted[5], deleted[6]) == ({"name": "X IPA 1", "homeroom_teacher": "Pak Eko", "enrolments": 0}, None)
    # the school app's API (contract 002) is audited the same way
    response = client.post("/api/classes", headers=bearer(app, admin), json={"name": "XI IPS 2"})
    assert response.status_code == 201, response.get_json()
    assert [e[6]["name"] for e in audit_trail(app, action="school_class.create")] == ["X IPA 1", "XI IPS 2"]
    text = text_of(as_admin.get(AUDIT + "?action=school_class").get_data(as_text=True))
    assert "Kelas dibuat" in text and "Kelas diubah" in text and "Kelas dihapus" in text
    assert "Wali kelas" in text and "Bu Sari → Pak Eko" in text


def test_enrolments_added_moved_and_removed_are_audited(app, client, as_admin, admin, factory, freeze_time):
    from app.school.models import SchoolClass
    from tests.api.school.tokens import bearer

    freeze_time("2026-08-03T09:00+07:00")                       # academic year 2026/2027
    ani = factory.user(role="siswa", name="Ani", nisn_nip_nik="0051")
    with app.app_context():
        here, there = SchoolClass(name="X IPA 1"), SchoolClass(name="X IPA 2")
        db.session.add_all([here, there])
        db.session.commit()
        here_id, there_id = here.id, there.id
    page = f"/admin/school/classes/{here_id}"
    as_admin.submit(page, f"{page}/enrol", {"student_id": ani.id, "academic_year": 2026})
    added = _one(app, "enrolment.add")
    assert (added[1], added[2], added[5], added[6]) == (admin.id, ani.id, None,
                                                        {"class": "X IPA 1", "academic_year": 2026})
    as_admin.submit(page, f"{page}/move", {"student_id": ani.id, "academic_year": 2026, "target_class_id": there_id})
    moved = _one(app, "enrolment.move")
    assert (moved[2], moved[5], moved[6]) == (ani.id, {"class": "X IPA 1"}, {"class": "X IPA 2"})
    other = f"/admin/school/classes/{there_id}"
    as_admin.submit(other, f"{other}/remove", {"student_id": ani.id, "academic_year": 2026})
    removed = _one(app, "enrolment.remove")
    assert (removed[2], removed[5], removed[6]) == (ani.id, {"class": "X IPA 2", "academic_year": 2026}, None)
    # re-enrolling someone already there changes nothing and writes nothing
    headers = bearer(app, admin)
    for _ in range(2):
        response = client.post(f"/api/classes/{here_id}/assign-students", headers=headers,
                               json={"student_ids": [ani.id], "academic_year": 2026})
        assert response.status_code in (200, 201), response.get_json()
    assert len(audit_trail(app, action="enrolment.add")) == 2
    text = text_of(_english(as_admin).get(AUDIT + "?action=enrolment").get_data(as_text=True))
    assert "Student moved to another class" in text and "X IPA 1 → X IPA 2" in text
    assert "Student removed from a class" in text and "2026/2027" in text


def test_student_cards_issued_reissued_and_switched_are_audited(app, client, as_admin, admin, factory):
    from app.school.models import StudentQrCard
    from tests.api.school.tokens import bearer

    ani = factory.user(role="siswa", name="Ani", nisn_nip_nik="0051")
    cards = "/admin/school/cards"
    as_admin.submit(cards, f"{cards}/students/{ani.id}/generate")
    response = client.post("/api/student-qr-cards/generate", headers=bearer(app, admin), json={"student_id": ani.id})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        first, second = db.session.execute(db.select(StudentQrCard.id, StudentQrCard.qr_code)
                                           .order_by(StudentQrCard.id)).all()
    issued = audit_trail(app, action="qr_card.issue")
    assert [(e[1], e[2], e[4]) for e in issued] == [(admin.id, ani.id, first.id), (admin.id, ani.id, second.id)]
    assert issued[0][6] == {"card": "…" + first.qr_code[-4:], "is_active": True, "replaced": None}
    assert issued[1][6]["replaced"] == "…" + first.qr_code[-4:]     # a reprint: the old card stops working
    assert all(first.qr_code not in str(e) and second.qr_code not in str(e) for e in issued)
    as_admin.submit(cards, f"{cards}/{second.id}/deactivate")
    off = _one(app, "qr_card.deactivate")
    assert (off[1], off[2], off[5]["is_active"], off[6]["is_active"]) == (admin.id, ani.id, True, False)
    as_admin.submit(cards, f"{cards}/{first.id}/activate")
    assert _one(app, "qr_card.activate")[4] == first.id
    text = text_of(as_admin.get(AUDIT + "?action=qr_card").get_data(as_text=True))
    assert "Kartu QR siswa diterbitkan" in text and "Kartu QR siswa dinonaktifkan" in text


# --- people: passwords and sessions, restoring, the CSV import --------------------------------------

def test_a_password_reset_by_staff_is_audited_with_the_sessions_it_ended(app, client, as_admin, admin, factory):
    from app.accounts.api_tokens import issue_token
    from app.accounts.models import User

    clerk = factory.user(role="non_paramedis", name="Staf Dapur", email="dapur@hadir.test", npp="30001")
    with app.app_context():
        for _ in range(2):
            issue_token(db.session.get(User, clerk.id), "clinic")
        db.session.commit()
    response = client.post(f"/api/v2/admin/nonparamedis/{clerk.id}/reset-password", headers=_clinic_bearer(app, admin),
                           json={"new_password": "rahasia-baru-2026"})
    assert response.status_code == 200, response.get_json()
    reset = _one(app, "user.password_reset")
    assert reset[1:7] == (admin.id, clerk.id, "user", clerk.id, None, {"sessions_ended": 2})
    assert "rahasia" not in str(audit_trail(app))
    url = f"/admin/users/{clerk.id}/edit"
    page = as_admin.get(url).get_data(as_text=True)
    assert "Staf Dapur" in page
    as_admin.submit(url, url, {"name": "Staf Dapur", "email": "dapur@hadir.test", "npp": "30001", "nisn_nip_nik": "",
                               "role": "non_paramedis", "office_id": "0", "department_id": "0", "position": "",
                               "is_active": "y", "password": "sandi-lain-2026", "annual_leave_days": ""})
    assert [e[6] for e in audit_trail(app, action="user.password_reset")] == [{"sessions_ended": 2},
                                                                             {"sessions_ended": 0}]
    text = text_of(as_admin.get(AUDIT + "?action=user").get_data(as_text=True))
    assert "Kata sandi direset oleh staf" in text and "Sesi diakhiri" in text


def test_people_restored_or_switched_off_by_staff_are_audited(app, client, as_admin, admin, factory):
    from app.accounts import services as accounts
    from app.accounts.models import User

    gone = factory.user(role="pegawai", name="Pegawai Lama", npp="10009")
    with app.app_context():
        accounts.delete_user(db.session.get(User, gone.id))
        db.session.commit()
    as_admin.submit("/admin/users?deleted=1", f"/admin/users/{gone.id}/restore")
    restored = _one(app, "user.restore")
    assert restored[1:7] == (admin.id, gone.id, "user", gone.id, {"deleted": True}, {"deleted": False})
    clerk = factory.user(role="non_paramedis", name="Staf Dapur", email="dapur@hadir.test", npp="30001")
    response = client.patch(f"/api/v2/admin/nonparamedis/{clerk.id}/toggle-status", headers=_clinic_bearer(app, admin))
    assert response.status_code == 200, response.get_json()
    switched = _one(app, "user.update")
    assert (switched[1], switched[2], switched[5], switched[6]) == (admin.id, clerk.id, {"is_active": True},
                                                                    {"is_active": False})


def test_people_imported_from_a_csv_file_are_audited_with_their_class(app, as_admin, admin, monkeypatch, tmp_path,
                                                                        freeze_time):
    from app.school.models import SchoolClass
    from tests.admin.test_users_csv import _confirm, _upload

    freeze_time("2026-08-03T09:00+07:00")
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    with app.app_context():
        db.session.add(SchoolClass(name="X IPA 1"))
        db.session.commit()
    content = ("name,role,nisn_nip_nik,class,password\n"
               "Siti Rahma,siswa,0051234567,X IPA 1,rahasia-siti-123\n"
               "Bu Ani,guru,198001012005,,rahasia-ani-1234\n").encode()
    preview = _upload(as_admin, content).get_data(as_text=True)
    assert _confirm(as_admin, preview).status_code == 200
    created = audit_trail(app, action="user.create")
    assert [(e[1], e[6]["name"], e[6]["role"], e[6].get("class")) for e in created] == [
        (admin.id, "Siti Rahma", "siswa", "X IPA 1"), (admin.id, "Bu Ani", "guru", None)]
    assert all(e[2] == e[4] for e in created)


# --- the demo loader ---------------------------------------------------------------------------------

def test_everything_the_demo_loader_writes_names_the_command(app):
    from app.audit.models import AuditEntry

    with app.app_context():
        db.session.execute(db.delete(AuditEntry))                # only the loader's entries below
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.actor_label)).all()
    by_action = {}
    for action, actor_id, label in rows:
        by_action.setdefault(action, set()).add((actor_id, label))
    for action in ("post.create", "user.create", "patient.create", "school_class.create", "enrolment.add",
                   "qr_card.issue", "office.create", "kiosk.create"):
        assert by_action.get(action) == {(None, "flask demo load")}, (action, by_action.get(action))
    assert {(None, "flask demo load")} == by_action["user.update"]   # departments and positions
    assert len([r for r in rows if r.action == "post.create"]) == 3
    again = app.test_cli_runner().invoke(args=["demo", "load"])  # idempotent: nothing new, nothing recorded
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == len(rows)


# --- face photos added or deleted by staff ---------------------------------------------------------------

def test_face_photos_added_and_deleted_by_staff_are_audited(app, as_admin, admin, factory, uploads,
                                                          memoised_face_pipeline):
    from app.faces.models import FaceSample
    from tests.admin.test_face_enrolment import OBAMA, OBAMA2, _post_photos

    person = factory.user(name="Barack Obama", email="obama@hadir.test", npp="77001")
    _post_photos(as_admin, person.id, [("obama.jpg", OBAMA.read_bytes())])
    result = app.test_cli_runner().invoke(args=["face", "enroll", "--user", "77001", str(OBAMA2)])
    assert result.exit_code == 0, result.output
    added = audit_trail(app, action="face_sample.add")
    assert [(e[1], e[2], e[5], e[6]) for e in added] == [(admin.id, person.id, {"samples": 0}, {"samples": 1}),
                                                         (None, person.id, {"samples": 1}, {"samples": 2})]
    with app.app_context():
        first = db.session.scalar(db.select(FaceSample.id).order_by(FaceSample.id))
    page = f"/admin/faces/people/{person.id}"
    as_admin.submit(page, f"{page}/samples/{first}/delete")
    deleted = _one(app, "face_sample.delete")
    assert (deleted[1], deleted[2], deleted[4], deleted[5], deleted[6]) == (admin.id, person.id, first, {"samples": 2},
                                                                            {"samples": 1})
    text = text_of(as_admin.get(AUDIT + "?action=face_sample").get_data(as_text=True))
    assert "Foto wajah ditambahkan oleh staf" in text and "Foto wajah dihapus oleh staf" in text
    assert "(flask face enroll)" in text


def test_attendance_time_settings_changed_through_the_mobile_api_are_audited(app, client, admin, factory):
    from tests.api.mobile.conftest import login

    schedule = factory.schedule(name="Normal")
    response = login(client, admin.npp, "device-admin-1")
    assert response.status_code == 200, response.json
    headers = {"Authorization": f"Bearer {response.json['access_token']}"}
    response = client.put(f"/api/jam-absensi/{schedule.id}", headers=headers, json={"start_jam_masuk": "07:30:00"})
    assert response.status_code == 200, response.get_json()
    changed = _one(app, "schedule.update")
    assert changed[1] == admin.id and changed[6] == {"name": "Normal", "check_in_start": "07:30"}


def test_shift_patterns_created_changed_and_deleted_are_audited(app, as_admin, admin):
    from datetime import time

    from app.schedules.models import ShiftPattern, WorkSchedule

    with app.app_context():
        for name, code in (("Shift Pagi", "P"), ("Shift Malam", "M")):
            db.session.add(WorkSchedule(name=name, code=code, check_in_start=time(7), check_out_start=time(15),
                                        is_active=False, working_days_mask=127))
        db.session.commit()
    patterns = "/admin/rosters/patterns"
    as_admin.submit(patterns, patterns, {"name": "Rotasi IGD", "steps": "P, P, M, L"})
    with app.app_context():
        pattern_id = db.session.scalar(db.select(ShiftPattern.id))
    created = _one(app, "shift_pattern.create")
    assert created[1:7] == (admin.id, None, "shift_pattern", pattern_id, None,
                            {"name": "Rotasi IGD", "pattern": "P, P, M, L"})
    url = f"{patterns}/{pattern_id}/edit"
    as_admin.submit(url, url, {"name": "Rotasi IGD", "steps": "M M L"})
    changed = _one(app, "shift_pattern.update")
    assert (changed[5], changed[6]) == ({"pattern": "P, P, M, L"}, {"name": "Rotasi IGD", "pattern": "M, M, L"})
    as_admin.submit(patterns, f"{patterns}/{pattern_id}/delete")
    assert _one(app, "shift_pattern.delete")[5] == {"name": "Rotasi IGD", "pattern": "M, M, L"}
    text = text_of(as_admin.get(AUDIT + "?action=shift_pattern").get_data(as_text=True))
    assert "Pola shift dibuat" in text and "P, P, M, L → M, M, L" in text
    result = app.test_cli_runner().invoke(args=["roster", "pattern", "--name", "Malam", "--steps", "M,-"])
    assert result.exit_code == 0, result.output
    from app.audit.models import AuditEntry

    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).filter_by(action="shift_pattern.create")
                                   .order_by(AuditEntry.id.desc())).first()
        assert (entry.actor_id, entry.actor_label, entry.after) == (None, "flask roster pattern",
                                                                    {"name": "Malam", "pattern": "M, L"})


# --- leave withdrawn by staff, ER escorts changed by staff -------------------------------------------

def test_a_waiting_leave_deleted_by_an_administrator_is_audited_but_not_ones_own(app, client, admin, factory):
    from datetime import date

    from app.leave.models import LeaveRequest
    from tests.api.school.tokens import bearer

    ani = factory.user(role="siswa", name="Ani", nisn_nip_nik="0051")
    with app.app_context():
        rows = [LeaveRequest(user_id=ani.id, leave_type="sakit", start_date=date(2026, 8, 3), end_date=date(2026, 8, 4),
                             reason="Demam", status="pending") for _ in range(2)]
        db.session.add_all(rows)
        db.session.commit()
        first, second = rows[0].id, rows[1].id
    assert client.delete(f"/api/leaves/{first}", headers=bearer(app, admin)).status_code == 200
    deleted = _one(app, "leave.delete")
    assert deleted[1:7] == (admin.id, ani.id, "leave_request", first,
                            {"leave_type": "sakit", "start_date": "2026-08-03", "end_date": "2026-08-04",
                             "status": "pending"}, None)
    assert client.delete(f"/api/leaves/{second}", headers=bearer(app, ani)).status_code == 200   # her own
    assert len(audit_trail(app, action="leave.delete")) == 1


def test_an_er_escort_changed_by_staff_is_audited(app, client, factory, uploads):
    from tests.api.igd.conftest import bearer as igd_bearer, escort_body

    nurse = factory.user(role="paramedis", name="Perawat Sari", email="sari@igd.test", npp=None)
    headers = igd_bearer(app, nurse)
    created = client.post("/igd/api/escort", headers=headers, json=escort_body())
    assert created.status_code in (200, 201), created.json
    escort_id = created.json["data"]["id"]
    registered = _one(app, "escort.create")
    assert (registered[1], registered[4], registered[5]) == (nurse.id, escort_id, None)
    assert (registered[6]["name"], registered[6]["reference"], registered[6]["status"]) == (
        "John Doe", f"IGD-{escort_id:04d}", "pending")
    response = client.put(f"/igd/api/escort/{escort_id}", headers=headers,
                          json={"nomor_hp": "081234567899", "nama_pengantar": "John Doe"})
    assert response.status_code == 200, response.json
    changed = _one(app, "escort.update")
    assert (changed[1], changed[4], changed[5], changed[6]) == (
        nurse.id, escort_id, {"phone": "081234567890"},
        {"name": "John Doe", "reference": f"IGD-{escort_id:04d}", "phone": "081234567899"})


def test_a_teachers_roll_call_marks_are_audited_with_the_note(app, factory, as_admin):
    from app.common import clock
    from app.school.models import ClassEnrollment, SchoolClass
    from app.school.services import academic_year_of
    from tests.helpers import AdminSession

    teacher = factory.user(role="guru", name="Budi Setiawan", email="guru@hadir.test", npp=None)
    mine = factory._commit(SchoolClass(name="X IPA 1", homeroom_teacher_id=teacher.id))
    andi = factory.user(role="siswa", name="Andi Saputra", nisn_nip_nik="1000")
    with app.app_context():
        year = academic_year_of(clock.local_today())
    factory._commit(ClassEnrollment(class_id=mine.id, student_id=andi.id, academic_year=year))
    session = AdminSession(app.test_client())
    assert session.login("guru@hadir.test").status_code == 302
    page = f"/admin/school/classes/{mine.id}/today"
    session.submit(page, f"{page}/mark", {"student_id": andi.id, "kind": "sick", "note": "Surat dokter"})
    session.submit(page, f"{page}/mark", {"student_id": andi.id, "kind": "permitted", "note": ""})
    session.submit(page, f"{page}/present", {"student_id": andi.id})
    marks = audit_trail(app, action="roll_call.mark")
    assert [(e[1], e[2], e[5], e[6]["absence"], e[7]) for e in marks] == [
        (teacher.id, andi.id, None, "sick", "Surat dokter"), (teacher.id, andi.id, {"absence": "sick"}, "permitted", None),
        (teacher.id, andi.id, {"absence": "permitted"}, "present", None)]
    assert marks[0][6]["class"] == "X IPA 1"
    text = text_of(as_admin.get(AUDIT + "?action=roll_call").get_data(as_text=True))
    assert "Tanda absensi kelas siswa diubah" in text and "Sakit → Izin" in text and "Izin → Hadir" in text
