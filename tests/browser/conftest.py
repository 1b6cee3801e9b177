"""Fixtures of the real-browser tests: the app served on a free 127.0.0.1 port, headless Chromium.

The pages carry a Content-Security-Policy without ``unsafe-eval``: give Playwright's
``wait_for_function`` a function (``"() => ..."``), not a bare expression, which it would
``eval`` in the page and the CSP would refuse.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.helpers import compile_catalogs

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def pytest_configure(config):
    compile_catalogs()


def _require_chromium() -> None:
    """Skip without Chromium, except in CI (``REQUIRE_BROWSER``), where its absence is a failure."""
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is not installed (run scripts/install-system-deps.sh)"
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def live_server(app):
    """The app (a second instance on the same test database) served by werkzeug in a thread."""
    from werkzeug.serving import make_server

    from app import create_app
    from app.extensions import db

    _require_chromium()
    served = create_app({
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
    })
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with served.app_context():
            db.engine.dispose()


@pytest.fixture
def browser_page():
    """A fresh headless Chromium page (desktop size)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def mjpeg_feed(image, path: Path) -> Path:
    """Write ``image`` (a file path or a PIL image) as a one-frame MJPEG that Chromium loops as its webcam.

    ``-pix_fmt yuvj420p``: without it Chromium shows uniform grey frames
    (``shared/notes/browser-testing.md``); width scaled to 640 px.
    """
    import subprocess

    source = Path(image) if not hasattr(image, "save") else path.with_suffix(".png")
    if hasattr(image, "save"):
        image.save(source)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), "-frames:v", "1",
                    "-vf", "scale=640:-2", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "2", "-f", "mjpeg",
                    str(path)], check=True)
    return path


@pytest.fixture
def webcam_page(tmp_path):
    """``open(feed) -> page``: a headless Chromium page whose webcam shows the MJPEG ``feed``
    (camera permission granted); ``open(None)``: a plain page (another person's browser, in
    the same Playwright: a test cannot also use ``browser_page``).  Closed after the test."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    contexts = []

    def open_page(feed: Path | None):
        camera = [] if feed is None else ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                                          f"--use-file-for-fake-video-capture={feed}"]
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / f"profile-{len(contexts)}"), executable_path=CHROMIUM, headless=True,
            viewport={"width": 1280, "height": 800}, args=FLAGS + camera)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()
        playwright.stop()


def pair_kiosk(page, base_url: str, code: str) -> None:
    """Open the pairing link on ``page`` and confirm: the kiosk page is shown."""
    page.goto(f"{base_url}/kiosk/pair?code={code}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/kiosk/")


#: Records every Content-Security-Policy violation of a page (injected before the page's own scripts).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


def watch(page) -> list[str]:
    """Record the CSP complaints and script errors of ``page`` (read them with :func:`violations`)."""
    console: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda msg: console.append(msg.text)
            if "Content Security Policy" in msg.text or msg.text.startswith("Refused to") else None)
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    return console


def violations(page, console: list[str]) -> list[str]:
    """The CSP violations and script errors :func:`watch` recorded on ``page``."""
    return list(page.evaluate("window.__cspViolations || []")) + console
