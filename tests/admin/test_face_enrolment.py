"""Admin face enrolment pages: per-person upload and delete, people list, photos, bulk ZIP enrolment.

Every photo goes through the real pipeline (dlib) once per module: detection
and encoding are memoised per image content (as in ``tests/faces/conftest.py``).
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from app.faces import bulk, services
from app.faces import views as face_views
from app.faces.models import FaceSample

from tests.helpers import count, csrf_from, text_of

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
ENROLL = FACES / "enroll"
PROBE = FACES / "probe"
OBAMA = ENROLL / "obama" / "obama.jpg"
OBAMA2 = ENROLL / "obama" / "obama2.jpg"
BIDEN = ENROLL / "biden" / "biden.jpg"
TWO = PROBE / "kit_with_rose.jpg"


@pytest.fixture(autouse=True)
def _encode_once(memoised_face_pipeline):
    """Detection and encoding memoised per image content (``tests/conftest.py``)."""
    return memoised_face_pipeline




@pytest.fixture
def en_admin(as_admin):
    """The administrator's browser with the UI in English."""
    response = as_admin.submit("/admin/", "/admin/language", {"lang": "en", "next": "/admin/"})
    assert response.status_code in (302, 303)
    return as_admin


@pytest.fixture
def person(factory):
    """A person to enrol."""
    return factory.user(name="Barack Obama", email="obama@hadir.test", npp="77001")


def _box(path: Path) -> tuple[int, int, int, int]:
    (box,) = services.detect_faces(services.load_image(path.read_bytes()).pixels)
    return box


def _blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 150), (120, 160, 200)).save(out, "PNG")
    return out.getvalue()


def _huge_png_header(width=30000, height=30000) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
            + chunk(b"IEND", b""))


def _post_photos(session, user_id, files, *, htmx=False, token=True):
    page = f"/admin/faces/people/{user_id}"
    data = {"photos": [(io.BytesIO(content), name) for name, content in files]}
    if token:
        data["csrf_token"] = session.token(page)
    headers = {"HX-Request": "true"} if htmx else {}
    return session.client.post(f"{page}/photos", data=data, headers=headers, content_type="multipart/form-data")


def _samples(app, user_id):
    from app.extensions import db

    with app.app_context():
        rows = db.session.scalars(db.select(FaceSample).filter_by(user_id=user_id).order_by(FaceSample.id)).all()
        return [(r.id, r.photo_path, (r.box_top, r.box_right, r.box_bottom, r.box_left)) for r in rows]


def _stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "faces").rglob("*") if p.is_file()) if (folder / "faces").exists() else []


# --- one person ------------------------------------------------------------------

def test_upload_stores_each_photo_with_its_face_box(app, en_admin, person, uploads):
    response = _post_photos(en_admin, person.id, [("obama.jpg", OBAMA.read_bytes()), ("obama2.jpg", OBAMA2.read_bytes())])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('data-ok="true"') == 2
    samples = _samples(app, person.id)
    assert [s[2] for s in samples] == [_box(OBAMA), _box(OBAMA2)]
    for _id, path, _b in samples:
        assert (uploads / path).read_bytes() in (OBAMA.read_bytes(), OBAMA2.read_bytes())
    # the gallery draws the box in percent of the photo
    width, height = Image.open(OBAMA).size
    top, right, bottom, left = samples[0][2]
    assert f"left: {round(100 * left / width, 2)}%; top: {round(100 * top / height, 2)}%" in page
    assert 'data-sample-count="2"' in page
    assert "2–5 photos from different angles" in text_of(page)


def test_refused_photos_say_why_and_store_nothing(app, en_admin, person, uploads):
    response = _post_photos(en_admin, person.id, [
        ("group.jpg", TWO.read_bytes()),
        ("wall.png", _blank_png()),
        ("notes.jpg", b"this is not an image"),
        ("huge.png", _huge_png_header()),
    ])
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "group.jpg 2 faces found — the photo must show one person only." in text
    assert "wall.png No face found." in text
    assert "notes.jpg Not an image: only JPEG and PNG photos are accepted" in text
    assert "huge.png Too large: at most 8 MB and 24 megapixels." in text
    assert _samples(app, person.id) == []
    assert _stored_files(uploads) == []


def test_htmx_upload_answers_result_lines_and_gallery_out_of_band(en_admin, person):
    response = _post_photos(en_admin, person.id, [("obama.jpg", OBAMA.read_bytes())], htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<li class="face-result face-result--ok"')
    assert 'id="face-samples" hx-swap-oob="true"' in body
    assert 'data-sample-count="1"' in body


def test_upload_without_csrf_token_is_refused(app, en_admin, person):
    response = _post_photos(en_admin, person.id, [("obama.jpg", OBAMA.read_bytes())], token=False)
    assert response.status_code == 400
    assert _samples(app, person.id) == []


def test_upload_route_accepts_more_than_the_app_limit(app, en_admin, person):
    """A photo of ~1.5 MB (over the app's 1 MiB request limit) is accepted by this route."""
    big = io.BytesIO()
    Image.open(OBAMA).save(big, "PNG")  # PNG of the same pixels, larger than 1 MiB
    assert big.tell() > app.config["MAX_CONTENT_LENGTH"]
    response = _post_photos(en_admin, person.id, [("obama.png", big.getvalue())])
    assert response.status_code == 200
    assert len(_samples(app, person.id)) == 1


def test_delete_sample_in_place(app, en_admin, person, uploads):
    _post_photos(en_admin, person.id, [("obama.jpg", OBAMA.read_bytes()), ("obama2.jpg", OBAMA2.read_bytes())])
    (first, path, _b), (second, _p, _b2) = _samples(app, person.id)
    page_url = f"/admin/faces/people/{person.id}"
    url = f"{page_url}/samples/{first}/delete"
    response = en_admin.submit(page_url, url, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="face-samples"')
    assert "The sample was deleted." in body and 'data-sample-count="1"' in body
    assert [s[0] for s in _samples(app, person.id)] == [second]
    assert (uploads / path).is_file()  # the photo stays for audit
    again = en_admin.submit(page_url, url, htmx=True)
    assert "already deleted" in again.get_data(as_text=True)
    # without htmx: back to the page
    response = en_admin.submit(page_url, f"{page_url}/samples/{second}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith(page_url)
    assert _samples(app, person.id) == []


def test_delete_only_the_persons_own_sample(app, en_admin, person, factory):
    other = factory.user(name="Joe Biden", email="biden@hadir.test")
    _post_photos(en_admin, other.id, [("biden.jpg", BIDEN.read_bytes())])
    ((sample_id, _p, _b),) = _samples(app, other.id)
    page_url = f"/admin/faces/people/{person.id}"
    response = en_admin.submit(page_url, f"{page_url}/samples/{sample_id}/delete", htmx=True)
    assert "already deleted" in response.get_data(as_text=True)
    assert count(app, FaceSample, FaceSample.id == sample_id) == 1


def test_photos_only_for_signed_in_admins(app, en_admin, person, anon, as_petugas):
    _post_photos(en_admin, person.id, [("obama.jpg", OBAMA.read_bytes())])
    ((sample_id, _p, _b),) = _samples(app, person.id)
    url = f"/admin/faces/samples/{sample_id}/photo"
    response = en_admin.get(url)
    assert response.status_code == 200
    assert response.data == OBAMA.read_bytes()
    assert "no-store" in response.headers["Cache-Control"]
    assert anon.get(url).status_code == 302
    assert "/admin/login" in anon.get(url).headers["Location"]
    assert as_petugas.get(url).status_code == 403
    assert en_admin.get("/admin/faces/samples/999999/photo").status_code == 404


def test_petugas_and_anonymous_cannot_use_the_pages(as_petugas, anon, person):
    for url in ("/admin/faces/", f"/admin/faces/people/{person.id}", "/admin/faces/bulk"):
        assert as_petugas.get(url).status_code == 403
        assert anon.get(url).status_code == 302
    response = as_petugas.client.post(f"/admin/faces/people/{person.id}/photos", data={})
    assert response.status_code in (400, 403)


# --- people list ----------------------------------------------------------------------

def test_people_list_counts_and_filters(app, en_admin, person, factory):
    factory.user(name="Siti Rahma", role="siswa", nisn_nip_nik="0051234567")
    _post_photos(en_admin, person.id, [("obama.jpg", OBAMA.read_bytes()), ("obama2.jpg", OBAMA2.read_bytes())])
    page = en_admin.get("/admin/faces/").get_data(as_text=True)
    assert re.search(rf'data-user-id="{person.id}".*?data-sample-count="2"', page, re.S)
    assert "Siti Rahma" in page
    enrolled = text_of(en_admin.get("/admin/faces/?enrolled=yes").get_data(as_text=True))
    assert "Barack Obama" in enrolled and "Siti Rahma" not in enrolled
    not_enrolled = text_of(en_admin.get("/admin/faces/?enrolled=no").get_data(as_text=True))
    assert "Siti Rahma" in not_enrolled and "Barack Obama" not in not_enrolled
    by_nisn = en_admin.get("/admin/faces/?q=00512", htmx=True).get_data(as_text=True)
    assert by_nisn.lstrip().startswith('<div id="face-people">')
    assert "Siti Rahma" in by_nisn and "Barack Obama" not in by_nisn
    assert "Barack Obama" in en_admin.get("/admin/faces/?q=77001").get_data(as_text=True)


def test_user_edit_page_links_to_face_enrolment(en_admin, person):
    page = en_admin.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    assert f'href="/admin/faces/people/{person.id}"' in page


# --- bulk ZIP -------------------------------------------------------------------------

def _zip(entries) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


def _upload_zip(session, content: bytes):
    token = session.token("/admin/faces/bulk")
    return session.client.post("/admin/faces/bulk", headers={"HX-Request": "true"},
                               data={"csrf_token": token, "file": (io.BytesIO(content), "faces.zip")},
                               content_type="multipart/form-data")


def _run_steps(session, body: str, limit=30) -> tuple[str, list[str]]:
    progress = []
    for _n in range(limit):
        match = re.search(r'name="token" type="hidden" value="([^"]+)"|id="token" name="token" type="hidden" value="([^"]+)"', body)
        if not match:
            return body, progress
        progress.append(re.search(r"(\d+ of \d+ photos)", text_of(body)).group(1))
        token = next(g for g in match.groups() if g)
        body = session.client.post("/admin/faces/bulk/step", headers={"HX-Request": "true"},
                                   data={"csrf_token": csrf_from(body), "token": token}).get_data(as_text=True)
    raise AssertionError("the bulk enrolment did not finish")


def _result_rows(body: str) -> dict[str, tuple[str, str]]:
    rows = {}
    for name, status, cells in re.findall(r'<tr data-entry="([^"]*)" data-status="(\w+)">(.*?)</tr>', body, re.S):
        rows[name] = (status, text_of(cells))
    return rows


def test_bulk_zip_enrols_per_entry_and_refuses_tricks(app, en_admin, person, factory, uploads, monkeypatch):
    biden = factory.user(name="Joe Biden", npp="88002")
    monkeypatch.setattr(face_views, "STEP_PHOTOS", 2)
    bomb = b"\x00" * (services.MAX_IMAGE_BYTES + 1024)  # compresses to a few KB
    content = _zip([
        ("export/obama@hadir.test/obama.jpg", OBAMA.read_bytes()),
        ("export/obama@hadir.test/group.jpg", TWO.read_bytes()),
        ("export/88002/biden.jpg", BIDEN.read_bytes()),
        ("export/88002/readme.txt", b"hello"),
        ("export/nobody@hadir.test/obama2.jpg", OBAMA2.read_bytes()),
        ("export/88002/bomb.jpg", bomb),
        ("export/88002/broken.jpg", b"not really a jpeg"),
        ("export/../../evil.jpg", OBAMA.read_bytes()),
        ("/etc/evil.jpg", OBAMA.read_bytes()),
        ("export/deep/er/photo.jpg", OBAMA.read_bytes()),
        ("export/__MACOSX/._obama.jpg", b"junk"),
    ])
    assert len(content) > app.config["MAX_CONTENT_LENGTH"]  # the ZIP route has its own, larger limit
    response = _upload_zip(en_admin, content)
    assert response.status_code == 200
    body, progress = _run_steps(en_admin, response.get_data(as_text=True))
    assert progress == ["0 of 4 photos", "2 of 4 photos"]
    rows = _result_rows(body)
    assert rows["export/obama@hadir.test/obama.jpg"][0] == "stored"
    assert rows["export/obama@hadir.test/group.jpg"] == ("refused", rows["export/obama@hadir.test/group.jpg"][1])
    assert "2 faces found" in rows["export/obama@hadir.test/group.jpg"][1]
    assert rows["export/88002/biden.jpg"][0] == "stored"
    assert rows["export/88002/readme.txt"][0] == "skipped"
    assert rows["export/nobody@hadir.test/obama2.jpg"][0] == "unknown"
    assert "Too large" in rows["export/88002/bomb.jpg"][1]
    assert "Not an image" in rows["export/88002/broken.jpg"][1]
    assert "unsafe path" in rows["export/../../evil.jpg"][1]
    assert "unsafe path" in rows["/etc/evil.jpg"][1]
    assert "<person>/<photo>" in rows["export/deep/er/photo.jpg"][1]
    assert not any("__MACOSX" in name for name in rows)
    assert 'data-tally-stored>2<' in body
    assert [s[2] for s in _samples(app, person.id)] == [_box(OBAMA)]
    assert [s[2] for s in _samples(app, biden.id)] == [_box(BIDEN)]
    # nothing written outside faces/, and the kept ZIP is gone
    assert not (uploads.parent / "evil.jpg").exists()
    assert list((uploads / "face-imports").iterdir()) == []


def test_bulk_zip_limits_refuse_the_whole_file(app, en_admin, person, monkeypatch, uploads):
    monkeypatch.setattr(bulk, "MAX_ENTRIES", 2)
    many = _zip([(f"obama@hadir.test/{n}.jpg", b"x") for n in range(3)])
    text = text_of(_upload_zip(en_admin, many).get_data(as_text=True))
    assert "more than 2 entries" in text
    monkeypatch.setattr(bulk, "MAX_ENTRIES", 1000)
    monkeypatch.setattr(bulk, "MAX_TOTAL_BYTES", 1000)
    big = _zip([("obama@hadir.test/a.jpg", b"\x00" * 2000)])
    assert "would unpack to more than" in text_of(_upload_zip(en_admin, big).get_data(as_text=True))
    assert "not a ZIP file" in text_of(_upload_zip(en_admin, b"PK but not a zip").get_data(as_text=True))
    assert list((uploads / "face-imports").iterdir()) == []
    assert _samples(app, person.id) == []


def test_bulk_step_of_another_session_is_refused(app, en_admin, person, admin, factory):
    response = _upload_zip(en_admin, _zip([("obama@hadir.test/obama.jpg", OBAMA.read_bytes())]))
    body = response.get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"|id="token" name="token" type="hidden" value="([^"]+)"',
                      body)
    token = next(g for g in token.groups() if g)
    from tests.helpers import AdminSession

    other = AdminSession(app.test_client())
    assert other.login("admin@hadir.test").status_code == 302
    page = other.get("/admin/faces/bulk").get_data(as_text=True)
    response = other.client.post("/admin/faces/bulk/step", data={"csrf_token": csrf_from(page), "token": token})
    assert "expired" in text_of(response.get_data(as_text=True)) or "kedaluwarsa" in response.get_data(as_text=True)
    assert _samples(app, person.id) == []


def test_an_entry_zipfile_cannot_inflate_is_refused(tmp_path):
    """An entry compressed with a method zipfile does not support (here 9, Deflate64) is
    refused as an invalid photo, not left to fail inside zipfile."""
    path = tmp_path / "deflate64.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("90001/photo.jpg", OBAMA.read_bytes()[:100])
    raw = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):   # local header, central directory
        at = raw.index(signature) + offset
        raw[at:at + 2] = struct.pack("<H", 9)
    path.write_bytes(bytes(raw))
    with pytest.raises(services.FaceImageInvalid):
        bulk.read_entry(path, "90001/photo.jpg")
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(stored, "w") as archive:
        archive.writestr("90001/photo.jpg", b"\xff\xd8 jpeg bytes")
    assert bulk.read_entry(stored, "90001/photo.jpg") == b"\xff\xd8 jpeg bytes"
