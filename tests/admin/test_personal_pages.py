"""Everyone's own pages: schedule of a month, device-reset request, profile, password."""
from __future__ import annotations

from datetime import date

import pytest

from app.accounts.models import DeviceResetRequest, User
from app.extensions import db

from tests.helpers import AdminSession, field_error, text_of


@pytest.fixture
def employee(app, factory):
    """An employee (signed in) whose organisation works Monday to Friday, 08:00 late limit."""
    factory.schedule()
    person = factory.user(role="pegawai", name="Andi Pratama", email="andi@hadir.test", npp="10001")
    session = AdminSession(app.test_client())
    assert session.login("andi@hadir.test").status_code == 302
    session.user = person
    return session


def test_my_schedule_shows_the_month_as_the_schedule_engine_resolves_it(app, factory, employee, freeze_time):
    from app.schedules.models import Holiday

    freeze_time("2026-12-07T02:00:00Z")  # Monday 7 December, 09:00 in Jakarta
    factory._commit(Holiday(on_date=date(2026, 12, 25), name="Hari Raya Natal", category="public"))
    response = employee.get("/admin/me/schedule")
    assert response.status_code == 200
    body = text_of(response.get_data(as_text=True))
    assert "Desember 2026" in body and "22 hari kerja" in body  # 23 weekdays less Christmas
    assert "Hari Raya Natal" in body and "Jam Kerja Normal" in body
    page = response.get_data(as_text=True)
    assert page.count('aria-current="date"') == 1
    # the neighbouring months, across the turn of the year
    assert 'href="/admin/me/schedule?month=2026-11"' in page and 'href="/admin/me/schedule?month=2027-01"' in page
    other = text_of(employee.get("/admin/me/schedule?month=2027-02").get_data(as_text=True))
    assert "Februari 2027" in other and "20 hari kerja" in other
    bad = text_of(employee.get("/admin/me/schedule?month=2026-13").get_data(as_text=True))
    assert "Itu bukan bulan" in bad and "Desember 2026" in bad


def test_asking_for_a_device_reset_and_seeing_its_status(app, employee):
    page = "/admin/me/device-reset"
    short = employee.submit(page, page, {"reason": "rusak"})
    assert short.status_code == 200
    assert field_error(short.get_data(as_text=True), "reason") == "Alasan minimal 10 karakter."
    response = employee.submit(page, page, {"reason": "HP lama saya hilang di kereta"})
    assert response.status_code == 303
    body = text_of(employee.get(page).get_data(as_text=True))
    assert "HP lama saya hilang di kereta" in body and "Menunggu" in body
    assert "Kirim pengajuan" not in body  # one pending request at a time
    with app.app_context():
        requests = db.session.scalars(db.select(DeviceResetRequest)).all()
        assert [(r.user_id, r.status) for r in requests] == [(employee.user.id, "pending")]
        requests[0].status, requests[0].admin_notes = "rejected", "Datang ke bagian HR"
        db.session.commit()
    body = text_of(employee.get("/admin/me/").get_data(as_text=True))
    assert "Ditolak" in body
    assert "Datang ke bagian HR" in text_of(employee.get(page).get_data(as_text=True))


def test_profile_changes_only_name_email_and_phone(app, factory, employee):
    factory.user(role="pegawai", email="taken@hadir.test")
    page = "/admin/me/profile"
    taken = employee.submit(page, page, {"name": "Andi P.", "email": "taken@hadir.test", "phone": ""})
    assert taken.status_code == 422
    assert field_error(taken.get_data(as_text=True), "email") == "Email ini sudah dipakai akun lain."
    response = employee.submit(page, page, {"name": "Andi P.", "email": "andi.p@hadir.test", "phone": "0812",
                                            "role": "admin", "npp": "99999"})
    assert response.status_code == 303
    with app.app_context():
        user = db.session.get(User, employee.user.id)
        assert (user.name, user.email, user.phone, user.role, user.npp) == \
            ("Andi P.", "andi.p@hadir.test", "0812", "pegawai", "10001")


def test_changing_the_password_follows_the_one_policy(app, employee):
    page, action = "/admin/me/profile", "/admin/me/password"
    wrong = employee.submit(page, action, {"current_password": "nope", "new_password": "rahasia-baru-1",
                                           "confirm_password": "rahasia-baru-1"})
    assert field_error(wrong.get_data(as_text=True), "current_password") == "Kata sandi saat ini salah."
    short = employee.submit(page, action, {"current_password": "password123", "new_password": "pendek",
                                           "confirm_password": "pendek"})
    assert field_error(short.get_data(as_text=True), "new_password") == "Kata sandi baru minimal 8 karakter."
    differ = employee.submit(page, action, {"current_password": "password123", "new_password": "rahasia-baru-1",
                                            "confirm_password": "rahasia-baru-2"})
    assert field_error(differ.get_data(as_text=True), "confirm_password") == "Kedua kata sandi baru tidak sama."
    done = employee.submit(page, action, {"current_password": "password123", "new_password": "rahasia-baru-1",
                                          "confirm_password": "rahasia-baru-1"})
    assert done.status_code == 303
    fresh = AdminSession(app.test_client())
    assert fresh.login("andi@hadir.test").status_code == 200  # the old password no longer works
    assert fresh.login("andi@hadir.test", "rahasia-baru-1").status_code == 302


def test_my_month_shows_only_my_own_attendance(app, factory):
    """/admin/me/month renders the recap's month of the signed-in person; no id in the URL
    reaches anyone else's month, and a bad month falls back to this month with a notice."""
    from tests.helpers import AdminSession

    factory.user(role="pegawai", name="Pegawai Satu", email="satu@hadir.test")
    factory.user(role="pegawai", name="Pegawai Dua", email="dua@hadir.test")
    me = AdminSession(app.test_client())
    me.login("satu@hadir.test")
    page = me.get("/admin/me/month?month=2026-11").get_data(as_text=True)
    assert 'id="person-month"' in page and "Pegawai Satu" in page and "Pegawai Dua" not in page
    assert 'href="/admin/me/month?month=2026-10"' in page
    assert 'href="/admin/me/month"' in me.get("/admin/me/").get_data(as_text=True)
    bad = me.get("/admin/me/month?month=junk").get_data(as_text=True)
    assert "junk" in bad and 'id="person-month"' in bad


def test_my_month_shows_my_event_photos_and_map_links_and_nobody_elses_photo(app, factory, uploads):
    """Each of my events on /admin/me/month links its photo (served to me, never cached) and a map of
    where it was taken; another person's event photo, a missing event and an event without a photo
    answer 404 — also when the event id in the URL is changed."""
    from datetime import datetime, timezone

    from app.attendance.models import AttendanceEvent

    mine_user = factory.user(role="pegawai", name="Pegawai Satu", email="satu@hadir.test")
    other_user = factory.user(role="pegawai", name="Pegawai Dua", email="dua@hadir.test")
    for name in ("mine.jpg", "theirs.jpg"):
        path = uploads / "attendance" / "2026" / "11" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\xff\xd8\xff\xe0 " + name.encode())
    with app.app_context():
        def event(user, photo, minute):
            row = AttendanceEvent(user_id=user.id, kind="check_in", source="face", work_date=date(2026, 11, 3),
                                  occurred_at=datetime(2026, 11, 3, 0, minute, tzinfo=timezone.utc),
                                  latitude=-6.2, longitude=106.8,
                                  photo_path=f"attendance/2026/11/{photo}" if photo else None)
            db.session.add(row)
            db.session.flush()
            return row.id
        mine, bare, theirs = event(mine_user, "mine.jpg", 55), event(mine_user, None, 56), \
            event(other_user, "theirs.jpg", 57)
        db.session.commit()
    me = AdminSession(app.test_client())
    me.login("satu@hadir.test")
    page = me.get("/admin/me/month?month=2026-11").get_data(as_text=True)
    assert f'href="/admin/me/events/{mine}/photo"' in page
    assert f"/events/{bare}/photo" not in page and f"/events/{theirs}/photo" not in page
    assert "https://www.openstreetmap.org/?mlat=-6.200000&amp;mlon=106.800000" in page
    photo = me.get(f"/admin/me/events/{mine}/photo")
    assert photo.status_code == 200 and photo.data.endswith(b"mine.jpg")
    assert photo.headers["Cache-Control"] == "no-store, private"
    for other in (theirs, bare, 987654):
        assert me.get(f"/admin/me/events/{other}/photo").status_code == 404
    # the staff route stays staff-only
    assert me.get(f"/admin/attendance/events/{mine}/photo").status_code == 403
