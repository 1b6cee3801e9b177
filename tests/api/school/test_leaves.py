"""Contract 002, section 6: leave requests — asking, reading one's own, review by the principal/admin."""
import re
from datetime import date

import pytest

from app.extensions import db
from app.leave import services as leave_services
from app.leave.models import LeaveRequest
from app.notify.models import Notification
from tests.helpers import count

from .tokens import bearer, school_user

LEAVE_KEYS = ["id", "user_id", "leave_type", "start_date", "end_date", "reason", "attachment_path", "status",
              "approved_by", "approval_comment", "approved_at", "created_at", "updated_at"]
CREATED_KEYS = ["user_id", "leave_type", "start_date", "end_date", "reason", "attachment_path", "status",
                "updated_at", "created_at", "id"]
ISO_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"


@pytest.fixture
def people(factory):
    return {
        "siswa": school_user(factory, "siswa", "1001", name="Andi"),
        "siswa2": school_user(factory, "siswa", "1002", name="Budi"),
        "guru": school_user(factory, "guru", "2001", name="Bu Guru"),
        "kepsek": school_user(factory, "kepsek", "4001", name="Pak Kepsek"),
        "admin": school_user(factory, "admin", "5001", name="Admin"),
    }


@pytest.fixture
def auth(app, people):
    return {key: bearer(app, user) for key, user in people.items()}


def _leave(app, user, start="2025-04-06", end=None, leave_type="sakit", status="pending", reviewer=None):
    with app.app_context():
        row = LeaveRequest(user_id=user.id, leave_type=leave_type, start_date=date.fromisoformat(start),
                           end_date=date.fromisoformat(end or start), reason="Demam tinggi",
                           attachment_path="leaves/surat.pdf", status=status,
                           reviewed_by_id=reviewer.id if reviewer else None)
        db.session.add(row)
        db.session.commit()
        return row.id


def _row(app, leave_id):
    with app.app_context():
        row = db.session.get(LeaveRequest, leave_id)
        if row is not None:
            db.session.expunge(row)
        return row


def _body(**kw):
    data = {"leave_type": "izin", "start_date": "2025-08-22", "end_date": "2025-08-22",
            "reason": "Perlu izin untuk keperluan pribadi"}
    data.update(kw)
    return data


# --- access -------------------------------------------------------------------

def test_every_leave_endpoint_needs_a_token(app, client, people):
    leave_id = _leave(app, people["siswa"])
    for method, path in (("get", "/api/leaves"), ("post", "/api/leaves"), ("get", f"/api/leaves/{leave_id}"),
                         ("put", f"/api/leaves/{leave_id}"), ("delete", f"/api/leaves/{leave_id}")):
        for headers in ({}, {"Authorization": "Bearer 99|forged"}):
            response = getattr(client, method)(path, headers=headers, json=_body())
            assert response.status_code == 401, (method, path)
            assert response.json == {"success": False, "message": "Token tidak valid"}
    assert count(app, LeaveRequest) == 1


# --- create -------------------------------------------------------------------

def test_create_answers_201_with_the_contract_fields_in_order(app, client, people, auth):
    response = client.post("/api/leaves", headers=auth["siswa"], json=_body(attachment_path="leaves/surat.pdf"))
    assert response.status_code == 201
    assert response.json["success"] is True and response.json["message"] == "Pengajuan izin berhasil dibuat"
    data = response.json["data"]
    assert list(data) == CREATED_KEYS
    assert data["user_id"] == people["siswa"].id and data["status"] == "menunggu"
    assert data["start_date"] == data["end_date"] == "2025-08-22T00:00:00.000000Z"
    assert data["attachment_path"] == "leaves/surat.pdf" and data["reason"] == "Perlu izin untuk keperluan pribadi"
    row = _row(app, data["id"])
    assert row.status == "pending" and row.start_date == date(2025, 8, 22) and row.user_id == people["siswa"].id


def test_create_ignores_a_user_id_in_the_body(app, client, people, auth):
    response = client.post("/api/leaves", headers=auth["siswa"], json=_body(user_id=people["siswa2"].id))
    assert response.status_code == 201 and response.json["data"]["user_id"] == people["siswa"].id


@pytest.mark.parametrize("change, field", [
    ({"leave_type": "libur"}, "leave_type"),
    ({"leave_type": None}, "leave_type"),
    ({"start_date": "22-08-2025"}, "start_date"),
    ({"start_date": "2025-02-30"}, "start_date"),
    ({"end_date": 20250822}, "end_date"),
    ({"end_date": "2025-08-21"}, "end_date"),
    ({"end_date": "2026-08-23"}, "end_date"),
    ({"reason": "   "}, "reason"),
    ({"reason": "x" * 2001}, "reason"),
    ({"reason": ["a"]}, "reason"),
    ({"attachment_path": "../etc/passwd"}, "attachment_path"),
    ({"attachment_path": "/etc/passwd"}, "attachment_path"),
    ({"attachment_path": "leaves/../../x.pdf"}, "attachment_path"),
    ({"attachment_path": "C:\\x.pdf"}, "attachment_path"),
    ({"attachment_path": 5}, "attachment_path"),
])
def test_create_refuses_bad_fields_with_422_and_records_nothing(app, client, auth, change, field):
    response = client.post("/api/leaves", headers=auth["siswa"], json=_body(**change))
    assert response.status_code == 422, change
    assert response.json["success"] is False and response.json["message"] == "Validasi gagal"
    assert field in response.json["errors"]
    assert count(app, LeaveRequest) == 0


def test_create_reports_every_missing_field(app, client, auth):
    response = client.post("/api/leaves", headers=auth["guru"], json={})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"leave_type", "start_date", "end_date", "reason"}


def test_a_full_year_is_accepted_but_not_a_day_more(app, client, auth):
    ok = client.post("/api/leaves", headers=auth["guru"], json=_body(start_date="2024-01-01", end_date="2024-12-31"))
    assert ok.status_code == 201  # 366 days, a leap year
    too_long = client.post("/api/leaves", headers=auth["guru"],
                           json=_body(start_date="2026-01-01", end_date="2027-01-02"))  # 367 days
    assert too_long.status_code == 422 and "end_date" in too_long.json["errors"]


def test_overlapping_pending_or_approved_leave_is_a_conflict(app, client, people, auth):
    _leave(app, people["siswa"], "2025-08-20", "2025-08-22")
    response = client.post("/api/leaves", headers=auth["siswa"], json=_body(start_date="2025-08-22",
                                                                          end_date="2025-08-25"))
    assert response.status_code == 409 and response.json["success"] is False
    assert "tanggal" in response.json["message"]
    assert count(app, LeaveRequest) == 1
    # another person, or a day after, or over a rejected leave is fine
    assert client.post("/api/leaves", headers=auth["siswa2"], json=_body()).status_code == 201
    assert client.post("/api/leaves", headers=auth["siswa"], json=_body(start_date="2025-08-23",
                                                                      end_date="2025-08-23")).status_code == 201
    _leave(app, people["guru"], "2025-08-22", status="rejected")
    assert client.post("/api/leaves", headers=auth["guru"], json=_body()).status_code == 201


# --- list and detail ----------------------------------------------------------

def test_list_is_a_paginator_of_ones_own_leaves_for_students_and_teachers(app, client, people, auth):
    own = _leave(app, people["siswa"], "2025-04-06")
    _leave(app, people["siswa2"], "2025-04-07")
    _leave(app, people["guru"], "2025-04-08")
    response = client.get(f"/api/leaves?user_id={people['siswa2'].id}", headers=auth["siswa"])
    assert response.status_code == 200
    assert response.json["message"] == "Data pengajuan izin berhasil diambil"
    page = response.json["data"]
    assert page["total"] == 1 and [row["id"] for row in page["data"]] == [own]
    assert page["path"] == "http://localhost/api/leaves" and page["per_page"] == 15
    assert list(page["data"][0]) == LEAVE_KEYS
    assert page["data"][0]["start_date"] == "2025-04-06T00:00:00.000000Z"
    assert client.get("/api/leaves", headers=auth["guru"]).json["data"]["total"] == 1


@pytest.mark.parametrize("role", ["kepsek", "admin"])
def test_principal_and_admin_see_everyones_and_filter(app, client, people, auth, role):
    a = _leave(app, people["siswa"], "2025-04-06", leave_type="sakit")
    b = _leave(app, people["siswa2"], "2025-04-10", "2025-04-12", leave_type="izin", status="approved",
               reviewer=people["kepsek"])
    c = _leave(app, people["guru"], "2025-05-01", leave_type="dinas_luar", status="rejected",
               reviewer=people["admin"])

    def ids(query=""):
        response = client.get("/api/leaves" + query, headers=auth[role])
        assert response.status_code == 200, response.json
        return sorted(row["id"] for row in response.json["data"]["data"])

    assert ids() == sorted([a, b, c])
    assert ids(f"?user_id={people['siswa2'].id}") == [b]
    assert ids("?status=disetujui") == [b]
    assert ids("?status=menunggu") == [a]
    assert ids("?leave_type=dinas_luar") == [c]
    assert ids("?start_date=2025-04-11&end_date=2025-04-30") == [b]  # overlap, not containment
    assert ids("?start_date=2025-04-13") == [c]
    assert ids("?end_date=2025-04-06") == [a]
    assert ids("?per_page=2&page=2") == [a]  # newest first: c, b | a


@pytest.mark.parametrize("query, field", [("status=approved", "status"), ("leave_type=libur", "leave_type"),
                                          ("start_date=06-04-2025", "start_date"), ("end_date=x", "end_date"),
                                          ("start_date=2025-05-02&end_date=2025-05-01", "end_date"),
                                          ("user_id=abc", "user_id"), ("per_page=0", "per_page")])
def test_list_refuses_bad_filters(app, client, auth, query, field):
    response = client.get("/api/leaves?" + query, headers=auth["admin"])
    assert response.status_code == 422 and field in response.json["errors"]


def test_detail_for_owner_principal_and_admin_and_404_for_others(app, client, people, auth):
    leave_id = _leave(app, people["siswa"], status="approved", reviewer=people["kepsek"])
    for who in ("siswa", "kepsek", "admin"):
        response = client.get(f"/api/leaves/{leave_id}", headers=auth[who])
        assert response.status_code == 200, who
        data = response.json["data"]
        assert list(data) == LEAVE_KEYS and data["status"] == "disetujui" and data["approved_by"] == people["kepsek"].id
    for who in ("siswa2", "guru"):
        response = client.get(f"/api/leaves/{leave_id}", headers=auth[who])
        assert response.status_code == 404, who
        assert response.json == client.get("/api/leaves/999999", headers=auth[who]).json
        assert response.json["success"] is False


# --- review -------------------------------------------------------------------

@pytest.mark.parametrize("role, status, stored", [("kepsek", "disetujui", "approved"),
                                                  ("admin", "ditolak", "rejected")])
def test_principal_and_admin_review_and_the_requester_is_notified(app, client, people, auth, role, status, stored):
    leave_id = _leave(app, people["siswa"], "2025-08-22")
    response = client.put(f"/api/leaves/{leave_id}", headers=auth[role],
                          json={"status": status, "approval_comment": "  Semoga lekas sembuh "})
    assert response.status_code == 200, response.json
    assert response.json["message"] == "Status pengajuan izin berhasil diperbarui"
    data = response.json["data"]
    assert list(data) == LEAVE_KEYS
    assert data["status"] == status and data["approved_by"] == people[role].id
    assert data["approval_comment"] == "Semoga lekas sembuh"
    assert data["approved_at"] is not None
    assert re.match(ISO_RE, data["approved_at"])
    row = _row(app, leave_id)
    assert row.status == stored and row.reviewed_by_id == people[role].id and row.reviewed_at is not None
    with app.app_context():
        notes = db.session.query(Notification).filter_by(user_id=people["siswa"].id).all()
        assert len(notes) == 1 and notes[0].type == "leave_review"
        word = "disetujui" if stored == "approved" else "ditolak"
        assert notes[0].title == f"Pengajuan izin Anda {word}"
        assert notes[0].body == f"Pengajuan izin sakit Anda untuk 22-08-2025 {word}: Semoga lekas sembuh"


def test_review_without_a_comment_names_the_type_and_the_days(app, client, people, auth):
    leave_id = _leave(app, people["guru"], "2025-08-22", "2025-08-24", leave_type="dinas_luar")
    response = client.put(f"/api/leaves/{leave_id}", headers=auth["admin"], json={"status": "disetujui"})
    assert response.status_code == 200 and response.json["data"]["approval_comment"] is None
    with app.app_context():
        note = db.session.query(Notification).filter_by(user_id=people["guru"].id).one()
        assert note.body == "Pengajuan dinas luar Anda untuk 22-08-2025 – 24-08-2025 disetujui."


@pytest.mark.parametrize("who", ["siswa", "guru"])
def test_a_student_or_teacher_cannot_review_even_their_own(app, client, people, auth, who):
    leave_id = _leave(app, people[who])
    response = client.put(f"/api/leaves/{leave_id}", headers=auth[who], json={"status": "disetujui"})
    assert response.status_code == 403 and response.json == {"success": False, "message": "Akses ditolak"}
    assert _row(app, leave_id).status == "pending"
    assert count(app, Notification) == 0


def test_a_reviewer_cannot_review_their_own_leave(app, client, people, auth):
    leave_id = _leave(app, people["kepsek"])
    response = client.put(f"/api/leaves/{leave_id}", headers=auth["kepsek"], json={"status": "disetujui"})
    assert response.status_code == 403 and response.json["success"] is False
    assert _row(app, leave_id).status == "pending"
    assert client.put(f"/api/leaves/{leave_id}", headers=auth["admin"], json={"status": "disetujui"}).status_code == 200


def test_a_reviewed_leave_is_not_reviewed_again(app, client, people, auth):
    leave_id = _leave(app, people["siswa"], status="rejected", reviewer=people["admin"])
    response = client.put(f"/api/leaves/{leave_id}", headers=auth["kepsek"], json={"status": "disetujui"})
    assert response.status_code == 400 and response.json["message"] == "Pengajuan izin ini sudah diproses"
    row = _row(app, leave_id)
    assert row.status == "rejected" and row.reviewed_by_id == people["admin"].id
    assert count(app, Notification) == 0


@pytest.mark.parametrize("payload, field", [({"status": "menunggu"}, "status"), ({"status": "approved"}, "status"),
                                            ({"status": None}, "status"),
                                            ({"status": "disetujui", "approval_comment": 5}, "approval_comment"),
                                            ({"status": "ditolak", "approval_comment": "x" * 2001},
                                             "approval_comment")])
def test_review_refuses_bad_values(app, client, people, auth, payload, field):
    leave_id = _leave(app, people["siswa"])
    response = client.put(f"/api/leaves/{leave_id}", headers=auth["admin"], json=payload)
    assert response.status_code == 422 and field in response.json["errors"]
    assert _row(app, leave_id).status == "pending" and count(app, Notification) == 0


def test_a_reviewer_cannot_review_a_leave_that_does_not_exist(app, client, auth):
    response = client.put("/api/leaves/424242", headers=auth["admin"], json={"status": "disetujui"})
    assert response.status_code == 404


# --- edit by the owner ----------------------------------------------------------

def test_the_owner_edits_a_pending_leave(app, client, people, auth):
    leave_id = _leave(app, people["siswa"], "2025-08-22")
    response = client.put(f"/api/leaves/{leave_id}", headers=auth["siswa"],
                          json={"end_date": "2025-08-23", "reason": "Masih demam", "leave_type": "sakit"})
    assert response.status_code == 200, response.json
    data = response.json["data"]
    assert data["end_date"] == "2025-08-23T00:00:00.000000Z" and data["reason"] == "Masih demam"
    assert data["status"] == "menunggu"
    assert _row(app, leave_id).end_date == date(2025, 8, 23)


def test_edit_is_refused_when_reviewed_invalid_overlapping_or_not_ones_own(app, client, people, auth):
    reviewed = _leave(app, people["siswa"], "2025-08-01", status="approved", reviewer=people["kepsek"])
    pending = _leave(app, people["siswa"], "2025-08-10")
    assert client.put(f"/api/leaves/{reviewed}", headers=auth["siswa"], json={"reason": "x"}).status_code == 400
    bad = client.put(f"/api/leaves/{pending}", headers=auth["siswa"], json={"end_date": "2025-08-09"})
    assert bad.status_code == 422 and "end_date" in bad.json["errors"]
    overlap = client.put(f"/api/leaves/{pending}", headers=auth["siswa"], json={"start_date": "2025-08-01"})
    assert overlap.status_code == 409
    assert client.put(f"/api/leaves/{pending}", headers=auth["siswa2"], json={"reason": "x"}).status_code == 404
    assert client.put(f"/api/leaves/{pending}", headers=auth["kepsek"], json={"reason": "x"}).status_code == 403
    assert client.put(f"/api/leaves/{pending}", headers=auth["siswa"], json={}).status_code == 422
    row = _row(app, pending)
    assert row.start_date == row.end_date == date(2025, 8, 10) and row.reason == "Demam tinggi"
    assert _row(app, reviewed).reason == "Demam tinggi"


# --- delete -----------------------------------------------------------------------

def test_the_owner_deletes_a_pending_leave(app, client, people, auth):
    leave_id = _leave(app, people["guru"])
    response = client.delete(f"/api/leaves/{leave_id}", headers=auth["guru"])
    assert response.status_code == 200
    assert response.json == {"success": True, "message": "Pengajuan izin berhasil dihapus"}
    assert _row(app, leave_id) is None


def test_delete_rules(app, client, people, auth):
    reviewed = _leave(app, people["siswa"], "2025-08-01", status="approved", reviewer=people["kepsek"])
    pending = _leave(app, people["siswa"], "2025-08-10")
    response = client.delete(f"/api/leaves/{reviewed}", headers=auth["siswa"])
    assert response.status_code == 400 and response.json["success"] is False
    assert client.delete(f"/api/leaves/{reviewed}", headers=auth["admin"]).status_code == 400
    assert client.delete(f"/api/leaves/{pending}", headers=auth["siswa2"]).status_code == 404
    assert client.delete(f"/api/leaves/{pending}", headers=auth["kepsek"]).status_code == 403
    assert count(app, LeaveRequest) == 2
    assert client.delete(f"/api/leaves/{pending}", headers=auth["admin"]).status_code == 200
    assert _row(app, pending) is None and _row(app, reviewed) is not None


# --- services ---------------------------------------------------------------------

def test_approved_leave_on_a_day(app, ctx, people):
    approved = _leave(app, people["siswa"], "2025-04-06", "2025-04-08", status="approved", reviewer=people["kepsek"])
    _leave(app, people["siswa"], "2025-04-10", status="pending")
    _leave(app, people["siswa"], "2025-04-11", status="rejected", reviewer=people["kepsek"])
    user = people["siswa"]
    assert leave_services.approved_leave_on(user, date(2025, 4, 5)) is None
    assert leave_services.approved_leave_on(user, date(2025, 4, 6)).id == approved
    assert leave_services.approved_leave_on(user, date(2025, 4, 8)).id == approved
    assert leave_services.approved_leave_on(user, date(2025, 4, 9)) is None
    assert leave_services.approved_leave_on(user, date(2025, 4, 10)) is None
    assert leave_services.approved_leave_on(user, date(2025, 4, 11)) is None
    assert leave_services.approved_leave_on(people["siswa2"], date(2025, 4, 6)) is None


def test_english_notification_texts_exist(app):
    """The English catalogue carries the leave msgids too (the admin may switch language)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("en"):
        assert gettext("Your %(kind)s request for %(dates)s was approved.", kind="sick leave", dates="1") == \
            "Your sick leave request for 1 was approved."
    with app.test_request_context(), force_locale("id"):
        assert gettext("off-site duty") == "dinas luar"
