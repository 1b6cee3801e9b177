"""A homeroom teacher's roll call in the web app: present, sick, permitted or absent with a
note; the principal's school today."""
from __future__ import annotations

import pytest

from app.common import clock
from app.extensions import db
from app.school.models import ClassEnrollment, SchoolClass, StudentAbsence, StudentAttendance

from tests.helpers import AdminSession, text_of


@pytest.fixture
def school(app, factory):
    """A teacher (signed in) with her class X IPA 1 of two students, and another class."""
    from app.school.services import academic_year_of

    teacher = factory.user(role="guru", name="Budi Setiawan", email="guru@hadir.test", npp=None)
    mine = factory._commit(SchoolClass(name="X IPA 1", homeroom_teacher_id=teacher.id))
    other = factory._commit(SchoolClass(name="X IPA 2"))
    year = academic_year_of(clock.local_today())
    students = []
    for name, school_class in (("Andi Saputra", mine), ("Citra Dewi", mine), ("Dodi Lain", other)):
        student = factory.user(role="siswa", name=name, nisn_nip_nik=f"10{len(students):02d}")
        factory._commit(ClassEnrollment(class_id=school_class.id, student_id=student.id, academic_year=year))
        students.append(student)
    session = AdminSession(app.test_client())
    assert session.login("guru@hadir.test").status_code == 302
    return session, teacher, mine, other, students


def _marks(app):
    with app.app_context():
        return db.session.execute(db.select(StudentAbsence.student_id, StudentAbsence.kind, StudentAbsence.note)
                                  .order_by(StudentAbsence.student_id)).all()


def test_a_teacher_marks_a_student_sick_with_a_note_then_present(app, school):
    session, teacher, mine, _other, (andi, citra, _dodi) = school
    page = f"/admin/school/classes/{mine.id}/today"
    response = session.submit(page, f"{page}/mark", {"student_id": andi.id, "kind": "sick",
                                                      "note": "Surat dokter dari orang tua"}, htmx=True)
    assert response.status_code == 200
    body = text_of(response.get_data(as_text=True))
    assert "Andi Saputra: Sakit." in body and "Surat dokter dari orang tua" in body
    assert _marks(app) == [(andi.id, "sick", "Surat dokter dari orang tua")]
    # changed to permitted: the one mark is replaced
    session.submit(page, f"{page}/mark", {"student_id": andi.id, "kind": "permitted", "note": ""})
    assert _marks(app) == [(andi.id, "permitted", None)]
    # he came after all: present, and the mark is gone
    assert session.submit(page, f"{page}/present", {"student_id": andi.id}).status_code == 303
    assert _marks(app) == []
    with app.app_context():
        assert db.session.scalars(db.select(StudentAttendance.recorded_by_id)).all() == [teacher.id]
    # a present student is not marked absent
    response = session.submit(page, f"{page}/mark", {"student_id": andi.id, "kind": "absent"}, htmx=True)
    assert "Andi Saputra sudah tercatat hadir hari ini" in text_of(response.get_data(as_text=True))
    assert _marks(app) == []
    grid = text_of(session.get(page).get_data(as_text=True))
    assert "Citra Dewi" in grid and "Alpa" in grid


@pytest.mark.parametrize("data, message", [
    ({"kind": "asleep"}, "Alasan: Not a valid choice."),
    ({"kind": "sick", "note": "x" * 501}, "Catatan: Paling banyak 500 karakter."),
])
def test_a_bad_mark_is_refused_and_changes_nothing(app, school, data, message):
    session, _teacher, mine, _other, (andi, _citra, _dodi) = school
    page = f"/admin/school/classes/{mine.id}/today"
    response = session.submit(page, f"{page}/mark", {"student_id": andi.id, **data}, htmx=True)
    assert response.status_code == 200
    assert message.split(":")[0] in text_of(response.get_data(as_text=True))
    assert _marks(app) == []


def test_a_teacher_cannot_mark_students_of_another_class(app, school):
    session, _teacher, mine, other, (_andi, _citra, dodi) = school
    page = f"/admin/school/classes/{mine.id}/today"
    assert session.submit(page, f"/admin/school/classes/{other.id}/today/mark",
                          {"student_id": dodi.id, "kind": "sick"}).status_code == 403
    response = session.submit(page, f"{page}/mark", {"student_id": dodi.id, "kind": "sick"}, htmx=True)
    assert "Dodi Lain tidak terdaftar di kelas ini" in text_of(response.get_data(as_text=True))
    assert _marks(app) == []


def test_the_principal_sees_the_whole_school_today(app, factory, school):
    session, teacher, mine, other, (andi, _citra, _dodi) = school
    page = f"/admin/school/classes/{mine.id}/today"
    session.submit(page, f"{page}/present", {"student_id": andi.id})
    factory.user(role="kepsek", name="Hj. Sri Wahyuni", email="kepsek@hadir.test", npp=None)
    principal = AdminSession(app.test_client())
    principal.login("kepsek@hadir.test")
    body = text_of(principal.get("/admin/school/today").get_data(as_text=True))
    assert "X IPA 1 Budi Setiawan 1 2" in body and "X IPA 2" in body
    assert "Budi Setiawan Guru Belum absen" in body
    # and may take any class's roll call
    assert principal.get(f"/admin/school/classes/{other.id}/today").status_code == 200
    assert session.get("/admin/school/today").status_code == 403
