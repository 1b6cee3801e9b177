"""Device resets: pending first, approve releases the phone and notifies, reject needs a note."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from app.accounts.models import DeviceBinding, DeviceResetRequest
from app.extensions import db
from app.notify.models import Notification

from tests.helpers import audit_trail, count, fetch, field_error, text_of

PAGE = "/admin/device-resets"
T0 = datetime(2026, 1, 30, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def make_request(app, factory):
    """A user with a bound phone and a device-reset request (pending unless told)."""

    def make(name, *, status="pending", minutes=0, bound=True, **kw):
        person = factory.user(name=name)
        with app.app_context():
            if bound:
                db.session.add(DeviceBinding(user_id=person.id, device_id=f"dev-{person.id}"))
            req = DeviceResetRequest(user_id=person.id, old_device_id=f"dev-{person.id}", reason=f"Ponsel {name} rusak",
                                     status=status, created_at=T0 + timedelta(minutes=minutes), **kw)
            db.session.add(req)
            db.session.commit()
            return req.id, person.id

    return make


def _row_ids(body):
    return [int(x) for x in re.findall(r'<tr id="device-reset-(\d+)"', body)]


def test_pending_first_then_processed_with_who_when_and_note(app, as_admin, admin, make_request):
    done, _ = make_request("Rina", status="rejected", minutes=1, processed_by_id=admin.id,
                           processed_at=T0 + timedelta(hours=2), admin_notes="Gunakan ponsel sendiri")
    late, _ = make_request("Budi", minutes=30)
    early, _ = make_request("Andi", minutes=5)
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert _row_ids(body) == [early, late, done]
    text = text_of(body)
    assert "oleh Admin HRD" in text and "Gunakan ponsel sendiri" in text and "30 Jan 2026, 10.00" in text
    assert "2 pengajuan menunggu." in text


def test_empty_state(as_admin):
    assert "Belum ada pengajuan reset perangkat" in text_of(as_admin.get(PAGE).get_data(as_text=True))


def test_approve_releases_the_phone_and_notifies_only_that_person(app, as_admin, admin, make_request):
    req_id, person_id = make_request("Andi")
    other_id, other_person = make_request("Budi", minutes=1)
    response = as_admin.submit(PAGE, f"/admin/device-resets/{req_id}/approve", htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="device-resets"')
    assert "Reset perangkat Andi disetujui" in text_of(body)
    approved = fetch(app, DeviceResetRequest, req_id)
    assert (approved.status, approved.processed_by_id) == ("approved", admin.id)
    assert approved.processed_at is not None
    assert count(app, DeviceBinding, DeviceBinding.user_id == person_id) == 0
    assert count(app, Notification, Notification.user_id == person_id, Notification.type == "device_reset") == 1
    # the other request is untouched
    assert fetch(app, DeviceResetRequest, other_id).status == "pending"
    assert count(app, DeviceBinding, DeviceBinding.user_id == other_person) == 1
    assert count(app, Notification, Notification.user_id == other_person) == 0
    ((action, actor, person, subject_type, subject, before, after, reason),) = audit_trail(app)
    assert (action, actor, person, subject_type, subject, before, after["status"], reason) == (
        "device_reset.approve", admin.id, person_id, "device_reset_request", req_id, {"status": "pending"},
        "approved", None)
    assert after["device_id"]  # the phone that was released
    # the row moved out of "pending": pending rows come first, the approved one last, without buttons
    assert _row_ids(body) == [other_id, req_id]
    approved_row = body[body.index(f'id="device-reset-{req_id}"'):]
    assert f"/admin/device-resets/{req_id}/approve" not in approved_row
    assert "Disetujui" in text_of(approved_row)


def test_petugas_may_approve(app, as_petugas, petugas, make_request):
    req_id, _ = make_request("Andi")
    as_petugas.submit(PAGE, f"/admin/device-resets/{req_id}/approve", htmx=True)
    assert fetch(app, DeviceResetRequest, req_id).processed_by_id == petugas.id


def test_reject_requires_a_note_shown_next_to_the_field(app, as_admin, make_request):
    req_id, person_id = make_request("Andi")
    response = as_admin.submit(PAGE, f"/admin/device-resets/{req_id}/reject", {"admin_notes": "   "}, htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert field_error(body, f"reject-note-{req_id}") == "Catatan wajib diisi untuk menolak pengajuan."
    assert f'<tr id="reject-device-reset-{req_id}" class="reject-row">' in body  # the form row stays open
    assert fetch(app, DeviceResetRequest, req_id).status == "pending"
    assert count(app, DeviceBinding, DeviceBinding.user_id == person_id) == 1
    assert count(app, Notification) == 0


def test_reject_with_a_note_keeps_the_binding_and_notifies(app, as_admin, admin, make_request):
    req_id, person_id = make_request("Andi")
    body = as_admin.submit(PAGE, f"/admin/device-resets/{req_id}/reject", {"admin_notes": "Ponsel kantor saja"},
                           htmx=True).get_data(as_text=True)
    assert "ditolak" in text_of(body)
    req = fetch(app, DeviceResetRequest, req_id)
    assert (req.status, req.admin_notes, req.processed_by_id) == ("rejected", "Ponsel kantor saja", admin.id)
    assert count(app, DeviceBinding, DeviceBinding.user_id == person_id) == 1
    with app.app_context():
        note = db.session.scalar(db.select(Notification).filter_by(user_id=person_id))
        assert "Ponsel kantor saja" in note.body


def test_a_processed_request_cannot_be_processed_again(app, as_admin, admin, make_request):
    req_id, person_id = make_request("Andi", status="rejected", processed_by_id=admin.id, processed_at=T0,
                                     admin_notes="Tidak")
    body = as_admin.submit(PAGE, f"/admin/device-resets/{req_id}/approve", htmx=True).get_data(as_text=True)
    assert "Pengajuan ini sudah diproses" in text_of(body)
    assert fetch(app, DeviceResetRequest, req_id).status == "rejected"
    assert count(app, DeviceBinding, DeviceBinding.user_id == person_id) == 1
    assert count(app, Notification) == 0


def test_without_htmx_approve_redirects_back_to_the_same_page(app, as_admin, make_request):
    req_id, _ = make_request("Andi")
    response = as_admin.submit(PAGE, f"/admin/device-resets/{req_id}/approve?page=1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/device-resets?page=1"
    assert "Reset perangkat" in text_of(as_admin.get(PAGE).get_data(as_text=True))


def test_pagination(app, as_admin, make_request):
    ids = [make_request(f"Orang {i:02d}", minutes=i, bound=False)[0] for i in range(23)]
    first = as_admin.get(PAGE).get_data(as_text=True)
    assert _row_ids(first) == ids[:20]
    assert "Menampilkan 1–20 dari 23" in text_of(first)
    assert 'href="/admin/device-resets?page=2"' in first
    second = as_admin.get(PAGE + "?page=2").get_data(as_text=True)
    assert _row_ids(second) == ids[20:]
    assert "Menampilkan 21–23 dari 23" in text_of(second)
    # a decision on page 2 answers with page 2
    body = as_admin.submit(PAGE + "?page=2", f"/admin/device-resets/{ids[21]}/approve?page=2", htmx=True).get_data(as_text=True)
    assert "Menampilkan 21–23 dari 23" in text_of(body)
