"""The ER escorts admin page: today first, filters, counts, inline review, delete, CSV, photos."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest

from app.escorts.models import Escort
from app.extensions import db

from tests.helpers import count, fetch, text_of

PAGE = "/admin/escorts/"


def _jpeg(color=(200, 30, 30), size=(60, 40)):
    import base64

    from PIL import Image

    from app.attendance.photos import decode_photo

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return decode_photo(base64.b64encode(buffer.getvalue()).decode())


@pytest.fixture
def make_escort(app):
    """``make_escort(name=..., days_ago=0, status=..., **fields)`` registers one through the service; returns its id."""
    counter = {"n": 0}

    def make(name=None, *, days_ago=0, status=None, **fields):
        from app.escorts import services

        counter["n"] += 1
        values = dict(category="individual", name=name or f"Pengantar {counter['n']}", gender="male",
                      phone=f"08123456{counter['n']:04d}", plate_number=f"B{counter['n']:04d}XY",
                      patient_name=f"Pasien {counter['n']}")
        values.update(fields)
        with app.app_context():
            escort = services.create_escort(**values, photo=_jpeg(), ip="10.0.0.7")
            if status:
                services.set_status(escort, status)
            if days_ago:
                escort.created_at = datetime.now(timezone.utc) - timedelta(days=days_ago)
            db.session.commit()
            return escort.id

    return make


def _row_ids(body: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr id="escort-(\d+)"', body)]


def _bar_counts(body: str, kind: str) -> dict[str, int]:
    block = body.split(f'id="escort-counts-{kind}"', 1)[1].split("</dl>", 1)[0]
    return {k: int(n) for k, n in re.findall(r'data-key="(\w+)" data-count="(\d+)"', block)}


def _escort(app, escort_id):
    return fetch(app, Escort, escort_id)


def _photo_path(app, uploads, escort_id):
    return uploads / _escort(app, escort_id).photo_path


def test_default_view_is_today_newest_first(as_petugas, make_escort):
    old = make_escort("Lama Sekali", days_ago=3)
    first = make_escort("Andi Polisi", category="police")
    second = make_escort("Budi Ambulans", category="ambulance")
    response = as_petugas.get(PAGE)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _row_ids(body) == [second, first]
    assert old not in _row_ids(body)
    # the today view reloads its list by itself
    assert 'hx-trigger="every 15s"' in body


def test_date_range_shows_older_registrations_and_stops_polling(as_admin, make_escort):
    old = make_escort("Lama", days_ago=3)
    today = make_escort("Baru")
    start = (datetime.now(timezone.utc) + timedelta(hours=7) - timedelta(days=5)).date()
    end = start + timedelta(days=3)
    body = as_admin.get(f"{PAGE}?start={start}&end={end}").get_data(as_text=True)
    assert _row_ids(body) == [old]
    assert "every 15s" not in body
    body = as_admin.get(f"{PAGE}?start={start}").get_data(as_text=True)  # up to today
    assert _row_ids(body) == [today, old]


def test_an_overlong_range_is_cut_to_366_days(as_admin, make_escort):
    recent = make_escort("Baru")
    ancient = make_escort("Kuno", days_ago=400)
    body = as_admin.get(f"{PAGE}?start=2000-01-01").get_data(as_text=True)
    assert _row_ids(body) == [recent]
    assert ancient not in _row_ids(body)
    assert 'class="flash flash--error"' in body


def test_filters_category_status_and_search(as_admin, make_escort):
    police = make_escort("Andi Polisi", category="police", plate_number="B9999POL")
    ambulance = make_escort("Budi Ambulans", category="ambulance", patient_name="Cahya Lestari")
    verified = make_escort("Citra", status="verified", phone="081299998888")
    assert _row_ids(as_admin.get(f"{PAGE}?category=police").get_data(as_text=True)) == [police]
    assert _row_ids(as_admin.get(f"{PAGE}?status=verified").get_data(as_text=True)) == [verified]
    assert _row_ids(as_admin.get(f"{PAGE}?q=9999pol").get_data(as_text=True)) == [police]
    assert _row_ids(as_admin.get(f"{PAGE}?q=cahya").get_data(as_text=True)) == [ambulance]
    assert _row_ids(as_admin.get(f"{PAGE}?q=08129999").get_data(as_text=True)) == [verified]
    reference = _escort(as_admin.client.application, ambulance).submission_id
    assert _row_ids(as_admin.get(f"{PAGE}?q={reference}").get_data(as_text=True)) == [ambulance]
    # unknown values are ignored, not an error
    assert as_admin.get(f"{PAGE}?category=pirate&status=x&start=nope").status_code == 200


def test_htmx_filter_gets_the_fragment_only(as_admin, make_escort):
    escort_id = make_escort("Andi", category="police")
    response = as_admin.get(f"{PAGE}?category=police", htmx=True)
    body = response.get_data(as_text=True)
    assert '<div id="escort-results"' in body
    assert "<html" not in body
    assert _row_ids(body) == [escort_id]
    assert "HX-Request" in response.headers["Vary"]


def test_counts_by_category_and_status_follow_the_filters(as_admin, make_escort):
    make_escort(category="police")
    make_escort(category="police", status="verified")
    make_escort(category="ambulance", status="rejected")
    make_escort(category="individual", days_ago=2)  # outside today
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert _bar_counts(body, "category") == {"police": 2, "ambulance": 1, "individual": 0}
    assert _bar_counts(body, "status") == {"pending": 1, "verified": 1, "rejected": 1}
    body = as_admin.get(f"{PAGE}?category=police").get_data(as_text=True)
    assert _bar_counts(body, "category") == {"police": 2, "ambulance": 0, "individual": 0}
    assert _bar_counts(body, "status") == {"pending": 1, "verified": 1, "rejected": 0}


def test_pagination_keeps_the_filters(as_admin, make_escort):
    for _ in range(27):
        make_escort(category="police")
    body = as_admin.get(f"{PAGE}?category=police").get_data(as_text=True)
    assert len(_row_ids(body)) == 25
    assert "page=2" in body and "category=police" in body
    second = as_admin.get(f"{PAGE}?category=police&page=2").get_data(as_text=True)
    assert len(_row_ids(second)) == 2


def test_verify_inline_swaps_the_row_and_records_the_reviewer(app, as_petugas, petugas, make_escort):
    escort_id = make_escort("Andi")
    response = as_petugas.submit(PAGE, f"/admin/escorts/{escort_id}/status", {"status": "verified"}, htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<tr id="escort-{escort_id}"')
    assert "badge--approved" in body
    escort = _escort(app, escort_id)
    assert escort.status == "verified"
    assert escort.reviewed_by_id == petugas.id and escort.reviewed_at is not None


def test_reject_without_htmx_redirects_back(app, as_admin, make_escort):
    escort_id = make_escort("Budi")
    response = as_admin.submit(PAGE, f"/admin/escorts/{escort_id}/status",
                               {"status": "rejected", "next": "/admin/escorts/?status=pending"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/escorts/?status=pending")
    assert _escort(app, escort_id).status == "rejected"
    # a decided one can be set back to pending
    as_admin.submit(PAGE, f"/admin/escorts/{escort_id}/status", {"status": "pending"})
    assert _escort(app, escort_id).status == "pending"


def test_status_change_refuses_unsafe_next_and_bad_status(app, as_admin, make_escort):
    escort_id = make_escort("Budi")
    response = as_admin.submit(PAGE, f"/admin/escorts/{escort_id}/status",
                               {"status": "verified", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/admin/escorts/")
    response = as_admin.submit(PAGE, f"/admin/escorts/{escort_id}/status", {"status": "approved"}, htmx=True)
    assert response.status_code == 200
    assert _escort(app, escort_id).status == "verified"


def test_nothing_changes_without_csrf(app, as_admin, uploads, make_escort):
    escort_id = make_escort("Budi")
    path = _photo_path(app, uploads, escort_id)
    client = as_admin.client
    assert client.post(f"/admin/escorts/{escort_id}/status", data={"status": "verified"}).status_code == 400
    assert client.post(f"/admin/escorts/{escort_id}/delete").status_code == 400
    assert client.post(f"/admin/escorts/{escort_id}/delete", headers={"HX-Request": "true"}).status_code == 400
    escort = _escort(app, escort_id)
    assert escort is not None and escort.status == "pending"
    assert path.is_file()


def test_delete_inline_removes_row_and_photo(app, as_petugas, uploads, make_escort):
    keep = make_escort("Tetap")
    escort_id = make_escort("Hapus")
    path = _photo_path(app, uploads, escort_id)
    assert path.is_file()
    page = as_petugas.get(PAGE).get_data(as_text=True)
    assert f'hx-post="/admin/escorts/{escort_id}/delete"' in page and "hx-confirm=" in page
    response = as_petugas.submit(PAGE, f"/admin/escorts/{escort_id}/delete", htmx=True)
    assert response.status_code == 200
    assert "escort-deleted" in response.get_data(as_text=True)
    assert _escort(app, escort_id) is None
    assert not path.exists()
    assert _row_ids(as_petugas.get(PAGE).get_data(as_text=True)) == [keep]


def test_delete_without_javascript_asks_first(app, as_admin, uploads, make_escort):
    escort_id = make_escort("Hapus")
    path = _photo_path(app, uploads, escort_id)
    confirm_url = f"/admin/escorts/{escort_id}/delete?next=/admin/escorts/%3Fstatus%3Dpending"
    page = as_admin.get(confirm_url)
    assert page.status_code == 200
    assert "Hapus" in text_of(page.get_data(as_text=True))
    assert count(app, Escort) == 1  # asking deletes nothing
    response = as_admin.submit(confirm_url, f"/admin/escorts/{escort_id}/delete", {"next": "/admin/escorts/?status=pending"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/escorts/?status=pending")
    assert count(app, Escort) == 0
    assert not path.exists()


def test_detail_shows_every_field_and_the_full_photo(app, as_admin, make_escort):
    escort_id = make_escort("Andi Polisi", category="police", plate_number="B1234POL", patient_name="Siti Aminah",
                            status="verified")
    escort = _escort(app, escort_id)
    body = as_admin.get(f"/admin/escorts/{escort_id}").get_data(as_text=True)
    text = text_of(body)
    for value in ("Andi Polisi", "B1234POL", "Siti Aminah", escort.submission_id, "10.0.0.7", escort.phone):
        assert value in text
    assert f'src="/admin/escorts/{escort_id}/photo"' in body
    assert "badge--approved" in body


def test_unknown_ids_are_404(as_admin):
    assert as_admin.get("/admin/escorts/999").status_code == 404
    assert as_admin.get("/admin/escorts/999/photo").status_code == 404
    assert as_admin.get("/admin/escorts/999/delete").status_code == 404
    assert as_admin.submit(PAGE, "/admin/escorts/999/status", {"status": "verified"}).status_code == 404
    assert as_admin.submit(PAGE, "/admin/escorts/999/delete").status_code == 404


def test_photo_route_serves_staff_only_and_is_never_cached(app, as_petugas, anon, uploads, make_escort):
    escort_id = make_escort("Andi")
    response = as_petugas.get(f"/admin/escorts/{escort_id}/photo")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data == _photo_path(app, uploads, escort_id).read_bytes()
    assert "no-store" in response.headers["Cache-Control"]
    thumb = as_petugas.get(f"/admin/escorts/{escort_id}/photo?size=thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert "no-store" in thumb.headers["Cache-Control"]
    anonymous = anon.get(f"/admin/escorts/{escort_id}/photo")
    assert anonymous.status_code == 302
    assert "/admin/login" in anonymous.headers["Location"]
    assert anon.get(PAGE).status_code == 302


def test_missing_photo_file_is_404(app, as_admin, uploads, make_escort):
    escort_id = make_escort("Andi")
    _photo_path(app, uploads, escort_id).unlink()
    assert as_admin.get(f"/admin/escorts/{escort_id}/photo").status_code == 404
    assert as_admin.get(f"/admin/escorts/{escort_id}").status_code == 200


def test_er_clinicians_review_but_do_not_delete_and_others_are_refused(app, factory, make_escort):
    """As the igd API: a doctor sees the list and the photo and verifies; deleting and the CSV
    stay with admin and petugas (no button either); an employee is refused."""
    from app.escorts.models import Escort

    from tests.helpers import AdminSession

    factory.user(role="dokter", email="dokter@hadir.test")
    factory.user(role="pegawai", email="pegawai@hadir.test")
    escort_id = make_escort("Andi")
    doctor = AdminSession(app.test_client())
    doctor.login("dokter@hadir.test")
    page = doctor.get(PAGE).get_data(as_text=True)
    assert "Andi" in page and "/delete" not in page and "export.csv" not in page
    assert doctor.get(f"/admin/escorts/{escort_id}/photo").status_code == 200
    assert doctor.submit(PAGE, f"/admin/escorts/{escort_id}/status", {"status": "verified"}).status_code == 303
    assert doctor.submit(PAGE, f"/admin/escorts/{escort_id}/delete").status_code == 403
    assert doctor.get("/admin/escorts/export.csv").status_code == 403
    with app.app_context():
        assert db.session.get(Escort, escort_id).status == "verified"
    employee = AdminSession(app.test_client())
    employee.login("pegawai@hadir.test")
    assert employee.get(PAGE).status_code == 403
    assert employee.get(f"/admin/escorts/{escort_id}/photo").status_code == 403


def _csv_rows(response):
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_csv_honours_filters_and_escapes_formulas(app, as_petugas, make_escort):
    evil = make_escort("=HYPERLINK(\"x\")", category="police", patient_name="+cmd|calc")
    make_escort("Budi", category="ambulance")
    make_escort("Lama", category="police", days_ago=2)
    response = as_petugas.get("/admin/escorts/export.csv?category=police")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    assert len(rows) == 2  # header + today's police escort
    data = rows[1]
    assert data[0] == _escort(app, evil).submission_id
    assert "'=HYPERLINK(\"x\")" in data
    assert "'+cmd|calc" in data
    all_rows = _csv_rows(as_petugas.get("/admin/escorts/export.csv"))
    assert len(all_rows) == 3
    page = as_petugas.get(f"{PAGE}?category=police").get_data(as_text=True)
    assert 'href="/admin/escorts/export.csv?' in page


def test_a_new_registration_shows_on_the_next_poll(as_admin, make_escort):
    first = make_escort("Andi")
    body = as_admin.get(PAGE, htmx=True).get_data(as_text=True)
    assert _row_ids(body) == [first]
    second = make_escort("Kiosk Baru")
    body = as_admin.get(PAGE, htmx=True).get_data(as_text=True)
    assert _row_ids(body) == [second, first]


def test_an_escort_without_a_vehicle_is_said_so_not_shown_as_a_plate(as_admin, make_escort):
    walked = make_escort("Tanpa Mobil", plate_number="TANPA KENDARAAN")
    drove = make_escort("Bawa Mobil", plate_number="B1234XY")
    detail = as_admin.get(f"/admin/escorts/{walked}").get_data(as_text=True)
    assert "TANPA KENDARAAN" not in detail and '<dd class="muted">Tanpa kendaraan</dd>' in detail
    assert '<dd class="mono">B1234XY</dd>' in as_admin.get(f"/admin/escorts/{drove}").get_data(as_text=True)
    listing = as_admin.get(PAGE).get_data(as_text=True)
    row = listing.split(f'id="escort-{walked}"')[1].split("</tr>")[0]
    assert "TANPA KENDARAAN" not in row and '<div class="muted">Tanpa kendaraan</div>' in row
    assert '<div class="muted mono">B1234XY</div>' in listing
