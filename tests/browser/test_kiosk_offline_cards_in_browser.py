"""Student cards keep being scanned when the network drops: a real browser with a fake webcam
showing three cards in turn goes offline, the three scans are kept on the tablet (IndexedDB) and
shown as "tersimpan, akan dikirim"; back online they are sent and exactly three attendances are
recorded; the same queue sent again records none twice."""
from __future__ import annotations

import io
import subprocess

import pytest

from app.common import clock
from app.extensions import db
from app.kiosk import services as kiosks
from app.school.models import ClassEnrollment, SchoolClass, StudentAttendance, StudentQrCard
from app.school.services import academic_year_of
from tests.helpers import count

from .conftest import pair_kiosk

CARDS = {"SITI0001": "Siti Aminah", "BUDI0002": "Budi Santoso", "RINA0003": "Rina Wati"}
READ_QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("hadir-kiosk");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction("card-scans").objectStore("card-scans").getAll();
    get.onsuccess = () => { resolve(get.result); open.result.close(); };
  };
})"""
WRITE_QUEUE = """(items) => new Promise((resolve) => {
  const open = indexedDB.open("hadir-kiosk");
  open.onsuccess = () => {
    const tx = open.result.transaction("card-scans", "readwrite");
    items.forEach((item) => tx.objectStore("card-scans").put(item));
    tx.oncomplete = () => { open.result.close(); resolve(); };
  };
})"""


def _three_cards_feed(path):
    """A 10 fps y4m webcam clip: each card for one second in the middle of a 640×480 frame, looped."""
    from PIL import Image

    from app.qr.images import qr_png

    frames = []
    for code in CARDS:
        frame = Image.new("RGB", (640, 480), (90, 110, 130))
        qr = Image.open(io.BytesIO(qr_png(code, scale=8))).convert("RGB")
        frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
        frame.save(path.parent / f"card-{len(frames)}.png")
        frames.append(path.parent / f"card-{len(frames)}.png")
    listing = path.parent / "cards.txt"
    listing.write_text("".join(f"file '{frame}'\nduration 1\n" for frame in frames) + f"file '{frames[-1]}'\n")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-r", "10", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


@pytest.mark.browser
def test_cards_scanned_offline_are_sent_once_when_back_online(app, factory, live_server, tmp_path, webcam_page):
    with app.app_context():
        cls = SchoolClass(name="X IPA 1")
        db.session.add(cls)
        db.session.flush()
        class_id = cls.id
        db.session.commit()
    for i, (code, name) in enumerate(CARDS.items()):
        student = factory.user(role="siswa", name=name, nisn_nip_nik=f"005{i}")
        with app.app_context():
            db.session.add_all([ClassEnrollment(class_id=class_id, student_id=student.id,
                                                academic_year=academic_year_of(clock.local_today())),
                                StudentQrCard(student_id=student.id, qr_code=code, is_active=True)])
            db.session.commit()
    with app.app_context():
        kiosk = kiosks.create_kiosk(None, name="Gerbang Sekolah", office_id=None, modes=["qr", "cards"])
        code = kiosks.issue_pairing_code(kiosk).code
        db.session.commit()

    page = webcam_page(_three_cards_feed(tmp_path / "cards.y4m"))
    page.set_viewport_size({"width": 800, "height": 1280})
    pair_kiosk(page, live_server, code)                    # opens in QR mode: no card read yet
    page.wait_for_selector("[data-kiosk][data-ready=true]")
    page.context.set_offline(True)
    page.click("[data-mode-button=cards]")
    page.wait_for_function("() => document.getElementById('kiosk-count-queued').textContent === '3'", timeout=30_000)
    assert page.is_visible("#kiosk-offline")
    assert page.inner_text("#kiosk-result-title") == "Tersimpan, akan dikirim"
    assert page.locator("#kiosk-recent li[data-state=queued]").count() == 3
    page.screenshot(path="/tmp/kiosk-cards-offline-800x1280.png")
    assert count(app, StudentAttendance) == 0
    kept = page.evaluate(READ_QUEUE)
    assert sorted(item["code"] for item in kept) == sorted(CARDS)

    page.context.set_offline(False)
    page.wait_for_function("() => document.querySelector('[data-queued]').hidden", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#kiosk-recent li[data-state=queued]')")
    page.screenshot(path="/tmp/kiosk-cards-back-online-800x1280.png")
    with app.app_context():
        rows = list(db.session.scalars(db.select(StudentAttendance)))
        assert sorted(row.client_id for row in rows) == sorted(item["client_id"] for item in kept)
        assert all(row.client_time is not None for row in rows)       # each scan's own time, as reported
    assert page.evaluate(READ_QUEUE) == []

    # the same queue again (an answer lost on the way back): sent, answered, nothing recorded twice
    page.evaluate(WRITE_QUEUE, kept)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function(f"() => new Promise((resolve) => {{ const open = indexedDB.open('hadir-kiosk'); "
                           f"open.onsuccess = () => {{ const c = open.result.transaction('card-scans')"
                           f".objectStore('card-scans').count(); c.onsuccess = () => {{ resolve(c.result === 0); "
                           f"open.result.close(); }}; }}; }})", timeout=30_000)
    assert count(app, StudentAttendance) == 3
    assert page.inner_text("#kiosk-count-here") == "3"
