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
    assert (changed[5], changed[6]) == ({"geofence_radius_m": 120}, {"geofence_radius_m": 250})


def test_kiosk_registration_pairing_change_revocation_and_deletion_are_audited(app, as_admin, admin):
    as_admin.submit("/admin/kiosks/new", "/admin/kiosks/new", {"name": "Pintu Utama", "office_id": "", "modes": ["qr"]})
    with app.app_context():
        kiosk_id = db.session.scalar(db.select(Kiosk.id))
    created = _one(app, "kiosk.create")
    assert (created[1], created[4], created[6]["name"], created[6]["modes"]) == (admin.id, kiosk_id, "Pintu Utama", "qr")
    issued = _one(app, "kiosk.pairing_code")
    assert set(issued[6]) == {"pairing_expires_at"}            # the code itself is never kept
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
    assert (second[5], second[6]) == ({"build_number": 22}, {"build_number": 23})


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
                                                                    {"status": "verified"})
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
