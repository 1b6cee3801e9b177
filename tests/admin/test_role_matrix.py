"""The role × route matrix of the web app: every page and every form post, for every role.

``DECISIONS`` says, for every endpoint of the web app's blueprints, which role group may use it.
A route added without a decision fails :func:`test_every_route_has_a_decision`; a rule that
drifts from its decision fails :func:`test_each_view_carries_its_decided_rule`; and
:func:`test_role_matrix_over_http` drives every route (GET, and POST with a CSRF token
from a page of the role's own) for each of the ten roles: 403 where the role is refused,
never 403 where it is allowed (200 for a page without ids).  The ownership tests below check
that an id changed in a URL reads nothing of another person's.
"""
from __future__ import annotations

import re

import pytest

from app.accounts.roles import (ADMIN_ROLES, ADMINISTRATOR_ROLES, CLINIC_WORKER_ROLES, ER_STAFF_ROLES, EVERY_ROLE,
                                ROLE_KEYS, ROLL_CALL_ROLES, SCHOOL_LEAD_ROLES, STUDENT_ROLES)
from app.extensions import db

from tests.helpers import AdminSession, csrf_from

PUBLIC = None

#: (who may, endpoints): the decision for every route of the web app.
DECISIONS = (
    (ADMIN_ROLES, (
        "accounts.device_reset_approve",
        "accounts.device_reset_reject",
        "accounts.device_resets",
        "attendance.approve",
        "attendance.bulk_approve",
        "attendance.reject",
        "attendance.report",
        "attendance.report_csv",
        "clinic_admin.patient",
        "clinic_admin.patients",
        "clinic_admin.patients_import",
        "clinic_admin.patients_import_confirm",
        "clinic_admin.patients_import_template",
        "clinic_admin.patients_import_upload",
        "escorts.confirm_delete",
        "escorts.delete",
        "escorts.export",
        "recap.event_photo",
        "recap.export",
        "recap.index",
        "recap.month_chart",
        "recap.person_month",
        "recap.today",
        "review.index",
        "review.decided",
        "school_admin.cards",
        "school_admin.cards_pdf",
        "school_admin.cards_print",
    )),
    (ADMINISTRATOR_ROLES, (
        "accounts.users_bulk",
        "audit.index",
        "corrections.bulk",
        "corrections.correct",
        "corrections.day",
        "corrections.index",
        "accounts.user_edit",
        "accounts.user_new",
        "accounts.user_restore",
        "accounts.users",
        "accounts.users_export",
        "accounts.users_import",
        "accounts.users_import_confirm",
        "accounts.users_import_step",
        "accounts.users_import_template",
        "accounts.users_import_upload",
        "clinic_admin.service_fees",
        "clinic_admin.service_fees_csv",
        "clinic_review.approve",
        "clinic_review.bulk_approve",
        "clinic_review.reject",
        "departments.delete",
        "departments.edit",
        "departments.index",
        "departments.new",
        "face_review.approve",
        "face_review.check_in_photo",
        "face_review.photo",
        "face_review.reject",
        "faces.bulk_page",
        "faces.bulk_step",
        "faces.bulk_upload",
        "faces.delete",
        "faces.index",
        "faces.person",
        "faces.photo",
        "faces.upload",
        "holidays.add",
        "holidays.edit",
        "holidays.import_year",
        "holidays.index",
        "holidays.remove",
        "holidays.rename",
        "holidays.restore",
        "kiosks.delete",
        "kiosks.edit",
        "kiosks.index",
        "kiosks.new",
        "kiosks.pairing_code",
        "kiosks.revoke",
        "leave.approve",
        "leave.reject",
        "overtime.approve",
        "overtime.reject",
        "places.office_edit",
        "places.office_new",
        "places.offices",
        "posts.announcements",
        "posts.edit",
        "posts.index",
        "posts.new",
        "posts.publish",
        "rosters.apply",
        "rosters.cell",
        "rosters.cell_swap",
        "rosters.cell_update",
        "rosters.export_csv",
        "rosters.grid",
        "rosters.import_confirm",
        "rosters.import_page",
        "rosters.import_upload",
        "rosters.pattern_create",
        "rosters.pattern_delete",
        "rosters.pattern_edit",
        "rosters.patterns",
        "schedules.activate",
        "schedules.assign",
        "schedules.assign_person",
        "schedules.assignment_delete",
        "schedules.assignment_edit",
        "schedules.assignment_update",
        "schedules.delete",
        "schedules.index",
        "schedules.new",
        "schedules.show",
        "schedules.update",
        "school_admin.card_activate",
        "school_admin.card_deactivate",
        "school_admin.card_generate",
        "school_admin.cards_generate_missing",
        "school_admin.class_candidates",
        "school_admin.class_delete",
        "school_admin.class_edit",
        "school_admin.class_enrol",
        "school_admin.class_move",
        "school_admin.class_new",
        "school_admin.class_remove",
        "school_admin.class_show",
        "school_admin.classes",
        "system.app_versions",
        "system.save",
        "system.settings",
    )),
    (EVERY_ROLE, (
        "admin.dashboard",
        "me.device_reset",
        "me.event_photo",
        "me.home",
        "me.month",
        "me.password",
        "me.profile",
        "me.schedule",
        "schedules.colors_css",
        # one's own leave requests
        "my_leave.attachment",
        "my_leave.cancel",
        "my_leave.index",
        "my_leave.new",
        # the approver's list: a department head may hold any role, so the rule lets everyone
        # in and the page lists only the requests the person approves (another's answers 404)
        "my_leave.approvals",
        "my_leave.approve",
        "my_leave.reject",
    )),
    (PUBLIC, (
        "admin.language",
        "admin.login",
        "admin.logout",
    )),
    (ADMINISTRATOR_ROLES | CLINIC_WORKER_ROLES, (
        "clinic_admin.service_fees_person",
        "clinic_admin.service_fees_person_csv",
    )),
    (ER_STAFF_ROLES, (
        "escorts.detail",
        "escorts.index",
        "escorts.photo",
        "escorts.set_status",
    )),
    (CLINIC_WORKER_ROLES, (
        "me.service_fees",
    )),
    (ROLL_CALL_ROLES, (
        "school_admin.class_mark_all_present",
        "school_admin.class_month",
        "school_admin.class_mark_absence",
        "school_admin.class_mark_present",
        "school_admin.class_today",
        "school_admin.roll_call",
    )),
    (SCHOOL_LEAD_ROLES, (
        "school_admin.school_today",
        "school_admin.teachers_recap",
    )),
)

EXPECTED = {endpoint: roles for roles, endpoints in DECISIONS for endpoint in endpoints}
#: Ids in URLs of the matrix: none of these rows exists, so an allowed role gets 404 (or its
#: own page), never 403 — and a refused role 403 before anything is looked up.
MISSING_ID = 987654
#: Pages that answer 400 without their query (the class of a card sheet).
NEEDS_A_QUERY = {"school_admin.cards_print", "school_admin.cards_pdf"}


def _web_endpoints(app) -> set[str]:
    names = app.extensions["hadir_admin_blueprints"]
    return {e for e in app.view_functions if e.split(".")[0] in names}


def test_every_route_has_a_decision(app):
    assert _web_endpoints(app) == set(EXPECTED), "a route without a decision, or a decision without a route"


def test_each_view_carries_its_decided_rule(app):
    for endpoint, roles in EXPECTED.items():
        view = app.view_functions[endpoint]
        if roles is PUBLIC:
            assert view.access_rule == "public", endpoint
        else:
            assert view.access_roles == roles, endpoint


#: Pages of one person (``user_id``): each person may open their own; the matrix asks for the
#: signed-in person's own id there (another person's: the ownership tests below).
OWN_PAGES = {"clinic_admin.service_fees_person", "clinic_admin.service_fees_person_csv"}


def _url(rule, own_id: int) -> str:
    url = rule.rule
    for arg in rule.arguments:
        value = ("android" if arg == "platform" else "2026-12-01" if arg == "day_text" else
                 own_id if rule.endpoint in OWN_PAGES and arg == "user_id" else MISSING_ID)
        url = re.sub(rf"<(?:[a-z_]+:)?{arg}>", str(value), url)
    return url


def _signed_in(app, factory, role: str) -> AdminSession:
    from app.system.settings import update_setting

    if role in STUDENT_ROLES:
        with app.app_context():
            update_setting("students_web_sign_in", True)
            db.session.commit()
    user = factory.user(role=role, name=f"Orang {role}", email=f"{role}@hadir.test")
    session = AdminSession(app.test_client())
    response = session.login(f"{role}@hadir.test")
    assert response.status_code == 302, (role, response.get_data(as_text=True)[:500])
    session.user = user
    return session


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_role_matrix_over_http(app, factory, role):
    session = _signed_in(app, factory, role)
    token = csrf_from(session.get("/admin/me/profile").get_data(as_text=True))
    checked = 0
    for rule in app.url_map.iter_rules():
        roles = EXPECTED.get(rule.endpoint, "absent")
        if roles == "absent" or roles is PUBLIC:
            continue
        url = _url(rule, session.user.id)
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                response = session.client.get(url)
            else:
                response = session.client.post(url, data={"csrf_token": token})
            status = response.status_code
            if role in roles:
                assert status != 403 and status < 500, (role, method, url, status)
                if method == "GET" and not rule.arguments and rule.endpoint not in NEEDS_A_QUERY:
                    assert status in (200, 302), (role, method, url, status)
            else:
                assert status == 403, (role, method, url, status)
            checked += 1
    assert checked > 140


def test_students_stay_out_while_the_school_keeps_them_out(app, factory):
    """Off by default: a student cannot sign in, and a student signed in before the school
    turned the setting off is refused on every page."""
    from app.system.settings import update_setting

    factory.user(role="siswa", name="Siswa Satu", email="siswa@hadir.test", nisn_nip_nik="0012345678")
    anon = AdminSession(app.test_client())
    response = anon.login("siswa@hadir.test")
    assert response.status_code == 200
    assert "Siswa tidak dapat masuk di sini" in response.get_data(as_text=True)
    with app.app_context():
        update_setting("students_web_sign_in", True)
        db.session.commit()
    student = AdminSession(app.test_client())
    assert student.login("siswa@hadir.test").status_code == 302
    assert student.get("/admin/me/").status_code == 200
    with app.app_context():
        update_setting("students_web_sign_in", False)
        db.session.commit()
    assert student.get("/admin/me/").status_code == 403
    assert student.get("/admin/me/schedule").status_code == 403


@pytest.mark.parametrize("role, home", [("admin", "/admin/"), ("petugas", "/admin/"), ("guru", "/admin/me/"),
                                        ("pegawai", "/admin/me/"), ("dokter", "/admin/me/")])
def test_each_role_signs_in_to_its_home(app, factory, role, home):
    factory.user(role=role, email=f"{role}@hadir.test")
    session = AdminSession(app.test_client())
    response = session.login(f"{role}@hadir.test")
    assert response.headers["Location"] == home
    if role not in ADMIN_ROLES:
        assert session.get("/admin/").headers["Location"] == "/admin/me/"


def test_navigation_follows_the_role(app, factory):
    nurse = _signed_in(app, factory, "paramedis")
    page = nurse.get("/admin/me/").get_data(as_text=True)
    assert 'href="/admin/escorts/"' in page and 'href="/admin/me/service-fees"' in page
    assert 'href="/admin/users"' not in page and 'href="/admin/school/roll-call"' not in page
    assert 'href="/admin/clinic/patients"' not in page
    teacher = _signed_in(app, factory, "guru")
    page = teacher.get("/admin/me/").get_data(as_text=True)
    assert 'href="/admin/school/roll-call"' in page and 'href="/admin/school/today"' not in page
    assert 'href="/admin/escorts/"' not in page and 'href="/admin/me/service-fees"' not in page
    assert 'href="/admin/me/leave"' in page and 'href="/admin/me/leave/approvals"' not in page
    principal = _signed_in(app, factory, "kepsek")
    page = principal.get("/admin/me/").get_data(as_text=True)
    assert 'href="/admin/school/today"' in page
    assert 'href="/admin/me/leave"' in page and 'href="/admin/me/leave/approvals"' in page


# --- nothing of another person's by changing an id ------------------------------------

def _school_class(app, factory, teacher, name):
    from app.school.models import ClassEnrollment, SchoolClass
    from app.school.services import academic_year_of
    from app.common import clock

    school_class = factory._commit(SchoolClass(name=name, homeroom_teacher_id=teacher.id if teacher else None))
    student = factory.user(role="siswa", name=f"Murid {name}", nisn_nip_nik=f"99{school_class.id:06d}")
    with app.app_context():
        factory._commit(ClassEnrollment(class_id=school_class.id, student_id=student.id,
                                        academic_year=academic_year_of(clock.local_today())))
    return school_class, student


def test_a_teacher_reads_and_records_only_her_own_classes(app, factory):
    from app.school.models import StudentAttendance

    teacher = _signed_in(app, factory, "guru")
    mine, my_student = _school_class(app, factory, teacher.user, "X IPA 1")
    other, other_student = _school_class(app, factory, None, "X IPA 2")
    assert teacher.get(f"/admin/school/classes/{mine.id}/today").status_code == 200
    assert teacher.get(f"/admin/school/classes/{other.id}/today").status_code == 403
    page = f"/admin/school/classes/{mine.id}/today"
    refused = teacher.submit(page, f"/admin/school/classes/{other.id}/today/present",
                             {"student_id": other_student.id})
    assert refused.status_code == 403
    # a student of another class posted to her own class is not recorded either
    teacher.submit(page, f"/admin/school/classes/{mine.id}/today/present", {"student_id": other_student.id})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(StudentAttendance.id))) == 0
    assert teacher.submit(page, f"/admin/school/classes/{mine.id}/today/present",
                          {"student_id": my_student.id}).status_code == 303
    with app.app_context():
        assert db.session.scalars(db.select(StudentAttendance.student_id)).all() == [my_student.id]
    listing = teacher.get("/admin/school/roll-call").get_data(as_text=True)
    assert "X IPA 1" in listing and "X IPA 2" not in listing


def test_a_clinic_worker_reads_only_her_own_service_fees(app, factory):
    nurse = _signed_in(app, factory, "paramedis")
    colleague = factory.user(role="dokter", name="Dokter Lain")
    response = nurse.get("/admin/me/service-fees")
    assert response.headers["Location"] == f"/admin/clinic/service-fees/{nurse.user.id}"
    assert nurse.get(f"/admin/clinic/service-fees/{nurse.user.id}").status_code == 200
    assert nurse.get(f"/admin/clinic/service-fees/{colleague.id}").status_code == 403
    assert nurse.get(f"/admin/clinic/service-fees/{colleague.id}.csv").status_code == 403
    assert nurse.get("/admin/clinic/service-fees").status_code == 403
