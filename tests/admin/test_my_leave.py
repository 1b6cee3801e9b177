"""Everyone's own leave pages (/admin/me/leave): asking with an attachment, the balance, the list,
cancelling while pending, the approver's list and notifications both ways — through form posts
with CSRF, signed in as an employee, a teacher, a principal or a department head."""
from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from app.accounts.models import User
from app.departments.models import Department
from app.extensions import db
from app.leave.models import LeaveRequest
from app.notify.models import Notification

from tests.helpers import AdminSession, count, csrf_from, fetch, field_error, text_of

PAGE, NEW = "/admin/me/leave", "/admin/me/leave/new"
APPROVALS = "/admin/me/leave/approvals"


def signed_in(app, user) -> AdminSession:
    """A browser with ``user``'s session (the web sign-in for every role is another change's)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return AdminSession(client)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def org(app, factory, admin):
    """The Monday–Friday schedule, an employee (Ani, department OPS headed by Hana), a teacher and
    the principal; returns the rows by name."""
    factory.schedule()
    with app.app_context():
        ops = Department(code="OPS", name="Operasional")
        db.session.add(ops)
        db.session.commit()
        ops_id = ops.id
    ani = factory.user(name="Ani Pegawai", department_id=ops_id)
    hana = factory.user(name="Hana Kepala", department_id=ops_id)
    guru = factory.user(role="guru", name="Budi Guru")
    kepsek = factory.user(role="kepsek", name="Sri Kepsek")
    return dict(ani=ani, hana=hana, guru=guru, kepsek=kepsek, admin=admin, ops_id=ops_id)


def ask(session, data, files=None):
    payload = {"leave_type": "cuti", "start_date": "2026-03-02", "end_date": "2026-03-04", "reason": "Acara keluarga"}
    payload.update(data)
    if files:
        payload.update(files)
    payload["csrf_token"] = session.token(NEW)
    return session.client.post(NEW, data=payload, content_type="multipart/form-data")


def test_anonymous_goes_to_the_login_page(anon):
    for url in (PAGE, NEW, APPROVALS):
        response = anon.get(url)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_an_employee_asks_with_a_photo_sees_it_and_the_approver_admins_are_notified(app, org, freeze_time):
    freeze_time("2026-02-10T09:00+07:00")
    ani = signed_in(app, org["ani"])
    page = text_of(ani.get(NEW).get_data(as_text=True))
    assert "Sisa tahun 2026" in page and "12 hari" in page       # the balance beside the form
    response = ask(ani, {}, {"attachment": (io.BytesIO(jpeg()), "surat.jpg")})
    assert response.status_code == 303, text_of(response.get_data(as_text=True))
    with app.app_context():
        leave = db.session.scalar(db.select(LeaveRequest))
        assert (leave.user_id, leave.leave_type, leave.start_date, leave.status) == \
            (org["ani"].id, "cuti", date(2026, 3, 2), "pending")
        assert leave.attachment_path.startswith("leave/2026/03/")
        leave_id = leave.id
    body = ani.get(PAGE).get_data(as_text=True)
    text = text_of(body)
    assert "Cuti" in text and "Acara keluarga" in text and "Menunggu" in text
    assert "3 hari kerja cuti tahunan" in text and "3 hari menunggu persetujuan" in text
    photo = ani.get(f"{PAGE}/{leave_id}/attachment")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.data == jpeg()
    # no department head of Ani's without Hana set: the administrator approves and is told
    assert count(app, Notification, Notification.user_id == org["admin"].id,
                 Notification.type == "leave_request") == 1


def test_the_attachment_must_be_a_photo_or_pdf_and_nothing_is_kept_otherwise(app, org):
    ani = signed_in(app, org["ani"])
    response = ask(ani, {}, {"attachment": (io.BytesIO(b"MZ\x90\x00 not a document"), "virus.exe")})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "attachment") == \
        "Lampiran harus berupa foto (JPEG atau PNG) atau PDF."
    assert count(app, LeaveRequest) == 0
    pdf = ask(ani, {}, {"attachment": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "surat.pdf")})
    assert pdf.status_code == 303 and fetch(app, LeaveRequest, 1).attachment_path.endswith(".pdf")


def test_a_request_beyond_the_balance_is_refused_with_the_numbers(app, org):
    with app.app_context():
        db.session.get(User, org["ani"].id).annual_leave_days = 3
        db.session.commit()
    ani = signed_in(app, org["ani"])
    response = ask(ani, {"start_date": "2026-03-02", "end_date": "2026-03-06"})     # Mon–Fri: 5 days
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "end_date") == \
        "Sisa cuti tahunan 2026 tidak cukup: sisa 3 hari, diminta 5 hari."
    assert count(app, LeaveRequest) == 0


def test_bad_input_names_the_field_and_an_overlap_is_refused(app, org):
    ani = signed_in(app, org["ani"])
    response = ask(ani, {"leave_type": "libur", "reason": "", "end_date": "2026-02-30"})
    body = response.get_data(as_text=True)
    assert field_error(body, "leave_type") and field_error(body, "reason") and field_error(body, "end_date")
    assert ask(ani, {"leave_type": "sakit"}).status_code == 303
    again = ask(ani, {"leave_type": "izin", "start_date": "2026-03-04", "end_date": "2026-03-05"})
    assert field_error(again.get_data(as_text=True), "start_date") == \
        "Anda sudah punya pengajuan yang menunggu atau disetujui pada sebagian tanggal ini."
    assert count(app, LeaveRequest) == 1


def test_cancel_own_pending_only_and_nobody_elses(app, org):
    ani, guru = signed_in(app, org["ani"]), signed_in(app, org["guru"])
    assert ask(ani, {"leave_type": "izin"}).status_code == 303
    leave_id = fetch(app, LeaveRequest, 1).id
    token = csrf_from(guru.get(PAGE).get_data(as_text=True))
    assert guru.client.post(f"{PAGE}/{leave_id}/cancel", data={"csrf_token": token}).status_code == 404
    assert guru.get(f"{PAGE}/{leave_id}/attachment").status_code == 404
    assert "Acara keluarga" not in text_of(guru.get(PAGE).get_data(as_text=True))
    assert guru.client.post(f"{PAGE}/{leave_id}/cancel", data={}).status_code == 400           # no CSRF token
    token = csrf_from(ani.get(PAGE).get_data(as_text=True))
    assert ani.client.post(f"{PAGE}/{leave_id}/cancel", data={"csrf_token": token}).status_code == 303
    assert fetch(app, LeaveRequest, leave_id) is None


def test_a_reviewed_request_cannot_be_cancelled(app, org):
    ani = signed_in(app, org["ani"])
    ask(ani, {"leave_type": "izin"})
    with app.app_context():
        leave = db.session.get(LeaveRequest, 1)
        leave.status = "approved"
        db.session.commit()
    token = csrf_from(ani.get(PAGE).get_data(as_text=True))
    response = ani.client.post(f"{PAGE}/1/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "sudah diputuskan" in text_of(response.get_data(as_text=True))
    assert fetch(app, LeaveRequest, 1).status == "approved"


def test_the_department_head_approves_and_the_requester_is_notified(app, org):
    with app.app_context():
        db.session.get(Department, org["ops_id"]).head_id = org["hana"].id
        db.session.commit()
    ani, hana, guru = (signed_in(app, org[k]) for k in ("ani", "hana", "guru"))
    assert ask(ani, {}).status_code == 303
    assert count(app, Notification, Notification.user_id == org["hana"].id,
                 Notification.type == "leave_request") == 1
    assert count(app, Notification, Notification.user_id == org["admin"].id) == 0
    assert "Hana Kepala" in text_of(ani.get(PAGE).get_data(as_text=True))              # "approved by"
    listing = text_of(hana.get(APPROVALS).get_data(as_text=True))
    assert "Ani Pegawai" in listing and "2026: 3 hari kerja diminta, sisa 12" in listing
    assert "Ani Pegawai" not in text_of(guru.get(APPROVALS).get_data(as_text=True))
    # not hers to decide: the teacher gets 404, as for a missing request
    token = csrf_from(guru.get(PAGE).get_data(as_text=True))
    assert guru.client.post(f"{APPROVALS}/1/approve", data={"csrf_token": token}).status_code == 404
    # a rejection needs a comment
    token = csrf_from(hana.get(APPROVALS).get_data(as_text=True))
    refused = hana.client.post(f"{APPROVALS}/1/reject", data={"csrf_token": token, "comment": " "})
    assert refused.status_code == 422 and fetch(app, LeaveRequest, 1).status == "pending"
    done = hana.client.post(f"{APPROVALS}/1/approve", data={"csrf_token": token, "comment": ""})
    assert done.status_code == 303 and fetch(app, LeaveRequest, 1).status == "approved"
    assert count(app, Notification, Notification.user_id == org["ani"].id, Notification.type == "leave_review") == 1
    page = ani.get(PAGE).get_data(as_text=True)
    assert 'data-remaining="9"' in page and "Disetujui" in text_of(page)


def test_the_principal_approves_teachers(app, org):
    guru, kepsek = signed_in(app, org["guru"]), signed_in(app, org["kepsek"])
    assert ask(guru, {"leave_type": "dinas_luar"}).status_code == 303
    assert count(app, Notification, Notification.user_id == org["kepsek"].id,
                 Notification.type == "leave_request") == 1
    assert "Budi Guru" in text_of(kepsek.get(APPROVALS).get_data(as_text=True))
    token = csrf_from(kepsek.get(APPROVALS).get_data(as_text=True))
    response = kepsek.client.post(f"{APPROVALS}/1/reject", data={"csrf_token": token, "comment": "Jadwal ujian"})
    assert response.status_code == 303
    leave = fetch(app, LeaveRequest, 1)
    assert (leave.status, leave.review_comment, leave.reviewed_by_id) == ("rejected", "Jadwal ujian", org["kepsek"].id)
