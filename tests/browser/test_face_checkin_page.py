"""The self check-in page (``/face/``) in headless Chromium with a fake webcam.

The person signs in with email and password, looks at the camera (a still of
``probe/obama-480p.jpg``) and presses "check in": the page posts the frame to
``POST /face/api/attendance``, the server verifies the face 1:1 against the
enrolment and records one check-in; pressing again says "already today".
With someone else's face (Biden) no attendance is recorded: a failed attempt, shown as such.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.accounts.models import User
from app.attendance.models import AttendanceEvent
from app.extensions import db
from app.faces.models import FailedFaceCheckIn

from .conftest import CHROMIUM, FLAGS, _require_chromium

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"




def _feed(source: Path, target: Path) -> Path:
    # -pix_fmt yuvj420p: without it Chromium shows uniform grey frames (shared/notes/browser-testing.md)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), "-frames:v", "1", "-vf", "scale=640:-2",
                    "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "2", "-f", "mjpeg", str(target)], check=True)
    return target


def _arrange(app, factory):
    from app.faces.services import enrol, load_image

    factory.schedule(check_in=("00:00", "23:59"), check_out=("00:00", "23:59"), late_after="23:59")
    person = factory.user(name="Barack Obama", email="obama@example.test")
    with app.app_context():
        user = db.session.get(User, person.id)
        for photo in sorted((FACES / "enroll" / "obama").iterdir()):
            enrol(user, load_image(photo.read_bytes()))
        db.session.commit()
    return person


def _open(playwright, tmp_path, feed):
    return playwright.chromium.launch_persistent_context(
        str(tmp_path / f"profile-{feed.stem}"), executable_path=CHROMIUM, headless=True,
        viewport={"width": 1280, "height": 800},
        args=FLAGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                      f"--use-file-for-fake-video-capture={feed}"])


def _sign_in(page, live_server):
    page.goto(f"{live_server}/face/")
    page.wait_for_selector("#face-login-form")
    page.fill("#face-email", "obama@example.test")
    page.fill("#face-password", "password123")
    page.click("#face-login-form button[type=submit]")
    page.wait_for_selector("#face-app[data-state=checkin]")
    page.wait_for_selector("#face-capture:not([disabled])")


@pytest.mark.browser
def test_sign_in_and_check_in_with_the_webcam(app, factory, live_server, tmp_path):
    _require_chromium()
    _arrange(app, factory)
    feed = _feed(FACES / "probe" / "obama-480p.jpg", tmp_path / "obama.mjpeg")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = _open(playwright, tmp_path, feed)
        try:
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{live_server}/face/")
            page.wait_for_selector("#face-app[data-state=login]")
            page.screenshot(path="/tmp/h6-face-login.png")
            _sign_in(page, live_server)
            assert page.inner_text("#face-user-name") == "Barack Obama"
            # the cookie is httpOnly: the page's scripts cannot read it
            assert "token" not in page.evaluate("document.cookie")
            page.click("#face-capture")
            page.wait_for_selector("#face-result[data-state=ok]")
            assert page.inner_text("#face-result").startswith("Absensi berhasil dicatat")
            page.wait_for_selector("#face-records li[data-status=success]")
            page.screenshot(path="/tmp/h6-face-checked-in.png")
            page.click("#face-capture")
            page.wait_for_selector("#face-result[data-state=info]")
            assert page.inner_text("#face-result") == "Anda sudah absen hari ini"
            page.screenshot(path="/tmp/h6-face-already.png")
            page.click("#face-logout")
            page.wait_for_selector("#face-app[data-state=login]")
            page.reload()
            page.wait_for_selector("#face-app[data-state=login]")  # signed out on the server too
        finally:
            context.close()
    with app.app_context():
        events = list(db.session.scalars(db.select(AttendanceEvent)))
    assert [(e.kind, e.source) for e in events] == [("check_in", "face")]
    assert events[0].photo_path


@pytest.mark.browser
def test_someone_elses_face_is_a_failed_attempt_not_attendance(app, factory, live_server, tmp_path):
    _require_chromium()
    _arrange(app, factory)
    feed = _feed(FACES / "enroll" / "biden" / "biden.jpg", tmp_path / "biden.mjpeg")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = _open(playwright, tmp_path, feed)
        try:
            page = context.new_page()
            page.set_default_timeout(20_000)
            _sign_in(page, live_server)
            page.click("#face-capture")
            page.wait_for_selector("#face-result[data-state=error]")
            assert page.inner_text("#face-result") == "Absensi gagal: wajah tidak cocok"
            page.wait_for_selector("#face-records li[data-status=failed]")  # listed as the contract's failed record
            page.screenshot(path="/tmp/h6-face-refused.png")
        finally:
            context.close()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 0
        assert db.session.scalar(db.select(db.func.count(FailedFaceCheckIn.id))) == 1
