"""The liveness check of a kiosk: the setting (off by default; ``flask kiosk create --liveness``;
the admin kiosk form), and the tablet's face mode with it on: a challenge per attempt, a burst
judged by the server, nobody checked in by a photo."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from app.accounts.models import User
from app.attendance.models import AttendanceEvent
from app.extensions import db
from app.faces.models import LivenessChallenge
from app.kiosk.models import Kiosk
from tests.helpers import count, fetch, kiosk_csrf
from tests.faces import liveness_footage as F

from .conftest import code_of, pair, register


def test_liveness_is_off_unless_asked_for_on_the_command_line(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["kiosk", "create", "--name", "Lobi", "--modes", "face"]).exit_code == 0
    result = runner.invoke(args=["kiosk", "create", "--name", "Gerbang", "--modes", "face,qr", "--liveness"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(db.select(Kiosk.name, Kiosk.liveness).order_by(Kiosk.id)).all()
    assert [tuple(r) for r in rows] == [("Lobi", False), ("Gerbang", True)]


def _liveness_box(page: str) -> str:
    """The liveness checkbox's ``<input>`` tag on a kiosk form."""
    return re.search(r'<input[^>]*name="liveness"[^>]*>', page).group(0)


def test_an_admin_turns_liveness_on_and_off_on_the_kiosk_form(app, admin_browser):
    form = admin_browser.get("/admin/kiosks/new").get_data(as_text=True)
    assert "checked" not in _liveness_box(form)
    listed = admin_browser.submit("/admin/kiosks/new", "/admin/kiosks/new",
                                  {"name": "Lobi", "office_id": "", "modes": ["face"], "liveness": "y"})
    code_of(listed)  # registered, with its first pairing code
    with app.app_context():
        kiosk_id, liveness = db.session.execute(db.select(Kiosk.id, Kiosk.liveness)).one()
    assert liveness is True
    assert "Cek wajah hidup" in admin_browser.get("/admin/kiosks/").get_data(as_text=True)
    edit = admin_browser.get(f"/admin/kiosks/{kiosk_id}/edit").get_data(as_text=True)
    assert "checked" in _liveness_box(edit)
    saved = admin_browser.submit(f"/admin/kiosks/{kiosk_id}/edit", f"/admin/kiosks/{kiosk_id}/edit",
                                 {"name": "Lobi", "office_id": "", "modes": ["face"]})
    assert saved.status_code == 303 and fetch(app, Kiosk, kiosk_id).liveness is False
    register(admin_browser, name="Gerbang", modes=("qr",))
    with app.app_context():
        assert db.session.scalar(db.select(Kiosk.liveness).filter_by(name="Gerbang")) is False


# --- the tablet's face mode with liveness on ----------------------------------------------

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
FRAME, BURST = "/kiosk/face/frame", "/kiosk/face/burst"
BLINK_LEFT = ("blink", "turn_left")


@pytest.fixture(autouse=True)
def _detect_once(memoised_face_pipeline):
    """Detection and encoding memoised per frame (``tests/conftest.py``): a burst sent twice is
    analysed once; every request still goes through the real services."""


@pytest.fixture
def obama(app, factory):
    """Barack Obama, enrolled from the two photos of ``enroll/obama``, with the usual schedule."""
    from app.faces.services import enrol, load_image

    office = factory.office()
    factory.schedule()
    person = factory.user(name="Barack Obama", office=office)
    with app.app_context():
        user = db.session.get(User, person.id)
        for photo in sorted((FACES / "enroll" / "obama").iterdir()):
            enrol(user, load_image(photo.read_bytes()))
        db.session.commit()
    return person


@pytest.fixture
def tablet(app, admin_browser):
    """``make(liveness=True)`` → a test client paired with a new face kiosk (registered on the admin form)."""

    def make(liveness=True, name="Lobi Utama"):
        data = {"name": name, "office_id": "", "modes": ["face"]}
        if liveness:
            data["liveness"] = "y"
        client = app.test_client()
        assert pair(client, code_of(admin_browser.submit("/admin/kiosks/new", "/admin/kiosks/new", data))) \
            .status_code == 303
        return client

    return make


@pytest.fixture
def known_steps(monkeypatch):
    """The next challenges ask ``steps``: the test knows what a live person must do."""
    from app.faces import challenges

    def choose(steps=BLINK_LEFT):
        monkeypatch.setattr(challenges, "choose_steps", lambda: tuple(steps))

    return choose


def _frame(client, data: bytes, csrf=None):
    return client.post(FRAME, data=data, content_type="image/jpeg", headers={"X-CSRFToken": csrf or kiosk_csrf(client)})


def _burst(client, nonce, frames, csrf=None, offsets=None):
    body = {"challenge": nonce, "offsets": json.dumps([o for o, _d in frames] if offsets is None else offsets),
            "frame": [(io.BytesIO(data), f"{i}.jpg", "image/jpeg") for i, (_o, data) in enumerate(frames)]}
    return client.post(BURST, data=body, content_type="multipart/form-data",
                       headers={"X-CSRFToken": csrf or kiosk_csrf(client)})


def _challenge(client, csrf=None) -> dict:
    answer = _frame(client, (FACES / "probe" / "obama-480p.jpg").read_bytes(), csrf)
    assert answer.status_code == 200 and answer.get_json()["result"] == "challenge", answer.get_json()
    return answer.get_json()["challenge"]


def test_a_recognised_face_gets_a_challenge_not_a_check_in(app, tablet, obama, freeze_time, known_steps):
    freeze_time("2026-01-30T07:42:00+07:00")
    known_steps(("turn_right", "blink"))
    client = tablet()
    answer = _frame(client, (FACES / "probe" / "obama-480p.jpg").read_bytes())
    body = answer.get_json()
    assert answer.status_code == 200 and body["result"] == "challenge"
    assert body["message"] == "Ikuti petunjuk di layar"
    assert "name" not in body  # nobody is named before the challenge is passed
    challenge = body["challenge"]
    assert challenge["steps"] == ["turn_right", "blink"]
    assert challenge["prompts"] == ["Tolehkan kepala ke kanan", "Kedipkan mata"]
    assert (challenge["step_ms"], challenge["lead_ms"], challenge["interval_ms"]) == (2000, 500, 125)
    assert challenge["expires_at"] == "2026-01-30T00:42:12.000000Z" and len(challenge["id"]) >= 32
    assert count(app, AttendanceEvent) == 0 and count(app, LivenessChallenge) == 1
    # a stranger and an empty frame get no challenge
    stranger = _frame(client, (FACES / "enroll" / "biden" / "biden.jpg").read_bytes()).get_json()
    assert stranger == {"result": "unknown", "message": "Wajah tidak dikenali"}
    assert count(app, LivenessChallenge) == 1


def test_a_live_person_following_the_challenge_is_checked_in_once(app, tablet, obama, freeze_time, known_steps,
                                                                  uploads):
    freeze_time("2026-01-30T07:42:00+07:00")
    known_steps(BLINK_LEFT)
    client = tablet()
    csrf = kiosk_csrf(client)
    challenge = _challenge(client, csrf)
    frames = F.cached_burst("live", "obama/obama.jpg", BLINK_LEFT)
    answer = _burst(client, challenge["id"], frames, csrf)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"result": "checked_in", "name": "Barack", "time": "07:42",
                                 "message": "Selamat pagi, Barack — masuk 07.42"}
    with app.app_context():
        (event,) = db.session.scalars(db.select(AttendanceEvent)).all()
        assert (event.kind, event.source) == ("check_in", "face")
        kept = (uploads / event.photo_path).read_bytes()
    assert kept in {data for offset, data in frames if offset < 0}  # the reference frame, as sent
    # the same burst again: the challenge is used up, nothing is recorded twice
    replay = _burst(client, challenge["id"], frames, csrf)
    assert replay.status_code == 409 and replay.get_json()["result"] == "invalid"
    assert count(app, AttendanceEvent) == 1


@pytest.mark.parametrize("kind", ["static", "tilt_yaw"])
def test_a_photo_checks_nobody_in(app, tablet, obama, freeze_time, known_steps, kind):
    freeze_time("2026-01-30T07:42:00+07:00")
    known_steps(BLINK_LEFT)
    client = tablet()
    csrf = kiosk_csrf(client)
    challenge = _challenge(client, csrf)
    answer = _burst(client, challenge["id"], F.cached_burst(kind, "obama/obama.jpg", BLINK_LEFT), csrf)
    assert answer.status_code == 200
    assert answer.get_json() == {"result": "liveness_failed", "message": "Ikuti petunjuk di layar"}
    assert count(app, AttendanceEvent) == 0
    with app.app_context():
        assert db.session.scalar(db.select(LivenessChallenge.used_at)) is not None  # one attempt per challenge


def test_footage_that_does_not_follow_the_challenge_checks_nobody_in(app, tablet, obama, freeze_time, known_steps):
    freeze_time("2026-01-30T07:42:00+07:00")
    known_steps(("turn_left", "blink"))
    client = tablet()
    csrf = kiosk_csrf(client)
    challenge = _challenge(client, csrf)
    # a live person doing blink-then-left (a replayed recording of another challenge)
    answer = _burst(client, challenge["id"], F.cached_burst("live", "obama/obama.jpg", BLINK_LEFT), csrf)
    assert answer.get_json()["result"] == "liveness_failed"
    assert count(app, AttendanceEvent) == 0


def test_a_burst_after_the_deadline_checks_nobody_in(app, tablet, obama, freeze_time, known_steps):
    freeze_time("2026-01-30T07:42:00+07:00")
    known_steps(BLINK_LEFT)
    client = tablet()
    csrf = kiosk_csrf(client)
    challenge = _challenge(client, csrf)
    freeze_time("2026-01-30T07:42:13+07:00")
    answer = _burst(client, challenge["id"], F.cached_burst("live", "obama/obama.jpg", BLINK_LEFT), csrf)
    assert answer.status_code == 200
    assert answer.get_json() == {"result": "liveness_failed", "message": "Ikuti petunjuk di layar"}
    assert count(app, AttendanceEvent) == 0


def test_bad_bursts_are_refused_clearly_and_record_nothing(app, tablet, obama, freeze_time, known_steps):
    freeze_time("2026-01-30T07:42:00+07:00")
    known_steps(BLINK_LEFT)
    client = tablet()
    other = tablet(name="Gerbang")
    csrf = kiosk_csrf(client)
    challenge = _challenge(client, csrf)
    frames = F.cached_burst("live", "obama/obama.jpg", BLINK_LEFT)
    no_token = client.post(BURST, data={"challenge": challenge["id"], "offsets": "[]"}, content_type="multipart/form-data")
    assert no_token.status_code == 400
    bad_token = _burst(client, challenge["id"], frames, csrf="not-the-token")
    assert bad_token.status_code == 400
    as_json = client.post(BURST, json={"challenge": challenge["id"]}, headers={"X-CSRFToken": csrf})
    assert as_json.status_code == 415 and as_json.get_json()["result"] == "invalid"
    wrong_count = _burst(client, challenge["id"], frames, csrf, offsets=[o for o, _d in frames][:-1])
    assert wrong_count.status_code == 422 and wrong_count.get_json()["result"] == "invalid"
    not_json = _burst(client, challenge["id"], frames, csrf, offsets="[1, 2")
    assert not_json.status_code == 422
    no_frames = _burst(client, challenge["id"], [], csrf)
    assert no_frames.status_code == 422
    huge = client.post(BURST, data={"challenge": challenge["id"], "offsets": "[0]",
                                    "frame": [(io.BytesIO(b"\xff" * (7 * 1024 * 1024)), "0.jpg", "image/jpeg")]},
                       content_type="multipart/form-data", headers={"X-CSRFToken": csrf})
    assert huge.status_code == 413
    corrupt = _burst(client, challenge["id"], [(o, d[:400]) for o, d in frames], csrf)
    assert corrupt.status_code == 422
    # another kiosk cannot answer this kiosk's challenge
    stolen = _burst(other, challenge["id"], frames)
    assert stolen.status_code == 409 and stolen.get_json()["result"] == "invalid"
    assert count(app, AttendanceEvent) == 0
    # none of these used the challenge up: the tablet's real burst still counts
    assert _burst(client, challenge["id"], frames, csrf).get_json()["result"] == "checked_in"


def test_with_liveness_off_nothing_changes(app, tablet, obama, freeze_time):
    freeze_time("2026-01-30T07:42:00+07:00")
    client = tablet(liveness=False)
    home = client.get("/kiosk/").get_data(as_text=True)
    assert "liveness.js" not in home and "data-burst-url" not in home
    answer = _frame(client, (FACES / "probe" / "obama-480p.jpg").read_bytes()).get_json()
    assert answer["result"] == "checked_in"
    refused = _burst(client, "x" * 32, F.cached_burst("live", "obama/obama.jpg", BLINK_LEFT))
    assert refused.status_code == 409 and refused.get_json()["result"] == "liveness_off"
    assert count(app, LivenessChallenge) == 0 and count(app, AttendanceEvent) == 1


def test_the_liveness_kiosk_page_loads_its_script_and_prompts(app, tablet):
    home = tablet().get("/kiosk/").get_data(as_text=True)
    assert re.search(r"/kiosk/assets/[0-9a-f]{12}/liveness\.css", home) and 'data-burst-url="/kiosk/face/burst"' in home
    assert 'id="kiosk-liveness"' in home and 'data-ready="Lihat ke kamera"' in home
