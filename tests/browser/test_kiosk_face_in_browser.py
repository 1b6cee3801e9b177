"""A real browser with a fake webcam showing an enrolled person: the kiosk's face mode sends
frames, the person is checked in once ("Selamat ..., Barack — masuk HH:MM"), and the next look
says they already checked in instead of checking them out."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts.models import User
from app.attendance.models import AttendanceEvent
from app.extensions import db
from app.kiosk import services as kiosks
from tests.helpers import count

from .conftest import mjpeg_feed, pair_kiosk

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"




def _face_kiosk_with_obama(app, factory) -> str:
    """Barack Obama enrolled (two photos), windows open all day (the test does not depend on the
    hour it runs at), a face kiosk at his office; returns the kiosk's pairing code."""
    from app.faces.services import enrol, load_image

    office = factory.office()
    factory.schedule(check_in=("00:00", "23:59"), check_out=("00:00", "23:59"), late_after="23:59")
    person = factory.user(name="Barack Obama", office=office)
    with app.app_context():
        user = db.session.get(User, person.id)
        for photo in sorted((FACES / "enroll" / "obama").iterdir()):
            enrol(user, load_image(photo.read_bytes()))
        kiosk = kiosks.create_kiosk(None, name="Lobi Utama", office_id=office.id, modes=["face"])
        code = kiosks.issue_pairing_code(kiosk).code
        db.session.commit()
    return code


@pytest.mark.browser
def test_an_enrolled_face_checks_in_once(app, factory, live_server, tmp_path, webcam_page):
    code = _face_kiosk_with_obama(app, factory)
    page = webcam_page(mjpeg_feed(FACES / "probe" / "obama-480p.jpg", tmp_path / "face.mjpeg"))
    pair_kiosk(page, live_server, code)
    page.wait_for_selector("#kiosk-face-result[data-state=ok]")
    title = page.inner_text("#kiosk-face-result .kiosk-result-title")
    assert title.startswith("Selamat ") and ", Barack — masuk " in title
    page.screenshot(path="/tmp/kiosk-face.png")
    page.wait_for_selector("#kiosk-face-result[data-state=info]", timeout=20_000)
    assert "sudah absen masuk" in page.inner_text("#kiosk-face-result .kiosk-result-title")
    with app.app_context():
        kinds = [e.kind for e in db.session.scalars(db.select(AttendanceEvent))]
    assert kinds == ["check_in"]
    assert count(app, AttendanceEvent) == 1


@pytest.mark.browser
def test_an_unknown_face_records_nothing(app, factory, live_server, tmp_path, webcam_page):
    code = _face_kiosk_with_obama(app, factory)
    # Joe Biden is not enrolled: the kiosk says so and records nothing
    page = webcam_page(mjpeg_feed(FACES / "enroll" / "biden" / "biden.jpg", tmp_path / "stranger.mjpeg"))
    pair_kiosk(page, live_server, code)
    page.wait_for_selector("#kiosk-face-result[data-state=error]")
    assert page.inner_text("#kiosk-face-result .kiosk-result-title") == "Wajah tidak dikenali"
    page.screenshot(path="/tmp/kiosk-face-unknown.png")
    assert count(app, AttendanceEvent) == 0
