"""A class's month (/admin/school/classes/<id>/month) and the school's teachers' recap
(/admin/school/teachers/recap): who may open them, and the days as the recap classifies them with
the teacher's roll-call marks."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from app.extensions import db

from tests.helpers import AdminSession, text_of


def _session(app, email):
    session = AdminSession(app.test_client())
    assert session.login(email).status_code == 302
    return session


@pytest.fixture
def school_month(app, factory, freeze_time):
    """Wednesday 9 December 2026; class X IPA 1 (homeroom: Bu Sari) with Andi (recorded present on
    the 1st and the 9th), Budi (marked sick on the 2nd, on approved permission leave on the 3rd) and
    Citra (nothing recorded); X IPA 2 belongs to another teacher."""
    from app.accounts.models import User
    from app.leave import services as leave
    from app.school import services as school

    freeze_time("2026-12-09T10:00+07:00")
    factory.schedule()
    sari = factory.user(role="guru", name="Bu Sari", email="sari@hadir.test")
    other = factory.user(role="guru", name="Pak Lain", email="lain@hadir.test")
    factory.user(role="kepsek", name="Pak Kepala", email="kepsek@hadir.test")
    admin = factory.user(role="admin", email="admin@hadir.test")
    andi, budi, citra = (factory.user(role="siswa", name=n, nisn_nip_nik=f"00{i}") for i, n in
                         enumerate(("Andi", "Budi", "Citra")))
    with app.app_context():
        get = lambda person: db.session.get(User, person.id)  # noqa: E731
        mine = school.create_class(name="X IPA 1", homeroom_teacher_id=sari.id)
        theirs = school.create_class(name="X IPA 2", homeroom_teacher_id=other.id)
        school.assign_students(mine, [andi.id, budi.id, citra.id], 2026)
        for day in (date(2026, 12, 1), date(2026, 12, 9)):
            school.record_student(get(andi), mine, get(sari), method="manual", on=day)
        school.mark_absence(get(budi), mine, get(sari), on=date(2026, 12, 2), kind="sick", note="Demam")
        request = leave.request_leave(get(budi), "izin", date(2026, 12, 3), date(2026, 12, 3), "Acara keluarga")
        leave.review_leave(request, get(admin), approve=True, comment=None)
        db.session.commit()
        return {"mine": mine.id, "theirs": theirs.id, "andi": andi.id, "budi": budi.id, "citra": citra.id}


def _counts(page: str, row_id: str) -> dict[str, int]:
    row = page.split(f'id="{row_id}"', 1)[1].split("</tr>", 1)[0]
    return {code: int(n) for code, n in re.findall(r'data-code="(\w+)">(\d+)<', row)}


def _grid_statuses(page: str, name: str) -> list[str]:
    grid = page.split('id="class-month-grid"', 1)[1]
    row = grid.split(f'<td class="report-person">{name}</td>', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'data-status="(\w+)"', row)


def test_a_homeroom_teacher_reads_her_classs_month(app, factory, school_month):
    from app.accounts.models import User
    from app.leave import services as leave
    from app.school import services as school

    dewi = factory.user(role="siswa", name="Dewi", nisn_nip_nik="009")
    with app.app_context():
        from app.school.models import SchoolClass

        theirs = db.session.get(SchoolClass, school_month["theirs"])
        school.assign_students(theirs, [dewi.id], 2026)
        leave.request_leave(db.session.get(User, dewi.id), "sakit", date(2026, 12, 10), date(2026, 12, 10), "Flu")
        db.session.commit()
    sari = _session(app, "sari@hadir.test")
    response = sari.get(f"/admin/school/classes/{school_month['mine']}/month?month=2026-12")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _counts(page, f"class-month-{school_month['andi']}") == {"present": 2, "late": 0, "sakit": 0, "izin": 0,
                                                                    "absent": 5}
    assert _counts(page, f"class-month-{school_month['budi']}") == {"present": 0, "late": 0, "sakit": 1, "izin": 1,
                                                                    "absent": 4}
    assert _counts(page, f"class-month-{school_month['citra']}") == {"present": 0, "late": 0, "sakit": 0, "izin": 0,
                                                                     "absent": 6}
    assert _counts(page, "class-month-totals") == {"present": 2, "late": 0, "sakit": 1, "izin": 1, "absent": 15}
    # the students' leave requests of the month: Budi's, not another class's Dewi's
    leaves = page.split('id="class-leave"', 1)[1].split("</section>", 1)[0]
    assert "Acara keluarga" in leaves and "Budi" in leaves and "Dewi" not in leaves and "Flu" not in leaves
    budi = _grid_statuses(page, "Budi")
    assert len(budi) == 31 and budi[:9] == ["absent", "sakit", "izin", "absent", "off", "off", "absent", "absent",
                                            "not_yet"]  # Tuesday 1st to today, Wednesday 9th
    assert budi[9:].count("future") + budi[9:].count("off") == 22
    assert 'href="/admin/school/classes/%d/month?month=2026-11"' % school_month["mine"] in page
    # the roll call links to the month, and so does the home
    today = sari.get(f"/admin/school/classes/{school_month['mine']}/today").get_data(as_text=True)
    assert f'href="/admin/school/classes/{school_month["mine"]}/month"' in today
    assert f'href="/admin/school/classes/{school_month["mine"]}/month"' in sari.get("/admin/me/").get_data(as_text=True)


def test_a_teacher_cannot_read_another_teachers_class(app, school_month):
    sari = _session(app, "sari@hadir.test")
    assert sari.get(f"/admin/school/classes/{school_month['theirs']}/month").status_code == 403
    assert sari.get("/admin/school/classes/987654/month").status_code == 404
    assert sari.get("/admin/school/teachers/recap").status_code == 403


def test_a_bad_month_shows_this_month_and_says_so(app, school_month):
    page = _session(app, "sari@hadir.test").get(
        f"/admin/school/classes/{school_month['mine']}/month?month=2026-13").get_data(as_text=True)
    assert "2026-13" in text_of(page) and "Desember 2026" in page


def test_the_principal_reads_every_classs_month_and_the_teachers_recap(app, factory, school_month):
    from app.attendance.models import DailyAttendance

    with app.app_context():
        from app.accounts.models import User

        sari = db.session.scalar(db.select(User).filter_by(email="sari@hadir.test"))
        db.session.add(DailyAttendance(user_id=sari.id, work_date=date(2026, 12, 7), status="late",
                                       time_in=datetime(2026, 12, 7, 1, 30, tzinfo=timezone.utc), late_minutes=30))
        db.session.commit()
        sari_id = sari.id
    principal = _session(app, "kepsek@hadir.test")
    for key in ("mine", "theirs"):
        assert principal.get(f"/admin/school/classes/{school_month[key]}/month").status_code == 200
    page = principal.get("/admin/school/teachers/recap?month=2026-12").get_data(as_text=True)
    names = re.findall(r'<tr id="teacher-\d+">\s*<td[^>]*><strong>([^<]+)</strong>', page)
    assert names == ["Bu Sari", "Pak Kepala", "Pak Lain"]
    # the neighbouring months, across the turn of the year
    assert 'href="/admin/school/teachers/recap?month=2026-11"' in page
    assert 'href="/admin/school/teachers/recap?month=2027-01"' in page
    assert _counts(page, f"teacher-{sari_id}")["present"] == 1 and _counts(page, f"teacher-{sari_id}")["late"] == 1
    assert _counts(page, f"teacher-{sari_id}")["absent"] == 5
    home = principal.get("/admin/me/").get_data(as_text=True)
    assert 'href="/admin/school/teachers/recap"' in home
    assert 'href="/admin/school/teachers/recap"' in principal.get("/admin/school/today").get_data(as_text=True)
