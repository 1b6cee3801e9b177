"""Leave requests in the review inbox: approve / reject with a comment, in place, admin only."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.leave.models import LeaveRequest
from app.notify.models import Notification

from tests.helpers import audit_trail, count, fetch, field_error, field_has_error_class, text_of

PAGE = "/admin/attendance/review"


@pytest.fixture
def leave(app, factory):
    """Ask for leave through the leave service; returns the request id."""

    def ask(name, leave_type="sakit", start="2026-02-02", end="2026-02-04", reason="Demam tinggi",
            attachment=None):
        from app.accounts.models import User
        from app.leave.services import create_leave

        person = factory.user(name=name)
        with app.app_context():
            created = create_leave(db.session.get(User, person.id), leave_type, start, end, reason,
                                   attachment_path=attachment)
            db.session.commit()
            return created.id

    return ask


def _leave_ids(body):
    return [int(x) for x in re.findall(r'<tr id="leave-(\d+)"', body)]


def _notifications(app, leave_id):
    user_id = fetch(app, LeaveRequest, leave_id).user_id
    return count(app, Notification, Notification.user_id == user_id, Notification.type == "leave_review")


def test_section_lists_pending_leave_with_type_dates_and_attachment(as_admin, leave):
    first = leave("Siti Aminah", attachment="leaves/surat-dokter.pdf")
    second = leave("Budi Santoso", leave_type="dinas_luar", start="2026-02-10", end="2026-02-10", reason="Rapat dinas")
    body = as_admin.get(PAGE).get_data(as_text=True)
    text = text_of(body)
    assert "Pengajuan izin & cuti" in text
    assert "Siti Aminah" in text and "Sakit" in text and "3 hari" in text and "Demam tinggi" in text
    assert "leaves/surat-dokter.pdf" in text
    assert "Dinas luar" in text and "1 hari" in text
    assert _leave_ids(body) == [first, second]  # oldest first
    assert f"/admin/attendance/review/leave/{first}/approve" in body


def test_approve_with_comment_notifies_and_leaves_others_alone(app, as_admin, admin, leave):
    target = leave("Siti")
    other = leave("Budi")
    response = as_admin.submit(PAGE, f"{PAGE}/leave/{target}/approve", {"comment": "Semoga lekas sembuh"})
    assert response.status_code == 303
    approved = fetch(app, LeaveRequest, target)
    assert (approved.status, approved.reviewed_by_id, approved.review_comment) == \
        ("approved", admin.id, "Semoga lekas sembuh")
    assert approved.reviewed_at is not None
    assert _notifications(app, target) == 1
    untouched = fetch(app, LeaveRequest, other)
    assert (untouched.status, untouched.reviewed_by_id) == ("pending", None)
    assert _notifications(app, other) == 0
    assert audit_trail(app) == [("leave.approve", admin.id, approved.user_id, "leave_request", target,
                                 {"status": "pending"},
                                 {"status": "approved", "leave_type": "sakit", "start_date": "2026-02-02",
                                  "end_date": "2026-02-04"}, "Semoga lekas sembuh")]


def test_approve_without_comment_is_fine(app, as_admin, leave):
    target = leave("Siti")
    as_admin.submit(PAGE, f"{PAGE}/leave/{target}/approve", {"comment": ""})
    approved = fetch(app, LeaveRequest, target)
    assert (approved.status, approved.review_comment) == ("approved", None)


def test_htmx_approve_returns_the_fragment(app, as_admin, leave):
    target = leave("Siti")
    other = leave("Budi")
    response = as_admin.submit(PAGE, f"{PAGE}/leave/{target}/approve", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="review-list"')
    assert "Sakit atas nama Siti disetujui." in text_of(body)
    assert _leave_ids(body) == [other]
    assert "HX-Request" in response.headers.get("Vary", "")


def test_reject_without_comment_is_refused_next_to_the_field(app, as_admin, leave):
    target = leave("Siti")
    response = as_admin.submit(PAGE, f"{PAGE}/leave/{target}/reject", {"comment": "  "}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    field_id = f"reject-note-leave-{target}"
    assert field_error(body, field_id) == "Komentar wajib diisi untuk menolak pengajuan cuti/izin."
    assert field_has_error_class(body, field_id)
    assert f'<tr id="reject-leave-{target}" class="reject-row">' in body  # the row stays open
    unchanged = fetch(app, LeaveRequest, target)
    assert (unchanged.status, unchanged.reviewed_by_id) == ("pending", None)
    assert _notifications(app, target) == 0


def test_reject_with_comment(app, as_admin, admin, leave):
    target = leave("Siti")
    response = as_admin.submit(PAGE, f"{PAGE}/leave/{target}/reject", {"comment": "Lampirkan surat dokter"},
                               htmx=True)
    assert "Sakit atas nama Siti ditolak." in text_of(response.get_data(as_text=True))
    rejected = fetch(app, LeaveRequest, target)
    assert (rejected.status, rejected.reviewed_by_id, rejected.review_comment) == \
        ("rejected", admin.id, "Lampirkan surat dokter")
    assert _notifications(app, target) == 1


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_missing_csrf_is_refused_and_changes_nothing(app, as_admin, leave, action):
    target = leave("Siti")
    response = as_admin.client.post(f"{PAGE}/leave/{target}/{action}", data={"comment": "ok"})
    assert response.status_code == 400
    assert fetch(app, LeaveRequest, target).status == "pending"
    assert _notifications(app, target) == 0


def test_petugas_sees_leave_read_only_and_cannot_post(app, as_petugas, leave):
    target = leave("Siti")
    body = as_petugas.get(PAGE).get_data(as_text=True)
    assert _leave_ids(body) == [target]
    assert f"/leave/{target}/approve" not in body and f"/leave/{target}/reject" not in body
    assert f'data-toggle-row="approve-leave-{target}"' not in body
    for action in ("approve", "reject"):
        response = as_petugas.submit(PAGE, f"{PAGE}/leave/{target}/{action}", {"comment": "ok"})
        assert response.status_code == 403
    assert fetch(app, LeaveRequest, target).status == "pending"


def test_reviewed_leave_gives_a_message_not_an_error(app, as_admin, leave):
    target = leave("Siti")
    as_admin.submit(PAGE, f"{PAGE}/leave/{target}/approve")
    response = as_admin.submit(PAGE, f"{PAGE}/leave/{target}/reject", {"comment": "late"}, htmx=True)
    assert response.status_code == 200
    assert fetch(app, LeaveRequest, target).status == "approved"


def test_english_labels(as_admin, leave):
    leave("Siti", leave_type="cuti", start="2026-02-02", end="2026-02-03")
    as_admin.submit("/admin/", "/admin/language", {"lang": "en"})
    text = text_of(as_admin.get(PAGE).get_data(as_text=True))
    assert "Leave requests" in text and "Annual leave" in text and "2 days" in text


def test_nav_badge_counts_pending_leave(as_admin, leave):
    leave("Siti")
    body = as_admin.get("/admin/").get_data(as_text=True)
    assert re.search(r'href="/admin/attendance/review"[^>]*>.*?<span[^>]*>\s*1\s*</span>', body, re.S)
