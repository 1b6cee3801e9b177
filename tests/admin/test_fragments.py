"""Pages and fragments: an htmx request gets the fragment, a normal request the whole page."""
from __future__ import annotations

import pytest

LISTS = [
    ("/admin/work-schedules/", '<div id="work-schedules"'),
    ("/admin/device-resets", '<div id="device-resets"'),
    ("/admin/attendance/review", '<div id="review-list"'),
    ("/admin/users", '<div id="user-list"'),
    ("/admin/posts/", '<div id="post-list"'),
    ("/admin/app-versions/", '<div class="card-grid"'),
]


@pytest.mark.parametrize("url, fragment_start", LISTS)
def test_htmx_gets_the_fragment_and_a_browser_the_page(as_admin, url, fragment_start):
    page = as_admin.get(url)
    fragment = as_admin.get(url, htmx=True)
    assert page.status_code == fragment.status_code == 200
    page_html, fragment_html = page.get_data(as_text=True), fragment.get_data(as_text=True)
    assert page_html.lstrip().startswith("<!doctype html>") and "<html" in page_html
    assert "<html" not in fragment_html and "<body" not in fragment_html
    assert fragment_html.lstrip().startswith(fragment_start)
    assert fragment_start in page_html  # the page includes its fragment
    for response in (page, fragment):
        assert "HX-Request" in response.headers.get("Vary", "")


def test_a_boosted_or_history_restore_request_gets_the_page(as_admin):
    for header in ("HX-Boosted", "HX-History-Restore-Request"):
        body = as_admin.client.get("/admin/users", headers={"HX-Request": "true", header: "true"}).get_data(as_text=True)
        assert "<html" in body, header


def test_page_carries_the_csrf_header_for_htmx(as_admin):
    body = as_admin.get("/admin/device-resets").get_data(as_text=True)
    assert "hx-headers='{\"X-CSRFToken\": \"" in body
    assert 'src="/static/vendor/htmx-2.0.11.min.js"' in body


def test_htmx_post_with_the_header_token_only(app, as_admin, factory):
    """htmx sends the token from <body hx-headers>; that alone is enough."""
    from tests.helpers import csrf_from

    a = factory.schedule(name="A", active=True)
    b = factory.schedule(name="B", active=False)
    token = csrf_from(as_admin.get("/admin/work-schedules/").get_data(as_text=True))
    response = as_admin.client.post(f"/admin/work-schedules/{b.id}/activate",
                                    headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    from tests.helpers import fetch
    from app.schedules.models import WorkSchedule
    assert fetch(app, WorkSchedule, b.id).is_active and not fetch(app, WorkSchedule, a.id).is_active
