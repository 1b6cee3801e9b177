"""A real browser: an admin opens a person's month, opens a day in the correction dialog, adds the
missing check-out with a reason, and sees the day's row change and the audit trail record it."""
from __future__ import annotations

import re
from datetime import datetime

from app.attendance.models import AttendanceEvent
from app.extensions import db

from tests.helpers import audit_trail, count

DAY = "2026-01-30"


def test_adding_a_missing_check_out_in_the_day_dialog_updates_the_row_and_the_audit(
        app, factory, live_server, browser_page, freeze_time):
    from app.accounts.models import User
    from app.attendance.services import record_attendance

    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test")
    factory.schedule()
    ani = factory.user(name="Ani Wijaya")
    with app.app_context():
        record_attendance(db.session.get(User, ani.id), "check_in", source="face",
                          now=datetime.fromisoformat(DAY + "T08:20+07:00"))
        db.session.commit()
    freeze_time("2026-02-02T10:00+07:00")

    page = browser_page
    month_url = f"{live_server}/admin/attendance/people/{ani.id}/month?month=2026-01"
    page.goto(month_url)
    page.fill("#identifier", "admin@hadir.test")
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(month_url)

    row = page.locator(f"#day-{DAY}")
    assert row.locator("td[data-label='Masuk']").inner_text().strip() == "08.20"
    assert "17.00" not in row.inner_text()
    page.evaluate("window.__marker = 1")
    row.locator("a.correct-link").click()
    dialog = page.locator("#day-dialog")
    dialog.locator("#correction-title").wait_for()
    assert dialog.evaluate("d => d.open") and "Ani Wijaya" in dialog.locator("#correction-title").inner_text()
    dialog.locator("input[name=kind][value=times]").check()
    dialog.locator("input[name=check_out]").fill("17:00")
    dialog.locator("textarea[name=reason]").fill("Lupa absen pulang, dikonfirmasi atasan")
    dialog.locator("button", has_text="Simpan koreksi").click()

    # the panel swaps in place: the notice, the added event with who and why, the day's history
    dialog.locator(".flash, .notice", has_text="Hari ini sudah dikoreksi.").wait_for()
    assert "Dicatat oleh Admin HRD: Lupa absen pulang, dikonfirmasi atasan" in dialog.inner_text()
    assert "Absen pulang ditambahkan lewat koreksi" in dialog.inner_text()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"

    # closing the dialog refreshes the month: the row shows the check-out and the worked time
    dialog.locator("[data-close-dialog]").click()
    page.locator(f"#day-{DAY} td[data-label='Pulang']", has_text="17.00").wait_for()
    assert not dialog.evaluate("d => d.open")
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert page.locator(f"#day-{DAY} td[data-label='Pulang']").inner_text().strip() == "17.00"

    with app.app_context():
        assert count(app, AttendanceEvent, AttendanceEvent.user_id == ani.id) == 2   # the original kept
    entries = audit_trail(app, action="correction.check_out")
    assert len(entries) == 1 and entries[0][2] == ani.id and entries[0][7] == "Lupa absen pulang, dikonfirmasi atasan"

    page.goto(f"{live_server}/admin/audit?person={ani.id}")
    first = page.locator("table.audit-table tbody tr").first
    text = first.inner_text()
    assert "Absen pulang ditambahkan lewat koreksi" in text and "Admin HRD" in text
    assert "Lupa absen pulang, dikonfirmasi atasan" in text
    assert re.search(r"Absen pulang: 30 Jan 2026, 17[.:]00", text)        # before → after: none → 17:00
