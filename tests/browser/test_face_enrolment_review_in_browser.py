"""A real browser: a first face photo from the face app waits in the review inbox beside the person's
name; the admin looks at it, approves it in place (htmx, no reload), and the section empties."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

from app.extensions import db
from app.faces.models import FaceEnrolmentRequest, FaceSample

from tests.helpers import count

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
SHOTS = Path("/tmp/contract-shots")


def _first_photo(app, email: str, photo: Path) -> None:
    client = app.test_client()
    assert client.post("/face/api/login", json={"email": email, "password": "password123"}).status_code == 200
    response = client.post("/face/api/attendance", json={"image": base64.b64encode(photo.read_bytes()).decode()})
    assert response.status_code == 201, response.get_json()


@pytest.mark.browser
def test_approving_a_face_enrolment_in_the_inbox(app, factory, live_server, browser_page, memoised_face_pipeline):
    factory.schedule(check_in=("00:00", "23:59"), check_out=("00:00", "23:59"), late_after="23:59")
    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test")
    factory.user(name="Barack Obama", email="obama@example.test", npp="20001")
    factory.user(name="Joe Biden", email="biden@example.test", npp="20002")
    _first_photo(app, "obama@example.test", FACES / "probe" / "obama-480p.jpg")
    _first_photo(app, "biden@example.test", FACES / "enroll" / "biden" / "biden.jpg")
    with app.app_context():
        obama_request = db.session.scalar(db.select(FaceEnrolmentRequest).order_by(FaceEnrolmentRequest.id)).id

    page = browser_page
    page.goto(f"{live_server}/admin/attendance/review")
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/attendance/review")
    section = page.locator("#face-enrolments")
    section.scroll_into_view_if_needed()
    photo = page.locator(f"#face-enrolment-{obama_request} img.enrolment-photo")
    photo.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", photo.element_handle())  # the photo shows
    SHOTS.mkdir(exist_ok=True)
    for width in (1366, 1280, 800, 390):
        page.set_viewport_size({"width": width, "height": 900})
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(SHOTS / f"face-enrolments-{width}.png"))

    page.set_viewport_size({"width": 1366, "height": 900})
    page.evaluate("window.__marker = 1")
    page.locator(f"#face-enrolment-{obama_request} button", has_text="Setujui").click()
    page.locator("#review-list .flash--success", has_text="Wajah Barack Obama didaftarkan").wait_for()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert page.locator(f"#face-enrolment-{obama_request}").count() == 0
    assert page.locator("#face-enrolments tbody tr:not(.reject-row)").count() == 1  # Biden's still waits
    page.locator("#face-enrolments").screenshot(path=str(SHOTS / "face-enrolments-after-approve.png"))
    assert count(app, FaceSample) == 1
