"""A real browser: sign in, approve a device reset, and see the list change without a page reload."""
from __future__ import annotations

from app.accounts.models import DeviceBinding, DeviceResetRequest
from app.extensions import db
from app.notify.models import Notification

from tests.helpers import count, fetch


def test_approving_a_device_reset_updates_the_list_in_place(app, factory, live_server, browser_page):
    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test")
    person = factory.user(name="Andi Pratama")
    other = factory.user(name="Budi Santoso")
    with app.app_context():
        db.session.add_all([DeviceBinding(user_id=person.id, device_id="old-phone-andi"),
                            DeviceBinding(user_id=other.id, device_id="old-phone-budi")])
        req = DeviceResetRequest(user_id=person.id, old_device_id="old-phone-andi",
                                 reason="Ponsel lama rusak terkena air", status="pending")
        other_req = DeviceResetRequest(user_id=other.id, old_device_id="old-phone-budi",
                                       reason="Ponsel hilang di kereta", status="pending")
        db.session.add_all([req, other_req])
        db.session.commit()
        req_id, other_id = req.id, other_req.id

    page = browser_page
    page.goto(f"{live_server}/admin/device-resets")
    assert page.url.startswith(f"{live_server}/admin/login?next=")
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/device-resets")

    # "Reject…" opens the note row under the request (no request yet), "Cancel" closes it
    reject_row = page.locator(f"#reject-device-reset-{other_id}")
    assert not reject_row.is_visible()
    page.locator(f"#device-reset-{other_id} button", has_text="Tolak…").click()
    assert reject_row.is_visible()
    assert page.evaluate("document.activeElement.id") == f"reject-note-{other_id}"
    reject_row.locator("button", has_text="Batal").click()
    assert not reject_row.is_visible()

    row = page.locator(f"#device-reset-{req_id}")
    assert row.locator("button", has_text="Setujui").is_visible()
    page.evaluate("window.__marker = 1")
    row.locator("button", has_text="Setujui").click()

    page.locator(f"#device-reset-{req_id} .badge", has_text="Disetujui").wait_for()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert "Reset perangkat Andi Pratama disetujui" in page.locator("#device-resets .flash--success").inner_text()
    assert page.locator(f"#device-reset-{req_id} .badge").inner_text() == "Disetujui"
    assert page.locator(f"#device-reset-{req_id} button").count() == 0
    ids = page.locator("#device-resets tbody tr:not(.reject-row)").evaluate_all("rows => rows.map(r => r.id)")
    assert ids == [f"device-reset-{other_id}", f"device-reset-{req_id}"]  # pending first, then processed

    assert fetch(app, DeviceResetRequest, req_id).status == "approved"
    assert count(app, DeviceBinding, DeviceBinding.user_id == person.id) == 0
    assert count(app, Notification, Notification.user_id == person.id) == 1
    assert fetch(app, DeviceResetRequest, other_id).status == "pending"
    assert count(app, DeviceBinding, DeviceBinding.user_id == other.id) == 1
