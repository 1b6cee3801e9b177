"""The ER kiosk mode: whoever brings a patient in registers with a photo;
the registration is an escort like the igd API's, pending, with its photo stored as a file."""
from __future__ import annotations

import base64
import io
import re

import pytest

from app.escorts.models import Escort
from app.extensions import db
from tests.helpers import count, kiosk_csrf

URL = "/kiosk/escorts"


def _jpeg_b64(size=(64, 48)) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def _register(tablet, **changes):
    body = {"category": "ambulance", "name": "Budi Santoso", "gender": "male", "phone": "081234567890",
            "plate_number": "B 1234 XYZ", "patient_name": "Siti Aminah", "photo": _jpeg_b64()}
    body.update(changes)
    return tablet.post(URL, json=body, headers={"X-CSRFToken": kiosk_csrf(tablet)})


def test_a_registration_is_a_pending_escort_with_its_photo(app, paired_tablet, uploads):
    tablet = paired_tablet(modes=("escorts",))
    response = _register(tablet)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["result"] == "registered" and re.fullmatch(r"IGD-\d{4,}", body["reference"])
    assert body["message"].startswith("Terima kasih, Budi Santoso.")
    with app.app_context():
        escort = db.session.scalar(db.select(Escort))
        assert (escort.category, escort.status, escort.api_submission, escort.created_by_id) == (
            "ambulance", "pending", False, None)
        assert body["reference"] == f"IGD-{escort.id:04d}" == escort.reference    # short, derived from the row
        assert re.fullmatch(r"reg_[0-9a-f]{13}", escort.submission_id)            # the contract's own id unchanged
        assert (uploads / escort.photo_path).read_bytes()[:2] == b"\xff\xd8"


def test_each_bad_field_gets_a_friendly_message_and_nothing_is_stored(app, paired_tablet):
    tablet = paired_tablet(modes=("escorts",))
    response = _register(tablet, category="alien", name="B", gender="", phone="12ab", plate_number="",
                         patient_name=None, photo="not a photo")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"category", "name", "gender", "phone", "plate_number", "patient_name", "photo"}
    assert errors["photo"] == ["Ambil foto terlebih dahulu."]
    assert count(app, Escort) == 0


def test_the_details_are_checked_before_the_photo_and_nothing_is_stored(app, paired_tablet):
    tablet = paired_tablet(modes=("escorts",))
    headers = {"X-CSRFToken": kiosk_csrf(tablet)}
    missing = tablet.post(URL + "/check", json={"category": "police", "name": "Budi Santoso"}, headers=headers)
    assert missing.status_code == 422 and missing.get_json()["result"] == "invalid"
    errors = missing.get_json()["errors"]
    assert set(errors) == {"gender", "phone", "plate_number", "patient_name"}      # no photo asked for yet
    assert errors["phone"] == ["Tulis nomor telepon 10 sampai 20 angka."]
    ready = tablet.post(URL + "/check", json={"category": "police", "name": "Budi Santoso", "gender": "male",
                                              "phone": "081234567890", "plate_number": "B 1234 XYZ",
                                              "patient_name": "Siti Aminah"}, headers=headers)
    assert ready.status_code == 200 and ready.get_json()["result"] == "valid"
    assert tablet.post(URL + "/check", data="x", content_type="text/plain", headers=headers).status_code == 415
    lobby = paired_tablet(modes=("qr",), name="Lobi")
    assert lobby.post(URL + "/check", json={}, headers={"X-CSRFToken": kiosk_csrf(lobby)}).status_code == 403
    assert count(app, Escort) == 0


def test_staff_find_a_registration_by_its_short_reference(app, paired_tablet, uploads, factory):
    from app.escorts.services import escorts_search_query

    tablet = paired_tablet(modes=("escorts",))
    _register(tablet, name="Orang Lain")
    reference = _register(tablet).get_json()["reference"]
    with app.app_context():
        for typed in (reference, reference.lower(), reference.replace("-", " "), "IGD-" + reference[4:].lstrip("0")):
            assert [e.name for e in db.session.scalars(escorts_search_query(search=typed))] == ["Budi Santoso"], typed


@pytest.mark.parametrize("photo", [_jpeg_b64((5000, 10)), "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
                                   "A" * (4 * 1024 * 1024)])
def test_photos_are_checked_with_caps(app, paired_tablet, photo):
    response = _register(paired_tablet(modes=("escorts",)), photo=photo)
    assert response.status_code in (413, 422)
    assert count(app, Escort) == 0


def test_mode_csrf_json_and_pairing_are_required(app, paired_tablet, client):
    other = paired_tablet(modes=("qr",), name="Lobi")
    assert _register(other).status_code == 403
    er = paired_tablet(modes=("escorts",))
    assert er.post(URL, json={"name": "x"}).status_code == 400                       # no CSRF token
    not_json = er.post(URL, data="name=x", content_type="application/x-www-form-urlencoded",
                       headers={"X-CSRFToken": kiosk_csrf(er)})
    assert not_json.status_code == 415
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/kiosk/pair").get_data(as_text=True))[1]
    assert client.post(URL, json={}, headers={"X-CSRFToken": token}).status_code == 401     # not a kiosk
    assert count(app, Escort) == 0


def test_the_kiosk_page_offers_the_three_categories(paired_tablet):
    page = paired_tablet(modes=("escorts",)).get("/kiosk/").get_data(as_text=True)
    assert [m for m in re.findall(r'data-category="(\w+)"', page)] == ["police", "ambulance", "individual"]
    assert re.search(r"/kiosk/assets/[0-9a-f]{12}/main\.js", page) and "Polisi" in page and "Ambulans" in page and "Perorangan" in page
