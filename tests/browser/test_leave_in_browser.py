"""A real browser: an employee asks for annual leave with a doctor's-note photo, an administrator
approves it in the review inbox, and the employee's balance drops by the working days taken."""
from __future__ import annotations

import io

from PIL import Image

from app.extensions import db
from app.leave.models import LeaveRequest
from app.notify.models import Notification
from app.schedules import holidays

from tests.helpers import count, fetch


def employee_session_cookie(app, user_id: int) -> str:
    """The signed session cookie of a browser signed in as ``user_id`` (Flask-Login's ``_user_id``)."""
    return app.session_interface.get_signing_serializer(app).dumps({"_user_id": str(user_id), "_fresh": True})


def test_an_employee_asks_for_leave_and_sees_the_balance_drop_after_approval(app, factory, live_server,
                                                                            browser_page, tmp_path, freeze_time):
    freeze_time("2026-03-02T09:00+07:00")
    factory.schedule()
    factory.user(role="admin", name="Admin HRD", email="admin@hadir.test")
    ani = factory.user(name="Ani Pratiwi", email="ani@hadir.test")
    with app.app_context():
        holidays.add_holiday(__import__("datetime").date(2026, 3, 19), "Hari Suci Nyepi")
        db.session.commit()
    note = tmp_path / "surat-dokter.jpg"
    Image.new("RGB", (120, 80), (240, 240, 240)).save(note, "JPEG")

    page = browser_page
    context = page.context
    context.add_cookies([{"name": app.config.get("SESSION_COOKIE_NAME", "session"),
                          "value": employee_session_cookie(app, ani.id), "url": live_server}])
    page.goto(f"{live_server}/admin/me/leave")
    assert page.locator(".leave-balance [data-remaining]").first.inner_text() == "12 hari"
    page.get_by_role("link", name="Ajukan izin/cuti").first.click()
    page.wait_for_url(f"{live_server}/admin/me/leave/new")
    page.select_option("#leave_type", "cuti")
    page.fill("#start_date", "2026-03-17")     # Tuesday
    page.fill("#end_date", "2026-03-20")       # Friday; Nyepi (Thursday 19th) inside
    page.fill("#reason", "Menghadiri pernikahan saudara")
    page.set_input_files("#attachment", str(note))
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/me/leave")
    assert "Pengajuan terkirim" in page.locator(".flash--success").inner_text()
    row = page.locator("#my-leave tbody tr").first
    assert "Menunggu" in row.inner_text() and "3 hari kerja cuti tahunan" in row.inner_text()
    assert page.locator(".leave-balance [data-remaining]").first.inner_text() == "12 hari"
    with app.app_context():
        leave_id = db.session.scalar(db.select(LeaveRequest.id))

    # the administrator signs in in another browser and approves in the review inbox
    admin_context = context.browser.new_context(viewport={"width": 1366, "height": 900})
    admin = admin_context.new_page()
    admin.goto(f"{live_server}/admin/attendance/review")
    admin.fill("#identifier", "admin@hadir.test")
    admin.fill("#password", "password123")
    admin.click("form.form button[type=submit]")
    admin.wait_for_url(f"{live_server}/admin/attendance/review")
    assert "Ani Pratiwi" in admin.locator(f"#leave-{leave_id}").inner_text()
    admin.locator(f"#leave-{leave_id} button", has_text="Setujui").click()
    admin.locator(f"#approve-leave-{leave_id} button[type=submit]").click()
    admin.wait_for_function("() => !document.querySelector('#leave-%d')" % leave_id)
    admin_context.close()

    assert fetch(app, LeaveRequest, leave_id).status == "approved"
    assert count(app, Notification, Notification.user_id == ani.id, Notification.type == "leave_review") == 1
    page.reload()
    assert page.locator(".leave-balance [data-remaining]").first.inner_text() == "9 hari"
    assert "Disetujui" in page.locator("#my-leave tbody tr").first.inner_text()
