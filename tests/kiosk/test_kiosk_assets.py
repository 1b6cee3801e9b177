"""The tablet's static files: served by the app at versioned URLs, cached only when current."""
from __future__ import annotations

import re

ASSET_RE = re.compile(r'(/kiosk/assets/([0-9a-f]{12})/[\w./-]+\.(?:js|css|webmanifest|svg|png))')


def test_the_page_links_every_asset_at_the_current_version(paired_tablet):
    tablet = paired_tablet(modes=("qr", "cards", "face", "escorts"))
    page = tablet.get("/kiosk/")
    links = ASSET_RE.findall(page.get_data(as_text=True))
    assert links and {version for _, version in links} == {page.headers["X-Kiosk-Version"]}
    for url, _ in links:
        answer = tablet.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        answer.close()
    assert page.headers["Cache-Control"] == "no-store"            # the page itself never is cached


def test_an_old_version_still_gets_the_file_uncached_and_unknown_files_are_404(client):
    answer = client.get("/kiosk/assets/000000000000/kiosk.css")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache"
    assert b".kiosk-header" in answer.get_data()
    assert client.get("/kiosk/assets/000000000000/nothing.js").status_code == 404
    assert client.get("/kiosk/assets/000000000000/../routes.py").status_code == 404
