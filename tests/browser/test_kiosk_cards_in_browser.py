"""A real browser with a fake webcam: a student holds a QR card up to the kiosk camera,
the page reads it (qr-scanner in a Web Worker), the student is recorded present once,
and the screen says so in large type."""
from __future__ import annotations

import io

import pytest

from app.common import clock
from app.extensions import db
from app.kiosk import services as kiosks
from app.school.models import ClassEnrollment, SchoolClass, StudentAttendance, StudentQrCard
from app.school.services import academic_year_of
from tests.helpers import count

from .conftest import mjpeg_feed, pair_kiosk


def _card_frame(code: str):
    """A 640×480 webcam frame with the card's QR in the middle (a PIL image)."""
    from PIL import Image

    from app.qr.images import qr_png

    frame = Image.new("RGB", (640, 480), (90, 110, 130))
    qr = Image.open(io.BytesIO(qr_png(code, scale=8))).convert("RGB")
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    return frame


@pytest.mark.browser
def test_a_card_held_up_to_the_kiosk_camera_is_recorded_once(app, factory, live_server, tmp_path, webcam_page):
    siti = factory.user(role="siswa", name="Siti Aminah", nisn_nip_nik="0051")
    with app.app_context():
        cls = SchoolClass(name="X IPA 1")
        db.session.add(cls)
        db.session.flush()
        db.session.add_all([ClassEnrollment(class_id=cls.id, student_id=siti.id,
                                            academic_year=academic_year_of(clock.local_today())),
                            StudentQrCard(student_id=siti.id, qr_code="SITI0001", is_active=True)])
        kiosk = kiosks.create_kiosk(None, name="Gerbang Sekolah", office_id=None, modes=["cards"])
        code = kiosks.issue_pairing_code(kiosk).code
        db.session.commit()
    page = webcam_page(mjpeg_feed(_card_frame("SITI0001"), tmp_path / "card.mjpeg"))
    pair_kiosk(page, live_server, code)
    page.wait_for_selector("#kiosk-result[data-state=ok]")
    assert page.inner_text("#kiosk-result-title").startswith("Siti Aminah — hadir ")
    assert page.inner_text("#kiosk-result-detail") == "X IPA 1"
    assert page.inner_text("#kiosk-count-here") == "1"
    assert page.inner_text("#kiosk-count-today") == "1"
    page.screenshot(path="/tmp/kiosk-cards.png")
    # the card stays in front of the camera: after the 4 s pause it is read again and
    # the server answers "already recorded", never a second record
    page.wait_for_selector("#kiosk-result[data-state=info]", timeout=12_000)
    assert "sudah tercatat" in page.inner_text("#kiosk-result-title")
    assert page.inner_text("#kiosk-count-here") == "1"
    assert count(app, StudentAttendance) == 1
