"""Departments (unit kerja): the tree with people counts, create, edit, delete (refused while anything
holds it, saying how many), and department and position on the person form and in the users list."""
from __future__ import annotations

import re
from datetime import date

import pytest

from app.accounts.models import User
from app.departments.models import Department
from app.extensions import db
from app.schedules.models import ScheduleAssignment

from tests.helpers import count, fetch, field_error, text_of

PAGE = "/admin/departments/"
NEW = "/admin/departments/new"


@pytest.fixture
def tree(app):
    """KLINIK with IGD inside it, and SDM: returns their ids."""
    with app.app_context():
        clinic = Department(code="KLINIK", name="Klinik Pratama")
        hr = Department(code="SDM", name="Umum & SDM")
        db.session.add_all([clinic, hr])
        db.session.flush()
        er = Department(code="IGD", name="Instalasi Gawat Darurat", parent_id=clinic.id)
        db.session.add(er)
        db.session.commit()
        return {"KLINIK": clinic.id, "IGD": er.id, "SDM": hr.id}


def _codes(body):
    return re.findall(r'<td class="mono nowrap">([^<]+)</td>', body)


def test_the_list_is_a_tree_with_parent_people_and_sub_departments(as_admin, factory, tree):
    factory.user(name="Ani", department_id=tree["IGD"])
    factory.user(name="Budi", department_id=tree["IGD"])
    factory.user(name="Tidak aktif", department_id=tree["IGD"], is_active=False)
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert _codes(body) == ["KLINIK", "IGD", "SDM"]          # children under their parent
    row = body[body.index(f'id="department-{tree["IGD"]}"'):]
    row = row[:row.index("</tr>")]
    assert "Klinik Pratama" in row and "tree-depth-1" in row
    assert f'href="/admin/users?department={tree["IGD"]}"' in row and ">2</a>" in row   # active people only
    clinic_row = body[body.index(f'id="department-{tree["KLINIK"]}"'):]
    assert "milik kantor atau bawaan" in text_of(clinic_row[:clinic_row.index("</tr>")])


def test_the_list_shows_the_schedule_a_department_gets_from_its_parent(app, as_admin, factory, tree, freeze_time):
    freeze_time("2026-12-07T09:00+07:00")
    morning = factory.schedule(name="Shift Pagi", active=False)
    factory.schedule(name="Normal", active=True)
    with app.app_context():
        db.session.add(ScheduleAssignment(schedule_id=morning.id, department_id=tree["KLINIK"],
                                          starts_on=date(2026, 12, 1)))
        db.session.commit()
    body = as_admin.get(PAGE).get_data(as_text=True)
    row = body[body.index(f'id="department-{tree["IGD"]}"'):]
    assert "Shift Pagi dari Klinik Pratama" in text_of(row[:row.index("</tr>")])


def test_create_a_department_inside_another(app, as_admin, tree):
    page = as_admin.get(f"{NEW}?parent={tree['KLINIK']}").get_data(as_text=True)
    assert f'<option selected value="{tree["KLINIK"]}">' in page
    response = as_admin.submit(NEW, NEW, {"code": "RJ", "name": "Rawat Jalan", "parent_id": str(tree["KLINIK"])})
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    with app.app_context():
        created = db.session.scalar(db.select(Department).filter_by(code="RJ"))
        assert (created.name, created.parent_id) == ("Rawat Jalan", tree["KLINIK"])
    assert "Unit kerja “Rawat Jalan” telah dibuat." in text_of(as_admin.get(PAGE).get_data(as_text=True))


@pytest.mark.parametrize("data, field, message", [
    ({"code": "IGD", "name": "Lain"}, "code", "Kode ini sudah dipakai unit kerja lain."),
    ({"code": "A B", "name": "Spasi"}, "code", "Kode terdiri dari 1 sampai 20 huruf, angka, titik, tanda hubung, atau garis bawah."),
    ({"code": "", "name": "Tanpa kode"}, "code", "Wajib diisi."),
    ({"code": "X", "parent_id": "999"}, "parent_id", "Pilihan tidak valid."),
])
def test_create_refusals_are_shown_next_to_the_field(app, as_admin, tree, data, field, message):
    data = {"name": "Nama", "parent_id": "0", **data}
    body = as_admin.submit(NEW, NEW, data).get_data(as_text=True)
    assert field_error(body, field) == message
    assert count(app, Department) == 3


def test_edit_moves_a_department_but_never_inside_itself(app, as_admin, tree):
    url = f"/admin/departments/{tree['KLINIK']}/edit"
    page = as_admin.get(url).get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d+)"', page[page.index('id="parent_id"'):page.index("</select>")])
    assert str(tree["IGD"]) not in options and str(tree["KLINIK"]) not in options   # itself and its children
    refused = as_admin.submit(url, url, {"code": "KLINIK", "name": "Klinik", "parent_id": str(tree["IGD"])})
    assert field_error(refused.get_data(as_text=True), "parent_id") == "Pilihan tidak valid."
    assert fetch(app, Department, tree["KLINIK"]).parent_id is None
    moved = as_admin.submit(url, url, {"code": "KLN", "name": "Klinik", "parent_id": str(tree["SDM"])})
    assert moved.status_code == 303
    saved = fetch(app, Department, tree["KLINIK"])
    assert (saved.code, saved.name, saved.parent_id) == ("KLN", "Klinik", tree["SDM"])


def test_delete_an_empty_department(app, as_admin, tree):
    response = as_admin.submit(PAGE, f"/admin/departments/{tree['SDM']}/delete")
    assert response.status_code == 303
    assert fetch(app, Department, tree["SDM"]) is None
    assert "Unit kerja “Umum & SDM” telah dihapus." in text_of(as_admin.get(PAGE).get_data(as_text=True))


def test_deleting_a_department_that_holds_anything_is_refused_saying_how_many(app, as_admin, factory, tree):
    factory.user(name="Ani", department_id=tree["KLINIK"])
    factory.user(name="Budi", department_id=tree["KLINIK"], is_active=False)
    schedule = factory.schedule()
    with app.app_context():
        db.session.add(ScheduleAssignment(schedule_id=schedule.id, department_id=tree["KLINIK"],
                                          starts_on=date(2026, 1, 1)))
        db.session.commit()
    response = as_admin.submit(PAGE, f"/admin/departments/{tree['KLINIK']}/delete")
    assert response.status_code == 303
    text = text_of(as_admin.get(PAGE).get_data(as_text=True))
    assert "Unit kerja “Klinik Pratama” tidak dihapus. Masih ada 2 orang, 1 sub-unit, 1 penetapan jam kerja." in text
    assert fetch(app, Department, tree["KLINIK"]) is not None
    assert count(app, ScheduleAssignment) == 1


def test_petugas_may_not_manage_departments(as_petugas, tree):
    assert as_petugas.get(PAGE).status_code == 403
    token = as_petugas.token("/admin/")
    response = as_petugas.client.post(f"/admin/departments/{tree['SDM']}/delete", data={"csrf_token": token})
    assert response.status_code == 403


def test_a_delete_without_the_csrf_token_is_refused(app, as_admin, tree):
    response = as_admin.client.post(f"/admin/departments/{tree['SDM']}/delete")
    assert response.status_code == 400
    assert fetch(app, Department, tree["SDM"]) is not None


# --- the person form and the users list ----------------------------------------------------------

def test_department_and_position_on_the_person_form(app, as_admin, factory, tree):
    person = factory.user(name="Ani Lestari", email="ani@hadir.test")
    url = f"/admin/users/{person.id}/edit"
    page = as_admin.get(url).get_data(as_text=True)
    assert 'id="department_id"' in page and 'id="position"' in page and "Tanpa unit kerja" in page
    response = as_admin.submit(url, url, {"name": "Ani Lestari", "email": "ani@hadir.test", "npp": person.npp,
                                          "nisn_nip_nik": "", "role": "pegawai", "office_id": "0",
                                          "department_id": str(tree["IGD"]), "position": "Perawat Pelaksana",
                                          "is_active": "y", "password": ""})
    assert response.status_code == 303
    saved = fetch(app, User, person.id)
    assert (saved.department_id, saved.position) == (tree["IGD"], "Perawat Pelaksana")
    refused = as_admin.submit(url, url, {"name": "Ani Lestari", "email": "ani@hadir.test", "npp": person.npp,
                                         "role": "pegawai", "office_id": "0", "department_id": "999",
                                         "position": "x" * 121, "is_active": "y"})
    body = refused.get_data(as_text=True)
    assert field_error(body, "department_id") == "Pilihan tidak valid."
    assert field_error(body, "position") == "Maksimal 120 karakter."
    assert fetch(app, User, person.id).department_id == tree["IGD"]


def test_create_a_person_in_a_department(app, as_admin, tree):
    url = "/admin/users/new"
    response = as_admin.submit(url, url, {"name": "Citra", "email": "citra@hadir.test", "npp": "10077",
                                          "nisn_nip_nik": "", "role": "paramedis", "office_id": "0",
                                          "department_id": str(tree["IGD"]), "position": "Bidan",
                                          "is_active": "y", "password": "rahasia-panjang"})
    assert response.status_code == 303
    with app.app_context():
        person = db.session.scalar(db.select(User).filter_by(npp="10077"))
        assert (person.department_id, person.position) == (tree["IGD"], "Bidan")


def test_the_users_list_shows_and_filters_by_department(as_admin, factory, tree):
    factory.user(name="Ani", department_id=tree["IGD"], position="Perawat")
    factory.user(name="Budi", department_id=tree["SDM"])
    factory.user(name="Citra")

    def names(url):
        return re.findall(r'<a href="/admin/users/\d+/edit"><strong>([^<]+)</strong></a>',
                          as_admin.get(url).get_data(as_text=True))

    body = as_admin.get("/admin/users").get_data(as_text=True)
    assert 'id="user-department"' in body and "Perawat" in text_of(body)
    assert names(f"/admin/users?department={tree['IGD']}") == ["Ani"]
    assert names(f"/admin/users?department={tree['KLINIK']}") == ["Ani"]   # sub-departments included
    assert names("/admin/users?department=none") == ["Admin HRD", "Citra"]
    export = as_admin.get(f"/admin/users/export.csv?department={tree['SDM']}").get_data(as_text=True)
    assert "Budi" in export and "Ani" not in export
