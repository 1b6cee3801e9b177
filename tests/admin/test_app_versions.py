"""App versions: one row per platform, saved in place, with errors next to the field."""
from __future__ import annotations

from app.extensions import db
from app.system.models import AppVersion

from tests.helpers import count, field_error, text_of

PAGE = "/admin/app-versions/"


def _form(platform, **values):
    data = {"version_code": "2.2.0", "build_number": "22", "min_version_code": "2.0.0", "min_build_number": "15",
            "store_url": "https://play.google.com/store/apps/details?id=id.hadir", "update_message": "Versi baru!",
            "changelog": "- Perbaikan", "maintenance_message": ""}
    data.update(values)
    return {f"{platform}-{k}": v for k, v in data.items() if v is not None}


def _row(app, platform):
    with app.app_context():
        row = db.session.scalar(db.select(AppVersion).filter_by(platform=platform))
        if row is not None:
            db.session.expunge(row)
        return row


def test_page_shows_both_platforms_even_when_unset(as_admin):
    text = text_of(as_admin.get(PAGE).get_data(as_text=True))
    assert "Android" in text and "iOS" in text
    assert text.count("Belum diatur") == 2


def test_save_creates_then_updates_in_place(app, as_admin):
    response = as_admin.submit(PAGE, PAGE + "android", _form("android"), htmx=True)
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<section class="card" id="app-version-android"')
    assert "Versi Android disimpan." in text_of(body)
    row = _row(app, "android")
    assert (row.version_code, row.build_number, row.min_build_number, row.maintenance_mode) == ("2.2.0", 22, 15, False)
    assert _row(app, "ios") is None
    as_admin.submit(PAGE, PAGE + "android", _form("android", build_number="23", **{"maintenance_mode": "y",
                                                  "maintenance_message": "Server sedang diperbarui"}), htmx=True)
    row = _row(app, "android")
    assert (row.build_number, row.maintenance_mode, row.maintenance_message) == (23, True, "Server sedang diperbarui")
    assert count(app, AppVersion) == 1


def test_errors_next_to_the_field_and_nothing_saved(app, as_admin):
    body = as_admin.submit(PAGE, PAGE + "ios", _form("ios", min_build_number="30", store_url="ftp://x",
                                                     version_code="versi dua", maintenance_mode="y"),
                           htmx=True).get_data(as_text=True)
    assert field_error(body, "ios-min_build_number") == "Nomor rilis minimum tidak boleh lebih tinggi dari nomor rilis terbaru."
    assert field_error(body, "ios-store_url") == "Masukkan alamat http(s) maksimal 255 karakter."
    assert field_error(body, "ios-version_code") == "Gunakan format versi seperti 2.1.0 (maksimal 20 karakter)."
    assert field_error(body, "ios-maintenance_message") == "Pesan wajib diisi selama mode pemeliharaan aktif."
    body = as_admin.submit(PAGE, PAGE + "ios", _form("ios", build_number="dua"), htmx=True).get_data(as_text=True)
    assert field_error(body, "ios-build_number") == "Bukan bilangan bulat yang valid."
    assert _row(app, "ios") is None


def test_without_htmx_save_redirects_with_a_flash(app, as_admin):
    response = as_admin.submit(PAGE, PAGE + "ios", _form("ios"))
    assert response.status_code == 303
    assert "Versi iOS disimpan." in text_of(as_admin.get(PAGE).get_data(as_text=True))
    body = as_admin.submit(PAGE, PAGE + "ios", _form("ios", min_build_number="99")).get_data(as_text=True)
    assert "<html" in body and field_error(body, "ios-min_build_number")
