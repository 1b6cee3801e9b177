"""app.school.services: academic years, one active card, once per student per day under races."""
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.extensions import db
from app.school import services as school
from app.school.models import ClassEnrollment, SchoolClass, StudentAttendance, StudentQrCard

DAY = date(2026, 1, 30)


@pytest.mark.parametrize("day, year", [(date(2026, 1, 30), 2025), (date(2026, 6, 30), 2025),
                                       (date(2026, 7, 1), 2026), (date(2025, 12, 31), 2025)])
def test_academic_year_starts_in_july(day, year):
    assert school.academic_year_of(day) == year


@pytest.fixture
def arranged(ctx, factory):
    return _arrange(factory)


def _arrange(factory):
    teacher = factory.user(role="guru")
    students = [factory.user(role="siswa", nisn_nip_nik=f"10{n}") for n in range(3)]
    cls = SchoolClass(name="X IPA 1")
    db.session.add(cls)
    db.session.flush()
    for s in students:
        db.session.add(ClassEnrollment(class_id=cls.id, student_id=s.id, academic_year=2025))
    db.session.commit()
    return cls, db.session.get(User, teacher.id), [db.session.get(User, s.id) for s in students]


@pytest.fixture
def arranged_outsider(factory, ctx):
    outsider = factory.user(role="siswa", nisn_nip_nik="999")
    return (*_arrange(factory), db.session.get(User, outsider.id))


def test_the_database_refuses_two_active_cards_for_one_student(arranged):
    _cls, _teacher, students = arranged
    school.generate_card(students[0])
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(StudentQrCard(student_id=students[0].id, qr_code="SECONDACTIVE", is_active=True))
            db.session.flush()


def test_generate_and_activate_keep_one_active_card(arranged):
    _cls, _teacher, students = arranged
    first = school.generate_card(students[0])
    second = school.generate_card(students[0])
    db.session.refresh(first)
    assert (first.is_active, second.is_active) == (False, True)
    school.set_card_status(first, True)
    db.session.refresh(second)
    assert (first.is_active, second.is_active) == (True, False)
    with pytest.raises(school.CardInactive):
        school.find_active_card(second.qr_code)
    assert school.find_active_card(first.qr_code.lower()).id == first.id


def test_a_lost_race_is_a_conflict_and_leaves_one_row(arranged):
    cls, teacher, students = arranged
    school.record_student(students[0], cls, teacher, method="manual", on=DAY)
    with pytest.raises(school.AlreadyAttended):
        school.record_student(students[0], cls, teacher, method="qr_card", on=DAY)
    db.session.commit()  # the session is still usable: the savepoint took the second row back
    assert db.session.scalar(db.select(db.func.count()).select_from(StudentAttendance)) == 1


def test_bulk_counts_a_concurrent_record_as_already_attended(arranged, monkeypatch):
    cls, teacher, students = arranged
    stale = school.class_status(cls, DAY)  # read before the other request records student 1
    school.record_student(students[1], cls, teacher, method="manual", on=DAY)
    monkeypatch.setattr(school, "class_status", lambda *_: stale)
    result = school.bulk_record(cls, DAY, teacher)
    assert (result.total, result.already, result.newly) == (3, 1, 2)
    assert [s.attended for s in result.students] == [False, True, False]
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(StudentAttendance)) == 3


def test_an_unenrolled_student_is_refused(ctx, factory, arranged_outsider):
    cls, teacher, _students, outsider = arranged_outsider
    with pytest.raises(school.NotEnrolled):
        school.record_student(outsider, cls, teacher, method="manual", on=DAY)
    with pytest.raises(school.NotEnrolled):  # enrolled for 2025, not for the 2026 year
        school.record_student(_students[0], cls, teacher, method="manual", on=date(2026, 8, 1))
