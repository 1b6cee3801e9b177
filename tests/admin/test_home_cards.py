"""Everyone's home page (/admin/me/): the cards each role needs first, each linking to its page.

The cards come from the core's registry (:mod:`app.personal.cards`); the school, the clinic and the
ER plug theirs in at app setup.  Each test signs in as one role and reads the figures on its home.
"""
from __future__ import annotations

import base64
import io
import re
from datetime import date, datetime, timezone

import pytest

from app.extensions import db

from tests.helpers import AdminSession, text_of


def _utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(timezone.utc)


def _signed_in(app, factory, role, email, **kw):
    person = factory.user(role=role, email=email, **kw)
    session = AdminSession(app.test_client())
    assert session.login(email).status_code == 302
    session.user = person
    return session


def _block(page: str, element_id: str) -> str:
    """The text of the element with ``element_id`` (up to its closing tag of the same name)."""
    match = re.search(rf'<(a|section) [^>]*id="{element_id}".*?</\1>', page, re.S)
    assert match, f"no #{element_id} on the page"
    return text_of(match.group(0))


def test_an_employees_home_shows_today_the_leave_balance_and_the_week(app, factory, freeze_time):
    from app.attendance.models import DailyAttendance

    freeze_time("2026-12-09T10:00+07:00")  # a Wednesday
    factory.schedule()
    me = _signed_in(app, factory, "pegawai", "andi@hadir.test", name="Andi Pratama", npp="10001")
    page = me.get("/admin/me/").get_data(as_text=True)
    assert 'href="/admin/me/leave"' in page and 'href="/admin/me/month"' in page
    leave = _block(page, "home-leave")
    assert "12/12" in leave.replace(" ", "") and "0 permintaan menunggu keputusan" in leave
    assert _block(page, "today-attendance") == "Kehadiran Anda hari ini Belum Anda belum absen masuk."
    week = _block(page, "home-week")
    assert week.count("07.00") + week.count("07:00") == 5, week  # Monday to Friday work, the weekend off
    assert 'aria-current="date"' in page.split('id="home-week"', 1)[1]

    with app.app_context():
        db.session.add(DailyAttendance(user_id=me.user.id, work_date=date(2026, 12, 9), status="late",
                                       time_in=_utc("2026-12-09T08:20+07:00"), late_minutes=20))
        db.session.commit()
    me.submit("/admin/me/leave/new", "/admin/me/leave/new",
              {"leave_type": "cuti", "start_date": "2026-12-21", "end_date": "2026-12-23", "reason": "Keluarga"})
    page = me.get("/admin/me/").get_data(as_text=True)
    today = _block(page, "today-attendance")
    assert "08.20" in today or "08:20" in today
    assert 'data-status="late"' in page
    assert "1 permintaan menunggu keputusan" in _block(page, "home-leave")


def test_the_balance_on_the_home_drops_after_an_approved_leave(app, factory, freeze_time):
    from app.leave import services as leave_services

    freeze_time("2026-12-01T09:00+07:00")
    factory.schedule()
    admin = factory.user(role="admin", email="admin@hadir.test")
    me = _signed_in(app, factory, "pegawai", "budi@hadir.test", name="Budi", npp="10002")
    with app.app_context():
        from app.accounts.models import User

        leave = leave_services.request_leave(db.session.get(User, me.user.id), "cuti", date(2026, 12, 14),
                                             date(2026, 12, 16), "Liburan")
        leave_services.review_leave(leave, db.session.get(User, admin.id), approve=True, comment=None)
        db.session.commit()
    leave_tile = _block(me.get("/admin/me/").get_data(as_text=True), "home-leave")
    assert "9/12" in leave_tile.replace(" ", "")


def test_a_teachers_home_lists_her_classes_with_todays_roll_call(app, factory, freeze_time):
    from app.school import services as school

    freeze_time("2026-12-09T08:00+07:00")
    teacher = _signed_in(app, factory, "guru", "guru@hadir.test", name="Bu Sari")
    other = factory.user(role="guru", email="lain@hadir.test", name="Pak Lain")
    students = [factory.user(role="siswa", name=f"Siswa {n}", nisn_nip_nik=f"00100{n}") for n in range(3)]
    with app.app_context():
        mine = school.create_class(name="X IPA 1", homeroom_teacher_id=teacher.user.id)
        school.create_class(name="X IPS 2", homeroom_teacher_id=other.id)
        school.assign_students(mine, [s.id for s in students], school.academic_year_of(date(2026, 12, 9)))
        db.session.commit()
        class_id = mine.id
    classes = _block(teacher.get("/admin/me/").get_data(as_text=True), "home-classes")
    assert "X IPA 1" in classes and "X IPS 2" not in classes
    assert "0 dari 3 siswa hadir hari ini" in classes
    teacher.submit(f"/admin/school/classes/{class_id}/today", f"/admin/school/classes/{class_id}/today/present",
                   {"student_id": str(students[0].id)})
    page = teacher.get("/admin/me/").get_data(as_text=True)
    assert "1 dari 3 siswa hadir hari ini" in _block(page, "home-classes")
    assert f'href="/admin/school/classes/{class_id}/today"' in page
    assert 'id="home-school-today"' not in page  # the school's figures are the leads'


def test_a_teacher_without_a_class_is_told_so(app, factory):
    teacher = _signed_in(app, factory, "guru", "guru@hadir.test")
    classes = _block(teacher.get("/admin/me/").get_data(as_text=True), "home-classes")
    assert "wali kelas" in classes and "siswa hadir" not in classes


def test_a_principals_home_shows_the_school_today_and_leave_to_approve(app, factory, freeze_time):
    from app.leave import services as leave_services

    freeze_time("2026-12-09T09:00+07:00")
    principal = _signed_in(app, factory, "kepsek", "kepsek@hadir.test")
    teacher = factory.user(role="guru", email="guru@hadir.test", name="Bu Guru")
    with app.app_context():
        from app.accounts.models import User

        leave_services.request_leave(db.session.get(User, teacher.id), "izin", date(2026, 12, 10),
                                     date(2026, 12, 10), "Urusan keluarga")
        db.session.commit()
    page = principal.get("/admin/me/").get_data(as_text=True)
    school_today = _block(page, "home-school-today")
    assert "0 dari 2 guru sudah absen masuk" in school_today
    approvals = _block(page, "home-approvals")
    assert approvals == "Persetujuan izin & cuti 1 untuk disetujui atau ditolak"
    assert 'href="/admin/me/leave/approvals"' in page and 'id="home-classes"' not in page


def test_a_doctors_home_shows_the_months_service_fees(app, factory, clinic, freeze_time):
    freeze_time("2026-10-20T09:00+07:00")
    doctor = _signed_in(app, factory, "dokter", "dokter@hadir.test", name="dr. Rina")
    patient = clinic.patient("Pasien A")
    clinic.procedure(patient, doctor.user, share=50_000, status="approved", validator=factory.user(role="admin"))
    clinic.procedure(patient, doctor.user, share=70_000)
    page = doctor.get("/admin/me/").get_data(as_text=True)
    fees = _block(page, "home-service-fees")
    assert "50.000" in fees and "1 tindakan tervalidasi" in fees and "1 tindakan menunggu validasi" in fees
    assert 'id="home-escorts"' in page  # a doctor is ER staff too (the igd contract's roles)


@pytest.mark.parametrize("role, shown", [("paramedis", True), ("non_paramedis", False), ("pegawai", False)])
def test_the_er_card_is_for_the_er_staff_only(app, factory, role, shown):
    from PIL import Image

    from app.attendance.photos import decode_photo
    from app.escorts import services

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, format="JPEG")
    with app.app_context():
        services.create_escort(category="individual", name="Pengantar", gender="male", phone="081234560001",
                               plate_number="B1234XY", patient_name="Pasien",
                               photo=decode_photo(base64.b64encode(buffer.getvalue()).decode()), ip="10.0.0.7")
        db.session.commit()
    session = _signed_in(app, factory, role, f"{role}@hadir.test")
    page = session.get("/admin/me/").get_data(as_text=True)
    assert ('id="home-escorts"' in page) is shown
    if shown:
        assert _block(page, "home-escorts").startswith("Pengantar IGD menunggu 1 ")


def test_a_card_with_nothing_for_the_person_is_left_out(app, factory):
    """The registry: a card whose loader answers None is not rendered; one answering a dict is."""
    from app.personal.cards import _CARDS, HomeCard, cards_for, register_card

    person = factory.user(role="pegawai")
    try:
        register_card(HomeCard("test.none", 1, "personal/_cards/approvals.html", lambda user, today: None))
        register_card(HomeCard("test.some", 2, "personal/_cards/approvals.html", lambda user, today: {"waiting": 7}))
        with app.test_request_context(), app.app_context():
            from app.accounts.models import User

            keys = [c.key for c, _ctx in cards_for(db.session.get(User, person.id), date(2026, 12, 9))]
        assert "test.none" not in keys and keys[0] == "test.some"
    finally:
        _CARDS.pop("test.none", None)
        _CARDS.pop("test.some", None)
    with pytest.raises(ValueError):
        HomeCard("x", 1, "t.html", lambda user, today: None, kind="banner")
