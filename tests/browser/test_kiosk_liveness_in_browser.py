"""A kiosk with liveness on, in a real browser.

- A shared photo of an enrolled person as a static fake webcam (Chromium's file camera): the
  kiosk shows the challenge in large type, sends the burst, says "Ikuti petunjuk di layar" and
  checks nobody in; with liveness turned off, the same kiosk and the same camera check the
  person in (the control).
- A "live person" in front of the camera: the page's camera is a canvas that plays the synthetic
  footage of ``tests/faces/liveness_footage.py`` (eyes closed, head turned) in reaction to the
  prompt the kiosk shows, 300 ms after it appears, as a person would.  The challenge is chosen
  by the test (blink, then turn left): the kiosk checks the person in.
"""
from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from app.accounts.models import User
from app.attendance.models import AttendanceEvent
from app.extensions import db
from app.faces import challenges
from app.kiosk import services as kiosks
from app.kiosk.models import Kiosk
from tests.helpers import count
from tests.faces import liveness_footage as F

from .conftest import mjpeg_feed, pair_kiosk, violations, watch

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
RESULT = "#kiosk-face-result"


def _liveness_kiosk_with_obama(app, factory) -> tuple[str, int]:
    """Barack Obama enrolled, windows open all day, a face kiosk with liveness on; returns
    (pairing code, kiosk id)."""
    from app.faces.services import enrol, load_image

    office = factory.office()
    factory.schedule(check_in=("00:00", "23:59"), check_out=("00:00", "23:59"), late_after="23:59")
    person = factory.user(name="Barack Obama", office=office)
    with app.app_context():
        user = db.session.get(User, person.id)
        for photo in sorted((FACES / "enroll" / "obama").iterdir()):
            enrol(user, load_image(photo.read_bytes()))
        kiosk = kiosks.create_kiosk(None, name="Lobi Utama", office_id=office.id, modes=["face"], liveness=True)
        code = kiosks.issue_pairing_code(kiosk).code
        db.session.commit()
        return code, kiosk.id


def _watch_prompts(page) -> None:
    """Record every prompt the overlay shows, in order, in ``window.shownPrompts``."""
    page.evaluate("""() => {
      window.shownPrompts = [];
      const overlay = document.getElementById('kiosk-liveness');
      new MutationObserver(() => {
        const text = overlay.querySelector('[data-liveness-prompt]').textContent;
        if (!overlay.hidden && text && window.shownPrompts[window.shownPrompts.length - 1] !== text) {
          window.shownPrompts.push(text);
        }
      }).observe(overlay, {subtree: true, childList: true, characterData: true, attributes: true});
    }""")


@pytest.mark.browser
def test_a_photo_of_an_enrolled_person_checks_nobody_in_and_the_control_does(
        app, factory, live_server, tmp_path, webcam_page):
    code, kiosk_id = _liveness_kiosk_with_obama(app, factory)
    page = webcam_page(mjpeg_feed(FACES / "probe" / "obama-480p.jpg", tmp_path / "photo.mjpeg"))
    console = watch(page)  # no CSP violation, no script error
    pair_kiosk(page, live_server, code)
    _watch_prompts(page)
    page.wait_for_selector("#kiosk-liveness:not([hidden])[data-action=blink], "
                           "#kiosk-liveness:not([hidden])[data-action=turn_left], "
                           "#kiosk-liveness:not([hidden])[data-action=turn_right]", timeout=20_000)
    page.screenshot(path=str(tmp_path / "kiosk-liveness-prompt.png"))
    page.wait_for_selector(f"{RESULT}[data-state=error]", timeout=40_000)
    assert page.inner_text(f"{RESULT} .kiosk-result-title") == "Ikuti petunjuk di layar"
    prompts = page.evaluate("window.shownPrompts")
    assert prompts[0] == "Lihat ke kamera" and "Memeriksa…" in prompts
    assert {"Kedipkan mata"} <= set(prompts) and ({"Tolehkan kepala ke kiri", "Tolehkan kepala ke kanan"} & set(prompts))
    assert count(app, AttendanceEvent) == 0
    assert violations(page, console) == []
    # the control: the same kiosk with liveness off, the same camera
    with app.app_context():
        kiosk = db.session.get(Kiosk, kiosk_id)
        kiosks.update_kiosk(kiosk, name=kiosk.name, office_id=kiosk.office_id, modes=kiosk.mode_list, liveness=False)
        db.session.commit()
    page.reload()
    page.wait_for_selector(f"{RESULT}[data-state=ok]", timeout=20_000)
    assert ", Barack — masuk " in page.inner_text(f"{RESULT} .kiosk-result-title")
    assert count(app, AttendanceEvent) == 1


def _data_url(pixels) -> str:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=92)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


#: The page's camera: a canvas showing the still, and in reaction to the prompt (300 ms after
#: it appears) the blink or the head turning; what the kiosk films is that canvas.
LIVE_CAMERA = """
(() => {
  const FRAMES = %s;
  const load = (url) => { const image = new Image(); image.src = url; return image; };
  const open = load(FRAMES.open), blink = FRAMES.blink.map(load);
  const turns = {turn_left: FRAMES.turn_left.map(load), turn_right: FRAMES.turn_right.map(load)};
  const canvas = document.createElement('canvas');
  canvas.width = 640; canvas.height = 480;
  const context = canvas.getContext('2d');
  let action = null, since = 0;
  function pick(now) {
    const overlay = document.getElementById('kiosk-liveness');
    const current = overlay && !overlay.hidden ? overlay.dataset.action : null;
    if (current !== action) { action = current; since = now; }
    const t = now - since - 300;
    if (action === 'blink' && t >= 0 && t < blink.length * 125) return blink[Math.floor(t / 125)];
    if (turns[action] && t >= 0) return turns[action][Math.min(turns[action].length - 1, Math.floor(t / 125))];
    return open;
  }
  setInterval(() => { const image = pick(performance.now()); if (image.complete) context.drawImage(image, 0, 0); }, 20);
  navigator.mediaDevices.getUserMedia = async () => canvas.captureStream(30);
})();
"""


@pytest.mark.browser
def test_a_live_person_who_follows_the_prompts_is_checked_in(app, factory, live_server, tmp_path, webcam_page,
                                                             monkeypatch):
    code, _kiosk_id = _liveness_kiosk_with_obama(app, factory)
    monkeypatch.setattr(challenges, "choose_steps", lambda: ("blink", "turn_left"))  # the server thread's choice
    still = F.camera_still(F.ENROLL / "obama" / "obama.jpg")
    frames = {"open": _data_url(still.pixels),
              "blink": [_data_url(F.live_frame(still, closed, 0.0)) for closed in F.BLINK_PROFILE],
              "turn_left": [_data_url(F.live_frame(still, 0.0, F.TURN * k / 4)) for k in (1, 2, 3, 4)],
              "turn_right": [_data_url(F.live_frame(still, 0.0, -F.TURN * k / 4)) for k in (1, 2, 3, 4)]}
    page = webcam_page(None)
    console = watch(page)
    page.add_init_script(LIVE_CAMERA % json.dumps(frames))
    pair_kiosk(page, live_server, code)
    _watch_prompts(page)
    page.wait_for_selector("#kiosk-liveness:not([hidden])[data-action=turn_left]", timeout=20_000)
    page.screenshot(path=str(tmp_path / "kiosk-liveness-turn.png"))
    page.wait_for_selector(f"{RESULT}[data-state=ok]", timeout=40_000)
    assert ", Barack — masuk " in page.inner_text(f"{RESULT} .kiosk-result-title")
    assert page.evaluate("window.shownPrompts")[:3] == ["Lihat ke kamera", "Kedipkan mata", "Tolehkan kepala ke kiri"]
    with app.app_context():
        (event,) = db.session.scalars(db.select(AttendanceEvent)).all()
        assert event.kind == "check_in" and event.photo_path
    assert violations(page, console) == []
