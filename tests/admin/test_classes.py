"""School classes: list, create/edit/delete, enrolment per academic year, today's attendance grid."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.common import clock
from app.extensions import db
from app.leave.models import LeaveRequest
from app.school.models import ClassEnrollment, SchoolClass, StudentAttendance, StudentQrCard
from app.school.services import academic_year_of

from tests.helpers import count, fetch, field_error, text_of

LIST = "/admin/school/classes"


@pytest.fixture
def en_admin(as_admin):
    """The administrator's browser with the UI in English (stable texts for the assertions)."""
    as_admin.submit("/admin/", "/admin/language", {"lang": "en"})
    return as_admin


def _year(app) -> int:
    with app.app_context():
        return academic_year_of(clock.local_today())


def _today(app):
    with app.app_context():
        return clock.local_today()


def _class(app, name, teacher=None):
    with app.app_context():
        row = SchoolClass(name=name, homeroom_teacher_id=teacher.id if teacher else None)
        db.session.add(row)
        db.session.commit()
        return row.id


def _enrol(app, class_id, student, year):
    with app.app_context():
        db.session.add(ClassEnrollment(class_id=class_id, student_id=student.id, academic_year=year))
        db.session.commit()


def _class_of(app, student, year):
    """The class id of ``student`` in ``year`` (None: not enrolled)."""
    with app.app_context():
        return db.session.scalar(db.select(ClassEnrollment.class_id).where(
            ClassEnrollment.student_id == student.id, ClassEnrollment.academic_year == year))


def _student(factory, name, nisn):
    return factory.user(role="siswa", name=name, nisn_nip_nik=nisn)


# --- access -------------------------------------------------------------------------------

def test_anonymous_goes_to_login(anon):
    response = anon.get(LIST)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_petugas_gets_403_everywhere_and_changes_nothing(app, as_petugas, factory):
    class_id = _class(app, "X IPA 1")
    for url in (LIST, f"{LIST}/new", f"{LIST}/{class_id}/edit", f"{LIST}/{class_id}", f"{LIST}/{class_id}/delete",
                f"{LIST}/{class_id}/today", f"{LIST}/{class_id}/candidates?q=a"):
        assert as_petugas.get(url).status_code == 403, url
    student = _student(factory, "Siti", "0051")
    token = as_petugas.token("/admin/")
    for action in ("enrol", "remove", "move", "today/present", "today/present-all", "delete"):
        response = as_petugas.client.post(f"{LIST}/{class_id}/{action}",
                                          data={"csrf_token": token, "student_id": student.id,
                                                "academic_year": _year(app)})
        assert response.status_code == 403, action
    response = as_petugas.client.post(f"{LIST}/new", data={"csrf_token": token, "name": "X IPA 9"})
    assert response.status_code == 403
    assert count(app, ClassEnrollment) == 0 and count(app, StudentAttendance) == 0
    assert count(app, SchoolClass) == 1


def test_unknown_class_is_404(en_admin):
    for url in (f"{LIST}/999", f"{LIST}/999/edit", f"{LIST}/999/today", f"{LIST}/999/delete",
                f"{LIST}/999/candidates?q=a"):
        assert en_admin.get(url).status_code == 404, url
    response = en_admin.submit(LIST, f"{LIST}/999/enrol", {"student_id": 1, "academic_year": 2025})
    assert response.status_code == 404


def test_post_without_csrf_is_refused(app, en_admin, factory):
    class_id = _class(app, "X IPA 1")
    student = _student(factory, "Siti", "0051")
    response = en_admin.client.post(f"{LIST}/{class_id}/enrol",
                                    data={"student_id": student.id, "academic_year": _year(app)})
    assert response.status_code == 400
    assert count(app, ClassEnrollment) == 0


# --- the list --------------------------------------------------------------------------------

def test_list_shows_teacher_students_and_today(app, en_admin, factory):
    teacher = factory.user(role="guru", name="Bu Rina")
    a, b = _class(app, "X IPA 1", teacher), _class(app, "XI IPS 2")
    year = _year(app)
    s1, s2, s3 = (_student(factory, n, f"00{i}") for i, n in enumerate(("Ani", "Budi", "Citra")))
    _enrol(app, a, s1, year)
    _enrol(app, a, s2, year)
    _enrol(app, a, s3, year - 1)  # last year: not counted
    with app.app_context():
        db.session.add(StudentAttendance(student_id=s1.id, class_id=a, date=clock.local_today(), method="manual"))
        db.session.commit()
    body = en_admin.get(LIST).get_data(as_text=True)
    row = text_of(body.split(f'id="class-{a}"')[1].split("</tr>")[0])
    assert "X IPA 1" in row and "Bu Rina" in row and " 2 " in f" {row} " and "1/2" in row
    other = text_of(body.split(f'id="class-{b}"')[1].split("</tr>")[0])
    assert "None" in other and "0/0" in other


def test_list_search_by_name_and_fragment(app, en_admin):
    _class(app, "X IPA 1")
    _class(app, "XI IPS 2")
    response = en_admin.get(f"{LIST}?q=ips", htmx=True)
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="class-list"')
    assert "XI IPS 2" in body and "X IPA 1" not in body
    assert "No class matches" in text_of(en_admin.get(f"{LIST}?q=zzz").get_data(as_text=True))


def test_empty_list_explains_what_to_do(en_admin):
    assert "No classes yet" in text_of(en_admin.get(LIST).get_data(as_text=True))


# --- create, edit, delete -------------------------------------------------------------------------

def test_create_class_with_homeroom_teacher(app, en_admin, factory):
    teacher = factory.user(role="kepsek", name="Pak Kepala")
    factory.user(role="guru", name="Guru Nonaktif", is_active=False)
    form = en_admin.get(f"{LIST}/new").get_data(as_text=True)
    assert "Pak Kepala" in form and "Guru Nonaktif" not in form
    response = en_admin.submit(f"{LIST}/new", f"{LIST}/new", {"name": "  X IPA 1 ", "homeroom_teacher_id": teacher.id})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(db.select(SchoolClass))
        assert row.name == "X IPA 1" and row.homeroom_teacher_id == teacher.id
        assert response.headers["Location"].endswith(f"/classes/{row.id}")


def test_create_refuses_duplicate_name_and_non_teacher(app, en_admin, factory):
    _class(app, "X IPA 1")
    response = en_admin.submit(f"{LIST}/new", f"{LIST}/new", {"name": "x ipa 1", "homeroom_teacher_id": 0})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "name") == "Another class already has this name."
    student = _student(factory, "Siti", "0051")
    response = en_admin.submit(f"{LIST}/new", f"{LIST}/new", {"name": "X IPA 2", "homeroom_teacher_id": student.id})
    assert response.status_code == 200 and field_error(response.get_data(as_text=True), "homeroom_teacher_id")
    response = en_admin.submit(f"{LIST}/new", f"{LIST}/new", {"name": "", "homeroom_teacher_id": 0})
    assert field_error(response.get_data(as_text=True), "name")
    assert count(app, SchoolClass) == 1


def test_edit_renames_and_clears_teacher(app, en_admin, factory):
    teacher = factory.user(role="guru", name="Bu Rina")
    class_id = _class(app, "X IPA 1", teacher)
    _class(app, "X IPA 2")
    url = f"{LIST}/{class_id}/edit"
    response = en_admin.submit(url, url, {"name": "X IPA 2", "homeroom_teacher_id": 0})
    assert field_error(response.get_data(as_text=True), "name") == "Another class already has this name."
    assert fetch(app, SchoolClass, class_id).name == "X IPA 1"
    response = en_admin.submit(url, url, {"name": "X MIPA 1", "homeroom_teacher_id": 0})
    assert response.status_code == 303
    saved = fetch(app, SchoolClass, class_id)
    assert saved.name == "X MIPA 1" and saved.homeroom_teacher_id is None


def test_delete_asks_first_then_removes_enrolments_keeps_attendance(app, en_admin, factory):
    class_id = _class(app, "X IPA 1")
    student = _student(factory, "Siti", "0051")
    _enrol(app, class_id, student, _year(app))
    with app.app_context():
        db.session.add(StudentAttendance(student_id=student.id, class_id=class_id, date=clock.local_today(),
                                         method="manual"))
        db.session.commit()
    url = f"{LIST}/{class_id}/delete"
    page = text_of(en_admin.get(url).get_data(as_text=True))
    assert "Its 1 enrolments" in page and "is kept" in page
    assert count(app, SchoolClass) == 1  # asking deletes nothing
    response = en_admin.submit(url, url)
    assert response.status_code == 303
    assert count(app, SchoolClass) == 0 and count(app, ClassEnrollment) == 0
    with app.app_context():
        row = db.session.scalar(db.select(StudentAttendance))
        assert row.class_id is None


# --- the class page: enrolment -----------------------------------------------------------------------

def test_class_page_lists_students_with_card_status_and_years(app, en_admin, factory):
    class_id = _class(app, "X IPA 1")
    year = _year(app)
    ani, budi = _student(factory, "Ani", "0011"), _student(factory, "Budi", "0022")
    _enrol(app, class_id, ani, year)
    _enrol(app, class_id, budi, year)
    _enrol(app, class_id, _student(factory, "Lama", "0033"), 2019)
    with app.app_context():
        db.session.add(StudentQrCard(student_id=ani.id, qr_code="AAAA000011112222", is_active=True))
        db.session.commit()
    body = en_admin.get(f"{LIST}/{class_id}").get_data(as_text=True)
    students = text_of(body.split('id="class-students"')[1])
    assert "Ani" in students and "0011" in students and "Active card" in students
    assert "Budi" in students and "No card" in students and "Lama" not in students
    assert f'<option value="{year}" selected>' in body and '<option value="2019">' in body
    old = text_of(en_admin.get(f"{LIST}/{class_id}?year=2019").get_data(as_text=True))
    assert "Lama" in old and "Ani" not in old


def test_class_page_bad_year_explains_and_shows_current(app, en_admin):
    class_id = _class(app, "X IPA 1")
    response = en_admin.get(f"{LIST}/{class_id}?year=1850")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "The academic year must be between 2000 and 2100." in text
    year = _year(app)
    assert f"Students in {year}/{year + 1}" in text


def test_picker_finds_students_by_name_or_nisn_and_says_who_moves(app, en_admin, factory):
    here, other = _class(app, "X IPA 1"), _class(app, "X IPA 2")
    year = _year(app)
    siti = _student(factory, "Siti Aminah", "0051234")
    _student(factory, "Sitorus", "0059999")
    factory.user(role="siswa", name="Siti Nonaktif", nisn_nip_nik="0050000", is_active=False)
    factory.user(role="guru", name="Siti Guru")
    _enrol(app, other, siti, year)
    response = en_admin.get(f"{LIST}/{here}/candidates?year={year}&q=sit", htmx=True)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="enrol-results"')
    text = text_of(body)
    assert "Siti Aminah" in text and "in X IPA 2 — will move" in text and "Sitorus" in text
    assert "Siti Nonaktif" not in text and "Siti Guru" not in text
    by_nisn = text_of(en_admin.get(f"{LIST}/{here}/candidates?year={year}&q=0059", htmx=True).get_data(as_text=True))
    assert "Sitorus" in by_nisn and "Siti Aminah" not in by_nisn
    empty = text_of(en_admin.get(f"{LIST}/{here}/candidates?year={year}&q=", htmx=True).get_data(as_text=True))
    assert "Type at least one letter" in empty
    # without JavaScript the same search is part of the page
    page = text_of(en_admin.get(f"{LIST}/{here}?year={year}&q=0051").get_data(as_text=True))
    assert "Siti Aminah" in page


def test_picker_shows_at_most_twenty(app, en_admin, factory):
    class_id = _class(app, "X IPA 1")
    for i in range(23):
        _student(factory, f"Murid {i:02d}", f"9{i:03d}")
    body = en_admin.get(f"{LIST}/{class_id}/candidates?q=murid", htmx=True).get_data(as_text=True)
    assert body.count('id="candidate-') == 20 and "type more to narrow" in body


def test_enrol_with_htmx_updates_list_and_results(app, en_admin, factory):
    class_id = _class(app, "X IPA 1")
    year = _year(app)
    siti = _student(factory, "Siti Aminah", "0051")
    page = f"{LIST}/{class_id}"
    response = en_admin.submit(page, f"{page}/enrol", {"student_id": siti.id, "academic_year": year, "q": "siti"},
                               htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert 'id="class-students"' in body and f'id="student-{siti.id}"' in body
    assert 'id="enrol-results" hx-swap-oob="true"' in body and "In this class" in body
    assert "Siti Aminah was enrolled in X IPA 1." in text_of(body)
    assert _class_of(app, siti, year) == class_id


def test_enrol_moves_a_student_from_another_class(app, en_admin, factory):
    here, other = _class(app, "X IPA 1"), _class(app, "X IPA 2")
    year = _year(app)
    siti = _student(factory, "Siti", "0051")
    _enrol(app, other, siti, year)
    _enrol(app, other, siti, year - 1)
    page = f"{LIST}/{here}"
    response = en_admin.submit(page, f"{page}/enrol", {"student_id": siti.id, "academic_year": year}, htmx=True)
    assert "Siti moved from X IPA 2 to X IPA 1." in text_of(response.get_data(as_text=True))
    assert _class_of(app, siti, year) == here and _class_of(app, siti, year - 1) == other
    assert count(app, ClassEnrollment) == 2


def test_enrol_without_javascript_redirects_back(app, en_admin, factory):
    class_id = _class(app, "X IPA 1")
    siti = _student(factory, "Siti", "0051")
    page = f"{LIST}/{class_id}"
    response = en_admin.submit(page, f"{page}/enrol", {"student_id": siti.id, "academic_year": 2030, "q": "sit"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/classes/{class_id}?year=2030&q=sit")
    assert _class_of(app, siti, 2030) == class_id
    follow = text_of(en_admin.get(response.headers["Location"]).get_data(as_text=True))
    assert "Siti was enrolled in X IPA 1." in follow


@pytest.mark.parametrize("data, message", [
    ({"academic_year": 1999}, "The academic year must be between 2000 and 2100."),
    ({"academic_year": 2101}, "The academic year must be between 2000 and 2100."),
    ({"student_id": "abc"}, "Student: Not a valid integer value."),
    ({"who": "teacher"}, "This person is not a student."),
    ({"student_id": 99999}, "This person is not a student."),
])
def test_enrol_bad_input_changes_nothing(app, en_admin, factory, data, message):
    class_id = _class(app, "X IPA 1")
    siti = _student(factory, "Siti", "0051")
    teacher = factory.user(role="guru", name="Bu Rina")
    payload = {"student_id": siti.id, "academic_year": _year(app)}
    payload.update(data)
    if payload.pop("who", None):
        payload["student_id"] = teacher.id
    page = f"{LIST}/{class_id}"
    response = en_admin.submit(page, f"{page}/enrol", payload, htmx=True)
    assert response.status_code == 200
    assert message in text_of(response.get_data(as_text=True))
    assert count(app, ClassEnrollment) == 0


def test_remove_student(app, en_admin, factory):
    class_id = _class(app, "X IPA 1")
    year = _year(app)
    siti, budi = _student(factory, "Siti", "0051"), _student(factory, "Budi", "0052")
    _enrol(app, class_id, siti, year)
    _enrol(app, class_id, budi, year)
    page = f"{LIST}/{class_id}"
    response = en_admin.submit(page, f"{page}/remove", {"student_id": siti.id, "academic_year": year, "q": "si"},
                               htmx=True)
    body = response.get_data(as_text=True)
    assert f'id="student-{siti.id}"' not in body and f'id="student-{budi.id}"' in body
    assert "Siti was removed from X IPA 1." in text_of(body)
    # the picker results come back too, now offering to enrol her again
    assert f'id="candidate-{siti.id}"' in body and "Not in a class" in text_of(body)
    assert _class_of(app, siti, year) is None and _class_of(app, budi, year) == class_id
    again = en_admin.submit(page, f"{page}/remove", {"student_id": siti.id, "academic_year": year}, htmx=True)
    assert "Siti is not in this class." in text_of(again.get_data(as_text=True))


def test_move_student_to_another_class(app, en_admin, factory):
    here, other = _class(app, "X IPA 1"), _class(app, "X IPA 2")
    year = _year(app)
    siti = _student(factory, "Siti", "0051")
    _enrol(app, here, siti, year)
    page = f"{LIST}/{here}"
    assert f'<option value="{other}">X IPA 2</option>' in en_admin.get(page).get_data(as_text=True)
    response = en_admin.submit(page, f"{page}/move",
                               {"student_id": siti.id, "academic_year": year, "target_class_id": other}, htmx=True)
    body = response.get_data(as_text=True)
    assert "Siti moved from X IPA 1 to X IPA 2." in text_of(body) and f'id="student-{siti.id}"' not in body
    assert _class_of(app, siti, year) == other


def test_move_refuses_bad_target_or_student_not_here(app, en_admin, factory):
    here, other = _class(app, "X IPA 1"), _class(app, "X IPA 2")
    year = _year(app)
    siti, budi = _student(factory, "Siti", "0051"), _student(factory, "Budi", "0052")
    _enrol(app, here, siti, year)
    _enrol(app, other, budi, year)
    page = f"{LIST}/{here}"
    for target in ("", 99999, here):
        response = en_admin.submit(page, f"{page}/move",
                                   {"student_id": siti.id, "academic_year": year, "target_class_id": target}, htmx=True)
        assert "Choose the class to move the student to." in text_of(response.get_data(as_text=True))
    response = en_admin.submit(page, f"{page}/move",
                               {"student_id": budi.id, "academic_year": year, "target_class_id": other}, htmx=True)
    assert "Budi is not in this class." in text_of(response.get_data(as_text=True))
    assert _class_of(app, siti, year) == here and _class_of(app, budi, year) == other


# --- today's attendance grid ----------------------------------------------------------------------------

def _grid_class(app, factory):
    class_id = _class(app, "X IPA 1")
    year, today = _year(app), _today(app)
    ani, budi, citra = (_student(factory, n, f"00{i}") for i, n in enumerate(("Ani", "Budi", "Citra")))
    for s in (ani, budi, citra):
        _enrol(app, class_id, s, year)
    with app.app_context():
        db.session.add(StudentAttendance(student_id=ani.id, class_id=class_id, date=today, method="qr_card"))
        db.session.add(LeaveRequest(user_id=budi.id, leave_type="sakit", start_date=today - timedelta(days=1),
                                    end_date=today + timedelta(days=1), reason="Demam", status="approved"))
        db.session.commit()
    return class_id, ani, budi, citra


def test_grid_shows_present_leave_and_absent(app, en_admin, factory):
    class_id, ani, budi, citra = _grid_class(app, factory)
    body = en_admin.get(f"{LIST}/{class_id}/today").get_data(as_text=True)
    row = lambda s: text_of(body.split(f'id="today-{s.id}"')[1].split("</tr>")[0])  # noqa: E731
    assert "Present" in row(ani) and "QR card" in row(ani) and "Mark present" not in row(ani)
    assert "Sick leave" in row(budi)
    assert "Absent" in row(citra) and "Mark present" in row(citra)
    stats = text_of(body.split('class="stats"')[1].split("</section>")[0])
    assert "Present 1 /3" in stats and "On leave 1" in stats and "Absent 1" in stats


def test_mark_present_records_manual(app, en_admin, factory):
    class_id, ani, budi, citra = _grid_class(app, factory)
    page = f"{LIST}/{class_id}/today"
    response = en_admin.submit(page, f"{page}/present", {"student_id": citra.id}, htmx=True)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="class-today"')
    assert "Citra was marked present." in text_of(body)
    with app.app_context():
        row = db.session.scalar(db.select(StudentAttendance).filter_by(student_id=citra.id))
        assert row.method == "manual" and row.date == clock.local_today() and row.class_id == class_id
    again = en_admin.submit(page, f"{page}/present", {"student_id": ani.id}, htmx=True)
    assert "Ani is already present today." in text_of(again.get_data(as_text=True))
    assert count(app, StudentAttendance) == 2


def test_mark_present_refuses_student_not_enrolled(app, en_admin, factory):
    class_id, *_rest = _grid_class(app, factory)
    stranger = _student(factory, "Dodi", "0099")
    page = f"{LIST}/{class_id}/today"
    response = en_admin.submit(page, f"{page}/present", {"student_id": stranger.id}, htmx=True)
    assert "Dodi is not in this class." in text_of(response.get_data(as_text=True))
    assert count(app, StudentAttendance) == 1


def test_mark_all_present_uses_bulk(app, en_admin, factory):
    class_id, ani, budi, citra = _grid_class(app, factory)
    page = f"{LIST}/{class_id}/today"
    response = en_admin.submit(page, f"{page}/present-all")
    assert response.status_code == 303
    with app.app_context():
        methods = dict(db.session.execute(db.select(StudentAttendance.student_id, StudentAttendance.method)).all())
    assert methods == {ani.id: "qr_card", budi.id: "bulk", citra.id: "bulk"}
    assert "Marked present: 2." in text_of(en_admin.get(page).get_data(as_text=True))
