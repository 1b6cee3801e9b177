"""Offices: list, create, edit, with the geofence rules of app.places.services next to the field."""
from __future__ import annotations

import re

from app.extensions import db
from app.places.models import Office

from tests.helpers import count, fetch, field_error, text_of


def _office_form(**values):
    data = {"code": "0003", "name": "Kantor Cabang Surabaya", "address": "Jl. Pemuda 1", "latitude": "-7.2575",
            "longitude": "112.7521", "geofence_radius_m": "120"}
    data.update(values)
    return data


def test_list_with_map_link_and_people(as_admin, factory):
    office = factory.office()
    factory.user(office=office)
    factory.user(office=office)
    body = as_admin.get("/admin/offices/").get_data(as_text=True)
    text = text_of(body)
    assert "Kantor Pusat Jakarta" in text and "-6.208800, 106.845600" in text and "100 m" in text
    assert "https://www.openstreetmap.org/?mlat=-6.208800&amp;mlon=106.845600#map=18/-6.208800/106.845600" in body
    assert re.search(r'<td class="num">2</td>', body)


def test_empty_state_offers_to_add(as_admin):
    body = as_admin.get("/admin/offices/").get_data(as_text=True)
    assert "Belum ada kantor" in text_of(body)
    assert 'href="/admin/offices/new"' in body


def test_create_an_office(app, as_admin):
    response = as_admin.submit("/admin/offices/new", "/admin/offices/new", _office_form())
    assert response.status_code == 303
    with app.app_context():
        office = db.session.scalar(db.select(Office).filter_by(code="0003"))
        assert (office.latitude, office.longitude, office.geofence_radius_m) == (-7.2575, 112.7521, 120)
    assert "Kantor “Kantor Cabang Surabaya” telah dibuat." in text_of(as_admin.get("/admin/offices/").get_data(as_text=True))


def test_create_errors_next_to_the_field(app, as_admin, factory):
    factory.office(code="0001")
    body = as_admin.submit("/admin/offices/new", "/admin/offices/new",
                           _office_form(latitude="95", longitude="abc", geofence_radius_m="0")).get_data(as_text=True)
    assert field_error(body, "latitude") == "Lintang harus antara -90 dan 90."
    assert field_error(body, "longitude") == "Bujur harus berupa angka."
    assert field_error(body, "geofence_radius_m") == "Radius harus bilangan bulat meter antara 1 dan 100000."
    body = as_admin.submit("/admin/offices/new", "/admin/offices/new", _office_form(code="0001")).get_data(as_text=True)
    assert field_error(body, "code") == "Kode ini sudah dipakai kantor lain."
    body = as_admin.submit("/admin/offices/new", "/admin/offices/new",
                           _office_form(name="", geofence_radius_m="dua")).get_data(as_text=True)
    assert field_error(body, "name") == "Wajib diisi."
    assert field_error(body, "geofence_radius_m") == "Bukan bilangan bulat yang valid."
    assert count(app, Office) == 1


def test_edit_an_office(app, as_admin, factory):
    office = factory.office()
    url = f"/admin/offices/{office.id}/edit"
    page = as_admin.get(url).get_data(as_text=True)
    assert 'value="-6.208800"' in page and 'value="100"' in page
    response = as_admin.submit(url, url, _office_form(code="0001", name="Kantor Pusat", latitude="-6.2", longitude="106.8",
                                                      geofence_radius_m="250"))
    assert response.status_code == 303
    saved = fetch(app, Office, office.id)
    assert (saved.name, saved.latitude, saved.geofence_radius_m, saved.is_active) == ("Kantor Pusat", -6.2, 250, False)


def test_edit_errors_change_nothing(app, as_admin, factory):
    factory.office(code="0002", name="Bandung")
    office = factory.office(code="0001")
    url = f"/admin/offices/{office.id}/edit"
    body = as_admin.submit(url, url, _office_form(code="0002", is_active="y")).get_data(as_text=True)
    assert field_error(body, "code") == "Kode ini sudah dipakai kantor lain."
    body = as_admin.submit(url, url, _office_form(code="0001", longitude="200", is_active="y")).get_data(as_text=True)
    assert field_error(body, "longitude") == "Bujur harus antara -180 dan 180."
    saved = fetch(app, Office, office.id)
    assert (saved.code, saved.longitude) == ("0001", 106.8456)


def test_pagination(as_admin, factory):
    for i in range(21):
        factory.office(code=f"{i:04d}", name=f"Kantor {i:02d}")
    first = as_admin.get("/admin/offices/").get_data(as_text=True)
    assert "Menampilkan 1–20 dari 21" in text_of(first)
    second = text_of(as_admin.get("/admin/offices/?page=2").get_data(as_text=True))
    assert "Kantor 20" in second and "Kantor 19" not in second
