"""Contract 004 "Escort Management Endpoints": create, list, detail, update, status, delete, photo."""
import base64
import json

from app.escorts.models import Escort
from app.extensions import db

from .conftest import API, escort_body, image_b64


def _escort(app, escort_id):
    with app.app_context():
        return db.session.get(Escort, escort_id)


# --- create --------------------------------------------------------------------------------------

def test_staff_create_stores_english_keys_and_the_photo_as_a_file(app, client, staff, uploads):
    user, headers = staff()
    response = client.post(f"{API}/escort", json=escort_body(kategori_pengantar="Polisi", jenis_kelamin="Perempuan",
                                                             status="verified"), headers=headers)
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "success" and body["message"] == "Data escort berhasil disimpan"
    data = body["data"]
    assert data["kategori_pengantar"] == "Polisi" and data["jenis_kelamin"] == "Perempuan"
    assert data["status"] == "verified"
    assert body["submission_id"].startswith("api_") and data["submission_id"] == body["submission_id"]
    assert body["session_id"].startswith("session_")
    assert body["meta"] == {"api_submissions_count": 1}
    row = _escort(app, data["id"])
    assert (row.category, row.gender, row.status) == ("police", "female", "verified")
    assert row.created_by_id == user.id and row.reviewed_by_id == user.id
    assert row.api_submission is True and row.submitted_from_ip == "127.0.0.1"
    assert row.photo_path == data["foto_pengantar"] and row.photo_path.startswith("escorts/")
    stored = uploads / row.photo_path
    assert stored.is_file() and stored.read_bytes()[:2] == b"\xff\xd8"


def test_anyone_may_register_but_only_as_pending(app, client):
    anonymous = app.test_client()
    response = anonymous.post(f"{API}/escort", json=escort_body())
    assert response.status_code == 201
    row = _escort(app, response.json["data"]["id"])
    assert row.status == "pending" and row.created_by_id is None
    # The anonymous caller got a browser session; its next write needs the CSRF header.
    xsrf = anonymous.get_cookie("XSRF-TOKEN", domain="localhost").value
    fresh = app.test_client()
    response = fresh.post(f"{API}/escort", json=escort_body(status="verified"))
    assert response.status_code == 422
    assert response.json["errors"] == {"status": ["Status hanya dapat diatur oleh petugas IGD."]}
    assert anonymous.post(f"{API}/escort", json=escort_body()).status_code == 419
    assert anonymous.post(f"{API}/escort", json=escort_body(), headers={"X-XSRF-TOKEN": xsrf}).status_code == 201


def test_create_accepts_multipart_and_png(app, client, staff):
    _user, headers = staff()
    fields = escort_body(foto_pengantar_base64=image_b64("PNG", data_url=False))
    response = client.post(f"{API}/escort", data=fields, headers=headers, content_type="multipart/form-data")
    assert response.status_code == 201
    assert _escort(app, response.json["data"]["id"]).photo_path.endswith(".png")


def test_create_validation_follows_the_field_rules_summary(app, client, staff):
    _user, headers = staff()
    response = client.post(f"{API}/escort", json={}, headers=headers)
    assert response.status_code == 422
    body = response.json
    assert body["status"] == "error" and body["message"] == "Validasi data gagal"
    assert body["session_id"].startswith("session_")
    assert set(body["errors"]) == {"kategori_pengantar", "nama_pengantar", "jenis_kelamin", "nomor_hp",
                                   "plat_nomor", "nama_pasien", "foto_pengantar_base64"}
    response = client.post(f"{API}/escort", json=escort_body(
        kategori_pengantar="Pemadam", nama_pengantar="Jo", jenis_kelamin="L", nomor_hp="123", plat_nomor="B1",
        nama_pasien="x" * 256, status="invalid_status"), headers=headers)
    assert response.json["errors"] == {
        "kategori_pengantar": ["The selected kategori pengantar is invalid."],
        "nama_pengantar": ["Nama pengantar minimal 3 karakter."],
        "jenis_kelamin": ["The selected jenis kelamin is invalid."],
        "nomor_hp": ["Nomor HP minimal 10 digit."],
        "plat_nomor": ["Plat nomor minimal 3 karakter."],
        "nama_pasien": ["Nama pasien maksimal 255 karakter."],
        "status": ["The selected status is invalid."],
    }
    response = client.post(f"{API}/escort", json=escort_body(nomor_hp="08123-4567-890", plat_nomor="B" * 21),
                           headers=headers)
    assert response.json["errors"] == {"nomor_hp": ["Nomor HP hanya boleh berisi angka."],
                                       "plat_nomor": ["Plat nomor maksimal 20 karakter."]}
    assert client.post(f"{API}/escort", json=escort_body(nomor_hp="1" * 21), headers=headers).json["errors"] == {
        "nomor_hp": ["Nomor HP maksimal 20 digit."]}
    assert client.post(f"{API}/escort", json=escort_body(nomor_hp="+6281234567890"), headers=headers).status_code == 201
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Escort.id))) == 1


def test_wrong_types_and_nan_are_refused(client, staff):
    _user, headers = staff()
    raw = json.dumps(escort_body(nama_pengantar=None, nomor_hp=81234567890, plat_nomor=["B1234"],
                                 nama_pasien={"x": 1})).replace("null", "NaN")
    response = client.post(f"{API}/escort", data=raw, headers=headers, content_type="application/json")
    assert response.status_code == 422
    errors = response.json["errors"]
    assert errors["nama_pengantar"] == ["Nama pengantar harus berupa teks."]
    assert errors["nomor_hp"] == ["Nomor HP harus berupa teks."]
    assert errors["plat_nomor"] == ["Plat nomor harus berupa teks."]
    assert errors["nama_pasien"] == ["Nama pasien harus berupa teks."]
    for bad in ([1, 2], "not json", "null"):
        response = client.post(f"{API}/escort", data=json.dumps(bad) if bad != "not json" else bad,
                               headers=headers, content_type="application/json")
        assert response.status_code == 422
        assert "foto_pengantar_base64" in response.json["errors"]


def test_photo_must_be_a_valid_image_within_the_caps(app, client, staff, uploads):
    from app.attendance import photos

    _user, headers = staff()
    text_file = base64.b64encode(b"hello, not an image").decode()
    cases = {
        "not base64 !!": "must be a base64 encoded image",
        text_file: "must be a JPEG or PNG image",
        image_b64("GIF"): "must be a JPEG or PNG image",
        12345: "must be a base64 encoded image",
    }
    for value, expected in cases.items():
        response = client.post(f"{API}/escort", json=escort_body(foto_pengantar_base64=value), headers=headers)
        assert response.status_code == 422, value
        assert list(response.json["errors"]) == ["foto_pengantar_base64"]
        assert expected in response.json["errors"]["foto_pengantar_base64"][0]
    # Too many pixels (a tiny PNG that claims 5000 x 10).
    response = client.post(f"{API}/escort", json=escort_body(foto_pengantar_base64=image_b64("PNG", (5000, 10))),
                           headers=headers)
    assert response.status_code == 422
    assert "4096x4096" in response.json["errors"]["foto_pengantar_base64"][0]
    # Over 2 MiB decoded but under the 3 MiB body limit: a field error.
    huge = base64.b64encode(b"\xff\xd8" + b"0" * (photos.MAX_PHOTO_BYTES + 10)).decode()
    response = client.post(f"{API}/escort", json=escort_body(foto_pengantar_base64=huge), headers=headers)
    assert response.status_code == 422
    assert "may not be greater than" in response.json["errors"]["foto_pengantar_base64"][0]
    # Nothing was stored.
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Escort.id))) == 0
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


# --- list ----------------------------------------------------------------------------------------

def test_list_is_a_laravel_paginator_with_session_and_meta(client, staff, create):
    _user, headers = staff()
    ids = [create(headers, nama_pengantar=f"Pengantar {i}")["id"] for i in range(7)]
    response = client.get(f"{API}/escort?page=1&per_page=5", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert list(body) == ["status", "message", "data", "session_id", "meta"]
    assert body["message"] == "Escorts retrieved successfully"
    page = body["data"]
    assert list(page) == ["current_page", "data", "first_page_url", "from", "last_page", "last_page_url",
                          "next_page_url", "path", "per_page", "prev_page_url", "to", "total"]
    assert [e["id"] for e in page["data"]] == ids[::-1][:5]
    assert (page["from"], page["to"], page["total"], page["last_page"]) == (1, 5, 7, 2)
    assert page["path"] == "http://localhost/igd/api/escort"
    assert "page=2" in page["next_page_url"] and page["prev_page_url"] is None
    assert list(page["data"][0]) == ["id", "kategori_pengantar", "nama_pengantar", "jenis_kelamin", "nomor_hp",
                                     "plat_nomor", "nama_pasien", "foto_pengantar", "status", "created_at",
                                     "updated_at"]
    assert body["meta"] == {"current_page": 1, "total_pages": 2, "per_page": 5, "total": 7, "api_access_count": 1}
    again = client.get(f"{API}/escort?page=2&per_page=5", headers=headers).json
    assert again["meta"]["api_access_count"] == 2 and again["session_id"] == body["session_id"]
    assert [e["id"] for e in again["data"]["data"]] == ids[::-1][5:]


def test_list_filters(client, staff, create):
    _user, headers = staff()
    create(headers, kategori_pengantar="Polisi", nama_pengantar="John Officer", status="verified")
    create(headers, kategori_pengantar="Polisi", nama_pengantar="Budi Santoso", status="verified")
    create(headers, kategori_pengantar="Ambulans", nama_pengantar="John Driver")
    create(headers, nama_pengantar="Siti", plat_nomor="B9999JON")

    def names(query):
        response = client.get(f"{API}/escort?{query}", headers=headers)
        assert response.status_code == 200, response.json
        return sorted(e["nama_pengantar"] for e in response.json["data"]["data"])

    assert names("kategori=Polisi&status=verified&search=John") == ["John Officer"]
    assert names("kategori=Ambulans") == ["John Driver"]
    assert names("status=pending") == ["John Driver", "Siti"]
    assert names("search=jO") == ["John Driver", "John Officer", "Siti"]
    assert names("search=100%25") == []
    assert names("search=_") == []


def test_list_rejects_bad_filters_and_pages(client, staff):
    _user, headers = staff()
    for query, field in (("kategori=Pemadam", "kategori"), ("status=done", "status"), ("search=" + "x" * 101, "search"),
                         ("page=0", "page"), ("per_page=1000", "per_page"), ("page=abc", "page"),
                         ("per_page=%D9%A3", "per_page")):
        response = client.get(f"{API}/escort?{query}", headers=headers)
        assert response.status_code == 422, query
        assert response.json["status"] == "error" and field in response.json["errors"]


def test_roles_outside_the_er_get_403(client, staff, factory):
    _user, headers = staff(role="guru")
    for method, path in (("get", "/escort"), ("get", "/escort/1"), ("put", "/escort/1"), ("patch", "/escort/1/status"),
                         ("delete", "/escort/1"), ("get", "/dashboard/stats"), ("get", "/auth/check")):
        response = getattr(client, method)(f"{API}{path}", headers=headers, json={})
        assert response.status_code == 403, path
        assert response.json == {"message": "This action is unauthorized."}


# --- detail --------------------------------------------------------------------------------------

def test_detail_reads_the_photo_back_and_counts_views(app, client, staff, create, uploads):
    _user, headers = staff(role="paramedis")
    created = create(headers)
    response = client.get(f"{API}/escort/{created['id']}", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert body["message"] == "Escort retrieved successfully"
    data = body["data"]
    assert list(data) == ["id", "kategori_pengantar", "nama_pengantar", "jenis_kelamin", "nomor_hp", "plat_nomor",
                          "nama_pasien", "foto_pengantar", "foto_pengantar_base64", "submission_id",
                          "submitted_from_ip", "api_submission", "status", "created_at", "updated_at"]
    photo = data["foto_pengantar_base64"]
    stored = (uploads / data["foto_pengantar"]).read_bytes()
    assert photo["mime_type"] == "image/jpeg" and photo["size"] == len(stored)
    assert photo["base64"] == "data:image/jpeg;base64," + base64.b64encode(stored).decode()
    assert photo["file_path"] == data["foto_pengantar"]
    assert photo["storage_url"] == f"/igd/api/escort/{created['id']}/photo"
    assert data["submission_id"] == created["submission_id"] and data["api_submission"] is True
    assert data["submitted_from_ip"] == "127.0.0.1"
    assert body["meta"]["view_count"] == 1 and body["meta"]["has_base64_image"] is True
    assert body["meta"]["last_viewed"].endswith("Z")
    assert client.get(f"{API}/escort/{created['id']}", headers=headers).json["meta"]["view_count"] == 2
    # Another session (another token) counts its own views.
    _other, other_headers = staff(role="dokter")
    assert client.get(f"{API}/escort/{created['id']}", headers=other_headers).json["meta"]["view_count"] == 1
    # A missing file is reported, not an error.
    (uploads / data["foto_pengantar"]).unlink()
    body = client.get(f"{API}/escort/{created['id']}", headers=headers).json
    assert body["data"]["foto_pengantar_base64"] is None and body["meta"]["has_base64_image"] is False


def test_unknown_escort_is_404_and_counts_a_failed_lookup(client, staff):
    _user, headers = staff()
    for method in ("get", "put", "delete"):
        response = getattr(client, method)(f"{API}/escort/999999", headers=headers, json={"nama_pengantar": "Abc"})
        assert response.status_code == 404
        assert response.json["status"] == "error" and response.json["message"] == "Data escort tidak ditemukan"
        assert response.json["session_id"].startswith("session_")
    response = client.patch(f"{API}/escort/999999/status", headers=headers, json={"status": "verified"})
    assert response.status_code == 404
    stats = client.get(f"{API}/session-stats", headers=headers).json["stats"]
    assert stats["api_failed_lookups"] == 4


# --- photo file ------------------------------------------------------------------------------------

def test_photo_file_is_served_to_staff_only(app, client, staff, create, uploads):
    _user, headers = staff()
    created = create(headers)
    url = f"{API}/escort/{created['id']}/photo"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer 1|nope"}).status_code == 401
    _guru, guru_headers = staff(role="guru")
    assert client.get(url, headers=guru_headers).status_code == 403
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data == (uploads / created["foto_pengantar"]).read_bytes()
    # The upload folder is not published under /static.
    assert client.get(f"/static/{created['foto_pengantar']}").status_code == 404
    (uploads / created["foto_pengantar"]).unlink()
    assert client.get(url, headers=headers).status_code == 404
    assert client.get(f"{API}/escort/424242/photo", headers=headers).status_code == 404


# --- update --------------------------------------------------------------------------------------

def test_update_changes_the_fields_sent_and_lists_them(app, client, staff, create, uploads):
    user, headers = staff()
    created = create(headers)
    response = client.put(f"{API}/escort/{created['id']}", headers=headers, json={
        "nama_pengantar": "John Doe Updated", "nomor_hp": "081234567899", "status": "verified"})
    assert response.status_code == 200
    body = response.json
    assert body["message"] == "Data escort berhasil diperbarui"
    assert body["data"]["nama_pengantar"] == "John Doe Updated" and body["data"]["status"] == "verified"
    assert body["data"]["plat_nomor"] == "B1234XYZ"
    assert body["update_id"].startswith("upd_")
    assert body["meta"] == {"updated_fields": ["nama_pengantar", "nomor_hp", "status"], "api_updates_count": 1}
    row = _escort(app, created["id"])
    assert row.name == "John Doe Updated" and row.reviewed_by_id == user.id
    # PATCH works too, and a new photo replaces the file.
    old_file = uploads / created["foto_pengantar"]
    response = client.patch(f"{API}/escort/{created['id']}", headers=headers,
                            json={"foto_pengantar_base64": image_b64("PNG"), "jenis_kelamin": "Perempuan"})
    assert response.status_code == 200
    assert response.json["meta"] == {"updated_fields": ["jenis_kelamin", "foto_pengantar"], "api_updates_count": 2}
    new_path = response.json["data"]["foto_pengantar"]
    assert new_path.endswith(".png") and (uploads / new_path).is_file() and not old_file.exists()


def test_update_validation(app, client, staff, create):
    _user, headers = staff()
    created = create(headers)
    response = client.put(f"{API}/escort/{created['id']}", headers=headers, json={
        "nama_pengantar": "Jo", "nomor_hp": "123", "status": "invalid_status"})
    assert response.status_code == 422
    assert response.json == {"status": "error", "message": "Validasi data gagal", "errors": {
        "nama_pengantar": ["Nama pengantar minimal 3 karakter."], "nomor_hp": ["Nomor HP minimal 10 digit."],
        "status": ["The selected status is invalid."]}, "session_id": response.json["session_id"]}
    response = client.put(f"{API}/escort/{created['id']}", headers=headers,
                          json={"nama_pasien": "", "foto_pengantar_base64": "xx"})
    assert set(response.json["errors"]) == {"nama_pasien", "foto_pengantar_base64"}
    assert _escort(app, created["id"]).name == "John Doe"


# --- status --------------------------------------------------------------------------------------

def test_status_change_reports_old_and_new(app, client, staff, create):
    user, headers = staff(role="dokter")
    created = create(headers)
    response = client.patch(f"{API}/escort/{created['id']}/status", headers=headers, json={"status": "verified"})
    assert response.status_code == 200
    body = response.json
    assert body["message"] == "Status escort berhasil diperbarui"
    assert body["data"] == {"escort_id": created["id"], "old_status": "pending", "new_status": "verified",
                            "status_display": "Terverifikasi", "badge_class": "badge-success"}
    assert body["update_id"].startswith("status_")
    assert body["meta"]["api_status_updates_count"] == 1 and body["meta"]["timestamp"].endswith("Z")
    response = client.patch(f"{API}/escort/{created['id']}/status", headers=headers, json={"status": "rejected"})
    assert response.json["data"]["old_status"] == "verified"
    assert response.json["data"]["status_display"] == "Ditolak"
    assert response.json["data"]["badge_class"] == "badge-danger"
    assert response.json["meta"]["api_status_updates_count"] == 2
    row = _escort(app, created["id"])
    assert row.status == "rejected" and row.reviewed_by_id == user.id and row.reviewed_at is not None


def test_status_validation(app, client, staff, create):
    _user, headers = staff()
    created = create(headers)
    for payload in ({"status": "invalid_status"}, {"status": 1}, {}, {"status": None}):
        response = client.patch(f"{API}/escort/{created['id']}/status", headers=headers, json=payload)
        assert response.status_code == 422, payload
        assert response.json["message"] == "Validasi status gagal"
        assert list(response.json["errors"]) == ["status"]
        assert response.json["session_id"].startswith("session_")
    assert _escort(app, created["id"]).status == "pending"


# --- delete --------------------------------------------------------------------------------------

def test_delete_removes_the_row_and_the_photo(app, client, staff, create, uploads):
    _user, headers = staff(role="admin")
    created = create(headers)
    client.get(f"{API}/escort/{created['id']}", headers=headers)  # a view row that must go too
    response = client.delete(f"{API}/escort/{created['id']}", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert list(body) == ["status", "message", "delete_id", "session_id", "meta"]
    assert body["message"] == "Data escort berhasil dihapus" and body["delete_id"].startswith("del_")
    assert body["meta"] == {"api_deletions_count": 1}
    assert _escort(app, created["id"]) is None
    assert not (uploads / created["foto_pengantar"]).exists()
    response = client.delete(f"{API}/escort/{created['id']}", headers=headers)
    assert response.status_code == 404 and response.json["message"] == "Data escort tidak ditemukan"


def test_clinical_staff_may_not_delete(app, client, staff, create):
    _user, headers = staff(role="paramedis")
    created = create(headers)
    response = client.delete(f"{API}/escort/{created['id']}", headers=headers)
    assert response.status_code == 403
    assert _escort(app, created["id"]) is not None


def test_control_characters_are_refused_not_a_server_error(client, staff):
    _user, headers = staff()
    response = client.post(f"{API}/escort", json=escort_body(nama_pengantar="John\u0000Doe", plat_nomor="B1\x1b[2J"),
                           headers=headers)
    assert response.status_code == 422
    assert response.json["errors"] == {"nama_pengantar": ["Nama pengantar mengandung karakter yang tidak valid."],
                                       "plat_nomor": ["Plat nomor mengandung karakter yang tidak valid."]}
    response = client.get(f"{API}/escort?search=a%00b", headers=headers)
    assert response.status_code == 422 and "search" in response.json["errors"]
    response = client.post(f"{API}/auth/login", json={"email": "a\u0000@igd.com", "password": "password123"})
    assert response.status_code == 422 and "email" in response.json["errors"]
