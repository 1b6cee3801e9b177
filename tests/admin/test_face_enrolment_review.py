"""The review inbox's face enrolments: a first face photo sent from the face app waits beside the
check-in it came with; an admin approves (the photo becomes the person's face, the check-in stands)
or rejects (both go), in place, with the CSRF token of the page's forms."""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from app.attendance.models import AttendanceEvent, DailyAttendance
from app.extensions import db
from app.faces.models import FaceEnrolmentRequest, FaceSample
from app.notify.models import Notification

from tests.helpers import audit_trail, count, fetch, field_error, text_of

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
OBAMA = FACES / "probe" / "obama-480p.jpg"
OBAMA_SMALL = FACES / "probe" / "obama_small.jpg"
BIDEN = FACES / "enroll" / "biden" / "biden.jpg"
INBOX = "/admin/attendance/review"
FACE_API = "/face/api"


@pytest.fixture(autouse=True)
def _encode_once(memoised_face_pipeline):
    return memoised_face_pipeline


@pytest.fixture
def person(factory):
    factory.schedule(check_in=("00:00", "23:59"), check_out=("00:00", "23:59"), late_after="23:59")
    return factory.user(name="Barack Obama", email="obama@example.test")


def face_check_in(app, photo: Path) -> dict:
    """Sign in to the face app as the person and check in with ``photo``; the JSON answer."""
    client = app.test_client()
    assert client.post(f"{FACE_API}/login", json={"email": "obama@example.test", "password": "password123"}
                       ).status_code == 200
    response = client.post(f"{FACE_API}/attendance", json={"image": base64.b64encode(photo.read_bytes()).decode()})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def face_records(app) -> list[dict]:
    client = app.test_client()
    client.post(f"{FACE_API}/login", json={"email": "obama@example.test", "password": "password123"})
    return client.get(f"{FACE_API}/attendance").get_json()["records"]


def _pending(app) -> FaceEnrolmentRequest:
    with app.app_context():
        row = db.session.scalar(db.select(FaceEnrolmentRequest))
        db.session.expunge(row)
        return row


def test_the_first_photo_waits_in_the_inbox_beside_the_person(app, as_admin, person, freeze_time):
    freeze_time("2026-02-02T07:30+07:00")
    face_check_in(app, OBAMA)
    request = _pending(app)
    page = as_admin.get(INBOX).get_data(as_text=True)
    section = page[page.index('id="face-enrolments"'):]
    assert "Barack Obama" in section and "obama@example.test" in section
    assert f'src="/admin/attendance/review/face-enrolments/{request.id}/photo"' in section
    assert "Pendaftaran wajah" in text_of(page)
    photo = as_admin.get(f"/admin/attendance/review/face-enrolments/{request.id}/photo")
    assert photo.status_code == 200 and photo.data == OBAMA.read_bytes()
    assert photo.headers["Cache-Control"] == "no-store, private"
    # the held check-in is decided with the photo, not on its own in the events section
    events = re.search(r'<section class="card" id="events">.*?</section>', page, re.S).group(0)
    assert "Barack Obama" not in events


def test_approve_enrols_the_photo_and_the_check_in_stands(app, as_admin, admin, person, freeze_time):
    freeze_time("2026-02-02T07:30+07:00")
    first = face_check_in(app, OBAMA)
    freeze_time("2026-02-03T07:30+07:00")
    second = face_check_in(app, OBAMA_SMALL)  # the same face: compared with the pending photo, waits too
    request = _pending(app)
    response = as_admin.submit(INBOX, f"/admin/attendance/review/face-enrolments/{request.id}/approve", htmx=True)
    assert response.status_code == 200
    body = text_of(response.get_data(as_text=True))
    assert "Wajah Barack Obama didaftarkan; absensinya berlaku." in body
    assert "Tidak ada foto wajah yang menunggu." in body
    with app.app_context():
        (sample,) = db.session.scalars(db.select(FaceSample))
        assert (sample.user_id, sample.created_by_id) == (person.id, admin.id)  # an admin's enrolment
        decided = db.session.get(FaceEnrolmentRequest, request.id)
        assert (decided.status, decided.decided_by_id, decided.sample_id) == ("approved", admin.id, sample.id)
        events = db.session.scalars(db.select(AttendanceEvent).order_by(AttendanceEvent.id)).all()
        assert [str(e.id) for e in events] == [first["attendance"]["id"], second["attendance"]["id"]]
        assert {e.review_state for e in events} == {"approved"}
        assert {d.status for d in db.session.scalars(db.select(DailyAttendance))} == {"present"}
        (note,) = db.session.scalars(db.select(Notification).filter_by(user_id=person.id))
        assert note.type == "face_enrolment" and note.title == "Wajah Anda telah terdaftar"
    assert [r["status"] for r in face_records(app)] == ["success", "success"]
    trail = audit_trail(app, action="face_enrolment.approve")
    assert [(a, actor, p, s, after) for a, actor, p, _t, s, _b, after, _r in trail] == [
        ("face_enrolment.approve", admin.id, person.id, request.id,
         {"status": "approved", "check_ins": [int(first["attendance"]["id"]), int(second["attendance"]["id"])]})]
    assert len(audit_trail(app, action="attendance.approve")) == 2  # each check-in's own entry
    # from now on the person is verified against the enrolled face: the next day counts at once
    freeze_time("2026-02-04T07:30+07:00")
    third = face_check_in(app, OBAMA)
    assert third["message"] == "Absensi berhasil dicatat"
    assert fetch(app, AttendanceEvent, int(third["attendance"]["id"])).review_state == "not_required"


def test_reject_needs_a_reason_then_drops_the_photo_and_the_check_ins(app, as_admin, person, freeze_time):
    freeze_time("2026-02-02T07:30+07:00")
    face_check_in(app, OBAMA)
    request = _pending(app)
    url = f"/admin/attendance/review/face-enrolments/{request.id}/reject"
    body = as_admin.submit(INBOX, url, {"note": "  "}, htmx=True).get_data(as_text=True)
    assert field_error(body, f"reject-note-enrolment-{request.id}") == "Alasan wajib diisi untuk menolak."
    assert fetch(app, FaceEnrolmentRequest, request.id).status == "pending"
    response = as_admin.submit(INBOX, url, {"note": "Foto ini bukan wajah Barack Obama"}, htmx=True)
    assert "Foto wajah Barack Obama ditolak, bersama absensinya." in text_of(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(FaceEnrolmentRequest, request.id).status == "rejected"
        assert db.session.scalar(db.select(db.func.count(FaceSample.id))) == 0
        event = db.session.scalar(db.select(AttendanceEvent))
        assert (event.review_state, event.review_note) == ("rejected", "Foto ini bukan wajah Barack Obama")
        day = db.session.scalar(db.select(DailyAttendance))
        assert (day.status, day.time_in) == ("rejected", None)
        (note,) = db.session.scalars(db.select(Notification).filter_by(user_id=person.id))
        assert "Foto ini bukan wajah Barack Obama" in note.body
    # the contract's failed record, kept: rejected, not deleted
    assert [r["status"] for r in face_records(app)] == ["failed"]
    # trying again sends a new first photo, which waits again
    again = face_check_in(app, OBAMA)
    assert again["attendance"]["status"] == "success"
    assert count(app, FaceEnrolmentRequest, FaceEnrolmentRequest.status == "pending") == 1


def test_a_held_check_in_is_not_decided_on_its_own(app, as_admin, person, freeze_time):
    freeze_time("2026-02-02T07:30+07:00")
    answer = face_check_in(app, OBAMA)
    event_id = int(answer["attendance"]["id"])
    response = as_admin.submit(INBOX, f"{INBOX}/{event_id}/approve", htmx=True)
    assert "Absensi ini diputuskan bersama pendaftaran wajah orangnya" in text_of(response.get_data(as_text=True))
    assert fetch(app, AttendanceEvent, event_id).review_state == "pending"


def test_decisions_need_an_admin_and_the_csrf_token(app, as_admin, as_petugas, person, freeze_time):
    freeze_time("2026-02-02T07:30+07:00")
    face_check_in(app, OBAMA)
    request = _pending(app)
    base = f"/admin/attendance/review/face-enrolments/{request.id}"
    assert as_admin.client.post(f"{base}/approve").status_code == 400  # no CSRF token
    # a petugas sees who waits, without the face and without buttons; the routes refuse them
    page = as_petugas.get(INBOX).get_data(as_text=True)
    section = page[page.index('id="face-enrolments"'):]
    assert "Barack Obama" in section and f"{base}/photo" not in section and f"{base}/approve" not in section
    assert "Hanya administrator yang mendaftarkan wajah." in text_of(section)
    assert as_petugas.client.get(f"{base}/photo").status_code == 403
    assert as_petugas.submit(INBOX, f"{base}/approve").status_code == 403
    assert fetch(app, FaceEnrolmentRequest, request.id).status == "pending"
    assert as_admin.client.get(f"{base.replace(str(request.id), '999999')}/photo").status_code == 404
    # a decided request cannot be decided again
    as_admin.submit(INBOX, f"{base}/approve", htmx=True)
    again = as_admin.submit(INBOX, f"{base}/reject", {"note": "Salah orang"}, htmx=True)
    assert "Pendaftaran wajah ini sudah diputuskan" in text_of(again.get_data(as_text=True))
    assert fetch(app, FaceEnrolmentRequest, request.id).status == "approved"


def test_the_persons_face_page_points_to_the_waiting_photo(app, as_admin, person, freeze_time):
    freeze_time("2026-02-02T07:30+07:00")
    assert "menunggu di Persetujuan Absensi" not in text_of(as_admin.get(f"/admin/faces/people/{person.id}").get_data(as_text=True))
    face_check_in(app, OBAMA)
    page = as_admin.get(f"/admin/faces/people/{person.id}").get_data(as_text=True)
    assert "Foto pertama yang dikirim orang ini dari aplikasi absen wajah pada 2 Feb 2026, 07.30 menunggu di " \
           "Persetujuan Absensi, bersama absensinya." in text_of(page)
    assert 'href="/admin/attendance/review#face-enrolments"' in page
