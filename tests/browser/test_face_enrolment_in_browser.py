"""A real browser on the face enrolment pages: upload photos (one stored with its face box drawn,
one refused with "2 faces"), take a photo with a fake webcam, delete a sample after confirming,
and enrol a ZIP in steps until the result table."""
from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from app.faces.models import FaceSample
from tests.helpers import count

from .conftest import CHROMIUM, FLAGS, _require_chromium

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
SHOTS = os.environ.get("FACE_ENROL_SCREENSHOTS")  # a folder to keep screenshots in (optional)




def _shot(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"h5-{name}.png"), full_page=True)


@pytest.mark.browser
def test_enrol_with_uploads_camera_delete_and_zip(app, factory, uploads, live_server, tmp_path):
    _require_chromium()
    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test")
    person = factory.user(name="Barack Obama", email="obama@hadir.test", npp="77001")
    factory.user(name="Joe Biden", npp="88002")
    feed = tmp_path / "face.mjpeg"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(FACES / "probe" / "obama-480p.jpg"),
                    "-frames:v", "1", "-vf", "scale=640:-2", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "2",
                    "-f", "mjpeg", str(feed)], check=True)
    archive = tmp_path / "faces.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FACES / "enroll" / "biden" / "biden.jpg", "88002/biden.jpg")
        zf.write(FACES / "enroll" / "biden" / "biden2.jpg", "88002/biden2.jpg")
        zf.write(FACES / "probe" / "two_people.jpg", "88002/group.jpg")
        zf.writestr("nobody@hadir.test/x.jpg", (FACES / "enroll" / "obama" / "obama2.jpg").read_bytes())

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            viewport={"width": 1366, "height": 900},
            args=FLAGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                          f"--use-file-for-fake-video-capture={feed}"])
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{live_server}/admin/faces/people/{person.id}")
            page.fill("#identifier", "admin@hadir.test")
            page.fill("#password", "password123")
            page.click("form.form button[type=submit]")
            page.wait_for_url(f"{live_server}/admin/faces/people/{person.id}")
            page.locator("[data-camera]").wait_for(state="visible")
            _shot(page, "person-empty")

            page.set_input_files("#photos", [str(FACES / "enroll" / "obama" / "obama.jpg"),
                                             str(FACES / "probe" / "kit_with_rose.jpg")])
            page.click("form[data-face-upload] button[type=submit]")
            page.locator("#face-upload-results li").nth(1).wait_for()
            results = page.locator("#face-upload-results li")
            assert results.nth(0).get_attribute("data-ok") == "true"
            assert results.nth(1).get_attribute("data-ok") == "false"
            assert "2 wajah ditemukan" in results.nth(1).inner_text()
            tile = page.locator("#face-samples .face-tile")
            assert tile.count() == 1
            img = tile.locator("img").bounding_box()
            box = tile.locator(".face-box").bounding_box()
            assert img["width"] > 50 and box["width"] > 10
            assert img["x"] <= box["x"] and box["x"] + box["width"] <= img["x"] + img["width"] + 1
            assert img["y"] <= box["y"] and box["y"] + box["height"] <= img["y"] + img["height"] + 1

            page.click("[data-camera-start]")
            page.wait_for_function("() => document.querySelector('[data-camera-video]').videoWidth > 0")
            page.click("[data-camera-shoot]")
            page.locator("#face-upload-results li").nth(2).wait_for()
            assert results.nth(2).get_attribute("data-ok") == "true"
            assert page.locator("#face-samples .face-tile").count() == 2
            _shot(page, "person-enrolled")
            page.click("[data-camera-stop]")
            assert count(app, FaceSample, FaceSample.user_id == person.id) == 2

            page.evaluate("window.__marker = 1")
            page.once("dialog", lambda dialog: dialog.accept())
            page.locator("#face-samples .face-tile").first.locator("button").click()
            page.locator("#face-samples .flash").wait_for()
            assert page.locator("#face-samples .face-tile").count() == 1
            assert page.evaluate("window.__marker") == 1, "the page was reloaded"
            assert count(app, FaceSample, FaceSample.user_id == person.id) == 1

            page.goto(f"{live_server}/admin/users/{person.id}/edit")
            _shot(page, "user-edit")
            page.click(f".page-header a[href='/admin/faces/people/{person.id}']")
            page.wait_for_url(f"{live_server}/admin/faces/people/{person.id}")

            page.goto(f"{live_server}/admin/faces/bulk")
            _shot(page, "bulk-upload")
            page.set_input_files("#file", str(archive))
            held = []
            # hold the first step (to see the progress bar), let the next ones through
            page.route("**/admin/faces/bulk/step", lambda route: route.continue_() if held else held.append(route))
            page.click("form[data-upload-progress] button[type=submit]")
            page.locator(".import-progress--static").wait_for()
            assert "0 dari 3 foto" in page.locator(".import-progress--static").inner_text()
            page.wait_for_function("() => document.querySelector('#bulk-panel form[hx-trigger]') !== null")
            while not held:
                page.wait_for_timeout(50)
            _shot(page, "bulk-progress")
            held[0].continue_()
            page.locator("table.bulk-result").wait_for()
            statuses = page.locator("table.bulk-result tbody tr").evaluate_all(
                "rows => rows.map(r => [r.dataset.entry, r.dataset.status])")
            assert dict(statuses) == {"88002/biden.jpg": "stored", "88002/biden2.jpg": "stored",
                                      "88002/group.jpg": "refused", "nobody@hadir.test/x.jpg": "unknown"}
            _shot(page, "bulk-result")

            page.goto(f"{live_server}/admin/faces/")
            _shot(page, "people")
        finally:
            context.close()
