"""The holiday calendar: a year, the import from the `holidays` package, add / rename / remove /
restore, per office — form posts with CSRF, refusals that change nothing."""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.schedules.models import Holiday

from tests.helpers import audit_trail, count, fetch, field_error, text_of

PAGE = "/admin/holidays/"


def _holidays(app, year=2026):
    with app.app_context():
        return {(h.on_date, h.name, h.category, h.office_id, h.is_active) for h in db.session.scalars(
            db.select(Holiday).where(Holiday.on_date.between(date(year, 1, 1), date(year, 12, 31))))}


def test_import_a_year_from_the_national_calendar_then_again(app, as_admin, freeze_time):
    freeze_time("2026-12-07T09:00+07:00")
    body = as_admin.submit(PAGE, PAGE + "import", {"year": "2026"}, htmx=True).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="holidays"')
    assert "25 hari tahun 2026 ditambahkan dari kalender nasional." in text_of(body)
    days = _holidays(app)
    assert any(d[0] == date(2026, 3, 19) and d[2] == "public" and "Nyepi" in d[1] for d in days)
    assert any(d[0] == date(2026, 3, 20) and d[2] == "government" for d in days)     # cuti bersama
    again = as_admin.submit(PAGE, PAGE + "import", {"year": "2026"}, htmx=True).get_data(as_text=True)
    assert "Semua libur nasional dan cuti bersama tahun 2026 sudah ada di kalender." in text_of(again)
    assert count(app, Holiday) == 25


def test_the_year_view_marks_the_days_and_lists_them(app, as_admin):
    with app.app_context():
        db.session.add_all([Holiday(on_date=date(2026, 8, 17), name="Hari Kemerdekaan", category="public"),
                            Holiday(on_date=date(2026, 12, 24), name="Cuti Bersama Natal", category="government")])
        db.session.commit()
    body = as_admin.get(PAGE + "?year=2026").get_data(as_text=True)
    assert body.count('class="mini-month"') == 12
    assert 'holiday-day holiday-day--public" title="Hari Kemerdekaan"' in body
    assert 'holiday-day holiday-day--government" title="Cuti Bersama Natal"' in body
    text = text_of(body)
    assert "1 libur nasional" in text and "1 hari cuti bersama" in text
    assert "Impor 2026 dari kalender nasional" in text
    assert 'href="/admin/holidays/?year=2027"' in body


def test_add_the_organisations_own_day_for_everyone_or_one_office(app, as_admin, factory):
    office = factory.office(code="0002", name="Kantor Cabang Bandung")
    as_admin.submit(PAGE, PAGE, {"on_date": "2026-09-25", "name": "HUT Kota Bandung", "office_id": str(office.id)},
                    htmx=True)
    body = as_admin.submit(PAGE, PAGE, {"on_date": "2026-07-01", "name": "HUT Perusahaan", "office_id": "0"},
                           htmx=True).get_data(as_text=True)
    assert "01-07-2026 sekarang hari libur: HUT Perusahaan." in text_of(body)
    assert _holidays(app) == {(date(2026, 9, 25), "HUT Kota Bandung", "organisation", office.id, True),
                              (date(2026, 7, 1), "HUT Perusahaan", "organisation", None, True)}
    assert "Kantor Cabang Bandung" in text_of(body)


@pytest.mark.parametrize("data, field, message", [
    ({"on_date": "", "name": "X"}, "on_date", "Wajib diisi."),
    ({"on_date": "2026-07-01", "name": ""}, "name", "Wajib diisi."),
    ({"on_date": "2026-07-01", "name": "Y", "office_id": "999"}, "office_id", "Pilihan tidak valid."),
    ({"on_date": "1999-07-01", "name": "Lama"}, "on_date", "Pilih tanggal antara tahun 2000 dan 2100."),
    ({"on_date": "2026-08-17", "name": "Dobel"}, "on_date", "Tanggal ini sudah menjadi hari libur untuk orang yang sama."),
])
def test_adding_refusals_change_nothing(app, as_admin, data, field, message):
    with app.app_context():
        db.session.add(Holiday(on_date=date(2026, 8, 17), name="Hari Kemerdekaan", category="public"))
        db.session.commit()
    body = as_admin.submit(PAGE, PAGE, {"office_id": "0", **data}, htmx=True).get_data(as_text=True)
    assert field_error(body, field) == message
    assert count(app, Holiday) == 1


def test_rename_in_place_and_a_blank_name_is_refused(app, as_admin):
    with app.app_context():
        holiday = Holiday(on_date=date(2026, 5, 27), name="Idul Adha (perkiraan)", category="public")
        db.session.add(holiday)
        db.session.commit()
        holiday_id = holiday.id
    row = as_admin.get(f"{PAGE}{holiday_id}/edit", htmx=True).get_data(as_text=True)
    assert 'class="row-editing"' in row and 'value="Idul Adha (perkiraan)"' in row and 'id="rename-name"' in row
    bad = as_admin.submit(PAGE, f"{PAGE}{holiday_id}", {"rename-name": "  "}, htmx=True).get_data(as_text=True)
    assert field_error(bad, "rename-name") == "Nama wajib diisi (paling banyak 200 karakter)."
    assert 'class="row-editing"' in bad
    assert fetch(app, Holiday, holiday_id).name == "Idul Adha (perkiraan)"
    as_admin.submit(PAGE, f"{PAGE}{holiday_id}", {"rename-name": "Hari Raya Idul Adha 1447 H"}, htmx=True)
    assert fetch(app, Holiday, holiday_id).name == "Hari Raya Idul Adha 1447 H"
    (entry,) = audit_trail(app, subject_id=holiday_id)
    assert entry[0] == "holiday.change" and (entry[5], entry[6]) == (
        {"name": "Idul Adha (perkiraan)"}, {"name": "Hari Raya Idul Adha 1447 H"})


def test_remove_an_imported_day_keeps_it_hidden_then_restore(app, as_admin):
    as_admin.submit(PAGE, PAGE + "import", {"year": "2026"}, htmx=True)
    with app.app_context():
        holiday = db.session.scalar(db.select(Holiday).filter_by(on_date=date(2026, 12, 24)))
        holiday_id = holiday.id
    body = as_admin.submit(PAGE, f"{PAGE}{holiday_id}/remove", htmx=True).get_data(as_text=True)
    assert "24-12-2026" in text_of(body) and "kembali menjadi hari kerja" in text_of(body)
    assert fetch(app, Holiday, holiday_id).is_active is False
    assert f'id="holiday-{holiday_id}"' not in body                  # removed days are hidden...
    shown = as_admin.get(PAGE + "?year=2026&removed=1").get_data(as_text=True)
    assert f'id="holiday-{holiday_id}" class="row-processed"' in shown  # ...until asked for
    as_admin.submit(PAGE, PAGE + "import", {"year": "2026"}, htmx=True)
    assert fetch(app, Holiday, holiday_id).is_active is False          # a new import does not bring it back
    as_admin.submit(PAGE, f"{PAGE}{holiday_id}/restore", htmx=True)
    assert fetch(app, Holiday, holiday_id).is_active is True
    trail = audit_trail(app, action="holiday.change")
    assert [after for *_x, after, _r in trail] == [
        {"imported_year": 2026, "added": 25}, {"active": False}, {"active": True}]


def test_removing_the_organisations_own_day_deletes_it(app, as_admin):
    as_admin.submit(PAGE, PAGE, {"on_date": "2026-07-01", "name": "HUT Perusahaan", "office_id": "0"}, htmx=True)
    with app.app_context():
        holiday_id = db.session.scalar(db.select(Holiday.id))
    response = as_admin.submit(PAGE, f"{PAGE}{holiday_id}/remove")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/holidays/?year=2026"
    assert count(app, Holiday) == 0


def test_an_import_of_a_year_out_of_range_is_refused(app, as_admin):
    body = as_admin.submit(PAGE, PAGE + "import", {"year": "1900"}, htmx=True).get_data(as_text=True)
    assert "Pilih tahun antara 2000 dan 2100." in text_of(body)
    assert count(app, Holiday) == 0


def test_petugas_may_not_change_the_calendar(app, as_petugas):
    assert as_petugas.get(PAGE).status_code == 403
    token = as_petugas.token("/admin/")
    assert as_petugas.client.post(PAGE + "import", data={"csrf_token": token, "year": "2026"}).status_code == 403
    assert count(app, Holiday) == 0
