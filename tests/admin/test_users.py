"""Users: search, role filter, pagination, create and edit with errors next to the field."""
from __future__ import annotations

import re

from app.accounts.models import DeviceBinding, User
from app.accounts.passwords import verify_password
from app.extensions import db

from tests.helpers import audit_trail, count, fetch, field_error, text_of


def _names(body):
    return re.findall(r'<a href="/admin/users/\d+/edit"><strong>([^<]+)</strong></a>', body)


def _user_form(**values):
    data = {"name": "Sari Dewi", "email": "sari@hadir.test", "npp": "10077", "nisn_nip_nik": "",
            "role": "pegawai", "office_id": "0", "is_active": "y", "password": "rahasia-panjang"}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_search_by_name_email_npp_and_filter_by_role(as_admin, factory):
    factory.user(name="Andi Pratama", email="andi@hadir.test", npp="10001")
    factory.user(name="Budi Santoso", email="budi@kantor.test", npp="10002")
    factory.user(role="guru", name="Citra Guru", npp=None, nisn_nip_nik="197001012000")
    assert _names(as_admin.get("/admin/users?q=pratama").get_data(as_text=True)) == ["Andi Pratama"]
    assert _names(as_admin.get("/admin/users?q=KANTOR.test").get_data(as_text=True)) == ["Budi Santoso"]
    assert _names(as_admin.get("/admin/users?q=10001").get_data(as_text=True)) == ["Andi Pratama"]
    assert _names(as_admin.get("/admin/users?q=19700101").get_data(as_text=True)) == ["Citra Guru"]
    assert _names(as_admin.get("/admin/users?role=guru").get_data(as_text=True)) == ["Citra Guru"]
    assert _names(as_admin.get("/admin/users?role=admin&q=andi").get_data(as_text=True)) == []
    assert "Tidak ada pengguna yang cocok" in text_of(as_admin.get("/admin/users?q=%25").get_data(as_text=True))


def test_search_as_htmx_returns_the_list_fragment(as_admin, factory):
    factory.user(name="Andi Pratama")
    response = as_admin.get("/admin/users?q=andi", htmx=True)
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="user-list"')
    assert _names(body) == ["Andi Pratama"]
    assert "HX-Request" in response.headers["Vary"]


def test_pagination_keeps_the_filters(as_admin, factory):
    for i in range(23):
        factory.user(name=f"Karyawan {i:02d}")
    first = as_admin.get("/admin/users?role=pegawai").get_data(as_text=True)
    assert len(_names(first)) == 20
    assert "Menampilkan 1–20 dari 23" in text_of(first)
    assert 'href="/admin/users?role=pegawai&amp;page=2"' in first
    second = as_admin.get("/admin/users?role=pegawai&page=2").get_data(as_text=True)
    assert _names(second) == ["Karyawan 20", "Karyawan 21", "Karyawan 22"]


def test_list_shows_whether_a_phone_is_bound(app, as_admin, factory):
    bound = factory.user(name="Andi")
    factory.user(name="Budi")
    with app.app_context():
        db.session.add(DeviceBinding(user_id=bound.id, device_id="phone-andi-1"))
        db.session.commit()
    body = as_admin.get("/admin/users").get_data(as_text=True)
    andi_row = body[body.index(">Andi<"):body.index(">Budi<")]
    assert 'title="phone-andi-1"' in andi_row and "Terikat" in andi_row
    assert "phone-andi-1" in as_admin.get(f"/admin/users/{bound.id}/edit").get_data(as_text=True)


def test_create_a_user(app, as_admin, factory):
    office = factory.office()
    response = as_admin.submit("/admin/users/new", "/admin/users/new", _user_form(office_id=str(office.id), role="petugas"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users"
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="sari@hadir.test"))
        assert (user.name, user.npp, user.role, user.office_id, user.is_active) == ("Sari Dewi", "10077", "petugas", office.id, True)
        assert verify_password(user.password_hash, "rahasia-panjang")[0]
    assert "Pengguna “Sari Dewi” telah dibuat." in text_of(as_admin.get("/admin/users").get_data(as_text=True))


def test_create_errors_are_shown_next_to_each_field(app, as_admin, factory):
    factory.user(name="Ada", email="taken@hadir.test", npp="10078")
    body = as_admin.submit("/admin/users/new", "/admin/users/new",
                           _user_form(name="", email="bukan-email", password="pendek")).get_data(as_text=True)
    assert field_error(body, "name") == "Wajib diisi."
    assert field_error(body, "password") == "Kata sandi minimal 8 karakter."  # the policy, with the other fields
    body = as_admin.submit("/admin/users/new", "/admin/users/new",
                           _user_form(email="bukan-email", password="pendek")).get_data(as_text=True)
    assert field_error(body, "password") == "Kata sandi minimal 8 karakter."
    body = as_admin.submit("/admin/users/new", "/admin/users/new",
                           _user_form(email="bukan-email")).get_data(as_text=True)
    assert field_error(body, "email") == "Alamat email tidak valid."
    body = as_admin.submit("/admin/users/new", "/admin/users/new", _user_form(email="TAKEN@hadir.test")).get_data(as_text=True)
    assert field_error(body, "email") == "Email ini sudah dipakai pengguna lain."
    body = as_admin.submit("/admin/users/new", "/admin/users/new", _user_form(npp="10078")).get_data(as_text=True)
    assert field_error(body, "npp") == "NPP ini sudah dipakai pengguna lain."
    body = as_admin.submit("/admin/users/new", "/admin/users/new", _user_form(password="")).get_data(as_text=True)
    assert field_error(body, "password") == "Wajib diisi."
    body = as_admin.submit("/admin/users/new", "/admin/users/new", _user_form(role="raja", npp="1" * 40)).get_data(as_text=True)
    assert field_error(body, "role") == "Pilihan tidak valid."
    assert field_error(body, "npp") == "Maksimal 32 karakter."
    assert count(app, User, User.name == "Sari Dewi") == 0


def test_edit_a_user_keeps_the_password_when_left_empty(app, as_admin, admin, factory):
    person = factory.user(name="Andi", email="andi@hadir.test")
    old_hash = fetch(app, User, person.id).password_hash
    office = factory.office()
    page = as_admin.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    assert 'value="Andi"' in page and 'value="andi@hadir.test"' in page
    url = f"/admin/users/{person.id}/edit"
    response = as_admin.submit(url, url, _user_form(name="Andi P.", email="andi.p@hadir.test", npp=person.npp,
                                                    office_id=str(office.id), is_active=None, password=""))
    assert response.status_code == 303
    saved = fetch(app, User, person.id)
    assert (saved.name, saved.email, saved.office_id, saved.is_active) == ("Andi P.", "andi.p@hadir.test", office.id, False)
    assert saved.password_hash == old_hash
    assert audit_trail(app) == [("user.update", admin.id, person.id, "user", person.id,
                                 {"office": None, "is_active": True}, {"office": office.code, "is_active": False}, None)]


def test_edit_sets_a_new_password(app, as_admin, factory):
    person = factory.user(name="Andi")
    url = f"/admin/users/{person.id}/edit"
    as_admin.submit(url, url, _user_form(name="Andi", email="", npp=person.npp, password="kata-sandi-baru"))
    assert verify_password(fetch(app, User, person.id).password_hash, "kata-sandi-baru")[0]


def test_edit_errors_change_nothing(app, as_admin, factory):
    factory.user(name="Budi", email="budi@hadir.test")
    person = factory.user(name="Andi", email="andi@hadir.test")
    url = f"/admin/users/{person.id}/edit"
    body = as_admin.submit(url, url, _user_form(name="Nama Baru", email="budi@hadir.test", npp=person.npp, password="")
                           ).get_data(as_text=True)
    assert field_error(body, "email") == "Email ini sudah dipakai pengguna lain."
    assert fetch(app, User, person.id).name == "Andi"
    body = as_admin.submit(url, url, _user_form(name="Nama Baru", npp=person.npp, email="", password="123")).get_data(as_text=True)
    assert field_error(body, "password") == "Kata sandi minimal 8 karakter."
    assert fetch(app, User, person.id).name == "Andi"


def test_an_admin_cannot_lock_themselves_out(app, as_admin, admin):
    url = f"/admin/users/{admin.id}/edit"
    body = as_admin.submit(url, url, _user_form(name="Admin HRD", email="admin@hadir.test", npp="90001", role="pegawai",
                                                password="")).get_data(as_text=True)
    assert field_error(body, "role") == "Anda tidak dapat mencabut akses administrator Anda sendiri."
    body = as_admin.submit(url, url, _user_form(name="Admin HRD", email="admin@hadir.test", npp="90001", role="admin",
                                                is_active=None, password="")).get_data(as_text=True)
    assert field_error(body, "is_active") == "Anda tidak dapat mencabut akses administrator Anda sendiri."
    saved = fetch(app, User, admin.id)
    assert (saved.role, saved.is_active) == ("admin", True)


# --- deleted people (soft delete, e.g. by the school app's DELETE /api/users/{id}) ----

def _delete(app, user):
    from app.accounts import services as accounts

    with app.app_context():
        accounts.delete_user(db.session.get(User, user.id))
        db.session.commit()


def test_deleted_people_are_listed_only_on_request(app, as_admin, factory):
    factory.user(name="Andi Masih Ada", email="andi@hadir.test")
    gone = factory.user(name="Budi Sudah Pergi", email="budi@hadir.test", npp="10099")
    _delete(app, gone)
    listed = as_admin.get("/admin/users").get_data(as_text=True)
    assert "Andi Masih Ada" in listed and "Budi Sudah Pergi" not in listed
    assert "Budi Sudah Pergi" not in as_admin.get("/admin/users?q=budi").get_data(as_text=True)
    deleted = as_admin.get("/admin/users?show=deleted").get_data(as_text=True)
    assert "Budi Sudah Pergi" in deleted and "Andi Masih Ada" not in deleted
    assert "Dihapus" in text_of(deleted)
    assert f"/admin/users/{gone.id}/edit" not in deleted  # not editable: restore first
    assert as_admin.get(f"/admin/users/{gone.id}/edit").status_code == 404
    # the search and role filters work inside the deleted list too
    assert "Budi Sudah Pergi" in as_admin.get("/admin/users?show=deleted&q=10099").get_data(as_text=True)
    fragment = as_admin.get("/admin/users?show=deleted", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="user-list"') and "Budi Sudah Pergi" in fragment


def test_restore_in_place_with_htmx(app, as_admin, factory, client):
    gone = factory.user(name="Budi Sudah Pergi", email="budi@hadir.test")
    _delete(app, gone)
    page = "/admin/users?show=deleted"
    response = as_admin.submit(page, f"/admin/users/{gone.id}/restore?show=deleted", htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="user-list"')
    assert "“Budi Sudah Pergi” dipulihkan dan dapat masuk lagi." in text_of(body)
    assert "Tidak ada yang dihapus" in text_of(body)  # the deleted list, now empty
    restored = fetch(app, User, gone.id)
    assert restored.deleted_at is None and restored.is_active is True
    # and they can sign in again
    assert client.post("/face/api/login", json={"email": "budi@hadir.test", "password": "password123"}
                       ).status_code == 200


def test_restore_needs_the_csrf_token_and_an_admin(app, as_admin, as_petugas, factory):
    gone = factory.user(name="Budi Sudah Pergi", email="budi@hadir.test")
    _delete(app, gone)
    assert as_admin.client.post(f"/admin/users/{gone.id}/restore").status_code == 400
    assert as_petugas.client.post(f"/admin/users/{gone.id}/restore").status_code in (400, 403)
    assert fetch(app, User, gone.id).deleted_at is not None
    response = as_admin.submit("/admin/users?show=deleted", f"/admin/users/{gone.id}/restore")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users?show=deleted"
    assert fetch(app, User, gone.id).deleted_at is None


def test_a_deleted_persons_identifier_is_explained_when_reused(app, as_admin, factory):
    gone = factory.user(name="Budi Sudah Pergi", email="budi@hadir.test", npp="10099")
    _delete(app, gone)
    body = as_admin.submit("/admin/users/new", "/admin/users/new", _user_form(npp="10099")).get_data(as_text=True)
    assert field_error(body, "npp") == ("NPP ini milik pengguna yang sudah dihapus: pulihkan dia di "
                                        "Pengguna → Pengguna terhapus.")
    assert count(app, User, User.npp == "10099") == 1


def test_a_persons_own_annual_leave_entitlement_and_balance_on_their_page(app, as_admin, factory):
    factory.schedule()
    person = factory.user(name="Andi")
    url = f"/admin/users/{person.id}/edit"
    page = text_of(as_admin.get(url).get_data(as_text=True))
    assert "Sisa cuti tahunan" in page and "dari 12 hari kerja" in page
    refused = as_admin.submit(url, url, _user_form(name="Andi", email="", npp=person.npp, annual_leave_days="400"))
    assert refused.status_code == 200 and fetch(app, User, person.id).annual_leave_days is None
    assert "Cuti tahunan harus bilangan bulat hari dari 0 sampai 365." in text_of(refused.get_data(as_text=True))
    saved = as_admin.submit(url, url, _user_form(name="Andi", email="", npp=person.npp, annual_leave_days="15"))
    assert saved.status_code == 303 and fetch(app, User, person.id).annual_leave_days == 15
    assert "dari 15 hari kerja" in text_of(as_admin.get(url).get_data(as_text=True))
    as_admin.submit(url, url, _user_form(name="Andi", email="", npp=person.npp, annual_leave_days=""))
    assert fetch(app, User, person.id).annual_leave_days is None      # back to the organisation's
