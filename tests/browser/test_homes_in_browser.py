"""Every role's home in a real browser, at desktop (1366 px) and phone (390 px) width.

Each role signs in and lands on its home (admin and petugas: the dashboard; everyone else:
``/admin/me/`` with the cards of their role).  On a phone nothing may stick out of the screen:
the page does not scroll sideways and every tile and card fits the width.  The screenshots are
written to ``$HADIR_SCREENSHOTS`` when it is set (to look at them), else to the test's tmp dir.
"""
from __future__ import annotations

import base64
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest

from app.accounts.roles import ADMIN_ROLES, ROLE_KEYS
from app.common import clock
from app.extensions import db

from .conftest import violations, watch

WIDTHS = (1366, 390)


def _jpeg() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


def _seed(app, factory) -> dict[str, str]:
    """One person of every role, with something on each home; returns role -> e-mail."""
    from app.accounts.models import User
    from app.attendance.models import DailyAttendance
    from app.attendance.photos import decode_photo
    from app.clinic import services as clinic
    from app.escorts import services as escorts
    from app.leave import services as leave
    from app.school import services as school
    from app.system.settings import update_setting

    factory.schedule()
    emails = {}
    people = {}
    for role in ROLE_KEYS:
        emails[role] = f"{role}@hadir.test"
        people[role] = factory.user(role=role, email=emails[role], name=f"{role.replace('_', ' ').title()} Contoh",
                                    nisn_nip_nik=f"99{ROLE_KEYS.index(role):04d}")
    students = [factory.user(role="siswa", name=f"Siswa {n}", nisn_nip_nik=f"00{n:04d}") for n in range(5)]
    today = clock.local_today()
    with app.app_context():
        update_setting("students_web_sign_in", True)
        get = lambda role: db.session.get(User, people[role].id)  # noqa: E731
        year = school.academic_year_of(today)
        first = school.create_class(name="X IPA 1", homeroom_teacher_id=people["guru"].id)
        school.create_class(name="XI IPS 2", homeroom_teacher_id=people["guru"].id)
        school.assign_students(first, [s.id for s in students] + [people["siswa"].id], year)
        school.record_student(db.session.get(User, students[0].id), first, get("guru"), method="manual", on=today)
        now = clock.now()
        from app.attendance.models import AttendanceEvent
        from app.attendance.photos import decode_photo as decode, save_photo

        check_in = AttendanceEvent(user_id=people["pegawai"].id, kind="check_in", source="face", work_date=today,
                                   occurred_at=now - timedelta(hours=1), latitude=-6.2088, longitude=106.8456)
        db.session.add(check_in)
        db.session.flush()
        save_photo(decode(_jpeg()), check_in)
        db.session.add(DailyAttendance(user_id=people["pegawai"].id, work_date=today, status="present",
                                       time_in=check_in.occurred_at, check_in_event_id=check_in.id))
        leave.request_leave(get("pegawai"), "cuti", today + timedelta(days=14), today + timedelta(days=15), "Keluarga")
        leave.request_leave(get("guru"), "izin", today + timedelta(days=3), today + timedelta(days=3), "Urusan")
        leave.request_leave(get("siswa"), "sakit", today, today, "Demam, surat dokter menyusul")
        patient = clinic.create_patient("Pasien Contoh")
        for role in ("dokter", "paramedis"):
            clinic.record_procedure(patient, get(role), name="Konsultasi umum", fee=150_000,
                                    service_fee_share=50_000, performed_at=now - timedelta(hours=2))
        escorts.create_escort(category="individual", name="Pengantar Satu", gender="male", phone="081234560001",
                              plate_number="B1234XY", patient_name="Pasien", photo=decode_photo(_jpeg()), ip="10.0.0.7")
        db.session.commit()
    return emails


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("#identifier", email)
    page.fill("#password", "password123")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_every_roles_home_fits_a_desktop_and_a_phone(app, factory, live_server, browser_page, tmp_path):
    emails = _seed(app, factory)
    out = Path(os.environ.get("HADIR_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    browser = browser_page.context.browser
    for role in ROLE_KEYS:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        console = watch(page)
        _sign_in(page, live_server, emails[role])
        home = "/admin/" if role in ADMIN_ROLES else "/admin/me/"
        assert page.url == f"{live_server}{home}", (role, page.url)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900 if width > 800 else 844})
            page.goto(f"{live_server}{home}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"home-{role}-{width}.png"), full_page=True)
            if width == 390:
                overflow = page.evaluate("() => document.documentElement.scrollWidth")
                assert overflow <= width, (role, overflow)
                wide = page.evaluate("""(w) => [...document.querySelectorAll('main .stat, main .card')]
                    .filter(e => e.getBoundingClientRect().right > w + 0.5).map(e => e.id || e.className)""", width)
                assert wide == [], (role, wide)
        if role not in ADMIN_ROLES:
            assert page.locator("#home-leave").count() == 1, role
            assert page.locator("#home-week").count() == 1, role
        assert violations(page, console) == [], role
        context.close()


def _fits(page, width: int) -> None:
    """Nothing on the page is wider than the screen (a wide table scrolls inside its card)."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    wide = page.evaluate("""(w) => [...document.querySelectorAll('main .card, main .stat, main .page-header')]
        .filter(e => e.getBoundingClientRect().right > w + 0.5).map(e => e.id || e.className)""", width)
    assert wide == [], wide


def test_a_class_month_and_the_teachers_recap_on_a_desktop_and_a_phone(app, factory, live_server, browser_page,
                                                                        tmp_path):
    from app.school.models import SchoolClass

    emails = _seed(app, factory)
    out = Path(os.environ.get("HADIR_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        class_id = db.session.scalar(db.select(SchoolClass.id).filter_by(name="X IPA 1"))
    page = browser_page
    console = watch(page)
    for role, url, name in (("guru", f"/admin/school/classes/{class_id}/month", "class-month"),
                            ("kepsek", "/admin/school/teachers/recap", "teachers-recap")):
        page.context.clear_cookies()
        _sign_in(page, live_server, emails[role])
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900 if width > 800 else 844})
            page.goto(f"{live_server}{url}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
            if width == 390:
                _fits(page, width)
                # every count column is on the screen, none hidden off its right edge
                cells = page.locator(f"#{name} table.people-counts tbody tr").first.locator("td")
                for i in range(cells.count()):
                    box = cells.nth(i).bounding_box()
                    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (name, i, box)
    assert violations(page, console) == []


@pytest.mark.parametrize("role, pages", [
    ("pegawai", ("/admin/me/month", "/admin/me/schedule", "/admin/me/leave", "/admin/me/leave/new")),
    ("kepsek", ("/admin/me/leave/approvals", "/admin/school/today", "/admin/school/roll-call")),
    ("paramedis", ("/admin/escorts/", "/admin/me/service-fees")),
    ("dokter", ("/admin/me/service-fees", "/admin/me/profile", "/admin/me/device-reset")),
])
def test_own_pages_fit_a_phone(app, factory, live_server, browser_page, tmp_path, role, pages):
    """The pages everyone opens from their home: on a phone nothing sticks out of the screen."""
    emails = _seed(app, factory)
    out = Path(os.environ.get("HADIR_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page = browser_page
    console = watch(page)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, emails[role])
    for url in pages:
        page.goto(f"{live_server}{url}")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / f"{role}{url.replace('/admin', '').replace('/', '-')}-390.png"), full_page=True)
        _fits(page, 390)
        if url == "/admin/me/month":
            # today's check-in: its time, its photo and its map link are on the screen
            for link in ("Foto", "Peta"):
                box = page.locator(".cell-events a", has_text=link).first.bounding_box()
                assert box and 0 <= box["x"] and box["x"] + box["width"] <= 390, (link, box)
            box = page.locator("tr.is-today .day").first.bounding_box()
            assert box and box["x"] + box["width"] <= 390, box
    assert violations(page, console) == []
