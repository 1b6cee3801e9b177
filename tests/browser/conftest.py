"""Fixtures of the real-browser tests: the app served on a free 127.0.0.1 port, headless Chromium."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.admin.helpers import compile_catalogs

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
