"""Every kiosk mode on a tablet in portrait (800×1280), in landscape (1280×800) and on a 1366
screen, in one real browser with a fake webcam: nothing is cut off or wider than the screen,
the camera modes show the camera, the face mode checks the enrolled person in (portrait) and
then says they already did (landscape), and the ER form refuses the photo step until the
details are filled. Screenshots: /tmp/kiosk-layout-<mode>-<width>x<height>.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts.models import User
from app.attendance.models import AttendanceEvent
from app.extensions import db
from app.kiosk import services as kiosks
from tests.helpers import count

from .conftest import mjpeg_feed, pair_kiosk, violations, watch

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
SIZES = [(800, 1280), (1280, 800), (1366, 768)]

#: Whatever sticks out of the screen (elements whose box passes the right edge, the page's own overflow),
#: and a clock pushed off the name's row.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth, out = [];
  if (document.documentElement.scrollWidth > width) out.push("page " + document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll(".kiosk-header *, .kiosk-main *")) {
    if (!el.offsetParent || el.closest(".kiosk-modes")) continue;      // hidden; the mode row scrolls by design
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) out.push((el.id || el.className || el.tagName) + " " + Math.round(box.right));
  }
  const clock = document.getElementById("kiosk-clock").getBoundingClientRect();
  const brand = document.querySelector(".kiosk-brand").getBoundingClientRect();
  if (clock.right > width || clock.bottom > window.innerHeight || !clock.width) out.push("clock");
  if (Math.abs((clock.top + clock.bottom) / 2 - (brand.top + brand.bottom) / 2) > 20) out.push("clock not beside the name");
  return out;
}"""


@pytest.mark.browser
def test_every_mode_fits_portrait_and_landscape_tablets(app, factory, live_server, tmp_path, webcam_page):
    from app.faces.services import enrol, load_image

    office = factory.office()
    factory.schedule(check_in=("00:00", "23:59"), check_out=("00:00", "23:59"), late_after="23:59")
    person = factory.user(name="Barack Obama", office=office)
    with app.app_context():
        user = db.session.get(User, person.id)
        for photo in sorted((FACES / "enroll" / "obama").iterdir()):
            enrol(user, load_image(photo.read_bytes()))
        kiosk = kiosks.create_kiosk(None, name="Lobi Utama Gedung Pusat", office_id=office.id,
                                    modes=["face", "qr", "cards", "escorts"])
        code = kiosks.issue_pairing_code(kiosk).code
        db.session.commit()

    page = webcam_page(mjpeg_feed(FACES / "probe" / "obama-480p.jpg", tmp_path / "face.mjpeg"))
    console = watch(page)
    page.set_viewport_size({"width": 800, "height": 1280})
    pair_kiosk(page, live_server, code)
    page.wait_for_selector("[data-kiosk][data-ready=true]")
    expected_face = {(800, 1280): "ok", (1280, 800): "info"}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for mode in ("face", "qr", "cards", "escorts"):
            page.click(f"[data-mode-button={mode}]")
            section = f"#kiosk-{mode}-mode"
            page.wait_for_selector(f"{section}:not([hidden])")
            if mode in ("face", "cards"):
                page.wait_for_function(f"() => document.querySelector('{section} video').videoWidth > 0")
            if mode == "face" and (width, height) in expected_face:
                page.wait_for_selector(f"#kiosk-face-result[data-state={expected_face[width, height]}]", timeout=30_000)
            if mode == "qr":
                page.wait_for_selector("#kiosk-qr svg")
            if mode == "escorts" and width == 800:
                page.click("[data-category=ambulance]")
                page.fill("input[name=name]", "Budi Santoso")
                page.click("[data-step=details] [data-go=photo]")             # the rest is missing
                page.wait_for_selector("[data-error-for=phone]:not([hidden])")
                assert page.is_hidden("[data-step=photo]") and page.is_visible("[data-step=details]")
                assert page.inner_text("[data-error-for=phone]") == "Tulis nomor telepon 10 sampai 20 angka."
            assert page.evaluate(OVERFLOW) == [], (mode, width, height)
            page.screenshot(path=f"/tmp/kiosk-layout-{mode}-{width}x{height}.png")
    assert violations(page, console) == []
    with app.app_context():
        assert [e.kind for e in db.session.scalars(db.select(AttendanceEvent))] == ["check_in"]
    assert count(app, AttendanceEvent) == 1
